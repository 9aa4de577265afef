//! Model scores: per model, the mean score by each estimator (human only, PPI++, judge only)
//! with its 95% interval, drawn on the forest plot's dot-and-whisker layout.

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::common::{DResult, Header};
use crate::dot_whisker::{
    draw, finite, finite_ci, legend, n_line, row_order, series_order, size, values, Item, Spec,
};
use crate::{render_svg, Chart, ForestRow, Result};

/// Input of [`model_scores`]: one [`ForestRow`] per model (`label`) and estimator (`series`),
/// models top to bottom, estimators in the order first seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelScoresData {
    /// The judge whose scores the PPI++ and judge-only means use.
    pub judge: String,
    /// The attribute scored.
    pub attribute: String,
    /// The attribute's scale (lowest, highest point): the axis spans at least this.
    pub scale: (f64, f64),
    /// The estimates.
    pub rows: Vec<ForestRow>,
    /// Optional extra subtitle line.
    #[serde(default)]
    pub note: Option<String>,
}

/// Model scores: each model's mean score by each estimator, with 95% CI whiskers.
pub fn model_scores(data: &ModelScoresData) -> Result<String> {
    render_svg(&Chart::ModelScores(data), None)
}

fn spec(d: &ModelScoresData) -> Spec<'_> {
    let items: Vec<Item> = d
        .rows
        .iter()
        .map(|r| Item {
            row: &r.label,
            series: &r.series,
            estimate: finite(r.estimate),
            ci: finite_ci(r.ci),
            n: r.n,
            reason: r.reason.as_deref(),
            composite: false,
        })
        .collect();
    let lo = values(&items).fold(d.scale.0, f64::min);
    let hi = values(&items).fold(d.scale.1, f64::max);
    // The scale's own ends, widened to whole points only if an interval leaves it.
    let domain = (lo.floor(), hi.ceil());
    let series = series_order(&items);
    let mut subtitle = vec![format!(
        "Mean score with 95% CI · judge {} · {}",
        d.judge,
        n_line(&items)
    )];
    subtitle.extend(d.note.clone());
    Spec {
        header: Header {
            title: format!("Model scores — {}", d.attribute),
            subtitle,
            legend: legend(&series, 0),
        },
        x_label: format!("Mean {} score", d.attribute),
        domain,
        rows: row_order(&items),
        series_count: series.len(),
        series_offset: 0,
        column_heading: "Mean [95% CI]",
        items,
        fallback: "no model has human and judge scores",
        zero_line: false,
    }
}

pub(crate) fn natural_size(d: &ModelScoresData) -> (u32, u32) {
    size(&spec(d))
}

pub(crate) fn draw_model_scores<DB: DrawingBackend>(
    d: &ModelScoresData,
    root: &DrawingArea<DB, Shift>,
) -> DResult {
    draw(&spec(d), root)
}
