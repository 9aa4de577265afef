//! The dashboard's panels on real demo studies: the "Can this judge replace a clinician?" rows
//! against the report's JSON (as `concord agreement --json` prints it), the model-scores chart
//! against `concord estimate`'s numbers, every chart's text alternative and data table, the
//! REML headline on incomplete data, own-model exclusions and the one-rater wording.

use std::path::Path;

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::Study;
use concord_plots::chart_names;
use concord_report::estimates::estimate;
use concord_report::{
    html_report, options_for, Analysis, ChartData, ChartRequest, DashboardRequest, DashboardView,
    Metric, ReportError, HUMAN_SERIES,
};
use concord_stats::report::{agreement_report, ReportOptions};
use serde_json::Value;

fn demo(dir: &Path, o: DemoOptions) -> Study {
    create_demo(&dir.join("demo.concord"), &o).expect("demo study")
}

fn view(study: &Study, request: &DashboardRequest) -> DashboardView {
    DashboardView::compute(study, request).expect("dashboard")
}

/// `x` as the dashboard prints it (three decimals, true minus).
fn printed(x: f64) -> String {
    let s = format!("{x:.3}");
    if s == "-0.000" {
        "0.000".into()
    } else {
        s.replace('-', "−")
    }
}

fn json_f64(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn verdict_rows_carry_the_reports_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path(), DemoOptions::default());
    for epsilon in [None, Some(0.1)] {
        let request = DashboardRequest {
            attribute: Some("empathy".into()),
            alt_epsilon: epsilon,
            ..DashboardRequest::default()
        };
        let v = view(&study, &request);
        // The report as `concord agreement --json --bootstrap 200 [--alt-epsilon E]` prints it.
        let opts = request.report_options(&study).unwrap();
        let report = agreement_report(&study.study_ratings().unwrap(), &opts);
        let json = serde_json::to_value(&report).unwrap();
        let sheet = json["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["attribute"] == "empathy")
            .unwrap();
        let judges = sheet["judges"].as_array().unwrap();
        assert_eq!(v.alt_epsilon, epsilon.unwrap_or(0.2));
        assert_eq!(v.verdicts.len(), judges.len());
        assert_eq!(v.verdicts.len(), 2, "the demo has two judges");
        for (row, j) in v.verdicts.iter().zip(judges) {
            assert_eq!(row.judge, j["judge"].as_str().unwrap());
            assert_eq!(row.verdict, j["verdict"]["verdict"].as_str().unwrap());
            let alt = &j["alt_test"];
            assert_eq!(row.epsilon, alt["epsilon"].as_f64().unwrap());
            assert_eq!(row.epsilon, epsilon.unwrap_or(0.2));
            assert_eq!(row.winning_rate, json_f64(&alt["winning_rate"]));
            assert_eq!(row.passed, alt["passed"].as_bool());
            assert_eq!(row.humans_tested, alt["humans"].as_array().unwrap().len());
            let beaten = alt["humans"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["rejected"] == true)
                .count();
            assert_eq!(row.humans_beaten, beaten);
            assert_eq!(
                row.advantage_probability,
                json_f64(&alt["advantage_probability"])
            );
            let delta = &j["replacement"]["mean_delta"];
            assert_eq!(
                row.replacement_icc.value,
                json_f64(&delta["ICC_A1"]["value"])
            );
            assert_eq!(
                row.replacement_alpha.value,
                json_f64(&delta["alpha_interval"]["value"])
            );
            let ci = |e: &Value| {
                e["ci95"]
                    .as_array()
                    .map(|c| [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
            };
            assert_eq!(row.replacement_icc.ci95, ci(&delta["ICC_A1"]));
            assert_eq!(row.icc_a1.value, json_f64(&j["icc"]["ICC_A1"]["value"]));
            assert_eq!(row.icc_a1.ci95, ci(&j["icc"]["ICC_A1"]));
            assert_eq!(row.bias.value, json_f64(&j["bias"]["value"]));
            assert!(row
                .icc_reading
                .starts_with(j["reliability_class"]["class"].as_str().unwrap()));
            let reasons = j["verdict"]["reasons"].as_array().unwrap();
            assert_eq!(row.findings.len(), reasons.len());
            for (f, r) in row.findings.iter().zip(reasons) {
                assert_eq!(f.criterion, r["criterion"].as_str().unwrap());
                assert_eq!(f.finding, r["finding"].as_str().unwrap());
                assert_eq!(f.detail, r["detail"].as_str().unwrap());
            }
            let diag = &j["bias_diagnostics"];
            for d in &row.diagnostics {
                assert_eq!(
                    d.estimate.value,
                    json_f64(&diag[&d.key]["value"]),
                    "{}",
                    d.key
                );
            }
            let kind = match row.verdict.as_str() {
                "can replace a clinician" => "replace",
                "cannot" => "cannot",
                _ => "undetermined",
            };
            assert_eq!(row.kind, kind);
            assert!(row.headline.contains(&row.judge) || kind == "undetermined");
        }
    }
    let bad = DashboardRequest {
        alt_epsilon: Some(0.0),
        ..DashboardRequest::default()
    };
    assert!(matches!(
        DashboardView::compute(&study, &bad),
        Err(ReportError::BadEpsilon(_))
    ));
}

#[test]
fn model_scores_chart_is_concord_estimate() {
    let dir = tempfile::tempdir().unwrap();
    // A 30% human-rated sample: the judges score everything, so PPI++ has unlabelled responses.
    let study = demo(
        dir.path(),
        DemoOptions {
            coverage: 0.3,
            ..DemoOptions::default()
        },
    );
    let request = DashboardRequest {
        attribute: Some("empathy".into()),
        judge: Some("Judge B".into()),
        ..DashboardRequest::default()
    };
    let v = view(&study, &request);
    let chart = v
        .charts
        .iter()
        .find(|c| c.name == "model-scores")
        .expect("model-scores chart on the dashboard");
    assert_eq!(chart.title, "Model scores: Empathy — judge Judge B");
    // `concord estimate FILE --judge "Judge B" --attribute empathy --json` calls this.
    let data = study.study_ratings().unwrap();
    let set = estimate(&data, &[], "Judge B", &["empathy".to_string()], 0.05).unwrap();
    assert_eq!(set.estimates.len(), 3, "three demo models");
    let a = Analysis::load(&study, &request.report_options(&study).unwrap()).unwrap();
    let ChartData::ModelScores(d) = a
        .chart(&ChartRequest {
            chart: "model-scores".into(),
            attribute: Some("empathy".into()),
            judge: Some("Judge B".into()),
            ..ChartRequest::default()
        })
        .unwrap()
    else {
        panic!("not a model-scores chart");
    };
    assert_eq!(d.scale, (1.0, 5.0));
    assert_eq!(d.rows.len(), 9);
    assert_eq!(chart.table.rows.len(), 9);
    for (i, e) in set.estimates.iter().enumerate() {
        assert!(e.n_unlabelled > 0 && e.n_labelled > 0, "{}", e.model);
        let rows = &d.rows[3 * i..3 * i + 3];
        let ci = |c: Option<[f64; 2]>| c.map(|[lo, hi]| (lo, hi));
        assert!(rows.iter().all(|r| r.label == e.model));
        assert_eq!(rows[0].series, "Human only");
        assert_eq!(rows[0].estimate, e.human_only.value);
        assert_eq!(rows[0].ci, ci(e.human_only.ci95));
        assert_eq!(rows[0].n, e.n_labelled);
        assert_eq!(rows[1].series, "PPI++");
        assert_eq!(rows[1].estimate, e.ppi_plus.value);
        assert_eq!(rows[1].ci, ci(e.ppi_plus.ci95));
        assert_eq!(rows[1].n, e.n_labelled + e.n_unlabelled);
        assert_eq!(rows[2].series, "Judge only (biased)");
        assert_eq!(rows[2].estimate, e.judge_only.value);
        assert_eq!(rows[2].ci, None);
        // The "Show data" table prints the same numbers.
        let shown = &chart.table.rows[3 * i + 1];
        assert_eq!(shown[0], e.model);
        assert_eq!(shown[2], printed(e.ppi_plus.value.unwrap()));
        let [lo, hi] = e.ppi_plus.ci95.unwrap();
        assert_eq!(shown[3], format!("{}, {}", printed(lo), printed(hi)));
    }
    // The PPI++ interval is narrower than the human-only one for a useful judge.
    let width = |c: Option<(f64, f64)>| c.map(|(lo, hi)| hi - lo).unwrap();
    assert!(width(d.rows[1].ci) < width(d.rows[0].ci));
}

#[test]
fn every_chart_has_alt_text_and_a_data_table() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path(), DemoOptions::default());
    let v = view(&study, &DashboardRequest::default());
    let names: Vec<&str> = v.charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, chart_names());
    for c in &v.charts {
        assert!(c.alt.starts_with(&c.title), "{}: {}", c.name, c.alt);
        assert!(c.alt.len() > c.title.len() + 20, "{}: {}", c.name, c.alt);
        assert!(!c.table.rows.is_empty(), "{}", c.name);
        assert!(!c.table.caption.is_empty(), "{}", c.name);
        for row in &c.table.rows {
            assert_eq!(row.len(), c.table.columns.len(), "{}", c.name);
        }
    }
    // The forest's table holds each row's estimate as drawn.
    let forest = v.charts.iter().find(|c| c.name == "forest").unwrap();
    let a = Analysis::load(
        &study,
        &DashboardRequest::default().report_options(&study).unwrap(),
    )
    .unwrap();
    let ChartData::Forest(f) = a
        .chart(&ChartRequest {
            chart: "forest".into(),
            ..ChartRequest::default()
        })
        .unwrap()
    else {
        panic!("not a forest");
    };
    assert_eq!(forest.table.rows.len(), f.rows.len());
    for (shown, r) in forest.table.rows.iter().zip(&f.rows) {
        assert_eq!(shown[0], r.label);
        assert_eq!(shown[1], r.series);
        assert_eq!(shown[2], r.estimate.map_or("—".into(), printed));
        assert_eq!(shown[4], r.n.to_string());
    }
    let progress = v.charts.iter().find(|c| c.name == "progress").unwrap();
    assert!(
        progress.alt.contains("Rater 1 120 of 120"),
        "{}",
        progress.alt
    );
}

#[test]
fn forest_headline_uses_reml_where_responses_miss_a_rater() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        DemoOptions {
            coverage: 0.7,
            ..DemoOptions::default()
        },
    );
    let request = DashboardRequest::default();
    let a = Analysis::load(&study, &request.report_options(&study).unwrap()).unwrap();
    let ChartData::Forest(f) = a
        .chart(&ChartRequest {
            chart: "forest".into(),
            metric: Some("ICC2".into()),
            ..ChartRequest::default()
        })
        .unwrap()
    else {
        panic!("not a forest");
    };
    let mut reml_rows = 0;
    for r in &a.report.attributes {
        let h = &r.humans;
        assert!(h.n_dropped > 0, "70% coverage leaves responses incomplete");
        let label = a
            .snapshot
            .labels
            .iter()
            .zip(&a.snapshot.live.ratings.attributes)
            .find(|(_, s)| s.key == r.attribute)
            .unwrap()
            .0;
        let row = f
            .rows
            .iter()
            .find(|x| &x.label == label && x.series == HUMAN_SERIES)
            .unwrap();
        assert_eq!(row.estimate, h.icc_reml.icc_a1.value, "{label}");
        assert!(row.estimate.is_some());
        assert_ne!(
            row.estimate, h.icc.icc2.value,
            "{label}: not the complete-case ANOVA"
        );
        assert_eq!(Metric::Icc2.headline_estimate(h).0, &h.icc_reml.icc_a1);
        // ICC(1,1) has no REML form: the ANOVA one stays.
        assert_eq!(Metric::Icc1.headline_estimate(h).0, &h.icc.icc1);
        reml_rows += 1;
    }
    assert_eq!(reml_rows, 7, "the demo rubric's attributes");
    assert!(f.note.as_deref().unwrap().contains("REML on every rating"));
    // The table shows the REML forms beside the complete-case ones.
    let v = view(&study, &request);
    let reml = v
        .table
        .iter()
        .find(|r| r.key == "humans.ICC2_reml")
        .unwrap();
    assert_eq!(
        reml.estimate,
        a.report.attributes[0].humans.icc_reml.icc_a1.value
    );
    let html = html_report(&study, &request.report_options(&study).unwrap()).unwrap();
    assert!(html.contains("All ratings: REML intraclass correlation"));
    assert!(html.contains("restricted maximum likelihood (REML)"));
}

#[test]
fn exclusions_must_name_the_studys_judges_and_models() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path(), DemoOptions::default());
    let set = |models: &[&str]| {
        let mut s = study.settings().unwrap();
        s.exclude_own = [(
            "Judge A".to_string(),
            models.iter().map(|m| m.to_string()).collect(),
        )]
        .into();
        study.set_settings(&s).unwrap();
    };
    // A typo in the study's settings stops the dashboard with the valid names, instead of
    // silently comparing the judge on its own model.
    set(&["modle-a"]);
    let e = DashboardView::compute(&study, &DashboardRequest::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "exclude_own in the own-model exclusions: no model 'modle-a' in this study; valid models: model-a, model-b, model-c"
    );
    // `concord report`: the options completed from the study, then the report.
    let opts = options_for(&study, ReportOptions::default()).unwrap();
    let e = html_report(&study, &opts).unwrap_err().to_string();
    assert!(e.contains("no model 'modle-a'"), "{e}");
    // A family pattern resolves to the study's models and the dashboard says what it left out.
    set(&["*-a"]);
    let v = view(&study, &DashboardRequest::default());
    assert_eq!(
        v.exclusions,
        vec!["Judge A is not compared on its own models: model-a (40 responses left out here)"]
    );
    let mut s = study.settings().unwrap();
    s.exclude_own = [("Judge Q".to_string(), vec!["model-a".to_string()])].into();
    study.set_settings(&s).unwrap();
    let e = DashboardView::compute(&study, &DashboardRequest::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "exclude_own in the study's settings: no judge 'Judge Q' in this study; valid judges: Judge A, Judge B"
    );
}

#[test]
fn one_rater_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(
        dir.path(),
        DemoOptions {
            raters: 1,
            ..DemoOptions::default()
        },
    );
    let v = view(&study, &DashboardRequest::default());
    let humans: Vec<_> = v.table.iter().filter(|r| r.group == "Humans").collect();
    assert_eq!(humans.len(), 1);
    assert_eq!(
        humans[0].reason.as_deref(),
        Some("inter-rater agreement needs ≥ 2 human raters; this analysis has 1")
    );
    assert!(v.table.iter().any(|r| r.key == "judge.Judge A.bias"));
    let html = html_report(&study, &ReportOptions::default()).unwrap();
    assert_eq!(
        html.matches("inter-rater agreement needs ≥ 2 human raters; this analysis has 1")
            .count(),
        1
    );
    assert!(!html.contains("Intraclass correlation (complete responses)"));
    assert!(html.contains("Can this judge replace a clinician?"));
    // Methods say once why nothing was estimated among humans instead of describing it.
    assert!(html.contains("Inter-rater agreement among human raters was not estimated"));
    assert!(!html.contains("Shrout"));
    assert!(html.contains("2 raters per response (set for assignment; 1 human rater(s) analysed)"));
    // The tests that need two clinicians are said not to run once, not in every row.
    assert_eq!(html.matches("were not run").count(), 1);
    assert!(!html.contains("<th>Alternative Annotator Test</th>"));
    // What would settle an open verdict is a second clinician, not more responses.
    for row in &v.verdicts {
        assert!(
            row.kind == "cannot"
                || row.headline
                    == "Not yet decided: a second clinician must rate the same responses",
            "{}",
            row.headline
        );
    }
    // No clinician spread to compare a bias with: the bias is reported, never decisive.
    for row in &v.verdicts {
        let bias = row.findings.iter().find(|f| f.criterion == "bias").unwrap();
        assert_eq!(bias.finding, "note", "{}", bias.detail);
    }
    // Judges are still compared; with one clinician the alt-test cannot run.
    assert_eq!(v.verdicts.len(), 2);
    assert!(v.verdicts.iter().all(|r| r.winning_rate.is_none()));
}

#[test]
fn methods_name_the_intervals_as_computed() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path(), DemoOptions::default());
    // The demo's models answer the same items: intervals that would take responses as
    // independent leave out items, and Methods says which cannot.
    let html = html_report(&study, &ReportOptions::default()).unwrap();
    assert!(html.contains("Shrout"));
    assert!(html.contains("missing ratings allowed as irrCAC computes it"));
    assert!(html.contains("<td>2 raters per response</td>"));
    assert!(html.contains("each with the delete-one-cluster jackknife CI over the items"));
    assert!(html.contains("instead the same delete-one-item jackknife as alpha's"));
    assert!(html.contains("treat the raters as random and do not leave out items"));
    assert!(!html.contains("F-based CIs"));
    // Responses as the units: the analytic intervals, named as computed.
    let by_response = ReportOptions {
        cluster: concord_stats::report::Cluster::Response,
        ..ReportOptions::default()
    };
    let html = html_report(&study, &by_response).unwrap();
    assert!(html.contains("√((1 + ρ²/2)/(n−3)) of Bonett &amp; Wright 2000"));
    assert!(html.contains("McGraw &amp; Wong 1996, F-based CIs"));
    assert!(!html.contains("delete-one-item jackknife"));
    // Per model every judge interval is the bootstrap over models, and Methods says so.
    let opts = ReportOptions {
        unit: concord_stats::report::Unit::Model,
        ..ReportOptions::default()
    };
    let html = html_report(&study, &opts).unwrap();
    assert!(html.contains("percentile interval of the bootstrap over models"));
    // Each width class comes with the interval it was read from.
    let report = agreement_report(&study.study_ratings().unwrap(), &opts);
    let class = &report.attributes[0].judges[0].reliability_class;
    let [lo, hi] = class.ci95.unwrap();
    let shown = format!(
        "{} <span class=\"ci\">[{lo:.3}, {hi:.3}]</span>",
        class.class
    );
    assert!(html.contains(&shown), "{shown}");
    assert!(!html.contains("F-based CIs"));
    assert!(!html.contains("Fisher-z CI"));
}

#[test]
fn the_dashboard_says_which_intervals_leave_out_prompts() {
    let (nested_dir, single_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Three models answer each item: the responses are nested in items.
    let nested = view(
        &demo(nested_dir.path(), DemoOptions::default()),
        &DashboardRequest::default(),
    );
    let note = nested
        .notes
        .iter()
        .find(|n| n.contains("leave out whole prompts"))
        .expect("a note on the intervals");
    assert!(note.contains("ICC(2,·)") && note.contains("REML"), "{note}");
    // One model: each response is its own item, and there is nothing to say.
    let single = view(
        &demo(
            single_dir.path(),
            DemoOptions {
                models: 1,
                ..DemoOptions::default()
            },
        ),
        &DashboardRequest::default(),
    );
    assert!(
        single.notes.iter().all(|n| !n.contains("prompt")),
        "{:?}",
        single.notes
    );
}
