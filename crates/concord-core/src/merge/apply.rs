//! The accepted merge: one IMMEDIATE transaction that adds the events this study lacks (a union by
//! global id; the triggers resolve each cell to its latest event), records the cells one rater
//! edited in two diverged copies as conflicts, and writes the receipt; a copy of the study also
//! brings its gold events and its active sampling rounds.

use std::collections::BTreeMap;

use rusqlite::params;

use super::conflicts::conflicts_where;
use super::{kind, MergeOptions, MergeSummary, RaterReceipt};
use crate::error::Result;
use crate::ids::now_ms;
use crate::study::Study;

/// The incoming rating events this study lacks, with the sender's keys mapped to this study's
/// through global ids (validation has made sure every one maps).
const MAP_SQL: &str = "
    CREATE TEMP TABLE incoming AS
    SELECT e.gid, mr.id AS rater_id, mp.id AS response_id, ma.id AS attribute_id, e.value,
           e.created_at, po.gid AS origin, e.undoes
    FROM pkg.rating_event e
    JOIN pkg.rater pr ON pr.id = e.rater_id JOIN main.rater mr ON mr.gid = pr.gid
    JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
    JOIN pkg.attribute pa ON pa.id = e.attribute_id JOIN main.attribute ma ON ma.gid = pa.gid
    JOIN pkg.origin po ON po.id = e.origin_id
    WHERE NOT EXISTS (SELECT 1 FROM main.rating_event x WHERE x.gid = e.gid);";

impl Study {
    /// Merges the validated file attached as `pkg`; see the module docs.
    pub(super) fn merge_attached(
        &self,
        file: &str,
        package_id: &str,
        hash: &str,
        opts: &MergeOptions,
        accepted_altered: Option<String>,
    ) -> Result<MergeSummary> {
        let tx = self.write()?;
        tx.execute_batch(MAP_SQL)?;
        // Cells the incoming events touch, with this study's value before the merge and whether
        // the sender had seen that value's event (if not, the copies diverged on this cell).
        tx.execute_batch(
            "CREATE TEMP TABLE touched AS
             SELECT n.rater_id, n.response_id, n.attribute_id,
                    r.value AS before, r.event_id AS before_event,
                    (r.event_id IS NULL OR EXISTS (SELECT 1 FROM pkg.rating_event x
                        WHERE x.gid = (SELECT gid FROM main.rating_event WHERE id = r.event_id))) AS seen
             FROM (SELECT DISTINCT rater_id, response_id, attribute_id FROM temp.incoming) n
             LEFT JOIN main.rating r ON r.rater_id = n.rater_id AND r.response_id = n.response_id
                                    AND r.attribute_id = n.attribute_id;",
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO main.origin (gid) SELECT gid FROM pkg.origin",
            [],
        )?;
        let events_added = tx.execute(
            "INSERT INTO main.rating_event (gid, rater_id, response_id, attribute_id, value, created_at, origin_id, undoes)
             SELECT i.gid, i.rater_id, i.response_id, i.attribute_id, i.value, i.created_at, o.id, i.undoes
             FROM temp.incoming i JOIN main.origin o ON o.gid = i.origin
             ORDER BY i.created_at, i.gid",
            [],
        )?;
        let notes_added = tx.execute(
            "INSERT INTO main.note_event (gid, rater_id, response_id, rationale, flags, created_at, origin_id)
             SELECT e.gid, mr.id, mp.id, e.rationale, e.flags, e.created_at, mo.id
             FROM pkg.note_event e
             JOIN pkg.rater pr ON pr.id = e.rater_id JOIN main.rater mr ON mr.gid = pr.gid
             JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
             JOIN pkg.origin po ON po.id = e.origin_id JOIN main.origin mo ON mo.gid = po.gid
             WHERE NOT EXISTS (SELECT 1 FROM main.note_event x WHERE x.gid = e.gid)
             ORDER BY e.created_at, e.gid",
            [],
        )?;
        let gold_added = if opts.copy {
            tx.execute(
                "INSERT INTO main.gold_event (gid, response_id, attribute_id, value, adjudicator, reason, created_at, origin_id)
                 SELECT e.gid, mp.id, ma.id, e.value, e.adjudicator, e.reason, e.created_at, mo.id
                 FROM pkg.gold_event e
                 JOIN pkg.response pp ON pp.id = e.response_id JOIN main.response mp ON mp.gid = pp.gid
                 JOIN pkg.attribute pa ON pa.id = e.attribute_id JOIN main.attribute ma ON ma.gid = pa.gid
                 JOIN pkg.origin po ON po.id = e.origin_id JOIN main.origin mo ON mo.gid = po.gid
                 WHERE NOT EXISTS (SELECT 1 FROM main.gold_event x WHERE x.gid = e.gid)
                 ORDER BY e.created_at, e.gid",
                [],
            )?
        } else {
            0
        };
        if opts.copy {
            copy_sampling_rounds(&tx)?;
        }
        let merged_at = now_ms();
        tx.execute(
            "INSERT INTO merge_log (package_id, file_hash, file_name, kind, merged_at, events_added, notes_added, gold_added, accepted_altered)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![package_id, hash, file, kind(opts), merged_at, events_added as i64, notes_added as i64, gold_added as i64, accepted_altered],
        )?;
        let merge_id = tx.last_insert_rowid();
        // A conflict: the sender had not seen this study's value, and its own latest value differs.
        tx.execute(
            "INSERT INTO conflict (rater_id, response_id, attribute_id, here_value, incoming_value, merge_id)
             SELECT t.rater_id, t.response_id, t.attribute_id, t.before, l.value, ?1
             FROM temp.touched t
             JOIN (SELECT rater_id, response_id, attribute_id, value,
                          row_number() OVER (PARTITION BY rater_id, response_id, attribute_id
                                             ORDER BY created_at DESC, gid DESC) AS k
                   FROM temp.incoming) l
               ON l.k = 1 AND l.rater_id = t.rater_id AND l.response_id = t.response_id
              AND l.attribute_id = t.attribute_id
             WHERE NOT t.seen AND l.value IS NOT t.before",
            [merge_id],
        )?;
        let mut per_rater: BTreeMap<String, RaterReceipt> = BTreeMap::new();
        {
            let mut stmt = tx.prepare(
                "SELECT t.name,
                        (SELECT count(*) FROM temp.incoming i WHERE i.rater_id = t.id),
                        (SELECT count(*) FROM temp.touched c JOIN main.rating r
                           ON r.rater_id = c.rater_id AND r.response_id = c.response_id AND r.attribute_id = c.attribute_id
                         WHERE c.rater_id = t.id AND r.value IS NOT c.before),
                        (SELECT count(*) FROM main.conflict k WHERE k.merge_id = ?1 AND k.rater_id = t.id)
                 FROM main.rater t WHERE t.id IN (SELECT rater_id FROM temp.incoming)",
            )?;
            let rows = stmt.query_map([merge_id], |r| {
                Ok(RaterReceipt {
                    rater: r.get(0)?,
                    events_added: r.get::<_, i64>(1)? as usize,
                    cells_changed: r.get::<_, i64>(2)? as usize,
                    conflicts: r.get::<_, i64>(3)? as usize,
                })
            })?;
            for r in rows {
                let r = r?;
                per_rater.insert(r.rater.clone(), r);
            }
        }
        let raters: Vec<RaterReceipt> = per_rater.into_values().collect();
        let cells_changed = raters.iter().map(|r| r.cells_changed).sum();
        let n_conflicts: usize = raters.iter().map(|r| r.conflicts).sum();
        tx.execute(
            "UPDATE merge_log SET cells_changed = ?1, conflicts = ?2, receipt = ?3 WHERE id = ?4",
            params![
                cells_changed as i64,
                n_conflicts as i64,
                serde_json::to_string(&raters).expect("receipt serializes"),
                merge_id
            ],
        )?;
        tx.execute_batch("DROP TABLE temp.incoming; DROP TABLE temp.touched;")?;
        let conflicts = conflicts_where(&tx, "k.merge_id = ?1", [merge_id])?;
        tx.commit()?;
        Ok(MergeSummary {
            file: file.to_string(),
            package_id: package_id.to_string(),
            kind: kind(opts).into(),
            already_merged: false,
            events_added,
            notes_added,
            gold_added,
            cells_changed,
            raters,
            conflicts,
            accepted_altered,
        })
    }
}

/// A copy's active sampling rounds this study lacks, by global id, with every candidate's π:
/// `concord estimate` weights the copy's ratings by them. A round and its probabilities are
/// written in one transaction wherever they are made, so a round present here is complete.
fn copy_sampling_rounds(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE TEMP TABLE new_round AS
         SELECT s.gid FROM pkg.sampling_round s
         WHERE NOT EXISTS (SELECT 1 FROM main.sampling_round x WHERE x.gid = s.gid);
         INSERT INTO main.sampling_round (gid, created_at, rater_id, seed, uniform_mix)
         SELECT s.gid, s.created_at, mr.id, s.seed, s.uniform_mix
         FROM pkg.sampling_round s JOIN temp.new_round n ON n.gid = s.gid
         JOIN pkg.rater pr ON pr.id = s.rater_id JOIN main.rater mr ON mr.gid = pr.gid
         ORDER BY s.created_at, s.gid;
         INSERT INTO main.sampling_probability (round_id, response_id, probability, rated)
         SELECT ms.id, mp.id, p.probability, p.rated
         FROM pkg.sampling_probability p
         JOIN pkg.sampling_round ps ON ps.id = p.round_id JOIN temp.new_round n ON n.gid = ps.gid
         JOIN main.sampling_round ms ON ms.gid = ps.gid
         JOIN pkg.response pp ON pp.id = p.response_id JOIN main.response mp ON mp.gid = pp.gid;
         DROP TABLE temp.new_round;",
    )?;
    Ok(())
}
