//! The package round trip: export whatever the master holds, return a self-contained file, and
//! refuse every forged or foreign package without changing the master.

use std::path::{Path, PathBuf};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::merge::MergeOptions;
use concord_core::{Rubric, Study};
use rusqlite::Connection;

struct Lead {
    dir: tempfile::TempDir,
    master: PathBuf,
    raters: Vec<String>,
}

fn lead() -> Lead {
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.concord");
    let study = create_demo(
        &master,
        &DemoOptions {
            items: 4,
            models: 2,
            raters: 2,
            judges: 1,
            coverage: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    let raters = study
        .raters()
        .unwrap()
        .into_iter()
        .filter(|r| r.name.starts_with("Rater"))
        .map(|r| r.id)
        .collect();
    Lead {
        dir,
        master,
        raters,
    }
}

impl Lead {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A package for rater `r`, rated on two responses, returned.
    fn rated_package(&self, r: usize, name: &str) -> (PathBuf, PathBuf) {
        let pkg = self.path(&format!("{name}.concord"));
        Study::open(&self.master)
            .unwrap()
            .export_package(&self.raters[r], &pkg)
            .unwrap();
        let p = Study::open(&pkg).unwrap();
        for position in 0..2 {
            let v = p.rating_view(&self.raters[r], position).unwrap();
            p.set_rating(&self.raters[r], &v.response_id, "safety", Some(4))
                .unwrap();
        }
        drop(p);
        let back = self.path(&format!("{name}-returned.concord"));
        Study::open(&pkg).unwrap().return_package(&back).unwrap();
        (pkg, back)
    }
}

/// Every rating event row of a file, for "unchanged" checks.
fn events(path: &Path) -> Vec<(Vec<u8>, Option<i64>, i64)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT gid, value, created_at FROM rating_event ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn refused(lead: &Lead, file: &Path, expect: &str) {
    let before = events(&lead.master);
    let err = Study::open(&lead.master)
        .unwrap()
        .merge(file, &MergeOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains(expect), "expected '{expect}' in: {err}");
    assert!(
        err.contains(&file.display().to_string()),
        "names the file: {err}"
    );
    assert_eq!(
        events(&lead.master),
        before,
        "the master's events are unchanged"
    );
}

#[test]
fn export_works_with_gold_and_carries_only_the_raters_own_work() {
    let lead = lead();
    let study = Study::open(&lead.master).unwrap();
    // Gold on every response, including ones the rater is not assigned.
    for (external, _) in study.response_ids().unwrap() {
        study
            .set_gold(&external, "safety", 3, "Dr Lead", "consensus")
            .unwrap();
    }
    study
        .set_note(
            &lead.raters[1],
            &study.rating_view(&lead.raters[1], 0).unwrap().response_id,
            "other rater's secret",
            &[],
        )
        .unwrap();
    let pkg = lead.path("p.concord");
    study.export_package(&lead.raters[0], &pkg).unwrap();
    let conn = Connection::open(&pkg).unwrap();
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM rater"), 1);
    assert_eq!(count("SELECT count(*) FROM gold_event"), 0);
    assert_eq!(count("SELECT count(*) FROM merge_log"), 0);
    assert_eq!(
        count("SELECT count(*) FROM rating_event WHERE rater_id <> (SELECT rater_id FROM package)"),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM note_event WHERE rationale LIKE '%secret%'"),
        0
    );
    assert_eq!(count("SELECT count(*) FROM package"), 1);
    // Self-contained: rollback journal, nothing beside it.
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete");
    assert!(!lead.path("p.concord-wal").exists());
    let m = Study::open(&pkg).unwrap().manifest().unwrap().unwrap();
    assert_eq!(m.study_id, study.lineage());
    assert!(m.events_sha256.is_none(), "not returned yet");
}

#[test]
fn a_failing_export_leaves_no_file() {
    let lead = lead();
    let study = Study::open(&lead.master).unwrap();
    let out = lead.path("no-such-folder/p.concord");
    assert!(study.export_package(&lead.raters[0], &out).is_err());
    assert!(!out.exists());
    // An unknown rater fails before anything is written, in an existing folder too.
    let out = lead.path("q.concord");
    assert!(study
        .export_package("0190f5c4-0000-7000-8000-000000000000", &out)
        .is_err());
    let left: Vec<_> = std::fs::read_dir(lead.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("master.concord"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn returned_package_holds_ratings_still_in_the_wal() {
    let lead = lead();
    let pkg = lead.path("p.concord");
    Study::open(&lead.master)
        .unwrap()
        .export_package(&lead.raters[0], &pkg)
        .unwrap();
    let p = Study::open(&pkg).unwrap();
    let v = p.rating_view(&lead.raters[0], 0).unwrap();
    // A value the cell does not hold yet (the demo may have rated it), so the merge changes it.
    let value = if v.values.get("empathy") == Some(&5) {
        1
    } else {
        5
    };
    p.set_rating(&lead.raters[0], &v.response_id, "empathy", Some(value))
        .unwrap();
    // The package is still open (its rating lives in the -wal): return from a second handle.
    let back = lead.path("back.concord");
    let r = Study::open(&pkg).unwrap().return_package(&back).unwrap();
    assert!(r.message.contains("Send"), "{}", r.message);
    assert!(!lead.path("back.concord-wal").exists());
    let copy = lead.path("copy-of-back.concord");
    std::fs::copy(&back, &copy).unwrap();
    let s = Study::open(&lead.master)
        .unwrap()
        .merge(&copy, &MergeOptions::default())
        .unwrap();
    assert_eq!(s.events_added, 1);
    assert_eq!(s.raters.len(), 1);
    assert_eq!(s.raters[0].cells_changed, 1);
    drop(p);
}

#[test]
fn forged_and_foreign_packages_are_refused_without_change() {
    let lead = lead();

    // Edited after return: refused as altered, unless the lead accepts it with a reason.
    let (_, back) = lead.rated_package(0, "edited");
    let conn = Connection::open(&back).unwrap();
    conn.execute_batch(
        "DROP TRIGGER rating_event_no_update;
         UPDATE rating_event SET value = 1 WHERE id = (SELECT max(id) FROM rating_event);",
    )
    .unwrap();
    drop(conn);
    refused(&lead, &back, "altered after it was returned");
    let s = Study::open(&lead.master)
        .unwrap()
        .merge(
            &back,
            &MergeOptions {
                accept_altered: Some("rater confirmed by phone".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        s.accepted_altered.as_deref(),
        Some("rater confirmed by phone")
    );

    // Forged before return (so the hash matches): each row rule must catch it.
    let forge = |name: &str, sql: &str| -> PathBuf {
        let pkg = lead.path(&format!("{name}.concord"));
        Study::open(&lead.master)
            .unwrap()
            .export_package(&lead.raters[0], &pkg)
            .unwrap();
        Connection::open(&pkg).unwrap().execute_batch(sql).unwrap();
        let back = lead.path(&format!("{name}-back.concord"));
        // Return refuses what its own checks see; seal such files by hand.
        if Study::open(&pkg).unwrap().return_package(&back).is_err() {
            return pkg;
        }
        back
    };
    let other = lead.raters[1].replace('-', "");
    let other_rater = forge(
        "other-rater",
        &format!(
            "INSERT INTO rater (gid, name, kind) VALUES (unhex('{other}'), 'Rater 2', 'human');
             INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             SELECT randomblob(16), (SELECT id FROM rater WHERE name = 'Rater 2'), (SELECT min(response_id) FROM assignment),
                    (SELECT min(id) FROM attribute), 1, 1, (SELECT min(id) FROM origin);"
        ),
    );
    refused(&lead, &other_rater, "not the package's rater");
    let off_scale = forge(
        "off-scale",
        "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
         SELECT randomblob(16), rater_id, min(response_id), (SELECT min(id) FROM attribute), 9, 1, (SELECT min(id) FROM origin)
         FROM assignment;",
    );
    refused(&lead, &off_scale, "outside");
    let future = forge(
        "future",
        "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
         SELECT randomblob(16), rater_id, min(response_id), (SELECT min(id) FROM attribute), 2, 4070908800000, (SELECT min(id) FROM origin)
         FROM assignment;",
    );
    refused(&lead, &future, "2099-01-01");
    let new_response = forge(
        "new-response",
        "INSERT INTO response (gid, item_id, external_id, model, text, position)
         SELECT randomblob(16), min(id), 'resp-forged', 'model-a', 'text', 999 FROM item;",
    );
    refused(&lead, &new_response, "resp-forged");

    // Another study with the same rubric.
    let elsewhere = lead.path("elsewhere.concord");
    let other_study = Study::create(
        &elsewhere,
        "Pilot B",
        &Rubric::builtin("mentalbench").unwrap(),
    )
    .unwrap();
    let r = other_study
        .add_rater("Rater 1", concord_core::RaterKind::Human, None)
        .unwrap();
    let foreign = lead.path("foreign.concord");
    other_study.export_package(&r.id, &foreign).unwrap();
    let foreign_back = lead.path("foreign-back.concord");
    Study::open(&foreign)
        .unwrap()
        .return_package(&foreign_back)
        .unwrap();
    refused(&lead, &foreign_back, "from study 'Pilot B'");

    // Not returned, and a plain study file.
    let (pkg, _) = lead.rated_package(1, "unreturned");
    refused(&lead, &pkg, "was not returned");
    refused(&lead, &elsewhere, "from study 'Pilot B'");
    let copy = lead.path("copy.concord");
    Connection::open(&lead.master)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .unwrap();
    refused(&lead, &copy, "not a rater package");
    assert!(Study::open(&lead.master)
        .unwrap()
        .check()
        .unwrap()
        .is_empty());
}

#[test]
fn gold_set_in_two_copies_merges_into_one_history() {
    let lead = lead();
    let study = Study::open(&lead.master).unwrap();
    let response = study.response_ids().unwrap().into_keys().min().unwrap();
    study
        .set_gold(&response, "safety", 2, "Dr A", "first look")
        .unwrap();
    let copy = lead.path("co-lead.concord");
    Connection::open(&lead.master)
        .unwrap()
        .execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .unwrap();
    Study::open(&copy)
        .unwrap()
        .set_gold(&response, "safety", 4, "Dr B", "after discussion")
        .unwrap();
    let s = study
        .merge(
            &copy,
            &MergeOptions {
                copy: true,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(s.gold_added, 1);
    let history = study.gold_history(Some(&response)).unwrap();
    let values: Vec<(Option<i64>, &str)> = history
        .iter()
        .map(|g| (g.value, g.adjudicator.as_str()))
        .collect();
    assert_eq!(values, [(Some(2), "Dr A"), (Some(4), "Dr B")]);
    let j = study.response_judgements(&response).unwrap();
    assert_eq!(j.gold[0].value, 4, "the current gold is the latest");
    assert!(study.check().unwrap().is_empty());
}

mod undo {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Op {
        Set(usize, Option<i64>),
        Undo,
        /// Another writer (a merge or an import) changes the cell behind the session's back.
        Import(usize, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..2usize, prop::option::weighted(0.8, 1..=5i64)).prop_map(|(c, v)| Op::Set(c, v)),
            3 => Just(Op::Undo),
            2 => (0..2usize, 1..=5i64).prop_map(|(c, v)| Op::Import(c, v)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Undo restores exactly what the cell showed before this session's own change,
        /// whatever other writers did meanwhile, and never reaches into other sessions.
        #[test]
        fn undo_is_exact_under_any_interleaving(ops in prop::collection::vec(op(), 1..16)) {
            let lead = lead();
            let study = Study::open(&lead.master).unwrap();
            let rater = &lead.raters[0];
            let name = study.raters().unwrap().into_iter().find(|r| &r.id == rater).unwrap().name;
            // The study is blind, so the rating view shows no external id: look it up.
            let external: std::collections::HashMap<String, String> =
                study.response_ids().unwrap().into_iter().map(|(e, g)| (g, e)).collect();
            let cells: Vec<(String, String)> = (0..2)
                .map(|p| study.rating_view(rater, p).unwrap().response_id)
                .map(|id| (id.clone(), external[&id].clone()))
                .collect();
            let value = |c: usize| study.rating_view(rater, c).unwrap().values.get("safety").copied();
            // The model: a stack of (cell, value shown before the change).
            let mut stack: Vec<(usize, Option<i64>)> = Vec::new();
            for o in &ops {
                match *o {
                    Op::Set(c, v) => {
                        let before = value(c);
                        study.set_rating(rater, &cells[c].0, "safety", v).unwrap();
                        stack.push((c, before));
                    }
                    Op::Undo => {
                        let done = study.undo(rater).unwrap();
                        match stack.pop() {
                            Some((c, before)) => {
                                let done = done.expect("an undo was due");
                                prop_assert_eq!(&done.response_id, &cells[c].0);
                                prop_assert_eq!(done.restored, before);
                                prop_assert_eq!(value(c), before);
                            }
                            None => prop_assert!(done.is_none(), "nothing of this session to undo"),
                        }
                    }
                    Op::Import(c, v) => {
                        // A second process writes the same cell (as an import would).
                        let other = Study::open(&lead.master).unwrap();
                        let row = concord_core::import::RatingRow {
                            row: 2,
                            response_id: cells[c].1.clone(),
                            rater: name.clone(),
                            scores: vec![concord_core::import::Score {
                                attribute_field: "attribute".into(),
                                value_field: "value".into(),
                                attribute: "safety".into(),
                                value: v,
                            }],
                            rationale: None,
                        };
                        other.import_ratings(&[row], concord_core::RaterKind::Human).unwrap();
                    }
                }
            }
            prop_assert!(study.check().unwrap().is_empty());
        }
    }
}

/// `Study::info` counts a lead's events by the largest id and a package's row by row: both equal
/// the log's row count, before and after a package (whose ids have gaps) is rated and merged.
#[test]
fn info_counts_every_event_of_a_master_and_of_a_package_with_gaps() {
    let lead = lead();
    let rows = |path: &Path| -> usize {
        let conn = Connection::open(path).unwrap();
        conn.query_row("SELECT count(*) FROM rating_event", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as usize
    };
    let info = |path: &Path| Study::open(path).unwrap().info().unwrap().events;
    assert!(rows(&lead.master) > 0);
    assert_eq!(info(&lead.master), rows(&lead.master));
    // Rater 2's package: its events keep the master's ids, which Rater 1's events interleave.
    let (pkg, back) = lead.rated_package(1, "r2");
    let gaps: i64 = Connection::open(&pkg)
        .unwrap()
        .query_row("SELECT max(id) - count(*) FROM rating_event", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(gaps > 0, "the package's event ids have gaps");
    assert_eq!(info(&pkg), rows(&pkg));
    let master = Study::open(&lead.master).unwrap();
    assert!(
        master
            .merge(&back, &MergeOptions::default())
            .unwrap()
            .events_added
            > 0
    );
    assert!(master.check().unwrap().is_empty(), "{:?}", master.check());
    drop(master);
    assert_eq!(info(&lead.master), rows(&lead.master));
    // An event written around Concord with an explicit id breaks the numbering: check says so.
    Connection::open(&lead.master)
        .unwrap()
        .execute_batch(
            "INSERT INTO rating_event (id, gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             SELECT (SELECT max(id) FROM rating_event) + 5, randomblob(16), rater_id, response_id,
                    attribute_id, value, created_at + 1, origin_id
             FROM rating_event WHERE id = 1",
        )
        .unwrap();
    let problems = Study::open(&lead.master).unwrap().check().unwrap();
    assert_eq!(
        problems,
        ["4 rating event ids missing from a lead's numbering (1, 2, …)"]
    );
}
