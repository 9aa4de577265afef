//! The package round trip at study scale: returning a 5k-rating package, and merging 20 of them
//! (target: < 2 s for all 20), beside the baseline of copying the same files (the I/O any
//! round trip must do), measured in the same run.
//!
//! Study: `concord_core::demo` with 715 items × 10 models = 7,150 responses, 20 raters each
//! assigned 715 responses (every response to 2 raters); each rater rates all 7 attributes of
//! their responses in their package (5,005 ratings per package, 100,100 in all).
//!
//! Run: `cargo bench -p concord-core --bench packages`

use std::time::{Duration, Instant};

use concord_core::assignment::AssignRequest;
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::{RatingRow, Score};
use concord_core::merge::MergeOptions;
use concord_core::{RaterKind, Study};

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let master_path = dir.path().join("master.concord");
    let master = create_demo(
        &master_path,
        &DemoOptions {
            items: 715,
            models: 10,
            raters: 0,
            judges: 0,
            coverage: 0.0,
            ..DemoOptions::default()
        },
    )
    .unwrap();
    let raters: Vec<_> = (0..20)
        .map(|i| {
            master
                .add_rater(&format!("Clinician {:02}", i + 1), RaterKind::Human, None)
                .unwrap()
        })
        .collect();
    let ids: Vec<String> = raters.iter().map(|r| r.id.clone()).collect();
    master
        .assign_design(&AssignRequest {
            raters: ids,
            overlap: Some(2),
            ..AssignRequest::default()
        })
        .unwrap();
    let keys: Vec<String> = master
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();

    let mut returned = Vec::new();
    let mut return_times = Vec::new();
    let mut copy_times = Vec::new();
    let mut ratings = 0;
    for (i, rater) in raters.iter().enumerate() {
        let pkg = dir.path().join(format!("p{i:02}.concord"));
        master.export_package(&rater.id, &pkg).unwrap();
        let study = Study::open(&pkg).unwrap();
        let total = study.progress(&rater.id).unwrap().total;
        // A blind study's rating view shows no external id: look the package's ids up.
        let external: std::collections::HashMap<String, String> = study
            .response_ids()
            .unwrap()
            .into_iter()
            .map(|(e, g)| (g, e))
            .collect();
        let rows: Vec<RatingRow> = (0..total)
            .map(|p| {
                let v = study.rating_view(&rater.id, p).unwrap();
                RatingRow {
                    row: p + 2,
                    response_id: external[&v.response_id].clone(),
                    rater: rater.name.clone(),
                    scores: keys
                        .iter()
                        .enumerate()
                        .map(|(k, key)| Score {
                            attribute_field: key.clone(),
                            value_field: key.clone(),
                            attribute: key.clone(),
                            value: ((p + k + i) % 5 + 1) as i64,
                        })
                        .collect(),
                    rationale: None,
                }
            })
            .collect();
        ratings += study
            .import_ratings(&rows, RaterKind::Human)
            .unwrap()
            .ratings_added;
        let back = dir.path().join(format!("p{i:02}-returned.concord"));
        let t = Instant::now();
        study.return_package(&back).unwrap();
        return_times.push(t.elapsed());
        let t = Instant::now();
        std::fs::copy(&back, dir.path().join(format!("copy{i:02}.concord"))).unwrap();
        copy_times.push(t.elapsed());
        returned.push(back);
    }
    return_times.sort();
    copy_times.sort();
    let size = std::fs::metadata(&returned[0]).unwrap().len();
    println!(
        "concord-core packages bench: 20 packages, {} ratings in all ({} per package), {:.1} MB each",
        ratings,
        ratings / 20,
        size as f64 / 1e6
    );
    println!(
        "return one package (VACUUM INTO + manifest hash): median {:.1} ms; baseline: copying the returned file {:.1} ms",
        secs(return_times[10]) * 1e3,
        secs(copy_times[10]) * 1e3
    );
    let t = Instant::now();
    let mut added = 0;
    for back in &returned {
        added += master
            .merge(back, &MergeOptions::default())
            .unwrap()
            .events_added;
    }
    let merge = t.elapsed();
    assert_eq!(added, ratings);
    let copies: Duration = copy_times.iter().sum();
    println!(
        "merge all 20 (validate + union + receipt): {:.2} s ({:.0} ms per package; {:.1}× the copying baseline); target < 2 s: {}",
        secs(merge),
        secs(merge) * 1e3 / 20.0,
        secs(merge) / secs(copies),
        if secs(merge) < 2.0 { "met" } else { "NOT met" }
    );
    assert!(master.check().unwrap().is_empty());
}
