//! The analyses, sharing one set of options: `agreement`, `plot`, `report`. Options are
//! checked against the study by `concord_report::options_for`, as the app's are.

use std::path::Path;

use anyhow::{bail, Result};
use concord_core::files::write_atomic;
use concord_core::Study;
use concord_report::{
    alt_epsilon_for, chart_format, options_for, resolve_exclusions, ChartRequest, ReportOptions,
};
use concord_stats::report::agreement_report_on_cells;

use super::{open_study, parse_pairs};
use crate::cli::{AgreementArgs, AnalysisOptions, PlotArgs, ReportArgs};
use crate::output::{format_table, print_json, to_csv};

/// The statistics options the user chose, checked against the study.
fn report_options(study: &Study, a: AnalysisOptions) -> Result<ReportOptions> {
    let mut exclude_own = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (judge, model) in parse_pairs(&a.exclude_own)? {
        exclude_own.entry(judge).or_default().push(model);
    }
    let mut chosen = ReportOptions {
        attributes: (!a.attributes.is_empty()).then_some(a.attributes),
        humans: a.humans,
        judges: a.judges,
        unit: a.unit.into(),
        exclude_own,
        bootstrap: a.bootstrap,
        bootstrap_seed: a.bootstrap_seed,
        ..ReportOptions::default()
    };
    chosen.alt_test.epsilon = alt_epsilon_for(study, a.alt_epsilon)?;
    Ok(options_for(study, chosen)?)
}

/// `concord agreement`: the table, JSON or CSV.
pub fn agreement(a: AgreementArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let opts = report_options(&study, a.options)?;
    // Each attribute's cells read straight from the store: no list of single ratings.
    let sheets = study.study_sheets()?;
    let opts = resolve_exclusions(opts, &sheets.study)?;
    let report = agreement_report_on_cells(&sheets.study, sheets.cells, &opts);
    if a.json {
        print_json(&report);
    } else if a.csv {
        print!("{}", to_csv(&report));
    } else {
        print!("{}", format_table(&report));
    }
    Ok(())
}

/// `concord plot`: one chart, SVG or PNG by the output's extension.
pub fn plot(a: PlotArgs) -> Result<()> {
    let Some(format) = chart_format(&a.out) else {
        return Err(super::usage(format!(
            "{}: the output must end in .svg or .png",
            a.out.display()
        )));
    };
    let study = open_study(&a.file)?;
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
    write(&a.out, &bytes)
}

/// `concord report`: the self-contained HTML report.
pub fn report(a: ReportArgs) -> Result<()> {
    let study = open_study(&a.file)?;
    let opts = report_options(&study, a.options)?;
    let html = concord_report::html_report(&study, &opts)?;
    write(&a.out, html.as_bytes())
}

/// Writes a finished output whole (`write_atomic`) and says so.
fn write(out: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(out, bytes)?;
    println!("wrote {}", out.display());
    Ok(())
}
