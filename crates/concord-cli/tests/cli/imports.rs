//! Imports: formats and column maps, messy wide files, and bad input named by file, row and
//! field with nothing changed.

use super::*;

#[test]
fn import_formats_and_column_map() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("d.concord");
    demo_study(&demo, "4", "1", "1", &[]);
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
    // The same file twice: the second run adds nothing.
    let import = || {
        ok(&[
            "ratings",
            "import",
            s(&study),
            s(&data),
            "--kind",
            "llm",
            "--layout",
            "wide",
        ])
    };
    let out = import();
    assert!(
        out.contains("3 ratings and 1 rationales added, 1 raters created"),
        "{out}"
    );
    let again = import();
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
