//! An encrypted study in the real app: started on it, the app asks for the passphrase in a
//! modal whose password field has focus; a wrong passphrase shows a clear error there and leaves
//! the file as it was; the right one opens the study, and a rating given by keyboard is saved
//! into the still-encrypted file.

use std::time::Duration;

use anyhow::{ensure, Result};
use concord_core::cipher::{self, Passphrase};
use concord_core::Study;
use concord_e2e::{app_binary, key, one_rater_demo, screenshot_dir, Driver};
use fantoccini::key::Key;

const WAIT: Duration = Duration::from_secs(20);
const KEY: &str = "ward seven night shift";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_encrypted_study_opens_only_with_its_passphrase_and_saves_ratings() -> Result<()> {
    let Some(binary) =
        app_binary("an_encrypted_study_opens_only_with_its_passphrase_and_saves_ratings")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ward-study.concord");
    let study = one_rater_demo(&path, 3)?;
    let rater = study.raters()?.remove(0);
    study.close()?;
    let passphrase = Passphrase::new(KEY)?;
    cipher::rekey(&path, None, Some(&passphrase))?;
    std::fs::remove_file(dir.path().join("ward-study.concord.bak"))?;
    let before = std::fs::read(&path)?;

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path.display().to_string()])
        .await?;
    // Started on an encrypted study: the prompt is open and its field has focus.
    app.wait_until(
        "document.querySelector('#unlock-dialog[open]') !== null && document.activeElement.id === 'unlock-passphrase'",
        WAIT,
    )
    .await?;
    let field = app
        .js("const f = document.querySelector('#unlock-passphrase'); \
             return { type: f.type, label: f.labels[0].textContent, modal: document.getElementById('app').inert };")
        .await?;
    assert_eq!(field["type"], "password");
    assert_eq!(field["label"], "Passphrase");
    assert_eq!(field["modal"], true, "the app behind the prompt is inert");

    app.type_text("night shift ward seven").await?;
    app.press(&[key(Key::Enter)]).await?;
    let error = app
        .wait_until("document.querySelector('#unlock-error').textContent", WAIT)
        .await?;
    let error = error.as_str().unwrap_or_default();
    assert!(error.contains("wrong passphrase"), "{error}");
    assert!(error.contains("unchanged"), "{error}");
    let state = app
        .js("return { open: document.querySelector('#unlock-dialog[open]') !== null, \
             focused: document.activeElement.id, invalid: document.activeElement.getAttribute('aria-invalid') };")
        .await?;
    assert_eq!(state["open"], true, "the prompt stays for another try");
    assert_eq!(state["focused"], "unlock-passphrase");
    assert_eq!(state["invalid"], "true");
    ensure!(
        std::fs::read(&path)? == before,
        "a wrong passphrase changed the file"
    );
    // WebKitGTK under Xvfb can hand back the frame before the last change (the dialog in its
    // top layer): the first snapshot forces a fresh one, the second is kept.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shot = screenshot_dir().join("passphrase.png");
    app.screenshot(&shot).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.screenshot(&shot).await?;

    // The field's text is selected after a wrong try: typing replaces it.
    app.type_text(KEY).await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until(
        "document.querySelector('#unlock-dialog') === null && document.activeElement.dataset.rater === 'Rater 1'",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    app.press(&['4', '3', '5', '4', '2', '3', '4']).await?;
    app.wait_saved().await?;
    app.quit().await?;
    drop(driver);

    // The ratings are in the file, which still opens only with the passphrase.
    ensure!(
        matches!(
            Study::open(&path),
            Err(concord_core::Error::PassphraseNeeded(_))
        ),
        "the study opened without its passphrase"
    );
    let study = Study::open_with(&path, Some(&passphrase))?;
    let view = study.rating_view(&rater.id, 0)?;
    assert_eq!(view.values.len(), 7, "{:?}", view.values);
    let bytes = std::fs::read(&path)?;
    ensure!(
        !bytes.windows(7).any(|w| w == b"Rater 1"),
        "the rater's name is in clear in the file"
    );
    Ok(())
}
