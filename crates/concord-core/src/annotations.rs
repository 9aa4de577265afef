//! Reading the current annotation set out of a study, for export.
//!
//! Texts and names are stored once (responses, raters, attributes, notes) and each rating
//! refers to them by index: a 700k-rating export then neither copies a response's text per
//! rating nor asks SQLite to sort rows that carry it. Ordering is done here on integers.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::model::Rater;
use crate::rubric::Attribute;
use crate::study::Study;

/// A response with its prompt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseText {
    pub item_id: String,
    pub prompt: String,
    pub response_id: String,
    pub model: String,
    pub response: String,
}

/// A rater's rationale and flags (JSON array) for one response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteText {
    pub rationale: String,
    pub flags: String,
}

/// One current rating value; the indices point into [`AnnotationSet`]'s vectors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AnnotationRow {
    pub response: usize,
    pub rater: usize,
    pub attribute: usize,
    pub value: i64,
    /// UTC milliseconds of the event that set the value.
    pub rated_at: i64,
    pub note: Option<usize>,
}

/// Every current, non-empty rating of a study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotationSet {
    /// Every response, in study order.
    pub responses: Vec<ResponseText>,
    /// Humans first, then judges, each by name.
    pub raters: Vec<Rater>,
    /// Rubric order.
    pub attributes: Vec<Attribute>,
    pub notes: Vec<NoteText>,
    /// Ordered by response, rater, attribute.
    pub ratings: Vec<AnnotationRow>,
}

impl Study {
    /// The current annotation set.
    pub fn annotations(&self) -> Result<AnnotationSet> {
        let mut response_index: HashMap<i64, usize> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT p.id, i.external_id, i.text, p.external_id, p.model, p.text
             FROM response p JOIN item i ON i.id = p.item_id ORDER BY p.position",
        )?;
        let mut responses = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            response_index.insert(r.get(0)?, responses.len());
            responses.push(ResponseText {
                item_id: r.get(1)?,
                prompt: r.get(2)?,
                response_id: r.get(3)?,
                model: r.get(4)?,
                response: r.get(5)?,
            });
        }
        let keyed = self.raters_with_keys()?;
        let rater_index: HashMap<i64, usize> = keyed
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (*k, i))
            .collect();
        let raters = keyed.into_iter().map(|(_, r)| r).collect();
        let attributes = self.rubric()?.attributes;
        let attribute_index: HashMap<i64, usize> = self
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id, i))
            .collect();

        let mut notes = Vec::new();
        let mut note_index: HashMap<(usize, usize), usize> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT rater_id, response_id, rationale, flags FROM response_note")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let key = (
                rater_index[&r.get::<_, i64>(0)?],
                response_index[&r.get::<_, i64>(1)?],
            );
            note_index.insert(key, notes.len());
            notes.push(NoteText {
                rationale: r.get(2)?,
                flags: r.get(3)?,
            });
        }

        let mut ratings = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT r.rater_id, r.response_id, r.attribute_id, r.value, e.created_at
                 FROM rating r JOIN rating_event e ON e.id = r.event_id WHERE r.value IS NOT NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let rater = rater_index[&r.get::<_, i64>(0)?];
            let response = response_index[&r.get::<_, i64>(1)?];
            ratings.push(AnnotationRow {
                response,
                rater,
                attribute: attribute_index[&r.get::<_, i64>(2)?],
                value: r.get(3)?,
                rated_at: r.get(4)?,
                note: note_index.get(&(rater, response)).copied(),
            });
        }
        ratings.sort_unstable_by_key(|r| (r.response, r.rater, r.attribute));
        Ok(AnnotationSet {
            responses,
            raters,
            attributes,
            notes,
            ratings,
        })
    }
}
