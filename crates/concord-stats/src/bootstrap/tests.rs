//! Resampling moments, determinism, clusters and quantiles.

use super::*;

#[test]
fn resample_totals_n_and_is_deterministic() {
    let keys = (0..1000).map(|i| i % 7);
    let p = Patterns::from_keys(keys);
    assert_eq!(p.len(), 7);
    let mut a = Resampler::new(&p, 9);
    let mut b = Resampler::new(&p, 9);
    let (mut wa, mut wb) = (vec![0.0; 7], vec![0.0; 7]);
    for _ in 0..20 {
        a.draw(&mut wa);
        b.draw(&mut wb);
        assert_eq!(wa, wb);
        assert_eq!(wa.iter().sum::<f64>(), 1000.0);
    }
}

#[test]
fn poissonized_counts_have_multinomial_moments() {
    // 40 patterns of 1..=40 items (n = 820): E = c, Var = c(1 − c/n), Cov = −c_a c_b / n.
    let p = Patterns::from_keys((0..40u32).flat_map(|k| std::iter::repeat_n(k, k as usize + 1)));
    let n = p.n_items() as f64;
    let mut rs = Resampler::new(&p, 3);
    assert!(rs.poisson.is_some());
    let reps = 20_000;
    let (mut s1, mut s2, mut cross) = (vec![0.0; 40], vec![0.0; 40], 0.0);
    let mut w = vec![0.0; 40];
    for _ in 0..reps {
        rs.draw(&mut w);
        assert_eq!(w.iter().sum::<f64>(), n);
        for k in 0..40 {
            s1[k] += w[k];
            s2[k] += w[k] * w[k];
        }
        cross += w[38] * w[39];
    }
    let r = f64::from(reps);
    for k in 0..40 {
        let c = f64::from(p.counts[k]);
        let (mean, var) = (s1[k] / r, s2[k] / r - (s1[k] / r).powi(2));
        let want_var = c * (1.0 - c / n);
        assert!((mean - c).abs() < 5.0 * (want_var / r).sqrt(), "mean {k}");
        assert!(
            (var / want_var - 1.0).abs() < 0.06,
            "var {k}: {var} vs {want_var}"
        );
    }
    let cov = cross / r - s1[38] * s1[39] / (r * r);
    assert!((cov + 39.0 * 40.0 / n).abs() < 1.0, "cov {cov}");
}

#[test]
fn cluster_resamples_move_whole_clusters() {
    // 10 items, each with one target of each of 3 patterns (rows 1, 2, 3): any resample of
    // items gives every pattern the same weight, 10; a resample of targets almost never.
    let rows: Vec<Vec<Option<f64>>> = (0..30)
        .map(|t| vec![Some(f64::from(t % 3 + 1)), None])
        .collect();
    let m = crate::matrix::RatingMatrix::from_rows(&rows).unwrap();
    let tr = TargetRows::new(&m);
    assert_eq!(tr.patterns.len(), 3);
    let items: Vec<u32> = (0..30).map(|t| t / 3).collect();
    let spec = BootstrapSpec {
        resamples: 50,
        seed: 4,
    };
    let mut seen = 0;
    tr.for_each_cluster_resample(spec, &items, |w| {
        assert_eq!(w, &[10.0, 10.0, 10.0]);
        seen += 1;
    });
    assert_eq!(seen, 50);
    let mut unequal = 0;
    tr.patterns
        .for_each_resample(spec, |w| unequal += usize::from(w[0] != w[1]));
    assert!(unequal > 40, "{unequal}");
}

#[test]
fn quantile_matches_numpy() {
    let v = [1.0, 2.0, 3.0, 4.0];
    assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-12);
}
