//! Charts, dashboard and HTML report on real study files made by `concord_core::demo`:
//! every chart's SVG is read back as XML, its marks counted and its printed numbers compared
//! with the agreement report the same call computed.

mod charts;
mod dashboard;
mod degenerate;
mod html;

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

/// Imports `rater`'s score of every attribute of every response: `score(response, attribute)`
/// by position.
fn rate_everything(
    study: &Study,
    rater: &str,
    kind: RaterKind,
    score: impl Fn(usize, usize) -> i64,
) {
    let data = study.study_ratings().unwrap();
    let rows: Vec<RatingRow> = data
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| RatingRow {
            row: i + 2,
            response_id: t.id.clone(),
            rater: rater.to_string(),
            scores: data
                .attributes
                .iter()
                .enumerate()
                .map(|(k, a)| Score {
                    attribute_field: a.key.clone(),
                    value_field: a.key.clone(),
                    attribute: a.key.clone(),
                    value: score(i, k),
                })
                .collect(),
            rationale: None,
        })
        .collect();
    study.import_ratings(&rows, kind).unwrap();
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
    DashboardView::build(analysis, request, std::time::Instant::now()).expect("dashboard")
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
