//! Reading the current annotation set out of a study, for export and analysis.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::study::Study;

/// A response with its prompt: the long texts, stored once per response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseText {
    pub item_id: String,
    pub prompt: String,
    pub response_id: String,
    pub model: String,
    pub response: String,
}

/// One current rating value (long layout); `response` indexes [`AnnotationSet::responses`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotationRow {
    pub response: usize,
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

/// Every current, non-empty rating, with the response texts kept apart so a large export does
/// not carry (or sort) a copy of each text per rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotationSet {
    /// Every response, in study order.
    pub responses: Vec<ResponseText>,
    /// Ordered by response, rater kind, rater name, attribute position.
    pub ratings: Vec<AnnotationRow>,
}

impl Study {
    /// The current annotation set.
    pub fn annotations(&self) -> Result<AnnotationSet> {
        let mut stmt = self.conn.prepare(
            "SELECT p.id, i.external_id, i.text, p.external_id, p.model, p.text
             FROM response p JOIN item i ON i.id = p.item_id ORDER BY p.position",
        )?;
        let mut index = HashMap::new();
        let responses = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    ResponseText {
                        item_id: r.get(1)?,
                        prompt: r.get(2)?,
                        response_id: r.get(3)?,
                        model: r.get(4)?,
                        response: r.get(5)?,
                    },
                ))
            })?
            .enumerate()
            .map(|(i, row)| {
                row.map(|(id, text)| {
                    index.insert(id, i);
                    text
                })
            })
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT r.response_id, t.name, t.kind, a.key, a.grp, r.value, r.created_at,
                    coalesce(n.rationale, ''), coalesce(n.flags, '[]')
             FROM rating r
             JOIN response p ON p.id = r.response_id
             JOIN rater t ON t.id = r.rater_id
             JOIN attribute a ON a.id = r.attribute_id
             LEFT JOIN response_note n ON n.rater_id = r.rater_id AND n.response_id = r.response_id
             WHERE r.value IS NOT NULL
             ORDER BY p.position, t.kind, t.name, a.position",
        )?;
        let ratings = stmt
            .query_map([], |r| {
                let response: String = r.get(0)?;
                Ok(AnnotationRow {
                    response: index[&response],
                    rater: r.get(1)?,
                    rater_kind: r.get(2)?,
                    attribute: r.get(3)?,
                    group: r.get(4)?,
                    value: r.get(5)?,
                    rated_at: r.get(6)?,
                    rationale: r.get(7)?,
                    flags: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(AnnotationSet { responses, ratings })
    }
}
