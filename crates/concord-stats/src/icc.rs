//! Intraclass correlations: the six Shrout & Fleiss (1979) / McGraw & Wong (1996) forms from the
//! two-way ANOVA on complete targets, and an unbalanced-data ICC(A,1)/ICC(C,1) from Henderson's
//! method I variance components (the REML counterpart is in `reml`).

use crate::bootstrap::{BootstrapSpec, TargetRows};
use crate::dist::{f_quantile, f_sf};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use crate::reml::{Components, RemlData};
use serde::{Deserialize, Serialize};

/// Mean squares of the two-way ANOVA without interaction (targets × raters, one rating per cell).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanSquares {
    /// Targets.
    pub n: usize,
    /// Raters.
    pub k: usize,
    /// Between-targets mean square (MSR, "MSB" in pingouin).
    pub msr: f64,
    /// Between-raters mean square (MSC, "MSJ").
    pub msc: f64,
    /// Residual mean square (MSE).
    pub mse: f64,
    /// Within-target mean square (MSW, one-way model).
    pub msw: f64,
}

/// Two-way ANOVA mean squares for a complete n × k row-major matrix (Shrout & Fleiss 1979, Table 1).
pub fn mean_squares(data: &[f64], n: usize, k: usize) -> MeanSquares {
    mean_squares_weighted(&data[..n * k], &vec![1.0; n], k)
}

/// [`mean_squares`] of distinct complete rows (row-major, k per row) with multiplicities `w`:
/// identical rows contribute identically to every sum, so pooled targets cost one term each.
pub fn mean_squares_weighted(rows: &[f64], w: &[f64], k: usize) -> MeanSquares {
    let n_rows = w.len();
    let nw: f64 = w.iter().sum();
    let n = nw as usize;
    let nk = nw * k as f64;
    let mut row_mean = vec![0.0; n_rows];
    let mut col_mean = vec![0.0; k];
    let mut total = 0.0;
    for i in 0..n_rows {
        let row = &rows[i * k..(i + 1) * k];
        for (c, &y) in col_mean.iter_mut().zip(row) {
            row_mean[i] += y;
            *c += w[i] * y;
        }
        total += w[i] * row_mean[i];
    }
    let gm = total / nk;
    row_mean.iter_mut().for_each(|m| *m /= k as f64);
    col_mean.iter_mut().for_each(|m| *m /= nw);
    let ssr = k as f64
        * row_mean
            .iter()
            .zip(w)
            .map(|(m, c)| c * (m - gm).powi(2))
            .sum::<f64>();
    let ssc = nw * col_mean.iter().map(|m| (m - gm).powi(2)).sum::<f64>();
    let mut sse = 0.0;
    let mut sst = 0.0;
    for i in 0..n_rows {
        let row = &rows[i * k..(i + 1) * k];
        let (mut e, mut t) = (0.0, 0.0);
        for (&y, cm) in row.iter().zip(&col_mean) {
            e += (y - row_mean[i] - cm + gm).powi(2);
            t += (y - gm).powi(2);
        }
        sse += w[i] * e;
        sst += w[i] * t;
    }
    // Rounding noise on exactly-zero sums of squares would turn "perfect" into "almost".
    let snap = |ss: f64| if ss <= 1e-20 * sst { 0.0 } else { ss };
    let (ssr, ssc, sse) = (snap(ssr), snap(ssc), snap(sse));
    let (nf, kf) = (nw, k as f64);
    MeanSquares {
        n,
        k,
        msr: ssr / (nf - 1.0),
        msc: ssc / (kf - 1.0),
        mse: sse / ((nf - 1.0) * (kf - 1.0)),
        msw: (ssc + sse) / (nf * (kf - 1.0)),
    }
}

/// The six ICC forms; keys as in the report schema.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IccForms {
    /// ICC(1,1): one-way random, single rater (Shrout & Fleiss case 1).
    #[serde(rename = "ICC1")]
    pub icc1: Estimate,
    /// ICC(2,1) = ICC(A,1): two-way random, absolute agreement, single rater.
    #[serde(rename = "ICC2")]
    pub icc2: Estimate,
    /// ICC(3,1) = ICC(C,1): two-way mixed, consistency, single rater.
    #[serde(rename = "ICC3")]
    pub icc3: Estimate,
    /// ICC(1,k): mean of k raters, one-way.
    #[serde(rename = "ICC1k")]
    pub icc1k: Estimate,
    /// ICC(2,k) = ICC(A,k).
    #[serde(rename = "ICC2k")]
    pub icc2k: Estimate,
    /// ICC(3,k) = ICC(C,k).
    #[serde(rename = "ICC3k")]
    pub icc3k: Estimate,
}

impl IccForms {
    /// All six forms missing for the same reason.
    pub fn missing(reason: &str) -> Self {
        IccForms {
            icc1: Estimate::missing(reason),
            icc2: Estimate::missing(reason),
            icc3: Estimate::missing(reason),
            icc1k: Estimate::missing(reason),
            icc2k: Estimate::missing(reason),
            icc3k: Estimate::missing(reason),
        }
    }

    /// The forms in schema order with their keys.
    pub fn named(&self) -> [(&'static str, &Estimate); 6] {
        [
            ("ICC1", &self.icc1),
            ("ICC2", &self.icc2),
            ("ICC3", &self.icc3),
            ("ICC1k", &self.icc1k),
            ("ICC2k", &self.icc2k),
            ("ICC3k", &self.icc3k),
        ]
    }
}

/// The six ICCs of a rating matrix with the targets used and dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IccResult {
    /// Complete targets used.
    pub n_targets: usize,
    /// Raters (columns).
    pub n_raters: usize,
    /// Targets dropped because at least one rater had not rated them.
    pub n_dropped: usize,
    /// The six forms.
    pub icc: IccForms,
}

/// Six ICC forms on complete targets (Shrout & Fleiss 1979; CIs as pingouin `intraclass_corr`).
pub fn icc_forms(m: &RatingMatrix) -> IccResult {
    let k = m.n_raters();
    if k == 0 {
        // Every (empty) row is complete; the forms need 2 raters anyway.
        return IccResult {
            n_targets: m.n_targets(),
            n_raters: 0,
            n_dropped: 0,
            icc: icc_from_complete(&[], m.n_targets(), 0),
        };
    }
    let rows = TargetRows::new(m);
    let (icc, n) = icc_forms_pooled(m, &rows);
    IccResult {
        n_targets: n,
        n_raters: k,
        n_dropped: m.n_targets() - n,
        icc,
    }
}

/// The six forms on the complete target patterns of `rows`, and the number of complete targets.
pub(crate) fn icc_forms_pooled(m: &RatingMatrix, rows: &TargetRows) -> (IccForms, usize) {
    let k = m.n_raters();
    let (mut data, mut w) = (Vec::new(), Vec::new());
    for (p, &c) in rows.patterns.counts.iter().enumerate() {
        let row = rows.row(m, p);
        if row.iter().all(Option::is_some) {
            data.extend(row.iter().map(|c| c.unwrap_or_default()));
            w.push(f64::from(c));
        }
    }
    let n = w.iter().sum::<f64>() as usize;
    (icc_from_weighted(&data, &w, n, k), n)
}

/// Six ICC forms from distinct complete rows with multiplicities (n = total targets).
fn icc_from_weighted(rows: &[f64], w: &[f64], n: usize, k: usize) -> IccForms {
    if k < 2 {
        return IccForms::missing("fewer than 2 raters");
    }
    if n < 2 {
        return IccForms::missing("fewer than 2 targets rated by every rater");
    }
    icc_from_mean_squares(&mean_squares_weighted(rows, w, k))
}

/// Six ICC forms from a complete row-major n × k matrix (McGraw & Wong 1996, Tables 4–7).
pub fn icc_from_complete(data: &[f64], n: usize, k: usize) -> IccForms {
    if k < 2 {
        return IccForms::missing("fewer than 2 raters");
    }
    if n < 2 {
        return IccForms::missing("fewer than 2 targets rated by every rater");
    }
    let ms = mean_squares(data, n, k);
    icc_from_mean_squares(&ms)
}

/// The six forms, their F tests and F-based 95% CIs from ANOVA mean squares (McGraw & Wong 1996).
///
/// ICC(A,1) limits use the Satterthwaite-type degrees of freedom `v` of McGraw & Wong (1996,
/// Table 7, case 2A), exactly as pingouin computes them.
pub fn icc_from_mean_squares(ms: &MeanSquares) -> IccForms {
    let MeanSquares {
        n,
        k,
        msr,
        msc,
        mse,
        msw,
    } = *ms;
    if msr == 0.0 && msc == 0.0 && mse == 0.0 {
        return IccForms::missing("all ratings are identical (no variance)");
    }
    let (nf, kf) = (n as f64, k as f64);
    let alpha = 0.05;
    let q = 1.0 - alpha / 2.0;

    // A mean square or denominator that is zero in exact arithmetic comes out as rounding noise
    // (~1e-16 of the total) whose size and sign depend on row order; dividing by it gives huge,
    // order-dependent "estimates". Below this scale a denominator counts as zero: the form is
    // undefined for these data (reported as missing), as it is for an exact zero.
    let noise = 1e-12 * (msr.abs() + msc.abs() + mse.abs() + msw.abs());
    let ratio = |num: f64, den: f64| {
        if den.abs() <= noise {
            f64::NAN
        } else {
            num / den
        }
    };
    let icc1 = ratio(msr - msw, msr + (kf - 1.0) * msw);
    let icc2 = ratio(msr - mse, msr + (kf - 1.0) * mse + kf * (msc - mse) / nf);
    let icc3 = ratio(msr - mse, msr + (kf - 1.0) * mse);
    let icc1k = ratio(msr - msw, msr);
    let icc2k = ratio(msr - mse, msr + (msc - mse) / nf);
    let icc3k = ratio(msr - mse, msr);

    let df1 = nf - 1.0;
    let df1kd = nf * (kf - 1.0);
    let df2kd = (nf - 1.0) * (kf - 1.0);
    let f1 = msr / msw;
    let f3 = msr / mse;
    let p1 = f_sf(f1, df1, df1kd);
    let p3 = f_sf(f3, df1, df2kd);

    let f1l = f1 / f_quantile(q, df1, df1kd);
    let f1u = f1 * f_quantile(q, df1kd, df1);
    let f3l = f3 / f_quantile(q, df1, df2kd);
    let f3u = f3 * f_quantile(q, df2kd, df1);
    let l1 = (f1l - 1.0) / (f1l + (kf - 1.0));
    let u1 = (f1u - 1.0) / (f1u + (kf - 1.0));
    let l3 = (f3l - 1.0) / (f3l + (kf - 1.0));
    let u3 = (f3u - 1.0) / (f3u + (kf - 1.0));

    let fj = msc / mse;
    let vn = df2kd * (kf * icc2 * fj + nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let vd = df1 * kf.powi(2) * icc2.powi(2) * fj.powi(2)
        + (nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let v = vn / vd;
    let (l2, u2) = if v.is_finite() && v > 0.0 {
        let f2u = f_quantile(q, df1, v);
        let f2l = f_quantile(q, v, df1);
        let c = kf * msc + (kf * nf - kf - nf) * mse;
        (
            nf * (msr - f2u * mse) / (f2u * c + nf * msr),
            nf * (f2l * msr - mse) / (c + nf * f2l * msr),
        )
    } else {
        (f64::NAN, f64::NAN)
    };

    let with_f = |e: Estimate, f: f64, d2: f64, p: f64| -> Estimate {
        let mut e = e.with_p(p).with_n(n);
        if e.value.is_some() && f.is_finite() {
            e.f = Some(f);
            e.df1 = Some(df1);
            e.df2 = Some(d2);
        }
        e
    };
    let est = |v: f64, lo: f64, hi: f64| Estimate::point(v).with_ci(lo, hi, "F");
    IccForms {
        icc1: with_f(est(icc1, l1, u1), f1, df1kd, p1),
        icc2: with_f(est(icc2, l2, u2), f3, df2kd, p3),
        icc3: with_f(est(icc3, l3, u3), f3, df2kd, p3),
        icc1k: with_f(est(icc1k, 1.0 - 1.0 / f1l, 1.0 - 1.0 / f1u), f1, df1kd, p1),
        icc2k: with_f(
            est(
                icc2k,
                l2 * kf / (1.0 + l2 * (kf - 1.0)),
                u2 * kf / (1.0 + u2 * (kf - 1.0)),
            ),
            f3,
            df2kd,
            p3,
        ),
        icc3k: with_f(est(icc3k, 1.0 - 1.0 / f3l, 1.0 - 1.0 / f3u), f3, df2kd, p3),
    }
}

/// ICC(A,1) and ICC(C,1) point values from mean squares, without tests or CIs (for resampling).
pub fn icc_a1_c1(ms: &MeanSquares) -> (Option<f64>, Option<f64>) {
    let (nf, kf) = (ms.n as f64, ms.k as f64);
    let a = (ms.msr - ms.mse) / (ms.msr + (kf - 1.0) * ms.mse + kf * (ms.msc - ms.mse) / nf);
    let c = (ms.msr - ms.mse) / (ms.msr + (kf - 1.0) * ms.mse);
    let ok = |v: f64| (v.is_finite() && ms.n >= 2 && ms.k >= 2).then_some(v);
    (ok(a), ok(c))
}

/// Henderson method I variance components of the two-way random model without interaction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VarianceComponents {
    /// Target (subject) variance σ²_s.
    pub target: f64,
    /// Rater variance σ²_r.
    pub rater: f64,
    /// Residual variance σ²_e.
    pub residual: f64,
}

/// ICC(A,1) and ICC(C,1) for unbalanced data, with the sizes used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnbalancedIcc {
    /// Targets with at least one rating.
    pub n_targets: usize,
    /// Raters with at least one rating.
    pub n_raters: usize,
    /// Total number of observed ratings M.
    pub n_ratings: usize,
    /// Targets dropped because nobody rated them.
    pub n_dropped: usize,
    /// Estimated variance components (absent when not estimable), as solved: may be negative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<VarianceComponents>,
    /// Components that came out negative and were set to 0 for the ICCs (Searle et al. 1992,
    /// §4.8: a variance cannot be negative; without this ICC_A1 > ICC_C1 or > 1 can appear).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub truncated_at_zero: Vec<String>,
    /// Absolute agreement σ²_s / (σ²_s + σ²_r + σ²_e).
    #[serde(rename = "ICC_A1")]
    pub icc_a1: Estimate,
    /// Consistency σ²_s / (σ²_s + σ²_e).
    #[serde(rename = "ICC_C1")]
    pub icc_c1: Estimate,
}

/// Henderson (1953) method I for the two-way crossed model without interaction, n_ij ∈ {0,1}.
///
/// With the quadratic forms T0 = Σy², T_s = Σ_i y_i.²/m_i, T_r = Σ_j y_.j²/m_.j, T_μ = y..²/M,
/// the sums of squares SS_s = T_s − T_μ, SS_r = T_r − T_μ and SS_e = T0 − T_s − T_r + T_μ are
/// equated to their expectations, linear in (σ²_s, σ²_r, σ²_e) with coefficients built from
/// M (ratings), n (targets), r (raters), k_s = Σm_i²/M and k_r = Σm_.j²/M.
pub(crate) struct HendersonSums {
    /// Targets n.
    pub n: f64,
    /// Ratings M.
    pub m: f64,
    /// Raters r.
    pub r: f64,
    /// Σ m_i².
    pub sum_m_target_sq: f64,
    /// Σ m_.j².
    pub sum_m_rater_sq: f64,
    /// T0, T_s, T_r, T_μ.
    pub t: [f64; 4],
}

impl HendersonSums {
    /// The variance components, or `None` when the design does not identify them.
    pub(crate) fn components(&self) -> Option<VarianceComponents> {
        let (n, m, nr) = (self.n, self.m, self.r);
        if n < 2.0 || m <= n || nr < 2.0 {
            return None;
        }
        let [t0, ts, tr, tmu] = self.t;
        let ks = self.sum_m_target_sq / m;
        let kr = self.sum_m_rater_sq / m;
        let a = [
            [m - ks, n - kr, n - 1.0],
            [nr - ks, m - kr, nr - 1.0],
            [ks - nr, kr - n, m - n - nr + 1.0],
        ];
        let b = [ts - tmu, tr - tmu, t0 - ts - tr + tmu];
        let x = solve3(a, b)?;
        Some(VarianceComponents {
            target: x[0],
            rater: x[1],
            residual: x[2],
        })
    }
}

/// Per-pattern sufficient statistics of Henderson's method, one dense row per target pattern:
/// `[Σy², (Σy)²/m, Σy, m², y_1 … y_k, [y_1 present] … [y_k present]]` (absent y = 0), for
/// bootstraps over targets given as pattern weights (the paired replicates of `replacement`).
///
/// Every quantity of the estimator is a weighted sum of these rows, so a resample costs one
/// contiguous multiply-add pass over `K × (4 + 2k)` numbers instead of a walk over cells.
///
/// The two remaining sums, N = Σ w and M = Σ w·m, need no columns of their own: weights are
/// whole counts, so both are sums of integers far below 2^53, exact in any order. M is the sum
/// of the per-rater counts Σ w·[y_j present], and N a lane-wise sum of the weights; dropping
/// those columns takes a sixth of the work out of the pass that dominates the bootstrap.
struct Henderson {
    stats: Vec<f64>,
    k: usize,
    /// Every statistic is finite (see [`weighted_row_sums`]).
    all_finite: bool,
}

impl Henderson {
    const FIXED: usize = 4;

    fn new(rows: impl Iterator<Item = Vec<(usize, f64)>>, k: usize) -> Self {
        let mut stats = Vec::new();
        for cells in rows {
            let m = cells.len() as f64;
            let sum: f64 = cells.iter().map(|c| c.1).sum();
            let sumsq: f64 = cells.iter().map(|c| c.1 * c.1).sum();
            let base = stats.len();
            stats.extend([sumsq, sum * sum / m, sum, m * m]);
            stats.resize(base + Self::FIXED + 2 * k, 0.0);
            for &(j, y) in &cells {
                stats[base + Self::FIXED + j] = y;
                stats[base + Self::FIXED + k + j] = 1.0;
            }
        }
        let all_finite = stats.iter().all(|v| v.is_finite());
        Henderson {
            stats,
            k,
            all_finite,
        }
    }

    fn components(&self, w: &[f64], acc: &mut [f64]) -> Option<VarianceComponents> {
        // Small rater counts get a loop with the row width known at compile time (fully
        // unrolled, accumulators in registers); the additions happen in the same order either
        // way, so the sums are bit-identical to the general loop.
        match self.k {
            1 => weighted_row_sums::<6>(&self.stats, w, self.all_finite, acc),
            2 => weighted_row_sums::<8>(&self.stats, w, self.all_finite, acc),
            3 => weighted_row_sums::<10>(&self.stats, w, self.all_finite, acc),
            4 => weighted_row_sums::<12>(&self.stats, w, self.all_finite, acc),
            5 => weighted_row_sums::<14>(&self.stats, w, self.all_finite, acc),
            _ => {
                let width = Self::FIXED + 2 * self.k;
                acc.iter_mut().for_each(|x| *x = 0.0);
                for (row, &wi) in self.stats.chunks_exact(width).zip(w) {
                    if wi != 0.0 {
                        acc.iter_mut().zip(row).for_each(|(a, v)| *a += wi * v);
                    }
                }
            }
        }
        let [t0, ts, total, ks] = [acc[0], acc[1], acc[2], acc[3]];
        let (ysum, msum) = acc[Self::FIXED..].split_at(self.k);
        // Integer sums (see [`Henderson`]): exact, so equal to the former weighted columns.
        let n = exact_weight_total(w);
        let m: f64 = msum.iter().sum();
        let (mut tr, mut kr, mut nr) = (0.0, 0.0, 0.0);
        for j in 0..self.k {
            if msum[j] > 0.0 {
                tr += ysum[j] * ysum[j] / msum[j];
                kr += msum[j] * msum[j];
                nr += 1.0;
            }
        }
        HendersonSums {
            n,
            m,
            r: nr,
            sum_m_target_sq: ks,
            sum_m_rater_sq: kr,
            t: [t0, ts, tr, total * total / m],
        }
        .components()
    }
}

/// Σ w for whole-count weights, in four lanes (every partial sum is an integer below 2^53, so
/// the grouping does not change the exact result, and four chains add four times faster).
fn exact_weight_total(w: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let mut chunks = w.chunks_exact(4);
    for c in &mut chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l += v;
        }
    }
    let rest: f64 = chunks.remainder().iter().sum();
    (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + rest
}

/// `acc = Σ_i w_i · row_i` over the W-wide rows of `stats`, accumulating in row order.
///
/// Zero weights (patterns absent from a resample, about a third of the single-target patterns)
/// contribute nothing. With every statistic finite they are multiplied in anyway: 0 · v = ±0,
/// and adding ±0 leaves a sum that started at +0 unchanged bit for bit (a rounded sum is −0
/// only when both terms are), while a data-dependent branch per row mispredicts often. A
/// non-finite statistic (overflowing sums of squares) would turn 0 · v into NaN, so then zero
/// weights are skipped as before.
fn weighted_row_sums<const W: usize>(stats: &[f64], w: &[f64], all_finite: bool, acc: &mut [f64]) {
    let mut sum = [0.0; W];
    for (row, &wi) in stats.chunks_exact(W).zip(w) {
        if all_finite || wi != 0.0 {
            let row: &[f64; W] = row.try_into().expect("chunks_exact yields W-wide rows");
            for (s, v) in sum.iter_mut().zip(row) {
                *s += wi * v;
            }
        }
    }
    acc.copy_from_slice(&sum);
}

fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&a);
    let scale = a.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
    if d.is_nan() || d.abs() <= 1e-12 * scale.powi(3) {
        return None;
    }
    let mut x = [0.0; 3];
    for (c, xc) in x.iter_mut().enumerate() {
        let mut ac = a;
        for r in 0..3 {
            ac[r][c] = b[r];
        }
        *xc = det(&ac) / d;
    }
    Some(x)
}

/// The components with negative ones set to 0.
fn truncated(c: &VarianceComponents) -> VarianceComponents {
    VarianceComponents {
        target: c.target.max(0.0),
        rater: c.rater.max(0.0),
        residual: c.residual.max(0.0),
    }
}

fn icc_pair(c: &VarianceComponents) -> (Option<f64>, Option<f64>) {
    let f = |num: f64, den: f64| {
        let v = num / den;
        (den > 0.0 && v.is_finite()).then_some(v)
    };
    (
        f(c.target, c.target + c.rater + c.residual),
        f(c.target, c.target + c.residual),
    )
}

/// ICC(A,1) and ICC(C,1) on all observed ratings via Henderson's method I (Henderson 1953).
///
/// Model: y_ij = μ + s_i + r_j + e_ij (targets i, raters j, at most one rating per cell); the
/// components are those of [`HendersonSums`], as in Gwet's irrICC but with the actual M. The
/// 3 × 3 system is solved exactly and negative components are set to 0 for the ICCs (flagged in
/// `truncated_at_zero`), so on balanced data with no negative component this reproduces
/// ICC(2,1) and ICC(3,1) of the ANOVA. The 95% CI is a seeded parametric bootstrap
/// of the model with the estimated components (negative ones at 0) that draws new rater effects
/// in every resample: a bootstrap over targets alone treats the raters as fixed and covered
/// ICC(A,1) only ~85% of the time with 3 raters (`tests/coverage_reml.rs`).
pub fn icc_unbalanced(m: &RatingMatrix, boot: BootstrapSpec) -> UnbalancedIcc {
    let data = RemlData::new(m);
    let n = data.n_targets();
    let point = data.henderson().components();
    let mut out = UnbalancedIcc {
        n_targets: n,
        n_raters: data.n_raters(),
        n_ratings: m.n_observed(),
        n_dropped: m.n_targets() - n,
        components: point,
        truncated_at_zero: Vec::new(),
        icc_a1: Estimate::default(),
        icc_c1: Estimate::default(),
    };
    let Some(c) = point else {
        let reason = "not estimable: needs ≥ 2 targets, ≥ 2 raters and some target rated twice";
        out.icc_a1 = Estimate::missing(reason);
        out.icc_c1 = Estimate::missing(reason);
        return out;
    };
    for (name, v) in [
        ("target", c.target),
        ("rater", c.rater),
        ("residual", c.residual),
    ] {
        if v < 0.0 {
            out.truncated_at_zero.push(name.to_string());
        }
    }
    let c = truncated(&c);
    let (a1, c1) = icc_pair(&c);
    let no_var = "no variance to partition (all ratings identical or degenerate components)";
    let mut ea = Estimate::from_option(a1, no_var).with_n(n);
    let mut ec = Estimate::from_option(c1, no_var).with_n(n);
    if boot.resamples > 0 && (ea.is_some() || ec.is_some()) {
        let model = Components {
            target: c.target,
            rater: c.rater,
            residual: c.residual,
            mean: data.mean(),
        };
        let (mut av, mut cv) = (Vec::new(), Vec::new());
        data.parametric_draws(&model, boot, |sim| {
            let (a, c) = sim
                .henderson()
                .components()
                .map_or((None, None), |c| icc_pair(&truncated(&c)));
            av.push(a.unwrap_or(f64::NAN));
            cv.push(c.unwrap_or(f64::NAN));
        });
        for (e, v) in [(&mut ea, &mut av), (&mut ec, &mut cv)] {
            if e.is_some() {
                *e = std::mem::take(e)
                    .with_bootstrap(boot.seed, boot.resamples)
                    .with_percentile_ci(v, boot.resamples, "parametric-bootstrap-percentile");
            }
        }
    }
    out.icc_a1 = ea;
    out.icc_c1 = ec;
    out
}

/// Henderson ICC(A,1) on pooled target rows with a percentile bootstrap over targets, for
/// statistics of paired replicates (`replacement` evaluates several rater sets on the same
/// resampled responses). Components are truncated at 0 as in [`icc_unbalanced`], so the point
/// estimate equals its `ICC_A1`; the interval is a target bootstrap (raters fixed), which is
/// what a paired difference between rater sets on the same responses needs.
pub(crate) struct HendersonBootstrap {
    h: Henderson,
    point: Option<VarianceComponents>,
    n_targets: usize,
    acc: Vec<f64>,
    a_vals: Vec<f64>,
}

impl HendersonBootstrap {
    /// Pool `m`'s rows and compute the point estimate.
    pub(crate) fn new(m: &RatingMatrix, rows: &TargetRows, resamples: usize) -> Self {
        let cells = (0..rows.patterns.len()).map(|p| {
            rows.row(m, p)
                .iter()
                .enumerate()
                .filter_map(|(j, c)| c.map(|v| (j, v)))
                .collect()
        });
        let h = Henderson::new(cells, m.n_raters());
        let mut acc = vec![0.0; Henderson::FIXED + 2 * h.k];
        let point = h.components(&rows.patterns.weights(), &mut acc);
        HendersonBootstrap {
            h,
            point,
            n_targets: rows.keep.len(),
            acc,
            a_vals: Vec::with_capacity(resamples),
        }
    }

    /// Evaluate one resample given as target-pattern weights.
    pub(crate) fn add_resample(&mut self, w: &[f64]) {
        if self.point.is_none() {
            return;
        }
        let a = self
            .h
            .components(w, &mut self.acc)
            .and_then(|c| icc_pair(&truncated(&c)).0);
        self.a_vals.push(a.unwrap_or(f64::NAN));
    }

    /// The ICC(A,1) of every resample added so far, in order (NaN where undefined; empty when
    /// the point estimate is missing), for statistics of paired replicates. `finish` reorders.
    pub(crate) fn icc_a1_replicates(&self) -> &[f64] {
        &self.a_vals
    }

    /// ICC(A,1) with the percentile CI of the collected resamples (dropped with the reason when
    /// it misses the estimate, as every interval of the report).
    pub(crate) fn finish(mut self, boot: BootstrapSpec) -> Estimate {
        let Some(c) = self.point else {
            return Estimate::missing(
                "not estimable: needs ≥ 2 targets, ≥ 2 raters and some target rated twice",
            );
        };
        let no_var = "no variance to partition (all ratings identical or degenerate components)";
        let ea = Estimate::from_option(icc_pair(&truncated(&c)).0, no_var).with_n(self.n_targets);
        if boot.resamples == 0 || !ea.is_some() {
            return ea;
        }
        ea.with_bootstrap(boot.seed, boot.resamples)
            .with_percentile_ci(&mut self.a_vals, boot.resamples, "bootstrap-percentile")
            .within_range(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
    pub(crate) fn shrout_fleiss() -> RatingMatrix {
        RatingMatrix::from_complete(&[
            vec![9.0, 2.0, 5.0, 8.0],
            vec![6.0, 1.0, 3.0, 2.0],
            vec![8.0, 4.0, 6.0, 8.0],
            vec![7.0, 1.0, 2.0, 6.0],
            vec![10.0, 5.0, 6.0, 9.0],
            vec![6.0, 2.0, 4.0, 7.0],
        ])
        .unwrap()
    }

    #[test]
    fn shrout_fleiss_1979_table_4() {
        let r = icc_forms(&shrout_fleiss());
        let v: Vec<f64> = r
            .icc
            .named()
            .iter()
            .map(|(_, e)| e.value.unwrap())
            .collect();
        let published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91];
        for (got, want) in v.iter().zip(published) {
            assert!((got - want).abs() < 0.005, "{got} vs {want}");
        }
        // Exact values (psych::ICC / pingouin): ICC1 = 0.1657418, ICC3k = 0.9093155.
        assert!((v[0] - 0.165_741_8).abs() < 1e-6);
        assert!((v[5] - 0.909_315_5).abs() < 1e-6);
        assert_eq!(r.n_dropped, 0);
    }

    #[test]
    fn henderson_equals_anova_on_balanced_data() {
        let m = shrout_fleiss();
        let r = icc_forms(&m);
        let u = icc_unbalanced(
            &m,
            BootstrapSpec {
                resamples: 200,
                seed: 1,
            },
        );
        assert!((u.icc_a1.value.unwrap() - r.icc.icc2.value.unwrap()).abs() < 1e-12);
        assert!((u.icc_c1.value.unwrap() - r.icc.icc3.value.unwrap()).abs() < 1e-12);
        assert!(u.icc_a1.ci95.is_some());
        assert_eq!(u.n_ratings, 24);
    }

    #[test]
    fn degenerate_inputs_give_reasons() {
        let same = RatingMatrix::from_complete(&[vec![3.0, 3.0], vec![3.0, 3.0]]).unwrap();
        let r = icc_forms(&same);
        assert!(r.icc.icc1.value.is_none() && r.icc.icc1.reason.is_some());
        let one = RatingMatrix::from_complete(&[vec![3.0, 4.0]]).unwrap();
        assert!(icc_forms(&one).icc.icc2.reason.is_some());
        let u = icc_unbalanced(&same, BootstrapSpec::default());
        assert!(u.icc_a1.value.is_none() && u.icc_a1.reason.is_some());
        let empty = RatingMatrix::new(0, 0, vec![]).unwrap();
        assert!(icc_forms(&empty).icc.icc3.reason.is_some());
        assert!(icc_unbalanced(&empty, BootstrapSpec::default())
            .icc_c1
            .reason
            .is_some());
    }

    #[test]
    fn perfect_agreement_is_one() {
        let m =
            RatingMatrix::from_complete(&[vec![1.0, 1.0], vec![3.0, 3.0], vec![5.0, 5.0]]).unwrap();
        let r = icc_forms(&m);
        for (_, e) in r.icc.named() {
            assert_eq!(e.value, Some(1.0));
        }
    }
}
