//! Tauri commands: parse arguments, call `concord-core`, map errors to one-line messages.
//! No business rule lives here; the rater is taken from the app state, never from the page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use concord_core::adjudication::{Disagreement, Gold, GoldEvent, RaterJudgement};
use concord_core::merge::{MergeConflict, MergeOptions, MergeSummary, Resolution};
use concord_core::package::{Manifest, ReturnedPackage};
use concord_core::{
    Progress, QueueFilter, QueuePage, Rater, RaterKind, Rubric, Study, StudySettings, UndoneChange,
};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::dashboard::{self, DashboardRequest};
use crate::render::{context_to_safe_html, markdown_to_safe_html};
use crate::state::{AppState, OpenStudy, RecentStudy};

/// Every command's error is a message for the user.
pub type CommandResult<T> = Result<T, String>;

fn user_error(err: concord_core::Error) -> String {
    err.to_string()
}

/// A rater profile with its progress, for the "who is rating?" list.
#[derive(Debug, Clone, Serialize)]
pub struct RaterSummary {
    pub rater: Rater,
    /// Left out (`None`) where it is not shown: counting costs a scan of the rater's queue.
    pub progress: Option<Progress>,
}

/// What the start screen shows about an open study.
#[derive(Debug, Clone, Serialize)]
pub struct StudySummary {
    pub path: String,
    pub name: String,
    pub blind: bool,
    pub flags: Vec<String>,
    pub rubric: Rubric,
    pub raters: Vec<RaterSummary>,
}

/// A study opened with a rater chosen: everything the rating screen needs to start.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    pub study: StudySummary,
    pub rater: Rater,
    pub progress: Progress,
    /// The first response not fully rated, where work resumes; `None` when all are done.
    pub resume_position: Option<usize>,
}

/// What the page needs when it loads.
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    pub session: Option<Session>,
    pub study: Option<StudySummary>,
    pub recent: Vec<RecentStudy>,
    pub templates: Vec<String>,
    /// Why the remembered or requested study could not be opened.
    pub error: Option<String>,
}

/// One response on the rating screen, with prompt and response already rendered and sanitized.
#[derive(Debug, Clone, Serialize)]
pub struct RatingScreen {
    pub position: usize,
    pub total: usize,
    pub response_id: String,
    pub item_external_id: String,
    pub prompt_html: String,
    pub context_html: Option<String>,
    pub response_html: String,
    pub response_chars: usize,
    pub model: Option<String>,
    pub values: BTreeMap<String, i64>,
    pub rationale: String,
    pub flags: Vec<String>,
}

/// A value the store has durably recorded.
#[derive(Debug, Clone, Serialize)]
pub struct SavedRating {
    pub response_id: String,
    pub attribute_key: String,
    pub value: Option<i64>,
}

fn summary(study: &Study, with_progress: bool) -> concord_core::Result<StudySummary> {
    let settings = study.settings()?;
    let raters = study
        .raters()?
        .into_iter()
        .filter(|r| r.kind == RaterKind::Human)
        .map(|rater| {
            let progress = if with_progress {
                Some(study.progress(&rater.id)?)
            } else {
                None
            };
            Ok(RaterSummary { rater, progress })
        })
        .collect::<concord_core::Result<Vec<_>>>()?;
    Ok(StudySummary {
        path: study.path().display().to_string(),
        name: study.name()?,
        blind: settings.blind,
        flags: settings.flags,
        rubric: study.rubric()?,
        raters,
    })
}

fn set_title<R: Runtime>(app: &AppHandle<R>, title: &str) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(title);
    }
}

fn title_for(study: &str, rater: Option<&str>) -> String {
    match rater {
        Some(rater) => format!("{study} — {rater}"),
        None => format!("{study} — Concord"),
    }
}

/// Opens `path` as the current study (closing any other), with no rater chosen yet.
fn open_into(
    state: &AppState,
    path: &Path,
    with_progress: bool,
) -> concord_core::Result<StudySummary> {
    let study = Study::open(path)?;
    let summary = summary(&study, with_progress)?;
    if let Err(err) = state.close_study() {
        eprintln!("concord-app: {err}");
    }
    *state.open() = Some(OpenStudy { study, rater: None });
    state.remember(path, &summary.name, None);
    Ok(summary)
}

/// Finds the rater `name` in the open study or creates a human profile, assigns every response
/// to a new profile, and records the choice.
fn choose_into(state: &AppState, name: &str) -> Result<Session, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a rater profile needs a name".into());
    }
    let mut guard = state.open();
    let open = guard.as_mut().ok_or("no study is open")?;
    let study = &open.study;
    let rater = match study.find_rater(name).map_err(user_error)? {
        Some(rater) if rater.kind == RaterKind::Llm => {
            return Err(format!(
                "“{name}” is an LLM judge in this study, not a rater profile"
            ))
        }
        Some(rater) => rater,
        None => study
            .add_rater(name, RaterKind::Human)
            .map_err(user_error)?,
    };
    let mut progress = study.progress(&rater.id).map_err(user_error)?;
    if progress.total == 0 {
        study.assign_all(&rater.id).map_err(user_error)?;
        progress = study.progress(&rater.id).map_err(user_error)?;
    }
    let resume_position = study.first_unfinished(&rater.id).map_err(user_error)?;
    let summary = summary(study, false).map_err(user_error)?;
    state.remember(study.path(), &summary.name, Some(&rater.name));
    open.rater = Some(rater.clone());
    Ok(Session {
        study: summary,
        rater,
        progress,
        resume_position,
    })
}

/// Runs `f` with the open study and the chosen rater.
fn with_rater<T>(
    state: &AppState,
    f: impl FnOnce(&Study, &Rater) -> concord_core::Result<T>,
) -> CommandResult<T> {
    let guard = state.open();
    let open = guard.as_ref().ok_or("no study is open")?;
    let rater = open.rater.as_ref().ok_or("choose a rater profile first")?;
    f(&open.study, rater).map_err(user_error)
}

/// First call of the page: reopens the study given on the command line or remembered from last
/// time, with its rater when known.
#[tauri::command]
pub async fn startup<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<Startup> {
    let templates = Rubric::template_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    // A reload of the page while a study is open shows the same session again.
    let current = {
        let guard = state.open();
        guard.as_ref().map(|open| {
            (
                open.study.path().to_path_buf(),
                open.rater.as_ref().map(|r| r.name.clone()),
            )
        })
    };
    let remembered = state.remembered();
    let (target, rater): (Option<PathBuf>, Option<String>) = match (current, state.take_launch()) {
        (Some((path, rater)), _) => (Some(path), rater),
        (None, Some(launch)) if launch.study.is_some() => {
            let path = launch.study.unwrap();
            let rater = launch.rater.or_else(|| {
                remembered
                    .recent
                    .iter()
                    .find(|r| Path::new(&r.path) == path)
                    .and_then(|r| r.last_rater.clone())
            });
            (Some(path), rater)
        }
        (None, _) => match &remembered.last {
            Some(last) if Path::new(&last.path).exists() => {
                (Some(PathBuf::from(&last.path)), last.last_rater.clone())
            }
            _ => (None, None),
        },
    };
    let mut startup = Startup {
        session: None,
        study: None,
        recent: Vec::new(),
        templates,
        error: None,
    };
    if let Some(path) = target {
        // With a rater to resume, the rater list (and its progress counts) is not shown.
        match open_into(&state, &path, rater.is_none()) {
            Ok(summary) => {
                set_title(&app, &title_for(&summary.name, None));
                startup.study = Some(summary);
                if let Some(name) = rater {
                    match choose_into(&state, &name) {
                        Ok(session) => {
                            set_title(
                                &app,
                                &title_for(&session.study.name, Some(&session.rater.name)),
                            );
                            startup.study = Some(session.study.clone());
                            startup.session = Some(session);
                        }
                        Err(err) => startup.error = Some(err),
                    }
                }
            }
            Err(err) => startup.error = Some(user_error(err)),
        }
    }
    startup.recent = state.remembered().existing_recent();
    Ok(startup)
}

/// Studies opened recently whose files still exist, most recent first.
#[tauri::command]
pub async fn recent_studies(state: State<'_, AppState>) -> CommandResult<Vec<RecentStudy>> {
    Ok(state.remembered().existing_recent())
}

/// Opens a study file chosen by the user.
#[tauri::command]
pub async fn open_study<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<StudySummary> {
    let summary = open_into(&state, Path::new(&path), true).map_err(user_error)?;
    set_title(&app, &title_for(&summary.name, None));
    Ok(summary)
}

/// The open study with every rater's current progress, for the start screen.
#[tauri::command]
pub async fn study_summary(state: State<'_, AppState>) -> CommandResult<StudySummary> {
    let guard = state.open();
    let open = guard.as_ref().ok_or("no study is open")?;
    summary(&open.study, true).map_err(user_error)
}

/// Creates a new study file from a built-in rubric template and opens it.
#[tauri::command]
pub async fn create_study<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    name: String,
    template: String,
) -> CommandResult<StudySummary> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a study needs a name".into());
    }
    let rubric = Rubric::builtin(&template).map_err(user_error)?;
    let path = PathBuf::from(path);
    let study = Study::create(&path, name, &rubric).map_err(user_error)?;
    drop(study);
    let summary = open_into(&state, &path, true).map_err(user_error)?;
    set_title(&app, &title_for(&summary.name, None));
    Ok(summary)
}

/// Chooses (or creates) the rater profile that rates in the open study.
#[tauri::command]
pub async fn choose_rater<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    name: String,
) -> CommandResult<Session> {
    let session = choose_into(&state, &name)?;
    set_title(
        &app,
        &title_for(&session.study.name, Some(&session.rater.name)),
    );
    Ok(session)
}

/// Closes the open study.
#[tauri::command]
pub async fn close_study<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    state.close_study()?;
    set_title(&app, "Concord");
    Ok(())
}

/// The chosen rater's progress.
#[tauri::command]
pub async fn progress(state: State<'_, AppState>) -> CommandResult<Progress> {
    with_rater(&state, |study, rater| study.progress(&rater.id))
}

/// One page of the rater's queue.
#[tauri::command]
pub async fn queue(
    state: State<'_, AppState>,
    filter: QueueFilter,
    offset: usize,
    limit: usize,
) -> CommandResult<QueuePage> {
    let limit = limit.min(1000);
    with_rater(&state, |study, rater| {
        study.queue(&rater.id, filter, offset, limit)
    })
}

/// Position of the first response the rater has not finished.
#[tauri::command]
pub async fn first_unfinished(state: State<'_, AppState>) -> CommandResult<Option<usize>> {
    with_rater(&state, |study, rater| study.first_unfinished(&rater.id))
}

/// The response at `position` in the rater's order, rendered for the rating screen.
#[tauri::command]
pub async fn rating_view(
    state: State<'_, AppState>,
    position: usize,
) -> CommandResult<RatingScreen> {
    let view = with_rater(&state, |study, rater| {
        study.rating_view(&rater.id, position)
    })?;
    Ok(RatingScreen {
        position: view.position,
        total: view.total,
        response_id: view.response_id,
        item_external_id: view.item_external_id,
        prompt_html: markdown_to_safe_html(&view.prompt),
        context_html: context_to_safe_html(&view.context),
        response_html: markdown_to_safe_html(&view.response),
        response_chars: view.response.chars().count(),
        model: view.model,
        values: view.values,
        rationale: view.rationale,
        flags: view.flags,
    })
}

/// Records one value (or clears it with `null`); durable when this returns.
#[tauri::command]
pub async fn set_rating(
    state: State<'_, AppState>,
    response_id: String,
    attribute_key: String,
    value: Option<i64>,
) -> CommandResult<SavedRating> {
    let event = with_rater(&state, |study, rater| {
        study.set_rating(&rater.id, &response_id, &attribute_key, value)
    })?;
    state.dashboard.poke();
    Ok(SavedRating {
        response_id: event.response_id,
        attribute_key: event.attribute_key,
        value: event.value,
    })
}

/// Reverts the rater's most recent value change.
#[tauri::command]
pub async fn undo(state: State<'_, AppState>) -> CommandResult<Option<UndoneChange>> {
    let change = with_rater(&state, |study, rater| study.undo(&rater.id))?;
    state.dashboard.poke();
    Ok(change)
}

/// Saves the rationale and flags of one response.
#[tauri::command]
pub async fn set_note(
    state: State<'_, AppState>,
    response_id: String,
    rationale: String,
    flags: Vec<String>,
) -> CommandResult<()> {
    with_rater(&state, |study, rater| {
        study.set_note(&rater.id, &response_id, &rationale, &flags)
    })
}

/// Shows the dashboard of the open study for `request`: the background worker recomputes
/// now and after every change to the file, and sends each result as a `dashboard` event
/// tagged with `request_id`. Returns at once.
#[tauri::command]
pub async fn dashboard_show(
    state: State<'_, AppState>,
    request: DashboardRequest,
    request_id: u64,
) -> CommandResult<()> {
    let path = state.study_path().ok_or("no study is open")?;
    state.dashboard.show(&path, request, request_id);
    Ok(())
}

/// The dashboard is no longer shown: stop recomputing.
#[tauri::command]
pub async fn dashboard_hide(state: State<'_, AppState>) -> CommandResult<()> {
    state.dashboard.hide();
    Ok(())
}

/// Writes `bytes` to `path` through a temporary file beside it, so a failed write leaves no
/// half-written file.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("concord-tmp");
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|err| {
            let _ = std::fs::remove_file(&tmp);
            format!("could not write {}: {err}", path.display())
        })
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
    let format = match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "svg" => concord_plots::Format::Svg,
        Some(e) if e == "png" => concord_plots::Format::Png,
        _ => {
            return Err(format!(
                "save the chart as .svg or .png, not {}",
                path.display()
            ))
        }
    };
    // Read under the study lock (milliseconds); draw and write without it, off the UI thread.
    let (snapshot, opts) = state.with_study(|study| dashboard::load(study, &request, None))?;
    tauri::async_runtime::spawn_blocking(move || {
        let bytes = concord_report::Analysis::new(snapshot, &opts)
            .render(&dashboard::chart_request(&chart, &request), format)
            .map_err(|err| err.to_string())?;
        write_file(&path, &bytes)?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|err| format!("the chart could not be drawn: {err}"))?
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
    let html = state.with_study(|study| {
        let opts = concord_stats::report::ReportOptions {
            bootstrap: concord_stats::report::ReportOptions::default().bootstrap,
            ..dashboard::report_options(study, &request).map_err(user_error)?
        };
        concord_report::html_report(study, &opts).map_err(|err| err.to_string())
    })?;
    write_file(&path, html.as_bytes())?;
    Ok(path.display().to_string())
}

// ---- study lead: adjudication -------------------------------------------------------------

/// A response under adjudication: prompt and response rendered and sanitized, and every human
/// rater's scores, rationale and flags.
#[derive(Debug, Clone, Serialize)]
pub struct AdjudicationView {
    pub response_id: String,
    pub item_external_id: String,
    pub prompt_html: String,
    pub context_html: Option<String>,
    pub response_html: String,
    pub raters: Vec<RaterJudgement>,
    /// Gold values already set for this response, with who decided and why.
    pub gold: Vec<Gold>,
}

/// Response × attribute cells the human raters disagree on, widest spread first.
#[tauri::command]
pub async fn disagreements(
    state: State<'_, AppState>,
    attribute: Option<String>,
    min_range: i64,
    limit: usize,
) -> CommandResult<Vec<Disagreement>> {
    let attribute = attribute.filter(|a| !a.is_empty());
    state.with_study(|study| {
        study
            .disagreements(attribute.as_deref(), min_range.max(0), limit.min(5000))
            .map_err(user_error)
    })
}

/// The response `response_id` (external id) with every human rater's judgement of it.
#[tauri::command]
pub async fn adjudication_view(
    state: State<'_, AppState>,
    response_id: String,
) -> CommandResult<AdjudicationView> {
    state.with_study(|study| adjudication_view_of(study, &response_id).map_err(user_error))
}

fn adjudication_view_of(
    study: &Study,
    external_id: &str,
) -> concord_core::Result<AdjudicationView> {
    let j = study.response_judgements(external_id)?;
    Ok(AdjudicationView {
        response_id: j.response_id,
        item_external_id: j.item_external_id,
        prompt_html: markdown_to_safe_html(&j.prompt),
        context_html: context_to_safe_html(&j.context),
        response_html: markdown_to_safe_html(&j.response),
        raters: j.raters,
        gold: j.gold,
    })
}

/// Records the gold value of one response × attribute; durable when this returns.
#[tauri::command]
pub async fn set_gold(
    state: State<'_, AppState>,
    response_id: String,
    attribute: String,
    value: i64,
    adjudicator: String,
    reason: String,
) -> CommandResult<Gold> {
    state.with_study(|study| {
        study
            .set_gold(&response_id, &attribute, value, &adjudicator, reason.trim())
            .map_err(user_error)
    })
}

// ---- study lead: admin ---------------------------------------------------------------------

/// What the admin screen shows: every rater (humans and judges) with progress, and settings.
#[derive(Debug, Clone, Serialize)]
pub struct AdminView {
    pub raters: Vec<RaterSummary>,
    pub settings: StudySettings,
    pub responses: usize,
}

/// Study settings the admin screen edits; the rest (seed, own-model exclusions) are kept.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct SettingsChange {
    pub blind: bool,
    pub flags: Vec<String>,
    pub overlap_target: u32,
}

fn admin_view_of(study: &Study) -> concord_core::Result<AdminView> {
    let raters = study
        .raters()?
        .into_iter()
        .map(|rater| {
            let progress = Some(study.progress(&rater.id)?);
            Ok(RaterSummary { rater, progress })
        })
        .collect::<concord_core::Result<Vec<_>>>()?;
    Ok(AdminView {
        raters,
        settings: study.settings()?,
        responses: study.response_ids()?.len(),
    })
}

/// Raters with progress and the study settings.
#[tauri::command]
pub async fn admin_view(state: State<'_, AppState>) -> CommandResult<AdminView> {
    state.with_study(|study| admin_view_of(study).map_err(user_error))
}

/// Adds a human rater profile (with no assignments yet).
#[tauri::command]
pub async fn add_rater(state: State<'_, AppState>, name: String) -> CommandResult<Rater> {
    state.with_study(|study| study.add_rater(&name, RaterKind::Human).map_err(user_error))
}

/// Spreads every response over `rater_ids` so each goes to `overlap` of them; returns the
/// assignments added per rater, in the given order.
#[tauri::command]
pub async fn assign_with_overlap(
    state: State<'_, AppState>,
    rater_ids: Vec<String>,
    overlap: usize,
) -> CommandResult<Vec<usize>> {
    let added = state.with_study(|study| {
        study
            .assign_with_overlap(&rater_ids, overlap)
            .map_err(user_error)
    })?;
    state.dashboard.poke();
    Ok(added)
}

/// Writes a package for one rater to `path` (which must not exist); returns the package id.
#[tauri::command]
pub async fn export_package(
    state: State<'_, AppState>,
    rater_id: String,
    path: String,
) -> CommandResult<String> {
    state.with_study(|study| {
        study
            .export_package(&rater_id, Path::new(&path))
            .map_err(user_error)
    })
}

/// Validates and merges a returned package into the open study; returns the receipt.
#[tauri::command]
pub async fn merge_package(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<MergeSummary> {
    let summary = state.with_study(|study| {
        study
            .merge(Path::new(&path), &MergeOptions::default())
            .map_err(user_error)
    })?;
    state.dashboard.poke();
    Ok(summary)
}

/// Seals the open package for return to the lead: a self-contained copy at `path`.
#[tauri::command]
pub async fn return_package(
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<ReturnedPackage> {
    state.with_study(|study| study.return_package(Path::new(&path)).map_err(user_error))
}

/// The open package's manifest (`None` for a study that is not a package).
#[tauri::command]
pub async fn package_manifest(state: State<'_, AppState>) -> CommandResult<Option<Manifest>> {
    state.with_study(|study| study.manifest().map_err(user_error))
}

/// Conflicts the lead has not resolved yet.
#[tauri::command]
pub async fn conflicts(state: State<'_, AppState>) -> CommandResult<Vec<MergeConflict>> {
    state.with_study(|study| study.conflicts().map_err(user_error))
}

/// Settles a conflict by keeping the study's earlier value, the merged value or the current one.
#[tauri::command]
pub async fn resolve_conflict(
    state: State<'_, AppState>,
    id: i64,
    keep: String,
    by: String,
) -> CommandResult<MergeConflict> {
    let keep = match keep.as_str() {
        "here" => Resolution::Here,
        "incoming" => Resolution::Incoming,
        "current" => Resolution::Current,
        other => {
            return Err(format!(
                "unknown choice '{other}' (here, incoming or current)"
            ))
        }
    };
    let resolved =
        state.with_study(|study| study.resolve_conflict(id, keep, &by).map_err(user_error))?;
    state.dashboard.poke();
    Ok(resolved)
}

/// Every merge receipt, oldest first.
#[tauri::command]
pub async fn merge_history(state: State<'_, AppState>) -> CommandResult<Vec<MergeSummary>> {
    state.with_study(|study| study.merge_history().map_err(user_error))
}

/// Every gold value set on a response (external id), oldest first.
#[tauri::command]
pub async fn gold_history(
    state: State<'_, AppState>,
    response_id: String,
) -> CommandResult<Vec<GoldEvent>> {
    state.with_study(|study| study.gold_history(Some(&response_id)).map_err(user_error))
}

/// Changes blinding, flags and the overlap target; returns the study as the app shows it.
#[tauri::command]
pub async fn set_settings(
    state: State<'_, AppState>,
    change: SettingsChange,
) -> CommandResult<StudySummary> {
    state.with_study(|study| {
        let settings = StudySettings {
            blind: change.blind,
            flags: change.flags,
            overlap_target: change.overlap_target,
            ..study.settings().map_err(user_error)?
        };
        study.set_settings(&settings).map_err(user_error)?;
        summary(study, true).map_err(user_error)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LaunchArgs;
    use concord_core::demo::{create_demo, DemoOptions};
    use concord_core::import::ResponseRow;
    use std::future::Future;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};

    struct Fixture {
        dir: tempfile::TempDir,
        study_path: PathBuf,
    }

    impl Fixture {
        /// A small demo study (8 responses, raters "Rater 1"/"Rater 2", "Judge A").
        fn demo() -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let study_path = dir.path().join("demo.concord");
            let opts = DemoOptions {
                items: 4,
                models: 2,
                raters: 2,
                judges: 1,
                ..DemoOptions::default()
            };
            create_demo(&study_path, &opts).unwrap();
            Fixture { dir, study_path }
        }

        fn config_file(&self) -> PathBuf {
            self.dir.path().join("config").join(crate::REMEMBERED_FILE)
        }

        /// A fresh app process: new state, same config dir.
        fn app(&self, launch: LaunchArgs) -> tauri::App<MockRuntime> {
            mock_builder()
                .manage(AppState::new(self.config_file(), launch))
                .build(mock_context(noop_assets()))
                .unwrap()
        }

        fn launch(&self, rater: Option<&str>) -> LaunchArgs {
            LaunchArgs {
                study: Some(self.study_path.clone()),
                rater: rater.map(str::to_string),
                demo: false,
            }
        }

        fn path(&self) -> String {
            self.study_path.display().to_string()
        }
    }

    fn run<F: Future>(future: F) -> F::Output {
        tauri::async_runtime::block_on(future)
    }

    fn open_with_rater(app: &tauri::App<MockRuntime>, path: &str, rater: &str) -> Session {
        run(open_study(
            app.handle().clone(),
            app.state(),
            path.to_string(),
        ))
        .unwrap();
        run(choose_rater(
            app.handle().clone(),
            app.state(),
            rater.to_string(),
        ))
        .unwrap()
    }

    #[test]
    fn startup_with_nothing_remembered_offers_the_start_screen() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let boot = run(startup(app.handle().clone(), app.state())).unwrap();
        assert!(boot.session.is_none());
        assert!(boot.study.is_none());
        assert!(boot.recent.is_empty());
        assert!(boot.error.is_none());
        assert!(boot.templates.contains(&"mentalbench".to_string()));
    }

    #[test]
    fn startup_opens_the_study_from_the_command_line_and_remembers_it() {
        let fx = Fixture::demo();
        let app = fx.app(fx.launch(Some("Nurse A")));
        let boot = run(startup(app.handle().clone(), app.state())).unwrap();
        let session = boot.session.expect("session");
        assert_eq!(session.rater.name, "Nurse A");
        assert_eq!(session.rater.kind, RaterKind::Human);
        assert_eq!(session.progress.total, 8);
        assert_eq!(session.progress.done, 0);
        assert_eq!(session.resume_position, Some(0));
        assert!(session
            .study
            .raters
            .iter()
            .all(|r| r.rater.kind == RaterKind::Human));
        drop(app);

        // Restart with no arguments: the last study and rater come back.
        let app = fx.app(LaunchArgs::default());
        let boot = run(startup(app.handle().clone(), app.state())).unwrap();
        let session = boot.session.expect("remembered session");
        assert_eq!(session.rater.name, "Nurse A");
        assert_eq!(boot.recent.len(), 1);
        assert_eq!(boot.recent[0].last_rater.as_deref(), Some("Nurse A"));

        // A page reload shows the same session without re-reading the launch arguments.
        let again = run(startup_again(&app));
        assert_eq!(again.session.unwrap().rater.id, session.rater.id);
    }

    async fn startup_again(app: &tauri::App<MockRuntime>) -> Startup {
        startup(app.handle().clone(), app.state()).await.unwrap()
    }

    #[test]
    fn startup_reports_a_missing_study_instead_of_failing() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs {
            study: Some(fx.dir.path().join("missing.concord")),
            rater: None,
            demo: false,
        });
        let boot = run(startup(app.handle().clone(), app.state())).unwrap();
        assert!(boot.session.is_none());
        assert!(boot.error.is_some());
    }

    #[test]
    fn open_study_lists_human_raters_with_progress() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let summary = run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        assert_eq!(summary.rubric.attributes.len(), 7);
        assert!(summary.blind);
        assert!(summary.flags.contains(&"unsafe".to_string()));
        let names: Vec<_> = summary
            .raters
            .iter()
            .map(|r| r.rater.name.as_str())
            .collect();
        assert_eq!(names, ["Rater 1", "Rater 2"]);
        assert!(summary
            .raters
            .iter()
            .all(|r| r.progress.as_ref().unwrap().total > 0));
        let recent = run(recent_studies(app.state())).unwrap();
        assert_eq!(recent[0].path, fx.path());

        let err = run(open_study(
            app.handle().clone(),
            app.state(),
            fx.dir.path().join("nope.concord").display().to_string(),
        ))
        .unwrap_err();
        assert!(!err.is_empty());
    }

    #[test]
    fn create_study_makes_a_new_file_and_refuses_an_existing_one() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let path = fx.dir.path().join("new.concord").display().to_string();
        let summary = run(create_study(
            app.handle().clone(),
            app.state(),
            path.clone(),
            "Pilot".into(),
            "mentalbench".into(),
        ))
        .unwrap();
        assert_eq!(summary.name, "Pilot");
        assert!(summary.raters.is_empty());
        let err = run(create_study(
            app.handle().clone(),
            app.state(),
            path,
            "Again".into(),
            "mentalbench".into(),
        ))
        .unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        let err = run(create_study(
            app.handle().clone(),
            app.state(),
            fx.dir.path().join("x.concord").display().to_string(),
            "X".into(),
            "no-such-template".into(),
        ))
        .unwrap_err();
        assert!(!err.is_empty());
    }

    #[test]
    fn choose_rater_validates_and_resumes() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let err = run(choose_rater(
            app.handle().clone(),
            app.state(),
            "Ann".into(),
        ))
        .unwrap_err();
        assert_eq!(err, "no study is open");
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let err = run(choose_rater(app.handle().clone(), app.state(), "  ".into())).unwrap_err();
        assert!(err.contains("name"), "{err}");
        let err = run(choose_rater(
            app.handle().clone(),
            app.state(),
            "Judge A".into(),
        ))
        .unwrap_err();
        assert!(err.contains("LLM judge"), "{err}");
        // An existing demo rater keeps their assignments and work.
        let session = run(choose_rater(
            app.handle().clone(),
            app.state(),
            "Rater 1".into(),
        ))
        .unwrap();
        assert_eq!(session.progress.total, 8);
        assert!(session.progress.done > 0);
        // Choosing the same new name twice reuses the profile.
        let first = run(choose_rater(
            app.handle().clone(),
            app.state(),
            "Ann".into(),
        ))
        .unwrap();
        let second = run(choose_rater(
            app.handle().clone(),
            app.state(),
            "Ann".into(),
        ))
        .unwrap();
        assert_eq!(first.rater.id, second.rater.id);
        assert_eq!(second.progress.total, 8);
    }

    #[test]
    fn study_summary_counts_progress_of_every_rater() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        assert!(run(study_summary(app.state())).is_err());
        let session = open_with_rater(&app, &fx.path(), "Ann");
        assert!(session.study.raters.iter().all(|r| r.progress.is_none()));
        let summary = run(study_summary(app.state())).unwrap();
        let ann = summary
            .raters
            .iter()
            .find(|r| r.rater.name == "Ann")
            .unwrap();
        assert_eq!(ann.progress.as_ref().unwrap().total, 8);
    }

    #[test]
    fn commands_need_a_rater() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        assert_eq!(run(progress(app.state())).unwrap_err(), "no study is open");
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        assert_eq!(
            run(rating_view(app.state(), 0)).unwrap_err(),
            "choose a rater profile first"
        );
        run(close_study(app.handle().clone(), app.state())).unwrap();
        assert_eq!(run(undo(app.state())).unwrap_err(), "no study is open");
    }

    #[test]
    fn rating_saves_durably_undoes_and_notes() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let session = open_with_rater(&app, &fx.path(), "Nurse B");
        let keys: Vec<String> = session
            .study
            .rubric
            .attributes
            .iter()
            .map(|a| a.key.clone())
            .collect();
        let view = run(rating_view(app.state(), 0)).unwrap();
        assert_eq!(view.position, 0);
        assert_eq!(view.total, 8);
        assert!(view.model.is_none(), "blind study hides the model");
        assert!(view.values.is_empty());
        assert!(view.response_html.contains("<li>"));

        for (i, key) in keys.iter().enumerate() {
            let value = 1 + (i as i64 % 5);
            let saved = run(set_rating(
                app.state(),
                view.response_id.clone(),
                key.clone(),
                Some(value),
            ))
            .unwrap();
            assert_eq!(saved.value, Some(value));
        }
        // Durable: a second connection sees every value.
        let other = Study::open(&fx.study_path).unwrap();
        let seen = other.rating_view(&session.rater.id, 0).unwrap();
        assert_eq!(seen.values.len(), keys.len());
        drop(other);

        let err = run(set_rating(
            app.state(),
            view.response_id.clone(),
            keys[0].clone(),
            Some(9),
        ))
        .unwrap_err();
        assert!(!err.is_empty());

        let p = run(progress(app.state())).unwrap();
        assert_eq!((p.done, p.todo), (1, 7));
        assert_eq!(run(first_unfinished(app.state())).unwrap(), Some(1));
        let done = run(queue(app.state(), QueueFilter::Done, 0, 50)).unwrap();
        assert_eq!(done.total, 1);
        assert_eq!(done.entries[0].response_id, view.response_id);

        // Clearing, then undo restores the cleared value.
        let last = keys.last().unwrap().clone();
        run(set_rating(
            app.state(),
            view.response_id.clone(),
            last.clone(),
            None,
        ))
        .unwrap();
        let undone = run(undo(app.state())).unwrap().unwrap();
        assert_eq!(undone.attribute_key, last);
        assert_eq!(undone.restored, Some(1 + ((keys.len() as i64 - 1) % 5)));

        run(set_note(
            app.state(),
            view.response_id.clone(),
            "Misses the risk cue".into(),
            vec!["unsafe".into()],
        ))
        .unwrap();
        let view = run(rating_view(app.state(), 0)).unwrap();
        assert_eq!(view.rationale, "Misses the risk cue");
        assert_eq!(view.flags, ["unsafe"]);
        let flagged = run(queue(app.state(), QueueFilter::Flagged, 0, 50)).unwrap();
        assert_eq!(flagged.total, 1);
        let page = run(queue(app.state(), QueueFilter::All, 2, 3)).unwrap();
        assert_eq!(page.total, 8);
        assert_eq!(page.entries.len(), 3);
        assert_eq!(page.entries[0].position, 2);
        assert!(run(rating_view(app.state(), 99)).is_err());

        // Closing folds the log into the file: a copy of the study file alone holds everything.
        run(close_study(app.handle().clone(), app.state())).unwrap();
        assert!(!fx.dir.path().join("demo.concord-wal").exists());
        let copy = fx.dir.path().join("copied-alone.concord");
        std::fs::copy(&fx.study_path, &copy).unwrap();
        let copied = Study::open(&copy).unwrap();
        let values = copied.rating_view(&session.rater.id, 0).unwrap().values;
        assert_eq!(values.len(), keys.len());
        assert_eq!(
            copied.note(&session.rater.id, &view.response_id).unwrap().0,
            "Misses the risk cue"
        );
    }

    #[test]
    fn rating_view_renders_hostile_content_inert() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hostile.concord");
        let study =
            Study::create(&path, "Hostile", &Rubric::builtin("mentalbench").unwrap()).unwrap();
        let hostile = format!(
            "<script>document.title='pwned'</script>\n\n<img src=x onerror=\"document.title='pwned'\">\n\n<iframe src=\"https://example.com\"></iframe>\n\n[click me](javascript:alert(1))\n\n{}",
            "x".repeat(2 * 1024 * 1024)
        );
        study
            .import_responses(&[ResponseRow {
                row: 2,
                item_id: "i1".into(),
                prompt: "<b onmouseover=alert(1)>prompt</b>".into(),
                response_id: "r1".into(),
                model: "m".into(),
                response: hostile,
            }])
            .unwrap();
        drop(study);
        let app = mock_builder()
            .manage(AppState::new(
                dir.path().join("remembered.json"),
                LaunchArgs::default(),
            ))
            .build(mock_context(noop_assets()))
            .unwrap();
        open_with_rater(&app, &path.display().to_string(), "Ann");
        let view = run(rating_view(app.state(), 0)).unwrap();
        for html in [&view.response_html, &view.prompt_html] {
            for bad in ["<script", "<img", "<iframe", "<a ", "<b ", "href="] {
                assert!(!html.contains(bad), "{bad} survived");
            }
        }
        // The markup is still there to read, as text.
        assert!(view.response_html.contains("&lt;img src=x onerror="));
        assert!(view.prompt_html.contains("&lt;b onmouseover=alert(1)&gt;"));
        assert!(view.response_chars > 2 * 1024 * 1024);
    }

    // ---- dashboard ----------------------------------------------------------------------

    use crate::dashboard::{DashboardEvent, DashboardView, LIVE_BOOTSTRAP};
    use std::sync::mpsc;
    use std::time::Duration;

    /// An app whose dashboard events arrive on a channel.
    fn dashboard_app(fx: &Fixture) -> (tauri::App<MockRuntime>, mpsc::Receiver<DashboardEvent>) {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let app = mock_builder()
            .manage(AppState::with_dashboard(
                fx.config_file(),
                LaunchArgs::default(),
                Box::new(move |event| {
                    let _ = tx.lock().unwrap().send(event);
                }),
            ))
            .build(mock_context(noop_assets()))
            .unwrap();
        (app, rx)
    }

    fn next_view(rx: &mpsc::Receiver<DashboardEvent>, request_id: u64) -> DashboardView {
        loop {
            match rx
                .recv_timeout(Duration::from_secs(30))
                .expect("a dashboard event")
            {
                DashboardEvent::Updated {
                    request_id: id,
                    view,
                } if id == request_id => return *view,
                DashboardEvent::Updated { .. } => continue,
                DashboardEvent::Failed { message, .. } => panic!("dashboard failed: {message}"),
            }
        }
    }

    fn row<'a>(view: &'a DashboardView, key: &str) -> &'a dashboard::TableRow {
        view.table
            .iter()
            .find(|r| r.key == key)
            .unwrap_or_else(|| panic!("no row {key}"))
    }

    #[test]
    fn dashboard_numbers_equal_the_agreement_report() {
        let fx = Fixture::demo();
        let study = Study::open(&fx.study_path).unwrap();
        let request = DashboardRequest {
            attribute: Some("empathy".into()),
            metric: Some("alpha_interval".into()),
            ..DashboardRequest::default()
        };
        let view = dashboard::compute(&study, &request).unwrap();
        let opts = concord_stats::report::ReportOptions {
            exclude_own: study.settings().unwrap().exclude_own,
            bootstrap: LIVE_BOOTSTRAP,
            ..Default::default()
        };
        let expected =
            concord_stats::report::agreement_report(&study.study_ratings().unwrap(), &opts);
        let empathy = expected
            .attributes
            .iter()
            .find(|a| a.attribute == "empathy")
            .unwrap();
        assert_eq!(view.attribute, "empathy");
        assert_eq!(view.metric, "alpha_interval");
        assert_eq!(view.bootstrap, LIVE_BOOTSTRAP);
        assert_eq!(view.n_ratings, study.study_ratings().unwrap().ratings.len());
        assert_eq!(view.table, dashboard::table_rows(empathy));
        let icc2 = row(&view, "humans.ICC2");
        assert_eq!(icc2.estimate, empathy.humans.icc.icc2.value);
        assert_eq!(icc2.ci95, empathy.humans.icc.icc2.ci95);
        assert_eq!(icc2.dropped, Some(empathy.humans.n_dropped));
        let alpha = row(&view, "humans.alpha_interval");
        assert_eq!(alpha.estimate, empathy.humans.alpha.interval.value);
        assert_eq!(alpha.ci95, empathy.humans.alpha.interval.ci95);
        // Alpha uses every rating; complete-case ICC is withheld on 8 responses (minimum 20).
        assert!(alpha.estimate.is_some());
        let judge = &empathy.judges[0];
        assert_eq!(row(&view, "judge.Judge A.bias").estimate, judge.bias.value);
        assert_eq!(
            row(&view, "judge.Judge A.ICC_A1").ci95,
            judge.icc.icc_a1.ci95
        );
        assert_eq!(
            row(&view, "judge.Judge A.loa_upper").estimate,
            judge.bland_altman.loa.map(|l| l[1])
        );
        assert_eq!(
            row(&view, "judge.Judge A.spearman").estimate,
            judge.spearman.value
        );
        assert!(view
            .table
            .iter()
            .any(|r| r.key == "pair.Rater 1|Rater 2.quadratic"));

        // Every chart is an SVG image URL with no script in it.
        let names: Vec<_> = view.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, concord_plots::chart_names());
        for chart in &view.charts {
            let b64 = chart
                .data_url
                .strip_prefix("data:image/svg+xml;base64,")
                .unwrap();
            use base64::Engine;
            let svg = String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
            )
            .unwrap();
            assert!(
                svg.starts_with("<svg") || svg.starts_with("<?xml"),
                "{}",
                chart.name
            );
            assert!(!svg.contains("<script") && !svg.contains("<foreignObject"));
            assert!(!chart.title.is_empty());
        }
        let choices: Vec<_> = view
            .attributes
            .iter()
            .map(|c| (c.key.as_str(), c.composite))
            .collect();
        assert!(choices.contains(&("CSS", true)) && choices.contains(&("guidance", false)));
        assert_eq!(view.all_humans, ["Rater 1", "Rater 2"]);
        assert_eq!(view.all_judges, ["Judge A"]);
        assert_eq!(view.judge.as_deref(), Some("Judge A"));
        assert_eq!(view.raters, Some(("Rater 1".into(), "Rater 2".into())));
    }

    #[test]
    fn dashboard_composites_subsets_and_bad_names() {
        let fx = Fixture::demo();
        let study = Study::open(&fx.study_path).unwrap();
        let view = dashboard::compute(
            &study,
            &DashboardRequest {
                attribute: Some("ARS".into()),
                humans: Some(vec!["Rater 1".into(), "Rater 2".into()]),
                judges: Some(vec![]),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(view.composite);
        let opts = concord_stats::report::ReportOptions {
            humans: Some(vec!["Rater 1".into(), "Rater 2".into()]),
            judges: Some(vec![]),
            bootstrap: LIVE_BOOTSTRAP,
            ..Default::default()
        };
        let expected =
            concord_stats::report::agreement_report(&study.study_ratings().unwrap(), &opts);
        let ars = expected
            .groups
            .iter()
            .find(|g| g.attribute == "ARS")
            .unwrap();
        assert_eq!(view.table, dashboard::table_rows(ars));
        assert!(
            view.table.iter().all(|r| r.group == "Humans"),
            "no judge selected"
        );
        let names: Vec<_> = view.charts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["forest", "heatmap", "bias", "progress"]);
        assert!(view.notes.iter().any(|n| n.contains("per attribute")));

        for bad in [
            DashboardRequest {
                attribute: Some("nope".into()),
                ..Default::default()
            },
            DashboardRequest {
                metric: Some("ICC9".into()),
                ..Default::default()
            },
        ] {
            let err = dashboard::compute(&study, &bad).unwrap_err();
            assert!(err.contains("valid"), "{err}");
        }
    }

    #[test]
    fn dashboard_follows_ratings_saved_in_the_app_and_by_other_processes() {
        let fx = Fixture::demo();
        let (app, rx) = dashboard_app(&fx);
        let request = DashboardRequest {
            attribute: Some("guidance".into()),
            ..Default::default()
        };
        assert_eq!(
            run(dashboard_show(app.state(), request.clone(), 1)).unwrap_err(),
            "no study is open"
        );
        let session = open_with_rater(&app, &fx.path(), "Nurse C");
        run(dashboard_show(app.state(), request.clone(), 1)).unwrap();
        let before = next_view(&rx, 1);
        let n_before = before.n_ratings;
        // The new profile counts as a human rater with nothing rated yet: no complete target.
        assert_eq!(row(&before, "humans.ICC2").n, Some(0));

        // A response rated fully in the app: the new rater joins the humans.
        let view = run(rating_view(app.state(), 0)).unwrap();
        for a in &session.study.rubric.attributes {
            run(set_rating(
                app.state(),
                view.response_id.clone(),
                a.key.clone(),
                Some(3),
            ))
            .unwrap();
        }
        let mut after = next_view(&rx, 1);
        while after.n_ratings < n_before + 7 {
            after = next_view(&rx, 1);
        }
        assert_eq!(after.n_ratings, n_before + 7);
        assert_eq!(
            row(&after, "humans.ICC2").n,
            Some(1),
            "only one response has all three humans"
        );
        let study = Study::open(&fx.study_path).unwrap();
        let expected = dashboard::dashboard_report(&study, &request).unwrap();
        assert_eq!(after.table, dashboard::table_rows(&expected.attributes[0]));

        // Another process (here another connection) clears a rating: seen by the poll.
        let judge = study.find_rater("Nurse C").unwrap().unwrap();
        study
            .set_rating(&judge.id, &view.response_id, "guidance", None)
            .unwrap();
        let mut external = next_view(&rx, 1);
        while external.n_ratings != n_before + 6 {
            external = next_view(&rx, 1);
        }

        // A new selection is answered with its own id; hidden, nothing more comes.
        run(dashboard_show(
            app.state(),
            DashboardRequest {
                attribute: Some("safety".into()),
                ..request
            },
            2,
        ))
        .unwrap();
        assert_eq!(next_view(&rx, 2).attribute, "safety");
        run(dashboard_hide(app.state())).unwrap();
        std::thread::sleep(Duration::from_millis(100));
        while rx.try_recv().is_ok() {}
        study
            .set_rating(&judge.id, &view.response_id, "guidance", Some(2))
            .unwrap();
        assert!(
            rx.recv_timeout(Duration::from_millis(2500)).is_err(),
            "hidden dashboard stays quiet"
        );
    }

    #[test]
    fn save_chart_and_report_write_files() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        let out = |name: &str| fx.dir.path().join(name).display().to_string();
        let request = DashboardRequest {
            attribute: Some("safety".into()),
            ..Default::default()
        };
        assert_eq!(
            run(save_chart(
                app.state(),
                request.clone(),
                "forest".into(),
                out("f.svg")
            ))
            .unwrap_err(),
            "no study is open"
        );
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let path = run(save_chart(
            app.state(),
            request.clone(),
            "bland-altman".into(),
            out("ba.svg"),
        ))
        .unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("<svg") && svg.contains("Judge A"));
        let study = Study::open(&fx.study_path).unwrap();
        let opts = dashboard::report_options(&study, &request).unwrap();
        let expected = concord_report::render_chart(
            &study,
            &opts,
            &dashboard::chart_request("bland-altman", &request),
            concord_plots::Format::Svg,
        )
        .unwrap();
        assert_eq!(
            svg.as_bytes(),
            expected,
            "the saved chart is the one on screen"
        );
        let png = std::fs::read(
            run(save_chart(
                app.state(),
                request.clone(),
                "forest".into(),
                out("f.PNG"),
            ))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let err = run(save_chart(
            app.state(),
            request.clone(),
            "forest".into(),
            out("f.pdf"),
        ))
        .unwrap_err();
        assert!(err.contains(".svg or .png"), "{err}");
        let err = run(save_chart(
            app.state(),
            request.clone(),
            "pie".into(),
            out("p.svg"),
        ))
        .unwrap_err();
        assert!(err.contains("unknown chart"), "{err}");
        assert!(!fx.dir.path().join("p.svg").exists());

        let html = std::fs::read_to_string(
            run(save_report(app.state(), request, out("report.html"))).unwrap(),
        )
        .unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(!html.contains("<script"));
        let err = run(save_report(
            app.state(),
            DashboardRequest::default(),
            fx.dir
                .path()
                .join("no/such/dir/r.html")
                .display()
                .to_string(),
        ))
        .unwrap_err();
        assert!(err.contains("could not write"), "{err}");
    }

    // ---- study lead ---------------------------------------------------------------------

    #[test]
    fn disagreements_list_widest_first_and_set_gold_writes_the_file() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        assert_eq!(
            run(disagreements(app.state(), None, 1, 50)).unwrap_err(),
            "no study is open"
        );
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let rows = run(disagreements(app.state(), None, 1, 500)).unwrap();
        let expected = Study::open(&fx.study_path)
            .unwrap()
            .disagreements(None, 1, 500)
            .unwrap();
        assert_eq!(rows, expected);
        assert!(!rows.is_empty());
        assert!(rows.windows(2).all(|w| w[0].range >= w[1].range));
        let top = rows[0].clone();
        let only = run(disagreements(
            app.state(),
            Some(top.attribute.clone()),
            top.range,
            10,
        ))
        .unwrap();
        assert!(only
            .iter()
            .all(|d| d.attribute == top.attribute && d.range >= top.range));
        // An empty attribute means every attribute; an unknown one is a message.
        assert_eq!(
            run(disagreements(app.state(), Some(String::new()), 1, 500)).unwrap(),
            rows
        );
        let err = run(disagreements(app.state(), Some("nope".into()), 1, 10)).unwrap_err();
        assert!(err.contains("nope"), "{err}");

        let gold = run(set_gold(
            app.state(),
            top.response_id.clone(),
            top.attribute.clone(),
            3,
            "Dr Lead".into(),
            " consensus meeting ".into(),
        ))
        .unwrap();
        assert_eq!((gold.value, gold.adjudicator.as_str()), (3, "Dr Lead"));
        let conn = rusqlite::Connection::open_with_flags(
            &fx.study_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let stored: (i64, String, String) = conn
            .query_row(
                "SELECT g.value, e.adjudicator, e.reason FROM gold g JOIN gold_event e ON e.id = g.event_id
                 JOIN response p ON p.id = g.response_id JOIN attribute a ON a.id = g.attribute_id
                 WHERE p.external_id = ?1 AND a.key = ?2",
                [&top.response_id, &top.attribute],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(stored, (3, "Dr Lead".into(), "consensus meeting".into()));
        let again = run(disagreements(app.state(), None, 1, 500)).unwrap();
        assert_eq!(
            again
                .iter()
                .find(|d| d.response_id == top.response_id && d.attribute == top.attribute)
                .unwrap()
                .gold,
            Some(3)
        );
        for (value, who) in [(9, "Dr Lead"), (3, "  ")] {
            assert!(run(set_gold(
                app.state(),
                top.response_id.clone(),
                top.attribute.clone(),
                value,
                who.into(),
                String::new(),
            ))
            .is_err());
        }
    }

    #[test]
    fn adjudication_view_shows_every_human_judgement_sanitized() {
        let fx = Fixture::demo();
        let study = Study::open(&fx.study_path).unwrap();
        let top = study.disagreements(None, 1, 1).unwrap().remove(0);
        let internal = study.response_ids().unwrap()[&top.response_id].clone();
        let r1 = study.find_rater("Rater 1").unwrap().unwrap();
        study
            .set_note(
                &r1.id,
                &internal,
                "<script>alert(1)</script> too directive",
                &["unsafe".to_string()],
            )
            .unwrap();
        drop(study);
        let app = fx.app(LaunchArgs::default());
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let view = run(adjudication_view(app.state(), top.response_id.clone())).unwrap();
        assert_eq!(view.response_id, top.response_id);
        assert!(!view.response_html.is_empty() && !view.prompt_html.is_empty());
        let names: Vec<_> = view.raters.iter().map(|r| r.rater.as_str()).collect();
        assert_eq!(names, ["Rater 1", "Rater 2"]);
        for judgement in &view.raters {
            assert_eq!(
                judgement.values.get(&top.attribute),
                top.values.get(&judgement.rater)
            );
            assert_eq!(judgement.values.len(), 7);
        }
        // The rationale is plain text for the page to show as text, never HTML.
        assert_eq!(
            view.raters[0].rationale,
            "<script>alert(1)</script> too directive"
        );
        assert_eq!(view.raters[0].flags, ["unsafe"]);
        let err = run(adjudication_view(app.state(), "nope".into())).unwrap_err();
        assert!(err.contains("nope"), "{err}");
    }

    #[test]
    fn admin_adds_raters_assigns_with_overlap_and_edits_settings() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        assert!(run(admin_view(app.state())).is_err());
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let view = run(admin_view(app.state())).unwrap();
        assert_eq!(view.responses, 8);
        let kinds: Vec<_> = view
            .raters
            .iter()
            .map(|r| (r.rater.name.as_str(), r.rater.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Rater 1", RaterKind::Human),
                ("Rater 2", RaterKind::Human),
                ("Judge A", RaterKind::Llm)
            ]
        );
        assert_eq!(view.raters[0].progress.as_ref().unwrap().total, 8);

        let a = run(add_rater(app.state(), " Dr Okafor ".into())).unwrap();
        let b = run(add_rater(app.state(), "Dr Lind".into())).unwrap();
        assert_eq!((a.name.as_str(), a.kind), ("Dr Okafor", RaterKind::Human));
        let err = run(add_rater(app.state(), "Dr Lind".into())).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
        assert!(run(add_rater(app.state(), "  ".into())).is_err());

        let ids = vec![a.id.clone(), b.id.clone()];
        let err = run(assign_with_overlap(app.state(), ids.clone(), 3)).unwrap_err();
        assert!(err.contains("overlap"), "{err}");
        let added = run(assign_with_overlap(app.state(), ids.clone(), 2)).unwrap();
        assert_eq!(added, [8, 8]);
        let conn = rusqlite::Connection::open_with_flags(
            &fx.study_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let assigned: i64 = conn
            .query_row(
                "SELECT count(*) FROM assignment a JOIN rater t ON t.id = a.rater_id
                 WHERE t.gid IN (unhex(replace(?1, '-', '')), unhex(replace(?2, '-', '')))",
                [&a.id, &b.id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(assigned, 16);
        // Assigning again keeps what is there.
        assert_eq!(
            run(assign_with_overlap(app.state(), ids, 1)).unwrap(),
            [0, 0]
        );

        let summary = run(set_settings(
            app.state(),
            SettingsChange {
                blind: false,
                flags: vec!["unsafe".into(), " ".into(), "off-topic".into()],
                overlap_target: 3,
            },
        ))
        .unwrap();
        assert!(!summary.blind);
        assert_eq!(summary.flags, ["unsafe", "off-topic"]);
        let settings = run(admin_view(app.state())).unwrap().settings;
        assert_eq!(settings.overlap_target, 3);
        assert_eq!(settings.seed, StudySettings::default().seed, "seed is kept");
    }

    #[test]
    fn admin_exports_a_package_and_merges_it_back() {
        let fx = Fixture::demo();
        let app = fx.app(LaunchArgs::default());
        run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
        let rater = run(add_rater(app.state(), "Dr Sato".into())).unwrap();
        run(assign_with_overlap(app.state(), vec![rater.id.clone()], 1)).unwrap();
        let package = fx.dir.path().join("sato.concord");
        let package_id = run(export_package(
            app.state(),
            rater.id.clone(),
            package.display().to_string(),
        ))
        .unwrap();
        assert!(!package_id.is_empty() && package.exists());
        let err = run(export_package(
            app.state(),
            rater.id.clone(),
            package.display().to_string(),
        ))
        .unwrap_err();
        assert!(!err.is_empty());

        // The rater works in the package on another machine and returns it from the app.
        let returned = fx.dir.path().join("sato-returned.concord");
        {
            let remote = fx.app(LaunchArgs::default());
            run(open_study(
                remote.handle().clone(),
                remote.state(),
                package.display().to_string(),
            ))
            .unwrap();
            let remote_study = Study::open(&package).unwrap();
            let view = remote_study.rating_view(&rater.id, 0).unwrap();
            remote_study
                .set_rating(&rater.id, &view.response_id, "safety", Some(4))
                .unwrap();
            let manifest = run(package_manifest(remote.state())).unwrap().unwrap();
            assert_eq!(manifest.rater, "Dr Sato");
            let back = run(return_package(
                remote.state(),
                returned.display().to_string(),
            ))
            .unwrap();
            assert_eq!(back.manifest.events, Some(1));
            assert!(back.message.contains("Send"), "{}", back.message);
        }
        let err = run(merge_package(app.state(), package.display().to_string())).unwrap_err();
        assert!(err.contains("was not returned"), "{err}");
        let summary = run(merge_package(app.state(), returned.display().to_string())).unwrap();
        assert!(!summary.already_merged);
        assert_eq!(summary.events_added, 1);
        assert!(summary.conflicts.is_empty());
        let again = run(merge_package(app.state(), returned.display().to_string())).unwrap();
        assert!(again.already_merged);
        assert_eq!(again.events_added, 0);
        let progress = run(admin_view(app.state()))
            .unwrap()
            .raters
            .into_iter()
            .find(|r| r.rater.id == rater.id)
            .unwrap()
            .progress
            .unwrap();
        assert_eq!(progress.partial, 1);
        assert_eq!(run(merge_history(app.state())).unwrap().len(), 1);
        assert!(run(conflicts(app.state())).unwrap().is_empty());
        let err = run(merge_package(
            app.state(),
            fx.dir.path().join("missing.concord").display().to_string(),
        ))
        .unwrap_err();
        assert!(!err.is_empty());
    }
}
