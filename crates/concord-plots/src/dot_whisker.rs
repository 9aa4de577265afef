//! Forest plot (agreement per attribute) and judge-bias plot: both are rows of dodged
//! estimates with 95% CI whiskers, so they share one layout (as does `model_scores.rs`).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    fill_rect, format_value, fs, line, marker, message, no_estimate_line, text, text_width, x_axis,
    DResult, Header, LegendItem, Scale, Swatch, BAND, GRID, INK, MUTED,
};
use crate::{render_svg, Chart, Result};

/// Stroke width used only for CI whiskers, so each whisker is one countable `<polyline>`.
pub const CI_STROKE_WIDTH: u32 = 3;

/// One estimate of the forest plot: one attribute (or group composite) for one rater pairing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestRow {
    /// Row label: an attribute ("Safety") or a group composite ("CSS composite").
    pub label: String,
    /// Series: "human–human" or a judge–human pairing ("GPT-4o–human").
    pub series: String,
    /// Point estimate; `None` when it could not be estimated.
    pub estimate: Option<f64>,
    /// 95% confidence interval (lower, upper), if available.
    pub ci: Option<(f64, f64)>,
    /// Number of responses behind the estimate.
    pub n: usize,
    /// Why there is no estimate (e.g. "fewer than 2 raters"); shown next to the row.
    pub reason: Option<String>,
    /// Whether the row is a group composite; drawn on a shaded band.
    #[serde(default)]
    pub composite: bool,
}

/// Input of [`forest`]: rows appear top to bottom, series in the order first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestData {
    /// Agreement metric, shown in the title and on the axis, e.g. "ICC(A,1)" or
    /// "Krippendorff's α (interval)".
    pub metric: String,
    /// The estimates.
    pub rows: Vec<ForestRow>,
    /// Optional extra subtitle line (e.g. the study name or data cut).
    #[serde(default)]
    pub note: Option<String>,
}

/// One judge's bias on one attribute: mean of (judge score − human mean score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasRow {
    /// Attribute name.
    pub attribute: String,
    /// Judge name.
    pub judge: String,
    /// Mean difference judge − human mean, in score points; `None` when not estimable.
    pub mean: Option<f64>,
    /// 95% confidence interval of the mean difference, if available.
    pub ci: Option<(f64, f64)>,
    /// Number of responses behind the mean.
    pub n: usize,
    /// Why there is no estimate.
    pub reason: Option<String>,
}

/// Input of [`bias`]: attributes top to bottom, judges in the order first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasData {
    /// The estimates.
    pub rows: Vec<BiasRow>,
    /// Optional extra subtitle line.
    #[serde(default)]
    pub note: Option<String>,
}

/// Forest plot: per attribute or composite, each series' estimate with its 95% CI, the
/// metric in the title, axis from min(−0.2, data) to 1 and a reference line at 0.
pub fn forest(data: &ForestData) -> Result<String> {
    render_svg(&Chart::Forest(data), None)
}

/// Judge bias: per attribute, each judge's mean(judge − human mean) with 95% CI, dodged,
/// with a line at zero (no bias).
pub fn bias(data: &BiasData) -> Result<String> {
    render_svg(&Chart::Bias(data), None)
}

/// One estimate, whichever chart it came from.
pub(crate) struct Item<'a> {
    pub(crate) row: &'a str,
    pub(crate) series: &'a str,
    pub(crate) estimate: Option<f64>,
    pub(crate) ci: Option<(f64, f64)>,
    pub(crate) n: usize,
    pub(crate) reason: Option<&'a str>,
    pub(crate) composite: bool,
}

/// What each chart of this layout chooses for itself; [`Spec::new`] derives the rest.
pub(crate) struct Frame {
    pub(crate) x_label: String,
    pub(crate) domain: (f64, f64),
    /// Palette index of the first series: bias starts at 1 so each judge keeps the colour
    /// and marker it has in the forest plot, where series 0 is human–human.
    pub(crate) series_offset: usize,
    pub(crate) column_heading: &'static str,
    pub(crate) fallback: &'static str,
    /// Whether to draw the reference line at 0 (no agreement, no bias).
    pub(crate) zero_line: bool,
}

/// Everything the shared layout needs.
pub(crate) struct Spec<'a> {
    pub(crate) header: Header,
    pub(crate) frame: Frame,
    pub(crate) items: Vec<Item<'a>>,
    pub(crate) rows: Vec<(&'a str, bool)>,
    pub(crate) series_count: usize,
}

impl<'a> Spec<'a> {
    /// The layout of `items` under `title` and `subtitle`: rows and series in the order first
    /// seen, one legend entry per series.
    pub(crate) fn new(
        title: String,
        subtitle: Vec<String>,
        frame: Frame,
        items: Vec<Item<'a>>,
    ) -> Spec<'a> {
        let series = series_order(&items);
        Spec {
            header: Header {
                title,
                subtitle,
                legend: legend(&series, frame.series_offset),
            },
            rows: row_order(&items),
            series_count: series.len(),
            frame,
            items,
        }
    }
}

const MARGIN: i32 = 16;
const STEP: i32 = 20;
const ROW_PAD: i32 = 8;
const AXIS_H: i32 = 70;
const COLUMN_HEAD: i32 = 26;
const MIN_PLOT_W: i32 = 420;
const MAX_NOTE_W: i32 = 380;

/// A NaN or infinite estimate cannot be placed on an axis; it is drawn as "no estimate".
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

fn finite_ci(ci: Option<(f64, f64)>) -> Option<(f64, f64)> {
    ci.filter(|(a, b)| a.is_finite() && b.is_finite())
}

fn series_order<'a>(items: &[Item<'a>]) -> Vec<&'a str> {
    crate::common::distinct(items.iter().map(|i| i.series))
}

fn row_order<'a>(items: &[Item<'a>]) -> Vec<(&'a str, bool)> {
    let mut out: Vec<(&str, bool)> = Vec::new();
    for i in items {
        if !out.iter().any(|(r, _)| *r == i.row) {
            out.push((i.row, i.composite));
        }
    }
    out
}

pub(crate) fn n_line(items: &[Item<'_>]) -> String {
    let ns = items.iter().filter(|i| i.estimate.is_some()).map(|i| i.n);
    let (lo, hi) = ns.fold((usize::MAX, 0), |(lo, hi), n| (lo.min(n), hi.max(n)));
    match (lo, hi) {
        (usize::MAX, _) => "n = 0 estimable".to_string(),
        (lo, hi) if lo == hi => format!("n = {lo} responses per estimate"),
        (lo, hi) => format!("n = {lo}–{hi} responses per estimate"),
    }
}

pub(crate) fn values<'s>(items: &'s [Item<'_>]) -> impl Iterator<Item = f64> + 's {
    items.iter().flat_map(|i| {
        let ci = i.ci.map_or([None, None], |(a, b)| [Some(a), Some(b)]);
        [i.estimate, ci[0], ci[1]]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite())
    })
}

fn legend(series: &[&str], offset: usize) -> Vec<LegendItem> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendItem {
            label: s.to_string(),
            swatch: Swatch::Series(i + offset),
        })
        .collect()
}

/// One item per row of a chart drawn from [`ForestRow`]s; `composites`: whether composite rows
/// get their shaded band.
pub(crate) fn forest_items(rows: &[ForestRow], composites: bool) -> Vec<Item<'_>> {
    rows.iter()
        .map(|r| Item {
            row: &r.label,
            series: &r.series,
            estimate: finite(r.estimate),
            ci: finite_ci(r.ci),
            n: r.n,
            reason: r.reason.as_deref(),
            composite: composites && r.composite,
        })
        .collect()
}

/// The forest plot's layout of `d`.
pub(crate) fn forest_spec(d: &ForestData) -> Spec<'_> {
    let items = forest_items(&d.rows, true);
    let lo = values(&items).fold(-0.2f64, f64::min);
    let hi = values(&items).fold(1.0f64, f64::max);
    let domain = ((lo * 10.0).floor() / 10.0, (hi * 10.0).ceil() / 10.0);
    let mut subtitle = vec![format!("{} with 95% CI · {}", d.metric, n_line(&items))];
    subtitle.extend(d.note.clone());
    let frame = Frame {
        x_label: d.metric.clone(),
        domain,
        series_offset: 0,
        column_heading: "Estimate [95% CI]",
        fallback: "no agreement estimates were supplied",
        zero_line: true,
    };
    let title = format!("Agreement by attribute: {}", d.metric);
    Spec::new(title, subtitle, frame, items)
}

/// The bias plot's layout of `d`.
pub(crate) fn bias_spec(d: &BiasData) -> Spec<'_> {
    let items: Vec<Item> = d
        .rows
        .iter()
        .map(|r| Item {
            row: &r.attribute,
            series: &r.judge,
            estimate: finite(r.mean),
            ci: finite_ci(r.ci),
            n: r.n,
            reason: r.reason.as_deref(),
            composite: false,
        })
        .collect();
    let m = values(&items).fold(0.5f64, |m, v| m.max(v.abs()));
    let m = (m * 1.1 * 4.0).ceil() / 4.0;
    let mut subtitle = vec![format!(
        "Mean with 95% CI · {} · below 0: judge scores lower than humans",
        n_line(&items)
    )];
    subtitle.extend(d.note.clone());
    let frame = Frame {
        x_label: "Judge − human mean (score points)".to_string(),
        domain: (-m, m),
        series_offset: 1,
        column_heading: "Mean [95% CI]",
        fallback: "no judge ratings were supplied",
        zero_line: true,
    };
    let title = "Judge bias by attribute: mean(judge − human mean)".to_string();
    Spec::new(title, subtitle, frame, items)
}

/// The text printed to the right of each estimate.
fn note(i: &Item<'_>) -> String {
    match (i.estimate, i.ci) {
        (Some(e), Some((lo, hi))) => format!(
            "{} [{}, {}]  n = {}",
            format_value(e),
            format_value(lo),
            format_value(hi),
            i.n
        ),
        (Some(e), None) => format!("{}  n = {}", format_value(e), i.n),
        (None, _) => format!("no estimate: {}", i.reason.unwrap_or("not estimable")),
    }
}

fn has_estimate(spec: &Spec<'_>) -> bool {
    spec.items.iter().any(|i| i.estimate.is_some())
}

/// Column widths: (row labels, notes).
fn columns(spec: &Spec<'_>) -> (i32, i32) {
    let label_w = spec
        .rows
        .iter()
        .map(|(r, _)| text_width(r, fs::LABEL))
        .max()
        .unwrap_or(0);
    let note_w = spec
        .items
        .iter()
        .map(|i| text_width(&note(i), fs::SMALL))
        .chain([text_width(spec.frame.column_heading, fs::SMALL)])
        .max()
        .unwrap_or(0)
        .min(MAX_NOTE_W)
        // Rasterised glyphs run a little wider than the font's advance widths.
        + 12;
    (label_w, note_w)
}

fn band_height(spec: &Spec<'_>) -> i32 {
    spec.series_count.max(1) as i32 * STEP + 2 * ROW_PAD
}

pub(crate) fn size(spec: &Spec<'_>) -> (u32, u32) {
    if !has_estimate(spec) {
        return (900, 520);
    }
    let (label_w, note_w) = columns(spec);
    let width = (MARGIN + label_w + 16 + MIN_PLOT_W + 20 + note_w + MARGIN).max(900) as u32;
    let body = COLUMN_HEAD + spec.rows.len() as i32 * band_height(spec) + AXIS_H + MARGIN;
    (width, (spec.header.height(width) + body) as u32)
}

pub(crate) fn draw<DB: DrawingBackend>(spec: &Spec<'_>, root: &DrawingArea<DB, Shift>) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = spec.header.draw(root)?;
    if !has_estimate(spec) {
        let why = no_estimate_line(spec.items.iter().map(|i| i.reason), spec.frame.fallback);
        let detail = format!(
            "{} rows × {} series supplied, none with an estimate",
            spec.rows.len(),
            spec.series_count
        );
        return message(
            root,
            (MARGIN, top),
            (w - MARGIN, h - MARGIN),
            &[why, detail],
        );
    }

    let (label_w, note_w) = columns(spec);
    let plot_x0 = MARGIN + label_w + 16;
    let plot_x1 = (w - MARGIN - note_w - 20).max(plot_x0 + 100);
    let note_x = plot_x1 + 20;
    let band = band_height(spec);
    let rows_top = top + COLUMN_HEAD;
    let rows_bottom = (rows_top + spec.rows.len() as i32 * band).min(h - AXIS_H);
    let scale = Scale {
        d0: spec.frame.domain.0,
        d1: spec.frame.domain.1,
        p0: plot_x0,
        p1: plot_x1,
    };

    let head = (HPos::Left, VPos::Bottom);
    text(
        root,
        spec.frame.column_heading,
        (note_x, rows_top - 6),
        fs::SMALL,
        MUTED,
        head,
    )?;

    for (r, (_, composite)) in spec.rows.iter().enumerate() {
        if *composite {
            let y0 = rows_top + r as i32 * band;
            fill_rect(root, (MARGIN, y0), (w - MARGIN, y0 + band), BAND)?;
        }
    }
    x_axis(root, &scale, rows_bottom, rows_top, &spec.frame.x_label)?;
    if spec.frame.zero_line {
        let zero = scale.px(0.0);
        line(root, (zero, rows_top), (zero, rows_bottom), MUTED, 2)?;
    }

    let series = series_order(&spec.items);
    for (r, (row, _)) in spec.rows.iter().enumerate() {
        let y0 = rows_top + r as i32 * band;
        if r > 0 {
            line(root, (MARGIN, y0), (w - MARGIN, y0), GRID, 1)?;
        }
        let mid = (HPos::Left, VPos::Center);
        text(root, row, (MARGIN, y0 + band / 2), fs::LABEL, INK, mid)?;
        for (s, name) in series.iter().enumerate() {
            let Some(item) = spec
                .items
                .iter()
                .find(|i| i.row == *row && i.series == *name)
            else {
                continue;
            };
            let y = y0 + ROW_PAD + s as i32 * STEP + STEP / 2;
            let color = if item.estimate.is_some() { INK } else { MUTED };
            text(root, &note(item), (note_x, y), fs::SMALL, color, mid)?;
            if let Some((lo, hi)) = item.ci.filter(|_| item.estimate.is_some()) {
                let (a, b) = (scale.px(lo.max(scale.d0)), scale.px(hi.min(scale.d1)));
                let color = crate::common::series_color(s + spec.frame.series_offset);
                line(root, (a, y), (b, y), color, CI_STROKE_WIDTH)?;
            }
            if let Some(e) = item.estimate {
                marker(root, s + spec.frame.series_offset, (scale.px(e), y), 5)?;
            }
        }
    }
    Ok(())
}
