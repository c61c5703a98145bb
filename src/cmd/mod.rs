//! The subcommands, one file each with its usage text.

pub mod bi;
pub mod explain;
pub mod init;
pub mod merge;
pub mod overview;
pub mod run;
pub mod schema;
pub mod synth;
pub mod validate;

use crate::report::LogFormat;

/// Exit code: usage, configuration or I/O error.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: another run holds the output directory's lock.
pub const EXIT_BUSY: i32 = 3;
use std::path::PathBuf;

/// Options shared by the commands that read a corpus.
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// Raw corpus directory (format: raw annotation format version 1), or
    /// s3://bucket/prefix.
    #[arg(long, value_name = "DIR", default_value = "raw")]
    pub raw: PathBuf,
    /// Configuration file (TOML); built-in defaults when absent.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
    /// How problems are printed: `human` (file:line:column: severity[rule]: message) or `json` (one JSON object per line).
    #[arg(long, value_enum, default_value = "human", value_name = "FORMAT")]
    pub log_format: LogFormat,
    /// Hold about this many MB of events and mentions CSV in memory at a
    /// time (one partition of the corpus); the tables do not depend on it.
    #[arg(long, value_name = "MB", default_value_t = crate::pipeline::DEFAULT_BATCH_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_mb: u64,
    /// Print at most this many problems per rule (all go to the run report).
    #[arg(long, value_name = "N", default_value_t = crate::report::DEFAULT_MAX_PER_RULE)]
    pub max_problems: usize,
}

impl CorpusArgs {
    pub fn load_config(&self) -> Result<crate::config::Config, crate::problem::Error> {
        match &self.config {
            Some(p) => crate::config::Config::load(p),
            None => Ok(crate::config::Config::default()),
        }
    }
}
