//! First Wasserstein (earth mover's) distance between two samples, as
//! `scipy.stats.wasserstein_distance(u, v)`: W₁ = ∫ |F_u(x) − F_v(x)| dx over the empirical
//! CDFs, computed exactly from the merged sorted values in O((n + m) log(n + m)).
//!
//! The normalised form divides by the reference population standard deviation floored at
//! 0.001, as Evidently's `wasserstein_distance_norm` (`max(np.std(reference), 0.001)`).

use super::finite_sorted;

/// Floor on the reference standard deviation used by [`wasserstein_norm`] (Evidently's value).
pub const STD_FLOOR: f64 = 0.001;

/// W₁ distance between the empirical distributions of two samples (non-finite values ignored).
/// `None` when either sample has no finite value.
pub fn wasserstein(reference: &[f64], current: &[f64]) -> Option<f64> {
    let u = finite_sorted(reference);
    let v = finite_sorted(current);
    wasserstein_sorted(&u, &v)
}

fn wasserstein_sorted(u: &[f64], v: &[f64]) -> Option<f64> {
    if u.is_empty() || v.is_empty() {
        return None;
    }
    let (nu, nv) = (u.len() as f64, v.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    // Walk the merged values; between consecutive merged values both CDFs are constant.
    let mut prev: Option<f64> = None;
    while i < u.len() || j < v.len() {
        let x = match (u.get(i), v.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        if let Some(p) = prev {
            total += (i as f64 / nu - j as f64 / nv).abs() * (x - p);
        }
        while i < u.len() && u[i] <= x {
            i += 1;
        }
        while j < v.len() && v[j] <= x {
            j += 1;
        }
        prev = Some(x);
    }
    Some(total)
}

/// Population standard deviation (ddof = 0, as `numpy.std`) of the finite values.
pub fn population_std(values: &[f64]) -> Option<f64> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return None;
    }
    let n = finite.len() as f64;
    let mean = finite.iter().sum::<f64>() / n;
    let var = finite.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n;
    Some(var.sqrt())
}

/// W₁ divided by max(std(reference), 0.001): Evidently's normalised Wasserstein distance.
pub fn wasserstein_norm(reference: &[f64], current: &[f64]) -> Option<f64> {
    let w = wasserstein(reference, current)?;
    Some(w / population_std(reference)?.max(STD_FLOOR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_of_a_sample_is_the_shift() {
        let a = [0.0, 1.0, 3.0];
        let b = [5.0, 6.0, 8.0];
        assert_eq!(wasserstein(&a, &b), Some(5.0));
        assert_eq!(wasserstein(&a, &a), Some(0.0));
        assert_eq!(wasserstein(&[], &a), None);
    }

    #[test]
    fn normalisation_uses_population_std_with_floor() {
        assert_eq!(population_std(&[1.0, 3.0]), Some(1.0));
        assert_eq!(wasserstein_norm(&[1.0, 3.0], &[2.0, 4.0]), Some(1.0));
        assert_eq!(wasserstein_norm(&[2.0, 2.0], &[3.0]), Some(1.0 / STD_FLOOR));
    }
}
