//! The context, a 2 MB response, the shortcut letters and gold set, cleared and undone, with
//! the keyboard only.

use super::*;

/// A study of one 2 MB response with a conversation as context, on the wide-scale rubric, where
/// Ben and Cy disagree on clarity by 4 points (for adjudication); Ann rates it in the app.
fn long_response_study(path: &Path) -> Result<()> {
    let study = Study::create(path, "Long response", &wide_scale_rubric()?)?;
    let response: String = (1..=30_000)
        .map(|i| format!("Paragraph {i} of a very long answer, scrolled from the keyboard.\n\n"))
        .collect();
    ensure!(response.len() > 2_000_000, "{} bytes", response.len());
    study.import_responses(&[ResponseRow {
        row: 2,
        item_id: "long-1".into(),
        prompt: "A question with a long answer.".into(),
        response_id: "long-1-a".into(),
        model: "m".into(),
        response,
    }])?;
    // Raters are the lead's to add (Ann rates in the app).
    let ann = study.add_rater("Ann", RaterKind::Human, None)?;
    study.assign_all(&ann.id)?;
    for (name, clarity) in [("Ben", 1), ("Cy", 5)] {
        let rater = study.add_rater(name, RaterKind::Human, None)?;
        study.assign_all(&rater.id)?;
        let id = study.rating_view(&rater.id, 0)?.response_id;
        study.set_rating(&rater.id, &id, "clarity", Some(clarity))?;
    }
    drop(study);
    // No importer writes an item's context yet: the fixture sets it in the file directly.
    rusqlite::Connection::open(path)?.execute(
        "UPDATE item SET context = ?1",
        [r#"{"messages": [{"role": "user", "content": "Earlier turn: I have not slept for a week."}]}"#],
    )?;
    Ok(())
}

/// The current gold of the study's one cell (-99: cleared), and how many gold events it has.
fn gold(db: &StudyFile) -> Result<(i64, i64)> {
    Ok((
        db.count("SELECT coalesce((SELECT coalesce(value, -99) FROM gold), -1)")?,
        db.count("SELECT count(*) FROM gold_event")?,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_long_response_letters_and_gold_by_keyboard_only() -> Result<()> {
    let Some(binary) = app_binary("context_long_response_letters_and_gold_by_keyboard_only") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("long.concord");
    long_response_study(&study_path)?;
    let (_driver, app, db, ann, response) = first_response_as_ann(&binary, &study_path).await?;
    let shown = app
        .js("const t = document.querySelector('.rate .response-body').textContent; return [t.length, t.includes('Paragraph 30000 of')];")
        .await?;
    assert!(
        shown[0].as_u64().unwrap_or(0) > 1_900_000 && shown[1] == true,
        "the whole response is shown: {shown}"
    );
    assert_eq!(focus(&app).await?["key"], "clarity");
    let active = "return { tag: document.activeElement.tagName, cls: document.activeElement.className, \
                  open: document.querySelector('.rate details.context').open, position: window.__concord.position };";

    // Shift+Tab from the rubric reaches the Context; Enter and Space open and close it in place.
    chord(&app, Key::Shift, key(Key::Tab)).await?;
    let a = app.js(active).await?;
    assert_eq!(
        (a["tag"].clone(), a["open"].clone()),
        ("SUMMARY".into(), false.into()),
        "{a}"
    );
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until("document.querySelector('.rate details.context').open", WAIT)
        .await?;
    let context = app
        .js("return document.querySelector('.rate .context-body').innerText;")
        .await?;
    assert!(
        context
            .as_str()
            .unwrap_or("")
            .contains("not slept for a week"),
        "{context}"
    );
    app.press(&[' ']).await?;
    app.wait_until(
        "!document.querySelector('.rate details.context').open",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Enter)]).await?;
    app.wait_until("document.querySelector('.rate details.context').open", WAIT)
        .await?;
    assert_eq!(
        app.js(active).await?["position"],
        0,
        "Enter on the Context is not Next"
    );

    // One more Shift+Tab: the reading pane, which the reading keys scroll to the very end.
    chord(&app, Key::Shift, key(Key::Tab)).await?;
    let a = app.js(active).await?;
    assert!(a["cls"].as_str().unwrap_or("").contains("reading"), "{a}");
    app.press(&[key(Key::PageDown), ' ', key(Key::Down), key(Key::Down)])
        .await?;
    app.wait_until(
        "document.querySelector('.rate .reading').scrollTop > 300",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::End)]).await?;
    app.wait_until(
        "(() => { const r = document.querySelector('.rate .reading'); return r.scrollTop > 1e5 && r.scrollTop >= r.scrollHeight - r.clientHeight - 4; })()",
        WAIT,
    )
    .await
    .context("End reaches the end of the 2 MB response")?;
    app.press(&[key(Key::Home)]).await?;
    app.wait_until(
        "document.querySelector('.rate .reading').scrollTop < 4",
        WAIT,
    )
    .await?;

    // Tab, Tab: back through the Context to the rubric, where a digit rates.
    app.press(&[key(Key::Tab), key(Key::Tab)]).await?;
    assert_eq!(focus(&app).await?["key"], "clarity");
    app.press(&['2']).await?;
    app.wait_saved().await?;
    assert_eq!(db.values(&ann, &response)?.get("clarity"), Some(&2));
    app.wait_until(
        "document.querySelector('.progress-text').textContent === '0 / 1 rated'",
        WAIT,
    )
    .await
    .context("the progress the save returned")?;

    // F1 opens help at its title; Shift+Tab wraps to its last button, Tab to its first control.
    app.press(&[key(Key::F1)]).await?;
    app.wait_until("document.querySelector('dialog#help[open]') !== null", WAIT)
        .await?;
    let opened = app.js("return document.activeElement.tagName;").await?;
    chord(&app, Key::Shift, key(Key::Tab)).await?;
    let f = app
        .js("return [document.activeElement.className, document.activeElement.closest('dialog') !== null];")
        .await?;
    assert_eq!(
        f,
        serde_json::json!(["modal-close", true]),
        "Shift+Tab from {opened}"
    );
    app.press(&[key(Key::Tab)]).await?;
    assert_eq!(focus(&app).await?["id"], "pref-single-key");
    // The flag menu's letter becomes x (Backspace, then x in its field).
    while focus(&app).await?["id"] != "pref-letter-flags" {
        app.press(&[key(Key::Tab)]).await?;
    }
    app.press(&[key(Key::Backspace)]).await?;
    app.wait_until(
        "document.getElementById('pref-letters-status').textContent !== ''",
        WAIT,
    )
    .await
    .context("an empty letter is refused")?;
    app.press(&['x']).await?;
    app.wait_until(
        "JSON.parse(localStorage.getItem('concord.prefs.Ann')).letters.flags === 'x'",
        WAIT,
    )
    .await?;
    app.press(&[key(Key::Escape)]).await?;
    app.wait_until("document.querySelector('dialog#help') === null", WAIT)
        .await?;
    assert_eq!(
        focus(&app).await?["key"],
        "overall",
        "focus back where it was"
    );
    let flags_open = "!document.getElementById('flag-menu').hidden";
    app.press(&['f']).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.js(&format!("return {flags_open};")).await?,
        false,
        "f no longer opens the flags"
    );
    app.press(&['x']).await?;
    app.wait_until(flags_open, WAIT).await?;
    assert_eq!(
        app.js("return document.querySelector('.flag-button').textContent;")
            .await?,
        "Flags (x)"
    );
    app.press(&['x']).await?;
    app.wait_until(&format!("!({flags_open})"), WAIT).await?;

    // Adjudication: a digit sets gold, Backspace clears it, and Ctrl+Z walks every change back,
    // the first one included (the cell had no gold).
    app.go('a', "adjudication", "document.querySelector('#gold-status') !== null && document.activeElement.id === 'adj-list'", WAIT)
        .await?;
    assert_eq!(gold(&db)?, (-1, 0));
    assert_no_small_text(&app, "adjudication").await?;
    assert_eq!(
        app.js("return document.getElementById('gold-clear').disabled;")
            .await?,
        true
    );
    let status = |text: &str| {
        format!("document.getElementById('gold-status').textContent.startsWith('{text}')")
    };
    for (keys, shown, stored) in [
        (vec!['3'], "✓ gold 3 saved", (3, 1)),
        (vec!['4'], "✓ gold 4 saved", (4, 2)),
        (vec![key(Key::Backspace)], "✓ gold cleared", (-99, 3)),
    ] {
        app.press(&keys).await?;
        app.wait_until(&status(shown), WAIT).await?;
        assert_eq!(gold(&db)?, stored, "after {shown}");
    }
    for (shown, stored) in [
        ("✓ gold 4 saved", (4, 4)),
        ("✓ gold 3 saved", (3, 5)),
        ("✓ gold cleared", (-99, 6)),
    ] {
        app.press_ctrl('z').await?;
        app.wait_until(&status(shown), WAIT).await?;
        assert_eq!(gold(&db)?, stored, "undo to {shown}");
    }
    app.press_ctrl('z').await?;
    app.wait_until(
        "Array.from(document.querySelectorAll('.notice')).some(n => n.textContent.includes('No gold value to undo'))",
        WAIT,
    )
    .await?;
    assert_eq!(gold(&db)?, (-99, 6), "nothing left to undo writes nothing");
    app.quit().await?;
    println!("e2e keyboard: context, 2 MB response, letters and gold undo passed");
    Ok(())
}
