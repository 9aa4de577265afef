//! Assignment as a design: which raters rate which response, so that every response has exactly
//! K raters, rater loads differ by at most one, and every pair of raters shares responses as
//! evenly as the numbers allow (so pairwise agreement exists for every pair and rater effects
//! are not confounded with fixed blocks). Pure: raters are indices `0..n`, responses indices
//! into the caller's list; the study side (`assignment.rs`) reads and writes the file.
//!
//! Construction, per stratum (all responses, or one model's): while the stratum's loads are
//! equal, whole copies of the smallest balanced incomplete block design for (n, K) that fits
//! (`bibd.rs`); the rest by a seeded greedy that gives each rater a target share (water-filled
//! over current loads, extra units to the raters with the lowest total) and fills each response
//! with the raters that have shared fewest responses with those already on it (each pair
//! weighted by the square of what it shares, so pairs that share nothing come first).

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bibd;
use crate::error::{Error, Result};
use crate::site_spread;

/// One response as the design sees it before this run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Stratum (e.g. the response's model); 0 when not stratified.
    pub stratum: u32,
    /// Design raters (indices) already assigned.
    pub raters: Vec<u16>,
    /// Raters outside the design (e.g. retired) still holding it; they count towards K.
    pub outside: u16,
}

/// Which construction a design came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DesignKind {
    /// Whole copies of a balanced incomplete block design: equal loads, every pair equally often.
    Bibd,
    /// A seeded greedy (alone or after BIBD copies): loads within one, pairs near the mean.
    NearBalanced,
    /// Every response already had K raters: nothing assigned.
    Unchanged,
}

/// A design: what to add, and the loads and overlaps it leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub kind: DesignKind,
    /// What was built, in words (the BIBD's name and copies, the greedy's share).
    pub construction: String,
    /// New (response index, rater index) pairs.
    pub additions: Vec<(usize, u16)>,
    /// Responses per rater after the additions.
    pub loads: Vec<usize>,
    /// Rater × rater: responses shared after the additions (diagonal = load).
    pub overlap: Vec<Vec<usize>>,
}

/// Loads and the rater × rater overlap matrix (diagonal = load) of `n` raters over `placements`.
pub fn overlap_of(n: usize, placements: &[Placement]) -> Vec<Vec<usize>> {
    let mut m = vec![vec![0; n]; n];
    for p in placements {
        for (i, &a) in p.raters.iter().enumerate() {
            m[a as usize][a as usize] += 1;
            for &b in &p.raters[i + 1..] {
                m[a as usize][b as usize] += 1;
                m[b as usize][a as usize] += 1;
            }
        }
    }
    m
}

/// Builds a design giving every response `k` raters (never more) among `n`, keeping what each
/// response already has; `seed` fixes every random choice.
pub fn build(n: usize, k: usize, seed: u64, placements: &[Placement]) -> Result<Design> {
    let own_sites: Vec<u32> = (0..n as u32).collect();
    build_across_sites(n, k, seed, placements, &own_sites)
}

/// As [`build`], with rater `a` at site `sites[a]` (any labels; a rater without a site gets a
/// label of their own): each response's raters come from as many different sites as the loads
/// allow. Exactly K per response and loads within one stay hard rules; among the raters still
/// owed a share, the greedy takes the one with fewest raters of its site already on the
/// response, then the one sharing fewest responses with them, and BIBD copies are used only
/// when every block spreads its raters over the sites (no site more than ⌈K / sites⌉ times).
/// With every rater at a site of their own this is [`build`].
pub fn build_across_sites(
    n: usize,
    k: usize,
    seed: u64,
    placements: &[Placement],
    sites: &[u32],
) -> Result<Design> {
    if sites.len() != n {
        return Err(Error::Invalid(format!(
            "{} sites for {n} raters",
            sites.len()
        )));
    }
    // Raters outside the design count towards K, so K may exceed n where they hold responses;
    // it may not where a response would need more raters than the design has free.
    let short = placements
        .iter()
        .find(|p| k.saturating_sub(p.raters.len() + p.outside as usize) > n - p.raters.len());
    if n == 0
        || k == 0
        || n > u16::MAX as usize
        || short.is_some_and(|p| k > n && p.raters.len() + p.outside as usize == 0)
    {
        return Err(Error::Invalid(format!(
            "the overlap must be between 1 and the number of raters ({n}), not {k}"
        )));
    }
    if let Some(p) = short {
        return Err(Error::Invalid(format!(
            "an overlap of {k} needs more raters than the {} free on some responses (held by {} \
             others already): name more raters or lower the overlap",
            n - p.raters.len(),
            p.raters.len() + p.outside as usize
        )));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut state = State {
        n,
        pairs: overlap_of(n, placements),
        total: vec![0; n],
        additions: Vec::new(),
        rng: ChaCha8Rng::seed_from_u64(0),
        sites: sites.to_vec(),
    };
    let site_count = {
        let mut distinct = sites.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        distinct.len()
    };
    // The most raters of one site a response needs when its raters are spread over the sites.
    let per_site = k.div_ceil(site_count);
    for i in 0..n {
        state.total[i] = state.pairs[i][i];
    }
    // Labels for the BIBD's points, so no rater is always "rater 0" of the design.
    let mut relabel: Vec<u16> = (0..n as u16).collect();
    relabel.shuffle(&mut rng);
    let mut strata: Vec<u32> = placements.iter().map(|p| p.stratum).collect();
    strata.sort_unstable();
    strata.dedup();
    let (mut copied, mut greedy, mut names) = (0usize, 0usize, Vec::new());
    for stratum in strata {
        let mut stratum_load = vec![0usize; n];
        let mut fresh = Vec::new();
        let mut partial = Vec::new();
        for (r, p) in placements.iter().enumerate() {
            if p.stratum != stratum {
                continue;
            }
            for &a in &p.raters {
                stratum_load[a as usize] += 1;
            }
            let have = p.raters.len() + p.outside as usize;
            if have == 0 {
                fresh.push(r);
            } else if have < k {
                partial.push(r);
            }
        }
        fresh.shuffle(&mut rng);
        partial.shuffle(&mut rng);
        let equal = stratum_load.iter().all(|&l| l == stratum_load[0]);
        let design = bibd::smallest(n, k, fresh.len()).filter(|d| {
            equal
                && d.blocks.iter().all(|block| {
                    let raters: Vec<u16> = block.iter().map(|&x| relabel[x as usize]).collect();
                    raters
                        .iter()
                        .all(|&a| state.same_site(a as usize, &raters) < per_site)
                })
        });
        let mut rest = partial;
        match design {
            Some(d) => {
                let b = d.blocks.len();
                let copies = fresh.len() / b;
                for (r, block) in fresh.iter().zip(d.blocks.iter().cycle()).take(copies * b) {
                    let raters: Vec<u16> = block.iter().map(|&x| relabel[x as usize]).collect();
                    state.add(*r, &[], &raters, &mut stratum_load);
                }
                copied += copies * b;
                names.push(format!("{copies} × {} ({b} blocks)", d.name));
                rest.extend_from_slice(&fresh[copies * b..]);
            }
            None => rest.extend_from_slice(&fresh),
        }
        greedy += rest.len();
        state.rng = ChaCha8Rng::seed_from_u64(rng.random());
        state.greedy(k, placements, &rest, &mut stratum_load);
    }
    if site_spread::swap_apart(&mut state.additions, placements, sites, per_site) {
        let mut after = placements.to_vec();
        for &(r, a) in &state.additions {
            after[r].raters.push(a);
        }
        state.pairs = overlap_of(n, &after);
    }
    let kind = match (copied, greedy) {
        (0, 0) => DesignKind::Unchanged,
        (_, 0) => DesignKind::Bibd,
        _ => DesignKind::NearBalanced,
    };
    let mut construction = names;
    if greedy > 0 {
        construction.push(format!(
            "seeded greedy (seed {seed}) for {greedy} responses"
        ));
    }
    let construction = match kind {
        DesignKind::Unchanged => format!("every response already has {k} raters"),
        _ => construction.join("; then "),
    };
    let loads = state.total.clone();
    Ok(Design {
        kind,
        construction,
        additions: state.additions,
        loads,
        overlap: state.pairs,
    })
}

struct State {
    n: usize,
    /// Overlap matrix so far (diagonal = load).
    pairs: Vec<Vec<usize>>,
    /// Load per rater over every stratum.
    total: Vec<usize>,
    additions: Vec<(usize, u16)>,
    rng: ChaCha8Rng,
    /// Site label per rater.
    sites: Vec<u32>,
}

impl State {
    /// Raters among `on` at rater `a`'s site, other than `a`.
    fn same_site(&self, a: usize, on: &[u16]) -> usize {
        on.iter()
            .filter(|&&b| b as usize != a && self.sites[b as usize] == self.sites[a])
            .count()
    }

    /// Records `new` raters on response `r`, which already has `have`.
    fn add(&mut self, r: usize, have: &[u16], new: &[u16], stratum_load: &mut [usize]) {
        for (i, &a) in new.iter().enumerate() {
            let a = a as usize;
            self.pairs[a][a] += 1;
            self.total[a] += 1;
            stratum_load[a] += 1;
            for &b in have.iter().chain(&new[..i]) {
                self.pairs[a][b as usize] += 1;
                self.pairs[b as usize][a] += 1;
            }
            self.additions.push((r, a as u16));
        }
    }

    /// Fills `responses` (indices into `placements`) up to `k` raters each.
    fn greedy(
        &mut self,
        k: usize,
        placements: &[Placement],
        responses: &[usize],
        stratum_load: &mut [usize],
    ) {
        let n = self.n;
        // Opportunities left per rater: responses still to fill that do not hold them already.
        let mut left = vec![0usize; n];
        let mut slots = 0;
        for &r in responses {
            let p = &placements[r];
            slots += k - p.raters.len() - p.outside as usize;
            for (a, l) in left.iter_mut().enumerate() {
                *l += usize::from(!p.raters.contains(&(a as u16)));
            }
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut self.rng);
        let mut deficit = targets(stratum_load, &left, slots, &self.total, &order, &self.sites);
        let mut chosen: Vec<u16> = Vec::with_capacity(k);
        for &r in responses {
            let p = &placements[r];
            let need = k - p.raters.len() - p.outside as usize;
            order.shuffle(&mut self.rng);
            chosen.clear();
            // A rater whose remaining share equals its remaining chances must be taken now, or
            // its share (and the loads' balance) could not be met later.
            for &a in &order {
                let free = !p.raters.contains(&(a as u16));
                if free && deficit[a] > 0 && deficit[a] >= left[a] as i64 && chosen.len() < need {
                    chosen.push(a as u16);
                }
            }
            while chosen.len() < need {
                let shared = |a: usize| -> usize {
                    p.raters
                        .iter()
                        .chain(&chosen)
                        .map(|&b| weight(self.pairs[a][b as usize]))
                        .sum()
                };
                let colleagues = |a: usize| -> usize {
                    self.same_site(a, &p.raters) + self.same_site(a, &chosen)
                };
                let best = order
                    .iter()
                    .copied()
                    .filter(|&a| !p.raters.contains(&(a as u16)) && !chosen.contains(&(a as u16)))
                    .min_by(|&a, &b| {
                        // Raters still owed a share first, then fewest of their site already
                        // on the response, then fewest shared responses, then the larger share
                        // of chances still owed (deficit / left).
                        (deficit[a] <= 0)
                            .cmp(&(deficit[b] <= 0))
                            .then(colleagues(a).cmp(&colleagues(b)))
                            .then(shared(a).cmp(&shared(b)))
                            .then((deficit[b] * left[a] as i64).cmp(&(deficit[a] * left[b] as i64)))
                    })
                    .expect("a response has fewer raters than the design, so one is free");
                chosen.push(best as u16);
            }
            self.improve(&p.raters, &mut chosen, &order, &deficit, &left);
            for (a, l) in left.iter_mut().enumerate() {
                *l -= usize::from(!p.raters.contains(&(a as u16)));
            }
            for &a in &chosen {
                deficit[a as usize] -= 1;
            }
            let new = std::mem::take(&mut chosen);
            self.add(r, &p.raters, &new, stratum_load);
            chosen = new;
        }
    }

    /// Swaps single raters of a greedy pick for free ones while that lowers the pick's same-site
    /// pairs, then the (weighted) responses its pairs already share (the greedy adds raters one
    /// by one, so its last choices are constrained by its first). Forced raters stay; only raters still owed a share come in.
    fn improve(
        &self,
        have: &[u16],
        chosen: &mut [u16],
        order: &[usize],
        deficit: &[i64],
        left: &[usize],
    ) {
        // Same-site pairs on the response first, then the pairs' weighted shared responses.
        let cost = |pick: &[u16]| -> (usize, usize) {
            pick.iter()
                .enumerate()
                .map(|(i, &a)| {
                    let a = a as usize;
                    have.iter().chain(&pick[..i]).fold((0, 0), |(s, w), &b| {
                        let b = b as usize;
                        (
                            s + usize::from(self.sites[a] == self.sites[b]),
                            w + weight(self.pairs[a][b]),
                        )
                    })
                })
                .fold((0, 0), |(s, w), (ds, dw)| (s + ds, w + dw))
        };
        let mut best = cost(chosen);
        let mut improved = true;
        while improved && best > (0, 0) {
            improved = false;
            for slot in 0..chosen.len() {
                let out = chosen[slot] as usize;
                if deficit[out] >= left[out] as i64 {
                    continue;
                }
                for &a in order {
                    let id = a as u16;
                    if deficit[a] <= 0 || have.contains(&id) || chosen.contains(&id) {
                        continue;
                    }
                    chosen[slot] = id;
                    let c = cost(chosen);
                    if c < best {
                        best = c;
                        improved = true;
                        break;
                    }
                    chosen[slot] = out as u16;
                }
            }
        }
    }
}

/// Each rater's share of `slots` new assignments in a stratum: water-filled over the stratum's
/// current loads (no one above a rater with room below them), capped by each rater's chances;
/// the units left go to the raters with the lowest total load, then to sites that got fewest of
/// them (a site given more units than the stratum has responses would have to put two of its
/// raters on one), then in `order`.
fn targets(
    current: &[usize],
    chances: &[usize],
    slots: usize,
    total: &[usize],
    order: &[usize],
    sites: &[u32],
) -> Vec<i64> {
    let raised = |level: usize| -> usize {
        (0..current.len())
            .map(|a| level.clamp(current[a], current[a] + chances[a]) - current[a])
            .sum()
    };
    let (mut lo, mut hi) = (
        0,
        current
            .iter()
            .zip(chances)
            .map(|(c, h)| c + h)
            .max()
            .unwrap_or(0),
    );
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if raised(mid) <= slots {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let mut share: Vec<usize> = (0..current.len())
        .map(|a| lo.clamp(current[a], current[a] + chances[a]) - current[a])
        .collect();
    let mut left = slots - share.iter().sum::<usize>();
    let mut room: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&a| current[a] + share[a] == lo && share[a] < chances[a])
        .collect();
    // Units each site has in this stratum so far; a rater is compared by their colleagues'.
    let mut given: HashMap<u32, usize> = HashMap::new();
    for (a, &units) in share.iter().enumerate() {
        *given.entry(sites[a]).or_default() += units;
    }
    while left > 0 {
        let Some(at) = (0..room.len()).min_by_key(|&i| {
            let a = room[i];
            (total[a] + share[a], given[&sites[a]] - share[a])
        }) else {
            break;
        };
        let a = room.remove(at);
        share[a] += 1;
        left -= 1;
        *given.entry(sites[a]).or_default() += 1;
    }
    share.into_iter().map(|s| s as i64).collect()
}

/// What one more shared response costs a pair that shares `p`: convex, so the greedy first
/// gives responses to pairs that share none, then evens the rest.
fn weight(p: usize) -> usize {
    p * p
}
