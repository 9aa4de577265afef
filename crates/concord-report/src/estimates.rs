//! Model scores, sample-size plans and the next responses to rate, from a study's ratings: the
//! study side of `concord_stats::{ppi, plan, active}` (`concord estimate`, `concord plan`,
//! `concord next` and the report's "Model scores" section).
//!
//! Per judge × model × attribute: Y = the mean of the human scores of a response (every
//! non-judge rater who scored it), Ŷ = the judge's score on the same response, Ŷ_unl = the
//! judge's scores on the model's responses no human scored. A response the judge did not score
//! is in neither slice (counted as `unjudged`): PPI needs Ŷ wherever Y is.
//!
//! Grouping is one pass over the ratings into dense (attribute, response) arrays, then one pass
//! over the responses per attribute. Models are found by position (a study has few, and
//! responses of one model tend to sit together), never through a string map.

use concord_stats::active::{
    calibrated_uncertainty, choose_next, judge_disagreement, uncertainty_by_score, ActiveModel,
};
use concord_stats::icc::icc_forms;
use concord_stats::plan::{plan_attribute, PlanReport};
use concord_stats::ppi::{estimate_models, EstimateSet, ModelScores};
use concord_stats::report::StudyRatings;
use concord_stats::RatingMatrix;
use serde::{Deserialize, Serialize};

use crate::{ReportError, Result};

/// Share of each `concord next` round drawn uniformly (Zrnic & Candès 2024 mix a uniform part
/// in so that no response gets a vanishing π and a huge weight; `active` suggests 0.1–0.3).
pub const UNIFORM_MIX: f64 = 0.2;

/// Cost of one judge score in clinician ratings for `concord plan`: the judges have already
/// scored every response, so their scores are free and the plan uses all of them.
pub const JUDGE_COST: f64 = 0.0;

/// The attributes `keys` name (every attribute when empty), as indices into `data.attributes`.
fn attribute_indices(data: &StudyRatings, keys: &[String]) -> Result<Vec<usize>> {
    if keys.is_empty() {
        return Ok((0..data.attributes.len()).collect());
    }
    keys.iter()
        .map(|k| {
            data.attributes
                .iter()
                .position(|a| a.key == *k)
                .ok_or_else(|| ReportError::UnknownAttribute {
                    name: k.clone(),
                    valid: data
                        .attributes
                        .iter()
                        .map(|a| a.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })
        })
        .collect()
}

/// Indices of the study's LLM judges, in rater order.
fn judge_indices(data: &StudyRatings) -> Vec<usize> {
    (0..data.raters.len())
        .filter(|&r| data.raters[r].is_judge)
        .collect()
}

/// The judge called `name`, as an index into `data.raters`.
fn judge_index(data: &StudyRatings, name: &str) -> Result<usize> {
    let judges = judge_indices(data);
    judges
        .iter()
        .copied()
        .find(|&r| data.raters[r].name == name)
        .ok_or_else(|| ReportError::UnknownJudge {
            name: name.to_string(),
            valid: if judges.is_empty() {
                "none (this study has no LLM judge)".to_string()
            } else {
                judges
                    .iter()
                    .map(|&r| data.raters[r].name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
}

/// The study's models in order of first appearance, and each response's model index.
fn models_of(data: &StudyRatings) -> (Vec<&str>, Vec<usize>) {
    let mut models: Vec<&str> = Vec::new();
    let mut last = usize::MAX;
    let of_target = data
        .targets
        .iter()
        .map(|t| {
            if last != usize::MAX && models[last] == t.model {
                return last;
            }
            last = match models.iter().position(|m| *m == t.model) {
                Some(m) => m,
                None => {
                    models.push(&t.model);
                    models.len() - 1
                }
            };
            last
        })
        .collect();
    (models, of_target)
}

/// Dense score arrays for the selected attributes: human sums and counts per (attribute slot,
/// response), and each selected judge's score per (attribute slot, judge column, response).
struct Cells {
    n_targets: usize,
    n_judges: usize,
    human_sum: Vec<f64>,
    human_n: Vec<u32>,
    /// NaN where the judge did not score the response.
    judge: Vec<f64>,
}

impl Cells {
    fn load(data: &StudyRatings, attributes: &[usize], judges: &[usize]) -> Cells {
        let n_targets = data.targets.len();
        let mut slot = vec![usize::MAX; data.attributes.len()];
        for (s, &a) in attributes.iter().enumerate() {
            slot[a] = s;
        }
        // Rater → judge column; usize::MAX = human, usize::MAX − 1 = a judge not selected.
        let column: Vec<usize> = data
            .raters
            .iter()
            .enumerate()
            .map(|(r, spec)| match judges.iter().position(|&j| j == r) {
                Some(c) => c,
                None if spec.is_judge => usize::MAX - 1,
                None => usize::MAX,
            })
            .collect();
        let cells = attributes.len() * n_targets;
        let mut out = Cells {
            n_targets,
            n_judges: judges.len(),
            human_sum: vec![0.0; cells],
            human_n: vec![0; cells],
            judge: vec![f64::NAN; cells * judges.len()],
        };
        for o in &data.ratings {
            let (Some(&s), Some(&c)) = (slot.get(o.attribute), column.get(o.rater)) else {
                continue;
            };
            if s == usize::MAX || o.target >= n_targets || !o.value.is_finite() {
                continue;
            }
            let cell = s * n_targets + o.target;
            match c {
                usize::MAX => {
                    out.human_sum[cell] += o.value;
                    out.human_n[cell] += 1;
                }
                c if c < out.n_judges => {
                    out.judge[(s * out.n_judges + c) * n_targets + o.target] = o.value;
                }
                _ => {}
            }
        }
        out
    }

    /// Mean human score of response `t` on attribute slot `s`.
    fn human(&self, s: usize, t: usize) -> Option<f64> {
        let i = s * self.n_targets + t;
        (self.human_n[i] > 0).then(|| self.human_sum[i] / f64::from(self.human_n[i]))
    }

    /// Judge column `c`'s scores on attribute slot `s`, one per response (NaN = not scored).
    fn judge(&self, s: usize, c: usize) -> &[f64] {
        let start = (s * self.n_judges + c) * self.n_targets;
        &self.judge[start..start + self.n_targets]
    }
}

/// One judge × model × attribute: the three slices of [`ModelScores`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Group {
    y: Vec<f64>,
    yhat: Vec<f64>,
    yhat_unlabelled: Vec<f64>,
    unjudged: usize,
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
}

impl ScoreGroups {
    /// Groups `judge`'s and the humans' scores on `attributes` (every attribute when empty).
    pub fn new(data: &StudyRatings, judge: &str, attributes: &[String]) -> Result<ScoreGroups> {
        let j = judge_index(data, judge)?;
        let attrs = attribute_indices(data, attributes)?;
        let (models, model_of) = models_of(data);
        let cells = Cells::load(data, &attrs, &[j]);
        let m = models.len();
        let mut groups = vec![Group::default(); attrs.len() * m];
        for s in 0..attrs.len() {
            let row = &mut groups[s * m..(s + 1) * m];
            for (t, (&f, &model)) in cells.judge(s, 0).iter().zip(&model_of).enumerate() {
                let g = &mut row[model];
                match (cells.human(s, t), f.is_finite()) {
                    (Some(y), true) => {
                        g.y.push(y);
                        g.yhat.push(f);
                    }
                    (None, true) => g.yhat_unlabelled.push(f),
                    (Some(_), false) => g.unjudged += 1,
                    (None, false) => {}
                }
            }
        }
        Ok(ScoreGroups {
            judge: data.raters[j].name.clone(),
            attributes: attrs
                .iter()
                .map(|&a| data.attributes[a].key.clone())
                .collect(),
            models: models.iter().map(|s| s.to_string()).collect(),
            groups,
        })
    }

    /// One [`ModelScores`] per attribute × model, attribute-major.
    pub fn model_scores(&self) -> Vec<ModelScores<'_>> {
        self.groups
            .iter()
            .enumerate()
            .map(|(i, g)| ModelScores {
                model: &self.models[i % self.models.len()],
                attribute: &self.attributes[i / self.models.len()],
                y: &g.y,
                yhat: &g.yhat,
                yhat_unlabelled: &g.yhat_unlabelled,
            })
            .collect()
    }

    /// Responses with a human score but no score by this judge, summed over the groups (left
    /// out of every estimate).
    pub fn unjudged(&self) -> usize {
        self.groups.iter().map(|g| g.unjudged).sum()
    }
}

/// `concord estimate`: human-only, judge-only, PPI++ and PPI model means for one judge, with
/// pairwise differences and the ranking (`ppi::estimate_models`; Angelopoulos, Duchi & Zrnic 2023).
pub fn estimate(
    data: &StudyRatings,
    judge: &str,
    attributes: &[String],
    alpha: f64,
) -> Result<EstimateSet> {
    let groups = ScoreGroups::new(data, judge, attributes)?;
    Ok(estimate_models(
        &groups.judge,
        &groups.model_scores(),
        alpha,
    ))
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
    let a = attribute_indices(data, std::slice::from_ref(&key))?[0];
    let judges = judge_indices(data);
    // Without any judge the plan still has the human ICC; its judge and PPI lists are empty.
    let main = match judge {
        Some(name) => Some(judge_index(data, name)?),
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

/// One response chosen by `concord next`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextPick {
    /// Model name.
    pub model: String,
    /// The response's external id.
    pub response_id: String,
    /// Its inclusion probability π this round (weight 1/π in the estimate).
    pub probability: f64,
    /// Whether a human already scored it on every selected attribute (then it needs no new rating).
    pub rated: bool,
}

/// One model's share of a `concord next` round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextModel {
    /// Model name.
    pub model: String,
    /// Picks from this model (∝ its mean judge uncertainty).
    pub picks: usize,
    /// External ids of every response of the model, the candidates of the round.
    pub response_ids: Vec<String>,
    /// π of every candidate this round, aligned with `response_ids` (Σ = `picks`).
    pub probabilities: Vec<f64>,
}

/// A `concord next` round: which responses to rate and with what probability each was drawn
/// (`active::choose_next`; Zrnic & Candès 2024).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextBatch {
    /// Judges whose scores set the uncertainty.
    pub judges: Vec<String>,
    /// Attributes whose uncertainties were combined.
    pub attributes: Vec<String>,
    /// How the judge uncertainty was estimated.
    pub uncertainty: String,
    /// Share of the round drawn uniformly.
    pub uniform_mix: f64,
    /// Seed of the draw.
    pub seed: u64,
    /// The chosen responses, model by model.
    pub picks: Vec<NextPick>,
    /// Per model: its budget and every candidate's π (keep them: a later estimate weights each
    /// rating by 1/π, with π combined over rounds by `active::combined_probabilities`).
    pub models: Vec<NextModel>,
}

/// `concord next`: `count` responses whose human ratings most shrink the PPI++ intervals.
/// A response's uncertainty is, per attribute, the judge's residual spread at its score
/// (`active::uncertainty_by_score`, one judge: `judge` or the study's only judge) or the judges'
/// disagreement calibrated on the rated responses (`active::calibrated_uncertainty`, several),
/// combined over attributes as √(mean u²) — the π that minimises the summed variance of all
/// attribute means, since one clinician rating scores every attribute.
pub fn next(
    data: &StudyRatings,
    judge: Option<&str>,
    attributes: &[String],
    count: usize,
    seed: u64,
) -> Result<NextBatch> {
    let attrs = attribute_indices(data, attributes)?;
    let judges = match judge {
        Some(name) => vec![judge_index(data, name)?],
        None => judge_indices(data),
    };
    if judges.is_empty() {
        return Err(ReportError::NoJudge);
    }
    let (models, model_of) = models_of(data);
    let cells = Cells::load(data, &attrs, &judges);
    let n = data.targets.len();
    let mut sum_u2 = vec![0.0; n];
    let mut rated = vec![true; n];
    for s in 0..attrs.len() {
        let columns: Vec<&[f64]> = (0..judges.len()).map(|c| cells.judge(s, c)).collect();
        // f = the judges' mean score (over those who scored the response).
        let f: Vec<f64> = (0..n)
            .map(|t| {
                let (sum, k) = columns.iter().fold((0.0, 0u32), |(sum, k), col| {
                    if col[t].is_finite() {
                        (sum + col[t], k + 1)
                    } else {
                        (sum, k)
                    }
                });
                if k > 0 {
                    sum / f64::from(k)
                } else {
                    f64::NAN
                }
            })
            .collect();
        let disagreement = (judges.len() > 1).then(|| judge_disagreement(&columns));
        let (mut rated_x, mut residuals) = (Vec::new(), Vec::new());
        for t in 0..n {
            match cells.human(s, t) {
                Some(y) if f[t].is_finite() => {
                    rated_x.push(disagreement.as_ref().map_or(f[t], |d| d[t]));
                    residuals.push(y - f[t]);
                }
                Some(_) => {}
                None => rated[t] = false,
            }
        }
        let u = match &disagreement {
            Some(d) => calibrated_uncertainty(d, &rated_x, &residuals),
            None => uncertainty_by_score(&f, &rated_x, &residuals),
        };
        for (acc, u) in sum_u2.iter_mut().zip(&u) {
            *acc += u * u;
        }
    }
    let scale = 1.0 / attrs.len().max(1) as f64;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); models.len()];
    for (t, &m) in model_of.iter().enumerate() {
        members[m].push(t);
    }
    let uncertainty: Vec<Vec<f64>> = members
        .iter()
        .map(|ts| ts.iter().map(|&t| (sum_u2[t] * scale).sqrt()).collect())
        .collect();
    let active: Vec<ActiveModel<'_>> = models
        .iter()
        .zip(&uncertainty)
        .map(|(m, u)| ActiveModel {
            model: m,
            uncertainty: u,
        })
        .collect();
    let batch = choose_next(&active, count, UNIFORM_MIX, seed);
    let id = |t: usize| data.targets[t].id.clone();
    Ok(NextBatch {
        judges: judges
            .iter()
            .map(|&j| data.raters[j].name.clone())
            .collect(),
        attributes: attrs
            .iter()
            .map(|&a| data.attributes[a].key.clone())
            .collect(),
        uncertainty: if judges.len() > 1 {
            "judge disagreement, calibrated on the human-rated responses".to_string()
        } else {
            "the judge's residual spread at each score".to_string()
        },
        uniform_mix: UNIFORM_MIX,
        seed,
        picks: batch
            .picks
            .iter()
            .map(|p| {
                let t = members[p.model_index][p.response];
                NextPick {
                    model: p.model.clone(),
                    response_id: id(t),
                    probability: p.probability,
                    rated: rated[t],
                }
            })
            .collect(),
        models: models
            .iter()
            .zip(&members)
            .zip(batch.budget.iter().zip(batch.probabilities))
            .map(|((m, ts), (&picks, probabilities))| NextModel {
                model: m.to_string(),
                picks,
                response_ids: ts.iter().map(|&t| id(t)).collect(),
                probabilities,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_stats::report::{AttributeSpec, Observation, RaterSpec, TargetSpec};

    /// Two models, one attribute; humans H1, H2 and judge J. r0 (model a): both humans and J;
    /// r1 (a): J only; r2 (b): H1 only, no J; r3 (b): H2 and J; r4 (a): nobody.
    fn study() -> StudyRatings {
        let target = |id: &str, model: &str| TargetSpec {
            id: id.to_string(),
            model: model.to_string(),
            length: None,
            item: None,
        };
        let rater = |name: &str, is_judge| RaterSpec {
            name: name.to_string(),
            is_judge,
        };
        let obs = |target, rater, value| Observation {
            target,
            rater,
            attribute: 0,
            value,
        };
        StudyRatings {
            attributes: vec![AttributeSpec {
                key: "empathy".to_string(),
                group: None,
                scale_min: 1,
                scale_max: 5,
            }],
            raters: vec![rater("H1", false), rater("J", true), rater("H2", false)],
            targets: vec![
                target("r0", "a"),
                target("r1", "a"),
                target("r2", "b"),
                target("r3", "b"),
                target("r4", "a"),
            ],
            ratings: vec![
                obs(0, 0, 2.0),
                obs(0, 2, 5.0),
                obs(0, 1, 4.0),
                obs(1, 1, 3.0),
                obs(2, 0, 1.0),
                obs(3, 2, 4.0),
                obs(3, 1, 5.0),
            ],
        }
    }

    #[test]
    fn groups_hold_the_human_mean_the_judge_and_the_judge_only_scores() {
        let data = study();
        let g = ScoreGroups::new(&data, "J", &[]).unwrap();
        assert_eq!(g.models, ["a", "b"]);
        let s = g.model_scores();
        assert_eq!((s[0].model, s[0].attribute), ("a", "empathy"));
        assert_eq!(
            (s[0].y, s[0].yhat, s[0].yhat_unlabelled),
            (&[3.5][..], &[4.0][..], &[3.0][..])
        );
        assert_eq!(
            (s[1].y, s[1].yhat, s[1].yhat_unlabelled),
            (&[4.0][..], &[5.0][..], &[][..])
        );
        // r2 has a human score but no judge score.
        assert_eq!(g.unjudged(), 1);
        assert!(matches!(
            ScoreGroups::new(&data, "H1", &[]),
            Err(ReportError::UnknownJudge { valid, .. }) if valid == "J"
        ));
    }

    #[test]
    fn next_marks_rated_picks_and_covers_every_response() {
        let data = study();
        let batch = next(&data, None, &[], 5, 1).unwrap();
        assert_eq!(batch.judges, ["J"]);
        assert_eq!(batch.picks.len(), 5);
        let rated: Vec<(&str, bool)> = batch
            .picks
            .iter()
            .map(|p| (p.response_id.as_str(), p.rated))
            .collect();
        for (id, r) in rated {
            assert_eq!(r, ["r0", "r2", "r3"].contains(&id), "{id}");
        }
        assert_eq!(batch.models[0].response_ids, ["r0", "r1", "r4"]);
        assert_eq!(batch.models[1].response_ids, ["r2", "r3"]);
    }
}
