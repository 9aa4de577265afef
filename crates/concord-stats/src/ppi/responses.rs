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
    /// Empty, with room for `n` responses (and their ids when `ids`).
    pub fn with_capacity(n: usize, ids: bool) -> ResponseModels {
        ResponseModels {
            models: Vec::new(),
            model_of: Vec::with_capacity(n),
            ids: Vec::with_capacity(if ids { n } else { 0 }),
        }
    }

    /// The models and (when `ids`) external ids of `targets`, in their order.
    pub fn from_targets(targets: &[TargetSpec], ids: bool) -> ResponseModels {
        let mut out = ResponseModels::with_capacity(targets.len(), ids);
        for t in targets {
            out.push(&t.model, ids.then(|| t.id.clone()));
        }
        out
    }

    /// Appends a response of `model` (a new model goes last) with its external id, if loaded:
    /// give one for every response or for none.
    pub fn push(&mut self, model: &str, id: Option<String>) {
        // Responses of one model tend to sit together, and a study has few models: the last
        // response's model first, then a scan, never a string map.
        let last = self.model_of.last().map(|&m| m as usize);
        let m = match last.filter(|&m| self.models[m] == model) {
            Some(m) => m,
            None => match self.models.iter().position(|s| s == model) {
                Some(m) => m,
                None => {
                    self.models.push(model.to_string());
                    self.models.len() - 1
                }
            },
        };
        self.model_of.push(m as u32);
        self.ids.extend(id);
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

    /// Number of responses.
    pub fn len(&self) -> usize {
        self.model_of.len()
    }

    /// Whether there is no response.
    pub fn is_empty(&self) -> bool {
        self.model_of.is_empty()
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
}
