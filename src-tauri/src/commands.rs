//! Tauri commands: parse arguments, call `concord-core`, map errors to one-line messages.
//! No business rule lives here; the rater is taken from the app state, never from the page.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use concord_core::{
    Progress, QueueFilter, QueuePage, Rater, RaterKind, Rubric, Study, UndoneChange,
};
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

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
    *state.open() = None;
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
    Ok(SavedRating {
        response_id: event.response_id,
        attribute_key: event.attribute_key,
        value: event.value,
    })
}

/// Reverts the rater's most recent value change.
#[tauri::command]
pub async fn undo(state: State<'_, AppState>) -> CommandResult<Option<UndoneChange>> {
    with_rater(&state, |study, rater| study.undo(&rater.id))
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
}
