//! The agreement report: the one entry point other crates call.
//!
//! `agreement_report` takes neutral study data ([`StudyRatings`]) and options and returns an
//! [`AgreementReport`] whose JSON form is documented field by field in `SCHEMA.md`.

use crate::alpha::{AlphaBootstrap, AlphaSet, Level};
use crate::alt_test::{alt_test, AltTest, AltTestOptions};
use crate::bootstrap::{BootstrapSpec, FastHash, TargetRows};
use crate::correlation::PairTable;
use crate::estimate::Estimate;
use crate::gwet::{gwet_pooled, GwetSet};
use crate::icc::{icc_forms_pooled, icc_unbalanced, IccForms, UnbalancedIcc};
use crate::judge::{
    mean_bias_table, pair_icc_table, paired_agreement_bootstrap, paired_agreement_table,
    BlandAltman, PairIcc, PairedAgreement, ReliabilityClass,
};
use crate::judge_bias::{clinician_reference, judge_bias, BiasPair, JudgeBias};
use crate::kappa::{cohen_kappa_weighted, fleiss_kappa_all_pooled, fleiss_kappa_pooled, KappaSet};
use crate::matrix::RatingMatrix;
use crate::reliability::{koo_li_interval, mentalbench_class};
use crate::reml::{icc_reml, RemlIcc};
use crate::replacement::{replacement, Replacement};
use crate::verdict::{verdict, Verdict, VerdictInputs};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// One rated attribute (rubric item) and its declared integer scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeSpec {
    /// Attribute key, e.g. "accuracy".
    pub key: String,
    /// Composite group the attribute belongs to, e.g. "CSS".
    pub group: Option<String>,
    /// Lowest scale point.
    pub scale_min: i64,
    /// Highest scale point.
    pub scale_max: i64,
}

/// A rater: a clinician (`is_judge = false`) or an LLM judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterSpec {
    /// Display name, unique within the study.
    pub name: String,
    /// True for LLM judges.
    pub is_judge: bool,
}

/// A rated target: one LLM response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// Response id.
    pub id: String,
    /// The model that produced it.
    pub model: String,
    /// Response length in characters, when known (for the judges' length bias).
    #[serde(default)]
    pub length: Option<f64>,
    /// The item (prompt) it answers; responses to one item form a cluster for the bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// One rating; indices point into the vectors of [`StudyRatings`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Index into `targets`.
    pub target: usize,
    /// Index into `raters`.
    pub rater: usize,
    /// Index into `attributes`.
    pub attribute: usize,
    /// The score.
    pub value: f64,
}

/// Neutral input built by the store crate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StudyRatings {
    /// Attributes with their scales.
    pub attributes: Vec<AttributeSpec>,
    /// Raters.
    pub raters: Vec<RaterSpec>,
    /// Targets (responses).
    pub targets: Vec<TargetSpec>,
    /// Ratings.
    pub ratings: Vec<Observation>,
}

/// Level at which a judge is compared with the humans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One pair per response: judge score vs mean human score.
    #[default]
    Response,
    /// One pair per model: model means of the above (system-level agreement).
    Model,
}

/// What a response-level bootstrap resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cluster {
    /// Items when several responses answer the same item (several models), else responses.
    #[default]
    Auto,
    /// Items (prompts) with all their responses.
    Item,
    /// Responses, as independent units.
    Response,
}

/// What to analyse and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Attribute keys to report (all when `None`).
    pub attributes: Option<Vec<String>>,
    /// Human rater names to use (every non-judge when `None`).
    pub humans: Option<Vec<String>>,
    /// Judge names to compare (every judge when `None`).
    pub judges: Option<Vec<String>>,
    /// Response- or model-level judge comparison.
    pub unit: Unit,
    /// judge → models whose responses that judge is not scored on (self-preference).
    pub exclude_own: BTreeMap<String, Vec<String>>,
    /// Bootstrap resamples (0 disables bootstrap intervals).
    pub bootstrap: usize,
    /// Seed of every bootstrap in the report.
    pub seed: u64,
    /// MentalBench's CI-width thresholds (GR ≤ .0 < MR ≤ .1 < PR) for the model-level class.
    pub reliability_thresholds: (f64, f64),
    /// ε, q and minimum items of the Alternative Annotator Test.
    #[serde(default)]
    pub alt_test: AltTestOptions,
    /// Model level: models with fewer usable responses than this are listed, not used.
    #[serde(default = "default_min_responses_per_model")]
    pub min_responses_per_model: usize,
    /// Unit of the response-level bootstrap (items as clusters, or responses).
    #[serde(default)]
    pub cluster: Cluster,
    /// Complete-case forms (`icc`, `fleiss_kappa`) need this many responses rated by every
    /// human; below it they are missing with the reason.
    #[serde(default = "default_min_complete_responses")]
    pub min_complete_responses: usize,
}

fn default_min_complete_responses() -> usize {
    20
}

fn default_min_responses_per_model() -> usize {
    10
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            attributes: None,
            humans: None,
            judges: None,
            unit: Unit::Response,
            exclude_own: BTreeMap::new(),
            bootstrap: 1000,
            seed: 42,
            reliability_thresholds: (0.355, 0.560),
            alt_test: AltTestOptions::default(),
            min_responses_per_model: default_min_responses_per_model(),
            cluster: Cluster::Auto,
            min_complete_responses: default_min_complete_responses(),
        }
    }
}

/// Kappa and raw agreement for one pair of human raters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairReport {
    /// The two raters.
    pub raters: [String; 2],
    /// Targets both rated.
    pub n: usize,
    /// Cohen's kappas.
    pub kappa: KappaSet,
    /// Exact agreement rate.
    pub exact: Option<f64>,
    /// Agreement within one scale point.
    pub within_one: Option<f64>,
}

/// One human rater against the leave-one-out mean of the other humans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterDiagnostic {
    /// Rater name.
    pub rater: String,
    /// Targets rated by this rater and by at least one other human.
    pub n: usize,
    /// ICC(C,1) between the rater and the others' mean.
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
    /// Mean of rater − others' mean.
    pub bias: Estimate,
}

/// Inter-rater statistics among the humans for one attribute or group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HumanReport {
    /// Human raters used.
    pub raters: Vec<String>,
    /// Targets with at least one human rating.
    pub n_targets: usize,
    /// Of those, targets not rated by every human (left out of `icc` and `fleiss_kappa`).
    pub n_dropped: usize,
    /// Six ANOVA ICCs on complete targets.
    pub icc: IccForms,
    /// Henderson-method ICC(A,1)/ICC(C,1) on all ratings.
    pub icc_unbalanced: UnbalancedIcc,
    /// REML variance components and ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) on all ratings.
    pub icc_reml: RemlIcc,
    /// Krippendorff's alpha at four levels.
    pub alpha: AlphaSet,
    /// Fleiss' kappa on complete targets.
    pub fleiss_kappa: Estimate,
    /// Fleiss' kappa on every target with ≥ 2 ratings (irrCAC's handling of missing ratings).
    pub fleiss_kappa_all: Estimate,
    /// Gwet's AC1 and AC2.
    pub gwet: GwetSet,
    /// Every pair of humans.
    pub pairs: Vec<PairReport>,
    /// Every human against the others.
    pub rater_diagnostics: Vec<RaterDiagnostic>,
    /// What the target bootstrap (alpha's `ci95`) resampled: "item" or "response".
    pub bootstrap_unit: String,
    /// Items resampled when `bootstrap_unit` is "item".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_clusters: Option<usize>,
}

/// One judge against the human mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeReport {
    /// Judge name.
    pub judge: String,
    /// Response or model level.
    pub unit: Unit,
    /// Pairs used (responses or models).
    pub n_targets: usize,
    /// Responses left out because the judge scores its own model (`exclude_own`).
    pub n_excluded_own: usize,
    /// ICC_A1 and ICC_C1.
    pub icc: PairIcc,
    /// Mean judge − human.
    pub bias: Estimate,
    /// Bland–Altman limits.
    pub bland_altman: BlandAltman,
    /// Pearson r.
    pub pearson: Estimate,
    /// Spearman rho.
    pub spearman: Estimate,
    /// Kendall tau-b.
    pub kendall_tau_b: Estimate,
    /// Lin's CCC.
    pub ccc: Estimate,
    /// Koo & Li category of the ICC_A1 CI bounds (responses); MentalBench width class (models).
    pub reliability_class: ReliabilityClass,
    /// Can the judge stand in for one human? (Calderon et al. 2025, response level.)
    pub alt_test: AltTest,
    /// Human agreement with the judge in each human's place (ACORN's test, response level).
    pub replacement: Replacement,
    /// Score compression, proportional, length and self-preference bias (response level).
    pub bias_diagnostics: JudgeBias,
    /// Can this judge replace a clinician? With the reasons.
    pub verdict: Verdict,
    /// Model level: every model with its usable responses and whether it was used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<ModelCount>,
    /// Why the intervals are not the ones the unit normally gives (model level without
    /// bootstrap, or with fewer than 3 models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_note: Option<String>,
}

/// One model at the model level: its usable responses for this judge and attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCount {
    /// Model name.
    pub model: String,
    /// Responses rated by the judge and ≥ 1 human, after `exclude_own`.
    pub n_responses: usize,
    /// False when below `min_responses_per_model` (or with no usable response).
    pub used: bool,
}

/// Everything reported for one attribute (or one composite group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeReport {
    /// Attribute key, or group name for composites.
    pub attribute: String,
    /// The attribute's group (for a composite, the group name itself).
    pub group: Option<String>,
    /// Human inter-rater agreement.
    pub humans: HumanReport,
    /// Judge-vs-human agreement, one entry per judge.
    pub judges: Vec<JudgeReport>,
}

/// The full report; serializes to the schema in `SCHEMA.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementReport {
    /// Per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Per composite group (mean of the group's attributes per rater and response).
    pub groups: Vec<AttributeReport>,
    /// The options used (seed and resamples included).
    pub options: ReportOptions,
    /// Input problems that were worked around (unknown names, bad indices, duplicates).
    pub warnings: Vec<String>,
}

/// Targets × raters matrix of one attribute (or composite) over all raters of the study.
struct Sheet {
    key: String,
    group: Option<String>,
    scale: (i64, i64),
    m: RatingMatrix,
}

fn select_names(
    all: &[(usize, &str)],
    wanted: &Option<Vec<String>>,
    what: &str,
    warnings: &mut Vec<String>,
) -> Vec<usize> {
    match wanted {
        None => all.iter().map(|x| x.0).collect(),
        Some(names) => {
            for n in names {
                if !all.iter().any(|x| x.1 == n) {
                    warnings.push(format!("unknown {what} '{n}' ignored"));
                }
            }
            all.iter()
                .filter(|x| names.iter().any(|n| n == x.1))
                .map(|x| x.0)
                .collect()
        }
    }
}

fn build_sheets(data: &StudyRatings, warnings: &mut Vec<String>) -> Vec<Option<Vec<Option<f64>>>> {
    let (nt, nr, na) = (data.targets.len(), data.raters.len(), data.attributes.len());
    let mut cells: Vec<Option<Vec<Option<f64>>>> = vec![None; na];
    let (mut bad, mut dup) = (0usize, 0usize);
    for o in &data.ratings {
        if o.target >= nt || o.rater >= nr || o.attribute >= na || !o.value.is_finite() {
            bad += 1;
            continue;
        }
        let sheet = cells[o.attribute].get_or_insert_with(|| vec![None; nt * nr]);
        let c = &mut sheet[o.target * nr + o.rater];
        if c.is_some() {
            dup += 1;
        }
        *c = Some(o.value);
    }
    if bad > 0 {
        warnings.push(format!(
            "{bad} observations with an out-of-range index or a non-finite value were ignored"
        ));
    }
    if dup > 0 {
        warnings.push(format!(
            "{dup} duplicate observations (same target, rater, attribute): the last one was used"
        ));
    }
    cells
}

/// The human columns of one sheet, pooled by target pattern (targets with identical human
/// rows). Every human metric, the rater diagnostics and the judge comparisons read these
/// patterns with their multiplicities instead of walking all targets again.
struct HumanRows {
    /// Targets × humans.
    m: RatingMatrix,
    rows: TargetRows,
    /// Pattern of each target (`None` when no human rated it).
    target_pattern: Vec<Option<u32>>,
    /// Mean human score of each pattern.
    mean: Vec<f64>,
}

impl HumanRows {
    fn new(sheet: &Sheet, humans: &[usize]) -> HumanRows {
        let m = sheet.m.select_raters(humans);
        let rows = TargetRows::new(&m);
        let target_pattern = rows.target_patterns(m.n_targets());
        let mean = (0..rows.patterns.len())
            .map(|p| {
                let (mut sum, mut cnt) = (0.0, 0.0);
                for v in rows.row(&m, p).iter().flatten() {
                    sum += v;
                    cnt += 1.0;
                }
                sum / cnt
            })
            .collect();
        HumanRows {
            m,
            rows,
            target_pattern,
            mean,
        }
    }

    /// (pattern row, multiplicity) for every pattern.
    fn weighted_rows(&self) -> impl Iterator<Item = (&[Option<f64>], f64)> + '_ {
        let counts = &self.rows.patterns.counts;
        (0..counts.len()).map(move |p| (self.rows.row(&self.m, p), f64::from(counts[p])))
    }
}

fn human_report(
    sheet: &Sheet,
    hr: &HumanRows,
    names: &[String],
    boot: BootstrapSpec,
    items: Option<&[u32]>,
    min_complete: usize,
) -> HumanReport {
    let (m, rows) = (&hr.m, &hr.rows);
    let n_targets = rows.keep.len();
    // A complete target is a rated one with every rater present.
    let n_complete = hr
        .weighted_rows()
        .filter(|(r, _)| r.iter().all(Option::is_some))
        .map(|(_, w)| w as usize)
        .sum::<usize>();
    // Complete-case forms on a handful of responses swing wildly and, during labelling, would
    // replace the headline by numbers on n = 2: below the minimum they are not shown.
    let too_few = (m.n_raters() >= 2 && n_complete < min_complete).then(|| {
        format!("too few responses rated by all: n = {n_complete} (minimum {min_complete})")
    });
    let icc = match &too_few {
        Some(reason) => IccForms::missing(reason),
        None => icc_forms_pooled(m, rows).0,
    };
    // One draw per resample serves every alpha level (identical to the standalone functions).
    let mut ab = AlphaBootstrap::new(m, rows, &Level::ALL, boot.resamples);
    // Cluster of each kept target, when items are the unit.
    let clusters: Option<Vec<u32>> = items.map(|of| rows.keep.iter().map(|&t| of[t]).collect());
    let n_clusters = clusters.as_ref().map(|c| {
        let mut c = c.clone();
        c.sort_unstable();
        c.dedup();
        c.len()
    });
    match &clusters {
        Some(c) => rows.for_each_cluster_resample(boot, c, |w| ab.add_resample(w)),
        None => rows.for_each_resample(boot, |w| ab.add_resample(w)),
    }
    let mut alpha_it = ab.finish(boot).into_iter();
    let mut next = || {
        alpha_it
            .next()
            .unwrap_or_else(|| Estimate::missing("not computed"))
    };
    let mut alpha = AlphaSet {
        nominal: next(),
        ordinal: next(),
        interval: next(),
        ratio: next(),
    };
    if clusters.is_some() {
        for e in [
            &mut alpha.nominal,
            &mut alpha.ordinal,
            &mut alpha.interval,
            &mut alpha.ratio,
        ] {
            if e.ci95.is_some() {
                e.ci_method = Some("cluster-bootstrap-percentile".into());
            }
        }
    }
    let mut report = HumanReport {
        raters: names.to_vec(),
        n_targets,
        n_dropped: n_targets - n_complete,
        icc,
        icc_unbalanced: icc_unbalanced(m, boot),
        icc_reml: icc_reml(m, boot),
        alpha,
        fleiss_kappa: match &too_few {
            Some(reason) => Estimate::missing(reason),
            None => fleiss_kappa_pooled(m, rows, sheet.scale),
        },
        fleiss_kappa_all: fleiss_kappa_all_pooled(m, rows, sheet.scale),
        gwet: gwet_pooled(m, rows, sheet.scale),
        pairs: rater_pairs(hr, names, sheet.scale),
        rater_diagnostics: rater_diagnostics(hr, names),
        bootstrap_unit: if clusters.is_some() {
            "item"
        } else {
            "response"
        }
        .into(),
        n_clusters,
    };
    bound_human_intervals(&mut report);
    report
}

/// Every interval of the human report inside its parameter's range and around its estimate
/// (see [`Estimate::within_range`]).
fn bound_human_intervals(h: &mut HumanReport) {
    let coef = |e: &mut Estimate| *e = std::mem::take(e).within_range(-1.0, 1.0);
    let upper = |e: &mut Estimate| *e = std::mem::take(e).within_range(f64::NEG_INFINITY, 1.0);
    let share = |e: &mut Estimate| *e = std::mem::take(e).within_range(0.0, 1.0);
    let variance = |e: &mut Estimate| *e = std::mem::take(e).within_range(0.0, f64::INFINITY);
    // Single-rater ICCs are ≥ −1/(k − 1) ≥ −1; average-measure ICCs and alpha only ≤ 1.
    let i = &mut h.icc;
    [&mut i.icc1, &mut i.icc2, &mut i.icc3]
        .into_iter()
        .for_each(coef);
    [&mut i.icc1k, &mut i.icc2k, &mut i.icc3k]
        .into_iter()
        .for_each(upper);
    [&mut h.icc_unbalanced.icc_a1, &mut h.icc_unbalanced.icc_c1]
        .into_iter()
        .for_each(share);
    let r = &mut h.icc_reml;
    [&mut r.icc_a1, &mut r.icc_c1, &mut r.icc_ak, &mut r.icc_ck]
        .into_iter()
        .for_each(share);
    let c = &mut r.components;
    [&mut c.target, &mut c.rater, &mut c.residual]
        .into_iter()
        .for_each(variance);
    let a = &mut h.alpha;
    [
        &mut a.nominal,
        &mut a.ordinal,
        &mut a.interval,
        &mut a.ratio,
    ]
    .into_iter()
    .for_each(upper);
    let g = &mut h.gwet;
    [
        &mut h.fleiss_kappa,
        &mut h.fleiss_kappa_all,
        &mut g.ac1,
        &mut g.ac2_linear,
        &mut g.ac2_quadratic,
    ]
    .into_iter()
    .for_each(coef);
    for p in &mut h.pairs {
        let k = &mut p.kappa;
        [&mut k.unweighted, &mut k.linear, &mut k.quadratic]
            .into_iter()
            .for_each(coef);
    }
    for d in &mut h.rater_diagnostics {
        coef(&mut d.icc_c1);
    }
}

/// Every coefficient interval of a judge comparison inside [−1, 1] and around its estimate.
fn bound_judge_intervals(a: &mut PairedAgreement) {
    [
        &mut a.icc.icc_a1,
        &mut a.icc.icc_c1,
        &mut a.pearson,
        &mut a.spearman,
        &mut a.kendall_tau_b,
        &mut a.ccc,
    ]
    .into_iter()
    .for_each(|e| *e = std::mem::take(e).within_range(-1.0, 1.0));
}

/// Cohen's kappas for every pair of humans, from the pooled rows.
fn rater_pairs(hr: &HumanRows, names: &[String], scale: (i64, i64)) -> Vec<PairReport> {
    let k = hr.m.n_raters();
    let mut pairs = Vec::new();
    for a in 0..k {
        for b in (a + 1)..k {
            let both = hr
                .weighted_rows()
                .filter_map(|(r, w)| Some((r[a]?, r[b]?, w)));
            let p = cohen_kappa_weighted(both, scale);
            pairs.push(PairReport {
                raters: [names[a].clone(), names[b].clone()],
                n: p.n,
                kappa: p.kappa,
                exact: p.exact,
                within_one: p.within_one,
            });
        }
    }
    pairs
}

/// Each human against the mean of the other humans on the same target.
fn rater_diagnostics(hr: &HumanRows, names: &[String]) -> Vec<RaterDiagnostic> {
    (0..hr.m.n_raters())
        .map(|j| {
            let pairs = hr.weighted_rows().filter_map(|(row, w)| {
                let v = row[j]?;
                let (mut sum, mut cnt) = (0.0, 0.0);
                for (k, c) in row.iter().enumerate() {
                    if let (true, Some(o)) = (k != j, c) {
                        sum += o;
                        cnt += 1.0;
                    }
                }
                (cnt > 0.0).then(|| (v, sum / cnt, w))
            });
            let t = PairTable::from_weighted(pairs);
            RaterDiagnostic {
                rater: names[j].clone(),
                n: t.n(),
                icc_c1: pair_icc_table(&t).icc_c1,
                bias: mean_bias_table(&t),
            }
        })
        .collect()
}

/// Distinct models of the study in name order, and each target's model.
struct Models<'a> {
    names: Vec<&'a str>,
    of_target: Vec<usize>,
}

impl<'a> Models<'a> {
    fn new(data: &'a StudyRatings) -> Models<'a> {
        let mut names: Vec<&str> = data.targets.iter().map(|t| t.model.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let of_target = data
            .targets
            .iter()
            .map(|t| index[t.model.as_str()])
            .collect();
        Models { names, of_target }
    }
}

/// Numbers distinct values (by bits) in order of first appearance.
#[derive(Default)]
struct Interner {
    values: Vec<f64>,
    /// Beyond 16 values (composite scores take 13–17): a fast hasher, as this runs once per
    /// response and judge and SipHash would dominate it.
    map: HashMap<u64, u32, FastHash>,
}

impl Interner {
    fn code(&mut self, v: f64) -> u32 {
        let bits = v.to_bits();
        // Scores on a rating scale take a handful of values: a scan beats hashing. The scan
        // always runs to the end (the values are distinct, so at most one matches): stopping
        // at the match would make the loop exit depend on the random score and mispredict.
        if self.values.len() <= 16 {
            let mut found = None;
            for (i, x) in self.values.iter().enumerate() {
                if x.to_bits() == bits {
                    found = Some(i as u32);
                }
            }
            if let Some(i) = found {
                return i;
            }
        } else if let Some(&i) = self.map.get(&bits) {
            return i;
        }
        let i = self.values.len() as u32;
        self.values.push(v);
        self.map.insert(bits, i);
        i
    }
}

/// Counts of (pattern, code) keys as (pattern, code, count), dense when the grid is small.
fn count_keys(keys: &mut [(u32, u32)], n_patterns: usize, n_codes: usize) -> Vec<(u32, u32, f64)> {
    if n_patterns * n_codes <= (1 << 20) {
        let mut grid = vec![0u32; n_patterns * n_codes];
        for &(p, c) in keys.iter() {
            grid[p as usize * n_codes + c as usize] += 1;
        }
        grid.iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| ((i / n_codes) as u32, (i % n_codes) as u32, f64::from(n)))
            .collect()
    } else {
        keys.sort_unstable();
        let mut out: Vec<(u32, u32, f64)> = Vec::new();
        for &(p, c) in keys.iter() {
            match out.last_mut() {
                Some(l) if (l.0, l.1) == (p, c) => l.2 += 1.0,
                _ => out.push((p, c, 1.0)),
            }
        }
        out
    }
}

fn judge_report(
    data: &StudyRatings,
    sheet: &Sheet,
    judge: usize,
    hr: &HumanRows,
    humans: &HumanReport,
    models: Option<&Models>,
    opts: &ReportOptions,
) -> JudgeReport {
    let name = &data.raters[judge].name;
    let own = opts.exclude_own.get(name);
    let excluded_model: Vec<bool> = match (own, models) {
        (Some(ms), Some(md)) => md.names.iter().map(|n| ms.iter().any(|m| m == n)).collect(),
        _ => Vec::new(),
    };
    let mut excluded = 0;
    let mut own_responses = Vec::new();
    // Usable responses as (target, judge score, human pattern), in target order.
    let mut usable: Vec<(usize, f64, u32)> = Vec::with_capacity(hr.target_pattern.len());
    for (t, p) in hr.target_pattern.iter().enumerate() {
        let Some(j) = sheet.m.get(t, judge) else {
            continue;
        };
        let Some(p) = *p else {
            continue;
        };
        if let Some(md) = models.filter(|_| own.is_some()) {
            if excluded_model[md.of_target[t]] {
                excluded += 1;
                own_responses.push((t, j, p));
                continue;
            }
        }
        usable.push((t, j, p));
    }
    let boot = BootstrapSpec {
        resamples: opts.bootstrap,
        seed: opts.seed,
    };
    let mut model_counts = Vec::new();
    let mut interval_note = None;
    let (mut a, system_class): (PairedAgreement, _) = match (opts.unit, models) {
        (Unit::Model, Some(md)) => {
            let mut by_model = vec![(0.0, 0.0, 0.0); md.names.len()];
            for &(t, j, p) in &usable {
                let e = &mut by_model[md.of_target[t]];
                e.0 += j;
                e.1 += hr.mean[p as usize];
                e.2 += 1.0;
            }
            // A model mean over a handful of responses is mostly noise, yet would weigh as
            // much as one over hundreds in the unweighted system-level comparison.
            let min = opts.min_responses_per_model.max(1) as f64;
            model_counts = md
                .names
                .iter()
                .zip(&by_model)
                .map(|(name, v)| ModelCount {
                    model: (*name).to_string(),
                    n_responses: v.2 as usize,
                    used: v.2 >= min,
                })
                .collect();
            let used = || by_model.iter().filter(|v| v.2 >= min);
            let x: Vec<f64> = used().map(|v| v.0 / v.2).collect();
            let y: Vec<f64> = used().map(|v| v.1 / v.2).collect();
            if opts.bootstrap == 0 {
                interval_note = Some(
                    "bootstrap 0: analytic intervals on the model means (F, t, Fisher-z)".into(),
                );
            } else if x.len() < 3 {
                interval_note = Some(format!(
                    "{} model(s) with ≥ {} responses: no bootstrap over models (needs 3)",
                    x.len(),
                    opts.min_responses_per_model
                ));
            }
            let class = mentalbench_class(&x, &y, boot, opts.reliability_thresholds);
            let mut a = paired_agreement_bootstrap(&x, &y, boot);
            if opts.bootstrap > 0 && x.len() < 3 {
                // An F or t interval on two means is not what the model level promises.
                let why = "no interval: fewer than 3 models to resample";
                for e in [
                    &mut a.icc.icc_a1,
                    &mut a.icc.icc_c1,
                    &mut a.bias,
                    &mut a.pearson,
                    &mut a.spearman,
                    &mut a.kendall_tau_b,
                    &mut a.ccc,
                ] {
                    if e.ci95.take().is_some() {
                        e.ci_method = None;
                        e.reason = Some(why.into());
                    }
                }
                if a.bland_altman.loa_ci95.take().is_some() {
                    a.bland_altman.ci_method = None;
                    a.bland_altman.reason = Some(why.into());
                }
            }
            (a, Some(class))
        }
        _ => (paired_agreement_table(&response_table(&usable, hr)), None),
    };
    bound_judge_intervals(&mut a);
    let reliability = system_class
        .clone()
        .unwrap_or_else(|| koo_li_interval(&a.icc.icc_a1, "ICC_A1"));
    // The judge as one more rater is a response-level question whatever the unit.
    let mut judge_column = vec![None; hr.m.n_targets()];
    for &(t, j, _) in &usable {
        judge_column[t] = Some(j);
    }
    let human_names = &humans.raters;
    let alt_test = alt_test(&judge_column, &hr.m, human_names, &opts.alt_test);
    let replacement = replacement(&judge_column, &hr.m, human_names, boot);
    let bias_pair = |&(t, j, p): &(usize, f64, u32)| BiasPair {
        judge: j,
        human: hr.mean[p as usize],
        length: data.targets.get(t).and_then(|s| s.length),
    };
    let pairs: Vec<BiasPair> = usable.iter().map(bias_pair).collect();
    let own_pairs: Vec<BiasPair> = own_responses.iter().map(bias_pair).collect();
    let targets: Vec<usize> = usable.iter().map(|u| u.0).collect();
    let clinicians = clinician_reference(&hr.m, &targets, human_names);
    let declared = own.is_some_and(|m| !m.is_empty());
    let bias_diagnostics = judge_bias(&pairs, &own_pairs, declared, clinicians);
    // The verdict reads the response level whatever the unit of the comparison above.
    let response_level = system_class.is_some().then(|| {
        let t = response_table(&usable, hr);
        (pair_icc_table(&t).icc_a1, mean_bias_table(&t))
    });
    let (icc_a1, bias) = match &response_level {
        Some((i, b)) => (i, b),
        None => (&a.icc.icc_a1, &a.bias),
    };
    let human_bias: Vec<Estimate> = humans
        .rater_diagnostics
        .iter()
        .map(|d| d.bias.clone())
        .collect();
    let verdict = verdict(&VerdictInputs {
        alt_test: &alt_test,
        replacement: &replacement,
        icc_a1,
        bias,
        human_bias: &human_bias,
        system_class: system_class.as_ref(),
    });
    JudgeReport {
        judge: name.clone(),
        unit: opts.unit,
        n_targets: a.n,
        n_excluded_own: excluded,
        icc: a.icc,
        bias: a.bias,
        bland_altman: a.bland_altman,
        pearson: a.pearson,
        spearman: a.spearman,
        kendall_tau_b: a.kendall_tau_b,
        ccc: a.ccc,
        reliability_class: reliability,
        alt_test,
        replacement,
        bias_diagnostics,
        verdict,
        models: model_counts,
        interval_note,
    }
}

/// The (judge score, human mean) table of the usable responses, counted by (human pattern,
/// judge score) so that building it is one pass of integer increments.
fn response_table(usable: &[(usize, f64, u32)], hr: &HumanRows) -> PairTable {
    let mut scores = Interner::default();
    let mut keys: Vec<(u32, u32)> = usable
        .iter()
        .map(|&(_, j, p)| (p, scores.code(j)))
        .collect();
    let counts = count_keys(&mut keys, hr.mean.len(), scores.values.len());
    PairTable::from_weighted(
        counts
            .into_iter()
            .map(|(p, c, n)| (scores.values[c as usize], hr.mean[p as usize], n)),
    )
}

/// The item (cluster) number of every target when items are the bootstrap unit: always for
/// `Cluster::Item`, and for `Cluster::Auto` when some item has 2 or more responses. Targets
/// without an item are clusters of their own.
fn item_clusters(
    data: &StudyRatings,
    cluster: Cluster,
    warnings: &mut Vec<String>,
) -> Option<Vec<u32>> {
    if cluster == Cluster::Response {
        return None;
    }
    let mut index: HashMap<&str, u32> = HashMap::new();
    let mut shared = false;
    let mut next = 0u32;
    let mut of = Vec::with_capacity(data.targets.len());
    for t in &data.targets {
        let id = match t.item.as_deref() {
            Some(item) => match index.get(item) {
                Some(&i) => {
                    shared = true;
                    i
                }
                None => {
                    index.insert(item, next);
                    next += 1;
                    next - 1
                }
            },
            None => {
                next += 1;
                next - 1
            }
        };
        of.push(id);
    }
    if cluster == Cluster::Item && index.is_empty() {
        warnings.push("cluster = item, but no response names its item: responses resampled".into());
        return None;
    }
    (cluster == Cluster::Item || shared).then_some(of)
}

/// Build the full agreement report: humans' inter-rater agreement and each judge vs the humans,
/// per attribute and per composite group (see `SCHEMA.md`; methods cited on each function).
pub fn agreement_report(data: &StudyRatings, opts: &ReportOptions) -> AgreementReport {
    // Every metric below asks for t and F quantiles, mostly the same few: remember them for
    // the length of this report (identical values, see `dist::QuantileMemo`).
    let _memo = crate::dist::QuantileMemo::start();
    let mut warnings = Vec::new();
    let boot = BootstrapSpec {
        resamples: opts.bootstrap,
        seed: opts.seed,
    };
    let people: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| !r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let bots: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let humans = select_names(&people, &opts.humans, "human rater", &mut warnings);
    let judges = select_names(&bots, &opts.judges, "judge", &mut warnings);
    let human_names: Vec<String> = humans
        .iter()
        .map(|&i| data.raters[i].name.clone())
        .collect();
    let all_attrs: Vec<(usize, &str)> = data
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.key.as_str()))
        .collect();
    let attrs = select_names(&all_attrs, &opts.attributes, "attribute", &mut warnings);

    let mut cells = build_sheets(data, &mut warnings);
    let (nt, nr) = (data.targets.len(), data.raters.len());
    let sheet_of = |a: usize, cells: &mut Vec<Option<Vec<Option<f64>>>>| -> Vec<Option<f64>> {
        cells[a].take().unwrap_or_else(|| vec![None; nt * nr])
    };
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut sheet_index: BTreeMap<usize, usize> = BTreeMap::new();
    for &a in &attrs {
        let c = sheet_of(a, &mut cells);
        let spec = &data.attributes[a];
        sheet_index.insert(a, sheets.len());
        if let Ok(m) = RatingMatrix::new(nt, nr, c) {
            sheets.push(Sheet {
                key: spec.key.clone(),
                group: spec.group.clone(),
                scale: (spec.scale_min, spec.scale_max),
                m,
            });
        }
    }
    // Composite groups, in order of first appearance among the selected attributes.
    let mut group_names: Vec<String> = Vec::new();
    for &a in &attrs {
        if let Some(g) = &data.attributes[a].group {
            if !group_names.contains(g) {
                group_names.push(g.clone());
            }
        }
    }
    let mut group_sheets = Vec::new();
    for g in &group_names {
        let members: Vec<usize> = attrs
            .iter()
            .copied()
            .filter(|&a| data.attributes[a].group.as_ref() == Some(g))
            .collect();
        let parts: Vec<&[Option<f64>]> = members
            .iter()
            .filter_map(|a| sheet_index.get(a).map(|&i| sheets[i].m.cells()))
            .collect();
        let mut c = vec![None; nt * nr];
        for (i, cell) in c.iter_mut().enumerate() {
            let mut sum = 0.0;
            let mut complete = !parts.is_empty();
            for p in &parts {
                match p[i] {
                    Some(v) => sum += v,
                    None => {
                        complete = false;
                        break;
                    }
                }
            }
            if complete {
                *cell = Some(sum / parts.len() as f64);
            }
        }
        let lo = members.iter().map(|&a| data.attributes[a].scale_min).min();
        let hi = members.iter().map(|&a| data.attributes[a].scale_max).max();
        if let (Ok(m), Some(lo), Some(hi)) = (RatingMatrix::new(nt, nr, c), lo, hi) {
            group_sheets.push(Sheet {
                key: g.clone(),
                group: Some(g.clone()),
                scale: (lo, hi),
                m,
            });
        }
    }
    let items = item_clusters(data, opts.cluster, &mut warnings);
    let needs_models = opts.unit == Unit::Model || !opts.exclude_own.is_empty();
    let models = needs_models.then(|| Models::new(data));
    let analyse = |s: &Sheet| {
        let hr = HumanRows::new(s, &humans);
        let human = human_report(
            s,
            &hr,
            &human_names,
            boot,
            items.as_deref(),
            opts.min_complete_responses,
        );
        AttributeReport {
            attribute: s.key.clone(),
            group: s.group.clone(),
            judges: judges
                .iter()
                .map(|&j| judge_report(data, s, j, &hr, &human, models.as_ref(), opts))
                .collect(),
            humans: human,
        }
    };
    AgreementReport {
        attributes: sheets.iter().map(analyse).collect(),
        groups: group_sheets.iter().map(analyse).collect(),
        options: opts.clone(),
        warnings,
    }
}

/// One flattened estimate: attribute × rater-set × metric.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatRow {
    /// Attribute key or group name.
    pub attribute: String,
    /// Group, if any.
    pub group: Option<String>,
    /// "humans", "pair:A|B", "rater:A" or "judge:NAME".
    pub set: String,
    /// Metric name, e.g. "ICC2", "alpha_ordinal", "kappa_quadratic".
    pub metric: String,
    /// Value.
    pub value: Option<f64>,
    /// CI bounds.
    pub ci: Option<[f64; 2]>,
    /// n used.
    pub n: Option<usize>,
    /// Reason when the value is missing.
    pub reason: Option<String>,
}

fn push_est(
    out: &mut Vec<FlatRow>,
    a: &AttributeReport,
    set: &str,
    metric: &str,
    e: &Estimate,
    n: Option<usize>,
) {
    out.push(FlatRow {
        attribute: a.attribute.clone(),
        group: a.group.clone(),
        set: set.to_string(),
        metric: metric.to_string(),
        value: e.value,
        ci: e.ci95,
        n: e.n.or(n),
        reason: e.reason.clone(),
    });
}

fn push_num(
    out: &mut Vec<FlatRow>,
    a: &AttributeReport,
    set: &str,
    metric: &str,
    v: Option<f64>,
    n: usize,
) {
    out.push(FlatRow {
        attribute: a.attribute.clone(),
        group: a.group.clone(),
        set: set.to_string(),
        metric: metric.to_string(),
        value: v,
        ci: None,
        n: Some(n),
        reason: None,
    });
}

/// Every estimate of the report as rows (used by `format_table` and `to_csv`).
pub fn flatten(report: &AgreementReport) -> Vec<FlatRow> {
    let mut out = Vec::new();
    for a in report.attributes.iter().chain(&report.groups) {
        let h = &a.humans;
        let nc = Some(h.n_targets - h.n_dropped);
        for (k, e) in h.icc.named() {
            push_est(&mut out, a, "humans", k, e, nc);
        }
        let u = &h.icc_unbalanced;
        push_est(
            &mut out,
            a,
            "humans",
            "ICC_A1_unbalanced",
            &u.icc_a1,
            Some(u.n_targets),
        );
        push_est(
            &mut out,
            a,
            "humans",
            "ICC_C1_unbalanced",
            &u.icc_c1,
            Some(u.n_targets),
        );
        let r = &h.icc_reml;
        for (metric, e) in [
            ("ICC_A1_reml", &r.icc_a1),
            ("ICC_C1_reml", &r.icc_c1),
            ("ICC_Ak_reml", &r.icc_ak),
            ("ICC_Ck_reml", &r.icc_ck),
        ] {
            push_est(&mut out, a, "humans", metric, e, Some(r.n_targets));
        }
        for (k, e) in h.alpha.named() {
            push_est(&mut out, a, "humans", &format!("alpha_{k}"), e, None);
        }
        push_est(&mut out, a, "humans", "fleiss_kappa", &h.fleiss_kappa, nc);
        push_est(
            &mut out,
            a,
            "humans",
            "fleiss_kappa_all",
            &h.fleiss_kappa_all,
            None,
        );
        push_est(&mut out, a, "humans", "gwet_ac1", &h.gwet.ac1, None);
        push_est(
            &mut out,
            a,
            "humans",
            "gwet_ac2_linear",
            &h.gwet.ac2_linear,
            None,
        );
        push_est(
            &mut out,
            a,
            "humans",
            "gwet_ac2_quadratic",
            &h.gwet.ac2_quadratic,
            None,
        );
        for p in &h.pairs {
            let set = format!("pair:{}|{}", p.raters[0], p.raters[1]);
            push_est(
                &mut out,
                a,
                &set,
                "kappa_unweighted",
                &p.kappa.unweighted,
                Some(p.n),
            );
            push_est(
                &mut out,
                a,
                &set,
                "kappa_linear",
                &p.kappa.linear,
                Some(p.n),
            );
            push_est(
                &mut out,
                a,
                &set,
                "kappa_quadratic",
                &p.kappa.quadratic,
                Some(p.n),
            );
            push_num(&mut out, a, &set, "exact", p.exact, p.n);
            push_num(&mut out, a, &set, "within_one", p.within_one, p.n);
        }
        for d in &h.rater_diagnostics {
            let set = format!("rater:{}", d.rater);
            push_est(&mut out, a, &set, "ICC_C1_vs_others", &d.icc_c1, Some(d.n));
            push_est(&mut out, a, &set, "bias_vs_others", &d.bias, Some(d.n));
        }
        for j in &a.judges {
            let set = format!("judge:{}", j.judge);
            let n = Some(j.n_targets);
            push_est(&mut out, a, &set, "ICC_A1", &j.icc.icc_a1, n);
            push_est(&mut out, a, &set, "ICC_C1", &j.icc.icc_c1, n);
            push_est(&mut out, a, &set, "bias", &j.bias, n);
            let ba = &j.bland_altman;
            let ci = |i: usize| ba.loa_ci95.map(|c| c[i]);
            for (metric, v, c) in [
                ("loa_low", ba.loa.map(|l| l[0]), ci(0)),
                ("loa_high", ba.loa.map(|l| l[1]), ci(1)),
            ] {
                out.push(FlatRow {
                    attribute: a.attribute.clone(),
                    group: a.group.clone(),
                    set: set.clone(),
                    metric: metric.into(),
                    value: v,
                    ci: c,
                    n,
                    reason: ba.reason.clone(),
                });
            }
            push_est(&mut out, a, &set, "pearson", &j.pearson, n);
            push_est(&mut out, a, &set, "spearman", &j.spearman, n);
            push_est(&mut out, a, &set, "kendall_tau_b", &j.kendall_tau_b, n);
            push_est(&mut out, a, &set, "ccc", &j.ccc, n);
            let alt = &j.alt_test;
            let (ni, rep) = (alt.n_items, &j.replacement);
            push_num(&mut out, a, &set, "alt_test_omega", alt.winning_rate, ni);
            let adv = alt.advantage_probability;
            push_num(&mut out, a, &set, "alt_test_advantage", adv, ni);
            let dn = Some(rep.n);
            push_est(
                &mut out,
                a,
                &set,
                "replace_d_ICC_A1",
                &rep.mean_delta.icc_a1,
                dn,
            );
            let d_alpha = &rep.mean_delta.alpha_interval;
            push_est(&mut out, a, &set, "replace_d_alpha_int", d_alpha, dn);
            let b = &j.bias_diagnostics;
            push_est(&mut out, a, &set, "sd_ratio", &b.sd_ratio, n);
            push_est(
                &mut out,
                a,
                &set,
                "proportional_bias",
                &b.proportional_bias,
                n,
            );
            push_est(&mut out, a, &set, "length_bias", &b.length_bias, n);
            push_est(&mut out, a, &set, "self_preference", &b.self_preference, n);
        }
    }
    out
}

/// Terminal-readable table: one line per estimate, "estimate [CI] n" (or the reason).
pub fn format_table(report: &AgreementReport) -> String {
    let rows = flatten(report);
    let w_attr = rows
        .iter()
        .map(|r| r.attribute.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let w_set = rows.iter().map(|r| r.set.len()).max().unwrap_or(3).max(3);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<w_attr$}  {:<w_set$}  {:<20}  {:>8}  {:<18}  {:>6}",
        "attribute", "set", "metric", "estimate", "95% CI", "n"
    );
    for r in &rows {
        let est = match r.value {
            Some(v) => format!("{v:>8.3}"),
            None => format!("{:>8}", "—"),
        };
        let ci =
            r.ci.map_or_else(String::new, |c| format!("[{:.3}, {:.3}]", c[0], c[1]));
        let n = r.n.map_or_else(String::new, |n| n.to_string());
        let _ = write!(
            s,
            "{:<w_attr$}  {:<w_set$}  {:<20}  {est}  {ci:<18}  {n:>6}",
            r.attribute, r.set, r.metric
        );
        if r.value.is_none() {
            if let Some(reason) = &r.reason {
                let _ = write!(s, "  ({reason})");
            }
        }
        s.push('\n');
    }
    for w in &report.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV with one row per attribute × rater-set × metric:
/// `attribute,group,set,metric,value,ci_low,ci_high,n` (empty cells for missing values).
pub fn to_csv(report: &AgreementReport) -> String {
    let mut s = String::from("attribute,group,set,metric,value,ci_low,ci_high,n\n");
    let num = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
    for r in flatten(report) {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{}",
            csv_field(&r.attribute),
            csv_field(r.group.as_deref().unwrap_or("")),
            csv_field(&r.set),
            csv_field(&r.metric),
            num(r.value),
            num(r.ci.map(|c| c[0])),
            num(r.ci.map(|c| c[1])),
            r.n.map_or_else(String::new, |n| n.to_string())
        );
    }
    s
}
