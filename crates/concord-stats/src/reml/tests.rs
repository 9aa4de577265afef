//! REML on data with a known answer.

use super::*;
use crate::icc::icc_forms;
use crate::icc::tests::shrout_fleiss;

#[test]
fn balanced_reml_equals_anova_when_components_are_positive() {
    // On balanced data with positive ANOVA components, REML = ANOVA (Searle et al. 1992, §6.7),
    // so the four ICCs equal ICC(2,1), ICC(3,1), ICC(2,k), ICC(3,k).
    let m = shrout_fleiss();
    let a = icc_forms(&m).icc;
    let r = icc_reml(
        &m,
        BootstrapSpec {
            resamples: 0,
            seed: 1,
        },
    );
    for (got, want) in [
        (&r.icc_a1, &a.icc2),
        (&r.icc_c1, &a.icc3),
        (&r.icc_ak, &a.icc2k),
        (&r.icc_ck, &a.icc3k),
    ] {
        let (g, w) = (got.value.unwrap(), want.value.unwrap());
        assert!((g - w).abs() < 1e-7, "{g} vs {w}");
    }
    assert_eq!(r.k, Some(4.0));
    assert!(r.at_zero.is_empty());
}
