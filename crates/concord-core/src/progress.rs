//! Progress per rater for the lead: assigned, done, partial and flagged responses, the last
//! activity and the median time per response, read from the study (its own ratings and every
//! merged package's) in one query, and which raters' packages are out and for how long.

use std::collections::HashMap;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{format_utc_ms, now_ms};
use crate::study::Study;

/// A gap longer than this between two responses is a break, not time spent on the later one.
pub const BREAK_MS: i64 = 30 * 60 * 1000;

/// A package out longer than this many days is marked overdue unless the lead says otherwise.
pub const DEFAULT_OVERDUE_DAYS: u32 = 7;

const DAY_MS: i64 = 24 * 3_600_000;

/// One human rater's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RaterProgress {
    pub rater: String,
    /// The rater's site (`site` in the rater's metadata), if recorded.
    pub site: Option<String>,
    pub assigned: usize,
    /// Assigned responses with every attribute rated.
    pub done: usize,
    /// Assigned responses with some but not every attribute rated.
    pub partial: usize,
    /// Assigned responses the rater flagged.
    pub flagged: usize,
    /// Time (UTC) of the rater's latest rating or note.
    pub last_activity: Option<String>,
    /// Median seconds between finishing one response and the next (breaks over
    /// [`BREAK_MS`] left out); `None` before two responses are touched.
    pub median_seconds: Option<f64>,
    /// Since when (UTC) the rater's latest package is out: issued by this master and not
    /// merged back; `None` when it came back or none was issued.
    pub package_out_since: Option<String>,
    /// The package has been out longer than the report's `overdue_days`.
    pub overdue: bool,
}

/// Every human rater's progress, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressReport {
    /// Days a package may be out before its rater is marked overdue.
    pub overdue_days: u32,
    pub raters: Vec<RaterProgress>,
}

/// Binds ?1 = number of attributes, ?2 = break length in ms. "Touched" is a rater's latest
/// event (rating or note) per response; the median takes the middle one or two gaps.
const PROGRESS_SQL: &str = "
    WITH cells AS (
        SELECT rater_id, response_id, count(value) AS n_set FROM rating GROUP BY rater_id, response_id
    ), status AS (
        SELECT a.rater_id, coalesce(c.n_set, 0) AS n_set, coalesce(n.flags <> '[]', 0) AS flagged
        FROM assignment a
        LEFT JOIN cells c ON c.rater_id = a.rater_id AND c.response_id = a.response_id
        LEFT JOIN response_note n ON n.rater_id = a.rater_id AND n.response_id = a.response_id
    ), counts AS (
        SELECT rater_id, count(*) AS assigned, sum(n_set >= ?1) AS done,
               sum(n_set > 0 AND n_set < ?1) AS partial, sum(flagged) AS flagged
        FROM status GROUP BY rater_id
    ), touched AS (
        SELECT rater_id, response_id, max(created_at) AS last FROM (
            SELECT r.rater_id, r.response_id, e.created_at
            FROM rating r JOIN rating_event e ON e.id = r.event_id
            UNION ALL SELECT rater_id, response_id, created_at FROM response_note)
        GROUP BY rater_id, response_id
    ), gaps AS (
        SELECT rater_id, last - lag(last) OVER (PARTITION BY rater_id ORDER BY last) AS gap
        FROM touched
    ), ranked AS (
        SELECT rater_id, gap, row_number() OVER (PARTITION BY rater_id ORDER BY gap) AS i,
               count(*) OVER (PARTITION BY rater_id) AS m
        FROM gaps WHERE gap IS NOT NULL AND gap <= ?2
    ), medians AS (
        SELECT rater_id, avg(gap) / 1000.0 AS seconds FROM ranked
        WHERE i IN ((m + 1) / 2, (m + 2) / 2) GROUP BY rater_id
    ), latest AS (
        SELECT rater_id, max(last) AS last FROM touched GROUP BY rater_id
    )
    SELECT t.name, json_extract(t.metadata, '$.site'), coalesce(c.assigned, 0),
           coalesce(c.done, 0), coalesce(c.partial, 0), coalesce(c.flagged, 0), l.last, d.seconds,
           t.id
    FROM rater t
    LEFT JOIN counts c ON c.rater_id = t.id
    LEFT JOIN latest l ON l.rater_id = t.id
    LEFT JOIN medians d ON d.rater_id = t.id
    WHERE t.kind = 'human'
    ORDER BY t.name";

impl Study {
    /// Every human rater's progress (see [`RaterProgress`]), overdue after
    /// [`DEFAULT_OVERDUE_DAYS`].
    pub fn progress_report(&self) -> Result<ProgressReport> {
        self.progress_report_overdue(DEFAULT_OVERDUE_DAYS)
    }

    /// Every human rater's progress, a package out longer than `overdue_days` marked overdue.
    pub fn progress_report_overdue(&self, overdue_days: u32) -> Result<ProgressReport> {
        let out = self.packages_out()?;
        let now = now_ms();
        let mut stmt = self.conn.prepare(PROGRESS_SQL)?;
        let count = |v: i64| v as usize;
        let raters = stmt
            .query_map(params![self.attributes.len() as i64, BREAK_MS], |r| {
                let rater: i64 = r.get(8)?;
                let since = out.get(&rater).copied();
                Ok(RaterProgress {
                    rater: r.get(0)?,
                    site: r.get(1)?,
                    assigned: count(r.get(2)?),
                    done: count(r.get(3)?),
                    partial: count(r.get(4)?),
                    flagged: count(r.get(5)?),
                    last_activity: r.get::<_, Option<i64>>(6)?.map(format_utc_ms),
                    median_seconds: r.get(7)?,
                    package_out_since: since.map(format_utc_ms),
                    overdue: since.is_some_and(|t| now - t > i64::from(overdue_days) * DAY_MS),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ProgressReport {
            overdue_days,
            raters,
        })
    }

    /// Rater key → issue time of the rater's latest package, when it has not been merged back.
    fn packages_out(&self) -> Result<HashMap<i64, i64>> {
        let mut latest = HashMap::new();
        for package in self.issued_packages()? {
            latest.insert(package.rater, package);
        }
        Ok(latest
            .into_values()
            .filter(|p| !p.merged)
            .map(|p| (p.rater, p.issued_at))
            .collect())
    }
}
