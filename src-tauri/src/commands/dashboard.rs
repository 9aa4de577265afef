//! The live dashboard (shown, hidden) and what it saves: a chart, the HTML report.

use std::path::PathBuf;

use concord_core::files::write_atomic;
use concord_core::StudySettings;
use concord_report::{chart_format, html_report, Analysis, DashboardRequest};
use tauri::State;

use super::{CommandError, CommandResult};
use crate::state::AppState;

/// Shows the dashboard of the open study for `request`: the background worker recomputes
/// now and after every change to the file, and sends each result as a `dashboard` event
/// tagged with `request_id`. Returns at once.
#[tauri::command]
pub async fn dashboard_show(
    state: State<'_, AppState>,
    request: DashboardRequest,
    request_id: u64,
) -> CommandResult<()> {
    let (path, passphrase) = state.lead_study_file()?;
    state.dashboard.show(&path, passphrase, request, request_id);
    Ok(())
}

/// Saves the study's alt-test ε (the lead's setting `StudySettings::alt_epsilon`, checked by
/// core); the dashboard recomputes with it. Returns the ε stored.
#[tauri::command]
pub async fn set_alt_epsilon(state: State<'_, AppState>, epsilon: f64) -> CommandResult<f64> {
    let saved = state.with_study(|study| {
        let settings = StudySettings {
            alt_epsilon: epsilon,
            ..study.settings()?
        };
        study.set_settings(&settings)
    })?;
    state.dashboard.poke();
    Ok(saved.alt_epsilon)
}

/// The dashboard is no longer shown: stop recomputing.
#[tauri::command]
pub async fn dashboard_hide(state: State<'_, AppState>) -> CommandResult<()> {
    state.dashboard.hide();
    Ok(())
}

/// Draws `chart` of the dashboard as shown (same options and selection) and writes it to
/// `path` as SVG or PNG, chosen by the file's extension.
#[tauri::command]
pub async fn save_chart(
    state: State<'_, AppState>,
    request: DashboardRequest,
    chart: String,
    path: String,
) -> CommandResult<String> {
    let path = PathBuf::from(path);
    let format = chart_format(&path).ok_or_else(|| {
        CommandError::Invalid(format!(
            "save the chart as .svg or .png, not {}",
            path.display()
        ))
    })?;
    // Read under the study lock (milliseconds); draw and write without it, off the UI thread.
    let (snapshot, opts) = state.with_study(|study| request.load(study, None))?;
    tauri::async_runtime::spawn_blocking(move || -> CommandResult<String> {
        let bytes =
            Analysis::new(snapshot, &opts).render(&request.chart_request(&chart), format)?;
        write_atomic(&path, &bytes)?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|err| CommandError::Invalid(format!("the chart could not be drawn: {err}")))?
}

/// Writes the self-contained HTML report for the dashboard's raters to `path`, with the
/// command line's full bootstrap (1000 resamples), as `concord report` would.
#[tauri::command]
pub async fn save_report(
    state: State<'_, AppState>,
    request: DashboardRequest,
    path: String,
) -> CommandResult<String> {
    let path = PathBuf::from(path);
    // `html_report` reads the study itself, so it runs with the study lock held: a rating
    // saved meanwhile waits for the report (about a second for the demo study).
    let html =
        state.with_study(|study| html_report(study, &request.saved_report_options(study)?))?;
    write_atomic(&path, html.as_bytes())?;
    Ok(path.display().to_string())
}
