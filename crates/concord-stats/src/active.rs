//! Which responses clinicians should rate next (`concord next`): active statistical inference
//! (Zrnic & Candès 2024, "Active Statistical Inference", ICML, arXiv:2403.03208).
//!
//! A response is sampled with probability π_i ∝ its judge uncertainty u_i (the paper's rule
//! π(x) ∝ √E[(Y − f(x))² | x], with u estimated from judge disagreement —
//! [`judge_disagreement`], calibrated on rated responses by [`calibrated_uncertainty`] — or,
//! for a single judge, from its residual spread per score, [`uncertainty_by_score`]), mixed with a uniform
//! share τ for stability and capped at 1. The budget is split across models in proportion to
//! their mean uncertainty, which minimises the summed variance of the model means. Each pick
//! records its π so the estimate stays unbiased by inverse-probability weighting:
//! θ̂_λ = (1/N) Σ_i [λ f_i + (Y_i − λ f_i) ξ_i / π_i], ξ_i = 1 if response i was rated,
//! with λ power-tuned as in PPI++ and a normal interval from the empirical variance of the terms.
//!
//! Sampling is randomised systematic PPS (Madow 1949 after a random shuffle): exactly the
//! budgeted number of picks per model, each with inclusion probability exactly π_i.
//!
//! Rounds: pass *every* response of a model to [`choose_next`], rated or not; a pick that
//! already has a human score needs no new rating. Because each round is an independent draw
//! with known π, a response's probability of having been rated by the end is
//! 1 − Π(1 − π_round) ([`combined_probabilities`]; a uniform sample of n of N counts as a
//! round with π = n/N), and those are the π the estimate uses. (Entering earlier ratings with
//! π = 1 instead would also be unbiased, but wastes them: each would stand only for itself.)
//!
//! ```
//! use concord_stats::active::{active_mean_ci, choose_next, judge_disagreement, ActiveModel};
//!
//! // Four judges' scores on one model's six unrated responses.
//! let judges: [&[f64]; 4] = [&[4., 3., 5., 2., 4., 3.], &[4., 1., 5., 4., 4., 3.],
//!                            &[4., 2., 5., 3., 5., 3.], &[4., 5., 5., 1., 4., 3.]];
//! let u = judge_disagreement(&judges);
//! let models = [ActiveModel { model: "model-a", uncertainty: &u }];
//! let batch = choose_next(&models, 2, 0.2, 7);
//! assert_eq!(batch.picks.len(), 2);
//! // Later: the judge mean f, every π, and the human scores of the picked responses.
//! let f: Vec<f64> = (0..6).map(|i| judges.iter().map(|j| j[i]).sum::<f64>() / 4.0).collect();
//! let pi = &batch.probabilities[0];
//! let mut y = vec![None; 6];
//! for p in &batch.picks { y[p.response] = Some(3.0); }
//! let est = active_mean_ci(&f, pi, &y, 0.05);
//! assert!(est.value.is_some());
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

mod estimate;
pub use estimate::{active_mean_ci, with_active_design, ActiveScores};

/// One model's responses (all of them, rated or not) with their judge uncertainty u_i ≥ 0.
#[derive(Debug, Clone, Copy)]
pub struct ActiveModel<'a> {
    /// Model name.
    pub model: &'a str,
    /// u_i per candidate response (e.g. [`judge_disagreement`]); indices are echoed in picks.
    pub uncertainty: &'a [f64],
}

/// One response to send to a clinician.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pick {
    /// Model name.
    pub model: String,
    /// Index of the model (in the input slice).
    pub model_index: usize,
    /// Index of the response within that model's `uncertainty` slice.
    pub response: usize,
    /// Its inclusion probability π_i (store it: the estimate weights the rating by 1/π_i).
    pub probability: f64,
}

/// The batch `concord next` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveBatch {
    /// Responses to rate, model by model, in input order.
    pub picks: Vec<Pick>,
    /// Picks per model.
    pub budget: Vec<usize>,
    /// π_i for every candidate of every model (needed later by [`active_mean_ci`]).
    pub probabilities: Vec<Vec<f64>>,
    /// Seed of the random draw (same seed, same input → same picks).
    pub seed: u64,
}

/// Per-response SD (ddof = 0) across judges; `scores[j][i]` is judge j on response i.
/// A non-finite score is skipped; a response with < 2 finite scores gets 0.
pub fn judge_disagreement(scores: &[&[f64]]) -> Vec<f64> {
    let n = scores.iter().map(|s| s.len()).max().unwrap_or(0);
    // Judge by judge over every response, which vectorises (a loop per response did not, and
    // was most of `concord next`'s own time): each response's sums still run over its judges
    // in order from −0.0, as `Iterator::sum` does, so every value is the same to the bit.
    let mut count = vec![0u32; n];
    let mut mean = vec![-0.0; n];
    // Selects, not branches, so the loops vectorise.
    for s in scores {
        for ((sum, k), &x) in mean.iter_mut().zip(&mut count).zip(*s) {
            let finite = x.is_finite();
            *sum = if finite { *sum + x } else { *sum };
            *k += u32::from(finite);
        }
    }
    for (m, &k) in mean.iter_mut().zip(&count) {
        *m /= f64::from(k);
    }
    let mut spread = vec![-0.0; n];
    for s in scores {
        for ((ss, &m), &x) in spread.iter_mut().zip(&mean).zip(*s) {
            let d = (x - m).powi(2);
            *ss = if x.is_finite() { *ss + d } else { *ss };
        }
    }
    for (ss, &k) in spread.iter_mut().zip(&count) {
        let sd = (*ss / f64::from(k)).sqrt();
        *ss = if k < 2 { 0.0 } else { sd };
    }
    spread
}

/// Judge uncertainty on the paper's scale, √Var(Y − f | s): a least-squares fit of
/// (r − r̄)² = a + b·s² on already rated responses (s = judge disagreement, r = human minus
/// judge mean; centred because [`active_mean_ci`] removes the mean bias), applied to every
/// candidate's s. The constant a carries the clinicians' own noise and the judges' shared
/// error, which disagreement alone misses. With fewer than 2 rated responses the disagreement
/// itself is returned.
pub fn calibrated_uncertainty(candidates: &[f64], rated: &[f64], residuals: &[f64]) -> Vec<f64> {
    let kept: Vec<(f64, f64)> = rated
        .iter()
        .zip(residuals)
        .filter(|(s, r)| s.is_finite() && r.is_finite())
        .map(|(s, r)| (*s, *r))
        .collect();
    if kept.len() < 2 {
        return candidates.to_vec();
    }
    let r_mean = kept.iter().map(|p| p.1).sum::<f64>() / kept.len() as f64;
    let pairs: Vec<(f64, f64)> = kept
        .iter()
        .map(|(s, r)| (s * s, (r - r_mean).powi(2)))
        .collect();
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxx: f64 = pairs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pairs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    // A negative slope or intercept is noise: fall back to the nearer admissible fit.
    let mut b = if sxx > 0.0 { (sxy / sxx).max(0.0) } else { 0.0 };
    let mut a = my - b * mx;
    if a < 0.0 {
        a = 0.0;
        let sx2: f64 = pairs.iter().map(|p| p.0 * p.0).sum();
        b = if sx2 > 0.0 {
            pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / sx2
        } else {
            0.0
        };
    }
    candidates
        .iter()
        .map(|s| {
            let s2 = if s.is_finite() { s * s } else { 0.0 };
            (a + b * s2).max(0.0).sqrt()
        })
        .collect()
}

/// Judge uncertainty for a single judge (no disagreement to read): √Var(Y − f | f) estimated
/// per distinct judge score from the rated responses (`rated_f`, residuals y − f), shrunk
/// toward the pooled variance with weight n_g/(n_g + 10) so a score seen on few rated responses
/// does not get an extreme π; a score never seen on a rated response gets the pooled value.
/// With fewer than 2 rated responses every candidate gets 1 (uniform).
pub fn uncertainty_by_score(candidates: &[f64], rated_f: &[f64], residuals: &[f64]) -> Vec<f64> {
    let kept: Vec<(f64, f64)> = rated_f
        .iter()
        .zip(residuals)
        .filter(|(f, r)| f.is_finite() && r.is_finite())
        .map(|(f, r)| (*f, *r))
        .collect();
    if kept.len() < 2 {
        return vec![1.0; candidates.len()];
    }
    let r_mean = kept.iter().map(|p| p.1).sum::<f64>() / kept.len() as f64;
    let pooled = kept.iter().map(|p| (p.1 - r_mean).powi(2)).sum::<f64>() / kept.len() as f64;
    // (score bits, Σ squared centred residual, count)
    let mut bins: Vec<(u64, f64, f64)> = Vec::new();
    for (f, r) in &kept {
        let key = f.to_bits();
        let d2 = (r - r_mean).powi(2);
        match bins.iter_mut().find(|b| b.0 == key) {
            Some(b) => {
                b.1 += d2;
                b.2 += 1.0;
            }
            None => bins.push((key, d2, 1.0)),
        }
    }
    candidates
        .iter()
        .map(|f| {
            let var = bins
                .iter()
                .find(|b| b.0 == f.to_bits())
                .map_or(pooled, |&(_, ss, n)| {
                    let w = n / (n + 10.0);
                    w * ss / n + (1.0 - w) * pooled
                });
            var.max(0.0).sqrt()
        })
        .collect()
}

/// π_i = (1 − τ)·b·u_i/Σu + τ·b/N, capped at 1 with the excess spread over the rest, so
/// Σπ = b (b ≤ N). Non-finite or negative u counts as 0; all-zero u gives uniform b/N.
pub fn sampling_probabilities(uncertainty: &[f64], budget: usize, uniform_mix: f64) -> Vec<f64> {
    let n = uncertainty.len();
    let b = budget.min(n) as f64;
    if n == 0 {
        return Vec::new();
    }
    let tau = if uniform_mix.is_finite() {
        uniform_mix.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let u: Vec<f64> = uncertainty
        .iter()
        .map(|&x| if x.is_finite() && x > 0.0 { x } else { 0.0 })
        .collect();
    let total: f64 = u.iter().sum();
    let score: Vec<f64> = if total > 0.0 {
        u.iter()
            .map(|x| (1.0 - tau) * x / total + tau / n as f64)
            .collect()
    } else {
        vec![1.0 / n as f64; n]
    };
    // Water-filling: responses whose share would exceed 1 are taken for sure (π = 1) and the
    // remaining budget is re-spread over the others in proportion to their score.
    let mut pi = vec![0.0; n];
    let mut fixed = vec![false; n];
    let mut left = b;
    loop {
        let free: f64 = (0..n).filter(|&i| !fixed[i]).map(|i| score[i]).sum();
        if free <= 0.0 || left <= 0.0 {
            break;
        }
        let mut capped = false;
        for i in 0..n {
            if !fixed[i] && left * score[i] / free >= 1.0 {
                fixed[i] = true;
                pi[i] = 1.0;
                left -= 1.0;
                capped = true;
            }
        }
        if !capped {
            for i in (0..n).filter(|&i| !fixed[i]) {
                pi[i] = left * score[i] / free;
            }
            break;
        }
    }
    pi
}

/// Split `count` picks over models ∝ their mean uncertainty ū_m (which minimises Σ_m Var(θ̂_m)
/// ≈ Σ_m ū_m²/n_m), by largest remainder, at most each model's candidates.
pub fn allocate_budget(models: &[ActiveModel<'_>], count: usize) -> Vec<usize> {
    let sizes: Vec<usize> = models.iter().map(|m| m.uncertainty.len()).collect();
    let mut left = count.min(sizes.iter().sum());
    let mut out = vec![0usize; models.len()];
    let weight: Vec<f64> = models
        .iter()
        .map(|m| {
            let n = m.uncertainty.len().max(1) as f64;
            let mean = m
                .uncertainty
                .iter()
                .filter(|x| x.is_finite() && **x > 0.0)
                .sum::<f64>()
                / n;
            // A model whose judges always agree still gets a share (as if ū were tiny).
            if m.uncertainty.is_empty() {
                0.0
            } else {
                mean.max(1e-9)
            }
        })
        .collect();
    // Repeat so models that hit their size cap pass their share on.
    while left > 0 {
        let open: Vec<usize> = (0..models.len()).filter(|&m| out[m] < sizes[m]).collect();
        let w: f64 = open.iter().map(|&m| weight[m]).sum();
        if open.is_empty() || w <= 0.0 {
            break;
        }
        let mut shares: Vec<(usize, f64)> = open
            .iter()
            .map(|&m| (m, left as f64 * weight[m] / w))
            .collect();
        let mut given = 0;
        for (m, s) in &shares {
            let take = (s.floor() as usize).min(sizes[*m] - out[*m]);
            out[*m] += take;
            given += take;
        }
        shares.sort_by(|a, b| (b.1 - b.1.floor()).total_cmp(&(a.1 - a.1.floor())));
        for (m, _) in shares {
            if given < left && out[m] < sizes[m] {
                out[m] += 1;
                given += 1;
            }
        }
        if given == 0 {
            break;
        }
        left -= given;
    }
    out
}

/// Probability of having been rated after this round too: 1 − (1 − π_before)(1 − π_round).
pub fn combined_probabilities(before: &[f64], round: &[f64]) -> Vec<f64> {
    before
        .iter()
        .zip(round)
        .map(|(p, q)| 1.0 - (1.0 - p.clamp(0.0, 1.0)) * (1.0 - q.clamp(0.0, 1.0)))
        .collect()
}

/// Randomised systematic PPS: shuffle, then take the units where the running sum of π crosses
/// r, r + 1, …; picks exactly round(Σπ) units, unit i with probability π_i.
pub fn systematic_pps(pi: &[f64], rng: &mut impl Rng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..pi.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let start: f64 = rng.random();
    let mut picks = Vec::new();
    let mut cum = 0.0;
    let mut next = start;
    for &i in &order {
        cum += pi[i];
        // The small tolerance keeps a π = 1 unit from slipping past by rounding.
        while next < cum - 1e-12 {
            picks.push(i);
            next += 1.0;
        }
    }
    picks.sort_unstable();
    picks.dedup();
    picks
}

/// The next `count` responses to rate: budget split by [`allocate_budget`], π by
/// [`sampling_probabilities`] with uniform share `uniform_mix` (0.1–0.3 is sensible), drawn by
/// [`systematic_pps`] from `seed`.
pub fn choose_next(
    models: &[ActiveModel<'_>],
    count: usize,
    uniform_mix: f64,
    seed: u64,
) -> ActiveBatch {
    let budget = allocate_budget(models, count);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut picks = Vec::new();
    let mut probabilities = Vec::with_capacity(models.len());
    for (m, model) in models.iter().enumerate() {
        let pi = sampling_probabilities(model.uncertainty, budget[m], uniform_mix);
        for i in systematic_pps(&pi, &mut rng) {
            picks.push(Pick {
                model: model.model.to_string(),
                model_index: m,
                response: i,
                probability: pi[i],
            });
        }
        probabilities.push(pi);
    }
    ActiveBatch {
        picks,
        budget,
        probabilities,
        seed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Judge by judge, the disagreement is the per-response SD to the bit: judges of unequal
        /// length, missing (NaN, infinite) scores and signed zeros included.
        #[test]
        fn disagreement_is_each_responses_sd_to_the_bit(
            scores in prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![
                        6 => (0..=40i32).prop_map(|v| f64::from(v) / 8.0),
                        1 => Just(f64::NAN),
                        1 => Just(f64::INFINITY),
                        1 => Just(-0.0),
                    ],
                    0..12,
                ),
                0..6,
            )
        ) {
            let refs: Vec<&[f64]> = scores.iter().map(|s| s.as_slice()).collect();
            let n = refs.iter().map(|s| s.len()).max().unwrap_or(0);
            let expected: Vec<u64> = (0..n)
                .map(|i| {
                    let v: Vec<f64> = refs
                        .iter()
                        .filter_map(|s| s.get(i).copied())
                        .filter(|x| x.is_finite())
                        .collect();
                    if v.len() < 2 {
                        return 0.0f64.to_bits();
                    }
                    let m = v.iter().sum::<f64>() / v.len() as f64;
                    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64;
                    var.sqrt().to_bits()
                })
                .collect();
            let got: Vec<u64> = judge_disagreement(&refs).iter().map(|x| x.to_bits()).collect();
            prop_assert_eq!(got, expected);
        }
    }

    #[test]
    fn calibration_adds_the_shared_error_floor() {
        // Residuals ±√(0.25 + s²) in pairs: mean 0, (r − r̄)² = 0.25 + 1·s² exactly.
        let rated = [0.0, 0.0, 0.5, 0.5, 1.0, 1.0];
        let resid: Vec<f64> = rated
            .iter()
            .enumerate()
            .map(|(i, s): (usize, &f64)| {
                (0.25 + s * s).sqrt() * if i % 2 == 0 { 1.0 } else { -1.0 }
            })
            .collect();
        let u = calibrated_uncertainty(&[0.0, 2.0], &rated, &resid);
        assert!((u[0] - 0.5).abs() < 1e-12 && (u[1] - 4.25f64.sqrt()).abs() < 1e-12);
        assert_eq!(calibrated_uncertainty(&[0.3], &[], &[]), vec![0.3]);
    }

    #[test]
    fn single_judge_uncertainty_by_score() {
        // Score 5: residuals ±1 (variance 1); score 3: residuals 0 (variance 0); 10 of each.
        let rated_f: Vec<f64> = (0..20).map(|i| if i < 10 { 5.0 } else { 3.0 }).collect();
        let resid: Vec<f64> = (0..20)
            .map(|i| {
                if i >= 10 {
                    0.0
                } else if i % 2 == 0 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        let u = uncertainty_by_score(&[5.0, 3.0, 1.0], &rated_f, &resid);
        // Pooled variance 0.5; shrinkage weight 10/20 = ½.
        assert!((u[0] - 0.75f64.sqrt()).abs() < 1e-12);
        assert!((u[1] - 0.25f64.sqrt()).abs() < 1e-12);
        assert!((u[2] - 0.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(uncertainty_by_score(&[2.0], &[], &[]), vec![1.0]);
    }

    #[test]
    fn probabilities_sum_to_budget_and_cap_at_one() {
        let u = [10.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let pi = sampling_probabilities(&u, 3, 0.1);
        assert!((pi.iter().sum::<f64>() - 3.0).abs() < 1e-12);
        assert_eq!(pi[0], 1.0);
        assert!(pi[1] > 0.0 && pi[1] < pi[2]);
        assert!(pi.iter().all(|p| *p > 0.0 && *p <= 1.0));
        assert_eq!(sampling_probabilities(&[0.0; 4], 2, 0.0), vec![0.5; 4]);
        assert_eq!(sampling_probabilities(&[1.0; 3], 9, 0.2), vec![1.0; 3]);
    }

    #[test]
    fn systematic_pps_hits_its_inclusion_probabilities() {
        let pi = [0.9, 0.1, 0.5, 0.5, 1.0, 0.0];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut hits = [0usize; 6];
        let draws = 20_000;
        for _ in 0..draws {
            let p = systematic_pps(&pi, &mut rng);
            assert_eq!(p.len(), 3);
            for i in p {
                hits[i] += 1;
            }
        }
        for (h, p) in hits.iter().zip(pi) {
            // 4 binomial SDs at most.
            let sd = (p * (1.0 - p) / draws as f64).sqrt();
            assert!(
                (*h as f64 / draws as f64 - p).abs() <= 4.0 * sd + 1e-12,
                "{hits:?}"
            );
        }
    }

    #[test]
    fn budget_follows_mean_uncertainty_and_caps() {
        let a = [1.0; 10];
        let b = [3.0; 10];
        let c = [3.0; 2];
        let models = [
            ActiveModel {
                model: "a",
                uncertainty: &a,
            },
            ActiveModel {
                model: "b",
                uncertainty: &b,
            },
            ActiveModel {
                model: "c",
                uncertainty: &c,
            },
        ];
        let n = allocate_budget(&models, 12);
        assert_eq!(n.iter().sum::<usize>(), 12);
        assert_eq!(n[2], 2);
        assert!(n[1] > n[0]);
        assert_eq!(allocate_budget(&models, 100), vec![10, 10, 2]);
    }
}
