//! `estimate`, `plan` and `next` on a real demo study (2 judges, 3 models, humans on a ~65%
//! sample), checked against the statistics API called directly on the same numbers, grouped
//! here by a plain independent loop.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use concord_core::{QueueFilter, Study};
use concord_stats::plan::plan_attribute;
use concord_stats::ppi::{estimate_models, ModelScores};
use concord_stats::report::{agreement_report, ReportOptions, StudyRatings};
use serde_json::Value;

mod common;
use common::{concord, ok, s};

/// 100 items × 3 models; each of 3 humans rates a response with probability 0.3, so about two
/// thirds of the responses have a human score and a few have all three (for the ICC).
fn demo(dir: &Path) -> PathBuf {
    let study = dir.join("d.concord");
    ok(&[
        "demo",
        s(&study),
        "--items",
        "100",
        "--models",
        "3",
        "--raters",
        "3",
        "--judges",
        "2",
        "--coverage",
        "0.3",
        "--seed",
        "11",
    ]);
    study
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).expect("JSON output")
}

/// (Y, Ŷ, Ŷ_unl) per attribute × model, straight from the observations.
type Slices = (Vec<f64>, Vec<f64>, Vec<f64>);

fn slices(data: &StudyRatings, judge: &str, attribute: &str) -> Vec<(String, Slices)> {
    let j = data.raters.iter().position(|r| r.name == judge).unwrap();
    let a = data
        .attributes
        .iter()
        .position(|x| x.key == attribute)
        .unwrap();
    let mut models: Vec<String> = Vec::new();
    for t in &data.targets {
        if !models.contains(&t.model) {
            models.push(t.model.clone());
        }
    }
    models
        .into_iter()
        .map(|m| {
            let mut out: Slices = Default::default();
            for (t, target) in data.targets.iter().enumerate() {
                if target.model != m {
                    continue;
                }
                let on =
                    |o: &&concord_stats::report::Observation| o.target == t && o.attribute == a;
                let human: Vec<f64> = data
                    .ratings
                    .iter()
                    .filter(on)
                    .filter(|o| !data.raters[o.rater].is_judge)
                    .map(|o| o.value)
                    .collect();
                let f = data
                    .ratings
                    .iter()
                    .filter(on)
                    .find(|o| o.rater == j)
                    .map(|o| o.value);
                match (f, human.is_empty()) {
                    (Some(f), false) => {
                        out.0.push(human.iter().sum::<f64>() / human.len() as f64);
                        out.1.push(f);
                    }
                    (Some(f), true) => out.2.push(f),
                    (None, _) => {}
                }
            }
            (m, out)
        })
        .collect()
}

fn scores<'a>(groups: &'a [(String, String, Slices)]) -> Vec<ModelScores<'a>> {
    groups
        .iter()
        .map(|(a, m, (y, f, u))| ModelScores {
            model: m,
            attribute: a,
            y,
            yhat: f,
            yhat_unlabelled: u,
        })
        .collect()
}

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

#[test]
fn next_picks_with_probabilities_and_assigns_the_unrated_picks() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    ok(&["raters", s(&study), "--add", "Dr New"]);
    let got = json(&[
        "next",
        s(&study),
        "--count",
        "12",
        "--seed",
        "3",
        "--assign",
        "Dr New",
        "--json",
    ]);
    let picks = got["picks"].as_array().unwrap();
    assert_eq!(picks.len(), 12);
    assert_eq!(got["judges"], serde_json::json!(["Judge A", "Judge B"]));
    let models = got["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    assert_eq!(
        models
            .iter()
            .map(|m| m["picks"].as_u64().unwrap())
            .sum::<u64>(),
        12
    );
    for m in models {
        let pi: Vec<f64> = m["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_f64().unwrap())
            .collect();
        assert_eq!(pi.len(), m["response_ids"].as_array().unwrap().len());
        assert_eq!(pi.len(), 100);
        let total: f64 = pi.iter().sum();
        assert!(
            (total - m["picks"].as_f64().unwrap()).abs() < 1e-9,
            "Σπ = {total}"
        );
        assert!(pi.iter().all(|p| *p > 0.0 && *p <= 1.0));
        // Active, not uniform: π follows the judges' uncertainty (the demo's human noise is
        // the same everywhere, so the spread is small here).
        let (lo, hi) = pi
            .iter()
            .fold((1.0f64, 0.0f64), |(l, h), p| (l.min(*p), h.max(*p)));
        assert!(hi > lo * (1.0 + 1e-6), "{lo} {hi}");
    }

    // Each pick's π is its entry in its model's list, and `rated` is true exactly when a human
    // scored it on every attribute.
    let data = Study::open(&study).unwrap().study_ratings().unwrap();
    let mut unrated = BTreeSet::new();
    for p in picks {
        let id = p["response_id"].as_str().unwrap();
        let m = models.iter().find(|m| m["model"] == p["model"]).unwrap();
        let i = m["response_ids"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| r == id)
            .unwrap();
        assert_eq!(p["probability"], m["probabilities"][i]);
        let t = data.targets.iter().position(|t| t.id == id).unwrap();
        let scored: BTreeSet<usize> = data
            .ratings
            .iter()
            .filter(|o| o.target == t && !data.raters[o.rater].is_judge)
            .map(|o| o.attribute)
            .collect();
        assert_eq!(p["rated"], scored.len() == data.attributes.len(), "{id}");
        if scored.len() < data.attributes.len() {
            unrated.insert(id.to_string());
        }
    }
    assert!(!unrated.is_empty());
    assert_eq!(got["assigned"]["rater"], "Dr New");
    assert_eq!(got["assigned"]["responses"], unrated.len());
    assert_eq!(got["assigned"]["added"], unrated.len());

    // The study now holds exactly those assignments for the new rater.
    let opened = Study::open(&study).unwrap();
    let rater = opened.find_rater("Dr New").unwrap().unwrap();
    let queue = opened.queue(&rater.id, QueueFilter::All, 0, 1000).unwrap();
    // The queue of a blind study shows no external ids: map global ids back.
    let external: std::collections::HashMap<String, String> = opened
        .response_ids()
        .unwrap()
        .into_iter()
        .map(|(e, g)| (g, e))
        .collect();
    let queued: BTreeSet<String> = queue
        .entries
        .iter()
        .map(|e| external[&e.response_id].clone())
        .collect();
    assert_eq!(queued, unrated);

    // Same seed, same picks; another seed, other picks.
    let ids = |v: &Value| -> Vec<String> {
        v["picks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["response_id"].as_str().unwrap().to_string())
            .collect()
    };
    let again = json(&["next", s(&study), "--count", "12", "--seed", "3", "--json"]);
    assert_eq!(ids(&again), ids(&got));
    assert!(again.get("assigned").is_none());
    let other = json(&["next", s(&study), "--count", "12", "--seed", "4", "--json"]);
    assert_ne!(ids(&other), ids(&got));
    // One judge: its residual spread per score instead of disagreement.
    let one = json(&[
        "next",
        s(&study),
        "--count",
        "5",
        "--judge",
        "Judge A",
        "--json",
    ]);
    assert_eq!(one["judges"], serde_json::json!(["Judge A"]));
    assert_eq!(one["picks"].as_array().unwrap().len(), 5);
}

/// Runs a command that must fail with `code` and a one-line message containing `needle`.
fn fails(args: &[&str], code: i32, needle: &str) {
    let out = concord(args);
    assert_eq!(out.status.code(), Some(code), "concord {args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "{err}");
}

#[test]
fn unknown_names_and_bad_values_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let f = s(&study);
    fails(
        &["estimate", f, "--judge", "Nobody"],
        1,
        "unknown judge 'Nobody'; valid judges: Judge A, Judge B",
    );
    fails(
        &["estimate", f, "--judge", "Rater 1"],
        1,
        "unknown judge 'Rater 1'",
    );
    fails(
        &["estimate", f, "--judge", "Judge A", "--attribute", "charm"],
        1,
        "unknown attribute 'charm'; valid attributes: guidance,",
    );
    fails(
        &["plan", f, "--attribute", "charm"],
        1,
        "unknown attribute 'charm'",
    );
    fails(
        &["plan", f, "--judge", "Nobody"],
        1,
        "unknown judge 'Nobody'",
    );
    fails(
        &["next", f, "--count", "3", "--judge", "Nobody"],
        1,
        "unknown judge",
    );
    fails(
        &["next", f, "--count", "3", "--assign", "Nobody"],
        1,
        "no human rater named 'Nobody'",
    );
    fails(
        &["next", f, "--count", "3", "--assign", "Judge A"],
        1,
        "no human rater named 'Judge A'",
    );
    fails(
        &["estimate", f, "--judge", "Judge A", "--alpha", "1.5"],
        2,
        "--alpha must lie strictly between 0 and 1",
    );
    fails(&["plan", f, "--width", "0"], 2, "--width must be > 0");
    fails(
        &["next", f, "--count", "0"],
        2,
        "--count must be at least 1",
    );
    // The failed runs created no rater.
    let raters: Value = json(&["raters", f, "--json"]);
    assert_eq!(raters.as_array().unwrap().len(), 5);

    let dir2 = tempfile::tempdir().unwrap();
    let bare = dir2.path().join("nojudge.concord");
    ok(&["demo", s(&bare), "--items", "5", "--judges", "0"]);
    fails(
        &["next", s(&bare), "--count", "3"],
        1,
        "this study has no LLM judge",
    );
    fails(
        &["estimate", s(&bare), "--judge", "Judge A"],
        1,
        "valid judges: none",
    );
}

/// No Rust debug formatting may reach a reader.
fn readable(text: &str) {
    for bad in ["Some(", "None", "MeanCi", "{", "NaN"] {
        assert!(!text.contains(bad), "'{bad}' in:\n{text}");
    }
}

#[test]
fn text_output_is_readable_and_the_report_has_model_scores() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let f = s(&study);
    let text = ok(&[
        "estimate",
        f,
        "--judge",
        "Judge A",
        "--attribute",
        "empathy",
    ]);
    readable(&text);
    let set = json(&[
        "estimate",
        f,
        "--judge",
        "Judge A",
        "--attribute",
        "empathy",
        "--json",
    ]);
    let first = &set["estimates"][0];
    let v = first["ppi_plus"]["value"].as_f64().unwrap();
    assert!(text.contains(&format!("PPI++        {v:.3} [")), "{text}");
    assert!(text.contains("model-a  n = "), "{text}");
    assert!(text.contains("95% intervals"), "{text}");
    assert!(text.contains("Ranking by PPI++ mean"), "{text}");

    let plan = ok(&["plan", f, "--width", "0.5"]);
    readable(&plan);
    assert!(
        plan.contains("Plan for guidance: 95% intervals of full width 0.5 (±0.25)"),
        "{plan}"
    );
    assert!(plan.contains("PPI++ model means with Judge A"), "{plan}");

    let next = ok(&["next", f, "--count", "4"]);
    readable(&next);
    assert_eq!(
        next.lines()
            .filter(|l| l.contains("π = 0.") || l.contains("π = 1."))
            .count(),
        4,
        "{next}"
    );

    // The HTML report: a "Model scores" section for the first judge with the same PPI++ means.
    let html_path = dir.path().join("r.html");
    ok(&["report", f, "-o", s(&html_path)]);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let section = html
        .split("<h2>Model scores</h2>")
        .nth(1)
        .expect("Model scores section");
    assert!(section.contains("Angelopoulos, Duchi &amp; Zrnic 2023"));
    assert!(section.contains("Judge A"));
    let guidance = json(&["estimate", f, "--judge", "Judge A", "--json"]);
    for e in guidance["estimates"].as_array().unwrap() {
        let v = e["ppi_plus"]["value"].as_f64().unwrap();
        assert!(section.contains(&format!("<td>{v:.3} <span")), "{v}");
    }
    // No judge, no section.
    let bare = dir.path().join("nojudge.concord");
    ok(&["demo", s(&bare), "--items", "5", "--judges", "0"]);
    let bare_html = dir.path().join("b.html");
    ok(&["report", s(&bare), "-o", s(&bare_html)]);
    assert!(!std::fs::read_to_string(&bare_html)
        .unwrap()
        .contains("Model scores"));
}

#[test]
fn next_assign_records_the_round_and_estimate_weights_each_rating_by_it() {
    use concord_stats::active::active_mean_ci;
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    ok(&["raters", s(&study), "--add", "Dr New"]);
    // Dr New already holds every response; the picks must move to the front of the queue.
    ok(&["assign", s(&study), "--raters", "Dr New", "--overlap", "1"]);
    let before = json(&["estimate", s(&study), "--judge", "Judge A", "--json"]);
    assert!(before.get("active_rounds").is_none());
    let got = json(&[
        "next",
        s(&study),
        "--count",
        "30",
        "--seed",
        "5",
        "--assign",
        "Dr New",
        "--json",
    ]);
    let picks: Vec<String> = got["picks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["rated"] == false)
        .map(|p| p["response_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got["assigned"]["responses"], picks.len());
    assert!(got["assigned"]["added"].as_u64().unwrap() <= picks.len() as u64);
    let opened = Study::open(&study).unwrap();
    let rater = opened.find_rater("Dr New").unwrap().unwrap();
    let queue = opened
        .queue(&rater.id, QueueFilter::All, 0, picks.len())
        .unwrap();
    let external: std::collections::HashMap<String, String> = opened
        .response_ids()
        .unwrap()
        .into_iter()
        .map(|(e, g)| (g, e))
        .collect();
    let front: Vec<String> = queue
        .entries
        .iter()
        .map(|e| external[&e.response_id].clone())
        .collect();
    assert_eq!(front, picks, "the picks lead the queue, in pick order");
    // The round as recorded: every candidate, its π and whether it was rated.
    let rounds = opened.sampling_rounds().unwrap();
    assert_eq!(rounds.len(), 1);
    assert_eq!((rounds[0].seed, rounds[0].uniform_mix), (5, 0.2));
    let models = got["models"].as_array().unwrap();
    let recorded: std::collections::HashMap<&str, (f64, bool)> = rounds[0]
        .candidates
        .iter()
        .map(|c| (c.response_id.as_str(), (c.probability, c.rated)))
        .collect();
    assert_eq!(recorded.len(), 300);
    for m in models {
        for (i, id) in m["response_ids"].as_array().unwrap().iter().enumerate() {
            let (pi, rated) = recorded[id.as_str().unwrap()];
            // JSON text to f64 may land one ulp away.
            assert!((pi - m["probabilities"][i].as_f64().unwrap()).abs() < 1e-15);
            assert_eq!(rated, m["rated"][i].as_bool().unwrap());
        }
    }
    drop(opened);

    // Dr New rates every pick on safety; the estimate now weights by 1/π.
    let csv = dir.path().join("round.csv");
    let mut text = String::from("response_id,rater,attribute,score\n");
    for (i, id) in picks.iter().enumerate() {
        text.push_str(&format!("{id},Dr New,safety,{}\n", i % 5 + 1));
    }
    std::fs::write(&csv, text).unwrap();
    ok(&["ratings", "import", s(&study), s(&csv), "--kind", "human"]);
    let after = json(&[
        "estimate",
        s(&study),
        "--judge",
        "Judge A",
        "--attribute",
        "safety",
        "--json",
    ]);
    assert_eq!(after["active_rounds"], 1);

    // The same estimate from a plain loop: π = 1 − (1 − base)(1 − π_round), base = the share
    // of the model's responses the round found rated.
    let data = Study::open(&study).unwrap().study_ratings().unwrap();
    let a = data
        .attributes
        .iter()
        .position(|x| x.key == "safety")
        .unwrap();
    let j = data
        .raters
        .iter()
        .position(|r| r.name == "Judge A")
        .unwrap();
    for m in models {
        let ids = m["response_ids"].as_array().unwrap();
        let base = m["rated"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r == &true)
            .count() as f64
            / ids.len() as f64;
        let (mut f, mut pi, mut y) = (Vec::new(), Vec::new(), Vec::new());
        for (i, id) in ids.iter().enumerate() {
            let t = data
                .targets
                .iter()
                .position(|t| t.id == id.as_str().unwrap())
                .unwrap();
            let of = |judge: bool| {
                data.ratings
                    .iter()
                    .filter(|o| o.target == t && o.attribute == a)
                    .filter(|o| {
                        (o.rater == j) == judge && (judge || !data.raters[o.rater].is_judge)
                    })
                    .map(|o| o.value)
                    .collect::<Vec<f64>>()
            };
            let (judge, humans) = (of(true), of(false));
            let Some(&score) = judge.first() else {
                continue;
            };
            f.push(score);
            pi.push(1.0 - (1.0 - base) * (1.0 - m["probabilities"][i].as_f64().unwrap()));
            y.push((!humans.is_empty()).then(|| humans.iter().sum::<f64>() / humans.len() as f64));
        }
        let want = active_mean_ci(&f, &pi, &y, 0.05);
        let e = after["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["model"] == m["model"])
            .unwrap();
        let got = e["ppi_plus"]["value"].as_f64().unwrap();
        assert!(
            (got - want.value.unwrap()).abs() < 1e-12,
            "{got} vs {want:?}"
        );
        let lo = e["ppi_plus"]["ci95"][0].as_f64().unwrap();
        assert!((lo - want.ci95.unwrap()[0]).abs() < 1e-12);
    }
    let text = ok(&[
        "estimate",
        s(&study),
        "--judge",
        "Judge A",
        "--attribute",
        "safety",
    ]);
    assert!(
        text.contains("Active sampling (1 recorded rounds)"),
        "{text}"
    );
}
