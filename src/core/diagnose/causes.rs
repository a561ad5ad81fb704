//! The decision rule, evidence, verdict and action of each cause (documented, with the
//! thresholds, in `docs/diagnosis.md`).
//!
//! Each cause has a *gate* — the conjunction of findings that must hold for it to be
//! `detected` — and weighted evidence items. For every cause but the pipeline bug, the share
//! `s = Σ w·supports / Σ w` over all its items (uncomputable items count as not supporting)
//! gives `confidence = 0.5 + 0.5·s` when detected and `0.5·s` otherwise. The pipeline bug's
//! confidence is the noisy-or `1 − Π(1 − c_i)` of its supporting items (`c = 0.9` for a failed
//! check or inverted scores, `0.3` for a warning, `1` for malformed input).

use super::facts::{Decisions, Facts};
use super::{Cause, DiagnosisError, DiagnosisInput, Evidence};
use crate::core::quality::Status;

/// Quality checks whose failure means the evaluation pipeline is broken (see
/// `docs/diagnosis.md`; `decision_consistency` is threshold evidence instead, and
/// `timestamps_order` / `quantised_scores` never invalidate the metrics by themselves).
pub const PIPELINE_CHECKS: [&str; 8] = [
    "score_range",
    "score_scale_change",
    "constant_scores",
    "duplicate_ids",
    "label_delay",
    "missing_rates",
    "inverted_scores",
    "label_balance",
];

/// Least share of rows a decision-implied threshold must explain to count as a threshold rule.
pub const MIN_AGREEMENT: f64 = 0.95;

/// The EM prior "matches" the observed one within this share of the observed prior change
/// (plus three binomial standard errors).
pub const EM_SHARE: f64 = 0.25;

/// A move of the cost-optimal threshold at least this large counts as "moved".
pub const COST_THRESHOLD_MOVE: f64 = 0.1;

/// A short title of a cause key, for summaries.
pub fn title(cause: &str) -> &'static str {
    match cause {
        "evaluation_pipeline_bug" => "Evaluation-pipeline bug:",
        "label_shift" => "Label shift:",
        "model_degradation" => "Model degradation:",
        "threshold_misconfiguration" => "Threshold misconfiguration:",
        "data_drift" => "Data drift:",
        _ => "Cause:",
    }
}

struct Item {
    evidence: Evidence,
    weight: f64,
}

#[allow(clippy::too_many_arguments)]
fn item(
    weight: f64,
    key: &str,
    label: &str,
    value: Option<f64>,
    reference: Option<f64>,
    threshold: Option<f64>,
    supports: bool,
    note: String,
) -> Item {
    Item {
        evidence: Evidence {
            key: key.to_string(),
            label: label.to_string(),
            value,
            reference,
            threshold,
            supports: supports && value.is_some(),
            note,
        },
        weight,
    }
}

/// `x` to 3 decimals, or `n/a`.
fn f3(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"))
}

/// A p-value for people.
fn fp(p: Option<f64>) -> String {
    match p {
        None => "n/a".to_string(),
        Some(p) if p < 1e-4 => format!("{p:.1e}"),
        Some(p) => format!("{p:.4}"),
    }
}

fn build(
    cause: &str,
    gate: bool,
    items: Vec<Item>,
    verdict: String,
    action: String,
    chart: &str,
) -> Cause {
    let total: f64 = items.iter().map(|i| i.weight).sum();
    let support: f64 = items
        .iter()
        .filter(|i| i.evidence.supports)
        .map(|i| i.weight)
        .sum();
    let share = if total > 0.0 { support / total } else { 0.0 };
    let confidence = if gate { 0.5 + 0.5 * share } else { 0.5 * share };
    Cause {
        cause: cause.to_string(),
        detected: gate,
        confidence,
        verdict,
        evidence: items.into_iter().map(|i| i.evidence).collect(),
        action,
        chart: chart.to_string(),
    }
}

/// The shared findings several rules read.
struct Findings {
    alpha: f64,
    prior_moved: bool,
    calibration_p: Option<f64>,
    calibration_shifted: bool,
    corrected_p: Option<f64>,
    correction_restores: bool,
    class_conditional_changed: bool,
    auc_fell: bool,
    slope_changed: bool,
    /// The EM prior from the current scores alone matches the observed positive rate.
    em_agrees: bool,
    /// The prior change accounts for the calibration shift: the prior moved, prior correction
    /// restores calibration, and at least one of the two checks of p(score | class) fixed
    /// agrees (the EM prior matches the observed one, or both class-conditional KS tests hold).
    prior_explains: bool,
}

impl Findings {
    fn of(f: &Facts, alpha: f64) -> Self {
        let below = |p: Option<f64>| p.is_some_and(|p| p < alpha);
        let at_least = |p: Option<f64>| p.is_some_and(|p| p >= alpha);
        let calibration_p = f.calibration.and_then(|c| c.p_value());
        let corrected_p = f.calibration_corrected.and_then(|c| c.p_value());
        let ks_pos_p = f.ks_positive.map(|k| k.p_value);
        let ks_neg_p = f.ks_negative.map(|k| k.p_value);
        let auc_fell = below(f.auc_p)
            && matches!((f.auc_reference, f.auc_current), (Some(r), Some(c)) if c < r);
        let slope_changed = below(f.slope_p)
            && matches!(
                (f.slope_reference, f.slope_current),
                (Some(r), Some(c)) if (c.slope - 1.0).abs() > (r.slope - 1.0).abs()
            );
        let em_agrees = match (f.em_prior, f.reference.rate(), f.current.rate()) {
            (Some(em), Some(r), Some(c)) => {
                let se = (c * (1.0 - c) / f.current.n.max(1) as f64).sqrt();
                (em - c).abs() <= EM_SHARE * (c - r).abs() + 3.0 * se
            }
            _ => false,
        };
        let prior_moved = below(f.prior_p);
        let class_conditional_held = at_least(ks_pos_p) && at_least(ks_neg_p);
        let correction_restores = at_least(corrected_p);
        Self {
            alpha,
            prior_moved,
            calibration_p,
            calibration_shifted: below(calibration_p),
            corrected_p,
            correction_restores,
            class_conditional_changed: below(ks_pos_p) || below(ks_neg_p),
            auc_fell,
            slope_changed,
            em_agrees,
            prior_explains: prior_moved
                && correction_restores
                && (em_agrees || class_conditional_held),
        }
    }

    /// The findings of model degradation that label shift cannot produce: (a) a calibration
    /// shift the prior change does not explain, (b) the AUC fell, (c) the calibration slope
    /// moved away from 1, (d) the class-conditional score distributions changed while the
    /// prior change does not explain the calibration shift.
    fn degradation_findings(&self) -> [bool; 4] {
        [
            self.calibration_shifted && !self.prior_explains,
            self.auc_fell,
            self.slope_changed,
            self.class_conditional_changed && !self.prior_explains,
        ]
    }

    /// Degradation: at least two of [`Self::degradation_findings`], one of them about
    /// calibration ((a) or (c)).
    fn degradation_detected(&self) -> bool {
        let [a, b, c, d] = self.degradation_findings();
        (a || c) && [a, b, c, d].iter().filter(|&&x| x).count() >= 2
    }
}

/// Every cause, unranked.
pub fn all(input: &DiagnosisInput<'_>, f: &Facts, error: Option<&DiagnosisError>) -> Vec<Cause> {
    let g = Findings::of(f, input.alpha);
    vec![
        pipeline_bug(input, f, error),
        label_shift(f, &g),
        degradation(f, &g),
        threshold(input, f, &g),
        data_drift(input, f, &g),
    ]
}

fn calibration_note(f: &Facts) -> String {
    match f.calibration {
        Some(c) => format!(
            "ECE {} → {}; mean score − positive rate {:.4} → {:.4}; {} of {} bins outside \
             their intervals",
            f3(f.ece_reference),
            f3(f.ece_current),
            c.citl_reference,
            c.citl_current,
            c.bins_outside,
            c.bins_used
        ),
        None => "not computable (a window is empty)".to_string(),
    }
}

fn calibration_item(weight: f64, f: &Facts, g: &Findings, supports: bool) -> Item {
    item(
        weight,
        "calibration_shift",
        "Calibration given the score changed (p-value)",
        g.calibration_p,
        None,
        Some(g.alpha),
        supports,
        format!("p = {}; {}", fp(g.calibration_p), calibration_note(f)),
    )
}

fn ks_items(weight: f64, f: &Facts, g: &Findings, changed_supports: bool) -> [Item; 2] {
    let one = |key: &str, label: &str, k: Option<crate::core::metrics::drift::KsResult>| {
        let p = k.map(|k| k.p_value);
        let changed = p.is_some_and(|p| p < g.alpha);
        item(
            weight,
            key,
            label,
            p,
            None,
            Some(g.alpha),
            changed == changed_supports,
            format!(
                "KS statistic {} (p = {}) between the windows",
                f3(k.map(|k| k.statistic)),
                fp(p)
            ),
        )
    };
    [
        one(
            "class_conditional_positive",
            "Scores of positives moved (KS p-value)",
            f.ks_positive,
        ),
        one(
            "class_conditional_negative",
            "Scores of negatives moved (KS p-value)",
            f.ks_negative,
        ),
    ]
}

fn pipeline_bug(input: &DiagnosisInput<'_>, f: &Facts, error: Option<&DiagnosisError>) -> Cause {
    let mut items: Vec<(Evidence, f64)> = Vec::new();
    if let Some(e) = error {
        items.push((
            Evidence {
                key: "input_valid".into(),
                label: "The windows are well-formed".into(),
                value: Some(0.0),
                reference: Some(1.0),
                threshold: None,
                supports: true,
                note: e.to_string(),
            },
            1.0,
        ));
    }
    let mut failed = Vec::new();
    if let Some(q) = input.quality {
        for id in PIPELINE_CHECKS {
            let Some(check) = q.get(id) else { continue };
            let c = match check.status {
                Status::Fail => 0.9,
                Status::Warn => 0.3,
                Status::Pass | Status::Skip => 0.0,
            };
            if check.status == Status::Fail {
                failed.push(check.title.clone());
            }
            items.push((
                Evidence {
                    key: format!("quality_{id}"),
                    label: check.title.clone(),
                    value: (check.status != Status::Skip).then_some(check.count as f64),
                    reference: None,
                    threshold: None,
                    supports: c > 0.0,
                    note: format!("{}: {}", check.status.key(), check.detail),
                },
                c,
            ));
        }
    }
    // Inverted scores seen directly in the current window (also when no quality report ran).
    let z = inverse_normal_upper((1.0 - input.confidence) / 2.0);
    let upper = match (f.auc_current, f.auc_current_se) {
        (Some(a), Some(se)) => Some(a + z * se),
        _ => None,
    };
    let inverted = upper.is_some_and(|u| u < 0.5);
    if inverted {
        failed.push("Scores not inverted".to_string());
    }
    items.push((
        Evidence {
            key: "current_auc_below_half".into(),
            label: "Current scores rank worse than chance (AUC)".into(),
            value: f.auc_current,
            reference: upper,
            threshold: Some(0.5),
            supports: inverted,
            note: format!(
                "current AUC {} with upper confidence limit {}",
                f3(f.auc_current),
                f3(upper)
            ),
        },
        if inverted { 0.9 } else { 0.0 },
    ));
    let detected = error.is_some() || !failed.is_empty();
    let confidence = 1.0
        - items
            .iter()
            .filter(|(e, _)| e.supports)
            .map(|(_, c)| 1.0 - c)
            .product::<f64>();
    let warned: Vec<&str> = items
        .iter()
        .filter(|(e, c)| e.supports && *c < 0.5)
        .map(|(e, _)| e.label.as_str())
        .collect();
    let verdict = if let Some(e) = error {
        format!("the input is malformed ({e}); no metric can be trusted.")
    } else if detected {
        format!(
            "the data-quality checks failed ({}); every other number may be an artefact of \
             the pipeline.",
            failed.join("; ")
        )
    } else if !warned.is_empty() {
        format!(
            "no check failed, but some warn ({}); read them before trusting small changes.",
            warned.join("; ")
        )
    } else if input.quality.is_none() {
        "no data-quality report was given; only inverted scores were checked, and they are \
         not inverted."
            .to_string()
    } else {
        "the data-quality checks pass.".to_string()
    };
    let action = if detected {
        "Fix the evaluation pipeline before trusting any metric: check label joins and \
         delays, duplicated rows, the score scale and orientation, then re-run the audit."
            .to_string()
    } else {
        "None needed.".to_string()
    };
    Cause {
        cause: "evaluation_pipeline_bug".into(),
        detected,
        confidence: if detected {
            confidence.max(0.5)
        } else {
            confidence.min(0.5)
        },
        verdict,
        evidence: items.into_iter().map(|(e, _)| e).collect(),
        action,
        chart: "quality".into(),
    }
}

/// The `z` with `P(Z > z) = tail`.
fn inverse_normal_upper(tail: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(1.0 - tail.clamp(1e-300, 0.5))
}

fn label_shift(f: &Facts, g: &Findings) -> Cause {
    let (pr, pc) = (f.reference.rate(), f.current.rate());
    let em_agrees = g.em_agrees;
    let [ks_pos, ks_neg] = ks_items(1.0, f, g, false);
    let items = vec![
        item(
            2.0,
            "positive_rate",
            "Positive rate moved",
            pc,
            pr,
            Some(g.alpha),
            g.prior_moved,
            format!(
                "{} → {} (two-proportion test p = {})",
                f3(pr),
                f3(pc),
                fp(f.prior_p)
            ),
        ),
        calibration_item(2.0, f, g, g.calibration_shifted),
        ks_pos,
        ks_neg,
        item(
            1.0,
            "em_prior",
            "EM estimate of the current positive rate matches the observed one",
            f.em_prior,
            pc,
            None,
            em_agrees,
            format!(
                "EM from the current scores alone: {}; observed {}",
                f3(f.em_prior),
                f3(pc)
            ),
        ),
        item(
            2.0,
            "prior_correction",
            "Calibration after prior correction differs from the reference (p-value)",
            g.corrected_p,
            None,
            Some(g.alpha),
            g.correction_restores,
            format!(
                "p = {}; ECE {} before, {} after correcting to the observed positive rate",
                fp(g.corrected_p),
                f3(f.ece_current),
                f3(f.ece_corrected)
            ),
        ),
    ];
    let gate = g.calibration_shifted && g.prior_explains;
    let verdict = if gate {
        format!(
            "the positive rate moved from {} to {} while the scores of positives and of \
             negatives kept their distributions; correcting for the new prior restores \
             calibration (ECE {} → {}).",
            f3(pr),
            f3(pc),
            f3(f.ece_current),
            f3(f.ece_corrected)
        )
    } else if !g.prior_moved {
        format!(
            "the positive rate did not move significantly ({} → {}).",
            f3(pr),
            f3(pc)
        )
    } else if !g.calibration_shifted {
        "the positive rate moved, but calibration given the score held.".to_string()
    } else if !g.correction_restores {
        "the positive rate moved, but correcting for the new prior does not restore \
         calibration, so the change is not pure label shift."
            .to_string()
    } else {
        format!(
            "the positive rate moved, but the EM estimate from the current scores ({}) does \
             not match the observed rate ({}) and the class-conditional score distributions \
             changed, so p(score | class) changed too.",
            f3(f.em_prior),
            f3(pc)
        )
    };
    let action = format!(
        "Apply prior correction: logit p′ = logit p + logit π_cur − logit π_ref with \
         π_ref = {} and π_cur = {} (observed; the EM estimate {} needs no labels), then \
         re-check calibration.",
        f3(pr),
        f3(pc),
        f3(f.em_prior)
    );
    build("label_shift", gate, items, verdict, action, "label_shift")
}

fn degradation(f: &Facts, g: &Findings) -> Cause {
    let [ks_pos, ks_neg] = ks_items(1.0, f, g, true);
    let slope = |s: Option<super::stats::SlopeFit>| s.map(|s| s.slope);
    let items = vec![
        item(
            2.0,
            "roc_auc",
            "AUC fell (DeLong)",
            f.auc_current,
            f.auc_reference,
            Some(g.alpha),
            g.auc_fell,
            format!(
                "{} → {} (DeLong p = {})",
                f3(f.auc_reference),
                f3(f.auc_current),
                fp(f.auc_p)
            ),
        ),
        item(
            2.0,
            "calibration_slope",
            "Calibration slope moved away from 1",
            slope(f.slope_current),
            slope(f.slope_reference),
            Some(1.0),
            g.slope_changed,
            format!(
                "{} → {} (p = {})",
                f3(slope(f.slope_reference)),
                f3(slope(f.slope_current)),
                fp(f.slope_p)
            ),
        ),
        ks_pos,
        ks_neg,
        calibration_item(2.0, f, g, g.calibration_shifted),
        item(
            1.0,
            "prior_correction",
            "Calibration after prior correction differs from the reference (p-value)",
            g.corrected_p,
            None,
            Some(g.alpha),
            g.corrected_p.is_some_and(|p| p < g.alpha),
            format!(
                "p = {}; ECE {} before, {} after correcting to the observed positive rate",
                fp(g.corrected_p),
                f3(f.ece_current),
                f3(f.ece_corrected)
            ),
        ),
    ];
    let gate = g.degradation_detected();
    let verdict = if gate {
        let mut parts = vec!["the relation between scores and outcomes changed".to_string()];
        if g.auc_fell {
            parts.push(format!(
                "AUC fell from {} to {}",
                f3(f.auc_reference),
                f3(f.auc_current)
            ));
        }
        if g.slope_changed {
            parts.push(format!(
                "the calibration slope moved from {} to {}",
                f3(slope(f.slope_reference)),
                f3(slope(f.slope_current))
            ));
        }
        if g.class_conditional_changed {
            parts.push("the scores of each class are distributed differently".to_string());
        }
        format!("{}.", parts.join("; "))
    } else if g.calibration_shifted && g.prior_explains {
        "calibration moved, but the change of the positive rate accounts for it (prior \
         correction restores it and the EM prior matches), and ranking and slope held."
            .to_string()
    } else if !g.calibration_shifted && !g.slope_changed {
        "calibration given the score held, so the model still means what it says.".to_string()
    } else {
        "one sign of change, but no second finding confirms it (two of: an unexplained \
         calibration shift, a fall of the AUC, a slope moved away from 1, changed \
         class-conditional scores)."
            .to_string()
    };
    let action = "Retrain on recent labelled data; recalibration alone will not restore \
                  ranking. Until then, recalibrate on the current window to limit the damage."
        .to_string();
    build(
        "model_degradation",
        gate,
        items,
        verdict,
        action,
        "reliability",
    )
}

fn usable(d: &Option<Decisions>) -> bool {
    d.as_ref()
        .and_then(|d| d.agreement())
        .is_some_and(|a| a >= MIN_AGREEMENT)
}

fn threshold(input: &DiagnosisInput<'_>, f: &Facts, g: &Findings) -> Cause {
    let t = input.threshold;
    let (dr, dc) = (&f.decisions_reference, &f.decisions_current);
    let excludes = usable(dc) && dc.and_then(|d| d.implied).is_some_and(|i| !i.contains(t));
    let disjoint = usable(dr)
        && usable(dc)
        && match (dr.and_then(|d| d.implied), dc.and_then(|d| d.implied)) {
            (Some(a), Some(b)) => {
                let below =
                    |x: &crate::core::quality::ConsistentThreshold,
                     y: &crate::core::quality::ConsistentThreshold| {
                        matches!((x.upper, y.lower), (Some(u), Some(l)) if u <= l)
                    };
                below(&a, &b) || below(&b, &a)
            }
            _ => false,
        };
    let (jump, decision_p, score_p) = match (dr, dc) {
        (Some(a), Some(b)) => {
            let dp = super::stats::two_proportion(a.positives, a.n, b.positives, b.n);
            let sp = super::stats::two_proportion(a.score_positives, a.n, b.score_positives, b.n);
            let jump = dp.is_some_and(|p| p < g.alpha) && sp.is_some_and(|p| p >= g.alpha);
            (jump, dp, sp)
        }
        _ => (false, None, None),
    };
    let rate = |d: &Option<Decisions>| d.map(|d| d.positives as f64 / d.n as f64);
    let describe = |d: &Option<Decisions>| match d {
        Some(d) => match d.implied {
            Some(i) => format!(
                "({}, {}] explains {} of {} decisions",
                i.lower.map_or("−∞".to_string(), |v| format!("{v:.4}")),
                i.upper.map_or("+∞".to_string(), |v| format!("{v:.4}")),
                i.agreement,
                i.compared
            ),
            None => "no comparable rows".to_string(),
        },
        None => "no decision column".to_string(),
    };
    let cost_moved = match (f.cost_optimal_reference, f.cost_optimal_current) {
        (Some(a), Some(b)) => (a - b).abs() >= COST_THRESHOLD_MOVE,
        _ => false,
    };
    let implied = |d: &Option<Decisions>| d.and_then(|d| d.implied_value());
    let items = vec![
        item(
            2.0,
            "implied_threshold",
            "Threshold implied by the current decisions differs from the configured one",
            implied(dc),
            Some(t),
            None,
            excludes,
            format!("configured {t}; current decisions: {}", describe(dc)),
        ),
        item(
            2.0,
            "implied_threshold_change",
            "Threshold implied by the decisions changed between windows",
            implied(dc),
            implied(dr),
            None,
            disjoint,
            format!("reference: {}; current: {}", describe(dr), describe(dc)),
        ),
        item(
            1.0,
            "decision_rate_jump",
            "Positive-decision rate jumped while the scores did not",
            rate(dc),
            rate(dr),
            Some(g.alpha),
            jump,
            format!(
                "decisions p = {}; share of scores ≥ {t}: p = {}",
                fp(decision_p),
                fp(score_p)
            ),
        ),
        item(
            1.0,
            "cost_optimal_threshold",
            "Cost-optimal threshold moved",
            f.cost_optimal_current,
            f.cost_optimal_reference,
            Some(COST_THRESHOLD_MOVE),
            cost_moved,
            format!(
                "{} → {} under the configured costs",
                f3(f.cost_optimal_reference),
                f3(f.cost_optimal_current)
            ),
        ),
    ];
    let gate = excludes || disjoint || jump;
    let verdict = if gate {
        format!(
            "the decisions no longer follow the configured threshold {t}: they imply a \
             threshold near {} (reference {}).",
            f3(implied(dc)),
            f3(implied(dr))
        )
    } else if dc.is_none() {
        "no decision column, so a misconfigured threshold cannot be seen directly.".to_string()
    } else {
        format!("the decisions follow the configured threshold {t}.")
    };
    let action = if gate {
        format!(
            "Restore the configured threshold {t} in the decision service (or re-tune it on \
             purpose: the cost-optimal threshold is now {}).",
            f3(f.cost_optimal_current)
        )
    } else if cost_moved {
        format!(
            "Consider re-tuning the threshold: the cost-optimal threshold moved from {} to {}.",
            f3(f.cost_optimal_reference),
            f3(f.cost_optimal_current)
        )
    } else {
        "None needed.".to_string()
    };
    build(
        "threshold_misconfiguration",
        gate,
        items,
        verdict,
        action,
        "thresholds",
    )
}

fn data_drift(input: &DiagnosisInput<'_>, f: &Facts, g: &Findings) -> Cause {
    let features: Vec<_> = input.drift.iter().filter(|c| c.role == "feature").collect();
    let drifted: Vec<_> = features.iter().filter(|c| c.drifted).collect();
    let features_moved = !drifted.is_empty();
    let score_p = f.score_ks.map(|k| k.p_value);
    let score_moved = score_p.is_some_and(|p| p < g.alpha);
    let names: Vec<String> = drifted
        .iter()
        .map(|c| format!("{} ({} {})", c.name, c.method, f3(c.value)))
        .collect();
    let slope_held = !g.slope_changed;
    let items = vec![
        item(
            2.0,
            "features_drifted",
            "Features drifted",
            (!features.is_empty()).then_some(drifted.len() as f64),
            Some(features.len() as f64),
            Some(1.0),
            features_moved,
            if features.is_empty() {
                "no feature columns".to_string()
            } else if names.is_empty() {
                format!("none of {} features drifted", features.len())
            } else {
                format!("drifted: {}", names.join(", "))
            },
        ),
        item(
            1.0,
            "score_distribution",
            "Score distribution moved (KS p-value)",
            score_p,
            None,
            Some(g.alpha),
            score_moved,
            format!(
                "KS statistic {} (p = {})",
                f3(f.score_ks.map(|k| k.statistic)),
                fp(score_p)
            ),
        ),
        calibration_item(
            2.0,
            f,
            g,
            g.calibration_p.is_some() && !g.calibration_shifted,
        ),
        item(
            1.0,
            "calibration_slope_held",
            "Calibration slope held",
            f.slope_current.map(|s| s.slope),
            f.slope_reference.map(|s| s.slope),
            Some(g.alpha),
            slope_held,
            format!("slope difference p = {}", fp(f.slope_p)),
        ),
    ];
    let gate = (features_moved || score_moved)
        && g.calibration_p.is_some()
        && !g.calibration_shifted
        && slope_held;
    let verdict = if gate {
        let mut s = format!(
            "the inputs moved ({}) but calibration given the score held (p = {}), so the \
             model still means what it says on the new population.",
            if names.is_empty() {
                "the score distribution".to_string()
            } else {
                names.join(", ")
            },
            fp(g.calibration_p)
        );
        if g.auc_fell {
            s.push_str(&format!(
                " Discrimination suffered on it: AUC {} → {}.",
                f3(f.auc_reference),
                f3(f.auc_current)
            ));
        }
        s
    } else if !(features_moved || score_moved) {
        "neither the features nor the score distribution moved.".to_string()
    } else {
        "the inputs moved, but calibration changed too, so drift alone does not explain it."
            .to_string()
    };
    let action = if g.auc_fell {
        "Monitor; check the sources of the drifted features; discrimination suffered, so \
         retrain on data that covers the new population."
            .to_string()
    } else {
        "Monitor; check the sources of the drifted features; retrain if discrimination \
         suffers."
            .to_string()
    };
    build("data_drift", gate, items, verdict, action, "drift")
}
