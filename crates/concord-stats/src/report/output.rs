//! What `agreement_report` returns: the report's types, whose JSON form `SCHEMA.md` documents
//! field by field. The estimates' own types come from the algorithm modules and are re-exported
//! by `report` so that other crates name them from here.

use super::input::{ReportOptions, Unit};
use crate::alpha::AlphaSet;
use crate::alt_test::AltTest;
use crate::estimate::Estimate;
use crate::gwet::GwetSet;
use crate::icc::{IccForms, UnbalancedIcc};
use crate::judge::{PairedAgreement, ReliabilityClass};
use crate::judge_bias::JudgeBias;
use crate::kappa::KappaSet;
use crate::reml::RemlIcc;
use crate::replacement::Replacement;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};

/// Kappa and raw agreement for one pair of human raters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairReport {
    /// The two raters.
    pub raters: [String; 2],
    /// Targets both rated.
    pub n: usize,
    /// Cohen's kappas.
    pub kappa: KappaSet,
    /// Exact agreement rate.
    pub exact: Option<f64>,
    /// Agreement within one scale point.
    pub within_one: Option<f64>,
}

/// One human rater against the leave-one-out mean of the other humans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterDiagnostic {
    /// Rater name.
    pub rater: String,
    /// Targets rated by this rater and by at least one other human.
    pub n: usize,
    /// ICC(C,1) between the rater and the others' mean.
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
    /// Mean of rater − others' mean.
    pub bias: Estimate,
}

/// Inter-rater statistics among the humans for one attribute or group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HumanReport {
    /// Human raters used.
    pub raters: Vec<String>,
    /// Targets with at least one human rating.
    pub n_targets: usize,
    /// Of those, targets not rated by every human (left out of `icc` and `fleiss_kappa`).
    pub n_dropped: usize,
    /// Six ANOVA ICCs on complete targets.
    pub icc: IccForms,
    /// Henderson-method ICC(A,1)/ICC(C,1) on all ratings.
    pub icc_unbalanced: UnbalancedIcc,
    /// REML variance components and ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) on all ratings.
    pub icc_reml: RemlIcc,
    /// Krippendorff's alpha at four levels.
    pub alpha: AlphaSet,
    /// Fleiss' kappa on complete targets.
    pub fleiss_kappa: Estimate,
    /// Fleiss' kappa on every target with ≥ 2 ratings (irrCAC's handling of missing ratings).
    pub fleiss_kappa_all: Estimate,
    /// Gwet's AC1 and AC2.
    pub gwet: GwetSet,
    /// Every pair of humans.
    pub pairs: Vec<PairReport>,
    /// Every human against the others.
    pub rater_diagnostics: Vec<RaterDiagnostic>,
    /// What alpha's jackknife left out in turn: "item" (with all its responses) or "response".
    pub cluster_unit: String,
    /// Items left out in turn when `cluster_unit` is "item".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_clusters: Option<usize>,
}

/// One judge against the human mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeReport {
    /// Judge name.
    pub judge: String,
    /// Response or model level.
    pub unit: Unit,
    /// Pairs used (responses or models); the same number as `agreement.n`, which the JSON
    /// writes here, before `n_excluded_own`, as it always has.
    pub n_targets: usize,
    /// Responses left out because the judge scores its own model (`exclude_own`).
    pub n_excluded_own: usize,
    /// ICC_A1/ICC_C1, bias, Bland–Altman limits, Pearson, Spearman, Kendall and Lin's CCC,
    /// written at this level of the JSON.
    #[serde(flatten)]
    pub agreement: PairedAgreement,
    /// Koo & Li category of the ICC_A1 CI bounds (responses); MentalBench width class (models).
    pub reliability_class: ReliabilityClass,
    /// Can the judge stand in for one human? (Calderon et al. 2025, response level.)
    pub alt_test: AltTest,
    /// Human agreement with the judge in each human's place (ACORN's test, response level).
    pub replacement: Replacement,
    /// Score compression, proportional, length and self-preference bias (response level).
    pub bias_diagnostics: JudgeBias,
    /// Can this judge replace a clinician? With the reasons.
    pub verdict: Verdict,
    /// Model level: every model with its usable responses and whether it was used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<ModelCount>,
    /// Why the intervals are not the ones the unit normally gives (model level without
    /// bootstrap, or with fewer than 3 models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval_note: Option<String>,
}

/// One model at the model level: its usable responses for this judge and attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCount {
    /// Model name.
    pub model: String,
    /// Responses rated by the judge and ≥ 1 human, after `exclude_own`.
    pub n_responses: usize,
    /// False when below `min_responses_per_model` (or with no usable response).
    pub used: bool,
}

/// Everything reported for one attribute (or one composite group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeReport {
    /// Attribute key, or group name for composites.
    pub attribute: String,
    /// The attribute's group (for a composite, the group name itself).
    pub group: Option<String>,
    /// Human inter-rater agreement.
    pub humans: HumanReport,
    /// Judge-vs-human agreement, one entry per judge.
    pub judges: Vec<JudgeReport>,
}

/// The full report; serializes to the schema in `SCHEMA.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementReport {
    /// Per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Per composite group (mean of the group's attributes per rater and response).
    pub groups: Vec<AttributeReport>,
    /// The options used (seed and resamples included).
    pub options: ReportOptions,
    /// Input problems that were worked around (unknown names, bad indices, duplicates).
    pub warnings: Vec<String>,
}
