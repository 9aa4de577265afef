//! Study → agreement report → chart inputs: the dashboard bundle and the self-contained HTML
//! report. The desktop app and the command line both call this crate, so the numbers on
//! screen, in a saved chart and in `concord agreement --json` are the same numbers.
//!
//! The pipeline has three phases, each public so callers (and the benchmark) can time or
//! reuse them:
//! 1. **load** — [`StudySnapshot::load`]: the study's ratings through the one loader
//!    (`Study::study_ratings`), attribute labels, per-rater progress and the overlap target;
//! 2. **stats** — [`Analysis::new`]: `concord_stats::report::agreement_report` on the snapshot
//!    ([`Analysis::reusing`] for the live dashboard: only the sheets that changed since its
//!    last report are analysed again);
//! 3. **charts** — [`Analysis::chart`] maps the report to a `concord_plots` input and
//!    [`Analysis::render`] draws it.
//!
//! [`DashboardView::build`] runs phase 3 for the dashboard screen: the selection resolved by
//! the one resolver (`selection.rs`, also behind every chart's defaults), the table of numbers
//! ([`table_rows`]), the "Can this judge replace a clinician?" rows ([`verdict_rows`]) and the
//! charts as `data:` URLs, each with its text alternative and data table (`chart_text.rs`).
//!
//! This crate computes no agreement statistic: every estimate, interval, bias and limit of
//! agreement is read from the report. It only counts ratings (distributions, confusion
//! matrices, coverage) and takes means for plot points (Bland–Altman). It never writes to the
//! study file.
//!
//! # Chart mapping
//!
//! - **forest**: one row per attribute, then one per group composite ("CSS composite"). Series
//!   [`HUMAN_SERIES`] is the chosen [`Metric`] among the human raters (`humans.icc.*` or
//!   `humans.alpha.*`). For an ICC metric there is also one series per judge: the judge's
//!   `icc.ICC_A1` against the human mean, whichever of the six human ICC forms is chosen — a
//!   judge against the human mean is a two-column design, and the report holds only its
//!   ICC(A,1) and ICC(C,1); absolute agreement is the one that tells whether a judge's scores
//!   can stand in for the humans'. The report has no judge-level α, so for an α metric the
//!   judges are left out and the subtitle says so.
//! - **heatmap**: attribute (and composite) × judge, the judge's `icc.ICC_A1` vs the human mean.
//! - **bias**: attribute (and composite) × judge, the judge's `bias` (mean judge − human mean
//!   with its t CI).
//! - **bland-altman**: one judge and attribute; bias and limits from the judge's
//!   `bland_altman`; the points are the pairs the report used — responses rated by the judge and
//!   by at least one selected human, minus the judge's own models (`exclude_own`) — each drawn
//!   at ((judge + human mean) / 2, judge − human mean); at unit "model", one point per model
//!   from model means, as the report pairs them.
//! - **distribution**: one attribute; per selected human then per selected judge, the count
//!   of ratings at each scale point.
//! - **confusion**: one attribute, two raters; counts of responses both rated, by score pair.
//! - **model-scores**: one judge and attribute; per model the human-only, PPI++ and judge-only
//!   means of `concord estimate` (`estimates::estimate`, α = 0.05, weighted by the snapshot's
//!   sampling rounds where the study recorded any), each with its interval (judge-only has none).
//! - **progress**: per human rater, responses done / assigned (`Study::progress`); coverage is
//!   the number of responses by how many human raters have rated every attribute of them
//!   (the same "done" as the per-rater bars), against the study's overlap target.

#![warn(missing_docs)]

mod chart_text;
mod charts;
mod dashboard;
pub mod estimates;
mod html;
mod options;
mod score_chart;
mod selection;
mod table;
mod verdicts;

pub use chart_text::{DataTable, MAX_POINT_ROWS};
pub use charts::{ChartData, Metric, HUMAN_SERIES, JITTER};
/// The report and its options, as callers of this crate pass and receive them.
pub use concord_stats::report::{AgreementReport, ReportCache, ReportOptions};
pub use dashboard::{svg_data_url, ChartView, DashboardRequest, DashboardView, LIVE_BOOTSTRAP};
pub use html::html_report;
pub use options::{alt_epsilon_for, chart_format, options_for, resolve_exclusions};
pub use selection::Choice;
pub use table::{one_rater_sentence, table_rows, TableRow};
pub use verdicts::{verdict_rows, Diagnostic, Finding, VerdictRow};

use concord_core::sampling::SamplingRound;
use concord_core::{LiveRatings, RaterKind, Study};
use concord_plots::{Format, RaterProgress};
use concord_stats::report::{agreement_report, agreement_report_reusing};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong while building a chart, the dashboard or the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the study file failed.
    #[error(transparent)]
    Study(#[from] concord_core::Error),
    /// Drawing a chart failed.
    #[error(transparent)]
    Plot(#[from] concord_plots::PlotError),
    /// The chart name is not one of `concord_plots::chart_names()`.
    #[error("unknown chart '{name}'; valid charts: {valid}")]
    UnknownChart {
        /// The name asked for.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The attribute is not among the report's attributes.
    #[error("unknown attribute '{name}'; valid attributes: {valid}")]
    UnknownAttribute {
        /// The name asked for.
        name: String,
        /// The valid keys, comma-separated.
        valid: String,
    },
    /// The judge is not among the report's judges.
    #[error("unknown judge '{name}'; valid judges: {valid}")]
    UnknownJudge {
        /// The name asked for.
        name: String,
        /// The valid names, comma-separated (or a note that there are none).
        valid: String,
    },
    /// The rater is not in the study.
    #[error("unknown rater '{name}'; valid raters: {valid}")]
    UnknownRater {
        /// The name asked for.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The metric is not one the forest plot and heatmap can show.
    #[error("unknown metric '{name}'; valid metrics: {valid}")]
    UnknownMetric {
        /// The name asked for.
        name: String,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The study has no LLM judge, and the command needs judge scores.
    #[error("this study has no LLM judge: import judge scores first (concord ratings import --kind llm)")]
    NoJudge,
    /// A rater named in the options is not in the study as that kind of rater.
    #[error("no {what} named '{name}' in {study}")]
    NotInStudy {
        /// "human rater" or "judge".
        what: &'static str,
        /// The name given.
        name: String,
        /// The study file.
        study: String,
    },
    /// An own-model exclusion names a judge or model the study does not have.
    #[error("exclude_own in {origin}: no {what} '{name}' in this study; valid {what}s: {valid}")]
    UnknownExclusion {
        /// "judge" or "model".
        what: &'static str,
        /// The name or pattern given.
        name: String,
        /// Where it came from (the study's settings or the options).
        origin: &'static str,
        /// The valid names, comma-separated.
        valid: String,
    },
    /// The Alternative Annotator Test's ε is outside (0, 1).
    #[error("the alt-test ε must be greater than 0 and less than 1 (advantage probabilities are shares); got {0}")]
    BadEpsilon(f64),
    /// An attribute named in the options is not in the study's rubric.
    #[error("no attribute '{key}' in this study's rubric")]
    NotInRubric {
        /// The key given.
        key: String,
    },
    /// The report options selected no attribute, so per-attribute charts have nothing to show.
    #[error("no attribute is selected for analysis (the study's attributes are: {valid})")]
    NoAttribute {
        /// The study's attribute keys, comma-separated.
        valid: String,
    },
}

/// Result of this crate's functions.
pub type Result<T> = std::result::Result<T, ReportError>;

/// Which chart to draw and for what. Every field but `chart` is optional; missing ones take
/// the defaults of the one resolver (`selection.rs`): the first attribute, metric `ICC2`, the
/// first selected judge and the first two selected humans.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartRequest {
    /// One of `concord_plots::chart_names()`.
    pub chart: String,
    /// Attribute key or label (case-insensitive), for Bland–Altman, distribution, confusion
    /// and the model scores.
    pub attribute: Option<String>,
    /// Judge name, for Bland–Altman and the model scores.
    pub judge: Option<String>,
    /// Agreement metric of the forest plot and heatmap, one of [`Metric::names`].
    pub metric: Option<String>,
    /// Two rater names (humans or judges) for the confusion matrix.
    pub raters: Option<(String, String)>,
}

/// The study data the charts need, read once: phase 1 ("load") of the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct StudySnapshot {
    /// Every current rating, from the one loader (`Study::live_ratings`), refreshable.
    pub live: LiveRatings,
    /// Display label of each attribute, aligned with `ratings.attributes`.
    pub labels: Vec<String>,
    /// Each human rater's completed responses against assigned responses (`Study::progress`).
    /// Judges are not assigned work, so they have no row.
    pub progress: Vec<RaterProgress>,
    /// Raters each response should get (`StudySettings::overlap_target`).
    pub overlap_target: usize,
    /// The recorded active sampling rounds (`Study::sampling_rounds`), which the model scores
    /// weight by, as `concord estimate` does.
    pub rounds: Vec<SamplingRound>,
}

impl StudySnapshot {
    /// Reads the ratings, labels, progress and overlap target from `study`.
    pub fn load(study: &Study) -> Result<StudySnapshot> {
        let live = study.live_ratings()?;
        let rubric = study.rubric()?;
        let labels = live
            .ratings
            .attributes
            .iter()
            .map(|a| {
                rubric
                    .attribute(&a.key)
                    .map_or_else(|| a.key.clone(), |r| r.label.clone())
            })
            .collect();
        Ok(StudySnapshot {
            live,
            labels,
            progress: progress_of(study)?,
            overlap_target: study.settings()?.overlap_target as usize,
            rounds: study.sampling_rounds()?,
        })
    }

    /// Brings the snapshot up to date, reading only the cells changed since it was loaded
    /// (a full load when raters or responses were added).
    pub fn refresh(&mut self, study: &Study) -> Result<()> {
        study.refresh_ratings(&mut self.live)?;
        // Assignments change without rating events, so progress is always re-read.
        self.progress = progress_of(study)?;
        self.overlap_target = study.settings()?.overlap_target as usize;
        // Rounds are only ever added (push_next, merge) and a round lists every candidate, so
        // they are re-read only when their number changed.
        if study.sampling_round_count()? != self.rounds.len() {
            self.rounds = study.sampling_rounds()?;
        }
        Ok(())
    }
}

/// Each human rater's completed responses against assigned responses.
fn progress_of(study: &Study) -> Result<Vec<RaterProgress>> {
    let mut progress = Vec::new();
    for r in study.raters()? {
        if r.kind == RaterKind::Human {
            let p = study.progress(&r.id)?;
            progress.push(RaterProgress {
                rater: r.name,
                done: p.done,
                assigned: p.total,
            });
        }
    }
    Ok(progress)
}

/// A snapshot with its agreement report: phase 2 ("stats"); charts are drawn from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// The study data.
    pub snapshot: StudySnapshot,
    /// `agreement_report(&snapshot.live.ratings, opts)`.
    pub report: AgreementReport,
}

impl Analysis {
    /// Computes the agreement report of `snapshot` with `opts`.
    pub fn new(snapshot: StudySnapshot, opts: &ReportOptions) -> Analysis {
        let report = agreement_report(&snapshot.live.ratings, opts);
        Analysis { snapshot, report }
    }

    /// [`Analysis::new`], reusing from `cache` the analyses of the sheets that have not changed
    /// since the report that last filled it (the live dashboard after a saved rating).
    pub fn reusing(
        snapshot: StudySnapshot,
        opts: &ReportOptions,
        cache: &mut ReportCache,
    ) -> Analysis {
        let report = agreement_report_reusing(&snapshot.live.ratings, opts, cache);
        Analysis { snapshot, report }
    }

    /// Loads `study` and computes its report (phases 1 and 2), own-model exclusions resolved
    /// against the study's models ([`resolve_exclusions`]).
    pub fn load(study: &Study, opts: &ReportOptions) -> Result<Analysis> {
        let snapshot = StudySnapshot::load(study)?;
        let opts = resolve_exclusions(opts.clone(), &snapshot.live.ratings)?;
        Ok(Analysis::new(snapshot, &opts))
    }

    /// The input of the requested chart (mapping in the crate docs, "Chart mapping").
    pub fn chart(&self, request: &ChartRequest) -> Result<ChartData> {
        charts::build(self, request)
    }

    /// The requested chart drawn in `format` at its natural size.
    pub fn render(&self, request: &ChartRequest, format: Format) -> Result<Vec<u8>> {
        let data = self.chart(request)?;
        Ok(concord_plots::render(&data.as_chart(), format, None)?)
    }
}

/// The input of one chart for `study` with `opts` (loads the study and computes the report;
/// use [`Analysis`] to draw several charts from one computation).
pub fn chart(study: &Study, opts: &ReportOptions, request: &ChartRequest) -> Result<ChartData> {
    Analysis::load(study, opts)?.chart(request)
}

/// One chart for `study` with `opts`, drawn as SVG or PNG at its natural size.
pub fn render_chart(
    study: &Study,
    opts: &ReportOptions,
    request: &ChartRequest,
    format: Format,
) -> Result<Vec<u8>> {
    Analysis::load(study, opts)?.render(request, format)
}
