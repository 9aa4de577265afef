//! End-to-end tests: each chart on realistic data and on degenerate data, read back from
//! the SVG (as XML) and the PNG (signature and header).

mod fixtures;

use concord_plots::*;
use fixtures::*;

/// A `<text>` element: content, position, font size, anchor, rotated or not.
#[derive(Debug)]
struct Label {
    text: String,
    x: f64,
    y: f64,
    size: f64,
    anchor: String,
    rotated: bool,
}

struct Svg {
    labels: Vec<Label>,
    whiskers: usize,
    points: usize,
}

fn parse(svg: &str) -> Svg {
    let doc = roxmltree::Document::parse(svg).expect("SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let num = |n: &roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.parse::<f64>().ok());
    let labels = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| Label {
            text: n.text().unwrap_or("").trim().to_string(),
            x: num(&n, "x").unwrap_or(0.0),
            y: num(&n, "y").unwrap_or(0.0),
            size: num(&n, "font-size").unwrap_or(0.0),
            anchor: n.attribute("text-anchor").unwrap_or("start").to_string(),
            rotated: n.attribute("transform").is_some(),
        })
        .collect();
    let whisker_width = CI_STROKE_WIDTH.to_string();
    let whiskers = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter(|n| n.attribute("stroke-width") == Some(whisker_width.as_str()))
        .count();
    let radius = POINT_RADIUS.to_string();
    let points = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle") && n.attribute("r") == Some(radius.as_str()))
        .count();
    Svg {
        labels,
        whiskers,
        points,
    }
}

impl Svg {
    fn texts(&self) -> Vec<&str> {
        self.labels.iter().map(|l| l.text.as_str()).collect()
    }
    fn has(&self, s: &str) -> bool {
        self.labels.iter().any(|l| l.text == s)
    }
    fn contains(&self, s: &str) -> bool {
        self.labels.iter().any(|l| l.text.contains(s))
    }
    fn count(&self, s: &str) -> usize {
        self.labels.iter().filter(|l| l.text == s).count()
    }

    /// No two horizontal labels overlap (boxes from a generous average glyph width).
    fn assert_no_overlap(&self) {
        let boxes: Vec<(f64, f64, f64, f64, &str)> = self
            .labels
            .iter()
            .filter(|l| !l.rotated && !l.text.is_empty())
            .map(|l| {
                let w = l.text.chars().count() as f64 * l.size * 0.55;
                let x0 = match l.anchor.as_str() {
                    "middle" => l.x - w / 2.0,
                    "end" => l.x - w,
                    _ => l.x,
                };
                // y is the anchor; the exact baseline varies with dy, so compare bands
                // of one font size centred on the anchor's line.
                (x0, l.y - l.size / 2.0, w, l.size, l.text.as_str())
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let x_overlap = a.0 < b.0 + b.2 && b.0 < a.0 + a.2;
                let y_overlap = (a.1 - b.1).abs() < a.3.min(b.3) * 0.9;
                assert!(
                    !(x_overlap && y_overlap),
                    "labels overlap: {:?} and {:?}",
                    a,
                    b
                );
            }
        }
    }
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn chart_names_match_chart_variants() {
    let (f, h, b, ba, d, c, p, ms) = (
        forest_data(),
        heatmap_data(),
        bias_data(),
        bland_altman_data(),
        distribution_data(),
        confusion_data(),
        progress_data(),
        model_scores_data(),
    );
    let charts = [
        Chart::Forest(&f),
        Chart::Heatmap(&h),
        Chart::Bias(&b),
        Chart::BlandAltman(&ba),
        Chart::Distribution(&d),
        Chart::Confusion(&c),
        Chart::Progress(&p),
        Chart::ModelScores(&ms),
    ];
    let names: Vec<&str> = charts.iter().map(|c| c.name()).collect();
    assert_eq!(names, chart_names());
    for chart in &charts {
        let size = chart.natural_size();
        assert!(size.width >= 900 && size.height >= 520, "{}", chart.name());
    }
}

#[test]
fn forest_has_one_whisker_per_estimate_and_every_label() {
    let data = forest_data();
    let svg = parse(&forest(&data).unwrap());
    let with_ci = data
        .rows
        .iter()
        .filter(|r| r.estimate.is_some() && r.ci.is_some())
        .count();
    assert_eq!(with_ci, 9 * 5 - 1);
    assert_eq!(svg.whiskers, with_ci);
    assert!(svg.contains("ICC(A,1)"), "metric in title");
    assert!(svg.labels[0].text.contains("ICC(A,1)"));
    for label in ATTRIBUTES.iter().chain(&["CSS composite", "ARS composite"]) {
        assert_eq!(svg.count(label), 1, "{label}");
    }
    for s in series() {
        assert!(svg.has(&s), "legend entry {s}");
    }
    for r in &data.rows {
        if let (Some(e), Some((lo, hi))) = (r.estimate, r.ci) {
            let expected = format!(
                "{} [{}, {}]  n = {}",
                format_value(e),
                format_value(lo),
                format_value(hi),
                r.n
            );
            assert!(svg.has(&expected), "{expected}");
        }
    }
    assert_eq!(svg.count("no estimate: fewer than 2 raters"), 1);
    assert!(svg.contains("n = 38–40"));
    for tick in ["-0.2", "0.0", "1.0"] {
        assert!(svg.has(tick), "axis tick {tick}");
    }
    svg.assert_no_overlap();
}

#[test]
fn model_scores_has_a_whisker_per_interval_and_no_zero_line_off_scale() {
    let data = model_scores_data();
    let svg = parse(&model_scores(&data).unwrap());
    let with_ci = data.rows.iter().filter(|r| r.ci.is_some()).count();
    assert_eq!(with_ci, 18);
    assert_eq!(svg.whiskers, with_ci);
    assert!(svg.labels[0].text.contains("Model scores — Empathy"));
    for series in ["Human only", "PPI++", "Judge only (biased)"] {
        assert!(svg.has(series), "legend entry {series}");
    }
    for m in 1..=9 {
        assert_eq!(svg.count(&format!("model-{m}")), 1);
    }
    let r = &data.rows[0];
    let (lo, hi) = r.ci.unwrap();
    let expected = format!(
        "{} [{}, {}]  n = 20",
        format_value(r.estimate.unwrap()),
        format_value(lo),
        format_value(hi)
    );
    assert!(svg.has(&expected), "{expected}");
    // The axis spans the scale 1–5, not the forest's −0.2–1.
    let texts: Vec<&str> = svg.labels.iter().map(|l| l.text.as_str()).collect();
    assert!(
        svg.has("1") && svg.has("5") && !svg.has("0") && !svg.has("6"),
        "{texts:?}"
    );
    svg.assert_no_overlap();
}

#[test]
fn forest_axis_extends_below_minus_point_two_for_negative_estimates() {
    let mut data = forest_data();
    data.rows[0].estimate = Some(-0.45);
    data.rows[0].ci = Some((-0.7, -0.2));
    let svg = parse(&forest(&data).unwrap());
    assert!(svg.has("-0.5"), "axis reaches the negative estimate");
    assert!(svg.has("-0.45 [-0.70, -0.20]  n = 38"));
}

#[test]
fn heatmap_prints_every_value_to_two_decimals() {
    let data = heatmap_data();
    let svg = parse(&heatmap(&data).unwrap());
    for a in ATTRIBUTES {
        assert_eq!(svg.count(a), 1, "{a}");
    }
    for j in JUDGES {
        assert_eq!(svg.count(j), 1, "{j}");
    }
    let mut expected: Vec<String> = data
        .cells
        .iter()
        .filter_map(|c| c.value)
        .map(format_value)
        .collect();
    expected.sort();
    let mut printed: Vec<String> = svg
        .texts()
        .into_iter()
        .filter(|t| t.len() == 4 && t.parse::<f64>().is_ok())
        .map(String::from)
        .collect();
    printed.sort();
    assert_eq!(printed, expected);
    assert_eq!(svg.count("–"), 1, "one missing cell");
    assert!(svg.contains("judge skipped this attribute"));
    svg.assert_no_overlap();
}

#[test]
fn bias_has_one_whisker_per_judge_and_attribute() {
    let data = bias_data();
    let svg = parse(&bias(&data).unwrap());
    assert_eq!(svg.whiskers, 7 * 4);
    for label in ATTRIBUTES.iter().chain(JUDGES.iter()) {
        assert_eq!(svg.count(label), 1, "{label}");
    }
    for r in &data.rows {
        assert!(svg.contains(&format!("{} [", format_value(r.mean.unwrap()))));
    }
    assert!(svg.has("0.0"), "zero on the axis");
    svg.assert_no_overlap();
}

#[test]
fn bland_altman_draws_every_point_and_labelled_lines() {
    let data = bland_altman_data();
    let text = bland_altman(&data).unwrap();
    let svg = parse(&text);
    assert_eq!(svg.points, data.points.len());
    for l in ["Bias 0.08", "Upper LoA 1.18", "Lower LoA -1.02"] {
        assert!(svg.has(l), "{l}");
    }
    assert!(svg.contains("n = 40"));
    assert_eq!(
        text,
        bland_altman(&data).unwrap(),
        "same seed, same picture"
    );
    let other = BlandAltmanData {
        seed: 7,
        ..data.clone()
    };
    assert_ne!(
        text,
        bland_altman(&other).unwrap(),
        "the seed moves the jitter"
    );
    let still = BlandAltmanData {
        jitter: 0.0,
        ..data
    };
    assert_eq!(parse(&bland_altman(&still).unwrap()).points, 40);
    svg.assert_no_overlap();
}

#[test]
fn bland_altman_limit_labels_do_not_collide_when_lines_are_close() {
    let mut data = bland_altman_data();
    data.bias = Some(0.0);
    data.limits = Some((-0.01, 0.01));
    parse(&bland_altman(&data).unwrap()).assert_no_overlap();
}

#[test]
fn distribution_shows_every_rater_with_n_and_counts() {
    let data = distribution_data();
    let svg = parse(&distribution(&data).unwrap());
    for r in &data.raters {
        assert_eq!(svg.count(&r.rater), 1, "{}", r.rater);
        let n: usize = r.counts.iter().sum();
        assert!(svg.has(&format!("n = {n}")));
    }
    for s in &data.scale {
        assert!(svg.has(&format!("Score {s}")));
    }
    assert!(svg.has("Human raters") && svg.has("LLM judges"));
    // Every non-zero count is printed in its segment at this size.
    let segments: usize = data
        .raters
        .iter()
        .map(|r| r.counts.iter().filter(|c| **c > 0).count())
        .sum();
    let printed = svg
        .labels
        .iter()
        .filter(|l| l.anchor == "middle" && l.text.parse::<usize>().is_ok_and(|v| v > 0))
        .filter(|l| !["20", "40", "60", "80", "100"].contains(&l.text.as_str()))
        .count();
    assert_eq!(printed, segments);
    svg.assert_no_overlap();
}

#[test]
fn confusion_prints_counts_row_by_row() {
    let data = confusion_data();
    let svg = parse(&confusion(&data).unwrap());
    let expected: Vec<String> = data
        .counts
        .iter()
        .flatten()
        .map(|c| c.to_string())
        .collect();
    let texts = svg.texts();
    let start = texts.len() - expected.len();
    assert_eq!(
        texts[start..],
        expected.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    assert!(svg.contains(&data.rater_a) && svg.contains(&data.rater_b));
    assert!(svg.contains("n = 46"));
    svg.assert_no_overlap();
}

#[test]
fn progress_shows_each_rater_and_coverage_against_target() {
    let data = progress_data();
    let svg = parse(&progress(&data).unwrap());
    for r in &data.raters {
        assert_eq!(svg.count(&r.rater), 1);
        assert!(svg.has(&format!("{} / {}", r.done, r.assigned)));
    }
    for c in &data.coverage {
        assert!(svg.has(&c.responses.to_string()));
    }
    assert!(svg.has("target 3"));
    assert!(svg.contains("548 of 840"));
    svg.assert_no_overlap();
}

fn all_degenerate() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |name: &str, svg: Result<String>| out.push((name.to_string(), svg.unwrap()));
    push(
        "forest-empty",
        forest(&ForestData {
            metric: "ICC(C,k)".into(),
            rows: vec![],
            note: None,
        }),
    );
    let mut f = forest_data();
    for r in &mut f.rows {
        r.estimate = None;
        r.ci = None;
        r.reason = Some("fewer than 2 raters".into());
    }
    push("forest-missing", forest(&f));
    push(
        "heatmap-empty",
        heatmap(&HeatmapData {
            metric: "α".into(),
            cells: vec![],
            domain: None,
            note: None,
        }),
    );
    let mut h = heatmap_data();
    h.cells.iter_mut().for_each(|c| {
        c.value = None;
        c.reason = Some("fewer than 2 raters".into());
    });
    push("heatmap-missing", heatmap(&h));
    push(
        "bias-empty",
        bias(&BiasData {
            rows: vec![],
            note: None,
        }),
    );
    let mut ba = bland_altman_data();
    ba.points.clear();
    ba.bias = None;
    ba.limits = None;
    ba.reason = Some("fewer than 2 raters".into());
    push("bland-altman-empty", bland_altman(&ba));
    push(
        "distribution-empty",
        distribution(&DistributionData {
            attribute: "Safety".into(),
            scale: vec![1, 2, 3, 4, 5],
            raters: vec![],
        }),
    );
    let mut c = confusion_data();
    c.counts.iter_mut().flatten().for_each(|v| *v = 0);
    c.reason = Some("no responses rated by both raters".into());
    push("confusion-empty", confusion(&c));
    push(
        "confusion-no-scale",
        confusion(&ConfusionData {
            scale: vec![],
            counts: vec![],
            reason: None,
            ..confusion_data()
        }),
    );
    push(
        "progress-empty",
        progress(&ProgressData {
            raters: vec![],
            coverage: vec![],
            overlap_target: 2,
        }),
    );
    out
}

#[test]
fn degenerate_data_draws_a_no_estimate_message() {
    for (name, text) in all_degenerate() {
        let svg = parse(&text);
        assert!(svg.contains("No estimate"), "{name}: {:?}", svg.texts());
        svg.assert_no_overlap();
    }
    let (_, forest_missing) = &all_degenerate()[1];
    assert!(parse(forest_missing).has("No estimate: fewer than 2 raters"));
}

#[test]
fn non_finite_values_do_not_panic() {
    let mut f = forest_data();
    f.rows[0].estimate = Some(f64::NAN);
    f.rows[1].ci = Some((f64::NEG_INFINITY, f64::INFINITY));
    forest(&f).unwrap();
    let mut ba = bland_altman_data();
    ba.points[0].mean = f64::NAN;
    ba.limits = Some((f64::NAN, 1.0));
    bland_altman(&ba).unwrap();
}

#[test]
fn png_has_signature_and_requested_size() {
    let data = forest_data();
    let chart = Chart::Forest(&data);
    let size = Size {
        width: 900,
        height: 520,
    };
    assert_eq!(
        png_size(&render(&chart, Format::Png, Some(size)).unwrap()),
        (900, 520)
    );
    let natural = chart.natural_size();
    let png = render_png(&chart, None).unwrap();
    assert_eq!(png_size(&png), (natural.width, natural.height));
    let (h, c) = (heatmap_data(), confusion_data());
    for chart in [Chart::Heatmap(&h), Chart::Confusion(&c)] {
        let size = Size {
            width: 1200,
            height: 700,
        };
        assert_eq!(
            png_size(&render(&chart, Format::Png, Some(size)).unwrap()),
            (1200, 700)
        );
    }
}

#[test]
fn svg_from_render_matches_chart_function() {
    let data = bias_data();
    let bytes = render(&Chart::Bias(&data), Format::Svg, None).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), bias(&data).unwrap());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let data = forest_data();
    let tiny = Size {
        width: 10,
        height: 10,
    };
    assert!(matches!(
        render(&Chart::Forest(&data), Format::Png, Some(tiny)),
        Err(PlotError::InvalidSize { .. })
    ));
    let mut c = confusion_data();
    c.counts.pop();
    assert!(matches!(
        confusion(&c),
        Err(PlotError::InvalidData {
            chart: "confusion",
            ..
        })
    ));
    let mut d = distribution_data();
    d.raters[0].counts.push(1);
    assert!(matches!(
        distribution(&d),
        Err(PlotError::InvalidData { .. })
    ));
}

#[test]
fn inputs_round_trip_through_json() {
    let f = forest_data();
    let json = serde_json::to_string(&f).unwrap();
    let back: ForestData = serde_json::from_str(&json).unwrap();
    assert_eq!(back.rows.len(), f.rows.len());
    for (a, b) in back.rows.iter().zip(&f.rows) {
        assert_eq!(
            (&a.label, &a.series, a.n, &a.reason),
            (&b.label, &b.series, b.n, &b.reason)
        );
        let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
            (Some(x), Some(y)) => (x - y).abs() < 1e-12,
            (x, y) => x == y,
        };
        assert!(close(a.estimate, b.estimate));
    }
    let ba: BlandAltmanData = serde_json::from_str(
        r#"{"judge":"J","attribute":"A","points":[],"bias":null,"limits":null,"seed":1}"#,
    )
    .unwrap();
    assert_eq!(ba.jitter, 0.08, "jitter has a default");
}

#[test]
fn long_names_and_many_series_still_do_not_overlap() {
    let f = forest_long_data();
    let svg = parse(&forest(&f).unwrap());
    assert_eq!(svg.whiskers, 7 * 8);
    svg.assert_no_overlap();
    let mut h = heatmap_data();
    for c in &mut h.cells {
        c.judge = format!("{} (temperature 0.7, long system prompt)", c.judge);
    }
    parse(&heatmap(&h).unwrap()).assert_no_overlap();
}

#[test]
fn every_chart_renders_png_at_its_natural_size() {
    let (f, h, b, ba, d, c, p, ms) = (
        forest_data(),
        heatmap_data(),
        bias_data(),
        bland_altman_data(),
        distribution_data(),
        confusion_data(),
        progress_data(),
        model_scores_data(),
    );
    for chart in [
        Chart::Forest(&f),
        Chart::Heatmap(&h),
        Chart::Bias(&b),
        Chart::BlandAltman(&ba),
        Chart::Distribution(&d),
        Chart::Confusion(&c),
        Chart::Progress(&p),
        Chart::ModelScores(&ms),
    ] {
        let n = chart.natural_size();
        let png = render(&chart, Format::Png, None).unwrap();
        assert_eq!(png_size(&png), (n.width, n.height), "{}", chart.name());
    }
}
