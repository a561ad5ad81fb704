//! Every number the diagnosis rules read, computed once from the two windows with the core
//! metrics: class-conditional KS ([`drift::ks_2samp`]), the unpaired DeLong AUC comparison
//! ([`ranking::delong_unpaired`]), logistic calibration slopes, ECE, the calibration-shift test
//! ([`super::stats`]), the EM prior (Saerens et al. 2002, [`label_shift::em_prior`]) and prior
//! correction ([`label_shift::prior_correct`]), decision-implied thresholds
//! ([`quality::consistent_threshold`]) and cost-optimal thresholds
//! ([`threshold::optimal_threshold`]). A number that cannot be computed is `None`.

use super::DiagnosisInput;
use super::stats::{self, CalibrationShift, SlopeFit};
use crate::core::metrics::drift::{self, KsResult};
use crate::core::metrics::{calibration, label_shift, ranking, threshold};
use crate::core::quality::{self, ConsistentThreshold};
use crate::core::report::{BinStrategy, IntervalMethod};

/// Counts of one window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Rows.
    pub n: u64,
    /// Rows with label 1.
    pub positives: u64,
}

impl Counts {
    fn of(labels: &[u8]) -> Self {
        Self {
            n: labels.len() as u64,
            positives: labels.iter().filter(|&&y| y == 1).count() as u64,
        }
    }

    /// positives / n, `None` when empty.
    pub fn rate(&self) -> Option<f64> {
        (self.n > 0).then(|| self.positives as f64 / self.n as f64)
    }
}

/// What the decision column says in one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decisions {
    /// Rows with a decision.
    pub n: u64,
    /// Rows with decision 1.
    pub positives: u64,
    /// Rows with a decision and score ≥ the configured threshold.
    pub score_positives: u64,
    /// The threshold interval most consistent with the decisions.
    pub implied: Option<ConsistentThreshold>,
}

impl Decisions {
    /// Share of compared rows whose decision the implied threshold explains.
    pub fn agreement(&self) -> Option<f64> {
        let t = self.implied?;
        (t.compared > 0).then(|| t.agreement as f64 / t.compared as f64)
    }

    /// A representative value of the implied interval (its midpoint, or its finite end).
    pub fn implied_value(&self) -> Option<f64> {
        let t = self.implied?;
        match (t.lower, t.upper) {
            (Some(lo), Some(hi)) => Some(0.5 * (lo + hi)),
            (None, Some(hi)) => Some(hi),
            (Some(lo), None) => Some(lo),
            (None, None) => None,
        }
    }
}

/// All the numbers behind the diagnosis (`Default`: nothing computed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Reference counts.
    pub reference: Counts,
    /// Current counts.
    pub current: Counts,
    /// p-value of the positive-rate change (two-proportion z-test).
    pub prior_p: Option<f64>,
    /// KS test of the score distribution, reference vs current.
    pub score_ks: Option<KsResult>,
    /// KS test of score | y = 1 between windows.
    pub ks_positive: Option<KsResult>,
    /// KS test of score | y = 0 between windows.
    pub ks_negative: Option<KsResult>,
    /// AUC of the reference window.
    pub auc_reference: Option<f64>,
    /// AUC of the current window.
    pub auc_current: Option<f64>,
    /// Standard error of the current AUC (DeLong).
    pub auc_current_se: Option<f64>,
    /// Two-sided DeLong p-value of the AUC difference.
    pub auc_p: Option<f64>,
    /// Calibration slope fit of the reference window.
    pub slope_reference: Option<SlopeFit>,
    /// Calibration slope fit of the current window.
    pub slope_current: Option<SlopeFit>,
    /// Two-sided p-value of the slope difference.
    pub slope_p: Option<f64>,
    /// ECE of the reference window (uniform bins).
    pub ece_reference: Option<f64>,
    /// ECE of the current window.
    pub ece_current: Option<f64>,
    /// ECE of the current window after prior correction to its observed positive rate.
    pub ece_corrected: Option<f64>,
    /// Calibration conditional on the score, reference vs current.
    pub calibration: Option<CalibrationShift>,
    /// The same after prior-correcting the current scores.
    pub calibration_corrected: Option<CalibrationShift>,
    /// EM estimate of the current positive rate from the current scores.
    pub em_prior: Option<f64>,
    /// Decisions of the reference window.
    pub decisions_reference: Option<Decisions>,
    /// Decisions of the current window.
    pub decisions_current: Option<Decisions>,
    /// Rows with score ≥ the configured threshold: (reference, current).
    pub score_positive_counts: (u64, u64),
    /// Cost-optimal threshold of the reference window (`None` = predict nothing positive).
    pub cost_optimal_reference: Option<f64>,
    /// Cost-optimal threshold of the current window.
    pub cost_optimal_current: Option<f64>,
}

fn ece(scores: &[f64], labels: &[u8], bins: usize, confidence: f64) -> Option<f64> {
    let b = calibration::reliability_bins(
        scores,
        labels,
        bins,
        BinStrategy::Uniform,
        IntervalMethod::Wilson,
        confidence,
    )
    .ok()?;
    calibration::calibration_errors(&b).map(|e| e.ece)
}

fn class_scores(scores: &[f64], labels: &[u8], class: u8) -> Vec<f64> {
    scores
        .iter()
        .zip(labels)
        .filter(|&(_, &y)| y == class)
        .map(|(&s, _)| s)
        .collect()
}

fn decisions(scores: &[f64], d: Option<&[Option<u8>]>, t: f64) -> Option<Decisions> {
    let d = d?;
    let mut out = Decisions {
        n: 0,
        positives: 0,
        score_positives: 0,
        implied: quality::consistent_threshold(scores, d, t).ok().flatten(),
    };
    for (&s, &v) in scores.iter().zip(d) {
        if let Some(v) = v {
            out.n += 1;
            out.positives += u64::from(v == 1);
            out.score_positives += u64::from(s >= t);
        }
    }
    (out.n > 0).then_some(out)
}

fn cost_optimal(scores: &[f64], labels: &[u8], costs: threshold::Costs) -> Option<f64> {
    let sweep = threshold::Sweep::new(scores, labels).ok()?;
    let o = threshold::optimal_threshold(&sweep, threshold::OptimalRule::MinExpectedCost(costs))?;
    o.threshold.is_finite().then_some(o.threshold)
}

impl Facts {
    /// Computes every fact from valid input (see [`super::validate`]).
    pub fn compute(input: &DiagnosisInput<'_>) -> Self {
        let (rs, ry) = (input.reference_scores, input.reference_labels);
        let (cs, cy) = (input.current_scores, input.current_labels);
        let reference = Counts::of(ry);
        let current = Counts::of(cy);
        let prior_p = stats::two_proportion(
            reference.positives,
            reference.n,
            current.positives,
            current.n,
        );
        let ks_positive = drift::ks_2samp(&class_scores(rs, ry, 1), &class_scores(cs, cy, 1));
        let ks_negative = drift::ks_2samp(&class_scores(rs, ry, 0), &class_scores(cs, cy, 0));
        let delong = ranking::delong_unpaired((rs, ry), (cs, cy)).ok().flatten();
        let auc_current_se = ranking::delong(cs, cy).ok().flatten().map(|d| d.std_error);
        let slope_reference = stats::slope_fit(rs, ry);
        let slope_current = stats::slope_fit(cs, cy);
        let slope_p = match (slope_reference, slope_current) {
            (Some(a), Some(b)) => {
                let se = (a.std_error.powi(2) + b.std_error.powi(2)).sqrt();
                (se > 0.0).then(|| stats::two_sided((b.slope - a.slope) / se))
            }
            _ => None,
        };
        let calibration = stats::calibration_shift(rs, ry, cs, cy, input.bins, input.confidence);
        let prior_ref = reference.rate().filter(|p| *p > 0.0 && *p < 1.0);
        let prior_cur = current.rate().filter(|p| *p > 0.0 && *p < 1.0);
        let corrected: Option<Vec<f64>> = match (prior_ref, prior_cur) {
            (Some(a), Some(b)) => Some(
                cs.iter()
                    .map(|&s| label_shift::prior_correct(s, a, b))
                    .collect(),
            ),
            _ => None,
        };
        let calibration_corrected = corrected
            .as_ref()
            .and_then(|c| stats::calibration_shift(rs, ry, c, cy, input.bins, input.confidence));
        let ece_corrected = corrected
            .as_ref()
            .and_then(|c| ece(c, cy, input.bins, input.confidence));
        let em_prior = prior_ref.and_then(|p| {
            label_shift::em_prior(
                cs,
                p,
                label_shift::DEFAULT_EM_MAX_ITER,
                label_shift::DEFAULT_EM_TOL,
            )
            .map(|e| e.prior)
        });
        let t = input.threshold;
        let costs = threshold::Costs {
            fp: input.costs.fp,
            fn_: input.costs.fn_,
            tp: input.costs.tp,
            tn: input.costs.tn,
        };
        Self {
            reference,
            current,
            prior_p,
            score_ks: drift::ks_2samp(rs, cs),
            ks_positive,
            ks_negative,
            auc_reference: delong.map(|d| d.auc_a),
            auc_current: delong.map(|d| d.auc_b),
            auc_current_se,
            auc_p: delong.and_then(|d| d.p_value),
            slope_reference,
            slope_current,
            slope_p,
            ece_reference: ece(rs, ry, input.bins, input.confidence),
            ece_current: ece(cs, cy, input.bins, input.confidence),
            ece_corrected,
            calibration,
            calibration_corrected,
            em_prior,
            decisions_reference: decisions(rs, input.reference_decisions, t),
            decisions_current: decisions(cs, input.current_decisions, t),
            score_positive_counts: (
                rs.iter().filter(|&&s| s >= t).count() as u64,
                cs.iter().filter(|&&s| s >= t).count() as u64,
            ),
            cost_optimal_reference: cost_optimal(rs, ry, costs),
            cost_optimal_current: cost_optimal(cs, cy, costs),
        }
    }
}
