//! The Quality view: the data-quality checks (`report.quality.checks`, failing first) and the
//! calibration of each segment (`report.segments`, worst first, with Benjamini–Hochberg
//! q-values). Every number is read from the report.

use leptos::prelude::*;

use super::AppState;
use super::compare::fmt;
use super::empty::{AnalysisError, NoLog};
use crate::core::catalog::group_thousands;
use crate::core::quality::{QualityCheck, Status};
use crate::core::report::SegmentColumn;

/// The Quality tab.
#[component]
pub fn Quality() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.report.get() {
        None => view! { <NoLog hint="Load a prediction log to check it."/> }.into_any(),
        Some(Err(msg)) => {
            view! { <AnalysisError heading="This log cannot be analysed yet" message=msg/> }
                .into_any()
        }
        Some(Ok(report)) => {
            let checks = report
                .quality
                .as_ref()
                .map(|q| q.checks.clone())
                .unwrap_or_default();
            let segments = report.segments.clone();
            let two = report.windows.current.is_some();
            view! {
                <div class="view quality-view" data-testid="quality-view">
                    <Checks checks=checks/>
                    <Segments segments=segments two_windows=two/>
                </div>
            }
            .into_any()
        }
    }
}

/// Display order of statuses: failures first, then warnings, passes, skips.
fn rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Pass => 2,
        Status::Skip => 3,
    }
}

/// The check list, failing checks first.
#[component]
fn Checks(checks: Vec<QualityCheck>) -> impl IntoView {
    let mut checks = checks;
    checks.sort_by_key(|c| rank(c.status));
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let summary = format!(
        "{} failed, {} warnings, {} passed, {} skipped",
        count(Status::Fail),
        count(Status::Warn),
        count(Status::Pass),
        count(Status::Skip)
    );
    let items = checks
        .into_iter()
        .map(|c| {
            let key = c.status.key();
            let rows = if c.rows.is_empty() {
                String::new()
            } else {
                let shown: Vec<String> = c.rows.iter().map(|r| r.to_string()).collect();
                format!("Lines: {}{}", shown.join(", "), if (c.count as usize) > c.rows.len() { " …" } else { "" })
            };
            view! {
                <li class=format!("check {key}") data-testid=format!("quality-{}", c.id) data-status=key>
                    <span class=format!("badge {key}")>{key}</span>
                    <div class="check-body">
                        <div class="check-title">{c.title.clone()}
                            {(c.count > 0).then(|| view! {
                                // `missing_rates` counts cells, every other check rows.
                                <span class="check-count">{format!(
                                    " · {} {}",
                                    group_thousands(c.count as i64),
                                    match (c.id.as_str(), c.count) {
                                        ("missing_rates", 1) => "cell",
                                        ("missing_rates", _) => "cells",
                                        (_, 1) => "row",
                                        _ => "rows",
                                    }
                                )}</span>
                            })}
                        </div>
                        <div class="check-detail">{c.detail.clone()}</div>
                        {(!rows.is_empty()).then(|| view! { <div class="check-rows mono">{rows}</div> })}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="quality-checks">
            <header class="card-head">
                <h2>"Data-quality checks"</h2>
                <p class="hint">{summary}</p>
            </header>
            <ul class="checks">{items}</ul>
        </section>
    }
}

/// One table per segment column, worst first as the report orders them.
#[component]
fn Segments(segments: Vec<SegmentColumn>, two_windows: bool) -> impl IntoView {
    if segments.is_empty() {
        return view! {
            <section class="card" data-testid="segments">
                <header class="card-head"><h2>"Segments"</h2></header>
                <p class="hint">"No segment columns are mapped (low-cardinality columns such as region or channel become segments)."</p>
            </section>
        }
        .into_any();
    }
    let tables = segments
        .into_iter()
        .map(|col| {
            let flagged = col.segments.iter().filter(|s| s.flagged).count();
            let rows = col
                .segments
                .iter()
                .map(|s| {
                    view! {
                        <tr class:flagged=s.flagged data-testid=format!("segment-{}-{}", col.column, s.name)
                            data-flagged=s.flagged.to_string()>
                            <td>{s.name.clone()}{s.flagged.then(|| view! { <span class="badge warn">"flagged"</span> })}</td>
                            <td class="num">{group_thousands(s.n as i64)}</td>
                            <td class="num">{fmt(Some(s.positive_rate))}</td>
                            <td class="num">{fmt(Some(s.mean_score))}</td>
                            <td class="num">{fmt(Some(s.ece))}</td>
                            <td class="num">{format!("{:+.4}", s.calibration_in_the_large)}</td>
                            <td class="num">{fmt(Some(s.citl_p_value))}</td>
                            <td class="num">{fmt(Some(s.q_value))}</td>
                            <td class="num">{fmt(s.roc_auc)}
                                {s.roc_auc_ci.map(|[lo, hi]| view! { <span class="ci">{format!(" ({lo:.3}–{hi:.3})")}</span> })}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="card" data-testid=format!("segments-{}", col.column)>
                    <header class="card-head">
                        <h2>{format!("Segments by {}", col.column)}</h2>
                        <p class="hint">{format!("{flagged} of {} flagged", col.segments.len())}</p>
                    </header>
                    <div class="table-scroll">
                        <table class="table">
                            <thead><tr>
                                <th>"Segment"</th><th class="num">"Rows"</th><th class="num">"Positive rate"</th>
                                <th class="num">"Mean score"</th><th class="num">"ECE"</th>
                                <th class="num">"Mean score − rate"</th><th class="num">"p"</th>
                                <th class="num">"q (BH)"</th><th class="num">"ROC AUC (DeLong CI)"</th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view();
    view! {
        <div class="segments" data-testid="segments">
            <p class="hint note">
                {if two_windows { "Segments of the current window, worst first. " } else { "Segments of the whole log, worst first. " }}
                "p tests calibration-in-the-large (mean score = positive rate) per segment; with many segments some small p-values arise by chance, so segments are flagged on the Benjamini–Hochberg q-value (false-discovery rate) below 0.05 across all segments, not on p."
            </p>
            {tables}
        </div>
    }
    .into_any()
}
