//! Distribution of one column in the reference and the current window, for the drift view:
//! two overlaid histograms (translucent bars with step outlines) for a numeric column, or
//! grouped bars for a categorical one. By default each window's values are normalised to
//! shares of its rows, so windows of different sizes compare — the quantities PSI and the
//! χ² test compare (Yurdakul 2018; Pearson 1900).

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};

use super::RenderError;
use super::axis::{Tick, linear_ticks, nice_range};
use super::frame::{AxisSpec, LegendItem, Painter, Swatch, TICK_TEXT, truncate};
use super::layout::{ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::style::ChartStyle;

/// The binned values of one column in two windows.
#[derive(Debug, Clone, Copy)]
pub enum Distribution<'a> {
    /// A numeric column: bin edges (length bins + 1, non-decreasing; the first may be −∞ and
    /// the last +∞, drawn one neighbouring bin width wide) and per-bin values.
    Numeric {
        /// Bin edges.
        edges: &'a [f64],
        /// Reference window per bin (counts or shares).
        reference: &'a [f64],
        /// Current window per bin.
        current: &'a [f64],
    },
    /// A categorical column: category labels and per-category values.
    Categorical {
        /// Category labels (any text; escaped in SVG).
        categories: &'a [String],
        /// Reference window per category.
        reference: &'a [f64],
        /// Current window per category.
        current: &'a [f64],
    },
}

/// Everything a distribution chart shows.
#[derive(Debug, Clone, Copy)]
pub struct DistributionChart<'a> {
    /// Column name (x-axis title).
    pub column: &'a str,
    /// The data.
    pub data: Distribution<'a>,
    /// Divide each window by its total so bars are shares of rows.
    pub normalize: bool,
    /// Legend name of the reference window.
    pub reference_name: &'a str,
    /// Legend name of the current window.
    pub current_name: &'a str,
}

impl<'a> DistributionChart<'a> {
    /// A numeric-column chart with shares and default window names.
    pub fn numeric(
        column: &'a str,
        edges: &'a [f64],
        reference: &'a [f64],
        current: &'a [f64],
    ) -> Self {
        Self {
            column,
            data: Distribution::Numeric {
                edges,
                reference,
                current,
            },
            normalize: true,
            reference_name: "Reference",
            current_name: "Current",
        }
    }

    /// A categorical-column chart with shares and default window names.
    pub fn categorical(
        column: &'a str,
        categories: &'a [String],
        reference: &'a [f64],
        current: &'a [f64],
    ) -> Self {
        Self {
            column,
            data: Distribution::Categorical {
                categories,
                reference,
                current,
            },
            normalize: true,
            reference_name: "Reference",
            current_name: "Current",
        }
    }
}

/// Bin edges made finite: ±∞ at the ends become one neighbouring bin width (or 1) away.
/// `None` if fewer than two edges, a non-finite interior edge, or decreasing edges.
pub(crate) fn finite_edges(edges: &[f64]) -> Option<Vec<f64>> {
    let n = edges.len();
    if n < 2 {
        return None;
    }
    let mut e = edges.to_vec();
    for (i, v) in e.iter().enumerate() {
        let end_ok = (i == 0 && *v == f64::NEG_INFINITY) || (i == n - 1 && *v == f64::INFINITY);
        if !v.is_finite() && !end_ok {
            return None;
        }
    }
    if e.windows(2).any(|w| w[1] < w[0]) {
        return None;
    }
    let finite: Vec<f64> = e.iter().copied().filter(|v| v.is_finite()).collect();
    let width = finite
        .windows(2)
        .map(|w| w[1] - w[0])
        .find(|w| *w > 0.0)
        .unwrap_or(1.0);
    let first_finite = *finite.first().unwrap_or(&0.0);
    let last_finite = *finite.last().unwrap_or(&0.0);
    if e[0] == f64::NEG_INFINITY {
        let next = e.iter().copied().find(|v| v.is_finite());
        e[0] = next.unwrap_or(first_finite) - width;
    }
    if e[n - 1] == f64::INFINITY {
        let prev = e.iter().rev().copied().find(|v| v.is_finite());
        e[n - 1] = prev.unwrap_or(last_finite) + width;
    }
    if finite.is_empty() {
        // [−∞, +∞]: one bin around 0.
        e[0] = -0.5;
        e[n - 1] = 0.5;
    }
    Some(e)
}

/// Non-negative finite values, normalised to shares if asked (all-zero stays zero).
fn prepare(values: &[f64], n: usize, normalize: bool) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n)
        .map(|i| {
            values
                .get(i)
                .copied()
                .filter(|x| x.is_finite() && *x > 0.0)
                .unwrap_or(0.0)
        })
        .collect();
    let total: f64 = v.iter().sum();
    if normalize && total > 0.0 && total.is_finite() {
        for x in &mut v {
            *x /= total;
        }
    }
    v
}

/// Draw the distribution of a column in two windows.
pub fn distribution_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &DistributionChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let theme = p.theme;
    let mut top = p.title()?;
    let colors = [theme.series(0), theme.series(1)];
    let name = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    let legend = vec![
        LegendItem {
            label: name(chart.reference_name, "Reference"),
            swatch: Swatch::Bar(colors[0], 0.6),
        },
        LegendItem {
            label: name(chart.current_name, "Current"),
            swatch: Swatch::Bar(colors[1], 0.6),
        },
    ];
    let rows = p.legend_rows(&legend, p.outer.width() - p.px(20.0));
    let legend_top = top;
    top += p.legend_rows_height(rows.len());

    // Slots: (left edge, right edge) per bin or category in x units.
    let (edges, labels): (Option<Vec<f64>>, Option<&[String]>) = match chart.data {
        Distribution::Numeric { edges, .. } => (finite_edges(edges), None),
        Distribution::Categorical { categories, .. } => (
            if categories.is_empty() {
                None
            } else {
                Some((0..=categories.len()).map(|i| i as f64).collect())
            },
            Some(categories),
        ),
    };
    let nbins = edges.as_ref().map_or(0, |e| e.len() - 1);
    let (r_raw, c_raw) = match chart.data {
        Distribution::Numeric {
            reference, current, ..
        }
        | Distribution::Categorical {
            reference, current, ..
        } => (reference, current),
    };
    let values = [
        prepare(r_raw, nbins, chart.normalize),
        prepare(c_raw, nbins, chart.normalize),
    ];
    let vmax = values.iter().flatten().copied().fold(0.0, f64::max);

    let tick_h = p.line_height(TICK_TEXT);
    // Provisional y ticks to size the left margin.
    let provisional_h = (p.outer.bottom - p.bottom_inset(true, true, tick_h) - top).max(1);
    let n_y = (provisional_h / p.px(45.0)).clamp(2, 10) as usize;
    let (y0, y1) = nice_range(0.0, if vmax > 0.0 { vmax * 1.05 } else { 1.0 }, n_y);
    let y_ticks = linear_ticks(y0, y1, n_y);
    let left = p.outer.left + p.left_inset(&y_ticks, true);
    let right_pad = if labels.is_some() {
        0
    } else {
        p.measure("0.00", TICK_TEXT).0 / 2
    };
    let right = (p.outer.right - p.px(10.0) - right_pad).max(left + 1);

    // X axis: numeric ticks, or one label per category (rotated if they do not fit).
    let (x_range, x_axis) = match (&edges, labels) {
        (Some(e), None) => {
            let (a, b) = (e[0], e[e.len() - 1]);
            let pad = ((b - a) * 0.02).max(f64::MIN_POSITIVE);
            let (a, b) = (a - pad, b + pad);
            let ticks = linear_ticks(a, b, (((right - left) / p.px(70.0)).clamp(2, 10)) as usize);
            ((a, b), AxisSpec::new(ticks, Some(chart.column.to_string())))
        }
        (Some(_), Some(cats)) => {
            let k = cats.len();
            let band = f64::from(right - left) / k as f64;
            let max_chars = 16;
            let widest = cats
                .iter()
                .map(|c| p.measure(&truncate(c, max_chars), TICK_TEXT).0)
                .max()
                .unwrap_or(0);
            let vertical = f64::from(widest) > band - f64::from(p.px(6.0));
            // Vertical labels need a line height each; skip labels when slots are narrower.
            let every = if vertical {
                (f64::from(tick_h + p.px(2.0)) / band.max(1e-9))
                    .ceil()
                    .max(1.0) as usize
            } else {
                1
            };
            let ticks: Vec<Tick> = cats
                .iter()
                .enumerate()
                .filter(|(i, _)| i % every.max(1) == 0)
                .map(|(i, c)| Tick {
                    value: i as f64 + 0.5,
                    label: truncate(c, max_chars),
                })
                .collect();
            let mut spec = AxisSpec::new(ticks, Some(chart.column.to_string()));
            spec.vertical_labels = vertical;
            spec.grid = false;
            ((0.0, k as f64), spec)
        }
        _ => (
            (0.0, 1.0),
            AxisSpec::new(Vec::new(), Some(chart.column.to_string())),
        ),
    };
    let label_h = if x_axis.vertical_labels {
        x_axis
            .ticks
            .iter()
            .map(|t| p.measure(&t.label, TICK_TEXT).0)
            .max()
            .unwrap_or(tick_h)
    } else {
        tick_h
    };
    let bottom = (p.outer.bottom - p.bottom_inset(true, true, label_h)).max(top + 1);
    let panel = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom,
        },
        x_range,
        (y0, y1),
    );
    let y_title = if chart.normalize {
        "Share of rows"
    } else {
        "Count"
    };
    p.axes(
        &panel,
        &x_axis,
        &AxisSpec::new(y_ticks, Some(y_title.into())),
    )?;
    let legend_box = p.legend_top(&rows, left, legend_top)?;

    let mut marks = Vec::new();
    let Some(edges) = edges else {
        p.message(&panel, "No data")?;
        return Ok(layout(p.outer, style, panel, marks, Vec::new(), legend_box));
    };
    let base = panel.y_to_px(0.0);
    if labels.is_some() {
        // Grouped bars: reference left, current right within each category slot.
        for (i, (&vr, &vc)) in values[0].iter().zip(&values[1]).enumerate() {
            let x = i as f64;
            for (s, (a, b)) in [(x + 0.12, x + 0.5), (x + 0.5, x + 0.88)]
                .into_iter()
                .enumerate()
            {
                let v = if s == 0 { vr } else { vc };
                let (l, r) = (panel.x_to_px(a), panel.x_to_px(b));
                let rect = PixelRect::from_corners((l, base), (r.max(l), panel.y_to_px(v)));
                if v > 0.0 {
                    p.rect(rect, colors[s], 0.85, true)?;
                }
                marks.push(bar_mark(s, i, x + 0.5, v, rect));
            }
        }
    } else {
        // Overlaid histograms: translucent fill, solid step outline.
        for s in 0..2 {
            let mut outline = vec![(panel.x_to_px(edges[0]), base)];
            for i in 0..nbins {
                let v = values[s][i];
                let (l, r) = (panel.x_to_px(edges[i]), panel.x_to_px(edges[i + 1]));
                let y = panel.y_to_px(v);
                let rect = PixelRect::from_corners((l, base), (r, y));
                if v > 0.0 {
                    p.rect(rect, colors[s], 0.3, true)?;
                }
                outline.push((l, y));
                outline.push((r, y));
                marks.push(bar_mark(s, i, (edges[i] + edges[i + 1]) / 2.0, v, rect));
            }
            outline.push((panel.x_to_px(edges[nbins]), base));
            outline.dedup();
            p.polyline(outline, colors[s], 1.0, 1.5)?;
        }
    }
    if vmax <= 0.0 {
        p.message(&panel, "No data")?;
    }
    Ok(layout(p.outer, style, panel, marks, edges, legend_box))
}

fn bar_mark(series: usize, index: usize, x: f64, y: f64, rect: PixelRect) -> Mark {
    Mark {
        kind: MarkKind::Bar,
        panel: Panel::Main,
        series,
        index,
        x,
        y,
        center: ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2),
        rect,
    }
}

fn layout(
    outer: PixelRect,
    style: &ChartStyle,
    main: PanelLayout,
    marks: Vec<Mark>,
    bin_edges: Vec<f64>,
    legend: Option<PixelRect>,
) -> ChartLayout {
    ChartLayout {
        area: outer,
        dpr: style.scale(),
        main,
        lower: None,
        marks,
        bin_edges,
        bin_panel: Panel::Main,
        legend,
    }
}

/// The distribution chart as an SVG document of `style.pixel_size()`.
pub fn distribution_chart_svg(
    chart: &DistributionChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| distribution_chart(&area, chart, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_are_made_finite() {
        assert_eq!(finite_edges(&[0.0, 1.0, 2.0]), Some(vec![0.0, 1.0, 2.0]));
        assert_eq!(
            finite_edges(&[f64::NEG_INFINITY, 1.0, 3.0, f64::INFINITY]),
            Some(vec![-1.0, 1.0, 3.0, 5.0])
        );
        assert_eq!(
            finite_edges(&[f64::NEG_INFINITY, 5.0, f64::INFINITY]),
            Some(vec![4.0, 5.0, 6.0])
        );
        assert_eq!(
            finite_edges(&[f64::NEG_INFINITY, f64::INFINITY]),
            Some(vec![-0.5, 0.5])
        );
        assert_eq!(finite_edges(&[0.0, f64::NAN, 1.0]), None);
        assert_eq!(finite_edges(&[1.0, 0.0]), None);
        assert_eq!(finite_edges(&[1.0]), None);
    }

    #[test]
    fn values_are_normalised() {
        assert_eq!(prepare(&[1.0, 3.0], 2, true), vec![0.25, 0.75]);
        assert_eq!(
            prepare(&[1.0, f64::NAN, -2.0], 4, false),
            vec![1.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(prepare(&[0.0, 0.0], 2, true), vec![0.0, 0.0]);
    }
}
