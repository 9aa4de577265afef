//! Recording ratings, rationales and flags. Each call appends to the event log (never edits it)
//! in one transaction; the `rating`/`response_note` current values follow by trigger.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::ids::{gid_text, new_gid, next_event_time, Gid};
use crate::model::{RatingEvent, UndoneChange};
use crate::progress_cache::values_set;
use crate::study::{SessionChange, Study};

/// A rating cell by its keys in this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub rater: i64,
    pub response: i64,
    pub attribute: i64,
}

/// The cell's current value and the time of its latest event, if it has any.
pub(crate) fn current(conn: &Connection, cell: Cell) -> Result<Option<(Option<i64>, i64)>> {
    Ok(conn
        .query_row(
            "SELECT r.value, e.created_at FROM rating r JOIN rating_event e ON e.id = r.event_id
             WHERE r.rater_id = ?1 AND r.response_id = ?2 AND r.attribute_id = ?3",
            params![cell.rater, cell.response, cell.attribute],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Appends one rating event; its time is strictly after the cell's latest event so the new value
/// wins even if the clock stepped back (or a merged event carries a later clock).
pub(crate) fn append_event(
    conn: &Connection,
    origin: i64,
    cell: Cell,
    value: Option<i64>,
    undoes: Option<&Gid>,
) -> Result<(Gid, i64)> {
    let last = current(conn, cell)?.map(|(_, t)| t);
    let created_at = next_event_time(last);
    let gid = new_gid();
    conn.prepare_cached(
        "INSERT INTO rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id, undoes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![gid, cell.rater, cell.response, cell.attribute, value, created_at, origin, undoes])?;
    Ok((gid, created_at))
}

/// Appends one note event (rationale and flags together).
pub(crate) fn append_note(
    conn: &Connection,
    origin: i64,
    rater: i64,
    response: i64,
    rationale: &str,
    flags: &[String],
) -> Result<()> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT created_at FROM response_note WHERE rater_id = ?1 AND response_id = ?2",
            params![rater, response],
            |r| r.get(0),
        )
        .optional()?;
    let created_at = next_event_time(last);
    conn.execute(
        "INSERT INTO note_event (gid, rater_id, response_id, rationale, flags, created_at, origin_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            new_gid(),
            rater,
            response,
            rationale,
            serde_json::to_string(flags).expect("flags serialize"),
            created_at,
            origin
        ],
    )?;
    Ok(())
}

impl Study {
    /// Sets (or with `None` clears) one rating; durable when this returns. The change is
    /// remembered for this session's undo.
    pub fn set_rating(
        &self,
        rater_id: &str,
        response_id: &str,
        attribute_key: &str,
        value: Option<i64>,
    ) -> Result<RatingEvent> {
        let attribute = self.attribute(attribute_key)?;
        if let Some(v) = value {
            self.check_on_scale(attribute, v)?;
        }
        let cell = Cell {
            rater: self.rater_key(rater_id)?,
            response: self.response_key(response_id)?,
            attribute: attribute.id,
        };
        // Progress counted before this save stays true: this rater's with this one response
        // moved, every other rater's as it was.
        let mut counted = self.counted.take();
        let tx = self.write()?;
        let before = current(&tx, cell)?.and_then(|(v, _)| v);
        let set_before = values_set(&tx, cell)?;
        let (gid, created_at) = append_event(&tx, self.origin, cell, value, None)?;
        let set_after = values_set(&tx, cell)?;
        tx.commit()?;
        if let Some(c) = counted.iter_mut().find(|c| c.rater == cell.rater) {
            if let (Some(b), Some(a)) = (set_before, set_after) {
                c.moved(b, a, self.n_attributes());
            }
        }
        *self.counted.borrow_mut() = counted;
        self.session.borrow_mut().push(SessionChange {
            rater: cell.rater,
            response: cell.response,
            attribute: cell.attribute,
            before,
            event: gid,
        });
        Ok(RatingEvent {
            id: gid_text(&gid),
            rater_id: rater_id.into(),
            response_id: response_id.into(),
            attribute_key: attribute_key.into(),
            value,
            created_at,
        })
    }

    /// Undoes this rater's latest change made in this session: the cell gets back the value it
    /// showed just before that change, whatever was merged or imported meanwhile. Repeated calls
    /// walk back through the session; changes from earlier sessions are never undone.
    pub fn undo(&self, rater_id: &str) -> Result<Option<UndoneChange>> {
        let rater = self.rater_key(rater_id)?;
        let position = {
            let session = self.session.borrow();
            session.iter().rposition(|c| c.rater == rater)
        };
        let Some(position) = position else {
            return Ok(None);
        };
        let change = self.session.borrow()[position].clone();
        let cell = Cell {
            rater,
            response: change.response,
            attribute: change.attribute,
        };
        let tx = self.write()?;
        append_event(&tx, self.origin, cell, change.before, Some(&change.event))?;
        let response: Vec<u8> = tx.query_row(
            "SELECT gid FROM response WHERE id = ?1",
            [change.response],
            |r| r.get(0),
        )?;
        tx.commit()?;
        self.session.borrow_mut().remove(position);
        Ok(Some(UndoneChange {
            response_id: gid_text(&response),
            attribute_key: self
                .attribute_by_id(change.attribute)
                .map(|a| a.key.clone())
                .unwrap_or_default(),
            restored: change.before,
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
        let flags: Vec<String> = flags.iter().map(|f| f.trim().to_string()).collect();
        if let Some(f) = flags.iter().find(|f| !known.contains(f)) {
            return Err(Error::Invalid(format!(
                "unknown flag '{f}' (this study offers: {})",
                known.join(", ")
            )));
        }
        let rater = self.rater_key(rater_id)?;
        let response = self.response_key(response_id)?;
        let tx = self.write()?;
        append_note(&tx, self.origin, rater, response, rationale, &flags)?;
        tx.commit()?;
        Ok(())
    }
}
