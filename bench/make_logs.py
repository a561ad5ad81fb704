#!/usr/bin/env python3
"""Deterministic 12-column prediction logs for the browser benchmark (issue #9).

    python3 bench/make_logs.py 100000 1000000 [--dir bench/data] [--seed 20261127]

writes ``bench/data/log_<N>.csv`` for each N (skipped when the file exists and its size and
SHA-256 match ``log_<N>.json``, the manifest written next to it).  The columns are::

    timestamp,score,label,model_version,segment,x1,x2,x3,x4,x5,x6,country

* ``timestamp``: ISO 8601 UTC with milliseconds, row i at 2026-01-01T00:00:00Z + 3i s plus a
  random 0–999 ms (24 bytes);
* a latent ``z ~ N(0, 1)``, shifted by +0.4 in the second half of the rows (the "current"
  half, so that the drift between the halves is visible); ``label ~ Bernoulli(σ(−1.2 + 1.8 z))``
  and ``score = σ(−1.0 + 1.5 z + 0.5 e)`` with independent noise ``e ~ N(0, 1)``, 6 decimals:
  an informative (AUC ≈ 0.8), slightly miscalibrated model, almost every score distinct;
* ``model_version``: ``v1`` for the first half, ``v2`` for the second;
* ``segment``: ``web`` / ``app`` / ``api`` (weights 0.5 / 0.3 / 0.2);
* six numeric features: ``x1 = z + N(0, 1)``, ``x2 ~ N(0, 1)`` (6 decimals),
  ``x3 = 40 + 12 N(0, 1)`` (age-like), ``x4 ~ LogNormal(3, 1)`` (amount-like, heavy tail),
  ``x5 ~ U(0, 1)`` (6 decimals), ``x6 = 0.5 z + N(0, 0.5)``; 4 decimals unless marked;
* ``country``: 12 two-letter codes with weights that differ between the halves.

That is about 95 bytes a row (95 MB at 1M rows), the figure issue #9 quotes.  The draws come
from NumPy's PCG64 seeded with ``--seed`` in blocks of 1M rows (block ``k`` uses the seed
sequence ``(seed, k)``), so the same seed and N always give the same bytes, written a block at
a time; the manifest records the SHA-256 so a run can be checked against another machine's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np

HEADER = "timestamp,score,label,model_version,segment,x1,x2,x3,x4,x5,x6,country"
BLOCK = 1_000_000
SEGMENTS = np.array(["web", "app", "api"])
SEGMENT_W = np.array([0.5, 0.3, 0.2])
COUNTRIES = np.array(["US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "ES", "IT", "MX", "NL"])
COUNTRY_W_REF = np.array([30, 12, 10, 9, 8, 7, 6, 5, 4, 4, 3, 2], dtype=float)
COUNTRY_W_CUR = np.array([24, 12, 10, 9, 12, 10, 6, 5, 4, 3, 3, 2], dtype=float)
START = np.datetime64("2026-01-01T00:00:00", "s")


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def block_rows(seed: int, k: int, lo: int, hi: int, n: int) -> str:
    """CSV text of rows lo..hi (global indices) of an n-row log; block k holds rows k*BLOCK…"""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, k])))
    m = BLOCK
    idx = k * BLOCK + np.arange(m)
    current = idx >= n // 2
    z = rng.standard_normal(m) + 0.4 * current
    e = rng.standard_normal(m)
    label = (rng.random(m) < sigmoid(-1.2 + 1.8 * z)).astype(np.int8)
    score = sigmoid(-1.0 + 1.5 * z + 0.5 * e)
    x1 = z + rng.standard_normal(m)
    x2 = rng.standard_normal(m)
    x3 = 40.0 + 12.0 * rng.standard_normal(m)
    x4 = rng.lognormal(3.0, 1.0, m)
    x5 = rng.random(m)
    x6 = 0.5 * z + 0.5 * rng.standard_normal(m)
    seg = SEGMENTS[np.searchsorted(np.cumsum(SEGMENT_W) / SEGMENT_W.sum(), rng.random(m), side="right").clip(0, 2)]
    u = rng.random(m)
    ref_cdf = np.cumsum(COUNTRY_W_REF) / COUNTRY_W_REF.sum()
    cur_cdf = np.cumsum(COUNTRY_W_CUR) / COUNTRY_W_CUR.sum()
    ci = np.where(current, np.searchsorted(cur_cdf, u, side="right"), np.searchsorted(ref_cdf, u, side="right")).clip(0, 11)
    country = COUNTRIES[ci]
    version = np.where(current, "v2", "v1")
    ts = np.datetime_as_string(START + (idx * 3).astype("timedelta64[s]"), unit="s")
    ms = np.char.add(np.char.mod(".%03d", rng.integers(0, 1000, m)), "Z")

    a, b = lo - k * BLOCK, hi - k * BLOCK
    cols = [
        np.char.add(ts[a:b], ms[a:b]),
        np.char.mod("%.6f", score[a:b]),
        label[a:b].astype(str),
        version[a:b],
        seg[a:b],
        np.char.mod("%.4f", x1[a:b]),
        np.char.mod("%.6f", x2[a:b]),
        np.char.mod("%.4f", x3[a:b]),
        np.char.mod("%.4f", x4[a:b]),
        np.char.mod("%.6f", x5[a:b]),
        np.char.mod("%.4f", x6[a:b]),
        country[a:b],
    ]
    out = cols[0].astype(object)
    for c in cols[1:]:
        out = out + "," + c.astype(object)
    return "\n".join(out.tolist()) + "\n"


def write_log(path: str, n: int, seed: int) -> dict:
    """Write an n-row log to path; return its manifest (rows, bytes, sha256, seed)."""
    digest = hashlib.sha256()
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        head = (HEADER + "\n").encode()
        f.write(head)
        digest.update(head)
        for k in range((n + BLOCK - 1) // BLOCK):
            lo, hi = k * BLOCK, min(n, (k + 1) * BLOCK)
            data = block_rows(seed, k, lo, hi, n).encode()
            f.write(data)
            digest.update(data)
    os.replace(tmp, path)
    size = os.path.getsize(path)
    return {"rows": n, "columns": 12, "bytes": size, "bytes_per_row": size / n,
            "sha256": digest.hexdigest(), "seed": seed, "generator": "bench/make_logs.py"}


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_log(directory: str, n: int, seed: int) -> tuple[str, dict]:
    """The path and manifest of the n-row log, generating it unless a matching one exists."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"log_{n}.csv")
    meta_path = os.path.join(directory, f"log_{n}.json")
    if os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("seed") == seed and meta.get("bytes") == os.path.getsize(path) and meta.get("sha256") == sha256_of(path):
            return path, meta
    t0 = time.perf_counter()
    meta = write_log(path, n, seed)
    meta["generate_s"] = round(time.perf_counter() - t0, 2)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=2)
    return path, meta


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="+", type=lambda s: int(s.replace("_", "")))
    ap.add_argument("--dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    for n in args.sizes:
        if n < 2:
            print(f"make_logs: size {n} must be at least 2", file=sys.stderr)
            return 2
        path, meta = ensure_log(args.dir, n, args.seed)
        print(f"{path}: {meta['rows']} rows, {meta['bytes'] / 1e6:.1f} MB "
              f"({meta['bytes_per_row']:.1f} B/row), sha256 {meta['sha256'][:12]}…")
    return 0


if __name__ == "__main__":
    sys.exit(main())
