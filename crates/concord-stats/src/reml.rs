//! ICC for incomplete rating designs by REML: the crossed random-effects model
//! y_ij = μ + s_i + r_j + e_ij (targets i, raters j, at most one rating per cell) with
//! s ~ N(0, σ²_s), r ~ N(0, σ²_r), e ~ N(0, σ²_e), fitted by restricted maximum likelihood
//! (Patterson & Thompson 1971; the profiled deviance of lme4, Bates et al. 2015, eq. 41).
//!
//! Every rating is used, whatever the pattern of missing cells. The intervals come from a
//! seeded parametric bootstrap of the fitted model that draws new rater effects as well as new
//! target effects and residuals, so they treat the raters as random, as ICC(A,·) does.

use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::bootstrap::BootstrapSpec;
use crate::icc::HendersonSums;

/// The three REML variance components, each an estimate with its bootstrap interval.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RemlComponents {
    /// Target (response) variance σ²_s.
    pub target: Estimate,
    /// Rater variance σ²_r.
    pub rater: Estimate,
    /// Residual variance σ²_e.
    pub residual: Estimate,
}

/// ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) from REML variance components (McGraw & Wong 1996
/// definitions, k = mean ratings per target).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RemlIcc {
    /// Targets with at least one rating.
    pub n_targets: usize,
    /// Raters with at least one rating.
    pub n_raters: usize,
    /// Number of ratings M.
    pub n_ratings: usize,
    /// Mean ratings per rated target (M / n), the k of ICC(A,k) and ICC(C,k).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<f64>,
    /// Variance components.
    pub components: RemlComponents,
    /// Components estimated at the boundary 0 (REML keeps every component ≥ 0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_zero: Vec<String>,
    /// σ²_s / (σ²_s + σ²_r + σ²_e).
    #[serde(rename = "ICC_A1")]
    pub icc_a1: Estimate,
    /// σ²_s / (σ²_s + σ²_e).
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
    /// σ²_s / (σ²_s + (σ²_r + σ²_e) / k).
    #[serde(rename = "ICC_Ak")]
    pub icc_ak: Estimate,
    /// σ²_s / (σ²_s + σ²_e / k).
    #[serde(rename = "ICC_Ck")]
    pub icc_ck: Estimate,
}

/// Variance components of the crossed model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Components {
    /// σ²_s.
    pub target: f64,
    /// σ²_r.
    pub rater: f64,
    /// σ²_e.
    pub residual: f64,
    /// Fixed intercept μ.
    pub mean: f64,
}

impl Components {
    /// The four ICCs for mean ratings per target `k`; `None` without variance.
    pub fn iccs(&self, k: f64) -> Option<[f64; 4]> {
        let (s, r, e) = (self.target, self.rater, self.residual);
        let total = s + r + e;
        if !(total > 0.0 && total.is_finite() && s + e > 0.0) {
            return None;
        }
        let f = |den: f64| if den > 0.0 { s / den } else { 1.0 };
        Some([f(s + r + e), f(s + e), f(s + (r + e) / k), f(s + e / k)])
    }
}

/// Sufficient statistics of one missingness pattern (the set of raters that rated a target).
#[derive(Debug, Clone)]
struct Pattern {
    /// Raters (indices among the active raters) present in the pattern.
    raters: Vec<usize>,
    /// Targets with this pattern.
    count: f64,
    /// Σ over those targets of the target total y_i.
    sum: f64,
    /// Σ of y_i.².
    sum_sq_totals: f64,
}

/// The data of the fit reduced to what the REML deviance reads: O(patterns × raters) numbers.
#[derive(Debug, Clone)]
pub struct RemlData {
    patterns: Vec<Pattern>,
    /// Ratings per active rater m_.j.
    rater_n: Vec<f64>,
    /// Sum per active rater y_.j.
    rater_sum: Vec<f64>,
    /// M.
    n_ratings: f64,
    /// Σ y.
    sum: f64,
    /// Σ y².
    sum_sq: f64,
    n_targets: usize,
}

impl RemlData {
    /// Collect the statistics of `m` (targets nobody rated and raters who rated nothing are
    /// left out; they carry no information on the components).
    pub fn new(m: &RatingMatrix) -> RemlData {
        let active: Vec<usize> = (0..m.n_raters())
            .filter(|&j| (0..m.n_targets()).any(|t| m.get(t, j).is_some()))
            .collect();
        let k = active.len();
        // Missingness patterns keyed by their rater bits (one word per 64 raters).
        let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
        let mut key = vec![0u64; k.div_ceil(64)];
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
            key.iter_mut().for_each(|w| *w = 0);
            for (a, &j) in active.iter().enumerate() {
                if row[j].is_some() {
                    key[a / 64] |= 1 << (a % 64);
                }
            }
            if key.iter().all(|&w| w == 0) {
                continue;
            }
            d.n_targets += 1;
            let mut total = 0.0;
            for (a, &j) in active.iter().enumerate() {
                if let Some(y) = row[j] {
                    total += y;
                    d.rater_n[a] += 1.0;
                    d.rater_sum[a] += y;
                    d.sum_sq += y * y;
                    d.n_ratings += 1.0;
                }
            }
            d.sum += total;
            let next = d.patterns.len();
            let p = match index.get(&key) {
                Some(&p) => p,
                None => {
                    index.insert(key.clone(), next);
                    next
                }
            };
            if p == next {
                d.patterns.push(Pattern {
                    raters: (0..k)
                        .filter(|&a| key[a / 64] >> (a % 64) & 1 == 1)
                        .collect(),
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

    /// Call `f` with `boot.resamples` data sets drawn from the model `c` with this design, from
    /// a generator seeded by `boot.seed` (see [`RemlData::simulate`]).
    pub(crate) fn parametric_draws(
        &self,
        c: &Components,
        boot: BootstrapSpec,
        mut f: impl FnMut(&RemlData),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
        let mut sim = self.clone();
        for _ in 0..boot.resamples {
            self.simulate(c, &mut rng, &mut sim);
            f(&sim);
        }
    }

    /// Why the model cannot be fitted, if it cannot.
    fn not_estimable(&self) -> Option<String> {
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
        let z = &mut work.z;
        for i in 0..dim {
            let mut s = rhs[i];
            for l in 0..i {
                s -= a[l * dim + i] * z[l];
            }
            z[i] = s / a[i * dim + i];
        }
        let quad: f64 = z[..dim].iter().map(|v| v * v).sum();
        let r2 = self.sum_sq - absorbed - quad;
        let scale = self.sum_sq - self.sum * self.sum / self.n_ratings;
        if r2.is_nan() || r2 <= 1e-14 * scale {
            return None;
        }
        let df = self.n_ratings - 1.0;
        Some((logdet + ld + df * (r2 / df).ln(), r2))
    }

    /// REML estimates of the components, or `None` when the fit fails. `start` (λ_s, λ_r) is
    /// where the search begins; `precise` asks for the point estimate's tolerance (bootstrap
    /// refits stop earlier: their spread is many orders above the difference).
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

    /// The statistics of one draw from the fitted model with the same design (same targets,
    /// raters and missing cells): new rater effects, target effects and residuals.
    ///
    /// Within a pattern with c targets and m raters the target vectors are iid
    /// N(μ + r_P, σ²_s 11' + σ²_e I): their sum is normal, and the scatter matrix is Wishart,
    /// whose two quadratic forms needed here are independent scaled χ² variables
    /// (1'W1 ~ m(mσ²_s + σ²_e) χ²_{c−1}, tr W − 1'W1/m ~ σ²_e χ²_{(c−1)(m−1)}).
    fn simulate(&self, c: &Components, rng: &mut ChaCha8Rng, out: &mut RemlData) {
        let k = self.n_raters();
        let (ss, sr, se) = (c.target.sqrt(), c.rater.sqrt(), c.residual.sqrt());
        let effects: Vec<f64> = (0..k).map(|_| sr * normal(rng)).collect();
        out.rater_sum.iter_mut().for_each(|x| *x = 0.0);
        out.sum = 0.0;
        out.sum_sq = 0.0;
        for (p, q) in self.patterns.iter().zip(out.patterns.iter_mut()) {
            let m = p.raters.len() as f64;
            let cnt = p.count;
            let shared = ss * cnt.sqrt() * normal(rng);
            let (mut total, mut norm2) = (0.0, 0.0);
            for &j in &p.raters {
                let t = cnt * (c.mean + effects[j]) + shared + se * cnt.sqrt() * normal(rng);
                out.rater_sum[j] += t;
                total += t;
                norm2 += t * t;
            }
            let between = m * (m * c.target + c.residual) * chi_squared(rng, cnt - 1.0);
            let within = c.residual * chi_squared(rng, (cnt - 1.0) * (m - 1.0));
            q.sum = total;
            q.sum_sq_totals = between + total * total / cnt;
            out.sum += total;
            out.sum_sq += between / m + within + norm2 / cnt;
        }
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
fn cholesky_upper(a: &mut [f64], dim: usize) -> Option<f64> {
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

/// Stopping rule of [`nelder_mead`]: relative spread of values and relative simplex size.
#[derive(Clone, Copy)]
struct Tolerance {
    f: f64,
    x: f64,
}

/// Nelder–Mead minimisation in two dimensions (Nelder & Mead 1965, standard coefficients)
/// from `x0` with initial step `step`; returns the best point and value.
fn nelder_mead(
    f: &mut impl FnMut([f64; 2]) -> f64,
    x0: [f64; 2],
    step: f64,
    tol: Tolerance,
) -> ([f64; 2], f64) {
    let mut s = [x0, [x0[0] + step, x0[1]], [x0[0], x0[1] + step]];
    let mut v = [f(s[0]), f(s[1]), f(s[2])];
    for _ in 0..2000 {
        let mut idx = [0, 1, 2];
        idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
        let (b, m, w) = (idx[0], idx[1], idx[2]);
        let size = (s[m][0] - s[b][0])
            .abs()
            .max((s[m][1] - s[b][1]).abs())
            .max((s[w][0] - s[b][0]).abs())
            .max((s[w][1] - s[b][1]).abs());
        let scale = 1.0 + s[b][0].abs().max(s[b][1].abs());
        if (v[w] - v[b]).abs() <= tol.f * (1.0 + v[b].abs()) && size < tol.x * scale {
            break;
        }
        let c = [(s[b][0] + s[m][0]) / 2.0, (s[b][1] + s[m][1]) / 2.0];
        let at = |t: f64| [c[0] + t * (s[w][0] - c[0]), c[1] + t * (s[w][1] - c[1])];
        let xr = at(-1.0);
        let fr = f(xr);
        if fr < v[b] {
            let xe = at(-2.0);
            let fe = f(xe);
            (s[w], v[w]) = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < v[m] {
            (s[w], v[w]) = (xr, fr);
        } else {
            let xc = if fr < v[w] { at(-0.5) } else { at(0.5) };
            let fc = f(xc);
            if fc < v[w].min(fr) {
                (s[w], v[w]) = (xc, fc);
            } else {
                for i in [m, w] {
                    s[i] = [(s[i][0] + s[b][0]) / 2.0, (s[i][1] + s[b][1]) / 2.0];
                    v[i] = f(s[i]);
                }
            }
        }
    }
    let b = (0..3).min_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap_or(0);
    (s[b], v[b])
}

/// Standard normal draw (Marsaglia polar method).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    loop {
        let u: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let v: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

/// χ² draw with `df` degrees of freedom (2 · Gamma(df/2); Marsaglia & Tsang 2000, with the
/// U^(1/a) boost for shapes below 1). Zero degrees of freedom give 0.
fn chi_squared(rng: &mut ChaCha8Rng, df: f64) -> f64 {
    if df <= 0.0 {
        return 0.0;
    }
    let shape = df / 2.0;
    let (a, boost) = if shape < 1.0 {
        let u: f64 = rng.random::<f64>();
        (shape + 1.0, u.max(f64::MIN_POSITIVE).powf(1.0 / shape))
    } else {
        (shape, 1.0)
    };
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u: f64 = rng.random::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return 2.0 * d * v * boost;
        }
    }
}

/// ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) of all ratings in `m` from REML variance components of
/// the crossed random-effects model, with seeded parametric-bootstrap percentile intervals that
/// redraw rater effects (raters random) as well as target effects and residuals.
pub fn icc_reml(m: &RatingMatrix, boot: BootstrapSpec) -> RemlIcc {
    let data = RemlData::new(m);
    let mut out = RemlIcc {
        n_targets: data.n_targets,
        n_raters: data.n_raters(),
        n_ratings: data.n_ratings as usize,
        ..Default::default()
    };
    let fail = |out: &mut RemlIcc, reason: &str| {
        for e in [
            &mut out.components.target,
            &mut out.components.rater,
            &mut out.components.residual,
            &mut out.icc_a1,
            &mut out.icc_c1,
            &mut out.icc_ak,
            &mut out.icc_ck,
        ] {
            *e = Estimate::missing(reason);
        }
    };
    if let Some(reason) = data.not_estimable() {
        fail(&mut out, &reason);
        return out;
    }
    let Some(fit) = data.fit(None, true) else {
        fail(&mut out, "the REML fit did not converge for these data");
        return out;
    };
    let k = data.n_ratings / data.n_targets as f64;
    out.k = Some(k);
    let n = data.n_targets;
    // λ is searched over the reals and squared, so a component at 0 comes out as a tiny
    // positive number; below this it is the boundary. (σ²_e is r²/(M − 1) > 0 by construction.)
    let zero = 1e-10 * (fit.target + fit.rater + fit.residual);
    let mut snap = |name: &str, v: f64| {
        if v <= zero {
            out.at_zero.push(name.to_string());
            0.0
        } else {
            v
        }
    };
    let fit = Components {
        target: snap("target", fit.target),
        rater: snap("rater", fit.rater),
        residual: fit.residual,
        mean: fit.mean,
    };
    let point = fit.iccs(k);
    let mut draws: Vec<Vec<f64>> = (0..7).map(|_| Vec::with_capacity(boot.resamples)).collect();
    if boot.resamples > 0 {
        let start = (
            (fit.target / fit.residual).sqrt(),
            (fit.rater / fit.residual).sqrt(),
        );
        data.parametric_draws(&fit, boot, |sim| {
            let b = sim.fit(Some(start), false);
            let iccs = b.and_then(|b| b.iccs(k));
            let row = [
                b.map(|b| b.target),
                b.map(|b| b.rater),
                b.map(|b| b.residual),
                iccs.map(|v| v[0]),
                iccs.map(|v| v[1]),
                iccs.map(|v| v[2]),
                iccs.map(|v| v[3]),
            ];
            for (v, x) in draws.iter_mut().zip(row) {
                v.push(x.unwrap_or(f64::NAN));
            }
        });
    }
    let values = [
        Some(fit.target),
        Some(fit.rater),
        Some(fit.residual),
        point.map(|v| v[0]),
        point.map(|v| v[1]),
        point.map(|v| v[2]),
        point.map(|v| v[3]),
    ];
    let [target, rater, residual, a1, c1, ak, ck] = std::array::from_fn(|i| {
        let e = Estimate::from_option(values[i], "no variance to partition").with_n(n);
        if boot.resamples > 0 && e.is_some() {
            e.with_bootstrap(boot.seed, boot.resamples)
                .with_percentile_ci(
                    &mut draws[i],
                    boot.resamples,
                    "parametric-bootstrap-percentile",
                )
        } else {
            e
        }
    });
    out.components = RemlComponents {
        target,
        rater,
        residual,
    };
    (out.icc_a1, out.icc_c1, out.icc_ak, out.icc_ck) = (a1, c1, ak, ck);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::icc::icc_forms;

    fn shrout_fleiss() -> RatingMatrix {
        RatingMatrix::from_complete(&[
            vec![9.0, 2.0, 5.0, 8.0],
            vec![6.0, 1.0, 3.0, 2.0],
            vec![8.0, 4.0, 6.0, 8.0],
            vec![7.0, 1.0, 2.0, 6.0],
            vec![10.0, 5.0, 6.0, 9.0],
            vec![6.0, 2.0, 4.0, 7.0],
        ])
        .unwrap()
    }

    #[test]
    fn balanced_reml_equals_anova_when_components_are_positive() {
        // On balanced data with positive ANOVA components, REML = ANOVA (Searle et al. 1992, §6.7),
        // so the four ICCs equal ICC(2,1), ICC(3,1), ICC(2,k), ICC(3,k).
        let m = shrout_fleiss();
        let a = icc_forms(&m).icc;
        let r = icc_reml(
            &m,
            BootstrapSpec {
                resamples: 0,
                seed: 1,
            },
        );
        for (got, want) in [
            (&r.icc_a1, &a.icc2),
            (&r.icc_c1, &a.icc3),
            (&r.icc_ak, &a.icc2k),
            (&r.icc_ck, &a.icc3k),
        ] {
            let (g, w) = (got.value.unwrap(), want.value.unwrap());
            assert!((g - w).abs() < 1e-7, "{g} vs {w}");
        }
        assert_eq!(r.k, Some(4.0));
        assert!(r.at_zero.is_empty());
    }
}
