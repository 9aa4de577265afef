//! Each judge against the human mean on one sheet: the paired statistics per response or per
//! model, the alternative-annotator and replacement tests, the judge's biases and the verdict.

use super::humans::HumanRows;
use super::input::{ReportOptions, StudyRatings, Unit};
use super::output::{HumanReport, JudgeReport, ModelCount};
use super::sheets::Models;
use crate::alt_test::alt_test_pooled;
use crate::bootstrap::{BootstrapSpec, FastHash};
use crate::correlation::PairTable;
use crate::estimate::Estimate;
use crate::jackknife::{by_cluster, dense_clusters};
use crate::judge::{
    paired_agreement_bootstrap, paired_agreement_clustered, paired_agreement_table, PairedAgreement,
};
use crate::judge_bias::{judge_bias, BiasPair};
use crate::reliability::{koo_li_interval, mentalbench_class};
use crate::verdict::{verdict, VerdictInputs};
use std::collections::HashMap;

/// Every coefficient interval of a judge comparison inside [−1, 1] and around its estimate.
fn bound_judge_intervals(a: &mut PairedAgreement) {
    [
        &mut a.icc.icc_a1,
        &mut a.icc.icc_c1,
        &mut a.pearson,
        &mut a.spearman,
        &mut a.kendall_tau_b,
        &mut a.ccc,
    ]
    .into_iter()
    .for_each(|e| *e = std::mem::take(e).within_range(-1.0, 1.0));
}

/// Numbers distinct values (by bits) in order of first appearance.
struct Interner {
    values: Vec<f64>,
    /// Every value's code, by its bits (a fast hasher: this runs once per response and judge).
    map: HashMap<u64, u32, FastHash>,
    /// The last value seen in each of 128 slots picked from its bits, with its code (`u32::MAX`:
    /// none yet). Scores take a handful of values (composites 13–17), which land in distinct
    /// slots nearly always, so most lookups are a multiply and a compare; a value whose slot
    /// another holds is found in `map`.
    recent: [(u64, u32); 128],
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            values: Vec::new(),
            map: HashMap::default(),
            recent: [(0, u32::MAX); 128],
        }
    }
}

impl Interner {
    fn code(&mut self, v: f64) -> u32 {
        let bits = v.to_bits();
        let slot = ((bits ^ (bits >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 57) as usize;
        let (seen, code) = self.recent[slot];
        if seen == bits && code != u32::MAX {
            return code;
        }
        let next = self.values.len() as u32;
        let code = *self.map.entry(bits).or_insert(next);
        if code == next {
            self.values.push(v);
        }
        self.recent[slot] = (bits, code);
        code
    }
}

/// Counts of (pattern, code) keys as (pattern, code, count) sorted by key, dense when the grid
/// is small, and the place of each key's count.
fn count_keys(
    keys: &[(u32, u32)],
    n_patterns: usize,
    n_codes: usize,
) -> (Vec<(u32, u32, f64)>, Vec<u32>) {
    if n_patterns * n_codes <= (1 << 20) {
        let cell = |&(p, c): &(u32, u32)| p as usize * n_codes + c as usize;
        let mut grid = vec![0u32; n_patterns * n_codes];
        for k in keys {
            grid[cell(k)] += 1;
        }
        let mut counts = Vec::new();
        for (i, n) in grid.iter_mut().enumerate() {
            if *n > 0 {
                counts.push(((i / n_codes) as u32, (i % n_codes) as u32, f64::from(*n)));
                // The cell now holds its count's place.
                *n = counts.len() as u32 - 1;
            }
        }
        let place = keys.iter().map(|k| grid[cell(k)]).collect();
        (counts, place)
    } else {
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_unstable_by_key(|&i| keys[i as usize]);
        let mut counts: Vec<(u32, u32, f64)> = Vec::new();
        let mut place = vec![0u32; keys.len()];
        for i in order {
            let (p, c) = keys[i as usize];
            match counts.last_mut() {
                Some(l) if (l.0, l.1) == (p, c) => l.2 += 1.0,
                _ => counts.push((p, c, 1.0)),
            }
            place[i as usize] = counts.len() as u32 - 1;
        }
        (counts, place)
    }
}

/// What the judges read of the study's targets besides their ratings: how they group by model
/// (for the model unit and the exclusions) and by item (when items are the clusters of the
/// intervals), and their lengths.
pub(super) struct TargetGroups<'a> {
    pub(super) models: Option<&'a Models<'a>>,
    pub(super) items: Option<&'a [u32]>,
    /// ln of each target's length, when known and positive (the judges' length bias).
    pub(super) ln_lengths: &'a [Option<f64>],
}

/// One judge (rater `judge`, its scores by target in `column`) against the humans of `hr`.
pub(super) fn judge_report(
    data: &StudyRatings,
    column: &[Option<f64>],
    judge: usize,
    hr: &HumanRows,
    humans: &HumanReport,
    groups: &TargetGroups,
    opts: &ReportOptions,
) -> JudgeReport {
    let models = groups.models;
    let name = &data.raters[judge].name;
    let own = opts.exclude_own.get(name);
    let excluded_model: Vec<bool> = match (own, models) {
        (Some(ms), Some(md)) => md.names.iter().map(|n| ms.iter().any(|m| m == n)).collect(),
        _ => Vec::new(),
    };
    let mut excluded = 0;
    let mut own_responses = Vec::new();
    // Usable responses as (target, judge score, human pattern), in target order.
    let mut usable: Vec<(usize, f64, u32)> = Vec::with_capacity(hr.target_pattern.len());
    for (t, p) in hr.target_pattern.iter().enumerate() {
        let Some(j) = column[t] else {
            continue;
        };
        let Some(p) = *p else {
            continue;
        };
        if let Some(md) = models.filter(|_| own.is_some()) {
            if excluded_model[md.of_target[t]] {
                excluded += 1;
                own_responses.push((t, j, p));
                continue;
            }
        }
        usable.push((t, j, p));
    }
    let pooled = Pooled::new(&usable, hr);
    let boot = BootstrapSpec {
        resamples: opts.bootstrap,
        seed: opts.bootstrap_seed,
    };
    let mut model_counts = Vec::new();
    let mut interval_note = None;
    let (mut a, system_class): (PairedAgreement, _) = match (opts.unit, models) {
        (Unit::Model, Some(md)) => {
            let mut by_model = vec![(0.0, 0.0, 0.0); md.names.len()];
            for &(t, j, p) in &usable {
                let e = &mut by_model[md.of_target[t]];
                e.0 += j;
                e.1 += hr.mean[p as usize];
                e.2 += 1.0;
            }
            // A model mean over a handful of responses is mostly noise, yet would weigh as
            // much as one over hundreds in the unweighted system-level comparison.
            let min = opts.min_responses_per_model.max(1) as f64;
            model_counts = md
                .names
                .iter()
                .zip(&by_model)
                .map(|(name, v)| ModelCount {
                    model: (*name).to_string(),
                    n_responses: v.2 as usize,
                    used: v.2 >= min,
                })
                .collect();
            let used = || by_model.iter().filter(|v| v.2 >= min);
            let x: Vec<f64> = used().map(|v| v.0 / v.2).collect();
            let y: Vec<f64> = used().map(|v| v.1 / v.2).collect();
            if opts.bootstrap == 0 {
                interval_note = Some(
                    "bootstrap 0: analytic intervals on the model means (F, t, Fisher-z)".into(),
                );
            } else if x.len() < 3 {
                interval_note = Some(format!(
                    "{} model(s) with ≥ {} responses: no bootstrap over models (needs 3)",
                    x.len(),
                    opts.min_responses_per_model
                ));
            }
            let class = mentalbench_class(&x, &y, boot, opts.reliability_thresholds);
            let mut a = paired_agreement_bootstrap(&x, &y, boot);
            if opts.bootstrap > 0 && x.len() < 3 {
                // An F or t interval on two means is not what the model level promises.
                let why = "no interval: fewer than 3 models to resample";
                for e in [
                    &mut a.icc.icc_a1,
                    &mut a.icc.icc_c1,
                    &mut a.bias,
                    &mut a.pearson,
                    &mut a.spearman,
                    &mut a.kendall_tau_b,
                    &mut a.ccc,
                ] {
                    if e.ci95.take().is_some() {
                        e.ci_method = None;
                        e.reason = Some(why.into());
                    }
                }
                if a.bland_altman.loa_ci95.take().is_some() {
                    a.bland_altman.ci_method = None;
                    a.bland_altman.reason = Some(why.into());
                }
            }
            (a, Some(class))
        }
        _ => (response_level(&pooled, &usable, hr, groups.items), None),
    };
    bound_judge_intervals(&mut a);
    let reliability = system_class
        .clone()
        .unwrap_or_else(|| koo_li_interval(&a.icc.icc_a1, "ICC_A1"));
    // The judge as one more rater is a response-level question whatever the unit.
    let mut judge_column = vec![None; hr.m.n_targets()];
    for &(t, j, _) in &usable {
        judge_column[t] = Some(j);
    }
    let human_names = &humans.raters;
    let alt_test = alt_test_pooled(
        pooled.rows(hr),
        hr.m.n_raters(),
        human_names,
        &opts.alt_test,
    );
    let replacement = hr.replacement(&judge_column, human_names, groups.items);
    let bias_pair = |&(t, j, p): &(usize, f64, u32)| BiasPair {
        judge: j,
        human: hr.mean[p as usize],
        ln_length: groups.ln_lengths.get(t).copied().flatten(),
    };
    let pairs: Vec<BiasPair> = usable.iter().map(bias_pair).collect();
    let own_pairs: Vec<BiasPair> = own_responses.iter().map(bias_pair).collect();
    let targets: Vec<usize> = usable.iter().map(|u| u.0).collect();
    let clinicians = hr.clinicians(&targets, human_names);
    let declared = own.is_some_and(|m| !m.is_empty());
    let bias_diagnostics = judge_bias(&pairs, &own_pairs, declared, clinicians);
    // The verdict reads the response level whatever the unit of the comparison above.
    let response_level = system_class.is_some().then(|| {
        let r = response_level(&pooled, &usable, hr, groups.items);
        (r.icc.icc_a1, r.bias)
    });
    let (icc_a1, bias) = match &response_level {
        Some((i, b)) => (i, b),
        None => (&a.icc.icc_a1, &a.bias),
    };
    let human_bias: Vec<Estimate> = humans
        .rater_diagnostics
        .iter()
        .map(|d| d.bias.clone())
        .collect();
    let verdict = verdict(&VerdictInputs {
        alt_test: &alt_test,
        replacement: &replacement,
        icc_a1,
        bias,
        human_bias: &human_bias,
        system_class: system_class.as_ref(),
    });
    JudgeReport {
        judge: name.clone(),
        unit: opts.unit,
        n_targets: a.n,
        n_excluded_own: excluded,
        agreement: a,
        reliability_class: reliability,
        alt_test,
        replacement,
        bias_diagnostics,
        verdict,
        models: model_counts,
        interval_note,
    }
}

/// The judge against the human mean per response (`pooled`, of the `usable` responses): the
/// analytic intervals, or with responses nested in `items` the delete-one-item jackknife's.
fn response_level(
    pooled: &Pooled,
    usable: &[(usize, f64, u32)],
    hr: &HumanRows,
    items: Option<&[u32]>,
) -> PairedAgreement {
    let table = pooled.table(hr);
    let Some(items) = items else {
        return paired_agreement_table(&table);
    };
    let (cluster_of, n_clusters) = dense_clusters(usable.iter().map(|u| items[u.0]));
    let entries = pooled.entries(&table, hr);
    let (members, starts) = by_cluster(&cluster_of, n_clusters, entries.into_iter());
    paired_agreement_clustered(&table, &members, &starts)
}

/// The usable responses counted by (human pattern, judge score), so that the statistics that
/// depend on nothing else run once per distinct pair (building it is one pass of integer
/// increments).
struct Pooled {
    scores: Vec<f64>,
    /// (pattern, score code, count).
    counts: Vec<(u32, u32, f64)>,
    /// Each usable response's place in `counts`, in their order.
    place: Vec<u32>,
}

impl Pooled {
    fn new(usable: &[(usize, f64, u32)], hr: &HumanRows) -> Pooled {
        let mut scores = Interner::default();
        let keys: Vec<(u32, u32)> = usable
            .iter()
            .map(|&(_, j, p)| (p, scores.code(j)))
            .collect();
        let (counts, place) = count_keys(&keys, hr.mean.len(), scores.values.len());
        Pooled {
            scores: scores.values,
            counts,
            place,
        }
    }

    /// The entry of `table` (this pooling's [`Pooled::table`]) of each usable response.
    fn entries(&self, table: &PairTable, hr: &HumanRows) -> Vec<usize> {
        let entry: Vec<usize> = self
            .counts
            .iter()
            .map(|&(p, c, _)| {
                let e = table.entry_index(self.scores[c as usize], hr.mean[p as usize]);
                e.expect("every pooled pair is in its table")
            })
            .collect();
        self.place.iter().map(|&i| entry[i as usize]).collect()
    }

    /// The (judge score, human mean) table.
    fn table(&self, hr: &HumanRows) -> PairTable {
        PairTable::from_weighted(
            self.counts
                .iter()
                .map(|&(p, c, n)| (self.scores[c as usize], hr.mean[p as usize], n)),
        )
    }

    /// (human row, judge score, count) of every pair.
    fn rows<'a>(
        &'a self,
        hr: &'a HumanRows,
    ) -> impl Iterator<Item = (&'a [Option<f64>], f64, f64)> {
        self.counts
            .iter()
            .map(|&(p, c, n)| (hr.pattern_row(p as usize), self.scores[c as usize], n))
    }
}

#[cfg(test)]
mod tests {
    use super::Interner;

    #[test]
    fn values_are_numbered_by_bits_in_order_of_first_appearance() {
        // Composite means, integers, −0 beside +0, and more values than the slots, so some
        // share a slot and are found through the map.
        let values: Vec<f64> = (0..400)
            .map(|i| f64::from(i) / 12.0)
            .chain([3.0, -0.0, 0.0, 2.5, 1.0 / 3.0, 7.0 / 3.0])
            .collect();
        let mut interner = Interner::default();
        let mut first: Vec<u64> = Vec::new();
        for round in 0..3 {
            for &v in values.iter().rev().skip(round) {
                let code = interner.code(v) as usize;
                match first.iter().position(|&b| b == v.to_bits()) {
                    Some(i) => assert_eq!(code, i, "{v}"),
                    None => {
                        assert_eq!(code, first.len(), "{v}");
                        first.push(v.to_bits());
                    }
                }
            }
        }
        let bits: Vec<u64> = interner.values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(bits, first);
    }
}
