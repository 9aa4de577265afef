//! `agreement`, `plot` and `report` on a real demo study.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{concord, ok, s};

fn demo(dir: &Path) -> PathBuf {
    let study = dir.join("d.concord");
    ok(&[
        "demo",
        s(&study),
        "--items",
        "20",
        "--models",
        "3",
        "--raters",
        "3",
        "--judges",
        "2",
    ]);
    study
}

#[test]
fn agreement_json_has_the_documented_shape() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let json: Value = serde_json::from_str(&ok(&[
        "agreement",
        s(&study),
        "--json",
        "--bootstrap",
        "200",
    ]))
    .unwrap();
    let attributes = json["attributes"].as_array().unwrap();
    assert_eq!(attributes.len(), 7);
    let safety = attributes
        .iter()
        .find(|a| a["attribute"] == "safety")
        .unwrap();
    assert_eq!(safety["group"], "CSS");
    let humans = &safety["humans"];
    assert_eq!(humans["raters"].as_array().unwrap().len(), 3);
    assert_eq!(humans["n_targets"], 60);
    for form in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
        let e = &humans["icc"][form];
        let (v, lo, hi) = (
            e["value"].as_f64().unwrap(),
            e["ci95"][0].as_f64().unwrap(),
            e["ci95"][1].as_f64().unwrap(),
        );
        assert!(lo <= v && v <= hi, "{form}: {v} not in [{lo}, {hi}]");
        // The demo's models answer the same items: the consistency forms, which treat the
        // raters as fixed, leave out items; the others keep their F intervals and tests.
        if form.starts_with("ICC3") {
            assert_eq!(humans["cluster_unit"], "item");
            assert_eq!(e["ci_method"], "cluster-jackknife-t", "{form}");
            assert!(e["F"].is_null() && e["p"].is_number(), "{form}");
        } else {
            assert!(
                e["F"].is_number()
                    && e["df1"].is_number()
                    && e["df2"].is_number()
                    && e["p"].is_number(),
                "{form}"
            );
        }
    }
    for level in ["nominal", "ordinal", "interval", "ratio"] {
        assert!(humans["alpha"][level]["value"].is_number(), "alpha {level}");
    }
    assert!(humans["fleiss_kappa"]["value"].is_number());
    assert!(humans["gwet"]["ac2_quadratic"]["ci95"].is_array());
    assert_eq!(humans["pairs"].as_array().unwrap().len(), 3);
    assert!(humans["pairs"][0]["kappa"]["quadratic"]["value"].is_number());
    let judges = safety["judges"].as_array().unwrap();
    assert_eq!(judges.len(), 2);
    // The demo gives Judge B twice Judge A's inflation (0.35 and 0.7 points).
    let bias = |j: usize| judges[j]["bias"]["value"].as_f64().unwrap();
    assert!(
        bias(1) > bias(0) && bias(1) > 0.4,
        "judge bias {} {}",
        bias(0),
        bias(1)
    );
    assert!(judges[0]["bland_altman"]["loa_ci95"][1][1].is_number());
    assert_eq!(json["groups"].as_array().unwrap().len(), 2);
    // Same seed, same numbers; the CSV carries the same estimate.
    assert_eq!(
        ok(&["agreement", s(&study), "--json", "--bootstrap", "200"]),
        ok(&["agreement", s(&study), "--json", "--bootstrap", "200"])
    );
    let csv = ok(&["agreement", s(&study), "--csv", "--attribute", "safety"]);
    let icc2 = humans["icc"]["ICC2"]["value"].as_f64().unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("safety,CSS,humans,ICC2,"))
        .expect("ICC2 row");
    let value: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert!((value - icc2).abs() < 1e-9, "{row} vs {icc2}");
    // Unknown names are errors, not empty tables.
    assert_eq!(
        concord(&["agreement", s(&study), "--judges", "Judge Z"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        concord(&["agreement", s(&study), "--attribute", "kindness"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn model_unit_leaves_out_the_judges_own_model() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let n = |extra: &[&str]| -> u64 {
        let mut args = vec![
            "agreement",
            s(&study),
            "--json",
            "--unit",
            "model",
            "--attribute",
            "safety",
            "--bootstrap",
            "100",
        ];
        args.extend_from_slice(extra);
        let json: Value = serde_json::from_str(&ok(&args)).unwrap();
        json["attributes"][0]["judges"][0]["n_targets"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(n(&[]), 3);
    assert_eq!(n(&["--exclude-own", "Judge A=model-a"]), 2);
    ok(&["settings", s(&study), "--exclude-own", "Judge A=model-b"]);
    assert_eq!(n(&[]), 2, "the study setting applies");
}

#[test]
fn every_chart_is_written_as_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    // Every chart the plots crate draws, so a new chart is tested here without a second list.
    for &chart in concord_plots::chart_names() {
        let svg = dir.path().join(format!("{chart}.svg"));
        ok(&["plot", s(&study), chart, s(&svg), "--attribute", "empathy"]);
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(
            text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
            "{chart}"
        );
        assert!(text.contains("<text"), "{chart} has no labels");
        let png = dir.path().join(format!("{chart}.png"));
        ok(&["plot", s(&study), chart, s(&png)]);
        assert!(
            std::fs::read(&png)
                .unwrap()
                .starts_with(b"\x89PNG\r\n\x1a\n"),
            "{chart}"
        );
    }
    let bad = concord(&["plot", s(&study), "pie", s(&dir.path().join("x.svg"))]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("forest"),
        "error should list the charts"
    );
    assert_eq!(
        concord(&["plot", s(&study), "forest", s(&dir.path().join("x.gif"))])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn report_is_self_contained_and_renders_cleanly_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let html_path = dir.path().join("report.html");
    ok(&[
        "report",
        s(&study),
        "-o",
        s(&html_path),
        "--bootstrap",
        "200",
    ]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(!html.contains("<script"), "the report must need no script");
    for needle in ["src=\"http", "href=\"http", "url(", "@import"] {
        assert!(!html.contains(needle), "remote resource: {needle}");
    }
    for label in [
        "Guidance",
        "Understanding",
        "Judge A",
        "Judge B",
        "Krippendorff",
        "Bland",
        "Gwet",
    ] {
        assert!(html.contains(label), "report lacks {label}");
    }
    let browser_dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/browser");
    if !browser_dir.join("node_modules/playwright-core").exists()
        || !Path::new("/usr/bin/chromium").exists()
    {
        eprintln!("SKIPPED browser check: run scripts/setup.sh (needs chromium and tests/browser/node_modules)");
        return;
    }
    let shot = std::env::var("CONCORD_SCREENSHOTS")
        .ok()
        .map(|d| Path::new(&d).join("report.png"));
    let mut cmd = Command::new("node");
    cmd.arg(browser_dir.join("report.mjs")).arg(&html_path);
    if let Some(shot) = &shot {
        cmd.arg(shot);
    }
    let out = cmd.output().expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        result["console_errors"],
        serde_json::json!([]),
        "console errors"
    );
    assert_eq!(
        result["requests"],
        serde_json::json!([]),
        "network requests"
    );
    assert!(
        result["svgs"].as_u64().unwrap() >= 7,
        "charts did not render: {result}"
    );
}

#[test]
fn alt_epsilon_is_the_study_setting_unless_a_run_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let epsilon = |extra: &[&str]| {
        let mut args = vec!["agreement", s(&study), "--json", "--bootstrap", "50"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--attribute", "safety"]);
        let json: Value = serde_json::from_str(&ok(&args)).unwrap();
        let judge_eps = json["attributes"][0]["judges"][0]["alt_test"]["epsilon"].as_f64();
        (
            json["options"]["alt_test"]["epsilon"].as_f64().unwrap(),
            judge_eps,
        )
    };
    assert_eq!(epsilon(&[]), (0.2, Some(0.2)));
    let settings: Value =
        serde_json::from_str(&ok(&["settings", s(&study), "--alt-epsilon", "0.1"])).unwrap();
    assert_eq!(settings["alt_epsilon"], 0.1);
    assert_eq!(epsilon(&[]), (0.1, Some(0.1)));
    assert_eq!(epsilon(&["--alt-epsilon", "0.3"]), (0.3, Some(0.3)));
    // Out of range: refused, the setting unchanged.
    let bad = concord(&["settings", s(&study), "--alt-epsilon", "1.5"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("between 0 and 1"));
    assert_eq!(epsilon(&[]), (0.1, Some(0.1)));
}

#[test]
fn output_cut_short_by_its_reader_ends_quietly() {
    // `concord agreement … | head`: the reader goes away before the report is printed. The
    // command stops as other command-line tools do (SIGPIPE), with no panic on standard error.
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["agreement", s(&study), "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    // 13: SIGPIPE on Linux and macOS.
    assert_eq!(out.status.signal(), Some(13), "{:?}", out.status);
}
