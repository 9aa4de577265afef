//! Alpha's delete-one-unit jackknife SE and seeded percentile bootstrap over target patterns.

use super::{Level, LevelSet, Units, NO_PAIRS, NO_VARIATION};
use crate::bootstrap::{BootstrapSpec, TargetRows};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;

/// Alpha prepared on pooled units, collecting bootstrap replicates over target patterns.
pub(crate) struct AlphaBootstrap {
    units: Units,
    levels: LevelSet,
    point: Vec<Option<f64>>,
    se: Vec<Option<f64>>,
    /// Scratch for one resample's values.
    vals: Vec<Option<f64>>,
    /// Index into `w` of each target pattern's unit pattern; unpairable target patterns point
    /// at a spare last slot that nothing reads, so the mapping loop has no branch.
    row_slot: Vec<u32>,
    w: Vec<f64>,
    acc: Vec<f64>,
    /// A resample waiting for its partner when `has_pending` (see
    /// [`AlphaBootstrap::add_resample`]).
    pending: Vec<f64>,
    has_pending: bool,
    /// Unit weights and accumulators of a pair of resamples, as lanes.
    w2: Vec<[f64; 2]>,
    acc2: Vec<[f64; 2]>,
    boots: Vec<Vec<f64>>,
}

impl AlphaBootstrap {
    /// Point estimates and jackknife SEs; maps each target pattern to its unit pattern.
    pub(crate) fn new(
        m: &RatingMatrix,
        rows: &TargetRows,
        levels: &[Level],
        resamples: usize,
    ) -> Self {
        let units = Units::new(m, rows);
        let c = units.domain.len();
        let mut acc = vec![0.0; c * c + c];
        let enough = units.n_units >= 2;
        let set = LevelSet::new(levels, &units.domain);
        let mut point = vec![None; levels.len()];
        let mut se = vec![None; levels.len()];
        if enough {
            units.coincidences(&units.counts, &mut acc);
            set.eval(&units.domain, &acc, &mut point);
            se = jackknife(&units, &set, &acc);
        }
        let k = units.counts.len();
        let row_slot = units
            .row_to_unit
            .iter()
            .map(|u| u.unwrap_or(k) as u32)
            .collect();
        AlphaBootstrap {
            levels: set,
            vals: vec![None; levels.len()],
            point,
            se,
            row_slot,
            w: vec![0.0; k + 1],
            pending: Vec::new(),
            has_pending: false,
            w2: vec![[0.0; 2]; k + 1],
            acc2: vec![[0.0; 2]; acc.len()],
            acc,
            boots: (0..levels.len())
                .map(|_| Vec::with_capacity(resamples))
                .collect(),
            units,
        }
    }

    /// Evaluate one resample given as target-pattern weights.
    ///
    /// Resamples are evaluated in pairs (see [`Units::coincidences2`]): the first of a pair
    /// waits in `pending`, and a last unpaired one is evaluated alone by `finish`. Replicates
    /// are recorded in resample order either way, with the same values.
    pub(crate) fn add_resample(&mut self, w_rows: &[f64]) {
        if self.point.iter().all(Option::is_none) {
            return;
        }
        if !self.has_pending {
            self.pending.clear();
            self.pending.extend_from_slice(w_rows);
            self.has_pending = true;
            return;
        }
        self.has_pending = false;
        self.w2.iter_mut().for_each(|x| *x = [0.0; 2]);
        for ((&wa, &wb), &slot) in self.pending.iter().zip(w_rows).zip(&self.row_slot) {
            let e = &mut self.w2[slot as usize];
            e[0] += wa;
            e[1] += wb;
        }
        self.units.coincidences2(&self.w2, &mut self.acc2);
        for lane in 0..2 {
            for (a, x) in self.acc.iter_mut().zip(&self.acc2) {
                *a = x[lane];
            }
            self.record();
        }
    }

    /// Evaluate one resample on its own.
    fn add_single(&mut self, w_rows: &[f64]) {
        self.w.iter_mut().for_each(|x| *x = 0.0);
        for (&wr, &slot) in w_rows.iter().zip(&self.row_slot) {
            self.w[slot as usize] += wr;
        }
        self.units.coincidences(&self.w, &mut self.acc);
        self.record();
    }

    /// Record α at every level from `acc`.
    fn record(&mut self) {
        self.levels
            .eval(&self.units.domain, &self.acc, &mut self.vals);
        for (li, v) in self.vals.iter().enumerate() {
            if self.point[li].is_some() {
                self.boots[li].push(v.unwrap_or(f64::NAN));
            }
        }
    }

    /// Estimates with jackknife SE and percentile CI.
    pub(crate) fn finish(mut self, boot: BootstrapSpec) -> Vec<Estimate> {
        if self.has_pending {
            let last = std::mem::take(&mut self.pending);
            self.add_single(&last);
        }
        let n = self.units.n_units;
        (0..self.levels.levels.len())
            .map(|li| {
                if n < 2 {
                    return Estimate::missing(NO_PAIRS).with_n(n);
                }
                let Some(v) = self.point[li] else {
                    return Estimate::missing(NO_VARIATION).with_n(n);
                };
                let mut e = Estimate::point(v).with_n(n);
                if let Some(s) = self.se[li] {
                    e = e.with_se(s);
                }
                if boot.resamples > 0 {
                    e = e
                        .with_bootstrap(boot.seed, boot.resamples)
                        .with_percentile_ci(
                            &mut self.boots[li],
                            boot.resamples,
                            "bootstrap-percentile",
                        );
                }
                e
            })
            .collect()
    }
}

/// Delete-one-unit jackknife SE per level (`None` where some deletion leaves α undefined).
fn jackknife(units: &Units, set: &LevelSet, acc: &[f64]) -> Vec<Option<f64>> {
    let levels = &set.levels;
    let n_units = units.n_units as f64;
    let mut jack: Vec<Vec<f64>> = (0..levels.len())
        .map(|_| Vec::with_capacity(units.counts.len()))
        .collect();
    let mut ok = vec![true; levels.len()];
    let mut accj = acc.to_vec();
    let mut vals = vec![None; levels.len()];
    for p in 0..units.counts.len() {
        units.add(p, -1.0, &mut accj);
        set.eval(&units.domain, &accj, &mut vals);
        for (li, v) in vals.iter().enumerate() {
            match *v {
                Some(v) => jack[li].push(v),
                None => ok[li] = false,
            }
        }
        units.add(p, 1.0, &mut accj);
    }
    let counts = &units.counts;
    (0..levels.len())
        .map(|li| {
            if !ok[li] {
                return None;
            }
            let mean = jack[li].iter().zip(counts).map(|(a, w)| a * w).sum::<f64>() / n_units;
            let ss = jack[li]
                .iter()
                .zip(counts)
                .map(|(a, w)| w * (a - mean).powi(2))
                .sum::<f64>();
            Some(((n_units - 1.0) / n_units * ss).sqrt())
        })
        .collect()
}
