//! The sufficient statistics of the crossed model and its REML fit.

use std::collections::HashMap;

use super::optimize::{nelder_mead, Tolerance};
use super::Components;
use crate::bootstrap::FastHash;
use crate::icc::HendersonSums;
use crate::matrix::RatingMatrix;

/// Sufficient statistics of one missingness pattern (the set of raters that rated a target).
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    /// Raters (indices among the active raters) present in the pattern.
    pub(super) raters: Vec<usize>,
    /// Targets with this pattern.
    pub(super) count: f64,
    /// Σ over those targets of the target total y_i.
    pub(super) sum: f64,
    /// Σ of y_i.².
    pub(super) sum_sq_totals: f64,
}

/// The data of the fit reduced to what the REML deviance reads: O(patterns × raters) numbers.
#[derive(Debug, Clone)]
pub struct RemlData {
    pub(super) patterns: Vec<Pattern>,
    /// Ratings per active rater m_.j.
    pub(super) rater_n: Vec<f64>,
    /// Sum per active rater y_.j.
    pub(super) rater_sum: Vec<f64>,
    /// M.
    pub(super) n_ratings: f64,
    /// Σ y.
    pub(super) sum: f64,
    /// Σ y².
    pub(super) sum_sq: f64,
    pub(super) n_targets: usize,
}

impl RemlData {
    /// Collect the statistics of `m` (targets nobody rated and raters who rated nothing are
    /// left out; they carry no information on the components).
    pub fn new(m: &RatingMatrix) -> RemlData {
        let active: Vec<usize> = (0..m.n_raters())
            .filter(|&j| (0..m.n_targets()).any(|t| m.get(t, j).is_some()))
            .collect();
        // Missingness patterns keyed by their rater bits: one word for up to 64 raters (every
        // study seen), else a word per 64.
        let bits = |row: &[Option<f64>], words: &mut [u64]| {
            for (a, &j) in active.iter().enumerate() {
                if row[j].is_some() {
                    words[a / 64] |= 1 << (a % 64);
                }
            }
        };
        if active.len() <= 64 {
            RemlData::by_pattern(m, &active, |row| {
                let mut word = [0u64];
                bits(row, &mut word);
                word[0]
            })
        } else {
            let words = active.len().div_ceil(64);
            RemlData::by_pattern(m, &active, |row| {
                let mut key = vec![0u64; words];
                bits(row, &mut key);
                key
            })
        }
    }

    /// The statistics of `m`'s `active` raters, each target's missingness pattern keyed by
    /// `key` of its row.
    fn by_pattern<K: Eq + std::hash::Hash + Clone>(
        m: &RatingMatrix,
        active: &[usize],
        key: impl Fn(&[Option<f64>]) -> K,
    ) -> RemlData {
        let k = active.len();
        let mut index: HashMap<K, usize, FastHash> = HashMap::default();
        // Consecutive targets usually share a pattern (every target, on complete data): the
        // last one is checked before the map.
        let mut last: Option<(K, usize)> = None;
        let mut d = RemlData {
            patterns: Vec::new(),
            rater_n: vec![0.0; k],
            rater_sum: vec![0.0; k],
            n_ratings: 0.0,
            sum: 0.0,
            sum_sq: 0.0,
            n_targets: 0,
        };
        for row in m.rows() {
            let (mut rated, mut total) = (0.0, 0.0);
            for (a, &j) in active.iter().enumerate() {
                if let Some(y) = row[j] {
                    rated += 1.0;
                    total += y;
                    d.rater_n[a] += 1.0;
                    d.rater_sum[a] += y;
                    d.sum_sq += y * y;
                }
            }
            if rated == 0.0 {
                continue;
            }
            d.n_targets += 1;
            d.n_ratings += rated;
            d.sum += total;
            let key = key(row);
            let next = d.patterns.len();
            let p = match &last {
                Some((last_key, p)) if *last_key == key => *p,
                _ => *index.entry(key.clone()).or_insert(next),
            };
            last = Some((key, p));
            if p == next {
                d.patterns.push(Pattern {
                    raters: (0..k).filter(|&a| row[active[a]].is_some()).collect(),
                    count: 0.0,
                    sum: 0.0,
                    sum_sq_totals: 0.0,
                });
            }
            let pat = &mut d.patterns[p];
            pat.count += 1.0;
            pat.sum += total;
            pat.sum_sq_totals += total * total;
        }
        d
    }

    /// Raters with at least one rating.
    pub fn n_raters(&self) -> usize {
        self.rater_n.len()
    }

    /// Targets with at least one rating.
    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    /// Mean of all ratings (0 without ratings).
    pub fn mean(&self) -> f64 {
        if self.n_ratings > 0.0 {
            self.sum / self.n_ratings
        } else {
            0.0
        }
    }

    /// The quadratic forms of Henderson's method I (`icc::HendersonSums`) from the same
    /// statistics: T_s = Σ_i y_i.²/m_i sums pattern by pattern, T_r and T_μ come from the rater
    /// and grand totals.
    pub(crate) fn henderson(&self) -> HendersonSums {
        let (mut ts, mut mt2) = (0.0, 0.0);
        for p in &self.patterns {
            let m = p.raters.len() as f64;
            ts += p.sum_sq_totals / m;
            mt2 += p.count * m * m;
        }
        let mut tr = 0.0;
        for (s, n) in self.rater_sum.iter().zip(&self.rater_n) {
            tr += s * s / n;
        }
        let tmu = if self.n_ratings > 0.0 {
            self.sum * self.sum / self.n_ratings
        } else {
            0.0
        };
        HendersonSums {
            n: self.n_targets as f64,
            m: self.n_ratings,
            r: self.n_raters() as f64,
            sum_m_target_sq: mt2,
            sum_m_rater_sq: self.rater_n.iter().map(|n| n * n).sum(),
            t: [self.sum_sq, ts, tr, tmu],
        }
    }

    /// Why the model cannot be fitted, if it cannot.
    pub(super) fn not_estimable(&self) -> Option<String> {
        if self.n_raters() < 2 {
            return Some(format!(
                "not estimable: needs ≥ 2 raters with ratings, has {}",
                self.n_raters()
            ));
        }
        if self.n_targets < 2 {
            return Some("not estimable: fewer than 2 rated targets".into());
        }
        if self.n_ratings <= self.n_targets as f64 {
            return Some("not estimable: no target was rated by 2 or more raters".into());
        }
        let ss = self.sum_sq - self.sum * self.sum / self.n_ratings;
        if ss <= 1e-12 * self.sum_sq.max(1.0) {
            return Some("all ratings are identical (no variance to partition)".into());
        }
        None
    }

    /// REML deviance (up to a constant) at relative standard deviations λ_s = σ_s/σ_e and
    /// λ_r = σ_r/σ_e, with the penalised residual sum of squares r² it implies.
    ///
    /// The mixed-model system in (target effects, rater effects, μ) is reduced by absorbing the
    /// target block, which is diagonal (1 + λ_s² m_i); targets of one missingness pattern share
    /// every coefficient, so each pattern enters once with its multiplicity.
    fn deviance(&self, ls: f64, lr: f64, work: &mut Work) -> Option<(f64, f64)> {
        let k = self.n_raters();
        let dim = k + 1;
        let a = &mut work.a;
        a.iter_mut().for_each(|x| *x = 0.0);
        let rhs = &mut work.rhs;
        for j in 0..k {
            a[j * dim + j] = lr * lr * self.rater_n[j] + 1.0;
            a[j * dim + k] = lr * self.rater_n[j];
            rhs[j] = lr * self.rater_sum[j];
        }
        a[k * dim + k] = self.n_ratings;
        rhs[k] = self.sum;
        let (mut logdet, mut absorbed) = (0.0, 0.0);
        for p in &self.patterns {
            let m = p.raters.len() as f64;
            let d = ls * ls * m + 1.0;
            logdet += p.count * d.ln();
            absorbed += ls * ls * p.sum_sq_totals / d;
            // b = (λ_s λ_r on the pattern's raters, λ_s m on μ); A −= c b b' / d, rhs −= b λ_s S / d.
            let w = p.count / d;
            let (br, bm) = (ls * lr, ls * m);
            let g = ls * p.sum / d;
            // Pattern raters are in ascending order, so (l, j) with l ≤ j is the upper triangle,
            // the only one the Cholesky reads.
            for (x, &j) in p.raters.iter().enumerate() {
                for &l in &p.raters[..=x] {
                    a[l * dim + j] -= w * br * br;
                }
                a[j * dim + k] -= w * br * bm;
                rhs[j] -= g * br;
            }
            a[k * dim + k] -= w * bm * bm;
            rhs[k] -= g * bm;
        }
        let ld = cholesky_upper(a, dim)?;
        // r² = y'y − Σ λ_s² y_i.²/d_i − rhs' A⁻¹ rhs (A = R'R, so rhs'A⁻¹rhs = |R'⁻¹ rhs|²).
        let quad = forward_solve(a, dim, rhs, &mut work.z);
        let r2 = self.sum_sq - absorbed - quad;
        let scale = self.sum_sq - self.sum * self.sum / self.n_ratings;
        if r2.is_nan() || r2 <= 1e-14 * scale {
            return None;
        }
        let df = self.n_ratings - 1.0;
        Some((logdet + ld + df * (r2 / df).ln(), r2))
    }

    /// REML estimates of the components, or `None` when the fit fails. `start` (λ_s, λ_r) is
    /// where the search begins; `precise` asks for the point estimate's tolerance (refits to
    /// bootstrap draws stop earlier: their spread is many orders above the difference). The
    /// report fits once, precisely; warm-started loose refits are what the former
    /// refit-percentile interval did, which the coverage simulation and the bench compare
    /// against (`tests/support/reml_refit.rs`).
    pub fn fit(&self, start: Option<(f64, f64)>, precise: bool) -> Option<Components> {
        if self.not_estimable().is_some() {
            return None;
        }
        let mut work = Work::new(self.n_raters() + 1);
        let mut f = |x: [f64; 2]| {
            self.deviance(x[0], x[1], &mut work)
                .map_or(f64::INFINITY, |v| v.0)
        };
        // The deviance depends on λ² only, so an unconstrained search over λ covers the
        // boundary λ = 0 (a component of 0) without bounds.
        let mut x = start.map_or([1.0, 0.5], |(a, b)| [a.max(0.05), b.max(0.05)]);
        // Bootstrap refits start at the point estimate with a small simplex and stop at a
        // relative precision of 1e-5 in λ (the ICCs move by less than 1e-5, far inside the
        // spread of the resamples); one restart at most.
        let (tol, runs, step) = if precise {
            (Tolerance { f: 1e-13, x: 1e-10 }, 3, 0.25)
        } else {
            (
                Tolerance { f: 1e-9, x: 1e-5 },
                1,
                0.1 * x[0].max(x[1]).max(0.05),
            )
        };
        let mut best = f64::INFINITY;
        for _ in 0..runs {
            // A restart from the optimum catches a simplex that collapsed early.
            let (xn, fx) = nelder_mead(&mut f, x, step, tol);
            let improved = fx < best - 1e-13 * fx.abs().max(1.0);
            x = xn;
            best = best.min(fx);
            if !improved {
                break;
            }
        }
        let (ls, lr) = (x[0].abs(), x[1].abs());
        let mut work = Work::new(self.n_raters() + 1);
        let (_, r2) = self.deviance(ls, lr, &mut work)?;
        let s2 = r2 / (self.n_ratings - 1.0);
        let mean = self.gls_mean(ls, lr, &mut work)?;
        Some(Components {
            target: ls * ls * s2,
            rater: lr * lr * s2,
            residual: s2,
            mean,
        })
    }

    /// The generalised least-squares estimate of μ at (λ_s, λ_r): the last unknown of the
    /// reduced system (back-substitution of R μ-row, R being upper triangular).
    fn gls_mean(&self, ls: f64, lr: f64, work: &mut Work) -> Option<f64> {
        self.deviance(ls, lr, work)?;
        let dim = self.n_raters() + 1;
        let last = dim - 1;
        // R'z = rhs was solved; R x = z gives x, whose last entry is μ̂.
        Some(work.z[last] / work.a[last * dim + last])
    }
}

/// Scratch space of one deviance evaluation.
struct Work {
    a: Vec<f64>,
    rhs: Vec<f64>,
    z: Vec<f64>,
}

impl Work {
    fn new(dim: usize) -> Work {
        Work {
            a: vec![0.0; dim * dim],
            rhs: vec![0.0; dim],
            z: vec![0.0; dim],
        }
    }
}

/// In-place Cholesky A = R'R of the upper triangle of a row-major `dim × dim` matrix; returns
/// log|A|, or `None` when A is not positive definite.
pub(super) fn cholesky_upper(a: &mut [f64], dim: usize) -> Option<f64> {
    let mut logdet = 0.0;
    for i in 0..dim {
        let mut d = a[i * dim + i];
        for l in 0..i {
            d -= a[l * dim + i] * a[l * dim + i];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let r = d.sqrt();
        a[i * dim + i] = r;
        logdet += 2.0 * r.ln();
        for j in (i + 1)..dim {
            let mut s = a[i * dim + j];
            for l in 0..i {
                s -= a[l * dim + i] * a[l * dim + j];
            }
            a[i * dim + j] = s / r;
        }
    }
    Some(logdet)
}

/// Solve R'z = `rhs` for the upper-triangular factor R of [`cholesky_upper`] (row-major in `r`);
/// returns |z|² = rhs' A⁻¹ rhs.
pub(super) fn forward_solve(r: &[f64], dim: usize, rhs: &[f64], z: &mut [f64]) -> f64 {
    for i in 0..dim {
        let mut s = rhs[i];
        for l in 0..i {
            s -= r[l * dim + i] * z[l];
        }
        z[i] = s / r[i * dim + i];
    }
    z[..dim].iter().map(|v| v * v).sum()
}
