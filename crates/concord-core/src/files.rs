//! Files that travel (packages, exports, reports, charts) are written under a temporary name
//! beside their target and renamed into place when complete: a reader never sees half a file,
//! and a failure leaves nothing behind.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A temporary path beside a target; the file is removed on drop unless persisted.
pub struct TempPath {
    path: PathBuf,
    persisted: bool,
}

impl TempPath {
    /// A fresh, unused name in `target`'s directory (same filesystem, so the rename is atomic).
    pub fn beside(target: &Path) -> Result<TempPath> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "concord".into());
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(io_error(
                target,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder"),
            ));
        }
        let unique = uuid::Uuid::from_bytes(crate::ids::new_gid()).simple();
        let path = dir.join(format!(".{name}.{unique}.part"));
        Ok(TempPath {
            path,
            persisted: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the file to `target`, replacing what is there.
    pub fn persist(mut self, target: &Path) -> Result<()> {
        std::fs::rename(&self.path, target).map_err(|e| io_error(target, e))?;
        self.persisted = true;
        sync_dir(target);
        Ok(())
    }

    /// Moves the file to `target`, which must not exist.
    pub fn persist_new(self, target: &Path) -> Result<()> {
        if target.exists() {
            return Err(Error::AlreadyExists(target.to_path_buf()));
        }
        self.persist(target)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if self.persisted {
            return;
        }
        // The file and whatever SQLite or a migration put beside it (-wal, -journal, .bak).
        let (Some(dir), Some(name)) = (self.path.parent(), self.path.file_name()) else {
            return;
        };
        let name = name.to_string_lossy().into_owned();
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&name) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// `path` with `suffix` appended to its file name ("study.concord" + ".bak").
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    s.into()
}

/// Writes `bytes` to `target` atomically (temporary file, fsync, rename).
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let temp = TempPath::beside(target)?;
    let mut file = std::fs::File::create(temp.path()).map_err(|e| io_error(target, e))?;
    file.write_all(bytes).map_err(|e| io_error(target, e))?;
    file.sync_all().map_err(|e| io_error(target, e))?;
    drop(file);
    temp.persist(target)
}

/// The store's error for a failed file operation on `path`.
pub(crate) fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Makes a rename durable: fsync the directory that holds the new name.
fn sync_dir(target: &Path) {
    if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing-folder").join("out.txt");
        assert!(write_atomic(&target, b"x").is_err());
        let ok = dir.path().join("out.txt");
        write_atomic(&ok, b"hello").unwrap();
        assert_eq!(std::fs::read(&ok).unwrap(), b"hello");
        {
            let t = TempPath::beside(&ok).unwrap();
            std::fs::write(t.path(), b"partial").unwrap();
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.txt")]);
    }
}
