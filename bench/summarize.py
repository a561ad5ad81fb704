#!/usr/bin/env python3
"""Join one benchmark run's pieces into bench/results.json and print the table with ratios.

    python3 bench/summarize.py --run-dir bench/.run --sizes "100000 1000000" --out bench/results.json

Reads, per size N, ``browser_N.json`` (bench/browser.mjs), ``peer_N.json``
(bench/python_peer.py) and ``log_N.json`` (the log's manifest, from bench/make_logs.py); and,
if present, ``cargo.json`` (``cargo bench --bench core``). The ratio is the Python peer's
median time divided by Plumb's median load-to-ready time (``load_s``: the first answer, status
ready with the headline numbers; ``complete_s`` is when the complete report replaced it, and
``phase_s`` the worker's reading / finishing / analysing times), so a ratio above 1 means Plumb
was faster; the CPU ratio divides the peer's CPU seconds by the CPU seconds of Chromium's renderer
processes during the load (less sensitive to a shared machine). The issue's targets are checked and printed as met / not met / not measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

GIB = 2**30
MIB = 2**20


def load(path: str):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def sh(*cmd: str) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine(load_start: str | None) -> dict:
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), None)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            mem = int(next(line.split()[1] for line in f if line.startswith("MemTotal"))) * 1024
    except (OSError, StopIteration, ValueError):
        pass
    with open("/proc/loadavg") as f:
        load_end = " ".join(f.read().split()[:3])
    chromium = sh(os.environ.get("CHROMIUM", "/usr/bin/chromium"), "--version")
    return {
        "os": f"{platform.system()} {platform.release()}",
        "arch": platform.machine(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": mem,
        "load_average_start": load_start,
        "load_average_end": load_end,
        "chromium": chromium.splitlines()[0] if chromium else None,
        "node": sh("node", "--version"),
        "python": platform.python_version(),
        "git_commit": sh("git", "rev-parse", "--short", "HEAD"),
        "git_dirty": bool(sh("git", "status", "--porcelain", "--untracked-files=no")),
    }


def cargo_bytes_to_report(cargo: dict | None, rows: int):
    """The native `analysis / bytes → report` median at this size, if cargo bench ran it."""
    if not cargo:
        return None
    for size in cargo.get("sizes", []):
        if size.get("rows") != rows:
            continue
        for r in size.get("results", []):
            if r.get("group") == "analysis" and r.get("name", "").startswith("bytes"):
                return r.get("median_s")
    return None


def agreement(plumb: dict | None, peer: dict | None):
    """Plumb's headline metrics (read from the Overview) minus the peer's, on the same file."""
    shown = (plumb or {}).get("metrics") or {}
    ref = (peer or {}).get("results") or {}
    pairs = {"n": "rows", "roc_auc": "roc_auc", "average_precision": "average_precision",
             "brier_score": "brier", "log_loss": "log_loss"}
    out = {}
    for mine, theirs in pairs.items():
        if shown.get(mine) is not None and ref.get(theirs) is not None:
            out[mine] = {"plumb": shown[mine], "peer": ref[theirs], "abs_diff": abs(shown[mine] - ref[theirs])}
    return out or None


def targets(sizes: list[dict]) -> list[dict]:
    """The issue's targets, each met / not met / not measured at this run."""
    by = {s["rows"]: s for s in sizes}

    def check(name, rows, value, ok, shown):
        s = by.get(rows)
        if s is None:
            return {"target": name, "rows": rows, "status": "not measured", "value": None}
        if value is None:
            p = s["plumb"] or {}
            why = p.get("error") or p.get("drag_error") or "no result"
            return {"target": name, "rows": rows, "status": "not met", "value": None, "why": why}
        return {"target": name, "rows": rows, "status": "met" if ok(value) else "not met", "value": shown(value)}

    def plumb(rows, *keys):
        v = by.get(rows, {}).get("plumb") or {}
        for k in keys:
            v = (v or {}).get(k) if isinstance(v, dict) else None
        return v

    def ratio(rows):
        return by.get(rows, {}).get("ratio_peer_over_plumb")

    def drag_cost(rows):
        # The page's main-thread work per frame during the drag (pointer handlers and the
        # animation-frame repaint they schedule); older results only have the per-move update.
        d = plumb(rows, "drag") or {}
        work = (d.get("frame_work_ms") or {}).get("p95")
        return work if work is not None else (d.get("update_ms") or {}).get("p95")

    return [
        check("1M rows ready in under 1 s (median)", 1_000_000, plumb(1_000_000, "load_s", "median"),
              lambda v: v < 1.0, lambda v: f"{v:.2f} s"),
        check("1M rows at least 10x faster than the Python peer", 1_000_000, ratio(1_000_000),
              lambda v: v >= 10.0, lambda v: f"{v:.2f}x"),
        check("10M rows ready in under 10 s", 10_000_000, plumb(10_000_000, "load_s", "median"),
              lambda v: v < 10.0, lambda v: f"{v:.2f} s"),
        check("10M rows: peak WASM memory under 1.5 GB (worker + page)", 10_000_000,
              wasm_total(plumb(10_000_000)),
              lambda v: v < 1.5e9, lambda v: f"{v / GIB:.2f} GiB"),
        check("1M rows: threshold drag under 16 ms a frame (p95 work per frame)", 1_000_000,
              drag_cost(1_000_000), lambda v: v < 16.0, lambda v: f"{v:.2f} ms"),
        check("10M rows: threshold drag under 16 ms a frame (p95 work per frame)", 10_000_000,
              drag_cost(10_000_000), lambda v: v < 16.0, lambda v: f"{v:.2f} ms"),
    ]


def wasm_total(p):
    """The tab's peak WebAssembly memory: the analysis worker's instance (where the rows and
    statistics live) plus the page's (charts and the report). Each is the peak over the runs; a
    result from before the worker existed has only the page's."""
    if not p:
        return None
    parts = [p.get("peak_worker_wasm_memory_bytes"), p.get("peak_wasm_memory_bytes")]
    return None if all(v is None for v in parts) else sum(v or 0 for v in parts)


def fmt_s(v):
    return "—" if v is None else (f"{v:.2f} s" if v >= 0.1 else f"{v * 1e3:.0f} ms")


def fmt_mib(v):
    return "—" if v is None else f"{v / MIB:,.0f} MiB"


def fmt_ms(v):
    return "—" if v is None else f"{v:.1f} ms"


def table(sizes: list[dict]) -> str:
    head = ("| Rows | File | Plumb load→first answer (median) | Complete report (median) "
            "| Reading / finishing / analysing | Python peer (median) | Peer ÷ Plumb "
            "| CPU s Plumb / peer (÷) | Peak WASM memory (worker + page) | Peak renderer RSS "
            "| Drag work per frame median / p95 | Frame interval median / p95 |")
    lines = [head, "|" + "---|" * 12]
    for s in sizes:
        p = s["plumb"] or {}
        d = p.get("drag") or {}
        upd, fr = d.get("frame_work_ms") or d.get("update_ms") or {}, d.get("frame_interval_ms") or {}
        load_s = (p.get("load_s") or {}).get("median")
        if not p.get("ok"):
            load_cell = f"failed: {p.get('error') or 'no result'}"[:80]
        else:
            load_cell = fmt_s(load_s)
        drag_cell = f"{fmt_ms(upd.get('median'))} / {fmt_ms(upd.get('p95'))}" if upd else (
            f"failed: {p.get('drag_error')}"[:60] if p.get("drag_error") else "—")
        complete_cell = fmt_s((p.get("complete_s") or {}).get("median")) if p.get("ok") else "—"
        phases = p.get("phase_s") or {}
        phase_cell = " / ".join(fmt_s((phases.get(k) or {}).get("median"))
                                for k in ("reading", "finishing", "analysing"))
        ratio = s["ratio_peer_over_plumb"]
        ratio_cell = "—" if ratio is None else f"{ratio:.2f}"
        pc = (p.get("renderer_cpu_s") or {}).get("median")
        qc = (s["peer"] or {}).get("cpu_s")
        rc = s["ratio_cpu_peer_over_plumb"]
        cpu_cell = (f"{'—' if pc is None else f'{pc:.1f}'} / {'—' if qc is None else f'{qc:.1f}'}"
                    f" ({'—' if rc is None else f'{rc:.2f}'})")
        lines.append(
            f"| {s['rows']:,} | {s['file_bytes'] / 1e6:.0f} MB | {load_cell} | {complete_cell} "
            f"| {phase_cell} "
            f"| {fmt_s((s['peer'] or {}).get('median_s'))} "
            f"| {ratio_cell} | {cpu_cell} "
            f"| {fmt_mib(p.get('peak_worker_wasm_memory_bytes'))} + {fmt_mib(p.get('peak_wasm_memory_bytes'))} "
            f"| {fmt_mib(p.get('peak_renderer_rss_bytes'))} "
            f"| {drag_cell} | {fmt_ms(fr.get('median')) if fr else '—'} / {fmt_ms(fr.get('p95')) if fr else '—'} |"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--load-start")
    args = ap.parse_args()
    cargo = load(os.path.join(args.run_dir, "cargo.json"))
    sizes = []
    for n in [int(x) for x in args.sizes.split()]:
        plumb = load(os.path.join(args.run_dir, f"browser_{n}.json"))
        if plumb and plumb.get("peak_wasm_memory_bytes") is None:
            # A failed load still tells how much linear memory it had reached.
            seen = [r.get("wasm_memory_bytes") for r in plumb.get("runs", []) if r.get("wasm_memory_bytes")]
            plumb["peak_wasm_memory_bytes"] = max(seen) if seen else None
        if plumb and plumb.get("peak_worker_wasm_memory_bytes") is None:
            seen = [r.get("worker_wasm_memory_bytes") for r in plumb.get("runs", []) if r.get("worker_wasm_memory_bytes")]
            plumb["peak_worker_wasm_memory_bytes"] = max(seen) if seen else None
        peer = load(os.path.join(args.run_dir, f"peer_{n}.json"))
        log = load(os.path.join(args.data_dir, f"log_{n}.json")) or {}
        plumb_s = ((plumb or {}).get("load_s") or {}).get("median")
        peer_s = (peer or {}).get("median_s")
        plumb_cpu = ((plumb or {}).get("renderer_cpu_s") or {}).get("median")
        peer_cpu = (peer or {}).get("cpu_s")
        sizes.append({
            "rows": n,
            "file_bytes": log.get("bytes", 0),
            "file_sha256": log.get("sha256"),
            "plumb": plumb,
            # The first answer (`load_s`, status ready) and the complete report (`complete_s`),
            # and the worker's phases before the first answer, medians in seconds.
            "load_s": plumb_s,
            "complete_s": ((plumb or {}).get("complete_s") or {}).get("median"),
            "phase_s": {k: (v or {}).get("median") for k, v in ((plumb or {}).get("phase_s") or {}).items()},
            "peer": peer,
            "ratio_peer_over_plumb": (peer_s / plumb_s) if plumb_s and peer_s else None,
            "ratio_cpu_peer_over_plumb": (peer_cpu / plumb_cpu) if plumb_cpu and peer_cpu else None,
            "native_bytes_to_report_s": cargo_bytes_to_report(cargo, n),
            "same_data": agreement(plumb, peer),
        })
    result = {
        "schema": "plumb.browser-bench/v1",
        "unix_time": int(time.time()),
        "machine": machine(args.load_start),
        "sizes": sizes,
        "targets": targets(sizes),
        "cargo_bench": "cargo.json in the run directory" if cargo else None,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(table(sizes))
    print()
    for t in result["targets"]:
        extra = f" ({t['value']})" if t.get("value") else (f" ({t['why']})" if t.get("why") else "")
        print(f"  [{t['status']}] {t['target']}{extra}")
    for s in sizes:
        agree = s["same_data"] or {}
        if agree:
            worst = max(v["abs_diff"] for k, v in agree.items() if k != "n") if len(agree) > 1 else 0.0
            n_ok = agree.get("n", {}).get("abs_diff") == 0
            print(f"  same data at {s['rows']:,} rows: rows {'equal' if n_ok else 'DIFFER'}, "
                  f"largest |Plumb − peer| over AUC, AP, Brier, log loss = {worst:.2e}")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
