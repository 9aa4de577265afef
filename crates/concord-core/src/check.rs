//! `concord check`: SQLite's own integrity check plus the store's invariants. Also run on every
//! file that arrives for a merge, before anything is written.

use rusqlite::Connection;

use crate::error::Result;

/// Problems found in the database `schema` ("main" or an attached name); empty when sound.
pub(crate) fn problems_in(conn: &Connection, schema: &str) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let integrity: String =
        conn.query_row(&format!("PRAGMA {schema}.integrity_check"), [], |r| {
            r.get(0)
        })?;
    if integrity != "ok" {
        problems.push(format!("SQLite integrity check: {integrity}"));
    }
    let mut fk = conn.prepare(&format!("PRAGMA {schema}.foreign_key_check"))?;
    let n_fk = fk.query_map([], |_| Ok(()))?.count();
    if n_fk > 0 {
        problems.push(format!("{n_fk} rows reference missing records"));
    }
    // Each invariant counts the rows that break it. The current tables are derived from the
    // logs by the latest (created_at, gid) rule, so they are recomputed here in one pass.
    let invariants = [
        (
            "current ratings that are not the latest event of their cell",
            "WITH latest AS (
                SELECT rater_id, response_id, attribute_id, id,
                       row_number() OVER (PARTITION BY rater_id, response_id, attribute_id
                                          ORDER BY created_at DESC, gid DESC) AS k
                FROM S.rating_event)
             SELECT (SELECT count(*) FROM latest l WHERE l.k = 1 AND NOT EXISTS (
                        SELECT 1 FROM S.rating r WHERE r.rater_id = l.rater_id
                          AND r.response_id = l.response_id AND r.attribute_id = l.attribute_id
                          AND r.event_id = l.id))
                  + (SELECT count(*) FROM S.rating) - (SELECT count(*) FROM latest WHERE k = 1)",
        ),
        (
            "packed rating blocks that differ from the current ratings",
            "SELECT (SELECT count(*) FROM S.rating c JOIN S.attribute a ON a.id = c.attribute_id
                     LEFT JOIN S.rating_block b ON b.rater_id = c.rater_id
                                               AND b.block = (c.response_id - 1) / 32
                     WHERE b.vals IS NULL
                        OR substr(b.vals, ((c.response_id - 1) % 32) * (SELECT max(id) FROM S.attribute)
                                          + a.id, 1) IS NOT
                           CASE WHEN c.value IS NULL THEN ' ' ELSE char(48 + c.value - a.scale_min) END)
                  + (SELECT count(*) FROM S.rating_block b
                     WHERE length(b.vals) <> 32 * (SELECT max(id) FROM S.attribute)
                        OR length(replace(b.vals, ' ', '')) <> (SELECT count(*) FROM S.rating c
                           WHERE c.rater_id = b.rater_id
                             AND c.response_id BETWEEN 32 * b.block + 1 AND 32 * b.block + 32
                             AND c.value IS NOT NULL))",
        ),
        (
            "values outside their attribute's scale",
            "SELECT count(*) FROM S.rating_event e JOIN S.attribute a ON a.id = e.attribute_id
             WHERE e.value IS NOT NULL AND (e.value < a.scale_min OR e.value > a.scale_max)",
        ),
        (
            "notes that are not the latest note event",
            "WITH latest AS (
                SELECT rater_id, response_id, id,
                       row_number() OVER (PARTITION BY rater_id, response_id
                                          ORDER BY created_at DESC, gid DESC) AS k
                FROM S.note_event)
             SELECT (SELECT count(*) FROM latest l WHERE l.k = 1 AND NOT EXISTS (
                        SELECT 1 FROM S.response_note n WHERE n.rater_id = l.rater_id
                          AND n.response_id = l.response_id AND n.event_id = l.id))
                  + (SELECT count(*) FROM S.response_note) - (SELECT count(*) FROM latest WHERE k = 1)",
        ),
        (
            "gold values that are not the latest gold event",
            "WITH latest AS (
                SELECT response_id, attribute_id, id,
                       row_number() OVER (PARTITION BY response_id, attribute_id
                                          ORDER BY created_at DESC, gid DESC) AS k
                FROM S.gold_event)
             SELECT (SELECT count(*) FROM latest l WHERE l.k = 1 AND NOT EXISTS (
                        SELECT 1 FROM S.gold g WHERE g.response_id = l.response_id
                          AND g.attribute_id = l.attribute_id AND g.event_id = l.id))
                  + (SELECT count(*) FROM S.gold) - (SELECT count(*) FROM latest WHERE k = 1)",
        ),
        (
            "gold values outside their attribute's scale",
            "SELECT count(*) FROM S.gold_event e JOIN S.attribute a ON a.id = e.attribute_id
             WHERE e.value < a.scale_min OR e.value > a.scale_max",
        ),
        (
            // `Study::info` counts a lead's events by the largest id.
            "rating event ids missing from a lead's numbering (1, 2, …)",
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM S.package) THEN 0
                         ELSE coalesce(max(id), 0) - count(*) END
             FROM S.rating_event",
        ),
        (
            "ids that are not 16-byte UUIDs",
            "SELECT (SELECT count(*) FROM S.rating_event WHERE length(gid) <> 16)
                  + (SELECT count(*) FROM S.note_event WHERE length(gid) <> 16)
                  + (SELECT count(*) FROM S.gold_event WHERE length(gid) <> 16)
                  + (SELECT count(*) FROM S.rater WHERE length(gid) <> 16)
                  + (SELECT count(*) FROM S.response WHERE length(gid) <> 16)
                  + (SELECT count(*) FROM S.origin WHERE length(gid) <> 16)",
        ),
    ];
    for (what, sql) in invariants {
        let n: i64 = conn.query_row(&sql.replace("S.", &format!("{schema}.")), [], |r| r.get(0))?;
        if n > 0 {
            problems.push(format!("{n} {what}"));
        }
    }
    Ok(problems)
}

/// Problems found in a study's own file.
pub(crate) fn problems(conn: &Connection) -> Result<Vec<String>> {
    problems_in(conn, "main")
}
