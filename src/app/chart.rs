//! Chart components: a canvas painted by the same plotters code that writes exported SVGs
//! (`core::render`), crisp on HiDPI screens, with hover tooltips, an optional draggable
//! threshold, and "Download SVG" / "Download PNG" buttons.
//!
//! Every chart also has a text alternative beside its `aria-label`: a data table in a
//! `<details>` (`data-testid="chart-data"`) with one row per mark the chart plots (reliability
//! bins, histogram and category bars, operating points, thresholds), each with its data x and y
//! and the same description its hover tooltip gives ([`mark_rows`]).
//!
//! [`canvas_chart`] is the generic helper: the caller passes a `draw` closure (any
//! `core::render` chart function on plotters-canvas' backend) and an `svg` closure (the matching
//! `*_svg` helper). The canvas redraws whenever a signal read by `draw` changes, and whenever
//! the window is resized; drawing uses only summaries already in memory (report fields, or the
//! exact sweep), so dragging never recomputes the report.
//!
//! [`canvas_chart_layered`] adds a cheap top layer for a threshold drag: the chart itself is
//! drawn once into an offscreen canvas (the cached layer), and each frame of a drag only copies
//! that bitmap (`drawImage`) and paints the moving marks over it — the threshold line, the ROC
//! and PR operating points — instead of laying out and drawing the whole chart again. Pointer
//! moves during a drag are coalesced to one `live` update per animation frame.

use leptos::html::{Canvas, Div};
use leptos::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use wasm_bindgen::JsCast;

use super::canvas_backend::MeasuredCanvas;
use crate::core::render::{
    self, ChartLayout, ChartStyle, ReliabilityChart as Chart, ReliabilitySeries, RenderError,
};
use crate::core::report::{Settings, WindowReport};

/// The canvas drawing area every chart function draws on in the browser.
pub type CanvasArea = DrawingArea<MeasuredCanvas, Shift>;

/// The cheap top layer of a layered chart: paints on the visible canvas, over the cached chart,
/// given the chart's layout. Re-run whenever a signal it reads changes.
pub type OverlayFn = dyn Fn(&CanvasArea, &ChartLayout, &ChartStyle) -> Result<(), RenderError>;

/// Size of exported SVGs, in CSS pixels (wide charts).
pub const SVG_WIDE: (u32, u32) = (760, 480);
/// Size of exported SVGs, in CSS pixels (square charts: ROC, PR).
pub const SVG_SQUARE: (u32, u32) = (560, 520);

/// How a chart sits on the page.
#[derive(Debug, Clone)]
pub struct ChartSpec {
    /// `data-testid` of the chart's wrapper (the element that carries `data-plot-*`).
    pub testid: &'static str,
    /// Text alternative for the chart (`aria-label`).
    pub aria: String,
    /// File name stem of downloads (`<stem>.svg`, `<stem>.png`).
    pub file_stem: &'static str,
    /// Height ÷ width of the canvas.
    pub aspect: f64,
    /// Smallest and largest canvas height in CSS pixels.
    pub height: (u32, u32),
}

/// A threshold the user drags on a chart whose x axis is the threshold.
///
/// While the pointer is down only `live` changes (the chart and the confusion counts follow it
/// from cached summaries); on release the value is written to `settings.threshold`, which
/// recomputes the report once.
#[derive(Clone, Copy)]
pub struct ThresholdDrag {
    /// The threshold shown while dragging (and otherwise equal to the settings' threshold).
    pub live: RwSignal<f64>,
    /// Whether a drag is in progress.
    pub dragging: RwSignal<bool>,
    /// Where the threshold is committed on release.
    pub settings: RwSignal<Settings>,
}

/// Round a dragged threshold to 0.001, the resolution a person can aim at with a pointer.
pub fn round_threshold(t: f64) -> f64 {
    if t.is_finite() {
        ((t * 1000.0).round() / 1000.0).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Size a canvas to its container at the device pixel ratio; returns (css width, css height, dpr).
fn size_canvas(
    wrap: &web_sys::HtmlElement,
    canvas: &web_sys::HtmlCanvasElement,
    aspect: f64,
    (min_h, max_h): (u32, u32),
) -> (u32, u32, f64) {
    let dpr = crate::web::device_pixel_ratio();
    let css_w = (wrap.client_width().max(240)) as u32;
    let css_h = ((css_w as f64 * aspect).round() as u32).clamp(min_h, max_h.max(min_h));
    let (px_w, px_h) = (
        (css_w as f64 * dpr).round() as u32,
        (css_h as f64 * dpr).round() as u32,
    );
    // Setting a canvas's size clears it even when unchanged; only the draw below repaints.
    canvas.set_width(px_w);
    canvas.set_height(px_h);
    let style = web_sys::HtmlElement::style(canvas.as_ref());
    let _ = style.set_property("width", &format!("{css_w}px"));
    let _ = style.set_property("height", &format!("{css_h}px"));
    (css_w, css_h, dpr)
}

/// Whether the `<details>` element a `toggle` event came from is open now (a table inside a
/// closed one is built only when it opens: its rows are work no one sees until then).
pub fn details_open(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| js_sys::Reflect::get(&t, &"open".into()).ok())
        .and_then(|o| o.as_bool())
        .unwrap_or(false)
}

/// Offer a `data:` or `blob:` URL to the user as a download named `filename`.
fn download_url(filename: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| crate::web::js_error(&e))?
        .dyn_into()
        .map_err(|_| "could not create a link".to_string())?;
    anchor.set_href(url);
    anchor.set_download(filename);
    anchor.click();
    Ok(())
}

/// Most rows of a chart's data table (a time series may plot more marks than a person reads).
pub const MAX_TABLE_ROWS: usize = 500;

/// One row of a chart's data table: what the mark is, its data x and y, and its tooltip text.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkRow {
    /// What the mark is (`Point, series 1`, `Bar, lower panel, series 2`, …).
    pub what: String,
    /// Data x, four significant digits.
    pub x: String,
    /// Data y, four significant digits.
    pub y: String,
    /// The mark's hover tooltip, lines joined by "; " (empty when the chart has none).
    pub details: String,
}

/// A number for the data table: four significant digits, or an em dash when not finite.
fn table_number(v: f64) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if v == 0.0 {
        "0".to_string()
    } else if v.abs() < 1e-3 || v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else {
        let digits = (3 - v.abs().log10().floor().max(-3.0) as i32).clamp(0, 6) as usize;
        format!("{v:.digits$}")
    }
}

/// The data table of a drawn chart: one row per mark (at most [`MAX_TABLE_ROWS`]), described by
/// the chart's own tooltip at the mark's centre.
pub fn mark_rows(
    layout: &ChartLayout,
    tooltip: &dyn Fn(&ChartLayout, f64, f64) -> Option<String>,
) -> Vec<MarkRow> {
    layout
        .marks
        .iter()
        .take(MAX_TABLE_ROWS)
        .map(|m| {
            let kind = match m.kind {
                render::MarkKind::Point => "Point",
                render::MarkKind::Bar => "Bar",
                render::MarkKind::Threshold => "Threshold",
                render::MarkKind::Optimum => "Optimal threshold",
            };
            let panel = match m.panel {
                render::Panel::Main => "",
                render::Panel::Lower => ", lower panel",
            };
            let details = tooltip(layout, f64::from(m.center.0), f64::from(m.center.1))
                .map(|t| t.lines().collect::<Vec<_>>().join("; "))
                .unwrap_or_default();
            MarkRow {
                what: format!("{kind}{panel}, series {}", m.series + 1),
                x: table_number(m.x),
                y: table_number(m.y),
                details,
            }
        })
        .collect()
}

/// A chart on a canvas with tooltips, optional threshold dragging and SVG/PNG downloads.
///
/// * `draw` paints the chart and returns its layout; it is re-run when any signal it reads
///   changes (so read the data through signals, not copies).
/// * `svg` produces the same chart as an SVG document for "Download SVG".
/// * `tooltip` maps a pointer position in backend pixels to tooltip lines.
/// * `actions` are extra controls shown left of the download buttons.
pub fn canvas_chart<D, S, T>(
    spec: ChartSpec,
    draw: D,
    svg: S,
    tooltip: T,
    drag: Option<ThresholdDrag>,
    actions: Option<AnyView>,
) -> impl IntoView
where
    D: Fn(&CanvasArea, &ChartStyle) -> Result<ChartLayout, RenderError> + 'static,
    S: Fn() -> Result<String, RenderError> + 'static,
    T: Fn(&ChartLayout, f64, f64) -> Option<String> + 'static,
{
    canvas_chart_clickable(spec, draw, svg, tooltip, drag, actions, None)
}

/// [`canvas_chart`] that also reports clicks in the plot panel: `on_click` receives the data
/// x under the pointer (the panel's `px_to_x`, e.g. a time on a time axis).
pub fn canvas_chart_clickable<D, S, T>(
    spec: ChartSpec,
    draw: D,
    svg: S,
    tooltip: T,
    drag: Option<ThresholdDrag>,
    actions: Option<AnyView>,
    on_click: Option<Callback<f64>>,
) -> impl IntoView
where
    D: Fn(&CanvasArea, &ChartStyle) -> Result<ChartLayout, RenderError> + 'static,
    S: Fn() -> Result<String, RenderError> + 'static,
    T: Fn(&ChartLayout, f64, f64) -> Option<String> + 'static,
{
    chart_impl(spec, draw, None, svg, tooltip, drag, actions, on_click)
}

/// [`canvas_chart`] with a cheap top layer: `draw` paints the chart into an offscreen canvas
/// (re-run when a signal it reads changes: keep the moving marks out of it while dragging), and
/// `overlay` paints over a copy of that bitmap on the visible canvas (re-run when a signal it
/// reads changes, or the chart was redrawn). A drag then costs a bitmap copy and a few marks
/// per frame. "Download PNG" saves the visible canvas, layer included.
pub fn canvas_chart_layered<D, S, T>(
    spec: ChartSpec,
    draw: D,
    overlay: std::rc::Rc<OverlayFn>,
    svg: S,
    tooltip: T,
    drag: Option<ThresholdDrag>,
) -> impl IntoView
where
    D: Fn(&CanvasArea, &ChartStyle) -> Result<ChartLayout, RenderError> + 'static,
    S: Fn() -> Result<String, RenderError> + 'static,
    T: Fn(&ChartLayout, f64, f64) -> Option<String> + 'static,
{
    chart_impl(spec, draw, Some(overlay), svg, tooltip, drag, None, None)
}

/// A detached canvas of `width` × `height` backend pixels (the cached layer of a chart).
fn offscreen_canvas(width: u32, height: u32) -> Option<web_sys::HtmlCanvasElement> {
    let canvas: web_sys::HtmlCanvasElement = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(width);
    canvas.set_height(height);
    Some(canvas)
}

/// Copy the cached layer onto the visible canvas (same pixel size), replacing what was there.
fn blit(from: &web_sys::HtmlCanvasElement, to: &web_sys::HtmlCanvasElement) -> Option<()> {
    let ctx: web_sys::CanvasRenderingContext2d = to.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.draw_image_with_html_canvas_element(from, 0.0, 0.0).ok()
}

#[allow(clippy::too_many_arguments)]
fn chart_impl<D, S, T>(
    spec: ChartSpec,
    draw: D,
    overlay: Option<std::rc::Rc<OverlayFn>>,
    svg: S,
    tooltip: T,
    drag: Option<ThresholdDrag>,
    actions: Option<AnyView>,
    on_click: Option<Callback<f64>>,
) -> impl IntoView
where
    D: Fn(&CanvasArea, &ChartStyle) -> Result<ChartLayout, RenderError> + 'static,
    S: Fn() -> Result<String, RenderError> + 'static,
    T: Fn(&ChartLayout, f64, f64) -> Option<String> + 'static,
{
    let wrap_ref = NodeRef::<Div>::new();
    let canvas_ref = NodeRef::<Canvas>::new();
    let layout: RwSignal<Option<ChartLayout>> = RwSignal::new(None);
    let tip: RwSignal<Option<(f64, f64, bool, String)>> = RwSignal::new(None);
    let viewport = expect_context::<super::Viewport>();
    let stem = spec.file_stem;
    let testid = spec.testid;
    let (aspect, heights) = (spec.aspect, spec.height);
    let caption = spec.aria.clone();
    let rows: RwSignal<Vec<MarkRow>> = RwSignal::new(Vec::new());
    // Whether the data table's disclosure is open: its rows are built only then (a closed
    // `<details>` shows nothing, also to assistive technology), not with every drawing.
    let table_open = RwSignal::new(false);
    let tooltip = std::rc::Rc::new(tooltip);
    let table_tooltip = tooltip.clone();
    Effect::new(move |_| {
        if !table_open.get() {
            return;
        }
        let table = layout
            .with(|l| {
                l.as_ref()
                    .map(|l| untrack(|| mark_rows(l, &*table_tooltip)))
            })
            .unwrap_or_default();
        if rows.with_untracked(|r| *r != table) {
            rows.set(table);
        }
    });

    // Layered charts: the cached chart bitmap and the style it was drawn with.
    let cache: StoredValue<Option<web_sys::HtmlCanvasElement>, LocalStorage> =
        StoredValue::new_local(None);
    let drawn_style: StoredValue<Option<ChartStyle>> = StoredValue::new(None);
    let layered = overlay.is_some();

    // The chart's first drawing, and any while a report is delivered, wait for their turn in
    // a later task (`pacing`).
    let permit = super::pacing::Permit::new();
    Effect::new(move |_| {
        let _ = viewport.width.get();
        if !permit.granted() {
            return;
        }
        let (Some(wrap), Some(canvas)) = (wrap_ref.get(), canvas_ref.get()) else {
            return;
        };
        let (css_w, css_h, dpr) = size_canvas(&wrap, &canvas, aspect, heights);
        let target = if layered {
            let (w, h) = (canvas.width(), canvas.height());
            let reuse = cache.with_value(|c| {
                c.as_ref()
                    .filter(|c| c.width() == w && c.height() == h)
                    .cloned()
            });
            match reuse.or_else(|| offscreen_canvas(w, h)) {
                Some(c) => {
                    cache.set_value(Some(c.clone()));
                    c
                }
                None => return,
            }
        } else {
            canvas.clone()
        };
        let Some(backend) = MeasuredCanvas::new(target) else {
            return;
        };
        let area = backend.into_drawing_area();
        let style = ChartStyle {
            dpr,
            ..ChartStyle::new(css_w, css_h)
        };
        drawn_style.set_value(Some(style.clone()));
        match draw(&area, &style) {
            Ok(l) => layout.set(Some(l)),
            Err(e) => leptos::logging::error!("{testid}: {e}"),
        }
        let _ = area.present();
    });

    // The top layer: the cached chart copied, the moving marks painted over it.
    if let Some(overlay) = overlay {
        Effect::new(move |_| {
            layout.with(|l| {
                let (Some(l), Some(canvas)) = (l.as_ref(), canvas_ref.get_untracked()) else {
                    return;
                };
                let (Some(cached), Some(style)) =
                    (cache.with_value(|c| c.clone()), drawn_style.get_value())
                else {
                    return;
                };
                if blit(&cached, &canvas).is_none() {
                    return;
                }
                let Some(backend) = MeasuredCanvas::new(canvas) else {
                    return;
                };
                let area = backend.into_drawing_area();
                if let Err(e) = overlay(&area, l, &style) {
                    leptos::logging::error!("{testid}: {e}");
                }
                let _ = area.present();
            });
        });
    }

    // The plot panel's edges in CSS pixels, for tests and assistive scripts.
    let plot_edge = move |f: fn(&ChartLayout) -> i32| {
        layout.with(|l| {
            l.as_ref()
                .map(|l| format!("{:.1}", f64::from(f(l)) / l.dpr.max(0.25)))
                .unwrap_or_default()
        })
    };

    let pointer_threshold = move |x: f64| -> Option<f64> {
        layout.with_untracked(|l| {
            l.as_ref()
                .map(|l| round_threshold(l.threshold_at(x * l.dpr)))
        })
    };

    // A drag's latest pointer threshold not yet applied: applied once per animation frame.
    let pending: StoredValue<Option<f64>> = StoredValue::new(None);
    let on_move = move |ev: web_sys::PointerEvent| {
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        if let Some(d) = drag
            && d.dragging.get_untracked()
        {
            if let Some(t) = pointer_threshold(x) {
                let scheduled = pending.get_value().is_some();
                pending.set_value(Some(t));
                if !scheduled {
                    crate::web::next_frame(move || {
                        if let Some(t) = pending.try_update_value(Option::take).flatten()
                            && d.dragging.get_untracked()
                        {
                            d.live.set(t);
                        }
                    });
                }
            }
            if tip.with_untracked(Option::is_some) {
                tip.set(None);
            }
            return;
        }
        let dpr = crate::web::device_pixel_ratio();
        let text = layout.with_untracked(|l| l.as_ref().and_then(|l| tooltip(l, x * dpr, y * dpr)));
        let width = wrap_ref
            .get_untracked()
            .map(|w| f64::from(w.client_width()))
            .unwrap_or(0.0);
        tip.set(text.map(|t| (x, y, x > width * 0.6, t)));
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        let Some(d) = drag else { return };
        if ev.button() != 0 {
            return;
        }
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let inside = layout.with_untracked(|l| {
            l.as_ref().is_some_and(|l| {
                let r = l.main.rect.inflate((12.0 * l.dpr) as i32);
                r.contains(x * l.dpr, y * l.dpr)
            })
        });
        if !inside {
            return;
        }
        ev.prevent_default();
        if let Some(canvas) = canvas_ref.get_untracked() {
            let _ = canvas.set_pointer_capture(ev.pointer_id());
            let _ = canvas.focus();
        }
        if let Some(t) = pointer_threshold(x) {
            d.dragging.set(true);
            d.live.set(t);
        }
        tip.set(None);
    };
    let on_up = move |_ev: web_sys::PointerEvent| {
        let Some(d) = drag else { return };
        if !d.dragging.get_untracked() {
            return;
        }
        // The last move may still be waiting for its frame: it is where the pointer let go.
        if let Some(t) = pending.try_update_value(Option::take).flatten() {
            d.live.set(t);
        }
        d.dragging.set(false);
        let t = d.live.get_untracked();
        d.settings.update(|s| s.threshold = t);
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(d) = drag else { return };
        let step = if ev.shift_key() { 0.1 } else { 0.01 };
        let now = d.settings.with_untracked(|s| s.threshold);
        let next = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => now - step,
            "ArrowRight" | "ArrowUp" => now + step,
            "Home" => 0.0,
            "End" => 1.0,
            _ => return,
        };
        ev.prevent_default();
        let t = ((next * 100.0).round() / 100.0).clamp(0.0, 1.0);
        d.live.set(t);
        d.settings.update(|s| s.threshold = t);
    };

    let on_canvas_click = move |ev: web_sys::MouseEvent| {
        let Some(cb) = on_click else { return };
        let (x, y) = (ev.offset_x() as f64, ev.offset_y() as f64);
        let hit = layout.with_untracked(|l| {
            l.as_ref().and_then(|l| {
                let r = l.main.rect.inflate((4.0 * l.dpr) as i32);
                r.contains(x * l.dpr, y * l.dpr)
                    .then(|| l.main.px_to_x(x * l.dpr))
            })
        });
        if let Some(v) = hit.filter(|v| v.is_finite()) {
            cb.run(v);
        }
    };

    // The app's state when the chart is inside the workbench (absent in isolated renders).
    let updating = use_context::<super::AppState>();
    let download_svg = move |_| match svg() {
        Ok(doc) => {
            if let Err(e) = crate::web::download(&format!("{stem}.svg"), "image/svg+xml", &doc) {
                leptos::logging::error!("svg export: {e}");
            }
        }
        Err(e) => leptos::logging::error!("svg export: {e}"),
    };
    let download_png = move |_| {
        let Some(canvas) = canvas_ref.get_untracked() else {
            return;
        };
        match canvas.to_data_url_with_type("image/png") {
            Ok(url) => {
                if let Err(e) = download_url(&format!("{stem}.png"), &url) {
                    leptos::logging::error!("png export: {e}");
                }
            }
            Err(e) => leptos::logging::error!("png export: {}", crate::web::js_error(&e)),
        }
    };

    let draggable = drag.is_some();
    let clickable = on_click.is_some();
    view! {
        <div class="chart-wrap" class:draggable=draggable class:clickable=clickable node_ref=wrap_ref
            data-testid=testid
            data-plot-left=move || plot_edge(|l| l.main.rect.left)
            data-plot-right=move || plot_edge(|l| l.main.rect.right)
            data-plot-top=move || plot_edge(|l| l.main.rect.top)
            data-plot-bottom=move || plot_edge(|l| l.main.rect.bottom)
            role="img"
            aria-label=spec.aria>
            <canvas node_ref=canvas_ref
                tabindex=if draggable { "0" } else { "-1" }
                aria-label=if draggable { "Threshold: drag, or use the arrow keys" } else { "" }
                on:pointermove=on_move
                on:pointerdown=on_down
                on:pointerup=on_up
                on:click=on_canvas_click
                on:pointercancel=on_up
                on:keydown=on_key
                on:pointerleave=move |_| tip.set(None)></canvas>
            {move || tip.get().map(|(x, y, flip, text)| {
                let style = if flip {
                    format!("left:{}px;top:{}px;transform:translateX(-100%)", x - 14.0, y + 10.0)
                } else {
                    format!("left:{}px;top:{}px", x + 14.0, y + 10.0)
                };
                view! {
                    <div class="chart-tooltip" style=style>
                        {text.lines().map(|l| view! { <div>{l.to_string()}</div> }).collect_view()}
                    </div>
                }
            })}
        </div>
        <div class="chart-actions">
            <div class="chart-options">{actions}</div>
            // While a newer report is computed the chart on screen is the old one (dimmed):
            // it is not offered for download until the new one is drawn.
            <button class="button" data-testid="export-svg" on:click=download_svg
                disabled=move || updating.map(super::stale).unwrap_or(false)>"Download SVG"</button>
            <button class="button" data-testid="export-png" on:click=download_png
                disabled=move || updating.map(super::stale).unwrap_or(false)>"Download PNG"</button>
        </div>
        <details class="chart-data" data-testid="chart-data"
            on:toggle=move |ev| table_open.set(details_open(&ev))>
            <summary>"Chart data as a table"</summary>
            <div class="table-scroll">
                <table class="table compact">
                    <caption>{caption}</caption>
                    <thead><tr>
                        <th scope="col">"Mark"</th><th scope="col">"x"</th>
                        <th scope="col">"y"</th><th scope="col">"Details"</th>
                    </tr></thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|r| view! {
                            <tr><td>{r.what}</td><td class="num">{r.x}</td>
                                <td class="num">{r.y}</td><td>{r.details}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}

/// A reliability chart description of one window, with the reference window overlaid.
fn reliability_of<'a>(
    w: &'a WindowReport,
    reference: Option<&'a WindowReport>,
    log: bool,
) -> Chart<'a> {
    let series = match reference {
        Some(r) => vec![
            ReliabilitySeries {
                name: "current",
                bins: &w.reliability,
            },
            ReliabilitySeries {
                name: "reference",
                bins: &r.reliability,
            },
        ],
        None => vec![ReliabilitySeries {
            name: "model",
            bins: &w.reliability,
        }],
    };
    Chart {
        series,
        histogram: Some(&w.histogram),
        log_scale: log,
        stacked: !log,
        // relplot's kernel-smoothed reliability curve with its bootstrap band, when the report
        // has one (the band is absent when bootstrap intervals are off).
        smooth: w.smooth_curve.as_ref().map(|c| render::SmoothOverlay {
            name: "smoothed (relplot)",
            x: &c.x,
            y: &c.y,
            lower: &c.lower,
            upper: &c.upper,
        }),
        size_by_count: false,
    }
}

/// Tooltip lines of the reliability bin (or histogram column) under the pointer.
fn reliability_tooltip(
    w: &WindowReport,
    reference: Option<&WindowReport>,
    l: &ChartLayout,
    x: f64,
    y: f64,
) -> Option<String> {
    if let Some(m) = l.hit(x, y, (8.0 * l.dpr) as i32)
        && m.panel == render::Panel::Main
    {
        let (name, bins) = match (m.series, reference) {
            (1, Some(r)) => ("Reference window\n", &r.reliability),
            (_, Some(_)) => ("Current window\n", &w.reliability),
            _ => ("", &w.reliability),
        };
        let b = bins.get(m.index)?;
        return Some(format!(
            "{name}Scores {:.3}–{:.3}\n{} rows, {} positives\nMean score {:.4}\nObserved rate {:.4}\nInterval {:.4}–{:.4}",
            b.lower,
            b.upper,
            b.count,
            b.positives,
            b.mean_score,
            b.observed_rate,
            b.ci_lower,
            b.ci_upper
        ));
    }
    if l.panel_at(x, y) == Some(render::Panel::Lower) {
        let i = l.bin_at(x, y)?;
        let h = &w.histogram;
        let (lo, hi) = (h.edges.get(i)?, h.edges.get(i + 1)?);
        return Some(format!(
            "Scores {lo:.2}–{hi:.2}\n{} negatives\n{} positives",
            h.negatives.get(i)?,
            h.positives.get(i)?
        ));
    }
    let index = l.bin_at(x, y)?;
    let b = w.reliability.get(index)?;
    Some(format!(
        "Scores {:.3}–{:.3}\n{} rows, {} positives\nMean score {:.4}\nObserved rate {:.4}\nInterval {:.4}–{:.4}",
        b.lower,
        b.upper,
        b.count,
        b.positives,
        b.mean_score,
        b.observed_rate,
        b.ci_lower,
        b.ci_upper
    ))
}

/// The window's reliability diagram with its score histogram, a log-scale option, per-bin
/// tooltips and downloads. `large` draws it taller (the Calibration view).
#[component]
pub fn ReliabilityChart(
    window: WindowReport,
    #[prop(optional)] large: bool,
    /// The reference window of a comparison, drawn as a second series.
    #[prop(optional_no_strip)]
    reference: Option<WindowReport>,
) -> impl IntoView {
    let log_scale = RwSignal::new(false);
    let drawn_bins = window.reliability.iter().filter(|b| b.count > 0).count();
    let window = StoredValue::new(window);
    let reference = StoredValue::new(reference);
    let spec = ChartSpec {
        testid: if large {
            "calibration-reliability-chart"
        } else {
            "reliability-chart-canvas"
        },
        aria: "Reliability diagram: observed positive rate against mean predicted score per bin, \
               with interval whiskers and the score histogram beneath"
            .to_string(),
        file_stem: "reliability",
        aspect: if large { 0.62 } else { 0.66 },
        height: if large { (360, 720) } else { (280, 640) },
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        let log = log_scale.get();
        reference.with_value(|r| {
            window.with_value(|w| {
                render::reliability_diagram(area, &reliability_of(w, r.as_ref(), log), style)
            })
        })
    };
    let svg = move || {
        let log = log_scale.get_untracked();
        let (w, h) = SVG_WIDE;
        reference.with_value(|r| {
            window.with_value(|win| {
                render::reliability_diagram_svg(
                    &reliability_of(win, r.as_ref(), log),
                    &ChartStyle::new(w, h),
                )
            })
        })
    };
    let tooltip = move |l: &ChartLayout, x: f64, y: f64| {
        reference.with_value(|r| window.with_value(|w| reliability_tooltip(w, r.as_ref(), l, x, y)))
    };
    let actions = view! {
        <label class="check">
            <input type="checkbox" data-testid="histogram-log"
                prop:checked=move || log_scale.get()
                on:change=move |ev| log_scale.set(event_target_checked(&ev)) />
            " log-scale histogram"
        </label>
    }
    .into_any();
    view! {
        <div class="chart-block" data-testid="reliability-chart" data-bins=drawn_bins.to_string()>
            {canvas_chart(spec, draw, svg, tooltip, None, Some(actions))}
        </div>
    }
}
