//! The command line's grammar: every clap type, and nothing that runs.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use concord_core::merge::Resolution;
use concord_core::RaterKind;
use concord_stats::report::{ReportOptions, Unit, DEFAULT_BOOTSTRAP_SEED};

/// Concord: rate LLM responses on rubrics and measure agreement.
#[derive(Parser)]
#[command(name = "concord", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Create a new study file with a rubric.
    New(NewArgs),
    /// Import prompts and responses (CSV, JSONL, Parquet; one row per response).
    Import(ImportArgs),
    /// Ratings made elsewhere: earlier human rounds or LLM-judge scores.
    Ratings {
        #[command(subcommand)]
        command: RatingsCommand,
    },
    /// Export the current annotation set.
    Export(ExportArgs),
    /// Counts of items, responses, raters and ratings.
    Info(InfoArgs),
    /// Check the file's integrity and the store's invariants.
    Check { file: PathBuf },
    /// Encrypt a plain study in place (SQLCipher; passphrase from CONCORD_PASSPHRASE or a
    /// prompt). The plain original is kept as FILE.bak: delete it once the study opens.
    Encrypt { file: PathBuf },
    /// Decrypt an encrypted study in place; the encrypted original is kept as FILE.bak.
    Decrypt { file: PathBuf },
    /// Show a rubric (a study's, a template or a TOML file), validating it.
    Rubric(RubricArgs),
    /// List raters, or add one.
    Raters(RatersArgs),
    /// Assign responses to raters as a balanced design: each response to OVERLAP raters, loads
    /// within one, every pair of raters sharing responses. Re-running tops up to OVERLAP only.
    Assign(AssignArgs),
    /// Progress per rater: assigned, done, partial, flagged, last activity, time per response.
    Progress(ProgressArgs),
    /// Write one rater's package (their assigned responses and their own ratings).
    Package(PackageArgs),
    /// Seal a rater package for return to the lead: a self-contained copy with every saved
    /// rating and a manifest the merge checks.
    Return(ReturnArgs),
    /// Merge returned packages into a study: each is validated first and refused whole, with
    /// the row and the reason, if anything in it is wrong. Prints a receipt per package.
    Merge(MergeArgs),
    /// List the cells a rater edited in two copies after they diverged, or resolve one.
    Conflicts(ConflictsArgs),
    /// List merge receipts.
    Merges(MergesArgs),
    /// Record ratings from standard input, one per line: `RESPONSE_ID ATTRIBUTE VALUE` (VALUE `-`
    /// clears). Each line is saved durably before `ok` is printed for it.
    Rate(RateArgs),
    /// Create a synthetic demo study with known properties.
    Demo(DemoArgs),
    /// Inter-rater and judge-vs-human agreement per attribute and group, with 95% CIs.
    Agreement(AgreementArgs),
    /// Draw one chart to an SVG or PNG file.
    Plot(PlotArgs),
    /// Write a self-contained HTML report (summary, methods, tables, all charts).
    Report(ReportArgs),
    /// List responses the human raters disagree on most, for adjudication.
    Disagreements(DisagreementsArgs),
    /// Record the adjudicated (gold) value of one response × attribute, or with --history list
    /// every gold value ever set (optionally for one RESPONSE).
    Gold(GoldArgs),
    /// Model scores with valid intervals: a few clinician ratings plus one judge's scores on
    /// every response (PPI++), with differences and a ranking.
    Estimate(EstimateArgs),
    /// How many more ratings an interval width needs: human ICC, judge bias and limits, PPI++.
    Plan(PlanArgs),
    /// Which responses clinicians should rate next (active sampling), optionally assigned.
    Next(NextArgs),
    /// Show or change study settings.
    Settings(SettingsArgs),
    /// Watch an inbox folder: returned packages dropped there are merged once fully copied and
    /// moved to DIR/merged/ with their receipt, or to DIR/rejected/ with the reason.
    Watch(WatchArgs),
}

#[derive(Args)]
pub struct WatchArgs {
    pub file: PathBuf,
    /// The inbox folder raters (or a sync client) drop returned packages into.
    #[arg(long, value_name = "DIR")]
    pub inbox: PathBuf,
    /// Scan once and exit (a file is merged at the second scan that sees it unchanged).
    #[arg(long)]
    pub once: bool,
    /// Seconds between scans.
    #[arg(long, default_value_t = 2.0, value_name = "SECONDS")]
    pub interval: f64,
    /// One JSON object per file a scan reports (JSON Lines).
    #[arg(long)]
    pub json: bool,
}

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

#[derive(Args)]
pub struct MergesArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct RateArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub rater: String,
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

#[derive(Clone, Copy, ValueEnum)]
pub enum Layout {
    Long,
    Wide,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Human,
    Llm,
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

impl From<Kind> for RaterKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Human => RaterKind::Human,
            Kind::Llm => RaterKind::Llm,
        }
    }
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

impl From<UnitArg> for Unit {
    fn from(u: UnitArg) -> Unit {
        match u {
            UnitArg::Response => Unit::Response,
            UnitArg::Model => Unit::Model,
        }
    }
}

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
