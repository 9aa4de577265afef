//! The one resolver of a selection: which attribute (or group composite), metric, judge and
//! rater pair a chart, the dashboard or the HTML report shows when the caller names them or
//! leaves them out. Every default lives here, so a chart saved from the command line and the
//! same chart on the dashboard show the same thing.
//!
//! Defaults: the report's first attribute, metric ICC2, the first selected judge and the
//! first two selected humans, "first" in the study's rater order.

use concord_stats::report::AttributeReport;
use serde::Serialize;

use crate::charts::Metric;
use crate::{Analysis, ReportError, Result};

/// A choice in one of the dashboard's selectors (an attribute, a composite or a metric).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    /// What a request names it by: attribute key, group name or metric key.
    pub key: String,
    /// What it is shown as.
    pub label: String,
    /// For attributes: whether this is a group composite.
    pub composite: bool,
}

/// The metric named `name` (default ICC2).
pub(crate) fn metric(name: Option<&str>) -> Result<Metric> {
    match name {
        None => Ok(Metric::Icc2),
        Some(name) => Metric::parse(name).ok_or_else(|| ReportError::UnknownMetric {
            name: name.to_string(),
            valid: Metric::names().join(", "),
        }),
    }
}

/// Index of the attribute named `name` (key or label, case-insensitive) among the study's
/// attributes; it must be one the report analysed. Default: the report's first.
pub(crate) fn attribute(a: &Analysis, name: Option<&str>) -> Result<usize> {
    let specs = &a.snapshot.live.ratings.attributes;
    let reported: Vec<usize> = a
        .report
        .attributes
        .iter()
        .filter_map(|r| specs.iter().position(|s| s.key == r.attribute))
        .collect();
    let Some(name) = name else {
        return reported
            .first()
            .copied()
            .ok_or_else(|| ReportError::NoAttribute {
                valid: join(specs.iter().map(|s| s.key.as_str()).collect()),
            });
    };
    let wanted = name.trim();
    reported
        .iter()
        .copied()
        .find(|&i| {
            specs[i].key.eq_ignore_ascii_case(wanted)
                || a.snapshot.labels[i].eq_ignore_ascii_case(wanted)
        })
        .ok_or_else(|| ReportError::UnknownAttribute {
            name: name.to_string(),
            valid: join(reported.iter().map(|&i| specs[i].key.as_str()).collect()),
        })
}

/// The sheet (attribute or group composite) named `name` (key or label, case-insensitive).
/// Default: the report's first attribute.
pub(crate) fn sheet(a: &Analysis, name: Option<&str>) -> Result<Choice> {
    let choices = sheet_choices(a);
    let Some(name) = name else {
        return choices.into_iter().next().ok_or_else(|| {
            let specs = &a.snapshot.live.ratings.attributes;
            ReportError::NoAttribute {
                valid: join(specs.iter().map(|s| s.key.as_str()).collect()),
            }
        });
    };
    let wanted = name.trim();
    let found = choices
        .iter()
        .find(|c| c.key.eq_ignore_ascii_case(wanted) || c.label.eq_ignore_ascii_case(wanted));
    match found {
        Some(choice) => Ok(choice.clone()),
        None => Err(ReportError::UnknownAttribute {
            name: name.to_string(),
            valid: join(choices.iter().map(|c| c.key.as_str()).collect()),
        }),
    }
}

/// Every analysed sheet as a selector choice: the attributes, then the group composites.
pub(crate) fn sheet_choices(a: &Analysis) -> Vec<Choice> {
    sheets(a)
        .into_iter()
        .map(|(r, label, composite)| Choice {
            key: r.attribute.clone(),
            label,
            composite,
        })
        .collect()
}

/// Every analysed sheet with its display label and whether it is a composite.
pub(crate) fn sheets(a: &Analysis) -> Vec<(&AttributeReport, String, bool)> {
    let attributes = a
        .report
        .attributes
        .iter()
        .map(|r| (r, label(a, &r.attribute), false));
    let groups = a
        .report
        .groups
        .iter()
        .map(|r| (r, format!("{} composite", r.attribute), true));
    attributes.chain(groups).collect()
}

/// Display label of an attribute key.
pub(crate) fn label(a: &Analysis, key: &str) -> String {
    a.snapshot
        .live
        .ratings
        .attributes
        .iter()
        .position(|s| s.key == key)
        .map_or_else(|| key.to_string(), |i| a.snapshot.labels[i].clone())
}

/// `names` comma-separated, or "none".
fn join(names: Vec<&str>) -> String {
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

/// Names of the study's raters of one kind, in the study's order.
pub(crate) fn all(a: &Analysis, judges: bool) -> Vec<String> {
    a.snapshot
        .live
        .ratings
        .raters
        .iter()
        .filter(|r| r.is_judge == judges)
        .map(|r| r.name.clone())
        .collect()
}

/// Names of the raters of one kind that the report analysed, in the study's order.
pub(crate) fn selected(a: &Analysis, judges: bool) -> Vec<String> {
    let wanted = if judges {
        &a.report.options.judges
    } else {
        &a.report.options.humans
    };
    all(a, judges)
        .into_iter()
        .filter(|name| wanted.as_ref().is_none_or(|w| w.contains(name)))
        .collect()
}

/// The judge named `name` (default: the first selected), or `None` when no judge is selected.
pub(crate) fn judge(a: &Analysis, name: Option<&str>) -> Result<Option<String>> {
    let judges = selected(a, true);
    match name {
        None => Ok(judges.first().cloned()),
        Some(name) => judges
            .iter()
            .find(|j| *j == name.trim())
            .cloned()
            .map(Some)
            .ok_or_else(|| ReportError::UnknownJudge {
                name: name.to_string(),
                valid: if judges.is_empty() {
                    "none (no LLM judge is selected in this study)".to_string()
                } else {
                    judges.join(", ")
                },
            }),
    }
}

/// The two raters of the confusion matrix (default: the first two selected humans); fewer
/// than two when the study has fewer humans.
pub(crate) fn rater_pair(a: &Analysis, raters: Option<&(String, String)>) -> Result<Vec<String>> {
    let Some((x, y)) = raters else {
        return Ok(selected(a, false).into_iter().take(2).collect());
    };
    let raters = &a.snapshot.live.ratings.raters;
    let mut out = Vec::new();
    for name in [x, y] {
        match raters.iter().find(|r| r.name == name.trim()) {
            Some(r) => out.push(r.name.clone()),
            None => {
                return Err(ReportError::UnknownRater {
                    name: name.clone(),
                    valid: join(raters.iter().map(|r| r.name.as_str()).collect()),
                })
            }
        }
    }
    Ok(out)
}
