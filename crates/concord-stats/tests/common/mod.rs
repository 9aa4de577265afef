//! What the reference-value tests share: the committed `tests/reference/` folder and readers
//! of its files.

use std::path::PathBuf;

use concord_stats::RatingMatrix;
use serde_json::Value;

/// The workspace's `tests/reference/`. The runtime `CARGO_MANIFEST_DIR` comes first: a test
/// binary reused from another checkout's build must still read this checkout's files.
pub fn reference_dir() -> PathBuf {
    PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("../../tests/reference")
}

/// A JSON file under `tests/reference/`.
pub fn reference_json(name: &str) -> Value {
    let text = std::fs::read_to_string(reference_dir().join(name)).expect(name);
    serde_json::from_str(&text).expect("valid JSON")
}

/// Reads `target,r1,…` CSV under `tests/reference/` with empty cells for missing ratings.
#[allow(dead_code)] // not every test file sharing this module reads rating matrices
pub fn read_matrix(file: &str) -> RatingMatrix {
    let text = std::fs::read_to_string(reference_dir().join(file)).expect("data file");
    let rows: Vec<Vec<Option<f64>>> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .skip(1)
                .map(|c| (!c.is_empty()).then(|| c.parse().expect("number")))
                .collect()
        })
        .collect();
    RatingMatrix::from_rows(&rows).expect("rectangular")
}
