//! Seeded bootstrap machinery over targets, run on per-target sufficient statistics.
//!
//! Targets with identical rating rows are pooled into "patterns" with a multiplicity. Drawing n
//! targets with replacement is then exactly a multinomial draw of pattern counts, which we sample
//! either by conditional binomials (few patterns) or by direct index draws (many patterns). Each
//! statistic is written once, for weighted patterns, so the point estimate and every resample run
//! the same code with no per-resample allocation. The generator is ChaCha8 seeded with the
//! caller's seed, so results are reproducible bit for bit.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Number of resamples and the seed of a percentile bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapSpec {
    /// Resamples (0 disables the bootstrap interval).
    pub resamples: usize,
    /// ChaCha8 seed.
    pub seed: u64,
}

impl Default for BootstrapSpec {
    fn default() -> Self {
        BootstrapSpec {
            resamples: 1000,
            seed: 42,
        }
    }
}

/// Distinct items with multiplicities, keyed by an exact bit pattern.
#[derive(Debug, Clone)]
pub struct Patterns {
    /// For each distinct pattern, the index of one representative item.
    pub representative: Vec<usize>,
    /// How many items share each pattern.
    pub counts: Vec<u32>,
    /// Pattern id of each item.
    pub item_pattern: Vec<u32>,
}

impl Patterns {
    /// Pool items by key (items with equal keys are interchangeable for the statistic).
    pub fn from_keys<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Patterns {
        let mut map: HashMap<K, u32> = HashMap::new();
        let mut representative = Vec::new();
        let mut counts = Vec::new();
        let mut item_pattern = Vec::new();
        for (i, k) in keys.enumerate() {
            let id = *map.entry(k).or_insert_with(|| {
                representative.push(i);
                counts.push(0);
                (representative.len() - 1) as u32
            });
            counts[id as usize] += 1;
            item_pattern.push(id);
        }
        Patterns {
            representative,
            counts,
            item_pattern,
        }
    }

    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when there are no items.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.item_pattern.len()
    }

    /// Multiplicities as f64 weights.
    pub fn weights(&self) -> Vec<f64> {
        self.counts.iter().map(|&c| f64::from(c)).collect()
    }
}

/// Key of a row of optional values (exact bits; `None` distinct from every value).
pub fn row_key(row: &[Option<f64>]) -> Vec<u64> {
    row.iter()
        .map(|c| c.map_or(u64::MAX, |v| (v + 0.0).to_bits()))
        .collect()
}

/// Draws bootstrap resamples of items as pattern weights (multinomial over patterns).
pub struct Resampler<'a> {
    rng: ChaCha8Rng,
    patterns: &'a Patterns,
    by_binomial: bool,
    ordered: Vec<usize>,
}

impl<'a> Resampler<'a> {
    /// A resampler over `patterns`, seeded.
    pub fn new(patterns: &'a Patterns, seed: u64) -> Self {
        let n = patterns.n_items();
        // A binomial draw costs roughly 15 uniform draws; pick the cheaper exact method.
        let by_binomial = patterns.len() * 15 < n;
        let mut ordered: Vec<usize> = (0..patterns.len()).collect();
        ordered.sort_by(|&a, &b| patterns.counts[b].cmp(&patterns.counts[a]));
        Resampler {
            rng: ChaCha8Rng::seed_from_u64(seed),
            patterns,
            by_binomial,
            ordered,
        }
    }

    /// Fill `w` (len = patterns) with the pattern counts of one resample of n items.
    pub fn draw(&mut self, w: &mut [f64]) {
        let p = self.patterns;
        let n = p.n_items();
        w.iter_mut().for_each(|x| *x = 0.0);
        if n == 0 {
            return;
        }
        if self.by_binomial {
            let mut left = n as u64;
            let mut mass = n as f64;
            for &k in &self.ordered {
                if left == 0 {
                    break;
                }
                let c = f64::from(p.counts[k]);
                let prob = (c / mass).min(1.0);
                let x = if prob >= 1.0 {
                    left
                } else {
                    match Binomial::new(left, prob) {
                        Ok(b) => b.sample(&mut self.rng),
                        Err(_) => 0,
                    }
                };
                w[k] = x as f64;
                left -= x;
                mass -= c;
            }
        } else {
            for _ in 0..n {
                let i = self.rng.random_range(0..n);
                w[p.item_pattern[i] as usize] += 1.0;
            }
        }
    }
}

/// Quantile with linear interpolation between order statistics (numpy's default, Hyndman–Fan 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Percentile 95% interval from resampled values (non-finite resamples are skipped).
///
/// Returns `None` when fewer than half of the resamples gave a finite value.
pub fn percentile_ci(values: &mut Vec<f64>, asked: usize) -> Option<(f64, f64)> {
    values.retain(|v| v.is_finite());
    if values.is_empty() || values.len() * 2 < asked {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some((
        quantile_sorted(values, 0.025),
        quantile_sorted(values, 0.975),
    ))
}

/// Targets with at least one rating, pooled by identical rows: the unit of every target bootstrap.
///
/// Statistics that share a `TargetRows` and a seed see exactly the same resamples, so the report
/// can draw once per resample for several statistics and still match the standalone functions.
#[derive(Debug, Clone)]
pub struct TargetRows {
    /// Matrix row of each kept target.
    pub keep: Vec<usize>,
    /// Kept targets pooled by identical rows.
    pub patterns: Patterns,
}

impl TargetRows {
    /// Pool the rated targets of `m`.
    pub fn new(m: &crate::matrix::RatingMatrix) -> TargetRows {
        let keep: Vec<usize> = (0..m.n_targets())
            .filter(|&t| m.row(t).iter().any(Option::is_some))
            .collect();
        let patterns = Patterns::from_keys(keep.iter().map(|&t| row_key(m.row(t))));
        TargetRows { keep, patterns }
    }

    /// The matrix row standing for pattern `p`.
    pub fn row<'m>(&self, m: &'m crate::matrix::RatingMatrix, p: usize) -> &'m [Option<f64>] {
        m.row(self.keep[self.patterns.representative[p]])
    }

    /// Call `f` with the pattern weights of each of `spec.resamples` resamples.
    pub fn for_each_resample(&self, spec: BootstrapSpec, mut f: impl FnMut(&[f64])) {
        if spec.resamples == 0 || self.patterns.is_empty() {
            return;
        }
        let mut rs = Resampler::new(&self.patterns, spec.seed);
        let mut w = vec![0.0; self.patterns.len()];
        for _ in 0..spec.resamples {
            rs.draw(&mut w);
            f(&w);
        }
    }
}

#[cfg(test)]
mod tests {
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
    fn quantile_matches_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-12);
    }
}
