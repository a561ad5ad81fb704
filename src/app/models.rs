//! The Models view: champion vs challenger score columns on the same rows (`report.models`).
//! A table of each model's AUC, AP (with intervals), ECE, Brier score and log loss; a table of
//! each challenger against the champion (paired DeLong test of the AUCs, paired bootstrap of
//! the ECE and Brier differences); and the reliability diagrams and ROC/PR curves of all models
//! overlaid in the Okabe–Ito palette. Every number is read from the report.

use leptos::prelude::*;

use super::AppState;
use super::chart::{self, CanvasArea, ChartSpec};
use super::compare::fmt;
use super::empty::{AnalysisError, NoLog};
use crate::core::catalog::group_thousands;
use crate::core::metrics::compare_models::{ModelMetrics, ModelsReport, PairedTest};
use crate::core::render::{
    self, ChartLayout, ChartStyle, PrChart, PrCurve, ReliabilityChart, ReliabilitySeries, RocChart,
    RocCurve, Series, ThresholdChart,
};
use crate::core::report::ThresholdPoint;

/// Metrics the models' sweep chart can show: (key, label).
const SWEEP_METRICS: [(&str, &str); 6] = [
    ("f1", "F1"),
    ("precision", "Precision"),
    ("recall", "Recall"),
    ("predicted_positive_rate", "Predicted-positive rate"),
    ("net_benefit", "Net benefit"),
    ("expected_cost", "Expected cost"),
];

/// The `metric`-th of [`SWEEP_METRICS`] at one sweep point.
fn sweep_value(p: &ThresholdPoint, metric: usize) -> Option<f64> {
    match metric {
        0 => p.f1,
        1 => p.precision,
        2 => p.recall,
        3 => p.predicted_positive_rate,
        4 => p.net_benefit,
        _ => p.expected_cost,
    }
}

/// Each model's (threshold, value) points of the chosen metric.
fn sweep_lines(m: &ModelsReport, metric: usize) -> Vec<(String, Vec<(f64, f64)>)> {
    m.models
        .iter()
        .map(|x| {
            let points = x
                .sweep
                .iter()
                .filter_map(|p| sweep_value(p, metric).map(|v| (p.threshold, v)))
                .collect();
            (x.column.clone(), points)
        })
        .collect()
}

/// The chosen metric against the threshold, one line per model (the same renderer as the
/// Thresholds view, so the canvas and the SVG download agree).
fn sweep_chart(models: StoredValue<ModelsReport>, metric: usize, threshold: f64) -> impl IntoView {
    let label = SWEEP_METRICS.get(metric).map_or("F1", |(_, l)| *l);
    let spec = ChartSpec {
        testid: "models-sweep-chart",
        aria: format!("{label} against the threshold for every model"),
        file_stem: "models-threshold-sweep",
        aspect: 0.5,
        height: (260, 420),
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        let lines = models.with_value(|m| sweep_lines(m, metric));
        render::threshold_chart(area, &threshold_of(&lines, threshold, label), style)
    };
    let svg = move || {
        let (w, h) = chart::SVG_WIDE;
        let lines = models.with_value(|m| sweep_lines(m, metric));
        render::threshold_chart_svg(
            &threshold_of(&lines, threshold, label),
            &ChartStyle::new(w, h),
        )
    };
    chart::canvas_chart(spec, draw, svg, |_: &ChartLayout, _, _| None, None, None)
}

/// The threshold chart of `lines`, the configured threshold marked.
fn threshold_of<'a>(
    lines: &'a [(String, Vec<(f64, f64)>)],
    threshold: f64,
    label: &'a str,
) -> ThresholdChart<'a> {
    ThresholdChart {
        series: lines
            .iter()
            .map(|(name, points)| Series {
                name,
                points: points.as_slice(),
            })
            .collect(),
        current: Some(threshold),
        optima: Vec::new(),
        y_label: Some(label),
        y_range: None,
    }
}

/// Full precision for `data-*` attributes (the browser suite compares them to the goldens).
fn attr(v: Option<f64>) -> String {
    v.map(|v| format!("{v:?}")).unwrap_or_default()
}

/// "0.7678 [0.7283, 0.8074]" or the value alone.
fn with_ci(v: Option<f64>, ci: Option<[f64; 2]>) -> String {
    match ci {
        Some([lo, hi]) => format!("{} [{lo:.4}, {hi:.4}]", fmt(v)),
        None => fmt(v),
    }
}

/// The Models tab.
#[component]
pub fn Models() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.report.get() {
        None => view! { <NoLog hint="Load a prediction log to compare models."/> }.into_any(),
        Some(Err(msg)) => view! { <AnalysisError heading="This log cannot be analysed yet" message=msg/> }.into_any(),
        Some(Ok(report)) => match report.models.clone() {
            None => view! {
                <div class="view models-view" data-testid="models-view" data-models="1">
                    <section class="card" data-testid="models-empty">
                        <h2>"One model"</h2>
                        <p>"Only one score column is mapped, so there is nothing to compare it with."</p>
                        <p class="hint">
                            "To compare a challenger (or a shadow model logged beside the live one) with this \
                             model on the same rows, add its score column to the log and tick it under \
                             Columns → Challengers in the sidebar. Columns named like a score \
                             (score, prob, pred, …) or a model with probability-like values are ticked \
                             automatically. Challengers are read with the champion's score transform."
                        </p>
                    </section>
                </div>
            }
            .into_any(),
            Some(m) => view! { <ModelsBody models=m threshold=report.settings.threshold/> }.into_any(),
        },
    }
    }
}

/// Tables and overlaid charts of a comparison.
#[component]
fn ModelsBody(models: ModelsReport, threshold: f64) -> impl IntoView {
    let summary = format!(
        "{} models on the same {} rows ({} positives){}. Differences are challenger − champion: \
         a positive AUC difference ranks better, a negative ECE or Brier difference is better \
         calibrated.",
        models.models.len(),
        group_thousands(models.n as i64),
        group_thousands(models.positives as i64),
        if models.window == "current" {
            ", current window"
        } else {
            ""
        }
    );
    let rows = models
        .models
        .iter()
        .enumerate()
        .map(|(i, m)| model_row(i, m))
        .collect_view();
    let pairs = models
        .comparisons
        .iter()
        .flat_map(|c| {
            [
                ("AUC", "auc", &c.auc),
                ("ECE", "ece", &c.ece),
                ("Brier score", "brier", &c.brier_score),
            ]
            .into_iter()
            .map(|(name, key, t)| pair_row(&c.challenger, &c.champion, name, key, t.as_ref()))
            .collect::<Vec<_>>()
        })
        .collect_view();
    let n_models = models.models.len();
    let models = StoredValue::new(models);
    let metric = RwSignal::new(0usize);
    view! {
        <div class="view models-view" data-testid="models-view" data-models=n_models.to_string()>
            <section class="card" data-testid="models-card">
                <header class="card-head">
                    <h2>"Models on the same rows"</h2>
                    <p class="hint">{summary}</p>
                </header>
                <table class="table" data-testid="models-table">
                    <thead><tr>
                        <th>"Model"</th><th>"Role"</th><th>"ROC AUC [DeLong]"</th>
                        <th>"AP [logit interval]"</th><th>"ECE"</th><th>"Brier"</th><th>"Log loss"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
            <section class="card" data-testid="models-pairs-card">
                <header class="card-head">
                    <h2>"Challenger vs champion"</h2>
                    <p class="hint">"AUC: paired DeLong test (normal interval and two-sided p). ECE and Brier: paired percentile bootstrap, the same resampled rows for both models (settings' resamples and seed)."</p>
                </header>
                <table class="table" data-testid="models-pairs">
                    <thead><tr>
                        <th>"Challenger"</th><th>"Metric"</th><th>"Difference"</th>
                        <th>"Interval"</th><th>"p"</th><th>"Method"</th>
                    </tr></thead>
                    <tbody>{pairs}</tbody>
                </table>
            </section>
            <section class="card chart-card" data-testid="models-reliability-card">
                <header class="card-head">
                    <h2>"Reliability of each model"</h2>
                    <p class="hint">"Observed positive rate against mean score per bin, one colour per model, with interval whiskers."</p>
                </header>
                {reliability_chart(models)}
            </section>
            <div class="grid-even">
                <section class="card chart-card" data-testid="models-roc-card">
                    <header class="card-head"><h2>"ROC curves"</h2></header>
                    {roc_chart(models)}
                </section>
                <section class="card chart-card" data-testid="models-pr-card">
                    <header class="card-head"><h2>"Precision–recall curves"</h2></header>
                    {pr_chart(models)}
                </section>
            </div>
            <section class="card chart-card" data-testid="models-sweep-card">
                <header class="card-head">
                    <h2>"Threshold sweep of each model"</h2>
                    <p class="hint">"The chosen metric at thresholds 0, 0.01, …, 1 (positive iff score ≥ threshold), one colour per model; the vertical line is the configured threshold. Exact counts on the same rows, from the report."</p>
                </header>
                <label class="field inline">
                    <span>"Metric"</span>
                    <select data-testid="models-sweep-metric" aria-label="Metric of the models' threshold sweep"
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if let Some(m) = SWEEP_METRICS.iter().position(|(k, _)| *k == key) {
                                metric.set(m);
                            }
                        }>
                        {SWEEP_METRICS.iter().map(|(k, label)| view! { <option value=*k>{*label}</option> }).collect_view()}
                    </select>
                </label>
                {move || sweep_chart(models, metric.get(), threshold)}
            </section>
        </div>
    }
}

/// One model's row.
fn model_row(i: usize, m: &ModelMetrics) -> impl IntoView + use<> {
    let swatch = format!("swatch series-{i}");
    view! {
        <tr data-testid=format!("model-row-{}", m.column)
            data-auc=attr(m.roc_auc) data-ap=attr(m.average_precision)
            data-ece=attr(m.ece) data-brier=attr(m.brier_score) data-log-loss=attr(m.log_loss)>
            <td><span class=swatch aria-hidden="true"></span>{m.column.clone()}</td>
            <td>{m.role.clone()}</td>
            <td>{with_ci(m.roc_auc, m.roc_auc_ci)}</td>
            <td>{with_ci(m.average_precision, m.average_precision_ci)}</td>
            <td>{fmt(m.ece)}</td>
            <td>{fmt(m.brier_score)}</td>
            <td>{fmt(m.log_loss)}</td>
        </tr>
    }
}

/// One challenger-vs-champion test row.
fn pair_row(
    challenger: &str,
    champion: &str,
    name: &str,
    key: &str,
    t: Option<&PairedTest>,
) -> impl IntoView + use<> {
    let (diff, ci, p, method) = match t {
        Some(t) => (
            Some(t.difference),
            t.ci.map(|[lo, hi]| format!("[{lo:.4}, {hi:.4}]"))
                .unwrap_or_else(|| "—".into()),
            t.p_value,
            match t.method.as_str() {
                "delong" => "paired DeLong".to_string(),
                _ => format!("paired bootstrap ({} resamples)", t.resamples.unwrap_or(0)),
            },
        ),
        None => (None, "—".into(), None, "undefined for these rows".into()),
    };
    view! {
        <tr data-testid=format!("model-pair-{challenger}-{key}")
            data-difference=attr(diff) data-p=attr(p)>
            <td>{format!("{challenger} vs {champion}")}</td>
            <td>{name.to_string()}</td>
            <td>{fmt(diff)}</td>
            <td>{ci}</td>
            <td>{fmt(p)}</td>
            <td>{method}</td>
        </tr>
    }
}

fn reliability_of(m: &ModelsReport) -> ReliabilityChart<'_> {
    ReliabilityChart {
        series: m
            .models
            .iter()
            .map(|x| ReliabilitySeries {
                name: &x.column,
                bins: &x.reliability,
            })
            .collect(),
        histogram: None,
        log_scale: false,
        stacked: false,
        smooth: None,
        size_by_count: false,
    }
}

fn roc_of(m: &ModelsReport) -> RocChart<'_> {
    RocChart {
        curves: m
            .models
            .iter()
            .filter_map(|x| {
                let c = x.roc_curve.as_ref()?;
                Some(RocCurve {
                    name: &x.column,
                    fpr: &c.x,
                    tpr: &c.y,
                    auc: x.roc_auc,
                    auc_ci: x.roc_auc_ci,
                    current: None,
                })
            })
            .collect(),
        threshold: None,
    }
}

fn pr_of(m: &ModelsReport) -> PrChart<'_> {
    let rate = (m.n > 0).then(|| m.positives as f64 / m.n as f64);
    PrChart {
        curves: m
            .models
            .iter()
            .filter_map(|x| {
                let c = x.pr_curve.as_ref()?;
                Some(PrCurve {
                    name: &x.column,
                    recall: &c.x,
                    precision: &c.y,
                    average_precision: x.average_precision,
                    average_precision_ci: x.average_precision_ci,
                    positive_rate: rate,
                    current: None,
                })
            })
            .collect(),
        threshold: None,
        linear: false,
    }
}

/// Tooltip of the reliability bin under the pointer.
fn bin_tooltip(m: &ModelsReport, l: &ChartLayout, x: f64, y: f64) -> Option<String> {
    let hit = l.hit(x, y, (8.0 * l.dpr) as i32)?;
    let model = m.models.get(hit.series)?;
    let b = model
        .reliability
        .iter()
        .filter(|b| b.count > 0)
        .nth(hit.index)?;
    Some(format!(
        "{}\nScores {:.3}–{:.3}\n{} rows, {} positives\nMean score {:.4}\nObserved rate {:.4}",
        model.column, b.lower, b.upper, b.count, b.positives, b.mean_score, b.observed_rate
    ))
}

fn reliability_chart(models: StoredValue<ModelsReport>) -> impl IntoView {
    let spec = ChartSpec {
        testid: "models-reliability-chart",
        aria: "Reliability diagrams of every model overlaid: observed positive rate against mean \
               predicted score per bin"
            .to_string(),
        file_stem: "models-reliability",
        aspect: 0.55,
        height: (300, 560),
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        models.with_value(|m| render::reliability_diagram(area, &reliability_of(m), style))
    };
    let svg = move || {
        let (w, h) = chart::SVG_WIDE;
        models.with_value(|m| {
            render::reliability_diagram_svg(&reliability_of(m), &ChartStyle::new(w, h))
        })
    };
    let tooltip =
        move |l: &ChartLayout, x: f64, y: f64| models.with_value(|m| bin_tooltip(m, l, x, y));
    chart::canvas_chart(spec, draw, svg, tooltip, None, None)
}

fn roc_chart(models: StoredValue<ModelsReport>) -> impl IntoView {
    let spec = ChartSpec {
        testid: "models-roc-chart",
        aria: "ROC curves of every model overlaid, AUC with DeLong interval in the legend"
            .to_string(),
        file_stem: "models-roc",
        aspect: 0.86,
        height: (300, 520),
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        models.with_value(|m| render::roc_curve_chart(area, &roc_of(m), style))
    };
    let svg = move || {
        let (w, h) = chart::SVG_SQUARE;
        models.with_value(|m| render::roc_curve_chart_svg(&roc_of(m), &ChartStyle::new(w, h)))
    };
    chart::canvas_chart(spec, draw, svg, |_: &ChartLayout, _, _| None, None, None)
}

fn pr_chart(models: StoredValue<ModelsReport>) -> impl IntoView {
    let spec = ChartSpec {
        testid: "models-pr-chart",
        aria: "Precision–recall curves of every model overlaid, AP with its logit interval in the \
               legend"
            .to_string(),
        file_stem: "models-precision-recall",
        aspect: 0.86,
        height: (300, 520),
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        models.with_value(|m| render::pr_curve_chart(area, &pr_of(m), style))
    };
    let svg = move || {
        let (w, h) = chart::SVG_SQUARE;
        models.with_value(|m| render::pr_curve_chart_svg(&pr_of(m), &ChartStyle::new(w, h)))
    };
    chart::canvas_chart(spec, draw, svg, |_: &ChartLayout, _, _| None, None, None)
}
