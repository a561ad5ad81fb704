//! Drift of one column between a reference and a current sample.
//!
//! Statistics (each submodule cites its formula and reference implementation):
//! * numeric: two-sample Kolmogorov–Smirnov test (`scipy.stats.ks_2samp`, [`ks_2samp`]),
//!   Wasserstein-1 distance (`scipy.stats.wasserstein_distance`, [`wasserstein`]) and its
//!   Evidently normalisation by the reference standard deviation ([`wasserstein_norm`]);
//! * binned / categorical: PSI, KL (both directions), Jensen–Shannon distance (base 2) and
//!   Hellinger distance over reference-quantile bins or categories ([`psi`], [`kl_divergence`],
//!   [`js_distance`], [`hellinger`], [`categorical_distribution`]);
//! * categorical: Pearson's χ² contingency test (`scipy.stats.chi2_contingency`,
//!   [`chi2_contingency`]).
//!
//! Numeric functions ignore non-finite values (NaN is how missing numeric cells are coded;
//! [`missing_rate`] reports their share) and return `None` when a sample has no finite value.
//!
//! [`default_method`] picks a method per column with Evidently's rule (`_get_default_stattest`
//! in evidently's `stattests/registry.py`): for at most 1000 reference rows a statistical test
//! (KS for numeric, χ² for categorical or numeric with ≤ 5 distinct values; drift if p < 0.05),
//! else a distance (normalised Wasserstein for numeric, Jensen–Shannon for categorical or numeric
//! with ≤ 5 distinct values; drift if ≥ 0.1). [`evaluate`] computes the chosen method and
//! applies its threshold.

mod binned;
mod chi2;
mod dd;
mod kolmogorov;
mod ks;
mod wasserstein;

pub use binned::{
    BinnedCounts, CategoricalCounts, DEFAULT_BINS, DEFAULT_FLOOR, DEFAULT_TOP_K, KlDivergence,
    OTHER, bin_counts, categorical_distribution, hellinger, hellinger_counts, js_counts,
    js_distance, kl_counts, kl_divergence, numeric_bins, psi, psi_counts, quantile_edges,
    quantile_sorted,
};
pub use chi2::{Chi2Result, chi2_contingency};
pub use kolmogorov::{kolmogorov_sf, smirnov_sf};
pub use ks::{KS_MAX_EXACT_N, KsResult, ks_2samp};
pub use wasserstein::{STD_FLOOR, population_std, wasserstein, wasserstein_norm};

use serde::{Deserialize, Serialize};

/// Reference sizes up to this use a statistical test by default (Evidently's cut-off).
pub const SMALL_REFERENCE: u64 = 1000;
/// Numeric columns with at most this many distinct values get a discrete default method.
pub const FEW_VALUES: u64 = 5;
/// Numeric references with at most this many distinct values are compared value by value by
/// the binned methods (Evidently's `get_binned_data` cut-off); others use quantile bins.
pub const DISCRETE_VALUES: u64 = 20;
/// p-value below which KS and χ² report drift.
pub const P_VALUE_THRESHOLD: f64 = 0.05;
/// Distance at or above which Wasserstein-norm, JS, KL and Hellinger report drift.
pub const DISTANCE_THRESHOLD: f64 = 0.1;
/// PSI at or above which a moderate shift is reported (the drift threshold for PSI).
pub const PSI_WARN: f64 = 0.1;
/// PSI at or above which the shift is conventionally called major.
pub const PSI_MAJOR: f64 = 0.25;

/// A drift statistic that can be evaluated for a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftMethod {
    /// Two-sample Kolmogorov–Smirnov test p-value (numeric).
    Ks,
    /// χ² contingency test p-value over categories or distinct values.
    Chi2,
    /// Population stability index over reference-quantile bins or categories.
    Psi,
    /// Wasserstein-1 distance divided by the reference standard deviation (numeric).
    WassersteinNorm,
    /// Jensen–Shannon distance, base 2.
    JsDistance,
    /// KL(reference ‖ current), floored.
    Kl,
    /// Hellinger distance.
    Hellinger,
}

impl DriftMethod {
    /// Every method, in display order.
    pub const ALL: [DriftMethod; 7] = [
        Self::Ks,
        Self::Chi2,
        Self::Psi,
        Self::WassersteinNorm,
        Self::JsDistance,
        Self::Kl,
        Self::Hellinger,
    ];

    /// Stable snake_case key, as serialised.
    pub fn key(self) -> &'static str {
        match self {
            Self::Ks => "ks",
            Self::Chi2 => "chi2",
            Self::Psi => "psi",
            Self::WassersteinNorm => "wasserstein_norm",
            Self::JsDistance => "js_distance",
            Self::Kl => "kl",
            Self::Hellinger => "hellinger",
        }
    }

    /// The method with this [`key`](Self::key), if any.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|m| m.key() == key)
    }

    /// The method's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ks => "KS p-value",
            Self::Chi2 => "χ² p-value",
            Self::Psi => "PSI",
            Self::WassersteinNorm => "Wasserstein ÷ ref. sd",
            Self::JsDistance => "Jensen–Shannon distance",
            Self::Kl => "KL divergence",
            Self::Hellinger => "Hellinger distance",
        }
    }

    /// Whether the value is a p-value (drift when below the threshold) rather than a distance
    /// (drift when at or above it).
    pub fn is_p_value(self) -> bool {
        matches!(self, Self::Ks | Self::Chi2)
    }

    /// The default drift threshold (Evidently's defaults; PSI uses [`PSI_WARN`]).
    pub fn threshold(self) -> f64 {
        match self {
            Self::Ks | Self::Chi2 => P_VALUE_THRESHOLD,
            Self::Psi => PSI_WARN,
            Self::WassersteinNorm | Self::JsDistance | Self::Kl | Self::Hellinger => {
                DISTANCE_THRESHOLD
            }
        }
    }

    /// Whether the method applies to a column of this kind.
    pub fn applies_to(self, kind: ColumnKind) -> bool {
        !(kind == ColumnKind::Categorical && matches!(self, Self::Ks | Self::WassersteinNorm))
    }
}

/// Whether a column holds numbers or category labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numeric values (NaN for missing).
    Numeric,
    /// Category labels as strings.
    Categorical,
}

/// One sample of a column, borrowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnData<'a> {
    /// Numeric values; non-finite values are ignored.
    Numeric(&'a [f64]),
    /// Category labels; missing cells should be left out by the caller.
    Categorical(&'a [String]),
}

/// The outcome of one drift method on one column.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftOutcome {
    /// The method evaluated.
    pub method: DriftMethod,
    /// Its value: a p-value for `ks`/`chi2`, a distance otherwise.
    pub value: f64,
    /// The threshold applied.
    pub threshold: f64,
    /// p < threshold for p-values; value ≥ threshold for distances.
    pub drifted: bool,
}

/// Evidently's default method for a column (see the module documentation).
///
/// `distinct` is the number of distinct non-missing values in reference and current together
/// ([`distinct_numeric`], [`distinct_categorical`]). Evidently's binary-column z-test is
/// replaced by χ² (with Yates' correction for 2×2), which tests the same hypothesis.
/// `_n_current` is accepted for symmetry; the rule depends only on the reference size.
pub fn default_method(
    kind: ColumnKind,
    n_reference: u64,
    _n_current: u64,
    distinct: u64,
) -> DriftMethod {
    let discrete = kind == ColumnKind::Categorical || distinct <= FEW_VALUES;
    match (n_reference <= SMALL_REFERENCE, discrete) {
        (true, true) => DriftMethod::Chi2,
        (true, false) => DriftMethod::Ks,
        (false, true) => DriftMethod::JsDistance,
        (false, false) => DriftMethod::WassersteinNorm,
    }
}

/// Evaluates `method` on a reference and a current sample of the same kind.
///
/// For χ², PSI, JS, KL and Hellinger, a numeric column whose reference has at most
/// [`DISCRETE_VALUES`] distinct values is compared value by value (as categories); other
/// numeric columns use [`DEFAULT_BINS`] reference-quantile bins, except χ², which always counts
/// distinct values (pooled beyond [`DEFAULT_TOP_K`]). Categorical columns use
/// [`categorical_distribution`] with [`DEFAULT_TOP_K`]. PSI and KL use [`DEFAULT_FLOOR`].
/// `None` when the kinds differ, the method does not apply (KS or Wasserstein on categories),
/// or a sample is empty.
pub fn evaluate(
    method: DriftMethod,
    reference: ColumnData,
    current: ColumnData,
) -> Option<DriftOutcome> {
    let value = match (reference, current) {
        (ColumnData::Numeric(r), ColumnData::Numeric(c)) => evaluate_numeric(method, r, c)?,
        (ColumnData::Categorical(r), ColumnData::Categorical(c)) => {
            let d = categorical_distribution(r, c, DEFAULT_TOP_K);
            evaluate_counts(method, &d.reference, &d.current)?
        }
        _ => return None,
    };
    let threshold = method.threshold();
    let drifted = if method.is_p_value() {
        value < threshold
    } else {
        value >= threshold
    };
    Some(DriftOutcome {
        method,
        value,
        threshold,
        drifted,
    })
}

/// [`evaluate`] for counts already tallied over the same categories (as
/// [`categorical_distribution`] gives them): the decision of a categorical column without a
/// second pass over its rows. `None` when the method does not apply to counts (KS,
/// Wasserstein) or a total is zero.
pub fn evaluate_counts_outcome(
    method: DriftMethod,
    reference: &[u64],
    current: &[u64],
) -> Option<DriftOutcome> {
    let value = evaluate_counts(method, reference, current)?;
    let threshold = method.threshold();
    let drifted = if method.is_p_value() {
        value < threshold
    } else {
        value >= threshold
    };
    Some(DriftOutcome {
        method,
        value,
        threshold,
        drifted,
    })
}

fn evaluate_numeric(method: DriftMethod, r: &[f64], c: &[f64]) -> Option<f64> {
    match method {
        DriftMethod::Ks => Some(ks_2samp(r, c)?.p_value),
        DriftMethod::WassersteinNorm => wasserstein_norm(r, c),
        _ => {
            let discrete = distinct_numeric(r, &[]) <= DISCRETE_VALUES;
            if discrete || method == DriftMethod::Chi2 {
                let (rs, cs) = (numeric_labels(r), numeric_labels(c));
                let d = categorical_distribution(&rs, &cs, DEFAULT_TOP_K);
                evaluate_counts(method, &d.reference, &d.current)
            } else {
                let b = numeric_bins(r, c, DEFAULT_BINS)?;
                evaluate_counts(method, &b.reference, &b.current)
            }
        }
    }
}

fn evaluate_counts(method: DriftMethod, r: &[u64], c: &[u64]) -> Option<f64> {
    match method {
        DriftMethod::Chi2 => Some(chi2_contingency(&[r.to_vec(), c.to_vec()])?.p_value),
        DriftMethod::Psi => psi_counts(r, c, DEFAULT_FLOOR),
        DriftMethod::JsDistance => js_counts(r, c),
        DriftMethod::Kl => Some(kl_counts(r, c, DEFAULT_FLOOR)?.ref_cur),
        DriftMethod::Hellinger => hellinger_counts(r, c),
        DriftMethod::Ks | DriftMethod::WassersteinNorm => None,
    }
}

/// Finite values as exact decimal labels (−0 written as 0), for value-by-value comparison.
fn numeric_labels(values: &[f64]) -> Vec<String> {
    values
        .iter()
        .filter(|v| v.is_finite())
        .map(|&v| format!("{}", v + 0.0))
        .collect()
}

/// Share of NaN values (missing numeric cells); 0 for an empty column.
pub fn missing_rate(values: &[f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| v.is_nan()).count() as f64 / values.len() as f64
}

/// Number of distinct finite values in two numeric samples together (−0 and 0 are one value).
pub fn distinct_numeric(reference: &[f64], current: &[f64]) -> u64 {
    let mut all: Vec<f64> = reference
        .iter()
        .chain(current)
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    all.iter_mut().for_each(|v| *v += 0.0);
    all.sort_unstable_by(f64::total_cmp);
    all.dedup();
    all.len() as u64
}

/// Number of distinct labels in two categorical samples together.
pub fn distinct_categorical<S: AsRef<str>>(reference: &[S], current: &[S]) -> u64 {
    let set: std::collections::BTreeSet<&str> = reference
        .iter()
        .chain(current)
        .map(|s| s.as_ref())
        .collect();
    set.len() as u64
}

/// The finite values, ascending, with −0 normalised to 0.
pub(crate) fn finite_sorted(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .map(|v| v + 0.0)
        .collect();
    v.sort_unstable_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_keys_serialise_as_snake_case() {
        for m in DriftMethod::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.key()));
            assert_eq!(serde_json::from_str::<DriftMethod>(&json).unwrap(), m);
        }
    }

    #[test]
    fn default_method_follows_evidently() {
        use ColumnKind::*;
        assert_eq!(default_method(Numeric, 1000, 50, 100), DriftMethod::Ks);
        assert_eq!(
            default_method(Numeric, 1001, 50, 100),
            DriftMethod::WassersteinNorm
        );
        assert_eq!(default_method(Numeric, 500, 50, 5), DriftMethod::Chi2);
        assert_eq!(
            default_method(Numeric, 5000, 50, 2),
            DriftMethod::JsDistance
        );
        assert_eq!(default_method(Categorical, 1000, 50, 40), DriftMethod::Chi2);
        assert_eq!(
            default_method(Categorical, 1001, 50, 3),
            DriftMethod::JsDistance
        );
    }

    #[test]
    fn evaluate_applies_thresholds_and_kinds() {
        let r: Vec<f64> = (0..200).map(|i| f64::from(i) / 200.0).collect();
        let c: Vec<f64> = r.iter().map(|x| x + 0.5).collect();
        let out = evaluate(
            DriftMethod::Ks,
            ColumnData::Numeric(&r),
            ColumnData::Numeric(&c),
        )
        .unwrap();
        assert!(out.drifted && out.value < 0.05 && out.threshold == 0.05);
        let same = evaluate(
            DriftMethod::Psi,
            ColumnData::Numeric(&r),
            ColumnData::Numeric(&r),
        )
        .unwrap();
        assert!(!same.drifted && same.value == 0.0);
        let cats: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        assert!(
            evaluate(
                DriftMethod::Ks,
                ColumnData::Categorical(&cats),
                ColumnData::Categorical(&cats)
            )
            .is_none()
        );
        assert!(
            evaluate(
                DriftMethod::Psi,
                ColumnData::Numeric(&r),
                ColumnData::Categorical(&cats)
            )
            .is_none()
        );
        assert!(
            evaluate(
                DriftMethod::Ks,
                ColumnData::Numeric(&r),
                ColumnData::Numeric(&[])
            )
            .is_none()
        );
    }

    #[test]
    fn discrete_numeric_columns_are_compared_by_value() {
        // 95% zeros in the reference: quantile bins would merge 0 and 1 into one bin.
        let r: Vec<f64> = (0..2000)
            .map(|i| f64::from(u8::from(i % 20 == 0)))
            .collect();
        let c: Vec<f64> = (0..2000).map(|i| f64::from(u8::from(i % 2 == 0))).collect();
        let out = evaluate(
            DriftMethod::JsDistance,
            ColumnData::Numeric(&r),
            ColumnData::Numeric(&c),
        )
        .unwrap();
        assert!(out.drifted && out.value > 0.3, "{out:?}");
    }

    #[test]
    fn missing_and_distinct_counts() {
        assert_eq!(missing_rate(&[]), 0.0);
        assert_eq!(missing_rate(&[1.0, f64::NAN, 2.0, f64::NAN]), 0.5);
        assert_eq!(
            distinct_numeric(&[0.0, -0.0, 1.0, f64::NAN], &[1.0, 2.0]),
            3
        );
        assert_eq!(distinct_categorical(&["a", "b"], &["b", "c"]), 3);
    }
}
