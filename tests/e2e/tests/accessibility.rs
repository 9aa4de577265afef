//! Accessibility of the real app (WCAG 2.2 AA, issue 15), driven through WebDriver under Xvfb:
//! axe-core (the npm package pinned in `ui/package.json`) injected into the webview on every
//! screen in light and dark themes, with zero serious or critical violations; the theme's colour
//! tokens checked for contrast; the score radio group, wide and negative scales, the modal help
//! dialog and the shortcut setting used with the keyboard only; and the rating screen at 200% and
//! 400% zoom without horizontal scrolling. Every value given is checked in the study file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::{Rubric, Study};
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
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run `npm ci` in ui/)", path.display()))
}

/// Runs axe on the page as it is and returns its violations (id, impact, help, a few targets).
async fn axe(app: &App, source: &str) -> Result<Vec<Value>> {
    let loaded = app.js("return typeof window.axe === 'object';").await?;
    if loaded != Value::Bool(true) {
        app.js(&format!("{source}\nreturn true;")).await?;
    }
    let result = app
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.axe.run(document, { resultTypes: ['violations'] }) \
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                  nodes: v.nodes.length, targets: v.nodes.slice(0, 4).map(n => n.target.join(' ')) })))) \
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .context("running axe")?;
    if let Some(error) = result.get("error") {
        bail!("axe failed: {error}");
    }
    Ok(result.as_array().cloned().unwrap_or_default())
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

/// A study whose rubric has a 1–5, a 0–10 and a −3…3 scale, and two long responses.
fn wide_scale_study(path: &Path) -> Result<()> {
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
    let rubric = Rubric::from_toml_str(&toml, "e2e")?;
    let study = Study::create(path, "Wide scales", &rubric)?;
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
    // No text below 12 CSS px at 100%.
    let smallest = app
        .js("let min = 1e9, what = ''; for (const el of document.querySelectorAll('#app *')) { \
               if (!el.childNodes.length || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue; \
               if (!el.getClientRects().length) continue; const size = parseFloat(getComputedStyle(el).fontSize); \
               if (size < min) { min = size; what = el.className || el.tagName; } } return [min, what];")
        .await?;
    println!("smallest text at 100%: {smallest}");
    assert!(
        smallest[0].as_f64().unwrap_or(0.0) >= 12.0 - 1e-9,
        "text below 12px: {smallest}"
    );
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
