//! Bytes of a delimited file (optionally gzip-compressed) to a typed [`Table`].
//!
//! The pipeline, fed chunk by chunk through [`TableBuilder`] so a browser can stream a `Blob`:
//! 1. gzip is recognised by its magic bytes `1F 8B` (RFC 1952) and decompressed incrementally;
//!    multi-member files are read whole;
//! 2. the first 64 KiB of text are checked for encodings other than UTF-8 and for binary
//!    formats, a UTF-8 byte-order mark is stripped, and the delimiter is sniffed
//!    (see the `sniff` module);
//! 3. the text is split into records (the `parser` module: RFC 4180 with the usual leniencies);
//! 4. the first non-blank record is the header; each later record becomes one row of typed
//!    [`Column`]s, except records whose field count differs from the header's, which are left
//!    out and listed in [`Table::ragged_lines`].
//!
//! Positions in messages are editor line numbers (1-based, header = line 1 unless blank lines
//! precede it) and 0-based byte offsets into the uncompressed text.
//!
//! Columnar files (Apache Parquet, Arrow IPC) take another road to the same [`Table`]: the
//! `parquet` and `arrow_ipc` modules decode them with the Apache Arrow crates and the
//! `arrow_batch` module pushes typed values into the same column builders (see
//! [`read_parquet`], [`read_arrow_ipc`]); [`crate::core::stream::FileLoader`] tells the
//! formats apart by their first bytes.

mod arrow_batch;
mod arrow_ipc;
mod column;
mod parquet;
mod parser;
mod sniff;
pub mod split;
mod timestamp;

pub use arrow_ipc::{is_arrow_ipc, read_arrow_ipc};
pub use column::{
    Column, ColumnKind, DICTIONARY_CAP, Dictionary, MISSING_CODE, instant_hash, is_missing_marker,
    parse_number, text_hash,
};
pub use parquet::{BATCH_ROWS, is_parquet, read_parquet};
pub use timestamp::{days_from_civil, parse_iso8601};

use crate::core::error::PlumbError;
use crate::core::report::Dialect;
use column::ColumnBuilder;
use flate2::write::MultiGzDecoder;
use parser::{Parser, Record};
use sniff::{SNIFF_BYTES, check_text, sniff_delimiter};
use std::collections::{HashMap, HashSet};
use std::io::Write;

/// Compressed bytes handed to the gzip decoder at a time, so that decompressed output is
/// drained in pieces of bounded size.
const GZIP_STEP: usize = 16 * 1024;

/// A parsed delimited file: typed columns plus what was learned while reading it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Column names as used everywhere else: trimmed, empty ones named `column_N`, duplicates
    /// suffixed `_2`, `_3`, ... (see `warnings`).
    pub headers: Vec<String>,
    /// One column per header name, each with `n_rows` rows.
    pub columns: Vec<Column>,
    /// Data rows kept (ragged rows and blank lines are not rows).
    pub n_rows: usize,
    /// How the file was read.
    pub dialect: Dialect,
    /// Editor line numbers of records whose field count differs from the header's, in order.
    pub ragged_lines: Vec<u64>,
    /// Things a person should know about how the file was read (renamed columns, replaced
    /// characters, a header that looks like data).
    pub warnings: Vec<String>,
    /// Editor line of the header.
    pub header_line: u64,
    /// Rows whose line is not one past the previous row's: (row, line), by row.
    line_breaks: Vec<(usize, u64)>,
}

impl Table {
    /// The 1-based editor line on which data row `row` starts (the header is line 1). Exact
    /// even when quoted fields span lines, or blank and ragged lines were skipped.
    pub fn line_of_row(&self, row: usize) -> u64 {
        let i = self.line_breaks.partition_point(|&(r, _)| r <= row);
        match i.checked_sub(1).map(|j| self.line_breaks[j]) {
            Some((r, line)) => line + (row - r) as u64,
            None => self.header_line + 1 + row as u64,
        }
    }

    /// Heap bytes the table holds: its columns (see [`Column::heap_bytes`]) and line index.
    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(Column::heap_bytes).sum::<usize>()
            + self.line_breaks.capacity() * std::mem::size_of::<(usize, u64)>()
            + self.ragged_lines.capacity() * 8
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column called `name`, or an error that lists the available names.
    pub fn require_column(&self, name: &str) -> Result<&Column, PlumbError> {
        self.column(name).ok_or_else(|| PlumbError::UnknownColumn {
            name: name.to_string(),
            available: self.headers.clone(),
        })
    }
}

/// Read a whole file (plain or gzip-compressed delimited text) into a [`Table`].
pub fn read_table(bytes: &[u8]) -> Result<Table, PlumbError> {
    let mut builder = TableBuilder::new();
    builder.push(bytes)?;
    builder.finish()
}

/// Rows, columns and line numbers, built from records.
struct Accumulator {
    header: Option<Vec<String>>,
    header_line: u64,
    columns: Vec<ColumnBuilder>,
    n_rows: usize,
    ragged_lines: Vec<u64>,
    line_breaks: Vec<(usize, u64)>,
    /// The line the next data row starts on if nothing is skipped: one past the last row's
    /// (or the header's) line. A row elsewhere is recorded in `line_breaks`.
    next_line: u64,
    warnings: Vec<String>,
    /// Per column, whether its cells are skipped ([`TableBuilder::defer_columns`]); empty
    /// when every column is parsed.
    skipped: Vec<bool>,
}

impl Accumulator {
    fn new() -> Self {
        Self {
            header: None,
            header_line: 1,
            next_line: 2,
            columns: Vec::new(),
            n_rows: 0,
            ragged_lines: Vec::new(),
            line_breaks: Vec::new(),
            warnings: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn on_record(&mut self, r: &Record<'_>) -> Result<(), PlumbError> {
        if r.is_blank() {
            return Ok(());
        }
        if self.header.is_none() {
            let raw: Vec<String> = (0..r.len())
                .map(|i| String::from_utf8_lossy(r.field(i)).trim().to_string())
                .collect();
            let (names, warnings) = unique_names(&raw);
            self.warnings.extend(warnings);
            if raw.iter().all(|n| parse_number(n.as_bytes()).is_some()) {
                self.warnings.push(format!(
                    "The first line ({}) looks like data, not column names: the file may have \
                     no header line. Its values are used as column names.",
                    r.line
                ));
            }
            self.columns = names.iter().cloned().map(ColumnBuilder::new).collect();
            self.header = Some(names);
            self.header_line = r.line;
            self.next_line = r.line + 1;
            return Ok(());
        }
        if r.len() != self.columns.len() {
            self.ragged_lines.push(r.line);
            return Ok(());
        }
        if self.n_rows >= u32::MAX as usize {
            return Err(PlumbError::Parse {
                line: r.line,
                byte: r.byte,
                message: "the file has more than 4294967295 data rows, more than Plumb can \
                          hold. Split it into smaller files"
                    .to_string(),
            });
        }
        if r.line != self.next_line {
            self.line_breaks.push((self.n_rows, r.line));
        }
        self.next_line = r.line + 1;
        if self.skipped.is_empty() {
            for (c, (window, len)) in self.columns.iter_mut().zip(r.cells()) {
                c.push_window(window, len, r.line);
            }
        } else {
            let cells = self.columns.iter_mut().zip(&self.skipped).zip(r.cells());
            for ((c, &skip), (window, len)) in cells {
                if !skip {
                    c.push_window(window, len, r.line);
                }
            }
        }
        self.n_rows += 1;
        Ok(())
    }
}

impl Accumulator {
    /// Size every column for `rows` rows in all.
    fn reserve_rows(&mut self, rows: usize) {
        for (i, c) in self.columns.iter_mut().enumerate() {
            if !is_skipped(&self.skipped, i) {
                c.reserve_rows(rows);
            }
        }
    }

    /// Bytes a row adds to the table as its columns stand (skipped columns add none).
    fn bytes_per_row(&self) -> f64 {
        let columns = self.columns.iter().enumerate();
        columns
            .filter(|&(i, _)| !is_skipped(&self.skipped, i))
            .map(|(_, c)| c.bytes_per_row())
            .sum()
    }
}

/// Whether column `i` is skipped under an [`Accumulator`]'s `skipped` (empty: none is).
fn is_skipped(skipped: &[bool], i: usize) -> bool {
    skipped.get(i).copied().unwrap_or(false)
}

/// Unique, non-empty names for raw header fields, with a warning for each change.
fn unique_names(raw: &[String]) -> (Vec<String>, Vec<String>) {
    // Hash sets and a next-suffix counter per base name keep this linear in the number of
    // columns, even for a header of thousands of equal names.
    let given: HashSet<&str> = raw.iter().map(String::as_str).collect();
    let mut used: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::with_capacity(raw.len());
    let mut warnings = Vec::new();
    for (i, name) in raw.iter().enumerate() {
        let position = i + 1;
        let base = if name.is_empty() {
            format!("column_{position}")
        } else {
            name.clone()
        };
        // A generated name must not clash with a name given anywhere in the header.
        let taken = |c: &str, used: &HashSet<String>| {
            used.contains(c) || (c != name.as_str() && given.contains(c))
        };
        let mut candidate = base.clone();
        if taken(&candidate, &used) {
            // Suffixes below `k` were taken before and stay taken, so the search resumes there.
            let k = next_suffix.entry(base.clone()).or_insert(2);
            loop {
                candidate = format!("{base}_{k}");
                *k += 1;
                if !taken(&candidate, &used) {
                    break;
                }
            }
        }
        if name.is_empty() {
            warnings.push(format!(
                "Column {position} has no name in the header; it is called \"{candidate}\"."
            ));
        } else if candidate != *name {
            warnings.push(format!(
                "More than one column is named \"{name}\"; column {position} is called \
                 \"{candidate}\"."
            ));
        }
        used.insert(candidate.clone());
        names.push(candidate);
    }
    (names, warnings)
}

/// The text stage: sample for sniffing, then parse.
struct TextStage {
    sample: Vec<u8>,
    parser: Option<Parser>,
    bom: bool,
    delimiter: u8,
    acc: Accumulator,
}

impl TextStage {
    fn new() -> Self {
        Self {
            sample: Vec::new(),
            parser: None,
            bom: false,
            delimiter: b',',
            acc: Accumulator::new(),
        }
    }

    fn push(&mut self, mut bytes: &[u8]) -> Result<(), PlumbError> {
        if self.parser.is_none() {
            let take = bytes.len().min(SNIFF_BYTES - self.sample.len());
            self.sample.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.sample.len() < SNIFF_BYTES {
                return Ok(());
            }
            self.start(false)?;
        }
        self.feed(bytes)
    }

    fn feed(&mut self, bytes: &[u8]) -> Result<(), PlumbError> {
        let Self { parser, acc, .. } = self;
        match parser {
            Some(p) => p.feed(bytes, &mut |r: &Record<'_>| acc.on_record(r)),
            None => Ok(()),
        }
    }

    /// Check and sniff the sample, then parse it; `complete` if it is the whole text.
    fn start(&mut self, complete: bool) -> Result<(), PlumbError> {
        if complete && self.sample.is_empty() {
            return Err(PlumbError::Empty);
        }
        self.bom = check_text(&self.sample)?;
        let skip = if self.bom { 3 } else { 0 };
        self.delimiter = sniff_delimiter(&self.sample[skip..], complete);
        self.parser = Some(Parser::new(self.delimiter, skip as u64));
        let sample = std::mem::take(&mut self.sample);
        self.feed(&sample[skip..])
    }

    fn finish(mut self, gzip: bool) -> Result<Table, PlumbError> {
        if self.parser.is_none() {
            self.start(true)?;
        }
        let Self { parser, acc, .. } = &mut self;
        if let Some(p) = parser {
            p.finish(&mut |r: &Record<'_>| acc.on_record(r))?;
        }
        let acc = self.acc;
        let Some(headers) = acc.header else {
            return Err(PlumbError::Empty);
        };
        let mut warnings = acc.warnings;
        let n_rows = acc.n_rows;
        let skipped = acc.skipped;
        let columns: Vec<Column> = acc
            .columns
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if is_skipped(&skipped, i) {
                    return Column::pending(c.name().to_string(), n_rows);
                }
                if let Some(line) = c.invalid_utf8_line {
                    warnings.push(format!(
                        "Column \"{}\" has text that is not valid UTF-8 (first on line {line}); \
                         those characters are shown as \u{fffd}. Re-save the file as UTF-8 to \
                         keep them.",
                        c.name()
                    ));
                }
                c.finish()
            })
            .collect();
        Ok(Table {
            headers,
            columns,
            n_rows: acc.n_rows,
            dialect: Dialect {
                delimiter: char::from(self.delimiter).to_string(),
                gzip,
                bom: self.bom,
                format: crate::core::report::InputFormat::Delimited,
            },
            ragged_lines: acc.ragged_lines,
            warnings,
            header_line: acc.header_line,
            line_breaks: acc.line_breaks,
        })
    }
}

/// How the incoming bytes are decoded.
enum Stage {
    /// Fewer than two bytes seen: gzip or not is still open.
    Undecided(Vec<u8>),
    /// Plain text.
    Plain,
    /// gzip-compressed text.
    Gzip(Box<MultiGzDecoder<Vec<u8>>>),
}

/// Builds a [`Table`] from chunks of a file pushed in order; the result does not depend on
/// where the chunks are split.
pub struct TableBuilder {
    stage: Stage,
    text: TextStage,
    failed: Option<PlumbError>,
    /// Bytes pushed so far (compressed bytes for gzip).
    input_bytes: u64,
    /// The whole input's size, when known: lets the columns be sized once.
    size_hint: Option<u64>,
    /// Rows the columns are sized for.
    reserved: usize,
}

/// Rows parsed before the row count is projected from the file size (fewer give a noisy
/// bytes-per-row figure).
const PLAN_MIN_ROWS: u64 = 256;

/// Head room over the projected row count when sizing columns (rows vary in length).
const PLAN_MARGIN: f64 = 1.05;

impl Default for TableBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl TableBuilder {
    /// A builder that has seen no bytes yet.
    pub fn new() -> Self {
        Self {
            stage: Stage::Undecided(Vec::new()),
            text: TextStage::new(),
            failed: None,
            input_bytes: 0,
            size_hint: None,
            reserved: 0,
        }
    }

    /// The whole input's size in bytes (as pushed: compressed for gzip). With it, the row
    /// count is projected from the first rows and the columns are allocated once at that size
    /// (plus [`PLAN_MARGIN`]) rather than grown by doubling; the result is the same.
    pub fn set_size_hint(&mut self, total_bytes: u64) {
        self.size_hint = Some(total_bytes);
    }

    /// Rows the whole input is projected to hold: the rows so far scaled by the input's size
    /// over the bytes pushed so far. `None` without a size hint or before a few hundred rows
    /// (or all the input) were seen.
    pub fn projected_rows(&self) -> Option<u64> {
        let total = self.size_hint?;
        let rows = self.rows();
        if self.input_bytes == 0 || (rows < PLAN_MIN_ROWS && self.input_bytes < total) {
            return None;
        }
        let scaled = rows as f64 * total as f64 / self.input_bytes as f64;
        Some(scaled.ceil().max(rows as f64) as u64)
    }

    /// Bytes a row adds to the table as its columns stand (per-row vectors only: numbers,
    /// codes, timestamps, hashes, the missing bit).
    pub fn bytes_per_row(&self) -> f64 {
        self.text.acc.bytes_per_row()
    }

    /// Size the columns for the projected row count, once it is known or has grown.
    fn plan(&mut self) {
        let Some(projected) = self.projected_rows() else {
            return;
        };
        let projected = usize::try_from(projected).unwrap_or(usize::MAX);
        if projected > self.reserved {
            let rows = (projected as f64 * PLAN_MARGIN) as usize + 1024;
            self.text.acc.reserve_rows(rows);
            self.reserved = rows;
        }
    }

    /// Feed the next chunk of the file. After an error, every later call returns it again.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), PlumbError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.input_bytes += chunk.len() as u64;
        let result = self.push_inner(chunk);
        match &result {
            Err(e) => self.failed = Some(e.clone()),
            Ok(()) => self.plan(),
        }
        result
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<(), PlumbError> {
        if let Stage::Undecided(head) = &mut self.stage {
            head.extend_from_slice(chunk);
            if head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(head);
            return self.decide(&head);
        }
        self.route(chunk)
    }

    /// Choose plain or gzip from the first bytes, then pass them on.
    fn decide(&mut self, head: &[u8]) -> Result<(), PlumbError> {
        self.stage = if head.starts_with(&[0x1f, 0x8b]) {
            Stage::Gzip(Box::new(MultiGzDecoder::new(Vec::new())))
        } else {
            Stage::Plain
        };
        self.route(head)
    }

    fn route(&mut self, chunk: &[u8]) -> Result<(), PlumbError> {
        match &mut self.stage {
            Stage::Undecided(_) => Ok(()),
            Stage::Plain => self.text.push(chunk),
            Stage::Gzip(decoder) => {
                for piece in chunk.chunks(GZIP_STEP) {
                    decoder.write_all(piece).map_err(gzip_error)?;
                    let out = std::mem::take(decoder.get_mut());
                    self.text.push(&out)?;
                }
                Ok(())
            }
        }
    }

    /// Parse only the columns named in `keep` from here on: the other columns' cells are
    /// skipped (the record scan still reads them, so rows, ragged lines and line numbers are
    /// the whole file's), and [`TableBuilder::finish`] gives them as [`Column::pending`].
    /// Their cells parsed so far are dropped. Only once the header is read and the input is
    /// plain text (not gzip); the names of the skipped columns, or `None` (nothing changed).
    pub fn defer_columns(&mut self, keep: &[String]) -> Option<Vec<String>> {
        if !self.has_plain_header() {
            return None;
        }
        let acc = &mut self.text.acc;
        let skipped: Vec<bool> = acc
            .columns
            .iter()
            .map(|c| !keep.iter().any(|k| k == c.name()))
            .collect();
        if !skipped.contains(&true) {
            return None;
        }
        let mut names = Vec::new();
        for (c, &skip) in acc.columns.iter_mut().zip(&skipped) {
            if skip {
                names.push(c.name().to_string());
                // Its cells so far and the memory sized for it go.
                *c = ColumnBuilder::new(c.name().to_string());
            }
        }
        acc.skipped = skipped;
        Some(names)
    }

    /// Whether the input is plain delimited text with its header read (what
    /// [`TableBuilder::defer_columns`] needs).
    pub fn has_plain_header(&self) -> bool {
        matches!(self.stage, Stage::Plain) && self.text.acc.header.is_some()
    }

    /// Records parsed so far (data rows kept plus ragged rows left out), for progress reports
    /// while a file streams in. The header and blank lines are not counted.
    pub fn rows(&self) -> u64 {
        self.text.acc.n_rows as u64 + self.text.acc.ragged_lines.len() as u64
    }

    /// Finish reading: flush the decoder and parser and return the table.
    pub fn finish(mut self) -> Result<Table, PlumbError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Stage::Undecided(head) = &mut self.stage {
            let head = std::mem::take(head);
            if head.is_empty() {
                return Err(PlumbError::Empty);
            }
            self.stage = Stage::Plain;
            self.route(&head)?;
        }
        let gzip = match &mut self.stage {
            Stage::Gzip(decoder) => {
                decoder.try_finish().map_err(gzip_error)?;
                let out = std::mem::take(decoder.get_mut());
                self.text.push(&out)?;
                true
            }
            _ => false,
        };
        self.text.finish(gzip)
    }
}

/// A decompression error in words.
fn gzip_error(e: std::io::Error) -> PlumbError {
    let message = match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "the compressed data ends too early".to_string(),
        _ => format!("the compressed data is corrupt ({e})"),
    };
    PlumbError::Gzip { message }
}
