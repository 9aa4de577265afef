//! The app's live inbox: the lead sets a folder in Admin; the app's worker polls it, merges a
//! returned package dropped there (moved to merged/ with its receipt) and rejects a forged one
//! (moved to rejected/ with the reason, the master unchanged); the page hears of both, and
//! Admin lists the receipts.

use crate::common::*;
use concord_app::watcher::InboxEvent;
use concord_core::inbox::InboxStatus;

/// An app whose inbox news arrives on a channel.
fn inbox_app(fx: &Fixture) -> (tauri::App<MockRuntime>, mpsc::Receiver<InboxEvent>) {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    let app = mock_builder()
        .manage(AppState::with_inbox(
            fx.config_file(),
            LaunchArgs::default(),
            Box::new(|_| {}),
            Box::new(move |event| {
                let _ = tx.lock().unwrap().send(event);
            }),
        ))
        .build(mock_context(noop_assets()))
        .unwrap();
    (app, rx)
}

/// Inbox news until `files` have all been settled (a scan every few seconds, two to take one).
fn settled(rx: &mpsc::Receiver<InboxEvent>, files: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    while !files.iter().all(|f| seen.iter().any(|s| s == f)) {
        let event = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the inbox settles the files");
        assert_eq!(event.error, None);
        seen.extend(event.settled);
    }
    seen
}

#[test]
fn a_package_dropped_in_the_inbox_is_merged_and_a_forged_one_rejected() {
    let fx = Fixture::demo();
    let (app, rx) = inbox_app(&fx);
    let inbox = fx.dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let missing = run(set_inbox(app.state(), "/no/such/folder".into()))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("does not exist"), "{missing}");
    let view = run(set_inbox(app.state(), inbox.display().to_string())).unwrap();
    assert_eq!(view.folder, inbox.display().to_string());
    assert!(view.receipts.is_empty());

    // Rater 1's package, rated on their machine and returned.
    let admin = run(admin_view(app.state())).unwrap();
    let rater = admin
        .raters
        .iter()
        .find(|r| r.rater.name == "Rater 1")
        .unwrap()
        .rater
        .clone();
    let package = fx.dir.path().join("rater-1.concord");
    run(export_package(
        app.state(),
        rater.id.clone(),
        package.display().to_string(),
        None,
    ))
    .unwrap();
    let returned = fx.dir.path().join("rater-1-returned.concord");
    {
        let p = Study::open(&package).unwrap();
        for position in 0..2 {
            let id = p.rating_view(&rater.id, position).unwrap().response_id;
            p.set_rating(&rater.id, &id, "guidance", Some(1)).unwrap();
        }
        p.return_package(&returned).unwrap();
    }
    let before = run(study_summary(app.state())).unwrap();
    // A forged file: a returned package of another study passed off as Rater 1's.
    let other = Fixture::demo();
    let forged = {
        let study = Study::open(&other.study_path).unwrap();
        let ghost = study.find_rater("Rater 1").unwrap().unwrap();
        let package = other.dir.path().join("ghost.concord");
        study.export_package(&ghost.id, &package).unwrap();
        let back = other.dir.path().join("ghost-returned.concord");
        Study::open(&package)
            .unwrap()
            .return_package(&back)
            .unwrap();
        back
    };
    std::fs::copy(&forged, inbox.join("forged.concord")).unwrap();
    let merges_before = run(merge_history(app.state())).unwrap().len();
    let events_before = Study::open(&fx.study_path).unwrap().info().unwrap().events;
    assert_eq!(settled(&rx, &["forged.concord"]), vec!["forged.concord"]);
    assert!(inbox.join("rejected/forged.concord").is_file());
    let reason = std::fs::read_to_string(inbox.join("rejected/forged.concord.reason.txt")).unwrap();
    assert!(reason.contains("it is from study"), "{reason}");
    assert_eq!(
        Study::open(&fx.study_path).unwrap().info().unwrap().events,
        events_before,
        "the master is unchanged"
    );
    assert_eq!(
        run(merge_history(app.state())).unwrap().len(),
        merges_before
    );

    std::fs::copy(&returned, inbox.join("rater-1.concord")).unwrap();
    settled(&rx, &["rater-1.concord"]);
    assert!(inbox.join("merged/rater-1.concord").is_file());
    assert!(inbox.join("merged/rater-1.concord.receipt.json").is_file());
    let after = run(study_summary(app.state())).unwrap();
    assert_eq!(before.name, after.name);
    assert_eq!(
        Study::open(&fx.study_path).unwrap().info().unwrap().events,
        events_before + 2
    );

    let view = run(inbox_view(app.state())).unwrap();
    let receipts: Vec<_> = view
        .receipts
        .iter()
        .map(|r| (r.file.as_str(), r.status, r.events_added))
        .collect();
    assert_eq!(
        receipts,
        vec![
            ("rater-1.concord", InboxStatus::Merged, 2),
            ("forged.concord", InboxStatus::Rejected, 0)
        ]
    );
    assert_eq!(view.receipts[0].raters, vec!["Rater 1".to_string()]);
    assert!(view.receipts[1].detail.contains("nothing was merged"));
}
