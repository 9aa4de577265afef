//! The agreement report: the one entry point other crates call.
//!
//! `agreement_report` takes neutral study data ([`StudyRatings`], `input.rs`) and options and
//! returns an [`AgreementReport`] (`output.rs`) whose JSON form is documented field by field in
//! `SCHEMA.md`. `sheets.rs` builds the matrices it analyses, `humans.rs` the humans'
//! inter-rater statistics and `judges.rs` each judge against the humans; `workers.rs` spreads
//! each sheet's humans and its (sheet, judge) pairs over threads, sheet after sheet; `cells.rs`
//! holds a sheet's ratings until then; `cache.rs` keeps the last
//! report's sheets for the live dashboard's next one.

mod cache;
mod cells;
mod human_items;
mod humans;
mod input;
mod judges;
mod output;
mod sheets;
mod workers;

pub use cache::ReportCache;
pub use cells::Cells;
pub use input::{
    AttributeSpec, Cluster, Observation, RaterSpec, ReportOptions, StudyRatings, TargetSpec, Unit,
};
pub use output::{
    AgreementReport, AttributeReport, HumanReport, JudgeReport, ModelCount, PairReport,
    RaterDiagnostic,
};
// The estimates' types, named from here by the crates that read a report.
pub use crate::alpha::AlphaSet;
pub use crate::alt_test::{AltTest, AltTestHuman, AltTestOptions, AltTestUntested};
pub use crate::bootstrap::DEFAULT_BOOTSTRAP_SEED;
pub use crate::gwet::GwetSet;
pub use crate::icc::{IccForms, UnbalancedIcc};
pub use crate::judge::{BlandAltman, PairIcc, PairedAgreement, ReliabilityClass};
pub use crate::judge_bias::{ClinicianReference, JudgeBias};
pub use crate::kappa::KappaSet;
pub use crate::reml::{RemlComponents, RemlIcc};
pub use crate::replacement::{Agreement, HumanReplaced, Replacement};
pub use crate::verdict::{Verdict, VerdictReason};

use crate::bootstrap::BootstrapSpec;
use humans::{human_report, HumanRows, SheetHumans};
use judges::{judge_report, TargetGroups};
use sheets::{
    attribute_sheets, build_sheets, group_sheets, item_clusters, select_names, Models, Sheet,
};

/// Build the full agreement report: humans' inter-rater agreement and each judge vs the humans,
/// per attribute and per composite group (see `SCHEMA.md`; methods cited on each function).
pub fn agreement_report(data: &StudyRatings, opts: &ReportOptions) -> AgreementReport {
    report_with_workers(data, opts, workers::available(), None)
}

/// [`agreement_report`], reusing the analyses in `cache` of every sheet whose inputs are those of
/// the report that last filled it, and leaving this report's there for the next call (the live
/// dashboard: one saved rating changes one attribute's sheet and its group's). The report is the
/// one [`agreement_report`] gives.
pub fn agreement_report_reusing(
    data: &StudyRatings,
    opts: &ReportOptions,
    cache: &mut ReportCache,
) -> AgreementReport {
    report_with_workers(data, opts, workers::available(), Some(cache))
}

/// [`agreement_report`] of a study whose ratings come as each attribute's cells (targets ×
/// raters; `cells[a]` for `data.attributes[a]`, `data.ratings` unread), as a store
/// can read them straight from its rows (`concord agreement`): no list of single ratings is
/// built and then sorted into sheets. The same report as from the list.
pub fn agreement_report_on_cells(
    data: &StudyRatings,
    cells: Vec<Cells>,
    opts: &ReportOptions,
) -> AgreementReport {
    assert_eq!(
        cells.len(),
        data.attributes.len(),
        "one sheet of cells per attribute"
    );
    let workers = workers::available();
    let prepared = prepare(data, opts, workers, Some(cells));
    analyse(data, prepared, opts, workers, None)
}

/// [`agreement_report`] with its sheets and judges analysed by `workers` threads (the same report
/// for any number), through `cache` when given.
fn report_with_workers(
    data: &StudyRatings,
    opts: &ReportOptions,
    workers: usize,
    cache: Option<&mut ReportCache>,
) -> AgreementReport {
    analyse(
        data,
        prepare(data, opts, workers, None),
        opts,
        workers,
        cache,
    )
}

/// What the analysis reads besides the study's raters and targets: the raters and attributes
/// chosen, the sheets (the only reader of the list of single ratings) and each target's item.
struct Prepared {
    humans: Vec<usize>,
    judges: Vec<usize>,
    human_names: Vec<String>,
    sheets: Vec<Sheet>,
    group_sheets: Vec<Sheet>,
    items: Option<Vec<u32>>,
    warnings: Vec<String>,
}

/// The raters and attributes `opts` chooses and their sheets: from `cells` (every attribute's)
/// when given, else built from the list of single ratings by `workers` threads.
fn prepare(
    data: &StudyRatings,
    opts: &ReportOptions,
    workers: usize,
    cells: Option<Vec<Cells>>,
) -> Prepared {
    let mut warnings = Vec::new();
    let people: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| !r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let bots: Vec<(usize, &str)> = data
        .raters
        .iter()
        .enumerate()
        .filter(|r| r.1.is_judge)
        .map(|(i, r)| (i, r.name.as_str()))
        .collect();
    let humans = select_names(&people, &opts.humans, "human rater", &mut warnings);
    let judges = select_names(&bots, &opts.judges, "judge", &mut warnings);
    let human_names: Vec<String> = humans
        .iter()
        .map(|&i| data.raters[i].name.clone())
        .collect();
    let all_attrs: Vec<(usize, &str)> = data
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| (i, a.key.as_str()))
        .collect();
    let attrs = select_names(&all_attrs, &opts.attributes, "attribute", &mut warnings);
    let cells = match cells {
        Some(mut all) => attrs.iter().map(|&a| std::mem::take(&mut all[a])).collect(),
        None => build_sheets(data, &attrs, workers, &mut warnings),
    };
    let (sheets, sheet_index) = attribute_sheets(data, &attrs, cells);
    let group_sheets = group_sheets(data, &attrs, &sheets, &sheet_index, workers);
    let items = item_clusters(data, opts.cluster, &mut warnings);
    Prepared {
        humans,
        judges,
        human_names,
        sheets,
        group_sheets,
        items,
        warnings,
    }
}

/// The report on `p`'s sheets (see [`report_with_workers`]).
fn analyse(
    data: &StudyRatings,
    p: Prepared,
    opts: &ReportOptions,
    workers: usize,
    mut cache: Option<&mut ReportCache>,
) -> AgreementReport {
    let boot = BootstrapSpec {
        resamples: opts.bootstrap,
        seed: opts.bootstrap_seed,
    };
    let needs_models = opts.unit == Unit::Model || !opts.exclude_own.is_empty();
    let models = needs_models.then(|| Models::new(data));
    // The composites first: they have the most distinct rows, so the most work.
    let all: Vec<&Sheet> = p.group_sheets.iter().chain(&p.sheets).collect();
    if let Some(cache) = cache.as_deref_mut() {
        cache.keep_if_same(data, opts);
    }
    let known: Vec<Option<AttributeReport>> = all
        .iter()
        .map(|s| cache.as_deref().and_then(|c| c.find(s)).cloned())
        .collect();
    let jobs: Vec<&Sheet> = all
        .iter()
        .zip(&known)
        .filter(|(_, k)| k.is_none())
        .map(|(s, _)| *s)
        .collect();
    let ln_lengths: Vec<Option<f64>> = match p.judges.is_empty() {
        true => Vec::new(),
        false => data
            .targets
            .iter()
            .map(|t| t.length.filter(|l| *l > 0.0).map(f64::ln))
            .collect(),
    };
    let groups = TargetGroups {
        models: models.as_ref(),
        items: p.items.as_deref(),
        ln_lengths: &ln_lengths,
    };
    // One queue, sheet after sheet: a sheet's humans, then the judges of the sheet two before,
    // which read that sheet's humans (computed by then: a thread takes the next job only after
    // finishing one, and two humans jobs lie between; with one, a thread done with the
    // second sheet's humans waited for the first's). Judges are most of the work, and a
    // sheet's judges on separate threads keep both busy to the end. Taking the sheets in turn
    // lets each sheet's human rows go when its last judge is done, so later sheets reuse their
    // memory: fresh pages, zeroed by the kernel, cost more than most of the arithmetic done on
    // them (the peak falls by a fifth on the 490k demo).
    let humans_of: Vec<SheetHumans> = jobs
        .iter()
        .map(|_| SheetHumans::new(p.judges.len()))
        .collect();
    let humans_on = |s: usize| {
        humans_of[s].get_or_compute(|| {
            let hr = HumanRows::new(jobs[s], &p.humans, &p.judges);
            let report = human_report(
                jobs[s],
                &hr,
                &p.human_names,
                boot,
                p.items.as_deref(),
                opts.min_complete_responses,
            );
            if !p.judges.is_empty() {
                hr.share_with_judges(&p.human_names, p.items.as_deref());
            }
            (hr, report)
        })
    };
    const LEAD: usize = 2;
    let mut queue: Vec<(usize, Option<usize>)> = Vec::new();
    for s in 0..jobs.len() + LEAD {
        if s < jobs.len() {
            queue.push((s, None));
        }
        if let Some(judged) = s.checked_sub(LEAD).filter(|&j| j < jobs.len()) {
            queue.extend((0..p.judges.len()).map(|k| (judged, Some(k))));
        }
    }
    // A job is a sheet's humans, or its judge k (of `p.judges`).
    let done = workers::map_in_order(&queue, workers, |&(s, judge)| {
        let sheet = humans_on(s);
        let k = judge?;
        let report = {
            let (rows, human) = sheet.read();
            let hr = rows
                .as_ref()
                .expect("a sheet's rows stay until its last judge");
            let column = &hr.judge_columns[k];
            judge_report(data, column, p.judges[k], hr, human, &groups, opts)
        };
        sheet.judged();
        Some(report)
    });
    // The queue holds the judges sheet by sheet, in judge order.
    let mut judged = done.into_iter().flatten();
    let mut computed = jobs
        .iter()
        .zip(humans_of)
        .map(|(s, humans)| AttributeReport {
            attribute: s.key.clone(),
            group: s.group.clone(),
            judges: judged.by_ref().take(p.judges.len()).collect(),
            humans: humans.into_report(),
        });
    let mut reports: Vec<AttributeReport> = known
        .into_iter()
        .map(|k| {
            k.or_else(|| computed.next())
                .expect("one computed report per unknown sheet")
        })
        .collect();
    let n_groups = p.group_sheets.len();
    if let Some(cache) = cache {
        // The sheets move into the cache (no copy): this report is done with them.
        let owned = p.group_sheets.into_iter().chain(p.sheets);
        cache.remember(owned.zip(reports.iter().cloned()).collect());
    }
    let attributes = reports.split_off(n_groups);
    AgreementReport {
        attributes,
        groups: reports,
        options: opts.clone(),
        warnings: p.warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 40 targets (two per item, two models) rated by three humans and a judge on attributes
    /// a and b (group G) and c.
    fn small_study() -> StudyRatings {
        let keys = ["a", "b", "c"];
        StudyRatings {
            attributes: keys
                .iter()
                .map(|k| AttributeSpec {
                    key: (*k).into(),
                    group: (*k != "c").then(|| "G".into()),
                    scale_min: 1,
                    scale_max: 5,
                })
                .collect(),
            raters: (0..4)
                .map(|r| RaterSpec {
                    name: format!("r{r}"),
                    is_judge: r == 3,
                })
                .collect(),
            targets: (0..40)
                .map(|t| TargetSpec {
                    id: format!("t{t}"),
                    model: format!("m{}", t % 2),
                    length: None,
                    item: Some(format!("i{}", t / 2)),
                })
                .collect(),
            ratings: (0..40 * 4 * 3)
                .map(|i| Observation {
                    target: i / 12,
                    rater: i % 4,
                    attribute: (i / 4) % 3,
                    value: ((i * 7 + i / 12) % 5 + 1) as f64,
                })
                .collect(),
        }
    }

    #[test]
    fn the_report_is_the_same_for_any_number_of_threads_and_from_cells() {
        let data = small_study();
        let opts = ReportOptions {
            bootstrap: 50,
            ..ReportOptions::default()
        };
        let one = serde_json::to_value(report_with_workers(&data, &opts, 1, None)).expect("JSON");
        for workers in [2, 5] {
            let many = report_with_workers(&data, &opts, workers, None);
            assert_eq!(serde_json::to_value(many).expect("JSON"), one);
        }
        // From each attribute's cells, as a store reads them, the same report.
        let (nt, nr) = (data.targets.len(), data.raters.len());
        let mut cells = vec![Cells::unrated(nt, nr); data.attributes.len()];
        for o in &data.ratings {
            cells[o.attribute].set(o.target, o.rater, o.value);
        }
        let listless = StudyRatings {
            ratings: Vec::new(),
            ..data
        };
        let from_cells = agreement_report_on_cells(&listless, cells, &opts);
        assert_eq!(serde_json::to_value(from_cells).expect("JSON"), one);
        assert_eq!(one["attributes"].as_array().map(Vec::len), Some(3));
        assert_eq!(one["groups"][0]["attribute"], "G");
    }

    #[test]
    fn bad_and_duplicate_observations_are_counted_once_whatever_the_threads() {
        let mut data = small_study();
        let bad = |target, rater, attribute, value| Observation {
            target,
            rater,
            attribute,
            value,
        };
        data.ratings.extend([
            bad(40, 0, 0, 3.0),     // no such target
            bad(0, 9, 1, 3.0),      // no such rater
            bad(0, 0, 7, 3.0),      // no such attribute
            bad(1, 1, 2, f64::NAN), // not a number
            bad(2, 2, 0, 4.0),      // a second value for a cell
        ]);
        for workers in [1, 2, 3] {
            let report = report_with_workers(&data, &ReportOptions::default(), workers, None);
            assert!(
                report.warnings.contains(
                    &"4 observations with an out-of-range index or a non-finite value were ignored"
                        .to_string()
                ),
                "{:?}",
                report.warnings
            );
            assert!(
                report.warnings.contains(&"1 duplicate observations (same target, rater, attribute): the last one was used".to_string()),
                "{:?}",
                report.warnings
            );
        }
    }

    #[test]
    fn a_report_through_the_cache_is_the_fresh_report_reusing_only_unchanged_sheets() {
        let mut data = small_study();
        let opts = ReportOptions {
            bootstrap: 50,
            ..ReportOptions::default()
        };
        let mut cache = ReportCache::default();
        let reusing = |data: &StudyRatings, opts: &ReportOptions, cache: &mut ReportCache| {
            // Mark what the cache holds: a sheet whose analysis is reused comes back marked.
            cache.mark_for_test();
            let report = agreement_report_reusing(data, opts, cache);
            let marked: Vec<String> = report
                .groups
                .iter()
                .chain(&report.attributes)
                .filter(|a| a.attribute.ends_with(" (reused)"))
                .map(|a| a.attribute.replace(" (reused)", ""))
                .collect();
            let mut unmarked = report;
            for a in unmarked.groups.iter_mut().chain(&mut unmarked.attributes) {
                a.attribute = a.attribute.replace(" (reused)", "");
            }
            (unmarked, marked)
        };
        let (first, marked) = reusing(&data, &opts, &mut cache);
        assert_eq!(first, agreement_report(&data, &opts));
        assert!(marked.is_empty(), "nothing to reuse at first: {marked:?}");
        let (again, marked) = reusing(&data, &opts, &mut cache);
        assert_eq!(again, first);
        assert_eq!(marked, ["G", "a", "b", "c"]);
        // One rating of c (no group) changes: only c is analysed again.
        let cell = data
            .ratings
            .iter_mut()
            .find(|o| o.attribute == 2 && o.rater == 0)
            .expect("a rating of c");
        cell.value = if cell.value == 5.0 { 1.0 } else { 5.0 };
        let (changed, marked) = reusing(&data, &opts, &mut cache);
        assert_eq!(changed, agreement_report(&data, &opts));
        assert_ne!(changed.attributes[2], first.attributes[2]);
        assert_eq!(marked, ["G", "a", "b"]);
        // One rating of a changes a and its group G.
        data.ratings
            .iter_mut()
            .find(|o| o.attribute == 0)
            .expect("a rating of a")
            .value = 3.5;
        let (_, marked) = reusing(&data, &opts, &mut cache);
        assert_eq!(marked, ["b", "c"]);
        // Other options: everything again.
        let other = ReportOptions {
            bootstrap: 60,
            ..opts
        };
        let (fresh, marked) = reusing(&data, &other, &mut cache);
        assert_eq!(fresh, agreement_report(&data, &other));
        assert!(marked.is_empty(), "{marked:?}");
    }
}
