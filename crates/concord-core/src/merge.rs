//! Rater packages and merging. A package is a study file holding the rubric, one rater's
//! assigned responses and that rater's events. Merging is a union of events by id; the current
//! value of a cell is its latest event by (created_at, id), so merging is idempotent,
//! commutative and associative.

use std::io::Read;
use std::path::Path;

use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::{new_id, now_ms};
use crate::study::Study;

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeSummary {
    pub package_id: String,
    /// True when this exact file had been merged before (nothing changed).
    pub already_merged: bool,
    pub raters_added: usize,
    pub responses_added: usize,
    pub events_added: usize,
    pub notes_added: usize,
    /// Cells rated by the same rater on more than one machine with different values; the
    /// latest event won. Listed for the lead.
    pub conflicts: Vec<MergeConflict>,
}

/// One cell whose rater gave different values in different files.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeConflict {
    pub rater: String,
    pub response_id: String,
    pub attribute: String,
    pub values: Vec<Option<i64>>,
    pub kept: Option<i64>,
}

/// Tables copied by a merge, with the key that identifies a row across files.
const UNION_TABLES: &[&str] = &[
    "rater",
    "item",
    "response",
    "assignment",
    "rating_event",
    "note_event",
];

fn file_hash(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

impl Study {
    /// Writes a package for one rater to `out`: the rubric, the rater's assigned responses, and
    /// the rater's own events and notes only (other raters' work stays with the lead).
    pub fn export_package(&self, rater_id: &str, out: &Path) -> Result<String> {
        if out.exists() {
            return Err(Error::AlreadyExists(out.to_path_buf()));
        }
        let rater = self
            .raters()?
            .into_iter()
            .find(|r| r.id == rater_id)
            .ok_or_else(|| Error::NotFound(format!("rater {rater_id}")))?;
        self.conn
            .execute("VACUUM INTO ?1", [out.to_string_lossy()])?;
        let package_id = new_id();
        let conn = Connection::open(out)?;
        let tx = conn.unchecked_transaction()?;
        // The append-only guards are lifted only inside this transaction on the fresh copy.
        let guards: Vec<String> = {
            let mut stmt = tx.prepare(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_no_delete'",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        tx.execute_batch(
            "DROP TRIGGER rating_event_no_delete; DROP TRIGGER note_event_no_delete;",
        )?;
        let keep = params![rater_id];
        for sql in [
            "DELETE FROM rating_event WHERE rater_id <> ?1",
            "DELETE FROM rating WHERE rater_id <> ?1",
            "DELETE FROM note_event WHERE rater_id <> ?1",
            "DELETE FROM response_note WHERE rater_id <> ?1",
            "DELETE FROM assignment WHERE rater_id <> ?1",
            "DELETE FROM response WHERE id NOT IN (SELECT response_id FROM assignment WHERE rater_id = ?1)",
            "DELETE FROM rater WHERE id <> ?1",
        ] {
            tx.execute(sql, keep)?;
        }
        tx.execute_batch("DELETE FROM item WHERE id NOT IN (SELECT item_id FROM response); DELETE FROM gold; DELETE FROM merge_log;")?;
        for sql in guards {
            tx.execute_batch(&sql)?;
        }
        let name = format!("{} — package for {}", self.name()?, rater.name);
        tx.execute(
            "UPDATE study SET id = ?1, name = ?2, created_at = ?3",
            params![package_id, name, now_ms()],
        )?;
        tx.commit()?;
        conn.execute_batch("VACUUM")?;
        // WAL now, so that opening the package later does not rewrite its header (and its hash).
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Ok(package_id)
    }

    /// Merges another study file (usually a returned package) into this one.
    pub fn merge(&self, other: &Path) -> Result<MergeSummary> {
        let hash = file_hash(other)?;
        let theirs = Study::open(other)?;
        let package_id = theirs.id().to_string();
        let mine = self.rubric()?;
        let their_rubric = theirs.rubric()?;
        let same_rubric = mine.attributes.len() == their_rubric.attributes.len()
            && mine.attributes.iter().all(|a| {
                their_rubric
                    .attribute(&a.key)
                    .is_some_and(|b| (b.scale_min, b.scale_max) == (a.scale_min, a.scale_max))
            })
            && theirs.attribute_ids == self.attribute_ids;
        drop(theirs);
        if !same_rubric {
            return Err(Error::Invalid(format!(
                "{}: its rubric differs from this study's; cannot merge",
                other.display()
            )));
        }
        let already: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM merge_log WHERE file_hash = ?1",
            [&hash],
            |r| r.get(0),
        )?;
        if already {
            return Ok(MergeSummary {
                package_id,
                already_merged: true,
                ..Default::default()
            });
        }
        self.conn
            .execute("ATTACH DATABASE ?1 AS pkg", [other.to_string_lossy()])?;
        let result = self.merge_attached(&package_id, &hash);
        self.conn.execute("DETACH DATABASE pkg", [])?;
        result
    }

    fn merge_attached(&self, package_id: &str, hash: &str) -> Result<MergeSummary> {
        let tx = self.conn.unchecked_transaction()?;
        // A rater created in a package under a name the lead already uses is a real clash.
        let clash: Option<String> = tx
            .query_row(
                "SELECT p.name FROM pkg.rater p JOIN main.rater m ON m.name = p.name AND m.id <> p.id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        if let Some(name) = clash {
            return Err(Error::Invalid(format!(
                "the package's rater '{name}' has the same name as a different rater here"
            )));
        }
        let mut counts = Vec::new();
        for table in UNION_TABLES {
            let n = tx.execute(
                &format!("INSERT OR IGNORE INTO main.{table} SELECT * FROM pkg.{table}"),
                [],
            )?;
            counts.push(n);
        }
        let conflicts = conflicts(&tx)?;
        tx.execute(
            "INSERT INTO merge_log (package_id, file_hash, merged_at, events_added, notes_added) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![package_id, hash, now_ms(), counts[4] as i64, counts[5] as i64],
        )?;
        tx.commit()?;
        Ok(MergeSummary {
            package_id: package_id.to_string(),
            already_merged: false,
            raters_added: counts[0],
            responses_added: counts[2],
            events_added: counts[4],
            notes_added: counts[5],
            conflicts,
        })
    }

    /// Cells where one rater's final values differ between the files (origins) that rated them.
    pub fn conflicts(&self) -> Result<Vec<MergeConflict>> {
        conflicts(&self.conn)
    }
}

fn conflicts(conn: &Connection) -> Result<Vec<MergeConflict>> {
    // Per (cell, origin) the origin's own latest value; a conflict is >1 distinct such value.
    let mut stmt = conn.prepare(
        "WITH last AS (
            SELECT e.rater_id, e.response_id, e.attribute_id, e.origin, e.value,
                   row_number() OVER (PARTITION BY e.rater_id, e.response_id, e.attribute_id, e.origin
                                      ORDER BY e.created_at DESC, e.id DESC) AS k
            FROM main.rating_event e)
         SELECT t.name, p.external_id, a.key, json_group_array(l.value), r.value
         FROM last l
         JOIN main.rater t ON t.id = l.rater_id
         JOIN main.response p ON p.id = l.response_id
         JOIN main.attribute a ON a.id = l.attribute_id
         JOIN main.rating r ON r.rater_id = l.rater_id AND r.response_id = l.response_id AND r.attribute_id = l.attribute_id
         WHERE l.k = 1
         GROUP BY l.rater_id, l.response_id, l.attribute_id
         HAVING count(DISTINCT coalesce(l.value, 'null')) > 1
         ORDER BY t.name, p.position, a.position",
    )?;
    let rows = stmt.query_map([], |r| {
        let values: String = r.get(3)?;
        Ok(MergeConflict {
            rater: r.get(0)?,
            response_id: r.get(1)?,
            attribute: r.get(2)?,
            values: serde_json::from_str(&values).unwrap_or_default(),
            kept: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
