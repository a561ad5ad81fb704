//! Exports of a report for people: a Markdown summary for a pull request or ticket
//! ([`markdown`]) and a self-contained HTML report to archive, attach or print ([`html`]).
//!
//! Exports show aggregates only, never raw rows, and escape every user-supplied string (file
//! names, column names, category values, reviewer text) so it cannot inject markup.
//! The reviewer's [`SignOff`] is defined here so every export and the app share one type.
//! A report exported without one says so ([`NO_DECISION`]), so a draft can never be read as
//! signed; an approval that overrides failing gates names them ([`overridden_gates`]), in the
//! app's warning and in every export alike.

pub mod grafana;
pub mod html;
pub mod markdown;
pub mod models;
pub mod prometheus;

use serde::{Deserialize, Serialize};

use crate::core::gates::{GateReport, GateResult, MetricKey};

/// What every export says when no reviewer has recorded a decision (no [`SignOff`]).
pub const NO_DECISION: &str = "No decision recorded: no reviewer has signed off this report.";

/// A reviewer's decision on the audited model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The model may ship.
    Approve,
    /// The model may ship if the conditions in the rationale are met.
    ApproveWithConditions,
    /// The model may not ship.
    Reject,
}

impl Decision {
    /// Every decision, in the order a form lists them.
    pub const ALL: [Decision; 3] = [Self::Approve, Self::ApproveWithConditions, Self::Reject];

    /// The serialised key (`approve`, `approve_with_conditions`, `reject`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::ApproveWithConditions => "approve_with_conditions",
            Self::Reject => "reject",
        }
    }

    /// The decision for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approve => "Approved",
            Self::ApproveWithConditions => "Approved with conditions",
            Self::Reject => "Rejected",
        }
    }

    /// A status mark for the decision (✅, ⚠️, ❌).
    pub fn mark(self) -> &'static str {
        match self {
            Self::Approve => "✅",
            Self::ApproveWithConditions => "⚠️",
            Self::Reject => "❌",
        }
    }
}

/// A reviewer's sign-off, recorded with an export. All text is the reviewer's own and is
/// escaped by every export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOff {
    /// Who reviewed (name or handle).
    pub reviewer: String,
    /// What they decided.
    pub decision: Decision,
    /// Why, and any conditions (may span several lines).
    pub rationale: String,
    /// When, as given (ISO 8601 recommended; not parsed).
    pub timestamp: String,
}

/// The failing gates a decision overrides: those of `gates` that failed, when the decision is
/// [`Decision::Approve`] (an unconditional approval despite them); empty for any other decision
/// or when every gate passed. "Approve with conditions" is the decision meant for approving
/// despite a failure, its conditions in the rationale, so it overrides nothing.
pub fn overridden_gates(decision: Decision, gates: Option<&GateReport>) -> Vec<&GateResult> {
    match (decision, gates) {
        (Decision::Approve, Some(g)) => g.gates.iter().filter(|r| !r.passed).collect(),
        _ => Vec::new(),
    }
}

/// One failing gate in words for people: its name, window (for a window's metric), value and
/// limit, e.g.
/// `ECE (current) = 0.1093, limit ≤ 0.05` (the value printed by
/// [`markdown::format_gate_value`], so it never seems to meet the limit; `unavailable` when it
/// could not be computed, which fails the gate).
pub fn describe_failed_gate(g: &GateResult) -> String {
    let value = g
        .value
        .filter(|v| v.is_finite())
        .map(|v| markdown::format_gate_value(v, g.op, g.limit))
        .unwrap_or_else(|| "unavailable".into());
    // The window only for a window's metric (drift, the AUC drop and the quality count are
    // report-level, as in the exports' gate tables).
    let window = match MetricKey::parse(&g.metric) {
        Some(MetricKey::Window(_)) => format!(" ({})", g.window.key()),
        _ => String::new(),
    };
    format!(
        "{}{window} = {value}, limit {} {}",
        g.name,
        g.op.pretty(),
        g.limit
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::core::gates::{GateWindow, Op, Verdict};

    fn result(name: &str, value: Option<f64>, passed: bool) -> GateResult {
        GateResult {
            name: name.into(),
            metric: "ece".into(),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.05,
            value,
            passed,
            reason: None,
        }
    }

    #[test]
    fn only_an_unconditional_approval_overrides_failing_gates() {
        let gates = GateReport {
            gates: vec![
                result("ECE", Some(0.109_27), false),
                result("Slope", Some(1.0), true),
                result("AUC", None, false),
            ],
            verdict: Verdict::Fail,
        };
        let names = |d| -> Vec<String> {
            overridden_gates(d, Some(&gates))
                .into_iter()
                .map(|g| g.name.clone())
                .collect()
        };
        assert_eq!(names(Decision::Approve), ["ECE", "AUC"]);
        assert!(names(Decision::ApproveWithConditions).is_empty());
        assert!(names(Decision::Reject).is_empty());
        assert!(overridden_gates(Decision::Approve, None).is_empty());
        assert_eq!(
            describe_failed_gate(&gates.gates[0]),
            "ECE (current) = 0.1093, limit ≤ 0.05"
        );
        let close = result("ECE", Some(0.050_000_1), false);
        assert_eq!(
            describe_failed_gate(&close),
            "ECE (current) = 0.0500001, limit ≤ 0.05"
        );
        assert_eq!(
            describe_failed_gate(&gates.gates[2]),
            "AUC (current) = unavailable, limit ≤ 0.05"
        );
        let drift = GateResult {
            metric: "drift.score.psi".into(),
            ..result("Score drift", Some(0.171), false)
        };
        assert_eq!(
            describe_failed_gate(&drift),
            "Score drift = 0.1710, limit ≤ 0.05"
        );
    }

    #[test]
    fn decisions_serialise_as_snake_case_keys() {
        for d in Decision::ALL {
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(json, format!("\"{}\"", d.key()));
            let back: Decision = serde_json::from_str(&json).unwrap();
            assert_eq!(back, d);
        }
    }
}
