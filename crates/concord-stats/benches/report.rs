//! `agreement_report` with `ReportOptions::default()` (REML ICCs, 1,000 bootstrap resamples,
//! item-clustered intervals, alt-test, replacement bootstrap, …) on the shape of the CLI's
//! whole-process bench (`crates/concord-cli/benches/agreement.rs`): `concord_core::demo`'s
//! 1,000 items × 10 models = 10,000 responses, 3 clinicians rating every response, 4 judges,
//! the 7 MentalBench attributes (4 in CSS, 3 in ARS) on 1–5: 490,000 ratings, built here with
//! the demo's model (latent quality per response and attribute, Gaussian rater noise, judge
//! inflation) and this crate's own noise. Median of 11 runs after one warm-up.
//!
//! With `REPORT_JSON=DIR` the bench also writes the report's JSON on that study and on one whose
//! humans each rate 70% of the responses (`full.json`, `partial.json`), so that the reports of
//! two builds can be compared byte for byte.
//!
//! Run: `cargo bench -p concord-stats --bench report`

use concord_stats::report::{
    agreement_report, AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings,
    TargetSpec,
};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod support {
    pub mod noise;
}
use support::noise::Noise;

const ITEMS: usize = 1000;
const MODELS: usize = 10;
const HUMANS: usize = 3;
const JUDGES: usize = 4;
const RUNS: usize = 11;

/// The demo study's shape and model (see the module notes); each human rates a share
/// `coverage` of the responses.
fn demo_study(coverage: f64) -> StudyRatings {
    let mut rng = Noise(0x2545_F491_4F6C_DD1D);
    let keys = [
        ("guidance", "CSS"),
        ("informativeness", "CSS"),
        ("relevance", "CSS"),
        ("safety", "CSS"),
        ("empathy", "ARS"),
        ("helpfulness", "ARS"),
        ("understanding", "ARS"),
    ];
    let attributes: Vec<AttributeSpec> = keys
        .iter()
        .map(|(key, group)| AttributeSpec {
            key: (*key).into(),
            group: Some((*group).into()),
            scale_min: 1,
            scale_max: 5,
        })
        .collect();
    // (name, is judge, inflation, noise), as the demo's defaults.
    let raters: Vec<(String, bool, f64, f64)> = (0..HUMANS)
        .map(|h| (format!("Rater {}", h + 1), false, 0.0, 0.6))
        .chain((0..JUDGES).map(|j| {
            let shift = 0.7 * (j + 1) as f64 / JUDGES as f64;
            (format!("Judge {j}"), true, shift, 0.5)
        }))
        .collect();
    let mut targets = Vec::with_capacity(ITEMS * MODELS);
    let mut latent = Vec::with_capacity(ITEMS * MODELS);
    for i in 0..ITEMS {
        for m in 0..MODELS {
            targets.push(TargetSpec {
                id: format!("resp-{i:05}-{m}"),
                model: format!("model-{m}"),
                length: None,
                item: Some(format!("item-{i:05}")),
            });
            let base = 3.0 + 0.6 * (m as f64 - (MODELS as f64 - 1.0) / 2.0) + 0.8 * rng.normal();
            latent.push(
                (0..keys.len())
                    .map(|_| base + 0.4 * rng.normal())
                    .collect::<Vec<f64>>(),
            );
        }
    }
    let mut ratings = Vec::with_capacity(targets.len() * raters.len() * keys.len());
    for (r, (_, is_judge, shift, noise)) in raters.iter().enumerate() {
        for (t, q) in latent.iter().enumerate() {
            if !is_judge && rng.next() >= coverage {
                continue;
            }
            for (a, q) in q.iter().enumerate() {
                ratings.push(Observation {
                    target: t,
                    rater: r,
                    attribute: a,
                    value: (q + shift + noise * rng.normal()).round().clamp(1.0, 5.0),
                });
            }
        }
    }
    StudyRatings {
        attributes,
        raters: raters
            .into_iter()
            .map(|(name, is_judge, _, _)| RaterSpec { name, is_judge })
            .collect(),
        targets,
        ratings,
    }
}

fn median_of<T>(mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[RUNS / 2]
}

fn main() {
    let data = demo_study(1.0);
    if let Ok(dir) = std::env::var("REPORT_JSON") {
        for (file, study) in [("full.json", &data), ("partial.json", &demo_study(0.7))] {
            let report = agreement_report(study, &ReportOptions::default());
            let json = serde_json::to_string_pretty(&report).expect("report JSON");
            std::fs::write(std::path::Path::new(&dir).join(file), json).expect("write JSON");
        }
    }
    println!(
        "concord-stats report bench: {ITEMS} items × {MODELS} models, {HUMANS} humans, {JUDGES} \
         judges, {} attributes, {} ratings; median of {RUNS} runs",
        data.attributes.len(),
        data.ratings.len()
    );
    let opts = ReportOptions::default();
    let whole = median_of(|| agreement_report(&data, &opts));
    println!(
        "agreement_report, default options       {:9.3} ms",
        whole.as_secs_f64() * 1e3
    );
    let opts0 = ReportOptions {
        bootstrap: 0,
        ..ReportOptions::default()
    };
    let no_boot = median_of(|| agreement_report(&data, &opts0));
    println!(
        "agreement_report, bootstrap 0           {:9.3} ms",
        no_boot.as_secs_f64() * 1e3
    );
}
