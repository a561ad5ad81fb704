//! The sidebar: load data (drop, pick, demo), see what was read, map column roles, choose
//! settings, export.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{AppState, Phase, settings_field, work};
use crate::core::catalog::group_thousands;
use crate::core::error::ErrorKind;
use crate::core::protocol::Which;
use crate::core::report::{
    BinStrategy, ColumnMapping, InputFormat, IntervalMethod, ScoreTransform, WindowSpec,
};

/// The bundled demo log, relative to the page so the site works from any sub-path.
const DEMO_URL: &str = "demo.csv";

/// Hand the first file of a `FileList` to the worker (it reads the file in chunks).
fn load_first_file(state: AppState, files: Option<web_sys::FileList>) {
    let Some(file) = files.and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    work::load_blob(state, Which::Reference, file.into(), name);
}

/// Fetch a log by URL (the demo, or `?data=`) and hand it to the worker.
pub fn load_url(state: AppState, url: String) {
    let name = url
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("data.csv")
        .split(['?', '#'])
        .next()
        .unwrap_or("data.csv")
        .to_string();
    work::load_url(state, url, name);
}

/// The whole sidebar.
#[component]
pub fn Sidebar() -> impl IntoView {
    view! {
        <aside class="sidebar" aria-label="Data and settings">
            <DataPanel/>
            <FileSummary/>
            <ColumnsPanel/>
            <WindowsPanel/>
            <SettingsPanel/>
            <ExportPanel/>
        </aside>
    }
}

/// Drop zone, file picker and the demo button.
#[component]
fn DataPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        load_first_file(state, ev.data_transfer().and_then(|dt| dt.files()));
    };
    let on_change = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(input) = input {
            load_first_file(state, input.files());
            // Allow choosing the same file again.
            input.set_value("");
        }
    };
    view! {
        <section class="panel">
            <h2>"Data"</h2>
            <div
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <p class="drop-title">"Drop a prediction log here"</p>
                <p class="hint">"CSV or TSV (optionally .gz), Parquet or Arrow IPC — one row per prediction: a score, the label that came later, and any other columns."</p>
                <label class="button primary file-button">
                    "Choose file…"
                    <input
                        type="file"
                        data-testid="file-input"
                        accept=".csv,.tsv,.txt,.gz,.csv.gz,.tsv.gz,.parquet,.arrow,.arrows,.feather,.ipc,text/csv,text/tab-separated-values"
                        on:change=on_change
                    />
                </label>
                <button
                    class="button"
                    data-testid="load-demo"
                    on:click=move |_| load_url(state, DEMO_URL.to_string())
                >
                    "Try the demo"
                </button>
            </div>
            {move || state.share_notice.get().map(|(kind, text)| view! {
                <p class=format!("share-notice {kind}") data-testid="share-notice" data-kind=kind role="status">{text}</p>
            })}
        </section>
    }
}

/// What was read: name, size, fingerprint, dialect, rows used and excluded.
#[component]
fn FileSummary() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let file = state.file.get()?;
        let dialect = &file.dialect;
        let delimiter = match dialect.delimiter.as_str() {
            "\t" => "tab".to_string(),
            d => format!("“{d}”"),
        };
        let mut traits = vec![match dialect.format {
            InputFormat::Delimited => format!("{delimiter}-separated"),
            InputFormat::Parquet => "Parquet".to_string(),
            InputFormat::ArrowIpc => "Arrow IPC".to_string(),
        }];
        if dialect.gzip {
            traits.push("gzip".into());
        }
        if dialect.bom {
            traits.push("BOM removed".into());
        }
        let warnings = file.warnings.clone();
        // Its fingerprint may arrive after it (the browser hashes the file beside the parse).
        let sha = {
            let file = file.clone();
            Signal::derive(move || state.sha256_of(&file))
        };
        // A summary file's lines are per-cell counts, not rows.
        let rows_label = if file.is_summary() {
            "Summary lines"
        } else {
            "Rows"
        };
        Some(view! {
            <section class="panel file-summary" data-testid="file-summary">
                <h2>"File"</h2>
                <p class="file-name" title=file.name.clone()>{file.name.clone()}</p>
                <dl class="facts">
                    <dt>"Size"</dt><dd>{human_bytes(file.bytes)}</dd>
                    <dt>{rows_label}</dt><dd data-testid="file-rows">{group_thousands(file.rows as i64)}</dd>
                    <dt>"Format"</dt><dd data-testid="file-format">{traits.join(", ")}</dd>
                    <dt>"SHA-256"</dt>
                    <dd class="mono" data-testid="file-sha256" title=move || sha.get().unwrap_or_default()>
                        {move || match sha.get() {
                            Some(sha) => format!("{}…", sha.chars().take(16).collect::<String>()),
                            None => "computing…".to_string(),
                        }}
                    </dd>
                </dl>
                {(!warnings.is_empty()).then(|| view! {
                    <ul class="warnings">
                        {warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                    </ul>
                })}
            </section>
        })
    }
}

fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// Column roles, detected on load and editable.
#[component]
fn ColumnsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let file = state.file.get()?;
        let columns: Vec<String> = file.column_names();
        // A summary file's columns are fixed by its format: no roles to choose.
        if file.is_summary() {
            return Some(view! {
                <section class="panel" data-testid="columns-panel">
                    <h2>"Columns"</h2>
                    <p class="hint" data-testid="summary-columns-note">
                        "A summary file (plumb_summary/v1): its columns are fixed by the format — \
                         counts and sums per score cell, window, segment and label — so there are \
                         no score, label or challenger columns to choose. See README \"Summary input\"."
                    </p>
                </section>
            }
            .into_any());
        }
        let mapping = state.mapping.get();
        let classes = mapping
            .label
            .as_deref()
            .map(|label| file.label_classes(label))
            .unwrap_or_default();
        let features = mapping.features.join(", ");
        let segments = mapping.segments.join(", ");
        Some(view! {
            <section class="panel" data-testid="columns-panel">
                <h2>"Columns"</h2>
                <RoleSelect label="Score" testid="role-score" columns=columns.clone()
                    get=|m: &ColumnMapping| m.score.clone()
                    set=|m: &mut ColumnMapping, v| {
                        m.challengers.retain(|c| Some(c) != v.as_ref());
                        m.score = v;
                    } />
                <div class="field">
                    <label for="score-transform">"Score is"</label>
                    <select id="score-transform" data-testid="score-transform"
                        on:change=move |ev| {
                            let t = match event_target_value(&ev).as_str() {
                                "percent" => ScoreTransform::Percent,
                                "logit" => ScoreTransform::Logit,
                                _ => ScoreTransform::Identity,
                            };
                            state.mapping.update(|m| m.score_transform = t);
                        }>
                        <option value="identity" selected=mapping.score_transform == ScoreTransform::Identity>"a probability in [0, 1]"</option>
                        <option value="percent" selected=mapping.score_transform == ScoreTransform::Percent>"a percentage (÷ 100)"</option>
                        <option value="logit" selected=mapping.score_transform == ScoreTransform::Logit>"a logit (sigmoid)"</option>
                    </select>
                </div>
                <Challengers columns=columns.clone() file=file.clone()/>
                <RoleSelect label="Label" testid="role-label" columns=columns.clone()
                    get=|m: &ColumnMapping| m.label.clone()
                    set=|m: &mut ColumnMapping, v| {
                        m.challengers.retain(|c| Some(c) != v.as_ref());
                        m.label = v;
                        m.positive_label = None;
                    } />
                <div class="field">
                    <label for="positive-class">"Positive class"</label>
                    <select id="positive-class" data-testid="positive-class"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            state.mapping.update(|m| m.positive_label = Some(v));
                        }>
                        {classes.into_iter().map(|c| {
                            let selected = mapping.positive_label.as_deref() == Some(c.as_str());
                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <RoleSelect label="Timestamp" testid="role-timestamp" columns=columns.clone()
                    get=|m: &ColumnMapping| m.timestamp.clone()
                    set=|m: &mut ColumnMapping, v| m.timestamp = v />
                <RoleSelect label="Model version" testid="role-model-version" columns=columns.clone()
                    get=|m: &ColumnMapping| m.model_version.clone()
                    set=|m: &mut ColumnMapping, v| m.model_version = v />
                <RoleSelect label="Decision" testid="role-decision" columns=columns.clone()
                    get=|m: &ColumnMapping| m.decision.clone()
                    set=|m: &mut ColumnMapping, v| m.decision = v />
                <RoleSelect label="Prediction id" testid="role-id" columns=columns.clone()
                    get=|m: &ColumnMapping| m.id.clone()
                    set=|m: &mut ColumnMapping, v| m.id = v />
                <RoleSelect label="Latency (ms)" testid="role-latency" columns=columns.clone()
                    get=|m: &ColumnMapping| m.latency.clone()
                    set=|m: &mut ColumnMapping, v| set_ops_role(m, v, true) />
                <RoleSelect label="Status / error" testid="role-status" columns=columns
                    get=|m: &ColumnMapping| m.status.clone()
                    set=|m: &mut ColumnMapping, v| set_ops_role(m, v, false) />
                <dl class="facts small">
                    <dt>"Segments"</dt><dd data-testid="role-segments">{if segments.is_empty() { "—".to_string() } else { segments }}</dd>
                    <dt>"Features"</dt><dd data-testid="role-features">{if features.is_empty() { "—".to_string() } else { features }}</dd>
                </dl>
            </section>
        }
        .into_any())
    }
}

/// Assign the latency (`latency`) or status column; a column so used is no longer a feature
/// (drift and missing rates are about model inputs, not serving metadata).
fn set_ops_role(m: &mut ColumnMapping, v: Option<String>, latency: bool) {
    if let Some(name) = &v {
        m.features.retain(|f| f != name);
    }
    if latency {
        m.latency = v;
    } else {
        m.status = v;
    }
}

/// Checkboxes choosing the challenger score columns (numeric columns not playing another
/// role: not the score, label, timestamp, id, decision, model version, latency or status — an
/// epoch timestamp or a latency in milliseconds is numeric but no model's score), compared
/// with the champion score in the Models view; beside each chosen one, a select of its own
/// score transform (`challenger-transform-<column>`).
#[component]
fn Challengers(
    columns: Vec<String>,
    file: std::sync::Arc<crate::core::stream::FileSummary>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let mapping = state.mapping.get_untracked();
    let candidates: Vec<String> = columns
        .into_iter()
        .filter(|c| {
            let other_role = [
                &mapping.score,
                &mapping.label,
                &mapping.timestamp,
                &mapping.id,
                &mapping.decision,
                &mapping.model_version,
                &mapping.latency,
                &mapping.status,
            ]
            .iter()
            .any(|role| role.as_deref() == Some(c.as_str()));
            (!other_role || mapping.challengers.contains(c))
                && file
                    .columns
                    .iter()
                    .any(|col| &col.name == c && col.kind == "numeric")
        })
        .collect();
    let empty = candidates.is_empty();
    // A log read in two steps: its other columns' kinds come with the complete report.
    let pending = file
        .columns
        .iter()
        .any(|col| col.kind == crate::core::stream::PENDING_KIND);
    let order = candidates.clone();
    view! {
        <fieldset class="field challengers" data-testid="role-challengers">
            <legend>"Challengers (other models' scores)"</legend>
            {(empty && !pending).then(|| view! { <p class="hint">"No other numeric column."</p> })}
            {pending.then(|| view! {
                <p class="hint" data-testid="columns-pending">"Reading the other columns…"</p>
            })}
            {candidates.into_iter().map(|c| {
                let checked = mapping.challengers.contains(&c);
                let transform = mapping.challenger_transform(&c);
                let name = c.clone();
                let column = c.clone();
                let order = order.clone();
                view! {
                    <div class="challenger-row">
                    <label class="check">
                        <input type="checkbox" data-testid=format!("challenger-{c}")
                            prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                state.mapping.update(|m| {
                                    m.challengers.retain(|x| x != &name);
                                    if on {
                                        m.challengers.push(name.clone());
                                        m.challengers.sort_by_key(|x| order.iter().position(|o| o == x));
                                    }
                                });
                            } />
                        " " {c.clone()}
                    </label>
                    {checked.then(|| view! {
                        <select class="challenger-transform"
                            data-testid=format!("challenger-transform-{c}")
                            aria-label=format!("{c} is")
                            on:change=move |ev| {
                                let t = match event_target_value(&ev).as_str() {
                                    "percent" => ScoreTransform::Percent,
                                    "logit" => ScoreTransform::Logit,
                                    _ => ScoreTransform::Identity,
                                };
                                state.mapping.update(|m| m.set_challenger_transform(&column, t));
                            }>
                            <option value="identity" selected=transform == ScoreTransform::Identity>"probability"</option>
                            <option value="percent" selected=transform == ScoreTransform::Percent>"percent (÷ 100)"</option>
                            <option value="logit" selected=transform == ScoreTransform::Logit>"logit"</option>
                        </select>
                    })}
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// A labelled select that assigns one column (or none) to a role.
#[component]
fn RoleSelect(
    label: &'static str,
    testid: &'static str,
    columns: Vec<String>,
    get: fn(&ColumnMapping) -> Option<String>,
    set: fn(&mut ColumnMapping, Option<String>),
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = state.mapping.with_untracked(get);
    view! {
        <div class="field">
            <label for=testid>{label}</label>
            <select id=testid data-testid=testid
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let v = if v.is_empty() { None } else { Some(v) };
                    state.mapping.update(|m| set(m, v));
                }>
                <option value="" selected=current.is_none()>"(none)"</option>
                {columns.into_iter().map(|c| {
                    let selected = current.as_deref() == Some(c.as_str());
                    view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// Hand the current window's file to the worker (compared with the loaded one).
fn load_current_file(state: AppState, files: Option<web_sys::FileList>) {
    let Some(file) = files.and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    work::load_blob(state, Which::Current, file.into(), name);
}

/// The mode key of a window spec, for the mode picker.
pub(super) fn mode_key(spec: &WindowSpec) -> &'static str {
    match spec {
        WindowSpec::All => "all",
        WindowSpec::TwoFiles => "two_files",
        WindowSpec::SplitAt { .. } => "split_at",
        WindowSpec::SplitFraction { .. } => "split_fraction",
        WindowSpec::SplitColumn { .. } => "split_column",
    }
}

/// Defining the two windows: a second file, or a split of the loaded one by time, by
/// fraction of rows in time order, or by a column's value.
#[component]
fn WindowsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let window = state.window;
    let set_mode = move |key: String| {
        let file = state.file.get_untracked();
        let mapping = state.mapping.get_untracked();
        let spec = match key.as_str() {
            "two_files" => WindowSpec::TwoFiles,
            "split_fraction" => WindowSpec::SplitFraction { fraction: 0.5 },
            // Start at the bucket boundary in the middle of the log's time span, so both
            // windows have rows and the histogram is there to click on.
            "split_at" => WindowSpec::SplitAt {
                timestamp: state
                    .report
                    .with_untracked(|r| match r {
                        Some(Ok(r)) => r.time_histogram.clone().map(std::sync::Arc::new),
                        _ => None,
                    })
                    .or_else(|| state.time_histogram.get_untracked())
                    .and_then(|h| h.starts.get(h.starts.len() / 2).copied())
                    .map(crate::core::timeline::datetime_local)
                    .unwrap_or_default(),
            },
            "split_column" => {
                let column = mapping
                    .model_version
                    .clone()
                    .or_else(|| mapping.segments.first().cloned())
                    .unwrap_or_default();
                let values = file
                    .as_ref()
                    .filter(|_| !column.is_empty())
                    .map(|f| f.label_classes(&column))
                    .unwrap_or_default();
                WindowSpec::SplitColumn {
                    column,
                    reference: values.first().cloned().unwrap_or_default(),
                    current: values.get(1).cloned().unwrap_or_default(),
                }
            }
            _ => WindowSpec::All,
        };
        window.set(spec);
    };
    let on_current = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(input) = input {
            load_current_file(state, input.files());
            input.set_value("");
        }
    };
    move || {
        let file = state.file.get()?;
        // A summary file carries its own windows (its window_name column): nothing to choose.
        if file.is_summary() {
            return Some(
                view! {
                    <section class="panel" data-testid="windows-panel">
                        <h2>"Compare"</h2>
                        <p class="hint" data-testid="summary-windows-note">
                            "The summary file's own windows are compared: its window_name column \
                             (reference and current, or one window)."
                        </p>
                    </section>
                }
                .into_any(),
            );
        }
        let columns = file.column_names();
        let spec = window.get();
        let mode = mode_key(&spec);
        let details = match spec.clone() {
            WindowSpec::All => view! {
                <p class="hint">"The whole log is one window. Pick a comparison to see drift and a diagnosis."</p>
            }
            .into_any(),
            WindowSpec::TwoFiles => {
                let current = state.current_file.get();
                view! {
                    <p class="hint" data-testid="current-file-name">{match current {
                        Some(f) => format!("Current: {} ({} rows), read with the reference file's column roles.", f.name, group_thousands(f.rows as i64)),
                        None => "Choose the current window's file below.".to_string(),
                    }}</p>
                }
                .into_any()
            }
            WindowSpec::SplitAt { timestamp } => view! {
                <div class="field">
                    <label for="split-timestamp">"Reference is before"</label>
                    <input id="split-timestamp" type="datetime-local" step="1" data-testid="split-timestamp"
                        prop:value=timestamp
                        on:change=move |ev| {
                            let t = event_target_value(&ev);
                            window.set(WindowSpec::SplitAt { timestamp: t });
                        } />
                    <p class="hint">"UTC. Rows at or after this time are the current window. Or click the histogram: the split moves to the nearest bucket boundary."</p>
                </div>
                <TimeHistogramPicker/>
            }
            .into_any(),
            WindowSpec::SplitFraction { fraction } => view! {
                <div class="field">
                    <label for="split-fraction">"Reference share of rows (time order)"</label>
                    <input id="split-fraction" type="number" min="0.01" max="0.99" step="0.01"
                        data-testid="split-fraction"
                        prop:value=fraction.to_string()
                        on:change=move |ev| {
                            if let Ok(f) = event_target_value(&ev).trim().parse::<f64>()
                                && f.is_finite()
                            {
                                window.set(WindowSpec::SplitFraction { fraction: f.clamp(0.01, 0.99) });
                            }
                        } />
                </div>
            }
            .into_any(),
            WindowSpec::SplitColumn { column, reference, current } => {
                let values = if column.is_empty() {
                    Vec::new()
                } else {
                    file.label_classes(&column)
                };
                let col_for_ref = column.clone();
                let col_for_cur = column.clone();
                let cur_for_ref = current.clone();
                let ref_for_cur = reference.clone();
                let file_for_col = file.clone();
                view! {
                    <div class="field">
                        <label for="split-column">"Column"</label>
                        <select id="split-column" data-testid="split-column"
                            on:change=move |ev| {
                                let c = event_target_value(&ev);
                                let vals = file_for_col.label_classes(&c);
                                window.set(WindowSpec::SplitColumn {
                                    column: c,
                                    reference: vals.first().cloned().unwrap_or_default(),
                                    current: vals.get(1).cloned().unwrap_or_default(),
                                });
                            }>
                            <option value="" selected=column.is_empty()>"(choose)"</option>
                            {columns.iter().map(|c| view! {
                                <option value=c.clone() selected=*c == column>{c.clone()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for="split-reference">"Reference ="</label>
                            <select id="split-reference" data-testid="split-reference"
                                on:change=move |ev| window.set(WindowSpec::SplitColumn {
                                    column: col_for_ref.clone(),
                                    reference: event_target_value(&ev),
                                    current: cur_for_ref.clone(),
                                })>
                                {values.iter().map(|v| view! {
                                    <option value=v.clone() selected=*v == reference>{v.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="split-current">"Current ="</label>
                            <select id="split-current" data-testid="split-current"
                                on:change=move |ev| window.set(WindowSpec::SplitColumn {
                                    column: col_for_cur.clone(),
                                    reference: ref_for_cur.clone(),
                                    current: event_target_value(&ev),
                                })>
                                {values.iter().map(|v| view! {
                                    <option value=v.clone() selected=*v == current>{v.clone()}</option>
                                }).collect_view()}
                            </select>
                        </div>
                    </div>
                }
                .into_any()
            }
        };
        Some(view! {
            <section class="panel" data-testid="windows-panel">
                <h2>"Compare"</h2>
                <div class="field">
                    <label for="window-mode">"Windows"</label>
                    <select id="window-mode" data-testid="window-mode"
                        on:change=move |ev| set_mode(event_target_value(&ev))>
                        <option value="all" selected=mode == "all">"one log, no comparison"</option>
                        <option value="two_files" selected=mode == "two_files">"two files"</option>
                        <option value="split_at" selected=mode == "split_at">"split at a time"</option>
                        <option value="split_fraction" selected=mode == "split_fraction">"split by share of rows"</option>
                        <option value="split_column" selected=mode == "split_column">"split by a column's value"</option>
                    </select>
                </div>
                {details}
                <label class="button file-button small">
                    "Current file…"
                    <input type="file" data-testid="file-input-current"
                        accept=".csv,.tsv,.txt,.gz,.csv.gz,.tsv.gz,.parquet,.arrow,.arrows,.feather,.ipc,text/csv,text/tab-separated-values"
                        on:change=on_current />
                </label>
            </section>
        }
        .into_any())
    }
}

/// Binning, threshold and interval settings.
#[component]
fn SettingsPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let bins = settings_field(settings, |s| s.bins.to_string());
    let threshold = settings_field(settings, |s| s.threshold.to_string());
    let bootstrap = settings_field(settings, |s| s.bootstrap.to_string());
    view! {
        <section class="panel">
            <h2>"Settings"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="bins-input">"Bins"</label>
                    <input id="bins-input" type="number" min="2" max="100" step="1"
                        data-testid="bins-input"
                        prop:value=move || bins.get()
                        on:change=move |ev| {
                            if let Ok(b) = event_target_value(&ev).trim().parse::<usize>() {
                                settings.update(|s| s.bins = b.clamp(2, 100));
                            }
                        } />
                </div>
                <div class="field">
                    <label for="strategy-select">"Binning"</label>
                    <select id="strategy-select" data-testid="strategy-select"
                        on:change=move |ev| {
                            let strategy = if event_target_value(&ev) == "quantile" { BinStrategy::Quantile } else { BinStrategy::Uniform };
                            settings.update(|s| s.strategy = strategy);
                        }>
                        <option value="uniform" selected=move || settings.with(|s| s.strategy == BinStrategy::Uniform)>"equal width"</option>
                        <option value="quantile" selected=move || settings.with(|s| s.strategy == BinStrategy::Quantile)>"equal mass"</option>
                    </select>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="threshold-input">"Threshold"</label>
                    <input id="threshold-input" type="number" min="0" max="1" step="0.01"
                        data-testid="threshold-input"
                        prop:value=move || threshold.get()
                        on:change=move |ev| {
                            if let Ok(t) = event_target_value(&ev).trim().parse::<f64>()
                                && t.is_finite()
                            {
                                settings.update(|s| s.threshold = t.clamp(0.0, 1.0));
                            }
                        } />
                </div>
                <div class="field">
                    <label for="interval-select">"Bin intervals"</label>
                    <select id="interval-select" data-testid="interval-select"
                        on:change=move |ev| {
                            let m = if event_target_value(&ev) == "wilson" { IntervalMethod::Wilson } else { IntervalMethod::ClopperPearson };
                            settings.update(|s| s.interval = m);
                        }>
                        <option value="clopper_pearson" selected=move || settings.with(|s| s.interval == IntervalMethod::ClopperPearson)>"Clopper–Pearson"</option>
                        <option value="wilson" selected=move || settings.with(|s| s.interval == IntervalMethod::Wilson)>"Wilson"</option>
                    </select>
                </div>
            </div>
            <div class="field">
                <label for="bootstrap-input">"Bootstrap resamples"</label>
                <input id="bootstrap-input" type="number" min="0" max="2000" step="50"
                    data-testid="bootstrap-input"
                    prop:value=move || bootstrap.get()
                    on:change=move |ev| {
                        if let Ok(b) = event_target_value(&ev).trim().parse::<usize>() {
                            state.bootstrap_auto_off.set(false);
                            settings.update(|s| s.bootstrap = b.min(2000));
                        }
                    } />
                {move || state.bootstrap_auto_off.get().then(|| view! {
                    <p class="hint warn-text" data-testid="bootstrap-off-note">
                        "Bootstrap intervals are off: this log has more than 100,000 rows and they would take long (in the background; the page stays responsive). Set resamples above 0 to turn them back on."
                    </p>
                })}
            </div>
        </section>
    }
}

/// Downloads of the analysis.
#[component]
fn ExportPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Not while a newer analysis runs in the worker (the export would be the previous one),
    // nor while a provisional report waits for its complete pass: exports are complete.
    let ready = move || matches!(state.report.get(), Some(Ok(_))) && work::complete(state);
    let share_url: RwSignal<Option<String>> = RwSignal::new(None);
    let export_json = move |_| {
        if let Some(Ok(report)) = state.report.get_untracked()
            && report.is_complete()
        {
            match crate::core::analysis::report_json(&report) {
                Ok(json) => {
                    let stem = report
                        .input
                        .files
                        .first()
                        .map(|f| f.name.split('.').next().unwrap_or("report").to_string())
                        .unwrap_or_else(|| "report".into());
                    if let Err(e) = crate::web::download(
                        &format!("{stem}.plumb.json"),
                        "application/json",
                        &json,
                    ) {
                        state.phase.set(Phase::Failed(
                            ErrorKind::Export,
                            format!("Export failed: {e}"),
                        ));
                    }
                }
                Err(e) => state.phase.set(Phase::Failed(
                    ErrorKind::Export,
                    format!("Export failed: {e}"),
                )),
            }
        }
    };
    view! {
        <section class="panel">
            <h2>"Export"</h2>
            <button class="button" data-testid="export-json" disabled=move || !ready() on:click=export_json>
                "Download report (JSON)"
            </button>
            <p class="hint">"Schema plumb.report/v1 — the same file the command-line tool writes."</p>
            <button class="button" data-testid="share-link" disabled=move || !ready()
                on:click=move |_| {
                    if let Some(fragment) = state.share_fragment() {
                        share_url.set(crate::web::set_location_hash(&fragment));
                    }
                }>
                "Share link"
            </button>
            {move || share_url.get().map(|url| view! {
                <input class="share-url" type="text" readonly aria-label="Share link"
                    data-testid="share-url" prop:value=url />
                <p class="hint">"The link carries the column roles, windows, settings and view, and the file's fingerprint — never the data. A colleague opens it and loads the same file."</p>
            })}
        </section>
    }
}

/// Rows per time bucket of the loaded log under the split-at-a-time input, the split marked;
/// a click moves the split to the nearest bucket boundary (the input stays the keyboard path).
/// Counts and snapping come from the core (`analysis::time_histogram`).
#[component]
fn TimeHistogramPicker() -> impl IntoView {
    use crate::core::render::{self, TimeHistogramChart};
    let state = expect_context::<AppState>();
    // Counted by the worker with the analysis, kept across incomplete splits (AppState).
    let histogram = state.time_histogram;
    let split = Memo::new(move |_| match state.window.get() {
        WindowSpec::SplitAt { timestamp } => crate::core::analysis::split_time(&timestamp),
        _ => None,
    });
    move || {
        let Some(h) = histogram.get() else {
            return view! {
                <p class="hint" data-testid="time-histogram-missing">"Map a timestamp column to see rows over time."</p>
            }
            .into_any();
        };
        let total: u64 = h.counts.iter().sum();
        let h_draw = h.clone();
        let draw = move |area: &super::chart::CanvasArea, style: &render::ChartStyle| {
            let chart = TimeHistogramChart {
                starts: &h_draw.starts,
                width: h_draw.width,
                counts: &h_draw.counts,
                split: split.get(),
            };
            render::time_histogram_chart(area, &chart, style)
        };
        let h_svg = h.clone();
        let svg = move || {
            let chart = TimeHistogramChart {
                starts: &h_svg.starts,
                width: h_svg.width,
                counts: &h_svg.counts,
                split: split.get_untracked(),
            };
            render::time_histogram_chart_svg(&chart, &render::ChartStyle::new(560, 240))
        };
        let h_tip = h.clone();
        let tooltip = move |l: &render::ChartLayout, x: f64, _y: f64| {
            let i = l
                .marks
                .iter()
                .find(|m| x >= f64::from(m.rect.left) && x <= f64::from(m.rect.right))?
                .index;
            Some(format!(
                "{}\n{} rows\nClick to split here",
                render::format_timestamp(*h_tip.starts.get(i)? as f64),
                h_tip.counts.get(i)?
            ))
        };
        let h_click = h.clone();
        let on_click = Callback::new(move |t: f64| {
            if let Some(at) = h_click.snap(t) {
                state.window.set(WindowSpec::SplitAt {
                    timestamp: crate::core::timeline::datetime_local(at),
                });
            }
        });
        let spec = super::chart::ChartSpec {
            testid: "time-histogram-chart",
            aria: format!(
                "Rows over time: {total} rows in {} buckets of {} seconds; click to set the split",
                h.counts.len(),
                h.width
            ),
            file_stem: "rows-over-time",
            aspect: 0.5,
            height: (120, 180),
        };
        view! {
            <div class="time-histogram" data-testid="time-histogram"
                data-width=h.width.to_string()
                data-first=h.starts.first().map(|s| s.to_string()).unwrap_or_default()
                data-buckets=h.counts.len().to_string()
                data-split=move || split.get().map(|s| format!("{s}")).unwrap_or_default()>
                {super::chart::canvas_chart_clickable(spec, draw, svg, tooltip, None, None, Some(on_click))}
            </div>
        }
        .into_any()
    }
}
