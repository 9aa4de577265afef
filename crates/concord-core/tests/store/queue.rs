//! The queue, each rater's order, assignment with overlap and the demo study.

use super::*;

#[test]
fn queue_reports_status_and_resumes_at_first_unfinished() {
    let (_d, path) = temp();
    let (study, rater, ids) = small_study(&path);
    let keys = attribute_keys(&study);
    for k in &keys {
        study.set_rating(&rater, &ids[0], k, Some(3)).unwrap();
    }
    study
        .set_rating(&rater, &ids[1], "safety", Some(3))
        .unwrap();
    let p = study.progress(&rater).unwrap();
    assert_eq!((p.total, p.done, p.partial, p.todo), (4, 1, 1, 2));
    assert_eq!(study.first_unfinished(&rater).unwrap(), Some(1));
    let page = study.queue(&rater, QueueFilter::All, 1, 2).unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(
        page.entries
            .iter()
            .map(|e| (e.position, e.status))
            .collect::<Vec<_>>(),
        [(1, ResponseStatus::Partial), (2, ResponseStatus::Todo)]
    );
    assert_eq!(
        study.queue(&rater, QueueFilter::Todo, 0, 10).unwrap().total,
        2
    );
}

#[test]
fn rater_order_is_a_stable_per_rater_shuffle() {
    let (_d, path) = temp();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 30,
            models: 2,
            raters: 2,
            judges: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let raters = study.raters().unwrap();
    let order = |s: &Study, r: &str| -> Vec<String> {
        s.queue(r, QueueFilter::All, 0, 100)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.response_id)
            .collect()
    };
    let a = order(&study, &raters[0].id);
    let b = order(&study, &raters[1].id);
    assert_eq!(a.len(), 60);
    assert_ne!(a, b, "two raters got the same order");
    let mut sorted = a.clone();
    sorted.sort();
    assert_ne!(a, sorted, "order is not shuffled");
    drop(study);
    assert_eq!(order(&Study::open(&path).unwrap(), &raters[0].id), a);
}

#[test]
fn overlap_assignment_gives_each_response_k_raters() {
    let (_d, path) = temp();
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 10,
            models: 3,
            raters: 0,
            judges: 0,
            ..Default::default()
        },
    )
    .unwrap();
    let ids: Vec<String> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| study.add_rater(n, RaterKind::Human, None).unwrap().id)
        .collect();
    let request = |overlap| AssignRequest {
        raters: ids.clone(),
        overlap: Some(overlap),
        ..AssignRequest::default()
    };
    let design = study.assign_design(&request(2)).unwrap();
    assert_eq!(design.added, 60);
    assert!(design.raters.iter().all(|r| r.added == 15), "{design:?}");
    assert!(study.assign_design(&request(5)).is_err());
}

#[test]
fn demo_is_deterministic_and_judges_are_inflated() {
    let dir = tempfile::tempdir().unwrap();
    let opts = DemoOptions {
        items: 20,
        ..Default::default()
    };
    let a = create_demo(&dir.path().join("a.concord"), &opts).unwrap();
    let b = create_demo(&dir.path().join("b.concord"), &opts).unwrap();
    let values = |s: &Study| {
        let set = s.annotations().unwrap();
        set.ratings
            .into_iter()
            .map(|r| {
                (
                    set.responses[r.response].response_id.clone(),
                    r.rater,
                    r.attribute,
                    r.value,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&a), values(&b));
    let mean = |s: &Study, kind: &str| {
        let v: Vec<f64> = s
            .annotations()
            .map(|set| {
                set.ratings
                    .into_iter()
                    .filter(|r| set.raters[r.rater].kind.as_str() == kind)
                    .collect::<Vec<_>>()
            })
            .unwrap()
            .into_iter()
            .map(|r| r.value as f64)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    assert!(
        mean(&a, "llm") - mean(&a, "human") > 0.2,
        "judges should be inflated"
    );
    let info = a.info().unwrap();
    assert_eq!(
        (
            info.items,
            info.responses,
            info.raters.human,
            info.raters.llm
        ),
        (20, 60, 3, 2)
    );
    assert_eq!(info.ratings, 60 * 7 * 5);
}
