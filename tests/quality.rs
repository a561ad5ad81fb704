//! Fixture and property tests for `core::quality`.
//!
//! Fixtures: `tests/fixtures/quality/*.csv`, each made to trip one check (or none), written by
//! `tests/fixtures/make_quality_logs.py`, which also writes `expected.json`: the status of all
//! eleven checks on every log (checked against `clean_reference.csv`), and for tripped checks
//! the count and first rows computed in Python from the definitions, the optimal decision
//! threshold interval by brute force, and the AUC by scikit-learn. Counts, rows, statuses and
//! intervals are exact; the AUC is compared at the 4 decimals the detail prints.

use plumb::core::quality::{
    self, CHECK_IDS, ColumnMissing, QualityInput, QualityReport, Status, check_duplicate_ids,
    check_score_range, check_timestamps_order, consistent_threshold, run_checks,
};
use proptest::prelude::*;
use serde_json::Value;
use std::collections::HashSet;

/// One fixture log, parsed as a caller would: NaN / `None` for missing or invalid cells.
struct Log {
    scores: Vec<f64>,
    labels: Vec<Option<u8>>,
    ts: Option<Vec<f64>>,
    ids: Option<Vec<u64>>,
    decisions: Option<Vec<Option<u8>>>,
    columns: Vec<ColumnMissing>,
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn binary(cell: &str) -> Option<u8> {
    match cell {
        "0" => Some(0),
        "1" => Some(1),
        _ => None,
    }
}

fn read_log(name: &str) -> Log {
    let path = format!(
        "{}/tests/fixtures/quality/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let col = |name: &str| -> Option<Vec<String>> {
        let j = headers.iter().position(|h| h == name)?;
        Some(rows.iter().map(|r| r[j].to_string()).collect())
    };
    let num = |c: &String| c.parse::<f64>().unwrap_or(f64::NAN);
    let columns = headers
        .iter()
        .enumerate()
        .map(|(j, h)| ColumnMissing {
            name: h.clone(),
            missing: rows
                .iter()
                .filter(|r| r[j].is_empty() || &r[j] == "NA")
                .count() as u64,
            total: rows.len() as u64,
        })
        .collect();
    Log {
        scores: col("score").unwrap().iter().map(num).collect(),
        labels: col("label").unwrap().iter().map(|c| binary(c)).collect(),
        ts: col("ts").map(|v| v.iter().map(num).collect()),
        ids: col("id").map(|v| v.iter().map(|c| fnv1a(c)).collect()),
        decisions: col("decision").map(|v| v.iter().map(|c| binary(c)).collect()),
        columns,
    }
}

fn expected() -> Value {
    let path = format!(
        "{}/tests/fixtures/quality/expected.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn input<'a>(log: &'a Log, exp: &Value) -> QualityInput<'a> {
    let mut q = QualityInput::new(&log.scores, &log.labels);
    q.timestamps = log.ts.as_deref();
    q.ids = log.ids.as_deref();
    q.decisions = log.decisions.as_deref();
    q.threshold = exp["threshold"].as_f64().unwrap();
    q.confidence = exp["confidence"].as_f64().unwrap();
    q.now = exp["now"].as_f64();
    q.columns = log.columns.clone();
    q
}

fn status(v: &Value) -> Status {
    serde_json::from_value(v.clone()).unwrap()
}

fn rows(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_u64().unwrap())
        .collect()
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn check_log(name: &str, want: &Value, report: &QualityReport, log: &Log, exp: &Value) {
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, CHECK_IDS, "{name}");
    for check in &report.checks {
        let id = check.id.as_str();
        assert_eq!(
            check.status,
            status(&want["status"][id]),
            "{name}/{id}: {}",
            check.detail
        );
        assert!(!check.detail.is_empty() && !check.title.is_empty());
        let numbers = &want["numbers"][id];
        if let Some(count) = numbers.get("count") {
            assert_eq!(check.count, count.as_u64().unwrap(), "{name}/{id} count");
            assert_eq!(check.rows, rows(&numbers["rows"]), "{name}/{id} rows");
        } else {
            assert_eq!(check.count, 0, "{name}/{id}: count on a pass/skip");
            assert!(check.rows.is_empty(), "{name}/{id}: rows on a pass/skip");
        }
    }
    // The decision threshold interval, against a brute-force scan in Python.
    if let (Some(d), Some(best)) = (
        log.decisions.as_deref(),
        want["numbers"]["decision_consistency"].get("best"),
    ) {
        let got = consistent_threshold(&log.scores, d, exp["threshold"].as_f64().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(got.lower, opt(&best["lower"]), "{name} lower");
        assert_eq!(got.upper, opt(&best["upper"]), "{name} upper");
        assert_eq!(got.agreement, best["agreement"].as_u64().unwrap(), "{name}");
        assert_eq!(got.compared, best["compared"].as_u64().unwrap(), "{name}");
    }
    // The AUC in the detail, against scikit-learn.
    if let Some(auc) = want["numbers"]["inverted_scores"]["auc"].as_f64() {
        let detail = &report.get("inverted_scores").unwrap().detail;
        assert!(
            detail.contains(&format!("ROC AUC {auc:.4}")),
            "{name}: {detail} vs {auc}"
        );
        if let Some(ci) = want["numbers"]["inverted_scores"]["ci"].as_array() {
            let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
            assert!(
                detail.contains(&format!("{lo:.4}–{hi:.4}")),
                "{name}: {detail} vs {lo}–{hi}"
            );
        }
    }
}

#[test]
fn every_fixture_trips_exactly_what_it_was_made_to_trip() {
    let exp = expected();
    let reference_log = read_log(exp["reference"].as_str().unwrap());
    let reference = input(&reference_log, &exp);
    let logs = exp["logs"].as_object().unwrap();
    assert!(logs.len() >= 20);
    for (name, want) in logs {
        let log = read_log(name);
        let report = run_checks(&input(&log, &exp), Some(&reference)).unwrap();
        check_log(name, want, &report, &log, &exp);
    }
}

#[test]
fn every_check_has_a_tripping_and_a_clean_fixture() {
    let exp = expected();
    let logs = exp["logs"].as_object().unwrap();
    for id in CHECK_IDS {
        let statuses: HashSet<&str> = logs
            .values()
            .map(|l| l["status"][id].as_str().unwrap())
            .collect();
        assert!(
            statuses.contains("warn") || statuses.contains("fail"),
            "{id} never trips"
        );
        assert_eq!(logs["clean"]["status"][id], "pass", "{id} on clean");
    }
}

#[test]
fn missing_rates_from_the_role_slices() {
    // With no column counts, missing_rates counts NaN scores and None labels itself and names
    // the first rows.
    let exp = expected();
    let log = read_log("missing");
    let mut q = input(&log, &exp);
    q.columns.clear();
    let check = quality::check_missing_rates(&q.missing_counts(), None);
    assert_eq!(check.status, Status::Fail);
    let score_missing = log.scores.iter().filter(|s| s.is_nan()).count() as u64;
    let label_missing = log.labels.iter().filter(|y| y.is_none()).count() as u64;
    assert_eq!(check.count, score_missing + label_missing);
    let report = run_checks(&q, None).unwrap();
    let m = report.get("missing_rates").unwrap();
    let want: Vec<u64> = (0..log.scores.len())
        .filter(|&i| log.scores[i].is_nan() || log.labels[i].is_none())
        .take(10)
        .map(|i| i as u64)
        .collect();
    assert_eq!(m.rows, want);
    // Without a reference the change check cannot run.
    assert_eq!(
        report.get("score_scale_change").unwrap().status,
        Status::Skip
    );
}

#[test]
fn report_round_trips_through_json() {
    let exp = expected();
    let log = read_log("duplicates");
    let report = run_checks(&input(&log, &exp), None).unwrap();
    let text = serde_json::to_string(&report).unwrap();
    assert!(text.contains("\"status\":\"fail\""));
    assert!(text.contains("\"status\":\"skip\""));
    let back: QualityReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back, report);
}

// ---------------------------------------------------------------------------------------------
// Properties

fn score_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => (0u32..=20).prop_map(|k| f64::from(k) / 20.0),
        2 => -2.0f64..3.0,
        1 => Just(f64::NAN),
        1 => prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(-0.0)],
    ]
}

fn ts_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![8 => -5.0f64..5.0, 1 => Just(f64::NAN), 1 => (0u32..4).prop_map(f64::from)]
}

fn label_strategy() -> impl Strategy<Value = Option<u8>> {
    prop_oneof![4 => (0u8..=1).prop_map(Some), 1 => Just(None)]
}

/// Brute-force best agreement over every candidate threshold.
fn brute_best(scores: &[f64], decisions: &[Option<u8>]) -> u64 {
    let mut cands: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    cands.push(f64::INFINITY);
    cands
        .iter()
        .map(|&t| agreement(scores, decisions, t))
        .max()
        .unwrap_or(0)
}

fn agreement(scores: &[f64], decisions: &[Option<u8>], t: f64) -> u64 {
    scores
        .iter()
        .zip(decisions)
        .filter(|(s, d)| s.is_finite() && d.is_some_and(|d| (d == 1) == (**s >= t)))
        .count() as u64
}

proptest! {
    #[test]
    fn run_checks_is_total_and_well_formed(
        rows in prop::collection::vec(
            (score_strategy(), label_strategy(), ts_strategy(), 0u64..8, label_strategy()),
            0..60,
        ),
        with_optional in any::<bool>(),
        now in prop::option::of(-5.0f64..5.0),
    ) {
        let scores: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let labels: Vec<Option<u8>> = rows.iter().map(|r| r.1).collect();
        let ts: Vec<f64> = rows.iter().map(|r| r.2).collect();
        let ids: Vec<u64> = rows.iter().map(|r| r.3).collect();
        let dec: Vec<Option<u8>> = rows.iter().map(|r| r.4).collect();
        let mut q = QualityInput::new(&scores, &labels);
        q.now = now;
        if with_optional {
            q.timestamps = Some(&ts);
            q.ids = Some(&ids);
            q.decisions = Some(&dec);
        }
        let half = scores.len() / 2;
        let reference = QualityInput::new(&scores[..half], &labels[..half]);
        let report = run_checks(&q, Some(&reference)).unwrap();
        let ids_got: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
        prop_assert_eq!(ids_got, CHECK_IDS.to_vec());
        for c in &report.checks {
            prop_assert!(c.rows.len() <= quality::MAX_ROWS);
            prop_assert!(c.rows.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(c.rows.iter().all(|&r| (r as usize) < scores.len()));
            prop_assert!(c.count >= c.rows.len() as u64);
            if matches!(c.status, Status::Pass | Status::Skip) {
                prop_assert_eq!(c.count, 0, "{}: {}", c.id, c.detail);
                prop_assert!(c.rows.is_empty());
            }
        }
    }

    #[test]
    fn consistent_threshold_is_optimal(
        rows in prop::collection::vec((score_strategy(), label_strategy()), 1..50),
        preferred in -0.5f64..1.5,
    ) {
        let scores: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let dec: Vec<Option<u8>> = rows.iter().map(|r| r.1).collect();
        match consistent_threshold(&scores, &dec, preferred).unwrap() {
            None => prop_assert_eq!(agreement(&scores, &dec, f64::INFINITY), 0),
            Some(best) => {
                prop_assert_eq!(best.agreement, brute_best(&scores, &dec));
                // Every threshold in the interval gives that agreement.
                let t = best.upper.unwrap_or(f64::INFINITY);
                prop_assert_eq!(agreement(&scores, &dec, t), best.agreement);
                if let (Some(lo), Some(hi)) = (best.lower, best.upper) {
                    prop_assert!(lo < hi);
                    let mid = lo / 2.0 + hi / 2.0;
                    prop_assert_eq!(agreement(&scores, &dec, mid), best.agreement);
                }
                // If the preferred threshold is optimal, the interval contains it.
                if agreement(&scores, &dec, preferred) == best.agreement {
                    prop_assert!(best.contains(preferred), "{best:?} {preferred}");
                }
            }
        }
    }

    #[test]
    fn decisions_from_a_threshold_are_fully_consistent(
        scores in prop::collection::vec(0u32..=50, 1..60),
        t in 0u32..=50,
    ) {
        let scores: Vec<f64> = scores.iter().map(|&k| f64::from(k) / 50.0).collect();
        let t = f64::from(t) / 50.0;
        let dec: Vec<Option<u8>> = scores.iter().map(|&s| Some(u8::from(s >= t))).collect();
        let best = consistent_threshold(&scores, &dec, t).unwrap().unwrap();
        prop_assert_eq!(best.agreement, scores.len() as u64);
        prop_assert!(best.contains(t));
        let check = quality::check_decision_consistency(&scores, &dec, t).unwrap();
        prop_assert_eq!(check.status, Status::Pass);
    }

    #[test]
    fn duplicate_count_is_rows_minus_distinct(ids in prop::collection::vec(0u64..20, 1..80)) {
        let c = check_duplicate_ids(&ids);
        let distinct = ids.iter().collect::<HashSet<_>>().len() as u64;
        prop_assert_eq!(c.count, ids.len() as u64 - distinct);
        let mut seen = HashSet::new();
        let repeats: Vec<u64> = (0..ids.len())
            .filter(|&i| !seen.insert(ids[i]))
            .take(10)
            .map(|i| i as u64)
            .collect();
        prop_assert_eq!(c.rows, repeats);
    }

    #[test]
    fn score_range_counts_exactly(scores in prop::collection::vec(score_strategy(), 0..80)) {
        let c = check_score_range(&scores);
        let bad = scores.iter().filter(|s| !s.is_nan() && !(0.0..=1.0).contains(*s)).count();
        prop_assert_eq!(c.count, bad as u64);
        prop_assert_eq!(c.status == Status::Fail, bad > 0);
    }

    #[test]
    fn sorted_timestamps_never_warn(mut ts in prop::collection::vec(-1e9f64..1e9, 1..60)) {
        ts.sort_by(f64::total_cmp);
        let c = check_timestamps_order(&ts, Some(1e9));
        prop_assert_eq!(c.status, Status::Pass);
        let c = check_timestamps_order(&ts, Some(ts[0] - 1.0));
        prop_assert_eq!(c.status, Status::Fail);
        prop_assert_eq!(c.count, ts.len() as u64);
    }
}
