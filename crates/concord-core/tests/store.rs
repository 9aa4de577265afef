//! The study file on disk: opening, refusing, migrating, recording, undo, queue and merge.

use std::path::{Path, PathBuf};

use concord_core::assignment::AssignRequest;
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::schema::{APPLICATION_ID, SCHEMA_VERSION};
use concord_core::{Error, QueueFilter, RaterKind, ResponseStatus, Rubric, Study};
use rusqlite::Connection;

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.concord");
    (dir, path)
}

fn small_study(path: &Path) -> (Study, String, Vec<String>) {
    let study = Study::create(path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap();
    let rows: Vec<ResponseRow> = (0..4)
        .map(|i| ResponseRow {
            row: i + 2,
            item_id: format!("i{}", i / 2),
            prompt: format!("prompt {}", i / 2),
            response_id: format!("r{i}"),
            model: "m".into(),
            response: format!("response {i}"),
        })
        .collect();
    study.import_responses(&rows).unwrap();
    let rater = study.add_rater("Ana", RaterKind::Human).unwrap();
    study.assign_all(&rater.id).unwrap();
    let ids = (0..4)
        .map(|p| study.rating_view(&rater.id, p).unwrap().response_id)
        .collect();
    (study, rater.id, ids)
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn new_study_has_identity_and_durable_pragmas() {
    let (_d, path) = temp();
    let study = Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap();
    drop(study);
    let conn = Connection::open(&path).unwrap();
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (app, version, mode.as_str()),
        (APPLICATION_ID, SCHEMA_VERSION, "wal")
    );
    assert!(matches!(
        Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()),
        Err(Error::AlreadyExists(_))
    ));
}

#[test]
fn foreign_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, not a database\n").unwrap();
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    let empty = dir.path().join("empty.concord");
    std::fs::write(&empty, b"").unwrap();
    for path in [&text, &other, &empty] {
        let before = bytes(path);
        let err = Study::open(path).err().expect("refused").to_string();
        assert!(err.contains("not a Concord study"), "{err}");
        assert_eq!(bytes(path), before, "{} was modified", path.display());
    }
}

#[test]
fn newer_schema_is_refused_untouched() {
    let (_d, path) = temp();
    drop(Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let before = bytes(&path);
    let err = Study::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("newer Concord")
            && err.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{err}"
    );
    assert_eq!(bytes(&path), before);
}

#[test]
fn older_schema_is_migrated_after_a_backup() {
    let (_d, path) = temp();
    // A version-0 study file: Concord's identity but no schema applied yet.
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.execute_batch("CREATE TABLE placeholder(x)").unwrap();
    drop(conn);
    // Opening migrates forward but then finds no study record: a clear refusal, and a backup.
    let err = Study::open(&path).err().unwrap().to_string();
    assert!(err.contains("study record missing"), "{err}");
    assert!(concord_core::schema::backup_path(&path, 0).exists());
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn ratings_are_appended_and_current_value_follows() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    study
        .set_rating(&rater, &ids[0], "safety", Some(4))
        .unwrap();
    study
        .set_rating(&rater, &ids[0], "safety", Some(2))
        .unwrap();
    study
        .set_rating(&rater, &ids[0], "empathy", Some(5))
        .unwrap();
    study.set_rating(&rater, &ids[0], "empathy", None).unwrap();
    assert!(study
        .set_rating(&rater, &ids[0], "safety", Some(6))
        .is_err());
    assert!(study.set_rating(&rater, &ids[0], "nope", Some(1)).is_err());
    let view = study.rating_view(&rater, 0).unwrap();
    assert_eq!(
        view.values.into_iter().collect::<Vec<_>>(),
        [("safety".to_string(), 2)]
    );
    assert_eq!(study.info().unwrap().events, 4);
    assert!(study.check().unwrap().is_empty());
    // Reopening sees the same thing: nothing was held in memory only.
    drop(study);
    let study = Study::open(&path).unwrap();
    assert_eq!(study.info().unwrap().ratings, 1);
}

#[test]
fn the_event_log_is_append_only() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    study
        .set_rating(&rater, &ids[0], "safety", Some(4))
        .unwrap();
    drop(study);
    let conn = Connection::open(&path).unwrap();
    assert!(conn
        .execute("UPDATE rating_event SET value = 1", [])
        .is_err());
    assert!(conn.execute("DELETE FROM rating_event", []).is_err());
}

#[test]
fn undo_walks_back_through_changes() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    study
        .set_rating(&rater, &ids[0], "safety", Some(3))
        .unwrap();
    study
        .set_rating(&rater, &ids[0], "safety", Some(4))
        .unwrap();
    study
        .set_rating(&rater, &ids[1], "guidance", Some(1))
        .unwrap();
    let value = |p: usize, k: &str| study.rating_view(&rater, p).unwrap().values.get(k).copied();
    let u = study.undo(&rater).unwrap().unwrap();
    assert_eq!((u.attribute_key.as_str(), u.restored), ("guidance", None));
    assert_eq!(value(1, "guidance"), None);
    assert_eq!(study.undo(&rater).unwrap().unwrap().restored, Some(3));
    assert_eq!(value(0, "safety"), Some(3));
    assert_eq!(study.undo(&rater).unwrap().unwrap().restored, None);
    assert_eq!(value(0, "safety"), None);
    assert!(study.undo(&rater).unwrap().is_none());
    // Undo appended events; nothing was deleted.
    assert_eq!(study.info().unwrap().events, 6);
}

#[test]
fn notes_and_flags_are_versioned_and_validated() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    study.set_note(&rater, &ids[2], "first", &[]).unwrap();
    study
        .set_note(&rater, &ids[2], "second thought", &["unsafe".into()])
        .unwrap();
    assert!(study
        .set_note(&rater, &ids[2], "x", &["made_up".into()])
        .is_err());
    let view = study.rating_view(&rater, 2).unwrap();
    assert_eq!(
        (view.rationale.as_str(), view.flags),
        ("second thought", vec!["unsafe".to_string()])
    );
    assert_eq!(study.progress(&rater).unwrap().flagged, 1);
    assert_eq!(
        study
            .queue(&rater, QueueFilter::Flagged, 0, 10)
            .unwrap()
            .entries[0]
            .position,
        2
    );
}

#[test]
fn queue_reports_status_and_resumes_at_first_unfinished() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    let keys: Vec<String> = study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    for k in &keys {
        study.set_rating(&rater, &ids[0], k, Some(3)).unwrap();
    }
    study
        .set_rating(&rater, &ids[1], "safety", Some(3))
        .unwrap();
    let p = study.progress(&rater).unwrap();
    assert_eq!((p.total, p.done, p.partial, p.todo), (4, 1, 1, 2));
    assert_eq!(study.first_unfinished(&rater).unwrap(), Some(1));
    let page = study.queue(&rater, QueueFilter::All, 1, 2).unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.entries
            .iter()
            .map(|e| (e.position, e.status))
            .collect::<Vec<_>>(),
        [(1, ResponseStatus::Partial), (2, ResponseStatus::Todo)]
    );
    assert_eq!(
        study.queue(&rater, QueueFilter::Todo, 0, 10).unwrap().total,
        2
    );
}

#[test]
fn rater_order_is_a_stable_per_rater_shuffle() {
    let (_d, path) = temp();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 30,
            models: 2,
            raters: 2,
            judges: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let raters = study.raters().unwrap();
    let order = |s: &Study, r: &str| -> Vec<String> {
        s.queue(r, QueueFilter::All, 0, 100)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.response_id)
            .collect()
    };
    let a = order(&study, &raters[0].id);
    let b = order(&study, &raters[1].id);
    assert_eq!(a.len(), 60);
    assert_ne!(a, b, "two raters got the same order");
    let mut sorted = a.clone();
    sorted.sort();
    assert_ne!(a, sorted, "order is not shuffled");
    drop(study);
    assert_eq!(order(&Study::open(&path).unwrap(), &raters[0].id), a);
}

#[test]
fn overlap_assignment_gives_each_response_k_raters() {
    let (_d, path) = temp();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 10,
            models: 3,
            raters: 0,
            judges: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| study.add_rater(n, RaterKind::Human).unwrap().id)
        .collect();
    let request = |overlap| AssignRequest {
        raters: ids.clone(),
        overlap: Some(overlap),
        ..AssignRequest::default()
    };
    let design = study.assign_design(&request(2)).unwrap();
    assert_eq!(design.added, 60);
    assert!(design.raters.iter().all(|r| r.added == 15), "{design:?}");
    assert!(study.assign_design(&request(5)).is_err());
}

#[test]
fn demo_is_deterministic_and_judges_are_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        items: 20,
        ..Default::default()
    };
    let a = create_demo(&dir.path().join("a.concord"), &opts).unwrap();
    let b = create_demo(&dir.path().join("b.concord"), &opts).unwrap();
    let values = |s: &Study| {
        let set = s.annotations().unwrap();
        set.ratings
            .into_iter()
            .map(|r| {
                (
                    set.responses[r.response].response_id.clone(),
                    r.rater,
                    r.attribute,
                    r.value,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&a), values(&b));
    let mean = |s: &Study, kind: &str| {
        let v: Vec<f64> = s
            .annotations()
            .map(|set| {
                set.ratings
                    .into_iter()
                    .filter(|r| set.raters[r.rater].kind.as_str() == kind)
                    .collect::<Vec<_>>()
            })
            .unwrap()
            .into_iter()
            .map(|r| r.value as f64)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean(&a, "llm") - mean(&a, "human") > 0.2,
        "judges should be inflated"
    );
    let info = a.info().unwrap();
    assert_eq!(
        (
            info.items,
            info.responses,
            info.raters.human,
            info.raters.llm
        ),
        (20, 60, 3, 2)
    );
    assert_eq!(info.ratings, 60 * 7 * 5);
}

#[test]
fn disagreements_are_ranked_and_gold_is_recorded() {
    let (_d, path) = temp();
    let (study, ana, ids) = small_study(&path);
    let ben = study.add_rater("Ben", RaterKind::Human).unwrap().id;
    let judge = study.add_rater("J", RaterKind::Llm).unwrap().id;
    study.set_rating(&ana, &ids[0], "safety", Some(1)).unwrap();
    study.set_rating(&ben, &ids[0], "safety", Some(5)).unwrap();
    study.set_rating(&ana, &ids[1], "empathy", Some(3)).unwrap();
    study.set_rating(&ben, &ids[1], "empathy", Some(4)).unwrap();
    study
        .set_rating(&ana, &ids[2], "guidance", Some(2))
        .unwrap();
    study
        .set_rating(&judge, &ids[2], "guidance", Some(5))
        .unwrap(); // judges are not adjudicated
    let list = study.disagreements(None, 1, 10).unwrap();
    assert_eq!(
        list.iter()
            .map(|d| (d.attribute.as_str(), d.range))
            .collect::<Vec<_>>(),
        [("safety", 4), ("empathy", 1)]
    );
    assert_eq!(list[0].values.get("Ben"), Some(&5));
    let shown = study.rating_view(&ana, 0).unwrap().response_id;
    let (external, _) = study
        .response_ids()
        .unwrap()
        .into_iter()
        .find(|(_, id)| *id == shown)
        .unwrap();
    study
        .set_gold(&external, "safety", 2, "Dr Lead", "risk was low")
        .unwrap();
    assert!(study
        .set_gold(&external, "safety", 9, "Dr Lead", "")
        .is_err());
    assert_eq!(
        study.disagreements(Some("safety"), 2, 10).unwrap()[0].gold,
        Some(2)
    );
    // Clearing is one more event: the cell has no gold, the history keeps both entries.
    assert!(study.clear_gold(&external, "safety", " ", "").is_err());
    study
        .clear_gold(&external, "safety", "Dr Lead", "pressed by mistake")
        .unwrap();
    assert_eq!(
        study.disagreements(Some("safety"), 2, 10).unwrap()[0].gold,
        None
    );
    assert!(study
        .response_judgements(&external)
        .unwrap()
        .gold
        .is_empty());
    let history = study.gold_history(Some(&external)).unwrap();
    assert_eq!(
        history
            .iter()
            .map(|g| (g.value, g.reason.as_str()))
            .collect::<Vec<_>>(),
        [(Some(2), "risk was low"), (None, "pressed by mistake")]
    );
    assert!(study.check().unwrap().is_empty());
    study
        .set_gold(&external, "safety", 3, "Dr Lead", "")
        .unwrap();
    assert_eq!(
        study.disagreements(Some("safety"), 2, 10).unwrap()[0].gold,
        Some(3)
    );
}

#[test]
fn a_rater_profile_is_found_by_trimmed_name_and_never_created() {
    let (_d, path) = temp();
    let (study, ana, _) = small_study(&path);
    let judge = study.add_rater("Judge", RaterKind::Llm).unwrap();
    assert_eq!(study.rater_profile("  Ana ").unwrap().id, ana);
    // A mistyped or new name is not a rater: only the lead adds raters.
    let before = study.raters().unwrap().len();
    let err = study.rater_profile(" Ben ").unwrap_err().to_string();
    assert!(
        err.contains("rater profile “Ben”") && err.contains("raters --add"),
        "{err}"
    );
    assert_eq!(study.raters().unwrap().len(), before, "no rater created");
    // A profile the lead added without assignments is refused until the lead assigns work.
    let cy = study.add_rater("Cy", RaterKind::Human).unwrap();
    let err = study.rater_profile("Cy").unwrap_err().to_string();
    assert!(err.contains("nothing is assigned to Cy"), "{err}");
    assert_eq!(
        study.progress(&cy.id).unwrap().total,
        0,
        "choosing assigns nothing"
    );
    study.assign_all(&cy.id).unwrap();
    assert_eq!(study.rater_profile("Cy").unwrap().id, cy.id);
    let err = study.rater_profile(" ").unwrap_err().to_string();
    assert_eq!(err, "a rater profile needs a name");
    let err = study.rater_profile(&judge.name).unwrap_err().to_string();
    assert!(err.contains("LLM judge"), "{err}");
}

#[test]
fn progress_kept_by_saves_matches_a_fresh_count_and_sees_other_writers() {
    let (_d, path) = temp();
    let (study, ana, ids) = small_study(&path);
    let keys: Vec<String> = study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    let fresh = || Study::open(&path).unwrap().progress(&ana).unwrap();
    assert_eq!(study.progress(&ana).unwrap().todo, 4);
    // Set, overwrite and clear values; after each save the kept count equals a recount.
    let mut steps = 0;
    for (i, id) in ids.iter().take(3).enumerate() {
        for key in keys.iter().take(if i == 0 { keys.len() } else { 2 }) {
            study.set_rating(&ana, id, key, Some(3)).unwrap();
            assert_eq!(study.progress(&ana).unwrap(), fresh());
            steps += 1;
        }
    }
    study.set_rating(&ana, &ids[0], &keys[0], Some(4)).unwrap();
    assert_eq!(study.progress(&ana).unwrap(), fresh());
    study.set_rating(&ana, &ids[0], &keys[0], None).unwrap();
    let p = study.progress(&ana).unwrap();
    assert_eq!(
        (p.done, p.partial, p.todo),
        (0, 3, 1),
        "after {steps} saves and a clear"
    );
    assert_eq!(p, fresh());
    // Undo and notes are other writes: counted again.
    study.undo(&ana).unwrap();
    assert_eq!(study.progress(&ana).unwrap().done, 1);
    study
        .set_note(&ana, &ids[3], "", &["unsafe".to_string()])
        .unwrap();
    assert_eq!(study.progress(&ana).unwrap().flagged, 1);
    // Another connection's commit (the CLI, a merge) is seen at the next read.
    Study::open(&path)
        .unwrap()
        .set_rating(&ana, &ids[3], &keys[0], Some(2))
        .unwrap();
    let p = study.progress(&ana).unwrap();
    assert_eq!((p.done, p.partial, p.todo), (1, 3, 0));
    assert_eq!(p, fresh());
}

#[test]
fn packed_rows_follow_the_latest_event_through_ties_and_late_arrivals() {
    let (_d, path) = temp();
    let (study, _rater, _ids) = small_study(&path);
    study.close().unwrap();
    let conn = Connection::open(&path).unwrap();
    let (t, p, a, o, scale_min): (i64, i64, i64, i64, i64) = conn
        .query_row(
            "SELECT (SELECT id FROM rater), (SELECT min(id) FROM response), id,
                    (SELECT min(id) FROM origin), scale_min FROM attribute WHERE key = 'safety'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    // (created_at, last gid byte, value, the cell's value after it arrives): a tie goes to the
    // larger global id whatever the arrival order, an older event never overwrites a newer one,
    // and a clearing empties the cell.
    let steps = [
        (100, 2, Some(2), Some(2)),
        (100, 1, Some(1), Some(2)),
        (50, 9, Some(5), Some(2)),
        (100, 3, Some(3), Some(3)),
        (200, 0, None, None),
        (150, 7, Some(4), None),
    ];
    for (created_at, gid, value, expected) in steps {
        let mut id = [0u8; 16];
        id[15] = gid;
        id[0] = created_at as u8;
        conn.execute(
            "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![id.to_vec(), t, p, a, value, created_at, o],
        )
        .unwrap();
        let vals: String = conn
            .query_row(
                "SELECT vals FROM rating_row WHERE rater_id = ?1 AND response_id = ?2",
                [t, p],
                |r| r.get(0),
            )
            .unwrap();
        let ch = vals.chars().nth(a as usize - 1).unwrap();
        let packed = (ch != ' ').then(|| ch as i64 - 48 + scale_min);
        assert_eq!(packed, expected, "after the event at {created_at}");
        let current: Option<i64> = conn
            .query_row(
                "SELECT value FROM rating WHERE rater_id = ?1 AND response_id = ?2 AND attribute_id = ?3",
                [t, p, a],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(current, expected);
    }
    // A value below the scale cannot be packed: the insert is refused, nothing changes.
    assert!(conn
        .execute(
            "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id)
             VALUES (randomblob(16), ?1, ?2, ?3, ?4, 300, ?5)",
            [t, p, a, scale_min - 1, o],
        )
        .is_err_and(|e| e.to_string().contains("scale minimum")));
    drop(conn);
    let study = Study::open(&path).unwrap();
    assert!(study.check().unwrap().is_empty(), "{:?}", study.check());
    assert!(study.study_ratings().unwrap().ratings.is_empty());
}
