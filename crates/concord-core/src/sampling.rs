//! Active sampling rounds: the responses `concord next --assign` chose, pushed to the front of
//! a rater's queue, and every candidate's sampling probability π, recorded in the same
//! transaction so a later estimate can weight each clinician rating by 1/π (Zrnic & Candès
//! 2024). The probabilities are computed by concord-stats; core only keeps them.

use std::collections::{HashMap, HashSet};

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::ids::new_gid;
use crate::{now_ms, Error, Result, Study};

/// One candidate of a sampling round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampledResponse {
    /// The response's external id.
    pub response_id: String,
    /// Its probability π of being drawn this round (0 ≤ π ≤ 1).
    pub probability: f64,
    /// Whether it already had a human score when the round was drawn.
    pub rated: bool,
}

/// A recorded round: every candidate with its π, in response order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingRound {
    /// Seed of the draw.
    pub seed: u64,
    /// Share of the round drawn uniformly.
    pub uniform_mix: f64,
    /// Every candidate of the round (all responses of the models sampled).
    pub candidates: Vec<SampledResponse>,
}

impl Study {
    /// Puts `picks` (external ids) at the front of `rater_id`'s queue, in the order given (a
    /// pick already in the queue moves up), and records `round` — one transaction. Returns how
    /// many picks were new to the queue. A π outside [0, 1] or an unknown response is refused
    /// with nothing written.
    pub fn assign_sampled(
        &self,
        rater_id: &str,
        picks: &[String],
        round: &SamplingRound,
    ) -> Result<usize> {
        self.require_lead("recording a sampling round")?;
        let rater = self.rater_key(rater_id)?;
        let keys = self.external_keys()?;
        let key = |id: &str| {
            keys.get(id)
                .copied()
                .ok_or_else(|| Error::NotFound(format!("response {id}")))
        };
        if let Some(c) = round
            .candidates
            .iter()
            .find(|c| !(0.0..=1.0).contains(&c.probability))
        {
            return Err(Error::Invalid(format!(
                "response {}: sampling probability {} is outside [0, 1]",
                c.response_id, c.probability
            )));
        }
        let pick_keys = picks.iter().map(|p| key(p)).collect::<Result<Vec<i64>>>()?;
        let candidate_keys = round
            .candidates
            .iter()
            .map(|c| key(&c.response_id))
            .collect::<Result<Vec<i64>>>()?;
        let tx = self.write()?;
        // A queue's order keys are its positions 0..n (the queue pages by key range), so the
        // picks take 0..k and the rest of the queue follows in its old order.
        let queued: Vec<i64> = tx
            .prepare("SELECT response_id FROM assignment WHERE rater_id = ?1 ORDER BY order_key")?
            .query_map([rater], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut first: Vec<i64> = Vec::with_capacity(pick_keys.len());
        for &k in &pick_keys {
            if !first.contains(&k) {
                first.push(k);
            }
        }
        let was_queued: HashSet<i64> = queued.iter().copied().collect();
        let added = first.iter().filter(|k| !was_queued.contains(k)).count();
        let picked: HashSet<i64> = first.iter().copied().collect();
        let order = first
            .iter()
            .copied()
            .chain(queued.into_iter().filter(|k| !picked.contains(k)));
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO assignment (rater_id, response_id, order_key) VALUES (?1, ?2, ?3)
                 ON CONFLICT (rater_id, response_id) DO UPDATE SET order_key = excluded.order_key",
            )?;
            for (position, response) in order.enumerate() {
                upsert.execute(params![rater, response, position as i64])?;
            }
            tx.execute(
                "INSERT INTO sampling_round (gid, created_at, rater_id, seed, uniform_mix)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    new_gid(),
                    now_ms(),
                    rater,
                    round.seed as i64,
                    round.uniform_mix
                ],
            )?;
            let id = tx.last_insert_rowid();
            let mut insert = tx.prepare_cached(
                "INSERT INTO sampling_probability (round_id, response_id, probability, rated)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (c, response) in round.candidates.iter().zip(candidate_keys) {
                insert.execute(params![id, response, c.probability, c.rated])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// How many sampling rounds are recorded: a cheap test of whether
    /// [`Study::sampling_rounds`] changed (rounds are only ever added).
    pub fn sampling_round_count(&self) -> Result<usize> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sampling_round", [], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Every recorded sampling round, oldest first by (creation time, global id), so a master
    /// and a merged copy list the same rounds in the same order whatever the merge order.
    pub fn sampling_rounds(&self) -> Result<Vec<SamplingRound>> {
        let mut rounds: Vec<(i64, SamplingRound)> = self
            .conn
            .prepare("SELECT id, seed, uniform_mix FROM sampling_round ORDER BY created_at, gid")?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    SamplingRound {
                        seed: r.get::<_, i64>(1)? as u64,
                        uniform_mix: r.get(2)?,
                        candidates: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if rounds.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare(
            "SELECT p.round_id, r.external_id, p.probability, p.rated
             FROM sampling_probability p JOIN response r ON r.id = p.response_id
             ORDER BY p.round_id, p.response_id",
        )?;
        let at: HashMap<i64, usize> = rounds.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let round: i64 = row.get(0)?;
            rounds[at[&round]].1.candidates.push(SampledResponse {
                response_id: row.get(1)?,
                probability: row.get(2)?,
                rated: row.get(3)?,
            });
        }
        Ok(rounds.into_iter().map(|(_, r)| r).collect())
    }

    /// External id → key of every response, read once.
    fn external_keys(&self) -> Result<HashMap<String, i64>> {
        let mut stmt = self.conn.prepare("SELECT external_id, id FROM response")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
