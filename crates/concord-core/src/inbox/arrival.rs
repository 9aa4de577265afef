//! Whether a stable file in the inbox has fully arrived: a plain study's length against its
//! SQLite header; an encrypted package's pages against their HMAC, which tells a copy still
//! arriving (missing pages) from a damaged file (a page that is there and fails).

use std::io::Read;
use std::path::Path;

use crate::study::Study;

/// Why a stable file is not complete yet, from its SQLite header (`None`: complete, or not a
/// SQLite file at all, which the merge then refuses with its own reason).
pub(super) fn incomplete(path: &Path, len: u64) -> std::io::Result<Option<String>> {
    const MAGIC: &[u8; 16] = b"SQLite format 3\0";
    let mut header = Vec::with_capacity(100);
    std::fs::File::open(path)?
        .take(100)
        .read_to_end(&mut header)?;
    if header.len() < 100 {
        // Empty, or the first bytes of a study file: more is coming.
        let prefix = header.len().min(MAGIC.len());
        if header[..prefix] == MAGIC[..prefix] {
            return Ok(Some(format!("only {len} bytes so far")));
        }
        return Ok(None);
    }
    if &header[..16] != MAGIC {
        return Ok(None);
    }
    let be32 = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    // The in-header page count is trusted only when SQLite marked it valid (offset 92 equals
    // the change counter at 24), as SQLite itself does.
    let pages = u64::from(be32(28));
    if be32(92) != be32(24) || pages == 0 {
        return Ok(None);
    }
    let expected = pages * page_size;
    Ok((len < expected).then(|| format!("{len} of {expected} bytes so far")))
}

/// How long a stable encrypted file that reads as cut short is given to finish arriving before
/// the merge is let to reject it as damaged.
const CUT_SHORT_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether a stable encrypted file has arrived: complete, still arriving, or damaged.
#[derive(Debug, PartialEq)]
pub(super) enum Arrival {
    /// Complete, plain, or not this study's: the merge accepts or refuses it.
    Complete,
    /// Shorter than its header says, every page so far intact.
    Waiting(String),
    /// A page that has arrived fails its HMAC: no further copying repairs it.
    Damaged(String),
}

impl Study {
    /// Whether an encrypted package this study issued has arrived. Its header is readable only
    /// with the passphrase recorded for it, and SQLite reports a file shorter than its header
    /// declares as malformed, as it does a damaged one; SQLCipher's per-page HMAC tells the
    /// two apart (`PRAGMA cipher_integrity_check`): a page that is there, not all zeros (a copy
    /// tool's preallocated hole), and fails its HMAC is damage; only missing or partial pages
    /// mean the copy is still arriving, which waits while the file was written in the last
    /// [`CUT_SHORT_GRACE`].
    pub(super) fn encrypted_arrival(&self, path: &Path, len: u64) -> Arrival {
        let Some(key) = self.incoming_passphrase(path).ok().flatten() else {
            return Arrival::Complete;
        };
        let Ok(conn) =
            crate::cipher::connect(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY, Some(&key))
        else {
            return Arrival::Complete;
        };
        let read = conn.pragma_query_value(None, "page_count", |r| r.get::<_, i64>(0));
        if !matches!(&read, Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt))
        {
            return Arrival::Complete;
        }
        if let Some(page) = damaged_page(&conn, path) {
            return Arrival::Damaged(format!(
                "complete but damaged: page {page} fails its integrity check (HMAC), so the file is not still arriving"
            ));
        }
        let recent = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age < CUT_SHORT_GRACE);
        if recent {
            Arrival::Waiting(format!("{len} bytes so far: shorter than its header says (waits up to 10 minutes for the rest)"))
        } else {
            Arrival::Complete
        }
    }
}

/// The first page of the keyed file `conn` that has arrived (not all zeros) and fails its HMAC.
fn damaged_page(conn: &rusqlite::Connection, path: &Path) -> Option<u64> {
    let failed: Vec<u64> = conn
        .prepare("PRAGMA cipher_integrity_check")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .ok()?
        .iter()
        .filter_map(|line| {
            line.strip_prefix("HMAC verification failed for page ")
                .and_then(|n| n.trim().parse().ok())
        })
        .collect();
    if failed.is_empty() {
        return None;
    }
    // SQLCipher answers this pragma as text.
    let page_size: u64 = conn
        .pragma_query_value(None, "cipher_page_size", |r| r.get::<_, String>(0))
        .ok()?
        .parse()
        .ok()?;
    let bytes = std::fs::read(path).ok()?;
    failed.into_iter().find(|&page| {
        let start = ((page - 1) * page_size) as usize;
        let end = (start + page_size as usize).min(bytes.len());
        bytes
            .get(start..end)
            .is_some_and(|p| p.iter().any(|&b| b != 0))
    })
}
