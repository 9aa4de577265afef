//! Drawing vocabulary shared by every chart: font, palette, text, header, scales, messages.
//!
//! Every chart draws in pixel space on the root area, so SVG and PNG come from the same
//! calls and label positions are under our control rather than plotters' mesh heuristics.
//! `axes.rs` holds the scales, ticks and axes, `jitter.rs` the deterministic jitter.

mod axes;
mod jitter;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::PlotError;
pub(crate) use axes::{tick_label, x_axis, y_axis, Scale};
pub(crate) use jitter::XorShift;

/// Family name the embedded font is registered under; SVG viewers fall back to their own
/// sans-serif, PNGs use the embedded DejaVu Sans.
pub(crate) const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Error raised while drawing; turned into [`PlotError::Drawing`] with the chart's name.
pub(crate) type DResult<T = ()> = Result<T, String>;

/// Converts any plotters drawing error into our internal string error.
pub(crate) fn de<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// Registers the embedded font once per process.
pub(crate) fn ensure_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font)
    }
}

/// Font sizes in plotters units (the SVG `font-size` is this divided by 1.24).
pub(crate) mod fs {
    pub const TITLE: f64 = 24.0;
    pub const SUBTITLE: f64 = 17.0;
    pub const LABEL: f64 = 17.0;
    pub const TICK: f64 = 15.0;
    pub const SMALL: f64 = 15.0;
    pub const MESSAGE: f64 = 20.0;
}

/// Near-black for text and marks.
pub(crate) const INK: RGBColor = RGBColor(30, 30, 30);
/// Secondary text; still 7:1 contrast on white.
pub(crate) const MUTED: RGBColor = RGBColor(85, 85, 85);
/// Gridlines.
pub(crate) const GRID: RGBColor = RGBColor(226, 226, 226);
/// Background band for composite rows and missing cells.
pub(crate) const BAND: RGBColor = RGBColor(241, 241, 241);

/// Cell borders on filled grids.
pub(crate) const WHITE_BG: RGBColor = RGBColor(255, 255, 255);

/// Okabe & Ito (2008) colour-blind-safe qualitative palette, yellow last (weak on white).
pub(crate) const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
];

/// Colour of series `i` (cycles after eight).
pub(crate) fn series_color(i: usize) -> RGBColor {
    OKABE_ITO[i % OKABE_ITO.len()]
}

/// Viridis anchor colours (matplotlib's `viridis`, sampled at 0, 1/8, …, 1).
const VIRIDIS: [(u8, u8, u8); 9] = [
    (68, 1, 84),
    (71, 44, 122),
    (59, 81, 139),
    (44, 113, 142),
    (33, 144, 141),
    (39, 173, 129),
    (92, 200, 99),
    (170, 220, 50),
    (253, 231, 37),
];

/// Viridis colour at `t` in [0, 1] (clamped), linearly interpolated between anchors.
pub(crate) fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (VIRIDIS.len() - 1) as f64;
    let i = (pos.floor() as usize).min(VIRIDIS.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text colour readable on `bg` (white on dark fills, ink on light ones).
pub(crate) fn text_on(bg: RGBColor) -> RGBColor {
    let l = 0.2126 * bg.0 as f64 + 0.7152 * bg.1 as f64 + 0.0722 * bg.2 as f64;
    if l < 140.0 {
        WHITE
    } else {
        INK
    }
}

/// A text style in the embedded font.
pub(crate) fn text_style(size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

/// Width in pixels of `text` at `size` in the embedded font.
pub(crate) fn text_width(text: &str, size: f64) -> i32 {
    FontDesc::new(FontFamily::Name(FONT), size, FontStyle::Normal)
        .box_size(text)
        .map(|(w, _)| w as i32)
        .unwrap_or((text.chars().count() as f64 * size * 0.6) as i32)
}

/// Draws `text` with its anchor at `(x, y)`.
pub(crate) fn text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    size: f64,
    color: RGBColor,
    (h, v): (HPos, VPos),
) -> DResult {
    root.draw_text(s, &text_style(size, color, h, v), (x, y))
        .map_err(de)
}

/// Draws `text` rotated to read bottom-to-top, centred at `(x, y)`.
pub(crate) fn vertical_text<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &str,
    (x, y): (i32, i32),
    size: f64,
) -> DResult {
    let mut style = text_style(size, INK, HPos::Center, VPos::Center);
    style.font = style.font.transform(FontTransform::Rotate270);
    root.draw_text(s, &style, (x, y)).map_err(de)
}

/// Formats a value the way every chart prints it: two decimals, and "0.00" rather than
/// "-0.00" for tiny negatives (a sign the reader cannot act on).
pub fn format_value(v: f64) -> String {
    let s = format!("{v:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// Draws a straight line of `width` px.
pub(crate) fn line<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    width: u32,
) -> DResult {
    root.draw(&PathElement::new(vec![a, b], color.stroke_width(width)))
        .map_err(de)
}

/// Draws a dashed horizontal or vertical line (dashes of 6 px, gaps of 4 px).
pub(crate) fn dashed<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    width: u32,
) -> DResult {
    let (dx, dy) = ((b.0 - a.0) as f64, (b.1 - a.1) as f64);
    let len = (dx * dx + dy * dy).sqrt();
    let mut t = 0.0;
    while t < len {
        let t1 = (t + 6.0).min(len);
        let p = |s: f64| {
            (
                a.0 + (dx * s / len).round() as i32,
                a.1 + (dy * s / len).round() as i32,
            )
        };
        line(root, p(t), p(t1), color, width)?;
        t += 10.0;
    }
    Ok(())
}

/// Filled rectangle between two corners.
pub(crate) fn fill_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
) -> DResult {
    root.draw(&Rectangle::new([a, b], color.filled()))
        .map_err(de)
}

/// Outlined rectangle between two corners.
pub(crate) fn stroke_rect<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    width: u32,
) -> DResult {
    root.draw(&Rectangle::new([a, b], color.stroke_width(width)))
        .map_err(de)
}

/// Draws the marker of series `i` centred at `c`: shape as well as colour tells series apart,
/// so the chart survives greyscale printing.
pub(crate) fn marker<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    i: usize,
    (x, y): (i32, i32),
    r: i32,
) -> DResult {
    let style = series_color(i).filled();
    let poly = |pts: Vec<(i32, i32)>| root.draw(&Polygon::new(pts, style)).map_err(de);
    match i % 5 {
        0 => root.draw(&Circle::new((x, y), r, style)).map_err(de),
        1 => poly(vec![
            (x - r, y - r),
            (x + r, y - r),
            (x + r, y + r),
            (x - r, y + r),
        ]),
        2 => poly(vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)]),
        3 => poly(vec![
            (x, y - r - 1),
            (x + r + 1, y),
            (x, y + r + 1),
            (x - r - 1, y),
        ]),
        _ => poly(vec![(x - r - 1, y - r), (x + r + 1, y - r), (x, y + r + 1)]),
    }
}

/// What a legend entry shows next to its label.
pub(crate) enum Swatch {
    /// The marker (shape and colour) of series `i`.
    Series(usize),
    /// A filled square.
    Fill(RGBColor),
}

/// One legend entry.
pub(crate) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

/// Title block of a chart: title, subtitle lines (n and notes) and a wrapped legend.
pub(crate) struct Header {
    pub title: String,
    pub subtitle: Vec<String>,
    pub legend: Vec<LegendItem>,
}

const MARGIN: i32 = 16;
const LEGEND_ROW: i32 = 24;
const LEGEND_GAP: i32 = 22;
const SWATCH: i32 = 18;

impl Header {
    /// Places legend entries in rows no wider than `width`; returns (row, x) per entry.
    fn legend_layout(&self, width: i32) -> Vec<(i32, i32)> {
        let mut out = Vec::with_capacity(self.legend.len());
        let (mut row, mut x) = (0, MARGIN);
        for item in &self.legend {
            let w = SWATCH + 6 + text_width(&item.label, fs::SMALL);
            if x > MARGIN && x + w > width - MARGIN {
                row += 1;
                x = MARGIN;
            }
            out.push((row, x));
            x += w + LEGEND_GAP;
        }
        out
    }

    /// Height in pixels the header takes at canvas width `width`.
    pub fn height(&self, width: u32) -> i32 {
        let rows = self
            .legend_layout(width as i32)
            .last()
            .map_or(0, |(r, _)| r + 1);
        MARGIN + 30 + 22 * self.subtitle.len() as i32 + LEGEND_ROW * rows + 10
    }

    /// Draws the header at the top of `root`; returns the y where the body may start.
    pub fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DResult<i32> {
        let (w, _) = root.dim_in_pixel();
        let top = (HPos::Left, VPos::Top);
        text(root, &self.title, (MARGIN, MARGIN), fs::TITLE, INK, top)?;
        let mut y = MARGIN + 30;
        for line in &self.subtitle {
            text(root, line, (MARGIN, y), fs::SUBTITLE, MUTED, top)?;
            y += 22;
        }
        let layout = self.legend_layout(w as i32);
        for (item, (row, x)) in self.legend.iter().zip(&layout) {
            let cy = y + row * LEGEND_ROW + LEGEND_ROW / 2;
            match item.swatch {
                Swatch::Series(i) => marker(root, i, (x + SWATCH / 2, cy), 6)?,
                Swatch::Fill(c) => {
                    fill_rect(root, (*x, cy - 8), (x + SWATCH, cy + 8), c)?;
                    stroke_rect(root, (*x, cy - 8), (x + SWATCH, cy + 8), MUTED, 1)?;
                }
            }
            let mid = (HPos::Left, VPos::Center);
            text(root, &item.label, (x + SWATCH + 6, cy), fs::SMALL, INK, mid)?;
        }
        Ok(self.height(w))
    }
}

/// Draws a framed message centred in the box `(x0, y0)–(x1, y1)`, one line per entry.
/// Used whenever a chart has nothing to plot, so the reader sees why.
pub(crate) fn message<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    lines: &[String],
) -> DResult {
    fill_rect(root, (x0, y0), (x1, y1), BAND)?;
    let cx = (x0 + x1) / 2;
    let step = 30;
    let start = (y0 + y1) / 2 - step * (lines.len() as i32 - 1) / 2;
    for (i, l) in lines.iter().enumerate() {
        let size = if i == 0 { fs::MESSAGE } else { fs::SUBTITLE };
        let color = if i == 0 { INK } else { MUTED };
        let pos = (cx, start + step * i as i32);
        text(root, l, pos, size, color, (HPos::Center, VPos::Center))?;
    }
    Ok(())
}

/// Joins the distinct reasons, in first-seen order, into one "No estimate: …" line.
pub(crate) fn no_estimate_line<'a>(
    reasons: impl IntoIterator<Item = Option<&'a str>>,
    fallback: &str,
) -> String {
    let distinct = distinct(reasons.into_iter().flatten().filter(|r| !r.is_empty()));
    if distinct.is_empty() {
        format!("No estimate: {fallback}")
    } else {
        format!("No estimate: {}", distinct.join("; "))
    }
}

/// Distinct items in first-seen order (order is what the caller chose to show).
pub(crate) fn distinct<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_match_matplotlib() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
    }
}
