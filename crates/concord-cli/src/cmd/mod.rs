//! One handler per command, grouped by what they work on: the study file itself, tables in
//! and out, raters and their packages, the lead's merges and adjudication, and the analyses.
//! Each parses what clap could not, calls core / io / report, and prints through `output`.

mod analysis;
mod estimate;
mod lead;
mod passphrase;
mod raters;
mod study;
mod tables;
mod watch;

use anyhow::{Context, Result};
use concord_core::Study;

use crate::cli::{Cli, Command, RatingsCommand};
pub use passphrase::open_study;

/// Runs one command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::New(a) => study::new(a),
        Command::Info(a) => study::info(a),
        Command::Check { file } => study::check(&file),
        Command::Encrypt { file } => passphrase::encrypt(&file),
        Command::Decrypt { file } => passphrase::decrypt(&file),
        Command::Rubric(a) => study::rubric(a),
        Command::Settings(a) => study::settings(a),
        Command::Demo(a) => study::demo(a),
        Command::Import(a) => tables::import(a),
        Command::Ratings {
            command: RatingsCommand::Import(a),
        } => tables::import_ratings(a),
        Command::Export(a) => tables::export(a),
        Command::Raters(a) => raters::raters(a),
        Command::Assign(a) => raters::assign(a),
        Command::Progress(a) => raters::progress(a),
        Command::Package(a) => raters::package(a),
        Command::Return(a) => raters::return_package(a),
        Command::Rate(a) => raters::rate(a),
        Command::Merge(a) => lead::merge(a),
        Command::Conflicts(a) => lead::conflicts(a),
        Command::Merges(a) => lead::merges(a),
        Command::Disagreements(a) => lead::disagreements(a),
        Command::Gold(a) => lead::gold(a),
        Command::Agreement(a) => analysis::agreement(a),
        Command::Plot(a) => analysis::plot(a),
        Command::Report(a) => analysis::report(a),
        Command::Estimate(a) => estimate::estimate(a),
        Command::Plan(a) => estimate::plan(a),
        Command::Next(a) => estimate::next(a),
        Command::Watch(a) => watch::watch(a),
    }
}

/// A usage error (exit code 2) with `message`.
fn usage(message: String) -> anyhow::Error {
    concord_io::IoError::Usage(message).into()
}

/// The id of the rater named `name`.
fn rater_id(study: &Study, name: &str) -> Result<String> {
    Ok(study
        .find_rater(name)?
        .with_context(|| format!("no rater named '{name}' in {}", study.path().display()))?
        .id)
}

/// Parses repeated `JUDGE=MODEL` arguments.
fn parse_pairs(pairs: &[String]) -> Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((j, m)) if !j.trim().is_empty() && !m.trim().is_empty() => {
                Ok((j.trim().to_string(), m.trim().to_string()))
            }
            _ => Err(usage(format!(
                "--exclude-own expects JUDGE=MODEL, got '{p}'"
            ))),
        })
        .collect()
}
