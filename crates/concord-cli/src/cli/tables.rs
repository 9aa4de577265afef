//! Tables in and out: `import`, `ratings import`, `export` (`cmd/tables.rs`).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use super::Kind;

#[derive(Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    pub data: PathBuf,
    /// Column override, field=column (fields: item_id, prompt, response_id, model, response).
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Subcommand)]
pub enum RatingsCommand {
    /// Import ratings: long (response_id, rater, attribute, score) or wide (one column per attribute).
    Import(RatingsImportArgs),
}

#[derive(Args)]
pub struct RatingsImportArgs {
    pub file: PathBuf,
    pub data: PathBuf,
    #[arg(long, value_enum)]
    pub kind: Kind,
    #[arg(long, value_enum, default_value_t = Layout::Long)]
    pub layout: Layout,
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    pub file: PathBuf,
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = Layout::Long)]
    pub layout: Layout,
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Layout {
    Long,
    Wide,
}
