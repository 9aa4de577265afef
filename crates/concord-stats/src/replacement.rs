//! The judge as a replacement clinician: human agreement when the judge takes over each human's
//! ratings in turn, minus the all-human agreement (the test of ACORN, Brassard et al. 2024,
//! where replacing one human rater with an LLM usually lowered agreement).
//!
//! On the responses rated by the judge and at least two humans, the judge's score is put in
//! every cell human j rated (so the design stays exactly the same) and Krippendorff's interval
//! alpha and ICC(A,1) (Henderson method I, equal to the ANOVA ICC(A,1) on complete data) are
//! recomputed. Δ_j = replaced − all-human; the summary Δ is the mean of Δ_j weighted by each
//! human's number of ratings (a human who rated few responses moves little when replaced).
//!
//! Intervals: the delete-one-cluster jackknife (`jackknife.rs`) with t_{C−1} intervals, the
//! clusters being the items when the report resamples items (several models answer each) and
//! the responses otherwise. Every rater set leaves out the same cluster in a replicate, so Δ's
//! replicates are paired differences. Both coefficients depend on the ratings only through
//! sums over responses, so a replicate is one subtraction and one evaluation: this replaced a
//! 1,000-resample bootstrap over responses, which ignored the items and took two thirds of a
//! whole report's time (`tests/coverage_replacement.rs` compares the two intervals' coverage).

use crate::estimate::Estimate;
use crate::icc::{truncated_icc_a1, HendersonDesign, NOT_ESTIMABLE, NO_VARIANCE};
use crate::jackknife::{dense_clusters, with_jackknife_ci, ClusterSums, CLUSTER_METHOD};
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
    /// Replaced − all-human agreement, with paired jackknife CIs.
    pub delta: Agreement,
}

/// The replacement analysis of one judge on one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replacement {
    /// Responses used: rated by the judge and at least two humans.
    pub n: usize,
    /// Clusters the jackknife leaves out in turn: items, or responses (see `ci_method`).
    pub n_clusters: usize,
    /// Agreement of the humans alone on those responses.
    pub all_humans: Agreement,
    /// One entry per human with at least one rating on those responses.
    pub humans: Vec<HumanReplaced>,
    /// Mean of the humans' Δ weighted by their ratings, with a paired jackknife CI.
    pub mean_delta: Agreement,
}

/// Columns of a rater set's row per response: the response itself (1), Σy², (Σy)²/m, Σy, m²
/// and alpha's (mΣy² − (Σy)²)/(m − 1), then y_j and [y_j present] for each of the k raters (0
/// when absent). Every quantity of both coefficients is a sum of these over responses.
const COUNT: usize = 0;
const SUM_SQ: usize = 1;
const SQ_SUM_OVER_M: usize = 2;
const SUM: usize = 3;
const M_SQ: usize = 4;
const ALPHA_A: usize = 5;
const RATERS: usize = 6;

/// Ratings M = Σ_j m_.j of summed rows.
fn ratings(s: &[f64], k: usize) -> f64 {
    s[RATERS + k..RATERS + 2 * k].iter().sum()
}

/// What the two coefficients read of a rater set's summed rows: the responses, the ratings M,
/// Σy², Σ(Σy)²/m, Σy, alpha's A and Henderson's T_r = Σ_j y_.j²/m_.j.
#[derive(Debug, Clone, Copy)]
struct Moments {
    count: f64,
    ratings: f64,
    sum_sq: f64,
    sq_over_m: f64,
    sum: f64,
    alpha_a: f64,
    tr: f64,
}

impl Moments {
    /// Of the summed rows `s` of k raters whose 1/m_.j are `inverse_counts`.
    fn of(s: &[f64], k: usize, inverse_counts: &[f64]) -> Moments {
        Moments {
            count: s[COUNT],
            ratings: ratings(s, k),
            sum_sq: s[SUM_SQ],
            sq_over_m: s[SQ_SUM_OVER_M],
            sum: s[SUM],
            alpha_a: s[ALPHA_A],
            tr: s[RATERS..RATERS + k]
                .iter()
                .zip(inverse_counts)
                .map(|(y, inv)| y * y * inv)
                .sum(),
        }
    }

    /// These moments with one rater's cells changed by `change` (the sums of
    /// [`HumanSide::changes`]): that rater's score sum goes from `y` to `y + change[2]`, and
    /// `inverse` is their 1/m_.j. The cells themselves stay, so the counts do.
    fn changed(mut self, change: &[f64; 4], y: f64, inverse: f64) -> Moments {
        self.sum_sq += change[0];
        self.sq_over_m += change[1];
        self.sum += change[2];
        self.alpha_a += change[3];
        let replaced = y + change[2];
        self.tr += (replaced * replaced - y * y) * inverse;
        self
    }

    /// Interval alpha (Krippendorff 2011 with δ² = (c − k)²): a unit with m ≥ 2 values
    /// contributes Σ_{i≠j}(v_i − v_j)²/(m − 1) = 2(mΣv² − (Σv)²)/(m − 1) to Σ o_ck δ²_ck, and
    /// Σ n_c n_k δ²_ck = 2(NΣv² − (Σv)²) over all pairable values, so with
    /// A = Σ_u (mΣv² − (Σv)²)/(m − 1), α = 1 − (N − 1)·A / (N·S2 − S1²). `None` with fewer than
    /// 2 units or no variation.
    fn alpha(&self) -> Option<f64> {
        let (n, s1, s2) = (self.ratings, self.sum, self.sum_sq);
        let d_e = n * s2 - s1 * s1;
        // Rounding noise on an exactly zero spread must not pass for variation.
        if self.count < 2.0 || d_e <= 1e-12 * n * s2 {
            return None;
        }
        let v = 1.0 - (n - 1.0) * self.alpha_a / d_e;
        v.is_finite().then_some(v)
    }

    /// ICC(A,1) in `design`, components truncated at 0 as `icc_unbalanced`: Henderson's
    /// quadratic forms (`icc::HendersonSums`) T0 = Σy², T_s = Σ (Σy)²/m, T_r = Σ_j y_.j²/m_.j,
    /// T_μ = y..²/M in the design's equations.
    fn icc_a1(&self, design: Option<&HendersonDesign>) -> Option<f64> {
        let design = design?;
        let t = [
            self.sum_sq,
            self.sq_over_m,
            self.tr,
            self.sum * self.sum / design.m,
        ];
        truncated_icc_a1(&design.components(t))
    }
}

/// What every rater set on one set of responses shares, whatever its scores (the judge takes
/// over exactly the cells a human filled): Henderson's design and 1/m_.j of each rater (0 for
/// a rater with no rating there), on all the responses and without each cluster in turn.
struct Layouts {
    k: usize,
    henderson: Vec<Option<HendersonDesign>>,
    inverse_counts: Vec<f64>,
}

impl Layouts {
    /// Room for the layouts of k raters without each of `clusters` clusters, then of all of
    /// them (the last), pushed in that order.
    fn with_capacity(k: usize, clusters: usize) -> Layouts {
        Layouts {
            k,
            henderson: Vec::with_capacity(clusters + 1),
            inverse_counts: Vec::with_capacity((clusters + 1) * k),
        }
    }

    /// The next layout, of the summed rows `s`.
    fn push(&mut self, s: &[f64]) {
        let counts = &s[RATERS + self.k..RATERS + 2 * self.k];
        let (mut nr, mut kr) = (0.0, 0.0);
        for &c in counts {
            if c > 0.0 {
                nr += 1.0;
                kr += c * c;
            }
        }
        let m = ratings(s, self.k);
        self.henderson
            .push(HendersonDesign::new(s[COUNT], m, nr, s[M_SQ], kr));
        let inverse = |&c: &f64| if c > 0.0 { 1.0 / c } else { 0.0 };
        self.inverse_counts.extend(counts.iter().map(inverse));
    }

    /// The clusters (the layouts without each, before the one of all).
    fn n_clusters(&self) -> usize {
        self.henderson.len() - 1
    }

    /// Without cluster `c`; all responses for `c` = the number of clusters.
    fn henderson(&self, c: usize) -> Option<&HendersonDesign> {
        self.henderson[c].as_ref()
    }

    /// Rater j's 1/m_.j without cluster `c` (all responses for `c` = the number of clusters).
    fn inverse_count(&self, c: usize, j: usize) -> f64 {
        self.inverse_counts[c * self.k + j]
    }

    fn inverse_counts(&self, c: usize) -> &[f64] {
        &self.inverse_counts[c * self.k..(c + 1) * self.k]
    }
}

/// The humans' half of the replacement test on a set of responses: their moments on all of
/// them and without each cluster, their agreement with its leave-one-out replicates, and how
/// many ratings each human gave there. It is the same for every judge scored on exactly those
/// responses, so a sheet's judges share it (`report/humans.rs`); only the replaced cells are
/// the judge's own work.
pub(crate) struct HumanSide {
    /// The responses used (targets of the humans' matrix), each one's cluster, 1/m and
    /// m/(m − 1) of its m human ratings (divisions a judge's pass would otherwise repeat) and
    /// their sum.
    used: Vec<usize>,
    cluster_of: Vec<usize>,
    inverses: Vec<(f64, f64)>,
    sums_of_scores: Vec<f64>,
    method: &'static str,
    /// What every rater set on these responses shares.
    layouts: Layouts,
    /// The humans' moments and each one's score sum y_.j: on every response, and without
    /// each cluster c (`without_sums[c * k + j]`). A replaced set's are these plus the judge's
    /// changes ([`Moments::changed`]).
    total: Moments,
    total_sums: Vec<f64>,
    without: Vec<Moments>,
    without_sums: Vec<f64>,
    all_humans: Agreement,
    replicates: [Vec<f64>; 2],
    /// Each human's ratings on the used responses, in total and without each cluster.
    took: Vec<(f64, Vec<f64>)>,
}

/// A response's ratings m, Σy and Σy².
fn moments(cells: &[Option<f64>]) -> (f64, f64, f64) {
    let (mut m, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for y in cells.iter().flatten() {
        m += 1.0;
        s1 += y;
        s2 += y * y;
    }
    (m, s1, s2)
}

impl HumanSide {
    /// The side of the targets of `humans` with at least two ratings that `scored` accepts;
    /// `clusters` gives every target's item when items are the clusters.
    pub(crate) fn new(
        humans: &RatingMatrix,
        scored: impl Fn(usize) -> bool,
        clusters: Option<&[u32]>,
    ) -> HumanSide {
        let k = humans.n_raters();
        let used: Vec<usize> = (0..humans.n_targets())
            .filter(|&t| scored(t) && humans.row(t).iter().flatten().count() >= 2)
            .collect();
        let (cluster_of, n_clusters) = match clusters {
            None => ((0..used.len()).collect(), used.len()),
            Some(item) => dense_clusters(used.iter().map(|&t| item[t])),
        };
        let method = match clusters {
            Some(_) => CLUSTER_METHOD,
            None => "jackknife-t",
        };
        let mut sums = ClusterSums::new(RATERS + 2 * k, n_clusters);
        let mut inverses = Vec::with_capacity(used.len());
        let mut sums_of_scores = Vec::with_capacity(used.len());
        for (&t, &c) in used.iter().zip(&cluster_of) {
            let cells = humans.row(t);
            let (m, s1, s2) = moments(cells);
            let (inv_m, inv_m1) = (1.0 / m, 1.0 / (m - 1.0));
            inverses.push((inv_m, m * inv_m1));
            sums_of_scores.push(s1);
            let row = sums.cluster_mut(c);
            row[COUNT] += 1.0;
            row[SUM_SQ] += s2;
            row[SQ_SUM_OVER_M] += s1 * s1 * inv_m;
            row[SUM] += s1;
            row[M_SQ] += m * m;
            row[ALPHA_A] += (m * s2 - s1 * s1) * inv_m1;
            for (j, y) in cells.iter().enumerate() {
                if let Some(y) = *y {
                    row[RATERS + j] += y;
                    row[RATERS + k + j] += 1.0;
                }
            }
        }
        // One pass over the sums without each cluster: each one's layout, moments and scores.
        let mut layouts = Layouts::with_capacity(k, n_clusters);
        let mut without = Vec::with_capacity(n_clusters);
        let mut without_sums = Vec::with_capacity(n_clusters * k);
        sums.for_each_left_out(|c, s| {
            layouts.push(s);
            without.push(Moments::of(s, k, layouts.inverse_counts(c)));
            without_sums.extend_from_slice(&s[RATERS..RATERS + k]);
        });
        let all = sums.total();
        layouts.push(&all);
        let total = Moments::of(&all, k, layouts.inverse_counts(n_clusters));
        let (all_humans, replicates) =
            agreement(&total, |c| without[c], &layouts, used.len(), method);
        let took = (0..k)
            .map(|j| {
                let col = RATERS + k + j;
                (all[col], sums.column_without_each(col))
            })
            .collect();
        HumanSide {
            used,
            cluster_of,
            inverses,
            sums_of_scores,
            method,
            layouts,
            total,
            total_sums: all[RATERS..RATERS + k].to_vec(),
            without,
            without_sums,
            all_humans,
            replicates,
            took,
        }
    }

    /// Whether `judge` is scored on every response of this side (so on exactly them when the
    /// side took every response with two human ratings).
    pub(crate) fn covers(&self, judge: &[Option<f64>]) -> bool {
        self.used
            .iter()
            .all(|&t| judge.get(t).is_some_and(Option::is_some))
    }

    /// What the judge's score in exactly the cells human j filled changes of each cluster's
    /// sums, for every j: `changes[c * k + j]`. A replaced row differs from the humans' in five
    /// columns only (Σy², (Σy)²/m, Σy, alpha's term and y_j), so these four sums (y_j changes
    /// as Σy does) are all a replaced set adds to the humans' moments.
    fn changes(&self, judge: &[Option<f64>], humans: &RatingMatrix) -> Vec<[f64; 4]> {
        let k = humans.n_raters();
        // With d = f − y (the judge's score f in place of y), Σy² gains d(f + y), Σy gains d,
        // (Σy)²/m gains d(2Σy + d)/m, and alpha's (mΣy² − (Σy)²)/(m − 1) gains m/(m − 1)
        // times the first change less the third.
        let mut changes = vec![[0.0; 4]; self.layouts.n_clusters() * k];
        for (((&t, &c), &(inv_m, m_over)), &s1) in self
            .used
            .iter()
            .zip(&self.cluster_of)
            .zip(&self.inverses)
            .zip(&self.sums_of_scores)
        {
            let Some(f) = judge[t] else { continue };
            let cluster = &mut changes[c * k..(c + 1) * k];
            for (change, y) in cluster.iter_mut().zip(humans.row(t)) {
                let Some(y) = *y else { continue };
                let d = f - y;
                let (sq, sq_over_m) = (d * (f + y), d * (2.0 * s1 + d) * inv_m);
                change[0] += sq;
                change[1] += sq_over_m;
                change[2] += d;
                change[3] += m_over * (sq - sq_over_m);
            }
        }
        changes
    }
}

/// One rater set's agreement with jackknife CIs from its moments on every response (`point`)
/// and without each cluster c (`without(c)`), and its leave-one-out replicates of (alpha,
/// ICC(A,1)) for the paired differences.
fn agreement(
    point: &Moments,
    without: impl Fn(usize) -> Moments,
    layouts: &Layouts,
    n: usize,
    method: &str,
) -> (Agreement, [Vec<f64>; 2]) {
    let clusters = layouts.n_clusters();
    let alpha = match point.alpha() {
        Some(v) => Estimate::point(v),
        None => Estimate::missing(
            "fewer than 2 responses with two ratings, or no variation in the ratings",
        ),
    };
    let icc = match layouts.henderson(clusters) {
        None => Estimate::missing(NOT_ESTIMABLE),
        Some(design) => Estimate::from_option(point.icc_a1(Some(design)), NO_VARIANCE),
    };
    let mut reps = [Vec::with_capacity(clusters), Vec::with_capacity(clusters)];
    for c in 0..clusters {
        let m = without(c);
        reps[0].push(m.alpha().unwrap_or(f64::NAN));
        reps[1].push(m.icc_a1(layouts.henderson(c)).unwrap_or(f64::NAN));
    }
    let agreement = Agreement {
        alpha_interval: with_jackknife_ci(alpha.with_n(n), &reps[0], None, method)
            .within_range(f64::NEG_INFINITY, 1.0),
        icc_a1: with_jackknife_ci(icc.with_n(n), &reps[1], None, method).within_range(0.0, 1.0),
    };
    (agreement, reps)
}

/// Δ = b − a with the jackknife CI of the paired replicate differences.
fn delta(a: &Estimate, b: &Estimate, diffs: &[f64], n: usize, method: &str) -> Estimate {
    match (a.value, b.value) {
        (Some(x), Some(y)) => {
            with_jackknife_ci(Estimate::point(y - x).with_n(n), diffs, None, method)
        }
        _ => Estimate::missing("agreement undefined with or without the judge").with_n(n),
    }
}

/// One human's Δ: (ratings taken over, in total and without each cluster; estimate; paired
/// replicate differences).
struct WeightedDelta<'a> {
    took: f64,
    took_without: &'a [f64],
    estimate: Estimate,
    diffs: Vec<f64>,
}

/// Mean of the humans' Δ weighted by their ratings; each replicate weighs by the ratings left
/// without its cluster, so the weights are part of the jackknifed statistic.
fn mean_delta(deltas: &[&WeightedDelta], n: usize, method: &str) -> Estimate {
    let defined: Vec<&WeightedDelta> = deltas
        .iter()
        .copied()
        .filter(|d| d.estimate.value.is_some())
        .collect();
    let total: f64 = defined.iter().map(|d| d.took).sum();
    if defined.is_empty() || total <= 0.0 {
        return Estimate::missing("no human's replacement effect is defined").with_n(n);
    }
    let point = defined
        .iter()
        .map(|d| d.took * d.estimate.value.unwrap_or_default())
        .sum::<f64>()
        / total;
    let clusters = defined[0].diffs.len();
    let reps: Vec<f64> = (0..clusters)
        .map(|c| {
            let w: f64 = defined.iter().map(|d| d.took_without[c]).sum();
            defined
                .iter()
                .map(|d| d.took_without[c] * d.diffs[c])
                .sum::<f64>()
                / w
        })
        .collect();
    with_jackknife_ci(Estimate::point(point).with_n(n), &reps, None, method)
}

/// ACORN's replacement test for `judge` (one optional score per target of `humans`): agreement
/// with the judge in each human's place minus the all-human agreement (see the module notes).
/// `clusters` gives the item of every target when items are the unit of the intervals.
pub fn replacement(
    judge: &[Option<f64>],
    humans: &RatingMatrix,
    names: &[String],
    clusters: Option<&[u32]>,
) -> Replacement {
    let scored = |t: usize| judge.get(t).is_some_and(Option::is_some);
    replacement_on(
        &HumanSide::new(humans, scored, clusters),
        judge,
        humans,
        names,
    )
}

/// [`replacement`] with the humans' half already computed: `side` must cover exactly the
/// responses the judge is scored on among those with two human ratings.
pub(crate) fn replacement_on(
    side: &HumanSide,
    judge: &[Option<f64>],
    humans: &RatingMatrix,
    names: &[String],
) -> Replacement {
    let (n, method) = (side.used.len(), side.method);
    let all_humans = &side.all_humans;
    let mut deltas = Vec::new();
    let mut humans_out = Vec::new();
    let k = humans.n_raters();
    let changes = side.changes(judge, humans);
    for (j, (took, took_without)) in side.took.iter().enumerate() {
        if *took == 0.0 {
            continue;
        }
        // Human j's changes in each cluster, and over all of them.
        let of_j: Vec<&[f64; 4]> = changes.iter().skip(j).step_by(k).collect();
        let mut all = [0.0; 4];
        for change in &of_j {
            for (a, v) in all.iter_mut().zip(*change) {
                *a += v;
            }
        }
        let layouts = &side.layouts;
        let clusters = layouts.n_clusters();
        let point =
            side.total
                .changed(&all, side.total_sums[j], layouts.inverse_count(clusters, j));
        let without = |c: usize| {
            let rest: [f64; 4] = std::array::from_fn(|i| all[i] - of_j[c][i]);
            side.without[c].changed(
                &rest,
                side.without_sums[c * k + j],
                layouts.inverse_count(c, j),
            )
        };
        let (agreement, reps) = agreement(&point, without, layouts, n, method);
        let diffs = |i: usize| -> Vec<f64> {
            side.replicates[i]
                .iter()
                .zip(&reps[i])
                .map(|(a, b)| b - a)
                .collect()
        };
        let d = [diffs(0), diffs(1)];
        let delta = Agreement {
            alpha_interval: delta(
                &all_humans.alpha_interval,
                &agreement.alpha_interval,
                &d[0],
                n,
                method,
            ),
            icc_a1: delta(&all_humans.icc_a1, &agreement.icc_a1, &d[1], n, method)
                .within_range(-1.0, 1.0),
        };
        let [da, di] = d;
        deltas.push([
            WeightedDelta {
                took: *took,
                took_without,
                estimate: delta.alpha_interval.clone(),
                diffs: da,
            },
            WeightedDelta {
                took: *took,
                took_without,
                estimate: delta.icc_a1.clone(),
                diffs: di,
            },
        ]);
        humans_out.push(HumanReplaced {
            human: names.get(j).cloned().unwrap_or_else(|| format!("#{j}")),
            n_ratings: *took as usize,
            agreement,
            delta,
        });
    }
    let of = |i: usize| -> Vec<&WeightedDelta> { deltas.iter().map(|d| &d[i]).collect() };
    Replacement {
        n,
        n_clusters: side.layouts.n_clusters(),
        mean_delta: Agreement {
            alpha_interval: mean_delta(&of(0), n, method),
            icc_a1: mean_delta(&of(1), n, method).within_range(-1.0, 1.0),
        },
        all_humans: all_humans.clone(),
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
        for _ in 0..sims {
            let (m, j) = panel(&mut rng, 60, 3, 0.8);
            let r = replacement(&j, &m, &names(3), None);
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
        let r = replacement(&j, &m, &names(3), None);
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
        let r = replacement(&j, &sparse, &names(3), None);
        assert_eq!(r.humans[2].n_ratings, 10);
        // Replacing a human who rated little changes little, and the mean weighs that in.
        let d2 = r.humans[2].delta.icc_a1.value.unwrap().abs();
        let d0 = r.humans[0].delta.icc_a1.value.unwrap().abs();
        assert!(d2 < d0, "{d2} vs {d0}");
    }

    #[test]
    fn a_shared_human_side_gives_each_judge_its_own_test() {
        // A sheet's judges share the humans' half when they are scored on every response two
        // humans rated; the test must be the one computed from scratch for each of them.
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        let (m, first) = panel(&mut rng, 80, 4, 0.9);
        let (_, second) = panel(&mut rng, 80, 4, 1.6);
        let items: Vec<u32> = (0..80).map(|t| t / 4).collect();
        let side = HumanSide::new(&m, |_| true, Some(&items));
        for judge in [&first, &second] {
            assert!(side.covers(judge));
            let shared = replacement_on(&side, judge, &m, &names(4));
            assert_eq!(shared, replacement(judge, &m, &names(4), Some(&items)));
        }
        // A judge missing a response the side holds does not fit it.
        let mut partial = first.clone();
        partial[7] = None;
        assert!(!side.covers(&partial));
        assert_eq!(replacement(&partial, &m, &names(4), Some(&items)).n, 79);
    }

    #[test]
    fn too_few_humans_or_responses_give_reasons() {
        let m = RatingMatrix::from_complete(&vec![vec![1.0]; 10]).unwrap();
        let r = replacement(&[Some(1.0); 10], &m, &names(1), None);
        assert_eq!(r.n, 0);
        assert!(r.humans.is_empty());
        assert!(r.all_humans.icc_a1.reason.is_some());
        assert!(r.mean_delta.alpha_interval.reason.is_some());
        let m = RatingMatrix::from_complete(&[vec![2.0, 2.0], vec![2.0, 2.0]]).unwrap();
        let r = replacement(&[Some(2.0), Some(2.0)], &m, &names(2), None);
        assert!(r.mean_delta.icc_a1.value.is_none() && r.mean_delta.icc_a1.reason.is_some());
    }
}
