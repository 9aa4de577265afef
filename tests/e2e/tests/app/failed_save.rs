//! A save that fails is shown, and retried.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_save_is_shown_and_can_be_retried() -> Result<()> {
    let Some(binary) = app_binary("failed_save_is_shown_and_can_be_retried") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(one_rater_demo(&study_path, 3)?);
    let driver = Driver::start()?;
    let app = driver.rate(&binary, &study_path, "Rater 1").await?;
    wait_position(&app, 0).await?;

    // Make every write to the file fail, as a full disk or a revoked permission would.
    let writer = rusqlite::Connection::open(&study_path)?;
    writer.execute_batch(
        "CREATE TRIGGER e2e_fail BEFORE INSERT ON rating_event \
         BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;",
    )?;
    app.press(&['4']).await?;
    let status = app
        .wait_until(
            "document.querySelector('#save-status').classList.contains('error') && document.querySelector('#save-status').textContent",
            WAIT,
        )
        .await?;
    assert!(
        status.as_str().unwrap().contains("simulated write failure"),
        "{status}"
    );
    let state = app
        .js("const a = document.querySelector('.attr'); return { row: a.classList.contains('has-error'), label: a.querySelector('.attr-state').textContent, checked: a.querySelector('[aria-checked=true]') !== null, alert: document.querySelector('.notice-error') !== null };")
        .await?;
    assert_eq!(state["row"], true);
    assert_eq!(state["label"], "not saved");
    assert_eq!(
        state["checked"], false,
        "an unsaved value is not shown as given"
    );
    assert_eq!(state["alert"], true);
    let db = StudyFile::open(&study_path)?;
    let (rater_id, _) = db.rater_id("Rater 1")?.context("rater")?;
    let response_id = app.rating_state().await?["response_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(db.values(&rater_id, &response_id)?.is_empty());

    // The disk recovers: giving the value again saves it.
    writer.execute_batch("DROP TRIGGER e2e_fail;")?;
    app.js("document.querySelector('.attr').focus(); return null;")
        .await?;
    app.press(&['4']).await?;
    app.wait_saved().await?;
    assert_eq!(
        db.values(&rater_id, &response_id)?.get("guidance"),
        Some(&4)
    );
    app.quit().await?;
    println!("e2e failed save: passed");
    Ok(())
}
