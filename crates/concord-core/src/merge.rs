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

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::cipher;
use crate::error::{Error, Result};
use crate::files::{with_suffix, TempPath};
use crate::ids::{format_utc_ms, now_ms};
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

/// The lead's decision on a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
        let result = validate_rows(&self.conn, other, manifest.is_some())
            .and_then(|()| self.merge_attached(&file, &package_id, &hash, opts, accepted_altered));
        self.conn.execute("DETACH DATABASE pkg", [])?;
        result
    }

    fn merge_attached(
        &self,
        file: &str,
        package_id: &str,
        hash: &str,
        opts: &MergeOptions,
        accepted_altered: Option<String>,
    ) -> Result<MergeSummary> {
        let tx = self.write()?;
        tx.execute_batch(MAP_SQL)?;
        // Cells the incoming events touch, with this study's value before the merge and whether
        // the sender had seen that value's event (if not, the copies diverged on this cell).
        tx.execute_batch(
            "CREATE TEMP TABLE touched AS
             SELECT n.rater_id, n.response_id, n.attribute_id,
                    r.value AS before, r.event_id AS before_event,
                    (r.event_id IS NULL OR EXISTS (SELECT 1 FROM pkg.rating_event x
                        WHERE x.gid = (SELECT gid FROM main.rating_event WHERE id = r.event_id))) AS seen
             FROM (SELECT DISTINCT rater_id, response_id, attribute_id FROM temp.incoming) n
             LEFT JOIN main.rating r ON r.rater_id = n.rater_id AND r.response_id = n.response_id
                                    AND r.attribute_id = n.attribute_id;",
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO main.origin (gid) SELECT gid FROM pkg.origin",
            [],
        )?;
        let events_added = tx.execute(
            "INSERT INTO main.rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id, undoes)
             SELECT i.gid, i.rater_id, i.response_id, i.attribute_id, i.value, i.created_at, o.id, i.undoes
             FROM temp.incoming i JOIN main.origin o ON o.gid = i.origin
             ORDER BY i.created_at, i.gid",
            [],
        )?;
        let notes_added = tx.execute(
            "INSERT INTO main.note_event (gid, rater_id, response_id, rationale, flags, created_at, origin_id)
             SELECT e.gid, mr.id, mp.id, e.rationale, e.flags, e.created_at, mo.id
             FROM pkg.note_event e
             JOIN pkg.rater pr ON pr.id = e.rater_id JOIN main.rater mr ON mr.gid = pr.gid
             JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
             JOIN pkg.origin po ON po.id = e.origin_id JOIN main.origin mo ON mo.gid = po.gid
             WHERE NOT EXISTS (SELECT 1 FROM main.note_event x WHERE x.gid = e.gid)
             ORDER BY e.created_at, e.gid",
            [],
        )?;
        let gold_added = if opts.copy {
            tx.execute(
                "INSERT INTO main.gold_event (gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id)
                 SELECT e.gid, mp.id, ma.id, e.value, e.adjudicator, e.reason, e.created_at, mo.id
                 FROM pkg.gold_event e
                 JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
                 JOIN pkg.attribute pa ON pa.id = e.attribute_id JOIN main.attribute ma ON ma.gid = pa.gid
                 JOIN pkg.origin po ON po.id = e.origin_id JOIN main.origin mo ON mo.gid = po.gid
                 WHERE NOT EXISTS (SELECT 1 FROM main.gold_event x WHERE x.gid = e.gid)
                 ORDER BY e.created_at, e.gid",
                [],
            )?
        } else {
            0
        };
        let merged_at = now_ms();
        tx.execute(
            "INSERT INTO merge_log (package_id, file_hash, file_name, kind, merged_at, events_added, notes_added, gold_added, accepted_altered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![package_id, hash, file, kind(opts), merged_at, events_added as i64, notes_added as i64, gold_added as i64, accepted_altered],
        )?;
        let merge_id = tx.last_insert_rowid();
        // A conflict: the sender had not seen this study's value, and its own latest value differs.
        tx.execute(
            "INSERT INTO conflict (rater_id, response_id, attribute_id, here_value, incoming_value, merge_id)
             SELECT t.rater_id, t.response_id, t.attribute_id, t.before, l.value, ?1
             FROM temp.touched t
             JOIN (SELECT rater_id, response_id, attribute_id, value,
                          row_number() OVER (PARTITION BY rater_id, response_id, attribute_id
                                             ORDER BY created_at DESC, gid DESC) AS k
                   FROM temp.incoming) l
               ON l.k = 1 AND l.rater_id = t.rater_id AND l.response_id = t.response_id
              AND l.attribute_id = t.attribute_id
             WHERE NOT t.seen AND l.value IS NOT t.before",
            [merge_id],
        )?;
        let mut per_rater: BTreeMap<String, RaterReceipt> = BTreeMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT t.name,
                        (SELECT count(*) FROM temp.incoming i WHERE i.rater_id = t.id),
                        (SELECT count(*) FROM temp.touched c JOIN main.rating r
                           ON r.rater_id = c.rater_id AND r.response_id = c.response_id AND r.attribute_id = c.attribute_id
                         WHERE c.rater_id = t.id AND r.value IS NOT c.before),
                        (SELECT count(*) FROM main.conflict k WHERE k.merge_id = ?1 AND k.rater_id = t.id)
                 FROM main.rater t WHERE t.id IN (SELECT rater_id FROM temp.incoming)",
            )?;
            let rows = stmt.query_map([merge_id], |r| {
                Ok(RaterReceipt {
                    rater: r.get(0)?,
                    events_added: r.get::<_, i64>(1)? as usize,
                    cells_changed: r.get::<_, i64>(2)? as usize,
                    conflicts: r.get::<_, i64>(3)? as usize,
                })
            })?;
            for r in rows {
                let r = r?;
                per_rater.insert(r.rater.clone(), r);
            }
        }
        let raters: Vec<RaterReceipt> = per_rater.into_values().collect();
        let cells_changed = raters.iter().map(|r| r.cells_changed).sum();
        let n_conflicts: usize = raters.iter().map(|r| r.conflicts).sum();
        tx.execute(
            "UPDATE merge_log SET cells_changed = ?1, conflicts = ?2, receipt = ?3 WHERE id = ?4",
            params![
                cells_changed as i64,
                n_conflicts as i64,
                serde_json::to_string(&raters).expect("receipt serializes"),
                merge_id
            ],
        )?;
        tx.execute_batch("DROP TABLE temp.incoming; DROP TABLE temp.touched;")?;
        let conflicts = conflicts_where(&tx, "k.merge_id = ?1", [merge_id])?;
        tx.commit()?;
        Ok(MergeSummary {
            file: file.to_string(),
            package_id: package_id.to_string(),
            kind: kind(opts).into(),
            already_merged: false,
            events_added,
            notes_added,
            gold_added,
            cells_changed,
            raters,
            conflicts,
            accepted_altered,
        })
    }

    /// Conflicts the lead has not resolved yet, in rater, response and rubric order.
    pub fn conflicts(&self) -> Result<Vec<MergeConflict>> {
        conflicts_where(&self.conn, "k.resolved_at IS NULL", [])
    }

    /// Every conflict, resolved or not.
    pub fn conflict_history(&self) -> Result<Vec<MergeConflict>> {
        conflicts_where(&self.conn, "1", [])
    }

    /// Settles a conflict: the chosen value becomes the cell's current value (a new event by
    /// the rater's cell, from this study) and the conflict stops being listed.
    pub fn resolve_conflict(&self, id: i64, keep: Resolution, by: &str) -> Result<MergeConflict> {
        let by = by.trim();
        if by.is_empty() {
            return Err(Error::Invalid(
                "resolving a conflict needs the lead's name".into(),
            ));
        }
        let conflict = conflicts_where(&self.conn, "k.id = ?1", [id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("conflict {id}")))?;
        if conflict.resolved.is_some() {
            return Err(Error::Invalid(format!("conflict {id} is already resolved")));
        }
        let value = match keep {
            Resolution::Here => conflict.here,
            Resolution::Incoming => conflict.incoming,
            Resolution::Current => conflict.current,
        };
        let tx = self.write()?;
        let (rater, response, attribute): (i64, i64, i64) = tx.query_row(
            "SELECT rater_id, response_id, attribute_id FROM conflict WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if value != conflict.current {
            let cell = crate::rating::Cell {
                rater,
                response,
                attribute,
            };
            crate::rating::append_event(&tx, self.origin, cell, value, None)?;
        }
        // Every open conflict of this cell is settled by the same decision.
        tx.execute(
            "UPDATE conflict SET resolved_at = ?1, resolved_by = ?2, resolution = ?3
             WHERE resolved_at IS NULL AND rater_id = ?4 AND response_id = ?5 AND attribute_id = ?6",
            params![now_ms(), by, value, rater, response, attribute],
        )?;
        tx.commit()?;
        conflicts_where(&self.conn, "k.id = ?1", [id])?
            .pop()
            .ok_or_else(|| Error::NotFound(format!("conflict {id}")))
    }

    /// Every merge receipt, oldest first.
    pub fn merge_history(&self) -> Result<Vec<MergeSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT file_name, package_id, kind, events_added, notes_added, gold_added, cells_changed,
                    receipt, accepted_altered, id
             FROM merge_log ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let receipt: String = r.get(7)?;
            Ok((
                MergeSummary {
                    file: r.get(0)?,
                    package_id: r.get(1)?,
                    kind: r.get(2)?,
                    already_merged: false,
                    events_added: r.get::<_, i64>(3)? as usize,
                    notes_added: r.get::<_, i64>(4)? as usize,
                    gold_added: r.get::<_, i64>(5)? as usize,
                    cells_changed: r.get::<_, i64>(6)? as usize,
                    raters: serde_json::from_str(&receipt).unwrap_or_default(),
                    conflicts: Vec::new(),
                    accepted_altered: r.get(8)?,
                },
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut summary, id) = row?;
            summary.conflicts = conflicts_where(&self.conn, "k.merge_id = ?1", [id])?;
            out.push(summary);
        }
        Ok(out)
    }
}

fn kind(opts: &MergeOptions) -> &'static str {
    if opts.copy {
        "copy"
    } else {
        "package"
    }
}

/// The incoming rating events this study lacks, with the sender's keys mapped to this study's
/// through global ids (validation has made sure every one maps).
const MAP_SQL: &str = "
    CREATE TEMP TABLE incoming AS
    SELECT e.gid, mr.id AS rater_id, mp.id AS response_id, ma.id AS attribute_id, e.value,
           e.created_at, po.gid AS origin, e.undoes
    FROM pkg.rating_event e
    JOIN pkg.rater pr ON pr.id = e.rater_id JOIN main.rater mr ON mr.gid = pr.gid
    JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
    JOIN pkg.attribute pa ON pa.id = e.attribute_id JOIN main.attribute ma ON ma.gid = pa.gid
    JOIN pkg.origin po ON po.id = e.origin_id
    WHERE NOT EXISTS (SELECT 1 FROM main.rating_event x WHERE x.gid = e.gid);";

/// Row-level checks of the attached file `pkg` against this study; the first failure names
/// the row.
fn validate_rows(conn: &Connection, file: &Path, is_package: bool) -> Result<()> {
    let first = |sql: &str| -> Result<Option<String>> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    };
    let limit = now_ms() + CLOCK_TOLERANCE_MS;
    // A package's rows are matched by global id and text alone: a blind package carries
    // package-local external ids and no model (see `package.rs`). A copy must match in full.
    let (same_ids, same_model) = if is_package {
        ("", "")
    } else {
        ("OR m.external_id <> p.external_id", "OR m.model <> p.model")
    };
    let checks: Vec<String> = vec![
        "SELECT 'rater ''' || p.name || ''' is not a rater of this study (a package cannot add raters)'
             FROM pkg.rater p LEFT JOIN main.rater m ON m.gid = p.gid
             WHERE m.id IS NULL OR m.name <> p.name OR m.kind <> p.kind".into(),
        format!("SELECT 'item ''' || coalesce(m.external_id, p.external_id) || ''' is not in this study (a package cannot add items)'
             FROM pkg.item p LEFT JOIN main.item m ON m.gid = p.gid
             WHERE m.id IS NULL {same_ids} OR m.text <> p.text"),
        format!("SELECT 'response ''' || coalesce(m.external_id, p.external_id) || ''' is not in this study, or differs from it (a package cannot add or change responses)'
             FROM pkg.response p LEFT JOIN main.response m ON m.gid = p.gid
             WHERE m.id IS NULL {same_ids} OR m.text <> p.text {same_model}"),
        "SELECT 'attribute ''' || p.key || ''' differs from this study''s rubric'
             FROM pkg.attribute p LEFT JOIN main.attribute m ON m.gid = p.gid
             WHERE m.id IS NULL OR m.key <> p.key OR m.scale_min <> p.scale_min OR m.scale_max <> p.scale_max".into(),
        "SELECT 'the rubric has ' || (SELECT count(*) FROM pkg.attribute) || ' attributes, this study''s '
                    || (SELECT count(*) FROM main.attribute)
             WHERE (SELECT count(*) FROM pkg.attribute) <> (SELECT count(*) FROM main.attribute)".into(),
        format!(
                "SELECT 'rating event ' || lower(hex(e.gid)) || ' (rater ''' || t.name || ''', response '''
                        || p.external_id || ''') is dated ' || strftime('%Y-%m-%dT%H:%M:%SZ', e.created_at / 1000, 'unixepoch')
                        || ', later than this computer''s clock allows'
                 FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id JOIN pkg.response p ON p.id = e.response_id
                 WHERE e.created_at > {limit}
                 UNION ALL
                 SELECT 'note event ' || lower(hex(e.gid)) || ' (rater ''' || t.name || ''') is dated later than now'
                 FROM pkg.note_event e JOIN pkg.rater t ON t.id = e.rater_id WHERE e.created_at > {limit}
                 UNION ALL
                 SELECT 'gold event ' || lower(hex(e.gid)) || ' is dated later than now'
                 FROM pkg.gold_event e WHERE e.created_at > {limit}"
        ),
    ];
    for sql in &checks {
        if let Some(problem) = first(sql)? {
            return Err(refuse(file, problem));
        }
    }
    if is_package {
        let package_checks = [
            "SELECT 'rating event ' || lower(hex(e.gid)) || ' is by rater ''' || t.name
                    || ''', not the package''s rater ''' || (SELECT r.name FROM pkg.package k JOIN pkg.rater r ON r.id = k.rater_id) || ''''
             FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id
             WHERE e.rater_id <> (SELECT rater_id FROM pkg.package)
             UNION ALL
             SELECT 'note event ' || lower(hex(e.gid)) || ' is by rater ''' || t.name || ''', not the package''s rater'
             FROM pkg.note_event e JOIN pkg.rater t ON t.id = e.rater_id
             WHERE e.rater_id <> (SELECT rater_id FROM pkg.package)",
            "SELECT 'rater ''' || t.name || ''' in the package is not its rater (a package holds one rater)'
             FROM pkg.rater t WHERE t.id <> (SELECT rater_id FROM pkg.package)",
            "SELECT 'rating event ' || lower(hex(e.gid)) || ' is on response '''
                    || (SELECT m.external_id FROM main.response m WHERE m.gid = p.gid)
                    || ''', which is not assigned to ''' || t.name || ''' in this study'
             FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id JOIN pkg.response p ON p.id = e.response_id
             WHERE NOT EXISTS (SELECT 1 FROM main.assignment a
                 JOIN main.rater mr ON mr.id = a.rater_id JOIN main.response mp ON mp.id = a.response_id
                 WHERE mr.gid = t.gid AND mp.gid = p.gid)",
            "SELECT 'it holds ' || count(*) || ' gold values (a rater package carries none)'
             FROM pkg.gold_event HAVING count(*) > 0",
        ];
        for sql in package_checks {
            if let Some(problem) = first(sql)? {
                return Err(refuse(file, problem));
            }
        }
    }
    Ok(())
}

fn conflicts_where<P: rusqlite::Params>(
    conn: &Connection,
    condition: &str,
    params: P,
) -> Result<Vec<MergeConflict>> {
    let sql = format!(
        "SELECT k.id, t.name, p.external_id, a.key, k.here_value, k.incoming_value, r.value,
                m.merged_at, m.file_name, k.resolved_at, k.resolved_by, k.resolution
         FROM main.conflict k
         JOIN main.rater t ON t.id = k.rater_id JOIN main.response p ON p.id = k.response_id
         JOIN main.attribute a ON a.id = k.attribute_id JOIN main.merge_log m ON m.id = k.merge_id
         LEFT JOIN main.rating r ON r.rater_id = k.rater_id AND r.response_id = k.response_id
                                AND r.attribute_id = k.attribute_id
         WHERE {condition}
         ORDER BY t.name, p.position, a.position, k.id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params, |r| {
        let resolved_at: Option<i64> = r.get(9)?;
        Ok(MergeConflict {
            id: r.get(0)?,
            rater: r.get(1)?,
            external_id: r.get(2)?,
            attribute: r.get(3)?,
            here: r.get(4)?,
            incoming: r.get(5)?,
            current: r.get(6)?,
            merged_at: format_utc_ms(r.get(7)?),
            file: r.get(8)?,
            resolved: match resolved_at {
                Some(at) => Some(Resolved {
                    value: r.get(11)?,
                    by: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                    at: format_utc_ms(at),
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|source| Error::Io {
            path: from.to_path_buf(),
            source,
        })
}
