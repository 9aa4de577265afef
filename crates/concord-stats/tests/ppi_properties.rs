//! Properties of the PPI, planning and active-sampling API on arbitrary (often degenerate)
//! input: no panic, no NaN, every missing value has a reason, intervals hold their value.

use concord_stats::active::{active_mean_ci, choose_next, ActiveModel};
use concord_stats::plan::{bias_plan, icc_plan, ppi_plan};
use concord_stats::ppi::{estimate_models, MeanCi, ModelScores};
use proptest::prelude::*;

/// Scores 1–5 in halves, sometimes a non-finite value.
fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => (2u8..=10).prop_map(|v| v as f64 / 2.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

fn well_formed(m: &MeanCi) {
    match m.value {
        None => assert!(m.reason.is_some(), "missing value without a reason: {m:?}"),
        Some(v) => {
            assert!(v.is_finite());
            if let Some([lo, hi]) = m.ci95 {
                assert!(
                    lo.is_finite() && hi.is_finite() && lo <= v && v <= hi,
                    "{m:?}"
                );
            } else {
                assert!(
                    m.reason.is_some(),
                    "value without interval or reason: {m:?}"
                );
            }
            if let Some(l) = m.lambda {
                assert!((0.0..=1.0).contains(&l));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn estimates_are_finite_or_explained(
        y in prop::collection::vec(score(), 0..12),
        yhat_extra in prop::collection::vec(score(), 0..12),
        yu in prop::collection::vec(score(), 0..20),
        alpha in prop_oneof![Just(0.05), Just(0.1), Just(0.0), Just(1.5)],
    ) {
        // Labelled judge scores: as many as y (the usual case) or a mismatch.
        let yhat: Vec<f64> = if yhat_extra.len() % 5 == 0 {
            yhat_extra.clone()
        } else {
            y.iter().zip(yhat_extra.iter().cycle()).map(|(_, j)| *j).collect()
        };
        let a = ModelScores { model: "a", attribute: "x", y: &y, yhat: &yhat, yhat_unlabelled: &yu };
        let b = ModelScores { model: "b", attribute: "x", y: &yu, yhat: &yu, yhat_unlabelled: &y };
        let set = estimate_models("j", &[a, b], alpha);
        let json = serde_json::to_string(&set).unwrap();
        prop_assert!(!json.contains("NaN") && !json.contains("inf"));
        for e in &set.estimates {
            well_formed(&e.human_only);
            well_formed(&e.ppi_plus);
            well_formed(&e.ppi);
        }
        for d in &set.differences {
            well_formed(&d.ppi_plus);
            well_formed(&d.human_only);
        }
        for r in &set.ranking {
            prop_assert!(r.rank_ci[0] <= r.rank && r.rank <= r.rank_ci[1]);
        }
        let p = ppi_plan("a", "x", &y, &yhat, y.len() + yu.len(), 0.3, alpha, 0.01);
        prop_assert!(p.n_needed.is_some() || p.reason.is_some());
        prop_assert!(serde_json::to_string(&p).is_ok());
        let j = bias_plan("j", &yhat, &y, 0.3, alpha);
        prop_assert!(j.bias.n_needed.is_some() || j.bias.reason.is_some());
    }

    #[test]
    fn icc_plan_never_panics(rho in -2.0f64..2.0, k in 0usize..6, n in 0usize..100, w in -0.5f64..1.0) {
        let p = icc_plan(rho, k, n, w, 0.05);
        prop_assert!(p.n_needed.is_some() || p.reason.is_some());
    }

    #[test]
    fn active_rounds_are_exact_size_and_estimable(
        u in prop::collection::vec(prop_oneof![0.0f64..3.0, Just(f64::NAN), Just(0.0)], 1..40),
        count in 0usize..50,
        seed in 0u64..1000,
    ) {
        let models = [ActiveModel { model: "m", uncertainty: &u }];
        let batch = choose_next(&models, count, 0.1, seed);
        prop_assert_eq!(batch.picks.len(), count.min(u.len()));
        let pi = &batch.probabilities[0];
        prop_assert!((pi.iter().sum::<f64>() - count.min(u.len()) as f64).abs() < 1e-9);
        let f: Vec<f64> = (0..u.len()).map(|i| (i % 5) as f64 + 1.0).collect();
        let mut y = vec![None; u.len()];
        for p in &batch.picks {
            prop_assert!(p.probability > 0.0 && p.probability <= 1.0);
            y[p.response] = Some(3.0);
        }
        well_formed(&active_mean_ci(&f, pi, &y, 0.05));
    }
}
