//! Charts, dashboard and HTML report on real study files made by `concord_core::demo`:
//! every chart's SVG is read back as XML, its marks counted and its printed numbers compared
//! with the agreement report the same call computed.

use std::path::Path;

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::{RatingRow, Score};
use concord_core::{RaterKind, Study};
use concord_plots::{chart_names, format_value, Format, CI_STROKE_WIDTH, POINT_RADIUS};
use concord_report::{
    chart, html_report, render_chart, Analysis, ChartData, ChartRequest, DashboardRequest,
    DashboardView, Metric, ReportError, HUMAN_SERIES,
};
use concord_stats::report::{agreement_report, ReportOptions};
use concord_stats::Estimate;

/// Small bootstrap: these tests check the plumbing, not the intervals.
fn opts() -> ReportOptions {
    ReportOptions {
        bootstrap: 50,
        ..ReportOptions::default()
    }
}

fn demo(dir: &Path, name: &str, o: DemoOptions) -> Study {
    create_demo(&dir.join(name), &o).expect("demo study")
}

fn default_demo(dir: &Path) -> Study {
    demo(dir, "demo.concord", DemoOptions::default())
}

fn request(chart: &str) -> ChartRequest {
    ChartRequest {
        chart: chart.to_string(),
        ..ChartRequest::default()
    }
}

/// What a test reads back from an SVG.
struct Svg {
    texts: Vec<String>,
    whiskers: usize,
    points: usize,
}

impl Svg {
    fn has(&self, s: &str) -> bool {
        self.texts.iter().any(|t| t == s)
    }
    fn contains(&self, s: &str) -> bool {
        self.texts.iter().any(|t| t.contains(s))
    }
    fn count(&self, s: &str) -> usize {
        self.texts.iter().filter(|t| *t == s).count()
    }
}

fn parse(svg: &str) -> Svg {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    let width = CI_STROKE_WIDTH.to_string();
    let whiskers = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some(&width))
        .count();
    let radius = POINT_RADIUS.to_string();
    let points = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("r") == Some(radius.as_str()))
        .count();
    Svg {
        texts,
        whiskers,
        points,
    }
}

fn svg_of(analysis: &Analysis, req: &ChartRequest) -> Svg {
    let bytes = analysis.render(req, Format::Svg).expect("chart renders");
    parse(&String::from_utf8(bytes).expect("UTF-8"))
}

/// The note the dot-and-whisker charts print next to an estimate.
fn note(e: &Estimate, n: usize) -> String {
    match (e.value, e.ci95) {
        (Some(v), Some([lo, hi])) => format!(
            "{} [{}, {}]  n = {n}",
            format_value(v),
            format_value(lo),
            format_value(hi)
        ),
        (Some(v), None) => format!("{}  n = {n}", format_value(v)),
        (None, _) => format!(
            "no estimate: {}",
            e.reason.as_deref().unwrap_or("not estimable")
        ),
    }
}

fn whiskered(e: &Estimate) -> bool {
    e.value.is_some() && e.ci95.is_some()
}

#[test]
fn forest_has_one_whisker_per_row_and_series_and_prints_the_report_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    let a = Analysis::load(&study, &opts()).unwrap();
    let sheets: Vec<_> = a.report.attributes.iter().chain(&a.report.groups).collect();
    assert_eq!(
        sheets.len(),
        7 + 2,
        "7 attributes and the CSS/ARS composites"
    );
    for metric in Metric::ALL {
        let req = ChartRequest {
            metric: Some(metric.key().to_string()),
            ..request("forest")
        };
        let svg = svg_of(&a, &req);
        let mut expected = 0;
        for s in &sheets {
            let e = metric.human_estimate(&s.humans);
            expected += usize::from(whiskered(e));
            assert!(
                svg.has(&note(e, metric.human_n(&s.humans))),
                "{metric:?} {}: {}",
                s.attribute,
                note(e, metric.human_n(&s.humans))
            );
            for j in &s.judges {
                let e = &j.agreement.icc.icc_a1;
                if metric.is_icc() {
                    expected += usize::from(whiskered(e));
                    assert!(svg.has(&note(e, e.n.unwrap_or(j.n_targets))));
                }
            }
        }
        assert!(expected >= 9, "{metric:?}: the demo gives estimates");
        assert_eq!(svg.whiskers, expected, "{metric:?}");
        assert!(svg.contains(metric.label()), "metric in the title");
        for label in [
            "Guidance",
            "Safety",
            "Understanding",
            "CSS composite",
            "ARS composite",
        ] {
            assert_eq!(svg.count(label), 1, "{label}");
        }
        assert!(svg.has(HUMAN_SERIES));
        assert_eq!(svg.has("Judge A"), metric.is_icc(), "judges only for ICC");
    }
}

#[test]
fn heatmap_and_bias_print_the_judge_numbers_of_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    let a = Analysis::load(&study, &opts()).unwrap();
    let heat = svg_of(&a, &request("heatmap"));
    let bias = svg_of(&a, &request("bias"));
    let mut whiskers = 0;
    for s in a.report.attributes.iter().chain(&a.report.groups) {
        assert_eq!(s.judges.len(), 2);
        for j in &s.judges {
            let v = j
                .agreement
                .icc
                .icc_a1
                .value
                .expect("judge ICC estimable on the demo");
            assert!(heat.has(&format_value(v)), "heatmap cell {v}");
            whiskers += usize::from(whiskered(&j.agreement.bias));
            assert!(bias.has(&note(
                &j.agreement.bias,
                j.agreement.bias.n.unwrap_or(j.n_targets)
            )));
        }
    }
    assert_eq!(whiskers, 9 * 2);
    assert_eq!(bias.whiskers, whiskers);
    for name in ["Judge A", "Judge B", "Guidance", "ARS composite"] {
        assert_eq!(heat.count(name), 1, "heatmap {name}");
        assert_eq!(bias.count(name), 1, "bias {name}");
    }
}

#[test]
fn bland_altman_points_are_the_pairs_the_report_used() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "ba.concord",
        DemoOptions {
            coverage: 0.7,
            ..DemoOptions::default()
        },
    );
    let mut o = opts();
    o.exclude_own
        .insert("Judge B".to_string(), vec!["model-a".to_string()]);
    let a = Analysis::load(&study, &o).unwrap();
    for (judge, attribute) in [("Judge A", "safety"), ("Judge B", "Empathy")] {
        let req = ChartRequest {
            attribute: Some(attribute.to_string()),
            judge: Some(judge.to_string()),
            ..request("bland-altman")
        };
        let ChartData::BlandAltman(data) = a.chart(&req).unwrap() else {
            panic!("bland-altman data")
        };
        let key = attribute.to_ascii_lowercase();
        let r = a
            .report
            .attributes
            .iter()
            .find(|r| r.attribute == key)
            .unwrap();
        let j = r.judges.iter().find(|j| j.judge == judge).unwrap();
        assert_eq!(data.points.len(), j.n_targets, "{judge}");
        let mean = data.points.iter().map(|p| p.difference).sum::<f64>() / data.points.len() as f64;
        let bias = j.agreement.bland_altman.bias.unwrap();
        assert!(
            (mean - bias).abs() < 1e-9,
            "points reproduce the report's bias"
        );
        let svg = svg_of(&a, &req);
        assert_eq!(svg.points, j.n_targets);
        let [lo, hi] = j.agreement.bland_altman.loa.unwrap();
        for label in [
            format!("Bias {}", format_value(bias)),
            format!("Upper LoA {}", format_value(hi)),
            format!("Lower LoA {}", format_value(lo)),
        ] {
            assert!(svg.has(&label), "{label}");
        }
        if judge == "Judge B" {
            assert!(j.n_excluded_own > 0, "exclusion applied");
        }
    }
}

#[test]
fn distribution_and_confusion_count_the_ratings() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    let a = Analysis::load(&study, &opts()).unwrap();
    let req = ChartRequest {
        attribute: Some("relevance".into()),
        ..request("distribution")
    };
    let ChartData::Distribution(d) = a.chart(&req).unwrap() else {
        panic!("distribution data")
    };
    let names: Vec<&str> = d.raters.iter().map(|r| r.rater.as_str()).collect();
    assert_eq!(
        names,
        ["Rater 1", "Rater 2", "Rater 3", "Judge A", "Judge B"]
    );
    let svg = svg_of(&a, &req);
    for r in &d.raters {
        let n: usize = r.counts.iter().sum();
        assert_eq!(n, 120, "every demo rater rates all 40 × 3 responses");
        assert!(svg.has(&format!("n = {n}")));
        assert_eq!(svg.count(&r.rater), 1);
    }

    let pair = &a.report.attributes[0].humans.pairs[0];
    assert_eq!(pair.raters, ["Rater 1".to_string(), "Rater 2".to_string()]);
    let ChartData::Confusion(c) = a.chart(&request("confusion")).unwrap() else {
        panic!("confusion data")
    };
    assert_eq!(
        (c.rater_a.as_str(), c.rater_b.as_str()),
        ("Rater 1", "Rater 2")
    );
    let total: usize = c.counts.iter().flatten().sum();
    let trace: usize = (0..c.scale.len()).map(|i| c.counts[i][i]).sum();
    assert_eq!(total, pair.n);
    let exact = trace as f64 / total as f64;
    assert!(
        (exact - pair.exact.unwrap()).abs() < 1e-12,
        "diagonal = exact agreement"
    );
    let svg = svg_of(&a, &request("confusion"));
    assert!(svg.contains(&format!("n = {total}")));

    let judge_pair = ChartRequest {
        raters: Some(("Rater 3".into(), "Judge B".into())),
        ..request("confusion")
    };
    let ChartData::Confusion(c) = a.chart(&judge_pair).unwrap() else {
        panic!("confusion data")
    };
    assert_eq!(c.counts.iter().flatten().sum::<usize>(), 120);
}

#[test]
fn progress_matches_the_study_queue() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        "progress.concord",
        DemoOptions {
            coverage: 0.6,
            ..DemoOptions::default()
        },
    );
    let a = Analysis::load(&study, &opts()).unwrap();
    let ChartData::Progress(p) = a.chart(&request("progress")).unwrap() else {
        panic!("progress data")
    };
    let humans: Vec<_> = study
        .raters()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == RaterKind::Human)
        .collect();
    assert_eq!(p.raters.len(), humans.len());
    let svg = svg_of(&a, &request("progress"));
    let mut done = 0;
    for (row, h) in p.raters.iter().zip(&humans) {
        let q = study.progress(&h.id).unwrap();
        assert_eq!(
            (row.rater.as_str(), row.done, row.assigned),
            (h.name.as_str(), q.done, q.total)
        );
        assert!(svg.has(&format!("{} / {}", q.done, q.total)));
        done += q.done;
    }
    let responses: usize = p.coverage.iter().map(|c| c.responses).sum();
    let rated: usize = p.coverage.iter().map(|c| c.ratings * c.responses).sum();
    assert_eq!(responses, 120);
    assert_eq!(
        rated, done,
        "coverage and per-rater bars count the same ratings"
    );
    assert!(svg.has(&format!("target {}", p.overlap_target)));
}

/// The SVG inside a dashboard chart's `data:` URL.
fn svg_of_url(url: &str) -> String {
    use base64::Engine;
    let b64 = url
        .strip_prefix("data:image/svg+xml;base64,")
        .expect("an SVG data URL");
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap()
}

fn dashboard(analysis: &Analysis, request: &DashboardRequest) -> DashboardView {
    DashboardView::build(analysis.clone(), request, std::time::Instant::now()).expect("dashboard")
}

#[test]
fn dashboard_draws_all_seven_charts_from_the_clis_report() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    let o = opts();
    let a = Analysis::load(&study, &o).unwrap();
    let d = dashboard(&a, &DashboardRequest::default());
    let names: Vec<&str> = d.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, chart_names());
    let data = study.study_ratings().unwrap();
    assert_eq!(
        a.report,
        agreement_report(&data, &o),
        "same numbers as `concord agreement`"
    );
    assert_eq!(d.n_ratings, study.info().unwrap().ratings);
    assert!(d.computed_at_ms > 1_600_000_000_000);
    assert_eq!(
        (d.bootstrap, d.bootstrap_seed),
        (o.bootstrap, o.bootstrap_seed)
    );
    // The selection the dashboard shows is the one every chart defaults to.
    assert_eq!(d.judge.as_deref(), Some("Judge A"));
    assert_eq!(d.raters, Some(("Rater 1".into(), "Rater 2".into())));
    assert_eq!(d.attribute, a.report.attributes[0].attribute);
    for c in &d.charts {
        let svg = svg_of_url(&c.data_url);
        parse(&svg);
        assert!(!c.title.is_empty());
        let single = render_chart(&study, &o, &request(&c.name), Format::Svg).unwrap();
        assert_eq!(String::from_utf8(single).unwrap(), svg, "{}", c.name);
    }
    assert!(d.charts[3].title.contains("Judge A") && d.charts[3].title.contains("Guidance"));
    let png = render_chart(&study, &o, &request("heatmap"), Format::Png).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(matches!(
        chart(&study, &o, &request("Forest")).unwrap(),
        ChartData::Forest(_)
    ));
}

#[test]
fn the_dashboard_and_the_charts_take_the_same_default_judge() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    // Judges listed against the study's order: both take the study's first selected judge.
    let o = ReportOptions {
        judges: Some(vec!["Judge B".into(), "Judge A".into()]),
        ..opts()
    };
    let a = Analysis::load(&study, &o).unwrap();
    let d = dashboard(&a, &DashboardRequest::default());
    let ChartData::BlandAltman(ba) = a.chart(&request("bland-altman")).unwrap() else {
        panic!("not a Bland–Altman chart")
    };
    assert_eq!(d.judge.as_deref(), Some(ba.judge.as_str()));
    assert_eq!(ba.judge, "Judge A");
}

#[test]
fn bad_names_are_errors_that_list_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    let a = Analysis::load(&study, &opts()).unwrap();
    let err = |req: ChartRequest| a.chart(&req).unwrap_err();
    let e = err(request("pie"));
    assert!(matches!(e, ReportError::UnknownChart { .. }));
    assert!(
        e.to_string()
            .contains("forest, heatmap, bias, bland-altman"),
        "{e}"
    );
    let e = err(ChartRequest {
        attribute: Some("kindness".into()),
        ..request("distribution")
    });
    assert!(
        e.to_string().contains("'kindness'") && e.to_string().contains("guidance, "),
        "{e}"
    );
    let e = err(ChartRequest {
        judge: Some("GPT-9".into()),
        ..request("bland-altman")
    });
    assert!(e.to_string().contains("Judge A, Judge B"), "{e}");
    let e = err(ChartRequest {
        metric: Some("ICC4".into()),
        ..request("forest")
    });
    assert!(
        e.to_string().contains("ICC2") && e.to_string().contains("alpha_interval"),
        "{e}"
    );
    let e = err(ChartRequest {
        raters: Some(("Rater 1".into(), "Nobody".into())),
        ..request("confusion")
    });
    assert!(
        e.to_string()
            .contains("Rater 1, Rater 2, Rater 3, Judge A, Judge B"),
        "{e}"
    );
    // On the dashboard a judge that cannot be drawn leaves its chart out with a note.
    let d = dashboard(
        &a,
        &DashboardRequest {
            judge: Some("GPT-9".into()),
            ..DashboardRequest::default()
        },
    );
    assert!(d.charts.iter().all(|c| c.name != "bland-altman"));
    assert!(
        d.notes
            .iter()
            .any(|n| n.starts_with("bland-altman: unknown judge 'GPT-9'")),
        "{:?}",
        d.notes
    );
    let e = DashboardView::compute(
        &study,
        &DashboardRequest {
            attribute: Some("kindness".into()),
            ..DashboardRequest::default()
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("CSS"), "composites are valid: {e}");
}

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
    let data = study.study_ratings().unwrap();
    let keys: Vec<String> = data.attributes.iter().map(|a| a.key.clone()).collect();
    for (rater, kind) in [
        ("Rater 1", RaterKind::Human),
        ("Rater 2", RaterKind::Human),
        ("Judge A", RaterKind::Llm),
    ] {
        let rows: Vec<RatingRow> = data
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| RatingRow {
                row: i + 2,
                response_id: t.id.clone(),
                rater: rater.to_string(),
                scores: keys
                    .iter()
                    .map(|k| Score {
                        attribute_field: k.clone(),
                        value_field: k.clone(),
                        attribute: k.clone(),
                        value: 3,
                    })
                    .collect(),
                rationale: None,
            })
            .collect();
        study.import_ratings(&rows, kind).unwrap();
    }
    check_degenerate(&study, &["forest", "heatmap"]);
}

/// No script, no remote resource, every `<svg>` closed and well-formed, tags balanced.
fn check_html(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "no scripts");
    for attr in ["src=", "href="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "remote reference at {i}"
            );
        }
    }
    assert!(!lower.contains("@import") && !lower.contains("@font-face") && !lower.contains("url("));
    for tag in ["svg", "table", "figure", "tr", "p", "h2", "h3", "div"] {
        let open =
            lower.matches(&format!("<{tag}>")).count() + lower.matches(&format!("<{tag} ")).count();
        let close = lower.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}> balanced");
    }
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("svg closes") + start + "</svg>".len();
        parse(&rest[start..end]);
        rest = &rest[end..];
    }
}

#[test]
fn html_report_is_self_contained_and_names_everything() {
    let dir = tempfile::tempdir().unwrap();
    let study = default_demo(dir.path());
    // A rater and a judge whose names are markup must come out as text.
    let evil_human = "<img src=x onerror=alert(1)> & \"Dr. O'Brien\"";
    let evil_judge = "<b>GPT</b> & co";
    let data = study.study_ratings().unwrap();
    for (name, kind, shift) in [
        (evil_human, RaterKind::Human, 0),
        (evil_judge, RaterKind::Llm, 1),
    ] {
        let rows: Vec<RatingRow> = data
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| RatingRow {
                row: i + 2,
                response_id: t.id.clone(),
                rater: name.to_string(),
                scores: data
                    .attributes
                    .iter()
                    .enumerate()
                    .map(|(k, a)| Score {
                        attribute_field: a.key.clone(),
                        value_field: a.key.clone(),
                        attribute: a.key.clone(),
                        value: 1 + ((i + k + shift) % 5) as i64,
                    })
                    .collect(),
                rationale: None,
            })
            .collect();
        study.import_ratings(&rows, kind).unwrap();
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
        "t-based 95% CI",
        "Bland",
        "Fisher-z",
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
