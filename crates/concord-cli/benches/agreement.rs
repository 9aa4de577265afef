//! `concord agreement --json` on a 490k-rating study, whole process, beside a baseline binary run
//! in the same run on the same study, with this build's phases timed in-process.
//!
//! The study is `concord_core::demo` with 1,000 items × 10 models = 10,000 responses rated on the
//! 7 MentalBench attributes by 3 clinicians and 4 judges (490,000 ratings). The baseline is an
//! earlier release binary named by `CONCORD_BASELINE` (e.g. `cargo build --release -p
//! concord-cli` in a checkout of main; a debug build is no baseline): it writes its own copy of
//! the same demo study in its own schema (`concord demo`, same seed and sizes) and runs the same
//! command on that copy, whose JSON must equal this build's number for number (the demo is
//! seeded) outside each judge's `replacement` and `verdict`: the replacement test's intervals
//! became a delete-one-cluster jackknife after the baseline (its bootstrap took two thirds of
//! the time), which moves their numbers and the verdict texts quoting them. Without a baseline
//! only this build is measured. Each figure is the median of 11 runs after one warm-up (this
//! build's and the baseline's in turn). The phases: open (`Study::open`), load
//! (`Study::study_ratings`), the statistics (`agreement_report` with the CLI's default options:
//! REML ICCs, 1,000 bootstrap resamples, …) and the JSON text.
//!
//! Run: `CONCORD_BASELINE=/path/to/old/concord cargo bench -p concord-cli --bench agreement`
//! (the studies take about a minute to build).

use std::path::Path;

use concord_core::demo::DemoOptions;
use concord_core::Study;
use concord_stats::report::{agreement_report, ReportOptions};

mod timing;
use timing::{demo_studies, median, ms, output, paired, run, RUNS};

fn main() {
    let this = env!("CARGO_BIN_EXE_concord");
    let baseline = std::env::var("CONCORD_BASELINE").ok();
    let dir = tempfile::tempdir().expect("temp dir");
    let (items, models, raters, judges) = (1000, 10, 3, 4);
    let opts = DemoOptions {
        items,
        models,
        raters,
        judges,
        ..DemoOptions::default()
    };
    let (file, old_file) = demo_studies(dir.path(), "agreement", &opts, baseline.as_deref());
    let (file, old_file) = (file.as_str(), old_file.as_str());
    let study = Study::open(Path::new(file)).expect("open");
    let n = study.info().expect("info").ratings;
    println!(
        "concord agreement bench: {n} ratings ({items} items × {models} models, {raters} humans, \
         {judges} judges, 7 attributes); median of {RUNS} runs; baseline {}",
        baseline.as_deref().unwrap_or("none (set CONCORD_BASELINE)")
    );
    let (whole, whole_old) = paired(
        RUNS,
        || run(this, &["agreement", file, "--json"]),
        baseline
            .as_ref()
            .map(|b| || run(b, &["agreement", old_file, "--json"])),
    );
    if let (Some(baseline), Some(whole_old)) = (&baseline, whole_old) {
        // The demo is seeded: both copies hold the same ratings, so the outputs must match.
        assert!(
            comparable(&output(this, &["agreement", file, "--json"], ""))
                == comparable(&output(baseline, &["agreement", old_file, "--json"], "")),
            "`concord agreement --json` differs from the baseline's"
        );
        println!(
            "  baseline  `concord agreement --json` (whole process) {:8.1} ms ({:.1}× this build)",
            ms(whole_old),
            whole_old.as_secs_f64() / whole.as_secs_f64()
        );
    }
    println!(
        "  this      `concord agreement --json` (whole process) {:8.1} ms; target ≤ 60 ms: {}",
        ms(whole),
        if ms(whole) <= 60.0 { "met" } else { "NOT met" }
    );
    let open = median(RUNS, || Study::open(Path::new(file)).expect("open"));
    let load = median(RUNS, || study.study_ratings().expect("load"));
    let data = study.study_ratings().expect("load");
    let opts = ReportOptions::default();
    let stats = median(RUNS, || agreement_report(&data, &opts));
    let report = agreement_report(&data, &opts);
    let json = median(RUNS, || {
        serde_json::to_string_pretty(&report).expect("json")
    });
    println!("  of which, in-process:");
    println!(
        "    open      Study::open                      {:8.1} ms",
        ms(open)
    );
    println!(
        "    load      Study::study_ratings             {:8.1} ms",
        ms(load)
    );
    println!(
        "    stats     agreement_report (defaults)      {:8.1} ms",
        ms(stats)
    );
    println!(
        "    JSON      serde_json::to_string_pretty     {:8.1} ms",
        ms(json)
    );
    println!(
        "    rest      process start, options, output   {:8.1} ms",
        ms(whole.saturating_sub(open + load + stats + json))
    );
}

/// The report's JSON without each judge's `replacement` and `verdict` (see the module notes).
fn comparable(json: &[u8]) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("replacement");
                map.remove("verdict");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::from_slice(json).expect("the report is JSON");
    strip(&mut v);
    v
}
