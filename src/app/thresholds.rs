//! The Thresholds view: metrics against the decision threshold with a threshold the user drags
//! (or types in the sidebar), the confusion matrix and rates at that threshold, the cost
//! matrix, the optimal thresholds with one-click "use this threshold", and ROC / PR curves
//! with the current operating point.
//!
//! Interactions stay smooth because nothing here recomputes the report while the pointer
//! moves: the chart lines come from the report's 101-point `sweep`, and the exact counts at the
//! dragged threshold from [`analysis::threshold_point`] on an exact [`Sweep`] built once per
//! file and column mapping in the worker and kept on the page (O(log n) per lookup). The threshold is written to the settings —
//! and the report recomputed — once, on release.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use leptos::prelude::*;
use send_wrapper::SendWrapper;

use super::chart::{self, CanvasArea, ChartSpec, ThresholdDrag};
use super::curves::CurveCharts;
use super::empty::{AnalysisError, NoLog};
use super::{AppState, settings_field};
use crate::core::analysis;
use crate::core::catalog::{Format, format_value, group_thousands};
use crate::core::metrics::threshold::Sweep;
use crate::core::render::{
    self, ChartLayout, ChartStyle, MarkKind, Series, ThresholdChart, ThresholdMarker,
};
use crate::core::report::{CostMatrix, OptimalThresholdReport, ThresholdPoint, WindowReport};
use crate::web::client::SweepParts;

/// An exact sweep shared by reference; equal only to itself, so memos compare in O(1).
/// Decoded from the worker's arrays when the page is next idle ([`ExactSweep::decode_when_idle`])
/// or the first time a view reads it ([`ExactSweep::get`]), so a first answer is shown without
/// copying a value per distinct score.
#[derive(Clone)]
pub struct ExactSweep(Arc<LazySweep>);

/// The arrays until first read (the page is one thread: `SendWrapper` only lets them sit in
/// a signal), then the sweep decoded from them.
struct LazySweep {
    parts: SendWrapper<RefCell<Option<SweepParts>>>,
    sweep: OnceLock<Option<Sweep>>,
}

impl ExactSweep {
    /// The sweep of arrays that came with a report, not decoded yet.
    pub fn new(parts: SweepParts) -> Self {
        Self(Arc::new(LazySweep {
            parts: SendWrapper::new(RefCell::new(Some(parts))),
            sweep: OnceLock::new(),
        }))
    }

    /// The sweep (decoded on the first call, the arrays then dropped); `None` if the arrays
    /// were not a valid sweep.
    pub fn get(&self) -> Option<&Sweep> {
        Self::decoded(&self.0)
    }

    fn decoded(lazy: &LazySweep) -> Option<&Sweep> {
        lazy.sweep
            .get_or_init(|| lazy.parts.borrow_mut().take().and_then(|p| p.decode()))
            .as_ref()
    }

    /// Decode the sweep when the page is next idle (`requestIdleCallback`: after the answer is
    /// drawn), unless it has been replaced and dropped by then. Decoding copies three arrays
    /// of a value per distinct score into wasm memory (≈ 14 MB at a million rows) and the
    /// browser then collects the garbage: done when Thresholds is first opened, that made the
    /// view's first task 56–71 ms at a million rows. Without `requestIdleCallback` the sweep
    /// is decoded on first use, as before.
    pub fn decode_when_idle(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = Arc::downgrade(&self.0);
        let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(lazy) = weak.upgrade() {
                let _ = Self::decoded(&lazy);
            }
        });
        let _ = window.request_idle_callback(wasm_bindgen::JsCast::unchecked_ref(&cb));
    }
}

impl PartialEq for ExactSweep {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The exact sweep of the loaded file's used rows, by context. Computed by the worker once per
/// file and mapping and transferred with the report — not per settings change or frame.
#[derive(Clone, Copy)]
pub struct SweepCache(pub Memo<Option<ExactSweep>>);

/// Put the [`SweepCache`] of `state` in context.
pub fn provide_sweep(state: AppState) {
    let memo = Memo::new(move |_| {
        if !state.window.with(sweep_applies) {
            return None;
        }
        state
            .sweep
            .with(|s| s.as_ref().map(|(_, sweep)| sweep.clone()))
    });
    provide_context(SweepCache(memo));
}

/// Whether the views read the exact sweep under `window`: only for the whole log. With two
/// windows the sweep of the whole file would not be the current window's; the views then read
/// the report's own numbers for the current window.
pub fn sweep_applies(window: &crate::core::report::WindowSpec) -> bool {
    *window == crate::core::report::WindowSpec::All
}

/// A metric the threshold chart can draw.
#[derive(Clone, Copy)]
struct LineMetric {
    key: &'static str,
    label: &'static str,
    get: fn(&ThresholdPoint) -> Option<f64>,
}

/// The metrics offered as lines, in the order (and palette colour) they are drawn.
const LINES: [LineMetric; 6] = [
    LineMetric {
        key: "precision",
        label: "Precision",
        get: |p| p.precision,
    },
    LineMetric {
        key: "recall",
        label: "Recall",
        get: |p| p.recall,
    },
    LineMetric {
        key: "f1",
        label: "F1",
        get: |p| p.f1,
    },
    LineMetric {
        key: "ppr",
        label: "Predicted positive rate",
        get: |p| p.predicted_positive_rate,
    },
    LineMetric {
        key: "cost",
        label: "Expected cost",
        get: |p| p.expected_cost,
    },
    LineMetric {
        key: "net_benefit",
        label: "Net benefit",
        get: |p| p.net_benefit,
    },
];

/// A person's name for an optimal-threshold rule, its short chart label, and what it does.
fn rule_text(rule: &str) -> (&'static str, &'static str, &'static str) {
    match rule {
        "max_f1" => (
            "Maximum F1",
            "max F1",
            "Best harmonic mean of precision and recall.",
        ),
        "max_youden" => (
            "Maximum Youden J",
            "max J",
            "Best recall + specificity − 1: the ROC point farthest above chance.",
        ),
        "min_expected_cost" => (
            "Minimum expected cost",
            "min cost",
            "Cheapest per row under the cost matrix below.",
        ),
        _ => ("Rule", "rule", ""),
    }
}

/// The Thresholds tab.
#[component]
pub fn Thresholds() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Re-render the whole view only when the report appears, disappears or fails — not when a
    // new report replaces an old one (the parts below follow `window` reactively).
    let phase = Memo::new(move |_| {
        state.report.with(|r| match r {
            None => None,
            Some(Ok(_)) => Some(Ok(())),
            Some(Err(e)) => Some(Err(e.clone())),
        })
    });
    move || {
        match phase.get() {
        None => view! { <NoLog hint="Load a prediction log to choose a decision threshold." testid="thresholds-empty"/> }.into_any(),
        Some(Err(msg)) => view! { <AnalysisError heading="This log cannot be analysed yet" message=msg/> }.into_any(),
        Some(Ok(())) => view! { <ThresholdWorkbench/> }.into_any(),
    }
    }
}

/// Everything on the Thresholds tab once a report exists.
#[component]
fn ThresholdWorkbench() -> impl IntoView {
    let state = expect_context::<AppState>();
    let settings = state.settings;
    let sweep = expect_context::<SweepCache>().0;
    let window: Memo<Option<WindowReport>> = Memo::new(move |_| {
        state
            .report
            .with(|r| Some(super::primary_window(r.as_ref()?.as_ref().ok()?)))
    });
    let drag = ThresholdDrag {
        live: RwSignal::new(settings.with_untracked(|s| s.threshold)),
        dragging: RwSignal::new(false),
        settings,
    };
    let live = drag.live;
    // Typed thresholds, "use this threshold" and the report all move the live threshold too.
    Effect::new(move |_| {
        let t = settings.with(|s| s.threshold);
        if !drag.dragging.get_untracked() {
            live.set(t);
        }
    });
    // Exact counts and rates at the live threshold: O(log n) per change.
    let point: Memo<Option<ThresholdPoint>> = Memo::new(move |_| {
        let t = live.get();
        let costs = settings.with(analysis::costs_of);
        sweep
            .with(|s| {
                s.as_ref()
                    .and_then(ExactSweep::get)
                    .map(|s| analysis::threshold_point(s, t, &costs))
            })
            .or_else(|| window.with(|w| w.as_ref()?.at_threshold.clone()))
    });
    let selected = RwSignal::new([true, true, true, false, false, false]);

    view! {
        <div class="view thresholds-view" data-testid="thresholds-view">
            <div class="thresholds-top">
                <section class="card chart-card" data-testid="threshold-chart-card">
                    <header class="card-head">
                        <h2>"Metrics against the threshold"</h2>
                        <p class="hint">"A row is predicted positive when its score ≥ t. Drag the line (or click the chart, or focus it and use ←/→) to move t; it is applied when you release."</p>
                    </header>
                    <MetricPicker selected=selected/>
                    {threshold_chart(window, selected, drag, sweep)}
                </section>
                <DecisionCard point=point live=live dragging=drag.dragging/>
            </div>
            <div class="thresholds-mid">
                <OptimaCard window=window live=live/>
                <CostCard/>
            </div>
            <CurveCharts window=window point=point live=live dragging=drag.dragging/>
        </div>
    }
}

/// Checkboxes choosing the chart's lines.
#[component]
fn MetricPicker(selected: RwSignal<[bool; 6]>) -> impl IntoView {
    view! {
        <fieldset class="metric-picker">
            <legend class="sr-only">"Lines to draw"</legend>
            {LINES.iter().enumerate().map(|(i, m)| view! {
                <label class="check">
                    <input type="checkbox" data-testid=format!("series-{}", m.key)
                        prop:checked=move || selected.with(|s| s[i])
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| s[i] = on);
                        } />
                    {format!(" {}", m.label)}
                </label>
            }).collect_view()}
        </fieldset>
    }
}

/// The chosen metric lines of a window's sweep, with their names.
fn lines_of(w: &WindowReport, selected: [bool; 6]) -> Vec<(&'static str, Vec<(f64, f64)>)> {
    LINES
        .iter()
        .zip(selected)
        .filter(|(_, on)| *on)
        .map(|(m, _)| {
            let pts = w
                .sweep
                .iter()
                .filter_map(|p| (m.get)(p).map(|v| (p.threshold, v)))
                .collect();
            (m.label, pts)
        })
        .collect()
}

/// The optimal thresholds that exist, with their chart labels.
fn optima_of(w: &WindowReport) -> Vec<(&'static str, f64)> {
    w.optimal_thresholds
        .iter()
        .filter_map(|o| Some((rule_text(&o.rule).1, o.threshold?)))
        .collect()
}

/// The y-axis title for the chosen lines.
fn y_label(selected: [bool; 6]) -> &'static str {
    match selected {
        [false, false, false, false, true, false] => "Expected cost per row",
        [false, false, false, false, false, true] => "Net benefit",
        _ => "Metric value",
    }
}

/// Draw (or export) the threshold chart of a window (`t: None` leaves the current-threshold
/// line out, for the cached layer under a drag).
fn draw_threshold<T>(
    w: &WindowReport,
    selected: [bool; 6],
    t: Option<f64>,
    f: impl FnOnce(&ThresholdChart) -> T,
) -> T {
    let lines = lines_of(w, selected);
    let optima = optima_of(w);
    let chart = ThresholdChart {
        series: lines
            .iter()
            .map(|(name, points)| Series {
                name,
                points: points.as_slice(),
            })
            .collect(),
        current: t,
        optima: optima
            .iter()
            .map(|(name, x)| ThresholdMarker { name, x: *x })
            .collect(),
        y_label: Some(y_label(selected)),
        y_range: None,
    };
    f(&chart)
}

/// The metric-vs-threshold chart with the draggable threshold.
fn threshold_chart(
    window: Memo<Option<WindowReport>>,
    selected: RwSignal<[bool; 6]>,
    drag: ThresholdDrag,
    sweep: Memo<Option<ExactSweep>>,
) -> impl IntoView {
    let spec = ChartSpec {
        testid: "threshold-chart",
        aria: "Precision, recall and the other chosen metrics against the decision threshold, \
               with the current threshold as a vertical line and the optimal thresholds marked"
            .to_string(),
        file_stem: "thresholds",
        // Taller than the other charts: the optima's labels and "t = …" take rows above the
        // plot (clear of the curves), and the plot keeps its height.
        aspect: 0.7,
        height: (380, 600),
    };
    // While dragging, the cached chart leaves the threshold line out (the overlay paints it),
    // and does not depend on the live threshold, so it is not redrawn per frame.
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        let sel = selected.get();
        let t = (!drag.dragging.get()).then(|| drag.live.get());
        window.with(|w| {
            let empty = WindowReport::default();
            let w = w.as_ref().unwrap_or(&empty);
            draw_threshold(w, sel, t, |c| render::threshold_chart(area, c, style))
        })
    };
    let svg = move || {
        let sel = selected.get_untracked();
        let t = drag.live.get_untracked();
        let (width, height) = chart::SVG_WIDE;
        window.with_untracked(|w| {
            let empty = WindowReport::default();
            let w = w.as_ref().unwrap_or(&empty);
            draw_threshold(w, sel, Some(t), |c| {
                render::threshold_chart_svg(c, &ChartStyle::new(width, height))
            })
        })
    };
    let tooltip = move |l: &ChartLayout, x: f64, y: f64| -> Option<String> {
        if !l.main.contains(x, y) {
            return None;
        }
        if let Some(m) = l.hit(x, y, (4.0 * l.dpr) as i32)
            && m.kind == MarkKind::Optimum
        {
            let name = window.with_untracked(|w| {
                let o = w
                    .as_ref()?
                    .optimal_thresholds
                    .iter()
                    .filter(|o| o.threshold.is_some())
                    .nth(m.index)?;
                Some(rule_text(&o.rule).0)
            })?;
            return Some(format!(
                "{name}\nt = {:.4}\nClick the line to move t here",
                m.x
            ));
        }
        let t = chart::round_threshold(l.threshold_at(x));
        let costs = drag.settings.with_untracked(analysis::costs_of);
        let p = sweep.with_untracked(|s| {
            s.as_ref()
                .and_then(ExactSweep::get)
                .map(|s| analysis::threshold_point(s, t, &costs))
        })?;
        Some(format!(
            "t = {t:.3}\nPrecision {}\nRecall {}\nF1 {}\nFlagged {} of {}",
            format_value(Format::Decimal, p.precision),
            format_value(Format::Decimal, p.recall),
            format_value(Format::Decimal, p.f1),
            group_thousands((p.tp + p.fp) as i64),
            group_thousands((p.tp + p.fp + p.tn + p.fn_) as i64),
        ))
    };
    let overlay = move |area: &CanvasArea, l: &ChartLayout, style: &ChartStyle| {
        if drag.dragging.get() {
            render::threshold_overlay(area, &l.main, drag.live.get(), style)?;
        }
        Ok(())
    };
    chart::canvas_chart_layered(
        spec,
        draw,
        std::rc::Rc::new(overlay),
        svg,
        tooltip,
        Some(drag),
    )
}

/// A threshold for display: at most four decimals, trailing zeros dropped (the exact value is
/// in `data-value`).
fn show_threshold(t: f64) -> String {
    let s = format!("{t:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A confusion-matrix cell with its exact count.
fn cell(
    point: Memo<Option<ThresholdPoint>>,
    key: &'static str,
    name: &'static str,
    hint: &'static str,
    get: fn(&ThresholdPoint) -> u64,
) -> impl IntoView {
    let count = move || point.with(|p| p.as_ref().map(get));
    let share = move || {
        point.with(|p| {
            let p = p.as_ref()?;
            let n = p.tp + p.fp + p.tn + p.fn_;
            // Display only: the share of rows in this cell.
            (n > 0).then(|| format!("{:.1}% of rows", 100.0 * get(p) as f64 / n as f64))
        })
    };
    view! {
        <div class=format!("cm-cell cm-{key}") role="cell" data-testid=format!("confusion-{key}")
            data-value=move || count().map(|c| c.to_string()).unwrap_or_default()
            title=hint>
            <span class="cm-name">{name}</span>
            <span class="cm-count">{move || count().map(|c| group_thousands(c as i64)).unwrap_or_else(|| "—".into())}</span>
            <span class="cm-share">{share}</span>
        </div>
    }
}

/// One rate at the live threshold.
fn rate(
    point: Memo<Option<ThresholdPoint>>,
    key: &'static str,
    label: &'static str,
    format: Format,
    get: fn(&ThresholdPoint) -> Option<f64>,
) -> impl IntoView {
    let value = move || point.with(|p| p.as_ref().and_then(get));
    view! {
        <div class="rate" data-testid=format!("at-{key}")
            data-value=move || value().filter(|v| v.is_finite()).map(|v| format!("{v:?}")).unwrap_or_default()>
            <dt>{label}</dt>
            <dd>{move || format_value(format, value())}</dd>
        </div>
    }
}

/// The confusion matrix and rates at the live threshold.
#[component]
fn DecisionCard(
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
    dragging: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <section class="card decision-card" data-testid="decision-card" aria-live="polite">
            <header class="card-head row">
                <h2>"Decisions at t = "
                    <span class="t-value" data-testid="threshold-live" data-value=move || format!("{:?}", live.get())>
                        {move || show_threshold(live.get())}
                    </span>
                </h2>
                {move || dragging.get().then(|| view! { <span class="chip neutral">"release to apply"</span> })}
            </header>
            // ARIA table: cells sit in rows (`display: contents` keeps the CSS grid).
            <div class="confusion" role="table" aria-label="Confusion matrix">
                <div class="cm-row" role="row">
                    <div class="cm-corner" role="cell"></div>
                    <div class="cm-head" role="columnheader">"Actual positive"</div>
                    <div class="cm-head" role="columnheader">"Actual negative"</div>
                </div>
                <div class="cm-row" role="row">
                    <div class="cm-side" role="rowheader">"Predicted positive"<small>"score ≥ t"</small></div>
                    {cell(point, "tp", "True positives", "Positives flagged", |p| p.tp)}
                    {cell(point, "fp", "False positives", "Negatives flagged (false alarms)", |p| p.fp)}
                </div>
                <div class="cm-row" role="row">
                    <div class="cm-side" role="rowheader">"Predicted negative"<small>"score < t"</small></div>
                    {cell(point, "fn", "False negatives", "Positives missed", |p| p.fn_)}
                    {cell(point, "tn", "True negatives", "Negatives passed", |p| p.tn)}
                </div>
            </div>
            <dl class="rates">
                {rate(point, "precision", "Precision", Format::Decimal, |p| p.precision)}
                {rate(point, "recall", "Recall (TPR)", Format::Decimal, |p| p.recall)}
                {rate(point, "specificity", "Specificity", Format::Decimal, |p| p.specificity)}
                {rate(point, "fpr", "False positive rate", Format::Decimal, |p| p.fpr)}
                {rate(point, "f1", "F1", Format::Decimal, |p| p.f1)}
                {rate(point, "accuracy", "Accuracy", Format::Decimal, |p| p.accuracy)}
                {rate(point, "balanced_accuracy", "Balanced accuracy", Format::Decimal, |p| p.balanced_accuracy)}
                {rate(point, "mcc", "MCC", Format::Decimal, |p| p.mcc)}
                {rate(point, "predicted_positive_rate", "Flagged", Format::Percent, |p| p.predicted_positive_rate)}
                {rate(point, "expected_cost", "Expected cost / row", Format::Decimal, |p| p.expected_cost)}
                {rate(point, "net_benefit", "Net benefit", Format::Decimal, |p| p.net_benefit)}
            </dl>
        </section>
    }
}

/// The cost matrix inputs (`settings.costs`).
#[component]
fn CostCard() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let input = move |key: &'static str,
                      label: &'static str,
                      get: fn(&CostMatrix) -> f64,
                      set: fn(&mut CostMatrix, f64)| {
        let id = format!("cost-{key}");
        let value = settings_field(settings, move |s| get(&s.costs).to_string());
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input type="number" step="any" id=id.clone() data-testid=id
                    prop:value=move || value.get()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>()
                            && v.is_finite()
                        {
                            settings.update(|s| set(&mut s.costs, v));
                        }
                    } />
            </div>
        }
    };
    view! {
        <section class="card cost-card" data-testid="cost-card">
            <header class="card-head">
                <h2>"Cost matrix"</h2>
                <p class="hint">"Cost per row of each outcome (negative = a benefit). Expected cost = (c_TP·TP + c_FP·FP + c_FN·FN + c_TN·TN) / n; the default 1/1/0/0 makes it the error rate."</p>
            </header>
            <div class="cost-grid">
                {input("fp", "c_FP (false positive)", |c| c.fp, |c, v| c.fp = v)}
                {input("fn", "c_FN (false negative)", |c| c.fn_, |c, v| c.fn_ = v)}
                {input("tp", "c_TP (true positive)", |c| c.tp, |c, v| c.tp = v)}
                {input("tn", "c_TN (true negative)", |c| c.tn, |c, v| c.tn = v)}
            </div>
        </section>
    }
}

/// The optimal thresholds of the report, each with a "use this threshold" button.
#[component]
fn OptimaCard(window: Memo<Option<WindowReport>>, live: RwSignal<f64>) -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let rows = move || {
        let optima: Vec<OptimalThresholdReport> = window.with(|w| {
            w.as_ref()
                .map(|w| w.optimal_thresholds.clone())
                .unwrap_or_default()
        });
        optima
            .into_iter()
            .map(|o| {
                let (name, _, what) = rule_text(&o.rule);
                let value_format = if o.rule == "min_expected_cost" {
                    format!("cost {}", format_value(Format::Decimal, Some(o.value)))
                } else {
                    format_value(Format::Decimal, Some(o.value))
                };
                let t = o.threshold;
                let is_current = move || t.is_some_and(|t| settings.with(|s| s.threshold == t));
                view! {
                    <tr data-testid=format!("optimum-{}", o.rule)
                        data-threshold=t.map(|t| format!("{t:?}")).unwrap_or_default()>
                        <td><strong>{name}</strong><div class="hint">{what}</div></td>
                        <td class="num">{t.map(|t| format!("{t:.4}")).unwrap_or_else(|| "none (flag nothing)".into())}</td>
                        <td class="num">{value_format}</td>
                        <td class="num">
                            <button class="button small" data-testid=format!("use-threshold-{}", o.rule)
                                disabled=move || t.is_none() || is_current()
                                on:click=move |_| {
                                    if let Some(t) = t {
                                        live.set(t);
                                        settings.update(|s| s.threshold = t);
                                    }
                                }>
                                {move || if is_current() { "In use" } else { "Use this threshold" }}
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card optima-card" data-testid="optima-card">
            <header class="card-head">
                <h2>"Optimal thresholds"</h2>
                <p class="hint">"Exact optima over every distinct score (not the 0.01 grid of the chart), under the cost matrix."</p>
            </header>
            <table class="table">
                <thead><tr><th>"Rule"</th><th class="num">"Threshold"</th><th class="num">"Value"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
