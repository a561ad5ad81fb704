//! The Models section of the HTML and Markdown reports (`report.models`: champion vs
//! challenger score columns on the same rows), formatted once so both exports show the same
//! text.
//!
//! Per model: ROC AUC with its DeLong interval (Sun & Xu 2014), average precision with its
//! logit interval (Boyd, Eng & Page 2013), ECE, Brier score and log loss. Per challenger and
//! metric, the paired test against the champion: the difference `challenger − champion`, its
//! interval and p-value — DeLong's paired test for the AUC (DeLong, DeLong & Clarke-Pearson
//! 1988), the paired bootstrap (same resampled rows for both models) for ECE and Brier. Numbers
//! are printed with [`catalog::format_value`] (`Decimal`: 4 decimals; `PValue`: 3 decimals,
//! scientific below 0.001). Column names are returned raw: each export escapes them.

use crate::core::catalog::{self, Format};
use crate::core::metrics::compare_models::{ModelsReport, PairedTest};

/// Column headers of the per-model table, after the column name and role.
pub const MODEL_HEADERS: [&str; 5] = ["AUC [CI]", "AP [CI]", "ECE", "Brier", "Log loss"];

/// Column headers of the paired-test table, after the pair and the metric.
pub const TEST_HEADERS: [&str; 4] = ["Method", "Difference", "CI", "p"];

/// One model's row.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    /// The score column (raw: escape before writing).
    pub column: String,
    /// `champion` or `challenger`.
    pub role: String,
    /// The cells under [`MODEL_HEADERS`].
    pub cells: [String; 5],
}

/// One paired test's row.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRow {
    /// The challenger column (raw).
    pub challenger: String,
    /// The champion column (raw).
    pub champion: String,
    /// `AUC`, `ECE` or `Brier`.
    pub metric: &'static str,
    /// The cells under [`TEST_HEADERS`].
    pub cells: [String; 4],
}

/// `v` as a 4-decimal number, `—` when missing.
pub fn decimal(v: Option<f64>) -> String {
    catalog::format_value(Format::Decimal, v)
}

/// `[lo, hi]` with both ends as [`decimal`], `—` when missing.
pub fn interval(ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("[{}, {}]", decimal(Some(lo)), decimal(Some(hi))),
        None => "—".to_string(),
    }
}

/// A value followed by its interval: `0.8123 [0.7900, 0.8300]`.
fn with_interval(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some(_) => format!("{} {}", decimal(v), interval(ci)),
        None => decimal(v),
    }
}

/// The rows of the per-model table, champion first.
pub fn model_rows(m: &ModelsReport) -> Vec<ModelRow> {
    m.models
        .iter()
        .map(|x| ModelRow {
            column: x.column.clone(),
            role: x.role.clone(),
            cells: [
                with_interval(x.roc_auc, x.roc_auc_ci),
                with_interval(x.average_precision, x.average_precision_ci),
                decimal(x.ece),
                decimal(x.brier_score),
                decimal(x.log_loss),
            ],
        })
        .collect()
}

fn method_label(t: &PairedTest) -> String {
    match (t.method.as_str(), t.resamples) {
        ("delong", _) => "DeLong (paired)".to_string(),
        (_, Some(b)) => format!("paired bootstrap, {b} resamples"),
        (other, None) => other.replace('_', " "),
    }
}

/// The rows of the paired-test table: per challenger, AUC, ECE and Brier (a test that could
/// not be computed shows `—`).
pub fn test_rows(m: &ModelsReport) -> Vec<TestRow> {
    let mut out = Vec::new();
    for c in &m.comparisons {
        for (metric, t) in [("AUC", &c.auc), ("ECE", &c.ece), ("Brier", &c.brier_score)] {
            let cells = match t {
                Some(t) => [
                    method_label(t),
                    decimal(Some(t.difference)),
                    interval(t.ci),
                    catalog::format_value(Format::PValue, t.p_value),
                ],
                None => [
                    "not computed".to_string(),
                    "—".into(),
                    "—".into(),
                    "—".into(),
                ],
            };
            out.push(TestRow {
                challenger: c.challenger.clone(),
                champion: c.champion.clone(),
                metric,
                cells,
            });
        }
    }
    out
}

/// The sentence above the tables: rows, positives and the window compared.
pub fn describe(m: &ModelsReport) -> String {
    format!(
        "{} models on the same {} rows ({} positives) of the {} window. Differences are \
         challenger − champion.",
        m.models.len(),
        catalog::group_thousands(i64::try_from(m.n).unwrap_or(i64::MAX)),
        catalog::group_thousands(i64::try_from(m.positives).unwrap_or(i64::MAX)),
        if m.window == "current" {
            "current"
        } else {
            "analysed"
        }
    )
}
