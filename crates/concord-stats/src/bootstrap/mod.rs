//! Percentile intervals, the seed of every bootstrap, and target rows pooled into patterns.
//!
//! Targets with identical rating rows are pooled into "patterns" with a multiplicity, so that
//! statistics (and their jackknife replicates) run once per distinct row. The resampled
//! statistics themselves (model-level pairs, REML's pivots, Henderson's parametric draws) draw
//! with their own seeded generators.

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Seed of every bootstrap when none is chosen (`BootstrapSpec::default`,
/// `ReportOptions::bootstrap_seed`).
pub const DEFAULT_BOOTSTRAP_SEED: u64 = 42;

/// Number of resamples and the seed of a percentile bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapSpec {
    /// Resamples (0 disables the bootstrap interval).
    pub resamples: usize,
    /// Seed of the generator (every draw follows from it).
    pub seed: u64,
}

impl Default for BootstrapSpec {
    fn default() -> Self {
        BootstrapSpec {
            resamples: 1000,
            seed: DEFAULT_BOOTSTRAP_SEED,
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
    /// Pool items by key (items with equal keys are interchangeable for the statistic), in order
    /// of first appearance.
    fn from_keys<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Patterns {
        let mut map: HashMap<K, u32, FastHash> = HashMap::default();
        let mut representative = Vec::new();
        let mut counts = Vec::new();
        let mut item_pattern = Vec::with_capacity(keys.size_hint().0);
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

    /// Pool rows by their values' exact bits (`None` distinct from every value, −0 equal to
    /// +0), in order of first appearance; the rows are hashed in place, without building keys.
    pub(crate) fn of_rows<'a>(rows: impl Iterator<Item = &'a [Option<f64>]>) -> Patterns {
        Patterns::from_keys(rows.map(RowKey))
    }

    /// Number of distinct patterns.
    pub fn len(&self) -> usize {
        self.counts.len()
    }
}

/// A matrix row compared and hashed by its values' exact bits (`None` distinct from every
/// value, −0 equal to +0), without building a key.
struct RowKey<'a>(&'a [Option<f64>]);

fn cell_bits(c: &Option<f64>) -> u64 {
    c.map_or(u64::MAX, |v| (v + 0.0).to_bits())
}

impl PartialEq for RowKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0)
                .all(|(a, b)| cell_bits(a) == cell_bits(b))
    }
}

impl Eq for RowKey<'_> {}

impl std::hash::Hash for RowKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for c in self.0 {
            h.write_u64(cell_bits(c));
        }
    }
}

/// Multiply-rotate hasher (the FxHash recipe) for small in-process keys: SipHash's DoS
/// resistance buys nothing here and costs most of the time of pooling 10,000 rows.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // Final avalanche so that the table's low and high bits both depend on every word.
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^ (z >> 33)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// `BuildHasher` of [`FastHasher`].
pub(crate) type FastHash = std::hash::BuildHasherDefault<FastHasher>;

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
    // Only the order statistics around the two quantiles are read, so select them instead of
    // sorting: `total_cmp` is a total order, so the selected values are exactly those a sort
    // would put there and the interval is bit-identical.
    Some((
        quantile_selected(values, 0.025),
        quantile_selected(values, 0.975),
    ))
}

/// [`quantile_sorted`] of `values` as if sorted by `total_cmp`, by selection (reorders `values`).
fn quantile_selected(values: &mut [f64], q: f64) -> f64 {
    let h = (values.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (_, &mut v_lo, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    // Order statistic lo + 1 is the smallest value above position lo.
    let v_hi = if hi == lo {
        v_lo
    } else {
        above.iter().copied().min_by(f64::total_cmp).unwrap_or(v_lo)
    };
    v_lo + (h - lo as f64) * (v_hi - v_lo)
}

/// Targets with at least one rating, pooled by identical rows, which the human statistics read
/// with their multiplicities instead of walking every target.
#[derive(Debug, Clone)]
pub struct TargetRows {
    /// Matrix row of each kept target.
    pub keep: Vec<usize>,
    /// Kept targets pooled by identical rows.
    pub patterns: Patterns,
}

impl TargetRows {
    /// Pool the rated targets of `m` by identical rows, in order of first appearance.
    pub fn new(m: &crate::matrix::RatingMatrix) -> TargetRows {
        let keep: Vec<usize> = (0..m.n_targets())
            .filter(|&t| m.row(t).iter().any(Option::is_some))
            .collect();
        let patterns = Patterns::of_rows(keep.iter().map(|&t| m.row(t)));
        TargetRows { keep, patterns }
    }

    /// Pattern id of every target of the matrix (`None` for targets nobody rated).
    pub fn target_patterns(&self, n_targets: usize) -> Vec<Option<u32>> {
        let mut out = vec![None; n_targets];
        for (&t, &p) in self.keep.iter().zip(&self.patterns.item_pattern) {
            out[t] = Some(p);
        }
        out
    }

    /// The matrix row standing for pattern `p`.
    pub fn row<'m>(&self, m: &'m crate::matrix::RatingMatrix, p: usize) -> &'m [Option<f64>] {
        m.row(self.keep[self.patterns.representative[p]])
    }
}
