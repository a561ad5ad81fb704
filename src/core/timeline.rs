//! Drift over time: the current window cut into chunks, each compared with the reference.
//!
//! Chunking ([`Chunking`], `settings.chunking`):
//! * `day`: UTC days — a row at epoch second `t` is in the chunk starting at `⌊t / 86400⌋·86400`;
//! * `week`: ISO weeks (Monday 00:00 UTC to Sunday) — the chunk starts at
//!   `⌊(t − 4·86400) / 604800⌋·604800 + 4·86400` (1970-01-05 was a Monday), as pandas'
//!   `Period` with frequency `W-SUN`;
//! * `rows`: consecutive runs of `size` rows in time order (file order without a timestamp;
//!   the last chunk may be shorter). At most [`MAX_ROW_CHUNKS`] chunks: a smaller `size` is
//!   raised to `⌈n / MAX_ROW_CHUNKS⌉` and the size used is reported;
//! * `auto`: with timestamps spanning at least [`AUTO_MIN_DAYS`] days, `day` up to
//!   [`AUTO_MAX_DAYS`] days and `week` beyond; otherwise `rows` with `⌈n / AUTO_CHUNKS⌉` rows.
//!
//! Time chunks leave out rows without a timestamp (counted in `rows_without_time`) and list only
//! non-empty chunks. Per chunk: the row count, the positive rate, the score's mean and its
//! 10th, 50th and 90th percentiles (numpy's default linear interpolation, Hyndman & Fan
//! definition 7), the ECE under the settings' binning (`Σ_b (n_b/n)·|mean score_b − rate_b|`),
//! and the drift value of the score and of the top [`TOP_FEATURES`] drifting features against
//! the whole reference window, each by the method its row of the drift table uses (default rule
//! or the user's override; [`crate::core::metrics::drift::evaluate`]). "Top drifting" ranks the
//! features by their Jensen–Shannon distance (base 2) between the two windows, a measure that
//! applies to every column kind and is bounded in [0, 1].
//!
//! Reference levels: the same quantities over the whole reference window; for a drift value,
//! the method's drift threshold (the level a chunk must cross to count as drifted).

use serde::{Deserialize, Serialize};

use crate::core::error::PlumbError;
use crate::core::metrics::compare_models;
use crate::core::metrics::drift::{self, ColumnData, DriftMethod};
use crate::core::ops::quantile_sorted;
use crate::core::report::Settings;

/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// Seconds in a week.
pub const WEEK: i64 = 7 * DAY;
/// Offset of the first Monday after the epoch (1970-01-05), in seconds.
pub const MONDAY_OFFSET: i64 = 4 * DAY;
/// `auto` with row chunks cuts the window into this many chunks.
pub const AUTO_CHUNKS: u64 = 10;
/// `auto` uses days or weeks only when the timestamps span at least this many days.
pub const AUTO_MIN_DAYS: f64 = 3.0;
/// `auto` uses days up to this span (in days), weeks beyond.
pub const AUTO_MAX_DAYS: f64 = 90.0;
/// Most chunks by row count.
pub const MAX_ROW_CHUNKS: u64 = 500;
/// Features followed over time, besides the score.
pub const TOP_FEATURES: usize = 3;

/// How the current window is cut into chunks (`settings.chunking`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chunking {
    /// Days or weeks when the timestamps allow (see the module documentation), else rows.
    #[default]
    Auto,
    /// UTC days (needs a timestamp).
    Day,
    /// ISO weeks, Monday to Sunday, UTC (needs a timestamp).
    Week,
    /// Consecutive runs of `size` rows in time (or file) order.
    Rows {
        /// Rows per chunk (at least 1).
        size: u64,
    },
}

impl Chunking {
    /// Read `auto`, `day`, `week` or a whole number of rows per chunk (e.g. `500`).
    pub fn parse(text: &str) -> Result<Self, PlumbError> {
        match text.trim() {
            "auto" => Ok(Self::Auto),
            "day" => Ok(Self::Day),
            "week" => Ok(Self::Week),
            other => match other.parse::<u64>() {
                Ok(size) if size > 0 => Ok(Self::Rows { size }),
                _ => Err(PlumbError::InvalidSetting {
                    setting: "chunking".into(),
                    value: text.to_string(),
                    expected: "auto, day, week or a whole number of rows per chunk (≥ 1)".into(),
                }),
            },
        }
    }

    /// Stable key: `auto`, `day`, `week`, `rows`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Day => "day",
            Self::Week => "week",
            Self::Rows { .. } => "rows",
        }
    }
}

/// Drift over time of the current window against the reference window.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelineReport {
    /// The chunking used: `day`, `week` or `rows` (`auto` resolved).
    pub chunking: String,
    /// Rows per chunk when chunked by rows.
    #[serde(default)]
    pub chunk_rows: Option<u64>,
    /// Current-window rows left out of time chunks because they have no timestamp.
    pub rows_without_time: u64,
    /// The reference window's levels of the same quantities.
    pub reference: TimelineLevels,
    /// The columns whose drift is followed: the score first, then the top drifting features.
    pub drift_columns: Vec<TimelineDriftColumn>,
    /// The chunks, in time (or file) order.
    pub chunks: Vec<TimelineChunk>,
    /// Why no chunks could be made (e.g. chunks by day without a timestamp column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Quantities of one window or chunk. Undefined values (empty window) are `null`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelineLevels {
    /// Rows.
    pub n: u64,
    /// Rows with label 1.
    pub positives: u64,
    /// positives / n.
    pub positive_rate: Option<f64>,
    /// Mean score.
    pub score_mean: Option<f64>,
    /// 10th percentile of the score.
    pub score_p10: Option<f64>,
    /// Median score.
    pub score_p50: Option<f64>,
    /// 90th percentile of the score.
    pub score_p90: Option<f64>,
    /// ECE under the settings' binning.
    pub ece: Option<f64>,
}

/// A column whose drift is followed over time.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelineDriftColumn {
    /// Column name.
    pub name: String,
    /// `score` or `feature`.
    pub role: String,
    /// The drift method (its key, as in the drift table).
    pub method: String,
    /// The method's drift threshold: the reference level drawn on the chart.
    pub threshold: f64,
    /// Whether the value is a p-value (drift below the threshold) rather than a distance.
    pub p_value: bool,
}

/// One chunk of the current window.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelineChunk {
    /// Position, from 0.
    pub index: usize,
    /// Start of the chunk, epoch seconds (day/week start, or the first row's time for row
    /// chunks with timestamps).
    pub start: Option<f64>,
    /// End: the next chunk boundary (day/week), or the last row's time (row chunks).
    pub end: Option<f64>,
    /// The chunk in words: `2026-01-31`, `week of 2026-01-26`, `rows 1–500`.
    pub label: String,
    /// The chunk's quantities.
    #[serde(flatten)]
    pub levels: TimelineLevels,
    /// Drift value per entry of `drift_columns` (same order); `null` when undefined.
    pub drift: Vec<Option<f64>>,
}

/// Values of one column, row-aligned with the window they come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Numbers; NaN where missing.
    Numeric(Vec<f64>),
    /// Category labels; `None` where missing.
    Categorical(Vec<Option<String>>),
}

impl ColumnValues {
    fn len(&self) -> usize {
        match self {
            Self::Numeric(v) => v.len(),
            Self::Categorical(v) => v.len(),
        }
    }

    /// The non-missing values among `rows` (all rows when `None`).
    fn present(&self, rows: Option<&[usize]>) -> Present {
        match self {
            Self::Numeric(v) => {
                let pick = |i: usize| v.get(i).copied().filter(|x| !x.is_nan());
                Present::Numeric(match rows {
                    Some(rows) => rows.iter().filter_map(|&i| pick(i)).collect(),
                    None => (0..v.len()).filter_map(pick).collect(),
                })
            }
            Self::Categorical(v) => {
                let pick = |i: usize| v.get(i).cloned().flatten();
                Present::Categorical(match rows {
                    Some(rows) => rows.iter().filter_map(|&i| pick(i)).collect(),
                    None => (0..v.len()).filter_map(pick).collect(),
                })
            }
        }
    }
}

/// Non-missing values, owned.
enum Present {
    Numeric(Vec<f64>),
    Categorical(Vec<String>),
}

impl Present {
    fn data(&self) -> ColumnData<'_> {
        match self {
            Self::Numeric(v) => ColumnData::Numeric(v),
            Self::Categorical(v) => ColumnData::Categorical(v),
        }
    }
}

/// A column whose drift is followed: its method, and both windows' values.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftInput {
    /// Column name.
    pub name: String,
    /// `score` or `feature`.
    pub role: String,
    /// The method to evaluate per chunk.
    pub method: DriftMethod,
    /// Reference window values.
    pub reference: ColumnValues,
    /// Current window values, row-aligned with the current scores.
    pub current: ColumnValues,
}

/// Everything the timeline is computed from.
#[derive(Debug, Clone, Copy)]
pub struct TimelineInput<'a> {
    /// Reference window scores (probabilities).
    pub reference_scores: &'a [f64],
    /// Reference window labels (0/1).
    pub reference_labels: &'a [u8],
    /// Current window scores.
    pub scores: &'a [f64],
    /// Current window labels.
    pub labels: &'a [u8],
    /// Current window timestamps (epoch seconds, NaN where missing), row-aligned; `None`
    /// without a timestamp column.
    pub times: Option<&'a [f64]>,
    /// Columns whose drift is followed, the score first.
    pub drift: &'a [DriftInput],
}

/// The quantities of one set of rows.
pub fn levels(scores: &[f64], labels: &[u8], settings: &Settings) -> TimelineLevels {
    let n = scores.len().min(labels.len());
    let (scores, labels) = (&scores[..n], &labels[..n]);
    let positives = labels.iter().filter(|&&y| y == 1).count() as u64;
    let mut sorted: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    // The ECE does not read the bins' intervals, so the models' cheaper one serves.
    let ece = compare_models::ece(scores, labels, settings.bins, settings.strategy);
    TimelineLevels {
        n: n as u64,
        positives,
        positive_rate: (n > 0).then(|| positives as f64 / n as f64),
        score_mean: (!sorted.is_empty()).then(|| sorted.iter().sum::<f64>() / sorted.len() as f64),
        score_p10: quantile_sorted(&sorted, 0.1),
        score_p50: quantile_sorted(&sorted, 0.5),
        score_p90: quantile_sorted(&sorted, 0.9),
        ece: if n > 0 { ece } else { None },
    }
}

/// A chunk's rows (indices into the current window) and its extent.
struct Cut {
    rows: Vec<usize>,
    start: Option<f64>,
    end: Option<f64>,
    label: String,
}

/// The chunking actually used (`auto` resolved).
fn resolve(chunking: Chunking, times: Option<&[f64]>, n: usize) -> Result<Chunking, PlumbError> {
    let finite = times.map(|t| {
        t.iter()
            .filter(|t| t.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &t| {
                (lo.min(t), hi.max(t))
            })
    });
    let auto_rows = Chunking::Rows {
        size: (n as u64).div_ceil(AUTO_CHUNKS).max(1),
    };
    match chunking {
        Chunking::Auto => Ok(match finite {
            Some((lo, hi)) if lo.is_finite() => {
                let days = (hi - lo) / DAY as f64;
                if days < AUTO_MIN_DAYS {
                    auto_rows
                } else if days <= AUTO_MAX_DAYS {
                    Chunking::Day
                } else {
                    Chunking::Week
                }
            }
            _ => auto_rows,
        }),
        Chunking::Day | Chunking::Week => match finite {
            Some((lo, _)) if lo.is_finite() => Ok(chunking),
            _ => Err(PlumbError::MissingRole {
                role: "timestamp (for chunks by day or week)".into(),
            }),
        },
        Chunking::Rows { size } => {
            if size == 0 {
                return Err(PlumbError::InvalidSetting {
                    setting: "chunking".into(),
                    value: "0 rows per chunk".into(),
                    expected: "at least 1 row per chunk".into(),
                });
            }
            Ok(Chunking::Rows {
                size: size.max((n as u64).div_ceil(MAX_ROW_CHUNKS)),
            })
        }
    }
}

/// Cut the current window's rows into chunks.
fn cut(chunking: Chunking, times: Option<&[f64]>, n: usize) -> (Vec<Cut>, u64) {
    let time_of = |i: usize| times.and_then(|t| t.get(i).copied()).unwrap_or(f64::NAN);
    match chunking {
        Chunking::Day | Chunking::Week => {
            let (width, offset) = if chunking == Chunking::Day {
                (DAY, 0)
            } else {
                (WEEK, MONDAY_OFFSET)
            };
            let mut map: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
            let mut without = 0u64;
            for i in 0..n {
                let t = time_of(i);
                if t.is_finite() {
                    let k = ((t - offset as f64) / width as f64).floor() as i64;
                    map.entry(k).or_default().push(i);
                } else {
                    without += 1;
                }
            }
            let cuts = map
                .into_iter()
                .map(|(k, rows)| {
                    let start = k.saturating_mul(width).saturating_add(offset);
                    let day = crate::core::render::format_timestamp(start as f64);
                    let date = day.get(..10).unwrap_or(&day).to_string();
                    Cut {
                        rows,
                        start: Some(start as f64),
                        end: Some(start.saturating_add(width) as f64),
                        label: if chunking == Chunking::Day {
                            date
                        } else {
                            format!("week of {date}")
                        },
                    }
                })
                .collect();
            (cuts, without)
        }
        Chunking::Rows { size } => {
            let size = usize::try_from(size)
                .unwrap_or(usize::MAX)
                .clamp(1, n.max(1));
            // Time order when timestamps exist (rows without one left out), else file order.
            let mut order: Vec<usize> = (0..n).collect();
            let mut without = 0u64;
            if times.is_some() {
                order.retain(|&i| time_of(i).is_finite());
                without = (n - order.len()) as u64;
                order.sort_unstable_by(|&a, &b| time_of(a).total_cmp(&time_of(b)).then(a.cmp(&b)));
            }
            let cuts = order
                .chunks(size)
                .enumerate()
                .map(|(k, rows)| {
                    let first = k * size + 1;
                    let last = first + rows.len() - 1;
                    let (start, end) = if times.is_some() {
                        (
                            rows.first().map(|&i| time_of(i)),
                            rows.last().map(|&i| time_of(i)),
                        )
                    } else {
                        (None, None)
                    };
                    Cut {
                        rows: rows.to_vec(),
                        start,
                        end,
                        label: format!("rows {first}–{last}"),
                    }
                })
                .collect();
            (cuts, without)
        }
        // `resolve` never returns `Auto`.
        Chunking::Auto => (Vec::new(), 0),
    }
}

/// The timeline of the current window against the reference window.
///
/// Errors: a chunking by day or week without timestamps, or zero rows per chunk.
pub fn timeline(
    input: &TimelineInput<'_>,
    chunking: Chunking,
    settings: &Settings,
) -> Result<TimelineReport, PlumbError> {
    let n = input.scores.len().min(input.labels.len());
    if let Some(t) = input.times
        && t.len() != n
    {
        return Err(PlumbError::InvalidSetting {
            setting: "timeline".into(),
            value: format!("{} timestamps for {n} rows", t.len()),
            expected: "one timestamp per row".into(),
        });
    }
    if let Some(d) = input.drift.iter().find(|d| d.current.len() != n) {
        return Err(PlumbError::InvalidSetting {
            setting: "timeline".into(),
            value: format!("{} values of {} for {n} rows", d.current.len(), d.name),
            expected: "one value per row".into(),
        });
    }
    let resolved = resolve(chunking, input.times, n)?;
    let (cuts, rows_without_time) = cut(resolved, input.times, n);
    let references: Vec<Present> = input
        .drift
        .iter()
        .map(|d| d.reference.present(None))
        .collect();
    let chunks = cuts
        .into_iter()
        .enumerate()
        .map(|(index, c)| {
            let scores: Vec<f64> = c.rows.iter().map(|&i| input.scores[i]).collect();
            let labels: Vec<u8> = c.rows.iter().map(|&i| input.labels[i]).collect();
            let drift = input
                .drift
                .iter()
                .zip(&references)
                .map(|(d, r)| {
                    let cur = d.current.present(Some(&c.rows));
                    drift::evaluate(d.method, r.data(), cur.data()).map(|o| o.value)
                })
                .collect();
            TimelineChunk {
                index,
                start: c.start,
                end: c.end,
                label: c.label,
                levels: levels(&scores, &labels, settings),
                drift,
            }
        })
        .collect();
    Ok(TimelineReport {
        chunking: resolved.key().to_string(),
        chunk_rows: match resolved {
            Chunking::Rows { size } => Some(size),
            _ => None,
        },
        rows_without_time,
        reference: levels(input.reference_scores, input.reference_labels, settings),
        drift_columns: input
            .drift
            .iter()
            .map(|d| TimelineDriftColumn {
                name: d.name.clone(),
                role: d.role.clone(),
                method: d.method.key().to_string(),
                threshold: d.method.threshold(),
                p_value: d.method.is_p_value(),
            })
            .collect(),
        chunks,
        error: None,
    })
}

/// Counts of rows per time bucket, for the split-at-a-time picker.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TimeHistogram {
    /// Bucket width in seconds (minute, hour or day: the finest the data allows).
    pub width: i64,
    /// Bucket starts, epoch seconds, ascending (buckets between the first and last are all
    /// listed, empty ones with a zero count).
    pub starts: Vec<i64>,
    /// Rows per bucket.
    pub counts: Vec<u64>,
    /// Rows without a timestamp.
    pub missing: u64,
}

impl TimeHistogram {
    /// Counts of `timestamps` (NaN where missing) per bucket of the automatic granularity
    /// ([`crate::core::ops::Granularity::auto`]); `None` without a finite timestamp.
    pub fn of(timestamps: &[f64]) -> Option<Self> {
        let g = crate::core::ops::Granularity::auto(timestamps)?;
        let width = g.seconds();
        let buckets = crate::core::ops::time_bucket_counts(timestamps, g);
        let (first, last) = (buckets.first()?.0, buckets.last()?.0);
        let len = ((last - first) / width + 1) as usize;
        let mut counts = vec![0u64; len];
        for &(start, rows) in &buckets {
            if let Some(c) = counts.get_mut(((start - first) / width) as usize) {
                *c = rows;
            }
        }
        Some(Self {
            width,
            starts: (0..len as i64).map(|k| first + k * width).collect(),
            counts,
            missing: timestamps.iter().filter(|t| !t.is_finite()).count() as u64,
        })
    }

    /// The bucket boundary nearest to `t`, clamped to the histogram's span: where a click at
    /// time `t` puts the split (so the split falls between bars).
    pub fn snap(&self, t: f64) -> Option<i64> {
        let first = *self.starts.first()?;
        let last = self.starts.last()? + self.width;
        if !t.is_finite() {
            return None;
        }
        let k = ((t - first as f64) / self.width as f64).round() as i64;
        Some((first + k * self.width).clamp(first, last))
    }
}

/// Epoch seconds as the `YYYY-MM-DDTHH:MM:SS` text a `datetime-local` input takes (UTC).
pub fn datetime_local(secs: i64) -> String {
    crate::core::render::format_timestamp(secs as f64).replacen(' ', "T", 1)
}
