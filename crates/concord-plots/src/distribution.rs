//! Score distribution of one attribute, one stacked bar per rater and per judge.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    fill_rect, fs, line, message, stroke_rect, text, text_on, text_width, viridis, x_axis, DResult,
    Header, LegendItem, Scale, Swatch, INK, MUTED, WHITE_BG,
};
use crate::{render_svg, Chart, Result};

/// Whether a rater is a person or an LLM judge; they are listed in separate groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RaterKind {
    /// A clinician.
    Human,
    /// An LLM judge.
    Judge,
}

/// How often one rater gave each score point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterCounts {
    /// Rater or judge name.
    pub rater: String,
    /// Human or judge.
    pub kind: RaterKind,
    /// Count per score point, aligned with [`DistributionData::scale`].
    pub counts: Vec<usize>,
}

/// Input of [`distribution`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionData {
    /// Attribute name.
    pub attribute: String,
    /// Score points in order, e.g. `[1, 2, 3, 4, 5]`.
    pub scale: Vec<i32>,
    /// One entry per rater; humans are listed before judges.
    pub raters: Vec<RaterCounts>,
}

/// Score distribution: per rater (and judge), a 100% stacked bar over the score points with
/// the count printed in each segment wide enough to hold it, and the rater's n at the right.
pub fn distribution(data: &DistributionData) -> Result<String> {
    render_svg(&Chart::Distribution(data), None)
}

const MARGIN: i32 = 16;
const ROW_H: i32 = 32;
const GROUP_H: i32 = 30;
const AXIS_H: i32 = 70;
const MIN_BAR_W: i32 = 480;

pub(crate) fn validate(d: &DistributionData) -> Option<String> {
    let bad = d.raters.iter().find(|r| r.counts.len() != d.scale.len())?;
    Some(format!(
        "{} has {} counts for a {}-point scale",
        bad.rater,
        bad.counts.len(),
        d.scale.len()
    ))
}

fn total(r: &RaterCounts) -> usize {
    r.counts.iter().sum()
}

fn header(d: &DistributionData) -> Header {
    let k = d.scale.len();
    let humans = d
        .raters
        .iter()
        .filter(|r| r.kind == RaterKind::Human)
        .count();
    let judges = d.raters.len() - humans;
    Header {
        title: format!("Score distribution: {}", d.attribute),
        subtitle: vec![format!(
            "{humans} human rater{} and {judges} judge{} · n = ratings per rater (right) · \
             segments: share of that rater's ratings",
            if humans == 1 { "" } else { "s" },
            if judges == 1 { "" } else { "s" }
        )],
        legend: d
            .scale
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem {
                label: format!("Score {s}"),
                swatch: Swatch::Fill(score_color(i, k)),
            })
            .collect(),
    }
}

fn score_color(i: usize, k: usize) -> RGBColor {
    viridis(if k <= 1 {
        0.5
    } else {
        i as f64 / (k - 1) as f64
    })
}

/// Rows in drawing order: group headings, then that group's raters.
fn rows(d: &DistributionData) -> Vec<Row<'_>> {
    let mut out = Vec::new();
    for (kind, heading) in [
        (RaterKind::Human, "Human raters"),
        (RaterKind::Judge, "LLM judges"),
    ] {
        let members: Vec<_> = d.raters.iter().filter(|r| r.kind == kind).collect();
        if !members.is_empty() {
            out.push(Row::Heading(heading));
            out.extend(members.into_iter().map(Row::Rater));
        }
    }
    out
}

/// A row of the chart.
enum Row<'a> {
    Heading(&'static str),
    Rater(&'a RaterCounts),
}

fn drawable(d: &DistributionData) -> bool {
    !d.scale.is_empty() && d.raters.iter().any(|r| total(r) > 0)
}

fn widths(d: &DistributionData) -> (i32, i32) {
    let label_w = d
        .raters
        .iter()
        .map(|r| text_width(&r.rater, fs::LABEL))
        .max()
        .unwrap_or(0);
    let n_w = d
        .raters
        .iter()
        .map(|r| text_width(&format!("n = {}", total(r)), fs::SMALL))
        .max()
        .unwrap_or(0);
    (label_w, n_w)
}

pub(crate) fn natural_size(d: &DistributionData) -> (u32, u32) {
    if !drawable(d) {
        return (900, 520);
    }
    let (label_w, n_w) = widths(d);
    let width = (MARGIN + label_w + 16 + MIN_BAR_W + 16 + n_w + MARGIN).max(900) as u32;
    let body: i32 = rows(d)
        .iter()
        .map(|r| match r {
            Row::Heading(_) => GROUP_H,
            Row::Rater(_) => ROW_H,
        })
        .sum::<i32>()
        + AXIS_H
        + MARGIN;
    (width, (header(d).height(width) + body) as u32)
}

pub(crate) fn draw<DB: DrawingBackend>(
    d: &DistributionData,
    root: &DrawingArea<DB, Shift>,
) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = header(d).draw(root)?;
    if !drawable(d) {
        let why = format!("No estimate: no ratings of {} yet", d.attribute);
        return message(root, (MARGIN, top), (w - MARGIN, h - MARGIN), &[why]);
    }
    let (label_w, n_w) = widths(d);
    let x = Scale {
        d0: 0.0,
        d1: 100.0,
        p0: MARGIN + label_w + 16,
        p1: w - MARGIN - n_w - 16,
    };
    let rows = rows(d);
    let body_h: i32 = rows
        .iter()
        .map(|r| match r {
            Row::Heading(_) => GROUP_H,
            Row::Rater(_) => ROW_H,
        })
        .sum();
    let bottom = (top + body_h).min(h - AXIS_H);
    x_axis(root, &x, bottom, top, "Share of the rater's ratings (%)")?;

    let k = d.scale.len();
    let mut y = top;
    for row in &rows {
        match row {
            Row::Heading(s) => {
                let at = (MARGIN, y + GROUP_H - 6);
                text(root, s, at, fs::SMALL, MUTED, (HPos::Left, VPos::Bottom))?;
                line(
                    root,
                    (MARGIN, y + GROUP_H - 2),
                    (x.p1, y + GROUP_H - 2),
                    MUTED,
                    1,
                )?;
                y += GROUP_H;
            }
            Row::Rater(r) => {
                let (y0, y1) = (y + 5, y + ROW_H - 5);
                let mid = (HPos::Left, VPos::Center);
                text(root, &r.rater, (MARGIN, y + ROW_H / 2), fs::LABEL, INK, mid)?;
                let n = total(r);
                let n_label = format!("n = {n}");
                text(
                    root,
                    &n_label,
                    (x.p1 + 16, y + ROW_H / 2),
                    fs::SMALL,
                    INK,
                    mid,
                )?;
                if n == 0 {
                    let at = (x.p0 + 6, y + ROW_H / 2);
                    text(root, "no ratings", at, fs::SMALL, MUTED, mid)?;
                } else {
                    let mut cum = 0usize;
                    for (i, c) in r.counts.iter().enumerate() {
                        if *c == 0 {
                            continue;
                        }
                        let a = x.px(cum as f64 * 100.0 / n as f64);
                        cum += c;
                        let b = x.px(cum as f64 * 100.0 / n as f64);
                        let color = score_color(i, k);
                        fill_rect(root, (a, y0), (b, y1), color)?;
                        stroke_rect(root, (a, y0), (b, y1), WHITE_BG, 1)?;
                        let s = c.to_string();
                        if b - a >= text_width(&s, fs::SMALL) + 6 {
                            let centre = ((a + b) / 2, y + ROW_H / 2);
                            let ink = text_on(color);
                            text(
                                root,
                                &s,
                                centre,
                                fs::SMALL,
                                ink,
                                (HPos::Center, VPos::Center),
                            )?;
                        }
                    }
                }
                y += ROW_H;
            }
        }
    }
    Ok(())
}
