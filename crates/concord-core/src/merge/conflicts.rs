//! Conflicts a merge recorded, the lead's resolution of them, and the merge receipts.

use rusqlite::{params, Connection};

use super::{MergeConflict, MergeSummary, Resolution, Resolved};
use crate::error::{Error, Result};
use crate::ids::{format_utc_ms, now_ms};
use crate::study::Study;

impl Study {
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

pub(super) fn conflicts_where<P: rusqlite::Params>(
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
