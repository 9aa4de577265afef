//! Every response's human mean and judge scores by attribute: what the PPI groups (`concord
//! estimate`) and active sampling (`concord next`) are cut from. A store fills it straight from
//! its rows ([`ResponseScores::add`]), with no list of single ratings between: on a
//! 70k-response study that list is tens of megabytes of fresh pages.

use crate::report::{RaterSpec, StudyRatings};

/// What one rater's scores are to [`ResponseScores`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Human,
    /// A judge whose scores are kept, in this column.
    Judge(usize),
    /// A judge not asked for.
    Skipped,
}

/// Where a score goes: `rater`'s role, or `None` for positions out of range, skipped judges
/// and non-finite values (the one rule of [`ResponseScores::add`] and [`ScoresPart::add`]).
#[inline]
fn role_of(
    roles: &[Role],
    rater: usize,
    (attribute, n_attributes): (usize, usize),
    (target, n_targets): (usize, usize),
    value: f64,
) -> Option<Role> {
    if attribute >= n_attributes || target >= n_targets || !value.is_finite() {
        return None;
    }
    roles.get(rater).copied().filter(|r| *r != Role::Skipped)
}

/// Human score sums and counts per (attribute, response), and each kept judge's score per
/// (attribute, judge column, response), by the positions of a [`StudyRatings`]' attributes,
/// raters and targets.
#[derive(Debug, Clone)]
pub struct ResponseScores {
    n_attributes: usize,
    n_targets: usize,
    roles: Vec<Role>,
    /// The rater index of each judge column.
    judges: Vec<usize>,
    humans: HumanMeans,
    /// NaN where the judge did not score the response.
    judge: Vec<f64>,
}

/// The human score sums and counts per (attribute, response) of a [`ResponseScores`], kept
/// only for the responses a human scored: humans rate a tenth of the responses or less, and
/// dense sums for every response cost a page fault per 512 of them.
#[derive(Debug, Clone)]
pub struct HumanMeans {
    n_attributes: usize,
    /// Per target, 1 + its row in `sum` / `n`, or 0 while no human scored it.
    row: Vec<u32>,
    /// Per human-scored target (in the order first scored), one sum and count per attribute.
    sum: Vec<f64>,
    n: Vec<u32>,
}

impl HumanMeans {
    /// No human sums yet for `n_targets` targets.
    fn empty(n_attributes: usize, n_targets: usize) -> HumanMeans {
        HumanMeans {
            n_attributes,
            row: vec![0; n_targets],
            sum: Vec::new(),
            n: Vec::new(),
        }
    }

    /// Mean human score of `target` on `attribute`, when a human scored it.
    #[inline]
    pub fn mean(&self, attribute: usize, target: usize) -> Option<f64> {
        let row = self.row[target] as usize;
        let i = row.checked_sub(1)? * self.n_attributes + attribute;
        (self.n[i] > 0).then(|| self.sum[i] / f64::from(self.n[i]))
    }

    /// `target`'s sums and counts, when a human scored it.
    fn cells(&self, target: usize) -> Option<(&[f64], &[u32])> {
        let r = (self.row[target] as usize).checked_sub(1)?;
        let cells = r * self.n_attributes..(r + 1) * self.n_attributes;
        Some((&self.sum[cells.clone()], &self.n[cells]))
    }

    #[inline]
    fn add(&mut self, attribute: usize, target: usize, value: f64) {
        if self.row[target] == 0 {
            self.new_row(target);
        }
        let cell = (self.row[target] as usize - 1) * self.n_attributes + attribute;
        self.sum[cell] += value;
        self.n[cell] += 1;
    }

    /// Rows for `target`'s sums and counts: once per human-scored target, out of the path of
    /// every score.
    #[cold]
    fn new_row(&mut self, target: usize) {
        self.sum.resize(self.sum.len() + self.n_attributes, 0.0);
        self.n.resize(self.n.len() + self.n_attributes, 0);
        self.row[target] = (self.n.len() / self.n_attributes) as u32;
    }
}

/// Some targets of a [`ResponseScores`] (from [`ResponseScores::halves`]), filled apart.
pub struct ScoresPart<'a> {
    n_attributes: usize,
    n_judges: usize,
    roles: &'a [Role],
    /// The part's targets of each (attribute, judge column), as the scores order them.
    judge: Vec<&'a mut [f64]>,
    /// The part's own human sums, its first target at row 0.
    humans: HumanMeans,
}

impl ScoresPart<'_> {
    /// [`ResponseScores::add`] with `target` counted from the part's first.
    // Always inlined into the loader's scan (in core), which calls it per score.
    #[inline(always)]
    pub fn add(&mut self, rater: usize, attribute: usize, target: usize, value: f64) {
        let (a, t) = (
            (attribute, self.n_attributes),
            (target, self.humans.row.len()),
        );
        match role_of(self.roles, rater, a, t, value) {
            Some(Role::Human) => self.humans.add(attribute, target, value),
            Some(Role::Judge(c)) => self.judge[attribute * self.n_judges + c][target] = value,
            Some(Role::Skipped) | None => {}
        }
    }

    /// Back to no scores, for a part filled again.
    pub fn clear(&mut self) {
        for column in &mut self.judge {
            column.fill(f64::NAN);
        }
        self.humans = HumanMeans::empty(self.n_attributes, self.humans.row.len());
    }

    /// The part's human sums, for [`ResponseScores::join_humans`].
    pub fn into_humans(self) -> HumanMeans {
        self.humans
    }
}

/// Equal when they hold the same scores: the same shape, judge scores (NaN equal to NaN) and
/// each target's human sums and counts, whatever order the human rows were filled in (a load
/// in parts fills them in another order than one pass).
impl PartialEq for ResponseScores {
    fn eq(&self, other: &Self) -> bool {
        self.n_attributes == other.n_attributes
            && self.n_targets == other.n_targets
            && self.roles == other.roles
            && self.judges == other.judges
            && crate::matrix::same_bits(&self.judge, &other.judge)
            && (0..self.n_targets).all(|t| self.humans.cells(t) == other.humans.cells(t))
    }
}

impl ResponseScores {
    /// Empty arrays for `n_attributes` × `n_targets`, keeping the scores of the judge named
    /// `judge` (every judge when `None`; a name no judge has keeps none) and of every human.
    pub fn new(
        raters: &[RaterSpec],
        judge: Option<&str>,
        n_attributes: usize,
        n_targets: usize,
    ) -> ResponseScores {
        let mut judges = Vec::new();
        let roles = raters
            .iter()
            .enumerate()
            .map(|(r, spec)| match (spec.is_judge, judge) {
                (false, _) => Role::Human,
                (true, Some(name)) if spec.name != name => Role::Skipped,
                (true, _) => {
                    judges.push(r);
                    Role::Judge(judges.len() - 1)
                }
            })
            .collect();
        ResponseScores {
            n_attributes,
            n_targets,
            roles,
            humans: HumanMeans::empty(n_attributes, n_targets),
            judge: vec![f64::NAN; n_attributes * n_targets * judges.len()],
            judges,
        }
    }

    /// [`ResponseScores::new`] filled with every rating of `data`.
    pub fn from_ratings(data: &StudyRatings, judge: Option<&str>) -> ResponseScores {
        let mut out = ResponseScores::new(
            &data.raters,
            judge,
            data.attributes.len(),
            data.targets.len(),
        );
        for o in &data.ratings {
            out.add(o.rater, o.attribute, o.target, o.value);
        }
        out
    }

    /// Records `rater`'s score on (`attribute`, `target`); positions out of range, skipped
    /// judges and non-finite values are left out.
    // Inlined into the loaders' and the grouping's loops in other crates: called per score.
    #[inline]
    pub fn add(&mut self, rater: usize, attribute: usize, target: usize, value: f64) {
        let (a, t) = ((attribute, self.n_attributes), (target, self.n_targets));
        match role_of(&self.roles, rater, a, t, value) {
            Some(Role::Human) => self.humans.add(attribute, target, value),
            Some(Role::Judge(c)) => {
                self.judge[(attribute * self.judges.len() + c) * self.n_targets + target] = value;
            }
            Some(Role::Skipped) | None => {}
        }
    }

    /// The same scores for another list of targets: target `t` of the result is this one's
    /// target `slots[t]` (`None`, or a slot out of range: a target nobody scored). A store can
    /// so fill the arrays by its own keys before it knows the targets' order.
    pub fn reordered(self, slots: &[Option<usize>]) -> ResponseScores {
        let n = slots.len();
        let columns = self.n_attributes * self.judges.len();
        let slot = |t: usize| slots[t].filter(|&s| s < self.n_targets);
        let mut judge = vec![f64::NAN; columns * n];
        for (to, from) in judge
            .chunks_exact_mut(n.max(1))
            .zip(self.judge.chunks_exact(self.n_targets.max(1)))
        {
            for (t, cell) in to.iter_mut().enumerate() {
                if let Some(s) = slot(t) {
                    *cell = from[s];
                }
            }
        }
        // The human rows stay where they are; only which target points at each moves.
        let row = (0..n)
            .map(|t| slot(t).map_or(0, |s| self.humans.row[s]))
            .collect();
        ResponseScores {
            n_targets: n,
            humans: HumanMeans { row, ..self.humans },
            judge,
            ..self
        }
    }

    /// The targets before `from` and those from `from` on, as two parts to fill side by side
    /// (a load split by response, on two connections): their judge scores are written in
    /// place; their human sums stay in the parts until [`ResponseScores::join_humans`].
    pub fn halves(&mut self, from: usize) -> [ScoresPart<'_>; 2] {
        let n = self.n_targets;
        assert!(from <= n, "a split inside the targets");
        let (mut lower, mut upper) = (Vec::new(), Vec::new());
        for column in self.judge.chunks_exact_mut(n.max(1)) {
            let (l, u) = column.split_at_mut(from);
            lower.push(l);
            upper.push(u);
        }
        let part = |judge, targets| ScoresPart {
            n_attributes: self.n_attributes,
            n_judges: self.judges.len(),
            roles: &self.roles,
            judge,
            humans: HumanMeans::empty(self.n_attributes, targets),
        };
        [part(lower, from), part(upper, n - from)]
    }

    /// Takes the human sums of the two parts [`ResponseScores::halves`] gave, in their order, as
    /// these scores' own.
    pub fn join_humans(&mut self, [lower, upper]: [HumanMeans; 2]) {
        assert_eq!(
            lower.row.len() + upper.row.len(),
            self.n_targets,
            "the halves of these scores"
        );
        // The upper part's rows follow the lower's.
        let rows = (lower.n.len() / self.n_attributes.max(1)) as u32;
        let mut humans = lower;
        humans
            .row
            .extend(upper.row.iter().map(|&r| if r > 0 { r + rows } else { 0 }));
        humans.sum.extend_from_slice(&upper.sum);
        humans.n.extend_from_slice(&upper.n);
        self.humans = humans;
    }

    /// Judge column `column`'s scores on every attribute (in attribute order), writable, beside
    /// the human means: for a caller that regroups them in place rather than copying them out,
    /// attributes side by side (`concord estimate`'s grouping by model).
    pub fn judge_columns_mut(&mut self, column: usize) -> (&HumanMeans, Vec<&mut [f64]>) {
        assert!(column < self.judges.len(), "a kept judge's column");
        let n = self.n_targets;
        let mut rest = &mut self.judge[..];
        let mut columns = Vec::with_capacity(self.n_attributes);
        for _ in 0..self.n_attributes {
            let (attribute, tail) = std::mem::take(&mut rest).split_at_mut(self.judges.len() * n);
            columns.push(&mut attribute[column * n..(column + 1) * n]);
            rest = tail;
        }
        (&self.humans, columns)
    }

    /// The rater index of each kept judge, in column order (rater order).
    pub fn judges(&self) -> &[usize] {
        &self.judges
    }

    /// The column of the judge at rater index `rater`, when its scores are kept.
    pub fn column(&self, rater: usize) -> Option<usize> {
        match self.roles.get(rater) {
            Some(&Role::Judge(c)) => Some(c),
            _ => None,
        }
    }

    /// Mean human score of `target` on `attribute`, when a human scored it.
    #[inline]
    pub fn human(&self, attribute: usize, target: usize) -> Option<f64> {
        self.humans.mean(attribute, target)
    }

    /// Judge column `column`'s scores on `attribute`, one per target (NaN = not scored).
    #[inline]
    pub fn judge(&self, attribute: usize, column: usize) -> &[f64] {
        &self.judge[self.judge_range(attribute, column)]
    }

    /// Where judge column `column`'s scores on `attribute` are in `judge`.
    #[inline]
    fn judge_range(&self, attribute: usize, column: usize) -> std::ops::Range<usize> {
        let start = (attribute * self.judges.len() + column) * self.n_targets;
        start..start + self.n_targets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A human rater H and a judge J.
    fn human_and_judge() -> [RaterSpec; 2] {
        [("H", false), ("J", true)].map(|(name, is_judge)| RaterSpec {
            name: name.to_string(),
            is_judge,
        })
    }

    #[test]
    fn scores_loaded_in_two_halves_join_into_the_whole() {
        let raters = human_and_judge();
        // (rater, attribute, target, value) on 5 targets and 2 attributes.
        let all = [
            (0, 0, 0, 2.0),
            (0, 1, 3, 4.0),
            (0, 0, 4, 1.0),
            (0, 0, 4, 3.0),
            (1, 0, 1, 5.0),
            (1, 1, 2, 3.0),
            (1, 1, 4, 2.0),
        ];
        let mut whole = ResponseScores::new(&raters, None, 2, 5);
        for &(r, a, t, v) in &all {
            whole.add(r, a, t, v);
        }
        let mut joined = ResponseScores::new(&raters, None, 2, 5);
        let [mut lower, mut upper] = joined.halves(2);
        // The upper part filled twice (as a load reads a part again): stray scores, cleared.
        upper.add(1, 0, 0, 1.0);
        upper.add(0, 1, 1, 9.0);
        upper.clear();
        // In another order than the whole: the human rows come in another order too.
        for &(r, a, t, v) in all.iter().rev() {
            match t < 2 {
                true => lower.add(r, a, t, v),
                false => upper.add(r, a, t - 2, v),
            }
        }
        let humans = [lower.into_humans(), upper.into_humans()];
        joined.join_humans(humans);
        assert_eq!(joined, whole);
        for a in 0..2 {
            let bits = |s: &ResponseScores| -> Vec<u64> {
                s.judge(a, 0).iter().map(|v| v.to_bits()).collect()
            };
            assert_eq!(bits(&joined), bits(&whole));
            for t in 0..5 {
                assert_eq!(
                    joined.human(a, t),
                    whole.human(a, t),
                    "attribute {a}, target {t}"
                );
            }
        }
        assert_eq!(joined.human(0, 4), Some(2.0));
        assert_eq!(joined.human(1, 3), Some(4.0));
    }

    #[test]
    fn reordered_scores_follow_their_targets() {
        let raters = human_and_judge();
        // Filled by slot: slot 0 human 2 and judge 4; slot 2 judge 5 on attribute 1 only.
        let mut by_slot = ResponseScores::new(&raters, None, 2, 3);
        by_slot.add(0, 0, 0, 2.0);
        by_slot.add(1, 0, 0, 4.0);
        by_slot.add(1, 1, 2, 5.0);
        // Targets: slot 2, nothing, slot 0, a slot out of range.
        let scores = by_slot.reordered(&[Some(2), None, Some(0), Some(7)]);
        let judge = |a| {
            scores
                .judge(a, 0)
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(judge(0), ["NaN", "NaN", "4", "NaN"]);
        assert_eq!(judge(1), ["5", "NaN", "NaN", "NaN"]);
        let humans: Vec<Option<f64>> = (0..4).map(|t| scores.human(0, t)).collect();
        assert_eq!(humans, [None, None, Some(2.0), None]);
        // Filled in target order from the start, the same scores.
        let mut direct = ResponseScores::new(&raters, None, 2, 4);
        direct.add(0, 0, 2, 2.0);
        direct.add(1, 0, 2, 4.0);
        direct.add(1, 1, 0, 5.0);
        assert_eq!(format!("{scores:?}"), format!("{direct:?}"));
    }
}
