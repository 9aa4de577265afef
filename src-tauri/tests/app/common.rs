//! What every test of the app shares: a small demo study, a fresh app process over it, and
//! the dashboard's event channel.

use std::future::Future;

pub use std::path::PathBuf;
pub use std::sync::mpsc;
pub use std::time::Duration;

pub use concord_app::commands::{dashboard::*, lead::*, rating::*, session::*};
pub use concord_app::state::{AppState, LaunchArgs};
pub use concord_app::watcher::DashboardEvent;
pub use concord_core::assignment::Strata;
pub use concord_core::demo::{create_demo, DemoOptions};
pub use concord_core::import::ResponseRow;
pub use concord_core::{QueueFilter, RaterKind, Rubric, Study, StudySettings};
pub use concord_report::{
    table_rows, Analysis, DashboardRequest, DashboardView, TableRow, LIVE_BOOTSTRAP,
};
pub use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
pub use tauri::Manager;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub study_path: PathBuf,
}

impl Fixture {
    /// A small demo study (8 responses, raters "Rater 1"/"Rater 2", "Judge A").
    pub fn demo() -> Fixture {
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

    pub fn config_file(&self) -> PathBuf {
        self.dir
            .path()
            .join("config")
            .join(concord_app::REMEMBERED_FILE)
    }

    /// A fresh app process: new state, same config dir.
    pub fn app(&self, launch: LaunchArgs) -> tauri::App<MockRuntime> {
        mock_builder()
            .manage(AppState::new(self.config_file(), launch))
            .build(mock_context(noop_assets()))
            .unwrap()
    }

    pub fn launch(&self, rater: Option<&str>) -> LaunchArgs {
        LaunchArgs {
            study: Some(self.study_path.clone()),
            rater: rater.map(str::to_string),
            demo: false,
        }
    }

    pub fn path(&self) -> String {
        self.study_path.display().to_string()
    }
}

pub fn run<F: Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(future)
}

/// Adds the human rater `name` with every response assigned, as the lead does in Admin (the
/// rating path never creates raters); nothing when the study has them already.
pub fn lead_adds_rater(path: &std::path::Path, name: &str) {
    let study = Study::open(path).unwrap();
    if study.find_rater(name).unwrap().is_none() {
        let rater = study.add_rater(name, RaterKind::Human, None).unwrap();
        study.assign_all(&rater.id).unwrap();
    }
}

/// Opens `path` and chooses `rater` (added by the lead first if new).
pub fn open_with_rater(app: &tauri::App<MockRuntime>, path: &str, rater: &str) -> Session {
    lead_adds_rater(std::path::Path::new(path), rater);
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

/// An app whose dashboard events arrive on a channel.
pub fn dashboard_app(fx: &Fixture) -> (tauri::App<MockRuntime>, mpsc::Receiver<DashboardEvent>) {
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

pub fn next_view(rx: &mpsc::Receiver<DashboardEvent>, request_id: u64) -> DashboardView {
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

pub fn row<'a>(view: &'a DashboardView, key: &str) -> &'a TableRow {
    view.table
        .iter()
        .find(|r| r.key == key)
        .unwrap_or_else(|| panic!("no row {key}"))
}
