//! What the command line prints: JSON, and the text form of each result. Nothing here reads
//! or writes a study; no Rust debug formatting reaches the user.

use concord_core::adjudication::{Disagreement, GoldEvent};
use concord_core::merge::{MergeConflict, MergeSummary};
use concord_core::{Rubric, StudyInfo};

/// Pretty JSON on standard output.
pub fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).expect("serializable")
    );
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
        d.response_id,
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
        g.response_id,
        g.attribute,
        g.value,
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
        c.response_id,
        c.attribute,
        value_text(c.here),
        value_text(c.incoming)
    );
}
