//! The Alternative Annotator Test: can an LLM judge stand in for one of the human annotators?
//!
//! Calderon, Reichart & Dror (2025), "The Alternative Annotator Test for LLM-as-a-Judge",
//! arXiv 2501.10970, implemented from the paper's definition. For each human j with enough
//! items, and each item i that j, the judge and at least one other human rated, the judge and
//! human j are each scored by how well they align with the *other* humans' labels on i
//! (ordinal scores: S = −RMSE against those labels). W_i^f = [S_f ≥ S_j] and W_i^h = [S_j ≥ S_f]
//! (a tie counts for both), ρ_f and ρ_h are their means, and the one-sided one-sample t-test of
//! d_i = W_i^h − W_i^f against ε tests H0: ρ_h − ρ_f ≥ ε (the judge is worse than human j by at
//! least ε). The p-values of all tested humans go through Benjamini–Yekutieli at level q; the
//! winning rate ω is the share of tested humans whose H0 is rejected, and the judge passes when
//! ω ≥ 0.5. The average advantage probability is the unweighted mean of ρ_f over tested humans.

use crate::dist::t_two_sided_p;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

/// Settings of the test; the defaults are the paper's for expert annotators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AltTestOptions {
    /// Tolerated disadvantage ε of the judge (paper: 0.2 for experts, 0.1 for crowd workers).
    pub epsilon: f64,
    /// False discovery rate of the Benjamini–Yekutieli procedure.
    pub q: f64,
    /// Humans with fewer items (after the item filter) are not tested.
    pub min_items: usize,
}

impl Default for AltTestOptions {
    fn default() -> Self {
        AltTestOptions {
            epsilon: 0.2,
            q: 0.05,
            min_items: 30,
        }
    }
}

/// The test of the judge against one human annotator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AltTestHuman {
    /// The human the judge stands in for.
    pub human: String,
    /// Items used: rated by this human, the judge and at least one other human.
    pub n: usize,
    /// Advantage probability of the judge, ρ_f = mean of [S_f ≥ S_h].
    pub rho_f: f64,
    /// Advantage probability of the human, ρ_h = mean of [S_h ≥ S_f].
    pub rho_h: f64,
    /// SD (n − 1) of the indicator differences d_i = W_i^h − W_i^f.
    pub sd_difference: f64,
    /// t statistic (mean(d) − ε) / (SD / √n); absent when SD = 0 (the test is then exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<f64>,
    /// One-sided p-value P(T_{n−1} ≤ t) of H0: ρ_h − ρ_f ≥ ε.
    pub p_value: f64,
    /// H0 rejected by Benjamini–Yekutieli at level q: the judge is not worse by ε or more.
    pub rejected: bool,
}

/// A human with too few items to be tested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AltTestUntested {
    /// Human name.
    pub human: String,
    /// Items available (below `min_items`).
    pub n: usize,
}

/// Result of the Alternative Annotator Test for one judge on one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AltTest {
    /// ε used.
    pub epsilon: f64,
    /// FDR level q used.
    pub q: f64,
    /// Alignment score: "neg_rmse" (negative RMSE against the other humans' labels).
    pub scoring: String,
    /// Minimum items per tested human.
    pub min_items: usize,
    /// Items rated by the judge and at least two humans.
    pub n_items: usize,
    /// ω: share of tested humans the judge beats (null when no human could be tested).
    pub winning_rate: Option<f64>,
    /// ω ≥ 0.5 (null when no human could be tested).
    pub passed: Option<bool>,
    /// Unweighted mean of ρ_f over tested humans.
    pub advantage_probability: Option<f64>,
    /// One entry per tested human, in rater order.
    pub humans: Vec<AltTestHuman>,
    /// Humans left out for having fewer than `min_items` items.
    pub untested: Vec<AltTestUntested>,
    /// Why no human could be tested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The wins [S_f ≥ S_h] and [S_h ≥ S_f] of the paper's scoring S = −RMSE against the other
/// humans' `labels`, for the judge's score `f` and the human's `x`.
///
/// Both RMSEs divide by the same count and the square root is monotone, so the scores are
/// ordered as the sums of squares; only when those are within rounding of each other can the
/// rounded scores tie, and then the scores themselves are compared. The wins are those of
/// comparing −√(ss/m) every time, without two square roots per item and human.
fn wins(f: f64, x: f64, labels: impl Iterator<Item = f64>) -> (bool, bool) {
    let (mut ss_f, mut ss_h, mut m) = (0.0, 0.0, 0.0);
    for a in labels {
        ss_f += (f - a) * (f - a);
        ss_h += (x - a) * (x - a);
        m += 1.0;
    }
    if ss_f == ss_h && m > 0.0 {
        // The same operations on equal sums: a tie (the usual case on a rating scale).
        return (true, true);
    }
    // (Far above the subnormals, where ss / m could round two different sums to one.)
    let larger = ss_f.max(ss_h);
    if larger > 1e-200 && (ss_f - ss_h).abs() > 1e-9 * larger {
        return (ss_f < ss_h, ss_h < ss_f);
    }
    let (s_f, s_h) = (-(ss_f / m).sqrt(), -(ss_h / m).sqrt());
    (s_f >= s_h, s_h >= s_f)
}

/// One-sided one-sample t-test of H0: mean ≥ mu against H1: mean < mu (Student 1908), from
/// the sample's mean, SD (n − 1) and size.
///
/// Returns (t, p); with zero spread the test is exact (p = 0 when the mean is below mu, else 1)
/// and t is absent.
fn t_test_less(mean: f64, sd: f64, n: f64, mu: f64) -> (Option<f64>, f64) {
    if sd.is_nan() || sd <= 0.0 {
        return (None, if mean < mu { 0.0 } else { 1.0 });
    }
    let t = (mean - mu) / (sd / n.sqrt());
    // P(T ≤ t) from the two-sided tail, which the incomplete beta gives accurately.
    let half = 0.5 * t_two_sided_p(t, n - 1.0);
    (Some(t), if t < 0.0 { half } else { 1.0 - half })
}

/// Benjamini & Yekutieli (2001) step-up procedure at FDR level q, valid under any dependence:
/// reject the k smallest p-values, k the largest with p_(k) ≤ k q / (m Σ_{i≤m} 1/i).
pub fn benjamini_yekutieli(p: &[f64], q: f64) -> Vec<bool> {
    let m = p.len();
    let c_m: f64 = (1..=m).map(|i| 1.0 / i as f64).sum();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let k = (0..m)
        .rev()
        .find(|&r| p[order[r]] <= (r + 1) as f64 * q / (m as f64 * c_m))
        .map_or(0, |r| r + 1);
    let mut reject = vec![false; m];
    for &i in &order[..k] {
        reject[i] = true;
    }
    reject
}

/// The Alternative Annotator Test of `judge` (one optional score per target of `humans`)
/// against every human column of `humans` (Calderon et al. 2025, see the module notes).
pub fn alt_test(
    judge: &[Option<f64>],
    humans: &RatingMatrix,
    names: &[String],
    opts: &AltTestOptions,
) -> AltTest {
    let items = (0..humans.n_targets().min(judge.len()))
        .filter_map(|t| Some((humans.row(t), judge[t]?, 1.0)));
    alt_test_pooled(items, humans.n_raters(), names, opts)
}

/// The test on responses pooled by (human row, judge score), each with its count: the outcome
/// of an item depends on nothing else, and a rating scale leaves few distinct pairs.
pub(crate) fn alt_test_pooled<'a>(
    items: impl Iterator<Item = (&'a [Option<f64>], f64, f64)>,
    k: usize,
    names: &[String],
    opts: &AltTestOptions,
) -> AltTest {
    // The item filter: the judge and at least two humans.
    let items: Vec<(&[Option<f64>], f64, f64)> = items
        .filter(|(row, _, _)| row.iter().flatten().count() >= 2)
        .collect();
    let (mut tested, mut untested, mut p_values) = (Vec::new(), Vec::new(), Vec::new());
    for h in 0..k {
        // Counts of d_i = W_h − W_f at +1, −1 and 0, and of the wins.
        let (mut n, mut up, mut down, mut wins_f, mut wins_h) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(row, f, count) in &items {
            let Some(x) = row[h] else { continue };
            let others = row
                .iter()
                .enumerate()
                .filter_map(|(o, c)| (o != h).then_some(*c).flatten());
            let (f_wins, h_wins) = wins(f, x, others);
            n += count;
            match (f_wins, h_wins) {
                (true, true) => {
                    wins_f += count;
                    wins_h += count;
                }
                (true, false) => {
                    wins_f += count;
                    down += count;
                }
                (false, true) => {
                    wins_h += count;
                    up += count;
                }
                (false, false) => {}
            }
        }
        let name = names.get(h).cloned().unwrap_or_else(|| format!("#{h}"));
        if n < opts.min_items.max(2) as f64 {
            untested.push(AltTestUntested {
                human: name,
                n: n as usize,
            });
            continue;
        }
        let mean = (up - down) / n;
        let ss =
            up * (1.0 - mean).powi(2) + down * (1.0 + mean).powi(2) + (n - up - down) * mean * mean;
        let sd = (ss / (n - 1.0)).sqrt();
        let (t, p) = t_test_less(mean, sd, n, opts.epsilon);
        p_values.push(p);
        tested.push(AltTestHuman {
            human: name,
            n: n as usize,
            rho_f: wins_f / n,
            rho_h: wins_h / n,
            sd_difference: sd,
            t,
            p_value: p,
            rejected: false,
        });
    }
    let reject = benjamini_yekutieli(&p_values, opts.q);
    for (h, r) in tested.iter_mut().zip(reject) {
        h.rejected = r;
    }
    let m = tested.len() as f64;
    let (winning_rate, advantage, reason) = if tested.is_empty() {
        let why = if k < 2 {
            "the alternative annotator test needs at least 2 human raters".to_string()
        } else {
            format!(
                "no human has {} items rated by the judge and at least one other human",
                opts.min_items
            )
        };
        (None, None, Some(why))
    } else {
        let won = tested.iter().filter(|h| h.rejected).count() as f64;
        let adv = tested.iter().map(|h| h.rho_f).sum::<f64>() / m;
        (Some(won / m), Some(adv), None)
    };
    AltTest {
        epsilon: opts.epsilon,
        q: opts.q,
        scoring: "neg_rmse".into(),
        min_items: opts.min_items,
        n_items: items.iter().map(|i| i.2).sum::<f64>() as usize,
        winning_rate,
        passed: winning_rate.map(|w| w >= 0.5),
        advantage_probability: advantage,
        humans: tested,
        untested,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|i| format!("h{i}")).collect()
    }

    #[test]
    fn wins_are_those_of_comparing_the_negative_rmses() {
        let by_rmse = |f: f64, x: f64, labels: &[f64]| {
            let score = |p: f64| {
                let ss: f64 = labels.iter().map(|a| (p - a) * (p - a)).sum();
                -(ss / labels.len() as f64).sqrt()
            };
            let (s_f, s_h) = (score(f), score(x));
            (s_f >= s_h, s_h >= s_f)
        };
        let mut cases = vec![
            (3.0, 3.0, vec![2.0, 4.0]),
            (1.0, 5.0, vec![3.0]),
            (2.0, 4.0, vec![3.0, 3.0, 3.0]),
            (2.5, 3.25, vec![1.75, 4.0]),
            // Sums of squares a rounding apart, and far below 1.
            (1.0, 1.0 + 1e-15, vec![0.0, 2.0]),
            (1e-160, 2e-160, vec![0.0]),
            (0.0, 5e-324, vec![0.0]),
        ];
        let mut u = 0.1f64;
        for _ in 0..500 {
            u = (u * 9301.0 + 0.4927).fract();
            let v = (u * 7919.0).fract();
            let labels = [(u * 5.0).round(), (v * 5.0).round(), u * 3.0 + v];
            cases.push((1.0 + (4.0 * v).round(), 1.0 + 4.0 * u, labels.to_vec()));
        }
        for (f, x, labels) in cases {
            let want = by_rmse(f, x, &labels);
            assert_eq!(
                wins(f, x, labels.iter().copied()),
                want,
                "{f} {x} {labels:?}"
            );
        }
    }

    #[test]
    fn by_matches_statsmodels_fdr_by() {
        // statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='fdr_by')[0]:
        // c(8) = 2.717857…, thresholds k·0.05/(8·c(8)) = 0.0023, 0.0046, …
        let mut p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205];
        let r = benjamini_yekutieli(&p, 0.05);
        assert_eq!(r, [true, false, false, false, false, false, false, false]);
        p[1] = 0.004;
        let r = benjamini_yekutieli(&p, 0.05);
        assert_eq!(r, [true, true, false, false, false, false, false, false]);
        // Step-up: a later p under its threshold rejects everything before it.
        let r = benjamini_yekutieli(&[0.02, 0.0001, 0.5], 0.05);
        assert_eq!(r, [false, true, false]);
        assert!(benjamini_yekutieli(&[], 0.05).is_empty());
    }

    #[test]
    fn a_copy_of_the_consensus_passes_and_a_contrarian_fails() {
        // 40 items, 3 humans who agree except for one disagreeing human per item in turn.
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| {
                let v = f64::from(i % 5 + 1);
                let mut r = vec![v; 3];
                r[i as usize % 3] = if v > 3.0 { v - 2.0 } else { v + 2.0 };
                r
            })
            .collect();
        let m = RatingMatrix::from_complete(&rows).unwrap();
        let good: Vec<Option<f64>> = (0..40).map(|i| Some(f64::from(i % 5 + 1))).collect();
        let a = alt_test(&good, &m, &names(3), &AltTestOptions::default());
        assert_eq!(a.n_items, 40);
        assert_eq!(a.passed, Some(true));
        assert_eq!(a.winning_rate, Some(1.0));
        assert!(a.advantage_probability.unwrap() > 0.9);
        let bad: Vec<Option<f64>> = (0..40)
            .map(|i| Some(if i % 5 < 2 { 5.0 } else { 1.0 }))
            .collect();
        let a = alt_test(&bad, &m, &names(3), &AltTestOptions::default());
        assert_eq!(a.passed, Some(false));
        assert_eq!(a.winning_rate, Some(0.0));
    }

    #[test]
    fn too_few_items_or_humans_is_a_reason() {
        let m = RatingMatrix::from_complete(&vec![vec![1.0, 2.0]; 10]).unwrap();
        let a = alt_test(&[Some(1.0); 10], &m, &names(2), &AltTestOptions::default());
        assert!(a.passed.is_none() && a.reason.is_some());
        assert_eq!(a.untested.len(), 2);
        assert_eq!(a.untested[0].n, 10);
        let one = RatingMatrix::from_complete(&vec![vec![1.0]; 40]).unwrap();
        let a = alt_test(
            &[Some(1.0); 40],
            &one,
            &names(1),
            &AltTestOptions::default(),
        );
        assert_eq!(a.n_items, 0);
        assert!(a.reason.unwrap().contains("2 human raters"));
    }

    #[test]
    fn constant_differences_give_an_exact_test() {
        // Judge 3 against human 0 (1, the other says 3): the judge always wins, d = −1; against
        // human 1 (3, the other says 1) every item is a tie, d = 0 < ε: both exact rejections.
        let rows: Vec<Vec<f64>> = (0..30).map(|_| vec![1.0, 3.0]).collect();
        let m = RatingMatrix::from_complete(&rows).unwrap();
        let a = alt_test(&[Some(3.0); 30], &m, &names(2), &AltTestOptions::default());
        let h0 = &a.humans[0];
        assert_eq!(
            (h0.rho_f, h0.rho_h, h0.t, h0.p_value),
            (1.0, 0.0, None, 0.0)
        );
        let h1 = &a.humans[1];
        assert_eq!((h1.rho_f, h1.rho_h, h1.p_value), (1.0, 1.0, 0.0));
        assert_eq!(a.winning_rate, Some(1.0));
        // Judge 6 always loses to both: d = +1 ≥ ε, p = 1.
        let a = alt_test(&[Some(6.0); 30], &m, &names(2), &AltTestOptions::default());
        assert_eq!((a.humans[0].p_value, a.humans[1].p_value), (1.0, 1.0));
        assert_eq!(a.passed, Some(false));
    }
}
