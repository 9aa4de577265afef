//! The dashboard in the real app: it opens with `g d`, shows charts as inert images and a table
//! whose numbers equal `concord_stats::report::agreement_report` on the study file, and follows
//! ratings saved in the app and by another process without a restart. Also prints the save
//! latency with the dashboard open (recomputing) and closed, and the in-app recompute time.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::Study;
use concord_e2e::{app_binary, numbers, screenshot_dir, summarize, App, Driver};
use concord_stats::report::{agreement_report, AgreementReport, ReportOptions};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(30);
/// The live view's bootstrap resamples (`concord_app::dashboard::LIVE_BOOTSTRAP`).
const LIVE_BOOTSTRAP: usize = 200;

/// The report the dashboard should show, computed from the file with the same options.
fn expected_report(path: &Path) -> Result<AgreementReport> {
    let study = Study::open(path)?;
    let opts = ReportOptions {
        exclude_own: study.settings()?.exclude_own,
        bootstrap: LIVE_BOOTSTRAP,
        ..ReportOptions::default()
    };
    Ok(agreement_report(&study.study_ratings()?, &opts))
}

/// As the dashboard formats an estimate.
fn shown(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |x| format!("{x:.3}").replace('-', "−"))
}

async fn cell(app: &App, key: &str, column: &str) -> Result<String> {
    let v = app
        .js(&format!(
            "const c = document.querySelector('tr[data-key=\"{key}\"] td.{column}'); return c ? c.textContent : null;"
        ))
        .await?;
    v.as_str()
        .map(str::to_string)
        .with_context(|| format!("no {column} cell for {key}"))
}

async fn wait_dashboard(app: &App) -> Result<()> {
    let waited = app.wait_until(
        "window.__concord.screen === 'dashboard' && document.querySelector('tr[data-key=\"humans.ICC2\"]') !== null && document.querySelectorAll('.dash-chart img[src^=\"data:\"]').length > 0",
        WAIT,
    )
    .await;
    if let Err(err) = waited {
        let state = app
            .js("return { screen: window.__concord.screen, id: window.__concord.dashboardRequestId, updates: window.__concord.dashboardUpdates, error: (document.querySelector('.dashboard .form-error') || {}).textContent, status: (document.querySelector('#dash-status') || {}).textContent, notices: Array.from(document.querySelectorAll('.notice')).map(n => n.textContent) };")
            .await
            .unwrap_or_default();
        return Err(err.context(format!("waiting for the dashboard; the page shows {state}")));
    }
    Ok(())
}

/// Count of ratings in the "last updated … · N ratings" line.
async fn shown_ratings(app: &App) -> Result<i64> {
    let status = app
        .js("return document.querySelector('#dash-status').textContent;")
        .await?;
    let text = status.as_str().unwrap_or_default();
    let n = text
        .split(" · ")
        .find(|p| p.ends_with(" ratings"))
        .and_then(|p| p.trim_end_matches(" ratings").replace(',', "").parse().ok())
        .with_context(|| format!("no rating count in {text:?}"))?;
    Ok(n)
}

/// Times `count` saves made through the app's own `set_rating` command, `gap_ms` apart.
async fn time_saves(
    app: &App,
    response_id: &str,
    keys: &[String],
    count: usize,
    gap_ms: u64,
) -> Result<Vec<f64>> {
    let script = format!(
        "const done = arguments[arguments.length - 1]; const keys = {keys}; const out = []; \
         (async () => {{ for (let i = 0; i < {count}; i++) {{ \
             const t = performance.now(); \
             await window.__TAURI_INTERNALS__.invoke('set_rating', {{ responseId: {rid}, attributeKey: keys[i % keys.length], value: 1 + (i % 5) }}); \
             out.push(performance.now() - t); \
             await new Promise(r => setTimeout(r, {gap_ms})); }} \
           done(out); }})().catch(e => done(String(e)));",
        keys = json!(keys),
        rid = json!(response_id),
    );
    let v = app
        .client
        .execute_async(&script, vec![])
        .await
        .map_err(|e| anyhow::anyhow!("timing saves: {e}"))?;
    ensure!(v.is_array(), "saves failed: {v}");
    Ok(numbers(&v))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_follows_ratings_live() -> Result<()> {
    let Some(binary) = app_binary("dashboard_follows_ratings_live") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    let opts = DemoOptions {
        items: 8,
        models: 2,
        raters: 2,
        judges: 2,
        ..DemoOptions::default()
    };
    drop(create_demo(&study_path, &opts)?);
    concord_e2e::lead_adds_rater(&study_path, "Dr Dash")?;
    let driver = Driver::start()?;
    let app = driver
        .launch(
            &binary,
            &[&study_path.display().to_string(), "--rater", "Dr Dash"],
        )
        .await?;
    app.wait_until(
        "window.__concord.screen === 'rate' && window.__concord.position === 0",
        WAIT,
    )
    .await?;
    let first_response = app.js("return window.__concord.responseId;").await?;

    // 1. g d opens the dashboard.
    app.press(&['g', 'd']).await?;
    wait_dashboard(&app).await?;
    let n_before = cell(&app, "humans.ICC2", "n").await?;
    let ratings_before = shown_ratings(&app).await?;
    assert_eq!(n_before, "0", "the new rater has no complete response yet");
    let report = expected_report(&study_path)?;
    assert_eq!(
        ratings_before,
        Study::open(&study_path)?.study_ratings()?.ratings.len() as i64
    );
    let guidance = &report.attributes[0];
    assert_eq!(
        cell(&app, "humans.alpha_interval", "est").await?,
        shown(guidance.humans.alpha.interval.value)
    );

    // Charts are inert images with names; nothing foreign came in with them.
    let charts = app
        .js(
            "return { \
               imgs: Array.from(document.querySelectorAll('.dash-chart img')).map(i => [i.getAttribute('src').slice(0, 26), i.alt]), \
               foreign: document.querySelectorAll('#app script, #app svg, #app iframe, #app object, #app embed, #app foreignObject, #app [onload], #app [onerror]').length, \
               scripts: Array.from(document.scripts).map(s => s.getAttribute('src')), \
               csp: document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]') ? document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content : null \
             };",
        )
        .await?;
    let imgs = charts["imgs"].as_array().context("imgs")?;
    assert_eq!(imgs.len(), 8, "eight charts: {imgs:?}");
    for img in imgs {
        assert_eq!(img[0], "data:image/svg+xml;base64,");
        ensure!(
            img[1].as_str().is_some_and(|a| a.len() > 5),
            "chart without a name: {img}"
        );
    }
    assert_eq!(charts["foreign"], 0);
    ensure!(
        charts["scripts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_str().is_some_and(|s| s.starts_with("/assets/"))),
        "only the app's own scripts: {}",
        charts["scripts"]
    );
    println!("dashboard CSP as served: {}", charts["csp"]);

    // 2. Rate the first response fully with the keyboard, then come back.
    app.go('r', "rate", "window.__concord.position === 0", WAIT)
        .await?;
    assert_eq!(
        app.js("return window.__concord.responseId;").await?,
        first_response
    );
    app.press(&['4', '3', '5', '4', '2', '3', '4']).await?;
    app.wait_saved().await?;
    app.press(&['g', 'd']).await?;
    wait_dashboard(&app).await?;
    app.wait_until(
        "document.querySelector('tr[data-key=\"humans.ICC2\"] td.n').textContent === '1'",
        WAIT,
    )
    .await
    .context("n of complete responses after rating one")?;
    assert_eq!(shown_ratings(&app).await?, ratings_before + 7);
    let report = expected_report(&study_path)?;
    let guidance = &report.attributes[0];
    let dump = app.js("return Array.from(document.querySelectorAll('tr[data-key]')).slice(0, 12).map(r => r.dataset.key + '=' + r.querySelector('.est').textContent + ' n=' + r.querySelector('.n').textContent).join('; ') + ' | ' + document.querySelector('#dash-table-title').textContent;").await?;
    println!("shown: {dump}");
    println!(
        "expected: alpha_interval {:?} n {:?}, icc2 {:?}, humans {:?}",
        guidance.humans.alpha.interval.value,
        guidance.humans.alpha.interval.n,
        guidance.humans.icc.icc2.value,
        guidance.humans.raters
    );
    for (key, estimate) in [
        (
            "humans.alpha_interval",
            guidance.humans.alpha.interval.value,
        ),
        ("humans.ICC2", guidance.humans.icc.icc2.value),
        (
            "judge.Judge A.bias",
            guidance.judges[0].agreement.bias.value,
        ),
        (
            "judge.Judge B.ICC_A1",
            guidance.judges[1].agreement.icc.icc_a1.value,
        ),
    ] {
        assert_eq!(cell(&app, key, "est").await?, shown(estimate), "{key}");
    }
    println!(
        "dashboard after rating: humans α(interval) {} (n {}), Judge A bias {}",
        cell(&app, "humans.alpha_interval", "est").await?,
        cell(&app, "humans.alpha_interval", "n").await?,
        cell(&app, "judge.Judge A.bias", "est").await?
    );

    // 3. Another process changes the file: the open dashboard follows within its poll.
    {
        let other = Study::open(&study_path)?;
        let rater = other.find_rater("Rater 1")?.context("Rater 1")?;
        other.set_rating(
            &rater.id,
            first_response.as_str().unwrap(),
            "guidance",
            None,
        )?;
    }
    let external = app
        .wait_until(&format!("(() => {{ const t = document.querySelector('#dash-status').textContent; return t.includes('{} ratings') ? t : null; }})()", ratings_before + 6), WAIT)
        .await
        .context("the dashboard follows a change by another process")?;
    println!("after another process cleared a rating: {external}");

    // 4. A group composite from the selector.
    app.js("const s = document.querySelector('#dash-attribute'); s.value = 'CSS'; s.dispatchEvent(new Event('change')); return null;")
        .await?;
    app.wait_until(
        "document.querySelector('#dash-table-title').textContent.startsWith('CSS composite')",
        WAIT,
    )
    .await?;
    let report = expected_report(&study_path)?;
    let css = report
        .groups
        .iter()
        .find(|g| g.attribute == "CSS")
        .context("CSS")?;
    app.wait_until(
        &format!(
            "document.querySelector('tr[data-key=\"humans.ICC2\"] td.est').textContent === {}",
            json!(shown(css.humans.icc.icc2.value))
        ),
        WAIT,
    )
    .await
    .context("CSS composite ICC2")?;
    assert_eq!(
        cell(&app, "humans.alpha_interval", "est").await?,
        shown(css.humans.alpha.interval.value)
    );
    app.js("const s = document.querySelector('#dash-attribute'); s.value = 'guidance'; s.dispatchEvent(new Event('change')); return null;")
        .await?;
    wait_dashboard(&app).await?;

    // 5. Save latency with the dashboard open (each save starts a recompute) and closed.
    let keys: Vec<String> = Study::open(&study_path)?
        .rubric()?
        .attributes
        .iter()
        .map(|a| a.key.clone())
        .collect();
    let second = app
        .js("return window.__TAURI_INTERNALS__.invoke('rating_view', { position: 1 }).then(v => v.response_id);")
        .await?;
    let second = second.as_str().context("second response")?.to_string();
    let updates_before = app
        .js("return window.__concord.dashboardUpdates;")
        .await?
        .as_i64()
        .unwrap_or(0);
    let open = time_saves(&app, &second, &keys, 20, 150).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let updates = app
        .js("return window.__concord.dashboardUpdates;")
        .await?
        .as_i64()
        .unwrap_or(0)
        - updates_before;
    let compute = numbers(
        &app.js("return window.__concord.dashboardComputeMs;")
            .await?,
    );
    app.press(&['g', 'r']).await?;
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    let closed = time_saves(&app, &second, &keys, 20, 150).await?;
    println!("\n=== Dashboard figures (demo study: 16 responses, 3 humans incl. the new one, 2 judges) ===");
    println!(
        "  recompute in the app (load + statistics with {LIVE_BOOTSTRAP} resamples + 8 SVGs): {}",
        summarize(&compute)
    );
    println!(
        "  save latency, dashboard open and recomputing ({updates} redraws during 20 saves): {}",
        summarize(&open)
    );
    println!("  save latency, dashboard closed: {}", summarize(&closed));
    println!();
    let failed = app.js("return window.__concord.failedSaves;").await?;
    assert_eq!(failed, Value::Array(vec![]));
    app.quit().await?;
    println!("e2e dashboard live: passed");
    Ok(())
}

/// The study lead's view of the default demo study (40 prompts × 3 models, 3 raters, 2
/// judges), opened without choosing a rater, for `docs/screenshots/dashboard.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_screenshot_for_a_study_lead() -> Result<()> {
    let Some(binary) = app_binary("dashboard_screenshot_for_a_study_lead") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(create_demo(&study_path, &DemoOptions::default())?);
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&study_path.display().to_string()])
        .await?;
    assert_eq!(app.js("return window.__concord.screen;").await?, "start");
    app.press(&['g', 'd']).await?;
    wait_dashboard(&app).await?;
    app.js("const s = document.querySelector('#dash-attribute'); s.value = 'empathy'; s.dispatchEvent(new Event('change')); return null;")
        .await?;
    app.wait_until(
        "document.querySelector('#dash-table-title').textContent.startsWith('Empathy')",
        WAIT,
    )
    .await?;
    let report = expected_report(&study_path)?;
    let empathy = report
        .attributes
        .iter()
        .find(|a| a.attribute == "empathy")
        .context("empathy")?;
    app.wait_until(
        &format!(
            "document.querySelector('tr[data-key=\"humans.ICC2\"] td.est').textContent === {}",
            json!(shown(empathy.humans.icc.icc2.value))
        ),
        WAIT,
    )
    .await?;
    app.wait_until(
        "Array.from(document.querySelectorAll('.dash-chart img')).every(i => i.complete && i.naturalWidth > 0)",
        WAIT,
    )
    .await?;
    app.screenshot(&screenshot_dir().join("dashboard.png"))
        .await?;

    // The demo's models answer the same items: under the table, which intervals leave out
    // whole prompts and which run narrow.
    let note = app
        .wait_until(
            "Array.from(document.querySelectorAll('.dash-notes li')).map(l => l.textContent).find(t => t.includes('leave out whole prompts')) || false",
            WAIT,
        )
        .await?;
    assert!(note.as_str().is_some_and(|t| t.contains("REML")), "{note}");
    // The notes sit under the table, in its scrolled panel.
    app.js("const w = document.querySelector('.dash-table-wrap'); w.scrollTop = w.scrollHeight; return null;")
        .await?;
    app.wait_until(
        "document.querySelector('.dash-table-wrap').scrollTop > 0",
        WAIT,
    )
    .await?;
    app.screenshot(&screenshot_dir().join("dashboard-notes.png"))
        .await?;
    app.js("document.querySelector('.dash-table-wrap').scrollTop = 0; return null;")
        .await?;

    // "Can this judge replace a clinician?": one row per judge with the report's verdict.
    app.wait_until(
        "document.querySelectorAll('#dash-verdicts tr.dash-verdict').length === 2",
        WAIT,
    )
    .await
    .context("the verdict panel")?;
    let panel = app
        .js("return { title: document.querySelector('#dash-verdict-title').textContent, \
               rows: Array.from(document.querySelectorAll('#dash-verdicts tr.dash-verdict')).map(r => [r.dataset.judge, r.dataset.verdict, r.querySelector('.dash-omega').textContent]), \
               epsilon: document.querySelector('#dash-epsilon').value };")
        .await?;
    println!("verdict panel: {panel}");
    assert_eq!(
        panel["title"],
        "Can this judge replace a clinician? Empathy"
    );
    assert_eq!(panel["epsilon"], "0.2");
    for (row, judge) in panel["rows"]
        .as_array()
        .context("rows")?
        .iter()
        .zip(&empathy.judges)
    {
        assert_eq!(row[0], judge.judge.as_str());
        assert_eq!(row[1], judge.verdict.verdict.as_str());
        if let Some(omega) = judge.alt_test.winning_rate {
            let text = row[2].as_str().unwrap_or_default();
            ensure!(
                text.starts_with(&format!("ω = {omega:.2}")),
                "ω of {}: {text}",
                judge.judge
            );
        }
    }

    // Every chart has a text alternative and a "Show data" table; open the model scores'.
    let charts = app
        .js("return Array.from(document.querySelectorAll('figure.dash-chart')).map(f => [f.dataset.chart, f.querySelector('img').alt, f.querySelectorAll('table.dash-chart-data tbody tr').length, f.querySelector('details.dash-chart-details summary').textContent]);")
        .await?;
    let charts = charts.as_array().context("charts")?;
    assert_eq!(charts.len(), 8);
    for c in charts {
        ensure!(
            c[1].as_str()
                .is_some_and(|a| a.contains("Every number is in the chart's data table")),
            "alt text of {c}"
        );
        ensure!(c[2].as_i64().is_some_and(|n| n > 0), "data rows of {c}");
        assert_eq!(c[3], "Show data");
    }
    let shown_table = app
        .js("const f = document.querySelector('figure[data-chart=\"model-scores\"]'); f.querySelector('details').open = true; f.scrollIntoView(); \
             return Array.from(f.querySelectorAll('table.dash-chart-data tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));")
        .await?;
    let rows = shown_table.as_array().context("model-scores rows")?;
    assert_eq!(rows.len(), 9, "3 models × 3 estimators: {shown_table}");
    assert_eq!(rows[1][1], "PPI++");
    app.wait_until(
        "(() => { const i = document.querySelector('figure[data-chart=\"model-scores\"] img'); return i.complete && i.naturalWidth > 0; })()",
        WAIT,
    )
    .await?;

    app.js("document.querySelector('#dash-verdicts').scrollIntoView(); return null;")
        .await?;
    app.screenshot(&screenshot_dir().join("dashboard-judge.png"))
        .await?;
    app.quit().await?;
    println!("e2e dashboard screenshots: docs/screenshots/dashboard.png, dashboard-judge.png (the model scores at the top of the charts)");
    Ok(())
}

/// The dashboard's ε control saves the study's setting (`StudySettings::alt_epsilon`): the
/// verdicts recompute with it and the file keeps it. With `CONCORD_HANNA=<study>` (built as in
/// docs/public-dataset.md) it also takes `docs/screenshots/verdict-hanna.png` of that study's
/// panel at ε = 0.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epsilon_is_saved_with_the_study() -> Result<()> {
    let Some(binary) = app_binary("epsilon_is_saved_with_the_study") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let hanna = std::env::var_os("CONCORD_HANNA").map(std::path::PathBuf::from);
    let study_path = match &hanna {
        Some(source) => {
            let copy = dir.path().join("hanna.concord");
            std::fs::copy(source, &copy)?;
            copy
        }
        None => {
            let path = dir.path().join("demo.concord");
            drop(create_demo(&path, &DemoOptions::default())?);
            path
        }
    };
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&study_path.display().to_string()])
        .await?;
    app.press(&['g', 'd']).await?;
    wait_dashboard(&app).await?;
    app.wait_until(
        "document.querySelectorAll('#dash-verdicts tr.dash-verdict').length > 0",
        WAIT,
    )
    .await?;
    app.js("const e = document.querySelector('#dash-epsilon'); e.value = '0.1'; e.dispatchEvent(new Event('change')); return null;")
        .await?;
    app.wait_until(
        "Array.from(document.querySelectorAll('#dash-verdicts .dash-omega')).some(c => c.textContent.includes('ε = 0.1'))",
        WAIT,
    )
    .await
    .context("the verdicts at ε = 0.1")?;
    let saved = Study::open(&study_path)?.settings()?.alt_epsilon;
    assert_eq!(saved, 0.1, "the study keeps the dashboard's ε");
    if hanna.is_some() {
        app.js("const s = document.querySelector('#dash-attribute'); s.value = 'engagement'; s.dispatchEvent(new Event('change')); return null;")
            .await?;
        app.wait_until(
            "document.querySelector('#dash-verdict-title').textContent.endsWith('Engagement')",
            WAIT,
        )
        .await?;
        // The panel shows about one judge at a time: scroll to the undetermined one.
        app.js(
            "document.querySelector('#dash-verdicts').scrollIntoView(); \
                const w = document.querySelector('.dash-verdicts-wrap'); \
                const r = document.querySelector('tr.dash-verdict[data-judge=\"OrcaPlatypus\"]'); \
                w.scrollTop = r.offsetTop - w.querySelector('thead').offsetHeight; return null;",
        )
        .await?;
        app.screenshot(&screenshot_dir().join("verdict-hanna.png"))
            .await?;
        println!("e2e screenshot: docs/screenshots/verdict-hanna.png");
    }
    app.quit().await?;
    Ok(())
}

/// A study with one clinician (MentalBench's consolidated score, or the first clinician of a
/// new study): the verdict panel says once that the two tests comparing clinicians cannot run
/// and leaves their columns out, and a judge's bias is only reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_clinician_verdicts_say_once_what_cannot_run() -> Result<()> {
    let Some(binary) = app_binary("one_clinician_verdicts_say_once_what_cannot_run") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("one.concord");
    let opts = DemoOptions {
        raters: 1,
        ..DemoOptions::default()
    };
    drop(create_demo(&path, &opts)?);
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path.display().to_string()])
        .await?;
    app.press(&['g', 'd']).await?;
    app.wait_until(
        "window.__concord.screen === 'dashboard' && document.querySelectorAll('#dash-verdicts tr.dash-verdict').length === 2",
        WAIT,
    )
    .await?;
    let seen = app
        .js("const note = document.querySelector('.dash-one-clinician'); \
             const hidden = Array.from(document.querySelectorAll('#dash-verdicts .dash-needs-two')) \
               .every(e => getComputedStyle(e).display === 'none'); \
             const bias = Array.from(document.querySelectorAll('#dash-verdicts tr.dash-verdict')) \
               .map(r => Array.from(r.querySelectorAll('.dash-finding')).map(f => f.dataset.finding)); \
             const group = Array.from(document.querySelectorAll('tr.dash-group')).map(r => r.textContent); \
             const pair = [document.querySelector('#dash-rater-a').value, document.querySelector('#dash-rater-b').value]; \
             return { shown: !note.hidden, note: note.textContent, hidden, bias, group, pair };")
        .await?;
    assert_eq!(seen["shown"], true, "{seen}");
    assert!(
        seen["note"]
            .as_str()
            .unwrap_or_default()
            .contains("1 human rater: the alternative annotator test and the replacement test need at least 2 clinicians"),
        "{seen}"
    );
    assert_eq!(seen["hidden"], true, "the two columns are left out: {seen}");
    // The findings left in each row: ICC(A,1) (decisive) and the bias, a note.
    for row in seen["bias"].as_array().context("rows")? {
        assert_eq!(
            row.as_array().and_then(|r| r.last()),
            Some(&json!("note")),
            "{seen}"
        );
    }
    assert!(
        seen["group"]
            .as_array()
            .is_some_and(|g| g.iter().any(|t| t == "Humans among themselves (1 rater)")),
        "{seen}"
    );
    let headlines = app
        .js("return Array.from(document.querySelectorAll('#dash-verdicts tr.dash-verdict strong')).map(e => e.textContent);")
        .await?;
    for h in headlines.as_array().context("headlines")? {
        let h = h.as_str().unwrap_or_default();
        assert!(
            h.ends_with("cannot replace a clinician on this attribute")
                || h == "Not yet decided: a second clinician must rate the same responses",
            "{h}"
        );
    }
    // No confusion pair is drawn, and the selectors do not show the clinician against themselves.
    assert_eq!(seen["pair"], json!(["", ""]), "{seen}");
    app.js("document.querySelector('#dash-verdicts').scrollIntoView(); return null;")
        .await?;
    app.screenshot(&screenshot_dir().join("verdict-one-clinician.png"))
        .await?;
    app.quit().await?;
    Ok(())
}
