//! Calibration and discrimination per segment value (one grouping column at a time).
//!
//! For every segment with at least one row, [`segment_report`] computes:
//!
//! - `n`, `positives`, `positive_rate = positives / n`, `mean_score`;
//! - `ece`: expected calibration error over 10 equal-width bins,
//!   `ECE = Σ_b (n_b/n)·|mean score_b − rate_b| = Σ_b |Σ_{i∈b} s_i − Σ_{i∈b} y_i| / n`, with
//!   NumPy's edges `k·0.1` and `searchsorted(..., side="right")` binning, as
//!   `sklearn.calibration.calibration_curve(strategy="uniform")` (a score on an edge goes up);
//! - calibration-in-the-large `citl = mean score − positive rate`, tested against 0 by a
//!   normal approximation to the Poisson-binomial count of positives under the null that each
//!   label is Bernoulli(score): `Var(citl) = Σ p_i(1 − p_i) / n²`,
//!   `z = (Σ p_i − Σ y_i) / √(Σ p_i(1 − p_i))`, two-sided `p = 2·(1 − Φ(|z|))`. When every
//!   score is exactly 0 or 1 the variance is 0: `z` is `None` and `p` is 1 if the counts agree,
//!   0 if they do not (the observation is impossible under the null). Φ is statrs' normal
//!   (its `erfc` agrees with SciPy's `norm.sf` to ~1e-10 relative);
//! - ROC AUC (as `sklearn.metrics.roc_auc_score`) with its DeLong interval (DeLong, DeLong &
//!   Clarke-Pearson 1988), both from [`crate::core::metrics::ranking`]; `None` with one class
//!   (the interval also needs ≥ 2 rows of each class);
//! - `q_value`: the Benjamini–Hochberg (1995) adjusted p-value of the citl test across the
//!   segments of the report, exactly as `statsmodels.stats.multitest.multipletests(p,
//!   method="fdr_bh")`; `flagged = q < 0.05`.
//!
//! Segments are sorted worst first by `|Σ p_i − Σ y_i| = n·|citl|` — the segment's excess of
//! expected over observed positives, in rows — so a large segment with a moderate bias outranks a
//! tiny one with a large but noisy bias; ties by q-value, then name. Grouping is a counting sort
//! by segment code (O(n + k)); each segment's AUC sorts its rows (O(n log n) overall). Sums use
//! Neumaier-compensated summation so that 10⁷-row means keep full precision.

use crate::core::metrics::ranking::{self, RankSummary};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};
use std::collections::BTreeMap;
use std::fmt;

/// Number of equal-width bins of the per-segment ECE.
pub const ECE_BINS: usize = 10;
/// Segments with a q-value below this are flagged.
pub const FDR_ALPHA: f64 = 0.05;

/// Calibration and discrimination of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentStats {
    /// Segment value (from `segment_names`).
    pub name: String,
    /// Its code (index into `segment_names`).
    pub code: u32,
    /// Rows.
    pub n: u64,
    /// Rows with label 1.
    pub positives: u64,
    /// positives / n.
    pub positive_rate: f64,
    /// Mean score.
    pub mean_score: f64,
    /// Expected calibration error over 10 equal-width bins.
    pub ece: f64,
    /// mean score − positive rate.
    pub calibration_in_the_large: f64,
    /// Its z statistic; `None` when every score is exactly 0 or 1 (zero variance).
    pub citl_z: Option<f64>,
    /// Two-sided p-value of the z-test of citl = 0.
    pub citl_p_value: f64,
    /// Benjamini–Hochberg adjusted p-value across the report's segments.
    pub q_value: f64,
    /// ROC AUC; `None` with one class.
    pub roc_auc: Option<f64>,
    /// DeLong interval of the AUC; `None` with fewer than 2 rows of a class.
    pub roc_auc_ci: Option<[f64; 2]>,
    /// `q_value < 0.05`.
    pub flagged: bool,
}

/// All segments of one grouping column, worst first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentReport {
    /// Confidence level of the AUC intervals.
    pub confidence: f64,
    /// One entry per segment with at least one row, sorted worst first.
    pub segments: Vec<SegmentStats>,
}

impl SegmentReport {
    /// The segment with this name, if present.
    pub fn get(&self, name: &str) -> Option<&SegmentStats> {
        self.segments.iter().find(|s| s.name == name)
    }
}

/// Why segment input was rejected.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentError {
    /// A per-row slice does not have the length of the scores.
    LengthMismatch {
        /// `labels` or `segment_codes`.
        what: &'static str,
        /// Length of the scores.
        expected: usize,
        /// Its length.
        got: usize,
    },
    /// A score that is not a finite number in [0, 1].
    InvalidScore {
        /// Row index (0-based).
        index: usize,
        /// The value.
        value: f64,
    },
    /// A label other than 0 or 1.
    InvalidLabel {
        /// Row index (0-based).
        index: usize,
        /// The value.
        value: u8,
    },
    /// A segment code with no name (`code ≥ segment_names.len()`).
    UnknownCode {
        /// Row index (0-based).
        index: usize,
        /// The code.
        code: u32,
    },
    /// A confidence level outside the open interval (0, 1).
    InvalidConfidence(f64),
}

impl fmt::Display for SegmentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch {
                what,
                expected,
                got,
            } => write!(f, "{what}: {got} values for {expected} scores"),
            Self::InvalidScore { index, value } => {
                write!(f, "row {index}: score {value} is not in [0, 1]")
            }
            Self::InvalidLabel { index, value } => {
                write!(f, "row {index}: label {value} is not 0 or 1")
            }
            Self::UnknownCode { index, code } => {
                write!(f, "row {index}: segment code {code} has no name")
            }
            Self::InvalidConfidence(c) => {
                write!(f, "confidence {c} is not strictly between 0 and 1")
            }
        }
    }
}

impl std::error::Error for SegmentError {}

/// Neumaier's compensated sum.
#[derive(Debug, Default, Clone, Copy)]
struct Sum {
    sum: f64,
    carry: f64,
}

impl Sum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.carry += (self.sum - t) + x;
        } else {
            self.carry += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// The 10-bin index of a score in [0, 1], as `np.searchsorted(edges[1:-1], s, side="right")`
/// with `edges = np.linspace(0, 1, 11)` (interior edges `k·0.1`).
fn ece_bin(s: f64) -> usize {
    (1..ECE_BINS).take_while(|&k| k as f64 * 0.1 <= s).count()
}

/// ECE over 10 equal-width bins: `Σ_b |Σ s − Σ y| / n`; `None` for no rows.
pub fn ece_uniform(scores: &[f64], labels: &[u8]) -> Option<f64> {
    if scores.is_empty() {
        return None;
    }
    let mut sums = [Sum::default(); ECE_BINS];
    let mut pos = [0u64; ECE_BINS];
    for (&s, &y) in scores.iter().zip(labels) {
        let b = ece_bin(s);
        sums[b].add(s);
        pos[b] += u64::from(y);
    }
    let mut total = Sum::default();
    for (s, &p) in sums.iter().zip(&pos) {
        total.add((s.value() - p as f64).abs());
    }
    Some(total.value() / scores.len() as f64)
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
///
/// `q_(k) = min_{j ≥ k} p_(j) / (j/m)`, capped at 1, as statsmodels' `fdr_bh` (which divides
/// by `j/m` in that order). Inputs should be p-values in [0, 1]; NaN sorts last and stays NaN.
pub fn benjamini_hochberg(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut q = vec![0.0; m];
    let mut running = f64::INFINITY;
    for (rank0, &i) in order.iter().enumerate().rev() {
        let adjusted = p_values[i] / ((rank0 + 1) as f64 / m as f64);
        running = if adjusted.is_nan() {
            running
        } else {
            running.min(adjusted)
        };
        q[i] = if p_values[i].is_nan() {
            f64::NAN
        } else {
            running.min(1.0)
        };
    }
    q
}

/// Calibration-in-the-large z-test: `(z, p)` from `Σ p`, `Σ y` and `Σ p(1 − p)`.
fn citl_test(sum_p: f64, sum_y: f64, var_sum: f64) -> (Option<f64>, f64) {
    if var_sum > 0.0 {
        let z = (sum_p - sum_y) / var_sum.sqrt();
        let p = (2.0 * Normal::standard().sf(z.abs())).min(1.0);
        (Some(z), p)
    } else if sum_p == sum_y {
        (None, 1.0)
    } else {
        (None, 0.0)
    }
}

fn validate(
    scores: &[f64],
    labels: &[u8],
    segment_codes: &[u32],
    names: usize,
    confidence: f64,
) -> Result<(), SegmentError> {
    let n = scores.len();
    for (what, got) in [
        ("labels", labels.len()),
        ("segment_codes", segment_codes.len()),
    ] {
        if got != n {
            return Err(SegmentError::LengthMismatch {
                what,
                expected: n,
                got,
            });
        }
    }
    if let Some(index) = scores.iter().position(|s| !(0.0..=1.0).contains(s)) {
        return Err(SegmentError::InvalidScore {
            index,
            value: scores[index],
        });
    }
    if let Some(index) = labels.iter().position(|&y| y > 1) {
        return Err(SegmentError::InvalidLabel {
            index,
            value: labels[index],
        });
    }
    if let Some(index) = segment_codes.iter().position(|&c| c as usize >= names) {
        return Err(SegmentError::UnknownCode {
            index,
            code: segment_codes[index],
        });
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SegmentError::InvalidConfidence(confidence));
    }
    Ok(())
}

/// Statistics of one segment's rows (non-empty), q-value and flag left for the caller.
fn segment_stats(
    name: &str,
    code: u32,
    scores: &[f64],
    labels: &[u8],
    confidence: f64,
) -> SegmentStats {
    let n = scores.len() as u64;
    let positives = labels.iter().map(|&y| u64::from(y)).sum::<u64>();
    let (mut sum_p, mut var_sum) = (Sum::default(), Sum::default());
    for &s in scores {
        sum_p.add(s);
        var_sum.add(s * (1.0 - s));
    }
    let (sum_p, var_sum) = (sum_p.value(), var_sum.value());
    let mean_score = sum_p / n as f64;
    let positive_rate = positives as f64 / n as f64;
    let (citl_z, citl_p_value) = citl_test(sum_p, positives as f64, var_sum);
    let summary = RankSummary::new(scores, labels).ok();
    let roc_auc = summary.as_ref().and_then(RankSummary::roc_auc);
    let roc_auc_ci = summary
        .as_ref()
        .and_then(|s| ranking::confidence_interval(s, confidence).ok().flatten());
    SegmentStats {
        name: name.to_string(),
        code,
        n,
        positives,
        positive_rate,
        mean_score,
        ece: ece_uniform(scores, labels).unwrap_or(0.0),
        calibration_in_the_large: mean_score - positive_rate,
        citl_z,
        citl_p_value,
        q_value: citl_p_value,
        roc_auc,
        roc_auc_ci,
        flagged: false,
    }
}

/// `|Σ p − Σ y|`, the sort key (expected minus observed positives, in rows).
fn excess(s: &SegmentStats) -> f64 {
    (s.calibration_in_the_large * s.n as f64).abs()
}

/// Calibration and AUC per segment value, worst first (see the module doc for every formula).
///
/// `segment_codes[i]` indexes `segment_names`; segments without rows are left out. Scores must
/// be finite in [0, 1], labels 0 or 1, lengths equal, `0 < confidence < 1`; otherwise an error.
pub fn segment_report(
    scores: &[f64],
    labels: &[u8],
    segment_codes: &[u32],
    segment_names: &[String],
    confidence: f64,
) -> Result<SegmentReport, SegmentError> {
    validate(
        scores,
        labels,
        segment_codes,
        segment_names.len(),
        confidence,
    )?;
    // Counting sort by code.
    let k = segment_names.len();
    let mut start = vec![0usize; k + 1];
    for &c in segment_codes {
        start[c as usize + 1] += 1;
    }
    for j in 0..k {
        start[j + 1] += start[j];
    }
    let mut next = start.clone();
    let mut s_sorted = vec![0.0; scores.len()];
    let mut y_sorted = vec![0u8; scores.len()];
    for ((&s, &y), &c) in scores.iter().zip(labels).zip(segment_codes) {
        let slot = &mut next[c as usize];
        s_sorted[*slot] = s;
        y_sorted[*slot] = y;
        *slot += 1;
    }
    let mut segments: Vec<SegmentStats> = (0..k)
        .filter(|&j| start[j + 1] > start[j])
        .map(|j| {
            let range = start[j]..start[j + 1];
            segment_stats(
                &segment_names[j],
                j as u32,
                &s_sorted[range.clone()],
                &y_sorted[range],
                confidence,
            )
        })
        .collect();
    let p: Vec<f64> = segments.iter().map(|s| s.citl_p_value).collect();
    for (s, q) in segments.iter_mut().zip(benjamini_hochberg(&p)) {
        s.q_value = q;
        s.flagged = q < FDR_ALPHA;
    }
    segments.sort_by(|a, b| {
        excess(b)
            .total_cmp(&excess(a))
            .then(a.q_value.total_cmp(&b.q_value))
            .then_with(|| a.name.cmp(&b.name))
            .then(a.code.cmp(&b.code))
    });
    Ok(SegmentReport {
        confidence,
        segments,
    })
}

/// Codes and names for a column of segment values: names sorted, codes index them.
pub fn encode<S: AsRef<str>>(values: &[S]) -> (Vec<u32>, Vec<String>) {
    let mut index: BTreeMap<&str, u32> = values.iter().map(|v| (v.as_ref(), 0)).collect();
    let names: Vec<String> = index.keys().map(|k| k.to_string()).collect();
    for (code, slot) in index.values_mut().enumerate() {
        *slot = code as u32;
    }
    let codes = values
        .iter()
        .map(|v| index.get(v.as_ref()).copied().unwrap_or_default())
        .collect();
    (codes, names)
}

/// The codes and names [`encode`] gives for the values `key_names[keys[i]]`, computed from small
/// integer keys (e.g. a column's dictionary codes) without comparing a string per row: names are
/// the distinct names of the keys that occur, sorted; equal names under different keys share a
/// code. `None` when a key has no name.
pub fn encode_keys(keys: &[u32], key_names: &[&str]) -> Option<(Vec<u32>, Vec<String>)> {
    let mut present = vec![false; key_names.len()];
    for &k in keys {
        *present.get_mut(k as usize)? = true;
    }
    let mut sorted: Vec<&str> = key_names
        .iter()
        .zip(&present)
        .filter(|(_, p)| **p)
        .map(|(n, _)| *n)
        .collect();
    sorted.sort_unstable();
    sorted.dedup();
    let code_of_key: Vec<u32> = key_names
        .iter()
        .map(|n| sorted.binary_search(n).map_or(0, |i| i as u32))
        .collect();
    let codes = keys.iter().map(|&k| code_of_key[k as usize]).collect();
    Some((codes, sorted.into_iter().map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_match_numpy_searchsorted_right() {
        assert_eq!(ece_bin(0.0), 0);
        assert_eq!(ece_bin(0.1), 1);
        // 3·0.1 = 0.30000000000000004 > 0.3, so 0.3 stays in bin 2, as NumPy.
        assert_eq!(ece_bin(0.3), 2);
        assert_eq!(ece_bin(0.30000000000000004), 3);
        assert_eq!(ece_bin(0.95), 9);
        assert_eq!(ece_bin(1.0), 9);
    }

    #[test]
    fn ece_by_hand() {
        // Bin 0: scores 0.05, 0.05, labels 0, 1 → |0.1 − 1| = 0.9; bin 9: 0.95, label 1 → 0.05.
        let e = ece_uniform(&[0.05, 0.05, 0.95], &[0, 1, 1]).unwrap();
        assert!((e - (0.9 + 0.05) / 3.0).abs() < 1e-15);
        assert_eq!(ece_uniform(&[], &[]), None);
    }

    #[test]
    fn bh_by_hand() {
        // m = 4, sorted p: 0.01, 0.02, 0.03, 0.5 → 0.04, 0.04, 0.04, 0.5.
        let q = benjamini_hochberg(&[0.03, 0.5, 0.01, 0.02]);
        let want = [0.04, 0.5, 0.04, 0.04];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-15, "{q:?}");
        }
        assert!(benjamini_hochberg(&[]).is_empty());
        assert_eq!(benjamini_hochberg(&[0.9, 0.8]), vec![0.9, 0.9]);
        let q = benjamini_hochberg(&[f64::NAN, 0.01]);
        assert!(q[0].is_nan());
        assert!((q[1] - 0.02).abs() < 1e-15);
    }

    #[test]
    fn citl_zero_variance() {
        assert_eq!(citl_test(2.0, 2.0, 0.0), (None, 1.0));
        assert_eq!(citl_test(2.0, 1.0, 0.0), (None, 0.0));
        let (z, p) = citl_test(30.0, 20.0, 25.0);
        assert_eq!(z, Some(2.0));
        // SciPy: 2·norm.sf(2) = 0.04550026389635839; statrs' erfc is good to ~1e-10 relative.
        assert!((p / 0.045_500_263_896_358_39 - 1.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn compensated_sum() {
        let mut s = Sum::default();
        for x in [1e16, 1.0, -1e16] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0);
    }

    #[test]
    fn report_groups_and_sorts() {
        let names: Vec<String> = ["a", "b", "empty"].iter().map(|s| s.to_string()).collect();
        // a: well calibrated; b: over-predicts by 0.5 on 4 rows.
        let scores = [0.5, 0.5, 0.9, 0.9, 0.9, 0.9];
        let labels = [0, 1, 0, 0, 1, 0];
        let codes = [0, 0, 1, 1, 1, 1];
        let r = segment_report(&scores, &labels, &codes, &names, 0.95).unwrap();
        assert_eq!(r.segments.len(), 2);
        let b = &r.segments[0];
        assert_eq!((b.name.as_str(), b.n, b.positives), ("b", 4, 1));
        assert!((b.calibration_in_the_large - 0.65).abs() < 1e-12);
        assert_eq!(b.roc_auc, Some(0.5));
        assert_eq!(b.roc_auc_ci, None); // one positive
        let a = r.get("a").unwrap();
        assert_eq!(a.calibration_in_the_large, 0.0);
        assert_eq!(a.citl_p_value, 1.0);
        assert!(r.get("empty").is_none());
    }

    #[test]
    fn report_rejects_bad_input() {
        let names = vec!["x".to_string()];
        let e = |s: &[f64], y: &[u8], c: &[u32], conf| segment_report(s, y, c, &names, conf);
        assert!(matches!(
            e(&[0.5], &[1, 0], &[0], 0.95),
            Err(SegmentError::LengthMismatch { what: "labels", .. })
        ));
        assert!(matches!(
            e(&[0.5], &[1], &[], 0.95),
            Err(SegmentError::LengthMismatch {
                what: "segment_codes",
                ..
            })
        ));
        assert!(matches!(
            e(&[1.5], &[1], &[0], 0.95),
            Err(SegmentError::InvalidScore { index: 0, .. })
        ));
        assert!(matches!(
            e(&[f64::NAN], &[1], &[0], 0.95),
            Err(SegmentError::InvalidScore { .. })
        ));
        assert!(matches!(
            e(&[0.5], &[2], &[0], 0.95),
            Err(SegmentError::InvalidLabel { .. })
        ));
        assert!(matches!(
            e(&[0.5], &[1], &[1], 0.95),
            Err(SegmentError::UnknownCode { code: 1, .. })
        ));
        assert!(matches!(
            e(&[0.5], &[1], &[0], 1.0),
            Err(SegmentError::InvalidConfidence(_))
        ));
        // Empty input is an empty report, not an error.
        let r = segment_report(&[], &[], &[], &names, 0.95).unwrap();
        assert!(r.segments.is_empty());
    }

    #[test]
    fn encode_sorts_names() {
        let (codes, names) = encode(&["web", "app", "web", "app", "kiosk"]);
        assert_eq!(names, ["app", "kiosk", "web"]);
        assert_eq!(codes, [2, 0, 2, 0, 1]);
    }

    proptest::proptest! {
        /// Encoding by keys gives exactly what encoding the strings gives (duplicate names
        /// under different keys, unused keys, no rows).
        #[test]
        fn encode_keys_equals_encode(
            names in proptest::collection::vec("[a-c]{0,2}", 1..8),
            picks in proptest::collection::vec(0usize..100, 0..300),
        ) {
            let keys: Vec<u32> = picks.iter().map(|&p| (p % names.len()) as u32).collect();
            let key_names: Vec<&str> = names.iter().map(String::as_str).collect();
            let values: Vec<&str> = keys.iter().map(|&k| key_names[k as usize]).collect();
            proptest::prop_assert_eq!(encode_keys(&keys, &key_names), Some(encode(&values)));
        }
    }

    #[test]
    fn encode_keys_rejects_a_key_without_a_name() {
        assert_eq!(encode_keys(&[0, 2], &["a", "b"]), None);
    }
}
