//! Recording: ratings appended with the current value following, the log append-only, undo,
//! notes and flags.

use super::*;

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
fn packed_blocks_follow_the_latest_event_through_ties_and_late_arrivals() {
    let (_d, path) = temp();
    let (study, _rater, _ids) = small_study(&path);
    study.close().unwrap();
    let conn = Connection::open(&path).unwrap();
    let (t, p, a, o, scale_min): (i64, i64, i64, i64, i64) = conn
        .query_row(
            // The last response: its cells lie inside its block, not at its start.
            "SELECT (SELECT id FROM rater), (SELECT max(id) FROM response), id,
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
        // The cell's character in its block of 32 responses (migrations/0009).
        let (vals, width): (String, i64) = conn
            .query_row(
                "SELECT vals, (SELECT max(id) FROM attribute) FROM rating_block
                 WHERE rater_id = ?1 AND block = (?2 - 1) / 32",
                [t, p],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(vals.chars().count() as i64, 32 * width);
        let at = ((p - 1) % 32) * width + a - 1;
        let ch = vals.chars().nth(at as usize).unwrap();
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
    study.close().unwrap();
    // A block whose character disagrees with `rating` is found by `check`.
    let conn = Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE rating_block SET vals = '4' || substr(vals, 2) WHERE rater_id = ?1",
        [t],
    )
    .unwrap();
    drop(conn);
    let problems = Study::open(&path).unwrap().check().unwrap();
    assert!(
        problems.iter().any(|p| p.contains("packed rating blocks")),
        "{problems:?}"
    );
}
