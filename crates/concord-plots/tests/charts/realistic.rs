//! Each chart on realistic data: every mark and label read back from the SVG.

use super::*;

#[test]
fn chart_names_match_chart_variants() {
    let inputs = Inputs::realistic();
    let charts = inputs.charts();
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
