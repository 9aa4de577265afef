//! `concord assign` as a design and `concord progress`, on real study files.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{concord, ok, s};

const NAMES: [&str; 6] = ["Ana", "Ben", "Cai", "Dee", "Eli", "Fay"];

/// A demo study of `items` × 3 models with the six raters and no ratings.
fn study(dir: &Path, items: &str) -> PathBuf {
    let file = dir.join("d.concord");
    ok(&[
        "demo",
        s(&file),
        "--items",
        items,
        "--models",
        "3",
        "--raters",
        "0",
        "--judges",
        "1",
    ]);
    for name in NAMES {
        ok(&["raters", s(&file), "--add", name]);
    }
    file
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

#[test]
fn six_raters_with_overlap_two_share_all_fifteen_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let file = study(dir.path(), "10");
    let design = json(&[
        "assign",
        s(&file),
        "--raters",
        &NAMES.join(","),
        "--overlap",
        "2",
        "--json",
    ]);
    // 30 responses: 2 copies of the 15 pairs, a balanced incomplete block design.
    assert_eq!(design["kind"], "bibd", "{design}");
    assert_eq!(design["overlap"], 2);
    assert_eq!(design["added"], 60);
    let raters = design["raters"].as_array().unwrap();
    let names: Vec<&str> = raters
        .iter()
        .map(|r| r["rater"].as_str().unwrap())
        .collect();
    assert_eq!(names, NAMES);
    assert!(
        raters.iter().all(|r| r["load"] == 10 && r["added"] == 10),
        "{design}"
    );
    let matrix = design["overlap_matrix"].as_array().unwrap();
    let mut pairs = 0;
    for (a, row) in matrix.iter().enumerate() {
        for (b, cell) in row.as_array().unwrap().iter().enumerate() {
            let n = cell.as_u64().unwrap();
            if a == b {
                assert_eq!(n, 10);
            } else {
                assert_eq!(n, 2, "pair {a},{b}");
                pairs += usize::from(a < b);
            }
        }
    }
    assert_eq!(pairs, 15);
    // The overlap is stored as the study's target, and a re-run changes nothing.
    assert!(ok(&["settings", s(&file)]).contains("\"overlap_target\": 2"));
    let again = json(&["assign", s(&file), "--raters", &NAMES.join(","), "--json"]);
    assert_eq!(
        (again["kind"].as_str(), again["added"].as_u64()),
        (Some("unchanged"), Some(0))
    );
}

#[test]
fn text_output_names_the_kind_and_keeps_the_per_rater_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = study(dir.path(), "7");
    let out = ok(&[
        "assign",
        s(&file),
        "--raters",
        "Ana,Ben,Cai,Dee",
        "--overlap",
        "3",
        "--strata",
        "model",
        "--seed",
        "5",
    ]);
    assert!(out.starts_with("near-balanced design: "), "{out}");
    assert!(out.contains("seeded greedy (seed 5)"), "{out}");
    assert!(
        out.contains("Ana: 16 responses assigned") || out.contains("Ana: 15 responses assigned"),
        "{out}"
    );
    assert!(out.contains("responses shared by each pair"), "{out}");
}

#[test]
fn retire_moves_unrated_work_and_progress_reports_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = study(dir.path(), "10");
    ok(&[
        "assign",
        s(&file),
        "--raters",
        &NAMES.join(","),
        "--overlap",
        "2",
    ]);
    let moved = json(&["assign", s(&file), "--unassign", "Fay", "--json"]);
    assert_eq!(moved["moved"], 10);
    assert_eq!(moved["added"], 10);
    let loads: Vec<u64> = moved["raters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["load"].as_u64().unwrap())
        .collect();
    assert_eq!(loads, vec![12; 5]);

    let progress = json(&["progress", s(&file), "--json"]);
    let raters = progress["raters"].as_array().unwrap();
    assert_eq!(raters.len(), 6);
    let fay = raters.iter().find(|r| r["rater"] == "Fay").unwrap();
    assert_eq!(fay["assigned"], 0);
    let ana = raters.iter().find(|r| r["rater"] == "Ana").unwrap();
    for key in [
        "rater",
        "site",
        "assigned",
        "done",
        "partial",
        "flagged",
        "last_activity",
        "median_seconds",
        "package_out_since",
    ] {
        assert!(ana.get(key).is_some(), "{key} missing: {ana}");
    }
    assert_eq!(
        (ana["assigned"].as_u64(), ana["done"].as_u64()),
        (Some(12), Some(0))
    );
    assert!(ana["site"].is_null() && ana["last_activity"].is_null());
    let text = ok(&["progress", s(&file)]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Ana ") && l.contains(" 12 ")),
        "{text}"
    );

    // Naming an unknown rater fails and changes nothing.
    let out = concord(&["assign", s(&file), "--raters", "Ana,Zed", "--overlap", "2"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rater named 'Zed'"));
}
