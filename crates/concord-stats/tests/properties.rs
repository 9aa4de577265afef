//! Property tests: invariances and identities every agreement statistic must satisfy.

use concord_stats::icc::icc_forms;
use concord_stats::testing::alpha::{alpha_levels, Level};
use concord_stats::testing::bootstrap::BootstrapSpec;
use concord_stats::testing::gwet::gwet;
use concord_stats::testing::icc::icc_unbalanced;
use concord_stats::testing::kappa::{cohen_kappa, fleiss_kappa};
use concord_stats::RatingMatrix;
use proptest::prelude::*;

const NO_BOOT: BootstrapSpec = BootstrapSpec {
    resamples: 0,
    seed: 0,
};

fn cfg() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

/// Integer ratings 1..=5 driven by a target effect, so agreement is usually positive.
fn ratings(max_n: usize, max_k: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    (3..=max_n, 2..=max_k).prop_flat_map(|(n, k)| {
        (
            prop::collection::vec(1i32..=5, n),
            prop::collection::vec(prop::collection::vec(-1i32..=1, k), n),
        )
            .prop_map(|(base, noise)| {
                base.iter()
                    .zip(noise)
                    .map(|(b, row)| row.iter().map(|e| f64::from((b + e).clamp(1, 5))).collect())
                    .collect()
            })
    })
}

/// Same, with cells knocked out by a mask.
fn ratings_missing() -> impl Strategy<Value = Vec<Vec<Option<f64>>>> {
    ratings(25, 5).prop_flat_map(|rows| {
        let (n, k) = (rows.len(), rows[0].len());
        prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.15), k), n).prop_map(
            move |mask| {
                rows.iter()
                    .zip(mask)
                    .map(|(r, m)| {
                        r.iter()
                            .zip(m)
                            .map(|(v, drop)| (!drop).then_some(*v))
                            .collect()
                    })
                    .collect()
            },
        )
    })
}

fn all_stats(m: &RatingMatrix) -> Vec<Option<f64>> {
    let mut v: Vec<Option<f64>> = icc_forms(m).icc.named().iter().map(|e| e.1.value).collect();
    v.extend(alpha_levels(m, &Level::ALL).iter().map(|e| e.value));
    let u = icc_unbalanced(m, NO_BOOT);
    v.push(u.icc_a1.value);
    v.push(u.icc_c1.value);
    let g = gwet(m, (1, 5));
    v.extend([g.ac1.value, g.ac2_linear.value, g.ac2_quadratic.value]);
    v.push(fleiss_kappa(m, (1, 5)).value);
    v
}

fn same(a: &[Option<f64>], b: &[Option<f64>]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    })
}

/// Brute-force alpha over all ordered value pairs, for a given distance (Krippendorff 2011, eq. 1).
fn alpha_brute(m: &RatingMatrix, delta: impl Fn(f64, f64) -> f64) -> Option<f64> {
    let units: Vec<Vec<f64>> = m
        .rows()
        .map(|r| r.iter().flatten().copied().collect::<Vec<f64>>())
        .filter(|u| u.len() >= 2)
        .collect();
    if units.len() < 2 {
        return None; // policy: alpha needs at least 2 pairable units
    }
    let all: Vec<f64> = units.iter().flatten().copied().collect();
    let n = all.len() as f64;
    let mut d_o = 0.0;
    for u in &units {
        let mut s = 0.0;
        for i in 0..u.len() {
            for j in 0..u.len() {
                if i != j {
                    s += delta(u[i], u[j]);
                }
            }
        }
        d_o += s / (u.len() as f64 - 1.0);
    }
    let mut d_e = 0.0;
    for i in 0..all.len() {
        for j in 0..all.len() {
            if i != j {
                d_e += delta(all[i], all[j]);
            }
        }
    }
    (d_e > 0.0).then(|| 1.0 - (n - 1.0) * d_o / d_e)
}

proptest! {
    #![proptest_config(cfg())]

    #[test]
    fn permuting_targets_changes_nothing(rows in ratings_missing(), seed in any::<u64>()) {
        let m = RatingMatrix::from_rows(&rows).unwrap();
        let mut perm: Vec<usize> = (0..rows.len()).collect();
        // Deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..perm.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            perm.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let p: Vec<Vec<Option<f64>>> = perm.iter().map(|&i| rows[i].clone()).collect();
        let mp = RatingMatrix::from_rows(&p).unwrap();
        prop_assert!(same(&all_stats(&m), &all_stats(&mp)));
    }

    #[test]
    fn permuting_raters_changes_nothing(rows in ratings_missing()) {
        let m = RatingMatrix::from_rows(&rows).unwrap();
        let k = m.n_raters();
        let order: Vec<usize> = (0..k).rev().collect();
        prop_assert!(same(&all_stats(&m), &all_stats(&m.select_raters(&order))));
    }

    #[test]
    fn perfect_agreement_gives_one(base in prop::collection::vec(1i32..=5, 3..30), k in 2usize..6) {
        prop_assume!(base.iter().any(|&b| b != base[0]));
        let rows: Vec<Vec<f64>> = base.iter().map(|&b| vec![f64::from(b); k]).collect();
        let m = RatingMatrix::from_complete(&rows).unwrap();
        for (_, e) in icc_forms(&m).icc.named() {
            prop_assert!((e.value.unwrap() - 1.0).abs() < 1e-12);
        }
        for e in alpha_levels(&m, &Level::ALL) {
            prop_assert!((e.value.unwrap() - 1.0).abs() < 1e-12);
        }
        let col: Vec<Option<f64>> = base.iter().map(|&b| Some(f64::from(b))).collect();
        let p = cohen_kappa(&col, &col, (1, 5));
        prop_assert!((p.kappa.unweighted.value.unwrap() - 1.0).abs() < 1e-12);
        prop_assert!((p.kappa.quadratic.value.unwrap() - 1.0).abs() < 1e-12);
        prop_assert!((gwet(&m, (1, 5)).ac1.value.unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn shifting_one_rater_keeps_consistency_and_lowers_agreement(
        rows in ratings(30, 5), c in 0.5f64..3.0
    ) {
        let m = RatingMatrix::from_complete(&rows).unwrap();
        let before = icc_forms(&m).icc;
        // Clearly positive: where MSR = MSE exactly (ICC 0), rounding decides the sign of both
        // the before and after values, and the shift can lower neither.
        prop_assume!(before.icc2.value.is_some_and(|v| v > 1e-9));
        // Shift the rater with the highest mean upwards, so rater variance must grow.
        let k = rows[0].len();
        let mean = |j: usize| rows.iter().map(|r| r[j]).sum::<f64>();
        let top = (0..k).max_by(|&a, &b| mean(a).total_cmp(&mean(b))).unwrap();
        let shifted: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| r.iter().enumerate().map(|(j, v)| if j == top { v + c } else { *v }).collect())
            .collect();
        let after = icc_forms(&RatingMatrix::from_complete(&shifted).unwrap()).icc;
        prop_assert!((before.icc3.value.unwrap() - after.icc3.value.unwrap()).abs() < 1e-9);
        prop_assert!((before.icc3k.value.unwrap() - after.icc3k.value.unwrap()).abs() < 1e-9);
        prop_assert!(after.icc2.value.unwrap() < before.icc2.value.unwrap());
        prop_assert!(after.icc2k.value.unwrap() < before.icc2k.value.unwrap());
        let (ub, ua) = (
            icc_unbalanced(&m, NO_BOOT),
            icc_unbalanced(&RatingMatrix::from_complete(&shifted).unwrap(), NO_BOOT),
        );
        prop_assert!((ub.icc_c1.value.unwrap() - ua.icc_c1.value.unwrap()).abs() < 1e-9);
        // Henderson's components are truncated at 0: an estimate of zero cannot be lowered, and
        // a rater component still negative after the shift (still set to 0) leaves ICC(A,1) as
        // it was. It must drop where the target and the shifted rater component are positive.
        let (a1_before, a1_after) = (ub.icc_a1.value.unwrap(), ua.icc_a1.value.unwrap());
        let rater_after = ua.components.as_ref().unwrap().rater;
        if a1_before > 1e-9 && rater_after > 1e-9 {
            prop_assert!(a1_after < a1_before);
        } else {
            prop_assert!(a1_after <= a1_before + 1e-12);
        }
    }

    #[test]
    fn alpha_levels_equal_their_distance_definitions(rows in ratings_missing()) {
        let m = RatingMatrix::from_rows(&rows).unwrap();
        let got = alpha_levels(&m, &[Level::Nominal, Level::Interval, Level::Ratio]);
        let nominal = alpha_brute(&m, |a, b| if a == b { 0.0 } else { 1.0 });
        let interval = alpha_brute(&m, |a, b| (a - b).powi(2));
        let ratio = alpha_brute(&m, |a, b| ((a - b) / (a + b)).powi(2));
        for (e, want) in got.iter().zip([nominal, interval, ratio]) {
            match (e.value, want) {
                (Some(g), Some(w)) => prop_assert!((g - w).abs() < 1e-9, "{} vs {}", g, w),
                (None, None) => prop_assert!(e.reason.is_some()),
                (g, w) => prop_assert!(false, "{:?} vs {:?}", g, w),
            }
        }
    }

    #[test]
    fn ordinal_alpha_is_interval_alpha_on_mid_ranks(rows in ratings_missing()) {
        // δ_ordinal(c, k) is the distance between the mid-ranks of c and k among pairable values.
        let pairable: Vec<Vec<Option<f64>>> = rows
            .iter()
            .map(|r| {
                let keep = r.iter().flatten().count() >= 2;
                r.iter().map(|c| c.filter(|_| keep)).collect()
            })
            .collect();
        let values: Vec<f64> = pairable.iter().flatten().flatten().copied().collect();
        let mid_rank = |v: f64| {
            let below = values.iter().filter(|&&x| x < v).count() as f64;
            let tied = values.iter().filter(|&&x| x == v).count() as f64;
            below + (tied + 1.0) / 2.0
        };
        let ranked: Vec<Vec<Option<f64>>> = pairable
            .iter()
            .map(|r| r.iter().map(|c| c.map(mid_rank)).collect())
            .collect();
        let m = RatingMatrix::from_rows(&rows).unwrap();
        let r = RatingMatrix::from_rows(&ranked).unwrap();
        let ord = alpha_levels(&m, &[Level::Ordinal])[0].value;
        let int = alpha_levels(&r, &[Level::Interval])[0].value;
        match (ord, int) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b),
            (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
        }
    }

    #[test]
    fn henderson_reproduces_anova_when_balanced(rows in ratings(30, 5)) {
        let m = RatingMatrix::from_complete(&rows).unwrap();
        let a = icc_forms(&m).icc;
        let u = icc_unbalanced(&m, NO_BOOT);
        // With a negative component Henderson's ICCs use it at 0 (flagged), the ANOVA's do not.
        if u.truncated_at_zero.is_empty() {
            match (a.icc2.value, u.icc_a1.value) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9),
                (x, y) => prop_assert_eq!(x.is_some(), y.is_some()),
            }
            if let (Some(x), Some(y)) = (a.icc3.value, u.icc_c1.value) {
                prop_assert!((x - y).abs() < 1e-9);
            }
        }
        for v in [u.icc_a1.value, u.icc_c1.value].into_iter().flatten() {
            prop_assert!((0.0..=1.0).contains(&v), "Henderson ICC {v} outside [0, 1]");
        }
        if let (Some(x), Some(y)) = (u.icc_a1.value, u.icc_c1.value) {
            prop_assert!(x <= y + 1e-12, "ICC_A1 {x} > ICC_C1 {y}");
        }
    }

    #[test]
    fn kappa_is_symmetric_and_bounded(rows in ratings(30, 2)) {
        let x: Vec<Option<f64>> = rows.iter().map(|r| Some(r[0])).collect();
        let y: Vec<Option<f64>> = rows.iter().map(|r| Some(r[1])).collect();
        let (a, b) = (cohen_kappa(&x, &y, (1, 5)), cohen_kappa(&y, &x, (1, 5)));
        for (e, f) in [
            (&a.kappa.unweighted, &b.kappa.unweighted),
            (&a.kappa.linear, &b.kappa.linear),
            (&a.kappa.quadratic, &b.kappa.quadratic),
        ] {
            prop_assert_eq!(e.value.is_some(), f.value.is_some());
            if let (Some(u), Some(v)) = (e.value, f.value) {
                prop_assert!((u - v).abs() < 1e-12 && (-1.0 - 1e-12..=1.0 + 1e-12).contains(&u));
                // Compare variances: near zero, se = sqrt(var) turns rounding noise of ~1e-16
                // in var into ~1e-8 in se (a found case: 1.29e-8 vs 0), while equal variances
                // to 1e-12 is the same check as equal se for any non-degenerate value.
                let (se_a, se_b) = (e.se.unwrap(), f.se.unwrap());
                prop_assert!((se_a * se_a - se_b * se_b).abs() < 1e-12);
            } else {
                prop_assert!(e.reason.is_some());
            }
        }
    }

    #[test]
    fn bootstrap_is_reproducible_from_its_seed(rows in ratings_missing(), seed in any::<u64>()) {
        let m = RatingMatrix::from_rows(&rows).unwrap();
        let spec = BootstrapSpec { resamples: 50, seed };
        let a = icc_unbalanced(&m, spec);
        prop_assert_eq!(&a, &icc_unbalanced(&m, spec));
        prop_assert_eq!(a.icc_a1.seed, a.icc_a1.ci95.map(|_| seed));
    }
}
