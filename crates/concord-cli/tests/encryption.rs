//! Encryption at rest through the real binary: an encrypted study holds no clinical text in
//! clear and cannot be read without its passphrase; a wrong passphrase changes nothing; the
//! package round trip works encrypted; `encrypt` / `decrypt` convert with a backup.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use common::{concord, ok, s};

const PROMPT: &str = "I have not slept properly for three weeks";
const RESPONSE: &str = "Consider a consistent wind-down routine";

/// Runs `concord` with `CONCORD_PASSPHRASE` set (and no terminal, so it never prompts).
fn with_key(key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .env("CONCORD_PASSPHRASE", key)
        .output()
        .expect("run concord")
}

fn ok_key(key: &str, args: &[&str]) -> String {
    let out = with_key(key, args);
    assert!(
        out.status.success(),
        "concord {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn contains(file: &Path, text: &str) -> bool {
    let bytes = std::fs::read(file).unwrap();
    bytes.windows(text.len()).any(|w| w == text.as_bytes())
}

fn csv(dir: &Path) -> std::path::PathBuf {
    let data = dir.join("responses.csv");
    std::fs::write(
        &data,
        format!("item_id,prompt,response_id,model,response\ni1,{PROMPT},r1,model-a,{RESPONSE}\ni1,{PROMPT},r2,model-b,Talk to someone you trust\n"),
    )
    .unwrap();
    data
}

#[test]
fn an_encrypted_study_keeps_its_text_from_anyone_without_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("enc.concord");
    let out = ok_key("correct horse battery", &["new", s(&study), "--encrypt"]);
    assert!(out.contains("(encrypted)"), "{out}");
    ok_key(
        "correct horse battery",
        &["import", s(&study), s(&csv(dir.path()))],
    );
    ok_key(
        "correct horse battery",
        &["raters", s(&study), "--add", "Ana"],
    );
    let info = ok_key("correct horse battery", &["info", s(&study), "--json"]);
    assert!(info.contains("\"responses\": 2"), "{info}");

    // No text in clear, and plain SQLite cannot read it.
    assert!(!contains(&study, PROMPT) && !contains(&study, RESPONSE));
    let conn = rusqlite::Connection::open(&study).unwrap();
    assert!(conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
        .is_err());
    drop(conn);

    // Without the passphrase, or with a wrong one: a clear error, the file untouched.
    let before = std::fs::read(&study).unwrap();
    let out = concord(&["info", s(&study)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("encrypted study: give its passphrase"),
        "{err}"
    );
    let out = with_key("wrong horse battery", &["info", s(&study)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("wrong passphrase"), "{err}");
    assert!(err.contains(s(&study)), "names the file: {err}");
    assert_eq!(std::fs::read(&study).unwrap(), before, "file unchanged");
    ok_key("correct horse battery", &["check", s(&study)]);
}

#[test]
fn packages_of_an_encrypted_study_travel_encrypted_and_merge_back() {
    let dir = tempfile::tempdir().unwrap();
    let master = dir.path().join("master.concord");
    let key = "lead's passphrase";
    ok_key(key, &["new", s(&master), "--encrypt"]);
    ok_key(key, &["import", s(&master), s(&csv(dir.path()))]);
    ok_key(key, &["raters", s(&master), "--add", "Ana"]);
    ok_key(
        key,
        &["assign", s(&master), "--raters", "Ana", "--overlap", "1"],
    );
    let package = dir.path().join("ana.concord");
    let package_key = "read out over the phone";
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["package", s(&master), "--rater", "Ana", "-o", s(&package)])
        .env("CONCORD_PASSPHRASE", key)
        .env("CONCORD_PACKAGE_PASSPHRASE", package_key)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains(package_key) && said.contains("separately"),
        "{said}"
    );
    assert!(!contains(&package, PROMPT) && !contains(&package, RESPONSE));
    // The study's passphrase does not open the package: only the package's does.
    let err = String::from_utf8_lossy(&with_key(key, &["info", s(&package)]).stderr).into_owned();
    assert!(err.contains("wrong passphrase"), "{err}");
    let mut rate = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["rate", s(&package), "--rater", "Ana"])
        .env("CONCORD_PASSPHRASE", package_key)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    rate.stdin
        .take()
        .unwrap()
        // A blind package (the default) names responses by package-local ids.
        .write_all(b"response-1 safety 4\nresponse-2 empathy 2\n")
        .unwrap();
    assert!(rate.wait().unwrap().success());
    let returned = dir.path().join("ana-returned.concord");
    ok_key(package_key, &["return", s(&package), "-o", s(&returned)]);
    assert!(!contains(&returned, PROMPT));
    let receipt = ok_key(key, &["merge", s(&master), s(&returned), "--json"]);
    assert!(receipt.contains("\"events_added\": 2"), "{receipt}");
    ok_key(key, &["check", s(&master)]);
    let export = dir.path().join("export.csv");
    ok_key(key, &["export", s(&master), s(&export)]);
    let csv = std::fs::read_to_string(&export).unwrap();
    assert!(csv.contains("Ana") && csv.contains(RESPONSE), "{csv}");
}

#[test]
fn encrypt_and_decrypt_convert_in_place_with_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("s.concord");
    ok(&["new", s(&study)]);
    ok(&["import", s(&study), s(&csv(dir.path()))]);
    assert!(
        contains(&study, PROMPT),
        "a plain study holds its text in clear"
    );
    let plain_info = ok(&["info", s(&study), "--json"]);

    // A passphrase too short to choose: refused with the rule, the study left plain.
    let short = with_key("k1", &["encrypt", s(&study)]);
    let err = String::from_utf8_lossy(&short.stderr).into_owned();
    assert!(
        !short.status.success() && err.contains("at least 15 characters"),
        "{err}"
    );
    assert!(contains(&study, PROMPT) && !dir.path().join("s.concord.bak").exists());
    ok_key("kestrel over the weir", &["encrypt", s(&study)]);
    assert!(!contains(&study, PROMPT));
    let backup = dir.path().join("s.concord.bak");
    assert!(contains(&backup, PROMPT), "the plain original is kept");
    assert_eq!(
        ok_key("kestrel over the weir", &["info", s(&study), "--json"]),
        plain_info
    );
    ok_key("kestrel over the weir", &["check", s(&study)]);

    std::fs::remove_file(&backup).unwrap();
    ok_key("kestrel over the weir", &["decrypt", s(&study)]);
    assert_eq!(ok(&["info", s(&study), "--json"]), plain_info);
    assert!(contains(&study, PROMPT));
    assert!(
        !contains(&backup, PROMPT),
        "the backup is the encrypted original"
    );
}
