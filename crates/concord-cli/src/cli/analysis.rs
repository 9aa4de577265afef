//! The analyses of agreement: `agreement`, `plot`, `report` and the options they share (`cmd/analysis.rs`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use concord_stats::report::{ReportOptions, Unit, DEFAULT_BOOTSTRAP_SEED};

/// Which ratings and judges an analysis uses.
#[derive(Args)]
pub struct AnalysisOptions {
    /// Only these attributes (repeatable).
    #[arg(long = "attribute", value_name = "KEY")]
    pub attributes: Vec<String>,
    /// Human raters to use, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub humans: Option<Vec<String>>,
    /// Judges to compare, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    pub judges: Option<Vec<String>>,
    /// Compare judges per response or on per-model means.
    #[arg(long, value_enum, default_value_t = UnitArg::Response)]
    pub unit: UnitArg,
    /// JUDGE=MODEL to leave out for that judge (repeatable; adds to the study setting); MODEL may be a family pattern such as "claude-*".
    #[arg(long = "exclude-own", value_name = "JUDGE=MODEL")]
    pub exclude_own: Vec<String>,
    /// Bootstrap resamples for bootstrap CIs.
    #[arg(long, default_value_t = ReportOptions::default().bootstrap)]
    pub bootstrap: usize,
    /// Seed of every bootstrap.
    #[arg(long = "seed", value_name = "SEED", default_value_t = DEFAULT_BOOTSTRAP_SEED)]
    pub bootstrap_seed: u64,
    /// ε of the Alternative Annotator Test: the judge's tolerated disadvantage against a clinician (0–1; 0.2 for expert annotators, 0.1 for crowd workers). Default: the study's setting (`concord settings --alt-epsilon`).
    #[arg(long = "alt-epsilon", value_name = "E")]
    pub alt_epsilon: Option<f64>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Response,
    Model,
}

impl From<UnitArg> for Unit {
    fn from(u: UnitArg) -> Unit {
        match u {
            UnitArg::Response => Unit::Response,
            UnitArg::Model => Unit::Model,
        }
    }
}

#[derive(Args)]
pub struct AgreementArgs {
    pub file: PathBuf,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
    #[command(flatten)]
    pub options: AnalysisOptions,
}

#[derive(Args)]
pub struct PlotArgs {
    pub file: PathBuf,
    /// forest, heatmap, bias, bland-altman, distribution, confusion, progress or model-scores.
    pub chart: String,
    /// Output file; .svg or .png.
    pub out: PathBuf,
    /// Judge for bland-altman and model-scores (default: the first).
    #[arg(long)]
    pub judge: Option<String>,
    /// Metric for forest/heatmap: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k, alpha_nominal, … (default ICC2).
    #[arg(long)]
    pub metric: Option<String>,
    /// Two raters for confusion, comma-separated (default: the first two humans).
    #[arg(long, value_delimiter = ',', num_args = 1)]
    pub raters: Option<Vec<String>>,
    #[command(flatten)]
    pub options: AnalysisOptions,
}

#[derive(Args)]
pub struct ReportArgs {
    pub file: PathBuf,
    /// Output HTML file.
    #[arg(short, long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub options: AnalysisOptions,
}
