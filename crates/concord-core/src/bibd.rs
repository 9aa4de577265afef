//! Balanced incomplete block designs the assignment can copy: v raters, blocks of k, every rater
//! in r blocks and every pair of raters together in λ blocks. Pure combinatorics, no study.
//!
//! Sources: cyclic difference sets (Singer, Paley quadratic residues, twin primes) developed
//! modulo v, the affine plane of order 3, and the complete design (every k-subset once).

/// A design: its blocks (rater indices `0..v`) and a line saying what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bibd {
    pub blocks: Vec<Vec<u16>>,
    pub name: String,
}

/// Difference sets that are not quadratic residues: (v, base block). Singer (13,4,1) and
/// (21,5,1) from PG(2,3) and PG(2,4); twin-prime (15,7,3) (Hall, Combinatorial Theory, §11.3).
const DIFFERENCE_SETS: &[(u16, &[u16])] = &[
    (13, &[0, 1, 3, 9]),
    (21, &[3, 6, 7, 12, 14]),
    (15, &[0, 1, 2, 4, 5, 8, 10]),
];

/// The design with the fewest blocks for `v` raters in blocks of `k`, among those with at most
/// `max_blocks` blocks; `None` when there is none that small (or `k` is 0 or above `v`).
pub(crate) fn smallest(v: usize, k: usize, max_blocks: usize) -> Option<Bibd> {
    if k == 0 || k > v || v > u16::MAX as usize {
        return None;
    }
    let mut found: Vec<Bibd> = Vec::new();
    for (base, name) in difference_sets(v as u16) {
        if base.len() == k {
            found.push(Bibd {
                blocks: develop(&base, v as u16),
                name,
            });
        }
    }
    if v == 9 && k == 3 {
        found.push(affine_plane_3());
    }
    if binomial(v, k).is_some_and(|b| b <= max_blocks) {
        found.push(complete(v, k));
    }
    found
        .into_iter()
        .filter(|d| d.blocks.len() <= max_blocks)
        .min_by_key(|d| d.blocks.len())
}

/// Every difference set of Z_v this module knows, with its complement (also a difference set).
fn difference_sets(v: u16) -> Vec<(Vec<u16>, String)> {
    let mut sets: Vec<Vec<u16>> = DIFFERENCE_SETS
        .iter()
        .filter(|(m, _)| *m == v)
        .map(|(_, base)| base.to_vec())
        .collect();
    // Paley: the non-zero squares modulo a prime p ≡ 3 (mod 4) form a (p, (p−1)/2, (p−3)/4) set.
    if v >= 7 && v % 4 == 3 && is_prime(v) {
        let mut squares: Vec<u16> = (1..v)
            .map(|x| (x as u32 * x as u32 % v as u32) as u16)
            .collect();
        squares.sort_unstable();
        squares.dedup();
        sets.push(squares);
    }
    let complements: Vec<Vec<u16>> = sets
        .iter()
        .map(|s| (0..v).filter(|x| !s.contains(x)).collect())
        .collect();
    sets.extend(complements);
    sets.into_iter()
        .map(|s| {
            let list = s.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
            let name = format!("cyclic difference set {{{list}}} mod {v}");
            (s, name)
        })
        .collect()
}

/// The v translates of a base block modulo v.
fn develop(base: &[u16], v: u16) -> Vec<Vec<u16>> {
    (0..v)
        .map(|t| base.iter().map(|b| (b + t) % v).collect())
        .collect()
}

/// AG(2,3): the 12 lines of the 3×3 grid (rows, columns and the two families of diagonals).
fn affine_plane_3() -> Bibd {
    let point = |x: u16, y: u16| 3 * (x % 3) + y % 3;
    let mut blocks = Vec::new();
    for c in 0..3 {
        blocks.push((0..3).map(|x| point(x, c)).collect()); // y = c
        blocks.push((0..3).map(|y| point(c, y)).collect()); // x = c
        for m in 1..3 {
            blocks.push((0..3).map(|x| point(x, m * x + c)).collect()); // y = mx + c
        }
    }
    Bibd {
        blocks,
        name: "affine plane of order 3".into(),
    }
}

/// Every k-subset of v raters once, in lexicographic order.
fn complete(v: usize, k: usize) -> Bibd {
    let mut blocks = Vec::new();
    let mut subset: Vec<u16> = (0..k as u16).collect();
    loop {
        blocks.push(subset.clone());
        // Advance the rightmost index that can move, then reset the ones after it.
        let Some(i) = (0..k).rev().find(|&i| (subset[i] as usize) < v - k + i) else {
            break;
        };
        subset[i] += 1;
        for j in i + 1..k {
            subset[j] = subset[j - 1] + 1;
        }
    }
    Bibd {
        blocks,
        name: format!("every {k}-subset of the {v} raters"),
    }
}

/// C(n, k), or `None` when it overflows.
fn binomial(n: usize, k: usize) -> Option<usize> {
    let k = k.min(n - k);
    (0..k).try_fold(1usize, |acc, i| Some(acc.checked_mul(n - i)? / (i + 1)))
}

fn is_prime(n: u16) -> bool {
    n >= 2
        && (2..n)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (loads, pair counts) of a block list on v points.
    fn counts(v: usize, blocks: &[Vec<u16>]) -> (Vec<usize>, Vec<usize>) {
        let mut load = vec![0; v];
        let mut pairs = vec![0; v * v];
        for b in blocks {
            for (i, &x) in b.iter().enumerate() {
                load[x as usize] += 1;
                for &y in &b[i + 1..] {
                    pairs[x as usize * v + y as usize] += 1;
                    pairs[y as usize * v + x as usize] += 1;
                }
            }
        }
        let off_diagonal = (0..v * v).filter(|i| i / v != i % v).map(|i| pairs[i]);
        (load, off_diagonal.collect())
    }

    #[test]
    fn every_design_found_is_balanced() {
        let mut seen = 0;
        for v in 1..=23 {
            for k in 1..=v {
                let Some(d) = smallest(v, k, 2000) else {
                    continue;
                };
                seen += 1;
                let (load, pairs) = counts(v, &d.blocks);
                assert!(d.blocks.iter().all(|b| b.len() == k), "{}", d.name);
                assert!(
                    d.blocks.iter().all(|b| {
                        let mut s = b.clone();
                        s.sort_unstable();
                        s.dedup();
                        s.len() == k
                    }),
                    "{}: repeated rater in a block",
                    d.name
                );
                assert!(
                    load.iter().all(|&r| r == load[0]),
                    "{}: loads {load:?}",
                    d.name
                );
                assert!(pairs.iter().all(|&l| l == pairs[0]), "{}: pairs", d.name);
            }
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn cyclic_and_affine_designs_beat_the_complete_one() {
        assert_eq!(smallest(7, 3, 1000).unwrap().blocks.len(), 7);
        assert_eq!(smallest(13, 4, 1000).unwrap().blocks.len(), 13);
        assert_eq!(smallest(11, 5, 1000).unwrap().blocks.len(), 11);
        assert_eq!(smallest(11, 6, 1000).unwrap().blocks.len(), 11);
        assert_eq!(smallest(9, 3, 1000).unwrap().blocks.len(), 12);
        assert_eq!(smallest(6, 2, 1000).unwrap().blocks.len(), 15);
        assert!(smallest(6, 2, 14).is_none());
        assert!(smallest(12, 6, 300).is_none());
    }
}
