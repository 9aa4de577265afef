//! `concord agreement --json` on a 490k-rating study, whole process, beside a baseline binary run
//! in the same run on the same study, with this build's phases timed in-process.
//!
//! The study is `concord_core::demo` with 1,000 items × 10 models = 10,000 responses rated on the
//! 7 MentalBench attributes by 3 clinicians and 4 judges (490,000 ratings). The baseline is an
//! earlier release binary named by `CONCORD_BASELINE` (e.g. `cargo build --release -p
//! concord-cli` in a checkout of main; a debug build is no baseline): it writes its own copy of
//! the same demo study in its own schema (`concord demo`, same seed and sizes) and runs the same
//! command on that copy, whose estimates must equal this build's (the demo is seeded): every
//! `value` in the JSON, in the same place, to 1e-12 (the replacement test now sums per response
//! where it summed per pattern). Intervals may differ: alpha's and the replacement test's became
//! delete-one-cluster jackknife intervals after the baseline. Without a baseline
//! only this build is measured. Each figure is the median of 11 runs after one warm-up: this
//! build alone first, then this build's and the baseline's in turn. Run in turn with the
//! baseline (a second on both cores each time), this build is slower by a fifth or more on the
//! 2-core VM, though a pause after each baseline run does not help: both figures are printed,
//! and the phases are timed right after the runs alone. The phases, as the command runs them: open
//! (`Study::open`), load (`Study::study_sheets`), the statistics (`agreement_report_on_cells`
//! with the CLI's default options: REML ICCs, 1,000 bootstrap resamples, …; timed with a load,
//! which takes the cells, less the load alone) and the JSON text.
//!
//! Run: `CONCORD_BASELINE=/path/to/old/concord cargo bench -p concord-cli --bench agreement`
//! (the studies take about a minute to build).

use std::path::Path;

use concord_core::demo::DemoOptions;
use concord_core::Study;
use concord_stats::report::{agreement_report_on_cells, ReportOptions};

mod timing;
use timing::{demo_studies, median, ms, output, paired, run, RUNS};

/// The binary's allocator, so that the in-process phases are timed as the command runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let whole_command = || run(this, &["agreement", file, "--json"]);
    let alone = median(RUNS, whole_command);
    let open = median(RUNS, || Study::open(Path::new(file)).expect("open"));
    let load = median(RUNS, || study.study_sheets().expect("load"));
    let opts = ReportOptions::default();
    let analysed = || {
        let sheets = study.study_sheets().expect("load");
        agreement_report_on_cells(&sheets.study, sheets.cells, &opts)
    };
    let stats = median(RUNS, analysed).saturating_sub(load);
    let report = analysed();
    let json = median(RUNS, || {
        serde_json::to_string_pretty(&report).expect("json")
    });
    let (whole, whole_old) = paired(
        RUNS,
        whole_command,
        baseline
            .as_ref()
            .map(|b| || run(b, &["agreement", old_file, "--json"])),
    );
    if let (Some(baseline), Some(whole_old)) = (&baseline, whole_old) {
        // The demo is seeded: both copies hold the same ratings, so the estimates must match.
        let (new, old) = (
            estimates(&output(this, &["agreement", file, "--json"], "")),
            estimates(&output(baseline, &["agreement", old_file, "--json"], "")),
        );
        assert_eq!(new.len(), old.len(), "a different set of estimates");
        for ((path, a), (old_path, b)) in new.iter().zip(&old) {
            assert_eq!(path, old_path);
            assert!(
                (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                "{path}: {a} here, {b} in the baseline"
            );
        }
        println!(
            "  baseline  `concord agreement --json` (whole process) {:8.1} ms ({:.1}× this build)",
            ms(whole_old),
            whole_old.as_secs_f64() / whole.as_secs_f64()
        );
    }
    let verdict = |d| if ms(d) <= 60.0 { "met" } else { "NOT met" };
    println!(
        "  this      `concord agreement --json` (whole process) {:8.1} ms; target ≤ 60 ms: {}",
        ms(whole),
        verdict(whole)
    );
    println!(
        "  this, alone (no baseline run in turn)              {:8.1} ms; target ≤ 60 ms: {}",
        ms(alone),
        verdict(alone)
    );
    println!("  of which, in-process (after the runs alone):");
    println!(
        "    open      Study::open                      {:8.1} ms",
        ms(open)
    );
    println!(
        "    load      Study::study_sheets              {:8.1} ms",
        ms(load)
    );
    println!(
        "    stats     agreement_report_on_cells        {:8.1} ms",
        ms(stats)
    );
    println!(
        "    JSON      serde_json::to_string_pretty     {:8.1} ms",
        ms(json)
    );
    println!(
        "    rest      process start, options, output   {:8.1} ms",
        ms(alone.saturating_sub(open + load + stats + json))
    );
}

/// Every estimate's `value` in the report's JSON, with its path, in document order.
fn estimates(json: &[u8]) -> Vec<(String, f64)> {
    fn walk(v: &serde_json::Value, path: &str, out: &mut Vec<(String, f64)>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map {
                    match (k.as_str(), x.as_f64()) {
                        ("value", Some(f)) => out.push((path.to_string(), f)),
                        _ => walk(x, &format!("{path}.{k}"), out),
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    walk(x, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let v: serde_json::Value = serde_json::from_slice(json).expect("the report is JSON");
    walk(&v, "", &mut out);
    out
}
