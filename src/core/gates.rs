//! Acceptance gates: pass/fail criteria a reviewer writes once (a TOML file) and CI repeats.
//!
//! A [`Gate`] compares one number of a [`Report`] with a limit (`ece <= 0.02` on the current
//! window, say). [`evaluate`] checks every gate and gives a [`GateReport`] with a [`Verdict`]:
//! pass only if every gate passed. A gate whose number is not available (null in the report,
//! window or section absent, unknown key) **fails** with a reason: a gate never passes silently.
//!
//! Metric keys (see `docs/gates.md`):
//! - a scalar metric of a window: one of [`WINDOW_METRICS`] (read with
//!   [`catalog::metric_value`]) on the gate's window (`all`, `reference` or `current`);
//! - `drift.<column>`: the `value` of the drift method chosen for that column
//!   (`report.drift.columns[name == column].value`), or `drift.<column>.<statistic>` for one
//!   statistic of [`DRIFT_STATISTICS`] (`drift.x1.psi`). `drift.score` falls back to the column
//!   whose role is `score` when no column is literally named `score`;
//! - `roc_auc_drop`: reference ROC AUC − current ROC AUC (positive = the model got worse);
//! - `quality.failed`: the number of failing data-quality checks. The report has no quality
//!   section yet, so this gate is "not available" (and fails) until it does.
//! - `model.<column>.<metric>`: a number of one model of the model comparison
//!   (`report.models`, champion and challengers on the same rows), `<column>` being its score
//!   column: one of [`MODEL_METRICS`] (`model.challenger_score.roc_auc`) for any model, or
//!   one of [`MODEL_TEST_STATISTICS`] for a challenger's paired test against the champion
//!   (`model.challenger_score.roc_auc_difference_p_value`, alias `delong_p_value`; differences
//!   are challenger − champion). Report-level: read from the rows `report.models.window`
//!   names, so `window` may be left out. An unknown column fails with the names of the
//!   models in the report; a test statistic of the champion fails (it has no paired test).
//!
//! File format: one `[[gate]]` table per gate with `name`, `metric`, `window`, `op` (`<=`, `<`,
//! `>=`, `>`) and `limit` (a finite number) — see [`parse_gates`]. The comparison is exact on
//! the f64 values; `<=` passes at the limit and `<` does not.

use crate::core::catalog;
use crate::core::report::{DriftColumn, Report, WindowReport};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Scalar window metrics a gate may name: every key [`catalog::metric_value`] resolves.
pub const WINDOW_METRICS: &[&str] = &[
    "n",
    "positives",
    "positive_rate",
    "mean_score",
    "roc_auc",
    "average_precision",
    "brier_score",
    "log_loss",
    "ece",
    "mce",
    "rmsce",
    "ace",
    "smooth_ece",
    "calibration_in_the_large",
    "observed_expected_ratio",
    "calibration_slope",
    "calibration_intercept",
    "hosmer_lemeshow",
    "hosmer_lemeshow_p_value",
    "spiegelhalter_z",
    "spiegelhalter_p_value",
    "ks_separation",
];

/// Statistics of a drift column a gate may name as `drift.<column>.<statistic>`.
pub const DRIFT_STATISTICS: &[&str] = &[
    "value",
    "psi",
    "js_distance",
    "ks_statistic",
    "ks_p_value",
    "wasserstein",
    "wasserstein_norm",
    "chi2_p_value",
    "missing_rate_reference",
    "missing_rate_current",
];

/// Per-model metrics a gate may name as `model.<column>.<metric>`.
pub const MODEL_METRICS: &[&str] = &[
    "roc_auc",
    "roc_auc_ci_lower",
    "roc_auc_ci_upper",
    "average_precision",
    "average_precision_ci_lower",
    "average_precision_ci_upper",
    "ece",
    "brier_score",
    "log_loss",
];

/// Statistics of a challenger's paired test against the champion a gate may name as
/// `model.<challenger>.<statistic>`: for the AUC (DeLong's paired test), ECE and Brier score
/// (paired bootstrap), the difference challenger − champion, its interval ends and p-value;
/// `delong_p_value` is `roc_auc_difference_p_value`.
pub const MODEL_TEST_STATISTICS: &[&str] = &[
    "roc_auc_difference",
    "roc_auc_difference_ci_lower",
    "roc_auc_difference_ci_upper",
    "roc_auc_difference_p_value",
    "delong_p_value",
    "ece_difference",
    "ece_difference_ci_lower",
    "ece_difference_ci_upper",
    "ece_difference_p_value",
    "brier_score_difference",
    "brier_score_difference_ci_lower",
    "brier_score_difference_ci_upper",
    "brier_score_difference_p_value",
];

/// Prefix of model-comparison keys.
pub const MODEL_PREFIX: &str = "model.";

/// Derived key: reference ROC AUC − current ROC AUC.
pub const ROC_AUC_DROP: &str = "roc_auc_drop";
/// Derived key: number of failing data-quality checks.
pub const QUALITY_FAILED: &str = "quality.failed";
/// Prefix of drift keys.
pub const DRIFT_PREFIX: &str = "drift.";

/// Fields a `[[gate]]` table may contain.
pub const GATE_FIELDS: &[&str] = &["name", "metric", "window", "op", "limit"];

/// Which window of the report a gate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateWindow {
    /// The whole log analysed alone (`windows.all`).
    All,
    /// The reference window of a comparison.
    Reference,
    /// The current window of a comparison.
    Current,
}

impl GateWindow {
    /// Every window, in file order.
    pub const ALL: [GateWindow; 3] = [Self::All, Self::Reference, Self::Current];

    /// The key as written in gate files and JSON.
    pub fn key(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Reference => "reference",
            Self::Current => "current",
        }
    }

    /// Parses a key written by [`GateWindow::key`].
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|w| w.key() == key)
    }

    /// The window's metrics in `report`, if the report has that window.
    pub fn of(self, report: &Report) -> Option<&WindowReport> {
        match self {
            Self::All => report.windows.all.as_ref(),
            Self::Reference => report.windows.reference.as_ref(),
            Self::Current => report.windows.current.as_ref(),
        }
    }
}

/// A comparison between a value and a gate's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// value ≤ limit.
    #[serde(rename = "<=")]
    Le,
    /// value < limit.
    #[serde(rename = "<")]
    Lt,
    /// value ≥ limit.
    #[serde(rename = ">=")]
    Ge,
    /// value > limit.
    #[serde(rename = ">")]
    Gt,
}

impl Op {
    /// Every operator, in the order listed in error messages.
    pub const ALL: [Op; 4] = [Self::Le, Self::Lt, Self::Ge, Self::Gt];

    /// The operator as written in gate files and JSON (`<=`, `<`, `>=`, `>`).
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Le => "<=",
            Self::Lt => "<",
            Self::Ge => ">=",
            Self::Gt => ">",
        }
    }

    /// The operator for people (`≤`, `<`, `≥`, `>`).
    pub fn pretty(self) -> &'static str {
        match self {
            Self::Le => "≤",
            Self::Lt => "<",
            Self::Ge => "≥",
            Self::Gt => ">",
        }
    }

    /// Parses a symbol written by [`Op::symbol`].
    pub fn from_symbol(symbol: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.symbol() == symbol)
    }

    /// Whether `value op limit` holds. False whenever either side is NaN.
    pub fn holds(self, value: f64, limit: f64) -> bool {
        match self {
            Self::Le => value <= limit,
            Self::Lt => value < limit,
            Self::Ge => value >= limit,
            Self::Gt => value > limit,
        }
    }
}

/// One acceptance criterion: `metric` on `window` must satisfy `op limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gate {
    /// What the gate is called in reports (unique within a file).
    pub name: String,
    /// The metric key (see the module documentation).
    pub metric: String,
    /// The window the metric is read from (ignored by report-level keys, see [`MetricKey`]).
    pub window: GateWindow,
    /// The comparison.
    pub op: Op,
    /// The limit the value is compared with.
    pub limit: f64,
}

/// A metric key, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricKey {
    /// A scalar metric of one window (one of [`WINDOW_METRICS`]).
    Window(String),
    /// `drift.<rest>`: a column name, optionally followed by `.<statistic>` (resolved against
    /// the report, since column names may contain dots).
    Drift(String),
    /// `roc_auc_drop`: reference AUC − current AUC (a comparison of two windows).
    RocAucDrop,
    /// `quality.failed`: failing data-quality checks (report-level).
    QualityFailed,
    /// `model.<column>.<metric or test statistic>` (the part after `model.`; resolved against
    /// the report, since column names may contain dots). Report-level.
    Model(String),
}

impl MetricKey {
    /// Classifies a key; `None` for a key no gate can read.
    pub fn parse(key: &str) -> Option<Self> {
        if WINDOW_METRICS.contains(&key) {
            Some(Self::Window(key.to_string()))
        } else if key == ROC_AUC_DROP {
            Some(Self::RocAucDrop)
        } else if key == QUALITY_FAILED {
            Some(Self::QualityFailed)
        } else {
            if let Some(rest) = key.strip_prefix(MODEL_PREFIX) {
                // `<column>.<statistic>` with a known statistic and a non-empty column.
                let known = rest.rsplit_once('.').is_some_and(|(column, stat)| {
                    !column.is_empty()
                        && (MODEL_METRICS.contains(&stat) || MODEL_TEST_STATISTICS.contains(&stat))
                });
                return known.then(|| Self::Model(rest.to_string()));
            }
            match key.strip_prefix(DRIFT_PREFIX) {
                Some(rest) if !rest.is_empty() => Some(Self::Drift(rest.to_string())),
                _ => None,
            }
        }
    }

    /// The window a gate uses when its file leaves `window` out; `None` when it is required.
    /// Drift and the AUC drop compare current with reference, so they are `current`; the
    /// quality count is report-level, so `all`.
    pub fn default_window(&self) -> Option<GateWindow> {
        match self {
            Self::Window(_) => None,
            Self::Drift(_) | Self::RocAucDrop => Some(GateWindow::Current),
            Self::QualityFailed | Self::Model(_) => Some(GateWindow::All),
        }
    }

    /// Whether a gate on this key may name `window`. Drift and the AUC drop describe the
    /// current window against the reference, so only `current` makes sense for them.
    pub fn accepts_window(&self, window: GateWindow) -> bool {
        match self {
            Self::Drift(_) | Self::RocAucDrop => window == GateWindow::Current,
            Self::Window(_) | Self::QualityFailed | Self::Model(_) => true,
        }
    }
}

/// Human list of every valid metric key, for error messages.
pub fn valid_metric_keys() -> String {
    format!(
        "{}, {ROC_AUC_DROP}, {QUALITY_FAILED}, drift.<column>, drift.<column>.<statistic> \
         (statistic: {}), model.<column>.<metric> (metric: {}), \
         model.<challenger>.<test statistic> (statistic: {})",
        WINDOW_METRICS.join(", "),
        DRIFT_STATISTICS.join(", "),
        MODEL_METRICS.join(", "),
        MODEL_TEST_STATISTICS.join(", ")
    )
}

/// What is wrong with one field of one gate.
#[derive(Debug, Clone, PartialEq)]
pub enum GateProblem {
    /// A required field is absent.
    Missing,
    /// The field holds the wrong TOML type.
    WrongType {
        /// What the field must be.
        expected: &'static str,
        /// The TOML type found.
        found: &'static str,
    },
    /// A field name a gate does not have (a typo, usually).
    UnknownField,
    /// The name is empty or only whitespace.
    EmptyName,
    /// Another gate already has this name.
    DuplicateName {
        /// 1-based position of the first gate with the name.
        first: usize,
    },
    /// The metric key is not one a gate can read.
    UnknownMetric(String),
    /// The operator is not one of `<=`, `<`, `>=`, `>`.
    UnknownOp(String),
    /// The window is not one of `all`, `reference`, `current`.
    UnknownWindow(String),
    /// The window does not apply to the metric (drift and `roc_auc_drop` need `current`).
    WindowNotApplicable {
        /// The window given.
        window: GateWindow,
        /// The metric key.
        metric: String,
    },
    /// The limit is NaN or infinite.
    NotFinite,
}

/// Why a gate file was rejected. Messages name the gate (1-based position and name), the field
/// and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub enum GateError {
    /// The text is not valid TOML (the message carries line and column).
    Syntax(String),
    /// A top-level key other than `gate`.
    UnknownTopLevel(String),
    /// `gate` is present but not an array of tables (`[gate]` instead of `[[gate]]`, say).
    NotAnArrayOfTables {
        /// The TOML type found.
        found: &'static str,
    },
    /// An entry of the `gate` array is not a table.
    GateNotATable {
        /// 1-based position.
        index: usize,
        /// The TOML type found.
        found: &'static str,
    },
    /// The file defines no gate (an empty gate file would let everything pass).
    NoGates,
    /// One field of one gate is wrong.
    Field {
        /// 1-based position of the gate in the file.
        index: usize,
        /// The gate's name, when it has a readable one.
        name: Option<String>,
        /// The field.
        field: String,
        /// What is wrong.
        problem: GateProblem,
    },
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(message) => write!(f, "gate file is not valid TOML: {message}"),
            Self::UnknownTopLevel(key) => write!(
                f,
                "unknown top-level key {key:?}; a gate file holds only [[gate]] tables"
            ),
            Self::NotAnArrayOfTables { found } => write!(
                f,
                "`gate` must be an array of tables (write each gate as [[gate]]), found {found}"
            ),
            Self::GateNotATable { index, found } => {
                write!(f, "gate #{index}: expected a table, found {found}")
            }
            Self::NoGates => write!(
                f,
                "the gate file defines no gate; add at least one [[gate]] table"
            ),
            Self::Field {
                index,
                name,
                field,
                problem,
            } => {
                write!(f, "gate #{index}")?;
                if let Some(name) = name {
                    write!(f, " ({name:?})")?;
                }
                write!(f, ", field `{field}`: ")?;
                match problem {
                    GateProblem::Missing => {
                        write!(f, "missing; {}", allowed_for(field))
                    }
                    GateProblem::WrongType { expected, found } => {
                        write!(f, "expected {expected}, found {found}")
                    }
                    GateProblem::UnknownField => write!(
                        f,
                        "unknown field; a gate has only {}",
                        GATE_FIELDS.join(", ")
                    ),
                    GateProblem::EmptyName => write!(f, "the name is empty"),
                    GateProblem::DuplicateName { first } => {
                        write!(f, "the same name as gate #{first}; names must be unique")
                    }
                    GateProblem::UnknownMetric(key) => {
                        write!(
                            f,
                            "unknown metric {key:?}; valid keys: {}",
                            valid_metric_keys()
                        )
                    }
                    GateProblem::UnknownOp(op) => {
                        write!(f, "unknown operator {op:?}; {}", allowed_for("op"))
                    }
                    GateProblem::UnknownWindow(w) => {
                        write!(f, "unknown window {w:?}; {}", allowed_for("window"))
                    }
                    GateProblem::WindowNotApplicable { window, metric } => write!(
                        f,
                        "window {:?} does not apply to {metric:?}, which compares the current \
                         window with the reference; use \"current\" or leave `window` out",
                        window.key()
                    ),
                    GateProblem::NotFinite => {
                        write!(f, "the limit must be a finite number (not nan or inf)")
                    }
                }
            }
        }
    }
}

impl std::error::Error for GateError {}

fn allowed_for(field: &str) -> String {
    match field {
        "name" => "expected a non-empty string".to_string(),
        "metric" => format!("valid keys: {}", valid_metric_keys()),
        "window" => format!(
            "allowed: {}",
            GateWindow::ALL
                .iter()
                .map(|w| format!("{:?}", w.key()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "op" => format!(
            "allowed: {}",
            Op::ALL
                .iter()
                .map(|o| format!("{:?}", o.symbol()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "limit" => "expected a finite number".to_string(),
        _ => String::new(),
    }
}

fn type_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a datetime",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

/// Reads a gate file: one `[[gate]]` table per gate with `name`, `metric`, `window`, `op` and
/// `limit`. `window` may be left out for report-level keys (see [`MetricKey::default_window`]).
/// Integers are accepted as limits. Every problem is reported with the gate's position and
/// name, the field, and what is allowed; the first problem found is returned.
pub fn parse_gates(text: &str) -> Result<Vec<Gate>, GateError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| GateError::Syntax(e.to_string().trim_end().to_string()))?;
    if let Some(key) = table.keys().find(|k| k.as_str() != "gate") {
        return Err(GateError::UnknownTopLevel(key.clone()));
    }
    let entries = match table.get("gate") {
        None => return Err(GateError::NoGates),
        Some(toml::Value::Array(entries)) => entries,
        Some(other) => {
            return Err(GateError::NotAnArrayOfTables {
                found: type_name(other),
            });
        }
    };
    if entries.is_empty() {
        return Err(GateError::NoGates);
    }
    let mut gates: Vec<Gate> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let index = i + 1;
        let toml::Value::Table(fields) = entry else {
            return Err(GateError::GateNotATable {
                index,
                found: type_name(entry),
            });
        };
        let gate = parse_gate(index, fields)?;
        if let Some(first) = gates.iter().position(|g| g.name == gate.name) {
            return Err(GateError::Field {
                index,
                name: Some(gate.name),
                field: "name".to_string(),
                problem: GateProblem::DuplicateName { first: first + 1 },
            });
        }
        gates.push(gate);
    }
    Ok(gates)
}

fn parse_gate(index: usize, fields: &toml::Table) -> Result<Gate, GateError> {
    // The name first, so every later error can quote it.
    let readable_name = match fields.get("name") {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    let err = |field: &str, problem: GateProblem| GateError::Field {
        index,
        name: readable_name.clone(),
        field: field.to_string(),
        problem,
    };
    let string_field = |field: &str| -> Result<Option<&String>, GateError> {
        match fields.get(field) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(err(
                field,
                GateProblem::WrongType {
                    expected: "a string",
                    found: type_name(other),
                },
            )),
        }
    };

    let name = string_field("name")?.ok_or_else(|| err("name", GateProblem::Missing))?;
    if name.trim().is_empty() {
        return Err(err("name", GateProblem::EmptyName));
    }
    if let Some(unknown) = fields.keys().find(|k| !GATE_FIELDS.contains(&k.as_str())) {
        return Err(err(unknown, GateProblem::UnknownField));
    }

    let metric = string_field("metric")?.ok_or_else(|| err("metric", GateProblem::Missing))?;
    let key = MetricKey::parse(metric)
        .ok_or_else(|| err("metric", GateProblem::UnknownMetric(metric.clone())))?;

    let window = match string_field("window")? {
        Some(w) => {
            let window = GateWindow::from_key(w)
                .ok_or_else(|| err("window", GateProblem::UnknownWindow(w.clone())))?;
            if !key.accepts_window(window) {
                return Err(err(
                    "window",
                    GateProblem::WindowNotApplicable {
                        window,
                        metric: metric.clone(),
                    },
                ));
            }
            window
        }
        None => key
            .default_window()
            .ok_or_else(|| err("window", GateProblem::Missing))?,
    };

    let op_text = string_field("op")?.ok_or_else(|| err("op", GateProblem::Missing))?;
    let op = Op::from_symbol(op_text)
        .ok_or_else(|| err("op", GateProblem::UnknownOp(op_text.clone())))?;

    let limit = match fields.get("limit") {
        None => return Err(err("limit", GateProblem::Missing)),
        Some(toml::Value::Float(x)) => *x,
        // TOML integers are i64; the conversion is exact up to 2^53, which covers any limit.
        Some(toml::Value::Integer(i)) => *i as f64,
        Some(other) => {
            return Err(err(
                "limit",
                GateProblem::WrongType {
                    expected: "a number",
                    found: type_name(other),
                },
            ));
        }
    };
    if !limit.is_finite() {
        return Err(err("limit", GateProblem::NotFinite));
    }

    Ok(Gate {
        name: name.clone(),
        metric: metric.clone(),
        window,
        op,
        limit,
    })
}

/// Writes gates in the file format [`parse_gates`] reads: `parse_gates(&to_toml(g)) == Ok(g)`
/// for every list it accepted (limits are written in Rust's shortest round-trip form).
pub fn to_toml(gates: &[Gate]) -> String {
    let mut out = String::new();
    for (i, gate) in gates.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("[[gate]]\n");
        out.push_str(&format!("name = {}\n", toml_string(&gate.name)));
        out.push_str(&format!("metric = {}\n", toml_string(&gate.metric)));
        out.push_str(&format!("window = {}\n", toml_string(gate.window.key())));
        out.push_str(&format!("op = {}\n", toml_string(gate.op.symbol())));
        out.push_str(&format!("limit = {}\n", toml::Value::Float(gate.limit)));
    }
    out
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The gates Plumb proposes when the reviewer has written none: ECE ≤ 0.02, smooth ECE ≤ 0.03,
/// calibration slope in [0.9, 1.1] (two gates), no failing data-quality check, and for two
/// windows also ROC AUC drop ≤ 0.01 and PSI of the score ≤ 0.1 (`drift.score.psi`, which reads
/// the column whose role is `score`). Window gates read `current` for two windows, else `all`.
pub fn default_gates(two_windows: bool) -> Vec<Gate> {
    let window = if two_windows {
        GateWindow::Current
    } else {
        GateWindow::All
    };
    let gate = |name: &str, metric: &str, window: GateWindow, op: Op, limit: f64| Gate {
        name: name.to_string(),
        metric: metric.to_string(),
        window,
        op,
        limit,
    };
    let mut gates = vec![
        gate("Calibration error (ECE)", "ece", window, Op::Le, 0.02),
        gate(
            "Smooth calibration error",
            "smooth_ece",
            window,
            Op::Le,
            0.03,
        ),
        gate(
            "Calibration slope not too low",
            "calibration_slope",
            window,
            Op::Ge,
            0.9,
        ),
        gate(
            "Calibration slope not too high",
            "calibration_slope",
            window,
            Op::Le,
            1.1,
        ),
    ];
    if two_windows {
        gates.push(gate(
            "ROC AUC drop",
            ROC_AUC_DROP,
            GateWindow::Current,
            Op::Le,
            0.01,
        ));
        gates.push(gate(
            "Score drift (PSI)",
            "drift.score.psi",
            GateWindow::Current,
            Op::Le,
            0.1,
        ));
    }
    gates.push(gate(
        "No failing data-quality check",
        QUALITY_FAILED,
        window,
        Op::Le,
        0.0,
    ));
    gates
}

/// The outcome of the whole gate list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every gate passed.
    Pass,
    /// At least one gate failed (or could not be evaluated).
    Fail,
}

impl Verdict {
    /// `pass` or `fail`, as serialised.
    pub fn key(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
        }
    }
}

/// One gate, evaluated. Field names are a contract (written into the JSON report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// The gate's name.
    pub name: String,
    /// The metric key.
    pub metric: String,
    /// The window read.
    pub window: GateWindow,
    /// The comparison.
    pub op: Op,
    /// The limit.
    pub limit: f64,
    /// The value found; `None` when unavailable (then the gate failed).
    pub value: Option<f64>,
    /// Whether `value op limit` held.
    pub passed: bool,
    /// Why the gate failed (unavailable value, or the comparison that did not hold);
    /// `None` when it passed.
    pub reason: Option<String>,
}

/// Every gate's result and the verdict. Field names are a contract (`gates`, `verdict`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateReport {
    /// One result per gate, in the order given.
    pub gates: Vec<GateResult>,
    /// `pass` iff every gate passed (also for an empty list: nothing was required).
    pub verdict: Verdict,
}

impl GateReport {
    /// Number of gates that failed.
    pub fn failed(&self) -> usize {
        self.gates.iter().filter(|g| !g.passed).count()
    }
}

/// Checks every gate against `report`. Never panics: any unreadable value or limit makes that
/// gate fail with a reason.
pub fn evaluate(report: &Report, gates: &[Gate]) -> GateReport {
    let results: Vec<GateResult> = gates.iter().map(|g| evaluate_gate(report, g)).collect();
    let verdict = if results.iter().all(|r| r.passed) {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    GateReport {
        gates: results,
        verdict,
    }
}

/// Checks one gate against `report`.
pub fn evaluate_gate(report: &Report, gate: &Gate) -> GateResult {
    let looked_up = gate_value(report, &gate.metric, gate.window);
    let (value, passed, reason) = match looked_up {
        Err(reason) => (None, false, Some(reason)),
        Ok(v) if !v.is_finite() => (
            None,
            false,
            Some(format!("{} is not a finite number ({v})", gate.metric)),
        ),
        Ok(v) if !gate.limit.is_finite() => (
            Some(v),
            false,
            Some(format!("the limit is not a finite number ({})", gate.limit)),
        ),
        Ok(v) => {
            if gate.op.holds(v, gate.limit) {
                (Some(v), true, None)
            } else {
                (
                    Some(v),
                    false,
                    Some(format!(
                        "{} = {v} is not {} {}",
                        gate.metric,
                        gate.op.symbol(),
                        gate.limit
                    )),
                )
            }
        }
    };
    GateResult {
        name: gate.name.clone(),
        metric: gate.metric.clone(),
        window: gate.window,
        op: gate.op,
        limit: gate.limit,
        value,
        passed,
        reason,
    }
}

/// The number a gate on `metric` and `window` reads from `report`, or why there is none.
pub fn gate_value(report: &Report, metric: &str, window: GateWindow) -> Result<f64, String> {
    let Some(key) = MetricKey::parse(metric) else {
        return Err(format!(
            "unknown metric {metric:?}; valid keys: {}",
            valid_metric_keys()
        ));
    };
    match key {
        MetricKey::Window(key) => {
            let w = window_of(report, window)?;
            catalog::metric_value(w, &key).ok_or_else(|| {
                format!(
                    "{key} is not available in window {:?} (null in the report: undefined for \
                     this data)",
                    window.key()
                )
            })
        }
        MetricKey::RocAucDrop => {
            let reference = window_of(report, GateWindow::Reference)?;
            let current = window_of(report, GateWindow::Current)?;
            match (reference.roc_auc, current.roc_auc) {
                (Some(r), Some(c)) => Ok(r - c),
                (None, _) => Err(
                    "roc_auc_drop needs the ROC AUC of the reference window, which is null"
                        .to_string(),
                ),
                (_, None) => Err(
                    "roc_auc_drop needs the ROC AUC of the current window, which is null"
                        .to_string(),
                ),
            }
        }
        MetricKey::QualityFailed => report
            .quality
            .as_ref()
            .map(|q| {
                q.checks
                    .iter()
                    .filter(|c| c.status == crate::core::quality::Status::Fail)
                    .count() as f64
            })
            .ok_or_else(|| {
                "quality.failed is not available: the report has no data-quality section"
                    .to_string()
            }),
        MetricKey::Drift(rest) => drift_value(report, &rest),
        MetricKey::Model(rest) => model_value(report, &rest),
    }
}

/// `model.<column>.<statistic>` (see the module documentation).
fn model_value(report: &Report, rest: &str) -> Result<f64, String> {
    let Some(m) = report.models.as_ref() else {
        return Err(format!(
            "model.{rest} is not available: the report has no models section (map one or more \
             challenger score columns to compare models)"
        ));
    };
    let names = || {
        m.models
            .iter()
            .map(|x| format!("{:?}", x.column))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((column, stat)) = rest.rsplit_once('.') else {
        return Err(format!(
            "model.{rest}: no statistic named; models: {}",
            names()
        ));
    };
    let Some(model) = m.models.iter().find(|x| x.column == column) else {
        return Err(format!(
            "no model {column:?} in the model comparison; models: {}",
            names()
        ));
    };
    let missing =
        || format!("model.{rest} is not available (null in the report: undefined for this data)");
    let lower = |ci: Option<[f64; 2]>| ci.map(|c| c[0]);
    let upper = |ci: Option<[f64; 2]>| ci.map(|c| c[1]);
    let value = match stat {
        "roc_auc" => model.roc_auc,
        "roc_auc_ci_lower" => lower(model.roc_auc_ci),
        "roc_auc_ci_upper" => upper(model.roc_auc_ci),
        "average_precision" => model.average_precision,
        "average_precision_ci_lower" => lower(model.average_precision_ci),
        "average_precision_ci_upper" => upper(model.average_precision_ci),
        "ece" => model.ece,
        "brier_score" => model.brier_score,
        "log_loss" => model.log_loss,
        _ => {
            let Some(c) = m.comparisons.iter().find(|c| c.challenger == column) else {
                let challengers: Vec<String> = m
                    .comparisons
                    .iter()
                    .map(|c| format!("{:?}", c.challenger))
                    .collect();
                return Err(format!(
                    "{column:?} is the champion: {stat} is a paired test of a challenger \
                     against it; challengers: {}",
                    challengers.join(", ")
                ));
            };
            let (test, part) = if stat == "delong_p_value" {
                (&c.auc, "p_value")
            } else if let Some(part) = stat.strip_prefix("roc_auc_difference") {
                (&c.auc, part.trim_start_matches('_'))
            } else if let Some(part) = stat.strip_prefix("ece_difference") {
                (&c.ece, part.trim_start_matches('_'))
            } else if let Some(part) = stat.strip_prefix("brier_score_difference") {
                (&c.brier_score, part.trim_start_matches('_'))
            } else {
                return Err(format!(
                    "unknown model statistic {stat:?}; metrics: {}; test statistics: {}",
                    MODEL_METRICS.join(", "),
                    MODEL_TEST_STATISTICS.join(", ")
                ));
            };
            test.as_ref().and_then(|t| match part {
                "" => Some(t.difference),
                "ci_lower" => lower(t.ci),
                "ci_upper" => upper(t.ci),
                "p_value" => t.p_value,
                _ => None,
            })
        }
    };
    value.ok_or_else(missing)
}

fn window_of(report: &Report, window: GateWindow) -> Result<&WindowReport, String> {
    window.of(report).ok_or_else(|| {
        let present: Vec<&str> = GateWindow::ALL
            .into_iter()
            .filter(|w| w.of(report).is_some())
            .map(GateWindow::key)
            .collect();
        let present = if present.is_empty() {
            "none".to_string()
        } else {
            present.join(", ")
        };
        format!(
            "window {:?} is not in this report (windows present: {present})",
            window.key()
        )
    })
}

/// The column named `name`, or for `score` (when no column has that name) the score's column.
fn find_drift_column<'a>(columns: &'a [DriftColumn], name: &str) -> Option<&'a DriftColumn> {
    columns.iter().find(|c| c.name == name).or_else(|| {
        if name == "score" {
            columns.iter().find(|c| c.role == "score")
        } else {
            None
        }
    })
}

fn drift_value(report: &Report, rest: &str) -> Result<f64, String> {
    let Some(drift) = report.drift.as_ref() else {
        return Err(format!(
            "drift.{rest} is not available: the report has no drift section (drift needs a \
             reference and a current window)"
        ));
    };
    let (column, statistic) = match find_drift_column(&drift.columns, rest) {
        Some(c) => (c, "value"),
        None => {
            let split = rest
                .rsplit_once('.')
                .filter(|(_, stat)| DRIFT_STATISTICS.contains(stat))
                .and_then(|(name, stat)| {
                    find_drift_column(&drift.columns, name).map(|c| (c, stat))
                });
            match split {
                Some(found) => found,
                None => {
                    let names: Vec<&str> = drift.columns.iter().map(|c| c.name.as_str()).collect();
                    return Err(format!(
                        "no drift entry for {rest:?}; columns with drift: {}; statistics: {}",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        },
                        DRIFT_STATISTICS.join(", ")
                    ));
                }
            }
        }
    };
    let value = match statistic {
        "value" => column.value,
        "psi" => column.psi,
        "js_distance" => column.js_distance,
        "ks_statistic" => column.ks_statistic,
        "ks_p_value" => column.ks_p_value,
        "wasserstein" => column.wasserstein,
        "wasserstein_norm" => column.wasserstein_norm,
        "chi2_p_value" => column.chi2_p_value,
        "missing_rate_reference" => Some(column.missing_rate_reference),
        "missing_rate_current" => Some(column.missing_rate_current),
        _ => None,
    };
    value.ok_or_else(|| {
        format!(
            "drift statistic {statistic} of column {:?} is not available (null in the report; \
             it may not apply to a {} column)",
            column.name, column.kind
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_metric_resolves_through_the_catalog() {
        // A window with every optional metric set: each key must read a value, so the list
        // cannot name a key `catalog::metric_value` does not know.
        let w = WindowReport {
            n: 10,
            positives: 3,
            positive_rate: Some(0.3),
            mean_score: Some(0.3),
            roc_auc: Some(0.8),
            average_precision: Some(0.7),
            brier_score: Some(0.1),
            log_loss: Some(0.4),
            ece: Some(0.01),
            mce: Some(0.02),
            rmsce: Some(0.015),
            ace: Some(0.012),
            smooth_ece: Some(0.011),
            calibration_in_the_large: Some(0.0),
            observed_expected_ratio: Some(1.0),
            calibration_slope: Some(1.0),
            calibration_intercept: Some(0.0),
            hosmer_lemeshow: Some(5.0),
            hosmer_lemeshow_p_value: Some(0.7),
            spiegelhalter_z: Some(0.1),
            spiegelhalter_p_value: Some(0.9),
            ks_separation: Some(0.5),
            ..Default::default()
        };
        for key in WINDOW_METRICS {
            assert!(catalog::metric_value(&w, key).is_some(), "{key}");
        }
        for m in catalog::METRICS {
            assert!(WINDOW_METRICS.contains(&m.key), "{} missing", m.key);
        }
    }

    #[test]
    fn metric_keys_classify() {
        assert_eq!(
            MetricKey::parse("ece"),
            Some(MetricKey::Window("ece".into()))
        );
        assert_eq!(
            MetricKey::parse("roc_auc_drop"),
            Some(MetricKey::RocAucDrop)
        );
        assert_eq!(
            MetricKey::parse("quality.failed"),
            Some(MetricKey::QualityFailed)
        );
        assert_eq!(
            MetricKey::parse("drift.a.b"),
            Some(MetricKey::Drift("a.b".into()))
        );
        assert_eq!(MetricKey::parse("drift."), None);
        assert_eq!(MetricKey::parse("ECE"), None);
        assert_eq!(MetricKey::parse(""), None);
    }

    #[test]
    fn ops_compare_and_reject_nan() {
        assert!(Op::Le.holds(1.0, 1.0));
        assert!(!Op::Lt.holds(1.0, 1.0));
        assert!(Op::Ge.holds(1.0, 1.0));
        assert!(!Op::Gt.holds(1.0, 1.0));
        for op in Op::ALL {
            assert!(!op.holds(f64::NAN, 1.0));
            assert!(!op.holds(1.0, f64::NAN));
            assert_eq!(Op::from_symbol(op.symbol()), Some(op));
        }
        assert_eq!(Op::from_symbol("=<"), None);
    }

    #[test]
    fn windows_round_trip_their_keys() {
        for w in GateWindow::ALL {
            assert_eq!(GateWindow::from_key(w.key()), Some(w));
        }
        assert_eq!(GateWindow::from_key("All"), None);
    }
}
