//! Sign-off: acceptance gates evaluated on the report, the reviewer's decision, and the exports
//! (self-contained HTML, Markdown, JSON) that carry both. Gates are evaluated by
//! `core::gates`; the reports are written by `core::export` — the same code as `plumb audit`.
//!
//! The decision starts unset: the reviewer must choose one. Until a decision is chosen and a
//! reviewer named, the exports carry no sign-off and say "No decision recorded" (the JSON has
//! no `signoff` and is saved as `*.plumb.unsigned.json`), and the form says so above the
//! buttons. The draft kept across reloads names the input it was written for (its files'
//! SHA-256): the reviewer's name carries over to any file, the decision and rationale only to
//! that same input — loading another file clears them, and the form says why. Approving while gates fail is allowed (a reviewer may know better) but warned
//! about, naming the failing gates, which the exports name as well.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::AppState;
use crate::core::export::markdown::format_gate_value;
use crate::core::export::{
    Decision, SignOff, describe_failed_gate, html, markdown, overridden_gates,
};
use crate::core::gates::{self, Verdict};
use crate::core::report::{Report, WindowSpec};

/// Local-storage key of the sign-off draft.
const DRAFT_KEY: &str = "plumb.signoff.draft";
/// The key of drafts saved before the decision could be unset: their decision may be the old
/// default ("Approved") that nobody chose, so only the reviewer and rationale are taken over.
const LEGACY_KEY: &str = "plumb.signoff";

/// The sign-off form as kept in local storage (text the reviewer typed and the input's
/// SHA-256, never data).
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct Draft {
    reviewer: String,
    /// `None` until the reviewer chooses.
    decision: Option<Decision>,
    rationale: String,
    /// The input the decision and rationale were written for ([`input_key`]); `None` in drafts
    /// saved before drafts named their input, whose decision and rationale are not restored.
    #[serde(default)]
    input: Option<String>,
    /// The decision or rationale was cleared because another input was loaded, and no decision
    /// has been chosen since (the form says so; kept here because the view may be rebuilt).
    #[serde(default)]
    cleared: bool,
}

/// The saved draft. A draft that names no input (saved by an earlier version, or the legacy
/// key's) keeps only its reviewer: its decision and rationale may be about any file.
fn restore_draft() -> Draft {
    if let Some(d) =
        crate::web::local_get(DRAFT_KEY).and_then(|t| serde_json::from_str::<Draft>(&t).ok())
    {
        return if d.input.is_some() {
            d
        } else {
            Draft {
                reviewer: d.reviewer,
                ..Draft::default()
            }
        };
    }
    crate::web::local_get(LEGACY_KEY)
        .and_then(|t| serde_json::from_str::<SignOff>(&t).ok())
        .map(|s| Draft {
            reviewer: s.reviewer,
            ..Draft::default()
        })
        .unwrap_or_default()
}

/// What a decision is about: the loaded file's SHA-256, and the current file's after a `+`
/// when two files are compared; `None` while that is not known (no file, or the current file
/// not loaded yet).
fn input_key(state: AppState) -> Option<String> {
    let sha = |f: &Option<std::sync::Arc<crate::core::stream::FileSummary>>| {
        f.as_ref().and_then(|f| state.sha256_of(f))
    };
    let reference = state.file.with(sha)?;
    if state.window.with(|w| matches!(w, WindowSpec::TwoFiles)) {
        let current = state.current_file.with(sha)?;
        Some(format!("{reference}+{current}"))
    } else {
        Some(reference)
    }
}

/// The sign-off view.
#[component]
pub fn SignOffView() -> impl IntoView {
    let state = expect_context::<AppState>();
    // `None`: the default gates for the report's windows; `Some`: edited or loaded gates
    // (kept in the app state so share links and the saved review carry them).
    let gates = state.gates;
    let gates_error: RwSignal<Option<String>> = RwSignal::new(None);
    // The sign-off in progress survives a reload (local storage; text the reviewer typed,
    // never data).
    let saved = restore_draft();
    let reviewer = RwSignal::new(saved.reviewer);
    let decision: RwSignal<Option<Decision>> = RwSignal::new(saved.decision);
    let rationale = RwSignal::new(saved.rationale);
    // The input the decision and rationale belong to, and whether they were just cleared
    // because another input is loaded (the form says so).
    let bound: RwSignal<Option<String>> = RwSignal::new(saved.input);
    let cleared = RwSignal::new(saved.cleared);
    let rebind = move |key: Option<String>| {
        let Some(key) = key else { return };
        if bound.get_untracked().as_deref() == Some(key.as_str()) {
            return;
        }
        let had = decision.get_untracked().is_some() || !rationale.get_untracked().is_empty();
        if bound.get_untracked().is_some() || had {
            decision.set(None);
            rationale.set(String::new());
            cleared.set(had);
        }
        bound.set(Some(key));
    };
    // Before the first paint (the form never shows another file's decision), then on every
    // change of input.
    rebind(untrack(move || input_key(state)));
    let key = Memo::new(move |_| input_key(state));
    Effect::new(move |_| rebind(key.get()));
    Effect::new(move |_| {
        let draft = Draft {
            reviewer: reviewer.get(),
            decision: decision.get(),
            rationale: rationale.get(),
            input: bound.get(),
            cleared: cleared.get(),
        };
        if let Ok(text) = serde_json::to_string(&draft) {
            crate::web::local_set(DRAFT_KEY, &text);
        }
    });
    // Signed only with a decision and a reviewer's name; otherwise what is missing.
    let missing = move || -> Option<&'static str> {
        if decision.get().is_none() {
            Some("No decision chosen")
        } else if reviewer.get().trim().is_empty() {
            Some("No reviewer named")
        } else {
            None
        }
    };

    let active = move |report: &Report| {
        gates
            .get()
            .unwrap_or_else(|| gates::default_gates(report.windows.current.is_some()))
    };

    // The report with the gates and the sign-off applied: what every export writes.
    let signed = move || -> Option<Report> {
        // Never a provisional report (the view waits for the complete one; this is a guard).
        let Some(Ok(report)) = state
            .report
            .get_untracked()
            .filter(|r| r.as_ref().is_ok_and(|r| r.is_complete()))
        else {
            return None;
        };
        let mut r: Report = (*report).clone();
        let g = gates
            .get_untracked()
            .unwrap_or_else(|| gates::default_gates(r.windows.current.is_some()));
        r.apply_gates(&g);
        let name = reviewer.get_untracked();
        if let Some(d) = decision.get_untracked()
            && !name.trim().is_empty()
        {
            r.signoff = Some(SignOff {
                reviewer: name.trim().to_string(),
                decision: d,
                rationale: rationale.get_untracked(),
                timestamp: String::from(js_sys::Date::new_0().to_iso_string()),
            });
        }
        Some(r)
    };
    let stem = move |r: &Report| {
        r.input
            .files
            .first()
            .map(|f| f.name.split('.').next().unwrap_or("report").to_string())
            .unwrap_or_else(|| "report".into())
    };
    let export = move |kind: &'static str| {
        let Some(r) = signed() else { return };
        let gate_report = r.gate_report();
        let (name, mime, text) = match kind {
            "html" => (
                format!("{}.plumb.html", stem(&r)),
                "text/html",
                html::html_report(&r, gate_report.as_ref(), r.signoff.as_ref()),
            ),
            "md" => (
                format!("{}.plumb.md", stem(&r)),
                "text/markdown",
                markdown::markdown_report(&r, gate_report.as_ref(), r.signoff.as_ref()),
            ),
            _ => (
                format!(
                    "{}.plumb.{}.json",
                    stem(&r),
                    if r.signoff.is_some() {
                        "signed"
                    } else {
                        "unsigned"
                    }
                ),
                "application/json",
                crate::core::analysis::report_json(&r).unwrap_or_default(),
            ),
        };
        let _ = crate::web::download(&name, mime, &text);
    };
    let load_gates = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let Some(file) = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
        else {
            return;
        };
        if let Some(i) = input {
            i.set_value("");
        }
        leptos::task::spawn_local(async move {
            let text = match crate::web::read_file(&file).await {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => {
                    gates_error.set(Some(e));
                    return;
                }
            };
            match gates::parse_gates(&text) {
                Ok(g) => {
                    gates.set(Some(g));
                    gates_error.set(None);
                }
                Err(e) => gates_error.set(Some(format!("{}: {e}", file.name()))),
            }
        });
    };
    let download_toml = move |_| {
        if let Some(Ok(report)) = state.report.get_untracked() {
            let g = gates
                .get_untracked()
                .unwrap_or_else(|| gates::default_gates(report.windows.current.is_some()));
            let _ = crate::web::download("gates.toml", "application/toml", &gates::to_toml(&g));
        }
    };

    // The failing gates an unconditional approval overrides, for people (empty otherwise).
    let overridden = move || -> Vec<String> {
        let Some(d) = decision.get() else {
            return Vec::new();
        };
        let Some(Ok(report)) = state.report.get() else {
            return Vec::new();
        };
        let result = gates::evaluate(&report, &active(&report));
        overridden_gates(d, Some(&result))
            .into_iter()
            .map(describe_failed_gate)
            .collect()
    };
    let warning = move || {
        let failing = overridden();
        (!failing.is_empty()).then(|| {
            let n = failing.len();
            view! {
                <div class="signoff-warning" role="alert" data-testid="signoff-warning" data-count=n.to_string()>
                    <strong>{format!("Approving although {n} gate{} fail{}:", if n == 1 { "" } else { "s" }, if n == 1 { "s" } else { "" })}</strong>
                    <ul>{failing.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}</ul>
                    <p>"The exports record this approval with the failing gates named. If the model may ship only once something is done, choose “Approved with conditions” and state the conditions."</p>
                </div>
            }
        })
    };

    let gate_table = move || {
        let Some(Ok(report)) = state.report.get() else {
            return view! { <p class="hint">"Load a prediction log to evaluate gates."</p> }
                .into_any();
        };
        let current = active(&report);
        let result = gates::evaluate(&report, &current);
        let verdict = match result.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
        };
        let failed = result.failed();
        let total = result.gates.len();
        let rows = result
            .gates
            .into_iter()
            .enumerate()
            .map(|(i, g)| {
                // As many decimals as it takes to compare with the limit as the exact value
                // does (the exports' rule), so a failing 0.020001 never shows as 0.0200.
                let value = g
                    .value
                    .map(|v| format_gate_value(v, g.op, g.limit))
                    .unwrap_or_else(|| "—".into());
                // The value is in its own column: a failure says what it needed; an
                // unavailable value says why.
                // A window only for a window's metric (drift, the AUC drop and the quality
                // count are report-level: `—`, as in the exports).
                let window = match gates::MetricKey::parse(&g.metric) {
                    Some(gates::MetricKey::Window(_)) => g.window.key(),
                    _ => "—",
                };
                let reason = match (g.passed, g.value) {
                    (true, _) => String::new(),
                    (false, Some(_)) => format!("needs {}\u{a0}{}", g.op.pretty(), g.limit),
                    (false, None) => g.reason.clone().unwrap_or_default(),
                };
                view! {
                    <tr data-testid=format!("gate-{i}") data-passed=g.passed.to_string()>
                        <td>{g.name.clone()}</td>
                        <td class="mono">{g.metric.clone()}</td>
                        <td>{window}</td>
                        <td class="num">{value}</td>
                        <td class="num">{g.op.pretty()}</td>
                        <td class="num">
                            <input type="number" step="any" class="limit-input"
                                aria-label=format!("Limit of {}", g.name)
                                data-testid=format!("gate-limit-{i}")
                                prop:value=g.limit.to_string()
                                on:change=move |ev| {
                                    if let Ok(limit) = event_target_value(&ev).trim().parse::<f64>()
                                        && limit.is_finite()
                                    {
                                        let report = state.report.get_untracked();
                                        let two = matches!(&report, Some(Ok(r)) if r.windows.current.is_some());
                                        let mut g = gates.get_untracked().unwrap_or_else(|| gates::default_gates(two));
                                        if let Some(gate) = g.get_mut(i) {
                                            gate.limit = limit;
                                        }
                                        gates.set(Some(g));
                                    }
                                } />
                        </td>
                        <td>{if g.passed {
                            view! { <span class="badge pass">"pass"</span> }.into_any()
                        } else {
                            view! { <span class="badge fail">"fail"</span> }.into_any()
                        }}
                        {(!reason.is_empty()).then(|| view! { <div class="hint">{reason}</div> })}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class=format!("verdict-banner {verdict}") data-testid="gates-verdict" data-value=verdict>
                {match (verdict, total) {
                    (_, 0) => "No gates are set: nothing is required.".to_string(),
                    ("pass", 1) => "The gate passes.".to_string(),
                    ("pass", _) => format!("All {total} gates pass."),
                    (_, 1) => "The gate fails.".to_string(),
                    _ => format!("{failed} of {total} gates fail."),
                }}
            </div>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th>"Gate"</th><th>"Metric"</th><th>"Window"</th><th class="num">"Value"</th>
                        <th class="num">"Op"</th><th class="num">"Limit"</th><th>"Result"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <div class="view signoff-view" data-testid="signoff-view">
            <section class="card">
                <header class="card-head">
                    <h2>"Acceptance gates"</h2>
                    <p class="hint">"Each gate compares one number of the report with a limit. A gate whose number is unavailable fails. The defaults can be edited here, or loaded from a gates.toml file — the same file that “plumb audit --gates” reads in CI."</p>
                </header>
                {gate_table}
                {move || gates_error.get().map(|e| view! { <p class="error-text" data-testid="gates-error">{e}</p> })}
                <div class="chart-actions">
                    <label class="button file-button">"Load gates.toml…"
                        <input type="file" accept=".toml,text/plain" data-testid="gates-input" on:change=load_gates />
                    </label>
                    <button class="button" data-testid="gates-download" on:click=download_toml>"Download gates.toml"</button>
                    <button class="button" data-testid="gates-reset" on:click=move |_| gates.set(None)>"Default gates"</button>
                </div>
            </section>
            <section class="card signoff-form">
                <header class="card-head">
                    <h2>"Sign-off"</h2>
                    <p class="hint">"The decision is bound to the exact data by the input files' SHA-256 and to the exact settings, both written into every export."</p>
                </header>
                <div class="field-row">
                    <div class="field">
                        <label for="signoff-reviewer">"Reviewer"</label>
                        <input id="signoff-reviewer" type="text" data-testid="signoff-reviewer"
                            prop:value=reviewer.get_untracked()
                            on:input=move |ev| reviewer.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="signoff-decision">"Decision"</label>
                        <select id="signoff-decision" data-testid="signoff-decision"
                            aria-invalid=move || decision.get().is_none().to_string()
                            prop:value=move || decision.get().map(Decision::key).unwrap_or_default()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                decision.set(Decision::ALL.into_iter().find(|d| d.key() == v));
                                cleared.set(false);
                            }>
                            <option value="" selected=decision.get_untracked().is_none()>"Choose…"</option>
                            {Decision::ALL.into_iter().map(|d| view! { <option value=d.key() selected=Some(d) == decision.get_untracked()>{d.label()}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="signoff-rationale">"Rationale and conditions"</label>
                    <textarea id="signoff-rationale" rows="4" data-testid="signoff-rationale"
                        prop:value=move || rationale.get()
                        on:input=move |ev| rationale.set(event_target_value(&ev))></textarea>
                </div>
                {move || cleared.get().then(|| view! {
                    <p class="hint note" data-testid="signoff-cleared">"The decision and rationale were written for another input file, so they were cleared: choose the decision for this file. The reviewer's name is kept."</p>
                })}
                {warning}
                <p class="signoff-status" data-testid="signoff-status" data-signed=move || missing().is_none().to_string()>
                    {move || match missing() {
                        Some(what) => format!("{what}: the exports will say “No decision recorded” and carry no sign-off."),
                        None => format!(
                            "The exports will carry this sign-off: {} by {}.",
                            decision.get().map(Decision::label).unwrap_or_default(),
                            reviewer.get().trim()
                        ),
                    }}
                </p>
                // Disabled while a newer analysis runs: the report on screen is the previous one.
                <div class="chart-actions">
                    <button class="button primary" data-testid="export-html" disabled=move || !super::work::complete(state) on:click=move |_| export("html")>"Download report (HTML)"</button>
                    <button class="button" data-testid="export-md" disabled=move || !super::work::complete(state) on:click=move |_| export("md")>"Markdown summary"</button>
                    <button class="button" data-testid="export-json-signed" disabled=move || !super::work::complete(state) on:click=move |_| export("json")>
                        {move || if missing().is_none() { "JSON with gates and sign-off" } else { "JSON with gates (unsigned)" }}
                    </button>
                </div>
            </section>
        </div>
    }
}
