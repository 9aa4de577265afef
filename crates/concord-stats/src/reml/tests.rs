//! REML on data with a known answer.

use super::pivot::FittingConstants;
use super::*;
use crate::icc::tests::shrout_fleiss;
use crate::icc::{icc_forms, mean_squares};

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

#[test]
fn fitting_constants_sums_are_the_anova_sums_on_balanced_data() {
    // Balanced: targets adjusted for raters, raters adjusted for targets and the residual are
    // the two-way ANOVA's SS_rows, SS_columns and SS_error (Searle et al. 1992, §5.2).
    let m = shrout_fleiss();
    let flat: Vec<f64> = m.rows().flatten().map(|v| v.unwrap()).collect();
    let ms = mean_squares(&flat, 6, 4);
    let data = RemlData::new(&m);
    let fc = FittingConstants::new(&data).expect("connected design");
    let (mut rhs, mut z) = (vec![0.0; 3], vec![0.0; 3]);
    let got = fc.sums(&data, &mut rhs, &mut z);
    let want = [ms.msr * 5.0, ms.msc * 3.0, ms.mse * 15.0];
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-9 * w, "{got:?} vs {want:?}");
    }
}

#[test]
fn balanced_pivotal_interval_of_icc_c1_is_the_exact_f_interval() {
    // On balanced data each pivot is an exact scaled χ², and ICC(C,1)'s generalized interval
    // is the F interval of ICC(3,1) (McGraw & Wong 1996, case 3): equal up to the Monte Carlo
    // error of the quantiles of 20,000 draws.
    let m = shrout_fleiss();
    let exact = icc_forms(&m).icc.icc3.ci95.expect("F interval");
    let r = icc_reml(
        &m,
        BootstrapSpec {
            resamples: 20_000,
            seed: 5,
        },
    );
    let got = r.icc_c1.ci95.expect("pivotal interval");
    assert_eq!(r.icc_c1.undefined_resamples, Some(0));
    for (g, w) in got.iter().zip(exact) {
        assert!((g - w).abs() < 0.005, "pivotal {got:?} vs F {exact:?}");
    }
    assert_eq!(
        r.icc_c1.ci_method.as_deref(),
        Some("parametric-bootstrap-generalized-pivotal")
    );
}

#[test]
fn a_design_without_pivots_keeps_its_estimates_and_says_why_there_is_no_interval() {
    // Raters 0 and 1 rate responses 0–3, raters 2 and 3 responses 4–7: no response connects
    // the two pairs, so raters adjusted for responses are not all estimable. REML still fits.
    let mut cells = Vec::new();
    for t in 0..8u32 {
        let y = 1.0 + f64::from(t % 4) + 0.5 * f64::from(t % 3);
        let pair = [Some(y), Some(y + 0.5 - 0.25 * f64::from(t % 2))];
        cells.extend(if t < 4 {
            [pair[0], pair[1], None, None]
        } else {
            [None, None, pair[0], pair[1]]
        });
    }
    let m = RatingMatrix::new(8, 4, cells).unwrap();
    let r = icc_reml(
        &m,
        BootstrapSpec {
            resamples: 50,
            seed: 1,
        },
    );
    assert!(r.icc_a1.value.is_some(), "{:?}", r.icc_a1);
    assert_eq!(r.icc_a1.ci95, None);
    let reason = r.icc_a1.reason.as_deref().unwrap();
    assert!(reason.starts_with("no interval: the design"), "{reason}");
}

#[test]
fn missingness_patterns_are_told_apart_beyond_64_raters() {
    // 70 raters, each rating the last target: the targets rated by raters {0, 65}, {0, 66} and
    // {0, 65} again form two patterns (a key of the first 64 raters' bits alone would merge
    // them), each with its raters.
    let mut rows: Vec<Vec<Option<f64>>> = [65, 66, 65]
        .iter()
        .map(|&other| {
            (0..70)
                .map(|j| (j == 0 || j == other).then_some(3.0))
                .collect()
        })
        .collect();
    rows.push(vec![Some(4.0); 70]);
    let d = RemlData::new(&RatingMatrix::from_rows(&rows).unwrap());
    assert_eq!((d.n_raters(), d.n_targets(), d.n_ratings), (70, 4, 76.0));
    let patterns: Vec<(Vec<usize>, f64)> = d
        .patterns
        .iter()
        .map(|p| (p.raters.clone(), p.count))
        .collect();
    assert_eq!(
        patterns,
        [
            (vec![0, 65], 2.0),
            (vec![0, 66], 1.0),
            ((0..70).collect(), 1.0)
        ]
    );
}
