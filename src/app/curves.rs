//! ROC and precision–recall curves side by side, from the report's (thinned) curves, with the
//! operating point of the live threshold marked and AUC (with its DeLong interval) and average
//! precision in the legends. The operating point comes from the exact counts the Thresholds
//! view already has; nothing is computed here. While the threshold is dragged, the charts are
//! cached bitmaps and only the operating points and the legends (which name the threshold) are
//! repainted ([`chart::canvas_chart_layered`]).

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

/// Which chart a layer belongs to.
#[derive(Clone, Copy)]
enum Kind {
    Roc,
    Pr,
}

/// The base drawing of a ROC or PR chart. While `dragging`, the operating point and the legend
/// (which names the threshold's value) are left to the overlay and the live threshold is not
/// read, so the cached chart is not redrawn per frame.
fn draw_base(
    kind: Kind,
    area: &CanvasArea,
    style: &ChartStyle,
    window: Memo<Option<WindowReport>>,
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
    dragging: bool,
) -> Result<ChartLayout, render::RenderError> {
    let at = match kind {
        Kind::Roc => roc_point,
        Kind::Pr => pr_point,
    };
    let (current, t) = if dragging {
        (
            point.with_untracked(|p| p.as_ref().and_then(at)),
            live.get_untracked(),
        )
    } else {
        (point.with(|p| p.as_ref().and_then(at)), live.get())
    };
    window.with(|w| {
        let e = WindowReport::default();
        let w = w.as_ref().unwrap_or(&e);
        match (kind, dragging) {
            (Kind::Roc, false) => {
                with_roc(w, current, t, |c| render::roc_curve_chart(area, c, style))
            }
            (Kind::Roc, true) => with_roc(w, current, t, |c| {
                render::roc_curve_chart_base(area, c, style)
            }),
            (Kind::Pr, false) => with_pr(w, current, t, |c| render::pr_curve_chart(area, c, style)),
            (Kind::Pr, true) => with_pr(w, current, t, |c| {
                render::pr_curve_chart_base(area, c, style)
            }),
        }
    })
}

/// The overlay of a ROC or PR chart while dragging: the live operating point and the legend
/// with the live threshold's value, as the full chart draws them.
fn operating_point_layer(
    kind: Kind,
    window: Memo<Option<WindowReport>>,
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
    dragging: RwSignal<bool>,
) -> std::rc::Rc<chart::OverlayFn> {
    std::rc::Rc::new(
        move |area: &CanvasArea, l: &ChartLayout, style: &ChartStyle| {
            if !dragging.get() {
                return Ok(());
            }
            let t = live.get();
            window.with(|w| {
                let e = WindowReport::default();
                let w = w.as_ref().unwrap_or(&e);
                match kind {
                    Kind::Roc => {
                        let current = point.with(|p| p.as_ref().and_then(roc_point));
                        with_roc(w, current, t, |c| {
                            render::roc_curve_chart_live(area, c, &l.main, style)
                        })
                    }
                    Kind::Pr => {
                        let current = point.with(|p| p.as_ref().and_then(pr_point));
                        with_pr(w, current, t, |c| {
                            render::pr_curve_chart_live(area, c, &l.main, style)
                        })
                    }
                }
            })?;
            Ok(())
        },
    )
}

/// One ROC or PR chart: the cached base, the live layer, the SVG export and the dot's tooltip.
fn curve_chart(
    kind: Kind,
    window: Memo<Option<WindowReport>>,
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
    dragging: RwSignal<bool>,
) -> impl IntoView {
    let spec = match kind {
        Kind::Roc => ChartSpec {
            testid: "roc-chart",
            aria: "ROC curve: true positive rate against false positive rate, with the chance \
                   diagonal and the current threshold's operating point"
                .to_string(),
            file_stem: "roc",
            aspect: 0.86,
            height: (300, 520),
        },
        Kind::Pr => ChartSpec {
            testid: "pr-chart",
            aria: "Precision–recall curve with the positive-rate baseline and the current \
                   threshold's operating point"
                .to_string(),
            file_stem: "precision-recall",
            aspect: 0.86,
            height: (300, 520),
        },
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        draw_base(kind, area, style, window, point, live, dragging.get())
    };
    let svg = move || {
        let t = live.get_untracked();
        let style = ChartStyle::new(chart::SVG_SQUARE.0, chart::SVG_SQUARE.1);
        window.with_untracked(|w| {
            let e = WindowReport::default();
            let w = w.as_ref().unwrap_or(&e);
            match kind {
                Kind::Roc => {
                    let current = point.with_untracked(|p| p.as_ref().and_then(roc_point));
                    with_roc(w, current, t, |c| render::roc_curve_chart_svg(c, &style))
                }
                Kind::Pr => {
                    let current = point.with_untracked(|p| p.as_ref().and_then(pr_point));
                    with_pr(w, current, t, |c| render::pr_curve_chart_svg(c, &style))
                }
            }
        })
    };
    let (xname, yname) = match kind {
        Kind::Roc => ("FPR", "TPR"),
        Kind::Pr => ("Recall", "Precision"),
    };
    let tooltip = move |l: &ChartLayout, x: f64, y: f64| {
        dot_tooltip(l, x, y, xname, yname, live.get_untracked())
    };
    let overlay = operating_point_layer(kind, window, point, live, dragging);
    chart::canvas_chart_layered(spec, draw, overlay, svg, tooltip, None)
}

/// ROC and PR charts of a window, side by side.
#[component]
pub fn CurveCharts(
    window: Memo<Option<WindowReport>>,
    point: Memo<Option<ThresholdPoint>>,
    live: RwSignal<f64>,
    /// Whether the threshold is being dragged (the operating points then move on a cheap layer).
    dragging: RwSignal<bool>,
) -> impl IntoView {
    let roc = curve_chart(Kind::Roc, window, point, live, dragging);
    let pr = curve_chart(Kind::Pr, window, point, live, dragging);
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
