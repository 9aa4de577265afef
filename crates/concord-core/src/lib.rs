//! The study file and every operation on it: rubrics, import of prompts/responses/ratings,
//! recording ratings, queues, export rows, packages and merging, and the demo study.
//! Knows nothing of Tauri, the UI or file formats other than SQLite and rubric TOML.

pub mod adjudication;
pub mod annotations;
pub mod assignment;
mod bibd;
mod check;
pub mod cipher;
pub mod demo;
pub mod design;
mod error;
pub mod files;
mod ids;
pub mod import;
pub mod inbox;
mod key_cache;
pub mod merge;
mod model;
pub mod package;
pub mod progress;
mod progress_cache;
mod queue;
mod raters;
mod rating;
mod ratings_data;
pub mod rubric;
pub mod sampling;
pub mod schema;
mod site_spread;
mod study;

pub use error::{Error, Result};
pub use ids::{format_utc_ms, now_ms};
pub use model::*;
pub use ratings_data::{LiveRatings, RatingSheets, Refresh, ScoringRatings};
pub use rubric::{Attribute, Level, Rubric};
pub use study::Study;
