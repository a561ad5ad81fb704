//! `cargo bench --bench core`: throughput of every statistics family of `plumb::core` at
//! 1 million and 10 million rows, each reported as rows per second and as a ratio against a
//! peer measured in the same run (see `docs/benchmarks.md`).
//!
//! A plain `fn main` (`harness = false`, no criterion): for each size the data are generated
//! from a fixed seed (SplitMix64, `common::rng`), each family is timed `reps` times with
//! `std::time::Instant` and its median kept (`common::timing`). The peers — "mean + one sort"
//! of the scores for the statistics, the `csv` crate's `ByteRecord` reader into `f64` columns
//! for ingest — are timed before and after the families, and the median of all their samples
//! is the divisor, so a load change during the run moves peer and family alike.
//!
//! Environment: `PLUMB_BENCH_SIZES=100000,1000000` (default `1000000,10000000`),
//! `PLUMB_BENCH_REPS` (at most; default 5 up to 1M rows, 3 above; no repetition starts after
//! a family has used `timing::BUDGET_SECONDS`), `PLUMB_BENCH_OUT` (default
//! `target/bench-results/core.json` under the crate). Arguments that do not start with `-`
//! are filters: only families whose "group name" contains one of them run.
//!
//! Started without `--bench` (by `cargo test --benches` or `--all-targets`, a debug build) it
//! is a smoke test instead: 2000 rows, one repetition, every family and every sanity check run,
//! no JSON written — so those commands stay fast and still fail if a family breaks.

mod common;

use common::data::{self, CSV_NUMERIC, Data};
use common::output;
use common::peers;
use common::rng;
use common::timing::{Bench, Peer, measure};
use plumb::core::analysis::{self, Request};
use plumb::core::ingest::{self, TableBuilder};
use plumb::core::metrics::recalibrate::{self, Method};
use plumb::core::metrics::{calibration, drift, label_shift, ranking, smooth, sort, threshold};
use plumb::core::report::{BinStrategy, IntervalMethod, Settings, WindowSpec};
use plumb::core::schema;
use plumb::core::{quality, segments};
use serde_json::json;
use std::hint::black_box as bb;
use std::process::ExitCode;

/// Seed of the in-memory columns; the CSV uses the next one.
const SEED: u64 = 0x5EED_2024_0001;
/// Chunk size fed to `TableBuilder::push`, as the browser reads a `Blob`.
const CHUNK: usize = 1 << 20;
/// Queries timed together per repetition for per-call families.
const CALLS: u64 = 1 << 18;
/// Rows of the smoke test run by `cargo test --benches`.
const SMOKE_ROWS: usize = 2000;
/// Calls per repetition for queries over reliability bins (slower per call than a threshold).
const BIN_CALLS: u64 = 1 << 12;

/// Run settings from the environment and the command line.
struct Config {
    sizes: Vec<usize>,
    reps: Option<usize>,
    /// Where the JSON goes; `None` in smoke-test mode unless `PLUMB_BENCH_OUT` is set.
    out: Option<std::path::PathBuf>,
    filters: Vec<String>,
}

impl Config {
    fn from_env() -> Result<Self, String> {
        // `cargo bench` passes `--bench`. Without it the binary was started by
        // `cargo test --benches` / `--all-targets` (a debug build): run once on a small size as
        // a smoke test of every family and sanity check, and keep the last JSON results.
        let smoke = !std::env::args().any(|a| a == "--bench");
        let sizes = match std::env::var("PLUMB_BENCH_SIZES") {
            Ok(text) => text
                .split(',')
                .map(|s| s.trim().replace('_', ""))
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<usize>()
                        .ok()
                        .filter(|&n| n >= 2)
                        .ok_or(format!("PLUMB_BENCH_SIZES: {s:?} is not a size ≥ 2"))
                })
                .collect::<Result<Vec<_>, _>>()?,
            Err(_) if smoke => vec![SMOKE_ROWS],
            Err(_) => vec![1_000_000, 10_000_000],
        };
        let reps = match std::env::var("PLUMB_BENCH_REPS") {
            Ok(text) => Some(
                text.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&r| r >= 1)
                    .ok_or(format!("PLUMB_BENCH_REPS: {text:?} is not a count ≥ 1"))?,
            ),
            Err(_) if smoke => Some(1),
            Err(_) => None,
        };
        let out = match std::env::var_os("PLUMB_BENCH_OUT") {
            Some(path) => Some(std::path::PathBuf::from(path)),
            None if smoke => None,
            None => Some(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("target/bench-results/core.json"),
            ),
        };
        // `cargo bench` passes `--bench`; anything else not starting with '-' is a filter.
        let filters = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        Ok(Self {
            sizes,
            reps,
            out,
            filters,
        })
    }

    fn reps_for(&self, n: usize) -> usize {
        self.reps.unwrap_or(if n <= 1_000_000 { 5 } else { 3 })
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    rng::self_check()?;
    data::self_check()?;
    let config = Config::from_env()?;
    if cfg!(debug_assertions) {
        eprintln!("warning: built without optimisations; run `cargo bench` for real figures");
    }
    let mut sizes = Vec::new();
    for &n in &config.sizes {
        let started = std::time::Instant::now();
        let data = Data::generate(n, SEED);
        let csv = data::csv_bytes(n, SEED + 1);
        eprintln!(
            "rows = {n}: generated {} MiB of CSV and the columns in {:.1} s",
            csv.len() >> 20,
            started.elapsed().as_secs_f64()
        );
        let mut bench = Bench::new(n as u64, config.reps_for(n), config.filters.clone());
        time_peers(&mut bench, &data, &csv)?;
        ingest_families(&mut bench, &csv)?;
        calibration_families(&mut bench, &data)?;
        smooth_families(&mut bench, &data)?;
        ranking_families(&mut bench, &data)?;
        drift_families(&mut bench, &data)?;
        label_shift_families(&mut bench, &data)?;
        recalibrate_families(&mut bench, &data)?;
        quality_and_segment_families(&mut bench, &data)?;
        analysis_families(&mut bench, &csv)?;
        time_peers(&mut bench, &data, &csv)?;
        output::print_table(&bench);
        sizes.push(output::size_json(&bench));
    }
    write_json(&config, sizes)
}

/// Times both peers once more (they are timed before and after the families).
fn time_peers(bench: &mut Bench, data: &Data, csv: &[u8]) -> Result<(), String> {
    let (samples, _) = measure(bench.reps, || peers::mean_and_sort(bb(&data.scores)))?;
    bench.sort_peer.extend(samples);
    let (samples, columns) = measure(bench.reps, || {
        peers::csv_numeric_columns(bb(csv), &CSV_NUMERIC)
    })?;
    check(
        columns.first().map(Vec::len) == Some(bench.rows as usize),
        "csv peer read every row",
    )?;
    bench.csv_peer.extend(samples);
    Ok(())
}

/// Fails the run with `what` when a sanity check on a result does not hold, so a family can
/// never be timed on an error path without anyone noticing.
fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("sanity check failed: {what}"))
    }
}

/// Bytes → typed table, whole and in 1 MiB chunks; then column roles and row preparation.
fn ingest_families(bench: &mut Bench, csv: &[u8]) -> Result<(), String> {
    let n = bench.rows as usize;
    if let Some(table) = bench.run("ingest", "read_table", Peer::Csv, || {
        ingest::read_table(bb(csv)).map_err(|e| e.to_string())
    })? {
        check(
            table.n_rows == n && table.columns.len() == 12,
            "read_table shape",
        )?;
    }
    if let Some(table) = bench.run("ingest", "TableBuilder (1 MiB chunks)", Peer::Csv, || {
        let mut builder = TableBuilder::new();
        for chunk in bb(csv).chunks(CHUNK) {
            builder.push(chunk).map_err(|e| e.to_string())?;
        }
        builder.finish().map_err(|e| e.to_string())
    })? {
        check(table.n_rows == n, "TableBuilder row count")?;
    }
    let table = ingest::read_table(csv).map_err(|e| e.to_string())?;
    let mut mapping = None;
    if let Some(m) = bench.run("schema", "detect_mapping", Peer::Sort, || {
        Ok(schema::detect_mapping(bb(&table)))
    })? {
        mapping = Some(m);
    }
    let mapping = mapping.unwrap_or_else(|| schema::detect_mapping(&table));
    check(
        mapping.score.as_deref() == Some("score") && mapping.label.as_deref() == Some("label"),
        "detect_mapping found score and label",
    )?;
    if let Some(prepared) = bench.run("schema", "prepare", Peer::Sort, || {
        schema::prepare(bb(&table), bb(&mapping)).map_err(|e| e.to_string())
    })? {
        check(prepared.scores.len() == n, "prepare used every row")?;
    }
    Ok(())
}

/// Binned calibration, proper scores, logistic recalibration and the calibration tests.
fn calibration_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let (scores, labels) = (&data.scores, &data.labels);
    let err = |e: calibration::InputError| e.to_string();
    for (name, strategy) in [
        ("reliability_bins (10 uniform)", BinStrategy::Uniform),
        ("reliability_bins (10 quantile)", BinStrategy::Quantile),
    ] {
        if let Some(bins) = bench.run("calibration", name, Peer::Sort, || {
            calibration::reliability_bins(
                bb(scores),
                bb(labels),
                10,
                strategy,
                IntervalMethod::ClopperPearson,
                0.95,
            )
            .map_err(err)
        })? {
            check(
                bins.iter().map(|b| b.count).sum::<u64>() == bench.rows,
                "bins hold every row",
            )?;
        }
    }
    let bins = calibration::reliability_bins(
        scores,
        labels,
        10,
        BinStrategy::Uniform,
        IntervalMethod::ClopperPearson,
        0.95,
    )
    .map_err(err)?;
    // O(bins), independent of the rows: timed per call, like a query.
    if let Some(e) = bench.run_per_call(
        "calibration",
        "calibration_errors (from 10 bins)",
        BIN_CALLS,
        || {
            let mut last = None;
            for _ in 0..BIN_CALLS {
                last = bb(calibration::calibration_errors(bb(&bins)));
            }
            last.ok_or("no ECE".to_string())
        },
    )? {
        check(e.ece > 0.0 && e.ece < 0.5, "ECE of the synthetic model")?;
        bench.annotate(format!("ece={:.6}", e.ece));
    }
    bench.run("calibration", "brier_score", Peer::Sort, || {
        calibration::brier_score(bb(scores), bb(labels))
            .map_err(err)?
            .ok_or("no Brier".to_string())
    })?;
    bench.run("calibration", "log_loss", Peer::Sort, || {
        calibration::log_loss(bb(scores), bb(labels), calibration::SKLEARN_LOG_LOSS_EPS)
            .map_err(err)?
            .ok_or("no log loss".to_string())
    })?;
    if let Some(fit) = bench.run("calibration", "logistic_calibration", Peer::Sort, || {
        calibration::logistic_calibration(bb(scores), bb(labels))
            .map_err(err)?
            .ok_or("no logistic fit".to_string())
    })? {
        check(fit.slope > 0.5 && fit.slope < 2.0, "calibration slope")?;
        bench.annotate(format!(
            "slope={:.6} iterations={}",
            fit.slope, fit.iterations
        ));
    }
    bench.run(
        "calibration",
        "hosmer_lemeshow (10 groups)",
        Peer::Sort,
        || {
            calibration::hosmer_lemeshow(bb(scores), bb(labels), 10)
                .map_err(err)?
                .ok_or("no HL".to_string())
        },
    )?;
    bench.run("calibration", "spiegelhalter", Peer::Sort, || {
        calibration::spiegelhalter(bb(scores), bb(labels))
            .map_err(err)?
            .ok_or("no Spiegelhalter".to_string())
    })?;
    Ok(())
}

/// Kernel-smoothed calibration (relplot's smooth ECE with its bandwidth search).
fn smooth_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let (scores, labels) = (&data.scores, &data.labels);
    if let Some(e) = bench.run("smooth", "smooth_ece", Peer::Sort, || {
        smooth::smooth_ece(bb(scores), bb(labels)).ok_or("no smooth ECE".to_string())
    })? {
        check(e.value > 0.0 && e.sigma > 0.0, "smooth ECE and bandwidth")?;
        bench.annotate(format!("smece={:.6} sigma={}", e.value, e.sigma));
    }
    Ok(())
}

/// Discrimination and thresholds: one sort into a `RankSummary`, then O(distinct) summaries.
fn ranking_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let (scores, labels) = (&data.scores, &data.labels);
    let summary = ranking::RankSummary::new(scores, labels).map_err(|e| e.to_string())?;
    bench.run("ranking", "RankSummary::new", Peer::Sort, || {
        ranking::RankSummary::new(bb(scores), bb(labels)).map_err(|e| e.to_string())
    })?;
    // The radix sort every ordered statistic uses, against the peer's comparison sort.
    if let Some(first) = bench.run(
        "ranking",
        "sort::sort_ascending (radix)",
        Peer::Sort,
        || {
            let mut v = bb(scores).clone();
            sort::sort_ascending(&mut v);
            Ok::<_, String>(v.first().copied().unwrap_or(f64::NAN))
        },
    )? {
        let min = scores.iter().copied().fold(f64::INFINITY, f64::min);
        check(first == min, "radix sort puts the minimum first")?;
    }
    if let Some(auc) = bench.run("ranking", "roc_auc (from summary)", Peer::Sort, || {
        bb(&summary).roc_auc().ok_or("no AUC".to_string())
    })? {
        check((0.7..0.95).contains(&auc), "AUC of the synthetic model")?;
        bench.annotate(format!("auc={auc:.6}"));
    }
    bench.run(
        "ranking",
        "average_precision (from summary)",
        Peer::Sort,
        || bb(&summary).average_precision().ok_or("no AP".to_string()),
    )?;
    if let Some(d) = bench.run("ranking", "delong (from slices)", Peer::Sort, || {
        ranking::delong(bb(scores), bb(labels))
            .map_err(|e| e.to_string())?
            .ok_or("no DeLong".to_string())
    })? {
        let bound = 2.0 / (bench.rows as f64).sqrt();
        check(
            d.std_error > 0.0 && d.std_error < bound,
            "DeLong standard error",
        )?;
    }
    bench.run("threshold", "Sweep::from_summary", Peer::Sort, || {
        Ok(threshold::Sweep::from_summary(bb(&summary)))
    })?;
    let sweep = threshold::Sweep::from_summary(&summary);
    let mut draws = rng::SplitMix64::new(SEED ^ 0xA7);
    let thresholds: Vec<f64> = (0..4096).map(|_| draws.uniform()).collect();
    if let Some(total) = bench.run_per_call("threshold", "at_threshold", CALLS, || {
        let mut total = 0u64;
        for i in 0..CALLS as usize {
            let t = thresholds[i % thresholds.len()];
            total += bb(threshold::at_threshold(bb(&sweep), t)).tp;
        }
        Ok(total)
    })? {
        check(total > 0, "at_threshold counted positives")?;
    }
    Ok(())
}

/// Drift of the scores (reference half vs. shifted current half) and of a categorical column.
fn drift_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let n = bench.rows as usize;
    let half = n / 2;
    let (reference, current) = (&data.scores[..half], &data.current[..n - half]);
    if let Some(ks) = bench.run("drift", "ks_2samp", Peer::Sort, || {
        drift::ks_2samp(bb(reference), bb(current)).ok_or("no KS".to_string())
    })? {
        check(ks.statistic > 0.05, "KS sees the shift")?;
    }
    if let Some(psi) = bench.run("drift", "psi (10 quantile bins)", Peer::Sort, || {
        drift::psi(
            bb(reference),
            bb(current),
            drift::DEFAULT_BINS,
            drift::DEFAULT_FLOOR,
        )
        .ok_or("no PSI".to_string())
    })? {
        check(psi > 0.01, "PSI sees the shift")?;
    }
    if let Some(w) = bench.run("drift", "wasserstein", Peer::Sort, || {
        drift::wasserstein(bb(reference), bb(current)).ok_or("no W1".to_string())
    })? {
        check(w > 0.0, "W1 sees the shift")?;
    }
    let (ref_cat, cur_cat) = (&data.ref_countries[..half], &data.cur_countries[..n - half]);
    if let Some(chi2) = bench.run(
        "drift",
        "categorical_distribution + chi2_contingency",
        Peer::Sort,
        || {
            let counts =
                drift::categorical_distribution(bb(ref_cat), bb(cur_cat), drift::DEFAULT_TOP_K);
            let table = vec![counts.reference, counts.current];
            drift::chi2_contingency(&table).ok_or("no chi2".to_string())
        },
    )? {
        check(chi2.dof == 11, "chi2 over 12 countries")?;
    }
    Ok(())
}

/// Prior estimation on an unlabelled window.
fn label_shift_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let n = bench.rows as usize;
    let half = n / 2;
    if let Some(em) = bench.run("label_shift", "em_prior", Peer::Sort, || {
        label_shift::em_prior(
            bb(&data.current),
            data.prior,
            label_shift::DEFAULT_EM_MAX_ITER,
            label_shift::DEFAULT_EM_TOL,
        )
        .ok_or("no EM prior".to_string())
    })? {
        check(
            em.converged && em.prior > data.prior,
            "EM sees the prior rise",
        )?;
        bench.annotate(format!("iterations={}", em.iterations));
    }
    if let Some(b) = bench.run("label_shift", "bbse_prior", Peer::Sort, || {
        label_shift::bbse_prior(
            bb(&data.scores[..half]),
            bb(&data.labels[..half]),
            bb(&data.current[..n - half]),
            0.5,
        )
        .ok_or("no BBSE prior".to_string())
    })? {
        check(b.prior > 0.0 && b.prior < 1.0, "BBSE prior in (0, 1)")?;
    }
    Ok(())
}

/// Fitting each recalibration map on all rows, and applying one to all rows.
fn recalibrate_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let (scores, labels) = (&data.scores, &data.labels);
    let methods: [(&str, Method); 7] = [
        (
            "fit platt",
            Method::Platt {
                smooth_targets: false,
            },
        ),
        ("fit platt_logit", Method::PlattLogit),
        ("fit isotonic", Method::Isotonic),
        ("fit temperature", Method::Temperature),
        ("fit beta", Method::Beta),
        (
            "fit histogram (10 uniform)",
            Method::Histogram {
                bins: 10,
                strategy: BinStrategy::Uniform,
            },
        ),
        (
            "fit histogram (10 quantile)",
            Method::Histogram {
                bins: 10,
                strategy: BinStrategy::Quantile,
            },
        ),
    ];
    for (name, method) in &methods {
        bench.run("recalibrate", name, Peer::Sort, || {
            recalibrate::fit(bb(method), bb(scores), bb(labels)).map_err(|e| e.to_string())
        })?;
    }
    let isotonic =
        recalibrate::fit(&Method::Isotonic, scores, labels).map_err(|e| e.to_string())?;
    if let Some(mapped) = bench.run("recalibrate", "apply_all (isotonic)", Peer::Sort, || {
        Ok(bb(&isotonic).apply_all(bb(scores)))
    })? {
        check(
            mapped.iter().all(|p| (0.0..=1.0).contains(p)),
            "isotonic maps into [0, 1]",
        )?;
    }
    Ok(())
}

/// Data-quality checks and per-segment calibration/discrimination.
fn quality_and_segment_families(bench: &mut Bench, data: &Data) -> Result<(), String> {
    let n = data.scores.len();
    let labels: Vec<Option<u8>> = data.labels.iter().map(|&y| Some(y)).collect();
    let timestamps: Vec<f64> = (0..n).map(|i| 1.7e9 + 3.0 * i as f64).collect();
    let mut draws = rng::SplitMix64::new(SEED ^ 0x1D);
    let ids: Vec<u64> = (0..n).map(|_| draws.next_u64()).collect();
    let mut input = quality::QualityInput::new(&data.scores, &labels);
    input.timestamps = Some(&timestamps);
    input.ids = Some(&ids);
    if let Some(report) = bench.run("quality", "run_checks (no reference)", Peer::Sort, || {
        quality::run_checks(bb(&input), None).map_err(|e| e.to_string())
    })? {
        check(!report.checks.is_empty(), "quality checks ran")?;
    }
    let (codes, names) = segments::encode(&data.ref_countries);
    if let Some(report) = bench.run(
        "segments",
        "segment_report (12 segments)",
        Peer::Sort,
        || {
            segments::segment_report(bb(&data.scores), bb(&data.labels), bb(&codes), &names, 0.95)
                .map_err(|e| e.to_string())
        },
    )? {
        check(report.segments.len() == 12, "one entry per country")?;
    }
    Ok(())
}

/// The whole pipeline as the browser and CLI run it.
fn analysis_families(bench: &mut Bench, csv: &[u8]) -> Result<(), String> {
    let settings = Settings::default();
    if let Some(report) = bench.run(
        "analysis",
        "bytes → report (load+detect+analyze_single)",
        Peer::Csv,
        || {
            let file = analysis::load_file("bench.csv", bb(csv)).map_err(|e| e.to_string())?;
            let mapping = analysis::detect_mapping(&file);
            analysis::analyze_single(&file, &mapping, &settings, "plumb-bench")
                .map_err(|e| e.to_string())
        },
    )? {
        check(report.windows.all.is_some(), "report has the `all` window")?;
    }
    let file = analysis::load_file("bench.csv", csv).map_err(|e| e.to_string())?;
    let mapping = analysis::detect_mapping(&file);
    bench.run(
        "analysis",
        "analyze_single (loaded file)",
        Peer::Sort,
        || {
            analysis::analyze_single(bb(&file), bb(&mapping), &settings, "plumb-bench")
                .map_err(|e| e.to_string())
        },
    )?;
    // The browser's two passes: a first answer, then the complete report, computed from
    // scratch or (as the worker does) from the first pass (`analysis::analyze_staged`).
    let request = |depth| Request {
        reference: &file,
        current: None,
        mapping: &mapping,
        settings: &settings,
        window: WindowSpec::All,
        now: None,
        depth,
    };
    // The first answer alone (the worker's first pass, `examples/first_pass.rs` profiles it).
    if let Some(first) = bench.run("analysis", "first pass (Depth::First)", Peer::Sort, || {
        analysis::analyze_staged(bb(&request(analysis::Depth::First)), "plumb-bench", None)
            .map_err(|e| e.to_string())
    })? {
        check(
            !first.report.pending.is_empty() && first.first.is_some(),
            "the first pass leaves the complete pass its rows",
        )?;
    }
    for (name, staged) in [
        ("first pass, then complete pass from scratch", false),
        ("first pass, then complete pass from the first", true),
    ] {
        if let Some(report) = bench.run("analysis", name, Peer::Sort, || {
            let first =
                analysis::analyze_staged(bb(&request(analysis::Depth::First)), "plumb-bench", None)
                    .map_err(|e| e.to_string())?;
            let prior = if staged { first.first } else { None };
            analysis::analyze_staged(
                bb(&request(analysis::Depth::Complete)),
                "plumb-bench",
                prior,
            )
            .map_err(|e| e.to_string())
        })? {
            check(
                report.report.pending.is_empty() && report.report.windows.all.is_some(),
                "the second pass is complete",
            )?;
        }
    }
    // The same without the bootstrap intervals and band, to show what they cost.
    let no_bootstrap = Settings {
        bootstrap: 0,
        ..Settings::default()
    };
    bench.run(
        "analysis",
        "analyze_single (loaded file, bootstrap 0)",
        Peer::Sort,
        || {
            analysis::analyze_single(bb(&file), bb(&mapping), &no_bootstrap, "plumb-bench")
                .map_err(|e| e.to_string())
        },
    )?;
    if let Some(report) = bench.run(
        "analysis",
        "analyze (split_fraction 0.5, drift)",
        Peer::Sort,
        || {
            let request = Request {
                reference: bb(&file),
                current: None,
                mapping: &mapping,
                settings: &settings,
                window: WindowSpec::SplitFraction { fraction: 0.5 },
                now: None,
                depth: plumb::core::analysis::Depth::Complete,
            };
            analysis::analyze(&request, "plumb-bench").map_err(|e| e.to_string())
        },
    )? {
        check(report.drift.is_some(), "split report has drift")?;
    }
    Ok(())
}

/// Writes every size's results, with the machine and settings, as JSON.
fn write_json(config: &Config, sizes: Vec<serde_json::Value>) -> Result<(), String> {
    let unix_time = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let doc = json!({
        "schema": "plumb.bench/v1",
        "unix_time": unix_time,
        "optimized": !cfg!(debug_assertions),
        "machine": {
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
            "available_parallelism": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        },
        "seed": SEED,
        "sizes": sizes,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    let Some(out) = &config.out else {
        eprintln!("smoke test: JSON not written (set PLUMB_BENCH_OUT to keep it)");
        return Ok(());
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(out, text + "\n").map_err(|e| format!("{}: {e}", out.display()))?;
    eprintln!("wrote {}", out.display());
    Ok(())
}
