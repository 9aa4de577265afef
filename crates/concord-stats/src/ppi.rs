//! Model scores from a few human ratings plus an LLM judge on everything: prediction-powered
//! inference (PPI, Angelopoulos et al. 2023, *Science* 382:669) and its power-tuned form PPI++
//! (Angelopoulos, Duchi & Zrnic 2023, arXiv:2311.01453), computed exactly as the reference
//! implementation `ppi_py` 0.2.3 (`ppi_mean_ci`, `ppi_mean_pointestimate`, `classical_mean_ci`).
//!
//! For one judge × model × attribute: `y` = human scores (the mean of the humans where several
//! rated a response) on the human-rated responses, `yhat` = the judge's scores on the same
//! responses (same order), `yhat_unlabelled` = the judge's scores on the model's other responses.
//!
//! ```
//! use concord_stats::ppi::{estimate_models, ModelScores};
//!
//! let a = ModelScores {
//!     model: "model-a",
//!     attribute: "empathy",
//!     y: &[3.0, 4.0, 2.0, 5.0],
//!     yhat: &[3.5, 4.8, 2.9, 5.0],
//!     yhat_unlabelled: &[4.0, 3.1, 4.7, 2.2, 3.9, 4.4],
//! };
//! let b = ModelScores { model: "model-b", ..a };
//! let set = estimate_models("gpt-judge", &[a, b], 0.05);
//! let first = &set.estimates[0];
//! assert_eq!(first.n_labelled, 4);
//! assert!(first.ppi_plus.value.is_some() && first.ppi_plus.lambda.is_some());
//! assert_eq!(set.differences.len(), 1); // model-a − model-b, same attribute
//! let json = serde_json::to_string(&set).unwrap(); // the `concord estimate --json` shape
//! assert!(json.contains("\"ppi_plus\""));
//! ```
//!
//! Degenerate input gives `value: null` with a `reason`; nothing here returns NaN or panics.
//! Where `ppi_py` itself would return NaN (no judge-only responses, a constant judge) the
//! limit it tends to is used instead and the `reason` says so.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

mod compare;
pub use compare::{model_differences, model_ranking, ModelDifference, RankEntry};
mod responses;
pub use responses::{model_index, ResponseModels};
mod scores;
pub use scores::{HumanMeans, ResponseScores, ScoresPart};

/// One judge's scores for one model and attribute (see the module doc for the three slices).
#[derive(Debug, Clone, Copy)]
pub struct ModelScores<'a> {
    /// Model (system) name.
    pub model: &'a str,
    /// Attribute key.
    pub attribute: &'a str,
    /// Human scores Y on the human-rated responses.
    pub y: &'a [f64],
    /// Judge scores Ŷ on the same responses, in the same order as `y`.
    pub yhat: &'a [f64],
    /// Judge scores Ŷ_unl on the model's responses without a human score.
    pub yhat_unlabelled: &'a [f64],
}

/// A mean with its interval: `value: null` always carries a `reason`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MeanCi {
    /// Point estimate.
    pub value: Option<f64>,
    /// Two-sided (1 − α) normal interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    /// Standard error used for the interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// PPI weight λ on the judge (PPI++: power-tuned; plain PPI: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// Why the value or interval is missing, or which limit replaced an undefined `ppi_py` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MeanCi {
    fn missing(reason: &str) -> MeanCi {
        MeanCi {
            reason: Some(reason.to_string()),
            ..MeanCi::default()
        }
    }

    /// value ± z·se; an `se` from a single observation gives no interval.
    fn normal(value: f64, se: f64, z: f64, n_min: usize) -> MeanCi {
        if !value.is_finite() {
            return MeanCi::missing("the estimate is undefined for these data (non-finite)");
        }
        if n_min < 2 || !se.is_finite() {
            return MeanCi {
                value: Some(value),
                reason: Some("an interval needs at least 2 human-rated responses".to_string()),
                ..MeanCi::default()
            };
        }
        MeanCi {
            value: Some(value),
            ci95: Some([value - z * se, value + z * se]),
            se: Some(se),
            ..MeanCi::default()
        }
    }
}

/// The judge-only mean: no human correction, so it carries the judge's bias (`biased` is always true).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeOnly {
    /// Mean judge score over all the model's responses (labelled and unlabelled).
    pub value: Option<f64>,
    /// Always `true`: a label for readers that this mean is not corrected by human scores.
    pub biased: bool,
}

/// Every estimate for one judge × model × attribute (one element of `estimates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEstimate {
    /// Model name.
    pub model: String,
    /// Attribute key.
    pub attribute: String,
    /// Responses with a human score (n).
    pub n_labelled: usize,
    /// Responses with only a judge score (N).
    pub n_unlabelled: usize,
    /// Mean of Y with `ppi_py.classical_mean_ci`'s interval (normal, ddof = 0).
    pub human_only: MeanCi,
    /// Mean of Ŷ over all n + N responses.
    pub judge_only: JudgeOnly,
    /// PPI++: power-tuned λ (`ppi_py.ppi_mean_ci(lam=None)`).
    pub ppi_plus: MeanCi,
    /// Plain PPI, λ = 1 (`ppi_py.ppi_mean_ci(lam=1)`).
    pub ppi: MeanCi,
}

/// The `concord estimate` result for one judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimateSet {
    /// Judge name.
    pub judge: String,
    /// Error level α (intervals are 1 − α).
    pub alpha: f64,
    /// One per input [`ModelScores`], in input order.
    pub estimates: Vec<ModelEstimate>,
    /// A − B for every pair of models within an attribute (A before B in input order).
    pub differences: Vec<ModelDifference>,
    /// Per attribute, models by PPI++ mean with rank intervals; models without a PPI++
    /// interval are left out.
    pub ranking: Vec<RankEntry>,
    /// Active sampling rounds recorded in the study (`concord next --assign`); when present,
    /// every `ppi_plus` is the active-inference estimate weighted by 1/π
    /// (`active::with_active_design`), and `human_only` is the unweighted mean, biased toward
    /// the responses the rounds favoured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_rounds: Option<usize>,
}

/// The two-sided normal critical value z(1 − α/2), as `scipy.stats.norm.ppf` to ~1e-15.
pub fn z_two_sided(alpha: f64) -> Option<f64> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return None;
    }
    // statrs' inverse (erfc_inv) is exact to rounding here; its `sf` is not (~1e-11 relative),
    // so no Newton polishing on it.
    let z = Normal::new(0.0, 1.0).ok()?.inverse_cdf(1.0 - alpha / 2.0);
    z.is_finite().then_some(z)
}

/// Mean and sum of squared deviations, two-pass as numpy. Non-finite input gives a non-finite
/// mean or m2, which is how callers detect it without a separate pass.
#[derive(Debug, Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn of(x: &[f64]) -> Moments {
        let n = x.len() as f64;
        let mean = sum4(x, |v| v) / n;
        let m2 = sum4(x, |v| (v - mean) * (v - mean));
        Moments { n, mean, m2 }
    }

    fn finite(&self) -> bool {
        self.mean.is_finite() && self.m2.is_finite()
    }

    /// numpy `std` (ddof = 0).
    fn std0(&self) -> f64 {
        (self.m2 / self.n).sqrt()
    }
}

/// Σ f(x) in four interleaved partial sums: the bulk of a study is read this way, and four
/// independent additions per step run ~3× faster than one chain. (numpy sums pairwise; both
/// are within a few ulps × √n of the exact sum.)
fn sum4(x: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut acc = [0.0; 4];
    let chunks = x.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] += f(c[k]);
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail.iter().map(|&v| f(v)).sum::<f64>()
}

/// One group's data with the passes every estimator shares done once: the unlabelled judge
/// scores (the bulk, ~90% of a study) are read twice in all.
struct Group<'a> {
    y: &'a [f64],
    yhat: &'a [f64],
    my: Moments,
    mh: Moments,
    mu: Moments,
    /// Σ (y − ȳ)(ŷ − ŷ̄).
    sxy: f64,
}

impl<'a> Group<'a> {
    fn new(
        y: &'a [f64],
        yhat: &'a [f64],
        yhat_unlabelled: &'a [f64],
    ) -> Result<Group<'a>, &'static str> {
        if y.len() != yhat.len() {
            return Err("human and judge scores on the labelled responses differ in length");
        }
        if y.is_empty() {
            return Err("no human-rated responses");
        }
        let (my, mh) = (Moments::of(y), Moments::of(yhat));
        let mu = if yhat_unlabelled.is_empty() {
            Moments {
                n: 0.0,
                mean: 0.0,
                m2: 0.0,
            }
        } else {
            Moments::of(yhat_unlabelled)
        };
        if !(my.finite() && mh.finite() && mu.finite()) {
            return Err("a score is not a finite number");
        }
        let sxy = y
            .iter()
            .zip(yhat)
            .map(|(a, b)| (a - my.mean) * (b - mh.mean))
            .sum();
        Ok(Group {
            y,
            yhat,
            my,
            mh,
            mu,
            sxy,
        })
    }

    fn classical(&self, z: f64) -> MeanCi {
        MeanCi::normal(
            self.my.mean,
            self.my.std0() / self.my.n.sqrt(),
            z,
            self.y.len(),
        )
    }

    /// `_calc_lam_glm` for a mean: Cov_n(Y, Ŷ) / ((1 + n/N)·Var_{n+N−1}(Ŷ ∪ Ŷ_unl)), clipped.
    fn lambda(&self) -> Option<f64> {
        let (n, big_n) = (self.mh.n, self.mu.n);
        if big_n == 0.0 {
            return None;
        }
        // ppi_py: cov_grads = (1/n)(g_c·ĝ_c + ĝ_c·g_c), divided by 2(1 + n/N)·var: the 2s cancel.
        let cov = self.sxy / n;
        // Pooled m2 of the concatenation (Chan et al. 1979), then np.cov's ddof = 1.
        let d = self.mh.mean - self.mu.mean;
        let m2 = self.mh.m2 + self.mu.m2 + d * d * n * big_n / (n + big_n);
        let var = m2 / (n + big_n - 1.0);
        if var.is_nan() || var <= 0.0 {
            return None;
        }
        let lam = cov / ((1.0 + n / big_n) * var);
        lam.is_finite().then(|| lam.clamp(0.0, 1.0))
    }

    /// `ppi_mean_ci(lam=λ)`: θ̂ = mean(λŶ_unl) + mean(Y − λŶ), se² = std₀(λŶ_unl)²/N + std₀(Y − λŶ)²/n.
    fn at(&self, lambda: f64, z: f64) -> MeanCi {
        if self.mu.n == 0.0 {
            return MeanCi::missing("no judge-only responses: PPI needs unlabelled responses");
        }
        // The rectifier is read directly (not from moments) so that Y ≈ λŶ cannot cancel.
        let n = self.my.n;
        let rect_mean = self
            .y
            .iter()
            .zip(self.yhat)
            .map(|(a, b)| a - lambda * b)
            .sum::<f64>()
            / n;
        let rect_m2: f64 = self
            .y
            .iter()
            .zip(self.yhat)
            .map(|(a, b)| (a - lambda * b - rect_mean).powi(2))
            .sum();
        let imputed = lambda.abs() * self.mu.std0() / self.mu.n.sqrt();
        let rectifier = (rect_m2 / n).sqrt() / n.sqrt();
        let se = (imputed * imputed + rectifier * rectifier).sqrt();
        MeanCi {
            lambda: Some(lambda),
            ..MeanCi::normal(lambda * self.mu.mean + rect_mean, se, z, self.y.len())
        }
    }

    /// PPI++; λ = 0 (the human-only mean) where `ppi_py` would return NaN.
    fn ppi_plus(&self, z: f64) -> MeanCi {
        match self.lambda() {
            Some(lam) => self.at(lam, z),
            None => {
                // λ = 0 is the limit: without N or without judge variance the judge adds nothing.
                let why = if self.mu.n == 0.0 {
                    "no judge-only responses: PPI++ is the human-only mean (λ = 0)"
                } else {
                    "the judge gives every response the same score: PPI++ is the human-only mean (λ = 0)"
                };
                let mut out = self.classical(z);
                if out.value.is_some() {
                    out.lambda = Some(0.0);
                    out.reason.get_or_insert_with(|| why.to_string());
                }
                out
            }
        }
    }

    /// Mean judge score over all n + N responses.
    fn judge_mean(&self) -> f64 {
        (self.mh.n * self.mh.mean + self.mu.n * self.mu.mean) / (self.mh.n + self.mu.n)
    }
}

fn with_group(
    y: &[f64],
    yhat: &[f64],
    yhat_unlabelled: &[f64],
    alpha: f64,
    f: impl FnOnce(&Group, f64) -> MeanCi,
) -> MeanCi {
    let Some(z) = z_two_sided(alpha) else {
        return MeanCi::missing("alpha must lie strictly between 0 and 1");
    };
    match Group::new(y, yhat, yhat_unlabelled) {
        Ok(g) => f(&g, z),
        Err(reason) => MeanCi::missing(reason),
    }
}

/// Human-only mean and interval: `ppi_py.classical_mean_ci` (mean ± z·std(ddof=0)/√n).
pub fn classical_mean_ci(y: &[f64], alpha: f64) -> MeanCi {
    with_group(y, y, &[], alpha, |g, z| g.classical(z))
}

/// The power-tuned λ of PPI++ for a mean (`ppi_py._calc_lam_glm`, clip = True):
/// λ = Cov_n(Y, Ŷ) / ((1 + n/N) · Var_{n+N−1}(Ŷ ∪ Ŷ_unl)), clipped to [0, 1].
/// `None` when N = 0 or Ŷ is constant (`ppi_py` gives NaN there).
pub fn power_tuned_lambda(y: &[f64], yhat: &[f64], yhat_unlabelled: &[f64]) -> Option<f64> {
    Group::new(y, yhat, yhat_unlabelled).ok()?.lambda()
}

/// PPI mean at a fixed λ and its interval (`ppi_py.ppi_mean_ci(lam=λ)`):
/// θ̂ = mean(λ·Ŷ_unl) + mean(Y − λŶ), se² = std₀(λŶ_unl)²/N + std₀(Y − λŶ)²/n.
pub fn ppi_mean_ci_at(
    y: &[f64],
    yhat: &[f64],
    yhat_unlabelled: &[f64],
    lambda: f64,
    alpha: f64,
) -> MeanCi {
    with_group(y, yhat, yhat_unlabelled, alpha, |g, z| g.at(lambda, z))
}

/// PPI++ mean with the power-tuned λ (`ppi_py.ppi_mean_ci(lam=None)` and
/// `ppi_mean_pointestimate(lam=None)`). With no judge-only responses or a constant judge,
/// where `ppi_py` returns NaN, λ = 0 (the human-only mean) is used and `reason` says so.
pub fn ppi_plus_mean_ci(y: &[f64], yhat: &[f64], yhat_unlabelled: &[f64], alpha: f64) -> MeanCi {
    with_group(y, yhat, yhat_unlabelled, alpha, |g, z| g.ppi_plus(z))
}

/// Human-only, judge-only, PPI++ and PPI estimates for one judge × model × attribute.
pub fn estimate_model(s: &ModelScores<'_>, alpha: f64) -> ModelEstimate {
    let group = Group::new(s.y, s.yhat, s.yhat_unlabelled);
    let z = z_two_sided(alpha);
    let each = |f: &dyn Fn(&Group, f64) -> MeanCi| match (&group, z) {
        (Ok(g), Some(z)) => f(g, z),
        (Err(reason), _) => MeanCi::missing(reason),
        (_, None) => MeanCi::missing("alpha must lie strictly between 0 and 1"),
    };
    let judge_mean = match &group {
        Ok(g) => Some(g.judge_mean()),
        // Without human scores the judge's mean is still defined.
        Err(_) => {
            let all = s.yhat.len() + s.yhat_unlabelled.len();
            (all > 0).then(|| {
                (s.yhat.iter().sum::<f64>() + s.yhat_unlabelled.iter().sum::<f64>()) / all as f64
            })
        }
    }
    .filter(|v| v.is_finite());
    ModelEstimate {
        model: s.model.to_string(),
        attribute: s.attribute.to_string(),
        n_labelled: s.y.len(),
        n_unlabelled: s.yhat_unlabelled.len(),
        human_only: each(&|g, z| g.classical(z)),
        judge_only: JudgeOnly {
            value: judge_mean,
            biased: true,
        },
        ppi_plus: each(&|g, z| g.ppi_plus(z)),
        ppi: each(&|g, z| g.at(1.0, z)),
    }
}

/// Everything `concord estimate` prints for one judge: per-model estimates, pairwise
/// differences and the PPI++ ranking, at error level `alpha` (`ppi_py`'s default is 0.1;
/// Concord's is 0.05).
pub fn estimate_models(judge: &str, models: &[ModelScores<'_>], alpha: f64) -> EstimateSet {
    let estimates: Vec<ModelEstimate> = models.iter().map(|m| estimate_model(m, alpha)).collect();
    EstimateSet {
        judge: judge.to_string(),
        alpha,
        differences: model_differences(&estimates, alpha),
        ranking: model_ranking(&estimates, alpha),
        estimates,
        active_rounds: None,
    }
}

#[cfg(test)]
mod tests;
