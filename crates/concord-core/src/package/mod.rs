//! Rater packages: the file a lead hands to one rater, and the sealed copy the rater returns.
//!
//! A package is a study file holding the rubric, one rater's assigned responses and that
//! rater's own events, plus a manifest (`package` table). It is built row by row into a
//! temporary file (never a copy of the master with rows deleted, so other raters' work, gold
//! and merge history are never in it) and renamed into place when complete. Returning seals a
//! `VACUUM INTO` copy (every saved rating, no `-wal` needed) and records in the manifest the
//! counts and a SHA-256 over every event, which the merge checks.
//!
//! A package of an encrypted study is encrypted with a passphrase of its own (given by the
//! lead or generated here), never the study's: a rater must not be able to open the master. The
//! master, itself encrypted, records it with the package (`package_log`), so the merge and the
//! unattended inbox can open the returned file; a plain study's packages are plain.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::cipher::{self, Passphrase};
use crate::error::{Error, Result};
use crate::files::{io_error, TempPath};
use crate::ids::{format_utc_ms, gid_text, new_gid, now_ms, Gid};
use crate::schema;
use crate::study::Study;

mod digest;
pub(crate) use digest::events_digest;

/// A package's manifest as stored in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Manifest {
    pub package_id: String,
    /// The study the package belongs to (its lineage).
    pub study_id: String,
    pub study_name: String,
    /// The file that exported it.
    pub master_id: String,
    pub rater_id: String,
    pub rater: String,
    /// RFC 3339 UTC.
    pub issued_at: String,
    /// Who the rater sends the package back to (the lead's setting `return_to`).
    pub return_to: String,
    pub returned_at: Option<String>,
    pub events: Option<usize>,
    pub notes: Option<usize>,
    pub events_sha256: Option<String>,
}

/// What "Return package" wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReturnedPackage {
    pub file: String,
    pub manifest: Manifest,
    /// A sentence for the rater: what to do with the file.
    pub message: String,
}

/// What exporting a package wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportedPackage {
    pub package_id: String,
    pub file: String,
    /// The package's own passphrase (an encrypted study's package), for the lead to give the
    /// rater separately from the file; `None` for a plain package.
    pub passphrase: Option<String>,
}

/// Characters of a generated passphrase: no 0/O, 1/I, so it can be read out over the phone.
const PASSPHRASE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random package passphrase: 5 groups of 4 characters from 32 symbols (100 bits).
fn generated_passphrase() -> Passphrase {
    use rand::Rng;
    let mut rng = rand::rng();
    let groups: Vec<String> = (0..5)
        .map(|_| {
            (0..4)
                .map(|_| char::from(PASSPHRASE_ALPHABET[rng.random_range(0..32)]))
                .collect()
        })
        .collect();
    Passphrase::new(groups.join("-")).expect("not empty")
}

/// The first 16 bytes of a file: an encrypted file's SQLCipher salt, or part of the plain
/// SQLite header. Only for files no connection of this process has open (a plain file handle's
/// close would drop SQLite's locks on it).
fn file_prefix(path: &Path) -> Result<Option<[u8; 16]>> {
    use std::io::Read;
    let mut prefix = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
    match file.read_exact(&mut prefix) {
        Ok(()) => Ok(Some(prefix)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(io_error(path, e)),
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A package the master issued, as `Study::issued_packages` reads it.
pub(crate) struct IssuedPackage {
    /// The rater's integer key.
    pub rater: i64,
    /// The rater's name, as the lead knows them.
    pub rater_name: String,
    /// Unix milliseconds.
    pub issued_at: i64,
    /// Encrypted with a passphrase of its own (recorded in the master).
    pub encrypted: bool,
    /// A merge has taken it back.
    pub merged: bool,
}

impl Study {
    /// Writes a package for one rater to `out` (which must not exist): the rubric, the rater's
    /// assigned responses, the rater's own events and notes on them, and a manifest. Returns the
    /// package id. On any failure nothing is left at `out`. A package of an encrypted study gets
    /// a generated passphrase (see [`Study::export_package_with`]).
    pub fn export_package(&self, rater_id: &str, out: &Path) -> Result<String> {
        Ok(self.export_package_with(rater_id, out, None)?.package_id)
    }

    /// [`Study::export_package`] with the package's passphrase: an encrypted study's package is
    /// encrypted with `passphrase` (it must differ from the study's), or with a generated one
    /// when none is given; a plain study's package is plain and refuses one. The master records
    /// the package (and its passphrase) so progress and the merge know it.
    pub fn export_package_with(
        &self,
        rater_id: &str,
        out: &Path,
        passphrase: Option<&Passphrase>,
    ) -> Result<ExportedPackage> {
        self.require_lead("exporting a package")?;
        if out.exists() {
            return Err(Error::AlreadyExists(out.to_path_buf()));
        }
        let key = match (self.passphrase(), passphrase) {
            (None, None) => None,
            (None, Some(_)) => {
                return Err(Error::Invalid(format!(
                    "{} is not encrypted, so its packages are plain; encrypt the study first to encrypt its packages",
                    self.path().display()
                )))
            }
            (Some(study), Some(given)) if study == given => {
                return Err(Error::Invalid(
                    "a package's passphrase must differ from the study's (a rater must not be able to open the master)".into(),
                ))
            }
            (Some(_), Some(given)) => {
                given.check_chosen()?;
                Some(given.clone())
            }
            (Some(_), None) => Some(generated_passphrase()),
        };
        let rater = self.rater_key(rater_id)?;
        let temp = TempPath::beside(out)?;
        schema::build(temp.path(), key.as_ref(), |_| Ok(()))?;
        cipher::attach(&self.conn, temp.path(), "pkg", key.as_ref())?;
        let filled = self.fill_package(rater);
        self.conn.execute("DETACH DATABASE pkg", [])?;
        let (package, issued_at) = filled?;
        schema::seal(temp.path(), key.as_ref())?;
        let salt = match &key {
            Some(_) => file_prefix(temp.path())?.map(|s| s.to_vec()),
            None => None,
        };
        // Recorded in the same transaction that puts the file in place: a package the master
        // does not know of (whose passphrase would be lost) is never left behind.
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO package_log (id, rater_id, issued_at, file, salt, passphrase) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![package, rater, issued_at, out.display().to_string(), salt, key.as_ref().map(Passphrase::expose)],
        )?;
        temp.persist_new(out)?;
        if let Err(err) = tx.commit() {
            let _ = std::fs::remove_file(out);
            return Err(err.into());
        }
        Ok(ExportedPackage {
            package_id: gid_text(&package),
            file: out.display().to_string(),
            passphrase: key.as_ref().map(|k| k.expose().to_string()),
        })
    }

    /// Every package this master issued (`package_log`), oldest first, each marked merged when
    /// `merge_log` holds its receipt: what progress ("package out since") and `decrypt` (no
    /// encrypted package may still be out) both read.
    pub(crate) fn issued_packages(&self) -> Result<Vec<IssuedPackage>> {
        let merged: HashSet<String> = self
            .conn
            .prepare("SELECT package_id FROM merge_log")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT p.rater_id, r.name, p.issued_at, p.id, p.passphrase IS NOT NULL
             FROM package_log p JOIN rater r ON r.id = p.rater_id
             ORDER BY p.issued_at, p.id",
        )?;
        let packages = stmt
            .query_map([], |r| {
                Ok(IssuedPackage {
                    rater: r.get(0)?,
                    rater_name: r.get(1)?,
                    issued_at: r.get(2)?,
                    merged: merged.contains(&gid_text(&r.get::<_, Vec<u8>>(3)?)),
                    encrypted: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(packages)
    }

    /// The passphrase an incoming file (the merge's private copy, open nowhere) opens with:
    /// none for a plain file; for an encrypted package this study issued, the one recorded for
    /// it, found by the file's salt; otherwise this study's own (a copy of an encrypted study).
    pub(crate) fn incoming_passphrase(&self, copy: &Path) -> Result<Option<Passphrase>> {
        let salt = match file_prefix(copy)? {
            Some(prefix) if &prefix != SQLITE_MAGIC => prefix,
            _ => return Ok(None),
        };
        let recorded: Option<String> = self
            .conn
            .query_row(
                "SELECT passphrase FROM package_log WHERE salt = ?1 AND passphrase IS NOT NULL",
                [salt.as_slice()],
                |r| r.get(0),
            )
            .optional()?;
        match recorded {
            Some(p) => Ok(Some(Passphrase::new(p)?)),
            None => Ok(self.passphrase().cloned()),
        }
    }

    /// Fills the attached `pkg`; returns the package id and its issue time.
    fn fill_package(&self, rater: i64) -> Result<(Gid, i64)> {
        // DEFERRED: this reads the master and writes only the package, so the master's write
        // lock (and the app's saves) are never held up.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
        let package = new_gid();
        let master_name = self.name()?;
        let rater_name: String =
            tx.query_row("SELECT name FROM rater WHERE id = ?1", [rater], |r| {
                r.get(0)
            })?;
        let mut settings = self.settings()?;
        // Judge settings and the lead's inbox are the lead's business, not the rater's.
        settings.exclude_own.clear();
        settings.inbox.clear();
        tx.execute(
            "INSERT INTO pkg.study (id, lineage, name, created_at, settings) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                package,
                self.lineage,
                format!("{master_name} — package for {rater_name}"),
                now_ms(),
                serde_json::to_string(&settings).expect("settings serialize")
            ],
        )?;
        // Package-local keys: responses numbered in the rater's order, items by first use, so
        // no key reveals the master's import order (often grouped by model). In a blind study
        // the external ids become these numbers and the model is left out: the merge maps rows
        // back by global id and needs neither.
        tx.execute_batch(
            "DROP TABLE IF EXISTS temp.package_response; DROP TABLE IF EXISTS temp.package_item;",
        )?;
        tx.execute(
            "CREATE TEMP TABLE package_response AS
             SELECT a.response_id AS master_id, a.order_key + 1 AS id, p.item_id AS master_item
             FROM main.assignment a JOIN main.response p ON p.id = a.response_id WHERE a.rater_id = ?1",
            [rater],
        )?;
        tx.execute_batch(
            "CREATE TEMP TABLE package_item AS
             SELECT master_item AS master_id, row_number() OVER (ORDER BY min(id)) AS id
             FROM temp.package_response GROUP BY master_item;",
        )?;
        let binds = params![rater, settings.blind];
        for sql in [
            "INSERT INTO pkg.rubric SELECT * FROM main.rubric",
            "INSERT INTO pkg.attribute SELECT * FROM main.attribute",
            "INSERT INTO pkg.attribute_level SELECT * FROM main.attribute_level",
            "INSERT INTO pkg.rater SELECT * FROM main.rater WHERE id = ?1",
            "INSERT INTO pkg.item (id, gid, external_id, text, context)
             SELECT k.id, i.gid, CASE WHEN ?2 THEN 'item-' || k.id ELSE i.external_id END, i.text, i.context
             FROM temp.package_item k JOIN main.item i ON i.id = k.master_id ORDER BY k.id",
            "INSERT INTO pkg.response (id, gid, item_id, external_id, model, text, position)
             SELECT k.id, p.gid, ki.id, CASE WHEN ?2 THEN 'response-' || k.id ELSE p.external_id END,
                    CASE WHEN ?2 THEN '' ELSE p.model END, p.text, k.id - 1
             FROM temp.package_response k JOIN main.response p ON p.id = k.master_id
             JOIN temp.package_item ki ON ki.master_id = k.master_item ORDER BY k.id",
            "INSERT INTO pkg.assignment (rater_id, response_id, order_key)
             SELECT ?1, id, id - 1 FROM temp.package_response",
            "INSERT INTO pkg.origin (id, gid) SELECT id, gid FROM main.origin WHERE id IN (
                SELECT origin_id FROM main.rating_event WHERE rater_id = ?1
                UNION SELECT origin_id FROM main.note_event WHERE rater_id = ?1)",
            "INSERT INTO pkg.rating_event (id, gid, rater_id, response_id, attribute_id, value, created_at, origin_id, undoes)
             SELECT e.id, e.gid, e.rater_id, k.id, e.attribute_id, e.value, e.created_at, e.origin_id, e.undoes
             FROM main.rating_event e JOIN temp.package_response k ON k.master_id = e.response_id
             WHERE e.rater_id = ?1 ORDER BY e.id",
            "INSERT INTO pkg.note_event (id, gid, rater_id, response_id, rationale, flags, created_at, origin_id)
             SELECT e.id, e.gid, e.rater_id, k.id, e.rationale, e.flags, e.created_at, e.origin_id
             FROM main.note_event e JOIN temp.package_response k ON k.master_id = e.response_id
             WHERE e.rater_id = ?1 ORDER BY e.id",
        ] {
            let mut stmt = tx.prepare(sql)?;
            // Each statement binds only the parameters it names.
            let wanted = stmt.parameter_count();
            for (i, value) in binds.iter().enumerate().take(wanted) {
                stmt.raw_bind_parameter(i + 1, value)?;
            }
            stmt.raw_execute()?;
        }
        tx.execute_batch("DROP TABLE temp.package_response; DROP TABLE temp.package_item;")?;
        tx.execute(
            "INSERT INTO pkg.origin (gid) VALUES (?1) ON CONFLICT DO NOTHING",
            [package],
        )?;
        let issued_at = now_ms();
        tx.execute(
            "INSERT INTO pkg.package (id, lineage, study_name, master_id, rater_id, issued_at, return_to)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![package, self.lineage, master_name, self.gid, rater, issued_at, settings.return_to],
        )?;
        tx.commit()?;
        Ok((package, issued_at))
    }

    /// This file's manifest, when it is a rater package.
    pub fn manifest(&self) -> Result<Option<Manifest>> {
        manifest_in(&self.conn, "main")
    }

    /// Seals this package for return to the lead: a self-contained copy at `out` holding every
    /// saved rating, with the manifest's counts and event hash filled in.
    pub fn return_package(&self, out: &Path) -> Result<ReturnedPackage> {
        let Some(mut manifest) = self.manifest()? else {
            return Err(Error::Invalid(format!(
                "{} is not a rater package (only packages are returned; merge a copy of a study with --copy)",
                self.path().display()
            )));
        };
        if same_file(out, self.path()) {
            return Err(Error::Invalid(
                "the returned copy needs a different name than the package itself".into(),
            ));
        }
        let problems = self.check()?;
        if !problems.is_empty() {
            return Err(Error::Invalid(format!(
                "{} is damaged and cannot be returned: {}",
                self.path().display(),
                problems.join("; ")
            )));
        }
        let temp = TempPath::beside(out)?;
        // VACUUM INTO reads through this connection, so it includes whatever sits in the WAL.
        self.conn
            .execute("VACUUM INTO ?1", [temp.path().to_string_lossy()])?;
        let digest =
            {
                let conn = cipher::connect(temp.path(), OpenFlags::default(), self.passphrase())?;
                let digest = events_digest(&conn, "main")?;
                let returned_at = now_ms();
                conn.execute(
                "UPDATE package SET returned_at = ?1, events = ?2, notes = ?3, events_sha256 = ?4",
                params![returned_at, digest.events as i64, digest.notes as i64, digest.sha256],
            )?;
                manifest.returned_at = Some(format_utc_ms(returned_at));
                conn.close().map_err(|(_, e)| Error::Sqlite(e))?;
                digest
            };
        schema::seal(temp.path(), self.passphrase())?;
        temp.persist(out)?;
        manifest.events = Some(digest.events);
        manifest.notes = Some(digest.notes);
        manifest.events_sha256 = Some(digest.sha256);
        let to = if manifest.return_to.trim().is_empty() {
            "the study lead".to_string()
        } else {
            manifest.return_to.trim().to_string()
        };
        let message = format!(
            "Send {} to {to}. It holds your {} ratings and {} notes for '{}'.",
            out.display(),
            digest.events,
            digest.notes,
            manifest.study_name
        );
        Ok(ReturnedPackage {
            file: out.display().to_string(),
            manifest,
            message,
        })
    }
}

/// The manifest of the database `schema` of `conn`, if it is a package.
pub(crate) fn manifest_in(conn: &Connection, schema: &str) -> Result<Option<Manifest>> {
    let sql = format!(
        "SELECT k.id, k.lineage, k.study_name, k.master_id, t.gid, t.name, k.issued_at, k.return_to,
                k.returned_at, k.events, k.notes, k.events_sha256
         FROM {schema}.package k JOIN {schema}.rater t ON t.id = k.rater_id"
    );
    let blob = |r: &rusqlite::Row, i| -> rusqlite::Result<String> {
        Ok(gid_text(&r.get::<_, Vec<u8>>(i)?))
    };
    Ok(conn
        .query_row(&sql, [], |r| {
            Ok(Manifest {
                package_id: blob(r, 0)?,
                study_id: blob(r, 1)?,
                study_name: r.get(2)?,
                master_id: blob(r, 3)?,
                rater_id: blob(r, 4)?,
                rater: r.get(5)?,
                issued_at: format_utc_ms(r.get(6)?),
                return_to: r.get(7)?,
                returned_at: r.get::<_, Option<i64>>(8)?.map(format_utc_ms),
                events: r.get::<_, Option<i64>>(9)?.map(|n| n as usize),
                notes: r.get::<_, Option<i64>>(10)?.map(|n| n as usize),
                events_sha256: r.get(11)?,
            })
        })
        .optional()?)
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
