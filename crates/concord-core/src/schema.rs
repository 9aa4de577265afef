//! Opening and creating study files: the header checks, pragmas and forward migrations.
//! This is the one place a SQLite connection to a study is made.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result};

/// `PRAGMA application_id` of every Concord study file ("CNCD").
pub const APPLICATION_ID: i64 = 0x434E_4344;

/// Migrations in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("../../../migrations/0001_initial.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn not_a_study(path: &Path, message: &str) -> Error {
    Error::NotAStudy {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// Durability and integrity settings applied to every connection.
fn apply_pragmas(conn: &Connection) -> Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a rating the UI shows as saved survives power loss, not just a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Creates a new, empty study file at the current schema version.
pub(crate) fn create(path: &Path) -> Result<Connection> {
    if path.exists() {
        return Err(Error::AlreadyExists(path.to_path_buf()));
    }
    let mut conn = Connection::open(path)?;
    apply_pragmas(&conn)?;
    let tx = conn.transaction()?;
    for sql in MIGRATIONS {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(conn)
}

/// Opens an existing study, refusing anything that is not one, and migrating older schemas
/// forward (after writing a backup copy beside the file).
pub(crate) fn open(path: &Path) -> Result<Connection> {
    // Everything is read through SQLite itself: opening and closing a plain file handle on a
    // database would drop every POSIX lock this process holds on it (SQLite's "How To Corrupt
    // An SQLite Database File", 2.2), e.g. the app's own rating connection.
    if !path.is_file() {
        return Err(Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such study file"),
        });
    }
    if std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .unwrap_or(false)
    {
        return Err(not_a_study(path, "not a Concord study (an empty file)"));
    }
    // Read the identity before any pragma that writes, so a foreign file is left untouched.
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let not_sqlite = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            not_a_study(path, "not a Concord study (not an SQLite database)")
        }
        _ => Error::Sqlite(e),
    };
    let app_id: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(not_sqlite)?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        return Err(not_a_study(
            path,
            "not a Concord study (an SQLite database of another application)",
        ));
    }
    if version > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    apply_pragmas(&conn)?;
    let mut conn = conn;
    if version < SCHEMA_VERSION {
        backup_before_migration(&conn, path, version)?;
        let tx = conn.transaction()?;
        for sql in &MIGRATIONS[version as usize..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
    }
    Ok(conn)
}

/// Path of the copy written before migrating from `version`.
pub fn backup_path(path: &Path, version: i64) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".v{version}.bak"));
    path.with_file_name(name)
}

fn backup_before_migration(conn: &Connection, path: &Path, version: i64) -> Result<()> {
    let target = backup_path(path, version);
    // VACUUM INTO writes a consistent copy including whatever sits in the WAL.
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])?;
    Ok(())
}
