//! The dashboard's view and the errors that name what is valid.

use super::*;

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
