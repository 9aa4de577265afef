//! Exporting the current annotation set as CSV, JSONL or Parquet, long or wide.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use concord_core::annotations::AnnotationRow;
use concord_core::Study;
use polars::prelude::*;

use crate::error::{IoError, Result};
use crate::format::Format;
use crate::progress::Progress;

/// Shape of an exported annotation set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportLayout {
    /// One row per rater × response × attribute (`score` column, as the ratings import reads).
    Long,
    /// One row per response × rater, one column per attribute key.
    Wide,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExportSummary {
    pub rows: usize,
    pub columns: Vec<String>,
}

fn text(name: &str, values: impl Iterator<Item = String>) -> Column {
    Column::new(name.into(), values.collect::<Vec<_>>())
}

fn long_frame(rows: &[AnnotationRow]) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(vec![
        text("item_id", rows.iter().map(|r| r.item_id.clone())),
        text("prompt", rows.iter().map(|r| r.prompt.clone())),
        text("response_id", rows.iter().map(|r| r.response_id.clone())),
        text("model", rows.iter().map(|r| r.model.clone())),
        text("response", rows.iter().map(|r| r.response.clone())),
        text("rater", rows.iter().map(|r| r.rater.clone())),
        text("rater_kind", rows.iter().map(|r| r.rater_kind.clone())),
        text("attribute", rows.iter().map(|r| r.attribute.clone())),
        Column::new(
            "group".into(),
            rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "score".into(),
            rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        ),
        text(
            "rated_at",
            rows.iter().map(|r| concord_core::format_utc_ms(r.rated_at)),
        ),
        text("rationale", rows.iter().map(|r| r.rationale.clone())),
        text("flags", rows.iter().map(|r| r.flags.clone())),
    ])
}

fn wide_frame(rows: &[AnnotationRow], keys: &[String]) -> PolarsResult<DataFrame> {
    // Rows arrive ordered by response then rater, so each (response, rater) is one run.
    let mut groups: Vec<(&AnnotationRow, BTreeMap<&str, i64>)> = Vec::new();
    for r in rows {
        match groups.last_mut() {
            Some((first, values))
                if first.response_id == r.response_id && first.rater == r.rater =>
            {
                values.insert(&r.attribute, r.value);
            }
            _ => groups.push((r, BTreeMap::from([(r.attribute.as_str(), r.value)]))),
        }
    }
    let mut columns = vec![
        text("item_id", groups.iter().map(|(r, _)| r.item_id.clone())),
        text("prompt", groups.iter().map(|(r, _)| r.prompt.clone())),
        text(
            "response_id",
            groups.iter().map(|(r, _)| r.response_id.clone()),
        ),
        text("model", groups.iter().map(|(r, _)| r.model.clone())),
        text("response", groups.iter().map(|(r, _)| r.response.clone())),
        text("rater", groups.iter().map(|(r, _)| r.rater.clone())),
        text(
            "rater_kind",
            groups.iter().map(|(r, _)| r.rater_kind.clone()),
        ),
    ];
    for key in keys {
        columns.push(Column::new(
            key.as_str().into(),
            groups
                .iter()
                .map(|(_, v)| v.get(key.as_str()).copied())
                .collect::<Vec<_>>(),
        ));
    }
    columns.push(text(
        "rationale",
        groups.iter().map(|(r, _)| r.rationale.clone()),
    ));
    columns.push(text("flags", groups.iter().map(|(r, _)| r.flags.clone())));
    DataFrame::new_infer_height(columns)
}

/// Writes the study's current annotations to `out`.
pub fn export(
    study: &Study,
    out: &Path,
    format: Option<&str>,
    layout: ExportLayout,
) -> Result<ExportSummary> {
    let format = Format::resolve(out, format)?;
    let rows = study.annotations()?;
    let progress = Progress::new(rows.len() as u64, "writing rows");
    let keys: Vec<String> = study
        .rubric()?
        .attributes
        .into_iter()
        .map(|a| a.key)
        .collect();
    let mut frame = match layout {
        ExportLayout::Long => long_frame(&rows),
        ExportLayout::Wide => wide_frame(&rows, &keys),
    }
    .map_err(|e| IoError::file(out, e.to_string()))?;
    write_frame(&mut frame, out, format)?;
    progress.finish();
    Ok(ExportSummary {
        rows: frame.height(),
        columns: frame
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect(),
    })
}

/// Writes a frame in `format`; the file is written beside `out` and renamed, so a failed export
/// never leaves a half-written file under the requested name.
pub fn write_frame(frame: &mut DataFrame, out: &Path, format: Format) -> Result<()> {
    let partial = out.with_extension("partial");
    let fail = |e: &dyn std::fmt::Display| IoError::file(out, format!("cannot write: {e}"));
    let mut file = File::create(&partial).map_err(|e| fail(&e))?;
    match format {
        Format::Csv => CsvWriter::new(&mut file)
            .finish(frame)
            .map_err(|e| fail(&e))?,
        Format::Jsonl => JsonWriter::new(&mut file)
            .with_json_format(JsonFormat::JsonLines)
            .finish(frame)
            .map_err(|e| fail(&e))?,
        Format::Parquet => {
            ParquetWriter::new(&mut file)
                .finish(frame)
                .map_err(|e| fail(&e))?;
        }
    }
    file.sync_all().map_err(|e| fail(&e))?;
    std::fs::rename(&partial, out).map_err(|e| fail(&e))?;
    Ok(())
}
