//! Full dashboard recompute on a 70k-rating study: load + statistics + all seven SVGs and the
//! table (`DashboardView`).
//!
//! The study is `concord_core::demo` with 476 items × 3 models = 1,428 responses, 3 human
//! raters and 4 LLM judges each rating every response on the 7 MentalBench attributes:
//! 1,428 × 7 × 7 = 69,972 ratings (9,996 per attribute). Single thread. Each figure is the
//! median of 11 runs after one warm-up; the baseline is the raw `Study::study_ratings` load
//! measured in the same run.
//!
//! Run: `cargo bench -p concord-report --bench dashboard`

use std::hint::black_box;
use std::time::{Duration, Instant};

use concord_core::demo::{create_demo, DemoOptions};
use concord_report::{Analysis, DashboardRequest, DashboardView, StudySnapshot};
use concord_stats::report::ReportOptions;

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
        let view =
            || DashboardView::build(analysis.clone(), &selection, Instant::now()).expect("view");
        let svg = median(view);
        let total = median(|| {
            let analysis = Analysis::load(&study, &opts).expect("analysis");
            DashboardView::build(analysis, &selection, Instant::now()).expect("view")
        });
        let bytes: usize = view().charts.iter().map(|c| c.data_url.len()).sum();
        println!("-- bootstrap = {bootstrap} resamples (Henderson ICC and alpha CIs, 9 sheets), seed 42 --");
        println!(
            "  load   (snapshot: ratings, labels, progress) {:8.2} ms",
            ms(load)
        );
        println!(
            "  stats  (agreement_report)                   {:8.2} ms",
            ms(stats)
        );
        println!(
            "  view   (7 charts, {:>4} kB as data URLs, table) {:8.2} ms",
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
}
