//! Confusion matrix of two raters on one attribute.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    fill_rect, fs, message, no_estimate_line, stroke_rect, text, text_on, text_width,
    vertical_text, DResult, Header, INK, MUTED, WHITE_BG,
};
use crate::{render_svg, Chart, Result};

/// Input of [`confusion`]: `counts[i][j]` = responses scored `scale[i]` by rater A and
/// `scale[j]` by rater B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfusionData {
    /// Attribute name.
    pub attribute: String,
    /// Rater A (rows).
    pub rater_a: String,
    /// Rater B (columns).
    pub rater_b: String,
    /// Score points in order, e.g. `[1, 2, 3, 4, 5]`.
    pub scale: Vec<i32>,
    /// Square matrix of counts, `scale.len()` × `scale.len()`.
    pub counts: Vec<Vec<usize>>,
    /// Why there is nothing to show, when the counts are all zero.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Confusion matrix: rater A's score (rows) against rater B's (columns), the count printed
/// in each cell, shading by count and the agreement diagonal outlined.
pub fn confusion(data: &ConfusionData) -> Result<String> {
    render_svg(&Chart::Confusion(data), None)
}

const MARGIN: i32 = 16;
const CELL: i32 = 64;
const LEFT: i32 = 110;
const TOP: i32 = 70;

/// Light-to-dark blue (ColorBrewer "Blues" ends): single hue, so it reads for every
/// colour vision and in greyscale.
fn shade(t: f64) -> RGBColor {
    let (a, b) = ((239.0, 243.0, 255.0), (8.0, 69.0, 148.0));
    let t = t.clamp(0.0, 1.0);
    let mix = |x: f64, y: f64| (x + (y - x) * t).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

pub(crate) fn validate(d: &ConfusionData) -> Option<String> {
    let k = d.scale.len();
    let square = d.counts.len() == k && d.counts.iter().all(|r| r.len() == k);
    (!square).then(|| format!("counts must be {k} × {k} to match the scale"))
}

fn total(d: &ConfusionData) -> usize {
    d.counts.iter().flatten().sum()
}

fn header(d: &ConfusionData) -> Header {
    Header {
        title: format!(
            "Confusion matrix: {} — {} vs {}",
            d.attribute, d.rater_a, d.rater_b
        ),
        subtitle: vec![format!(
            "n = {} responses rated by both · diagonal (outlined) = same score",
            total(d)
        )],
        legend: Vec::new(),
    }
}

pub(crate) fn natural_size(d: &ConfusionData) -> (u32, u32) {
    let k = d.scale.len() as i32;
    let title_w = text_width(&header(d).title, fs::TITLE) + 2 * MARGIN;
    let width = (MARGIN + LEFT + k * CELL + MARGIN).max(title_w).max(900) as u32;
    let height = header(d).height(width) + TOP + k * CELL + MARGIN + 10;
    (width, height as u32)
}

pub(crate) fn draw<DB: DrawingBackend>(
    d: &ConfusionData,
    root: &DrawingArea<DB, Shift>,
) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = header(d).draw(root)?;
    let n = total(d);
    if n == 0 || d.scale.is_empty() {
        let why = no_estimate_line([d.reason.as_deref()], "no responses rated by both raters");
        return message(root, (MARGIN, top), (w - MARGIN, h - MARGIN), &[why]);
    }
    let k = d.scale.len() as i32;
    let grid_w = k * CELL;
    // Centre the grid horizontally in the canvas.
    let x0 = ((w - grid_w) / 2).max(MARGIN + LEFT);
    let y0 = top + TOP;
    let max = d.counts.iter().flatten().copied().max().unwrap_or(1).max(1);

    let b_label = format!("{} (rater B)", d.rater_b);
    let centre_x = x0 + grid_w / 2;
    text(
        root,
        &b_label,
        (centre_x, top + 8),
        fs::LABEL,
        INK,
        (HPos::Center, VPos::Top),
    )?;
    let a_label = format!("{} (rater A)", d.rater_a);
    vertical_text(root, &a_label, (x0 - 60, y0 + grid_w / 2), fs::LABEL)?;

    for (i, s) in d.scale.iter().enumerate() {
        let c = x0 + i as i32 * CELL + CELL / 2;
        text(
            root,
            &s.to_string(),
            (c, y0 - 8),
            fs::TICK,
            INK,
            (HPos::Center, VPos::Bottom),
        )?;
        let r = y0 + i as i32 * CELL + CELL / 2;
        text(
            root,
            &s.to_string(),
            (x0 - 10, r),
            fs::TICK,
            INK,
            (HPos::Right, VPos::Center),
        )?;
    }
    for (i, row) in d.counts.iter().enumerate() {
        for (j, c) in row.iter().enumerate() {
            let a = (x0 + j as i32 * CELL, y0 + i as i32 * CELL);
            let b = (a.0 + CELL, a.1 + CELL);
            let fill = shade(*c as f64 / max as f64);
            fill_rect(root, a, b, fill)?;
            stroke_rect(root, a, b, WHITE_BG, 2)?;
            let ink = if *c == 0 { MUTED } else { text_on(fill) };
            let centre = (a.0 + CELL / 2, a.1 + CELL / 2);
            text(
                root,
                &c.to_string(),
                centre,
                fs::LABEL,
                ink,
                (HPos::Center, VPos::Center),
            )?;
        }
    }
    for i in 0..k {
        let a = (x0 + i * CELL + 2, y0 + i * CELL + 2);
        stroke_rect(root, a, (a.0 + CELL - 4, a.1 + CELL - 4), INK, 2)?;
    }
    Ok(())
}
