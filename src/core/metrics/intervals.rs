//! Confidence intervals for a binomial proportion k / n, and the regularized incomplete beta
//! function they rest on.
//!
//! * Clopper–Pearson (Clopper & Pearson 1934, "The use of confidence or fiducial limits
//!   illustrated in the case of the binomial", Biometrika 26): the exact interval
//!   `[B⁻¹(α/2; k, n−k+1), B⁻¹(1−α/2; k+1, n−k)]` with `α = 1 − confidence`, lower end 0 when
//!   k = 0 and upper end 1 when k = n, as statsmodels' `proportion_confint(method="beta")`
//!   (whose upper end is `beta.isf(α/2, k+1, n−k)`; here the same root, found from both tail
//!   probabilities so that neither end loses relative precision near 0).
//! * Wilson (Wilson 1927, "Probable inference, the law of succession, and statistical
//!   inference", JASA 22): `(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)` with
//!   `z = Φ⁻¹(1 − α/2)`, clipped to [0, 1], as statsmodels' `proportion_confint(method="wilson")`.
//!
//! The beta quantile is not statrs' `inv_beta_reg`: statrs' `beta_reg` stops its continued
//! fraction after 140 terms, which is not enough once `a` or `b` reach the 10⁴–10⁷ counts a
//! reliability bin of a large log holds. Instead [`regularized_incomplete_beta`] evaluates the
//! continued fraction of Numerical Recipes (3rd ed., §6.4, modified Lentz) to convergence, with
//! the prefactor `xᵃ(1−x)ᵇ / B(a, b)` computed by Loader's saddle-point method (Loader 2000,
//! "Fast and accurate computation of binomial probabilities"; as R's `dbinom_raw`) so it keeps
//! full relative precision for large `a + b`; above the mean at tiny `x` (where the fraction in
//! `1 − x` would inherit that subtraction's rounding) it sums the binomial tail instead.
//! [`beta_quantile`] inverts it by Newton's method safeguarded by bisection, from both tail
//! probabilities. Clopper–Pearson bounds agree with 50-digit references to 1e-14 relative up to
//! n = 10⁹, and with statsmodels to 1e-11 relative — except bounds near 0 at huge n, where SciPy's
//! `beta.ppf`/`isf` is the less accurate side (up to 1e-8 relative; see `tests/calibration.rs`).
//!
//! One regime stays weaker: above the mean at `x < 0.01` with non-integer parameters or
//! `a > 10⁵`, the relative error is ~ε/x (the binomial-sum path needs integer parameters and
//! is capped at 10⁵ terms). For Clopper–Pearson that means k > 10⁵ with an upper bound below
//! 0.01, so n > 10⁷ and x > 10⁵/n: still ≤ 1e-12 relative up to n = 10⁹.
//!
//! [`normal_sf`] is likewise our own (series and Laplace's continued fraction): statrs' `erfc`
//! is only good to ~1e-11 relative near x = 5, too coarse for small p-values.

use crate::core::report::IntervalMethod;
use statrs::function::erf::erfc_inv;
use statrs::function::gamma::ln_gamma;
use std::fmt;

/// Why an interval could not be computed: the arguments, not the data, are wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntervalError {
    /// More successes than trials.
    CountExceedsTrials {
        /// Successes.
        k: u64,
        /// Trials.
        n: u64,
    },
    /// The confidence level is not strictly between 0 and 1.
    InvalidConfidence(f64),
}

impl fmt::Display for IntervalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CountExceedsTrials { k, n } => {
                write!(f, "{k} successes out of {n} trials is impossible")
            }
            Self::InvalidConfidence(c) => {
                write!(f, "confidence level {c} is not strictly between 0 and 1")
            }
        }
    }
}

impl std::error::Error for IntervalError {}

/// Checks `0 < confidence < 1` and `k ≤ n`; returns `α = 1 − confidence`.
fn check(k: u64, n: u64, confidence: f64) -> Result<f64, IntervalError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(IntervalError::InvalidConfidence(confidence));
    }
    if k > n {
        return Err(IntervalError::CountExceedsTrials { k, n });
    }
    Ok(1.0 - confidence)
}

/// Exact (Clopper–Pearson) interval for k successes in n trials, as statsmodels'
/// `proportion_confint(k, n, 1 − confidence, method="beta")`. `n = 0` gives `(0, 1)`.
pub fn clopper_pearson(k: u64, n: u64, confidence: f64) -> Result<(f64, f64), IntervalError> {
    let alpha = check(k, n, confidence)?;
    if n == 0 {
        return Ok((0.0, 1.0));
    }
    let (kf, nf) = (k as f64, n as f64);
    let half = alpha / 2.0;
    let lower = if k == 0 {
        0.0
    } else {
        beta_quantile_tails(kf, nf - kf + 1.0, half, 1.0 - half)
    };
    let upper = if k == n {
        1.0
    } else {
        beta_quantile_tails(kf + 1.0, nf - kf, 1.0 - half, half)
    };
    Ok((lower, upper))
}

/// Wilson score interval for k successes in n trials, as statsmodels'
/// `proportion_confint(k, n, 1 − confidence, method="wilson")` (clipped to [0, 1]), except that
/// the ends are exactly 0 at k = 0 and 1 at k = n and always contain k/n (statsmodels can be an
/// ulp off there). `n = 0` gives `(0, 1)`.
pub fn wilson(k: u64, n: u64, confidence: f64) -> Result<(f64, f64), IntervalError> {
    let alpha = check(k, n, confidence)?;
    if n == 0 {
        return Ok((0.0, 1.0));
    }
    let (kf, nf) = (k as f64, n as f64);
    let q = kf / nf;
    let crit = normal_upper_quantile(alpha / 2.0);
    let crit2 = crit * crit;
    let denom = 1.0 + crit2 / nf;
    let center = (q + crit2 / (2.0 * nf)) / denom;
    let dist = crit * (q * (1.0 - q) / nf + crit2 / (4.0 * nf * nf)).sqrt() / denom;
    // The interval contains p̂ and has ends exactly 0 at k = 0 and 1 at k = n; rounding in the
    // closed form can miss that by an ulp (statsmodels returns 2e-19 for k = 0, n = 1000).
    let lower = if k == 0 {
        0.0
    } else {
        (center - dist).clamp(0.0, q)
    };
    let upper = if k == n {
        1.0
    } else {
        (center + dist).clamp(q, 1.0)
    };
    Ok((lower, upper))
}

/// The interval of the chosen method (the report's per-bin interval setting).
pub fn binomial_interval(
    method: IntervalMethod,
    k: u64,
    n: u64,
    confidence: f64,
) -> Result<(f64, f64), IntervalError> {
    match method {
        IntervalMethod::ClopperPearson => clopper_pearson(k, n, confidence),
        IntervalMethod::Wilson => wilson(k, n, confidence),
    }
}

/// `z` with `P(Z > z) = q` for a standard normal Z (SciPy's `norm.isf(q)`), `0 < q < 1`.
fn normal_upper_quantile(q: f64) -> f64 {
    // isf(q) = −Φ⁻¹(q) = √2 · erfc⁻¹(2q).
    std::f64::consts::SQRT_2 * erfc_inv(2.0 * q)
}

/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Stirling's error `ln Γ(m + 1) − ln(√(2πm) (m/e)^m)` (Loader 2000; R's `stirlerr`), `m > 0`.
fn stirlerr(m: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if m <= 15.0 {
        // Small arguments: direct; the cancellation costs at most ~1e-14 absolute in a log.
        return ln_gamma(m + 1.0) - (m + 0.5) * m.ln() + m - LN_SQRT_2PI;
    }
    let mm = m * m;
    if m > 500.0 {
        (S0 - S1 / mm) / m
    } else if m > 80.0 {
        (S0 - (S1 - S2 / mm) / mm) / m
    } else if m > 35.0 {
        (S0 - (S1 - (S2 - S3 / mm) / mm) / mm) / m
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / mm) / mm) / mm) / mm) / m
    }
}

/// `ln(1 + u) − u` without cancellation for small `u` (`u > −1`): with `w = u / (2 + u)`,
/// `ln(1 + u) = 2 atanh(w)`, so `ln(1 + u) − u = −u·w + 2(w³/3 + w⁵/5 + …)` (as in Loader's
/// `bd0`).
fn ln1p_minus(u: f64) -> f64 {
    if u.abs() > 0.5 {
        return u.ln_1p() - u;
    }
    let w = u / (2.0 + u);
    let w2 = w * w;
    let mut power = w * w2;
    let mut series = 0.0_f64;
    let mut k = 3.0;
    while power.abs() > 1e-18 * series.abs().max(f64::MIN_POSITIVE) {
        series += power / k;
        power *= w2;
        k += 2.0;
        if k > 200.0 {
            break;
        }
    }
    -u * w + 2.0 * series
}

/// `ln(xᵃ yᵇ / B(a, b))` for `a, b > 0` and `y = 1 − x`, given also `d = (a + b)·x − a`.
///
/// Loader's (2000) saddle-point form: with `n = a + b`,
/// `xᵃyᵇ/B(a,b) = √(ab/(2πn)) · e^{δ} · exp(a·g(d/a) + b·g(−d/b))`, where
/// `δ = stirlerr(n) − stirlerr(a) − stirlerr(b)`, `g(u) = ln(1 + u) − u`, `1 + d/a = nx/a` and
/// `1 − d/b = ny/b`. Near the bulk (`|d|` at most half of `a`, resp. `b`) each term is taken
/// from `d` alone, so the rounded `y` of a small `x` never enters: its rounding would cost
/// `b·ε` relative error, 1e-10 at b = 10⁶. In the far tails the logarithms are taken of `x`
/// and `y` directly, where `d` has lost the information.
fn ln_prefactor(a: f64, b: f64, x: f64, y: f64, d: f64) -> f64 {
    let n = a + b;
    let delta = stirlerr(n) - stirlerr(a) - stirlerr(b);
    let a_term = if d.abs() <= 0.5 * a {
        a * ln1p_minus(d / a)
    } else {
        a * (n * x / a).ln() - d
    };
    let b_term = if d.abs() <= 0.5 * b {
        b * ln1p_minus(-d / b)
    } else {
        b * (n * y / b).ln() + d
    };
    0.5 * (a.ln() + b.ln() - n.ln()) - LN_SQRT_2PI + delta + a_term + b_term
}

/// Continued fraction for the incomplete beta function (Numerical Recipes 3rd ed. `betacf`),
/// iterated to convergence; converges quickly for `x < (a + 1) / (a + b + 2)`.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const FPMIN: f64 = f64::MIN_POSITIVE / f64::EPSILON;
    const MAX_ITER: u32 = 1_000_000;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < FPMIN {
        d = FPMIN;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_ITER {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < FPMIN {
            d = FPMIN;
        }
        c = 1.0 + aa / c;
        if c.abs() < FPMIN {
            c = FPMIN;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// `(I_x(a, b), 1 − I_x(a, b))`, each to full relative precision when it is the smaller.
fn beta_reg_both(a: f64, b: f64, x: f64) -> (f64, f64) {
    if x <= 0.0 {
        return (0.0, 1.0);
    }
    if x >= 1.0 {
        return (1.0, 0.0);
    }
    let y = 1.0 - x;
    let d = (a + b) * x - a;
    if x < (a + 1.0) / (a + b + 2.0) {
        let lower = ln_prefactor(a, b, x, y, d).exp() * beta_continued_fraction(a, b, x) / a;
        (lower, 1.0 - lower)
    } else if x < 1e-2 && a <= 1e5 && a.fract() == 0.0 && b.fract() == 0.0 {
        // Above the mean but x tiny: the continued fraction in y = 1 − x would inherit y's
        // rounding, ε/x relative. For integer a, b the upper tail is a finite binomial sum
        // P(Bin(a + b − 1, x) ≤ a − 1) whose terms use x alone.
        let upper = binomial_cdf_small_x(a, b, x);
        (1.0 - upper, upper)
    } else {
        let upper = ln_prefactor(b, a, y, x, -d).exp() * beta_continued_fraction(b, a, y) / b;
        (1.0 - upper, upper)
    }
}

/// `P(Bin(a + b − 1, x) ≤ a − 1) = 1 − I_x(a, b)` for integers `a ≥ 1`, `b ≥ 1`, summed term by
/// term; each term `C(N, j) xʲ (1−x)^(N−j)` is `e^{ln_prefactor(j, N−j+1)} / (j (1−x))` for
/// `j ≥ 1` and `exp(N·ln(1−x))` for `j = 0`, all computed from `x` without forming `1 − x`
/// inside a power.
fn binomial_cdf_small_x(a: f64, b: f64, x: f64) -> f64 {
    let big_n = a + b - 1.0;
    let y = 1.0 - x;
    let mut total = (big_n * (-x).ln_1p()).exp();
    let mut j = 1.0;
    while j < a {
        let bj = big_n - j + 1.0;
        let d = (j + bj) * x - j;
        total += ln_prefactor(j, bj, x, y, d).exp() / (j * y);
        j += 1.0;
    }
    total
}

/// The regularized incomplete beta function `I_x(a, b)`: the Beta(a, b) CDF at `x`
/// (SciPy's `special.betainc(a, b, x)`). Requires `a, b > 0` (NaN otherwise); `x` is clamped
/// to [0, 1]. Accurate to ~1e-14 relative for moderate parameters and ~1e-12 (the conditioning
/// limit: `x`'s own rounding) at 10⁷; see the module docs for the one weaker regime.
pub fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() || !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    beta_reg_both(a, b, x).0
}

/// The Beta(a, b) density at `0 < x < 1`.
fn beta_density(a: f64, b: f64, x: f64) -> f64 {
    let y = 1.0 - x;
    ln_prefactor(a, b, x, y, (a + b) * x - a).exp() / (x * y)
}

/// The Beta(a, b) quantile: `x` with `I_x(a, b) = p` (SciPy's `beta.ppf(p, a, b)`).
/// Requires `a, b > 0` (NaN otherwise); `p ≤ 0` gives 0 and `p ≥ 1` gives 1.
pub fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    if p.is_nan() || !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    beta_quantile_tails(a, b, p, 1.0 - p)
}

/// The Beta(a, b) quantile with both tail probabilities given (`p + q = 1`), so that a small
/// upper tail `q` need not be recovered from `1 − p`.
fn beta_quantile_tails(a: f64, b: f64, p: f64, q: f64) -> f64 {
    // Solve for whichever of x and 1 − x is small, so that it keeps its relative precision
    // (1 − x computed from an x near 1 would not).
    let guess = normal_guess(a, b, p);
    if guess <= 0.5 {
        solve_beta_quantile(a, b, p, q, guess)
    } else {
        1.0 - solve_beta_quantile(b, a, q, p, 1.0 - guess)
    }
}

/// The normal approximation to the Beta(a, b) `p`-quantile, kept strictly inside (0, 1).
fn normal_guess(a: f64, b: f64, p: f64) -> f64 {
    let n = a + b;
    let mean = a / n;
    let sd = (a * b / (n * n * (n + 1.0))).sqrt();
    let z = if p <= 0.5 {
        -normal_upper_quantile(p)
    } else {
        normal_upper_quantile(1.0 - p)
    };
    let x = mean + z * sd;
    if x > 0.0 && x < 1.0 { x } else { mean }
}

/// `x` with `I_x(a, b) = p`, where `q = 1 − p` is passed separately so that the smaller tail
/// is matched to full relative precision. Newton's method, safeguarded by bisection.
fn solve_beta_quantile(a: f64, b: f64, p: f64, q: f64, start: f64) -> f64 {
    let use_lower = p <= q;
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut x = start;
    for _ in 0..2000 {
        let (lower, upper) = beta_reg_both(a, b, x);
        // Increasing in x in both forms.
        let f = if use_lower { lower - p } else { q - upper };
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x - f / beta_density(a, b, x);
        if next.is_nan() || next <= lo || next >= hi {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 2.0 * f64::EPSILON * next.abs() || hi - lo <= f64::EPSILON * hi {
            return next;
        }
        x = next;
    }
    x
}

/// Upper tail of the standard normal, `P(Z > x)` (SciPy's `norm.sf(x)`), to ~1e-15 relative
/// for all `x` (statrs' `erfc` is only good to ~1e-11 relative around x = 5).
/// Series for `|x| < 1`, Laplace's continued fraction for the Mills ratio beyond.
pub fn normal_sf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 1.0 - normal_sf(-x);
    }
    if x < 1.0 {
        // Φ(x) − ½ = φ(x) Σ_k x^(2k+1) / (1·3·…·(2k+1)): positive terms, no cancellation.
        let mut term = x;
        let mut sum = x;
        let x2 = x * x;
        let mut k = 1.0;
        while term > 1e-17 * sum {
            term *= x2 / (2.0 * k + 1.0);
            sum += term;
            k += 1.0;
        }
        return 0.5 - normal_pdf(x) * sum;
    }
    if x > 40.0 {
        return 0.0;
    }
    // Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + …)))), modified Lentz.
    const TINY: f64 = 1e-300;
    let mut f = x;
    let mut c = x;
    let mut d = 0.0;
    for k in 1..5000 {
        let ak = f64::from(k);
        d = x + ak * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = x + ak / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    normal_pdf(x) / f
}

/// The standard normal density.
fn normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn closed_forms() {
        // I_x(1, b) = 1 − (1 − x)^b ; I_x(a, 1) = x^a.
        for &(b, x) in &[(1.0, 0.3), (5.0, 0.1), (40.0, 0.02), (1000.0, 0.001)] {
            let want = 1.0 - (1.0_f64 - x).powf(b);
            let got = regularized_incomplete_beta(1.0, b, x);
            assert!(
                (got - want).abs() <= 1e-14 * want.max(1e-300),
                "{b} {x} {got} {want}"
            );
        }
        for &(a, x) in &[(2.0_f64, 0.3_f64), (7.5, 0.9), (300.0, 0.99)] {
            let want = x.powf(a);
            let got = regularized_incomplete_beta(a, 1.0, x);
            assert!((got - want).abs() <= 1e-13 * want, "{a} {x} {got} {want}");
        }
        // Beta(1, 1) is uniform.
        assert!((beta_quantile(1.0, 1.0, 0.3) - 0.3).abs() < 1e-15);
    }

    #[test]
    fn clopper_pearson_edges() {
        assert_eq!(clopper_pearson(0, 0, 0.95), Ok((0.0, 1.0)));
        let (lo, hi) = clopper_pearson(0, 10, 0.95).unwrap();
        assert_eq!(lo, 0.0);
        // k = 0: upper = 1 − (α/2)^(1/n).
        assert!((hi - (1.0 - 0.025_f64.powf(0.1))).abs() < 1e-14);
        let (lo, hi) = clopper_pearson(10, 10, 0.95).unwrap();
        assert_eq!(hi, 1.0);
        assert!((lo - 0.025_f64.powf(0.1)).abs() < 1e-14);
        assert_eq!(
            clopper_pearson(3, 2, 0.95),
            Err(IntervalError::CountExceedsTrials { k: 3, n: 2 })
        );
        assert_eq!(
            clopper_pearson(1, 2, 1.0),
            Err(IntervalError::InvalidConfidence(1.0))
        );
        assert!(wilson(1, 2, f64::NAN).is_err());
        assert_eq!(wilson(0, 0, 0.9), Ok((0.0, 1.0)));
    }

    #[test]
    fn wilson_known_value() {
        // 95% Wilson for 7/20, z = 1.959963984540054.
        let (lo, hi) = wilson(7, 20, 0.95).unwrap();
        let z: f64 = 1.959_963_984_540_054;
        let n = 20.0;
        let p = 0.35;
        let c = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let d = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / (1.0 + z * z / n);
        assert!((lo - (c - d)).abs() < 1e-14 && (hi - (c + d)).abs() < 1e-14);
    }

    proptest! {
        #[test]
        fn quantile_inverts_cdf(a in 0.5f64..2000.0, b in 0.5f64..2000.0, p in 1e-6f64..0.999_999) {
            let x = beta_quantile(a, b, p);
            prop_assert!((0.0..=1.0).contains(&x));
            let back = regularized_incomplete_beta(a, b, x);
            // The CDF is steep near the centre: compare in p, relative to the density scale.
            let tol = 1e-12_f64.max(1e-12 * beta_density(a, b, x) * x.min(1.0 - x));
            prop_assert!((back - p).abs() <= tol, "a={a} b={b} p={p} x={x} back={back}");
        }

        #[test]
        fn intervals_contain_rate(n in 1u64..5000, frac in 0.0f64..=1.0, conf in 0.5f64..0.999) {
            let k = ((n as f64) * frac).round() as u64;
            let rate = k as f64 / n as f64;
            for (lo, hi) in [clopper_pearson(k, n, conf).unwrap(), wilson(k, n, conf).unwrap()] {
                prop_assert!(0.0 <= lo && lo <= rate && rate <= hi && hi <= 1.0,
                    "k={k} n={n} [{lo}, {hi}]");
            }
        }

        #[test]
        fn clopper_pearson_tails_are_alpha_half(n in 1u64..100_000, frac in 0.0f64..=1.0) {
            let k = ((n as f64) * frac).round() as u64;
            let (lo, hi) = clopper_pearson(k, n, 0.9).unwrap();
            let (kf, nf) = (k as f64, n as f64);
            // The bound itself is rounded to a double: allow the CDF's change over 2 ulps.
            let slack = |a: f64, b: f64, x: f64| {
                1e-12 + 2.0 * f64::EPSILON * x.max(1e-300) * beta_density(a, b, x)
            };
            if k > 0 {
                let (a, b) = (kf, nf - kf + 1.0);
                let p = regularized_incomplete_beta(a, b, lo);
                prop_assert!((p - 0.05).abs() < slack(a, b, lo), "k={k} n={n} lo={lo} p={p}");
            }
            if k < n {
                let (a, b) = (kf + 1.0, nf - kf);
                let p = regularized_incomplete_beta(a, b, hi);
                prop_assert!((p - 0.95).abs() < slack(a, b, hi), "k={k} n={n} hi={hi} p={p}");
            }
        }
    }
}
