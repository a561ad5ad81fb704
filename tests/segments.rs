//! Golden and property tests for `core::segments`.
//!
//! Goldens: `tests/fixtures/goldens/segments.json`, written by
//! `tests/fixtures/make_goldens_segments.py` with NumPy (counts, means, ECE, citl, z),
//! SciPy (`norm.sf`, `norm.ppf`), scikit-learn (`roc_auc_score`), statsmodels
//! (`multipletests(method="fdr_bh")`, cross-checked against `scipy.stats.false_discovery_control`)
//! and an O(P·N) DeLong written from its definition, on `basic.csv` grouped by `segment`,
//! `country` and both combined, and `extremes.csv` by `country` and by exact-0/1 scores.
//!
//! Tolerances: counts, flags and order exact; means, rates, ECE, citl and AUC 1e-12 absolute
//! (same formula, different summation order); z 1e-9 absolute; p- and q-values 1e-9 relative
//! (statrs' `erfc` differs from SciPy's by up to ~1e-10 relative); DeLong bounds 1e-9 absolute
//! (normal quantile from statrs vs SciPy).

mod common;
use common::{FixtureLog, goldens};

use plumb::core::metrics::ranking;
use plumb::core::segments::{
    SegmentReport, SegmentStats, benjamini_hochberg, ece_uniform, encode, segment_report,
};
use proptest::prelude::*;
use serde_json::Value;

struct Log {
    score: Vec<f64>,
    label: Vec<u8>,
    segment: Vec<String>,
    country: Vec<String>,
}

fn read_log(name: &str) -> Log {
    let log = FixtureLog::read(name);
    Log {
        score: log.floats("score"),
        label: log.labels("label"),
        segment: log.strings("segment"),
        country: log.strings("country"),
    }
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e} (diff {:e})",
        (got - want).abs()
    );
}

fn close_rel(got: f64, want: f64, tol: f64, what: &str) {
    let scale = want.abs().max(f64::MIN_POSITIVE);
    assert!(
        (got - want).abs() <= tol * scale,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// The grouping values of a golden case.
fn values(case: &str) -> (Log, Vec<String>) {
    let (file, key) = case.split_once('/').unwrap();
    let log = read_log(file);
    let v = match key {
        "segment" => log.segment.clone(),
        "country" => log.country.clone(),
        "segment_country" => log
            .segment
            .iter()
            .zip(&log.country)
            .map(|(a, b)| format!("{a}/{b}"))
            .collect(),
        "exact" => log
            .score
            .iter()
            .map(|&s| {
                if s == 0.0 || s == 1.0 {
                    "exact"
                } else {
                    "interior"
                }
                .to_string()
            })
            .collect(),
        other => panic!("unknown case key {other}"),
    };
    (log, v)
}

fn check_segment(got: &SegmentStats, want: &Value, what: &str) {
    assert_eq!(got.n, want["n"].as_u64().unwrap(), "{what} n");
    assert_eq!(
        got.positives,
        want["positives"].as_u64().unwrap(),
        "{what} positives"
    );
    for (field, value) in [
        ("positive_rate", got.positive_rate),
        ("mean_score", got.mean_score),
        ("ece", got.ece),
        ("calibration_in_the_large", got.calibration_in_the_large),
    ] {
        close(
            value,
            want[field].as_f64().unwrap(),
            1e-12,
            &format!("{what} {field}"),
        );
    }
    match (got.citl_z, want["citl_z"].as_f64()) {
        (Some(g), Some(w)) => close(g, w, 1e-9, &format!("{what} z")),
        (None, None) => {}
        (g, w) => panic!("{what} z: got {g:?}, want {w:?}"),
    }
    close_rel(
        got.citl_p_value,
        want["citl_p_value"].as_f64().unwrap(),
        1e-9,
        &format!("{what} p"),
    );
    close_rel(
        got.q_value,
        want["q_value"].as_f64().unwrap(),
        1e-9,
        &format!("{what} q"),
    );
    assert_eq!(
        got.flagged,
        want["flagged"].as_bool().unwrap(),
        "{what} flagged"
    );
    match (got.roc_auc, want["roc_auc"].as_f64()) {
        (Some(g), Some(w)) => close(g, w, 1e-12, &format!("{what} auc")),
        (None, None) => {}
        (g, w) => panic!("{what} auc: got {g:?}, want {w:?}"),
    }
    match (got.roc_auc_ci, want["roc_auc_ci"].as_array()) {
        (Some(g), Some(w)) => {
            close(g[0], w[0].as_f64().unwrap(), 1e-9, &format!("{what} ci lo"));
            close(g[1], w[1].as_f64().unwrap(), 1e-9, &format!("{what} ci hi"));
        }
        (None, None) => {}
        (g, w) => panic!("{what} ci: got {g:?}, want {w:?}"),
    }
}

#[test]
fn golden_segment_reports() {
    let g = goldens("segments.json");
    let confidence = g["confidence"].as_f64().unwrap();
    let cases = g["cases"].as_object().unwrap();
    assert_eq!(cases.len(), 5);
    let mut flagged = 0;
    for (case, want) in cases {
        let (log, v) = values(case);
        let (codes, names) = encode(&v);
        let want_names: Vec<&str> = want["names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(names, want_names, "{case} names");
        let report = segment_report(&log.score, &log.label, &codes, &names, confidence).unwrap();
        let order: Vec<&str> = report.segments.iter().map(|s| s.name.as_str()).collect();
        let want_order: Vec<&str> = want["order"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap())
            .collect();
        assert_eq!(order, want_order, "{case} order");
        for w in want["segments"].as_array().unwrap() {
            let name = w["name"].as_str().unwrap();
            let got = report.get(name).unwrap();
            check_segment(got, w, &format!("{case}/{name}"));
            assert_eq!(names[got.code as usize], name);
            flagged += usize::from(got.flagged);
        }
    }
    // The goldens exercise both outcomes of the flag.
    assert!(flagged > 0);
}

#[test]
fn report_serialises() {
    let log = read_log("basic");
    let (codes, names) = encode(&log.country);
    let report = segment_report(&log.score, &log.label, &codes, &names, 0.9).unwrap();
    let text = serde_json::to_string(&report).unwrap();
    // serde_json parses floats to within an ulp (no `float_roundtrip` feature), so compare
    // the structure exactly and the numbers closely.
    let back: SegmentReport = serde_json::from_str(&text).unwrap();
    assert_eq!(back.segments.len(), report.segments.len());
    for (a, b) in back.segments.iter().zip(&report.segments) {
        assert_eq!((&a.name, a.n, a.flagged), (&b.name, b.n, b.flagged));
        close_rel(a.q_value, b.q_value, 1e-15, "q");
        close_rel(a.ece, b.ece, 1e-15, "ece");
    }
    assert!(text.contains("\"q_value\""));
}

// ---------------------------------------------------------------------------------------------
// Properties

/// BH from its definition: q_(k) = min over j ≥ k of min(1, m·p_(j)/j).
fn brute_bh(p: &[f64]) -> Vec<f64> {
    let m = p.len() as f64;
    let mut sorted: Vec<f64> = p.to_vec();
    sorted.sort_by(f64::total_cmp);
    p.iter()
        .map(|&pi| {
            // the last rank of pi among the sorted values
            let k = sorted.iter().rposition(|&s| s == pi).unwrap();
            (k..sorted.len())
                .map(|j| (m * sorted[j] / (j + 1) as f64).min(1.0))
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

fn rows_strategy() -> impl Strategy<Value = Vec<(f64, u8, u32)>> {
    prop::collection::vec(
        (
            prop_oneof![3 => 0.0f64..=1.0, 1 => (0u32..=10).prop_map(|k| f64::from(k) / 10.0)],
            0u8..=1,
            0u32..5,
        ),
        0..120,
    )
}

proptest! {
    #[test]
    fn bh_matches_its_definition(p in prop::collection::vec(0.0f64..=1.0, 0..30)) {
        let q = benjamini_hochberg(&p);
        let want = brute_bh(&p);
        for ((&qi, &wi), &pi) in q.iter().zip(&want).zip(&p) {
            prop_assert!((qi - wi).abs() <= 1e-12, "{qi} vs {wi}");
            prop_assert!(qi >= pi && qi <= 1.0);
        }
        // monotone: a smaller p never gets a larger q
        for i in 0..p.len() {
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    prop_assert!(q[i] <= q[j]);
                }
            }
        }
    }

    #[test]
    fn segment_report_invariants(rows in rows_strategy()) {
        let s: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let y: Vec<u8> = rows.iter().map(|r| r.1).collect();
        let c: Vec<u32> = rows.iter().map(|r| r.2).collect();
        let names: Vec<String> = (0..5).map(|k| format!("g{k}")).collect();
        let report = segment_report(&s, &y, &c, &names, 0.95).unwrap();
        let total: u64 = report.segments.iter().map(|g| g.n).sum();
        prop_assert_eq!(total, s.len() as u64);
        let pos: u64 = report.segments.iter().map(|g| g.positives).sum();
        prop_assert_eq!(pos, y.iter().map(|&v| u64::from(v)).sum::<u64>());
        for g in &report.segments {
            prop_assert!(g.n > 0);
            // |citl| ≤ ECE ≤ 1: binning can only add absolute values.
            prop_assert!(g.calibration_in_the_large.abs() <= g.ece + 1e-12);
            prop_assert!(g.ece <= 1.0 + 1e-12);
            prop_assert!(g.citl_p_value >= 0.0 && g.citl_p_value <= 1.0);
            prop_assert!(g.q_value >= g.citl_p_value && g.q_value <= 1.0);
            prop_assert_eq!(g.flagged, g.q_value < 0.05);
            // Each segment's AUC is the AUC of its own rows.
            let (ss, ys): (Vec<f64>, Vec<u8>) = rows
                .iter()
                .filter(|r| r.2 == g.code)
                .map(|r| (r.0, r.1))
                .unzip();
            prop_assert_eq!(g.roc_auc, ranking::roc_auc(&ss, &ys).unwrap());
            prop_assert_eq!(g.ece, ece_uniform(&ss, &ys).unwrap());
        }
        // Worst first: the excess |Σp − Σy| never increases down the list.
        let excess: Vec<f64> = report
            .segments
            .iter()
            .map(|g| (g.calibration_in_the_large * g.n as f64).abs())
            .collect();
        prop_assert!(excess.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn row_order_does_not_matter(rows in rows_strategy(), seed in any::<u64>()) {
        let names: Vec<String> = (0..5).map(|k| format!("g{k}")).collect();
        let split = |rows: &[(f64, u8, u32)]| {
            let s: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let y: Vec<u8> = rows.iter().map(|r| r.1).collect();
            let c: Vec<u32> = rows.iter().map(|r| r.2).collect();
            (s, y, c)
        };
        let (s, y, c) = split(&rows);
        let a = segment_report(&s, &y, &c, &names, 0.95).unwrap();
        let mut shuffled = rows.clone();
        // a deterministic permutation from the seed
        let n = shuffled.len();
        for i in (1..n).rev() {
            let j = (seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64) >> 11) as usize % (i + 1);
            shuffled.swap(i, j);
        }
        let (s, y, c) = split(&shuffled);
        let b = segment_report(&s, &y, &c, &names, 0.95).unwrap();
        prop_assert_eq!(a.segments.len(), b.segments.len());
        for (x, z) in a.segments.iter().zip(&b.segments) {
            prop_assert_eq!(&x.name, &z.name);
            prop_assert_eq!((x.n, x.positives), (z.n, z.positives));
            prop_assert!((x.mean_score - z.mean_score).abs() <= 1e-12);
            prop_assert!((x.ece - z.ece).abs() <= 1e-12);
            prop_assert_eq!(x.roc_auc, z.roc_auc);
        }
    }
}
