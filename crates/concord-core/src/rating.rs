//! Recording ratings, rationales and flags. Each call appends to the event log (never edits it)
//! in one transaction; the `rating`/`response_note` current values follow by trigger.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::ids::{new_id, now_ms};
use crate::model::{RatingEvent, UndoneChange};
use crate::study::Study;

/// Appends one rating event; its time is strictly after the cell's latest event so the new value
/// wins even if the clock stepped back.
pub(crate) fn append_event(
    conn: &Connection,
    origin: &str,
    rater_id: &str,
    response_id: &str,
    attribute_id: &str,
    value: Option<i64>,
    undoes: Option<&str>,
) -> Result<(String, i64)> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT max(created_at) FROM rating_event WHERE rater_id = ?1 AND response_id = ?2 AND attribute_id = ?3",
            params![rater_id, response_id, attribute_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let created_at = last.map_or(now_ms(), |t| now_ms().max(t + 1));
    let id = new_id();
    conn.execute(
        "INSERT INTO rating_event (id, rater_id, response_id, attribute_id, value, created_at, origin, undoes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![id, rater_id, response_id, attribute_id, value, created_at, origin, undoes],
    )?;
    Ok((id, created_at))
}

/// Appends one note event (rationale and flags together).
pub(crate) fn append_note(
    conn: &Connection,
    origin: &str,
    rater_id: &str,
    response_id: &str,
    rationale: &str,
    flags: &[String],
) -> Result<()> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT max(created_at) FROM note_event WHERE rater_id = ?1 AND response_id = ?2",
            params![rater_id, response_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let created_at = last.map_or(now_ms(), |t| now_ms().max(t + 1));
    conn.execute(
        "INSERT INTO note_event (id, rater_id, response_id, rationale, flags, created_at, origin)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new_id(),
            rater_id,
            response_id,
            rationale,
            serde_json::to_string(flags).expect("flags serialize"),
            created_at,
            origin
        ],
    )?;
    Ok(())
}

impl Study {
    /// Sets (or with `None` clears) one rating; durable when this returns.
    pub fn set_rating(
        &self,
        rater_id: &str,
        response_id: &str,
        attribute_key: &str,
        value: Option<i64>,
    ) -> Result<RatingEvent> {
        let attribute_id = self.attribute_id(attribute_key)?.to_string();
        if let Some(v) = value {
            self.check_on_scale(&attribute_id, attribute_key, v)?;
        }
        self.ensure_rater_and_response(rater_id, response_id)?;
        let tx = self.conn.unchecked_transaction()?;
        let (id, created_at) = append_event(
            &tx,
            &self.origin,
            rater_id,
            response_id,
            &attribute_id,
            value,
            None,
        )?;
        tx.commit()?;
        Ok(RatingEvent {
            id,
            rater_id: rater_id.into(),
            response_id: response_id.into(),
            attribute_key: attribute_key.into(),
            value,
            created_at,
        })
    }

    /// Reverts this rater's most recent value change that has not been undone yet, by appending
    /// an event that restores the cell's previous value. Repeated calls walk further back.
    /// "Most recent" is insertion order in this file (rowid): timestamps are only ordered per cell.
    pub fn undo(&self, rater_id: &str) -> Result<Option<UndoneChange>> {
        let tx = self.conn.unchecked_transaction()?;
        let target: Option<(String, String, String, i64)> = tx
            .query_row(
                "SELECT e.id, e.response_id, e.attribute_id, e.created_at FROM rating_event e
                 WHERE e.rater_id = ?1 AND e.undoes IS NULL
                   AND NOT EXISTS (SELECT 1 FROM rating_event u WHERE u.undoes = e.id)
                 ORDER BY e.rowid DESC LIMIT 1",
                [rater_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((event_id, response_id, attribute_id, created_at)) = target else {
            return Ok(None);
        };
        // The value the cell had just before the undone event (ignoring undo bookkeeping order).
        let previous: Option<i64> = tx
            .query_row(
                "SELECT value FROM rating_event
                 WHERE rater_id = ?1 AND response_id = ?2 AND attribute_id = ?3
                   AND (created_at < ?4 OR (created_at = ?4 AND id < ?5))
                 ORDER BY created_at DESC, id DESC LIMIT 1",
                params![rater_id, response_id, attribute_id, created_at, event_id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        append_event(
            &tx,
            &self.origin,
            rater_id,
            &response_id,
            &attribute_id,
            previous,
            Some(&event_id),
        )?;
        tx.commit()?;
        let attribute_key = self
            .attribute_ids
            .iter()
            .find(|(_, id)| **id == attribute_id)
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        Ok(Some(UndoneChange {
            response_id,
            attribute_key,
            restored: previous,
        }))
    }

    /// Sets this rater's rationale and flags for a response; durable when this returns.
    pub fn set_note(
        &self,
        rater_id: &str,
        response_id: &str,
        rationale: &str,
        flags: &[String],
    ) -> Result<()> {
        let known = self.settings()?.flags;
        if let Some(f) = flags.iter().find(|f| !known.contains(f)) {
            return Err(Error::Invalid(format!(
                "unknown flag '{f}' (this study offers: {})",
                known.join(", ")
            )));
        }
        self.ensure_rater_and_response(rater_id, response_id)?;
        let tx = self.conn.unchecked_transaction()?;
        append_note(&tx, &self.origin, rater_id, response_id, rationale, flags)?;
        tx.commit()?;
        Ok(())
    }

    fn ensure_rater_and_response(&self, rater_id: &str, response_id: &str) -> Result<()> {
        let exists = |sql: &str, id: &str| -> Result<bool> {
            Ok(self
                .conn
                .query_row(sql, [id], |_| Ok(()))
                .optional()?
                .is_some())
        };
        if !exists("SELECT 1 FROM rater WHERE id = ?1", rater_id)? {
            return Err(Error::NotFound(format!("rater {rater_id}")));
        }
        if !exists("SELECT 1 FROM response WHERE id = ?1", response_id)? {
            return Err(Error::NotFound(format!("response {response_id}")));
        }
        Ok(())
    }
}
