//! Golden and property tests for `core::metrics::ranking`.
//!
//! Goldens: `tests/fixtures/goldens/ranking.json`, written by
//! `tests/fixtures/make_goldens_ranking.py` from scikit-learn (ROC/PR/AP/AUC), SciPy (KS), an
//! independent NumPy DeLong (Sun & Xu 2014) and MLstatkit's `Delong_test`, over every fixture log.
//! Tolerances: 1e-12 where both sides compute the same exact ratio (curves, AUC, AP, KS); 1e-9
//! (absolute, or relative for tiny p-values) where the reference is a numerical sum or a normal
//! quantile/tail from a different library (DeLong variances, intervals, z, p).

mod common;
use common::{FixtureLog, goldens};

use plumb::core::metrics::ranking::{
    self, DeLongComparison, RankSummary, RankingError, auc_confidence_interval, average_precision,
    delong, delong_paired, delong_unpaired, ks_separation, precision_recall_curve, roc_auc,
    roc_curve,
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

struct Log {
    score: Vec<f64>,
    label: Vec<u8>,
    x1: Vec<f64>,
    x2: Vec<f64>,
}

fn read_log(name: &str) -> Log {
    let log = FixtureLog::read(name);
    Log {
        score: log.floats("score"),
        label: log.labels("label"),
        x1: log.floats("x1"),
        x2: log.floats("x2"),
    }
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e} (diff {:e})",
        (got - want).abs()
    );
}

fn close_opt(got: Option<f64>, want: &Value, tol: f64, what: &str) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => close(g, w, tol, what),
        (None, None) => {}
        _ => panic!("{what}: got {got:?}, want {want}"),
    }
}

/// `|got − want| ≤ tol·max(1, |want|)` for p-values spanning many magnitudes: relative for
/// tiny values.
fn close_rel(got: f64, want: f64, tol: f64, what: &str) {
    let scale = if want.abs() < 1e-3 { want.abs() } else { 1.0 };
    close(got, want, tol * scale.max(1e-300), what);
}

fn floats(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(Value::as_f64).collect()
}

fn close_vec(got: &[f64], want: &Value, tol: f64, what: &str) {
    let want = floats(want);
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        // null stands for +inf (the first ROC threshold).
        let w = w.unwrap_or(f64::INFINITY);
        if w.is_infinite() {
            assert_eq!(*g, w, "{what}[{i}]");
        } else {
            close(*g, w, tol, &format!("{what}[{i}]"));
        }
    }
}

fn check_comparison(got: Option<DeLongComparison>, want: &Value, what: &str) {
    if want.is_null() {
        assert_eq!(got, None, "{what}");
        return;
    }
    let got = got.unwrap_or_else(|| panic!("{what}: expected a comparison"));
    close(got.auc_a, want["auc_a"].as_f64().unwrap(), 1e-12, what);
    close(got.auc_b, want["auc_b"].as_f64().unwrap(), 1e-12, what);
    close(
        got.difference,
        want["difference"].as_f64().unwrap(),
        1e-12,
        what,
    );
    close(
        got.std_error,
        want["std_error"].as_f64().unwrap(),
        1e-12,
        what,
    );
    close_opt(got.z, &want["z"], 1e-9, &format!("{what} z"));
    let p = want["p_value"].as_f64().unwrap();
    close_rel(got.p_value.unwrap(), p, 1e-9, &format!("{what} p"));
    if let Some(m) = want.get("mlstatkit") {
        // MLstatkit signs z as (AUC_B − AUC_A) / SE.
        let z = m["z_b_minus_a"].as_f64().unwrap();
        close(got.z.unwrap(), -z, 1e-9, &format!("{what} z vs MLstatkit"));
        close_rel(
            got.p_value.unwrap(),
            m["p_value"].as_f64().unwrap(),
            1e-9,
            &format!("{what} p vs MLstatkit"),
        );
    }
}

#[test]
fn goldens_cover_every_fixture_log() {
    let g = goldens("ranking.json");
    assert_eq!(g["logs"].as_object().unwrap().len(), LOGS.len());
}

#[test]
fn auc_ap_ks_and_curves_match_sklearn_scipy() {
    let g = goldens("ranking.json");
    for name in LOGS {
        let log = read_log(name);
        let want = &g["logs"][name];
        let (s, y) = (&log.score[..], &log.label[..]);
        let summary = RankSummary::new(s, y).unwrap();
        assert_eq!(summary.n(), want["n"].as_u64().unwrap(), "{name} n");
        assert_eq!(
            summary.total_positives(),
            want["positives"].as_u64().unwrap()
        );

        close_opt(
            roc_auc(s, y).unwrap(),
            &want["roc_auc"],
            1e-12,
            &format!("{name} roc_auc"),
        );
        close_opt(
            average_precision(s, y).unwrap(),
            &want["average_precision"],
            1e-12,
            &format!("{name} average_precision"),
        );
        close_opt(
            ks_separation(s, y).unwrap(),
            &want["ks_separation"],
            1e-12,
            &format!("{name} ks_separation"),
        );

        match roc_curve(s, y).unwrap() {
            None => assert!(want["roc_curve"].is_null(), "{name}: roc_curve"),
            Some(c) => {
                let w = &want["roc_curve"];
                close_vec(&c.fpr, &w["fpr"], 1e-12, &format!("{name} fpr"));
                close_vec(&c.tpr, &w["tpr"], 1e-12, &format!("{name} tpr"));
                close_vec(
                    &c.thresholds,
                    &w["thresholds"],
                    0.0,
                    &format!("{name} roc thr"),
                );
            }
        }
        match precision_recall_curve(s, y).unwrap() {
            None => assert!(want["pr_curve"].is_null(), "{name}: pr_curve"),
            Some(c) => {
                let w = &want["pr_curve"];
                close_vec(
                    &c.precision,
                    &w["precision"],
                    1e-12,
                    &format!("{name} prec"),
                );
                close_vec(&c.recall, &w["recall"], 1e-12, &format!("{name} recall"));
                close_vec(
                    &c.thresholds,
                    &w["thresholds"],
                    0.0,
                    &format!("{name} pr thr"),
                );
            }
        }
    }
}

#[test]
fn deviation_ap_without_positives_is_none_not_zero() {
    // sklearn returns 0.0 (with a warning) when there are no positives; Plumb says undefined.
    let g = goldens("ranking.json");
    for name in ["one_class", "single_row"] {
        let log = read_log(name);
        assert_eq!(
            g["logs"][name]["sklearn_raw"]["average_precision"].as_f64(),
            Some(0.0)
        );
        assert_eq!(average_precision(&log.score, &log.label), Ok(None));
    }
}

#[test]
fn delong_matches_numpy_midrank_implementation_and_mlstatkit() {
    let g = goldens("ranking.json");
    for name in LOGS {
        let log = read_log(name);
        let want = &g["logs"][name];
        let (s, y) = (&log.score[..], &log.label[..]);
        match delong(s, y).unwrap() {
            None => assert!(want["delong"].is_null(), "{name}: delong"),
            Some(d) => {
                let w = &want["delong"];
                close(d.auc, w["auc"].as_f64().unwrap(), 1e-12, name);
                close(d.variance, w["variance"].as_f64().unwrap(), 1e-12, name);
                close(d.std_error, w["std_error"].as_f64().unwrap(), 1e-12, name);
            }
        }
        for conf in ["0.9", "0.95", "0.99"] {
            let c: f64 = conf.parse().unwrap();
            let got = auc_confidence_interval(s, y, c).unwrap();
            let w = &want["auc_ci"][conf];
            match got {
                None => assert!(w.is_null(), "{name} ci {conf}"),
                Some([lo, hi]) => {
                    close(lo, w[0].as_f64().unwrap(), 1e-9, &format!("{name} ci lo"));
                    close(hi, w[1].as_f64().unwrap(), 1e-9, &format!("{name} ci hi"));
                }
            }
        }
        if let Some(m) = want["paired"]["x1"].get("mlstatkit") {
            let [lo, hi] = auc_confidence_interval(s, y, 0.95).unwrap().unwrap();
            close(lo, m["ci_a_95"][0].as_f64().unwrap(), 1e-9, "MLstatkit ci");
            close(hi, m["ci_a_95"][1].as_f64().unwrap(), 1e-9, "MLstatkit ci");
        }
        check_comparison(
            delong_paired(s, &log.x1, y).unwrap(),
            &want["paired"]["x1"],
            &format!("{name} paired x1"),
        );
        check_comparison(
            delong_paired(s, &log.x2, y).unwrap(),
            &want["paired"]["x2"],
            &format!("{name} paired x2"),
        );
    }
}

#[test]
fn mlstatkit_cross_check_was_run() {
    // The paired DeLong goldens on the main logs carry MLstatkit's values (else the
    // cross-check above would be vacuous).
    let g = goldens("ranking.json");
    for name in ["basic", "ties", "extremes", "reference", "current"] {
        assert!(
            g["logs"][name]["paired"]["x1"].get("mlstatkit").is_some(),
            "{name}"
        );
    }
}

#[test]
fn unpaired_delong_matches_goldens() {
    let g = goldens("ranking.json");
    for case in g["unpaired"].as_array().unwrap() {
        let (a, b) = (case["a"].as_str().unwrap(), case["b"].as_str().unwrap());
        let (la, lb) = (read_log(a), read_log(b));
        let got = delong_unpaired((&la.score, &la.label), (&lb.score, &lb.label)).unwrap();
        check_comparison(got, &case["result"], &format!("unpaired {a} vs {b}"));
    }
}

#[test]
fn unequal_lengths_are_errors() {
    let log = read_log("basic");
    let short = &log.label[..10];
    assert!(matches!(
        roc_auc(&log.score, short),
        Err(RankingError::LengthMismatch { .. })
    ));
    assert!(matches!(
        delong_paired(&log.score, &log.x1[..10], &log.label),
        Err(RankingError::LengthMismatch { .. })
    ));
}

// ------------------------------------------------------------------ properties ------------

/// Rows with scores on a 1/1000 grid (so ties are common and monotone maps keep them distinct).
fn rows() -> impl Strategy<Value = (Vec<f64>, Vec<u8>)> {
    prop::collection::vec((0u32..=1000, 0u8..=1), 0..120)
        .prop_map(|v| v.into_iter().map(|(k, y)| (k as f64 / 1000.0, y)).unzip())
}

fn brute_auc(s: &[f64], y: &[u8]) -> Option<f64> {
    let (mut won, mut pairs) = (0.0, 0u64);
    for (i, &si) in s.iter().enumerate() {
        for (j, &sj) in s.iter().enumerate() {
            if y[i] == 1 && y[j] == 0 {
                pairs += 1;
                won += if si > sj {
                    1.0
                } else if si == sj {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    (pairs > 0).then(|| won / pairs as f64)
}

/// DeLong variance straight from the definition: ψ averaged over all pairs (O(P·N)).
fn brute_delong_variance(s: &[f64], y: &[u8]) -> Option<f64> {
    let pos: Vec<f64> = s
        .iter()
        .zip(y)
        .filter(|p| *p.1 == 1)
        .map(|p| *p.0)
        .collect();
    let neg: Vec<f64> = s
        .iter()
        .zip(y)
        .filter(|p| *p.1 == 0)
        .map(|p| *p.0)
        .collect();
    if pos.len() < 2 || neg.len() < 2 {
        return None;
    }
    let psi = |x: f64, z: f64| {
        if x > z {
            1.0
        } else if x == z {
            0.5
        } else {
            0.0
        }
    };
    let v10: Vec<f64> = pos
        .iter()
        .map(|&x| neg.iter().map(|&z| psi(x, z)).sum::<f64>() / neg.len() as f64)
        .collect();
    let v01: Vec<f64> = neg
        .iter()
        .map(|&z| pos.iter().map(|&x| psi(x, z)).sum::<f64>() / pos.len() as f64)
        .collect();
    let var = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64
    };
    Some(var(&v10) / pos.len() as f64 + var(&v01) / neg.len() as f64)
}

fn brute_ks(s: &[f64], y: &[u8]) -> Option<f64> {
    let p = y.iter().filter(|&&v| v == 1).count() as f64;
    let q = y.len() as f64 - p;
    if p == 0.0 || q == 0.0 {
        return None;
    }
    let mut best: f64 = 0.0;
    for &t in s {
        let f1 = s.iter().zip(y).filter(|r| *r.1 == 1 && *r.0 <= t).count() as f64 / p;
        let f0 = s.iter().zip(y).filter(|r| *r.1 == 0 && *r.0 <= t).count() as f64 / q;
        best = best.max((f1 - f0).abs());
    }
    Some(best)
}

fn approx(a: Option<f64>, b: Option<f64>, tol: f64) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= tol,
        (None, None) => true,
        _ => false,
    }
}

proptest! {
    #[test]
    fn auc_of_reversed_scores_is_one_minus_auc((s, y) in rows()) {
        let flipped: Vec<f64> = s.iter().map(|v| 1.0 - v).collect();
        let a = roc_auc(&s, &y).unwrap();
        let b = roc_auc(&flipped, &y).unwrap();
        prop_assert!(approx(b, a.map(|v| 1.0 - v), 1e-12), "{a:?} {b:?}");
    }

    #[test]
    fn auc_is_invariant_under_monotone_transforms((s, y) in rows()) {
        let a = roc_auc(&s, &y).unwrap();
        for f in [|v: f64| v * v * v, |v: f64| (3.0 * v).exp(), |v: f64| 10.0 * v - 4.0] {
            let t: Vec<f64> = s.iter().map(|&v| f(v)).collect();
            prop_assert_eq!(roc_auc(&t, &y).unwrap(), a);
            prop_assert_eq!(ks_separation(&t, &y).unwrap(), ks_separation(&s, &y).unwrap());
        }
    }

    #[test]
    fn auc_and_delong_match_pairwise_definitions((s, y) in rows()) {
        prop_assert!(approx(roc_auc(&s, &y).unwrap(), brute_auc(&s, &y), 1e-12));
        let v = delong(&s, &y).unwrap().map(|d| d.variance);
        prop_assert!(approx(v, brute_delong_variance(&s, &y), 1e-12), "{v:?}");
    }

    #[test]
    fn ks_matches_direct_cdfs((s, y) in rows()) {
        prop_assert!(approx(ks_separation(&s, &y).unwrap(), brute_ks(&s, &y), 1e-12));
    }

    #[test]
    fn ap_is_a_probability_and_curves_are_monotone((s, y) in rows()) {
        if let Some(ap) = average_precision(&s, &y).unwrap() {
            prop_assert!((0.0..=1.0).contains(&ap));
        }
        if let Some(c) = roc_curve(&s, &y).unwrap() {
            prop_assert!(c.fpr.windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(c.tpr.windows(2).all(|w| w[0] <= w[1]));
            prop_assert_eq!((c.fpr[0], c.tpr[0]), (0.0, 0.0));
            prop_assert_eq!((*c.fpr.last().unwrap(), *c.tpr.last().unwrap()), (1.0, 1.0));
            // Trapezoids under the (thinned) curve give the AUC again.
            let area: f64 = (1..c.fpr.len())
                .map(|i| (c.fpr[i] - c.fpr[i - 1]) * (c.tpr[i] + c.tpr[i - 1]) / 2.0)
                .sum();
            prop_assert!((area - roc_auc(&s, &y).unwrap().unwrap()).abs() < 1e-12);
        }
        if let Some(c) = precision_recall_curve(&s, &y).unwrap() {
            prop_assert!(c.recall.windows(2).all(|w| w[0] >= w[1]));
            prop_assert!(c.thresholds.windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(c.precision.len(), c.thresholds.len() + 1);
        }
    }

    #[test]
    fn confidence_interval_contains_auc((s, y) in rows(), c in 0.5f64..0.999) {
        if let Some([lo, hi]) = auc_confidence_interval(&s, &y, c).unwrap() {
            let auc = roc_auc(&s, &y).unwrap().unwrap();
            prop_assert!(0.0 <= lo && lo <= auc + 1e-15 && auc <= hi + 1e-15 && hi <= 1.0);
        }
    }

    #[test]
    fn delong_comparisons_are_antisymmetric((s, y) in rows(), (t, z) in rows()) {
        let ab = delong_unpaired((&s, &y), (&t, &z)).unwrap();
        let ba = delong_unpaired((&t, &z), (&s, &y)).unwrap();
        prop_assert_eq!(ab.map(|c| c.z.map(|v| -v)), ba.map(|c| c.z));
        // Paired against a reversed copy of itself on the same rows.
        let flipped: Vec<f64> = s.iter().map(|v| 1.0 - v).collect();
        let p1 = delong_paired(&s, &flipped, &y).unwrap();
        let p2 = delong_paired(&flipped, &s, &y).unwrap();
        prop_assert!(approx(p1.and_then(|c| c.z), p2.and_then(|c| c.z.map(|v| -v)), 1e-9));
        let same = delong_paired(&s, &s, &y).unwrap();
        prop_assert!(same.is_none_or(|c| c.difference == 0.0 && c.z.is_none()));
    }
}

#[test]
fn summary_from_counts_agrees_with_rows() {
    let log = read_log("ties");
    let a = RankSummary::new(&log.score, &log.label).unwrap();
    let b = RankSummary::from_counts(
        a.scores().to_vec(),
        a.positives().to_vec(),
        a.negatives().to_vec(),
    )
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 10); // a 0.1 grid: 0.0, 0.1, ..., 0.9 occur in the log
    assert_eq!(ranking::confidence_interval(&a, 0.95), {
        auc_confidence_interval(&log.score, &log.label, 0.95)
    });
}
