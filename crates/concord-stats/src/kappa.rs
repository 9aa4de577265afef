//! Cohen's kappa per rater pair (unweighted, linear, quadratic) with the Fleiss–Cohen–Everitt
//! (1969) standard error, raw agreement rates, and Fleiss' (1971) kappa for many raters.

use crate::bootstrap::TargetRows;
use crate::dist::{t_quantile, z975};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};

/// Agreement weights over ordered categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weights {
    /// w_kl = [k = l] (unweighted).
    Identity,
    /// w_kl = 1 − |k − l|/(q − 1) (Cicchetti & Allison 1971).
    Linear,
    /// w_kl = 1 − (k − l)²/(q − 1)² (Fleiss & Cohen 1973).
    Quadratic,
}

impl Weights {
    /// The q × q agreement-weight matrix, row-major.
    pub fn matrix(self, q: usize) -> Vec<f64> {
        let d = (q.max(2) - 1) as f64;
        let mut w = vec![0.0; q * q];
        for k in 0..q {
            for l in 0..q {
                let x = (k as f64 - l as f64).abs() / d;
                w[k * q + l] = match self {
                    Weights::Identity => f64::from(u8::from(k == l)),
                    Weights::Linear => 1.0 - x,
                    Weights::Quadratic => 1.0 - x * x,
                };
            }
        }
        w
    }
}

/// Category index of `v` on the integer scale min..=max, or why it is not one.
pub fn category(v: f64, scale: (i64, i64)) -> Result<usize, String> {
    let (lo, hi) = scale;
    if v.fract() != 0.0 || v < lo as f64 || v > hi as f64 {
        return Err(format!(
            "value {v} is not a category of the declared scale {lo}..={hi}"
        ));
    }
    Ok((v as i64 - lo) as usize)
}

/// Number of categories of the scale, or why it has too few.
pub fn n_categories(scale: (i64, i64)) -> Result<usize, String> {
    if scale.1 <= scale.0 {
        return Err(format!(
            "the declared scale {}..={} has fewer than 2 categories",
            scale.0, scale.1
        ));
    }
    Ok((scale.1 - scale.0 + 1) as usize)
}

/// Cohen's kappa under the three weightings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KappaSet {
    /// Unweighted kappa (Cohen 1960).
    pub unweighted: Estimate,
    /// Linearly weighted kappa.
    pub linear: Estimate,
    /// Quadratically weighted kappa (Cohen 1968; Fleiss & Cohen 1973).
    pub quadratic: Estimate,
}

/// Agreement between two raters on the targets both rated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairAgreement {
    /// Targets rated by both.
    pub n: usize,
    /// Cohen's kappas.
    pub kappa: KappaSet,
    /// Share of targets with identical ratings.
    pub exact: Option<f64>,
    /// Share of targets whose ratings differ by at most 1.
    pub within_one: Option<f64>,
}

/// Weighted kappa and its SE from a q × q contingency table (Fleiss, Cohen & Everitt 1969).
///
/// κ_w = (p_o − p_e)/(1 − p_e) with p_o = Σ w_ij p_ij, p_e = Σ w_ij p_i. p_.j, and
/// var(κ_w) = [Σ p_ij (w_ij − (w̄_i. + w̄_.j)(1 − κ_w))² − (κ_w − p_e(1 − κ_w))²] / (n (1 − p_e)²),
/// w̄_i. = Σ_j p_.j w_ij, w̄_.j = Σ_i p_i. w_ij; CI κ ± z₀.₉₇₅ SE (as statsmodels `cohens_kappa`).
pub fn kappa_from_table(table: &[f64], q: usize, weights: Weights) -> Estimate {
    let n: f64 = table.iter().sum();
    if n < 2.0 {
        return Estimate::missing("fewer than 2 targets rated by both raters");
    }
    let w = weights.matrix(q);
    let mut margins = vec![0.0; 2 * q];
    shares(table, q, n, &mut margins);
    let (po, pe) = observed_and_chance(table, q, n, &w, &margins);
    if pe.is_nan() || 1.0 - pe <= 1e-12 {
        return Estimate::missing("no variance: chance agreement is 1 (one category used by both)");
    }
    let (row, col) = margins.split_at(q);
    let kappa = (po - pe) / (1.0 - pe);
    let wr: Vec<f64> = (0..q)
        .map(|i| (0..q).map(|j| col[j] * w[i * q + j]).sum())
        .collect();
    let wc: Vec<f64> = (0..q)
        .map(|j| (0..q).map(|i| row[i] * w[i * q + j]).sum())
        .collect();
    let mut s = 0.0;
    for i in 0..q {
        for j in 0..q {
            let p = table[i * q + j] / n;
            s += p * (w[i * q + j] - (wr[i] + wc[j]) * (1.0 - kappa)).powi(2);
        }
    }
    let var = (s - (kappa - pe * (1.0 - kappa)).powi(2)) / ((1.0 - pe).powi(2) * n);
    let se = var.max(0.0).sqrt();
    let z = z975();
    Estimate::point(kappa)
        .with_se(se)
        .with_ci(kappa - z * se, kappa + z * se, "normal-asymptotic")
        .with_n(n as usize)
}

/// The row and column shares of a q × q table of `n` pairs into `margins` (2q long).
fn shares(table: &[f64], q: usize, n: f64, margins: &mut [f64]) {
    margins.iter_mut().for_each(|m| *m = 0.0);
    let (row, col) = margins.split_at_mut(q);
    for (i, cells) in table.chunks_exact(q).enumerate() {
        for (j, &c) in cells.iter().enumerate() {
            row[i] += c;
            col[j] += c;
        }
    }
    margins.iter_mut().for_each(|m| *m /= n);
}

/// p_o and p_e of a q × q table of `n` pairs under the weight matrix `w`, given its shares
/// (`margins`).
fn observed_and_chance(table: &[f64], q: usize, n: f64, w: &[f64], margins: &[f64]) -> (f64, f64) {
    let (row, col) = margins.split_at(q);
    let (mut po, mut pe) = (0.0, 0.0);
    for i in 0..q {
        for j in 0..q {
            po += w[i * q + j] * table[i * q + j];
            pe += w[i * q + j] * row[i] * col[j];
        }
    }
    (po / n, pe)
}

/// The kappas of [`kappa_from_table`] alone under each weight matrix of `ws` (NaN where
/// undefined), with 2q of scratch: what a jackknife recomputes per left-out cluster.
pub(crate) fn kappa_values<const N: usize>(
    table: &[f64],
    q: usize,
    ws: [&[f64]; N],
    scratch: &mut [f64],
) -> [f64; N] {
    let n: f64 = table.iter().sum();
    if n < 2.0 {
        return [f64::NAN; N];
    }
    shares(table, q, n, scratch);
    ws.map(|w| {
        let (po, pe) = observed_and_chance(table, q, n, w, scratch);
        if pe.is_nan() || 1.0 - pe <= 1e-12 {
            f64::NAN
        } else {
            (po - pe) / (1.0 - pe)
        }
    })
}

/// Cohen's kappas, exact and within-one agreement for two raters (pairwise-complete targets).
pub fn cohen_kappa(x: &[Option<f64>], y: &[Option<f64>], scale: (i64, i64)) -> PairAgreement {
    let pairs = x
        .iter()
        .zip(y)
        .filter_map(|(a, b)| Some(((*a)?, (*b)?, 1.0)));
    cohen_kappa_weighted(pairs, scale)
}

/// [`cohen_kappa`] from (x, y, count) pairs in target order (pooled targets count once each).
pub(crate) fn cohen_kappa_weighted(
    pairs: impl Iterator<Item = (f64, f64, f64)>,
    scale: (i64, i64),
) -> PairAgreement {
    let q = n_categories(scale);
    let qn = *q.as_ref().unwrap_or(&0);
    let mut table = vec![0.0; qn * qn];
    let mut bad: Option<String> = None;
    let (mut n, mut same, mut near) = (0.0, 0.0, 0.0);
    for (a, b, w) in pairs {
        n += w;
        if a == b {
            same += w;
        }
        if (a - b).abs() <= 1.0 {
            near += w;
        }
        if q.is_ok() && bad.is_none() {
            match (category(a, scale), category(b, scale)) {
                (Ok(i), Ok(j)) => table[i * qn + j] += w,
                (Err(e), _) | (_, Err(e)) => bad = Some(e),
            }
        }
    }
    let n_pairs = n as usize;
    let exact = (n_pairs > 0).then(|| same / n);
    let within_one = (n_pairs > 0).then(|| near / n);
    let missing = |r: &str| KappaSet {
        unweighted: Estimate::missing(r),
        linear: Estimate::missing(r),
        quadratic: Estimate::missing(r),
    };
    let kappa = match (q, bad) {
        (Err(e), _) | (Ok(_), Some(e)) => missing(&e),
        (Ok(q), None) => KappaSet {
            unweighted: kappa_from_table(&table, q, Weights::Identity),
            linear: kappa_from_table(&table, q, Weights::Linear),
            quadratic: kappa_from_table(&table, q, Weights::Quadratic),
        },
    };
    PairAgreement {
        n: n_pairs,
        kappa,
        exact,
        within_one,
    }
}

/// Category counts of the target patterns of `rows` that pass `keep`: (counts K × q,
/// multiplicities, q). Patterns come in order of first appearance, so the first value off the
/// scale reported is the first one among the targets.
pub(crate) fn pooled_category_counts(
    m: &RatingMatrix,
    rows: &TargetRows,
    scale: (i64, i64),
    keep: impl Fn(&[Option<f64>]) -> bool,
) -> Result<(Vec<f64>, Vec<f64>, usize), String> {
    let q = n_categories(scale)?;
    let (mut counts, mut w) = (Vec::new(), Vec::new());
    for (p, &c) in rows.patterns.counts.iter().enumerate() {
        let row = rows.row(m, p);
        if !keep(row) {
            continue;
        }
        let start = counts.len();
        counts.resize(start + q, 0.0);
        for v in row.iter().flatten() {
            counts[start + category(*v, scale)?] += 1.0;
        }
        w.push(f64::from(c));
    }
    Ok((counts, w, q))
}

/// Fleiss' kappa on complete targets (Fleiss 1971) with Gwet's linearisation SE (as irrCAC).
///
/// κ = (p_a − p_e)/(1 − p_e), p_e = Σ_k π_k²; SE from the per-target linearised terms
/// κ*_i = κ_i − 2(1 − κ)(p_e|i − p_e)/(1 − p_e) (Gwet 2014, ch. 5); CI κ ± t_{n−1} SE, upper ≤ 1.
pub fn fleiss_kappa(m: &RatingMatrix, scale: (i64, i64)) -> Estimate {
    if m.n_raters() < 2 {
        return Estimate::missing("fewer than 2 raters");
    }
    fleiss_kappa_pooled(m, &TargetRows::new(m), scale)
}

/// [`fleiss_kappa`] on the pooled target rows of `m` (at least 2 raters).
pub(crate) fn fleiss_kappa_pooled(
    m: &RatingMatrix,
    rows: &TargetRows,
    scale: (i64, i64),
) -> Estimate {
    if m.n_raters() < 2 {
        return Estimate::missing("fewer than 2 raters");
    }
    let complete = |r: &[Option<f64>]| r.iter().all(Option::is_some);
    let n_complete: u32 = (0..rows.patterns.len())
        .filter(|&p| complete(rows.row(m, p)))
        .map(|p| rows.patterns.counts[p])
        .sum();
    if n_complete < 2 {
        return Estimate::missing("fewer than 2 targets rated by every rater");
    }
    match pooled_category_counts(m, rows, scale, complete) {
        Ok((counts, w, q)) => crate::gwet::chance_corrected_weighted(
            &counts,
            &w,
            q,
            Weights::Identity,
            crate::gwet::Chance::Fleiss,
        ),
        Err(e) => Estimate::missing(e),
    }
}

/// Fleiss' kappa on every target with 2 or more ratings, as irrCAC's `fleiss` computes it with
/// missing ratings (Gwet 2014, §5.2): p_a over targets with r_i ≥ 2, the category shares π_k over
/// every rated target, and the linearisation SE of [`fleiss_kappa`].
pub fn fleiss_kappa_all(m: &RatingMatrix, scale: (i64, i64)) -> Estimate {
    fleiss_kappa_all_pooled(m, &TargetRows::new(m), scale)
}

/// [`fleiss_kappa_all`] on the pooled target rows of `m`.
pub(crate) fn fleiss_kappa_all_pooled(
    m: &RatingMatrix,
    rows: &TargetRows,
    scale: (i64, i64),
) -> Estimate {
    if m.n_active_raters() < 2 {
        return Estimate::missing("fewer than 2 raters");
    }
    match pooled_category_counts(m, rows, scale, |_| true) {
        Ok((counts, w, q)) => crate::gwet::chance_corrected_weighted(
            &counts,
            &w,
            q,
            Weights::Identity,
            crate::gwet::Chance::Fleiss,
        ),
        Err(e) => Estimate::missing(e),
    }
}

/// Two-sided t critical value used by the irrCAC-style intervals.
pub(crate) fn t975(df: f64) -> f64 {
    t_quantile(0.975, df)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fleiss (1971) Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (statsmodels fixture).
    pub(crate) fn fleiss_1971() -> RatingMatrix {
        let rows: [[u8; 6]; 30] = [
            [4, 4, 4, 4, 4, 4],
            [2, 2, 2, 5, 5, 5],
            [2, 3, 3, 3, 3, 5],
            [5, 5, 5, 5, 5, 5],
            [2, 2, 2, 4, 4, 4],
            [1, 1, 3, 3, 3, 3],
            [3, 3, 3, 3, 5, 5],
            [1, 1, 3, 3, 3, 4],
            [1, 1, 4, 4, 4, 4],
            [5, 5, 5, 5, 5, 5],
            [1, 4, 4, 4, 4, 4],
            [1, 2, 4, 4, 4, 4],
            [2, 2, 2, 3, 3, 3],
            [1, 4, 4, 4, 4, 4],
            [2, 2, 4, 4, 4, 5],
            [3, 3, 3, 3, 3, 5],
            [1, 1, 1, 4, 5, 5],
            [1, 1, 1, 1, 1, 2],
            [2, 2, 4, 4, 4, 4],
            [1, 3, 3, 5, 5, 5],
            [5, 5, 5, 5, 5, 5],
            [2, 4, 4, 4, 4, 4],
            [2, 2, 4, 5, 5, 5],
            [1, 1, 4, 4, 4, 4],
            [1, 4, 4, 4, 4, 5],
            [2, 2, 2, 2, 2, 4],
            [1, 1, 1, 1, 5, 5],
            [2, 2, 4, 4, 4, 4],
            [1, 3, 3, 3, 3, 3],
            [5, 5, 5, 5, 5, 5],
        ];
        let rows: Vec<Vec<f64>> = rows
            .iter()
            .map(|r| r.iter().map(|&v| f64::from(v)).collect())
            .collect();
        RatingMatrix::from_complete(&rows).unwrap()
    }

    #[test]
    fn fleiss_1971_diagnoses() {
        let e = fleiss_kappa(&fleiss_1971(), (1, 5));
        // Published .430; exact 0.4302445 (R irr::kappam.fleiss, statsmodels).
        assert!((e.value.unwrap() - 0.430_244_5).abs() < 1e-7);
        assert!(e.se.unwrap() > 0.0 && e.ci95.is_some());
    }

    #[test]
    fn unweighted_equals_identity_weighted_and_perfect_is_one() {
        let x: Vec<Option<f64>> = [1., 2., 3., 4., 5., 3.].iter().map(|&v| Some(v)).collect();
        let p = cohen_kappa(&x, &x, (1, 5));
        assert!((p.kappa.unweighted.value.unwrap() - 1.0).abs() < 1e-12);
        assert!((p.kappa.quadratic.value.unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(p.exact, Some(1.0));
        let off: Vec<Option<f64>> = x.iter().map(|v| v.map(|v| 6.0 - v)).collect();
        let p = cohen_kappa(&x, &off, (1, 5));
        assert!(p.kappa.quadratic.value.unwrap() < 0.0);
    }

    #[test]
    fn off_scale_and_constant_give_reasons() {
        let x = vec![Some(1.5), Some(2.0)];
        let p = cohen_kappa(&x, &x, (1, 5));
        assert!(p.kappa.linear.reason.as_deref().unwrap().contains("scale"));
        let c = vec![Some(3.0); 5];
        let p = cohen_kappa(&c, &c, (1, 5));
        assert!(p.kappa.unweighted.value.is_none() && p.kappa.unweighted.reason.is_some());
        assert_eq!(p.exact, Some(1.0));
    }
}
