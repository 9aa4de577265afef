//! The study file: one SQLite file per study (or rater package), opened like a document.
//!
//! Inside the file rows refer to each other by integer keys; callers see global ids (UUID text)
//! for raters, responses and events, and external ids / attribute keys for what they imported.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::cipher::Passphrase;
use crate::error::{Error, Result};
use crate::ids::{gid_text, new_gid, now_ms, parse_gid, Gid};
use crate::model::{RaterCounts, StudyInfo, StudyMode, StudySettings};
use crate::progress_cache::CountedProgress;
use crate::rubric::{Attribute, Level, Rubric};
use crate::schema;

/// An attribute as the store uses it: its key in this file and its scale.
#[derive(Debug, Clone)]
pub(crate) struct AttributeKey {
    pub id: i64,
    pub key: String,
    pub scale_min: i64,
    pub scale_max: i64,
}

/// One change made in this session, remembered so that undo restores exactly what the cell
/// showed before it, whatever was merged or imported meanwhile.
#[derive(Debug, Clone)]
pub(crate) struct SessionChange {
    pub rater: i64,
    pub response: i64,
    pub attribute: i64,
    pub before: Option<i64>,
    pub event: Gid,
}

/// An open study file. Every write is one `BEGIN IMMEDIATE` transaction, durable when the call
/// returns.
pub struct Study {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// This file's id; stamped (as an origin) on events created here.
    pub(crate) gid: Gid,
    id_text: String,
    /// The id shared by this study and every package and copy made from it.
    pub(crate) lineage: Gid,
    /// Key of this file's row in `origin`.
    pub(crate) origin: i64,
    /// Attributes in rubric order; the rubric is fixed once a study exists.
    pub(crate) attributes: Vec<AttributeKey>,
    /// Lead's master or rater's package; a file never changes between the two.
    mode: StudyMode,
    /// This session's changes, newest last (see [`Study::undo`]).
    pub(crate) session: RefCell<Vec<SessionChange>>,
    /// The passphrase of an encrypted study (packages made from it are encrypted with it too).
    pub(crate) passphrase: Option<Passphrase>,
    /// The progress last counted of each rater asked for (see `progress_cache.rs`); dropped by
    /// every other write.
    pub(crate) counted: RefCell<Vec<CountedProgress>>,
}

impl Study {
    /// Creates a new study file with `rubric`; refuses to overwrite an existing file.
    pub fn create(path: &Path, name: &str, rubric: &Rubric) -> Result<Study> {
        Study::create_with(path, name, rubric, None)
    }

    /// [`Study::create`], encrypted with `passphrase` when one is given.
    pub fn create_with(
        path: &Path,
        name: &str,
        rubric: &Rubric,
        passphrase: Option<&Passphrase>,
    ) -> Result<Study> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a study needs a name".into()));
        }
        passphrase.map(Passphrase::check_chosen).transpose()?;
        let settings = StudySettings {
            flags: rubric.flags.clone(),
            ..StudySettings::default()
        };
        let conn = schema::create(path, passphrase, |tx| {
            let study = new_gid();
            tx.execute(
                "INSERT INTO study (id, lineage, name, created_at, settings) VALUES (?1, ?1, ?2, ?3, ?4)",
                params![study, name, now_ms(), settings_json(&settings)],
            )?;
            tx.execute("INSERT INTO origin (gid) VALUES (?1)", [study])?;
            tx.execute(
                "INSERT INTO rubric (gid, name) VALUES (?1, ?2)",
                params![new_gid(), rubric.name],
            )?;
            let rubric_id = tx.last_insert_rowid();
            for (position, a) in rubric.attributes.iter().enumerate() {
                tx.execute(
                    "INSERT INTO attribute (gid, rubric_id, key, label, description, grp, position, scale_min, scale_max, group_label)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![new_gid(), rubric_id, a.key, a.label, a.description, a.group, position as i64, a.scale_min, a.scale_max, a.group_label],
                )?;
                let attribute_id = tx.last_insert_rowid();
                for l in &a.levels {
                    tx.execute(
                        "INSERT INTO attribute_level (attribute_id, value, descriptor) VALUES (?1, ?2, ?3)",
                        params![attribute_id, l.value, l.descriptor],
                    )?;
                }
            }
            Ok(())
        })?;
        Study::from_connection(conn, path, passphrase)
    }

    /// Opens an existing study file (see [`schema`] for the checks made).
    pub fn open(path: &Path) -> Result<Study> {
        Study::open_with(path, None)
    }

    /// [`Study::open`] for a study that may be encrypted: `passphrase` is its key.
    pub fn open_with(path: &Path, passphrase: Option<&Passphrase>) -> Result<Study> {
        let conn = schema::open(path, passphrase)?;
        Study::from_connection(conn, path, passphrase)
    }

    /// The passphrase this study was opened with (a second connection to it needs it).
    pub fn passphrase(&self) -> Option<&Passphrase> {
        self.passphrase.as_ref()
    }

    fn from_connection(
        conn: Connection,
        path: &Path,
        passphrase: Option<&Passphrase>,
    ) -> Result<Study> {
        let (gid, lineage): (Vec<u8>, Vec<u8>) = conn
            .query_row("SELECT id, lineage FROM study", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| Error::NotAStudy {
                path: path.to_path_buf(),
                message: "study record missing".into(),
            })?;
        let (gid, lineage) = (to_gid(&gid)?, to_gid(&lineage)?);
        let origin = conn
            .query_row("SELECT id FROM origin WHERE gid = ?1", [gid], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotAStudy {
                path: path.to_path_buf(),
                message: "the study's own origin record is missing".into(),
            })?;
        let attributes = {
            let mut stmt = conn
                .prepare("SELECT id, key, scale_min, scale_max FROM attribute ORDER BY position")?;
            let rows = stmt.query_map([], |r| {
                Ok(AttributeKey {
                    id: r.get(0)?,
                    key: r.get(1)?,
                    scale_min: r.get(2)?,
                    scale_max: r.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        let is_package: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM package)", [], |r| r.get(0))?;
        Ok(Study {
            conn,
            path: path.to_path_buf(),
            gid,
            id_text: gid_text(&gid),
            lineage,
            origin,
            attributes,
            mode: if is_package {
                StudyMode::Rater
            } else {
                StudyMode::Lead
            },
            session: RefCell::new(Vec::new()),
            passphrase: passphrase.cloned(),
            counted: RefCell::new(Vec::new()),
        })
    }

    /// Folds the write-ahead log into the study file and closes it, so the file alone holds
    /// every saved rating (to be called when the app or a command ends). While another program
    /// has the study open the fold waits for the last one to close; nothing is lost either way.
    pub fn close(self) -> Result<()> {
        schema::checkpoint(&self.conn)?;
        self.conn.close().map_err(|(_, e)| Error::Sqlite(e))
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: waits for another writer instead of
    /// failing).
    pub(crate) fn write(&self) -> Result<Transaction<'_>> {
        // Whatever this write changes, a progress counted before it may no longer hold.
        self.counted.borrow_mut().clear();
        Ok(self.conn.unchecked_transaction()?)
    }

    /// Whether this file is the lead's master or a rater's package (it holds a manifest).
    pub fn mode(&self) -> StudyMode {
        self.mode
    }

    /// Refuses `what` (a lead's operation) in a rater package.
    pub fn require_lead(&self, what: &str) -> Result<()> {
        match self.mode {
            StudyMode::Lead => Ok(()),
            StudyMode::Rater => Err(Error::LeadOnly(what.to_string())),
        }
    }

    /// The file this study lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This file's id (a package has its own).
    pub fn id(&self) -> &str {
        &self.id_text
    }

    /// The id shared by this study and every package and copy made from it.
    pub fn lineage(&self) -> String {
        gid_text(&self.lineage)
    }

    /// Why this file cannot be shared safely where it is, if so (a network filesystem).
    pub fn storage_warning(&self) -> Option<String> {
        schema::network_filesystem(&self.path).map(|fs| {
            format!(
                "{} is on a network filesystem ({fs}); several programs must not open it at once. \
                 Keep study files on a local disk and exchange packages instead.",
                self.path.display()
            )
        })
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

    /// Replaces the study-wide settings (flag names trimmed, empty ones dropped); the lead's
    /// alone (a rater cannot lift blinding).
    pub fn set_settings(&self, settings: &StudySettings) -> Result<StudySettings> {
        self.require_lead("changing the study settings")?;
        let epsilon = settings.alt_epsilon;
        if !(epsilon > 0.0 && epsilon < 1.0) {
            return Err(Error::Invalid(format!(
                "the alternative annotator test's ε must lie strictly between 0 and 1, got {epsilon}"
            )));
        }
        let mut settings = settings.clone();
        settings.flags = settings
            .flags
            .iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        let tx = self.write()?;
        tx.execute("UPDATE study SET settings = ?1", [settings_json(&settings)])?;
        tx.commit()?;
        Ok(settings)
    }

    /// The study's rubric, attributes in display order.
    pub fn rubric(&self) -> Result<Rubric> {
        let name: String = self
            .conn
            .query_row("SELECT name FROM rubric", [], |r| r.get(0))?;
        let mut stmt = self.conn.prepare(
            "SELECT id, key, label, description, grp, scale_min, scale_max, group_label FROM attribute ORDER BY position",
        )?;
        let mut levels_stmt = self.conn.prepare(
            "SELECT value, descriptor FROM attribute_level WHERE attribute_id = ?1 ORDER BY value",
        )?;
        let rows: Vec<(i64, Attribute)> = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    Attribute {
                        key: r.get(1)?,
                        label: r.get(2)?,
                        description: r.get(3)?,
                        group: r.get(4)?,
                        group_label: r.get(7)?,
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
            ratings: self.rating_count()?,
            events: count(match self.mode {
                // A lead's events are numbered 1..=n: rows are only appended, never with an
                // explicit id (`concord check` holds it), so the largest id is the count
                // without a scan of the log (~2M rows on a 70k-response study).
                StudyMode::Lead => "SELECT coalesce(max(id), 0) FROM rating_event",
                // A package keeps its master's event ids, gaps and all.
                StudyMode::Rater => "SELECT count(*) FROM rating_event",
            })?,
            schema_version: schema::SCHEMA_VERSION,
        })
    }

    /// The attribute with this key.
    pub(crate) fn attribute(&self, key: &str) -> Result<&AttributeKey> {
        self.attributes
            .iter()
            .find(|a| a.key == key)
            .ok_or_else(|| Error::NotFound(format!("attribute '{key}'")))
    }

    /// The attribute with this key in this file.
    pub(crate) fn attribute_by_id(&self, id: i64) -> Option<&AttributeKey> {
        self.attributes.iter().find(|a| a.id == id)
    }

    /// Errors unless `value` lies on the attribute's scale.
    pub(crate) fn check_on_scale(&self, attribute: &AttributeKey, value: i64) -> Result<()> {
        if !(attribute.scale_min..=attribute.scale_max).contains(&value) {
            return Err(Error::Invalid(format!(
                "{}: {value} is outside the scale {}–{}",
                attribute.key, attribute.scale_min, attribute.scale_max
            )));
        }
        Ok(())
    }

    /// The key in this file of the rater with this global id.
    pub(crate) fn rater_key(&self, rater_id: &str) -> Result<i64> {
        self.key_of("rater", rater_id)
    }

    /// The key in this file of the response with this global id.
    pub(crate) fn response_key(&self, response_id: &str) -> Result<i64> {
        self.key_of("response", response_id)
    }

    fn key_of(&self, table: &str, id: &str) -> Result<i64> {
        let missing = || Error::NotFound(format!("{table} {id}"));
        let gid = parse_gid(id).ok_or_else(missing)?;
        self.conn
            .query_row(
                &format!("SELECT id FROM {table} WHERE gid = ?1"),
                [gid],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(missing)
    }

    /// The key of the response with this external id.
    pub(crate) fn response_key_of_external(&self, external_id: &str) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM response WHERE external_id = ?1",
                [external_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("response '{external_id}'")))
    }

    /// Non-empty current ratings: the characters of `rating_block` that are not a space (a
    /// 32nd of the rows of one per rater and response; `check` keeps it equal to `rating`).
    fn rating_count(&self) -> Result<usize> {
        let mut stmt = self.conn.prepare("SELECT vals FROM rating_block")?;
        let mut rows = stmt.query([])?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            count += row
                .get_ref(0)?
                .as_str()?
                .chars()
                .filter(|&c| c != ' ')
                .count();
        }
        Ok(count)
    }

    /// External response id → global id, for every response.
    pub fn response_ids(&self) -> Result<HashMap<String, String>> {
        let mut stmt = self.conn.prepare("SELECT external_id, gid FROM response")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, gid_text(&r.get::<_, Vec<u8>>(1)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Runs `PRAGMA integrity_check` and the store's own invariants; returns the problems found.
    pub fn check(&self) -> Result<Vec<String>> {
        crate::check::problems(&self.conn)
    }
}

/// The settings as stored in the `study` row.
pub(crate) fn settings_json(settings: &StudySettings) -> String {
    serde_json::to_string(settings).expect("settings serialize")
}

fn to_gid(bytes: &[u8]) -> Result<Gid> {
    bytes
        .try_into()
        .map_err(|_| Error::Invalid("the study file holds a malformed id".into()))
}
