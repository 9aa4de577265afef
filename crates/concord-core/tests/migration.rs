//! Study files made by Concord 0.1 (schema 1) open, migrate after a backup, and keep every
//! event, id, current value, note, gold value and merge-log row. The fixtures were written by
//! 0.1 itself (see tests/fixtures/README.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use concord_core::merge::MergeOptions;
use concord_core::Study;
use rusqlite::Connection;

fn fixture(dir: &Path, name: &str) -> PathBuf {
    let from = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures")
    .join(name);
    let to = dir.join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

fn rows(path: &Path, sql: &str) -> BTreeSet<Vec<String>> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| {
                Ok(match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => {
                        b.iter().map(|x| format!("{x:02x}")).collect()
                    }
                    rusqlite::types::ValueRef::Real(f) => f.to_string(),
                })
            })
            .collect()
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// The same facts read from a schema 1 file (text ids without hyphens) and a schema 2 file.
const V1_EVENTS: &str = "SELECT replace(id,'-',''), replace(rater_id,'-',''), replace(response_id,'-',''),
    replace(attribute_id,'-',''), value, created_at, replace(origin,'-',''), coalesce(replace(undoes,'-',''), '')
    FROM rating_event";
const V2_EVENTS: &str =
    "SELECT lower(hex(e.gid)), lower(hex(t.gid)), lower(hex(p.gid)), lower(hex(a.gid)), e.value,
    e.created_at, lower(hex(o.gid)), coalesce(lower(hex(e.undoes)), '')
    FROM rating_event e JOIN rater t ON t.id = e.rater_id JOIN response p ON p.id = e.response_id
    JOIN attribute a ON a.id = e.attribute_id JOIN origin o ON o.id = e.origin_id";
const V1_CURRENT: &str =
    "SELECT replace(rater_id,'-',''), replace(response_id,'-',''), replace(attribute_id,'-',''),
    value, replace(event_id,'-','') FROM rating";
const V2_CURRENT: &str =
    "SELECT lower(hex(t.gid)), lower(hex(p.gid)), lower(hex(a.gid)), r.value, lower(hex(e.gid))
    FROM rating r JOIN rater t ON t.id = r.rater_id JOIN response p ON p.id = r.response_id
    JOIN attribute a ON a.id = r.attribute_id JOIN rating_event e ON e.id = r.event_id";
const V1_NOTES: &str =
    "SELECT replace(id,'-',''), replace(rater_id,'-',''), replace(response_id,'-',''),
    rationale, flags, created_at FROM note_event";
const V2_NOTES: &str = "SELECT lower(hex(e.gid)), lower(hex(t.gid)), lower(hex(p.gid)), e.rationale, e.flags, e.created_at
    FROM note_event e JOIN rater t ON t.id = e.rater_id JOIN response p ON p.id = e.response_id";
const V1_GOLD: &str = "SELECT p.external_id, a.key, g.value, g.adjudicator, g.reason, g.created_at
    FROM gold g JOIN response p ON p.id = g.response_id JOIN attribute a ON a.id = g.attribute_id";
const V2_GOLD: &str = "SELECT p.external_id, a.key, e.value, e.adjudicator, e.reason, e.created_at
    FROM gold g JOIN gold_event e ON e.id = g.event_id JOIN response p ON p.id = g.response_id
    JOIN attribute a ON a.id = g.attribute_id";
const V1_IDS: &str = "SELECT 'rater', replace(id,'-',''), name FROM rater
    UNION ALL SELECT 'response', replace(id,'-',''), external_id FROM response
    UNION ALL SELECT 'item', replace(id,'-',''), external_id FROM item
    UNION ALL SELECT 'attribute', replace(id,'-',''), key FROM attribute
    UNION ALL SELECT 'assignment', replace(rater_id,'-','') || replace(response_id,'-',''), order_key FROM assignment";
const V2_IDS: &str = "SELECT 'rater', lower(hex(gid)), name FROM rater
    UNION ALL SELECT 'response', lower(hex(gid)), external_id FROM response
    UNION ALL SELECT 'item', lower(hex(gid)), external_id FROM item
    UNION ALL SELECT 'attribute', lower(hex(gid)), key FROM attribute
    UNION ALL SELECT 'assignment', lower(hex(t.gid)) || lower(hex(p.gid)), a.order_key FROM assignment a
      JOIN rater t ON t.id = a.rater_id JOIN response p ON p.id = a.response_id";
const V1_MERGES: &str =
    "SELECT package_id, file_hash, merged_at, events_added, notes_added FROM merge_log";
const V2_MERGES: &str =
    "SELECT package_id, file_hash, merged_at, events_added, notes_added FROM merge_log";

#[test]
fn a_v1_study_migrates_with_every_event_id_value_and_log_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "v1-study.concord");
    let before: Vec<_> = [V1_EVENTS, V1_CURRENT, V1_NOTES, V1_GOLD, V1_IDS, V1_MERGES]
        .iter()
        .map(|q| rows(&path, q))
        .collect();
    assert!(before[0].len() > 50, "the fixture holds ratings");
    assert!(!before[2].is_empty() && !before[3].is_empty() && !before[5].is_empty());
    let study = Study::open(&path).unwrap();
    assert!(concord_core::schema::backup_path(&path, 1).is_file());
    assert!(study.check().unwrap().is_empty(), "{:?}", study.check());
    drop(study);
    let after: Vec<_> = [V2_EVENTS, V2_CURRENT, V2_NOTES, V2_GOLD, V2_IDS, V2_MERGES]
        .iter()
        .map(|q| rows(&path, q))
        .collect();
    for (what, (b, a)) in ["events", "current", "notes", "gold", "ids", "merge log"]
        .iter()
        .zip(before.iter().zip(&after))
    {
        assert_eq!(b, a, "{what} survive the migration");
    }
    // Reopening does not migrate again.
    std::fs::remove_file(concord_core::schema::backup_path(&path, 1)).unwrap();
    Study::open(&path).unwrap();
    assert!(!concord_core::schema::backup_path(&path, 1).exists());
}

#[test]
fn a_v1_package_rated_offline_returns_and_merges_into_the_migrated_master() {
    let dir = tempfile::tempdir().unwrap();
    let master = fixture(dir.path(), "v1-study.concord");
    let package = fixture(dir.path(), "v1-package-open.concord");
    let pkg = Study::open(&package).unwrap();
    let manifest = pkg
        .manifest()
        .unwrap()
        .expect("a v1 package gets a manifest");
    assert_eq!(manifest.rater, "Rater 1");
    let back = dir.path().join("back.concord");
    pkg.return_package(&back).unwrap();
    let study = Study::open(&master).unwrap();
    let s = study.merge(&back, &MergeOptions::default()).unwrap();
    assert_eq!(s.events_added, 1, "the one rating made in the package");
    assert!(study.check().unwrap().is_empty());
}

#[test]
fn a_v3_study_migrates_to_packed_rows_with_every_event_id_value_and_log_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "v3-study.concord");
    let queries = [V2_EVENTS, V2_CURRENT, V2_NOTES, V2_GOLD, V2_IDS, V2_MERGES];
    let before: Vec<_> = queries.iter().map(|q| rows(&path, q)).collect();
    assert!(before[0].len() > 50 && before[1].iter().any(|r| r[3] == "NULL"));
    assert!(!before[2].is_empty() && !before[3].is_empty() && !before[5].is_empty());
    let study = Study::open(&path).unwrap();
    assert!(concord_core::schema::backup_path(&path, 3).is_file());
    assert!(study.check().unwrap().is_empty(), "{:?}", study.check());
    // Every migration since schema 3 ran, the loader's response index (0007) the last.
    assert_eq!(
        rows(
            &path,
            "SELECT name FROM sqlite_master WHERE name = 'response_load'"
        )
        .len(),
        1
    );
    // The loader reads the packed rows: it finds exactly the current non-empty values.
    let loaded: BTreeSet<Vec<String>> = {
        let r = study.study_ratings().unwrap();
        r.ratings
            .iter()
            .map(|o| {
                vec![
                    r.raters[o.rater].name.clone(),
                    r.targets[o.target].id.clone(),
                    r.attributes[o.attribute].key.clone(),
                    o.value.to_string(),
                ]
            })
            .collect()
    };
    drop(study);
    let after: Vec<_> = queries.iter().map(|q| rows(&path, q)).collect();
    for (what, (b, a)) in ["events", "current", "notes", "gold", "ids", "merge log"]
        .iter()
        .zip(before.iter().zip(&after))
    {
        assert_eq!(b, a, "{what} survive the migration");
    }
    let current = rows(
        &path,
        "SELECT t.name, p.external_id, a.key, r.value FROM rating r JOIN rater t ON t.id = r.rater_id
         JOIN response p ON p.id = r.response_id JOIN attribute a ON a.id = r.attribute_id
         WHERE r.value IS NOT NULL",
    );
    assert_eq!(loaded, current);
}

#[test]
fn a_v7_study_migrates_to_cells_without_time_keeping_every_current_event_and_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture(dir.path(), "v7-study.concord");
    let rounds = "SELECT lower(hex(s.gid)), s.seed, lower(hex(p.gid)), q.probability, q.rated
        FROM sampling_probability q JOIN sampling_round s ON s.id = q.round_id
        JOIN response p ON p.id = q.response_id";
    let timed = |time: &str| {
        format!(
            "SELECT lower(hex(t.gid)), lower(hex(p.gid)), lower(hex(a.gid)), r.value,
                    lower(hex(e.gid)), {time}
             FROM rating r JOIN rater t ON t.id = r.rater_id JOIN response p ON p.id = r.response_id
             JOIN attribute a ON a.id = r.attribute_id JOIN rating_event e ON e.id = r.event_id"
        )
    };
    let before_timed = rows(&path, &timed("r.created_at"));
    let queries = [
        V2_EVENTS, V2_CURRENT, V2_NOTES, V2_GOLD, V2_IDS, V2_MERGES, rounds,
    ];
    let before: Vec<_> = queries.iter().map(|q| rows(&path, q)).collect();
    assert!(before[0].len() > 280 && before[1].iter().any(|r| r[3] == "NULL"));
    assert!(!before[2].is_empty() && !before[3].is_empty() && !before[5].is_empty());
    assert!(!before[6].is_empty(), "the fixture holds a sampling round");
    let study = Study::open(&path).unwrap();
    assert!(concord_core::schema::backup_path(&path, 7).is_file());
    assert!(study.check().unwrap().is_empty(), "{:?}", study.check());
    drop(study);
    // The old table's pages are given back: no free page is left in the file.
    assert_eq!(
        rows(&path, "PRAGMA freelist_count"),
        [vec!["0".to_string()]].into()
    );
    // Schema 9 packs the current values in blocks of 32 responses (`check` compared them with
    // `rating` above); the per-response packed rows are gone.
    assert_eq!(
        rows(
            &path,
            "SELECT name FROM sqlite_master WHERE name IN ('rating_row', 'rating_block')"
        ),
        [vec!["rating_block".to_string()]].into()
    );
    let columns = rows(&path, "SELECT name FROM pragma_table_info('rating')");
    assert!(
        !columns.contains(&vec!["created_at".to_string()]),
        "{columns:?}"
    );
    for (what, (b, a)) in [
        "events",
        "current",
        "notes",
        "gold",
        "ids",
        "merge log",
        "rounds",
    ]
    .iter()
    .zip(before.iter().zip(queries.iter().map(|q| rows(&path, q))))
    {
        assert_eq!(b, &a, "{what} survive the migration");
    }
    // Each cell's time is now its current event's: the same instants as the dropped column.
    assert_eq!(before_timed, rows(&path, &timed("e.created_at")));
}
