//! The one error type of the app's commands. It reaches the page as its one-line message (a
//! JSON string, as the page expects), never as a Rust debug print.

use serde::{Serialize, Serializer};

/// Why a command failed, shown to the user as its `Display` text.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The study file refused or failed the operation.
    #[error(transparent)]
    Study(#[from] concord_core::Error),
    /// A chart, the dashboard or the report could not be made.
    #[error(transparent)]
    Report(#[from] concord_report::ReportError),
    /// The command needs an open study.
    #[error("no study is open")]
    NoStudy,
    /// The command needs a chosen rater profile.
    #[error("choose a rater profile first")]
    NoRater,
    /// An argument from the page that no command accepts (e.g. a file type).
    #[error("{0}")]
    Invalid(String),
}

/// Every command's result.
pub type CommandResult<T> = Result<T, CommandError>;

impl Serialize for CommandError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_the_page_as_its_message() {
        let err = CommandError::from(concord_core::Error::Invalid("a study needs a name".into()));
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            "\"a study needs a name\""
        );
        assert_eq!(
            serde_json::to_string(&CommandError::NoStudy).unwrap(),
            "\"no study is open\""
        );
    }
}
