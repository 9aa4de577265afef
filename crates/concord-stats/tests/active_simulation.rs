//! Active vs uniform sampling for a fixed number of human ratings (issue 12, item 3), on a
//! MentalBench-like synthetic study: 9 models × 1,000 responses, 4 LLM judges (biases +0.3 to
//! +0.7) and "hard" responses on which judges and clinicians are noisier than on easy ones —
//! two designs: 30% hard (judge sd 1.4 vs 0.3, clinician 0.8 vs 0.4) and 15% hard (judge sd
//! 2.0 vs 0.2, clinician 1.0 vs 0.3). Budget: 900 clinician-rated responses (10%), each rated by
//! two clinicians. Compared over 400 replicates:
//! - uniform: 100 random responses per model, PPI++ (`ppi::ppi_plus_mean_ci`, f = judge mean);
//! - active: a uniform burn-in of 30 per model calibrates the judge uncertainty
//!   (`active::calibrated_uncertainty`); `active::choose_next` (τ = 0.1) then draws 70 per
//!   model over all responses (a pick that is already rated costs nothing, so slightly fewer
//!   than 900 ratings are used); π = `combined_probabilities(30/1000, π_round)`;
//!   `active::active_mean_ci` on all 1,000 per model.
//!
//! Ignored by default. Run:
//! `cargo test -p concord-stats --release --test active_simulation -- --ignored --nocapture`

use concord_stats::active::{
    active_mean_ci, calibrated_uncertainty, choose_next, combined_probabilities,
    judge_disagreement, ActiveModel,
};
use concord_stats::ppi::{ppi_plus_mean_ci, MeanCi};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

const MODELS: usize = 9;
const RESPONSES: usize = 1_000;
const BUDGET: usize = 900;
const REPLICATES: usize = 400;
const BURN_IN: usize = 30;
const LATENT_SD: f64 = 0.9;
const JUDGE_BIAS: [f64; 4] = [0.7, 0.5, 0.3, 0.6];

/// Share of hard responses and (judge sd, clinician sd) on easy and hard ones.
struct Design {
    name: &'static str,
    hard_share: f64,
    easy: (f64, f64),
    hard: (f64, f64),
}

const DESIGNS: [Design; 2] = [
    Design {
        name: "30% hard",
        hard_share: 0.3,
        easy: (0.3, 0.4),
        hard: (1.4, 0.8),
    },
    Design {
        name: "15% hard",
        hard_share: 0.15,
        easy: (0.2, 0.3),
        hard: (2.0, 1.0),
    },
];

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn score(x: f64) -> f64 {
    x.round().clamp(1.0, 5.0)
}

fn quality(m: usize) -> f64 {
    2.6 + 0.12 * m as f64
}

/// E[human score]: per difficulty, 1 + Σ_k P(X ≥ k + ½) with X ~ N(q, LATENT_SD² + human sd²).
fn true_mean(m: usize, d: &Design) -> f64 {
    let e = |sd: f64| {
        let x = Normal::new(quality(m), LATENT_SD.hypot(sd)).unwrap();
        1.0 + (1..=4).map(|k| x.sf(k as f64 + 0.5)).sum::<f64>()
    };
    (1.0 - d.hard_share) * e(d.easy.1) + d.hard_share * e(d.hard.1)
}

struct Response {
    judges: [f64; 4],
    human: f64,
}

fn respond(rng: &mut ChaCha8Rng, m: usize, d: &Design) -> Response {
    let latent = quality(m) + LATENT_SD * normal(rng);
    let (js, hs) = if rng.random::<f64>() < d.hard_share {
        d.hard
    } else {
        d.easy
    };
    let judges = JUDGE_BIAS.map(|b| score(latent + b + js * normal(rng)));
    let h1 = score(latent + hs * normal(rng));
    let h2 = score(latent + hs * normal(rng));
    Response {
        judges,
        human: (h1 + h2) / 2.0,
    }
}

#[derive(Default)]
struct Tally {
    covered: usize,
    width: f64,
    error: f64,
    count: usize,
}

impl Tally {
    fn add(&mut self, ci: &MeanCi, truth: f64) {
        let [lo, hi] = ci.ci95.expect("an interval");
        self.covered += usize::from(lo <= truth && truth <= hi);
        self.width += hi - lo;
        self.error += ci.value.expect("a value") - truth;
        self.count += 1;
    }
    /// Mean estimate − truth (Monte Carlo bias).
    fn bias(&self) -> f64 {
        self.error / self.count as f64
    }
    fn cover(&self) -> f64 {
        self.covered as f64 / self.count as f64
    }
    fn width(&self) -> f64 {
        self.width / self.count as f64
    }
}

#[test]
#[ignore = "simulation: run with --release -- --ignored --nocapture"]
fn active_sampling_narrows_intervals_at_equal_budget() {
    println!(
        "{REPLICATES} replicates × {MODELS} models, {BUDGET} human-rated of {} responses",
        MODELS * RESPONSES
    );
    for d in &DESIGNS {
        compare(d);
    }
}

fn compare(d: &Design) {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let (mut uniform, mut active) = (Tally::default(), Tally::default());
    let mut ratings = 0usize;
    for rep in 0..REPLICATES {
        let study: Vec<Vec<Response>> = (0..MODELS)
            .map(|m| (0..RESPONSES).map(|_| respond(&mut rng, m, d)).collect())
            .collect();
        let f: Vec<Vec<f64>> = study
            .iter()
            .map(|rs| {
                rs.iter()
                    .map(|r| r.judges.iter().sum::<f64>() / 4.0)
                    .collect()
            })
            .collect();
        let u: Vec<Vec<f64>> = study
            .iter()
            .map(|rs| {
                let cols: Vec<Vec<f64>> = (0..4)
                    .map(|j| rs.iter().map(|r| r.judges[j]).collect())
                    .collect();
                let refs: Vec<&[f64]> = cols.iter().map(|c| c.as_slice()).collect();
                judge_disagreement(&refs)
            })
            .collect();
        // Uniform: the first BUDGET / MODELS responses of each model (responses are i.i.d.).
        let per_model = BUDGET / MODELS;
        for (m, rs) in study.iter().enumerate() {
            let y: Vec<f64> = rs[..per_model].iter().map(|r| r.human).collect();
            let ci = ppi_plus_mean_ci(&y, &f[m][..per_model], &f[m][per_model..], 0.05);
            uniform.add(&ci, true_mean(m, d));
        }
        // Active: burn-in (the first BURN_IN of each model), calibrate, then pick the rest.
        let (mut rated_s, mut rated_r) = (Vec::new(), Vec::new());
        for (m, rs) in study.iter().enumerate() {
            for i in 0..BURN_IN {
                rated_s.push(u[m][i]);
                rated_r.push(rs[i].human - f[m][i]);
            }
        }
        let cal: Vec<Vec<f64>> = u
            .iter()
            .map(|u| calibrated_uncertainty(u, &rated_s, &rated_r))
            .collect();
        let models: Vec<ActiveModel> = cal
            .iter()
            .map(|u| ActiveModel {
                model: "m",
                uncertainty: u,
            })
            .collect();
        let batch = choose_next(&models, BUDGET - MODELS * BURN_IN, 0.1, rep as u64);
        for (m, rs) in study.iter().enumerate() {
            let burn_in = vec![BURN_IN as f64 / RESPONSES as f64; RESPONSES];
            let pi = combined_probabilities(&burn_in, &batch.probabilities[m]);
            let mut y: Vec<Option<f64>> = rs[..BURN_IN].iter().map(|r| Some(r.human)).collect();
            y.resize(RESPONSES, None);
            for p in batch.picks.iter().filter(|p| p.model_index == m) {
                y[p.response] = Some(rs[p.response].human);
            }
            ratings += y.iter().filter(|v| v.is_some()).count();
            let ci = active_mean_ci(&f[m], &pi, &y, 0.05);
            active.add(&ci, true_mean(m, d));
        }
    }
    println!(
        "{}: uniform + PPI++: mean 95% width {:.4}, coverage {:.1}%, bias {:+.4}",
        d.name,
        uniform.width(),
        100.0 * uniform.cover(),
        uniform.bias()
    );
    println!(
        "{}: active  + IPW:   mean 95% width {:.4}, coverage {:.1}%, bias {:+.4} (width ratio {:.3}; {:.1} ratings per replicate)",
        d.name,
        active.width(),
        100.0 * active.cover(),
        active.bias(),
        active.width() / uniform.width(),
        ratings as f64 / REPLICATES as f64
    );
    assert!(
        ratings <= REPLICATES * BUDGET,
        "active used more ratings than uniform"
    );
    assert!(
        active.width() < uniform.width(),
        "active sampling did not help"
    );
    assert!(
        (0.93..=0.97).contains(&active.cover()),
        "active coverage {}",
        active.cover()
    );
    assert!(
        (0.93..=0.97).contains(&uniform.cover()),
        "uniform coverage {}",
        uniform.cover()
    );
}
