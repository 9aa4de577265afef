//! From an `AgreementReport` (and the study's ratings, for plot points) to each chart's input.
//!
//! The mapping is documented in the crate docs ("Chart mapping").

use std::collections::BTreeMap;

use concord_plots::{
    BiasData, BiasRow, BlandAltmanData, BlandAltmanPoint, Chart, ConfusionData, CoverageBin,
    DistributionData, ForestData, ForestRow, HeatmapCell, HeatmapData, ModelScoresData,
    ProgressData, RaterCounts, RaterKind,
};
use concord_stats::report::{HumanReport, Unit};
use concord_stats::Estimate;

use crate::selection::{self, selected, sheets};
use crate::{Analysis, ChartRequest, ReportError, Result};

/// Series name of the human–human estimates in the forest plot.
pub const HUMAN_SERIES: &str = "Humans";

/// Largest Bland–Altman jitter in score points (the chart's default), to separate ties.
pub const JITTER: f64 = 0.08;

/// Agreement metric of the forest plot (human inter-rater agreement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// ICC(1,1), one-way random, single rater.
    Icc1,
    /// ICC(2,1) = ICC(A,1), two-way random, absolute agreement, single rater (the default).
    Icc2,
    /// ICC(3,1) = ICC(C,1), two-way mixed, consistency, single rater.
    Icc3,
    /// ICC(1,k), one-way random, mean of k raters.
    Icc1k,
    /// ICC(2,k) = ICC(A,k).
    Icc2k,
    /// ICC(3,k) = ICC(C,k).
    Icc3k,
    /// Krippendorff's alpha, nominal.
    AlphaNominal,
    /// Krippendorff's alpha, ordinal.
    AlphaOrdinal,
    /// Krippendorff's alpha, interval.
    AlphaInterval,
    /// Krippendorff's alpha, ratio.
    AlphaRatio,
}

impl Metric {
    /// Every metric, in the order the app lists them.
    pub const ALL: [Metric; 10] = [
        Metric::Icc1,
        Metric::Icc2,
        Metric::Icc3,
        Metric::Icc1k,
        Metric::Icc2k,
        Metric::Icc3k,
        Metric::AlphaNominal,
        Metric::AlphaOrdinal,
        Metric::AlphaInterval,
        Metric::AlphaRatio,
    ];

    /// The metric's key, as in the report's flattened rows (`ICC2`, `alpha_interval`).
    pub fn key(self) -> &'static str {
        match self {
            Metric::Icc1 => "ICC1",
            Metric::Icc2 => "ICC2",
            Metric::Icc3 => "ICC3",
            Metric::Icc1k => "ICC1k",
            Metric::Icc2k => "ICC2k",
            Metric::Icc3k => "ICC3k",
            Metric::AlphaNominal => "alpha_nominal",
            Metric::AlphaOrdinal => "alpha_ordinal",
            Metric::AlphaInterval => "alpha_interval",
            Metric::AlphaRatio => "alpha_ratio",
        }
    }

    /// The name printed on charts, e.g. "ICC(2,1) = ICC(A,1)".
    pub fn label(self) -> &'static str {
        match self {
            Metric::Icc1 => "ICC(1,1)",
            Metric::Icc2 => "ICC(2,1) = ICC(A,1)",
            Metric::Icc3 => "ICC(3,1) = ICC(C,1)",
            Metric::Icc1k => "ICC(1,k)",
            Metric::Icc2k => "ICC(2,k) = ICC(A,k)",
            Metric::Icc3k => "ICC(3,k) = ICC(C,k)",
            Metric::AlphaNominal => "Krippendorff's α (nominal)",
            Metric::AlphaOrdinal => "Krippendorff's α (ordinal)",
            Metric::AlphaInterval => "Krippendorff's α (interval)",
            Metric::AlphaRatio => "Krippendorff's α (ratio)",
        }
    }

    /// The keys of every metric.
    pub fn names() -> Vec<&'static str> {
        Metric::ALL.iter().map(|m| m.key()).collect()
    }

    /// The metric with this key (case-insensitive).
    pub fn parse(name: &str) -> Option<Metric> {
        let name = name.trim();
        Metric::ALL
            .into_iter()
            .find(|m| m.key().eq_ignore_ascii_case(name))
    }

    /// Whether this is one of the six ICC forms (judges are then shown with ICC(A,1)).
    pub fn is_icc(self) -> bool {
        !matches!(
            self,
            Metric::AlphaNominal
                | Metric::AlphaOrdinal
                | Metric::AlphaInterval
                | Metric::AlphaRatio
        )
    }

    /// The human inter-rater estimate of this metric in `h`.
    pub fn human_estimate(self, h: &HumanReport) -> &Estimate {
        match self {
            Metric::Icc1 => &h.icc.icc1,
            Metric::Icc2 => &h.icc.icc2,
            Metric::Icc3 => &h.icc.icc3,
            Metric::Icc1k => &h.icc.icc1k,
            Metric::Icc2k => &h.icc.icc2k,
            Metric::Icc3k => &h.icc.icc3k,
            Metric::AlphaNominal => &h.alpha.nominal,
            Metric::AlphaOrdinal => &h.alpha.ordinal,
            Metric::AlphaInterval => &h.alpha.interval,
            Metric::AlphaRatio => &h.alpha.ratio,
        }
    }

    /// The REML form of this metric (ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) from
    /// `humans.icc_reml`); the one-way forms have none.
    pub fn reml_estimate(self, h: &HumanReport) -> Option<&Estimate> {
        match self {
            Metric::Icc2 => Some(&h.icc_reml.icc_a1),
            Metric::Icc3 => Some(&h.icc_reml.icc_c1),
            Metric::Icc2k => Some(&h.icc_reml.icc_ak),
            Metric::Icc3k => Some(&h.icc_reml.icc_ck),
            _ => None,
        }
    }

    /// The estimate a headline shows: on an incomplete design (some responses miss a human)
    /// the REML form, which uses every rating, instead of the ANOVA form on the complete
    /// responses only; `true` when it is the REML form.
    pub fn headline_estimate(self, h: &HumanReport) -> (&Estimate, bool) {
        match self.reml_estimate(h) {
            Some(e) if h.n_dropped > 0 => (e, true),
            _ => (self.human_estimate(h), false),
        }
    }

    /// n behind the human estimate: its own `n`, else the complete targets (ICC) or
    /// the targets with a human rating (α).
    pub fn human_n(self, h: &HumanReport) -> usize {
        let fallback = if self.is_icc() {
            h.n_targets - h.n_dropped
        } else {
            h.n_targets
        };
        self.human_estimate(h).n.unwrap_or(fallback)
    }
}

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

fn ci(e: &Estimate) -> Option<(f64, f64)> {
    e.ci95.map(|[lo, hi]| (lo, hi))
}

fn reason(e: &Estimate) -> Option<String> {
    match e.value {
        Some(_) => None,
        None => Some(e.reason.clone().unwrap_or_else(|| "not estimable".into())),
    }
}

fn forest(a: &Analysis, metric: Metric) -> ForestData {
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

fn heatmap(a: &Analysis, metric: Metric) -> HeatmapData {
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

fn bias(a: &Analysis) -> BiasData {
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

fn confusion(a: &Analysis, attribute: usize, raters: Vec<String>) -> ConfusionData {
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

fn progress(a: &Analysis) -> ProgressData {
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
