//! The humans' inter-rater statistics on one sheet: every ICC form, alpha, the kappas, Gwet's
//! coefficients, each pair of raters and each rater against the others.

use super::human_items::{jackknife_items, ItemClusters};
use super::output::{HumanReport, PairReport, RaterDiagnostic};
use super::sheets::Sheet;
use crate::alpha::{alpha_jackknifed, AlphaSet, Level};
use crate::bootstrap::{BootstrapSpec, TargetRows};
use crate::correlation::PairTable;
use crate::estimate::Estimate;
use crate::gwet::gwet_pooled;
use crate::icc::{icc_forms_pooled, icc_unbalanced_of, IccForms};
use crate::jackknife::dense_clusters;
use crate::judge::{mean_bias_table, pair_icc_table};
use crate::judge_bias::{clinician_reference, ClinicianReference};
use crate::kappa::{cohen_kappa_weighted, fleiss_kappa_all_pooled, fleiss_kappa_pooled};
use crate::matrix::RatingMatrix;
use crate::reml::{icc_reml_of, RemlData};
use crate::replacement::{replacement, replacement_on, HumanSide, Replacement};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock, RwLockReadGuard};

/// The human columns of one sheet, pooled by target pattern (targets with identical human
/// rows). Every human metric, the rater diagnostics and the judge comparisons read these
/// patterns with their multiplicities instead of walking all targets again.
pub(super) struct HumanRows {
    /// Targets × humans.
    pub(super) m: RatingMatrix,
    rows: TargetRows,
    /// Pattern of each target (`None` when no human rated it).
    pub(super) target_pattern: Vec<Option<u32>>,
    /// Mean human score of each pattern.
    pub(super) mean: Vec<f64>,
    /// Each judge's scores, by target, in the report's judge order.
    pub(super) judge_columns: Vec<Vec<Option<f64>>>,
    /// Each human against the others' mean on every rated target, shared by the judges scored
    /// on all of them (computed with the humans' statistics when the report has judges, else by
    /// the first judge that needs it).
    clinicians: OnceLock<Vec<ClinicianReference>>,
    /// The humans' half of the replacement test on every target two humans rated, shared as
    /// `clinicians` is by the judges scored on all of them.
    replacement_side: OnceLock<HumanSide>,
}

/// One sheet's humans as its judges read them: the rows and the report, computed once; the
/// rows dropped by the last of the sheet's judges (the report stays, for the output), so that
/// the sheets after it reuse their memory.
pub(super) struct SheetHumans {
    computed: OnceLock<(RwLock<Option<HumanRows>>, HumanReport)>,
    judges_left: AtomicUsize,
}

impl SheetHumans {
    /// A sheet read by `judges` judges.
    pub(super) fn new(judges: usize) -> SheetHumans {
        SheetHumans {
            computed: OnceLock::new(),
            judges_left: AtomicUsize::new(judges),
        }
    }

    /// These humans, computed by `compute` on the first call (a caller meanwhile waits for it).
    /// Without judges the rows go at once.
    pub(super) fn get_or_compute(
        &self,
        compute: impl FnOnce() -> (HumanRows, HumanReport),
    ) -> &SheetHumans {
        self.computed.get_or_init(|| {
            let (rows, report) = compute();
            let kept = (self.judges_left.load(Ordering::Acquire) > 0).then_some(rows);
            (RwLock::new(kept), report)
        });
        self
    }

    /// The rows (until the last judge is done) and the report.
    pub(super) fn read(&self) -> (RwLockReadGuard<'_, Option<HumanRows>>, &HumanReport) {
        let (rows, report) = self.computed.get().expect("read after get_or_compute");
        (
            rows.read().expect("no judge panicked holding the rows"),
            report,
        )
    }

    /// One judge is done with the rows; the last drops them.
    pub(super) fn judged(&self) {
        if self.judges_left.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some((rows, _)) = self.computed.get() {
                *rows.write().expect("no judge panicked holding the rows") = None;
            }
        }
    }

    /// The report, once every job is done.
    pub(super) fn into_report(self) -> HumanReport {
        let (_, report) = self
            .computed
            .into_inner()
            .expect("every sheet's humans were computed");
        report
    }
}

impl HumanRows {
    pub(super) fn new(sheet: &Sheet, humans: &[usize], judges: &[usize]) -> HumanRows {
        let (m, judge_columns) = sheet.m.split(humans, judges);
        let rows = TargetRows::new(&m);
        let target_pattern = rows.target_patterns(m.n_targets());
        let mean = (0..rows.patterns.len())
            .map(|p| {
                let (mut sum, mut cnt) = (0.0, 0.0);
                for v in rows.row(&m, p).iter().flatten() {
                    sum += v;
                    cnt += 1.0;
                }
                sum / cnt
            })
            .collect();
        HumanRows {
            m,
            rows,
            target_pattern,
            mean,
            judge_columns,
            clinicians: OnceLock::new(),
            replacement_side: OnceLock::new(),
        }
    }

    /// Computes what the sheet's judges share now, in the humans' job: left to the first judge,
    /// it would hold up the sheet's other judges, which start beside it and wait for it.
    pub(super) fn share_with_judges(&self, names: &[String], items: Option<&[u32]>) {
        self.shared_clinicians(names);
        self.shared_side(items);
    }

    /// Each human against the others' mean on every target some human rated.
    fn shared_clinicians(&self, names: &[String]) -> &Vec<ClinicianReference> {
        self.clinicians
            .get_or_init(|| clinician_reference(&self.m, &self.rows.keep, names))
    }

    /// The humans' half of the replacement test on every target two humans rated.
    fn shared_side(&self, items: Option<&[u32]>) -> &HumanSide {
        self.replacement_side
            .get_or_init(|| HumanSide::new(&self.m, |_| true, items))
    }

    /// [`clinician_reference`] on `targets` (in target order), from the shared copy when they
    /// are every target some human rated.
    pub(super) fn clinicians(
        &self,
        targets: &[usize],
        names: &[String],
    ) -> Vec<ClinicianReference> {
        if targets.len() < self.rows.keep.len() {
            return clinician_reference(&self.m, targets, names);
        }
        self.shared_clinicians(names).clone()
    }

    /// [`replacement`] of the judge scored `judge` (by target) against these humans, from the
    /// shared humans' half when the judge is scored on every target two humans rated (`items`
    /// is the report's, the same for every judge).
    pub(super) fn replacement(
        &self,
        judge: &[Option<f64>],
        names: &[String],
        items: Option<&[u32]>,
    ) -> Replacement {
        let side = self.shared_side(items);
        match side.covers(judge) {
            true => replacement_on(side, judge, &self.m, names),
            false => replacement(judge, &self.m, names, items),
        }
    }

    /// The human row of pattern `p`.
    pub(super) fn pattern_row(&self, p: usize) -> &[Option<f64>] {
        self.rows.row(&self.m, p)
    }

    /// (pattern row, multiplicity) for every pattern.
    fn weighted_rows(&self) -> impl Iterator<Item = (&[Option<f64>], f64)> + '_ {
        let counts = &self.rows.patterns.counts;
        (0..counts.len()).map(move |p| (self.rows.row(&self.m, p), f64::from(counts[p])))
    }
}

/// The humans' statistics on `sheet`, from its pooled rows `hr`.
pub(super) fn human_report(
    sheet: &Sheet,
    hr: &HumanRows,
    names: &[String],
    boot: BootstrapSpec,
    items: Option<&[u32]>,
    min_complete: usize,
) -> HumanReport {
    let (m, rows) = (&hr.m, &hr.rows);
    let n_targets = rows.keep.len();
    // A complete target is a rated one with every rater present.
    let n_complete = hr
        .weighted_rows()
        .filter(|(r, _)| r.iter().all(Option::is_some))
        .map(|(_, w)| w as usize)
        .sum::<usize>();
    // Complete-case forms on a handful of responses swing wildly and, during labelling, would
    // replace the headline by numbers on n = 2: below the minimum they are not shown.
    let too_few = (m.n_raters() >= 2 && n_complete < min_complete).then(|| {
        format!("too few responses rated by all: n = {n_complete} (minimum {min_complete})")
    });
    let icc = match &too_few {
        Some(reason) => IccForms::missing(reason),
        None => icc_forms_pooled(m, rows).0,
    };
    // Cluster of each kept target, when items are the unit.
    let clusters: Option<Vec<u32>> = items.map(|of| rows.keep.iter().map(|&t| of[t]).collect());
    let dense = clusters.as_ref().map(|c| dense_clusters(c.iter().copied()));
    let n_clusters = dense.as_ref().map(|d| d.1);
    let mut alpha_it = alpha_jackknifed(m, rows, &Level::ALL, clusters.as_deref()).into_iter();
    let mut next = || {
        alpha_it
            .next()
            .unwrap_or_else(|| Estimate::missing("not computed"))
    };
    let alpha = AlphaSet {
        nominal: next(),
        ordinal: next(),
        interval: next(),
        ratio: next(),
    };
    let reml_data = RemlData::new(m);
    let mut report = HumanReport {
        raters: names.to_vec(),
        n_targets,
        n_dropped: n_targets - n_complete,
        icc,
        icc_unbalanced: icc_unbalanced_of(m, &reml_data, boot),
        icc_reml: icc_reml_of(&reml_data, boot),
        alpha,
        fleiss_kappa: match &too_few {
            Some(reason) => Estimate::missing(reason),
            None => fleiss_kappa_pooled(m, rows, sheet.scale),
        },
        fleiss_kappa_all: fleiss_kappa_all_pooled(m, rows, sheet.scale),
        gwet: gwet_pooled(m, rows, sheet.scale),
        pairs: rater_pairs(hr, names, sheet.scale),
        rater_diagnostics: rater_diagnostics(hr, names),
        cluster_unit: if clusters.is_some() {
            "item"
        } else {
            "response"
        }
        .into(),
        n_clusters,
    };
    if let Some((cluster_of, n)) = &dense {
        let items = ItemClusters {
            m,
            rows,
            cluster_of,
            n: *n,
        };
        jackknife_items(&mut report, &items, sheet.scale);
    }
    bound_human_intervals(&mut report);
    report
}

/// Every interval of the human report inside its parameter's range and around its estimate
/// (see [`Estimate::within_range`]).
fn bound_human_intervals(h: &mut HumanReport) {
    let coef = |e: &mut Estimate| *e = std::mem::take(e).within_range(-1.0, 1.0);
    let upper = |e: &mut Estimate| *e = std::mem::take(e).within_range(f64::NEG_INFINITY, 1.0);
    let share = |e: &mut Estimate| *e = std::mem::take(e).within_range(0.0, 1.0);
    let variance = |e: &mut Estimate| *e = std::mem::take(e).within_range(0.0, f64::INFINITY);
    // Single-rater ICCs are ≥ −1/(k − 1) ≥ −1; average-measure ICCs and alpha only ≤ 1.
    let i = &mut h.icc;
    [&mut i.icc1, &mut i.icc2, &mut i.icc3]
        .into_iter()
        .for_each(coef);
    [&mut i.icc1k, &mut i.icc2k, &mut i.icc3k]
        .into_iter()
        .for_each(upper);
    [&mut h.icc_unbalanced.icc_a1, &mut h.icc_unbalanced.icc_c1]
        .into_iter()
        .for_each(share);
    let r = &mut h.icc_reml;
    [&mut r.icc_a1, &mut r.icc_c1, &mut r.icc_ak, &mut r.icc_ck]
        .into_iter()
        .for_each(share);
    let c = &mut r.components;
    [&mut c.target, &mut c.rater, &mut c.residual]
        .into_iter()
        .for_each(variance);
    let a = &mut h.alpha;
    [
        &mut a.nominal,
        &mut a.ordinal,
        &mut a.interval,
        &mut a.ratio,
    ]
    .into_iter()
    .for_each(upper);
    let g = &mut h.gwet;
    [
        &mut h.fleiss_kappa,
        &mut h.fleiss_kappa_all,
        &mut g.ac1,
        &mut g.ac2_linear,
        &mut g.ac2_quadratic,
    ]
    .into_iter()
    .for_each(coef);
    for p in &mut h.pairs {
        let k = &mut p.kappa;
        [&mut k.unweighted, &mut k.linear, &mut k.quadratic]
            .into_iter()
            .for_each(coef);
    }
    for d in &mut h.rater_diagnostics {
        coef(&mut d.icc_c1);
    }
}

/// Cohen's kappas for every pair of humans, from the pooled rows.
fn rater_pairs(hr: &HumanRows, names: &[String], scale: (i64, i64)) -> Vec<PairReport> {
    let k = hr.m.n_raters();
    let mut pairs = Vec::new();
    for a in 0..k {
        for b in (a + 1)..k {
            let both = hr
                .weighted_rows()
                .filter_map(|(r, w)| Some((r[a]?, r[b]?, w)));
            let p = cohen_kappa_weighted(both, scale);
            pairs.push(PairReport {
                raters: [names[a].clone(), names[b].clone()],
                n: p.n,
                kappa: p.kappa,
                exact: p.exact,
                within_one: p.within_one,
            });
        }
    }
    pairs
}

/// Rater `j`'s score on a target and the mean of the others' scores, when both exist.
pub(super) fn rater_against_others(row: &[Option<f64>], j: usize) -> Option<(f64, f64)> {
    let v = row[j]?;
    let (mut sum, mut cnt) = (0.0, 0.0);
    for (k, c) in row.iter().enumerate() {
        if let (true, Some(o)) = (k != j, c) {
            sum += o;
            cnt += 1.0;
        }
    }
    (cnt > 0.0).then(|| (v, sum / cnt))
}

/// Each human against the mean of the other humans on the same target.
fn rater_diagnostics(hr: &HumanRows, names: &[String]) -> Vec<RaterDiagnostic> {
    (0..hr.m.n_raters())
        .map(|j| {
            let pairs = hr
                .weighted_rows()
                .filter_map(|(row, w)| rater_against_others(row, j).map(|(v, o)| (v, o, w)));
            let t = PairTable::from_weighted(pairs);
            RaterDiagnostic {
                rater: names[j].clone(),
                n: t.n(),
                icc_c1: pair_icc_table(&t).icc_c1,
                bias: mean_bias_table(&t),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheets_rows_go_with_its_last_judge_and_its_report_stays() {
        let mut cells = super::super::Cells::unrated(4, 2);
        for (t, row) in [[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [5.0, 4.0]]
            .iter()
            .enumerate()
        {
            cells.set(t, 0, row[0]);
            cells.set(t, 1, row[1]);
        }
        let sheet = Sheet {
            key: "a".into(),
            group: None,
            scale: (1, 5),
            m: cells,
        };
        let names = vec!["x".to_string(), "y".to_string()];
        let compute = || {
            let hr = HumanRows::new(&sheet, &[0, 1], &[]);
            let boot = BootstrapSpec {
                resamples: 20,
                seed: 1,
            };
            let report = human_report(&sheet, &hr, &names, boot, None, 2);
            (hr, report)
        };
        let two = SheetHumans::new(2);
        two.get_or_compute(compute);
        assert_eq!(two.read().0.as_ref().map(|hr| hr.m.n_targets()), Some(4));
        two.judged();
        assert!(two.read().0.is_some(), "one judge is still to come");
        two.judged();
        assert!(two.read().0.is_none(), "the last judge dropped the rows");
        assert_eq!(two.into_report().raters, names);
        // Without judges nobody reads the rows: they go at once.
        let none = SheetHumans::new(0);
        none.get_or_compute(compute);
        assert!(none.read().0.is_none());
        assert_eq!(none.into_report().n_targets, 4);
    }
}
