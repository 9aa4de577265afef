//! The dashboard's and the report's "Model scores" after an active sampling round: the same
//! weighted numbers as `concord estimate --json`, and the chart and methods text say so.

use concord_report::{
    html_report, Analysis, ChartData, ChartRequest, DashboardRequest, DashboardView, StudySnapshot,
};

use super::{demo_with_new_rater, json};
use crate::common::{ok, s};

#[test]
fn model_scores_on_the_dashboard_and_in_the_report_follow_the_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo_with_new_rater(dir.path());
    // The app's dashboard keeps a snapshot and refreshes it after each commit.
    let mut kept = StudySnapshot::load(&concord_core::Study::open(&study).unwrap()).unwrap();
    assert!(kept.rounds.is_empty());
    let got = json(&[
        "next",
        s(&study),
        "--count",
        "30",
        "--seed",
        "7",
        "--assign",
        "Dr New",
        "--json",
    ]);
    let csv = dir.path().join("round.csv");
    let mut text = String::from("response_id,rater,attribute,score\n");
    for (i, p) in got["picks"].as_array().unwrap().iter().enumerate() {
        let id = p["response_id"].as_str().unwrap();
        text.push_str(&format!("{id},Dr New,safety,{}\n", i % 5 + 1));
    }
    std::fs::write(&csv, text).unwrap();
    ok(&["ratings", "import", s(&study), s(&csv), "--kind", "human"]);
    let cli = json(&[
        "estimate",
        s(&study),
        "--judge",
        "Judge A",
        "--attribute",
        "safety",
        "--json",
    ]);
    assert_eq!(cli["active_rounds"], 1);

    let opened = concord_core::Study::open(&study).unwrap();
    kept.refresh(&opened).unwrap();
    assert_eq!(kept.rounds.len(), 1, "the refresh reads the new round");
    assert_eq!(kept, StudySnapshot::load(&opened).unwrap());
    let request = DashboardRequest {
        attribute: Some("safety".into()),
        judge: Some("Judge A".into()),
        ..DashboardRequest::default()
    };
    let a = Analysis::load(&opened, &request.report_options(&opened).unwrap()).unwrap();
    let ChartData::ModelScores(d) = a
        .chart(&ChartRequest {
            chart: "model-scores".into(),
            attribute: Some("safety".into()),
            judge: Some("Judge A".into()),
            ..ChartRequest::default()
        })
        .unwrap()
    else {
        panic!("not a model-scores chart");
    };
    let estimates = cli["estimates"].as_array().unwrap();
    assert_eq!(d.rows.len(), 3 * estimates.len());
    let mut moved = 0;
    for (e, rows) in estimates.iter().zip(d.rows.chunks(3)) {
        let f = |v: &serde_json::Value| v.as_f64().unwrap();
        assert_eq!(rows[1].label, e["model"].as_str().unwrap());
        assert_eq!(rows[1].series, "PPI++");
        // JSON text to f64 may land one ulp away.
        let ppi = rows[1].estimate.unwrap();
        assert!((ppi - f(&e["ppi_plus"]["value"])).abs() < 1e-12);
        let (lo, hi) = rows[1].ci.unwrap();
        assert!((lo - f(&e["ppi_plus"]["ci95"][0])).abs() < 1e-12);
        assert!((hi - f(&e["ppi_plus"]["ci95"][1])).abs() < 1e-12);
        assert!((rows[0].estimate.unwrap() - f(&e["human_only"]["value"])).abs() < 1e-12);
        // The uniform PPI++ (what the chart showed before) differs from the weighted one.
        moved += usize::from((ppi - f(&e["ppi"]["value"])).abs() > 1e-9);
    }
    assert!(moved > 0, "the weighting changed no model's score");
    let note = d.note.as_deref().unwrap();
    assert!(note.contains("1/π over 1 sampling round"), "{note}");

    // The dashboard (as the app computes it) draws the same numbers and says so in its alt text.
    let view = DashboardView::compute(&opened, &request).unwrap();
    let chart = view
        .charts
        .iter()
        .find(|c| c.name == "model-scores")
        .unwrap();
    assert!(
        chart.alt.contains("1/π over 1 sampling round"),
        "{}",
        chart.alt
    );
    let ppi_rows: Vec<&Vec<String>> = chart
        .table
        .rows
        .iter()
        .filter(|r| r[1] == "PPI++")
        .collect();
    for (e, row) in estimates.iter().zip(ppi_rows) {
        let v = e["ppi_plus"]["value"].as_f64().unwrap();
        assert_eq!(row[2], format!("{v:.3}").replace('-', "−"));
    }

    // The report's table and methods text.
    let html = html_report(&opened, &request.report_options(&opened).unwrap()).unwrap();
    assert!(
        html.contains("recorded 1 active sampling round(s)"),
        "methods text"
    );
    // Judge A is the report's judge (the first); its weighted PPI++ cells are in the table.
    for e in estimates {
        let [v, lo, hi] = [
            &e["ppi_plus"]["value"],
            &e["ppi_plus"]["ci95"][0],
            &e["ppi_plus"]["ci95"][1],
        ]
        .map(|x| format!("{:.3}", x.as_f64().unwrap()));
        let cell = format!("<td>{v} <span class=\"ci\">[{lo}, {hi}]</span></td>");
        assert!(html.contains(&cell), "{cell}");
    }
}
