//! The "Model scores" chart: one judge's PPI++ model means next to the human-only and
//! judge-only means, per model, for one attribute — the numbers of `concord estimate`
//! (`estimates::estimate`, weighted by the study's sampling rounds where it has any), drawn
//! with the forest plot's dot-and-whisker layout.

use concord_plots::{ForestRow, ModelScoresData};
use concord_stats::ppi::MeanCi;

use crate::{Analysis, Result};

/// Error level of the chart's intervals (95%, as `concord estimate`'s default).
pub(crate) const ALPHA: f64 = 0.05;

/// Series names, in drawing order.
pub(crate) const HUMAN_ONLY: &str = "Human only";
/// PPI++ series.
pub(crate) const PPI_PLUS: &str = "PPI++";
/// Judge-only series: carries the judge's bias, so it says so.
pub(crate) const JUDGE_ONLY: &str = "Judge only (biased)";

fn row(model: &str, series: &str, m: &MeanCi, n: usize) -> ForestRow {
    ForestRow {
        label: model.to_string(),
        series: series.to_string(),
        estimate: m.value,
        ci: m.ci95.map(|[lo, hi]| (lo, hi)),
        n,
        reason: m
            .value
            .is_none()
            .then(|| m.reason.clone().unwrap_or_else(|| "not estimable".into())),
        composite: false,
    }
}

/// The chart input for `judge` (none: a chart that says so) on attribute index `attribute`.
pub(crate) fn model_scores(
    a: &Analysis,
    attribute: usize,
    judge: Option<&str>,
) -> Result<ModelScoresData> {
    let data = &a.snapshot.live.ratings;
    let spec = &data.attributes[attribute];
    let mut out = ModelScoresData {
        judge: judge.unwrap_or("none").to_string(),
        attribute: a.snapshot.labels[attribute].clone(),
        scale: (spec.scale_min as f64, spec.scale_max as f64),
        rows: Vec::new(),
        note: Some(
            "PPI++ corrects the judge's scores with the human ratings; judge-only means keep the judge's bias and have no interval"
                .to_string(),
        ),
    };
    let Some(judge) = judge else {
        out.note = Some("no LLM judge is selected in this study".to_string());
        return Ok(out);
    };
    let set = crate::estimates::estimate(
        data,
        &a.snapshot.rounds,
        judge,
        std::slice::from_ref(&spec.key),
        ALPHA,
    )?;
    if let Some(rounds) = set.active_rounds {
        out.note = Some(format!(
            "PPI++ weights each human rating by 1/π over {rounds} sampling round(s) (concord next); human-only is unweighted; judge-only is biased"
        ));
    }
    for e in &set.estimates {
        let all = e.n_labelled + e.n_unlabelled;
        out.rows
            .push(row(&e.model, HUMAN_ONLY, &e.human_only, e.n_labelled));
        out.rows.push(row(&e.model, PPI_PLUS, &e.ppi_plus, all));
        let judge_only = MeanCi {
            value: e.judge_only.value,
            reason: e
                .judge_only
                .value
                .is_none()
                .then(|| "the judge scored none of this model's responses".to_string()),
            ..MeanCi::default()
        };
        out.rows.push(row(&e.model, JUDGE_ONLY, &judge_only, all));
    }
    Ok(out)
}
