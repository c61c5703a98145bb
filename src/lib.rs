//! dyadflow: annotated news articles (CSV) in, validated Parquet tables of
//! actors, events and relationship scores out.
//!
//! The stages, one module each:
//! - [`ingest`]: raw CSV files and texts -> typed rows (the format contract)
//! - [`normalize`]: labels, dates, spans, codes -> resolved rows
//! - [`marts`]: the published tables, built with polars
//! - [`score`]: relationship scores per dyad and period
//! - [`publish`]: writing Parquet and replacing the published set
//!
//! [`pipeline`] runs them with a gate after each; [`ledger`] keeps every
//! problem and rejected row; [`rules`] is the catalogue of checks.
//! [`synth`] writes generated corpora for benchmarks and tests.

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
