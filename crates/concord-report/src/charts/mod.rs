//! From an `AgreementReport` (and the study's ratings, for plot points) to each chart's input.
//!
//! The mapping is documented in the crate docs ("Chart mapping"). `metric.rs` is the forest
//! plot's metric, `agreement.rs` the charts read from the report's estimates (forest, heatmap,
//! bias), `counts.rs` those drawn from the ratings themselves (Bland–Altman points,
//! distribution, confusion, progress).

mod agreement;
mod counts;
mod metric;

use concord_plots::{
    BiasData, BlandAltmanData, Chart, ConfusionData, DistributionData, ForestData, HeatmapData,
    ModelScoresData, ProgressData,
};

use crate::selection;
use crate::{Analysis, ChartRequest, ReportError, Result};
use agreement::{bias, forest, heatmap};
use counts::{bland_altman, confusion, distribution, progress};
pub use metric::Metric;

/// Series name of the human–human estimates in the forest plot.
pub const HUMAN_SERIES: &str = "Humans";

/// Largest Bland–Altman jitter in score points (the chart's default), to separate ties.
pub const JITTER: f64 = 0.08;

/// Label of the judge metric shown in the forest plot and the heatmap.
pub(crate) const JUDGE_METRIC: &str = "ICC(A,1)";

/// The input of one chart, owning its data; [`ChartData::as_chart`] lends it to `concord_plots`.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartData {
    /// Forest plot input.
    Forest(ForestData),
    /// Heatmap input.
    Heatmap(HeatmapData),
    /// Judge-bias input.
    Bias(BiasData),
    /// Bland–Altman input.
    BlandAltman(BlandAltmanData),
    /// Score-distribution input.
    Distribution(DistributionData),
    /// Confusion-matrix input.
    Confusion(ConfusionData),
    /// Progress input.
    Progress(ProgressData),
    /// Model-scores input (PPI++ with one judge).
    ModelScores(ModelScoresData),
}

impl ChartData {
    /// The data as a `concord_plots::Chart`, ready for `render_svg`/`render_png`.
    pub fn as_chart(&self) -> Chart<'_> {
        match self {
            ChartData::Forest(d) => Chart::Forest(d),
            ChartData::Heatmap(d) => Chart::Heatmap(d),
            ChartData::Bias(d) => Chart::Bias(d),
            ChartData::BlandAltman(d) => Chart::BlandAltman(d),
            ChartData::Distribution(d) => Chart::Distribution(d),
            ChartData::Confusion(d) => Chart::Confusion(d),
            ChartData::Progress(d) => Chart::Progress(d),
            ChartData::ModelScores(d) => Chart::ModelScores(d),
        }
    }

    /// The chart's name, one of `concord_plots::chart_names()`.
    pub fn name(&self) -> &'static str {
        self.as_chart().name()
    }

    /// A one-line title for lists, save dialogs and figure captions.
    pub fn title(&self) -> String {
        match self {
            ChartData::Forest(d) => format!("Agreement by attribute: {}", d.metric),
            ChartData::Heatmap(d) => format!("Judges by attribute: {}", d.metric),
            ChartData::Bias(_) => "Judge bias by attribute: mean(judge − human mean)".to_string(),
            ChartData::BlandAltman(d) => {
                format!("Bland–Altman: {} vs human mean — {}", d.judge, d.attribute)
            }
            ChartData::Distribution(d) => format!("Score distribution — {}", d.attribute),
            ChartData::Confusion(d) => {
                format!(
                    "Confusion matrix: {} × {} — {}",
                    d.rater_a, d.rater_b, d.attribute
                )
            }
            ChartData::Progress(_) => "Rating progress".to_string(),
            ChartData::ModelScores(d) => {
                format!("Model scores: {} — judge {}", d.attribute, d.judge)
            }
        }
    }
}

/// The chart input asked for by `request`.
pub(crate) fn build(a: &Analysis, request: &ChartRequest) -> Result<ChartData> {
    let name = request.chart.trim().to_ascii_lowercase();
    let metric = || selection::metric(request.metric.as_deref());
    let attribute = || selection::attribute(a, request.attribute.as_deref());
    Ok(match name.as_str() {
        "forest" => ChartData::Forest(forest(a, metric()?)),
        "heatmap" => ChartData::Heatmap(heatmap(a, metric()?)),
        "bias" => ChartData::Bias(bias(a)),
        "bland-altman" => {
            let attribute = attribute()?;
            let judge = selection::judge(a, request.judge.as_deref())?;
            ChartData::BlandAltman(bland_altman(a, attribute, judge.as_deref()))
        }
        "distribution" => ChartData::Distribution(distribution(a, attribute()?)),
        "confusion" => {
            let attribute = attribute()?;
            let raters = selection::rater_pair(a, request.raters.as_ref())?;
            ChartData::Confusion(confusion(a, attribute, raters))
        }
        "progress" => ChartData::Progress(progress(a)),
        "model-scores" => {
            let attribute = attribute()?;
            let judge = selection::judge(a, request.judge.as_deref())?;
            ChartData::ModelScores(crate::score_chart::model_scores(
                a,
                attribute,
                judge.as_deref(),
            )?)
        }
        _ => {
            return Err(ReportError::UnknownChart {
                name: request.chart.clone(),
                valid: concord_plots::chart_names().join(", "),
            })
        }
    })
}
