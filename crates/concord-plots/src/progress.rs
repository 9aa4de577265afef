//! Rating progress: per rater done vs assigned, and responses by number of ratings.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    dashed, fill_rect, fs, line, message, stroke_rect, text, text_width, x_axis, y_axis, DResult,
    Header, LegendItem, Scale, Swatch, BAND, INK, MUTED, OKABE_ITO,
};
use crate::{render_svg, Chart, Result};

/// One rater's workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaterProgress {
    /// Rater name.
    pub rater: String,
    /// Ratings submitted.
    pub done: usize,
    /// Ratings assigned.
    pub assigned: usize,
}

/// How many responses have a given number of ratings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageBin {
    /// Number of ratings a response has.
    pub ratings: usize,
    /// Number of responses with that many ratings.
    pub responses: usize,
}

/// Input of [`progress`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressData {
    /// One entry per rater, top to bottom.
    pub raters: Vec<RaterProgress>,
    /// Responses by number of ratings, left to right.
    pub coverage: Vec<CoverageBin>,
    /// Ratings each response should get for the agreement design.
    pub overlap_target: usize,
}

/// Rating progress: per rater a bar of ratings done over ratings assigned, and below it the
/// number of responses by number of ratings, with bars short of the overlap target marked.
pub fn progress(data: &ProgressData) -> Result<String> {
    render_svg(&Chart::Progress(data), None)
}

const MARGIN: i32 = 16;
const ROW_H: i32 = 28;
const HEADING_H: i32 = 34;
const AXIS_H: i32 = 68;
const COVERAGE_H: i32 = 220;
const LEFT: i32 = 84;

const DONE: RGBColor = OKABE_ITO[4];
const SHORT: RGBColor = OKABE_ITO[1];
const MET: RGBColor = OKABE_ITO[3];

fn header(d: &ProgressData) -> Header {
    let done: usize = d.raters.iter().map(|r| r.done).sum();
    let assigned: usize = d.raters.iter().map(|r| r.assigned).sum();
    let responses: usize = d.coverage.iter().map(|c| c.responses).sum();
    Header {
        title: "Rating progress".to_string(),
        subtitle: vec![format!(
            "{} raters · n = {done} of {assigned} ratings done · {responses} responses · \
             overlap target {} ratings per response",
            d.raters.len(),
            d.overlap_target
        )],
        legend: vec![
            LegendItem {
                label: "Ratings done".into(),
                swatch: Swatch::Fill(DONE),
            },
            LegendItem {
                label: "Assigned, not done".into(),
                swatch: Swatch::Fill(BAND),
            },
            LegendItem {
                label: "Responses below target".into(),
                swatch: Swatch::Fill(SHORT),
            },
            LegendItem {
                label: "Responses at or above target".into(),
                swatch: Swatch::Fill(MET),
            },
        ],
    }
}

fn widths(d: &ProgressData) -> (i32, i32) {
    let label_w = d
        .raters
        .iter()
        .map(|r| text_width(&r.rater, fs::LABEL))
        .max()
        .unwrap_or(0)
        .max(LEFT - 16);
    let right_w = d
        .raters
        .iter()
        .map(|r| text_width(&format!("{} / {}", r.done, r.assigned), fs::SMALL))
        .max()
        .unwrap_or(0);
    (label_w, right_w)
}

fn raters_h(d: &ProgressData) -> i32 {
    HEADING_H + (d.raters.len() as i32).max(2) * ROW_H + AXIS_H
}

pub(crate) fn natural_size(d: &ProgressData) -> (u32, u32) {
    if d.raters.is_empty() && d.coverage.is_empty() {
        return (900, 520);
    }
    let (label_w, right_w) = widths(d);
    let width = (MARGIN + label_w + 16 + 480 + 16 + right_w + MARGIN).max(900) as u32;
    let body = raters_h(d) + HEADING_H + COVERAGE_H + AXIS_H + MARGIN;
    (width, (header(d).height(width) + body) as u32)
}

pub(crate) fn draw<DB: DrawingBackend>(d: &ProgressData, root: &DrawingArea<DB, Shift>) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = header(d).draw(root)?;
    if d.raters.is_empty() && d.coverage.is_empty() {
        let why = "No estimate: no ratings have been assigned yet".to_string();
        return message(root, (MARGIN, top), (w - MARGIN, h - MARGIN), &[why]);
    }
    let (label_w, right_w) = widths(d);
    let split = top + raters_h(d);
    draw_raters(d, root, (top, split), (label_w, right_w), w)?;
    draw_coverage(d, root, (split, h - MARGIN), (label_w, right_w), w)
}

fn draw_raters<DB: DrawingBackend>(
    d: &ProgressData,
    root: &DrawingArea<DB, Shift>,
    (top, bottom): (i32, i32),
    (label_w, right_w): (i32, i32),
    w: i32,
) -> DResult {
    let heading = "Ratings done vs assigned, per rater";
    text(
        root,
        heading,
        (MARGIN, top + 4),
        fs::LABEL,
        INK,
        (HPos::Left, VPos::Top),
    )?;
    let rows_top = top + HEADING_H;
    if d.raters.is_empty() {
        let why = "No estimate: no raters have assignments".to_string();
        return message(root, (MARGIN, rows_top), (w - MARGIN, bottom - 10), &[why]);
    }
    let max = d
        .raters
        .iter()
        .map(|r| r.assigned.max(r.done))
        .max()
        .unwrap_or(0)
        .max(1);
    let x = Scale {
        d0: 0.0,
        d1: max as f64,
        p0: MARGIN + label_w + 16,
        p1: w - MARGIN - right_w - 16,
    };
    let axis_y = bottom - AXIS_H;
    x_axis(root, &x, axis_y, rows_top, "Ratings")?;
    for (i, r) in d.raters.iter().enumerate() {
        let y = rows_top + i as i32 * ROW_H;
        let (y0, y1) = (y + 5, y + ROW_H - 5);
        let mid = (HPos::Left, VPos::Center);
        text(root, &r.rater, (MARGIN, y + ROW_H / 2), fs::LABEL, INK, mid)?;
        fill_rect(root, (x.p0, y0), (x.px(r.assigned as f64), y1), BAND)?;
        if r.done > 0 {
            fill_rect(root, (x.p0, y0), (x.px(r.done as f64), y1), DONE)?;
        }
        stroke_rect(root, (x.p0, y0), (x.px(r.assigned as f64), y1), MUTED, 1)?;
        let s = format!("{} / {}", r.done, r.assigned);
        text(root, &s, (x.p1 + 16, y + ROW_H / 2), fs::SMALL, INK, mid)?;
    }
    Ok(())
}

fn draw_coverage<DB: DrawingBackend>(
    d: &ProgressData,
    root: &DrawingArea<DB, Shift>,
    (top, bottom): (i32, i32),
    (label_w, right_w): (i32, i32),
    w: i32,
) -> DResult {
    let heading = format!(
        "Responses by number of ratings (overlap target: {})",
        d.overlap_target
    );
    text(
        root,
        &heading,
        (MARGIN, top + 4),
        fs::LABEL,
        INK,
        (HPos::Left, VPos::Top),
    )?;
    let plot_top = top + HEADING_H;
    if d.coverage.is_empty() {
        let why = "No estimate: no responses to rate yet".to_string();
        return message(root, (MARGIN, plot_top), (w - MARGIN, bottom), &[why]);
    }
    let max = d
        .coverage
        .iter()
        .map(|c| c.responses)
        .max()
        .unwrap_or(0)
        .max(1);
    let x0 = (MARGIN + label_w + 16).max(MARGIN + LEFT);
    let x1 = w - MARGIN - right_w - 16;
    let axis_y = bottom - AXIS_H;
    let y = Scale {
        d0: 0.0,
        d1: max as f64 * 1.15,
        p0: axis_y,
        p1: plot_top + 8,
    };
    y_axis(root, &y, x0, x1, "Responses")?;
    line(root, (x0, axis_y), (x1, axis_y), MUTED, 1)?;
    let slot = (x1 - x0) / d.coverage.len() as i32;
    let bar_w = (slot * 6 / 10).min(90);
    for (i, c) in d.coverage.iter().enumerate() {
        let cx = x0 + i as i32 * slot + slot / 2;
        let color = if c.ratings < d.overlap_target {
            SHORT
        } else {
            MET
        };
        let top_px = y.px(c.responses as f64);
        if c.responses > 0 {
            fill_rect(
                root,
                (cx - bar_w / 2, top_px),
                (cx + bar_w / 2, axis_y),
                color,
            )?;
        }
        let count = c.responses.to_string();
        let at = (cx, top_px - 4);
        text(
            root,
            &count,
            at,
            fs::SMALL,
            INK,
            (HPos::Center, VPos::Bottom),
        )?;
        let at = (cx, axis_y + 8);
        let tick = c.ratings.to_string();
        text(root, &tick, at, fs::TICK, INK, (HPos::Center, VPos::Top))?;
    }
    if let Some(i) = d
        .coverage
        .iter()
        .position(|c| c.ratings >= d.overlap_target)
    {
        let tx = x0 + i as i32 * slot;
        dashed(root, (tx, plot_top), (tx, axis_y), INK, 2)?;
        let label = format!("target {}", d.overlap_target);
        text(
            root,
            &label,
            (tx + 6, plot_top),
            fs::SMALL,
            INK,
            (HPos::Left, VPos::Top),
        )?;
    }
    let label = "Ratings per response";
    let at = ((x0 + x1) / 2, axis_y + 32);
    text(root, label, at, fs::LABEL, INK, (HPos::Center, VPos::Top))
}
