//! The subcommands, one file each with its usage text.

pub mod agree;
pub mod bi;
pub mod explain;
pub mod init;
pub mod merge;
pub mod overview;
pub mod report;
pub mod run;
pub mod schema;
pub mod synth;
pub mod validate;

use crate::cmd::report::LogFormat;

/// Exit code: the run published, validated, or found its set up to date.
pub const EXIT_OK: i32 = 0;
/// Exit code: a gate failed; nothing was published.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: usage, configuration or I/O error.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: another run holds the output directory's lock (or, for a
/// bucket, made its set current first).
pub const EXIT_BUSY: i32 = 3;

/// The one map from what a run found to the process's exit code, written
/// into its record (`exit_code`) before the record is reported: a failed
/// gate is 1, anything else the library reports as a verdict is 0.
pub fn verdict_code(m: &dyadflow::manifest::Manifest) -> i32 {
    match m.status.as_str() {
        "failed" => EXIT_FAILED,
        _ => EXIT_OK,
    }
}

/// The one map from an error that stopped a command to its exit code.
pub fn error_code(e: &dyadflow::problem::Error) -> i32 {
    match e {
        dyadflow::problem::Error::Locked { .. } => EXIT_BUSY,
        dyadflow::problem::Error::Storage(e) if e.is_busy() => EXIT_BUSY,
        _ => EXIT_ERROR,
    }
}

/// A run's record after the object-storage side finished (or failed to make
/// the set current): its exit code filled in.
pub fn settle(m: &mut dyadflow::manifest::Manifest, committed: &Result<(), dyadflow::problem::Error>) {
    m.exit_code = match committed {
        Ok(()) => verdict_code(m),
        Err(e) => error_code(e),
    };
}
use std::path::PathBuf;

/// Options shared by the commands that read a corpus.
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// Raw corpus directory (format: raw annotation format version 1), or
    /// s3://bucket/prefix.
    #[arg(long, value_name = "DIR", default_value = "raw")]
    pub raw: PathBuf,
    /// Configuration file (TOML). Default: `dyadflow.toml` in the working
    /// directory when there is one, else the built-in defaults.
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
    #[arg(long, value_name = "MB", default_value_t = dyadflow::engine::DEFAULT_BATCH_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_mb: u64,
    /// Print at most this many problems per rule (all go to the run report).
    #[arg(long, value_name = "N", default_value_t = crate::cmd::report::DEFAULT_MAX_PER_RULE)]
    pub max_problems: usize,
}

/// The configuration file read when --config is not given: `dyadflow.toml`
/// in the working directory, when there is one.
pub const DEFAULT_CONFIG: &str = "dyadflow.toml";

impl CorpusArgs {
    /// The configuration and the file it was read from: --config, else
    /// `./dyadflow.toml` when present, else the built-in defaults (no file).
    pub fn load_config(&self) -> Result<(dyadflow::config::Config, Option<PathBuf>), dyadflow::problem::Error> {
        let path = self.config.clone().or_else(|| {
            let here = PathBuf::from(DEFAULT_CONFIG);
            here.is_file().then_some(here)
        });
        match path {
            Some(p) => Ok((dyadflow::config::Config::load(&p)?, Some(p))),
            None => Ok((dyadflow::config::Config::default(), None)),
        }
    }
}
