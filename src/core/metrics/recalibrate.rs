//! Recalibration maps: fitted on one labelled sample, applied to scores from another.
//!
//! Every map is a [`CalibrationMap`], a serde enum tagged by `method`
//! (e.g. `{"method":"platt","a":4.2,"b":-2.1}`), fitted by [`fit`] and applied by
//! [`CalibrationMap::apply`]. Writing σ(z) = 1/(1 + e^(−z)) and, for the logit-based maps,
//! clipping s to [ε, 1 − ε] with ε = 2⁻⁵² (as the `betacal` package does):
//!
//! * `platt` — p' = σ(a·s + b) on the raw score, Platt, "Probabilistic outputs for support vector
//!   machines", 1999; optionally with Platt's smoothed targets (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2),
//!   as scikit-learn's `_sigmoid_calibration`.
//! * `platt_logit` — p' = σ(a·logit s + b): logistic recalibration (Cox, "Two further
//!   applications of a model for binary regression", *Biometrika* 45, 1958); `a` is the
//!   calibration slope.
//! * `isotonic` — pool-adjacent-violators on the score-sorted labels (Zadrozny & Elkan, KDD 2002),
//!   tied scores averaged first, linear interpolation between fitted points and clipping
//!   outside them, as `sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")`.
//! * `temperature` — p' = σ(logit s / T), T minimising log loss (Guo et al., ICML 2017).
//! * `beta` — p' = σ(a·ln s − b·ln(1 − s) + c), Kull, Silva Filho & Flach, "Beta calibration",
//!   AISTATS 2017 (the three-parameter "abm" model, fitted as `betacal` does).
//! * `histogram` — observed positive rate per score bin (Zadrozny & Elkan, ICML 2001).
//! * `prior_correction` — [`super::label_shift::prior_correct`] with fixed priors.
//!
//! The logistic fits are unpenalised maximum likelihood solved by Newton's method with
//! step halving (IRLS). Every map except `histogram` is monotone non-decreasing in s: the
//! slope-type coefficients are constrained to be ≥ 0 (see [`fit`]). All outputs lie in [0, 1].

use super::label_shift::prior_correct;
use crate::core::report::BinStrategy;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Scores are clipped to [`LOGIT_EPS`, 1 − `LOGIT_EPS`] before taking logs (machine epsilon,
/// as `betacal`), so scores of exactly 0 or 1 map to finite values.
pub const LOGIT_EPS: f64 = f64::EPSILON;

/// Scikit-learn's `_make_unique` treats sorted scores closer than this as one value
/// (`np.finfo(float64).resolution`).
const TIE_RESOLUTION: f64 = 1e-15;

const NEWTON_MAX_ITER: usize = 100;

/// How to fit a [`CalibrationMap`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// p' = σ(a·s + b) on the raw score. `smooth_targets` uses Platt's targets
    /// (N₊ + 1)/(N₊ + 2) for positives and 1/(N₋ + 2) for negatives instead of 1 and 0.
    Platt {
        /// Use Platt's smoothed targets (as scikit-learn's `CalibratedClassifierCV(method="sigmoid")`).
        #[serde(default)]
        smooth_targets: bool,
    },
    /// p' = σ(a·logit s + b) (logistic recalibration; `a` is the calibration slope).
    PlattLogit,
    /// Isotonic regression (pool adjacent violators).
    Isotonic,
    /// p' = σ(logit s / T).
    Temperature,
    /// Beta calibration, p' = σ(a·ln s − b·ln(1 − s) + c).
    Beta,
    /// Observed positive rate per bin; `bins` ≥ 1 bins of equal width or equal mass.
    Histogram {
        /// Number of bins.
        bins: usize,
        /// Equal-width (`uniform`) or equal-mass (`quantile`) bins, as `calibration_curve`.
        strategy: BinStrategy,
    },
    /// Bayes' rule from the fitting sample's positive rate to `prior_current`.
    PriorCorrection {
        /// The positive rate of the population the map is applied to, in (0, 1).
        prior_current: f64,
    },
}

/// A fitted recalibration map from a score in [0, 1] to a probability in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum CalibrationMap {
    /// p' = s (no recalibration).
    Identity,
    /// p' = σ(a·s + b), a ≥ 0.
    Platt {
        /// Slope on the raw score.
        a: f64,
        /// Intercept.
        b: f64,
    },
    /// p' = σ(a·logit s + b), a ≥ 0.
    PlattLogit {
        /// Slope on logit s (the calibration slope).
        a: f64,
        /// Intercept.
        b: f64,
    },
    /// Piecewise-linear interpolation through (x[k], y[k]), constant outside [x₀, x_last].
    Isotonic {
        /// Increasing score thresholds (sklearn's `X_thresholds_`).
        x: Vec<f64>,
        /// Non-decreasing fitted probabilities (sklearn's `y_thresholds_`).
        y: Vec<f64>,
    },
    /// p' = σ(logit s / t), t > 0.
    Temperature {
        /// The temperature T.
        t: f64,
    },
    /// p' = σ(a·ln s − b·ln(1 − s) + c), a, b ≥ 0.
    Beta {
        /// Coefficient of ln s.
        a: f64,
        /// Coefficient of −ln(1 − s).
        b: f64,
        /// Intercept.
        c: f64,
    },
    /// p' = values[k] for s in bin k; bin k is (edges[k], edges[k+1]], the first bin also
    /// holding everything ≤ edges[1] and the last everything > edges[bins−1].
    Histogram {
        /// Bin edges, length bins + 1.
        edges: Vec<f64>,
        /// Observed positive rate per bin (the bin centre when the bin was empty).
        values: Vec<f64>,
    },
    /// p' = prior_correct(s, prior_reference, prior_current).
    PriorCorrection {
        /// Positive rate the scores are calibrated for.
        prior_reference: f64,
        /// Positive rate of the target population.
        prior_current: f64,
    },
}

/// Why a map could not be fitted.
#[derive(Debug, Clone, PartialEq)]
pub enum RecalError {
    /// `scores` and `labels` have different lengths.
    LengthMismatch {
        /// Length of `scores`.
        scores: usize,
        /// Length of `labels`.
        labels: usize,
    },
    /// No rows.
    Empty,
    /// A score is NaN or outside [0, 1].
    InvalidScore {
        /// Row index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A label is not 0 or 1.
    InvalidLabel {
        /// Row index.
        index: usize,
        /// The value.
        value: u8,
    },
    /// All labels are equal (this includes a single row): no map can be learned.
    OneClass,
    /// Fewer distinct scores than the method has parameters to identify.
    TooFewDistinctScores {
        /// Distinct scores the method needs.
        needed: usize,
        /// Distinct scores found.
        found: usize,
    },
    /// The classes are (quasi-)separated by the score, so the likelihood has no finite
    /// maximum (the fitted map would be a step).
    Separable,
    /// Temperature scaling: the scores are not positively associated with the labels, so the
    /// optimal temperature is infinite (a constant ½ map).
    NoSignal,
    /// A method parameter is out of range (zero bins, a prior outside (0, 1)).
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value.
        value: f64,
    },
    /// The optimiser did not converge within its iteration cap.
    NotConverged,
}

impl fmt::Display for RecalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch { scores, labels } => {
                write!(f, "{scores} scores but {labels} labels")
            }
            Self::Empty => write!(f, "no rows to fit on"),
            Self::InvalidScore { index, value } => {
                write!(f, "score {value} at row {index} is not in [0, 1]")
            }
            Self::InvalidLabel { index, value } => {
                write!(f, "label {value} at row {index} is not 0 or 1")
            }
            Self::OneClass => write!(f, "labels contain a single class"),
            Self::TooFewDistinctScores { needed, found } => {
                write!(f, "{found} distinct score(s); the method needs {needed}")
            }
            Self::Separable => write!(
                f,
                "the score separates the classes perfectly; the fit has no finite maximum"
            ),
            Self::NoSignal => write!(f, "the scores are not positively associated with labels"),
            Self::InvalidParameter { name, value } => write!(f, "invalid {name}: {value}"),
            Self::NotConverged => write!(f, "the optimiser did not converge"),
        }
    }
}

impl std::error::Error for RecalError {}

/// Fits a recalibration map of the given `method` on `scores` (in [0, 1]) and `labels` (0/1).
///
/// Errors (checked in this order): [`RecalError::LengthMismatch`], [`RecalError::Empty`],
/// [`RecalError::InvalidScore`], [`RecalError::InvalidLabel`], [`RecalError::OneClass`];
/// then for every method but `prior_correction`, [`RecalError::TooFewDistinctScores`]
/// (need 2 distinct scores; 3 for `beta`); then method-specific:
///
/// * `platt`, `platt_logit`: when the score is not positively associated with the
///   (possibly smoothed) target — sample covariance ≤ 0 — the slope is fixed at `a = 0` and
///   the map is the constant base rate (the constrained maximum-likelihood fit; scikit-learn
///   would return a negative slope). [`RecalError::Separable`] when every negative scores
///   ≤ every positive (unless `smooth_targets`, which always has a finite fit).
/// * `temperature`: [`RecalError::NoSignal`] when the optimal 1/T ≤ 0;
///   [`RecalError::Separable`] when logit s has the sign of the label on every row.
/// * `beta`: fits (a, b, c); if a < 0 refits without ln s (a = 0), else if b < 0 refits
///   without ln(1 − s) (b = 0), exactly as `betacal`; a coefficient still negative after the
///   refit is set to 0 (`betacal` would keep it). [`RecalError::Separable`] as above.
/// * `histogram`: [`RecalError::InvalidParameter`] for 0 bins.
/// * `prior_correction`: [`RecalError::InvalidParameter`] unless 0 < `prior_current` < 1.
///
/// Cost: O(n log n) for `isotonic` and quantile `histogram` (a sort), otherwise O(n) per
/// Newton iteration (typically under 10 iterations).
pub fn fit(method: &Method, scores: &[f64], labels: &[u8]) -> Result<CalibrationMap, RecalError> {
    let positives = validate(scores, labels)?;
    let n = scores.len();
    let need_distinct = |needed: usize| {
        let found = distinct_up_to(scores, needed);
        if found < needed {
            Err(RecalError::TooFewDistinctScores { needed, found })
        } else {
            Ok(())
        }
    };
    match *method {
        Method::PriorCorrection { prior_current } => {
            if !(prior_current > 0.0 && prior_current < 1.0) {
                return Err(RecalError::InvalidParameter {
                    name: "prior_current",
                    value: prior_current,
                });
            }
            Ok(CalibrationMap::PriorCorrection {
                prior_reference: positives as f64 / n as f64,
                prior_current,
            })
        }
        Method::Platt { smooth_targets } => {
            need_distinct(2)?;
            let targets = Targets::new(labels, positives, smooth_targets);
            if !smooth_targets && separated(scores, labels) {
                return Err(RecalError::Separable);
            }
            let [a, b] = fit_slope_nonneg(n, |i| scores[i], &targets)?;
            Ok(CalibrationMap::Platt { a, b })
        }
        Method::PlattLogit => {
            need_distinct(2)?;
            if separated(scores, labels) {
                return Err(RecalError::Separable);
            }
            let targets = Targets::new(labels, positives, false);
            let [a, b] = fit_slope_nonneg(n, |i| logit_clipped(scores[i]), &targets)?;
            Ok(CalibrationMap::PlattLogit { a, b })
        }
        Method::Temperature => {
            need_distinct(2)?;
            fit_temperature(scores, labels)
        }
        Method::Beta => {
            need_distinct(3)?;
            if separated(scores, labels) {
                return Err(RecalError::Separable);
            }
            fit_beta(scores, labels, positives)
        }
        Method::Isotonic => {
            need_distinct(2)?;
            Ok(fit_isotonic(scores, labels))
        }
        Method::Histogram { bins, strategy } => {
            need_distinct(2)?;
            if bins == 0 {
                return Err(RecalError::InvalidParameter {
                    name: "bins",
                    value: 0.0,
                });
            }
            Ok(fit_histogram(scores, labels, bins, strategy))
        }
    }
}

impl CalibrationMap {
    /// Maps one score to a recalibrated probability in [0, 1] (a NaN score gives NaN).
    ///
    /// Scores outside [0, 1] are clamped first. Malformed deserialised maps (empty or
    /// mismatched vectors) never panic: the nearest meaningful answer is used, and an empty
    /// isotonic or histogram map acts as the identity.
    pub fn apply(&self, score: f64) -> f64 {
        if score.is_nan() {
            return score;
        }
        let s = score.clamp(0.0, 1.0);
        let p = match self {
            Self::Identity => s,
            Self::Platt { a, b } => sigmoid(a * s + b),
            Self::PlattLogit { a, b } => sigmoid(a * logit_clipped(s) + b),
            Self::Temperature { t } => sigmoid(logit_clipped(s) / t),
            Self::Beta { a, b, c } => {
                let s = s.clamp(LOGIT_EPS, 1.0 - LOGIT_EPS);
                sigmoid(a * s.ln() - b * (1.0 - s).ln() + c)
            }
            Self::Isotonic { x, y } => interpolate(x, y, s),
            Self::Histogram { edges, values } => {
                if values.is_empty() {
                    s
                } else {
                    let inner = edges.get(1..edges.len().saturating_sub(1)).unwrap_or(&[]);
                    let k = inner.partition_point(|&e| e < s).min(values.len() - 1);
                    values[k]
                }
            }
            Self::PriorCorrection {
                prior_reference,
                prior_current,
            } => prior_correct(s, *prior_reference, *prior_current),
        };
        p.clamp(0.0, 1.0)
    }

    /// Maps every score (see [`CalibrationMap::apply`]).
    pub fn apply_all(&self, scores: &[f64]) -> Vec<f64> {
        scores.iter().map(|&s| self.apply(s)).collect()
    }

    /// The `method` tag of this map, as written in JSON.
    pub fn method_name(&self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Platt { .. } => "platt",
            Self::PlattLogit { .. } => "platt_logit",
            Self::Isotonic { .. } => "isotonic",
            Self::Temperature { .. } => "temperature",
            Self::Beta { .. } => "beta",
            Self::Histogram { .. } => "histogram",
            Self::PriorCorrection { .. } => "prior_correction",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Input checks and small helpers.

/// Validates inputs; returns the number of positives.
fn validate(scores: &[f64], labels: &[u8]) -> Result<u64, RecalError> {
    if scores.len() != labels.len() {
        return Err(RecalError::LengthMismatch {
            scores: scores.len(),
            labels: labels.len(),
        });
    }
    if scores.is_empty() {
        return Err(RecalError::Empty);
    }
    if let Some((index, &value)) = scores
        .iter()
        .enumerate()
        .find(|(_, s)| !(0.0..=1.0).contains(*s))
    {
        return Err(RecalError::InvalidScore { index, value });
    }
    let mut positives = 0u64;
    for (index, &value) in labels.iter().enumerate() {
        if value > 1 {
            return Err(RecalError::InvalidLabel { index, value });
        }
        positives += u64::from(value);
    }
    if positives == 0 || positives == labels.len() as u64 {
        return Err(RecalError::OneClass);
    }
    Ok(positives)
}

/// Number of distinct values in `scores`, counting at most up to `cap` (one pass).
fn distinct_up_to(scores: &[f64], cap: usize) -> usize {
    let mut seen: Vec<f64> = Vec::with_capacity(cap);
    for &s in scores {
        if !seen.contains(&s) {
            seen.push(s);
            if seen.len() >= cap {
                break;
            }
        }
    }
    seen.len()
}

/// Whether every negative scores ≤ every positive: the logistic likelihood with a
/// non-negative slope then has no finite maximum.
fn separated(scores: &[f64], labels: &[u8]) -> bool {
    let mut max_neg = f64::NEG_INFINITY;
    let mut min_pos = f64::INFINITY;
    for (&s, &y) in scores.iter().zip(labels) {
        if y == 1 {
            min_pos = min_pos.min(s);
        } else {
            max_neg = max_neg.max(s);
        }
    }
    max_neg <= min_pos
}

/// The logistic function, written so it is monotone and accurate over all of ℝ.
fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// ln(1 + e^z) without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// logit of the score clipped to [ε, 1 − ε].
fn logit_clipped(s: f64) -> f64 {
    let s = s.clamp(LOGIT_EPS, 1.0 - LOGIT_EPS);
    s.ln() - (1.0 - s).ln()
}

// ---------------------------------------------------------------------------------------------
// Logistic regression by Newton's method.

/// Per-row targets: labels, or Platt's smoothed labels.
struct Targets<'a> {
    labels: &'a [u8],
    hi: f64,
    lo: f64,
}

impl<'a> Targets<'a> {
    fn new(labels: &'a [u8], positives: u64, smooth: bool) -> Self {
        let (hi, lo) = if smooth {
            let p = positives as f64;
            let q = labels.len() as f64 - p;
            ((p + 1.0) / (p + 2.0), 1.0 / (q + 2.0))
        } else {
            (1.0, 0.0)
        };
        Self { labels, hi, lo }
    }

    fn get(&self, i: usize) -> f64 {
        if self.labels[i] == 1 {
            self.hi
        } else {
            self.lo
        }
    }

    fn mean(&self) -> f64 {
        let n = self.labels.len();
        (0..n).map(|i| self.get(i)).sum::<f64>() / n as f64
    }
}

/// Minimises Σᵢ softplus(θ·xᵢ) − tᵢ θ·xᵢ over θ ∈ ℝᴷ, where the last component of each xᵢ
/// is the intercept's 1. Newton steps with Armijo backtracking (full steps once the Newton
/// decrement is below 1e-6); converged when every step component is below 1e-12·max(1, |θⱼ|),
/// or below 1e-8 and no longer shrinking (the rounding floor of the sums).
fn logistic_newton<const K: usize>(
    n: usize,
    x: impl Fn(usize) -> [f64; K],
    targets: &Targets<'_>,
) -> Result<[f64; K], RecalError> {
    let eval = |theta: &[f64; K]| {
        let mut loss = 0.0;
        let mut g = [0.0; K];
        let mut h = [[0.0; K]; K];
        for i in 0..n {
            let xi = x(i);
            let eta: f64 = xi.iter().zip(theta).map(|(a, b)| a * b).sum();
            let t = targets.get(i);
            loss += softplus(eta) - t * eta;
            let p = sigmoid(eta);
            let r = p - t;
            let w = p * (1.0 - p);
            for ((gj, hj), &xj) in g.iter_mut().zip(h.iter_mut()).zip(&xi) {
                *gj += r * xj;
                // The full (symmetric) Hessian: K ≤ 3, so no need to exploit symmetry.
                for (hjk, &xk) in hj.iter_mut().zip(&xi) {
                    *hjk += w * xj * xk;
                }
            }
        }
        (loss, g, h)
    };
    let mean_t = targets.mean();
    let mut theta = [0.0; K];
    theta[K - 1] = (mean_t / (1.0 - mean_t)).ln();
    let (mut loss, mut g, mut h) = eval(&theta);
    let mut prev_rel = f64::INFINITY;
    for _ in 0..NEWTON_MAX_ITER {
        let step = solve_spd(h, g.map(|v| -v)).ok_or(RecalError::Separable)?;
        let rel = step
            .iter()
            .zip(&theta)
            .map(|(d, t)| d.abs() / t.abs().max(1.0))
            .fold(0.0, f64::max);
        let full: [f64; K] = std::array::from_fn(|j| theta[j] + step[j]);
        // Converged, or at the rounding floor (a tiny step that no longer shrinks).
        if rel <= 1e-12 || (rel <= 1e-8 && rel >= 0.5 * prev_rel) {
            return Ok(full);
        }
        prev_rel = rel;
        // Newton decrement λ² = gᵀH⁻¹g. Once it is tiny, Newton is in its quadratic region and
        // full steps are safe, while a line search could no longer see the loss decrease
        // through rounding.
        let decrement: f64 = -g.iter().zip(&step).map(|(a, b)| a * b).sum::<f64>();
        if decrement < 1e-6 {
            theta = full;
            (loss, g, h) = eval(&theta);
            continue;
        }
        let mut scale = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            let trial: [f64; K] = std::array::from_fn(|j| theta[j] + scale * step[j]);
            let (l2, g2, h2) = eval(&trial);
            if l2.is_finite() && l2 <= loss - 1e-4 * scale * decrement {
                theta = trial;
                (loss, g, h) = (l2, g2, h2);
                accepted = true;
                break;
            }
            scale *= 0.5;
        }
        if !accepted {
            return Err(RecalError::NotConverged);
        }
    }
    // Newton converges quadratically on a strictly convex loss; still moving after
    // NEWTON_MAX_ITER steps means the coefficients are running off to infinity.
    Err(RecalError::Separable)
}

/// Solves H d = r for symmetric positive-definite H by Cholesky; `None` when H is not
/// numerically positive definite.
fn solve_spd<const K: usize>(h: [[f64; K]; K], r: [f64; K]) -> Option<[f64; K]> {
    let mut l = [[0.0; K]; K];
    for j in 0..K {
        let d = h[j][j] - l[j][..j].iter().map(|v| v * v).sum::<f64>();
        if d.is_nan() || d <= 1e-300 || d <= 1e-14 * h[j][j].abs() {
            return None;
        }
        let d = d.sqrt();
        l[j][j] = d;
        for i in j + 1..K {
            let v = h[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<f64>();
            l[i][j] = v / d;
        }
    }
    let mut y = [0.0; K];
    for i in 0..K {
        let mut v = r[i];
        for k in 0..i {
            v -= l[i][k] * y[k];
        }
        y[i] = v / l[i][i];
    }
    let mut out = [0.0; K];
    for i in (0..K).rev() {
        let mut v = y[i];
        for k in i + 1..K {
            v -= l[k][i] * out[k];
        }
        out[i] = v / l[i][i];
    }
    out.iter().all(|v| v.is_finite()).then_some(out)
}

/// Logistic regression of the targets on one feature with slope constrained ≥ 0: when the
/// sample covariance of feature and target is ≤ 0 the constrained optimum is slope 0 and the
/// intercept is logit(mean target) (KKT conditions of the convex problem).
fn fit_slope_nonneg(
    n: usize,
    feature: impl Fn(usize) -> f64,
    targets: &Targets<'_>,
) -> Result<[f64; 2], RecalError> {
    let mean_t = targets.mean();
    let mean_x = (0..n).map(&feature).sum::<f64>() / n as f64;
    let cov: f64 = (0..n)
        .map(|i| (targets.get(i) - mean_t) * (feature(i) - mean_x))
        .sum();
    if cov <= 0.0 {
        return Ok([0.0, (mean_t / (1.0 - mean_t)).ln()]);
    }
    logistic_newton(n, |i| [feature(i), 1.0], targets)
}

fn fit_beta(scores: &[f64], labels: &[u8], positives: u64) -> Result<CalibrationMap, RecalError> {
    let n = scores.len();
    let targets = Targets::new(labels, positives, false);
    let clip = |s: f64| s.clamp(LOGIT_EPS, 1.0 - LOGIT_EPS);
    let ln_s = |i: usize| clip(scores[i]).ln();
    let neg_ln_1ms = |i: usize| -(1.0 - clip(scores[i])).ln();
    let [a, b, c] = logistic_newton(n, |i| [ln_s(i), neg_ln_1ms(i), 1.0], &targets)?;
    let (a, b, c) = if a < 0.0 {
        let [b, c] = fit_slope_nonneg(n, neg_ln_1ms, &targets)?;
        (0.0, b, c)
    } else if b < 0.0 {
        let [a, c] = fit_slope_nonneg(n, ln_s, &targets)?;
        (a, 0.0, c)
    } else {
        (a, b, c)
    };
    Ok(CalibrationMap::Beta { a, b, c })
}

// ---------------------------------------------------------------------------------------------
// Temperature scaling.

/// Minimises L(β) = Σ softplus(β zᵢ) − yᵢ β zᵢ over β = 1/T > 0 (convex in β) by Newton's
/// method safeguarded with a bracket on the sign of L'(β) = Σ (σ(β zᵢ) − yᵢ) zᵢ.
fn fit_temperature(scores: &[f64], labels: &[u8]) -> Result<CalibrationMap, RecalError> {
    let z: Vec<f64> = scores.iter().map(|&s| logit_clipped(s)).collect();
    let derivs = |beta: f64| {
        let mut d1 = 0.0;
        let mut d2 = 0.0;
        for (&zi, &y) in z.iter().zip(labels) {
            let p = sigmoid(beta * zi);
            d1 += (p - f64::from(y)) * zi;
            d2 += p * (1.0 - p) * zi * zi;
        }
        (d1, d2)
    };
    // L'(0⁺) < 0 is needed for an optimum at β > 0.
    if derivs(0.0).0 >= 0.0 {
        return Err(RecalError::NoSignal);
    }
    // L'(∞) = Σ_{z>0, y=0} z + Σ_{z<0, y=1} |z|: zero means the sign of z separates classes.
    let limit: f64 = z
        .iter()
        .zip(labels)
        .map(|(&zi, &y)| match (zi > 0.0, y) {
            (true, 0) => zi,
            (false, 1) => -zi,
            _ => 0.0,
        })
        .sum();
    if limit <= 0.0 {
        return Err(RecalError::Separable);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut bracketed = false;
    for _ in 0..200 {
        if derivs(hi).0 >= 0.0 {
            bracketed = true;
            break;
        }
        lo = hi;
        hi *= 2.0;
    }
    if !bracketed {
        return Err(RecalError::Separable);
    }
    let mut beta = 0.5 * (lo + hi);
    for _ in 0..200 {
        let (d1, d2) = derivs(beta);
        if d1 == 0.0 {
            break;
        }
        if d1 < 0.0 {
            lo = beta;
        } else {
            hi = beta;
        }
        let newton = beta - d1 / d2;
        let next = if newton > lo && newton < hi && newton.is_finite() {
            newton
        } else {
            0.5 * (lo + hi)
        };
        let done = (next - beta).abs() <= 1e-15 * beta || hi - lo <= 1e-15 * hi;
        beta = next;
        if done {
            return Ok(CalibrationMap::Temperature { t: 1.0 / beta });
        }
    }
    Ok(CalibrationMap::Temperature { t: 1.0 / beta })
}

// ---------------------------------------------------------------------------------------------
// Isotonic regression.

/// Pool adjacent violators with sklearn's conventions: sort by (score, label); merge sorted
/// scores within 1e-15 of the first of a run into one point whose target is the mean label and
/// weight the count; PAV with those weights; drop interior points whose fitted value equals
/// both neighbours'. Block means are computed as (positives / count) from exact counts.
fn fit_isotonic(scores: &[f64], labels: &[u8]) -> CalibrationMap {
    let mut pairs: Vec<(f64, u8)> = scores.iter().copied().zip(labels.iter().copied()).collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    // Unique scores: (x, positives, count).
    let mut points: Vec<(f64, u64, u64)> = Vec::new();
    for &(s, y) in &pairs {
        match points.last_mut() {
            Some(last) if s - last.0 < TIE_RESOLUTION => {
                last.1 += u64::from(y);
                last.2 += 1;
            }
            _ => points.push((s, u64::from(y), 1)),
        }
    }
    // PAV over blocks (positives, count, number of points in block).
    let mut blocks: Vec<(u64, u64, usize)> = Vec::with_capacity(points.len());
    for &(_, pos, cnt) in &points {
        blocks.push((pos, cnt, 1));
        while blocks.len() >= 2 {
            let (p2, c2, k2) = blocks[blocks.len() - 1];
            let (p1, c1, k1) = blocks[blocks.len() - 2];
            // Violation iff mean1 > mean2 ⇔ p1·c2 > p2·c1 (exact in u128).
            if u128::from(p1) * u128::from(c2) > u128::from(p2) * u128::from(c1) {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (p1 + p2, c1 + c2, k1 + k2);
            } else {
                break;
            }
        }
    }
    let mut fitted = Vec::with_capacity(points.len());
    for &(pos, cnt, k) in &blocks {
        let v = (pos as f64 / cnt as f64).clamp(0.0, 1.0);
        fitted.extend(std::iter::repeat_n(v, k));
    }
    let m = points.len();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..m {
        let keep = i == 0 || i + 1 == m || fitted[i] != fitted[i - 1] || fitted[i] != fitted[i + 1];
        if keep {
            x.push(points[i].0);
            y.push(fitted[i]);
        }
    }
    CalibrationMap::Isotonic { x, y }
}

/// scipy's `interp1d(kind="linear")` after clipping to [x₀, x_last], with the result kept
/// inside the segment's end values (so rounding cannot break monotonicity).
fn interpolate(x: &[f64], y: &[f64], s: f64) -> f64 {
    let k = x.len().min(y.len());
    match k {
        0 => return s,
        1 => return y[0],
        _ => {}
    }
    let s = s.clamp(x[0], x[k - 1]);
    let idx = x[..k].partition_point(|&v| v < s).clamp(1, k - 1);
    let (x_lo, x_hi, y_lo, y_hi) = (x[idx - 1], x[idx], y[idx - 1], y[idx]);
    let slope = (y_hi - y_lo) / (x_hi - x_lo);
    let v = slope * (s - x_lo) + y_lo;
    if v.is_finite() {
        v.clamp(y_lo.min(y_hi), y_lo.max(y_hi))
    } else {
        y_lo
    }
}

// ---------------------------------------------------------------------------------------------
// Histogram binning.

/// numpy's `linspace(0, 1, bins + 1)`: i·(1/bins), last edge exactly 1.
fn linspace_unit(bins: usize) -> Vec<f64> {
    let step = 1.0 / bins as f64;
    let mut v: Vec<f64> = (0..=bins).map(|i| i as f64 * step).collect();
    if let Some(last) = v.last_mut() {
        *last = 1.0;
    }
    v
}

/// numpy's `percentile(sorted, q·100)` with the default linear method, including its
/// two-sided lerp.
fn percentile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let q = (q * 100.0) / 100.0;
    let virtual_index = (n - 1) as f64 * q;
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let last = (n - 1) as f64;
    let (i, j) = if virtual_index >= last {
        (n - 1, n - 1)
    } else if virtual_index < 0.0 {
        (0, 0)
    } else {
        let i = prev as usize;
        (i, (i + 1).min(n - 1))
    };
    let (a, b) = (sorted[i], sorted[j]);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

fn fit_histogram(
    scores: &[f64],
    labels: &[u8],
    bins: usize,
    strategy: BinStrategy,
) -> CalibrationMap {
    let grid = linspace_unit(bins);
    let edges = match strategy {
        BinStrategy::Uniform => grid,
        BinStrategy::Quantile => {
            let mut sorted = scores.to_vec();
            sorted.sort_unstable_by(f64::total_cmp);
            grid.iter()
                .map(|&q| percentile_linear(&sorted, q))
                .collect()
        }
    };
    let inner = &edges[1..bins];
    let mut count = vec![0u64; bins];
    let mut pos = vec![0u64; bins];
    for (&s, &y) in scores.iter().zip(labels) {
        let k = inner.partition_point(|&e| e < s);
        count[k] += 1;
        pos[k] += u64::from(y);
    }
    let values = (0..bins)
        .map(|k| {
            if count[k] == 0 {
                0.5 * (edges[k] + edges[k + 1])
            } else {
                pos[k] as f64 / count[k] as f64
            }
        })
        .collect();
    CalibrationMap::Histogram { edges, values }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<f64>, Vec<u8>) {
        let s = vec![0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
        let y = vec![0, 0, 1, 0, 0, 1, 0, 1, 1, 1];
        (s, y)
    }

    #[test]
    fn errors_in_order() {
        let m = Method::Isotonic;
        assert_eq!(
            fit(&m, &[0.1], &[0, 1]),
            Err(RecalError::LengthMismatch {
                scores: 1,
                labels: 2
            })
        );
        assert_eq!(fit(&m, &[], &[]), Err(RecalError::Empty));
        assert!(matches!(
            fit(&m, &[0.1, f64::NAN], &[0, 1]),
            Err(RecalError::InvalidScore { index: 1, .. })
        ));
        assert!(matches!(
            fit(&m, &[0.1, 1.5], &[0, 1]),
            Err(RecalError::InvalidScore { index: 1, .. })
        ));
        assert_eq!(
            fit(&m, &[0.1, 0.5], &[0, 2]),
            Err(RecalError::InvalidLabel { index: 1, value: 2 })
        );
        assert_eq!(fit(&m, &[0.1], &[1]), Err(RecalError::OneClass));
        assert_eq!(fit(&m, &[0.1, 0.2], &[0, 0]), Err(RecalError::OneClass));
        assert_eq!(
            fit(&m, &[0.3, 0.3], &[0, 1]),
            Err(RecalError::TooFewDistinctScores {
                needed: 2,
                found: 1
            })
        );
        assert_eq!(
            fit(&Method::Beta, &[0.3, 0.6, 0.3, 0.6], &[0, 1, 1, 0]),
            Err(RecalError::TooFewDistinctScores {
                needed: 3,
                found: 2
            })
        );
        assert!(matches!(
            fit(
                &Method::Histogram {
                    bins: 0,
                    strategy: BinStrategy::Uniform
                },
                &[0.1, 0.2],
                &[0, 1]
            ),
            Err(RecalError::InvalidParameter { name: "bins", .. })
        ));
        for p in [0.0, 1.0, f64::NAN] {
            assert!(matches!(
                fit(
                    &Method::PriorCorrection { prior_current: p },
                    &[0.1, 0.2],
                    &[0, 1]
                ),
                Err(RecalError::InvalidParameter { .. })
            ));
        }
        // Constant scores are fine for prior correction (it does not use them).
        assert_eq!(
            fit(
                &Method::PriorCorrection { prior_current: 0.5 },
                &[0.3, 0.3, 0.3, 0.3],
                &[0, 1, 0, 0]
            ),
            Ok(CalibrationMap::PriorCorrection {
                prior_reference: 0.25,
                prior_current: 0.5
            })
        );
    }

    #[test]
    fn separable_and_no_signal() {
        let s = [0.1, 0.2, 0.3, 0.4];
        let y = [0, 0, 1, 1];
        for m in [
            Method::Platt {
                smooth_targets: false,
            },
            Method::PlattLogit,
            Method::Beta,
        ] {
            assert_eq!(fit(&m, &s, &y), Err(RecalError::Separable), "{m:?}");
        }
        // Quasi-separation (a tie at the boundary) is also separable.
        assert_eq!(
            fit(&Method::PlattLogit, &[0.1, 0.2, 0.2, 0.4], &[0, 0, 1, 1]),
            Err(RecalError::Separable)
        );
        // Smoothed targets always have a finite fit.
        let m = fit(
            &Method::Platt {
                smooth_targets: true,
            },
            &s,
            &y,
        )
        .unwrap();
        assert!(matches!(m, CalibrationMap::Platt { a, .. } if a > 0.0 && a.is_finite()));
        // Temperature: separable by the sign of logit s; anti-associated → no signal.
        assert_eq!(
            fit(&Method::Temperature, &[0.1, 0.2, 0.7, 0.9], &[0, 0, 1, 1]),
            Err(RecalError::Separable)
        );
        assert_eq!(
            fit(&Method::Temperature, &[0.1, 0.2, 0.7, 0.9], &[1, 1, 0, 0]),
            Err(RecalError::NoSignal)
        );
    }

    #[test]
    fn negative_association_gives_constant_base_rate() {
        let (s, y) = sample();
        let flipped: Vec<u8> = y.iter().map(|&v| 1 - v).collect();
        for m in [
            Method::Platt {
                smooth_targets: false,
            },
            Method::PlattLogit,
        ] {
            let map = fit(&m, &s, &flipped).unwrap();
            for &v in &s {
                assert!((map.apply(v) - 0.5).abs() < 1e-15, "{map:?}");
            }
        }
        let map = fit(&Method::Beta, &s, &flipped).unwrap();
        match map {
            CalibrationMap::Beta { a, b, .. } => assert!(a >= 0.0 && b >= 0.0),
            _ => unreachable!(),
        }
    }

    #[test]
    fn platt_gradient_is_zero_at_fit() {
        let (s, y) = sample();
        let CalibrationMap::Platt { a, b } = fit(
            &Method::Platt {
                smooth_targets: false,
            },
            &s,
            &y,
        )
        .unwrap() else {
            unreachable!()
        };
        let (mut g0, mut g1) = (0.0, 0.0);
        for (&si, &yi) in s.iter().zip(&y) {
            let r = sigmoid(a * si + b) - f64::from(yi);
            g0 += r * si;
            g1 += r;
        }
        assert!(g0.abs() < 1e-12 && g1.abs() < 1e-12, "{g0} {g1}");
    }

    #[test]
    fn isotonic_hand_example() {
        // Tied score 0.2 with labels {0,1} averages to 0.5; then 0.3→0 violates and pools
        // with it: (1 + 0)/(2 + 1) = 1/3.
        let s = [0.1, 0.2, 0.2, 0.3, 0.4];
        let y = [0, 0, 1, 0, 1];
        let map = fit(&Method::Isotonic, &s, &y).unwrap();
        assert_eq!(
            map,
            CalibrationMap::Isotonic {
                x: vec![0.1, 0.2, 0.3, 0.4],
                y: vec![0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0]
            }
        );
        assert_eq!(map.apply(0.0), 0.0);
        assert_eq!(map.apply(1.0), 1.0);
        assert!((map.apply(0.35) - (1.0 / 3.0 + 0.5 * (2.0 / 3.0))).abs() < 1e-15);
        assert!((map.apply(0.15) - 1.0 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn histogram_hand_example_and_empty_bin_centre() {
        let s = [0.05, 0.1, 0.15, 0.3, 0.95, 0.99];
        let y = [0, 1, 1, 0, 1, 1];
        let map = fit(
            &Method::Histogram {
                bins: 4,
                strategy: BinStrategy::Uniform,
            },
            &s,
            &y,
        )
        .unwrap();
        let CalibrationMap::Histogram { edges, values } = &map else {
            unreachable!()
        };
        assert_eq!(edges, &vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(values, &vec![2.0 / 3.0, 0.0, 0.625, 1.0]);
        assert_eq!(map.apply(0.25), 2.0 / 3.0); // right-closed bins
        assert_eq!(map.apply(0.6), 0.625);
    }

    #[test]
    fn malformed_maps_do_not_panic() {
        let maps = [
            CalibrationMap::Isotonic {
                x: vec![],
                y: vec![],
            },
            CalibrationMap::Isotonic {
                x: vec![0.2, 0.4, 0.6],
                y: vec![0.1],
            },
            CalibrationMap::Histogram {
                edges: vec![],
                values: vec![0.3, 0.4],
            },
            CalibrationMap::Histogram {
                edges: vec![0.0, 1.0],
                values: vec![],
            },
        ];
        for m in &maps {
            for s in [0.0, 0.3, 1.0] {
                let p = m.apply(s);
                assert!((0.0..=1.0).contains(&p));
            }
        }
    }

    #[test]
    fn percentile_matches_numpy_examples() {
        // np.percentile([1,2,3,4], [0, 10, 50, 90, 100]) = [1, 1.3, 2.5, 3.7, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f64> = [0.0, 0.1, 0.5, 0.9, 1.0]
            .iter()
            .map(|&q| percentile_linear(&v, q))
            .collect();
        let want = [1.0, 1.3, 2.5, 3.7, 4.0];
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-15, "{got:?}");
        }
    }
}
