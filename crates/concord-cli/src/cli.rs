//! The command line's grammar: every clap type, and nothing that runs.

mod analysis;
mod estimate;
mod lead;
mod raters;
mod study;
mod tables;
mod watch;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

// The argument types, one module per handler module of `cmd/`.
pub use analysis::*;
pub use estimate::*;
pub use lead::*;
pub use raters::*;
pub use study::*;
pub use tables::*;
pub use watch::*;

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
