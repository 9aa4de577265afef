//! Ending the app without losing anything: a window close, Ctrl+Q or a quit signal (SIGTERM at
//! logout, SIGINT, SIGHUP) first asks the page to save what it still holds (a rationale being
//! typed), waits for its answer (at most `FLUSH_TIMEOUT`), then exits; on exit the study is
//! checkpointed and closed, so the study file alone holds every saved rating.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::state::AppState;

/// Event sent to the page: save pending edits, then call `ready_to_quit`.
pub const QUIT_EVENT: &str = "quit-requested";

/// How long the page gets to save pending edits.
const FLUSH_TIMEOUT: Duration = Duration::from_millis(2000);

/// Whether a quit is under way, and the page's "saved, go ahead".
#[derive(Default)]
pub struct Quitting {
    started: AtomicBool,
    flushed: Mutex<bool>,
    wake: Condvar,
}

/// Asks the page to save, waits for it (or the timeout) on a background thread, then exits.
pub fn request<R: Runtime>(handle: &AppHandle<R>) {
    let Some(quitting) = handle.try_state::<Quitting>() else {
        handle.exit(0);
        return;
    };
    if quitting.started.swap(true, Ordering::SeqCst) {
        return;
    }
    let handle = handle.clone();
    std::thread::spawn(move || {
        if handle.emit(QUIT_EVENT, ()).is_ok() {
            let quitting = handle.state::<Quitting>();
            let guard = quitting.flushed.lock().unwrap_or_else(|p| p.into_inner());
            let _ = quitting
                .wake
                .wait_timeout_while(guard, FLUSH_TIMEOUT, |flushed| !*flushed);
        }
        handle.exit(0);
    });
}

/// The page has saved everything it held; the app may close.
#[tauri::command]
pub fn ready_to_quit(quitting: tauri::State<'_, Quitting>) {
    *quitting.flushed.lock().unwrap_or_else(|p| p.into_inner()) = true;
    quitting.wake.notify_all();
}

/// Closes the open study, checkpointed (called once the app exits).
pub fn close_study<R: Runtime>(handle: &AppHandle<R>) {
    if let Some(state) = handle.try_state::<AppState>() {
        if let Err(err) = state.close_study() {
            eprintln!("concord-app: {err}");
        }
    }
}

/// SIGTERM (logout, shutdown), SIGINT and SIGHUP quit through [`request`] instead of killing
/// the app with the study open.
pub fn on_signals<R: Runtime>(handle: AppHandle<R>) {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    match signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                for _ in signals.forever() {
                    request(&handle);
                }
            });
        }
        Err(err) => eprintln!("concord-app: cannot watch for quit signals: {err}"),
    }
}
