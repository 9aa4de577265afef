//! `concord estimate` and `concord next` on a 70k-response study, whole process, beside a
//! baseline binary run in the same run on the same file, with the estimate's phases timed
//! in-process.
//!
//! The study is `concord_core::demo` with 7,778 items × 9 models = 70,002 responses, 4 LLM
//! judges scoring every response on the 7 MentalBench attributes, and 3 humans each rating a
//! response with probability 0.035 (~10% of responses get a human score). Each figure is the
//! median of 11 runs after one warm-up. The baseline is an earlier release binary named by
//! `CONCORD_BASELINE`: it writes its own copy of the same study (`concord demo`, the same seed;
//! an older schema refuses this build's file), runs `info`, `estimate --json` and `next --json`
//! on it, and its JSON must equal this build's byte for byte. Without it `concord info` of this build is the only reference. The phases
//! are timed in this process: load (`Study::open` + the loader: every rating as a list, or
//! what `estimate` / `next` read as dense arrays, `Study::scoring_scores`), grouping
//! (`ScoreGroups::from_scores`) and the statistics alone (`ppi::estimate_models`).
//!
//! Run: `CONCORD_BASELINE=/path/to/old/concord cargo bench -p concord-cli --bench estimate`
//! (the study takes about a minute to build).

use std::path::Path;
use std::time::{Duration, Instant};

use concord_core::demo::DemoOptions;
use concord_core::Study;
use concord_report::estimates::ScoreGroups;
use concord_stats::ppi::estimate_models;

mod timing;
use timing::{demo_studies, median, ms, output, paired, run, RUNS};

const ESTIMATE: [&str; 4] = ["estimate", "--judge", "Judge A", "--json"];
const NEXT: [&str; 4] = ["next", "--count", "1000", "--json"];

/// `command` with the study file inserted after the command name.
fn args<'a>(command: &[&'a str], file: &'a str) -> Vec<&'a str> {
    let mut out = vec![command[0], file];
    out.extend(&command[1..]);
    out
}

/// One whole-process row: this build's median, the baseline's beside it, the target.
fn row(name: &str, this: Duration, baseline: Option<Duration>, target_ms: Option<f64>) {
    let old = baseline.map_or(String::new(), |b| {
        format!(
            "; baseline {:8.2} ms ({:.1}× this build)",
            ms(b),
            b.as_secs_f64() / this.as_secs_f64()
        )
    });
    let target = target_ms.map_or(String::new(), |t| {
        let met = if ms(this) < t { "met" } else { "NOT met" };
        format!("; target < {t} ms: {met}")
    });
    println!("  whole     {name:<42} {:8.2} ms{old}{target}", ms(this));
}

fn main() {
    let this = env!("CARGO_BIN_EXE_concord");
    let baseline = std::env::var("CONCORD_BASELINE").ok();
    let dir = tempfile::tempdir().expect("temp dir");
    let made = Instant::now();
    let opts = DemoOptions {
        items: 7_778,
        models: 9,
        raters: 3,
        judges: 4,
        coverage: 0.035,
        ..DemoOptions::default()
    };
    let (file, old_file) = demo_studies(dir.path(), "bench70k", &opts, baseline.as_deref());
    let (file, old_file) = (file.as_str(), old_file.as_str());
    let study = Study::open(Path::new(file)).expect("open");
    let info = study.info().expect("info");
    let data = study.scoring_scores(Some("Judge A"), false).expect("load");
    // The grouping takes the load over (it regroups the judge's scores in place): each run
    // gets its own copy, made before the clock starts.
    let grouped = |data| ScoreGroups::from_scores(data, "Judge A", &[], &[]).expect("groups");
    let mut copies = vec![data.clone(); RUNS + 1];
    let groups = grouped(data);
    let labelled: usize = groups.model_scores().iter().map(|m| m.y.len()).sum();
    println!(
        "concord estimate bench: {} responses, {} models, 7 attributes, {} judges, {} humans; \
         {} ratings; {:.1}% of response × attribute cells human-rated (study built in {:.1} s); \
         median of {RUNS} runs; baseline {}",
        info.responses,
        groups.models.len(),
        info.raters.llm,
        info.raters.human,
        info.ratings,
        100.0 * labelled as f64 / (7.0 * info.responses as f64),
        made.elapsed().as_secs_f64(),
        baseline.as_deref().unwrap_or("none (set CONCORD_BASELINE)")
    );
    if let Some(baseline) = &baseline {
        for command in [&ESTIMATE, &NEXT] {
            assert!(
                output(this, &args(command, file), "")
                    == output(baseline, &args(command, old_file), ""),
                "`concord {}` differs from the baseline's",
                command.join(" ")
            );
        }
        println!("  `concord estimate --json` and `next --json`: byte-identical to the baseline's");
    }
    let whole_process = |command: &[&str]| {
        let (argv, argv_old) = (args(command, file), args(command, old_file));
        paired(
            RUNS,
            || run(this, &argv),
            baseline.as_ref().map(|b| || run(b, &argv_old)),
        )
    };
    let (info_run, info_old) = whole_process(&["info"]);
    row("`concord info`", info_run, info_old, None);
    let (estimate, estimate_old) = whole_process(&ESTIMATE);
    row(
        "`concord estimate --json`",
        estimate,
        estimate_old,
        Some(50.0),
    );
    let (text, text_old) = whole_process(&ESTIMATE[..3]);
    row("`concord estimate` (text)", text, text_old, Some(50.0));
    let (next, next_old) = whole_process(&NEXT);
    row(
        "`concord next --count 1000 --json`",
        next,
        next_old,
        Some(200.0),
    );

    let open = |load: &dyn Fn(&Study)| {
        median(RUNS, || {
            let study = Study::open(Path::new(file)).expect("open");
            load(&study);
        })
    };
    let all = open(&|s| drop(s.study_ratings().expect("load")));
    let judge = open(&|s| drop(s.scoring_scores(Some("Judge A"), false).expect("load")));
    let judges = open(&|s| drop(s.scoring_scores(None, true).expect("load")));
    let group = median(RUNS, || grouped(copies.pop().expect("a copy per run")));
    let stats = median(RUNS, || {
        estimate_models("Judge A", &groups.model_scores(), 0.05)
    });
    let json = median(RUNS, || {
        serde_json::to_string_pretty(&estimate_models("Judge A", &groups.model_scores(), 0.05))
            .expect("json")
    });
    println!("  of which, in-process:");
    for (name, d) in [
        ("load      Study::open + study_ratings (all)", all),
        ("load      + scoring_scores(Judge A): estimate", judge),
        ("load      + scoring_scores(None): next", judges),
        ("grouping  ScoreGroups::from_scores (63 groups)", group),
        ("stats     ppi::estimate_models alone", stats),
        ("stats + JSON text", json),
    ] {
        println!("    {name:<48} {:8.2} ms", ms(d));
    }
}
