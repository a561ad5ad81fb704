//! Where a chart put things: plot rectangles in backend pixels and the pixel↔data mapping.
//!
//! The UI keeps the [`ChartLayout`] a drawing function returns and uses it for hover tooltips
//! (which mark or bin is under the pointer) and dragging (which threshold a pixel column is).
//! Coordinates are absolute backend pixels of the drawing backend (for plotters' canvas backend,
//! CSS pixels from the canvas's top-left corner). Value→pixel mapping is the same arithmetic
//! plotters uses for `RangedCoordf64`, so a point drawn at `x_to_px(v)` is where plotters
//! would have drawn it.

/// A rectangle in backend pixels; `left..=right`, `top..=bottom` (edges included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PixelRect {
    /// Leftmost pixel column.
    pub left: i32,
    /// Topmost pixel row.
    pub top: i32,
    /// Rightmost pixel column.
    pub right: i32,
    /// Bottom pixel row.
    pub bottom: i32,
}

impl PixelRect {
    /// A rectangle from two corners in any order.
    pub fn from_corners(a: (i32, i32), b: (i32, i32)) -> Self {
        Self {
            left: a.0.min(b.0),
            top: a.1.min(b.1),
            right: a.0.max(b.0),
            bottom: a.1.max(b.1),
        }
    }

    /// Width in pixels (right − left).
    pub fn width(&self) -> i32 {
        self.right - self.left
    }

    /// Height in pixels (bottom − top).
    pub fn height(&self) -> i32 {
        self.bottom - self.top
    }

    /// Whether the point lies inside or on the edge.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= f64::from(self.left)
            && x <= f64::from(self.right)
            && y >= f64::from(self.top)
            && y <= f64::from(self.bottom)
    }

    /// The rectangle grown by `d` pixels on every side.
    pub fn inflate(&self, d: i32) -> Self {
        Self {
            left: self.left - d,
            top: self.top - d,
            right: self.right + d,
            bottom: self.bottom + d,
        }
    }

    /// The smallest rectangle containing both.
    pub fn union(&self, o: &Self) -> Self {
        Self {
            left: self.left.min(o.left),
            top: self.top.min(o.top),
            right: self.right.max(o.right),
            bottom: self.bottom.max(o.bottom),
        }
    }
}

/// How an axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AxisScale {
    /// Linear in the value.
    Linear,
    /// Linear in log10 of the value (values ≤ 0 map to the axis start).
    Log10,
    /// Linear in seconds since the Unix epoch; ticks are UTC dates.
    Time,
}

impl AxisScale {
    fn forward(self, v: f64) -> f64 {
        match self {
            AxisScale::Log10 => v.log10(),
            _ => v,
        }
    }
    fn inverse(self, t: f64) -> f64 {
        match self {
            AxisScale::Log10 => 10f64.powf(t),
            _ => t,
        }
    }
}

/// One plot panel: its pixel rectangle and the data ranges of its axes.
#[derive(Debug, Clone, PartialEq)]
pub struct PanelLayout {
    /// The plotting rectangle (inside the axes).
    pub rect: PixelRect,
    /// Data value at the left edge.
    pub x_min: f64,
    /// Data value at the right edge.
    pub x_max: f64,
    /// Data value at the bottom edge.
    pub y_min: f64,
    /// Data value at the top edge.
    pub y_max: f64,
    /// Scale of the x axis.
    pub x_scale: AxisScale,
    /// Scale of the y axis.
    pub y_scale: AxisScale,
}

/// plotters' `RangedCoordf64::map`, reproduced so layout and drawing agree to the pixel.
fn map_value(v: f64, min: f64, max: f64, limit: (i32, i32)) -> i32 {
    if max == min {
        return (limit.1 - limit.0) / 2;
    }
    let logic = (v - min) / (max - min);
    let actual = limit.1 - limit.0;
    if actual == 0 {
        return limit.1;
    }
    if logic.is_infinite() {
        return if logic.is_sign_positive() {
            limit.1
        } else {
            limit.0
        };
    }
    if actual > 0 {
        limit.0 + (f64::from(actual) * logic + 1e-3).floor() as i32
    } else {
        limit.0 + (f64::from(actual) * logic - 1e-3).ceil() as i32
    }
}

fn unmap_value(p: f64, min: f64, max: f64, limit: (i32, i32)) -> f64 {
    let actual = f64::from(limit.1 - limit.0);
    if actual == 0.0 {
        return min;
    }
    min + (p - f64::from(limit.0)) / actual * (max - min)
}

impl PanelLayout {
    /// A panel with linear axes.
    pub fn linear(rect: PixelRect, x: (f64, f64), y: (f64, f64)) -> Self {
        Self {
            rect,
            x_min: x.0,
            x_max: x.1,
            y_min: y.0,
            y_max: y.1,
            x_scale: AxisScale::Linear,
            y_scale: AxisScale::Linear,
        }
    }

    fn x_limits(&self) -> (f64, f64) {
        (
            self.x_scale.forward(self.x_min),
            self.x_scale.forward(self.x_max),
        )
    }

    fn y_limits(&self) -> (f64, f64) {
        (
            self.y_scale.forward(self.y_min),
            self.y_scale.forward(self.y_max),
        )
    }

    /// Pixel column of data value `x`.
    pub fn x_to_px(&self, x: f64) -> i32 {
        let (a, b) = self.x_limits();
        map_value(
            self.x_scale.forward(x),
            a,
            b,
            (self.rect.left, self.rect.right),
        )
    }

    /// Pixel row of data value `y`.
    pub fn y_to_px(&self, y: f64) -> i32 {
        let (a, b) = self.y_limits();
        map_value(
            self.y_scale.forward(y),
            a,
            b,
            (self.rect.bottom, self.rect.top),
        )
    }

    /// Pixel position of a data point.
    pub fn to_px(&self, x: f64, y: f64) -> (i32, i32) {
        (self.x_to_px(x), self.y_to_px(y))
    }

    /// Data value at pixel column `px` (extrapolated outside the panel).
    pub fn px_to_x(&self, px: f64) -> f64 {
        let (a, b) = self.x_limits();
        self.x_scale
            .inverse(unmap_value(px, a, b, (self.rect.left, self.rect.right)))
    }

    /// Data value at pixel row `py` (extrapolated outside the panel).
    pub fn px_to_y(&self, py: f64) -> f64 {
        let (a, b) = self.y_limits();
        self.y_scale
            .inverse(unmap_value(py, a, b, (self.rect.bottom, self.rect.top)))
    }

    /// Whether the pixel lies inside the plotting rectangle.
    pub fn contains(&self, px: f64, py: f64) -> bool {
        self.rect.contains(px, py)
    }
}

/// Which panel of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// The main plot.
    Main,
    /// The lower panel (the score histogram under a reliability diagram).
    Lower,
}

/// What a mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// A data point (reliability bin, current-threshold point, time-series point).
    Point,
    /// A bar (histogram or category bar).
    Bar,
    /// The current-threshold line (drag handle).
    Threshold,
    /// An optimal-threshold marker.
    Optimum,
}

/// A hoverable thing drawn on the chart, for tooltips.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    /// What it is.
    pub kind: MarkKind,
    /// The panel it is in.
    pub panel: Panel,
    /// Index of its series (or class: 0 negatives, 1 positives; 0 reference, 1 current).
    pub series: usize,
    /// Index of the item within the series (bin, point, category, optimum).
    pub index: usize,
    /// Data x of the item.
    pub x: f64,
    /// Data y of the item.
    pub y: f64,
    /// Pixel centre (for points: where the marker is drawn).
    pub center: (i32, i32),
    /// Pixel hit box.
    pub rect: PixelRect,
}

/// The pixel↔data mapping of a drawn chart, returned by every chart function.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    /// The whole chart area, in backend pixels.
    pub area: PixelRect,
    /// The device pixel ratio the chart was drawn with.
    pub dpr: f64,
    /// The main plot panel.
    pub main: PanelLayout,
    /// The lower panel, when the chart has one.
    pub lower: Option<PanelLayout>,
    /// Hoverable marks in drawing order.
    pub marks: Vec<Mark>,
    /// Edges of the chart's bins in data units (histogram, category slots), for [`Self::bin_rect`].
    pub bin_edges: Vec<f64>,
    /// The panel the bins are in.
    pub bin_panel: Panel,
    /// Where the legend was drawn (`None`: no legend, e.g. left out on a small chart).
    pub legend: Option<PixelRect>,
}

impl ChartLayout {
    /// The layout of a panel, if the chart has it.
    pub fn panel(&self, panel: Panel) -> Option<&PanelLayout> {
        match panel {
            Panel::Main => Some(&self.main),
            Panel::Lower => self.lower.as_ref(),
        }
    }

    /// The panel under a pixel, if any.
    pub fn panel_at(&self, px: f64, py: f64) -> Option<Panel> {
        if self.main.contains(px, py) {
            Some(Panel::Main)
        } else if self.lower.as_ref().is_some_and(|l| l.contains(px, py)) {
            Some(Panel::Lower)
        } else {
            None
        }
    }

    /// The threshold (score) at pixel column `px`, clamped to [0, 1]. Meaningful for charts
    /// whose x axis is a score: threshold chart, reliability diagram, score histogram.
    pub fn threshold_at(&self, px: f64) -> f64 {
        let v = self.main.px_to_x(px);
        if v.is_finite() {
            v.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The pixel column of threshold `t` on the main panel.
    pub fn threshold_px(&self, t: f64) -> i32 {
        self.main.x_to_px(t)
    }

    /// Pixel column band of bin `index` spanning the full height of its panel.
    pub fn bin_rect(&self, index: usize) -> Option<PixelRect> {
        let panel = self.panel(self.bin_panel)?;
        let (a, b) = (self.bin_edges.get(index)?, self.bin_edges.get(index + 1)?);
        let (l, r) = (panel.x_to_px(*a), panel.x_to_px(*b));
        Some(PixelRect {
            left: l.min(r),
            right: l.max(r),
            top: panel.rect.top,
            bottom: panel.rect.bottom,
        })
    }

    /// The bin whose column contains the pixel, if the pixel is inside the bin panel.
    pub fn bin_at(&self, px: f64, py: f64) -> Option<usize> {
        let panel = self.panel(self.bin_panel)?;
        if !panel.contains(px, py) || self.bin_edges.len() < 2 {
            return None;
        }
        (0..self.bin_edges.len() - 1).find(|&i| {
            self.bin_rect(i)
                .is_some_and(|r| px >= f64::from(r.left) && px <= f64::from(r.right))
        })
    }

    /// The mark under the pointer: among marks whose hit box (grown by `tolerance` pixels)
    /// contains it, the one whose centre is nearest.
    pub fn hit(&self, px: f64, py: f64, tolerance: i32) -> Option<&Mark> {
        self.marks
            .iter()
            .filter(|m| m.rect.inflate(tolerance).contains(px, py))
            .min_by(|a, b| {
                let da =
                    (f64::from(a.center.0) - px).powi(2) + (f64::from(a.center.1) - py).powi(2);
                let db =
                    (f64::from(b.center.0) - px).powi(2) + (f64::from(b.center.1) - py).powi(2);
                da.total_cmp(&db)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel() -> PanelLayout {
        PanelLayout::linear(
            PixelRect {
                left: 50,
                top: 10,
                right: 450,
                bottom: 310,
            },
            (0.0, 1.0),
            (0.0, 1.0),
        )
    }

    #[test]
    fn corners_map_to_edges() {
        let p = panel();
        assert_eq!(p.to_px(0.0, 0.0), (50, 310));
        assert_eq!(p.to_px(1.0, 1.0), (450, 10));
        assert_eq!(p.to_px(0.5, 0.5), (250, 160));
    }

    #[test]
    fn pixels_round_trip() {
        let p = panel();
        for px in 50..=450 {
            assert_eq!(p.x_to_px(p.px_to_x(f64::from(px))), px);
        }
        for py in 10..=310 {
            assert_eq!(p.y_to_px(p.px_to_y(f64::from(py))), py);
        }
    }

    #[test]
    fn log_axis_round_trips() {
        let mut p = panel();
        p.y_scale = AxisScale::Log10;
        p.y_min = 0.5;
        p.y_max = 1e4;
        assert_eq!(p.y_to_px(0.5), 310);
        assert_eq!(p.y_to_px(1e4), 10);
        for py in 10..=310 {
            assert_eq!(p.y_to_px(p.px_to_y(f64::from(py))), py);
        }
        // log10(0) = −inf maps to the bottom edge instead of panicking.
        assert_eq!(p.y_to_px(0.0), 310);
    }

    #[test]
    fn non_finite_values_do_not_panic() {
        let p = panel();
        let _ = p.to_px(f64::NAN, f64::INFINITY);
        let _ = p.to_px(f64::NEG_INFINITY, 1e308);
    }

    #[test]
    fn bins_and_hits() {
        let layout = ChartLayout {
            area: PixelRect::default(),
            dpr: 1.0,
            main: panel(),
            lower: None,
            marks: vec![Mark {
                kind: MarkKind::Point,
                panel: Panel::Main,
                series: 0,
                index: 3,
                x: 0.5,
                y: 0.5,
                center: (250, 160),
                rect: PixelRect::from_corners((246, 156), (254, 164)),
            }],
            bin_edges: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            bin_panel: Panel::Main,
            legend: None,
        };
        assert_eq!(
            layout.bin_rect(1),
            Some(PixelRect {
                left: 150,
                top: 10,
                right: 250,
                bottom: 310
            })
        );
        assert_eq!(layout.bin_rect(4), None);
        assert_eq!(layout.bin_at(160.0, 100.0), Some(1));
        assert_eq!(layout.bin_at(10.0, 100.0), None);
        assert_eq!(layout.hit(251.0, 161.0, 0).map(|m| m.index), Some(3));
        assert!(layout.hit(300.0, 161.0, 3).is_none());
        assert_eq!(layout.threshold_at(-100.0), 0.0);
        assert_eq!(layout.threshold_at(250.0), 0.5);
        assert_eq!(layout.threshold_px(0.5), 250);
    }
}
