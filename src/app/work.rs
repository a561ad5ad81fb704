//! The page's half of the off-thread work: sends loads and analyses to the worker
//! ([`crate::web::client`]), takes its answers into [`AppState`], shows progress with a
//! Cancel button, and cancels by restarting the worker and returning to the last state whose
//! analysis had finished (its files are read again in the background from the same `Blob`s).
//!
//! If the worker dies (a wasm trap, e.g. out of memory), the page does what a cancel does,
//! then says so in words ([`WorkerFailure`]) and offers to retry what was in flight.
//!
//! Answers are matched to the latest request of their kind by id; older ones are ignored.
//! While an analysis of the same file(s) runs, the previous `report` stays on screen, dimmed and
//! marked busy (`aria-busy`, an "Updating…" badge, `data-busy` on the app root), so a settings
//! change does not flash every view's empty state; a new file clears it and shows progress.
//!
//! Each analysis is answered twice for the same id: a provisional report first (its `pending`
//! names what is still coming), shown at once, then the complete one, swapped in without
//! clearing anything ([`complete`]; `data-complete` on the app root). Exports and sign-off wait
//! for the complete report; a cancel returns to the last complete one.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::Blob;

use super::thresholds::ExactSweep;
use super::{AnalyzeParams, AppState, Phase};
use crate::core::catalog::group_thousands;
use crate::core::error::ErrorKind;
use crate::core::protocol::{FromWorker, ToWorker, Which, WorkPhase};
use crate::core::report::{ColumnMapping, Report, Settings, WindowSpec};
use crate::core::stream::FileSummary;
use crate::web::client::{self, SweepParts};

/// What the worker last said about the request in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// What is being done.
    pub phase: WorkPhase,
    /// Bytes read so far.
    pub bytes_read: u64,
    /// The file's size (0 when not reading).
    pub bytes_total: u64,
    /// Records parsed so far.
    pub rows: u64,
}

/// Everything needed to return to a finished state after a cancel.
#[derive(Clone)]
struct Snapshot {
    file: Arc<FileSummary>,
    current_file: Option<Arc<FileSummary>>,
    window: WindowSpec,
    mapping: ColumnMapping,
    settings: Settings,
    report: Option<Result<Arc<Report>, String>>,
    answered: Option<AnalyzeParams>,
    sweep: Option<(String, ExactSweep)>,
    bootstrap_auto_off: bool,
}

/// What the worker was doing when it died, to do again on Retry.
#[derive(Clone)]
enum Retry {
    /// Read this blob as the `which` file.
    Load(Which, Blob, String),
    /// Ask for this analysis again.
    Analyze(Box<AnalyzeParams>),
}

/// The worker died (see [`client::CrashHandler`]): the words shown, and whether Retry is
/// offered. Provided as context by [`install`].
#[derive(Clone, Copy)]
pub struct WorkerCrash(pub RwSignal<Option<(String, bool)>>);

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    static RETRY: RefCell<Option<Retry>> = const { RefCell::new(None) };
    /// The crash signal, for code that runs outside the component tree (a load's start).
    static CRASH: Cell<Option<WorkerCrash>> = const { Cell::new(None) };
    /// The latest analysis sent: its id and what it was asked for.
    static LATEST: RefCell<Option<(u64, AnalyzeParams)>> = const { RefCell::new(None) };
    /// The blobs of loads, by load id (to read a file again after a cancel).
    static BLOBS: RefCell<HashMap<u64, (Blob, String)>> = RefCell::new(HashMap::new());
    static SNAPSHOT: RefCell<Option<Snapshot>> = const { RefCell::new(None) };
    /// Bumped by each cancel, so a fetch that finishes after it is dropped.
    static EPOCH: Cell<u64> = const { Cell::new(0) };
}

fn next_id() -> u64 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    })
}

/// The memory guard's limit from the page's `?memory_limit=` (bytes), if given; otherwise
/// the worker uses [`crate::core::stream::MEMORY_LIMIT_BYTES`].
fn memory_limit() -> Option<u64> {
    crate::web::query_param("memory_limit").and_then(|v| v.trim().parse().ok())
}

/// Start the worker and the effect that asks it for a report whenever the inputs change.
pub fn install(state: AppState) {
    let crash = WorkerCrash(RwSignal::new(None));
    provide_context(crash);
    CRASH.with(|c| c.set(Some(crash)));
    client::start(
        Rc::new(move |message, sweep| on_answer(state, message, sweep)),
        // Not from inside the worker's event: the recovery replaces that worker.
        Rc::new(move |what| spawn_local(async move { on_crash(state, crash, what) })),
    );
    Effect::new(move |_| {
        let wanted = state.wanted.get();
        let loading = state.loading.get();
        match wanted {
            None => {
                let waiting_for_current = state.file.with(|f| f.is_some())
                    && state.window.with(|w| *w == WindowSpec::TwoFiles);
                state.report.set(waiting_for_current.then(|| {
                    Err("Choose the current window's file to compare two files.".to_string())
                }));
            }
            Some(params) => {
                if loading.is_some() || state.answered.get_untracked().as_ref() == Some(&params) {
                    return;
                }
                // Same file(s): the previous report stays on screen, dimmed, until this answer
                // lands (see `super::stale`). A new file has no previous numbers to show.
                let same_files = state.answered.with_untracked(|a| {
                    a.as_ref().is_some_and(|a| {
                        a.reference == params.reference && a.current == params.current
                    })
                });
                state.cancelled.set(false);
                if !same_files {
                    state.report.set(None);
                }
                state.progress.set(Some(Progress {
                    phase: WorkPhase::Analysing,
                    bytes_read: 0,
                    bytes_total: 0,
                    rows: 0,
                }));
                send_analyze(state, params);
            }
        }
    });
}

/// Ask the worker for the analysis `params` (the latest: earlier answers are ignored).
fn send_analyze(state: AppState, params: AnalyzeParams) {
    let id = next_id();
    let have_sweep = state
        .sweep
        .with_untracked(|s| s.as_ref().map(|(k, _)| k.clone()));
    let message = ToWorker::Analyze {
        id,
        mapping: params.mapping.clone(),
        settings: params.settings.clone(),
        window: params.window.clone(),
        now: Some(js_sys::Date::now() / 1000.0),
        have_sweep,
    };
    LATEST.with(|l| *l.borrow_mut() = Some((id, params)));
    if let Err(e) = client::send(&message, None) {
        state.report.set(Some(Err(e)));
    }
}

/// Hand a file (or a fetched blob) to the worker as the `which` file.
pub fn load_blob(state: AppState, which: Which, blob: Blob, name: String) {
    if which == Which::Current && state.file.with_untracked(|f| f.is_none()) {
        state.phase.set(Phase::Failed(
            ErrorKind::Other,
            "Load the reference file first, then the current file.".to_string(),
        ));
        return;
    }
    state.cancelled.set(false);
    if let Some(crash) = CRASH.with(Cell::get) {
        crash.0.set(None);
    }
    let id = next_id();
    state.phase.set(Phase::Loading(format!("Reading {name}…")));
    state.progress.set(Some(Progress {
        phase: WorkPhase::Reading,
        bytes_read: 0,
        bytes_total: blob.size() as u64,
        rows: 0,
    }));
    state.loading.set(Some((id, which)));
    BLOBS.with(|b| b.borrow_mut().insert(id, (blob.clone(), name.clone())));
    let message = ToWorker::Load {
        id,
        which,
        name,
        memory_limit: memory_limit(),
    };
    if let Err(e) = client::send(&message, Some(&blob)) {
        state.loading.set(None);
        state.phase.set(Phase::Failed(ErrorKind::Other, e));
    }
}

/// Fetch a log by URL (the demo, or `?data=`) and hand it to the worker.
pub fn load_url(state: AppState, url: String, name: String) {
    state.cancelled.set(false);
    state.phase.set(Phase::Loading(format!("Fetching {name}…")));
    state.progress.set(None);
    let epoch = EPOCH.with(Cell::get);
    spawn_local(async move {
        let result = crate::web::fetch_blob(&url).await;
        if EPOCH.with(Cell::get) != epoch {
            return;
        }
        match result {
            Ok(blob) => load_blob(state, Which::Reference, blob, name),
            Err(e) => state.phase.set(Phase::Failed(ErrorKind::Other, e)),
        }
    });
}

fn on_answer(state: AppState, message: FromWorker, sweep: Option<SweepParts>) {
    let latest = LATEST.with(|l| l.borrow().clone());
    let loading = state.loading.get_untracked();
    match message {
        FromWorker::Ready => {}
        FromWorker::Progress {
            id,
            phase,
            bytes_read,
            bytes_total,
            rows,
        } => {
            let active =
                loading.map(|(l, _)| l) == Some(id) || latest.as_ref().map(|(l, _)| *l) == Some(id);
            if active {
                state.progress.set(Some(Progress {
                    phase,
                    bytes_read,
                    bytes_total,
                    rows,
                }));
            }
        }
        FromWorker::Loaded { id, which, summary } => {
            if loading.map(|(l, _)| l) != Some(id) {
                return;
            }
            state.loading.set(None);
            state.progress.set(None);
            accept_summary(state, which, summary);
        }
        FromWorker::Fingerprint { id, which, sha256 } => state.fingerprinted(id, which, sha256),
        FromWorker::Columns { id, which, summary } => state.columns_read(id, which, summary),
        FromWorker::Report {
            id,
            report,
            sweep_key,
        } => {
            let Some((_, params)) = latest.filter(|(l, _)| *l == id) else {
                return;
            };
            match (sweep_key, sweep) {
                (Some(key), Some(s)) => {
                    let sweep = ExactSweep::new(s);
                    if state
                        .window
                        .with_untracked(super::thresholds::sweep_applies)
                    {
                        sweep.decode_when_idle();
                    }
                    state.sweep.set(Some((key, sweep)));
                }
                (Some(key), None)
                    if state
                        .sweep
                        .with_untracked(|s| s.as_ref().map(|(k, _)| k) == Some(&key)) => {}
                _ => state.sweep.set(None),
            }
            // Its charts draw after the views it rebuilds are painted, one per task.
            super::pacing::deliver_report(|| finish_analysis(state, params, Ok(Arc::new(*report))));
        }
        FromWorker::Error {
            id,
            which,
            message,
            error_kind,
        } => match which {
            Some(which) => {
                // A load fails while it reads, or after its answer if the file then cannot be
                // read for its fingerprint (it changed or vanished on disk).
                let slot = match which {
                    Which::Reference => state.file,
                    Which::Current => state.current_file,
                };
                let loaded = slot.with_untracked(|f| f.as_ref().map(|f| f.load_id)) == Some(id);
                let in_flight = loading.map(|(l, _)| l) == Some(id);
                if !in_flight && !loaded {
                    return;
                }
                if in_flight {
                    state.loading.set(None);
                    state.progress.set(None);
                }
                if which == Which::Reference || loaded {
                    slot.set(None);
                }
                state.phase.set(Phase::Failed(error_kind, message));
            }
            None if id == 0 => {
                state.loading.set(None);
                state.progress.set(None);
                state.phase.set(Phase::Failed(error_kind, message));
            }
            None => {
                if let Some((_, params)) = latest.filter(|(l, _)| *l == id) {
                    finish_analysis(state, params, Err(message));
                }
            }
        },
    }
}

/// A file the worker read: make it the active log (or the current window's file).
fn accept_summary(state: AppState, which: Which, summary: FileSummary) {
    let rows = summary.rows;
    match which {
        Which::Reference => {
            let sha256 = untrack(|| state.sha256_of(&summary));
            state.limit_bootstrap(rows);
            // A new log starts alone: the old split or second file may not fit it.
            state.current_file.set(None);
            state.window.set(WindowSpec::All);
            state.sweep.set(None);
            // Bucket widths on offer depend on the log's time span; edits on its levels.
            if state
                .settings
                .with_untracked(|s| s.ops_granularity.is_some())
            {
                state.settings.update(|s| s.ops_granularity = None);
            }
            state.ops_levels.set(None);
            state.mapping.set(summary.detected.clone());
            state.file.set(Some(Arc::new(summary)));
            if let Some(shared) = state.pending_share.get_untracked() {
                state.pending_share.set(None);
                state.apply_share(&shared, sha256.as_deref());
            }
        }
        Which::Current => {
            state.limit_bootstrap(rows);
            state.current_file.set(Some(Arc::new(summary)));
            state.window.set(WindowSpec::TwoFiles);
        }
    }
    state.phase.set(Phase::Loaded);
}

fn finish_analysis(state: AppState, params: AnalyzeParams, result: Result<Arc<Report>, String>) {
    state.progress.set(None);
    state.report.set(Some(result));
    state.answered.set(Some(params.clone()));
    let Some(file) = state.file.get_untracked() else {
        return;
    };

    let snapshot = Snapshot {
        file,
        current_file: state.current_file.get_untracked(),
        window: params.window,
        mapping: params.mapping,
        settings: params.settings,
        report: state.report.get_untracked(),
        answered: state.answered.get_untracked(),
        sweep: state.sweep.get_untracked(),
        bootstrap_auto_off: state.bootstrap_auto_off.get_untracked(),
    };
    // Keep only the blobs a cancel could need: the snapshot's and a load in flight.
    let mut keep = vec![snapshot.file.load_id];
    keep.extend(snapshot.current_file.as_ref().map(|f| f.load_id));
    keep.extend(state.loading.get_untracked().map(|(id, _)| id));
    BLOBS.with(|b| b.borrow_mut().retain(|id, _| keep.contains(id)));
    SNAPSHOT.with(|s| *s.borrow_mut() = Some(snapshot));
}

/// Cancel the work in flight: restart the worker and return to the last finished state (its
/// files are read again from their blobs, quietly), or to the empty page.
pub fn cancel(state: AppState) {
    EPOCH.with(|e| e.set(e.get() + 1));
    client::restart();
    LATEST.with(|l| *l.borrow_mut() = None);
    state.loading.set(None);
    state.progress.set(None);
    state.cancelled.set(true);
    match SNAPSHOT.with(|s| s.borrow().clone()) {
        Some(snap) => {
            let mut reload = vec![(Which::Reference, snap.file.load_id)];
            reload.extend(
                snap.current_file
                    .as_ref()
                    .map(|f| (Which::Current, f.load_id)),
            );
            for (which, load_id) in reload {
                if let Some((blob, name)) = BLOBS.with(|b| b.borrow().get(&load_id).cloned()) {
                    let _ = client::send(
                        &ToWorker::Load {
                            id: next_id(),
                            which,
                            name,
                            memory_limit: memory_limit(),
                        },
                        Some(&blob),
                    );
                }
            }
            state.bootstrap_auto_off.set(snap.bootstrap_auto_off);
            // A provisional report: ask the restarted worker (after the reloads, in order)
            // for it again, so its complete pass still lands.
            let provisional = snap
                .report
                .as_ref()
                .is_some_and(|r| matches!(r, Ok(r) if !r.is_complete()));
            state.sweep.set(snap.sweep);
            if let (true, Some(params)) = (provisional, snap.answered.clone()) {
                send_analyze(state, params);
            }
            state.report.set(snap.report);
            state.answered.set(snap.answered);
            state.file.set(Some(snap.file));
            state.current_file.set(snap.current_file);
            state.mapping.set(snap.mapping);
            state.settings.set(snap.settings);
            state.window.set(snap.window);
            state.phase.set(Phase::Loaded);
        }
        None => {
            state.file.set(None);
            state.current_file.set(None);
            state.report.set(None);
            state.answered.set(None);
            state.sweep.set(None);
            state.phase.set(Phase::Idle);
        }
    }
}

/// The worker died: note what it was doing (to retry), restart it and return to the last
/// finished state as a cancel does, then say so in words with a Retry button.
fn on_crash(state: AppState, crash: WorkerCrash, what: String) {
    let loading = state.loading.get_untracked();
    let latest = LATEST.with(|l| l.borrow().clone());
    let has_snapshot = SNAPSHOT.with(|s| s.borrow().is_some());
    let blob_of = |id: u64| BLOBS.with(|b| b.borrow().get(&id).cloned());
    let retry = match (loading, latest) {
        (Some((id, which)), _) => blob_of(id).map(|(b, n)| Retry::Load(which, b, n)),
        (None, Some((_, params))) if has_snapshot => Some(Retry::Analyze(Box::new(params))),
        // The first analysis of a file: read the file again (which analyses it).
        (None, Some((_, params))) => {
            blob_of(params.reference).map(|(b, n)| Retry::Load(Which::Reference, b, n))
        }
        (None, None) => None,
    };
    let doing = match &retry {
        Some(Retry::Load(_, _, name)) => format!(" while reading {name}"),
        Some(Retry::Analyze(_)) => " while computing the report".to_string(),
        None => String::new(),
    };
    cancel(state);
    state.cancelled.set(false);
    let restored = if has_snapshot {
        " The last finished analysis is shown again."
    } else {
        ""
    };
    let message = format!(
        "The background worker stopped{doing} ({what}). The likeliest cause is that it ran out \
         of memory: a browser tab gives it at most 4 GiB. It was restarted.{restored} Retry, or \
         load a summary file (see README \"Summary input\") or a sample of the rows."
    );
    let can_retry = retry.is_some();
    RETRY.with(|r| *r.borrow_mut() = retry);
    state
        .phase
        .set(Phase::Failed(ErrorKind::Other, message.clone()));
    crash.0.set(Some((message, can_retry)));
}

/// Do again what the worker was doing when it died.
fn retry(state: AppState, crash: WorkerCrash) {
    crash.0.set(None);
    match RETRY.with(|r| r.borrow_mut().take()) {
        Some(Retry::Load(which, blob, name)) => load_blob(state, which, blob, name),
        Some(Retry::Analyze(params)) => {
            let params = *params;
            state.phase.set(Phase::Loaded);
            state.window.set(params.window);
            state.mapping.set(params.mapping);
            state.settings.set(params.settings);
        }
        None => {}
    }
}

/// The worker died: what happened, in words, and Retry (shown until the next load).
#[component]
pub fn WorkerFailure() -> impl IntoView {
    let state = expect_context::<AppState>();
    let crash = expect_context::<WorkerCrash>();
    move || {
        crash.0.get().map(|(message, can_retry)| {
            view! {
                <div class="worker-failure" role="alert" data-testid="worker-failure">
                    <span class="worker-failure-text">{message}</span>
                    {can_retry.then(|| view! {
                        <button class="button small" type="button" data-testid="worker-retry"
                            on:click=move |_| retry(state, crash)>
                            "Retry"
                        </button>
                    })}
                </div>
            }
        })
    }
}

/// A failure in words, in the main area: the status pill has room for one line only, and a
/// refusal (a file too large for the tab, a file that is not a log) is several sentences that
/// say what to do next. Not shown when the worker died ([`WorkerFailure`] says so, with Retry).
#[component]
pub fn ErrorPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let crash = expect_context::<WorkerCrash>();
    move || {
        let Phase::Failed(kind, message) = state.phase.get() else {
            return None;
        };
        if crash.0.with(|c| c.is_some()) {
            return None;
        }
        Some(view! {
            <section class="failure-panel" data-testid="failure-panel" aria-labelledby="failure-panel-title">
                <h2 id="failure-panel-title">{kind.heading()}</h2>
                <p class="failure-panel-text">{message}</p>
            </section>
        })
    }
}

/// Whether the report on screen is final: answered for the current inputs and complete (not a
/// provisional first answer), its charts drawn (see `pacing`), or an error. Exports, sign-off
/// and `data-complete` follow this.
pub fn complete(state: AppState) -> bool {
    !busy(state)
        && !super::pacing::drawing()
        && state.report.with(|r| match r {
            Some(Ok(r)) => r.is_complete(),
            Some(Err(_)) => true,
            None => false,
        })
}

/// Whether a provisional report is on screen while its complete pass runs in the worker.
pub fn completing(state: AppState) -> bool {
    !busy(state)
        && state
            .report
            .with(|r| matches!(r, Some(Ok(r)) if !r.is_complete()))
}

/// Whether work is in flight (a file loading, or an analysis not yet answered).
pub fn busy(state: AppState) -> bool {
    matches!(state.phase.get(), Phase::Loading(_))
        || state
            .wanted
            .get()
            .is_some_and(|w| state.answered.with(|a| a.as_ref() != Some(&w)))
}

fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// What the progress panel says at one moment (recomputed on each progress message).
#[derive(Debug, Clone, PartialEq)]
struct ProgressWords {
    phase: &'static str,
    progress: Progress,
    percent: Option<f64>,
    words: String,
}

fn progress_words(state: AppState) -> ProgressWords {
    let loading = matches!(state.phase.get(), Phase::Loading(_));
    let p = state.progress.get();
    let phase = match (p, loading) {
        (Some(p), _) => p.phase.key(),
        (None, true) => "fetching",
        (None, false) => "analysing",
    };
    let p = p.unwrap_or(Progress {
        phase: WorkPhase::Analysing,
        bytes_read: 0,
        bytes_total: 0,
        rows: 0,
    });
    let percent = (p.bytes_total > 0).then(|| {
        (100.0 * p.bytes_read as f64 / p.bytes_total as f64)
            .round()
            .clamp(0.0, 100.0)
    });
    let words = match phase {
        "fetching" => "Fetching the file…".to_string(),
        "reading" => format!(
            "Reading {} of {} · {} rows",
            human_bytes(p.bytes_read),
            human_bytes(p.bytes_total),
            group_thousands(p.rows as i64)
        ),
        "finishing" => format!("Typing columns of {} rows…", group_thousands(p.rows as i64)),
        _ => "Computing the report…".to_string(),
    };
    ProgressWords {
        phase,
        progress: p,
        percent,
        words,
    }
}

/// The progress bar and Cancel button, shown while work is in flight (after a short delay in
/// CSS, so quick work does not flash it). The panel is built once per piece of work and only
/// its words and bar follow the progress messages: rebuilt on every message, its Cancel button
/// was replaced under the pointer many times a second and a click could miss it.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown = Memo::new(move |_| busy(state));
    let now = Memo::new(move |_| progress_words(state));
    move || {
        shown.get().then(|| {
            view! {
                <div class="progress" data-testid="progress"
                    data-phase=move || now.with(|n| n.phase)
                    data-bytes=move || now.with(|n| n.progress.bytes_read.to_string())
                    data-total=move || now.with(|n| n.progress.bytes_total.to_string())
                    data-rows=move || now.with(|n| n.progress.rows.to_string())>
                    <div class="progress-track" role="progressbar" aria-label="Work in progress"
                        aria-valuemin="0" aria-valuemax="100"
                        aria-valuenow=move || now.with(|n| n.percent.map(|v| v.to_string()))
                        aria-valuetext=move || now.with(|n| n.words.clone())>
                        <div class="progress-fill"
                            class:indeterminate=move || now.with(|n| n.percent.is_none())
                            style=move || now.with(|n| format!("width: {}%", n.percent.unwrap_or(100.0)))></div>
                    </div>
                    <span class="progress-text">{move || now.with(|n| n.words.clone())}</span>
                    <button class="button small" type="button" data-testid="cancel"
                        on:click=move |_| cancel(state)>
                        "Cancel"
                    </button>
                </div>
            }
        })
    }
}
