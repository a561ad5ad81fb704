//! A [`Report`] from a summary file, and a summary file from a raw log.
//!
//! [`report_from_summary`] fills what counts and sums determine (see [`super::metrics`] for
//! what is exact and the bounds of the rest) and leaves the rest `None`; `report.summary`
//! says that the input was a summary and states the bounds per window.
//! [`summarize`] writes the same format from raw rows, so the SQL producers
//! (`sql/summary_duckdb.sql`, `sql/summary_spark.sql`) and Plumb can be compared.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::analysis::{self, LoadedFile};
use crate::core::error::PlumbError;
use crate::core::metrics::drift::DriftMethod;
use crate::core::metrics::intervals::normal_sf;
use crate::core::report::{
    BinStrategy, ColumnMapping, DriftColumn, DriftReport, Generator, Input, InputFile,
    LabelShiftReport, Report, SCHEMA, SegmentColumn, Settings, WindowSpec, Windows,
};
use crate::core::segments::{self, SegmentStats};

use super::file::{self, NO_SEGMENT, SummaryFile};
use super::metrics;
use super::sketch::ScoreSummary;

/// What a summary input determined, and how close each window's numbers are to the raw rows'.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SummaryInfo {
    /// `plumb_summary/v1`.
    pub format: String,
    /// Equal-width cells `K` of [0, 1].
    pub buckets: u32,
    /// Data lines of the summary file.
    pub lines: u64,
    /// Window names as in the file.
    pub windows: Vec<String>,
    /// Segment values (`(all)` when the file has none).
    pub segments: Vec<String>,
    /// The bounds per window (`all`, or `reference` and `current`).
    pub bounds: BTreeMap<String, SummaryBounds>,
    /// For people: that the input is a summary, what is exact, what is bounded, what is absent.
    pub notice: String,
}

/// How far a window's summary metrics can be from the raw rows' (see `docs/summary-input.md`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SummaryBounds {
    /// `|roc_auc − exact| ≤ roc_auc` (`Σ_c P_c·N_c / (2PN)` over open cells).
    pub roc_auc: Option<f64>,
    /// `0 ≤ exact − ks_separation ≤ ks_separation`.
    pub ks_separation: Option<f64>,
    /// Rows in open cells (those whose exact score is unknown within a cell width).
    pub rows_in_open_cells: u64,
    /// Whether `at_threshold` is exact (the threshold is a cell edge).
    pub threshold_exact: bool,
    /// Whether the 0.01-step sweep is exact (`K` a multiple of 100).
    pub sweep_exact: bool,
    /// Whether reliability bins (and ECE) are present and exact (uniform, `K` a multiple of bins).
    pub reliability_exact: bool,
}

/// Whether a loaded file is a summary file (by its header).
pub fn is_summary(file: &LoadedFile) -> bool {
    file::is_summary(&file.table)
}

/// The report of a summary file under `settings` (its windows come from the file:
/// `settings.window` is replaced).
pub fn report_from_summary(
    file: &LoadedFile,
    settings: &Settings,
    generator: &str,
) -> Result<Report, PlumbError> {
    let summary = file::parse(file)?;
    let names = summary.windows();
    let two = names.len() == 2
        && names.iter().any(|w| w == "reference")
        && names.iter().any(|w| w == "current");
    if !(names.len() == 1 || two) {
        return Err(PlumbError::Summary {
            line: file.table.header_line,
            column: "window_name".into(),
            message: format!(
                "the windows are {}; a summary has one window (any name) or two named \
                 `reference` and `current`",
                names.join(", ")
            ),
        });
    }
    let mut settings = settings.clone();
    settings.window = if two {
        WindowSpec::SplitColumn {
            column: "window_name".into(),
            reference: "reference".into(),
            current: "current".into(),
        }
    } else {
        WindowSpec::All
    };
    let mut windows = Windows::default();
    let mut bounds = BTreeMap::new();
    let mut used = 0;
    let mut whole = BTreeMap::new();
    for name in &names {
        let s = summary.window(name)?;
        used += s.n();
        let w = metrics::window_report(&s, &settings);
        let key = if two { name.clone() } else { "all".to_string() };
        bounds.insert(
            key.clone(),
            bounds_of(&s, &settings, !w.reliability.is_empty()),
        );
        match key.as_str() {
            "reference" => windows.reference = Some(w),
            "current" => windows.current = Some(w),
            _ => windows.all = Some(w),
        }
        whole.insert(key, s);
    }
    let segment_window = if two { "current" } else { names[0].as_str() };
    let segment_values: Vec<String> = summary
        .segments(segment_window)
        .iter()
        .map(|(s, _)| s.to_string())
        .collect();
    let has_segments = !(segment_values.len() == 1 && segment_values[0] == NO_SEGMENT);
    let segments = if has_segments {
        vec![SegmentColumn {
            column: "segment".into(),
            segments: segment_stats(&summary, segment_window),
        }]
    } else {
        Vec::new()
    };
    let (drift, label_shift) = match (whole.get("reference"), whole.get("current")) {
        (Some(r), Some(c)) => (score_drift(r, c), Some(priors(r, c))),
        _ => (None, None),
    };
    let notice = notice_text(&summary, &bounds);
    let mut all_segments: Vec<String> = summary.parts.keys().map(|(_, s)| s.clone()).collect();
    all_segments.sort();
    all_segments.dedup();
    let columns = ColumnMapping {
        segments: if has_segments {
            vec!["segment".into()]
        } else {
            Vec::new()
        },
        ..ColumnMapping::default()
    };
    Ok(Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: generator.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        },
        input: Input {
            files: vec![InputFile {
                name: file.name.clone(),
                bytes: file.bytes,
                sha256: file.sha256.clone(),
                rows: file.rows,
                rows_used: used,
                dialect: file.dialect.clone(),
                ..InputFile::default()
            }],
            columns,
        },
        settings,
        windows,
        drift,
        label_shift,
        segments,
        summary: Some(SummaryInfo {
            format: format!("{}/{}", file::FORMAT_COLUMN, file::FORMAT_VERSION),
            buckets: summary.buckets,
            lines: summary.lines,
            windows: names,
            segments: all_segments,
            bounds,
            notice,
        }),
        ..Report::default()
    })
}

fn bounds_of(s: &ScoreSummary, settings: &Settings, reliability: bool) -> SummaryBounds {
    let open: u64 = (0..s.slots())
        .filter(|&i| !i.is_multiple_of(2))
        .map(|i| s.both(i).n)
        .sum();
    let t = settings.threshold;
    let threshold_exact = s.slot_of(t).is_some_and(|slot| slot.is_multiple_of(2)) || open == 0;
    SummaryBounds {
        roc_auc: metrics::auc_bound(s),
        ks_separation: metrics::ks_bound(s),
        rows_in_open_cells: open,
        threshold_exact,
        sweep_exact: s.buckets().is_multiple_of(100) || open == 0,
        reliability_exact: reliability && settings.strategy == BinStrategy::Uniform,
    }
}

fn notice_text(summary: &SummaryFile, bounds: &BTreeMap<String, SummaryBounds>) -> String {
    let k = summary.buckets;
    let auc: Vec<String> = bounds
        .iter()
        .filter_map(|(w, b)| b.roc_auc.map(|v| format!("{w} ±{v:.2e}")))
        .collect();
    format!(
        "Summary input ({}/{}, {k} cells of width 1/{k}, {} lines): counts, positive rate, mean \
         score, Brier score, log loss and uniform reliability bins with ECE are exact; \
         confusion counts are exact at cell edges; the AUC is within {} of the raw rows' value. \
         Smooth ECE, DeLong and bootstrap intervals, Hosmer–Lemeshow, Spiegelhalter, the \
         logistic fit, feature drift and data-quality checks need the raw rows and are not shown.",
        file::FORMAT_COLUMN,
        file::FORMAT_VERSION,
        summary.lines,
        if auc.is_empty() {
            "a stated bound".to_string()
        } else {
            auc.join(", ")
        }
    )
}

/// Segment statistics of one window from its per-segment summaries, as `segments::segment_report`
/// computes them from rows: exact except the AUC (within each segment's [`metrics::auc_bound`]);
/// the DeLong interval is left out.
fn segment_stats(summary: &SummaryFile, window: &str) -> Vec<SegmentStats> {
    let parts = summary.segments(window);
    let mut out: Vec<SegmentStats> = parts
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| s.n() > 0)
        .map(|(code, (name, s))| {
            let (neg, pos) = s.totals();
            let n = neg.n + pos.n;
            let sum_p = neg.score_sum + pos.score_sum;
            let var_sum = sum_p - (neg.score_sq_sum + pos.score_sq_sum);
            let (citl_z, citl_p_value) = if var_sum > 0.0 {
                let z = (sum_p - pos.n as f64) / var_sum.sqrt();
                (Some(z), (2.0 * normal_sf(z.abs())).min(1.0))
            } else if sum_p == pos.n as f64 {
                (None, 1.0)
            } else {
                (None, 0.0)
            };
            let mean_score = sum_p / n as f64;
            let positive_rate = pos.n as f64 / n as f64;
            SegmentStats {
                name: name.to_string(),
                code: code as u32,
                n,
                positives: pos.n,
                positive_rate,
                mean_score,
                ece: segment_ece(s),
                calibration_in_the_large: mean_score - positive_rate,
                citl_z,
                citl_p_value,
                q_value: citl_p_value,
                roc_auc: metrics::rank_summary(s).and_then(|r| r.roc_auc()),
                roc_auc_ci: None,
                flagged: false,
            }
        })
        .collect();
    let p: Vec<f64> = out.iter().map(|s| s.citl_p_value).collect();
    for (s, q) in out.iter_mut().zip(segments::benjamini_hochberg(&p)) {
        s.q_value = q;
        s.flagged = q < 0.05;
    }
    let excess = |s: &SegmentStats| (s.calibration_in_the_large * s.n as f64).abs();
    out.sort_by(|a, b| {
        excess(b)
            .total_cmp(&excess(a))
            .then(a.q_value.total_cmp(&b.q_value))
            .then_with(|| a.name.cmp(&b.name))
            .then(a.code.cmp(&b.code))
    });
    out
}

/// `segments::ece_uniform` from slots: 10 bins with its edge rule (`k·0.1 ≤ s` → bin k).
fn segment_ece(s: &ScoreSummary) -> f64 {
    let mut sums = [0.0f64; 10];
    let mut pos = [0u64; 10];
    for slot in 0..s.slots() {
        let c = s.both(slot);
        if c.n == 0 {
            continue;
        }
        let rep = metrics::bin_score(s, slot);
        let b = (1..10).take_while(|&k| k as f64 * 0.1 <= rep).count();
        sums[b] += c.score_sum;
        pos[b] += s.positive(slot).n;
    }
    let n = s.n() as f64;
    sums.iter()
        .zip(&pos)
        .map(|(s, &p)| (s - p as f64).abs())
        .sum::<f64>()
        / n
}

/// The score's drift from the summaries: KS at slot boundaries (p-value not computed: the
/// statistic is a bound, not the exact one), PSI (the method) and the Jensen–Shannon distance
/// over reference-decile bins at slot boundaries.
fn score_drift(reference: &ScoreSummary, current: &ScoreSummary) -> Option<DriftReport> {
    let shift = metrics::score_shift(reference, current)?;
    let method = DriftMethod::Psi;
    Some(DriftReport {
        columns: vec![DriftColumn {
            name: "score".into(),
            kind: "numeric".into(),
            role: "score".into(),
            psi: shift.psi,
            js_distance: shift.js_distance,
            ks_statistic: Some(shift.ks_statistic),
            method: method.key().into(),
            method_source: "default".into(),
            methods: vec![method.key().into()],
            value: shift.psi,
            threshold: method.threshold(),
            drifted: shift.psi.is_some_and(|v| v >= method.threshold()),
            ..DriftColumn::default()
        }],
    })
}

fn priors(reference: &ScoreSummary, current: &ScoreSummary) -> LabelShiftReport {
    let rate = |s: &ScoreSummary| {
        let (neg, pos) = s.totals();
        let n = neg.n + pos.n;
        (n > 0).then(|| pos.n as f64 / n as f64)
    };
    LabelShiftReport {
        prior_reference: rate(reference),
        prior_current_observed: rate(current),
        ..LabelShiftReport::default()
    }
}

/// The threshold sweep of a one-window summary file, for dragging the threshold (exact at
/// cell edges, see [`metrics`]); `None` for a comparison or an unreadable file.
pub fn sweep_of(file: &LoadedFile) -> Option<crate::core::metrics::threshold::Sweep> {
    let summary = file::parse(file).ok()?;
    let names = summary.windows();
    let [name] = names.as_slice() else {
        return None;
    };
    let rank = metrics::rank_summary(&summary.window(name).ok()?)?;
    Some(crate::core::metrics::threshold::Sweep::from_summary(&rank))
}

/// Summarise a raw log: its windows under `spec` (as `plumb audit` splits them), by the values
/// of `segment` (a column name; `None`: one segment `(all)`), with `buckets` cells.
pub fn summarize(
    file: &LoadedFile,
    mapping: &ColumnMapping,
    spec: &WindowSpec,
    segment: Option<&str>,
    buckets: u32,
) -> Result<SummaryFile, PlumbError> {
    let mut out = SummaryFile::new(buckets)?;
    let column = segment
        .map(|name| file.table.require_column(name))
        .transpose()?;
    for (window, rows, scores, labels) in analysis::windows_of(file, mapping, spec)? {
        for ((&row, &score), &label) in rows.iter().zip(&scores).zip(&labels) {
            let value = match column {
                None => NO_SEGMENT.to_string(),
                Some(c) if c.is_missing(row as usize) => NO_SEGMENT.to_string(),
                Some(c) => c.text(row as usize).map(str::to_string).ok_or_else(|| {
                    PlumbError::TooManyClasses {
                        column: c.name.clone(),
                        limit: crate::core::ingest::DICTIONARY_CAP as u64,
                    }
                })?,
            };
            out.part_mut(&window, &value)?.add(score, label)?;
        }
    }
    out.lines = out
        .parts
        .values()
        .map(|p| {
            (0..p.slots())
                .map(|i| u64::from(p.negative(i).n > 0) + u64::from(p.positive(i).n > 0))
                .sum::<u64>()
        })
        .sum();
    Ok(out)
}
