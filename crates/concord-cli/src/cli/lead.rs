//! The lead's merges and adjudication: `merge`, `conflicts`, `merges`, `disagreements`, `gold` (`cmd/lead.rs`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use concord_core::merge::Resolution;

#[derive(Args)]
pub struct MergeArgs {
    pub file: PathBuf,
    #[arg(required = true)]
    pub packages: Vec<PathBuf>,
    /// The files are copies of this study (e.g. a co-lead's), not rater packages.
    #[arg(long)]
    pub copy: bool,
    /// Merge a package edited after its return anyway; the reason is kept in the receipt.
    #[arg(long, value_name = "REASON")]
    pub accept_altered: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ConflictsArgs {
    pub file: PathBuf,
    /// Conflict id to resolve (see the list).
    #[arg(long, requires_all = ["keep", "by"])]
    pub resolve: Option<i64>,
    /// Which value to keep.
    #[arg(long, value_enum)]
    pub keep: Option<Keep>,
    /// Who decided.
    #[arg(long)]
    pub by: Option<String>,
    /// Also list resolved conflicts.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

/// Which value a resolved conflict keeps.
#[derive(Clone, Copy, ValueEnum)]
pub enum Keep {
    /// The value the study held before the merge.
    Here,
    /// The merged package's value.
    Incoming,
    /// What the cell shows now.
    Current,
}

impl From<Keep> for Resolution {
    fn from(k: Keep) -> Resolution {
        match k {
            Keep::Here => Resolution::Here,
            Keep::Incoming => Resolution::Incoming,
            Keep::Current => Resolution::Current,
        }
    }
}

#[derive(Args)]
pub struct MergesArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct DisagreementsArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub attribute: Option<String>,
    /// Smallest max−min spread to list.
    #[arg(long, default_value_t = 2)]
    pub min_range: i64,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct GoldArgs {
    pub file: PathBuf,
    pub response: Option<String>,
    #[arg(requires = "value")]
    pub attribute: Option<String>,
    #[arg(requires = "by")]
    pub value: Option<i64>,
    /// Who decided.
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long, default_value = "")]
    pub reason: String,
    #[arg(long, conflicts_with_all = ["attribute", "value", "by"])]
    pub history: bool,
    #[arg(long)]
    pub json: bool,
}
