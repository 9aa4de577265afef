//! Bad names and values give one-line errors; text output is readable.

use super::*;

/// Runs a command that must fail with `code` and a one-line message containing `needle`.
fn fails(args: &[&str], code: i32, needle: &str) {
    let out = concord(args);
    assert_eq!(out.status.code(), Some(code), "concord {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn unknown_names_and_bad_values_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let f = s(&study);
    fails(
        &["estimate", f, "--judge", "Nobody"],
        1,
        "unknown judge 'Nobody'; valid judges: Judge A, Judge B",
    );
    fails(
        &["estimate", f, "--judge", "Rater 1"],
        1,
        "unknown judge 'Rater 1'",
    );
    fails(
        &["estimate", f, "--judge", "Judge A", "--attribute", "charm"],
        1,
        "unknown attribute 'charm'; valid attributes: guidance,",
    );
    fails(
        &["plan", f, "--attribute", "charm"],
        1,
        "unknown attribute 'charm'",
    );
    fails(
        &["plan", f, "--judge", "Nobody"],
        1,
        "unknown judge 'Nobody'",
    );
    fails(
        &["next", f, "--count", "3", "--judge", "Nobody"],
        1,
        "unknown judge",
    );
    fails(
        &["next", f, "--count", "3", "--assign", "Nobody"],
        1,
        "no human rater named 'Nobody'",
    );
    fails(
        &["next", f, "--count", "3", "--assign", "Judge A"],
        1,
        "no human rater named 'Judge A'",
    );
    fails(
        &["estimate", f, "--judge", "Judge A", "--alpha", "1.5"],
        2,
        "--alpha must lie strictly between 0 and 1",
    );
    fails(&["plan", f, "--width", "0"], 2, "--width must be > 0");
    fails(
        &["next", f, "--count", "0"],
        2,
        "--count must be at least 1",
    );
    // The failed runs created no rater.
    let raters: Value = json(&["raters", f, "--json"]);
    assert_eq!(raters.as_array().unwrap().len(), 5);

    let dir2 = tempfile::tempdir().unwrap();
    let bare = dir2.path().join("nojudge.concord");
    ok(&["demo", s(&bare), "--items", "5", "--judges", "0"]);
    fails(
        &["next", s(&bare), "--count", "3"],
        1,
        "this study has no LLM judge",
    );
    fails(
        &["estimate", s(&bare), "--judge", "Judge A"],
        1,
        "valid judges: none",
    );
}

/// No Rust debug formatting may reach a reader.
fn readable(text: &str) {
    for bad in ["Some(", "None", "MeanCi", "{", "NaN"] {
        assert!(!text.contains(bad), "'{bad}' in:\n{text}");
    }
}

#[test]
fn text_output_is_readable_and_the_report_has_model_scores() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let f = s(&study);
    let text = ok(&[
        "estimate",
        f,
        "--judge",
        "Judge A",
        "--attribute",
        "empathy",
    ]);
    readable(&text);
    let set = json(&[
        "estimate",
        f,
        "--judge",
        "Judge A",
        "--attribute",
        "empathy",
        "--json",
    ]);
    let first = &set["estimates"][0];
    let v = first["ppi_plus"]["value"].as_f64().unwrap();
    assert!(text.contains(&format!("PPI++        {v:.3} [")), "{text}");
    assert!(text.contains("model-a  n = "), "{text}");
    assert!(text.contains("95% intervals"), "{text}");
    assert!(text.contains("Ranking by PPI++ mean"), "{text}");

    let plan = ok(&["plan", f, "--width", "0.5"]);
    readable(&plan);
    assert!(
        plan.contains("Plan for guidance: 95% intervals of full width 0.5 (±0.25)"),
        "{plan}"
    );
    assert!(plan.contains("PPI++ model means with Judge A"), "{plan}");

    let next = ok(&["next", f, "--count", "4"]);
    readable(&next);
    assert_eq!(
        next.lines()
            .filter(|l| l.contains("π = 0.") || l.contains("π = 1."))
            .count(),
        4,
        "{next}"
    );

    // The HTML report: a "Model scores" section for the first judge with the same PPI++ means.
    let html_path = dir.path().join("r.html");
    ok(&["report", f, "-o", s(&html_path)]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let section = html
        .split("<h2>Model scores</h2>")
        .nth(1)
        .expect("Model scores section");
    assert!(section.contains("Angelopoulos, Duchi &amp; Zrnic 2023"));
    assert!(section.contains("Judge A"));
    let guidance = json(&["estimate", f, "--judge", "Judge A", "--json"]);
    for e in guidance["estimates"].as_array().unwrap() {
        let v = e["ppi_plus"]["value"].as_f64().unwrap();
        assert!(section.contains(&format!("<td>{v:.3} <span")), "{v}");
    }
    // No judge, no section.
    let bare = dir.path().join("nojudge.concord");
    ok(&["demo", s(&bare), "--items", "5", "--judges", "0"]);
    let bare_html = dir.path().join("b.html");
    ok(&["report", s(&bare), "-o", s(&bare_html)]);
    assert!(!std::fs::read_to_string(&bare_html)
        .unwrap()
        .contains("Model scores"));
}
