//! A clinician rates in a package and the app is ended as at logout (SIGTERM) while a rationale
//! is still being typed: the package file alone, copied without its `-wal`, holds every rating
//! and the rationale, and it returns and merges into the master.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use concord_core::merge::MergeOptions;
use concord_core::Study;
use concord_e2e::{app_binary, one_rater_demo, App, Driver};

const WAIT: Duration = Duration::from_secs(20);

/// Process ids of the app started on `file` (its path is on the command line).
fn app_pids(file: &Path) -> Vec<String> {
    let out = Command::new("pgrep")
        .args(["-f", &file.display().to_string()])
        .output()
        .expect("pgrep");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

async fn rate_response(app: &App, digits: &[char]) -> Result<()> {
    app.press(digits).await?;
    app.wait_saved().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_leaves_a_package_file_that_holds_every_rating() -> Result<()> {
    let Some(binary) = app_binary("sigterm_leaves_a_package_file_that_holds_every_rating") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let master = dir.path().join("master.concord");
    let study = one_rater_demo(&master, 3)?;
    let rater = study.raters()?.remove(0);
    let package = dir.path().join("rater-1-package.concord");
    study.export_package(&rater.id, &package)?;

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&package.display().to_string()])
        .await?;
    // A package opens as its rater, with no name asked.
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    rate_response(&app, &['4', '3', '5', '4', '2', '3', '4']).await?;
    // A rationale typed and not yet saved (its save waits for a pause in typing).
    let rationale = "Typed just before the session ended";
    app.press(&['r']).await?;
    app.type_text(rationale).await?;

    let pids = app_pids(&package);
    ensure!(!pids.is_empty(), "the app process was not found");
    for pid in &pids {
        Command::new("kill").args(["-TERM", pid]).status()?;
    }
    let ended = Instant::now();
    while !app_pids(&package).is_empty() {
        ensure!(ended.elapsed() < WAIT, "the app did not end after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(app);
    drop(driver);

    // Only the package file travels: copy it alone.
    ensure!(
        !dir.path().join("rater-1-package.concord-wal").exists(),
        "the app left a -wal beside the package"
    );
    let copy = dir.path().join("mailed.concord");
    std::fs::copy(&package, &copy)?;
    let mailed = Study::open(&copy)?;
    let view = mailed.rating_view(&rater.id, 0)?;
    assert_eq!(view.values.len(), 7, "every rating is in the file alone");
    assert_eq!(view.rationale, rationale, "the pending rationale was saved");
    let back = dir.path().join("returned.concord");
    mailed.return_package(&back).context("return")?;
    let receipt = study.merge(&back, &MergeOptions::default())?;
    assert_eq!(receipt.events_added, 7);
    assert_eq!(receipt.notes_added, 1);
    Ok(())
}
