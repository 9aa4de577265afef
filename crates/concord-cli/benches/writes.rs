//! The writes issue 13 asks to keep as fast as before, whole process, beside a baseline binary
//! measured in the same run: `concord import` of 100,000 responses into a new study, and
//! `concord rate` saving one value (a process per value) and 1,000 values (one process, each
//! value durable before its `ok`); and in this process the median durable `Study::set_rating`.
//!
//! The baseline is an earlier release binary named by `CONCORD_BASELINE` (it rates its own
//! copy of the study, made by `concord demo`: an older schema refuses this build's file); without it only this build is measured. Each figure is a
//! median after one warm-up, of this build's and the baseline's runs taken in turn: 5 imports,
//! each into a fresh study made by the same binary, and 11 runs of the rest. The rated study is `concord_core::demo` with 2,000 items × 5 models and one
//! clinician, nothing rated.
//!
//! Run: `CONCORD_BASELINE=/path/to/old/concord cargo bench -p concord-cli --bench writes`

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use concord_core::demo::DemoOptions;
use concord_core::Study;

mod timing;
use timing::{demo_studies, median, ms, output, paired, run, RUNS};

const IMPORTS: usize = 5;

/// 100,000 responses to 25,000 prompts from 4 models, as `concord import` reads them.
fn responses_csv(path: &Path) {
    let mut csv = String::from("item_id,prompt,response_id,model,response\n");
    for n in 0..100_000 {
        let item = n / 4;
        writeln!(
            csv,
            "p{item},\"Since the move I barely sleep ({item})\",r{n},m{},\"Try a fixed wake time; answer {n}.\"",
            n % 4
        )
        .expect("write to a string");
    }
    std::fs::write(path, csv).expect("write CSV");
}

/// `binary new` and `binary import` of `csv` into a fresh study (removed afterwards).
fn import(binary: &str, dir: &Path, csv: &str) {
    let study = dir.join("import.concord");
    let study = study.to_str().expect("utf-8 path");
    run(binary, &["new", study]);
    run(binary, &["import", study, csv]);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{study}{suffix}"));
    }
}

/// `concord rate`'s input: `n` values, each on its own line.
fn rate_lines(ids: &[String], keys: &[String], n: usize, value: usize) -> String {
    (0..n).fold(String::new(), |mut s, i| {
        let key = &keys[i % keys.len()];
        let id = &ids[i / keys.len() % ids.len()];
        writeln!(s, "{id} {key} {}", (i + value) % 5 + 1).expect("write to a string");
        s
    })
}

/// `binary rate` on `lines`, checking it confirmed every line.
fn rate(binary: &str, file: &str, lines: &str) {
    let out = output(binary, &["rate", file, "--rater", "Rater 1"], lines);
    let confirmed = String::from_utf8_lossy(&out).lines().count();
    assert_eq!(confirmed, lines.lines().count(), "{binary} rate");
}

fn row(name: &str, this: Duration, baseline: Option<Duration>, per: f64) {
    let old = baseline.map_or(String::new(), |b| {
        format!(
            "; baseline {:9.3} ms ({:.2}× this build)",
            ms(b) / per,
            b.as_secs_f64() / this.as_secs_f64()
        )
    });
    println!("  {name:<46} {:9.3} ms{old}", ms(this) / per);
}

fn main() {
    let this = env!("CARGO_BIN_EXE_concord");
    let baseline = std::env::var("CONCORD_BASELINE").ok();
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "concord writes bench: median of {IMPORTS} imports, of {RUNS} runs otherwise; baseline {}",
        baseline.as_deref().unwrap_or("none (set CONCORD_BASELINE)")
    );
    let csv = dir.path().join("responses.csv");
    responses_csv(&csv);
    let csv = csv.to_str().expect("utf-8 path");
    let (mine, old) = paired(
        IMPORTS,
        || import(this, dir.path(), csv),
        baseline.as_ref().map(|b| || import(b, dir.path(), csv)),
    );
    row("`concord new` + `import` 100k responses", mine, old, 1.0);

    let opts = DemoOptions {
        items: 2_000,
        models: 5,
        raters: 1,
        judges: 0,
        coverage: 0.0,
        ..DemoOptions::default()
    };
    // The baseline rates its own copy: an older schema refuses this build's file.
    let (file, old_file) = demo_studies(dir.path(), "rate", &opts, baseline.as_deref());
    let (file, old_file) = (file.as_str(), old_file.as_str());
    let study = Study::open(Path::new(file)).expect("open");
    let rater = study.find_rater("Rater 1").expect("find").expect("rater");
    let ids: Vec<String> = study.response_ids().expect("ids").into_keys().collect();
    let keys: Vec<String> = study
        .rubric()
        .expect("rubric")
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    let one = rate_lines(&ids, &keys, 1, 0);
    let thousand = rate_lines(&ids, &keys, 1_000, 1);
    let whole = |lines: &str| {
        paired(
            RUNS,
            || rate(this, file, lines),
            baseline.as_ref().map(|b| || rate(b, old_file, lines)),
        )
    };
    let (mine, old) = whole(&one);
    row("`concord rate`, one value (process)", mine, old, 1.0);
    let (mine, old) = whole(&thousand);
    row(
        "`concord rate`, 1,000 values: per value",
        mine,
        old,
        1_000.0,
    );

    let gids = study.response_ids().expect("ids");
    let mut n = 0;
    let save = median(10_000, || {
        n += 1;
        let id = &gids[&ids[n / keys.len() % ids.len()]];
        study
            .set_rating(
                &rater.id,
                id,
                &keys[n % keys.len()],
                Some((n % 5 + 1) as i64),
            )
            .expect("save")
    });
    println!(
        "  in-process Study::set_rating, durable (10k calls): median {:.3} ms",
        ms(save)
    );
}
