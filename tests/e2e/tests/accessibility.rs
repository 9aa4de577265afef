//! Accessibility of the real app (WCAG 2.2 AA, issue 15), driven through WebDriver under Xvfb:
//! axe-core (the npm package pinned in `ui/package.json`, rules tagged WCAG 2.0–2.2 A/AA and best
//! practice) injected into the webview on every screen in light and dark themes, with zero serious
//! or critical violations; the theme's colour tokens checked for contrast; the score radio group,
//! wide and negative scales, the modal help dialog, the shortcut setting and its letters, the
//! context, a 2 MB response scrolled, and gold set, cleared and undone, all with the keyboard only;
//! the rating screen in (emulated) forced colours; and at 200% and 400% zoom without horizontal
//! scrolling. Every value given is checked in the study file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::{RaterKind, Rubric, Study};
use concord_e2e::{app_binary, key, screenshot_dir, App, Driver, StudyFile};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

/// `ui/node_modules/axe-core/axe.min.js`, installed by `npm ci` in `ui/`.
fn axe_source() -> Result<String> {
    let path = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../ui/node_modules/axe-core/axe.min.js");
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

/// Presses `key` with `modifier` held.
async fn chord(app: &App, modifier: Key, key: char) -> Result<()> {
    let modifier = char::from(modifier);
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: modifier })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: modifier });
    app.client
        .perform_actions(actions)
        .await
        .context("key actions")?;
    Ok(())
}

async fn go(app: &App, key: char, screen: &str, ready: &str) -> Result<()> {
    app.press(&['g', key]).await?;
    app.wait_until(
        &format!("window.__concord.screen === '{screen}' && ({ready})"),
        WAIT,
    )
    .await
    .with_context(|| format!("opening {screen}"))?;
    Ok(())
}

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
    let env: Vec<(&str, &str)> = if theme == "dark" {
        vec![("GTK_THEME", "Adwaita:dark")]
    } else {
        vec![]
    };
    let driver = Driver::start_with_env(&env)?;
    let app = driver
        .launch(binary, &[&path_arg(&study_path), "--rater", "Rater 1"])
        .await?;
    app.wait_ready().await?;
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
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
    go(
        &app,
        'q',
        "queue",
        "document.querySelectorAll('.queue-row[data-position]').length > 0",
    )
    .await?;
    bad.extend(serious(
        &format!("{theme} queue"),
        &axe(&app, &source).await?,
    ));
    go(
        &app,
        's',
        "start",
        "document.querySelector('.rater-item') !== null",
    )
    .await?;
    bad.extend(serious(
        &format!("{theme} start"),
        &axe(&app, &source).await?,
    ));
    go(
        &app,
        'd',
        "dashboard",
        "document.querySelectorAll('.dash-chart img[src^=\"data:\"]').length > 0",
    )
    .await?;
    bad.extend(serious(
        &format!("{theme} dashboard"),
        &axe(&app, &source).await?,
    ));
    go(
        &app,
        'a',
        "adjudication",
        "document.querySelector('.adj-raters tbody') !== null",
    )
    .await?;
    bad.extend(serious(
        &format!("{theme} adjudication"),
        &axe(&app, &source).await?,
    ));
    go(
        &app,
        'm',
        "admin",
        "document.querySelectorAll('.admin-table tbody tr').length > 0",
    )
    .await?;
    bad.extend(serious(
        &format!("{theme} admin"),
        &axe(&app, &source).await?,
    ));
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

/// WCAG 2.2 contrast ratio of two sRGB colours given as `[r, g, b]` (0–255).
fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let luminance = |c: [f64; 3]| {
        let linear = |v: f64| {
            let v = v / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `[r, g, b]` of a computed colour as the page reports it (`rgb(…)`/`rgba(…)`).
fn rgb(value: &Value, token: &str) -> Result<[f64; 3]> {
    let text = value
        .as_str()
        .with_context(|| format!("{token} has no colour"))?;
    let inner = text
        .trim()
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let parts: Vec<f64> = inner
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .with_context(|| format!("{token}: cannot read {text}"))?;
    ensure!(parts.len() >= 3, "{token}: cannot read {text}");
    Ok([parts[0], parts[1], parts[2]])
}

/// Text pairs (≥ 4.5:1) and component pairs (≥ 3:1) of the theme tokens in `styles/base.css`.
const TEXT_PAIRS: &[(&str, &str)] = &[
    ("--text", "--bg"),
    ("--text", "--surface"),
    ("--text", "--surface-2"),
    ("--text", "--accent-soft"),
    ("--text", "--error-soft"),
    ("--muted", "--bg"),
    ("--muted", "--surface"),
    ("--muted", "--surface-2"),
    ("--muted", "--accent-soft"),
    ("--muted", "--error-soft"),
    ("--ok", "--accent-soft"),
    ("--accent-text", "--accent"),
    ("--accent-text", "--accent-strong"),
    ("--accent-strong", "--surface"),
    ("--accent-strong", "--surface-2"),
    ("--on-error", "--error"),
    ("--error", "--surface"),
    ("--error", "--error-soft"),
    ("--warn", "--surface"),
    ("--warn", "--warn-soft"),
    ("--ok", "--surface"),
    ("--ok", "--bg"),
    ("--bg", "--text"),
];
const COMPONENT_PAIRS: &[(&str, &str)] = &[
    ("--control-border", "--surface"),
    ("--control-border", "--bg"),
    ("--focus", "--surface"),
    ("--focus", "--bg"),
    ("--accent", "--surface"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn theme_colours_have_enough_contrast() -> Result<()> {
    let Some(binary) = app_binary("theme_colours_have_enough_contrast") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(create_demo(
        &study_path,
        &DemoOptions {
            items: 2,
            ..DemoOptions::default()
        },
    )?);
    let mut failures = Vec::new();
    for theme in ["light", "dark"] {
        let env: Vec<(&str, &str)> = if theme == "dark" {
            vec![("GTK_THEME", "Adwaita:dark")]
        } else {
            vec![]
        };
        let driver = Driver::start_with_env(&env)?;
        let app = driver.launch(&binary, &[&path_arg(&study_path)]).await?;
        app.wait_ready().await?;
        let dark = app
            .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
            .await?
            == Value::Bool(true);
        if dark != (theme == "dark") {
            println!("contrast {theme}: this WebKitGTK does not switch to the {theme} theme here; skipped");
            app.quit().await?;
            continue;
        }
        // Each token resolved by the engine (so short and named forms compare alike).
        let tokens = app
            .js("const probe = document.createElement('span'); document.body.append(probe); const out = {}; \
                 for (const n of ['--text','--bg','--surface','--surface-2','--accent-soft','--error-soft','--muted','--accent-text','--accent','--accent-strong','--on-error','--error','--warn','--warn-soft','--ok','--control-border','--focus']) { \
                   probe.style.color = `var(${n})`; out[n] = getComputedStyle(probe).color; } \
                 probe.remove(); return out;")
            .await?;
        for (pairs, minimum) in [(TEXT_PAIRS, 4.5), (COMPONENT_PAIRS, 3.0)] {
            for (fg, bg) in pairs {
                let ratio = contrast(rgb(&tokens[fg], fg)?, rgb(&tokens[bg], bg)?);
                println!("contrast {theme} {fg} on {bg}: {ratio:.2}:1 (needs {minimum}:1)");
                if ratio < minimum {
                    failures.push(format!(
                        "{theme}: {fg} on {bg} is {ratio:.2}:1, needs {minimum}:1"
                    ));
                }
            }
        }
        app.quit().await?;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}

/// A rubric with a 1–5 (clarity), a 0–10 (overall) and a −3…3 (bias) scale.
fn wide_scale_rubric() -> Result<Rubric> {
    let attribute = |key: &str, label: &str, min: i64, max: i64| {
        let levels: String = (min..=max)
            .map(|v| format!("\"{v}\" = \"Level {v} of {label}\"\n"))
            .collect();
        format!(
            "[[attribute]]\nkey = \"{key}\"\nlabel = \"{label}\"\nscale = [{min}, {max}]\n[attribute.levels]\n{levels}\n"
        )
    };
    let toml = format!(
        "name = \"Wide scales\"\nscale = [1, 5]\n\n{}{}{}",
        attribute("clarity", "Clarity", 1, 5),
        attribute("overall", "Overall", 0, 10),
        attribute("bias", "Bias", -3, 3)
    );
    Ok(Rubric::from_toml_str(&toml, "e2e")?)
}

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

/// What has focus: the attribute key and score value of a radio, the dialog it is in, its id.
async fn focus(app: &App) -> Result<Value> {
    app.js(
        "const a = document.activeElement; return { key: a.dataset.key || null, value: a.dataset.value === undefined ? null : Number(a.dataset.value), \
         role: a.getAttribute('role'), id: a.id || null, inDialog: a.closest('dialog') !== null, \
         scrollTop: document.querySelector('.rate .reading').scrollTop, \
         inert: document.getElementById('app').hasAttribute('inert'), \
         checked: Array.from(document.querySelectorAll('.attr')).map(r => { const b = r.querySelector('[aria-checked=true]'); return b ? Number(b.dataset.value) : null; }), \
         tabStops: Array.from(document.querySelectorAll('.attr')).map(r => r.querySelectorAll('[role=radio][tabindex=\"0\"]').length), \
         announced: (document.getElementById('announcer') || {}).textContent || null };",
    )
    .await
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
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path_arg(&study_path), "--rater", "Ann"])
        .await?;
    app.wait_ready().await?;
    app.wait_until(
        "window.__concord.screen === 'rate' && window.__concord.position === 0",
        WAIT,
    )
    .await?;
    let db = StudyFile::open(&study_path)?;
    let (ann, _) = db.rater_id("Ann")?.context("rater Ann")?;
    let response = app.js("return window.__concord.responseId;").await?;
    let response = response.as_str().context("response id")?.to_string();

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

/// Fails when any visible text on the screen is below 12 CSS px (0.8rem) at 100% zoom.
async fn assert_no_small_text(app: &App, screen: &str) -> Result<()> {
    let smallest = app
        .js("let min = 1e9, what = ''; for (const el of document.querySelectorAll('#app *')) { \
               if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue; \
               if (!el.getClientRects().length) continue; const size = parseFloat(getComputedStyle(el).fontSize); \
               if (size < min) { min = size; what = el.className || el.tagName; } } return [min, what];")
        .await?;
    println!("smallest text on {screen} at 100%: {smallest}");
    ensure!(
        smallest[0].as_f64().unwrap_or(0.0) >= 12.0 - 1e-9,
        "{screen}: text below 12px: {smallest}"
    );
    Ok(())
}

/// Zooms with Ctrl+= (20% a step, Tauri's zoom hotkeys) until the layout viewport is `width` CSS px.
async fn zoom_to(app: &App, steps: usize, width: f64) -> Result<()> {
    chord(app, Key::Control, '0').await?;
    for _ in 0..steps {
        chord(app, Key::Control, '=').await?;
    }
    app.wait_until(&format!("Math.abs(window.innerWidth - {width}) < 4"), WAIT)
        .await
        .with_context(|| format!("zooming to {width} CSS px"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rating_screen_reflows_at_200_and_400_percent_zoom() -> Result<()> {
    let Some(binary) = app_binary("rating_screen_reflows_at_200_and_400_percent_zoom") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(create_demo(
        &study_path,
        &DemoOptions {
            items: 3,
            ..DemoOptions::default()
        },
    )?);
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path_arg(&study_path), "--rater", "Rater 1"])
        .await?;
    app.wait_ready().await?;
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    let base = app
        .js("return window.innerWidth;")
        .await?
        .as_f64()
        .context("width")?;
    assert_no_small_text(&app, "rate").await?;
    app.press(&['4', '3']).await?;
    app.wait_saved().await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-100.png"))
        .await?;

    let overflow = "const d = document.documentElement; const p = document.querySelector('.panel'); \
                    return { page: d.scrollWidth - d.clientWidth, panel: p.scrollWidth - p.clientWidth, width: window.innerWidth };";
    // 200%: five steps of 20%.
    zoom_to(&app, 5, base / 2.0).await?;
    let at200 = app.js(overflow).await?;
    println!("200% zoom: {at200}");
    // Esc brings the focused attribute into view (the page is one column at this size).
    app.press(&[key(Key::Escape)]).await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-200.png"))
        .await?;
    assert!(
        at200["page"].as_f64().unwrap_or(1.0) <= 0.5
            && at200["panel"].as_f64().unwrap_or(1.0) <= 0.5,
        "horizontal scroll at 200%: {at200}"
    );
    // 400% of 1280 px: the 320 CSS px of WCAG 1.4.10.
    zoom_to(&app, 15, base / 4.0).await?;
    let at400 = app.js(overflow).await?;
    println!("400% zoom: {at400}");
    // Esc brings the focused attribute into view (the page is one column at this size).
    app.press(&[key(Key::Escape)]).await?;
    app.screenshot(&screenshot_dir().join("rating-zoom-400.png"))
        .await?;
    assert!(
        at400["page"].as_f64().unwrap_or(1.0) <= 0.5
            && at400["panel"].as_f64().unwrap_or(1.0) <= 0.5,
        "horizontal scroll at 320 px: {at400}"
    );
    chord(&app, Key::Control, '0').await?;
    app.quit().await?;
    Ok(())
}

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
    let ann = study.add_rater("Ann", RaterKind::Human)?;
    study.assign_all(&ann.id)?;
    for (name, clarity) in [("Ben", 1), ("Cy", 5)] {
        let rater = study.add_rater(name, RaterKind::Human)?;
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
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path_arg(&study_path), "--rater", "Ann"])
        .await?;
    app.wait_ready().await?;
    app.wait_until(
        "window.__concord.screen === 'rate' && window.__concord.position === 0",
        WAIT,
    )
    .await?;
    let db = StudyFile::open(&study_path)?;
    let (ann, _) = db.rater_id("Ann")?.context("rater Ann")?;
    let response = app.js("return window.__concord.responseId;").await?;
    let response = response.as_str().context("response id")?.to_string();
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
    go(&app, 'a', "adjudication", "document.querySelector('#gold-status') !== null && document.activeElement.id === 'adj-list'")
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

/// Emulates a forced-colours mode (WebKitGTK has no switch for it): the page's own
/// `@media (forced-colors: active)` rules apply, and every colour they do not set is replaced the
/// way the mode does it — text CanvasText (ButtonText on controls, GrayText disabled) on Canvas
/// (ButtonFace), borders and outlines in the text colour, transparent kept, no shadows.
const FORCED_COLORS: &str = r#"
const own = [];
for (const sheet of document.styleSheets) {
  for (const rule of sheet.cssRules) {
    if (rule instanceof CSSMediaRule && /forced-colors:\s*active/.test(rule.media.mediaText)) own.push(...rule.cssRules);
  }
}
// Through the CSSOM: the app's content security policy refuses inline <style> elements.
const sheet = document.styleSheets[document.styleSheets.length - 1];
for (const r of [...own]) sheet.insertRule(r.cssText, sheet.cssRules.length);
const sets = (el, prop) => own.some(r => { try { return el.matches(r.selectorText) && r.style.getPropertyValue(prop) !== ''; } catch (e) { return false; } });
const sides = ['top', 'right', 'bottom', 'left'];
for (const el of document.querySelectorAll('body *')) {
  const cs = getComputedStyle(el);
  const control = el.matches('button, select, input, textarea');
  const text = el.matches(':disabled') ? 'GrayText' : control ? 'ButtonText' : 'CanvasText';
  const wanted = { color: text, 'background-color': control ? 'ButtonFace' : 'Canvas', 'outline-color': text };
  for (const side of sides) wanted[`border-${side}-color`] = text;
  for (const [prop, value] of Object.entries(wanted)) {
    if (sets(el, prop)) continue;
    const now = cs.getPropertyValue(prop);
    if (now === 'transparent' || /rgba\(.*,\s*0\)$/.test(now)) continue;
    el.style.setProperty(prop, value, 'important');
  }
  el.style.setProperty('box-shadow', 'none', 'important');
  el.style.setProperty('text-shadow', 'none', 'important');
}
return own.length;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_colours_keep_focus_and_choice_visible() -> Result<()> {
    let Some(binary) = app_binary("forced_colours_keep_focus_and_choice_visible") else {
        return Ok(());
    };
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    drop(create_demo(
        &study_path,
        &DemoOptions {
            items: 3,
            ..DemoOptions::default()
        },
    )?);
    let driver = Driver::start()?;
    let app = driver
        .launch(&binary, &[&path_arg(&study_path), "--rater", "Rater 1"])
        .await?;
    app.wait_ready().await?;
    app.wait_until("window.__concord.screen === 'rate'", WAIT)
        .await?;
    // The rubric names its groups; the screen shows those names, not the keys.
    let groups = app
        .js("return Array.from(document.querySelectorAll('.group-title')).map(g => [g.dataset.group, g.textContent]);")
        .await?;
    assert_eq!(
        groups,
        serde_json::json!([["CSS", "Cognitive support"], ["ARS", "Affective resonance"]])
    );
    // Two scores chosen; focus on the third attribute's group, on its score 3.
    app.press(&['4', '3', key(Key::Right), key(Key::Right)])
        .await?;
    app.wait_saved().await?;
    let rules = app.js(FORCED_COLORS).await?;
    assert!(
        rules.as_u64().unwrap_or(0) >= 8,
        "forced-colours rules found: {rules}"
    );
    let look = app
        .js("const s = el => getComputedStyle(el); const focused = document.activeElement; const row = focused.closest('.attr'); \
             const chosen = document.querySelector('.attr .scale-value.selected'); const plain = chosen.parentElement.querySelector('.scale-value:not(.selected)'); \
             const other = document.querySelector('.attr:not(.focused)'); \
             return { role: focused.getAttribute('role'), outline: [s(focused).outlineStyle, parseFloat(s(focused).outlineWidth), s(focused).outlineColor], \
               rowBg: s(row).backgroundColor, chosen: [s(chosen).backgroundColor, s(chosen).color], plain: [s(plain).backgroundColor, s(plain).color], \
               focusedRow: [s(row).borderTopColor, parseFloat(s(row).borderTopWidth)], otherRow: [s(other).borderTopColor, parseFloat(s(other).borderTopWidth)], \
               bar: [parseFloat(s(document.querySelector('.progress-bar')).borderTopWidth)] };")
        .await?;
    println!("forced colours: {look}");
    assert_eq!(look["role"], "radio");
    assert_eq!(look["outline"][0], "solid", "focus ring kept: {look}");
    assert!(look["outline"][1].as_f64().unwrap_or(0.0) >= 2.0, "{look}");
    assert_ne!(
        look["outline"][2], look["rowBg"],
        "focus ring visible on its background"
    );
    assert_ne!(
        look["chosen"][0], look["plain"][0],
        "the chosen score stands out"
    );
    assert_ne!(
        look["chosen"][0], look["chosen"][1],
        "its number is readable"
    );
    assert_ne!(
        look["focusedRow"][0], look["otherRow"][0],
        "the attribute being rated is framed"
    );
    assert!(
        look["focusedRow"][1].as_f64().unwrap_or(0.0) >= 2.0,
        "{look}"
    );
    assert!(
        look["bar"][0].as_f64().unwrap_or(0.0) >= 1.0,
        "progress bar outlined: {look}"
    );
    app.screenshot(&screenshot_dir().join("rating-forced-colors.png"))
        .await?;
    app.quit().await?;
    Ok(())
}
