//! SQLCipher's key derivation, run once per process for each passphrase and file salt.
//!
//! Keyed with a passphrase, SQLCipher runs PBKDF2-HMAC-SHA512 with 256,000 iterations (its
//! default strength, kept here) on every connection: a few hundred milliseconds each. A study
//! is opened on several connections (the rating one, the dashboard's probe, a package built,
//! attached and sealed, a merge's copy opened then attached). So the key is derived here once,
//! with the same function of the OpenSSL that SQLCipher links, and every connection is keyed
//! with SQLCipher's raw-key form `x'<key><salt>'`, which skips the derivation. Each file has its
//! own salt (its first 16 bytes), read through SQLite (see [`file_salt`]).

use std::ffi::{c_char, c_int, c_void};
use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::Result;

/// SQLCipher 4's defaults, which the raw keys must reproduce.
const KDF_ITER: c_int = 256_000;
const KEY_LEN: usize = 32;
const SALT_LEN: usize = 16;
/// Keys kept per process; an app session touches a handful of files.
const KEPT: usize = 64;

type Salt = [u8; SALT_LEN];
type Key = [u8; KEY_LEN];

/// Derived keys by passphrase and salt, most recent last. In memory only, like the passphrase.
static DERIVED: Mutex<Vec<(String, Salt, Key)>> = Mutex::new(Vec::new());

extern "C" {
    // OpenSSL's libcrypto, linked by rusqlite's `bundled-sqlcipher` for SQLCipher itself.
    fn PKCS5_PBKDF2_HMAC(
        pass: *const c_char,
        passlen: c_int,
        salt: *const u8,
        saltlen: c_int,
        iter: c_int,
        digest: *const c_void,
        keylen: c_int,
        out: *mut u8,
    ) -> c_int;
    fn EVP_sha512() -> *const c_void;
}

/// The key SQLCipher keys a connection to `path` with for `passphrase`: the raw form of the
/// derived key and the file's salt; for a new (missing or empty) file, a fresh salt, which
/// SQLCipher then writes into the file.
pub(crate) fn raw_key(path: &Path, passphrase: &str) -> Result<String> {
    let salt = match file_salt(path)? {
        Some(salt) => salt,
        None => rand::random(),
    };
    let key = derived(passphrase, &salt);
    Ok(format!("x'{}{}'", hex(&key), hex(&salt)))
}

/// Forgets every derived key, so the next connection pays the derivation again (benches measure
/// a first open in a process with it).
pub(crate) fn forget() {
    DERIVED.lock().unwrap_or_else(|p| p.into_inner()).clear();
}

fn derived(passphrase: &str, salt: &Salt) -> Key {
    let lock = || DERIVED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, _, key)) = lock().iter().find(|(p, s, _)| p == passphrase && s == salt) {
        return *key;
    }
    let key = pbkdf2_sha512(passphrase.as_bytes(), salt);
    let mut kept = lock();
    if kept.len() >= KEPT {
        kept.remove(0);
    }
    kept.push((passphrase.to_string(), *salt, key));
    key
}

fn pbkdf2_sha512(passphrase: &[u8], salt: &Salt) -> Key {
    let mut key = [0u8; KEY_LEN];
    let passlen = c_int::try_from(passphrase.len()).expect("a passphrase shorter than 2 GiB");
    // SAFETY: every pointer is valid for the length given with it; `EVP_sha512` returns a
    // static digest description; `key` is writable for KEY_LEN bytes.
    let ok = unsafe {
        PKCS5_PBKDF2_HMAC(
            passphrase.as_ptr().cast(),
            passlen,
            salt.as_ptr(),
            SALT_LEN as c_int,
            KDF_ITER,
            EVP_sha512(),
            KEY_LEN as c_int,
            key.as_mut_ptr(),
        )
    };
    assert_eq!(ok, 1, "OpenSSL's PBKDF2 failed");
    key
}

/// The salt of the file at `path` (`None` for a missing or empty file), read by SQLCipher
/// itself through SQLite: a plain file handle's close would drop the locks other connections
/// of this process hold on the file. The zero raw key only lets SQLCipher read the salt; it
/// derives nothing and reads no page.
fn file_salt(path: &Path) -> Result<Option<Salt>> {
    if std::fs::metadata(path).map_or(true, |m| m.len() == 0) {
        return Ok(None);
    }
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", format!("x'{}'", "0".repeat(2 * KEY_LEN)))?;
    let text: Option<String> = conn
        .query_row("PRAGMA cipher_salt", [], |r| r.get(0))
        .optional()?;
    Ok(text.as_deref().and_then(unhex))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Salt> {
    let mut salt = [0u8; SALT_LEN];
    if text.len() != 2 * SALT_LEN {
        return None;
    }
    for (i, byte) in salt.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(salt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cipher::{connect, Passphrase};

    #[test]
    fn the_raw_key_opens_what_the_passphrase_made_and_keeps_the_files_salt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        // A file keyed the ordinary way: SQLCipher derives the key from the passphrase.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", "correct horse").unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (42);")
            .unwrap();
        drop(conn);
        let salt = file_salt(&path).unwrap().expect("a salt");
        assert_eq!(salt[..], std::fs::read(&path).unwrap()[..SALT_LEN]);
        // The raw key derived here opens it: the same function, the same strength.
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "key", raw_key(&path, "correct horse").unwrap())
            .unwrap();
        let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 42);
        // A new file keyed through `connect` opens with the plain passphrase elsewhere.
        let fresh = dir.path().join("fresh.db");
        let key = Passphrase::new("battery staple").unwrap();
        let conn = connect(&fresh, OpenFlags::default(), Some(&key)).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (7);")
            .unwrap();
        drop(conn);
        let conn = Connection::open(&fresh).unwrap();
        conn.pragma_update(None, "key", "battery staple").unwrap();
        let x: i64 = conn.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 7);
        assert_eq!(unhex(&hex(&salt)), Some(salt));
    }
}
