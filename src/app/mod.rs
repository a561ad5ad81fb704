//! The Leptos workbench: a sidebar for data and settings, and views that render the
//! [`Report`]. Components do no statistics: every number comes from the report that
//! [`crate::core::analysis`] builds, which is also what the JSON export and the CLI emit.

mod calibration;
mod canvas_backend;
mod chart;
mod compare;
mod curves;
mod diagnosis;
mod empty;
mod models;
mod operations;
mod overview;
mod pacing;
mod quality;
mod sidebar;
mod signoff;
mod thresholds;
mod timeline;
mod work;

use std::collections::BTreeMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::core::error::ErrorKind;
use crate::core::protocol::Which;
use crate::core::report::{ColumnMapping, Report, Settings, WindowReport, WindowSpec};
use crate::core::share::{self, ShareState};
use crate::core::stream::FileSummary;

/// Rows above which bootstrap intervals are switched off on load (they take long, though in
/// the worker they no longer block the page).
pub const LARGE_LOG_ROWS: u64 = 100_000;

/// Where the workbench is in its life cycle; mirrored on `data-testid="status"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Nothing loaded yet.
    Idle,
    /// Reading or parsing a file (the text says which).
    Loading(String),
    /// A file could not be used at all: what sort of failure (it chooses the failure panel's
    /// heading) and, in words, why.
    Failed(ErrorKind, String),
    /// A file is loaded; the report (or the reason it cannot be computed) is in `report`.
    Loaded,
}

/// The workbench's state, shared by context. Signals are `Copy`, so this is too.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The log being reviewed (the reference window when two files are compared); its rows
    /// stay in the worker.
    pub file: RwSignal<Option<Arc<FileSummary>>>,
    /// The current window's file when two files are compared (read with `mapping`).
    pub current_file: RwSignal<Option<Arc<FileSummary>>>,
    /// How rows become windows: one log alone, two files, or a split of one file.
    pub window: RwSignal<WindowSpec>,
    /// Set when bootstrap intervals were switched off because a file was large.
    pub bootstrap_auto_off: RwSignal<bool>,
    /// Column roles: detected on load, editable.
    pub mapping: RwSignal<ColumnMapping>,
    /// Binning, threshold and interval settings.
    pub settings: RwSignal<Settings>,
    /// Life-cycle phase.
    pub phase: RwSignal<Phase>,
    /// The latest analysis the worker answered (kept on screen while a newer one runs).
    pub report: RwSignal<Option<Result<Arc<Report>, String>>>,
    /// Rows per time bucket of the loaded log (`report.time_histogram`), kept while a split is
    /// typed (an incomplete split is an analysis error) or analysed, as long as the file and its
    /// timestamp column are unchanged.
    pub time_histogram: Memo<Option<Arc<crate::core::timeline::TimeHistogram>>>,
    /// What the report should be computed for now (`None` without a file, or when two files
    /// are compared and the second is missing).
    pub wanted: Memo<Option<AnalyzeParams>>,
    /// What `report` was computed for; `wanted != answered` means an analysis is in flight.
    pub answered: RwSignal<Option<AnalyzeParams>>,
    /// The exact threshold sweep the worker sent for the whole log, with its key.
    pub sweep: RwSignal<Option<(String, thresholds::ExactSweep)>>,
    /// The load in flight: its request id and which file it is.
    pub loading: RwSignal<Option<(u64, Which)>>,
    /// Progress of the work in flight.
    pub progress: RwSignal<Option<work::Progress>>,
    /// Set when the user cancelled; cleared by the next load.
    pub cancelled: RwSignal<bool>,
    /// The active view.
    pub tab: RwSignal<Tab>,
    /// Settings from a share link (or this browser's last review), applied to the next file.
    pub pending_share: RwSignal<Option<ShareState>>,
    /// Acceptance gates the reviewer edited or loaded (`None`: the default set for the windows).
    pub gates: RwSignal<Option<Vec<crate::core::gates::Gate>>>,
    /// What happened to a share link: (`pending` | `match` | `mismatch` | `restored` | `error`, words).
    pub share_notice: RwSignal<Option<(&'static str, String)>>,
    /// Alert levels edited in the Operations view, with the proposal they were edited from.
    pub ops_levels: RwSignal<operations::EditedLevels>,
    /// Alert levels from a share link, applied to the Operations view's proposal when it is
    /// next shown (the proposal needs the report), then cleared.
    pub shared_levels: RwSignal<Option<Vec<share::SharedLevel>>>,
    /// Fingerprints (SHA-256) that arrived after their file's summary, by load id: the worker
    /// answers a load before the browser finished hashing the file ([`AppState::sha256_of`]).
    pub fingerprints: RwSignal<BTreeMap<u64, String>>,
    /// The fingerprint an applied share link was made for, while the loaded file's is still
    /// being computed (the notice then says whether they match).
    pub share_expects: RwSignal<Option<String>>,
}

/// The inputs of one analysis: which loads, windows, roles and settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeParams {
    /// Load id of the reference file.
    pub reference: u64,
    /// Load id of the current file, when two files are compared.
    pub current: Option<u64>,
    /// How rows become windows.
    pub window: WindowSpec,
    /// Column roles.
    pub mapping: ColumnMapping,
    /// Settings.
    pub settings: Settings,
}

/// The browser window's width, so charts redraw at their new size after a resize.
#[derive(Clone, Copy)]
pub struct Viewport {
    /// `window.innerWidth` in CSS pixels.
    pub width: RwSignal<f64>,
}

/// The views of the main area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Headline metrics, row accounting and the reliability diagram.
    Overview,
    /// The two windows: their definition, drift per column and label shift.
    Compare,
    /// The reliability diagram large, with the calibration statistics explained.
    Calibration,
    /// Metrics against the decision threshold, the confusion matrix, costs, ROC and PR.
    Thresholds,
    /// Data-quality checks and per-segment calibration.
    Quality,
    /// Ranked causes of a calibration change between the windows.
    Diagnosis,
    /// Request rate, latency, errors and predictions over time; alert levels and exports.
    Operations,
    /// Acceptance gates, the reviewer's decision and the report exports.
    SignOff,
    /// Champion vs challenger score columns on the same rows.
    Models,
}

impl Tab {
    /// Every tab, in tab-bar order.
    pub const ALL: [Tab; 9] = [
        Tab::Overview,
        Tab::Calibration,
        Tab::Thresholds,
        Tab::Models,
        Tab::Operations,
        Tab::Compare,
        Tab::Quality,
        Tab::Diagnosis,
        Tab::SignOff,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Calibration => "Calibration",
            Tab::Thresholds => "Thresholds",
            Tab::Compare => "Compare",
            Tab::Quality => "Quality",
            Tab::Diagnosis => "Diagnosis",
            Tab::Operations => "Operations",
            Tab::SignOff => "Sign-off",
            Tab::Models => "Models",
        }
    }

    /// Stable key for `data-testid="tab-<key>"` and element ids.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Calibration => "calibration",
            Tab::Thresholds => "thresholds",
            Tab::Compare => "compare",
            Tab::Quality => "quality",
            Tab::Diagnosis => "diagnosis",
            Tab::Operations => "operations",
            Tab::SignOff => "signoff",
            Tab::Models => "models",
        }
    }
}

/// The share notice for a loaded file of fingerprint `sha256` under a link made for
/// `expected` (`None`: the link carried no fingerprint).
fn share_check(expected: Option<&str>, sha256: &str) -> (&'static str, String) {
    match expected {
        Some(expected) if expected == sha256 => (
            "match",
            "The loaded file matches the link's fingerprint (SHA-256): this is the reviewed data."
                .to_string(),
        ),
        Some(expected) => (
            "mismatch",
            format!(
                "The loaded file does not match the link's fingerprint: the link was made for SHA-256 {}…, this file is {}…. The settings are applied, but the numbers may differ from the review.",
                expected.chars().take(12).collect::<String>(),
                sha256.chars().take(12).collect::<String>()
            ),
        ),
        None => ("match", "Review settings applied.".to_string()),
    }
}

impl AppState {
    fn new() -> Self {
        let file: RwSignal<Option<Arc<FileSummary>>> = RwSignal::new(None);
        let current_file: RwSignal<Option<Arc<FileSummary>>> = RwSignal::new(None);
        let window = RwSignal::new(WindowSpec::All);
        let mapping = RwSignal::new(ColumnMapping::default());
        let settings = RwSignal::new(Settings::default());
        let wanted = Memo::new(move |_| {
            let reference = file.with(|f| f.as_ref().map(|f| f.load_id))?;
            let window = window.get();
            let current = match window {
                WindowSpec::TwoFiles => Some(current_file.with(|f| f.as_ref().map(|f| f.load_id))?),
                _ => None,
            };
            Some(AnalyzeParams {
                reference,
                current,
                window,
                mapping: mapping.get(),
                settings: settings.get(),
            })
        });
        let report: RwSignal<Option<Result<Arc<Report>, String>>> = RwSignal::new(None);
        type Keyed = Option<(
            u64,
            Option<String>,
            Arc<crate::core::timeline::TimeHistogram>,
        )>;
        let keyed = Memo::new(move |previous: Option<&Keyed>| {
            let load = file.with(|f| f.as_ref().map(|f| f.load_id))?;
            let column = mapping.with(|m| m.timestamp.clone());
            match report.get() {
                Some(Ok(r)) => r
                    .time_histogram
                    .clone()
                    .map(|h| (load, column, Arc::new(h))),
                _ => previous
                    .cloned()
                    .flatten()
                    .filter(|(l, c, _)| *l == load && *c == column),
            }
        });
        // Memos are lazy: read this one on every change so it remembers while nobody shows it.
        Effect::new(move |_| keyed.track());
        let time_histogram = Memo::new(move |_| keyed.get().map(|(_, _, h)| h));
        Self {
            file,
            current_file,
            window,
            bootstrap_auto_off: RwSignal::new(false),
            mapping,
            settings,
            phase: RwSignal::new(Phase::Idle),
            report,
            time_histogram,
            wanted,
            answered: RwSignal::new(None),
            sweep: RwSignal::new(None),
            loading: RwSignal::new(None),
            progress: RwSignal::new(None),
            cancelled: RwSignal::new(false),
            tab: RwSignal::new(Tab::Overview),
            pending_share: RwSignal::new(None),
            gates: RwSignal::new(None),
            share_notice: RwSignal::new(None),
            ops_levels: RwSignal::new(None),
            shared_levels: RwSignal::new(None),
            fingerprints: RwSignal::new(BTreeMap::new()),
            share_expects: RwSignal::new(None),
        }
    }

    /// A loaded file's SHA-256: in its summary, or arrived later by load id
    /// ([`AppState::fingerprints`]); `None` while the browser is still hashing it. Tracked.
    pub fn sha256_of(&self, file: &FileSummary) -> Option<String> {
        if !file.sha256.is_empty() {
            return Some(file.sha256.clone());
        }
        self.fingerprints.with(|f| f.get(&file.load_id).cloned())
    }

    /// Record the fingerprint the worker sent after load `load_id`'s summary, and finish an
    /// applied share link's check if it waited for the log's.
    pub(crate) fn fingerprinted(&self, load_id: u64, which: Which, sha256: String) {
        let is_log = which == Which::Reference
            && self
                .file
                .with_untracked(|f| f.as_ref().map(|f| f.load_id) == Some(load_id));
        self.fingerprints.update(|f| {
            f.insert(load_id, sha256.clone());
        });
        if is_log && let Some(expected) = self.share_expects.get_untracked() {
            self.share_expects.set(None);
            self.share_notice
                .set(Some(share_check(Some(&expected), &sha256)));
        }
    }

    /// Take the whole file's summary the worker sent after load `load_id`'s first one (a
    /// log parsed in two steps: the first summary gave some columns as `pending`). Nothing
    /// else is reset: the report on screen stays, and the roles too unless they were the
    /// first summary's detected ones and the whole file detects others.
    pub(crate) fn columns_read(&self, load_id: u64, which: Which, summary: FileSummary) {
        let slot = match which {
            Which::Reference => self.file,
            Which::Current => self.current_file,
        };
        let Some(old) = slot.get_untracked().filter(|f| f.load_id == load_id) else {
            return;
        };
        if which == Which::Reference
            && summary.detected != old.detected
            && self.mapping.with_untracked(|m| *m == old.detected)
        {
            self.mapping.set(summary.detected.clone());
        }
        slot.set(Some(Arc::new(summary)));
    }

    /// Apply a share link's settings to the file just loaded, and say whether its fingerprint
    /// matches the one the link was made for (once it is known: `sha256` is `None` while the
    /// browser hashes the file, and [`AppState::fingerprinted`] says it then).
    pub(crate) fn apply_share(&self, shared: &ShareState, sha256: Option<&str>) {
        self.mapping.set(shared.mapping.clone());
        let mut settings = shared.settings.clone();
        // A second file cannot travel in a link: the user loads it, which selects two files.
        let window = match &settings.window {
            WindowSpec::TwoFiles => WindowSpec::All,
            w => w.clone(),
        };
        settings.window = window.clone();
        self.settings.set(settings);
        self.window.set(window);
        self.gates.set(shared.gates.clone());
        self.shared_levels.set(shared.alert_levels.clone());
        if let Some(tab) = Tab::ALL.into_iter().find(|t| t.key() == shared.tab) {
            self.tab.set(tab);
        }
        let expected = shared.file_sha256.as_deref();
        if let (Some(expected), None) = (expected, sha256) {
            self.share_expects.set(Some(expected.to_string()));
            self.share_notice.set(Some((
                "pending",
                "Review settings applied; checking the file against the link's fingerprint (SHA-256)…".to_string(),
            )));
        } else {
            self.share_expects.set(None);
            let notice = share_check(expected, sha256.unwrap_or_default());
            self.share_notice.set(Some(notice));
        }
    }

    /// The review's settings as a share-link fragment (no data: only roles, settings, the view
    /// and the file's fingerprint).
    /// `None` while the file's fingerprint is being computed: a link without it could not be
    /// checked against the file it was made for.
    pub fn share_fragment(&self) -> Option<String> {
        let file = self.file.get_untracked()?;
        let sha256 = untrack(|| self.sha256_of(&file))?;
        let mut settings = self.settings.get_untracked();
        settings.window = self.window.get_untracked();
        Some(share::encode(&ShareState {
            v: share::VERSION,
            file_sha256: Some(sha256),
            mapping: self.mapping.get_untracked(),
            settings,
            tab: self.tab.get_untracked().key().to_string(),
            gates: self.gates.get_untracked(),
            // The levels edited here, else those of a link not yet applied (the Operations
            // view was not opened since).
            alert_levels: self
                .ops_levels
                .with_untracked(|e| {
                    e.as_ref()
                        .map(|(_, levels)| levels.iter().map(share::SharedLevel::of).collect())
                })
                .or_else(|| self.shared_levels.get_untracked()),
        }))
    }

    /// Large logs: switch bootstrap intervals off (they would take long).
    pub(crate) fn limit_bootstrap(&self, rows: u64) {
        if rows > LARGE_LOG_ROWS && self.settings.with_untracked(|s| s.bootstrap > 0) {
            self.settings.update(|s| s.bootstrap = 0);
            self.bootstrap_auto_off.set(true);
        }
    }

    /// The status element's state: `idle`, `loading`, `ready` or `error`, and its message.
    pub fn status(&self) -> (&'static str, String) {
        let cancelled = if self.cancelled.get() {
            "Loading cancelled. "
        } else {
            ""
        };
        let in_flight = self
            .wanted
            .get()
            .is_some_and(|w| self.answered.with(|a| a.as_ref() != Some(&w)));
        let (state, text) = match self.phase.get() {
            Phase::Idle => ("idle", "Load a prediction log to begin.".to_string()),
            Phase::Loading(msg) => return ("loading", msg),
            Phase::Failed(_, msg) => return ("error", msg),
            Phase::Loaded if in_flight => return ("loading", "Analysing…".to_string()),
            Phase::Loaded => match self.report.get() {
                Some(Ok(r)) => match (&r.windows.reference, &r.windows.current) {
                    (Some(a), Some(b)) => (
                        "ready",
                        format!(
                            "Compared {} reference rows with {} current rows.",
                            crate::core::catalog::group_thousands(a.n as i64),
                            crate::core::catalog::group_thousands(b.n as i64)
                        ),
                    ),
                    _ => {
                        let n = r.windows.all.as_ref().map(|w| w.n).unwrap_or_default();
                        (
                            "ready",
                            format!(
                                "Analysed {} rows.",
                                crate::core::catalog::group_thousands(n as i64)
                            ),
                        )
                    }
                },
                Some(Err(msg)) => return ("error", msg),
                None => ("loading", "Analysing…".to_string()),
            },
        };
        (state, format!("{cancelled}{text}"))
    }
}

/// Whether the views show a previous report while a newer analysis of the same file(s) runs
/// (they are dimmed and marked busy until it lands).
pub fn stale(state: AppState) -> bool {
    work::busy(state) && state.report.with(Option::is_some)
}

/// The window the views show: the current window of a comparison, or the whole log.
pub fn primary_window(report: &Report) -> WindowReport {
    report
        .windows
        .current
        .clone()
        .or_else(|| report.windows.all.clone())
        .unwrap_or_default()
}

/// The reference window of a comparison, if two windows are active.
pub fn reference_window(report: &Report) -> Option<WindowReport> {
    report
        .windows
        .current
        .as_ref()
        .and(report.windows.reference.clone())
}

/// Local-storage key of the review in progress (settings only).
const REVIEW_KEY: &str = "plumb.review";

/// Mount the workbench on the page's body.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    pacing::install();
    let state = AppState::new();
    provide_context(state);
    thresholds::provide_sweep(state);
    work::install(state);
    let inner_width = || {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|v| v.as_f64())
            .unwrap_or(1280.0)
    };
    let viewport = Viewport {
        width: RwSignal::new(inner_width()),
    };
    provide_context(viewport);
    let _resize = window_event_listener(leptos::ev::resize, move |_| {
        viewport.width.set(inner_width())
    });

    // `?data=<url>` loads a log from the same static host (published demos, dashboards).
    // A share link's settings (the fragment never reaches a server), else this browser's last
    // review; either is applied to the next file loaded.
    let hash = crate::web::location_hash();
    if hash.len() > 1 {
        match share::decode(&hash) {
            Ok(shared) => {
                state.pending_share.set(Some(shared));
                state.share_notice.set(Some((
                    "pending",
                    "This link carries review settings: load the file it was made for.".to_string(),
                )));
            }
            Err(e) => state.share_notice.set(Some((
                "error",
                format!("{e}. The defaults are used instead."),
            ))),
        }
    } else if let Some(saved) = crate::web::local_get(REVIEW_KEY)
        && let Ok(shared) = share::decode(&saved)
    {
        state.pending_share.set(Some(shared));
        state.share_notice.set(Some((
            "restored",
            "Your last review's settings (kept in this browser, never the data) will be applied to the next file you load.".to_string(),
        )));
    }
    // Keep the review in progress across reloads: settings only, never data.
    Effect::new(move |_| {
        let _ = (
            state.file.get(),
            state.fingerprints.get(),
            state.mapping.get(),
            state.settings.get(),
            state.window.get(),
            state.tab.get(),
            state.gates.get(),
        );
        if let Some(fragment) = state.share_fragment() {
            crate::web::local_set(REVIEW_KEY, &fragment);
        }
    });

    if let Some(url) = crate::web::query_param("data") {
        sidebar::load_url(state, url);
    }

    // Automation: `data-report-id` on the app root changes each time a report lands (or is
    // cleared), `data-busy` says whether work is in flight; tests wait on both before reading
    // numbers after a change (until then the previous report is on screen).
    let report_id = RwSignal::new(0u64);
    Effect::new(move |_| {
        state.report.track();
        report_id.update(|n| *n += 1);
    });
    // Busy also while the report's charts wait for their turn to draw (`pacing`; alone in
    // `data-drawing`, which also covers the charts of a view just opened).
    let busy = Memo::new(move |_| work::busy(state) || pacing::drawing());
    let is_stale = Memo::new(move |_| stale(state));
    // `data-complete`: "false" while a provisional first answer is shown (or nothing final
    // yet), "true" once the complete report (or an error) is on screen, charts drawn; tests
    // and the benchmark wait on it.
    let complete = Memo::new(move |_| work::complete(state));
    let completing = Memo::new(move |_| work::completing(state));
    // What the active tab still waits for: its view shows "computing…" until it lands (a Memo,
    // so the view is rebuilt only when this changes, not on every report).
    let waiting = Memo::new(move |_| {
        let tab = state.tab.get();
        state.report.with(|r| match r {
            Some(Ok(r)) => tab_waits_for(tab, r),
            _ => Vec::new(),
        })
    });

    view! {
        <div class="shell" data-testid="app"
            data-report-id=move || report_id.get().to_string()
            data-busy=move || busy.get().to_string()
            data-complete=move || complete.get().to_string()
            data-drawing=move || pacing::drawing().to_string()>
            <header class="topbar">
                <div class="brand">
                    <span class="logo" aria-hidden="true"></span>
                    <span class="name">"Plumb"</span>
                    <span class="tagline">"model audit workbench"</span>
                </div>
                <StatusPill/>
                // Beside the status, in the sticky top bar: clear of the tabs at every width,
                // of the progress panel's Cancel, and in view however far the page is scrolled.
                <div class="updating-anchor">
                    {move || is_stale.get().then(|| view! {
                        <div class="updating-badge" data-testid="updating" aria-hidden="true">
                            <span class="spinner"></span>"Updating…"
                        </div>
                    })}
                    {move || completing.get().then(|| view! {
                        <div class="updating-badge" data-testid="completing" role="status">
                            <span class="spinner"></span>"Computing intervals and checks…"
                        </div>
                    })}
                </div>
                <div class="privacy" title="All parsing and statistics run in this tab, in WebAssembly. Nothing is uploaded.">
                    "Your data never leaves this browser"
                </div>
            </header>
            <div class="body">
                <sidebar::Sidebar/>
                <main class="main" id="main">
                    <work::ProgressPanel/>
                    <work::WorkerFailure/>
                    <work::ErrorPanel/>
                    <TabBar/>
                    <div class="tab-panel" role="tabpanel" class:stale=move || is_stale.get()
                        aria-busy=move || is_stale.get().to_string()
                        id=move || format!("panel-{}", state.tab.get().key())
                        aria-labelledby=move || format!("tab-{}", state.tab.get().key())>
                        {move || {
                            let keys = waiting.get();
                            if !keys.is_empty() {
                                return view! { <Computing keys=keys/> }.into_any();
                            }
                            match state.tab.get() {
                            Tab::Overview => view! { <overview::Overview/> }.into_any(),
                            Tab::Calibration => view! { <calibration::Calibration/> }.into_any(),
                            Tab::Thresholds => view! { <thresholds::Thresholds/> }.into_any(),
                            Tab::Compare => view! { <compare::Compare/> }.into_any(),
                            Tab::Quality => view! { <quality::Quality/> }.into_any(),
                            Tab::Diagnosis => view! { <diagnosis::DiagnosisView/> }.into_any(),
                            Tab::Operations => view! { <operations::OperationsView/> }.into_any(),
                            Tab::SignOff => view! { <signoff::SignOffView/> }.into_any(),
                            Tab::Models => view! { <models::Models/> }.into_any(),
                            }
                        }}
                    </div>
                </main>
            </div>
        </div>
    }
}

/// The pending parts of `report` that `tab` shows (its whole view waits for them): the views of
/// the first answer (Overview, Calibration, Thresholds) wait for nothing and mark their few
/// pending numbers themselves; Sign-off waits for the complete report.
pub fn tab_waits_for(tab: Tab, report: &Report) -> Vec<String> {
    use crate::core::report::pending;
    let keys: &[&str] = match tab {
        Tab::Overview | Tab::Calibration | Tab::Thresholds => &[],
        Tab::Models => &[pending::MODELS],
        Tab::Operations => &[pending::OPERATIONS],
        Tab::Compare => &[pending::DRIFT, pending::TIMELINE, pending::LABEL_SHIFT],
        Tab::Quality => &[pending::QUALITY, pending::SEGMENTS],
        Tab::Diagnosis => &[pending::DIAGNOSIS, pending::RECALIBRATION],
        Tab::SignOff => return report.pending.clone(),
    };
    keys.iter()
        .filter(|k| report.is_pending(k))
        .map(|k| k.to_string())
        .collect()
}

/// A view whose numbers are still being computed (the complete pass): says so, never shows
/// them as missing.
#[component]
fn Computing(keys: Vec<String>) -> impl IntoView {
    view! {
        <div class="empty computing" data-testid="computing" data-pending=keys.join(" ")
            role="status">
            <span class="spinner" aria-hidden="true"></span>
            <h2>"Computing…"</h2>
            <p class="hint">"The headline numbers are shown in Overview, Calibration and                 Thresholds; this view follows as soon as the complete report is ready."</p>
        </div>
    }
}

/// The view tabs: a WAI-ARIA tablist (arrow keys, Home and End move between tabs). Hidden
/// until a file is loaded, so the welcome page stays uncluttered.
#[component]
fn TabBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let loaded = Memo::new(move |_| state.file.with(|f| f.is_some()));
    let select = move |tab: Tab, focus: bool| {
        state.tab.set(tab);
        if focus
            && let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&format!("tab-{}", tab.key())))
            && let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el)
        {
            let _ = el.focus();
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let now = state.tab.get_untracked();
        let i = Tab::ALL.iter().position(|t| *t == now).unwrap_or(0);
        let n = Tab::ALL.len();
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return,
        };
        ev.prevent_default();
        select(Tab::ALL[next], true);
    };
    let tab_button = move |tab: Tab| {
        let selected = move || state.tab.get() == tab;
        view! {
            <button class="tab" role="tab" type="button"
                id=format!("tab-{}", tab.key())
                data-testid=format!("tab-{}", tab.key())
                aria-controls=format!("panel-{}", tab.key())
                aria-selected=move || selected().to_string()
                tabindex=move || if selected() { "0" } else { "-1" }
                class:active=selected
                on:click=move |_| select(tab, false)>
                {tab.label()}
            </button>
        }
    };
    // Two groups: the single-window views, and the review of a comparison. Arrow keys, Home
    // and End move across both, as one row of tabs.
    move || {
        loaded.get().then(|| {
            view! {
                <nav class="tabs" aria-label="Views and review" on:keydown=on_key>
                    <div class="tab-group" role="tablist" aria-label="Views">
                        {Tab::ALL[..3].iter().map(|t| tab_button(*t)).collect_view()}
                    </div>
                    <div class="tab-group review" role="tablist" aria-label="Review">
                        {Tab::ALL[3..].iter().map(|t| tab_button(*t)).collect_view()}
                    </div>
                </nav>
            }
        })
    }
}

/// The status pill: the automation contract's `data-testid="status"`.
#[component]
fn StatusPill() -> impl IntoView {
    let state = expect_context::<AppState>();
    // `ready` once the report's charts are drawn too (`pacing`): until then the state stays
    // what it was (a report replaced by a newer one keeps its words), or says it analyses.
    let status = Memo::new(move |previous: Option<&(&'static str, String)>| {
        let now = state.status();
        if now.0 != "ready" || !pacing::drawing() {
            return now;
        }
        match previous {
            Some(p) if p.0 == "ready" => p.clone(),
            _ => ("loading", "Analysing…".to_string()),
        }
    });
    view! {
        <div
            class="status"
            data-testid="status"
            data-state=move || status.get().0
            title=move || (status.get().0 == "error").then(|| status.get().1)
            role="status"
            aria-live="polite"
        >
            <span class="dot" aria-hidden="true"></span>
            <span class="text">{move || status.get().1}</span>
        </div>
    }
}

/// The text of one field of `settings`, for a number input's `prop:value`. A memo changes only
/// when that field does: a closure over the whole signal would rewrite every such input on any
/// change of the settings (another field, or the report's echo), wiping what the user has
/// typed into one and not yet committed.
pub(crate) fn settings_field(
    settings: RwSignal<Settings>,
    text: impl Fn(&Settings) -> String + Send + Sync + 'static,
) -> Memo<String> {
    Memo::new(move |_| settings.with(&text))
}
