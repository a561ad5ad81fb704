//! Reading a log chunk by chunk, and the small summary of a loaded log that the page keeps.
//!
//! [`FileLoader`] is what the browser's worker feeds with `Blob.slice` chunks: the SHA-256 of the
//! bytes as given (compressed bytes for gzip, FIPS 180-4 via `sha2`) is updated per chunk, and
//! the chunk goes on to the push parser ([`TableBuilder`], which also decompresses gzip
//! incrementally), so a delimited file is never held in memory whole as bytes or text. The result is
//! identical to [`crate::core::analysis::load_file`] on the whole file, wherever the chunks are
//! split (tested).
//!
//! **Memory guard** (issue #9). Given the file's size ([`FileLoader::with_size`]), the loader
//! projects the memory the whole file will need after every chunk, from the first chunk on:
//! rows = rows so far × size ÷ bytes so far; need = rows × (the table's bytes per row as its
//! columns stand + [`ANALYSIS_BYTES_PER_ROW`]) ([`MemoryProjection`]). Above the limit
//! ([`MEMORY_LIMIT_BYTES`] unless set otherwise) it stops with [`PlumbError::TooLarge`], which
//! names the limit and the need and points at the summary input, before the tab runs out.
//!
//! Parquet and Arrow IPC files are told apart from delimited text by their first bytes (`PAR1`;
//! `ARROW1` or the IPC continuation marker `FF FF FF FF`), never by the file name. They are not
//! streamed: their (compressed) bytes are held until the last chunk, since Parquet's schema and
//! chunk offsets are in a footer at the end, then decoded batch by batch into the same columns
//! ([`ingest::read_parquet`], [`ingest::read_arrow_ipc`]); [`FileLoader::buffered_bytes`] says
//! how much is held.
//!
//! [`FileSummary`] is what the page needs of a loaded log while the rows stay in the worker:
//! name, size, fingerprint, dialect, warnings, columns with their kinds, the detected column
//! roles, and the distinct values of every column that has few enough of them to be a label
//! or a split column (the sidebar's pickers).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::core::analysis::{self, LoadedFile};
use crate::core::error::PlumbError;
use crate::core::ingest::{self, ColumnKind, TableBuilder};
use crate::core::report::{ColumnMapping, InputFormat};

/// Bytes looked at before choosing between delimited text and a columnar format.
const MAGIC_BYTES: usize = 6;

/// What the loader does with the bytes.
enum Body {
    /// Fewer than [`MAGIC_BYTES`] seen: the format is still open.
    Undecided(Vec<u8>),
    /// Delimited text (plain or gzip), parsed as it streams.
    Text(Box<TableBuilder>),
    /// A Parquet or Arrow IPC file, held until its end (Parquet's footer is at the end).
    Columnar(InputFormat, Vec<u8>),
}

/// The most memory a load may be projected to need (3 GiB): wasm32 addresses 4 GiB at most,
/// and the rest is head room for the allocator's fragmentation, the chunk being read and the
/// report.
pub const MEMORY_LIMIT_BYTES: u64 = 3 << 30;

/// Heap bytes per row the default analysis allocates on top of the loaded table (per-row
/// scores, labels, row lists, sorted copies, drift columns), at most, for the benchmark's
/// 12-column log: measured by tests/memory.rs (the first then the complete pass, as the worker
/// runs them: 65.8 at 1M rows), plus a margin; the test fails if the analysis grows past it.
pub const ANALYSIS_BYTES_PER_ROW: f64 = 72.0;

/// What a file is projected to need, from its size and its first chunks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemoryProjection {
    /// Rows projected for the whole file.
    pub rows: u64,
    /// Bytes per row the loaded table holds (as its columns stand).
    pub table_bytes_per_row: f64,
    /// Projected bytes in all: rows × (table bytes per row + [`ANALYSIS_BYTES_PER_ROW`]).
    pub total_bytes: u64,
}

/// A file being read, chunk by chunk, in order.
pub struct FileLoader {
    name: String,
    /// The file's size, if told ([`FileLoader::expect_bytes`]).
    expected: Option<u64>,
    bytes: u64,
    size: Option<u64>,
    limit: u64,
    /// `None` when the caller fingerprints the bytes itself ([`FileLoader::hash_elsewhere`]).
    hasher: Option<Sha256>,
    body: Body,
    failed: Option<PlumbError>,
    /// The whole file's rows over the rows the text builder is sized for: 1, or the file's
    /// size over the first half's when the rest is parsed elsewhere.
    scale: f64,
    /// Whether some columns are parsed only later ([`FileLoader::defer_columns`]).
    defer: Defer,
    /// The caller keeps the file's bytes for the second step ([`FileLoader::hold_elsewhere`]).
    held_elsewhere: bool,
}

/// Smallest file whose columns may be parsed in two steps (16 MiB): below it the whole parse
/// takes well under a tenth of a second, and holding the bytes would gain nothing.
pub const DEFER_MIN_BYTES: u64 = 16 << 20;

/// Largest file whose columns may be parsed in two steps (256 MiB): its bytes are held in
/// memory until the rest of its columns are parsed.
pub const DEFER_MAX_BYTES: u64 = 256 << 20;

/// Rows read before the roles are guessed from them to choose the columns read first.
const DEFER_PROBE_ROWS: u64 = 256;

/// Lines the roles are guessed from, at most (the first chunk holds thousands; a thousand rows
/// decide the roles as well, in a fraction of the time: reading 4,096 lines of the 1M-row
/// benchmark log into a table took 8–14 ms natively and ≈ 45 ms of the wasm worker's first
/// slice, 1,024 lines 2.2 ms natively).
const DEFER_PROBE_LINES: usize = 1024;

/// A two-step load's state (one per loader: the variants' sizes do not matter).
#[allow(clippy::large_enum_variant)]
enum Defer {
    /// Every column is parsed as the file streams in.
    Off,
    /// Asked for: the bytes are held until enough rows were read to choose the columns.
    Wanted(Vec<u8>),
    /// The columns outside the detected roles' are skipped; the bytes are held for
    /// [`DeferredColumns::complete`].
    Active {
        held: Vec<u8>,
        pending: Vec<String>,
        detected: ColumnMapping,
        /// Bytes a row of the whole table needs (every column), for the memory projection.
        full_bytes_per_row: f64,
    },
}

/// The columns of a loaded file that were not parsed yet (a two-step load,
/// [`FileLoader::defer_columns`]) and the file's bytes, to parse the whole file again with
/// every column ([`DeferredColumns::complete`]).
pub struct DeferredColumns {
    /// The file's bytes, unless the caller holds them ([`FileLoader::hold_elsewhere`]).
    held: Option<Vec<u8>>,
    /// The columns given as [`ingest::Column::pending`] until then.
    pub pending: Vec<String>,
    /// The roles detected on the first rows, which chose the columns parsed first (every
    /// role but features and segments): what the page is offered until the whole file is
    /// parsed.
    pub detected: ColumnMapping,
}

impl std::fmt::Debug for DeferredColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferredColumns")
            .field("bytes", &self.held.as_ref().map(Vec::len))
            .field("pending", &self.pending)
            .finish()
    }
}

impl DeferredColumns {
    /// Parse the held bytes again with every column: the file `partial` (the same load,
    /// with the pending columns empty) with all its columns, exactly as a one-step load of
    /// the same bytes gives it. Its fingerprint and name are `partial`'s.
    /// The bytes must be held here (else [`DeferredColumns::complete_from`]).
    pub fn complete(self, partial: &LoadedFile) -> Result<LoadedFile, PlumbError> {
        self.complete_from(partial, &mut std::iter::empty())
    }

    /// Whether the file's bytes are held by the caller ([`FileLoader::hold_elsewhere`]), who
    /// gives them to [`DeferredColumns::complete_from`].
    pub fn held_elsewhere(&self) -> bool {
        self.held.is_none()
    }

    /// [`DeferredColumns::complete`] from the file's bytes as the caller held them: `chunks`,
    /// in order, from the first byte to the last (bytes held here win, if any).
    pub fn complete_from(
        self,
        partial: &LoadedFile,
        chunks: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> Result<LoadedFile, PlumbError> {
        match self.held {
            Some(held) => Self::complete_from_chunks(partial, std::iter::once(held)),
            None => Self::complete_from_chunks(partial, chunks),
        }
    }

    fn complete_from_chunks(
        partial: &LoadedFile,
        chunks: impl Iterator<Item = Vec<u8>>,
    ) -> Result<LoadedFile, PlumbError> {
        let mut builder = TableBuilder::new();
        builder.set_size_hint(partial.bytes);
        let mut bytes = 0;
        for chunk in chunks {
            bytes += chunk.len() as u64;
            builder.push(&chunk)?;
        }
        if bytes != partial.bytes {
            return Err(PlumbError::Parse {
                line: 0,
                byte: bytes,
                message: format!(
                    "only {bytes} of the file's {} bytes were kept to read its other columns",
                    partial.bytes
                ),
            });
        }
        let table = builder.finish()?;
        Ok(LoadedFile::of_table(
            partial.name.clone(),
            partial.bytes,
            partial.sha256.clone(),
            table,
        ))
    }

    /// Whether an analysis with `mapping` over `window` can run on the partial file: the
    /// whole log is one window and no role but features and segments names a pending column.
    pub fn serves(
        &self,
        mapping: &ColumnMapping,
        window: &crate::core::report::WindowSpec,
    ) -> bool {
        *window == crate::core::report::WindowSpec::All
            && first_pass_columns(mapping)
                .iter()
                .all(|c| !self.pending.contains(c))
    }
}

/// The columns a first pass over the whole log reads: every role but features and segments
/// (the complete pass's drift and segment views read those).
fn first_pass_columns(m: &ColumnMapping) -> Vec<String> {
    let single = [
        &m.score,
        &m.label,
        &m.timestamp,
        &m.model_version,
        &m.id,
        &m.decision,
        &m.latency,
        &m.status,
    ];
    let mut names: Vec<String> = single.into_iter().flatten().cloned().collect();
    names.extend(m.challengers.iter().cloned());
    names
}

impl FileLoader {
    /// A loader for a file called `name` (no directories) that has seen no bytes yet, of
    /// unknown size (no memory guard, columns grown as needed).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            expected: None,
            bytes: 0,
            size: None,
            limit: MEMORY_LIMIT_BYTES,
            hasher: Some(Sha256::new()),
            body: Body::Undecided(Vec::new()),
            failed: None,
            scale: 1.0,
            defer: Defer::Off,
            held_elsewhere: false,
        }
    }

    /// For a two-step load: the caller keeps every chunk it pushes (the browser's worker
    /// keeps the slices it was given as they are, so the file is not copied again in wasm
    /// memory) and hands them back to [`DeferredColumns::complete_from`]. Only the first rows
    /// are held here, to choose the columns.
    pub fn hold_elsewhere(&mut self) {
        self.held_elsewhere = true;
    }

    /// Whether this load may still be parsed in two steps (asked for, and not given up):
    /// the caller that holds the bytes ([`FileLoader::hold_elsewhere`]) keeps them while it is.
    pub fn in_steps(&self) -> bool {
        !matches!(self.defer, Defer::Off)
    }

    /// Parse the file in two steps if it is plain delimited text of [`DEFER_MIN_BYTES`] to
    /// [`DEFER_MAX_BYTES`] (its size must be known, [`FileLoader::with_size`]): once its
    /// first rows are read, the roles are guessed from them
    /// ([`crate::core::schema::detect_mapping`]), and from there on only the columns of
    /// roles a first pass reads (all but features and segments) are parsed while the bytes
    /// are held; [`FileLoader::finish_deferred`] then gives the file with the other columns
    /// [`ingest::Column::pending`], and [`DeferredColumns::complete`] parses the held bytes
    /// again with every column. A first report is ready sooner (at 1M rows of the benchmark
    /// log, 4 of its 12 columns are parsed first); the whole file's columns come after it.
    /// No effect on a smaller or larger file, gzip or a columnar format, a file whose first
    /// rows give no score and label, or a loader that parses half a file.
    pub fn defer_columns(&mut self) {
        self.defer_columns_from(DEFER_MIN_BYTES);
    }

    /// [`FileLoader::defer_columns`] for files of `min_bytes` up to [`DEFER_MAX_BYTES`] (the
    /// tests read small files in two steps).
    pub fn defer_columns_from(&mut self, min_bytes: u64) {
        let fits = self
            .size
            .is_some_and(|s| (min_bytes..=DEFER_MAX_BYTES).contains(&s));
        if fits && self.scale == 1.0 && self.bytes == 0 {
            self.defer = Defer::Wanted(Vec::new());
        }
    }

    /// Bytes a two-step load holds until its second step: the file's size when the caller
    /// holds them (they are in the same tab), else what is held here.
    fn held_bytes(&self) -> f64 {
        match &self.defer {
            Defer::Off => 0.0,
            _ if self.held_elsewhere => self.size.unwrap_or(0) as f64,
            Defer::Wanted(held) | Defer::Active { held, .. } => held.capacity() as f64,
        }
    }

    /// Hold `chunk` for a two-step load; once enough rows are read, choose the columns
    /// parsed first (or give the two steps up).
    fn hold(&mut self, chunk: &[u8]) {
        match &mut self.defer {
            Defer::Off => {}
            Defer::Active { held, .. } => {
                if !self.held_elsewhere {
                    held.extend_from_slice(chunk);
                }
            }
            Defer::Wanted(held) => {
                held.extend_from_slice(chunk);
                let Body::Text(builder) = &mut self.body else {
                    if !matches!(self.body, Body::Undecided(_)) {
                        self.defer = Defer::Off;
                    }
                    return;
                };
                if !builder.has_plain_header() || builder.rows() < DEFER_PROBE_ROWS {
                    if !builder.has_plain_header() && builder.rows() > 0 {
                        self.defer = Defer::Off;
                    }
                    return;
                }
                let held = std::mem::take(held);
                self.defer = choose_columns(builder, held);
                if let Defer::Active { held, .. } = &mut self.defer {
                    if self.held_elsewhere {
                        *held = Vec::new();
                    } else {
                        // The whole file will be held: one allocation, not doubling ones.
                        let size = self.size.and_then(|s| usize::try_from(s).ok());
                        held.reserve_exact(size.unwrap_or(0).saturating_sub(held.len()));
                    }
                }
            }
        }
    }

    /// A loader for a file of `size` bytes: columns are sized once from the projected row
    /// count, a columnar file's bytes are held in one allocation of exactly that size, and the
    /// memory guard is on (limit [`MEMORY_LIMIT_BYTES`]).
    pub fn with_size(name: &str, size: u64) -> Self {
        let mut loader = Self::new(name);
        loader.size = Some(size);
        loader.expected = Some(size);
        loader
    }

    /// Tell the loader the file's size, so that a columnar file's bytes are held in one
    /// allocation of exactly that size instead of a doubling buffer (up to twice the file).
    pub fn expect_bytes(&mut self, total: u64) {
        self.expected = Some(total);
    }

    /// Leave the SHA-256 to the caller, who hashes the same bytes another way (the browser's
    /// native `crypto.subtle.digest`, some ten times faster than SHA-256 compiled to wasm) and
    /// must set [`LoadedFile::sha256`] before the file is used: [`FileLoader::finish`] then
    /// leaves it empty.
    pub fn hash_elsewhere(&mut self) {
        self.hasher = None;
    }

    /// Replace the memory limit (bytes).
    pub fn set_memory_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// What the whole file is projected to need, once its size is known and enough rows were
    /// read (see the module documentation). Delimited text only: a columnar file is decoded
    /// at its end, and its held bytes are checked against the limit as they arrive.
    pub fn projection(&self) -> Option<MemoryProjection> {
        let Body::Text(builder) = &self.body else {
            return None;
        };
        let rows = (builder.projected_rows()? as f64 * self.scale).ceil() as u64;
        // A two-step load needs the whole table in the end, and holds the file meanwhile.
        let full = match &self.defer {
            Defer::Active {
                full_bytes_per_row, ..
            } => *full_bytes_per_row,
            _ => 0.0,
        };
        let table_bytes_per_row = builder.bytes_per_row().max(full);
        let total =
            rows as f64 * (table_bytes_per_row + ANALYSIS_BYTES_PER_ROW) + self.held_bytes();
        Some(MemoryProjection {
            rows,
            table_bytes_per_row,
            total_bytes: total.ceil() as u64,
        })
    }

    /// Feed the next chunk. Fails with [`PlumbError::TooLarge`] as soon as the projection
    /// exceeds the limit. After an error every later call returns it again.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), PlumbError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.bytes += chunk.len() as u64;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(chunk);
        }
        let fed = self.feed(chunk);
        if fed.is_ok() {
            self.hold(chunk);
        }
        let result = fed.and_then(|()| self.guard());
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn feed(&mut self, chunk: &[u8]) -> Result<(), PlumbError> {
        match &mut self.body {
            Body::Undecided(head) => {
                head.extend_from_slice(chunk);
                if head.len() < MAGIC_BYTES {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.decide(head)
            }
            Body::Text(builder) => builder.push(chunk),
            Body::Columnar(_, held) => {
                held.extend_from_slice(chunk);
                Ok(())
            }
        }
    }

    fn guard(&self) -> Result<(), PlumbError> {
        if self.size.is_none() {
            return Ok(());
        }
        match self.projection() {
            Some(p) if p.total_bytes > self.limit => Err(PlumbError::TooLarge {
                rows: p.rows,
                projected_bytes: p.total_bytes,
                limit_bytes: self.limit,
            }),
            _ => Ok(()),
        }
    }

    /// Choose the format from the first bytes ([`ingest::is_parquet`],
    /// [`ingest::is_arrow_ipc`]; anything else is delimited text) and pass them on.
    fn decide(&mut self, mut head: Vec<u8>) -> Result<(), PlumbError> {
        let format = if ingest::is_parquet(&head) {
            Some(InputFormat::Parquet)
        } else if ingest::is_arrow_ipc(&head) {
            Some(InputFormat::ArrowIpc)
        } else {
            None
        };
        if let Some(format) = format {
            if let Some(total) = self.expected.and_then(|t| usize::try_from(t).ok()) {
                head.reserve_exact(total.saturating_sub(head.len()));
            }
            self.body = Body::Columnar(format, head);
            Ok(())
        } else {
            let mut builder = TableBuilder::new();
            if let Some(size) = self.size {
                builder.set_size_hint(size);
            }
            let pushed = builder.push(&head);
            self.body = Body::Text(Box::new(builder));
            pushed
        }
    }

    /// A loader for a plain delimited file of `size` bytes whose parsing is split in two
    /// halves ([`ingest::split`]): `first` (from [`ingest::split::first_half`]) parses the
    /// bytes pushed here, from byte 0; the second half is merged in with
    /// [`FileLoader::merge_half`], or pushed here after all if that refuses.
    /// The first half ends at byte `split`: its columns are sized for its own rows, and the
    /// memory guard projects the whole file's rows from it (scaled by `size / split`).
    pub fn with_first_half(name: &str, size: u64, split: u64, mut first: TableBuilder) -> Self {
        let mut loader = Self::with_size(name, size);
        first.set_size_hint(split.max(1));
        loader.body = Body::Text(Box::new(first));
        loader.scale = size as f64 / split.max(1) as f64;
        loader
    }

    /// The rest of the file will be pushed here after all (a load begun with
    /// [`FileLoader::with_first_half`] whose second half is not merged): size the columns and
    /// project the memory need for the whole file again.
    pub fn parse_alone(&mut self) {
        if let (Body::Text(builder), Some(size)) = (&mut self.body, self.size) {
            builder.set_size_hint(size);
        }
        self.scale = 1.0;
    }

    /// The delimiter and header names a second half is parsed with, once the header is read
    /// (see [`ingest::split::continuation_of`]).
    pub fn continuation(&self) -> Option<(u8, Vec<String>)> {
        match &self.body {
            Body::Text(builder) => ingest::split::continuation_of(builder),
            _ => None,
        }
    }

    /// Merge the second half of the file (`bytes` long, parsed elsewhere) into the rows read
    /// so far ([`ingest::split::merge_half`]). Only for a loader whose fingerprint is made
    /// elsewhere ([`FileLoader::hash_elsewhere`]). On a refusal nothing changed: push the
    /// second half's bytes instead.
    pub fn merge_half(
        &mut self,
        half: ingest::Table,
        bytes: u64,
    ) -> Result<(), ingest::split::Fallback> {
        // The fingerprint hashed here needs every byte: halves only when it is made elsewhere.
        if self.failed.is_some() || self.hasher.is_some() {
            return Err(ingest::split::Fallback::NotText);
        }
        let Body::Text(builder) = &mut self.body else {
            return Err(ingest::split::Fallback::NotText);
        };
        ingest::split::merge_half(builder, half)?;
        self.bytes += bytes;
        Ok(())
    }

    /// Bytes fed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Bytes of the file held in memory as they were given: all of a Parquet or Arrow IPC
    /// file (read at the end), none of delimited text (parsed as it streams).
    pub fn buffered_bytes(&self) -> u64 {
        match &self.body {
            Body::Undecided(head) => head.len() as u64,
            Body::Text(_) => 0,
            Body::Columnar(_, held) => held.capacity() as u64,
        }
    }

    /// The format, once the first bytes have told it (`None` before).
    pub fn format(&self) -> Option<InputFormat> {
        match &self.body {
            Body::Undecided(_) => None,
            Body::Text(_) => Some(InputFormat::Delimited),
            Body::Columnar(format, _) => Some(*format),
        }
    }

    /// Records parsed so far (see [`TableBuilder::rows`]); 0 for a columnar file until
    /// [`FileLoader::finish`] decodes it.
    pub fn rows(&self) -> u64 {
        match &self.body {
            Body::Text(builder) => builder.rows(),
            _ => 0,
        }
    }

    /// Finish: flush the parser (or decode the columnar file) and return the loaded file,
    /// with every column (a two-step load is completed here).
    pub fn finish(self) -> Result<LoadedFile, PlumbError> {
        match self.finish_deferred()? {
            (file, Some(rest)) => rest.complete(&file),
            (file, None) => Ok(file),
        }
    }

    /// [`FileLoader::finish`], except that a two-step load ([`FileLoader::defer_columns`])
    /// gives its file with only the first columns parsed, and what parses the rest.
    pub fn finish_deferred(mut self) -> Result<(LoadedFile, Option<DeferredColumns>), PlumbError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if let Body::Undecided(head) = &mut self.body {
            let head = std::mem::take(head);
            if head.is_empty() {
                return Err(PlumbError::Empty);
            }
            self.decide(head)?;
        }
        let sha256 = self
            .hasher
            .take()
            .map_or_else(String::new, |h| analysis::hex(&h.finalize()));
        let table = match self.body {
            Body::Undecided(_) => return Err(PlumbError::Empty),
            Body::Text(builder) => builder.finish()?,
            Body::Columnar(InputFormat::Parquet, held) => {
                ingest::read_parquet(bytes::Bytes::from(held))?
            }
            Body::Columnar(_, held) => ingest::read_arrow_ipc(&held)?,
        };
        // The last check, on what was actually built: a file too small for the projection to
        // start (the dialect sniffer holds its first bytes) or a columnar file decoded at its
        // end is held to the same limit before any analysis allocates.
        if self.size.is_some() {
            let rows = table.n_rows as u64;
            let need = table.heap_bytes() as f64 + rows as f64 * ANALYSIS_BYTES_PER_ROW;
            if need > self.limit as f64 {
                return Err(PlumbError::TooLarge {
                    rows,
                    projected_bytes: need.ceil() as u64,
                    limit_bytes: self.limit,
                });
            }
        }
        let rest = match self.defer {
            Defer::Active {
                held,
                pending,
                detected,
                ..
            } => Some(DeferredColumns {
                held: (!self.held_elsewhere).then_some(held),
                pending,
                detected,
            }),
            _ => None,
        };
        let file = LoadedFile::of_table(self.name, self.bytes, sha256, table);
        Ok((file, rest))
    }
}

/// Choose the columns a two-step load parses first, from the rows `builder` read so far
/// (whose bytes are the start of `held`): the roles detected on those rows, all but features
/// and segments. [`Defer::Off`] if the rows give no score or label, or nothing is left out.
fn choose_columns(builder: &mut TableBuilder, held: Vec<u8>) -> Defer {
    // The rows up to the last line break held, or the [`DEFER_PROBE_LINES`]th (a record may
    // continue past it only inside quotes; then the probe reads less, or fails, and the load
    // is not split).
    let breaks = held.iter().enumerate().filter(|&(_, &b)| b == b'\n');
    let Some((end, _)) = breaks.take(DEFER_PROBE_LINES).last() else {
        return Defer::Off;
    };
    let Ok(probe) = ingest::read_table(&held[..=end]) else {
        return Defer::Off;
    };
    let detected = crate::core::schema::detect_mapping(&probe);
    if detected.score.is_none() || detected.label.is_none() {
        return Defer::Off;
    }
    let full_bytes_per_row = builder.bytes_per_row();
    match builder.defer_columns(&first_pass_columns(&detected)) {
        Some(pending) => Defer::Active {
            held,
            pending,
            detected,
            full_bytes_per_row,
        },
        None => Defer::Off,
    }
}

/// One column of a loaded file, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// The column's name (as used in mappings).
    pub name: String,
    /// `empty`, `timestamp`, `numeric`, `categorical` or `text` (see [`ColumnKind`]), or
    /// [`PENDING_KIND`] while a two-step load has not parsed the column yet.
    pub kind: String,
    /// Its distinct values, when it can be a label or split column (see
    /// [`analysis::label_classes`]); empty otherwise.
    pub classes: Vec<String>,
}

/// The kind a summary gives a column that a two-step load has not parsed yet
/// ([`FileLoader::defer_columns`]); the whole file's summary follows.
pub const PENDING_KIND: &str = "pending";

/// What the page keeps of a loaded file; the rows stay where they were parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileSummary {
    /// The id of the load request that produced it (distinguishes two loads of one file).
    pub load_id: u64,
    /// File name as given.
    pub name: String,
    /// Size in bytes as read.
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// Data rows (ragged rows included).
    pub rows: u64,
    /// How the file was read.
    pub dialect: crate::core::report::Dialect,
    /// Things a person should know about how the file was read.
    pub warnings: Vec<String>,
    /// The columns in file order.
    pub columns: Vec<ColumnSummary>,
    /// Column roles detected by name and content.
    pub detected: ColumnMapping,
}

impl FileSummary {
    /// Summarise a loaded file for the page.
    pub fn of(file: &LoadedFile, load_id: u64) -> Self {
        Self::with_roles(file, load_id, analysis::detect_mapping(file))
    }

    /// [`FileSummary::of`] with the roles detected elsewhere (a two-step load's, from its
    /// first rows).
    pub fn with_roles(file: &LoadedFile, load_id: u64, detected: ColumnMapping) -> Self {
        let columns = file
            .table
            .columns
            .iter()
            .map(|c| ColumnSummary {
                name: c.name.clone(),
                kind: kind_key(c.kind()).to_string(),
                classes: analysis::label_classes(file, &c.name),
            })
            .collect();
        Self {
            load_id,
            name: file.name.clone(),
            bytes: file.bytes,
            sha256: file.sha256.clone(),
            rows: file.rows,
            dialect: file.dialect.clone(),
            warnings: file.warnings.clone(),
            columns,
            detected,
        }
    }

    /// Whether this is a summary file: the loader's test
    /// [`crate::core::summary::is_summary_columns`] on its first column's name (the only one
    /// it reads), without copying the names.
    pub fn is_summary(&self) -> bool {
        let first = self.columns.first().map(|c| c.name.as_str());
        crate::core::summary::is_summary_columns(first.as_slice())
    }

    /// Column names in file order.
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The distinct values of `column` (empty when unknown or too many), as
    /// [`analysis::label_classes`] gives them.
    pub fn label_classes(&self, column: &str) -> Vec<String> {
        self.columns
            .iter()
            .find(|c| c.name == column)
            .map(|c| c.classes.clone())
            .unwrap_or_default()
    }
}

/// The stable key of a column kind.
pub fn kind_key(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Empty => "empty",
        ColumnKind::Timestamp => "timestamp",
        ColumnKind::Numeric => "numeric",
        ColumnKind::Categorical => "categorical",
        ColumnKind::Text => "text",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_counts_bytes_and_rows_as_it_goes() {
        let mut loader = FileLoader::new("x.csv");
        loader.push(b"score,label\n0.1,0\n0.").unwrap();
        assert_eq!(loader.bytes_read(), 20);
        loader.push(b"9,1\n0.5,1\n").unwrap();
        let file = loader.finish().unwrap();
        assert_eq!(file.rows, 3);
        assert_eq!(file.bytes, 30);
    }

    #[test]
    fn hashing_elsewhere_changes_nothing_but_the_fingerprint() {
        let text = b"score,label\n0.1,0\n0.9,1\n";
        let mut hashed = FileLoader::new("x.csv");
        hashed.push(text).unwrap();
        let hashed = hashed.finish().unwrap();
        // FIPS 180-4 digest of the text, computed independently (sha256sum).
        assert_eq!(
            hashed.sha256,
            "44f393aed36a5dd8ee09eaad39d380341befcc8022759137eeae9ced98daeab8"
        );
        let mut loader = FileLoader::new("x.csv");
        loader.hash_elsewhere();
        loader.push(text).unwrap();
        let file = loader.finish().unwrap();
        assert_eq!(file.sha256, "");
        assert_eq!(file.table, hashed.table);
        assert_eq!((file.rows, file.bytes), (hashed.rows, hashed.bytes));
    }

    /// A load begun in halves gives the single path's file whether the second half is merged
    /// or pushed after all (the browser's fallback), and merging needs the fingerprint made
    /// elsewhere.
    #[test]
    fn halves_merged_or_not_give_the_single_path_file() {
        let mut text = String::from("score,label,seg\n");
        for i in 0..3000 {
            text.push_str(&format!("0.{},{},\"s, {}\"\n", i % 97, i % 2, i % 5));
        }
        let bytes = text.as_bytes();
        let size = bytes.len() as u64;
        let mut single = FileLoader::with_size("x.csv", size);
        single.hash_elsewhere();
        single.push(bytes).unwrap();
        let single = single.finish().unwrap();
        let split = ingest::split::split_point(bytes, bytes.len() / 2).unwrap();
        let head = &bytes[..bytes.len().min(64 * 1024)];
        for merge in [true, false] {
            let first = ingest::split::first_half(head, size).unwrap();
            let mut loader = FileLoader::with_first_half("x.csv", size, split as u64, first);
            loader.hash_elsewhere();
            loader.push(&bytes[..split]).unwrap();
            let (delimiter, headers) = loader.continuation().unwrap();
            let half = ingest::split::parse_second_half(
                delimiter,
                &headers,
                split as u64,
                &bytes[split..],
            )
            .unwrap();
            if merge {
                loader
                    .merge_half(half, (bytes.len() - split) as u64)
                    .unwrap();
            } else {
                loader.parse_alone();
                loader.push(&bytes[split..]).unwrap();
            }
            let file = loader.finish().unwrap();
            assert_eq!(file.table, single.table);
            assert_eq!((file.rows, file.bytes), (single.rows, single.bytes));
        }
        // Hashed here: the second half's bytes must pass through, so no merge.
        let first = ingest::split::first_half(head, size).unwrap();
        let mut loader = FileLoader::with_first_half("x.csv", size, split as u64, first);
        loader.push(&bytes[..split]).unwrap();
        let half = ingest::split::parse_second_half(
            b',',
            &["score".into(), "label".into(), "seg".into()],
            split as u64,
            &bytes[split..],
        )
        .unwrap();
        assert!(loader.merge_half(half, 1).is_err());
    }

    #[test]
    fn summary_lists_classes_of_small_columns_only() {
        let text = "score,label,id\n0.1,no,a\n0.9,yes,b\n0.4,no,c\n";
        let file = analysis::load_file("t.csv", text.as_bytes()).unwrap();
        let s = FileSummary::of(&file, 7);
        assert_eq!(s.load_id, 7);
        assert_eq!(s.column_names(), vec!["score", "label", "id"]);
        assert_eq!(s.label_classes("label"), vec!["no", "yes"]);
        assert_eq!(s.label_classes("nope"), Vec::<String>::new());
        assert_eq!(s.columns[0].kind, "numeric");
        assert_eq!(s.detected.score.as_deref(), Some("score"));
    }
}
