//! Correlation and concordance of paired scores: Pearson, Spearman, Kendall's tau-b, Lin's CCC.

use crate::dist::{normal_sf, t_two_sided_p, z975};
use crate::estimate::Estimate;

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Pearson's r as a bare number (`None` when either variable is constant or n < 2).
pub fn pearson_r(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    let r = (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0);
    r.is_finite().then_some(r)
}

/// Fisher-z interval tanh(atanh(r) ± z/√(n − 3)) around a correlation, or NaNs if undefined.
fn fisher_ci(r: f64, se_z: f64) -> (f64, f64) {
    if r.abs() >= 1.0 {
        return (r, r);
    }
    let z = r.atanh();
    let h = z975() * se_z;
    ((z - h).tanh(), (z + h).tanh())
}

fn correlation_estimate(r: Option<f64>, n: usize, what: &str) -> Estimate {
    let Some(r) = r else {
        return Estimate::missing(format!(
            "{what} undefined: fewer than 3 pairs or a constant variable"
        ))
        .with_n(n);
    };
    let mut e = Estimate::point(r).with_n(n);
    let df = n as f64 - 2.0;
    if df > 0.0 {
        let t = if r.abs() >= 1.0 {
            f64::INFINITY
        } else {
            r * (df / (1.0 - r * r)).sqrt()
        };
        e = e.with_p(t_two_sided_p(t, df));
    }
    if n > 3 {
        let (lo, hi) = fisher_ci(r, 1.0 / (n as f64 - 3.0).sqrt());
        e = e.with_ci(lo, hi, "fisher-z");
    }
    e
}

/// Pearson correlation with t-test p and Fisher-z 95% CI, SE_z = 1/√(n − 3) (Fisher 1921).
pub fn pearson(x: &[f64], y: &[f64]) -> Estimate {
    correlation_estimate(pearson_r(x, y), x.len().min(y.len()), "Pearson r")
}

/// Mid-ranks (ties get the average rank), 1-based.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    // Unstable is enough: tied values get the same mid-rank whatever their order.
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rho as a bare number.
pub fn spearman_rho(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson_r(&ranks(x), &ranks(y))
}

/// Spearman's rho (Pearson on mid-ranks) with t-test p and Fisher-z CI using SE 1/√(n − 3).
///
/// The simple SE 1/√(n − 3) (not Bonett & Wright's 1.06/√(n − 3)) is used so the interval
/// matches the Pearson one; it is slightly narrow for |rho| near 1.
pub fn spearman(x: &[f64], y: &[f64]) -> Estimate {
    correlation_estimate(spearman_rho(x, y), x.len().min(y.len()), "Spearman rho")
}

/// Kendall's tau-b statistics: (tau_b, concordant − discordant, ties in x, ties in y).
struct KendallParts {
    tau: f64,
    s: f64,
    var_s: f64,
}

/// Knight's (1966) O(n log n) tau-b with scipy's tie-corrected variance of S.
fn kendall_parts(x: &[f64], y: &[f64]) -> Option<KendallParts> {
    let n = x.len();
    if n != y.len() || n < 2 {
        return None;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    // Unstable is enough: pairs that compare equal are bit-for-bit equal.
    idx.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    let xs: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let mut ys: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
    // Tie statistics: (pairs, Σ t(t−1)(t−2), Σ t(t−1)(2t+5)).
    let ties = |sorted: &[f64]| {
        let (mut p, mut a, mut b) = (0.0, 0.0, 0.0);
        let mut i = 0;
        while i < sorted.len() {
            let mut j = i;
            while j + 1 < sorted.len() && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            let t = (j - i + 1) as f64;
            if t > 1.0 {
                p += t * (t - 1.0) / 2.0;
                a += t * (t - 1.0) * (t - 2.0);
                b += t * (t - 1.0) * (2.0 * t + 5.0);
            }
            i = j + 1;
        }
        (p, a, b)
    };
    let (xtie, x0, x1) = ties(&xs);
    // Joint ties: runs equal in both x and y (already sorted by x then y).
    let mut ntie = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && xs[j + 1] == xs[i] && ys[j + 1] == ys[i] {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        ntie += t * (t - 1.0) / 2.0;
        i = j + 1;
    }
    // Discordant pairs = strict inversions of y in x-then-y order (merge sort).
    let mut buf = vec![0.0; n];
    let dis = merge_count(&mut ys, &mut buf) as f64;
    let mut ysorted = ys;
    ysorted.sort_by(f64::total_cmp);
    let (ytie, y0, y1) = ties(&ysorted);
    let nf = n as f64;
    let tot = nf * (nf - 1.0) / 2.0;
    if xtie == tot || ytie == tot {
        return None;
    }
    let s = tot - xtie - ytie + ntie - 2.0 * dis;
    let tau = s / (tot - xtie).sqrt() / (tot - ytie).sqrt();
    let m = nf * (nf - 1.0);
    let var_s = (m * (2.0 * nf + 5.0) - x1 - y1) / 18.0
        + (2.0 * xtie * ytie) / m
        + if n > 2 {
            x0 * y0 / (9.0 * m * (nf - 2.0))
        } else {
            0.0
        };
    Some(KendallParts { tau, s, var_s })
}

/// Sorts `v` ascending and returns the number of pairs i < j with v[i] > v[j].
fn merge_count(v: &mut [f64], buf: &mut [f64]) -> u64 {
    let n = v.len();
    if n < 2 {
        return 0;
    }
    let mid = n / 2;
    let (l, r) = v.split_at_mut(mid);
    let mut inv = merge_count(l, &mut buf[..mid]) + merge_count(r, &mut buf[mid..]);
    let (mut i, mut j, mut k) = (0, 0, 0);
    while i < l.len() && j < r.len() {
        if r[j] < l[i] {
            buf[k] = r[j];
            inv += (l.len() - i) as u64;
            j += 1;
        } else {
            buf[k] = l[i];
            i += 1;
        }
        k += 1;
    }
    buf[k..k + l.len() - i].copy_from_slice(&l[i..]);
    k += l.len() - i;
    buf[k..k + r.len() - j].copy_from_slice(&r[j..]);
    v.copy_from_slice(&buf[..n]);
    inv
}

/// Kendall's tau-b as a bare number.
pub fn kendall_tau(x: &[f64], y: &[f64]) -> Option<f64> {
    kendall_parts(x, y).map(|k| k.tau).filter(|t| t.is_finite())
}

/// Kendall's tau-b (Knight 1966) with scipy's asymptotic p and a Fisher-z CI.
///
/// The CI uses z = atanh(tau) with SE √(0.437/(n − 4)) (Fieller, Hartley & Pearson 1957).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    let Some(k) = kendall_parts(x, y).filter(|k| k.tau.is_finite()) else {
        return Estimate::missing("Kendall tau-b undefined: fewer than 2 pairs or all tied")
            .with_n(n);
    };
    let mut e = Estimate::point(k.tau).with_n(n);
    if k.var_s > 0.0 {
        e = e.with_p(2.0 * normal_sf((k.s / k.var_s.sqrt()).abs()));
    }
    if n > 4 {
        let (lo, hi) = fisher_ci(k.tau, (0.437 / (n as f64 - 4.0)).sqrt());
        e = e.with_ci(lo, hi, "fisher-z");
    }
    e
}

/// Lin's concordance correlation ρ_c = 2 s_xy/(s_x² + s_y² + (x̄ − ȳ)²), 1/n moments (Lin 1989).
pub fn ccc_value(x: &[f64], y: &[f64]) -> Option<f64> {
    ccc_parts(x, y).map(|p| p.0)
}

fn ccc_parts(x: &[f64], y: &[f64]) -> Option<(f64, f64, f64)> {
    let n = x.len();
    if n != y.len() || n < 2 {
        return None;
    }
    let nf = n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    let (sxy, sxx, syy) = (sxy / nf, sxx / nf, syy / nf);
    let den = sxx + syy + (mx - my).powi(2);
    if den.is_nan() || den <= 0.0 {
        return None;
    }
    let rc = 2.0 * sxy / den;
    // r and the location-shift u = (x̄ − ȳ)/(s_x s_y)^{1/2}, needed for the CI.
    let r = if sxx > 0.0 && syy > 0.0 {
        sxy / (sxx * syy).sqrt()
    } else {
        f64::NAN
    };
    let u = (mx - my) / (sxx * syy).powf(0.25);
    Some((rc, r, u))
}

/// Lin's CCC with the z-transform 95% CI of Lin (1989, corrected 2000), as epiR `epi.ccc`.
///
/// var(atanh ρ_c) = [(1 − r²)ρ_c²/((1 − ρ_c²) r²) + 2ρ_c³(1 − ρ_c)u²/(r(1 − ρ_c²)²)
/// − ρ_c⁴u⁴/(2r²(1 − ρ_c²)²)]/(n − 2).
pub fn lins_ccc(x: &[f64], y: &[f64]) -> Estimate {
    let n = x.len().min(y.len());
    let Some((rc, r, u)) = ccc_parts(x, y) else {
        return Estimate::missing("CCC undefined: fewer than 2 pairs or no variance at all")
            .with_n(n);
    };
    let mut e = Estimate::point(rc).with_n(n);
    if n > 2 && rc.abs() < 1.0 && r.is_finite() && r != 0.0 {
        let (r2, c2) = (r * r, rc * rc);
        let v = ((1.0 - r2) * c2 / ((1.0 - c2) * r2)
            + 2.0 * rc.powi(3) * (1.0 - rc) * u * u / (r * (1.0 - c2).powi(2))
            - rc.powi(4) * u.powi(4) / (2.0 * r2 * (1.0 - c2).powi(2)))
            / (n as f64 - 2.0);
        if v > 0.0 {
            let z = rc.atanh();
            let h = z975() * v.sqrt();
            e = e
                .with_se(v.sqrt())
                .with_ci((z - h).tanh(), (z + h).tanh(), "lin-z");
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kendall_matches_naive_with_ties() {
        let x = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0, 1.0];
        let y = [2.0, 1.0, 2.0, 3.0, 3.0, 5.0, 4.0, 1.0];
        let (mut c, mut d, mut tx, mut ty) = (0.0_f64, 0.0_f64, 0.0_f64, 0.0_f64);
        for i in 0..8 {
            for j in (i + 1)..8 {
                let s = (x[i] - x[j]) * (y[i] - y[j]);
                if s > 0.0 {
                    c += 1.0
                } else if s < 0.0 {
                    d += 1.0
                } else if x[i] == x[j] && y[i] != y[j] {
                    tx += 1.0
                } else if y[i] == y[j] && x[i] != x[j] {
                    ty += 1.0
                }
            }
        }
        let want = (c - d) / ((c + d + tx) * (c + d + ty)).sqrt();
        assert!((kendall_tau(&x, &y).unwrap() - want).abs() < 1e-12);
    }

    #[test]
    fn ccc_of_identical_is_one_and_constant_is_reason() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((ccc_value(&x, &x).unwrap() - 1.0).abs() < 1e-12);
        let c = [2.0; 4];
        assert!(lins_ccc(&c, &c).reason.is_some());
        assert!(pearson(&c, &x).reason.is_some());
        assert!(spearman(&x[..1], &x[..1]).reason.is_some());
    }
}
