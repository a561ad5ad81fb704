#!/usr/bin/env python3
"""Writes the committed seed corpus of the fuzz targets (stdlib only, deterministic).

fuzz/corpus/ingest/ (also the seeds of the `analyze` target): every small file of tests/fixtures/ingest (the broken-input cases the
ingest tests already name) and the first lines of the fixture logs, plain and gzip-compressed.
fuzz/corpus/share/: valid share-link fragments (`#review=<base64url(JSON)>`, the JSON as
src/core/share.rs writes it) for each kind of window, plus a few malformed ones.

Run from the repository root: python3 fuzz/make_corpus.py
"""
import base64
import gzip
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
OUT = ROOT / "fuzz" / "corpus"


def write(target, name, data):
    path = OUT / target / name
    path.write_bytes(data)


def ingest():
    for f in sorted((FIXTURES / "ingest").iterdir()):
        if f.is_file() and f.stat().st_size <= 4096:
            write("ingest", f.name, f.read_bytes())
    for log, lines in [("basic.csv", 25), ("reference.csv", 25), ("extremes.csv", 25),
                       ("single_row.csv", 5), ("one_class.csv", 15)]:
        head = b"".join((FIXTURES / "logs" / log).read_bytes().splitlines(keepends=True)[:lines])
        write("ingest", f"head_{log}", head)
        write("ingest", f"head_{log}.gz", gzip.compress(head, compresslevel=6, mtime=0))
    for f in sorted((FIXTURES / "xss").glob("*.csv")):
        head = b"".join(f.read_bytes().splitlines(keepends=True)[:20])
        write("ingest", f"xss_{f.name}", head)


def share_fragment(window, **settings):
    state = {
        "v": 1,
        "file_sha256": "ab" * 32,
        "mapping": {
            "score": "score", "score_transform": "identity", "label": "label",
            "positive_label": None, "timestamp": "timestamp", "model_version": "model_version",
            "id": None, "decision": None, "segments": ["country"], "features": ["x1", "x2"],
            "latency": None, "status": None,
        },
        "settings": {
            "bins": 10, "strategy": "uniform", "interval": "clopper_pearson", "confidence": 0.95,
            "threshold": 0.5, "window": window, "bootstrap": 200, "seed": 0,
            "costs": {"fp": 1.0, "fn": 1.0, "tp": 0.0, "tn": 0.0},
            "log_loss_eps": 2.220446049250313e-16, **settings,
        },
        "tab": "overview",
    }
    body = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).rstrip(b"=")
    return b"#review=" + body


def share():
    windows = [
        ("all", {"kind": "all"}, {}),
        ("two_files", {"kind": "two_files"}, {"bins": 15, "strategy": "quantile"}),
        ("split_at", {"kind": "split_at", "timestamp": "2026-10-01T00:00:00Z"}, {"interval": "wilson"}),
        ("split_fraction", {"kind": "split_fraction", "fraction": 0.5}, {"threshold": 0.3}),
        ("split_column", {"kind": "split_column", "column": "model_version", "reference": "v3",
                          "current": "v4"}, {"bootstrap": 0}),
    ]
    for name, window, settings in windows:
        write("share", f"valid_{name}", share_fragment(window, **settings))
    for name, text in [("empty", b""), ("other_key", b"#other=1"), ("not_base64", b"#review=!!!"),
                       ("empty_object", b"#review=e30"), ("bad_version", b"#review=eyJ2Ijo5fQ")]:
        write("share", name, text)


def main():
    for target in ("ingest", "share"):
        shutil.rmtree(OUT / target, ignore_errors=True)
        (OUT / target).mkdir(parents=True)
    ingest()
    share()


if __name__ == "__main__":
    main()
