//! The dashboard's view model: from a request (which attribute, metric, raters, judge) and an
//! [`Analysis`] to everything the dashboard screen shows — the resolved selection, the
//! selector choices, the table of numbers and the charts as `data:` URLs. The app only
//! threads, polls and emits; what the screen shows is decided here.

use std::time::Instant;

use base64::Engine;
use concord_core::Study;
use concord_stats::report::{AttributeReport, ReportOptions};
use serde::{Deserialize, Serialize};

use crate::chart_text::DataTable;
use crate::options::{alt_epsilon_for, options_for, resolve_exclusions};
use crate::selection::{self, Choice};
use crate::table::{table_rows, TableRow};
use crate::verdicts::{one_clinician_note, verdict_rows, VerdictRow};
#[cfg(doc)]
use crate::ChartData;
use crate::{Analysis, ChartRequest, Metric, ReportError, Result, StudySnapshot};

/// Bootstrap resamples of the live view (the REML and unbalanced-ICC intervals). Fewer than the
/// command line's 1000 so a recompute stays well under a second; the page states the number.
/// Saved charts use the same options as the screen; the saved report uses the full 1000.
pub const LIVE_BOOTSTRAP: usize = 200;

/// What the page asks the dashboard to show. Missing fields take the defaults of
/// [`ChartRequest`] (first attribute, metric ICC2, first judge, first two humans; every human
/// and every judge).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
// Every field may be left out (serde reads a missing `Option` as `None`).
#[cfg_attr(feature = "ts", ts(optional_fields = nullable))]
pub struct DashboardRequest {
    /// Attribute key, or a group name for its composite.
    pub attribute: Option<String>,
    /// One of `Metric::names()`.
    pub metric: Option<String>,
    /// Human raters to analyse (`None`: all).
    pub humans: Option<Vec<String>>,
    /// Judges to compare (`None`: all).
    pub judges: Option<Vec<String>>,
    /// Judge of the Bland–Altman plot and the model scores.
    pub judge: Option<String>,
    /// Rater pair of the confusion matrix.
    pub raters: Option<(String, String)>,
    /// ε of the Alternative Annotator Test for this view only (`None`: the study's setting,
    /// `StudySettings::alt_epsilon`).
    #[serde(default)]
    pub alt_epsilon: Option<f64>,
}

/// A chart ready for an `<img>`: the SVG as a `data:` URL, so nothing in it can run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChartView {
    /// Chart name, one of `concord_plots::chart_names()`.
    pub name: String,
    /// One-line title ([`crate::ChartData::title`]).
    pub title: String,
    /// The SVG as a base64 `data:image/svg+xml` URL ([`svg_data_url`]).
    pub data_url: String,
    /// Text alternative: what the chart shows and its main numbers ([`ChartData::alt_text`]).
    pub alt: String,
    /// Every number the chart draws ([`ChartData::data_table`]), for "Show data".
    pub table: DataTable,
}

/// The intervals' note when several models answer each item (`cluster_unit` "item"); the
/// report's Methods says the same at length.
const NESTED_ITEMS: &str = "Several models answer each prompt, so responses to one prompt are \
    alike: the intervals leave out whole prompts (item jackknife), except those of ICC(1,·), \
    ICC(2,·) and the REML and Henderson ICCs, which treat the raters as random and run narrow \
    on such data (about 89% coverage instead of 95% in simulation).";

/// Everything the dashboard screen shows after one recompute.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DashboardView {
    /// The attribute (or group) actually drawn, defaults filled in.
    pub attribute: String,
    /// Its display label.
    pub attribute_label: String,
    /// Whether `attribute` is a group composite (per-attribute charts are then not drawn).
    pub composite: bool,
    /// The metric of the forest plot and heatmap.
    pub metric: String,
    /// The judge of the Bland–Altman plot and the model scores.
    pub judge: Option<String>,
    /// The rater pair of the confusion matrix.
    pub raters: Option<(String, String)>,
    /// Human raters analysed, as requested (`None`: all).
    pub humans: Option<Vec<String>>,
    /// Judges compared, as requested (`None`: all).
    pub judges: Option<Vec<String>>,
    /// Attribute and composite choices.
    pub attributes: Vec<Choice>,
    /// Metric choices.
    pub metrics: Vec<Choice>,
    /// Every human rater of the study.
    pub all_humans: Vec<String>,
    /// Every judge of the study.
    pub all_judges: Vec<String>,
    /// The chosen attribute's report as table rows.
    pub table: Vec<TableRow>,
    /// "Can this judge replace a clinician?": the chosen attribute's verdict per judge.
    pub verdicts: Vec<VerdictRow>,
    /// Said once above `verdicts` when the tests that compare clinicians cannot run (fewer
    /// than two humans): their columns are left out.
    pub verdict_note: Option<String>,
    /// ε of the Alternative Annotator Test behind `verdicts`.
    pub alt_epsilon: f64,
    /// Own-model exclusions in force, one line per judge with the responses they left out.
    pub exclusions: Vec<String>,
    /// The charts drawn, in `concord_plots::chart_names()` order.
    pub charts: Vec<ChartView>,
    /// Why a chart is missing, or anything the report warns about.
    pub notes: Vec<String>,
    /// Non-empty ratings the numbers were computed from.
    pub n_ratings: usize,
    /// Bootstrap resamples of the intervals.
    pub bootstrap: usize,
    /// Seed of every bootstrap.
    pub bootstrap_seed: u64,
    /// When the recompute finished (ms since the Unix epoch).
    pub computed_at_ms: i64,
    /// How long the recompute took, from `started` of [`DashboardView::build`].
    pub compute_ms: f64,
}

impl DashboardRequest {
    /// The statistics options of the dashboard ([`options_for`]: the chosen raters, checked,
    /// and the study's own-model exclusions, as `concord agreement` uses them) with
    /// [`LIVE_BOOTSTRAP`] resamples.
    pub fn report_options(&self, study: &Study) -> Result<ReportOptions> {
        let mut opts = ReportOptions {
            humans: self.humans.clone(),
            judges: self.judges.clone(),
            bootstrap: LIVE_BOOTSTRAP,
            ..ReportOptions::default()
        };
        opts.alt_test.epsilon = alt_epsilon_for(study, self.alt_epsilon)?;
        options_for(study, opts)
    }

    /// The options of a report saved from the dashboard: its raters, with the command line's
    /// full bootstrap (`ReportOptions::default().bootstrap`), as `concord report` would.
    pub fn saved_report_options(&self, study: &Study) -> Result<ReportOptions> {
        Ok(ReportOptions {
            bootstrap: ReportOptions::default().bootstrap,
            ..self.report_options(study)?
        })
    }

    /// The request for `chart` with this request's per-chart selectors.
    pub fn chart_request(&self, chart: &str) -> ChartRequest {
        ChartRequest {
            chart: chart.to_string(),
            attribute: self.attribute.clone(),
            judge: self.judge.clone(),
            metric: self.metric.clone(),
            raters: self.raters.clone(),
        }
    }

    /// Phase 1, the only one that reads the study: the snapshot and the options (own-model
    /// exclusions resolved against its models, [`resolve_exclusions`]). With the previous
    /// snapshot, only what changed since it is read ([`StudySnapshot::refresh`]).
    pub fn load(
        &self,
        study: &Study,
        previous: Option<StudySnapshot>,
    ) -> Result<(StudySnapshot, ReportOptions)> {
        let opts = self.report_options(study)?;
        let snapshot = match previous {
            Some(mut snapshot) => {
                snapshot.refresh(study)?;
                snapshot
            }
            None => StudySnapshot::load(study)?,
        };
        let opts = resolve_exclusions(opts, &snapshot.live.ratings)?;
        Ok((snapshot, opts))
    }
}

/// Charts drawn for one attribute; not drawn for a group composite.
const PER_ATTRIBUTE: [&str; 4] = ["bland-altman", "distribution", "confusion", "model-scores"];

impl DashboardView {
    /// Loads `study` and builds the view for `request` (all three phases).
    pub fn compute(study: &Study, request: &DashboardRequest) -> Result<DashboardView> {
        let started = Instant::now();
        let (snapshot, opts) = request.load(study, None)?;
        DashboardView::build(&Analysis::new(snapshot, &opts), request, started)
    }

    /// The view of `analysis` for `request`: the selection resolved by the one resolver
    /// (`selection.rs`), the table and the charts; no I/O. A bad attribute or metric is an
    /// error; a judge or rater pair that cannot be drawn leaves its chart out with a note.
    pub fn build(
        analysis: &Analysis,
        request: &DashboardRequest,
        started: Instant,
    ) -> Result<DashboardView> {
        let a = analysis;
        let chosen = selection::sheet(a, request.attribute.as_deref())?;
        let metric = selection::metric(request.metric.as_deref())?;
        let mut notes = Vec::new();
        // A judge or pair named but no longer selected is shown as asked; its chart's error
        // becomes a note.
        let judge = match &request.judge {
            Some(name) => Some(name.clone()),
            None => selection::judge(a, None)?,
        };
        let raters = match &request.raters {
            Some(pair) => Some(pair.clone()),
            None => match selection::rater_pair(a, None)?.as_slice() {
                [x, y] => Some((x.clone(), y.clone())),
                _ => None,
            },
        };
        let resolved = DashboardRequest {
            attribute: Some(chosen.key.clone()),
            metric: Some(metric.key().to_string()),
            judge: judge.clone(),
            raters: raters.clone(),
            ..request.clone()
        };
        let mut charts = Vec::new();
        for name in concord_plots::chart_names() {
            let per_attribute = PER_ATTRIBUTE.contains(name);
            if per_attribute && chosen.composite {
                continue;
            }
            if *name == "bland-altman" && judge.is_none() {
                notes.push("Bland–Altman: the study has no LLM judge to compare.".into());
                continue;
            }
            if *name == "model-scores" && judge.is_none() {
                notes.push("Model scores: need an LLM judge's scores.".into());
                continue;
            }
            if *name == "confusion" && raters.is_none() {
                notes.push("Confusion matrix: needs two raters.".into());
                continue;
            }
            let mut chart = resolved.chart_request(name);
            if !per_attribute {
                chart.attribute = None;
            }
            let drawn = a.chart(&chart).and_then(|data| {
                let svg = concord_plots::render_svg(&data.as_chart(), None)?;
                Ok((data, svg))
            });
            match drawn {
                Ok((data, svg)) => charts.push(ChartView {
                    name: (*name).to_string(),
                    title: data.title(),
                    data_url: svg_data_url(&svg),
                    alt: data.alt_text(),
                    table: data.data_table(),
                }),
                Err(err) => notes.push(format!("{name}: {err}")),
            }
        }
        if chosen.composite {
            notes.push(format!(
                "Bland–Altman, distribution, confusion and model-score charts are drawn per attribute; choose an attribute of {} to see them.",
                chosen.key
            ));
        }
        notes.extend(a.report.warnings.iter().cloned());
        let sheet = selection::sheets(a)
            .into_iter()
            .find(|(r, _, _)| r.attribute == chosen.key)
            .map(|(r, _, _)| r)
            .ok_or_else(|| ReportError::UnknownAttribute {
                name: chosen.key.clone(),
                valid: "the report's attributes".into(),
            })?;
        if sheet.humans.cluster_unit == "item" && sheet.humans.raters.len() >= 2 {
            notes.push(NESTED_ITEMS.into());
        }
        let table = table_rows(sheet);
        let verdicts = verdict_rows(sheet);
        let exclusions = exclusions(a, sheet);
        Ok(DashboardView {
            attribute: chosen.key,
            attribute_label: chosen.label,
            composite: chosen.composite,
            metric: metric.key().to_string(),
            judge,
            raters,
            humans: request.humans.clone(),
            judges: request.judges.clone(),
            attributes: selection::sheet_choices(a),
            metrics: Metric::ALL
                .iter()
                .map(|m| Choice {
                    key: m.key().to_string(),
                    label: m.label().to_string(),
                    composite: false,
                })
                .collect(),
            all_humans: selection::all(a, false),
            all_judges: selection::all(a, true),
            table,
            verdicts,
            verdict_note: one_clinician_note(selection::selected(a, false).len()),
            alt_epsilon: a.report.options.alt_test.epsilon,
            exclusions,
            charts,
            notes,
            n_ratings: a.snapshot.live.ratings.ratings.len(),
            bootstrap: a.report.options.bootstrap,
            bootstrap_seed: a.report.options.bootstrap_seed,
            computed_at_ms: concord_core::now_ms(),
            compute_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

/// One line per judge with own-model exclusions: the models and the responses left out.
fn exclusions(a: &Analysis, sheet: &AttributeReport) -> Vec<String> {
    a.report
        .options
        .exclude_own
        .iter()
        .filter(|(_, models)| !models.is_empty())
        .map(|(judge, models)| {
            let left_out = sheet
                .judges
                .iter()
                .find(|j| &j.judge == judge)
                .map_or_else(String::new, |j| {
                    format!(" ({} responses left out here)", j.n_excluded_own)
                });
            format!(
                "{judge} is not compared on its own models: {}{left_out}",
                models.join(", ")
            )
        })
        .collect()
}

/// The SVG as a base64 `data:` URL for an `<img>`: an SVG shown as an image runs no script
/// and loads nothing, whatever text its labels carry. Allowed by the app's CSP
/// (`img-src data:`).
pub fn svg_data_url(svg: &str) -> String {
    let mut url = String::with_capacity(26 + svg.len() * 4 / 3 + 4);
    url.push_str("data:image/svg+xml;base64,");
    base64::engine::general_purpose::STANDARD.encode_string(svg, &mut url);
    url
}
