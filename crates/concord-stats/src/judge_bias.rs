//! How a judge's scores are off, beyond the mean bias: score compression, proportional bias,
//! length bias and self-preference, each per response against the mean of the humans.

use crate::dist::{t_quantile, t_two_sided_p};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

/// Judge bias diagnostics for one judge on one attribute (response level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeBias {
    /// SD(judge) / SD(human mean), Pitman–Morgan 95% CI; below 1 = compressed scores.
    pub sd_ratio: Estimate,
    /// Slope of (judge − human mean) on their average, t CI (Bland & Altman 1999, §3.2).
    pub proportional_bias: Estimate,
    /// Slope of (judge − human mean) on ln(response length), t CI.
    pub length_bias: Estimate,
    /// Mean (judge − human mean) on the judge's own models minus on the others, Welch CI.
    pub self_preference: Estimate,
    /// The same SD ratio and proportional bias for each clinician against the mean of the other
    /// clinicians, on the same responses: what one more clinician looks like on this yardstick
    /// (a mean of humans is less noisy than any one rater, judge or clinician).
    pub clinicians: Vec<ClinicianReference>,
}

/// One clinician against the mean of the other clinicians.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicianReference {
    /// Clinician name.
    pub human: String,
    /// Responses rated by this clinician and at least one other.
    pub n: usize,
    /// SD(clinician) / SD(others' mean), Pitman–Morgan CI.
    pub sd_ratio: Estimate,
    /// Slope of (clinician − others' mean) on their average, t CI.
    pub proportional_bias: Estimate,
}

/// One response: judge score, human mean, response length if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BiasPair {
    /// Judge score.
    pub judge: f64,
    /// Mean of the humans' scores.
    pub human: f64,
    /// Natural log of the response's length in characters, when the length is known and
    /// positive (taken once per response: every judge and attribute reads the same value).
    pub ln_length: Option<f64>,
}

/// Sample mean and variance (n − 1).
fn moments(x: impl Iterator<Item = f64> + Clone) -> (f64, f64, f64) {
    let n = x.clone().count() as f64;
    let m = x.clone().sum::<f64>() / n;
    let v = x.map(|a| (a - m).powi(2)).sum::<f64>() / (n - 1.0);
    (n, m, v)
}

/// The count, x's mean and the centred sums of squares and products of paired values (x, y): a
/// pass for the means, then one for the centred sums (the two-pass form, which keeps the digits
/// raw sums of squares lose). Several are taken of one list of pairs without copying it into
/// columns.
struct Centred {
    n: usize,
    mx: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Centred {
    fn of(pairs: impl Iterator<Item = (f64, f64)> + Clone) -> Centred {
        let (mut n, mut sx, mut sy) = (0, 0.0, 0.0);
        for (x, y) in pairs.clone() {
            n += 1;
            sx += x;
            sy += y;
        }
        let (mx, my) = (sx / n as f64, sy / n as f64);
        let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
        for (x, y) in pairs {
            let (a, b) = (x - mx, y - my);
            sxx += a * a;
            syy += b * b;
            sxy += a * b;
        }
        Centred {
            n,
            mx,
            sxx,
            syy,
            sxy,
        }
    }

    fn of_slices(x: &[f64], y: &[f64]) -> Centred {
        Centred::of(x.iter().copied().zip(y.iter().copied()))
    }
}

/// σ_x/σ_y for paired data with the Pitman (1939)–Morgan (1939) interval: σ_x² = c²σ_y² exactly
/// when corr(X − cY, X + cY) = 0, and inverting that correlation's t-test gives
/// c² ∈ (s_x²/s_y²)·(K ∓ √(K² − 1)), K = 1 + 2(1 − r²) t²_{n−2, .975}/(n − 2).
pub fn sd_ratio(x: &[f64], y: &[f64]) -> Estimate {
    sd_ratio_of(&Centred::of_slices(x, y))
}

fn sd_ratio_of(c: &Centred) -> Estimate {
    let n = c.n;
    if n < 3 {
        return Estimate::missing("fewer than 3 pairs").with_n(n);
    }
    let nf = n as f64;
    let (vx, vy) = (c.sxx / (nf - 1.0), c.syy / (nf - 1.0));
    if vx.is_nan() || vy.is_nan() || vy <= 0.0 || vx <= 0.0 {
        return Estimate::missing("a score column has no variance").with_n(n);
    }
    let cov = c.sxy / (nf - 1.0);
    let r2 = (cov * cov / (vx * vy)).min(1.0);
    let t = t_quantile(0.975, nf - 2.0);
    let k = 1.0 + 2.0 * (1.0 - r2) * t * t / (nf - 2.0);
    let root = (k * k - 1.0).max(0.0).sqrt();
    let ratio = vx / vy;
    Estimate::point(ratio.sqrt()).with_n(n).with_ci(
        (ratio * (k - root)).sqrt(),
        (ratio * (k + root)).sqrt(),
        "pitman-morgan",
    )
}

/// Least-squares slope of y on x with its t_{n−2} interval and two-sided p (Student 1908).
pub fn ols_slope(x: &[f64], y: &[f64]) -> Estimate {
    ols_slope_of(&Centred::of_slices(x, y))
}

fn ols_slope_of(c: &Centred) -> Estimate {
    let n = c.n;
    if n < 3 {
        return Estimate::missing("fewer than 3 points").with_n(n);
    }
    let nf = n as f64;
    // The mean of n equal values can differ from them by rounding, leaving sxx a few ulps
    // above 0 and a slope with an interval of ±10¹²: count that as no spread.
    if c.sxx <= 1e-24 * nf * (1.0 + c.mx * c.mx) {
        return Estimate::missing("the predictor does not vary").with_n(n);
    }
    let b = c.sxy / c.sxx;
    let s2 = ((c.syy - b * c.sxy) / (nf - 2.0)).max(0.0);
    let se = (s2 / c.sxx).sqrt();
    let h = t_quantile(0.975, nf - 2.0) * se;
    let mut e = Estimate::point(b)
        .with_n(n)
        .with_se(se)
        .with_ci(b - h, b + h, "t");
    if se > 0.0 {
        e = e.with_p(t_two_sided_p(b / se, nf - 2.0));
    }
    e
}

/// Difference of means a − b with Welch's (1947) t interval and p.
pub fn welch_difference(a: &[f64], b: &[f64]) -> Estimate {
    if a.len() < 2 || b.len() < 2 {
        return Estimate::missing("fewer than 2 responses in a group").with_n(a.len() + b.len());
    }
    let (na, ma, va) = moments(a.iter().copied());
    let (nb, mb, vb) = moments(b.iter().copied());
    let (qa, qb) = (va / na, vb / nb);
    let se = (qa + qb).sqrt();
    let d = ma - mb;
    let mut e = Estimate::point(d).with_n(a.len() + b.len());
    if se > 0.0 {
        let df = (qa + qb).powi(2) / (qa * qa / (na - 1.0) + qb * qb / (nb - 1.0));
        let h = t_quantile(0.975, df) * se;
        e = e
            .with_se(se)
            .with_ci(d - h, d + h, "welch-t")
            .with_p(t_two_sided_p(d / se, df));
    }
    e
}

/// Each clinician (column of `humans`) against the mean of the others on `targets`.
pub fn clinician_reference(
    humans: &RatingMatrix,
    targets: &[usize],
    names: &[String],
) -> Vec<ClinicianReference> {
    (0..humans.n_raters())
        .map(|j| {
            // Sized up front: a list grown pair by pair copies itself a dozen times.
            let (mut x, mut y) = (
                Vec::with_capacity(targets.len()),
                Vec::with_capacity(targets.len()),
            );
            for &t in targets {
                let row = humans.row(t);
                let Some(v) = row[j] else { continue };
                let (mut sum, mut cnt) = (0.0, 0.0);
                for (o, c) in row.iter().enumerate() {
                    if let (true, Some(x)) = (o != j, c) {
                        sum += x;
                        cnt += 1.0;
                    }
                }
                if cnt > 0.0 {
                    x.push(v);
                    y.push(sum / cnt);
                }
            }
            let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
            let avg: Vec<f64> = x.iter().zip(&y).map(|(a, b)| (a + b) / 2.0).collect();
            ClinicianReference {
                human: names.get(j).cloned().unwrap_or_else(|| format!("#{j}")),
                n: x.len(),
                sd_ratio: sd_ratio(&x, &y),
                proportional_bias: ols_slope(&avg, &d),
            }
        })
        .collect()
}

/// All four diagnostics on the responses the judge is scored on (`pairs`) and, for
/// self-preference, the responses of its own models (`own`, left out of everything else);
/// `clinicians` from [`clinician_reference`] on the same responses.
pub fn judge_bias(
    pairs: &[BiasPair],
    own: &[BiasPair],
    own_declared: bool,
    clinicians: Vec<ClinicianReference>,
) -> JudgeBias {
    let diff = |p: &BiasPair| p.judge - p.human;
    let lengths = Centred::of(pairs.iter().filter_map(|p| Some((p.ln_length?, diff(p)))));
    let length_bias = if lengths.n < 3 {
        Estimate::missing("response lengths are not known for these responses").with_n(lengths.n)
    } else {
        ols_slope_of(&lengths)
    };
    let self_preference = if own_declared {
        let d_own: Vec<f64> = own.iter().map(diff).collect();
        let d: Vec<f64> = pairs.iter().map(diff).collect();
        welch_difference(&d_own, &d)
    } else {
        Estimate::missing("no own models declared for this judge (exclude_own)")
    };
    JudgeBias {
        sd_ratio: sd_ratio_of(&Centred::of(pairs.iter().map(|p| (p.judge, p.human)))),
        proportional_bias: ols_slope_of(&Centred::of(
            pairs.iter().map(|p| ((p.judge + p.human) / 2.0, diff(p))),
        )),
        length_bias,
        self_preference,
        clinicians,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    #[test]
    fn intervals_cover_at_the_nominal_rate() {
        // Bivariate normal, σ_x/σ_y = 0.7 (compression), corr 0.6; d = x − y regressed on the
        // average has the true slope (σ_x² − σ_y²)/(2·var(avg)); Welch on two normal groups.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (sims, n) = (2000, 40);
        let (sx, rho) = (0.7, 0.6);
        let var_avg = (sx * sx + 1.0 + 2.0 * rho * sx) / 4.0;
        let slope = (sx * sx - 1.0) / 2.0 / var_avg;
        let mut cover = [0usize; 3];
        for _ in 0..sims {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            for _ in 0..n {
                let (a, b) = (normal(&mut rng), normal(&mut rng));
                y.push(a);
                x.push(sx * (rho * a + (1.0 - rho * rho).sqrt() * b));
            }
            let within = |e: &Estimate, v: f64| e.ci95.is_some_and(|[lo, hi]| lo <= v && v <= hi);
            cover[0] += usize::from(within(&sd_ratio(&x, &y), sx));
            let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
            let avg: Vec<f64> = x.iter().zip(&y).map(|(a, b)| (a + b) / 2.0).collect();
            cover[1] += usize::from(within(&ols_slope(&avg, &d), slope));
            let g: Vec<f64> = (0..15).map(|_| 0.5 + 2.0 * normal(&mut rng)).collect();
            cover[2] += usize::from(within(&welch_difference(&g, &y), 0.5));
        }
        for c in cover {
            let rate = c as f64 / f64::from(sims);
            assert!((0.93..=0.97).contains(&rate), "coverage {rate}: {cover:?}");
        }
    }

    #[test]
    fn degenerate_inputs_give_reasons() {
        assert!(sd_ratio(&[1.0, 2.0], &[1.0, 2.0]).reason.is_some());
        assert!(sd_ratio(&[1.0, 2.0, 3.0], &[2.0, 2.0, 2.0])
            .reason
            .is_some());
        assert!(ols_slope(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0])
            .reason
            .is_some());
        // ln 23 repeated: its computed mean is off by an ulp, the spread is still none.
        let same = vec![23f64.ln(); 1056];
        let y: Vec<f64> = (0..1056).map(|i| f64::from(i % 5)).collect();
        assert!(ols_slope(&same, &y).reason.is_some());
        assert!(welch_difference(&[1.0], &[1.0, 2.0]).reason.is_some());
        let p = BiasPair {
            judge: 3.0,
            human: 2.5,
            ln_length: None,
        };
        let b = judge_bias(&[p; 10], &[], false, Vec::new());
        assert!(b.length_bias.reason.unwrap().contains("lengths"));
        assert!(b.self_preference.reason.unwrap().contains("exclude_own"));
        assert!(b.sd_ratio.value.is_none());
    }
}
