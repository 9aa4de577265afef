//! Merging returned packages (and copies of a study) into a study.
//!
//! A file that arrives is copied aside, opened and validated before anything is written: its
//! integrity and the store's invariants, its lineage and rubric, its manifest and event hash,
//! and every row it would add (only the package's own rater, only known responses and
//! assignments, values on scale, no far-future times). A refused merge changes nothing and
//! names the file, the row and the reason. An accepted one is one IMMEDIATE transaction: a
//! union of events by global id (the current value of a cell is its latest event by
//! (created_at, id), so merging is idempotent, commutative and associative), with a receipt and
//! the cells one rater edited in two diverged copies recorded as conflicts.

mod apply;
mod conflicts;
mod validate;

use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cipher;
use crate::error::{Error, Result};
use crate::files::{with_suffix, TempPath};
use crate::package::{events_digest, manifest_in, same_file};
use crate::study::Study;

/// How far in the future an incoming event may be dated (laptop clocks drift; a day covers
/// wrong time zones set as local time).
pub const CLOCK_TOLERANCE_MS: i64 = 24 * 3_600_000;

/// How to treat the incoming file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeOptions {
    /// Merge a copy of this study (not a rater package): events of every rater and gold are
    /// taken, still only for raters and responses this study knows.
    pub copy: bool,
    /// Merge a package whose events no longer match its manifest; the reason is logged.
    pub accept_altered: Option<String>,
}

/// The receipt of a merge.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MergeSummary {
    pub file: String,
    pub package_id: String,
    /// "package" or "copy".
    pub kind: String,
    /// True when this exact file had been merged before (nothing changed).
    pub already_merged: bool,
    pub events_added: usize,
    pub notes_added: usize,
    pub gold_added: usize,
    /// Cells whose current value changed.
    pub cells_changed: usize,
    /// Per rater: what this merge did.
    pub raters: Vec<RaterReceipt>,
    /// Cells one rater edited in two copies after they diverged (stored; see `conflicts`).
    pub conflicts: Vec<MergeConflict>,
    /// The lead's reason for merging an altered package, if any.
    pub accepted_altered: Option<String>,
}

/// One rater's part of a merge receipt.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RaterReceipt {
    pub rater: String,
    pub events_added: usize,
    pub cells_changed: usize,
    pub conflicts: usize,
}

/// A cell one rater edited in two diverged copies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MergeConflict {
    pub id: i64,
    pub rater: String,
    /// External id of the response (`response_id` in JSON, as `concord conflicts --json`
    /// prints it).
    #[serde(rename = "response_id")]
    pub external_id: String,
    pub attribute: String,
    /// The value this study held before the merge.
    pub here: Option<i64>,
    /// The merged file's value.
    pub incoming: Option<i64>,
    /// The value the cell shows now (the later edit, until the lead decides).
    pub current: Option<i64>,
    pub merged_at: String,
    pub file: String,
    pub resolved: Option<Resolved>,
}

/// How a conflict was settled.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Resolved {
    pub value: Option<i64>,
    pub by: String,
    pub at: String,
}

/// The lead's decision on a conflict (the app's `resolve_conflict` takes it as
/// `"here" | "incoming" | "current"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Keep the value the study held before the merge.
    Here,
    /// Keep the merged file's value.
    Incoming,
    /// Keep what the cell shows now.
    Current,
}

fn file_hash(path: &Path) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// A refusal naming the file.
fn refuse(file: &Path, message: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("{}: {message}; nothing was merged", file.display()))
}

impl Study {
    /// Validates `other` (a returned package, or with `opts.copy` a copy of this study) and
    /// merges its events. See the module docs for the rules.
    pub fn merge(&self, other: &Path, opts: &MergeOptions) -> Result<MergeSummary> {
        if same_file(other, self.path()) {
            return Err(refuse(other, "this is the study itself"));
        }
        // Work on a private copy: the sender's file is never written (not even migrated), and
        // cannot change between validation and merge. A `-wal` sent along is copied with it.
        let temp = TempPath::beside(self.path())?;
        copy_file(other, temp.path())?;
        let wal = with_suffix(other, "-wal");
        if wal.is_file() {
            copy_file(&wal, &with_suffix(temp.path(), "-wal"))?;
        }
        let hash = file_hash(temp.path())?;
        let file = other.display().to_string();
        let already: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM merge_log WHERE file_hash = ?1",
            [&hash],
            |r| r.get(0),
        )?;
        // An encrypted package opens with its own passphrase, which this study recorded.
        let key = self.incoming_passphrase(temp.path())?;
        let theirs = Study::open_with(temp.path(), key.as_ref()).map_err(|e| refuse(other, e))?;
        let manifest = manifest_in(&theirs.conn, "main")?;
        let package_id = theirs.id().to_string();
        if already {
            return Ok(MergeSummary {
                file,
                package_id,
                kind: kind(opts).into(),
                already_merged: true,
                ..Default::default()
            });
        }
        let problems = theirs.check()?;
        if !problems.is_empty() {
            return Err(refuse(
                other,
                format!("the file is damaged: {}", problems.join("; ")),
            ));
        }
        if theirs.lineage != self.lineage {
            return Err(refuse(
                other,
                format!(
                    "it is from study '{}' ({}), not '{}' ({})",
                    match &manifest {
                        Some(m) => m.study_name.clone(),
                        None => theirs.name()?,
                    },
                    theirs.lineage(),
                    self.name()?,
                    self.lineage()
                ),
            ));
        }
        let mut accepted_altered = None;
        match (&manifest, opts.copy) {
            (None, false) => {
                return Err(refuse(
                    other,
                    "it is a study file, not a rater package (pass --copy to merge a copy of this study)",
                ))
            }
            (Some(_), true) => {
                return Err(refuse(
                    other,
                    "it is a rater package; merge it without --copy",
                ))
            }
            (Some(m), false) => {
                let Some(expected) = &m.events_sha256 else {
                    return Err(refuse(
                        other,
                        format!(
                            "the package of {} was not returned; the rater uses \"Return package…\" (or `concord return`) to seal it",
                            m.rater
                        ),
                    ));
                };
                let digest = events_digest(&theirs.conn, "main")?;
                if &digest.sha256 != expected {
                    match &opts.accept_altered {
                        Some(reason) if !reason.trim().is_empty() => {
                            accepted_altered = Some(reason.trim().to_string())
                        }
                        _ => {
                            return Err(refuse(
                                other,
                                format!(
                                    "it was altered after it was returned ({} events and {} notes now, {} and {} when returned); \
                                     merge it only with --accept-altered and a reason",
                                    digest.events,
                                    digest.notes,
                                    m.events.unwrap_or(0),
                                    m.notes.unwrap_or(0)
                                ),
                            ))
                        }
                    }
                }
            }
            (None, true) => {}
        }
        drop(theirs);
        cipher::attach(&self.conn, temp.path(), "pkg", key.as_ref())?;
        let result = validate::validate_rows(&self.conn, other, manifest.is_some())
            .and_then(|()| self.merge_attached(&file, &package_id, &hash, opts, accepted_altered));
        self.conn.execute("DETACH DATABASE pkg", [])?;
        result
    }
}

fn kind(opts: &MergeOptions) -> &'static str {
    if opts.copy {
        "copy"
    } else {
        "package"
    }
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| Error::Io {
            path: from.to_path_buf(),
            source,
        })
}
