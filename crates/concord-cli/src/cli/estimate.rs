//! Model scores and what to rate next: `estimate`, `plan`, `next` (`cmd/estimate.rs`).

use std::path::PathBuf;

use clap::Args;

/// `concord estimate`.
#[derive(Args)]
pub struct EstimateArgs {
    pub file: PathBuf,
    /// The LLM judge whose scores fill in the responses no clinician rated.
    #[arg(long)]
    pub judge: String,
    /// Only these attributes (repeatable; default: all).
    #[arg(long = "attribute", value_name = "KEY")]
    pub attributes: Vec<String>,
    /// Error level: intervals are 1 − alpha.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    #[arg(long)]
    pub json: bool,
}

/// `concord plan`.
#[derive(Args)]
pub struct PlanArgs {
    pub file: PathBuf,
    /// Attribute to plan for (default: the first of the rubric).
    #[arg(long)]
    pub attribute: Option<String>,
    /// Judge for the PPI++ plan (default: the first judge).
    #[arg(long)]
    pub judge: Option<String>,
    /// Target full width (upper − lower) of each 95% interval: ICC units for the ICC, scale
    /// points for bias, limits of agreement and model means.
    #[arg(long, default_value_t = 0.2)]
    pub width: f64,
    #[arg(long)]
    pub json: bool,
}

/// `concord next`.
#[derive(Args)]
pub struct NextArgs {
    pub file: PathBuf,
    /// How many responses to pick.
    #[arg(long)]
    pub count: usize,
    /// Use this judge's score spread (default: the disagreement of all judges).
    #[arg(long)]
    pub judge: Option<String>,
    /// Assign the picked responses that have no human rating yet to this human rater.
    #[arg(long, value_name = "RATER")]
    pub assign: Option<String>,
    /// Seed of the random draw (same study and seed, same picks).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long)]
    pub json: bool,
}
