//! Label (prior) shift: estimating the positive rate of an unlabelled window and correcting
//! probabilities for it.
//!
//! Under label shift the class-conditional score distributions p(s | y) stay fixed while the
//! prior π = P(y = 1) moves from π_ref (where the model was calibrated) to an unknown π_cur.
//!
//! * [`em_prior`]: the expectation–maximisation estimator of Saerens, Latinne & Decaestecker,
//!   "Adjusting the outputs of a classifier to new a priori probabilities: a simple procedure",
//!   *Neural Computation* 14(1), 2002, eqs. 2.9–2.10. Starting from π⁽⁰⁾ = π_ref it repeats
//!   `p_i⁽ᵏ⁾ = r₁ p_i / (r₁ p_i + r₀ (1 − p_i))` with `r₁ = π⁽ᵏ⁾/π_ref`,
//!   `r₀ = (1 − π⁽ᵏ⁾)/(1 − π_ref)`, then `π⁽ᵏ⁺¹⁾ = mean_i p_i⁽ᵏ⁾`, until
//!   `|π⁽ᵏ⁺¹⁾ − π⁽ᵏ⁾| < tol`. The fixed point is the maximum-likelihood prior.
//! * [`bbse_prior`]: black-box shift estimation (Lipton, Wang & Smola, "Detecting and correcting
//!   for label shift with black box predictors", ICML 2018) with the hard classifier
//!   ŷ = 1 iff s ≥ threshold. It solves `C w = μ̂`, where `C[i][j] = P_ref(ŷ = i, y = j)` and
//!   `μ̂[i] = P_cur(ŷ = i)`, and reports `π_cur = w₁ π_ref,1 / Σ_j w_j π_ref,j`, clipped to [0, 1].
//! * [`prior_correct`]: Bayes' rule for a new prior (Saerens et al. 2002, eq. 2.4):
//!   `logit p' = logit p + logit π_cur − logit π_ref`.

use serde::{Deserialize, Serialize};

/// A sensible iteration cap for [`em_prior`]; EM converges linearly, usually in well under
/// a hundred iterations.
pub const DEFAULT_EM_MAX_ITER: usize = 1000;

/// A sensible convergence tolerance for [`em_prior`] (absolute change in the prior).
pub const DEFAULT_EM_TOL: f64 = 1e-10;

/// The result of [`em_prior`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EmPrior {
    /// Estimated current positive rate π_cur.
    pub prior: f64,
    /// EM iterations performed (prior updates).
    pub iterations: usize,
    /// Whether the last update changed the prior by less than `tol`.
    pub converged: bool,
}

/// The result of [`bbse_prior`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BbsePrior {
    /// Estimated current positive rate π_cur, clipped to [0, 1].
    pub prior: f64,
    /// The reference joint confusion matrix `confusion[i][j] = P_ref(ŷ = i, y = j)`.
    pub confusion: [[f64; 2]; 2],
    /// The importance weights `w = C⁻¹ μ̂` (w_j estimates π_cur,j / π_ref,j), unclipped.
    pub weights: [f64; 2],
}

fn valid_score(s: f64) -> bool {
    (0.0..=1.0).contains(&s)
}

/// Posterior under a new prior, given odds-ratio factors `r1 = π_cur/π_ref` and
/// `r0 = (1 − π_cur)/(1 − π_ref)`. Written as `1 / (1 + r0(1 − p) / (r1 p))` so it is monotone
/// in `p` in floating point and exact at p = 0 and p = 1.
fn reweight(p: f64, r1: f64, r0: f64) -> f64 {
    let num = r1 * p;
    let other = r0 * (1.0 - p);
    if num == 0.0 && other == 0.0 {
        // Only reachable with a degenerate prior (0 or 1) contradicting the score; keep p.
        return p;
    }
    if num == 0.0 {
        return 0.0;
    }
    (1.0 / (1.0 + other / num)).clamp(0.0, 1.0)
}

/// Estimates the positive rate of an unlabelled window by the Saerens et al. (2002) EM
/// procedure, from posteriors `current_scores` calibrated for the reference prior
/// `prior_reference`.
///
/// Returns `None` when `current_scores` is empty, contains a value outside [0, 1] (or NaN),
/// `prior_reference` is not strictly inside (0, 1), `tol` is not positive, or `max_iter` is 0.
/// When `max_iter` is reached first, the last estimate is returned with `converged: false`.
/// Each iteration is one pass over the scores (O(n)).
pub fn em_prior(
    current_scores: &[f64],
    prior_reference: f64,
    max_iter: usize,
    tol: f64,
) -> Option<EmPrior> {
    if current_scores.is_empty()
        || max_iter == 0
        || tol.is_nan()
        || tol <= 0.0
        || !(prior_reference > 0.0 && prior_reference < 1.0)
        || !current_scores.iter().all(|&s| valid_score(s))
    {
        return None;
    }
    let n = current_scores.len() as f64;
    let mut prior = prior_reference;
    for iteration in 1..=max_iter {
        let r1 = prior / prior_reference;
        let r0 = (1.0 - prior) / (1.0 - prior_reference);
        let sum: f64 = current_scores.iter().map(|&p| reweight(p, r1, r0)).sum();
        let next = (sum / n).clamp(0.0, 1.0);
        let change = (next - prior).abs();
        prior = next;
        if change < tol {
            return Some(EmPrior {
                prior,
                iterations: iteration,
                converged: true,
            });
        }
    }
    Some(EmPrior {
        prior,
        iterations: max_iter,
        converged: false,
    })
}

/// Estimates the positive rate of an unlabelled window by black-box shift estimation
/// (Lipton et al. 2018) with the hard classifier `score ≥ threshold`.
///
/// Returns `None` when a window is empty, the reference lengths differ, a score is outside
/// [0, 1] (or NaN), a label is not 0/1, or the confusion matrix `C` is singular — which happens
/// exactly when `n₀₀·n₁₁ = n₀₁·n₁₀` in reference counts: the reference holds one class only,
/// the hard classifier predicts one class only, or its predictions are independent of the
/// label. (A nearly singular `C` gives a valid but noisy estimate; see `weights`.)
pub fn bbse_prior(
    ref_scores: &[f64],
    ref_labels: &[u8],
    cur_scores: &[f64],
    threshold: f64,
) -> Option<BbsePrior> {
    if ref_scores.is_empty()
        || cur_scores.is_empty()
        || ref_scores.len() != ref_labels.len()
        || threshold.is_nan()
    {
        return None;
    }
    // counts[i][j]: predicted class i, true class j.
    let mut counts = [[0u64; 2]; 2];
    for (&s, &y) in ref_scores.iter().zip(ref_labels) {
        if !valid_score(s) || y > 1 {
            return None;
        }
        let i = usize::from(s >= threshold);
        counts[i][usize::from(y)] += 1;
    }
    let mut cur_pos = 0u64;
    for &s in cur_scores {
        if !valid_score(s) {
            return None;
        }
        cur_pos += u64::from(s >= threshold);
    }
    let det_counts = i128::from(counts[0][0]) * i128::from(counts[1][1])
        - i128::from(counts[0][1]) * i128::from(counts[1][0]);
    if det_counts == 0 {
        return None;
    }
    let n_ref = ref_scores.len() as f64;
    let n_cur = cur_scores.len() as f64;
    let c = counts.map(|row| row.map(|k| k as f64 / n_ref));
    let mu1 = cur_pos as f64 / n_cur;
    let mu = [1.0 - mu1, mu1];
    // Cramer's rule for the 2×2 system; the determinant from exact integer counts.
    let det = det_counts as f64 / (n_ref * n_ref);
    let w0 = (mu[0] * c[1][1] - c[0][1] * mu[1]) / det;
    let w1 = (c[0][0] * mu[1] - c[1][0] * mu[0]) / det;
    let pi_ref = [c[0][0] + c[1][0], c[0][1] + c[1][1]];
    let total = w0 * pi_ref[0] + w1 * pi_ref[1];
    let prior = if total.is_finite() && total != 0.0 {
        (w1 * pi_ref[1] / total).clamp(0.0, 1.0)
    } else {
        return None;
    };
    Some(BbsePrior {
        prior,
        confusion: c,
        weights: [w0, w1],
    })
}

/// Adjusts one probability from the reference prior to the current prior:
/// `logit p' = logit p + logit π_cur − logit π_ref` (Saerens et al. 2002, eq. 2.4).
///
/// Computed as `1 / (1 + (1−π_cur)π_ref(1−p) / (π_cur(1−π_ref)p))`, which is exact at p = 0
/// (→ 0) and p = 1 (→ 1) and monotone non-decreasing in `p`. Priors of exactly 0 or 1 give
/// the limiting answer (0 or 1) except where that contradicts a certain score, in which case
/// the score is kept. A NaN score gives NaN; a prior outside [0, 1] or NaN leaves the score
/// unchanged, and equal priors return the score exactly.
pub fn prior_correct(score: f64, prior_reference: f64, prior_current: f64) -> f64 {
    if !(0.0..=1.0).contains(&prior_reference) || !(0.0..=1.0).contains(&prior_current) {
        return score;
    }
    if score.is_nan() || prior_reference == prior_current {
        return score;
    }
    let r1 = prior_current * (1.0 - prior_reference);
    let r0 = (1.0 - prior_current) * prior_reference;
    reweight(score.clamp(0.0, 1.0), r1, r0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logit(p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }

    #[test]
    fn prior_correct_matches_logit_formula() {
        for &(p, a, b) in &[(0.3, 0.4, 0.6), (0.9, 0.2, 0.1), (0.01, 0.5, 0.7)] {
            let want = 1.0 / (1.0 + (-(logit(p) + logit(b) - logit(a))).exp());
            assert!((prior_correct(p, a, b) - want).abs() < 1e-14);
        }
    }

    #[test]
    fn prior_correct_endpoints_and_identity() {
        assert_eq!(prior_correct(0.0, 0.3, 0.7), 0.0);
        assert_eq!(prior_correct(1.0, 0.3, 0.7), 1.0);
        assert_eq!(prior_correct(0.42, 0.3, 0.3), 0.42);
        // Degenerate priors: limits, never NaN.
        assert_eq!(prior_correct(0.5, 0.3, 0.0), 0.0);
        assert_eq!(prior_correct(0.5, 0.3, 1.0), 1.0);
        assert_eq!(prior_correct(1.0, 0.3, 0.0), 1.0);
        assert_eq!(prior_correct(0.0, 0.3, 1.0), 0.0);
        assert_eq!(prior_correct(0.5, f64::NAN, 0.2), 0.5);
        assert_eq!(prior_correct(0.5, 1.5, 0.2), 0.5);
        assert!(prior_correct(f64::NAN, 0.3, 0.2).is_nan());
    }

    #[test]
    fn em_fixed_point_when_no_shift() {
        // Scores whose mean equals the reference prior are already a fixed point.
        let s = [0.1, 0.3, 0.5, 0.7, 0.4];
        let r = em_prior(&s, 0.4, 100, 1e-12).unwrap();
        assert!((r.prior - 0.4).abs() < 1e-15);
        assert_eq!(r.iterations, 1);
        assert!(r.converged);
    }

    #[test]
    fn em_degenerate_inputs() {
        assert!(em_prior(&[], 0.3, 10, 1e-9).is_none());
        assert!(em_prior(&[0.5], 0.0, 10, 1e-9).is_none());
        assert!(em_prior(&[0.5], 1.0, 10, 1e-9).is_none());
        assert!(em_prior(&[0.5, f64::NAN], 0.3, 10, 1e-9).is_none());
        assert!(em_prior(&[0.5, 1.2], 0.3, 10, 1e-9).is_none());
        assert!(em_prior(&[0.5], 0.3, 0, 1e-9).is_none());
        assert!(em_prior(&[0.5], 0.3, 10, 0.0).is_none());
        // Extreme and constant scores are fine.
        let r = em_prior(&[0.0, 1.0, 1.0], 0.3, 10_000, 1e-12).unwrap();
        assert!((r.prior - 2.0 / 3.0).abs() < 1e-9, "{r:?}");
        let r = em_prior(&[1.0; 5], 0.3, 10, 1e-12).unwrap();
        assert_eq!(r.prior, 1.0);
        let r = em_prior(&[0.0; 5], 0.3, 10, 1e-12).unwrap();
        assert_eq!(r.prior, 0.0);
        let r = em_prior(&[0.2], 0.3, 3, 1e-15).unwrap();
        assert!(!r.converged && r.iterations == 3 && r.prior.is_finite());
    }

    #[test]
    fn bbse_perfect_classifier_returns_predicted_rate() {
        // A perfect hard classifier: C is diagonal and the estimate is the current
        // predicted-positive rate.
        let rs = [0.1, 0.2, 0.8, 0.9];
        let rl = [0, 0, 1, 1];
        let cs = [0.9, 0.7, 0.6, 0.1, 0.2];
        let r = bbse_prior(&rs, &rl, &cs, 0.5).unwrap();
        assert!((r.prior - 0.6).abs() < 1e-15);
        assert_eq!(r.confusion, [[0.5, 0.0], [0.0, 0.5]]);
        assert!((r.weights[0] - 0.8).abs() < 1e-15 && (r.weights[1] - 1.2).abs() < 1e-15);
    }

    #[test]
    fn bbse_hand_computed() {
        // n00=3 n01=1 n10=1 n11=3 (ŷ rows, y cols) over 8 rows; current predicts 1 half the
        // time → symmetric, π_cur = 0.5. Then current predicts 1 for 3/4: solve by hand.
        let rs = [0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9];
        let rl = [0, 0, 0, 1, 0, 1, 1, 1];
        let r = bbse_prior(&rs, &rl, &[0.1, 0.9], 0.5).unwrap();
        assert!((r.prior - 0.5).abs() < 1e-15);
        // μ̂ = (1/4, 3/4); C = [[3/8,1/8],[1/8,3/8]]; det = 1/8; w0 = (3/32 − 3/32)·8 = 0,
        // w1 = (9/32 − 1/32)·8 = 2 → π_cur = 2 · 1/2 = 1.
        let r = bbse_prior(&rs, &rl, &[0.1, 0.9, 0.9, 0.9], 0.5).unwrap();
        assert!((r.prior - 1.0).abs() < 1e-15 && r.weights[0].abs() < 1e-15);
        // Clipping: current predicts 1 always → w1 > 2, prior clipped to 1.
        let r = bbse_prior(&rs, &rl, &[0.9], 0.5).unwrap();
        assert_eq!(r.prior, 1.0);
        assert!(r.weights[0] < 0.0);
    }

    #[test]
    fn bbse_degenerate_inputs() {
        let rs = [0.1, 0.9, 0.2, 0.8];
        assert!(bbse_prior(&rs, &[0, 0, 0, 0], &[0.5], 0.5).is_none()); // one class
        assert!(bbse_prior(&rs, &[0, 1, 0, 1], &[0.5], 0.95).is_none()); // one prediction
        assert!(bbse_prior(&rs, &[0, 1, 1, 0], &[0.5], 0.5).is_none()); // independent
        assert!(bbse_prior(&rs, &[0, 1, 0], &[0.5], 0.5).is_none()); // lengths
        assert!(bbse_prior(&rs, &[0, 1, 0, 2], &[0.5], 0.5).is_none()); // label
        assert!(bbse_prior(&rs, &[0, 1, 0, 1], &[], 0.5).is_none()); // empty current
        assert!(bbse_prior(&rs, &[0, 1, 0, 1], &[f64::NAN], 0.5).is_none());
        assert!(bbse_prior(&[], &[], &[0.5], 0.5).is_none());
        assert!(bbse_prior(&rs, &[0, 1, 0, 1], &[0.5], f64::NAN).is_none());
    }
}
