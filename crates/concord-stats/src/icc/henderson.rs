//! ICC(A,1) and ICC(C,1) of incomplete designs from Henderson's method I variance components.

use crate::bootstrap::BootstrapSpec;
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use crate::reml::{Components, RemlData};
use serde::{Deserialize, Serialize};

/// Henderson method I variance components of the two-way random model without interaction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarianceComponents {
    /// Target (subject) variance σ²_s.
    pub target: f64,
    /// Rater variance σ²_r.
    pub rater: f64,
    /// Residual variance σ²_e.
    pub residual: f64,
}

/// ICC(A,1) and ICC(C,1) for unbalanced data, with the sizes used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnbalancedIcc {
    /// Targets with at least one rating.
    pub n_targets: usize,
    /// Raters with at least one rating.
    pub n_raters: usize,
    /// Total number of observed ratings M.
    pub n_ratings: usize,
    /// Targets dropped because nobody rated them.
    pub n_dropped: usize,
    /// Estimated variance components (absent when not estimable), as solved: may be negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<VarianceComponents>,
    /// Components that came out negative and were set to 0 for the ICCs (Searle et al. 1992,
    /// §4.8: a variance cannot be negative; without this ICC_A1 > ICC_C1 or > 1 can appear).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncated_at_zero: Vec<String>,
    /// Absolute agreement σ²_s / (σ²_s + σ²_r + σ²_e).
    #[serde(rename = "ICC_A1")]
    pub icc_a1: Estimate,
    /// Consistency σ²_s / (σ²_s + σ²_e).
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
}

/// Henderson (1953) method I for the two-way crossed model without interaction, n_ij ∈ {0,1}.
///
/// With the quadratic forms T0 = Σy², T_s = Σ_i y_i.²/m_i, T_r = Σ_j y_.j²/m_.j, T_μ = y..²/M,
/// the sums of squares SS_s = T_s − T_μ, SS_r = T_r − T_μ and SS_e = T0 − T_s − T_r + T_μ are
/// equated to their expectations, linear in (σ²_s, σ²_r, σ²_e) with coefficients built from
/// M (ratings), n (targets), r (raters), k_s = Σm_i²/M and k_r = Σm_.j²/M.
pub(crate) struct HendersonSums {
    /// Targets n.
    pub n: f64,
    /// Ratings M.
    pub m: f64,
    /// Raters r.
    pub r: f64,
    /// Σ m_i².
    pub sum_m_target_sq: f64,
    /// Σ m_.j².
    pub sum_m_rater_sq: f64,
    /// T0, T_s, T_r, T_μ.
    pub t: [f64; 4],
}

impl HendersonSums {
    /// The variance components, or `None` when the design does not identify them.
    pub(crate) fn components(&self) -> Option<VarianceComponents> {
        let (n, m, nr) = (self.n, self.m, self.r);
        if n < 2.0 || m <= n || nr < 2.0 {
            return None;
        }
        let [t0, ts, tr, tmu] = self.t;
        let ks = self.sum_m_target_sq / m;
        let kr = self.sum_m_rater_sq / m;
        let a = [
            [m - ks, n - kr, n - 1.0],
            [nr - ks, m - kr, nr - 1.0],
            [ks - nr, kr - n, m - n - nr + 1.0],
        ];
        let b = [ts - tmu, tr - tmu, t0 - ts - tr + tmu];
        let x = solve3(a, b)?;
        Some(VarianceComponents {
            target: x[0],
            rater: x[1],
            residual: x[2],
        })
    }
}

/// Per-pattern sufficient statistics of Henderson's method, one dense row per target pattern:
/// `[Σy², (Σy)²/m, Σy, m², y_1 … y_k, [y_1 present] … [y_k present]]` (absent y = 0), for
/// bootstraps over targets given as pattern weights (the paired replicates of `replacement`).
///
/// Every quantity of the estimator is a weighted sum of these rows, so a resample costs one
/// contiguous multiply-add pass over `K × (4 + 2k)` numbers instead of a walk over cells.
///
/// The two remaining sums, N = Σ w and M = Σ w·m, need no columns of their own: weights are
/// whole counts, so both are sums of integers far below 2^53, exact in any order. M is the sum
/// of the per-rater counts Σ w·[y_j present], and N a lane-wise sum of the weights; dropping
/// those columns takes a sixth of the work out of the pass that dominates the bootstrap.
struct Henderson {
    stats: Vec<f64>,
    k: usize,
    /// Every statistic is finite (see [`weighted_row_sums`]).
    all_finite: bool,
}

impl Henderson {
    const FIXED: usize = 4;

    fn new(rows: impl Iterator<Item = Vec<(usize, f64)>>, k: usize) -> Self {
        let mut stats = Vec::new();
        for cells in rows {
            let m = cells.len() as f64;
            let sum: f64 = cells.iter().map(|c| c.1).sum();
            let sumsq: f64 = cells.iter().map(|c| c.1 * c.1).sum();
            let base = stats.len();
            stats.extend([sumsq, sum * sum / m, sum, m * m]);
            stats.resize(base + Self::FIXED + 2 * k, 0.0);
            for &(j, y) in &cells {
                stats[base + Self::FIXED + j] = y;
                stats[base + Self::FIXED + k + j] = 1.0;
            }
        }
        let all_finite = stats.iter().all(|v| v.is_finite());
        Henderson {
            stats,
            k,
            all_finite,
        }
    }

    fn components(&self, w: &[f64], acc: &mut [f64]) -> Option<VarianceComponents> {
        // Small rater counts get a loop with the row width known at compile time (fully
        // unrolled, accumulators in registers); the additions happen in the same order either
        // way, so the sums are bit-identical to the general loop.
        match self.k {
            1 => weighted_row_sums::<6>(&self.stats, w, self.all_finite, acc),
            2 => weighted_row_sums::<8>(&self.stats, w, self.all_finite, acc),
            3 => weighted_row_sums::<10>(&self.stats, w, self.all_finite, acc),
            4 => weighted_row_sums::<12>(&self.stats, w, self.all_finite, acc),
            5 => weighted_row_sums::<14>(&self.stats, w, self.all_finite, acc),
            _ => {
                let width = Self::FIXED + 2 * self.k;
                acc.iter_mut().for_each(|x| *x = 0.0);
                for (row, &wi) in self.stats.chunks_exact(width).zip(w) {
                    if wi != 0.0 {
                        acc.iter_mut().zip(row).for_each(|(a, v)| *a += wi * v);
                    }
                }
            }
        }
        let [t0, ts, total, ks] = [acc[0], acc[1], acc[2], acc[3]];
        let (ysum, msum) = acc[Self::FIXED..].split_at(self.k);
        // Integer sums (see [`Henderson`]): exact, so equal to the former weighted columns.
        let n = exact_weight_total(w);
        let m: f64 = msum.iter().sum();
        let (mut tr, mut kr, mut nr) = (0.0, 0.0, 0.0);
        for j in 0..self.k {
            if msum[j] > 0.0 {
                tr += ysum[j] * ysum[j] / msum[j];
                kr += msum[j] * msum[j];
                nr += 1.0;
            }
        }
        HendersonSums {
            n,
            m,
            r: nr,
            sum_m_target_sq: ks,
            sum_m_rater_sq: kr,
            t: [t0, ts, tr, total * total / m],
        }
        .components()
    }
}

/// Σ w for whole-count weights, in four lanes (every partial sum is an integer below 2^53, so
/// the grouping does not change the exact result, and four chains add four times faster).
fn exact_weight_total(w: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let mut chunks = w.chunks_exact(4);
    for c in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let rest: f64 = chunks.remainder().iter().sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

/// `acc = Σ_i w_i · row_i` over the W-wide rows of `stats`, accumulating in row order.
///
/// Zero weights (patterns absent from a resample, about a third of the single-target patterns)
/// contribute nothing. With every statistic finite they are multiplied in anyway: 0 · v = ±0,
/// and adding ±0 leaves a sum that started at +0 unchanged bit for bit (a rounded sum is −0
/// only when both terms are), while a data-dependent branch per row mispredicts often. A
/// non-finite statistic (overflowing sums of squares) would turn 0 · v into NaN, so then zero
/// weights are skipped as before.
fn weighted_row_sums<const W: usize>(stats: &[f64], w: &[f64], all_finite: bool, acc: &mut [f64]) {
    let mut sum = [0.0; W];
    for (row, &wi) in stats.chunks_exact(W).zip(w) {
        if all_finite || wi != 0.0 {
            let row: &[f64; W] = row.try_into().expect("chunks_exact yields W-wide rows");
            for (s, v) in sum.iter_mut().zip(row) {
                *s += wi * v;
            }
        }
    }
    acc.copy_from_slice(&sum);
}

fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&a);
    let scale = a.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    if d.is_nan() || d.abs() <= 1e-12 * scale.powi(3) {
        return None;
    }
    let mut x = [0.0; 3];
    for (c, xc) in x.iter_mut().enumerate() {
        let mut ac = a;
        for r in 0..3 {
            ac[r][c] = b[r];
        }
        *xc = det(&ac) / d;
    }
    Some(x)
}

/// The components with negative ones set to 0.
fn truncated(c: &VarianceComponents) -> VarianceComponents {
    VarianceComponents {
        target: c.target.max(0.0),
        rater: c.rater.max(0.0),
        residual: c.residual.max(0.0),
    }
}

fn icc_pair(c: &VarianceComponents) -> (Option<f64>, Option<f64>) {
    let f = |num: f64, den: f64| {
        let v = num / den;
        (den > 0.0 && v.is_finite()).then_some(v)
    };
    (
        f(c.target, c.target + c.rater + c.residual),
        f(c.target, c.target + c.residual),
    )
}

/// ICC(A,1) and ICC(C,1) on all observed ratings via Henderson's method I (Henderson 1953).
///
/// Model: y_ij = μ + s_i + r_j + e_ij (targets i, raters j, at most one rating per cell); the
/// components are those of [`HendersonSums`], as in Gwet's irrICC but with the actual M. The
/// 3 × 3 system is solved exactly and negative components are set to 0 for the ICCs (flagged in
/// `truncated_at_zero`), so on balanced data with no negative component this reproduces
/// ICC(2,1) and ICC(3,1) of the ANOVA. The 95% CI is a seeded parametric bootstrap
/// of the model with the estimated components (negative ones at 0) that draws new rater effects
/// in every resample: a bootstrap over targets alone treats the raters as fixed and covered
/// ICC(A,1) only ~85% of the time with 3 raters (`tests/coverage_reml.rs`).
pub fn icc_unbalanced(m: &RatingMatrix, boot: BootstrapSpec) -> UnbalancedIcc {
    let data = RemlData::new(m);
    let n = data.n_targets();
    let point = data.henderson().components();
    let mut out = UnbalancedIcc {
        n_targets: n,
        n_raters: data.n_raters(),
        n_ratings: m.n_observed(),
        n_dropped: m.n_targets() - n,
        components: point,
        truncated_at_zero: Vec::new(),
        icc_a1: Estimate::default(),
        icc_c1: Estimate::default(),
    };
    let Some(c) = point else {
        let reason = "not estimable: needs ≥ 2 targets, ≥ 2 raters and some target rated twice";
        out.icc_a1 = Estimate::missing(reason);
        out.icc_c1 = Estimate::missing(reason);
        return out;
    };
    for (name, v) in [
        ("target", c.target),
        ("rater", c.rater),
        ("residual", c.residual),
    ] {
        if v < 0.0 {
            out.truncated_at_zero.push(name.to_string());
        }
    }
    let c = truncated(&c);
    let (a1, c1) = icc_pair(&c);
    let no_var = "no variance to partition (all ratings identical or degenerate components)";
    let mut ea = Estimate::from_option(a1, no_var).with_n(n);
    let mut ec = Estimate::from_option(c1, no_var).with_n(n);
    if boot.resamples > 0 && (ea.is_some() || ec.is_some()) {
        let model = Components {
            target: c.target,
            rater: c.rater,
            residual: c.residual,
            mean: data.mean(),
        };
        let (mut av, mut cv) = (Vec::new(), Vec::new());
        data.parametric_draws(&model, boot, |sim| {
            let (a, c) = sim
                .henderson()
                .components()
                .map_or((None, None), |c| icc_pair(&truncated(&c)));
            av.push(a.unwrap_or(f64::NAN));
            cv.push(c.unwrap_or(f64::NAN));
        });
        for (e, v) in [(&mut ea, &mut av), (&mut ec, &mut cv)] {
            if e.is_some() {
                *e = std::mem::take(e)
                    .with_bootstrap(boot.seed, boot.resamples)
                    .with_percentile_ci(v, boot.resamples, "parametric-bootstrap-percentile");
            }
        }
    }
    out.icc_a1 = ea;
    out.icc_c1 = ec;
    out
}

/// Henderson ICC(A,1) on pooled target rows with a percentile bootstrap over targets, for
/// statistics of paired replicates (`replacement` evaluates several rater sets on the same
/// resampled responses). Components are truncated at 0 as in [`icc_unbalanced`], so the point
/// estimate equals its `ICC_A1`; the interval is a target bootstrap (raters fixed), which is
/// what a paired difference between rater sets on the same responses needs.
pub(crate) struct HendersonBootstrap {
    h: Henderson,
    point: Option<VarianceComponents>,
    n_targets: usize,
    acc: Vec<f64>,
    a_vals: Vec<f64>,
}

impl HendersonBootstrap {
    /// The point estimate on target patterns given as their rows (`k` raters, each row with at
    /// least one rating) and multiplicities.
    pub(crate) fn new<'a>(
        rows: impl Iterator<Item = &'a [Option<f64>]>,
        k: usize,
        counts: &[f64],
        resamples: usize,
    ) -> Self {
        let cells = rows.map(|row| {
            row.iter()
                .enumerate()
                .filter_map(|(j, c)| c.map(|v| (j, v)))
                .collect()
        });
        let h = Henderson::new(cells, k);
        let mut acc = vec![0.0; Henderson::FIXED + 2 * h.k];
        let point = h.components(counts, &mut acc);
        HendersonBootstrap {
            h,
            point,
            n_targets: counts.iter().sum::<f64>() as usize,
            acc,
            a_vals: Vec::with_capacity(resamples),
        }
    }

    /// Evaluate one resample given as target-pattern weights.
    pub(crate) fn add_resample(&mut self, w: &[f64]) {
        if self.point.is_none() {
            return;
        }
        let a = self
            .h
            .components(w, &mut self.acc)
            .and_then(|c| icc_pair(&truncated(&c)).0);
        self.a_vals.push(a.unwrap_or(f64::NAN));
    }

    /// The ICC(A,1) of every resample added so far, in order (NaN where undefined; empty when
    /// the point estimate is missing), for statistics of paired replicates. `finish` reorders.
    pub(crate) fn icc_a1_replicates(&self) -> &[f64] {
        &self.a_vals
    }

    /// ICC(A,1) with the percentile CI of the collected resamples (dropped with the reason when
    /// it misses the estimate, as every interval of the report).
    pub(crate) fn finish(mut self, boot: BootstrapSpec) -> Estimate {
        let Some(c) = self.point else {
            return Estimate::missing(
                "not estimable: needs ≥ 2 targets, ≥ 2 raters and some target rated twice",
            );
        };
        let no_var = "no variance to partition (all ratings identical or degenerate components)";
        let ea = Estimate::from_option(icc_pair(&truncated(&c)).0, no_var).with_n(self.n_targets);
        if boot.resamples == 0 || !ea.is_some() {
            return ea;
        }
        ea.with_bootstrap(boot.seed, boot.resamples)
            .with_percentile_ci(&mut self.a_vals, boot.resamples, "bootstrap-percentile")
            .within_range(0.0, 1.0)
    }
}
