//! The real app, driven through WebDriver under Xvfb: a clinician rates with the keyboard,
//! undoes, writes a rationale, flags, quits and resumes; hostile responses render inert; and
//! the speed figures with a 100k-response study. Every step is checked against the study file.

mod dark_theme;
mod failed_save;
mod hostile;
mod journey;
mod speed;

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::{Rubric, Study};
use concord_e2e::{
    app_binary, key, numbers, one_rater_demo, rater_key, screenshot_dir, summarize, App, Driver,
    StudyFile,
};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

async fn attribute_keys(app: &App) -> Result<Vec<String>> {
    let keys = app
        .js("return Array.from(document.querySelectorAll('.attr')).map(a => a.dataset.key);")
        .await?;
    Ok(serde_json::from_value(keys)?)
}

async fn wait_position(app: &App, position: usize) -> Result<()> {
    let expression =
        format!("window.__concord.screen === 'rate' && window.__concord.position === {position}");
    if let Err(err) = app.wait_until(&expression, WAIT).await {
        let state = app.rating_state().await.unwrap_or_default();
        let hint = app
            .js("const h = document.querySelector('.hint'); return h && h.textContent;")
            .await
            .unwrap_or_default();
        return Err(err.context(format!(
            "waiting for response {position}; the screen shows {state} (hint: {hint})"
        )));
    }
    Ok(())
}

fn checked(state: &Value) -> Vec<Option<i64>> {
    state["checked"]
        .as_array()
        .map(|a| a.iter().map(Value::as_i64).collect())
        .unwrap_or_default()
}
