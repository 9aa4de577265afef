//! Intraclass correlations: the six Shrout & Fleiss (1979) / McGraw & Wong (1996) forms from the
//! two-way ANOVA on complete targets, and an unbalanced-data ICC(A,1)/ICC(C,1) from Henderson's
//! method I variance components (the REML counterpart is in `reml`).

//!
//! `henderson.rs` holds the unbalanced-data estimator.

pub(crate) mod henderson;
#[cfg(test)]
pub(crate) mod tests;

use crate::bootstrap::TargetRows;
use crate::dist::{f_quantile, f_sf};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

pub(crate) use henderson::icc_unbalanced_of;
pub(crate) use henderson::{
    truncated_icc_a1, HendersonDesign, HendersonSums, NOT_ESTIMABLE, NO_VARIANCE,
};
pub use henderson::{UnbalancedIcc, VarianceComponents};

/// Mean squares of the two-way ANOVA without interaction (targets × raters, one rating per cell).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct MeanSquares {
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
pub(crate) fn mean_squares(data: &[f64], n: usize, k: usize) -> MeanSquares {
    mean_squares_weighted(&data[..n * k], &vec![1.0; n], k)
}

/// [`mean_squares`] of distinct complete rows (row-major, k per row) with multiplicities `w`:
/// identical rows contribute identically to every sum, so pooled targets cost one term each.
pub(crate) fn mean_squares_weighted(rows: &[f64], w: &[f64], k: usize) -> MeanSquares {
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
pub(crate) fn icc_from_complete(data: &[f64], n: usize, k: usize) -> IccForms {
    if k < 2 {
        return IccForms::missing("fewer than 2 raters");
    }
    if n < 2 {
        return IccForms::missing("fewer than 2 targets rated by every rater");
    }
    let ms = mean_squares(data, n, k);
    icc_from_mean_squares(&ms)
}

/// The six forms' values (ICC1, ICC(A,1), ICC(C,1), ICC1k, ICC(A,k), ICC(C,k)) from ANOVA
/// mean squares, NaN where undefined.
pub(crate) fn icc_points(ms: &MeanSquares) -> [f64; 6] {
    let MeanSquares {
        n,
        k,
        msr,
        msc,
        mse,
        msw,
    } = *ms;
    let (nf, kf) = (n as f64, k as f64);
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
    [
        ratio(msr - msw, msr + (kf - 1.0) * msw),
        ratio(msr - mse, msr + (kf - 1.0) * mse + kf * (msc - mse) / nf),
        ratio(msr - mse, msr + (kf - 1.0) * mse),
        ratio(msr - msw, msr),
        ratio(msr - mse, msr + (msc - mse) / nf),
        ratio(msr - mse, msr),
    ]
}

/// Length of the sums [`add_complete_row`] keeps for k raters.
pub(crate) fn anova_width(k: usize) -> usize {
    3 + k
}

/// Adds `mult` complete targets with scores `row` to `sums` (targets, Σ row sum², Σ y², the
/// k column sums): what the two-way mean squares are made of, so a cluster's sums taken off
/// give them without it ([`mean_squares_from_sums`]).
pub(crate) fn add_complete_row(sums: &mut [f64], row: &[f64], mult: f64) {
    let total: f64 = row.iter().sum();
    sums[0] += mult;
    sums[1] += mult * total * total;
    sums[2] += mult * row.iter().map(|y| y * y).sum::<f64>();
    for (c, y) in sums[3..].iter_mut().zip(row) {
        *c += mult * y;
    }
}

/// The two-way mean squares of the targets summed in `sums` ([`add_complete_row`]).
pub(crate) fn mean_squares_from_sums(sums: &[f64]) -> MeanSquares {
    let (nf, k) = (sums[0], sums.len() - 3);
    let kf = k as f64;
    let grand: f64 = sums[3..].iter().sum();
    let correction = grand * grand / (nf * kf);
    let ssr = sums[1] / kf - correction;
    let ssc = sums[3..].iter().map(|c| c * c).sum::<f64>() / nf - correction;
    let sst = sums[2] - correction;
    let sse = sst - ssr - ssc;
    MeanSquares {
        n: nf as usize,
        k,
        msr: ssr / (nf - 1.0),
        msc: ssc / (kf - 1.0),
        mse: sse / ((nf - 1.0) * (kf - 1.0)),
        msw: (sst - ssr) / (nf * (kf - 1.0)),
    }
}

/// The six forms, their F tests and F-based 95% CIs from ANOVA mean squares (McGraw & Wong 1996).
///
/// ICC(A,1) limits use the Satterthwaite-type degrees of freedom `v` of McGraw & Wong (1996,
/// Table 7, case 2A), exactly as pingouin computes them.
pub(crate) fn icc_from_mean_squares(ms: &MeanSquares) -> IccForms {
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

    let [icc1, icc2, icc3, icc1k, icc2k, icc3k] = icc_points(ms);

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
pub(crate) fn icc_a1_c1(ms: &MeanSquares) -> (Option<f64>, Option<f64>) {
    let (nf, kf) = (ms.n as f64, ms.k as f64);
    let a = (ms.msr - ms.mse) / (ms.msr + (kf - 1.0) * ms.mse + kf * (ms.msc - ms.mse) / nf);
    let c = (ms.msr - ms.mse) / (ms.msr + (kf - 1.0) * ms.mse);
    let ok = |v: f64| (v.is_finite() && ms.n >= 2 && ms.k >= 2).then_some(v);
    (ok(a), ok(c))
}
