//! The judge as a replacement clinician: human agreement when the judge takes over each human's
//! ratings in turn, minus the all-human agreement (the test of ACORN, Brassard et al. 2024,
//! where replacing one human rater with an LLM usually lowered agreement).
//!
//! On the responses rated by the judge and at least two humans, the judge's score is put in
//! every cell human j rated (so the design stays exactly the same) and Krippendorff's interval
//! alpha and ICC(A,1) (Henderson method I, equal to the ANOVA ICC(A,1) on complete data) are
//! recomputed. Δ_j = replaced − all-human; the summary Δ is the mean of Δ_j weighted by each
//! human's number of ratings (a human who rated few responses moves little when replaced).
//! Intervals are seeded percentile bootstraps over responses, each resample evaluating the
//! all-human and every replaced matrix on the same responses (paired differences).

use crate::bootstrap::{BootstrapSpec, Patterns};
use crate::estimate::Estimate;
use crate::icc::HendersonBootstrap;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

/// Interval alpha and ICC(A,1) of one set of raters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// Krippendorff's alpha, interval level (Krippendorff 2011).
    pub alpha_interval: Estimate,
    /// ICC(A,1), Henderson method I (McGraw & Wong 1996 case 2A on complete data).
    #[serde(rename = "ICC_A1")]
    pub icc_a1: Estimate,
}

/// Agreement with the judge in one human's place, and the change it makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HumanReplaced {
    /// The human the judge replaces.
    pub human: String,
    /// That human's ratings the judge took over.
    pub n_ratings: usize,
    /// Agreement of the other humans and the judge.
    pub agreement: Agreement,
    /// Replaced − all-human agreement, with paired bootstrap CIs.
    pub delta: Agreement,
}

/// The replacement analysis of one judge on one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    /// Responses used: rated by the judge and at least two humans.
    pub n: usize,
    /// Agreement of the humans alone on those responses.
    pub all_humans: Agreement,
    /// One entry per human with at least one rating on those responses.
    pub humans: Vec<HumanReplaced>,
    /// Mean of the humans' Δ weighted by their ratings, with a paired bootstrap CI.
    pub mean_delta: Agreement,
}

/// Interval alpha from per-unit sums (Krippendorff 2011 with δ² = (c − k)²): a unit with m ≥ 2
/// values contributes Σ_{i≠j}(v_i − v_j)²/(m − 1) = 2(mΣv² − (Σv)²)/(m − 1) to Σ o_ck δ²_ck, and
/// Σ n_c n_k δ²_ck = 2(NΣv² − (Σv)²) over all pairable values, so with A = Σ_u (mΣv² − (Σv)²)/(m − 1)
/// α = 1 − (N − 1)·A / (N·S2 − S1²). Every term is a weighted sum over units, so a resample is one
/// pass of four multiply-adds per pattern (the general coincidence-matrix code in `alpha.rs`
/// would also rebuild a jackknife per rater set).
struct IntervalAlpha {
    /// Per target pattern: [m, Σv, Σv², (mΣv² − (Σv)²)/(m − 1)], zeros when m < 2.
    sums: Vec<[f64; 4]>,
}

impl IntervalAlpha {
    fn new<'a>(rows: impl Iterator<Item = &'a [Option<f64>]>) -> IntervalAlpha {
        let sums = rows
            .map(|row| {
                let (mut k, mut s1, mut s2) = (0.0, 0.0, 0.0);
                for v in row.iter().flatten() {
                    k += 1.0;
                    s1 += v;
                    s2 += v * v;
                }
                if k < 2.0 {
                    return [0.0; 4];
                }
                [k, s1, s2, (k * s2 - s1 * s1) / (k - 1.0)]
            })
            .collect();
        IntervalAlpha { sums }
    }

    /// α for pattern weights `w`; `None` with fewer than 2 pairable units or no variation.
    fn value(&self, w: impl Iterator<Item = f64>) -> Option<f64> {
        let (mut units, mut acc) = (0.0, [0.0; 4]);
        for (row, wi) in self.sums.iter().zip(w) {
            if row[0] > 0.0 {
                units += wi;
                for (a, v) in acc.iter_mut().zip(row) {
                    *a += wi * v;
                }
            }
        }
        let [n, s1, s2, a] = acc;
        let d_e = n * s2 - s1 * s1;
        // Rounding noise on an exactly zero spread must not pass for variation.
        if units < 2.0 || d_e <= 1e-12 * n * s2 {
            return None;
        }
        let v = 1.0 - (n - 1.0) * a / d_e;
        v.is_finite().then_some(v)
    }
}

/// Bootstrap state of one rater set: interval alpha and the Henderson ICC.
struct RaterSet {
    /// The first four of the combined matrix's patterns making up each of this set's patterns,
    /// padded with the index of a zero weight, so that most sums take no data-dependent branch.
    first: Vec<[u32; 4]>,
    /// (this set's pattern, combined pattern) for the members beyond the first four.
    extra: Vec<(u32, u32)>,
    /// One resample's weights of this set's patterns, as whole counts.
    sums: Vec<u32>,
    weights: Vec<f64>,
    n_units: usize,
    alpha: IntervalAlpha,
    alpha_point: Option<f64>,
    alpha_reps: Vec<f64>,
    icc: HendersonBootstrap,
}

impl RaterSet {
    /// The set whose row on each pattern of `combined` is the `k`-wide row of `rows` (flat, one
    /// per combined pattern). Its rows are a function of the combined row, so pooling them over
    /// the combined patterns, in order, gives exactly the patterns, order and counts of pooling
    /// its own matrix target by target (a pattern's first target is its first combined
    /// pattern's first target), at the cost of the combined patterns. Every row has at least
    /// two ratings (the responses `replacement` uses).
    fn new(rows: &[Option<f64>], k: usize, combined: &Patterns, resamples: usize) -> RaterSet {
        // (With k < 2 no response qualifies and `rows` is empty; `max` only keeps the chunk
        // size legal.)
        let own = Patterns::of_rows(rows.chunks_exact(k.max(1)));
        let mut counts = vec![0.0; own.len()];
        for (&q, &c) in own.item_pattern.iter().zip(&combined.counts) {
            counts[q as usize] += f64::from(c);
        }
        let own_rows = || {
            own.representative
                .iter()
                .map(|&p| &rows[p * k..(p + 1) * k])
        };
        let alpha = IntervalAlpha::new(own_rows());
        let pad = combined.len() as u32;
        let mut first = vec![[pad; 4]; own.len()];
        let mut filled = vec![0; own.len()];
        let mut extra = Vec::new();
        for (p, &q) in own.item_pattern.iter().enumerate() {
            let f = &mut filled[q as usize];
            if *f < 4 {
                first[q as usize][*f] = p as u32;
                *f += 1;
            } else {
                extra.push((q, p as u32));
            }
        }
        RaterSet {
            weights: vec![0.0; own.len()],
            n_units: combined.n_items(),
            alpha_point: alpha.value(counts.iter().copied()),
            alpha,
            alpha_reps: Vec::with_capacity(resamples),
            icc: HendersonBootstrap::new(own_rows(), k, &counts, resamples),
            first,
            extra,
            sums: vec![0; own.len()],
        }
    }

    /// Evaluate a resample given as whole weights of the combined matrix's patterns, followed
    /// by one zero (the padding's).
    fn add_resample(&mut self, w: &[u32]) {
        // Summed as integers, a pattern's members give exactly the floating-point sum in any
        // order; read this way the sums are independent, where scattered additions wait on
        // each other.
        for (sum, m) in self.sums.iter_mut().zip(&self.first) {
            *sum = w[m[0] as usize] + w[m[1] as usize] + w[m[2] as usize] + w[m[3] as usize];
        }
        for &(q, p) in &self.extra {
            self.sums[q as usize] += w[p as usize];
        }
        let weights = self.weights.iter_mut().zip(&self.sums).map(|(wq, &sum)| {
            *wq = f64::from(sum);
            *wq
        });
        if self.alpha_point.is_some() {
            // Alpha reads each weight as it is written: one pass.
            let v = self.alpha.value(weights);
            self.alpha_reps.push(v.unwrap_or(f64::NAN));
        } else {
            weights.for_each(drop);
        }
        self.icc.add_resample(&self.weights);
    }

    /// Replicates of (alpha, ICC(A,1)), and the estimates with their own CIs.
    fn finish(self, boot: BootstrapSpec) -> ([Vec<f64>; 2], Agreement) {
        let reps = [self.alpha_reps, self.icc.icc_a1_replicates().to_vec()];
        let alpha_interval = match self.alpha_point {
            Some(v) => with_percentile_ci(v, reps[0].clone(), self.n_units, boot),
            None => Estimate::missing(
                "fewer than 2 responses with two ratings, or no variation in the ratings",
            )
            .with_n(self.n_units),
        };
        let agreement = Agreement {
            alpha_interval,
            icc_a1: self.icc.finish(boot),
        };
        (reps, agreement)
    }
}

/// Paired replicate differences b − a (empty unless both sets have every replicate).
fn differences(a: &[f64], b: &[f64]) -> Vec<f64> {
    if a.len() != b.len() {
        return Vec::new();
    }
    a.iter().zip(b).map(|(x, y)| y - x).collect()
}

/// `value` with the percentile CI of its bootstrap replicates `reps` (undefined ones counted);
/// a percentile interval that misses its own estimate is dropped with the reason, as every
/// interval of the report (`Estimate::within_range`).
fn with_percentile_ci(value: f64, mut reps: Vec<f64>, n: usize, boot: BootstrapSpec) -> Estimate {
    let e = Estimate::point(value).with_n(n);
    if boot.resamples == 0 {
        return e;
    }
    let e = e.with_bootstrap(boot.seed, boot.resamples);
    if reps.is_empty() {
        // No paired replicates (a rater set's statistic was undefined at its estimate).
        return e;
    }
    e.with_percentile_ci(&mut reps, boot.resamples, "bootstrap-percentile")
        .within_range(f64::NEG_INFINITY, f64::INFINITY)
}

/// Δ = b − a with the percentile CI of the paired replicate differences.
fn delta(a: &Estimate, b: &Estimate, diffs: Vec<f64>, n: usize, boot: BootstrapSpec) -> Estimate {
    match (a.value, b.value) {
        (Some(x), Some(y)) => with_percentile_ci(y - x, diffs, n, boot),
        _ => Estimate::missing("agreement undefined with or without the judge").with_n(n),
    }
}

/// One human's Δ: (weight, estimate, paired replicate differences).
type WeightedDelta = (f64, Estimate, Vec<f64>);

/// Mean of the humans' Δ weighted by their ratings, and of their paired replicates.
fn mean_delta(deltas: &[WeightedDelta], n: usize, boot: BootstrapSpec) -> Estimate {
    let defined: Vec<&WeightedDelta> = deltas.iter().filter(|d| d.1.value.is_some()).collect();
    let total: f64 = defined.iter().map(|d| d.0).sum();
    if defined.is_empty() || total <= 0.0 {
        return Estimate::missing("no human's replacement effect is defined").with_n(n);
    }
    let mean =
        |f: &dyn Fn(&WeightedDelta) -> f64| defined.iter().map(|d| d.0 * f(d)).sum::<f64>() / total;
    let point = mean(&|d| d.1.value.unwrap_or_default());
    let reps = if defined.iter().all(|d| d.2.len() == boot.resamples) {
        (0..boot.resamples).map(|r| mean(&|d| d.2[r])).collect()
    } else {
        Vec::new()
    };
    with_percentile_ci(point, reps, n, boot)
}

/// ACORN's replacement test for `judge` (one optional score per target of `humans`): agreement
/// with the judge in each human's place minus the all-human agreement (see the module notes).
pub fn replacement(
    judge: &[Option<f64>],
    humans: &RatingMatrix,
    names: &[String],
    boot: BootstrapSpec,
) -> Replacement {
    let k = humans.n_raters();
    let used: Vec<usize> = (0..humans.n_targets().min(judge.len()))
        .filter(|&t| judge[t].is_some() && humans.row(t).iter().flatten().count() >= 2)
        .collect();
    let n = used.len();
    // Columns 0..k: the humans; column k: the judge. Its patterns are the bootstrap unit.
    let cells: Vec<Option<f64>> = used
        .iter()
        .flat_map(|&t| humans.row(t).iter().copied().chain([judge[t]]))
        .collect();
    let combined = Patterns::of_rows(cells.chunks_exact(k + 1));
    let combined_rows: Vec<&[Option<f64>]> = combined
        .representative
        .iter()
        .map(|&i| &cells[i * (k + 1)..(i + 1) * (k + 1)])
        .collect();
    // Each rater set's row on every combined pattern: the humans', or the judge's score in
    // exactly the cells human j filled, so the design is unchanged.
    let set_rows = |replaced: Option<usize>| -> Vec<Option<f64>> {
        combined_rows
            .iter()
            .flat_map(|row| {
                (0..k).map(move |c| match replaced {
                    Some(j) if c == j => row[c].and(row[k]),
                    _ => row[c],
                })
            })
            .collect()
    };
    let mut base_set = RaterSet::new(&set_rows(None), k, &combined, boot.resamples);
    let mut replaced: Vec<(usize, usize, RaterSet)> = (0..k)
        .filter_map(|j| {
            let took: u32 = combined_rows
                .iter()
                .zip(&combined.counts)
                .filter(|(row, _)| row[j].is_some())
                .map(|(_, &c)| c)
                .sum();
            (took > 0).then(|| {
                let set = RaterSet::new(&set_rows(Some(j)), k, &combined, boot.resamples);
                (j, took as usize, set)
            })
        })
        .collect();
    let mut counts = Vec::with_capacity(combined.len() + 1);
    combined.for_each_resample(boot, |w| {
        counts.clear();
        counts.extend(w.iter().map(|&x| x as u32));
        counts.push(0);
        base_set.add_resample(&counts);
        replaced.iter_mut().for_each(|r| r.2.add_resample(&counts));
    });
    let (base_reps, all_humans) = base_set.finish(boot);
    let (mut humans_out, mut alpha_d, mut icc_d) = (Vec::new(), Vec::new(), Vec::new());
    for (j, took, set) in replaced {
        let (reps, agreement) = set.finish(boot);
        let d = Agreement {
            alpha_interval: delta(
                &all_humans.alpha_interval,
                &agreement.alpha_interval,
                differences(&base_reps[0], &reps[0]),
                n,
                boot,
            ),
            icc_a1: delta(
                &all_humans.icc_a1,
                &agreement.icc_a1,
                differences(&base_reps[1], &reps[1]),
                n,
                boot,
            ),
        };
        let w = took as f64;
        alpha_d.push((
            w,
            d.alpha_interval.clone(),
            differences(&base_reps[0], &reps[0]),
        ));
        icc_d.push((w, d.icc_a1.clone(), differences(&base_reps[1], &reps[1])));
        humans_out.push(HumanReplaced {
            human: names.get(j).cloned().unwrap_or_else(|| format!("#{j}")),
            n_ratings: took,
            agreement,
            delta: d,
        });
    }
    Replacement {
        n,
        mean_delta: Agreement {
            alpha_interval: mean_delta(&alpha_d, n, boot),
            icc_a1: mean_delta(&icc_d, n, boot),
        },
        all_humans,
        humans: humans_out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        // Box–Muller: enough for simulated ratings.
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// n responses on a 1–7 scale: k humans and a judge, each latent + N(0, noise), rounded.
    fn panel(
        rng: &mut ChaCha8Rng,
        n: usize,
        k: usize,
        judge_noise: f64,
    ) -> (RatingMatrix, Vec<Option<f64>>) {
        let score = |x: f64| x.round().clamp(1.0, 7.0);
        let mut rows = Vec::new();
        let mut judge = Vec::new();
        for _ in 0..n {
            let latent = 4.0 + 1.2 * normal(rng);
            rows.push((0..k).map(|_| score(latent + 0.8 * normal(rng))).collect());
            judge.push(Some(score(latent + judge_noise * normal(rng))));
        }
        (RatingMatrix::from_complete(&rows).unwrap(), judge)
    }

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("h{i}")).collect()
    }

    #[test]
    fn exchangeable_judge_interval_covers_zero() {
        // A judge drawn exactly like the humans: by symmetry the true Δ is 0 for both
        // coefficients, so the 95% interval should cover 0 in about 95% of studies.
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (sims, mut cover_a, mut cover_i) = (200, 0, 0);
        for s in 0..sims {
            let (m, j) = panel(&mut rng, 60, 3, 0.8);
            let boot = BootstrapSpec {
                resamples: 200,
                seed: s,
            };
            let r = replacement(&j, &m, &names(3), boot);
            let covers = |e: &Estimate| e.ci95.is_some_and(|[lo, hi]| lo <= 0.0 && 0.0 <= hi);
            cover_a += usize::from(covers(&r.mean_delta.alpha_interval));
            cover_i += usize::from(covers(&r.mean_delta.icc_a1));
        }
        for c in [cover_a, cover_i] {
            let rate = c as f64 / sims as f64;
            assert!((0.90..=0.99).contains(&rate), "coverage {rate}");
        }
    }

    #[test]
    fn a_noisy_judge_lowers_agreement_and_the_design_is_kept() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let (m, j) = panel(&mut rng, 200, 3, 2.5);
        let r = replacement(&j, &m, &names(3), BootstrapSpec::default());
        assert_eq!((r.n, r.humans.len()), (200, 3));
        assert!(r.mean_delta.icc_a1.ci95.unwrap()[1] < 0.0);
        assert!(r.mean_delta.alpha_interval.ci95.unwrap()[1] < 0.0);
        // Sparse design: human 2 rated only the first 10 responses, so the judge takes over
        // exactly those 10 cells.
        let rows: Vec<Vec<Option<f64>>> = (0..200)
            .map(|t| {
                (0..3)
                    .map(|c| m.get(t, c).filter(|_| c < 2 || t < 10))
                    .collect()
            })
            .collect();
        let sparse = RatingMatrix::from_rows(&rows).unwrap();
        let r = replacement(&j, &sparse, &names(3), BootstrapSpec::default());
        assert_eq!(r.humans[2].n_ratings, 10);
        // Replacing a human who rated little changes little, and the mean weighs that in.
        let d2 = r.humans[2].delta.icc_a1.value.unwrap().abs();
        let d0 = r.humans[0].delta.icc_a1.value.unwrap().abs();
        assert!(d2 < d0, "{d2} vs {d0}");
    }

    #[test]
    fn too_few_humans_or_responses_give_reasons() {
        let m = RatingMatrix::from_complete(&vec![vec![1.0]; 10]).unwrap();
        let r = replacement(&[Some(1.0); 10], &m, &names(1), BootstrapSpec::default());
        assert_eq!(r.n, 0);
        assert!(r.humans.is_empty());
        assert!(r.all_humans.icc_a1.reason.is_some());
        assert!(r.mean_delta.alpha_interval.reason.is_some());
        let m = RatingMatrix::from_complete(&[vec![2.0, 2.0], vec![2.0, 2.0]]).unwrap();
        let r = replacement(
            &[Some(2.0), Some(2.0)],
            &m,
            &names(2),
            BootstrapSpec::default(),
        );
        assert!(r.mean_delta.icc_a1.value.is_none() && r.mean_delta.icc_a1.reason.is_some());
    }
}
