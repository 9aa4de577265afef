//! What the command line prints: JSON, and the text form of each result. Nothing here reads
//! or writes a study; no Rust debug formatting reaches the user.

use concord_core::adjudication::{Disagreement, GoldEvent};
use concord_core::assignment::DesignSummary;
use concord_core::design::DesignKind;
use concord_core::inbox::{InboxEntry, InboxStatus};
use concord_core::merge::{MergeConflict, MergeSummary};
use concord_core::progress::ProgressReport;
use concord_core::{Progress, Rater, Rubric, StudyInfo};
use concord_report::estimates::{Assigned, NextBatch};
use concord_stats::plan::{PlanReport, SizePlan};
use concord_stats::ppi::{EstimateSet, MeanCi};

use std::io::{BufWriter, StdoutLock, Write};

mod agreement;
pub use agreement::{format_table, to_csv};

/// Pretty JSON on standard output, streamed: `concord next --json` is megabytes, which a string
/// built first would copy and fault in once more.
pub fn print_json(value: &impl serde::Serialize) {
    let mut out = stdout();
    let written = serde_json::to_writer_pretty(&mut out, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(out));
    printed(written.and_then(|()| out.flush()));
}

/// Standard output, locked and buffered: a result goes out in few writes, not one a line. The
/// buffer is a pipe's capacity (64 KiB): `concord agreement --json` (700 kB) goes out in 21
/// writes (standard output's line buffer splits each at its last newline), where the default
/// 8 KiB took 166, each waking the reader.
fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

/// Fails as `println!` does when standard output cannot be written (a closed pipe).
fn printed(result: std::io::Result<()>) {
    if let Err(e) = result {
        panic!("failed printing to stdout: {e}");
    }
}

/// A cell's value, or "(empty)".
pub fn value_text(v: Option<i64>) -> String {
    v.map_or_else(|| "(empty)".to_string(), |v| v.to_string())
}

/// `concord info`.
pub fn print_info(info: &StudyInfo) {
    println!("{}", info.name);
    println!("  items      {}", info.items);
    println!("  responses  {}", info.responses);
    println!(
        "  raters     {} human, {} LLM",
        info.raters.human, info.raters.llm
    );
    println!(
        "  ratings    {} current values ({} events)",
        info.ratings, info.events
    );
}

/// `concord rubric`.
pub fn print_rubric(rubric: &Rubric) {
    println!(
        "{} ({} attributes; flags: {})",
        rubric.name,
        rubric.attributes.len(),
        rubric.flags.join(", ")
    );
    for a in &rubric.attributes {
        let group = a.group.as_deref().unwrap_or("-");
        println!(
            "  {:<18} {:<5} {}–{}  {}",
            a.key, group, a.scale_min, a.scale_max, a.description
        );
    }
}

/// One line of `concord disagreements`.
pub fn print_disagreement(d: &Disagreement) {
    let values: Vec<String> = d.values.iter().map(|(r, v)| format!("{r}={v}")).collect();
    let gold = d.gold.map(|g| format!("  gold={g}")).unwrap_or_default();
    println!(
        "{:<24} {:<16} range {}  {}{gold}",
        d.external_id,
        d.attribute,
        d.range,
        values.join(" ")
    );
}

/// One line of `concord gold --history`.
pub fn print_gold_event(g: &GoldEvent) {
    println!(
        "{}  {:<24} {:<16} {}  by {}{}",
        g.at,
        g.external_id,
        g.attribute,
        value_text(g.value),
        g.adjudicator,
        if g.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", g.reason)
        }
    );
}

/// A merge receipt.
pub fn print_receipt(s: &MergeSummary) {
    if s.already_merged {
        println!("{}: already merged; nothing to do", s.file);
        return;
    }
    println!(
        "{}: merged {} ({} events, {} notes, {} gold; {} cells changed; {} conflicts)",
        s.file,
        s.kind,
        s.events_added,
        s.notes_added,
        s.gold_added,
        s.cells_changed,
        s.conflicts.len()
    );
    if let Some(reason) = &s.accepted_altered {
        println!("  accepted although altered after return: {reason}");
    }
    for r in &s.raters {
        println!(
            "  {}: {} events added, {} cells changed, {} conflicts",
            r.rater, r.events_added, r.cells_changed, r.conflicts
        );
    }
    for c in &s.conflicts {
        print_conflict(c);
    }
}

/// One conflict, open or resolved.
pub fn print_conflict(c: &MergeConflict) {
    let state = match &c.resolved {
        Some(r) => format!(
            "resolved to {} by {} at {}",
            value_text(r.value),
            r.by,
            r.at
        ),
        None => format!("now {}", value_text(c.current)),
    };
    println!(
        "  conflict {}: {} on {} / {}: here {}, incoming {}; {state}",
        c.id,
        c.rater,
        c.external_id,
        c.attribute,
        value_text(c.here),
        value_text(c.incoming)
    );
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

pub fn print_estimates(set: &EstimateSet, unjudged: usize) {
    let mut out = stdout();
    printed(write_estimates(&mut out, set, unjudged).and_then(|()| out.flush()));
}

/// `concord estimate` in words.
fn write_estimates(
    out: &mut impl Write,
    set: &EstimateSet,
    unjudged: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Model scores with {} as judge ({} intervals; n = human-rated responses, N = judge-only)",
        set.judge,
        level(set.alpha)
    )?;
    if let Some(rounds) = set.active_rounds {
        writeln!(
            out,
            "Active sampling ({rounds} recorded rounds): PPI++ is the active-inference estimate, \
             each clinician rating weighted by 1/π (Zrnic & Candès 2024); human only is unweighted"
        )?;
    }
    let mut attribute = "";
    for e in &set.estimates {
        if e.attribute != attribute {
            attribute = &e.attribute;
            writeln!(out, "\n{attribute}")?;
        }
        writeln!(
            out,
            "  {}  n = {}, N = {}",
            e.model, e.n_labelled, e.n_unlabelled
        )?;
        let lambda = e
            .ppi_plus
            .lambda
            .map_or_else(String::new, |l| format!("  λ = {}", num(l)));
        writeln!(out, "    PPI++        {}{lambda}", mean(&e.ppi_plus))?;
        writeln!(out, "    human only   {}", mean(&e.human_only))?;
        writeln!(out, "    PPI (λ = 1)  {}", mean(&e.ppi))?;
        writeln!(
            out,
            "    judge only   {} (biased: not corrected by human scores)",
            e.judge_only.value.map_or_else(|| "—".to_string(), num)
        )?;
    }
    if !set.differences.is_empty() {
        writeln!(out, "\nDifferences (PPI++, A − B)")?;
        for d in &set.differences {
            let p = d.p_ppi_plus.map_or_else(String::new, |p| {
                if p < 1e-4 {
                    "  p < 0.0001".to_string()
                } else {
                    format!("  p = {p:.4}")
                }
            });
            writeln!(
                out,
                "  {}: {} − {}  {}{p}",
                d.attribute,
                d.model_a,
                d.model_b,
                mean(&d.ppi_plus)
            )?;
        }
    }
    if !set.ranking.is_empty() {
        writeln!(
            out,
            "\nRanking by PPI++ mean (rank interval holds the true rank with ≥ {} probability)",
            level(set.alpha)
        )?;
        for r in &set.ranking {
            writeln!(
                out,
                "  {}: {}. {}  {}  (rank {}–{})",
                r.attribute,
                r.rank,
                r.model,
                num(r.value),
                r.rank_ci[0],
                r.rank_ci[1]
            )?;
        }
    }
    if unjudged > 0 {
        writeln!(
            out,
            "\nnote: {unjudged} human-rated response × attribute cells have no score by {} and are left out",
            set.judge
        )?;
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

pub fn print_plan(r: &PlanReport, judge: Option<&str>) {
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

/// `concord assign`: what was built, each rater's share and the overlap matrix.
pub fn print_design(d: &DesignSummary) {
    let kind = match d.kind {
        DesignKind::Bibd => "balanced incomplete block design",
        DesignKind::NearBalanced => "near-balanced design",
        DesignKind::Unchanged => "no change",
    };
    println!("{kind}: {}", d.construction);
    println!(
        "{} responses, {} raters each; {} assignments added{}",
        d.responses,
        d.overlap,
        d.added,
        if d.moved > 0 {
            format!(", {} moved from the retired rater", d.moved)
        } else {
            String::new()
        }
    );
    for r in &d.raters {
        println!(
            "{}: {} responses assigned (load {})",
            r.rater, r.added, r.load
        );
    }
    if d.raters.len() < 2 {
        return;
    }
    println!("responses shared by each pair (diagonal: load):");
    let width = d
        .raters
        .iter()
        .map(|r| r.rater.chars().count())
        .max()
        .unwrap_or(0);
    for (r, row) in d.raters.iter().zip(&d.overlap_matrix) {
        let cells: Vec<String> = row.iter().map(|n| format!("{n:>6}")).collect();
        println!("  {:<width$}{}", r.rater, cells.join(""));
    }
}

/// `concord progress`: one line per human rater.
pub fn print_progress(p: &ProgressReport) {
    println!(
        "{:<24} {:<10} {:>8} {:>6} {:>7} {:>7} {:>9}  last activity",
        "rater", "site", "assigned", "done", "partial", "flagged", "s/resp"
    );
    for r in &p.raters {
        println!(
            "{:<24} {:<10} {:>8} {:>6} {:>7} {:>7} {:>9}  {}{}",
            r.rater,
            r.site.as_deref().unwrap_or("-"),
            r.assigned,
            r.done,
            r.partial,
            r.flagged,
            r.median_seconds.map_or("-".into(), |s| format!("{s:.0}")),
            r.last_activity.as_deref().unwrap_or("never"),
            r.package_out_since.as_deref().map_or(String::new(), |t| {
                let overdue = if r.overdue {
                    format!(", OVERDUE: more than {} days", p.overdue_days)
                } else {
                    String::new()
                };
                format!("  (package out since {t}{overdue})")
            }),
        );
    }
}

/// `concord raters`: each rater with its kind, site and how many of its assigned responses it rated.
pub fn print_raters(raters: &[Rater], progress: &[Progress]) {
    for (r, p) in raters.iter().zip(progress) {
        println!(
            "{:<24} {:<6} {:<16} {} / {} assigned rated",
            r.name,
            r.kind.as_str(),
            r.site.as_deref().unwrap_or("-"),
            p.done,
            p.total
        );
    }
}

/// `concord next` as text: the picks with their π, the picks per model, and what `--assign` did.
pub fn print_next(batch: &NextBatch, assigned: Option<&Assigned>) {
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
            "put {} responses at the front of {}'s queue ({} new to it); their π is recorded for `concord estimate`",
            s.responses, s.rater, s.added
        );
    }
}

/// One file a `concord watch` scan reports: a JSON line, or its status in words.
pub fn print_inbox_entry(entry: &InboxEntry, json: bool) {
    if json {
        println!("{}", serde_json::to_string(entry).expect("serializable"));
        return;
    }
    let status = match entry.status {
        InboxStatus::Waiting => "waiting",
        InboxStatus::Merged => "merged",
        InboxStatus::Rejected => "rejected",
    };
    match &entry.moved_to {
        Some(to) => println!("{status} {}: {} (now {to})", entry.file, entry.detail),
        None => println!("{status} {}: {}", entry.file, entry.detail),
    }
}
