//! Properties of assignment designs over random sizes: exactly K distinct raters per response,
//! loads within one, every pair of raters overlapping (when there are enough responses) with
//! pair counts near their mean, strata balanced, re-runs adding nothing, top-ups to K only;
//! with the raters' sites, each response's raters spread over them.

use concord_core::design::{build, build_across_sites, overlap_of, Design, DesignKind, Placement};
use proptest::prelude::*;

/// The placements after applying a design's additions.
fn applied(mut placements: Vec<Placement>, design: &Design) -> Vec<Placement> {
    for &(r, a) in &design.additions {
        placements[r].raters.push(a);
    }
    placements
}

fn spread(values: impl Iterator<Item = usize>) -> (usize, usize) {
    values.fold((usize::MAX, 0), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// Off-diagonal cells of an overlap matrix.
fn pairs(m: &[Vec<usize>]) -> impl Iterator<Item = usize> + '_ {
    let n = m.len();
    (0..n).flat_map(move |a| (0..n).filter(move |&b| b != a).map(move |b| m[a][b]))
}

fn check_exact_k(placements: &[Placement], k: usize) {
    for (r, p) in placements.iter().enumerate() {
        let mut raters = p.raters.clone();
        raters.sort_unstable();
        raters.dedup();
        assert_eq!(raters.len(), p.raters.len(), "response {r}: a rater twice");
        assert_eq!(p.raters.len() + p.outside as usize, k, "response {r}");
    }
}

/// Every rater's share of each of `strata` strata within one of every other rater's.
fn check_strata(placements: &[Placement], n: usize, strata: usize) {
    for s in 0..strata as u32 {
        let mut per = vec![0usize; n];
        for p in placements.iter().filter(|p| p.stratum == s) {
            for &a in &p.raters {
                per[a as usize] += 1;
            }
        }
        let (lo, hi) = spread(per.iter().copied());
        assert!(hi - lo <= 1, "stratum {s}: {per:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fresh_designs_are_balanced(n in 2usize..=12, k_frac in 0.0f64..1.0, responses in 1usize..=300, seed in any::<u64>()) {
        let k = 1 + (k_frac * n as f64) as usize;
        let design = build(n, k, seed, &vec![Placement::default(); responses]).unwrap();
        let after = applied(vec![Placement::default(); responses], &design);
        check_exact_k(&after, k);
        prop_assert_eq!(overlap_of(n, &after), design.overlap.clone());
        let (lo, hi) = spread(design.loads.iter().copied());
        prop_assert!(hi - lo <= 1, "loads {:?}", design.loads);
        let mean = (responses * k * (k - 1)) as f64 / (n * (n - 1)) as f64;
        let (plo, phi) = spread(pairs(&design.overlap));
        // Connected once every pair could share 3 responses on average (the same sweep found
        // pairs left apart only below 2.5, e.g. 10 raters, k 5, 9 responses).
        if k >= 2 && mean >= 3.0 {
            prop_assert!(plo >= 1, "a pair never overlaps: {:?}", design.overlap);
        }
        // Near-balanced: every pair count within 4 of the mean. Measured over n 2..=12, every
        // k, N 1..300 step 4, 3 seeds (14,850 designs): at most 2.87 (11 raters, k 8, N 69).
        prop_assert!(plo as f64 >= mean - 4.0 && phi as f64 <= mean + 4.0,
            "pairs {plo}..{phi}, mean {mean:.2}");
        if design.kind == DesignKind::Bibd {
            prop_assert_eq!(plo, phi);
            prop_assert_eq!(lo, hi);
        }
        // Re-running adds nothing.
        let again = build(n, k, seed ^ 1, &after).unwrap();
        prop_assert_eq!(again.kind, DesignKind::Unchanged);
        prop_assert!(again.additions.is_empty());
        prop_assert_eq!(again.overlap, design.overlap);
    }

    #[test]
    fn strata_are_balanced_per_rater(n in 2usize..=12, k_frac in 0.0f64..1.0, sizes in prop::collection::vec(1usize..=80, 1..=4), seed in any::<u64>()) {
        let k = 1 + (k_frac * n as f64) as usize;
        let placements: Vec<Placement> = sizes.iter().enumerate()
            .flat_map(|(s, &m)| (0..m).map(move |_| Placement { stratum: s as u32, ..Placement::default() }))
            .collect();
        let design = build(n, k, seed, &placements).unwrap();
        let after = applied(placements, &design);
        check_exact_k(&after, k);
        let (lo, hi) = spread(design.loads.iter().copied());
        prop_assert!(hi - lo <= 1, "loads {:?}", design.loads);
        check_strata(&after, n, sizes.len());
    }

    #[test]
    fn top_up_after_an_import_reaches_k_and_keeps_loads_even(n in 2usize..=12, k_frac in 0.0f64..1.0, first in 1usize..=150, more in 1usize..=150, seed in any::<u64>()) {
        let k = 1 + (k_frac * n as f64) as usize;
        let design = build(n, k, seed, &vec![Placement::default(); first]).unwrap();
        let mut placements = applied(vec![Placement::default(); first], &design);
        let before = placements.clone();
        placements.extend(vec![Placement::default(); more]);
        let top_up = build(n, k, seed, &placements).unwrap();
        prop_assert!(top_up.additions.iter().all(|&(r, _)| r >= first), "an old response got more raters");
        prop_assert_eq!(top_up.additions.len(), more * k);
        let after = applied(placements, &top_up);
        prop_assert_eq!(&after[..first], &before[..]);
        check_exact_k(&after, k);
        let (lo, hi) = spread(top_up.loads.iter().copied());
        prop_assert!(hi - lo <= 1, "loads {:?}", top_up.loads);
    }
}

/// Most raters of one site on any response.
fn most_of_one_site(placements: &[Placement], sites: &[u32]) -> usize {
    placements
        .iter()
        .map(|p| {
            p.raters
                .iter()
                .map(|&a| {
                    p.raters
                        .iter()
                        .filter(|&&b| sites[b as usize] == sites[a as usize])
                        .count()
                })
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// `--strata site` with sites of equal size: the rules of every design (K exact, loads
    /// within one, each model's share within one per rater) and each response's K raters from
    /// K different sites (⌈K / sites⌉ of one site at most when K exceeds them), fresh and after
    /// a top-up.
    #[test]
    fn sites_of_equal_size_spread_every_response(site_count in 2usize..=4, per_site in 1usize..=4, k_frac in 0.0f64..1.0, sizes in prop::collection::vec(1usize..=60, 1..=3), more in 0usize..=40, seed in any::<u64>()) {
        let n = site_count * per_site;
        let k = 1 + (k_frac * n as f64) as usize;
        // Sites interleaved and relabelled, so neither rater order nor labels line up with them.
        let sites: Vec<u32> = (0..n).map(|a| 7 * (a % site_count) as u32 + 3).collect();
        let placements: Vec<Placement> = sizes.iter().enumerate()
            .flat_map(|(s, &m)| (0..m).map(move |_| Placement { stratum: s as u32, ..Placement::default() }))
            .collect();
        let design = build_across_sites(n, k, seed, &placements, &sites).unwrap();
        let mut after = applied(placements, &design);
        check_exact_k(&after, k);
        let (lo, hi) = spread(design.loads.iter().copied());
        prop_assert!(hi - lo <= 1, "loads {:?}", design.loads);
        check_strata(&after, n, sizes.len());
        prop_assert_eq!(overlap_of(n, &after), design.overlap.clone());
        let cap = k.div_ceil(site_count);
        prop_assert!(most_of_one_site(&after, &sites) <= cap, "{:?}", design.construction);
        after.extend(vec![Placement::default(); more]);
        let top_up = build_across_sites(n, k, seed ^ 5, &after, &sites).unwrap();
        // The raters a top-up could take without breaking loads within one or the stratum's
        // shares within one (the new responses are stratum 0's): those lowest on both.
        let lowest = |loads: &[usize]| {
            let min = loads.iter().copied().min().unwrap_or(0);
            loads.iter().map(move |&l| l == min).collect::<Vec<bool>>()
        };
        let mut stratum_0 = vec![0usize; n];
        for p in after.iter().filter(|p| p.stratum == 0) {
            for &a in &p.raters {
                stratum_0[a as usize] += 1;
            }
        }
        let (by_load, by_share) = (lowest(&design.loads), lowest(&stratum_0));
        let after = applied(after, &top_up);
        check_exact_k(&after, k);
        // Every rater of a site on a response within the cap, unless the hard rules left the
        // top-up no choice: every rater lowest on both taken (then the loads win).
        let free = (0..n).any(|a| {
            by_load[a] && by_share[a] && !top_up.additions.iter().any(|&(_, b)| b as usize == a)
        });
        prop_assert!(!free || most_of_one_site(&after, &sites) <= cap, "{:?}", top_up.additions);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Sites of any sizes (a site of one rater cannot be spread over): the hard rules hold.
    #[test]
    fn sites_of_any_size_keep_k_loads_and_strata(sites in prop::collection::vec(0u32..4, 2..=12), k_frac in 0.0f64..1.0, sizes in prop::collection::vec(1usize..=60, 1..=3), seed in any::<u64>()) {
        let n = sites.len();
        let k = 1 + (k_frac * n as f64) as usize;
        let placements: Vec<Placement> = sizes.iter().enumerate()
            .flat_map(|(s, &m)| (0..m).map(move |_| Placement { stratum: s as u32, ..Placement::default() }))
            .collect();
        let design = build_across_sites(n, k, seed, &placements, &sites).unwrap();
        let after = applied(placements, &design);
        check_exact_k(&after, k);
        prop_assert_eq!(overlap_of(n, &after), design.overlap.clone());
        let (lo, hi) = spread(design.loads.iter().copied());
        prop_assert!(hi - lo <= 1, "loads {:?}", design.loads);
        check_strata(&after, n, sizes.len());
    }
}

#[test]
fn six_raters_in_pairs_all_fifteen_pairs_overlap() {
    let design = build(6, 2, 11, &vec![Placement::default(); 60]).unwrap();
    assert_eq!(design.kind, DesignKind::Bibd);
    assert!(
        design.construction.contains("4 × every 2-subset"),
        "{}",
        design.construction
    );
    assert_eq!(design.loads, vec![20; 6]);
    assert_eq!(pairs(&design.overlap).filter(|&c| c == 4).count(), 30);
    // 61 responses: one more greedy pair, still all 15 pairs, loads within one.
    let design = build(6, 2, 11, &vec![Placement::default(); 61]).unwrap();
    assert_eq!(design.kind, DesignKind::NearBalanced);
    let (lo, hi) = spread(pairs(&design.overlap));
    assert_eq!((lo, hi), (4, 5));
}

#[test]
fn raters_outside_the_design_count_towards_k() {
    let placements = vec![
        Placement {
            stratum: 0,
            raters: vec![0],
            outside: 1,
        },
        Placement {
            stratum: 0,
            raters: vec![],
            outside: 2,
        },
        Placement {
            stratum: 0,
            raters: vec![1],
            outside: 0,
        },
    ];
    let design = build(3, 2, 1, &placements).unwrap();
    assert_eq!(design.additions.len(), 1);
    assert_eq!(design.additions[0].0, 2);
    assert_ne!(design.additions[0].1, 1);
}

#[test]
fn an_overlap_above_the_number_of_raters_is_refused() {
    let err = build(3, 4, 1, &[Placement::default()]).unwrap_err();
    assert!(
        err.to_string()
            .contains("between 1 and the number of raters (3)"),
        "{err}"
    );
    assert!(build(3, 0, 1, &[Placement::default()]).is_err());
}

#[test]
fn raters_outside_the_design_let_the_overlap_exceed_its_size() {
    // Two raters already hold every response; two new ones raise the overlap to 4.
    let held = vec![
        Placement {
            stratum: 0,
            raters: vec![],
            outside: 2
        };
        8
    ];
    let design = build(2, 4, 3, &held).unwrap();
    assert_eq!(design.loads, vec![8, 8]);
    let err = build(2, 5, 3, &held).unwrap_err();
    assert!(
        err.to_string()
            .contains("needs more raters than the 2 free"),
        "{err}"
    );
}

#[test]
fn very_unequal_sites_still_finish_quickly_with_the_hard_rules() {
    // One clinician at a site, five at another, pairs on 20,000 responses: most pairs cannot be
    // split over the sites while loads stay even, and the swap search stops at its budget.
    let sites = [0, 1, 1, 1, 1, 1];
    let placements = vec![Placement::default(); 20_000];
    let started = std::time::Instant::now();
    let design = build_across_sites(6, 2, 4, &placements, &sites).unwrap();
    let after = applied(placements, &design);
    check_exact_k(&after, 2);
    let (lo, hi) = spread(design.loads.iter().copied());
    assert!(hi - lo <= 1, "loads {:?}", design.loads);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
