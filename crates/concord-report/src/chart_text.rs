//! The words and numbers behind each chart, for readers who cannot see it (WCAG 1.1.1): a
//! one-paragraph text alternative and a "Show data" table holding every number the chart draws.
//! Both are read from the chart's own input, so they cannot disagree with the picture.

use concord_plots::{ForestRow, RaterKind};
use serde::Serialize;

use crate::charts::ChartData;

/// The numbers behind a chart as a plain table (every cell already formatted).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DataTable {
    /// What the table holds, shown as its caption.
    pub caption: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells, one per column; the first cell names the row.
    pub rows: Vec<Vec<String>>,
}

/// Bland–Altman points listed one by one up to this many; beyond it the table gives the
/// summary lines only (a dashboard table of thousands of rows helps no one).
pub const MAX_POINT_ROWS: usize = 200;

/// Three decimals with a true minus sign, as the dashboard's table prints estimates.
pub(crate) fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".to_string()
    } else {
        s.replace('-', "−")
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), num)
}

fn interval(ci: Option<(f64, f64)>) -> String {
    ci.map_or_else(
        || "—".to_string(),
        |(lo, hi)| format!("{}, {}", num(lo), num(hi)),
    )
}

fn estimate_rows(rows: &[ForestRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.label.clone(),
                r.series.clone(),
                opt(r.estimate),
                interval(r.ci),
                r.n.to_string(),
                r.reason.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The estimated rows' range as "from X (label) to Y (label)".
fn range_text<'a>(rows: impl Iterator<Item = (&'a str, Option<f64>)>) -> Option<String> {
    let est: Vec<(&str, f64)> = rows.filter_map(|(l, v)| v.map(|v| (l, v))).collect();
    let lo = est.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = est.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(format!(
        "from {} ({}) to {} ({})",
        num(lo.1),
        lo.0,
        num(hi.1),
        hi.0
    ))
}

impl ChartData {
    /// Every number the chart draws, as a table.
    pub fn data_table(&self) -> DataTable {
        let estimate_columns = |first: &str, series: &str| {
            strings(&[first, series, "Estimate", "95% CI", "n", "Why missing"])
        };
        match self {
            ChartData::Forest(d) => DataTable {
                caption: format!("{} by attribute, with 95% CI and n", d.metric),
                columns: estimate_columns("Attribute", "Raters"),
                rows: estimate_rows(&d.rows),
            },
            ChartData::ModelScores(d) => DataTable {
                caption: format!(
                    "Mean {} score per model: human only, PPI++ with {} and judge only",
                    d.attribute, d.judge
                ),
                columns: estimate_columns("Model", "Estimator"),
                rows: estimate_rows(&d.rows),
            },
            ChartData::Heatmap(d) => DataTable {
                caption: d.metric.clone(),
                columns: strings(&["Attribute", "Judge", "Estimate", "n", "Why missing"]),
                rows: d
                    .cells
                    .iter()
                    .map(|c| {
                        vec![
                            c.attribute.clone(),
                            c.judge.clone(),
                            opt(c.value),
                            c.n.to_string(),
                            c.reason.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            },
            ChartData::Bias(d) => DataTable {
                caption: "Mean judge − human mean, score points, with 95% CI".to_string(),
                columns: estimate_columns("Attribute", "Judge"),
                rows: d
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.attribute.clone(),
                            r.judge.clone(),
                            opt(r.mean),
                            interval(r.ci),
                            r.n.to_string(),
                            r.reason.clone().unwrap_or_default(),
                        ]
                    })
                    .collect(),
            },
            ChartData::BlandAltman(d) => {
                let n = d.points.len();
                let mut rows = vec![
                    vec!["Bias".to_string(), opt(d.bias)],
                    vec![
                        "Lower limit of agreement".to_string(),
                        opt(d.limits.map(|l| l.0)),
                    ],
                    vec![
                        "Upper limit of agreement".to_string(),
                        opt(d.limits.map(|l| l.1)),
                    ],
                    vec!["Pairs drawn".to_string(), n.to_string()],
                ];
                if n <= MAX_POINT_ROWS {
                    rows.extend(d.points.iter().enumerate().map(|(i, p)| {
                        vec![
                            format!("Pair {}: mean, difference", i + 1),
                            format!("{}, {}", num(p.mean), num(p.difference)),
                        ]
                    }));
                }
                let points = if n <= MAX_POINT_ROWS {
                    "and each pair's (mean, difference) before jitter"
                } else {
                    "(the pairs themselves are not listed above 200)"
                };
                DataTable {
                    caption: format!(
                        "{} vs human mean on {}: bias and limits {points}",
                        d.judge, d.attribute
                    ),
                    columns: strings(&["Quantity", "Value"]),
                    rows,
                }
            }
            ChartData::Distribution(d) => {
                let mut columns = vec!["Rater".to_string(), "Kind".to_string()];
                columns.extend(d.scale.iter().map(|s| format!("Score {s}")));
                DataTable {
                    caption: format!("Ratings at each score point on {}", d.attribute),
                    columns,
                    rows: d
                        .raters
                        .iter()
                        .map(|r| {
                            let kind = match r.kind {
                                RaterKind::Human => "human",
                                RaterKind::Judge => "judge",
                            };
                            let mut row = vec![r.rater.clone(), kind.to_string()];
                            row.extend(r.counts.iter().map(|c| c.to_string()));
                            row
                        })
                        .collect(),
                }
            }
            ChartData::Confusion(d) => {
                let mut columns = vec![format!("{} ↓ / {} →", d.rater_a, d.rater_b)];
                columns.extend(d.scale.iter().map(|s| s.to_string()));
                DataTable {
                    caption: format!(
                        "Responses by {}'s score (rows) and {}'s score (columns) on {}",
                        d.rater_a, d.rater_b, d.attribute
                    ),
                    columns,
                    rows: d
                        .scale
                        .iter()
                        .zip(&d.counts)
                        .map(|(s, counts)| {
                            let mut row = vec![s.to_string()];
                            row.extend(counts.iter().map(|c| c.to_string()));
                            row
                        })
                        .collect(),
                }
            }
            ChartData::Progress(d) => {
                let mut rows: Vec<Vec<String>> = d
                    .raters
                    .iter()
                    .map(|r| {
                        vec![
                            r.rater.clone(),
                            format!("{} of {} responses done", r.done, r.assigned),
                        ]
                    })
                    .collect();
                rows.extend(d.coverage.iter().map(|c| {
                    vec![
                        format!("Responses rated by {} human(s)", c.ratings),
                        c.responses.to_string(),
                    ]
                }));
                DataTable {
                    caption: format!(
                        "Progress per human rater, and responses by number of human raters (target {})",
                        d.overlap_target
                    ),
                    columns: strings(&["", "Count"]),
                    rows,
                }
            }
        }
    }

    /// A short text alternative: what the chart shows and its main numbers; the full numbers
    /// are in [`ChartData::data_table`].
    pub fn alt_text(&self) -> String {
        let title = self.title();
        let body = match self {
            ChartData::Forest(d) => {
                let mut series: Vec<String> = Vec::new();
                for r in &d.rows {
                    if !series.contains(&r.series) {
                        series.push(r.series.clone());
                    }
                }
                let parts: Vec<String> = series
                    .iter()
                    .filter_map(|s| {
                        let rows = d.rows.iter().filter(|r| &r.series == s);
                        range_text(rows.map(|r| (r.label.as_str(), r.estimate)))
                            .map(|t| format!("{s} {t}"))
                    })
                    .collect();
                if parts.is_empty() {
                    "No estimate could be made.".to_string()
                } else {
                    format!("Estimates range: {}.", parts.join("; "))
                }
            }
            ChartData::ModelScores(d) => {
                let models = d.rows.iter().filter(|r| r.series == "PPI++").count();
                match range_text(
                    d.rows
                        .iter()
                        .filter(|r| r.series == "PPI++")
                        .map(|r| (r.label.as_str(), r.estimate)),
                ) {
                    // The note says how PPI++ was computed (uniform or weighted by the rounds).
                    Some(t) => format!(
                        "{models} models; PPI++ means range {t}. Human-only and judge-only means are drawn beside each.{}",
                        d.note.as_ref().map(|n| format!(" {n}.")).unwrap_or_default()
                    ),
                    None => d
                        .note
                        .clone()
                        .unwrap_or_else(|| "No model could be scored.".to_string()),
                }
            }
            ChartData::Heatmap(d) => {
                range_text(d.cells.iter().map(|c| (c.judge.as_str(), c.value))).map_or_else(
                    || "No estimate could be made.".to_string(),
                    |t| format!("{} cells; values range {t}.", d.cells.len()),
                )
            }
            ChartData::Bias(d) => range_text(d.rows.iter().map(|r| (r.judge.as_str(), r.mean)))
                .map_or_else(
                    || "No estimate could be made.".to_string(),
                    |t| format!("Mean differences range {t} score points."),
                ),
            ChartData::BlandAltman(d) => match (d.bias, d.limits) {
                (Some(b), Some((lo, hi))) => format!(
                    "{} pairs; bias {}, 95% limits of agreement {} to {} score points.",
                    d.points.len(),
                    num(b),
                    num(lo),
                    num(hi)
                ),
                _ => format!(
                    "No limits of agreement: {}.",
                    d.reason.as_deref().unwrap_or("not estimable")
                ),
            },
            ChartData::Distribution(d) => {
                let total: Vec<String> = d
                    .raters
                    .iter()
                    .map(|r| format!("{} {}", r.rater, r.counts.iter().sum::<usize>()))
                    .collect();
                format!(
                    "Ratings per rater on a {}–{} scale: {}.",
                    d.scale.first().copied().unwrap_or_default(),
                    d.scale.last().copied().unwrap_or_default(),
                    and_list(&total)
                )
            }
            ChartData::Confusion(d) => {
                let n: usize = d.counts.iter().flatten().sum();
                let same: usize = d
                    .counts
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| r.get(i))
                    .sum();
                format!("{n} responses rated by both; {same} with the same score.")
            }
            ChartData::Progress(d) => {
                let done: Vec<String> = d
                    .raters
                    .iter()
                    .map(|r| format!("{} {} of {}", r.rater, r.done, r.assigned))
                    .collect();
                if done.is_empty() {
                    "No human rater has assignments.".to_string()
                } else {
                    format!("Responses done: {}.", and_list(&done))
                }
            }
        };
        format!("{title}. {body} Every number is in the chart's data table.")
    }
}
