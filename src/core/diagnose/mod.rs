//! Root-cause diagnosis of a change between a reference and a current window: is it data
//! (covariate) drift, label (prior) shift, model degradation (concept drift), threshold
//! misconfiguration or a bug in the evaluation pipeline — and what to do about it.
//!
//! [`diagnose`] gathers evidence for each cause from the core metrics ([`facts`]), applies the
//! decision rules of `docs/diagnosis.md` ([`causes`]) and ranks the causes: the
//! evaluation-pipeline bug first whenever it is detected (it invalidates every other number),
//! then the other detected causes by confidence, then the undetected ones. The verdict is
//! `no_change` when nothing is detected.
//!
//! The evidence follows the standard signatures of dataset shift (Moreno-Torres et al., "A
//! unifying view on dataset shift in classification", *Pattern Recognition* 45(1), 2012;
//! Lipton, Wang & Smola, ICML 2018): covariate shift moves p(x) and keeps p(y | x), so a
//! calibrated model stays calibrated given its score; prior shift moves p(y) and keeps
//! p(x | y), so the class-conditional score distributions hold and Bayes' prior correction
//! (Saerens et al. 2002) restores calibration; concept drift changes p(y | x), which moves the
//! class-conditional score distributions, the AUC (DeLong et al. 1988) and the calibration
//! slope (Cox 1958).

pub mod causes;
pub mod facts;
pub mod stats;

use crate::core::quality::QualityReport;
use crate::core::report::{CostMatrix, DriftColumn};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Default significance level of every test the diagnosis runs. Small, because the windows
/// are often large and a dozen tests run at once: a false alarm costs an analyst's afternoon.
pub const DEFAULT_ALPHA: f64 = 0.001;

/// Default number of bins of the calibration comparison and of the ECE.
pub const DEFAULT_BINS: usize = 10;

/// The cause keys, in the order used to break ties.
pub const CAUSES: [&str; 5] = [
    "evaluation_pipeline_bug",
    "label_shift",
    "model_degradation",
    "threshold_misconfiguration",
    "data_drift",
];

/// The verdict when no cause is detected.
pub const NO_CHANGE: &str = "no_change";

/// Everything the diagnosis reads: the two windows as plain slices, and what the report
/// already computed (feature drift, data-quality checks) and configured.
#[derive(Debug, Clone)]
pub struct DiagnosisInput<'a> {
    /// Reference scores in [0, 1].
    pub reference_scores: &'a [f64],
    /// Reference labels, 0/1, same length.
    pub reference_labels: &'a [u8],
    /// The decision recorded per reference row (`None` = missing), if a decision column exists.
    pub reference_decisions: Option<&'a [Option<u8>]>,
    /// Current scores in [0, 1].
    pub current_scores: &'a [f64],
    /// Current labels, 0/1, same length.
    pub current_labels: &'a [u8],
    /// The decision recorded per current row, if a decision column exists.
    pub current_decisions: Option<&'a [Option<u8>]>,
    /// Drift of each column (`report.drift.columns`); columns with role `feature` are used.
    pub drift: &'a [DriftColumn],
    /// The data-quality checks (`report.quality`), if they ran.
    pub quality: Option<&'a QualityReport>,
    /// The configured decision threshold: positive iff score ≥ threshold.
    pub threshold: f64,
    /// Outcome costs, for the cost-optimal threshold.
    pub costs: CostMatrix,
    /// Confidence level of intervals (for the per-bin agreement count), in (0, 1).
    pub confidence: f64,
    /// Significance level of the diagnosis tests, in (0, 1); [`DEFAULT_ALPHA`].
    pub alpha: f64,
    /// Bins of the calibration comparison and ECE; [`DEFAULT_BINS`].
    pub bins: usize,
}

impl<'a> DiagnosisInput<'a> {
    /// Scores and labels of both windows with the defaults: no decisions, drift or quality,
    /// threshold 0.5, unit error costs, confidence 0.95, α = [`DEFAULT_ALPHA`], 10 bins.
    pub fn new(
        reference_scores: &'a [f64],
        reference_labels: &'a [u8],
        current_scores: &'a [f64],
        current_labels: &'a [u8],
    ) -> Self {
        Self {
            reference_scores,
            reference_labels,
            reference_decisions: None,
            current_scores,
            current_labels,
            current_decisions: None,
            drift: &[],
            quality: None,
            threshold: 0.5,
            costs: CostMatrix::default(),
            confidence: 0.95,
            alpha: DEFAULT_ALPHA,
            bins: DEFAULT_BINS,
        }
    }
}

/// Why a [`DiagnosisInput`] is malformed (a caller bug, not a data finding).
#[derive(Debug, Clone, PartialEq)]
pub enum DiagnosisError {
    /// A per-row slice does not have the length of its window's scores.
    LengthMismatch {
        /// Which slice.
        what: &'static str,
        /// Length of the scores.
        expected: usize,
        /// Its length.
        got: usize,
    },
    /// A score is NaN or outside [0, 1].
    ScoreOutOfRange {
        /// `reference` or `current`.
        window: &'static str,
        /// Row index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A label or decision is not 0 or 1.
    InvalidValue {
        /// Which slice.
        what: &'static str,
        /// Row index.
        index: usize,
        /// The value.
        value: u8,
    },
    /// A setting is outside its domain.
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// Its value.
        value: f64,
    },
}

impl fmt::Display for DiagnosisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::LengthMismatch {
                what,
                expected,
                got,
            } => write!(f, "{what}: {got} values for {expected} scores"),
            Self::ScoreOutOfRange {
                window,
                index,
                value,
            } => write!(f, "{window} score {value} at row {index} is not in [0, 1]"),
            Self::InvalidValue { what, index, value } => {
                write!(f, "{what}: row {index} holds {value}, not 0 or 1")
            }
            Self::InvalidSetting { setting, value } => {
                write!(f, "setting {setting} = {value} is out of range")
            }
        }
    }
}

impl std::error::Error for DiagnosisError {}

/// One piece of evidence for or against a cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Stable key (see `docs/diagnosis.md`).
    pub key: String,
    /// What it is, for people.
    pub label: String,
    /// The current window's value (or the test's p-value); `None` when it cannot be computed.
    pub value: Option<f64>,
    /// The reference window's value, or what `value` is compared with.
    pub reference: Option<f64>,
    /// The threshold the rule applies (α for p-values).
    pub threshold: Option<f64>,
    /// Whether this evidence supports the cause.
    pub supports: bool,
    /// The numbers in words.
    pub note: String,
}

/// One candidate cause with its verdict, evidence and action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    /// One of [`CAUSES`].
    pub cause: String,
    /// Whether the decision rule for this cause fired.
    pub detected: bool,
    /// Strength of the evidence in [0, 1]; above 0.5 exactly when detected.
    pub confidence: f64,
    /// A plain-language verdict.
    pub verdict: String,
    /// The numbers behind it.
    pub evidence: Vec<Evidence>,
    /// What to do.
    pub action: String,
    /// The view that shows it: `reliability`, `drift`, `thresholds`, `quality`, `label_shift`.
    pub chart: String,
}

/// The diagnosis of a reference/current comparison (`report.diagnosis`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// `no_change`, or the key of the top-ranked detected cause.
    pub verdict: String,
    /// Every cause, ranked.
    pub causes: Vec<Cause>,
    /// One or two sentences for people.
    pub summary: String,
}

fn check_window(
    window: &'static str,
    scores: &[f64],
    labels: &[u8],
    decisions: Option<&[Option<u8>]>,
) -> Result<(), DiagnosisError> {
    let n = scores.len();
    let (labels_name, decisions_name) = if window == "reference" {
        ("reference_labels", "reference_decisions")
    } else {
        ("current_labels", "current_decisions")
    };
    if labels.len() != n {
        return Err(DiagnosisError::LengthMismatch {
            what: labels_name,
            expected: n,
            got: labels.len(),
        });
    }
    if let Some((index, &value)) = scores
        .iter()
        .enumerate()
        .find(|(_, s)| !(0.0..=1.0).contains(*s))
    {
        return Err(DiagnosisError::ScoreOutOfRange {
            window,
            index,
            value,
        });
    }
    if let Some((index, &value)) = labels.iter().enumerate().find(|(_, y)| **y > 1) {
        return Err(DiagnosisError::InvalidValue {
            what: labels_name,
            index,
            value,
        });
    }
    if let Some(d) = decisions {
        if d.len() != n {
            return Err(DiagnosisError::LengthMismatch {
                what: decisions_name,
                expected: n,
                got: d.len(),
            });
        }
        if let Some((index, value)) = d
            .iter()
            .enumerate()
            .find_map(|(i, v)| v.filter(|&v| v > 1).map(|v| (i, v)))
        {
            return Err(DiagnosisError::InvalidValue {
                what: decisions_name,
                index,
                value,
            });
        }
    }
    Ok(())
}

/// Checks slice lengths, scores in [0, 1], labels and decisions 0/1, and the settings.
pub fn validate(input: &DiagnosisInput<'_>) -> Result<(), DiagnosisError> {
    check_window(
        "reference",
        input.reference_scores,
        input.reference_labels,
        input.reference_decisions,
    )?;
    check_window(
        "current",
        input.current_scores,
        input.current_labels,
        input.current_decisions,
    )?;
    let bad = |setting, value| Err(DiagnosisError::InvalidSetting { setting, value });
    if !input.threshold.is_finite() {
        return bad("threshold", input.threshold);
    }
    if !(input.confidence > 0.0 && input.confidence < 1.0) {
        return bad("confidence", input.confidence);
    }
    if !(input.alpha > 0.0 && input.alpha < 1.0) {
        return bad("alpha", input.alpha);
    }
    if input.bins == 0 || input.bins > 1000 {
        return bad("bins", input.bins as f64);
    }
    let c = input.costs;
    if ![c.fp, c.fn_, c.tp, c.tn].iter().all(|v| v.is_finite()) {
        return bad("costs", f64::NAN);
    }
    Ok(())
}

/// Diagnoses the change between the two windows, or says why the input is malformed.
pub fn try_diagnose(input: &DiagnosisInput<'_>) -> Result<Diagnosis, DiagnosisError> {
    validate(input)?;
    let facts = facts::Facts::compute(input);
    Ok(assemble(causes::all(input, &facts, None)))
}

/// Diagnoses the change between the two windows. Never panics: malformed input (see
/// [`validate`]) is itself reported as a detected `evaluation_pipeline_bug` whose evidence
/// names the problem, with every other number uncomputed.
pub fn diagnose(input: &DiagnosisInput<'_>) -> Diagnosis {
    match validate(input) {
        Ok(()) => {
            let facts = facts::Facts::compute(input);
            assemble(causes::all(input, &facts, None))
        }
        Err(e) => assemble(causes::all(input, &facts::Facts::default(), Some(&e))),
    }
}

/// Ranks the causes and writes the verdict and summary.
fn assemble(mut causes: Vec<Cause>) -> Diagnosis {
    let order = |c: &Cause| {
        CAUSES
            .iter()
            .position(|k| *k == c.cause)
            .unwrap_or(CAUSES.len())
    };
    causes.sort_by(|a, b| {
        let pipeline = |c: &Cause| c.detected && c.cause == "evaluation_pipeline_bug";
        pipeline(b)
            .cmp(&pipeline(a))
            .then(b.detected.cmp(&a.detected))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(order(a).cmp(&order(b)))
    });
    let detected: Vec<&Cause> = causes.iter().filter(|c| c.detected).collect();
    let (verdict, summary) = match detected.split_first() {
        None => {
            let uncomputed = causes
                .iter()
                .flat_map(|c| &c.evidence)
                .filter(|e| e.value.is_none())
                .count();
            let mut s = "No change detected: no cause's decision rule fired.".to_string();
            if uncomputed > 0 {
                s.push_str(&format!(
                    " {uncomputed} evidence items could not be computed (a window is small, \
                     empty or holds one class), so this is weaker than it sounds."
                ));
            }
            (NO_CHANGE.to_string(), s)
        }
        Some((top, rest)) => {
            let mut s = format!("{} {}", causes::title(&top.cause), top.verdict);
            if !rest.is_empty() {
                let others: Vec<&str> = rest.iter().map(|c| causes::title(&c.cause)).collect();
                s.push_str(&format!(" Also detected: {}.", others.join(", ")));
            }
            (top.cause.clone(), s)
        }
    };
    Diagnosis {
        verdict,
        causes,
        summary,
    }
}
