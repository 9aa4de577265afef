//! Seeded bootstrap machinery over targets, run on per-target sufficient statistics.
//!
//! Targets with identical rating rows are pooled into "patterns" with a multiplicity. Drawing n
//! targets with replacement is then exactly a multinomial draw of pattern counts, which we sample
//! either by Poissonization with rejection on the total (few patterns, see [`Resampler`]) or by
//! direct index draws (many patterns). Each
//! statistic is written once, for weighted patterns, so the point estimate and every resample run
//! the same code with no per-resample allocation. The generator is xoshiro256++ seeded through
//! ChaCha8 from the caller's seed, so results are reproducible bit for bit.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
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
    /// Pool items by key (items with equal keys are interchangeable for the statistic).
    #[cfg(test)]
    fn from_keys<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Patterns {
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

/// xoshiro256++ (Blackman & Vigna 2019), seeded from ChaCha8 so the caller's `u64` seed still
/// fixes every draw. A resample needs one uniform per pattern; ChaCha8 costs ~4 ns per `u64`
/// here, xoshiro ~1 ns, and its statistical quality is ample for resampling.
struct Xoshiro256pp([u64; 4]);

impl Xoshiro256pp {
    fn seed_from(seed: u64) -> Self {
        let mut c = ChaCha8Rng::seed_from_u64(seed);
        let mut s = [c.next_u64(), c.next_u64(), c.next_u64(), c.next_u64()];
        if s == [0; 4] {
            s[0] = 1; // the all-zero state is the one fixed point
        }
        Xoshiro256pp(s)
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let out = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        out
    }

    /// Uniform integer in 0..n (n > 0), unbiased (Lemire 2019, multiply and reject).
    fn below(&mut self, n: u64) -> u64 {
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

/// Alias tables (Walker 1977, Vose 1991) of independent Poisson laws, one per pattern, flattened.
///
/// Each table covers the values whose probability is above 2^-62 (the rest of the mass is far
/// below the 2^-53 resolution of the uniforms, so no uniform could select it anyway), padded with
/// zero-probability slots to a power of two. A draw is then branch-free: the top bits of one
/// random word pick a slot, the remaining 53 bits are the uniform compared with its threshold.
///
/// Patterns with the same multiplicity have the same law, so each distinct mean gets one table
/// that those patterns share (a few dozen tables for a thousand patterns).
struct PoissonTables {
    /// Per pattern, (offset of its table in `slots`, log2 of its slot count).
    table: Vec<(u32, u32)>,
    /// Every table's slots (a slot holds all that one draw reads).
    slots: Vec<Slot>,
    /// Every table has 2 to 2^11 slots, so one random word always serves a whole draw.
    all_small: bool,
}

/// One alias-table slot: keep `value` with probability `prob`, else yield `alias`.
///
/// `prob` is stored as the integer threshold `ceil(prob · 2^53)`: for a 53-bit integer x the
/// uniform x · 2^-53 is below `prob` exactly when x is below the threshold (scaling by 2^53 is
/// exact), so the draw compares integers and makes the same decisions as comparing the float.
#[derive(Clone, Copy)]
struct Slot {
    threshold: u64,
    value: u32,
    alias: u32,
}

/// `ceil(p · 2^53)` for a probability p (0 when p ≤ 0; rounding can leave p a hair below 0).
fn threshold_53(p: f64) -> u64 {
    if p > 0.0 {
        (p * (1u64 << 53) as f64).ceil() as u64
    } else {
        0
    }
}

/// Poisson(mu) probabilities above 2^-62, from the mode outwards: (first value, pmf).
fn poisson_pmf(mu: f64) -> (u32, Vec<f64>) {
    const TINY: f64 = 2.168_404_344_971_009e-19; // 2^-62
    let mode = mu.floor();
    let p_mode = (-mu + mode * mu.ln() - statrs::function::gamma::ln_gamma(mode + 1.0)).exp();
    let mut pmf = Vec::new();
    let (mut p, mut x) = (p_mode, mode);
    while x > 0.0 && p > TINY {
        p *= x / mu;
        x -= 1.0;
        pmf.push(p);
    }
    pmf.reverse();
    let lo = mode as u32 - pmf.len() as u32;
    let (mut p, mut x) = (p_mode, mode);
    pmf.push(p);
    while p > TINY || x < mu {
        x += 1.0;
        p *= mu / x;
        pmf.push(p);
    }
    let total: f64 = pmf.iter().sum();
    pmf.iter_mut().for_each(|q| *q /= total);
    (lo, pmf)
}

impl PoissonTables {
    fn new(means: impl Iterator<Item = f64>) -> Self {
        let mut t = PoissonTables {
            table: Vec::new(),
            slots: Vec::new(),
            all_small: false,
        };
        let mut built: HashMap<u64, (u32, u32), FastHash> = HashMap::default();
        for mu in means {
            let entry = *built.entry(mu.to_bits()).or_insert_with(|| {
                let (lo, pmf) = poisson_pmf(mu);
                t.push(lo, &pmf)
            });
            t.table.push(entry);
        }
        t.all_small = t.table.iter().all(|&(_, bits)| (1..=11).contains(&bits));
        t
    }

    /// Append one alias table (Vose's method); returns its (offset, log2 size).
    fn push(&mut self, lo: u32, pmf: &[f64]) -> (u32, u32) {
        let size = pmf.len().next_power_of_two();
        let mut scaled: Vec<f64> = (0..size)
            .map(|i| pmf.get(i).map_or(0.0, |p| p * size as f64))
            .collect();
        let mut alias: Vec<u32> = (0..size as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..size).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers carry probability 1 up to rounding.
        for i in small.into_iter().chain(large) {
            scaled[i] = 1.0;
        }
        let start = self.slots.len() as u32;
        self.slots.extend((0..size).map(|i| Slot {
            threshold: threshold_53(scaled[i]),
            value: lo + i as u32,
            alias: lo + alias[i],
        }));
        (start, size.trailing_zeros())
    }

    /// One draw from the table at `start` with 2^`bits` slots.
    #[inline(always)]
    fn sample(&self, (start, bits): (u32, u32), rng: &mut Xoshiro256pp) -> u32 {
        let r = rng.next_u64();
        let slot = &self.slots[start as usize + r.checked_shr(64 - bits).unwrap_or(0) as usize];
        // The bits below the slot index are the uniform (as a 53-bit integer, see [`Slot`]);
        // with > 11 index bits take a fresh one.
        let x = if bits <= 11 {
            (r << bits) >> 11
        } else {
            rng.next_u64() >> 11
        };
        if x < slot.threshold {
            slot.value
        } else {
            slot.alias
        }
    }
}

/// Draws bootstrap resamples of items as pattern weights (multinomial over patterns).
///
/// Drawing n items with replacement gives pattern counts ~ Multinomial(n; c_k / n). With many
/// items per pattern this is sampled exactly by Poissonization: draw independent
/// N_k ~ Poisson(λ c_k / n) with λ = n − 1.5√n from alias tables; given T = Σ N_k the vector is
/// Multinomial(T; c_k / n), so when T > n the whole vector is redrawn (about 7% of the time, and
/// the rejection depends on T only) and otherwise the n − T missing items are drawn one by one
/// as uniform item indices. The result is Multinomial(n; c_k / n) for every T, at a cost of
/// about one uniform per pattern plus 1.5√n index draws. With few items per pattern the n items
/// are drawn directly as uniform indices.
pub struct Resampler<'a> {
    rng: Xoshiro256pp,
    patterns: &'a Patterns,
    poisson: Option<PoissonTables>,
}

impl<'a> Resampler<'a> {
    /// A resampler over `patterns`, seeded.
    pub fn new(patterns: &'a Patterns, seed: u64) -> Self {
        let n = patterns.n_items() as f64;
        let lambda = n - 1.5 * n.sqrt();
        // Per resample: ~2 units of work per pattern plus the index draws, against n index draws.
        let by_poisson = 2.0 * patterns.len() as f64 + 2.0 * n.sqrt() < n && lambda > 0.0;
        let poisson = by_poisson.then(|| {
            PoissonTables::new(patterns.counts.iter().map(|&c| lambda * f64::from(c) / n))
        });
        Resampler {
            rng: Xoshiro256pp::seed_from(seed),
            patterns,
            poisson,
        }
    }

    /// Fill `w` (len = patterns) with the pattern counts of one resample of n items.
    pub fn draw(&mut self, w: &mut [f64]) {
        let p = self.patterns;
        let n = p.n_items() as u64;
        if n == 0 || self.poisson.is_none() {
            // The Poisson path below overwrites every weight itself.
            w.iter_mut().for_each(|x| *x = 0.0);
        }
        if n == 0 {
            return;
        }
        let mut drawn = 0;
        if let Some(t) = &self.poisson {
            loop {
                drawn = 0;
                if t.all_small {
                    // The usual case (means below ~1,500), with the draw specialised: the slot
                    // index is the top `bits` of one word and the uniform its low 53 bits.
                    for (wk, &(start, bits)) in w.iter_mut().zip(&t.table) {
                        let r = self.rng.next_u64();
                        let slot = &t.slots[start as usize + (r >> (64 - bits)) as usize];
                        let x = if (r << bits) >> 11 < slot.threshold {
                            slot.value
                        } else {
                            slot.alias
                        };
                        *wk = f64::from(x);
                        drawn += u64::from(x);
                    }
                } else {
                    for (wk, &table) in w.iter_mut().zip(&t.table) {
                        let x = t.sample(table, &mut self.rng);
                        *wk = f64::from(x);
                        drawn += u64::from(x);
                    }
                }
                if drawn <= n {
                    break;
                }
            }
        }
        for _ in drawn..n {
            let i = self.rng.below(n) as usize;
            w[p.item_pattern[i] as usize] += 1.0;
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
    /// Pool the rated targets of `m` by identical rows, in order of first appearance (the rows
    /// are hashed in place instead of allocating a key per row).
    pub fn new(m: &crate::matrix::RatingMatrix) -> TargetRows {
        let keep: Vec<usize> = (0..m.n_targets())
            .filter(|&t| m.row(t).iter().any(Option::is_some))
            .collect();
        let mut map: HashMap<RowKey, u32, FastHash> = HashMap::default();
        let mut patterns = Patterns {
            representative: Vec::new(),
            counts: Vec::new(),
            item_pattern: Vec::with_capacity(keep.len()),
        };
        for (i, &t) in keep.iter().enumerate() {
            let id = *map.entry(RowKey(m.row(t))).or_insert_with(|| {
                patterns.representative.push(i);
                patterns.counts.push(0);
                (patterns.representative.len() - 1) as u32
            });
            patterns.counts[id as usize] += 1;
            patterns.item_pattern.push(id);
        }
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

    /// Call `f` with the pattern weights of each of `spec.resamples` cluster resamples: the
    /// clusters (items) are drawn with replacement and each brings all its targets (Davison &
    /// Hinkley 1997, §3.8). `cluster_of` gives the cluster of every kept target (as `keep`).
    pub fn for_each_cluster_resample(
        &self,
        spec: BootstrapSpec,
        cluster_of: &[u32],
        mut f: impl FnMut(&[f64]),
    ) {
        if spec.resamples == 0 || self.patterns.is_empty() {
            return;
        }
        // Each cluster as its (pattern, count) list, clusters in order of first appearance.
        let mut index: HashMap<u32, usize, FastHash> = HashMap::default();
        let mut clusters: Vec<Vec<(u32, f64)>> = Vec::new();
        for (&c, &p) in cluster_of.iter().zip(&self.patterns.item_pattern) {
            let next = clusters.len();
            let i = *index.entry(c).or_insert(next);
            if i == next {
                clusters.push(Vec::new());
            }
            match clusters[i].iter_mut().find(|e| e.0 == p) {
                Some(e) => e.1 += 1.0,
                None => clusters[i].push((p, 1.0)),
            }
        }
        let mut rng = Xoshiro256pp::seed_from(spec.seed);
        let mut w = vec![0.0; self.patterns.len()];
        let n = clusters.len() as u64;
        for _ in 0..spec.resamples {
            w.iter_mut().for_each(|x| *x = 0.0);
            for _ in 0..n {
                for &(p, c) in &clusters[rng.below(n) as usize] {
                    w[p as usize] += c;
                }
            }
            f(&w);
        }
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
    fn poissonized_counts_have_multinomial_moments() {
        // 40 patterns of 1..=40 items (n = 820): E = c, Var = c(1 − c/n), Cov = −c_a c_b / n.
        let p =
            Patterns::from_keys((0..40u32).flat_map(|k| std::iter::repeat_n(k, k as usize + 1)));
        let n = p.n_items() as f64;
        let mut rs = Resampler::new(&p, 3);
        assert!(rs.poisson.is_some());
        let reps = 20_000;
        let (mut s1, mut s2, mut cross) = (vec![0.0; 40], vec![0.0; 40], 0.0);
        let mut w = vec![0.0; 40];
        for _ in 0..reps {
            rs.draw(&mut w);
            assert_eq!(w.iter().sum::<f64>(), n);
            for k in 0..40 {
                s1[k] += w[k];
                s2[k] += w[k] * w[k];
            }
            cross += w[38] * w[39];
        }
        let r = f64::from(reps);
        for k in 0..40 {
            let c = f64::from(p.counts[k]);
            let (mean, var) = (s1[k] / r, s2[k] / r - (s1[k] / r).powi(2));
            let want_var = c * (1.0 - c / n);
            assert!((mean - c).abs() < 5.0 * (want_var / r).sqrt(), "mean {k}");
            assert!(
                (var / want_var - 1.0).abs() < 0.06,
                "var {k}: {var} vs {want_var}"
            );
        }
        let cov = cross / r - s1[38] * s1[39] / (r * r);
        assert!((cov + 39.0 * 40.0 / n).abs() < 1.0, "cov {cov}");
    }

    #[test]
    fn cluster_resamples_move_whole_clusters() {
        // 10 items, each with one target of each of 3 patterns (rows 1, 2, 3): any resample of
        // items gives every pattern the same weight, 10; a resample of targets almost never.
        let rows: Vec<Vec<Option<f64>>> = (0..30)
            .map(|t| vec![Some(f64::from(t % 3 + 1)), None])
            .collect();
        let m = crate::matrix::RatingMatrix::from_rows(&rows).unwrap();
        let tr = TargetRows::new(&m);
        assert_eq!(tr.patterns.len(), 3);
        let items: Vec<u32> = (0..30).map(|t| t / 3).collect();
        let spec = BootstrapSpec {
            resamples: 50,
            seed: 4,
        };
        let mut seen = 0;
        tr.for_each_cluster_resample(spec, &items, |w| {
            assert_eq!(w, &[10.0, 10.0, 10.0]);
            seen += 1;
        });
        assert_eq!(seen, 50);
        let mut unequal = 0;
        tr.for_each_resample(spec, |w| unequal += usize::from(w[0] != w[1]));
        assert!(unequal > 40, "{unequal}");
    }

    #[test]
    fn quantile_matches_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((quantile_sorted(&v, 0.025) - 1.075).abs() < 1e-12);
    }
}
