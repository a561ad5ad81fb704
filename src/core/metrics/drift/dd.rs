//! Minimal double-double arithmetic (≈ 106-bit significand) for the one-sided Smirnov sum.
//!
//! Algorithms from Hida, Li & Bailey's QD library (Dekker 1971 two-product by splitting, Knuth
//! two-sum), the same arithmetic SciPy's `xsf/cephes/dd_real.h` uses; only the operations
//! [`super::kolmogorov`] needs are provided. No fused multiply-add is required, so results are
//! identical on native and wasm32 targets.

use std::ops::{Add, Div, Mul, Neg, Sub};

/// An unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dd {
    pub(crate) hi: f64,
    pub(crate) lo: f64,
}

/// 2^27 + 1, Dekker's splitter for f64.
const SPLITTER: f64 = 134_217_729.0;

fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

fn split(a: f64) -> (f64, f64) {
    let t = SPLITTER * a;
    let hi = t - (t - a);
    (hi, a - hi)
}

fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

impl Dd {
    /// The exact value `x`.
    pub(crate) const fn new(x: f64) -> Self {
        Self { hi: x, lo: 0.0 }
    }

    /// Whether the value is finite.
    pub(crate) fn is_finite(self) -> bool {
        self.hi.is_finite()
    }

    /// Significand in [0.5, 1) and exponent, applied to both parts (C `frexp`).
    pub(crate) fn frexp(self) -> (Self, i32) {
        let (hi, e) = frexp(self.hi);
        (
            Self {
                hi,
                lo: ldexp(self.lo, -e),
            },
            e,
        )
    }

    /// Multiplication by 2^e (C `ldexp`).
    pub(crate) fn ldexp(self, e: i32) -> Self {
        Self {
            hi: ldexp(self.hi, e),
            lo: ldexp(self.lo, e),
        }
    }

    /// Largest integer not above the value.
    pub(crate) fn floor(self) -> Self {
        let hi = self.hi.floor();
        if hi == self.hi {
            let (s, e) = quick_two_sum(hi, self.lo.floor());
            Self { hi: s, lo: e }
        } else {
            Self { hi, lo: 0.0 }
        }
    }
}

impl Add for Dd {
    type Output = Dd;
    fn add(self, b: Dd) -> Dd {
        let (s1, s2) = two_sum(self.hi, b.hi);
        let (t1, t2) = two_sum(self.lo, b.lo);
        let (s1, s2) = quick_two_sum(s1, s2 + t1);
        let (hi, lo) = quick_two_sum(s1, s2 + t2);
        Dd { hi, lo }
    }
}

impl Add<f64> for Dd {
    type Output = Dd;
    fn add(self, b: f64) -> Dd {
        let (s1, s2) = two_sum(self.hi, b);
        let (hi, lo) = quick_two_sum(s1, s2 + self.lo);
        Dd { hi, lo }
    }
}

impl Neg for Dd {
    type Output = Dd;
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Sub for Dd {
    type Output = Dd;
    fn sub(self, b: Dd) -> Dd {
        self + (-b)
    }
}

impl Sub<f64> for Dd {
    type Output = Dd;
    fn sub(self, b: f64) -> Dd {
        self + (-b)
    }
}

impl Mul for Dd {
    type Output = Dd;
    fn mul(self, b: Dd) -> Dd {
        let (p1, p2) = two_prod(self.hi, b.hi);
        let (hi, lo) = quick_two_sum(p1, p2 + (self.hi * b.lo + self.lo * b.hi));
        Dd { hi, lo }
    }
}

impl Mul<f64> for Dd {
    type Output = Dd;
    fn mul(self, b: f64) -> Dd {
        let (p1, p2) = two_prod(self.hi, b);
        let (hi, lo) = quick_two_sum(p1, p2 + self.lo * b);
        Dd { hi, lo }
    }
}

impl Div for Dd {
    type Output = Dd;
    fn div(self, b: Dd) -> Dd {
        let q1 = self.hi / b.hi;
        let r = self - b * q1;
        let q2 = r.hi / b.hi;
        let r = r - b * q2;
        let q3 = r.hi / b.hi;
        let (hi, lo) = quick_two_sum(q1, q2);
        Dd { hi, lo } + q3
    }
}

impl Div<f64> for Dd {
    type Output = Dd;
    fn div(self, b: f64) -> Dd {
        self / Dd::new(b)
    }
}

/// 2^k for k in [−1074, 1023], exactly.
fn pow2i(k: i32) -> f64 {
    if k >= -1022 {
        f64::from_bits(((k + 1023) as u64) << 52)
    } else {
        f64::from_bits(1u64 << (k + 1074))
    }
}

/// C `frexp`: x = m · 2^e with |m| in [0.5, 1), or (x, 0) for 0, NaN and ±∞.
pub(crate) fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first (exact).
        let (m, e) = frexp(x * pow2i(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7ff_u64 << 52)) | (1022_u64 << 52));
    (m, exp - 1022)
}

/// C `ldexp`: x · 2^e with a single rounding (only when the result is subnormal).
pub(crate) fn ldexp(x: f64, e: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let (m, me) = frexp(x);
    let total = me.saturating_add(e); // result = m · 2^total, |m| in [0.5, 1)
    if total > 1024 {
        return m.signum() * f64::INFINITY;
    }
    if total >= -1021 {
        // 2m in [1, 2) and 2^(total − 1) is a normal power of two: exact.
        return (2.0 * m) * pow2i(total - 1);
    }
    // Subnormal or zero result: m · 2^(total + 1074) is exact, then one rounding step.
    let shifted = total.max(-1200) + 1074;
    if shifted < -60 {
        return 0.0 * m.signum();
    }
    (m * pow2i(shifted)) * pow2i(-1074)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_prod_is_exact() {
        let a = 1.0 + f64::EPSILON;
        let (p, e) = two_prod(a, a);
        assert_eq!(p, 1.0 + 2.0 * f64::EPSILON);
        assert_eq!(e, f64::EPSILON * f64::EPSILON);
    }

    #[test]
    fn division_and_floor() {
        let third = Dd::new(1.0) / 3.0;
        let back = third * 3.0;
        assert_eq!(back.hi, 1.0);
        assert!(back.lo.abs() < 1e-31);
        let x = Dd::new(5.0) + 1e-20;
        assert_eq!(x.floor(), Dd::new(5.0));
        let y = Dd::new(5.0) - 1e-20;
        assert_eq!(y.floor(), Dd::new(4.0));
    }

    #[test]
    fn frexp_ldexp_round_trip() {
        for x in [1.0, 0.75, 3.0e-310, 1.7e308, -12.5, 5e-324] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(ldexp(m, e), x);
        }
        assert_eq!(frexp(0.0), (0.0, 0));
        assert_eq!(ldexp(1.0, -1074), 5e-324);
        assert_eq!(ldexp(1.0, 1023), 2f64.powi(1023));
        assert_eq!(ldexp(0.75, 2000), f64::INFINITY);
        assert_eq!(ldexp(1.0, -1080), 0.0);
        assert_eq!(ldexp(2f64.powi(600), -1500), 2f64.powi(-900));
    }
}
