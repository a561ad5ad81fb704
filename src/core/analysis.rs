//! Assembles a [`Report`] from loaded files, a column mapping and settings.
//!
//! This is the one place where the pipeline's steps meet: ingest → schema (roles and
//! exclusions) → windows → metrics → report. The browser and the CLI both call it, so they
//! produce the same JSON for the same input and settings.

use std::borrow::Cow;

use crate::core::error::PlumbError;
use crate::core::ingest::{self, Table};
use crate::core::metrics::compare_models::{self, ModelsReport};
use crate::core::metrics::{
    binned_bootstrap, calibration, drift, label_shift, ranking, row_pass, smooth, threshold,
};
use crate::core::quality::{self, ColumnMissing, QualityInput, QualityReport};
use crate::core::report::{
    ColumnMapping, CurvePoints, Dialect, DriftColumn, DriftDistribution, DriftReport,
    ExclusionReason, Generator, Input, InputFile, LabelShiftReport, OperationsReport,
    OptimalThresholdReport, RecalibrationMetrics, RecalibrationReport, RecalibrationResult,
    ReliabilityBin, Report, SCHEMA, ScoreHistogram, SegmentColumn, Settings, SmoothCurveReport,
    ThresholdPoint, WindowReport, WindowSpec, Windows,
};
use crate::core::schema::{self, Prepared};
use crate::core::segments;
use crate::core::timeline::{self, ColumnValues, DriftInput, TimelineInput, TimelineReport};

/// Equal-width bins of the score histogram carried in every window (for charts).
pub const HISTOGRAM_BINS: usize = 20;

/// A file read and parsed, with its identity.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFile {
    /// File name as given (no directories).
    pub name: String,
    /// Size in bytes as read.
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Data rows (ragged rows included).
    pub rows: u64,
    /// How the file was read.
    pub dialect: Dialect,
    /// Things a person should know about how the file was read.
    pub warnings: Vec<String>,
    /// The typed columns.
    pub table: Table,
}

impl LoadedFile {
    /// The file `name` of `bytes` bytes with fingerprint `sha256` (empty while it is computed
    /// elsewhere), parsed into `table`: its rows count the ragged ones too, and its dialect and
    /// warnings are the table's.
    pub fn of_table(name: String, bytes: u64, sha256: String, table: Table) -> Self {
        Self {
            name,
            bytes,
            sha256,
            rows: table.n_rows as u64 + table.ragged_lines.len() as u64,
            dialect: table.dialect.clone(),
            warnings: table.warnings.clone(),
            table,
        }
    }

    /// Column names in file order.
    pub fn column_names(&self) -> Vec<String> {
        self.table.headers.clone()
    }
}

/// Fingerprint and parse one file (plain or gzip-compressed CSV/TSV). The same as feeding
/// the bytes to a [`crate::core::stream::FileLoader`] in one chunk.
pub fn load_file(name: &str, bytes: &[u8]) -> Result<LoadedFile, PlumbError> {
    let mut loader = crate::core::stream::FileLoader::new(name);
    loader.expect_bytes(bytes.len() as u64);
    loader.push(bytes)?;
    loader.finish()
}

/// Lower-case hexadecimal of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Detect column roles by name and content.
pub fn detect_mapping(file: &LoadedFile) -> ColumnMapping {
    // A summary file's columns are fixed by its format: no per-row roles to detect.
    if crate::core::summary::is_summary(file) {
        return ColumnMapping::default();
    }
    schema::detect_mapping(&file.table)
}

/// Fill in what a partly user-given mapping leaves open (today: nothing beyond what
/// `schema::prepare` resolves itself, such as the default positive class).
pub fn complete_mapping(file: &LoadedFile, mapping: &mut ColumnMapping) {
    if mapping.positive_label.is_none()
        && let Some(label) = mapping.label.as_deref()
    {
        let detected = schema::detect_mapping(&file.table);
        if detected.label.as_deref() == Some(label) {
            mapping.positive_label = detected.positive_label;
        }
    }
}

/// The distinct values of a label column, for the positive-class picker (empty on error).
pub fn label_classes(file: &LoadedFile, column: &str) -> Vec<String> {
    schema::label_classes(&file.table, column).unwrap_or_default()
}

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The log (the reference window when two files are compared).
    pub reference: &'a LoadedFile,
    /// The current window's file, for [`WindowSpec::TwoFiles`].
    pub current: Option<&'a LoadedFile>,
    /// Column roles (the current file is read with the reference file's roles).
    pub mapping: &'a ColumnMapping,
    /// Settings; `settings.window` is replaced by `window`.
    pub settings: &'a Settings,
    /// How rows become windows.
    pub window: WindowSpec,
    /// The current time in epoch seconds (for "timestamps in the future"); `None` skips that
    /// part of the check. Passed in because the browser has no system clock API in Rust.
    pub now: Option<f64>,
    /// How much to compute: the browser asks for [`Depth::First`], then [`Depth::Complete`].
    pub depth: Depth,
}

/// How much of the report one pass computes. The browser shows a first answer at once and
/// swaps in the complete report when it lands (`docs/worker.md`); the CLI and every export
/// use the complete report only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Depth {
    /// Every exact point estimate the Overview, Calibration and Thresholds views need (counts,
    /// AUC with its DeLong interval, AP, Brier, log loss, the ECE family, reliability bins with
    /// their closed-form intervals, smooth ECE and curve, the sweep, ROC/PR, optimal
    /// thresholds), each equal to the complete report's. Left out, and named in
    /// [`Report::pending`]: bootstrap intervals and band, the logistic recalibration fit (an
    /// iterative fit over every row: 40 % of the window at 1M rows), the Hosmer–Lemeshow test
    /// (a sort of every row), and the sections of the other views (quality, segments,
    /// models, operations, and everything that compares two windows).
    First,
    /// The whole report: exactly what the CLI writes.
    #[default]
    Complete,
}

/// Analyse one log alone (the browser's default view).
pub fn analyze_single(
    file: &LoadedFile,
    mapping: &ColumnMapping,
    settings: &Settings,
    generator: &str,
) -> Result<Report, PlumbError> {
    analyze(
        &Request {
            reference: file,
            current: None,
            mapping,
            settings,
            window: WindowSpec::All,
            now: None,
            depth: Depth::Complete,
        },
        generator,
    )
}

/// Build the report for a request.
pub fn analyze(request: &Request<'_>, generator: &str) -> Result<Report, PlumbError> {
    analyze_with_sweep(request, generator).map(|(report, _)| report)
}

/// [`analyze`], also returning the exact threshold sweep of the whole log when the window is
/// [`WindowSpec::All`] over rows (`None` otherwise, or with one class only): the sweep the
/// window's metrics were computed from, so the worker hands it to the page without sorting the
/// scores a second time.
pub fn analyze_with_sweep(
    request: &Request<'_>,
    generator: &str,
) -> Result<(Report, Option<threshold::Sweep>), PlumbError> {
    analyze_staged(request, generator, None).map(|staged| (staged.report, staged.sweep))
}

/// What [`analyze_staged`] gives: the report, the whole log's exact sweep as in
/// [`analyze_with_sweep`], and, from a [`Depth::First`] pass over [`WindowSpec::All`] rows,
/// the window its complete pass can start from.
#[derive(Debug)]
pub struct Staged {
    /// The report at the request's depth.
    pub report: Report,
    /// The whole log's exact sweep (see [`analyze_with_sweep`]); `None` when `prior` was used.
    pub sweep: Option<threshold::Sweep>,
    /// A first pass's rows and whole-log window, for the complete pass of the same request.
    pub first: Option<FirstPass>,
}

/// [`analyze_with_sweep`] in two stages: a [`Depth::Complete`] request given `prior` (the
/// [`Staged::first`] of a [`Depth::First`] pass of the same file, mapping, settings and
/// [`WindowSpec::All`]) adds to that window only what the first pass left out, and so does not
/// rank the scores or compute the first pass's metrics a second time (the worker's complete
/// report after its first answer). The caller keeps `prior` to its request: the report equals
/// the one computed without it (`tests/progressive.rs`). `prior` is ignored at
/// [`Depth::First`] and for other windows.
pub fn analyze_staged(
    request: &Request<'_>,
    generator: &str,
    prior: Option<FirstPass>,
) -> Result<Staged, PlumbError> {
    // A summary file (`docs/summary-input.md`) carries its own windows and no rows.
    if crate::core::summary::is_summary(request.reference) {
        return crate::core::summary::report_from_summary(
            request.reference,
            request.settings,
            generator,
        )
        .map(|report| Staged {
            report,
            sweep: None,
            first: None,
        });
    }
    let mut settings = request.settings.clone();
    settings.window = request.window.clone();
    validate_settings(&settings)?;

    let first = request.depth == Depth::First;
    let prior = prior.filter(|_| !first && settings.window == WindowSpec::All);
    let (reference, prior_window, prior_histogram) = match prior {
        Some(p) => (p.prepared, Some(p.window), Some(p.time_histogram)),
        None => {
            let prepared = schema::prepare(&request.reference.table, request.mapping)?;
            (prepared, None, None)
        }
    };
    let mut mapping = request.mapping.clone();
    mapping.positive_label = Some(reference.positive_label.clone());

    let mut files = Vec::new();
    let mut sweep = None;
    let mut first_all = None;
    let quality = match (&settings.window, request.current) {
        _ if first => None,
        (WindowSpec::TwoFiles, Some(current)) => quality_of(
            current,
            &mapping,
            &settings,
            Some(request.reference),
            request.now,
        ),
        _ => quality_of(request.reference, &mapping, &settings, None, request.now),
    };

    let comparison = match &settings.window {
        WindowSpec::All => {
            files.push(input_file(request.reference, &reference, &[]));
            let all = Split::from_all(&reference, &request.reference.table);
            let (scores, labels) = (&all.scores[..], &all.labels[..]);
            let report = match prior_window {
                Some(prior) => complete_window(prior, scores, labels, &settings),
                _ => {
                    let (window, all_sweep) = first_window(scores, labels, &settings);
                    sweep = all_sweep;
                    if first {
                        first_all = Some(window.clone());
                        window.report
                    } else {
                        complete_window(window, scores, labels, &settings)
                    }
                }
            };
            let windows = Windows {
                all: Some(report),
                ..Windows::default()
            };
            if first {
                Comparison {
                    windows,
                    ..Comparison::default()
                }
            } else {
                Comparison {
                    windows,
                    segments: segments_of(&mapping, &all, settings.confidence),
                    models: models_of(&mapping, &settings, &all, "all"),
                    ..Comparison::default()
                }
            }
        }
        WindowSpec::TwoFiles => {
            let current_file = request.current.ok_or_else(|| PlumbError::InvalidSetting {
                setting: "window".into(),
                value: "two files".into(),
                expected: "a second (current) file".into(),
            })?;
            let current = schema::prepare(&current_file.table, &mapping)?;
            files.push(input_file(request.reference, &reference, &[]));
            files.push(input_file(current_file, &current, &[]));
            compare(
                &mapping,
                &settings,
                &Split::from_all(&reference, &request.reference.table),
                &Split::from_all(&current, &current_file.table),
                quality.as_ref(),
                request.depth,
            )
        }
        spec => {
            let table = &request.reference.table;
            let (r, c, extra) = split_one(table, &mapping, &reference, spec)?;
            files.push(input_file(request.reference, &reference, &extra));
            compare(&mapping, &settings, &r, &c, quality.as_ref(), request.depth)
        }
    };

    let operations = if first {
        None
    } else {
        operations_section(
            request.reference,
            request
                .current
                .filter(|_| settings.window == WindowSpec::TwoFiles),
            &mapping,
            &settings,
        )?
    };
    let pending = if first {
        pending_of(&mapping, &settings, &comparison.windows)
    } else {
        Vec::new()
    };

    let time_histogram =
        prior_histogram.unwrap_or_else(|| time_histogram(request.reference, &mapping));
    let first_pass = first_all.map(|window| FirstPass {
        prepared: reference,
        window,
        time_histogram: time_histogram.clone(),
    });
    let report = Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: generator.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        input: Input {
            files,
            columns: mapping,
        },
        settings,
        windows: comparison.windows,
        drift: comparison.drift,
        label_shift: comparison.label_shift,
        quality,
        diagnosis: comparison.diagnosis,
        recalibration: comparison.recalibration,
        segments: comparison.segments,
        operations,
        timeline: comparison.timeline,
        models: comparison.models,
        time_histogram,
        gates: None,
        verdict: None,
        signoff: None,
        summary: None,
        pending,
    };
    Ok(Staged {
        report,
        sweep,
        first: first_pass,
    })
}

/// The keys of what a first pass leaves out (`Report::pending`): only parts the complete pass
/// computes for these roles, settings and windows, so a view shows "computing…" exactly where
/// something is coming.
fn pending_of(mapping: &ColumnMapping, settings: &Settings, windows: &Windows) -> Vec<String> {
    use crate::core::report::pending;
    let two = windows.all.is_none();
    let rows = [&windows.all, &windows.reference, &windows.current]
        .into_iter()
        .flatten()
        .any(|w| w.n > 0);
    let smooth = [&windows.all, &windows.reference, &windows.current]
        .into_iter()
        .flatten()
        .any(|w| w.smooth_curve.is_some());
    let boot = rows && settings.bootstrap > 0;
    [
        (pending::ECE_CI, boot),
        (pending::SMOOTH_ECE_CI, boot && smooth),
        (pending::SMOOTH_BAND, boot && smooth),
        (pending::CALIBRATION_FIT, rows),
        (pending::HOSMER_LEMESHOW, rows),
        (pending::QUALITY, true),
        (pending::SEGMENTS, !mapping.segments.is_empty()),
        (pending::MODELS, !mapping.challengers.is_empty()),
        (pending::OPERATIONS, mapping.timestamp.is_some()),
        (pending::DRIFT, two),
        (pending::TIMELINE, two),
        (pending::LABEL_SHIFT, two),
        (pending::DIAGNOSIS, two),
        (pending::RECALIBRATION, two),
    ]
    .into_iter()
    .filter(|(_, coming)| *coming)
    .map(|(key, _)| key.to_string())
    .collect()
}

/// Per-row inputs of the data-quality checks for one file: the table's own score and
/// timestamp vectors where they already are what the checks read (an identity transform, a
/// timestamp column), else owned copies.
struct QualityColumns<'t> {
    scores: Cow<'t, [f64]>,
    labels: Vec<Option<u8>>,
    timestamps: Option<Cow<'t, [f64]>>,
    ids: Option<Vec<u64>>,
    decisions: Option<Vec<Option<u8>>>,
    missing: Vec<ColumnMissing>,
}

impl<'t> QualityColumns<'t> {
    fn of(file: &'t LoadedFile, mapping: &ColumnMapping) -> Option<Self> {
        let table = &file.table;
        let score = table.column(mapping.score.as_deref()?)?;
        let identity = mapping.score_transform == crate::core::report::ScoreTransform::Identity;
        // `number(row)` is the numeric vector's value, NaN past its end (a text column).
        let scores = if identity && score.numeric().len() == table.n_rows {
            Cow::Borrowed(score.numeric())
        } else {
            (0..table.n_rows)
                .map(|row| schema::apply_transform(score.number(row), mapping.score_transform))
                .collect()
        };
        let labels = schema::binary_values(
            table,
            mapping.label.as_deref()?,
            mapping.positive_label.as_deref(),
        )
        .map(|(v, _)| v)
        .ok()?;
        // `schema::column_times`, borrowing a timestamp column's seconds instead of copying.
        let timestamps = mapping
            .timestamp
            .as_deref()
            .and_then(|name| table.column(name))
            .and_then(|column| match column.timestamps() {
                Some(t) if column.kind() == ingest::ColumnKind::Timestamp => Some(Cow::Borrowed(t)),
                _ => schema::column_times(column).map(Cow::Owned),
            });
        let ids = mapping
            .id
            .as_deref()
            .and_then(|name| table.column(name))
            .map(|col| {
                if let Some(hashes) = col.text_hashes() {
                    hashes.to_vec()
                } else if let Some(times) = col.timestamps() {
                    times.iter().map(|&t| ingest::instant_hash(t)).collect()
                } else if col.dictionary().is_some() {
                    (0..table.n_rows)
                        .map(|row| match col.text(row) {
                            Some(t) if !col.is_missing(row) => ingest::text_hash(t.as_bytes()),
                            _ => 0,
                        })
                        .collect()
                } else {
                    // Numeric ids: the value's bits identify it (0 stays "missing").
                    col.numeric()
                        .iter()
                        .map(|v| if v.is_nan() { 0 } else { v.to_bits() | 1 })
                        .collect()
                }
            });
        let decisions = mapping
            .decision
            .as_deref()
            .and_then(|name| schema::binary_values(table, name, None).ok())
            .map(|(v, _)| v);
        let missing = table
            .columns
            .iter()
            .map(|c| ColumnMissing {
                name: c.name.clone(),
                missing: c.missing_count(),
                total: table.n_rows as u64,
            })
            .collect();
        Some(Self {
            scores,
            labels,
            timestamps,
            ids,
            decisions,
            missing,
        })
    }

    fn input(&self, settings: &Settings, now: Option<f64>) -> QualityInput<'_> {
        let mut input = QualityInput::new(&self.scores, &self.labels);
        input.timestamps = self.timestamps.as_deref();
        input.ids = self.ids.as_deref();
        input.decisions = self.decisions.as_deref();
        input.threshold = settings.threshold;
        input.confidence = settings.confidence;
        input.now = now;
        input.columns = self.missing.clone();
        input
    }
}

/// The data-quality checks of `file` (against `reference` when two files are compared), with
/// the rows involved given as editor line numbers.
fn quality_of(
    file: &LoadedFile,
    mapping: &ColumnMapping,
    settings: &Settings,
    reference: Option<&LoadedFile>,
    now: Option<f64>,
) -> Option<QualityReport> {
    let current = QualityColumns::of(file, mapping)?;
    let reference = reference.and_then(|r| QualityColumns::of(r, mapping));
    let reference_input = reference.as_ref().map(|r| r.input(settings, now));
    let mut report =
        quality::run_checks(&current.input(settings, now), reference_input.as_ref()).ok()?;
    for check in &mut report.checks {
        for row in &mut check.rows {
            *row = file.table.line_of_row(*row as usize);
        }
    }
    Some(report)
}

/// Everything computed from the window(s), before it is put into the report.
#[derive(Default)]
struct Comparison {
    windows: Windows,
    drift: Option<DriftReport>,
    label_shift: Option<LabelShiftReport>,
    diagnosis: Option<crate::core::diagnose::Diagnosis>,
    recalibration: Option<RecalibrationReport>,
    segments: Vec<SegmentColumn>,
    timeline: Option<TimelineReport>,
    models: Option<ModelsReport>,
}

/// Metrics of both windows and everything that compares them: drift, label shift, the
/// diagnosis, the recalibration preview, and segments of the current window.
fn compare(
    mapping: &ColumnMapping,
    settings: &Settings,
    reference: &Split<'_>,
    current: &Split<'_>,
    quality: Option<&QualityReport>,
    depth: Depth,
) -> Comparison {
    let windows = Windows {
        reference: Some(window_report_at(
            &reference.scores,
            &reference.labels,
            settings,
            depth,
        )),
        current: Some(window_report_at(
            &current.scores,
            &current.labels,
            settings,
            depth,
        )),
        ..Windows::default()
    };
    if depth == Depth::First {
        return Comparison {
            windows,
            ..Comparison::default()
        };
    }
    let drift = drift_between(mapping, settings, reference, current);
    let timeline = timeline_between(mapping, settings, reference, current, &drift);
    let label_shift = label_shift_between(reference, current, settings.threshold);
    let diagnosis = diagnose_between(mapping, settings, reference, current, &drift, quality);
    let recalibration =
        recalibration_preview(reference, current, label_shift.prior_current_em, settings);
    Comparison {
        windows,
        segments: segments_of(mapping, current, settings.confidence),
        timeline: Some(timeline),
        models: models_of(mapping, settings, current, "current"),
        drift: Some(drift),
        label_shift: Some(label_shift),
        diagnosis: Some(diagnosis),
        recalibration: Some(recalibration),
    }
}

/// The report as pretty JSON (the one serializer of the browser export and the CLI).
pub fn report_json(report: &Report) -> Result<String, PlumbError> {
    serde_json::to_string_pretty(report).map_err(|e| PlumbError::InvalidSetting {
        setting: "report".into(),
        value: e.to_string(),
        expected: "a serialisable report".into(),
    })
}

fn validate_settings(settings: &Settings) -> Result<(), PlumbError> {
    let bad = |setting: &str, value: String, expected: &str| {
        Err(PlumbError::InvalidSetting {
            setting: setting.into(),
            value,
            expected: expected.into(),
        })
    };
    if settings.bins == 0 || settings.bins > 10_000 {
        return bad(
            "bins",
            settings.bins.to_string(),
            "a whole number from 1 to 10000",
        );
    }
    if !(settings.threshold.is_finite() && (0.0..=1.0).contains(&settings.threshold)) {
        return bad(
            "threshold",
            settings.threshold.to_string(),
            "a number in [0, 1]",
        );
    }
    if !(settings.confidence > 0.0 && settings.confidence < 1.0) {
        return bad(
            "confidence",
            settings.confidence.to_string(),
            "a number in (0, 1)",
        );
    }
    Ok(())
}

/// The account of one file: identity and rows used/excluded (with extra exclusions from a
/// window split).
fn input_file(
    file: &LoadedFile,
    prepared: &Prepared,
    extra: &[(ExclusionReason, u64, Vec<u64>)],
) -> InputFile {
    let mut rows_excluded = prepared.excluded_by_key();
    let mut excluded_examples = prepared.examples_by_key();
    let mut extra_total = 0;
    for (reason, count, lines) in extra {
        if *count == 0 {
            continue;
        }
        extra_total += count;
        *rows_excluded.entry(reason.key().to_string()).or_default() += count;
        excluded_examples
            .entry(reason.key().to_string())
            .or_default()
            .extend(lines.iter().copied());
    }
    InputFile {
        name: file.name.clone(),
        bytes: file.bytes,
        sha256: file.sha256.clone(),
        rows: prepared.rows_total,
        rows_used: prepared.rows_used() - extra_total,
        rows_excluded,
        excluded_examples,
        dialect: file.dialect.clone(),
    }
}

/// One window's rows: scores, labels, and the table rows they came from. A window that is the
/// whole prepared log borrows its vectors (no copy: 13 bytes a row less at the analysis's
/// peak); a split owns the rows it picked.
struct Split<'t> {
    scores: Cow<'t, [f64]>,
    labels: Cow<'t, [u8]>,
    rows: Cow<'t, [u32]>,
    table: &'t Table,
}

impl<'t> Split<'t> {
    fn from_all(prepared: &'t Prepared, table: &'t Table) -> Self {
        Split {
            scores: Cow::Borrowed(&prepared.scores),
            labels: Cow::Borrowed(&prepared.labels),
            rows: Cow::Borrowed(&prepared.rows),
            table,
        }
    }

    fn from_indices(prepared: &Prepared, table: &'t Table, indices: &[usize]) -> Self {
        Split {
            scores: indices.iter().map(|&i| prepared.scores[i]).collect(),
            labels: indices.iter().map(|&i| prepared.labels[i]).collect(),
            rows: indices.iter().map(|&i| prepared.rows[i]).collect(),
            table,
        }
    }
}

type Extra = Vec<(ExclusionReason, u64, Vec<u64>)>;

/// Split one prepared log into reference and current windows.
fn split_one<'t>(
    table: &'t Table,
    mapping: &ColumnMapping,
    prepared: &Prepared,
    spec: &WindowSpec,
) -> Result<(Split<'t>, Split<'t>, Extra), PlumbError> {
    let mut reference = Vec::new();
    let mut current = Vec::new();
    let mut extra: Extra = Vec::new();
    match spec {
        WindowSpec::SplitAt { timestamp } => {
            let cut = parse_cut(timestamp)?;
            let times = timestamps(table, mapping)?;
            let mut missing = (0u64, Vec::new());
            for (i, &row) in prepared.rows.iter().enumerate() {
                let t = times[row as usize];
                if t.is_nan() {
                    missing.0 += 1;
                    if missing.1.len() < 5 {
                        missing.1.push(table.line_of_row(row as usize));
                    }
                } else if t < cut {
                    reference.push(i);
                } else {
                    current.push(i);
                }
            }
            extra.push((ExclusionReason::MissingTimestamp, missing.0, missing.1));
        }
        WindowSpec::SplitFraction { fraction } => {
            if !(*fraction > 0.0 && *fraction < 1.0) {
                return Err(PlumbError::InvalidSetting {
                    setting: "split fraction".into(),
                    value: fraction.to_string(),
                    expected: "a number strictly between 0 and 1".into(),
                });
            }
            // Time order when a timestamp is mapped (rows without one excluded), else file order.
            let mut order: Vec<(f64, usize)> = Vec::with_capacity(prepared.rows.len());
            let mut missing = (0u64, Vec::new());
            if mapping.timestamp.is_some() {
                let times = timestamps(table, mapping)?;
                for (i, &row) in prepared.rows.iter().enumerate() {
                    let t = times[row as usize];
                    if t.is_nan() {
                        missing.0 += 1;
                        if missing.1.len() < 5 {
                            missing.1.push(table.line_of_row(row as usize));
                        }
                    } else {
                        order.push((t, i));
                    }
                }
                order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            } else {
                order.extend(prepared.rows.iter().enumerate().map(|(i, _)| (0.0, i)));
            }
            let cut = ((order.len() as f64) * fraction).round() as usize;
            reference.extend(order[..cut].iter().map(|&(_, i)| i));
            current.extend(order[cut..].iter().map(|&(_, i)| i));
            extra.push((ExclusionReason::MissingTimestamp, missing.0, missing.1));
        }
        WindowSpec::SplitColumn {
            column,
            reference: ref_value,
            current: cur_value,
        } => {
            let col = table.require_column(column)?;
            let mut outside = (0u64, Vec::new());
            for (i, &row) in prepared.rows.iter().enumerate() {
                let value = col.text(row as usize).map(str::trim);
                if value == Some(ref_value.as_str()) {
                    reference.push(i);
                } else if value == Some(cur_value.as_str()) {
                    current.push(i);
                } else {
                    outside.0 += 1;
                    if outside.1.len() < 5 {
                        outside.1.push(table.line_of_row(row as usize));
                    }
                }
            }
            extra.push((ExclusionReason::OutsideWindows, outside.0, outside.1));
        }
        WindowSpec::All | WindowSpec::TwoFiles => {
            return Err(PlumbError::InvalidSetting {
                setting: "window".into(),
                value: "split".into(),
                expected: "a split of one file".into(),
            });
        }
    }
    if reference.is_empty() || current.is_empty() {
        return Err(PlumbError::InvalidSetting {
            setting: "window split".into(),
            value: format!(
                "{} reference rows, {} current rows",
                reference.len(),
                current.len()
            ),
            expected: "rows in both windows".into(),
        });
    }
    Ok((
        Split::from_indices(prepared, table, &reference),
        Split::from_indices(prepared, table, &current),
        extra,
    ))
}

/// The time of a split point (ISO 8601 or epoch seconds) in epoch seconds, if it parses.
pub fn split_time(text: &str) -> Option<f64> {
    parse_cut(text).ok()
}

/// Rows per time bucket of a log's timestamp column (for the split-at-a-time picker); `None`
/// without a usable timestamp column.
pub fn time_histogram(
    file: &LoadedFile,
    mapping: &ColumnMapping,
) -> Option<timeline::TimeHistogram> {
    timeline::TimeHistogram::of(&timestamps(&file.table, mapping).ok()?)
}

/// Parse a split point: ISO 8601 or epoch seconds.
fn parse_cut(text: &str) -> Result<f64, PlumbError> {
    let t = text.trim();
    if let Ok(v) = t.parse::<f64>()
        && v.is_finite()
    {
        return Ok(v);
    }
    ingest::parse_iso8601(t.as_bytes()).ok_or_else(|| PlumbError::InvalidSetting {
        setting: "split timestamp".into(),
        value: text.to_string(),
        expected: "an ISO 8601 time (2026-10-01 or 2026-10-01T12:00:00Z) or epoch seconds".into(),
    })
}

/// Seconds since the epoch per table row (NaN where missing), from the timestamp column
/// (borrowed from a timestamp column, not copied).
fn timestamps<'t>(table: &'t Table, mapping: &ColumnMapping) -> Result<Cow<'t, [f64]>, PlumbError> {
    let name = mapping
        .timestamp
        .as_deref()
        .ok_or_else(|| PlumbError::MissingRole {
            role: "timestamp".into(),
        })?;
    let column = table.require_column(name)?;
    if let Some(t) = column.timestamps() {
        return Ok(Cow::Borrowed(t));
    }
    schema::epoch_seconds(column)
        .map(Cow::Owned)
        .ok_or_else(|| PlumbError::InvalidSetting {
            setting: "timestamp column".into(),
            value: name.to_string(),
            expected: "ISO 8601 times or epoch seconds/milliseconds".into(),
        })
}

/// Every metric of one window (the complete pass).
pub fn window_report(scores: &[f64], labels: &[u8], settings: &Settings) -> WindowReport {
    window_report_at(scores, labels, settings, Depth::Complete)
}

/// The metrics of one window at `depth`: [`Depth::First`] leaves out the bootstrap intervals
/// and band, the logistic fit and the Hosmer–Lemeshow test (see [`Depth`]); everything it computes is the same
/// computation, so equal to the complete pass's.
pub fn window_report_at(
    scores: &[f64],
    labels: &[u8],
    settings: &Settings,
    depth: Depth,
) -> WindowReport {
    let (first, _) = first_window(scores, labels, settings);
    match depth {
        Depth::First => first.report,
        Depth::Complete => complete_window(first, scores, labels, settings),
    }
}

/// A first pass's window ([`Depth::First`]): its report and the smooth ECE's bandwidth, from
/// which the complete pass adds only what the first pass leaves out (the bootstrap intervals
/// and band, the logistic fit, Hosmer–Lemeshow) instead of computing the rest a second time.
#[derive(Debug, Clone)]
struct FirstWindow {
    report: WindowReport,
    sigma: Option<f64>,
}

/// What a [`Depth::First`] pass over [`WindowSpec::All`] rows leaves for its complete pass: the
/// prepared rows (scores, labels, exclusions), the whole-log window and the time histogram, so
/// the complete pass neither prepares the rows, ranks the scores nor computes the first pass's
/// metrics a second time. Opaque: only [`analyze_staged`] makes one.
#[derive(Debug)]
pub struct FirstPass {
    prepared: Prepared,
    window: FirstWindow,
    time_histogram: Option<crate::core::timeline::TimeHistogram>,
}

/// Everything a [`Depth::First`] pass computes for one window, and the window's exact threshold
/// sweep (`None` when the rows give no ranking: one class only, or no rows), built once from
/// the same sorted summary.
fn first_window(
    scores: &[f64],
    labels: &[u8],
    settings: &Settings,
) -> (FirstWindow, Option<threshold::Sweep>) {
    let n = scores.len() as u64;
    // Every per-row sum below, and the ranking's sort keys, in one loop over the rows
    // (`metrics::row_pass`: bit for bit the separate functions' values).
    let mut rows = row_pass::RowPass::of(
        scores,
        labels,
        settings.bins,
        settings.strategy,
        settings.log_loss_eps,
        HISTOGRAM_BINS,
    );
    let positives = rows.positives;
    let mut w = WindowReport {
        n,
        positives,
        ..WindowReport::default()
    };
    w.histogram = score_histogram(std::mem::take(&mut rows.histogram));
    if n == 0 {
        let first = FirstWindow {
            report: w,
            sigma: None,
        };
        return (first, threshold::Sweep::new(scores, labels).ok());
    }
    let positive_rate = positives as f64 / n as f64;
    w.positive_rate = Some(positive_rate);
    w.mean_score = Some(rows.score_total / n as f64);

    // Calibration over the reliability bins. The slices come from `schema::prepare`, so
    // they are valid (equal lengths, scores in [0, 1], labels 0/1); invalid rows would leave
    // the metrics undefined rather than crash.
    w.reliability = rows.reliability(settings.interval, settings.confidence);
    if let Some(errors) = calibration::calibration_errors(&w.reliability) {
        w.ece = Some(errors.ece);
        w.mce = Some(errors.mce);
        w.rmsce = Some(errors.rmsce);
        w.ace = Some(errors.ace);
    }
    w.brier_score = rows.brier_score();
    w.brier_decomposition = calibration::brier_decomposition(&w.reliability, n, positive_rate);
    w.log_loss = rows.log_loss();
    if let Some(citl) = rows.calibration_in_the_large() {
        w.calibration_in_the_large = Some(citl.difference);
        w.observed_expected_ratio = citl.observed_expected;
    }
    if let Some(sp) = rows.spiegelhalter() {
        w.spiegelhalter_z = Some(sp.z);
        w.spiegelhalter_p_value = Some(sp.p_value);
    }
    // The smooth ECE and its curve share the pass that puts the rows on the kernel's grid.
    let smooth = smooth::smooth_ece_with_curve(scores, labels, smooth::DEFAULT_GRID);
    let smooth_fit = smooth.as_ref().map(|(fit, _)| *fit);
    w.smooth_ece = smooth_fit.map(|s| s.value);
    if let Some((fit, Some(curve))) = smooth {
        w.smooth_curve = Some(SmoothCurveReport {
            sigma: fit.sigma,
            x: curve.x,
            y: curve.y,
            lower: Vec::new(),
            upper: Vec::new(),
        });
    }

    // Discrimination and the decision threshold, from one sorted summary.
    let mut exact_sweep = None;
    if let Ok(summary) = rows.rank_summary(scores, labels) {
        w.roc_auc = summary.roc_auc();
        w.roc_auc_ci = ranking::confidence_interval(&summary, settings.confidence)
            .ok()
            .flatten();
        w.average_precision = summary.average_precision();
        w.average_precision_ci = w
            .average_precision
            .and_then(|ap| ranking::average_precision_interval(ap, positives, settings.confidence));
        w.ks_separation = summary.ks_separation();
        let sweep = threshold::Sweep::from_summary(&summary);
        drop(summary); // everything below reads the sweep
        let costs = costs_of(settings);
        w.at_threshold = Some(threshold_point(&sweep, settings.threshold, &costs));
        w.sweep = (0..=SWEEP_STEPS)
            .map(|i| threshold_point(&sweep, i as f64 / SWEEP_STEPS as f64, &costs))
            .collect();
        w.roc_curve = thin_roc(&sweep);
        w.pr_curve = thin_pr(&sweep);
        w.optimal_thresholds = optimal_threshold_reports(&sweep, costs);
        exact_sweep = Some(sweep);
    }
    let first = FirstWindow {
        report: w,
        sigma: smooth_fit.map(|f| f.sigma),
    };
    (first, exact_sweep)
}

/// The complete pass's window from its first pass over the same `scores`, `labels` and
/// `settings`: adds the logistic fit, Hosmer–Lemeshow, and (with `settings.bootstrap` > 0)
/// the bootstrap intervals and the smooth curve's band. Each is computed from the rows alone,
/// so the result equals a complete pass from scratch.
fn complete_window(
    first: FirstWindow,
    scores: &[f64],
    labels: &[u8],
    settings: &Settings,
) -> WindowReport {
    let FirstWindow {
        report: mut w,
        sigma,
    } = first;
    if w.n == 0 {
        return w;
    }
    if let Ok(Some(fit)) = calibration::logistic_calibration(scores, labels) {
        w.calibration_slope = Some(fit.slope);
        w.calibration_intercept = Some(fit.intercept);
    }
    if let Ok(Some(hl)) = calibration::hosmer_lemeshow(scores, labels, 10) {
        w.hosmer_lemeshow = Some(hl.statistic);
        w.hosmer_lemeshow_p_value = Some(hl.p_value);
    }
    // Large windows: one binned Poisson bootstrap gives all three (metrics::binned_bootstrap).
    let bootstrap = settings.bootstrap;
    let binned =
        (bootstrap > 0 && scores.len() > binned_bootstrap::ROW_BOOTSTRAP_MAX_ROWS).then(|| {
            binned_bootstrap::binned_intervals(
                scores,
                labels,
                &binned_bootstrap::BinnedSettings {
                    bins: settings.bins,
                    strategy: settings.strategy,
                    sigma,
                    n_boot: settings.bootstrap,
                    seed: settings.seed,
                    confidence: settings.confidence,
                },
            )
        });
    if let Some(b) = &binned {
        w.ece_ci = b.ece.map(|ci| [ci.lower, ci.upper]);
        w.smooth_ece_ci = b.smooth_ece.map(|ci| [ci.lower, ci.upper]);
    } else if bootstrap > 0 {
        let (bins, strategy) = (settings.bins, settings.strategy);
        let ece_of = |s: &[f64], y: &[u8]| {
            let b = calibration::reliability_bins(
                s,
                y,
                bins,
                strategy,
                crate::core::report::IntervalMethod::Wilson,
                0.95,
            )
            .ok()?;
            calibration::calibration_errors(&b).map(|e| e.ece)
        };
        w.ece_ci = smooth::bootstrap_ci(
            scores,
            labels,
            ece_of,
            settings.bootstrap,
            settings.seed,
            settings.confidence,
        )
        .map(|ci| [ci.lower, ci.upper]);
        if let Some(sigma) = sigma {
            w.smooth_ece_ci = smooth::bootstrap_ci(
                scores,
                labels,
                |s, y| smooth::smooth_ece_at(s, y, sigma),
                settings.bootstrap,
                settings.seed.wrapping_add(1),
                settings.confidence,
            )
            .map(|ci| [ci.lower, ci.upper]);
        }
    }
    // The band of the first pass's smooth curve (present exactly when the smooth ECE and its
    // curve are defined); kept only when it is on the curve's grid.
    if let Some(curve) = w.smooth_curve.as_mut() {
        let band = match binned {
            Some(b) => b.band,
            None => (bootstrap > 0)
                .then(|| {
                    smooth::smooth_band(
                        scores,
                        labels,
                        settings.bootstrap,
                        settings.seed.wrapping_add(2),
                        settings.confidence,
                    )
                })
                .flatten(),
        };
        if let Some(b) = band
            && b.x.len() == curve.x.len()
        {
            curve.lower = b.lower;
            curve.upper = b.upper;
        }
    }
    w
}

/// Champion vs challengers on one window's rows (`None` without challengers). Challenger
/// scores are read from the table at the window's rows with their own transform;
/// `schema::prepare` has excluded every row where one is unusable.
fn models_of(
    mapping: &ColumnMapping,
    settings: &Settings,
    window: &Split<'_>,
    name: &str,
) -> Option<ModelsReport> {
    if mapping.challengers.is_empty() {
        return None;
    }
    let cs = compare_models::CompareSettings {
        bins: settings.bins,
        strategy: settings.strategy,
        interval: settings.interval,
        confidence: settings.confidence,
        bootstrap: settings.bootstrap,
        seed: settings.seed,
        log_loss_eps: settings.log_loss_eps,
    };
    let mut columns = vec![(mapping.score.clone()?, window.scores.to_vec())];
    for c in &mapping.challengers {
        let column = window.table.column(c)?;
        let raw = column.numeric();
        let scores: Vec<f64> = window
            .rows
            .iter()
            .map(|&r| {
                let v = raw.get(r as usize).copied().unwrap_or(f64::NAN);
                schema::apply_transform(v, mapping.challenger_transform(c))
            })
            .collect();
        if scores.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return None; // unreachable: prepare excluded these rows
        }
        columns.push((c.clone(), scores));
    }
    let costs = costs_of(settings);
    let at = |summary: &ranking::RankSummary| {
        let sweep = threshold::Sweep::from_summary(summary);
        let grid = (0..=SWEEP_STEPS)
            .map(|i| threshold_point(&sweep, i as f64 / SWEEP_STEPS as f64, &costs))
            .collect();
        (threshold_point(&sweep, settings.threshold, &costs), grid)
    };
    let labels = &window.labels;
    let models = columns
        .iter()
        .enumerate()
        .map(|(i, (column, scores))| {
            let role = if i == 0 { "champion" } else { "challenger" };
            compare_models::model_metrics(column, role, scores, labels, &cs, thin_curve, at)
        })
        .collect();
    let (champion, rest) = columns.split_first()?;
    let comparisons = rest
        .iter()
        .map(|(column, scores)| {
            compare_models::compare_pair((column, scores), (&champion.0, &champion.1), labels, &cs)
        })
        .collect();
    Some(ModelsReport {
        window: name.to_string(),
        n: labels.len() as u64,
        positives: labels.iter().filter(|&&y| y == 1).count() as u64,
        models,
        comparisons,
    })
}

/// Thresholds in the report's sweep: 0, 1/SWEEP_STEPS, …, 1.
pub const SWEEP_STEPS: usize = 100;

/// The report's optimal thresholds, in this order: maximum F1, maximum Youden's J and minimum
/// expected cost under `costs` (`threshold::optimal_threshold` on the exact sweep); a rule with
/// no optimum (e.g. no positives) is left out. Shared by the raw-row and summary paths.
pub(crate) fn optimal_threshold_reports(
    sweep: &threshold::Sweep,
    costs: threshold::Costs,
) -> Vec<OptimalThresholdReport> {
    [
        ("max_f1", threshold::OptimalRule::MaxF1),
        ("max_youden", threshold::OptimalRule::MaxYouden),
        (
            "min_expected_cost",
            threshold::OptimalRule::MinExpectedCost(costs),
        ),
    ]
    .into_iter()
    .filter_map(|(key, rule)| {
        let o = threshold::optimal_threshold(sweep, rule)?;
        Some(OptimalThresholdReport {
            rule: key.to_string(),
            threshold: o.threshold.is_finite().then_some(o.threshold),
            value: o.value,
        })
    })
    .collect()
}

/// The settings' cost matrix in the threshold module's terms.
pub fn costs_of(settings: &Settings) -> threshold::Costs {
    threshold::Costs {
        fp: settings.costs.fp,
        fn_: settings.costs.fn_,
        tp: settings.costs.tp,
        tn: settings.costs.tn,
    }
}

/// Every rate at threshold `t`, exact, from a sweep (O(log n): safe while a user drags).
pub fn threshold_point(
    sweep: &threshold::Sweep,
    t: f64,
    costs: &threshold::Costs,
) -> ThresholdPoint {
    let mut point = threshold::at_threshold(sweep, t);
    let m = threshold::metrics_at(sweep, t, 1.0, costs);
    point.expected_cost = m.expected_cost;
    point.net_benefit = m.net_benefit;
    point
}

/// The exact threshold sweep of a window, for interactive threshold views.
pub fn window_sweep(scores: &[f64], labels: &[u8]) -> Option<threshold::Sweep> {
    threshold::Sweep::new(scores, labels).ok()
}

/// Most points a chart's curve keeps ([`thin_curve`]).
const CURVE_POINTS: usize = 1000;

/// Keep at most ~1000 points of a curve for charts: every vertex when small, else an even
/// stride that always keeps the first and last points.
pub(crate) fn thin_curve(x: &[f64], y: &[f64]) -> CurvePoints {
    let n = x.len().min(y.len());
    thin_points(n, 0..n, |i| (x[i], y[i]))
}

/// [`thin_curve`] of the `n` points of `items` (`point` makes an item's point), without holding
/// them all: positions 0, stride, 2·stride, … and the last (stride = ⌈n / 1000⌉, 1 up to 1000
/// points), finite points only. Only the kept positions' points are made (at 1M rows the ROC
/// and PR curves have ~10⁶ points, two divisions each, of which 1000 are kept).
fn thin_points<T>(
    n: usize,
    items: impl Iterator<Item = T>,
    point: impl Fn(T) -> (f64, f64),
) -> CurvePoints {
    let stride = if n <= CURVE_POINTS {
        1
    } else {
        n.div_ceil(CURVE_POINTS)
    };
    let mut out = CurvePoints {
        x: Vec::with_capacity(n.min(CURVE_POINTS + 1)),
        y: Vec::with_capacity(n.min(CURVE_POINTS + 1)),
    };
    // The next multiple of the stride (`i % stride == 0` without a division a point).
    let mut next = 0;
    for (i, item) in items.enumerate().take(n) {
        let on_stride = i == next;
        if on_stride {
            next += stride;
        }
        if on_stride || i + 1 == n {
            let (x, y) = point(item);
            if x.is_finite() && y.is_finite() {
                out.x.push(x);
                out.y.push(y);
            }
        }
    }
    out
}

/// The chart's ROC curve, from the sweep: [`ranking::RankSummary::roc_curve`] (scikit-learn's
/// `roc_curve(drop_intermediate=True)`: a vertex is dropped where both cumulative counts are
/// collinear with its neighbours) thinned by [`thin_curve`], the same points, computed from the
/// sweep's cumulative counts without materialising the full curve (three vectors a distinct
/// score). `None` unless both classes are present.
fn thin_roc(sweep: &threshold::Sweep) -> Option<CurvePoints> {
    let (p, q) = (sweep.positives(), sweep.negatives());
    if p == 0 || q == 0 {
        return None;
    }
    // Sweep row k ≥ 1 is the summary's distinct score k − 1; row 0 is the curve's (0, 0).
    let (tp, fp) = sweep.counts();
    let (p, q) = (p as f64, q as f64);
    let vertices = || ranking::roc_vertices(&fp[1..], &tp[1..]).map(|i| i + 1);
    let n = 1 + vertices().count();
    // Position 0 is the curve's (0, 0), every vertex k ≥ 1.
    let items = std::iter::once(0).chain(vertices());
    Some(thin_points(n, items, |k| {
        if k == 0 {
            (0.0, 0.0)
        } else {
            (fp[k] as f64 / q, tp[k] as f64 / p)
        }
    }))
}

/// The chart's precision–recall curve, from the sweep: [`ranking::RankSummary::
/// precision_recall_curve`] (scikit-learn's, lowest threshold first, ending at recall 0 and
/// precision 1) thinned by [`thin_curve`], without materialising the full curve. `None`
/// without positives.
fn thin_pr(sweep: &threshold::Sweep) -> Option<CurvePoints> {
    let p = sweep.positives();
    if p == 0 {
        return None;
    }
    let (tp, fp) = sweep.counts();
    let m = tp.len() - 1;
    let p = p as f64;
    // Rows m … 1, then the curve's end (recall 0, precision 1).
    let items = (1..=m).rev().map(Some).chain(std::iter::once(None));
    Some(thin_points(m + 1, items, |k| match k {
        Some(k) => (tp[k] as f64 / p, tp[k] as f64 / (tp[k] + fp[k]) as f64),
        None => (0.0, 1.0),
    }))
}

/// The score histogram of [`HISTOGRAM_BINS`] equal-width bins over [0, 1] from its counts by
/// label (`RowPass::histogram`: label ≠ 1, label 1).
fn score_histogram([negatives, positives]: [Vec<u64>; 2]) -> ScoreHistogram {
    let bins = HISTOGRAM_BINS;
    ScoreHistogram {
        edges: (0..=bins).map(|i| i as f64 / bins as f64).collect(),
        negatives,
        positives,
    }
}

/// The calibration metrics the recalibration preview compares.
fn recalibration_metrics(
    scores: &[f64],
    labels: &[u8],
    settings: &Settings,
) -> (RecalibrationMetrics, Vec<ReliabilityBin>) {
    let bins = calibration::reliability_bins(
        scores,
        labels,
        settings.bins,
        settings.strategy,
        settings.interval,
        settings.confidence,
    )
    .unwrap_or_default();
    let metrics = RecalibrationMetrics {
        ece: calibration::calibration_errors(&bins).map(|e| e.ece),
        smooth_ece: smooth::smooth_ece(scores, labels).map(|s| s.value),
        brier_score: calibration::brier_score(scores, labels).ok().flatten(),
        log_loss: calibration::log_loss(scores, labels, settings.log_loss_eps)
            .ok()
            .flatten(),
    };
    (metrics, bins)
}

/// Fit each recalibration map on the reference window, apply it to the current window, and
/// compare calibration before and after. Prior correction moves the reference prior to the
/// EM estimate of the current prior (it needs no current labels).
fn recalibration_preview(
    reference: &Split<'_>,
    current: &Split<'_>,
    prior_current_em: Option<f64>,
    settings: &Settings,
) -> RecalibrationReport {
    use crate::core::metrics::recalibrate::{self, Method};
    let (before, _) = recalibration_metrics(&current.scores, &current.labels, settings);
    let mut methods = vec![
        (
            "platt",
            Some(Method::Platt {
                smooth_targets: false,
            }),
        ),
        ("platt_logit", Some(Method::PlattLogit)),
        ("isotonic", Some(Method::Isotonic)),
        ("temperature", Some(Method::Temperature)),
        ("beta", Some(Method::Beta)),
        (
            "histogram",
            Some(Method::Histogram {
                bins: settings.bins,
                strategy: settings.strategy,
            }),
        ),
    ];
    methods.push((
        "prior_correction",
        prior_current_em
            .filter(|p| *p > 0.0 && *p < 1.0)
            .map(|prior_current| Method::PriorCorrection { prior_current }),
    ));
    let results: Vec<RecalibrationResult> = methods
        .into_iter()
        .map(|(key, method)| {
            let fitted = match method {
                Some(m) => recalibrate::fit(&m, &reference.scores, &reference.labels)
                    .map_err(|e| e.to_string()),
                None => Err("no estimate of the current positive rate".to_string()),
            };
            match fitted {
                Ok(map) => {
                    let adjusted = map.apply_all(&current.scores);
                    let (after, bins) = recalibration_metrics(&adjusted, &current.labels, settings);
                    RecalibrationResult {
                        method: key.to_string(),
                        map: Some(map),
                        error: None,
                        before: before.clone(),
                        after: Some(after),
                        reliability_after: bins,
                    }
                }
                Err(error) => RecalibrationResult {
                    method: key.to_string(),
                    map: None,
                    error: Some(error),
                    before: before.clone(),
                    after: None,
                    reliability_after: Vec::new(),
                },
            }
        })
        .collect();
    let recommended = results
        .iter()
        .filter_map(|r| Some((r.method.clone(), r.after.as_ref()?.log_loss?)))
        .filter(|(_, ll)| before.log_loss.is_none_or(|b| *ll < b))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(m, _)| m);
    RecalibrationReport {
        fitted_on: "reference".into(),
        applied_to: "current".into(),
        methods: results,
        recommended,
    }
}

/// The ranked causes of a change between two windows (`core::diagnose`).
fn diagnose_between(
    mapping: &ColumnMapping,
    settings: &Settings,
    reference: &Split<'_>,
    current: &Split<'_>,
    drift: &DriftReport,
    quality: Option<&QualityReport>,
) -> crate::core::diagnose::Diagnosis {
    let decisions = |s: &Split<'_>| -> Option<Vec<Option<u8>>> {
        let name = mapping.decision.as_deref()?;
        let (values, _) = schema::binary_values(s.table, name, None).ok()?;
        Some(s.rows.iter().map(|&row| values[row as usize]).collect())
    };
    let (rd, cd) = (decisions(reference), decisions(current));
    let mut input = crate::core::diagnose::DiagnosisInput::new(
        &reference.scores,
        &reference.labels,
        &current.scores,
        &current.labels,
    );
    input.reference_decisions = rd.as_deref();
    input.current_decisions = cd.as_deref();
    input.drift = &drift.columns;
    input.quality = quality;
    input.threshold = settings.threshold;
    input.costs = settings.costs;
    input.confidence = settings.confidence;
    crate::core::diagnose::diagnose(&input)
}

/// Calibration and AUC per value of each segment column, over one window's rows (missing
/// values form their own segment, `(missing)`).
fn segments_of(mapping: &ColumnMapping, window: &Split<'_>, confidence: f64) -> Vec<SegmentColumn> {
    mapping
        .segments
        .iter()
        .filter_map(|name| {
            let column = window.table.column(name)?;
            // By dictionary code (one key per distinct text, plus one for missing), not by
            // hashing or comparing each row's text: the same codes and names.
            let (texts, codes): (&[String], &[u16]) = column
                .dictionary()
                .map_or((&[], &[]), |d| (&d.values, &d.codes));
            let missing = texts.len() as u32;
            let keys: Vec<u32> = window
                .rows
                .iter()
                .map(|&row| match codes.get(row as usize) {
                    Some(&c) if (c as usize) < texts.len() && !column.is_missing(row as usize) => {
                        u32::from(c)
                    }
                    _ => missing,
                })
                .collect();
            let mut key_names: Vec<&str> = texts.iter().map(String::as_str).collect();
            key_names.push("(missing)");
            let (codes, names) = segments::encode_keys(&keys, &key_names)?;
            drop(keys); // 4 bytes a row, not needed while the segments are measured
            let report = segments::segment_report(
                &window.scores,
                &window.labels,
                &codes,
                &names,
                confidence,
            )
            .ok()?;
            Some(SegmentColumn {
                column: name.clone(),
                segments: report.segments,
            })
        })
        .collect()
}

/// Drift of the score, the label and every feature between two windows, each decided by the
/// default rule or the user's override ([`method_for`]).
fn drift_between(
    mapping: &ColumnMapping,
    settings: &Settings,
    reference: &Split<'_>,
    current: &Split<'_>,
) -> DriftReport {
    let numeric = drift::ColumnKind::Numeric;
    let categorical = drift::ColumnKind::Categorical;
    let mut columns = Vec::new();
    if let Some(score) = &mapping.score {
        columns.push(numeric_drift_by(
            score,
            "score",
            &reference.scores,
            &current.scores,
            (0, 0),
            method_for(settings, score, numeric),
        ));
    }
    if let Some(label) = &mapping.label {
        let cats = |s: &Split<'_>| -> Vec<&'static str> {
            s.labels
                .iter()
                .map(|&y| if y == 1 { "1" } else { "0" })
                .collect()
        };
        columns.push(categorical_drift_by(
            label,
            "label",
            &cats(reference),
            &cats(current),
            (0, 0),
            method_for(settings, label, categorical),
        ));
    }
    for name in mapping.features.iter().chain(mapping.segments.iter()) {
        let (Some(rc), Some(cc)) = (reference.table.column(name), current.table.column(name))
        else {
            continue;
        };
        let numeric_kind = matches!(rc.kind(), ingest::ColumnKind::Numeric);
        let values = |w: &Split<'_>, col: &ingest::Column| {
            if numeric_kind {
                column_values(w, col, true)
            } else {
                ColumnValues::Numeric(Vec::new()) // read as &str below, without copies
            }
        };
        match (values(reference, rc), values(current, cc)) {
            (ColumnValues::Numeric(r), ColumnValues::Numeric(c)) if numeric_kind => {
                let (rv, rm) = present_numeric(&r);
                let (cv, cm) = present_numeric(&c);
                columns.push(numeric_drift_by(
                    name,
                    "feature",
                    &rv,
                    &cv,
                    (rm, cm),
                    method_for(settings, name, numeric),
                ));
            }
            _ if !numeric_kind => {
                let (rv, rm) = present_str(reference, rc);
                let (cv, cm) = present_str(current, cc);
                columns.push(categorical_drift_by(
                    name,
                    "feature",
                    &rv,
                    &cv,
                    (rm, cm),
                    method_for(settings, name, categorical),
                ));
            }
            (r, c) => {
                let (rv, rm) = present_text(r);
                let (cv, cm) = present_text(c);
                columns.push(categorical_drift_by(
                    name,
                    "feature",
                    &rv,
                    &cv,
                    (rm, cm),
                    method_for(settings, name, categorical),
                ));
            }
        }
    }
    DriftReport { columns }
}

/// One column's values over a window's rows: numbers (NaN where missing) when `numeric` (the
/// reference table's column is numeric), else text (`None` where missing).
fn column_values(window: &Split<'_>, column: &ingest::Column, numeric: bool) -> ColumnValues {
    if numeric {
        let values = column.numeric();
        ColumnValues::Numeric(
            window
                .rows
                .iter()
                .map(|&row| values.get(row as usize).copied().unwrap_or(f64::NAN))
                .collect(),
        )
    } else {
        ColumnValues::Categorical(
            window
                .rows
                .iter()
                .map(|&row| match column.text(row as usize) {
                    Some(t) if !column.is_missing(row as usize) => Some(t.to_string()),
                    _ => None,
                })
                .collect(),
        )
    }
}

/// A text column's present cells over a window's rows, borrowed, and the number missing.
fn present_str<'t>(window: &Split<'t>, column: &'t ingest::Column) -> (Vec<&'t str>, usize) {
    let mut out = Vec::with_capacity(window.rows.len());
    for &row in window.rows.iter() {
        match column.text(row as usize) {
            Some(t) if !column.is_missing(row as usize) => out.push(t),
            _ => {}
        }
    }
    let missing = window.rows.len() - out.len();
    (out, missing)
}

fn present_numeric(values: &[f64]) -> (Vec<f64>, usize) {
    let out: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let missing = values.len() - out.len();
    (out, missing)
}

fn present_text(values: ColumnValues) -> (Vec<String>, usize) {
    match values {
        ColumnValues::Categorical(v) => {
            let n = v.len();
            let out: Vec<String> = v.into_iter().flatten().collect();
            let missing = n - out.len();
            (out, missing)
        }
        // Not reached: numeric values come only with a numeric reference column.
        ColumnValues::Numeric(v) => (Vec::new(), v.len()),
    }
}

/// The user's drift method for a column, if one applies to its kind: the per-column override
/// (`settings.drift_methods`, source `column`), else the method for all columns
/// (`settings.drift_method`, source `all`). `None` leaves the default rule.
pub fn method_for(
    settings: &Settings,
    name: &str,
    kind: drift::ColumnKind,
) -> Option<(drift::DriftMethod, &'static str)> {
    let column = settings
        .drift_methods
        .get(name)
        .filter(|m| m.applies_to(kind))
        .map(|&m| (m, "column"));
    column.or_else(|| {
        settings
            .drift_method
            .filter(|m| m.applies_to(kind))
            .map(|m| (m, "all"))
    })
}

/// The method keys that apply to a column kind, in display order.
pub fn methods_for(kind: drift::ColumnKind) -> Vec<String> {
    drift::DriftMethod::ALL
        .iter()
        .filter(|m| m.applies_to(kind))
        .map(|m| m.key().to_string())
        .collect()
}

/// Drift over time of the current window against the reference window
/// ([`crate::core::timeline`]): the score and the top drifting features, each by its drift
/// table method.
fn timeline_between(
    mapping: &ColumnMapping,
    settings: &Settings,
    reference: &Split<'_>,
    current: &Split<'_>,
    report: &DriftReport,
) -> TimelineReport {
    let parse = drift::DriftMethod::from_key;
    let mut inputs = Vec::new();
    if let Some(col) = report.columns.iter().find(|c| c.role == "score")
        && let Some(method) = parse(&col.method)
    {
        inputs.push(DriftInput {
            name: col.name.clone(),
            role: "score".into(),
            method,
            reference: ColumnValues::Numeric(reference.scores.to_vec()),
            current: ColumnValues::Numeric(current.scores.to_vec()),
        });
    }
    let mut features: Vec<&DriftColumn> = report
        .columns
        .iter()
        .filter(|c| c.role == "feature" && c.js_distance.is_some())
        .collect();
    features.sort_by(|a, b| {
        b.js_distance
            .unwrap_or(0.0)
            .total_cmp(&a.js_distance.unwrap_or(0.0))
            .then_with(|| a.name.cmp(&b.name))
    });
    for col in features.into_iter().take(timeline::TOP_FEATURES) {
        let (Some(method), Some(rc), Some(cc)) = (
            parse(&col.method),
            reference.table.column(&col.name),
            current.table.column(&col.name),
        ) else {
            continue;
        };
        // The drift table compares the two windows by the reference column's kind.
        let numeric_kind = col.kind == "numeric";
        let (r, c) = (
            column_values(reference, rc, numeric_kind),
            column_values(current, cc, numeric_kind),
        );
        inputs.push(DriftInput {
            name: col.name.clone(),
            role: "feature".into(),
            method,
            reference: r,
            current: c,
        });
    }
    let times = mapping.timestamp.as_ref().and_then(|_| {
        let t = timestamps(current.table, mapping).ok()?;
        Some(
            current
                .rows
                .iter()
                .map(|&row| t.get(row as usize).copied().unwrap_or(f64::NAN))
                .collect::<Vec<f64>>(),
        )
    });
    let input = TimelineInput {
        reference_scores: &reference.scores,
        reference_labels: &reference.labels,
        scores: &current.scores,
        labels: &current.labels,
        times: times.as_deref(),
        drift: &inputs,
    };
    timeline::timeline(&input, settings.chunking, settings).unwrap_or_else(|e| TimelineReport {
        chunking: settings.chunking.key().to_string(),
        error: Some(e.to_string()),
        ..TimelineReport::default()
    })
}

fn rate(missing: usize, present: usize) -> f64 {
    let total = missing + present;
    if total == 0 {
        0.0
    } else {
        missing as f64 / total as f64
    }
}

/// Drift of one numeric column between two windows, by every statistic and the default method.
pub fn numeric_drift(
    name: &str,
    role: &str,
    reference: &[f64],
    current: &[f64],
    missing_reference: usize,
    missing_current: usize,
) -> DriftColumn {
    numeric_drift_by(
        name,
        role,
        reference,
        current,
        (missing_reference, missing_current),
        None,
    )
}

/// [`numeric_drift`] with the deciding method chosen by the user (`(method, source)`, see
/// [`method_for`]) instead of the default rule.
pub fn numeric_drift_by(
    name: &str,
    role: &str,
    reference: &[f64],
    current: &[f64],
    (missing_reference, missing_current): (usize, usize),
    choice: Option<(drift::DriftMethod, &'static str)>,
) -> DriftColumn {
    // Every statistic below sorts its inputs; sorted once here, those sorts find one run and
    // finish in a linear pass (the statistics do not depend on the order of the values).
    let sorted = |v: &[f64]| {
        let mut v = v.to_vec();
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    let (reference, current) = (sorted(reference), sorted(current));
    let (reference, current) = (reference.as_slice(), current.as_slice());
    let ks = drift::ks_2samp(reference, current);
    let (method, source) = choice.unwrap_or_else(|| {
        (
            drift::default_method(
                drift::ColumnKind::Numeric,
                reference.len() as u64,
                current.len() as u64,
                drift::distinct_numeric(reference, current),
            ),
            "default",
        )
    });
    let outcome = drift::evaluate(
        method,
        drift::ColumnData::Numeric(reference),
        drift::ColumnData::Numeric(current),
    );
    DriftColumn {
        name: name.to_string(),
        kind: "numeric".into(),
        role: role.into(),
        method_source: source.into(),
        methods: methods_for(drift::ColumnKind::Numeric),
        psi: drift::psi(
            reference,
            current,
            drift::DEFAULT_BINS,
            drift::DEFAULT_FLOOR,
        ),
        js_distance: drift::js_distance(reference, current, drift::DEFAULT_BINS),
        ks_statistic: ks.as_ref().map(|k| k.statistic),
        ks_p_value: ks.as_ref().map(|k| k.p_value),
        wasserstein: drift::wasserstein(reference, current),
        wasserstein_norm: drift::wasserstein_norm(reference, current),
        chi2_p_value: None,
        missing_rate_reference: rate(missing_reference, reference.len()),
        missing_rate_current: rate(missing_current, current.len()),
        method: method.key().to_string(),
        value: outcome.map(|o| o.value),
        threshold: method.threshold(),
        drifted: outcome.is_some_and(|o| o.drifted),
        distribution: numeric_distribution(reference, current),
    }
}

/// Shares of `counts` (all zeros when empty).
fn shares(counts: &[u64]) -> Vec<f64> {
    let total: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|&c| {
            if total == 0 {
                0.0
            } else {
                c as f64 / total as f64
            }
        })
        .collect()
}

/// Both windows over the PSI bins (reference deciles), with finite outer edges.
fn numeric_distribution(reference: &[f64], current: &[f64]) -> Option<DriftDistribution> {
    let bins = drift::numeric_bins(reference, current, drift::DEFAULT_BINS)?;
    let finite = reference.iter().chain(current).filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return None;
    }
    let mut edges = bins.edges.clone();
    let second = edges.get(1).copied().unwrap_or(lo);
    if let Some(first) = edges.first_mut() {
        *first = lo.min(second);
    }
    let last = edges.len().checked_sub(1)?;
    let before_last = edges.get(last.checked_sub(1)?).copied().unwrap_or(hi);
    edges[last] = hi.max(before_last);
    Some(DriftDistribution {
        edges,
        categories: Vec::new(),
        reference: shares(&bins.reference),
        current: shares(&bins.current),
    })
}

/// Drift of one categorical column between two windows, by every statistic and the default
/// method.
pub fn categorical_drift(
    name: &str,
    role: &str,
    reference: &[String],
    current: &[String],
    missing_reference: usize,
    missing_current: usize,
) -> DriftColumn {
    categorical_drift_by(
        name,
        role,
        reference,
        current,
        (missing_reference, missing_current),
        None,
    )
}

/// [`categorical_drift`] with the deciding method chosen by the user (see [`method_for`]).
pub fn categorical_drift_by<S: AsRef<str>>(
    name: &str,
    role: &str,
    reference: &[S],
    current: &[S],
    (missing_reference, missing_current): (usize, usize),
    choice: Option<(drift::DriftMethod, &'static str)>,
) -> DriftColumn {
    let dist = drift::categorical_distribution(reference, current, drift::DEFAULT_TOP_K);
    let (method, source) = choice.unwrap_or_else(|| {
        (
            drift::default_method(
                drift::ColumnKind::Categorical,
                reference.len() as u64,
                current.len() as u64,
                drift::distinct_categorical(reference, current),
            ),
            "default",
        )
    });
    // The same counts `drift::evaluate` would tally for a categorical column.
    let outcome = drift::evaluate_counts_outcome(method, &dist.reference, &dist.current);
    DriftColumn {
        name: name.to_string(),
        kind: "categorical".into(),
        role: role.into(),
        method_source: source.into(),
        methods: methods_for(drift::ColumnKind::Categorical),
        psi: drift::psi_counts(&dist.reference, &dist.current, drift::DEFAULT_FLOOR),
        js_distance: drift::js_counts(&dist.reference, &dist.current),
        ks_statistic: None,
        ks_p_value: None,
        wasserstein: None,
        wasserstein_norm: None,
        chi2_p_value: drift::chi2_contingency(&[dist.reference.clone(), dist.current.clone()])
            .map(|c| c.p_value),
        missing_rate_reference: rate(missing_reference, reference.len()),
        missing_rate_current: rate(missing_current, current.len()),
        method: method.key().to_string(),
        value: outcome.map(|o| o.value),
        threshold: method.threshold(),
        drifted: outcome.is_some_and(|o| o.drifted),
        distribution: Some(DriftDistribution {
            edges: Vec::new(),
            categories: dist.categories.clone(),
            reference: shares(&dist.reference),
            current: shares(&dist.current),
        }),
    }
}

/// The current window's prior: observed, and estimated from scores alone.
fn label_shift_between(
    reference: &Split<'_>,
    current: &Split<'_>,
    threshold: f64,
) -> LabelShiftReport {
    let prior = |s: &Split<'_>| {
        (!s.labels.is_empty())
            .then(|| s.labels.iter().filter(|&&y| y == 1).count() as f64 / s.labels.len() as f64)
    };
    let prior_reference = prior(reference);
    let em = prior_reference.and_then(|p| {
        label_shift::em_prior(
            &current.scores,
            p,
            label_shift::DEFAULT_EM_MAX_ITER,
            label_shift::DEFAULT_EM_TOL,
        )
    });
    let bbse = label_shift::bbse_prior(
        &reference.scores,
        &reference.labels,
        &current.scores,
        threshold,
    );
    LabelShiftReport {
        prior_reference,
        prior_current_observed: prior(current),
        prior_current_em: em.map(|e| e.prior),
        prior_current_bbse: bbse.map(|b| b.prior),
    }
}

/// The bucket width of the operational view: `settings.ops_granularity` when it is one of
/// [`crate::core::ops::Granularity::choices`] for these timestamps (else a typed error naming
/// the setting), or the finest the data allows.
fn ops_granularity(
    timestamps: &[f64],
    settings: &Settings,
) -> Result<crate::core::ops::Granularity, PlumbError> {
    use crate::core::ops::Granularity;
    match settings.ops_granularity {
        Some(g) if Granularity::choices(timestamps).contains(&g) => Ok(g),
        Some(g) => Err(PlumbError::InvalidSetting {
            setting: "ops_granularity".into(),
            value: g.key().into(),
            expected: format!(
                "a granularity giving at most {} buckets over the log's time span",
                crate::core::ops::MAX_CHOSEN_BUCKETS
            ),
        }),
        None => Granularity::auto(timestamps).ok_or_else(|| PlumbError::NotEnoughData {
            what: "timestamps".into(),
            needed: 1,
            found: 0,
        }),
    }
}

/// The report's operational section: both files' summaries, the alert levels from the
/// reference and the granularities on offer. `Ok(None)` when no timestamp is mapped or none
/// is readable; an invalid `ops_granularity` is an error.
fn operations_section(
    reference: &LoadedFile,
    current: Option<&LoadedFile>,
    mapping: &ColumnMapping,
    settings: &Settings,
) -> Result<Option<OperationsReport>, PlumbError> {
    if mapping.timestamp.is_none() {
        return Ok(None);
    }
    let summary = match operations(reference, mapping, settings) {
        Ok(s) => s,
        Err(e @ PlumbError::InvalidSetting { .. }) if is_granularity_error(&e) => return Err(e),
        Err(_) => return Ok(None),
    };
    let granularities = timestamps(&reference.table, mapping)
        .map(|t| crate::core::ops::Granularity::choices(&t))
        .unwrap_or_default();
    // The current file in the reference's bucket width, so the two compare.
    let current = current.and_then(|file| {
        let same = Settings {
            ops_granularity: Some(summary.granularity),
            ..settings.clone()
        };
        operations(file, mapping, &same).ok()
    });
    Ok(Some(OperationsReport {
        thresholds: crate::core::ops::alert_thresholds(&summary),
        reference: summary,
        current,
        granularities,
        has_latency: mapping.latency.is_some(),
        has_status: mapping.status.is_some(),
    }))
}

fn is_granularity_error(e: &PlumbError) -> bool {
    matches!(e, PlumbError::InvalidSetting { setting, .. } if setting == "ops_granularity")
}

/// The operational view of one log: request rate, latency quantiles, error rate, score
/// quantiles, predicted-positive rate and per-feature missing rates per time bucket (the
/// finest of minute/hour/day that the data allows). Needs a timestamp column.
pub fn operations(
    file: &LoadedFile,
    mapping: &ColumnMapping,
    settings: &Settings,
) -> Result<crate::core::ops::OpsReport, PlumbError> {
    use crate::core::ops;
    let table = &file.table;
    let timestamps = timestamps(table, mapping)?;
    let score = table.require_column(mapping.score.as_deref().ok_or_else(|| {
        PlumbError::MissingRole {
            role: "score".into(),
        }
    })?)?;
    // `number(row)`, not `numeric()`: a column of text keeps no numbers (an empty slice).
    let scores: Vec<f64> = (0..table.n_rows)
        .map(|row| schema::apply_transform(score.number(row), mapping.score_transform))
        .collect();
    let latency = match mapping.latency.as_deref() {
        Some(name) => {
            let col = table.require_column(name)?;
            Some(
                (0..table.n_rows)
                    .map(|row| col.number(row))
                    .collect::<Vec<f64>>(),
            )
        }
        None => None,
    };
    let errors: Option<Vec<Option<u8>>> = match mapping.status.as_deref() {
        Some(name) => {
            let col = table.require_column(name)?;
            Some(
                (0..table.n_rows)
                    .map(|row| {
                        col.text(row).and_then(ops::error_flag).or_else(|| {
                            let v = col.number(row);
                            v.is_finite()
                                .then(|| ops::error_flag(&format!("{v}")))
                                .flatten()
                        })
                    })
                    .collect(),
            )
        }
        None => None,
    };
    let granularity = ops_granularity(&timestamps, settings)?;
    let mut report = ops::summary(
        &timestamps,
        &scores,
        latency.as_deref(),
        errors.as_deref(),
        settings.threshold,
        granularity,
    )?;
    for name in &mapping.features {
        if let Some(col) = table.column(name) {
            let missing: Vec<bool> = (0..table.n_rows).map(|row| col.is_missing(row)).collect();
            report.missing.push(ops::missing_rates(
                &timestamps,
                granularity,
                name,
                &missing,
            )?);
        }
    }
    Ok(report)
}

/// Monitoring exports derived from a reference log: Prometheus alerting and recording rules,
/// an Alertmanager routing policy, and a Grafana dashboard, with the thresholds they use.
pub struct AlertExports {
    /// The operational view of the reference log the thresholds come from.
    pub operations: crate::core::ops::OpsReport,
    /// Warning and critical levels per monitored quantity.
    pub thresholds: Vec<crate::core::ops::AlertThreshold>,
    /// `plumb-rules.yml`.
    pub rules_yaml: String,
    /// `plumb-alertmanager.yml`.
    pub policy_yaml: String,
    /// `plumb-dashboard.json`.
    pub dashboard_json: String,
}

/// Build the monitoring exports from the reference (or single) log.
pub fn alert_exports(
    reference: &LoadedFile,
    mapping: &ColumnMapping,
    settings: &Settings,
) -> Result<AlertExports, PlumbError> {
    let operations = operations(reference, mapping, settings)?;
    let thresholds = crate::core::ops::alert_thresholds(&operations);
    let files = monitoring_files(&thresholds, operations.granularity, &reference.name);
    Ok(AlertExports {
        rules_yaml: files.rules_yaml,
        policy_yaml: files.policy_yaml,
        dashboard_json: files.dashboard_json,
        thresholds,
        operations,
    })
}

/// The three monitoring files of a set of alert levels.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringFiles {
    /// Prometheus recording and alerting rules (`plumb-rules.yml`).
    pub rules_yaml: String,
    /// Alertmanager routing policy (`plumb-alertmanager.yml`).
    pub policy_yaml: String,
    /// Grafana dashboard (`plumb-dashboard.json`), pretty JSON.
    pub dashboard_json: String,
}

/// The monitoring files for `thresholds` (as proposed, or edited by a person) over reference
/// buckets of `granularity`, the dashboard titled after the reference file `source`. The one
/// writer of both `plumb alerts` and the browser's downloads, so they are byte-identical for
/// the same levels.
pub fn monitoring_files(
    thresholds: &[crate::core::ops::AlertThreshold],
    granularity: crate::core::ops::Granularity,
    source: &str,
) -> MonitoringFiles {
    use crate::core::export::{grafana, prometheus};
    let options = prometheus::RulesOptions::for_granularity(granularity);
    let dashboard = grafana::dashboard_json(thresholds, &options, &format!("Plumb: {source}"));
    MonitoringFiles {
        rules_yaml: prometheus::rules_yaml(thresholds, &options),
        policy_yaml: prometheus::policy_yaml(),
        dashboard_json: serde_json::to_string_pretty(&dashboard).unwrap_or_default(),
    }
}

/// One window's used rows: its name (`all`, `reference` or `current`), table rows (0-based),
/// scores and labels.
pub type WindowRows = (String, Vec<u32>, Vec<f64>, Vec<u8>);

/// The windows of one log under `spec` (`All`: one window `all`; a split: `reference` and
/// `current`), after the same exclusions as [`analyze`]. For `core::summary::summarize`.
pub fn windows_of(
    file: &LoadedFile,
    mapping: &ColumnMapping,
    spec: &WindowSpec,
) -> Result<Vec<WindowRows>, PlumbError> {
    let prepared = schema::prepare(&file.table, mapping)?;
    let own = |name: &str, s: Split<'_>| {
        let (rows, scores, labels) = (s.rows.into_owned(), s.scores.into_owned(), s.labels);
        (name.to_string(), rows, scores, labels.into_owned())
    };
    match spec {
        WindowSpec::All | WindowSpec::TwoFiles => {
            Ok(vec![own("all", Split::from_all(&prepared, &file.table))])
        }
        spec => {
            let mut mapping = mapping.clone();
            mapping.positive_label = Some(prepared.positive_label.clone());
            let (r, c, _) = split_one(&file.table, &mapping, &prepared, spec)?;
            Ok(vec![own("reference", r), own("current", c)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows with `distinct` possible scores (ties when fewer than `n`), labels correlated with
    /// them; a SplitMix64 stream, so every case is reproducible.
    fn rows(n: usize, distinct: u64, seed: u64) -> (Vec<f64>, Vec<u8>) {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        (0..n)
            .map(|_| {
                let s = (next() % distinct) as f64 / distinct as f64;
                let y = u8::from(((next() % 1000) as f64) < 1000.0 * s);
                (s, y)
            })
            .unzip()
    }

    #[test]
    fn thinned_curves_from_the_sweep_equal_the_full_curves_thinned() {
        let cases = [
            (1, 5, 1),
            (2, 2, 2),
            (3, 3, 3),
            (50, 7, 4),
            (900, 1_000_000, 5),
            (1_001, 1_000_000, 6),
            (5_000, 40, 7),
            (20_000, 1_000_000, 8),
            (20_000, 3_000, 9),
        ];
        let mut compared = 0;
        for (n, distinct, seed) in cases {
            let (s, mut y) = rows(n, distinct, seed);
            for one_class in [None, Some(0u8), Some(1u8)] {
                if let Some(c) = one_class {
                    y.iter_mut().for_each(|v| *v = c);
                }
                let summary = ranking::RankSummary::new(&s, &y).unwrap();
                let sweep = threshold::Sweep::from_summary(&summary);
                let bits = |c: &CurvePoints| {
                    let f = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    (f(&c.x), f(&c.y))
                };
                let roc = summary.roc_curve().map(|c| thin_curve(&c.fpr, &c.tpr));
                let pr = summary
                    .precision_recall_curve()
                    .map(|c| thin_curve(&c.recall, &c.precision));
                assert_eq!(
                    thin_roc(&sweep).as_ref().map(bits),
                    roc.as_ref().map(bits),
                    "ROC, n {n}, distinct {distinct}, class {one_class:?}"
                );
                assert_eq!(
                    thin_pr(&sweep).as_ref().map(bits),
                    pr.as_ref().map(bits),
                    "PR, n {n}, distinct {distinct}, class {one_class:?}"
                );
                compared += usize::from(roc.is_some()) + usize::from(pr.is_some());
            }
        }
        // Most cases have both classes; the one-class ones still have a PR curve or none.
        assert!(compared >= 20, "{compared}");
    }

    proptest::proptest! {
        /// `thin_curve` keeps positions 0, stride, 2·stride, … and the last, finite points
        /// only: the `i % stride` rule it replaced, point for point, below and above 1000
        /// points and with non-finite points at kept and skipped positions.
        #[test]
        fn thin_curve_keeps_the_stride_positions(
            n in proptest::prop_oneof![0usize..1100, 1100usize..7000],
            holes in proptest::collection::vec(0usize..7000, 0..6),
        ) {
            let x: Vec<f64> = (0..n)
                .map(|i| if holes.contains(&i) { f64::NAN } else { i as f64 / 7.0 })
                .collect();
            let y: Vec<f64> = (0..n).map(|i| (i as f64).sqrt()).collect();
            let stride = if n <= CURVE_POINTS { 1 } else { n.div_ceil(CURVE_POINTS) };
            let kept: Vec<usize> = (0..n)
                .filter(|&i| (i % stride == 0 || i + 1 == n) && x[i].is_finite())
                .collect();
            let thin = thin_curve(&x, &y);
            proptest::prop_assert_eq!(&thin.x, &kept.iter().map(|&i| x[i]).collect::<Vec<_>>());
            proptest::prop_assert_eq!(&thin.y, &kept.iter().map(|&i| y[i]).collect::<Vec<_>>());
        }
    }
}
