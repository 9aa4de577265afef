//! Unit tests of `ppi` (reference values are in `tests/ppi_reference.rs`).

use super::*;

#[test]
fn z_matches_scipy() {
    // scipy.stats.norm.ppf(0.975), norm.ppf(0.995)
    assert!((z_two_sided(0.05).unwrap() - 1.959963984540054).abs() < 1e-14);
    assert!((z_two_sided(0.01).unwrap() - 2.5758293035489004).abs() < 1e-14);
    assert!(z_two_sided(0.0).is_none() && z_two_sided(1.0).is_none());
}

#[test]
fn lambda_one_is_plain_ppi_and_zero_is_classical() {
    let y = [3.0, 4.0, 2.0, 5.0, 4.0];
    let yhat = [3.5, 4.8, 2.9, 5.0, 4.1];
    let yu = [4.0, 3.1, 4.7, 2.2, 3.9, 4.4];
    let zero = ppi_mean_ci_at(&y, &yhat, &yu, 0.0, 0.05);
    let classical = classical_mean_ci(&y, 0.05);
    assert!((zero.value.unwrap() - classical.value.unwrap()).abs() < 1e-15);
    assert!((zero.se.unwrap() - classical.se.unwrap()).abs() < 1e-15);
    let one = ppi_mean_ci_at(&y, &yhat, &yu, 1.0, 0.05);
    let by_hand =
        yu.iter().sum::<f64>() / 6.0 + y.iter().zip(&yhat).map(|(a, b)| a - b).sum::<f64>() / 5.0;
    assert!((one.value.unwrap() - by_hand).abs() < 1e-14);
}

#[test]
fn degenerate_inputs_give_reasons_not_nan() {
    let none = ppi_plus_mean_ci(&[], &[], &[1.0], 0.05);
    assert!(none.value.is_none() && none.reason.is_some());
    let one = ppi_plus_mean_ci(&[3.0], &[3.0], &[1.0, 2.0], 0.05);
    assert!(one.value.is_some() && one.ci95.is_none() && one.reason.is_some());
    let flat = ppi_plus_mean_ci(&[3.0, 4.0], &[2.0, 2.0], &[2.0, 2.0], 0.05);
    assert_eq!(flat.lambda, Some(0.0));
    assert_eq!(flat.value, Some(3.5));
    let no_unl = ppi_plus_mean_ci(&[3.0, 4.0], &[2.0, 5.0], &[], 0.05);
    assert_eq!(no_unl.lambda, Some(0.0));
    assert!(no_unl.ci95.is_some());
    assert!(ppi_mean_ci_at(&[3.0, 4.0], &[2.0, 5.0], &[], 1.0, 0.05)
        .value
        .is_none());
    let bad = ppi_plus_mean_ci(&[f64::NAN, 1.0], &[1.0, 2.0], &[1.0], 0.05);
    assert!(bad.value.is_none());
    let json = serde_json::to_string(&flat).unwrap();
    assert!(!json.contains("NaN") && !json.contains("null"));
}

#[test]
fn rank_interval_widens_when_models_are_close() {
    let mk = |model: &str, v: f64, se: f64| ModelEstimate {
        model: model.into(),
        attribute: "a".into(),
        n_labelled: 10,
        n_unlabelled: 10,
        human_only: MeanCi::default(),
        judge_only: JudgeOnly {
            value: None,
            biased: true,
        },
        ppi_plus: MeanCi {
            value: Some(v),
            se: Some(se),
            ..MeanCi::default()
        },
        ppi: MeanCi::default(),
    };
    let r = model_ranking(
        &[
            mk("low", 1.0, 0.01),
            mk("top", 4.0, 0.01),
            mk("near", 3.99, 0.01),
        ],
        0.05,
    );
    assert_eq!(
        (r[0].model.as_str(), r[0].rank, r[0].rank_ci),
        ("top", 1, [1, 2])
    );
    assert_eq!((r[1].model.as_str(), r[1].rank_ci), ("near", [1, 2]));
    assert_eq!((r[2].model.as_str(), r[2].rank_ci), ("low", [3, 3]));
}
