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
    let rows_of_legend = p.legend_rows(&legend, p.outer.width() - p.px(20.0));
    let legend_top = top;
    top += p.legend_rows_height(rows_of_legend.len());

    // Above the plot, a strip of label rows: the current threshold's "t = …" in the row next
    // to the plot, the optima's labels in the rows above it (stacked so none overlaps another).
    // Labels never sit on the curves, and the drag layer finds the "t" row from the plot alone.
    let row_h = label_row_height(&p);
    let strip_top = top + p.px(2.0);
    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(strip_top + 1);
    // The plot's geometry with `rows` optimum rows; the y ticks (hence the left inset) depend
    // on the plot's height, and the label rows on the x scale, so settle both together.
    let geometry = |rows: usize| {
        let top = (strip_top + (rows as i32 + 1) * row_h).min(bottom - 1);
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
        (panel, y_ticks)
    };
    let mut rows = 0;
    let (mut panel, mut y_ticks) = geometry(rows);
    let mut labels = place_optima(&p, &panel, &chart.optima);
    for _ in 0..4 {
        let need = labels.iter().map(|l| l.row + 1).max().unwrap_or(0);
        if need <= rows {
            break;
        }
        rows = need;
        (panel, y_ticks) = geometry(rows);
        labels = place_optima(&p, &panel, &chart.optima);
    }
    let (y0, y1) = (panel.y_min, panel.y_max);
    let (left, r) = (panel.rect.left, panel.rect);
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
    let legend_box = p.legend_top(&rows_of_legend, left, legend_top)?;

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
    // Optimal thresholds: dotted line, triangle at the top, label in its strip row (a row never
    // beyond the strip: the last one takes any overflow, which needs more than four optima
    // within a label's width of each other).
    let tri = p.px(5.0).max(2);
    for l in &labels {
        let x = l.x_px;
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
        let row = l.row.min(rows.saturating_sub(1));
        let ly = r.top - (row as i32 + 2) * row_h;
        p.text(
            &l.text,
            (l.anchor_x, ly),
            LEGEND_TEXT,
            theme.text,
            l.anchor,
            VPos::Top,
            false,
            false,
        )?;
        marks.push(Mark {
            kind: MarkKind::Optimum,
            panel: Panel::Main,
            series: 0,
            index: l.index,
            x: l.x,
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

/// Height of one label row of the strip above the plot.
fn label_row_height<DB: DrawingBackend>(p: &Painter<'_, DB>) -> i32 {
    p.line_height(LEGEND_TEXT) + p.px(2.0)
}

/// An optimum's label placed in the strip above the plot.
struct PlacedLabel {
    /// Index among the markers with a finite threshold (the hover mark's `index`).
    index: usize,
    /// The threshold and its pixel column.
    x: f64,
    x_px: i32,
    /// "max F1 0.31".
    text: String,
    /// Where the text is anchored, and on which side of its line it sits.
    anchor_x: i32,
    anchor: HPos,
    /// Strip row, 0 next to the "t" row; a label goes to the first row where it clears every
    /// label already placed by [`LABEL_GAP`] CSS pixels.
    row: usize,
}

/// CSS pixels kept between two labels of one row.
const LABEL_GAP: f64 = 6.0;

/// Place the optima's labels: each in the lowest row where it overlaps no other label, right of
/// its line when that is clear and fits over the plot, else left of it.
fn place_optima<DB: DrawingBackend>(
    p: &Painter<'_, DB>,
    panel: &PanelLayout,
    optima: &[ThresholdMarker],
) -> Vec<PlacedLabel> {
    let r = panel.rect;
    let mut placed: Vec<(i32, i32, usize)> = Vec::new(); // (left, right, row)
    let mut out = Vec::new();
    for (index, o) in optima.iter().filter(|o| o.x.is_finite()).enumerate() {
        let x_px = panel.x_to_px(o.x.clamp(PROB_RANGE.0, PROB_RANGE.1));
        let text = format!("{} {:.2}", o.name, o.x);
        let (w, _) = p.measure(&text, LEGEND_TEXT);
        let (pad, gap) = (p.px(4.0), p.px(LABEL_GAP));
        let right = (x_px + pad, x_px + pad + w);
        let left = (x_px - pad - w, x_px - pad);
        // The sides the label fits on, within the plot's columns, right first.
        let mut sides: Vec<(bool, (i32, i32))> = [(true, right), (false, left)]
            .into_iter()
            .filter(|&(_, (a, b))| a >= r.left - pad && b + p.px(6.0) <= r.right)
            .collect();
        if sides.is_empty() {
            // Wider than the plot on both sides: the side with more room.
            sides.push(if r.right - x_px >= x_px - r.left {
                (true, right)
            } else {
                (false, left)
            });
        }
        let clear = |(a, b): (i32, i32), row: usize| {
            !placed
                .iter()
                .any(|&(pa, pb, pr)| pr == row && a < pb + gap && pa < b + gap)
        };
        let (row, (right_side, (lx0, lx1))) = (0..)
            .find_map(|row| {
                sides
                    .iter()
                    .find(|&&(_, span)| clear(span, row))
                    .map(|&side| (row, side))
            })
            .unwrap_or((0, sides[0])); // unreachable: a row above every placed one is clear
        placed.push((lx0, lx1, row));
        let (anchor, anchor_x) = if right_side {
            (HPos::Left, lx0)
        } else {
            (HPos::Right, lx1)
        };
        out.push(PlacedLabel {
            index,
            x: o.x,
            x_px,
            text,
            anchor_x,
            anchor,
            row,
        });
    }
    out
}

/// The current threshold: a solid vertical line with its value just above the plot, and its hover
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
    let (w, _) = p.measure(&label, LEGEND_TEXT);
    let right_side = x + w + p.px(10.0) <= r.right;
    // In the strip row just above the plot (see `threshold_chart`), clear of the curves.
    let ly = r.top - label_row_height(p);
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
