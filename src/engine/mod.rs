//! The engine: one way through a run, top to bottom.
//!
//! 1. [`prologue`]: the lock of the output, the inputs hashed, the run id,
//!    and whether the published set is this run's result already — once,
//!    for `run`, `run --shard`, `merge` and the object-store path.
//! 2. [`collect`]: the dimensions (articles, actors), the events and mentions
//!    routed into partitions, and [`partitions`] worked on every core, their
//!    batches pushed into the sinks (tests, table writers, accumulators).
//! 3. [`finalize`]: the events merged in order, the scores summed, the last
//!    gates, and the verdict; [`record`] builds the run record and hands the
//!    written tables to `publish` to commit.
//!
//! A split run does steps 1 and 2 per shard ([`shards`], written as a
//! [`shard_set`]) and `merge` does step 3 on the absorbed shards.

pub mod collect;
pub mod finalize;
pub mod partitions;
pub mod prologue;
pub mod record;
pub mod shard_set;
pub mod shards;

use crate::config::Config;
use crate::manifest::Manifest;
use crate::problem::Result;
use crate::publish::lock::WriterLock;
use crate::publish::FileMeta;
use crate::shard::Shard;
use polars::prelude::DataFrame;
use std::path::PathBuf;

pub use crate::inputs::PROGRAM_VERSION;
pub use collect::{collect, Collected, TableRows};
pub use prologue::Clock;
pub use shards::{execute_shard, merge, MergeOptions, ShardOutcome};

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
    /// The actors table (empty when the run found its result published
    /// already).
    pub actors: DataFrame,
    /// The output's writer lock, held until the outcome is dropped (after
    /// the run report is written).
    pub lock: Option<WriterLock>,
}

/// A plain run: the prologue, the partitions of the whole corpus, the
/// finalize stage and the commit.
pub fn execute(opts: &Options) -> Result<Outcome> {
    let (run, lock) = match prologue::begin(opts)? {
        prologue::Begun::UpToDate(m, lock) => return Ok(Outcome { manifest: *m, actors: DataFrame::empty(), lock }),
        prologue::Begun::Run(run, lock) => (run, lock),
    };
    let mut run = run;
    let meta = FileMeta { run_id: run.rid.clone(), program_version: PROGRAM_VERSION.to_string() };
    let scratch = prologue::Scratch::new(lock.as_ref().map(|l| l.out()), &run.rid)?;
    let part = collect(opts, &run.inputs, Shard::WHOLE, &scratch.dir, lock.is_some(), &meta, &mut run.clock)?;
    finalize::finish(opts, run, part, lock, &scratch.dir, &meta)
}
