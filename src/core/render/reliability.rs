//! Reliability diagram: observed positive rate against mean predicted probability per bin, with
//! the diagonal of perfect calibration, per-bin confidence whiskers, an optional smooth curve
//! with band, and the score histogram by class in a lower panel.
//!
//! The layout follows scikit-learn's `CalibrationDisplay` (points at (mean score, fraction of
//! positives) joined by lines, diagonal "perfectly calibrated") and the histogram-beneath
//! convention of Niculescu-Mizil & Caruana (2005), "Predicting good probabilities with
//! supervised learning".

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::RGBColor;

use super::RenderError;
use super::axis::{linear_ticks, log_ticks, nice_range};
use super::frame::{AxisSpec, Corner, LegendItem, Painter, Swatch, TICK_TEXT, decimate};
use super::layout::{AxisScale, ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
use super::style::{ChartStyle, OKABE_ITO};
use crate::core::report::{ReliabilityBin, ScoreHistogram};

/// Probability axes run slightly past [0, 1] so markers at 0 and 1 are not cut by the frame.
pub(crate) const PROB_RANGE: (f64, f64) = (-0.02, 1.02);

/// Colour of negatives in score histograms (sky blue).
pub(crate) const NEG_COLOR: RGBColor = OKABE_ITO[4];
/// Colour of positives in score histograms (vermillion).
pub(crate) const POS_COLOR: RGBColor = OKABE_ITO[5];

/// One set of reliability bins (a window or a score column).
#[derive(Debug, Clone, Copy)]
pub struct ReliabilitySeries<'a> {
    /// Legend name (e.g. `reference`, `current`, a column name).
    pub name: &'a str,
    /// Bins as in the report; bins with zero count or non-finite values are skipped.
    pub bins: &'a [ReliabilityBin],
}

/// A smooth calibration curve with its band, drawn as an overlay (e.g. relplot's kernel curve).
#[derive(Debug, Clone, Copy)]
pub struct SmoothOverlay<'a> {
    /// Legend name.
    pub name: &'a str,
    /// Scores at which the curve is evaluated.
    pub x: &'a [f64],
    /// Smoothed observed rate.
    pub y: &'a [f64],
    /// Lower edge of the band.
    pub lower: &'a [f64],
    /// Upper edge of the band.
    pub upper: &'a [f64],
}

/// Everything a reliability diagram shows.
#[derive(Debug, Clone, Default)]
pub struct ReliabilityChart<'a> {
    /// Series overlaid in palette order.
    pub series: Vec<ReliabilitySeries<'a>>,
    /// Score histogram for the lower panel (none: no lower panel).
    pub histogram: Option<&'a ScoreHistogram>,
    /// Log-scaled histogram counts (classes are then overlaid, not stacked).
    pub log_scale: bool,
    /// Stack positives on negatives on a linear scale (else overlay them translucently).
    pub stacked: bool,
    /// Optional smooth curve with band.
    pub smooth: Option<SmoothOverlay<'a>>,
    /// Scale marker area with bin count.
    pub size_by_count: bool,
}

fn valid(b: &ReliabilityBin) -> bool {
    b.count > 0 && b.mean_score.is_finite() && b.observed_rate.is_finite()
}

fn clamp01(v: f64) -> f64 {
    v.clamp(PROB_RANGE.0, PROB_RANGE.1)
}

/// Histogram counts as (negatives, positives) per bin, over the common length.
fn hist_counts(h: &ScoreHistogram) -> Vec<(u64, u64)> {
    let n = h
        .edges
        .len()
        .saturating_sub(1)
        .min(h.negatives.len())
        .min(h.positives.len());
    (0..n).map(|i| (h.negatives[i], h.positives[i])).collect()
}

/// Whether the histogram has at least one bin with finite edges.
fn usable_histogram(h: &ScoreHistogram) -> bool {
    !hist_counts(h).is_empty() && h.edges.iter().all(|e| e.is_finite())
}

/// Draw a reliability diagram (and the score histogram beneath it) on `area`.
pub fn reliability_diagram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ReliabilityChart,
    style: &ChartStyle,
) -> Result<ChartLayout, RenderError> {
    let p = Painter::new(area, style);
    p.background()?;
    let top = p.title()?;
    let theme = p.theme;
    let hist = chart.histogram.filter(|h| usable_histogram(h));
    let counts = hist.map(hist_counts).unwrap_or_default();
    let log = chart.log_scale;

    // Vertical split: main panel, gap, histogram (about a quarter of the height).
    let tick_h = p.line_height(TICK_TEXT);
    let bottom = p.outer.bottom - p.bottom_inset(true, true, tick_h);
    let avail = (bottom - top).max(2);
    let gap = p.px(12.0);
    let (main_h, hist_h) = if hist.is_some() {
        let h = ((f64::from(avail) * 0.25).round() as i32).max(1);
        ((avail - h - gap).max(1), h)
    } else {
        (avail, 0)
    };

    // Y axes.
    let y_ticks = linear_ticks(0.0, 1.0, (main_h / p.px(45.0)).clamp(2, 10) as usize);
    let max_total = counts
        .iter()
        .map(|&(n, q)| {
            if log || !chart.stacked {
                n.max(q)
            } else {
                n.saturating_add(q)
            }
        })
        .max()
        .unwrap_or(0) as f64;
    let hist_ticks_n = (hist_h / p.px(28.0)).clamp(1, 4) as usize;
    let (h_range, h_ticks, h_scale) = if log {
        let hi = (max_total.max(1.0) * 1.5).log10();
        let ticks = log_ticks(0.0, hi, hist_ticks_n + 1);
        ((0.5, 10f64.powf(hi)), ticks, AxisScale::Log10)
    } else {
        let (a, b) = nice_range(0.0, max_total.max(1.0), hist_ticks_n);
        let ticks = linear_ticks(a, b, hist_ticks_n);
        ((a, b), ticks, AxisScale::Linear)
    };
    let left = p.outer.left
        + p.left_inset(&y_ticks, true).max(if hist.is_some() {
            p.left_inset(&h_ticks, true)
        } else {
            0
        });
    let right = (p.outer.right - p.px(10.0) - p.measure("1.0", TICK_TEXT).0 / 2).max(left + 1);

    let main = PanelLayout::linear(
        PixelRect {
            left,
            top,
            right,
            bottom: top + main_h,
        },
        PROB_RANGE,
        PROB_RANGE,
    );
    let lower = hist.map(|_| PanelLayout {
        rect: PixelRect {
            left,
            top: top + main_h + gap,
            right,
            bottom: (top + main_h + gap + hist_h).max(top + main_h + gap + 1),
        },
        x_min: PROB_RANGE.0,
        x_max: PROB_RANGE.1,
        y_min: h_range.0,
        y_max: h_range.1,
        x_scale: AxisScale::Linear,
        y_scale: h_scale,
    });

    let x_ticks = linear_ticks(
        0.0,
        1.0,
        (main.rect.width() / p.px(60.0)).clamp(2, 10) as usize,
    );
    let x_title = "Predicted probability";
    p.axes(
        &main,
        &AxisSpec {
            show_labels: lower.is_none(),
            ..AxisSpec::new(
                x_ticks.clone(),
                if lower.is_some() {
                    None
                } else {
                    Some(x_title.into())
                },
            )
        },
        &AxisSpec::new(y_ticks, Some("Observed positive rate".into())),
    )?;

    let mut marks = Vec::new();
    let mut legend = Vec::new();

    // Diagonal of perfect calibration.
    p.dashed(
        vec![main.to_px(0.0, 0.0), main.to_px(1.0, 1.0)],
        theme.guide,
        1.0,
        1.0,
    )?;
    legend.push(LegendItem {
        label: "Perfectly calibrated".into(),
        swatch: Swatch::Dashed(theme.guide),
    });

    // Smooth overlay.
    if let Some(s) = chart.smooth {
        let n = s.x.len().min(s.y.len());
        let ok = |i: usize| s.x[i].is_finite() && s.y[i].is_finite();
        let band_n = n.min(s.lower.len()).min(s.upper.len());
        let color = theme.series(chart.series.len());
        let mut up = Vec::new();
        let mut lo = Vec::new();
        for i in 0..band_n {
            if ok(i) && s.lower[i].is_finite() && s.upper[i].is_finite() {
                up.push(main.to_px(clamp01(s.x[i]), clamp01(s.upper[i])));
                lo.push(main.to_px(clamp01(s.x[i]), clamp01(s.lower[i])));
            }
        }
        let mut band = decimate(up);
        band.extend(decimate(lo).into_iter().rev());
        p.polygon(band, color, 0.18)?;
        let line = decimate(
            (0..n)
                .filter(|&i| ok(i))
                .map(|i| main.to_px(clamp01(s.x[i]), clamp01(s.y[i]))),
        );
        let drawn = line.len() >= 2;
        p.polyline(line, color, 1.0, 2.0)?;
        if drawn {
            legend.push(LegendItem {
                label: if s.name.is_empty() {
                    "Smooth".into()
                } else {
                    s.name.to_string()
                },
                swatch: Swatch::Band(color),
            });
        }
    }

    // Bins.
    let max_count = chart
        .series
        .iter()
        .flat_map(|s| s.bins.iter().filter(|b| valid(b)).map(|b| b.count))
        .max()
        .unwrap_or(0);
    let r_base = p.px(3.5).max(2);
    let cap = p.px(3.0).max(1);
    let mut any = false;
    for (si, s) in chart.series.iter().enumerate() {
        let color = theme.series(si);
        let mut bins: Vec<(usize, &ReliabilityBin)> = s
            .bins
            .iter()
            .enumerate()
            .filter(|(_, b)| valid(b))
            .collect();
        bins.sort_by(|a, b| a.1.mean_score.total_cmp(&b.1.mean_score));
        if bins.is_empty() {
            continue;
        }
        any = true;
        // Whiskers first, then the line, then markers on top.
        for (_, b) in &bins {
            if b.ci_lower.is_finite() && b.ci_upper.is_finite() {
                let x = main.x_to_px(clamp01(b.mean_score));
                let (ylo, yhi) = (
                    main.y_to_px(clamp01(b.ci_lower)),
                    main.y_to_px(clamp01(b.ci_upper)),
                );
                p.polyline(vec![(x, ylo), (x, yhi)], color, 0.8, 1.0)?;
                p.polyline(vec![(x - cap, ylo), (x + cap, ylo)], color, 0.8, 1.0)?;
                p.polyline(vec![(x - cap, yhi), (x + cap, yhi)], color, 0.8, 1.0)?;
            }
        }
        let pts: Vec<(i32, i32)> = bins
            .iter()
            .map(|(_, b)| main.to_px(clamp01(b.mean_score), clamp01(b.observed_rate)))
            .collect();
        p.polyline(pts.clone(), color, 1.0, 1.5)?;
        for ((i, b), c) in bins.iter().zip(pts) {
            let r = if chart.size_by_count && max_count > 0 {
                let f = (b.count as f64 / max_count as f64).sqrt();
                ((f64::from(p.px(2.0)) + f64::from(p.px(4.5)) * f).round() as i32).max(1)
            } else {
                r_base
            };
            p.circle(c, r, color, 1.0)?;
            let mut rect = PixelRect::from_corners((c.0 - r, c.1 - r), (c.0 + r, c.1 + r));
            if b.ci_lower.is_finite() && b.ci_upper.is_finite() {
                rect = rect.union(&PixelRect::from_corners(
                    (c.0, main.y_to_px(clamp01(b.ci_lower))),
                    (c.0, main.y_to_px(clamp01(b.ci_upper))),
                ));
            }
            marks.push(Mark {
                kind: MarkKind::Point,
                panel: Panel::Main,
                series: si,
                index: *i,
                x: b.mean_score,
                y: b.observed_rate,
                center: c,
                rect,
            });
        }
        let name = if s.name.is_empty() {
            "Observed".to_string()
        } else {
            s.name.to_string()
        };
        legend.push(LegendItem {
            label: name,
            swatch: Swatch::LinePoint(color),
        });
    }
    if !any {
        p.message(&main, "No data")?;
    }

    // Histogram: stacked (positives on negatives) or, on a log scale or when asked, grouped
    // side by side within each bin.
    let mut bin_edges = Vec::new();
    if let (Some(h), Some(lp)) = (hist, lower.as_ref()) {
        bin_edges = h.edges[..=counts.len()].to_vec();
        let y_title = if log { "Count (log)" } else { "Count" };
        p.axes(
            lp,
            &AxisSpec::new(x_ticks, Some(x_title.into())),
            &AxisSpec::new(h_ticks, Some(y_title.into())),
        )?;
        let base = lp.rect.bottom;
        let grouped = log || !chart.stacked;
        let alpha = 0.85;
        for (i, &(neg, pos)) in counts.iter().enumerate() {
            let (l, r) = (
                lp.x_to_px(clamp01(h.edges[i])),
                lp.x_to_px(clamp01(h.edges[i + 1])),
            );
            let r = r.max(l);
            let inset = if r - l > p.px(4.0) { p.px(1.0) } else { 0 };
            let l = l + inset;
            let mid = (l + r) / 2;
            let y_of = |v: u64| if v == 0 { base } else { lp.y_to_px(v as f64) };
            // (class, x from, x to, count from, count to)
            let layers: [(usize, i32, i32, u64, u64); 2] = if grouped {
                [(0, l, mid, 0, neg), (1, mid, r, 0, pos)]
            } else {
                [(0, l, r, 0, neg), (1, l, r, neg, neg.saturating_add(pos))]
            };
            for (class, x0, x1, from, to) in layers {
                if to == from {
                    continue;
                }
                let rect = PixelRect::from_corners((x0, y_of(from)), (x1, y_of(to)));
                p.rect(
                    rect,
                    if class == 0 { NEG_COLOR } else { POS_COLOR },
                    alpha,
                    true,
                )?;
                let center = ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2);
                marks.push(Mark {
                    kind: MarkKind::Bar,
                    panel: Panel::Lower,
                    series: class,
                    index: i,
                    x: (h.edges[i] + h.edges[i + 1]) / 2.0,
                    y: (to - from) as f64,
                    center,
                    rect,
                });
            }
        }
        legend.push(LegendItem {
            label: "Negatives".into(),
            swatch: Swatch::Bar(NEG_COLOR, alpha),
        });
        legend.push(LegendItem {
            label: "Positives".into(),
            swatch: Swatch::Bar(POS_COLOR, alpha),
        });
    }
    let legend_box = p.legend_inside(&main, &legend, Corner::TopLeft)?;

    Ok(ChartLayout {
        area: p.outer,
        dpr: style.scale(),
        main,
        lower,
        marks,
        bin_edges,
        bin_panel: Panel::Lower,
        legend: legend_box,
    })
}

/// The reliability diagram as an SVG document of `style.pixel_size()`.
pub fn reliability_diagram_svg(
    chart: &ReliabilityChart,
    style: &ChartStyle,
) -> Result<String, RenderError> {
    super::svg_chart(style, |area, s| reliability_diagram(&area, chart, s))
}
