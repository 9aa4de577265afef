//! Delete-one-cluster jackknife for statistics that are functions of sums over targets.
//!
//! When a statistic depends on the data only through column sums of per-target rows, leaving
//! one cluster out is one subtraction from the total, so the C replicates of the jackknife cost
//! C evaluations of the statistic instead of a pass over the data each (a bootstrap's B = 1,000
//! resamples each cost a pass). The jackknife variance is the bootstrap's to first order (both
//! estimate the variance of the statistic's linearisation; Efron & Tibshirani 1993, ch. 11 and
//! 21), and deleting whole clusters keeps responses to the same item together as the cluster
//! bootstrap does.

use crate::dist::{t_quantile, t_two_sided_p};
use crate::estimate::Estimate;

/// Each entry's cluster numbered densely in order of first appearance (`items` gives each
/// entry's item), and the number of clusters.
pub(crate) fn dense_clusters(items: impl Iterator<Item = u32>) -> (Vec<usize>, usize) {
    let mut slot: Vec<usize> = Vec::new();
    let mut n = 0;
    let of = items
        .map(|item| {
            let item = item as usize;
            if item >= slot.len() {
                slot.resize(item + 1, usize::MAX);
            }
            if slot[item] == usize::MAX {
                slot[item] = n;
                n += 1;
            }
            slot[item]
        })
        .collect();
    (of, n)
}

/// `values` grouped by cluster (`cluster_of`, numbered 0..n): cluster c's values are
/// `members[starts[c]..starts[c + 1]]`, in their order (one allocation, not one per cluster).
pub(crate) fn by_cluster(
    cluster_of: &[usize],
    n: usize,
    values: impl Iterator<Item = usize>,
) -> (Vec<usize>, Vec<usize>) {
    let mut starts = vec![0; n + 1];
    for &c in cluster_of {
        starts[c + 1] += 1;
    }
    for c in 0..n {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut members = vec![0; cluster_of.len()];
    for (&c, v) in cluster_of.iter().zip(values) {
        members[next[c]] = v;
        next[c] += 1;
    }
    (members, starts)
}

/// Column sums of per-target rows, per cluster.
#[derive(Clone)]
pub(crate) struct ClusterSums {
    width: usize,
    /// Cluster c's sums are `by_cluster[c * width..(c + 1) * width]`.
    by_cluster: Vec<f64>,
}

impl ClusterSums {
    /// Zero sums for `n_clusters` clusters of `width`-wide rows.
    pub(crate) fn new(width: usize, n_clusters: usize) -> Self {
        ClusterSums {
            width,
            by_cluster: vec![0.0; width * n_clusters],
        }
    }

    /// Cluster `c`'s sums, to add a target's row to.
    pub(crate) fn cluster_mut(&mut self, c: usize) -> &mut [f64] {
        &mut self.by_cluster[c * self.width..(c + 1) * self.width]
    }

    /// The sums over every cluster.
    pub(crate) fn total(&self) -> Vec<f64> {
        let mut total = vec![0.0; self.width];
        for cluster in self.by_cluster.chunks_exact(self.width.max(1)) {
            for (t, v) in total.iter_mut().zip(cluster) {
                *t += v;
            }
        }
        total
    }

    /// Column `col`'s total without each cluster in turn (`for_each_left_out` of one column,
    /// without the other columns' sums).
    pub(crate) fn column_without_each(&self, col: usize) -> Vec<f64> {
        let rows = || self.by_cluster.chunks_exact(self.width.max(1));
        let total: f64 = rows().map(|row| row[col]).sum();
        rows().map(|row| total - row[col]).collect()
    }

    /// `each(c, sums without cluster c)` for every cluster c in turn.
    pub(crate) fn for_each_left_out(&self, mut each: impl FnMut(usize, &[f64])) {
        let total = self.total();
        let mut rest = vec![0.0; self.width];
        for (c, cluster) in self.by_cluster.chunks_exact(self.width.max(1)).enumerate() {
            for ((r, t), v) in rest.iter_mut().zip(&total).zip(cluster) {
                *r = t - v;
            }
            each(c, &rest);
        }
    }
}

/// `e` with the jackknife standard error sqrt((C − 1)/C · Σ_c (θ_(c) − θ̄)²) of its C
/// leave-one-cluster-out replicates and the interval θ ± t_{C−1, 0.975} · SE (`method` names
/// it). `counts`, when given, says how many clusters share each replicate (clusters with equal
/// data have equal replicates, computed once). No interval, with the reason, when there are
/// fewer than 2 clusters or a replicate is undefined (the variance would rest on the clusters
/// whose removal happens to be harmless).
pub(crate) fn with_jackknife_ci(
    e: Estimate,
    reps: &[f64],
    counts: Option<&[f64]>,
    method: &str,
) -> Estimate {
    let Some(v) = e.value else {
        return e;
    };
    let count = |i: usize| counts.map_or(1.0, |c| c[i]);
    // One pass for the clusters, the undefined replicates and the sum.
    let (mut c, mut undefined, mut sum) = (0.0, 0.0, 0.0);
    for (i, r) in reps.iter().enumerate() {
        let k = count(i);
        c += k;
        if r.is_finite() {
            sum += r * k;
        } else {
            undefined += k;
        }
    }
    if c < 2.0 {
        return e.with_reason_if_none("no interval: fewer than 2 clusters to leave out");
    }
    if undefined > 0.0 {
        return e.with_reason_if_none(&format!(
            "no interval: leaving out {undefined} of {c} clusters made the statistic undefined"
        ));
    }
    let mean = sum / c;
    let ss: f64 = reps
        .iter()
        .enumerate()
        .map(|(i, r)| count(i) * (r - mean).powi(2))
        .sum();
    let se = ((c - 1.0) / c * ss).sqrt();
    let h = t_quantile(0.975, c - 1.0) * se;
    let e = e.with_se(se).with_ci(v - h, v + h, method);
    if h <= 1e-12 * v.abs().max(1.0) {
        return e.with_reason_if_none("zero-width interval: every leave-one-out value is the same");
    }
    e
}

/// Name of the delete-one-item interval, for responses nested in items.
pub(crate) const CLUSTER_METHOD: &str = "cluster-jackknife-t";

/// `e` with its interval (and the test beside it) replaced by the delete-one-cluster
/// jackknife-t of the replicates `reps`, one per cluster left out: for a statistic whose
/// analytic interval takes the responses as independent when they are nested in items. The
/// F statistic and its degrees of freedom go (they belong to the analytic test), and the p-value
/// becomes the jackknife t test of 0 on C − 1 df.
pub(crate) fn cluster_jackknifed(e: Estimate, reps: &[f64]) -> Estimate {
    let e = Estimate {
        ci95: None,
        se: None,
        f: None,
        df1: None,
        df2: None,
        p: None,
        ci_method: None,
        ..e
    };
    let e = with_jackknife_ci(e, reps, None, CLUSTER_METHOD);
    match (e.value, e.se) {
        (Some(v), Some(se)) if se > 0.0 => e.with_p(t_two_sided_p(v / se, reps.len() as f64 - 1.0)),
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sums of the one-target rows (1, value), each in its cluster.
    fn counted(values: &[(usize, f64)], n_clusters: usize) -> ClusterSums {
        let mut sums = ClusterSums::new(2, n_clusters);
        for &(c, v) in values {
            let row = sums.cluster_mut(c);
            row[0] += 1.0;
            row[1] += v;
        }
        sums
    }

    /// `stat` of the sums without each cluster in turn (NaN where undefined).
    fn left_out(sums: &ClusterSums, stat: impl Fn(&[f64]) -> Option<f64>) -> Vec<f64> {
        let mut reps = Vec::new();
        sums.for_each_left_out(|_, s| reps.push(stat(s).unwrap_or(f64::NAN)));
        reps
    }

    #[test]
    fn the_jackknife_of_a_mean_is_its_standard_error() {
        // For the mean, the delete-one jackknife SE is exactly s/√n.
        let x = [2.0, 4.0, 4.0, 5.0, 7.0, 9.0];
        let sums = counted(&x.iter().copied().enumerate().collect::<Vec<_>>(), x.len());
        let mean = |s: &[f64]| (s[0] > 0.0).then(|| s[1] / s[0]);
        let reps = left_out(&sums, mean);
        let e = with_jackknife_ci(
            Estimate::point(mean(&sums.total()).unwrap()),
            &reps,
            None,
            "t",
        );
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let s = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt();
        assert!((e.se.unwrap() - s / n.sqrt()).abs() < 1e-12);
        // t_{5, 0.975} = 2.570581835636314 (scipy.stats.t.ppf).
        let h = 2.570_581_835_636_314 * s / n.sqrt();
        let [lo, hi] = e.ci95.unwrap();
        assert!((lo - (m - h)).abs() < 1e-9 && (hi - (m + h)).abs() < 1e-9);
    }

    #[test]
    fn clusters_move_together_and_undefined_replicates_give_a_reason() {
        // Two targets per cluster: the replicate leaves both out.
        let sums = counted(&[(0, 1.0), (0, 3.0), (1, 10.0), (1, 20.0)], 2);
        let means = left_out(&sums, |s| Some(s[1] / s[0]));
        let sums_left = left_out(&sums, |s| Some(s[1]));
        assert_eq!((means, sums_left), (vec![15.0, 2.0], vec![30.0, 4.0]));
        let reps = left_out(&sums, |s| (s[1] > 10.0).then_some(s[1]));
        let e = with_jackknife_ci(Estimate::point(34.0), &reps, None, "t");
        assert!(e.ci95.is_none());
        assert!(e.reason.unwrap().contains("1 of 2 clusters"));
        // Counts stand for clusters with equal replicates.
        let reps = [1.0, 2.0, 2.0, 2.0, 5.0];
        let plain = with_jackknife_ci(Estimate::point(2.4), &reps, None, "t");
        let counted = with_jackknife_ci(
            Estimate::point(2.4),
            &[1.0, 2.0, 5.0],
            Some(&[1.0, 3.0, 1.0]),
            "t",
        );
        assert!((plain.se.unwrap() - counted.se.unwrap()).abs() < 1e-12);
        assert_eq!(plain.ci95.is_some(), counted.ci95.is_some());
    }
}
