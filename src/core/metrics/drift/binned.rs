//! Binned and categorical distribution distances: PSI, KL, Jensen–Shannon, Hellinger.
//!
//! Numeric values are binned at reference quantiles: the edges are
//! `numpy.quantile(reference, numpy.linspace(0, 1, bins + 1))` (linear interpolation, Hyndman &
//! Fan type 7) with the outer edges replaced by −∞ and +∞ and duplicate edges removed
//! (`numpy.unique`); bin i is [e_i, e_{i+1}) (`searchsorted(interior_edges, v, side='right')`).
//! Categorical values are counted per category (see [`categorical_distribution`]).
//!
//! With proportions r (reference) and c (current), and r̃, c̃ the same with empty cells replaced
//! by a floor (default 1e-4, as Evidently and most PSI write-ups; no renormalisation):
//! * PSI = Σ (c̃ − r̃) ln(c̃ / r̃) (Siddiqi 2006, *Credit Risk Scorecards*), which equals
//!   KL(c̃‖r̃) + KL(r̃‖c̃);
//! * KL(p‖q) = Σ p̃ ln(p̃ / q̃) (`scipy.special.rel_entr(p̃, q̃).sum()`);
//! * JS distance = √(½ KL₂(r‖m) + ½ KL₂(c‖m)), m = (r + c)/2, logs base 2, on the raw
//!   proportions (`scipy.spatial.distance.jensenshannon(r, c, base=2)`), in [0, 1];
//! * Hellinger = √(½ Σ (√r − √c)²), in [0, 1].

use super::finite_sorted;
use std::collections::BTreeMap;

/// Default number of reference-quantile bins for numeric columns.
pub const DEFAULT_BINS: usize = 10;
/// Default floor replacing empty-bin proportions in PSI and KL.
pub const DEFAULT_FLOOR: f64 = 1e-4;
/// Default number of categories kept before pooling the rest into "other".
pub const DEFAULT_TOP_K: usize = 20;

/// Counts of reference and current values in shared bins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BinnedCounts {
    /// Bin edges, ascending, first −∞ and last +∞ (length = bins + 1). JSON has no ∞, so
    /// serialise only the interior edges (`edges[1..len − 1]`) if this goes into a report.
    #[serde(skip)]
    pub edges: Vec<f64>,
    /// Reference values per bin.
    pub reference: Vec<u64>,
    /// Current values per bin.
    pub current: Vec<u64>,
}

/// Counts of reference and current values per category.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CategoricalCounts {
    /// Category names in display order; the "other" bucket, if any, is last.
    pub categories: Vec<String>,
    /// Index of the pooled "other" bucket in `categories`, when categories beyond top-k exist.
    pub other_index: Option<usize>,
    /// Reference values per category.
    pub reference: Vec<u64>,
    /// Current values per category.
    pub current: Vec<u64>,
}

/// The name given to the pooled bucket of categories beyond the top k.
pub const OTHER: &str = "(other)";

/// KL divergence in both directions over the same cells.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KlDivergence {
    /// KL(reference ‖ current) = Σ r̃ ln(r̃ / c̃).
    pub ref_cur: f64,
    /// KL(current ‖ reference) = Σ c̃ ln(c̃ / r̃).
    pub cur_ref: f64,
}

/// `numpy.quantile(sorted, q)` with the default linear method, for ascending finite data.
///
/// `None` for empty data or q outside [0, 1].
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let virtual_index = (n - 1) as f64 * q;
    if virtual_index >= (n - 1) as f64 {
        return sorted.last().copied();
    }
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let i = prev as usize;
    let (a, b) = (sorted[i], sorted[i + 1]);
    // numpy's _lerp: a + (b − a)·γ, or b − (b − a)(1 − γ) when γ ≥ ½ (monotone).
    let diff = b - a;
    Some(if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    })
}

/// Reference-quantile bin edges (−∞, interior quantiles…, +∞), duplicates removed.
///
/// Non-finite reference values are ignored. `None` when `bins == 0` or no finite value remains.
pub fn quantile_edges(reference: &[f64], bins: usize) -> Option<Vec<f64>> {
    let sorted = finite_sorted(reference);
    quantile_edges_sorted(&sorted, bins)
}

fn quantile_edges_sorted(sorted: &[f64], bins: usize) -> Option<Vec<f64>> {
    if bins == 0 || sorted.is_empty() {
        return None;
    }
    let step = 1.0 / bins as f64;
    let mut edges = Vec::with_capacity(bins + 1);
    edges.push(f64::NEG_INFINITY);
    for i in 1..bins {
        edges.push(quantile_sorted(sorted, i as f64 * step)?);
    }
    edges.push(f64::INFINITY);
    edges.dedup();
    Some(edges)
}

/// Counts of finite values per bin [e_i, e_{i+1}) for edges from [`quantile_edges`]; the outer
/// edges are treated as −∞ and +∞. Empty when fewer than two edges are given.
pub fn bin_counts(values: &[f64], edges: &[f64]) -> Vec<u64> {
    if edges.len() < 2 {
        return Vec::new();
    }
    let interior = &edges[1..edges.len() - 1];
    let mut counts = vec![0u64; edges.len() - 1];
    for &v in values.iter().filter(|v| v.is_finite()) {
        counts[interior.partition_point(|&e| e <= v)] += 1;
    }
    counts
}

/// Reference-quantile bins with the counts of both samples.
///
/// `None` when `bins == 0` or either sample has no finite value.
pub fn numeric_bins(reference: &[f64], current: &[f64], bins: usize) -> Option<BinnedCounts> {
    let sorted = finite_sorted(reference);
    let edges = quantile_edges_sorted(&sorted, bins)?;
    let reference = bin_counts(&sorted, &edges);
    let current = bin_counts(current, &edges);
    if current.iter().sum::<u64>() == 0 {
        return None;
    }
    Some(BinnedCounts {
        edges,
        reference,
        current,
    })
}

/// Category counts with categories beyond `top_k` pooled into a trailing [`OTHER`] bucket.
///
/// Categories are ordered by reference count (descending), then current count (descending),
/// then name; categories seen only in the current sample therefore rank after all reference
/// categories. The "other" bucket is present only when some category was pooled.
pub fn categorical_distribution<S: AsRef<str>>(
    reference: &[S],
    current: &[S],
    top_k: usize,
) -> CategoricalCounts {
    let mut counts: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for v in reference {
        counts.entry(v.as_ref()).or_default().0 += 1;
    }
    for v in current {
        counts.entry(v.as_ref()).or_default().1 += 1;
    }
    let mut cats: Vec<(&str, (u64, u64))> = counts.into_iter().collect();
    cats.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(b.1.1.cmp(&a.1.1)).then(a.0.cmp(b.0)));
    let keep = top_k.min(cats.len());
    let mut out = CategoricalCounts {
        categories: Vec::with_capacity(keep + 1),
        other_index: None,
        reference: Vec::with_capacity(keep + 1),
        current: Vec::with_capacity(keep + 1),
    };
    for &(name, (r, c)) in &cats[..keep] {
        out.categories.push(name.to_string());
        out.reference.push(r);
        out.current.push(c);
    }
    if keep < cats.len() {
        let (r, c) = cats[keep..]
            .iter()
            .fold((0, 0), |acc, &(_, (r, c))| (acc.0 + r, acc.1 + c));
        out.other_index = Some(keep);
        out.categories.push(OTHER.to_string());
        out.reference.push(r);
        out.current.push(c);
    }
    out
}

/// Proportions of two count vectors, or `None` if the lengths differ, are empty, or a total is 0.
fn proportions(reference: &[u64], current: &[u64]) -> Option<(Vec<f64>, Vec<f64>)> {
    if reference.len() != current.len() || reference.is_empty() {
        return None;
    }
    let (tr, tc) = (reference.iter().sum::<u64>(), current.iter().sum::<u64>());
    if tr == 0 || tc == 0 {
        return None;
    }
    let r = reference.iter().map(|&x| x as f64 / tr as f64).collect();
    let c = current.iter().map(|&x| x as f64 / tc as f64).collect();
    Some((r, c))
}

fn floored(p: &[f64], floor: f64) -> Vec<f64> {
    p.iter()
        .map(|&x| if x == 0.0 { floor } else { x })
        .collect()
}

fn valid_floor(floor: f64) -> bool {
    floor.is_finite() && floor > 0.0
}

/// PSI over matching count vectors (bins or categories). `None` for mismatched or empty
/// counts, a zero total, or a floor that is not finite and positive.
pub fn psi_counts(reference: &[u64], current: &[u64], floor: f64) -> Option<f64> {
    let (r, c) = proportions(reference, current)?;
    if !valid_floor(floor) {
        return None;
    }
    let (r, c) = (floored(&r, floor), floored(&c, floor));
    Some(
        r.iter()
            .zip(&c)
            .map(|(&r, &c)| (c - r) * (c / r).ln())
            .sum(),
    )
}

/// KL divergence in both directions over matching count vectors (floored, natural log).
pub fn kl_counts(reference: &[u64], current: &[u64], floor: f64) -> Option<KlDivergence> {
    let (r, c) = proportions(reference, current)?;
    if !valid_floor(floor) {
        return None;
    }
    let (r, c) = (floored(&r, floor), floored(&c, floor));
    let kl = |p: &[f64], q: &[f64]| {
        p.iter()
            .zip(q)
            .map(|(&p, &q)| p * (p / q).ln())
            .sum::<f64>()
    };
    Some(KlDivergence {
        ref_cur: kl(&r, &c),
        cur_ref: kl(&c, &r),
    })
}

/// Jensen–Shannon distance (base 2, in [0, 1]) over matching count vectors.
pub fn js_counts(reference: &[u64], current: &[u64]) -> Option<f64> {
    let (r, c) = proportions(reference, current)?;
    let rel_entr = |p: f64, m: f64| if p > 0.0 { p * (p / m).ln() } else { 0.0 };
    let mut js = 0.0;
    for (&p, &q) in r.iter().zip(&c) {
        let m = (p + q) / 2.0;
        js += rel_entr(p, m) + rel_entr(q, m);
    }
    Some((js / std::f64::consts::LN_2 / 2.0).max(0.0).sqrt())
}

/// Hellinger distance √(½ Σ (√r − √c)²), in [0, 1], over matching count vectors.
pub fn hellinger_counts(reference: &[u64], current: &[u64]) -> Option<f64> {
    let (r, c) = proportions(reference, current)?;
    let s: f64 = r
        .iter()
        .zip(&c)
        .map(|(&r, &c)| (r.sqrt() - c.sqrt()).powi(2))
        .sum();
    Some((0.5 * s).sqrt())
}

/// Population stability index of `current` against `reference` over `bins` reference-quantile
/// bins, empty-bin proportions replaced by `floor` (use [`DEFAULT_BINS`], [`DEFAULT_FLOOR`]).
/// Conventional reading: < 0.1 stable, 0.1–0.25 moderate shift, ≥ 0.25 major shift.
pub fn psi(reference: &[f64], current: &[f64], bins: usize, floor: f64) -> Option<f64> {
    let b = numeric_bins(reference, current, bins)?;
    psi_counts(&b.reference, &b.current, floor)
}

/// KL divergence in both directions over the same reference-quantile bins (floored).
pub fn kl_divergence(
    reference: &[f64],
    current: &[f64],
    bins: usize,
    floor: f64,
) -> Option<KlDivergence> {
    let b = numeric_bins(reference, current, bins)?;
    kl_counts(&b.reference, &b.current, floor)
}

/// Jensen–Shannon distance (base 2) over reference-quantile bins.
pub fn js_distance(reference: &[f64], current: &[f64], bins: usize) -> Option<f64> {
    let b = numeric_bins(reference, current, bins)?;
    js_counts(&b.reference, &b.current)
}

/// Hellinger distance over reference-quantile bins.
pub fn hellinger(reference: &[f64], current: &[f64], bins: usize) -> Option<f64> {
    let b = numeric_bins(reference, current, bins)?;
    hellinger_counts(&b.reference, &b.current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_numpy_on_small_cases() {
        let d = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&d, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&d, 1.0), Some(4.0));
        assert_eq!(quantile_sorted(&d, 0.5), Some(2.5));
        assert_eq!(quantile_sorted(&d, 0.25), Some(1.75));
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&d, 1.5), None);
    }

    #[test]
    fn edges_deduplicate_and_bins_are_left_closed() {
        let e = quantile_edges(&[7.0; 5], 10).unwrap();
        assert_eq!(e, vec![f64::NEG_INFINITY, 7.0, f64::INFINITY]);
        assert_eq!(bin_counts(&[6.0, 7.0, 8.0, f64::NAN], &e), vec![1, 2]);
        assert!(quantile_edges(&[], 10).is_none());
        assert!(quantile_edges(&[1.0], 0).is_none());
    }

    #[test]
    fn categorical_order_and_other_bucket() {
        let r = ["b", "a", "a", "c", "b", "a"];
        let c = ["z", "a", "c", "c", "y", "y"];
        let d = categorical_distribution(&r, &c, 3);
        assert_eq!(d.categories, vec!["a", "b", "c", OTHER]);
        assert_eq!(d.reference, vec![3, 2, 1, 0]);
        assert_eq!(d.current, vec![1, 0, 2, 3]);
        assert_eq!(d.other_index, Some(3));
        let d = categorical_distribution(&r, &c, 10);
        assert_eq!(d.categories, vec!["a", "b", "c", "y", "z"]);
        assert_eq!(d.other_index, None);
    }

    #[test]
    fn psi_is_kl_both_ways() {
        let r = [10, 0, 30, 60];
        let c = [20, 5, 25, 50];
        let p = psi_counts(&r, &c, 1e-4).unwrap();
        let k = kl_counts(&r, &c, 1e-4).unwrap();
        assert!((p - (k.ref_cur + k.cur_ref)).abs() < 1e-12);
    }

    #[test]
    fn disjoint_distributions_have_unit_js_and_hellinger() {
        assert_eq!(js_counts(&[5, 0], &[0, 7]), Some(1.0));
        assert_eq!(hellinger_counts(&[5, 0], &[0, 7]), Some(1.0));
        assert_eq!(js_counts(&[5, 0], &[5, 0]), Some(0.0));
    }

    #[test]
    fn degenerate_counts_are_none() {
        assert!(psi_counts(&[], &[], 1e-4).is_none());
        assert!(psi_counts(&[1, 2], &[1], 1e-4).is_none());
        assert!(psi_counts(&[0, 0], &[1, 1], 1e-4).is_none());
        assert!(psi_counts(&[1, 1], &[1, 1], 0.0).is_none());
        assert!(js_counts(&[1, 1], &[0, 0]).is_none());
        assert!(psi(&[1.0], &[], 10, 1e-4).is_none());
    }
}
