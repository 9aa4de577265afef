//! The study lead's screens: adjudication, admin, packages and merges.

use crate::common::*;

#[test]
fn disagreements_list_widest_first_and_set_gold_writes_the_file() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    assert_eq!(
        run(disagreements(app.state(), None, 1, 50))
            .unwrap_err()
            .to_string(),
        "no study is open"
    );
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let rows = run(disagreements(app.state(), None, 1, 500)).unwrap();
    let expected = Study::open(&fx.study_path)
        .unwrap()
        .disagreements(None, 1, 500)
        .unwrap();
    assert_eq!(rows, expected);
    assert!(!rows.is_empty());
    assert!(rows.windows(2).all(|w| w[0].range >= w[1].range));
    let top = rows[0].clone();
    let only = run(disagreements(
        app.state(),
        Some(top.attribute.clone()),
        top.range,
        10,
    ))
    .unwrap();
    assert!(only
        .iter()
        .all(|d| d.attribute == top.attribute && d.range >= top.range));
    // An empty attribute means every attribute; an unknown one is a message.
    assert_eq!(
        run(disagreements(app.state(), Some(String::new()), 1, 500)).unwrap(),
        rows
    );
    let err = run(disagreements(app.state(), Some("nope".into()), 1, 10))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope"), "{err}");

    let gold = run(set_gold(
        app.state(),
        top.external_id.clone(),
        top.attribute.clone(),
        3,
        "Dr Lead".into(),
        " consensus meeting ".into(),
    ))
    .unwrap();
    assert_eq!((gold.value, gold.adjudicator.as_str()), (3, "Dr Lead"));
    // Durable: another connection to the file reads it back, reason trimmed.
    let history = Study::open(&fx.study_path)
        .unwrap()
        .gold_history(Some(&top.external_id))
        .unwrap();
    let stored = history
        .iter()
        .find(|g| g.attribute == top.attribute)
        .map(|g| (g.value, g.adjudicator.clone(), g.reason.clone()))
        .unwrap();
    assert_eq!(
        stored,
        (Some(3), "Dr Lead".into(), "consensus meeting".into())
    );
    let again = run(disagreements(app.state(), None, 1, 500)).unwrap();
    assert_eq!(
        again
            .iter()
            .find(|d| d.external_id == top.external_id && d.attribute == top.attribute)
            .unwrap()
            .gold,
        Some(3)
    );
    for (value, who) in [(9, "Dr Lead"), (3, "  ")] {
        assert!(run(set_gold(
            app.state(),
            top.external_id.clone(),
            top.attribute.clone(),
            value,
            who.into(),
            String::new(),
        ))
        .is_err());
    }
    // Clearing is recorded too: the cell has no gold, its history ends with the clearing.
    run(clear_gold(
        app.state(),
        top.external_id.clone(),
        top.attribute.clone(),
        "Dr Lead".into(),
        "set by mistake".into(),
    ))
    .unwrap();
    let cleared = run(disagreements(app.state(), None, 1, 500)).unwrap();
    let cell = cleared
        .iter()
        .find(|d| d.external_id == top.external_id && d.attribute == top.attribute)
        .unwrap();
    assert_eq!(cell.gold, None);
    let last = Study::open(&fx.study_path)
        .unwrap()
        .gold_history(Some(&top.external_id))
        .unwrap()
        .into_iter()
        .rfind(|g| g.attribute == top.attribute)
        .unwrap();
    assert_eq!((last.value, last.reason.as_str()), (None, "set by mistake"));
}

#[test]
fn adjudication_view_shows_every_human_judgement_sanitized() {
    let fx = Fixture::demo();
    let study = Study::open(&fx.study_path).unwrap();
    let top = study.disagreements(None, 1, 1).unwrap().remove(0);
    let internal = study.response_ids().unwrap()[&top.external_id].clone();
    let r1 = study.find_rater("Rater 1").unwrap().unwrap();
    study
        .set_note(
            &r1.id,
            &internal,
            "<script>alert(1)</script> too directive",
            &["unsafe".to_string()],
        )
        .unwrap();
    drop(study);
    let app = fx.app(LaunchArgs::default());
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let view = run(adjudication_view(app.state(), top.external_id.clone())).unwrap();
    assert_eq!(view.external_id, top.external_id);
    assert!(!view.response_html.is_empty() && !view.prompt_html.is_empty());
    let names: Vec<_> = view.raters.iter().map(|r| r.rater.as_str()).collect();
    assert_eq!(names, ["Rater 1", "Rater 2"]);
    for judgement in &view.raters {
        assert_eq!(
            judgement.values.get(&top.attribute),
            top.values.get(&judgement.rater)
        );
        assert_eq!(judgement.values.len(), 7);
    }
    // The rationale is plain text for the page to show as text, never HTML.
    assert_eq!(
        view.raters[0].rationale,
        "<script>alert(1)</script> too directive"
    );
    assert_eq!(view.raters[0].flags, ["unsafe"]);
    let err = run(adjudication_view(app.state(), "nope".into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn admin_adds_raters_assigns_with_overlap_and_edits_settings() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    assert!(run(admin_view(app.state())).is_err());
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let view = run(admin_view(app.state())).unwrap();
    assert_eq!(view.responses, 8);
    let kinds: Vec<_> = view
        .raters
        .iter()
        .map(|r| (r.rater.name.as_str(), r.rater.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Rater 1", RaterKind::Human),
            ("Rater 2", RaterKind::Human),
            ("Judge A", RaterKind::Llm)
        ]
    );
    assert_eq!(view.raters[0].progress.as_ref().unwrap().total, 8);

    let a = run(add_rater(
        app.state(),
        " Dr Okafor ".into(),
        Some(" Leeds ".into()),
    ))
    .unwrap();
    let b = run(add_rater(app.state(), "Dr Lind".into(), None)).unwrap();
    assert_eq!(
        (a.name.as_str(), a.kind, a.site.as_deref()),
        ("Dr Okafor", RaterKind::Human, Some("Leeds"))
    );
    assert_eq!(b.site, None);
    let err = run(add_rater(
        app.state(),
        "Dr Lind".into(),
        Some("York".into()),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("already exists"), "{err}");
    assert!(run(add_rater(app.state(), "  ".into(), Some("York".into()))).is_err());
    // The site is in the file (another connection reads it) and on the admin view; the lead
    // changes it later.
    let site_on_file = |id: &str| {
        Study::open(&fx.study_path)
            .unwrap()
            .raters()
            .unwrap()
            .into_iter()
            .find(|r| r.id == id)
            .unwrap()
            .site
    };
    assert_eq!(site_on_file(&a.id).as_deref(), Some("Leeds"));
    run(set_rater_site(app.state(), b.id.clone(), "York".into())).unwrap();
    let view = run(admin_view(app.state())).unwrap();
    let sites: Vec<_> = view
        .raters
        .iter()
        .filter(|r| r.rater.name.starts_with("Dr "))
        .map(|r| (r.rater.name.as_str(), r.rater.site.as_deref()))
        .collect();
    assert_eq!(
        sites,
        [("Dr Lind", Some("York")), ("Dr Okafor", Some("Leeds"))]
    );
    run(set_rater_site(app.state(), b.id.clone(), " ".into())).unwrap();
    assert_eq!(site_on_file(&b.id), None);

    let ids = vec![a.id.clone(), b.id.clone()];
    // Rater 1 and 2 hold every response: overlap 5 would need three more on each.
    let err = run(assign_with_overlap(
        app.state(),
        ids.clone(),
        5,
        Strata::None,
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("overlap"), "{err}");
    let design = run(assign_with_overlap(
        app.state(),
        ids.clone(),
        4,
        Strata::None,
    ))
    .unwrap();
    let added: Vec<usize> = design.raters.iter().map(|r| r.added).collect();
    assert_eq!(added, [8, 8]);
    let other = Study::open(&fx.study_path).unwrap();
    let assigned: usize = [&a.id, &b.id]
        .iter()
        .map(|id| other.progress(id).unwrap().total)
        .sum();
    assert_eq!(assigned, 16);
    // Assigning again keeps what is there and adds nothing.
    assert_eq!(
        run(assign_with_overlap(app.state(), ids, 1, Strata::None))
            .unwrap()
            .added,
        0
    );

    let summary = run(set_settings(
        app.state(),
        SettingsChange {
            blind: false,
            flags: vec!["unsafe".into(), " ".into(), "off-topic".into()],
            overlap_target: 3,
        },
    ))
    .unwrap();
    assert!(!summary.blind);
    assert_eq!(summary.flags, ["unsafe", "off-topic"]);
    let settings = run(admin_view(app.state())).unwrap().settings;
    assert_eq!(settings.overlap_target, 3);
    assert_eq!(
        settings.shuffle_seed,
        StudySettings::default().shuffle_seed,
        "the shuffle seed is kept"
    );
}

/// The lead's 6 clinicians at 3 sites, assigned from Admin with overlap 2 balanced across
/// sites: every response's two raters work at different sites, and loads differ by at most one.
#[test]
fn assigning_across_sites_pairs_raters_from_different_sites() {
    let dir = tempfile::tempdir().unwrap();
    let fx = Fixture {
        study_path: dir.path().join("sites.concord"),
        dir,
    };
    // 24 responses and no human rater yet.
    let opts = DemoOptions {
        items: 12,
        models: 2,
        raters: 0,
        judges: 1,
        ..DemoOptions::default()
    };
    create_demo(&fx.study_path, &opts).unwrap();
    let app = fx.app(LaunchArgs::default());
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let clinicians = [
        ("Dr Adeyemi", "Leeds"),
        ("Dr Brennan", "Leeds"),
        ("Dr Chen", "York"),
        ("Dr Dubois", "York"),
        ("Dr Eze", "Hull"),
        ("Dr Fischer", "Hull"),
    ];
    let ids: Vec<String> = clinicians
        .iter()
        .map(|(name, site)| {
            run(add_rater(app.state(), (*name).into(), Some((*site).into())))
                .unwrap()
                .id
        })
        .collect();
    let design = run(assign_with_overlap(
        app.state(),
        ids.clone(),
        2,
        Strata::Site,
    ))
    .unwrap();
    assert_eq!(design.strata, Strata::Site);
    assert_eq!((design.responses, design.added), (24, 48));

    // What another connection reads from the file, not what the command said.
    let on_file = Study::open(&fx.study_path)
        .unwrap()
        .current_design()
        .unwrap();
    let site_of = |id: &str| clinicians[ids.iter().position(|i| i == id).unwrap()].1;
    let loads: Vec<usize> = on_file.raters.iter().map(|r| r.load).collect();
    assert_eq!(
        loads.iter().sum::<usize>(),
        48,
        "each of 24 responses has two raters"
    );
    let (min, max) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
    assert!(max - min <= 1, "loads {loads:?}");
    // With exactly two raters per response, every response is one pair's shared response: no
    // pair at the same site sharing any means every response's raters are at different sites.
    let m = &on_file.overlap_matrix;
    for (a, ra) in on_file.raters.iter().enumerate() {
        for (b, rb) in on_file.raters.iter().enumerate().skip(a + 1) {
            if site_of(&ra.id) == site_of(&rb.id) {
                assert_eq!(m[a][b], 0, "{} and {} share responses", ra.rater, rb.rater);
            }
        }
    }
    let shared: usize = (0..m.len())
        .flat_map(|a| (a + 1..m.len()).map(move |b| (a, b)))
        .map(|(a, b)| m[a][b])
        .sum();
    assert_eq!(shared, 24);
}

/// Dr Sato, added and assigned every response in the app on `fx`'s study, exports a package,
/// rates the first response's safety `score` in it on another machine and returns it from the
/// app there: (Dr Sato, that response's id, the package, the returned copy).
fn sato_returns(
    fx: &Fixture,
    app: &tauri::App<MockRuntime>,
    score: i64,
) -> (concord_core::Rater, String, PathBuf, PathBuf) {
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let rater = run(add_rater(app.state(), "Dr Sato".into(), None)).unwrap();
    // The demo's two raters hold every response: a third per response gives Dr Sato them all.
    run(assign_with_overlap(
        app.state(),
        vec![rater.id.clone()],
        3,
        Strata::None,
    ))
    .unwrap();
    let package = fx.dir.path().join("sato.concord");
    let package_id = run(export_package(
        app.state(),
        rater.id.clone(),
        package.display().to_string(),
        None,
    ))
    .unwrap()
    .package_id;
    assert!(!package_id.is_empty() && package.exists());
    let err = run(export_package(
        app.state(),
        rater.id.clone(),
        package.display().to_string(),
        None,
    ))
    .unwrap_err()
    .to_string();
    assert!(!err.is_empty());

    // The rater works in the package on another machine and returns it from the app.
    let returned = fx.dir.path().join("sato-returned.concord");
    let view;
    {
        let remote = fx.app(LaunchArgs::default());
        run(open_study(
            remote.handle().clone(),
            remote.state(),
            package.display().to_string(),
        ))
        .unwrap();
        let remote_study = Study::open(&package).unwrap();
        view = remote_study.rating_view(&rater.id, 0).unwrap();
        remote_study
            .set_rating(&rater.id, &view.response_id, "safety", Some(score))
            .unwrap();
        let manifest = run(package_manifest(remote.state())).unwrap().unwrap();
        assert_eq!(manifest.rater, "Dr Sato");
        let back = run(return_package(
            remote.state(),
            returned.display().to_string(),
        ))
        .unwrap();
        assert_eq!(back.manifest.events, Some(1));
        assert!(back.message.contains("Send"), "{}", back.message);
    }
    (rater, view.response_id, package, returned)
}

#[test]
fn admin_exports_a_package_and_merges_it_back() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let (rater, _, package, returned) = sato_returns(&fx, &app, 4);
    let err = run(merge_package(app.state(), package.display().to_string()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("was not returned"), "{err}");
    let summary = run(merge_package(app.state(), returned.display().to_string())).unwrap();
    assert!(!summary.already_merged);
    assert_eq!(summary.events_added, 1);
    assert!(summary.conflicts.is_empty());
    let again = run(merge_package(app.state(), returned.display().to_string())).unwrap();
    assert!(again.already_merged);
    assert_eq!(again.events_added, 0);
    let progress = run(admin_view(app.state()))
        .unwrap()
        .raters
        .into_iter()
        .find(|r| r.rater.id == rater.id)
        .unwrap()
        .progress
        .unwrap();
    assert_eq!(progress.partial, 1);
    assert_eq!(run(merge_history(app.state())).unwrap().len(), 1);
    assert!(run(conflicts(app.state())).unwrap().is_empty());
    let err = run(merge_package(
        app.state(),
        fx.dir.path().join("missing.concord").display().to_string(),
    ))
    .unwrap_err()
    .to_string();
    assert!(!err.is_empty());
}

#[test]
fn resolve_conflict_takes_the_typed_choice_the_page_sends() {
    use concord_core::merge::Resolution;
    // The page sends the generated `Resolution` type's strings; anything else is refused by
    // the command's argument parsing before any study is touched.
    for (sent, keep) in [
        ("here", Resolution::Here),
        ("incoming", Resolution::Incoming),
        ("current", Resolution::Current),
    ] {
        assert_eq!(
            serde_json::from_value::<Resolution>(serde_json::json!(sent)).unwrap(),
            keep
        );
    }
    assert!(serde_json::from_value::<Resolution>(serde_json::json!("mine")).is_err());
}

#[test]
fn a_conflict_from_a_merge_is_resolved_with_the_typed_choice() {
    use concord_core::merge::Resolution;
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let (rater, response, _, returned) = sato_returns(&fx, &app, 4);
    // Meanwhile the lead's copy gets another value in the same cell, which the package never saw.
    Study::open(&fx.study_path)
        .unwrap()
        .set_rating(&rater.id, &response, "safety", Some(2))
        .unwrap();
    let summary = run(merge_package(app.state(), returned.display().to_string())).unwrap();
    assert_eq!(summary.conflicts.len(), 1);
    let open = run(conflicts(app.state())).unwrap();
    assert_eq!(open.len(), 1);
    let c = &open[0];
    assert_eq!((c.here, c.incoming, c.current), (Some(2), Some(4), Some(2)));
    let done = run(resolve_conflict(
        app.state(),
        c.id,
        Resolution::Incoming,
        "Dr Lead".into(),
    ))
    .unwrap();
    assert_eq!(done.current, Some(4));
    assert_eq!(
        done.resolved.map(|r| (r.value, r.by)),
        Some((Some(4), "Dr Lead".to_string()))
    );
    assert!(run(conflicts(app.state())).unwrap().is_empty());
    // The study file now shows the kept value in that cell.
    let master = Study::open(&fx.study_path).unwrap();
    let shown = (0..)
        .map(|p| master.rating_view(&rater.id, p).unwrap())
        .find(|v| v.response_id == response)
        .unwrap();
    assert_eq!(shown.values.get("safety"), Some(&4));
}
