//! Start-up, opening and creating studies, choosing the rater profile.
//!
//! A rater package opens straight into its rater's session; a master opens with no rater
//! chosen, and the rater is chosen on every start (only `--rater` on the command line chooses
//! one for them), never resumed from the last run.

use std::path::{Path, PathBuf};

use concord_core::cipher::{self, Passphrase};
use concord_core::{Progress, Rater, Rubric, Study};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{summary, CommandError, CommandResult, StudySummary};
use crate::state::{AppState, LaunchArgs, OpenStudy, RecentStudy};

/// A study opened with a rater chosen: everything the rating screen needs to start.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Session {
    pub study: StudySummary,
    pub rater: Rater,
    pub progress: Progress,
    /// The first response not fully rated, where work resumes; `None` when all are done.
    pub resume_position: Option<usize>,
}

/// What the page needs when it loads.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Startup {
    pub session: Option<Session>,
    pub study: Option<StudySummary>,
    pub recent: Vec<RecentStudy>,
    pub templates: Vec<String>,
    /// Why the remembered or requested study could not be opened.
    pub error: Option<String>,
    /// The remembered or requested study when it is encrypted: the page asks for its
    /// passphrase (`unlock_study`).
    pub locked: Option<String>,
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

/// Opens `path` as the current study (closing any other), with no rater chosen yet. The
/// passphrase of an encrypted study stays in memory with the open study (its connections, the
/// dashboard's probe) and is never written anywhere.
fn open_into(
    state: &AppState,
    path: &Path,
    passphrase: Option<&Passphrase>,
    with_progress: bool,
) -> concord_core::Result<StudySummary> {
    let study = Study::open_with(path, passphrase)?;
    let summary = summary(&study, with_progress)?;
    if let Err(err) = state.close_study() {
        eprintln!("concord-app: closing the study: {err}");
    }
    *state.open() = Some(OpenStudy { study, rater: None });
    state.remember(path, &summary.name);
    Ok(summary)
}

/// Chooses the rater profile `name` in the open study (`Study::rater_profile`: an existing
/// human rater with assigned work; never created here).
fn choose_into(state: &AppState, name: &str) -> CommandResult<Session> {
    let mut guard = state.open();
    let open = guard.as_mut().ok_or(CommandError::NoStudy)?;
    let study = &open.study;
    let rater = study.rater_profile(name)?;
    let progress = study.progress(&rater.id)?;
    let resume_position = study.first_unfinished(&rater.id)?;
    let summary = summary(study, false)?;
    open.rater = Some(rater.clone());
    Ok(Session {
        study: summary,
        rater,
        progress,
        resume_position,
    })
}

/// First call of the page: reopens the study given on the command line or open last time. The
/// rater is the package's in rater mode, the command line's `--rater` if given, else chosen on
/// the start screen.
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
        (
            None,
            Some(LaunchArgs {
                study: Some(path),
                rater,
                ..
            }),
        ) => (Some(path), rater),
        (None, _) => match &remembered.last {
            Some(last) if Path::new(&last.path).exists() => (Some(PathBuf::from(&last.path)), None),
            _ => (None, None),
        },
    };
    let mut startup = Startup {
        session: None,
        study: None,
        recent: Vec::new(),
        templates,
        error: None,
        locked: None,
    };
    // A study open already keeps its passphrase; a reload of the page reuses it.
    let key = state
        .open()
        .as_ref()
        .and_then(|o| o.study.passphrase().cloned());
    if let Some(path) = target {
        // With a rater to resume, the rater list (and its progress counts) is not shown.
        match open_into(&state, &path, key.as_ref(), rater.is_none()) {
            Ok(summary) => {
                set_title(&app, &title_for(&summary.name, None));
                let rater = summary.package_rater.clone().or(rater);
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
                        Err(err) => startup.error = Some(err.to_string()),
                    }
                }
            }
            Err(concord_core::Error::PassphraseNeeded(_)) => {
                startup.locked = Some(path.display().to_string());
            }
            Err(err) => startup.error = Some(err.to_string()),
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
    let summary = open_into(&state, Path::new(&path), None, true)?;
    set_title(&app, &title_for(&summary.name, None));
    Ok(summary)
}

/// Whether the study file at `path` asks for a passphrase (it is encrypted) before it opens.
#[tauri::command]
pub async fn needs_passphrase(path: String) -> CommandResult<bool> {
    Ok(cipher::needs_passphrase(Path::new(&path))?)
}

/// Opens an encrypted study (or an encrypted rater package) with its passphrase. A wrong one is
/// refused with a clear message and the file is left as it was.
#[tauri::command]
pub async fn unlock_study<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    passphrase: String,
) -> CommandResult<StudySummary> {
    let passphrase = Passphrase::new(passphrase)?;
    let summary = open_into(&state, Path::new(&path), Some(&passphrase), true)?;
    set_title(&app, &title_for(&summary.name, None));
    Ok(summary)
}

/// The open study with every rater's current progress, for the start screen.
#[tauri::command]
pub async fn study_summary(state: State<'_, AppState>) -> CommandResult<StudySummary> {
    state.with_any_study(|study| summary(study, true))
}

/// Creates a new study file from a built-in rubric template and opens it; encrypted with
/// `passphrase` when one is given (never stored: the lead keeps it).
#[tauri::command]
pub async fn create_study<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    path: String,
    name: String,
    template: String,
    passphrase: Option<String>,
) -> CommandResult<StudySummary> {
    let rubric = Rubric::builtin(&template)?;
    let path = PathBuf::from(path);
    let passphrase = passphrase.map(Passphrase::new).transpose()?;
    let study = Study::create_with(&path, &name, &rubric, passphrase.as_ref())?;
    drop(study);
    let summary = open_into(&state, &path, passphrase.as_ref(), true)?;
    set_title(&app, &title_for(&summary.name, None));
    Ok(summary)
}

/// Chooses the rater profile that rates in the open study (the lead adds profiles).
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
