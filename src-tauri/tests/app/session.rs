//! Start-up, opening and creating studies, choosing the rater profile.

use crate::common::*;
use concord_app::commands::CommandError;

#[test]
fn startup_with_nothing_remembered_offers_the_start_screen() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    assert!(boot.session.is_none());
    assert!(boot.study.is_none());
    assert!(boot.recent.is_empty());
    assert!(boot.error.is_none());
    assert!(boot.templates.contains(&"mentalbench".to_string()));
}

#[test]
fn startup_opens_the_study_from_the_command_line_and_remembers_it_but_not_the_rater() {
    let fx = Fixture::demo();
    lead_adds_rater(&fx.study_path, "Nurse A");
    let app = fx.app(fx.launch(Some("Nurse A")));
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    let session = boot.session.expect("session");
    assert_eq!(session.rater.name, "Nurse A");
    assert_eq!(session.rater.kind, RaterKind::Human);
    assert_eq!(session.progress.total, 8);
    assert_eq!(session.progress.done, 0);
    assert_eq!(session.resume_position, Some(0));
    assert!(session
        .study
        .raters
        .iter()
        .all(|r| r.rater.kind == RaterKind::Human));

    // A page reload shows the same session without re-reading the launch arguments.
    let again = run(startup_again(&app));
    assert_eq!(again.session.unwrap().rater.id, session.rater.id);
    drop(app);

    // Restart with no arguments (the next clinician at a shared computer): the last study
    // comes back, but the rater is chosen again, and no rater name is on disk.
    let app = fx.app(LaunchArgs::default());
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    assert!(
        boot.session.is_none(),
        "no silent resume into the last rater"
    );
    assert_eq!(boot.study.expect("last study").path, fx.path());
    assert_eq!(boot.recent.len(), 1);
    let remembered = std::fs::read_to_string(fx.config_file()).unwrap();
    assert!(!remembered.contains("Nurse A"), "{remembered}");
}

async fn startup_again(app: &tauri::App<MockRuntime>) -> Startup {
    startup(app.handle().clone(), app.state()).await.unwrap()
}

#[test]
fn startup_reports_a_missing_study_instead_of_failing() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs {
        study: Some(fx.dir.path().join("missing.concord")),
        rater: None,
        demo: false,
    });
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    assert!(boot.session.is_none());
    assert!(boot.error.is_some());
}

#[test]
fn open_study_lists_human_raters_with_progress() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let summary = run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    assert_eq!(summary.rubric.attributes.len(), 7);
    assert!(summary.blind);
    assert!(summary.flags.contains(&"unsafe".to_string()));
    let names: Vec<_> = summary
        .raters
        .iter()
        .map(|r| r.rater.name.as_str())
        .collect();
    assert_eq!(names, ["Rater 1", "Rater 2"]);
    assert!(summary
        .raters
        .iter()
        .all(|r| r.progress.as_ref().unwrap().total > 0));
    let recent = run(recent_studies(app.state())).unwrap();
    assert_eq!(recent[0].path, fx.path());

    let err = run(open_study(
        app.handle().clone(),
        app.state(),
        fx.dir.path().join("nope.concord").display().to_string(),
    ))
    .unwrap_err()
    .to_string();
    assert!(!err.is_empty());
}

#[test]
fn create_study_makes_a_new_file_and_refuses_an_existing_one() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let path = fx.dir.path().join("new.concord").display().to_string();
    let summary = run(create_study(
        app.handle().clone(),
        app.state(),
        path.clone(),
        "Pilot".into(),
        "mentalbench".into(),
        None,
    ))
    .unwrap();
    assert_eq!(summary.name, "Pilot");
    assert!(summary.raters.is_empty());
    let err = run(create_study(
        app.handle().clone(),
        app.state(),
        path,
        "Again".into(),
        "mentalbench".into(),
        None,
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("already exists"), "{err}");
    let err = run(create_study(
        app.handle().clone(),
        app.state(),
        fx.dir.path().join("x.concord").display().to_string(),
        "X".into(),
        "no-such-template".into(),
        None,
    ))
    .unwrap_err()
    .to_string();
    assert!(!err.is_empty());
}

#[test]
fn choose_rater_validates_and_resumes() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let err = run(choose_rater(
        app.handle().clone(),
        app.state(),
        "Ann".into(),
    ))
    .unwrap_err()
    .to_string();
    assert_eq!(err, "no study is open");
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let err = run(choose_rater(app.handle().clone(), app.state(), "  ".into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("name"), "{err}");
    let err = run(choose_rater(
        app.handle().clone(),
        app.state(),
        "Judge A".into(),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("LLM judge"), "{err}");
    // An existing demo rater keeps their assignments and work.
    let session = run(choose_rater(
        app.handle().clone(),
        app.state(),
        "Rater 1".into(),
    ))
    .unwrap();
    assert_eq!(session.progress.total, 8);
    assert!(session.progress.done > 0);
    // An unknown name is refused, not created: the lead adds raters.
    let err = run(choose_rater(
        app.handle().clone(),
        app.state(),
        "Ann".into(),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("the study lead adds raters"), "{err}");
    let summary = run(study_summary(app.state())).unwrap();
    assert!(summary.raters.iter().all(|r| r.rater.name != "Ann"));
}

#[test]
fn study_summary_counts_progress_of_every_rater() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    assert!(run(study_summary(app.state())).is_err());
    let session = open_with_rater(&app, &fx.path(), "Ann");
    assert!(session.study.raters.iter().all(|r| r.progress.is_none()));
    let summary = run(study_summary(app.state())).unwrap();
    let ann = summary
        .raters
        .iter()
        .find(|r| r.rater.name == "Ann")
        .unwrap();
    assert_eq!(ann.progress.as_ref().unwrap().total, 8);
}

#[test]
fn commands_need_a_rater() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    assert_eq!(
        run(progress(app.state())).unwrap_err().to_string(),
        "no study is open"
    );
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    assert_eq!(
        run(rating_view(app.state(), 0)).unwrap_err().to_string(),
        "choose a rater profile first"
    );
    run(close_study(app.handle().clone(), app.state())).unwrap();
    assert_eq!(
        run(undo(app.state())).unwrap_err().to_string(),
        "no study is open"
    );
}

#[test]
fn a_package_opens_in_rater_mode_as_its_rater_and_refuses_the_leads_commands() {
    let fx = Fixture::demo();
    let package = fx.dir.path().join("rater1.concord");
    {
        let master = Study::open(&fx.study_path).unwrap();
        let rater = master.find_rater("Rater 1").unwrap().unwrap();
        master.export_package(&rater.id, &package).unwrap();
    }
    let app = fx.app(LaunchArgs {
        study: Some(package.clone()),
        rater: None,
        demo: false,
    });
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    let session = boot
        .session
        .expect("the package's rater, with no name asked");
    assert_eq!(session.rater.name, "Rater 1");
    assert_eq!(session.study.mode, concord_core::StudyMode::Rater);
    assert_eq!(session.study.package_rater.as_deref(), Some("Rater 1"));
    assert_eq!(session.study.raters.len(), 1, "no other rater in the file");
    // Rating works; the lead's commands are refused with one clear message.
    let view = run(rating_view(app.state(), 0)).unwrap();
    assert!(view.model.is_none());
    let lead_only = |err: CommandError| {
        let text = err.to_string();
        assert!(text.contains("for the study lead"), "{text}");
    };
    lead_only(run(admin_view(app.state())).unwrap_err());
    lead_only(run(disagreements(app.state(), None, 1, 10)).unwrap_err());
    lead_only(run(conflicts(app.state())).unwrap_err());
    lead_only(run(merge_history(app.state())).unwrap_err());
    lead_only(run(add_rater(app.state(), "Mallory".into(), None)).unwrap_err());
    lead_only(
        run(set_rater_site(
            app.state(),
            session.rater.id.clone(),
            "Away".into(),
        ))
        .unwrap_err(),
    );
    lead_only(run(dashboard_show(app.state(), DashboardRequest::default(), 1)).unwrap_err());
    let change = SettingsChange {
        blind: false,
        flags: vec![],
        overlap_target: 2,
    };
    lead_only(run(set_settings(app.state(), change)).unwrap_err());
    assert!(Study::open(&package).unwrap().settings().unwrap().blind);
    // What the rater needs still works.
    assert!(run(package_manifest(app.state())).unwrap().is_some());
    let back = fx.dir.path().join("back.concord").display().to_string();
    run(return_package(app.state(), back)).unwrap();
    assert!(run(study_summary(app.state())).is_ok());
}
