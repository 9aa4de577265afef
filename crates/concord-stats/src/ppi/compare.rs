//! Comparing models on PPI++ scores: pairwise differences A − B and the ranking with
//! simultaneous rank intervals.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::{z_two_sided, JudgeOnly, MeanCi, ModelEstimate};

/// A − B for two models on the same attribute: the models' responses are separate samples,
/// so variances add. (Where the same prompts were human-rated for both models the scores are
/// usually positively correlated and the true variance smaller: the interval is then conservative.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelDifference {
    /// Attribute key.
    pub attribute: String,
    /// Model A (minuend).
    pub model_a: String,
    /// Model B (subtrahend).
    pub model_b: String,
    /// Difference of human-only means.
    pub human_only: MeanCi,
    /// Difference of judge-only means (biased; no interval).
    pub judge_only: JudgeOnly,
    /// Difference of PPI++ means (each model with its own λ).
    pub ppi_plus: MeanCi,
    /// Difference of plain PPI means.
    pub ppi: MeanCi,
    /// Two-sided normal p-value of "PPI++ difference = 0".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_ppi_plus: Option<f64>,
}

/// One model's place in an attribute's PPI++ ranking (rank 1 = highest mean score).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankEntry {
    /// Attribute key.
    pub attribute: String,
    /// Model name.
    pub model: String,
    /// Rank by PPI++ point estimate (1 = best; ties broken by input order).
    pub rank: usize,
    /// Interval for the true rank: [1 + models surely better, K − models surely worse], from
    /// PPI++ differences at level α/(K − 1) each (Bonferroni), so it covers with ≥ 1 − α.
    pub rank_ci: [usize; 2],
    /// The PPI++ mean the rank is based on.
    pub value: f64,
}

/// A − B with se = √(se_A² + se_B²) (the models' responses are disjoint, hence independent).
fn difference(a: &MeanCi, b: &MeanCi, z: f64) -> MeanCi {
    match (a.value, b.value) {
        (Some(va), Some(vb)) => match (a.se, b.se) {
            (Some(sa), Some(sb)) => MeanCi::normal(va - vb, sa.hypot(sb), z, 2),
            _ => MeanCi {
                value: Some(va - vb),
                reason: Some("one of the two models has no interval".to_string()),
                ..MeanCi::default()
            },
        },
        _ => MeanCi::missing("one of the two models has no estimate"),
    }
}

fn two_sided_p(d: &MeanCi) -> Option<f64> {
    let (v, se) = (d.value?, d.se?);
    if se > 0.0 {
        Normal::new(0.0, 1.0)
            .ok()
            .map(|n| (2.0 * n.sf((v / se).abs())).min(1.0))
    } else {
        None
    }
}

/// Pairwise A − B for every pair of estimates that share an attribute, A before B in input order.
pub fn model_differences(estimates: &[ModelEstimate], alpha: f64) -> Vec<ModelDifference> {
    let Some(z) = z_two_sided(alpha) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, a) in estimates.iter().enumerate() {
        for b in estimates[i + 1..]
            .iter()
            .filter(|b| b.attribute == a.attribute)
        {
            let ppi_plus = difference(&a.ppi_plus, &b.ppi_plus, z);
            out.push(ModelDifference {
                attribute: a.attribute.clone(),
                model_a: a.model.clone(),
                model_b: b.model.clone(),
                human_only: difference(&a.human_only, &b.human_only, z),
                judge_only: JudgeOnly {
                    value: a
                        .judge_only
                        .value
                        .zip(b.judge_only.value)
                        .map(|(x, y)| x - y),
                    biased: true,
                },
                p_ppi_plus: two_sided_p(&ppi_plus),
                ppi_plus,
                ppi: difference(&a.ppi, &b.ppi, z),
            });
        }
    }
    out
}

/// PPI++ ranking per attribute with simultaneous rank intervals (see [`RankEntry::rank_ci`]).
pub fn model_ranking(estimates: &[ModelEstimate], alpha: f64) -> Vec<RankEntry> {
    let mut attributes: Vec<&str> = Vec::new();
    for e in estimates {
        if !attributes.contains(&e.attribute.as_str()) {
            attributes.push(&e.attribute);
        }
    }
    let mut out = Vec::new();
    for attr in attributes {
        let mut rows: Vec<(&str, f64, f64)> = estimates
            .iter()
            .filter(|e| e.attribute == attr)
            .filter_map(|e| Some((e.model.as_str(), e.ppi_plus.value?, e.ppi_plus.se?)))
            .collect();
        let k = rows.len();
        if k == 0 {
            continue;
        }
        let z = if k > 1 {
            z_two_sided(alpha / (k - 1) as f64)
        } else {
            Some(0.0)
        };
        let Some(z) = z else { continue };
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        for (r, &(model, v, se)) in rows.iter().enumerate() {
            let (mut better, mut worse) = (0, 0);
            for &(_, w, sw) in &rows {
                let half = z * se.hypot(sw);
                if w - v > half {
                    better += 1;
                } else if v - w > half {
                    worse += 1;
                }
            }
            out.push(RankEntry {
                attribute: attr.to_string(),
                model: model.to_string(),
                rank: r + 1,
                rank_ci: [1 + better, k - worse],
                value: v,
            });
        }
    }
    out
}
