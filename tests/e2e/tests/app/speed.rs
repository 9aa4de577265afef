//! Speed figures with a 100k-response study.

use super::*;

/// Speed figures with a 100k-response study. Prints, never asserts on time.
/// Set `CONCORD_E2E_PERF=0` to skip it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speed_with_100k_responses() -> Result<()> {
    let Some(binary) = app_binary("speed_with_100k_responses") else {
        return Ok(());
    };
    if std::env::var("CONCORD_E2E_PERF").as_deref() == Ok("0") {
        println!("e2e speed: skipped (CONCORD_E2E_PERF=0)");
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("big.concord");
    let started = Instant::now();
    drop(one_rater_demo(&study_path, 50_000)?);
    let create_s = started.elapsed().as_secs_f64();
    let driver = Driver::start()?;

    let mut lines = vec![format!(
        "create_demo with 100,000 responses: {create_s:.1} s"
    )];

    // Cold-ish start, existing rater with 100k assignments.
    let started = Instant::now();
    let app = driver.rate(&binary, &study_path, "Rater 1").await?;
    wait_position(&app, 0).await?;
    let wall = started.elapsed().as_secs_f64() * 1000.0;
    let in_page = app
        .js("return window.__concord.startToRatingReadyMs;")
        .await?;
    lines.push(format!(
        "start → rating screen ready: {wall:.0} ms wall clock (WebDriver session + process + page; page load → ready {:.0} ms)",
        in_page.as_f64().unwrap_or(f64::NAN)
    ));
    let total = app
        .js("return document.querySelector('.progress-text').textContent;")
        .await?;
    ensure!(
        total.as_str().is_some_and(|t| t.ends_with("100,000 rated")),
        "progress shows the 100k queue: {total}"
    );

    // Rate 10 responses fully with the keyboard, going next after each.
    for position in 0..10 {
        app.press(&['3', '4', '3', '4', '3', '4', '3']).await?;
        app.wait_saved().await?;
        app.press(&['n']).await?;
        wait_position(&app, position + 1).await?;
    }
    // And back with p.
    for position in (0..10).rev() {
        app.press(&['p']).await?;
        wait_position(&app, position).await?;
    }
    let figures = app.js("return window.__concord;").await?;
    lines.push(format!(
        "next/previous response, key → new text laid out: {}",
        summarize(&numbers(&figures["nextLatenciesMs"]))
    ));
    lines.push(format!(
        "next/previous response, key → next frame painted: {} ({} navigations without a frame within 250 ms under Xvfb)",
        summarize(&numbers(&figures["nextPaintedMs"])),
        figures["paintTimeouts"]
    ));
    lines.push(format!(
        "save, set_rating call → resolved in the UI: {}",
        summarize(&numbers(&figures["saveLatenciesMs"]))
    ));
    lines.push(format!(
        "save, key → \"saved\" shown (incl. queueing behind earlier saves): {}",
        summarize(&numbers(&figures["keyToSavedMs"]))
    ));
    ensure!(
        numbers(&figures["failedSaves"]).is_empty()
            && figures["failedSaves"]
                .as_array()
                .is_some_and(|a| a.is_empty()),
        "no failed saves"
    );

    // The queue opens and scrolls to the middle of 100k rows.
    let started = Instant::now();
    app.client
        .find(Locator::XPath("//nav//button[text()='Queue']"))
        .await?
        .click()
        .await?;
    app.wait_until(
        "document.querySelectorAll('.queue-row[data-position]').length > 5",
        WAIT,
    )
    .await?;
    lines.push(format!(
        "queue opened with rows shown: {:.0} ms (wall clock incl. WebDriver)",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    let started = Instant::now();
    app.js("document.querySelector('.queue-viewport').scrollTop = 50000 * 60; return null;")
        .await?;
    app.wait_until(
        "document.querySelector('.queue-row[data-index=\"50002\"][data-position]') !== null",
        WAIT,
    )
    .await?;
    lines.push(format!(
        "queue scrolled to row 50,000 with rows shown: {:.0} ms (wall clock incl. WebDriver)",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    app.quit().await?;

    // A second rater profile, added by the lead with 100k assignments.
    concord_e2e::lead_adds_rater(&study_path, "New Clinician")?;
    let started = Instant::now();
    let app = driver.rate(&binary, &study_path, "New Clinician").await?;
    wait_position(&app, 0).await?;
    lines.push(format!(
        "start with a second rater (100k responses assigned by the lead) → rating screen ready: {:.0} ms wall clock",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    app.quit().await?;

    // Warm restart of the existing rater, resuming at response 10.
    let started = Instant::now();
    let app = driver.rate(&binary, &study_path, "Rater 1").await?;
    wait_position(&app, 10).await?;
    lines.push(format!(
        "restart, resume at the first unfinished (#11) → ready: {:.0} ms wall clock",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    app.quit().await?;

    println!("\n=== Concord desktop speed, 100k-response study ===");
    for line in &lines {
        println!("  {line}");
    }
    println!();
    Ok(())
}
