//! The messages between the page and the worker that parses and analyses logs.
//!
//! Each message is one JSON text (this module's types, `serde_json`) in a small JavaScript
//! envelope `{ msg, blob?, sweep? }`: a `load` carries the `File`/`Blob` to read beside its
//! text, and a `report` may carry the exact threshold sweep as three `Float64Array`s
//! (thresholds, cumulative true and false positives), transferred rather than copied, so the
//! page answers threshold drags locally without a round trip per frame. Counts travel as `f64`,
//! exact below 2^53 rows.
//!
//! An `analyze` is answered twice for the same id: first a provisional report
//! ([`Depth::First`]: the headline numbers, with `report.pending` naming what is still coming),
//! then the complete one (`pending` empty), unless a newer request arrived in between (then
//! only the newer one is completed) or the first answer was already complete (a summary file,
//! an error). The exact sweep rides with the first answer. See `docs/worker.md`.
//!
//! Requests carry an id; answers repeat it, and the page ignores answers whose id is not the
//! latest of its kind (an older request finishing after a newer one). Cancelling is done by
//! terminating the worker, so there is no cancel message. A worker that dies (a wasm trap such
//! as running out of memory) cannot answer: the page learns it from the worker's `error` event
//! (see `web::client`), not from this protocol.

use serde::{Deserialize, Serialize};

use crate::core::analysis::{self, Depth, FirstPass, LoadedFile};
use crate::core::error::ErrorKind;
use crate::core::metrics::threshold::Sweep;
use crate::core::report::{ColumnMapping, Report, Settings, WindowSpec};
use crate::core::stream::{DeferredColumns, FileSummary, PENDING_KIND};

/// Which of the two files a load is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The log under review (the reference window when two files are compared).
    Reference,
    /// The current window's file when two files are compared.
    Current,
}

/// Page → worker.
// One message exists at a time and is consumed at once: boxing the large variant saves nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToWorker {
    /// Read the envelope's blob, chunk by chunk, as the `which` file.
    Load {
        /// Request id.
        id: u64,
        /// Which file this becomes.
        which: Which,
        /// The file's name (for messages and the summary).
        name: String,
        /// The memory guard's limit in bytes (default
        /// [`crate::core::stream::MEMORY_LIMIT_BYTES`]; the page's `?memory_limit=` sets it).
        #[serde(default)]
        memory_limit: Option<u64>,
    },
    /// Analyse the loaded file(s).
    Analyze {
        /// Request id.
        id: u64,
        /// Column roles.
        mapping: ColumnMapping,
        /// Settings.
        settings: Settings,
        /// How rows become windows.
        window: WindowSpec,
        /// Epoch seconds, for the future-timestamp check.
        now: Option<f64>,
        /// The key of the exact sweep the page already holds, so it is not sent again.
        have_sweep: Option<String>,
    },
}

/// What the worker is doing, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkPhase {
    /// Reading and parsing chunks.
    Reading,
    /// All bytes read; typing columns and summarising.
    Finishing,
    /// Computing the report.
    Analysing,
}

impl WorkPhase {
    /// The phase's stable key (`data-phase`).
    pub fn key(self) -> &'static str {
        match self {
            WorkPhase::Reading => "reading",
            WorkPhase::Finishing => "finishing",
            WorkPhase::Analysing => "analysing",
        }
    }
}

/// Worker → page.
// As for `ToWorker`: one message at a time, and `Report` is already boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker is listening (sent once, after its WebAssembly started).
    Ready,
    /// Progress of request `id`.
    Progress {
        /// Request id.
        id: u64,
        /// What is being done.
        phase: WorkPhase,
        /// Bytes read so far (0 while analysing).
        bytes_read: u64,
        /// The file's size in bytes (0 while analysing).
        bytes_total: u64,
        /// Records parsed so far.
        rows: u64,
    },
    /// A file was read; the worker keeps its rows.
    Loaded {
        /// Request id.
        id: u64,
        /// Which file it is.
        which: Which,
        /// What the page shows of it.
        summary: FileSummary,
    },
    /// The SHA-256 of the file that load `id` read, sent after its [`FromWorker::Loaded`]
    /// when that went out without it: the browser hashes a file beside its parse, and the
    /// first answer does not wait for the hash (see `docs/worker.md`). A complete report is
    /// never sent before the fingerprints of its files.
    Fingerprint {
        /// The load request's id.
        id: u64,
        /// Which file it is.
        which: Which,
        /// Lower-case hex SHA-256 of the file's bytes.
        sha256: String,
    },
    /// The analysis of request `id`.
    Report {
        /// Request id.
        id: u64,
        /// The report.
        report: Box<Report>,
        /// The key of the exact sweep for this file and mapping (`None` with two windows);
        /// the sweep's arrays ride in the envelope when the page did not have it.
        sweep_key: Option<String>,
    },
    /// The whole file's summary, after a load that parsed some columns first
    /// ([`crate::core::stream::FileLoader::defer_columns`]): its [`FromWorker::Loaded`]
    /// summary gave those columns as `pending`; now every column is parsed. Sent before any
    /// report that reads them (the complete report of the first analysis at the latest).
    Columns {
        /// The load request's id.
        id: u64,
        /// Which file it is.
        which: Which,
        /// The summary of the whole file (the fingerprint is sent on its own).
        summary: FileSummary,
    },
    /// Request `id` failed; the text says why, in words.
    Error {
        /// Request id.
        id: u64,
        /// The load's file, or `None` for an analysis.
        which: Option<Which>,
        /// What went wrong.
        message: String,
        /// What sort of failure it is: the page chooses its heading from this, not the words.
        #[serde(default)]
        error_kind: ErrorKind,
    },
}

impl FromWorker {
    /// The failure of file `which` of load request `id`, in words (`message`), as the page
    /// hears it: the slot's file is gone.
    pub fn file_error(id: u64, which: Which, message: String, error_kind: ErrorKind) -> Self {
        FromWorker::Error {
            id,
            which: Some(which),
            message,
            error_kind,
        }
    }

    /// Whether this is a provisional report, to be followed by the complete one for the same
    /// request id (its `pending` list is not empty).
    pub fn is_provisional(&self) -> bool {
        matches!(self, FromWorker::Report { report, .. } if !report.is_complete())
    }

    /// Whether this is a complete report one of whose files has no fingerprint yet: the
    /// worker holds it until [`Session::stamp`] can fill them in.
    pub fn awaits_fingerprint(&self) -> bool {
        matches!(self, FromWorker::Report { report, .. }
            if report.is_complete() && report.input.files.iter().any(|f| f.sha256.is_empty()))
    }

    /// The sweep key of a report answer (`None` for other messages).
    pub fn sweep_key(&self) -> Option<&str> {
        match self {
            FromWorker::Report { sweep_key, .. } => sweep_key.as_deref(),
            _ => None,
        }
    }
}

/// Encode a message as its JSON text.
pub fn encode<T: Serialize>(message: &T) -> Result<String, String> {
    serde_json::to_string(message).map_err(|e| format!("could not encode a message: {e}"))
}

/// Decode a message from its JSON text.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| format!("could not decode a message: {e}"))
}

/// The fields of [`FromWorker::Report`], as a plain struct: decoded straight from the text,
/// where the tagged enum first copies the whole message into serde's generic `Content` tree
/// and decodes that (twice the work on a report of 10⁵ bytes and more). Unknown fields (the
/// `kind` tag) are ignored.
#[derive(Deserialize)]
struct ReportFields {
    id: u64,
    report: Box<Report>,
    sweep_key: Option<String>,
}

/// [`decode`] of a worker's message, the same value: a report (the text [`encode`] writes
/// for one starts with its tag) is decoded through [`ReportFields`], anything else as the enum.
pub fn decode_from_worker(text: &str) -> Result<FromWorker, String> {
    if text.starts_with(r#"{"kind":"report","#) {
        let r: ReportFields = decode(text)?;
        return Ok(FromWorker::Report {
            id: r.id,
            report: r.report,
            sweep_key: r.sweep_key,
        });
    }
    decode(text)
}

/// The worker's state and its answers, platform-free so they are tested natively: the loaded
/// files, and the exact sweep of the last file and mapping analysed.
#[derive(Default)]
pub struct Session {
    reference: Option<LoadedFile>,
    current: Option<LoadedFile>,
    /// The ids of the load requests that read `reference` and `current`: what the caches
    /// are keyed by (a file's fingerprint may come after its first analysis).
    reference_load: u64,
    current_load: u64,
    sweep: Option<(String, Sweep)>,
    /// The last first pass's rows and whole-log window, keyed by [`first_key`], for its
    /// complete pass.
    first: Option<(String, FirstPass)>,
    /// The reference file's columns not parsed yet (a two-step load), if any.
    deferred: Option<DeferredColumns>,
}

impl Session {
    /// A session with no files.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep a file read for load request `id`, and summarise it for the page. A new reference
    /// file drops the current one (a new log starts alone).
    pub fn loaded(&mut self, id: u64, which: Which, file: LoadedFile) -> FromWorker {
        self.loaded_in_steps(id, which, file, None, &mut std::iter::empty())
    }

    /// [`Session::loaded`] of a file that may have columns still to parse (`rest`, from
    /// [`crate::core::stream::FileLoader::finish_deferred`]): its summary gives them as
    /// `pending` and offers the roles detected on the first rows; [`Session::columns_for`]
    /// parses them when an analysis needs them. A current file is completed at once (two-file
    /// comparisons read every column), from `chunks` if its bytes are held by the caller
    /// ([`DeferredColumns::complete_from`]).
    pub fn loaded_in_steps(
        &mut self,
        id: u64,
        which: Which,
        file: LoadedFile,
        rest: Option<DeferredColumns>,
        chunks: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> FromWorker {
        let (file, rest) = match (which, rest) {
            (Which::Current, Some(rest)) => match rest.complete_from(&file, chunks) {
                Ok(file) => (file, None),
                Err(e) => {
                    let message = format!("{}: {e}", file.name);
                    return FromWorker::file_error(id, which, message, e.kind());
                }
            },
            (_, rest) => (file, rest),
        };
        let summary = match &rest {
            // The roles of the first rows, which chose the columns parsed first.
            Some(rest) => {
                let mut summary = FileSummary::with_roles(&file, id, rest.detected.clone());
                for column in &mut summary.columns {
                    if rest.pending.contains(&column.name) {
                        column.kind = PENDING_KIND.to_string();
                    }
                }
                summary
            }
            None => FileSummary::of(&file, id),
        };
        self.first = None;
        match which {
            Which::Reference => {
                self.deferred = rest;
                self.reference = Some(file);
                self.reference_load = id;
                self.current = None;
                self.sweep = None;
            }
            Which::Current => {
                self.current = Some(file);
                self.current_load = id;
            }
        }
        FromWorker::Loaded { id, which, summary }
    }

    /// Record the fingerprint of the file load `id` read, computed after its
    /// [`Session::loaded`]: the message for the page, or `None` if that file was replaced
    /// meanwhile. If the file could not be hashed (`Err`, in words), it is dropped and the
    /// page hears why, as a failed load.
    pub fn fingerprint(
        &mut self,
        id: u64,
        which: Which,
        sha256: Result<String, String>,
    ) -> Option<FromWorker> {
        let (slot, load) = match which {
            Which::Reference => (&mut self.reference, self.reference_load),
            Which::Current => (&mut self.current, self.current_load),
        };
        let file = slot.as_mut().filter(|_| load == id)?;
        match sha256 {
            Ok(sha256) => {
                file.sha256.clone_from(&sha256);
                Some(FromWorker::Fingerprint { id, which, sha256 })
            }
            Err(message) => {
                *slot = None;
                self.first = None;
                if which == Which::Reference {
                    self.deferred = None;
                }
                Some(FromWorker::file_error(id, which, message, ErrorKind::Other))
            }
        }
    }

    /// Parse the reference file's pending columns if an analysis with `mapping`, `window`
    /// at `depth` reads them (a complete pass always does; a first pass over the whole log
    /// only through roles other than features and segments): the message for the page (the
    /// whole file's summary, or the error that dropped the file), or `None` if nothing was
    /// pending or needed. `chunks` gives the file's bytes if the caller holds them
    /// ([`DeferredColumns::complete_from`]); it is not read otherwise.
    pub fn columns_for(
        &mut self,
        mapping: &ColumnMapping,
        window: &WindowSpec,
        depth: Depth,
        chunks: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> Option<FromWorker> {
        if self.needs_columns(mapping, window, depth) {
            self.complete_columns(chunks)
        } else {
            None
        }
    }

    /// Whether an analysis with `mapping`, `window` at `depth` reads columns a two-step load
    /// has not parsed yet (see [`Session::columns_for`]).
    fn needs_columns(&self, mapping: &ColumnMapping, window: &WindowSpec, depth: Depth) -> bool {
        self.deferred
            .as_ref()
            .is_some_and(|rest| depth == Depth::Complete || !rest.serves(mapping, window))
    }

    /// Parse the reference file's pending columns now, whatever comes next (see
    /// [`Session::columns_for`]).
    pub fn complete_columns(
        &mut self,
        chunks: &mut dyn Iterator<Item = Vec<u8>>,
    ) -> Option<FromWorker> {
        let rest = self.deferred.take()?;
        let (id, which) = (self.reference_load, Which::Reference);
        let partial = self.reference.as_ref()?;
        match rest.complete_from(partial, chunks) {
            Ok(file) => {
                let summary = FileSummary::of(&file, id);
                // The first pass's rows stay valid: the same rows of the same columns.
                self.reference = Some(file);
                Some(FromWorker::Columns { id, which, summary })
            }
            Err(e) => {
                let message = format!("{}: {e}", partial.name);
                self.reference = None;
                self.first = None;
                self.sweep = None;
                Some(FromWorker::file_error(id, which, message, e.kind()))
            }
        }
    }

    /// Whether some of the reference file's columns are still to be parsed.
    pub fn has_pending_columns(&self) -> bool {
        self.deferred.is_some()
    }

    /// Fill in the fingerprints a complete report held back for them
    /// ([`FromWorker::awaits_fingerprint`]) from the files they are now known for; the
    /// report's files are the reference and then, when two files are compared, the current
    /// one.
    pub fn stamp(&self, answer: &mut FromWorker) {
        let FromWorker::Report { report, .. } = answer else {
            return;
        };
        let known = [self.reference.as_ref(), self.current.as_ref()];
        for (file, loaded) in report.input.files.iter_mut().zip(known) {
            if let Some(loaded) = loaded.filter(|_| file.sha256.is_empty()) {
                file.sha256.clone_from(&loaded.sha256);
            }
        }
    }

    /// The exact sweep kept under `key`, to attach to an answer sent later than it was made.
    pub fn sweep_for(&self, key: &str) -> Option<&Sweep> {
        self.sweep
            .as_ref()
            .filter(|(k, _)| k == key)
            .map(|(_, s)| s)
    }

    /// Answer an analysis request with the complete report (or the reason there is none)
    /// and, when the whole log is one window and the page does not hold it yet, the exact
    /// sweep.
    pub fn analyze(
        &mut self,
        id: u64,
        mapping: &ColumnMapping,
        settings: &Settings,
        window: &WindowSpec,
        now: Option<f64>,
        have_sweep: Option<&str>,
    ) -> (FromWorker, Option<&Sweep>) {
        let depth = Depth::Complete;
        self.analyze_at(id, mapping, settings, window, now, have_sweep, depth)
    }

    /// [`Session::analyze`] at `depth`. The worker asks for [`Depth::First`], posts it, then
    /// (if that answer [`FromWorker::is_provisional`]) for [`Depth::Complete`] with the sweep
    /// key it just sent, so the sweep is not sent twice.
    #[allow(clippy::too_many_arguments)]
    pub fn analyze_at(
        &mut self,
        id: u64,
        mapping: &ColumnMapping,
        settings: &Settings,
        window: &WindowSpec,
        now: Option<f64>,
        have_sweep: Option<&str>,
        depth: Depth,
    ) -> (FromWorker, Option<&Sweep>) {
        let error = |message: String, error_kind| FromWorker::Error {
            id,
            which: None,
            message,
            error_kind,
        };
        let Some(reference) = self.reference.as_ref() else {
            let message = "Load a prediction log first.".to_string();
            return (error(message, ErrorKind::Other), None);
        };
        let current = self
            .current
            .as_ref()
            .filter(|_| *window == WindowSpec::TwoFiles);
        if *window == WindowSpec::TwoFiles && current.is_none() {
            let message = "Choose the current window's file to compare two files.".to_string();
            return (error(message, ErrorKind::Other), None);
        }
        if self.needs_columns(mapping, window, depth) {
            // The caller parses them first (`Session::columns_for`) and tells the page.
            let message = "The log's other columns are not read yet.".to_string();
            return (error(message, ErrorKind::Other), None);
        }
        let request = analysis::Request {
            reference,
            current,
            mapping,
            settings,
            window: window.clone(),
            now,
            depth,
        };
        // The complete pass starts from its first pass's window when that was this request's.
        let first_key = first_key(self.reference_load, mapping, settings, window);
        let prior = match depth {
            Depth::First => None,
            Depth::Complete => self
                .first
                .take()
                .filter(|(k, _)| first_key.as_ref() == Some(k))
                .map(|(_, w)| w),
        };
        let staged = match analysis::analyze_staged(&request, "plumb-web", prior) {
            Ok(r) => r,
            Err(e) => return (error(e.to_string(), e.kind()), None),
        };
        if depth == Depth::First {
            self.first = first_key.zip(staged.first);
        }
        let (report, window_sweep) = (staged.report, staged.sweep);
        let sweep_key = (*window == WindowSpec::All)
            .then(|| sweep_key(self.reference_load, mapping))
            .flatten();
        if let Some(key) = &sweep_key
            && self.sweep.as_ref().map(|(k, _)| k) != Some(key)
        {
            self.sweep = if crate::core::summary::is_summary(reference) {
                // A summary's sweep comes from its slots (exact at cell edges).
                crate::core::summary::report::sweep_of(reference)
            } else {
                // The whole log's window was ranked for the report: its sweep, not a second sort.
                window_sweep
            }
            .map(|s| (key.clone(), s));
        }
        // A mapping whose rows give no sweep (one class only) has no key either.
        let sweep_key = sweep_key.filter(|k| self.sweep.as_ref().map(|(s, _)| s) == Some(k));
        let attach = sweep_key.is_some() && sweep_key.as_deref() != have_sweep;
        let answer = FromWorker::Report {
            id,
            report: Box::new(report),
            sweep_key,
        };
        let sweep = self.sweep.as_ref().map(|(_, s)| s).filter(|_| attach);
        (answer, sweep)
    }
}

/// What a first pass's whole-log window depends on: the file (the load that read it), every
/// role and every setting (`None` for other windows, which are not kept).
fn first_key(
    load: u64,
    mapping: &ColumnMapping,
    settings: &Settings,
    window: &WindowSpec,
) -> Option<String> {
    if *window != WindowSpec::All {
        return None;
    }
    let roles = serde_json::to_string(mapping).ok()?;
    let settings = serde_json::to_string(settings).ok()?;
    Some(format!("load {load}:{roles}:{settings}"))
}

/// What the exact sweep depends on: the file (the load that read it) and the score and label
/// roles. Load ids are unique for a page's life (the page numbers its requests), also across
/// a restarted worker.
fn sweep_key(load: u64, mapping: &ColumnMapping) -> Option<String> {
    let roles = serde_json::to_string(mapping).ok()?;
    Some(format!("load {load}:{roles}"))
}
