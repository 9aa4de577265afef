//! What other parts rely on: `info --json`, exit codes, idempotent imports, refused files,
//! exports, the package round trip and gold.

use super::*;

#[test]
fn info_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("d.concord");
    demo_study(&study, "5", "2", "1", &[]);
    let info: serde_json::Value =
        serde_json::from_str(&ok(&["info", s(&study), "--json"])).unwrap();
    assert_eq!(info["items"], 5);
    assert_eq!(info["responses"], 10);
    assert_eq!(info["raters"]["human"], 2);
    assert_eq!(info["raters"]["llm"], 1);
    assert_eq!(info["ratings"], 10 * 7 * 3);
    assert_eq!(
        ok(&["check", s(&study)]).trim(),
        format!("{}: ok", study.display())
    );
}

#[test]
fn usage_errors_exit_2_and_new_refuses_to_overwrite() {
    assert_eq!(concord(&["info"]).status.code(), Some(2));
    assert_eq!(concord(&["frobnicate"]).status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    let before = std::fs::read(&study).unwrap();
    assert!(fails(&["new", s(&study)]).contains("already exists"));
    assert_eq!(std::fs::read(&study).unwrap(), before);
}

#[test]
fn import_is_idempotent_and_conflicts_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    let again = ok(&["import", s(&study), s(&dir.path().join("responses.csv"))]);
    assert!(
        again.contains("0 items and 0 responses added, 3 already present"),
        "{again}"
    );
    let conflict = dir.path().join("conflict.csv");
    std::fs::write(&conflict, "item_id,prompt,response_id,model,response\ni3,New,r9,m,x\ni2,I can't sleep,r3,model-a,Changed text\n").unwrap();
    let before = snapshot(&study);
    let err = fails(&["import", s(&study), s(&conflict)]);
    assert!(err.ends_with("conflict.csv: row 3, field 'response': response 'r3' already exists with a different response"), "{err}");
    assert_eq!(
        snapshot(&study),
        before,
        "the first row of a failed import must not remain"
    );
}

#[test]
fn foreign_and_newer_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "notes.concord", b"just text\n");
    assert!(fails(&["info", s(&text)]).contains("not a Concord study"));
    assert_eq!(std::fs::read(&text).unwrap(), b"just text\n");
    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE x(y)")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    assert!(fails(&["info", s(&other)]).contains("another application"));
    assert_eq!(std::fs::read(&other).unwrap(), before);
    let newer = study_with_responses(dir.path());
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let before = std::fs::read(&newer).unwrap();
    assert!(fails(&["info", s(&newer)]).contains("newer Concord"));
    assert_eq!(std::fs::read(&newer).unwrap(), before);
}

#[test]
fn export_long_and_wide_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d.concord");
    demo_study(&demo, "3", "2", "1", &[]);
    let wide = dir.path().join("wide.csv");
    ok(&["export", s(&demo), s(&wide), "--layout", "wide"]);
    let text = std::fs::read_to_string(&wide).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(header, "item_id,prompt,response_id,model,response,rater,rater_kind,guidance,informativeness,relevance,safety,empathy,helpfulness,understanding,rationale,flags");
    let fresh = dir.path().join("f.concord");
    ok(&["new", s(&fresh)]);
    ok(&["import", s(&fresh), s(&wide)]);
    ok(&[
        "ratings",
        "import",
        s(&fresh),
        s(&wide),
        "--kind",
        "human",
        "--layout",
        "wide",
    ]);
    let count = |p: &Path| -> i64 {
        Connection::open(p)
            .unwrap()
            .query_row("SELECT sum(value) FROM rating", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        count(&fresh),
        count(&demo),
        "wide export → import preserves every value"
    );
    let explicit = dir.path().join("long.data");
    ok(&["export", s(&demo), s(&explicit), "--format", "jsonl"]);
    assert_eq!(
        std::fs::read_to_string(&explicit).unwrap().lines().count(),
        6 * 7 * 3
    );
}

#[test]
fn package_and_merge_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (demo, assigned) = demo_with_packages(dir.path(), "4");
    assert!(assigned.contains("Ana: 8 responses assigned"));
    let pkg = dir.path().join("ana.concord");
    ok(&["package", s(&demo), "--rater", "Ana", "-o", s(&pkg)]);
    // A blind package names responses by package-local ids.
    rate_lines(&pkg, "Ana", b"response-1 safety 4\nresponse-2 empathy 2\n");
    // Only the returned file travels; the working package is not mergeable as it is.
    assert!(fails(&["merge", s(&demo), s(&pkg)]).contains("was not returned"));
    let back = dir.path().join("ana-returned.concord");
    assert!(ok(&["return", s(&pkg), "-o", s(&back)]).contains("Send"));
    let receipt = ok(&["merge", s(&demo), s(&back)]);
    assert!(
        receipt
            .contains("merged package (2 events, 0 notes, 0 gold; 2 cells changed; 0 conflicts)"),
        "{receipt}"
    );
    assert!(
        receipt.contains("Ana: 2 events added, 2 cells changed, 0 conflicts"),
        "{receipt}"
    );
    assert!(ok(&["merge", s(&demo), s(&back)]).contains("already merged"));
    assert!(ok(&["merges", s(&demo)]).contains("ana-returned.concord"));
    assert_eq!(ok(&["conflicts", s(&demo)]).trim(), "no open conflicts");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ok(&["info", s(&demo), "--json"])).unwrap()
            ["ratings"],
        2
    );
}

#[test]
fn disagreements_and_gold() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d.concord");
    demo_study(&demo, "10", "3", "0", &["--noise", "1.2"]);
    let list: serde_json::Value = serde_json::from_str(&ok(&[
        "disagreements",
        s(&demo),
        "--attribute",
        "safety",
        "--json",
        "--min-range",
        "2",
    ]))
    .unwrap();
    let first = &list[0];
    assert!(first["range"].as_i64().unwrap() >= 2, "{first}");
    let response = first["response_id"].as_str().unwrap();
    ok(&[
        "gold",
        s(&demo),
        response,
        "safety",
        "3",
        "--by",
        "Dr Lead",
        "--reason",
        "consensus meeting",
    ]);
    let again: serde_json::Value = serde_json::from_str(&ok(&[
        "disagreements",
        s(&demo),
        "--attribute",
        "safety",
        "--json",
    ]))
    .unwrap();
    let same = again
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["response_id"] == response)
        .unwrap();
    assert_eq!(same["gold"], 3);
    assert!(
        fails(&["gold", s(&demo), response, "safety", "7", "--by", "Dr Lead"])
            .contains("outside the scale")
    );
}
