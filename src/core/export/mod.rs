//! Exports of a report for people: a Markdown summary for a pull request or ticket
//! ([`markdown`]) and a self-contained HTML report to archive, attach or print ([`html`]).
//!
//! Exports show aggregates only, never raw rows, and escape every user-supplied string (file
//! names, column names, category values, reviewer text) so it cannot inject markup.
//! The reviewer's [`SignOff`] is defined here so every export and the app share one type.

pub mod grafana;
pub mod html;
pub mod markdown;
pub mod models;
pub mod prometheus;

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
