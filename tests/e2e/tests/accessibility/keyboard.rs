//! The score radio group on wide and negative scales, the modal help dialog and the shortcut
//! setting, with the keyboard only.

use super::*;

/// A study on the wide-scale rubric with two long responses.
fn wide_scale_study(path: &Path) -> Result<()> {
    let study = Study::create(path, "Wide scales", &wide_scale_rubric()?)?;
    let long: String = (1..=400)
        .map(|i| format!("Paragraph {i} of a long answer that has to be scrolled to be read.\n\n"))
        .collect();
    study.import_responses(&[
        ResponseRow {
            row: 2,
            item_id: "w-1".into(),
            prompt: "A long question.".into(),
            response_id: "w-1-a".into(),
            model: "m".into(),
            response: long.clone(),
        },
        ResponseRow {
            row: 3,
            item_id: "w-2".into(),
            prompt: "Another question.".into(),
            response_id: "w-2-a".into(),
            model: "m".into(),
            // Long too: each rater's order is shuffled, so either may come first.
            response: long,
        },
    ])?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scores_modal_help_and_shortcut_setting_by_keyboard_only() -> Result<()> {
    let Some(binary) = app_binary("scores_modal_help_and_shortcut_setting_by_keyboard_only") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("wide.concord");
    wide_scale_study(&study_path)?;
    concord_e2e::lead_adds_rater(&study_path, "Ann")?;
    let (_driver, app, db, ann, response) = first_response_as_ann(&binary, &study_path).await?;

    // One Tab stop per attribute: the lowest score while none is chosen, and it has focus.
    let f = focus(&app).await?;
    assert_eq!(f["key"], "clarity");
    assert_eq!(f["role"], "radio");
    assert_eq!(f["value"], 1);
    assert_eq!(f["tabStops"], serde_json::json!([1, 1, 1]));

    // Arrows change the score (and save it); the choice is announced.
    app.press(&[key(Key::Right), key(Key::Right), key(Key::Left)])
        .await?;
    app.wait_saved().await?;
    let f = focus(&app).await?;
    assert_eq!(
        (f["key"].clone(), f["value"].clone()),
        ("clarity".into(), 2.into())
    );
    assert_eq!(f["checked"][0], 2);
    assert_eq!(
        db.events(&ann, &response, "clarity")?,
        vec![Some(2), Some(3), Some(2)]
    );
    app.wait_until(
        "document.getElementById('announcer').textContent === 'Clarity 2, saved'",
        WAIT,
    )
    .await?;

    // Tab goes to the next attribute's group; "1" "0" types 10 on the 0–10 scale.
    app.press(&[key(Key::Tab)]).await?;
    assert_eq!(focus(&app).await?["key"], "overall");
    app.press(&['1', '0']).await?;
    app.wait_saved().await?;
    assert_eq!(db.values(&ann, &response)?.get("overall"), Some(&10));
    let f = focus(&app).await?;
    assert_eq!(f["key"], "bias", "focus moved on after a complete score");
    // Backspace right after a score takes that score back and returns to it.
    app.press(&[key(Key::Backspace)]).await?;
    app.wait_saved().await?;
    let f = focus(&app).await?;
    assert_eq!(f["key"], "overall");
    assert_eq!(f["checked"][1], Value::Null);
    assert_eq!(db.events(&ann, &response, "overall")?, vec![Some(10), None]);
    // "1" alone waits for a possible second digit; Enter sets it at once.
    app.press(&['1']).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        db.values(&ann, &response)?.get("overall"),
        None,
        "1 of 10 still open"
    );
    app.press(&[key(Key::Enter)]).await?;
    app.wait_saved().await?;
    app.wait_until(
        "window.__concord.position === 0 && document.activeElement.dataset.key === 'bias'",
        WAIT,
    )
    .await?;
    assert_eq!(db.values(&ann, &response)?.get("overall"), Some(&1));
    // A negative score.
    app.press(&['-', '2']).await?;
    app.wait_saved().await?;
    assert_eq!(db.values(&ann, &response)?.get("bias"), Some(&-2));
    assert_eq!(
        focus(&app).await?["value"],
        -2,
        "focus follows the typed score"
    );

    // PageDown in the rubric scrolls the long response; the pane itself takes focus with Tab.
    app.press(&[key(Key::PageDown), key(Key::PageDown)]).await?;
    // WebKitGTK may scroll smoothly: wait for the pane to get there.
    app.wait_until(
        "document.querySelector('.rate .reading').scrollTop > 100",
        WAIT,
    )
    .await?;
    let scrolled = focus(&app).await?;
    assert!(
        scrolled["scrollTop"].as_f64().unwrap_or(0.0) > 100.0,
        "{scrolled}"
    );
    assert_eq!(scrolled["key"], "bias", "focus stays in the rubric");

    // The help dialog is modal: focus inside, the app inert, Tab cycles within it.
    app.press(&['?']).await?;
    app.wait_until("document.querySelector('dialog#help[open]') !== null", WAIT)
        .await?;
    let f = focus(&app).await?;
    assert_eq!(f["inDialog"], true);
    assert_eq!(f["inert"], true);
    let mut seen = Vec::new();
    for _ in 0..8 {
        app.press(&[key(Key::Tab)]).await?;
        let f = focus(&app).await?;
        assert_eq!(f["inDialog"], true, "Tab left the dialog: {f}");
        seen.push(f["id"].clone());
    }
    ensure!(
        seen.contains(&"pref-single-key".into()),
        "the shortcut setting is reachable: {seen:?}"
    );
    // Turn single-key shortcuts off with Space on the checkbox, then close with Enter on Close.
    while focus(&app).await?["id"] != "pref-single-key" {
        app.press(&[key(Key::Tab)]).await?;
    }
    app.press(&[' ']).await?;
    app.wait_until(
        "document.getElementById('pref-single-key').checked === false",
        WAIT,
    )
    .await?;
    while app
        .js("return document.activeElement.classList.contains('modal-close');")
        .await?
        != Value::Bool(true)
    {
        app.press(&[key(Key::Tab)]).await?;
    }
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until("document.querySelector('dialog#help') === null", WAIT)
        .await?;
    let f = focus(&app).await?;
    assert_eq!(
        (f["key"].clone(), f["inert"].clone()),
        ("bias".into(), false.into()),
        "focus back where it was"
    );
    let stored = app
        .js("return JSON.parse(localStorage.getItem('concord.prefs.Ann')).singleKeyShortcuts;")
        .await?;
    assert_eq!(stored, false, "the setting is remembered for this rater");

    // With single-key shortcuts off, n and ? do nothing; Alt+N moves on; digits on a score still work.
    app.press(&['n', '?']).await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        app.js(
            "return [window.__concord.position, document.querySelector('dialog[open]') === null];"
        )
        .await?,
        serde_json::json!([0, true])
    );
    chord(&app, Key::Alt, 'n').await?;
    app.wait_until("window.__concord.position === 1", WAIT)
        .await?;
    let second = app.js("return window.__concord.responseId;").await?;
    app.press(&['4']).await?;
    app.wait_saved().await?;
    assert_eq!(
        db.values(&ann, second.as_str().context("id")?)?
            .get("clarity"),
        Some(&4)
    );
    app.quit().await?;
    println!("e2e keyboard: radio group, wide scales, modal help and shortcut setting passed");
    Ok(())
}
