//! Encrypted studies in the app: the start-up and open flow ask for the passphrase, a wrong one
//! is refused with the file untouched, the right one opens it for rating and for the dashboard
//! (whose probe is keyed with it), and a new study can be created encrypted.

use crate::common::*;
use concord_core::cipher::{self, Passphrase};

const KEY: &str = "ward seven night shift";

/// The demo fixture, encrypted with [`KEY`].
fn encrypted() -> Fixture {
    let fx = Fixture::demo();
    lead_adds_rater(&fx.study_path, "Nurse A");
    cipher::rekey(&fx.study_path, None, Some(&Passphrase::new(KEY).unwrap())).unwrap();
    std::fs::remove_file(fx.dir.path().join("demo.concord.bak")).unwrap();
    fx
}

#[test]
fn startup_asks_for_the_passphrase_of_an_encrypted_study_instead_of_failing() {
    let fx = encrypted();
    let app = fx.app(fx.launch(None));
    let boot = run(startup(app.handle().clone(), app.state())).unwrap();
    assert_eq!(boot.locked.as_deref(), Some(fx.path().as_str()));
    assert!(boot.error.is_none(), "{:?}", boot.error);
    assert!(boot.study.is_none() && boot.session.is_none());
    assert!(run(needs_passphrase(fx.path())).unwrap());
    let plain = Fixture::demo();
    assert!(!run(needs_passphrase(plain.path())).unwrap());
}

#[test]
fn a_wrong_passphrase_is_refused_and_the_file_is_untouched() {
    let fx = encrypted();
    let app = fx.app(LaunchArgs::default());
    let before = std::fs::read(&fx.study_path).unwrap();
    let plain_open = run(open_study(app.handle().clone(), app.state(), fx.path()))
        .unwrap_err()
        .to_string();
    assert!(plain_open.contains("give its passphrase"), "{plain_open}");
    let err = run(unlock_study(
        app.handle().clone(),
        app.state(),
        fx.path(),
        "night shift ward seven".into(),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(err.contains(&fx.path()), "names the file: {err}");
    let empty = run(unlock_study(
        app.handle().clone(),
        app.state(),
        fx.path(),
        String::new(),
    ))
    .unwrap_err()
    .to_string();
    assert!(empty.contains("cannot be empty"), "{empty}");
    assert_eq!(std::fs::read(&fx.study_path).unwrap(), before);
    assert!(!fx.dir.path().join("demo.concord-wal").exists());
    // Nothing about the study was remembered either.
    assert!(!fx.config_file().exists());
}

#[test]
fn the_right_passphrase_opens_the_study_for_rating_and_for_the_dashboard() {
    let fx = encrypted();
    let (app, rx) = dashboard_app(&fx);
    let summary = run(unlock_study(
        app.handle().clone(),
        app.state(),
        fx.path(),
        KEY.into(),
    ))
    .unwrap();
    assert!(summary.raters.iter().any(|r| r.rater.name == "Nurse A"));
    let session = run(choose_rater(
        app.handle().clone(),
        app.state(),
        "Nurse A".into(),
    ))
    .unwrap();
    let view = run(rating_view(app.state(), 0)).unwrap();
    let saved = run(set_rating(
        app.state(),
        view.response_id.clone(),
        "guidance".into(),
        Some(4),
    ))
    .unwrap();
    assert_eq!(saved.progress.total, session.progress.total);
    // The dashboard's own connection (its probe) opens the encrypted file too.
    run(dashboard_show(app.state(), DashboardRequest::default(), 7)).unwrap();
    let shown = next_view(&rx, 7);
    assert!(!shown.table.is_empty());
    run(close_study(app.handle().clone(), app.state())).unwrap();

    // The rating is in the file, which still needs the passphrase; the passphrase is nowhere
    // in the app's remembered-sessions file.
    let key = Passphrase::new(KEY).unwrap();
    let study = Study::open_with(&fx.study_path, Some(&key)).unwrap();
    let rater = study.find_rater("Nurse A").unwrap().unwrap();
    assert_eq!(
        study
            .rating_view(&rater.id, 0)
            .unwrap()
            .values
            .get("guidance"),
        Some(&4)
    );
    assert!(matches!(
        Study::open(&fx.study_path),
        Err(concord_core::Error::PassphraseNeeded(_))
    ));
    let remembered = std::fs::read_to_string(fx.config_file()).unwrap();
    assert!(!remembered.contains(KEY), "{remembered}");
}

#[test]
fn a_new_study_can_be_created_encrypted() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let path = fx.dir.path().join("secret.concord");
    let create = |passphrase: &str| {
        run(create_study(
            app.handle().clone(),
            app.state(),
            path.display().to_string(),
            "Ward pilot".into(),
            "mentalbench".into(),
            Some(passphrase.into()),
        ))
    };
    // A passphrase too short to choose is refused with the rule, and no file is made.
    let err = create("ward seven").unwrap_err().to_string();
    assert!(err.contains("at least 15 characters"), "{err}");
    assert!(!path.exists());
    let summary = create(KEY).unwrap();
    assert_eq!(summary.name, "Ward pilot");
    run(close_study(app.handle().clone(), app.state())).unwrap();
    assert!(cipher::needs_passphrase(&path).unwrap());
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(10).any(|w| w == b"Ward pilot"));
    let key = Passphrase::new(KEY).unwrap();
    assert_eq!(
        Study::open_with(&path, Some(&key)).unwrap().name().unwrap(),
        "Ward pilot"
    );
}

#[test]
fn an_encrypted_studys_package_opens_in_the_app_with_its_own_passphrase_only() {
    let fx = encrypted();
    let app = fx.app(LaunchArgs::default());
    run(unlock_study(
        app.handle().clone(),
        app.state(),
        fx.path(),
        KEY.into(),
    ))
    .unwrap();
    let admin = run(admin_view(app.state())).unwrap();
    let nurse = admin
        .raters
        .iter()
        .find(|r| r.rater.name == "Nurse A")
        .unwrap();
    let package = fx.dir.path().join("nurse-a.concord");
    let exported = run(export_package(
        app.state(),
        nurse.rater.id.clone(),
        package.display().to_string(),
        None,
    ))
    .unwrap();
    let passphrase = exported
        .passphrase
        .expect("an encrypted package's passphrase");
    assert_ne!(passphrase, KEY);

    let rater_app = fx.app(LaunchArgs::default());
    let package_path = package.display().to_string();
    assert!(run(needs_passphrase(package_path.clone())).unwrap());
    let err = run(unlock_study(
        rater_app.handle().clone(),
        rater_app.state(),
        package_path.clone(),
        KEY.into(),
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("wrong passphrase"),
        "the study's passphrase: {err}"
    );
    let summary = run(unlock_study(
        rater_app.handle().clone(),
        rater_app.state(),
        package_path,
        passphrase,
    ))
    .unwrap();
    assert_eq!(summary.package_rater.as_deref(), Some("Nurse A"));
}

#[test]
fn the_lead_may_type_a_packages_passphrase_under_the_clis_rules() {
    let fx = encrypted();
    let app = fx.app(LaunchArgs::default());
    let summary = run(unlock_study(
        app.handle().clone(),
        app.state(),
        fx.path(),
        KEY.into(),
    ))
    .unwrap();
    assert!(summary.encrypted, "the page learns the study is encrypted");
    let nurse = summary
        .raters
        .iter()
        .find(|r| r.rater.name == "Nurse A")
        .unwrap()
        .rater
        .id
        .clone();
    let package = fx.dir.path().join("nurse-a.concord");
    let export = |passphrase: Option<&str>| {
        run(export_package(
            app.state(),
            nurse.clone(),
            package.display().to_string(),
            passphrase.map(str::to_string),
        ))
    };
    // The rules of CONCORD_PACKAGE_PASSPHRASE: not empty, not the study's own, 15 characters;
    // nothing written.
    let empty = export(Some("")).unwrap_err().to_string();
    assert!(empty.contains("cannot be empty"), "{empty}");
    let same = export(Some(KEY)).unwrap_err().to_string();
    assert!(same.contains("must differ from the study's"), "{same}");
    let short = export(Some("four words no")).unwrap_err().to_string();
    assert!(short.contains("at least 15 characters"), "{short}");
    assert!(!package.exists());
    let chosen = "lantern harbour quiet morning";
    let exported = export(Some(chosen)).unwrap();
    assert_eq!(exported.passphrase.as_deref(), Some(chosen));
    // The package opens with the typed passphrase, not with the study's.
    let key = Passphrase::new(chosen).unwrap();
    let p = Study::open_with(&package, Some(&key)).unwrap();
    assert_eq!(p.manifest().unwrap().unwrap().rater, "Nurse A");
    drop(p);
    assert!(matches!(
        Study::open_with(&package, Some(&Passphrase::new(KEY).unwrap())),
        Err(concord_core::Error::WrongPassphrase(_))
    ));

    // A plain study's package is plain and refuses a typed passphrase.
    let plain = Fixture::demo();
    let app = plain.app(LaunchArgs::default());
    let summary = run(open_study(app.handle().clone(), app.state(), plain.path())).unwrap();
    assert!(!summary.encrypted);
    let err = run(export_package(
        app.state(),
        summary.raters[0].rater.id.clone(),
        plain.dir.path().join("r1.concord").display().to_string(),
        Some(chosen.into()),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("is not encrypted"), "{err}");
}
