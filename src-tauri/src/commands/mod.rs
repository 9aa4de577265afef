//! Tauri commands, one file per screen's job: parse the page's arguments, call
//! `concord-core` / `concord-report`, return serialisable results or a [`CommandError`]
//! (its message). No business rule lives here; the rater is taken from the app state, never
//! from the page.
//!
//! - `session`: start-up, opening and creating studies, choosing the rater profile;
//! - `rating`: the rating screen and queue;
//! - `dashboard`: showing the live dashboard, saving a chart or the report;
//! - `lead`: adjudication, raters and assignment, packages, merges and settings.

pub mod dashboard;
pub mod lead;
pub mod rating;
pub mod session;

use concord_core::{Progress, Rater, RaterKind, Rubric, Study, StudyMode};
use serde::Serialize;

pub use crate::error::{CommandError, CommandResult};

/// A rater profile with its progress, for the "who is rating?" list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RaterSummary {
    pub rater: Rater,
    /// Left out (`None`) where it is not shown: counting costs a scan of the rater's queue.
    pub progress: Option<Progress>,
}

/// What the start screen shows about an open study.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StudySummary {
    pub path: String,
    pub name: String,
    /// Lead (a master: every screen) or rater (a package: Rate and Queue only), from the file.
    pub mode: StudyMode,
    /// In rater mode, the package's rater: the session starts as them, no name asked.
    pub package_rater: Option<String>,
    pub blind: bool,
    /// Encrypted at rest: its packages are encrypted too, each with its own passphrase.
    pub encrypted: bool,
    pub flags: Vec<String>,
    pub rubric: Rubric,
    pub raters: Vec<RaterSummary>,
}

pub(crate) fn summary(study: &Study, with_progress: bool) -> concord_core::Result<StudySummary> {
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
        mode: study.mode(),
        package_rater: study.manifest()?.map(|m| m.rater),
        blind: settings.blind,
        encrypted: study.passphrase().is_some(),
        flags: settings.flags,
        rubric: study.rubric()?,
        raters,
    })
}
