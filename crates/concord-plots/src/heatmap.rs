//! Heatmap: attribute × judge matrix of one agreement metric.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    distinct, fill_rect, format_value, fs, line, message, no_estimate_line, stroke_rect, text,
    text_on, text_width, tick_label, viridis, DResult, Header, Scale, BAND, INK, MUTED, WHITE_BG,
};
use crate::{render_svg, Chart, Result};

/// One cell: the metric for one attribute and one judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatmapCell {
    /// Attribute (row).
    pub attribute: String,
    /// Judge (column).
    pub judge: String,
    /// Metric value; `None` is printed as "–".
    pub value: Option<f64>,
    /// Number of responses behind the value.
    pub n: usize,
    /// Why there is no value.
    pub reason: Option<String>,
}

/// Input of [`heatmap`]: attributes top to bottom and judges left to right, in the order
/// first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatmapData {
    /// Metric name, e.g. "ICC(A,1) judge vs human mean".
    pub metric: String,
    /// The cells; absent (attribute, judge) pairs are drawn like missing values.
    pub cells: Vec<HeatmapCell>,
    /// Colour-scale domain (low, high); defaults to (min(0, data), max(1, data)).
    #[serde(default)]
    pub domain: Option<(f64, f64)>,
    /// Optional extra subtitle line.
    #[serde(default)]
    pub note: Option<String>,
}

/// Heatmap of `metric` by attribute (rows) and judge (columns), each cell printed to two
/// decimals ("–" where missing), coloured on the viridis scale with a colour bar.
pub fn heatmap(data: &HeatmapData) -> Result<String> {
    render_svg(&Chart::Heatmap(data), None)
}

const MARGIN: i32 = 16;
const CELL_H: i32 = 44;
const MIN_CELL_W: i32 = 96;
const COLUMN_HEAD: i32 = 34;
const BAR_W: i32 = 22;
const BAR_BLOCK: i32 = 110;
const FOOT_LINE: i32 = 22;

struct Layout<'a> {
    rows: Vec<&'a str>,
    cols: Vec<&'a str>,
    label_w: i32,
    cell_w: i32,
    foot: Vec<String>,
    domain: (f64, f64),
}

fn layout(d: &HeatmapData) -> Layout<'_> {
    let rows = distinct(d.cells.iter().map(|c| c.attribute.as_str()));
    let cols = distinct(d.cells.iter().map(|c| c.judge.as_str()));
    let label_w = rows
        .iter()
        .map(|r| text_width(r, fs::LABEL))
        .max()
        .unwrap_or(0);
    let cell_w = cols
        .iter()
        .map(|c| text_width(c, fs::SMALL) + 16)
        .max()
        .unwrap_or(0)
        .max(MIN_CELL_W);
    let missing = d.cells.iter().filter(|c| c.value.is_none());
    let reasons = distinct(
        missing
            .clone()
            .map(|c| c.reason.as_deref().unwrap_or("not estimable")),
    );
    let mut foot: Vec<String> = reasons
        .iter()
        .map(|r| {
            let k = missing
                .clone()
                .filter(|c| c.reason.as_deref().unwrap_or("not estimable") == *r)
                .count();
            format!(
                "– no estimate ({r}): {k} cell{}",
                if k == 1 { "" } else { "s" }
            )
        })
        .collect();
    let absent = rows.len() * cols.len() - d.cells.len().min(rows.len() * cols.len());
    if absent > 0 {
        foot.push(format!("– not supplied: {absent} cells"));
    }
    let finite = d
        .cells
        .iter()
        .filter_map(|c| c.value)
        .filter(|v| v.is_finite());
    let domain = d
        .domain
        .unwrap_or_else(|| finite.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v))));
    Layout {
        rows,
        cols,
        label_w,
        cell_w,
        foot,
        domain,
    }
}

fn header(d: &HeatmapData) -> Header {
    let ns = d.cells.iter().filter(|c| c.value.is_some()).map(|c| c.n);
    let (lo, hi) = ns.fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    let n = match (lo, hi) {
        (usize::MAX, _) => "n = 0 estimable".to_string(),
        (lo, hi) if lo == hi => format!("n = {lo} responses per cell"),
        (lo, hi) => format!("n = {lo}–{hi} responses per cell"),
    };
    let mut subtitle = vec![format!("{} · {n}", d.metric)];
    subtitle.extend(d.note.clone());
    Header {
        title: format!("{} by attribute and judge", d.metric),
        subtitle,
        legend: Vec::new(),
    }
}

fn has_value(d: &HeatmapData) -> bool {
    d.cells.iter().any(|c| c.value.is_some())
}

pub(crate) fn natural_size(d: &HeatmapData) -> (u32, u32) {
    if !has_value(d) {
        return (900, 520);
    }
    let l = layout(d);
    let width = (MARGIN + l.label_w + 16 + l.cols.len() as i32 * l.cell_w + BAR_BLOCK + MARGIN)
        .max(900) as u32;
    let body =
        COLUMN_HEAD + l.rows.len() as i32 * CELL_H + 16 + l.foot.len() as i32 * FOOT_LINE + MARGIN;
    (width, (header(d).height(width) + body) as u32)
}

pub(crate) fn draw<DB: DrawingBackend>(d: &HeatmapData, root: &DrawingArea<DB, Shift>) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = header(d).draw(root)?;
    if !has_value(d) {
        let why = no_estimate_line(
            d.cells.iter().map(|c| c.reason.as_deref()),
            "no cells were supplied",
        );
        return message(root, (MARGIN, top), (w - MARGIN, h - MARGIN), &[why]);
    }
    let l = layout(d);
    let x0 = MARGIN + l.label_w + 16;
    let y0 = top + COLUMN_HEAD;
    let (lo, hi) = l.domain;
    let span = if hi > lo { hi - lo } else { 1.0 };

    for (j, col) in l.cols.iter().enumerate() {
        let cx = x0 + j as i32 * l.cell_w + l.cell_w / 2;
        text(
            root,
            col,
            (cx, y0 - 8),
            fs::SMALL,
            INK,
            (HPos::Center, VPos::Bottom),
        )?;
    }
    for (i, row) in l.rows.iter().enumerate() {
        let cy = y0 + i as i32 * CELL_H + CELL_H / 2;
        text(
            root,
            row,
            (MARGIN, cy),
            fs::LABEL,
            INK,
            (HPos::Left, VPos::Center),
        )?;
        for (j, col) in l.cols.iter().enumerate() {
            let cx0 = x0 + j as i32 * l.cell_w;
            let cy0 = y0 + i as i32 * CELL_H;
            let value = d
                .cells
                .iter()
                .find(|c| c.attribute == *row && c.judge == *col)
                .and_then(|c| c.value)
                .filter(|v| v.is_finite());
            let (fill, label, ink) = match value {
                Some(v) => {
                    let c = viridis((v - lo) / span);
                    (c, format_value(v), text_on(c))
                }
                None => (BAND, "–".to_string(), MUTED),
            };
            fill_rect(root, (cx0, cy0), (cx0 + l.cell_w, cy0 + CELL_H), fill)?;
            stroke_rect(
                root,
                (cx0, cy0),
                (cx0 + l.cell_w, cy0 + CELL_H),
                WHITE_BG,
                2,
            )?;
            let centre = (cx0 + l.cell_w / 2, cy0 + CELL_H / 2);
            text(
                root,
                &label,
                centre,
                fs::LABEL,
                ink,
                (HPos::Center, VPos::Center),
            )?;
        }
    }

    // Colour bar: the scale the cells are read against.
    let grid_bottom = y0 + l.rows.len() as i32 * CELL_H;
    let bx = x0 + l.cols.len() as i32 * l.cell_w + 24;
    let bar = Scale {
        d0: lo,
        d1: hi,
        p0: grid_bottom,
        p1: y0,
    };
    // 48 bands look continuous at this height and keep the SVG small.
    let steps = 48;
    let px = |k: i32| grid_bottom - (grid_bottom - y0) * k / steps;
    for k in 0..steps {
        let t = (k as f64 + 0.5) / steps as f64;
        fill_rect(root, (bx, px(k + 1)), (bx + BAR_W, px(k)), viridis(t))?;
    }
    stroke_rect(root, (bx, y0), (bx + BAR_W, grid_bottom), MUTED, 1)?;
    let ticks = bar.ticks(5);
    for t in &ticks {
        let y = bar.px(*t);
        line(root, (bx + BAR_W, y), (bx + BAR_W + 5, y), MUTED, 1)?;
        let s = tick_label(*t, &ticks);
        text(
            root,
            &s,
            (bx + BAR_W + 8, y),
            fs::TICK,
            INK,
            (HPos::Left, VPos::Center),
        )?;
    }

    let mut fy = grid_bottom + 16;
    for f in &l.foot {
        text(root, f, (x0, fy), fs::SMALL, MUTED, (HPos::Left, VPos::Top))?;
        fy += FOOT_LINE;
    }
    Ok(())
}
