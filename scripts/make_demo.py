"""Generate public/demo.csv: the bundled demo prediction log (stdlib only, fixed seed).

A fraud-style model scored over 60 days. The log has, on purpose:
- a calibration problem throughout (the model is over-confident: its logit is 1.35x the truth's);
- data drift from day 30, when model v4 goes live: `amount` grows and the `partner` channel
  appears in force, and the base rate rises (prior shift);
- a handful of rows a careful tool must exclude and count (missing label, a score of "n/a").
Run: python3 scripts/make_demo.py
"""
import csv
import math
import os
import random
from datetime import datetime, timedelta, timezone

SEED = 7
N = 20000
DAYS = 60
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "public", "demo.csv")


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def main():
    rng = random.Random(SEED)
    t0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
    rows = []
    for i in range(N):
        ts = t0 + timedelta(seconds=DAYS * 86400 * i / N + rng.random() * 30)
        late = i >= N // 2
        channel = rng.choices(["web", "app", "partner"], [0.55, 0.35, 0.10] if not late else [0.40, 0.30, 0.30])[0]
        region = rng.choices(["north", "south", "east", "west"], [0.3, 0.3, 0.2, 0.2])[0]
        amount = math.exp(rng.gauss(4.0 if not late else 4.4, 0.8))
        tenure = max(0.0, rng.gauss(700, 400))
        prev = min(8, int(rng.expovariate(1.2)))
        age = max(18, min(90, int(rng.gauss(42, 13))))
        z = (-3.0 + 0.55 * (math.log(amount) - 4.0) - 0.0012 * (tenure - 700) + 0.45 * prev
             + (0.6 if channel == "partner" else 0.0) + rng.gauss(0, 0.6))
        prior_shift = 0.35 if late else 0.0
        label = 1 if rng.random() < sigmoid(z + prior_shift) else 0
        score = sigmoid(1.35 * z + 0.4)
        version = "v3" if not late else "v4"
        decision = 1 if score >= 0.5 else 0
        rows.append([f"p{i:06d}", ts.strftime("%Y-%m-%dT%H:%M:%SZ"), version, f"{score:.6f}", label,
                     decision, channel, region, f"{amount:.2f}", f"{tenure:.0f}", prev, age])
    # A few rows a careful tool must exclude and count.
    for j in (137, 4242, 15001):
        rows[j][4] = ""
    for j in (999, 12345):
        rows[j][3] = "n/a"
    with open(OUT, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["prediction_id", "timestamp", "model_version", "score", "label", "decision",
                    "channel", "region", "amount", "tenure_days", "prev_claims", "age"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
