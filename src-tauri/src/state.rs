//! The app's managed state: the open study with the chosen rater, the launch arguments and the
//! small remembered-sessions file (last study, recent studies) in the app config dir. No rater
//! is remembered: on a shared computer the next clinician must not start in the previous one's
//! profile.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use concord_core::cipher::Passphrase;
use concord_core::inbox::{scan_once, InboxStatus};
use concord_core::{Rater, Study, StudyMode};
use serde::{Deserialize, Serialize};

use crate::error::{CommandError, CommandResult};
use crate::watcher::{self, DashboardWorker, Emit, InboxEmit, InboxEvent};

/// How the app was started: `concord-app [--demo] [PATH.concord] [--rater NAME]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchArgs {
    pub study: Option<PathBuf>,
    pub rater: Option<String>,
    /// Create the demo study at `study` when that file does not exist yet.
    pub demo: bool,
}

pub const USAGE: &str = "usage: concord-app [--demo] [STUDY.concord] [--rater NAME]";

impl LaunchArgs {
    /// Parses the arguments after the program name.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<LaunchArgs, String> {
        let mut parsed = LaunchArgs::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--rater" => {
                    let name = args.next().ok_or("--rater needs a name")?;
                    parsed.rater = Some(name);
                }
                "--demo" => parsed.demo = true,
                "-h" | "--help" => return Err(USAGE.to_string()),
                other if other.starts_with("--rater=") => {
                    parsed.rater = Some(other["--rater=".len()..].to_string());
                }
                other if other.starts_with('-') => return Err(format!("unknown option {other}")),
                other => {
                    if parsed.study.is_some() {
                        return Err(format!(
                            "only one study can be opened (extra argument {other})"
                        ));
                    }
                    parsed.study = Some(PathBuf::from(other));
                }
            }
        }
        if parsed.demo && parsed.study.is_none() {
            return Err("--demo needs the path of the study file to create or open".into());
        }
        Ok(parsed)
    }
}

/// The open study and, once chosen, the rater working in it.
pub struct OpenStudy {
    pub study: Study,
    pub rater: Option<Rater>,
}

/// One managed struct for everything the commands share.
pub struct AppState {
    open: Arc<Mutex<Option<OpenStudy>>>,
    launch: Mutex<Option<LaunchArgs>>,
    config_file: PathBuf,
    /// Keeps the dashboard up to date on its own connection; never takes `open`.
    pub dashboard: DashboardWorker,
}

impl AppState {
    /// State whose dashboard results go nowhere (tests of the other commands).
    pub fn new(config_file: PathBuf, launch: LaunchArgs) -> AppState {
        AppState::with_dashboard(config_file, launch, Box::new(|_| {}))
    }

    /// State whose dashboard worker hands each recompute to `emit` (the inbox's outcomes go
    /// nowhere).
    pub fn with_dashboard(config_file: PathBuf, launch: LaunchArgs, emit: Emit) -> AppState {
        AppState::with_inbox(config_file, launch, emit, Box::new(|_| {}))
    }

    /// State whose worker hands each dashboard recompute to `emit` and each inbox scan that
    /// settled a file (or failed) to `inbox`.
    pub fn with_inbox(
        config_file: PathBuf,
        launch: LaunchArgs,
        emit: Emit,
        inbox: InboxEmit,
    ) -> AppState {
        let open: Arc<Mutex<Option<OpenStudy>>> = Arc::default();
        let shared = Arc::clone(&open);
        // The dashboard reads through the rating connection (see `watcher::Loader`), holding
        // the lock only while it loads the snapshot.
        let load: watcher::Loader = Arc::new(move |path, request, previous| {
            let guard = lock_open(&shared);
            match guard.as_ref() {
                Some(open) if open.study.path() == path => request
                    .load(&open.study, previous)
                    .map_err(|e| e.to_string()),
                _ => Err("the study was closed".into()),
            }
        });
        let scan = inbox_scan(Arc::clone(&open), inbox);
        AppState {
            open,
            launch: Mutex::new(Some(launch)),
            config_file,
            dashboard: DashboardWorker::start(load, emit, scan),
        }
    }

    /// Closes the open study, if any, folding its write-ahead log into the file first so the
    /// file alone holds every saved rating.
    pub fn close_study(&self) -> CommandResult<()> {
        let open = self.open().take();
        self.dashboard.hide();
        match open {
            Some(open) => Ok(open.study.close()?),
            None => Ok(()),
        }
    }

    /// The open study; the guard is held for one command.
    pub fn open(&self) -> MutexGuard<'_, Option<OpenStudy>> {
        lock_open(&self.open)
    }

    /// Runs `f` with the open study for one of the lead's commands (adjudication, admin,
    /// dashboard): refused when the open file is a rater package (`Study::mode`).
    pub fn with_study<T, E: Into<CommandError>>(
        &self,
        f: impl FnOnce(&Study) -> Result<T, E>,
    ) -> CommandResult<T> {
        self.with_any_study(|study| {
            study.require_lead("this screen")?;
            f(study).map_err(Into::into)
        })
    }

    /// Runs `f` with the open study, whatever its mode (the study screen, returning a package).
    pub fn with_any_study<T, E: Into<CommandError>>(
        &self,
        f: impl FnOnce(&Study) -> Result<T, E>,
    ) -> CommandResult<T> {
        let guard = self.open();
        let open = guard.as_ref().ok_or(CommandError::NoStudy)?;
        f(&open.study).map_err(Into::into)
    }

    /// Path and passphrase of the open study for a lead's command that opens its own
    /// connection to the file (the dashboard's probe).
    pub fn lead_study_file(&self) -> CommandResult<(PathBuf, Option<Passphrase>)> {
        self.with_study(|study| {
            Ok::<_, CommandError>((study.path().to_path_buf(), study.passphrase().cloned()))
        })
    }

    /// Runs `f` with the open study and the chosen rater.
    pub fn with_rater<T, E: Into<CommandError>>(
        &self,
        f: impl FnOnce(&Study, &Rater) -> Result<T, E>,
    ) -> CommandResult<T> {
        let guard = self.open();
        let open = guard.as_ref().ok_or(CommandError::NoStudy)?;
        let rater = open.rater.as_ref().ok_or(CommandError::NoRater)?;
        f(&open.study, rater).map_err(Into::into)
    }

    /// The launch arguments, handed out once (a reload of the page must not reopen them).
    pub fn take_launch(&self) -> Option<LaunchArgs> {
        self.launch
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    pub fn remembered(&self) -> Remembered {
        Remembered::load(&self.config_file)
    }

    /// Records that `path` was opened; failures only cost the convenience.
    pub fn remember(&self, path: &Path, name: &str) {
        let mut remembered = self.remembered();
        remembered.note(path, name);
        if let Err(err) = remembered.save(&self.config_file) {
            eprintln!(
                "concord-app: could not save {}: {err}",
                self.config_file.display()
            );
        }
    }
}

/// The worker's inbox poll: one `scan_once` of the open master's inbox folder on the study
/// connection (so merges are serialised with the app's saves). The page hears of files settled
/// and of a failure (once, until it changes).
fn inbox_scan(open: Arc<Mutex<Option<OpenStudy>>>, emit: InboxEmit) -> watcher::Scan {
    let last_error: Mutex<Option<String>> = Mutex::new(None);
    Arc::new(move || {
        let outcome = {
            let guard = lock_open(&open);
            let Some(study) = guard.as_ref().map(|o| &o.study) else {
                return;
            };
            let folder = match study.settings() {
                Ok(s) if !s.inbox.is_empty() && study.mode() == StudyMode::Lead => s.inbox,
                _ => return,
            };
            scan_once(study, Path::new(&folder)).map_err(|e| e.to_string())
        };
        let mut last = last_error.lock().unwrap_or_else(|p| p.into_inner());
        let event = match outcome {
            Ok(entries) => InboxEvent {
                settled: entries
                    .into_iter()
                    .filter(|e| e.status != InboxStatus::Waiting)
                    .map(|e| e.file)
                    .collect(),
                error: None,
            },
            Err(message) => InboxEvent {
                settled: Vec::new(),
                error: Some(message),
            },
        };
        if !event.settled.is_empty() || event.error != *last {
            last.clone_from(&event.error);
            emit(event);
        }
    })
}

fn lock_open(open: &Mutex<Option<OpenStudy>>) -> MutexGuard<'_, Option<OpenStudy>> {
    // A panic while holding the lock leaves the study as SQLite left it (every write is its
    // own transaction), so the state is still usable.
    open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A study in the recent list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RecentStudy {
    pub path: String,
    pub name: String,
}

/// The remembered-sessions file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Remembered {
    /// The study open when the app last closed.
    pub last: Option<RecentStudy>,
    /// Most recent first.
    pub recent: Vec<RecentStudy>,
}

const MAX_RECENT: usize = 10;

impl Remembered {
    pub fn load(file: &Path) -> Remembered {
        std::fs::read(file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, file: &Path) -> std::io::Result<()> {
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        concord_core::files::write_atomic(file, &json).map_err(std::io::Error::other)
    }

    fn note(&mut self, path: &Path, name: &str) {
        let path = path.display().to_string();
        let entry = RecentStudy {
            path: path.clone(),
            name: name.to_string(),
        };
        self.recent.retain(|r| r.path != path);
        self.recent.insert(0, entry.clone());
        self.recent.truncate(MAX_RECENT);
        self.last = Some(entry);
    }

    /// Recent studies whose files still exist.
    pub fn existing_recent(&self) -> Vec<RecentStudy> {
        self.recent
            .iter()
            .filter(|r| Path::new(&r.path).exists())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<LaunchArgs, String> {
        LaunchArgs::parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_study_and_rater() {
        let parsed = args(&["s.concord", "--rater", "Rater 1"]).unwrap();
        assert_eq!(parsed.study, Some(PathBuf::from("s.concord")));
        assert_eq!(parsed.rater.as_deref(), Some("Rater 1"));
        assert!(!parsed.demo);
        assert_eq!(
            args(&["--rater=Ann", "x.concord"])
                .unwrap()
                .rater
                .as_deref(),
            Some("Ann")
        );
        assert_eq!(args(&[]).unwrap(), LaunchArgs::default());
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(args(&["--rater"]).is_err());
        assert!(args(&["a.concord", "b.concord"]).is_err());
        assert!(args(&["--nope"]).is_err());
        assert!(args(&["--demo"]).is_err());
    }

    #[test]
    fn remembers_recent_studies_most_recent_first() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/remembered.json");
        let mut r = Remembered::load(&file);
        assert_eq!(r, Remembered::default());
        r.note(Path::new("/a.concord"), "A");
        r.note(Path::new("/b.concord"), "B");
        r.note(Path::new("/a.concord"), "A");
        r.save(&file).unwrap();
        let back = Remembered::load(&file);
        assert_eq!(back.recent.len(), 2);
        assert_eq!(back.recent[0].path, "/a.concord");
        assert_eq!(back.last.unwrap().path, "/a.concord");
        // A file written by an earlier version, with the rater of each study, still loads and
        // the rater is dropped when it is saved again.
        std::fs::write(
            &file,
            r#"{"last":{"path":"/a.concord","name":"A","last_rater":"Ann"},"recent":[]}"#,
        )
        .unwrap();
        let old = Remembered::load(&file);
        assert_eq!(old.last.as_ref().unwrap().path, "/a.concord");
        old.save(&file).unwrap();
        assert!(!std::fs::read_to_string(&file).unwrap().contains("Ann"));
    }
}
