//! Importing tables into a study: prompts with responses, and earlier ratings (long or wide).
//! Parsing happens here; validation against the study and the single write transaction happen
//! in `concord-core`, so a failed import changes nothing.

use std::collections::BTreeMap;
use std::path::Path;

use concord_core::import::{ImportSummary, RatingRow, ResponseRow, Score};
use concord_core::{RaterKind, Study};

use crate::error::{IoError, Result};
use crate::format::Format;
use crate::progress::Progress;
use crate::table::Table;

/// Columns of the responses layout, in the order the fields are documented.
pub const RESPONSE_FIELDS: [&str; 5] = ["item_id", "prompt", "response_id", "model", "response"];

/// `field=column` overrides of the default column names.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(BTreeMap<String, String>);

impl ColumnMap {
    /// Parses `--map field=column` arguments, checking each field is one of `allowed`.
    pub fn parse(pairs: &[String], allowed: &[&str]) -> Result<ColumnMap> {
        let mut map = BTreeMap::new();
        for pair in pairs {
            let (field, column) = pair.split_once('=').ok_or_else(|| {
                IoError::Usage(format!("--map expects field=column, got '{pair}'"))
            })?;
            let field = field.trim();
            if !allowed.contains(&field) {
                return Err(IoError::Usage(format!(
                    "--map: unknown field '{field}' (fields: {})",
                    allowed.join(", ")
                )));
            }
            map.insert(field.to_string(), column.trim().to_string());
        }
        Ok(ColumnMap(map))
    }

    fn column<'a>(&'a self, field: &'a str) -> &'a str {
        self.0.get(field).map(String::as_str).unwrap_or(field)
    }
}

fn required(table: &Table, column: &str, cells: &[Option<String>], index: usize) -> Result<String> {
    cells[index]
        .clone()
        .ok_or_else(|| IoError::row(&table.path, table.row_number(index), column, "is empty"))
}

/// Imports prompts and responses (one row per response).
pub fn import_responses(
    study: &Study,
    path: &Path,
    format: Option<&str>,
    map: &ColumnMap,
) -> Result<ImportSummary> {
    let table = Table::read(path, Format::resolve(path, format)?)?;
    let columns: Vec<(&str, Vec<Option<String>>)> = RESPONSE_FIELDS
        .iter()
        .map(|f| Ok((map.column(f), table.text(map.column(f))?)))
        .collect::<Result<_>>()?;
    let progress = Progress::new(table.len() as u64, "reading rows");
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let cell = |k: usize| required(&table, columns[k].0, &columns[k].1, i);
        rows.push(ResponseRow {
            row: table.row_number(i),
            item_id: cell(0)?,
            prompt: cell(1)?,
            response_id: cell(2)?,
            model: columns[3].1[i].clone().unwrap_or_default(),
            response: cell(4)?,
        });
        progress.inc();
    }
    progress.finish();
    study
        .import_responses(&rows)
        .map_err(|e| IoError::in_file(path, e))
}

/// Columns a wide ratings table may carry besides attribute scores (Concord's own wide export
/// has all of them), so an export can be imported as it is.
const NON_ATTRIBUTE_COLUMNS: [&str; 9] = [
    "response_id",
    "rater",
    "rationale",
    "item_id",
    "prompt",
    "model",
    "response",
    "rater_kind",
    "flags",
];

/// Layout of a ratings table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingLayout {
    /// `response_id, rater, attribute, score[, rationale]`
    Long,
    /// `response_id, rater, <attribute key>…[, rationale]`; an empty cell means not rated.
    Wide,
}

fn parse_score(table: &Table, index: usize, column: &str, text: &str) -> Result<i64> {
    let invalid = || {
        IoError::row(
            &table.path,
            table.row_number(index),
            column,
            format!("score '{text}' is not an integer"),
        )
    };
    if let Ok(v) = text.parse::<i64>() {
        return Ok(v);
    }
    // Parquet and JSONL integers may arrive as "4.0"; accept whole numbers only.
    match text.parse::<f64>() {
        Ok(v) if v.fract() == 0.0 && v.abs() < 1e15 => Ok(v as i64),
        _ => Err(invalid()),
    }
}

/// Imports ratings made elsewhere; raters are created by name with `kind`.
pub fn import_ratings(
    study: &Study,
    path: &Path,
    format: Option<&str>,
    layout: RatingLayout,
    kind: RaterKind,
) -> Result<ImportSummary> {
    let table = Table::read(path, Format::resolve(path, format)?)?;
    let response_ids = table.text("response_id")?;
    let raters = table.text("rater")?;
    let rationale = table
        .columns()
        .contains(&"rationale".to_string())
        .then(|| table.text("rationale"))
        .transpose()?;
    let score_columns: Vec<(String, Vec<Option<String>>)> = match layout {
        RatingLayout::Long => vec![("score".into(), table.text("score")?)],
        RatingLayout::Wide => {
            let keys: Vec<String> = study
                .rubric()?
                .attributes
                .into_iter()
                .map(|a| a.key)
                .collect();
            let mut columns = Vec::new();
            for c in table.columns() {
                if NON_ATTRIBUTE_COLUMNS.contains(&c.as_str()) {
                    continue;
                }
                if !keys.contains(&c) {
                    return Err(IoError::row(
                        &table.path,
                        1,
                        &c,
                        format!("unknown attribute (this rubric has: {})", keys.join(", ")),
                    ));
                }
                columns.push((c.clone(), table.text(&c)?));
            }
            if columns.is_empty() {
                return Err(IoError::row(
                    &table.path,
                    1,
                    "(header)",
                    "no attribute columns",
                ));
            }
            columns
        }
    };
    let attributes = match layout {
        RatingLayout::Long => Some(table.text("attribute")?),
        RatingLayout::Wide => None,
    };
    let progress = Progress::new(table.len() as u64, "reading rows");
    let mut rows = Vec::with_capacity(table.len());
    for i in 0..table.len() {
        let mut scores = Vec::new();
        for (column, cells) in &score_columns {
            let Some(text) = cells[i].as_deref() else {
                if layout == RatingLayout::Long {
                    return Err(IoError::row(
                        &table.path,
                        table.row_number(i),
                        column,
                        "is empty",
                    ));
                }
                continue;
            };
            let value = parse_score(&table, i, column, text)?;
            let (attribute_field, attribute) = match &attributes {
                Some(a) => (
                    "attribute".to_string(),
                    required(&table, "attribute", a, i)?,
                ),
                None => (column.clone(), column.clone()),
            };
            scores.push(Score {
                attribute_field,
                value_field: column.clone(),
                attribute,
                value,
            });
        }
        rows.push(RatingRow {
            row: table.row_number(i),
            response_id: required(&table, "response_id", &response_ids, i)?,
            rater: required(&table, "rater", &raters, i)?,
            scores,
            rationale: rationale.as_ref().and_then(|r| r[i].clone()),
        });
        progress.inc();
    }
    progress.finish();
    study
        .import_ratings(&rows, kind)
        .map_err(|e| IoError::in_file(path, e))
}
