//! Opening an encrypted study against the same study in plain, measured in the same run: a
//! 100,000-response study (10,000 items × 10 models, one clinician who rated 10% and one judge
//! who rated everything), opened as the app does (open, the start screen's summary, the rater's
//! progress and first unfinished response) and opened for the dashboard (open and load every
//! rating). Medians of 7 runs.
//!
//! Run: `cargo bench -p concord-core --bench cipher`

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use concord_core::cipher::{self, Passphrase};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Study};

const RUNS: usize = 7;

fn median(mut f: impl FnMut()) -> Duration {
    f();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

/// What the app does on open (`open_into`, then `choose_into` and the first rating screen): the
/// study; the start screen's summary (name, settings, raters, rubric, package manifest); the
/// rater's progress and first unfinished response.
fn open_for_rating(path: &Path, key: Option<&Passphrase>, rater: &str) {
    let study = Study::open_with(path, key).unwrap();
    black_box((study.name().unwrap(), study.settings().unwrap()));
    black_box((study.raters().unwrap(), study.rubric().unwrap()));
    black_box(study.manifest().unwrap());
    black_box(study.progress(rater).unwrap());
    let position = study.first_unfinished(rater).unwrap().unwrap_or(0);
    black_box(study.rating_view(rater, position).unwrap());
}

fn open_and_load(path: &Path, key: Option<&Passphrase>) {
    let study = Study::open_with(path, key).unwrap();
    black_box(study.study_ratings().unwrap());
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.concord");
    let study = create_demo(
        &plain,
        &DemoOptions {
            items: 10_000,
            models: 10,
            raters: 1,
            judges: 1,
            coverage: 0.1,
            ..DemoOptions::default()
        },
    )
    .unwrap();
    let info = study.info().unwrap();
    let rater = study
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == RaterKind::Human)
        .unwrap()
        .id;
    study.close().unwrap();
    let encrypted = dir.path().join("encrypted.concord");
    std::fs::copy(&plain, &encrypted).unwrap();
    let key = Passphrase::new("a long passphrase for the bench").unwrap();
    let t = Instant::now();
    cipher::rekey(&encrypted, None, Some(&key)).unwrap();
    println!(
        "concord-core cipher bench: {} responses, {} ratings; encrypting the study took {:.2} s",
        info.responses,
        info.ratings,
        t.elapsed().as_secs_f64()
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let report = |what: &str, plain: Duration, encrypted: Duration| {
        let ratio = encrypted.as_secs_f64() / plain.as_secs_f64();
        println!(
            "{what}: encrypted {:.1} ms vs plain {:.1} ms ({ratio:.2}×; target ≤ 1.5×: {})",
            ms(encrypted),
            ms(plain),
            if ratio <= 1.5 { "met" } else { "NOT met" }
        );
    };
    let p = median(|| open_for_rating(&plain, None, &rater));
    let e = median(|| open_for_rating(&encrypted, Some(&key), &rater));
    report(
        "open for rating (study, start screen, first unfinished response)",
        p,
        e,
    );
    // The first open in a process derives the key (PBKDF2-HMAC-SHA512, 256,000 iterations).
    let cold = median(|| {
        cipher::forget_derived_keys();
        open_for_rating(&encrypted, Some(&key), &rater)
    });
    report("first open for rating in a process (key derived)", p, cold);
    let p = median(|| open_and_load(&plain, None));
    let e = median(|| open_and_load(&encrypted, Some(&key)));
    report("open and load every rating (the dashboard)", p, e);
}
