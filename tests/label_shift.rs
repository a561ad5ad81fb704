//! Golden and property tests for `core::metrics::label_shift`.
//!
//! Goldens: `tests/fixtures/goldens/recal.json`, written by
//! `tests/fixtures/make_goldens_recal.py` (independent numpy transcriptions of Saerens et al.
//! 2002 EM and Lipton et al. 2018 BBSE, scipy's expit/logit for the prior correction).
//! The definitions are exact, so the tolerance is 1e-9 (1e-12 for the closed-form correction).

mod common;
use common::{f, floats, goldens, scores_and_labels};

use plumb::core::metrics::label_shift::{bbse_prior, em_prior, prior_correct};
use proptest::prelude::*;
use serde_json::Value;
use statrs::distribution::{ContinuousCDF, Normal};

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (diff {:e})",
        (got - want).abs()
    );
}

fn check_em(g: &Value, scores: &[f64], prior_reference: f64) -> f64 {
    let max_iter = g["max_iter"].as_u64().expect("max_iter") as usize;
    let r = em_prior(scores, prior_reference, max_iter, f(&g["tol"])).expect("EM runs");
    close(r.prior, f(&g["prior"]), 1e-9, "EM prior");
    assert_eq!(
        r.iterations as u64,
        g["iterations"].as_u64().expect("iters")
    );
    assert_eq!(r.converged, g["converged"].as_bool().expect("bool"));
    r.prior
}

fn check_bbse(g: &Value, rs: &[f64], rl: &[u8], cs: &[f64]) -> f64 {
    let r = bbse_prior(rs, rl, cs, f(&g["threshold"])).expect("C invertible");
    close(r.prior, f(&g["prior"]), 1e-9, "BBSE prior");
    for i in 0..2 {
        let row = floats(&g["confusion"][i]);
        for (got, want) in r.confusion[i].iter().zip(&row) {
            close(*got, *want, 1e-12, "confusion");
        }
        close(r.weights[i], f(&g["weights"][i]), 1e-9, "weights");
    }
    r.prior
}

#[test]
fn fixture_em_and_bbse_match_numpy() {
    let g = goldens("recal.json");
    let fx = &g["label_shift"]["fixture"];
    let (rs, rl) = scores_and_labels("reference.csv");
    let (cs, cl) = scores_and_labels("current.csv");
    let pi_ref = rl.iter().map(|&y| f64::from(y)).sum::<f64>() / rl.len() as f64;
    close(pi_ref, f(&fx["prior_reference"]), 1e-15, "reference prior");
    let observed = cl.iter().map(|&y| f64::from(y)).sum::<f64>() / cl.len() as f64;
    let em = check_em(&fx["em"], &cs, pi_ref);
    let bbse = check_bbse(&fx["bbse"], &rs, &rl, &cs);
    // The fixture's current window has a higher positive rate; both estimators see the
    // direction (the covariate drift in that fixture makes them overshoot).
    assert!(observed > pi_ref && em > pi_ref && bbse > pi_ref);
}

#[test]
fn synthetic_label_shift_is_recovered() {
    let g = goldens("recal.json");
    let syn = &g["label_shift"]["synthetic"];
    let rs = floats(&syn["ref_scores"]);
    let rl: Vec<u8> = syn["ref_labels"]
        .as_array()
        .expect("labels")
        .iter()
        .map(|v| v.as_u64().expect("label") as u8)
        .collect();
    let cs = floats(&syn["cur_scores"]);
    let truth = f(&syn["true_prior_current"]);
    let em = check_em(&syn["em"], &cs, f(&syn["true_prior_reference"]));
    let bbse = check_bbse(&syn["bbse"], &rs, &rl, &cs);
    // 3000 current rows: the standard error of either estimate is about 0.01.
    close(em, truth, 0.03, "EM vs true prior");
    close(bbse, truth, 0.03, "BBSE vs true prior");
}

#[test]
fn prior_correct_matches_scipy() {
    let g = goldens("recal.json");
    for case in g["label_shift"]["prior_correct"].as_array().expect("cases") {
        let (a, b) = (f(&case["prior_reference"]), f(&case["prior_current"]));
        for (k, want) in floats(&case["expected"]).into_iter().enumerate() {
            let p = k as f64 / 100.0;
            close(prior_correct(p, a, b), want, 1e-12, "prior_correct");
        }
    }
}

/// A deterministic "population": class-conditional scores at the (k + ½)/m quantiles of
/// N(±1, 1), mixed in proportion `prior`, turned into posteriors calibrated for `calibrated_for`.
fn population(prior: f64, calibrated_for: f64, m: usize) -> (Vec<f64>, Vec<u8>) {
    let n1 = (prior * m as f64).round() as usize;
    let n0 = m - n1;
    let logit_ref = (calibrated_for / (1.0 - calibrated_for)).ln();
    let mut scores = Vec::with_capacity(m);
    let mut labels = Vec::with_capacity(m);
    for (count, mean, label) in [(n0, -1.0, 0u8), (n1, 1.0, 1u8)] {
        let normal = Normal::new(mean, 1.0).expect("normal");
        for k in 0..count {
            let x = normal.inverse_cdf((k as f64 + 0.5) / count as f64);
            scores.push(1.0 / (1.0 + (-(2.0 * x + logit_ref)).exp()));
            labels.push(label);
        }
    }
    (scores, labels)
}

#[test]
fn population_level_priors_are_recovered_exactly() {
    for &(pi_ref, pi_cur) in &[(0.3, 0.65), (0.5, 0.1), (0.2, 0.2), (0.7, 0.4)] {
        let (rs, rl) = population(pi_ref, pi_ref, 20_000);
        let (cs, _) = population(pi_cur, pi_ref, 20_000);
        let em = em_prior(&cs, pi_ref, 10_000, 1e-13).expect("EM");
        assert!(em.converged);
        close(em.prior, pi_cur, 2e-3, "population EM");
        let bbse = bbse_prior(&rs, &rl, &cs, 0.5).expect("BBSE");
        close(bbse.prior, pi_cur, 2e-3, "population BBSE");
    }
}

#[test]
fn degenerate_fixture_logs() {
    let (s, y) = scores_and_labels("one_class.csv");
    assert!(bbse_prior(&s, &y, &s, 0.5).is_none());
    let (s, y) = scores_and_labels("constant.csv");
    assert!(bbse_prior(&s, &y, &s, 0.5).is_none());
    let r = em_prior(&s, 0.3, 100, 1e-12).expect("constant scores are fine");
    // Every score equals 0.3 = π_ref: the reference prior is already the fixed point.
    close(r.prior, 0.3, 1e-12, "constant EM");
    let (s, y) = scores_and_labels("single_row.csv");
    assert!(bbse_prior(&s, &y, &s, 0.5).is_none());
    assert!(em_prior(&s, 0.3, 10_000, 1e-12).is_some());
    let (s, y) = scores_and_labels("extremes.csv");
    let r = em_prior(&s, 0.35, 10_000, 1e-12).expect("extremes");
    assert!(r.prior.is_finite() && (0.0..=1.0).contains(&r.prior));
    assert!(bbse_prior(&s, &y, &s, 0.5).is_some());
}

proptest! {
    #[test]
    fn prior_correct_is_monotone_bounded_and_invertible(
        p in 0.0f64..=1.0,
        q in 0.0f64..=1.0,
        a in 0.001f64..0.999,
        b in 0.001f64..0.999,
    ) {
        let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
        let (x, y) = (prior_correct(lo, a, b), prior_correct(hi, a, b));
        prop_assert!((0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y));
        prop_assert!(x <= y);
        let back = prior_correct(prior_correct(p, a, b), b, a);
        prop_assert!((back - p).abs() < 1e-9, "{} -> {}", p, back);
    }

    #[test]
    fn em_estimate_is_a_fixed_point_in_unit_interval(
        scores in prop::collection::vec(0.0f64..=1.0, 1..200),
        pi_ref in 0.01f64..0.99,
    ) {
        let r = em_prior(&scores, pi_ref, 100_000, 1e-13).expect("valid input");
        prop_assert!((0.0..=1.0).contains(&r.prior));
        if r.converged {
            // One more EM update (the mean re-weighted posterior) barely moves the estimate.
            let mean: f64 = scores
                .iter()
                .map(|&p| prior_correct(p, pi_ref, r.prior))
                .sum::<f64>() / scores.len() as f64;
            prop_assert!((mean - r.prior).abs() < 1e-9, "mean {} prior {}", mean, r.prior);
        }
    }

    #[test]
    fn bbse_prior_in_unit_interval(
        rows in prop::collection::vec((0.0f64..=1.0, 0u8..=1), 1..100),
        cur in prop::collection::vec(0.0f64..=1.0, 1..100),
        t in 0.0f64..=1.0,
    ) {
        let (rs, rl): (Vec<f64>, Vec<u8>) = rows.into_iter().unzip();
        if let Some(r) = bbse_prior(&rs, &rl, &cur, t) {
            prop_assert!((0.0..=1.0).contains(&r.prior));
            let total: f64 = r.confusion.iter().flatten().sum();
            prop_assert!((total - 1.0).abs() < 1e-12);
        }
    }
}
