//! The live inbox in the real app: the lead's Admin screen shows the inbox folder and its
//! receipts; a returned package dropped into the folder while the app runs is merged by the
//! app itself (moved to merged/ with its receipt) and appears in the receipts beside a forged
//! file rejected earlier with its reason.

use std::time::Duration;

use anyhow::Result;
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::inbox::scan_once;
use concord_core::Study;
use concord_e2e::{app_binary, screenshot_dir, Driver};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(30);

fn demo(path: &std::path::Path) -> Result<Study> {
    Ok(create_demo(
        path,
        &DemoOptions {
            items: 6,
            models: 2,
            raters: 3,
            judges: 1,
            coverage: 0.4,
            ..DemoOptions::default()
        },
    )?)
}

/// A returned package of `rater` (by name) in `study`, with its first `n` responses rated.
fn returned(
    study: &Study,
    rater: &str,
    n: usize,
    dir: &std::path::Path,
) -> Result<std::path::PathBuf> {
    let rater = study.find_rater(rater)?.expect("the rater");
    let package = dir.join(format!("{}.package", rater.name.replace(' ', "-")));
    study.export_package(&rater.id, &package)?;
    let p = Study::open(&package)?;
    for position in 0..n {
        let id = p.rating_view(&rater.id, position)?.response_id;
        p.set_rating(&rater.id, &id, "guidance", Some(2))?;
    }
    let back = dir.join(format!("{}-returned.concord", rater.name.replace(' ', "-")));
    p.return_package(&back)?;
    Ok(back)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_dropped_in_the_inbox_is_merged_by_the_app_and_shown_with_its_receipt(
) -> Result<()> {
    let Some(binary) = app_binary(
        "a_package_dropped_in_the_inbox_is_merged_by_the_app_and_shown_with_its_receipt",
    ) else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let master_path = dir.path().join("ward-study.concord");
    let master = demo(&master_path)?;
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox)?;
    master.set_inbox(&inbox.display().to_string())?;
    // Earlier, a package of another study was dropped in and rejected.
    let other_dir = tempfile::tempdir()?;
    let other = demo(&other_dir.path().join("other.concord"))?;
    let forged = returned(&other, "Rater 2", 1, other_dir.path())?;
    std::fs::copy(&forged, inbox.join("rater-2.concord"))?;
    scan_once(&master, &inbox)?;
    scan_once(&master, &inbox)?;
    let package = returned(&master, "Rater 1", 3, dir.path())?;
    let events_before = master.info()?.events;
    master.close()?;

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&master_path.display().to_string()])
        .await?;
    app.go(
        'm',
        "admin",
        "document.querySelector('[data-inbox-file=\"rater-2.concord\"]') !== null",
        WAIT,
    )
    .await?;
    let folder = app
        .js("return document.querySelector('#inbox-folder').value;")
        .await?;
    assert_eq!(folder, json!(inbox.display().to_string()));

    // Dropped while the app runs: merged without the lead doing anything.
    std::fs::copy(&package, inbox.join("rater-1.concord"))?;
    app.wait_until(
        "document.querySelector('[data-inbox-file=\"rater-1.concord\"][data-inbox-status=\"merged\"]') !== null",
        WAIT,
    )
    .await?;
    let rows = app
        .js("return Array.from(document.querySelectorAll('#inbox-receipts li')).map(r => \
             [r.dataset.inboxFile, r.dataset.inboxStatus, r.querySelector('.inbox-facts').textContent, \
              (r.querySelector('.inbox-reason') || {}).textContent || '']);")
        .await?;
    let rows: Vec<[String; 4]> = serde_json::from_value(rows)?;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][..2], ["rater-1.concord", "merged"], "{rows:?}");
    assert!(
        rows[0][2].ends_with("Rater 1 · 3 ratings · 0 notes"),
        "{rows:?}"
    );
    assert_eq!(rows[1][..2], ["rater-2.concord", "rejected"], "{rows:?}");
    assert!(rows[1][3].contains("it is from study"), "{rows:?}");
    assert!(inbox.join("merged/rater-1.concord.receipt.json").is_file());
    app.js(
        "document.querySelector('#inbox-title').scrollIntoView({ block: 'start' }); return null;",
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    app.screenshot(&screenshot_dir().join("inbox.png")).await?;
    app.quit().await?;
    drop(driver);

    let master = Study::open(&master_path)?;
    assert_eq!(master.info()?.events, events_before + 3);
    Ok(())
}
