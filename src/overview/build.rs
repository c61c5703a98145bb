//! The page of a set, put together: the actors, the views of the scores,
//! the one pass over the events (timeline and evidence), the rejected rows
//! and the run record, as one JSON document rendered into the page.

use super::actors::Actors;
use super::events::events;
use super::page::render;
use super::record::{problems, rejects, run};
use super::scores::{Scores, PASS_CACHE_BYTES};
use super::{EVIDENCE_PER_DYAD, MAX_EDGES, MAX_EVIDENCE_DYADS, MAX_INPUTS, MAX_NODES, MAX_REJECTS, TOP_ROWS};
use crate::problem::Result;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::path::Path;

/// Writes the page of the set in `set_dir`, whose run record is `record`.
/// Article passages are read from `raw_dir` when its texts are still those
/// the set was made from (their SHA-256 is checked); otherwise the page shows
/// the evidence alone.
pub fn build(set_dir: &Path, record: &Value, raw_dir: Option<&Path>) -> Result<Vec<u8>> {
    let mut actors = Actors::read(&set_dir.join("actors.parquet"))?;
    let scores = Scores::read(&set_dir.join("relationship_scores.parquet"), &mut actors, PASS_CACHE_BYTES)?;
    let selected = scores.evidence_dyads();
    let (timeline, evidence) = events(&set_dir.join("events.parquet"), &actors, &scores, &selected)?;
    // the actors the views name, numbered anew
    let used = scores.actors_used();
    let remap: HashMap<u32, i64> = used.iter().enumerate().map(|(n, a)| (*a, n as i64)).collect();
    let evidence = evidence.finish(&set_dir.join("articles.parquet"), raw_dir, &remap)?;
    let rejects = rejects(&set_dir.join("rejects.parquet"))?;
    let data = json!({
        "run": run(record),
        "limits": {
            "nodes": MAX_NODES, "edges": MAX_EDGES, "top_rows": TOP_ROWS,
            "evidence_dyads": MAX_EVIDENCE_DYADS, "evidence_per_dyad": EVIDENCE_PER_DYAD,
            "rejects": MAX_REJECTS, "inputs": MAX_INPUTS,
        },
        "actors": actors.json(&used),
        "periods": scores.periods,
        "views": scores.views_json(&remap),
        "evidence": evidence,
        "timeline": timeline,
        "validation": { "problems": problems(record), "rejects": rejects },
    });
    Ok(render(&data, record.get("run_id").and_then(Value::as_str).unwrap_or("")).into_bytes())
}
