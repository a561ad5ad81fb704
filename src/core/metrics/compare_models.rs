//! Champion vs challenger: several score columns compared on the same rows and labels.
//!
//! Per model: ROC AUC with its DeLong interval, average precision with the logit interval of
//! Boyd, Eng & Page (2013) (see [`super::ranking::average_precision_interval`]), the binned
//! ECE, the Brier score and log loss, the reliability bins, ROC and PR curves, and the
//! confusion counts at the decision threshold.
//!
//! Per challenger against the champion (differences are always challenger − champion, so a
//! negative ECE or Brier difference means the challenger is better, a positive AUC difference
//! means it ranks better):
//! * **AUC**: the paired DeLong test ([`super::ranking::delong_paired`]; DeLong, DeLong &
//!   Clarke-Pearson 1988, computed à la Sun & Xu 2014): difference `Δ`, standard error `s`,
//!   `z = Δ/s`, two-sided `p = 2·(1 − Φ(|z|))` and the interval `Δ ± Φ⁻¹((1 + c)/2)·s`.
//! * **ECE and Brier**: a paired percentile bootstrap (Efron & Tibshirani 1993, ch. 13, 16):
//!   `B` resamples of row indices drawn with replacement by a seeded SplitMix64 generator,
//!   the *same* indices for both models, the difference of the statistic on each resample;
//!   the interval is the `(1 − c)/2` and `(1 + c)/2` percentiles of the `B` differences
//!   (linear interpolation, as `numpy.percentile`), the two-sided p-value
//!   `min(1, 2·min((1 + #{Δ* ≤ 0})/(B + 1), (1 + #{Δ* ≥ 0})/(B + 1)))` (the bootstrap
//!   percentile test, with the +1 of Davison & Hinkley 1997, §4.4, so it is never 0).
//!   Resamples on which the ECE is undefined are skipped and counted out of `resamples`.
//!
//! Inputs come from `schema::prepare`, so scores are in [0, 1] and every model has a score on
//! every row; malformed slices give `None`, never a panic.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::calibration;
use super::drift::quantile_sorted;
use super::ranking::{self, RankSummary};
use super::smooth::SplitMix64;
use crate::core::report::{
    BinStrategy, CurvePoints, IntervalMethod, ReliabilityBin, ThresholdPoint,
};

/// A statistic of (scores, labels), undefined on some samples.
type Statistic<'a> = &'a dyn Fn(&[f64], &[u8]) -> Option<f64>;

/// How the comparison is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompareSettings {
    /// Reliability bins for the ECE.
    pub bins: usize,
    /// Binning strategy for the ECE.
    pub strategy: BinStrategy,
    /// Interval method of the per-bin observed rates (for the diagrams).
    pub interval: IntervalMethod,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Bootstrap resamples for the ECE and Brier differences (0: no bootstrap).
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Clamp of log loss.
    pub log_loss_eps: f64,
}

/// The comparison of every model on one window's rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelsReport {
    /// The window the rows come from: `all` (one log) or `current` (a comparison of windows).
    pub window: String,
    /// Rows compared (the same for every model).
    pub n: u64,
    /// Positives among them.
    pub positives: u64,
    /// One entry per model: the champion (`score`) first, then each challenger in order.
    pub models: Vec<ModelMetrics>,
    /// One entry per challenger: challenger vs champion.
    pub comparisons: Vec<ModelComparison>,
}

/// One model's metrics on the compared rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelMetrics {
    /// The score column.
    pub column: String,
    /// `champion` or `challenger`.
    pub role: String,
    /// ROC AUC, as `sklearn.metrics.roc_auc_score`.
    pub roc_auc: Option<f64>,
    /// DeLong interval of the AUC.
    pub roc_auc_ci: Option<[f64; 2]>,
    /// Average precision, as `sklearn.metrics.average_precision_score`.
    pub average_precision: Option<f64>,
    /// Logit interval of the average precision (Boyd, Eng & Page 2013).
    pub average_precision_ci: Option<[f64; 2]>,
    /// Binned ECE under the settings' binning.
    pub ece: Option<f64>,
    /// Brier score.
    pub brier_score: Option<f64>,
    /// Log loss (clipped at `settings.log_loss_eps`).
    pub log_loss: Option<f64>,
    /// Reliability bins (settings' binning and interval), empty bins omitted.
    pub reliability: Vec<ReliabilityBin>,
    /// ROC curve (thinned for charts).
    pub roc_curve: Option<CurvePoints>,
    /// Precision–recall curve (thinned for charts).
    pub pr_curve: Option<CurvePoints>,
    /// Confusion counts and rates at `settings.threshold`.
    pub at_threshold: Option<ThresholdPoint>,
    /// Confusion counts and rates at thresholds 0, 0.01, …, 1 (the windows' sweep grid), for
    /// the models' metric-against-threshold chart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep: Vec<ThresholdPoint>,
}

/// A challenger against the champion.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelComparison {
    /// The challenger's column.
    pub challenger: String,
    /// The champion's column.
    pub champion: String,
    /// Paired DeLong test of AUC(challenger) − AUC(champion).
    pub auc: Option<PairedTest>,
    /// Paired bootstrap of ECE(challenger) − ECE(champion).
    pub ece: Option<PairedTest>,
    /// Paired bootstrap of Brier(challenger) − Brier(champion).
    pub brier_score: Option<PairedTest>,
}

/// A difference between two models on the same rows, with its interval and test.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PairedTest {
    /// `delong` or `bootstrap`.
    pub method: String,
    /// challenger − champion, on all rows.
    pub difference: f64,
    /// Interval of the difference at `settings.confidence`.
    pub ci: Option<[f64; 2]>,
    /// Standard error (DeLong only).
    pub std_error: Option<f64>,
    /// z statistic (DeLong only; `null` when the standard error is 0).
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// Bootstrap resamples on which the difference was defined (bootstrap only).
    pub resamples: Option<usize>,
}

/// The binned ECE of `scores` (Wilson intervals, which the ECE does not use, as the cheaper
/// choice), `None` when undefined.
pub fn ece(scores: &[f64], labels: &[u8], bins: usize, strategy: BinStrategy) -> Option<f64> {
    let b =
        calibration::reliability_bins(scores, labels, bins, strategy, IntervalMethod::Wilson, 0.95)
            .ok()?;
    calibration::calibration_errors(&b).map(|e| e.ece)
}

/// The paired percentile bootstrap of `statistic(a) − statistic(b)` over the same resampled
/// rows (module docs). `None` when lengths differ, the input is empty, `n_boot == 0`, the
/// confidence is outside (0, 1), or the statistic is undefined on the full sample or on every
/// resample. Reproducible for a given `seed`.
pub fn paired_bootstrap(
    a: &[f64],
    b: &[f64],
    labels: &[u8],
    statistic: impl Fn(&[f64], &[u8]) -> Option<f64>,
    n_boot: usize,
    seed: u64,
    confidence: f64,
) -> Option<PairedTest> {
    let n = labels.len();
    if n == 0 || a.len() != n || b.len() != n || n_boot == 0 {
        return None;
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let difference = statistic(a, labels)? - statistic(b, labels)?;
    let mut rng = SplitMix64::new(seed);
    let (mut ra, mut rb, mut rl) = (vec![0.0; n], vec![0.0; n], vec![0u8; n]);
    let mut diffs = Vec::with_capacity(n_boot);
    for _ in 0..n_boot {
        for k in 0..n {
            let i = rng.below(n as u64) as usize;
            ra[k] = a[i];
            rb[k] = b[i];
            rl[k] = labels[i];
        }
        if let (Some(x), Some(y)) = (statistic(&ra, &rl), statistic(&rb, &rl)) {
            let d = x - y;
            if d.is_finite() {
                diffs.push(d);
            }
        }
    }
    diffs.sort_unstable_by(f64::total_cmp);
    let lo_q = (1.0 - confidence) / 2.0;
    let ci = [
        quantile_sorted(&diffs, lo_q)?,
        quantile_sorted(&diffs, 1.0 - lo_q)?,
    ];
    let m = diffs.len() as f64;
    let at_most = diffs.iter().filter(|&&d| d <= 0.0).count() as f64;
    let at_least = diffs.iter().filter(|&&d| d >= 0.0).count() as f64;
    let p = 2.0 * ((1.0 + at_most) / (m + 1.0)).min((1.0 + at_least) / (m + 1.0));
    Some(PairedTest {
        method: "bootstrap".into(),
        difference,
        ci: Some(ci),
        std_error: None,
        z: None,
        p_value: Some(p.min(1.0)),
        resamples: Some(diffs.len()),
    })
}

/// The paired DeLong test of AUC(a) − AUC(b) with its normal interval (module docs).
pub fn delong_test(a: &[f64], b: &[f64], labels: &[u8], confidence: f64) -> Option<PairedTest> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return None;
    }
    let d = ranking::delong_paired(a, b, labels).ok().flatten()?;
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    let half = z * d.std_error;
    Some(PairedTest {
        method: "delong".into(),
        difference: d.difference,
        ci: Some([d.difference - half, d.difference + half]),
        std_error: Some(d.std_error),
        z: d.z,
        p_value: d.p_value,
        resamples: None,
    })
}

/// One model's point metrics; `thin` turns an exact curve into chart points, `at` gives the
/// confusion counts at the threshold and on the sweep grid from the sorted summary.
pub fn model_metrics(
    column: &str,
    role: &str,
    scores: &[f64],
    labels: &[u8],
    settings: &CompareSettings,
    thin: impl Fn(&[f64], &[f64]) -> CurvePoints,
    at: impl Fn(&RankSummary) -> (ThresholdPoint, Vec<ThresholdPoint>),
) -> ModelMetrics {
    let mut m = ModelMetrics {
        column: column.to_string(),
        role: role.to_string(),
        ..ModelMetrics::default()
    };
    m.reliability = calibration::reliability_bins(
        scores,
        labels,
        settings.bins,
        settings.strategy,
        settings.interval,
        settings.confidence,
    )
    .unwrap_or_default();
    m.ece = calibration::calibration_errors(&m.reliability).map(|e| e.ece);
    m.brier_score = calibration::brier_score(scores, labels).ok().flatten();
    m.log_loss = calibration::log_loss(scores, labels, settings.log_loss_eps)
        .ok()
        .flatten();
    if let Ok(summary) = RankSummary::new(scores, labels) {
        m.roc_auc = summary.roc_auc();
        m.roc_auc_ci = ranking::confidence_interval(&summary, settings.confidence)
            .ok()
            .flatten();
        m.average_precision = summary.average_precision();
        m.average_precision_ci = m.average_precision.and_then(|ap| {
            ranking::average_precision_interval(ap, summary.total_positives(), settings.confidence)
        });
        m.roc_curve = summary.roc_curve().map(|c| thin(&c.fpr, &c.tpr));
        m.pr_curve = summary
            .precision_recall_curve()
            .map(|c| thin(&c.recall, &c.precision));
        let (point, sweep) = at(&summary);
        m.at_threshold = Some(point);
        m.sweep = sweep;
    }
    m
}

/// Challenger vs champion: the DeLong test of the AUCs and the paired bootstraps of the ECE
/// (seed `settings.seed`) and the Brier score (seed `settings.seed + 1`).
pub fn compare_pair(
    challenger: (&str, &[f64]),
    champion: (&str, &[f64]),
    labels: &[u8],
    settings: &CompareSettings,
) -> ModelComparison {
    let (bins, strategy) = (settings.bins, settings.strategy);
    let ece_of = |s: &[f64], y: &[u8]| ece(s, y, bins, strategy);
    let brier_of = |s: &[f64], y: &[u8]| calibration::brier_score(s, y).ok().flatten();
    let boot = |f: Statistic<'_>, seed: u64| {
        paired_bootstrap(
            challenger.1,
            champion.1,
            labels,
            f,
            settings.bootstrap,
            seed,
            settings.confidence,
        )
    };
    ModelComparison {
        challenger: challenger.0.to_string(),
        champion: champion.0.to_string(),
        auc: delong_test(challenger.1, champion.1, labels, settings.confidence),
        ece: boot(&ece_of, settings.seed),
        brier_score: boot(&brier_of, settings.seed.wrapping_add(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(bootstrap: usize) -> CompareSettings {
        CompareSettings {
            bins: 5,
            strategy: BinStrategy::Uniform,
            interval: IntervalMethod::Wilson,
            confidence: 0.95,
            bootstrap,
            seed: 7,
            log_loss_eps: f64::EPSILON,
        }
    }

    #[test]
    fn identical_models_have_zero_differences() {
        let s = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.05];
        let y = [0, 0, 1, 1, 1, 0, 1, 0];
        let c = compare_pair(("b", &s), ("a", &s), &y, &settings(50));
        let ece = c.ece.unwrap();
        assert_eq!(ece.difference, 0.0);
        assert_eq!(ece.ci, Some([0.0, 0.0]));
        assert_eq!(ece.p_value, Some(1.0));
        let auc = c.auc.unwrap();
        assert_eq!(auc.difference, 0.0);
        assert_eq!(auc.z, None);
    }

    #[test]
    fn bootstrap_is_seeded_and_rejects_bad_input() {
        let a = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.05];
        let b = [0.2, 0.3, 0.6, 0.6, 0.9, 0.1, 0.7, 0.3];
        let y = [0, 0, 1, 1, 1, 0, 1, 0];
        let brier = |s: &[f64], l: &[u8]| calibration::brier_score(s, l).ok().flatten();
        let one = paired_bootstrap(&a, &b, &y, brier, 100, 3, 0.9);
        assert_eq!(one, paired_bootstrap(&a, &b, &y, brier, 100, 3, 0.9));
        assert_ne!(one, paired_bootstrap(&a, &b, &y, brier, 100, 4, 0.9));
        assert_eq!(paired_bootstrap(&a, &b[..7], &y, brier, 100, 3, 0.9), None);
        assert_eq!(paired_bootstrap(&a, &b, &y, brier, 0, 3, 0.9), None);
        assert_eq!(paired_bootstrap(&a, &b, &y, brier, 10, 3, 1.0), None);
        assert_eq!(delong_test(&a, &b, &y, 0.0), None);
    }
}
