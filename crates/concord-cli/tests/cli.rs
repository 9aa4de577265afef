//! The `concord` binary on real files: the contract other parts rely on, bad input, and faults
//! (SIGKILL during an import or during rating).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;

mod common;
use common::{concord, ok, s};

/// Runs a command expected to fail with exit 1; returns its one-line message.
fn fails(args: &[&str]) -> String {
    let out = concord(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "concord {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "error is not one line: {err}"
    );
    err.trim().to_string()
}

/// Everything that must not change when an operation fails.
fn snapshot(study: &Path) -> (serde_json::Value, Vec<(String, Option<i64>)>) {
    let info: serde_json::Value = serde_json::from_str(&ok(&["info", s(study), "--json"])).unwrap();
    let conn = Connection::open(study).unwrap();
    let mut stmt = conn
        .prepare("SELECT hex(gid), value FROM rating_event ORDER BY id")
        .unwrap();
    let events = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    (info, events)
}

fn study_with_responses(dir: &Path) -> PathBuf {
    let study = dir.join("s.concord");
    ok(&["new", s(&study)]);
    let data = dir.join("responses.csv");
    std::fs::write(
        &data,
        "item_id,prompt,response_id,model,response\n\
         i1,I feel low,r1,model-a,Try a walk.\n\
         i1,I feel low,r2,model-b,\"Talk to someone.\nYou matter.\"\n\
         i2,I can't sleep,r3,model-a,Keep a routine.\n",
    )
    .unwrap();
    ok(&["import", s(&study), s(&data)]);
    study
}

#[test]
fn info_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("d.concord");
    ok(&[
        "demo",
        s(&study),
        "--items",
        "5",
        "--models",
        "2",
        "--raters",
        "2",
        "--judges",
        "1",
    ]);
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
fn import_formats_and_column_map() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d.concord");
    ok(&[
        "demo",
        s(&demo),
        "--items",
        "4",
        "--models",
        "2",
        "--raters",
        "1",
        "--judges",
        "1",
    ]);
    for ext in ["csv", "jsonl", "parquet"] {
        let out = dir.path().join(format!("long.{ext}"));
        ok(&["export", s(&demo), s(&out)]);
        let fresh = dir.path().join(format!("fresh-{ext}.concord"));
        ok(&["new", s(&fresh)]);
        // Exports carry the response columns, so they import as responses...
        ok(&["import", s(&fresh), s(&out)]);
        // ...and as long ratings.
        ok(&["ratings", "import", s(&fresh), s(&out), "--kind", "human"]);
        let info: serde_json::Value =
            serde_json::from_str(&ok(&["info", s(&fresh), "--json"])).unwrap();
        assert_eq!(
            (info["responses"].as_u64(), info["ratings"].as_u64()),
            (Some(8), Some(8 * 7 * 2)),
            "{ext}"
        );
    }
    let renamed = dir.path().join("renamed.csv");
    std::fs::write(
        &renamed,
        "q,text,id,system,answer\nA,Prompt A,x1,m1,Reply one\n",
    )
    .unwrap();
    let fresh = dir.path().join("mapped.concord");
    ok(&["new", s(&fresh)]);
    let out = ok(&[
        "import",
        s(&fresh),
        s(&renamed),
        "--map",
        "item_id=q",
        "--map",
        "prompt=text",
        "--map",
        "response_id=id",
        "--map",
        "model=system",
        "--map",
        "response=answer",
    ]);
    assert!(out.contains("1 items and 1 responses added"), "{out}");
    assert_eq!(
        concord(&["import", s(&fresh), s(&renamed), "--map", "bogus=q"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn messy_wide_ratings_with_rationales_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    let data = dir.path().join("judge.csv");
    std::fs::write(
        &data,
        b"\xEF\xBB\xBF response_id , rater ,safety, empathy ,rationale\r\n\
          r1,Judge X,4,5,\"Safe advice.\r\nWarm tone.\"\r\n\
          r2,Judge X,,3,\r\n",
    )
    .unwrap();
    let out = ok(&[
        "ratings",
        "import",
        s(&study),
        s(&data),
        "--kind",
        "llm",
        "--layout",
        "wide",
    ]);
    assert!(
        out.contains("3 ratings and 1 rationales added, 1 raters created"),
        "{out}"
    );
    let again = ok(&[
        "ratings",
        "import",
        s(&study),
        s(&data),
        "--kind",
        "llm",
        "--layout",
        "wide",
    ]);
    assert!(
        again.contains("0 ratings and 0 rationales added, 0 raters created, 3 values unchanged"),
        "{again}"
    );
    let conn = Connection::open(&study).unwrap();
    let (kind, rationale): (String, String) = conn
        .query_row(
            "SELECT t.kind, n.rationale FROM response_note n JOIN rater t ON t.id = n.rater_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (kind.as_str(), rationale.as_str()),
        ("llm", "Safe advice.\r\nWarm tone.")
    );
}

#[test]
fn bad_input_names_file_row_and_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    ok(&[
        "ratings",
        "import",
        s(&study),
        s(&write(
            dir.path(),
            "good.csv",
            b"response_id,rater,attribute,score\nr1,Ana,safety,4\n",
        )),
        "--kind",
        "human",
    ]);
    let before = snapshot(&study);
    let long = "response_id,rater,attribute,score\nr1,Ana,empathy,3\n";
    let cases: Vec<(&str, Vec<u8>, &[&str], &str)> = vec![
        (
            "unknown_attr.csv",
            format!("{long}r2,Ana,kindness,3\n").into_bytes(),
            &[],
            "row 3, field 'attribute': unknown attribute 'kindness'",
        ),
        (
            "out_of_scale.csv",
            format!("{long}r2,Ana,safety,6\n").into_bytes(),
            &[],
            "row 3, field 'score': score 6 is outside the scale 1–5",
        ),
        (
            "not_integer.csv",
            format!("{long}r2,Ana,safety,4.5\n").into_bytes(),
            &[],
            "row 3, field 'score': score '4.5' is not an integer",
        ),
        (
            "unknown_response.csv",
            format!("{long}r404,Ana,safety,4\n").into_bytes(),
            &[],
            "row 3, field 'response_id': unknown response 'r404'",
        ),
        ("empty.csv", Vec::new(), &[], "empty.csv: file is empty"),
        (
            "header_only.csv",
            b"response_id,rater,attribute,score\n".to_vec(),
            &[],
            "header_only.csv: no data rows (only a header)",
        ),
        (
            "bad_utf8.csv",
            b"response_id,rater,attribute,score\nr1,An\xffa,safety,3\n".to_vec(),
            &[],
            "row 2, field '(text)': invalid UTF-8",
        ),
        (
            "ragged.csv",
            format!("{long}r2,Ana,safety\n").into_bytes(),
            &[],
            "row 3, field 'attribute': has 3 fields but the header has 4",
        ),
        (
            "wide_unknown.csv",
            b"response_id,rater,safety,warmth\nr1,Ana,3,4\n".to_vec(),
            &["--layout", "wide"],
            "row 1, field 'warmth': unknown attribute",
        ),
        (
            "missing_column.csv",
            b"response_id,rater,attribute\nr1,Ana,safety\n".to_vec(),
            &[],
            "row 1, field 'score': no such column",
        ),
    ];
    for (name, bytes, extra, expected) in cases {
        let path = write(dir.path(), name, &bytes);
        let mut args = vec!["ratings", "import", s(&study), s(&path), "--kind", "human"];
        args.extend_from_slice(extra);
        let err = fails(&args);
        assert!(
            err.contains(&format!("{}", path.display())),
            "{name}: error does not name the file: {err}"
        );
        assert!(
            err.contains(expected),
            "{name}: expected '{expected}' in '{err}'"
        );
        assert_eq!(snapshot(&study), before, "{name} changed the study");
    }
    // A truncated Parquet file, for both kinds of import.
    let parquet = dir.path().join("full.parquet");
    ok(&["export", s(&study), s(&parquet)]);
    let bytes = std::fs::read(&parquet).unwrap();
    let truncated = write(dir.path(), "truncated.parquet", &bytes[..bytes.len() / 2]);
    assert!(fails(&[
        "ratings",
        "import",
        s(&study),
        s(&truncated),
        "--kind",
        "human"
    ])
    .contains("truncated.parquet: not a readable Parquet file"));
    assert!(fails(&["import", s(&study), s(&truncated)])
        .contains("truncated.parquet: not a readable Parquet file"));
    assert_eq!(snapshot(&study), before);
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
    ok(&[
        "demo",
        s(&demo),
        "--items",
        "3",
        "--models",
        "2",
        "--raters",
        "2",
        "--judges",
        "1",
    ]);
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
    let demo = dir.path().join("d.concord");
    ok(&[
        "demo",
        s(&demo),
        "--items",
        "4",
        "--models",
        "2",
        "--raters",
        "0",
        "--judges",
        "0",
    ]);
    ok(&["raters", s(&demo), "--add", "Ana"]);
    ok(&["raters", s(&demo), "--add", "Ben"]);
    assert!(
        ok(&["assign", s(&demo), "--raters", "Ana,Ben", "--overlap", "2"])
            .contains("Ana: 8 responses assigned")
    );
    let pkg = dir.path().join("ana.concord");
    ok(&["package", s(&demo), "--rater", "Ana", "-o", s(&pkg)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["rate", s(&pkg), "--rater", "Ana"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        // A blind package names responses by package-local ids.
        .write_all(b"response-1 safety 4\nresponse-2 empathy 2\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
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

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn sigkill(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn import_killed_part_way_leaves_the_study_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let study = study_with_responses(dir.path());
    let mut csv = String::from("item_id,prompt,response_id,model,response\n");
    for i in 0..300_000 {
        csv.push_str(&format!("big{},Prompt number {} with some words,big-r{i},m{},A response text that is long enough to fill pages {i}\n", i / 3, i / 3, i % 3));
    }
    let data = write(dir.path(), "big.csv", csv.as_bytes());
    let before = snapshot(&study);
    let wal = study.with_file_name("s.concord-wal");
    // Sanity: the same file imports cleanly into a copy, so the kill below is the only failure.
    let copy = dir.path().join("copy.concord");
    std::fs::copy(&study, &copy).unwrap();
    ok(&["import", s(&copy), s(&data)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["import", s(&study), s(&data)])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing (its uncommitted pages spill into the WAL), then kill it.
    let start = Instant::now();
    let mut killed_while_writing = false;
    while start.elapsed() < Duration::from_secs(120) {
        if std::fs::metadata(&wal)
            .map(|m| m.len() > 4 << 20)
            .unwrap_or(false)
        {
            sigkill(&child);
            killed_while_writing = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait().unwrap();
    assert!(
        killed_while_writing,
        "the import finished before it could be killed; make the file bigger"
    );
    assert_eq!(snapshot(&study), before);
    assert!(ok(&["check", s(&study)]).ends_with("ok\n"));
}

#[test]
fn every_acknowledged_rating_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("d.concord");
    ok(&[
        "demo",
        s(&study),
        "--items",
        "50",
        "--models",
        "2",
        "--raters",
        "1",
        "--judges",
        "0",
        "--coverage",
        "0",
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["rate", s(&study), "--rater", "Rater 1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..100_000usize {
            let line = format!(
                "resp-{:05}-model-{} {} {}\n",
                i % 50 + 1,
                ["a", "b"][i / 50 % 2],
                ["safety", "empathy", "guidance"][i % 3],
                i % 5 + 1
            );
            if stdin.write_all(line.as_bytes()).is_err() {
                break;
            }
        }
    });
    let mut acked = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        acked.push(line.split_whitespace().nth(1).unwrap().to_string());
        if acked.len() == 300 {
            sigkill(&child);
            break;
        }
    }
    child.wait().unwrap();
    let _ = writer.join();
    let conn = Connection::open(&study).unwrap();
    for id in &acked {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM rating_event WHERE gid = unhex(replace(?1, '-', ''))",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "acknowledged event {id} was lost");
    }
    drop(conn);
    assert!(ok(&["check", s(&study)]).ends_with("ok\n"));
}

#[test]
fn disagreements_and_gold() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d.concord");
    ok(&[
        "demo",
        s(&demo),
        "--items",
        "10",
        "--models",
        "2",
        "--raters",
        "3",
        "--judges",
        "0",
        "--noise",
        "1.2",
    ]);
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
