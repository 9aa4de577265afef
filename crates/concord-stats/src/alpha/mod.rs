//! Krippendorff's alpha for nominal, ordinal, interval and ratio data with missing values.
//!
//! Coincidence-matrix method of Krippendorff (2011), "Computing Krippendorff's alpha-reliability":
//! each unit u with m_u ≥ 2 values adds (n_uc n_uk − [c = k] n_uc)/(m_u − 1) to o_ck; with
//! marginals n_c and n = Σ n_c, α = 1 − (n − 1) Σ o_ck δ²_ck / Σ n_c n_k δ²_ck.
//! Units with fewer than two values are not pairable and are dropped (and counted).

//!
//! `jackknife.rs` holds the intervals.

mod jackknife;
#[cfg(test)]
mod tests;

use crate::bootstrap::{FastHash, TargetRows};
use crate::estimate::Estimate;
use crate::matrix::RatingMatrix;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub(crate) use jackknife::alpha_jackknifed;

/// Level of measurement, which fixes the difference function δ².
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// δ² = [c ≠ k].
    Nominal,
    /// δ² = (Σ_{g=c..k} n_g − (n_c + n_k)/2)².
    Ordinal,
    /// δ² = (c − k)².
    Interval,
    /// δ² = ((c − k)/(c + k))².
    Ratio,
}

impl Level {
    /// All four levels in schema order.
    pub const ALL: [Level; 4] = [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ];

    /// Schema key.
    pub fn key(self) -> &'static str {
        match self {
            Level::Nominal => "nominal",
            Level::Ordinal => "ordinal",
            Level::Interval => "interval",
            Level::Ratio => "ratio",
        }
    }
}

/// Alpha at the four levels of measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlphaSet {
    /// Nominal alpha.
    pub nominal: Estimate,
    /// Ordinal alpha.
    pub ordinal: Estimate,
    /// Interval alpha.
    pub interval: Estimate,
    /// Ratio alpha.
    pub ratio: Estimate,
}

impl AlphaSet {
    /// The four estimates with their keys.
    pub fn named(&self) -> [(&'static str, &Estimate); 4] {
        [
            ("nominal", &self.nominal),
            ("ordinal", &self.ordinal),
            ("interval", &self.interval),
            ("ratio", &self.ratio),
        ]
    }
}

/// Pairable units pooled into patterns of (value index, count).
struct Units {
    domain: Vec<f64>,
    /// Number of units sharing each unit pattern.
    counts: Vec<f64>,
    /// Per unit pattern, its additions to the accumulator `[o (C × C) | n_c (C)]`: only the
    /// off-diagonal o_ck with c < k (all that α reads) and the marginals, so that a resample
    /// costs a few sparse multiply-adds per pattern. Stored flat: pattern p's terms are
    /// `terms[term_start[p]..term_start[p + 1]]` (one contiguous walk per resample).
    terms: Vec<(usize, f64)>,
    term_start: Vec<usize>,
    /// Unit pattern of each target pattern (`None` when it has fewer than 2 values).
    row_to_unit: Vec<Option<usize>>,
    n_units: usize,
}

/// A unit's values as sorted (domain index, count) pairs.
fn unit_key(domain: &[f64], row: &[Option<f64>]) -> Vec<(usize, u32)> {
    let mut e: Vec<(usize, u32)> = Vec::new();
    for v in row.iter().flatten() {
        let c = domain.partition_point(|d| d < v);
        match e.iter_mut().find(|x| x.0 == c) {
            Some(x) => x.1 += 1,
            None => e.push((c, 1)),
        }
    }
    e.sort_unstable();
    e
}

impl Units {
    /// Units from the pooled target rows: targets with identical rows are identical units,
    /// so each distinct row is keyed once. Unit patterns come out in order of first appearance
    /// among the targets, as if every row had been keyed.
    fn new(mat: &RatingMatrix, rows: &TargetRows) -> Units {
        let reps = || (0..rows.patterns.len()).map(|p| rows.row(mat, p));
        let mut domain: Vec<f64> = reps().flat_map(|r| r.iter().flatten().copied()).collect();
        domain.sort_unstable_by(f64::total_cmp);
        domain.dedup();
        let c = domain.len();
        // Unit patterns are numbered by first appearance, so the hasher only affects speed.
        let mut index: HashMap<Vec<(usize, u32)>, usize, FastHash> = HashMap::default();
        let (mut counts, mut terms, mut row_to_unit) = (Vec::new(), Vec::new(), Vec::new());
        let mut term_start = vec![0];
        let mut n_units = 0;
        for (p, row) in reps().enumerate() {
            let e = unit_key(&domain, row);
            if e.iter().map(|x| x.1).sum::<u32>() < 2 {
                row_to_unit.push(None);
                continue;
            }
            let weight = rows.patterns.counts[p];
            n_units += weight as usize;
            let u = *index.entry(e).or_insert_with_key(|e| {
                terms.extend(unit_terms(e, c));
                term_start.push(terms.len());
                counts.push(0.0);
                counts.len() - 1
            });
            counts[u] += f64::from(weight);
            row_to_unit.push(Some(u));
        }
        Units {
            domain,
            counts,
            terms,
            term_start,
            row_to_unit,
            n_units,
        }
    }

    /// Add `w` times pattern p's coincidences and marginals to `acc` = `[o | n_c]`.
    fn add(&self, p: usize, w: f64, acc: &mut [f64]) {
        for &(i, v) in &self.terms[self.term_start[p]..self.term_start[p + 1]] {
            acc[i] += w * v;
        }
    }

    /// Undo [`Units::add`] of pattern p exactly: its entries of `acc` copied back from `from`.
    fn restore(&self, p: usize, from: &[f64], acc: &mut [f64]) {
        for &(i, _) in &self.terms[self.term_start[p]..self.term_start[p + 1]] {
            acc[i] = from[i];
        }
    }

    fn coincidences(&self, w: &[f64], acc: &mut [f64]) {
        acc.iter_mut().for_each(|x| *x = 0.0);
        // No test for zero weights: every term is a positive finite count or ratio, so a zero
        // weight adds +0, which leaves the accumulators (started at +0) unchanged bit for bit,
        // and a branch on resampled weights would mispredict about a third of the time.
        for (span, &wp) in self.term_start.windows(2).zip(w) {
            for &(i, v) in &self.terms[span[0]..span[1]] {
                acc[i] += wp * v;
            }
        }
    }
}

/// A unit's additions to `[o | n_c]`: (n_uc n_uk)/(m_u − 1) for c < k, and n_uc.
fn unit_terms(entries: &[(usize, u32)], c: usize) -> Vec<(usize, f64)> {
    let m: f64 = entries.iter().map(|e| f64::from(e.1)).sum();
    let mut t = Vec::new();
    for (i, &(a, na)) in entries.iter().enumerate() {
        for &(b, nb) in &entries[i + 1..] {
            let (lo, hi) = (a.min(b), a.max(b));
            t.push((lo * c + hi, f64::from(na) * f64::from(nb) / (m - 1.0)));
        }
        t.push((c * c + a, f64::from(na)));
    }
    t
}

/// Squared difference δ²(c, k) between domain values c < k (Krippendorff 2011, section E);
/// `span` = n_c + … + n_k, kept as a running sum by the caller so ordinal costs O(1).
fn delta2(level: Level, domain: &[f64], nc: &[f64], span: f64, c: usize, k: usize) -> f64 {
    let (vc, vk) = (domain[c], domain[k]);
    match level {
        Level::Nominal => 1.0,
        Level::Ordinal => {
            let s = span - (nc[c] + nc[k]) / 2.0;
            s * s
        }
        Level::Interval => (vc - vk).powi(2),
        Level::Ratio => {
            let s = vc + vk;
            if s == 0.0 {
                0.0
            } else {
                ((vc - vk) / s).powi(2)
            }
        }
    }
}

/// δ²(c, k) for every c < k at a level whose differences do not depend on the marginals
/// (all but ordinal), row-major C × C: the bootstrap reads them once per resample and level.
fn fixed_delta2(level: Level, domain: &[f64]) -> Option<Vec<f64>> {
    if level == Level::Ordinal {
        return None;
    }
    let c = domain.len();
    let mut t = vec![0.0; c * c];
    for a in 0..c {
        for b in (a + 1)..c {
            t[a * c + b] = delta2(level, domain, &[], 0.0, a, b);
        }
    }
    Some(t)
}

/// α from the accumulator `[o | n_c]` (`None` when there is no expected disagreement), with δ²
/// read from `fixed` (see [`fixed_delta2`]) when given.
fn alpha_with(level: Level, domain: &[f64], fixed: Option<&[f64]>, acc: &[f64]) -> Option<f64> {
    let c = domain.len();
    let (o, nc) = acc.split_at(c * c);
    let n: f64 = nc.iter().sum();
    if n <= 1.0 {
        return None;
    }
    let (mut d_o, mut d_e) = (0.0, 0.0);
    for a in 0..c {
        if nc[a] == 0.0 {
            continue;
        }
        let mut span = nc[a];
        for b in (a + 1)..c {
            span += nc[b];
            if nc[b] == 0.0 {
                continue;
            }
            let d = match fixed {
                Some(t) => t[a * c + b],
                None => delta2(level, domain, nc, span, a, b),
            };
            d_o += 2.0 * o[a * c + b] * d;
            d_e += 2.0 * nc[a] * nc[b] * d;
        }
    }
    if d_e.is_nan() || d_e <= 0.0 {
        return None;
    }
    let v = 1.0 - (n - 1.0) * d_o / d_e;
    v.is_finite().then_some(v)
}

/// [`alpha_with`] at several levels in one pass over the pairs c < k: the products
/// 2·o_ck and 2·n_c·n_k are formed once and each level keeps its own pair of sums, so the
/// coincidence matrix is read once instead of once per level and the levels' addition chains
/// run side by side. Every level adds the same terms in the same order as [`alpha_with`]
/// (`2.0 * o * d` is `(2.0 * o) * d`, likewise for the expected term), so the results are
/// bit-identical. `fixed[li]` is level li's table from [`fixed_delta2`] (`None`: ordinal).
fn alpha_multi<const L: usize>(
    domain: &[f64],
    fixed: [Option<&[f64]>; L],
    acc: &[f64],
) -> [Option<f64>; L] {
    let c = domain.len();
    let (o, nc) = acc.split_at(c * c);
    let n: f64 = nc.iter().sum();
    if n <= 1.0 {
        return [None; L];
    }
    let (mut d_o, mut d_e) = ([0.0; L], [0.0; L]);
    for a in 0..c {
        if nc[a] == 0.0 {
            continue;
        }
        let mut span = nc[a];
        for b in (a + 1)..c {
            span += nc[b];
            if nc[b] == 0.0 {
                continue;
            }
            let o2 = 2.0 * o[a * c + b];
            let e2 = 2.0 * nc[a] * nc[b];
            for li in 0..L {
                let d = match fixed[li] {
                    Some(t) => t[a * c + b],
                    None => delta2(Level::Ordinal, domain, nc, span, a, b),
                };
                d_o[li] += o2 * d;
                d_e[li] += e2 * d;
            }
        }
    }
    std::array::from_fn(|li| {
        if d_e[li].is_nan() || d_e[li] <= 0.0 {
            return None;
        }
        let v = 1.0 - (n - 1.0) * d_o[li] / d_e[li];
        v.is_finite().then_some(v)
    })
}

const NO_PAIRS: &str = "fewer than 2 pairable units (units with ≥ 2 ratings)";
const NO_VARIATION: &str = "no variation: every pairable value is the same";

/// Alpha at all four levels, sharing the coincidence matrices across levels (Krippendorff 2011).
pub fn krippendorff_alpha_all(m: &RatingMatrix) -> AlphaSet {
    let mut v = alpha_levels(m, &Level::ALL).into_iter();
    let mut next = || v.next().unwrap_or_else(|| Estimate::missing(NO_PAIRS));
    AlphaSet {
        nominal: next(),
        ordinal: next(),
        interval: next(),
        ratio: next(),
    }
}

/// Alpha per level with the delete-one-unit jackknife SE sqrt((N−1)/N Σ_u (α_(u) − ᾱ)²) over
/// the N pairable units and the t_{N−1} interval α ± t·SE (`jackknife.rs`; the report leaves
/// out whole items instead when several responses answer each).
pub fn alpha_levels(m: &RatingMatrix, levels: &[Level]) -> Vec<Estimate> {
    alpha_jackknifed(m, &TargetRows::new(m), levels, None)
}

/// The levels asked for, with their δ² tables where those do not depend on the marginals.
struct LevelSet {
    levels: Vec<Level>,
    fixed: Vec<Option<Vec<f64>>>,
}

impl LevelSet {
    fn new(levels: &[Level], domain: &[f64]) -> LevelSet {
        LevelSet {
            levels: levels.to_vec(),
            fixed: levels.iter().map(|&l| fixed_delta2(l, domain)).collect(),
        }
    }

    /// α at every level from the accumulator `[o | n_c]`, into `out` (one per level).
    ///
    /// The report asks for all four levels, evaluated by [`alpha_multi`] in one pass (this
    /// runs once per resample and once per jackknife deletion); other level lists go level by
    /// level. The fixed tables hold exactly the δ² that [`delta2`] computes, so either way the
    /// values equal those of computing δ² on the fly.
    fn eval(&self, domain: &[f64], acc: &[f64], out: &mut [Option<f64>]) {
        if let [t0, t1, t2, t3] = &self.fixed[..] {
            let v = alpha_multi(
                domain,
                [t0.as_deref(), t1.as_deref(), t2.as_deref(), t3.as_deref()],
                acc,
            );
            out.copy_from_slice(&v);
        } else {
            for (li, &l) in self.levels.iter().enumerate() {
                out[li] = alpha_with(l, domain, self.fixed[li].as_deref(), acc);
            }
        }
    }
}
