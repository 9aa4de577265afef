//! `agreement`, `plot` and `report`: the analysis commands, sharing one set of options.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use concord_core::Study;
use concord_report::ChartRequest;
use concord_stats::report::{agreement_report, format_table, to_csv, ReportOptions, Unit};

use crate::commands::print_json;

/// Which ratings and judges an analysis uses.
#[derive(Args)]
pub struct AnalysisOptions {
    /// Only these attributes (repeatable).
    #[arg(long = "attribute", value_name = "KEY")]
    attributes: Vec<String>,
    /// Human raters to use, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    humans: Option<Vec<String>>,
    /// Judges to compare, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    judges: Option<Vec<String>>,
    /// Compare judges per response or on per-model means.
    #[arg(long, value_enum, default_value_t = UnitArg::Response)]
    unit: UnitArg,
    /// JUDGE=MODEL to leave out for that judge with --unit model (repeatable; adds to the study setting).
    #[arg(long = "exclude-own", value_name = "JUDGE=MODEL")]
    exclude_own: Vec<String>,
    /// Bootstrap resamples for bootstrap CIs.
    #[arg(long, default_value_t = 1000)]
    bootstrap: usize,
    /// Seed of every bootstrap.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnitArg {
    Response,
    Model,
}

/// `concord agreement`.
#[derive(Args)]
pub struct AgreementArgs {
    file: PathBuf,
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    #[arg(long)]
    csv: bool,
    #[command(flatten)]
    options: AnalysisOptions,
}

/// `concord plot`.
#[derive(Args)]
pub struct PlotArgs {
    file: PathBuf,
    /// forest, heatmap, bias, bland-altman, distribution, confusion or progress.
    chart: String,
    /// Output file; .svg or .png.
    out: PathBuf,
    /// Judge for bland-altman (default: the first).
    #[arg(long)]
    judge: Option<String>,
    /// Metric for forest/heatmap: ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k, alpha_nominal, … (default ICC2).
    #[arg(long)]
    metric: Option<String>,
    /// Two raters for confusion, comma-separated (default: the first two humans).
    #[arg(long, value_delimiter = ',', num_args = 1)]
    raters: Option<Vec<String>>,
    #[command(flatten)]
    options: AnalysisOptions,
}

/// `concord report`.
#[derive(Args)]
pub struct ReportArgs {
    file: PathBuf,
    /// Output HTML file.
    #[arg(short, long)]
    out: PathBuf,
    #[command(flatten)]
    options: AnalysisOptions,
}

/// Parses repeated `JUDGE=MODEL` arguments.
pub fn parse_pairs(pairs: &[String]) -> Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| match p.split_once('=') {
            Some((j, m)) if !j.trim().is_empty() && !m.trim().is_empty() => {
                Ok((j.trim().to_string(), m.trim().to_string()))
            }
            _ => Err(concord_io::IoError::Usage(format!(
                "--exclude-own expects JUDGE=MODEL, got '{p}'"
            ))
            .into()),
        })
        .collect()
}

/// Validates names against the study and builds the statistics options.
fn report_options(study: &Study, a: AnalysisOptions) -> Result<ReportOptions> {
    let mut exclude_own = study.settings()?.exclude_own;
    for (judge, model) in parse_pairs(&a.exclude_own)? {
        exclude_own.entry(judge).or_default().push(model);
    }
    let raters = study.raters()?;
    let check =
        |names: &Option<Vec<String>>, kind: concord_core::RaterKind, what: &str| -> Result<()> {
            for n in names.iter().flatten() {
                if !raters.iter().any(|r| r.name == *n && r.kind == kind) {
                    bail!("no {what} named '{n}' in {}", study.path().display());
                }
            }
            Ok(())
        };
    check(&a.humans, concord_core::RaterKind::Human, "human rater")?;
    check(&a.judges, concord_core::RaterKind::Llm, "judge")?;
    let rubric = study.rubric()?;
    if let Some(k) = a.attributes.iter().find(|k| rubric.attribute(k).is_none()) {
        bail!("no attribute '{k}' in this study's rubric");
    }
    Ok(ReportOptions {
        attributes: (!a.attributes.is_empty()).then_some(a.attributes),
        humans: a.humans,
        judges: a.judges,
        unit: match a.unit {
            UnitArg::Response => Unit::Response,
            UnitArg::Model => Unit::Model,
        },
        exclude_own,
        bootstrap: a.bootstrap,
        seed: a.seed,
        ..ReportOptions::default()
    })
}

/// Prints the agreement table, JSON or CSV.
pub fn agreement(a: AgreementArgs) -> Result<()> {
    let study = Study::open(&a.file)?;
    let opts = report_options(&study, a.options)?;
    let report = agreement_report(&study.study_ratings()?, &opts);
    if a.json {
        print_json(&report);
    } else if a.csv {
        print!("{}", to_csv(&report));
    } else {
        print!("{}", format_table(&report));
    }
    Ok(())
}

/// Writes one chart.
pub fn plot(a: PlotArgs) -> Result<()> {
    let format = match a
        .out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => concord_plots::Format::Svg,
        Some("png") => concord_plots::Format::Png,
        _ => {
            return Err(concord_io::IoError::Usage(format!(
                "{}: the output must end in .svg or .png",
                a.out.display()
            ))
            .into())
        }
    };
    let study = Study::open(&a.file)?;
    let attribute = a.options.attributes.first().cloned();
    let opts = report_options(&study, a.options)?;
    let raters = match a.raters {
        Some(r) if r.len() == 2 => Some((r[0].clone(), r[1].clone())),
        Some(_) => bail!("--raters takes exactly two names, comma-separated"),
        None => None,
    };
    let request = ChartRequest {
        chart: a.chart,
        attribute,
        judge: a.judge,
        metric: a.metric,
        raters,
    };
    let bytes = concord_report::render_chart(&study, &opts, &request, format)?;
    std::fs::write(&a.out, bytes).with_context(|| format!("cannot write {}", a.out.display()))?;
    println!("wrote {}", a.out.display());
    Ok(())
}

/// Writes the HTML report.
pub fn report(a: ReportArgs) -> Result<()> {
    let study = Study::open(&a.file)?;
    let opts = report_options(&study, a.options)?;
    let html = concord_report::html_report(&study, &opts)?;
    std::fs::write(&a.out, html).with_context(|| format!("cannot write {}", a.out.display()))?;
    println!("wrote {}", a.out.display());
    Ok(())
}
