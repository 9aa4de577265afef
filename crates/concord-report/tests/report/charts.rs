//! Each chart's SVG read back: its marks counted and its printed numbers compared with the report.

use super::*;

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
