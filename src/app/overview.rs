//! The overview: headline metrics, the row accounting, and the reliability diagram.

use leptos::prelude::*;

use super::AppState;
use super::chart::ReliabilityChart;
use super::empty::AnalysisError;
use crate::core::catalog::{self, Better, METRICS, format_value};
use crate::core::report::{ExclusionReason, InputFile, Report, WindowReport};

/// The overview of the active report.
#[component]
pub fn Overview() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.report.get() {
        None => view! { <Welcome/> }.into_any(),
        Some(Err(msg)) => view! { <AnalysisError heading="This log cannot be analysed yet" message=msg advice="Check the column roles in the sidebar."/> }.into_any(),
        Some(Ok(report)) => {
            let report: &Report = &report;
            let window = super::primary_window(report);
            let reference = super::reference_window(report);
            let file = report.input.files.first().cloned().unwrap_or_default();
            let failing: Vec<String> = report
                .quality
                .as_ref()
                .map(|q| {
                    q.checks
                        .iter()
                        .filter(|c| c.status == crate::core::quality::Status::Fail)
                        .map(|c| c.title.clone())
                        .collect()
                })
                .unwrap_or_default();
            view! {
                <div class="overview">
                    {(!failing.is_empty()).then(|| view! {
                        <div class="banner fail" role="alert" data-testid="quality-banner">
                            <strong>"Data-quality checks failed: fix the pipeline before trusting any metric."</strong>
                            <span>{format!(" Failing: {}. ", failing.join(", "))}</span>
                            <button class="link" type="button"
                                on:click=move |_| state.tab.set(super::Tab::Quality)>"See the Quality tab"</button>
                        </div>
                    })}
                    {report.summary.as_ref().map(|info| view! {
                        <div class="banner info" role="note" data-testid="summary-notice"
                            data-buckets=info.buckets.to_string()>
                            <strong>"Summary input."</strong>
                            <span>{info.notice.clone()}</span>
                        </div>
                    })}
                    <super::compare::WindowsBar/>
                    <MetricCards window=window.clone() reference=reference.clone()
                        pending=report.pending.clone()/>
                    <div class="grid-2">
                        <section class="card chart-card">
                            <header class="card-head">
                                <h2>"Reliability diagram"</h2>
                                <p class="hint">{format!(
                                    "{} {} bins; whiskers: {}% {} intervals for the observed rate",
                                    report.settings.bins,
                                    match report.settings.strategy { crate::core::report::BinStrategy::Uniform => "equal-width", crate::core::report::BinStrategy::Quantile => "equal-mass" },
                                    (report.settings.confidence * 100.0).round(),
                                    match report.settings.interval { crate::core::report::IntervalMethod::ClopperPearson => "Clopper–Pearson", crate::core::report::IntervalMethod::Wilson => "Wilson" },
                                )}</p>
                            </header>
                            <ReliabilityChart window=window.clone() reference=reference/>
                        </section>
                        <RowAccounting file=file summary=report.summary.is_some()/>
                    </div>
                    <BinTable window=window/>
                </div>
            }
            .into_any()
        }
    }
    }
}

/// Shown before any file is loaded.
#[component]
fn Welcome() -> impl IntoView {
    view! {
        <div class="welcome">
            <h1>"Audit a model's predictions"</h1>
            <p class="lead">
                "Drop a prediction log — one row per prediction with a score and the label that came later — "
                "and Plumb computes calibration, discrimination and row accounting right here, in your browser."
            </p>
            <ol class="steps">
                <li><strong>"Load"</strong>" a CSV/TSV (or .gz), or try the bundled demo."</li>
                <li><strong>"Check"</strong>" the detected columns: score, label, timestamp, segments, features."</li>
                <li><strong>"Read"</strong>" the metrics; hover a card for its formula, and export the JSON report."</li>
            </ol>
        </div>
    }
}

/// A grid of metric cards, each with its formula on hover/focus.
#[component]
fn MetricCards(
    window: WindowReport,
    reference: Option<WindowReport>,
    // What the complete pass is still computing (`Report::pending`).
    pending: Vec<String>,
) -> impl IntoView {
    use crate::core::report::pending as key;
    let coming = |k: &str| pending.iter().any(|p| p == k);
    let cards = METRICS
        .iter()
        .map(|m| {
            // A metric of the complete pass: "computing…", never shown as undefined.
            let computing = match m.key {
                "calibration_slope" | "calibration_intercept" => coming(key::CALIBRATION_FIT),
                "hosmer_lemeshow_p_value" => coming(key::HOSMER_LEMESHOW),
                _ => false,
            };
            let value = catalog::metric_value(&window, m.key).filter(|_| !computing);
            let ref_value = reference.as_ref().map(|r| catalog::metric_value(r, m.key));
            let ref_line = ref_value.map(|v| {
                let data = v
                    .filter(|v| v.is_finite())
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default();
                view! {
                    <div class="metric-ref" data-testid=format!("ref-{}", m.key) data-value=data>
                        "reference "{format_value(m.format, v)}
                    </div>
                }
            });
            let shown = if computing {
                "computing…".to_string()
            } else {
                format_value(m.format, value)
            };
            let data_value = value
                .filter(|v| v.is_finite())
                .map(|v| format!("{v:?}"))
                .unwrap_or_default();
            let extra = match m.key {
                "roc_auc" => window
                    .roc_auc_ci
                    .map(|[lo, hi]| format!("95% CI {lo:.3}–{hi:.3} (DeLong)")),
                "smooth_ece" if coming(key::SMOOTH_ECE_CI) => {
                    Some("95% CI computing… (bootstrap)".to_string())
                }
                "smooth_ece" => window
                    .smooth_ece_ci
                    .map(|[lo, hi]| format!("95% CI {lo:.4}–{hi:.4} (bootstrap)")),
                "ece" if coming(key::ECE_CI) => Some("95% CI computing… (bootstrap)".to_string()),
                "ece" => window
                    .ece_ci
                    .map(|[lo, hi]| format!("95% CI {lo:.4}–{hi:.4} (bootstrap)")),
                _ => None,
            };
            let tone = match (m.better, value) {
                (Better::Neutral, _) | (_, None) => "neutral",
                _ => "metric",
            };
            let undefined = value.is_none() && !computing;
            view! {
                <div class=format!("metric-card {tone}") tabindex="0"
                    data-testid=format!("metric-{}", m.key)
                    data-value=data_value
                    data-undefined=undefined.to_string()
                    data-pending=computing.then_some("true")>
                    <div class="metric-label">{m.label}</div>
                    <div class="metric-value">{shown}</div>
                    {ref_line}
                    {extra.map(|e| view! { <div class="metric-extra">{e}</div> })}
                    <div class="metric-formula" role="tooltip">
                        <code>{m.formula}</code>
                        <span class="ref">"Checked against "{m.reference}</span>
                    </div>
                </div>
            }
        })
        .collect_view();
    view! { <section class="metric-grid" aria-label="Metrics">{cards}</section> }
}

/// Rows read, used and excluded by reason, with the first line numbers of each.
#[component]
fn RowAccounting(
    file: InputFile,
    /// The input is a summary file: its lines are per-cell counts, and the rows are what
    /// those counts add up to.
    #[prop(optional)]
    summary: bool,
) -> impl IntoView {
    let excluded_total: u64 = file.rows_excluded.values().sum();
    let rows = ExclusionReason::ALL
        .iter()
        .filter_map(|reason| {
            let count = *file.rows_excluded.get(reason.key())?;
            if count == 0 {
                return None;
            }
            let examples = file
                .excluded_examples
                .get(reason.key())
                .map(|lines| {
                    lines
                        .iter()
                        .map(|l| l.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            Some(view! {
                <tr data-testid=format!("excluded-{}", reason.key()) data-value=count.to_string()>
                    <td>{reason.describe()}</td>
                    <td class="num">{catalog::group_thousands(count as i64)}</td>
                    <td class="lines">{if examples.is_empty() { String::new() } else { format!("line {examples}") }}</td>
                </tr>
            })
        })
        .collect_view();
    view! {
        <section class="card accounting" data-testid="row-accounting">
            <header class="card-head"><h2>"Rows"</h2></header>
            <div class="accounting-totals">
                <div><span class="big" data-testid="rows-total" data-value=file.rows.to_string()>{catalog::group_thousands(file.rows as i64)}</span>{if summary { " summary lines read" } else { " read" }}</div>
                <div><span class="big ok" data-testid="rows-used" data-value=file.rows_used.to_string()>{catalog::group_thousands(file.rows_used as i64)}</span>{if summary { " rows counted" } else { " used" }}</div>
                <div><span class="big warn" data-testid="rows-excluded" data-value=excluded_total.to_string()>{catalog::group_thousands(excluded_total as i64)}</span>" excluded"</div>
            </div>
            {if summary {
                view! { <p class="hint" data-testid="rows-summary-hint">"A summary file carries counts, not rows: its lines add up to the rows counted, and rows without a valid score or label were left out where the summary was made."</p> }.into_any()
            } else if excluded_total == 0 {
                view! { <p class="hint">"Every row had a valid score and label."</p> }.into_any()
            } else {
                view! {
                    <table class="table compact">
                        <thead><tr><th>"Reason"</th><th class="num">"Rows"</th><th>"First lines"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The reliability bins as a table: the chart's text alternative.
#[component]
fn BinTable(window: WindowReport) -> impl IntoView {
    let rows = window
        .reliability
        .iter()
        .map(|b| {
            view! {
                <tr>
                    <td class="num">{format!("{:.3}–{:.3}", b.lower, b.upper)}</td>
                    <td class="num">{catalog::group_thousands(b.count as i64)}</td>
                    <td class="num">{catalog::group_thousands(b.positives as i64)}</td>
                    <td class="num">{format!("{:.4}", b.mean_score)}</td>
                    <td class="num">{format!("{:.4}", b.observed_rate)}</td>
                    <td class="num">{format!("{:.4}–{:.4}", b.ci_lower, b.ci_upper)}</td>
                    <td class="num">{format!("{:+.4}", b.observed_rate - b.mean_score)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="card bins-table" data-testid="bins-table">
            <summary>"Reliability bins as a table"</summary>
            <table class="table">
                <thead><tr>
                    <th class="num">"Score range"</th><th class="num">"Rows"</th><th class="num">"Positives"</th>
                    <th class="num">"Mean score"</th><th class="num">"Observed rate"</th><th class="num">"Interval"</th>
                    <th class="num">"Observed − predicted"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}
