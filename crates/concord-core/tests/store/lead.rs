//! The lead's side: disagreements and gold, rater profiles, progress kept by saves.

use super::*;

#[test]
fn disagreements_are_ranked_and_gold_is_recorded() {
    let (_d, path) = temp();
    let (study, ana, ids) = small_study(&path);
    let ben = study.add_rater("Ben", RaterKind::Human, None).unwrap().id;
    let judge = study.add_rater("J", RaterKind::Llm, None).unwrap().id;
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
    let judge = study.add_rater("Judge", RaterKind::Llm, None).unwrap();
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
    let cy = study.add_rater("Cy", RaterKind::Human, None).unwrap();
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
fn a_rater_is_added_with_a_site_and_the_site_can_change() {
    let (_d, path) = temp();
    let (study, _, _) = small_study(&path);
    let bo = study
        .add_rater(" Bo ", RaterKind::Human, Some("  North "))
        .unwrap();
    assert_eq!(
        (bo.name.as_str(), bo.site.as_deref()),
        ("Bo", Some("North"))
    );
    // A blank site is no site; the name's rules stand (no rater, no site written).
    let cy = study.add_rater("Cy", RaterKind::Human, Some(" ")).unwrap();
    assert_eq!(cy.site, None);
    assert!(study
        .add_rater("Bo", RaterKind::Human, Some("South"))
        .is_err());
    let site_of = |name: &str| {
        Study::open(&path)
            .unwrap()
            .find_rater(name)
            .unwrap()
            .unwrap()
            .site
    };
    assert_eq!(site_of("Bo").as_deref(), Some("North"));
    // Progress reads the same site; the lead changes or clears it later.
    let report = study.progress_report().unwrap();
    let line = report.raters.iter().find(|r| r.rater == "Bo").unwrap();
    assert_eq!(line.site.as_deref(), Some("North"));
    study.set_rater_site(&bo.id, "South").unwrap();
    assert_eq!(site_of("Bo").as_deref(), Some("South"));
    study.set_rater_site(&bo.id, "").unwrap();
    assert_eq!(site_of("Bo"), None);
    assert!(study.raters().unwrap().iter().all(|r| r.site.is_none()));
}

#[test]
fn progress_kept_by_saves_matches_a_fresh_count_and_sees_other_writers() {
    let (_d, path) = temp();
    let (study, ana, ids) = small_study(&path);
    let keys = attribute_keys(&study);
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
fn progress_of_several_raters_kept_through_each_others_saves_matches_fresh_counts() {
    let (_d, path) = temp();
    let (study, ana, ids) = small_study(&path);
    let bo = study.add_rater("Bo", RaterKind::Human, None).unwrap().id;
    study.assign_all(&bo).unwrap();
    let keys = attribute_keys(&study);
    let fresh = |rater: &str| Study::open(&path).unwrap().progress(rater).unwrap();
    // Both counted, then saves alternate between them: each count stays equal to a recount.
    for (i, id) in ids.iter().take(3).enumerate() {
        for key in keys.iter().take(if i == 1 { keys.len() } else { 3 }) {
            for (rater, value) in [(&ana, 2), (&bo, 5)] {
                study.set_rating(rater, id, key, Some(value)).unwrap();
                assert_eq!(study.progress(&ana).unwrap(), fresh(&ana));
                assert_eq!(study.progress(&bo).unwrap(), fresh(&bo));
            }
        }
    }
    let p = study.progress(&bo).unwrap();
    assert_eq!((p.done, p.partial, p.todo), (1, 2, 1));
    // Another connection's save for Bo is seen in Bo's count, and Ana's is still right.
    Study::open(&path)
        .unwrap()
        .set_rating(&bo, &ids[3], &keys[0], Some(1))
        .unwrap();
    assert_eq!(study.progress(&bo).unwrap().todo, 0);
    assert_eq!(study.progress(&ana).unwrap(), fresh(&ana));
}
