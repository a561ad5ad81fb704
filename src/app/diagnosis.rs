//! The Diagnosis view: `report.diagnosis` — the verdict in plain words, then each candidate
//! cause as a card (detected ones first, in the report's ranking) with its evidence table, the
//! action, and a button to the view that shows it. Nothing is computed here.

use leptos::prelude::*;

use super::compare::fmt;
use super::empty::{AnalysisError, NoLog};
use super::{AppState, Tab};
use crate::core::diagnose::Cause;

/// The Diagnosis tab.
#[component]
pub fn DiagnosisView() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.report.get() {
        None => view! { <NoLog hint="Load a prediction log to diagnose it."/> }.into_any(),
        Some(Err(msg)) => view! { <AnalysisError heading="This comparison cannot be computed yet" message=msg/> }.into_any(),
        Some(Ok(report)) => match report.diagnosis.clone() {
            None => view! {
                <div class="view diagnosis-view" data-testid="diagnosis-view">
                    <div class="empty" data-testid="diagnosis-empty">
                        <h2>"A diagnosis compares two windows"</h2>
                        <p class="hint">"Choose a comparison in the sidebar's Compare panel. Plumb then ranks the likely causes of a calibration change — label shift, covariate shift, concept drift, a pipeline fault, a threshold change — with the evidence for each."</p>
                    </div>
                </div>
            }
            .into_any(),
            Some(d) => {
                let mut causes = d.causes.clone();
                // Detected causes first, keeping the report's ranking within each group.
                causes.sort_by_key(|c| !c.detected);
                let verdict_title = if d.verdict == "no_change" {
                    "No change detected".to_string()
                } else {
                    format!("Most likely: {}", cause_title(&d.verdict))
                };
                let tone = if d.verdict == "no_change" { "pass" } else { "fail" };
                view! {
                    <div class="view diagnosis-view" data-testid="diagnosis-view">
                        <super::compare::WindowsBar/>
                        <section class=format!("card verdict {tone}") data-testid="diagnosis-verdict" data-value=d.verdict.clone()>
                            <h2>{verdict_title}</h2>
                            <p class="lead">{d.summary.clone()}</p>
                        </section>
                        <div class="causes">
                            {causes.into_iter().map(|c| view! { <CauseCard cause=c/> }).collect_view()}
                        </div>
                    </div>
                }
                .into_any()
            }
        },
    }
    }
}

/// An evidence number: whole numbers (counts) without decimals, others as in the tables.
fn fmt_evidence(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x.abs() >= 1.0 && x.abs() < 1e9 => {
            format!("{x:.0}")
        }
        _ => fmt(v),
    }
}

/// A cause key in words.
fn cause_title(key: &str) -> String {
    let mut s = key.replace('_', " ");
    if let Some(first) = s.get(0..1) {
        let upper = first.to_uppercase();
        s.replace_range(0..1, &upper);
    }
    s
}

/// The tab that shows a cause's chart.
fn tab_of(chart: &str) -> (Tab, &'static str) {
    match chart {
        "reliability" => (Tab::Calibration, "Open the reliability diagram"),
        "drift" | "label_shift" => (Tab::Compare, "Open the comparison"),
        "thresholds" => (Tab::Thresholds, "Open the thresholds"),
        "quality" => (Tab::Quality, "Open the quality checks"),
        _ => (Tab::Overview, "Open the overview"),
    }
}

/// One cause: verdict, confidence, evidence table, action and a link to its view.
#[component]
fn CauseCard(cause: Cause) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (tab, link) = tab_of(&cause.chart);
    let confidence = (cause.confidence.clamp(0.0, 1.0) * 100.0).round().max(0.0) as u32;
    let evidence = cause
        .evidence
        .iter()
        .map(|e| {
            view! {
                <tr class:supports=e.supports data-testid=format!("evidence-{}", e.key)>
                    <td>{e.label.clone()}</td>
                    <td class="num">{fmt_evidence(e.value)}</td>
                    <td class="num">{fmt_evidence(e.reference)}</td>
                    <td class="num">{fmt_evidence(e.threshold)}</td>
                    <td>{if e.supports { "yes" } else { "no" }}</td>
                    <td class="note">{e.note.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="card cause" class:detected=cause.detected
            data-testid=format!("cause-{}", cause.cause) data-detected=cause.detected.to_string()>
            <header class="card-head row">
                <div>
                    <h3>{cause_title(&cause.cause)}</h3>
                    <p class="cause-verdict">{cause.verdict.clone()}</p>
                </div>
                <div class="cause-side">
                    {if cause.detected {
                        view! { <span class="badge fail">"detected"</span> }.into_any()
                    } else {
                        view! { <span class="badge skip">"not detected"</span> }.into_any()
                    }}
                    <div class="confidence" title="Strength of the evidence (above 50% exactly when detected)">
                        <div class="confidence-bar" style=format!("width:{confidence}%")></div>
                    </div>
                    <span class="hint">{format!("{confidence}% confidence")}</span>
                </div>
            </header>
            <div class="table-scroll">
                <table class="table compact evidence">
                    <thead><tr>
                        <th>"Evidence"</th><th class="num">"Value"</th><th class="num">"Reference"</th>
                        <th class="num">"Threshold"</th><th>"Supports"</th><th>"In words"</th>
                    </tr></thead>
                    <tbody>{evidence}</tbody>
                </table>
            </div>
            <footer class="cause-foot">
                <p class="action"><strong>"Action: "</strong>{cause.action.clone()}</p>
                <button class="button" type="button" data-testid=format!("cause-link-{}", cause.cause)
                    on:click=move |_| state.tab.set(tab)>{link}</button>
            </footer>
        </article>
    }
}
