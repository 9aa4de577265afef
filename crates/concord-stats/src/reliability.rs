//! Words for an ICC: Koo & Li's categories read from both ends of the interval (response level),
//! and MentalBench's CI-width classes (system level only, where the paper defined them).

use crate::bootstrap::{quantile_sorted, BootstrapSpec};
use crate::estimate::Estimate;
use crate::icc::{icc_a1_c1, mean_squares};
use crate::judge::ReliabilityClass;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Koo & Li (2016) category of one ICC value: poor < 0.5 ≤ moderate < 0.75 ≤ good ≤ 0.9 <
/// excellent.
pub fn koo_li_category(icc: f64) -> &'static str {
    if icc < 0.5 {
        "poor"
    } else if icc < 0.75 {
        "moderate"
    } else if icc <= 0.9 {
        "good"
    } else {
        "excellent"
    }
}

/// Koo & Li (2016): the reliability of an ICC is the category of its 95% CI bounds, e.g.
/// "moderate to good" for [0.62, 0.81]; "undetermined" without an interval.
pub fn koo_li_interval(e: &Estimate, basis: &str) -> ReliabilityClass {
    let class = match e.ci95 {
        None => "undetermined".to_string(),
        Some([lo, hi]) => {
            let (a, b) = (koo_li_category(lo), koo_li_category(hi));
            if a == b {
                a.to_string()
            } else {
                format!("{a} to {b}")
            }
        }
    };
    ReliabilityClass {
        class,
        ci_width: e.ci95.map(|[lo, hi]| hi - lo),
        ci95: e.ci95,
        basis: format!("{basis} 95% CI bounds, Koo & Li (2016) categories"),
    }
}

/// MentalBench's system-level class, computed as its `icc_corrected_with_bootstrap_ci.py`:
/// ICC(C,1) of judge vs human model means, percentile 95% interval of the bootstrap over models
/// after dropping replicates outside [0, 1] (none when fewer than 10 remain); GR when the
/// width ≤ t.0, MR when ≤ t.1, else PR.
///
/// The resamples are those of the other model-level intervals (same seed, same draws).
pub fn mentalbench_class(
    judge: &[f64],
    human: &[f64],
    boot: BootstrapSpec,
    thresholds: (f64, f64),
) -> ReliabilityClass {
    let basis = "ICC_C1 over model means: width of the bootstrap percentile interval, \
                 replicates outside [0, 1] dropped (MentalBench CI-width class)"
        .to_string();
    let n = judge.len().min(human.len());
    let mut kept = Vec::with_capacity(boot.resamples);
    if n >= 3 {
        let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
        let mut rows = vec![0.0; 2 * n];
        for _ in 0..boot.resamples {
            for i in 0..n {
                let k = rng.random_range(0..n);
                rows[2 * i] = judge[k];
                rows[2 * i + 1] = human[k];
            }
            if let (_, Some(c)) = icc_a1_c1(&mean_squares(&rows, n, 2)) {
                if (0.0..=1.0).contains(&c) {
                    kept.push(c);
                }
            }
        }
    }
    // The script forms no interval from fewer than 10 replicates in [0, 1].
    if kept.len() < 10 {
        return ReliabilityClass {
            class: "undetermined".into(),
            ci_width: None,
            ci95: None,
            basis,
        };
    }
    kept.sort_by(f64::total_cmp);
    let (lo, hi) = (quantile_sorted(&kept, 0.025), quantile_sorted(&kept, 0.975));
    let width = hi - lo;
    let class = if width <= thresholds.0 {
        "GR"
    } else if width <= thresholds.1 {
        "MR"
    } else {
        "PR"
    };
    ReliabilityClass {
        class: class.into(),
        ci_width: Some(width),
        ci95: Some([lo, hi]),
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn koo_li_reads_both_bounds() {
        let e = Estimate::point(0.7).with_ci(0.62, 0.81, "F");
        assert_eq!(koo_li_interval(&e, "ICC_A1").class, "moderate to good");
        // A judge at ICC(A,1) = 0.10 with a narrow interval is poor, not "good".
        let e = Estimate::point(0.1).with_ci(0.06, 0.14, "F");
        let c = koo_li_interval(&e, "ICC_A1");
        assert_eq!(c.class, "poor");
        assert!((c.ci_width.unwrap() - 0.08).abs() < 1e-12);
        assert_eq!(koo_li_category(0.9), "good");
        assert_eq!(koo_li_category(0.95), "excellent");
        assert_eq!(koo_li_category(0.5), "moderate");
        assert_eq!(
            koo_li_interval(&Estimate::point(0.5), "x").class,
            "undetermined"
        );
    }

    #[test]
    fn mentalbench_width_class_drops_replicates_outside_the_unit_interval() {
        let boot = BootstrapSpec::default();
        // Nine models whose judge means track the human means closely: narrow interval.
        let h: Vec<f64> = (0..9).map(|i| 2.0 + 0.3 * f64::from(i)).collect();
        let j: Vec<f64> = h
            .iter()
            .enumerate()
            .map(|(i, v)| v + 0.02 * ((i % 3) as f64 - 1.0))
            .collect();
        let c = mentalbench_class(&j, &h, boot, (0.355, 0.56));
        assert_eq!(c.class, "GR");
        assert!(c.ci_width.unwrap() <= 0.355);
        let [lo, hi] = c.ci95.unwrap();
        assert!((0.0..=1.0).contains(&lo) && lo < hi && hi <= 1.0);
        assert!((hi - lo - c.ci_width.unwrap()).abs() < 1e-15);
        // Unrelated means: most of [0, 1] is plausible, a wide interval.
        let j: Vec<f64> = [3.0, 2.1, 4.0, 2.2, 3.9, 2.5, 3.1, 2.0, 3.7].to_vec();
        let c = mentalbench_class(&j, &h, boot, (0.355, 0.56));
        assert_eq!(c.class, "PR");
        assert!(c.ci_width.unwrap() <= 1.0);
        let c = mentalbench_class(&j[..2], &h[..2], boot, (0.355, 0.56));
        assert_eq!(c.class, "undetermined");
    }
}
