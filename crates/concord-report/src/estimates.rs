//! Model scores, sample-size plans and the next responses to rate, from a study's ratings: the
//! study side of `concord_stats::{ppi, plan, active}` (`concord estimate`, `concord plan`,
//! `concord next` and the report's "Model scores" section).
//!
//! Per judge × model × attribute: Y = the mean of the human scores of a response (every
//! non-judge rater who scored it), Ŷ = the judge's score on the same response, Ŷ_unl = the
//! judge's scores on the model's responses no human scored. A response the judge did not score
//! is in neither slice (counted as `unjudged`): PPI needs Ŷ wherever Y is.
//!
//! Grouping reads scores by (attribute, response) ([`ResponseScores`], which
//! `Study::scoring_scores` fills as it reads the store, or [`ResponseScores::from_ratings`] from
//! a loaded list), one pass over the responses per attribute, and each response's model as an
//! index ([`ResponseModels`]), never through a string map.

use std::collections::HashMap;

use concord_core::sampling::SamplingRound;
use concord_core::ScoringRatings;
use concord_stats::active::{combined_probabilities, with_active_design, ActiveScores};
use concord_stats::icc::icc_forms;
use concord_stats::plan::{plan_attribute, PlanReport};
use concord_stats::ppi::{
    estimate_models, EstimateSet, HumanMeans, ModelScores, ResponseModels, ResponseScores,
};
use concord_stats::report::{AttributeSpec, RaterSpec, StudyRatings};
use concord_stats::RatingMatrix;

use crate::{ReportError, Result};

mod next;
pub use next::{next, next_in_study, push_next, Assigned, NextBatch, NextModel, NextPick};

/// Share of each `concord next` round drawn uniformly (Zrnic & Candès 2024 mix a uniform part
/// in so that no response gets a vanishing π and a huge weight; `active` suggests 0.1–0.3).
pub const UNIFORM_MIX: f64 = 0.2;

/// Cost of one judge score in clinician ratings for `concord plan`: the judges have already
/// scored every response, so their scores are free and the plan uses all of them.
pub const JUDGE_COST: f64 = 0.0;

/// The attributes `keys` name (every attribute when empty), as indices into `attributes`, each
/// once (in the order first named).
fn attribute_indices(attributes: &[AttributeSpec], keys: &[String]) -> Result<Vec<usize>> {
    if keys.is_empty() {
        return Ok((0..attributes.len()).collect());
    }
    let mut named: Vec<&String> = Vec::with_capacity(keys.len());
    for k in keys {
        if !named.contains(&k) {
            named.push(k);
        }
    }
    named
        .into_iter()
        .map(|k| {
            attributes.iter().position(|a| a.key == *k).ok_or_else(|| {
                ReportError::UnknownAttribute {
                    name: k.clone(),
                    valid: attributes
                        .iter()
                        .map(|a| a.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })
        })
        .collect()
}

/// Indices of the study's LLM judges, in rater order.
fn judge_indices(raters: &[RaterSpec]) -> Vec<usize> {
    (0..raters.len()).filter(|&r| raters[r].is_judge).collect()
}

/// The judge called `name`, as an index into `raters`.
fn judge_index(raters: &[RaterSpec], name: &str) -> Result<usize> {
    let judges = judge_indices(raters);
    judges
        .iter()
        .copied()
        .find(|&r| raters[r].name == name)
        .ok_or_else(|| ReportError::UnknownJudge {
            name: name.to_string(),
            valid: if judges.is_empty() {
                "none (this study has no LLM judge)".to_string()
            } else {
                judges
                    .iter()
                    .map(|&r| raters[r].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

/// The column of `scores` holding the judge at rater index `j`: an error naming the judges
/// whose scores were loaded when `j`'s were not.
fn judge_column(raters: &[RaterSpec], scores: &ResponseScores, j: usize) -> Result<usize> {
    scores.column(j).ok_or_else(|| ReportError::UnknownJudge {
        name: raters[j].name.clone(),
        valid: scores
            .judges()
            .iter()
            .map(|&r| raters[r].name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// What [`ScoreGroups::from_scores`] and [`next`] read, from a loaded list of ratings: its
/// attributes and raters, each target's model (and id when `ids`), and `judge`'s and the
/// humans' scores in dense arrays (every judge's when `None`).
fn dense_scores(data: &StudyRatings, judge: Option<&str>, ids: bool) -> ScoringRatings {
    ScoringRatings {
        attributes: data.attributes.clone(),
        raters: data.raters.clone(),
        responses: ResponseModels::from_targets(&data.targets, ids),
        scores: ResponseScores::from_ratings(data, judge),
    }
}

/// One judge × model × attribute: the three slices of [`ModelScores`], the judge-only scores
/// as a range of the judge's scores on the attribute, regrouped in place.
#[derive(Debug, Clone, Default, PartialEq)]
struct Group {
    y: Vec<f64>,
    yhat: Vec<f64>,
    yhat_unlabelled: std::ops::Range<usize>,
    unjudged: usize,
}

/// One judge × model × attribute under an active design: over every response the judge
/// scored, its score, its π and the human mean where rated ([`ActiveScores`]).
#[derive(Debug, Clone, Default, PartialEq)]
struct Design {
    f: Vec<f64>,
    pi: Vec<f64>,
    y: Vec<Option<f64>>,
}

/// One attribute's part of [`ScoreGroups::from_scores`]: the judge's scores on it (regrouped
/// in place, model by model, judge-only scores first) and its groups (and designs), one per
/// model.
struct Regroup<'a> {
    attribute: usize,
    column: &'a mut [f64],
    groups: &'a mut [Group],
    designs: Option<&'a mut [Design]>,
}

impl Regroup<'_> {
    /// Fills the groups from the column and the human means, models' judge-only scores starting
    /// at `start`, and regroups the column through `regrouped` (as long as the column).
    fn run(
        &mut self,
        humans: &HumanMeans,
        model_of: &[u32],
        pi: &[f64],
        start: &[usize],
        regrouped: &mut [f64],
    ) {
        let mut end = start.to_vec();
        for (t, (&f, &model)) in self.column.iter().zip(model_of).enumerate() {
            let model = model as usize;
            let g = &mut self.groups[model];
            let y = humans.mean(self.attribute, t);
            if let (Some(d), true) = (self.designs.as_mut(), f.is_finite()) {
                let d = &mut d[model];
                d.f.push(f);
                d.pi.push(pi[t]);
                d.y.push(y);
            }
            match (y, f.is_finite()) {
                (Some(y), true) => {
                    g.y.push(y);
                    g.yhat.push(f);
                }
                (None, true) => {
                    regrouped[end[model]] = f;
                    end[model] += 1;
                }
                (Some(_), false) => g.unjudged += 1,
                (None, false) => {}
            }
        }
        for (model, g) in self.groups.iter_mut().enumerate() {
            g.yhat_unlabelled = start[model]..end[model];
        }
        self.column.copy_from_slice(regrouped);
    }
}

/// One judge's scores grouped by attribute × model (attribute-major, models in order of first
/// appearance): the inputs of `ppi::estimate_models` and `plan::plan_attribute`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreGroups {
    /// Judge name.
    pub judge: String,
    /// Attribute keys, in the order asked for (rubric order when none was named).
    pub attributes: Vec<String>,
    /// Model names in order of first appearance among the responses.
    pub models: Vec<String>,
    groups: Vec<Group>,
    /// The loaded scores, the judge's on each attribute regrouped model by model (judge-only
    /// scores first): the groups' Ŷ_unl are slices of it, not copies (on a 70k-response study
    /// a copy is megabytes of fresh memory, which cost more than the grouping).
    scores: ResponseScores,
    /// The judge's column in `scores`, and each group's attribute.
    column: usize,
    attribute_index: Vec<usize>,
    /// Parallel to `groups` when the study recorded active rounds, else empty.
    designs: Vec<Design>,
    rounds: usize,
}

/// The probability that each response (aligned with `responses`, loaded with their ids) was
/// rated under the recorded active rounds: the responses the first round found rated count as
/// a uniform base sample of their model (π₀ = rated / candidates), and every round adds its
/// own π (`active::combined_probabilities`). Empty when there are no rounds.
pub fn design_probabilities(responses: &ResponseModels, rounds: &[SamplingRound]) -> Vec<f64> {
    let Some(first) = rounds.first() else {
        return Vec::new();
    };
    let index: HashMap<&str, usize> = responses
        .ids()
        .iter()
        .enumerate()
        .map(|(t, id)| (id.as_str(), t))
        .collect();
    let model_of = responses.model_of();
    let models = responses.models().len();
    let (mut rated, mut candidates) = (vec![0usize; models], vec![0usize; models]);
    for c in &first.candidates {
        if let Some(&t) = index.get(c.response_id.as_str()) {
            candidates[model_of[t] as usize] += 1;
            rated[model_of[t] as usize] += usize::from(c.rated);
        }
    }
    let mut pi: Vec<f64> = model_of
        .iter()
        .map(|&m| match candidates[m as usize] {
            0 => 0.0,
            n => rated[m as usize] as f64 / n as f64,
        })
        .collect();
    for round in rounds {
        let mut this = vec![0.0; pi.len()];
        for c in &round.candidates {
            if let Some(&t) = index.get(c.response_id.as_str()) {
                this[t] = c.probability;
            }
        }
        pi = combined_probabilities(&pi, &this);
    }
    pi
}

impl ScoreGroups {
    /// Groups `judge`'s and the humans' scores on `attributes` (every attribute when empty).
    pub fn new(data: &StudyRatings, judge: &str, attributes: &[String]) -> Result<ScoreGroups> {
        Self::with_design(data, judge, attributes, &[])
    }

    /// As [`ScoreGroups::new`], and with the study's recorded active `rounds` (none: as `new`)
    /// each group also keeps, over every response the judge scored, its π
    /// ([`design_probabilities`]) and human mean, for the active estimate.
    pub fn with_design(
        data: &StudyRatings,
        judge: &str,
        attributes: &[String],
        rounds: &[SamplingRound],
    ) -> Result<ScoreGroups> {
        let data = dense_scores(data, Some(judge), !rounds.is_empty());
        Self::from_scores(data, judge, attributes, rounds)
    }

    /// [`ScoreGroups::with_design`] from scores already in dense arrays (`Study::scoring_scores`
    /// with this judge, and with the responses' ids when there are `rounds`, which name
    /// responses by id), which the groups take over.
    pub fn from_scores(
        data: ScoringRatings,
        judge: &str,
        attributes: &[String],
        rounds: &[SamplingRound],
    ) -> Result<ScoreGroups> {
        let pi = design_probabilities(&data.responses, rounds);
        let j = judge_index(&data.raters, judge)?;
        let c = judge_column(&data.raters, &data.scores, j)?;
        let attrs = attribute_indices(&data.attributes, attributes)?;
        let mut scores = data.scores;
        let models = data.responses.models();
        let model_of = data.responses.model_of();
        let (m, n) = (models.len(), model_of.len());
        // Where each model's judge-only scores start in an attribute's regrouped scores.
        let mut start = vec![0; m + 1];
        for &model in model_of {
            start[model as usize + 1] += 1;
        }
        for i in 0..m {
            start[i + 1] += start[i];
        }
        let mut groups = vec![Group::default(); attrs.len() * m];
        let mut designs = vec![Design::default(); if pi.is_empty() { 0 } else { groups.len() }];
        let (humans, columns) = scores.judge_columns_mut(c);
        let mut columns: Vec<Option<&mut [f64]>> = columns.into_iter().map(Some).collect();
        let mut design_rows = designs.chunks_mut(m.max(1));
        // One job per attribute asked for: its judge column, its groups and designs.
        let mut jobs: Vec<Regroup> = attrs
            .iter()
            .zip(groups.chunks_mut(m.max(1)))
            .map(|(&a, row)| Regroup {
                attribute: a,
                column: columns[a].take().expect("attributes are asked for once"),
                groups: row,
                designs: design_rows.next(),
            })
            .collect();
        let regroup = |jobs: &mut [Regroup]| {
            // Regrouped here, then copied over the attribute's scores (which the loop reads).
            let mut regrouped = vec![0.0; n];
            for job in jobs {
                job.run(humans, model_of, &pi, &start, &mut regrouped);
            }
        };
        // The attributes are independent: half of them on a second thread.
        let (mine, theirs) = jobs.split_at_mut(attrs.len() / 2);
        if mine.is_empty() {
            regroup(theirs);
        } else {
            std::thread::scope(|s| {
                let other = s.spawn(|| regroup(theirs));
                regroup(mine);
                other.join().expect("regrouping does not panic");
            });
        }
        Ok(ScoreGroups {
            judge: data.raters[j].name.clone(),
            attributes: attrs
                .iter()
                .map(|&a| data.attributes[a].key.clone())
                .collect(),
            models: models.to_vec(),
            groups,
            scores,
            column: c,
            attribute_index: attrs,
            designs,
            rounds: rounds.len(),
        })
    }

    /// `concord estimate`'s numbers: human-only, judge-only, PPI++ and PPI model means with
    /// differences and ranking (`ppi::estimate_models`; Angelopoulos, Duchi & Zrnic 2023), the
    /// PPI++ column the active-inference estimate where rounds were recorded
    /// (`active::with_active_design`; Zrnic & Candès 2024).
    pub fn estimate(&self, alpha: f64) -> EstimateSet {
        let set = estimate_models(&self.judge, &self.model_scores(), alpha);
        if self.designs.is_empty() {
            return set;
        }
        let designs: Vec<ActiveScores<'_>> = self
            .designs
            .iter()
            .map(|d| ActiveScores {
                f: &d.f,
                pi: &d.pi,
                y: &d.y,
            })
            .collect();
        with_active_design(set, &designs, self.rounds)
    }

    /// One [`ModelScores`] per attribute × model, attribute-major.
    pub fn model_scores(&self) -> Vec<ModelScores<'_>> {
        let m = self.models.len();
        self.groups
            .iter()
            .enumerate()
            .map(|(i, g)| ModelScores {
                model: &self.models[i % m],
                attribute: &self.attributes[i / m],
                y: &g.y,
                yhat: &g.yhat,
                yhat_unlabelled: &self.scores.judge(self.attribute_index[i / m], self.column)
                    [g.yhat_unlabelled.clone()],
            })
            .collect()
    }

    /// Responses with a human score but no score by this judge, summed over the groups (left
    /// out of every estimate).
    pub fn unjudged(&self) -> usize {
        self.groups.iter().map(|g| g.unjudged).sum()
    }
}

/// Human-only, judge-only, PPI++ and PPI model means for one judge, with pairwise differences
/// and the ranking, the PPI++ column weighted by the recorded active `rounds` where there are
/// any: `concord estimate`'s numbers, and the report's and the dashboard's "Model scores"
/// ([`ScoreGroups::with_design`], then [`ScoreGroups::estimate`]).
pub fn estimate(
    data: &StudyRatings,
    rounds: &[SamplingRound],
    judge: &str,
    attributes: &[String],
    alpha: f64,
) -> Result<EstimateSet> {
    Ok(ScoreGroups::with_design(data, judge, attributes, rounds)?.estimate(alpha))
}

/// `concord plan` for one attribute (the first when `None`): the human ICC(A,1) (Bonett 2002)
/// from the humans' current ICC(A,1) on the responses every human rated, each judge's bias and
/// limits of agreement, and each model's PPI++ mix with `judge` (the first judge when `None`),
/// all at full interval width `width` (`plan::plan_attribute`).
pub fn plan(
    data: &StudyRatings,
    attribute: Option<&str>,
    judge: Option<&str>,
    width: f64,
    alpha: f64,
) -> Result<PlanReport> {
    let key = match attribute {
        Some(k) => k.to_string(),
        None => data
            .attributes
            .first()
            .map(|a| a.key.clone())
            .ok_or_else(|| ReportError::NoAttribute {
                valid: String::new(),
            })?,
    };
    let a = attribute_indices(&data.attributes, std::slice::from_ref(&key))?[0];
    let judges = judge_indices(&data.raters);
    // Without any judge the plan still has the human ICC; its judge and PPI lists are empty.
    let main = match judge {
        Some(name) => Some(judge_index(&data.raters, name)?),
        None => judges.first().copied(),
    };
    let per_judge = judges
        .iter()
        .map(|&j| ScoreGroups::new(data, &data.raters[j].name, std::slice::from_ref(&key)))
        .collect::<Result<Vec<_>>>()?;
    // Each judge's paired (judge, human mean) scores over every model.
    let paired: Vec<(Vec<f64>, Vec<f64>)> = per_judge
        .iter()
        .map(|g| {
            let yhat = g.groups.iter().flat_map(|g| g.yhat.iter().copied());
            let y = g.groups.iter().flat_map(|g| g.y.iter().copied());
            (yhat.collect(), y.collect())
        })
        .collect();
    let judge_rows: Vec<(&str, &[f64], &[f64])> = per_judge
        .iter()
        .zip(&paired)
        .map(|(g, (f, y))| (g.judge.as_str(), f.as_slice(), y.as_slice()))
        .collect();
    let models = main
        .and_then(|m| judges.iter().position(|&j| j == m))
        .map_or_else(Vec::new, |i| per_judge[i].model_scores());
    Ok(plan_attribute(
        &key,
        width,
        alpha,
        human_icc(data, a),
        &judge_rows,
        &models,
        JUDGE_COST,
    ))
}

/// (ICC(A,1), k humans, responses every human rated) for attribute `a`, or `None` when it is
/// not estimable: the humans' ICC2 exactly as `agreement_report` computes it (`icc::icc_forms`).
fn human_icc(data: &StudyRatings, a: usize) -> Option<(f64, usize, usize)> {
    let humans: Vec<usize> = (0..data.raters.len())
        .filter(|&r| !data.raters[r].is_judge)
        .collect();
    let k = humans.len();
    let mut column = vec![usize::MAX; data.raters.len()];
    for (c, &r) in humans.iter().enumerate() {
        column[r] = c;
    }
    let mut cells = vec![None; data.targets.len() * k];
    for o in &data.ratings {
        if o.attribute == a && o.target < data.targets.len() {
            if let Some(&c) = column.get(o.rater).filter(|&&c| c != usize::MAX) {
                cells[o.target * k + c] = Some(o.value);
            }
        }
    }
    let matrix = RatingMatrix::new(data.targets.len(), k, cells).ok()?;
    let icc = icc_forms(&matrix);
    icc.icc.icc2.value.map(|rho| (rho, k, icc.n_targets))
}

#[cfg(test)]
mod tests;
