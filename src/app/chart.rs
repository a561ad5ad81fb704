//! Chart components: a canvas painted by the same plotters code that writes exported SVGs
//! (`core::render`), crisp on HiDPI screens, with hover tooltips and an SVG download.

use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

use crate::core::render::{self, ChartLayout, ChartStyle, ReliabilityChart as Chart, ReliabilitySeries};
use crate::core::report::WindowReport;

/// Size a canvas to its container at the device pixel ratio; returns (css width, css height, dpr).
fn size_canvas(wrap: &web_sys::HtmlElement, canvas: &web_sys::HtmlCanvasElement, aspect: f64) -> (u32, u32, f64) {
    let dpr = crate::web::device_pixel_ratio();
    let css_w = (wrap.client_width().max(320)) as u32;
    let css_h = ((css_w as f64 * aspect).round() as u32).clamp(280, 640);
    canvas.set_width((css_w as f64 * dpr).round() as u32);
    canvas.set_height((css_h as f64 * dpr).round() as u32);
    let style = web_sys::HtmlElement::style(canvas.as_ref());
    let _ = style.set_property("width", &format!("{css_w}px"));
    let _ = style.set_property("height", &format!("{css_h}px"));
    (css_w, css_h, dpr)
}

/// The window's reliability diagram with its score histogram.
#[component]
pub fn ReliabilityChart(window: WindowReport) -> impl IntoView {
    let wrap_ref = NodeRef::<Div>::new();
    let canvas_ref = NodeRef::<Canvas>::new();
    let layout: RwSignal<Option<ChartLayout>> = RwSignal::new(None);
    let tooltip: RwSignal<Option<(f64, f64, String)>> = RwSignal::new(None);
    let log_scale = RwSignal::new(false);
    let viewport = expect_context::<super::Viewport>();
    let drawn_bins = window.reliability.iter().filter(|b| b.count > 0).count();
    let window = StoredValue::new(window);

    let chart_of = move |w: &WindowReport, log: bool| -> (Vec<crate::core::report::ReliabilityBin>, crate::core::report::ScoreHistogram, bool) {
        (w.reliability.clone(), w.histogram.clone(), log)
    };

    Effect::new(move |_| {
        let _ = viewport.width.get();
        let log = log_scale.get();
        let (Some(wrap), Some(canvas)) = (wrap_ref.get(), canvas_ref.get()) else {
            return;
        };
        let (css_w, css_h, dpr) = size_canvas(&wrap, &canvas, 0.66);
        let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
            return;
        };
        let area = backend.into_drawing_area();
        let style = ChartStyle {
            dpr,
            ..ChartStyle::new(css_w, css_h)
        };
        let (bins, histogram, log) = window.with_value(|w| chart_of(w, log));
        let chart = Chart {
            series: vec![ReliabilitySeries { name: "model", bins: &bins }],
            histogram: Some(&histogram),
            log_scale: log,
            stacked: !log,
            smooth: None,
            size_by_count: false,
        };
        match render::reliability_diagram(&area, &chart, &style) {
            Ok(l) => layout.set(Some(l)),
            Err(e) => leptos::logging::error!("reliability chart: {e}"),
        }
        let _ = area.present();
    });

    let on_move = move |ev: web_sys::MouseEvent| {
        let dpr = crate::web::device_pixel_ratio();
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let text = layout.with(|l| {
            let l = l.as_ref()?;
            let index = l
                .hit(x * dpr, y * dpr, (8.0 * dpr) as i32)
                .map(|m| m.index)
                .or_else(|| l.bin_at(x * dpr, y * dpr))?;
            window.with_value(|w| {
                let b = w.reliability.get(index)?;
                Some(format!(
                    "Scores {:.3}–{:.3}\n{} rows, {} positives\nMean score {:.4}\nObserved rate {:.4}\nInterval {:.4}–{:.4}",
                    b.lower, b.upper, b.count, b.positives, b.mean_score, b.observed_rate, b.ci_lower, b.ci_upper
                ))
            })
        });
        tooltip.set(text.map(|t| (x, y, t)));
    };

    let download_svg = move |_| {
        let (bins, histogram, log) = window.with_value(|w| chart_of(w, log_scale.get_untracked()));
        let chart = Chart {
            series: vec![ReliabilitySeries { name: "model", bins: &bins }],
            histogram: Some(&histogram),
            log_scale: log,
            stacked: !log,
            smooth: None,
            size_by_count: false,
        };
        match render::reliability_diagram_svg(&chart, &ChartStyle::new(760, 520)) {
            Ok(svg) => {
                let _ = crate::web::download("reliability.svg", "image/svg+xml", &svg);
            }
            Err(e) => leptos::logging::error!("svg export: {e}"),
        }
    };

    view! {
        <div class="chart-wrap" node_ref=wrap_ref
            data-testid="reliability-chart"
            data-bins=drawn_bins.to_string()
            role="img"
            aria-label="Reliability diagram: observed positive rate against mean predicted score per bin, with the score histogram beneath">
            <canvas node_ref=canvas_ref
                on:mousemove=on_move
                on:mouseleave=move |_| tooltip.set(None)></canvas>
            {move || tooltip.get().map(|(x, y, text)| view! {
                <div class="chart-tooltip" style=format!("left:{}px;top:{}px", x + 14.0, y + 10.0)>
                    {text.lines().map(|l| view! { <div>{l.to_string()}</div> }).collect_view()}
                </div>
            })}
        </div>
        <div class="chart-actions">
            <label class="check">
                <input type="checkbox" data-testid="histogram-log"
                    prop:checked=move || log_scale.get()
                    on:change=move |ev| log_scale.set(event_target_checked(&ev)) />
                " log-scale histogram"
            </label>
            <button class="button" data-testid="export-svg" on:click=download_svg>"Download SVG"</button>
        </div>
    }
}
