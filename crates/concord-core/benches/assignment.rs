//! Assigning 100,000 responses to 20 raters, 2 per response: the design (`assign_design`) beside
//! the round-robin dealing it replaced (0.1's `assign_with_overlap`, kept here only as the
//! baseline), both writing to a fresh copy of the same study in the same run. Also prints what
//! each produced: pairs of raters that share responses (of 190) and the spread of pair counts.
//!
//! Study: `concord_core::demo` with 25,000 items × 4 models, no ratings.
//!
//! Run: `cargo bench -p concord-core --bench assignment`

use std::path::Path;
use std::time::{Duration, Instant};

use concord_core::assignment::AssignRequest;
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Study};
use rand::seq::SliceRandom;
use rand::SeedableRng;

const RATERS: usize = 20;
const OVERLAP: usize = 2;

/// 0.1's dealing: a seeded shuffle, then response k to raters (k·K + j) mod n, one
/// transaction per rater.
fn deal_round_robin(study: &Study, rater_ids: &[String], overlap: usize) {
    let mut ids: Vec<String> = study.response_ids().unwrap().into_values().collect();
    ids.sort();
    ids.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(
        study.settings().unwrap().shuffle_seed,
    ));
    let mut shares = vec![Vec::new(); rater_ids.len()];
    for (k, id) in ids.into_iter().enumerate() {
        for j in 0..overlap {
            shares[(k * overlap + j) % rater_ids.len()].push(id.clone());
        }
    }
    for (rater, share) in rater_ids.iter().zip(&shares) {
        study.assign(rater, share).unwrap();
    }
}

/// Opens a fresh copy of the template study and returns it with its raters' ids.
fn fresh(template: &Path, dir: &Path, name: &str) -> (Study, Vec<String>) {
    let path = dir.join(name);
    std::fs::copy(template, &path).unwrap();
    let study = Study::open(&path).unwrap();
    let ids = study.raters().unwrap().into_iter().map(|r| r.id).collect();
    (study, ids)
}

/// (pairs that share at least one response, smallest and largest pair count).
fn pair_summary(study: &Study) -> (usize, usize, usize) {
    let m = study.current_design().unwrap().overlap_matrix;
    let cells: Vec<usize> = (0..m.len())
        .flat_map(|a| (a + 1..m.len()).map(move |b| (a, b)))
        .map(|(a, b)| m[a][b])
        .collect();
    (
        cells.iter().filter(|&&c| c > 0).count(),
        *cells.iter().min().unwrap(),
        *cells.iter().max().unwrap(),
    )
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.concord");
    let study = create_demo(
        &template,
        &DemoOptions {
            items: 25_000,
            models: 4,
            raters: 0,
            judges: 0,
            coverage: 0.0,
            ..DemoOptions::default()
        },
    )
    .unwrap();
    for i in 0..RATERS {
        study
            .add_rater(&format!("Clinician {:02}", i + 1), RaterKind::Human, None)
            .unwrap();
    }
    study.close().unwrap();
    println!(
        "concord-core assignment bench: 100,000 responses, {RATERS} raters, overlap {OVERLAP}"
    );

    let runs = 3;
    let (mut old_times, mut new_times) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let (study, ids) = fresh(&template, dir.path(), &format!("old{run}.concord"));
        let start = Instant::now();
        deal_round_robin(&study, &ids, OVERLAP);
        old_times.push(start.elapsed());
        if run == 0 {
            let (connected, lo, hi) = pair_summary(&study);
            println!("  round-robin dealing: {connected} of 190 pairs share responses, pair counts {lo}..{hi}");
        }
        drop(study);

        let (study, ids) = fresh(&template, dir.path(), &format!("new{run}.concord"));
        let start = Instant::now();
        let design = study
            .assign_design(&AssignRequest {
                raters: ids,
                overlap: Some(OVERLAP),
                ..AssignRequest::default()
            })
            .unwrap();
        new_times.push(start.elapsed());
        assert_eq!(design.added, 100_000 * OVERLAP);
        if run == 0 {
            let (connected, lo, hi) = pair_summary(&study);
            println!("  design ({:?}: {}): {connected} of 190 pairs share responses, pair counts {lo}..{hi}", design.kind, design.construction);
        }
    }
    let median = |t: &mut Vec<Duration>| {
        t.sort();
        t[t.len() / 2].as_secs_f64()
    };
    let (old, new) = (median(&mut old_times), median(&mut new_times));
    println!("  round-robin dealing (baseline): {old:.2} s (median of {runs})");
    println!("  design:                         {new:.2} s (median of {runs})");
    println!("  ratio design / baseline: {:.2}×", new / old);
}
