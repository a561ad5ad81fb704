//! The Operations view: `report.operations` — request rate, latency p50/p95/p99, error rate,
//! score quantiles, predicted-positive rate and per-feature missing rates per time bucket
//! (`core::ops::summary`), drawn by `core::render::time_series_chart`; the warning and critical
//! levels proposed from the reference's variation across buckets (mean ± 2σ / ± 3σ,
//! `core::ops::alert_thresholds`), editable; and the Prometheus rules and Grafana dashboard
//! downloads, written by `analysis::monitoring_files` — the writer `plumb alerts` uses — with
//! the edited levels. Nothing is computed here: every number comes from the report.

use std::sync::Arc;

use leptos::prelude::*;

use super::AppState;
use super::chart::{CanvasArea, ChartSpec, SVG_WIDE, canvas_chart};
use super::empty::{AnalysisError, NoLog};
use crate::core::analysis;
use crate::core::catalog::group_thousands;
use crate::core::ops::{AlertThreshold, Band, Direction, Granularity, OpsBucket, OpsReport};
use crate::core::render::{self, AlertLevel, ChartLayout, ChartStyle, Series, TimeSeriesChart};
use crate::core::report::OperationsReport;

/// Alert levels as proposed by the report and as edited in this view: `(proposed, edited)`.
/// Edits apply while the report proposes the same levels; a new proposal (another file,
/// granularity or decision threshold) starts from the proposal again.
pub type EditedLevels = Option<(Vec<AlertThreshold>, Vec<AlertThreshold>)>;

/// The levels in force: the edited ones if they were edited from this proposal, else the
/// proposal.
pub fn levels_in_force(edited: &EditedLevels, proposed: &[AlertThreshold]) -> Vec<AlertThreshold> {
    match edited {
        Some((base, levels)) if base.as_slice() == proposed => levels.clone(),
        _ => proposed.to_vec(),
    }
}

/// The unit the view shows request rates in: requests per bucket width (minute, hour or day),
/// so an hourly log reads "420 per hour" rather than "0.117 per second". Reports, exports and
/// alert rules keep requests per second (`rate_per_s`).
pub struct RateUnit {
    /// "per hour", for labels.
    pub name: &'static str,
    /// The chart's y-axis title, "Requests per hour".
    pub axis: &'static str,
    /// Seconds in the unit: a rate per second times this is a rate per unit.
    pub seconds: f64,
}

/// The [`RateUnit`] of buckets of this width.
pub fn rate_unit(granularity: Granularity) -> RateUnit {
    let (name, axis, seconds) = match granularity {
        Granularity::Minute => ("per minute", "Requests per minute", 60.0),
        Granularity::Hour => ("per hour", "Requests per hour", 3600.0),
        Granularity::Day => ("per day", "Requests per day", 86_400.0),
    };
    RateUnit {
        name,
        axis,
        seconds,
    }
}

/// How many of the view's units a quantity's stored value is: the request rate's seconds per
/// [`rate_unit`], 1 for every other quantity.
fn display_scale(q: &str, granularity: Granularity) -> f64 {
    if q == "request_rate" {
        rate_unit(granularity).seconds
    } else {
        1.0
    }
}

/// A person's name for a quantity key, with its unit (request rates in the view's
/// [`rate_unit`]).
pub fn quantity_label(q: &str, granularity: Granularity) -> String {
    match q {
        "request_rate" => format!("Request rate ({})", rate_unit(granularity).name),
        "latency_p50" => "Latency p50 (ms)".into(),
        "latency_p95" => "Latency p95 (ms)".into(),
        "latency_p99" => "Latency p99 (ms)".into(),
        "error_rate" => "Error rate".into(),
        "score_p10" => "Score p10".into(),
        "score_p50" => "Score median".into(),
        "score_p90" => "Score p90".into(),
        "predicted_positive_rate" => "Predicted-positive rate".into(),
        q => match q.strip_prefix("missing_rate:") {
            Some(f) => format!("Missing rate of {f}"),
            None => q.to_string(),
        },
    }
}

/// Whether a quantity is a share in [0, 1] (its levels may not exceed 1).
fn is_share(q: &str) -> bool {
    q == "error_rate"
        || q == "predicted_positive_rate"
        || q.starts_with("score_")
        || q.starts_with("missing_rate:")
}

/// A number for a table cell or an input: up to 6 significant digits, no exponent for
/// ordinary magnitudes; `—` for none.
pub fn short(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => {
            if v == 0.0 {
                "0".into()
            } else if v.abs() >= 1e-4 && v.abs() < 1e9 {
                let digits = (5 - v.abs().log10().floor() as i32).clamp(0, 10) as usize;
                let s = format!("{v:.digits$}");
                if s.contains('.') {
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                } else {
                    s
                }
            } else {
                format!("{v:.4e}")
            }
        }
        _ => "—".into(),
    }
}

/// Full-precision `data-value` of an optional number (empty when undefined).
fn data_value(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| x.to_string())
        .unwrap_or_default()
}

/// The Operations tab.
#[component]
pub fn OperationsView() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.report.get() {
        None => view! { <NoLog hint="Load a prediction log to see it over time."/> }.into_any(),
        Some(Err(msg)) => {
            view! { <AnalysisError heading="This log cannot be analysed yet" message=msg/> }
                .into_any()
        }
        Some(Ok(report)) => match report.operations.clone() {
            None => {
                let timestamp = report.input.columns.timestamp.clone();
                view! { <Unmapped timestamp=timestamp/> }.into_any()
            }
            Some(ops) => view! { <Operations ops=ops/> }.into_any(),
        },
    }
}

/// What to map when there is no operational view.
#[component]
fn Unmapped(timestamp: Option<String>) -> impl IntoView {
    let why = match timestamp {
        None => "No timestamp column is mapped. Choose one in the sidebar (Columns → Timestamp): \
                 requests are grouped into minute, hour or day buckets by it."
            .to_string(),
        Some(name) => format!(
            "The timestamp column “{name}” has no readable times (ISO 8601, or epoch seconds or \
             milliseconds). Choose another in the sidebar (Columns → Timestamp)."
        ),
    };
    view! {
        <div class="view operations-view" data-testid="operations-view">
            <div class="empty" data-testid="operations-empty">
                <h2>"The operational view needs a timestamp"</h2>
                <p class="hint">{why}</p>
                <p class="hint">
                    "With a timestamp, Plumb shows the request rate, the score's quantiles and the predicted-positive rate over time, and each feature's missing rate. Map a "
                    <strong>"latency"</strong>" column (milliseconds) for p50/p95/p99 latency and a "
                    <strong>"status"</strong>" column (an HTTP status — 5xx counts as an error — or a 0/1 error flag) for the error rate; columns named latency_ms, duration_ms, status or http_status are detected. Alert levels for Prometheus and Grafana are then proposed from the log's own variation."
                </p>
            </div>
        </div>
    }
}

/// Which file's buckets the charts and the table show.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Reference,
    Current,
}

/// The view of a report with an operational section.
#[component]
fn Operations(ops: OperationsReport) -> impl IntoView {
    let state = expect_context::<AppState>();
    let source = RwSignal::new(Source::Reference);
    let has_current = ops.current.is_some();
    let proposed = Arc::new(ops.thresholds.clone());
    let granularity = ops.reference.granularity;
    let unit = rate_unit(granularity);
    let (per_unit, rate_y_label) = (unit.seconds, unit.axis);
    let auto = state
        .settings
        .with_untracked(|s| s.ops_granularity.is_none());
    let ops = StoredValue::new(ops);
    let shown = move || {
        ops.with_value(|o| match (source.get(), &o.current) {
            (Source::Current, Some(c)) => c.clone(),
            _ => o.reference.clone(),
        })
    };
    let choices = ops.with_value(|o| o.granularities.clone());
    let (has_latency, has_status, rows, buckets, features) = ops.with_value(|o| {
        (
            o.has_latency,
            o.has_status,
            o.reference.buckets.iter().map(|b| b.requests).sum::<u64>(),
            o.reference.buckets.len(),
            o.reference.missing.len(),
        )
    });
    let missing_roles = match (has_latency, has_status) {
        (true, true) => None,
        (false, true) => Some(
            "No latency column is mapped, so there is no latency chart or alert. Choose one in the sidebar (Columns → Latency, in milliseconds).",
        ),
        (true, false) => Some(
            "No status column is mapped, so there is no error-rate chart or alert. Choose one in the sidebar (Columns → Status: an HTTP status, 5xx = error, or a 0/1 flag).",
        ),
        (false, false) => Some(
            "No latency or status column is mapped, so there are no latency or error-rate charts or alerts. Choose them in the sidebar (Columns → Latency in milliseconds, Status as an HTTP status or 0/1 error flag).",
        ),
    };
    let without_ts = ops.with_value(|o| o.reference.rows_without_timestamp);
    let for_charts = proposed.clone();

    view! {
        <div class="view operations-view" data-testid="operations-view"
            data-granularity=granularity.key()>
            <section class="card">
                <header class="card-head">
                    <h2>"Operations over time"</h2>
                    <p class="hint" data-testid="ops-summary">
                        {format!(
                            "{} buckets of one {} (UTC), {} rows with a timestamp{}. {}",
                            buckets,
                            granularity.key(),
                            group_thousands(rows as i64),
                            if without_ts > 0 { format!(", {} without", group_thousands(without_ts as i64)) } else { String::new() },
                            if auto { "The finest width with at most 1,000 buckets and 20 rows a bucket on average, chosen automatically." } else { "Width chosen by you." }
                        )}
                    </p>
                </header>
                <div class="inline-controls">
                    <label class="inline-field">"Bucket width"
                        <select data-testid="ops-granularity" data-value=granularity.key()
                            on:change=move |ev| {
                                let g = Granularity::from_key(&event_target_value(&ev));
                                state.settings.update(|s| s.ops_granularity = g);
                            }>
                            {choices.into_iter().map(|g| view! {
                                <option value=g.key() selected=g == granularity>{g.key()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    {has_current.then(|| view! {
                        <label class="inline-field">"Show"
                            <select data-testid="ops-source"
                                on:change=move |ev| source.set(if event_target_value(&ev) == "current" { Source::Current } else { Source::Reference })>
                                <option value="reference" selected=true>"reference file"</option>
                                <option value="current">"current file"</option>
                            </select>
                        </label>
                    })}
                </div>
                {missing_roles.map(|m| view! { <p class="hint note" data-testid="ops-missing-roles">{m}</p> })}
                <p class="hint">"Alert levels are drawn as dashed lines: grey for warning, vermillion for critical (on the Predictions chart, those of the predicted-positive rate). The first and last buckets may be only partly covered by the log, so their request rate reads low."</p>
            </section>
            <div class="grid-even">
                {move || {
                    let o = shown();
                    let proposed = for_charts.clone();
                    view! {
                        <OpsChart testid="ops-chart-requests" title="Request rate" y_label=rate_y_label stem="operations-requests"
                            series=vec![(format!("requests {}", unit.name), points(&o, |b| Some(b.rate_per_s * per_unit)))]
                            levels_of=Some(("request_rate", "")) level_scale=per_unit proposed=proposed.clone()/>
                        // A chart of a role that is not mapped would be empty axes; the note
                        // above the charts says what to map instead.
                        {has_latency.then(|| view! {
                            <OpsChart testid="ops-chart-latency" title="Latency" y_label="Milliseconds" stem="operations-latency"
                                series=vec![
                                    ("p50".into(), points(&o, |b| b.latency_p50)),
                                    ("p95".into(), points(&o, |b| b.latency_p95)),
                                    ("p99".into(), points(&o, |b| b.latency_p99)),
                                ]
                                levels_of=Some(("latency_p95", "p95 ")) proposed=proposed.clone()/>
                        })}
                        {has_status.then(|| view! {
                            <OpsChart testid="ops-chart-errors" title="Error rate" y_label="Share of requests" stem="operations-errors"
                                series=vec![("error rate".into(), points(&o, |b| b.error_rate))]
                                levels_of=Some(("error_rate", "")) proposed=proposed.clone()/>
                        })}
                        <OpsChart testid="ops-chart-scores" title="Predictions" y_label="Score / share" stem="operations-scores"
                            series=vec![
                                ("score p10".into(), points(&o, |b| b.score_p10)),
                                ("median".into(), points(&o, |b| b.score_p50)),
                                ("p90".into(), points(&o, |b| b.score_p90)),
                                ("predicted positive".into(), points(&o, |b| b.predicted_positive_rate)),
                            ]
                            levels_of=Some(("predicted_positive_rate", "")) proposed=proposed.clone()
                            y_range=Some((0.0, 1.0))/>
                        {(features > 0).then(|| view! {
                            <OpsChart testid="ops-chart-missing" title="Missing values" y_label="Share missing" stem="operations-missing"
                                y_range=missing_range(&o)
                                series=missing_series(&o)
                                levels_of=None proposed=proposed.clone()/>
                        })}
                    }
                }}
            </div>
            <Levels proposed=proposed.clone() granularity=granularity/>
            <BucketTable ops=Signal::derive(shown)/>
        </div>
    }
}

/// (bucket start, value) of one quantity; undefined values are NaN (not drawn).
fn points(o: &OpsReport, f: impl Fn(&OpsBucket) -> Option<f64>) -> Vec<(f64, f64)> {
    o.buckets
        .iter()
        .map(|b| (b.start as f64, f(b).unwrap_or(f64::NAN)))
        .collect()
}

/// Most features drawn on the missing-values chart (the palette has 8 colours).
const MAX_MISSING_SERIES: usize = 8;

/// Missing-rate series of the features whose rate is highest at some bucket, at most
/// [`MAX_MISSING_SERIES`].
fn missing_series(o: &OpsReport) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut m: Vec<_> = o.missing.iter().collect();
    let peak = |r: &[f64]| r.iter().copied().fold(0.0f64, f64::max);
    m.sort_by(|a, b| peak(&b.rates).total_cmp(&peak(&a.rates)));
    m.into_iter()
        .take(MAX_MISSING_SERIES)
        .map(|f| {
            let pts = o
                .buckets
                .iter()
                .zip(&f.rates)
                .map(|(b, &r)| (b.start as f64, r))
                .collect();
            (f.feature.clone(), pts)
        })
        .collect()
}

/// The missing-values chart's y range: a share runs from 0 to 1, so with every share zero (or
/// none defined) or one above a half the axis is [0, 1]; otherwise the chart's own range,
/// which starts at zero and zooms in on small shares.
fn missing_range(o: &OpsReport) -> Option<(f64, f64)> {
    let peak = o
        .missing
        .iter()
        .flat_map(|f| f.rates.iter().copied())
        .filter(|r| r.is_finite())
        .fold(0.0f64, f64::max);
    (peak == 0.0 || peak > 0.5).then_some((0.0, 1.0))
}

/// The warning and critical lines of one quantity's levels in force: (legend name, value,
/// critical).
fn level_lines(
    levels: &[AlertThreshold],
    quantity: &str,
    prefix: &str,
) -> Vec<(String, f64, bool)> {
    let Some(t) = levels.iter().find(|t| t.quantity == quantity) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (band, critical, name) in [
        (&t.warning, false, "warning"),
        (&t.critical, true, "critical"),
    ] {
        // Both sides of a band share one name (and one legend entry).
        for v in [band.upper, band.lower].into_iter().flatten() {
            out.push((format!("{prefix}{name}"), v, critical));
        }
    }
    out
}

/// One time-series chart of the view, with the alert levels of `levels_of` (quantity, legend
/// prefix) as they stand (edits redraw it), on a fixed y range when `y_range` is given.
#[component]
fn OpsChart(
    testid: &'static str,
    title: &'static str,
    y_label: &'static str,
    stem: &'static str,
    series: Vec<(String, Vec<(f64, f64)>)>,
    levels_of: Option<(&'static str, &'static str)>,
    proposed: Arc<Vec<AlertThreshold>>,
    #[prop(optional_no_strip)] y_range: Option<(f64, f64)>,
    /// What the levels are multiplied by to be drawn in the series' unit (1 by default).
    #[prop(default = 1.0)]
    level_scale: f64,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let series = StoredValue::new(series);
    let proposed = StoredValue::new(proposed);
    let lines = move |tracked: bool| -> Vec<(String, f64, bool)> {
        let Some((q, prefix)) = levels_of else {
            return Vec::new();
        };
        let edited = if tracked {
            state.ops_levels.get()
        } else {
            state.ops_levels.get_untracked()
        };
        let mut lines =
            proposed.with_value(|p| level_lines(&levels_in_force(&edited, p), q, prefix));
        for line in &mut lines {
            line.1 *= level_scale;
        }
        lines
    };
    let chart = move |lines: &[(String, f64, bool)], f: &mut dyn FnMut(&TimeSeriesChart)| {
        series.with_value(|s| {
            let c = TimeSeriesChart {
                series: s
                    .iter()
                    .map(|(name, pts)| Series {
                        name: name.as_str(),
                        points: pts.as_slice(),
                    })
                    .collect(),
                reference: None,
                y_label: Some(y_label),
                y_range,
                levels: lines
                    .iter()
                    .map(|(name, y, critical)| AlertLevel {
                        name: name.as_str(),
                        y: *y,
                        critical: *critical,
                    })
                    .collect(),
            };
            f(&c)
        })
    };
    let spec = ChartSpec {
        testid,
        aria: format!("{title} per time bucket, with its alert levels"),
        file_stem: stem,
        aspect: 0.62,
        height: (280, 460),
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        let l = lines(true);
        let style = style.clone().with_title(title);
        let mut out = None;
        chart(&l, &mut |c| {
            out = Some(render::time_series_chart(area, c, &style));
        });
        out.unwrap_or_else(|| Err(render::RenderError::Backend("no chart".into())))
    };
    let svg = move || {
        let l = lines(false);
        let (w, h) = SVG_WIDE;
        let style = ChartStyle::new(w, h).with_title(title);
        let mut out = None;
        chart(&l, &mut |c| {
            out = Some(render::time_series_chart_svg(c, &style));
        });
        out.unwrap_or_else(|| Err(render::RenderError::Backend("no chart".into())))
    };
    let tooltip = move |l: &ChartLayout, x: f64, y: f64| {
        let m = l.hit(x, y, (6.0 * l.dpr) as i32)?;
        series.with_value(|s| {
            let (name, pts) = s.get(m.series)?;
            let (t, v) = pts.get(m.index)?;
            Some(format!(
                "{} UTC\n{name}: {}",
                render::format_timestamp(*t),
                short(Some(*v))
            ))
        })
    };
    view! {
        <section class="card chart-block" data-testid=format!("{testid}-block")>
            {canvas_chart(spec, draw, svg, tooltip, None, None)}
        </section>
    }
}

/// Which level an input edits.
#[derive(Clone, Copy)]
enum Level {
    Warning,
    Critical,
}

/// Which side of the band an input edits.
#[derive(Clone, Copy)]
enum Side {
    Lower,
    Upper,
}

/// The proposed levels, editable, and the exports that use them.
#[component]
fn Levels(proposed: Arc<Vec<AlertThreshold>>, granularity: Granularity) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Levels from a share link apply to this proposal once, as if edited here.
    if let Some(shared) = state.shared_levels.get_untracked() {
        state.shared_levels.set(None);
        let applied = crate::core::share::apply_levels(&proposed, &shared);
        if applied.as_slice() != proposed.as_slice() {
            state.ops_levels.set(Some((proposed.to_vec(), applied)));
        }
    }
    let base = StoredValue::new(proposed.clone());
    let in_force = move || {
        state
            .ops_levels
            .with(|e| base.with_value(|p| levels_in_force(e, p)))
    };
    let edited_count = Memo::new(move |_| {
        base.with_value(|p| {
            in_force()
                .iter()
                .zip(p.iter())
                .filter(|(a, b)| a != b)
                .count()
        })
    });
    let export = move |which: &'static str| {
        let name = state
            .file
            .with_untracked(|f| f.as_ref().map(|f| f.name.clone()))
            .unwrap_or_default();
        let levels = state
            .ops_levels
            .with_untracked(|e| base.with_value(|p| levels_in_force(e, p)));
        let files = analysis::monitoring_files(&levels, granularity, &name);
        let result = match which {
            "prometheus" => {
                crate::web::download("plumb-rules.yml", "application/yaml", &files.rules_yaml)
            }
            "grafana" => crate::web::download(
                "plumb-dashboard.json",
                "application/json",
                &files.dashboard_json,
            ),
            _ => crate::web::download(
                "plumb-alertmanager.yml",
                "application/yaml",
                &files.policy_yaml,
            ),
        };
        if let Err(e) = result {
            leptos::logging::error!("alert export: {e}");
        }
    };
    let rows = proposed
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let q = t.quantity.clone();
            let scale = display_scale(&q, granularity);
            let both = t.direction == Direction::Both;
            let input = |level: Level, side: Side| {
                let band = match level {
                    Level::Warning => t.warning,
                    Level::Critical => t.critical,
                };
                let (initial, suffix) = match side {
                    Side::Upper => (band.upper, ""),
                    Side::Lower => (band.lower, if both { "-lower" } else { "" }),
                };
                let name = match level {
                    Level::Warning => "warning",
                    Level::Critical => "critical",
                };
                view! {
                    <LevelInput proposed=proposed.clone() index=i level=level side=side
                        testid=format!("alert-{q}-{name}{suffix}") initial=initial scale=scale/>
                }
            };
            let cell = |level: Level| match t.direction {
                Direction::Above => input(level, Side::Upper).into_any(),
                Direction::Below => input(level, Side::Lower).into_any(),
                Direction::Both => view! {
                    <div class="level-pair">
                        <span class="hint">"below"</span>{input(level, Side::Lower)}
                        <span class="hint">"above"</span>{input(level, Side::Upper)}
                    </div>
                }
                .into_any(),
            };
            let direction = match t.direction {
                Direction::Above => "above",
                Direction::Below => "below",
                Direction::Both => "either side",
            };
            view! {
                <tr data-testid=format!("alert-{q}") data-quantity=q.clone()>
                    <td title=t.basis.clone()>{quantity_label(&q, granularity)}
                        <div class="hint">{format!("alert {direction}; pages {}", crate::core::export::prometheus::owner(&q))}</div>
                    </td>
                    <td class="num" data-field="mean" data-value=t.mean.to_string()>{short(Some(t.mean * scale))}</td>
                    <td class="num" data-field="std" data-value=t.std.to_string()>{short(Some(t.std * scale))}
                        {t.sampling_std.filter(|&s| s > t.std).map(|s| view! {
                            <div class="hint" data-field="sampling_std" data-value=s.to_string()
                                title="the binomial sampling σ of a bucket of the reference's mean size, which the levels use">
                                {format!("levels use {}", short(Some(s)))}
                            </div>
                        })}
                    </td>
                    <td class="num">{t.buckets.to_string()}</td>
                    <td>{cell(Level::Warning)}</td>
                    <td>{cell(Level::Critical)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="alert-thresholds">
            <header class="card-head">
                <h2>"Alert levels"</h2>
                <p class="hint">
                    "Proposed from the reference file's own variation across buckets: warning at mean ± 2σ, critical at mean ± 3σ (Shewhart control limits), on the side(s) where a change is bad; shares are kept within [0, 1]. A share of rows (errors, predicted positives, missing values) uses at least the σ that sampling alone gives a bucket of the reference's mean size (p chart), so a feature never missing does not alert on one missing value. Edit any level (latency in milliseconds, rates as shares); clear it to drop that alert. The downloads use the levels as shown."
                </p>
            </header>
            <div class="table-scroll">
                <table class="table levels-table">
                    <thead><tr>
                        <th>"Quantity"</th><th class="num">"Mean"</th><th class="num">"σ"</th>
                        <th class="num">"Buckets"</th><th>"Warning"</th><th>"Critical"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="chart-actions">
                <div class="chart-options">
                    <span class="hint" data-testid="alert-edited" data-value=move || edited_count.get().to_string()>
                        {move || match edited_count.get() {
                            0 => "Levels as proposed.".to_string(),
                            1 => "1 quantity edited.".to_string(),
                            n => format!("{n} quantities edited."),
                        }}
                    </span>
                    <button class="button" data-testid="alert-reset" type="button"
                        on:click=move |_| state.ops_levels.set(None)>"Reset to proposed"</button>
                </div>
                // Disabled while a newer analysis runs: the report on screen is the previous one.
                <button class="button" data-testid="export-prometheus" type="button"
                    disabled=move || super::work::busy(state)
                    on:click=move |_| export("prometheus")>"Prometheus rules (YAML)"</button>
                <button class="button" data-testid="export-grafana" type="button"
                    disabled=move || super::work::busy(state)
                    on:click=move |_| export("grafana")>"Grafana dashboard (JSON)"</button>
                <button class="button" data-testid="export-alertmanager" type="button"
                    disabled=move || super::work::busy(state)
                    on:click=move |_| export("alertmanager")>"Alertmanager policy (YAML)"</button>
            </div>
        </section>
    }
}

/// One editable level. Empty clears it; a number must be finite, ≥ 0, and ≤ 1 for shares.
#[component]
fn LevelInput(
    proposed: Arc<Vec<AlertThreshold>>,
    index: usize,
    level: Level,
    side: Side,
    testid: String,
    initial: Option<f64>,
    /// The view's units per stored unit (see [`display_scale`]): the input shows and takes
    /// `value × scale`; the level is kept (and exported) unscaled.
    scale: f64,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let invalid = RwSignal::new(false);
    let share = proposed.get(index).is_some_and(|t| is_share(&t.quantity));
    // The value in force (an earlier edit survives switching tabs).
    let shown = state.ops_levels.with_untracked(|e| {
        levels_in_force(e, &proposed)
            .get(index)
            .map(|t| band_side(t, level, side))
            .unwrap_or(initial)
    });
    let on_change = move |ev: web_sys::Event| {
        let text = event_target_value(&ev);
        let text = text.trim();
        let value = if text.is_empty() {
            None
        } else {
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 && (!share || v <= 1.0) => Some(v / scale),
                _ => {
                    invalid.set(true);
                    return;
                }
            }
        };
        invalid.set(false);
        state.ops_levels.update(|e| {
            let mut levels = levels_in_force(e, &proposed);
            if let Some(t) = levels.get_mut(index) {
                let band: &mut Band = match level {
                    Level::Warning => &mut t.warning,
                    Level::Critical => &mut t.critical,
                };
                match side {
                    Side::Lower => band.lower = value,
                    Side::Upper => band.upper = value,
                }
            }
            *e = Some((proposed.to_vec(), levels));
        });
    };
    view! {
        <input type="text" inputmode="decimal" class="limit-input" data-testid=testid.clone()
            aria-label=testid
            data-proposed=data_value(initial)
            prop:value=if shown.is_some() { short(shown.map(|v| v * scale)) } else { String::new() }
            placeholder="none"
            class:invalid=move || invalid.get()
            aria-invalid=move || invalid.get().to_string()
            title=if share { "A share in [0, 1]; empty: no alert" } else { "A number ≥ 0; empty: no alert" }
            on:change=on_change/>
    }
}

fn band_side(t: &AlertThreshold, level: Level, side: Side) -> Option<f64> {
    let band = match level {
        Level::Warning => t.warning,
        Level::Critical => t.critical,
    };
    match side {
        Side::Lower => band.lower,
        Side::Upper => band.upper,
    }
}

/// Every bucket's numbers, as the charts draw them (`data-value` holds full precision). The
/// rows are built when the table is opened: up to a thousand buckets of eleven cells made
/// showing the view one task of ≈ 150 ms at a million rows (issue #9).
#[component]
fn BucketTable(ops: Signal<OpsReport>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <details class="card" data-testid="ops-buckets"
            on:toggle=move |ev| open.set(super::chart::details_open(&ev))>
            <summary>"Values per bucket"</summary>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th>"Bucket start (UTC)"</th><th class="num">"Requests"</th><th class="num">"Per second"</th>
                        <th class="num">"Latency p50"</th><th class="num">"p95"</th><th class="num">"p99"</th>
                        <th class="num">"Error rate"</th><th class="num">"Score p10"</th><th class="num">"Median"</th>
                        <th class="num">"p90"</th><th class="num">"Predicted positive"</th>
                    </tr></thead>
                    <tbody>
                        {move || open.get().then(|| {
                            let o = ops.get();
                            o.buckets.iter().enumerate().map(|(i, b)| {
                                let cell = |field: &'static str, v: Option<f64>| view! {
                                    <td class="num" data-field=field data-value=data_value(v)>{short(v)}</td>
                                };
                                view! {
                                    <tr data-testid=format!("ops-bucket-{i}") data-start=b.start.to_string()>
                                        <td class="mono">{render::format_timestamp(b.start as f64)}</td>
                                        <td class="num" data-field="requests" data-value=b.requests.to_string()>{group_thousands(b.requests as i64)}</td>
                                        {cell("rate_per_s", Some(b.rate_per_s))}
                                        {cell("latency_p50", b.latency_p50)}
                                        {cell("latency_p95", b.latency_p95)}
                                        {cell("latency_p99", b.latency_p99)}
                                        {cell("error_rate", b.error_rate)}
                                        {cell("score_p10", b.score_p10)}
                                        {cell("score_p50", b.score_p50)}
                                        {cell("score_p90", b.score_p90)}
                                        {cell("predicted_positive_rate", b.predicted_positive_rate)}
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </tbody>
                </table>
            </div>
        </details>
    }
}
