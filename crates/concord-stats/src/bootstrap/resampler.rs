//! Seeded multinomial draws of pattern counts: xoshiro256++ and Poisson alias tables.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

use std::collections::HashMap;

use super::{FastHash, Patterns};

/// xoshiro256++ (Blackman & Vigna 2019), seeded from ChaCha8 so the caller's `u64` seed still
/// fixes every draw. A resample needs one uniform per pattern; ChaCha8 costs ~4 ns per `u64`
/// here, xoshiro ~1 ns, and its statistical quality is ample for resampling.
pub(super) struct Xoshiro256pp([u64; 4]);

impl Xoshiro256pp {
    pub(super) fn seed_from(seed: u64) -> Self {
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
    pub(super) fn below(&mut self, n: u64) -> u64 {
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
pub(super) struct PoissonTables {
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
    pub(super) poisson: Option<PoissonTables>,
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
