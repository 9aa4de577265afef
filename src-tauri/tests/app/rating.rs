//! The rating screen: saving, undo, notes, the queue and hostile content.

use crate::common::*;

#[test]
fn rating_saves_durably_undoes_and_notes() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let session = open_with_rater(&app, &fx.path(), "Nurse B");
    let keys: Vec<String> = session
        .study
        .rubric
        .attributes
        .iter()
        .map(|a| a.key.clone())
        .collect();
    let view = run(rating_view(app.state(), 0)).unwrap();
    assert_eq!(view.position, 0);
    assert_eq!(view.total, 8);
    assert!(view.model.is_none(), "blind study hides the model");
    assert!(view.values.is_empty());
    assert!(view.response_html.contains("<li>"));

    for (i, key) in keys.iter().enumerate() {
        let value = 1 + (i as i64 % 5);
        let saved = run(set_rating(
            app.state(),
            view.response_id.clone(),
            key.clone(),
            Some(value),
        ))
        .unwrap();
        assert_eq!(saved.value, Some(value));
        // The progress the save returns counts this value: done once every attribute is set.
        let done = usize::from(i + 1 == keys.len());
        assert_eq!(
            (
                saved.progress.done,
                saved.progress.partial,
                saved.progress.todo
            ),
            (done, 1 - done, 7)
        );
    }
    // Durable: a second connection sees every value.
    let other = Study::open(&fx.study_path).unwrap();
    let seen = other.rating_view(&session.rater.id, 0).unwrap();
    assert_eq!(seen.values.len(), keys.len());
    drop(other);

    let err = run(set_rating(
        app.state(),
        view.response_id.clone(),
        keys[0].clone(),
        Some(9),
    ))
    .unwrap_err()
    .to_string();
    assert!(!err.is_empty());

    let p = run(progress(app.state())).unwrap();
    assert_eq!((p.done, p.todo), (1, 7));
    assert_eq!(run(first_unfinished(app.state())).unwrap(), Some(1));
    let done = run(queue(app.state(), QueueFilter::Done, 0, 50)).unwrap();
    assert_eq!(done.total, 1);
    assert_eq!(done.entries[0].response_id, view.response_id);

    // Clearing, then undo restores the cleared value.
    let last = keys.last().unwrap().clone();
    run(set_rating(
        app.state(),
        view.response_id.clone(),
        last.clone(),
        None,
    ))
    .unwrap();
    let undone = run(undo(app.state())).unwrap();
    assert_eq!(
        undone.progress.done, 1,
        "the restored value completes the response again"
    );
    let undone = undone.change.unwrap();
    assert_eq!(undone.attribute_key, last);
    assert_eq!(undone.restored, Some(1 + ((keys.len() as i64 - 1) % 5)));

    let p = run(set_note(
        app.state(),
        view.response_id.clone(),
        "Misses the risk cue".into(),
        vec!["unsafe".into()],
    ))
    .unwrap();
    assert_eq!((p.flagged, p.done), (1, 1));
    let view = run(rating_view(app.state(), 0)).unwrap();
    assert_eq!(view.rationale, "Misses the risk cue");
    assert_eq!(view.flags, ["unsafe"]);
    let flagged = run(queue(app.state(), QueueFilter::Flagged, 0, 50)).unwrap();
    assert_eq!(flagged.total, 1);
    let page = run(queue(app.state(), QueueFilter::All, 2, 3)).unwrap();
    assert_eq!(page.total, 8);
    assert_eq!(page.entries.len(), 3);
    assert_eq!(page.entries[0].position, 2);
    assert!(run(rating_view(app.state(), 99)).is_err());

    // Closing folds the log into the file: a copy of the study file alone holds everything.
    run(close_study(app.handle().clone(), app.state())).unwrap();
    assert!(!fx.dir.path().join("demo.concord-wal").exists());
    let copy = fx.dir.path().join("copied-alone.concord");
    std::fs::copy(&fx.study_path, &copy).unwrap();
    let copied = Study::open(&copy).unwrap();
    let values = copied.rating_view(&session.rater.id, 0).unwrap().values;
    assert_eq!(values.len(), keys.len());
    assert_eq!(
        copied.note(&session.rater.id, &view.response_id).unwrap().0,
        "Misses the risk cue"
    );
}

#[test]
fn rating_view_renders_hostile_content_inert() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.concord");
    let study = Study::create(&path, "Hostile", &Rubric::builtin("mentalbench").unwrap()).unwrap();
    let hostile = format!(
        "<script>document.title='pwned'</script>\n\n<img src=x onerror=\"document.title='pwned'\">\n\n<iframe src=\"https://example.com\"></iframe>\n\n[click me](javascript:alert(1))\n\n{}",
        "x".repeat(2 * 1024 * 1024)
    );
    study
        .import_responses(&[ResponseRow {
            row: 2,
            item_id: "i1".into(),
            prompt: "<b onmouseover=alert(1)>prompt</b>".into(),
            response_id: "r1".into(),
            model: "m".into(),
            response: hostile,
        }])
        .unwrap();
    drop(study);
    let app = mock_builder()
        .manage(AppState::new(
            dir.path().join("remembered.json"),
            LaunchArgs::default(),
        ))
        .build(mock_context(noop_assets()))
        .unwrap();
    open_with_rater(&app, &path.display().to_string(), "Ann");
    let view = run(rating_view(app.state(), 0)).unwrap();
    for html in [&view.response_html, &view.prompt_html] {
        for bad in ["<script", "<img", "<iframe", "<a ", "<b ", "href="] {
            assert!(!html.contains(bad), "{bad} survived");
        }
    }
    // The markup is still there to read, as text.
    assert!(view.response_html.contains("&lt;img src=x onerror="));
    assert!(view.prompt_html.contains("&lt;b onmouseover=alert(1)&gt;"));
    assert!(view.response_chars > 2 * 1024 * 1024);
}
