//! The one-pass loader and its watermark refresh: after any mix of saves, clears, imports and
//! new raters, a refreshed matrix equals a fresh load.

use concord_core::demo::{create_demo, DemoOptions};
use concord_core::{RaterKind, Refresh, Study};
use concord_stats::ppi::{ResponseModels, ResponseScores};
use concord_stats::report::{Cells, StudyRatings};
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
        let keys = attribute_keys(&study);
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

/// A demo study of 6 items × 2 models in `dir`: `raters` humans rating a share `coverage` of
/// the responses, and `judges` judges.
fn small_demo(dir: &std::path::Path, raters: usize, judges: usize, coverage: f64) -> Study {
    create_demo(
        &dir.join("s.concord"),
        &DemoOptions {
            items: 6,
            models: 2,
            raters,
            judges,
            coverage,
            ..Default::default()
        },
    )
    .unwrap()
}

/// A small demo study with 2 humans rating half the responses and 3 judges, in `dir`.
fn three_judge_demo(dir: &std::path::Path) -> Study {
    small_demo(dir, 2, 3, 0.5)
}

/// The rubric's attribute keys, in order.
fn attribute_keys(study: &Study) -> Vec<String> {
    study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect()
}

/// `concord estimate` and `next` read every human and one judge (or every judge), without the
/// responses' lengths and items: the full load less exactly that.
#[test]
fn a_scoring_load_is_the_full_load_without_the_other_judges_and_texts() {
    let dir = tempfile::tempdir().unwrap();
    let study = three_judge_demo(dir.path());
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

/// Each attribute's cells (targets × raters) of a loaded list of ratings.
fn cells_of(all: &StudyRatings) -> Vec<Cells> {
    let (nt, nr) = (all.targets.len(), all.raters.len());
    let mut cells = vec![Cells::unrated(nt, nr); all.attributes.len()];
    for o in &all.ratings {
        cells[o.attribute].set(o.target, o.rater, o.value);
    }
    cells
}

/// `study_sheets` is the full load as each attribute's cells, without its list of ratings.
fn assert_sheets_are_the_load(study: &Study, context: &str) {
    let all = study.study_ratings().unwrap();
    let sheets = study.study_sheets().unwrap();
    assert_eq!(sheets.cells, cells_of(&all), "{context}");
    let listless = StudyRatings {
        ratings: Vec::new(),
        ..all
    };
    assert_eq!(sheets.study, listless, "{context}");
}

/// `scoring_scores` fills, as it reads, the dense arrays the same rows give through the full
/// load (`ResponseScores::from_ratings`), with the full load's attributes and raters, each
/// response's model (and id) in the full load's order, and no list of ratings — also when the
/// responses are read out of load order (positions against the keys, or tied and ordered by
/// external id against them), so the scores filled by key are moved to their responses.
#[test]
fn scoring_scores_are_the_full_load_in_dense_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let study = three_judge_demo(dir.path());
    let path = study.path().to_path_buf();
    drop(study);
    for reorder in [
        None,
        // Pairs of responses (models a and b of one item) share a position; their external
        // ids run against their keys, and the index orders ties by external id.
        Some("UPDATE response SET position = position / 2, external_id = 'r' || (1000 - id)"),
        // Every response placed against its order of creation.
        Some("UPDATE response SET position = 1000 - position"),
    ] {
        let conn = rusqlite::Connection::open(&path).unwrap();
        if let Some(sql) = reorder {
            conn.execute(sql, []).unwrap();
        }
        let scanned: Vec<i64> = conn
            .prepare("SELECT id, model FROM response ORDER BY position")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        drop(conn);
        let study = Study::open(&path).unwrap();
        // The cells by key, moved to the responses' order when that is not the keys'.
        assert_sheets_are_the_load(&study, &format!("{reorder:?}"));
        let all = study.study_ratings().unwrap();
        for judge in [None, Some("Judge B"), Some("Nobody")] {
            for ids in [true, false] {
                let scoring = study.scoring_scores(judge, ids).unwrap();
                assert_eq!(scoring.attributes, all.attributes);
                assert_eq!(scoring.raters, all.raters);
                assert_eq!(
                    scoring.responses,
                    ResponseModels::from_targets(&all.targets, ids),
                    "{reorder:?} {judge:?} {ids}"
                );
                let expected = ResponseScores::from_ratings(&all, judge);
                assert_eq!(scoring.scores, expected, "{reorder:?} {judge:?}");
                let kept = match judge {
                    None => 3,
                    Some("Judge B") => 1,
                    Some(_) => 0,
                };
                assert_eq!(expected.judges().len(), kept);
            }
        }
        // Read out of load order (and so sorted) only when reordered.
        assert_eq!(scanned.is_sorted(), reorder.is_none(), "{scanned:?}");
    }
    let study = Study::open(&path).unwrap();
    let all = study.study_ratings().unwrap();
    // Human means and judge scores are the loaded ratings', cell for cell.
    let scores = study.scoring_scores(None, false).unwrap().scores;
    let humans = |a, t| {
        let v: Vec<f64> = all
            .ratings
            .iter()
            .filter(|o| o.attribute == a && o.target == t && !all.raters[o.rater].is_judge)
            .map(|o| o.value)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    for o in &all.ratings {
        match scores.column(o.rater) {
            Some(c) => assert_eq!(scores.judge(o.attribute, c)[o.target], o.value),
            None => assert_eq!(
                scores.human(o.attribute, o.target),
                humans(o.attribute, o.target)
            ),
        }
    }
}

/// The loader's scan of the responses reads the `response_load` index (migrations/0007), not the
/// table with its texts, and what it reads equals the table's own values.
#[test]
fn the_response_scan_reads_the_covering_index_and_matches_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.concord");
    let study = create_demo(
        &path,
        &DemoOptions {
            items: 6,
            models: 3,
            ..Default::default()
        },
    )
    .unwrap();
    let targets: Vec<(String, String, Option<f64>, Option<String>)> = study
        .study_ratings()
        .unwrap()
        .targets
        .into_iter()
        .map(|t| (t.id, t.model, t.length, t.item))
        .collect();
    drop(study);
    let conn = rusqlite::Connection::open(&path).unwrap();
    // The steps of SQLite's plan for `sql`.
    let plan_of = |sql: &str| -> Vec<String> {
        conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for sql in [
        "SELECT position, id, model, external_id, length(text), item_id FROM response",
        "SELECT position, id, model, external_id FROM response",
        // `scoring_scores`' halves of the positions, in the index's order (no sort: the plan
        // has one step, a range of the index).
        "SELECT id, model, external_id FROM response WHERE position < 9 ORDER BY position",
        "SELECT id, model FROM response WHERE position >= 9 ORDER BY position",
    ] {
        let plan = plan_of(sql);
        let [plan] = &plan[..] else {
            panic!("{sql}: {plan:?}")
        };
        // With `length(text)` SQLite names the index "not covering" (the table cursor is opened),
        // yet takes the value from the index and never seeks the row (`benches/schema.rs` times it).
        let walk =
            plan.starts_with("SCAN response USING") || plan.starts_with("SEARCH response USING");
        assert!(
            walk && plan.contains("INDEX response_load"),
            "{sql}: {plan}"
        );
    }
    // The halves' split: each bound one seek of the index, not a scan.
    for sql in [
        "SELECT min(position) FROM response",
        "SELECT max(position) FROM response",
    ] {
        assert_eq!(
            plan_of(sql),
            ["SEARCH response USING COVERING INDEX response_load"],
            "{sql}"
        );
    }
    let table: Vec<(String, String, Option<f64>, Option<String>)> = conn
        .prepare(
            "SELECT p.external_id, p.model, length(p.text), i.external_id
             FROM response p NOT INDEXED JOIN item i ON i.id = p.item_id ORDER BY p.position, p.id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Some(r.get::<_, i64>(2)? as f64),
                r.get(3)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(targets.len(), 18);
    assert_eq!(targets, table);
}

#[test]
fn a_load_reads_everything_itself_when_its_second_connection_cannot() {
    // The loads read parts on other connections to the file; when those cannot open (here the
    // file was moved away under the open study), this connection reads everything.
    let dir = tempfile::tempdir().unwrap();
    let study = three_judge_demo(dir.path());
    let both = study.live_ratings().unwrap();
    assert_eq!(both.ratings.ratings.len(), study.info().unwrap().ratings);
    // The scoring load reads the responses and half the keys on other connections, the
    // sheets half the keys.
    let parts = study.scoring_scores(None, true).unwrap();
    let sheets = study.study_sheets().unwrap();
    assert_sheets_are_the_load(&study, "both connections");
    std::fs::rename(study.path(), dir.path().join("moved.concord")).unwrap();
    let alone = study.live_ratings().unwrap();
    assert_eq!(alone, both);
    assert_eq!(study.scoring_scores(None, true).unwrap(), parts);
    assert_eq!(study.study_sheets().unwrap(), sheets);
}

/// A load while another connection saves ratings reads one moment of the study, although it
/// reads half its raters on a second connection. The saves alternate between the first rater
/// and the last (read on different connections), each turning one cell from 1 to 5, so every
/// consistent load holds a prefix of the saves: the cells changed are saves 0..k for some k.
#[test]
fn a_load_during_saves_reads_one_moment_of_the_study() {
    let dir = tempfile::tempdir().unwrap();
    let study = small_demo(dir.path(), 4, 0, 1.0);
    let path = study.path().to_path_buf();
    // Not blind, so the rating view names each response as the load does.
    let mut settings = study.settings().unwrap();
    settings.blind = false;
    study.set_settings(&settings).unwrap();
    let keys = attribute_keys(&study);
    let mut humans = study.raters().unwrap();
    humans.retain(|r| r.kind == RaterKind::Human);
    let (first, last) = (
        humans.first().unwrap().clone(),
        humans.last().unwrap().clone(),
    );
    // (rater id, rater name, response id, response external id, attribute), alternating raters.
    let mut saves = Vec::new();
    for position in 0..12 {
        for rater in [&first, &last] {
            let view = study.rating_view(&rater.id, position).unwrap();
            for key in &keys[..2] {
                saves.push((
                    rater.id.clone(),
                    rater.name.clone(),
                    view.response_id.clone(),
                    view.response_external_id.clone(),
                    key.clone(),
                ));
            }
        }
    }
    for (rater, _, response, _, key) in &saves {
        study.set_rating(rater, response, key, Some(1)).unwrap();
    }
    // The scoring load's human means before the saves: each save adds 1 to its cell's mean
    // (one of its 4 ratings goes from 1 to 5).
    let scored = |study: &Study| {
        let s = study.scoring_scores(None, true).unwrap();
        let ids = s.responses.ids().to_vec();
        (s, ids)
    };
    let (before, ids) = scored(&study);
    let cell = |external: &str, key: &str| {
        let t = ids.iter().position(|i| i == external).unwrap();
        let a = keys.iter().position(|k| k == key).unwrap();
        (a, t)
    };
    let cells: Vec<(usize, usize)> = saves.iter().map(|s| cell(&s.3, &s.4)).collect();
    let writer = {
        let (path, saves) = (path.clone(), saves.clone());
        std::thread::spawn(move || {
            let other = Study::open(&path).unwrap();
            for (rater, _, response, _, key) in &saves {
                other.set_rating(rater, response, key, Some(5)).unwrap();
            }
        })
    };
    let mut loads = 0;
    loop {
        let done = writer.is_finished();
        let live = study.live_ratings().unwrap().ratings;
        let value = |(_, name, _, external, key): &(String, String, String, String, String)| {
            live.ratings.iter().find_map(|o| {
                (live.raters[o.rater].name == *name
                    && live.targets[o.target].id == *external
                    && live.attributes[o.attribute].key == *key)
                    .then_some(o.value)
            })
        };
        let changed: Vec<bool> = saves.iter().map(|s| value(s) == Some(5.0)).collect();
        let k = changed.iter().take_while(|c| **c).count();
        assert!(
            changed[k..].iter().all(|c| !c),
            "not one moment: {changed:?}"
        );
        // The sheets, read in two halves of the responses on two connections, too.
        let sheets = study.study_sheets().unwrap();
        let sheet_study = &sheets.study;
        let cell = |(_, name, _, external, key): &(String, String, String, String, String)| {
            let r = sheet_study.raters.iter().position(|x| x.name == *name)?;
            let t = sheet_study.targets.iter().position(|x| x.id == *external)?;
            let a = sheet_study.attributes.iter().position(|x| x.key == *key)?;
            sheets.cells[a].get(t, r)
        };
        let in_sheets: Vec<bool> = saves.iter().map(|s| cell(s) == Some(5.0)).collect();
        let j = in_sheets.iter().take_while(|c| **c).count();
        assert!(
            in_sheets[j..].iter().all(|c| !c),
            "the sheets are not one moment: {in_sheets:?}"
        );
        // The scoring load, read in three parts on three connections, is one moment too: its
        // means are those after the first j saves, for some j.
        let (now, _) = scored(&study);
        let means = |scores: &concord_stats::ppi::ResponseScores| -> Vec<f64> {
            cells
                .iter()
                .map(|&(a, t)| scores.human(a, t).unwrap())
                .collect()
        };
        let (base, seen) = (means(&before.scores), means(&now.scores));
        let after = |j: usize| -> Vec<f64> {
            let mut m = base.clone();
            for (i, c) in cells.iter().enumerate() {
                m[i] += cells[..j].iter().filter(|d| *d == c).count() as f64;
            }
            m
        };
        assert!(
            (0..=saves.len()).any(|j| after(j) == seen),
            "the scoring load is not one moment: {seen:?}"
        );
        loads += 1;
        if done {
            assert_eq!(k, saves.len());
            break;
        }
    }
    writer.join().unwrap();
    assert!(loads > 1);
}
