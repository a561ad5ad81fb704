//! Two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` (two-sided,
//! `method='auto'`) in SciPy 1.17.
//!
//! D = sup_x |F_a(x) − F_b(x)| over the empirical CDFs (ties handled by evaluating both CDFs at
//! every observed value, `searchsorted(side='right')`). With g = gcd(n₁, n₂) and
//! L = n₁n₂/g, SciPy's `auto` rule is exact when max(n₁, n₂) ≤ 10 000: h = round(D·L),
//! D is reported as h/L and the p-value is P(D ≥ h/L) by the Hodges (1958) lattice-path
//! recursion (`_compute_prob_outside_square` for n₁ = n₂, Viehmann 2021's 1 − p form of the
//! inside method otherwise). Larger samples, or an exact result outside [0, 1], use the
//! asymptotic p-value `kstwo.sf(D, round(n₁n₂/(n₁ + n₂)))` (see [`super::kolmogorov`]).

use super::finite_sorted;
use super::kolmogorov::kolmogorov_sf;

/// Largest sample size for which `method='auto'` attempts the exact p-value.
pub const KS_MAX_EXACT_N: usize = 10_000;

/// The two-sided two-sample KS test result.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KsResult {
    /// The KS statistic D in [0, 1].
    pub statistic: f64,
    /// Two-sided p-value in [0, 1].
    pub p_value: f64,
    /// Whether the exact distribution was used (else the asymptotic one).
    pub exact: bool,
}

/// Two-sample KS test of `reference` against `current`, as `scipy.stats.ks_2samp`.
///
/// Non-finite values (NaN, ±∞) are treated as missing and ignored (SciPy would propagate NaN).
/// `None` when either sample has no finite value.
pub fn ks_2samp(reference: &[f64], current: &[f64]) -> Option<KsResult> {
    let a = finite_sorted(reference);
    let b = finite_sorted(current);
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let d = ks_statistic_sorted(&a, &b);
    let g = gcd(n1 as u64, n2 as u64);
    if n1.max(n2) <= KS_MAX_EXACT_N {
        let lcm = (n1 as u64 / g) * n2 as u64;
        let h = round_half_even(d * lcm as f64) as u64;
        let d_exact = h as f64 / lcm as f64;
        if h == 0 {
            return Some(KsResult {
                statistic: d_exact,
                p_value: 1.0,
                exact: true,
            });
        }
        let prob = if n1 == n2 {
            prob_outside_square(n1 as u64, h)
        } else {
            outer_prob_inside(n1 as u64, n2 as u64, g, h)
        };
        if (0.0..=1.0).contains(&prob) {
            return Some(KsResult {
                statistic: d_exact,
                p_value: prob,
                exact: true,
            });
        }
        // SciPy warns and falls back to the asymptotic value, keeping the rounded statistic.
        return Some(KsResult {
            statistic: d_exact,
            p_value: asymptotic_p(n1, n2, d_exact),
            exact: false,
        });
    }
    Some(KsResult {
        statistic: d,
        p_value: asymptotic_p(n1, n2, d),
        exact: false,
    })
}

/// `kstwo.sf(d, round(m·n/(m + n)))` with m ≥ n, clipped to [0, 1].
fn asymptotic_p(n1: usize, n2: usize, d: f64) -> f64 {
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    let big_n = (round_half_even(en) as u64).max(1);
    kolmogorov_sf(big_n, d).unwrap_or(1.0).clamp(0.0, 1.0)
}

/// max |F_a − F_b| over all observed values of two sorted samples (SciPy's `cddiffs`).
pub(crate) fn ks_statistic_sorted(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut max_diff, mut min_diff) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_diff = max_diff.max(diff);
        min_diff = min_diff.min(diff);
    }
    let min_s = (-min_diff).clamp(0.0, 1.0);
    if min_s > max_diff { min_s } else { max_diff }
}

/// P(D_{n,n} ≥ h/n) by Hodges' alternating series in Horner form (SciPy
/// `_compute_prob_outside_square`).
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (nf, hf) = (n as f64, h as f64);
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    while k >= 0 {
        let kf = k as f64;
        let mut p1 = 1.0;
        for j in 0..h {
            let jf = j as f64;
            p1 = (nf - kf * hf - jf) * p1 / (nf + kf * hf + jf + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// Proportion of lattice paths from (0, 0) to (m, n) that leave |x/m − y/n| < h/lcm(m, n):
/// SciPy's `_compute_outer_prob_inside_method` (Hodges 1958; 1 − p recursion of Viehmann 2021).
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n {
        (n as i64, m as i64)
    } else {
        (m as i64, n as i64)
    };
    let (mg, ng, h) = (m / g as i64, n / g as i64, h as i64);
    let mut minj = 0i64;
    let mut maxj = ceil_div(h, mg).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = (floor_div(ng * i - h, mg) + 1).max(0).min(n);
        maxj = ceil_div(ng * i + h, mg).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let fi = i as f64;
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            let prev = a
                .get((jj + minj - lastminj) as usize)
                .copied()
                .unwrap_or(1.0);
            val = (prev * fi + val * j as f64) / (fi + j as f64);
            if let Some(slot) = a.get_mut(jj as usize) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let from = (maxj - minj) as usize;
            let to = (from + (lastlen - curlen) as usize).min(a.len());
            for v in a.iter_mut().take(to).skip(from) {
                *v = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize).copied().unwrap_or(1.0)
}

fn floor_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b)
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -(-a).div_euclid(b)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `numpy.round`: half to even.
fn round_half_even(x: f64) -> f64 {
    let r = x.round();
    if (r - x).abs() == 0.5 && r % 2.0 != 0.0 {
        r - x.signum()
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_nan_only_samples_are_none() {
        assert!(ks_2samp(&[], &[1.0]).is_none());
        assert!(ks_2samp(&[1.0], &[]).is_none());
        assert!(ks_2samp(&[f64::NAN], &[1.0]).is_none());
    }

    #[test]
    fn identical_samples_have_zero_statistic_and_unit_p() {
        let a = [3.0, 1.0, 2.0, 2.0];
        let r = ks_2samp(&a, &a).unwrap();
        assert_eq!((r.statistic, r.p_value, r.exact), (0.0, 1.0, true));
    }

    #[test]
    fn exact_small_case_by_enumeration() {
        // n1 = n2 = 2, disjoint: D = 1; of the C(4,2) = 6 interleavings, the two fully separated
        // ones reach D = 1, so p = 2/6.
        let r = ks_2samp(&[1.0, 2.0], &[3.0, 4.0]).unwrap();
        assert_eq!(r.statistic, 1.0);
        assert!((r.p_value - 1.0 / 3.0).abs() < 1e-15);
        // n1 = 1, n2 = 2 via the inside method: D = 1 occurs in 2 of 3 arrangements.
        let r = ks_2samp(&[0.0], &[1.0, 2.0]).unwrap();
        assert_eq!(r.statistic, 1.0);
        assert!((r.p_value - 2.0 / 3.0).abs() < 1e-15, "{r:?}");
    }

    #[test]
    fn statistic_handles_ties_across_samples() {
        let a = [1.0, 1.0, 2.0];
        let b = [1.0, 2.0, 2.0];
        // F_a(1) = 2/3, F_b(1) = 1/3.
        assert!((ks_statistic_sorted(&a, &b) - 1.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn integer_helpers() {
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(floor_div(-7, 2), -4);
        assert_eq!(ceil_div(7, 2), 4);
        assert_eq!(ceil_div(-7, 2), -3);
        assert_eq!(round_half_even(2.5), 2.0);
        assert_eq!(round_half_even(292.68), 293.0);
    }
}
