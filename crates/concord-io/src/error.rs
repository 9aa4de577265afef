//! Import/export errors: each names the file and, where it has one, the row and field.

use std::path::PathBuf;

/// What went wrong reading or writing a table.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// Bad data at a place in a file. `row` counts as a spreadsheet does: the header is row 1.
    #[error("{file}: row {row}, field '{field}': {message}")]
    Row {
        file: PathBuf,
        row: usize,
        field: String,
        message: String,
    },
    /// A problem with the file as a whole (empty, unreadable, not the format it claims).
    #[error("{file}: {message}")]
    File { file: PathBuf, message: String },
    #[error("{0}")]
    Study(#[from] concord_core::Error),
    #[error("{0}")]
    Usage(String),
}

impl IoError {
    pub(crate) fn file(file: &std::path::Path, message: impl Into<String>) -> Self {
        IoError::File {
            file: file.to_path_buf(),
            message: message.into(),
        }
    }

    pub(crate) fn row(
        file: &std::path::Path,
        row: usize,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        IoError::Row {
            file: file.to_path_buf(),
            row,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Attaches the file name to a row error raised by the store.
    pub(crate) fn in_file(file: &std::path::Path, e: concord_core::Error) -> Self {
        match e {
            concord_core::Error::Row {
                row,
                field,
                message,
            } => IoError::row(file, row, &field, message),
            other => IoError::Study(other),
        }
    }
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, IoError>;
