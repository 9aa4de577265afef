//! Judge versus humans on paired scores: ICC, bias, Bland–Altman, correlations and concordance,
//! per response (analytic CIs) or per model (percentile bootstrap over models).

use crate::bootstrap::{percentile_ci, BootstrapSpec};
use crate::correlation::{
    ccc_value_table, kendall_tau_b_table, kendall_tau_from_table, lins_ccc_table, pearson_r_table,
    pearson_table, spearman_rho_table, spearman_table, PairTable, RankReplicates,
};
use crate::dist::{t_quantile, t_two_sided_p};
use crate::estimate::Estimate;
use crate::icc::{
    icc_a1_c1, icc_from_mean_squares, icc_points, mean_squares_from_sums, mean_squares_weighted,
    IccForms, MeanSquares,
};
use crate::jackknife::{cluster_jackknifed, CLUSTER_METHOD};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// ICC(A,1) and ICC(C,1) between two score columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairIcc {
    /// Absolute agreement, single score (McGraw & Wong 1996 case 2A).
    #[serde(rename = "ICC_A1")]
    pub icc_a1: Estimate,
    /// Consistency, single score (McGraw & Wong 1996 case 3).
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
}

/// Bland–Altman bias and 95% limits of agreement with approximate CIs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BlandAltman {
    /// Mean difference (judge − human).
    pub bias: Option<f64>,
    /// SD of the differences.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Lower and upper limits bias ∓ 1.96 SD.
    pub loa: Option<[f64; 2]>,
    /// 95% CIs of the lower and the upper limit.
    pub loa_ci95: Option<[[f64; 2]; 2]>,
    /// How `loa_ci95` was obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_method: Option<String>,
    /// Why the limits are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Every judge-vs-human statistic on one set of pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedAgreement {
    /// Pairs used. Not serialized: the report writes it as `n_targets` (`JudgeReport`).
    #[serde(skip)]
    pub n: usize,
    /// ICC(A,1), ICC(C,1) on the two columns.
    pub icc: PairIcc,
    /// Mean difference judge − human with t CI.
    pub bias: Estimate,
    /// Bland–Altman limits.
    pub bland_altman: BlandAltman,
    /// Pearson r.
    pub pearson: Estimate,
    /// Spearman rho.
    pub spearman: Estimate,
    /// Kendall tau-b.
    pub kendall_tau_b: Estimate,
    /// Lin's CCC.
    pub ccc: Estimate,
}

/// Mean difference x − y with SE s/√n, t-test p and t_{n−1} 95% CI (Student 1908).
pub fn mean_bias(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    mean_bias_table(&PairTable::from_slices(&x[..n], &y[..n]))
}

/// Mean and SD (n − 1 denominator) of the differences x − y of a pair table.
fn difference_moments(t: &PairTable) -> (f64, f64) {
    let nf = t.n() as f64;
    let m = t.entries().map(|(a, b, w)| w * (a - b)).sum::<f64>() / nf;
    let ss = t
        .entries()
        .map(|(a, b, w)| w * (a - b - m).powi(2))
        .sum::<f64>();
    (m, (ss / (nf - 1.0)).sqrt())
}

/// [`mean_bias`] on a pair table.
pub fn mean_bias_table(t: &PairTable) -> Estimate {
    let n = t.n();
    if n < 2 {
        return Estimate::missing("fewer than 2 pairs").with_n(n);
    }
    let nf = n as f64;
    let (m, sd) = difference_moments(t);
    let se = sd / nf.sqrt();
    let h = t_quantile(0.975, nf - 1.0) * se;
    let mut e = Estimate::point(m).with_se(se).with_n(n);
    e = e.with_ci(m - h, m + h, "t");
    if se > 0.0 {
        e = e.with_p(t_two_sided_p(m / se, nf - 1.0));
    }
    e
}

/// The z of the limits of agreement: 1.96, as Bland & Altman (1986, 1999), pingouin and
/// SCHEMA.md write it (not the exact normal quantile 1.959964).
pub const LOA_Z: f64 = 1.96;

/// Bland–Altman limits bias ± 1.96·SD with approximate CIs (Bland & Altman 1999, section 5.1).
///
/// SE(limit) = SD·√(1/n + z²/(2(n − 1))) (the exact-form of the paper's √(3s²/n) shortcut), and
/// the CI is limit ± t_{n−1, .975}·SE; z = 1.96 (`LOA_Z`).
pub fn bland_altman(x: &[f64], y: &[f64]) -> BlandAltman {
    let n = x.len().min(y.len());
    bland_altman_table(&PairTable::from_slices(&x[..n], &y[..n]))
}

/// [`bland_altman`] on a pair table.
pub fn bland_altman_table(t: &PairTable) -> BlandAltman {
    let n = t.n();
    if n < 3 {
        return BlandAltman {
            reason: Some("fewer than 3 pairs".into()),
            ..Default::default()
        };
    }
    let nf = n as f64;
    let (m, sd) = difference_moments(t);
    let z = LOA_Z;
    let (lo, hi) = (m - z * sd, m + z * sd);
    let se = sd * (1.0 / nf + z * z / (2.0 * (nf - 1.0))).sqrt();
    let t = t_quantile(0.975, nf - 1.0);
    BlandAltman {
        bias: Some(m),
        sd: Some(sd),
        loa: Some([lo, hi]),
        loa_ci95: Some([[lo - t * se, lo + t * se], [hi - t * se, hi + t * se]]),
        ci_method: Some("bland-altman-1999".into()),
        reason: None,
    }
}

/// Two-way ANOVA mean squares of the table's pairs as an n × 2 matrix.
fn pair_mean_squares(t: &PairTable) -> MeanSquares {
    // Runs once per model-level resample: one allocation of the final size for the rows, and
    // the table's own counts as the weights (no growing vectors).
    let w = t.weights();
    let mut rows = Vec::with_capacity(2 * w.len());
    rows.extend(t.entries().flat_map(|(a, b, _)| [a, b]));
    mean_squares_weighted(&rows, w, 2)
}

/// ICC(A,1) and ICC(C,1) of two paired columns (McGraw & Wong 1996, with pingouin's CIs).
pub fn pair_icc(x: &[f64], y: &[f64]) -> PairIcc {
    let n = x.len().min(y.len());
    pair_icc_table(&PairTable::from_slices(&x[..n], &y[..n]))
}

/// [`pair_icc`] on a pair table.
pub fn pair_icc_table(t: &PairTable) -> PairIcc {
    let f = if t.n() < 2 {
        IccForms::missing("fewer than 2 targets rated by every rater")
    } else {
        icc_from_mean_squares(&pair_mean_squares(t))
    };
    PairIcc {
        icc_a1: f.icc2,
        icc_c1: f.icc3,
    }
}

/// All judge-vs-human statistics with analytic CIs, one pair per response.
pub fn paired_agreement(judge: &[f64], human: &[f64]) -> PairedAgreement {
    let n = judge.len().min(human.len());
    paired_agreement_table(&PairTable::from_slices(&judge[..n], &human[..n]))
}

/// [`paired_agreement`] on a pair table (judge = x, human = y).
pub fn paired_agreement_table(t: &PairTable) -> PairedAgreement {
    PairedAgreement {
        n: t.n(),
        icc: pair_icc_table(t),
        bias: mean_bias_table(t),
        bland_altman: bland_altman_table(t),
        pearson: pearson_table(t),
        spearman: spearman_table(t),
        kendall_tau_b: kendall_tau_b_table(t),
        ccc: lins_ccc_table(t),
    }
}

/// Point values of the nine bootstrapped quantities, NaN where undefined.
fn point_values(t: &PairTable) -> [f64; 9] {
    let nan = f64::NAN;
    let (icc_a, icc_c) = icc_a1_c1(&pair_mean_squares(t));
    let (d_mean, sd) = difference_moments(t);
    let z = LOA_Z;
    [
        icc_a.unwrap_or(nan),
        icc_c.unwrap_or(nan),
        d_mean,
        d_mean - z * sd,
        d_mean + z * sd,
        pearson_r_table(t).unwrap_or(nan),
        spearman_rho_table(t).unwrap_or(nan),
        kendall_tau_from_table(t).unwrap_or(nan),
        ccc_value_table(t).unwrap_or(nan),
    ]
}

/// Length of the sums [`add_pair`] keeps: n, Σx, Σy, Σx², Σy², Σxy.
pub(crate) const PAIR_SUMS: usize = 6;

/// Adds `w` pairs (x, y) to `s` (a negative `w` takes them off).
pub(crate) fn add_pair(s: &mut [f64], x: f64, y: f64, w: f64) {
    s[0] += w;
    s[1] += w * x;
    s[2] += w * y;
    s[3] += w * x * x;
    s[4] += w * y * y;
    s[5] += w * x * y;
}

/// ICC(A,1), ICC(C,1), the mean difference x − y, the lower and upper limit of agreement,
/// Pearson's r and Lin's CCC of the pairs summed in `s` ([`add_pair`]), NaN where undefined:
/// each a function of the six sums, so a jackknife replicate costs O(1).
pub(crate) fn pair_moments(s: &[f64]) -> [f64; 7] {
    let n = s[0];
    if n < 2.0 {
        return [f64::NAN; 7];
    }
    let (mx, my) = (s[1] / n, s[2] / n);
    let sxx = s[3] - n * mx * mx;
    let syy = s[4] - n * my * my;
    let sxy = s[5] - n * mx * my;
    // The two-way ANOVA of the n × 2 table: targets, Σ row sum², Σ y², the column sums.
    let anova = [n, s[3] + s[4] + 2.0 * s[5], s[3] + s[4], s[1], s[2]];
    let icc = icc_points(&mean_squares_from_sums(&anova));
    let d = mx - my;
    let sd = ((sxx + syy - 2.0 * sxy).max(0.0) / (n - 1.0)).sqrt();
    let r = if sxx > 0.0 && syy > 0.0 {
        (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
    } else {
        f64::NAN
    };
    let den = sxx + syy + n * d * d;
    let ccc = if den > 0.0 { 2.0 * sxy / den } else { f64::NAN };
    [icc[1], icc[2], d, d - LOA_Z * sd, d + LOA_Z * sd, r, ccc]
}

/// [`paired_agreement_table`] with every interval by the delete-one-cluster jackknife-t, for
/// responses nested in items: responses to one prompt are alike, and the analytic intervals,
/// which take them as independent, then cover 85–92% instead of 95%
/// (`tests/coverage_report.rs`). `members[starts[c]..starts[c + 1]]` holds the table entry of
/// each pair in cluster c (one index per pair). Leaving a cluster out takes its pairs off the
/// six sums of the moment statistics and off the table's counts for the rank ones (Spearman,
/// Kendall).
pub(crate) fn paired_agreement_clustered(
    t: &PairTable,
    members: &[usize],
    starts: &[usize],
) -> PairedAgreement {
    let mut a = paired_agreement_table(t);
    let xy: Vec<(f64, f64)> = t.entries().map(|(x, y, _)| (x, y)).collect();
    let mut total = [0.0; PAIR_SUMS];
    for (x, y, w) in t.entries() {
        add_pair(&mut total, x, y, w);
    }
    let clusters = starts.windows(2).map(|w| &members[w[0]..w[1]]);
    let mut reps: [Vec<f64>; 9] = std::array::from_fn(|_| Vec::with_capacity(clusters.len()));
    let mut rank = RankReplicates::new(t);
    for group in clusters {
        let mut rest = total;
        for &i in group {
            add_pair(&mut rest, xy[i].0, xy[i].1, -1.0);
        }
        let [a1, c1, bias, lower, upper, pearson, ccc] = pair_moments(&rest);
        let [spearman, kendall] = rank.without(group);
        // In `point_values` order.
        let values = [a1, c1, bias, lower, upper, pearson, spearman, kendall, ccc];
        for (r, v) in reps.iter_mut().zip(values) {
            r.push(v);
        }
    }
    a.icc.icc_a1 = cluster_jackknifed(a.icc.icc_a1, &reps[0]);
    a.icc.icc_c1 = cluster_jackknifed(a.icc.icc_c1, &reps[1]);
    a.bias = cluster_jackknifed(a.bias, &reps[2]);
    a.pearson = cluster_jackknifed(a.pearson, &reps[5]);
    a.spearman = cluster_jackknifed(a.spearman, &reps[6]);
    a.kendall_tau_b = cluster_jackknifed(a.kendall_tau_b, &reps[7]);
    a.ccc = cluster_jackknifed(a.ccc, &reps[8]);
    if let Some([lo, hi]) = a.bland_altman.loa {
        let limit = |v: f64, r: &[f64]| cluster_jackknifed(Estimate::point(v), r);
        let (lo, hi) = (limit(lo, &reps[3]), limit(hi, &reps[4]));
        let ba = &mut a.bland_altman;
        match (lo.ci95, hi.ci95) {
            (Some(l), Some(h)) => {
                ba.loa_ci95 = Some([l, h]);
                ba.ci_method = Some(CLUSTER_METHOD.into());
            }
            _ => {
                ba.loa_ci95 = None;
                ba.ci_method = None;
                ba.reason = lo.reason.or(hi.reason);
            }
        }
    }
    a
}

/// Same statistics on per-model means, every CI a seeded percentile bootstrap over models.
pub fn paired_agreement_bootstrap(
    judge: &[f64],
    human: &[f64],
    boot: BootstrapSpec,
) -> PairedAgreement {
    let mut out = paired_agreement(judge, human);
    let n = out.n;
    if n < 3 || boot.resamples == 0 {
        return out;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
    let (mut bx, mut by) = (vec![0.0; n], vec![0.0; n]);
    let mut table = PairTable::default();
    let mut draws: Vec<Vec<f64>> = (0..9).map(|_| Vec::with_capacity(boot.resamples)).collect();
    for _ in 0..boot.resamples {
        for i in 0..n {
            let k = rng.random_range(0..n);
            bx[i] = judge[k];
            by[i] = human[k];
        }
        table.fill_slices(&bx, &by);
        for (slot, v) in draws.iter_mut().zip(point_values(&table)) {
            slot.push(v);
        }
    }
    let mut boot_ci = |e: Estimate, i: usize| -> Estimate {
        // The analytic interval of the response level is replaced, not kept beside.
        let e = Estimate {
            ci95: None,
            ci_method: None,
            reason: e.value.is_none().then_some(e.reason).flatten(),
            ..e
        };
        e.with_bootstrap(boot.seed, boot.resamples)
            .with_percentile_ci(&mut draws[i], boot.resamples, "bootstrap-percentile")
    };
    out.icc.icc_a1 = boot_ci(out.icc.icc_a1, 0);
    out.icc.icc_c1 = boot_ci(out.icc.icc_c1, 1);
    out.bias = boot_ci(out.bias, 2);
    out.pearson = boot_ci(out.pearson, 5);
    out.spearman = boot_ci(out.spearman, 6);
    out.kendall_tau_b = boot_ci(out.kendall_tau_b, 7);
    out.ccc = boot_ci(out.ccc, 8);
    if out.bland_altman.loa.is_some() {
        let ci: Vec<Option<(f64, f64)>> = draws[3..5]
            .iter_mut()
            .map(|d| percentile_ci(d, boot.resamples))
            .collect();
        match (ci[0], ci[1]) {
            (Some(l), Some(h)) => {
                out.bland_altman.loa_ci95 = Some([[l.0, l.1], [h.0, h.1]]);
                out.bland_altman.ci_method = Some("bootstrap-percentile".into());
            }
            _ => {
                out.bland_altman.loa_ci95 = None;
                out.bland_altman.ci_method = None;
                out.bland_altman.reason =
                    Some("no interval: fewer than half of the bootstrap resamples defined".into());
            }
        }
    }
    out
}

/// A reliability label and what it was read from (see `reliability.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityClass {
    /// Response level: Koo & Li's category of both CI bounds ("poor", "moderate to good", …).
    /// Model level: MentalBench's width class "GR", "MR" or "PR". "undetermined" without a CI.
    pub class: String,
    /// The CI width (the basis of the model-level class; informative at the response level).
    pub ci_width: Option<f64>,
    /// The interval the class was read from. At the model level it is not the `ci95` of
    /// ICC(C,1) beside it, which keeps the replicates outside [0, 1] that this one drops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Which interval the class was read from, and by which rule.
    pub basis: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jackknife::with_jackknife_ci;

    #[test]
    fn shifted_judge_has_bias_and_consistency() {
        let h: Vec<f64> = (0..50).map(|i| f64::from(i % 5 + 1)).collect();
        let j: Vec<f64> = h.iter().map(|v| v + 0.7).collect();
        let a = paired_agreement(&j, &h);
        assert!((a.bias.value.unwrap() - 0.7).abs() < 1e-12);
        assert!((a.icc.icc_c1.value.unwrap() - 1.0).abs() < 1e-12);
        assert!(a.icc.icc_a1.value.unwrap() < 1.0);
        assert!((a.pearson.value.unwrap() - 1.0).abs() < 1e-12);
        let b = paired_agreement_bootstrap(&j[..10], &h[..10], BootstrapSpec::default());
        assert_eq!(b.pearson.seed, Some(42));
    }

    #[test]
    fn the_cluster_jackknife_takes_each_item_out_of_the_table() {
        // 12 items × 3 responses: judge scores and human means (thirds) with ties.
        let (mut x, mut y, mut item) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..12u32 {
            for m in 0..3u32 {
                let q = f64::from((i * 7 + m * 3) % 5 + 1);
                x.push((q + f64::from(m % 2)).min(5.0));
                y.push(q - f64::from((i + m) % 3) / 3.0);
                item.push(i);
            }
        }
        let t = PairTable::from_slices(&x, &y);
        let clusters: Vec<Vec<usize>> = (0..12)
            .map(|i| {
                (0..x.len())
                    .filter(|&r| item[r] == i)
                    .map(|r| t.entry_index(x[r], y[r]).unwrap())
                    .collect()
            })
            .collect();
        let starts: Vec<usize> = std::iter::once(0)
            .chain(clusters.iter().scan(0, |n, c| {
                *n += c.len();
                Some(*n)
            }))
            .collect();
        let a = paired_agreement_clustered(&t, &clusters.concat(), &starts);
        // The same jackknife with every replicate recomputed from the responses left.
        let replicate = |i: u32| {
            let keep = |v: &[f64]| -> Vec<f64> {
                v.iter()
                    .zip(&item)
                    .filter(|(_, &it)| it != i)
                    .map(|(v, _)| *v)
                    .collect()
            };
            point_values(&PairTable::from_slices(&keep(&x), &keep(&y)))
        };
        let reps: Vec<[f64; 9]> = (0..12).map(replicate).collect();
        let brute = |k: usize, v: f64| {
            let r: Vec<f64> = reps.iter().map(|r| r[k]).collect();
            with_jackknife_ci(Estimate::point(v), &r, None, CLUSTER_METHOD)
        };
        for (k, e) in [
            (0, &a.icc.icc_a1),
            (1, &a.icc.icc_c1),
            (2, &a.bias),
            (5, &a.pearson),
            (6, &a.spearman),
            (7, &a.kendall_tau_b),
            (8, &a.ccc),
        ] {
            let b = brute(k, e.value.unwrap());
            let (ci, want) = (e.ci95.unwrap(), b.ci95.unwrap());
            assert!(
                (ci[0] - want[0]).abs() < 1e-12 && (ci[1] - want[1]).abs() < 1e-12,
                "{k}"
            );
            assert_eq!(e.ci_method.as_deref(), Some(CLUSTER_METHOD));
            assert!(
                e.f.is_none() && e.p.is_some(),
                "{k}: the F test assumed independence"
            );
        }
        let loa = a.bland_altman.loa.unwrap();
        let [lower, upper] = a.bland_altman.loa_ci95.unwrap();
        let close =
            |a: [f64; 2], b: [f64; 2]| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9;
        assert!(close(lower, brute(3, loa[0]).ci95.unwrap()));
        assert!(close(upper, brute(4, loa[1]).ci95.unwrap()));
        // Items are fewer than responses: the clustered bias interval is the wider here.
        let plain = paired_agreement_table(&t).bias.ci95.unwrap();
        let clustered = a.bias.ci95.unwrap();
        assert_ne!(plain, clustered);
    }

    #[test]
    fn too_few_pairs_give_reasons() {
        let a = paired_agreement(&[1.0], &[2.0]);
        assert!(a.bias.reason.is_some() && a.icc.icc_a1.reason.is_some());
        assert!(a.bland_altman.reason.is_some());
    }
}
