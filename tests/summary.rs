//! The summary input (`core::summary`, `docs/summary-input.md`) against the raw rows.
//!
//! - The DuckDB query (`sql/summary_duckdb.sql`, run by `tests/fixtures/make_summary.py`; the
//!   Spark text gives the identical output there) on a bench-like log: Plumb's report from the
//!   summary equals the raw rows' scikit-learn/SciPy values (goldens/summary.json) — exactly
//!   (1e-12) for counts, mean score, Brier, log loss, reliability bins, ECE and the 0.01-step
//!   sweep; within the stated bound for the AUC and the KS statistics; and every metric
//!   exactly on the log whose scores sit on cell edges.
//! - The three producers agree: `plumb summarize` (core::summary::summarize) on the raw log
//!   gives the DuckDB file's counts exactly and its sums within 1e-12.
//! - On random data, the summary's metrics against core's exact raw-row functions
//!   (`analysis::window_report`), and proptests that merging is the summary of the union,
//!   associative and commutative.
//! - Bad summary files give errors naming the line and column.

mod common;

use plumb::core::analysis::{self, LoadedFile, Request};
use plumb::core::error::PlumbError;
use plumb::core::report::{ColumnMapping, Report, Settings, WindowReport, WindowSpec};
use plumb::core::summary::{self, ScoreSummary, SummaryFile, metrics};
use proptest::prelude::*;
use serde_json::Value;

fn fixture(name: &str) -> LoadedFile {
    let path = format!(
        "{}/tests/fixtures/summary/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    analysis::load_file(name, &bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn audit(file: &LoadedFile) -> Report {
    let mapping = analysis::detect_mapping(file);
    analysis::analyze(
        &Request {
            reference: file,
            current: None,
            mapping: &mapping,
            settings: &Settings::default(),
            window: WindowSpec::All,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * (1.0 + b.abs()),
        "{what}: {a} vs {b} (tolerance {tol})"
    );
}

fn check_window(w: &WindowReport, g: &Value, bounds: &summary::SummaryBounds, exact_rank: bool) {
    assert_eq!(w.n, g["n"].as_u64().unwrap());
    assert_eq!(w.positives, g["positives"].as_u64().unwrap());
    close(
        w.mean_score.unwrap(),
        f(&g["mean_score"]),
        1e-12,
        "mean score",
    );
    close(w.brier_score.unwrap(), f(&g["brier_score"]), 1e-12, "brier");
    close(w.log_loss.unwrap(), f(&g["log_loss"]), 1e-12, "log loss");
    close(w.ece.unwrap(), f(&g["ece"]), 1e-12, "ece");
    let bins = g["reliability"].as_array().unwrap();
    assert_eq!(w.reliability.len(), bins.len());
    for (b, e) in w.reliability.iter().zip(bins) {
        assert_eq!(b.count, e["count"].as_u64().unwrap());
        assert_eq!(b.positives, e["positives"].as_u64().unwrap());
        close(b.mean_score, f(&e["mean_score"]), 1e-12, "bin mean score");
    }
    let sweep = g["sweep"].as_array().unwrap();
    assert_eq!(w.sweep.len(), sweep.len());
    for (p, e) in w.sweep.iter().zip(sweep) {
        let t = p.threshold;
        assert_eq!(p.tp, e["tp"].as_u64().unwrap(), "tp at {t}");
        assert_eq!(p.fp, e["fp"].as_u64().unwrap(), "fp at {t}");
        assert_eq!(p.tn, e["tn"].as_u64().unwrap(), "tn at {t}");
        assert_eq!(p.fn_, e["fn"].as_u64().unwrap(), "fn at {t}");
    }
    // The bound, computed independently in Python from the DuckDB file.
    let bound = bounds.roc_auc.unwrap();
    close(bound, f(&g["auc_bound"]), 1e-12, "AUC bound");
    let auc = w.roc_auc.unwrap();
    let exact = f(&g["roc_auc"]);
    assert!(
        (auc - exact).abs() <= bound + 1e-12,
        "AUC {auc} vs {exact}: outside ±{bound}"
    );
    let ks = w.ks_separation.unwrap();
    let ks_exact = f(&g["ks_separation"]);
    assert!(
        ks <= ks_exact + 1e-12 && ks_exact <= ks + bounds.ks_separation.unwrap() + 1e-12,
        "KS {ks} vs {ks_exact}"
    );
    if exact_rank {
        assert_eq!(bound, 0.0);
        close(auc, exact, 1e-12, "AUC (edges only)");
        close(ks, ks_exact, 1e-12, "KS (edges only)");
        close(
            w.average_precision.unwrap(),
            f(&g["average_precision"]),
            1e-12,
            "AP (edges only)",
        );
    } else {
        // No bound is claimed for AP; the measured difference on this log is ~5e-4.
        close(
            w.average_precision.unwrap(),
            f(&g["average_precision"]),
            2e-3,
            "AP",
        );
    }
}

fn check_log(name: &str, exact_rank: bool) {
    let goldens = common::goldens("summary.json");
    let g = &goldens["logs"][name];
    let report = audit(&fixture(&format!("{name}_summary.csv")));
    let info = report.summary.as_ref().expect("a summary report");
    assert_eq!(info.format, "plumb_summary/v1");
    assert_eq!(info.buckets, 1000);
    assert_eq!(info.lines, g["summary_lines"].as_u64().unwrap());
    assert!(info.notice.contains("Summary input"));
    assert!(report.windows.all.is_none());
    for (key, w) in [
        ("reference", report.windows.reference.as_ref().unwrap()),
        ("current", report.windows.current.as_ref().unwrap()),
    ] {
        let b = &info.bounds[key];
        assert!(b.threshold_exact && b.sweep_exact && b.reliability_exact);
        check_window(w, &g["windows"][key], b, exact_rank);
    }
    // Segments of the current window.
    let segs = &report.segments[0];
    assert_eq!(segs.column, "segment");
    let expected = g["windows"]["current"]["segments"].as_object().unwrap();
    assert_eq!(segs.segments.len(), expected.len());
    for s in &segs.segments {
        let e = &expected[&s.name];
        assert_eq!(s.n, e["n"].as_u64().unwrap());
        assert_eq!(s.positives, e["positives"].as_u64().unwrap());
        close(s.mean_score, f(&e["mean_score"]), 1e-12, "segment mean");
        let auc = s.roc_auc.unwrap();
        assert!((auc - f(&e["roc_auc"])).abs() <= f(&e["auc_bound"]) + 1e-12);
    }
    // Score drift: the KS statistic at slot boundaries is within its bound below SciPy's.
    let drift = &report.drift.as_ref().unwrap().columns[0];
    let ks = drift.ks_statistic.unwrap();
    let exact = f(&g["score_ks"]);
    let r = summary::parse(&fixture(&format!("{name}_summary.csv"))).unwrap();
    let shift = metrics::score_shift(
        &r.window("reference").unwrap(),
        &r.window("current").unwrap(),
    )
    .unwrap();
    assert!(ks <= exact + 1e-12 && exact <= ks + shift.ks_bound + 1e-12);
    assert_eq!(
        report.label_shift.as_ref().unwrap().prior_current_observed,
        report.windows.current.as_ref().unwrap().positive_rate
    );
}

#[test]
fn duckdb_summary_of_the_bench_like_log_matches_the_raw_rows_within_the_bounds() {
    check_log("bench", false);
}

#[test]
fn duckdb_summary_of_scores_on_cell_edges_is_exact() {
    check_log("rounded", true);
}

#[test]
fn plumb_summarize_writes_what_duckdb_writes() {
    for name in ["bench", "rounded"] {
        let log = fixture(&format!("{name}_log.csv"));
        let mapping = analysis::detect_mapping(&log);
        let ours = summary::summarize(
            &log,
            &mapping,
            &WindowSpec::SplitAt {
                timestamp: "2026-01-01T04:10:00Z".into(),
            },
            Some("segment"),
            1000,
        )
        .unwrap();
        let duck = summary::parse(&fixture(&format!("{name}_summary.csv"))).unwrap();
        assert_eq!(ours.lines, duck.lines);
        assert_eq!(
            ours.parts.keys().collect::<Vec<_>>(),
            duck.parts.keys().collect::<Vec<_>>()
        );
        for (key, a) in &ours.parts {
            let b = &duck.parts[key];
            for slot in 0..a.slots() {
                for (x, y) in [
                    (a.negative(slot), b.negative(slot)),
                    (a.positive(slot), b.positive(slot)),
                ] {
                    assert_eq!(x.n, y.n, "{key:?} slot {slot}");
                    close(x.score_sum, y.score_sum, 1e-12, "score_sum");
                    close(x.score_sq_sum, y.score_sq_sum, 1e-12, "score_sq_sum");
                    close(x.log_loss_sum, y.log_loss_sum, 1e-12, "log_loss_sum");
                }
            }
        }
        // And the CSV Plumb writes reads back to the same summary.
        let text = ours.to_csv();
        let again =
            summary::parse(&analysis::load_file("again.csv", text.as_bytes()).unwrap()).unwrap();
        assert_eq!(again, ours);
    }
}

/// Random scores: half drawn on a 1/200 grid (edges of K = 1000), half continuous.
fn random_rows(seed: u64, n: usize) -> (Vec<f64>, Vec<u8>) {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut s = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let u = next();
        let score = if i % 2 == 0 {
            (u * 200.0).floor() / 200.0
        } else {
            u
        };
        s.push(score);
        y.push(u8::from(next() < 0.2 + 0.6 * score));
    }
    (s, y)
}

#[test]
fn summary_metrics_match_the_raw_row_path_on_random_data() {
    let settings = Settings {
        bootstrap: 0,
        ..Settings::default()
    };
    for seed in 1..=5 {
        let (s, y) = random_rows(seed, 3000);
        let raw = analysis::window_report(&s, &y, &settings);
        let sum = ScoreSummary::from_rows(&s, &y, 1000).unwrap();
        let w = metrics::window_report(&sum, &settings);
        assert_eq!(w.n, raw.n);
        assert_eq!(w.positives, raw.positives);
        assert_eq!(w.histogram, raw.histogram);
        close(
            w.mean_score.unwrap(),
            raw.mean_score.unwrap(),
            1e-12,
            "mean",
        );
        close(
            w.brier_score.unwrap(),
            raw.brier_score.unwrap(),
            1e-12,
            "brier",
        );
        close(
            w.log_loss.unwrap(),
            raw.log_loss.unwrap(),
            1e-12,
            "log loss",
        );
        close(w.ece.unwrap(), raw.ece.unwrap(), 1e-12, "ece");
        close(w.mce.unwrap(), raw.mce.unwrap(), 1e-12, "mce");
        assert_eq!(w.reliability.len(), raw.reliability.len());
        for (a, b) in w.reliability.iter().zip(&raw.reliability) {
            assert_eq!((a.count, a.positives), (b.count, b.positives));
            assert_eq!((a.ci_lower, a.ci_upper), (b.ci_lower, b.ci_upper));
            close(a.mean_score, b.mean_score, 1e-12, "bin mean");
        }
        for (a, b) in w.sweep.iter().zip(&raw.sweep) {
            assert_eq!((a.tp, a.fp, a.tn, a.fn_), (b.tp, b.fp, b.tn, b.fn_));
        }
        assert_eq!(
            w.at_threshold.as_ref().map(|p| (p.tp, p.fp)),
            raw.at_threshold.as_ref().map(|p| (p.tp, p.fp))
        );
        let bound = metrics::auc_bound(&sum).unwrap();
        assert!(bound > 0.0);
        assert!((w.roc_auc.unwrap() - raw.roc_auc.unwrap()).abs() <= bound);
        let ks = w.ks_separation.unwrap();
        let ks_raw = raw.ks_separation.unwrap();
        assert!(ks <= ks_raw + 1e-12 && ks_raw <= ks + metrics::ks_bound(&sum).unwrap() + 1e-12);
    }
}

#[test]
fn a_coarse_grid_keeps_the_bound_and_leaves_out_what_it_cannot_give() {
    let (s, y) = random_rows(9, 2000);
    let settings = Settings {
        bootstrap: 0,
        bins: 7, // 7 does not divide K = 50
        ..Settings::default()
    };
    let raw = analysis::window_report(&s, &y, &settings);
    let sum = ScoreSummary::from_rows(&s, &y, 50).unwrap();
    let w = metrics::window_report(&sum, &settings);
    assert!(w.reliability.is_empty() && w.ece.is_none());
    let bound = metrics::auc_bound(&sum).unwrap();
    assert!((w.roc_auc.unwrap() - raw.roc_auc.unwrap()).abs() <= bound);
    assert!(bound > 1e-3, "a coarse grid has a visible bound: {bound}");
}

fn strategy_rows() -> impl Strategy<Value = Vec<(f64, u8)>> {
    prop::collection::vec(
        (
            prop_oneof![(0u32..=20).prop_map(|j| j as f64 / 20.0), 0.0f64..=1.0],
            0u8..=1,
        ),
        0..60,
    )
}

fn of(rows: &[(f64, u8)]) -> ScoreSummary {
    let (s, y): (Vec<f64>, Vec<u8>) = rows.iter().copied().unzip();
    ScoreSummary::from_rows(&s, &y, 20).unwrap()
}

fn same(a: &ScoreSummary, b: &ScoreSummary) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.buckets(), b.buckets());
    for slot in 0..a.slots() {
        for (x, y) in [
            (a.negative(slot), b.negative(slot)),
            (a.positive(slot), b.positive(slot)),
        ] {
            prop_assert_eq!(x.n, y.n);
            prop_assert!((x.score_sum - y.score_sum).abs() <= 1e-12 * (1.0 + y.score_sum));
            prop_assert!((x.score_sq_sum - y.score_sq_sum).abs() <= 1e-12 * (1.0 + y.score_sq_sum));
            prop_assert!((x.log_loss_sum - y.log_loss_sum).abs() <= 1e-12 * (1.0 + y.log_loss_sum));
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn merge_is_the_summary_of_the_union(a in strategy_rows(), b in strategy_rows(), c in strategy_rows()) {
        let union: Vec<(f64, u8)> = a.iter().chain(&b).chain(&c).copied().collect();
        let (sa, sb, sc) = (of(&a), of(&b), of(&c));
        let mut left = sa.clone();
        left.merge(&sb).unwrap();
        left.merge(&sc).unwrap();
        let mut bc = sb.clone();
        bc.merge(&sc).unwrap();
        let mut right = sa.clone();
        right.merge(&bc).unwrap();
        let mut swapped = sc.clone();
        swapped.merge(&sb).unwrap();
        swapped.merge(&sa).unwrap();
        same(&left, &of(&union))?;
        same(&left, &right)?;
        same(&left, &swapped)?;
        // Metrics of the merge are the metrics of the union.
        let s = Settings { bootstrap: 0, ..Settings::default() };
        let (m, u) = (metrics::window_report(&left, &s), metrics::window_report(&of(&union), &s));
        prop_assert_eq!(m.roc_auc, u.roc_auc);
        prop_assert_eq!(m.sweep, u.sweep);
    }

    #[test]
    fn every_score_in_0_1_lands_in_the_slot_that_contains_it(score in 0.0f64..=1.0, k in 1u32..2000) {
        let s = ScoreSummary::new(k).unwrap();
        let slot = s.slot_of(score).unwrap();
        let (lo, hi) = s.bounds(slot);
        if slot.is_multiple_of(2) {
            prop_assert_eq!(score, lo);
        } else {
            prop_assert!(lo < score && score < hi);
        }
        prop_assert_eq!(s.slot_of_bounds(lo, hi), Some(slot));
    }
}

#[test]
fn merging_summaries_of_different_grids_is_an_error() {
    let mut a = ScoreSummary::new(100).unwrap();
    let b = ScoreSummary::new(1000).unwrap();
    assert!(matches!(
        a.merge(&b),
        Err(PlumbError::InvalidSetting { .. })
    ));
}

const HEADER: &str = "plumb_summary,buckets,window_name,segment,label,bucket_lo,bucket_hi,row_count,score_sum,score_sq_sum,log_loss_sum";

fn load(lines: &[&str]) -> Result<Report, PlumbError> {
    let text = format!("{HEADER}\n{}\n", lines.join("\n"));
    let file = analysis::load_file("s.csv", text.as_bytes())?;
    analysis::analyze(
        &Request {
            reference: &file,
            current: None,
            mapping: &ColumnMapping::default(),
            settings: &Settings::default(),
            window: WindowSpec::All,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
}

#[test]
fn a_small_summary_reads_as_one_window() {
    let r = load(&[
        "v1,10,all,,0,0.2,0.2,3,0.6,0.12,0.6694306539426292",
        "v1,10,all,,1,0.7,0.8,2,1.5,1.13,0.5",
    ])
    .unwrap();
    let w = r.windows.all.as_ref().unwrap();
    assert_eq!((w.n, w.positives), (5, 2));
    assert_eq!(w.roc_auc, Some(1.0));
    close(w.mean_score.unwrap(), 2.1 / 5.0, 1e-15, "mean");
    // (Σ s² − 2 Σ_{y=1} s + P) / n = (1.25 − 3 + 2) / 5
    close(w.brier_score.unwrap(), 0.25 / 5.0, 1e-15, "brier");
    assert!(r.segments.is_empty());
    assert_eq!(r.input.files[0].rows_used, 5);
}

#[test]
fn bad_summary_lines_name_the_line_and_column() {
    let cases: [(&str, u64, &str); 6] = [
        ("v1,10,all,,2,0.2,0.2,3,0.6,0.12,0.6", 2, "label"),
        ("v1,10,all,,0,0.25,0.3,3,0.6,0.12,0.6", 2, "bucket_lo"),
        ("v2,10,all,,0,0.2,0.2,3,0.6,0.12,0.6", 2, "plumb_summary"),
        ("v1,10,all,,0,0.2,0.2,3,0.9,0.12,0.6", 2, "score_sum"),
        ("v1,10,all,,0,0.2,0.2,1.5,0.3,0.06,0.6", 2, "row_count"),
        ("v1,10,all,,0,0.2,0.2,3,0.6,NaN,0.6", 2, "score_sq_sum"),
    ];
    for (line, at, column) in cases {
        match load(&[line]) {
            Err(PlumbError::Summary {
                line: l, column: c, ..
            }) => assert_eq!((l, c.as_str()), (at, column), "{line}"),
            other => panic!("{line}: {other:?}"),
        }
    }
    // Mixed grids, and three windows.
    let mixed = load(&[
        "v1,10,all,,0,0.2,0.2,3,0.6,0.12,0.6",
        "v1,20,all,,0,0.2,0.2,3,0.6,0.12,0.6",
    ]);
    assert!(
        matches!(mixed, Err(PlumbError::Summary { line: 3, ref column, .. }) if column == "buckets")
    );
    let three = load(&[
        "v1,10,a,,0,0.2,0.2,3,0.6,0.12,0.6",
        "v1,10,b,,0,0.2,0.2,3,0.6,0.12,0.6",
        "v1,10,c,,0,0.2,0.2,3,0.6,0.12,0.6",
    ]);
    let err = three.unwrap_err();
    assert!(err.to_string().contains("window_name"), "{err}");
}

#[test]
fn summary_files_merge_by_concatenation() {
    let whole = summary::parse(&fixture("bench_summary.csv")).unwrap();
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/summary/bench_summary.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let body: Vec<&str> = lines.collect();
    let (a, b) = body.split_at(body.len() / 3);
    let part = |rows: &[&str]| {
        let t = format!("{header}\n{}\n", rows.join("\n"));
        summary::parse(&analysis::load_file("p.csv", t.as_bytes()).unwrap()).unwrap()
    };
    let mut merged: SummaryFile = part(a);
    merged.merge(&part(b)).unwrap();
    assert_eq!(
        merged.parts.keys().collect::<Vec<_>>(),
        whole.parts.keys().collect::<Vec<_>>()
    );
    let doubled = format!("{header}\n{}\n{}\n", body.join("\n"), body.join("\n"));
    let twice = summary::parse(&analysis::load_file("d.csv", doubled.as_bytes()).unwrap()).unwrap();
    let w = twice.window("current").unwrap();
    assert_eq!(w.n(), 2 * whole.window("current").unwrap().n());
}

#[test]
fn the_worker_session_drags_the_threshold_on_the_summary_sweep() {
    use plumb::core::protocol::{FromWorker, Session, Which};
    // A one-window summary of the rounded log (all scores on edges: every threshold exact).
    let log = fixture("rounded_log.csv");
    let mapping = analysis::detect_mapping(&log);
    let text = summary::summarize(&log, &mapping, &WindowSpec::All, None, 1000)
        .unwrap()
        .to_csv();
    let file = analysis::load_file("one.csv", text.as_bytes()).unwrap();
    let mut session = Session::new();
    session.loaded(1, Which::Reference, file.clone());
    let detected = analysis::detect_mapping(&file);
    let (answer, sweep) = session.analyze(
        2,
        &detected,
        &Settings::default(),
        &WindowSpec::All,
        None,
        None,
    );
    assert!(matches!(answer, FromWorker::Report { .. }));
    let sweep = sweep.expect("a sweep from the summary");
    let prepared = analysis::windows_of(&log, &mapping, &WindowSpec::All).unwrap();
    let (_, _, s, y) = &prepared[0];
    let exact = analysis::window_sweep(s, y).unwrap();
    for t in [0.0, 0.123, 0.37, 0.5, 0.999, 1.0] {
        let a = plumb::core::metrics::threshold::at_threshold(sweep, t);
        let b = plumb::core::metrics::threshold::at_threshold(&exact, t);
        assert_eq!(
            (a.tp, a.fp, a.tn, a.fn_),
            (b.tp, b.fp, b.tn, b.fn_),
            "at {t}"
        );
    }
}

#[test]
fn the_cli_summarizes_a_log_and_audits_the_summary() {
    let dir = std::env::temp_dir().join(format!("plumb-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("summary.csv");
    let log = format!(
        "{}/tests/fixtures/summary/bench_log.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let bin = env!("CARGO_BIN_EXE_plumb");
    let status = std::process::Command::new(bin)
        .args([
            "summarize",
            &log,
            "--segment",
            "segment",
            "--split-at",
            "2026-01-01T04:10:00Z",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    let duck = summary::parse(&fixture("bench_summary.csv")).unwrap();
    let ours = summary::parse(&analysis::load_file("s.csv", written.as_bytes()).unwrap()).unwrap();
    assert_eq!(ours.lines, duck.lines);
    let audit = std::process::Command::new(bin)
        .args(["audit"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(audit.status.success());
    let report: Report = serde_json::from_slice(&audit.stdout).unwrap();
    assert_eq!(report.summary.unwrap().buckets, 1000);
    assert_eq!(report.windows.current.unwrap().n, 5000);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The page tells a summary file from a log by its column names alone (it holds no table):
/// the same answer as the loader's test on the table.
#[test]
fn the_page_recognises_a_summary_file_by_its_column_names() {
    let summary_file = fixture("bench_summary.csv");
    let summary = plumb::core::stream::FileSummary::of(&summary_file, 1);
    assert!(summary::is_summary(&summary_file));
    assert!(summary::is_summary_columns(&summary.column_names()));
    assert!(summary.is_summary());

    let log = analysis::load_file("log.csv", b"score,label\n0.2,0\n0.9,1\n").unwrap();
    let log_summary = plumb::core::stream::FileSummary::of(&log, 2);
    assert!(!log_summary.is_summary());
    let names = log_summary.column_names();
    assert!(!summary::is_summary(&log));
    assert!(!summary::is_summary_columns(&names));
    // The format column must come first, as the loader requires.
    assert!(!summary::is_summary_columns(&["score", "plumb_summary"]));
    assert!(!summary::is_summary_columns::<&str>(&[]));
}
