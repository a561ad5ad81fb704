//! The worker's side of the page ↔ worker protocol ([`crate::core::protocol`]): runs in a
//! dedicated Web Worker (the `plumb-worker` binary, built by Trunk as a no-modules worker), so
//! parsing and statistics never block the page.
//!
//! A `load` reads its `Blob` with `FileReaderSync` (allowed, and cheap, in a worker) and feeds
//! it in [`CHUNK_BYTES`] chunks to a [`FileLoader`] (the push parser, gzip included), posting
//! progress after every chunk; the whole file is never held in wasm memory. The fingerprint
//! (SHA-256) of a file of up to [`NATIVE_DIGEST_MAX_BYTES`] is the browser's own
//! `crypto.subtle.digest` of the whole file, computed by a digest worker of its own
//! ([`digest`]: it reads the file and hashes it on another thread while wasm parses, and passes
//! the file on in slices, so this worker does not read it; SHA-256 compiled to wasm runs at
//! roughly 100 MB/s in V8). A file may be parsed in two halves, the second by a parse helper
//! that reads it itself ([`parallel`], where loads may be split). A larger file, or
//! a page without `crypto.subtle` (not a secure context), is hashed by SHA-256 in wasm in that
//! parse helper (on any machine), which reads the file itself while this worker parses it
//! ([`parallel::request_hash`]); here, as it streams, if the helper is busy or cannot start. An
//! `analyze` runs [`Session::analyze_at`] twice: it posts the first, provisional report at
//! once (with the exact sweep's arrays transferred, not copied, when the page does not hold
//! them yet), then computes the complete one in a later task, so a newer request that arrived
//! meanwhile replaces it (only the newest request is completed). The page cancels by
//! terminating this worker. A load that would not fit the tab's memory stops with the memory
//! guard's message ([`FileLoader::with_size`]); if the worker traps anyway, the page hears of
//! it through the worker's `error` event.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use js_sys::{Array, BigUint64Array, Float64Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use super::{digest, parallel};
use crate::core::analysis::{self, Depth, LoadedFile};
use crate::core::error::{ErrorKind, PlumbError};
use crate::core::ingest::split;
use crate::core::metrics::threshold::Sweep;
use crate::core::protocol::{self, FromWorker, Session, ToWorker, WorkPhase};
use crate::core::report::{ColumnMapping, Settings, WindowSpec};
use crate::core::stream::{DeferredColumns, FileLoader};

/// Bytes read per slice of the file (4 MiB): small enough for frequent progress, large enough
/// that per-chunk overhead is negligible.
pub const CHUNK_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// An analysis whose provisional report was posted and whose complete report is still due.
struct Due {
    id: u64,
    mapping: ColumnMapping,
    settings: Settings,
    window: WindowSpec,
    now: Option<f64>,
    have_sweep: Option<String>,
}

/// A complete report held until its files' fingerprints are known
/// ([`FromWorker::awaits_fingerprint`]), and the key of the sweep whose arrays ride with it.
struct Held {
    answer: FromWorker,
    sweep: Option<String>,
}

/// Largest file fingerprinted by `crypto.subtle.digest` (256 MiB), which needs the whole file
/// as one buffer next to the loaded table; a larger one is hashed in wasm as it streams.
pub const NATIVE_DIGEST_MAX_BYTES: f64 = 256.0 * 1024.0 * 1024.0;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
    /// The complete pass still to run (replaced by a newer request, cleared by a load).
    static DUE: RefCell<Option<Due>> = const { RefCell::new(None) };
    /// The complete report waiting for a fingerprint (dropped by any newer request).
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
    /// The load (id, file slot) whose fingerprint the parse helper is computing after that
    /// load's answer: a newer load of the same slot stops it ([`parallel::fail_helper`]).
    static HELPER_HASH: Cell<Option<(u64, protocol::Which)>> = const { Cell::new(None) };
    /// Loads started so far: a load finished asynchronously (its halves merged) answers only
    /// if no newer load started meanwhile.
    static LOAD_SEQ: Cell<u64> = const { Cell::new(0) };
    /// The file a load is still reading, hashing or merging asynchronously, if any: messages
    /// that arrive meanwhile wait in [`WAITING`], so a request sent after a load is handled
    /// after that load's answer (the page may send a load and an analysis back to back, as
    /// after Cancel restores the previous log in a restarted worker).
    static LOADING: Cell<Option<protocol::Which>> = const { Cell::new(None) };
    /// Whether any message has arrived from the page (the warm-up is then skipped).
    static MESSAGED: Cell<bool> = const { Cell::new(false) };
    /// Messages that arrived while a load was in flight, in arrival order.
    static WAITING: RefCell<VecDeque<MessageEvent>> = const { RefCell::new(VecDeque::new()) };
    /// The slices of the log a two-step load read, as they were given (not copied into wasm
    /// memory), until its other columns are parsed (`FileLoader::hold_elsewhere`).
    static HELD_PARTS: RefCell<Vec<Uint8Array>> = const { RefCell::new(Vec::new()) };
}

/// The held slices of a two-step load ([`HELD_PARTS`]), each copied into wasm memory only
/// when it is parsed again, and let go of. Lazy: they are taken from [`HELD_PARTS`] only
/// when the first is asked for.
fn held_parts() -> impl Iterator<Item = Vec<u8>> {
    let mut parts: Option<std::vec::IntoIter<Uint8Array>> = None;
    std::iter::from_fn(move || {
        let parts = parts.get_or_insert_with(|| {
            HELD_PARTS
                .with(|h| std::mem::take(&mut *h.borrow_mut()))
                .into_iter()
        });
        parts.next().map(|part| part.to_vec())
    })
}

/// Start listening for the page's messages, then say so (`ready`).
pub fn run() {
    console_error_panic_hook::set_once();
    if parallel::is_helper() {
        parallel::run_helper();
        return;
    }
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| receive(ev));
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    // The instance's linear memory, for the benchmark (bench/browser.mjs reads its size: it
    // never shrinks, so its size is the peak so far).
    let _ = Reflect::set(&scope, &"__plumbWasmMemory".into(), &wasm_bindgen::memory());
    // Not warm yet (see `warm_up_if_idle`).
    let _ = Reflect::set(&scope, &"__plumbWarm".into(), &JsValue::FALSE);
    post(&FromWorker::Ready, None);
    // One macrotask later, so a request the page had queued (a worker restarted by Cancel,
    // which restores the previous log at once) is handled first, with no warm-up on top.
    gloo::timers::callback::Timeout::new(0, warm_up_if_idle).forget();
}

/// While the page waits for a file: have the browser optimise the first pass's code
/// ([`crate::core::warm_up`]) — unless a message has arrived already (it would wait behind
/// the warm-up, and its own work warms the code up as well). Then start the parse helper, so
/// its wasm is ready for the first file parsed in halves ([`parallel::spawn_helper`]: only
/// where loads may be split) and a digest worker for the first load ([`digest::prepare`]),
/// and say so on the worker's global `__plumbWarm` (`true`, for the benchmark, which picks its
/// file once the worker is warm, as a user would).
fn warm_up_if_idle() {
    if !MESSAGED.with(Cell::get) {
        let _ = crate::core::warm_up::warm_up();
        parallel::spawn_helper();
        digest::prepare();
    }
    super::mark("__plumbWarm", &JsValue::TRUE);
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

/// Post a message, with the sweep's arrays transferred when given.
fn post(message: &FromWorker, sweep: Option<&Sweep>) {
    let Some(scope) = scope() else { return };
    let text = match protocol::encode(message) {
        Ok(t) => t,
        Err(e) => match protocol::encode(&FromWorker::Error {
            id: 0,
            which: None,
            message: e,
            error_kind: ErrorKind::Other,
        }) {
            Ok(t) => t,
            Err(_) => return,
        },
    };
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"msg".into(), &JsValue::from_str(&text));
    let transfer = Array::new();
    if let Some(sweep) = sweep {
        // The counts as 64-bit integers: one copy each, none converted on either side.
        let (tp, fp) = sweep.counts();
        let thresholds = Float64Array::from(sweep.thresholds());
        let (tp, fp) = (BigUint64Array::from(tp), BigUint64Array::from(fp));
        let parts = Object::new();
        for (key, array, buffer) in [
            (
                "thresholds",
                JsValue::from(&thresholds),
                thresholds.buffer(),
            ),
            ("tp", JsValue::from(&tp), tp.buffer()),
            ("fp", JsValue::from(&fp), fp.buffer()),
        ] {
            transfer.push(&buffer);
            let _ = Reflect::set(&parts, &key.into(), &array);
        }
        let _ = Reflect::set(
            &parts,
            &"positives".into(),
            &(sweep.positives() as f64).into(),
        );
        let _ = Reflect::set(
            &parts,
            &"negatives".into(),
            &(sweep.negatives() as f64).into(),
        );
        let _ = Reflect::set(&envelope, &"sweep".into(), &parts);
    }
    let _ = scope.post_message_with_transfer(&envelope, &transfer);
}

/// Handle a message now, or queue it behind a load still in flight. A newer load of the same
/// file slot supersedes the one in flight at once (it stops at its next slice and answers
/// nothing), as a load handled straight away would.
fn receive(ev: MessageEvent) {
    MESSAGED.with(|m| m.set(true));
    let Some(in_flight) = LOADING.with(Cell::get) else {
        handle(&ev);
        return;
    };
    let text = Reflect::get(&ev.data(), &"msg".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if let Ok(ToWorker::Load { which, .. }) = protocol::decode(&text)
        && which == in_flight
    {
        LOAD_SEQ.with(|s| s.set(s.get() + 1));
    }
    WAITING.with(|w| w.borrow_mut().push_back(ev));
}

/// The load in flight has answered (or was superseded): handle the messages that waited for
/// it, in order, until one starts another asynchronous load.
fn settle() {
    LOADING.with(|l| l.set(None));
    while LOADING.with(Cell::get).is_none() {
        let Some(ev) = WAITING.with(|w| w.borrow_mut().pop_front()) else {
            return;
        };
        handle(&ev);
    }
}

fn handle(ev: &MessageEvent) {
    let data = ev.data();
    let text = Reflect::get(&data, &"msg".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let message: ToWorker = match protocol::decode(&text) {
        Ok(m) => m,
        Err(message) => {
            post(
                &FromWorker::Error {
                    id: 0,
                    which: None,
                    message,
                    error_kind: ErrorKind::Other,
                },
                None,
            );
            return;
        }
    };
    match message {
        ToWorker::Load {
            id,
            which,
            name,
            memory_limit,
        } => {
            // A new file: whatever analysis was due or held is of the old one, and the old
            // file's fingerprint is not wanted any more.
            DUE.with(|d| d.borrow_mut().take());
            HELD.with(|h| h.borrow_mut().take());
            if which == protocol::Which::Reference {
                HELD_PARTS.with(|h| h.borrow_mut().clear());
            }
            if HELPER_HASH
                .with(Cell::get)
                .is_some_and(|(_, slot)| slot == which)
            {
                HELPER_HASH.with(|h| h.set(None));
                parallel::fail_helper();
                count_stopped_hash();
            }
            // Until its answer is posted (`settle`), later messages wait.
            LOADING.with(|l| l.set(Some(which)));
            let seq = LOAD_SEQ.with(|s| {
                s.set(s.get() + 1);
                s.get()
            });
            let blob = Reflect::get(&data, &"blob".into())
                .ok()
                .and_then(|b| b.dyn_into::<Blob>().ok());
            let Some(blob) = blob else {
                let message = format!("{name}: no file was given to read");
                post(
                    &FromWorker::file_error(id, which, message, ErrorKind::Other),
                    None,
                );
                settle();
                return;
            };
            // The log (not a second file) may be parsed in two steps, the columns of the
            // first answer first (`FileLoader::defer_columns`); `?defer=0` turns that off.
            let in_steps = which == protocol::Which::Reference && !page_flag("defer=0");
            match read(id, &blob, &name, memory_limit, in_steps) {
                Ok(Read::Done(parsed, digest)) => {
                    answer_load(id, which, name, parsed, digest, blob)
                }
                Ok(Read::Halves(halves)) => wasm_bindgen_futures::spawn_local(async move {
                    let result = finish_halves(id, seq, *halves, &blob).await;
                    finish_async_load(id, which, seq, name, result, blob);
                }),
                Ok(Read::Streamed(streamed)) => wasm_bindgen_futures::spawn_local(async move {
                    let result = read_streamed(id, seq, *streamed, &blob, &name).await;
                    finish_async_load(id, which, seq, name, result, blob);
                }),
                Err((message, kind)) => {
                    post(&FromWorker::file_error(id, which, message, kind), None);
                    settle();
                }
            }
        }
        ToWorker::Analyze {
            id,
            mapping,
            settings,
            window,
            now,
            have_sweep,
        } => {
            // A newer request: a report held for a fingerprint is stale.
            HELD.with(|h| h.borrow_mut().take());
            progress(id, WorkPhase::Analysing, 0, 0, 0);
            let due = SESSION.with(|s| {
                let mut session = s.borrow_mut();
                let have = have_sweep.as_deref();
                // Columns a two-step load left for later, if this first pass reads them.
                let parts = &mut held_parts();
                if let Some(columns) = session.columns_for(&mapping, &window, Depth::First, parts) {
                    post(&columns, None);
                }
                let (answer, sweep) =
                    session.analyze_at(id, &mapping, &settings, &window, now, have, Depth::First);
                let due = answer.is_provisional().then(|| Due {
                    id,
                    have_sweep: answer.sweep_key().map(str::to_string).or(have_sweep),
                    mapping,
                    settings,
                    window,
                    now,
                });
                post_answer(answer, sweep);
                digest::go();
                if due.is_none()
                    && let Some(columns) = session.complete_columns(&mut held_parts())
                {
                    // No complete pass follows (the answer failed): the page still gets the
                    // whole file's columns.
                    post(&columns, None);
                }
                due
            });
            let Some(due) = due else {
                DUE.with(|d| d.borrow_mut().take());
                // The answer is complete: idle now (see `complete_due`).
                digest::prepare();
                return;
            };
            DUE.with(|d| *d.borrow_mut() = Some(due));
            // A later task, so a request already queued behind this one supersedes it.
            gloo::timers::callback::Timeout::new(0, complete_due).forget();
        }
    }
}

/// What an asynchronous load ([`finish_halves`], [`read_streamed`]) gives: `None` if a newer
/// load started meanwhile, else the file and its pending digest, or the error.
type AsyncLoad = Option<Result<(Parsed, Option<PendingDigest>), (String, ErrorKind)>>;

/// A file as parsed: with every column, or (a two-step load) with some still to parse.
type Parsed = (LoadedFile, Option<DeferredColumns>);

/// A file's SHA-256 being computed off this thread, which the load's answer does not wait for
/// ([`answer_load`] posts it as [`FromWorker::Fingerprint`] when it comes).
struct PendingDigest {
    /// The digest worker's answer (the digest's `ArrayBuffer`) or the parse helper's
    /// (`{ job, digest }`): see [`digest_of`].
    promise: Promise,
    /// Whether the parse helper computes it ([`parallel::request_hash`]): a newer load of the
    /// same slot then stops it, as nobody waits for it any more.
    by_helper: bool,
}

impl PendingDigest {
    /// A digest the browser computes (a digest worker, or `crypto.subtle` here).
    fn browser(promise: Promise) -> Self {
        Self {
            promise,
            by_helper: false,
        }
    }
}

/// Answer a load that finished asynchronously: with its file or its error, or nothing if a
/// newer load started meanwhile (this one is stale); then the messages that waited for it.
fn finish_async_load(
    id: u64,
    which: protocol::Which,
    seq: u64,
    name: String,
    result: AsyncLoad,
    blob: Blob,
) {
    match result.filter(|_| LOAD_SEQ.with(Cell::get) == seq) {
        Some(Ok((parsed, digest))) => answer_load(id, which, name, parsed, digest, blob),
        Some(Err((message, kind))) => {
            post(&FromWorker::file_error(id, which, message, kind), None);
            settle();
        }
        None => settle(),
    }
}

/// Answer a load with the parsed `file` at once, then handle the messages that waited for it.
/// A file without its fingerprint yet gets it from the browser's digest (or SHA-256 in wasm)
/// of `blob`, posted when ready ([`FromWorker::Fingerprint`]): the first answer does not
/// wait for the hash, only the complete report does ([`release_held`]).
fn answer_load(
    id: u64,
    which: protocol::Which,
    name: String,
    (file, rest): Parsed,
    digest: Option<PendingDigest>,
    blob: Blob,
) {
    let pending = file.sha256.is_empty();
    let by_helper = digest.as_ref().is_some_and(|d| d.by_helper);
    let answer = SESSION.with(|s| {
        s.borrow_mut()
            .loaded_in_steps(id, which, file, rest, &mut held_parts())
    });
    post(&answer, None);
    if pending {
        if by_helper {
            HELPER_HASH.with(|h| h.set(Some((id, which))));
        }
        wasm_bindgen_futures::spawn_local(async move {
            if page_flag("hash=late") {
                gloo::timers::future::TimeoutFuture::new(LATE_HASH_MS).await;
            }
            let digest = digest_of(digest.map(|d| d.promise)).await;
            if by_helper {
                if HELPER_HASH.with(Cell::get) != Some((id, which)) {
                    // Stopped for a newer load of the same slot: nobody waits for it.
                    return;
                }
                HELPER_HASH.with(|h| h.set(None));
            }
            let sha256 = match digest {
                Some(sha256) => Ok(sha256),
                None => {
                    // No digest came (the helper or digest worker failed): hash here.
                    mark_hash("here");
                    digest::sha256_streaming(&blob).map(|d| analysis::hex(&d))
                }
            }
            .map_err(|e| format!("the browser could not read {name}: {e}"));
            let failed = sha256.is_err();
            let message = SESSION.with(|s| s.borrow_mut().fingerprint(id, which, sha256));
            if let Some(message) = message {
                post(&message, None);
                if failed {
                    HELD.with(|h| h.borrow_mut().take());
                }
            }
            release_held();
        });
    }
    settle();
}

/// Post an analysis's answer, or hold a complete report one of whose files is still being
/// hashed (its fingerprint goes out first; [`release_held`] then posts the report).
fn post_answer(answer: FromWorker, sweep: Option<&Sweep>) {
    if answer.awaits_fingerprint() {
        let sweep = sweep.and(answer.sweep_key()).map(str::to_string);
        HELD.with(|h| *h.borrow_mut() = Some(Held { answer, sweep }));
    } else {
        post(&answer, sweep);
    }
}

/// Post the held complete report once every one of its files has its fingerprint.
fn release_held() {
    let Some(mut held) = HELD.with(|h| h.borrow_mut().take()) else {
        return;
    };
    SESSION.with(|s| {
        let session = s.borrow();
        session.stamp(&mut held.answer);
        let sweep = held.sweep.as_deref().and_then(|k| session.sweep_for(k));
        post_answer(held.answer, sweep);
    });
}

/// Compute and post the complete report of the analysis still due, if any.
fn complete_due() {
    let Some(due) = DUE.with(|d| d.borrow_mut().take()) else {
        return;
    };
    SESSION.with(|s| {
        let mut session = s.borrow_mut();
        // The whole file's columns first, if a two-step load left some (the page hears of
        // them before the report that reads them).
        let parts = &mut held_parts();
        if let Some(columns) =
            session.columns_for(&due.mapping, &due.window, Depth::Complete, parts)
        {
            post(&columns, None);
        }
        let (answer, sweep) = session.analyze_at(
            due.id,
            &due.mapping,
            &due.settings,
            &due.window,
            due.now,
            due.have_sweep.as_deref(),
            Depth::Complete,
        );
        post_answer(answer, sweep);
    });
    // Idle now: the next load's digest worker starts here, not in that load's first moments.
    digest::prepare();
}

fn progress(id: u64, phase: WorkPhase, bytes_read: u64, bytes_total: u64, rows: u64) {
    post(
        &FromWorker::Progress {
            id,
            phase,
            bytes_read,
            bytes_total,
            rows,
        },
        None,
    );
}

/// Post "reading" progress: `offset` bytes of the file's `total` and `rows` rows read here,
/// both scaled by `scale` (1, or the whole file over the first half while the helper parses
/// the second: both halves advance alike), the bytes never past `total`.
fn report_reading(id: u64, offset: f64, scale: f64, total: f64, rows: u64) {
    progress(
        id,
        WorkPhase::Reading,
        ((offset * scale) as u64).min(total as u64),
        total as u64,
        (rows as f64 * scale) as u64,
    );
}

/// What [`read`] gives: a parsed file, or a first half whose second half a helper parses.
/// (One per load: the variants' sizes do not matter.)
#[allow(clippy::large_enum_variant)]
enum Read {
    /// The whole file parsed (and its digest started, when the browser hashes it).
    Done(Parsed, Option<PendingDigest>),
    /// The helper was asked for the second half; the rest is [`finish_halves`]'s.
    Halves(Box<Halves>),
    /// The digest worker reads the file and passes it on in slices; the parsing is
    /// [`read_streamed`]'s.
    Streamed(Box<Streamed>),
}

/// A load parsed slice by slice in later tasks: either the digest worker reads the file and
/// passes it on in [`CHUNK_BYTES`] slices while it digests it ([`digest::start`]), so that
/// this worker spends no time reading; or (a file the browser does not digest) a reader worker
/// passes it on ([`digest::start_reader`]) and the parse helper hashes it once it is parsed
/// ([`parallel::request_hash`]).
struct Streamed {
    loader: FileLoader,
    /// The digest worker (or, for a file the helper hashes, the reader worker) passing the
    /// slices on, if any (else they are read here).
    job: Option<digest::Job>,
    /// Whether the parse helper is asked for the file's SHA-256 once it is parsed (a file the
    /// browser does not digest).
    hash_after: bool,
    total: f64,
}

/// Record on the worker's global `__plumbReadBy` who read the bytes of the last streamed load
/// (`worker`: a digest or reader worker passed every slice on; `here`: some or all were read on
/// this thread), for the end-to-end tests.
fn mark_read_by(how: &str) {
    super::mark("__plumbReadBy", &JsValue::from_str(how));
}

/// Count on the worker's global `__plumbHashesStopped` the parse helper's hashes stopped for
/// a newer load of the same slot, for the end-to-end tests.
fn count_stopped_hash() {
    let count = Reflect::get(&js_sys::global(), &"__plumbHashesStopped".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    super::mark("__plumbHashesStopped", &JsValue::from_f64(count + 1.0));
}

/// Record who fingerprinted the last load (`browser`: `crypto.subtle.digest` in the digest
/// worker, `helper`: SHA-256 in wasm in the parse helper, `here`: in wasm on this worker's
/// thread as it parsed) on the worker's global `__plumbLastHash`, for the end-to-end tests and
/// the benchmark.
fn mark_hash(how: &str) {
    super::mark("__plumbLastHash", &JsValue::from_str(how));
}

/// Parse the slices the digest worker passes on, in order, with the "reading" progress after
/// each; if it stops passing them on (it failed), or there is none (the parse helper hashes
/// the file), read the rest here with `FileReaderSync`. The file and its digest's promise, or
/// the error; `None` if a newer load started meanwhile (this one is dropped).
async fn read_streamed(
    id: u64,
    seq: u64,
    streamed: Streamed,
    blob: &Blob,
    name: &str,
) -> AsyncLoad {
    let Streamed {
        mut loader,
        job,
        hash_after,
        total,
    } = streamed;
    let named = |e: PlumbError| (format!("{name}: {e}"), e.kind());
    let fail = |e: JsValue| {
        let message = format!("the browser could not read {name}: {}", super::js_error(&e));
        (message, ErrorKind::Other)
    };
    let mut bytes: Vec<u8> = Vec::new();
    let mut offset = 0.0;
    let mut reader: Option<FileReaderSync> = None;
    let mut parts: Vec<Uint8Array> = Vec::new();
    while offset < total {
        let given = match (&job, &reader) {
            (Some(job), None) => job.next_part().await,
            _ => None,
        };
        if LOAD_SEQ.with(Cell::get) != seq {
            return None;
        }
        let array = match given {
            Some((at, part)) if at == offset && part.length() > 0 => part,
            _ => {
                // No more slices (or one out of order): read the rest here.
                let here = match reader.take() {
                    Some(r) => r,
                    None => match FileReaderSync::new() {
                        Ok(r) => r,
                        Err(e) => return Some(Err(fail(e))),
                    },
                };
                let end = (offset + CHUNK_BYTES).min(total);
                let read = blob
                    .slice_with_f64_and_f64(offset, end)
                    .and_then(|slice| here.read_as_array_buffer(&slice));
                reader = Some(here);
                match read {
                    Ok(buffer) => Uint8Array::new(&buffer),
                    Err(e) => return Some(Err(fail(e))),
                }
            }
        };
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        if let Err(e) = loader.push(&bytes) {
            return Some(Err(named(e)));
        }
        offset += f64::from(array.length());
        // A two-step load keeps the slice for its second step (the loader does not).
        if loader.in_steps() {
            parts.push(array);
        } else {
            parts.clear();
        }
        report_reading(id, offset, 1.0, total, loader.rows());
    }
    mark_load("single");
    mark_read_by(if reader.is_some() { "here" } else { "worker" });
    let file = finish(id, loader, total, named);
    // The slices stay only for a load that left columns for later.
    let in_steps = matches!(&file, Ok((_, Some(_))));
    if in_steps {
        HELD_PARTS.with(|h| *h.borrow_mut() = parts);
    }
    // For the end-to-end tests: whether this load left columns for later.
    super::mark("__plumbInSteps", &JsValue::from_bool(in_steps));
    let digest = if !hash_after {
        job.map(|job| PendingDigest::browser(job.digest.clone()))
    } else if file.is_ok() {
        // Asked now, not while the file streamed in: on two cores its SHA-256 (in wasm, about
        // the parser's speed) took CPU from the parse; now it runs beside the first pass and
        // the complete one, which do not wait for it (the job was a reader's).
        let promise = parallel::request_hash(blob);
        mark_hash(if promise.is_some() { "helper" } else { "here" });
        promise.map(|promise| PendingDigest {
            promise,
            by_helper: true,
        })
    } else {
        None
    };
    Some(file.map(|parsed| (parsed, digest)))
}

/// A load split in two halves ([`crate::core::ingest::split`]): this worker parses the first,
/// from the slices the digest worker passes on; the helper was asked for the second (it reads
/// it from the file itself). The first half is parsed up to `offset`.
struct Halves {
    loader: FileLoader,
    name: String,
    /// The digest worker: the file's first half in slices, and its SHA-256.
    job: digest::Job,
    /// Bytes of the first half read so far, where the second half starts, and the file's size.
    offset: f64,
    split: f64,
    total: f64,
    /// The helper's answer ([`parallel::request_half`]); `None` if it could not be asked (no
    /// header line in the first slice, no idle helper): the second half is parsed here.
    half: Option<Promise>,
}

/// Read `blob` into a [`FileLoader`] that knows the file's size (so columns are sized once and
/// the memory guard projects the need from the first slice on), [`CHUNK_BYTES`] at a time;
/// errors are words naming the file, with their kind. For a file of up to
/// [`NATIVE_DIGEST_MAX_BYTES`] the digest is started in a digest worker ([`digest::start`]),
/// which also reads the file and passes it on in slices: [`Read::Streamed`], parsed by
/// [`read_streamed`] (reading the 95 MB log whole with `FileReaderSync` took this worker
/// ≈ 0.2 s before it could parse a byte); the file's `sha256` is left empty for the caller to
/// fill from the digest ([`digest_of`], after the load's answer). Where no digest worker
/// starts, the file is read here once, whole, and the digest started on that buffer
/// ([`start_digest`]: its copy of the file then runs on this thread). A larger file (or one the
/// browser does not digest) is passed on by a reader worker slice by slice ([`read_streamed`])
/// and hashed by the parse helper once parsed, or, with no idle helper, in wasm here after the
/// load's answer.
///
/// A plain delimited file of [`split::PARALLEL_MIN_BYTES`] to [`split::PARALLEL_MAX_BYTES`]
/// may be parsed in two halves ([`plan_halves`], [`parallel`]): this worker parses the first
/// half from the digest worker's slices ([`finish_halves`]) while the parse helper reads and
/// parses the second from the `Blob` itself. Larger files (the 10M-row log: 952 MB) keep the
/// single, streaming path and its peak memory.
fn read(
    id: u64,
    blob: &Blob,
    name: &str,
    limit: Option<u64>,
    in_steps: bool,
) -> Result<Read, (String, ErrorKind)> {
    let fail = |e: JsValue| {
        let message = format!("the browser could not read {name}: {}", super::js_error(&e));
        (message, ErrorKind::Other)
    };
    let named = |e: PlumbError| (format!("{name}: {e}"), e.kind());
    let reader = FileReaderSync::new().map_err(fail)?;
    let total = blob.size();
    let native = total <= NATIVE_DIGEST_MAX_BYTES && subtle_crypto().is_some() && !hash_in_helper();
    if native
        && let Some((first, head, split)) = plan_halves(&reader, blob, total)
        && let Some(job) = digest::start(blob, CHUNK_BYTES, split)
    {
        mark_hash("browser");
        let mut loader = FileLoader::with_first_half(name, total as u64, split as u64, first);
        loader.hash_elsewhere();
        if let Some(limit) = limit {
            loader.set_memory_limit(limit);
        }
        progress(id, WorkPhase::Reading, 0, total as u64, 0);
        // The head (read here to plan the cut) holds the header line: the helper starts now.
        loader.push(&head).map_err(named)?;
        let half = loader.continuation().and_then(|(delimiter, headers)| {
            parallel::request_half(blob, split, total, delimiter, &headers)
        });
        if half.is_none() {
            loader.parse_alone();
        }
        return Ok(Read::Halves(Box::new(Halves {
            loader,
            name: name.to_string(),
            job,
            offset: head.len() as f64,
            split,
            total,
            half,
        })));
    }
    if native && let Some(job) = digest::start(blob, CHUNK_BYTES, total) {
        let mut loader = FileLoader::with_size(name, total as u64);
        loader.hash_elsewhere();
        if in_steps {
            loader.defer_columns();
            loader.hold_elsewhere();
        }
        if let Some(limit) = limit {
            loader.set_memory_limit(limit);
        }
        progress(id, WorkPhase::Reading, 0, total as u64, 0);
        mark_hash("browser");
        let job = Some(job);
        return Ok(Read::Streamed(Box::new(Streamed {
            loader,
            job,
            hash_after: false,
            total,
        })));
    }
    // A file the browser does not digest: parsed here, and hashed by the parse helper once
    // parsed (`read_streamed`); a reader worker reads it ahead of the parse (if none starts,
    // it is read here).
    if !native {
        let mut loader = FileLoader::with_size(name, total as u64);
        loader.hash_elsewhere();
        if let Some(limit) = limit {
            loader.set_memory_limit(limit);
        }
        progress(id, WorkPhase::Reading, 0, total as u64, 0);
        let job = digest::start_reader(blob, CHUNK_BYTES);
        return Ok(Read::Streamed(Box::new(Streamed {
            loader,
            job,
            hash_after: true,
            total,
        })));
    }
    let (whole, digest) = match native.then(|| start_digest(&reader, blob)).flatten() {
        Some((whole, digest)) => (
            Some(Uint8Array::new(&whole)),
            Some(PendingDigest::browser(digest)),
        ),
        None => (None, None),
    };
    let mut loader = FileLoader::with_size(name, total as u64);
    if digest.is_some() {
        loader.hash_elsewhere();
    }
    mark_hash(if digest.is_some() { "browser" } else { "here" });
    if let Some(limit) = limit {
        loader.set_memory_limit(limit);
    }
    // One buffer in wasm memory for every chunk: each is copied into it from the JS
    // ArrayBuffer, with no allocation per chunk.
    let mut bytes: Vec<u8> = Vec::new();
    progress(id, WorkPhase::Reading, 0, total as u64, 0);
    let mut offset = 0.0;
    while offset < total {
        let end = (offset + CHUNK_BYTES).min(total);
        let array = match &whole {
            // Offsets are below 256 MiB here, so exact as u32.
            Some(whole) => whole.subarray(offset as u32, end as u32),
            None => {
                let slice = blob.slice_with_f64_and_f64(offset, end).map_err(fail)?;
                Uint8Array::new(&reader.read_as_array_buffer(&slice).map_err(fail)?.into())
            }
        };
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        loader.push(&bytes).map_err(named)?;
        offset = end;
        report_reading(id, offset, 1.0, total, loader.rows());
    }
    drop(whole);
    mark_load("single");
    Ok(Read::Done(finish(id, loader, total, named)?, digest))
}

/// Whether the page was opened with `?hash=helper` (passed on in this worker's script URL):
/// every file is then fingerprinted as one too large for the browser's digest is (by the
/// parse helper, [`parallel::request_hash`]), so the end-to-end tests check that path on a
/// small file.
fn hash_in_helper() -> bool {
    page_flag("hash=helper")
}

/// How long `?hash=late` holds every fingerprint back (1.5 s), so the end-to-end tests see a
/// small file's first answer go out before its fingerprint, as a 10M-row log's does. The
/// parse helper holds its digest back as long too ([`parallel::answer`]), so that a newer
/// load finds the older file's hash still running, as it would at 10M rows.
pub(crate) const LATE_HASH_MS: u32 = 1500;

/// Whether the page passed `flag` on in this worker's script URL (see `client::worker_url`;
/// the parse helper's URL is the analysis worker's own, flags included).
pub(crate) fn page_flag(flag: &str) -> bool {
    Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|l| Reflect::get(&l, &"search".into()))
        .ok()
        .and_then(|s| s.as_string())
        .is_some_and(|s| s.contains(flag))
}

/// Bytes read from the start of a file to plan its halves (64 KiB): the dialect is sniffed
/// from them and they hold the header line, after which the helper is asked for the second
/// half.
const SPLIT_HEAD_BYTES: f64 = 64.0 * 1024.0;

/// Bytes read from the middle of a file to find the cut (1 MiB): a line feed is looked for in
/// them.
const SPLIT_WINDOW_BYTES: f64 = 1024.0 * 1024.0;

/// The first half's builder, the file's head and where the second half starts, if `blob`
/// (`total` bytes) is parsed in two halves: this worker may split ([`parallel::enabled`]), the
/// file is plain delimited text of a size in
/// [`split::PARALLEL_MIN_BYTES`]..=[`split::PARALLEL_MAX_BYTES`] with a line feed in the
/// megabyte after its middle, and the parse helper is idle (ready, or still loading: it then
/// gets the request when ready, unless the first half is done first). Only the head and the
/// window around the middle are read here. The helper is started here, for the first such
/// file (a worker that only ever loads small files starts none).
fn plan_halves(
    reader: &FileReaderSync,
    blob: &Blob,
    total: f64,
) -> Option<(crate::core::ingest::TableBuilder, Vec<u8>, f64)> {
    let size = total as u64;
    if !parallel::enabled()
        || !(split::PARALLEL_MIN_BYTES..=split::PARALLEL_MAX_BYTES).contains(&size)
    {
        return None;
    }
    let read = |from: f64, to: f64| {
        let slice = blob.slice_with_f64_and_f64(from, to.min(total)).ok()?;
        let buffer = reader.read_as_array_buffer(&slice).ok()?;
        Some(Uint8Array::new(&buffer).to_vec())
    };
    let head = read(0.0, SPLIT_HEAD_BYTES)?;
    let first = split::first_half(&head, size)?;
    parallel::spawn_helper();
    if !parallel::helper_idle() {
        return None;
    }
    let middle = (total / 2.0).floor();
    let window = read(middle, middle + SPLIT_WINDOW_BYTES)?;
    let at = split::split_point(&window, 0)?;
    let split = middle + at as f64;
    (split < total && split > head.len() as f64).then_some((first, head, split))
}

/// Record how the last load was parsed (`single`, `halves`, or `fallback: <why>`) on the
/// worker's global `__plumbLastLoad`, for the end-to-end tests and the benchmark.
fn mark_load(how: &str) {
    super::mark("__plumbLastLoad", &JsValue::from_str(how));
}

/// Record a duration of the last load parsed in halves on the worker's global
/// `__plumbSplitTimes` (first half after the request, wait for the helper, merge), for the
/// benchmark.
fn note_time(key: &str, ms: f64) {
    let global = js_sys::global();
    let times = Reflect::get(&global, &"__plumbSplitTimes".into())
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or_else(|| {
            let o: JsValue = Object::new().into();
            let _ = Reflect::set(&global, &"__plumbSplitTimes".into(), &o);
            o
        });
    let _ = Reflect::set(&times, &key.into(), &ms.into());
}

/// Flush the loader and return the file, with the "finishing" progress: with every column,
/// or (a two-step load, [`FileLoader::finish_deferred`]) with what parses the rest.
fn finish(
    id: u64,
    loader: FileLoader,
    total: f64,
    named: impl Fn(PlumbError) -> (String, ErrorKind),
) -> Result<Parsed, (String, ErrorKind)> {
    progress(
        id,
        WorkPhase::Finishing,
        total as u64,
        total as u64,
        loader.rows(),
    );
    loader.finish_deferred().map_err(named)
}

/// Parse the rest of the first half from the digest worker's slices (or, if it stops passing
/// them on, read here), then wait for the helper's second half and merge it; if there is none
/// or it is refused, read and parse the second half here (the single path's result, errors
/// included). While the helper has not received the request (it is still loading its wasm),
/// the worker yields to its event loop between slices, so that it hears the helper is ready
/// and hands the request over (a nested worker's start needs its parent's event loop too).
/// `None` if a newer load started meanwhile (this one is dropped).
async fn finish_halves(id: u64, seq: u64, h: Halves, blob: &Blob) -> AsyncLoad {
    let Halves {
        mut loader,
        name,
        job,
        mut offset,
        split,
        total,
        half,
    } = h;
    let named = |e: PlumbError| (format!("{name}: {e}"), e.kind());
    let stale = || LOAD_SEQ.with(Cell::get) != seq;
    let started = js_sys::Date::now();
    // Both halves advance alike: the first half's progress, scaled to the whole file.
    let scale = if half.is_some() { total / split } else { 1.0 };
    let mut bytes: Vec<u8> = Vec::new();
    while offset < split {
        if parallel::request_unsent() {
            gloo::timers::future::TimeoutFuture::new(0).await;
        }
        let Some((at, part)) = job.next_part().await else {
            break;
        };
        if stale() {
            return None;
        }
        // The part's bytes not parsed yet (the head was read here before the slices came).
        let (from, to) = (offset.max(at), (at + f64::from(part.length())).min(split));
        if at > offset {
            break;
        }
        if to <= from {
            continue;
        }
        let array = part.subarray((from - at) as u32, (to - at) as u32);
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        if let Err(e) = loader.push(&bytes) {
            return Some(Err(named(e)));
        }
        offset = to;
        report_reading(id, offset, scale, total, loader.rows());
    }
    let digest = job.digest.clone();
    drop(job);
    // The digest worker stopped passing slices on (it failed): the rest of the half, here.
    if let Err(e) = read_here(id, &mut loader, blob, offset, split, scale, 0.0, &name) {
        return Some(Err(e));
    }
    note_time("first_half_ms", js_sys::Date::now() - started);
    Some(merge_or_parse(id, loader, &name, blob, digest, split, total, half).await)
}

/// Read bytes `[from, to)` of `blob` here with `FileReaderSync`, [`CHUNK_BYTES`] at a time,
/// into `loader`, with the "reading" progress (bytes and rows scaled by `scale`, the bytes
/// never below `shown`, what the progress showed before).
#[allow(clippy::too_many_arguments)]
fn read_here(
    id: u64,
    loader: &mut FileLoader,
    blob: &Blob,
    from: f64,
    to: f64,
    scale: f64,
    shown: f64,
    name: &str,
) -> Result<(), (String, ErrorKind)> {
    let fail = |e: JsValue| {
        let message = format!("the browser could not read {name}: {}", super::js_error(&e));
        (message, ErrorKind::Other)
    };
    let named = |e: PlumbError| (format!("{name}: {e}"), e.kind());
    if from >= to {
        return Ok(());
    }
    let reader = FileReaderSync::new().map_err(fail)?;
    let total = blob.size();
    let mut bytes: Vec<u8> = Vec::new();
    let mut offset = from;
    while offset < to {
        let end = (offset + CHUNK_BYTES).min(to);
        let slice = blob.slice_with_f64_and_f64(offset, end).map_err(fail)?;
        let array = Uint8Array::new(&reader.read_as_array_buffer(&slice).map_err(fail)?.into());
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        loader.push(&bytes).map_err(named)?;
        offset = end;
        let rows = (loader.rows() as f64 * scale) as u64;
        let bytes_read = (offset * scale).max(shown).min(total);
        progress(
            id,
            WorkPhase::Reading,
            bytes_read as u64,
            total as u64,
            rows,
        );
    }
    Ok(())
}

/// The end of [`finish_halves`]: the helper's half merged, or the second half read and parsed
/// here.
#[allow(clippy::too_many_arguments)]
async fn merge_or_parse(
    id: u64,
    mut loader: FileLoader,
    name: &str,
    blob: &Blob,
    digest: Promise,
    split: f64,
    total: f64,
    half: Option<Promise>,
) -> Result<(Parsed, Option<PendingDigest>), (String, ErrorKind)> {
    let named = |e: PlumbError| (format!("{name}: {e}"), e.kind());
    // The progress shown so far: the whole file, if the first half's was scaled to it.
    let shown = if half.is_some() { total } else { split };
    let waited = js_sys::Date::now();
    // A helper that never got the request (still loading) is not waited for.
    let data = match half {
        Some(_) if parallel::withdraw_unsent() => {
            let reply = Object::new();
            let _ = Reflect::set(&reply, &"failed".into(), &"the helper was not ready".into());
            reply.into()
        }
        Some(half) => wasm_bindgen_futures::JsFuture::from(half)
            .await
            .unwrap_or(JsValue::NULL),
        None => {
            let reply = Object::new();
            let _ = Reflect::set(&reply, &"failed".into(), &"the helper was not asked".into());
            reply.into()
        }
    };
    note_time("wait_ms", js_sys::Date::now() - waited);
    let merging = js_sys::Date::now();
    let table = Reflect::get(&data, &"table".into())
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok());
    let columns = Reflect::get(&data, &"columns".into())
        .ok()
        .filter(Array::is_array)
        .map(|v| Array::from(&v));
    let how = match (table, columns) {
        (Some(table), Some(columns)) => {
            // One column's bytes in wasm memory at a time.
            let parts = columns.iter().map(|c| {
                c.dyn_into::<Uint8Array>()
                    .map(|a| a.to_vec())
                    .unwrap_or_default()
            });
            match split::decode_half(&table.to_vec(), parts) {
                Some(half) => match loader.merge_half(half, (total - split) as u64) {
                    Ok(()) => "halves".to_string(),
                    Err(why) => format!("fallback: {why:?}"),
                },
                None => "fallback: unreadable half".to_string(),
            }
        }
        _ => {
            let why = Reflect::get(&data, &"failed".into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_else(|| "no helper".to_string());
            format!("fallback: {why}")
        }
    };
    note_time("merge_ms", js_sys::Date::now() - merging);
    if how != "halves" {
        loader.parse_alone();
        read_here(id, &mut loader, blob, split, total, 1.0, shown, name)?;
    }
    mark_load(&how);
    Ok((
        finish(id, loader, total, named)?,
        Some(PendingDigest::browser(digest)),
    ))
}

/// The page's `crypto.subtle`, where there is one (secure contexts only).
fn subtle_crypto() -> Option<JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle = Reflect::get(&crypto, &"subtle".into()).ok()?;
    (!subtle.is_undefined() && !subtle.is_null()).then_some(subtle)
}

/// Lower-case hex SHA-256 (FIPS 180-4) of a file from the promise of its digest: the digest
/// worker's answer, started by [`read`] ([`digest`]), or the parse helper's
/// ([`parallel::request_hash`]); `None` if there is none or it failed (the caller then hashes
/// in wasm here, [`digest::sha256_streaming`]). All give the same digest (the e2e overview test
/// checks it against Node's `crypto`).
async fn digest_of(pending: Option<Promise>) -> Option<String> {
    let out = wasm_bindgen_futures::JsFuture::from(pending?).await.ok()?;
    // The parse helper answers `{ job, digest }`, the digest worker the digest itself.
    let out = Reflect::get(&out, &"digest".into())
        .ok()
        .filter(JsValue::is_object)
        .unwrap_or(out);
    let bytes = Uint8Array::new(&out).to_vec();
    (bytes.len() == 32).then(|| analysis::hex(&bytes))
}

/// Read the whole `blob` once and start `crypto.subtle.digest("SHA-256", …)` of it (the
/// browser hashes off this thread); the bytes and the digest's promise, or `None` where the
/// digest is not offered or fails (the caller then reads slices and hashes in wasm).
fn start_digest(reader: &FileReaderSync, blob: &Blob) -> Option<(js_sys::ArrayBuffer, Promise)> {
    let subtle = subtle_crypto()?;
    let buffer = reader.read_as_array_buffer(blob).ok()?;
    let digest: Function = Reflect::get(&subtle, &"digest".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let promise = digest
        .call2(&subtle, &"SHA-256".into(), &buffer)
        .ok()?
        .dyn_into()
        .ok()?;
    Some((buffer, promise))
}
