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

#[path = "../common/mod.rs"]
mod common;
mod errors;
mod models;
mod next;
mod rounds;

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

/// [`demo`] with a new clinician, "Dr New", who holds every response (in shuffled order) and
/// has rated none: where `concord next --assign` sends its picks.
fn demo_with_new_rater(dir: &Path) -> PathBuf {
    let study = demo(dir);
    ok(&["raters", s(&study), "--add", "Dr New"]);
    ok(&["assign", s(&study), "--raters", "Dr New", "--overlap", "1"]);
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
