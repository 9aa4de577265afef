//! Reading a CSV, JSONL or Parquet file into a polars frame of text columns, with the messy
//! parts of real exports handled (BOM, `\r\n`, quoted newlines, padded headers) and every
//! structural problem reported with its row.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{IoError, Result};
use crate::format::Format;

/// A file read as text columns; cells are `None` when empty or absent.
pub struct Table {
    pub path: PathBuf,
    pub format: Format,
    frame: DataFrame,
}

impl Table {
    /// Reads `path` in `format`.
    pub fn read(path: &Path, format: Format) -> Result<Table> {
        let bytes =
            std::fs::read(path).map_err(|e| IoError::file(path, format!("cannot read: {e}")))?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(IoError::file(path, "file is empty"));
        }
        let frame = match format {
            Format::Csv => read_csv(path, bytes)?,
            Format::Jsonl => read_jsonl(path, bytes)?,
            Format::Parquet => ParquetReader::new(Cursor::new(bytes))
                .finish()
                .map_err(|e| {
                    IoError::file(
                        path,
                        format!("not a readable Parquet file ({})", one_line(&e)),
                    )
                })?,
        };
        if frame.height() == 0 {
            return Err(IoError::file(path, "no data rows (only a header)"));
        }
        let frame = text_columns(path, frame)?;
        Ok(Table {
            path: path.to_path_buf(),
            format,
            frame,
        })
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.frame.height()
    }

    /// Whether the table has no data rows (never true for a table that was read successfully).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column names, trimmed, in file order.
    pub fn columns(&self) -> Vec<String> {
        self.frame
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// A column's cells as trimmed text (`None` for empty cells), or an error naming the column.
    pub fn text(&self, column: &str) -> Result<Vec<Option<String>>> {
        let col = self.frame.column(column).map_err(|_| {
            IoError::row(
                &self.path,
                1,
                column,
                format!("no such column (columns: {})", self.columns().join(", ")),
            )
        })?;
        let ca = col.str().expect("columns are cast to text on read");
        Ok(ca
            .iter()
            .map(|v| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from))
            .collect())
    }

    /// The row number a person sees for data row `index` (0-based): the spreadsheet row for
    /// CSV (header = 1), the line for JSONL, the 1-based record for Parquet.
    pub fn row_number(&self, index: usize) -> usize {
        match self.format {
            Format::Csv => index + 2,
            Format::Jsonl | Format::Parquet => index + 1,
        }
    }
}

fn one_line(e: &PolarsError) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every column as text, header names trimmed.
fn text_columns(path: &Path, frame: DataFrame) -> Result<DataFrame> {
    let mut columns = Vec::with_capacity(frame.width());
    for col in frame.columns() {
        let name = col.name().trim().trim_start_matches('\u{feff}').to_string();
        let text = col.cast(&DataType::String).map_err(|e| {
            IoError::row(
                path,
                1,
                &name,
                format!("cannot be read as text ({})", one_line(&e)),
            )
        })?;
        columns.push(text.with_name(name.into()));
    }
    DataFrame::new_infer_height(columns).map_err(|e| IoError::file(path, one_line(&e)))
}

fn read_csv(path: &Path, mut bytes: Vec<u8>) -> Result<DataFrame> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    check_csv_shape(path, &bytes)?;
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(|e| IoError::file(path, format!("not a readable CSV file ({})", one_line(&e))))
}

fn read_jsonl(path: &Path, bytes: Vec<u8>) -> Result<DataFrame> {
    let text = std::str::from_utf8(&bytes).map_err(|e| invalid_utf8(path, &bytes, e, 1))?;
    for (i, line) in text.lines().enumerate() {
        if !line.trim().is_empty() {
            let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
                IoError::row(path, i + 1, "(record)", format!("not valid JSON: {e}"))
            })?;
            if !value.is_object() {
                return Err(IoError::row(
                    path,
                    i + 1,
                    "(record)",
                    "each line must be a JSON object",
                ));
            }
        }
    }
    JsonReader::new(Cursor::new(bytes))
        .with_json_format(JsonFormat::JsonLines)
        .infer_schema_len(None)
        .finish()
        .map_err(|e| {
            IoError::file(
                path,
                format!("not a readable JSONL file ({})", one_line(&e)),
            )
        })
}

fn invalid_utf8(path: &Path, bytes: &[u8], e: std::str::Utf8Error, first_line: usize) -> IoError {
    let line = first_line
        + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
    IoError::row(
        path,
        line,
        "(text)",
        "invalid UTF-8; save the file as UTF-8",
    )
}

/// Checks UTF-8 and that every record has as many fields as the header, so a ragged row is
/// reported by its row number rather than as a parser failure somewhere in the file.
fn check_csv_shape(path: &Path, bytes: &[u8]) -> Result<()> {
    let text = std::str::from_utf8(bytes).map_err(|e| invalid_utf8(path, bytes, e, 1))?;
    let mut header: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut fields: Vec<String> = Vec::new();
    let (mut in_quotes, mut row) = (false, 1usize);
    let mut chars = text.chars().peekable();
    let mut end_record =
        |fields: &mut Vec<String>, field: &mut String, row: &mut usize| -> Result<()> {
            fields.push(std::mem::take(field));
            let blank = fields.len() == 1 && fields[0].trim().is_empty();
            if header.is_empty() {
                header = fields.iter().map(|f| f.trim().to_string()).collect();
            } else if !blank && fields.len() != header.len() {
                let field_name = header
                    .get(fields.len().min(header.len()).saturating_sub(1))
                    .cloned()
                    .unwrap_or_default();
                return Err(IoError::row(
                    path,
                    *row,
                    &field_name,
                    format!(
                        "has {} fields but the header has {}",
                        fields.len(),
                        header.len()
                    ),
                ));
            }
            fields.clear();
            *row += 1;
            Ok(())
        };
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => in_quotes = !in_quotes,
            (',', false) => fields.push(std::mem::take(&mut field)),
            ('\r', false) if chars.peek() == Some(&'\n') => {}
            ('\n', false) => end_record(&mut fields, &mut field, &mut row)?,
            (c, _) => field.push(c),
        }
    }
    if in_quotes {
        return Err(IoError::row(
            path,
            row,
            "(text)",
            "a quoted field is not closed before the end of the file",
        ));
    }
    if !field.is_empty() || !fields.is_empty() {
        end_record(&mut fields, &mut field, &mut row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(bytes: &[u8], ext: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("t.{ext}"));
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn messy_csv_is_accepted() {
        let (_d, path) = write(b"\xEF\xBB\xBF item_id , prompt\r\n1,\"two\r\nlines, and \"\"quotes\"\"\"\r\n2,plain\r\n", "csv");
        let t = Table::read(&path, Format::Csv).unwrap();
        assert_eq!(t.columns(), ["item_id", "prompt"]);
        assert_eq!(
            t.text("prompt").unwrap()[0].as_deref(),
            Some("two\r\nlines, and \"quotes\"")
        );
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn structural_problems_name_the_row() {
        let (_d, path) = write(b"a,b\n1,2\n3,4,5\n", "csv");
        let e = Table::read(&path, Format::Csv).err().unwrap().to_string();
        assert!(
            e.ends_with("row 3, field 'b': has 3 fields but the header has 2"),
            "{e}"
        );
        let (_d, path) = write(b"a,b\n1,2\n3,\xff\n", "csv");
        assert!(Table::read(&path, Format::Csv)
            .err()
            .unwrap()
            .to_string()
            .contains("row 3, field '(text)': invalid UTF-8"));
        let (_d, path) = write(b"a,b\n", "csv");
        assert!(Table::read(&path, Format::Csv)
            .err()
            .unwrap()
            .to_string()
            .ends_with("no data rows (only a header)"));
        let (_d, path) = write(b"", "csv");
        assert!(Table::read(&path, Format::Csv)
            .err()
            .unwrap()
            .to_string()
            .ends_with("file is empty"));
        let (_d, path) = write(b"{\"a\":1}\n{\"a\":\n", "jsonl");
        assert!(Table::read(&path, Format::Jsonl)
            .err()
            .unwrap()
            .to_string()
            .contains("row 2, field '(record)': not valid JSON"));
        let (_d, path) = write(b"PAR1\x00\x00garbage", "parquet");
        assert!(Table::read(&path, Format::Parquet)
            .err()
            .unwrap()
            .to_string()
            .contains("not a readable Parquet file"));
    }
}
