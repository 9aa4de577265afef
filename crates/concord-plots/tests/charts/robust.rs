//! Degenerate, non-finite and bad input, PNG output and JSON round trips.

use super::*;

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
fn every_chart_renders_png_at_its_natural_size() {
    for chart in Inputs::realistic().charts() {
        let n = chart.natural_size();
        let png = render(&chart, Format::Png, None).unwrap();
        assert_eq!(png_size(&png), (n.width, n.height), "{}", chart.name());
    }
}
