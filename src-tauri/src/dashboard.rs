//! The live dashboard: one background worker per app that, while the dashboard is shown,
//! watches the study file and recomputes the agreement report and its charts on a connection
//! of its own, then hands the result to the page as an event.
//!
//! Why a worker and not a command per redraw: the study changes from three places (a rating
//! saved in this app, another process such as `concord rate`, a `concord merge`), and the
//! page cannot see the last two. `PRAGMA data_version` on the worker's own read-only
//! connection changes after a commit by *any* other connection, in this process or another,
//! so one cheap poll (once a second, or at once when a command pokes the worker) covers all
//! three. The worker never touches the rating connection or its lock, and being one thread it
//! computes at most one dashboard at a time; changes that arrive meanwhile are seen by the
//! next poll and coalesce into one more computation.
//!
//! Numbers come from `concord_report` (which calls `concord_stats::report::agreement_report`);
//! this module only chooses options, flattens the report into table rows and encodes SVGs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine;
use concord_core::Study;
use concord_report::{Analysis, ChartRequest, Metric, StudySnapshot};
use concord_stats::report::{AgreementReport, AttributeReport, ReportOptions};
use concord_stats::Estimate;
use serde::{Deserialize, Serialize};

/// Bootstrap resamples of the live view (alpha and unbalanced-ICC intervals). Fewer than the
/// command line's 1000 so a recompute stays well under a second; the page states the number.
/// Saved charts use the same options as the screen; the saved report uses the full 1000.
pub const LIVE_BOOTSTRAP: usize = 200;

/// How often the worker looks for changes by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Quiet time after the last change before a recompute starts.
const SETTLE: Duration = Duration::from_millis(150);
/// Longest a recompute waits for changes to settle.
const SETTLE_MAX: Duration = Duration::from_secs(1);

/// Name of the event that carries a [`DashboardEvent`] to the page.
pub const DASHBOARD_EVENT: &str = "dashboard";

/// What the page asks the dashboard to show. Missing fields take the defaults of
/// `concord_report::ChartRequest` (first attribute, metric ICC2, first judge, first two humans;
/// every human and every judge).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DashboardRequest {
    /// Attribute key, or a group name for its composite.
    pub attribute: Option<String>,
    /// One of `Metric::names()`.
    pub metric: Option<String>,
    /// Human raters to analyse (`None`: all).
    pub humans: Option<Vec<String>>,
    /// Judges to compare (`None`: all).
    pub judges: Option<Vec<String>>,
    /// Judge of the Bland–Altman plot.
    pub judge: Option<String>,
    /// Rater pair of the confusion matrix.
    pub raters: Option<(String, String)>,
}

/// A choice in one of the page's selectors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub key: String,
    pub label: String,
    /// For attributes: whether this is a group composite.
    pub composite: bool,
}

/// One line of the table of numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableRow {
    /// "Humans" or the judge's name.
    pub group: String,
    /// Stable id, e.g. `humans.ICC2`, `judge.Judge A.bias`, `pair.Rater 1|Rater 2.quadratic`.
    pub key: String,
    /// What the row estimates, as shown.
    pub statistic: String,
    pub estimate: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    /// Targets the estimate used.
    pub n: Option<usize>,
    /// Targets left out (incomplete for ICC/Fleiss; own-model exclusions for judges).
    pub dropped: Option<usize>,
    /// Why there is no estimate (or no interval).
    pub reason: Option<String>,
}

/// A chart ready for an `<img>`: the SVG as a `data:` URL, so nothing in it can run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartView {
    pub name: String,
    pub title: String,
    pub data_url: String,
}

/// Everything the dashboard screen shows after one recompute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DashboardView {
    /// The selection actually drawn (defaults filled in).
    pub attribute: String,
    pub attribute_label: String,
    /// Whether `attribute` is a group composite (per-attribute charts are then not drawn).
    pub composite: bool,
    pub metric: String,
    pub judge: Option<String>,
    pub raters: Option<(String, String)>,
    pub humans: Option<Vec<String>>,
    pub judges: Option<Vec<String>>,
    /// Selector choices.
    pub attributes: Vec<Choice>,
    pub metrics: Vec<Choice>,
    pub all_humans: Vec<String>,
    pub all_judges: Vec<String>,
    pub table: Vec<TableRow>,
    pub charts: Vec<ChartView>,
    /// Why a chart is missing, or anything the report warns about.
    pub notes: Vec<String>,
    /// Non-empty ratings the numbers were computed from.
    pub n_ratings: usize,
    pub bootstrap: usize,
    pub seed: u64,
    /// When the recompute finished (ms since the Unix epoch) and how long it took.
    pub computed_at_ms: i64,
    pub compute_ms: f64,
}

/// What the worker sends to the page.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DashboardEvent {
    Updated {
        /// The request the view answers (the page ignores answers to stale requests).
        request_id: u64,
        view: Box<DashboardView>,
    },
    Failed {
        request_id: u64,
        message: String,
    },
}

/// The statistics options of the dashboard for `request`: the study's own-model exclusions
/// (as `concord agreement` uses them), the chosen raters, and [`LIVE_BOOTSTRAP`] resamples.
pub fn report_options(
    study: &Study,
    request: &DashboardRequest,
) -> concord_core::Result<ReportOptions> {
    Ok(ReportOptions {
        humans: request.humans.clone(),
        judges: request.judges.clone(),
        exclude_own: study.settings()?.exclude_own,
        bootstrap: LIVE_BOOTSTRAP,
        ..ReportOptions::default()
    })
}

/// The chart request for the per-chart selectors of `request`.
pub fn chart_request(chart: &str, request: &DashboardRequest) -> ChartRequest {
    ChartRequest {
        chart: chart.to_string(),
        attribute: request.attribute.clone(),
        judge: request.judge.clone(),
        metric: request.metric.clone(),
        raters: request.raters.clone(),
    }
}

fn report_error(err: concord_report::ReportError) -> String {
    err.to_string()
}

/// One full recompute: load, statistics, the seven charts and the table.
pub fn compute(study: &Study, request: &DashboardRequest) -> Result<DashboardView, String> {
    let started = Instant::now();
    let (snapshot, opts) = load(study, request, None)?;
    compute_from(snapshot, opts, request, started)
}

/// Phase 1, the only one that reads the study: its ratings and the options. With the previous
/// snapshot, only what changed since it is read.
pub fn load(
    study: &Study,
    request: &DashboardRequest,
    previous: Option<StudySnapshot>,
) -> Result<(StudySnapshot, ReportOptions), String> {
    let opts = report_options(study, request).map_err(|e| e.to_string())?;
    let snapshot = match previous {
        Some(mut snapshot) => {
            snapshot.refresh(study).map_err(report_error)?;
            snapshot
        }
        None => StudySnapshot::load(study).map_err(report_error)?,
    };
    Ok((snapshot, opts))
}

/// Phases 2 and 3 on a loaded snapshot: statistics, charts and the table; no I/O.
pub fn compute_from(
    snapshot: StudySnapshot,
    opts: ReportOptions,
    request: &DashboardRequest,
    started: Instant,
) -> Result<DashboardView, String> {
    let analysis = Analysis::new(snapshot, &opts);
    let report = &analysis.report;
    let specs = &analysis.snapshot.live.ratings.attributes;

    let mut attributes: Vec<Choice> = report
        .attributes
        .iter()
        .map(|r| Choice {
            key: r.attribute.clone(),
            label: specs.iter().position(|s| s.key == r.attribute).map_or_else(
                || r.attribute.clone(),
                |i| analysis.snapshot.labels[i].clone(),
            ),
            composite: false,
        })
        .collect();
    attributes.extend(report.groups.iter().map(|g| Choice {
        key: g.attribute.clone(),
        label: format!("{} composite", g.attribute),
        composite: true,
    }));
    let chosen = match &request.attribute {
        None => attributes.first().cloned(),
        Some(name) => Some(
            attributes
                .iter()
                .find(|c| c.key.eq_ignore_ascii_case(name) || c.label.eq_ignore_ascii_case(name))
                .cloned()
                .ok_or_else(|| {
                    format!(
                        "unknown attribute '{name}'; valid attributes: {}",
                        attributes
                            .iter()
                            .map(|c| c.key.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?,
        ),
    }
    .ok_or("this study's rubric has no attribute to analyse")?;
    let metric = match &request.metric {
        None => Metric::Icc2,
        Some(name) => Metric::parse(name).ok_or_else(|| {
            format!(
                "unknown metric '{name}'; valid metrics: {}",
                Metric::names().join(", ")
            )
        })?,
    };
    let all_humans: Vec<String> = names(&analysis, false);
    let all_judges: Vec<String> = names(&analysis, true);
    let judge = request.judge.clone().or_else(|| {
        report
            .options
            .judges
            .as_ref()
            .map_or(all_judges.first(), |j| j.first())
            .cloned()
    });
    let humans_used: Vec<String> = report
        .attributes
        .first()
        .map(|a| a.humans.raters.clone())
        .unwrap_or_default();
    let raters = request
        .raters
        .clone()
        .or_else(|| match humans_used.as_slice() {
            [a, b, ..] => Some((a.clone(), b.clone())),
            _ => None,
        });

    let resolved = DashboardRequest {
        attribute: Some(chosen.key.clone()),
        metric: Some(metric.key().to_string()),
        judge: judge.clone(),
        raters: raters.clone(),
        ..request.clone()
    };
    let mut notes = Vec::new();
    let mut charts = Vec::new();
    for name in concord_plots::chart_names() {
        let per_attribute = matches!(*name, "bland-altman" | "distribution" | "confusion");
        if per_attribute && chosen.composite {
            continue;
        }
        if *name == "bland-altman" && judge.is_none() {
            notes.push("Bland–Altman: the study has no LLM judge to compare.".into());
            continue;
        }
        if *name == "confusion" && raters.is_none() {
            notes.push("Confusion matrix: needs two raters.".into());
            continue;
        }
        let request = chart_request(name, &resolved);
        let request = if per_attribute {
            request
        } else {
            ChartRequest {
                attribute: None,
                ..request
            }
        };
        match analysis.chart(&request).and_then(|data| {
            let svg = concord_plots::render_svg(&data.as_chart(), None)?;
            Ok((data.title(), svg))
        }) {
            Ok((title, svg)) => charts.push(ChartView {
                name: (*name).to_string(),
                title,
                data_url: svg_data_url(&svg),
            }),
            Err(err) => notes.push(format!("{name}: {err}")),
        }
    }
    if chosen.composite {
        notes.push(format!(
            "Bland–Altman, distribution and confusion charts are drawn per attribute; choose an attribute of {} to see them.",
            chosen.key
        ));
    }
    notes.extend(report.warnings.iter().cloned());

    let attribute_report = report
        .attributes
        .iter()
        .chain(&report.groups)
        .find(|r| r.attribute == chosen.key)
        .ok_or("the report has no row for the chosen attribute")?;
    Ok(DashboardView {
        attribute: chosen.key.clone(),
        attribute_label: chosen.label.clone(),
        composite: chosen.composite,
        metric: metric.key().to_string(),
        judge,
        raters,
        humans: request.humans.clone(),
        judges: request.judges.clone(),
        attributes,
        metrics: Metric::ALL
            .iter()
            .map(|m| Choice {
                key: m.key().to_string(),
                label: m.label().to_string(),
                composite: false,
            })
            .collect(),
        all_humans,
        all_judges,
        table: table_rows(attribute_report),
        charts,
        notes,
        n_ratings: analysis.snapshot.live.ratings.ratings.len(),
        bootstrap: opts.bootstrap,
        seed: opts.seed,
        computed_at_ms: now_ms(),
        compute_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

fn names(analysis: &Analysis, judges: bool) -> Vec<String> {
    analysis
        .snapshot
        .live
        .ratings
        .raters
        .iter()
        .filter(|r| r.is_judge == judges)
        .map(|r| r.name.clone())
        .collect()
}

/// Flattens one attribute's report into the table: the humans' ICC forms, alphas, Fleiss'
/// and Cohen's kappas, then per judge ICC(A,1)/ICC(C,1), bias, limits of agreement and
/// correlations.
pub fn table_rows(r: &AttributeReport) -> Vec<TableRow> {
    let h = &r.humans;
    let mut rows = Vec::new();
    let humans = "Humans";
    let row =
        |group: &str, key: String, statistic: String, e: &Estimate, dropped: Option<usize>| {
            TableRow {
                group: group.to_string(),
                key,
                statistic,
                estimate: e.value,
                ci95: e.ci95,
                n: e.n,
                dropped,
                reason: e.reason.clone(),
            }
        };
    for m in &Metric::ALL[..6] {
        let e = m.human_estimate(h);
        let mut line = row(
            humans,
            format!("humans.{}", m.key()),
            m.label().to_string(),
            e,
            Some(h.n_dropped),
        );
        line.n = Some(m.human_n(h));
        rows.push(line);
    }
    for m in &Metric::ALL[6..] {
        rows.push(row(
            humans,
            format!("humans.{}", m.key()),
            m.label().to_string(),
            m.human_estimate(h),
            None,
        ));
    }
    rows.push(row(
        humans,
        "humans.fleiss_kappa".into(),
        "Fleiss' κ".into(),
        &h.fleiss_kappa,
        Some(h.n_dropped),
    ));
    rows.push(row(
        humans,
        "humans.gwet_ac1".into(),
        "Gwet's AC1".into(),
        &h.gwet.ac1,
        None,
    ));
    for p in &h.pairs {
        let [a, b] = &p.raters;
        for (kind, label, e) in [
            ("unweighted", "Cohen's κ", &p.kappa.unweighted),
            ("linear", "Cohen's κ (linear)", &p.kappa.linear),
            ("quadratic", "Cohen's κ (quadratic)", &p.kappa.quadratic),
        ] {
            let mut line = row(
                humans,
                format!("pair.{a}|{b}.{kind}"),
                format!("{label}: {a} × {b}"),
                e,
                None,
            );
            line.n = line.n.or(Some(p.n));
            rows.push(line);
        }
    }
    for j in &r.judges {
        let g = j.judge.as_str();
        let k = |s: &str| format!("judge.{g}.{s}");
        let dropped = Some(j.n_excluded_own);
        rows.push(row(
            g,
            k("ICC_A1"),
            "ICC(A,1) vs human mean".into(),
            &j.icc.icc_a1,
            dropped,
        ));
        rows.push(row(
            g,
            k("ICC_C1"),
            "ICC(C,1) vs human mean".into(),
            &j.icc.icc_c1,
            dropped,
        ));
        rows.push(row(
            g,
            k("bias"),
            "Bias: mean(judge − human mean)".into(),
            &j.bias,
            dropped,
        ));
        let ba = &j.bland_altman;
        for (i, side) in ["Lower", "Upper"].iter().enumerate() {
            rows.push(TableRow {
                group: g.to_string(),
                key: k(&format!("loa_{}", side.to_lowercase())),
                statistic: format!("{side} limit of agreement"),
                estimate: ba.loa.map(|l| l[i]),
                ci95: ba.loa_ci95.map(|c| c[i]),
                n: Some(j.n_targets),
                dropped,
                reason: ba.reason.clone(),
            });
        }
        rows.push(row(
            g,
            k("pearson"),
            "Pearson r".into(),
            &j.pearson,
            dropped,
        ));
        rows.push(row(
            g,
            k("spearman"),
            "Spearman ρ".into(),
            &j.spearman,
            dropped,
        ));
        rows.push(row(g, k("ccc"), "Lin's CCC".into(), &j.ccc, dropped));
    }
    for line in &mut rows {
        if line.group != humans && line.n.is_none() {
            line.n = r
                .judges
                .iter()
                .find(|j| j.judge == line.group)
                .map(|j| j.n_targets);
        }
    }
    rows
}

/// The SVG as a base64 `data:` URL for an `<img>`: an SVG shown as an image runs no script
/// and loads nothing, whatever text its labels carry. Allowed by the CSP's `img-src data:`.
pub fn svg_data_url(svg: &str) -> String {
    let mut url = String::with_capacity(26 + svg.len() * 4 / 3 + 4);
    url.push_str("data:image/svg+xml;base64,");
    base64::engine::general_purpose::STANDARD.encode_string(svg, &mut url);
    url
}

/// The agreement report the dashboard shows, for tests and callers that want it alone.
pub fn dashboard_report(
    study: &Study,
    request: &DashboardRequest,
) -> Result<AgreementReport, String> {
    let opts = report_options(study, request).map_err(|e| e.to_string())?;
    Ok(Analysis::load(study, &opts).map_err(report_error)?.report)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

// ---- the worker ---------------------------------------------------------------------------

/// Sends a finished recompute to the page.
pub type Emit = Box<dyn Fn(DashboardEvent) + Send + 'static>;

#[derive(Default)]
struct Shared {
    /// The study to watch and the request to answer; `None` while the dashboard is not shown.
    watch: Option<(PathBuf, DashboardRequest, u64)>,
    /// Set by [`DashboardWorker::poke`]: look for a change now rather than at the next tick.
    poked: bool,
    stop: bool,
}

/// Reads the snapshot the dashboard needs from the app's study connection.
///
/// Why not a second `Study::open` in this process: `Study::open` reads the file header
/// through a plain file handle, and closing that handle drops every POSIX lock this process
/// holds on the file (SQLite's "how to corrupt" §2.2). With the rating connection's shared
/// lock gone, another process closing its connection (the CLI, a merge) believes it is the
/// last one and deletes the WAL under the app, losing saved ratings for everyone else. So the
/// dashboard reads through the rating connection, holding its lock only for the read
/// (`StudySnapshot::load`, a few milliseconds), and computes everything else without it.
pub type Loader = Arc<
    dyn Fn(
            &Path,
            &DashboardRequest,
            Option<StudySnapshot>,
        ) -> Result<(StudySnapshot, ReportOptions), String>
        + Send
        + Sync,
>;

/// The background thread that keeps the shown dashboard up to date.
pub struct DashboardWorker {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl DashboardWorker {
    /// Starts the worker; `load` reads the study, `emit` receives every recompute.
    pub fn start(load: Loader, emit: Emit) -> DashboardWorker {
        let shared = Arc::new((Mutex::new(Shared::default()), Condvar::new()));
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("concord-dashboard".into())
                .spawn(move || run(&shared, &load, &emit))
                .expect("spawning the dashboard thread")
        };
        DashboardWorker {
            shared,
            thread: Some(thread),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Shows the dashboard of `path` for `request` (answered with `request_id`): recomputes now
    /// and after every change until [`DashboardWorker::hide`].
    pub fn show(&self, path: &Path, request: DashboardRequest, request_id: u64) {
        let mut shared = self.lock();
        shared.watch = Some((path.to_path_buf(), request, request_id));
        shared.poked = true;
        self.shared.1.notify_all();
    }

    /// Stops watching (the dashboard is no longer shown, or the study was closed).
    pub fn hide(&self) {
        self.lock().watch = None;
        self.shared.1.notify_all();
    }

    /// Something in this app wrote to the study: look for the change now.
    pub fn poke(&self) {
        let mut shared = self.lock();
        if shared.watch.is_some() {
            shared.poked = true;
            self.shared.1.notify_all();
        }
    }
}

impl Drop for DashboardWorker {
    fn drop(&mut self) {
        self.lock().stop = true;
        self.shared.1.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Query-only connection whose `PRAGMA data_version` changes after a commit by any other
/// connection, in this process or another. Opened through SQLite (not `Study::open`), so it
/// takes part in SQLite's own per-process lock bookkeeping.
fn open_probe(path: &Path) -> Result<rusqlite::Connection, String> {
    rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .and_then(|conn| {
        conn.busy_timeout(Duration::from_secs(5))?;
        // Read-only in effect; opened read-write so WAL shared memory works as for any reader.
        conn.pragma_update(None, "query_only", true)?;
        data_version(&conn)?;
        Ok(conn)
    })
    .map_err(|e| format!("cannot watch {}: {e}", path.display()))
}

fn data_version(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |row| row.get(0))
}

fn run(shared: &(Mutex<Shared>, Condvar), load: &Loader, emit: &Emit) {
    let (lock, wake) = shared;
    let mut probe: Option<(PathBuf, rusqlite::Connection)> = None;
    // What the last emitted view answered: (request id, data_version).
    let mut answered: Option<(u64, i64)> = None;
    // The request whose failure was last reported (reported once, retried every poll).
    let mut failed: Option<u64> = None;
    // The last snapshot loaded, refreshed by reading only what changed since.
    let mut last: Option<(PathBuf, StudySnapshot)> = None;
    loop {
        let (path, request, request_id) = {
            let mut s = lock.lock().unwrap_or_else(|p| p.into_inner());
            if !s.poked && !s.stop {
                s = wake
                    .wait_timeout(s, POLL_INTERVAL)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            // Let a burst of saves (a rater typing seven digits) settle before computing, so
            // the recompute does not compete with the saves for the CPU; a steady stream of
            // changes still gets a recompute at least every SETTLE_MAX.
            let settle_started = Instant::now();
            while s.poked && !s.stop && settle_started.elapsed() < SETTLE_MAX {
                s.poked = false;
                s = wake
                    .wait_timeout(s, SETTLE)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if s.stop {
                return;
            }
            s.poked = false;
            match &s.watch {
                Some(w) => w.clone(),
                None => {
                    answered = None;
                    probe = None;
                    continue;
                }
            }
        };
        let started = Instant::now();
        let outcome = (|| {
            if probe.as_ref().is_none_or(|(p, _)| *p != path) {
                probe = None;
                answered = None;
                probe = Some((path.clone(), open_probe(&path)?));
            }
            let conn = &probe.as_ref().expect("opened above").1;
            let version =
                data_version(conn).map_err(|err| format!("cannot read {}: {err}", path.display()));
            let version = match version {
                Ok(v) => v,
                Err(message) => {
                    probe = None;
                    return Err(message);
                }
            };
            if answered == Some((request_id, version)) {
                return Ok(None);
            }
            let previous = last.take().filter(|(p, _)| *p == path).map(|(_, s)| s);
            let (snapshot, opts) = load(&path, &request, previous)?;
            last = Some((path.clone(), snapshot.clone()));
            answered = Some((request_id, version));
            compute_from(snapshot, opts, &request, started).map(Some)
        })();
        let event = match outcome {
            Ok(None) => continue,
            Ok(Some(view)) => {
                failed = None;
                DashboardEvent::Updated {
                    request_id,
                    view: Box::new(view),
                }
            }
            Err(message) => {
                if failed == Some(request_id) {
                    continue;
                }
                failed = Some(request_id);
                DashboardEvent::Failed {
                    request_id,
                    message,
                }
            }
        };
        emit(event);
    }
}
