//! Adding prompts, responses and earlier ratings to a study. The file formats are parsed by
//! `concord-io`; here rows are validated against the study and written in one transaction, so a
//! bad row (or a killed process) leaves the study exactly as it was.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::new_gid;
use crate::model::RaterKind;
use crate::rating::{append_event, append_note, Cell};
use crate::study::Study;

/// One response to import, with the prompt it answers. `row` is 1-based as in a spreadsheet.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseRow {
    pub row: usize,
    pub item_id: String,
    pub prompt: String,
    pub response_id: String,
    pub model: String,
    pub response: String,
}

/// One rater's scores for one response; each score names the column it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRow {
    pub row: usize,
    pub response_id: String,
    pub rater: String,
    pub scores: Vec<Score>,
    pub rationale: Option<String>,
}

/// An attribute value; the field names say which columns held the attribute and the value,
/// for error messages (in a wide table both are the attribute's own column).
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub attribute_field: String,
    pub value_field: String,
    pub attribute: String,
    pub value: i64,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub items_added: usize,
    pub responses_added: usize,
    pub raters_added: usize,
    pub ratings_added: usize,
    pub notes_added: usize,
    /// Rows (or values) already present with the same content.
    pub unchanged: usize,
}

impl Study {
    /// Adds items and responses; rows already present unchanged are skipped, a row whose id
    /// exists with different content is an error naming the row and field.
    pub fn import_responses(&self, rows: &[ResponseRow]) -> Result<ImportSummary> {
        let tx = self.write()?;
        let mut summary = ImportSummary {
            rows: rows.len(),
            ..Default::default()
        };
        let mut next_position: i64 = tx.query_row(
            "SELECT coalesce(max(position) + 1, 0) FROM response",
            [],
            |r| r.get(0),
        )?;
        // Items known in this file (external id → (key, prompt)), loaded on demand.
        let mut items: HashMap<String, (i64, String)> = HashMap::new();
        {
            let mut find_item = tx.prepare("SELECT id, text FROM item WHERE external_id = ?1")?;
            let mut insert_item =
                tx.prepare("INSERT INTO item (gid, external_id, text) VALUES (?1, ?2, ?3)")?;
            let mut find_response =
                tx.prepare("SELECT r.model, r.text, i.external_id FROM response r JOIN item i ON i.id = r.item_id WHERE r.external_id = ?1")?;
            let mut insert_response = tx.prepare(
                "INSERT INTO response (gid, item_id, external_id, model, text, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for r in rows {
                for (field, value) in [("item_id", &r.item_id), ("response_id", &r.response_id)] {
                    if value.trim().is_empty() {
                        return Err(Error::row(r.row, field, "is empty"));
                    }
                }
                if !items.contains_key(&r.item_id) {
                    let found: Option<(i64, String)> = find_item
                        .query_row([&r.item_id], |x| Ok((x.get(0)?, x.get(1)?)))
                        .optional()?;
                    let entry = match found {
                        Some(found) => found,
                        None => {
                            insert_item.execute(params![new_gid(), r.item_id, r.prompt])?;
                            summary.items_added += 1;
                            (tx.last_insert_rowid(), r.prompt.clone())
                        }
                    };
                    items.insert(r.item_id.clone(), entry);
                }
                let (item_id, prompt) = &items[&r.item_id];
                if *prompt != r.prompt {
                    return Err(Error::row(
                        r.row,
                        "prompt",
                        format!("item '{}' already has a different prompt", r.item_id),
                    ));
                }
                let existing: Option<(String, String, String)> = find_response
                    .query_row([&r.response_id], |x| Ok((x.get(0)?, x.get(1)?, x.get(2)?)))
                    .optional()?;
                match existing {
                    None => {
                        insert_response.execute(params![
                            new_gid(),
                            item_id,
                            r.response_id,
                            r.model,
                            r.response,
                            next_position
                        ])?;
                        next_position += 1;
                        summary.responses_added += 1;
                    }
                    Some((model, text, item)) => {
                        let differs = [
                            ("item_id", item != r.item_id),
                            ("model", model != r.model),
                            ("response", text != r.response),
                        ];
                        if let Some((field, _)) = differs.iter().find(|(_, d)| *d) {
                            return Err(Error::row(
                                r.row,
                                field,
                                format!(
                                    "response '{}' already exists with a different {field}",
                                    r.response_id
                                ),
                            ));
                        }
                        summary.unchanged += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(summary)
    }

    /// Adds earlier ratings (human rounds or LLM-judge scores). Raters are created by name on
    /// first sight with `kind`; a value equal to the cell's current value is skipped, so
    /// importing the same file twice changes nothing.
    pub fn import_ratings(&self, rows: &[RatingRow], kind: RaterKind) -> Result<ImportSummary> {
        let rubric = self.rubric()?;
        let tx = self.write()?;
        let mut summary = ImportSummary {
            rows: rows.len(),
            ..Default::default()
        };
        let mut raters: HashMap<String, i64> = HashMap::new();
        let mut responses: HashMap<String, i64> = HashMap::new();
        {
            let mut find_response = tx.prepare("SELECT id FROM response WHERE external_id = ?1")?;
            let mut current = tx.prepare(
                "SELECT value FROM rating WHERE rater_id = ?1 AND response_id = ?2 AND attribute_id = ?3",
            )?;
            for r in rows {
                if r.rater.trim().is_empty() {
                    return Err(Error::row(r.row, "rater", "is empty"));
                }
                let response = match responses.get(&r.response_id) {
                    Some(id) => *id,
                    None => {
                        let id: i64 = find_response
                            .query_row([&r.response_id], |x| x.get(0))
                            .optional()?
                            .ok_or_else(|| {
                                Error::row(
                                    r.row,
                                    "response_id",
                                    format!("unknown response '{}'", r.response_id),
                                )
                            })?;
                        responses.insert(r.response_id.clone(), id);
                        id
                    }
                };
                let rater = match raters.get(&r.rater) {
                    Some(id) => *id,
                    None => {
                        let (found, added) = self
                            .rater_by_name_or_create(&tx, &r.rater, kind)
                            .map_err(|e| Error::row(r.row, "rater", e.to_string()))?;
                        summary.raters_added += usize::from(added);
                        let key = self.rater_key(&found.id)?;
                        raters.insert(r.rater.clone(), key);
                        key
                    }
                };
                for s in &r.scores {
                    let attribute = rubric.attribute(&s.attribute).ok_or_else(|| {
                        Error::row(
                            r.row,
                            &s.attribute_field,
                            format!("unknown attribute '{}'", s.attribute),
                        )
                    })?;
                    if !attribute.accepts(s.value) {
                        return Err(Error::row(
                            r.row,
                            &s.value_field,
                            format!(
                                "score {} is outside the scale {}–{} of '{}'",
                                s.value, attribute.scale_min, attribute.scale_max, attribute.key
                            ),
                        ));
                    }
                    let cell = Cell {
                        rater,
                        response,
                        attribute: self.attribute(&s.attribute)?.id,
                    };
                    let now: Option<i64> = current
                        .query_row(params![cell.rater, cell.response, cell.attribute], |x| {
                            x.get(0)
                        })
                        .optional()?
                        .flatten();
                    if now == Some(s.value) {
                        summary.unchanged += 1;
                        continue;
                    }
                    append_event(&tx, self.origin, cell, Some(s.value), None)?;
                    summary.ratings_added += 1;
                }
                if let Some(text) = r
                    .rationale
                    .as_deref()
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                {
                    let (old, flags) = self.note_by_key(rater, response)?;
                    if old != text {
                        append_note(&tx, self.origin, rater, response, text, &flags)?;
                        summary.notes_added += 1;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(summary)
    }
}
