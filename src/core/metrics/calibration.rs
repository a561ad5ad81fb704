//! Calibration of predicted probabilities: reliability bins and the binned errors (ECE, MCE,
//! RMSCE, ACE), the Brier score and its Murphy decomposition, log loss, calibration-in-the-large,
//! the logistic calibration slope and intercept, and the Hosmer–Lemeshow and Spiegelhalter tests.
//!
//! Sources, and the reference each is tested against (`tests/calibration.rs`):
//! * Reliability bins: scikit-learn's `calibration_curve` (Niculescu-Mizil & Caruana 2005),
//!   replicated exactly — `uniform` edges `np.linspace(0, 1, B + 1)`, `quantile` edges
//!   `np.percentile(p, np.linspace(0, 1, B + 1) * 100)` (NumPy's default linear interpolation,
//!   Hyndman & Fan type 7), bin of a score `np.searchsorted(edges[1:-1], p)` (side `left`: a
//!   score equal to an inner edge belongs to the bin *below* it), empty bins dropped.
//! * ECE (Naeini et al. 2015) `Σ_b (n_b/n)|s̄_b − ȳ_b|`, MCE `max_b |s̄_b − ȳ_b|`, RMSCE
//!   `√(Σ_b (n_b/n)(s̄_b − ȳ_b)²)`, ACE (Neumann et al. 2018, as netcal's `ACE`): the unweighted
//!   mean of `|s̄_b − ȳ_b|` over non-empty bins.
//! * Brier score (Brier 1950) as `sklearn.metrics.brier_score_loss`; its decomposition over bins
//!   (Murphy 1973) `REL − RES + UNC`.
//! * Log loss as `sklearn.metrics.log_loss` (probabilities clipped to [eps, 1 − eps]).
//! * Logistic calibration (Cox 1958): unpenalised logistic regression of the label on
//!   `logit(score)` by Newton's method, as `statsmodels` `Logit` / scikit-learn's
//!   `LogisticRegression(penalty=None)`.
//! * Hosmer & Lemeshow (1980) `Σ_g (O_g − E_g)² / (E_g (1 − E_g/n_g))`, χ² with g − 2 df.
//! * Spiegelhalter (1986) `Z = Σ(y − p)(1 − 2p) / √(Σ (1 − 2p)² p (1 − p))`, two-sided normal p.
//!
//! Inputs are plain slices: `scores` in [0, 1] and `labels` in {0, 1} of equal length.
//! Malformed slices are an [`InputError`]; a well-formed log on which a quantity is undefined
//! (no rows, one class, constant scores, separation) gives `Ok(None)`. Sums over rows use
//! Neumaier's compensated summation, so results stay exact to ~1e-15 relative at 10⁷ rows.

use crate::core::metrics::intervals::{binomial_interval, normal_sf};
use crate::core::report::{BinStrategy, BrierDecomposition, IntervalMethod, ReliabilityBin};
use statrs::distribution::{ChiSquared, ContinuousCDF};
use std::fmt;

/// Largest number of reliability bins accepted (a guard against absurd allocations).
pub const MAX_BINS: usize = 1_000_000;

/// Scores are clipped to `[LOGIT_CLIP, 1 − LOGIT_CLIP]` before taking `logit` in
/// [`logistic_calibration`], so that scores of exactly 0 or 1 give finite log-odds (±34.5).
pub const LOGIT_CLIP: f64 = 1e-15;

/// The clipping scikit-learn ≥ 1.5 applies inside `log_loss`: the float64 machine epsilon.
/// (scikit-learn < 1.5 used `1e-15`, which is Plumb's report default `log_loss_eps`.)
pub const SKLEARN_LOG_LOSS_EPS: f64 = f64::EPSILON;

/// Why the inputs are malformed (as opposed to merely degenerate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputError {
    /// `scores` and `labels` differ in length.
    LengthMismatch {
        /// Length of `scores`.
        scores: usize,
        /// Length of `labels`.
        labels: usize,
    },
    /// A score is NaN or outside [0, 1].
    ScoreOutOfRange {
        /// Row index.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A label is neither 0 nor 1.
    InvalidLabel {
        /// Row index.
        index: usize,
        /// The offending value.
        value: u8,
    },
    /// The number of bins or groups is 0 or above [`MAX_BINS`].
    InvalidBinCount(usize),
    /// The confidence level is not strictly between 0 and 1.
    InvalidConfidence(f64),
    /// The log-loss clipping `eps` is not in (0, 0.5).
    InvalidEps(f64),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { scores, labels } => {
                write!(f, "{scores} scores but {labels} labels")
            }
            Self::ScoreOutOfRange { index, value } => {
                write!(f, "score {value} at row {index} is not in [0, 1]")
            }
            Self::InvalidLabel { index, value } => {
                write!(f, "label {value} at row {index} is not 0 or 1")
            }
            Self::InvalidBinCount(b) => write!(f, "{b} bins: need between 1 and {MAX_BINS}"),
            Self::InvalidConfidence(c) => {
                write!(f, "confidence level {c} is not strictly between 0 and 1")
            }
            Self::InvalidEps(e) => write!(f, "log-loss eps {e} is not in (0, 0.5)"),
        }
    }
}

impl std::error::Error for InputError {}

/// Checks equal lengths, scores in [0, 1] (not NaN) and labels in {0, 1}.
pub fn validate(scores: &[f64], labels: &[u8]) -> Result<(), InputError> {
    if scores.len() != labels.len() {
        return Err(InputError::LengthMismatch {
            scores: scores.len(),
            labels: labels.len(),
        });
    }
    if let Some((index, &value)) = scores
        .iter()
        .enumerate()
        .find(|(_, s)| !(0.0..=1.0).contains(*s))
    {
        return Err(InputError::ScoreOutOfRange { index, value });
    }
    if let Some((index, &value)) = labels.iter().enumerate().find(|(_, y)| **y > 1) {
        return Err(InputError::InvalidLabel { index, value });
    }
    Ok(())
}

/// Neumaier's compensated sum: exact to a few ulps whatever the number of terms.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    pub(super) fn add(&mut self, x: f64) {
        let t = self.sum + x;
        // Both candidates, then a select: the same value as branching on the comparison, but
        // no mispredicted branch where the sum hovers around 0 (a gradient at convergence).
        let big = (self.sum - t) + x;
        let small = (x - t) + self.sum;
        self.compensation += if self.sum.abs() >= x.abs() {
            big
        } else {
            small
        };
        self.sum = t;
    }

    pub(super) fn value(self) -> f64 {
        self.sum + self.compensation
    }
}

/// `N` [`Sum`]s side by side, each lane added to as [`Sum::add`] adds (the same operations on
/// the same values, so each lane is bit for bit the `Sum` that received its terms).
///
/// Why: the first pass adds five compensated terms per row (Brier, log loss, mean score,
/// Spiegelhalter's two), about fifteen instructions each when scalar; laid out as arrays the
/// compiler does two lanes per SIMD instruction (SSE2 on x86-64, simd128 in the browser).
#[derive(Debug, Clone, Copy)]
pub(super) struct Sums<const N: usize> {
    sum: [f64; N],
    compensation: [f64; N],
}

impl<const N: usize> Default for Sums<N> {
    fn default() -> Self {
        Self {
            sum: [0.0; N],
            compensation: [0.0; N],
        }
    }
}

impl<const N: usize> Sums<N> {
    /// [`Sum::add`] of `x[i]` to lane i, for every lane.
    // One index over the three arrays: each lane's statements read as `Sum::add`'s.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    pub(super) fn add(&mut self, x: [f64; N]) {
        for i in 0..N {
            let t = self.sum[i] + x[i];
            let big = (self.sum[i] - t) + x[i];
            let small = (x[i] - t) + self.sum[i];
            self.compensation[i] += if self.sum[i].abs() >= x[i].abs() {
                big
            } else {
                small
            };
            self.sum[i] = t;
        }
    }

    /// Lane `i` as the [`Sum`] it equals.
    pub(super) fn lane(&self, i: usize) -> Sum {
        Sum {
            sum: self.sum[i],
            compensation: self.compensation[i],
        }
    }
}

/// `np.linspace(0, 1, n_bins + 1)`, bit for bit: `i · (1/n_bins)`, last edge exactly 1.
pub(crate) fn uniform_edges(n_bins: usize) -> Vec<f64> {
    let step = 1.0 / n_bins as f64;
    (0..=n_bins)
        .map(|i| if i == n_bins { 1.0 } else { i as f64 * step })
        .collect()
}

/// `np.percentile(scores, np.linspace(0, 1, n_bins + 1) * 100)` (scikit-learn's expression, which
/// differs in the last bit from `np.linspace(0, 100, …)`) with NumPy's default `linear`
/// method, bit for bit (same index arithmetic and the same two-sided `_lerp`). `scores` must
/// be non-empty.
fn quantile_edges(scores: &[f64], n_bins: usize) -> Vec<f64> {
    let mut sorted = scores.to_vec();
    super::sort::sort_ascending(&mut sorted);
    let last = sorted.len() - 1;
    let last_f = last as f64;
    uniform_edges(n_bins)
        .into_iter()
        .map(|q| {
            // scikit-learn multiplies linspace(0, 1) by 100 and np.percentile divides by 100.
            let q = (q * 100.0) / 100.0;
            let virtual_index = last_f * q;
            if virtual_index >= last_f {
                return sorted[last];
            }
            let previous = virtual_index.floor();
            let gamma = virtual_index - previous;
            let i = previous as usize;
            let (a, b) = (sorted[i], sorted[i + 1]);
            let diff = b - a;
            if gamma >= 0.5 {
                b - diff * (1.0 - gamma)
            } else {
                a + diff * gamma
            }
        })
        .collect()
}

/// Bin edges as scikit-learn's `calibration_curve` computes them (`scores` non-empty).
pub(super) fn edges_for(scores: &[f64], n_bins: usize, strategy: BinStrategy) -> Vec<f64> {
    match strategy {
        BinStrategy::Uniform => uniform_edges(n_bins),
        BinStrategy::Quantile => quantile_edges(scores, n_bins),
    }
}

/// Per-bin accumulators over all `n_bins` bins, empty ones included.
pub(super) struct BinTotals {
    pub(super) edges: Vec<f64>,
    pub(super) count: Vec<u64>,
    pub(super) positives: Vec<u64>,
    pub(super) score_sum: Vec<Sum>,
    uniform: bool,
}

/// The bin of `p` among ascending `inner` edges: how many are below it, i.e.
/// `inner.partition_point(|&e| e < p)` (`np.searchsorted(inner, p)`), found by stepping from
/// `guess` (any index). For uniform edges the guess `⌊p·n⌋` is the answer or next to it, so a
/// row costs one or two comparisons instead of a binary search's unpredictable branches.
fn bin_from(inner: &[f64], p: f64, guess: usize) -> usize {
    let mut k = guess.min(inner.len());
    // `e >= p || p` is NaN is `!(e < p)` (the edges are finite).
    while k > 0 && (inner[k - 1] >= p || p.is_nan()) {
        k -= 1;
    }
    while k < inner.len() && inner[k] < p {
        k += 1;
    }
    k
}

impl BinTotals {
    /// Empty totals over scikit-learn's `calibration_curve` edges for `scores` (non-empty).
    pub(super) fn new(scores: &[f64], n_bins: usize, strategy: BinStrategy) -> Self {
        Self {
            edges: edges_for(scores, n_bins, strategy),
            count: vec![0; n_bins],
            positives: vec![0; n_bins],
            score_sum: vec![Sum::default(); n_bins],
            uniform: strategy == BinStrategy::Uniform,
        }
    }

    /// Adds one row to its bin (`np.searchsorted(edges[1:-1], p)`).
    #[inline(always)]
    pub(super) fn add(&mut self, p: f64, y: u8) {
        let n_bins = self.count.len();
        let inner = &self.edges[1..n_bins];
        let b = if self.uniform {
            // Saturating: NaN and negatives guess 0, anything ≥ n the last bin. Any guess
            // gives the same bin; `u32` converts in a few instructions, `usize` in a dozen.
            bin_from(inner, p, (p * n_bins as f64) as u32 as usize)
        } else {
            inner.partition_point(|&e| e < p)
        };
        self.count[b] += 1;
        self.positives[b] += u64::from(y);
        self.score_sum[b].add(p);
    }

    /// The non-empty bins with a `confidence` interval for each observed rate (`interval` method).
    pub(super) fn bins(&self, interval: IntervalMethod, confidence: f64) -> Vec<ReliabilityBin> {
        let mut bins = Vec::new();
        for b in 0..self.count.len() {
            let (count, positives) = (self.count[b], self.positives[b]);
            if count == 0 {
                continue;
            }
            // positives ≤ count and 0 < confidence < 1 were checked, so this cannot fail.
            let (ci_lower, ci_upper) =
                binomial_interval(interval, positives, count, confidence).unwrap_or((0.0, 1.0));
            bins.push(ReliabilityBin {
                lower: self.edges[b],
                upper: self.edges[b + 1],
                count,
                positives,
                mean_score: self.score_sum[b].value() / count as f64,
                observed_rate: positives as f64 / count as f64,
                ci_lower,
                ci_upper,
            });
        }
        bins
    }
}

/// Assigns every row to its bin (`np.searchsorted(edges[1:-1], p)`) and accumulates.
fn bin_totals(scores: &[f64], labels: &[u8], n_bins: usize, strategy: BinStrategy) -> BinTotals {
    let mut totals = BinTotals::new(scores, n_bins, strategy);
    for (&p, &y) in scores.iter().zip(labels) {
        totals.add(p, y);
    }
    totals
}

pub(super) fn check_bins(n_bins: usize) -> Result<(), InputError> {
    if n_bins == 0 || n_bins > MAX_BINS {
        Err(InputError::InvalidBinCount(n_bins))
    } else {
        Ok(())
    }
}

/// Reliability-diagram bins exactly as scikit-learn's
/// `calibration_curve(labels, scores, n_bins=n_bins, strategy=...)`, empty bins omitted, each
/// with its edges, counts, mean score, observed rate and a `confidence` interval for the rate.
/// No rows gives an empty list. O(n log n) for `quantile` (one sort), O(n log B) for `uniform`.
pub fn reliability_bins(
    scores: &[f64],
    labels: &[u8],
    n_bins: usize,
    strategy: BinStrategy,
    interval: IntervalMethod,
    confidence: f64,
) -> Result<Vec<ReliabilityBin>, InputError> {
    validate(scores, labels)?;
    check_bins(n_bins)?;
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(InputError::InvalidConfidence(confidence));
    }
    if scores.is_empty() {
        return Ok(Vec::new());
    }
    Ok(bin_totals(scores, labels, n_bins, strategy).bins(interval, confidence))
}

/// Binned calibration errors of one set of reliability bins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationErrors {
    /// Expected calibration error `Σ_b (n_b/n)|s̄_b − ȳ_b|`.
    pub ece: f64,
    /// Maximum calibration error `max_b |s̄_b − ȳ_b|`.
    pub mce: f64,
    /// Root-mean-square calibration error `√(Σ_b (n_b/n)(s̄_b − ȳ_b)²)`.
    pub rmsce: f64,
    /// netcal's average calibration error: `|s̄_b − ȳ_b|` averaged over non-empty bins.
    pub ace: f64,
}

/// ECE, MCE, RMSCE and ACE of reliability bins (bins with `count == 0` are ignored).
/// `None` when the bins hold no rows. Always `ece ≤ rmsce ≤ mce`.
pub fn calibration_errors(bins: &[ReliabilityBin]) -> Option<CalibrationErrors> {
    let filled: Vec<&ReliabilityBin> = bins.iter().filter(|b| b.count > 0).collect();
    let n: u64 = filled.iter().map(|b| b.count).sum();
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let (mut ece, mut sq, mut abs_sum) = (Sum::default(), Sum::default(), Sum::default());
    let mut mce = 0.0_f64;
    for b in &filled {
        let gap = (b.mean_score - b.observed_rate).abs();
        let w = b.count as f64 / n;
        ece.add(w * gap);
        sq.add(w * gap * gap);
        abs_sum.add(gap);
        mce = mce.max(gap);
    }
    Some(CalibrationErrors {
        ece: ece.value(),
        mce,
        rmsce: sq.value().sqrt(),
        ace: abs_sum.value() / filled.len() as f64,
    })
}

/// One row's Brier term `(score − label)²`.
#[inline]
pub(super) fn brier_term(p: f64, y: u8) -> f64 {
    let d = p - f64::from(y);
    d * d
}

/// One row's log-loss term `−ln clip(q)`, `q` = `p` for label 1 and `1 − p` for 0, clipped to
/// `[eps, hi]` (`hi = 1 − eps`, `eps` in (0, 0.5)).
#[inline]
pub(super) fn log_loss_term(p: f64, y: u8, eps: f64, hi: f64) -> f64 {
    let q = if y == 1 { p } else { 1.0 - p };
    -q.clamp(eps, hi).ln()
}

/// One row's Spiegelhalter terms: numerator `(y − p)(1 − 2p)` and variance `(1 − 2p)² p (1 − p)`.
#[inline]
pub(super) fn spiegelhalter_terms(p: f64, y: u8) -> (f64, f64) {
    let a = 1.0 - 2.0 * p;
    ((f64::from(y) - p) * a, a * a * p * (1.0 - p))
}

/// Brier score `mean((score − label)²)`, as `sklearn.metrics.brier_score_loss`.
/// `None` for no rows.
pub fn brier_score(scores: &[f64], labels: &[u8]) -> Result<Option<f64>, InputError> {
    validate(scores, labels)?;
    if scores.is_empty() {
        return Ok(None);
    }
    let mut s = Sum::default();
    for (&p, &y) in scores.iter().zip(labels) {
        s.add(brier_term(p, y));
    }
    Ok(Some(s.value() / scores.len() as f64))
}

/// Murphy's (1973) decomposition over reliability bins: reliability
/// `Σ_b (n_b/n)(s̄_b − ȳ_b)²`, resolution `Σ_b (n_b/n)(ȳ_b − ȳ)²`, uncertainty `ȳ(1 − ȳ)`,
/// with `n` rows and overall positive rate `ȳ`. `REL − RES + UNC` equals the Brier score
/// only when scores are constant within each bin; otherwise they differ by the within-bin
/// score variance terms. `None` when `n == 0` or the rate is not in [0, 1].
pub fn brier_decomposition(
    bins: &[ReliabilityBin],
    n: u64,
    positive_rate: f64,
) -> Option<BrierDecomposition> {
    if n == 0 || !(0.0..=1.0).contains(&positive_rate) {
        return None;
    }
    let n = n as f64;
    let (mut rel, mut res) = (Sum::default(), Sum::default());
    for b in bins.iter().filter(|b| b.count > 0) {
        let w = b.count as f64 / n;
        let gap = b.mean_score - b.observed_rate;
        let spread = b.observed_rate - positive_rate;
        rel.add(w * gap * gap);
        res.add(w * spread * spread);
    }
    Some(BrierDecomposition {
        reliability: rel.value(),
        resolution: res.value(),
        uncertainty: positive_rate * (1.0 - positive_rate),
    })
}

/// Mean negative log-likelihood, as `sklearn.metrics.log_loss(labels, scores, labels=[0, 1])`:
/// each row costs `−ln clip(p)` if its label is 1 and `−ln clip(1 − p)` if 0, with
/// `clip(v) = min(max(v, eps), 1 − eps)`. scikit-learn ≥ 1.5 uses `eps` =
/// [`SKLEARN_LOG_LOSS_EPS`]; older versions (and Plumb's report default) `1e-15`; the two differ
/// only on scores within 1e-15 of 0 or 1. `None` for no rows; `eps` must be in (0, 0.5).
pub fn log_loss(scores: &[f64], labels: &[u8], eps: f64) -> Result<Option<f64>, InputError> {
    validate(scores, labels)?;
    if !(eps > 0.0 && eps < 0.5) {
        return Err(InputError::InvalidEps(eps));
    }
    if scores.is_empty() {
        return Ok(None);
    }
    let hi = 1.0 - eps;
    let mut s = Sum::default();
    for (&p, &y) in scores.iter().zip(labels) {
        s.add(log_loss_term(p, y, eps, hi));
    }
    Ok(Some(s.value() / scores.len() as f64))
}

/// Calibration-in-the-large: the mean score against the observed positive rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationInTheLarge {
    /// Mean predicted probability.
    pub mean_score: f64,
    /// Observed positive rate.
    pub positive_rate: f64,
    /// `mean_score − positive_rate` (positive: the model over-predicts).
    pub difference: f64,
    /// Observed / expected `positive_rate / mean_score`; `None` when the mean score is 0.
    pub observed_expected: Option<f64>,
}

/// Mean score, positive rate, their difference and the O/E ratio. `None` for no rows.
pub fn calibration_in_the_large(
    scores: &[f64],
    labels: &[u8],
) -> Result<Option<CalibrationInTheLarge>, InputError> {
    validate(scores, labels)?;
    if scores.is_empty() {
        return Ok(None);
    }
    let mut s = Sum::default();
    scores.iter().for_each(|&p| s.add(p));
    let positives: u64 = labels.iter().map(|&y| u64::from(y)).sum();
    Ok(Some(calibration_in_the_large_of(
        s,
        positives,
        scores.len(),
    )))
}

/// Calibration-in-the-large from the compensated sum of `n` (> 0) scores and the positives.
pub(super) fn calibration_in_the_large_of(
    score_sum: Sum,
    positives: u64,
    n: usize,
) -> CalibrationInTheLarge {
    let n = n as f64;
    let mean_score = score_sum.value() / n;
    let positive_rate = positives as f64 / n;
    CalibrationInTheLarge {
        mean_score,
        positive_rate,
        difference: mean_score - positive_rate,
        observed_expected: (mean_score > 0.0).then(|| positive_rate / mean_score),
    }
}

/// The logistic recalibration fit `P(y = 1) = σ(intercept + slope · logit(score))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticFit {
    /// Calibration slope: 1 for a calibrated model, < 1 for over-confident scores.
    pub slope: f64,
    /// Calibration intercept of the same (joint) fit.
    pub intercept: f64,
    /// Newton iterations taken.
    pub iterations: u32,
    /// Whether the full Newton step fell below 1e-12 (relative) within 100 iterations.
    pub converged: bool,
}

/// `logit(clip(p))` with `clip` to `[LOGIT_CLIP, 1 − LOGIT_CLIP]`, computed as `ln p − ln(1 − p)`.
pub fn clipped_logit(p: f64) -> f64 {
    let p = p.clamp(LOGIT_CLIP, 1.0 - LOGIT_CLIP);
    p.ln() - (-p).ln_1p()
}

/// `ln(1 + eᶻ)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Unpenalised maximum-likelihood logistic regression of the label on `logit(score)`
/// (scores clipped by [`LOGIT_CLIP`]), by Newton's method with step halving on centred
/// log-odds. `None` when the maximum-likelihood estimate does not exist: no rows, one class,
/// or (quasi-)complete separation — every positive's log-odds ≥ every negative's, or the
/// reverse, which includes constant scores.
pub fn logistic_calibration(
    scores: &[f64],
    labels: &[u8],
) -> Result<Option<LogisticFit>, InputError> {
    validate(scores, labels)?;
    let mut x: Vec<f64> = scores.iter().map(|&p| clipped_logit(p)).collect();
    // Separation check: in one dimension the MLE exists iff the classes' ranges overlap
    // in an open interval (Albert & Anderson 1984).
    let (mut min_pos, mut max_pos) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut min_neg, mut max_neg) = (f64::INFINITY, f64::NEG_INFINITY);
    for (&xi, &y) in x.iter().zip(labels) {
        if y == 1 {
            min_pos = min_pos.min(xi);
            max_pos = max_pos.max(xi);
        } else {
            min_neg = min_neg.min(xi);
            max_neg = max_neg.max(xi);
        }
    }
    if min_pos > max_pos || min_neg > max_neg || max_neg <= min_pos || max_pos <= min_neg {
        return Ok(None);
    }
    let n = x.len() as f64;
    let mut mean = Sum::default();
    x.iter().for_each(|&v| mean.add(v));
    let mean = mean.value() / n;
    // Centre in place (one n-vector, not two, at 10⁷ rows).
    x.iter_mut().for_each(|v| *v -= mean);
    let xc = x;
    let positives: u64 = labels.iter().map(|&y| u64::from(y)).sum();
    let rate = positives as f64 / n;

    // At slope 0 every row has η = c exactly (c + 0·v = c for finite v), so the transcendental
    // functions are evaluated once instead of per row; the sums, in row order, are unchanged.
    let loglik = |c: f64, s: f64| -> f64 {
        let mut acc = Sum::default();
        if s == 0.0 {
            let sp = softplus(c);
            for &y in labels {
                acc.add(f64::from(y) * c - sp);
            }
        } else {
            for (&v, &y) in xc.iter().zip(labels) {
                let eta = c + s * v;
                acc.add(f64::from(y) * eta - softplus(eta));
            }
        }
        acc.value()
    };

    // Start from the intercept-only model, whose log-likelihood is finite.
    let (mut c, mut s) = ((rate / (1.0 - rate)).ln(), 0.0_f64);
    let mut ll = loglik(c, s);
    let mut terms = newton_terms(&xc, labels, c, s, false);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < 100 {
        iterations += 1;
        let NewtonTerms {
            g0,
            g1,
            h00,
            h01,
            h11,
            ..
        } = terms;
        let det = h00 * h11 - h01 * h01;
        if !(det > 0.0 && det.is_finite()) {
            break;
        }
        let dc = (h11 * g0 - h01 * g1) / det;
        let ds = (h00 * g1 - h01 * g0) / det;
        // Newton decrement gᵀH⁻¹g: twice the log-likelihood gain the full step promises.
        let decrement = g0 * dc + g1 * ds;
        let (mut nc, mut ns) = (c + dc, s + ds);
        // The next iteration's terms, when the full step is taken and they were computed with
        // its log-likelihood (one pass over the rows instead of two).
        let mut next = None;
        if decrement > 1e-8 {
            // Damped phase: halve the step until the (concave) log-likelihood does not drop.
            // Near the optimum the gain is below the log-likelihood's rounding, so the full
            // Newton step is taken without this test (pure Newton phase, Boyd & Vandenberghe
            // 2004 §9.5).
            let mut t = 1.0;
            let full = newton_terms(&xc, labels, nc, ns, true);
            let mut nll = full.loglik.unwrap_or(f64::NAN);
            if !(nll.is_nan() || nll < ll) {
                next = Some(full);
            }
            while (nll.is_nan() || nll < ll) && t > 1e-10 {
                t *= 0.5;
                nc = c + t * dc;
                ns = s + t * ds;
                nll = loglik(nc, ns);
            }
            if nll.is_nan() || nll < ll {
                break; // no ascent direction found: leave converged = false
            }
            ll = nll;
        }
        c = nc;
        s = ns;
        let small = |d: f64, v: f64| d.abs() <= 1e-12 * (1.0 + v.abs());
        if small(dc, c) && small(ds, s) {
            converged = true;
            break;
        }
        terms = match next {
            Some(t) => t,
            None => newton_terms(&xc, labels, c, s, false),
        };
    }
    Ok(Some(LogisticFit {
        slope: s,
        intercept: c - s * mean,
        iterations,
        converged,
    }))
}

/// The sums of one Newton step of [`logistic_calibration`] at (c, s): gradient, Hessian and,
/// when asked, the log-likelihood.
#[derive(Debug, Clone, Copy)]
struct NewtonTerms {
    g0: f64,
    g1: f64,
    h00: f64,
    h01: f64,
    h11: f64,
    loglik: Option<f64>,
}

/// With η = c + s·v, μ = 1/(1 + e^(−η)): g = Σ (y − μ)·(1, v), H = Σ μ(1 − μ)·(1, v)(1, v)ᵀ, and
/// optionally ℓ = Σ y·η − softplus(η). One pass and one exponential per row: e^(−η) is also
/// softplus's e^(−|η|) when η ≥ 0 (a second exponential only where η < 0), so every term and
/// every sum, in row order, is bit for bit what separate gradient and log-likelihood passes give.
fn newton_terms(xc: &[f64], labels: &[u8], c: f64, s: f64, with_loglik: bool) -> NewtonTerms {
    let (mut g0, mut g1) = (Sum::default(), Sum::default());
    let (mut h00, mut h01, mut h11) = (Sum::default(), Sum::default(), Sum::default());
    let mut ll = Sum::default();
    // At slope 0, η = c exactly on every row: one exponential for all.
    let flat = (s == 0.0).then(|| (-c).exp());
    for (&v, &y) in xc.iter().zip(labels) {
        let eta = c + s * v;
        let e = flat.unwrap_or_else(|| (-eta).exp());
        let mu = 1.0 / (1.0 + e);
        let r = f64::from(y) - mu;
        let w = mu * (1.0 - mu);
        g0.add(r);
        g1.add(r * v);
        h00.add(w);
        h01.add(w * v);
        h11.add(w * v * v);
        if with_loglik {
            let tail = if eta >= 0.0 { e } else { eta.exp() };
            ll.add(f64::from(y) * eta - (eta.max(0.0) + tail.ln_1p()));
        }
    }
    NewtonTerms {
        g0: g0.value(),
        g1: g1.value(),
        h00: h00.value(),
        h01: h01.value(),
        h11: h11.value(),
        loglik: with_loglik.then(|| ll.value()),
    }
}

/// The Hosmer–Lemeshow goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HosmerLemeshow {
    /// `Σ_g (O_g − E_g)² / (E_g (1 − E_g/n_g))` over non-empty groups.
    pub statistic: f64,
    /// `P(χ²_df > statistic)`.
    pub p_value: f64,
    /// Degrees of freedom: non-empty groups − 2.
    pub df: u64,
}

/// Hosmer–Lemeshow test over `groups` equal-mass groups. Groups are exactly the `quantile`
/// reliability bins of [`reliability_bins`] (scikit-learn's rule: edges at score percentiles,
/// ties kept together, empty groups dropped), so heavy ties can leave fewer groups.
/// `O_g` = positives, `E_g` = sum of scores, `n_g` = rows of group g; df = g − 2.
/// `None` when fewer than 3 groups are non-empty, or a group's mean score is exactly 0 or 1
/// (its variance term is 0 and the statistic is undefined).
pub fn hosmer_lemeshow(
    scores: &[f64],
    labels: &[u8],
    groups: usize,
) -> Result<Option<HosmerLemeshow>, InputError> {
    validate(scores, labels)?;
    check_bins(groups)?;
    if scores.is_empty() {
        return Ok(None);
    }
    let t = bin_totals(scores, labels, groups, BinStrategy::Quantile);
    let mut statistic = Sum::default();
    let mut g = 0u64;
    for b in 0..groups {
        let count = t.count[b];
        if count == 0 {
            continue;
        }
        g += 1;
        let expected = t.score_sum[b].value();
        let observed = t.positives[b] as f64;
        let variance = expected * (1.0 - expected / count as f64);
        if variance.is_nan() || variance <= 0.0 {
            return Ok(None);
        }
        let d = observed - expected;
        statistic.add(d * d / variance);
    }
    if g < 3 {
        return Ok(None);
    }
    let df = g - 2;
    let statistic = statistic.value();
    let Ok(chi2) = ChiSquared::new(df as f64) else {
        return Ok(None);
    };
    Ok(Some(HosmerLemeshow {
        statistic,
        p_value: chi2.sf(statistic),
        df,
    }))
}

/// Spiegelhalter's test of calibration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spiegelhalter {
    /// `Σ(y − p)(1 − 2p) / √(Σ (1 − 2p)² p (1 − p))`.
    pub z: f64,
    /// Two-sided p-value `2·(1 − Φ(|z|))`.
    pub p_value: f64,
}

/// Spiegelhalter's (1986) z-test. `None` for no rows or when the variance
/// `Σ (1 − 2p)² p (1 − p)` is 0 (every score is 0, ½ or 1).
pub fn spiegelhalter(scores: &[f64], labels: &[u8]) -> Result<Option<Spiegelhalter>, InputError> {
    validate(scores, labels)?;
    let (mut num, mut var) = (Sum::default(), Sum::default());
    for (&p, &y) in scores.iter().zip(labels) {
        let (n, v) = spiegelhalter_terms(p, y);
        num.add(n);
        var.add(v);
    }
    Ok(spiegelhalter_of(num, var))
}

/// The test from its two sums (see [`spiegelhalter`]); `None` when the variance is not > 0.
pub(super) fn spiegelhalter_of(num: Sum, var: Sum) -> Option<Spiegelhalter> {
    let var = var.value();
    if var.is_nan() || var <= 0.0 {
        return None;
    }
    let z = num.value() / var.sqrt();
    Some(Spiegelhalter {
        z,
        p_value: (2.0 * normal_sf(z.abs())).min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Stepping from any guess finds the binary search's bin, on uniform and quantile-like
        /// (repeated, uneven) edges, for scores in and out of [0, 1] and at the edges.
        #[test]
        fn bin_from_is_the_partition_point(
            n_bins in 1usize..40,
            raw in proptest::collection::vec(0.0f64..1.0, 0..12),
            p in prop_oneof![0.0f64..=1.0, -1.0f64..2.0, Just(0.0), Just(1.0), Just(f64::NAN)],
            on_edge in 0usize..40,
            guess in 0usize..60,
        ) {
            let mut uneven = raw.clone();
            uneven.sort_by(f64::total_cmp);
            let uniform = uniform_edges(n_bins);
            for inner in [&uniform[1..n_bins], &uneven[..]] {
                let mut probes = vec![p];
                if let Some(&e) = inner.get(on_edge % inner.len().max(1)) {
                    probes.extend([e, f64::from_bits(e.to_bits() + 1), f64::from_bits(e.to_bits().saturating_sub(1))]);
                }
                for q in probes {
                    let want = inner.partition_point(|&e| e < q);
                    prop_assert_eq!(bin_from(inner, q, guess), want);
                    prop_assert_eq!(bin_from(inner, q, (q * n_bins as f64) as usize), want);
                    prop_assert_eq!(bin_from(inner, q, (q * n_bins as f64) as u32 as usize), want);
                }
            }
        }

        /// Each lane of `Sums` is bit for bit the `Sum` that received the lane's terms, on
        /// terms of mixed signs and magnitudes (where the compensation matters).
        #[test]
        fn sums_lanes_are_sums(
            rows in proptest::collection::vec(
                (prop_oneof![-1e3f64..1e3, -1.0f64..1.0, -1e-12f64..1e-12, Just(0.0), Just(-0.0)], 0u8..3),
                0..60,
            ),
        ) {
            let mut lanes = Sums::<3>::default();
            let mut each = [Sum::default(); 3];
            for &(x, k) in &rows {
                let terms = [x, -x * 0.5, x * x + f64::from(k)];
                lanes.add(terms);
                for (sum, t) in each.iter_mut().zip(terms) {
                    sum.add(t);
                }
            }
            for (i, sum) in each.iter().enumerate() {
                prop_assert_eq!(lanes.lane(i).value().to_bits(), sum.value().to_bits());
                prop_assert_eq!(lanes.lane(i).compensation.to_bits(), sum.compensation.to_bits());
            }
        }
    }

    fn bins(scores: &[f64], labels: &[u8], n: usize, s: BinStrategy) -> Vec<ReliabilityBin> {
        reliability_bins(scores, labels, n, s, IntervalMethod::ClopperPearson, 0.95).unwrap()
    }

    #[test]
    fn sklearn_docstring_example() {
        // calibration_curve([0,0,0,0,1,1,1,1,1], [.1,.2,.3,.4,.65,.7,.8,.9,1.], n_bins=3)
        // → prob_true [0, .5, 1], prob_pred [.2, .525, .85].
        let p = [0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9, 1.0];
        let y = [0, 0, 0, 0, 1, 1, 1, 1, 1];
        let b = bins(&p, &y, 3, BinStrategy::Uniform);
        let rates: Vec<f64> = b.iter().map(|b| b.observed_rate).collect();
        let means: Vec<f64> = b.iter().map(|b| b.mean_score).collect();
        assert_eq!(rates, vec![0.0, 0.5, 1.0]);
        for (m, w) in means.iter().zip([0.2, 0.525, 0.85]) {
            assert!((m - w).abs() < 1e-15);
        }
    }

    #[test]
    fn score_on_inner_edge_goes_to_lower_bin() {
        // 0.5 is exactly the inner edge of 2 uniform bins: searchsorted(side='left') → bin 0.
        let b = bins(&[0.5, 0.7], &[1, 0], 2, BinStrategy::Uniform);
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].lower, b[0].upper, b[0].count), (0.0, 0.5, 1));
        // linspace(0, 1, 11)[3] is 0.30000000000000004 > 0.3, so 0.3 lands in bin 2 = (0.2, 0.3].
        let edges = uniform_edges(10);
        assert_eq!(edges[3], 0.30000000000000004);
        let b = bins(&[0.3], &[0], 10, BinStrategy::Uniform);
        assert_eq!(b[0].lower, 0.2);
    }

    #[test]
    fn numpy_percentile_examples() {
        // np.percentile([1, 2, 3, 4], [0, 25, 50, 75, 100]) = [1, 1.75, 2.5, 3.25, 4]
        let e = quantile_edges(&[4.0, 1.0, 3.0, 2.0], 4);
        assert_eq!(e, vec![1.0, 1.75, 2.5, 3.25, 4.0]);
        // One row: every edge is that row.
        assert_eq!(quantile_edges(&[0.2], 3), vec![0.2; 4]);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(
            reliability_bins(
                &[],
                &[],
                10,
                BinStrategy::Quantile,
                IntervalMethod::Wilson,
                0.9
            ),
            Ok(vec![])
        );
        assert_eq!(brier_score(&[], &[]), Ok(None));
        assert_eq!(log_loss(&[], &[], 1e-15), Ok(None));
        assert_eq!(calibration_in_the_large(&[], &[]), Ok(None));
        assert_eq!(logistic_calibration(&[], &[]), Ok(None));
        assert_eq!(hosmer_lemeshow(&[], &[], 10), Ok(None));
        assert_eq!(spiegelhalter(&[], &[]), Ok(None));
        assert_eq!(calibration_errors(&[]), None);
        assert_eq!(brier_decomposition(&[], 0, 0.5), None);
        // One class, constant scores: no logistic fit.
        assert_eq!(logistic_calibration(&[0.2, 0.4], &[0, 0]), Ok(None));
        assert_eq!(logistic_calibration(&[0.3, 0.3], &[0, 1]), Ok(None));
        // Complete and quasi-complete separation.
        assert_eq!(logistic_calibration(&[0.2, 0.4, 0.6], &[0, 0, 1]), Ok(None));
        assert_eq!(logistic_calibration(&[0.2, 0.4, 0.4], &[0, 0, 1]), Ok(None));
        assert_eq!(logistic_calibration(&[0.2, 0.4, 0.6], &[1, 1, 0]), Ok(None));
        assert!(
            logistic_calibration(&[0.2, 0.4, 0.6, 0.3], &[0, 1, 0, 1])
                .unwrap()
                .is_some()
        );
        // Scores of exactly 0 and ½ make Spiegelhalter's variance 0.
        assert_eq!(spiegelhalter(&[0.0, 0.5, 1.0], &[0, 1, 1]), Ok(None));
        // A group of scores all exactly 0.
        assert_eq!(
            hosmer_lemeshow(&[0.0, 0.0, 0.3, 0.5, 0.6, 0.9], &[0, 1, 0, 1, 0, 1], 3),
            Ok(None)
        );
        // Fewer than 3 groups.
        assert_eq!(hosmer_lemeshow(&[0.3; 5], &[0, 1, 0, 1, 1], 10), Ok(None));
        // O/E undefined at mean score 0.
        let c = calibration_in_the_large(&[0.0, 0.0], &[0, 1])
            .unwrap()
            .unwrap();
        assert_eq!((c.difference, c.observed_expected), (-0.5, None));
    }

    #[test]
    fn malformed_inputs_are_typed_errors() {
        assert_eq!(
            brier_score(&[0.1], &[]),
            Err(InputError::LengthMismatch {
                scores: 1,
                labels: 0
            })
        );
        assert!(matches!(
            log_loss(&[0.1, f64::NAN], &[0, 1], 1e-15),
            Err(InputError::ScoreOutOfRange { index: 1, .. })
        ));
        assert_eq!(
            spiegelhalter(&[0.1, 1.5], &[0, 1]),
            Err(InputError::ScoreOutOfRange {
                index: 1,
                value: 1.5
            })
        );
        assert_eq!(
            hosmer_lemeshow(&[0.1], &[2], 10),
            Err(InputError::InvalidLabel { index: 0, value: 2 })
        );
        assert_eq!(
            reliability_bins(
                &[0.1],
                &[1],
                0,
                BinStrategy::Uniform,
                IntervalMethod::Wilson,
                0.9
            ),
            Err(InputError::InvalidBinCount(0))
        );
        assert_eq!(
            reliability_bins(
                &[0.1],
                &[1],
                5,
                BinStrategy::Uniform,
                IntervalMethod::Wilson,
                1.0
            ),
            Err(InputError::InvalidConfidence(1.0))
        );
        assert_eq!(
            log_loss(&[0.1], &[1], 0.0),
            Err(InputError::InvalidEps(0.0))
        );
    }

    #[test]
    fn log_loss_clips_like_sklearn() {
        // Score exactly 1 with label 0: −ln(eps).
        let l = log_loss(&[1.0], &[0], 1e-15).unwrap().unwrap();
        assert!((l - (-(1e-15_f64).ln())).abs() < 1e-12);
        let l = log_loss(&[0.0], &[0], SKLEARN_LOG_LOSS_EPS)
            .unwrap()
            .unwrap();
        assert!((l - (-(1.0 - f64::EPSILON).ln())).abs() < 1e-30);
    }

    #[test]
    fn logistic_fit_recovers_identity_on_calibrated_counts() {
        // Scores whose observed rates equal their values exactly: slope 1, intercept 0.
        let mut p = Vec::new();
        let mut y = Vec::new();
        for (score, pos, n) in [(0.2, 2, 10), (0.5, 5, 10), (0.8, 8, 10)] {
            for i in 0..n {
                p.push(score);
                y.push(u8::from(i < pos));
            }
        }
        let fit = logistic_calibration(&p, &y).unwrap().unwrap();
        assert!(fit.converged);
        assert!((fit.slope - 1.0).abs() < 1e-10, "{fit:?}");
        assert!(fit.intercept.abs() < 1e-10, "{fit:?}");
    }

    #[test]
    fn ten_million_rows() {
        // A calibrated-by-construction log at 10⁷ rows: bins sum exactly, ECE ≈ 0.
        let n = 10_000_000usize;
        let mut scores = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let group = i % 10; // score (group + 0.5)/10, positives in the first fraction
            let s = (group as f64 + 0.5) / 10.0;
            let within = i / 10; // 0..10⁶
            scores.push(s);
            labels.push(u8::from((within as f64) < s * 1_000_000.0));
        }
        // Uniform bins (the quantile path differs only by one sort).
        let b = bins(&scores, &labels, 10, BinStrategy::Uniform);
        assert_eq!(b.len(), 10);
        for (g, bin) in b.iter().enumerate() {
            assert_eq!(bin.count, 1_000_000);
            // Compensated sums: a million copies of one score average back to it.
            assert!((bin.mean_score - (g as f64 + 0.5) / 10.0).abs() <= 1e-16);
        }
        let e = calibration_errors(&b).unwrap();
        assert!(e.ece < 1e-12 && e.mce < 1e-12, "{e:?}");
        let brier = brier_score(&scores, &labels).unwrap().unwrap();
        let d = brier_decomposition(&b, n as u64, 0.5).unwrap();
        assert!((d.reliability - d.resolution + d.uncertainty - brier).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn bins_partition_rows(
            rows in prop::collection::vec((0.0f64..=1.0, 0u8..=1), 1..300),
            n_bins in 1usize..20,
            quantile in any::<bool>(),
            wilson in any::<bool>(),
        ) {
            let (p, y): (Vec<f64>, Vec<u8>) = rows.into_iter().unzip();
            let strategy = if quantile { BinStrategy::Quantile } else { BinStrategy::Uniform };
            let method = if wilson { IntervalMethod::Wilson } else { IntervalMethod::ClopperPearson };
            let b = reliability_bins(&p, &y, n_bins, strategy, method, 0.9).unwrap();
            prop_assert!(b.len() <= n_bins);
            prop_assert_eq!(b.iter().map(|b| b.count).sum::<u64>(), p.len() as u64);
            prop_assert_eq!(b.iter().map(|b| b.positives).sum::<u64>(),
                            y.iter().map(|&v| u64::from(v)).sum::<u64>());
            for w in b.windows(2) {
                prop_assert!(w[0].upper <= w[1].lower);
            }
            for bin in &b {
                prop_assert!(bin.count > 0);
                prop_assert!(0.0 <= bin.ci_lower && bin.ci_lower <= bin.observed_rate);
                prop_assert!(bin.observed_rate <= bin.ci_upper && bin.ci_upper <= 1.0);
                prop_assert!(bin.lower - 1e-12 <= bin.mean_score && bin.mean_score <= bin.upper + 1e-12);
            }
            let e = calibration_errors(&b).unwrap();
            prop_assert!(e.ece <= e.rmsce + 1e-15 && e.rmsce <= e.mce + 1e-15);
            prop_assert!(e.ace <= e.mce + 1e-15 && e.mce <= 1.0);
        }

        #[test]
        fn perfectly_calibrated_sample_has_zero_ece(
            groups in prop::collection::vec((1u64..40, 0.0f64..=1.0), 1..12),
            n_bins in 1usize..16,
            quantile in any::<bool>(),
        ) {
            // Each group: c rows with score k/c and exactly k positives. Whatever the binning,
            // each bin's mean score equals its observed rate.
            let (mut p, mut y) = (Vec::new(), Vec::new());
            for (c, frac) in groups {
                let k = ((c as f64) * frac).round() as u64;
                for i in 0..c {
                    p.push(k as f64 / c as f64);
                    y.push(u8::from(i < k));
                }
            }
            let strategy = if quantile { BinStrategy::Quantile } else { BinStrategy::Uniform };
            let b = bins(&p, &y, n_bins, strategy);
            let e = calibration_errors(&b).unwrap();
            prop_assert!(e.ece < 1e-12 && e.mce < 1e-12 && e.rmsce < 1e-12 && e.ace < 1e-12, "{:?}", e);
        }

        #[test]
        fn murphy_identity_when_constant_within_bins(
            rows in prop::collection::vec((0usize..10, 0u8..=1), 1..300),
        ) {
            // Scores at uniform-bin centres are constant within each of 10 uniform bins.
            let p: Vec<f64> = rows.iter().map(|&(g, _)| (g as f64 + 0.5) / 10.0).collect();
            let y: Vec<u8> = rows.iter().map(|&(_, l)| l).collect();
            let b = bins(&p, &y, 10, BinStrategy::Uniform);
            let rate = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
            let d = brier_decomposition(&b, y.len() as u64, rate).unwrap();
            let brier = brier_score(&p, &y).unwrap().unwrap();
            prop_assert!((d.reliability - d.resolution + d.uncertainty - brier).abs() < 1e-12);
        }

        #[test]
        fn logistic_fit_solves_score_equations(
            rows in prop::collection::vec((0.001f64..0.999, 0u8..=1), 5..200),
        ) {
            let (p, y): (Vec<f64>, Vec<u8>) = rows.into_iter().unzip();
            if let Some(fit) = logistic_calibration(&p, &y).unwrap() {
                prop_assert!(fit.converged);
                // First-order conditions: Σ(y − μ) = 0 and Σ(y − μ)·x = 0.
                let (mut g0, mut g1) = (0.0, 0.0);
                for (&pi, &yi) in p.iter().zip(&y) {
                    let x = clipped_logit(pi);
                    let mu = 1.0 / (1.0 + (-(fit.intercept + fit.slope * x)).exp());
                    g0 += f64::from(yi) - mu;
                    g1 += (f64::from(yi) - mu) * x;
                }
                prop_assert!(g0.abs() < 1e-8 && g1.abs() < 1e-8, "{} {}", g0, g1);
            }
        }

        #[test]
        fn scores_and_tests_are_in_range(
            rows in prop::collection::vec((0.0f64..=1.0, 0u8..=1), 1..200),
        ) {
            let (p, y): (Vec<f64>, Vec<u8>) = rows.into_iter().unzip();
            let brier = brier_score(&p, &y).unwrap().unwrap();
            prop_assert!((0.0..=1.0).contains(&brier));
            let ll = log_loss(&p, &y, 1e-15).unwrap().unwrap();
            prop_assert!(ll >= 0.0 && ll <= -(1e-15_f64).ln() + 1e-9);
            if let Some(hl) = hosmer_lemeshow(&p, &y, 10).unwrap() {
                prop_assert!(hl.statistic >= 0.0 && (0.0..=1.0).contains(&hl.p_value));
                prop_assert!(hl.df >= 1 && hl.df <= 8);
            }
            if let Some(s) = spiegelhalter(&p, &y).unwrap() {
                prop_assert!(s.z.is_finite() && (0.0..=1.0).contains(&s.p_value));
            }
        }
    }
}
