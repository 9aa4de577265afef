//! `concord assign` as a design and `concord progress`, on real study files.

use std::path::{Path, PathBuf};

use serde_json::Value;

mod common;
use common::{concord, ok, s};

const NAMES: [&str; 6] = ["Ana", "Ben", "Cai", "Dee", "Eli", "Fay"];

/// A demo study of `items` × 3 models with one judge and no human rater.
fn without_humans(dir: &Path, items: &str) -> PathBuf {
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
    file
}

/// A demo study of `items` × 3 models with the six raters and no ratings.
fn study(dir: &Path, items: &str) -> PathBuf {
    let file = without_humans(dir, items);
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

#[test]
fn strata_site_spreads_each_response_over_the_sites() {
    let dir = tempfile::tempdir().unwrap();
    let file = without_humans(dir.path(), "20");
    // Six clinicians at three sites, two each, listed so that site and name order differ.
    let sites = [
        ("Ana", "North"),
        ("Ben", "South"),
        ("Cai", "East"),
        ("Dee", "North"),
        ("Eli", "South"),
        ("Fay", "East"),
    ];
    for (name, site) in sites {
        ok(&["raters", s(&file), "--add", name, "--site", site]);
    }
    // The text listing shows each clinician's site beside the name (the judge has none).
    let listing = ok(&["raters", s(&file)]);
    for (name, site) in sites {
        let line = listing.lines().find(|l| l.starts_with(name)).expect(name);
        assert_eq!(line.split_whitespace().nth(2), Some(site), "{line}");
    }
    let design = json(&[
        "assign",
        s(&file),
        "--raters",
        &NAMES.join(","),
        "--overlap",
        "3",
        "--strata",
        "site",
        "--seed",
        "9",
        "--json",
    ]);
    assert_eq!(design["strata"], "site");
    assert_eq!(design["added"], 180);
    // Who holds each response, with its model, straight from the file.
    let conn = rusqlite::Connection::open(&file).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT p.external_id, p.model, t.name FROM assignment a
             JOIN response p ON p.id = a.response_id JOIN rater t ON t.id = a.rater_id
             ORDER BY p.id, t.name",
        )
        .unwrap();
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let site_of = |rater: &str| sites.iter().find(|(n, _)| *n == rater).unwrap().1;
    let mut holders = std::collections::BTreeMap::<&str, Vec<&str>>::new();
    let mut per_model_site = std::collections::BTreeMap::<(&str, &str), usize>::new();
    let mut per_model_rater = std::collections::BTreeMap::<(&str, &str), usize>::new();
    for (response, model, rater) in &rows {
        holders.entry(response).or_default().push(rater);
        *per_model_site.entry((model, site_of(rater))).or_default() += 1;
        *per_model_rater.entry((model, rater)).or_default() += 1;
    }
    assert_eq!(holders.len(), 60);
    // Each response's three raters: one from each site.
    for (response, raters) in &holders {
        let mut at: Vec<&str> = raters.iter().map(|r| site_of(r)).collect();
        at.sort_unstable();
        at.dedup();
        assert_eq!(at.len(), 3, "{response} is rated by {raters:?}");
    }
    // Every site sees each model's 20 responses once each; every rater 10 of each model.
    assert!(
        per_model_site.values().all(|&c| c == 20),
        "{per_model_site:?}"
    );
    assert!(
        per_model_rater.values().all(|&c| c == 10),
        "{per_model_rater:?}"
    );
    // The site shows in progress.
    let progress = json(&["progress", s(&file), "--json"]);
    let ana = progress["raters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rater"] == "Ana")
        .unwrap();
    assert_eq!(ana["site"], "North");
}
