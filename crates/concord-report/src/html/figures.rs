//! The report's figures, drawn by the same chart code as the dashboard.

use std::fmt::Write as _;

use concord_stats::report::AttributeReport;

use super::cells::esc;
use super::MAIN_METRIC;
use crate::charts::ChartData;
use crate::selection;
use crate::{Analysis, Result};

fn figure(h: &mut String, n: &mut usize, data: &ChartData, caption: &str) -> Result<()> {
    *n += 1;
    let svg = concord_plots::render_svg(&data.as_chart(), None)?;
    let _ = write!(
        h,
        "<figure id=\"figure-{n}\">\n{svg}\n<figcaption><b>Figure {n}.</b> {}. {caption}</figcaption>\n</figure>\n",
        esc(&data.title()),
    );
    Ok(())
}

pub(super) fn figures(h: &mut String, a: &Analysis) -> Result<()> {
    use crate::ChartRequest;
    h.push_str("<h2>Figures</h2>\n");
    let mut n = 0;
    let req = |chart: &str| ChartRequest {
        chart: chart.to_string(),
        metric: Some(MAIN_METRIC.key().to_string()),
        ..ChartRequest::default()
    };
    let first: Option<&AttributeReport> = a.report.attributes.first();
    figure(
        h,
        &mut n,
        &a.chart(&req("forest"))?,
        "Points are estimates, bars their 95% CIs; shaded rows are group composites.",
    )?;
    if !selection::selected(a, true).is_empty() {
        figure(
            h,
            &mut n,
            &a.chart(&req("heatmap"))?,
            "Cells print the estimate; “–” means no estimate.",
        )?;
        figure(
            h,
            &mut n,
            &a.chart(&req("bias"))?,
            "Below zero the judge scores lower than the humans.",
        )?;
        if let Some(first) = first {
            for judge in selection::selected(a, true) {
                let request = ChartRequest {
                    attribute: Some(first.attribute.clone()),
                    judge: Some(judge),
                    ..req("bland-altman")
                };
                figure(
                    h,
                    &mut n,
                    &a.chart(&request)?,
                    "Lines: the bias and the 95% limits of agreement, as in the judge tables.",
                )?;
            }
        }
    }
    for r in &a.report.attributes {
        let request = ChartRequest {
            attribute: Some(r.attribute.clone()),
            ..req("distribution")
        };
        figure(
            h,
            &mut n,
            &a.chart(&request)?,
            "Counts of ratings at each scale point.",
        )?;
    }
    if first.is_some() {
        figure(
            h,
            &mut n,
            &a.chart(&req("confusion"))?,
            "Responses rated by both raters, by the pair of scores they gave.",
        )?;
    }
    figure(
        h,
        &mut n,
        &a.chart(&req("progress"))?,
        "Responses count towards coverage once a human rater has rated every attribute.",
    )?;
    Ok(())
}
