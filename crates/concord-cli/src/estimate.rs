//! `estimate`, `plan` and `next`: model scores from a few clinician ratings plus the judges'
//! scores on everything, how many more ratings a target precision needs, and which responses
//! to rate next. Parses, calls `concord_report::estimates`, formats.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use concord_core::{RaterKind, Study};
use concord_report::estimates::{self, NextBatch};
use concord_stats::plan::{PlanReport, SizePlan};
use concord_stats::ppi::{EstimateSet, MeanCi};
use serde::Serialize;

use crate::commands::print_json;

/// `concord estimate`.
#[derive(Args)]
pub struct EstimateArgs {
    file: PathBuf,
    /// The LLM judge whose scores fill in the responses no clinician rated.
    #[arg(long)]
    judge: String,
    /// Only these attributes (repeatable; default: all).
    #[arg(long = "attribute", value_name = "KEY")]
    attributes: Vec<String>,
    /// Error level: intervals are 1 − alpha.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    #[arg(long)]
    json: bool,
}

/// `concord plan`.
#[derive(Args)]
pub struct PlanArgs {
    file: PathBuf,
    /// Attribute to plan for (default: the first of the rubric).
    #[arg(long)]
    attribute: Option<String>,
    /// Judge for the PPI++ plan (default: the first judge).
    #[arg(long)]
    judge: Option<String>,
    /// Target full width (upper − lower) of each 95% interval: ICC units for the ICC, scale
    /// points for bias, limits of agreement and model means.
    #[arg(long, default_value_t = 0.2)]
    width: f64,
    #[arg(long)]
    json: bool,
}

/// `concord next`.
#[derive(Args)]
pub struct NextArgs {
    file: PathBuf,
    /// How many responses to pick.
    #[arg(long)]
    count: usize,
    /// Use this judge's score spread (default: the disagreement of all judges).
    #[arg(long)]
    judge: Option<String>,
    /// Assign the picked responses that have no human rating yet to this human rater.
    #[arg(long, value_name = "RATER")]
    assign: Option<String>,
    /// Seed of the random draw (same study and seed, same picks).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long)]
    json: bool,
}

fn usage(message: String) -> anyhow::Error {
    concord_io::IoError::Usage(message).into()
}

/// "95" for α = 0.05, "99.9" for α = 0.001.
fn level(alpha: f64) -> String {
    let pct = (1.0 - alpha) * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        format!("{pct}%")
    }
}

/// A number as printed: three decimals, never "-0.000".
fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    if s == "-0.000" {
        "0.000".to_string()
    } else {
        s
    }
}

/// "3.214 [2.801, 3.627]", or "—" with the reason.
fn mean(m: &MeanCi) -> String {
    match (m.value, m.ci95) {
        (Some(v), Some([lo, hi])) => format!("{} [{}, {}]", num(v), num(lo), num(hi)),
        (Some(v), None) => format!("{} (no interval)", num(v)),
        (None, _) => format!("— ({})", m.reason.as_deref().unwrap_or("not estimable")),
    }
}

/// Prints the model scores of one judge.
pub fn estimate(a: EstimateArgs) -> Result<()> {
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(usage(format!(
            "--alpha must lie strictly between 0 and 1, got {}",
            a.alpha
        )));
    }
    let study = Study::open(&a.file)?;
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

fn print_estimates(set: &EstimateSet, unjudged: usize) {
    println!(
        "Model scores with {} as judge ({} intervals; n = human-rated responses, N = judge-only)",
        set.judge,
        level(set.alpha)
    );
    let mut attribute = "";
    for e in &set.estimates {
        if e.attribute != attribute {
            attribute = &e.attribute;
            println!("\n{attribute}");
        }
        println!(
            "  {}  n = {}, N = {}",
            e.model, e.n_labelled, e.n_unlabelled
        );
        let lambda = e
            .ppi_plus
            .lambda
            .map_or_else(String::new, |l| format!("  λ = {}", num(l)));
        println!("    PPI++        {}{lambda}", mean(&e.ppi_plus));
        println!("    human only   {}", mean(&e.human_only));
        println!("    PPI (λ = 1)  {}", mean(&e.ppi));
        println!(
            "    judge only   {} (biased: not corrected by human scores)",
            e.judge_only.value.map_or_else(|| "—".to_string(), num)
        );
    }
    if !set.differences.is_empty() {
        println!("\nDifferences (PPI++, A − B)");
        for d in &set.differences {
            let p = d.p_ppi_plus.map_or_else(String::new, |p| {
                if p < 1e-4 {
                    "  p < 0.0001".to_string()
                } else {
                    format!("  p = {p:.4}")
                }
            });
            println!(
                "  {}: {} − {}  {}{p}",
                d.attribute,
                d.model_a,
                d.model_b,
                mean(&d.ppi_plus)
            );
        }
    }
    if !set.ranking.is_empty() {
        println!(
            "\nRanking by PPI++ mean (rank interval holds the true rank with ≥ {} probability)",
            level(set.alpha)
        );
        for r in &set.ranking {
            println!(
                "  {}: {}. {}  {}  (rank {}–{})",
                r.attribute,
                r.rank,
                r.model,
                num(r.value),
                r.rank_ci[0],
                r.rank_ci[1]
            );
        }
    }
    if unjudged > 0 {
        println!(
            "\nnote: {unjudged} human-rated response × attribute cells have no score by {} and are left out",
            set.judge
        );
    }
}

/// Prints how many more ratings the target width needs.
pub fn plan(a: PlanArgs) -> Result<()> {
    if !(a.width > 0.0 && a.width.is_finite()) {
        return Err(usage(format!("--width must be > 0, got {}", a.width)));
    }
    let study = Study::open(&a.file)?;
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

/// "120 needed (8 now, 112 more)" or the reason.
fn size(n_needed: Option<u64>, n_now: usize, n_more: Option<u64>, reason: Option<&str>) -> String {
    match (n_needed, n_more) {
        (Some(n), Some(m)) => format!("{n} needed ({n_now} now, {m} more)"),
        _ => format!(
            "not computable ({})",
            reason.unwrap_or("no estimate to plan from")
        ),
    }
}

fn size_plan(s: &SizePlan) -> String {
    size(s.n_needed, s.n_now, s.n_more, s.reason.as_deref())
}

fn print_plan(r: &PlanReport, judge: Option<&str>) {
    println!(
        "Plan for {}: {} intervals of full width {} (±{})",
        r.attribute,
        level(r.alpha),
        r.width,
        r.width / 2.0
    );
    let icc = &r.human_icc;
    println!(
        "\nHuman ICC(A,1){}, {} raters: responses rated by every human: {}",
        icc.rho
            .map_or_else(String::new, |rho| format!(" = {}", num(rho))),
        icc.k,
        size(icc.n_needed, icc.n_now, icc.n_more, icc.reason.as_deref())
    );
    if let Some(c) = &icc.correction {
        println!("  small-sample correction: {c}");
    }
    if !r.judges.is_empty() {
        println!("\nJudges against the human mean (responses both scored):");
        for j in &r.judges {
            let sd = j
                .sd_diff
                .map_or_else(String::new, |s| format!(", SD of differences {}", num(s)));
            println!("  {}{sd}", j.judge);
            println!("    mean bias            {}", size_plan(&j.bias));
            println!("    limits of agreement  {}", size_plan(&j.loa));
        }
    }
    if !r.ppi.is_empty() {
        println!(
            "\nPPI++ model means with {} (its scores on every response are used):",
            judge.unwrap_or("the judge")
        );
        for p in &r.ppi {
            let corr = p
                .ppi_corr
                .map_or_else(String::new, |c| format!(", corr {}", num(c)));
            println!("  {} ({} responses{corr})", p.model, p.n_total);
            println!(
                "    human ratings        {}",
                size(p.n_needed, p.n_now, p.n_more, p.reason.as_deref())
            );
            if let (Some(n0), Some(_)) = (p.n_classical, p.n_needed) {
                println!("    human only: {n0} needed");
            }
            if let (Some(_), Some(reason)) = (p.n_needed, &p.reason) {
                println!("    note: {reason}");
            }
        }
    }
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
    let study = Study::open(&a.file)?;
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
