//! Degenerate studies: readable charts and a report, never a panic.

use super::*;

/// Every chart and the HTML report of a degenerate study: readable, never a panic.
fn check_degenerate(study: &Study, expect_no_estimate: &[&str]) -> String {
    let o = opts();
    let a = Analysis::load(study, &o).expect("analysis");
    for name in chart_names() {
        let svg = a.render(&request(name), Format::Svg).expect(name);
        let svg = parse(&String::from_utf8(svg).unwrap());
        if expect_no_estimate.contains(name) {
            assert!(
                svg.contains("No estimate") || svg.contains("no estimate"),
                "{name}: {:?}",
                svg.texts
            );
        }
    }
    let d = dashboard(&a, &DashboardRequest::default());
    for c in &d.charts {
        parse(&svg_of_url(&c.data_url));
    }
    let html = html_report(study, &o).expect("html report");
    check_html(&html);
    html
}

#[test]
fn empty_study_gives_no_estimate_charts_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "empty.concord",
        DemoOptions {
            raters: 0,
            judges: 0,
            ..DemoOptions::default()
        },
    );
    assert_eq!(study.info().unwrap().ratings, 0);
    let html = check_degenerate(&study, &chart_names()[..6]);
    assert!(html.contains("No LLM judge is selected"));
}

#[test]
fn judges_without_humans_give_no_estimate_charts_and_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "judges.concord",
        DemoOptions {
            raters: 0,
            judges: 2,
            ..DemoOptions::default()
        },
    );
    assert!(study.info().unwrap().ratings > 0);
    check_degenerate(
        &study,
        &["forest", "heatmap", "bias", "bland-altman", "confusion"],
    );
    let a = Analysis::load(&study, &opts()).unwrap();
    for r in a.report.attributes.iter().chain(&a.report.groups) {
        assert_eq!((r.humans.n_targets, r.humans.n_dropped), (0, 0));
        assert!(r
            .judges
            .iter()
            .all(|j| j.n_targets == 0 && j.agreement.bias.value.is_none()));
    }
}

#[test]
fn one_rater_gives_no_human_estimate_but_judges_still_compare() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "one.concord",
        DemoOptions {
            raters: 1,
            judges: 1,
            ..DemoOptions::default()
        },
    );
    check_degenerate(&study, &["confusion"]);
    let a = Analysis::load(&study, &opts()).unwrap();
    let svg = svg_of(&a, &request("forest"));
    assert!(svg.contains("no estimate:"), "human rows explain why");
    assert!(svg.whiskers >= 9, "judge rows are still drawn");
}

#[test]
fn identical_scores_give_readable_charts() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "same.concord",
        DemoOptions {
            raters: 0,
            judges: 0,
            items: 10,
            ..DemoOptions::default()
        },
    );
    for (rater, kind) in [
        ("Rater 1", RaterKind::Human),
        ("Rater 2", RaterKind::Human),
        ("Judge A", RaterKind::Llm),
    ] {
        rate_everything(&study, rater, kind, |_, _| 3);
    }
    check_degenerate(&study, &["forest", "heatmap"]);
}
