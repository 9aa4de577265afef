//! The REML intervals as they were before the generalized pivotal form (issue 14's first
//! version): percentile intervals of the REML estimates refitted to every parametric draw of
//! the fitted model (warm start at the point estimate, the bootstrap's looser tolerance).
//! Kept for the coverage simulation's comparison and the bench's ratio, not used by the report.

use concord_stats::testing::bootstrap::{percentile_ci, BootstrapSpec};
use concord_stats::testing::reml::{Components, RemlData};
use concord_stats::RatingMatrix;

/// 95% percentile intervals of ICC(A,1), ICC(C,1), ICC(A,k), ICC(C,k) from refitted draws.
pub fn refit_percentile(m: &RatingMatrix, boot: BootstrapSpec) -> [Option<[f64; 2]>; 4] {
    let data = RemlData::new(m);
    let Some(fit) = data.fit(None, true) else {
        return [None; 4];
    };
    let k = m.n_observed() as f64 / data.n_targets() as f64;
    // As `icc_reml`: a component below 1e-10 of the total is the boundary 0.
    let zero = 1e-10 * (fit.target + fit.rater + fit.residual);
    let snap = |v: f64| if v <= zero { 0.0 } else { v };
    let fit = Components {
        target: snap(fit.target),
        rater: snap(fit.rater),
        ..fit
    };
    let start = (
        (fit.target / fit.residual).sqrt(),
        (fit.rater / fit.residual).sqrt(),
    );
    let mut draws: [Vec<f64>; 4] = Default::default();
    data.parametric_draws(&fit, boot, |sim| {
        let iccs = sim.fit(Some(start), false).and_then(|b| b.iccs(k));
        for (i, v) in draws.iter_mut().enumerate() {
            v.push(iccs.map_or(f64::NAN, |x| x[i]));
        }
    });
    draws.map(|mut v| percentile_ci(&mut v, boot.resamples).map(|(lo, hi)| [lo, hi]))
}
