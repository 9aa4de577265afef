//! Assignment designs written to a study: all pairs overlap, top-ups after an import, a retired
//! rater's unrated responses handed over, strata by model, the overlap target stored.

use concord_core::assignment::{AssignRequest, Strata};
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::design::DesignKind;
use concord_core::import::ResponseRow;
use concord_core::{QueueFilter, RaterKind, Study};

fn study(items: usize, models: usize, raters: usize) -> (tempfile::TempDir, Study, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        items,
        models,
        raters: 0,
        judges: 1,
        ..DemoOptions::default()
    };
    let study = create_demo(&dir.path().join("s.concord"), &options).unwrap();
    let ids = (0..raters)
        .map(|i| {
            study
                .add_rater(&format!("Rater {i}"), RaterKind::Human, None)
                .unwrap()
                .id
        })
        .collect();
    (dir, study, ids)
}

fn request(ids: &[String], overlap: usize) -> AssignRequest {
    AssignRequest {
        raters: ids.to_vec(),
        overlap: Some(overlap),
        ..AssignRequest::default()
    }
}

/// Human raters per response, over the study.
fn raters_per_response(study: &Study, ids: &[String]) -> Vec<usize> {
    let mut count = std::collections::HashMap::<String, usize>::new();
    for id in ids {
        let page = study
            .queue(id, QueueFilter::All, 0, usize::MAX >> 2)
            .unwrap();
        assert_eq!(page.entries.len(), page.total);
        for (i, e) in page.entries.iter().enumerate() {
            assert_eq!(e.position, i, "queue positions stay 0..n");
            *count.entry(e.response_id.clone()).or_default() += 1;
        }
    }
    let mut v: Vec<usize> = study
        .response_ids()
        .unwrap()
        .values()
        .map(|id| count.get(id).copied().unwrap_or(0))
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn six_raters_in_pairs_share_every_pair() {
    let (_d, study, ids) = study(20, 3, 6);
    let design = study.assign_design(&request(&ids, 2)).unwrap();
    assert_eq!(design.kind, DesignKind::Bibd, "{}", design.construction);
    assert_eq!(design.responses, 60);
    assert!(design.raters.iter().all(|r| r.load == 20 && r.added == 20));
    for a in 0..6 {
        for b in 0..6 {
            let want = if a == b { 20 } else { 4 };
            assert_eq!(
                design.overlap_matrix[a][b], want,
                "{:?}",
                design.overlap_matrix
            );
        }
    }
    assert_eq!(raters_per_response(&study, &ids), vec![2; 60]);
    assert_eq!(
        study.current_design().unwrap().overlap_matrix,
        design.overlap_matrix
    );
    // The old dealing gave {1,2}, {3,4}, {5,6} only; here every one of the 15 pairs is there.
    assert_eq!(study.settings().unwrap().overlap_target, 2);
}

#[test]
fn rerun_after_an_import_tops_up_the_new_responses_only() {
    let (_d, study, ids) = study(10, 2, 5);
    let first = study.assign_design(&request(&ids, 3)).unwrap();
    assert_eq!(first.added, 60);
    let again = study.assign_design(&request(&ids, 3)).unwrap();
    assert_eq!((again.kind, again.added), (DesignKind::Unchanged, 0));
    let rows: Vec<ResponseRow> = (0..7)
        .map(|i| ResponseRow {
            row: i + 2,
            item_id: format!("new-item-{i}"),
            prompt: "A new prompt".into(),
            response_id: format!("new-{i}"),
            model: "model-a".into(),
            response: "A new response".into(),
        })
        .collect();
    study.import_responses(&rows).unwrap();
    // The stored target is the default overlap now.
    let top = study
        .assign_design(&AssignRequest {
            raters: ids.clone(),
            ..AssignRequest::default()
        })
        .unwrap();
    assert_eq!((top.overlap, top.added), (3, 21));
    assert_eq!(raters_per_response(&study, &ids), vec![3; 27]);
    let loads: Vec<usize> = top.raters.iter().map(|r| r.load).collect();
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
}

#[test]
fn retiring_a_rater_hands_their_unrated_responses_to_the_others() {
    let (_d, study, ids) = study(12, 2, 4);
    study.assign_design(&request(&ids, 2)).unwrap();
    let leaving = &ids[3];
    let page = study.queue(leaving, QueueFilter::All, 0, 100).unwrap();
    let rated = &page.entries[2].response_id;
    study.set_rating(leaving, rated, "safety", Some(4)).unwrap();
    let noted = &page.entries[5].response_id;
    study.set_note(leaving, noted, "unsure", &[]).unwrap();
    let retire = AssignRequest {
        retire: Some(leaving.clone()),
        ..AssignRequest::default()
    };
    let design = study.assign_design(&retire).unwrap();
    assert_eq!(design.moved, page.total - 2);
    assert_eq!(design.added, page.total - 2);
    assert_eq!(
        design.raters.len(),
        3,
        "the retired rater is out of the design"
    );
    // They keep what they touched, at positions 0 and 1.
    let kept = study.queue(leaving, QueueFilter::All, 0, 100).unwrap();
    let kept_ids: Vec<&str> = kept
        .entries
        .iter()
        .map(|e| e.response_id.as_str())
        .collect();
    assert_eq!(kept_ids, vec![rated.as_str(), noted.as_str()]);
    assert_eq!(raters_per_response(&study, &ids), vec![2; 24]);
    let loads: Vec<usize> = design.raters.iter().map(|r| r.load).collect();
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
    // Naming the retired rater among the raters is refused, and nothing changes.
    let both = AssignRequest {
        retire: Some(leaving.clone()),
        ..request(&ids, 2)
    };
    assert!(study
        .assign_design(&both)
        .unwrap_err()
        .to_string()
        .contains("being retired"));
}

#[test]
fn strata_by_model_give_each_rater_an_even_share_of_every_model() {
    let (_d, study, ids) = study(25, 3, 4);
    let request = AssignRequest {
        strata: Strata::Model,
        ..request(&ids, 2)
    };
    let design = study.assign_design(&request).unwrap();
    assert_eq!(design.added, 150);
    // A blind queue names no external id: map its global ids back (external id → gid).
    let external: std::collections::HashMap<String, String> = study
        .response_ids()
        .unwrap()
        .into_iter()
        .map(|(ext, gid)| (gid, ext))
        .collect();
    for id in &ids {
        let page = study.queue(id, QueueFilter::All, 0, 1000).unwrap();
        let mut per_model = std::collections::BTreeMap::<String, usize>::new();
        for e in &page.entries {
            let model = external[&e.response_id]
                .rsplit('-')
                .next()
                .unwrap()
                .to_string();
            *per_model.entry(model).or_default() += 1;
        }
        let shares: Vec<usize> = per_model.values().copied().collect();
        assert_eq!(shares.len(), 3);
        assert!(shares.iter().all(|&s| s == 12 || s == 13), "{shares:?}");
    }
}

#[test]
fn judges_and_unknown_raters_are_refused() {
    let (_d, study, ids) = study(3, 2, 2);
    let judge = study
        .raters()
        .unwrap()
        .into_iter()
        .find(|r| r.kind == RaterKind::Llm)
        .unwrap();
    let err = study
        .assign_design(&request(&[ids[0].clone(), judge.id], 1))
        .unwrap_err();
    assert!(err.to_string().contains("LLM judge"), "{err}");
    assert!(study.assign_design(&request(&ids, 3)).is_err());
    assert!(study.current_design().unwrap().raters.is_empty());
}
