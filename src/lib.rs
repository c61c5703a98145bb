//! dyadflow: annotated news articles (CSV) in, validated Parquet tables of
//! actors, events and relationship scores out.
//!
//! The modules stand in floors, each importing only those below it (held by
//! `tests/layers.rs`):
//! - ground: [`catalogue`] (every table, declared once), [`edtf`], [`rules`],
//!   [`problem`], [`config`], [`reference`], [`digest`], [`shard`] and helpers
//! - read: [`ingest`] (raw CSV files and texts -> typed rows, the format
//!   contract), [`ledger`] (every problem and rejected row), [`inputs`]
//! - [`normalize`]: labels, dates, spans, codes -> resolved rows
//! - accumulate: [`score`] (relationship scores per dyad and period),
//!   [`marts`] (the published tables' batches), [`gates`] (generic tests),
//!   [`agree`] (agreement between two readings of the same articles)
//! - [`write`]: Parquet files, batch by batch
//! - [`publish`]: the written files committed as the current set, with the run
//!   record ([`manifest`]) and the page ([`overview`])
//! - [`engine`]: a run from beginning to end; [`storage`] for buckets;
//!   [`synth`] writes generated corpora for benchmarks and tests.
//!
//! The command line is the binary's (`src/main.rs`, `src/cmd/`).

pub mod agree;
pub mod annotate;
pub mod catalogue;
pub mod config;
pub mod digest;
pub mod edtf;
pub mod engine;
pub mod gates;
pub mod ingest;
pub mod inputs;
pub mod ledger;
pub mod lineage;
pub mod manifest;
pub mod marts;
pub mod normalize;
pub mod overview;
pub mod parallel;
pub mod problem;
pub mod progress;
pub mod publish;
pub mod reference;
pub mod rules;
pub mod score;
pub mod shard;
pub mod storage;
pub mod synth;
pub mod write;
