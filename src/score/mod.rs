//! Stage 3b, where relationship scores are computed: one row per dyad, level
//! (`actor`, `top`), direction and period (`all`, each calendar year, and each
//! calendar month that holds an incident's whole date span).
//!
//! Each event row gets a weight w = confidence x mode weight (asserted 1,
//! alleged 0.5, planned 0.25, negated 0 by default). Rows of different
//! articles that describe the same real-world event (same source, target,
//! code and date span) are merged into one incident with the largest weight.
//! The incident's identity is that key (the scores count by it, held as
//! interned ids); the events table publishes [`incident_hash`] of the key as
//! `incident_id` ([`incident_id`]), so the id an analyst groups by stands for
//! the key the scores count by.
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
