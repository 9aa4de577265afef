//! The study side of assignment designs: who holds which response is read from the file,
//! `design` decides what to add, and the additions (and a retired rater's hand-over) are
//! written in one transaction. Only human raters count towards a response's overlap.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::design::{self, DesignKind, Placement};
use crate::error::{Error, Result};
use crate::ids::gid_text;
use crate::queue::append_assignments;
use crate::study::{settings_json, Study};

/// What a design is balanced within.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Strata {
    /// All responses together.
    #[default]
    None,
    /// Each model's responses: every rater gets an even share of every model.
    Model,
    /// The raters' sites (`site` in a rater's metadata): as `Model`, so every site sees each
    /// model in proportion to its raters, and each response's raters come from as many
    /// different sites as the loads allow (`design::build_across_sites`).
    Site,
}

/// A request to assign: who, how many raters per response, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssignRequest {
    /// Rater ids of the design; empty = every human rater who holds assignments.
    pub raters: Vec<String>,
    /// Raters per response; `None` = the study's `overlap_target`. Stored as the new target.
    pub overlap: Option<usize>,
    pub strata: Strata,
    /// Seed of the design's random choices; `None` = the study's shuffle seed.
    pub seed: Option<u64>,
    /// A rater leaving: their unrated responses go to the design's raters.
    pub retire: Option<String>,
}

/// One rater's line of a design.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RaterLoad {
    pub rater: String,
    pub id: String,
    /// Responses assigned after the run.
    pub load: usize,
    /// Responses this run added.
    pub added: usize,
}

/// A design as the lead sees it: how it was built, loads and the rater × rater overlap matrix
/// (responses each pair shares; the diagonal is the load).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DesignSummary {
    pub kind: DesignKind,
    pub construction: String,
    pub overlap: usize,
    pub seed: u64,
    pub strata: Strata,
    pub responses: usize,
    /// Assignments added by this run.
    pub added: usize,
    /// Unrated assignments taken from a retired rater.
    pub moved: usize,
    pub raters: Vec<RaterLoad>,
    pub overlap_matrix: Vec<Vec<usize>>,
}

/// Responses in file order with their stratum and holders, and the roster's index of each key.
struct Holdings {
    responses: Vec<i64>,
    placements: Vec<Placement>,
}

impl Study {
    /// Builds and writes a balanced, connected design (see `design`): every response reaches
    /// exactly the overlap (never more), loads stay within one, pairs of raters share responses
    /// evenly. Re-running only tops up responses below the overlap.
    pub fn assign_design(&self, request: &AssignRequest) -> Result<DesignSummary> {
        let mut settings = self.settings()?;
        let overlap = request.overlap.unwrap_or(settings.overlap_target as usize);
        let seed = request.seed.unwrap_or(settings.shuffle_seed);
        let retired = request
            .retire
            .as_deref()
            .map(|id| self.rater_key(id))
            .transpose()?;
        let roster = self.roster(&request.raters, retired)?;
        if roster.is_empty() {
            return Err(Error::Invalid(
                "no raters to assign to: name them (raters hold no assignments yet)".into(),
            ));
        }
        let keys: Vec<i64> = roster.iter().map(|(k, _, _)| *k).collect();
        let tx = self.write()?;
        let moved = match retired {
            Some(r) => hand_over(&tx, r)?,
            None => 0,
        };
        let holdings = holdings(&tx, &keys, request.strata)?;
        let sites = match request.strata {
            Strata::Site => sites(&tx, &keys)?,
            Strata::None | Strata::Model => (0..keys.len() as u32).collect(),
        };
        let design =
            design::build_across_sites(keys.len(), overlap, seed, &holdings.placements, &sites)?;
        let mut per_rater = vec![Vec::new(); keys.len()];
        for &(r, a) in &design.additions {
            per_rater[a as usize].push(holdings.responses[r]);
        }
        let mut raters = Vec::with_capacity(keys.len());
        for ((key, id, name), (new, load)) in
            roster.iter().zip(per_rater.into_iter().zip(&design.loads))
        {
            let added = append_assignments(&tx, settings.shuffle_seed, *key, id, new)?;
            raters.push(RaterLoad {
                rater: name.clone(),
                id: id.clone(),
                load: *load,
                added,
            });
        }
        settings.overlap_target = overlap as u32;
        tx.execute("UPDATE study SET settings = ?1", [settings_json(&settings)])?;
        tx.commit()?;
        Ok(DesignSummary {
            kind: design.kind,
            construction: design.construction,
            overlap,
            seed,
            strata: request.strata,
            responses: holdings.responses.len(),
            added: design.additions.len(),
            moved,
            raters,
            overlap_matrix: design.overlap,
        })
    }

    /// The current design of every human rater who holds assignments (nothing is written).
    pub fn current_design(&self) -> Result<DesignSummary> {
        let settings = self.settings()?;
        let roster = self.roster(&[], None)?;
        let keys: Vec<i64> = roster.iter().map(|(k, _, _)| *k).collect();
        let holdings = holdings(&self.conn, &keys, Strata::None)?;
        let matrix = design::overlap_of(keys.len(), &holdings.placements);
        Ok(DesignSummary {
            kind: DesignKind::Unchanged,
            construction: "the assignments as they stand".into(),
            overlap: settings.overlap_target as usize,
            seed: settings.shuffle_seed,
            strata: Strata::None,
            responses: holdings.responses.len(),
            added: 0,
            moved: 0,
            raters: roster
                .into_iter()
                .enumerate()
                .map(|(i, (_, id, rater))| RaterLoad {
                    rater,
                    id,
                    load: matrix[i][i],
                    added: 0,
                })
                .collect(),
            overlap_matrix: matrix,
        })
    }

    /// (key, id, name) of the design's raters: the named ones (humans, not the retired one), or
    /// every human holding assignments.
    fn roster(&self, ids: &[String], retired: Option<i64>) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT t.id, t.gid, t.name, t.kind,
                    EXISTS (SELECT 1 FROM assignment a WHERE a.rater_id = t.id)
             FROM rater t ORDER BY t.name",
        )?;
        let all: Vec<(i64, String, String, String, bool)> = stmt
            .query_map([], |r| {
                let gid: Vec<u8> = r.get(1)?;
                Ok((r.get(0)?, gid_text(&gid), r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if ids.is_empty() {
            return Ok(all
                .into_iter()
                .filter(|t| t.3 == "human" && t.4 && Some(t.0) != retired)
                .map(|t| (t.0, t.1, t.2))
                .collect());
        }
        let mut roster = Vec::with_capacity(ids.len());
        for id in ids {
            let t = all
                .iter()
                .find(|t| &t.1 == id)
                .ok_or_else(|| Error::NotFound(format!("rater {id}")))?;
            if t.3 != "human" {
                return Err(Error::Invalid(format!(
                    "“{}” is an LLM judge, not a rater",
                    t.2
                )));
            }
            if Some(t.0) == retired {
                return Err(Error::Invalid(format!(
                    "“{}” is being retired; leave them out of the raters",
                    t.2
                )));
            }
            if roster.iter().any(|(k, _, _)| *k == t.0) {
                return Err(Error::Invalid(format!("“{}” is named twice", t.2)));
            }
            roster.push((t.0, t.1.clone(), t.2.clone()));
        }
        Ok(roster)
    }
}

/// Every response with its stratum and who holds it: roster raters by index, other humans as
/// `outside`.
fn holdings(conn: &rusqlite::Connection, roster: &[i64], strata: Strata) -> Result<Holdings> {
    let index: HashMap<i64, u16> = roster
        .iter()
        .enumerate()
        .map(|(i, k)| (*k, i as u16))
        .collect();
    let mut stmt = conn.prepare("SELECT id, model FROM response ORDER BY position, id")?;
    let mut models: HashMap<String, u32> = HashMap::new();
    let mut responses = Vec::new();
    let mut placements = Vec::new();
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let model: String = row.get(1)?;
        let next = models.len() as u32;
        let stratum = match strata {
            Strata::None => 0,
            Strata::Model | Strata::Site => *models.entry(model).or_insert(next),
        };
        responses.push(row.get::<_, i64>(0)?);
        placements.push(Placement {
            stratum,
            ..Placement::default()
        });
    }
    let position: HashMap<i64, usize> =
        responses.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let mut stmt = conn.prepare(
        "SELECT a.response_id, a.rater_id FROM assignment a JOIN rater t ON t.id = a.rater_id
         WHERE t.kind = 'human'",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let p = &mut placements[position[&row.get::<_, i64>(0)?]];
        match index.get(&row.get::<_, i64>(1)?) {
            Some(&a) => p.raters.push(a),
            None => p.outside += 1,
        }
    }
    Ok(Holdings {
        responses,
        placements,
    })
}

/// A site label per roster rater, from `site` in their metadata (trimmed; empty or missing:
/// a label of their own, so an unsited rater is never taken for anyone's colleague).
fn sites(conn: &rusqlite::Connection, roster: &[i64]) -> Result<Vec<u32>> {
    let mut stmt = conn.prepare(
        "SELECT trim(coalesce(json_extract(metadata, '$.site'), '')) FROM rater WHERE id = ?1",
    )?;
    let mut labels: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::with_capacity(roster.len());
    for (i, key) in roster.iter().enumerate() {
        let site: String = stmt.query_row([key], |r| r.get(0))?;
        out.push(if site.is_empty() {
            // Past every named site's label: unique to this rater.
            u32::MAX - i as u32
        } else {
            let next = labels.len() as u32;
            *labels.entry(site).or_insert(next)
        });
    }
    Ok(out)
}

/// Removes the rater's assignments they have not touched (no rating, cleared or not, and no
/// note) and renumbers their remaining positions `0..n` (the queue pages by position).
/// Returns how many were removed.
fn hand_over(tx: &rusqlite::Transaction, rater: i64) -> Result<usize> {
    let removed = tx.execute(
        "DELETE FROM assignment WHERE rater_id = ?1
           AND NOT EXISTS (SELECT 1 FROM rating r WHERE r.rater_id = ?1 AND r.response_id = assignment.response_id)
           AND NOT EXISTS (SELECT 1 FROM response_note n WHERE n.rater_id = ?1 AND n.response_id = assignment.response_id)",
        [rater],
    )?;
    let kept: Vec<i64> = tx
        .prepare("SELECT response_id FROM assignment WHERE rater_id = ?1 ORDER BY order_key")?
        .query_map([rater], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut renumber = tx
        .prepare("UPDATE assignment SET order_key = ?3 WHERE rater_id = ?1 AND response_id = ?2")?;
    for (position, response) in kept.iter().enumerate() {
        renumber.execute(params![rater, response, position as i64])?;
    }
    Ok(removed)
}
