//! The last step of a design across sites (`design::build_across_sites`): where the greedy's
//! shares still put more raters of one site on a response than the sites allow, swap one of them
//! with a rater of another site added to another response of the same stratum. A swap moves no
//! load between raters or strata, so K, loads and shares stay exactly as built.

use std::collections::HashMap;

use crate::design::Placement;

/// Candidate checks one design may spend looking for swaps: where sites are so unequal that the
/// collisions cannot all go, the search stops here instead of trying every pair of responses.
const BUDGET: usize = 4_000_000;

/// Swaps added raters (`additions`: (response, rater)) between responses of a stratum until no
/// response holds more than `cap` raters of one site, where a swap leaves both responses
/// within the cap. Returns whether anything was swapped.
pub(crate) fn swap_apart(
    additions: &mut [(usize, u16)],
    placements: &[Placement],
    sites: &[u32],
    cap: usize,
) -> bool {
    let mut added: Vec<Vec<usize>> = vec![Vec::new(); placements.len()];
    for (i, &(r, _)) in additions.iter().enumerate() {
        added[r].push(i);
    }
    let mut by_stratum: HashMap<u32, Vec<usize>> = HashMap::new();
    for (r, p) in placements.iter().enumerate() {
        if !added[r].is_empty() {
            by_stratum.entry(p.stratum).or_default().push(r);
        }
    }
    // Raters on response `r` now: those it had, then those added.
    let on = |adds: &[(usize, u16)], r: usize| -> Vec<u16> {
        let mut on = placements[r].raters.clone();
        on.extend(added[r].iter().map(|&i| adds[i].1));
        on
    };
    let of_site = |on: &[u16], site: u32| on.iter().filter(|&&b| sites[b as usize] == site).count();
    let (mut swapped, mut budget) = (false, BUDGET);
    for r in 0..placements.len() {
        for &i in &added[r] {
            let a = additions[i].1;
            let site_a = sites[a as usize];
            let here = on(additions, r);
            if of_site(&here, site_a) <= cap {
                continue;
            }
            let mut found = None;
            for &r2 in &by_stratum[&placements[r].stratum] {
                if budget == 0 {
                    return swapped;
                }
                budget -= 1;
                if r2 == r {
                    continue;
                }
                let there = on(additions, r2);
                if there.contains(&a) || of_site(&there, site_a) >= cap {
                    continue;
                }
                found = added[r2].iter().copied().find(|&j| {
                    let b = additions[j].1;
                    sites[b as usize] != site_a
                        && !here.contains(&b)
                        && of_site(&here, sites[b as usize]) < cap
                });
                if found.is_some() {
                    break;
                }
            }
            if let Some(j) = found {
                additions[i].1 = additions[j].1;
                additions[j].1 = a;
                swapped = true;
            }
        }
    }
    swapped
}
