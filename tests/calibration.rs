//! Golden tests for `core::metrics::{calibration, intervals}` against scikit-learn, SciPy,
//! statsmodels and netcal, via `tests/fixtures/goldens/calibration.json` (written by
//! `tests/fixtures/make_goldens_calibration.py` from the logs in `tests/fixtures/logs/`).
//!
//! Tolerances: bin edges are compared bit for bit (Plumb replicates NumPy's `linspace` and
//! `percentile` arithmetic); counts exactly; quantities that are exact sums and ratios to 1e-12;
//! iterative or special-function results (beta quantiles, the logistic fit, χ² and normal tail
//! probabilities) to the tolerances stated beside each check.

mod common;
use common::{f, goldens, scores_and_labels};

use plumb::core::metrics::calibration::{
    SKLEARN_LOG_LOSS_EPS, brier_decomposition, brier_score, calibration_errors,
    calibration_in_the_large, hosmer_lemeshow, log_loss, logistic_calibration, reliability_bins,
    spiegelhalter,
};
use plumb::core::metrics::intervals::{
    beta_quantile, clopper_pearson, regularized_incomplete_beta, wilson,
};
use plumb::core::report::{BinStrategy, IntervalMethod};
use serde_json::Value;

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

#[track_caller]
fn close(got: f64, want: f64, abs: f64, rel: f64, what: &str) {
    let err = (got - want).abs();
    assert!(
        err <= abs || err <= rel * want.abs(),
        "{what}: got {got:e}, want {want:e} (error {err:e})"
    );
}

fn pair(v: &Value) -> (f64, f64) {
    (f(&v[0]), f(&v[1]))
}

#[test]
fn intervals_match_statsmodels() {
    let g = goldens("calibration.json");
    let cases = g["intervals"].as_array().expect("intervals");
    assert!(cases.len() > 100);
    for c in cases {
        let (k, n, conf) = (u(&c["k"]), u(&c["n"]), f(&c["confidence"]));
        let what = format!("k={k} n={n} confidence={conf}");
        // Clopper–Pearson: Beta quantiles; statsmodels uses SciPy (Boost's ibeta_inv), which
        // is good to ~1e-11 relative except for bounds near 0 at huge n (up to 1e-8 relative,
        // 1e-16 absolute; see the 50-digit test below), hence the absolute term.
        let (lo, hi) = clopper_pearson(k, n, conf).expect("valid");
        let (wlo, whi) = pair(&c["clopper_pearson"]);
        close(lo, wlo, 1e-15, 1e-11, &format!("CP lower {what}"));
        close(hi, whi, 1e-15, 1e-11, &format!("CP upper {what}"));
        if k == 0 {
            assert_eq!(lo, 0.0);
        }
        if k == n {
            assert_eq!(hi, 1.0);
        }
        // Wilson: closed form; only z = Φ⁻¹(1 − α/2) is a special function.
        let (lo, hi) = wilson(k, n, conf).expect("valid");
        let (wlo, whi) = pair(&c["wilson"]);
        close(lo, wlo, 1e-15, 1e-12, &format!("Wilson lower {what}"));
        close(hi, whi, 1e-15, 1e-12, &format!("Wilson upper {what}"));
    }
}

#[test]
fn clopper_pearson_matches_50_digit_reference() {
    // Large n, bounds down to 1e-11: full relative precision, where statsmodels itself is off
    // by up to 1e-8 relative (k = 1, n = 10⁹), which is why the test above needs its abs term.
    let g = goldens("calibration.json");
    let cases = g["intervals_50_digits"].as_array().expect("cases");
    assert!(cases.len() >= 21);
    for c in cases {
        let (k, n, conf) = (u(&c["k"]), u(&c["n"]), f(&c["confidence"]));
        let (lo, hi) = clopper_pearson(k, n, conf).expect("valid");
        let (wlo, whi) = pair(&c["clopper_pearson"]);
        // k > 10⁵ with a bound below 0.01 takes the continued fraction in 1 − x, good to
        // ~ε/x relative (documented in intervals.rs); everything else to full precision.
        let tol = |bound: f64| {
            if k > 100_000 && n - k > 100_000 && bound.min(1.0 - bound) < 0.01 {
                1e-12
            } else {
                1e-14
            }
        };
        close(lo, wlo, 0.0, tol(wlo), &format!("CP lower k={k} n={n}"));
        close(hi, whi, 0.0, tol(whi), &format!("CP upper k={k} n={n}"));
    }
}

#[test]
fn beta_functions_match_50_digit_reference() {
    let g = goldens("calibration.json");
    for c in g["beta"].as_array().expect("beta") {
        let (a, b, p) = (f(&c["a"]), f(&c["b"]), f(&c["p"]));
        let x = beta_quantile(a, b, p);
        // The root at 50 digits (mpmath).
        close(
            x,
            f(&c["ppf"]),
            0.0,
            1e-12,
            &format!("beta quantile({p}; {a}, {b})"),
        );
        // SciPy's beta.ppf is recorded too; it is off by up to ~5e-9 relative in the upper
        // tail for large parameters, so it is only a loose cross-check.
        close(
            x,
            f(&c["scipy_ppf"]),
            0.0,
            1e-8,
            &format!("scipy ppf({p}; {a}, {b})"),
        );
        // The CDF at SciPy's quantile, against the 50-digit value there. 1e-12 relative is
        // the conditioning limit: at 6σ from the mean of Beta(3.3e6, 6.7e6), x's own rounding
        // moves I_x by ~1e-12 relative.
        let at = f(&c["scipy_ppf"]);
        let cdf = regularized_incomplete_beta(a, b, at);
        let want = f(&c["betainc_at_scipy_ppf"]);
        close(cdf, want, 0.0, 1e-12, &format!("I_{at}({a}, {b})"));
    }
}

fn strategy(s: &Value) -> BinStrategy {
    match s.as_str() {
        Some("uniform") => BinStrategy::Uniform,
        Some("quantile") => BinStrategy::Quantile,
        other => panic!("strategy {other:?}"),
    }
}

#[test]
fn reliability_bins_match_sklearn_calibration_curve() {
    let g = goldens("calibration.json");
    let conf = f(&g["confidence"]);
    let mut netcal_checked = 0;
    let logs = g["logs"].as_array().expect("logs");
    assert_eq!(logs.len(), 8, "every fixture log has goldens");
    for log in logs {
        let file = log["file"].as_str().expect("file");
        let (scores, labels) = scores_and_labels(file);
        assert_eq!(scores.len() as u64, u(&log["n"]), "{file}");
        for r in log["reliability"].as_array().expect("reliability") {
            let n_bins = u(&r["n_bins"]) as usize;
            let strat = strategy(&r["strategy"]);
            let what = format!("{file} n_bins={n_bins} {:?}", strat);
            let cp = reliability_bins(
                &scores,
                &labels,
                n_bins,
                strat,
                IntervalMethod::ClopperPearson,
                conf,
            )
            .expect("valid input");
            let wi = reliability_bins(
                &scores,
                &labels,
                n_bins,
                strat,
                IntervalMethod::Wilson,
                conf,
            )
            .expect("valid input");
            let want = r["bins"].as_array().expect("bins");
            assert_eq!(cp.len(), want.len(), "{what}: number of non-empty bins");
            // Edges: bit for bit, every one of the n_bins + 1 (empty bins included).
            let edges: Vec<u64> = r["edges_bits"]
                .as_array()
                .expect("edges")
                .iter()
                .map(u)
                .collect();
            assert_eq!(edges.len(), n_bins + 1);
            for (i, (got, want)) in cp.iter().zip(want).enumerate() {
                let w = format!("{what} bin {i}");
                assert!(
                    edges.contains(&got.lower.to_bits()) && edges.contains(&got.upper.to_bits()),
                    "{w}: edges {} {} not among numpy's",
                    got.lower,
                    got.upper
                );
                // (serde_json may misround a decimal by an ulp, hence the bit patterns.)
                let b = u(&want["index"]) as usize;
                assert_eq!(got.lower.to_bits(), edges[b], "{w} lower");
                assert_eq!(got.upper.to_bits(), edges[b + 1], "{w} upper");
                assert_eq!(got.count, u(&want["count"]), "{w} count");
                assert_eq!(got.positives, u(&want["positives"]), "{w} positives");
                close(got.mean_score, f(&want["mean_score"]), 1e-12, 0.0, &w);
                close(got.observed_rate, f(&want["observed_rate"]), 1e-15, 0.0, &w);
                let (lo, hi) = pair(&want["clopper_pearson"]);
                close(got.ci_lower, lo, 1e-13, 1e-11, &format!("{w} CP lower"));
                close(got.ci_upper, hi, 1e-13, 1e-11, &format!("{w} CP upper"));
                let (lo, hi) = pair(&want["wilson"]);
                close(
                    wi[i].ci_lower,
                    lo,
                    1e-14,
                    1e-12,
                    &format!("{w} Wilson lower"),
                );
                close(
                    wi[i].ci_upper,
                    hi,
                    1e-14,
                    1e-12,
                    &format!("{w} Wilson upper"),
                );
            }
            let e = calibration_errors(&cp).expect("non-empty");
            close(e.ece, f(&r["ece"]), 1e-12, 0.0, &format!("{what} ECE"));
            close(e.mce, f(&r["mce"]), 1e-12, 0.0, &format!("{what} MCE"));
            close(
                e.rmsce,
                f(&r["rmsce"]),
                1e-12,
                0.0,
                &format!("{what} RMSCE"),
            );
            close(e.ace, f(&r["ace"]), 1e-12, 0.0, &format!("{what} ACE"));
            if let Some(nc) = r.get("netcal")
                && nc["agrees_with_sklearn_bins"].as_bool() == Some(true)
            {
                // netcal clips scores to [eps, 1 − eps]: a shift of at most 2.2e-16.
                close(
                    e.ace,
                    f(&nc["ace"]),
                    1e-12,
                    0.0,
                    &format!("{what} netcal ACE"),
                );
                close(
                    e.mce,
                    f(&nc["mce"]),
                    1e-12,
                    0.0,
                    &format!("{what} netcal MCE"),
                );
                netcal_checked += 1;
            }
            let positives: u64 = labels.iter().map(|&y| u64::from(y)).sum();
            let rate = positives as f64 / scores.len() as f64;
            let d = brier_decomposition(&cp, scores.len() as u64, rate).expect("rows");
            let wd = &r["brier_decomposition"];
            close(d.reliability, f(&wd["reliability"]), 1e-12, 0.0, &what);
            close(d.resolution, f(&wd["resolution"]), 1e-12, 0.0, &what);
            close(d.uncertainty, f(&wd["uncertainty"]), 1e-15, 0.0, &what);
        }
    }
    // Every log but ties.csv (scores on inner edges) is compared with netcal too.
    assert!(netcal_checked >= 21, "{netcal_checked}");
}

#[test]
fn ties_on_inner_edges_follow_sklearn_not_netcal() {
    // ties.csv has scores on a 0.1 grid, some equal to uniform inner edges: scikit-learn puts
    // them in the bin below, netcal in the bin above, so their ACE differ and Plumb follows
    // scikit-learn (documented in docs/metrics/calibration.md).
    let g = goldens("calibration.json");
    let log = g["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .find(|l| l["file"] == "ties.csv")
        .expect("ties.csv");
    let (scores, labels) = scores_and_labels("ties.csv");
    let mut differing = 0;
    for r in log["reliability"].as_array().expect("reliability") {
        if r["strategy"] != "uniform" {
            continue;
        }
        assert_eq!(r["netcal"]["agrees_with_sklearn_bins"], false);
        let n_bins = u(&r["n_bins"]) as usize;
        let b = reliability_bins(
            &scores,
            &labels,
            n_bins,
            BinStrategy::Uniform,
            IntervalMethod::Wilson,
            0.95,
        )
        .expect("valid");
        let e = calibration_errors(&b).expect("rows");
        close(e.ace, f(&r["ace"]), 1e-12, 0.0, "ties ACE (sklearn bins)");
        if (e.ace - f(&r["netcal"]["ace"])).abs() > 1e-6 {
            differing += 1;
        }
    }
    // With 5 and 10 bins the edge scores change bins; with 15 they only change bin index.
    assert!(differing >= 2, "{differing}");
}

#[test]
fn scores_and_tests_match_references() {
    let g = goldens("calibration.json");
    for log in g["logs"].as_array().expect("logs") {
        let file = log["file"].as_str().expect("file");
        let (s, y) = scores_and_labels(file);

        let brier = brier_score(&s, &y).expect("valid").expect("rows");
        close(
            brier,
            f(&log["brier"]),
            1e-12,
            0.0,
            &format!("{file} Brier"),
        );

        let ll = log_loss(&s, &y, SKLEARN_LOG_LOSS_EPS)
            .expect("valid")
            .expect("rows");
        close(
            ll,
            f(&log["log_loss_sklearn"]),
            1e-12,
            0.0,
            &format!("{file} log loss"),
        );
        for c in log["log_loss_by_eps"].as_array().expect("eps") {
            let eps = f(&c["eps"]);
            let ll = log_loss(&s, &y, eps).expect("valid").expect("rows");
            close(
                ll,
                f(&c["value"]),
                1e-12,
                0.0,
                &format!("{file} log loss eps={eps}"),
            );
        }

        let c = calibration_in_the_large(&s, &y)
            .expect("valid")
            .expect("rows");
        let w = &log["calibration_in_the_large"];
        close(c.mean_score, f(&w["mean_score"]), 1e-15, 0.0, file);
        close(c.positive_rate, f(&w["positive_rate"]), 1e-15, 0.0, file);
        close(c.difference, f(&w["difference"]), 1e-15, 0.0, file);
        match (c.observed_expected, w["observed_expected"].as_f64()) {
            (Some(got), Some(want)) => close(got, want, 1e-14, 0.0, file),
            (got, want) => assert_eq!(got, want, "{file} O/E"),
        }

        // Logistic calibration: both sides are Newton's method run to convergence (they agree
        // to ~1e-16 on these logs; the tolerance leaves room for the 2×2 solve's conditioning).
        let fit = logistic_calibration(&s, &y).expect("valid");
        match (&fit, log["logistic"].is_null()) {
            (None, true) => {}
            (Some(fit), false) => {
                assert!(fit.converged, "{file}: {fit:?}");
                let w = &log["logistic"];
                close(
                    fit.slope,
                    f(&w["slope"]),
                    1e-11,
                    0.0,
                    &format!("{file} slope"),
                );
                close(
                    fit.intercept,
                    f(&w["intercept"]),
                    1e-11,
                    0.0,
                    &format!("{file} intercept"),
                );
            }
            (got, _) => panic!("{file}: logistic fit {got:?}, golden {}", log["logistic"]),
        }

        for h in log["hosmer_lemeshow"].as_array().expect("hl") {
            let groups = u(&h["groups"]) as usize;
            let got = hosmer_lemeshow(&s, &y, groups).expect("valid");
            let want = &h["result"];
            match (got, want.is_null()) {
                (None, true) => {}
                (Some(got), false) => {
                    let what = format!("{file} HL groups={groups}");
                    assert_eq!(got.df, u(&want["df"]), "{what} df");
                    close(got.statistic, f(&want["statistic"]), 1e-12, 1e-12, &what);
                    // χ² tail from statrs' incomplete gamma against SciPy's (Cephes).
                    close(got.p_value, f(&want["p_value"]), 0.0, 1e-12, &what);
                }
                (got, _) => panic!("{file} HL groups={groups}: {got:?}, golden {want}"),
            }
        }

        let sp = spiegelhalter(&s, &y).expect("valid");
        match (sp, log["spiegelhalter"].is_null()) {
            (None, true) => {}
            (Some(got), false) => {
                let w = &log["spiegelhalter"];
                close(
                    got.z,
                    f(&w["z"]),
                    1e-12,
                    1e-12,
                    &format!("{file} Spiegelhalter z"),
                );
                // erfc from statrs against SciPy's normal survival function.
                close(
                    got.p_value,
                    f(&w["p_value"]),
                    0.0,
                    1e-13,
                    &format!("{file} p"),
                );
            }
            (got, _) => panic!(
                "{file} Spiegelhalter: {got:?}, golden {}",
                log["spiegelhalter"]
            ),
        }
    }
}
