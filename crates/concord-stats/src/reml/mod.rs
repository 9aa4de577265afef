//! ICC for incomplete rating designs by REML: the crossed random-effects model
//! y_ij = μ + s_i + r_j + e_ij (targets i, raters j, at most one rating per cell) with
//! s ~ N(0, σ²_s), r ~ N(0, σ²_r), e ~ N(0, σ²_e), fitted by restricted maximum likelihood
//! (Patterson & Thompson 1971; the profiled deviance of lme4, Bates et al. 2015, eq. 41).
//!
//! Every rating is used, whatever the pattern of missing cells. The intervals are generalized
//! confidence intervals whose pivots come from a seeded parametric bootstrap of the fitted
//! model that draws new rater effects as well as new target effects and residuals, so they
//! treat the raters as random, as ICC(A,·) does.
//!
//! `data.rs` holds the sufficient statistics and the fit, `optimize.rs` the minimiser,
//! `simulate.rs` the draws from the fitted model and `pivot.rs` the intervals.

mod data;
mod optimize;
mod pivot;
mod simulate;
#[cfg(test)]
mod tests;

use crate::bootstrap::BootstrapSpec;
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

pub use data::RemlData;

/// `ci_method` of the REML intervals.
const GPQ_METHOD: &str = "parametric-bootstrap-generalized-pivotal";

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

/// ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) of all ratings in `m` from REML variance components of
/// the crossed random-effects model, with seeded generalized confidence intervals
/// (`RemlData::pivotal_draws`) from draws of the fitted model that redraw rater effects
/// (raters random) as well as target effects and residuals.
pub fn icc_reml(m: &RatingMatrix, boot: BootstrapSpec) -> RemlIcc {
    icc_reml_of(&RemlData::new(m), boot)
}

/// [`icc_reml`] from a matrix's statistics `data`, which the report shares with Henderson's.
pub(crate) fn icc_reml_of(data: &RemlData, boot: BootstrapSpec) -> RemlIcc {
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
    let mut no_pivots = None;
    if boot.resamples > 0 {
        no_pivots = data
            .pivotal_draws(&fit, boot, |row| {
                let iccs = row.and_then(|c| c.iccs(k));
                let values = [
                    row.map(|c| c.target),
                    row.map(|c| c.rater),
                    row.map(|c| c.residual),
                    iccs.map(|v| v[0]),
                    iccs.map(|v| v[1]),
                    iccs.map(|v| v[2]),
                    iccs.map(|v| v[3]),
                ];
                for (v, x) in draws.iter_mut().zip(values) {
                    v.push(x.unwrap_or(f64::NAN));
                }
            })
            .err();
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
        match no_pivots {
            _ if boot.resamples == 0 || !e.is_some() => e,
            Some(reason) => Estimate {
                reason: Some(reason.into()),
                ..e
            },
            None => e
                .with_bootstrap(boot.seed, boot.resamples)
                .with_percentile_ci(&mut draws[i], boot.resamples, GPQ_METHOD),
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
