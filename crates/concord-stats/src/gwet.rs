//! Gwet's AC1/AC2 (Gwet 2008; 2014) and the multi-rater Fleiss kappa, with missing ratings
//! allowed, linearisation variance and t-based CI exactly as the irrCAC package computes them.

use crate::bootstrap::TargetRows;
use crate::estimate::Estimate;
use crate::kappa::{pooled_category_counts, t975, Weights};
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

/// How chance agreement p_e is defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chance {
    /// Gwet: p_e = T_w/(q(q−1)) Σ_k π_k (1 − π_k).
    Gwet,
    /// Fleiss: p_e = Σ_kl w_kl π_k π_l.
    Fleiss,
}

/// Gwet's coefficients for one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GwetSet {
    /// AC1 (identity weights).
    pub ac1: Estimate,
    /// AC2 with linear weights.
    pub ac2_linear: Estimate,
    /// AC2 with quadratic weights.
    pub ac2_quadratic: Estimate,
}

/// Gwet's AC1 and AC2 (linear, quadratic) on all targets with ≥ 1 rating (Gwet 2014, ch. 4).
pub fn gwet(m: &RatingMatrix, scale: (i64, i64)) -> GwetSet {
    gwet_pooled(m, &TargetRows::new(m), scale)
}

/// [`gwet`] on the pooled target rows of `m`: targets with identical rows count once, weighted.
pub(crate) fn gwet_pooled(m: &RatingMatrix, rows: &TargetRows, scale: (i64, i64)) -> GwetSet {
    match pooled_category_counts(m, rows, scale, |_| true) {
        Ok((counts, w, q)) => {
            let ac = |weights| chance_corrected_weighted(&counts, &w, q, weights, Chance::Gwet);
            GwetSet {
                ac1: ac(Weights::Identity),
                ac2_linear: ac(Weights::Linear),
                ac2_quadratic: ac(Weights::Quadratic),
            }
        }
        Err(e) => GwetSet {
            ac1: Estimate::missing(&e),
            ac2_linear: Estimate::missing(&e),
            ac2_quadratic: Estimate::missing(e),
        },
    }
}

/// Weighted chance-corrected agreement from category counts r_ik (irrCAC `gwet`/`fleiss`).
///
/// p_a = mean over targets with r_i ≥ 2 of Σ_k r_ik (r*_ik − 1)/(r_i (r_i − 1)), r*_ik = Σ_l w_kl r_il;
/// π_k = (1/n) Σ_i r_ik/r_i; γ = (p_a − p_e)/(1 − p_e); var = Σ_i (γ*_i − γ)²/(n(n − 1)) with the
/// linearised γ*_i of Gwet (2014); CI γ ± t_{n−1, .975} SE with the upper bound capped at 1.
/// The counts are distinct rows (K × q) with multiplicities `mult`: every sum over targets is a
/// sum over rows weighted by how many targets share the row.
pub fn chance_corrected_weighted(
    counts: &[f64],
    mult: &[f64],
    q: usize,
    weights: Weights,
    chance: Chance,
) -> Estimate {
    let nf: f64 = mult.iter().sum();
    let n = nf as usize;
    if n < 2 {
        return Estimate::missing("fewer than 2 rated targets");
    }
    let rows = mult.len();
    let w = weights.matrix(q);
    let ri: Vec<f64> = (0..rows)
        .map(|i| counts[i * q..(i + 1) * q].iter().sum())
        .collect();
    let sum_q: Vec<f64> = (0..rows)
        .map(|i| weighted_pairs(&counts[i * q..(i + 1) * q], &w))
        .collect();
    let mut sums = vec![0.0; coefficient_width(q)];
    for i in 0..rows {
        add_row(&mut sums, &counts[i * q..(i + 1) * q], mult[i], &w);
    }
    let n2 = sums[1];
    if n2 == 0.0 {
        return Estimate::missing("no target has 2 or more ratings");
    }
    let (pa, pi) = (
        sums[2] / n2,
        sums[3..].iter().map(|s| s / nf).collect::<Vec<f64>>(),
    );
    let gwet_factor = gwet_factor(&w, q);
    let pe = chance_agreement(|k| pi[k], &w, q, chance);
    if pe.is_nan() || 1.0 - pe <= 1e-12 {
        return Estimate::missing("no variance: chance agreement is 1");
    }
    let gamma = (pa - pe) / (1.0 - pe);
    // Per-target chance term used by the linearisation.
    let pi_w: Vec<f64> = match chance {
        Chance::Gwet => pi.iter().map(|p| 1.0 - p).collect(),
        Chance::Fleiss => (0..q)
            .map(|k| {
                (0..q)
                    .map(|l| (w[k * q + l] + w[l * q + k]) / 2.0 * pi[l])
                    .sum()
            })
            .collect(),
    };
    let mut ss = 0.0;
    for i in 0..rows {
        let (pa_i, pe_r2) = if ri[i] >= 2.0 {
            (sum_q[i] / (ri[i] * (ri[i] - 1.0)), pe)
        } else {
            (-sum_q[i], 0.0)
        };
        let g_i = (nf / n2) * (pa_i - pe_r2) / (1.0 - pe);
        let dot: f64 = (0..q).map(|k| counts[i * q + k] * pi_w[k]).sum::<f64>() / ri[i];
        let pe_i = match chance {
            Chance::Gwet => gwet_factor * dot,
            Chance::Fleiss => dot,
        };
        let g_star = g_i - 2.0 * (1.0 - gamma) * (pe_i - pe) / (1.0 - pe);
        ss += mult[i] * (g_star - gamma).powi(2);
    }
    let se = (ss / (nf * (nf - 1.0))).sqrt();
    let t = t975(nf - 1.0);
    let mut e = Estimate::point(gamma)
        .with_se(se)
        .with_ci(gamma - t * se, (gamma + t * se).min(1.0), "t-linearisation")
        .with_n(n);
    if se > 0.0 {
        e = e.with_p(crate::dist::t_two_sided_p(gamma / se, nf - 1.0));
    }
    e
}

/// Σ_k r_k (r*_k − 1) with r*_k = Σ_l w_kl r_l: a target's weighted agreeing pairs.
fn weighted_pairs(c: &[f64], w: &[f64]) -> f64 {
    let q = c.len();
    (0..q)
        .map(|k| c[k] * ((0..q).map(|l| w[k * q + l] * c[l]).sum::<f64>() - 1.0))
        .sum()
}

/// T_w/(q(q − 1)), Gwet's chance factor.
fn gwet_factor(w: &[f64], q: usize) -> f64 {
    let qf = q as f64;
    w.iter().sum::<f64>() / (qf * (qf - 1.0))
}

/// p_e from the category shares π (`pi(k)`).
fn chance_agreement(pi: impl Fn(usize) -> f64, w: &[f64], q: usize, chance: Chance) -> f64 {
    match chance {
        Chance::Gwet => gwet_factor(w, q) * (0..q).map(|k| pi(k) * (1.0 - pi(k))).sum::<f64>(),
        Chance::Fleiss => (0..q)
            .map(|k| (0..q).map(|l| w[k * q + l] * pi(k) * pi(l)).sum::<f64>())
            .sum(),
    }
}

/// Length of the sums a coefficient is made of ([`add_row`]): targets, targets with ≥ 2
/// ratings, their summed agreement, and each category's summed share.
pub(crate) fn coefficient_width(q: usize) -> usize {
    3 + q
}

/// Adds `mult` targets with category counts `c` (q long) to `sums`; the sums of a set of
/// targets give its coefficient ([`coefficient_from_sums`]), and a cluster's sums taken off
/// give the coefficient without it (the jackknife's replicates).
pub(crate) fn add_row(sums: &mut [f64], c: &[f64], mult: f64, w: &[f64]) {
    let r: f64 = c.iter().sum();
    sums[0] += mult;
    if r >= 2.0 {
        sums[1] += mult;
        sums[2] += mult * (weighted_pairs(c, w) / (r * (r - 1.0)));
    }
    for (s, ck) in sums[3..].iter_mut().zip(c) {
        *s += mult * (ck / r);
    }
}

/// The coefficient (γ) of the targets summed in `sums`, or NaN where undefined.
pub(crate) fn coefficient_from_sums(sums: &[f64], w: &[f64], q: usize, chance: Chance) -> f64 {
    let (nf, n2) = (sums[0], sums[1]);
    if nf < 2.0 || n2 == 0.0 {
        return f64::NAN;
    }
    let pe = chance_agreement(|k| sums[3 + k] / nf, w, q, chance);
    if pe.is_nan() || 1.0 - pe <= 1e-12 {
        return f64::NAN;
    }
    (sums[2] / n2 - pe) / (1.0 - pe)
}
