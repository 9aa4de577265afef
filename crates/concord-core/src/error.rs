//! One error type for the store; its `Display` is the one-line message a user sees.

use std::path::PathBuf;

/// Everything that can go wrong in the study file and its operations.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    NotAStudy { path: PathBuf, message: String },
    /// The file does not open as a plain SQLite database: an encrypted study opened without its
    /// passphrase (or a file that is not SQLite at all). Nothing was written.
    #[error("{0}: not a Concord study (not an SQLite database), or an encrypted study: give its passphrase")]
    PassphraseNeeded(PathBuf),
    /// An encrypted file opened with a passphrase that does not open it. Nothing was written.
    #[error("{0}: wrong passphrase (or not a Concord study); the file is unchanged")]
    WrongPassphrase(PathBuf),
    #[error("{path}: written by a newer Concord (schema version {found}, this build reads up to {supported}); update Concord to open it")]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{0} already exists; refusing to overwrite it")]
    AlreadyExists(PathBuf),
    #[error("rubric {origin}: {message}")]
    Rubric { origin: String, message: String },
    /// Bad input data; `row` is 1-based as a spreadsheet shows it (header = row 1).
    #[error("row {row}, field '{field}': {message}")]
    Row {
        row: usize,
        field: String,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    /// A lead's operation asked of a rater package (see [`crate::StudyMode`]).
    #[error("{0} is for the study lead: this file is a rater package, which can only be rated and returned")]
    LeadOnly(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("study file error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("study file holds an unexpected value: {0}")]
    Value(#[from] rusqlite::types::FromSqlError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn row(row: usize, field: &str, message: impl Into<String>) -> Self {
        Error::Row {
            row,
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// Result alias for the store.
pub type Result<T> = std::result::Result<T, Error>;
