//! Encryption at rest: a study or package file can be encrypted page by page with SQLCipher
//! (AES-256, key derived from a passphrase by SQLCipher's PBKDF2, once per process and file
//! salt: `key_cache.rs`). The study's passphrase is never stored (an encrypted master keeps its
//! packages' passphrases, which a decrypted copy must not); every connection to an encrypted
//! file is keyed here before its first statement.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::files::{io_error, with_suffix, TempPath};
use crate::key_cache::raw_key;
use crate::schema;

/// The fewest characters (Unicode code points) a passphrase chosen for a new encrypted study
/// or package may have. The file travels (email, USB sticks), so a thief can guess offline at
/// the speed of their hardware, held back only by the KDF; length is what makes a typed
/// passphrase hard to guess, and NIST SP 800-63B-4 (2025, §3.1.1.2) asks 15 characters of a
/// password that is the only factor, counting each code point as one and imposing no other
/// composition rule. 15 is also no burden for a phrase of three or four words; a generated
/// package passphrase has 24.
pub const MIN_CHOSEN_CHARS: usize = 15;

/// A passphrase for an encrypted study or package. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    /// A passphrase; refuses an empty one (SQLCipher would read it as "no encryption").
    pub fn new(text: impl Into<String>) -> Result<Passphrase> {
        let text = text.into();
        if text.is_empty() {
            return Err(Error::Invalid("a passphrase cannot be empty".into()));
        }
        Ok(Passphrase(text))
    }

    /// Refuses a passphrase being chosen for a new encrypted file (a study created or encrypted,
    /// a package's typed passphrase) when shorter than [`MIN_CHOSEN_CHARS`]. Only choosing is
    /// checked: opening a file accepts whatever passphrase it was made with.
    pub fn check_chosen(&self) -> Result<()> {
        let chars = self.0.chars().count();
        if chars < MIN_CHOSEN_CHARS {
            return Err(Error::Invalid(format!(
                "a new passphrase needs at least {MIN_CHOSEN_CHARS} characters (this one has \
                 {chars}); a phrase of three or four words is long enough"
            )));
        }
        Ok(())
    }

    /// The text, for the few places it must leave this type: keying SQLCipher, the master's
    /// record of a package's passphrase, and showing a generated one to the lead once.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(…)")
    }
}

/// Keys `conn` to `path` (a fresh connection, before any other statement) for an encrypted
/// file, or leaves it plain. SQLCipher's own log is silenced: a wrong key is reported by the
/// caller.
fn key(conn: &Connection, path: &Path, passphrase: Option<&Passphrase>) -> Result<()> {
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    if let Some(p) = passphrase {
        conn.pragma_update(None, "key", raw_key(path, &p.0)?)?;
    }
    Ok(())
}

/// Forgets the keys derived in this process: the next open of an encrypted file derives its key
/// again, as the first open in a new process does. For benches.
#[doc(hidden)]
pub fn forget_derived_keys() {
    crate::key_cache::forget();
}

/// Opens a connection to `path` keyed with `passphrase` (the one way every module opens a
/// second connection to a study or package file).
pub(crate) fn connect(
    path: &Path,
    flags: rusqlite::OpenFlags,
    passphrase: Option<&Passphrase>,
) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    key(&conn, path, passphrase)?;
    Ok(conn)
}

/// Whether the study at `path` asks for a passphrase: it exists and does not read as a plain
/// SQLite database (an encrypted study; a file that is not SQLite at all gets the same answer,
/// and opening it with a passphrase then says so). Read through SQLite, read-only, so the file
/// is never written and this process's locks on it are kept.
pub fn needs_passphrase(path: &Path) -> Result<bool> {
    if !path.is_file() || std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(false);
    }
    let conn = connect(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY, None)?;
    match conn.pragma_query_value(None, "application_id", |r| r.get::<_, i64>(0)) {
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Ok(true),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(false),
    }
}

/// Attaches the file at `path` to `conn` as `name`, keyed with `passphrase` (an empty key
/// means plain). The key is always explicit: without one SQLCipher would try the main
/// database's key material, which cannot open a file with its own salt.
pub(crate) fn attach(
    conn: &Connection,
    path: &Path,
    name: &str,
    passphrase: Option<&Passphrase>,
) -> Result<()> {
    let key = match passphrase {
        Some(p) => raw_key(path, &p.0)?,
        None => String::new(),
    };
    conn.execute(
        &format!("ATTACH DATABASE ?1 AS {name} KEY ?2"),
        rusqlite::params![path.to_string_lossy(), key],
    )?;
    Ok(())
}

/// Rewrites the study at `path` encrypted with `to` (or plain when `to` is `None`), reading it
/// with `from`. The new file is written beside, checked (it opens with the new key and passes
/// `concord check`), then swapped in; the original is kept as `<file>.bak` — after encrypting,
/// that backup is the plain file, which the caller should tell the user to delete once the
/// encrypted study opens.
pub fn rekey(path: &Path, from: Option<&Passphrase>, to: Option<&Passphrase>) -> Result<()> {
    to.map(Passphrase::check_chosen).transpose()?;
    convert(path, from, to)
}

/// [`rekey`] once the new passphrase is accepted.
fn convert(path: &Path, from: Option<&Passphrase>, to: Option<&Passphrase>) -> Result<()> {
    let study = crate::Study::open_with(path, from)?;
    if to.is_none() {
        refuse_packages_out(&study, path)?;
    }
    let temp = TempPath::beside(path)?;
    // The study's connection may not create files (it opens read-write only), and ATTACH
    // inherits that: start from an empty file, which SQLite reads as an empty database.
    std::fs::File::create(temp.path()).map_err(|e| io_error(temp.path(), e))?;
    {
        let conn = &study.conn;
        attach(conn, temp.path(), "converted", to)?;
        // sqlcipher_export copies schema and rows (it runs in its own transaction), but not
        // the header fields that identify a Concord study.
        conn.query_row("SELECT sqlcipher_export('converted')", [], |_| Ok(()))?;
        if to.is_none() {
            // Every package has come back (refuse_packages_out): their passphrases are spent,
            // and a plain file must not hold them.
            // secure_delete: the old text must not linger in the page's free space.
            conn.execute_batch(
                "PRAGMA converted.secure_delete = ON;
                 UPDATE converted.package_log SET passphrase = NULL;",
            )?;
        }
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        conn.execute_batch(&format!(
            "PRAGMA converted.user_version = {version};
             PRAGMA converted.application_id = {};
             DETACH DATABASE converted;",
            schema::APPLICATION_ID
        ))?;
    }
    study.close()?;
    let converted = crate::Study::open_with(temp.path(), to)?;
    let problems = converted.check()?;
    converted.close()?;
    if !problems.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: the converted copy failed its check ({}); the original is unchanged",
            path.display(),
            problems.join("; ")
        )));
    }
    let backup = with_suffix(path, ".bak");
    std::fs::rename(path, &backup).map_err(|e| io_error(&backup, e))?;
    temp.persist(path)
}

/// Refuses to decrypt a master while one of its encrypted packages is still out: the plain
/// copy cannot keep that package's passphrase, so the package could no longer be merged.
fn refuse_packages_out(study: &crate::Study, path: &Path) -> Result<()> {
    let out: Vec<String> = study
        .issued_packages()?
        .into_iter()
        .filter(|p| p.encrypted && !p.merged)
        .map(|p| p.rater_name)
        .collect();
    if out.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(format!(
        "{}: {} encrypted package(s) are still out ({}); merge them before decrypting, since a \
         plain study cannot keep their passphrases; nothing was changed",
        path.display(),
        out.len(),
        out.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file encrypted before the rule (or by another tool) with a short passphrase still
    /// opens with it: only choosing a passphrase is checked.
    #[test]
    fn an_existing_file_opens_with_a_short_passphrase_it_was_made_with() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.concord");
        let rubric = crate::rubric::Rubric::builtin("mentalbench").unwrap();
        crate::Study::create(&path, "Old", &rubric)
            .unwrap()
            .close()
            .unwrap();
        let short = Passphrase::new("abc").unwrap();
        let err = rekey(&path, None, Some(&short)).unwrap_err().to_string();
        assert!(
            err.contains("at least 15 characters") && err.contains("has 3"),
            "{err}"
        );
        assert!(
            !needs_passphrase(&path).unwrap(),
            "refused before anything was written"
        );
        convert(&path, None, Some(&short)).unwrap();
        let study = crate::Study::open_with(&path, Some(&short)).unwrap();
        assert_eq!(study.name().unwrap(), "Old");
    }

    /// Characters are code points, not bytes: 15 accented letters pass, 14 do not.
    #[test]
    fn the_minimum_counts_characters() {
        assert!(Passphrase::new("é".repeat(15))
            .unwrap()
            .check_chosen()
            .is_ok());
        assert!(Passphrase::new("é".repeat(14))
            .unwrap()
            .check_chosen()
            .is_err());
    }
}
