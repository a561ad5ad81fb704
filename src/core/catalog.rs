//! The catalogue of metrics a window reports: for each key, a human name, the formula, the
//! reference implementation it is checked against, and which direction is better.
//!
//! Views (metric cards), exports (HTML/Markdown reports) and the docs read this one table, so a
//! number on screen can always be traced to its formula. Keys are the JSON field names of
//! [`crate::core::report::WindowReport`].

use crate::core::report::WindowReport;

/// Which direction of a metric is better, for colouring and for gates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Better {
    /// Smaller values are better (losses, calibration errors).
    Lower,
    /// Larger values are better (AUC, AP).
    Higher,
    /// Neither: a description of the data (n, positive rate).
    Neutral,
    /// Closest to a target value is best (calibration slope → 1).
    Near(f64),
}

/// How to print a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A whole count with thousands separators.
    Count,
    /// A proportion shown as a percentage.
    Percent,
    /// A real number with four significant decimals.
    Decimal,
    /// A p-value (scientific below 0.001).
    PValue,
}

/// One metric's documentation.
#[derive(Debug, Clone, Copy)]
pub struct MetricInfo {
    /// JSON key in a window report (also `data-testid="metric-<key>"` in the app).
    pub key: &'static str,
    /// Short human name.
    pub label: &'static str,
    /// The formula, in plain text.
    pub formula: &'static str,
    /// What the number is checked against in the test suite.
    pub reference: &'static str,
    /// Which direction is better.
    pub better: Better,
    /// How to print it.
    pub format: Format,
}

/// Every scalar metric of a window, in display order.
pub const METRICS: &[MetricInfo] = &[
    MetricInfo {
        key: "n",
        label: "Rows used",
        formula: "rows with a valid score and label",
        reference: "row accounting",
        better: Better::Neutral,
        format: Format::Count,
    },
    MetricInfo {
        key: "positives",
        label: "Positives",
        formula: "rows with label = positive class",
        reference: "row accounting",
        better: Better::Neutral,
        format: Format::Count,
    },
    MetricInfo {
        key: "positive_rate",
        label: "Positive rate",
        formula: "positives / n",
        reference: "numpy mean",
        better: Better::Neutral,
        format: Format::Percent,
    },
    MetricInfo {
        key: "mean_score",
        label: "Mean score",
        formula: "(1/n) Σ pᵢ",
        reference: "numpy mean",
        better: Better::Neutral,
        format: Format::Percent,
    },
    MetricInfo {
        key: "roc_auc",
        label: "ROC AUC",
        formula: "P(score of a positive > score of a negative), ties count ½ (Mann–Whitney U / n₁n₀)",
        reference: "sklearn.metrics.roc_auc_score",
        better: Better::Higher,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "average_precision",
        label: "Average precision",
        formula: "Σₖ (Rₖ − Rₖ₋₁) Pₖ over thresholds at each distinct score",
        reference: "sklearn.metrics.average_precision_score",
        better: Better::Higher,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "brier_score",
        label: "Brier score",
        formula: "(1/n) Σ (pᵢ − yᵢ)²",
        reference: "sklearn.metrics.brier_score_loss",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "log_loss",
        label: "Log loss",
        formula: "−(1/n) Σ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)], p clipped to [ε, 1 − ε]",
        reference: "sklearn.metrics.log_loss",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "ece",
        label: "ECE",
        formula: "Σ_b (n_b / n) |mean score_b − positive rate_b| over the reliability bins",
        reference: "sklearn.calibration.calibration_curve binning",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "mce",
        label: "MCE",
        formula: "max_b |mean score_b − positive rate_b|",
        reference: "netcal.metrics.MCE / numpy",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "rmsce",
        label: "RMSCE",
        formula: "√(Σ_b (n_b / n)(mean score_b − positive rate_b)²)",
        reference: "numpy over calibration_curve bins",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "smooth_ece",
        label: "Smooth ECE",
        formula: "∫ |E[y − p | p = t] smoothed by a reflected Gaussian kernel (σ at the fixed point smECE = σ)| dt",
        reference: "relplot.smECE (Błasiok & Nakkiran 2023)",
        better: Better::Lower,
        format: Format::Decimal,
    },
    MetricInfo {
        key: "calibration_slope",
        label: "Calibration slope",
        formula: "β in logit P(y=1) = α + β·logit(p), maximum likelihood (IRLS)",
        reference: "sklearn LogisticRegression(penalty=None)",
        better: Better::Near(1.0),
        format: Format::Decimal,
    },
    MetricInfo {
        key: "calibration_intercept",
        label: "Calibration intercept",
        formula: "α in logit P(y=1) = α + β·logit(p)",
        reference: "sklearn LogisticRegression(penalty=None)",
        better: Better::Near(0.0),
        format: Format::Decimal,
    },
    MetricInfo {
        key: "hosmer_lemeshow_p_value",
        label: "Hosmer–Lemeshow p",
        formula: "χ² = Σ_g (O_g − E_g)² / (E_g(1 − E_g/n_g)), 10 equal-mass groups, df = g − 2",
        reference: "numpy + scipy.stats.chi2.sf",
        better: Better::Higher,
        format: Format::PValue,
    },
    MetricInfo {
        key: "spiegelhalter_z",
        label: "Spiegelhalter Z",
        formula: "Σ (yᵢ − pᵢ)(1 − 2pᵢ) / √(Σ (1 − 2pᵢ)² pᵢ(1 − pᵢ))",
        reference: "numpy (Spiegelhalter 1986)",
        better: Better::Near(0.0),
        format: Format::Decimal,
    },
];

/// Look up a metric by key.
pub fn metric_info(key: &str) -> Option<&'static MetricInfo> {
    METRICS.iter().find(|m| m.key == key)
}

/// The value of a scalar metric of a window, by key (`None` when undefined or unknown).
pub fn metric_value(window: &WindowReport, key: &str) -> Option<f64> {
    match key {
        "n" => Some(window.n as f64),
        "positives" => Some(window.positives as f64),
        "positive_rate" => window.positive_rate,
        "mean_score" => window.mean_score,
        "roc_auc" => window.roc_auc,
        "average_precision" => window.average_precision,
        "brier_score" => window.brier_score,
        "log_loss" => window.log_loss,
        "ece" => window.ece,
        "mce" => window.mce,
        "rmsce" => window.rmsce,
        "ace" => window.ace,
        "smooth_ece" => window.smooth_ece,
        "calibration_in_the_large" => window.calibration_in_the_large,
        "observed_expected_ratio" => window.observed_expected_ratio,
        "calibration_slope" => window.calibration_slope,
        "calibration_intercept" => window.calibration_intercept,
        "hosmer_lemeshow" => window.hosmer_lemeshow,
        "hosmer_lemeshow_p_value" => window.hosmer_lemeshow_p_value,
        "spiegelhalter_z" => window.spiegelhalter_z,
        "spiegelhalter_p_value" => window.spiegelhalter_p_value,
        "ks_separation" => window.ks_separation,
        _ => None,
    }
}

/// Print a metric value for people, in the metric's format.
pub fn format_value(format: Format, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "—".to_string();
    };
    if !v.is_finite() {
        return "—".to_string();
    }
    match format {
        Format::Count => group_thousands(v.round() as i64),
        Format::Percent => format!("{:.2}%", v * 100.0),
        Format::Decimal => {
            if v != 0.0 && v.abs() < 0.0001 {
                format!("{v:.2e}")
            } else {
                format!("{v:.4}")
            }
        }
        Format::PValue => {
            if v < 0.001 {
                format!("{v:.1e}")
            } else {
                format!("{v:.3}")
            }
        }
    }
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if v < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_key_resolves_on_a_window() {
        let w = WindowReport {
            n: 3,
            positives: 1,
            ..Default::default()
        };
        for m in METRICS {
            // Every catalogued key must be known to metric_value (n/positives always Some).
            let known = matches!(m.key, "n" | "positives") || metric_value(&w, m.key).is_none();
            assert!(known, "{}", m.key);
            assert!(metric_info(m.key).is_some());
        }
        assert_eq!(metric_value(&w, "n"), Some(3.0));
        assert_eq!(metric_value(&w, "nonsense"), None);
    }

    #[test]
    fn formats() {
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands(-1000), "-1,000");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(format_value(Format::Percent, Some(0.1234)), "12.34%");
        assert_eq!(format_value(Format::Decimal, Some(0.123456)), "0.1235");
        assert_eq!(format_value(Format::Decimal, None), "—");
        assert_eq!(format_value(Format::PValue, Some(0.0001)), "1.0e-4");
    }
}
