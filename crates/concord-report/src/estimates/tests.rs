//! Unit tests of `estimates` on a five-response study.

use super::*;
use concord_stats::report::{AttributeSpec, Observation, RaterSpec, TargetSpec};

/// Two models, one attribute; humans H1, H2 and judge J. r0 (model a): both humans and J;
/// r1 (a): J only; r2 (b): H1 only, no J; r3 (b): H2 and J; r4 (a): nobody.
fn study() -> StudyRatings {
    let target = |id: &str, model: &str| TargetSpec {
        id: id.to_string(),
        model: model.to_string(),
        length: None,
        item: None,
    };
    let rater = |name: &str, is_judge| RaterSpec {
        name: name.to_string(),
        is_judge,
    };
    let obs = |target, rater, value| Observation {
        target,
        rater,
        attribute: 0,
        value,
    };
    StudyRatings {
        attributes: vec![AttributeSpec {
            key: "empathy".to_string(),
            group: None,
            scale_min: 1,
            scale_max: 5,
        }],
        raters: vec![rater("H1", false), rater("J", true), rater("H2", false)],
        targets: vec![
            target("r0", "a"),
            target("r1", "a"),
            target("r2", "b"),
            target("r3", "b"),
            target("r4", "a"),
        ],
        ratings: vec![
            obs(0, 0, 2.0),
            obs(0, 2, 5.0),
            obs(0, 1, 4.0),
            obs(1, 1, 3.0),
            obs(2, 0, 1.0),
            obs(3, 2, 4.0),
            obs(3, 1, 5.0),
        ],
    }
}

#[test]
fn groups_hold_the_human_mean_the_judge_and_the_judge_only_scores() {
    let data = study();
    let g = ScoreGroups::new(&data, "J", &[]).unwrap();
    assert_eq!(g.models, ["a", "b"]);
    let s = g.model_scores();
    assert_eq!((s[0].model, s[0].attribute), ("a", "empathy"));
    assert_eq!(
        (s[0].y, s[0].yhat, s[0].yhat_unlabelled),
        (&[3.5][..], &[4.0][..], &[3.0][..])
    );
    assert_eq!(
        (s[1].y, s[1].yhat, s[1].yhat_unlabelled),
        (&[4.0][..], &[5.0][..], &[][..])
    );
    // r2 has a human score but no judge score.
    assert_eq!(g.unjudged(), 1);
    assert!(matches!(
        ScoreGroups::new(&data, "H1", &[]),
        Err(ReportError::UnknownJudge { valid, .. }) if valid == "J"
    ));
    // Scores loaded without J's cannot be grouped for J (nor guessed as "not scored").
    let humans_only = dense_scores(&data, Some("nobody"), false);
    assert!(matches!(
        ScoreGroups::from_scores(humans_only, "J", &[], &[]),
        Err(ReportError::UnknownJudge { name, valid }) if name == "J" && valid.is_empty()
    ));
}

#[test]
fn attributes_are_grouped_side_by_side_each_once_as_one_by_one() {
    // A second attribute, scored as the first plus an offset per rater.
    let mut data = study();
    data.attributes.push(AttributeSpec {
        key: "safety".to_string(),
        ..data.attributes[0].clone()
    });
    let second: Vec<Observation> = data
        .ratings
        .iter()
        .map(|o| Observation {
            attribute: 1,
            value: o.value - 0.5 * o.rater as f64,
            ..*o
        })
        .collect();
    data.ratings.extend(second);
    let names = |keys: &[&str]| keys.iter().map(|k| k.to_string()).collect::<Vec<_>>();
    let both = ScoreGroups::new(&data, "J", &names(&["safety", "empathy", "safety"])).unwrap();
    assert_eq!(both.attributes, ["safety", "empathy"]);
    // Each group as text: attribute, Y, Ŷ and Ŷ_unl.
    let scores = |g: &ScoreGroups| -> Vec<String> {
        g.model_scores()
            .iter()
            .map(|s| {
                format!(
                    "{} {:?} {:?} {:?}",
                    s.attribute, s.y, s.yhat, s.yhat_unlabelled
                )
            })
            .collect()
    };
    let one_by_one: Vec<_> = ["safety", "empathy"]
        .iter()
        .flat_map(|k| scores(&ScoreGroups::new(&data, "J", &names(&[k])).unwrap()))
        .collect();
    assert_eq!(scores(&both), one_by_one);
    // Safety's model a: r0's humans (2 and 5 − 1) against J's 4 − 0.5; r1 judge-only.
    assert_eq!(scores(&both)[0], "safety [3.0] [3.5] [2.5]");
}

#[test]
fn next_marks_rated_picks_and_covers_every_response() {
    let data = study();
    let batch = next(dense_scores(&data, None, true), None, &[], 5, 1).unwrap();
    assert_eq!(batch.judges, ["J"]);
    assert_eq!(batch.picks.len(), 5);
    let rated: Vec<(&str, bool)> = batch
        .picks
        .iter()
        .map(|p| (p.response_id.as_str(), p.rated))
        .collect();
    for (id, r) in rated {
        assert_eq!(r, ["r0", "r2", "r3"].contains(&id), "{id}");
    }
    assert_eq!(batch.models[0].response_ids, ["r0", "r1", "r4"]);
    assert_eq!(batch.models[1].response_ids, ["r2", "r3"]);
    // Loaded without ids: the same draw, its ids left empty.
    let unnamed = next(dense_scores(&data, None, false), None, &[], 5, 1).unwrap();
    assert_eq!(
        unnamed.models[0].probabilities,
        batch.models[0].probabilities
    );
    assert!(unnamed.picks.iter().all(|p| p.response_id.is_empty()));
    assert!(unnamed
        .models
        .iter()
        .all(|m| m.response_ids == ["", "", ""][..m.response_ids.len()]));
}
