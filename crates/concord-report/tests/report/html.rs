//! The HTML report: self-contained and naming everything.

use super::*;

#[test]
fn html_report_is_self_contained_and_names_everything() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    // A rater and a judge whose names are markup must come out as text.
    let evil_human = "<img src=x onerror=alert(1)> & \"Dr. O'Brien\"";
    let evil_judge = "<b>GPT</b> & co";
    for (name, kind, shift) in [
        (evil_human, RaterKind::Human, 0),
        (evil_judge, RaterKind::Llm, 1),
    ] {
        rate_everything(&study, name, kind, |i, k| 1 + ((i + k + shift) % 5) as i64);
    }
    let html = html_report(&study, &opts()).unwrap();
    check_html(&html);
    assert!(
        !html.contains("<img") && !html.contains("<b>GPT"),
        "study text is escaped"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Dr. O&#39;Brien&quot;"));
    let rubric = study.rubric().unwrap();
    for a in &rubric.attributes {
        assert!(html.contains(&a.label), "{}", a.label);
    }
    for j in ["Judge A", "Judge B", "&lt;b&gt;GPT&lt;/b&gt; &amp; co"] {
        assert!(html.contains(&format!("<h3>{j}</h3>")), "judge table {j}");
    }
    for term in [
        "Shrout &amp; Fleiss",
        "McGraw",
        "F-distribution",
        "Henderson",
        "Krippendorff",
        "Cohen's kappa",
        "Fleiss–Cohen–Everitt",
        "Fleiss' kappa",
        "Gwet's AC1 and AC2",
        // The demo's models answer the same items: the judge intervals leave out items.
        "jackknife CI over the items",
        "Bland",
        "Spearman",
        "Kendall's τ-b",
        "Lin's concordance",
        "50 resamples",
        "seed 42",
    ] {
        assert!(html.contains(term), "methods mention {term}");
    }
    let figures = html.matches("<figure").count();
    // forest, heatmap, bias, 3 Bland–Altman, 7 distributions, confusion, progress.
    assert_eq!(figures, 3 + 3 + 7 + 2);
    assert!(html.len() < 4_000_000, "report size {} bytes", html.len());
}
