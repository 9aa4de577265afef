//! The humans' intervals when responses are nested in items (several models answer each
//! prompt). Their analytic intervals take the responses as independent, and responses to one
//! prompt are alike: in simulation they covered 85–92% instead of 95%
//! (`tests/coverage_report.rs`). Each is replaced here by the delete-one-item jackknife-t that
//! alpha's interval uses. Every statistic below is a function of sums over targets, so leaving
//! an item out is one subtraction of its targets' terms, not a pass over the data.
//!
//! Left as they are: ICC(1) and the absolute-agreement forms, whose F intervals treat the
//! raters as random (leaving out items cannot), and the REML and Henderson ICCs, whose
//! intervals come from their fitted models.

use super::humans::rater_against_others;
use super::output::HumanReport;
use crate::bootstrap::TargetRows;
use crate::estimate::Estimate;
use crate::gwet::{add_row, coefficient_from_sums, coefficient_width, Chance};
use crate::icc::{add_complete_row, anova_width, icc_points, mean_squares_from_sums};
use crate::jackknife::{cluster_jackknifed, ClusterSums};
use crate::judge::{add_pair, pair_moments, PAIR_SUMS};
use crate::kappa::{category, kappa_values, n_categories, Weights};
use crate::matrix::RatingMatrix;

/// The rated targets of one sheet with the item cluster of each.
pub(super) struct ItemClusters<'a> {
    pub(super) m: &'a RatingMatrix,
    pub(super) rows: &'a TargetRows,
    /// Cluster of each kept target (`rows.keep` order), numbered 0..n.
    pub(super) cluster_of: &'a [usize],
    pub(super) n: usize,
}

impl ItemClusters<'_> {
    /// The distinct human rows (patterns).
    fn patterns(&self) -> impl Iterator<Item = &[Option<f64>]> + '_ {
        (0..self.rows.patterns.counts.len()).map(|p| self.rows.row(self.m, p))
    }

    /// Per-cluster sums of `width` terms per target, `term(row, out)` adding a row's terms to
    /// `out`: computed once per distinct row (pattern), kept sparse (a kappa table's row has
    /// one cell), then added up target by target.
    fn sums(&self, width: usize, term: impl Fn(&[Option<f64>], &mut [f64])) -> ClusterSums {
        let mut row_terms = vec![0.0; width];
        let (mut nonzero, mut starts) = (Vec::new(), vec![0]);
        for row in self.patterns() {
            row_terms.iter_mut().for_each(|t| *t = 0.0);
            term(row, &mut row_terms);
            nonzero.extend(
                row_terms
                    .iter()
                    .enumerate()
                    .filter(|(_, &v)| v != 0.0)
                    .map(|(i, &v)| (i, v)),
            );
            starts.push(nonzero.len());
        }
        let mut sums = ClusterSums::new(width, self.n);
        for (&c, &p) in self.cluster_of.iter().zip(&self.rows.patterns.item_pattern) {
            let cluster = sums.cluster_mut(c);
            for &(i, v) in &nonzero[starts[p as usize]..starts[p as usize + 1]] {
                cluster[i] += v;
            }
        }
        sums
    }

    /// `stat` of the sums without each cluster in turn, one replicate vector per output.
    fn replicates<const N: usize>(
        &self,
        sums: &ClusterSums,
        mut stat: impl FnMut(&[f64]) -> [f64; N],
    ) -> [Vec<f64>; N] {
        let mut reps: [Vec<f64>; N] = std::array::from_fn(|_| Vec::with_capacity(self.n));
        sums.for_each_left_out(|_, rest| {
            for (r, v) in reps.iter_mut().zip(stat(rest)) {
                r.push(v);
            }
        });
        reps
    }
}

/// Replaces the intervals of `h` that assume independent responses by the delete-one-item
/// jackknife's.
pub(super) fn jackknife_items(h: &mut HumanReport, items: &ItemClusters, scale: (i64, i64)) {
    if items.n < 2 {
        return;
    }
    consistency_iccs(h, items);
    if let Ok(q) = n_categories(scale) {
        if items
            .patterns()
            .all(|row| row.iter().flatten().all(|&v| category(v, scale).is_ok()))
        {
            chance_corrected(h, items, q, scale);
            pair_kappas(h, items, q, scale);
        }
    }
    rater_diagnostics(h, items);
}

/// Replaces `e`'s interval when it has a value.
fn jackknife(e: &mut Estimate, reps: &[f64]) {
    if e.value.is_some() {
        *e = cluster_jackknifed(std::mem::take(e), reps);
    }
}

/// ICC(C,1) and ICC(C,k) of the complete targets (raters fixed, as their F intervals assume).
fn consistency_iccs(h: &mut HumanReport, items: &ItemClusters) {
    let k = items.m.n_raters();
    if h.icc.icc3.value.is_none() && h.icc.icc3k.value.is_none() {
        return;
    }
    let sums = items.sums(anova_width(k), |cells, out| {
        if cells.iter().all(Option::is_some) {
            let row: Vec<f64> = cells.iter().map(|v| v.unwrap_or_default()).collect();
            add_complete_row(out, &row, 1.0);
        }
    });
    let [c1, ck] = items.replicates(&sums, |rest| {
        if rest[0] < 2.0 {
            return [f64::NAN; 2];
        }
        let v = icc_points(&mean_squares_from_sums(rest));
        [v[2], v[5]]
    });
    jackknife(&mut h.icc.icc3, &c1);
    jackknife(&mut h.icc.icc3k, &ck);
}

/// Fleiss' kappa (complete targets, and every target) and Gwet's AC1 and AC2.
fn chance_corrected(h: &mut HumanReport, items: &ItemClusters, q: usize, scale: (i64, i64)) {
    let w = |weights: Weights| weights.matrix(q);
    let (identity, linear, quadratic) = (
        w(Weights::Identity),
        w(Weights::Linear),
        w(Weights::Quadratic),
    );
    let width = coefficient_width(q);
    // Sums of: complete targets (identity weights); every target, by weighting.
    let counts = |row: &[Option<f64>]| {
        let mut c = vec![0.0; q];
        for &v in row.iter().flatten() {
            c[category(v, scale).expect("checked by the caller")] += 1.0;
        }
        c
    };
    let complete = items.sums(width, |row, out| {
        if row.iter().all(Option::is_some) {
            add_row(out, &counts(row), 1.0, &identity);
        }
    });
    let all = |w: &[f64]| items.sums(width, |row, out| add_row(out, &counts(row), 1.0, w));
    let sums = [complete, all(&identity), all(&linear), all(&quadratic)];
    let of = |s: &ClusterSums, w: &[f64], chance| {
        let [r] = items.replicates(s, |rest| [coefficient_from_sums(rest, w, q, chance)]);
        r
    };
    jackknife(
        &mut h.fleiss_kappa,
        &of(&sums[0], &identity, Chance::Fleiss),
    );
    jackknife(
        &mut h.fleiss_kappa_all,
        &of(&sums[1], &identity, Chance::Fleiss),
    );
    jackknife(&mut h.gwet.ac1, &of(&sums[1], &identity, Chance::Gwet));
    jackknife(&mut h.gwet.ac2_linear, &of(&sums[2], &linear, Chance::Gwet));
    jackknife(
        &mut h.gwet.ac2_quadratic,
        &of(&sums[3], &quadratic, Chance::Gwet),
    );
}

/// Cohen's kappas of every pair of humans, in the report's pair order.
fn pair_kappas(h: &mut HumanReport, items: &ItemClusters, q: usize, scale: (i64, i64)) {
    let k = items.m.n_raters();
    let [identity, linear, quadratic] =
        [Weights::Identity, Weights::Linear, Weights::Quadratic].map(|w| w.matrix(q));
    let mut pair = h.pairs.iter_mut();
    for a in 0..k {
        for b in (a + 1)..k {
            let Some(report) = pair.next() else {
                return;
            };
            let tables = items.sums(q * q, |row, out| {
                if let (Some(x), Some(y)) = (row[a], row[b]) {
                    let (i, j) = (category(x, scale), category(y, scale));
                    out[i.expect("checked") * q + j.expect("checked")] += 1.0;
                }
            });
            let mut scratch = vec![0.0; 2 * q];
            let [u, l, qd] = items.replicates(&tables, |rest| {
                kappa_values(rest, q, [&identity, &linear, &quadratic], &mut scratch)
            });
            jackknife(&mut report.kappa.unweighted, &u);
            jackknife(&mut report.kappa.linear, &l);
            jackknife(&mut report.kappa.quadratic, &qd);
        }
    }
}

/// Each human against the others' mean: ICC(C,1) and the mean difference, from the six sums
/// of the (score, others' mean) pairs.
fn rater_diagnostics(h: &mut HumanReport, items: &ItemClusters) {
    for (j, d) in h.rater_diagnostics.iter_mut().enumerate() {
        let sums = items.sums(PAIR_SUMS, |row, out| {
            if let Some((v, o)) = rater_against_others(row, j) {
                add_pair(out, v, o, 1.0);
            }
        });
        let [c1, bias] = items.replicates(&sums, |rest| {
            let m = pair_moments(rest);
            [m[1], m[2]]
        });
        jackknife(&mut d.icc_c1, &c1);
        jackknife(&mut d.bias, &bias);
    }
}

#[cfg(test)]
mod tests {
    use crate::gwet::gwet;
    use crate::icc::icc_forms;
    use crate::jackknife::{with_jackknife_ci, CLUSTER_METHOD};
    use crate::judge::{mean_bias, pair_icc};
    use crate::kappa::{cohen_kappa, fleiss_kappa, fleiss_kappa_all};
    use crate::matrix::RatingMatrix;
    use crate::report::{
        agreement_report, AttributeSpec, Observation, RaterSpec, ReportOptions, StudyRatings,
        TargetSpec,
    };
    use crate::Estimate;

    /// 24 items × 4 responses × 3 raters on 1–5, some cells missing; (rows, item of each).
    fn study() -> (Vec<Vec<Option<f64>>>, Vec<usize>) {
        let (mut rows, mut item) = (Vec::new(), Vec::new());
        for i in 0..24usize {
            for r in 0..4usize {
                let q = (i * 5 + r * 3) % 4 + 1;
                let row = (0..3usize)
                    .map(|k| {
                        let v = (q + (i + r * k) % 3 / 2 + k % 2).min(5) as f64;
                        ((i + r + k) % 7 != 0).then_some(v)
                    })
                    .collect();
                rows.push(row);
                item.push(i);
            }
        }
        (rows, item)
    }

    fn report(rows: &[Vec<Option<f64>>], item: &[usize]) -> crate::report::HumanReport {
        let data = StudyRatings {
            attributes: vec![AttributeSpec {
                key: "a".into(),
                group: None,
                scale_min: 1,
                scale_max: 5,
            }],
            raters: (0..3)
                .map(|k| RaterSpec {
                    name: format!("h{k}"),
                    is_judge: false,
                })
                .collect(),
            targets: item
                .iter()
                .enumerate()
                .map(|(t, i)| TargetSpec {
                    id: format!("r{t}"),
                    model: format!("m{}", t % 4),
                    length: None,
                    item: Some(format!("i{i}")),
                })
                .collect(),
            ratings: rows
                .iter()
                .enumerate()
                .flat_map(|(t, row)| {
                    row.iter().enumerate().filter_map(move |(k, v)| {
                        v.map(|value| Observation {
                            target: t,
                            rater: k,
                            attribute: 0,
                            value,
                        })
                    })
                })
                .collect(),
        };
        let opts = ReportOptions {
            bootstrap: 0,
            min_complete_responses: 2,
            ..ReportOptions::default()
        };
        agreement_report(&data, &opts).attributes.remove(0).humans
    }

    #[test]
    fn every_human_interval_is_the_jackknife_of_leaving_each_item_out() {
        let (rows, item) = study();
        let h = report(&rows, &item);
        assert_eq!(h.cluster_unit, "item");
        // Each statistic recomputed from scratch on the responses of the other 23 items.
        let without = |i: usize| {
            let kept: Vec<Vec<Option<f64>>> = rows
                .iter()
                .zip(&item)
                .filter(|(_, &it)| it != i)
                .map(|(r, _)| r.clone())
                .collect();
            RatingMatrix::from_rows(&kept).unwrap()
        };
        let scale = (1, 5);
        let v = |e: &Estimate| e.value.unwrap_or(f64::NAN);
        let against_others = |m: &RatingMatrix, j: usize| {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for t in 0..m.n_targets() {
                if let Some((a, b)) = super::rater_against_others(m.row(t), j) {
                    x.push(a);
                    y.push(b);
                }
            }
            (x, y)
        };
        let replicate = |i: usize| -> Vec<f64> {
            let m = without(i);
            let g = gwet(&m, scale);
            let icc = icc_forms(&m).icc;
            let mut out = vec![
                v(&icc.icc3),
                v(&icc.icc3k),
                v(&fleiss_kappa(&m, scale)),
                v(&fleiss_kappa_all(&m, scale)),
                v(&g.ac1),
                v(&g.ac2_linear),
                v(&g.ac2_quadratic),
            ];
            for (a, b) in [(0, 1), (0, 2), (1, 2)] {
                let column = |c: usize| -> Vec<Option<f64>> {
                    (0..m.n_targets()).map(|t| m.row(t)[c]).collect()
                };
                let k = cohen_kappa(&column(a), &column(b), scale).kappa;
                out.extend([v(&k.unweighted), v(&k.linear), v(&k.quadratic)]);
            }
            for j in 0..3 {
                let (x, y) = against_others(&m, j);
                out.extend([v(&pair_icc(&x, &y).icc_c1), v(&mean_bias(&x, &y))]);
            }
            out
        };
        let reps: Vec<Vec<f64>> = (0..24).map(replicate).collect();
        let mut shown: Vec<&Estimate> = vec![
            &h.icc.icc3,
            &h.icc.icc3k,
            &h.fleiss_kappa,
            &h.fleiss_kappa_all,
            &h.gwet.ac1,
            &h.gwet.ac2_linear,
            &h.gwet.ac2_quadratic,
        ];
        for p in &h.pairs {
            shown.extend([&p.kappa.unweighted, &p.kappa.linear, &p.kappa.quadratic]);
        }
        for d in &h.rater_diagnostics {
            shown.extend([&d.icc_c1, &d.bias]);
        }
        assert_eq!(shown.len(), reps[0].len());
        for (s, e) in shown.iter().enumerate() {
            let r: Vec<f64> = reps.iter().map(|r| r[s]).collect();
            let want = with_jackknife_ci(Estimate::point(v(e)), &r, None, CLUSTER_METHOD);
            let (got, want) = (e.ci95.unwrap(), want.ci95.unwrap());
            assert!(
                (got[0] - want[0]).abs() < 1e-9 && (got[1] - want[1]).abs() < 1e-9,
                "statistic {s}: {got:?} vs {want:?}"
            );
            assert_eq!(e.ci_method.as_deref(), Some(CLUSTER_METHOD), "{s}");
        }
        // The forms that treat raters as random keep their F intervals.
        assert_eq!(h.icc.icc2.ci_method.as_deref(), Some("F"));
    }
}
