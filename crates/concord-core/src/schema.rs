//! Opening and creating study files: the header checks, pragmas and forward migrations.
//! This is the one place a SQLite connection to a study is made.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::cipher::{self, Passphrase};
use crate::error::{Error, Result};

/// `PRAGMA application_id` of every Concord study file ("CNCD").
pub const APPLICATION_ID: i64 = 0x434E_4344;

/// Migrations in order; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/0001_initial.sql"),
    include_str!("../../../migrations/0002_integer_keys.sql"),
    include_str!("../../../migrations/0003_gold_clear_group_labels.sql"),
    include_str!("../../../migrations/0004_packed_rating_rows.sql"),
    include_str!("../../../migrations/0005_package_log.sql"),
    include_str!("../../../migrations/0006_sampling_rounds.sql"),
    include_str!("../../../migrations/0007_response_load_index.sql"),
    include_str!("../../../migrations/0008_rating_without_time.sql"),
    include_str!("../../../migrations/0009_rating_blocks.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn not_a_study(path: &Path, message: &str) -> Error {
    Error::NotAStudy {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// How long a writer waits for another process's write (a merge, an import) before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Durability and integrity settings applied to every connection.
fn apply_pragmas(conn: &mut Connection, path: &Path) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // IMMEDIATE: a write transaction takes the write lock when it begins, so `busy_timeout`
    // applies. A DEFERRED one that reads first cannot wait for the lock in WAL mode: it fails at
    // once with SQLITE_BUSY while another process writes.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    // WAL needs shared memory between processes, which network filesystems do not provide;
    // there the rollback journal is the safe (slower) choice.
    let journal = if network_filesystem(path).is_some() {
        "DELETE"
    } else {
        "WAL"
    };
    conn.pragma_update(None, "journal_mode", journal)?;
    // FULL: a rating the UI shows as saved survives power loss, not just a crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Creates a new study file at the current schema version, filled by `init` in the same
/// transaction. The file is built under a temporary name and renamed when complete, so a crash
/// leaves either no study or a whole one.
pub(crate) fn create(
    path: &Path,
    passphrase: Option<&Passphrase>,
    init: impl FnOnce(&rusqlite::Transaction) -> Result<()>,
) -> Result<Connection> {
    if path.exists() {
        return Err(Error::AlreadyExists(path.to_path_buf()));
    }
    let temp = crate::files::TempPath::beside(path)?;
    build(temp.path(), passphrase, init)?;
    temp.persist_new(path)?;
    open(path, passphrase)
}

/// Writes a complete study file at `path` (a temporary name: callers rename it into place):
/// the schema, then `init`, in one transaction; closed, with no `-wal` beside it.
pub(crate) fn build(
    path: &Path,
    passphrase: Option<&Passphrase>,
    init: impl FnOnce(&rusqlite::Transaction) -> Result<()>,
) -> Result<()> {
    let mut conn = cipher::connect(path, OpenFlags::default(), passphrase)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let tx = conn.transaction()?;
    for sql in MIGRATIONS {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    init(&tx)?;
    tx.commit()?;
    conn.close().map_err(|(_, e)| Error::Sqlite(e))
}

/// Makes the file at `path` self-contained and closes it: rollback-journal mode (no `-wal` or
/// `-shm` can be left beside it), for files that travel.
pub(crate) fn seal(path: &Path, passphrase: Option<&Passphrase>) -> Result<()> {
    let conn = cipher::connect(path, OpenFlags::default(), passphrase)?;
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    conn.close().map_err(|(_, e)| Error::Sqlite(e))
}

/// Opens an existing study, refusing anything that is not one, and migrating older schemas
/// forward (after writing a backup copy beside the file).
pub(crate) fn open(path: &Path, passphrase: Option<&Passphrase>) -> Result<Connection> {
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
    // NO_MUTEX: a `Connection` is never shared between threads (it is not `Sync`), so SQLite's
    // per-call locking of it is pure cost (a tenth of a full load's time).
    let conn = cipher::connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        passphrase,
    )?;
    // An encrypted file reads as "not a database" without its key, and with a wrong one.
    let not_sqlite = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) if passphrase.is_some() => {
            Error::WrongPassphrase(path.to_path_buf())
        }
        Some(rusqlite::ErrorCode::NotADatabase) => Error::PassphraseNeeded(path.to_path_buf()),
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
    let mut conn = conn;
    apply_pragmas(&mut conn, path)?;
    if version < SCHEMA_VERSION {
        backup_before_migration(&conn, path, version)?;
        let tx = conn.transaction()?;
        for sql in &MIGRATIONS[version as usize..] {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        // A migration that rebuilds a table leaves the old table's pages free inside the file
        // (schema 8 on a 490k-rating study: 55 MB grew to 64 MB); VACUUM gives them back. It
        // only saves space, and another program reading the study makes it fail: the migrated
        // study is whole either way, so that failure is not the caller's.
        let _ = conn.execute_batch("VACUUM");
    }
    Ok(conn)
}

/// A query-only connection that watches a study for commits: [`Watch::data_version`] changes
/// after a commit by any other connection, in this process or another (SQLite's
/// `PRAGMA data_version`). The app's dashboard polls it.
pub struct Watch {
    conn: Connection,
}

/// Opens `path` for watching, through [`open_reader`].
pub fn open_watch(path: &Path, passphrase: Option<&Passphrase>) -> Result<Watch> {
    let watch = Watch {
        conn: open_reader(path, passphrase)?,
    };
    watch.data_version()?;
    Ok(watch)
}

/// A query-only connection to a study already opened (and so checked and migrated) by
/// [`open`]: for a watch, or for a load that reads on a second thread. Opened through SQLite
/// (never a plain file handle, see [`open`]), so it takes part in SQLite's per-process lock
/// bookkeeping; read-write so WAL shared memory works as for any reader, and `query_only` so
/// it never writes.
pub(crate) fn open_reader(path: &Path, passphrase: Option<&Passphrase>) -> Result<Connection> {
    let conn = cipher::connect(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        passphrase,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

impl Watch {
    /// A number that changes whenever another connection has committed since the last call.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))?)
    }
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

/// Folds the write-ahead log into the study file, so the file alone holds every commit (a copy
/// of it needs no `-wal`). Returns false when another connection (another program with the study
/// open) kept it from completing: the commits are still durable in the WAL, and the last program
/// to close the study folds them in.
pub(crate) fn checkpoint(conn: &Connection) -> Result<bool> {
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(busy == 0)
}

/// The kind of network filesystem `path` is on, if it is on one (Linux `statfs` magic numbers).
/// SQLite's WAL mode is unsafe there.
pub fn network_filesystem(path: &Path) -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
        let mut st: libc::statfs = unsafe { std::mem::zeroed() };
        // SAFETY: `c` is a valid NUL-terminated path and `st` a writable statfs struct.
        if unsafe { libc::statfs(c.as_ptr(), &mut st) } != 0 {
            return None;
        }
        #[allow(clippy::unnecessary_cast)]
        match st.f_type as u32 {
            0x6969 => Some("NFS"),
            0xFF53_4D42 => Some("CIFS"),
            0xFE53_4D42 => Some("SMB2"),
            0x517B => Some("SMB"),
            0x0102_1997 => Some("9P"),
            0x5346_414F => Some("AFS"),
            _ => None,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RaterKind, Rubric, Study};

    #[test]
    fn a_watch_sees_commits_of_other_connections_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.concord");
        let study = Study::create(&path, "W", &Rubric::builtin("mentalbench").unwrap()).unwrap();
        let watch = open_watch(&path, None).unwrap();
        let before = watch.data_version().unwrap();
        assert_eq!(
            watch.data_version().unwrap(),
            before,
            "no commit, no change"
        );
        study.add_rater("Ann", RaterKind::Human, None).unwrap();
        assert_ne!(watch.data_version().unwrap(), before);
        assert!(watch
            .conn
            .execute("DELETE FROM rater", [])
            .is_err_and(|e| e.to_string().contains("readonly")));
        assert!(open_watch(&dir.path().join("missing.concord"), None).is_err());
    }
}
