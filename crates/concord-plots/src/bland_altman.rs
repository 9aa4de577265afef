//! Bland–Altman plot of one judge against the human mean on one attribute.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use serde::{Deserialize, Serialize};

use crate::common::{
    dashed, de, format_value, fs, line, message, no_estimate_line, text, text_width, x_axis,
    y_axis, DResult, Header, Scale, XorShift, INK, OKABE_ITO,
};
use crate::{render_svg, Chart, Result};

/// Radius of a point; points are the only circles in this chart, so they can be counted.
pub const POINT_RADIUS: i32 = 4;

/// One response: the mean of the two measurements and their difference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BlandAltmanPoint {
    /// (judge + human mean) / 2.
    pub mean: f64,
    /// judge − human mean.
    pub difference: f64,
}

fn default_jitter() -> f64 {
    0.08
}

/// Input of [`bland_altman`]; bias and limits are computed by the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlandAltmanData {
    /// Judge name.
    pub judge: String,
    /// Attribute name.
    pub attribute: String,
    /// One point per response.
    pub points: Vec<BlandAltmanPoint>,
    /// Mean difference (bias).
    pub bias: Option<f64>,
    /// Lower and upper 95% limits of agreement.
    pub limits: Option<(f64, f64)>,
    /// Seed of the jitter, so the same data always draws the same picture.
    pub seed: u64,
    /// Largest jitter, in score points, added to each coordinate to separate ties.
    #[serde(default = "default_jitter")]
    pub jitter: f64,
    /// Why there is no estimate, when `bias` is `None`.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Bland–Altman plot: points (mean, difference) with seeded jitter, the bias line and the
/// upper and lower limits of agreement, each labelled with its value.
pub fn bland_altman(data: &BlandAltmanData) -> Result<String> {
    render_svg(&Chart::BlandAltman(data), None)
}

const MARGIN: i32 = 16;
const LEFT: i32 = 84;
const AXIS_H: i32 = 70;
const LABEL_GAP: i32 = 22;

fn header(d: &BlandAltmanData) -> Header {
    Header {
        title: format!("Bland–Altman: {} vs human mean — {}", d.judge, d.attribute),
        subtitle: vec![format!(
            "n = {} responses · points jittered by up to ±{} (seed {}) to separate ties",
            d.points.len(),
            d.jitter,
            d.seed
        )],
        legend: Vec::new(),
    }
}

fn labels(d: &BlandAltmanData) -> Vec<(String, f64, RGBColor)> {
    let mut out = Vec::new();
    if let Some(b) = d.bias {
        out.push((format!("Bias {}", format_value(b)), b, INK));
    }
    if let Some((lo, hi)) = d.limits {
        out.push((format!("Upper LoA {}", format_value(hi)), hi, OKABE_ITO[5]));
        out.push((format!("Lower LoA {}", format_value(lo)), lo, OKABE_ITO[5]));
    }
    out
}

fn drawable(d: &BlandAltmanData) -> bool {
    d.bias.is_some()
        && d.points
            .iter()
            .any(|p| p.mean.is_finite() && p.difference.is_finite())
}

pub(crate) fn natural_size(_d: &BlandAltmanData) -> (u32, u32) {
    (900, 560)
}

pub(crate) fn draw<DB: DrawingBackend>(
    d: &BlandAltmanData,
    root: &DrawingArea<DB, Shift>,
) -> DResult {
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    let top = header(d).draw(root)?;
    if !drawable(d) {
        let why = no_estimate_line([d.reason.as_deref()], "no paired judge and human ratings");
        return message(root, (MARGIN, top), (w - MARGIN, h - MARGIN), &[why]);
    }
    let finite: Vec<_> = d
        .points
        .iter()
        .filter(|p| p.mean.is_finite() && p.difference.is_finite())
        .collect();
    let labels = labels(d);
    let label_w = labels
        .iter()
        .map(|(s, _, _)| text_width(s, fs::SMALL))
        .max()
        .unwrap_or(0);

    let (xmin, xmax) = finite.iter().fold((f64::MAX, f64::MIN), |(a, b), p| {
        (a.min(p.mean), b.max(p.mean))
    });
    let pad = 0.25 + d.jitter;
    let ys = finite
        .iter()
        .map(|p| p.difference)
        .chain(labels.iter().map(|l| l.1));
    let (ymin, ymax) = ys.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let ypad = ((ymax - ymin) * 0.08).max(0.25) + d.jitter;

    let x = Scale {
        d0: xmin - pad,
        d1: xmax + pad,
        p0: MARGIN + LEFT,
        p1: w - MARGIN - label_w - 16,
    };
    let y = Scale {
        d0: ymin - ypad,
        d1: ymax + ypad,
        p0: h - AXIS_H,
        p1: top + 8,
    };
    x_axis(
        root,
        &x,
        y.p0,
        y.p1,
        "Mean of judge and human mean (score points)",
    )?;
    y_axis(root, &y, x.p0, x.p1, "Judge − human mean")?;

    let mut rng = XorShift::new(d.seed);
    let style = OKABE_ITO[4].mix(0.55).filled();
    for p in &finite {
        let jx = p.mean + rng.symmetric(d.jitter);
        let jy = p.difference + rng.symmetric(d.jitter);
        root.draw(&Circle::new((x.px(jx), y.px(jy)), POINT_RADIUS, style))
            .map_err(de)?;
    }

    // Lines, then their labels in the right margin, pushed apart so they never overlap.
    let mut placed: Vec<(i32, &(String, f64, RGBColor))> = Vec::new();
    for l in &labels {
        let py = y.px(l.1);
        if l.0.starts_with("Bias") {
            line(root, (x.p0, py), (x.p1, py), l.2, 2)?;
        } else {
            dashed(root, (x.p0, py), (x.p1, py), l.2, 2)?;
        }
        placed.push((py, l));
    }
    placed.sort_by_key(|(py, _)| *py);
    for i in 1..placed.len() {
        if placed[i].0 - placed[i - 1].0 < LABEL_GAP {
            placed[i].0 = placed[i - 1].0 + LABEL_GAP;
        }
    }
    for (py, (s, _, c)) in placed {
        text(
            root,
            s,
            (x.p1 + 8, py),
            fs::SMALL,
            *c,
            (HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}
