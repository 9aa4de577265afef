//! Accessibility of the real app (WCAG 2.2 AA, issue 15), driven through WebDriver under Xvfb:
//! axe-core (the npm package pinned in `ui/package.json`, rules tagged WCAG 2.0–2.2 A/AA and best
//! practice) injected into the webview on every screen in light and dark themes, with zero serious
//! or critical violations; the theme's colour tokens checked for contrast; the score radio group,
//! wide and negative scales, the modal help dialog, the shortcut setting and its letters, the
//! context, a 2 MB response scrolled, and gold set, cleared and undone, all with the keyboard only;
//! the rating screen in (emulated) forced colours; and at 200% and 400% zoom without horizontal
//! scrolling. Every value given is checked in the study file.

mod axe;
mod contrast;
mod forced_colours;
mod keyboard;
mod long_response;
mod zoom;

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::{RaterKind, Rubric, Study};
use concord_e2e::{app_binary, key, repo_path, screenshot_dir, small_demo, App, Driver, StudyFile};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

/// A 3-prompt demo study opened as Rater 1 on the rating screen: the study's folder and the
/// driver, which must outlive the app, and the app.
async fn small_demo_as_rater_1(binary: &Path) -> Result<(tempfile::TempDir, Driver, App)> {
    let dir = tempfile::tempdir()?;
    let study_path = dir.path().join("demo.concord");
    small_demo(&study_path, 3)?;
    let driver = Driver::start()?;
    let app = driver.rate(binary, &study_path, "Rater 1").await?;
    Ok((dir, driver, app))
}

/// `study` opened as Ann at its first response: the driver (which must outlive the app), the
/// app, the study file for checking, Ann's id and the id of the response shown.
async fn first_response_as_ann(
    binary: &Path,
    study: &Path,
) -> Result<(Driver, App, StudyFile, String, String)> {
    let driver = Driver::start()?;
    let app = driver.rate(binary, study, "Ann").await?;
    app.wait_until("window.__concord.position === 0", WAIT)
        .await?;
    let db = StudyFile::open(study)?;
    let (ann, _) = db.rater_id("Ann")?.context("rater Ann")?;
    let response = app.js("return window.__concord.responseId;").await?;
    let response = response.as_str().context("response id")?.to_string();
    Ok((driver, app, db, ann, response))
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
