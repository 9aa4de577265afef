//! The estimate after active sampling against `tests/reference/make_reference_active.py`, which
//! computes the Zrnic & Candès (2024) power-tuned estimator independently (numpy least squares
//! for λ and the shift, scipy's normal quantile) on `tests/reference/active/design.csv`: three
//! models, a 5% uniform base sample and one active round with π ∝ judge uncertainty. Every
//! value and bound must agree to 1e-9. No Python is needed to run this test.

mod common;

use common::{reference_dir, reference_json};
use concord_stats::active::{active_mean_ci, with_active_design, ActiveScores};
use concord_stats::ppi::{estimate_models, ModelScores};

const TOL: f64 = 1e-9;

/// Per model in file order: (name, f, π, y).
type Design = Vec<(String, Vec<f64>, Vec<f64>, Vec<Option<f64>>)>;

fn design() -> Design {
    let text = std::fs::read_to_string(reference_dir().join("active").join("design.csv"))
        .expect("design.csv");
    let mut out: Design = Vec::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if out.last().is_none_or(|m| m.0 != cols[0]) {
            out.push((cols[0].to_string(), Vec::new(), Vec::new(), Vec::new()));
        }
        let m = out.last_mut().unwrap();
        m.1.push(cols[1].parse().unwrap());
        m.2.push(cols[2].parse().unwrap());
        m.3.push((!cols[3].is_empty()).then(|| cols[3].parse().unwrap()));
    }
    out
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= TOL, "{what}: {a} vs {b}");
}

#[test]
fn active_means_match_the_independent_script() {
    let expected = reference_json("active/expected.json");
    let design = design();
    assert_eq!(design.len(), 3);
    for (model, f, pi, y) in &design {
        let e = &expected["models"][model];
        let got = active_mean_ci(f, pi, y, 0.05);
        close(got.value.unwrap(), e["value"].as_f64().unwrap(), "value");
        close(got.se.unwrap(), e["se"].as_f64().unwrap(), "se");
        close(got.lambda.unwrap(), e["lambda"].as_f64().unwrap(), "lambda");
        let ci = got.ci95.unwrap();
        close(ci[0], e["ci95"][0].as_f64().unwrap(), "lower");
        close(ci[1], e["ci95"][1].as_f64().unwrap(), "upper");
        assert_eq!(
            y.iter().flatten().count(),
            e["n_rated"].as_u64().unwrap() as usize
        );
    }
}

#[test]
fn estimate_with_a_design_replaces_ppi_plus_and_reranks() {
    let expected = reference_json("active/expected.json");
    let design = design();
    // The uniform-design inputs of the same data: rated responses labelled, the rest not.
    let split: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = design
        .iter()
        .map(|(_, f, _, y)| {
            let (mut ys, mut fl, mut fu) = (Vec::new(), Vec::new(), Vec::new());
            for (fi, yi) in f.iter().zip(y) {
                match yi {
                    Some(v) => {
                        ys.push(*v);
                        fl.push(*fi);
                    }
                    None => fu.push(*fi),
                }
            }
            (ys, fl, fu)
        })
        .collect();
    let scores: Vec<ModelScores<'_>> = design
        .iter()
        .zip(&split)
        .map(|((m, ..), (y, fl, fu))| ModelScores {
            model: m,
            attribute: "quality",
            y,
            yhat: fl,
            yhat_unlabelled: fu,
        })
        .collect();
    let uniform = estimate_models("J", &scores, 0.05);
    assert_eq!(uniform.active_rounds, None);
    let designs: Vec<ActiveScores<'_>> = design
        .iter()
        .map(|(_, f, pi, y)| ActiveScores { f, pi, y })
        .collect();
    let active = with_active_design(uniform.clone(), &designs, 2);
    assert_eq!(active.active_rounds, Some(2));
    for e in &active.estimates {
        close(
            e.ppi_plus.value.unwrap(),
            expected["models"][&e.model]["value"].as_f64().unwrap(),
            "ppi_plus",
        );
    }
    // Human-only and judge-only are untouched; the differences read the active estimates.
    assert_eq!(
        active.estimates[0].human_only,
        uniform.estimates[0].human_only
    );
    let d = &active.differences[0];
    let (a, b) = (&active.estimates[0].ppi_plus, &active.estimates[1].ppi_plus);
    close(
        d.ppi_plus.value.unwrap(),
        a.value.unwrap() - b.value.unwrap(),
        "difference",
    );
    close(
        d.ppi_plus.se.unwrap(),
        a.se.unwrap().hypot(b.se.unwrap()),
        "difference se",
    );
    assert_eq!(active.ranking.len(), 3);
    assert_eq!(active.ranking[0].model, "m2");
}
