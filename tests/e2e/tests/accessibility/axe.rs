//! axe-core on every screen, light and dark: no serious or critical violation.

use super::*;

/// `ui/node_modules/axe-core/axe.min.js`, installed by `npm ci` in `ui/`.
fn axe_source() -> Result<String> {
    let path = repo_path("ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run `npm ci` in ui/)", path.display()))
}

/// The axe rules run: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
const AXE_TAGS: &str =
    "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa', 'best-practice']";

/// Fewer rules passing than this means axe did not look at the screen (an empty page passes).
const AXE_MIN_PASSES: u64 = 15;

/// Runs axe on the page as it is and returns its violations (id, impact, help, a few targets).
async fn axe(app: &App, source: &str) -> Result<Vec<Value>> {
    let loaded = app.js("return typeof window.axe === 'object';").await?;
    if loaded != Value::Bool(true) {
        app.js(&format!("{source}\nreturn true;")).await?;
    }
    let result = app
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1]; \
                 window.axe.run(document, {{ runOnly: {{ type: 'tag', values: {AXE_TAGS} }}, resultTypes: ['violations'] }}) \
                   .then(r => done({{ passes: r.passes.length, violations: r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help, \
                      nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map(n => n.target.join(' ')) }})) }})) \
                   .catch(e => done({{ error: String(e) }}));"
            ),
            vec![],
        )
        .await
        .context("running axe")?;
    if let Some(error) = result.get("error") {
        bail!("axe failed: {error}");
    }
    let passes = result["passes"].as_u64().unwrap_or(0);
    ensure!(
        passes >= AXE_MIN_PASSES,
        "axe passed only {passes} rules: it did not see the screen"
    );
    Ok(result["violations"].as_array().cloned().unwrap_or_default())
}

/// Prints every violation of one screen and returns the serious and critical ones.
fn serious(screen: &str, violations: &[Value]) -> Vec<String> {
    println!("axe {screen}: {} violation(s)", violations.len());
    let mut out = Vec::new();
    for v in violations {
        println!(
            "  [{}] {} ({} node(s)): {} {}",
            v["impact"].as_str().unwrap_or("?"),
            v["id"].as_str().unwrap_or("?"),
            v["nodes"],
            v["help"].as_str().unwrap_or(""),
            v["targets"]
        );
        if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
            out.push(format!("{screen}: {} {}", v["id"], v["targets"]));
        }
    }
    out
}

/// The screens axe visits after rate and help: the `g` key, the screen and when it is ready.
const SCREENS: &[(char, &str, &str)] = &[
    (
        'q',
        "queue",
        "document.querySelectorAll('.queue-row[data-position]').length > 0",
    ),
    (
        's',
        "start",
        "document.querySelector('.rater-item') !== null",
    ),
    (
        'd',
        "dashboard",
        "document.querySelectorAll('.dash-chart img[src^=\"data:\"]').length > 0",
    ),
    (
        'a',
        "adjudication",
        "document.querySelector('.adj-raters tbody') !== null",
    ),
    (
        'm',
        "admin",
        "document.querySelectorAll('.admin-table tbody tr').length > 0",
    ),
];

/// axe on the start, rate, help, queue, dashboard, adjudication and admin screens of a demo study.
async fn axe_every_screen(binary: &Path, theme: &str) -> Result<Vec<String>> {
    let source = axe_source()?;
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    let opts = DemoOptions {
        items: 6,
        models: 2,
        raters: 3,
        judges: 1,
        ..DemoOptions::default()
    };
    drop(create_demo(&study_path, &opts)?);
    let driver = Driver::start_in(theme)?;
    let app = driver.rate(binary, &study_path, "Rater 1").await?;
    let dark = app
        .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
        .await?;
    if theme == "dark" && dark != Value::Bool(true) {
        println!("axe dark: this WebKitGTK does not report a dark preference for GTK_THEME=Adwaita:dark; skipped");
        app.quit().await?;
        return Ok(vec![]);
    }
    let mut bad = Vec::new();
    bad.extend(serious(
        &format!("{theme} rate"),
        &axe(&app, &source).await?,
    ));
    app.press(&['?']).await?;
    app.wait_until("document.querySelector('dialog#help[open]') !== null", WAIT)
        .await?;
    bad.extend(serious(
        &format!("{theme} help"),
        &axe(&app, &source).await?,
    ));
    app.press(&[key(Key::Escape)]).await?;
    app.wait_until("document.querySelector('dialog#help') === null", WAIT)
        .await?;
    for (key, screen, ready) in SCREENS {
        app.go(*key, screen, ready, WAIT).await?;
        bad.extend(serious(
            &format!("{theme} {screen}"),
            &axe(&app, &source).await?,
        ));
    }
    app.quit().await?;
    Ok(bad)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_violations_on_any_screen() -> Result<()> {
    let Some(binary) = app_binary("axe_finds_no_serious_violations_on_any_screen") else {
        return Ok(());
    };
    let mut bad = axe_every_screen(&binary, "light").await?;
    bad.extend(axe_every_screen(&binary, "dark").await?);
    assert!(
        bad.is_empty(),
        "serious or critical axe violations:\n{}",
        bad.join("\n")
    );
    Ok(())
}
