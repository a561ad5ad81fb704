//! Discrimination: how well the scores rank positives above negatives.
//!
//! Everything here is computed from one [`RankSummary`]: the distinct scores in descending order
//! with the number of positives and negatives at each (built once by sorting, O(n log n)).
//!
//! - [`roc_auc`]: the area under the ROC curve as the Mann–Whitney U statistic with midranks
//!   (ties count ½), `AUC = Σ_g p_g·(neg_below_g + ½·n_g) / (P·N)`, summed exactly in integers.
//!   Equals `sklearn.metrics.roc_auc_score` (Hanley & McNeil 1982; Fawcett 2006).
//! - [`roc_curve`] and [`precision_recall_curve`]: the same points, thresholds and order as
//!   `sklearn.metrics.roc_curve(drop_intermediate=True)` and
//!   `sklearn.metrics.precision_recall_curve` (defaults).
//! - [`average_precision`]: `AP = Σ_k (R_k − R_{k−1})·P_k` over distinct thresholds (step-wise,
//!   no interpolation), as `sklearn.metrics.average_precision_score`.
//! - [`delong`], [`auc_confidence_interval`], [`delong_paired`], [`delong_unpaired`]: the
//!   variance of the AUC from its structural components (DeLong, DeLong & Clarke-Pearson 1988,
//!   *Biometrics* 44:837–845), computed by the midrank algorithm of Sun & Xu (2014, *IEEE Signal
//!   Processing Letters* 21:1389–1393) — here grouped by distinct score, so O(n log n).
//!   For a positive with score x: `V10(x) = (#neg < x + ½·#neg = x)/N`; for a negative with
//!   score y: `V01(y) = (#pos > y + ½·#pos = y)/P`; `Var(AUC) = s²(V10)/P + s²(V01)/N` with
//!   sample variances (divisor P − 1, N − 1).
//! - [`average_precision_interval`]: the logit interval of Boyd, Eng & Page (2013, "Area under
//!   the precision-recall curve: point estimates and confidence intervals", ECML PKDD):
//!   `expit(logit(AP) ± z·s)` with `s = 1/√(P·AP·(1 − AP))`, `z = Φ⁻¹((1 + c)/2)`. Chosen over
//!   a bootstrap because it is closed-form (no resampling on the page's thread), stays inside
//!   (0, 1), and had near-nominal coverage in Boyd et al.'s simulations.
//! - [`ks_separation`]: `max_s |F1(s) − F0(s)|` between the class-conditional empirical CDFs,
//!   as `scipy.stats.ks_2samp(s[y==1], s[y==0]).statistic`.
//!
//! Scores may be any finite reals here (ranking is invariant under monotone transforms);
//! labels must be 0 or 1. `-0.0` is treated as `0.0`. Undefined quantities (one class present)
//! are `None`, never NaN.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};
use std::fmt;

/// Why ranking input was rejected.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankingError {
    /// `scores` and `labels` (or two score columns) have different lengths.
    LengthMismatch {
        /// Length of the score slice.
        scores: usize,
        /// Length of the label slice.
        labels: usize,
    },
    /// A label other than 0 or 1.
    InvalidLabel {
        /// Row index (0-based).
        index: usize,
        /// The offending value.
        value: u8,
    },
    /// A score that is NaN or infinite.
    NonFiniteScore {
        /// Row index (0-based).
        index: usize,
    },
    /// Counts given to [`RankSummary::from_counts`] are inconsistent (lengths differ, scores not
    /// strictly descending or not finite, or a score with no rows).
    InvalidCounts,
    /// A confidence level outside the open interval (0, 1).
    InvalidConfidence(f64),
}

impl fmt::Display for RankingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { scores, labels } => {
                write!(f, "length mismatch: {scores} scores but {labels} labels")
            }
            Self::InvalidLabel { index, value } => {
                write!(f, "row {index}: label {value} is not 0 or 1")
            }
            Self::NonFiniteScore { index } => write!(f, "row {index}: score is not finite"),
            Self::InvalidCounts => write!(f, "inconsistent per-score counts"),
            Self::InvalidConfidence(c) => {
                write!(f, "confidence {c} is not strictly between 0 and 1")
            }
        }
    }
}

impl std::error::Error for RankingError {}

/// Distinct scores in descending order with the positives and negatives at each.
///
/// The shared basis of ROC, PR, DeLong, KS and the threshold sweep: built once in
/// O(n log n) time and O(n) transient memory, then every curve is a linear pass over it.
#[derive(Debug, Clone, PartialEq)]
pub struct RankSummary {
    scores: Vec<f64>,
    positives: Vec<u64>,
    negatives: Vec<u64>,
    total_positives: u64,
    total_negatives: u64,
}

/// A row's 4-byte sort key when its score (−0.0 read as +0.0) is exactly a non-negative
/// single-precision number: the f32's bits shifted left by one, the label in the lowest bit.
/// Non-negative f32 bit patterns order as their values and have the top bit clear, so the
/// keys order as (score, label) and lose nothing; `None` otherwise (the f64 path is used).
pub(super) fn f32_key(score: f64, label: u8) -> Option<u32> {
    let s = score + 0.0;
    let f = s as f32;
    (f64::from(f) == s && f.is_sign_positive()).then(|| (f.to_bits() << 1) | u32::from(label))
}

/// The scale of [`micro_key`]s: scores written with at most six decimals are k / 10⁶.
const MICRO: f64 = 1e6;

/// Distinct six-decimal scores: k = 0 ..= 10⁶.
const MICRO_KEYS: usize = 1_000_001;

/// From this many rows on, [`RankSummary::from_keys`] counts six-decimal keys in a table of
/// 2·10⁶ + 2 counters instead of sorting them: the table's zeroing and reading cost about as
/// much as sorting and grouping 2¹⁷ keys.
const MICRO_COUNTING_MIN_LEN: usize = 1 << 17;

/// A row's 4-byte sort key when its score (−0.0 read as +0.0) is exactly the double nearest
/// k / 10⁶ for an integer k in [0, 10⁶] — a score in [0, 1] written with at most six decimals
/// (as logs usually are, and not single-precision exact: 0.1 is not an f32) and read by a
/// correctly rounded parser: k shifted left by one, the label in the lowest bit. The check
/// `k / 10⁶ == score` is exact, and k ↦ fl(k / 10⁶) is monotone (rounding is) and injective
/// (10⁻⁶ is far above the spacing of doubles in [0, 1]), so the keys order as (score, label)
/// and the score is recovered exactly from k; `None` otherwise.
pub(super) fn micro_key(score: f64, label: u8) -> Option<u32> {
    let s = score + 0.0;
    // `as` saturates (NaN gives 0); the candidate k is checked, so its rounding cannot err.
    let k = (s * MICRO + 0.5) as u32;
    (k <= 1_000_000 && f64::from(k) / MICRO == s).then(|| (k << 1) | u32::from(label))
}

/// How a window's 4-byte sort keys encode its scores: [`f32_key`] or [`micro_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyScheme {
    /// The score is a single-precision number: its f32 bits.
    F32,
    /// The score is the double nearest k / 10⁶: k.
    Micro,
}

impl KeyScheme {
    /// The row's key under this scheme, `None` if its score has none.
    pub(super) fn key(self, score: f64, label: u8) -> Option<u32> {
        match self {
            Self::F32 => f32_key(score, label),
            Self::Micro => micro_key(score, label),
        }
    }

    /// Every row's key under this scheme, in a vector with room for `capacity`; `None` at
    /// the first row whose score has none.
    pub(super) fn keys(
        self,
        rows: impl Iterator<Item = (f64, u8)>,
        capacity: usize,
    ) -> Option<Vec<u32>> {
        let mut keys = Vec::with_capacity(capacity);
        for (s, y) in rows {
            keys.push(self.key(s, y)?);
        }
        Some(keys)
    }

    /// The score a key (label bit shifted out) stands for, exactly the row's.
    fn score(self, key: u32) -> f64 {
        match self {
            Self::F32 => f64::from(f32::from_bits(key)),
            Self::Micro => f64::from(key) / MICRO,
        }
    }
}

/// Distinct values in the union of two descending slices.
fn count_distinct_merged(a: &[f64], b: &[f64]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() || j < b.len() {
        let s = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.max(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] == s {
            i += 1;
        }
        while j < b.len() && b[j] == s {
            j += 1;
        }
        count += 1;
    }
    count
}

impl RankSummary {
    /// Sorts the rows by score (descending) and counts positives and negatives per distinct score.
    ///
    /// Errors on unequal lengths, a label other than 0/1, or a non-finite score.
    pub fn new(scores: &[f64], labels: &[u8]) -> Result<Self, RankingError> {
        validate(scores, labels)?;
        Ok(Self::from_valid_rows(
            scores.iter().copied().zip(labels.iter().copied()),
        ))
    }

    /// [`RankSummary::new`] of the (score, label) pairs `rows` yields (iterated twice: once to
    /// count each class, so the class vectors are sized once), without collecting them first:
    /// a caller that filters rows saves a copy of its scores and labels. Every score must be
    /// finite and every label 0 or 1 (checked by the caller, as [`validate`] does).
    pub fn from_valid_rows(rows: impl Iterator<Item = (f64, u8)> + Clone) -> Self {
        let (n_pos, n) = rows
            .clone()
            .fold((0, 0), |(p, n), (_, y)| (p + usize::from(y == 1), n + 1));
        // Scores read from a single-precision column or written with six decimals (the usual
        // logs): one sort of 4-byte keys carrying the label, then one pass, instead of two
        // sorts and two merges. The f32 scheme first: a six-decimal log fails it at its first
        // row that is not single-precision exact.
        if n > 0
            && let Some((scheme, keys)) = [KeyScheme::F32, KeyScheme::Micro]
                .into_iter()
                .find_map(|scheme| Some((scheme, scheme.keys(rows.clone(), n)?)))
        {
            return Self::from_keys(keys, n_pos as u64, scheme);
        }
        Self::from_f64_rows(rows, n_pos, n)
    }

    /// The general path of [`RankSummary::from_valid_rows`] (`n` rows, `n_pos` with label 1):
    /// each class's scores sorted descending, then merged.
    pub(super) fn from_f64_rows(
        rows: impl Iterator<Item = (f64, u8)>,
        n_pos: usize,
        n: usize,
    ) -> Self {
        let mut pos = Vec::with_capacity(n_pos);
        let mut neg = Vec::with_capacity(n - n_pos);
        for (s, y) in rows {
            // `+ 0.0` maps -0.0 to 0.0 so that the two zeros form one group, as in NumPy.
            if y == 1 {
                pos.push(s + 0.0);
            } else {
                neg.push(s + 0.0);
            }
        }
        // Radix sort: the same order as `sort_unstable_by(descending)`, in O(n).
        super::sort::sort_descending(&mut pos);
        super::sort::sort_descending(&mut neg);

        // Distinct scores first, so the three vectors are allocated once at their size (growing
        // them by doubling copied and faulted in up to twice the memory).
        let distinct = count_distinct_merged(&pos, &neg);
        let mut out = Self {
            scores: Vec::with_capacity(distinct),
            positives: Vec::with_capacity(distinct),
            negatives: Vec::with_capacity(distinct),
            total_positives: pos.len() as u64,
            total_negatives: neg.len() as u64,
        };
        let (mut i, mut j) = (0, 0);
        while i < pos.len() || j < neg.len() {
            let s = match (pos.get(i), neg.get(j)) {
                (Some(&a), Some(&b)) => {
                    if a >= b {
                        a
                    } else {
                        b
                    }
                }
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (None, None) => break,
            };
            let i0 = i;
            while i < pos.len() && pos[i] == s {
                i += 1;
            }
            let j0 = j;
            while j < neg.len() && neg[j] == s {
                j += 1;
            }
            out.scores.push(s);
            out.positives.push((i - i0) as u64);
            out.negatives.push((j - j0) as u64);
        }
        out
    }

    /// The summary of rows given as keys of `scheme` (every row's), `positives` of them with
    /// label 1: the keys sorted ascending by a radix sort, then read once from the end, so
    /// distinct scores come out descending, each with the number of its keys with label 1 and
    /// 0 (six-decimal keys from [`MICRO_COUNTING_MIN_LEN`] rows on: counted, not sorted). The
    /// same summary as the general path: the same distinct scores (each key decodes to
    /// exactly the row's score) and counts.
    pub(super) fn from_keys(keys: Vec<u32>, positives: u64, scheme: KeyScheme) -> Self {
        if scheme == KeyScheme::Micro && keys.len() >= MICRO_COUNTING_MIN_LEN {
            Self::from_micro_counts(&keys, positives)
        } else {
            Self::from_sorted_keys(keys, positives, scheme)
        }
    }

    /// [`RankSummary::from_keys`] of six-decimal keys by counting instead of sorting: a key
    /// is at most 2·10⁶ + 1, so one pass counts the rows of every key in a table of 2·10⁶ + 2
    /// counters and one pass down the table gives the distinct scores (descending) with their
    /// rows of label 1 (odd key) and 0 (even key). The same summary as the sort (each key
    /// decodes to exactly the row's score; the counts are exact), in O(n + 10⁶) with no sort:
    /// at a million rows a tenth of the radix sort's and the grouping pass's instructions.
    fn from_micro_counts(keys: &[u32], positives: u64) -> Self {
        // u32 counters hold any count of fewer than 2³² rows.
        let mut counts = vec![0u32; 2 * MICRO_KEYS];
        let mut outside = keys.len() > u32::MAX as usize;
        for &key in keys {
            match counts.get_mut(key as usize) {
                Some(c) => *c += 1,
                None => outside = true,
            }
        }
        // Not six-decimal keys after all (or too many rows): the sort.
        if outside {
            return Self::from_sorted_keys(keys.to_vec(), positives, KeyScheme::Micro);
        }
        let distinct = counts.chunks_exact(2).filter(|c| c[0] | c[1] != 0).count();
        let mut out = Self::empty(distinct, positives, keys.len());
        for (k, c) in counts.chunks_exact(2).enumerate().rev() {
            if c[0] | c[1] != 0 {
                out.scores.push(KeyScheme::Micro.score(k as u32));
                out.positives.push(u64::from(c[1]));
                out.negatives.push(u64::from(c[0]));
            }
        }
        out
    }

    /// A summary of `rows` rows, `positives` of them with label 1, with room for `distinct`
    /// scores and none yet.
    fn empty(distinct: usize, positives: u64, rows: usize) -> Self {
        Self {
            scores: Vec::with_capacity(distinct),
            positives: Vec::with_capacity(distinct),
            negatives: Vec::with_capacity(distinct),
            total_positives: positives,
            total_negatives: rows as u64 - positives,
        }
    }

    /// [`RankSummary::from_keys`] by sorting: the keys sorted ascending by a radix sort, then
    /// read once from the end.
    fn from_sorted_keys(mut keys: Vec<u32>, positives: u64, scheme: KeyScheme) -> Self {
        super::sort::sort_u32(&mut keys);
        let distinct = 1 + keys.windows(2).filter(|w| w[0] >> 1 != w[1] >> 1).count();
        let mut out = Self::empty(distinct, positives, keys.len());
        let mut i = keys.len();
        while i > 0 {
            let score = keys[i - 1] >> 1;
            let (mut rows, mut ones) = (0u64, 0u64);
            while i > 0 && keys[i - 1] >> 1 == score {
                i -= 1;
                rows += 1;
                ones += u64::from(keys[i] & 1);
            }
            out.scores.push(scheme.score(score));
            out.positives.push(ones);
            out.negatives.push(rows - ones);
        }
        out
    }

    /// Builds a summary from already-aggregated counts (e.g. a pre-binned log).
    ///
    /// `scores` must be finite and strictly descending; every score must have at least one row.
    pub fn from_counts(
        scores: Vec<f64>,
        positives: Vec<u64>,
        negatives: Vec<u64>,
    ) -> Result<Self, RankingError> {
        if scores.len() != positives.len() || scores.len() != negatives.len() {
            return Err(RankingError::InvalidCounts);
        }
        if scores.iter().any(|s| !s.is_finite())
            || scores.windows(2).any(|w| w[0] + 0.0 <= w[1] + 0.0)
            || positives.iter().zip(&negatives).any(|(&p, &q)| p + q == 0)
        {
            return Err(RankingError::InvalidCounts);
        }
        let total_positives = positives.iter().sum();
        let total_negatives = negatives.iter().sum();
        Ok(Self {
            scores: scores.into_iter().map(|s| s + 0.0).collect(),
            positives,
            negatives,
            total_positives,
            total_negatives,
        })
    }

    /// Distinct scores, strictly descending.
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }

    /// Positives at each distinct score (same order as [`Self::scores`]).
    pub fn positives(&self) -> &[u64] {
        &self.positives
    }

    /// Negatives at each distinct score (same order as [`Self::scores`]).
    pub fn negatives(&self) -> &[u64] {
        &self.negatives
    }

    /// Number of rows with label 1.
    pub fn total_positives(&self) -> u64 {
        self.total_positives
    }

    /// Number of rows with label 0.
    pub fn total_negatives(&self) -> u64 {
        self.total_negatives
    }

    /// Number of rows.
    pub fn n(&self) -> u64 {
        self.total_positives + self.total_negatives
    }

    /// Number of distinct scores.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// True when both classes are present (AUC, ROC, DeLong and KS need this).
    pub fn has_both_classes(&self) -> bool {
        self.total_positives > 0 && self.total_negatives > 0
    }

    /// Index of `score` among the distinct scores, if present (binary search, O(log n)).
    pub fn index_of(&self, score: f64) -> Option<usize> {
        let s = score + 0.0;
        let k = self.scores.partition_point(|&x| x > s);
        (self.scores.get(k) == Some(&s)).then_some(k)
    }

    /// Cumulative (false positives, true positives) at each distinct score, predicting positive
    /// iff score ≥ that score: sklearn's `confusion_matrix_at_thresholds` `fps`, `tps`.
    pub fn cumulative_counts(&self) -> (Vec<u64>, Vec<u64>) {
        let mut fps = Vec::with_capacity(self.len());
        let mut tps = Vec::with_capacity(self.len());
        let (mut fp, mut tp) = (0u64, 0u64);
        for (&p, &q) in self.positives.iter().zip(&self.negatives) {
            tp += p;
            fp += q;
            fps.push(fp);
            tps.push(tp);
        }
        (fps, tps)
    }

    /// ROC AUC (ties ½), or `None` unless both classes are present. See [`roc_auc`].
    pub fn roc_auc(&self) -> Option<f64> {
        if !self.has_both_classes() {
            return None;
        }
        // 2·U = Σ_g p_g·(2·neg_below_g + n_g) ≤ 2·P·N, exact in u128; in u64 (native on
        // wasm32, where u128 products are emulated) when 2·P·N fits: the same integer.
        let bound = 2 * u128::from(self.total_positives) * u128::from(self.total_negatives);
        let twice_u = if bound <= u128::from(u64::MAX) {
            let mut neg_below = self.total_negatives;
            let mut twice_u: u64 = 0;
            for (&p, &q) in self.positives.iter().zip(&self.negatives) {
                neg_below -= q;
                twice_u += p * (2 * neg_below + q);
            }
            u128::from(twice_u)
        } else {
            let mut neg_below = self.total_negatives;
            let mut twice_u: u128 = 0;
            for (&p, &q) in self.positives.iter().zip(&self.negatives) {
                neg_below -= q;
                twice_u += p as u128 * (2 * neg_below as u128 + q as u128);
            }
            twice_u
        };
        let denom = 2.0 * self.total_positives as f64 * self.total_negatives as f64;
        Some(twice_u as f64 / denom)
    }

    /// The ROC curve as sklearn's `roc_curve(drop_intermediate=True)`. See [`roc_curve`].
    pub fn roc_curve(&self) -> Option<RocCurve> {
        if !self.has_both_classes() {
            return None;
        }
        let (fps, tps) = self.cumulative_counts();
        let p = self.total_positives as f64;
        let q = self.total_negatives as f64;
        let mut curve = RocCurve {
            fpr: vec![0.0],
            tpr: vec![0.0],
            thresholds: vec![f64::INFINITY],
        };
        for i in roc_vertices(&fps, &tps) {
            curve.fpr.push(fps[i] as f64 / q);
            curve.tpr.push(tps[i] as f64 / p);
            curve.thresholds.push(self.scores[i]);
        }
        Some(curve)
    }

    /// The precision–recall curve as sklearn's `precision_recall_curve`. See
    /// [`precision_recall_curve`].
    pub fn precision_recall_curve(&self) -> Option<PrCurve> {
        if self.total_positives == 0 {
            return None;
        }
        let (fps, tps) = self.cumulative_counts();
        let p = self.total_positives as f64;
        let m = fps.len();
        let mut curve = PrCurve {
            precision: Vec::with_capacity(m + 1),
            recall: Vec::with_capacity(m + 1),
            thresholds: Vec::with_capacity(m),
        };
        for i in (0..m).rev() {
            curve
                .precision
                .push(tps[i] as f64 / (tps[i] + fps[i]) as f64);
            curve.recall.push(tps[i] as f64 / p);
            curve.thresholds.push(self.scores[i]);
        }
        curve.precision.push(1.0);
        curve.recall.push(0.0);
        Some(curve)
    }

    /// Average precision (step-wise), or `None` without positives. See [`average_precision`].
    pub fn average_precision(&self) -> Option<f64> {
        if self.total_positives == 0 {
            return None;
        }
        let p = self.total_positives as f64;
        let (mut tp, mut fp) = (0u64, 0u64);
        let mut ap = 0.0;
        for (&pi, &qi) in self.positives.iter().zip(&self.negatives) {
            tp += pi;
            fp += qi;
            if pi > 0 {
                ap += (pi as f64 / p) * (tp as f64 / (tp + fp) as f64);
            }
        }
        Some(ap.clamp(0.0, 1.0))
    }

    /// Per distinct score: the DeLong component of a positive there (`V10`) and of a negative
    /// there (`V01`). Requires both classes.
    fn components(&self) -> (Vec<f64>, Vec<f64>) {
        let p = self.total_positives as f64;
        let q = self.total_negatives as f64;
        let mut v10 = Vec::with_capacity(self.len());
        let mut v01 = Vec::with_capacity(self.len());
        let mut neg_below = self.total_negatives;
        let mut pos_above = 0u64;
        for (&pi, &qi) in self.positives.iter().zip(&self.negatives) {
            neg_below -= qi;
            v10.push((neg_below as f64 + 0.5 * qi as f64) / q);
            v01.push((pos_above as f64 + 0.5 * pi as f64) / p);
            pos_above += pi;
        }
        (v10, v01)
    }

    /// DeLong variance of the AUC, or `None` unless there are at least 2 positives and 2
    /// negatives (the sample variances need them). See [`delong`].
    pub fn delong(&self) -> Option<DeLong> {
        if self.total_positives < 2 || self.total_negatives < 2 {
            return None;
        }
        let auc = self.roc_auc()?;
        let p = self.total_positives as f64;
        let q = self.total_negatives as f64;
        // The structural components of [`RankSummary::components`], computed as they are used
        // (the same expressions in the same order, without two vectors of a value a score).
        let mut s10 = 0.0;
        let mut s01 = 0.0;
        let mut neg_below = self.total_negatives;
        let mut pos_above = 0u64;
        for (&pi, &qi) in self.positives.iter().zip(&self.negatives) {
            neg_below -= qi;
            let v10 = (neg_below as f64 + 0.5 * qi as f64) / q;
            let v01 = (pos_above as f64 + 0.5 * pi as f64) / p;
            pos_above += pi;
            let d10 = v10 - auc;
            let d01 = v01 - auc;
            s10 += pi as f64 * d10 * d10;
            s01 += qi as f64 * d01 * d01;
        }
        let variance = s10 / (p - 1.0) / p + s01 / (q - 1.0) / q;
        Some(DeLong {
            auc,
            variance,
            std_error: variance.sqrt(),
        })
    }

    /// KS separation between score | y=1 and score | y=0, or `None` unless both classes are
    /// present. See [`ks_separation`].
    pub fn ks_separation(&self) -> Option<f64> {
        if !self.has_both_classes() {
            return None;
        }
        // |F1(s) − F0(s)| = |neg_above/N − pos_above/P| at each distinct s (the CDFs include s);
        // compared exactly as |neg_above·P − pos_above·N| / (P·N).
        let p = self.total_positives as i128;
        let q = self.total_negatives as i128;
        let (mut pos_above, mut neg_above) = (0i128, 0i128);
        let mut best = 0i128;
        for (&pi, &qi) in self.positives.iter().zip(&self.negatives) {
            best = best.max((neg_above * p - pos_above * q).abs());
            pos_above += pi as i128;
            neg_above += qi as i128;
        }
        Some(best as f64 / (p as f64 * q as f64))
    }
}

/// Checks equal lengths, labels in {0, 1} and finite scores.
pub fn validate(scores: &[f64], labels: &[u8]) -> Result<(), RankingError> {
    if scores.len() != labels.len() {
        return Err(RankingError::LengthMismatch {
            scores: scores.len(),
            labels: labels.len(),
        });
    }
    if let Some(index) = scores.iter().position(|s| !s.is_finite()) {
        return Err(RankingError::NonFiniteScore { index });
    }
    if let Some(index) = labels.iter().position(|&y| y > 1) {
        return Err(RankingError::InvalidLabel {
            index,
            value: labels[index],
        });
    }
    Ok(())
}

/// An ROC curve: false and true positive rates at decreasing thresholds.
///
/// `thresholds[0]` is `f64::INFINITY` (the point (0, 0), "predict nothing positive"), as in
/// scikit-learn ≥ 1.3. JSON cannot hold infinity: `serde_json` writes it as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RocCurve {
    /// False positive rate at each threshold (non-decreasing, from 0 to 1).
    pub fpr: Vec<f64>,
    /// True positive rate at each threshold (non-decreasing, from 0 to 1).
    pub tpr: Vec<f64>,
    /// Thresholds, decreasing; the first is +∞.
    pub thresholds: Vec<f64>,
}

/// A precision–recall curve in scikit-learn's order: thresholds increasing, recall
/// non-increasing, and a final point (recall 0, precision 1) with no threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrCurve {
    /// Precision at each threshold, then 1.
    pub precision: Vec<f64>,
    /// Recall at each threshold, then 0.
    pub recall: Vec<f64>,
    /// Distinct scores, increasing (one fewer than `precision`).
    pub thresholds: Vec<f64>,
}

/// The AUC with its DeLong variance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeLong {
    /// Area under the ROC curve.
    pub auc: f64,
    /// DeLong variance estimate of the AUC.
    pub variance: f64,
    /// √variance.
    pub std_error: f64,
}

/// A DeLong comparison of two AUCs: `difference = auc_a − auc_b`, `z = difference / std_error`,
/// two-sided normal p-value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeLongComparison {
    /// AUC of the first scores.
    pub auc_a: f64,
    /// AUC of the second scores.
    pub auc_b: f64,
    /// `auc_a − auc_b`.
    pub difference: f64,
    /// Standard error of the difference.
    pub std_error: f64,
    /// `difference / std_error`; `None` when the standard error is 0.
    pub z: Option<f64>,
    /// Two-sided p-value `2·(1 − Φ(|z|))`; `None` when `z` is.
    pub p_value: Option<f64>,
}

/// Result of [`delong_paired`] (two score columns on the same rows).
pub type DeLongPaired = DeLongComparison;
/// Result of [`delong_unpaired`] (two independent samples).
pub type DeLongUnpaired = DeLongComparison;

fn comparison(auc_a: f64, auc_b: f64, variance: f64) -> DeLongComparison {
    let difference = auc_a - auc_b;
    let std_error = variance.max(0.0).sqrt();
    let z = (std_error > 0.0).then(|| difference / std_error);
    let p_value = z.map(|z| (2.0 * Normal::standard().sf(z.abs())).min(1.0));
    DeLongComparison {
        auc_a,
        auc_b,
        difference,
        std_error,
        z,
        p_value,
    }
}

/// ROC AUC exactly as `sklearn.metrics.roc_auc_score` (ties count ½).
///
/// `Ok(None)` when only one class is present (sklearn returns NaN with a warning).
pub fn roc_auc(scores: &[f64], labels: &[u8]) -> Result<Option<f64>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.roc_auc())
}

/// The ROC curve as `sklearn.metrics.roc_curve(drop_intermediate=True)`: collinear points
/// dropped, an extra first point (0, 0) at threshold +∞.
///
/// `Ok(None)` when only one class is present (sklearn returns NaN rates with a warning).
pub fn roc_curve(scores: &[f64], labels: &[u8]) -> Result<Option<RocCurve>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.roc_curve())
}

/// The indices of the ROC vertices that scikit-learn's `roc_curve(drop_intermediate=True)`
/// keeps, from the cumulative false- and true-positive counts at each distinct score (highest
/// score first): the first and last, and every point where either count's second difference
/// `v[i−1] − 2·v[i] + v[i+1]` is not zero (sklearn's `np.diff(fps, 2)` / `np.diff(tps, 2)`
/// test; a point collinear with both neighbours is dropped). With two or fewer points all are
/// kept. [`RankSummary::roc_curve`] and the report's thinned ROC read the same iterator.
///
/// Why differences rather than the second difference: the counts are cumulative, so
/// non-decreasing, and the second difference is zero exactly when the two consecutive
/// increments are equal — a comparison of two `u64` increments, with no widening to `i128`
/// (which wasm32 emulates in software). `fps` and `tps` must have the same length.
pub fn roc_vertices<'a>(fps: &'a [u64], tps: &'a [u64]) -> impl Iterator<Item = usize> + 'a {
    let m = fps.len().min(tps.len());
    let bends = |v: &[u64], i: usize| v[i].wrapping_sub(v[i - 1]) != v[i + 1].wrapping_sub(v[i]);
    (0..m).filter(move |&i| m <= 2 || i == 0 || i + 1 == m || bends(fps, i) || bends(tps, i))
}

/// The precision–recall curve as `sklearn.metrics.precision_recall_curve` (defaults, so no
/// points dropped), in sklearn's order with the final point (recall 0, precision 1).
///
/// `Ok(None)` without positives (sklearn sets recall to 1 with a warning); defined when all
/// rows are positive.
pub fn precision_recall_curve(
    scores: &[f64],
    labels: &[u8],
) -> Result<Option<PrCurve>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.precision_recall_curve())
}

/// Average precision as `sklearn.metrics.average_precision_score`: `Σ (R_k − R_{k−1})·P_k`.
///
/// `Ok(None)` without positives (sklearn returns 0 with a warning); 1 when every row is positive.
pub fn average_precision(scores: &[f64], labels: &[u8]) -> Result<Option<f64>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.average_precision())
}

/// The AUC and its DeLong variance; `Ok(None)` with fewer than 2 positives or 2 negatives.
pub fn delong(scores: &[f64], labels: &[u8]) -> Result<Option<DeLong>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.delong())
}

/// DeLong normal-approximation interval `AUC ± z_{(1+c)/2}·SE`, clipped to [0, 1].
///
/// `Err` unless `0 < confidence < 1`; `Ok(None)` when [`delong`] is `None`.
pub fn auc_confidence_interval(
    scores: &[f64],
    labels: &[u8],
    confidence: f64,
) -> Result<Option<[f64; 2]>, RankingError> {
    let summary = RankSummary::new(scores, labels)?;
    confidence_interval(&summary, confidence)
}

/// [`auc_confidence_interval`] from an existing summary.
pub fn confidence_interval(
    summary: &RankSummary,
    confidence: f64,
) -> Result<Option<[f64; 2]>, RankingError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(RankingError::InvalidConfidence(confidence));
    }
    let Some(d) = summary.delong() else {
        return Ok(None);
    };
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    let half = z * d.std_error;
    Ok(Some([(d.auc - half).max(0.0), (d.auc + half).min(1.0)]))
}

/// The logit interval of the average precision (Boyd, Eng & Page 2013):
/// `expit(logit(AP) ± z/√(P·AP·(1 − AP)))` with `P` positives and `z = Φ⁻¹((1 + c)/2)`.
///
/// `None` unless `0 < AP < 1`, `P > 0` and `0 < confidence < 1` (the logit is infinite at 0
/// and 1).
pub fn average_precision_interval(ap: f64, positives: u64, confidence: f64) -> Option<[f64; 2]> {
    if !(ap > 0.0 && ap < 1.0) || positives == 0 || !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    let s = 1.0 / (positives as f64 * ap * (1.0 - ap)).sqrt();
    let centre = (ap / (1.0 - ap)).ln();
    let expit = |x: f64| crate::core::schema::logistic(x);
    Some([expit(centre - z * s), expit(centre + z * s)])
}

/// The paired DeLong test for two score columns on the same rows (same labels).
///
/// The covariance of the two AUCs comes from the per-row structural components, so
/// `Var(A − B) = s²(V10_A − V10_B)/P + s²(V01_A − V01_B)/N`. Equivalent to R pROC's
/// `roc.test(method = "delong", paired = TRUE)`. O(n log n).
/// `Ok(None)` with fewer than 2 positives or 2 negatives.
pub fn delong_paired(
    scores_a: &[f64],
    scores_b: &[f64],
    labels: &[u8],
) -> Result<Option<DeLongPaired>, RankingError> {
    let sa = RankSummary::new(scores_a, labels)?;
    let sb = RankSummary::new(scores_b, labels)?;
    if sa.total_positives < 2 || sa.total_negatives < 2 {
        return Ok(None);
    }
    let (Some(auc_a), Some(auc_b)) = (sa.roc_auc(), sb.roc_auc()) else {
        return Ok(None);
    };
    let (a10, a01) = sa.components();
    let (b10, b01) = sb.components();
    let mean = auc_a - auc_b;
    let (mut s10, mut s01) = (0.0, 0.0);
    for ((&x, &y), &label) in scores_a.iter().zip(scores_b).zip(labels) {
        let (Some(ga), Some(gb)) = (sa.index_of(x), sb.index_of(y)) else {
            return Ok(None); // unreachable: every row's score is in its summary
        };
        if label == 1 {
            let d = a10[ga] - b10[gb] - mean;
            s10 += d * d;
        } else {
            let d = a01[ga] - b01[gb] - mean;
            s01 += d * d;
        }
    }
    let p = sa.total_positives as f64;
    let q = sa.total_negatives as f64;
    let variance = s10 / (p - 1.0) / p + s01 / (q - 1.0) / q;
    Ok(Some(comparison(auc_a, auc_b, variance)))
}

/// The unpaired DeLong comparison of two independent samples (e.g. reference vs current
/// window): `z = (AUC_a − AUC_b) / √(Var_a + Var_b)`, as pROC's unpaired `roc.test`.
///
/// `Ok(None)` unless each sample has at least 2 positives and 2 negatives.
pub fn delong_unpaired(
    a: (&[f64], &[u8]),
    b: (&[f64], &[u8]),
) -> Result<Option<DeLongUnpaired>, RankingError> {
    let da = RankSummary::new(a.0, a.1)?.delong();
    let db = RankSummary::new(b.0, b.1)?.delong();
    Ok(match (da, db) {
        (Some(da), Some(db)) => Some(comparison(da.auc, db.auc, da.variance + db.variance)),
        _ => None,
    })
}

/// Kolmogorov–Smirnov separation `max |F1 − F0|` of the class-conditional score CDFs, as
/// `scipy.stats.ks_2samp(s[y==1], s[y==0]).statistic`. `Ok(None)` with one class.
pub fn ks_separation(scores: &[f64], labels: &[u8]) -> Result<Option<f64>, RankingError> {
    Ok(RankSummary::new(scores, labels)?.ks_separation())
}

#[cfg(test)]
mod tests {
    /// Every row of `rows` (then relabelled all 0, all 1) has a key of `scheme`, and the key
    /// path's summary — direct and through `from_valid_rows` — is the general path's, bit for
    /// bit.
    fn key_path_is_the_f64_path(rows: &[(f64, u8)], scheme: KeyScheme) {
        let bits = |s: &RankSummary| s.scores.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for only in [None, Some(0u8), Some(1u8)] {
            let rows: Vec<(f64, u8)> = rows.iter().map(|&(s, y)| (s, only.unwrap_or(y))).collect();
            let n_pos = rows.iter().filter(|r| r.1 == 1).count();
            let keys: Vec<u32> = rows
                .iter()
                .map(|&(s, y)| scheme.key(s, y).unwrap())
                .collect();
            let general = RankSummary::from_f64_rows(rows.iter().copied(), n_pos, rows.len());
            let fast = RankSummary::from_valid_rows(rows.iter().copied());
            assert_eq!(fast, general, "{} rows, {scheme:?}", rows.len());
            assert_eq!(bits(&fast), bits(&general));
            if !rows.is_empty() {
                if scheme == KeyScheme::Micro {
                    let counted = RankSummary::from_micro_counts(&keys, n_pos as u64);
                    assert_eq!(bits(&counted), bits(&general));
                    assert_eq!(counted, general);
                }
                let from_keys = RankSummary::from_keys(keys, n_pos as u64, scheme);
                assert_eq!(bits(&from_keys), bits(&general));
                assert_eq!(from_keys, general);
            }
        }
    }

    /// The f32 path gives the general path's summary, bit for bit: ties within and across
    /// classes, both zeros, 1, tiny and huge single-precision values, one class only.
    #[test]
    fn f32_keys_give_the_f64_paths_summary() {
        let mut rng = crate::core::metrics::smooth::SplitMix64::new(11);
        let specials = [
            0.0f32,
            -0.0,
            1.0,
            0.5,
            f32::MIN_POSITIVE,
            f32::from_bits(1),
            3e38,
        ]
        .map(f64::from);
        for (n, levels) in [
            (0usize, 1),
            (1, 1),
            (7, 3),
            (300, 5),
            (5000, 40),
            (20_000, 1 << 20),
        ] {
            let rows: Vec<(f64, u8)> = (0..n)
                .map(|i| {
                    let s = if i.is_multiple_of(11) {
                        specials[(rng.next_u64() % specials.len() as u64) as usize]
                    } else {
                        f64::from((rng.next_u64() % levels) as f32 / levels as f32)
                    };
                    (s, u8::from(rng.next_u64().is_multiple_of(3)))
                })
                .collect();
            key_path_is_the_f64_path(&rows, KeyScheme::F32);
        }
        // Scores that are not single-precision (or negative) take the general path.
        assert_eq!(f32_key(0.1, 1), None);
        assert_eq!(f32_key(-0.5, 0), None);
        assert_eq!(f32_key(-0.0, 1), Some(1));
        assert_eq!(f32_key(1e-50, 0), None);
        let mixed = [(0.1, 1), (0.5, 0), (0.1, 0), (-0.25, 1)];
        let n_pos = 2;
        assert_eq!(
            RankSummary::from_valid_rows(mixed.iter().copied()),
            RankSummary::from_f64_rows(mixed.iter().copied(), n_pos, mixed.len())
        );
    }

    /// The six-decimal path gives the general path's summary, bit for bit: scores k / 10⁶ as
    /// text would be parsed (ties within and across classes, 0, −0, 1, the smallest step), one
    /// class only; scores with a seventh decimal, outside [0, 1] or NaN have no key.
    #[test]
    fn micro_keys_give_the_f64_paths_summary() {
        let mut rng = crate::core::metrics::smooth::SplitMix64::new(5);
        for (n, levels) in [
            (1usize, 1u64),
            (7, 3),
            (300, 1000),
            (5000, 40),
            (20_000, 1_000_001),
            (MICRO_COUNTING_MIN_LEN, 1_000_001),
        ] {
            let rows: Vec<(f64, u8)> = (0..n)
                .map(|i| {
                    let text = match i % 13 {
                        0 => "-0".to_string(),
                        1 => "0.000001".to_string(),
                        2 => "1.000000".to_string(),
                        _ => format!("{:.6}", (rng.next_u64() % levels) as f64 / 1e6),
                    };
                    let s: f64 = text.parse().unwrap();
                    (s, u8::from(rng.next_u64().is_multiple_of(3)))
                })
                .collect();
            key_path_is_the_f64_path(&rows, KeyScheme::Micro);
        }
        // A key past the counting table (not six-decimal) falls back to the sort.
        let odd = [3_000_000u32, 3, 2];
        assert_eq!(
            RankSummary::from_micro_counts(&odd, 1),
            RankSummary::from_sorted_keys(odd.to_vec(), 1, KeyScheme::Micro)
        );
        assert_eq!(RankSummary::from_micro_counts(&odd, 1).scores, [1.5, 1e-6]);
        assert_eq!(micro_key(0.1, 1), Some(200_001));
        assert_eq!(micro_key(-0.0, 0), Some(0));
        for no_key in [
            0.1234567,
            0.1 + 1e-17 + 1e-16,
            -0.000001,
            1.000001,
            f64::NAN,
            1e300,
        ] {
            assert_eq!(micro_key(no_key, 1), None, "{no_key}");
        }
        // Six-decimal scores among f32-exact ones that have no six-decimal key (0.71 as an
        // f32 is 0.709999978…): the general path, every row kept.
        let mixed = [(0.1, 1), (0.5, 0), (f64::from(0.71f32), 0), (0.25, 1)];
        assert_eq!(micro_key(mixed[2].0, 0), None);
        let general = RankSummary::from_f64_rows(mixed.iter().copied(), 2, mixed.len());
        assert_eq!(RankSummary::from_valid_rows(mixed.iter().copied()), general);
        assert_eq!(general.total_negatives, 2);
    }

    use super::*;
    use std::cmp::Ordering;

    /// O(P·N) pairwise AUC, the textbook definition.
    fn brute_auc(s: &[f64], y: &[u8]) -> Option<f64> {
        let (mut num, mut pairs) = (0.0, 0.0);
        for i in 0..s.len() {
            for j in 0..s.len() {
                if y[i] == 1 && y[j] == 0 {
                    pairs += 1.0;
                    num += match s[i].partial_cmp(&s[j]).unwrap() {
                        Ordering::Greater => 1.0,
                        Ordering::Equal => 0.5,
                        Ordering::Less => 0.0,
                    };
                }
            }
        }
        (pairs > 0.0).then(|| num / pairs)
    }

    /// scikit-learn's drop_intermediate rule as written there: keep the ends and every point
    /// where `np.diff(v, 2)` is non-zero for fps or tps (exact, in i128).
    fn sklearn_kept(fps: &[u64], tps: &[u64]) -> Vec<usize> {
        let m = fps.len();
        let second = |v: &[u64], i: usize| v[i - 1] as i128 - 2 * v[i] as i128 + v[i + 1] as i128;
        (0..m)
            .filter(|&i| {
                m <= 2 || i == 0 || i + 1 == m || second(fps, i) != 0 || second(tps, i) != 0
            })
            .collect()
    }

    #[test]
    fn roc_vertices_keep_exactly_sklearns_points() {
        let mut rng = super::super::smooth::SplitMix64::new(11);
        for case in 0..300 {
            let m = (rng.next_u64() % 40) as usize;
            // Small increments (many collinear runs), some huge counts.
            let base = if case % 5 == 0 { 1u64 << 61 } else { 0 };
            let (mut fp, mut tp) = (base, base);
            let (mut fps, mut tps) = (Vec::new(), Vec::new());
            for _ in 0..m {
                fp += rng.next_u64() % 3;
                tp += rng.next_u64() % 3;
                fps.push(fp);
                tps.push(tp);
            }
            let got: Vec<usize> = roc_vertices(&fps, &tps).collect();
            assert_eq!(
                got,
                sklearn_kept(&fps, &tps),
                "case {case}: {fps:?} {tps:?}"
            );
        }
    }

    #[test]
    fn summary_groups_and_orders() {
        let s = [0.2, 0.8, 0.2, -0.0, 0.0, 0.5];
        let y = [1, 0, 0, 1, 0, 1];
        let r = RankSummary::new(&s, &y).unwrap();
        assert_eq!(r.scores(), &[0.8, 0.5, 0.2, 0.0]);
        assert_eq!(r.positives(), &[0, 1, 1, 1]);
        assert_eq!(r.negatives(), &[1, 0, 1, 1]);
        assert_eq!((r.total_positives(), r.total_negatives(), r.n()), (3, 3, 6));
        assert_eq!(r.index_of(0.2), Some(2));
        assert_eq!(r.index_of(-0.0), Some(3));
        assert_eq!(r.index_of(0.3), None);
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            roc_auc(&[0.1], &[1, 0]),
            Err(RankingError::LengthMismatch {
                scores: 1,
                labels: 2
            })
        );
        assert_eq!(
            roc_auc(&[0.1, 0.2], &[1, 2]),
            Err(RankingError::InvalidLabel { index: 1, value: 2 })
        );
        assert_eq!(
            roc_auc(&[0.1, f64::NAN], &[1, 0]),
            Err(RankingError::NonFiniteScore { index: 1 })
        );
        assert!(matches!(
            auc_confidence_interval(&[0.1, 0.2], &[1, 0], 1.0),
            Err(RankingError::InvalidConfidence(_))
        ));
        assert!(RankSummary::from_counts(vec![0.2, 0.5], vec![1, 1], vec![0, 0]).is_err());
        assert!(RankSummary::from_counts(vec![0.5], vec![0], vec![0]).is_err());
    }

    #[test]
    fn degenerate_inputs_are_none() {
        assert_eq!(roc_auc(&[], &[]), Ok(None));
        assert_eq!(roc_auc(&[0.3], &[1]), Ok(None));
        assert_eq!(roc_curve(&[0.3, 0.4], &[0, 0]), Ok(None));
        assert_eq!(average_precision(&[0.3, 0.4], &[0, 0]), Ok(None));
        assert_eq!(average_precision(&[0.3, 0.4], &[1, 1]), Ok(Some(1.0)));
        assert_eq!(ks_separation(&[0.3, 0.4], &[1, 1]), Ok(None));
        // One positive: AUC defined, DeLong variance is not.
        assert_eq!(roc_auc(&[0.3, 0.4, 0.1], &[1, 0, 0]), Ok(Some(0.5)));
        assert_eq!(delong(&[0.3, 0.4, 0.1], &[1, 0, 0]), Ok(None));
        // Constant scores.
        assert_eq!(roc_auc(&[0.3; 4], &[1, 0, 1, 0]), Ok(Some(0.5)));
        assert_eq!(ks_separation(&[0.3; 4], &[1, 0, 1, 0]), Ok(Some(0.0)));
    }

    #[test]
    fn small_example_matches_sklearn_docs() {
        // sklearn docstrings: y = [0, 0, 1, 1], s = [0.1, 0.4, 0.35, 0.8].
        let s = [0.1, 0.4, 0.35, 0.8];
        let y = [0, 0, 1, 1];
        assert_eq!(roc_auc(&s, &y).unwrap(), Some(0.75));
        let roc = roc_curve(&s, &y).unwrap().unwrap();
        assert_eq!(roc.fpr, vec![0.0, 0.0, 0.5, 0.5, 1.0]);
        assert_eq!(roc.tpr, vec![0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(roc.thresholds, vec![f64::INFINITY, 0.8, 0.4, 0.35, 0.1]);
        let pr = precision_recall_curve(&s, &y).unwrap().unwrap();
        assert_eq!(pr.precision, vec![0.5, 2.0 / 3.0, 0.5, 1.0, 1.0]);
        assert_eq!(pr.recall, vec![1.0, 1.0, 0.5, 0.5, 0.0]);
        assert_eq!(pr.thresholds, vec![0.1, 0.35, 0.4, 0.8]);
        let ap = average_precision(&s, &y).unwrap().unwrap();
        assert!((ap - 0.8333333333333333).abs() < 1e-15);
        let json = serde_json::to_string(&roc).unwrap();
        assert!(json.contains("\"thresholds\":[null,0.8"));
    }

    #[test]
    fn auc_matches_pairwise_definition_with_ties() {
        let s = [0.1, 0.1, 0.5, 0.5, 0.5, 0.9, 0.3, 0.3];
        let y = [0, 1, 0, 1, 1, 0, 1, 0];
        let got = roc_auc(&s, &y).unwrap().unwrap();
        assert!((got - brute_auc(&s, &y).unwrap()).abs() < 1e-15);
    }

    #[test]
    fn delong_textbook_example() {
        // Two positives, two negatives, perfectly separated: every component equals 1.
        let d = delong(&[0.9, 0.8, 0.2, 0.1], &[1, 1, 0, 0])
            .unwrap()
            .unwrap();
        assert_eq!((d.auc, d.variance, d.std_error), (1.0, 0.0, 0.0));
        assert_eq!(
            auc_confidence_interval(&[0.9, 0.8, 0.2, 0.1], &[1, 1, 0, 0], 0.95),
            Ok(Some([1.0, 1.0]))
        );
        // Identical columns: difference 0 with zero standard error, so no z.
        let s = [0.9, 0.3, 0.5, 0.1, 0.7];
        let y = [1, 1, 0, 0, 1];
        let c = delong_paired(&s, &s, &y).unwrap().unwrap();
        assert_eq!(
            (c.difference, c.std_error, c.z, c.p_value),
            (0.0, 0.0, None, None)
        );
    }

    #[test]
    fn auc_is_exact_at_ten_million_rows() {
        // 5M positives and 5M negatives over three scores, built from counts so the test stays
        // fast; the pairs won are counted by hand below (U = 18.5e12, AUC = 0.74).
        let s = RankSummary::from_counts(
            vec![0.9, 0.5, 0.1],
            vec![3_000_000, 1_000_000, 1_000_000],
            vec![1_000_000, 1_000_000, 3_000_000],
        )
        .unwrap();
        // Pairs won: 3e6·(1e6·½ + 4e6) + 1e6·(1e6·½ + 3e6) + 1e6·(3e6·½).
        let won = 3e6 * (0.5e6 + 4e6) + 1e6 * (0.5e6 + 3e6) + 1e6 * 1.5e6;
        assert_eq!(s.roc_auc(), Some(won / 25e12));
        assert_eq!(s.n(), 10_000_000);
        let d = s.delong().unwrap();
        assert!(d.variance > 0.0 && d.variance < 1e-6);
    }
}
