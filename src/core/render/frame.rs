//! Shared drawing: background, title, axes with grid and tick labels, legends, and primitives in
//! absolute backend pixels. Chart modules compute panel rectangles here and then draw their data
//! through the panel mapping of [`super::layout::PanelLayout`].

use plotters::coord::Shift;
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, DrawingBackend};
use plotters::style::TextStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    Color, FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, ShapeStyle,
};

use super::RenderError;
use super::axis::Tick;
use super::layout::{PanelLayout, PixelRect};
use super::style::{ChartStyle, Theme};

/// Relative text sizes.
pub(crate) const TICK_TEXT: f64 = 0.92;
pub(crate) const LABEL_TEXT: f64 = 1.0;
pub(crate) const LEGEND_TEXT: f64 = 0.92;
pub(crate) const TITLE_TEXT: f64 = 1.1;

/// A measured text: font family, font size (its bits) and the text.
type TextKey = (String, u64, String);

/// Most text sizes [`MEASURED`] keeps (it starts again when full).
const MEASURED_MAX: usize = 4096;

thread_local! {
    /// Text sizes measured so far, by (font family, font size bits, text). The browser's
    /// plotters measures text by putting it in a DOM element and reading its size, which makes
    /// the browser lay out the page: a few milliseconds a label, paid again for every chart
    /// drawn. A text's size depends only on its font, size and characters (fonts are the
    /// system's, loaded with the page), so the first measurement stands.
    static MEASURED: std::cell::RefCell<std::collections::HashMap<TextKey, (i32, i32)>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// Draws on a backend in absolute pixel coordinates with a chart style.
pub(crate) struct Painter<'s, DB: DrawingBackend> {
    pub area: DrawingArea<DB, Shift>,
    pub style: &'s ChartStyle,
    pub theme: Theme,
    /// The chart's whole rectangle.
    pub outer: PixelRect,
}

/// An axis as drawn: ticks (positions in data units), title, whether labels show.
pub(crate) struct AxisSpec {
    pub ticks: Vec<Tick>,
    pub title: Option<String>,
    pub show_labels: bool,
    /// Rotate tick labels vertically (long category names).
    pub vertical_labels: bool,
    /// Draw grid lines at the ticks.
    pub grid: bool,
}

impl AxisSpec {
    pub fn new(ticks: Vec<Tick>, title: Option<String>) -> Self {
        Self {
            ticks,
            title,
            show_labels: true,
            vertical_labels: false,
            grid: true,
        }
    }
}

/// What a legend entry shows next to its text.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    Line(RGBColor),
    Dashed(RGBColor),
    LinePoint(RGBColor),
    Point(RGBColor),
    Bar(RGBColor, f64),
    Band(RGBColor),
}

/// A legend entry.
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Where an inside legend sits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Corner {
    TopLeft,
    BottomRight,
    BottomLeft,
}

/// Truncate to at most `max` characters, with an ellipsis.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else if max == 0 {
        String::new()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Consecutive points in the same pixel column collapse to (first, min, max, last): the drawn
/// polyline is pixel-identical and at most four points per column run remain (M4 decimation,
/// Jugel et al. 2014). Keeps 10-million-point curves cheap to draw.
pub(crate) fn decimate(points: impl IntoIterator<Item = (i32, i32)>) -> Vec<(i32, i32)> {
    /// A run of points in one column: x, first point, min y, max y, last point.
    type Run = (i32, (i32, i32), i32, i32, (i32, i32));
    let mut out: Vec<(i32, i32)> = Vec::new();
    let mut run: Option<Run> = None;
    let flush = |out: &mut Vec<(i32, i32)>, r: Run| {
        let (x, first, lo, hi, last) = r;
        // Visit the nearer extreme first so the path stays short.
        let (m1, m2) = if (first.1 - lo).abs() < (first.1 - hi).abs() {
            (lo, hi)
        } else {
            (hi, lo)
        };
        for p in [first, (x, m1), (x, m2), last] {
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
    };
    for p in points {
        run = match run {
            Some((x, first, lo, hi, _)) if x == p.0 => {
                Some((x, first, lo.min(p.1), hi.max(p.1), p))
            }
            Some(r) => {
                flush(&mut out, r);
                Some((p.0, p, p.1, p.1, p))
            }
            None => Some((p.0, p, p.1, p.1, p)),
        };
    }
    if let Some(r) = run {
        flush(&mut out, r);
    }
    out
}

impl<'s, DB: DrawingBackend> Painter<'s, DB> {
    pub fn new(area: &DrawingArea<DB, Shift>, style: &'s ChartStyle) -> Self {
        let (xr, yr) = area.get_pixel_range();
        Self {
            area: area.use_screen_coord(),
            style,
            theme: Theme::of(style),
            outer: PixelRect {
                left: xr.start,
                top: yr.start,
                right: xr.end.saturating_sub(1).max(xr.start),
                bottom: yr.end.saturating_sub(1).max(yr.start),
            },
        }
    }

    pub fn px(&self, css: f64) -> i32 {
        self.style.px(css)
    }

    pub fn font(&self, rel: f64) -> FontDesc<'s> {
        FontDesc::new(
            FontFamily::Name(self.style.font_family.as_str()),
            self.style.font_size(rel),
            FontStyle::Normal,
        )
    }

    fn text_style(
        &self,
        rel: f64,
        color: RGBColor,
        pos: Pos,
        bold: bool,
        rotate: bool,
    ) -> TextStyle<'s> {
        let mut font = self.font(rel);
        if bold {
            font = font.style(FontStyle::Bold);
        }
        if rotate {
            font = font.transform(FontTransform::Rotate270);
        }
        TextStyle {
            font,
            color: color.to_backend_color(),
            pos,
        }
    }

    /// Width and height in backend pixels of text at relative size `rel`. Measured once per
    /// font, size and text ([`MEASURED`]).
    pub fn measure(&self, text: &str, rel: f64) -> (i32, i32) {
        let key = (
            self.style.font_family.clone(),
            self.style.font_size(rel).to_bits(),
            text.to_string(),
        );
        if let Some(size) = MEASURED.with(|m| m.borrow().get(&key).copied()) {
            return size;
        }
        let style = self.text_style(
            rel,
            self.theme.text,
            Pos::new(HPos::Left, VPos::Top),
            false,
            false,
        );
        match self.area.estimate_text_size(text, &style) {
            Ok((w, h)) => {
                let size = (w as i32, h as i32);
                MEASURED.with(|m| {
                    let mut m = m.borrow_mut();
                    if m.len() >= MEASURED_MAX {
                        m.clear();
                    }
                    m.insert(key, size);
                });
                size
            }
            Err(_) => {
                let size = self.style.font_size(rel);
                (
                    (size * 0.6 * text.chars().count() as f64).round() as i32,
                    size.round() as i32,
                )
            }
        }
    }

    /// Height of one text line at relative size `rel`.
    pub fn line_height(&self, rel: f64) -> i32 {
        self.measure("Mg", rel).1.max(1)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        s: &str,
        at: (i32, i32),
        rel: f64,
        color: RGBColor,
        h: HPos,
        v: VPos,
        bold: bool,
        rotate: bool,
    ) -> Result<(), RenderError> {
        if s.is_empty() {
            return Ok(());
        }
        let style = self.text_style(rel, color, Pos::new(h, v), bold, rotate);
        self.area.draw(&Text::new(s, at, style))?;
        Ok(())
    }

    pub fn polyline(
        &self,
        pts: Vec<(i32, i32)>,
        color: RGBColor,
        alpha: f64,
        width: f64,
    ) -> Result<(), RenderError> {
        if pts.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: color.mix(alpha),
            filled: false,
            stroke_width: self.style.stroke(width),
        };
        self.area.draw(&PathElement::new(pts, style))?;
        Ok(())
    }

    pub fn dashed(
        &self,
        pts: Vec<(i32, i32)>,
        color: RGBColor,
        alpha: f64,
        width: f64,
    ) -> Result<(), RenderError> {
        if pts.len() < 2 {
            return Ok(());
        }
        let style = ShapeStyle {
            color: color.mix(alpha),
            filled: false,
            stroke_width: self.style.stroke(width),
        };
        let (dash, gap) = (self.px(5.0).max(1), self.px(4.0).max(1));
        self.area
            .draw(&DashedPathElement::new(pts, dash, gap, style))?;
        Ok(())
    }

    pub fn rect(
        &self,
        r: PixelRect,
        color: RGBColor,
        alpha: f64,
        filled: bool,
    ) -> Result<(), RenderError> {
        let style = ShapeStyle {
            color: color.mix(alpha),
            filled,
            stroke_width: 1,
        };
        self.area.draw(&Rectangle::new(
            [(r.left, r.top), (r.right, r.bottom)],
            style,
        ))?;
        Ok(())
    }

    pub fn circle(
        &self,
        c: (i32, i32),
        radius: i32,
        color: RGBColor,
        alpha: f64,
    ) -> Result<(), RenderError> {
        let style = ShapeStyle {
            color: color.mix(alpha),
            filled: true,
            stroke_width: 1,
        };
        self.area.draw(&Circle::new(c, radius.max(1), style))?;
        Ok(())
    }

    pub fn polygon(
        &self,
        pts: Vec<(i32, i32)>,
        color: RGBColor,
        alpha: f64,
    ) -> Result<(), RenderError> {
        if pts.len() < 3 {
            return Ok(());
        }
        self.area.draw(&Polygon::new(pts, color.mix(alpha)))?;
        Ok(())
    }

    /// Fill the background.
    pub fn background(&self) -> Result<(), RenderError> {
        self.area.fill(&self.theme.background)?;
        Ok(())
    }

    /// Draw the title, if any; returns the y below it.
    pub fn title(&self) -> Result<i32, RenderError> {
        let top = self.outer.top + self.px(10.0);
        match self.style.title.as_deref() {
            Some(t) if !t.is_empty() => {
                let cx = (self.outer.left + self.outer.right) / 2;
                let max_chars = self.fit_chars(self.outer.width() - self.px(20.0), TITLE_TEXT);
                self.text(
                    &truncate(t, max_chars),
                    (cx, top),
                    TITLE_TEXT,
                    self.theme.text,
                    HPos::Center,
                    VPos::Top,
                    true,
                    false,
                )?;
                Ok(top + self.line_height(TITLE_TEXT) + self.px(8.0))
            }
            _ => Ok(top),
        }
    }

    /// How many characters of text fit in `width` pixels (estimate from "0" widths).
    pub fn fit_chars(&self, width: i32, rel: f64) -> usize {
        let w = self.measure("0000000000", rel).0.max(10) as f64 / 10.0;
        (f64::from(width.max(0)) / w).floor() as usize
    }

    /// Left inset (from the outer left edge to the plot) for these y tick labels and title.
    pub fn left_inset(&self, y_ticks: &[Tick], has_title: bool) -> i32 {
        let widest = y_ticks
            .iter()
            .map(|t| self.measure(&t.label, TICK_TEXT).0)
            .max()
            .unwrap_or(0);
        let title = if has_title {
            self.line_height(LABEL_TEXT) + self.px(8.0)
        } else {
            0
        };
        self.px(10.0) + title + widest + self.px(8.0)
    }

    /// Bottom inset (from the plot to the outer bottom edge).
    pub fn bottom_inset(&self, labels: bool, has_title: bool, label_height: i32) -> i32 {
        let labels = if labels {
            label_height + self.px(6.0)
        } else {
            0
        };
        let title = if has_title {
            self.line_height(LABEL_TEXT) + self.px(6.0)
        } else {
            0
        };
        self.px(10.0) + self.px(4.0) + labels + title
    }

    /// Grid lines, axis lines, tick labels and axis titles of a panel.
    pub fn axes(&self, p: &PanelLayout, x: &AxisSpec, y: &AxisSpec) -> Result<(), RenderError> {
        let r = p.rect;
        let t = &self.theme;
        // Grid.
        for tick in y.ticks.iter().filter(|_| y.grid) {
            let py = p.y_to_px(tick.value);
            if py >= r.top && py <= r.bottom {
                self.polyline(vec![(r.left, py), (r.right, py)], t.grid, 1.0, 1.0)?;
            }
        }
        for tick in x.ticks.iter().filter(|_| x.grid) {
            let px = p.x_to_px(tick.value);
            if px >= r.left && px <= r.right {
                self.polyline(vec![(px, r.top), (px, r.bottom)], t.grid, 1.0, 1.0)?;
            }
        }
        // Axis lines (left and bottom).
        self.polyline(
            vec![(r.left, r.top), (r.left, r.bottom), (r.right, r.bottom)],
            t.axis,
            1.0,
            1.0,
        )?;
        let tick_len = self.px(4.0);
        let gap = self.px(3.0);
        // Y tick labels.
        if y.show_labels {
            for tick in &y.ticks {
                let py = p.y_to_px(tick.value);
                if py >= r.top && py <= r.bottom {
                    self.polyline(
                        vec![(r.left - tick_len, py), (r.left, py)],
                        t.axis,
                        1.0,
                        1.0,
                    )?;
                    self.text(
                        &tick.label,
                        (r.left - tick_len - gap, py),
                        TICK_TEXT,
                        t.muted,
                        HPos::Right,
                        VPos::Center,
                        false,
                        false,
                    )?;
                }
            }
        }
        // X tick labels.
        let mut label_h = 0;
        if x.show_labels {
            for tick in &x.ticks {
                let px = p.x_to_px(tick.value);
                if px >= r.left && px <= r.right {
                    self.polyline(
                        vec![(px, r.bottom), (px, r.bottom + tick_len)],
                        t.axis,
                        1.0,
                        1.0,
                    )?;
                    if x.vertical_labels {
                        let (w, _) = self.measure(&tick.label, TICK_TEXT);
                        label_h = label_h.max(w);
                        self.text(
                            &tick.label,
                            (px, r.bottom + tick_len + gap),
                            TICK_TEXT,
                            t.muted,
                            HPos::Right,
                            VPos::Center,
                            false,
                            true,
                        )?;
                    } else {
                        label_h = label_h.max(self.line_height(TICK_TEXT));
                        self.text(
                            &tick.label,
                            (px, r.bottom + tick_len + gap),
                            TICK_TEXT,
                            t.muted,
                            HPos::Center,
                            VPos::Top,
                            false,
                            false,
                        )?;
                    }
                }
            }
        }
        // Axis titles.
        if let Some(title) = x.title.as_deref() {
            let max_chars = self.fit_chars(r.width(), LABEL_TEXT);
            let ty = r.bottom + tick_len + gap + label_h + self.px(6.0);
            self.text(
                &truncate(title, max_chars),
                ((r.left + r.right) / 2, ty),
                LABEL_TEXT,
                t.text,
                HPos::Center,
                VPos::Top,
                false,
                false,
            )?;
        }
        if let Some(title) = y.title.as_deref() {
            let max_chars = self.fit_chars(r.height(), LABEL_TEXT);
            let tx = self.outer.left + self.px(10.0);
            self.text(
                &truncate(title, max_chars),
                (tx, (r.top + r.bottom) / 2),
                LABEL_TEXT,
                t.text,
                HPos::Center,
                VPos::Top,
                false,
                true,
            )?;
        }
        Ok(())
    }

    /// A centred message in an empty panel.
    pub fn message(&self, p: &PanelLayout, msg: &str) -> Result<(), RenderError> {
        let c = (
            (p.rect.left + p.rect.right) / 2,
            (p.rect.top + p.rect.bottom) / 2,
        );
        let (w, h) = self.measure(msg, LABEL_TEXT);
        let pad = self.px(6.0);
        let bx = PixelRect {
            left: c.0 - w / 2 - pad,
            top: c.1 - h / 2 - pad,
            right: c.0 + w / 2 + pad,
            bottom: c.1 + h / 2 + pad,
        };
        self.rect(bx, self.theme.background, 1.0, true)?;
        self.text(
            msg,
            c,
            LABEL_TEXT,
            self.theme.muted,
            HPos::Center,
            VPos::Center,
            false,
            false,
        )
    }

    fn swatch_width(&self) -> i32 {
        self.px(22.0)
    }

    fn draw_swatch(&self, s: Swatch, x: i32, cy: i32) -> Result<(), RenderError> {
        let w = self.swatch_width();
        match s {
            Swatch::Line(c) => self.polyline(vec![(x, cy), (x + w, cy)], c, 1.0, 2.0),
            Swatch::Dashed(c) => self.dashed(vec![(x, cy), (x + w, cy)], c, 1.0, 1.5),
            Swatch::LinePoint(c) => {
                self.polyline(vec![(x, cy), (x + w, cy)], c, 1.0, 2.0)?;
                self.circle((x + w / 2, cy), self.px(3.5), c, 1.0)
            }
            Swatch::Point(c) => self.circle((x + w / 2, cy), self.px(4.0), c, 1.0),
            Swatch::Bar(c, a) => {
                let h = self.px(5.0);
                self.rect(
                    PixelRect {
                        left: x + self.px(3.0),
                        top: cy - h,
                        right: x + w - self.px(3.0),
                        bottom: cy + h,
                    },
                    c,
                    a,
                    true,
                )
            }
            Swatch::Band(c) => {
                let h = self.px(5.0);
                self.rect(
                    PixelRect {
                        left: x,
                        top: cy - h,
                        right: x + w,
                        bottom: cy + h,
                    },
                    c,
                    0.25,
                    true,
                )?;
                self.polyline(vec![(x, cy), (x + w, cy)], c, 1.0, 2.0)
            }
        }
    }

    fn item_width(&self, item: &LegendItem) -> i32 {
        self.swatch_width() + self.px(6.0) + self.measure(&item.label, LEGEND_TEXT).0
    }

    /// A boxed legend inside a panel corner; returns its box, or `None` when there is nothing
    /// to show or it would cover most of the panel (then it is left out).
    pub fn legend_inside(
        &self,
        p: &PanelLayout,
        items: &[LegendItem],
        corner: Corner,
    ) -> Result<Option<PixelRect>, RenderError> {
        if items.is_empty() {
            return Ok(None);
        }
        let pad = self.px(6.0);
        let row_h = self.line_height(LEGEND_TEXT) + self.px(4.0);
        let w = items.iter().map(|i| self.item_width(i)).max().unwrap_or(0) + 2 * pad;
        let h = row_h * items.len() as i32 + 2 * pad;
        let m = self.px(8.0);
        let r = p.rect;
        if w + 2 * m > r.width() * 3 / 4 || h + 2 * m > r.height() * 7 / 10 {
            return Ok(None);
        }
        let (left, top) = match corner {
            Corner::TopLeft => (r.left + m, r.top + m),
            Corner::BottomRight => (r.right - m - w, r.bottom - m - h),
            Corner::BottomLeft => (r.left + m, r.bottom - m - h),
        };
        let bx = PixelRect {
            left,
            top,
            right: left + w,
            bottom: top + h,
        };
        self.rect(bx, self.theme.background, 0.85, true)?;
        self.rect(bx, self.theme.grid, 1.0, false)?;
        let x = left + pad;
        for (k, item) in items.iter().enumerate() {
            let y = top + pad + row_h / 2 + k as i32 * row_h;
            self.draw_swatch(item.swatch, x, y)?;
            self.text(
                &item.label,
                (x + self.swatch_width() + self.px(6.0), y),
                LEGEND_TEXT,
                self.theme.text,
                HPos::Left,
                VPos::Center,
                false,
                false,
            )?;
        }
        Ok(Some(bx))
    }

    /// Rows of a legend laid out above the plot in `width` pixels (none if too tall).
    pub fn legend_rows<'i>(&self, items: &'i [LegendItem], width: i32) -> Vec<Vec<&'i LegendItem>> {
        let spacing = self.px(16.0);
        let mut rows: Vec<Vec<&LegendItem>> = Vec::new();
        let mut used = 0;
        for item in items {
            let w = self.item_width(item);
            match rows.last_mut() {
                Some(row) if used + spacing + w <= width => {
                    row.push(item);
                    used += spacing + w;
                }
                _ => {
                    rows.push(vec![item]);
                    used = w;
                }
            }
        }
        // Left out when it would take more than a quarter of the chart's height.
        if self.legend_rows_height(rows.len()) > self.outer.height() / 4 {
            rows.clear();
        }
        rows
    }

    /// Where legend rows drawn above the plot start: at the plot's left edge `left` when the
    /// widest row fits from there inside the chart, else just far enough left to fit (rows from
    /// [`Self::legend_rows`] always fit from the chart's left padding).
    pub fn legend_left(&self, rows: &[Vec<&LegendItem>], left: i32) -> i32 {
        let spacing = self.px(16.0);
        let widest = rows
            .iter()
            .map(|row| {
                row.iter().map(|item| self.item_width(item)).sum::<i32>()
                    + spacing * (row.len() as i32 - 1).max(0)
            })
            .max()
            .unwrap_or(0);
        let room = self.outer.right - self.px(10.0) - widest;
        left.min(room).max(self.outer.left + self.px(10.0))
    }

    /// Height of a legend above the plot.
    pub fn legend_rows_height(&self, rows: usize) -> i32 {
        if rows == 0 {
            0
        } else {
            rows as i32 * (self.line_height(LEGEND_TEXT) + self.px(6.0)) + self.px(4.0)
        }
    }

    /// Draw legend rows from `top`, starting at `left`.
    /// Returns the area the rows span, `None` for no rows.
    pub fn legend_top(
        &self,
        rows: &[Vec<&LegendItem>],
        left: i32,
        top: i32,
    ) -> Result<Option<PixelRect>, RenderError> {
        let row_h = self.line_height(LEGEND_TEXT) + self.px(6.0);
        let spacing = self.px(16.0);
        let mut span: Option<PixelRect> = None;
        for (i, row) in rows.iter().enumerate() {
            let cy = top + i as i32 * row_h + row_h / 2;
            let mut x = left;
            for item in row {
                self.draw_swatch(item.swatch, x, cy)?;
                self.text(
                    &item.label,
                    (x + self.swatch_width() + self.px(6.0), cy),
                    LEGEND_TEXT,
                    self.theme.text,
                    HPos::Left,
                    VPos::Center,
                    false,
                    false,
                )?;
                x += self.item_width(item) + spacing;
            }
            let row = PixelRect {
                left,
                top: cy - row_h / 2,
                right: x - spacing,
                bottom: cy + row_h / 2,
            };
            span = Some(span.map_or(row, |s| s.union(&row)));
        }
        Ok(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn truncation() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abcdef", 0), "");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }

    #[test]
    fn decimation_keeps_column_extremes() {
        let pts = vec![(0, 5), (1, 9), (1, 2), (1, 7), (1, 4), (2, 3)];
        assert_eq!(decimate(pts), vec![(0, 5), (1, 9), (1, 2), (1, 4), (2, 3)]);
        assert!(decimate(Vec::new()).is_empty());
        assert_eq!(decimate(vec![(3, 3)]), vec![(3, 3)]);
    }

    proptest! {
        #[test]
        fn decimation_bounds(pts in proptest::collection::vec((0i32..20, -50i32..50), 0..300)) {
            let mut sorted = pts.clone();
            sorted.sort_by_key(|p| p.0);
            let out = decimate(sorted.clone());
            let cols = {
                let mut c: Vec<i32> = sorted.iter().map(|p| p.0).collect();
                c.dedup();
                c.len()
            };
            prop_assert!(out.len() <= 4 * cols);
            // Same columns, same vertical extent per column, same endpoints.
            for c in 0..20 {
                let a: Vec<i32> = sorted.iter().filter(|p| p.0 == c).map(|p| p.1).collect();
                let b: Vec<i32> = out.iter().filter(|p| p.0 == c).map(|p| p.1).collect();
                prop_assert_eq!(a.iter().min(), b.iter().min());
                prop_assert_eq!(a.iter().max(), b.iter().max());
            }
            prop_assert_eq!(sorted.first(), out.first());
            prop_assert_eq!(sorted.last(), out.last());
        }
    }
}
