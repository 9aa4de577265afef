//! The seal of a returned package: counts and a SHA-256 over its events, which the manifest
//! records on return and the merge recomputes to refuse a file edited since.

use rusqlite::Connection;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// Counts and SHA-256 of every rating and note event in a file, in global-id order, over the
/// global ids of what each refers to (so the digest does not depend on the file's own keys).
pub(crate) struct EventsDigest {
    pub events: usize,
    pub notes: usize,
    pub sha256: String,
}

pub(crate) fn events_digest(conn: &Connection, schema: &str) -> Result<EventsDigest> {
    let mut hasher = Sha256::new();
    let mut events = 0;
    let mut stmt = conn.prepare(&format!(
        "SELECT e.gid, t.gid, p.gid, a.gid, e.value, e.created_at, o.gid, e.undoes
         FROM {schema}.rating_event e
         JOIN {schema}.rater t ON t.id = e.rater_id JOIN {schema}.response p ON p.id = e.response_id
         JOIN {schema}.attribute a ON a.id = e.attribute_id JOIN {schema}.origin o ON o.id = e.origin_id
         ORDER BY e.gid"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        hasher.update(b"R");
        for i in [0, 1, 2, 3] {
            hasher.update(r.get_ref(i)?.as_blob()?);
        }
        let value: Option<i64> = r.get(4)?;
        hasher.update([u8::from(value.is_some())]);
        hasher.update(value.unwrap_or(0).to_le_bytes());
        hasher.update(r.get::<_, i64>(5)?.to_le_bytes());
        hasher.update(r.get_ref(6)?.as_blob()?);
        let undoes: Option<Vec<u8>> = r.get(7)?;
        hasher.update(undoes.unwrap_or_default());
        events += 1;
    }
    let mut notes = 0;
    let mut stmt = conn.prepare(&format!(
        "SELECT e.gid, t.gid, p.gid, e.rationale, e.flags, e.created_at, o.gid
         FROM {schema}.note_event e
         JOIN {schema}.rater t ON t.id = e.rater_id JOIN {schema}.response p ON p.id = e.response_id
         JOIN {schema}.origin o ON o.id = e.origin_id
         ORDER BY e.gid"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        hasher.update(b"N");
        for i in [0, 1, 2] {
            hasher.update(r.get_ref(i)?.as_blob()?);
        }
        for i in [3, 4] {
            let text = r.get_ref(i)?.as_str()?;
            hasher.update((text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.update(r.get::<_, i64>(5)?.to_le_bytes());
        hasher.update(r.get_ref(6)?.as_blob()?);
        notes += 1;
    }
    Ok(EventsDigest {
        events,
        notes,
        sha256: format!("{:x}", hasher.finalize()),
    })
}
