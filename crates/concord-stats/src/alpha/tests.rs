//! Alpha on Krippendorff's worked example and degenerate data.

use super::*;

/// Krippendorff's alpha at one level with jackknife SE and t interval (Krippendorff 2011).
fn krippendorff_alpha(m: &RatingMatrix, level: Level) -> Estimate {
    let set = alpha_levels(m, &[level]);
    set.into_iter()
        .next()
        .unwrap_or_else(|| Estimate::missing(NO_PAIRS))
}

/// Number of pairable units and of units dropped as unpairable.
fn pairable_units(m: &RatingMatrix) -> (usize, usize) {
    let u = Units::new(m, &TargetRows::new(m));
    (u.n_units, m.n_targets() - u.n_units)
}

/// Krippendorff (2011), section C: 4 observers × 12 units, values 1–5, with missing data.
pub(crate) fn krippendorff_2011() -> RatingMatrix {
    let n = f64::NAN;
    let obs = [
        [1., 2., 3., 3., 2., 1., 4., 1., 2., n, n, n],
        [1., 2., 3., 3., 2., 2., 4., 1., 2., 5., n, 3.],
        [n, 3., 3., 3., 2., 3., 4., 2., 2., 5., 1., n],
        [1., 2., 3., 3., 2., 4., 4., 1., 2., 5., 1., n],
    ];
    let rows: Vec<Vec<Option<f64>>> = (0..12)
        .map(|u| {
            (0..4)
                .map(|o| Some(obs[o][u]).filter(|v: &f64| !v.is_nan()))
                .collect()
        })
        .collect();
    RatingMatrix::from_rows(&rows).unwrap()
}

#[test]
fn krippendorff_2011_worked_example() {
    let m = krippendorff_2011();
    let s = krippendorff_alpha_all(&m);
    // Published: .743, .815, .849, .797; exact values from the `krippendorff` package.
    let want = [
        0.743_421_052_631_579,
        0.815_387_503_754_881_4,
        0.849_107_142_857_142_8,
        0.797_402_774_711_612_1,
    ];
    for ((_, e), w) in s.named().iter().zip(want) {
        assert!((e.value.unwrap() - w).abs() < 1e-12, "{e:?} vs {w}");
        // The interval is α ± t_{10, 0.975} · SE over the 11 pairable units (scipy.stats.t.ppf).
        let h = 2.228_138_851_986_273_5 * e.se.unwrap();
        let [lo, hi] = e.ci95.unwrap();
        assert!((lo - (w - h)).abs() < 1e-9, "{lo} vs {}", w - h);
        assert!((hi - (w + h)).abs() < 1e-9, "{hi} vs {}", w + h);
        assert_eq!(e.ci_method.as_deref(), Some("jackknife-t"));
    }
    assert_eq!(pairable_units(&m), (11, 1));
}

#[test]
fn no_variation_is_a_reason() {
    let m = RatingMatrix::from_complete(&[vec![2.0, 2.0], vec![2.0, 2.0]]).unwrap();
    let e = krippendorff_alpha(&m, Level::Interval);
    assert!(e.value.is_none() && e.reason.is_some());
    let m = RatingMatrix::from_rows(&[vec![Some(1.0), None]]).unwrap();
    assert!(krippendorff_alpha(&m, Level::Nominal).reason.is_some());
}
