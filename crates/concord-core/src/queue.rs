//! A rater's work: assignments in a per-rater seeded order, progress, the queue and the view of
//! one response for the rating screen.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::ids::gid_text;
use crate::model::{
    Progress, QueueEntry, QueueFilter, QueuePage, Rater, RaterKind, RatingView, ResponseStatus,
};
use crate::progress_cache::{data_version, CountedProgress};
use crate::study::Study;

/// Per-assignment status: position, response, number of values set, flagged. Binds ?1 = rater,
/// ?2 = number of attributes (so every caller binds both, whatever its filter uses). The counts
/// come from one grouped scan of the rater's slice of `rating` (its primary-key prefix) rather
/// than a subquery per assignment.
const STATUS_SQL: &str = "
    SELECT a.order_key, a.response_id, ?2 AS n_attributes, coalesce(c.n_set, 0) AS n_set,
           coalesce(n.flags <> '[]', 0) AS flagged
    FROM assignment a
    LEFT JOIN (SELECT response_id, count(*) AS n_set FROM rating
               WHERE rater_id = ?1 AND value IS NOT NULL GROUP BY response_id) c
           ON c.response_id = a.response_id
    LEFT JOIN response_note n ON n.rater_id = a.rater_id AND n.response_id = a.response_id
    WHERE a.rater_id = ?1";

/// One page of the unfiltered queue by position range; binds ?1 rater, ?2 (unused) number of
/// attributes, ?3 limit, ?4 first position.
const PAGE_SQL: &str = "
    SELECT a.order_key, p.gid, i.external_id, p.external_id,
           (SELECT count(*) FROM rating r WHERE r.rater_id = a.rater_id AND r.response_id = a.response_id
              AND r.value IS NOT NULL) + 0 * ?2,
           coalesce((SELECT n.flags <> '[]' FROM response_note n WHERE n.rater_id = a.rater_id
              AND n.response_id = a.response_id), 0),
           substr(p.text, 1, 160)
    FROM assignment a JOIN response p ON p.id = a.response_id JOIN item i ON i.id = p.item_id
    WHERE a.rater_id = ?1 AND a.order_key >= ?4 ORDER BY a.order_key LIMIT ?3";

/// Seed of a rater's shuffle: stable for (study seed, rater's global id), different across raters.
fn rater_seed(study_seed: u64, rater_id: &str) -> u64 {
    let digest = Sha256::new()
        .chain_update(study_seed.to_le_bytes())
        .chain_update(rater_id.as_bytes())
        .finalize();
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

/// Appends responses (keys) to a rater's queue inside `tx`, after their existing positions, in
/// the order of the rater's seeded shuffle; responses they already hold are skipped, so
/// positions stay `0..total`. Returns how many were added.
pub(crate) fn append_assignments(
    tx: &rusqlite::Transaction,
    study_seed: u64,
    rater: i64,
    rater_id: &str,
    mut responses: Vec<i64>,
) -> Result<usize> {
    responses.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(rater_seed(
        study_seed, rater_id,
    )));
    let mut next: i64 = tx.query_row(
        "SELECT coalesce(max(order_key) + 1, 0) FROM assignment WHERE rater_id = ?1",
        [rater],
        |r| r.get(0),
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO assignment (rater_id, response_id, order_key) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    let mut added = 0;
    for id in &responses {
        if insert.execute(params![rater, id, next])? == 1 {
            next += 1;
            added += 1;
        }
    }
    Ok(added)
}

fn filter_clause(filter: QueueFilter) -> &'static str {
    match filter {
        QueueFilter::All => "1",
        QueueFilter::Todo => "n_set = 0",
        QueueFilter::Partial => "n_set > 0 AND n_set < ?2",
        QueueFilter::Done => "n_set >= ?2",
        QueueFilter::Flagged => "flagged",
    }
}

impl Study {
    pub(crate) fn n_attributes(&self) -> usize {
        self.attributes.len()
    }

    /// Assigns the given responses to a rater after their existing assignments, shuffled with
    /// the rater's seed; responses already assigned are skipped. Returns how many were added.
    pub fn assign(&self, rater_id: &str, response_ids: &[String]) -> Result<usize> {
        let rater = self.rater_key(rater_id)?;
        let ids = response_ids
            .iter()
            .map(|id| self.response_key(id))
            .collect::<Result<Vec<i64>>>()?;
        let seed = self.settings()?.shuffle_seed;
        let tx = self.write()?;
        let added = append_assignments(&tx, seed, rater, rater_id, ids)?;
        tx.commit()?;
        Ok(added)
    }

    /// Assigns every response not yet assigned to this rater (see [`Study::assign`]).
    pub fn assign_all(&self, rater_id: &str) -> Result<usize> {
        let rater = self.rater_key(rater_id)?;
        let mut stmt = self.conn.prepare(
            "SELECT gid FROM response WHERE id NOT IN (SELECT response_id FROM assignment WHERE rater_id = ?1) ORDER BY position",
        )?;
        let ids: Vec<String> = stmt
            .query_map([rater], |r| Ok(gid_text(&r.get::<_, Vec<u8>>(0)?)))?
            .collect::<rusqlite::Result<_>>()?;
        self.assign(rater_id, &ids)
    }

    /// The human rater profile `name` (trimmed) that rates in this study. Only finds: raters
    /// are added by the lead ([`Study::add_rater`]) and given work by assignment, so a mistyped
    /// name never becomes a rater with every response. Refuses an empty name, an unknown one,
    /// an LLM judge's and a profile with nothing assigned yet.
    pub fn rater_profile(&self, name: &str) -> Result<Rater> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a rater profile needs a name".into()));
        }
        let rater = match self.find_rater(name)? {
            Some(rater) if rater.kind == RaterKind::Llm => {
                return Err(Error::Invalid(format!(
                    "“{name}” is an LLM judge in this study, not a rater profile"
                )))
            }
            Some(rater) => rater,
            None => {
                return Err(Error::NotFound(format!(
                    "rater profile “{name}” (the study lead adds raters: Admin → Add rater, or `concord raters --add`)"
                )))
            }
        };
        if self.progress(&rater.id)?.total == 0 {
            return Err(Error::Invalid(format!(
                "nothing is assigned to {name} yet; the study lead assigns responses (Admin → Assign, or `concord assign`)"
            )));
        }
        Ok(rater)
    }

    /// Counts of this rater's assigned responses by status (recounted only when something but
    /// this connection's own saved values changed the study since this rater's last count; each
    /// rater's count is kept, so the dashboard's progress of every human costs no recount).
    pub fn progress(&self, rater_id: &str) -> Result<Progress> {
        let rater = self.rater_key(rater_id)?;
        let version = data_version(&self.conn)?;
        let mut counted = self.counted.borrow_mut();
        // Counts made before another connection's commit are stale for every rater.
        counted.retain(|c| c.data_version == version);
        if let Some(c) = counted.iter().find(|c| c.rater == rater) {
            return Ok(c.progress.clone());
        }
        let progress = self.count_progress(rater)?;
        counted.push(CountedProgress {
            rater,
            data_version: version,
            progress: progress.clone(),
        });
        Ok(progress)
    }

    fn count_progress(&self, rater: i64) -> Result<Progress> {
        let sql = format!(
            "SELECT count(*), coalesce(sum(n_set >= ?2), 0), coalesce(sum(n_set > 0 AND n_set < ?2), 0),
                    coalesce(sum(n_set = 0), 0), coalesce(sum(flagged), 0) FROM ({STATUS_SQL})"
        );
        let n = self.n_attributes() as i64;
        let p = self.conn.query_row(&sql, params![rater, n], |r| {
            let get = |i| r.get::<_, i64>(i).map(|v| v as usize);
            Ok(Progress {
                total: get(0)?,
                done: get(1)?,
                partial: get(2)?,
                todo: get(3)?,
                flagged: get(4)?,
            })
        })?;
        Ok(p)
    }

    /// One page of the rater's queue, in rating order.
    pub fn queue(
        &self,
        rater_id: &str,
        filter: QueueFilter,
        offset: usize,
        limit: usize,
    ) -> Result<QueuePage> {
        let n = self.n_attributes() as i64;
        let rater = self.rater_key(rater_id)?;
        let (total, sql) = if filter == QueueFilter::All {
            // Positions are 0..total, so a page is a key range: status is computed for the
            // page's rows only, which keeps deep pages as fast as the first (100k queues).
            let total: i64 = self.conn.query_row(
                "SELECT count(*) FROM assignment WHERE rater_id = ?1",
                [rater],
                |r| r.get(0),
            )?;
            (total, PAGE_SQL.to_string())
        } else {
            let cond = filter_clause(filter);
            let total: i64 = self.conn.query_row(
                &format!("SELECT count(*) FROM ({STATUS_SQL}) WHERE {cond}"),
                params![rater, n],
                |r| r.get(0),
            )?;
            let sql = format!(
                "SELECT s.order_key, p.gid, i.external_id, p.external_id, s.n_set, s.flagged, substr(p.text, 1, 160)
                 FROM ({STATUS_SQL}) s JOIN response p ON p.id = s.response_id JOIN item i ON i.id = p.item_id
                 WHERE {cond} ORDER BY s.order_key LIMIT ?3 OFFSET ?4"
            );
            (total, sql)
        };
        let blind = self.settings()?.blind;
        let mut stmt = self.conn.prepare(&sql)?;
        let entries = stmt
            .query_map(params![rater, n, limit as i64, offset as i64], |r| {
                let n_set = r.get::<_, i64>(4)? as usize;
                let preview: String = r.get(6)?;
                let position = r.get::<_, i64>(0)? as usize;
                let (label, item_external_id, response_external_id) =
                    shown_ids(blind, position, r.get(2)?, r.get(3)?);
                Ok(QueueEntry {
                    position,
                    response_id: gid_text(&r.get::<_, Vec<u8>>(1)?),
                    label,
                    item_external_id,
                    response_external_id,
                    status: status_of(n_set, n as usize),
                    flagged: r.get(5)?,
                    n_set,
                    n_attributes: n as usize,
                    preview: preview.split_whitespace().collect::<Vec<_>>().join(" "),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(QueuePage {
            total: total as usize,
            entries,
        })
    }

    /// Position of a response in the rater's order, if it is assigned to them.
    pub fn position_of(&self, rater_id: &str, response_id: &str) -> Result<Option<usize>> {
        let (rater, response) = (self.rater_key(rater_id)?, self.response_key(response_id)?);
        let pos: Option<i64> = self
            .conn
            .query_row(
                "SELECT order_key FROM assignment WHERE rater_id = ?1 AND response_id = ?2",
                params![rater, response],
                |r| r.get(0),
            )
            .optional()?;
        Ok(pos.map(|p| p as usize))
    }

    /// Position of the first assigned response not yet fully rated.
    pub fn first_unfinished(&self, rater_id: &str) -> Result<Option<usize>> {
        let sql = format!(
            "SELECT order_key FROM ({STATUS_SQL}) WHERE n_set < ?2 ORDER BY order_key LIMIT 1"
        );
        let pos: Option<i64> = self
            .conn
            .query_row(
                &sql,
                params![self.rater_key(rater_id)?, self.n_attributes() as i64],
                |r| r.get(0),
            )
            .optional()?;
        Ok(pos.map(|p| p as usize))
    }

    /// Everything the rating screen shows for the response at `position` in the rater's order.
    pub fn rating_view(&self, rater_id: &str, position: usize) -> Result<RatingView> {
        let rater = self.rater_key(rater_id)?;
        let total: i64 = self.conn.query_row(
            "SELECT count(*) FROM assignment WHERE rater_id = ?1",
            [rater],
            |r| r.get(0),
        )?;
        let row = self
            .conn
            .query_row(
                "SELECT p.id, i.external_id, p.external_id, i.text, i.context, p.text, p.model, p.gid
                 FROM assignment a JOIN response p ON p.id = a.response_id JOIN item i ON i.id = p.item_id
                 WHERE a.rater_id = ?1 AND a.order_key = ?2",
                params![rater, position as i64],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        gid_text(&r.get::<_, Vec<u8>>(7)?),
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("position {position} in this rater's queue (of {total})")))?;
        let (
            response,
            item_external_id,
            response_external_id,
            prompt,
            context,
            response_text,
            model,
            response_id,
        ) = row;
        let mut stmt = self.conn.prepare(
            "SELECT a.key, r.value FROM rating r JOIN attribute a ON a.id = r.attribute_id
             WHERE r.rater_id = ?1 AND r.response_id = ?2 AND r.value IS NOT NULL",
        )?;
        let values: BTreeMap<String, i64> = stmt
            .query_map(params![rater, response], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let (rationale, flags) = self.note_by_key(rater, response)?;
        let blind = self.settings()?.blind;
        let (label, item_external_id, response_external_id) =
            shown_ids(blind, position, item_external_id, response_external_id);
        Ok(RatingView {
            position,
            total: total as usize,
            response_id,
            label,
            item_external_id,
            response_external_id,
            prompt,
            context: serde_json::from_str(&context).unwrap_or(serde_json::Value::Null),
            response: response_text,
            model: (!blind).then_some(model),
            values,
            rationale,
            flags,
        })
    }

    /// The rater's current rationale and flags for a response (empty when none).
    pub fn note(&self, rater_id: &str, response_id: &str) -> Result<(String, Vec<String>)> {
        self.note_by_key(self.rater_key(rater_id)?, self.response_key(response_id)?)
    }

    pub(crate) fn note_by_key(&self, rater: i64, response: i64) -> Result<(String, Vec<String>)> {
        let row: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT rationale, flags FROM response_note WHERE rater_id = ?1 AND response_id = ?2",
                params![rater, response],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((rationale, flags)) => {
                (rationale, serde_json::from_str(&flags).unwrap_or_default())
            }
            None => (String::new(), Vec::new()),
        })
    }
}

/// (label, item id, response id) as a rater sees them: in a blind study only the opaque
/// per-rater ordinal, since external ids often name the model (`resp-00001-model-a`).
fn shown_ids(
    blind: bool,
    position: usize,
    item_external_id: String,
    response_external_id: String,
) -> (String, String, String) {
    if blind {
        (
            format!("Response {}", position + 1),
            String::new(),
            String::new(),
        )
    } else {
        (
            response_external_id.clone(),
            item_external_id,
            response_external_id,
        )
    }
}

fn status_of(n_set: usize, n_attributes: usize) -> ResponseStatus {
    match n_set {
        0 => ResponseStatus::Todo,
        n if n >= n_attributes => ResponseStatus::Done,
        _ => ResponseStatus::Partial,
    }
}
