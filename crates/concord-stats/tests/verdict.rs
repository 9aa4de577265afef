//! The verdict "can this judge replace a clinician?" on constructed studies: a near-human
//! judge, a biased one, a noisy one, too few responses, and a judge at ICC(A,1) ≈ 0.1 over
//! thousands of responses (never good, never replaceable).

use concord_stats::report::{
    agreement_report, AttributeSpec, JudgeReport, Observation, RaterSpec, ReportOptions,
    StudyRatings, TargetSpec,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// n responses on a 1–7 scale rated by 3 humans (latent + N(0, 0.8)) and one judge whose score
/// is `judge(latent, noise)` before rounding.
fn study(n: usize, seed: u64, judge: impl Fn(f64, f64) -> f64) -> StudyRatings {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let score = |x: f64| x.round().clamp(1.0, 7.0);
    let mut ratings = Vec::new();
    for t in 0..n {
        let latent = 4.0 + 1.2 * normal(&mut rng);
        for r in 0..3 {
            let value = score(latent + 0.8 * normal(&mut rng));
            ratings.push(Observation {
                target: t,
                rater: r,
                attribute: 0,
                value,
            });
        }
        let value = score(judge(latent, normal(&mut rng)));
        ratings.push(Observation {
            target: t,
            rater: 3,
            attribute: 0,
            value,
        });
    }
    let rater = |name: &str, is_judge| RaterSpec {
        name: name.into(),
        is_judge,
    };
    StudyRatings {
        attributes: vec![AttributeSpec {
            key: "quality".into(),
            group: None,
            scale_min: 1,
            scale_max: 7,
        }],
        raters: vec![
            rater("ann", false),
            rater("bob", false),
            rater("cy", false),
            rater("judge", true),
        ],
        targets: (0..n)
            .map(|i| TargetSpec {
                id: format!("r{i}"),
                model: format!("m{}", i % 5),
                length: None,
                item: None,
            })
            .collect(),
        ratings,
    }
}

fn judge_of(data: &StudyRatings) -> JudgeReport {
    let opts = ReportOptions {
        bootstrap: 300,
        ..ReportOptions::default()
    };
    agreement_report(data, &opts).attributes[0].judges[0].clone()
}

fn finding<'a>(j: &'a JudgeReport, criterion: &str) -> &'a str {
    &j.verdict
        .reasons
        .iter()
        .find(|r| r.criterion == criterion)
        .expect("criterion listed")
        .finding
}

#[test]
fn a_near_human_judge_can_replace_a_clinician() {
    let j = judge_of(&study(300, 1, |l, e| l + 0.8 * e));
    assert_eq!(
        j.verdict.verdict, "can replace a clinician",
        "{:#?}",
        j.verdict
    );
    for c in ["alt_test", "replacement", "ICC_A1"] {
        assert_eq!(finding(&j, c), "for", "{c}");
    }
    assert_eq!(j.alt_test.passed, Some(true));
}

#[test]
fn a_biased_judge_cannot() {
    let j = judge_of(&study(300, 2, |l, e| l + 1.5 + 0.8 * e));
    assert_eq!(j.verdict.verdict, "cannot", "{:#?}", j.verdict);
    assert_eq!(finding(&j, "bias"), "against");
    assert_eq!(finding(&j, "alt_test"), "against");
    assert_eq!(finding(&j, "replacement"), "against");
}

#[test]
fn a_noisy_judge_cannot() {
    let j = judge_of(&study(300, 3, |l, e| 4.0 + 0.5 * (l - 4.0) + 1.6 * e));
    assert_eq!(j.verdict.verdict, "cannot", "{:#?}", j.verdict);
    assert_eq!(finding(&j, "alt_test"), "against");
    assert_eq!(finding(&j, "replacement"), "against");
}

#[test]
fn too_few_responses_are_undetermined_with_a_number() {
    let j = judge_of(&study(20, 4, |l, e| l + 0.8 * e));
    assert!(
        j.verdict.verdict.starts_with("undetermined: rate "),
        "{:#?}",
        j.verdict
    );
    // The test needs 30 responses per clinician: at least 10 more.
    let more = j.verdict.more_responses.expect("a number");
    assert!(more >= 10, "{more}");
    assert_eq!(
        j.verdict.verdict,
        format!("undetermined: rate {more} more responses")
    );
    assert_eq!(finding(&j, "alt_test"), "open");
}

#[test]
fn a_judge_at_icc_0_1_over_thousands_of_responses_is_never_good_or_replaceable() {
    let j = judge_of(&study(3000, 5, |l, e| 4.0 + 0.2 * (l - 4.0) + 1.8 * e));
    let icc = &j.agreement.icc.icc_a1;
    let v = icc.value.unwrap();
    assert!((0.05..0.2).contains(&v), "ICC(A,1) {v}");
    let [lo, hi] = icc.ci95.unwrap();
    // The interval is narrow: the former width-only rule (≤ 0.355) would have said "good".
    assert!(hi - lo < 0.355);
    assert_eq!(j.reliability_class.class, "poor");
    assert!(j.reliability_class.basis.contains("Koo & Li"));
    assert_eq!(j.verdict.verdict, "cannot");
    assert_eq!(finding(&j, "ICC_A1"), "against");
    // At the model unit the class is MentalBench's width class, named as such, and the
    // verdict still reads the responses.
    let opts = ReportOptions {
        bootstrap: 300,
        unit: concord_stats::report::Unit::Model,
        ..ReportOptions::default()
    };
    let data = study(3000, 5, |l, e| 4.0 + 0.2 * (l - 4.0) + 1.8 * e);
    let m = &agreement_report(&data, &opts).attributes[0].judges[0];
    assert!(!m.reliability_class.class.contains("good"));
    assert!(m
        .reliability_class
        .basis
        .contains("MentalBench CI-width class"));
    assert_eq!(m.verdict.verdict, "cannot");
}

#[test]
fn the_model_unit_keeps_mentalbench_width_classes_and_the_verdict_stays_response_level() {
    let data = study(300, 1, |l, e| l + 0.8 * e);
    let opts = ReportOptions {
        bootstrap: 300,
        unit: concord_stats::report::Unit::Model,
        ..ReportOptions::default()
    };
    let j = &agreement_report(&data, &opts).attributes[0].judges[0];
    assert!(["GR", "MR", "PR", "undetermined"].contains(&j.reliability_class.class.as_str()));
    assert!(j.reliability_class.basis.contains("MentalBench"));
    assert_eq!(finding(j, "system_class"), "note");
    // The same near-human judge as at the response level: the verdict reads the responses.
    assert_eq!(j.verdict.verdict, "can replace a clinician");
    assert_eq!(j.n_targets, 5);
}

#[test]
fn degenerate_judges_get_reasons_not_panics() {
    // A judge that always says 4, and one that rated nothing: every field is a value or a
    // reason, and the JSON holds no NaN (serde_json writes NaN as null, which the reasons cover).
    for data in [study(120, 6, |_, _| 4.0), {
        let mut d = study(120, 6, |l, _| l);
        d.ratings.retain(|o| o.rater != 3);
        d
    }] {
        let j = judge_of(&data);
        assert!(
            j.verdict.verdict != "can replace a clinician",
            "{:#?}",
            j.verdict
        );
        let b = &j.bias_diagnostics;
        for e in [&b.sd_ratio, &b.proportional_bias, &b.self_preference] {
            assert!(e.value.is_some() || e.reason.is_some(), "{e:?}");
        }
        let text = serde_json::to_string(&j).unwrap();
        assert!(!text.contains("NaN"));
    }
}
