//! `next`: picks with their probabilities, assignment, and the recorded rounds that `estimate`
//! weights by.

use super::*;

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
    let queued: BTreeSet<String> = queue_front(&study, "Dr New", 1000).into_iter().collect();
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

#[test]
fn next_assign_records_the_round_and_estimate_weights_each_rating_by_it() {
    use concord_stats::active::active_mean_ci;
    let dir = tempfile::tempdir().unwrap();
    // Dr New already holds every response; the picks must move to the front of the queue.
    let study = demo_with_new_rater(dir.path());
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
    assert_eq!(
        queue_front(&study, "Dr New", picks.len()),
        picks,
        "the picks lead the queue, in pick order"
    );
    // The round as recorded: every candidate, its π and whether it was rated.
    let opened = Study::open(&study).unwrap();
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
    // The same estimate as JSON (checked against a plain loop) and as text.
    let safety = [
        "estimate",
        s(&study),
        "--judge",
        "Judge A",
        "--attribute",
        "safety",
    ];
    let after = json(&[&safety[..], &["--json"]].concat());
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
    let text = ok(&safety);
    assert!(
        text.contains("Active sampling (1 recorded rounds)"),
        "{text}"
    );
}

/// The external ids of the first `limit` responses in `rater`'s queue, in queue order (the
/// queue of a blind study shows no external ids: global ids are mapped back).
fn queue_front(study: &Path, rater: &str, limit: usize) -> Vec<String> {
    let opened = Study::open(study).unwrap();
    let rater = opened.find_rater(rater).unwrap().unwrap();
    let queue = opened.queue(&rater.id, QueueFilter::All, 0, limit).unwrap();
    let external: std::collections::HashMap<String, String> = opened
        .response_ids()
        .unwrap()
        .into_iter()
        .map(|(e, g)| (g, e))
        .collect();
    queue
        .entries
        .iter()
        .map(|e| external[&e.response_id].clone())
        .collect()
}
