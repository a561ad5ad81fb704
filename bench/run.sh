#!/usr/bin/env bash
# The whole benchmark (issue #9): `make bench` runs this. Not part of `make test`.
#
#   bench/run.sh                              # 100k, 1M and 10M rows (long)
#   BENCH_SIZES=100000 bench/run.sh           # quick
#
# Settings (environment):
#   BENCH_SIZES   row counts, space-separated (default "100000 1000000 10000000")
#   BENCH_REPS    repetitions per size for the browser and the peer (default 3 below 10M, 1 from 10M)
#   BENCH_CARGO   1 to run `cargo bench --bench core` at the same sizes first (default 1)
#   BENCH_OUT     where the joined result goes (default bench/results.json)
#   BENCH_TIMEOUT seconds a browser load may take before the size is reported as failed
#                 (default 120 + 360 per million rows)
#   CHROMIUM      the browser (default /usr/bin/chromium)
#
# Steps: build dist/ with `trunk build --release` when it is missing or older than the sources;
# `npm ci` in tests/e2e when playwright-core is missing; `pip install -r bench/requirements.txt`
# when NumPy, pandas, scikit-learn or SciPy is missing; optionally cargo bench; then per size:
# generate the log (bench/make_logs.py, cached in bench/data/), the browser bench
# (bench/browser.mjs), the Python peer (bench/python_peer.py); finally bench/summarize.py prints
# the table and writes BENCH_OUT. A size that fails is recorded as failed and the run goes on.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${BENCH_SIZES:-"100000 1000000 10000000"}
OUT=${BENCH_OUT:-bench/results.json}
RUN=bench/.run
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$RUN"
mkdir -p "$RUN"

for n in $SIZES; do
  [[ $n =~ ^[0-9]+$ && $n -ge 2 ]] || { echo "bench: BENCH_SIZES entry '$n' is not a row count >= 2" >&2; exit 2; }
done

stale=0
if [[ ! -f dist/index.html ]]; then
  stale=1
elif [[ -n $(find src public style Cargo.toml Cargo.lock Trunk.toml -newer dist/index.html -type f -print -quit) ]]; then
  stale=1
fi
if [[ $stale == 1 ]]; then
  echo "bench: building dist/ (trunk build --release)" >&2
  trunk build --release
fi
if [[ ! -d tests/e2e/node_modules/playwright-core ]]; then
  (cd tests/e2e && npm ci)
fi
# The log generator and the Python peer need NumPy, pandas, scikit-learn and SciPy; a fresh
# machine has Python and pip only.
if ! python3 -c 'import numpy, pandas, sklearn, scipy' 2>/dev/null; then
  echo "bench: installing the Python peer's packages (bench/requirements.txt)" >&2
  python3 -m pip install --quiet -r bench/requirements.txt
fi

if [[ ${BENCH_CARGO:-1} == 1 ]]; then
  echo "bench: cargo bench --bench core at ${SIZES}" >&2
  PLUMB_BENCH_SIZES=$(echo "$SIZES" | tr -s ' ' ',') PLUMB_BENCH_OUT="$PWD/$RUN/cargo.json" \
    cargo bench --bench core
fi

for n in $SIZES; do
  python3 bench/make_logs.py "$n"
  if [[ -n ${BENCH_REPS:-} ]]; then reps=$BENCH_REPS; elif (( n >= 10000000 )); then reps=1; else reps=3; fi
  timeout_args=()
  [[ -n ${BENCH_TIMEOUT:-} ]] && timeout_args=(--timeout "$BENCH_TIMEOUT")
  echo "bench: ${n} rows in Chromium (${reps} runs)" >&2
  node bench/browser.mjs --file "bench/data/log_${n}.csv" --rows "$n" --reps "$reps" \
    "${timeout_args[@]}" --screenshot "$RUN/drag_${n}.png" --out "$RUN/browser_${n}.json" \
    || echo "bench: the browser bench at ${n} rows did not finish; recorded as missing" >&2
  echo "bench: ${n} rows, Python peer (${reps} runs)" >&2
  python3 bench/python_peer.py "bench/data/log_${n}.csv" --reps "$reps" --json "$RUN/peer_${n}.json" \
    || echo "bench: the Python peer at ${n} rows failed; recorded as missing" >&2
done

python3 bench/summarize.py --run-dir "$RUN" --sizes "$SIZES" --out "$OUT" --load-start "$LOAD_START"
