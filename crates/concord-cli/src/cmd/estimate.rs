//! `estimate`, `plan` and `next`: model scores from a few clinician ratings plus the judges'
//! scores on everything, how many more ratings a target precision needs, and which responses
//! to rate next. Parses, calls `concord_report::estimates`, prints through `output`.

use anyhow::{bail, Context, Result};
use concord_core::RaterKind;
use concord_report::estimates::{self, NextBatch};
use serde::Serialize;

use super::open_study;
use super::usage;
use crate::cli::{EstimateArgs, NextArgs, PlanArgs};
use crate::output::{print_estimates, print_json, print_plan};

/// Prints the model scores of one judge.
pub fn estimate(a: EstimateArgs) -> Result<()> {
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(usage(format!(
            "--alpha must lie strictly between 0 and 1, got {}",
            a.alpha
        )));
    }
    let study = open_study(&a.file)?;
    let data = study.study_ratings()?;
    let groups = estimates::ScoreGroups::new(&data, &a.judge, &a.attributes)?;
    let set = concord_stats::ppi::estimate_models(&groups.judge, &groups.model_scores(), a.alpha);
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
    let data = study.study_ratings()?;
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

/// Responses given to a rater by `--assign`.
#[derive(Serialize)]
struct Assigned {
    rater: String,
    /// Picks without a human rating, sent to the rater.
    responses: usize,
    /// Of those, newly added to the rater's queue (the others were already in it).
    added: usize,
}

/// Picks the next responses to rate and optionally assigns them.
pub fn next(a: NextArgs) -> Result<()> {
    if a.count == 0 {
        return Err(usage("--count must be at least 1".to_string()));
    }
    let study = open_study(&a.file)?;
    let rater = match &a.assign {
        Some(name) => {
            let r = study.find_rater(name)?.with_context(|| {
                format!("no rater named '{name}' in {}", study.path().display())
            })?;
            if r.kind != RaterKind::Human {
                bail!("'{name}' is an LLM judge: --assign takes a human rater");
            }
            Some(r)
        }
        None => None,
    };
    let data = study.study_ratings()?;
    let batch = estimates::next(&data, a.judge.as_deref(), &[], a.count, a.seed)?;
    let assigned = match rater {
        Some(r) => {
            let gids = study.response_ids()?;
            let ids: Vec<String> = batch
                .picks
                .iter()
                .filter(|p| !p.rated)
                .filter_map(|p| gids.get(&p.response_id).cloned())
                .collect();
            let added = study.assign(&r.id, &ids)?;
            Some(Assigned {
                rater: r.name,
                responses: ids.len(),
                added,
            })
        }
        None => None,
    };
    if a.json {
        print_json(&NextOutput {
            batch: &batch,
            assigned,
        });
        return Ok(());
    }
    println!(
        "Next {} responses to rate (seed {}; uncertainty: {}; {}% drawn uniformly)",
        batch.picks.len(),
        batch.seed,
        batch.uncertainty,
        batch.uniform_mix * 100.0
    );
    println!("  π = the response's probability of being picked; keep it (--json has every π)");
    for p in &batch.picks {
        let note = if p.rated { "  (already rated)" } else { "" };
        println!(
            "  {:<10} {:<28} π = {:.4}{note}",
            p.model, p.response_id, p.probability
        );
    }
    let budget: Vec<String> = batch
        .models
        .iter()
        .map(|m| format!("{} {}", m.model, m.picks))
        .collect();
    println!("Picks per model: {}", budget.join(", "));
    if let Some(s) = assigned {
        println!(
            "assigned {} responses to {} ({} new in the queue)",
            s.responses, s.rater, s.added
        );
    }
    Ok(())
}
