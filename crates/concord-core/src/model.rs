//! Domain types shared by the store's operations and its callers (the app, the CLI).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether a rater is a person or an LLM judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RaterKind {
    Human,
    Llm,
}

impl RaterKind {
    /// The value stored in the `rater.kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RaterKind::Human => "human",
            RaterKind::Llm => "llm",
        }
    }

    /// Parses the stored or command-line spelling.
    pub fn parse(s: &str) -> Option<RaterKind> {
        match s {
            "human" => Some(RaterKind::Human),
            "llm" => Some(RaterKind::Llm),
            _ => None,
        }
    }
}

/// A person or judge who rates responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rater {
    pub id: String,
    pub name: String,
    pub kind: RaterKind,
    /// The rater's site (`site` in the rater's metadata), if the lead recorded one.
    pub site: Option<String>,
}

/// Who a study file is for, decided by the file itself: a master (with no package manifest) is
/// the study lead's; a rater package (with one) is its rater's, who may only rate and return it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StudyMode {
    Lead,
    Rater,
}

/// Study-wide settings, stored as JSON in the `study` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct StudySettings {
    /// Hide the model behind each response from raters.
    pub blind: bool,
    /// Flags a rater can set on a response.
    pub flags: Vec<String>,
    /// How many raters should rate each response.
    pub overlap_target: u32,
    /// Seed of the per-rater queue shuffles (not the statistics' bootstrap seed, which is
    /// `ReportOptions::seed`). Stored and shown as `seed`, as before the rename.
    #[serde(rename = "seed")]
    pub shuffle_seed: u64,
    /// Judge name → models of the judge's own family, left out of system-level analyses.
    pub exclude_own: BTreeMap<String, Vec<String>>,
    /// Who raters send returned packages to (shown to the rater, e.g. "Dr Lead, lead@site.org").
    pub return_to: String,
    /// The lead's inbox folder, which the app watches (see `inbox.rs`); empty for none.
    pub inbox: String,
    /// ε of the Alternative Annotator Test every analysis of the study uses (0 < ε < 1; the
    /// dashboard's ε control saves it, `--alt-epsilon` overrides it for one run).
    pub alt_epsilon: f64,
}

impl Default for StudySettings {
    fn default() -> Self {
        StudySettings {
            blind: true,
            flags: crate::rubric::DEFAULT_FLAGS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            overlap_target: 2,
            shuffle_seed: 1,
            exclude_own: BTreeMap::new(),
            return_to: String::new(),
            inbox: String::new(),
            alt_epsilon: concord_stats::report::AltTestOptions::default().epsilon,
        }
    }
}

/// Counts shown by `concord info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudyInfo {
    pub name: String,
    pub items: usize,
    pub responses: usize,
    pub raters: RaterCounts,
    /// Current non-empty rating values.
    pub ratings: usize,
    pub events: usize,
    pub schema_version: i64,
}

/// Raters by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaterCounts {
    pub human: usize,
    pub llm: usize,
}

/// One appended rating event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingEvent {
    pub id: String,
    pub rater_id: String,
    pub response_id: String,
    pub attribute_key: String,
    pub value: Option<i64>,
    pub created_at: i64,
}

/// What an undo restored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UndoneChange {
    pub response_id: String,
    pub attribute_key: String,
    pub restored: Option<i64>,
}

/// A rater's progress over their assigned responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub total: usize,
    pub done: usize,
    pub partial: usize,
    pub todo: usize,
    pub flagged: usize,
}

/// How far a rater got with one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    Todo,
    Partial,
    Done,
}

/// Which queue entries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum QueueFilter {
    All,
    Todo,
    Partial,
    Done,
    Flagged,
}

/// One row of a rater's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueueEntry {
    /// 0-based index in the rater's order.
    pub position: usize,
    pub response_id: String,
    /// What the rater sees as the response's name: its external id, or in a blind study the
    /// opaque per-rater ordinal "Response 17" (see [`StudySettings::blind`]).
    pub label: String,
    /// Empty in a blind study (external ids often encode the model).
    pub item_external_id: String,
    /// Empty in a blind study.
    pub response_external_id: String,
    pub status: ResponseStatus,
    pub flagged: bool,
    pub n_set: usize,
    pub n_attributes: usize,
    pub preview: String,
}

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueuePage {
    /// Entries matching the filter in total.
    pub total: usize,
    pub entries: Vec<QueueEntry>,
}

/// Everything the rating screen shows for one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingView {
    pub position: usize,
    pub total: usize,
    pub response_id: String,
    /// As in [`QueueEntry::label`].
    pub label: String,
    /// Empty in a blind study.
    pub item_external_id: String,
    /// Empty in a blind study.
    pub response_external_id: String,
    pub prompt: String,
    pub context: serde_json::Value,
    /// Untrusted model output, raw.
    pub response: String,
    /// `None` when the study is blind.
    pub model: Option<String>,
    pub values: BTreeMap<String, i64>,
    pub rationale: String,
    pub flags: Vec<String>,
}
