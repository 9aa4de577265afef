//! The study file itself: `new`, `info`, `rubric`, `settings`, `demo` (`cmd/study.rs`).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct NewArgs {
    pub file: PathBuf,
    /// Built-in template name (mentalbench) or a rubric TOML file.
    #[arg(long, default_value = "mentalbench")]
    pub rubric: String,
    /// Display name (defaults to the file name).
    #[arg(long)]
    pub name: Option<String>,
    /// Encrypt the study (clinical text at rest); passphrase from CONCORD_PASSPHRASE or a
    /// prompt, never stored. Packages made from it are encrypted with the same passphrase.
    #[arg(long)]
    pub encrypt: bool,
}

#[derive(Args)]
pub struct InfoArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct RubricArgs {
    /// A study file, a template name or a rubric TOML file.
    pub source: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SettingsArgs {
    pub file: PathBuf,
    /// Hide models from raters (on/off).
    #[arg(long)]
    pub blind: Option<bool>,
    /// Flags raters can set, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub flags: Option<Vec<String>>,
    #[arg(long)]
    pub overlap: Option<u32>,
    /// JUDGE=MODEL: leave the judge's own model out of system-level analyses (repeatable).
    #[arg(long = "exclude-own", value_name = "JUDGE=MODEL")]
    pub exclude_own: Vec<String>,
    /// Who raters send returned packages to (shown to them when they return one).
    #[arg(long)]
    pub return_to: Option<String>,
    /// ε of the Alternative Annotator Test the study's analyses use (0–1; default 0.2).
    #[arg(long = "alt-epsilon", value_name = "E")]
    pub alt_epsilon: Option<f64>,
}

#[derive(Args)]
pub struct DemoArgs {
    pub out: PathBuf,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 40)]
    pub items: usize,
    #[arg(long, default_value_t = 3)]
    pub models: usize,
    #[arg(long, default_value_t = 3)]
    pub raters: usize,
    #[arg(long, default_value_t = 2)]
    pub judges: usize,
    /// Share of responses each human rates.
    #[arg(long, default_value_t = 1.0)]
    pub coverage: f64,
    /// Standard deviation of human noise (scale points).
    #[arg(long, default_value_t = 0.6)]
    pub noise: f64,
    /// Mean judge inflation (scale points); judge i of n gets inflation·i/n.
    #[arg(long, default_value_t = 0.7)]
    pub inflation: f64,
}
