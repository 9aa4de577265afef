//! Tabular import and export for Concord studies through polars: CSV, JSONL and Parquet in,
//! annotation sets out. Parses and formats only; every rule about the study lives in
//! `concord-core`.

mod error;
pub mod export;
mod format;
pub mod import;
mod progress;
mod table;

pub use error::{IoError, Result};
pub use format::Format;
pub use table::Table;
