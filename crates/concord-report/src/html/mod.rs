//! The self-contained HTML report: one file with inline CSS and inline SVG, no scripts, no
//! remote resources and no web fonts, fit to attach to a paper's supplement or to print.
//! `methods.rs` writes the study summary and Methods, `tables.rs` the agreement tables,
//! `model_scores.rs` the PPI++ section, `figures.rs` the charts, `cells.rs` escaping and cells.

mod cells;
mod figures;
mod methods;
mod model_scores;
mod tables;

use std::fmt::Write as _;

use concord_core::Study;
use concord_stats::report::ReportOptions;

pub(crate) use cells::{esc, head, row_start};
use figures::figures;
use methods::{methods, summary};
use model_scores::model_scores;
use tables::{human_tables, judge_tables};

use crate::charts::Metric;
use crate::{Analysis, Result};

/// Metric of the report's forest plot.
const MAIN_METRIC: Metric = Metric::Icc2;

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Arial, sans-serif;
  color: #1a1a1a; background: #fff; max-width: 1180px; margin: 2rem auto; padding: 0 1.5rem;
  line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
p.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: 12.5px;
  font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .45rem; vertical-align: top; text-align: right; }
th { background: #f2f2f2; font-weight: 600; text-align: center; }
td.name, th.name { text-align: left; white-space: nowrap; }
tr.composite td { background: #f7f7f2; }
td small, .note { color: #555; }
td.na { color: #777; text-align: left; }
td.wrap { white-space: normal; min-width: 13em; }
td .ci { white-space: nowrap; }
table.kv td, table.kv th { text-align: left; }
div.wide { overflow-x: auto; }
caption { text-align: left; caption-side: top; padding-bottom: .2rem; }
figure { margin: 1.2rem 0 2rem; }
figure svg { display: block; max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
figcaption { font-size: 13px; color: #333; margin-top: .35rem; }
.warning { color: #8a4b00; }
@page { size: A4; margin: 14mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  table, figure, tr { break-inside: avoid; }
  figure svg { border: none; }
  div.wide { overflow: visible; }
  table { font-size: 8pt; }
}
"#;

/// One self-contained HTML report of `study` with `opts`: study summary, a Methods paragraph
/// naming every statistic and CI method, tables of every estimate (estimate [95% CI], n,
/// dropped), "Can this judge replace a clinician?" (verdicts with their findings and the
/// bias diagnostics), the "Model scores" (PPI++ with the first judge) and the charts (forest for
/// ICC(2,1), heatmap, bias, one Bland–Altman per judge on the first attribute, one distribution
/// per attribute, a confusion matrix and progress).
/// All study text is HTML-escaped; the file has no script and references nothing outside it.
pub fn html_report(study: &Study, opts: &ReportOptions) -> Result<String> {
    let analysis = Analysis::load(study, opts)?;
    let info = study.info()?;
    let mut h = String::with_capacity(1 << 20);
    let title = format!("Agreement report: {}", info.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Concord {v}\">\n<title>{t}</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n<h1>{t}</h1>\n\
         <p class=\"meta\">Generated {date} UTC by Concord {v} from <code>{file}</code>.</p>\n",
        v = env!("CARGO_PKG_VERSION"),
        t = esc(&title),
        date = utc_now(),
        file = esc(&study
            .path()
            .file_name()
            .map_or_else(String::new, |f| { f.to_string_lossy().into_owned() })),
    );
    summary(&mut h, &analysis, &info);
    methods(&mut h, &analysis);
    human_tables(&mut h, &analysis);
    judge_tables(&mut h, &analysis);
    crate::verdicts::html_section(&mut h, &analysis);
    model_scores(&mut h, &analysis);
    figures(&mut h, &analysis)?;
    if !analysis.report.warnings.is_empty() {
        h.push_str("<h2>Warnings</h2>\n<ul>\n");
        for w in &analysis.report.warnings {
            let _ = writeln!(h, "<li class=\"warning\">{}</li>", esc(w));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    Ok(h)
}

/// The current UTC time as "YYYY-MM-DD HH:MM".
fn utc_now() -> String {
    concord_core::format_utc_ms(concord_core::now_ms())[..16].replace('T', " ")
}
