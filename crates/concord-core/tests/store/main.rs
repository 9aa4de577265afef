//! The study file on disk: opening, refusing, migrating, recording, undo, queue and merge.

mod file;
mod lead;
mod queue;
mod ratings;

use std::path::{Path, PathBuf};

use concord_core::assignment::AssignRequest;
use concord_core::demo::{create_demo, DemoOptions};
use concord_core::import::ResponseRow;
use concord_core::schema::{APPLICATION_ID, SCHEMA_VERSION};
use concord_core::{Error, QueueFilter, RaterKind, ResponseStatus, Rubric, Study};
use rusqlite::Connection;

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.concord");
    (dir, path)
}

fn small_study(path: &Path) -> (Study, String, Vec<String>) {
    let study = Study::create(path, "t", &Rubric::builtin("mentalbench").unwrap()).unwrap();
    let rows: Vec<ResponseRow> = (0..4)
        .map(|i| ResponseRow {
            row: i + 2,
            item_id: format!("i{}", i / 2),
            prompt: format!("prompt {}", i / 2),
            response_id: format!("r{i}"),
            model: "m".into(),
            response: format!("response {i}"),
        })
        .collect();
    study.import_responses(&rows).unwrap();
    let rater = study.add_rater("Ana", RaterKind::Human, None).unwrap();
    study.assign_all(&rater.id).unwrap();
    let ids = (0..4)
        .map(|p| study.rating_view(&rater.id, p).unwrap().response_id)
        .collect();
    (study, rater.id, ids)
}

/// The study's attribute keys in rubric order.
fn attribute_keys(study: &Study) -> Vec<String> {
    study
        .rubric()
        .unwrap()
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect()
}

fn bytes(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}
