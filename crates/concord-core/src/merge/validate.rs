//! Row-level validation of an incoming file attached as `pkg`, before anything is written.

use std::path::Path;

use rusqlite::Connection;

use super::{refuse, CLOCK_TOLERANCE_MS};
use crate::error::Result;
use crate::ids::now_ms;

/// Row-level checks of the attached file `pkg` against this study; the first failure names
/// the row.
pub(super) fn validate_rows(conn: &Connection, file: &Path, is_package: bool) -> Result<()> {
    let first = |sql: &str| -> Result<Option<String>> {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    };
    let limit = now_ms() + CLOCK_TOLERANCE_MS;
    // A package's rows are matched by global id and text alone: a blind package carries
    // package-local external ids and no model (see `package.rs`). A copy must match in full.
    let (same_ids, same_model) = if is_package {
        ("", "")
    } else {
        ("OR m.external_id <> p.external_id", "OR m.model <> p.model")
    };
    let checks: Vec<String> = vec![
        "SELECT 'rater ''' || p.name || ''' is not a rater of this study (a package cannot add raters)'
             FROM pkg.rater p LEFT JOIN main.rater m ON m.gid = p.gid
             WHERE m.id IS NULL OR m.name <> p.name OR m.kind <> p.kind".into(),
        format!("SELECT 'item ''' || coalesce(m.external_id, p.external_id) || ''' is not in this study (a package cannot add items)'
             FROM pkg.item p LEFT JOIN main.item m ON m.gid = p.gid
             WHERE m.id IS NULL {same_ids} OR m.text <> p.text"),
        format!("SELECT 'response ''' || coalesce(m.external_id, p.external_id) || ''' is not in this study, or differs from it (a package cannot add or change responses)'
             FROM pkg.response p LEFT JOIN main.response m ON m.gid = p.gid
             WHERE m.id IS NULL {same_ids} OR m.text <> p.text {same_model}"),
        "SELECT 'attribute ''' || p.key || ''' differs from this study''s rubric'
             FROM pkg.attribute p LEFT JOIN main.attribute m ON m.gid = p.gid
             WHERE m.id IS NULL OR m.key <> p.key OR m.scale_min <> p.scale_min OR m.scale_max <> p.scale_max".into(),
        "SELECT 'the rubric has ' || (SELECT count(*) FROM pkg.attribute) || ' attributes, this study''s '
                    || (SELECT count(*) FROM main.attribute)
             WHERE (SELECT count(*) FROM pkg.attribute) <> (SELECT count(*) FROM main.attribute)".into(),
        format!(
                "SELECT 'rating event ' || lower(hex(e.gid)) || ' (rater ''' || t.name || ''', response '''
                        || p.external_id || ''') is dated ' || strftime('%Y-%m-%dT%H:%M:%SZ', e.created_at / 1000, 'unixepoch')
                        || ', later than this computer''s clock allows'
                 FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id JOIN pkg.response p ON p.id = e.response_id
                 WHERE e.created_at > {limit}
                 UNION ALL
                 SELECT 'note event ' || lower(hex(e.gid)) || ' (rater ''' || t.name || ''') is dated later than now'
                 FROM pkg.note_event e JOIN pkg.rater t ON t.id = e.rater_id WHERE e.created_at > {limit}
                 UNION ALL
                 SELECT 'gold event ' || lower(hex(e.gid)) || ' is dated later than now'
                 FROM pkg.gold_event e WHERE e.created_at > {limit}"
        ),
    ];
    for sql in &checks {
        if let Some(problem) = first(sql)? {
            return Err(refuse(file, problem));
        }
    }
    if is_package {
        let package_checks = [
            "SELECT 'rating event ' || lower(hex(e.gid)) || ' is by rater ''' || t.name
                    || ''', not the package''s rater ''' || (SELECT r.name FROM pkg.package k JOIN pkg.rater r ON r.id = k.rater_id) || ''''
             FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id
             WHERE e.rater_id <> (SELECT rater_id FROM pkg.package)
             UNION ALL
             SELECT 'note event ' || lower(hex(e.gid)) || ' is by rater ''' || t.name || ''', not the package''s rater'
             FROM pkg.note_event e JOIN pkg.rater t ON t.id = e.rater_id
             WHERE e.rater_id <> (SELECT rater_id FROM pkg.package)",
            "SELECT 'rater ''' || t.name || ''' in the package is not its rater (a package holds one rater)'
             FROM pkg.rater t WHERE t.id <> (SELECT rater_id FROM pkg.package)",
            "SELECT 'rating event ' || lower(hex(e.gid)) || ' is on response '''
                    || (SELECT m.external_id FROM main.response m WHERE m.gid = p.gid)
                    || ''', which is not assigned to ''' || t.name || ''' in this study'
             FROM pkg.rating_event e JOIN pkg.rater t ON t.id = e.rater_id JOIN pkg.response p ON p.id = e.response_id
             WHERE NOT EXISTS (SELECT 1 FROM main.assignment a
                 JOIN main.rater mr ON mr.id = a.rater_id JOIN main.response mp ON mp.id = a.response_id
                 WHERE mr.gid = t.gid AND mp.gid = p.gid)",
            "SELECT 'it holds ' || count(*) || ' gold values (a rater package carries none)'
             FROM pkg.gold_event HAVING count(*) > 0",
        ];
        for sql in package_checks {
            if let Some(problem) = first(sql)? {
                return Err(refuse(file, problem));
            }
        }
    }
    Ok(())
}
