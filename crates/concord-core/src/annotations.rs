//! Reading the current annotation set out of a study, for export and analysis.

use serde::Serialize;

use crate::error::Result;
use crate::study::Study;

/// One current rating value with everything an analyst needs beside it (long layout).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotationRow {
    pub item_id: String,
    pub prompt: String,
    pub response_id: String,
    pub model: String,
    pub response: String,
    pub rater: String,
    pub rater_kind: String,
    pub attribute: String,
    pub group: Option<String>,
    pub value: i64,
    /// UTC milliseconds of the event that set the value.
    pub rated_at: i64,
    pub rationale: String,
    pub flags: String,
}

impl Study {
    /// Every current, non-empty rating, ordered by response position, rater, attribute position.
    pub fn annotations(&self) -> Result<Vec<AnnotationRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.external_id, i.text, p.external_id, p.model, p.text, t.name, t.kind, a.key, a.grp, r.value,
                    r.created_at, coalesce(n.rationale, ''), coalesce(n.flags, '[]')
             FROM rating r
             JOIN response p ON p.id = r.response_id
             JOIN item i ON i.id = p.item_id
             JOIN rater t ON t.id = r.rater_id
             JOIN attribute a ON a.id = r.attribute_id
             LEFT JOIN response_note n ON n.rater_id = r.rater_id AND n.response_id = r.response_id
             WHERE r.value IS NOT NULL
             ORDER BY p.position, t.kind, t.name, a.position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AnnotationRow {
                item_id: r.get(0)?,
                prompt: r.get(1)?,
                response_id: r.get(2)?,
                model: r.get(3)?,
                response: r.get(4)?,
                rater: r.get(5)?,
                rater_kind: r.get(6)?,
                attribute: r.get(7)?,
                group: r.get(8)?,
                value: r.get(9)?,
                rated_at: r.get(10)?,
                rationale: r.get(11)?,
                flags: r.get(12)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
