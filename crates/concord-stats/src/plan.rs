//! How many more ratings a target precision needs (`concord plan`): the human ICC(A,1)
//! (Bonett 2002), each judge's mean bias and Bland–Altman limits, and each model's PPI++ mean
//! (the cheapest mix of clinician-rated and judge-only responses, as `ppi_py` 0.2.3's
//! `ppi_mean_power`).
//!
//! `width` is always the full width of the (1 − α) interval, upper − lower (as in Bonett 2002);
//! a dashboard saying "±W" means `width = 2W`. Every `n_needed` is rounded up except the PPI
//! sizes, which `ppi_py` rounds to nearest (half to even) and which are kept bit-compatible.
//!
//! ```
//! use concord_stats::plan::{bias_plan, icc_plan, plan_attribute, ppi_plan};
//! use concord_stats::ppi::ModelScores;
//!
//! // Published example (Bonett 2002): ρ = 0.8, k = 2, w = 0.2 → 51 subjects, 55 with the k = 2 correction.
//! let icc = icc_plan(0.8, 2, 30, 0.2, 0.05);
//! assert_eq!(icc.n_needed, Some(55));
//! assert_eq!(icc.n_more, Some(25));
//!
//! let judge = [4.0, 5.0, 3.0, 4.0, 5.0, 2.0];
//! let human = [3.5, 4.0, 3.0, 3.0, 4.5, 2.0];
//! let j = bias_plan("gpt-judge", &judge, &human, 0.5, 0.05);
//! assert!(j.loa.n_needed > j.bias.n_needed);
//!
//! let y = [3.0, 4.0, 2.0, 5.0, 4.0, 3.5, 2.5, 4.5];
//! let yhat = [3.5, 4.8, 2.9, 5.0, 4.1, 4.0, 3.0, 5.0];
//! let p = ppi_plan("model-a", "empathy", &y, &yhat, 1000, 0.3, 0.05, 0.01);
//! assert!(p.n_needed.unwrap() < p.n_classical.unwrap());
//!
//! // Or everything for one attribute at once (what `concord plan --json` prints):
//! let unl = [4.0, 3.1, 4.7, 2.2, 3.9];
//! let m = ModelScores { model: "model-a", attribute: "empathy", y: &y, yhat: &yhat, yhat_unlabelled: &unl };
//! let report = plan_attribute("empathy", 0.3, 0.05, Some((0.8, 2, 30)),
//!                             &[("gpt-judge", &judge, &human)], &[m], 0.01);
//! assert_eq!(report.human_icc, icc_plan(0.8, 2, 30, 0.3, 0.05));
//! assert_eq!(report.judges[0], bias_plan("gpt-judge", &judge, &human, 0.3, 0.05));
//! assert_eq!(report.ppi[0].n_total, 13);
//! assert!(serde_json::to_string(&report).unwrap().contains("\"n_needed\""));
//! ```

use crate::ppi::z_two_sided;
use serde::{Deserialize, Serialize};

/// The `concord plan` result for one attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanReport {
    /// Attribute key.
    pub attribute: String,
    /// Target full interval width (upper − lower).
    pub width: f64,
    /// Error level α (intervals are 1 − α).
    pub alpha: f64,
    /// Human inter-rater ICC(A,1).
    pub human_icc: IccPlan,
    /// One per judge.
    pub judges: Vec<JudgePlan>,
    /// One per model.
    pub ppi: Vec<PpiPlan>,
}

/// Targets (responses) needed now and in total for one interval.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SizePlan {
    /// Targets available now.
    pub n_now: usize,
    /// Targets needed in total for the width; `null` with a `reason` when undefined.
    pub n_needed: Option<u64>,
    /// max(0, n_needed − n_now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_more: Option<u64>,
    /// Why `n_needed` is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl SizePlan {
    fn new(n_now: usize, n: Option<f64>, reason: &str) -> SizePlan {
        match n.filter(|v| v.is_finite() && *v >= 0.0 && *v < u64::MAX as f64) {
            Some(v) => {
                let needed = v.ceil() as u64;
                SizePlan {
                    n_now,
                    n_needed: Some(needed),
                    n_more: Some(needed.saturating_sub(n_now as u64)),
                    reason: None,
                }
            }
            None => SizePlan {
                n_now,
                reason: Some(reason.to_string()),
                ..SizePlan::default()
            },
        }
    }
}

/// Responses every human must rate for the ICC(A,1) interval (`human_icc` in the JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IccPlan {
    /// Planning value of ρ (the current estimate).
    pub rho: Option<f64>,
    /// Raters per response.
    pub k: usize,
    /// Responses rated by all k raters now.
    pub n_now: usize,
    /// Responses needed in total (Bonett 2002, with his k = 2 correction, see [`icc_plan`]).
    pub n_needed: Option<u64>,
    /// max(0, n_needed − n_now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_more: Option<u64>,
    /// The small-sample correction used, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<String>,
    /// Why `n_needed` is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Bonett (2002) sample size for an ICC interval of full width `w`:
/// n = 1 + 8z²(1 − ρ)²(1 + (k − 1)ρ)² / (k(k − 1)w²), unrounded and uncorrected.
pub fn bonett_icc_n(rho: f64, k: usize, width: f64, alpha: f64) -> Option<f64> {
    let z = z_two_sided(alpha)?;
    if k < 2 || !(width > 0.0 && width.is_finite()) || !rho.is_finite() {
        return None;
    }
    let kf = k as f64;
    let n = 1.0
        + 8.0 * z * z * (1.0 - rho).powi(2) * (1.0 + (kf - 1.0) * rho).powi(2)
            / (kf * (kf - 1.0) * width * width);
    n.is_finite().then_some(n)
}

/// ICC(A,1) plan: [`bonett_icc_n`] rounded up, plus 5ρ when k = 2 and ρ ≥ 0.7 — Bonett's
/// (2002) correction for the case where his approximation runs short.
pub fn icc_plan(rho: f64, k: usize, n_now: usize, width: f64, alpha: f64) -> IccPlan {
    let corrected = k == 2 && rho >= 0.7;
    let n = bonett_icc_n(rho, k, width, alpha).map(|n| if corrected { n + 5.0 * rho } else { n });
    let size = SizePlan::new(
        n_now,
        n,
        "needs a finite ICC estimate, k ≥ 2 raters, 0 < alpha < 1 and width > 0",
    );
    IccPlan {
        rho: rho.is_finite().then_some(rho),
        k,
        n_now,
        n_needed: size.n_needed,
        n_more: size.n_more,
        correction: (corrected && size.n_needed.is_some())
            .then(|| "k = 2 and ρ ≥ 0.7: + 5ρ (Bonett 2002)".to_string()),
        reason: size.reason,
    }
}

/// One judge's plan: its mean bias and Bland–Altman limits (`judges[]` in the JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgePlan {
    /// Judge name.
    pub judge: String,
    /// SD (ddof = 1) of judge − human mean over the responses both scored.
    pub sd_diff: Option<f64>,
    /// Mean bias: n = (2z·s_d/w)².
    pub bias: SizePlan,
    /// Each limit of agreement: n ≈ 3(2z·s_d/w)² (Var(LoA) ≈ 3s_d²/n, Bland & Altman 1986).
    pub loa: SizePlan,
}

/// Mean-bias and limits-of-agreement plans from paired judge and human-mean scores.
pub fn bias_plan(
    judge: &str,
    judge_scores: &[f64],
    human_mean: &[f64],
    width: f64,
    alpha: f64,
) -> JudgePlan {
    let n = judge_scores.len().min(human_mean.len());
    let d: Vec<f64> = judge_scores
        .iter()
        .zip(human_mean)
        .map(|(a, b)| a - b)
        .collect();
    let sd = (n >= 2 && d.iter().all(|v| v.is_finite())).then(|| {
        let m = d.iter().sum::<f64>() / n as f64;
        (d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    });
    let base = match (sd, z_two_sided(alpha)) {
        (Some(s), Some(z)) if width > 0.0 && width.is_finite() => {
            Some((2.0 * z * s / width).powi(2))
        }
        _ => None,
    };
    let why = "needs ≥ 2 finite paired scores, 0 < alpha < 1 and width > 0";
    JudgePlan {
        judge: judge.to_string(),
        sd_diff: sd,
        bias: SizePlan::new(n, base, why),
        loa: SizePlan::new(n, base.map(|b| 3.0 * b), why),
    }
}

/// One model's cheapest PPI++ mix for the target width (`ppi[]` in the JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PpiPlan {
    /// Model name.
    pub model: String,
    /// Attribute key.
    pub attribute: String,
    /// PPI correlation (Broska et al. 2024): corr(Y, Ŷ) on the labelled responses, capped at 1 − 1/n.
    pub ppi_corr: Option<f64>,
    /// Human-rated responses now.
    pub n_now: usize,
    /// The model's responses in all (the most that can be labelled or judged).
    pub n_total: usize,
    /// Human ratings a human-only interval would need: ⌈(2z·std₀(Y)/w)²⌉ (ppi_py's `effective_n`).
    pub n_classical: Option<u64>,
    /// Human-rated responses needed (ppi_py's `n`).
    pub n_needed: Option<u64>,
    /// Judge-only responses to use beside them (ppi_py's `N`).
    pub n_unlabelled: Option<u64>,
    /// max(0, n_needed − n_now).
    pub n_more: Option<u64>,
    /// Effective sample size of the mix (ppi_py's `effective_n` of the result).
    pub effective_n: Option<u64>,
    /// Cost in clinician ratings (one human rating = 1, one judge score = `judge_cost`).
    pub cost: Option<f64>,
    /// False when even labelling all `n_total` responses cannot reach the width.
    pub reachable: bool,
    /// Why the sizes are missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `ppi_py`'s PPI correlation for a mean (`_get_ppi_corr`): Cov_n/√(Var_n(Y)·Var_n(Ŷ)), capped at 1 − 1/n.
pub fn ppi_corr(y: &[f64], yhat: &[f64]) -> Option<f64> {
    let n = y.len();
    if n < 2 || yhat.len() != n || y.iter().chain(yhat).any(|v| !v.is_finite()) {
        return None;
    }
    let (my, mh) = (
        y.iter().sum::<f64>() / n as f64,
        yhat.iter().sum::<f64>() / n as f64,
    );
    let (mut c, mut vy, mut vh) = (0.0, 0.0, 0.0);
    for (a, b) in y.iter().zip(yhat) {
        c += (a - my) * (b - mh);
        vy += (a - my) * (a - my);
        vh += (b - mh) * (b - mh);
    }
    let nf = n as f64;
    let r = (c / nf) / ((vy / nf) * (vh / nf)).sqrt();
    r.is_finite().then(|| r.min(1.0 - 1.0 / nf))
}

/// The sizes `ppi_py.ppi_power` returns: (n, N, cost, effective_n).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerPair {
    /// Labelled (human-rated) responses.
    pub n: f64,
    /// Unlabelled (judge-only) responses.
    pub big_n: f64,
    /// Total cost.
    pub cost: f64,
    /// Effective sample size.
    pub effective_n: f64,
}

/// `ppi_py.ppi_power(ppi_corr, cost_X = 0, cost_Y, cost_Yhat, effective_n = n0, n_max)`: the cheapest
/// (n, N) whose PPI variance equals a classical mean's on `n0` labels, with n + N ≤ `n_max`
/// (Broska, Howes & van Loon 2024). Rounds as Python's `round` (half to even).
pub fn ppi_power_cheapest(
    corr: f64,
    cost_y: f64,
    cost_yhat: f64,
    n0: f64,
    n_max: f64,
) -> PowerPair {
    let r2 = corr * corr;
    let gamma = cost_yhat / cost_y;
    let ppi_cost = cost_y * (1.0 - r2 + gamma * r2 + 2.0 * (gamma * r2 * (1.0 - r2)).sqrt());
    let classical_cost = cost_y;
    let classical = |n: f64| PowerPair {
        n,
        big_n: 0.0,
        cost: n * classical_cost,
        effective_n: n,
    };
    // _optimal_pair
    let n_raw = n0 * (1.0 - r2 + (gamma * r2 * (1.0 - r2)).sqrt());
    let big_n_raw = if corr != 0.0 && gamma == 0.0 {
        f64::INFINITY
    } else if corr != 0.0 {
        n_raw * (n0 - n_raw) / (n_raw - (1.0 - r2) * n0)
    } else {
        0.0
    };
    let (n, big_n) = (n_raw.round_ties_even(), big_n_raw.round_ties_even());
    let mut result = PowerPair {
        n,
        big_n,
        cost: n * cost_y + (n + big_n) * cost_yhat,
        effective_n: (n * (n + big_n) / (n + (1.0 - r2) * big_n)).round_ties_even(),
    };
    // A free judge (γ = 0) makes N infinite in ppi_py (which then fails in `round`); here it
    // falls through to the n_max branch below, which is where a finite study ends up anyway.
    if classical_cost < ppi_cost || big_n < 0.0 {
        result = classical(n0.round_ties_even());
    }
    if result.n + result.big_n <= n_max {
        return result;
    }
    if n0 > n_max {
        return classical(n_max);
    }
    let n = (n0 * n_max * (1.0 - r2) / (n_max - r2 * n0)).round_ties_even();
    let big_n = n_max - n;
    PowerPair {
        n,
        big_n,
        cost: n * (cost_y + cost_yhat) + big_n * cost_yhat,
        effective_n: (n * (n + big_n) / (n + (1.0 - r2) * big_n)).round_ties_even(),
    }
}

/// PPI++ plan for one model: the human-only size n0 for `width`, then the cheapest mix
/// ([`ppi_power_cheapest`]) within the model's `n_total` responses. `judge_cost` is the cost
/// of one judge score relative to one clinician rating (e.g. 0.01).
#[allow(clippy::too_many_arguments)]
pub fn ppi_plan(
    model: &str,
    attribute: &str,
    y: &[f64],
    yhat: &[f64],
    n_total: usize,
    width: f64,
    alpha: f64,
    judge_cost: f64,
) -> PpiPlan {
    let mut out = PpiPlan {
        model: model.to_string(),
        attribute: attribute.to_string(),
        ppi_corr: ppi_corr(y, yhat),
        n_now: y.len(),
        n_total,
        n_classical: None,
        n_needed: None,
        n_unlabelled: None,
        n_more: None,
        effective_n: None,
        cost: None,
        reachable: false,
        reason: None,
    };
    let z = z_two_sided(alpha);
    let (Some(corr), Some(z)) = (out.ppi_corr, z) else {
        out.reason = Some(
            "needs ≥ 2 human-rated responses with varying human and judge scores, and 0 < alpha < 1"
                .to_string(),
        );
        return out;
    };
    if !(width > 0.0 && width.is_finite() && judge_cost >= 0.0 && judge_cost.is_finite()) {
        out.reason = Some("width must be > 0 and judge_cost ≥ 0".to_string());
        return out;
    }
    let n = y.len() as f64;
    let m = y.iter().sum::<f64>() / n;
    let sd0 = (y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
    let n0 = (2.0 * z * sd0 / width).powi(2).ceil();
    let pair = ppi_power_cheapest(corr, 1.0, judge_cost, n0, n_total as f64);
    out.n_classical = Some(n0 as u64);
    out.n_needed = Some(pair.n as u64);
    out.n_unlabelled = Some(pair.big_n as u64);
    out.n_more = Some((pair.n as u64).saturating_sub(y.len() as u64));
    out.effective_n = Some(pair.effective_n as u64);
    out.cost = Some(pair.cost);
    out.reachable = n0 <= n_total as f64;
    if !out.reachable {
        out.reason = Some(format!(
            "even {n_total} human ratings (every response) give a wider interval: {n0} would be needed"
        ));
    } else if corr < 0.0 {
        // ppi_py plans with ρ², but PPI++ clips λ to [0, 1] and cannot use a negative correlation.
        out.reason = Some(
            "the judge correlates negatively with humans: PPI++ will not reach this plan; \
             plan on n_classical human ratings"
                .to_string(),
        );
    }
    out
}

/// The whole `concord plan` result for one attribute in one call: `icc` = (current ICC(A,1),
/// raters k, responses rated by all k now) or `None` when there is no ICC; `judges` =
/// (name, judge scores, human means on the same responses); `models` as for
/// [`crate::ppi::estimate_models`] (n_total = labelled + unlabelled).
pub fn plan_attribute(
    attribute: &str,
    width: f64,
    alpha: f64,
    icc: Option<(f64, usize, usize)>,
    judges: &[(&str, &[f64], &[f64])],
    models: &[crate::ppi::ModelScores<'_>],
    judge_cost: f64,
) -> PlanReport {
    let human_icc = match icc {
        Some((rho, k, n_now)) => icc_plan(rho, k, n_now, width, alpha),
        None => IccPlan {
            rho: None,
            k: 0,
            n_now: 0,
            n_needed: None,
            n_more: None,
            correction: None,
            reason: Some("no human ICC(A,1) for this attribute".to_string()),
        },
    };
    PlanReport {
        attribute: attribute.to_string(),
        width,
        alpha,
        human_icc,
        judges: judges
            .iter()
            .map(|(name, j, h)| bias_plan(name, j, h, width, alpha))
            .collect(),
        ppi: models
            .iter()
            .map(|m| {
                let total = m.y.len() + m.yhat_unlabelled.len();
                ppi_plan(
                    m.model,
                    m.attribute,
                    m.y,
                    m.yhat,
                    total,
                    width,
                    alpha,
                    judge_cost,
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bonett_worked_example() {
        // Bonett (2002) / wnarifin & ptenklooster calculators: ρ = 0.8, k = 2, w = 0.2, 95%.
        let n = bonett_icc_n(0.8, 2, 0.2, 0.05).unwrap();
        assert_eq!(n.ceil(), 51.0);
        assert_eq!(icc_plan(0.8, 2, 0, 0.2, 0.05).n_needed, Some(55));
        // No correction for k = 3: n = 1 + 8z²(0.2)²(2.6)²/(6·0.04).
        let z = z_two_sided(0.05).unwrap();
        let by_hand = 1.0 + 8.0 * z * z * 0.04 * 6.76 / (6.0 * 0.04);
        assert!((bonett_icc_n(0.8, 3, 0.2, 0.05).unwrap() - by_hand).abs() < 1e-12);
        let p = icc_plan(0.8, 3, 100, 0.2, 0.05);
        assert_eq!((p.n_more, p.correction), (Some(0), None));
        assert!(icc_plan(f64::NAN, 2, 5, 0.2, 0.05).reason.is_some());
        assert!(icc_plan(0.5, 1, 5, 0.2, 0.05).n_needed.is_none());
    }

    #[test]
    fn bias_and_loa_sizes() {
        let j = [1.0, 2.0, 3.0, 4.0];
        let h = [0.0, 2.0, 2.0, 4.0];
        // d = [1, 0, 1, 0]: s_d = √(1/3).
        let p = bias_plan("j", &j, &h, 0.5, 0.05);
        let z = z_two_sided(0.05).unwrap();
        let base = (2.0 * z * (1.0f64 / 3.0).sqrt() / 0.5).powi(2);
        assert_eq!(p.bias.n_needed, Some(base.ceil() as u64));
        assert_eq!(p.loa.n_needed, Some((3.0 * base).ceil() as u64));
        assert_eq!(p.bias.n_more, Some(base.ceil() as u64 - 4));
        assert!(bias_plan("j", &[1.0], &[1.0], 0.5, 0.05)
            .bias
            .reason
            .is_some());
    }

    #[test]
    fn free_judge_uses_every_response() {
        let p = ppi_power_cheapest(0.8, 1.0, 0.0, 300.0, 2000.0);
        assert_eq!(p.n + p.big_n, 2000.0);
        assert!(p.n < 300.0 && p.n > 0.36 * 300.0);
    }
}
