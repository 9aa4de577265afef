//! Full dashboard recompute on a 70k-rating study: load + statistics + all eight SVGs and the
//! table (`DashboardView`).
//!
//! The study is `concord_core::demo` with 476 items × 3 models = 1,428 responses, 3 human
//! raters and 4 LLM judges each rating every response on the 7 MentalBench attributes:
//! 1,428 × 7 × 7 = 69,972 ratings (9,996 per attribute). Single thread. Each figure is the
//! median of 11 runs after one warm-up; the baseline is the raw `Study::study_ratings` load
//! measured in the same run.
//!
//! The bench runs with the app's allocator (mimalloc), as the live dashboard does.
//!
//! Run: `cargo bench -p concord-report --bench dashboard`

use std::hint::black_box;
use std::time::{Duration, Instant};

use concord_core::demo::{create_demo, DemoOptions};
use concord_report::{Analysis, DashboardRequest, DashboardView, ReportCache, StudySnapshot};
use concord_stats::report::ReportOptions;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 11;

fn median<T>(mut f: impl FnMut() -> T) -> Duration {
    black_box(f());
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.concord");
    let made = Instant::now();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 476,
            models: 3,
            raters: 3,
            judges: 4,
            coverage: 1.0,
            ..DemoOptions::default()
        },
    )
    .expect("demo study");
    let info = study.info().expect("info");
    println!(
        "concord-report dashboard bench: {} responses × 7 attributes × ({} humans + {} judges) = {} ratings \
         (study built in {:.1} s); median of {RUNS} runs",
        info.responses,
        info.raters.human,
        info.raters.llm,
        info.ratings,
        made.elapsed().as_secs_f64()
    );
    let selection = DashboardRequest::default();
    let baseline = median(|| study.study_ratings().expect("load"));
    println!(
        "baseline  Study::study_ratings (raw load)          {:8.2} ms",
        ms(baseline)
    );
    let humans: Vec<_> = study
        .raters()
        .expect("raters")
        .into_iter()
        .filter(|r| r.kind == concord_core::RaterKind::Human)
        .collect();
    let progress = median(|| {
        for h in &humans {
            black_box(study.progress(&h.id).expect("progress"));
        }
    });
    println!(
        "part of load: Study::progress × {} humans          {:8.2} ms",
        humans.len(),
        ms(progress)
    );
    for bootstrap in [1000, 200, 0] {
        let opts = ReportOptions {
            bootstrap,
            ..ReportOptions::default()
        };
        let load = median(|| StudySnapshot::load(&study).expect("snapshot"));
        let snapshot = StudySnapshot::load(&study).expect("snapshot");
        let stats = median(|| Analysis::new(snapshot.clone(), &opts));
        let analysis = Analysis::new(snapshot, &opts);
        let view = || DashboardView::build(&analysis, &selection, Instant::now()).expect("view");
        let svg = median(view);
        let total = median(|| {
            let analysis = Analysis::load(&study, &opts).expect("analysis");
            DashboardView::build(&analysis, &selection, Instant::now()).expect("view")
        });
        let bytes: usize = view().charts.iter().map(|c| c.data_url.len()).sum();
        println!("-- bootstrap = {bootstrap} resamples (REML and Henderson ICC CIs, 9 sheets), seed 42 --");
        println!(
            "  load   (snapshot: ratings, labels, progress) {:8.2} ms",
            ms(load)
        );
        println!(
            "  stats  (agreement_report)                   {:8.2} ms",
            ms(stats)
        );
        println!(
            "  view   (8 charts, {:>4} kB as data URLs, table) {:8.2} ms",
            bytes / 1000,
            ms(svg)
        );
        println!(
            "  total  load + DashboardView::build            {:8.2} ms  = {:.1}× the raw load; target < 100 ms: {}",
            ms(total),
            total.as_secs_f64() / baseline.as_secs_f64(),
            if ms(total) < 100.0 { "met" } else { "NOT met" }
        );
    }
    refresh_after_one_rating(dir.path());
}

/// Dashboard refresh after one saved rating on a 490k-rating study (1,000 items × 10 models,
/// 3 humans + 4 judges): the watermark refresh against a full reload, then the dashboard's
/// statistics (200 resamples) of every sheet, and as the live dashboard computes them: only the
/// changed attribute's sheet and its group's, the others reused from the last report.
fn refresh_after_one_rating(dir: &std::path::Path) {
    let study = create_demo(
        &dir.join("big.concord"),
        &DemoOptions {
            items: 1000,
            models: 10,
            raters: 3,
            judges: 4,
            coverage: 1.0,
            ..DemoOptions::default()
        },
    )
    .expect("demo study");
    let n = study.info().expect("info").ratings;
    let opts = ReportOptions {
        bootstrap: 200,
        ..ReportOptions::default()
    };
    let rater = study
        .raters()
        .expect("raters")
        .into_iter()
        .find(|r| r.kind == concord_core::RaterKind::Human)
        .expect("a human");
    let response = study.rating_view(&rater.id, 0).expect("view").response_id;
    let mut snapshot = StudySnapshot::load(&study).expect("snapshot");
    let mut value = 1;
    let mut save = || {
        value = value % 5 + 1;
        study
            .set_rating(&rater.id, &response, "safety", Some(value))
            .expect("save");
    };
    let refresh = median(|| {
        save();
        snapshot.refresh(&study).expect("refresh");
    });
    let reload = median(|| {
        save();
        StudySnapshot::load(&study).expect("load")
    });
    let stats = median(|| Analysis::new(snapshot.clone(), &opts));
    // The live dashboard's way (`src-tauri/src/watcher.rs`): the snapshot goes into the
    // analysis and comes back out for the next refresh; the sheets the saved rating left alone
    // keep their analyses.
    let mut cache = ReportCache::default();
    let mut held = Some(Analysis::reusing(snapshot.clone(), &opts, &mut cache).snapshot);
    let live = median(|| {
        save();
        let mut snapshot = held.take().expect("the last refresh's snapshot");
        snapshot.refresh(&study).expect("refresh");
        let analysis = Analysis::reusing(snapshot, &opts, &mut cache);
        held = Some(analysis.snapshot);
    });
    save();
    let mut snapshot = held.expect("the last refresh's snapshot");
    snapshot.refresh(&study).expect("refresh");
    assert!(
        Analysis::reusing(snapshot.clone(), &opts, &mut cache).report
            == Analysis::new(snapshot, &opts).report,
        "the report through the cache differs from a fresh one"
    );
    println!("-- {n} ratings: after one saved rating --");
    println!(
        "  refresh (events after the watermark)        {:8.2} ms; full reload {:8.2} ms ({:.0}× faster)",
        ms(refresh),
        ms(reload),
        reload.as_secs_f64() / refresh.as_secs_f64()
    );
    println!(
        "  refresh + statistics of every sheet         {:8.2} ms (statistics {:.2} ms)",
        ms(refresh + stats),
        ms(stats),
    );
    println!(
        "  to new numbers: save + refresh + statistics of the changed sheets {:8.2} ms ({:.1}× faster); target ≤ 50 ms: {}",
        ms(live),
        (refresh + stats).as_secs_f64() / live.as_secs_f64(),
        if ms(live) <= 50.0 { "met" } else { "NOT met" }
    );
}
