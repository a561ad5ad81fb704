//! Drift over time and the time histogram of the split picker.
//!
//! [`timeline_chart`]: one line per quantity across the current window's chunks (x = the
//! chunk's start time, or its number for chunks by row count without timestamps), each with its
//! reference-window level as a dashed line in the same colour. [`time_histogram_chart`]: rows
//! per time bucket as bars, with the split time as a vertical line; the returned layout's main
//! panel maps a click back to a time (`PanelLayout::px_to_x`).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::RenderError;
use super::axis::{linear_ticks, nice_range, padded_y_range, time_ticks};
use super::frame::{AxisSpec, LegendItem, Painter, Swatch, TICK_TEXT};
use super::layout::{AxisScale, ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::style::ChartStyle;

/// One quantity over the chunks, with its reference level.
#[derive(Debug, Clone, Copy)]
pub struct TimelineSeries<'a> {
    /// Legend name.
    pub name: &'a str,
    /// (x, value) per chunk; non-finite points are skipped (a gap in the line).
    pub points: &'a [(f64, f64)],
    /// The reference window's level (dashed line in the series' colour).
    pub reference: Option<f64>,
}

/// Everything a timeline chart shows.
#[derive(Debug, Clone, Default)]
pub struct TimelineChart<'a> {
    /// Series in palette order.
    pub series: Vec<TimelineSeries<'a>>,
    /// Whether x is epoch seconds (time axis) or a chunk number.
    pub time_axis: bool,
    /// Y-axis title.
    pub y_label: Option<&'a str>,
    /// Fixed y range; by default a nice range around the data and the reference levels.
    pub y_range: Option<(f64, f64)>,
}

fn finite(points: &[(f64, f64)]) -> Vec<(usize, f64, f64)> {
    points
        .iter()
        .enumerate()
        .filter(|(_, (x, y))| x.is_finite() && y.is_finite())
        .map(|(i, &(x, y))| (i, x, y))
        .collect()
}

/// Draw quantities over chunks with their reference levels.
pub fn timeline_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimelineChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let theme = p.theme;
    let mut top = p.title()?;
    let data: Vec<Vec<(usize, f64, f64)>> = chart.series.iter().map(|s| finite(s.points)).collect();
    let mut legend: Vec<LegendItem> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: s.name.to_string(),
            swatch: Swatch::LinePoint(theme.series(i)),
        })
        .collect();
    if chart
        .series
        .iter()
        .any(|s| s.reference.is_some_and(f64::is_finite))
    {
        legend.push(LegendItem {
            label: "reference level".into(),
            swatch: Swatch::Dashed(theme.guide),
        });
    }
    let rows = p.legend_rows(&legend, p.outer.width() - p.px(20.0));
    let legend_top = top;
    top += p.legend_rows_height(rows.len());

    let (xmin, xmax) = data
        .iter()
        .flatten()
        .map(|q| q.1)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    let (xmin, xmax) = if !xmin.is_finite() {
        if chart.time_axis {
            (0.0, 86_400.0)
        } else {
            (0.0, 1.0)
        }
    } else if xmax > xmin {
        (xmin, xmax)
    } else if chart.time_axis {
        (xmin - 43_200.0, xmax + 43_200.0)
    } else {
        (xmin - 0.5, xmax + 0.5)
    };
    let xpad = (xmax - xmin) * 0.04;
    let (xmin, xmax) = (xmin - xpad, xmax + xpad);

    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(top + 1);
    let n_y = ((bottom - top) / p.px(40.0)).clamp(2, 8) as usize;
    let (y0, y1) = match chart.y_range {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => (a, b),
        _ => {
            let refs = chart.series.iter().filter_map(|s| s.reference);
            let ys = data.iter().flatten().map(|q| q.2).chain(refs);
            let (lo, hi) = ys
                .filter(|y| y.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                    (a.min(y), b.max(y))
                });
            padded_y_range(lo, hi, 0.08, n_y)
        }
    };
    let y_ticks = linear_ticks(y0, y1, n_y);
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let char_px = f64::from(p.measure("0000000000", TICK_TEXT).0) / 10.0;
    let right = (p.outer.right - p.px(10.0) - (char_px * 4.0) as i32).max(left + 1);
    let x_ticks = if chart.time_axis {
        time_ticks(
            xmin,
            xmax,
            f64::from(right - left),
            char_px,
            f64::from(p.px(24.0)),
        )
    } else {
        let max_ticks = ((right - left) / p.px(50.0)).clamp(2, 12) as usize;
        linear_ticks(xmin, xmax, max_ticks)
            .into_iter()
            .filter(|t| (t.value - t.value.round()).abs() < 1e-9)
            .collect()
    };
    let mut panel = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom,
        },
        (xmin, xmax),
        (y0, y1),
    );
    if chart.time_axis {
        panel.x_scale = AxisScale::Time;
    }
    let x_title = if chart.time_axis {
        "Chunk start (UTC)"
    } else {
        "Chunk"
    };
    p.axes(
        &panel,
        &AxisSpec::new(x_ticks, Some(x_title.into())),
        &AxisSpec::new(y_ticks, Some(chart.y_label.unwrap_or("Value").into())),
    )?;
    // Long series names (drift per column and method) may not fit from the plot's left edge.
    let legend_box = p.legend_top(&rows, p.legend_left(&rows, left), legend_top)?;

    for (i, s) in chart.series.iter().enumerate() {
        if let Some(r) = s.reference.filter(|r| r.is_finite()) {
            let y = panel.y_to_px(r.clamp(y0, y1));
            p.dashed(
                vec![(panel.rect.left, y), (panel.rect.right, y)],
                theme.series(i),
                0.9,
                1.5,
            )?;
        }
    }
    let mut marks = Vec::new();
    let r_dot = p.px(3.0).max(1);
    for (i, pts) in data.iter().enumerate() {
        let color = theme.series(i);
        // Split the line at undefined chunks.
        let mut run: Vec<(i32, i32)> = Vec::new();
        let mut last: Option<usize> = None;
        for &(j, x, y) in pts {
            let c = panel.to_px(x, y.clamp(y0, y1));
            if last.is_some_and(|l| l + 1 != j) {
                p.polyline(std::mem::take(&mut run), color, 1.0, 2.0)?;
            }
            run.push(c);
            last = Some(j);
            p.circle(c, r_dot, color, 1.0)?;
            let h = r_dot + p.px(3.0);
            marks.push(Mark {
                kind: MarkKind::Point,
                panel: Panel::Main,
                series: i,
                index: j,
                x,
                y,
                center: c,
                rect: PixelRect::from_corners((c.0 - h, c.1 - h), (c.0 + h, c.1 + h)),
            });
        }
        p.polyline(run, color, 1.0, 2.0)?;
    }
    if marks.is_empty() {
        p.message(&panel, "No data")?;
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

/// The timeline chart as an SVG document of `style.pixel_size()`.
pub fn timeline_chart_svg(
    chart: &TimelineChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| timeline_chart(&area, chart, s))
}

/// Rows per time bucket, with the split marked.
#[derive(Debug, Clone, Default)]
pub struct TimeHistogramChart<'a> {
    /// Bucket starts, epoch seconds, ascending.
    pub starts: &'a [i64],
    /// Bucket width in seconds.
    pub width: i64,
    /// Rows per bucket.
    pub counts: &'a [u64],
    /// The split time (epoch seconds): buckets before it are drawn as the reference window.
    pub split: Option<f64>,
}

/// Draw the time histogram. Bars before the split take the reference colour, the others the
/// current colour; the split is a vertical line. The layout's `bin_edges` are the bucket
/// edges (for hover).
pub fn time_histogram_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeHistogramChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let theme = p.theme;
    let top = p.title()?;
    let width = chart.width.max(1);
    let n = chart.starts.len().min(chart.counts.len());
    let (xmin, xmax) = match (chart.starts.first(), n.checked_sub(1)) {
        (Some(&a), Some(last)) => (a as f64, (chart.starts[last] + width) as f64),
        _ => (0.0, 86_400.0),
    };
    let max = chart.counts.iter().take(n).copied().max().unwrap_or(0);
    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(top + 1);
    let n_y = ((bottom - top) / p.px(30.0)).clamp(2, 5) as usize;
    let (y0, y1) = nice_range(0.0, (max as f64).max(1.0), n_y);
    let y_ticks = linear_ticks(y0, y1, n_y);
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let char_px = f64::from(p.measure("0000000000", TICK_TEXT).0) / 10.0;
    let right = (p.outer.right - p.px(8.0) - (char_px * 3.0) as i32).max(left + 1);
    let x_ticks = time_ticks(
        xmin,
        xmax,
        f64::from(right - left),
        char_px,
        f64::from(p.px(20.0)),
    );
    let mut panel = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom,
        },
        (xmin, xmax),
        (y0, y1),
    );
    panel.x_scale = AxisScale::Time;
    p.axes(
        &panel,
        &AxisSpec::new(x_ticks, Some("Time (UTC)".into())),
        &AxisSpec::new(y_ticks, Some("Rows".into())),
    )?;
    let split = chart.split.filter(|s| s.is_finite());
    let mut marks = Vec::new();
    for i in 0..n {
        let (a, b) = (chart.starts[i] as f64, (chart.starts[i] + width) as f64);
        let c = chart.counts[i];
        let color = match split {
            Some(s) if b <= s => theme.series(1),
            _ => theme.series(0),
        };
        let (l, r) = (panel.x_to_px(a), panel.x_to_px(b));
        let rect = PixelRect {
            left: l,
            right: (r - 1).max(l),
            top: panel.y_to_px(c as f64),
            bottom: panel.y_to_px(0.0),
        };
        if c > 0 {
            p.rect(rect, color, 0.85, true)?;
        }
        marks.push(Mark {
            kind: MarkKind::Bar,
            panel: Panel::Main,
            series: 0,
            index: i,
            x: a,
            y: c as f64,
            center: ((l + r) / 2, rect.top),
            rect: PixelRect {
                top: panel.rect.top,
                ..rect
            },
        });
    }
    if let Some(s) = split
        && s >= xmin
        && s <= xmax
    {
        let x = panel.x_to_px(s);
        p.polyline(
            vec![(x, panel.rect.top), (x, panel.rect.bottom)],
            theme.text,
            1.0,
            2.0,
        )?;
    }
    if n == 0 {
        p.message(&panel, "No timestamps")?;
    }
    Ok(ChartLayout {
        area: p.outer,
        dpr: style.scale(),
        main: panel,
        lower: None,
        marks,
        bin_edges: (0..=n)
            .map(|i| {
                chart
                    .starts
                    .first()
                    .map_or(0.0, |&a| (a + i as i64 * width) as f64)
            })
            .collect(),
        bin_panel: Panel::Main,
        legend: None,
    })
}

/// The time histogram as an SVG document of `style.pixel_size()`.
pub fn time_histogram_chart_svg(
    chart: &TimeHistogramChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| time_histogram_chart(&area, chart, s))
}
