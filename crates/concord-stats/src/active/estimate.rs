//! The estimate after active sampling: each clinician rating weighted by 1/π (Zrnic & Candès
//! 2024), and `concord estimate`'s model scores with it in place of PPI++ wherever the study
//! recorded sampling rounds.

use crate::ppi::{model_differences, model_ranking, z_two_sided, EstimateSet, MeanCi};

/// Active-inference mean with power tuning (Zrnic & Candès 2024): over all N responses of the
/// round, f = judge score, π = inclusion probability, y = the human score where rated.
/// θ̂ = mean(Z), Z_i = λf_i + c + (y_i − λf_i − c)ξ_i/π_i, se = std₀(Z)/√N (the Poisson-
/// sampling variance, as the paper; see [`combined_probabilities`](crate::active::combined_probabilities) for π over rounds). The paper's
/// estimator has c = 0; any constant c keeps it unbiased, and fitting c (with λ, by least
/// squares on the terms, λ clipped to [0, 1]) removes the judge's mean bias from the variance,
/// which otherwise costs more than active sampling saves.
pub fn active_mean_ci(f: &[f64], pi: &[f64], y: &[Option<f64>], alpha: f64) -> MeanCi {
    let n = f.len();
    let missing = |r: &str| MeanCi {
        reason: Some(r.to_string()),
        ..MeanCi::default()
    };
    if pi.len() != n || y.len() != n {
        return missing("judge scores, probabilities and human scores differ in length");
    }
    let Some(z) = z_two_sided(alpha) else {
        return missing("alpha must lie strictly between 0 and 1");
    };
    let labelled = y.iter().filter(|v| v.is_some()).count();
    if labelled < 2 {
        return missing("needs at least 2 human-rated responses");
    }
    let mut a = Vec::with_capacity(n);
    let mut b = Vec::with_capacity(n);
    for i in 0..n {
        let w = match y[i] {
            Some(_) if !(pi[i] > 0.0 && pi[i] <= 1.0) => {
                return missing("a rated response has no valid sampling probability (0 < π ≤ 1)")
            }
            Some(_) => 1.0 / pi[i],
            None => 0.0,
        };
        let yi = y[i].unwrap_or(0.0);
        if !(f[i].is_finite() && yi.is_finite()) {
            return missing("a score is not a finite number");
        }
        a.push(w * yi);
        b.push(f[i] * (1.0 - w));
    }
    let nf = n as f64;
    let c: Vec<f64> = y
        .iter()
        .zip(pi)
        .map(|(v, p)| if v.is_some() { 1.0 - 1.0 / p } else { 1.0 })
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / nf;
    let cov = |u: &[f64], v: &[f64]| {
        let (mu, mv) = (mean(u), mean(v));
        u.iter()
            .zip(v)
            .map(|(x, y)| (x - mu) * (y - mv))
            .sum::<f64>()
            / nf
    };
    // Control variates B and C (both mean zero by design): minimise Var(A + λB + cC) by
    // least squares, then clip λ to [0, 1] as PPI++ does and refit c given λ.
    let (sbb, scc, sbc) = (cov(&b, &b), cov(&c, &c), cov(&b, &c));
    let (sab, sac) = (cov(&a, &b), cov(&a, &c));
    let det = sbb * scc - sbc * sbc;
    let lambda = if det > 1e-12 * sbb * scc && det.is_finite() {
        (-(sab * scc - sac * sbc) / det).clamp(0.0, 1.0)
    } else if sbb > 0.0 {
        (-sab / sbb).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let shift = if scc > 0.0 {
        -(sac + lambda * sbc) / scc
    } else {
        0.0
    };
    let zs: Vec<f64> = (0..n)
        .map(|i| a[i] + lambda * b[i] + shift * c[i])
        .collect();
    let value = zs.iter().sum::<f64>() / nf;
    let se = (zs.iter().map(|v| (v - value).powi(2)).sum::<f64>() / nf).sqrt() / nf.sqrt();
    if !(value.is_finite() && se.is_finite()) {
        return missing("the estimate is undefined for these data (non-finite)");
    }
    MeanCi {
        value: Some(value),
        ci95: Some([value - z * se, value + z * se]),
        se: Some(se),
        lambda: Some(lambda),
        reason: None,
    }
}

/// One model × attribute under an active design, over every response the judge scored.
#[derive(Debug, Clone, Copy)]
pub struct ActiveScores<'a> {
    /// Judge score f_i.
    pub f: &'a [f64],
    /// Probability π_i that the response was rated, combined over rounds.
    pub pi: &'a [f64],
    /// Human score (mean of the clinicians) where rated.
    pub y: &'a [Option<f64>],
}

/// `set` with each estimate's `ppi_plus` replaced by [`active_mean_ci`] on the matching
/// `designs` entry (same order as `set.estimates`), and the differences and ranking, which
/// read `ppi_plus`, recomputed; `active_rounds` says how many rounds the design has.
pub fn with_active_design(
    mut set: EstimateSet,
    designs: &[ActiveScores<'_>],
    rounds: usize,
) -> EstimateSet {
    for (e, d) in set.estimates.iter_mut().zip(designs) {
        e.ppi_plus = active_mean_ci(d.f, d.pi, d.y, set.alpha);
    }
    set.differences = model_differences(&set.estimates, set.alpha);
    set.ranking = model_ranking(&set.estimates, set.alpha);
    set.active_rounds = Some(rounds);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_design_reduces_to_a_weighted_mean() {
        // π = 1 everywhere: every response rated, the estimate is the plain human mean.
        let f = [3.0, 4.0, 2.0];
        let y = [Some(2.0), Some(5.0), Some(2.0)];
        let e = active_mean_ci(&f, &[1.0; 3], &y, 0.05);
        assert!((e.value.unwrap() - 3.0).abs() < 1e-12);
        let bad = active_mean_ci(&f, &[0.0, 1.0, 1.0], &y, 0.05);
        assert!(bad.value.is_none() && bad.reason.is_some());
    }
}
