//! A clinician rates with the keyboard, undoes, writes a rationale, flags, quits and resumes.

use super::*;

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clinician_rates_with_the_keyboard_undoes_notes_and_resumes() -> Result<()> {
    let Some(binary) = app_binary("clinician_rates_with_the_keyboard_undoes_notes_and_resumes")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    let opts = DemoOptions {
        items: 6,
        models: 2,
        raters: 2,
        judges: 1,
        ..DemoOptions::default()
    };
    drop(create_demo(&study_path, &opts)?);
    // The lead adds the clinician's profile (the app never creates one from a typed name).
    concord_e2e::lead_adds_rater(&study_path, "Dr Test")?;
    let study_arg = path_arg(&study_path);
    let driver = Driver::start()?;

    // 1. Open the demo study: the start screen asks who is rating, with no name to type.
    let app = driver.launch(&binary, &[&study_arg]).await?;
    let raters = app
        .js("return [window.__concord.screen, Array.from(document.querySelectorAll('.rater-item')).map(b => b.dataset.rater), document.querySelector('#new-rater-name') === null];")
        .await?;
    assert_eq!(raters[0], "start");
    assert_eq!(
        raters[1],
        serde_json::json!(["Dr Test", "Rater 1", "Rater 2"])
    );
    assert_eq!(raters[2], true, "no field creates a rater");

    // 2. Pick a rater: the clinician's own profile.
    choose_rater(&app, "Dr Test").await?;
    wait_position(&app, 0).await?;
    let db = StudyFile::open(&study_path)?;
    let (rater_id, kind) = db.rater_id("Dr Test")?.context("rater created")?;
    assert_eq!(kind, "human");
    let assigned = db.count(&format!(
        "SELECT COUNT(*) FROM assignment WHERE rater_id = {}",
        rater_key(&rater_id)
    ))?;
    assert_eq!(assigned, 12, "every response assigned to the new rater");
    let keys = attribute_keys(&app).await?;
    assert_eq!(keys.len(), 7);
    let state = app.rating_state().await?;
    assert_eq!(
        state["focused"],
        keys[0].as_str(),
        "first attribute has focus"
    );
    assert_eq!(
        state["title"],
        "Demo: MentalBench synthetic study — Dr Test"
    );
    let first_response = state["response_id"].as_str().unwrap().to_string();

    // 3. Rate the whole response with digit keys only.
    let digits = ['4', '3', '5', '4', '2', '3', '4'];
    app.press(&digits).await?;
    app.wait_saved().await?;
    let values = db.values(&rater_id, &first_response)?;
    let expected: std::collections::BTreeMap<String, i64> = keys
        .iter()
        .cloned()
        .zip(digits.iter().map(|d| d.to_digit(10).unwrap() as i64))
        .collect();
    assert_eq!(values, expected, "every digit saved to the study file");
    let state = app.rating_state().await?;
    assert_eq!(
        checked(&state),
        keys.iter().map(|k| Some(expected[k])).collect::<Vec<_>>()
    );

    // The help dialog opens with ? and closes with Esc, giving focus back to the rubric.
    app.press(&['?']).await?;
    app.wait_until(
        "document.querySelector('dialog#help[open]') !== null && document.activeElement.closest('dialog') !== null",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Escape)]).await?;
    app.wait_until(
        "document.querySelector('dialog#help') === null && document.activeElement.getAttribute('role') === 'radio'",
        WAIT,
    )
    .await?;

    // 4. Next response with Enter.
    app.press(&[key(Key::Enter)]).await?;
    wait_position(&app, 1).await?;
    let state = app.rating_state().await?;
    let second_response = state["response_id"].as_str().unwrap().to_string();
    assert_ne!(second_response, first_response);
    assert_eq!(state["focused"], keys[0].as_str());
    assert!(db.values(&rater_id, &second_response)?.is_empty());

    // 5. Set a value, then undo it with Ctrl+Z.
    app.press(&['2']).await?;
    app.wait_saved().await?;
    assert_eq!(db.values(&rater_id, &second_response)?[&keys[0]], 2);
    app.press_ctrl('z').await?;
    app.wait_until(
        "document.querySelector('.attr [aria-checked=true]') === null && document.querySelector('#save-status').textContent === 'All changes saved'",
        WAIT,
    )
    .await?;
    assert!(db.values(&rater_id, &second_response)?.is_empty());
    assert_eq!(
        db.events(&rater_id, &second_response, &keys[0])?,
        vec![Some(2), None],
        "undo appends an event restoring the previous (empty) value"
    );

    // Two values on this response: it stays partial.
    app.press(&['4', '3', '4', '5']).await?;
    app.wait_saved().await?;

    // 6. Rationale (r, type, Esc saves on blur) and a flag (f, 1, Esc).
    let rationale = "Warm, but misses the risk cue in the last sentence.";
    app.press(&['r']).await?;
    app.type_text(rationale).await?;
    app.press(&[key(Key::Escape)]).await?;
    app.wait_saved().await?;
    app.press(&['f', '1']).await?;
    app.wait_until(
        "document.querySelectorAll('.flag-chips .chip').length === 1",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Escape)]).await?;
    app.wait_saved().await?;
    let (saved_rationale, flags) = db.note(&rater_id, &second_response)?.context("note")?;
    assert_eq!(saved_rationale, rationale);
    assert_eq!(flags, vec!["unsafe".to_string()]);

    // 7. Quit and start again with only the study path: the rater is asked again (a shared
    // computer), and choosing them brings the work back.
    app.quit().await?;
    let app = driver.launch(&binary, &[&study_arg]).await?;
    assert_eq!(app.js("return window.__concord.screen;").await?, "start");
    choose_rater(&app, "Dr Test").await?;
    wait_position(&app, 1).await?;
    let state = app.rating_state().await?;
    assert_eq!(state["response_id"], second_response.as_str());
    assert_eq!(
        state["title"],
        "Demo: MentalBench synthetic study — Dr Test"
    );
    assert_eq!(
        &checked(&state)[..4],
        &[Some(4), Some(3), Some(4), Some(5)],
        "saved values shown again"
    );
    assert_eq!(state["rationale"], rationale);
    assert_eq!(
        state["focused"],
        keys[4].as_str(),
        "resumes at the first unset attribute"
    );
    let progress = app
        .js("return document.querySelector('.progress-text').textContent;")
        .await?;
    assert_eq!(progress, "1 / 12 rated");
    app.screenshot(&screenshot_dir().join("rating.png")).await?;
    // p goes back to the finished response; n (allowed there) comes forward again.
    app.press(&['p']).await?;
    wait_position(&app, 0).await?;
    assert_eq!(
        checked(&app.rating_state().await?),
        keys.iter().map(|k| Some(expected[k])).collect::<Vec<_>>()
    );
    app.press(&['n']).await?;
    wait_position(&app, 1).await?;

    // 8. The queue: statuses, the flag, filtering.
    app.client
        .find(Locator::XPath("//nav//button[text()='Queue']"))
        .await?
        .click()
        .await?;
    app.wait_until(
        "document.querySelectorAll('.queue-row[data-position]').length >= 12",
        WAIT,
    )
    .await?;
    let rows = app
        .js("return Array.from(document.querySelectorAll('.queue-row[data-position]')).slice(0, 2).map(r => r.querySelector('.pill').textContent + (r.querySelector('.chip') ? ' flagged' : ''));")
        .await?;
    assert_eq!(rows, serde_json::json!(["Done", "4 / 7 flagged"]));
    app.screenshot(&screenshot_dir().join("queue.png")).await?;
    app.client
        .find(Locator::Css("[data-filter=done]"))
        .await?
        .click()
        .await?;
    app.wait_until(
        "document.querySelectorAll('.queue-row[data-position]').length === 1",
        WAIT,
    )
    .await?;
    // Open the done response from the list with the keyboard.
    app.press(&[key(Key::Enter)]).await?;
    wait_position(&app, 0).await?;
    app.quit().await?;
    println!("e2e clinician flow: passed");
    Ok(())
}

/// Clicks the rater profile `name` on the start screen.
async fn choose_rater(app: &App, name: &str) -> Result<()> {
    app.client
        .find(Locator::Css(&format!(".rater-item[data-rater='{name}']")))
        .await?
        .click()
        .await?;
    Ok(())
}
