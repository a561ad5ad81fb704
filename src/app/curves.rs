//! ROC and precision–recall curves side by side, from the report's (thinned) curves, with the
//! operating point of the live threshold marked and AUC (with its DeLong interval) and average
//! precision in the legends. The operating point comes from the exact counts the Thresholds
//! view already has; nothing is computed here.

use leptos::prelude::*;

use super::chart::{self, CanvasArea, ChartSpec};
use crate::core::render::{self, ChartLayout, ChartStyle, PrChart, PrCurve, RocChart, RocCurve};
use crate::core::report::{ThresholdPoint, WindowReport};

/// (FPR, TPR) of a threshold point, when both are defined.
fn roc_point(p: &ThresholdPoint) -> Option<(f64, f64)> {
    Some((p.fpr?, p.recall?))
}

/// (recall, precision) of a threshold point, when both are defined.
fn pr_point(p: &ThresholdPoint) -> Option<(f64, f64)> {
    Some((p.recall?, p.precision?))
}

/// Build the ROC chart description of a window and hand it to `f`.
fn with_roc<T>(
    w: &WindowReport,
    current: Option<(f64, f64)>,
    t: f64,
    f: impl FnOnce(&RocChart) -> T,
) -> T {
    let (x, y) = w
        .roc_curve
        .as_ref()
        .map(|c| (c.x.as_slice(), c.y.as_slice()))
        .unwrap_or_default();
    let curves = if x.is_empty() {
        Vec::new()
    } else {
        vec![RocCurve {
            name: "",
            fpr: x,
            tpr: y,
            auc: w.roc_auc,
            auc_ci: w.roc_auc_ci,
            current,
        }]
    };
    f(&RocChart {
        curves,
        threshold: Some(t),
    })
}

/// Build the PR chart description of a window and hand it to `f`.
fn with_pr<T>(
    w: &WindowReport,
    current: Option<(f64, f64)>,
    t: f64,
    f: impl FnOnce(&PrChart) -> T,
) -> T {
    let (x, y) = w
        .pr_curve
        .as_ref()
        .map(|c| (c.x.as_slice(), c.y.as_slice()))
        .unwrap_or_default();
    let curves = if x.is_empty() {
        Vec::new()
    } else {
        vec![PrCurve {
            name: "",
            recall: x,
            precision: y,
            average_precision: w.average_precision,
            average_precision_ci: w.average_precision_ci,
            positive_rate: w.positive_rate,
            current,
        }]
    };
    f(&PrChart {
        curves,
        threshold: Some(t),
        linear: false,
    })
}

/// Tooltip for the operating-point dot.
fn dot_tooltip(
    l: &ChartLayout,
    x: f64,
    y: f64,
    xname: &str,
    yname: &str,
    t: f64,
) -> Option<String> {
    let m = l.hit(x, y, (6.0 * l.dpr) as i32)?;
    Some(format!(
        "Threshold {t}\n{xname} {:.4}\n{yname} {:.4}",
        m.x, m.y
    ))
}

/// ROC and PR charts of a window, side by side.
#[component]
pub fn CurveCharts(
    window: Memo<Option<WindowReport>>,
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
) -> impl IntoView {
    let empty = WindowReport::default;
    let roc = {
        let spec = ChartSpec {
            testid: "roc-chart",
            aria: "ROC curve: true positive rate against false positive rate, with the chance \
                   diagonal and the current threshold's operating point"
                .to_string(),
            file_stem: "roc",
            aspect: 0.86,
            height: (300, 520),
        };
        let draw = move |area: &CanvasArea, style: &ChartStyle| {
            let current = point.with(|p| p.as_ref().and_then(roc_point));
            let t = live.get();
            window.with(|w| {
                let e = empty();
                with_roc(w.as_ref().unwrap_or(&e), current, t, |c| {
                    render::roc_curve_chart(area, c, style)
                })
            })
        };
        let svg = move || {
            let current = point.with_untracked(|p| p.as_ref().and_then(roc_point));
            let t = live.get_untracked();
            let (width, height) = chart::SVG_SQUARE;
            window.with_untracked(|w| {
                let e = empty();
                with_roc(w.as_ref().unwrap_or(&e), current, t, |c| {
                    render::roc_curve_chart_svg(c, &ChartStyle::new(width, height))
                })
            })
        };
        let tooltip = move |l: &ChartLayout, x: f64, y: f64| {
            dot_tooltip(l, x, y, "FPR", "TPR", live.get_untracked())
        };
        chart::canvas_chart(spec, draw, svg, tooltip, None, None)
    };
    let pr = {
        let spec = ChartSpec {
            testid: "pr-chart",
            aria: "Precision–recall curve with the positive-rate baseline and the current \
                   threshold's operating point"
                .to_string(),
            file_stem: "precision-recall",
            aspect: 0.86,
            height: (300, 520),
        };
        let draw = move |area: &CanvasArea, style: &ChartStyle| {
            let current = point.with(|p| p.as_ref().and_then(pr_point));
            let t = live.get();
            window.with(|w| {
                let e = empty();
                with_pr(w.as_ref().unwrap_or(&e), current, t, |c| {
                    render::pr_curve_chart(area, c, style)
                })
            })
        };
        let svg = move || {
            let current = point.with_untracked(|p| p.as_ref().and_then(pr_point));
            let t = live.get_untracked();
            let (width, height) = chart::SVG_SQUARE;
            window.with_untracked(|w| {
                let e = empty();
                with_pr(w.as_ref().unwrap_or(&e), current, t, |c| {
                    render::pr_curve_chart_svg(c, &ChartStyle::new(width, height))
                })
            })
        };
        let tooltip = move |l: &ChartLayout, x: f64, y: f64| {
            dot_tooltip(l, x, y, "Recall", "Precision", live.get_untracked())
        };
        chart::canvas_chart(spec, draw, svg, tooltip, None, None)
    };
    let auc_note = move || {
        window.with(|w| {
            let w = w.as_ref()?;
            let Some(auc) = w.roc_auc else {
                return Some("AUC is undefined: the log needs both classes.".to_string());
            };
            Some(match w.roc_auc_ci {
                Some([lo, hi]) => format!("AUC {auc:.4}, DeLong interval {lo:.4}–{hi:.4}"),
                None => format!("AUC {auc:.4}"),
            })
        })
    };
    let ap_note = move || {
        window.with(|w| {
            let w = w.as_ref()?;
            Some(match (w.average_precision, w.positive_rate) {
                (Some(ap), Some(rate)) => match w.average_precision_ci {
                    Some([lo, hi]) => format!(
                        "AP {ap:.4}, logit interval {lo:.4}–{hi:.4}; dashed line: positive rate {rate:.4}"
                    ),
                    None => format!("AP {ap:.4}; dashed line: positive rate {rate:.4}"),
                },
                _ => "Average precision is undefined: the log needs both classes.".to_string(),
            })
        })
    };
    view! {
        <div class="grid-even">
            <section class="card chart-card" data-testid="roc-card">
                <header class="card-head">
                    <h2>"ROC curve"</h2>
                    <p class="hint">{auc_note}</p>
                </header>
                {roc}
            </section>
            <section class="card chart-card" data-testid="pr-card">
                <header class="card-head">
                    <h2>"Precision–recall curve"</h2>
                    <p class="hint">{ap_note}</p>
                </header>
                {pr}
            </section>
        </div>
    }
}
