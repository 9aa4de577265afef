//! Table formats and how a file's format is chosen.

use std::path::Path;

use crate::error::{IoError, Result};

/// A tabular file format Concord reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Parquet,
}

impl Format {
    /// Parses a `--format` value.
    pub fn parse(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "parquet" | "pq" => Ok(Format::Parquet),
            other => Err(IoError::Usage(format!(
                "unknown format '{other}' (use csv, jsonl or parquet)"
            ))),
        }
    }

    /// The explicit format if given, else the one the file extension names.
    pub fn resolve(path: &Path, explicit: Option<&str>) -> Result<Format> {
        if let Some(name) = explicit {
            return Format::parse(name);
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        Format::parse(ext).map_err(|_| {
            IoError::Usage(format!(
                "{}: cannot tell the format from the extension; pass --format csv|jsonl|parquet",
                path.display()
            ))
        })
    }
}
