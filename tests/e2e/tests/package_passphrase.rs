//! Exporting a rater package of an encrypted study in the real app: Admin first asks for the
//! package's passphrase (typed, or empty to have one generated), focused in a modal; closing
//! the modal exports nothing. (The export itself, past the native save dialog, is the app
//! test `the_lead_may_type_a_packages_passphrase_under_the_clis_rules`.)

use std::time::Duration;

use anyhow::Result;
use concord_core::cipher::{self, Passphrase};
use concord_core::Study;
use concord_e2e::{app_binary, key, one_rater_demo, screenshot_dir, Driver};
use fantoccini::key::Key;

const WAIT: Duration = Duration::from_secs(20);
const KEY: &str = "ward seven night shift";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_of_an_encrypted_study_asks_for_the_package_passphrase() -> Result<()> {
    let Some(binary) = app_binary("export_of_an_encrypted_study_asks_for_the_package_passphrase")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ward-study.concord");
    one_rater_demo(&path, 3)?.close()?;
    cipher::rekey(&path, None, Some(&Passphrase::new(KEY)?))?;

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path.display().to_string()])
        .await?;
    app.wait_until(
        "document.activeElement && document.activeElement.id === 'unlock-passphrase'",
        WAIT,
    )
    .await?;
    app.type_text(KEY).await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until("document.querySelector('#unlock-dialog') === null", WAIT)
        .await?;
    app.go(
        'm',
        "admin",
        "document.querySelector(\"button[aria-label='Export a package for Rater 1']\") !== null",
        WAIT,
    )
    .await?;
    app.js("document.querySelector(\"button[aria-label='Export a package for Rater 1']\").click(); return null;")
        .await?;
    app.wait_until(
        "document.querySelector('#package-passphrase-ask[open]') !== null && document.activeElement.id === 'package-passphrase-input'",
        WAIT,
    )
    .await?;
    let dialog = app
        .js("const d = document.querySelector('#package-passphrase-ask'); \
             return { title: d.querySelector('h2').textContent, label: document.querySelector('#package-passphrase-input').labels[0].textContent, \
             hint: document.querySelector('#package-passphrase-hint').textContent, inert: document.getElementById('app').inert };")
        .await?;
    assert_eq!(dialog["title"], "Encrypt Rater 1’s package");
    assert_eq!(dialog["label"], "Package passphrase");
    let hint = dialog["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("generated") && hint.contains("At least 15 characters"),
        "the dialog says how to get one and core's rule for a typed one: {dialog}"
    );
    assert_eq!(dialog["inert"], true, "the app behind the dialog is inert");
    app.type_text("lantern harbour quiet morning").await?;
    // WebKitGTK under Xvfb can hand back the frame before the dialog paints: shoot twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = screenshot_dir().join("package-passphrase.png");
    app.screenshot(&shot).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shot).await?;
    // Closing the dialog exports nothing.
    app.press(&[key(Key::Escape)]).await?;
    app.wait_until(
        "document.querySelector('#package-passphrase-ask') === null",
        WAIT,
    )
    .await?;
    app.quit().await?;
    drop(driver);
    let study = Study::open_with(&path, Some(&Passphrase::new(KEY)?))?;
    let progress = study.progress_report()?;
    assert!(
        progress
            .raters
            .iter()
            .all(|r| r.package_out_since.is_none()),
        "no package was issued"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path())?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "concord"))
        .collect();
    assert_eq!(files.len(), 1, "only the study itself");
    Ok(())
}
