//! Metrics over time: one line per series against time (seconds since the Unix epoch, ticks
//! at calendar-aligned UTC dates and times), with an optional horizontal reference level (a
//! baseline) and alert levels (warning and critical, dashed).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::RenderError;
use super::axis::{linear_ticks, padded_y_range, time_ticks};
use super::frame::{AxisSpec, LegendItem, Painter, Swatch, TICK_TEXT, decimate};
use super::layout::{AxisScale, ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::style::ChartStyle;
use super::threshold::Series;

/// A horizontal reference line.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceLevel<'a> {
    /// Legend name (e.g. "Reference AUC").
    pub name: &'a str,
    /// Its value.
    pub y: f64,
}

/// An alert level drawn as a horizontal dashed line: warning levels in the muted text colour,
/// critical levels in vermillion.
#[derive(Debug, Clone, Copy)]
pub struct AlertLevel<'a> {
    /// Legend name (e.g. "p95 critical").
    pub name: &'a str,
    /// Its value (non-finite levels are not drawn).
    pub y: f64,
    /// Critical (true) or warning (false).
    pub critical: bool,
}

/// Colour of an alert level line.
fn level_color(theme: &super::style::Theme, critical: bool) -> plotters::style::RGBColor {
    if critical {
        super::style::OKABE_ITO[5]
    } else {
        theme.muted
    }
}

/// Everything a time-series chart shows.
#[derive(Debug, Clone, Default)]
pub struct TimeSeriesChart<'a> {
    /// Series of (seconds since epoch, value), in palette order; drawn sorted by time.
    pub series: Vec<Series<'a>>,
    /// Optional horizontal reference level.
    pub reference: Option<ReferenceLevel<'a>>,
    /// Y-axis title (default "Value").
    pub y_label: Option<&'a str>,
    /// Fixed y range; by default a nice range around the data, the reference level and the
    /// alert levels.
    pub y_range: Option<(f64, f64)>,
    /// Alert levels (warning and critical), drawn as dashed lines and listed in the legend
    /// (once per name: give a band's two sides the same name).
    pub levels: Vec<AlertLevel<'a>>,
}

/// Series with at most this many points get a dot at each point.
const DOTS_UP_TO: usize = 60;
/// Point marks (for tooltips) are recorded when all series together have at most this many.
const MARKS_UP_TO: usize = 5000;

/// Finite points as (index in the input, x, y), sorted by time.
fn finite_points(s: &Series) -> Vec<(usize, f64, f64)> {
    let mut v: Vec<(usize, f64, f64)> = s
        .points
        .iter()
        .enumerate()
        .filter(|(_, (x, y))| x.is_finite() && y.is_finite())
        .map(|(i, &(x, y))| (i, x, y))
        .collect();
    if v.windows(2).any(|w| w[1].1 < w[0].1) {
        v.sort_by(|a, b| a.1.total_cmp(&b.1));
    }
    v
}

/// Draw series against time.
pub fn time_series_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeSeriesChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let theme = p.theme;
    let mut top = p.title()?;
    let data: Vec<Vec<(usize, f64, f64)>> = chart.series.iter().map(finite_points).collect();
    let reference = chart.reference.filter(|r| r.y.is_finite());

    let mut legend: Vec<LegendItem> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: if s.name.is_empty() {
                format!("Series {}", i + 1)
            } else {
                s.name.to_string()
            },
            swatch: if data[i].len() <= DOTS_UP_TO {
                Swatch::LinePoint(theme.series(i))
            } else {
                Swatch::Line(theme.series(i))
            },
        })
        .collect();
    if let Some(r) = reference {
        legend.push(LegendItem {
            label: if r.name.is_empty() {
                "Reference".into()
            } else {
                r.name.to_string()
            },
            swatch: Swatch::Dashed(theme.guide),
        });
    }
    let levels: Vec<AlertLevel> = chart
        .levels
        .iter()
        .copied()
        .filter(|l| l.y.is_finite())
        .collect();
    // Levels sharing a name (a band's low and high side) share one legend entry.
    let mut named: Vec<(&str, bool)> = Vec::new();
    for l in &levels {
        if !named.contains(&(l.name, l.critical)) {
            named.push((l.name, l.critical));
            legend.push(LegendItem {
                label: l.name.to_string(),
                swatch: Swatch::Dashed(level_color(&theme, l.critical)),
            });
        }
    }
    // The legend starts at the plot's left edge, right of the y axis: budget for that inset.
    let rows = p.legend_rows(&legend, p.outer.width() - p.px(80.0));
    let legend_top = top;
    top += p.legend_rows_height(rows.len());

    // Ranges.
    let xs = data.iter().flatten().map(|p| p.1);
    let (xmin, xmax) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let (xmin, xmax) = if xmin.is_finite() {
        if xmax > xmin {
            (xmin, xmax)
        } else {
            (xmin - 3600.0, xmax + 3600.0)
        }
    } else {
        (0.0, 86_400.0)
    };
    let xpad = (xmax - xmin) * 0.02;
    let (xmin, xmax) = (xmin - xpad, xmax + xpad);

    let tick_h = p.line_height(TICK_TEXT);
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, tick_h)).max(top + 1);
    let n_y = ((bottom - top) / p.px(45.0)).clamp(2, 10) as usize;
    let (y0, y1) = match chart.y_range {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => (a, b),
        _ => {
            let ys = data
                .iter()
                .flatten()
                .map(|p| p.2)
                .chain(reference.map(|r| r.y))
                .chain(levels.iter().map(|l| l.y));
            let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| {
                (a.min(y), b.max(y))
            });
            padded_y_range(lo, hi, 0.05, n_y)
        }
    };
    let y_ticks = linear_ticks(y0, y1, n_y);
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let char_px = f64::from(p.measure("0000000000", TICK_TEXT).0) / 10.0;
    let right = (p.outer.right - p.px(10.0) - (char_px * 5.5) as i32).max(left + 1);
    let x_ticks = time_ticks(
        xmin,
        xmax,
        f64::from(right - left),
        char_px,
        f64::from(p.px(24.0)),
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
        &AxisSpec::new(y_ticks, Some(chart.y_label.unwrap_or("Value").into())),
    )?;
    let legend_box = p.legend_top(&rows, p.legend_left(&rows, left), legend_top)?;

    if let Some(r) = reference {
        let y = panel.y_to_px(r.y.clamp(y0, y1));
        p.dashed(
            vec![(panel.rect.left, y), (panel.rect.right, y)],
            theme.guide,
            1.0,
            1.5,
        )?;
    }
    for l in &levels {
        let y = panel.y_to_px(l.y.clamp(y0, y1));
        p.dashed(
            vec![(panel.rect.left, y), (panel.rect.right, y)],
            level_color(&theme, l.critical),
            1.0,
            if l.critical { 2.0 } else { 1.5 },
        )?;
    }
    let total: usize = data.iter().map(Vec::len).sum();
    let mut marks = Vec::new();
    let r_dot = p.px(2.5).max(1);
    for (i, pts) in data.iter().enumerate() {
        let color = theme.series(i);
        let px: Vec<(i32, i32)> = pts
            .iter()
            .map(|&(_, x, y)| panel.to_px(x, y.clamp(y0, y1)))
            .collect();
        p.polyline(decimate(px.iter().copied()), color, 1.0, 2.0)?;
        if pts.len() <= DOTS_UP_TO {
            for &c in &px {
                p.circle(c, r_dot, color, 1.0)?;
            }
        }
        if total <= MARKS_UP_TO {
            for (&(j, x, y), &c) in pts.iter().zip(&px) {
                let h = r_dot + p.px(2.0);
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
        }
    }
    if total == 0 {
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

/// The time-series chart as an SVG document of `style.pixel_size()`.
pub fn time_series_chart_svg(
    chart: &TimeSeriesChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| time_series_chart(&area, chart, s))
}
