//! `concord next`: which responses clinicians should rate next (active sampling; Zrnic &
//! Candès 2024), with every candidate's π, as the study records a round.

use concord_core::sampling::{SampledResponse, SamplingRound};
use concord_core::{RaterKind, ScoringRatings, Study};
use concord_stats::active::{
    calibrated_uncertainty, choose_next, judge_disagreement, uncertainty_by_score, ActiveModel,
};
use serde::{Deserialize, Serialize};

use super::{attribute_indices, judge_column, judge_index, UNIFORM_MIX};
use crate::{ReportError, Result};

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
    /// Whether each candidate already had a human score on every selected attribute.
    pub rated: Vec<bool>,
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

impl NextBatch {
    /// The round as the study records it when its picks are assigned
    /// (`Study::assign_sampled`): every candidate with its π and whether it was rated.
    pub fn sampling_round(&self) -> SamplingRound {
        SamplingRound {
            seed: self.seed,
            uniform_mix: self.uniform_mix,
            candidates: self
                .models
                .iter()
                .flat_map(|m| {
                    m.response_ids
                        .iter()
                        .zip(&m.probabilities)
                        .zip(&m.rated)
                        .map(|((id, &probability), &rated)| SampledResponse {
                            response_id: id.clone(),
                            probability,
                            rated,
                        })
                })
                .collect(),
        }
    }

    /// External ids of the picks that still need a human rating.
    pub fn unrated_picks(&self) -> Vec<String> {
        self.picks
            .iter()
            .filter(|p| !p.rated)
            .map(|p| p.response_id.clone())
            .collect()
    }
}

/// `concord next`: `count` responses whose human ratings most shrink the PPI++ intervals.
/// A response's uncertainty is, per attribute, the judge's residual spread at its score
/// (`active::uncertainty_by_score`, one judge: `judge` or the study's only judge) or the judges'
/// disagreement calibrated on the rated responses (`active::calibrated_uncertainty`, several),
/// combined over attributes as √(mean u²) — the π that minimises the summed variance of all
/// attribute means, since one clinician rating scores every attribute. `data` is
/// `Study::scoring_scores` with the same `judge` and the responses' ids (which move into the
/// batch; a load without them leaves the batch's ids empty).
pub fn next(
    mut data: ScoringRatings,
    judge: Option<&str>,
    attributes: &[String],
    count: usize,
    seed: u64,
) -> Result<NextBatch> {
    // Each id goes to the batch once as a candidate: moved there, not copied.
    let mut ids = data.responses.take_ids();
    let scores = &data.scores;
    let attrs = attribute_indices(&data.attributes, attributes)?;
    // (rater index, column in `scores`) of each judge weighed.
    let judges: Vec<(usize, usize)> = match judge {
        Some(name) => {
            let j = judge_index(&data.raters, name)?;
            vec![(j, judge_column(&data.raters, scores, j)?)]
        }
        None => scores.judges().iter().copied().zip(0..).collect(),
    };
    if judges.is_empty() {
        return Err(ReportError::NoJudge);
    }
    let models = data.responses.models();
    let n = data.responses.len();
    let mut sum_u2 = vec![0.0; n];
    let mut rated = vec![true; n];
    for &a in &attrs {
        let columns: Vec<&[f64]> = judges.iter().map(|&(_, c)| scores.judge(a, c)).collect();
        // f = the judges' mean score (over those who scored the response), summed judge by
        // judge over every response (a loop that vectorises).
        let mut f = vec![0.0; n];
        let mut scored = vec![0u32; n];
        for column in &columns {
            for ((sum, k), &x) in f.iter_mut().zip(&mut scored).zip(*column) {
                if x.is_finite() {
                    *sum += x;
                    *k += 1;
                }
            }
        }
        for (mean, &k) in f.iter_mut().zip(&scored) {
            *mean = if k > 0 {
                *mean / f64::from(k)
            } else {
                f64::NAN
            };
        }
        let disagreement = (judges.len() > 1).then(|| judge_disagreement(&columns));
        let (mut rated_x, mut residuals) = (Vec::new(), Vec::new());
        for t in 0..n {
            match scores.human(a, t) {
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
    for (t, &m) in data.responses.model_of().iter().enumerate() {
        members[m as usize].push(t);
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
    Ok(NextBatch {
        judges: judges
            .iter()
            .map(|&(j, _)| data.raters[j].name.clone())
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
                    response_id: ids.get(t).cloned().unwrap_or_default(),
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
                response_ids: ts
                    .iter()
                    .map(|&t| ids.get_mut(t).map(std::mem::take).unwrap_or_default())
                    .collect(),
                probabilities,
                rated: ts.iter().map(|&t| rated[t]).collect(),
            })
            .collect(),
    })
}

/// Responses a round put at the front of a rater's queue ([`push_next`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Assigned {
    /// The human rater.
    pub rater: String,
    /// Responses the round picked (those already rated by a human need no new rating).
    pub picked: usize,
    /// Picks without a human rating, now first in the rater's queue.
    pub responses: usize,
    /// Of those, new to the queue (the others moved up).
    pub added: usize,
    /// Seed of the round's draw, recorded with it (`concord next --seed` repeats the draw on
    /// the study as it was).
    pub seed: u64,
}

/// [`next`] on every attribute of `study`, read as `concord next` needs it: the humans and the
/// judges it weighs, with the responses' ids (it names its picks) and no texts.
pub fn next_in_study(
    study: &Study,
    judge: Option<&str>,
    count: usize,
    seed: u64,
) -> Result<NextBatch> {
    let data = study.scoring_scores(judge, true)?;
    next(data, judge, &[], count, seed)
}

/// `concord next --assign` and Admin's "Push to the front": a [`next`] round whose unrated
/// picks go to the front of the human `rater`'s queue, with every candidate's π recorded
/// (`Study::assign_sampled`), so `concord estimate` can weight by it.
pub fn push_next(
    study: &Study,
    rater: &str,
    judge: Option<&str>,
    count: usize,
    seed: u64,
) -> Result<(NextBatch, Assigned)> {
    let person = study
        .find_rater(rater)?
        .filter(|r| r.kind == RaterKind::Human)
        .ok_or_else(|| ReportError::NotInStudy {
            what: "human rater",
            name: rater.to_string(),
            study: study.path().display().to_string(),
        })?;
    let batch = next_in_study(study, judge, count, seed)?;
    let ids = batch.unrated_picks();
    let added = study.assign_sampled(&person.id, &ids, &batch.sampling_round())?;
    let assigned = Assigned {
        rater: person.name,
        picked: batch.picks.len(),
        responses: ids.len(),
        added,
        seed: batch.seed,
    };
    Ok((batch, assigned))
}
