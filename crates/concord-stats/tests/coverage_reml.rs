//! Coverage of the 95% intervals of the missing-data ICC by simulation (issue 14): 2,000
//! studies per design of 40 targets × 3–7 raters with 20%, 30% or 40% of cells missing, drawn
//! from y = μ + s_i + r_j + e_ij with σ²_s = 1, σ²_r = 0.25, σ²_e = 0.5 (ICC(A,1) = 0.571).
//! Compares the REML generalized pivotal intervals (`reml::icc_reml`) with the percentile
//! intervals of refitted REML estimates they replaced (`support/reml_refit.rs`), the Henderson
//! estimator with its parametric bootstrap (`icc::icc_unbalanced`) and the target-only
//! percentile bootstrap of the Henderson estimator that `icc_unbalanced` used before
//! (re-created here), which treats the raters as fixed.
//!
//! The REML intervals use 1,000 resamples (the CLI's default), the former ones 200.
//!
//! Slow (minutes in release), so ignored by default. Command (see tests/reference/README.md):
//! `cargo test --release -p concord-stats --test coverage_reml -- --ignored --nocapture`

#[path = "support/reml_refit.rs"]
mod reml_refit;

use concord_stats::testing::bootstrap::{percentile_ci, BootstrapSpec};
use concord_stats::testing::icc::icc_unbalanced;
use concord_stats::testing::reml::icc_reml;
use concord_stats::RatingMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TARGETS: usize = 40;
const VAR: (f64, f64, f64) = (1.0, 0.25, 0.5);

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller; one of the pair is enough here.
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn study(rng: &mut ChaCha8Rng, raters: usize, missing: f64) -> RatingMatrix {
    let rater: Vec<f64> = (0..raters).map(|_| VAR.1.sqrt() * normal(rng)).collect();
    let mut cells = Vec::with_capacity(TARGETS * raters);
    for _ in 0..TARGETS {
        let s = VAR.0.sqrt() * normal(rng);
        for r in &rater {
            let y = 3.0 + s + r + VAR.2.sqrt() * normal(rng);
            cells.push((rng.random::<f64>() >= missing).then_some(y));
        }
    }
    RatingMatrix::new(TARGETS, raters, cells).expect("finite")
}

/// The former interval of `icc_unbalanced`: percentile bootstrap over targets (rows) only.
fn target_only_ci(m: &RatingMatrix, boot: BootstrapSpec) -> [Option<[f64; 2]>; 2] {
    let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
    let (n, k) = (m.n_targets(), m.n_raters());
    let (mut a, mut c) = (Vec::new(), Vec::new());
    for _ in 0..boot.resamples {
        let cells: Vec<Option<f64>> = (0..n)
            .flat_map(|_| m.row(rng.random_range(0..n)).to_vec())
            .collect();
        let u = icc_unbalanced(&RatingMatrix::new(n, k, cells).expect("finite"), NO_BOOT);
        a.push(u.icc_a1.value.unwrap_or(f64::NAN));
        c.push(u.icc_c1.value.unwrap_or(f64::NAN));
    }
    [a, c].map(|mut v| percentile_ci(&mut v, boot.resamples).map(|(lo, hi)| [lo, hi]))
}

const NO_BOOT: BootstrapSpec = BootstrapSpec {
    resamples: 0,
    seed: 0,
};

fn covers(ci: Option<[f64; 2]>, truth: f64) -> bool {
    ci.is_some_and(|c| c[0] <= truth && truth <= c[1])
}

#[test]
#[ignore = "simulation: minutes in release; run with --ignored"]
fn reml_interval_coverage() {
    let reps: usize = std::env::var("COVERAGE_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        // 2,000 studies per design (Monte Carlo SE 0.49 points): with 1,000 (SE 0.69), 30
        // coverages of a 95% interval stray outside 93–97% by chance alone about one time in
        // ten, and did once (ICC(C,1), 5 raters, 30% missing: 92.8%, where the former
        // intervals gave 92.5–92.7% on the same studies).
        .unwrap_or(2000);
    // The new interval at the CLI's default resamples (`ReportOptions::default().bootstrap`,
    // 1,000; COVERAGE_RESAMPLES=200 gives the dashboard's); the former intervals at the 200 they
    // were measured with, which keeps the refits affordable.
    let resamples: usize = std::env::var("COVERAGE_RESAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let old_resamples = 200;
    // COVERAGE_OLD=0 leaves the former intervals out (their refits take most of the time).
    let with_old = std::env::var("COVERAGE_OLD").map_or(true, |v| v != "0");
    let (s, r, e) = VAR;
    let truth_a1 = s / (s + r + e);
    let truth_c1 = s / (s + e);
    println!(
        "| raters | missing | REML A1 | REML C1 | REML Ak | REML Ck | REML refit percentile A1 | C1 | Ak | Ck | Henderson A1 | Henderson C1 | old target-only A1 | old C1 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut worst: (f64, f64) = (1.0, 0.0);
    // COVERAGE_DESIGNS="3:0.4,7:0.2" runs only those designs (raters:missing share).
    let designs: Vec<(usize, f64)> = std::env::var("COVERAGE_DESIGNS").map_or_else(
        |_| {
            (3..=7)
                .flat_map(|r| [(r, 0.2), (r, 0.3), (r, 0.4)])
                .collect()
        },
        |v| {
            v.split(',')
                .filter_map(|d| {
                    let (r, m) = d.split_once(':')?;
                    Some((r.parse().ok()?, m.parse().ok()?))
                })
                .collect()
        },
    );
    for (raters, missing) in designs {
        // COVERAGE_SEED=s draws other studies (s = 0, the default, is the committed table's).
        let stream: u64 = std::env::var("COVERAGE_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut rng = ChaCha8Rng::seed_from_u64(
            1000 * raters as u64 + (missing * 100.0) as u64 + 1_000_000 * stream,
        );
        let mut hits = [0usize; 12];
        for rep in 0..reps {
            let m = study(&mut rng, raters, missing);
            let boot = BootstrapSpec {
                resamples,
                seed: rep as u64,
            };
            let new = icc_reml(&m, boot);
            let boot = BootstrapSpec {
                resamples: old_resamples,
                ..boot
            };
            let k = new.k.unwrap_or(f64::NAN);
            let truth_ak = s / (s + (r + e) / k);
            let truth_ck = s / (s + e / k);
            let mut covered = vec![
                covers(new.icc_a1.ci95, truth_a1),
                covers(new.icc_c1.ci95, truth_c1),
                covers(new.icc_ak.ci95, truth_ak),
                covers(new.icc_ck.ci95, truth_ck),
            ];
            if with_old {
                let henderson = icc_unbalanced(&m, boot);
                let old = target_only_ci(&m, boot);
                let refit = reml_refit::refit_percentile(&m, boot);
                covered.extend([
                    covers(refit[0], truth_a1),
                    covers(refit[1], truth_c1),
                    covers(refit[2], truth_ak),
                    covers(refit[3], truth_ck),
                    covers(henderson.icc_a1.ci95, truth_a1),
                    covers(henderson.icc_c1.ci95, truth_c1),
                    covers(old[0], truth_a1),
                    covers(old[1], truth_c1),
                ]);
            }
            for (h, ok) in hits.iter_mut().zip(covered) {
                *h += usize::from(ok);
            }
        }
        let cov: Vec<f64> = hits[..if with_old { 12 } else { 4 }]
            .iter()
            .map(|&h| h as f64 / reps as f64)
            .collect();
        println!(
            "| {raters} | {:.0}% | {} |",
            missing * 100.0,
            cov.iter()
                .map(|c| format!("{:.1}%", c * 100.0))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        for &c in &cov[..4] {
            worst = (worst.0.min(c), worst.1.max(c));
        }
    }
    // The target: every REML ICC's 95% interval covers 93–97% in every design.
    assert!(
        worst.0 >= 0.93 && worst.1 <= 0.97,
        "REML ICC coverage outside 93–97%: {worst:?}"
    );
}
