//! The matrices the report analyses: one targets × raters sheet per selected attribute and per
//! composite group, the raters and attributes chosen by name, each target's model and item.

use super::cells::Cells;
use super::input::{Cluster, StudyRatings};
use super::workers::map_in_order;
use crate::bootstrap::FastHash;
use std::collections::{BTreeMap, HashMap};

/// Targets × raters matrix of one attribute (or composite) over all raters of the study.
#[derive(Clone, PartialEq)]
pub(super) struct Sheet {
    /// Attribute key, or group name for a composite.
    pub(super) key: String,
    /// The attribute's group (a composite's own name).
    pub(super) group: Option<String>,
    /// Lowest and highest scale point.
    pub(super) scale: (i64, i64),
    /// The ratings.
    pub(super) m: Cells,
}

/// The indices of `all` whose names are `wanted` (all when `None`); unknown names are warned of.
pub(super) fn select_names(
    all: &[(usize, &str)],
    wanted: &Option<Vec<String>>,
    what: &str,
    warnings: &mut Vec<String>,
) -> Vec<usize> {
    match wanted {
        None => all.iter().map(|x| x.0).collect(),
        Some(names) => {
            for n in names {
                if !all.iter().any(|x| x.1 == n) {
                    warnings.push(format!("unknown {what} '{n}' ignored"));
                }
            }
            all.iter()
                .filter(|x| names.iter().any(|n| n == x.1))
                .map(|x| x.0)
                .collect()
        }
    }
}

/// The cells (targets × raters, row-major) of each attribute in `attrs`, filled by up to
/// `workers` threads: each takes every `workers`-th of them and passes once over the
/// observations, writing only its own attributes' cells. Bad and duplicate observations are
/// counted for the attributes analysed (and those naming no attribute at all).
pub(super) fn build_sheets(
    data: &StudyRatings,
    attrs: &[usize],
    workers: usize,
    warnings: &mut Vec<String>,
) -> Vec<Cells> {
    let (nt, nr, na) = (data.targets.len(), data.raters.len(), data.attributes.len());
    let buckets: Vec<usize> = (0..workers.clamp(1, attrs.len().max(1))).collect();
    let filled = map_in_order(&buckets, buckets.len(), |&b| {
        let mine: Vec<usize> = attrs
            .iter()
            .copied()
            .skip(b)
            .step_by(buckets.len())
            .collect();
        // Where each attribute's cells are among this bucket's, by attribute index.
        let mut slot = vec![None; na];
        for (i, &a) in mine.iter().enumerate() {
            slot[a] = Some(i);
        }
        let mut cells: Vec<Cells> = mine.iter().map(|_| Cells::unrated(nt, nr)).collect();
        let (mut bad, mut dup) = (0usize, 0usize);
        for o in &data.ratings {
            // Most observations are another bucket's, which checks them: skipped first.
            let Some(&mine) = slot.get(o.attribute) else {
                // An attribute out of range, counted once, by the first bucket.
                bad += usize::from(b == 0);
                continue;
            };
            let Some(i) = mine else { continue };
            if o.target >= nt || o.rater >= nr || !o.value.is_finite() {
                bad += 1;
                continue;
            }
            let c = &mut cells[i];
            dup += usize::from(c.get(o.target, o.rater).is_some());
            c.set(o.target, o.rater, o.value);
        }
        (mine, cells, bad, dup)
    });
    let (mut bad, mut dup) = (0usize, 0usize);
    let mut by_attribute: Vec<Option<Cells>> = vec![None; na];
    for (mine, cells, b, d) in filled {
        bad += b;
        dup += d;
        for (a, c) in mine.into_iter().zip(cells) {
            by_attribute[a] = Some(c);
        }
    }
    if bad > 0 {
        warnings.push(format!(
            "{bad} observations with an out-of-range index or a non-finite value were ignored"
        ));
    }
    if dup > 0 {
        warnings.push(format!(
            "{dup} duplicate observations (same target, rater, attribute): the last one was used"
        ));
    }
    attrs
        .iter()
        .map(|&a| {
            by_attribute[a]
                .take()
                .unwrap_or_else(|| Cells::unrated(nt, nr))
        })
        .collect()
}

/// Distinct models of the study in name order, and each target's model.
pub(super) struct Models<'a> {
    /// Model names, sorted.
    pub(super) names: Vec<&'a str>,
    /// Index into `names` of each target's model.
    pub(super) of_target: Vec<usize>,
}

impl<'a> Models<'a> {
    pub(super) fn new(data: &'a StudyRatings) -> Models<'a> {
        let mut names: Vec<&str> = data.targets.iter().map(|t| t.model.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let of_target = data
            .targets
            .iter()
            .map(|t| index[t.model.as_str()])
            .collect();
        Models { names, of_target }
    }
}

/// The item (cluster) number of every target when items are the unit the jackknife intervals
/// leave out: always for `Cluster::Item`, and for `Cluster::Auto` when some item has 2 or more
/// responses. Targets without an item are clusters of their own.
pub(super) fn item_clusters(
    data: &StudyRatings,
    cluster: Cluster,
    warnings: &mut Vec<String>,
) -> Option<Vec<u32>> {
    if cluster == Cluster::Response {
        return None;
    }
    let mut index: HashMap<&str, u32, FastHash> = HashMap::default();
    let mut shared = false;
    let mut next = 0u32;
    let mut of = Vec::with_capacity(data.targets.len());
    // Responses to one item usually come together (each item's models in a row): the last
    // item is checked before the map.
    let mut last: Option<(&str, u32)> = None;
    for t in &data.targets {
        let id = match t.item.as_deref() {
            Some(item) => {
                let seen = match last {
                    Some((l, i)) if l == item => Some(i),
                    _ => index.get(item).copied(),
                };
                let id = match seen {
                    Some(i) => {
                        shared = true;
                        i
                    }
                    None => {
                        index.insert(item, next);
                        next += 1;
                        next - 1
                    }
                };
                last = Some((item, id));
                id
            }
            None => {
                next += 1;
                next - 1
            }
        };
        of.push(id);
    }
    if cluster == Cluster::Item && index.is_empty() {
        warnings.push(
            "cluster = item, but no response names its item: responses left out one by one".into(),
        );
        return None;
    }
    (cluster == Cluster::Item || shared).then_some(of)
}

/// One sheet per selected attribute from its cells (`cells[i]` for `attrs[i]`; cells not
/// targets × raters or holding an infinity make no sheet), and where each attribute's sheet is
/// in that list.
pub(super) fn attribute_sheets(
    data: &StudyRatings,
    attrs: &[usize],
    cells: Vec<Cells>,
) -> (Vec<Sheet>, BTreeMap<usize, usize>) {
    let (nt, nr) = (data.targets.len(), data.raters.len());
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut sheet_index: BTreeMap<usize, usize> = BTreeMap::new();
    for (&a, c) in attrs.iter().zip(cells) {
        let spec = &data.attributes[a];
        sheet_index.insert(a, sheets.len());
        if c.fits(nt, nr) {
            sheets.push(Sheet {
                key: spec.key.clone(),
                group: spec.group.clone(),
                scale: (spec.scale_min, spec.scale_max),
                m: c,
            });
        }
    }
    (sheets, sheet_index)
}

/// One sheet per composite group, in order of first appearance among the selected attributes:
/// the mean of the group's attributes for a rater and target who rated every one of them (the
/// groups computed by up to `workers` threads).
pub(super) fn group_sheets(
    data: &StudyRatings,
    attrs: &[usize],
    sheets: &[Sheet],
    sheet_index: &BTreeMap<usize, usize>,
    workers: usize,
) -> Vec<Sheet> {
    let (nt, nr) = (data.targets.len(), data.raters.len());
    let mut group_names: Vec<&String> = Vec::new();
    for &a in attrs {
        if let Some(g) = &data.attributes[a].group {
            if !group_names.contains(&g) {
                group_names.push(g);
            }
        }
    }
    let group_sheet = |g: &&String| -> Option<Sheet> {
        let members: Vec<usize> = attrs
            .iter()
            .copied()
            .filter(|&a| data.attributes[a].group.as_ref() == Some(*g))
            .collect();
        let parts: Vec<&[f64]> = members
            .iter()
            .filter_map(|a| sheet_index.get(a).map(|&i| sheets[i].m.values()))
            .collect();
        // Part by part over every cell (a pass each, no branch per cell), summed in the
        // members' order from +0; an unrated part (NaN) leaves the cell unrated.
        let start = if parts.is_empty() { f64::NAN } else { 0.0 };
        let mut c = vec![start; nt * nr];
        for p in &parts {
            for (cell, v) in c.iter_mut().zip(p.iter()) {
                *cell += v;
            }
        }
        let n = parts.len() as f64;
        for sum in &mut c {
            *sum /= n;
        }
        let lo = members
            .iter()
            .map(|&a| data.attributes[a].scale_min)
            .min()?;
        let hi = members
            .iter()
            .map(|&a| data.attributes[a].scale_max)
            .max()?;
        let m = Cells::from_values(nt, nr, c)?;
        Some(Sheet {
            key: (*g).clone(),
            group: Some((*g).clone()),
            scale: (lo, hi),
            m,
        })
    };
    map_in_order(&group_names, workers, group_sheet)
        .into_iter()
        .flatten()
        .collect()
}
