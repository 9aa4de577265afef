//! A hostile response (scripts, handlers, remote resources, a 2 MB line) renders inert.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_response_renders_inert() -> Result<()> {
    let Some(binary) = app_binary("hostile_response_renders_inert") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("hostile.concord");
    let study = Study::create(&study_path, "Hostile", &Rubric::builtin("mentalbench")?)?;
    let long_line = "y".repeat(2 * 1024 * 1024);
    let response = format!(
        "Before.\n\n<script>window.__pwned = 1; document.title = 'pwned';</script>\n\n\
         <img src=x onerror=\"window.__pwned = 2; document.title = 'pwned'\">\n\n\
         <iframe src=\"https://example.com\" onload=\"window.__pwned = 3\"></iframe>\n\n\
         [open me](javascript:window.__pwned=4) and <a href=\"javascript:window.__pwned=5\">raw link</a>\n\n\
         ![remote](https://example.com/track.png)\n\n{long_line}\n\nAfter."
    );
    study.import_responses(&[ResponseRow {
        row: 2,
        item_id: "hostile-1".into(),
        prompt: "<svg onload=\"window.__pwned=6\"></svg> Please help.".into(),
        response_id: "hostile-1-a".into(),
        model: "m".into(),
        response,
    }])?;
    drop(study);
    concord_e2e::lead_adds_rater(&study_path, "Ann")?;

    let driver = Driver::start()?;
    let started = Instant::now();
    let app = driver.rate(&binary, &study_path, "Ann").await?;
    wait_position(&app, 0).await?;
    println!(
        "hostile response (2 MB line) shown {:.1} s after launch",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let report = app
        .js(
            "return { \
               scripts: Array.from(document.scripts).map(s => s.getAttribute('src')), \
               inApp: document.querySelectorAll('#app script, #app iframe, #app img, #app svg, #app object, #app embed, #app a[href], #app [onerror], #app [onload]').length, \
               iframes: document.querySelectorAll('iframe').length, \
               imgs: document.querySelectorAll('img').length, \
               links: document.querySelectorAll('a').length, \
               pwned: window.__pwned === undefined ? null : window.__pwned, \
               title: document.title, \
               text: document.querySelector('#rate-response-body').textContent.length, \
               shown: document.querySelector('#rate-response-body').textContent.includes('<script>') \
             };",
        )
        .await?;
    println!("hostile content report: {}", {
        let mut r = report.clone();
        r["scripts"] = serde_json::json!(r["scripts"].as_array().map(|a| a.len()));
        r
    });
    let scripts = report["scripts"].as_array().unwrap();
    ensure!(
        scripts
            .iter()
            .all(|s| s.as_str().is_some_and(|s| s.starts_with("/assets/"))),
        "only the app's own bundled scripts: {scripts:?}"
    );
    assert_eq!(report["inApp"], 0);
    assert_eq!(report["iframes"], 0);
    assert_eq!(report["imgs"], 0);
    assert_eq!(report["links"], 0);
    assert_eq!(report["pwned"], Value::Null, "no hostile code ran");
    assert_eq!(report["title"], "Hostile — Ann");
    assert!(report["text"].as_u64().unwrap() > 2 * 1024 * 1024);
    assert_eq!(report["shown"], true, "the markup is shown as text");

    // Still usable: a key press rates, and the value reaches the file.
    let started = Instant::now();
    app.press(&['5']).await?;
    app.wait_saved().await?;
    println!(
        "a key press on the hostile response saved in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let db = StudyFile::open(&study_path)?;
    let (rater_id, _) = db.rater_id("Ann")?.context("rater")?;
    let response_id = app.rating_state().await?["response_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        db.values(&rater_id, &response_id)?.get("guidance"),
        Some(&5)
    );
    assert_eq!(app.js("return document.title;").await?, "Hostile — Ann");
    app.quit().await?;
    println!("e2e hostile content: passed");
    Ok(())
}
