//! Column-name vocabulary for role detection.
//!
//! Names are normalised before matching: camelCase is split (`yTrue` → `y_true`), letters are
//! lower-cased and every run of other characters becomes one `_` (`P(y=1)` → `p_y_1`).
//! Matching is then either on the whole normalised name ("exact") or on its `_`-separated
//! tokens.

/// A normalised column name and its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// Lower-case, `_`-separated.
    pub norm: String,
    /// The parts between underscores.
    pub tokens: Vec<String>,
}

impl Name {
    /// Normalise `raw`.
    pub fn new(raw: &str) -> Self {
        let mut norm = String::with_capacity(raw.len());
        let mut prev_lower = false;
        let mut pending_sep = false;
        for ch in raw.chars() {
            if ch.is_alphanumeric() {
                if ch.is_uppercase() && prev_lower {
                    pending_sep = true;
                }
                if pending_sep && !norm.is_empty() {
                    norm.push('_');
                }
                pending_sep = false;
                prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
                norm.extend(ch.to_lowercase());
            } else {
                pending_sep = true;
                prev_lower = false;
            }
        }
        let tokens = norm.split('_').map(str::to_string).collect();
        Self { norm, tokens }
    }

    /// Whether the whole name is one of `names`.
    pub fn is_one_of(&self, names: &[&str]) -> bool {
        names.contains(&self.norm.as_str())
    }

    /// Whether any token is one of `words`.
    pub fn has_token(&self, words: &[&str]) -> bool {
        self.tokens.iter().any(|t| words.contains(&t.as_str()))
    }

    /// Whether the name suggests a predicted probability or score.
    pub fn score_tier(&self) -> Option<u8> {
        if self.is_one_of(SCORE_EXACT) {
            Some(0)
        } else if self.has_token(SCORE_TOKENS) && !self.is_decision() && self.label_tier().is_none()
        {
            Some(1)
        } else {
            None
        }
    }

    /// Whether the name suggests the observed outcome: 0 for exact names, 1 for token matches
    /// and `is_*`/`has_*` names.
    pub fn label_tier(&self) -> Option<u8> {
        if self.is_one_of(LABEL_EXACT) {
            Some(0)
        } else if self.is_decision() || self.has_token(PREDICTED_TOKENS) {
            None
        } else if self.has_token(LABEL_TOKENS)
            || matches!(
                self.tokens.first().map(String::as_str),
                Some("is" | "has" | "was")
            ) && self.tokens.len() > 1
        {
            Some(1)
        } else {
            None
        }
    }

    /// Whether the name suggests the decision the system took.
    pub fn is_decision(&self) -> bool {
        self.is_one_of(DECISION_EXACT)
    }

    /// Whether the name suggests a row identifier.
    pub fn is_id(&self) -> bool {
        self.is_one_of(ID_EXACT) || self.tokens.last().is_some_and(|t| t == "id")
    }

    /// Whether the name suggests a time.
    pub fn is_time(&self) -> bool {
        self.norm.contains("time")
            || self.norm.contains("date")
            || self.has_token(&["ts", "created", "updated", "epoch", "at", "when", "day"])
    }

    /// 0 if the name mentions a version, 1 if it mentions a model.
    pub fn version_tier(&self) -> Option<u8> {
        if self.norm.contains("version") || self.has_token(&["ver"]) {
            Some(0)
        } else if self.norm.contains("model") {
            Some(1)
        } else {
            None
        }
    }

    /// Whether the name suggests a grouping of rows.
    pub fn is_segment(&self) -> bool {
        self.has_token(SEGMENT_TOKENS)
    }

    /// Whether the name says the score is a logit.
    pub fn says_logit(&self) -> bool {
        self.has_token(&["logit", "logits", "logodds", "margin"]) || self.norm.contains("log_odds")
    }

    /// Whether the name says the score is a percentage.
    pub fn says_percent(&self) -> bool {
        self.has_token(&["pct", "percent", "percentage"])
    }
}

/// Whole names of score columns.
const SCORE_EXACT: &[&str] = &[
    "score",
    "scores",
    "prob",
    "probs",
    "proba",
    "probability",
    "probabilities",
    "pred",
    "preds",
    "prediction",
    "predictions",
    "y_pred",
    "y_score",
    "y_prob",
    "y_proba",
    "y_pred_proba",
    "pred_proba",
    "predict_proba",
    "predicted_probability",
    "p",
    "p_hat",
    "phat",
    "confidence",
    "risk",
    "risk_score",
    "logit",
    "logits",
];

/// Tokens of score columns.
const SCORE_TOKENS: &[&str] = &[
    "score",
    "prob",
    "proba",
    "probability",
    "pred",
    "prediction",
    "predicted",
    "confidence",
    "risk",
    "logit",
    "logits",
    "likelihood",
    "propensity",
];

/// Whole names of label columns.
const LABEL_EXACT: &[&str] = &[
    "label",
    "labels",
    "y",
    "y_true",
    "ytrue",
    "target",
    "outcome",
    "actual",
    "actuals",
    "truth",
    "ground_truth",
    "groundtruth",
    "gt",
    "class",
    "true_label",
    "true_class",
    "y_actual",
    "observed",
];

/// Tokens of label columns.
const LABEL_TOKENS: &[&str] = &["label", "target", "outcome", "truth", "actual"];

/// Tokens that mark a column as a prediction rather than an outcome.
const PREDICTED_TOKENS: &[&str] = &[
    "pred",
    "predicted",
    "prediction",
    "hat",
    "score",
    "prob",
    "proba",
    "probability",
];

/// Whole names of decision columns.
const DECISION_EXACT: &[&str] = &[
    "decision",
    "decisions",
    "action",
    "approved",
    "approve",
    "flagged",
    "flag",
    "predicted_label",
    "pred_label",
    "predicted_class",
    "pred_class",
    "y_hat",
    "yhat",
    "y_pred_label",
];

/// Whole names of identifier columns (besides `id` and `*_id`).
const ID_EXACT: &[&str] = &["id", "uuid", "guid", "uid", "key", "row_id", "index"];

/// Tokens of grouping columns.
const SEGMENT_TOKENS: &[&str] = &[
    "segment",
    "segments",
    "seg",
    "group",
    "grp",
    "cohort",
    "slice",
    "bucket",
    "tier",
    "channel",
    "platform",
    "device",
    "arm",
    "variant",
    "experiment",
    "stratum",
    "strata",
    "subgroup",
    "population",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(Name::new("yTrue").norm, "y_true");
        assert_eq!(Name::new(" Score ").norm, "score");
        assert_eq!(Name::new("P(y=1)").norm, "p_y_1");
        assert_eq!(Name::new("isFraud").norm, "is_fraud");
        assert_eq!(Name::new("request-ID").norm, "request_id");
        assert_eq!(Name::new("x1").norm, "x1");
        assert_eq!(Name::new("HTTPStatus").norm, "httpstatus");
    }

    #[test]
    fn roles_by_name() {
        assert_eq!(Name::new("score").score_tier(), Some(0));
        assert_eq!(Name::new("model_score").score_tier(), Some(1));
        assert_eq!(Name::new("predicted_label").score_tier(), None);
        assert_eq!(Name::new("label").label_tier(), Some(0));
        assert_eq!(Name::new("churn_label").label_tier(), Some(1));
        assert_eq!(Name::new("is_fraud").label_tier(), Some(1));
        assert_eq!(Name::new("predicted_label").label_tier(), None);
        assert_eq!(Name::new("target_score").label_tier(), None);
        assert!(Name::new("y_hat").is_decision());
        assert!(Name::new("request_id").is_id());
        assert!(Name::new("id").is_id());
        assert!(!Name::new("paid").is_id());
        assert!(Name::new("created_at").is_time());
        assert!(Name::new("timestamp").is_time());
        assert_eq!(Name::new("model_version").version_tier(), Some(0));
        assert_eq!(Name::new("model").version_tier(), Some(1));
        assert!(Name::new("segment").is_segment());
        assert!(!Name::new("country").is_segment());
        assert!(Name::new("score_logit").says_logit());
        assert!(Name::new("score_pct").says_percent());
    }
}
