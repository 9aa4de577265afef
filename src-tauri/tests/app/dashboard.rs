//! The live dashboard and what it saves.

use crate::common::*;

#[test]
fn dashboard_numbers_equal_the_agreement_report() {
    let fx = Fixture::demo();
    let study = Study::open(&fx.study_path).unwrap();
    let request = DashboardRequest {
        attribute: Some("empathy".into()),
        metric: Some("alpha_interval".into()),
        ..DashboardRequest::default()
    };
    let view = DashboardView::compute(&study, &request).unwrap();
    let opts = concord_stats::report::ReportOptions {
        exclude_own: study.settings().unwrap().exclude_own,
        bootstrap: LIVE_BOOTSTRAP,
        ..Default::default()
    };
    let expected = concord_stats::report::agreement_report(&study.study_ratings().unwrap(), &opts);
    let empathy = expected
        .attributes
        .iter()
        .find(|a| a.attribute == "empathy")
        .unwrap();
    assert_eq!(view.attribute, "empathy");
    assert_eq!(view.metric, "alpha_interval");
    assert_eq!(view.bootstrap, LIVE_BOOTSTRAP);
    assert_eq!(view.n_ratings, study.study_ratings().unwrap().ratings.len());
    assert_eq!(view.table, table_rows(empathy));
    let icc2 = row(&view, "humans.ICC2");
    assert_eq!(icc2.estimate, empathy.humans.icc.icc2.value);
    assert_eq!(icc2.ci95, empathy.humans.icc.icc2.ci95);
    assert_eq!(icc2.dropped, Some(empathy.humans.n_dropped));
    let alpha = row(&view, "humans.alpha_interval");
    assert_eq!(alpha.estimate, empathy.humans.alpha.interval.value);
    assert_eq!(alpha.ci95, empathy.humans.alpha.interval.ci95);
    // Alpha uses every rating; complete-case ICC is withheld on 8 responses (minimum 20).
    assert!(alpha.estimate.is_some());
    let judge = &empathy.judges[0];
    assert_eq!(
        row(&view, "judge.Judge A.bias").estimate,
        judge.agreement.bias.value
    );
    assert_eq!(
        row(&view, "judge.Judge A.ICC_A1").ci95,
        judge.agreement.icc.icc_a1.ci95
    );
    assert_eq!(
        row(&view, "judge.Judge A.loa_upper").estimate,
        judge.agreement.bland_altman.loa.map(|l| l[1])
    );
    assert_eq!(
        row(&view, "judge.Judge A.spearman").estimate,
        judge.agreement.spearman.value
    );
    assert!(view
        .table
        .iter()
        .any(|r| r.key == "pair.Rater 1|Rater 2.quadratic"));

    // Every chart is an SVG image URL with no script in it.
    let names: Vec<_> = view.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, concord_plots::chart_names());
    for chart in &view.charts {
        let b64 = chart
            .data_url
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap();
        use base64::Engine;
        let svg = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap();
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{}",
            chart.name
        );
        assert!(!svg.contains("<script") && !svg.contains("<foreignObject"));
        assert!(!chart.title.is_empty());
    }
    let choices: Vec<_> = view
        .attributes
        .iter()
        .map(|c| (c.key.as_str(), c.composite))
        .collect();
    assert!(choices.contains(&("CSS", true)) && choices.contains(&("guidance", false)));
    assert_eq!(view.all_humans, ["Rater 1", "Rater 2"]);
    assert_eq!(view.all_judges, ["Judge A"]);
    assert_eq!(view.judge.as_deref(), Some("Judge A"));
    assert_eq!(view.raters, Some(("Rater 1".into(), "Rater 2".into())));
}

#[test]
fn dashboard_composites_subsets_and_bad_names() {
    let fx = Fixture::demo();
    let study = Study::open(&fx.study_path).unwrap();
    let view = DashboardView::compute(
        &study,
        &DashboardRequest {
            attribute: Some("ARS".into()),
            humans: Some(vec!["Rater 1".into(), "Rater 2".into()]),
            judges: Some(vec![]),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(view.composite);
    let opts = concord_stats::report::ReportOptions {
        humans: Some(vec!["Rater 1".into(), "Rater 2".into()]),
        judges: Some(vec![]),
        bootstrap: LIVE_BOOTSTRAP,
        ..Default::default()
    };
    let expected = concord_stats::report::agreement_report(&study.study_ratings().unwrap(), &opts);
    let ars = expected
        .groups
        .iter()
        .find(|g| g.attribute == "ARS")
        .unwrap();
    assert_eq!(view.table, table_rows(ars));
    assert!(
        view.table.iter().all(|r| r.group == "Humans"),
        "no judge selected"
    );
    let names: Vec<_> = view.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["forest", "heatmap", "bias", "progress"]);
    assert!(view.notes.iter().any(|n| n.contains("per attribute")));

    for bad in [
        DashboardRequest {
            attribute: Some("nope".into()),
            ..Default::default()
        },
        DashboardRequest {
            metric: Some("ICC9".into()),
            ..Default::default()
        },
    ] {
        let err = DashboardView::compute(&study, &bad)
            .unwrap_err()
            .to_string()
            .to_string();
        assert!(err.contains("valid"), "{err}");
    }
}

#[test]
fn dashboard_follows_ratings_saved_in_the_app_and_by_other_processes() {
    let fx = Fixture::demo();
    let (app, rx) = dashboard_app(&fx);
    let request = DashboardRequest {
        attribute: Some("guidance".into()),
        ..Default::default()
    };
    assert_eq!(
        run(dashboard_show(app.state(), request.clone(), 1))
            .unwrap_err()
            .to_string(),
        "no study is open"
    );
    let session = open_with_rater(&app, &fx.path(), "Nurse C");
    run(dashboard_show(app.state(), request.clone(), 1)).unwrap();
    let before = next_view(&rx, 1);
    let n_before = before.n_ratings;
    // The new profile counts as a human rater with nothing rated yet: no complete target.
    assert_eq!(row(&before, "humans.ICC2").n, Some(0));

    // A response rated fully in the app: the new rater joins the humans.
    let view = run(rating_view(app.state(), 0)).unwrap();
    for a in &session.study.rubric.attributes {
        run(set_rating(
            app.state(),
            view.response_id.clone(),
            a.key.clone(),
            Some(3),
        ))
        .unwrap();
    }
    let mut after = next_view(&rx, 1);
    while after.n_ratings < n_before + 7 {
        after = next_view(&rx, 1);
    }
    assert_eq!(after.n_ratings, n_before + 7);
    assert_eq!(
        row(&after, "humans.ICC2").n,
        Some(1),
        "only one response has all three humans"
    );
    let study = Study::open(&fx.study_path).unwrap();
    let expected = Analysis::load(&study, &request.report_options(&study).unwrap())
        .unwrap()
        .report;
    assert_eq!(after.table, table_rows(&expected.attributes[0]));

    // Another process (here another connection) clears a rating: seen by the poll.
    let judge = study.find_rater("Nurse C").unwrap().unwrap();
    study
        .set_rating(&judge.id, &view.response_id, "guidance", None)
        .unwrap();
    let mut external = next_view(&rx, 1);
    while external.n_ratings != n_before + 6 {
        external = next_view(&rx, 1);
    }

    // A new selection is answered with its own id; hidden, nothing more comes.
    run(dashboard_show(
        app.state(),
        DashboardRequest {
            attribute: Some("safety".into()),
            ..request
        },
        2,
    ))
    .unwrap();
    assert_eq!(next_view(&rx, 2).attribute, "safety");
    run(dashboard_hide(app.state())).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    while rx.try_recv().is_ok() {}
    study
        .set_rating(&judge.id, &view.response_id, "guidance", Some(2))
        .unwrap();
    assert!(
        rx.recv_timeout(Duration::from_millis(2500)).is_err(),
        "hidden dashboard stays quiet"
    );
}

#[test]
fn save_chart_and_report_write_files() {
    let fx = Fixture::demo();
    let app = fx.app(LaunchArgs::default());
    let out = |name: &str| fx.dir.path().join(name).display().to_string();
    let request = DashboardRequest {
        attribute: Some("safety".into()),
        ..Default::default()
    };
    assert_eq!(
        run(save_chart(
            app.state(),
            request.clone(),
            "forest".into(),
            out("f.svg")
        ))
        .unwrap_err()
        .to_string(),
        "no study is open"
    );
    run(open_study(app.handle().clone(), app.state(), fx.path())).unwrap();
    let path = run(save_chart(
        app.state(),
        request.clone(),
        "bland-altman".into(),
        out("ba.svg"),
    ))
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("<svg") && svg.contains("Judge A"));
    let study = Study::open(&fx.study_path).unwrap();
    let opts = request.report_options(&study).unwrap();
    let expected = concord_report::render_chart(
        &study,
        &opts,
        &request.chart_request("bland-altman"),
        concord_plots::Format::Svg,
    )
    .unwrap();
    assert_eq!(
        svg.as_bytes(),
        expected,
        "the saved chart is the one on screen"
    );
    let png = std::fs::read(
        run(save_chart(
            app.state(),
            request.clone(),
            "forest".into(),
            out("f.PNG"),
        ))
        .unwrap(),
    )
    .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let err = run(save_chart(
        app.state(),
        request.clone(),
        "forest".into(),
        out("f.pdf"),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains(".svg or .png"), "{err}");
    let err = run(save_chart(
        app.state(),
        request.clone(),
        "pie".into(),
        out("p.svg"),
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("unknown chart"), "{err}");
    assert!(!fx.dir.path().join("p.svg").exists());

    let html = std::fs::read_to_string(
        run(save_report(app.state(), request, out("report.html"))).unwrap(),
    )
    .unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"));
    let err = run(save_report(
        app.state(),
        DashboardRequest::default(),
        fx.dir
            .path()
            .join("no/such/dir/r.html")
            .display()
            .to_string(),
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("r.html") && err.contains("no such folder"),
        "{err}"
    );
}
