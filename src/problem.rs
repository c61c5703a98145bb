//! Typed problems and errors.
//!
//! A [`Problem`] is something wrong with the input: it names the file, the
//! physical line, the column, the rule and a fix hint, and it is either a
//! warning (row kept) or an error (row rejected). An [`Error`] stops the
//! program: I/O failures, a bad configuration, a broken invariant.

use crate::rules::{Rule, Severity};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// The raw tables of the format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Articles,
    Actors,
    Events,
    Mentions,
}

impl Table {
    pub const ALL: [Table; 4] = [Table::Articles, Table::Actors, Table::Events, Table::Mentions];

    pub fn name(self) -> &'static str {
        match self {
            Table::Articles => "articles",
            Table::Actors => "actors",
            Table::Events => "events",
            Table::Mentions => "mentions",
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Table::Mentions)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem found in the input, located like a compiler diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, thiserror::Error)]
pub struct Problem {
    pub rule: Rule,
    pub severity: Severity,
    pub table: Option<Table>,
    /// Path of the file as the user named it (raw directory joined).
    pub file: String,
    /// Physical line, 1 = header. 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based field number in the header, when one field is at fault.
    pub column: Option<usize>,
    /// Name of that field.
    pub field: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}[{}]: {}", self.severity, self.rule, self.message)
    }
}

impl Problem {
    pub fn new(rule: Rule, file: impl Into<String>, line: u64, message: impl Into<String>) -> Self {
        Problem {
            rule,
            severity: rule.default_severity(),
            table: None,
            file: file.into(),
            line,
            column: None,
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn table(mut self, table: Table) -> Self {
        self.table = Some(table);
        self
    }

    pub fn at(mut self, column: usize, field: impl Into<String>) -> Self {
        self.column = Some(column);
        self.field = Some(field.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Errors that stop a command (exit code 2), as opposed to problems in the
/// data (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("raw directory {path} does not exist or is not a directory")]
    NoRawDir { path: PathBuf },
    #[error("invalid configuration in {path}: {message}")]
    Config { path: PathBuf, message: String },
    #[error("polars failed in stage {stage}: {source}")]
    Polars { stage: &'static str, source: polars::error::PolarsError },
    #[error("parquet failed for {path}: {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: TableFileError,
    },
    #[error(
        "output directory {} is being written by another run ({holder}); gave up after {:.1} s: \
         pass --wait SECONDS to wait for it",
        .out.display(), .waited.as_secs_f64()
    )]
    Locked { out: PathBuf, holder: String, waited: std::time::Duration },
    #[error("unexpected layout of the output directory at {path}: {message}")]
    Layout { path: PathBuf, message: String },
    #[error("internal invariant broken ({rule}): {message}")]
    Invariant { rule: Rule, message: String },
    /// A shard set that cannot be merged: incomplete, from other inputs or
    /// another program version, or given twice.
    #[error("cannot merge {}: {message}; {hint}", .path.display())]
    ShardSet { path: PathBuf, message: String, hint: String },
    /// Object storage (`s3://`): see [`StorageError`].
    #[error(transparent)]
    Storage(Box<StorageError>),
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Error::Storage(Box::new(e))
    }
}

/// Errors of the object-storage side, each with the URL or key concerned and
/// a hint. `Busy` errors (another writer won) exit with code 3.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("invalid object storage URL `{url}`: {message} (expected s3://bucket/prefix)")]
    BadUrl { url: String, message: String },
    #[error(
        "cannot set up S3 access for {url}: {}; hint: credentials, region and endpoint come from \
         AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION (or AWS_DEFAULT_REGION), AWS_ENDPOINT_URL \
         and AWS_ALLOW_HTTP=true for a server without TLS",
        brief(.error)
    )]
    Setup { url: String, error: Box<object_store::Error> },
    #[error("cannot start the runtime for object storage: {error}")]
    Runtime { error: std::io::Error },
    #[error("S3 {op} of {url} failed: {}; hint: {hint}", brief(.error))]
    Request { op: &'static str, url: String, error: Box<object_store::Error>, hint: &'static str },
    #[error("cannot {op} {}: {error}", .path.display())]
    Local { op: &'static str, path: PathBuf, error: std::io::Error },
    #[error(
        "no object under {url}: nothing to read; hint: check the bucket and prefix (objects are listed recursively)"
    )]
    EmptyPrefix { url: String },
    #[error("the pointer {url} is not a dyadflow pointer: {message}; hint: it should hold JSON written by dyadflow")]
    BadPointer { url: String, message: String },
    #[error(
        "another run made {winner} current at {url} (run {winner_run}) while this run was uploading: \
         this run's set {ours} was uploaded but NOT made current; rerun to publish on top of the new set"
    )]
    PointerMoved { url: String, winner: String, winner_run: String, ours: String },
    #[error(
        "another run is uploading the set {set} to {url} (its {key} exists already): nothing was made current; \
         wait for it, then rerun"
    )]
    SetTaken { url: String, set: String, key: String },
}

/// An object store error in one line: the S3 error code and message when
/// the server sent them (instead of its whole XML body), else its text.
fn brief(e: &object_store::Error) -> String {
    let text = e.to_string();
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let len = text[start..].find(close)?;
        Some(text[start..start + len].to_string())
    };
    match (between("<Code>", "</Code>"), between("<Message>", "</Message>")) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code,
        _ => text,
    }
}

impl StorageError {
    /// True when another writer is (or was) at work on the same prefix:
    /// exit code 3, like a held lock.
    pub fn is_busy(&self) -> bool {
        matches!(self, StorageError::PointerMoved { .. } | StorageError::SetTaken { .. })
    }
}

/// Why a table's Parquet file could not be written or read back: the Parquet
/// or Arrow library's own error, the file system's, or a file (or frame)
/// that is not as its table says.
#[derive(Debug, thiserror::Error)]
pub enum TableFileError {
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Shape(String),
}

impl Error {
    /// A table file's error at `path`.
    pub fn parquet(path: &std::path::Path) -> impl FnOnce(TableFileError) -> Error + '_ {
        move |source| Error::Parquet { path: path.to_path_buf(), source }
    }

    pub fn polars(stage: &'static str) -> impl FnOnce(polars::error::PolarsError) -> Error {
        move |source| Error::Polars { stage, source }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_compiler_like() {
        let p = Problem::new(Rule::UnknownActor, "raw/events.csv", 14, "no actor matches `Rusia`")
            .at(5, "source")
            .hint("did you mean `Russia`?");
        assert_eq!(p.to_string(), "raw/events.csv:14:5: error[unknown-actor]: no actor matches `Rusia`");
        let whole = Problem::new(Rule::MissingTable, "raw/events.csv", 0, "missing");
        assert_eq!(whole.to_string(), "raw/events.csv: error[missing-table]: missing");
    }
}
