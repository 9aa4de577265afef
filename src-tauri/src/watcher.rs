//! The live dashboard's background worker: one thread per app that, while the dashboard is
//! shown, watches the study file and recomputes the dashboard, then hands the result to the
//! page as an event. It only threads, polls, coalesces and emits; what the dashboard shows is
//! `concord_report::DashboardView`.
//!
//! Why a worker and not a command per redraw: the study changes from three places (a rating
//! saved in this app, another process such as `concord rate`, a `concord merge`), and the
//! page cannot see the last two. `PRAGMA data_version` on the worker's own query-only
//! connection (`concord_core::schema::open_watch`) changes after a commit by *any* other
//! connection, in this process or another, so one cheap poll (once a second, or at once when a
//! command pokes the worker) covers all three. Being one thread, it computes at most one
//! dashboard at a time; changes that arrive meanwhile are seen by the next poll and coalesce
//! into one more computation.
//!
//! The same thread polls the lead's inbox folder every [`INBOX_INTERVAL`] (whether or not the
//! dashboard is shown) through a [`Scan`] the app state provides, which calls
//! `concord_core::inbox::scan_once` on the study connection; a merge it makes is a commit the
//! dashboard's probe sees like any other.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use concord_core::cipher::Passphrase;
use concord_core::schema::{open_watch, Watch};
use concord_report::{
    Analysis, DashboardRequest, DashboardView, ReportCache, ReportOptions, StudySnapshot,
};
use serde::Serialize;

/// How often the worker looks for changes by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Quiet time after the last change before a recompute starts.
const SETTLE: Duration = Duration::from_millis(150);
/// Longest a recompute waits for changes to settle.
const SETTLE_MAX: Duration = Duration::from_secs(1);

/// How often the lead's inbox folder is scanned. A file is merged once it is unchanged at two
/// scans in a row, so a copy that stalls for less than this is never taken half-written.
pub const INBOX_INTERVAL: Duration = Duration::from_secs(3);

/// One scan of the open study's inbox, if it has one (and what to tell the page).
pub type Scan = Arc<dyn Fn() + Send + Sync>;

/// Name of the event that carries a [`DashboardEvent`] to the page.
pub const DASHBOARD_EVENT: &str = "dashboard";

/// What the worker sends to the page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DashboardEvent {
    Updated {
        /// The request the view answers (the page ignores answers to stale requests).
        request_id: u64,
        view: Box<DashboardView>,
    },
    Failed {
        request_id: u64,
        message: String,
    },
}

/// Sends a finished recompute to the page.
pub type Emit = Box<dyn Fn(DashboardEvent) + Send + 'static>;

/// Name of the event that carries an [`InboxEvent`] to the page.
pub const INBOX_EVENT: &str = "inbox";

/// What an inbox scan tells the page: the files it merged or rejected (the Admin screen then
/// reads the receipts again), or why the folder could not be scanned.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InboxEvent {
    pub settled: Vec<String>,
    pub error: Option<String>,
}

/// Sends an inbox scan's outcome to the page.
pub type InboxEmit = Box<dyn Fn(InboxEvent) + Send + Sync + 'static>;

/// The study the dashboard shows (with the passphrase its probe is keyed with, held in memory
/// only) and the request it answers.
#[derive(Clone)]
struct Watched {
    path: PathBuf,
    passphrase: Option<Passphrase>,
    request: DashboardRequest,
    request_id: u64,
}

#[derive(Default)]
struct Shared {
    /// The study to watch and the request to answer; `None` while the dashboard is not shown.
    watch: Option<Watched>,
    /// Set by [`DashboardWorker::poke`]: look for a change now rather than at the next tick.
    poked: bool,
    stop: bool,
}

/// Reads the snapshot the dashboard needs from the app's study connection.
///
/// Why not a second `Study::open` in this process: `Study::open` reads the file header
/// through a plain file handle, and closing that handle drops every POSIX lock this process
/// holds on the file (SQLite's "how to corrupt" §2.2). With the rating connection's shared
/// lock gone, another process closing its connection (the CLI, a merge) believes it is the
/// last one and deletes the WAL under the app, losing saved ratings for everyone else. So the
/// dashboard reads through the rating connection, holding its lock only for the read
/// (`StudySnapshot::load`, a few milliseconds), and computes everything else without it.
pub type Loader = Arc<
    dyn Fn(
            &Path,
            &DashboardRequest,
            Option<StudySnapshot>,
        ) -> Result<(StudySnapshot, ReportOptions), String>
        + Send
        + Sync,
>;

/// The background thread that keeps the shown dashboard up to date.
pub struct DashboardWorker {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl DashboardWorker {
    /// Starts the worker; `load` reads the study, `emit` receives every recompute, `scan`
    /// polls the inbox.
    pub fn start(load: Loader, emit: Emit, scan: Scan) -> DashboardWorker {
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("concord-dashboard".into())
                .spawn(move || run(&shared, &load, &emit, &scan))
                .expect("spawning the dashboard thread")
        };
        DashboardWorker {
            shared,
            thread: Some(thread),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Shows the dashboard of `path` (opened with `passphrase` when encrypted) for `request`
    /// (answered with `request_id`): recomputes now and after every change until
    /// [`DashboardWorker::hide`].
    pub fn show(
        &self,
        path: &Path,
        passphrase: Option<Passphrase>,
        request: DashboardRequest,
        request_id: u64,
    ) {
        let mut shared = self.lock();
        shared.watch = Some(Watched {
            path: path.to_path_buf(),
            passphrase,
            request,
            request_id,
        });
        shared.poked = true;
        self.shared.1.notify_all();
    }

    /// Stops watching (the dashboard is no longer shown, or the study was closed).
    pub fn hide(&self) {
        self.lock().watch = None;
        self.shared.1.notify_all();
    }

    /// Something in this app wrote to the study: look for the change now.
    pub fn poke(&self) {
        let mut shared = self.lock();
        if shared.watch.is_some() {
            shared.poked = true;
            self.shared.1.notify_all();
        }
    }
}

impl Drop for DashboardWorker {
    fn drop(&mut self) {
        self.lock().stop = true;
        self.shared.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The watch connection of `path`, with the message the page shows when it cannot be opened.
fn watch(path: &Path, passphrase: Option<&Passphrase>) -> Result<Watch, String> {
    open_watch(path, passphrase).map_err(|e| format!("cannot watch {}: {e}", path.display()))
}

fn run(shared: &(Mutex<Shared>, Condvar), load: &Loader, emit: &Emit, scan: &Scan) {
    let (lock, wake) = shared;
    let mut scanned = Instant::now();
    let mut probe: Option<(PathBuf, Watch)> = None;
    // What the last emitted view answered: (request id, data_version).
    let mut answered: Option<(u64, i64)> = None;
    // The request whose failure was last reported (reported once, retried every poll).
    let mut failed: Option<u64> = None;
    // The last snapshot loaded, refreshed by reading only what changed since.
    let mut last: Option<(PathBuf, StudySnapshot)> = None;
    // The last report's sheet analyses: a saved rating changes one attribute and its group.
    let mut reports = ReportCache::default();
    loop {
        let watched = {
            let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
            if !s.poked && !s.stop {
                s = wake
                    .wait_timeout(s, POLL_INTERVAL)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            // Let a burst of saves (a rater typing seven digits) settle before computing, so
            // the recompute does not compete with the saves for the CPU; a steady stream of
            // changes still gets a recompute at least every SETTLE_MAX.
            let settle_started = Instant::now();
            while s.poked && !s.stop && settle_started.elapsed() < SETTLE_MAX {
                s.poked = false;
                s = wake
                    .wait_timeout(s, SETTLE)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if s.stop {
                return;
            }
            s.poked = false;
            s.watch.clone()
        };
        if scanned.elapsed() >= INBOX_INTERVAL {
            scanned = Instant::now();
            scan();
        }
        let Some(Watched {
            path,
            passphrase,
            request,
            request_id,
        }) = watched
        else {
            answered = None;
            probe = None;
            continue;
        };
        let started = Instant::now();
        let outcome = (|| {
            if probe.as_ref().is_none_or(|(p, _)| *p != path) {
                probe = None;
                answered = None;
                probe = Some((path.clone(), watch(&path, passphrase.as_ref())?));
            }
            let conn = &probe.as_ref().expect("opened above").1;
            let version = conn
                .data_version()
                .map_err(|err| format!("cannot read {}: {err}", path.display()));
            let version = match version {
                Ok(v) => v,
                Err(message) => {
                    probe = None;
                    return Err(message);
                }
            };
            if answered == Some((request_id, version)) {
                return Ok(None);
            }
            let previous = last.take().filter(|(p, _)| *p == path).map(|(_, s)| s);
            let (snapshot, opts) = load(&path, &request, previous)?;
            answered = Some((request_id, version));
            let analysis = Analysis::reusing(snapshot, &opts, &mut reports);
            let view = DashboardView::build(&analysis, &request, started);
            // The snapshot is kept for the next refresh, which reads only what changed.
            last = Some((path.clone(), analysis.snapshot));
            view.map(Some).map_err(|err| err.to_string())
        })();
        let event = match outcome {
            Ok(None) => continue,
            Ok(Some(view)) => {
                failed = None;
                DashboardEvent::Updated {
                    request_id,
                    view: Box::new(view),
                }
            }
            Err(message) => {
                if failed == Some(request_id) {
                    continue;
                }
                failed = Some(request_id);
                DashboardEvent::Failed {
                    request_id,
                    message,
                }
            }
        };
        emit(event);
    }
}
