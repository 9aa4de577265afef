//! The lead's work on returned packages and disagreements: `merge`, `conflicts`, `merges`,
//! `disagreements`, `gold`.

use anyhow::{bail, Result};
use concord_core::merge::MergeOptions;

use super::open_study;
use crate::cli::{ConflictsArgs, DisagreementsArgs, GoldArgs, MergeArgs, MergesArgs};
use crate::output::{
    print_conflict, print_disagreement, print_gold_event, print_json, print_receipt, value_text,
};

/// `concord merge`: one receipt per package.
pub fn merge(a: MergeArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let opts = MergeOptions {
        copy: a.copy,
        accept_altered: a.accept_altered,
    };
    let mut summaries = Vec::new();
    for p in &a.packages {
        let s = study.merge(p, &opts)?;
        if !a.json {
            print_receipt(&s);
        }
        summaries.push(s);
    }
    if a.json {
        print_json(&summaries);
    }
    Ok(())
}

/// `concord conflicts`: lists them, or resolves one.
pub fn conflicts(a: ConflictsArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    if let (Some(id), Some(keep), Some(by)) = (a.resolve, a.keep, a.by) {
        let c = study.resolve_conflict(id, keep.into(), &by)?;
        if a.json {
            print_json(&c);
        } else {
            println!(
                "conflict {id} resolved: {} / {} / {} = {}",
                c.rater,
                c.external_id,
                c.attribute,
                value_text(c.current)
            );
        }
        return Ok(());
    }
    let list = if a.all {
        study.conflict_history()?
    } else {
        study.conflicts()?
    };
    if a.json {
        print_json(&list);
    } else if list.is_empty() {
        println!("no open conflicts");
    } else {
        for c in &list {
            print_conflict(c);
        }
    }
    Ok(())
}

/// `concord merges`.
pub fn merges(a: MergesArgs) -> Result<()> {
    let history = open_study(&a.file)?.merge_history()?;
    if a.json {
        print_json(&history);
    } else {
        for s in &history {
            print_receipt(s);
        }
    }
    Ok(())
}

/// `concord disagreements`.
pub fn disagreements(a: DisagreementsArgs) -> Result<()> {
    let list = open_study(&a.file)?.disagreements(a.attribute.as_deref(), a.min_range, a.limit)?;
    if a.json {
        print_json(&list);
    } else {
        for d in &list {
            print_disagreement(d);
        }
    }
    Ok(())
}

/// `concord gold`: records one gold value, or lists the history.
pub fn gold(a: GoldArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    if a.history {
        let events = study.gold_history(a.response.as_deref())?;
        if a.json {
            print_json(&events);
        } else {
            for g in &events {
                print_gold_event(g);
            }
        }
        return Ok(());
    }
    let (Some(response), Some(attribute), Some(value), Some(by)) =
        (a.response, a.attribute, a.value, a.by)
    else {
        bail!("give RESPONSE ATTRIBUTE VALUE and --by NAME, or --history");
    };
    let g = study.set_gold(&response, &attribute, value, &by, &a.reason)?;
    if a.json {
        print_json(&g);
    } else {
        println!(
            "gold {} / {} = {} (by {})",
            g.external_id, g.attribute, g.value, g.adjudicator
        );
    }
    Ok(())
}
