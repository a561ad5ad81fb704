//! The summary file: a CSV of per-slot counts and sums by window, segment and label
//! (`plumb_summary` format `v1`, documented in `docs/summary-input.md`).
//!
//! ```text
//! plumb_summary,buckets,window_name,segment,label,bucket_lo,bucket_hi,row_count,score_sum,score_sq_sum,log_loss_sum
//! v1,1000,reference,web,0,0.412,0.413,17,7.0143,2.894,9.07
//! v1,1000,reference,web,1,0.5,0.5,3,1.5,0.75,2.079
//! ```
//!
//! One line per non-empty (window, segment, label, slot). A slot is an open cell
//! `(bucket_lo, bucket_hi)` with `bucket_hi = bucket_lo + 1/buckets`, or an atom
//! `bucket_lo = bucket_hi` (scores exactly on the edge). Lines with the same key add up, so
//! summaries of parts concatenate into the summary of the whole. The file is recognised after
//! the normal CSV parse by its header (first column `plumb_summary`, every column present).

use std::collections::BTreeMap;

use crate::core::analysis::LoadedFile;
use crate::core::error::PlumbError;
use crate::core::ingest::Table;

use super::sketch::{Cell, ScoreSummary};

/// The format marker: the first column's name.
pub const FORMAT_COLUMN: &str = "plumb_summary";

/// The format version written in the first column of every line.
pub const FORMAT_VERSION: &str = "v1";

/// The columns of a summary file, in the order Plumb and the shipped SQL write them.
pub const COLUMNS: [&str; 11] = [
    FORMAT_COLUMN,
    "buckets",
    "window_name",
    "segment",
    "label",
    "bucket_lo",
    "bucket_hi",
    "row_count",
    "score_sum",
    "score_sq_sum",
    "log_loss_sum",
];

/// The segment value of rows without one (an empty cell or no segment column).
pub const NO_SEGMENT: &str = "(all)";

/// A parsed summary: one [`ScoreSummary`] per (window, segment).
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryFile {
    /// Cells `K` of every summary.
    pub buckets: u32,
    /// Summaries by (window, segment).
    pub parts: BTreeMap<(String, String), ScoreSummary>,
    /// Data lines read.
    pub lines: u64,
}

impl SummaryFile {
    /// An empty summary file with `buckets` cells.
    pub fn new(buckets: u32) -> Result<Self, PlumbError> {
        ScoreSummary::new(buckets)?;
        Ok(Self {
            buckets,
            parts: BTreeMap::new(),
            lines: 0,
        })
    }

    /// Window names, sorted.
    pub fn windows(&self) -> Vec<String> {
        let mut w: Vec<String> = self.parts.keys().map(|(w, _)| w.clone()).collect();
        w.dedup();
        w
    }

    /// Segment values of a window, sorted.
    pub fn segments(&self, window: &str) -> Vec<(&str, &ScoreSummary)> {
        self.parts
            .iter()
            .filter(|((w, _), _)| w == window)
            .map(|((_, s), v)| (s.as_str(), v))
            .collect()
    }

    /// The summary of a whole window (its segments merged).
    pub fn window(&self, window: &str) -> Result<ScoreSummary, PlumbError> {
        let mut all = ScoreSummary::new(self.buckets)?;
        for (_, s) in self.segments(window) {
            all.merge(s)?;
        }
        Ok(all)
    }

    /// The part of (window, segment), created empty when absent.
    pub fn part_mut(
        &mut self,
        window: &str,
        segment: &str,
    ) -> Result<&mut ScoreSummary, PlumbError> {
        let key = (window.to_string(), segment.to_string());
        if !self.parts.contains_key(&key) {
            self.parts
                .insert(key.clone(), ScoreSummary::new(self.buckets)?);
        }
        self.parts.get_mut(&key).ok_or(PlumbError::Empty)
    }

    /// Add another summary file's parts (same `K`).
    pub fn merge(&mut self, other: &SummaryFile) -> Result<(), PlumbError> {
        for ((w, s), part) in &other.parts {
            self.part_mut(w, s)?.merge(part)?;
        }
        self.lines += other.lines;
        Ok(())
    }

    /// The CSV text: the header, then one line per non-empty (window, segment, label, slot),
    /// sorted by window, segment, label and slot. Numbers in Rust's shortest round-trip form.
    pub fn to_csv(&self) -> String {
        let mut out = COLUMNS.join(",");
        out.push('\n');
        for ((w, s), part) in &self.parts {
            for label in [0u8, 1] {
                for slot in 0..part.slots() {
                    let c = if label == 1 {
                        part.positive(slot)
                    } else {
                        part.negative(slot)
                    };
                    if c.n == 0 {
                        continue;
                    }
                    let (lo, hi) = part.bounds(slot);
                    out.push_str(&format!(
                        "{FORMAT_VERSION},{},{},{},{label},{lo},{hi},{},{},{},{}\n",
                        self.buckets,
                        csv_field(w),
                        csv_field(s),
                        c.n,
                        c.score_sum,
                        c.score_sq_sum,
                        c.log_loss_sum
                    ));
                }
            }
        }
        out
    }
}

/// A text field quoted when it holds a delimiter, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Whether a parsed table is a summary file: [`is_summary_columns`] on its header.
pub fn is_summary(table: &Table) -> bool {
    is_summary_columns(&table.headers)
}

/// Whether a file with these column names (in file order) is a summary file: its first column
/// is `plumb_summary`. The one test, for the loader (on a table's header, [`is_summary`]) and
/// the page (which holds the names but not the table).
pub fn is_summary_columns<S: AsRef<str>>(names: &[S]) -> bool {
    names.first().map(AsRef::as_ref) == Some(FORMAT_COLUMN)
}

/// A summary-file error at an editor line and column.
fn bad(line: u64, column: &str, message: String) -> PlumbError {
    PlumbError::Summary {
        line,
        column: column.to_string(),
        message,
    }
}

/// Read a loaded summary file; every problem is an error naming the line and column.
pub fn parse(file: &LoadedFile) -> Result<SummaryFile, PlumbError> {
    let table = &file.table;
    if let Some(&line) = table.ragged_lines.first() {
        return Err(bad(
            line,
            "",
            format!(
                "the line does not have the {} fields of the header",
                table.headers.len()
            ),
        ));
    }
    let header_line = table.header_line;
    for name in COLUMNS {
        if table.column(name).is_none() {
            return Err(bad(
                header_line,
                name,
                format!(
                    "a summary file needs the columns {}; `{name}` is missing",
                    COLUMNS.join(", ")
                ),
            ));
        }
    }
    let col = |name: &str| table.require_column(name);
    let (format, windows, segments) = (col(FORMAT_COLUMN)?, col("window_name")?, col("segment")?);
    // Whole columns of numbers (NaN where a cell is not one), by row index: a column without
    // any number keeps no number vector.
    let num =
        |name: &str| col(name).map(|c| (0..c.len()).map(|r| c.number(r)).collect::<Vec<f64>>());
    let (buckets, labels, los, his) = (
        num("buckets")?,
        num("label")?,
        num("bucket_lo")?,
        num("bucket_hi")?,
    );
    let (counts, sums, squares, losses) = (
        num("row_count")?,
        num("score_sum")?,
        num("score_sq_sum")?,
        num("log_loss_sum")?,
    );
    if table.n_rows == 0 {
        return Err(PlumbError::NoDataRows);
    }
    let k = buckets[0];
    if !(k.fract() == 0.0 && (1.0..=super::sketch::MAX_BUCKETS as f64).contains(&k)) {
        return Err(bad(
            table.line_of_row(0),
            "buckets",
            format!(
                "`{k}` is not a whole number of cells from 1 to {}",
                super::sketch::MAX_BUCKETS
            ),
        ));
    }
    let mut out = SummaryFile::new(k as u32)?;
    for row in 0..table.n_rows {
        let line = table.line_of_row(row);
        let text = |c: &crate::core::ingest::Column, name: &str| -> Result<String, PlumbError> {
            if c.is_missing(row) {
                return Ok(String::new());
            }
            c.text(row).map(str::to_string).ok_or_else(|| {
                bad(
                    line,
                    name,
                    "too many distinct values to read as text".into(),
                )
            })
        };
        let version = text(format, FORMAT_COLUMN)?;
        if version != FORMAT_VERSION {
            return Err(bad(
                line,
                FORMAT_COLUMN,
                format!("format `{version}` is not one Plumb reads (expected `{FORMAT_VERSION}`)"),
            ));
        }
        if buckets[row] != k {
            return Err(bad(
                line,
                "buckets",
                format!(
                    "`{}` differs from the first line's {k}: one file, one cell width",
                    buckets[row]
                ),
            ));
        }
        let window = text(windows, "window_name")?;
        if window.is_empty() {
            return Err(bad(line, "window_name", "the window name is empty".into()));
        }
        let mut segment = text(segments, "segment")?;
        if segment.is_empty() {
            segment = NO_SEGMENT.to_string();
        }
        let label = match labels[row] {
            0.0 => 0u8,
            1.0 => 1u8,
            v => return Err(bad(line, "label", format!("`{v}` is not 0 or 1"))),
        };
        let (lo, hi) = (los[row], his[row]);
        let slot = out
            .part_mut(&window, &segment)?
            .slot_of_bounds(lo, hi)
            .ok_or_else(|| {
                bad(
                    line,
                    "bucket_lo",
                    format!(
                        "[{lo}, {hi}] is neither an edge j/{k} (bucket_lo = bucket_hi) nor a cell \
                         (j/{k}, (j+1)/{k})"
                    ),
                )
            })?;
        let n = counts[row];
        if !(n.fract() == 0.0 && (0.0..9.0e15).contains(&n)) {
            return Err(bad(
                line,
                "row_count",
                format!("`{n}` is not a whole number of rows"),
            ));
        }
        let cell = Cell {
            n: n as u64,
            score_sum: sums[row],
            score_sq_sum: squares[row],
            log_loss_sum: losses[row],
        };
        for (name, v) in [
            ("score_sum", cell.score_sum),
            ("score_sq_sum", cell.score_sq_sum),
            ("log_loss_sum", cell.log_loss_sum),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(line, name, format!("`{v}` is not a finite sum ≥ 0")));
            }
        }
        let tol = 1e-9 * (1.0 + n);
        if cell.score_sum < lo * n - tol || cell.score_sum > hi * n + tol {
            return Err(bad(
                line,
                "score_sum",
                format!(
                    "{} is not between {n} × {lo} and {n} × {hi}: the sum does not fit the bucket",
                    cell.score_sum
                ),
            ));
        }
        if cell.score_sq_sum < lo * lo * n - tol || cell.score_sq_sum > hi * hi * n + tol {
            return Err(bad(
                line,
                "score_sq_sum",
                format!(
                    "{} is not between {n} × {lo}² and {n} × {hi}²",
                    cell.score_sq_sum
                ),
            ));
        }
        out.part_mut(&window, &segment)?
            .add_cell(slot, label, &cell);
        out.lines += 1;
    }
    Ok(out)
}
