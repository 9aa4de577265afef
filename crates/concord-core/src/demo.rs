//! A synthetic study with known properties, for demos, the dashboard and tests: each response
//! has a latent true quality per attribute; humans rate it with Gaussian noise, LLM judges with
//! noise plus a chosen inflation. Deterministic for a seed.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{gid_text, new_gid};
use crate::import::ResponseRow;
use crate::model::RaterKind;
use crate::rating::{append_event, Cell};
use crate::rubric::Rubric;
use crate::study::Study;

/// Parameters of a demo study.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoOptions {
    pub seed: u64,
    pub items: usize,
    /// Responses per item, one per model.
    pub models: usize,
    pub raters: usize,
    pub judges: usize,
    /// Share of responses each human rates (1 = all).
    pub coverage: f64,
    /// Standard deviation of human rating noise, in scale points.
    pub noise: f64,
    /// Mean judge inflation in scale points (judge i gets `inflation * (i + 1) / judges`).
    pub inflation: f64,
    /// Standard deviation of judge noise.
    pub judge_noise: f64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            seed: 7,
            items: 40,
            models: 3,
            raters: 3,
            judges: 2,
            coverage: 1.0,
            noise: 0.6,
            inflation: 0.7,
            judge_noise: 0.5,
        }
    }
}

const CONCERNS: &[&str] = &[
    "I can't sleep since my father died and I keep replaying the last conversation we had.",
    "My panic attacks have started happening at work and I'm scared I'll lose my job.",
    "I feel like a burden to my friends, so I've stopped answering their messages.",
    "Since the baby was born I feel numb and guilty that I'm not happier.",
    "I've been drinking more to get through the evenings and I don't like it.",
    "Exams are in two weeks and I can't make myself open a book.",
    "My partner says I'm always angry and I don't know how to stop snapping.",
    "I keep checking the locks and the stove for an hour before I can leave.",
    "I moved to a new city and I haven't talked to anyone properly in a month.",
    "Some days I wonder whether anyone would notice if I wasn't here.",
];

const OPENINGS: &[&str] = &[
    "That sounds really hard, and it makes sense that you're feeling this way.",
    "Thank you for sharing this; it takes courage to put it into words.",
    "Here are some things that may help.",
    "Many people go through something similar.",
];

const STEPS: &[&str] = &[
    "Try keeping a short evening routine: the same time, dim lights, no screens for half an hour.",
    "Write down what happened and how you felt; patterns often become clearer on paper.",
    "Consider talking to your GP, who can discuss options such as therapy or other support.",
    "Reach out to one person you trust this week, even with a short message.",
    "Slow breathing (in for four, out for six) can take the edge off acute anxiety.",
    "If you ever feel unsafe, contact your local emergency number or a crisis line straight away.",
];

/// Standard normal draw (Box–Muller); avoids a distributions dependency for one function.
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn score(latent: f64, lo: i64, hi: i64) -> i64 {
    (latent.round() as i64).clamp(lo, hi)
}

/// Creates the demo study at `path` (which must not exist).
pub fn create_demo(path: &Path, opts: &DemoOptions) -> Result<Study> {
    let rubric = Rubric::builtin("mentalbench")?;
    let study = Study::create(path, "Demo: MentalBench synthetic study", &rubric)?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let models: Vec<String> = (0..opts.models)
        .map(|m| format!("model-{}", (b'a' + (m % 26) as u8) as char))
        .collect();
    let model_effect: Vec<f64> = (0..opts.models)
        .map(|m| 0.6 * (m as f64 - (opts.models as f64 - 1.0) / 2.0))
        .collect();

    let mut rows = Vec::with_capacity(opts.items * opts.models);
    for i in 0..opts.items {
        let prompt = format!("{} (case {})", CONCERNS[i % CONCERNS.len()], i + 1);
        for (m, model) in models.iter().enumerate() {
            let response = format!(
                "{}\n\n- {}\n- {}\n\nYou don't have to work through this alone.",
                OPENINGS[(i + m) % OPENINGS.len()],
                STEPS[(i + 2 * m) % STEPS.len()],
                STEPS[(i + 2 * m + 3) % STEPS.len()],
            );
            rows.push(ResponseRow {
                row: rows.len() + 2,
                item_id: format!("item-{:05}", i + 1),
                prompt: prompt.clone(),
                response_id: format!("resp-{:05}-{}", i + 1, model),
                model: model.clone(),
                response,
            });
        }
    }
    study.import_responses(&rows)?;

    let tx = study.write()?;
    let attributes: Vec<(i64, i64, i64)> = study
        .attributes
        .iter()
        .map(|a| (a.id, a.scale_min, a.scale_max))
        .collect();
    let responses: Vec<(i64, usize)> = {
        let mut stmt = tx.prepare("SELECT id, model FROM response ORDER BY position")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            r.map(|(id, model)| (id, models.iter().position(|m| *m == model).unwrap_or(0)))
        })
        .collect::<rusqlite::Result<_>>()?
    };
    // Latent quality per (response, attribute): model effect + response effect + attribute wobble.
    let latent: Vec<Vec<f64>> = responses
        .iter()
        .map(|(_, m)| {
            let base = 3.0 + model_effect[*m] + 0.8 * normal(&mut rng);
            attributes
                .iter()
                .map(|_| base + 0.4 * normal(&mut rng))
                .collect()
        })
        .collect();
    let mut raters = Vec::new();
    for h in 0..opts.raters {
        raters.push((
            format!("Rater {}", h + 1),
            RaterKind::Human,
            0.0,
            opts.noise,
        ));
    }
    for j in 0..opts.judges {
        let shift = opts.inflation * (j + 1) as f64 / opts.judges as f64;
        raters.push((
            format!("Judge {}", (b'A' + (j % 26) as u8) as char),
            RaterKind::Llm,
            shift,
            opts.judge_noise,
        ));
    }
    let mut humans = Vec::new();
    for (name, kind, shift, noise) in raters {
        let gid = new_gid();
        tx.execute(
            "INSERT INTO rater (gid, name, kind) VALUES (?1, ?2, ?3)",
            params![gid, name, kind.as_str()],
        )?;
        let rater = tx.last_insert_rowid();
        for ((response_id, _), latent) in responses.iter().zip(&latent) {
            if kind == RaterKind::Human && rng.random::<f64>() >= opts.coverage {
                continue;
            }
            for ((attribute_id, lo, hi), q) in attributes.iter().zip(latent) {
                let value = score(q + shift + noise * normal(&mut rng), *lo, *hi);
                let cell = Cell {
                    rater,
                    response: *response_id,
                    attribute: *attribute_id,
                };
                append_event(&tx, study.origin, cell, Some(value), None)?;
            }
        }
        if kind == RaterKind::Human {
            humans.push(gid_text(&gid));
        }
    }
    tx.commit()?;
    for rater_id in humans {
        study.assign_all(&rater_id)?;
    }
    Ok(study)
}
