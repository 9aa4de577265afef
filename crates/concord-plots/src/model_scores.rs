//! Model scores: per model, the mean score by each estimator (human only, PPI++, judge only)
//! with its 95% interval, drawn on the forest plot's dot-and-whisker layout.

use serde::{Deserialize, Serialize};

use crate::dot_whisker::{forest_items, n_line, values, Frame, Spec};
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

/// The dot-and-whisker layout of `d`.
pub(crate) fn spec(d: &ModelScoresData) -> Spec<'_> {
    // No composite rows here: a model is never a group composite.
    let items = forest_items(&d.rows, false);
    let lo = values(&items).fold(d.scale.0, f64::min);
    let hi = values(&items).fold(d.scale.1, f64::max);
    // The scale's own ends, widened to whole points only if an interval leaves it.
    let domain = (lo.floor(), hi.ceil());
    let mut subtitle = vec![format!(
        "Mean score with 95% CI · judge {} · {}",
        d.judge,
        n_line(&items)
    )];
    subtitle.extend(d.note.clone());
    let frame = Frame {
        x_label: format!("Mean {} score", d.attribute),
        domain,
        series_offset: 0,
        column_heading: "Mean [95% CI]",
        fallback: "no model has human and judge scores",
        zero_line: false,
    };
    Spec::new(
        format!("Model scores — {}", d.attribute),
        subtitle,
        frame,
        items,
    )
}
