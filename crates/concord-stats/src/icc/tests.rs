//! The ANOVA and Henderson ICCs on published and degenerate data.

use super::*;
use crate::bootstrap::BootstrapSpec;
use crate::icc::henderson::icc_unbalanced;

/// Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
pub(crate) fn shrout_fleiss() -> RatingMatrix {
    RatingMatrix::from_complete(&[
        vec![9.0, 2.0, 5.0, 8.0],
        vec![6.0, 1.0, 3.0, 2.0],
        vec![8.0, 4.0, 6.0, 8.0],
        vec![7.0, 1.0, 2.0, 6.0],
        vec![10.0, 5.0, 6.0, 9.0],
        vec![6.0, 2.0, 4.0, 7.0],
    ])
    .unwrap()
}

#[test]
fn shrout_fleiss_1979_table_4() {
    let r = icc_forms(&shrout_fleiss());
    let v: Vec<f64> = r
        .icc
        .named()
        .iter()
        .map(|(_, e)| e.value.unwrap())
        .collect();
    let published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91];
    for (got, want) in v.iter().zip(published) {
        assert!((got - want).abs() < 0.005, "{got} vs {want}");
    }
    // Exact values (psych::ICC / pingouin): ICC1 = 0.1657418, ICC3k = 0.9093155.
    assert!((v[0] - 0.165_741_8).abs() < 1e-6);
    assert!((v[5] - 0.909_315_5).abs() < 1e-6);
    assert_eq!(r.n_dropped, 0);
}

#[test]
fn henderson_equals_anova_on_balanced_data() {
    let m = shrout_fleiss();
    let r = icc_forms(&m);
    let u = icc_unbalanced(
        &m,
        BootstrapSpec {
            resamples: 200,
            seed: 1,
        },
    );
    assert!((u.icc_a1.value.unwrap() - r.icc.icc2.value.unwrap()).abs() < 1e-12);
    assert!((u.icc_c1.value.unwrap() - r.icc.icc3.value.unwrap()).abs() < 1e-12);
    assert!(u.icc_a1.ci95.is_some());
    assert_eq!(u.n_ratings, 24);
}

#[test]
fn degenerate_inputs_give_reasons() {
    let same = RatingMatrix::from_complete(&[vec![3.0, 3.0], vec![3.0, 3.0]]).unwrap();
    let r = icc_forms(&same);
    assert!(r.icc.icc1.value.is_none() && r.icc.icc1.reason.is_some());
    let one = RatingMatrix::from_complete(&[vec![3.0, 4.0]]).unwrap();
    assert!(icc_forms(&one).icc.icc2.reason.is_some());
    let u = icc_unbalanced(&same, BootstrapSpec::default());
    assert!(u.icc_a1.value.is_none() && u.icc_a1.reason.is_some());
    let empty = RatingMatrix::new(0, 0, vec![]).unwrap();
    assert!(icc_forms(&empty).icc.icc3.reason.is_some());
    assert!(icc_unbalanced(&empty, BootstrapSpec::default())
        .icc_c1
        .reason
        .is_some());
}

#[test]
fn perfect_agreement_is_one() {
    let m = RatingMatrix::from_complete(&[vec![1.0, 1.0], vec![3.0, 3.0], vec![5.0, 5.0]]).unwrap();
    let r = icc_forms(&m);
    for (_, e) in r.icc.named() {
        assert_eq!(e.value, Some(1.0));
    }
}
