//! The charts drawn from the ratings themselves: Bland–Altman points, score distributions, the
//! confusion matrix and progress (counts and means for plot points, no statistic).

use std::collections::BTreeMap;

use concord_plots::{
    BlandAltmanData, BlandAltmanPoint, ConfusionData, CoverageBin, DistributionData, ProgressData,
    RaterCounts, RaterKind,
};
use concord_stats::report::Unit;

use super::JITTER;
use crate::selection::selected;
use crate::Analysis;

/// One attribute's ratings as a targets × raters grid (last observation wins, as in the report).
fn grid(a: &Analysis, attribute: usize) -> Vec<Option<f64>> {
    let d = &a.snapshot.live.ratings;
    let (nt, nr) = (d.targets.len(), d.raters.len());
    let mut cells = vec![None; nt * nr];
    for o in &d.ratings {
        if o.attribute == attribute && o.target < nt && o.rater < nr && o.value.is_finite() {
            cells[o.target * nr + o.rater] = Some(o.value);
        }
    }
    cells
}

fn rater_index(a: &Analysis, name: &str) -> Option<usize> {
    a.snapshot
        .live
        .ratings
        .raters
        .iter()
        .position(|r| r.name == name)
}

/// The (judge, human mean) pairs the report used for `judge` on `attribute`.
pub(crate) fn paired_points(a: &Analysis, attribute: usize, judge: &str) -> Vec<BlandAltmanPoint> {
    let d = &a.snapshot.live.ratings;
    let nr = d.raters.len();
    let Some(j) = rater_index(a, judge) else {
        return Vec::new();
    };
    let humans: Vec<usize> = selected(a, false)
        .iter()
        .filter_map(|h| rater_index(a, h))
        .collect();
    let own = a.report.options.exclude_own.get(judge);
    let cells = grid(a, attribute);
    let mut pairs: Vec<(&str, f64, f64)> = Vec::new();
    for (t, target) in d.targets.iter().enumerate() {
        let row = &cells[t * nr..(t + 1) * nr];
        let Some(x) = row[j] else { continue };
        let (sum, count) = humans
            .iter()
            .filter_map(|&h| row[h])
            .fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
        if count == 0 || own.is_some_and(|ms| ms.contains(&target.model)) {
            continue;
        }
        pairs.push((target.model.as_str(), x, sum / count as f64));
    }
    if a.report.options.unit == Unit::Model {
        let mut by_model: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
        for (m, x, y) in pairs {
            let e = by_model.entry(m).or_default();
            e.0 += x;
            e.1 += y;
            e.2 += 1.0;
        }
        pairs = by_model
            .into_iter()
            .map(|(m, (x, y, c))| (m, x / c, y / c))
            .collect();
    }
    pairs
        .into_iter()
        .map(|(_, x, y)| BlandAltmanPoint {
            mean: (x + y) / 2.0,
            difference: x - y,
        })
        .collect()
}

pub(crate) fn bland_altman(a: &Analysis, attribute: usize, judge: Option<&str>) -> BlandAltmanData {
    let key = &a.snapshot.live.ratings.attributes[attribute].key;
    let mut data = BlandAltmanData {
        judge: judge.unwrap_or("no judge").to_string(),
        attribute: a.snapshot.labels[attribute].clone(),
        points: Vec::new(),
        bias: None,
        limits: None,
        seed: a.report.options.bootstrap_seed,
        jitter: JITTER,
        reason: Some("no LLM judge is selected in this study".to_string()),
    };
    let Some(judge) = judge else { return data };
    let report = a
        .report
        .attributes
        .iter()
        .find(|r| &r.attribute == key)
        .and_then(|r| r.judges.iter().find(|j| j.judge == judge));
    let Some(j) = report else {
        data.reason = Some("the judge is not in the report".to_string());
        return data;
    };
    let ba = &j.agreement.bland_altman;
    data.points = paired_points(a, attribute, judge);
    data.bias = ba.bias;
    data.limits = ba.loa.map(|[lo, hi]| (lo, hi));
    data.reason = ba.bias.is_none().then(|| {
        ba.reason
            .clone()
            .or_else(|| j.agreement.bias.reason.clone())
            .unwrap_or_else(|| "not estimable".to_string())
    });
    data
}

fn scale(a: &Analysis, attribute: usize) -> Vec<i32> {
    let s = &a.snapshot.live.ratings.attributes[attribute];
    (s.scale_min..=s.scale_max).map(|v| v as i32).collect()
}

/// Position of `value` on `scale`, if it is one of its points.
fn slot(scale: &[i32], value: f64) -> Option<usize> {
    let v = value.round();
    (v == value)
        .then(|| scale.iter().position(|&s| f64::from(s) == v))
        .flatten()
}

pub(crate) fn distribution(a: &Analysis, attribute: usize) -> DistributionData {
    let d = &a.snapshot.live.ratings;
    let nr = d.raters.len();
    let scale = scale(a, attribute);
    let cells = grid(a, attribute);
    let mut raters = Vec::new();
    for (names, kind) in [
        (selected(a, false), RaterKind::Human),
        (selected(a, true), RaterKind::Judge),
    ] {
        for name in names {
            let Some(r) = rater_index(a, &name) else {
                continue;
            };
            let mut counts = vec![0; scale.len()];
            for t in 0..d.targets.len() {
                if let Some(i) = cells[t * nr + r].and_then(|v| slot(&scale, v)) {
                    counts[i] += 1;
                }
            }
            raters.push(RaterCounts {
                rater: name,
                kind,
                counts,
            });
        }
    }
    DistributionData {
        attribute: a.snapshot.labels[attribute].clone(),
        scale,
        raters,
    }
}

pub(super) fn confusion(a: &Analysis, attribute: usize, raters: Vec<String>) -> ConfusionData {
    let d = &a.snapshot.live.ratings;
    let nr = d.raters.len();
    let scale = scale(a, attribute);
    let mut counts = vec![vec![0; scale.len()]; scale.len()];
    let mut names = raters.into_iter();
    let rater_a = names.next();
    let rater_b = names.next();
    let mut data = ConfusionData {
        attribute: a.snapshot.labels[attribute].clone(),
        rater_a: rater_a.clone().unwrap_or_else(|| "no rater".to_string()),
        rater_b: rater_b
            .clone()
            .unwrap_or_else(|| "no second rater".to_string()),
        scale: scale.clone(),
        counts: Vec::new(),
        reason: None,
    };
    let (Some(x), Some(y)) = (
        rater_a.and_then(|n| rater_index(a, &n)),
        rater_b.and_then(|n| rater_index(a, &n)),
    ) else {
        data.counts = counts;
        data.reason = Some("fewer than two human raters in this study".to_string());
        return data;
    };
    let cells = grid(a, attribute);
    let mut n = 0;
    for t in 0..d.targets.len() {
        let (Some(u), Some(v)) = (cells[t * nr + x], cells[t * nr + y]) else {
            continue;
        };
        if let (Some(i), Some(k)) = (slot(&scale, u), slot(&scale, v)) {
            counts[i][k] += 1;
            n += 1;
        }
    }
    data.counts = counts;
    if n == 0 {
        data.reason = Some("no response rated by both raters".to_string());
    }
    data
}

pub(super) fn progress(a: &Analysis) -> ProgressData {
    let d = &a.snapshot.live.ratings;
    let (nt, nr, na) = (d.targets.len(), d.raters.len(), d.attributes.len());
    // Attributes set per (response, human); a human "has rated" a response when all are set.
    let mut set = vec![0usize; nt * nr];
    for o in &d.ratings {
        if o.target < nt && o.rater < nr && o.attribute < na && !d.raters[o.rater].is_judge {
            set[o.target * nr + o.rater] += 1;
        }
    }
    let per_response: Vec<usize> = (0..nt)
        .map(|t| {
            set[t * nr..(t + 1) * nr]
                .iter()
                .filter(|&&c| na > 0 && c >= na)
                .count()
        })
        .collect();
    let top = per_response
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(a.snapshot.overlap_target);
    let coverage = if nt == 0 {
        Vec::new()
    } else {
        (0..=top)
            .map(|k| CoverageBin {
                ratings: k,
                responses: per_response.iter().filter(|&&c| c == k).count(),
            })
            .collect()
    };
    ProgressData {
        raters: a.snapshot.progress.clone(),
        coverage,
        overlap_target: a.snapshot.overlap_target,
    }
}
