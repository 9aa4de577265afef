//! The study file: one SQLite file per study (or rater package), opened like a document.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};
use crate::ids::{new_id, now_ms};
use crate::model::{Rater, RaterCounts, RaterKind, StudyInfo, StudySettings};
use crate::rubric::{Attribute, Level, Rubric};
use crate::schema;

/// An open study file. Every write is one transaction, durable when the call returns.
pub struct Study {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// This file's study id; stamped as `origin` on events created here.
    pub(crate) origin: String,
    /// Attribute key → id; the rubric is fixed once a study exists.
    pub(crate) attribute_ids: HashMap<String, String>,
}

impl Study {
    /// Creates a new study file with `rubric`; refuses to overwrite an existing file.
    pub fn create(path: &Path, name: &str, rubric: &Rubric) -> Result<Study> {
        let conn = schema::create(path)?;
        let settings = StudySettings {
            flags: rubric.flags.clone(),
            ..StudySettings::default()
        };
        let tx = conn.unchecked_transaction()?;
        let study_id = new_id();
        tx.execute(
            "INSERT INTO study (id, name, created_at, settings) VALUES (?1, ?2, ?3, ?4)",
            params![
                study_id,
                name,
                now_ms(),
                serde_json::to_string(&settings).expect("settings serialize")
            ],
        )?;
        let rubric_id = new_id();
        tx.execute(
            "INSERT INTO rubric (id, name) VALUES (?1, ?2)",
            params![rubric_id, rubric.name],
        )?;
        for (position, a) in rubric.attributes.iter().enumerate() {
            let attribute_id = new_id();
            tx.execute(
                "INSERT INTO attribute (id, rubric_id, key, label, description, grp, position, scale_min, scale_max)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![attribute_id, rubric_id, a.key, a.label, a.description, a.group, position as i64, a.scale_min, a.scale_max],
            )?;
            for l in &a.levels {
                tx.execute(
                    "INSERT INTO attribute_level (attribute_id, value, descriptor) VALUES (?1, ?2, ?3)",
                    params![attribute_id, l.value, l.descriptor],
                )?;
            }
        }
        tx.commit()?;
        Study::from_connection(conn, path)
    }

    /// Opens an existing study file (see [`schema`] for the checks made).
    pub fn open(path: &Path) -> Result<Study> {
        let conn = schema::open(path)?;
        Study::from_connection(conn, path)
    }

    fn from_connection(conn: Connection, path: &Path) -> Result<Study> {
        let origin: String = conn
            .query_row("SELECT id FROM study", [], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotAStudy {
                path: path.to_path_buf(),
                message: "study record missing".into(),
            })?;
        let attribute_ids = {
            let mut stmt = conn.prepare("SELECT key, id FROM attribute")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<HashMap<String, String>>>()?
        };
        Ok(Study {
            conn,
            path: path.to_path_buf(),
            origin,
            attribute_ids,
        })
    }

    /// The file this study lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This file's study id (a package has its own).
    pub fn id(&self) -> &str {
        &self.origin
    }

    /// The study's display name.
    pub fn name(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT name FROM study", [], |r| r.get(0))?)
    }

    /// Study-wide settings.
    pub fn settings(&self) -> Result<StudySettings> {
        let json: String = self
            .conn
            .query_row("SELECT settings FROM study", [], |r| r.get(0))?;
        serde_json::from_str(&json)
            .map_err(|e| Error::Invalid(format!("study settings are not valid: {e}")))
    }

    /// Replaces the study-wide settings.
    pub fn set_settings(&self, settings: &StudySettings) -> Result<()> {
        let json = serde_json::to_string(settings).expect("settings serialize");
        self.conn
            .execute("UPDATE study SET settings = ?1", [json])?;
        Ok(())
    }

    /// The study's rubric, attributes in display order.
    pub fn rubric(&self) -> Result<Rubric> {
        let name: String = self
            .conn
            .query_row("SELECT name FROM rubric", [], |r| r.get(0))?;
        let mut stmt = self.conn.prepare(
            "SELECT id, key, label, description, grp, scale_min, scale_max FROM attribute ORDER BY position",
        )?;
        let mut levels_stmt = self.conn.prepare(
            "SELECT value, descriptor FROM attribute_level WHERE attribute_id = ?1 ORDER BY value",
        )?;
        let rows: Vec<(String, Attribute)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Attribute {
                        key: r.get(1)?,
                        label: r.get(2)?,
                        description: r.get(3)?,
                        group: r.get(4)?,
                        scale_min: r.get(5)?,
                        scale_max: r.get(6)?,
                        levels: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut attributes = Vec::with_capacity(rows.len());
        for (id, mut a) in rows {
            a.levels = levels_stmt
                .query_map([id], |r| {
                    Ok(Level {
                        value: r.get(0)?,
                        descriptor: r.get(1)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            attributes.push(a);
        }
        Ok(Rubric {
            name,
            description: String::new(),
            attributes,
            flags: self.settings()?.flags,
        })
    }

    /// Counts of items, responses, raters and current ratings.
    pub fn info(&self) -> Result<StudyInfo> {
        let count = |sql: &str| -> Result<usize> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as usize)
        };
        Ok(StudyInfo {
            name: self.name()?,
            items: count("SELECT count(*) FROM item")?,
            responses: count("SELECT count(*) FROM response")?,
            raters: RaterCounts {
                human: count("SELECT count(*) FROM rater WHERE kind = 'human'")?,
                llm: count("SELECT count(*) FROM rater WHERE kind = 'llm'")?,
            },
            ratings: count("SELECT count(*) FROM rating WHERE value IS NOT NULL")?,
            events: count("SELECT count(*) FROM rating_event")?,
            schema_version: schema::SCHEMA_VERSION,
        })
    }

    /// All raters, humans first, by name.
    pub fn raters(&self) -> Result<Vec<Rater>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, kind FROM rater ORDER BY kind, name")?;
        let rows = stmt.query_map([], rater_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The rater with this display name.
    pub fn find_rater(&self, name: &str) -> Result<Option<Rater>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, kind FROM rater WHERE name = ?1",
                [name],
                rater_from_row,
            )
            .optional()?)
    }

    /// Adds a rater; the name must be new.
    pub fn add_rater(&self, name: &str, kind: RaterKind) -> Result<Rater> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a rater needs a name".into()));
        }
        if self.find_rater(name)?.is_some() {
            return Err(Error::Invalid(format!(
                "a rater named '{name}' already exists"
            )));
        }
        let rater = Rater {
            id: new_id(),
            name: name.to_string(),
            kind,
        };
        self.conn.execute(
            "INSERT INTO rater (id, name, kind) VALUES (?1, ?2, ?3)",
            params![rater.id, rater.name, kind.as_str()],
        )?;
        Ok(rater)
    }

    /// The rater with this name, created with `kind` on first sight.
    pub(crate) fn rater_by_name_or_create(&self, name: &str, kind: RaterKind) -> Result<Rater> {
        match self.find_rater(name)? {
            Some(r) if r.kind != kind => Err(Error::Invalid(format!(
                "rater '{name}' exists as {} and cannot be imported as {}",
                r.kind.as_str(),
                kind.as_str()
            ))),
            Some(r) => Ok(r),
            None => self.add_rater(name, kind),
        }
    }

    pub(crate) fn attribute_id(&self, key: &str) -> Result<&str> {
        self.attribute_ids
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| Error::NotFound(format!("attribute '{key}'")))
    }

    /// Errors unless `value` lies on the scale of the attribute `key` (id `attribute_id`).
    pub(crate) fn check_on_scale(&self, attribute_id: &str, key: &str, value: i64) -> Result<()> {
        let (lo, hi): (i64, i64) = self.conn.query_row(
            "SELECT scale_min, scale_max FROM attribute WHERE id = ?1",
            [attribute_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if !(lo..=hi).contains(&value) {
            return Err(Error::Invalid(format!(
                "{key}: {value} is outside the scale {lo}–{hi}"
            )));
        }
        Ok(())
    }

    /// The internal id of the response with this external id.
    pub(crate) fn response_id_of(&self, external_id: &str) -> Result<String> {
        self.conn
            .query_row(
                "SELECT id FROM response WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("response '{external_id}'")))
    }

    /// Runs `PRAGMA integrity_check` and the store's own invariants; returns the problems found.
    pub fn check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let integrity: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if integrity != "ok" {
            problems.push(format!("SQLite integrity check: {integrity}"));
        }
        let mut fk = self.conn.prepare("PRAGMA foreign_key_check")?;
        let n_fk = fk.query_map([], |_| Ok(()))?.count();
        if n_fk > 0 {
            problems.push(format!("{n_fk} rows reference missing records"));
        }
        let invariants = [
            (
                "current ratings that are not the latest event of their cell",
                "SELECT count(*) FROM rating r WHERE r.event_id IS NOT (
                   SELECT e.id FROM rating_event e
                   WHERE e.rater_id = r.rater_id AND e.response_id = r.response_id AND e.attribute_id = r.attribute_id
                   ORDER BY e.created_at DESC, e.id DESC LIMIT 1)",
            ),
            (
                "cells with events but no current rating",
                "SELECT count(*) FROM (SELECT DISTINCT rater_id, response_id, attribute_id FROM rating_event) c
                 WHERE NOT EXISTS (SELECT 1 FROM rating r WHERE r.rater_id = c.rater_id
                   AND r.response_id = c.response_id AND r.attribute_id = c.attribute_id)",
            ),
            (
                "values outside their attribute's scale",
                "SELECT count(*) FROM rating_event e JOIN attribute a ON a.id = e.attribute_id
                 WHERE e.value IS NOT NULL AND (e.value < a.scale_min OR e.value > a.scale_max)",
            ),
            (
                "notes that are not the latest note event",
                "SELECT count(*) FROM response_note n WHERE n.event_id IS NOT (
                   SELECT e.id FROM note_event e WHERE e.rater_id = n.rater_id AND e.response_id = n.response_id
                   ORDER BY e.created_at DESC, e.id DESC LIMIT 1)",
            ),
        ];
        for (what, sql) in invariants {
            let n: i64 = self.conn.query_row(sql, [], |r| r.get(0))?;
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        }
        Ok(problems)
    }
}

fn rater_from_row(r: &rusqlite::Row) -> rusqlite::Result<Rater> {
    let kind: String = r.get(2)?;
    Ok(Rater {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: RaterKind::parse(&kind).unwrap_or(RaterKind::Human),
    })
}
