#!/usr/bin/env python3
"""The Python peer pipeline of issue #9, timed on a benchmark log.

    python3 bench/python_peer.py bench/data/log_1000000.csv [--reps 3] [--json out.json]

One repetition is, in order and all on the same file:

1. ``pandas.read_csv(path)`` (default C engine, dtypes inferred);
2. on ``score`` and ``label`` (all rows): scikit-learn ``roc_auc_score``,
   ``average_precision_score``, ``brier_score_loss``, ``log_loss``,
   ``calibration_curve(n_bins=10, strategy="uniform")`` and ``strategy="quantile"``,
   ``roc_curve`` and ``precision_recall_curve``;
3. for every numeric column except the label (``score`` and ``x1``…``x6``), SciPy ``ks_2samp``
   and ``wasserstein_distance`` between the first ⌊N/2⌋ rows and the rest.

The time of a repetition is wall-clock (``time.perf_counter``) from before ``read_csv`` to after
the last statistic; the stage times are reported too, and the process's CPU time
(``time.process_time``, all threads), which on a shared machine says more than the wall time.  Each repetition starts from the file
(the OS page cache is warm after the first one, as it is for the browser, which reads the file
from the same disk).  The median over the repetitions is the figure the benchmark compares
with.  The results of the first repetition (AUC, ECE-free summaries, KS statistics) are kept
so a reader can check that both tools analysed the same data.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)


def run_once(path: str) -> tuple[dict, dict]:
    """One timed repetition: (stage seconds, results)."""
    stages: dict[str, float] = {}
    c0 = time.process_time()
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    t1 = time.perf_counter()
    stages["read_csv"] = t1 - t0

    y = df["label"].to_numpy()
    s = df["score"].to_numpy()
    res: dict = {"rows": int(len(df))}
    res["roc_auc"] = float(roc_auc_score(y, s))
    res["average_precision"] = float(average_precision_score(y, s))
    res["brier"] = float(brier_score_loss(y, s))
    res["log_loss"] = float(log_loss(y, s))
    pu, _ = calibration_curve(y, s, n_bins=10, strategy="uniform")
    pq, _ = calibration_curve(y, s, n_bins=10, strategy="quantile")
    fpr, _, _ = roc_curve(y, s)
    prec, _, _ = precision_recall_curve(y, s)
    res["calibration_bins"] = {"uniform": int(len(pu)), "quantile": int(len(pq))}
    res["roc_points"] = int(len(fpr))
    res["pr_points"] = int(len(prec))
    t2 = time.perf_counter()
    stages["sklearn_metrics"] = t2 - t1

    half = len(df) // 2
    numeric = [c for c in df.select_dtypes(include="number").columns if c != "label"]
    drift = {}
    for c in numeric:
        col = df[c].to_numpy()
        a, b = col[:half], col[half:]
        ks = ks_2samp(a, b)
        w = wasserstein_distance(a, b)
        drift[c] = {"ks": float(ks.statistic), "ks_p": float(ks.pvalue), "wasserstein": float(w)}
    res["drift"] = drift
    t3 = time.perf_counter()
    stages["scipy_drift"] = t3 - t2
    stages["total"] = t3 - t0
    stages["cpu"] = time.process_time() - c0
    return stages, res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", help="write the result here (else print it)")
    args = ap.parse_args()
    samples = []
    results = None
    for _ in range(max(1, args.reps)):
        stages, res = run_once(args.path)
        samples.append(stages)
        results = results or res
        print(f"python peer: {stages['total']:.3f} s (read_csv {stages['read_csv']:.3f} s, "
              f"sklearn {stages['sklearn_metrics']:.3f} s, scipy {stages['scipy_drift']:.3f} s)",
              file=sys.stderr)
    out = {
        "file": args.path,
        "reps": len(samples),
        "median_s": statistics.median(x["total"] for x in samples),
        "stages_median_s": {k: statistics.median(x[k] for x in samples) for k in samples[0]},
        "samples_s": [x["total"] for x in samples],
        "cpu_s": statistics.median(x["cpu"] for x in samples),
        "results": results,
        "versions": {"python": platform.python_version(), "numpy": np.__version__,
                     "pandas": pd.__version__, "scikit-learn": sklearn.__version__,
                     "scipy": scipy.__version__},
    }
    text = json.dumps(out, indent=2)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
