//! Charts of a report, drawn by the same code on any plotters backend.
//!
//! Every chart is a function generic over [`plotters::prelude::DrawingBackend`]: it takes a
//! `&DrawingArea<DB, Shift>`, plain data (slices from [`crate::core::report`] and the metrics),
//! and a [`ChartStyle`], and returns a [`ChartLayout`] — the pixel↔data mapping the UI needs for
//! tooltips and dragging. The browser paints them on plotters-canvas' `CanvasBackend`; exported
//! reports and tests use plotters' `SVGBackend` through [`to_svg_string`] and the `*_svg`
//! helpers.
//!
//! Charts: [`reliability_diagram`] (with score histogram), [`roc_curve_chart`],
//! [`pr_curve_chart`], [`threshold_chart`], [`distribution_chart`], [`time_series_chart`],
//! [`timeline_chart`], [`time_histogram_chart`].
//! Colours are the Okabe–Ito palette ([`OKABE_ITO`]). Drawing never panics on odd data: empty
//! or non-finite input draws the axes and a "No data" note.
//!
//! Text: without plotters' `ttf`/`ab_glyph` features, native text size is estimated by plotters'
//! naive metric (0.7 em per byte) and the SVG backend writes real `<text>` elements (XML-escaped
//! by plotters) that the viewer lays out with its own fonts. In the browser, text is measured
//! by the canvas.

mod axis;
mod curves;
mod distribution;
mod frame;
mod layout;
mod reliability;
mod style;
mod threshold;
mod timeline;
mod timeseries;

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, IntoDrawingArea, SVGBackend};

pub use axis::format_timestamp;
pub use curves::{
    PrChart, PrCurve, RocChart, RocCurve, operating_points, pr_curve_chart, pr_curve_chart_base,
    pr_curve_chart_live, pr_curve_chart_svg, roc_curve_chart, roc_curve_chart_base,
    roc_curve_chart_live, roc_curve_chart_svg,
};
pub use distribution::{
    Distribution, DistributionChart, distribution_chart, distribution_chart_svg,
};
pub use layout::{AxisScale, ChartLayout, Mark, MarkKind, Panel, PanelLayout, PixelRect};
pub use reliability::{
    ReliabilityChart, ReliabilitySeries, SmoothOverlay, reliability_diagram,
    reliability_diagram_svg,
};
pub use style::{ChartStyle, OKABE_ITO, SVG_TEXT_SCALE};
pub use threshold::{
    Series, ThresholdChart, ThresholdMarker, threshold_chart, threshold_chart_svg,
    threshold_overlay,
};
pub use timeline::{
    TimeHistogramChart, TimelineChart, TimelineSeries, time_histogram_chart,
    time_histogram_chart_svg, timeline_chart, timeline_chart_svg,
};
pub use timeseries::{
    AlertLevel, ReferenceLevel, TimeSeriesChart, time_series_chart, time_series_chart_svg,
};

/// Why a chart could not be drawn: the backend failed (data problems never fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// The drawing backend reported an error (message from the backend).
    Backend(String),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Backend(m) => write!(f, "drawing failed: {m}"),
        }
    }
}

impl std::error::Error for RenderError {}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for RenderError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        RenderError::Backend(e.to_string())
    }
}

/// Render into an SVG document of `width × height` backend pixels and return it with whatever
/// `draw` returned (e.g. the [`ChartLayout`]).
pub fn to_svg_string_with<T>(
    width: u32,
    height: u32,
    draw: impl for<'b> FnOnce(DrawingArea<SVGBackend<'b>, Shift>) -> Result<T, RenderError>,
) -> Result<(String, T), RenderError> {
    let mut buf = String::new();
    let out = {
        let area = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        let out = draw(area.clone())?;
        area.present()?;
        out
    };
    Ok((buf, out))
}

/// Render into an SVG document of `width × height` backend pixels.
pub fn to_svg_string<T>(
    width: u32,
    height: u32,
    draw: impl for<'b> FnOnce(DrawingArea<SVGBackend<'b>, Shift>) -> Result<T, RenderError>,
) -> Result<String, RenderError> {
    to_svg_string_with(width, height, draw).map(|(s, _)| s)
}

/// Shared body of the `*_svg` helpers: size from the style, SVG text compensation applied.
fn svg_chart(
    style: &ChartStyle,
    draw: impl for<'b> FnOnce(
        DrawingArea<SVGBackend<'b>, Shift>,
        &ChartStyle,
    ) -> Result<ChartLayout, RenderError>,
) -> Result<String, RenderError> {
    let s = svg_style(style);
    let (w, h) = style.pixel_size();
    to_svg_string(w, h, |area| draw(area, &s))
}

/// A style adjusted for drawing on plotters' `SVGBackend` directly (text scale compensated).
pub fn svg_style(style: &ChartStyle) -> ChartStyle {
    let mut s = style.clone();
    s.text_scale = style.text_scale * SVG_TEXT_SCALE;
    s
}
