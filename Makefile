# Plumb — the two commands a person needs are `make serve` and `make test`.
# Each installs what is missing first (scripts/setup.sh), skipping what is present.

SHELL := /bin/bash
CARGO ?= cargo
PORT ?= 8080

.PHONY: serve test test-native test-e2e build dist setup setup-test bench bench-native fuzz fixtures demo lint clean

## make serve: install what is missing, build, and serve the workbench on http://127.0.0.1:8080
serve: setup
	trunk serve --release --address 127.0.0.1 --port $(PORT)

## make test: install what tests need, then native tests and the browser suite on a release build
test: setup-test test-native dist test-e2e

setup:
	scripts/setup.sh build

setup-test:
	scripts/setup.sh test

# Property tests run from a fixed seed in CI so a run is reproducible; `make test-native
# PROPTEST_RNG_SEED=random` (any non-number) explores fresh cases.
PROPTEST_RNG_SEED ?= 20261127
test-native:
	PROPTEST_RNG_SEED=$(PROPTEST_RNG_SEED) $(CARGO) test --locked

## make dist: the static site in dist/, working from any sub-path of any static host
dist: setup
	trunk build --release
	@du -sh dist

test-e2e:
	cd tests/e2e && node --test --test-concurrency=1 --test-reporter=spec

## make bench: benchmarks (not part of make test): cargo bench, then the browser benchmark
## against the Python peer at BENCH_SIZES (see docs/benchmarks.md); `make bench
## BENCH_SIZES=100000` is a quick run. Writes bench/results.json.
BENCH_SIZES ?= 100000 1000000 10000000
bench:
	BENCH_SIZES="$(BENCH_SIZES)" bench/run.sh

## make bench-native: only the native statistics benchmark (cargo bench)
bench-native:
	$(CARGO) bench

## make fuzz: each cargo-fuzz target (fuzz/) for FUZZ_SECONDS (not part of make test).
## cargo-fuzz's sanitizer flags are nightly features; RUSTC_BOOTSTRAP=1 lets stable rustc take
## them. The committed seeds (fuzz/corpus/<target>/; `analyze` starts from ingest's) are read, new inputs go to fuzz/work/, and a
## crash or a 10 s hang stops the run with the input saved in fuzz/artifacts/<target>/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= ingest analyze share columnar
# Fuzz builds (sanitizer flags) kept apart from the main build's artifacts.
FUZZ_TARGET_DIR ?= $(if $(CARGO_TARGET_DIR),$(CARGO_TARGET_DIR)/fuzz,target)
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  seeds=corpus/$$t; if [ $$t = analyze ]; then seeds=corpus/ingest; fi; \
	  mkdir -p work/$$t && \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --target-dir $(FUZZ_TARGET_DIR) $$t work/$$t $$seeds -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -max_len=16384 -print_final_stats=1 || exit 1; \
	done

## regenerate the committed fixture logs and the demo log (stdlib Python, fixed seeds)
fixtures:
	python3 tests/fixtures/make_logs.py
demo:
	python3 scripts/make_demo.py

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf dist
