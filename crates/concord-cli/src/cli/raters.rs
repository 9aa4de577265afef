//! Raters and their packages: `raters`, `assign`, `progress`, `package`, `return`, `rate` (`cmd/raters.rs`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use concord_core::RaterKind;

#[derive(Args)]
pub struct RatersArgs {
    pub file: PathBuf,
    /// Add a rater with this name.
    #[arg(long)]
    pub add: Option<String>,
    #[arg(long, value_enum, default_value_t = Kind::Human)]
    pub kind: Kind,
    /// The added rater's site (for `assign --strata site` and `progress`).
    #[arg(long, requires = "add")]
    pub site: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Human,
    Llm,
}

impl From<Kind> for RaterKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Human => RaterKind::Human,
            Kind::Llm => RaterKind::Llm,
        }
    }
}

#[derive(Args)]
pub struct AssignArgs {
    pub file: PathBuf,
    /// Rater names, comma-separated (with --retire, default: every rater holding assignments).
    #[arg(long, value_delimiter = ',', required_unless_present = "retire")]
    pub raters: Vec<String>,
    /// Raters per response (default: the study's overlap target, which this then becomes).
    #[arg(long)]
    pub overlap: Option<usize>,
    /// Give every rater an even share of each stratum's responses.
    #[arg(long, value_enum)]
    pub strata: Option<StrataArg>,
    /// Seed of the design's random choices (default: the study's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Move this rater's unrated responses to the other raters, keeping the design balanced.
    #[arg(long, visible_alias = "unassign", value_name = "RATER")]
    pub retire: Option<String>,
    /// Print the design (kind, loads, rater × rater overlap matrix) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `assign --strata` balances within.
#[derive(Clone, Copy, ValueEnum)]
pub enum StrataArg {
    /// Each model's responses.
    Model,
    /// The raters' sites (`raters --add NAME --site S`): each model as with `model`, and each
    /// response's raters from as many sites as even loads allow (equal sites: at most ⌈K/sites⌉
    /// of one site; a rater without a site is a site of their own).
    Site,
}

#[derive(Args)]
pub struct ProgressArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
    /// Mark a rater whose package has been out (exported, not merged back) longer than this.
    #[arg(long, value_name = "N", default_value_t = concord_core::progress::DEFAULT_OVERDUE_DAYS)]
    pub overdue_days: u32,
}

#[derive(Args)]
pub struct PackageArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub rater: String,
    #[arg(short, long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct ReturnArgs {
    pub package: PathBuf,
    #[arg(short, long)]
    pub out: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct RateArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub rater: String,
}
