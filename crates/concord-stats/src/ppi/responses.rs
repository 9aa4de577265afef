//! Each response's model, by index, and its external id where loaded: what grouping scores by
//! model (`concord estimate`) and naming picks (`concord next`) need of the responses. A
//! response here costs 4 bytes (and its id when asked for), where a [`TargetSpec`] with its own
//! model string costs 88 and an allocation: on a 70k-response study that list was a third of a
//! scoring load.

use crate::report::TargetSpec;

/// The models in order of first appearance among the responses, each response's model as an
/// index into them, and (when loaded) each response's external id, aligned with the responses
/// of a [`ResponseScores`](super::ResponseScores).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseModels {
    models: Vec<String>,
    model_of: Vec<u32>,
    ids: Vec<String>,
}

impl ResponseModels {
    /// From each response's model as an index into `names` and (empty, or one per response)
    /// external ids: the models renumbered in order of first appearance, names no response has
    /// dropped. Panics on an index outside `names`.
    pub fn new(names: Vec<String>, mut model_of: Vec<u32>, ids: Vec<String>) -> ResponseModels {
        let mut renumbered = vec![u32::MAX; names.len()];
        let mut order = Vec::new();
        for m in &mut model_of {
            let new = &mut renumbered[*m as usize];
            if *new == u32::MAX {
                *new = order.len() as u32;
                order.push(*m as usize);
            }
            *m = *new;
        }
        let mut names: Vec<Option<String>> = names.into_iter().map(Some).collect();
        let models = order
            .iter()
            .map(|&m| names[m].take().unwrap_or_default())
            .collect();
        ResponseModels {
            models,
            model_of,
            ids,
        }
    }

    /// The models and (when `ids`) external ids of `targets`, in their order.
    pub fn from_targets(targets: &[TargetSpec], ids: bool) -> ResponseModels {
        let mut names = Vec::new();
        let mut last = 0;
        let model_of = targets
            .iter()
            .map(|t| {
                last = model_index(&mut names, last, &t.model);
                last as u32
            })
            .collect();
        let ids = match ids {
            true => targets.iter().map(|t| t.id.clone()).collect(),
            false => Vec::new(),
        };
        ResponseModels::new(names, model_of, ids)
    }

    /// Model names, in order of first appearance.
    pub fn models(&self) -> &[String] {
        &self.models
    }

    /// Each response's model, as an index into [`ResponseModels::models`].
    pub fn model_of(&self) -> &[u32] {
        &self.model_of
    }

    /// Each response's external id; empty when the ids were not loaded.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Takes the external ids out (leaving none), for a caller that hands each one on.
    pub fn take_ids(&mut self) -> Vec<String> {
        std::mem::take(&mut self.ids)
    }

    /// Number of responses.
    pub fn len(&self) -> usize {
        self.model_of.len()
    }

    /// Whether there is no response.
    pub fn is_empty(&self) -> bool {
        self.model_of.is_empty()
    }
}

/// The index of `model` in `names` (appended when new), searched from `last` (the previous
/// response's model) on and round: responses of one model sit together, or the models take
/// turns, so one or two comparisons find it, without a string map.
pub fn model_index(names: &mut Vec<String>, last: usize, model: &str) -> usize {
    let n = names.len();
    match (0..n).map(|i| (last + i) % n).find(|&m| names[m] == model) {
        Some(m) => m,
        None => {
            names.push(model.to_string());
            n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_are_numbered_in_order_of_first_appearance() {
        let target = |id: &str, model: &str| TargetSpec {
            id: id.to_string(),
            model: model.to_string(),
            length: None,
            item: None,
        };
        let targets = [
            target("r0", "b"),
            target("r1", "b"),
            target("r2", "a"),
            target("r3", "b"),
            target("r4", "c"),
        ];
        let with_ids = ResponseModels::from_targets(&targets, true);
        assert_eq!(with_ids.models(), ["b", "a", "c"]);
        assert_eq!(with_ids.model_of(), [0, 0, 1, 0, 2]);
        assert_eq!(with_ids.ids(), ["r0", "r1", "r2", "r3", "r4"]);
        let without = ResponseModels::from_targets(&targets, false);
        assert_eq!(
            (without.models(), without.model_of(), without.len()),
            (with_ids.models(), with_ids.model_of(), 5)
        );
        assert!(without.ids().is_empty());
        assert!(ResponseModels::default().is_empty());
    }

    #[test]
    fn indices_are_renumbered_by_first_appearance_and_unused_names_dropped() {
        let names = ["x", "b", "a"].map(String::from).to_vec();
        let ids = ["r0", "r1", "r2"].map(String::from).to_vec();
        let models = ResponseModels::new(names, vec![2, 1, 2], ids.clone());
        assert_eq!(models.models(), ["a", "b"]);
        assert_eq!(models.model_of(), [0, 1, 0]);
        assert_eq!(models.ids(), ids);
    }

    #[test]
    fn a_model_is_found_from_the_last_one_on_and_a_new_one_appended() {
        let mut names = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(model_index(&mut names, 2, "a"), 0);
        assert_eq!(model_index(&mut names, 0, "c"), 2);
        assert_eq!(model_index(&mut names, 1, "d"), 3);
        assert_eq!(names, ["a", "b", "c", "d"]);
        let mut none = Vec::new();
        assert_eq!(model_index(&mut none, 0, "a"), 0);
    }
}
