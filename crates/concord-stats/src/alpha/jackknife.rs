//! Alpha's intervals: the delete-one-cluster jackknife at every level (`crate::jackknife`).
//!
//! The clusters are the items when several responses answer each (responses to one item are
//! not independent) and the pairable units otherwise. Leaving a cluster out subtracts its units'
//! coincidences from the study's and evaluates α once at every level, so C clusters cost C
//! evaluations; units with identical values share their replicate, computed once.

use super::{Level, LevelSet, Units, NO_PAIRS, NO_VARIATION};
use crate::bootstrap::TargetRows;
use crate::estimate::Estimate;
use crate::jackknife::{dense_clusters, with_jackknife_ci, CLUSTER_METHOD};
use crate::matrix::RatingMatrix;

/// α at `levels` with jackknife SEs and t intervals. `clusters` gives the item of each kept
/// target (in `rows.keep` order); without it every pairable unit is its own cluster.
pub(crate) fn alpha_jackknifed(
    m: &RatingMatrix,
    rows: &TargetRows,
    levels: &[Level],
    clusters: Option<&[u32]>,
) -> Vec<Estimate> {
    let units = Units::new(m, rows);
    let n = units.n_units;
    if n < 2 {
        return levels
            .iter()
            .map(|_| Estimate::missing(NO_PAIRS).with_n(n))
            .collect();
    }
    let set = LevelSet::new(levels, &units.domain);
    let c = units.domain.len();
    let mut acc = vec![0.0; c * c + c];
    units.coincidences(&units.counts, &mut acc);
    let mut point = vec![None; levels.len()];
    set.eval(&units.domain, &acc, &mut point);
    // Cluster g's (unit pattern, weight) entries are `members[starts[g]..starts[g + 1]]`.
    let (members, starts, counts, method) = match clusters {
        None => (
            (0..units.counts.len()).map(|p| (p, 1.0)).collect(),
            (0..=units.counts.len()).collect(),
            Some(units.counts.as_slice()),
            "jackknife-t",
        ),
        Some(item) => {
            let (members, starts) = cluster_units(&units, rows, item);
            (members, starts, None, CLUSTER_METHOD)
        }
    };
    let groups = starts.windows(2).map(|w| &members[w[0]..w[1]]);
    let mut reps: Vec<Vec<f64>> = vec![Vec::with_capacity(starts.len() - 1); levels.len()];
    let mut without = acc.clone();
    let mut vals = vec![None; levels.len()];
    for members in groups {
        for &(u, w) in members {
            units.add(u, -w, &mut without);
        }
        set.eval(&units.domain, &without, &mut vals);
        for (r, v) in reps.iter_mut().zip(&vals) {
            r.push(v.unwrap_or(f64::NAN));
        }
        for &(u, _) in members {
            units.restore(u, &acc, &mut without);
        }
    }
    point
        .iter()
        .zip(&reps)
        .map(|(p, r)| match p {
            Some(v) => with_jackknife_ci(Estimate::point(*v).with_n(n), r, counts, method),
            None => Estimate::missing(NO_VARIATION).with_n(n),
        })
        .collect()
}

/// The pairable units of each cluster that has any, as (unit pattern, count), clusters in
/// order of first appearance, in one list: cluster g's are `members[starts[g]..starts[g + 1]]`
/// (one list, not one per cluster: a thousand small lists growing cost more than the pass).
fn cluster_units(
    units: &Units,
    rows: &TargetRows,
    item: &[u32],
) -> (Vec<(usize, f64)>, Vec<usize>) {
    // (unit pattern, item) of every pairable target.
    let pairable: Vec<(usize, u32)> = rows
        .patterns
        .item_pattern
        .iter()
        .zip(item)
        .filter_map(|(&tp, &it)| Some((units.row_to_unit[tp as usize]?, it)))
        .collect();
    let (cluster_of, n) = dense_clusters(pairable.iter().map(|p| p.1));
    // Room for every target of a cluster, then its distinct patterns counted in place.
    let mut room = vec![0usize; n + 1];
    for &c in &cluster_of {
        room[c + 1] += 1;
    }
    for g in 0..n {
        room[g + 1] += room[g];
    }
    let mut slots = vec![(0usize, 0.0); pairable.len()];
    let mut used = vec![0usize; n];
    for (&(u, _), &c) in pairable.iter().zip(&cluster_of) {
        let run = &mut slots[room[c]..room[c] + used[c] + 1];
        let (last, seen) = run.split_last_mut().expect("a run holds its new slot");
        match seen.iter_mut().find(|e| e.0 == u) {
            Some(e) => e.1 += 1.0,
            None => {
                *last = (u, 1.0);
                used[c] += 1;
            }
        }
    }
    let mut members = Vec::with_capacity(used.iter().sum());
    let mut starts = Vec::with_capacity(n + 1);
    starts.push(0);
    for g in 0..n {
        members.extend_from_slice(&slots[room[g]..room[g] + used[g]]);
        starts.push(members.len());
    }
    (members, starts)
}
