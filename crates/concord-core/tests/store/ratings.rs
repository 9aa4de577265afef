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
