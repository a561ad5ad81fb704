//! Golden and property tests for `core::metrics::recalibrate`.
//!
//! Goldens: `tests/fixtures/goldens/recal.json`, written by
//! `tests/fixtures/make_goldens_recal.py`. Each case fits a map on one fixture log and applies
//! it to another log and to the grid k/100. Tolerances (the case's `coef_tol`):
//! * optimiser-dependent fits (Platt, logistic-on-logit, temperature, beta; references
//!   `LogisticRegression(C=inf, solver="newton-cholesky", tol=1e-14)` and scipy's
//!   `minimize_scalar` + `brentq`): 1e-8 on coefficients (relative to max(1, |coefficient|))
//!   and on probabilities — tighter than the 1e-6 the brief allows, because both sides solve
//!   the score equations to rounding (observed agreement ~1e-14);
//! * isotonic (`sklearn.isotonic.IsotonicRegression`) and histogram binning (numpy): 1e-9;
//! * prior correction (closed form): 1e-12.
//!
//! Looser cross-checks against the libraries' own calibration code: scikit-learn's
//! `_sigmoid_calibration` (L-BFGS-B, gtol 1e-6) at 1e-5 and `betacal` (lbfgs, tol 1e-4) at 2e-3.

mod common;
use common::{f, floats, goldens, scores_and_labels};

use plumb::core::metrics::recalibrate::{CalibrationMap, Method, RecalError, fit};
use plumb::core::report::BinStrategy;
use proptest::prelude::*;

fn close_rel(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want} (diff {:e})",
        (got - want).abs()
    );
}

fn close_vec(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        close_rel(*g, *w, tol, &format!("{what}[{i}]"));
    }
}

fn grid() -> Vec<f64> {
    (0..=100).map(|k| k as f64 / 100.0).collect()
}

/// Compares two maps of the same method parameter by parameter.
fn compare_maps(got: &CalibrationMap, want: &CalibrationMap, tol: f64, what: &str) {
    use CalibrationMap as M;
    match (got, want) {
        (M::Platt { a, b }, M::Platt { a: a2, b: b2 })
        | (M::PlattLogit { a, b }, M::PlattLogit { a: a2, b: b2 }) => {
            close_rel(*a, *a2, tol, &format!("{what} a"));
            close_rel(*b, *b2, tol, &format!("{what} b"));
        }
        (M::Temperature { t }, M::Temperature { t: t2 }) => {
            close_rel(*t, *t2, tol, &format!("{what} t"))
        }
        (
            M::Beta { a, b, c },
            M::Beta {
                a: a2,
                b: b2,
                c: c2,
            },
        ) => {
            close_rel(*a, *a2, tol, &format!("{what} a"));
            close_rel(*b, *b2, tol, &format!("{what} b"));
            close_rel(*c, *c2, tol, &format!("{what} c"));
        }
        (M::Isotonic { x, y }, M::Isotonic { x: x2, y: y2 }) => {
            assert_eq!(x, x2, "{what}: isotonic thresholds");
            close_vec(y, y2, tol, &format!("{what} y"));
        }
        (
            M::Histogram { edges, values },
            M::Histogram {
                edges: e2,
                values: v2,
            },
        ) => {
            close_vec(edges, e2, 1e-15, &format!("{what} edges"));
            close_vec(values, v2, tol, &format!("{what} values"));
        }
        (
            M::PriorCorrection {
                prior_reference,
                prior_current,
            },
            M::PriorCorrection {
                prior_reference: r2,
                prior_current: c2,
            },
        ) => {
            close_rel(*prior_reference, *r2, 1e-15, &format!("{what} π_ref"));
            close_rel(*prior_current, *c2, 0.0, &format!("{what} π_cur"));
        }
        _ => panic!("{what}: different methods: {got:?} vs {want:?}"),
    }
}

#[test]
fn fitted_maps_match_reference_libraries() {
    let g = goldens("recal.json");
    let cases = g["recalibrate"]["cases"].as_array().expect("cases");
    assert!(cases.len() >= 40);
    for case in cases {
        let fit_on = case["fit_on"].as_str().expect("name");
        let apply_to = case["apply_to"].as_str().expect("name");
        let method: Method = serde_json::from_value(case["method"].clone()).expect("method");
        let want: CalibrationMap = serde_json::from_value(case["map"].clone()).expect("map");
        let tol = f(&case["coef_tol"]);
        let what = format!("{fit_on} {method:?}");
        let (s, y) = scores_and_labels(fit_on);
        let map = fit(&method, &s, &y).unwrap_or_else(|e| panic!("{what}: {e}"));
        compare_maps(&map, &want, tol, &what);
        let (s2, _) = scores_and_labels(apply_to);
        close_vec(
            &map.apply_all(&s2),
            &floats(&case["applied"]),
            tol,
            &format!("{what} on {apply_to}"),
        );
        close_vec(
            &map.apply_all(&grid()),
            &floats(&case["grid"]),
            tol,
            &format!("{what} on grid"),
        );
    }
}

#[test]
fn smoothed_platt_agrees_with_sklearn_sigmoid_calibration() {
    let g = goldens("recal.json");
    let cc = &g["recalibrate"]["cross_checks"]["sklearn_sigmoid_calibration"];
    let (s, y) = scores_and_labels(cc["fit_on"].as_str().expect("name"));
    let map = fit(
        &Method::Platt {
            smooth_targets: true,
        },
        &s,
        &y,
    )
    .expect("fit");
    let CalibrationMap::Platt { a, b } = map else {
        panic!("not platt: {map:?}")
    };
    close_rel(a, f(&cc["a"]), 1e-5, "sigmoid_calibration a");
    close_rel(b, f(&cc["b"]), 1e-5, "sigmoid_calibration b");
}

#[test]
fn beta_agrees_with_betacal() {
    let g = goldens("recal.json");
    let cc = &g["recalibrate"]["cross_checks"]["betacal"];
    if cc.is_null() {
        // The generator ran without betacal installed; the LogisticRegression golden in
        // `fitted_maps_match_reference_libraries` still covers beta calibration.
        return;
    }
    let (s, y) = scores_and_labels(cc["fit_on"].as_str().expect("name"));
    let map = fit(&Method::Beta, &s, &y).expect("fit");
    let CalibrationMap::Beta { a, b, c } = map else {
        panic!("not beta: {map:?}")
    };
    close_rel(a, f(&cc["a"]), 2e-3, "betacal a");
    close_rel(b, f(&cc["b"]), 2e-3, "betacal b");
    close_rel(c, f(&cc["c"]), 2e-3, "betacal c");
    let beta = CalibrationMap::Beta { a, b, c };
    close_vec(
        &beta.apply_all(&grid()),
        &floats(&cc["grid"]),
        2e-3,
        "betacal grid",
    );
}

#[test]
fn json_is_tagged_by_method() {
    let (s, y) = scores_and_labels("basic.csv");
    let map = fit(
        &Method::Platt {
            smooth_targets: false,
        },
        &s,
        &y,
    )
    .expect("fit");
    let v = serde_json::to_value(&map).expect("serialise");
    assert_eq!(v["method"], "platt");
    assert!(v["a"].is_f64() && v["b"].is_f64());
    assert_eq!(v.as_object().expect("object").len(), 3);
    let v = serde_json::to_value(CalibrationMap::Temperature { t: 1.5 }).expect("serialise");
    assert_eq!(v, serde_json::json!({"method": "temperature", "t": 1.5}));
    let m: Method = serde_json::from_str(r#"{"method":"platt"}"#).expect("default smoothing");
    assert_eq!(
        m,
        Method::Platt {
            smooth_targets: false
        }
    );
    let m: Method =
        serde_json::from_str(r#"{"method":"histogram","bins":5,"strategy":"quantile"}"#)
            .expect("histogram");
    assert_eq!(
        m,
        Method::Histogram {
            bins: 5,
            strategy: BinStrategy::Quantile
        }
    );
}

fn all_methods() -> Vec<Method> {
    vec![
        Method::Platt {
            smooth_targets: false,
        },
        Method::Platt {
            smooth_targets: true,
        },
        Method::PlattLogit,
        Method::Temperature,
        Method::Beta,
        Method::Isotonic,
        Method::Histogram {
            bins: 10,
            strategy: BinStrategy::Uniform,
        },
        Method::Histogram {
            bins: 10,
            strategy: BinStrategy::Quantile,
        },
        Method::PriorCorrection { prior_current: 0.5 },
    ]
}

#[test]
fn degenerate_fixture_logs_give_typed_errors() {
    for m in all_methods() {
        let (s, y) = scores_and_labels("one_class.csv");
        assert_eq!(fit(&m, &s, &y), Err(RecalError::OneClass), "{m:?}");
        let (s, y) = scores_and_labels("single_row.csv");
        assert_eq!(fit(&m, &s, &y), Err(RecalError::OneClass), "{m:?}");
        let (s, y) = scores_and_labels("constant.csv");
        let r = fit(&m, &s, &y);
        if matches!(m, Method::PriorCorrection { .. }) {
            assert!(r.is_ok());
        } else {
            assert!(
                matches!(r, Err(RecalError::TooFewDistinctScores { found: 1, .. })),
                "{m:?}: {r:?}"
            );
        }
    }
}

/// Brute-force isotonic regression at the distinct scores: the min–max formula
/// ŷᵢ = max_{j ≤ i} min_{k ≥ i} mean(y over unique points j..=k), weighted by counts
/// (Robertson, Wright & Dykstra 1988, Theorem 1.4.4). O(m³), for small inputs.
fn isotonic_brute(scores: &[f64], labels: &[u8]) -> (Vec<f64>, Vec<f64>) {
    let mut pairs: Vec<(f64, u8)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut xs: Vec<f64> = Vec::new();
    let mut pos: Vec<f64> = Vec::new();
    let mut cnt: Vec<f64> = Vec::new();
    for (s, y) in pairs {
        if xs.last() == Some(&s) {
            *pos.last_mut().expect("non-empty") += f64::from(y);
            *cnt.last_mut().expect("non-empty") += 1.0;
        } else {
            xs.push(s);
            pos.push(f64::from(y));
            cnt.push(1.0);
        }
    }
    let m = xs.len();
    let fitted = (0..m)
        .map(|i| {
            (0..=i)
                .map(|j| {
                    (i..m)
                        .map(|k| pos[j..=k].iter().sum::<f64>() / cnt[j..=k].iter().sum::<f64>())
                        .fold(f64::INFINITY, f64::min)
                })
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    (xs, fitted)
}

fn sample() -> impl Strategy<Value = (Vec<f64>, Vec<u8>)> {
    // Scores on a coarse grid half of the time, to exercise ties.
    prop::collection::vec(
        (
            prop_oneof![0.0f64..=1.0, (0u32..=10).prop_map(|k| f64::from(k) / 10.0)],
            0u8..=1,
        ),
        2..60,
    )
    .prop_map(|rows| rows.into_iter().unzip())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn maps_are_monotone_bounded_and_round_trip(
        (s, y) in sample(),
        probes in prop::collection::vec(0.0f64..=1.0, 2..30),
    ) {
        let mut probes = probes;
        probes.extend([0.0, 1.0]);
        probes.sort_by(f64::total_cmp);
        for m in all_methods() {
            let Ok(map) = fit(&m, &s, &y) else { continue };
            let out = map.apply_all(&probes);
            for p in &out {
                prop_assert!((0.0..=1.0).contains(p), "{:?} gave {}", map, p);
            }
            if !matches!(map, CalibrationMap::Histogram { .. }) {
                for w in out.windows(2) {
                    prop_assert!(w[0] <= w[1], "{:?} not monotone: {:?}", map, out);
                }
            }
            let text = serde_json::to_string(&map).expect("serialise");
            let back: CalibrationMap = serde_json::from_str(&text).expect("deserialise");
            // Exact: serde_json's float_roundtrip feature parses f64 losslessly.
            prop_assert_eq!(&back, &map);
            prop_assert_eq!(back.apply_all(&probes), out);
        }
    }

    #[test]
    fn isotonic_matches_brute_force_minmax((s, y) in sample()) {
        let Ok(map) = fit(&Method::Isotonic, &s, &y) else { return Ok(()) };
        let (xs, fitted) = isotonic_brute(&s, &y);
        for (x, want) in xs.iter().zip(&fitted) {
            let got = map.apply(*x);
            prop_assert!((got - want).abs() < 1e-12, "at {}: {} vs {}", x, got, want);
        }
    }

    #[test]
    fn histogram_value_is_training_rate_in_bin((s, y) in sample(), bins in 1usize..12) {
        let m = Method::Histogram { bins, strategy: BinStrategy::Uniform };
        let Ok(map) = fit(&m, &s, &y) else { return Ok(()) };
        let CalibrationMap::Histogram { edges, .. } = &map else { unreachable!() };
        let bin = |v: f64| edges[1..bins].iter().filter(|&&e| e < v).count();
        for &v in &s {
            let (mut n, mut p) = (0.0, 0.0);
            for (&si, &yi) in s.iter().zip(&y) {
                if bin(si) == bin(v) {
                    n += 1.0;
                    p += f64::from(yi);
                }
            }
            prop_assert!((map.apply(v) - p / n).abs() < 1e-15);
        }
    }
}
