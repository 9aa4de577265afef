//! The charts read from the report's estimates: forest, heatmap and judge bias.

use concord_plots::{BiasData, BiasRow, ForestData, ForestRow, HeatmapCell, HeatmapData};
use concord_stats::report::Unit;
use concord_stats::Estimate;

use super::{Metric, HUMAN_SERIES, JUDGE_METRIC};
use crate::selection::{selected, sheets};
use crate::Analysis;

fn ci(e: &Estimate) -> Option<(f64, f64)> {
    e.ci95.map(|[lo, hi]| (lo, hi))
}

fn reason(e: &Estimate) -> Option<String> {
    match e.value {
        Some(_) => None,
        None => Some(e.reason.clone().unwrap_or_else(|| "not estimable".into())),
    }
}

pub(super) fn forest(a: &Analysis, metric: Metric) -> ForestData {
    let mut rows = Vec::new();
    let mut by_reml = Vec::new();
    for (r, label, composite) in sheets(a) {
        let (e, reml) = metric.headline_estimate(&r.humans);
        let n = if reml {
            e.n.unwrap_or(r.humans.icc_reml.n_targets)
        } else {
            metric.human_n(&r.humans)
        };
        if reml {
            by_reml.push(label.clone());
        }
        rows.push(ForestRow {
            label: label.clone(),
            series: HUMAN_SERIES.to_string(),
            estimate: e.value,
            ci: ci(e),
            n,
            reason: reason(e),
            composite,
        });
        if metric.is_icc() {
            for j in &r.judges {
                let e = &j.agreement.icc.icc_a1;
                rows.push(ForestRow {
                    label: label.clone(),
                    series: j.judge.clone(),
                    estimate: e.value,
                    ci: ci(e),
                    n: e.n.unwrap_or(j.n_targets),
                    reason: reason(e),
                    composite,
                });
            }
        }
    }
    let humans = selected(a, false).len();
    let judges = if metric.is_icc() {
        format!("judges: {JUDGE_METRIC} of each judge vs the human mean")
    } else {
        "judges not shown: α is not computed for a judge vs the human mean (see the ICC forest)"
            .to_string()
    };
    ForestData {
        metric: metric.label().to_string(),
        rows,
        note: Some(format!(
            "{HUMAN_SERIES}: {} among {humans} human raters{}; {judges}",
            metric.key(),
            reml_note(&by_reml)
        )),
    }
}

/// Which forest rows show the REML form, for the chart's note.
fn reml_note(labels: &[String]) -> String {
    match labels.len() {
        0 => String::new(),
        1 => format!(
            " (REML on every rating for {}, where some responses miss a rater)",
            labels[0]
        ),
        n => format!(" (REML on every rating for {n} rows where some responses miss a rater)"),
    }
}

pub(super) fn heatmap(a: &Analysis, metric: Metric) -> HeatmapData {
    let mut cells = Vec::new();
    for (r, label, _) in sheets(a) {
        for j in &r.judges {
            let e = &j.agreement.icc.icc_a1;
            cells.push(HeatmapCell {
                attribute: label.clone(),
                judge: j.judge.clone(),
                value: e.value,
                n: e.n.unwrap_or(j.n_targets),
                reason: reason(e),
            });
        }
    }
    let note = if metric.is_icc() {
        "Each judge against the mean of the human raters, per response".to_string()
    } else {
        format!(
            "{} is not computed for a judge vs the human mean; cells show {JUDGE_METRIC}",
            metric.label()
        )
    };
    HeatmapData {
        metric: format!("{JUDGE_METRIC} judge vs human mean"),
        cells,
        domain: None,
        note: Some(note),
    }
}

pub(super) fn bias(a: &Analysis) -> BiasData {
    let mut rows = Vec::new();
    for (r, label, _) in sheets(a) {
        for j in &r.judges {
            rows.push(BiasRow {
                attribute: label.clone(),
                judge: j.judge.clone(),
                mean: j.agreement.bias.value,
                ci: ci(&j.agreement.bias),
                n: j.agreement.bias.n.unwrap_or(j.n_targets),
                reason: reason(&j.agreement.bias),
            });
        }
    }
    let note = match a.report.options.unit {
        Unit::Response => None,
        Unit::Model => Some("Unit: model means (bootstrap CIs)".to_string()),
    };
    BiasData { rows, note }
}
