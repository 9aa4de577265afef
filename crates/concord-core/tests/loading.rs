//! The one-pass loader and its watermark refresh: after any mix of saves, clears, imports and
//! new raters, a refreshed matrix equals a fresh load.

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Refresh};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Set(usize, usize, Option<i64>),
    NewRater,
    Refresh,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..8usize, 0..7usize, prop::option::weighted(0.8, 1..=5i64))
            .prop_map(|(r, a, v)| Op::Set(r, a, v)),
        1 => Just(Op::NewRater),
        3 => Just(Op::Refresh),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn a_refreshed_matrix_equals_a_fresh_load(ops in prop::collection::vec(op(), 1..30)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.concord");
        let study = create_demo(&path, &DemoOptions { items: 4, models: 2, raters: 2, judges: 1, coverage: 0.5, ..Default::default() }).unwrap();
        let keys: Vec<String> = study.rubric().unwrap().attributes.into_iter().map(|a| a.key).collect();
        let mut rater = study.raters().unwrap().into_iter().find(|r| r.kind == RaterKind::Human).unwrap();
        let mut live = study.live_ratings().unwrap();
        prop_assert_eq!(study.refresh_ratings(&mut live).unwrap(), Refresh::Unchanged);
        for (n, o) in ops.iter().enumerate() {
            match o {
                Op::Set(r, a, v) => {
                    let response = study.rating_view(&rater.id, *r).unwrap().response_id;
                    study.set_rating(&rater.id, &response, &keys[*a], *v).unwrap();
                }
                Op::NewRater => {
                    rater = study.add_rater(&format!("New {n}"), RaterKind::Human, None).unwrap();
                    study.assign_all(&rater.id).unwrap();
                }
                Op::Refresh => {
                    study.refresh_ratings(&mut live).unwrap();
                    prop_assert_eq!(&live, &study.live_ratings().unwrap());
                }
            }
        }
        study.refresh_ratings(&mut live).unwrap();
        prop_assert_eq!(&live, &study.live_ratings().unwrap());
        // The loaded matrix is the current values (one per non-empty cell).
        prop_assert_eq!(live.ratings.ratings.len(), study.info().unwrap().ratings);
    }
}

/// `concord estimate` and `next` read every human and one judge (or every judge), without the
/// responses' lengths and items: the full load less exactly that.
#[test]
fn a_scoring_load_is_the_full_load_without_the_other_judges_and_texts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.concord");
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 6,
            models: 2,
            raters: 2,
            judges: 3,
            coverage: 0.5,
            ..Default::default()
        },
    )
    .unwrap();
    let all = study.study_ratings().unwrap();
    let plain = |mut data: concord_stats::report::StudyRatings| {
        for t in &mut data.targets {
            assert!(
                t.length.is_some() && t.item.is_some(),
                "the full load has both"
            );
            (t.length, t.item) = (None, None);
        }
        data
    };
    assert_eq!(study.scoring_ratings(None).unwrap(), plain(all.clone()));
    let judge = all.raters.iter().position(|r| r.name == "Judge B").unwrap();
    let mut expected = plain(all.clone());
    expected
        .ratings
        .retain(|o| !all.raters[o.rater].is_judge || o.rater == judge);
    let scoring = study.scoring_ratings(Some("Judge B")).unwrap();
    assert!(scoring.ratings.len() < all.ratings.len());
    assert!(scoring.ratings.iter().any(|o| o.rater == judge));
    assert_eq!(scoring, expected);
    // An unknown judge leaves the humans only; the caller reports the name.
    let mut humans = plain(all.clone());
    humans.ratings.retain(|o| !all.raters[o.rater].is_judge);
    assert_eq!(study.scoring_ratings(Some("Nobody")).unwrap(), humans);
}
