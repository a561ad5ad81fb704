//! The tests the diagnosis runs between a reference and a current window, beyond what the core
//! metrics report directly.
//!
//! * [`two_proportion`]: the pooled two-proportion z-test, `z = (p₁ − p₂) / √(p̂(1 − p̂)(1/n₁ + 1/n₂))`
//!   (e.g. Agresti, *Categorical Data Analysis*, 3rd ed., §3.1.3), two-sided normal p-value.
//! * [`calibration_shift`]: whether calibration conditional on the score moved. Over `B` bins
//!   at the reference score quantiles, the calibration gap `g_b = s̄_b − ȳ_b` (mean score minus
//!   observed rate) of each window is compared: `X = Σ_b (g_cur,b − g_ref,b)² / v_b` with
//!   `v_b = p̂_b(1 − p̂_b)(1/n_ref,b + 1/n_cur,b)` (`p̂_b` the pooled observed rate), referred to
//!   χ² with as many degrees of freedom as bins used — the two-sample form of the
//!   Hosmer–Lemeshow statistic. Alongside, calibration-in-the-large `s̄ − ȳ` of the two windows
//!   is compared by a z-test whose variance is the binned binomial variance
//!   `Σ_b n_w,b p̂_b(1 − p̂_b) / n_w²` of each window. The combined p-value is the Bonferroni
//!   `min(1, 2 min(p_bins, p_citl))`.
//! * [`slope_fit`]: the logistic calibration slope (Cox 1958, via
//!   [`calibration::logistic_calibration`]) with its standard error from the observed Fisher
//!   information `Σ w_i [1, x_i; x_i, x_i²]`, `w_i = σ(η_i)(1 − σ(η_i))`, `x_i = logit s_i`.
//!
//! Everything is O(n log n) at most (one sort of the reference scores for the bin edges).

use crate::core::metrics::calibration;
use crate::core::metrics::intervals::normal_sf;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Smallest count a bin needs in each window to enter [`calibration_shift`].
pub const MIN_BIN_COUNT: u64 = 10;

/// Two-sided p-value of the pooled two-proportion z-test of `k1/n1` against `k2/n2`.
/// `None` when a sample is empty; 1 when both proportions are 0 or both are 1.
pub fn two_proportion(k1: u64, n1: u64, k2: u64, n2: u64) -> Option<f64> {
    if n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2 {
        return None;
    }
    let (p1, p2) = (k1 as f64 / n1 as f64, k2 as f64 / n2 as f64);
    let pooled = (k1 + k2) as f64 / (n1 + n2) as f64;
    let var = pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64);
    if var <= 0.0 {
        return Some(1.0);
    }
    let z = (p1 - p2) / var.sqrt();
    Some((2.0 * normal_sf(z.abs())).min(1.0))
}

/// Two-sided p-value of `z` against the standard normal.
pub fn two_sided(z: f64) -> f64 {
    if z.is_nan() {
        return 1.0;
    }
    (2.0 * normal_sf(z.abs())).min(1.0)
}

/// The comparison of the two windows' calibration conditional on the score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationShift {
    /// p-value of the binned gap-difference χ² test (`None` when no bin qualifies).
    pub p_bins: Option<f64>,
    /// The χ² statistic.
    pub chi2: f64,
    /// Bins used (each with at least [`MIN_BIN_COUNT`] rows per window and both classes pooled).
    pub bins_used: usize,
    /// Bins whose gap difference lies outside its Bonferroni-adjusted interval at `confidence`.
    pub bins_outside: usize,
    /// Calibration-in-the-large `s̄ − ȳ` of the reference window.
    pub citl_reference: f64,
    /// Calibration-in-the-large `s̄ − ȳ` of the current window.
    pub citl_current: f64,
    /// p-value of the calibration-in-the-large difference (`None` when its variance is 0).
    pub p_citl: Option<f64>,
}

impl CalibrationShift {
    /// The Bonferroni combination `min(1, 2 min(p_bins, p_citl))` of the two tests (the one
    /// available when the other is not).
    pub fn p_value(&self) -> Option<f64> {
        match (self.p_bins, self.p_citl) {
            (Some(a), Some(b)) => Some((2.0 * a.min(b)).min(1.0)),
            (Some(p), None) | (None, Some(p)) => Some(p),
            (None, None) => None,
        }
    }
}

/// Edges of up to `bins` bins at the quantiles of `reference` (interior edges only, distinct).
fn quantile_inner_edges(reference: &[f64], bins: usize) -> Vec<f64> {
    let mut sorted = reference.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let mut edges = Vec::new();
    if n == 0 {
        return edges;
    }
    for k in 1..bins {
        let idx = (k * n / bins).min(n - 1);
        let e = sorted[idx];
        if edges.last().is_none_or(|&last| e > last) {
            edges.push(e);
        }
    }
    edges
}

#[derive(Debug, Clone, Default)]
struct BinSums {
    count: Vec<u64>,
    positives: Vec<u64>,
    score_sum: Vec<f64>,
}

fn bin_sums(scores: &[f64], labels: &[u8], inner: &[f64]) -> BinSums {
    let k = inner.len() + 1;
    let mut s = BinSums {
        count: vec![0; k],
        positives: vec![0; k],
        score_sum: vec![0.0; k],
    };
    for (&p, &y) in scores.iter().zip(labels) {
        let b = inner.partition_point(|&e| e < p);
        s.count[b] += 1;
        s.positives[b] += u64::from(y == 1);
        s.score_sum[b] += p;
    }
    s
}

/// Compares calibration conditional on the score between two windows (see the module
/// documentation). `None` when a window is empty. Scores must be in [0, 1] and labels 0/1 with
/// equal lengths (checked by the caller).
pub fn calibration_shift(
    ref_scores: &[f64],
    ref_labels: &[u8],
    cur_scores: &[f64],
    cur_labels: &[u8],
    bins: usize,
    confidence: f64,
) -> Option<CalibrationShift> {
    let (nr, nc) = (ref_scores.len(), cur_scores.len());
    if nr == 0 || nc == 0 {
        return None;
    }
    let inner = quantile_inner_edges(ref_scores, bins.max(1));
    let r = bin_sums(ref_scores, ref_labels, &inner);
    let c = bin_sums(cur_scores, cur_labels, &inner);
    let k = inner.len() + 1;
    let mut terms = Vec::new();
    let (mut var_ref, mut var_cur) = (0.0, 0.0);
    for b in 0..k {
        let (n1, n2) = (r.count[b], c.count[b]);
        let pooled = if n1 + n2 > 0 {
            (r.positives[b] + c.positives[b]) as f64 / (n1 + n2) as f64
        } else {
            0.0
        };
        let pq = pooled * (1.0 - pooled);
        var_ref += n1 as f64 * pq;
        var_cur += n2 as f64 * pq;
        if n1 < MIN_BIN_COUNT || n2 < MIN_BIN_COUNT || pq <= 0.0 {
            continue;
        }
        let gap = |s: &BinSums, n: u64| (s.score_sum[b] - s.positives[b] as f64) / n as f64;
        let d = gap(&c, n2) - gap(&r, n1);
        let v = pq * (1.0 / n1 as f64 + 1.0 / n2 as f64);
        terms.push(d * d / v);
    }
    let bins_used = terms.len();
    let chi2: f64 = terms.iter().sum();
    let p_bins = (bins_used > 0)
        .then(|| ChiSquared::new(bins_used as f64).ok().map(|d| d.sf(chi2)))
        .flatten();
    let bins_outside = if bins_used > 0 {
        let tail = (1.0 - confidence) / (2.0 * bins_used as f64);
        let z = normal_quantile_upper(tail);
        terms.iter().filter(|&&t| t > z * z).count()
    } else {
        0
    };
    let citl = |s: &[f64], y: &[u8]| {
        let n = s.len() as f64;
        (s.iter().sum::<f64>() - y.iter().map(|&v| f64::from(v)).sum::<f64>()) / n
    };
    let citl_reference = citl(ref_scores, ref_labels);
    let citl_current = citl(cur_scores, cur_labels);
    let var = var_ref / (nr as f64 * nr as f64) + var_cur / (nc as f64 * nc as f64);
    let p_citl = (var > 0.0).then(|| two_sided((citl_current - citl_reference) / var.sqrt()));
    Some(CalibrationShift {
        p_bins,
        chi2,
        bins_used,
        bins_outside,
        citl_reference,
        citl_current,
        p_citl,
    })
}

/// The `z` with `P(Z > z) = tail` (bisection on [`normal_sf`]; `tail` in (0, 0.5]).
fn normal_quantile_upper(tail: f64) -> f64 {
    if !(tail > 0.0 && tail < 0.5) {
        return 0.0;
    }
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if normal_sf(mid) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A logistic calibration slope with its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeFit {
    /// The slope of `y ~ a + b·logit(s)`.
    pub slope: f64,
    /// Its intercept.
    pub intercept: f64,
    /// Standard error of the slope from the Fisher information.
    pub std_error: f64,
}

/// The logistic calibration fit with the slope's standard error; `None` when the fit is
/// undefined (one class, constant scores, separation) or the information matrix is singular.
pub fn slope_fit(scores: &[f64], labels: &[u8]) -> Option<SlopeFit> {
    let fit = calibration::logistic_calibration(scores, labels)
        .ok()
        .flatten()?;
    if !fit.converged || !fit.slope.is_finite() || !fit.intercept.is_finite() {
        return None;
    }
    let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for &p in scores {
        let x = calibration::clipped_logit(p);
        let eta = fit.intercept + fit.slope * x;
        let q = 1.0 / (1.0 + (-eta).exp());
        let w = q * (1.0 - q);
        s0 += w;
        s1 += w * x;
        s2 += w * x * x;
    }
    let det = s0 * s2 - s1 * s1;
    if det.is_nan() || det <= 0.0 || det.is_infinite() {
        return None;
    }
    let var = s0 / det;
    (var > 0.0 && var.is_finite()).then(|| SlopeFit {
        slope: fit.slope,
        intercept: fit.intercept,
        std_error: var.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_proportion_matches_hand_computation() {
        // p1 = 0.3, p2 = 0.4, n = 100 each: pooled 0.35, se = √(0.35·0.65·0.02) = 0.067454…,
        // z = −1.48250…, p = 0.13822… (scipy.stats.norm.sf(1.4825) · 2).
        let p = two_proportion(30, 100, 40, 100).unwrap();
        let z: f64 = 0.1 / (0.35_f64 * 0.65 * 0.02).sqrt();
        assert!((p - 2.0 * normal_sf(z)).abs() < 1e-15);
        assert!((p - 0.138_2).abs() < 1e-3);
        assert_eq!(two_proportion(0, 10, 0, 20), Some(1.0));
        assert_eq!(two_proportion(1, 0, 0, 20), None);
    }

    #[test]
    fn normal_quantile_inverts_the_tail() {
        assert!((normal_quantile_upper(0.025) - 1.959_963_984_540_054).abs() < 1e-9);
        assert_eq!(normal_quantile_upper(0.7), 0.0);
    }

    #[test]
    fn identical_windows_show_no_calibration_shift() {
        let s: Vec<f64> = (0..400).map(|i| (i % 100) as f64 / 100.0).collect();
        let y: Vec<u8> = (0..400)
            .map(|i| u8::from((i * 37) % 100 < (i % 100)))
            .collect();
        let c = calibration_shift(&s, &y, &s, &y, 10, 0.95).unwrap();
        assert_eq!(c.chi2, 0.0);
        assert_eq!(c.p_bins, Some(1.0));
        assert_eq!(c.p_citl, Some(1.0));
        assert_eq!(c.bins_outside, 0);
        assert_eq!(c.p_value(), Some(1.0));
    }

    #[test]
    fn a_shifted_window_shows_a_calibration_shift() {
        let s: Vec<f64> = (0..2000)
            .map(|i| 0.2 + 0.6 * (i % 100) as f64 / 100.0)
            .collect();
        let y: Vec<u8> = (0..2000).map(|i| u8::from((i * 37) % 100 < 50)).collect();
        let y2: Vec<u8> = (0..2000).map(|i| u8::from((i * 37) % 100 < 80)).collect();
        let c = calibration_shift(&s, &y, &s, &y2, 10, 0.95).unwrap();
        assert!(c.p_value().unwrap() < 1e-6);
        assert!(c.citl_current < c.citl_reference);
    }

    #[test]
    fn empty_windows_give_none() {
        assert!(calibration_shift(&[], &[], &[0.5], &[1], 10, 0.95).is_none());
    }

    #[test]
    fn slope_fit_is_none_for_one_class_and_finite_otherwise() {
        assert!(slope_fit(&[0.2, 0.4, 0.6], &[0, 0, 0]).is_none());
        let s: Vec<f64> = (1..100).map(|i| i as f64 / 100.0).collect();
        let y: Vec<u8> = (1..100).map(|i| u8::from((i * 53) % 100 < i)).collect();
        let f = slope_fit(&s, &y).unwrap();
        assert!(f.std_error > 0.0 && f.std_error.is_finite());
    }
}
