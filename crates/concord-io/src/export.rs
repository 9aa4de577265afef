//! Exporting the current annotation set as CSV, JSONL or Parquet, long or wide.

use std::fs::File;
use std::path::Path;

use concord_core::annotations::{AnnotationRow, AnnotationSet};
use concord_core::files::TempPath;
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

fn text<'a>(name: &str, values: impl Iterator<Item = &'a str>) -> Column {
    Column::new(name.into(), values.collect::<Vec<_>>())
}

/// The response columns (item, prompt, response id, model, response), one row per entry of
/// `rows` (an index into `set.responses`): the texts are built once per response and gathered.
fn response_columns(
    set: &AnnotationSet,
    rows: impl Iterator<Item = usize>,
) -> PolarsResult<DataFrame> {
    let r = &set.responses;
    let per_response = DataFrame::new_infer_height(vec![
        text("item_id", r.iter().map(|x| x.item_id.as_str())),
        text("prompt", r.iter().map(|x| x.prompt.as_str())),
        text("response_id", r.iter().map(|x| x.response_id.as_str())),
        text("model", r.iter().map(|x| x.model.as_str())),
        text("response", r.iter().map(|x| x.response.as_str())),
    ])?;
    let index: Vec<IdxSize> = rows.map(|i| i as IdxSize).collect();
    per_response.take(&IdxCa::from_vec("row".into(), index))
}

/// The per-rating columns, in order, for `rows` of `set` (keys of a wide layout excluded).
fn rater_columns<'a>(set: &'a AnnotationSet, rows: &[&'a AnnotationRow]) -> Vec<Column> {
    vec![
        text(
            "rater",
            rows.iter().map(|r| set.raters[r.rater].name.as_str()),
        ),
        text(
            "rater_kind",
            rows.iter().map(|r| set.raters[r.rater].kind.as_str()),
        ),
    ]
}

fn note_columns<'a>(set: &'a AnnotationSet, rows: &[&'a AnnotationRow]) -> Vec<Column> {
    let note = |r: &AnnotationRow| r.note.map(|n| &set.notes[n]);
    vec![
        text(
            "rationale",
            rows.iter()
                .map(|r| note(r).map_or("", |n| n.rationale.as_str())),
        ),
        text(
            "flags",
            rows.iter()
                .map(|r| note(r).map_or("[]", |n| n.flags.as_str())),
        ),
    ]
}

fn long_frame(set: &AnnotationSet) -> PolarsResult<DataFrame> {
    let rows: Vec<&AnnotationRow> = set.ratings.iter().collect();
    let mut frame = response_columns(set, rows.iter().map(|r| r.response))?;
    let attribute = |r: &AnnotationRow| &set.attributes[r.attribute];
    let mut columns = rater_columns(set, &rows);
    columns.extend([
        text("attribute", rows.iter().map(|r| attribute(r).key.as_str())),
        Column::new(
            "group".into(),
            rows.iter()
                .map(|r| attribute(r).group.as_deref())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "score".into(),
            rows.iter().map(|r| r.value).collect::<Vec<_>>(),
        ),
        Column::new(
            "rated_at".into(),
            rows.iter()
                .map(|r| concord_core::format_utc_ms(r.rated_at))
                .collect::<Vec<_>>(),
        ),
    ]);
    columns.extend(note_columns(set, &rows));
    frame.hstack_mut(&columns)?;
    Ok(frame)
}

fn wide_frame(set: &AnnotationSet) -> PolarsResult<DataFrame> {
    // Ratings are ordered by response then rater, so each (response, rater) is one run.
    let mut groups: Vec<(&AnnotationRow, Vec<Option<i64>>)> = Vec::new();
    for r in &set.ratings {
        match groups.last_mut() {
            Some((first, values)) if first.response == r.response && first.rater == r.rater => {
                values[r.attribute] = Some(r.value);
            }
            _ => {
                let mut values = vec![None; set.attributes.len()];
                values[r.attribute] = Some(r.value);
                groups.push((r, values));
            }
        }
    }
    let rows: Vec<&AnnotationRow> = groups.iter().map(|(r, _)| *r).collect();
    let mut frame = response_columns(set, rows.iter().map(|r| r.response))?;
    let mut columns = rater_columns(set, &rows);
    for (i, a) in set.attributes.iter().enumerate() {
        columns.push(Column::new(
            a.key.as_str().into(),
            groups.iter().map(|(_, v)| v[i]).collect::<Vec<_>>(),
        ));
    }
    columns.extend(note_columns(set, &rows));
    frame.hstack_mut(&columns)?;
    Ok(frame)
}

/// Writes the study's current annotations to `out`.
pub fn export(
    study: &Study,
    out: &Path,
    format: Option<&str>,
    layout: ExportLayout,
) -> Result<ExportSummary> {
    let format = Format::resolve(out, format)?;
    let set = study.annotations()?;
    let progress = Progress::new(set.ratings.len() as u64, "writing rows");
    let mut frame = match layout {
        ExportLayout::Long => long_frame(&set),
        ExportLayout::Wide => wide_frame(&set),
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

/// Writes a frame in `format`; the file is written beside `out` (`concord_core::files::TempPath`,
/// removed on failure) and renamed, so a failed export never leaves a half-written file.
pub fn write_frame(frame: &mut DataFrame, out: &Path, format: Format) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| IoError::file(out, format!("cannot write: {e}"));
    let partial = TempPath::beside(out).map_err(|e| fail(&e))?;
    let mut file = File::create(partial.path()).map_err(|e| fail(&e))?;
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
    partial.persist(out).map_err(|e| fail(&e))
}
