//! What a run is given ([`Options`]) and what it gives back ([`Outcome`]).

use crate::config::Config;
use crate::manifest::Manifest;
use crate::publish::lock::WriterLock;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Options {
    pub raw: PathBuf,
    /// Where to publish; None checks only (`validate`).
    pub out: Option<PathBuf>,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// Warnings fail the run too.
    pub strict: bool,
    pub command: String,
    /// Publish even when the current set was built from the same inputs and
    /// configuration.
    pub force: bool,
    /// How long to wait for another run that holds the output's lock.
    pub wait: std::time::Duration,
    /// How many published sets to keep in `<out>/runs/` (at least 1).
    pub keep_runs: usize,
    /// About how many bytes of events and mentions CSV are held in memory
    /// at a time (one partition); the output does not depend on it.
    pub batch_bytes: u64,
    /// How progress is shown while the run goes.
    pub progress: crate::progress::ProgressStyle,
    /// How the run record names the raw corpus when `raw` is a local copy of
    /// it (a bucket prefix downloaded into a temporary directory).
    pub raw_label: Option<String>,
}

/// Default of [`Options::batch_bytes`].
pub const DEFAULT_BATCH_BYTES: u64 = 8 << 20;

impl Options {
    /// Options for checking a corpus without publishing.
    pub fn validate(raw: PathBuf, config: Config) -> Options {
        Options {
            raw,
            out: None,
            config,
            config_path: None,
            strict: false,
            command: "validate".into(),
            force: false,
            wait: std::time::Duration::ZERO,
            keep_runs: DEFAULT_KEEP_RUNS,
            batch_bytes: DEFAULT_BATCH_BYTES,
            progress: crate::progress::ProgressStyle::Off,
            raw_label: None,
        }
    }
}

pub const DEFAULT_KEEP_RUNS: usize = 3;

/// What a run did.
pub struct Outcome {
    pub manifest: Manifest,
    /// The output's writer lock, held until the outcome is dropped (after
    /// the run report is written).
    pub lock: Option<WriterLock>,
}
