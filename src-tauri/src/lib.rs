//! Concord's desktop app: Tauri commands as a thin layer over `concord-core` and
//! `concord-report`, Markdown rendered and sanitized here before the webview sees it, and the
//! live dashboard's background worker (`watcher`). No business rule lives in this crate.

pub mod commands;
pub mod error;
pub mod quit;
pub mod render;
pub mod state;
#[cfg(test)]
mod ts_types;
pub mod watcher;

use std::path::Path;

use tauri::{Emitter, Manager};

use state::{AppState, LaunchArgs, USAGE};

/// Name of the remembered-sessions file in the app config dir.
pub const REMEMBERED_FILE: &str = "remembered.json";

/// Parses the command line, prepares the demo study when asked, and runs the app.
pub fn run() {
    let launch = match LaunchArgs::parse(std::env::args().skip(1)) {
        Ok(launch) => launch,
        Err(message) => {
            eprintln!("concord-app: {message}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let (true, Some(path)) = (launch.demo, &launch.study) {
        if let Err(err) = ensure_demo(path) {
            eprintln!("concord-app: {err}");
            std::process::exit(1);
        }
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let config_dir = app
                .path()
                .app_config_dir()
                .unwrap_or_else(|_| std::env::temp_dir().join("concord-app"));
            let handle = app.handle().clone();
            let emit: watcher::Emit = Box::new(move |event| {
                if let Err(err) = handle.emit(watcher::DASHBOARD_EVENT, event) {
                    eprintln!("concord-app: could not send the dashboard: {err}");
                }
            });
            let handle = app.handle().clone();
            let inbox: watcher::InboxEmit = Box::new(move |event| {
                if let Err(err) = handle.emit(watcher::INBOX_EVENT, event) {
                    eprintln!("concord-app: could not send the inbox's news: {err}");
                }
            });
            app.manage(quit::Quitting::default());
            app.manage(AppState::with_inbox(
                config_dir.join(REMEMBERED_FILE),
                launch,
                emit,
                inbox,
            ));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::startup,
            commands::session::recent_studies,
            commands::session::open_study,
            commands::session::needs_passphrase,
            commands::session::unlock_study,
            commands::session::study_summary,
            commands::session::create_study,
            commands::session::choose_rater,
            commands::session::close_study,
            commands::rating::progress,
            commands::rating::queue,
            commands::rating::first_unfinished,
            commands::rating::rating_view,
            commands::rating::set_rating,
            commands::rating::undo,
            commands::rating::set_note,
            commands::dashboard::dashboard_show,
            commands::dashboard::dashboard_hide,
            commands::dashboard::set_alt_epsilon,
            commands::dashboard::save_chart,
            commands::dashboard::save_report,
            commands::lead::disagreements,
            commands::lead::adjudication_view,
            commands::lead::set_gold,
            commands::lead::clear_gold,
            commands::lead::admin_view,
            commands::lead::add_rater,
            commands::lead::set_rater_site,
            commands::lead::assign_with_overlap,
            commands::lead::design_progress,
            commands::lead::export_package,
            commands::lead::merge_package,
            commands::lead::return_package,
            commands::lead::package_manifest,
            commands::lead::conflicts,
            commands::lead::resolve_conflict,
            commands::lead::merge_history,
            commands::lead::gold_history,
            commands::lead::set_settings,
            commands::lead::inbox_view,
            commands::lead::set_inbox,
            commands::lead::push_next,
            quit::ready_to_quit,
        ])
        .build(tauri::generate_context!());
    let app = match result {
        Ok(app) => app,
        Err(err) => {
            eprintln!("concord-app: {err}");
            std::process::exit(1);
        }
    };
    quit::on_signals(app.handle().clone());
    app.run(|handle, event| match event {
        // A window close asks the page to save what it holds first (see `quit`).
        tauri::RunEvent::WindowEvent {
            event: tauri::WindowEvent::CloseRequested { api, .. },
            ..
        } => {
            api.prevent_close();
            quit::request(handle);
        }
        // However the app ends, the study is checkpointed and closed, so the study file alone
        // holds every saved rating.
        tauri::RunEvent::Exit => quit::close_study(handle),
        _ => {}
    });
}

/// Creates the demo study at `path` unless a file is already there.
fn ensure_demo(path: &Path) -> Result<(), concord_core::Error> {
    if path.exists() {
        return Ok(());
    }
    eprintln!("concord-app: creating the demo study {}", path.display());
    concord_core::demo::create_demo(path, &concord_core::demo::DemoOptions::default())?;
    Ok(())
}
