//! The lead's inbox: a folder (often a shared or synced one) where raters drop returned
//! packages. Each scan merges what has fully arrived with the ordinary merge (`merge.rs`), then
//! moves the file to `merged/` with its receipt (`NAME.receipt.json`) or to `rejected/` with the
//! reason (`NAME.reason.txt`).
//!
//! A file still being copied must not be merged or rejected: it is taken only once its size and
//! modification time are the same at two scans in a row and, when its SQLite header says how
//! long the file is, it is that long (`arrival.rs`; an encrypted package whose arrived pages
//! fail their HMAC is damaged, not still arriving, and is rejected at once). What the previous
//! scan saw is kept in the folder itself (`.concord-inbox.json`), so successive
//! `concord watch --once` runs, the watch loop and the app's watcher all poll the same way. Polling, not file-system events: network and sync
//! folders do not deliver those reliably.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::files::{io_error, write_atomic};
use crate::ids::format_utc_ms;
use crate::merge::{MergeOptions, MergeSummary};
use crate::model::StudySettings;
use crate::study::Study;

mod arrival;
use arrival::{incomplete, Arrival};

/// Where the previous scan's sizes and times are kept, inside the inbox.
pub const STATE_FILE: &str = ".concord-inbox.json";
/// Subfolder for merged packages and their receipts.
pub const MERGED: &str = "merged";
/// Subfolder for refused files and their reasons.
pub const REJECTED: &str = "rejected";

/// What a scan did with one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InboxEntry {
    /// The file's name in the inbox.
    pub file: String,
    pub status: InboxStatus,
    /// Why it waits, or why it was rejected; the receipt's one-line summary when merged.
    pub detail: String,
    /// Where the file now is (merged or rejected only).
    pub moved_to: Option<String>,
    /// The merge receipt (merged only).
    pub receipt: Option<MergeSummary>,
}

/// The fate of a file in one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InboxStatus {
    /// Not complete or not stable yet; looked at again next scan.
    Waiting,
    Merged,
    Rejected,
}

/// A file the inbox settled, as its receipt or reason in `merged/` or `rejected/` tells it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InboxReceipt {
    /// The file's name in `merged/` or `rejected/`.
    pub file: String,
    /// Merged or rejected.
    pub status: InboxStatus,
    /// When it was settled (UTC).
    pub at: Option<String>,
    /// The raters whose ratings it brought (merged only).
    pub raters: Vec<String>,
    pub events_added: usize,
    pub notes_added: usize,
    pub conflicts: usize,
    /// Why it was rejected; for a merged file, a note such as "merged before".
    pub detail: String,
}

impl Study {
    /// Sets the lead's inbox folder (empty: none); it must exist. The lead's alone.
    pub fn set_inbox(&self, dir: &str) -> Result<StudySettings> {
        self.require_lead("setting the inbox")?;
        let dir = dir.trim();
        if !dir.is_empty() && !Path::new(dir).is_dir() {
            return Err(Error::Invalid(format!(
                "{dir}: the inbox folder does not exist"
            )));
        }
        let settings = StudySettings {
            inbox: dir.to_string(),
            ..self.settings()?
        };
        self.set_settings(&settings)
    }
}

/// What the inbox at `dir` has settled, newest first: each receipt in `merged/` and each
/// reason in `rejected/` (none when the folders do not exist yet).
pub fn receipts(dir: &Path) -> Result<Vec<InboxReceipt>> {
    let mut found = Vec::new();
    for (sub, suffix, status) in [
        (MERGED, ".receipt.json", InboxStatus::Merged),
        (REJECTED, ".reason.txt", InboxStatus::Rejected),
    ] {
        let folder = dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_error(&folder, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(file) = name.strip_suffix(suffix) else {
                continue;
            };
            let path = entry.path();
            let text = std::fs::read_to_string(&path).map_err(|e| io_error(&path, e))?;
            let modified = entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64);
            let mut receipt = InboxReceipt {
                file: file.to_string(),
                status,
                at: modified.map(format_utc_ms),
                raters: Vec::new(),
                events_added: 0,
                notes_added: 0,
                conflicts: 0,
                detail: String::new(),
            };
            if status == InboxStatus::Merged {
                fill_from_receipt(&mut receipt, &text);
            } else {
                receipt.detail = text.trim().to_string();
            }
            found.push((modified, receipt));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.file.cmp(&b.1.file)));
    Ok(found.into_iter().map(|(_, r)| r).collect())
}

/// The counts of a merge receipt as `settle` wrote it (`MergeSummary` as JSON).
fn fill_from_receipt(receipt: &mut InboxReceipt, json: &str) {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(json) else {
        receipt.detail = "the receipt cannot be read".into();
        return;
    };
    let count = |key: &str| value[key].as_u64().unwrap_or(0) as usize;
    receipt.events_added = count("events_added");
    receipt.notes_added = count("notes_added");
    receipt.conflicts = value["conflicts"].as_array().map_or(0, Vec::len);
    receipt.raters = value["raters"]
        .as_array()
        .map(|raters| {
            raters
                .iter()
                .filter_map(|r| r["rater"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if value["already_merged"].as_bool() == Some(true) {
        receipt.detail = "merged before; nothing changed".into();
    }
}

/// Size and modification time of a file at one scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    len: u64,
    mtime_ns: u128,
}

/// Looks at every file in `dir` once: merges into `study` what has arrived completely, moves
/// it to `merged/` or `rejected/`, and reports each file. The lead's (refused in a package).
pub fn scan_once(study: &Study, dir: &Path) -> Result<Vec<InboxEntry>> {
    study.require_lead("watching an inbox")?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    if !dir.is_dir() {
        return Err(Error::Invalid(format!(
            "{}: the inbox folder does not exist",
            dir.display()
        )));
    }
    let state_file = dir.join(STATE_FILE);
    let before: BTreeMap<String, Seen> = std::fs::read(&state_file)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let mut names: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().map_err(io(&entry.path()))?.is_file() && is_candidate(&name) {
            names.push(name);
        }
    }
    names.sort();
    let mut now = BTreeMap::new();
    let mut report = Vec::new();
    for name in names {
        let path = dir.join(&name);
        let Some(seen) = seen(&path) else { continue };
        let entry = if before.get(&name) != Some(&seen) {
            now.insert(name.clone(), seen);
            waiting(
                &name,
                "arrived or still changing; merged once it is unchanged at the next scan",
            )
        } else {
            let arrival = match incomplete(&path, seen.len).map_err(io(&path))? {
                Some(why) => Arrival::Waiting(why),
                None => study.encrypted_arrival(&path, seen.len),
            };
            match arrival {
                Arrival::Waiting(why) => {
                    now.insert(name.clone(), seen);
                    waiting(&name, &why)
                }
                Arrival::Damaged(why) => {
                    let reason = format!("{}: {why}; nothing was merged\n", path.display());
                    settle(dir, &name, InboxStatus::Rejected, reason, None)?
                }
                Arrival::Complete => match study.merge(&path, &MergeOptions::default()) {
                    Ok(receipt) => settle(
                        dir,
                        &name,
                        InboxStatus::Merged,
                        receipt_json(&receipt),
                        Some(receipt),
                    )?,
                    Err(err) if is_transient(&err) => {
                        now.insert(name.clone(), seen);
                        waiting(
                            &name,
                            &format!("the study is busy ({err}); tried again next scan"),
                        )
                    }
                    Err(err) => {
                        settle(dir, &name, InboxStatus::Rejected, format!("{err}\n"), None)?
                    }
                },
            }
        };
        report.push(entry);
    }
    if now != before {
        let json = serde_json::to_vec_pretty(&now).expect("inbox state serializes");
        write_atomic(&state_file, &json)?;
    }
    Ok(report)
}

/// Names a scan considers: not hidden, not a SQLite sidecar, not a copy tool's partial file.
fn is_candidate(name: &str) -> bool {
    const PARTIAL: [&str; 8] = [
        "-wal",
        "-shm",
        "-journal",
        ".part",
        ".partial",
        ".tmp",
        ".crdownload",
        "~",
    ];
    !name.starts_with('.') && !PARTIAL.iter().any(|s| name.ends_with(s))
}

fn seen(path: &Path) -> Option<Seen> {
    // A file that vanished between listing and now (moved by another scan) is skipped.
    let meta = std::fs::metadata(path).ok()?;
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some(Seen {
        len: meta.len(),
        mtime_ns,
    })
}

fn waiting(name: &str, why: &str) -> InboxEntry {
    InboxEntry {
        file: name.to_string(),
        status: InboxStatus::Waiting,
        detail: why.to_string(),
        moved_to: None,
        receipt: None,
    }
}

/// A lock held by another writer for longer than the busy timeout: not the file's fault.
fn is_transient(err: &Error) -> bool {
    matches!(
        err,
        Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn receipt_json(receipt: &MergeSummary) -> String {
    serde_json::to_string_pretty(receipt).expect("receipt serializes") + "\n"
}

/// Moves `name` (and a `-wal` sent with it) into the subfolder for `status` under a free name,
/// and writes `note` beside it (the receipt, or the reason).
fn settle(
    dir: &Path,
    name: &str,
    status: InboxStatus,
    note: String,
    receipt: Option<MergeSummary>,
) -> Result<InboxEntry> {
    let (sub, suffix) = match status {
        InboxStatus::Merged => (MERGED, ".receipt.json"),
        _ => (REJECTED, ".reason.txt"),
    };
    let folder = dir.join(sub);
    std::fs::create_dir_all(&folder).map_err(|source| Error::Io {
        path: folder.clone(),
        source,
    })?;
    let target = free_name(&folder, name, suffix);
    let target_name = target.file_name().expect("a file name").to_string_lossy();
    // The note first: a file in merged/ or rejected/ always has its receipt or reason.
    write_atomic(
        &folder.join(format!("{target_name}{suffix}")),
        note.as_bytes(),
    )?;
    let from = dir.join(name);
    std::fs::rename(&from, &target).map_err(|source| Error::Io { path: from, source })?;
    let wal = dir.join(format!("{name}-wal"));
    if wal.is_file() {
        let _ = std::fs::rename(&wal, folder.join(format!("{target_name}-wal")));
    }
    let detail = match &receipt {
        Some(r) if r.already_merged => "merged before; nothing changed".to_string(),
        Some(r) => format!(
            "merged: {} ratings, {} notes added, {} cells changed, {} conflicts",
            r.events_added,
            r.notes_added,
            r.cells_changed,
            r.conflicts.len()
        ),
        None => note.trim_end().to_string(),
    };
    Ok(InboxEntry {
        file: name.to_string(),
        status,
        detail,
        moved_to: Some(target.display().to_string()),
        receipt,
    })
}

/// `folder/name`, or `folder/stem-2.ext`, `-3`, … when taken (a rater may send twice).
fn free_name(folder: &Path, name: &str, suffix: &str) -> PathBuf {
    let taken = |p: &Path| {
        p.exists() || {
            let mut note = p.as_os_str().to_os_string();
            note.push(suffix);
            Path::new(&note).exists()
        }
    };
    let first = folder.join(name);
    if !taken(&first) {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| folder.join(format!("{stem}-{n}{ext}")))
        .find(|p| !taken(p))
        .expect("a free name")
}
