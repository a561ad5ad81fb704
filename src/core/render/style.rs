//! Chart style: size, device pixel ratio, light or dark theme, and the Okabe–Ito palette.
//!
//! The palette is Okabe & Ito (2008), "Color Universal Design", the usual colour-blind-safe
//! qualitative set. Every length in a chart (margins, fonts, line widths, marker radii) is a
//! CSS-pixel length multiplied by [`ChartStyle::dpr`], so the same style paints a HiDPI canvas
//! sized `width·dpr × height·dpr` with the look of a `width × height` one.

use plotters::style::RGBColor;

/// The Okabe–Ito palette in series order: blue, orange, green, purple, sky blue, vermillion,
/// yellow, black (on dark backgrounds see [`ChartStyle::dark`]).
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0xF0, 0xE4, 0x42),
    RGBColor(0x00, 0x00, 0x00),
];

/// Factor to set as [`ChartStyle::text_scale`] when drawing on plotters' `SVGBackend`, which
/// writes `font-size` as the requested size divided by 1.24 (the canvas backend does not).
/// The `*_svg` helpers apply it themselves.
pub const SVG_TEXT_SCALE: f64 = 1.24;

/// How a chart looks: size, pixel density, theme, title and text.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartStyle {
    /// Width in CSS pixels (used by the `*_svg` helpers; drawing functions use the area's size).
    pub width: u32,
    /// Height in CSS pixels (used by the `*_svg` helpers; drawing functions use the area's size).
    pub height: u32,
    /// Device pixel ratio: backend pixels per CSS pixel. Fonts, lines and margins are scaled by
    /// it. Use 1 when the backend already scales (a canvas context with `scale(dpr, dpr)`).
    pub dpr: f64,
    /// Dark theme: dark background, light text and grid; the palette's blue and sky blue swap
    /// places and black becomes near-white.
    pub dark: bool,
    /// Optional title drawn above the plot.
    pub title: Option<String>,
    /// CSS font family for all text.
    pub font_family: String,
    /// Base text size in CSS pixels (tick labels are slightly smaller, the title larger).
    pub font_px: f64,
    /// Multiplier applied to font sizes handed to plotters (see [`SVG_TEXT_SCALE`]).
    pub text_scale: f64,
}

impl Default for ChartStyle {
    fn default() -> Self {
        Self {
            width: 640,
            height: 420,
            dpr: 1.0,
            dark: false,
            title: None,
            font_family: "sans-serif".to_string(),
            font_px: 13.0,
            text_scale: 1.0,
        }
    }
}

impl ChartStyle {
    /// A light style of the given CSS size with default text and no title.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ..Self::default()
        }
    }

    /// The same style with a title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The device pixel ratio, sanitised to a finite value in [0.25, 8] (1 if unusable).
    pub fn scale(&self) -> f64 {
        if self.dpr.is_finite() && self.dpr > 0.0 {
            self.dpr.clamp(0.25, 8.0)
        } else {
            1.0
        }
    }

    /// A CSS length in backend pixels, rounded.
    pub(crate) fn px(&self, css: f64) -> i32 {
        (css * self.scale()).round() as i32
    }

    /// A stroke width in backend pixels, at least 1.
    pub(crate) fn stroke(&self, css: f64) -> u32 {
        ((css * self.scale()).round() as u32).max(1)
    }

    /// The font size handed to plotters for text `rel` times the base size.
    pub(crate) fn font_size(&self, rel: f64) -> f64 {
        let base = if self.font_px.is_finite() && self.font_px > 0.0 {
            self.font_px.clamp(4.0, 72.0)
        } else {
            13.0
        };
        let ts = if self.text_scale.is_finite() && self.text_scale > 0.0 {
            self.text_scale.clamp(0.25, 4.0)
        } else {
            1.0
        };
        base * rel * self.scale() * ts
    }

    /// Backend pixel size of the SVG an `*_svg` helper writes: `width·dpr × height·dpr`.
    pub fn pixel_size(&self) -> (u32, u32) {
        let s = self.scale();
        (
            (f64::from(self.width) * s).round() as u32,
            (f64::from(self.height) * s).round() as u32,
        )
    }
}

/// Resolved colours for one theme.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub background: RGBColor,
    pub text: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub guide: RGBColor,
    pub dark: bool,
}

impl Theme {
    pub fn of(style: &ChartStyle) -> Self {
        if style.dark {
            Self {
                background: RGBColor(0x1E, 0x1E, 0x1E),
                text: RGBColor(0xE8, 0xE8, 0xE8),
                muted: RGBColor(0xB4, 0xB4, 0xB4),
                grid: RGBColor(0x3A, 0x3A, 0x3A),
                axis: RGBColor(0x8C, 0x8C, 0x8C),
                guide: RGBColor(0x8C, 0x8C, 0x8C),
                dark: true,
            }
        } else {
            Self {
                background: RGBColor(0xFF, 0xFF, 0xFF),
                text: RGBColor(0x22, 0x22, 0x22),
                muted: RGBColor(0x55, 0x55, 0x55),
                grid: RGBColor(0xE6, 0xE6, 0xE6),
                axis: RGBColor(0x8C, 0x8C, 0x8C),
                guide: RGBColor(0x99, 0x99, 0x99),
                dark: false,
            }
        }
    }

    /// The colour of series `i` (cycling through the palette). On dark backgrounds blue and
    /// sky blue swap places (dark blue has too little contrast) and black becomes near-white.
    pub fn series(&self, i: usize) -> RGBColor {
        let mut k = i % OKABE_ITO.len();
        if self.dark {
            k = match k {
                0 => 4,
                4 => 0,
                7 => return RGBColor(0xF0, 0xF0, 0xF0),
                k => k,
            };
        }
        OKABE_ITO[k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_sanitised() {
        let mut s = ChartStyle::default();
        for bad in [f64::NAN, f64::INFINITY, 0.0, -2.0] {
            s.dpr = bad;
            assert_eq!(s.scale(), 1.0);
        }
        s.dpr = 2.0;
        assert_eq!(s.scale(), 2.0);
        assert_eq!(s.px(10.0), 20);
        assert_eq!(s.stroke(0.1), 1);
        assert_eq!(s.pixel_size(), (1280, 840));
    }

    #[test]
    fn font_size_scales_with_dpr_and_text_scale() {
        let mut s = ChartStyle::default();
        assert_eq!(s.font_size(1.0), 13.0);
        s.dpr = 2.0;
        s.text_scale = SVG_TEXT_SCALE;
        assert!((s.font_size(1.0) - 13.0 * 2.0 * 1.24).abs() < 1e-12);
        s.font_px = f64::NAN;
        assert!(s.font_size(1.0).is_finite());
    }

    #[test]
    fn dark_theme_replaces_black() {
        let s = ChartStyle {
            dark: true,
            ..ChartStyle::default()
        };
        let t = Theme::of(&s);
        assert_ne!(t.series(7), RGBColor(0, 0, 0));
        assert_eq!(t.series(0), OKABE_ITO[4]);
        assert_eq!(t.series(8), OKABE_ITO[4]);
        assert_eq!(t.series(1), OKABE_ITO[1]);
        assert_eq!(
            Theme::of(&ChartStyle::default()).series(7),
            RGBColor(0, 0, 0)
        );
    }
}
