//! Opening: identity and durable pragmas; foreign and newer files refused untouched; older ones
//! migrated after a backup.

use super::*;

#[test]
fn new_study_has_identity_and_durable_pragmas() {
    let (_d, path) = temp();
    let study = Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap();
    drop(study);
    let conn = Connection::open(&path).unwrap();
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        (app, version, mode.as_str()),
        (APPLICATION_ID, SCHEMA_VERSION, "wal")
    );
    assert!(matches!(
        Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()),
        Err(Error::AlreadyExists(_))
    ));
}

#[test]
fn foreign_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, not a database\n").unwrap();
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    let empty = dir.path().join("empty.concord");
    std::fs::write(&empty, b"").unwrap();
    for path in [&text, &other, &empty] {
        let before = bytes(path);
        let err = Study::open(path).err().expect("refused").to_string();
        assert!(err.contains("not a Concord study"), "{err}");
        assert_eq!(bytes(path), before, "{} was modified", path.display());
    }
}

#[test]
fn newer_schema_is_refused_untouched() {
    let (_d, path) = temp();
    drop(Study::create(&path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let before = bytes(&path);
    let err = Study::open(&path).err().unwrap().to_string();
    assert!(
        err.contains("newer Concord")
            && err.contains(&format!("schema version {}", SCHEMA_VERSION + 1)),
        "{err}"
    );
    assert_eq!(bytes(&path), before);
}

#[test]
fn older_schema_is_migrated_after_a_backup() {
    let (_d, path) = temp();
    // A version-0 study file: Concord's identity but no schema applied yet.
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .unwrap();
    conn.execute_batch("CREATE TABLE placeholder(x)").unwrap();
    drop(conn);
    // Opening migrates forward but then finds no study record: a clear refusal, and a backup.
    let err = Study::open(&path).err().unwrap().to_string();
    assert!(err.contains("study record missing"), "{err}");
    assert!(concord_core::schema::backup_path(&path, 0).exists());
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}
