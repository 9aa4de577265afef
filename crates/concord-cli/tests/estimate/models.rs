//! `estimate` and `plan` JSON against the statistics API on the same numbers.

use super::*;

#[test]
fn estimate_json_equals_the_stats_api_on_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let data = Study::open(&study).unwrap().study_ratings().unwrap();
    for (alpha, alpha_arg) in [(0.05, None), (0.1, Some("0.1"))] {
        let mut args = vec![
            "estimate",
            s(&study),
            "--judge",
            "Judge B",
            "--attribute",
            "empathy",
            "--attribute",
            "safety",
            "--json",
        ];
        if let Some(v) = alpha_arg {
            args.extend(["--alpha", v]);
        }
        let out = ok(&args);
        let got: Value = serde_json::from_str(&out).unwrap();
        let groups: Vec<(String, String, Slices)> = ["empathy", "safety"]
            .iter()
            .flat_map(|a| {
                slices(&data, "Judge B", a)
                    .into_iter()
                    .map(move |(m, sl)| (a.to_string(), m, sl))
            })
            .collect();
        let expected = estimate_models("Judge B", &scores(&groups), alpha);
        // Byte for byte: the same numbers, not merely close ones.
        let text = serde_json::to_string_pretty(&expected).unwrap();
        assert_eq!(out.trim_end(), text, "alpha {alpha}");
        assert_eq!(got["alpha"].as_f64(), Some(alpha));
    }

    // The numbers say what the demo was built to show.
    let set = estimate_models(
        "Judge B",
        &scores(
            &slices(&data, "Judge B", "empathy")
                .into_iter()
                .map(|(m, sl)| ("empathy".to_string(), m, sl))
                .collect::<Vec<_>>(),
        ),
        0.05,
    );
    assert_eq!(set.estimates.len(), 3);
    let mut ratio = 0.0;
    for e in &set.estimates {
        // Every response was judged; about two thirds have a human score.
        assert_eq!(e.n_labelled + e.n_unlabelled, 100, "{}", e.model);
        assert!(e.n_labelled > 40 && e.n_unlabelled > 15, "{}", e.model);
        // Judge B inflates by 0.7 points: its own mean is above the corrected one.
        let (judge, ppi) = (e.judge_only.value.unwrap(), e.ppi_plus.value.unwrap());
        assert!(judge - ppi > 0.3, "{}: judge {judge}, PPI++ {ppi}", e.model);
        let width = |m: &concord_stats::ppi::MeanCi| m.ci95.map(|[lo, hi]| hi - lo).unwrap();
        ratio += width(&e.ppi_plus) / width(&e.human_only) / 3.0;
    }
    assert!(
        ratio < 1.0,
        "PPI++ intervals not narrower on average: {ratio}"
    );
    assert_eq!(set.differences.len(), 3);
    assert_eq!(set.ranking.len(), 3);
}

#[test]
fn plan_json_equals_the_stats_api_on_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let data = Study::open(&study).unwrap().study_ratings().unwrap();
    let out = ok(&[
        "plan",
        s(&study),
        "--attribute",
        "guidance",
        "--width",
        "0.5",
        "--json",
    ]);
    let got: Value = serde_json::from_str(&out).unwrap();
    // The human ICC(A,1) as `concord agreement` reports it.
    let report = agreement_report(
        &data,
        &ReportOptions {
            attributes: Some(vec!["guidance".to_string()]),
            bootstrap: 0,
            // `plan` reads the complete-case ICC whatever the number of complete responses; the
            // report withholds it below 20 (its display gate), so lift the gate here.
            min_complete_responses: 1,
            ..ReportOptions::default()
        },
    );
    let humans = &report.attributes[0].humans;
    let icc = humans.icc.icc2.value.map(|rho| {
        (
            rho,
            humans.raters.len(),
            humans.n_targets - humans.n_dropped,
        )
    });
    assert!(
        icc.is_some(),
        "the demo should have responses every human rated"
    );
    let per_judge: Vec<(&str, Vec<(String, Slices)>)> = ["Judge A", "Judge B"]
        .iter()
        .map(|j| (*j, slices(&data, j, "guidance")))
        .collect();
    let pairs: Vec<(Vec<f64>, Vec<f64>)> = per_judge
        .iter()
        .map(|(_, g)| {
            (
                g.iter().flat_map(|(_, s)| s.1.clone()).collect(),
                g.iter().flat_map(|(_, s)| s.0.clone()).collect(),
            )
        })
        .collect();
    let judges: Vec<(&str, &[f64], &[f64])> = per_judge
        .iter()
        .zip(&pairs)
        .map(|((j, _), (f, y))| (*j, f.as_slice(), y.as_slice()))
        .collect();
    // The PPI++ plan uses the first judge, whose scores on every response are free.
    let groups: Vec<(String, String, Slices)> = per_judge[0]
        .1
        .iter()
        .map(|(m, sl)| ("guidance".to_string(), m.clone(), sl.clone()))
        .collect();
    let expected = plan_attribute("guidance", 0.5, 0.05, icc, &judges, &scores(&groups), 0.0);
    let text = serde_json::to_string_pretty(&expected).unwrap();
    assert_eq!(out.trim_end(), text);
    assert_eq!(got["human_icc"]["k"], 3);
    assert_eq!(got["judges"].as_array().unwrap().len(), 2);
    assert_eq!(got["ppi"].as_array().unwrap().len(), 3);
    // A narrower target needs more.
    let narrow = json(&[
        "plan",
        s(&study),
        "--attribute",
        "guidance",
        "--width",
        "0.25",
        "--json",
    ]);
    let n = |v: &Value| v["judges"][0]["bias"]["n_needed"].as_u64().unwrap();
    assert!(n(&narrow) > n(&got), "{} vs {}", n(&narrow), n(&got));
}
