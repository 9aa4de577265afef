//! What reading a rater's progress after each saved value costs on the largest queue the app is
//! tested with (100,000 responses), measured in the same run: `set_rating` alone (the baseline);
//! `set_rating` followed by `progress`, as the app's `set_rating` command does (the count kept by
//! the connection's own saves); and `progress` after another connection committed (a recount).
//!
//! Study: `concord_core::demo` with 10,000 items × 10 models, one rater assigned every response,
//! 500 responses already fully rated (7 attributes each).
//!
//! Run: `cargo bench -p concord-core --bench save_progress`

use std::time::{Duration, Instant};

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Study};

fn median_ms(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.concord");
    let opts = DemoOptions {
        items: 10_000,
        models: 10,
        raters: 0,
        judges: 0,
        coverage: 0.0,
        ..DemoOptions::default()
    };
    drop(create_demo(&path, &opts).unwrap());
    let study = Study::open(&path).unwrap();
    let rater = study
        .add_rater("Clinician", RaterKind::Human, None)
        .unwrap();
    study.assign_all(&rater.id).unwrap();
    let keys: Vec<String> = study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    let ids: Vec<String> = (0..700)
        .map(|p| study.rating_view(&rater.id, p).unwrap().response_id)
        .collect();
    for id in &ids[..500] {
        for key in &keys {
            study.set_rating(&rater.id, id, key, Some(3)).unwrap();
        }
    }
    assert_eq!(study.progress(&rater.id).unwrap().total, 100_000);

    let other = Study::open(&path).unwrap();
    let rounds = 200;
    let (mut alone, mut with_progress, mut recount) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        let id = &ids[500 + i % 200];
        let key = &keys[i % keys.len()];
        let started = Instant::now();
        study.set_rating(&rater.id, id, key, Some(4)).unwrap();
        alone.push(started.elapsed());
        let started = Instant::now();
        study.set_rating(&rater.id, id, key, Some(2)).unwrap();
        let p = study.progress(&rater.id).unwrap();
        with_progress.push(started.elapsed());
        assert!(p.done >= 500);
        other.set_rating(&rater.id, id, key, Some(3)).unwrap();
        let started = Instant::now();
        let q = study.progress(&rater.id).unwrap();
        recount.push(started.elapsed());
        assert_eq!(q, other.progress(&rater.id).unwrap());
    }
    let (a, b, c) = (
        median_ms(alone),
        median_ms(with_progress),
        median_ms(recount),
    );
    println!("100k queue, {rounds} rounds, median:");
    println!("  set_rating alone:                    {a:.3} ms");
    println!(
        "  set_rating + progress (kept):        {b:.3} ms ({:.2}× the baseline)",
        b / a
    );
    println!(
        "  progress after another writer (recount): {c:.3} ms ({:.2}× the baseline)",
        c / a
    );
}
