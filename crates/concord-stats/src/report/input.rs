//! What `agreement_report` reads: the study's ratings in neutral form ([`StudyRatings`]) and
//! the options of the analysis ([`ReportOptions`]).

use crate::alt_test::AltTestOptions;
use crate::bootstrap::DEFAULT_BOOTSTRAP_SEED;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rated attribute (rubric item) and its declared integer scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeSpec {
    /// Attribute key, e.g. "accuracy".
    pub key: String,
    /// Composite group the attribute belongs to, e.g. "CSS".
    pub group: Option<String>,
    /// Lowest scale point.
    pub scale_min: i64,
    /// Highest scale point.
    pub scale_max: i64,
}

/// A rater: a clinician (`is_judge = false`) or an LLM judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterSpec {
    /// Display name, unique within the study.
    pub name: String,
    /// True for LLM judges.
    pub is_judge: bool,
}

/// A rated target: one LLM response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// Response id.
    pub id: String,
    /// The model that produced it.
    pub model: String,
    /// Response length in characters, when known (for the judges' length bias).
    #[serde(default)]
    pub length: Option<f64>,
    /// The item (prompt) it answers; responses to one item form a cluster for the bootstrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
}

/// One rating; indices point into the vectors of [`StudyRatings`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Index into `targets`.
    pub target: usize,
    /// Index into `raters`.
    pub rater: usize,
    /// Index into `attributes`.
    pub attribute: usize,
    /// The score.
    pub value: f64,
}

/// Neutral input built by the store crate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct StudyRatings {
    /// Attributes with their scales.
    pub attributes: Vec<AttributeSpec>,
    /// Raters.
    pub raters: Vec<RaterSpec>,
    /// Targets (responses).
    pub targets: Vec<TargetSpec>,
    /// Ratings.
    pub ratings: Vec<Observation>,
}

/// Level at which a judge is compared with the humans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// One pair per response: judge score vs mean human score.
    #[default]
    Response,
    /// One pair per model: model means of the above (system-level agreement).
    Model,
}

/// What the response-level jackknife intervals (alpha, the replacement test) leave out in turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cluster {
    /// Items when several responses answer the same item (several models), else responses.
    #[default]
    Auto,
    /// Items (prompts) with all their responses.
    Item,
    /// Responses, as independent units.
    Response,
}

/// What to analyse and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Attribute keys to report (all when `None`).
    pub attributes: Option<Vec<String>>,
    /// Human rater names to use (every non-judge when `None`).
    pub humans: Option<Vec<String>>,
    /// Judge names to compare (every judge when `None`).
    pub judges: Option<Vec<String>>,
    /// Response- or model-level judge comparison.
    pub unit: Unit,
    /// judge → models whose responses that judge is not scored on (self-preference).
    pub exclude_own: BTreeMap<String, Vec<String>>,
    /// Bootstrap resamples (0 disables bootstrap intervals).
    pub bootstrap: usize,
    /// Seed of every bootstrap in the report (not the queue's shuffle seed); `seed` in JSON.
    #[serde(rename = "seed")]
    pub bootstrap_seed: u64,
    /// MentalBench's CI-width thresholds (GR ≤ .0 < MR ≤ .1 < PR) for the model-level class.
    pub reliability_thresholds: (f64, f64),
    /// ε, q and minimum items of the Alternative Annotator Test.
    #[serde(default)]
    pub alt_test: AltTestOptions,
    /// Model level: models with fewer usable responses than this are listed, not used.
    #[serde(default = "default_min_responses_per_model")]
    pub min_responses_per_model: usize,
    /// Unit the response-level jackknife leaves out (items as clusters, or responses).
    #[serde(default)]
    pub cluster: Cluster,
    /// Complete-case forms (`icc`, `fleiss_kappa`) need this many responses rated by every
    /// human; below it they are missing with the reason.
    #[serde(default = "default_min_complete_responses")]
    pub min_complete_responses: usize,
}

fn default_min_complete_responses() -> usize {
    20
}

fn default_min_responses_per_model() -> usize {
    10
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            attributes: None,
            humans: None,
            judges: None,
            unit: Unit::Response,
            exclude_own: BTreeMap::new(),
            bootstrap: 1000,
            bootstrap_seed: DEFAULT_BOOTSTRAP_SEED,
            reliability_thresholds: (0.355, 0.560),
            alt_test: AltTestOptions::default(),
            min_responses_per_model: default_min_responses_per_model(),
            cluster: Cluster::Auto,
            min_complete_responses: default_min_complete_responses(),
        }
    }
}
