//! `concord estimate` and `concord next` on a 70k-response study, whole process, with the
//! estimate's phases beside it.
//!
//! The study is `concord_core::demo` with 7,778 items × 9 models = 70,002 responses, 4 LLM
//! judges scoring every response on the 7 MentalBench attributes, and 3 humans each rating a
//! response with probability 0.035 (~10% of responses get a human score). Each figure is the
//! median of 11 runs after one warm-up. The baseline, measured in the same run, is the whole
//! `concord info` process (start-up, open, counts); the phases are timed in this process:
//! load (`Study::open` + `Study::study_ratings`), grouping (`ScoreGroups::new`) and the
//! statistics alone (`ppi::estimate_models`).
//!
//! Run: `cargo bench -p concord-cli --bench estimate` (the study takes about a minute to build).

use std::path::Path;
use std::time::Instant;

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::Study;
use concord_report::estimates::ScoreGroups;
use concord_stats::ppi::estimate_models;

mod timing;
use timing::{median, ms, run, RUNS};

/// Runs `concord args…` with its output discarded; panics unless it succeeds.
fn process(args: &[&str]) {
    run(env!("CARGO_BIN_EXE_concord"), args);
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench70k.concord");
    let made = Instant::now();
    create_demo(
        &path,
        &DemoOptions {
            items: 7_778,
            models: 9,
            raters: 3,
            judges: 4,
            coverage: 0.035,
            ..DemoOptions::default()
        },
    )
    .expect("demo study")
    .close()
    .expect("close");
    let file = path.to_str().expect("utf-8 path");
    let study = Study::open(Path::new(file)).expect("open");
    let info = study.info().expect("info");
    let data = study.study_ratings().expect("load");
    let groups = ScoreGroups::new(&data, "Judge A", &[]).expect("groups");
    let labelled: usize = groups.model_scores().iter().map(|m| m.y.len()).sum();
    println!(
        "concord estimate bench: {} responses, {} models, 7 attributes, {} judges, {} humans; \
         {} ratings; {:.1}% of response × attribute cells human-rated (study built in {:.1} s); \
         median of {RUNS} runs",
        info.responses,
        groups.models.len(),
        info.raters.llm,
        info.raters.human,
        info.ratings,
        100.0 * labelled as f64 / (7.0 * info.responses as f64),
        made.elapsed().as_secs_f64()
    );
    let baseline = median(|| process(&["info", file]));
    println!(
        "baseline  `concord info` (whole process)               {:8.2} ms",
        ms(baseline)
    );
    let load = median(|| {
        Study::open(Path::new(file))
            .expect("open")
            .study_ratings()
            .expect("load")
    });
    let group = median(|| ScoreGroups::new(&data, "Judge A", &[]).expect("groups"));
    let stats = median(|| estimate_models("Judge A", &groups.model_scores(), 0.05));
    let json = median(|| {
        serde_json::to_string_pretty(&estimate_models("Judge A", &groups.model_scores(), 0.05))
            .expect("json")
    });
    let whole = median(|| process(&["estimate", file, "--judge", "Judge A", "--json"]));
    let text = median(|| process(&["estimate", file, "--judge", "Judge A"]));
    println!(
        "  load      Study::open + study_ratings             {:8.2} ms",
        ms(load)
    );
    println!(
        "  grouping  ScoreGroups::new (63 groups)            {:8.2} ms",
        ms(group)
    );
    println!(
        "  stats     ppi::estimate_models alone              {:8.2} ms",
        ms(stats)
    );
    println!(
        "  stats + JSON text                                 {:8.2} ms",
        ms(json)
    );
    let next = median(|| process(&["next", file, "--count", "1000", "--json"]));
    println!(
        "  whole     `concord next --count 1000 --json` process {:6.2} ms  = {:.2}× `concord info`; target < 200 ms: {}",
        ms(next),
        next.as_secs_f64() / baseline.as_secs_f64(),
        if ms(next) < 200.0 { "met" } else { "NOT met" }
    );
    for (name, d) in [("--json", whole), ("text", text)] {
        println!(
            "  whole     `concord estimate {name:<6}` process     {:8.2} ms  = {:.2}× `concord info`; target < 50 ms: {}",
            ms(d),
            d.as_secs_f64() / baseline.as_secs_f64(),
            if ms(d) < 50.0 { "met" } else { "NOT met" }
        );
    }
}
