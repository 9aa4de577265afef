//! `estimate`, `plan` and `next`: model scores from a few clinician ratings plus the judges'
//! scores on everything, how many more ratings a target precision needs, and which responses
//! to rate next. Parses, calls `concord_report::estimates`, prints through `output`.

use anyhow::Result;
use concord_report::estimates::{self, Assigned, NextBatch};
use serde::Serialize;

use super::open_study;
use super::usage;
use crate::cli::{EstimateArgs, NextArgs, PlanArgs};
use crate::output::{print_estimates, print_json, print_next, print_plan};

/// Prints the model scores of one judge.
pub fn estimate(a: EstimateArgs) -> Result<()> {
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(usage(format!(
            "--alpha must lie strictly between 0 and 1, got {}",
            a.alpha
        )));
    }
    let study = open_study(&a.file)?;
    let rounds = study.sampling_rounds()?;
    // Rounds name their responses by id; without any, the estimate needs no id.
    let data = study.scoring_scores(Some(&a.judge), !rounds.is_empty())?;
    let groups = estimates::ScoreGroups::from_scores(data, &a.judge, &a.attributes, &rounds)?;
    let set = groups.estimate(a.alpha);
    if a.json {
        print_json(&set);
    } else {
        print_estimates(&set, groups.unjudged());
    }
    Ok(())
}

/// Prints how many more ratings the target width needs.
pub fn plan(a: PlanArgs) -> Result<()> {
    if !(a.width > 0.0 && a.width.is_finite()) {
        return Err(usage(format!("--width must be > 0, got {}", a.width)));
    }
    let study = open_study(&a.file)?;
    // Every judge's scores (the plan has a row per judge), no response texts.
    let data = study.scoring_ratings(None)?;
    let report = estimates::plan(
        &data,
        a.attribute.as_deref(),
        a.judge.as_deref(),
        a.width,
        0.05,
    )?;
    if a.json {
        print_json(&report);
    } else {
        let judge = a.judge.or_else(|| {
            data.raters
                .iter()
                .find(|r| r.is_judge)
                .map(|r| r.name.clone())
        });
        print_plan(&report, judge.as_deref());
    }
    Ok(())
}

/// The `concord next --json` output: the batch, and what `--assign` did.
#[derive(Serialize)]
struct NextOutput<'a> {
    #[serde(flatten)]
    batch: &'a NextBatch,
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned: Option<Assigned>,
}

/// Picks the next responses to rate and optionally assigns them.
pub fn next(a: NextArgs) -> Result<()> {
    if a.count == 0 {
        return Err(usage("--count must be at least 1".to_string()));
    }
    let study = open_study(&a.file)?;
    let (batch, assigned) = match &a.assign {
        Some(rater) => {
            let (batch, assigned) =
                estimates::push_next(&study, rater, a.judge.as_deref(), a.count, a.seed)?;
            (batch, Some(assigned))
        }
        None => (
            estimates::next_in_study(&study, a.judge.as_deref(), a.count, a.seed)?,
            None,
        ),
    };
    if a.json {
        print_json(&NextOutput {
            batch: &batch,
            assigned,
        });
        return Ok(());
    }
    print_next(&batch, assigned.as_ref());
    Ok(())
}
