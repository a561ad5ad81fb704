//! Metrics against the decision threshold: one line per metric chosen by the caller
//! (precision, recall, F1, cost, …), a draggable vertical line at the current threshold, and
//! markers at optimal thresholds. The x axis is the threshold t ∈ [0, 1] (positive iff
//! score ≥ t); [`ChartLayout::threshold_at`](super::ChartLayout::threshold_at) inverts it.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::text_anchor::{HPos, VPos};

use super::RenderError;
use super::axis::{linear_ticks, nice_range, sane_range};
use super::frame::{AxisSpec, LEGEND_TEXT, LegendItem, Painter, Swatch, TICK_TEXT, decimate};
use super::layout::{ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::reliability::PROB_RANGE;
use super::style::ChartStyle;

/// A named series of (x, y) points.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Points in drawing order; non-finite points are skipped.
    pub points: &'a [(f64, f64)],
}

/// A named threshold marked on the chart (e.g. "max F1").
#[derive(Debug, Clone, Copy)]
pub struct ThresholdMarker<'a> {
    /// Label shown next to the marker.
    pub name: &'a str,
    /// The threshold.
    pub x: f64,
}

/// Everything a threshold chart shows.
#[derive(Debug, Clone, Default)]
pub struct ThresholdChart<'a> {
    /// Metric curves in palette order.
    pub series: Vec<Series<'a>>,
    /// The current threshold (vertical line).
    pub current: Option<f64>,
    /// Optimal thresholds (markers with labels).
    pub optima: Vec<ThresholdMarker<'a>>,
    /// Y-axis title (default "Metric value").
    pub y_label: Option<&'a str>,
    /// Fixed y range; by default [0, 1] when all values lie in it, else a nice range.
    pub y_range: Option<(f64, f64)>,
}

/// Y range: the fixed one, [0, 1] (padded) for rates, or a nice range around the data.
pub(crate) fn auto_y_range<'s>(
    series: impl Iterator<Item = &'s [(f64, f64)]>,
    extra: &[f64],
    fixed: Option<(f64, f64)>,
    ticks: usize,
) -> (f64, f64) {
    if let Some((a, b)) = fixed
        && a.is_finite()
        && b.is_finite()
        && a < b
    {
        return (a, b);
    }
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in series {
        for &(x, y) in s {
            if x.is_finite() && y.is_finite() {
                lo = lo.min(y);
                hi = hi.max(y);
            }
        }
    }
    for &y in extra.iter().filter(|y| y.is_finite()) {
        lo = lo.min(y);
        hi = hi.max(y);
    }
    if !lo.is_finite() || (lo >= 0.0 && hi <= 1.0) {
        return PROB_RANGE;
    }
    let (a, b) = sane_range(lo, hi, (0.0, 1.0));
    nice_range(a, b, ticks)
}

/// Draw metric curves against the threshold.
pub fn threshold_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ThresholdChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let theme = p.theme;
    let mut top = p.title()?;

    let legend: Vec<LegendItem> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: if s.name.is_empty() {
                format!("Series {}", i + 1)
            } else {
                s.name.to_string()
            },
            swatch: Swatch::Line(theme.series(i)),
        })
        .collect();
    let rows = p.legend_rows(&legend, p.outer.width() - p.px(20.0));
    let legend_top = top;
    top += p.legend_rows_height(rows.len());

    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(top + 1);
    let n_y = ((bottom - top) / p.px(45.0)).clamp(2, 10) as usize;
    let (y0, y1) = auto_y_range(
        chart.series.iter().map(|s| s.points),
        &[],
        chart.y_range,
        n_y,
    );
    let y_ticks = linear_ticks(y0, y1, n_y);
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let right = (p.outer.right - p.px(10.0) - p.measure("1.0", TICK_TEXT).0 / 2).max(left + 1);
    // Optimum labels live in a strip at the top of the plot.
    let panel = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom,
        },
        PROB_RANGE,
        (y0, y1),
    );
    let x_ticks = linear_ticks(
        0.0,
        1.0,
        (panel.rect.width() / p.px(60.0)).clamp(2, 10) as usize,
    );
    p.axes(
        &panel,
        &AxisSpec::new(x_ticks, Some("Threshold".into())),
        &AxisSpec::new(
            y_ticks,
            Some(chart.y_label.unwrap_or("Metric value").into()),
        ),
    )?;
    let legend_box = p.legend_top(&rows, left, legend_top)?;

    let mut any = false;
    for (i, s) in chart.series.iter().enumerate() {
        let pts = decimate(
            s.points
                .iter()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .map(|&(x, y)| panel.to_px(x.clamp(PROB_RANGE.0, PROB_RANGE.1), y.clamp(y0, y1))),
        );
        any |= !pts.is_empty();
        if pts.len() == 1 {
            p.circle(pts[0], p.px(2.5), theme.series(i), 1.0)?;
        }
        p.polyline(pts, theme.series(i), 1.0, 2.0)?;
    }
    if !any {
        p.message(&panel, "No data")?;
    }

    let mut marks = Vec::new();
    let r = panel.rect;
    // Optimal thresholds: dotted line, triangle at the top, label staggered to avoid overlap.
    let tri = p.px(5.0).max(2);
    let row_h = p.line_height(LEGEND_TEXT) + p.px(2.0);
    let mut placed: Vec<(i32, i32, i32)> = Vec::new(); // (left, right, row)
    for (k, o) in chart.optima.iter().enumerate() {
        if !o.x.is_finite() {
            continue;
        }
        let x = panel.x_to_px(o.x.clamp(PROB_RANGE.0, PROB_RANGE.1));
        p.dashed(vec![(x, r.top), (x, r.bottom)], theme.muted, 0.9, 1.0)?;
        p.polygon(
            vec![
                (x - tri, r.top),
                (x + tri, r.top),
                (x, r.top + tri + tri / 2),
            ],
            theme.muted,
            1.0,
        )?;
        let label = format!("{} {:.2}", o.name, o.x);
        let (w, _) = p.measure(&label, LEGEND_TEXT);
        let right_side = x + w + p.px(10.0) <= r.right;
        let (lx0, lx1) = if right_side {
            (x + p.px(4.0), x + p.px(4.0) + w)
        } else {
            (x - p.px(4.0) - w, x - p.px(4.0))
        };
        let mut row = 0;
        while placed
            .iter()
            .any(|&(a, b, rr)| rr == row && lx0 < b + p.px(6.0) && a < lx1 + p.px(6.0))
        {
            row += 1;
        }
        placed.push((lx0, lx1, row));
        let ly = r.top + tri * 2 + p.px(2.0) + row * row_h;
        let (anchor, ax) = if right_side {
            (HPos::Left, lx0)
        } else {
            (HPos::Right, lx1)
        };
        p.text(
            &label,
            (ax, ly),
            LEGEND_TEXT,
            theme.text,
            anchor,
            VPos::Top,
            false,
            false,
        )?;
        marks.push(Mark {
            kind: MarkKind::Optimum,
            panel: Panel::Main,
            series: 0,
            index: k,
            x: o.x,
            y: y1,
            center: (x, r.top),
            rect: PixelRect {
                left: x - tri,
                top: r.top,
                right: x + tri,
                bottom: r.bottom,
            },
        });
    }
    if let Some(t) = chart.current {
        marks.extend(current_line(&p, &panel, t)?);
    }

    Ok(ChartLayout {
        area: p.outer,
        dpr: style.scale(),
        main: panel,
        lower: None,
        marks,
        bin_edges: Vec::new(),
        bin_panel: Panel::Main,
        legend: legend_box,
    })
}

/// The current threshold: a solid vertical line with its value at the bottom, and its hover
/// mark (`None` when `t` is not finite).
fn current_line<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    t: f64,
) -> Result<Option<Mark>, RenderError> {
    if !t.is_finite() {
        return Ok(None);
    }
    let theme = p.theme;
    let r = panel.rect;
    let y1 = panel.y_max;
    let x = panel.x_to_px(t.clamp(0.0, 1.0));
    p.polyline(vec![(x, r.top), (x, r.bottom)], theme.text, 0.85, 1.5)?;
    let label = format!("t = {t:.2}");
    let (w, h) = p.measure(&label, LEGEND_TEXT);
    let right_side = x + w + p.px(10.0) <= r.right;
    let ly = r.bottom - h - p.px(4.0);
    let (anchor, ax) = if right_side {
        (HPos::Left, x + p.px(4.0))
    } else {
        (HPos::Right, x - p.px(4.0))
    };
    p.text(
        &label,
        (ax, ly),
        LEGEND_TEXT,
        theme.text,
        anchor,
        VPos::Top,
        false,
        false,
    )?;
    let grab = p.px(4.0).max(2);
    Ok(Some(Mark {
        kind: MarkKind::Threshold,
        panel: Panel::Main,
        series: 0,
        index: 0,
        x: t,
        y: y1,
        center: (x, (r.top + r.bottom) / 2),
        rect: PixelRect {
            left: x - grab,
            top: r.top,
            right: x + grab,
            bottom: r.bottom,
        },
    }))
}

/// Paint only the current threshold's line and label of a chart already drawn (without
/// `current`) whose main panel is `panel`: the cheap layer a drag repaints. Drawing a chart
/// with `current: None` and then this gives exactly the chart drawn with `current: Some(t)`.
pub fn threshold_overlay<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &PanelLayout,
    t: f64,
    style: &ChartStyle,
) -> Result<Option<Mark>, RenderError> {
    let p = Painter::new(area, style);
    current_line(&p, panel, t)
}

/// The threshold chart as an SVG document of `style.pixel_size()`.
pub fn threshold_chart_svg(
    chart: &ThresholdChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| threshold_chart(&area, chart, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_range_defaults() {
        let rates = [(0.0, 0.2), (1.0, 0.9)];
        assert_eq!(
            auto_y_range([&rates[..]].into_iter(), &[], None, 5),
            PROB_RANGE
        );
        let costs = [(0.0, 10.0), (1.0, 250.0)];
        let (a, b) = auto_y_range([&costs[..]].into_iter(), &[], None, 5);
        assert!(a <= 10.0 && b >= 250.0);
        assert_eq!(
            auto_y_range([&costs[..]].into_iter(), &[], Some((0.0, 5.0)), 5),
            (0.0, 5.0)
        );
        let flat = [(0.0, 3.0), (1.0, 3.0)];
        let (a, b) = auto_y_range([&flat[..]].into_iter(), &[], None, 5);
        assert!(a < 3.0 && b > 3.0);
        assert_eq!(
            auto_y_range(std::iter::empty(), &[], Some((1.0, 1.0)), 5),
            PROB_RANGE
        );
    }
}
