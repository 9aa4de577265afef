//! Coverage of the PPI++ interval by simulation (issue 12, item 4): for 5%, 10% and 25%
//! human-rated samples and two judges — one biased by +0.7 (as MentalBench found) with modest
//! noise, one mildly biased but very noisy — the 95% PPI++ interval must cover the true model
//! mean in 93–97% of 2,000 replicates. Plain PPI and the human-only interval are printed beside.
//!
//! Slow in debug builds, so ignored by default. Run:
//! `cargo test -p concord-stats --release --test ppi_coverage -- --ignored --nocapture`

use concord_stats::ppi::{classical_mean_ci, ppi_mean_ci_at, ppi_plus_mean_ci, MeanCi};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

const REPLICATES: usize = 2_000;
const RESPONSES: usize = 1_000;
const QUALITY: f64 = 3.1;
const LATENT_SD: f64 = 0.9;
const HUMAN_SD: f64 = 0.6;

/// A judge: score = clip(round(latent + bias + N(0, sd²)), 1, 5).
struct Judge {
    name: &'static str,
    bias: f64,
    sd: f64,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; 1 − u keeps the log argument in (0, 1].
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn score(x: f64) -> f64 {
    x.round().clamp(1.0, 5.0)
}

/// E[clip(round(X), 1, 5)] for X ~ N(QUALITY, LATENT_SD² + HUMAN_SD²): 1 + Σ_k P(X ≥ k + ½).
/// Each human score has this mean, so the mean of two does too: the true model mean.
fn true_mean() -> f64 {
    let x = Normal::new(QUALITY, LATENT_SD.hypot(HUMAN_SD)).unwrap();
    1.0 + (1..=4).map(|k| x.sf(k as f64 + 0.5)).sum::<f64>()
}

fn covers(ci: &MeanCi, truth: f64) -> bool {
    ci.ci95.is_some_and(|[lo, hi]| lo <= truth && truth <= hi)
}

fn width(ci: &MeanCi) -> f64 {
    ci.ci95.map_or(f64::NAN, |[lo, hi]| hi - lo)
}

#[test]
#[ignore = "simulation: run with --release -- --ignored --nocapture"]
fn ppi_plus_interval_covers_at_93_to_97_percent() {
    let truth = true_mean();
    let judges = [
        Judge {
            name: "biased +0.7",
            bias: 0.7,
            sd: 0.6,
        },
        Judge {
            name: "noisy (sd 1.5)",
            bias: 0.3,
            sd: 1.5,
        },
    ];
    let mut failures = Vec::new();
    println!("true mean {truth:.4}; {REPLICATES} replicates of {RESPONSES} responses");
    println!(
        "judge            share  PPI++ cover  PPI cover  human cover  width PPI++/human  mean λ"
    );
    for judge in &judges {
        for share in [0.05, 0.10, 0.25] {
            let mut rng = ChaCha8Rng::seed_from_u64(12 + (share * 100.0) as u64);
            let n = (share * RESPONSES as f64).round() as usize;
            let (mut c_plus, mut c_ppi, mut c_human) = (0usize, 0usize, 0usize);
            let (mut w_plus, mut w_human, mut lam) = (0.0, 0.0, 0.0);
            for _ in 0..REPLICATES {
                let (mut y, mut yhat, mut yu) = (Vec::new(), Vec::new(), Vec::new());
                for i in 0..RESPONSES {
                    let latent = QUALITY + LATENT_SD * normal(&mut rng);
                    let j = score(latent + judge.bias + judge.sd * normal(&mut rng));
                    // A uniformly random sample: the first n of i.i.d. responses.
                    if i < n {
                        let h1 = score(latent + HUMAN_SD * normal(&mut rng));
                        let h2 = score(latent + HUMAN_SD * normal(&mut rng));
                        y.push((h1 + h2) / 2.0);
                        yhat.push(j);
                    } else {
                        yu.push(j);
                    }
                }
                let plus = ppi_plus_mean_ci(&y, &yhat, &yu, 0.05);
                let ppi = ppi_mean_ci_at(&y, &yhat, &yu, 1.0, 0.05);
                let human = classical_mean_ci(&y, 0.05);
                c_plus += usize::from(covers(&plus, truth));
                c_ppi += usize::from(covers(&ppi, truth));
                c_human += usize::from(covers(&human, truth));
                w_plus += width(&plus);
                w_human += width(&human);
                lam += plus.lambda.unwrap_or(f64::NAN);
            }
            let r = REPLICATES as f64;
            let cover = c_plus as f64 / r;
            println!(
                "{:<16} {:>4.0}%  {:>10.1}%  {:>8.1}%  {:>10.1}%  {:.3} / {:.3}        {:.2}",
                judge.name,
                share * 100.0,
                100.0 * cover,
                100.0 * c_ppi as f64 / r,
                100.0 * c_human as f64 / r,
                w_plus / r,
                w_human / r,
                lam / r
            );
            assert!(
                w_plus.is_finite() && lam.is_finite(),
                "an interval was missing"
            );
            if !(0.93..=0.97).contains(&cover) {
                failures.push(format!("{} at {share}: {cover}", judge.name));
            }
        }
    }
    assert!(failures.is_empty(), "coverage outside 93–97%: {failures:?}");
}
