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
pub mod options;
pub mod partitions;
pub mod prologue;
pub mod record;
pub mod run;
pub mod shard_set;
pub mod shards;

pub use crate::inputs::PROGRAM_VERSION;
pub use collect::{collect, Collected, TableRows};
pub use options::{Options, Outcome, DEFAULT_BATCH_BYTES, DEFAULT_KEEP_RUNS};
pub use prologue::Clock;
pub use run::execute;
pub use shards::{execute_shard, merge, MergeOptions, ShardOutcome};
