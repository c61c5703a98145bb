//! `overview.html`: one self-contained page per published set that shows the
//! run, the dyad network, the timeline, the top dyads, their evidence and the
//! validation outcome.
//!
//! The page is built from the set's own tables (read back with arrow-rs) and
//! its run record, so `run` (on the staged set) and `dyadflow overview` (on
//! the current set) write the same bytes. It holds the vendored Apache ECharts
//! (`vendor/echarts/`), the page's script and the data as one JSON document in
//! a `<script type="application/json">` element, with `<`, `>`, `&`, U+2028
//! and U+2029 escaped, so no corpus text can close the element; the script
//! puts corpus text into the page with `textContent` only.
//!
//! Bounded at any corpus size: per level and period at most [`MAX_NODES`]
//! actors (the others as one node) and [`MAX_EDGES`] edges; evidence for at
//! most [`MAX_EVIDENCE_DYADS`] dyads, [`EVIDENCE_PER_DYAD`] reports each, with
//! passages of at most [`PASSAGE_CHARS`] characters either side; at most
//! [`MAX_REJECTS`] rejected rows and [`MAX_INPUTS`] inputs listed.
//!
//! The parts: `read.rs` reads columns of the tables batch by batch;
//! `actors.rs` holds the actors named; `scores.rs` the views of the scores
//! (nodes, edges, top dyads); `events.rs` the one pass over the events,
//! which feeds `timeline.rs` and `evidence.rs` (the reports and their
//! passages); `record.rs` what the page shows of the run record and the
//! rejected rows; `page.rs` renders the page; `build.rs` puts them together.
//! This file holds the page's limits and the helpers the parts share.

mod actors;
mod build;
mod events;
mod evidence;
mod page;
mod read;
mod record;
mod scores;
mod timeline;

pub use build::build;
pub use page::script_json;

/// Actors drawn per level and period; the others are folded into one node.
pub const MAX_NODES: usize = 40;
/// Edges drawn per level and period (the ones with the most events).
pub const MAX_EDGES: usize = 250;
/// Rows of each top-dyads table (most cooperative, most conflictual).
pub const TOP_ROWS: usize = 10;
/// Dyads (of a level and period) whose evidence the page carries.
pub const MAX_EVIDENCE_DYADS: usize = 300;
/// Reports listed per dyad (the latest in the events' sort order).
pub const EVIDENCE_PER_DYAD: usize = 8;
/// Characters of the article shown before and after an evidence span.
pub const PASSAGE_CHARS: usize = 240;
/// Rejected rows listed (all are in `rejects.parquet`).
pub const MAX_REJECTS: usize = 200;
/// Bytes of evidence (reports with their passages) the page carries at
/// most; dyads beyond it, in order of priority, have none.
pub const EVIDENCE_BYTES: usize = 1536 << 10;
/// Years with a view of their own (the latest); `all` covers every year.
pub const MAX_YEARS: usize = 30;
/// Input files listed (all are in `manifest.json`).
pub const MAX_INPUTS: usize = 100;
/// The page's size bound at any corpus size, in bytes (the chart library is
/// about 1.1 MB of it).
pub const SIZE_BOUND: usize = 4 << 20;

/// File name of the page in a published set.
pub const FILE: &str = "overview.html";

const LEVELS: [&str; 2] = ["top", "actor"];
/// Node index of the actors folded together.
const OTHER: i64 = -1;

/// level, period, source, target
pub(crate) type DyadKey = (u8, u16, u32, u32);

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

fn day(d: i32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_num_days_from_ce_opt(d + 719_163).unwrap_or_default()
}

fn date(d: i32) -> String {
    day(d).format("%Y-%m-%d").to_string()
}
