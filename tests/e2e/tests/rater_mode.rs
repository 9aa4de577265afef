//! Rater mode in the real app: a package opens as its rater with only Rate and Queue, shows
//! opaque "Response N" labels in a blind study, holds nothing of another rater, a judge or a
//! model in the page, and the lead's commands refuse even when called directly.

use std::time::Duration;

use anyhow::{ensure, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_e2e::{app_binary, screenshot_dir, App, Driver};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);
/// A rationale only Rater 2 wrote, in the master.
const OTHER_RATIONALE: &str = "Rater two private rationale 7781";

/// Text that must not be anywhere in the page of Rater 1's blind package.
fn forbidden() -> Vec<&'static str> {
    vec![
        "Rater 2",
        OTHER_RATIONALE,
        "Judge A",
        "model-a",
        "model-b",
        "resp-0",
        "item-0",
    ]
}

/// Which forbidden strings the whole document (markup and text) holds.
async fn leaks(app: &App) -> Result<Value> {
    app.js(&format!(
        "const page = document.documentElement.outerHTML; return {}.filter(s => page.includes(s));",
        json!(forbidden())
    ))
    .await
}

/// Calls a command the way the page would, bypassing the UI; returns "ok" or the error text.
async fn invoke(app: &App, command: &str, args: Value) -> Result<String> {
    let value = app
        .client
        .execute_async(
            "const [command, args, done] = arguments; \
             window.__TAURI_INTERNALS__.invoke(command, args).then(() => done('ok'), e => done(String(e)));",
            vec![json!(command), args],
        )
        .await
        .map_err(|e| anyhow::anyhow!("invoke {command}: {e}"))?;
    Ok(value.as_str().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_package_opens_in_rater_mode_with_no_lead_screen_and_no_other_raters_data() -> Result<()>
{
    let Some(binary) =
        app_binary("a_package_opens_in_rater_mode_with_no_lead_screen_and_no_other_raters_data")
    else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let master = dir.path().join("master.concord");
    let study = create_demo(
        &master,
        &DemoOptions {
            items: 6,
            models: 2,
            raters: 2,
            judges: 1,
            coverage: 0.5,
            ..DemoOptions::default()
        },
    )?;
    let raters = study.raters()?;
    let (one, two) = (&raters[0], &raters[1]);
    ensure!(one.name == "Rater 1" && two.name == "Rater 2");
    let first = study.rating_view(&two.id, 0)?.response_id;
    study.set_note(&two.id, &first, OTHER_RATIONALE, &[])?;
    let package = dir.path().join("rater-1.concord");
    study.export_package(&one.id, &package)?;
    drop(study);

    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&package.display().to_string()])
        .await?;
    // Straight into rating as the package's rater: no profile to pick, no name to type.
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    let chrome = app
        .js("return { nav: Array.from(document.querySelectorAll('.nav .nav-item')).map(b => b.textContent), \
             rater: document.querySelector('.who-rater').textContent, \
             returnButton: document.querySelector('#return-package') !== null, \
             nameField: document.querySelector('#new-rater-name') !== null };")
        .await?;
    assert_eq!(
        chrome["nav"],
        json!(["Rate", "Queue"]),
        "lead screens absent"
    );
    assert_eq!(chrome["rater"], "Rater 1");
    assert_eq!(chrome["nameField"], false);
    app.wait_until("document.querySelector('#return-package') !== null", WAIT)
        .await?;
    assert_eq!(leaks(&app).await?, json!([]), "rating screen");

    // The queue names responses only by the rater's own ordinals.
    app.go(
        'q',
        "queue",
        "document.querySelectorAll('.queue-row[data-position] .q-ids').length > 0",
        WAIT,
    )
    .await?;
    let labels = app
        .js(
            "return Array.from(document.querySelectorAll('.queue-row[data-position]')).map(r => \
             [Number(r.dataset.position), r.querySelector('.q-ids').firstChild.textContent]);",
        )
        .await?;
    let labels: Vec<(usize, String)> = serde_json::from_value(labels)?;
    assert!(labels.len() >= 6, "{labels:?}");
    for (position, label) in &labels {
        assert_eq!(label, &format!("Response {}", position + 1));
    }
    assert_eq!(leaks(&app).await?, json!([]), "queue");

    // The lead's screens cannot be reached by their keys either.
    for key in ['m', 'a', 'd', 's'] {
        app.press(&['g', key]).await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(app.js("return window.__concord.screen;").await?, "queue");
    }
    app.screenshot(&screenshot_dir().join("rater-mode.png"))
        .await?;

    // The commands behind them refuse, with a clear message, even when called directly.
    for (command, args) in [
        ("admin_view", json!({})),
        (
            "disagreements",
            json!({"attribute": null, "minRange": 1, "limit": 10}),
        ),
        ("merge_history", json!({})),
        ("add_rater", json!({"name": "Mallory"})),
        (
            "set_settings",
            json!({"change": {"blind": false, "flags": [], "overlap_target": 2}}),
        ),
        ("dashboard_show", json!({"request": {}, "requestId": 1})),
    ] {
        let answer = invoke(&app, command, args).await?;
        assert!(
            answer.contains("is for the study lead"),
            "{command}: {answer}"
        );
    }
    assert_eq!(leaks(&app).await?, json!([]));
    app.quit().await?;
    Ok(())
}
