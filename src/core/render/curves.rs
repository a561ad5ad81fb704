//! ROC and precision–recall curves.
//!
//! ROC: true positive rate against false positive rate, points joined by straight lines (the
//! trapezoidal curve whose area is the AUC, as `sklearn.metrics.RocCurveDisplay`), with the
//! chance diagonal. PR: precision against recall drawn as a step function by default — the
//! curve whose area is average precision, AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ, as
//! `sklearn.metrics.PrecisionRecallDisplay` (`drawstyle="steps-post"`) — with the chance
//! baseline at the positive rate (Saito & Rehmsmeier 2015).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::RenderError;
use super::axis::linear_ticks;
use super::frame::{AxisSpec, Corner, LegendItem, Painter, Swatch, TICK_TEXT, decimate};
use super::layout::{ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::reliability::PROB_RANGE;
use super::style::ChartStyle;

/// One ROC curve.
#[derive(Debug, Clone, Copy, Default)]
pub struct RocCurve<'a> {
    /// Legend name (may be empty).
    pub name: &'a str,
    /// False positive rates, in curve order.
    pub fpr: &'a [f64],
    /// True positive rates, same length as `fpr` (extra points are ignored).
    pub tpr: &'a [f64],
    /// Area under the curve, shown in the legend.
    pub auc: Option<f64>,
    /// Confidence interval of the AUC, shown in the legend.
    pub auc_ci: Option<[f64; 2]>,
    /// (fpr, tpr) at the current threshold, marked with a dot.
    pub current: Option<(f64, f64)>,
}

/// A ROC chart: one or more curves.
#[derive(Debug, Clone, Default)]
pub struct RocChart<'a> {
    /// Curves in palette order.
    pub curves: Vec<RocCurve<'a>>,
    /// The current threshold, named in the legend next to the marked points.
    pub threshold: Option<f64>,
}

/// One precision–recall curve.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrCurve<'a> {
    /// Legend name (may be empty).
    pub name: &'a str,
    /// Recall values, in curve order (either direction).
    pub recall: &'a [f64],
    /// Precision values, same length as `recall`.
    pub precision: &'a [f64],
    /// Average precision, shown in the legend.
    pub average_precision: Option<f64>,
    /// Confidence interval of the average precision, shown in the legend.
    pub average_precision_ci: Option<[f64; 2]>,
    /// Positive rate: the precision of a random classifier (dashed baseline).
    pub positive_rate: Option<f64>,
    /// (recall, precision) at the current threshold, marked with a dot.
    pub current: Option<(f64, f64)>,
}

/// A precision–recall chart: one or more curves.
#[derive(Debug, Clone, Default)]
pub struct PrChart<'a> {
    /// Curves in palette order.
    pub curves: Vec<PrCurve<'a>>,
    /// The current threshold, named in the legend next to the marked points.
    pub threshold: Option<f64>,
    /// Join points with straight lines instead of the AP step function.
    pub linear: bool,
}

fn clamp(v: f64) -> f64 {
    v.clamp(PROB_RANGE.0, PROB_RANGE.1)
}

/// Finite (x, y) pairs of two slices, over their common length.
fn pairs<'a>(x: &'a [f64], y: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + Clone + 'a {
    x.iter()
        .zip(y)
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| (clamp(*a), clamp(*b)))
}

/// The unit-square panel shared by ROC and PR charts, with axes drawn.
fn square_panel<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    x_title: &str,
    y_title: &str,
) -> Result<PanelLayout, RenderError> {
    let top = p.title()?;
    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(top + 1);
    let y_ticks = linear_ticks(
        0.0,
        1.0,
        ((bottom - top) / p.px(45.0)).clamp(2, 10) as usize,
    );
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let right = (p.outer.right - p.px(10.0) - p.measure("1.0", TICK_TEXT).0 / 2).max(left + 1);
    let panel = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom,
        },
        PROB_RANGE,
        PROB_RANGE,
    );
    let x_ticks = linear_ticks(
        0.0,
        1.0,
        (panel.rect.width() / p.px(60.0)).clamp(2, 10) as usize,
    );
    p.axes(
        &panel,
        &AxisSpec::new(x_ticks, Some(x_title.into())),
        &AxisSpec::new(y_ticks, Some(y_title.into())),
    )?;
    Ok(panel)
}

/// A dot with a ring in the background colour, so it stands out on its curve.
fn threshold_dot<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    series: usize,
    at: (f64, f64),
    marks: &mut Vec<Mark>,
) -> Result<(), RenderError> {
    if !(at.0.is_finite() && at.1.is_finite()) {
        return Ok(());
    }
    let c = panel.to_px(clamp(at.0), clamp(at.1));
    let r = p.px(4.5).max(2);
    p.circle(c, r + p.px(2.0).max(1), p.theme.background, 1.0)?;
    p.circle(c, r, p.theme.series(series), 1.0)?;
    marks.push(Mark {
        kind: MarkKind::Point,
        panel: Panel::Main,
        series,
        index: 0,
        x: at.0,
        y: at.1,
        center: c,
        rect: PixelRect::from_corners((c.0 - r, c.1 - r), (c.0 + r, c.1 + r)),
    });
    Ok(())
}

/// Paint operating points — (curve index, (x, y)) in data units — on a ROC or PR chart drawn
/// by [`roc_curve_chart_base`] / [`pr_curve_chart_base`] with main panel `panel`; returns their
/// hover marks (the points alone, without the legend of [`roc_curve_chart_live`]).
pub fn operating_points<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &PanelLayout,
    points: &[(usize, (f64, f64))],
    style: &ChartStyle,
) -> Result<Vec<Mark>, RenderError> {
    let p = Painter::new(area, style);
    threshold_dots(&p, panel, points.iter().copied())
}

/// Paint the current-threshold dot of each `(series, (x, y))` with [`threshold_dot`] (points
/// not finite are skipped); returns their hover marks, one per dot drawn — shared by the ROC and
/// PR charts and [`operating_points`], so the three draw the same dots.
fn threshold_dots<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    points: impl IntoIterator<Item = (usize, (f64, f64))>,
) -> Result<Vec<Mark>, RenderError> {
    let mut marks = Vec::new();
    for (series, at) in points {
        threshold_dot(p, panel, series, at, &mut marks)?;
    }
    Ok(marks)
}

fn with_name(name: &str, text: String) -> String {
    match (name.is_empty(), text.is_empty()) {
        (true, _) => text,
        (false, true) => name.to_string(),
        (false, false) => format!("{name}: {text}"),
    }
}

fn finish(
    p_outer: PixelRect,
    style: &ChartStyle,
    main: PanelLayout,
    marks: Vec<Mark>,
    legend: Option<PixelRect>,
) -> ChartLayout {
    ChartLayout {
        area: p_outer,
        dpr: style.scale(),
        main,
        lower: None,
        marks,
        bin_edges: Vec::new(),
        bin_panel: Panel::Main,
        legend,
    }
}

/// Draw ROC curves with the chance diagonal and current-threshold dots.
pub fn roc_curve_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &RocChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    roc_curve_chart_layer(area, chart, style, false)
}

/// The ROC chart without its operating points and legend, for a caller that paints them on top
/// with [`roc_curve_chart_live`] (the cheap layer a threshold drag repaints, so the legend names
/// the live threshold's value).
pub fn roc_curve_chart_base<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &RocChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    roc_curve_chart_layer(area, chart, style, true)
}

/// The ROC chart's operating points and legend, painted over [`roc_curve_chart_base`] whose main
/// panel is `panel`; returns the points' hover marks. Base plus this layer is the full chart.
pub fn roc_curve_chart_live<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &RocChart,
    panel: &PanelLayout,
    style: &ChartStyle,
) -> Result<Vec<Mark>, RenderError> {
    let p = Painter::new(area, style);
    Ok(roc_points_and_legend(&p, panel, chart)?.0)
}

/// Draw the ROC chart; `live_elsewhere` leaves out the operating points and the legend (see
/// [`roc_curve_chart_base`]).
fn roc_curve_chart_layer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &RocChart,
    style: &ChartStyle,
    live_elsewhere: bool,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let panel = square_panel(&p, "False positive rate", "True positive rate")?;
    p.dashed(
        vec![panel.to_px(0.0, 0.0), panel.to_px(1.0, 1.0)],
        p.theme.guide,
        1.0,
        1.0,
    )?;
    let mut any = false;
    for (i, c) in chart.curves.iter().enumerate() {
        let color = p.theme.series(i);
        let pts = decimate(pairs(c.fpr, c.tpr).map(|(x, y)| panel.to_px(x, y)));
        any |= !pts.is_empty();
        if pts.len() == 1 {
            p.circle(pts[0], p.px(2.5), color, 1.0)?;
        }
        p.polyline(pts, color, 1.0, 2.0)?;
    }
    if !any {
        p.message(&panel, "No data")?;
    }
    if live_elsewhere {
        return Ok(finish(p.outer, style, panel, Vec::new(), None));
    }
    let (marks, legend_box) = roc_points_and_legend(&p, &panel, chart)?;
    Ok(finish(p.outer, style, panel, marks, legend_box))
}

/// The legend row of the current threshold's dots, with its value when it is known.
fn threshold_item<DB: DrawingBackend>(p: &Painter<'_, DB>, threshold: Option<f64>) -> LegendItem {
    let label = match threshold.filter(|t| t.is_finite()) {
        Some(t) => format!("Threshold {t:.2}"),
        None => "Current threshold".into(),
    };
    LegendItem {
        label,
        swatch: Swatch::Point(p.theme.muted),
    }
}

/// A curve's legend label: its name and `text`, or `Curve n` when both are empty.
fn curve_label(name: &str, text: String, i: usize) -> String {
    let label = with_name(name, text);
    if label.is_empty() {
        format!("Curve {}", i + 1)
    } else {
        label
    }
}

/// Paint the ROC chart's operating points and its legend (AUC per curve, chance, threshold);
/// returns the points' hover marks and the legend's box.
fn roc_points_and_legend<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    chart: &RocChart,
) -> Result<(Vec<Mark>, Option<PixelRect>), RenderError> {
    let currents = chart.curves.iter().enumerate();
    let marks = threshold_dots(
        p,
        panel,
        currents.filter_map(|(i, c)| Some((i, c.current?))),
    )?;
    let mut legend = Vec::new();
    for (i, c) in chart.curves.iter().enumerate() {
        let mut text = String::new();
        if let Some(a) = c.auc.filter(|a| a.is_finite()) {
            text = format!("AUC {a:.3}");
            if let Some([lo, hi]) = c.auc_ci.filter(|[l, h]| l.is_finite() && h.is_finite()) {
                text.push_str(&format!(" [{lo:.2}, {hi:.2}]"));
            }
        }
        legend.push(LegendItem {
            label: curve_label(c.name, text, i),
            swatch: Swatch::Line(p.theme.series(i)),
        });
    }
    legend.push(LegendItem {
        label: "Chance".into(),
        swatch: Swatch::Dashed(p.theme.guide),
    });
    if !marks.is_empty() {
        legend.push(threshold_item(p, chart.threshold));
    }
    let legend_box = p.legend_inside(panel, &legend, Corner::BottomRight)?;
    Ok((marks, legend_box))
}

/// Draw precision–recall curves with positive-rate baselines and current-threshold dots.
pub fn pr_curve_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &PrChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    pr_curve_chart_layer(area, chart, style, false)
}

/// The PR chart without its operating points and legend, for a caller that paints them on top
/// with [`pr_curve_chart_live`] (the cheap layer a threshold drag repaints, so the legend names
/// the live threshold's value).
pub fn pr_curve_chart_base<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &PrChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    pr_curve_chart_layer(area, chart, style, true)
}

/// The PR chart's operating points and legend, painted over [`pr_curve_chart_base`] whose main
/// panel is `panel`; returns the points' hover marks. Base plus this layer is the full chart.
pub fn pr_curve_chart_live<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &PrChart,
    panel: &PanelLayout,
    style: &ChartStyle,
) -> Result<Vec<Mark>, RenderError> {
    let p = Painter::new(area, style);
    Ok(pr_points_and_legend(&p, panel, chart)?.0)
}

/// Draw the PR chart; `live_elsewhere` leaves out the operating points and the legend (see
/// [`pr_curve_chart_base`]).
fn pr_curve_chart_layer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &PrChart,
    style: &ChartStyle,
    live_elsewhere: bool,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let panel = square_panel(&p, "Recall", "Precision")?;
    let mut any = false;
    let single = chart.curves.len() == 1;
    for (i, c) in chart.curves.iter().enumerate() {
        let color = p.theme.series(i);
        if let Some(b) = c.positive_rate.filter(|b| b.is_finite()) {
            let y = clamp(b);
            let col = if single { p.theme.guide } else { color };
            p.dashed(
                vec![panel.to_px(0.0, y), panel.to_px(1.0, y)],
                col,
                if single { 1.0 } else { 0.7 },
                1.0,
            )?;
        }
        let mut pts: Vec<(f64, f64)> = pairs(c.recall, c.precision).collect();
        if pts.len() >= 2 && pts[0].0 > pts[pts.len() - 1].0 {
            pts.reverse();
        }
        let stepped: Box<dyn Iterator<Item = (f64, f64)>> = if chart.linear {
            Box::new(pts.iter().copied())
        } else {
            Box::new(pts.iter().enumerate().flat_map(|(k, &(r, q))| {
                let prev = if k == 0 { None } else { Some(pts[k - 1]) };
                prev.map(|(r0, _)| (r0, q))
                    .into_iter()
                    .chain(std::iter::once((r, q)))
            }))
        };
        let line = decimate(stepped.map(|(x, y)| panel.to_px(x, y)));
        any |= !line.is_empty();
        if line.len() == 1 {
            p.circle(line[0], p.px(2.5), color, 1.0)?;
        }
        p.polyline(line, color, 1.0, 2.0)?;
    }
    if !any {
        p.message(&panel, "No data")?;
    }
    if live_elsewhere {
        return Ok(finish(p.outer, style, panel, Vec::new(), None));
    }
    let (marks, legend_box) = pr_points_and_legend(&p, &panel, chart)?;
    Ok(finish(p.outer, style, panel, marks, legend_box))
}

/// Paint the PR chart's operating points and its legend (AP per curve, positive rate,
/// threshold); returns the points' hover marks and the legend's box.
fn pr_points_and_legend<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    chart: &PrChart,
) -> Result<(Vec<Mark>, Option<PixelRect>), RenderError> {
    let currents = chart.curves.iter().enumerate();
    let marks = threshold_dots(
        p,
        panel,
        currents.filter_map(|(i, c)| Some((i, c.current?))),
    )?;
    let single = chart.curves.len() == 1;
    let mut legend = Vec::new();
    for (i, c) in chart.curves.iter().enumerate() {
        let mut text = c
            .average_precision
            .filter(|a| a.is_finite())
            .map(|a| format!("AP {a:.3}"))
            .unwrap_or_default();
        if !text.is_empty()
            && let Some([lo, hi]) = c
                .average_precision_ci
                .filter(|[l, h]| l.is_finite() && h.is_finite())
        {
            text.push_str(&format!(" [{lo:.2}, {hi:.2}]"));
        }
        legend.push(LegendItem {
            label: curve_label(c.name, text, i),
            swatch: Swatch::Line(p.theme.series(i)),
        });
    }
    let baseline = chart
        .curves
        .iter()
        .any(|c| c.positive_rate.is_some_and(f64::is_finite));
    if baseline {
        let label = match chart
            .curves
            .first()
            .and_then(|c| c.positive_rate)
            .filter(|_| single)
        {
            Some(b) if b.is_finite() => format!("Positive rate {b:.3}"),
            _ => "Positive rate (chance)".into(),
        };
        legend.push(LegendItem {
            label,
            swatch: Swatch::Dashed(p.theme.guide),
        });
    }
    if !marks.is_empty() {
        legend.push(threshold_item(p, chart.threshold));
    }
    let legend_box = p.legend_inside(panel, &legend, Corner::BottomLeft)?;
    Ok((marks, legend_box))
}

/// The ROC chart as an SVG document of `style.pixel_size()`.
pub fn roc_curve_chart_svg(chart: &RocChart, style: &ChartStyle) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| roc_curve_chart(&area, chart, s))
}

/// The precision–recall chart as an SVG document of `style.pixel_size()`.
pub fn pr_curve_chart_svg(chart: &PrChart, style: &ChartStyle) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| pr_curve_chart(&area, chart, s))
}
