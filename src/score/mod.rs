//! Stage 3b, where relationship scores are computed: one row per dyad, level
//! (`actor`, `top`), direction and period (`all`, each calendar year, and each
//! calendar month that holds an incident's whole date span).
//!
//! Each event row gets a weight w = confidence x mode weight (asserted 1,
//! alleged 0.5, planned 0.25, negated 0 by default). Rows of different
//! articles that describe the same real-world event (same source, target,
//! code and date span) are merged into one incident with the largest weight.
//! The incident's identity is [`incident_hash`] of that key; the events
//! table publishes it as `incident_id` ([`incident_id`]), so the id an
//! analyst groups by is the key the scores count by.
//! Per dyad,
//!
//! ```text
//! C = sum over cooperative incidents of w * goldstein / 10
//! K = sum over conflictual incidents of w * |goldstein| / 10
//! score = (C - K) / (C + K + k)
//! ```
//!
//! with k = `score.shrinkage` (default 2). The score lies strictly inside
//! (-1, 1), grows with every cooperative incident and falls with every
//! conflictual one, and stays near 0 for dyads with little evidence.
//!
//! Events are fed one at a time into [`Incidents`], which keeps only compact
//! state (interned actor and code ids, one entry per incident); every sum is
//! exact ([`exact`]), so the table is a function of the events alone,
//! whatever their order, the batch size or the number of threads.
//!
//! The parts: `id.rs` holds an incident's key, hash and id; `incidents.rs`
//! the accumulator and its stored state; `period.rs` the periods;
//! `finish.rs` the pass that sums the incidents per dyad and period into the
//! rows of `rows.rs` ([`ScoreRows`]).

pub mod exact;
mod finish;
mod id;
mod incidents;
mod period;
mod rows;

pub use id::{incident_hash, incident_id, incident_id_of, incident_key};
pub use incidents::{IncidentState, Incidents, IncidentsState, ScoredEvent};
pub use rows::ScoreRows;

use crate::config::ScoreConfig;
use crate::problem::{Error, Result};
use polars::prelude::*;

/// The relationship_scores table of an events table (with top ids, Goldstein
/// values and QuadClass).
pub fn relationship_scores(events: &DataFrame, cfg: &ScoreConfig) -> Result<DataFrame> {
    let err = Error::polars("score");
    let str_col = |name: &str| -> Result<StringChunked> {
        Ok(events.column(name).map_err(Error::polars("score"))?.str().map_err(Error::polars("score"))?.clone())
    };
    let (source, target, source_top, target_top, code, mode) = (
        str_col("source_id")?,
        str_col("target_id")?,
        str_col("source_top_id")?,
        str_col("target_top_id")?,
        str_col("code")?,
        str_col("mode")?,
    );
    let num = |name: &str, t: DataType| -> Result<Series> {
        events.column(name).and_then(|c| c.as_materialized_series().cast(&t)).map_err(Error::polars("score"))
    };
    let quad = num("quad_class", DataType::Int32)?;
    let goldstein = num("goldstein", DataType::Float64)?;
    let confidence = num("confidence", DataType::Float64)?;
    let ds = num("date_start", DataType::Int32)?;
    let de = num("date_end", DataType::Int32)?;
    let (quad, goldstein, confidence, ds, de) = (
        quad.i32().map_err(Error::polars("score"))?,
        goldstein.f64().map_err(Error::polars("score"))?,
        confidence.f64().map_err(Error::polars("score"))?,
        ds.i32().map_err(Error::polars("score"))?,
        de.i32().map_err(err)?,
    );
    let mut inc = Incidents::new(cfg);
    for i in 0..events.height() {
        let (Some(s), Some(st), Some(c), Some(m)) = (source.get(i), source_top.get(i), code.get(i), mode.get(i)) else {
            continue;
        };
        inc.add(&ScoredEvent {
            source_id: s,
            target_id: target.get(i),
            source_top_id: st,
            target_top_id: target_top.get(i),
            code: c,
            quad_class: quad.get(i).unwrap_or_default(),
            goldstein: goldstein.get(i).unwrap_or_default(),
            mode: m,
            confidence: confidence.get(i).unwrap_or(1.0),
            date_start: ds.get(i).unwrap_or_default(),
            date_end: de.get(i).unwrap_or_default(),
            incident: incident_hash(s, target.get(i), c, ds.get(i).unwrap_or_default(), de.get(i).unwrap_or_default()),
        });
    }
    let mut frames = Vec::new();
    inc.finish(usize::MAX, |rows| {
        frames.push(rows.into_frame()?);
        Ok(())
    })?;
    match frames.pop() {
        Some(df) => Ok(df),
        None => ScoreRows::default().into_frame(),
    }
}
