//! The generic tests run on every published table before it is written —
//! unique keys, not-null columns, accepted values, relationships between
//! tables — and the gate of the score stage. Row-level checks of the earlier
//! stages should make every test pass; a failure here means a bug, and the run
//! publishes nothing.

use crate::ingest::records::{ACTOR_TYPES, MODES};
use crate::marts::Marts;
use crate::normalize::dates::Precision;
use crate::rules::Rule;
use crate::schema::{self, TableSchema};
use polars::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The outcome of one test, for the run record.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestOutcome {
    pub rule: &'static str,
    pub table: &'static str,
    pub columns: Vec<&'static str>,
    pub failures: usize,
    pub outcome: &'static str,
    /// A few failing values, for the message.
    pub examples: Vec<String>,
}

impl TestOutcome {
    fn new(rule: Rule, table: &'static str, columns: Vec<&'static str>, bad: Vec<String>) -> Self {
        TestOutcome {
            rule: rule.id(),
            table,
            columns,
            failures: bad.len(),
            outcome: if bad.is_empty() { "pass" } else { "fail" },
            examples: bad.into_iter().take(5).collect(),
        }
    }

    pub fn passed(&self) -> bool {
        self.failures == 0
    }
}

/// The values of a column rendered as text (None for null).
pub fn values(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let Ok(c) = df.column(name) else { return Vec::new() };
    let s = c.as_materialized_series();
    match s.cast(&DataType::String) {
        Ok(t) => t.str().map(|ca| ca.iter().map(|v| v.map(str::to_string)).collect()).unwrap_or_default(),
        Err(_) => (0..s.len()).map(|i| s.get(i).ok().filter(|v| !v.is_null()).map(|v| v.to_string())).collect(),
    }
}

pub fn unique(df: &DataFrame, t: &'static TableSchema) -> TestOutcome {
    let cols: Vec<Vec<Option<String>>> = t.key.iter().map(|k| values(df, k)).collect();
    let mut seen = HashSet::new();
    let mut bad = Vec::new();
    for i in 0..df.height() {
        let key: Vec<Option<&str>> = cols.iter().map(|c| c.get(i).and_then(|v| v.as_deref())).collect();
        if !seen.insert(key.clone()) {
            bad.push(format!("{key:?}"));
        }
    }
    TestOutcome::new(Rule::Unique, t.name, t.key.to_vec(), bad)
}

pub fn not_null(df: &DataFrame, t: &'static TableSchema) -> Vec<TestOutcome> {
    t.columns
        .iter()
        .filter(|c| !c.nullable)
        .map(|c| {
            let bad = match df.column(c.name) {
                Ok(col) => (0..col.null_count()).map(|_| format!("null in {}", c.name)).collect(),
                Err(_) => vec![format!("column {} is missing", c.name)],
            };
            TestOutcome::new(Rule::NotNull, t.name, vec![c.name], bad)
        })
        .collect()
}

pub fn accepted_values(
    df: &DataFrame,
    t: &'static TableSchema,
    column: &'static str,
    accepted: &[&str],
) -> TestOutcome {
    let bad = values(df, column).into_iter().flatten().filter(|v| !accepted.contains(&v.as_str())).collect();
    TestOutcome::new(Rule::AcceptedValues, t.name, vec![column], bad)
}

pub fn relationship(
    df: &DataFrame,
    t: &'static TableSchema,
    column: &'static str,
    keys: &HashSet<String>,
) -> TestOutcome {
    let bad = values(df, column).into_iter().flatten().filter(|v| !keys.contains(v)).collect();
    TestOutcome::new(Rule::Relationships, t.name, vec![column], bad)
}

/// Every generic test of every table.
pub fn generic_tests(m: &Marts, scores: &DataFrame, codes: &HashSet<String>) -> Vec<TestOutcome> {
    use schema::*;
    let mut out = Vec::new();
    let tables: [(&'static TableSchema, &DataFrame); 6] = [
        (&ARTICLES, &m.articles),
        (&ACTORS, &m.actors),
        (&EVENTS, &m.events),
        (&MENTIONS, &m.mentions),
        (&RELATIONSHIP_SCORES, scores),
        (&REJECTS, &m.rejects),
    ];
    for (t, df) in tables {
        out.push(unique(df, t));
        out.extend(not_null(df, t));
    }
    let actor_ids: HashSet<String> = values(&m.actors, "actor_id").into_iter().flatten().collect();
    let article_ids: HashSet<String> = values(&m.articles, "article_id").into_iter().flatten().collect();
    out.push(accepted_values(&m.actors, &ACTORS, "type", ACTOR_TYPES));
    out.push(accepted_values(&m.events, &EVENTS, "mode", MODES));
    out.push(accepted_values(&m.events, &EVENTS, "date_precision", &Precision::ALL));
    out.push(accepted_values(&m.events, &EVENTS, "quad_class", &["1", "2", "3", "4"]));
    out.push(accepted_values(scores, &RELATIONSHIP_SCORES, "level", &["actor", "top"]));
    out.push(accepted_values(&m.rejects, &REJECTS, "severity", &["error"]));
    out.push(accepted_values(&m.rejects, &REJECTS, "table", &["articles", "actors", "events", "mentions"]));
    for c in ["parent_id", "top_id"] {
        out.push(relationship(&m.actors, &ACTORS, c, &actor_ids));
    }
    for c in ["source_id", "target_id", "source_top_id", "target_top_id"] {
        out.push(relationship(&m.events, &EVENTS, c, &actor_ids));
    }
    out.push(relationship(&m.events, &EVENTS, "article_id", &article_ids));
    out.push(relationship(&m.events, &EVENTS, "code", codes));
    for c in ["actor_id", "top_id"] {
        out.push(relationship(&m.mentions, &MENTIONS, c, &actor_ids));
    }
    out.push(relationship(&m.mentions, &MENTIONS, "article_id", &article_ids));
    out
}

fn f64s(df: &DataFrame, name: &str) -> Vec<f64> {
    df.column(name)
        .ok()
        .and_then(|c| c.as_materialized_series().cast(&DataType::Float64).ok())
        .map(|s| s.f64().map(|ca| ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).unwrap_or_default())
        .unwrap_or_default()
}

/// The gate of the score stage: scores in range, counts that add up, dyads
/// that name published actors, and event counts that reconcile with an
/// independent count of the events table.
pub fn score_gate(scores: &DataFrame, actors: &DataFrame, events: &DataFrame) -> Vec<TestOutcome> {
    let t = &schema::RELATIONSHIP_SCORES;
    let mut out = Vec::new();
    let score = f64s(scores, "score");
    let mut bad: Vec<String> =
        score.iter().filter(|s| !(-1.0..=1.0).contains(*s)).map(|s| format!("score {s}")).collect();
    let n = f64s(scores, "n_events");
    let quads: Vec<Vec<f64>> = ["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"]
        .iter()
        .map(|c| f64s(scores, c))
        .collect();
    for i in 0..scores.height() {
        let sum: f64 = quads.iter().map(|q| q[i]).sum();
        if n[i] < 1.0 || quads.iter().any(|q| q[i] < 0.0) || sum != n[i] {
            bad.push(format!("row {i}: n_events {} and QuadClass counts {sum}", n[i]));
        }
    }
    out.push(TestOutcome::new(Rule::ScoreRange, t.name, vec!["score", "n_events"], bad));

    let actor_ids: HashSet<String> = values(actors, "actor_id").into_iter().flatten().collect();
    for c in ["actor_a", "actor_b"] {
        let bad = values(scores, c).into_iter().flatten().filter(|v| !actor_ids.contains(v)).collect();
        out.push(TestOutcome::new(Rule::DyadActor, t.name, vec![c], bad));
    }

    // independent count: distinct (source, target, code, dates) among events
    // with a target other than the source
    let cols: Vec<Vec<Option<String>>> =
        ["source_id", "target_id", "code", "date_start", "date_end"].iter().map(|c| values(events, c)).collect();
    let mut incidents: HashMap<(String, String), HashSet<Vec<Option<String>>>> = HashMap::new();
    for i in 0..events.height() {
        let (Some(s), Some(tg)) = (cols[0][i].clone(), cols[1][i].clone()) else { continue };
        if s == tg {
            continue;
        }
        incidents.entry((s, tg)).or_default().insert(cols.iter().map(|c| c[i].clone()).collect());
    }
    let expected: usize = incidents.values().map(HashSet::len).sum();
    let (level, directed, period, nev) =
        (values(scores, "level"), values(scores, "directed"), values(scores, "period"), f64s(scores, "n_events"));
    let mut got = 0.0;
    for i in 0..scores.height() {
        if level[i].as_deref() == Some("actor")
            && directed[i].as_deref() == Some("true")
            && period[i].as_deref() == Some("all")
        {
            got += nev[i];
        }
    }
    let bad = if got as usize != expected {
        vec![format!("dyads count {got} events, the events table has {expected}")]
    } else {
        Vec::new()
    };
    out.push(TestOutcome::new(Rule::EventCountReconcile, t.name, vec!["n_events"], bad));
    out
}
