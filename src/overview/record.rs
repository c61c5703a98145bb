//! What the page shows of the run record and of the rejected rows: the run,
//! its problems counted by rule, and the first rejected rows.

use super::read::{each_batch, opt};
use super::{MAX_INPUTS, MAX_REJECTS};
use crate::problem::Result;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// The run: id, versions, inputs, the ledger, rule and test outcomes. Only
/// what is the same in the staged record and the published `manifest.json`
/// (no times, no paths).
pub(super) fn run(r: &Value) -> Value {
    let inputs = r.get("inputs").and_then(Value::as_array).cloned().unwrap_or_default();
    let rules: Vec<Value> = r
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| json!([x["rule"], x["stage"], x["severity"], x["violations"], x["outcome"], x["description"]]))
        .collect();
    let tests: Vec<Value> = r
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|x| json!([x["rule"], x["table"], x["columns"], x["failures"], x["outcome"]]))
        .collect();
    json!({
        "run_id": r["run_id"],
        "status": r["status"],
        "program": r["program"],
        "program_version": r["program_version"],
        "schema_version": r["schema_version"],
        "config_sha256": r["config_sha256"],
        "errors": r["errors"],
        "warnings": r["warnings"],
        "inputs": inputs.iter().take(MAX_INPUTS).map(|i| json!([i["path"], i["bytes"], i["sha256"]])).collect::<Vec<_>>(),
        "inputs_total": inputs.len(),
        "inputs_bytes": inputs.iter().filter_map(|i| i["bytes"].as_u64()).sum::<u64>(),
        "tables": r["tables"],
        "rules": rules,
        "tests": tests,
    })
}

/// Problems of the run counted by rule and severity.
pub(super) fn problems(r: &Value) -> Value {
    let mut n: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for p in r.get("problems").and_then(Value::as_array).into_iter().flatten() {
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        *n.entry((s("rule"), s("severity"), s("table"))).or_default() += 1;
    }
    n.into_iter().map(|((rule, sev, table), c)| json!([rule, sev, table, c])).collect()
}

/// The first [`MAX_REJECTS`] rejected rows of `rejects.parquet`, and their
/// number.
pub(super) fn rejects(path: &Path) -> Result<Value> {
    let mut rows = Vec::new();
    let mut total = 0usize;
    let cols = ["table", "file", "line", "column", "rule", "message", "hint"];
    each_batch(path, &cols, |b| {
        let (t, f, l, c, r, m, h) = (
            b.str("table")?,
            b.str("file")?,
            b.i64("line")?,
            b.i32("column")?,
            b.str("rule")?,
            b.str("message")?,
            b.str("hint")?,
        );
        use arrow_array::Array;
        for i in 0..b.rows() {
            if rows.len() < MAX_REJECTS {
                let col = (!c.is_null(i)).then(|| c.value(i));
                rows.push(json!([t.value(i), f.value(i), l.value(i), col, r.value(i), m.value(i), opt(h, i)]));
            }
        }
        total += b.rows();
        Ok(())
    })?;
    Ok(json!({ "rows": rows, "total": total }))
}
