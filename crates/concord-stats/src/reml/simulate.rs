//! Draws from the fitted model with the observed design.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Components, RemlData};
use crate::bootstrap::BootstrapSpec;

impl RemlData {
    /// Call `f` with `boot.resamples` data sets drawn from the model `c` with this design, from
    /// a generator seeded by `boot.seed` (see [`RemlData::simulate`]).
    pub fn parametric_draws(
        &self,
        c: &Components,
        boot: BootstrapSpec,
        mut f: impl FnMut(&RemlData),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(boot.seed);
        let mut sim = self.clone();
        for _ in 0..boot.resamples {
            self.simulate(c, &mut rng, &mut sim);
            f(&sim);
        }
    }

    /// The statistics of one draw from the fitted model with the same design (same targets,
    /// raters and missing cells): new rater effects, target effects and residuals.
    ///
    /// Within a pattern with c targets and m raters the target vectors are iid
    /// N(μ + r_P, σ²_s 11' + σ²_e I): their sum is normal, and the scatter matrix is Wishart,
    /// whose two quadratic forms needed here are independent scaled χ² variables
    /// (1'W1 ~ m(mσ²_s + σ²_e) χ²_{c−1}, tr W − 1'W1/m ~ σ²_e χ²_{(c−1)(m−1)}).
    fn simulate(&self, c: &Components, rng: &mut ChaCha8Rng, out: &mut RemlData) {
        let k = self.n_raters();
        let (ss, sr, se) = (c.target.sqrt(), c.rater.sqrt(), c.residual.sqrt());
        let effects: Vec<f64> = (0..k).map(|_| sr * normal(rng)).collect();
        out.rater_sum.iter_mut().for_each(|x| *x = 0.0);
        out.sum = 0.0;
        out.sum_sq = 0.0;
        for (p, q) in self.patterns.iter().zip(out.patterns.iter_mut()) {
            let m = p.raters.len() as f64;
            let cnt = p.count;
            let shared = ss * cnt.sqrt() * normal(rng);
            let (mut total, mut norm2) = (0.0, 0.0);
            for &j in &p.raters {
                let t = cnt * (c.mean + effects[j]) + shared + se * cnt.sqrt() * normal(rng);
                out.rater_sum[j] += t;
                total += t;
                norm2 += t * t;
            }
            let between = m * (m * c.target + c.residual) * chi_squared(rng, cnt - 1.0);
            let within = c.residual * chi_squared(rng, (cnt - 1.0) * (m - 1.0));
            q.sum = total;
            q.sum_sq_totals = between + total * total / cnt;
            out.sum += total;
            out.sum_sq += between / m + within + norm2 / cnt;
        }
    }
}

/// Standard normal draw (Marsaglia polar method).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    loop {
        let u: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let v: f64 = 2.0 * rng.random::<f64>() - 1.0;
        let s = u * u + v * v;
        if s > 0.0 && s < 1.0 {
            return u * (-2.0 * s.ln() / s).sqrt();
        }
    }
}

/// χ² draw with `df` degrees of freedom (2 · Gamma(df/2); Marsaglia & Tsang 2000, with the
/// U^(1/a) boost for shapes below 1). Zero degrees of freedom give 0.
fn chi_squared(rng: &mut ChaCha8Rng, df: f64) -> f64 {
    if df <= 0.0 {
        return 0.0;
    }
    let shape = df / 2.0;
    let (a, boost) = if shape < 1.0 {
        let u: f64 = rng.random::<f64>();
        (shape + 1.0, u.max(f64::MIN_POSITIVE).powf(1.0 / shape))
    } else {
        (shape, 1.0)
    };
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u: f64 = rng.random::<f64>();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return 2.0 * d * v * boost;
        }
    }
}
