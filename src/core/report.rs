//! The report: one plain serde struct that every view, export and the CLI read.
//!
//! Schema `plumb.report/v1`, documented in `docs/report-schema.md`. Field names are a contract
//! (the browser suite and outside checks read them): add fields freely, rename nothing.
//! Quantities that are undefined for the data (AUC with one class, say) are `null`, never NaN.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema identifier written into every report.
pub const SCHEMA: &str = "plumb.report/v1";

/// The whole analysis of one or two prediction logs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Which program wrote the report.
    pub generator: Generator,
    /// What was read: files, fingerprints, the column mapping, row accounting.
    pub input: Input,
    /// Everything that shaped the numbers.
    pub settings: Settings,
    /// Per-window metrics: `all` for one log alone, or `reference` and `current`.
    pub windows: Windows,
    /// Drift of each feature and of the score between reference and current (two windows only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub drift: Option<DriftReport>,
    /// Positive rate of the current window, observed and estimated without its labels.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub label_shift: Option<LabelShiftReport>,
    /// Data-quality checks (`quality.checks[]` with `id`, `status`, `detail`, `rows` as editor
    /// line numbers, `count`) of the log, or of the current file against the reference file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub quality: Option<crate::core::quality::QualityReport>,
    /// Ranked causes of a calibration change between two windows (two windows only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub diagnosis: Option<crate::core::diagnose::Diagnosis>,
    /// Recalibration maps fitted on the reference window and applied to the current one
    /// (two windows only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub recalibration: Option<RecalibrationReport>,
    /// Champion vs challenger score columns on the same rows (when challengers are mapped).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub models: Option<crate::core::metrics::compare_models::ModelsReport>,
    /// Calibration and AUC per segment value, per segment column (current window, or the whole
    /// log), worst first, with Benjamini–Hochberg q-values.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub segments: Vec<SegmentColumn>,
    /// The operational view over time and the alert levels derived from it (when a timestamp
    /// is mapped and readable; see `docs/monitoring.md`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operations: Option<OperationsReport>,
    /// Drift over time: the current window in chunks (by day, week or row count) against the
    /// reference window (two windows only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timeline: Option<crate::core::timeline::TimelineReport>,
    /// Rows per time bucket of the (reference) file's timestamp column, for the
    /// split-at-a-time picker (when a timestamp is mapped and readable).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time_histogram: Option<crate::core::timeline::TimeHistogram>,
    /// Acceptance gates and their results (when gates were given).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub gates: Option<Vec<crate::core::gates::GateResult>>,
    /// `pass` iff every gate passed (when gates were given).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub verdict: Option<crate::core::gates::Verdict>,
    /// The reviewer's sign-off, bound to the inputs' SHA-256 and the settings above.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signoff: Option<crate::core::export::SignOff>,
    /// Set when the input was a summary file (`docs/summary-input.md`): what it held, the
    /// bounds of the metrics computed from it, and a notice for people.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub summary: Option<crate::core::summary::SummaryInfo>,
    /// The parts of a provisional (first-pass) report that the complete pass is still
    /// computing, as stable keys ([`pending`]); empty, and absent from the JSON, in a complete
    /// report (the only kind the CLI and every export write). See `docs/worker.md`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub pending: Vec<String>,
}

impl Report {
    /// Whether this report is complete (no part is still being computed).
    pub fn is_complete(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether the part `key` (one of [`pending`]'s keys) is still being computed.
    pub fn is_pending(&self, key: &str) -> bool {
        self.pending.iter().any(|k| k == key)
    }
}

/// Stable keys of the parts a first-pass report leaves to the complete pass
/// (`Report::pending`). Window keys cover every window of the report.
pub mod pending {
    /// Bootstrap interval of the ECE (`windows.*.ece_ci`).
    pub const ECE_CI: &str = "ece_ci";
    /// Bootstrap interval of the smooth ECE (`windows.*.smooth_ece_ci`).
    pub const SMOOTH_ECE_CI: &str = "smooth_ece_ci";
    /// Bootstrap band of the smooth reliability curve (`windows.*.smooth_curve.lower/upper`).
    pub const SMOOTH_BAND: &str = "smooth_band";
    /// Logistic recalibration slope and intercept (`windows.*.calibration_slope/intercept`).
    pub const CALIBRATION_FIT: &str = "calibration_fit";
    /// Hosmer–Lemeshow statistic and p-value (`windows.*.hosmer_lemeshow*`; a sort per window).
    pub const HOSMER_LEMESHOW: &str = "hosmer_lemeshow";
    /// Data-quality checks (`quality`).
    pub const QUALITY: &str = "quality";
    /// Calibration and AUC per segment (`segments`).
    pub const SEGMENTS: &str = "segments";
    /// Champion vs challengers (`models`).
    pub const MODELS: &str = "models";
    /// The operational view (`operations`).
    pub const OPERATIONS: &str = "operations";
    /// Drift between the windows (`drift`).
    pub const DRIFT: &str = "drift";
    /// Drift over time (`timeline`).
    pub const TIMELINE: &str = "timeline";
    /// Label-shift estimates (`label_shift`).
    pub const LABEL_SHIFT: &str = "label_shift";
    /// The diagnosis of a calibration change (`diagnosis`).
    pub const DIAGNOSIS: &str = "diagnosis";
    /// The recalibration preview (`recalibration`).
    pub const RECALIBRATION: &str = "recalibration";
}

impl Report {
    /// Evaluate `gates` against this report and record the results and the verdict.
    pub fn apply_gates(&mut self, gates: &[crate::core::gates::Gate]) {
        let result = crate::core::gates::evaluate(self, gates);
        self.gates = Some(result.gates);
        self.verdict = Some(result.verdict);
    }

    /// The gate results as a [`crate::core::gates::GateReport`], if gates were applied.
    pub fn gate_report(&self) -> Option<crate::core::gates::GateReport> {
        Some(crate::core::gates::GateReport {
            gates: self.gates.clone()?,
            verdict: self.verdict?,
        })
    }
}

/// The operational view of the log(s) and the alert levels proposed from the reference.
///
/// Buckets cover whole files: the reference (or only) file, all of its rows, even when one log
/// is split into windows, so the levels describe the service as `plumb alerts` sees the same
/// file; and the current file when two files are compared.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OperationsReport {
    /// Per-bucket summary of the reference (or only) file.
    pub reference: crate::core::ops::OpsReport,
    /// Per-bucket summary of the current file (two files only), same granularity.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub current: Option<crate::core::ops::OpsReport>,
    /// Warning and critical levels from the reference's variation across buckets
    /// (`ops::alert_thresholds`: mean ± 2σ / 3σ).
    pub thresholds: Vec<crate::core::ops::AlertThreshold>,
    /// Granularities that may be chosen for this log (`settings.ops_granularity`), finest first.
    pub granularities: Vec<crate::core::ops::Granularity>,
    /// Whether a latency column was mapped.
    pub has_latency: bool,
    /// Whether a status (error) column was mapped.
    pub has_status: bool,
}

/// A preview of recalibration: each map fitted on one window and applied to another.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RecalibrationReport {
    /// The window the maps were fitted on (`reference`).
    pub fitted_on: String,
    /// The window they were applied to (`current`).
    pub applied_to: String,
    /// One entry per method, in a fixed order.
    pub methods: Vec<RecalibrationResult>,
    /// The method with the lowest log loss after recalibration (a strictly proper score), if
    /// any improves on doing nothing.
    pub recommended: Option<String>,
}

/// One recalibration map and what it does to the window it is applied to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RecalibrationResult {
    /// Method key: `platt`, `platt_logit`, `isotonic`, `temperature`, `beta`, `histogram`,
    /// `prior_correction`.
    pub method: String,
    /// The fitted map (serialisable; apply it elsewhere), or `null` when it could not be fitted.
    pub map: Option<crate::core::metrics::recalibrate::CalibrationMap>,
    /// Why the map could not be fitted.
    pub error: Option<String>,
    /// Metrics of the target window as it is.
    pub before: RecalibrationMetrics,
    /// Metrics after applying the map.
    pub after: Option<RecalibrationMetrics>,
    /// Reliability bins after applying the map (settings' binning).
    pub reliability_after: Vec<ReliabilityBin>,
}

/// The calibration metrics compared before and after recalibration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RecalibrationMetrics {
    /// ECE under the settings' binning.
    pub ece: Option<f64>,
    /// Smooth ECE.
    pub smooth_ece: Option<f64>,
    /// Brier score.
    pub brier_score: Option<f64>,
    /// Log loss.
    pub log_loss: Option<f64>,
}

/// Segment statistics of one segment column.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SegmentColumn {
    /// The segment column.
    pub column: String,
    /// One entry per value, worst first (see `docs/metrics/segments.md`).
    pub segments: Vec<crate::core::segments::SegmentStats>,
}

/// Drift between the reference and the current window.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DriftReport {
    /// One entry per feature column, the score and the label.
    pub columns: Vec<DriftColumn>,
}

/// Drift of one column. Statistics that do not apply to the column's kind are `null`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DriftColumn {
    /// Column name.
    pub name: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// What the column is: `score`, `label` or `feature`.
    pub role: String,
    /// Population stability index over reference-quantile bins (or categories).
    pub psi: Option<f64>,
    /// Jensen–Shannon distance, base 2.
    pub js_distance: Option<f64>,
    /// Two-sample Kolmogorov–Smirnov statistic (numeric).
    pub ks_statistic: Option<f64>,
    /// Its p-value, as `scipy.stats.ks_2samp` (numeric).
    pub ks_p_value: Option<f64>,
    /// Wasserstein-1 distance, as `scipy.stats.wasserstein_distance` (numeric).
    pub wasserstein: Option<f64>,
    /// Wasserstein-1 divided by the reference standard deviation (numeric).
    pub wasserstein_norm: Option<f64>,
    /// Chi-square test p-value of the category counts, as `scipy.stats.chi2_contingency`.
    pub chi2_p_value: Option<f64>,
    /// Share of missing values in the reference window.
    pub missing_rate_reference: f64,
    /// Share of missing values in the current window.
    pub missing_rate_current: f64,
    /// The method that decides `drifted` (see docs/metrics.md for the default rule).
    pub method: String,
    /// Where the method comes from: `default` (the rule), `all` (`settings.drift_method`) or
    /// `column` (`settings.drift_methods`).
    #[serde(default = "default_method_source")]
    pub method_source: String,
    /// The methods that apply to this column's kind (keys), for a method picker.
    #[serde(default)]
    pub methods: Vec<String>,
    /// That method's value.
    pub value: Option<f64>,
    /// That method's threshold.
    pub threshold: f64,
    /// Whether the column drifted by that method.
    pub drifted: bool,
    /// Both windows' distributions over shared bins (numeric: reference deciles; categorical:
    /// the top categories and "(other)"), as shares of each window's rows, for charts.
    #[serde(default)]
    pub distribution: Option<DriftDistribution>,
}

fn default_method_source() -> String {
    "default".into()
}

/// Shares of each window's rows per bin or category.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DriftDistribution {
    /// Numeric: bin edges, ascending (the outer edges are the smallest and largest value seen in
    /// either window). Empty for categorical columns.
    pub edges: Vec<f64>,
    /// Categorical: category names. Empty for numeric columns.
    pub categories: Vec<String>,
    /// Reference window share per bin or category.
    pub reference: Vec<f64>,
    /// Current window share per bin or category.
    pub current: Vec<f64>,
}

/// The current window's positive rate: observed, and estimated from scores alone.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LabelShiftReport {
    /// Positive rate of the reference window.
    pub prior_reference: Option<f64>,
    /// Positive rate of the current window, from its labels.
    pub prior_current_observed: Option<f64>,
    /// EM estimate (Saerens et al. 2002) from the current scores.
    pub prior_current_em: Option<f64>,
    /// Black-box shift estimate (Lipton et al. 2018) at the decision threshold.
    pub prior_current_bbse: Option<f64>,
}

/// The program that produced a report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Generator {
    /// `plumb` (CLI) or `plumb-web` (browser).
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// Files read and how their rows were used.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Input {
    /// One entry per input file, in the order given.
    pub files: Vec<InputFile>,
    /// The roles assigned to columns (detected or chosen by the user).
    pub columns: ColumnMapping,
}

/// One input file: identity, size, fingerprint and row accounting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct InputFile {
    /// File name as given by the user (no directories).
    pub name: String,
    /// Size in bytes as read (compressed size for `.gz`).
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the bytes as read.
    pub sha256: String,
    /// Data rows in the file (header excluded).
    pub rows: u64,
    /// Rows that entered the statistics.
    pub rows_used: u64,
    /// Rows left out, counted by reason key (see [`ExclusionReason`]).
    pub rows_excluded: BTreeMap<String, u64>,
    /// The first few line numbers (1-based, as a text editor shows them; the header is line 1)
    /// of rows excluded, by reason.
    pub excluded_examples: BTreeMap<String, Vec<u64>>,
    /// Detected dialect: delimiter as a string (`,` `;` `\t` `|`), gzip, BOM.
    pub dialect: Dialect,
}

/// The container of an input file, told by its first bytes (not by its name).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// Delimited text (CSV, TSV, ...), plain or gzip-compressed.
    #[default]
    Delimited,
    /// Apache Parquet (starts and ends with `PAR1`).
    Parquet,
    /// Arrow IPC, file (`ARROW1`) or stream (continuation marker `FF FF FF FF`) format.
    ArrowIpc,
}

/// How a delimited file was read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Dialect {
    /// The field delimiter.
    pub delimiter: String,
    /// Whether the bytes were gzip-compressed.
    pub gzip: bool,
    /// Whether a UTF-8 byte-order mark was stripped.
    pub bom: bool,
    /// The file's container; for Parquet and Arrow IPC, `delimiter` is empty and `gzip` and
    /// `bom` are false.
    #[serde(default)]
    pub format: InputFormat,
}

/// Why a row was excluded from the statistics. The `key` is what reports count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// The score cell is empty or a missing-value marker (NA, null, NaN, ...).
    MissingScore,
    /// The score cell is not a number.
    NonNumericScore,
    /// The score, after the chosen transform, is outside [0, 1] or not finite.
    ScoreOutOfRange,
    /// A challenger's score is missing, not a number, or outside [0, 1] after the transform
    /// (the row is left out for every model so the comparison stays paired).
    ChallengerScore,
    /// The label cell is empty or a missing-value marker.
    MissingLabel,
    /// The label is neither of the two classes.
    InvalidLabel,
    /// The row has a different number of fields from the header.
    RaggedRow,
    /// The window split needs a timestamp and the row has none that parses.
    MissingTimestamp,
    /// The row belongs to neither window of a split by column value.
    OutsideWindows,
}

impl ExclusionReason {
    /// Stable snake_case key used in reports.
    pub fn key(self) -> &'static str {
        match self {
            Self::MissingScore => "missing_score",
            Self::NonNumericScore => "non_numeric_score",
            Self::ScoreOutOfRange => "score_out_of_range",
            Self::ChallengerScore => "challenger_score_invalid",
            Self::MissingLabel => "missing_label",
            Self::InvalidLabel => "invalid_label",
            Self::RaggedRow => "ragged_row",
            Self::MissingTimestamp => "missing_timestamp",
            Self::OutsideWindows => "outside_windows",
        }
    }

    /// A short phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MissingScore => "score missing",
            Self::NonNumericScore => "score not a number",
            Self::ScoreOutOfRange => "score outside [0, 1]",
            Self::ChallengerScore => "challenger score missing, not a number or outside [0, 1]",
            Self::MissingLabel => "label missing",
            Self::InvalidLabel => "label not one of the two classes",
            Self::RaggedRow => "wrong number of fields",
            Self::MissingTimestamp => "timestamp missing (needed for the split)",
            Self::OutsideWindows => "in neither window of the split",
        }
    }

    /// Every reason, in display order.
    pub const ALL: [ExclusionReason; 9] = [
        Self::MissingScore,
        Self::NonNumericScore,
        Self::ScoreOutOfRange,
        Self::ChallengerScore,
        Self::MissingLabel,
        Self::InvalidLabel,
        Self::RaggedRow,
        Self::MissingTimestamp,
        Self::OutsideWindows,
    ];
}

/// How raw score values become probabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreTransform {
    /// Scores are probabilities in [0, 1] already.
    #[default]
    Identity,
    /// Scores are percentages in [0, 100]: p = s / 100.
    Percent,
    /// Scores are logits (log-odds): p = 1 / (1 + e^(−s)).
    Logit,
}

/// The role each column plays. Column names as in the header.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ColumnMapping {
    /// The predicted score column.
    pub score: Option<String>,
    /// How the score column is turned into a probability.
    pub score_transform: ScoreTransform,
    /// The outcome column.
    pub label: Option<String>,
    /// The label value counted as positive (as text, e.g. `1`, `true`, `yes`, `fraud`).
    pub positive_label: Option<String>,
    /// Prediction time.
    pub timestamp: Option<String>,
    /// Model version.
    pub model_version: Option<String>,
    /// Prediction or request identifier (used for duplicate checks, never a feature).
    pub id: Option<String>,
    /// The decision the system took (0/1 or two classes).
    pub decision: Option<String>,
    /// Low-cardinality grouping columns.
    pub segments: Vec<String>,
    /// Everything else: model inputs, monitored for drift.
    pub features: Vec<String>,
    /// Request latency in milliseconds (operational view only, never a feature).
    #[serde(default)]
    pub latency: Option<String>,
    /// HTTP status code or error flag (operational view only, never a feature).
    #[serde(default)]
    pub status: Option<String>,
    /// Further score columns of other models (challengers, shadow models) compared with the
    /// champion `score` on the same rows. Each is read with its entry in
    /// `challenger_transforms`, else the champion's `score_transform`; a row whose challenger
    /// score is unusable is excluded for every model (`challenger_score_invalid`), so the
    /// comparison stays paired.
    #[serde(default)]
    pub challengers: Vec<String>,
    /// A challenger's own score transform when it differs from the champion's (e.g. the
    /// champion logs probabilities, the challenger percentages). Absent (old reports and
    /// links): every challenger uses `score_transform`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub challenger_transforms: BTreeMap<String, ScoreTransform>,
}

impl ColumnMapping {
    /// The transform a challenger column is read with: its entry in `challenger_transforms`,
    /// else the champion's `score_transform`.
    pub fn challenger_transform(&self, column: &str) -> ScoreTransform {
        self.challenger_transforms
            .get(column)
            .copied()
            .unwrap_or(self.score_transform)
    }

    /// Sets a challenger's transform, keeping `challenger_transforms` minimal (an entry only
    /// where it differs from the champion's).
    pub fn set_challenger_transform(&mut self, column: &str, transform: ScoreTransform) {
        if transform == self.score_transform {
            self.challenger_transforms.remove(column);
        } else {
            self.challenger_transforms
                .insert(column.to_string(), transform);
        }
    }
}

/// Settings that shaped the numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// Number of reliability bins.
    pub bins: usize,
    /// Binning strategy.
    pub strategy: BinStrategy,
    /// Interval method for per-bin observed rates.
    pub interval: IntervalMethod,
    /// Confidence level of intervals (e.g. 0.95).
    pub confidence: f64,
    /// Decision threshold: positive iff score ≥ threshold.
    pub threshold: f64,
    /// How rows were split into windows.
    pub window: WindowSpec,
    /// Bootstrap resamples for the ECE and smooth-ECE intervals and the smooth band (0: none).
    #[serde(default = "default_bootstrap")]
    pub bootstrap: usize,
    /// Seed of the bootstrap (results are reproducible for a seed).
    #[serde(default)]
    pub seed: u64,
    /// Costs of decision outcomes, for expected cost and the cost-optimal threshold.
    #[serde(default)]
    pub costs: CostMatrix,
    /// Clamp applied to probabilities inside log loss: p ∈ [eps, 1 − eps]. Default: the f64
    /// machine epsilon, as scikit-learn ≥ 1.5 uses for float64 input.
    pub log_loss_eps: f64,
    /// Time-bucket width of the operational view; `None` (omitted): the finest the data allows
    /// (`ops::Granularity::auto`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ops_granularity: Option<crate::core::ops::Granularity>,
    /// How the current window is cut into chunks for drift over time (`report.timeline`).
    #[serde(default)]
    pub chunking: crate::core::timeline::Chunking,
    /// Drift method for every column it applies to, instead of the default rule (per-column
    /// overrides in `drift_methods` win).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_method: Option<crate::core::metrics::drift::DriftMethod>,
    /// Drift method per column name, overriding `drift_method` and the default rule. A method
    /// that does not apply to the column's kind (KS or Wasserstein on categories) is ignored.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub drift_methods: BTreeMap<String, crate::core::metrics::drift::DriftMethod>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bins: 10,
            strategy: BinStrategy::Uniform,
            interval: IntervalMethod::ClopperPearson,
            confidence: 0.95,
            threshold: 0.5,
            window: WindowSpec::All,
            bootstrap: default_bootstrap(),
            seed: 0,
            costs: CostMatrix::default(),
            log_loss_eps: f64::EPSILON,
            ops_granularity: None,
            chunking: crate::core::timeline::Chunking::default(),
            drift_method: None,
            drift_methods: BTreeMap::new(),
        }
    }
}

fn default_bootstrap() -> usize {
    200
}

/// How the rows of one or two logs become windows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WindowSpec {
    /// One log analysed alone (`windows.all`).
    #[default]
    All,
    /// Two files: the first is the reference, the second the current window.
    TwoFiles,
    /// One log split by time: rows strictly before `timestamp` are the reference.
    SplitAt {
        /// ISO 8601 or epoch seconds, as given.
        timestamp: String,
    },
    /// One log split in time order: the first `fraction` of rows are the reference.
    SplitFraction {
        /// In (0, 1).
        fraction: f64,
    },
    /// One log split by a column's value.
    SplitColumn {
        /// The column.
        column: String,
        /// Its value for reference rows.
        reference: String,
        /// Its value for current rows.
        current: String,
    },
}

/// Reliability binning, as scikit-learn's `calibration_curve(strategy=...)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinStrategy {
    /// Equal-width bins over [0, 1].
    #[default]
    Uniform,
    /// Equal-mass bins at score quantiles.
    Quantile,
}

/// Confidence interval for a binomial proportion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalMethod {
    /// Exact (Clopper–Pearson) interval from Beta quantiles.
    #[default]
    ClopperPearson,
    /// Wilson score interval.
    Wilson,
}

/// Metrics per window. A single log is `all`; a comparison is `reference` and `current`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Windows {
    /// The whole log, when analysed alone.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub all: Option<WindowReport>,
    /// The reference window of a comparison.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reference: Option<WindowReport>,
    /// The current window of a comparison.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub current: Option<WindowReport>,
}

/// Everything computed for one window of rows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct WindowReport {
    /// Rows used.
    pub n: u64,
    /// Rows with label 1.
    pub positives: u64,
    /// positives / n.
    pub positive_rate: Option<f64>,
    /// Mean predicted probability.
    pub mean_score: Option<f64>,
    /// Area under the ROC curve (ties count ½), as `sklearn.metrics.roc_auc_score`.
    pub roc_auc: Option<f64>,
    /// DeLong confidence interval of the AUC at `settings.confidence`.
    pub roc_auc_ci: Option<[f64; 2]>,
    /// Average precision, as `sklearn.metrics.average_precision_score`.
    pub average_precision: Option<f64>,
    /// Logit interval of the average precision at `settings.confidence` (Boyd, Eng & Page
    /// 2013): `expit(logit(AP) ± z/√(P·AP·(1 − AP)))`; `null` when AP is 0 or 1.
    #[serde(default)]
    pub average_precision_ci: Option<[f64; 2]>,
    /// Mean squared error of the probability, as `sklearn.metrics.brier_score_loss`.
    pub brier_score: Option<f64>,
    /// Murphy decomposition of the Brier score over the reliability bins.
    pub brier_decomposition: Option<BrierDecomposition>,
    /// Mean negative log-likelihood, as `sklearn.metrics.log_loss` (clipped at eps).
    pub log_loss: Option<f64>,
    /// Expected calibration error: Σ_b (n_b/n)·|mean score_b − rate_b|.
    pub ece: Option<f64>,
    /// Maximum calibration error: max_b |mean score_b − rate_b|.
    pub mce: Option<f64>,
    /// Root-mean-square calibration error: √(Σ_b (n_b/n)·(mean score_b − rate_b)²).
    pub rmsce: Option<f64>,
    /// netcal's average calibration error: unweighted mean over non-empty bins.
    pub ace: Option<f64>,
    /// Smooth ECE (Błasiok & Nakkiran 2023), as `relplot.smECE`.
    pub smooth_ece: Option<f64>,
    /// Seeded percentile-bootstrap interval of the ECE (`settings.bootstrap` resamples).
    #[serde(default)]
    pub ece_ci: Option<[f64; 2]>,
    /// Seeded percentile-bootstrap interval of the smooth ECE, at the full sample's bandwidth.
    #[serde(default)]
    pub smooth_ece_ci: Option<[f64; 2]>,
    /// The smoothed reliability curve (relplot's kernel smoother) with its bootstrap band.
    #[serde(default)]
    pub smooth_curve: Option<SmoothCurveReport>,
    /// Mean score − positive rate (calibration-in-the-large).
    pub calibration_in_the_large: Option<f64>,
    /// Observed / expected: positive rate ÷ mean score.
    pub observed_expected_ratio: Option<f64>,
    /// Slope of the logistic recalibration fit of the label on logit(score).
    pub calibration_slope: Option<f64>,
    /// Intercept of the same fit.
    pub calibration_intercept: Option<f64>,
    /// Hosmer–Lemeshow statistic over 10 equal-mass groups.
    pub hosmer_lemeshow: Option<f64>,
    /// Its p-value, χ² with g − 2 degrees of freedom.
    pub hosmer_lemeshow_p_value: Option<f64>,
    /// Spiegelhalter's Z statistic.
    pub spiegelhalter_z: Option<f64>,
    /// Its two-sided p-value.
    pub spiegelhalter_p_value: Option<f64>,
    /// Kolmogorov–Smirnov separation between score | y=1 and score | y=0.
    pub ks_separation: Option<f64>,
    /// Reliability diagram bins (empty bins omitted, as scikit-learn does).
    pub reliability: Vec<ReliabilityBin>,
    /// Score histogram (20 equal-width bins over [0, 1]) split by label, for charts.
    pub histogram: ScoreHistogram,
    /// Confusion matrix and rates at `settings.threshold`.
    pub at_threshold: Option<ThresholdPoint>,
    /// ROC curve (thinned for charts to at most ~1000 points, exact vertices kept in order).
    #[serde(default)]
    pub roc_curve: Option<CurvePoints>,
    /// Precision–recall curve (same thinning).
    #[serde(default)]
    pub pr_curve: Option<CurvePoints>,
    /// Exact confusion counts and rates at thresholds 0, 0.01, …, 1 (for threshold charts).
    #[serde(default)]
    pub sweep: Vec<ThresholdPoint>,
    /// Optimal thresholds by the default rules, under `settings.costs`.
    #[serde(default)]
    pub optimal_thresholds: Vec<OptimalThresholdReport>,
}

/// The Murphy (1973) decomposition: Brier ≈ reliability − resolution + uncertainty.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct BrierDecomposition {
    /// Σ_b (n_b/n)(mean score_b − rate_b)².
    pub reliability: f64,
    /// Σ_b (n_b/n)(rate_b − rate)².
    pub resolution: f64,
    /// rate(1 − rate).
    pub uncertainty: f64,
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ReliabilityBin {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge of the bin.
    pub upper: f64,
    /// Rows in the bin.
    pub count: u64,
    /// Positives in the bin.
    pub positives: u64,
    /// Mean predicted probability in the bin.
    pub mean_score: f64,
    /// positives / count.
    pub observed_rate: f64,
    /// Lower end of the interval for the observed rate.
    pub ci_lower: f64,
    /// Upper end of the interval for the observed rate.
    pub ci_upper: f64,
}

/// Counts of scores in equal-width bins over [0, 1], by label.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ScoreHistogram {
    /// Bin edges, length bins + 1.
    pub edges: Vec<f64>,
    /// Rows with label 0 per bin.
    pub negatives: Vec<u64>,
    /// Rows with label 1 per bin.
    pub positives: Vec<u64>,
}

/// Confusion matrix and derived rates at one threshold (positive iff score ≥ threshold).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ThresholdPoint {
    /// The threshold.
    pub threshold: f64,
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// True negatives.
    pub tn: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
    /// tp / (tp + fp).
    pub precision: Option<f64>,
    /// tp / (tp + fn).
    pub recall: Option<f64>,
    /// tn / (tn + fp).
    pub specificity: Option<f64>,
    /// fp / (fp + tn).
    pub fpr: Option<f64>,
    /// 2·precision·recall / (precision + recall).
    pub f1: Option<f64>,
    /// (tp + tn) / n.
    pub accuracy: Option<f64>,
    /// (recall + specificity) / 2.
    pub balanced_accuracy: Option<f64>,
    /// Matthews correlation coefficient.
    pub mcc: Option<f64>,
    /// (tp + fp) / n.
    pub predicted_positive_rate: Option<f64>,
    /// Expected cost per row under `settings.costs`.
    #[serde(default)]
    pub expected_cost: Option<f64>,
    /// Net benefit (Vickers & Elkin 2006): tp/n − fp/n · t/(1 − t).
    #[serde(default)]
    pub net_benefit: Option<f64>,
}

/// Cost per row of each decision outcome (negative for a benefit).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CostMatrix {
    /// Cost of a false positive.
    pub fp: f64,
    /// Cost of a false negative.
    #[serde(rename = "fn")]
    pub fn_: f64,
    /// Cost of a true positive.
    pub tp: f64,
    /// Cost of a true negative.
    pub tn: f64,
}

impl Default for CostMatrix {
    fn default() -> Self {
        Self {
            fp: 1.0,
            fn_: 1.0,
            tp: 0.0,
            tn: 0.0,
        }
    }
}

/// relplot's smoothed reliability curve at bandwidth `sigma`, with a pointwise bootstrap band.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SmoothCurveReport {
    /// The kernel bandwidth (the smooth-ECE fixed point).
    pub sigma: f64,
    /// Scores at which the curve is evaluated.
    pub x: Vec<f64>,
    /// Smoothed observed rate.
    pub y: Vec<f64>,
    /// Lower edge of the band.
    pub lower: Vec<f64>,
    /// Upper edge of the band.
    pub upper: Vec<f64>,
}

/// A curve for charts: x and y of equal length.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CurvePoints {
    /// x values (FPR for ROC, recall for PR).
    pub x: Vec<f64>,
    /// y values (TPR for ROC, precision for PR).
    pub y: Vec<f64>,
}

/// A threshold picked by a rule, and what it achieves.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct OptimalThresholdReport {
    /// Rule key: `max_f1`, `max_youden`, `min_expected_cost`.
    pub rule: String,
    /// The threshold (`null` = predict nothing positive).
    pub threshold: Option<f64>,
    /// The rule's objective at that threshold.
    pub value: f64,
}
