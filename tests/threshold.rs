//! Golden and property tests for `core::metrics::threshold`.
//!
//! Goldens (`tests/fixtures/goldens/ranking.json`, written by
//! `tests/fixtures/make_goldens_ranking.py`): per fixture log, confusion counts and metrics from
//! scikit-learn (`confusion_matrix`, `precision_score`, `recall_score`, `f1_score`,
//! `fbeta_score`, `matthews_corrcoef`, `balanced_accuracy_score`, `accuracy_score`) at a handful of
//! thresholds, and optimal thresholds from a brute-force NumPy scan over the rows.
//! Counts are compared exactly; ratios to 1e-12 (the same exact ratio on both sides).

use plumb::core::metrics::ranking::RankSummary;
use plumb::core::metrics::threshold::{
    Confusion, Costs, OptimalRule, Sweep, at_threshold, metrics_at, optimal_threshold,
};
use proptest::prelude::*;
use serde_json::Value;

const LOGS: [&str; 8] = [
    "basic",
    "ties",
    "extremes",
    "one_class",
    "single_row",
    "constant",
    "reference",
    "current",
];

fn read_log(name: &str) -> (Vec<f64>, Vec<u8>) {
    let path = format!(
        "{}/tests/fixtures/logs/{name}.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (s, y) = (col("score"), col("label"));
    let mut out = (vec![], vec![]);
    for rec in reader.records() {
        let rec = rec.unwrap();
        out.0.push(rec[s].parse().unwrap());
        out.1.push(rec[y].parse().unwrap());
    }
    out
}

fn goldens() -> Value {
    let path = format!(
        "{}/tests/fixtures/goldens/ranking.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close_opt(got: Option<f64>, want: &Value, what: &str) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => assert!((g - w).abs() <= 1e-12, "{what}: got {g}, want {w}"),
        (None, None) => {}
        _ => panic!("{what}: got {got:?}, want {want}"),
    }
}

/// Thresholds are stored as Python `repr` strings so they parse to the exact same f64.
fn threshold_of(v: &Value) -> f64 {
    match v.as_str() {
        Some(s) => s.parse().unwrap(),
        None => {
            assert!(v.is_null());
            f64::INFINITY
        }
    }
}

fn costs_of(v: &Value) -> Costs {
    Costs {
        fp: v["fp"].as_f64().unwrap(),
        fn_: v["fn"].as_f64().unwrap(),
        tp: v["tp"].as_f64().unwrap(),
        tn: v["tn"].as_f64().unwrap(),
    }
}

#[test]
fn metrics_at_thresholds_match_sklearn() {
    let g = goldens();
    let costs = costs_of(&g["threshold_costs"]);
    let mut checked = 0;
    for name in LOGS {
        let (s, y) = read_log(name);
        let sweep = Sweep::new(&s, &y).unwrap();
        for row in g["logs"][name]["thresholds"].as_array().unwrap() {
            let t = threshold_of(&row["threshold"]);
            let what = format!("{name} @ {t}");
            let p = at_threshold(&sweep, t);
            assert_eq!(p.threshold, t);
            let counts = [p.tp, p.fp, p.tn, p.fn_];
            let want: Vec<u64> = ["tp", "fp", "tn", "fn"]
                .iter()
                .map(|k| row[*k].as_u64().unwrap())
                .collect();
            assert_eq!(counts.to_vec(), want, "{what}: counts");
            close_opt(p.precision, &row["precision"], &format!("{what} precision"));
            close_opt(p.recall, &row["recall"], &format!("{what} recall"));
            close_opt(p.specificity, &row["specificity"], &format!("{what} spec"));
            close_opt(p.fpr, &row["fpr"], &format!("{what} fpr"));
            close_opt(p.f1, &row["f1"], &format!("{what} f1"));
            close_opt(p.accuracy, &row["accuracy"], &format!("{what} accuracy"));
            close_opt(p.mcc, &row["mcc"], &format!("{what} mcc"));
            close_opt(
                p.balanced_accuracy,
                &row["balanced_accuracy"],
                &format!("{what} balanced accuracy"),
            );
            close_opt(
                p.predicted_positive_rate,
                &row["predicted_positive_rate"],
                &format!("{what} ppr"),
            );
            let half = metrics_at(&sweep, t, 0.5, &costs);
            close_opt(half.f_beta, &row["f_half"], &format!("{what} f0.5"));
            close_opt(
                half.expected_cost,
                &row["expected_cost"],
                &format!("{what} cost"),
            );
            close_opt(half.net_benefit, &row["net_benefit"], &format!("{what} nb"));
            let two = metrics_at(&sweep, t, 2.0, &costs);
            close_opt(two.f_beta, &row["f2"], &format!("{what} f2"));
            assert_eq!(two.f1, p.f1);
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} threshold rows checked");
}

#[test]
fn deviations_from_sklearn_are_the_documented_ones() {
    // Where MCC's denominator is 0 sklearn returns 0.0 and Plumb None; where one class is
    // absent sklearn's balanced accuracy averages the classes present and Plumb says None.
    let g = goldens();
    let (mut mcc_seen, mut bal_seen) = (0, 0);
    for name in LOGS {
        let (s, y) = read_log(name);
        let sweep = Sweep::new(&s, &y).unwrap();
        for row in g["logs"][name]["thresholds"].as_array().unwrap() {
            let p = at_threshold(&sweep, threshold_of(&row["threshold"]));
            if row["mcc"].is_null() {
                assert_eq!(row["mcc_sklearn"].as_f64(), Some(0.0));
                assert_eq!(p.mcc, None);
                mcc_seen += 1;
            }
            if row["balanced_accuracy"].is_null() && !row["balanced_accuracy_sklearn"].is_null() {
                assert_eq!(p.balanced_accuracy, None);
                bal_seen += 1;
            }
        }
    }
    assert!(mcc_seen > 0 && bal_seen > 0);
}

fn rule_of(spec: &Value) -> OptimalRule {
    let target = || spec["target"].as_f64().unwrap();
    match spec["rule"].as_str().unwrap() {
        "max_f1" => OptimalRule::MaxF1,
        "max_youden" => OptimalRule::MaxYouden,
        "min_expected_cost" => OptimalRule::MinExpectedCost(costs_of(&spec["costs"])),
        "max_recall_at_precision" => OptimalRule::MaxRecallAtPrecision(target()),
        "max_precision_at_recall" => OptimalRule::MaxPrecisionAtRecall(target()),
        "alert_rate" => OptimalRule::AlertRate(target()),
        other => panic!("unknown rule {other}"),
    }
}

#[test]
fn optimal_thresholds_match_brute_force_scan() {
    let g = goldens();
    for name in LOGS {
        let (s, y) = read_log(name);
        let sweep = Sweep::new(&s, &y).unwrap();
        for spec in g["logs"][name]["optimal"].as_array().unwrap() {
            let rule = rule_of(spec);
            let got = optimal_threshold(&sweep, rule);
            let want = &spec["result"];
            let what = format!("{name} {spec}");
            if want.is_null() {
                assert_eq!(got, None, "{what}");
                continue;
            }
            let got = got.unwrap_or_else(|| panic!("{what}: expected a threshold"));
            assert_eq!(got.rule, rule);
            assert_eq!(got.threshold, threshold_of(&want["threshold"]), "{what}");
            let v = want["value"].as_f64().unwrap();
            assert!(
                (got.value - v).abs() <= 1e-12,
                "{what}: {} vs {v}",
                got.value
            );
        }
    }
}

#[test]
fn sweep_has_a_row_per_distinct_score_plus_one() {
    for name in LOGS {
        let (s, y) = read_log(name);
        let summary = RankSummary::new(&s, &y).unwrap();
        let sweep = Sweep::from_summary(&summary);
        assert_eq!(sweep, Sweep::new(&s, &y).unwrap());
        assert_eq!(sweep.row_count(), summary.len() + 1);
        assert_eq!(sweep.thresholds()[0], f64::INFINITY);
        assert_eq!(&sweep.thresholds()[1..], summary.scores());
        let table = sweep.table(1.0, &Costs::default());
        assert_eq!(table.len(), sweep.row_count());
        for (i, m) in table.iter().enumerate() {
            assert_eq!(Some(m.confusion), sweep.confusion(i));
            assert_eq!(m.f_beta, m.f1);
        }
    }
}

// ------------------------------------------------------------------ properties ------------

fn rows() -> impl Strategy<Value = (Vec<f64>, Vec<u8>)> {
    prop::collection::vec((0u32..=100, 0u8..=1), 0..150)
        .prop_map(|v| v.into_iter().map(|(k, y)| (k as f64 / 100.0, y)).unzip())
}

fn direct_count(s: &[f64], y: &[u8], t: f64) -> Confusion {
    let mut c = Confusion::default();
    for (&si, &yi) in s.iter().zip(y) {
        match (si >= t, yi == 1) {
            (true, true) => c.tp += 1,
            (true, false) => c.fp += 1,
            (false, false) => c.tn += 1,
            (false, true) => c.fn_ += 1,
        }
    }
    c
}

proptest! {
    #[test]
    fn counts_sum_to_n_and_are_monotone((s, y) in rows()) {
        let sweep = Sweep::new(&s, &y).unwrap();
        let n = s.len() as u64;
        let mut prev = Confusion::default();
        for i in 0..sweep.row_count() {
            let c = sweep.confusion(i).unwrap();
            prop_assert_eq!(c.n(), n);
            // Rows go from the highest threshold down: TP and FP never decrease, i.e. TP is
            // non-increasing in the threshold.
            prop_assert!(c.tp >= prev.tp && c.fp >= prev.fp);
            prev = c;
        }
        prop_assert_eq!(prev.fn_ + prev.tn, 0);
    }

    #[test]
    fn at_threshold_agrees_with_a_direct_count(
        (s, y) in rows(),
        k in 0usize..200,
        free in -0.2f64..1.2,
    ) {
        let sweep = Sweep::new(&s, &y).unwrap();
        // A threshold exactly at a data score (ties included), and an arbitrary one.
        let exact = s.get(k % s.len().max(1)).copied().unwrap_or(0.5);
        for t in [exact, free, f64::INFINITY, f64::NEG_INFINITY] {
            let p = at_threshold(&sweep, t);
            let c = direct_count(&s, &y, t);
            prop_assert_eq!((p.tp, p.fp, p.tn, p.fn_), (c.tp, c.fp, c.tn, c.fn_));
            prop_assert_eq!(p, c.to_point(t));
        }
    }

    #[test]
    fn optimal_f1_and_cost_beat_every_threshold((s, y) in rows()) {
        let sweep = Sweep::new(&s, &y).unwrap();
        let costs = Costs { fp: 1.0, fn_: 3.0, tp: -0.5, tn: 0.0 };
        let f1 = optimal_threshold(&sweep, OptimalRule::MaxF1);
        let cost = optimal_threshold(&sweep, OptimalRule::MinExpectedCost(costs));
        for &t in s.iter().chain([f64::INFINITY].iter()) {
            let c = direct_count(&s, &y, t);
            if let (Some(best), Some(v)) = (f1, c.f1()) {
                prop_assert!(best.value >= v);
                if v == best.value { prop_assert!(best.threshold >= t); }
            }
            if let (Some(best), Some(v)) = (cost, c.expected_cost(&costs)) {
                prop_assert!(best.value <= v);
            }
        }
        if !s.is_empty() {
            prop_assert!(cost.is_some());
        }
    }

    #[test]
    fn ratios_are_probabilities_never_nan((s, y) in rows(), t in -0.2f64..1.2) {
        let sweep = Sweep::new(&s, &y).unwrap();
        let m = metrics_at(&sweep, t, 2.0, &Costs::default());
        for v in [m.precision, m.recall, m.specificity, m.fpr, m.f1, m.f_beta, m.accuracy,
                  m.balanced_accuracy, m.predicted_positive_rate, m.expected_cost]
            .into_iter()
            .flatten()
        {
            prop_assert!((0.0..=1.0).contains(&v), "{v}");
        }
        if let Some(v) = m.mcc { prop_assert!((-1.0..=1.0).contains(&v)); }
        if let Some(v) = m.net_benefit { prop_assert!(v.is_finite()); }
    }
}
