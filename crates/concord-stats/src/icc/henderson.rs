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
        Some(self.design()?.components(self.t))
    }

    /// The design side of the equations (`None`: it does not identify the components).
    pub(crate) fn design(&self) -> Option<HendersonDesign> {
        HendersonDesign::new(
            self.n,
            self.m,
            self.r,
            self.sum_m_target_sq,
            self.sum_m_rater_sq,
        )
    }
}

/// Henderson's equations without their right-hand side: the expectations' coefficients of
/// (σ²_s, σ²_r, σ²_e), which depend on who rated what and not on the scores, inverted. Data
/// with one layout and other scores (the replacement test's rater sets, simulated draws) share
/// one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HendersonDesign {
    /// Ratings M.
    pub m: f64,
    inverse: [[f64; 3]; 3],
}

impl HendersonDesign {
    /// From the counts of [`HendersonSums`]; `None` when they do not identify the components.
    pub(crate) fn new(
        n: f64,
        m: f64,
        nr: f64,
        sum_m_target_sq: f64,
        sum_m_rater_sq: f64,
    ) -> Option<HendersonDesign> {
        if n < 2.0 || m <= n || nr < 2.0 {
            return None;
        }
        let ks = sum_m_target_sq / m;
        let kr = sum_m_rater_sq / m;
        let a = [
            [m - ks, n - kr, n - 1.0],
            [nr - ks, m - kr, nr - 1.0],
            [ks - nr, kr - n, m - n - nr + 1.0],
        ];
        Some(HendersonDesign {
            m,
            inverse: invert3(a)?,
        })
    }

    /// The components from the quadratic forms T0, T_s, T_r, T_μ.
    pub(crate) fn components(&self, [t0, ts, tr, tmu]: [f64; 4]) -> VarianceComponents {
        let b = [ts - tmu, tr - tmu, t0 - ts - tr + tmu];
        let x = |row: &[f64; 3]| row[0] * b[0] + row[1] * b[1] + row[2] * b[2];
        VarianceComponents {
            target: x(&self.inverse[0]),
            rater: x(&self.inverse[1]),
            residual: x(&self.inverse[2]),
        }
    }
}

/// The inverse of `a` (its adjugate over its determinant), `None` when `a` is singular to
/// rounding.
fn invert3(a: [[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    // Cofactor (r, c): the signed minor without row r and column c.
    let cofactor = |r: usize, c: usize| {
        let (r0, r1) = ((r + 1) % 3, (r + 2) % 3);
        let (c0, c1) = ((c + 1) % 3, (c + 2) % 3);
        a[r0][c0] * a[r1][c1] - a[r0][c1] * a[r1][c0]
    };
    let first = [cofactor(0, 0), cofactor(0, 1), cofactor(0, 2)];
    let d = a[0][0] * first[0] + a[0][1] * first[1] + a[0][2] * first[2];
    let scale = a.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    if d.is_nan() || d.abs() <= 1e-12 * scale.powi(3) {
        return None;
    }
    let mut inverse = [[0.0; 3]; 3];
    for (i, row) in inverse.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = cofactor(j, i) / d;
        }
    }
    Some(inverse)
}

/// Why ICC(A,1) and ICC(C,1) are missing when the components are not identified.
pub(crate) const NOT_ESTIMABLE: &str =
    "not estimable: needs ≥ 2 targets, ≥ 2 raters and some target rated twice";

/// Why they are missing when the identified components leave nothing to partition.
pub(crate) const NO_VARIANCE: &str =
    "no variance to partition (all ratings identical or degenerate components)";

/// ICC(A,1) of the components with negative ones at 0, as [`icc_unbalanced`] reports it.
pub(crate) fn truncated_icc_a1(c: &VarianceComponents) -> Option<f64> {
    icc_pair(&truncated(c)).0
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
/// components are those of `HendersonSums`, as in Gwet's irrICC but with the actual M. The
/// 3 × 3 system is solved exactly and negative components are set to 0 for the ICCs (flagged in
/// `truncated_at_zero`), so on balanced data with no negative component this reproduces
/// ICC(2,1) and ICC(3,1) of the ANOVA. The 95% CI is a seeded parametric bootstrap
/// of the model with the estimated components (negative ones at 0) that draws new rater effects
/// in every resample: a bootstrap over targets alone treats the raters as fixed and covered
/// ICC(A,1) only ~85% of the time with 3 raters (`tests/coverage_reml.rs`).
pub fn icc_unbalanced(m: &RatingMatrix, boot: BootstrapSpec) -> UnbalancedIcc {
    icc_unbalanced_of(m, &RemlData::new(m), boot)
}

/// [`icc_unbalanced`] from `m`'s statistics `data`, which the report shares with REML.
pub(crate) fn icc_unbalanced_of(
    m: &RatingMatrix,
    data: &RemlData,
    boot: BootstrapSpec,
) -> UnbalancedIcc {
    let n = data.n_targets();
    let henderson = data.henderson();
    let point = henderson.components();
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
        out.icc_a1 = Estimate::missing(NOT_ESTIMABLE);
        out.icc_c1 = Estimate::missing(NOT_ESTIMABLE);
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
    let mut ea = Estimate::from_option(a1, NO_VARIANCE).with_n(n);
    let mut ec = Estimate::from_option(c1, NO_VARIANCE).with_n(n);
    if boot.resamples > 0 && (ea.is_some() || ec.is_some()) {
        let model = Components {
            target: c.target,
            rater: c.rater,
            residual: c.residual,
            mean: data.mean(),
        };
        // Every draw keeps the data's layout, so its design: only the quadratic forms change.
        let design = henderson
            .design()
            .expect("the point's components were identified");
        let (mut av, mut cv) = (Vec::new(), Vec::new());
        data.parametric_draws(&model, boot, |sim| {
            let (a, c) = icc_pair(&truncated(&design.components(sim.henderson().t)));
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
