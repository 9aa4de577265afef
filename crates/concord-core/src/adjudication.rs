//! Adjudication: finding the responses human raters disagree on most, and recording a gold
//! (adjudicated) value with who decided it and why.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ids::{format_utc_ms, new_gid, next_event_time};
use crate::model::RaterKind;
use crate::study::Study;

/// One response × attribute with its human ratings, for the adjudicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Disagreement {
    /// The response's external id (`response_id` in JSON, as `concord … --json` prints it).
    #[serde(rename = "response_id")]
    pub external_id: String,
    pub attribute: String,
    /// Rater name → current value.
    pub values: BTreeMap<String, i64>,
    /// Largest minus smallest value.
    pub range: i64,
    /// Gold value already set, if any.
    pub gold: Option<i64>,
}

/// One human rater's judgement of a response.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RaterJudgement {
    pub rater: String,
    /// Attribute key → current value.
    pub values: BTreeMap<String, i64>,
    pub rationale: String,
    pub flags: Vec<String>,
}

/// A response with its prompt and every human rater's judgement, for the adjudicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseJudgements {
    /// The response's external id.
    pub external_id: String,
    pub item_external_id: String,
    pub prompt: String,
    pub context: serde_json::Value,
    /// Untrusted model output, raw.
    pub response: String,
    pub raters: Vec<RaterJudgement>,
    /// Attribute key → gold value already set.
    pub gold: Vec<Gold>,
}

/// A gold value as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Gold {
    /// The response's external id (`response_id` in JSON, as `concord … --json` prints it).
    #[serde(rename = "response_id")]
    pub external_id: String,
    pub attribute: String,
    pub value: i64,
    pub adjudicator: String,
    pub reason: String,
}

/// One entry of a cell's gold history (oldest first); the last one is the current gold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoldEvent {
    /// The response's external id (`response_id` in JSON, as `concord … --json` prints it).
    #[serde(rename = "response_id")]
    pub external_id: String,
    pub attribute: String,
    /// None: the gold value was cleared.
    pub value: Option<i64>,
    pub adjudicator: String,
    pub reason: String,
    /// RFC 3339 UTC.
    pub at: String,
}

impl Study {
    /// Response × attribute cells rated by at least two humans whose values differ by at least
    /// `min_range`, widest disagreement first (ties in response order).
    pub fn disagreements(
        &self,
        attribute: Option<&str>,
        min_range: i64,
        limit: usize,
    ) -> Result<Vec<Disagreement>> {
        if let Some(key) = attribute {
            self.attribute(key)?;
        }
        let mut stmt = self.conn.prepare(
            "WITH cells AS (
                SELECT r.response_id, r.attribute_id, max(r.value) - min(r.value) AS spread, count(*) AS n
                FROM rating r JOIN rater t ON t.id = r.rater_id
                WHERE t.kind = 'human' AND r.value IS NOT NULL
                GROUP BY r.response_id, r.attribute_id)
             SELECT p.external_id, a.key, c.spread, g.value,
                    (SELECT json_group_object(t.name, r.value) FROM rating r JOIN rater t ON t.id = r.rater_id
                     WHERE t.kind = 'human' AND r.value IS NOT NULL
                       AND r.response_id = c.response_id AND r.attribute_id = c.attribute_id)
             FROM cells c
             JOIN response p ON p.id = c.response_id
             JOIN attribute a ON a.id = c.attribute_id
             LEFT JOIN gold g ON g.response_id = c.response_id AND g.attribute_id = c.attribute_id
             WHERE c.n >= 2 AND c.spread >= ?1 AND (?2 IS NULL OR a.key = ?2)
             ORDER BY c.spread DESC, p.position, a.position
             LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![min_range, attribute, limit as i64], |r| {
            let values: String = r.get(4)?;
            Ok(Disagreement {
                external_id: r.get(0)?,
                attribute: r.get(1)?,
                range: r.get(2)?,
                gold: r.get(3)?,
                values: serde_json::from_str(&values).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A response (by external id) with every human rater's values, rationale and flags, and the
    /// gold values set so far; raters appear whether or not it was assigned to them.
    pub fn response_judgements(&self, response_external_id: &str) -> Result<ResponseJudgements> {
        let (response_id, item_external_id, prompt, context, response): (i64, String, String, String, String) = self
            .conn
            .query_row(
                "SELECT p.id, i.external_id, i.text, i.context, p.text FROM response p JOIN item i ON i.id = p.item_id
                 WHERE p.external_id = ?1",
                [response_external_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("response '{response_external_id}'")))?;
        let mut values_stmt = self.conn.prepare(
            "SELECT a.key, r.value FROM rating r JOIN attribute a ON a.id = r.attribute_id
             WHERE r.rater_id = ?1 AND r.response_id = ?2 AND r.value IS NOT NULL",
        )?;
        let mut raters = Vec::new();
        for (key, rater) in self
            .raters_with_keys()?
            .into_iter()
            .filter(|(_, r)| r.kind == RaterKind::Human)
        {
            let values = values_stmt
                .query_map(params![key, response_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<BTreeMap<String, i64>>>()?;
            let (rationale, flags) = self.note_by_key(key, response_id)?;
            raters.push(RaterJudgement {
                rater: rater.name,
                values,
                rationale,
                flags,
            });
        }
        let mut gold_stmt = self.conn.prepare(
            "SELECT a.key, g.value, e.adjudicator, e.reason
             FROM gold g JOIN gold_event e ON e.id = g.event_id JOIN attribute a ON a.id = g.attribute_id
             WHERE g.response_id = ?1 AND g.value IS NOT NULL ORDER BY a.position",
        )?;
        let gold = gold_stmt
            .query_map([&response_id], |r| {
                Ok(Gold {
                    external_id: response_external_id.to_string(),
                    attribute: r.get(0)?,
                    value: r.get(1)?,
                    adjudicator: r.get(2)?,
                    reason: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ResponseJudgements {
            external_id: response_external_id.to_string(),
            item_external_id,
            prompt,
            context: serde_json::from_str(&context).unwrap_or(serde_json::Value::Null),
            response,
            raters,
            gold,
        })
    }

    /// Records the adjudicated value of one response × attribute, appending to its history (the
    /// latest entry is the current gold).
    pub fn set_gold(
        &self,
        response_external_id: &str,
        attribute: &str,
        value: i64,
        adjudicator: &str,
        reason: &str,
    ) -> Result<Gold> {
        let (adjudicator, reason) = self.append_gold(
            response_external_id,
            attribute,
            Some(value),
            adjudicator,
            reason,
        )?;
        Ok(Gold {
            external_id: response_external_id.to_string(),
            attribute: attribute.to_string(),
            value,
            adjudicator,
            reason,
        })
    }

    /// Clears the gold value of one response × attribute: one more history entry, with no value,
    /// recording who cleared it and why (so a clearing merges like any gold event).
    pub fn clear_gold(
        &self,
        response_external_id: &str,
        attribute: &str,
        adjudicator: &str,
        reason: &str,
    ) -> Result<()> {
        self.append_gold(response_external_id, attribute, None, adjudicator, reason)?;
        Ok(())
    }

    /// Appends one gold event in one write transaction; returns the trimmed adjudicator and
    /// reason as stored.
    fn append_gold(
        &self,
        response_external_id: &str,
        attribute: &str,
        value: Option<i64>,
        adjudicator: &str,
        reason: &str,
    ) -> Result<(String, String)> {
        let attr = self.attribute(attribute)?;
        let response_id = self.response_key_of_external(response_external_id)?;
        if let Some(value) = value {
            self.check_on_scale(attr, value)?;
        }
        let (adjudicator, reason) = (adjudicator.trim(), reason.trim());
        if adjudicator.is_empty() {
            return Err(Error::Invalid(
                "a gold value needs the adjudicator's name".into(),
            ));
        }
        let tx = self.write()?;
        let last: Option<i64> = tx
            .query_row(
                "SELECT created_at FROM gold WHERE response_id = ?1 AND attribute_id = ?2",
                params![response_id, attr.id],
                |r| r.get(0),
            )
            .optional()?;
        let created_at = next_event_time(last);
        tx.execute(
            "INSERT INTO gold_event (gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![new_gid(), response_id, attr.id, value, adjudicator, reason, created_at, self.origin],
        )?;
        tx.commit()?;
        Ok((adjudicator.to_string(), reason.to_string()))
    }

    /// Every gold value ever set, oldest first per cell, optionally for one response (external
    /// id); cells in response and rubric order.
    pub fn gold_history(&self, response_external_id: Option<&str>) -> Result<Vec<GoldEvent>> {
        let response = response_external_id
            .map(|id| self.response_key_of_external(id))
            .transpose()?;
        let mut stmt = self.conn.prepare(
            "SELECT p.external_id, a.key, e.value, e.adjudicator, e.reason, e.created_at
             FROM gold_event e JOIN response p ON p.id = e.response_id JOIN attribute a ON a.id = e.attribute_id
             WHERE ?1 IS NULL OR e.response_id = ?1
             ORDER BY p.position, a.position, e.created_at, e.gid",
        )?;
        let rows = stmt.query_map([response], |r| {
            Ok(GoldEvent {
                external_id: r.get(0)?,
                attribute: r.get(1)?,
                value: r.get(2)?,
                adjudicator: r.get(3)?,
                reason: r.get(4)?,
                at: format_utc_ms(r.get(5)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
