//! The generic tests run on every published table before it is written —
//! unique keys, not-null columns, accepted values, relationships between
//! tables — and the gate of the score stage. Row-level checks of the earlier
//! stages should make every test pass; a failure here means a bug, and the run
//! publishes nothing.

use crate::catalogue::{self, Check, Ids, TableSchema};
use crate::rules::Rule;
use polars::prelude::*;
use rustc_hash::FxHashSet as HashSet;
use serde::Serialize;

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
    let keys: Vec<Expr> = t.key.iter().map(|k| col(*k)).collect();
    let dupes = df
        .clone()
        .lazy()
        .group_by(keys)
        .agg([len().alias("_n")])
        .filter(col("_n").gt(lit(1)))
        .collect()
        .unwrap_or_default();
    let shown: Vec<Vec<Option<String>>> = t.key.iter().map(|k| values(&dupes, k)).collect();
    let bad =
        (0..dupes.height()).map(|i| format!("{:?}", shown.iter().map(|c| c[i].clone()).collect::<Vec<_>>())).collect();
    TestOutcome::new(Rule::Unique, t.name, t.key.to_vec(), bad)
}

/// The unique test of a batch of mentions, which is sorted by its key
/// (article_id, start, end): every key must be after the one before it.
fn mentions_rising(df: &DataFrame) -> TestOutcome {
    let t = &catalogue::MENTIONS;
    let article = df.column("article_id").ok().and_then(|c| c.str().ok().cloned());
    let int = |c: &str| df.column(c).ok().and_then(|c| c.cast(&DataType::Int64).ok()?.i64().ok().cloned());
    let bad = match (article, int("start"), int("end")) {
        (Some(a), Some(s), Some(e)) => {
            let key = |i: usize| (a.get(i), s.get(i), e.get(i));
            (1..df.height())
                .filter(|&i| key(i - 1) >= key(i))
                .map(|i| format!("{:?} is not after the row before it", key(i)))
                .collect()
        }
        _ => vec!["the key columns are missing or of another type".to_string()],
    };
    TestOutcome::new(Rule::Unique, t.name, t.key.to_vec(), bad)
}

/// The distinct values of a column that `ok` refuses, as text, in order. A
/// string column is read value by value (a run of equal values checked
/// once); another is compared through its distinct values as text.
fn outside(df: &DataFrame, name: &str, ok: impl Fn(&str) -> bool) -> Vec<String> {
    let Some(ca) = df.column(name).ok().and_then(|c| c.str().ok()) else {
        let mut bad: Vec<String> = distinct(df, name).into_iter().filter(|v| !ok(v)).collect();
        bad.sort_unstable();
        return bad;
    };
    let mut last: Option<&str> = None;
    let mut bad = std::collections::BTreeSet::new();
    for v in ca.iter().flatten() {
        if last != Some(v) && !ok(v) {
            bad.insert(v.to_string());
        }
        last = Some(v);
    }
    bad.into_iter().collect()
}

/// The distinct values of a column, as text.
fn distinct(df: &DataFrame, name: &str) -> Vec<String> {
    match df.column(name).and_then(|c| c.unique()) {
        Ok(u) => {
            values(&DataFrame::new_infer_height(vec![u]).unwrap_or_default(), name).into_iter().flatten().collect()
        }
        Err(_) => Vec::new(),
    }
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
    let bad = outside(df, column, |v| accepted.contains(&v));
    TestOutcome::new(Rule::AcceptedValues, t.name, vec![column], bad)
}

pub fn relationship(
    df: &DataFrame,
    t: &'static TableSchema,
    column: &'static str,
    keys: &HashSet<String>,
) -> TestOutcome {
    let bad = outside(df, column, |v| keys.contains(v));
    TestOutcome::new(Rule::Relationships, t.name, vec![column], bad)
}

/// Key sets that reference columns must point into.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    pub actor_ids: HashSet<String>,
    pub article_ids: HashSet<String>,
    pub codes: HashSet<String>,
}

impl Keys {
    fn of(&self, ids: Ids) -> &HashSet<String> {
        match ids {
            Ids::Actors => &self.actor_ids,
            Ids::Articles => &self.article_ids,
            Ids::Codes => &self.codes,
        }
    }
}

/// The accepted-values tests the catalogue declares for a table, in order.
fn accepted_tests<'a>(df: &'a DataFrame, t: &'static TableSchema) -> impl Iterator<Item = TestOutcome> + 'a {
    t.checks.iter().filter_map(move |c| match c {
        Check::Accepted(column, values) => Some(accepted_values(df, t, column, values)),
        Check::References(..) => None,
    })
}

/// The relationships tests the catalogue declares for a table, in order.
fn reference_tests<'a>(
    df: &'a DataFrame,
    t: &'static TableSchema,
    keys: &'a Keys,
) -> impl Iterator<Item = TestOutcome> + 'a {
    t.checks.iter().filter_map(move |c| match c {
        Check::References(column, ids) => Some(relationship(df, t, column, keys.of(*ids))),
        Check::Accepted(..) => None,
    })
}

/// The generic tests of the tables held whole in memory (articles, actors,
/// rejects).
pub fn generic_tests(articles: &DataFrame, actors: &DataFrame, rejects: &DataFrame, keys: &Keys) -> Vec<TestOutcome> {
    use catalogue::*;
    let mut out = Vec::new();
    let tables: [(&'static TableSchema, &DataFrame); 3] =
        [(&ARTICLES, articles), (&ACTORS, actors), (&REJECTS, rejects)];
    for (t, df) in tables {
        out.push(unique(df, t));
        out.extend(not_null(df, t));
    }
    for (t, df) in tables {
        out.extend(accepted_tests(df, t));
    }
    for (t, df) in tables {
        out.extend(reference_tests(df, t, keys));
    }
    out
}

/// The generic tests of the codes table: unique codes, labels everywhere,
/// and every code the events may name listed.
pub fn codes_tests(codes: &DataFrame, keys: &Keys) -> Vec<TestOutcome> {
    let t = &catalogue::CODES;
    let mut out = vec![unique(codes, t)];
    out.extend(not_null(codes, t));
    out.extend(accepted_tests(codes, t));
    let listed: HashSet<String> = distinct(codes, "code").into_iter().collect();
    let mut missing: Vec<String> = keys.codes.iter().filter(|c| !listed.contains(*c)).cloned().collect();
    missing.sort();
    out.push(TestOutcome::new(Rule::Relationships, t.name, vec!["code"], missing));
    out
}

/// The generic tests of a table written batch by batch (events, mentions,
/// relationship_scores): each batch is tested as it goes by; what spans
/// batches (unique keys, distinct incidents) is kept as compact keys.
pub struct BatchTests {
    table: &'static TableSchema,
    outcomes: Vec<TestOutcome>,
    /// 64-bit keys (event_key is 16 hex digits), checked for repeats at the end
    keys: Vec<u64>,
    /// 128-bit hashes of (source, target, code, dates) of scored events
    incidents: Vec<u128>,
    /// relationship_scores, whose batches come in the table's order: the
    /// rows seen so far, the last row's key, and the events counted by the
    /// actor-level, directed, all-time rows.
    rows: usize,
    last_key: Option<ScoreKey>,
    counted_events: f64,
}

/// A key of relationship_scores: level, directed, period, actor_a, actor_b.
type ScoreKey = (Option<String>, Option<bool>, Option<String>, Option<String>, Option<String>);
type ScoreKeyRef<'a> = (Option<&'a str>, Option<bool>, Option<&'a str>, Option<&'a str>, Option<&'a str>);

impl BatchTests {
    pub fn new(table: &'static TableSchema) -> Self {
        BatchTests {
            table,
            outcomes: Vec::new(),
            keys: Vec::new(),
            incidents: Vec::new(),
            rows: 0,
            last_key: None,
            counted_events: 0.0,
        }
    }

    /// Room for the compact keys of `n` event rows.
    pub fn reserve(&mut self, n: usize) {
        if self.table.name == catalogue::EVENTS.name {
            self.keys.reserve_exact(n);
            self.incidents.reserve_exact(n);
        }
    }

    fn merge(&mut self, t: TestOutcome) {
        match self.outcomes.iter_mut().find(|o| o.rule == t.rule && o.columns == t.columns) {
            Some(o) => {
                o.failures += t.failures;
                // the first few failing values in sort order, whatever the
                // order the batches (or shards) came in
                for e in t.examples {
                    if !o.examples.contains(&e) {
                        o.examples.push(e);
                    }
                }
                o.examples.sort();
                o.examples.truncate(5);
                if o.failures > 0 {
                    o.outcome = "fail";
                }
            }
            None => self.outcomes.push(t),
        }
    }

    /// Tests one batch of the table.
    pub fn add(&mut self, df: &DataFrame, keys: &Keys) {
        use catalogue::*;
        let t = self.table;
        // (the scores' keys are checked as they rise, in score_checks; the
        // events' keys, as 64-bit numbers over every batch, in finish)
        let mut found: Vec<TestOutcome> = Vec::new();
        if t.name == MENTIONS.name {
            // a batch of mentions is sorted by its key: a key that does not
            // rise from row to row is repeated (or out of order)
            found.push(mentions_rising(df));
        } else if t.name != RELATIONSHIP_SCORES.name && t.name != EVENTS.name {
            found.push(unique(df, t));
        }
        found.extend(not_null(df, t));
        found.extend(accepted_tests(df, t));
        found.extend(reference_tests(df, t, keys));
        if t.name == EVENTS.name {
            if let Some(keys) = df.column("event_key").ok().and_then(|c| c.str().ok()) {
                self.keys
                    .extend(keys.iter().map(|k| k.and_then(|k| u64::from_str_radix(k, 16).ok()).unwrap_or(u64::MAX)));
            }
            self.add_incidents(df);
        } else if t.name == RELATIONSHIP_SCORES.name {
            let mut gate = self.score_checks(df, keys);
            gate.append(&mut found);
            found = gate;
        }
        for f in found {
            self.merge(f);
        }
    }

    /// The gate of the score stage on one batch of relationship_scores
    /// (whose batches come in the table's order): scores in range, counts
    /// that add up, dyads that name published actors; and the keys that span
    /// batches, which must keep rising (so no key repeats in another batch).
    fn score_checks(&mut self, df: &DataFrame, keys: &Keys) -> Vec<TestOutcome> {
        let t = self.table;
        let mut out = Vec::new();
        let score = f64s(df, "score");
        let mut bad: Vec<String> =
            score.iter().filter(|s| !(-1.0..=1.0).contains(*s)).map(|s| format!("score {s}")).collect();
        let n = f64s(df, "n_events");
        let quads: Vec<Vec<f64>> = ["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"]
            .iter()
            .map(|c| f64s(df, c))
            .collect();
        for i in 0..df.height() {
            let sum: f64 = quads.iter().map(|q| q.get(i).copied().unwrap_or(f64::NAN)).sum();
            let n = n.get(i).copied().unwrap_or(f64::NAN);
            if n < 1.0 || quads.iter().any(|q| q.get(i).is_none_or(|x| *x < 0.0)) || sum != n {
                bad.push(format!("row {}: n_events {n} and QuadClass counts {sum}", self.rows + i));
            }
        }
        out.push(TestOutcome::new(Rule::ScoreRange, t.name, vec!["score", "n_events"], bad));
        for c in ["actor_a", "actor_b"] {
            let bad = outside(df, c, |v| keys.actor_ids.contains(v));
            out.push(TestOutcome::new(Rule::DyadActor, t.name, vec![c], bad));
        }
        // the keys, which must rise from row to row and from batch to batch:
        // the table is sorted by its key, so this proves it unique
        let str_col = |c: &str| df.column(c).ok().and_then(|c| c.str().ok().cloned());
        let (level, period, a, b) = (str_col("level"), str_col("period"), str_col("actor_a"), str_col("actor_b"));
        let directed = df.column("directed").ok().and_then(|c| c.bool().ok().cloned());
        let mut not_rising = Vec::new();
        if let (Some(level), Some(directed), Some(period), Some(a), Some(b)) = (level, directed, period, a, b) {
            let key = |i: usize| (level.get(i), directed.get(i), period.get(i), a.get(i), b.get(i));
            let owned = |k: ScoreKeyRef| -> ScoreKey {
                (
                    k.0.map(str::to_string),
                    k.1,
                    k.2.map(str::to_string),
                    k.3.map(str::to_string),
                    k.4.map(str::to_string),
                )
            };
            let mut last: Option<ScoreKeyRef> = None;
            for i in 0..df.height() {
                let k = key(i);
                if k.0 == Some("actor") && k.1 == Some(true) && k.2 == Some("all") {
                    self.counted_events += n.get(i).copied().unwrap_or(0.0);
                }
                let after = match (last, &self.last_key) {
                    (Some(prev), _) => prev >= k,
                    (None, Some(prev)) => {
                        let mine = owned(k);
                        *prev >= mine
                    }
                    (None, None) => false,
                };
                if after {
                    not_rising.push(format!("{:?} is not after the row before it", owned(k)));
                }
                last = Some(k);
            }
            if let Some(k) = last {
                self.last_key = Some(owned(k));
            }
        } else {
            not_rising.push("the key columns are missing or of another type".to_string());
        }
        out.push(TestOutcome::new(Rule::Unique, t.name, t.key.to_vec(), not_rising));
        self.rows += df.height();
        out
    }

    /// The outcomes of relationship_scores, with the reconciliation of its
    /// event counts with `expected`, the independent count of incidents of
    /// the events table ([`BatchTests::finish`] of the events' tests).
    pub fn finish_scores(mut self, expected: usize) -> Vec<TestOutcome> {
        let got = self.counted_events;
        let bad = if got as usize != expected {
            vec![format!("dyads count {got} events, the events table has {expected}")]
        } else {
            Vec::new()
        };
        self.merge(TestOutcome::new(Rule::EventCountReconcile, self.table.name, vec!["n_events"], bad));
        self.outcomes
    }

    /// Independent count of incidents: distinct (source, target, code,
    /// dates) among events whose target is another actor.
    fn add_incidents(&mut self, df: &DataFrame) {
        use std::hash::{Hash, Hasher};
        let text = |c: &str| df.column(c).ok().and_then(|c| c.str().ok().cloned());
        let day = |c: &str| {
            df.column(c)
                .ok()
                .and_then(|c| c.as_materialized_series().cast(&DataType::Int32).ok())
                .and_then(|s| s.i32().ok().cloned())
        };
        let (Some(source), Some(target), Some(code), Some(start), Some(end)) =
            (text("source_id"), text("target_id"), text("code"), day("date_start"), day("date_end"))
        else {
            return;
        };
        for i in 0..df.height() {
            let row = (source.get(i), target.get(i), code.get(i), start.get(i), end.get(i));
            if row.1.is_none() || row.0 == row.1 {
                continue;
            }
            // the row hashed once; two different endings of its (256-bit)
            // state give the two halves
            let mut s = std::hash::DefaultHasher::new();
            row.hash(&mut s);
            let h = |salt: u8| {
                let mut s = s.clone();
                s.write_u8(salt);
                s.finish()
            };
            self.incidents.push(((h(1) as u128) << 64) | h(2) as u128);
        }
    }

    /// What the tests of a shard's batches found, to be combined with the
    /// other shards' by [`BatchTests::absorb`].
    pub fn state(&self) -> BatchTestsState {
        BatchTestsState {
            table: self.table.name.to_string(),
            outcomes: self.outcomes.iter().map(OutcomeState::of).collect(),
            keys: self.keys.clone(),
            incidents: self.incidents.iter().map(|h| [(h >> 64) as u64, *h as u64]).collect(),
        }
    }

    /// Tests read back from a shard set; None when they name a table, rule
    /// or column this program does not have.
    pub fn from_state(s: BatchTestsState) -> Option<Self> {
        let table = catalogue::TABLES.iter().copied().find(|t| t.name == s.table)?;
        let outcomes = s.outcomes.into_iter().map(|o| o.into_outcome(table)).collect::<Option<Vec<_>>>()?;
        Some(BatchTests {
            table,
            outcomes,
            keys: s.keys,
            incidents: s.incidents.into_iter().map(|[hi, lo]| ((hi as u128) << 64) | lo as u128).collect(),
            ..BatchTests::new(table)
        })
    }

    /// Adds what another shard's tests found.
    pub fn absorb(&mut self, other: BatchTests) {
        for o in other.outcomes {
            self.merge(o);
        }
        self.keys.extend(other.keys);
        self.incidents.extend(other.incidents);
    }

    /// The outcomes, with the checks that span batches; and the number of
    /// distinct incidents.
    pub fn finish(mut self) -> (Vec<TestOutcome>, usize) {
        // the keys and the incidents sorted at once, on two threads
        let (keys, incidents) = (&mut self.keys, &mut self.incidents);
        std::thread::scope(|scope| {
            scope.spawn(|| keys.sort_unstable());
            incidents.sort_unstable();
        });
        let repeated: Vec<String> =
            self.keys.windows(2).filter(|w| w[0] == w[1]).map(|w| format!("[Some(\"{:016x}\")]", w[0])).collect();
        if self.table.name == catalogue::EVENTS.name {
            self.merge(TestOutcome::new(Rule::Unique, self.table.name, self.table.key.to_vec(), repeated));
        }
        self.incidents.dedup();
        (self.outcomes, self.incidents.len())
    }
}

/// [`BatchTests`] as a shard set stores them.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct BatchTestsState {
    pub table: String,
    pub outcomes: Vec<OutcomeState>,
    pub keys: Vec<u64>,
    /// 128-bit incident hashes as (high, low) halves.
    pub incidents: Vec<[u64; 2]>,
}

/// A [`TestOutcome`] as a shard set stores it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct OutcomeState {
    pub rule: String,
    pub columns: Vec<String>,
    pub failures: usize,
    pub examples: Vec<String>,
}

impl OutcomeState {
    fn of(o: &TestOutcome) -> Self {
        OutcomeState {
            rule: o.rule.to_string(),
            columns: o.columns.iter().map(|c| c.to_string()).collect(),
            failures: o.failures,
            examples: o.examples.clone(),
        }
    }

    fn into_outcome(self, t: &'static TableSchema) -> Option<TestOutcome> {
        let rule = Rule::from_id(&self.rule)?;
        let columns = self
            .columns
            .iter()
            .map(|c| t.columns.iter().find(|x| x.name == c).map(|x| x.name))
            .collect::<Option<Vec<_>>>()?;
        Some(TestOutcome {
            rule: rule.id(),
            table: t.name,
            columns,
            failures: self.failures,
            outcome: if self.failures == 0 { "pass" } else { "fail" },
            examples: self.examples,
        })
    }
}

fn f64s(df: &DataFrame, name: &str) -> Vec<f64> {
    df.column(name)
        .ok()
        .and_then(|c| c.as_materialized_series().cast(&DataType::Float64).ok())
        .map(|s| s.f64().map(|ca| ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect()).unwrap_or_default())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actors(ids: &[Option<&str>], parents: &[Option<&str>]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("actor_id".into(), ids.to_vec()),
            Column::new("parent_id".into(), parents.to_vec()),
            Column::new("type".into(), ids.iter().map(|_| "state").collect::<Vec<_>>()),
        ])
        .unwrap()
    }

    #[test]
    fn each_generic_test_catches_its_defect() {
        let good = actors(&[Some("A"), Some("B")], &[None, Some("A")]);
        assert!(unique(&good, &catalogue::ACTORS).passed());
        let dup = actors(&[Some("A"), Some("A")], &[None, None]);
        let u = unique(&dup, &catalogue::ACTORS);
        assert_eq!((u.failures, u.outcome), (1, "fail"));
        assert!(u.examples[0].contains("\"A\""), "{:?}", u.examples);

        let nulls = actors(&[Some("A"), None], &[None, None]);
        let nn: Vec<TestOutcome> = not_null(&nulls, &catalogue::ACTORS).into_iter().filter(|t| !t.passed()).collect();
        // actor_id has a null; the columns this frame lacks are reported missing
        assert!(nn.iter().any(|t| t.columns == vec!["actor_id"] && t.failures == 1));
        assert!(nn.iter().any(|t| t.columns == vec!["name"] && t.examples[0].contains("missing")));

        let keys: HashSet<String> = ["A".to_string()].into_iter().collect();
        let r =
            relationship(&actors(&[Some("A"), Some("B")], &[None, Some("Z")]), &catalogue::ACTORS, "parent_id", &keys);
        assert_eq!(r.examples, vec!["Z".to_string()]);
        assert!(
            relationship(&good, &catalogue::ACTORS, "parent_id", &keys).passed(),
            "nulls are not dangling references"
        );

        let a = accepted_values(&good, &catalogue::ACTORS, "type", &["government"]);
        assert_eq!(a.examples, vec!["state".to_string()], "distinct values are reported once");
    }

    #[test]
    fn the_score_gate_catches_out_of_range_scores_and_unreconciled_counts() {
        let d = |v: i32| Column::new("x".into(), vec![v]).cast(&DataType::Date).unwrap();
        let scores = DataFrame::new_infer_height(vec![
            Column::new("level".into(), vec!["actor"]),
            Column::new("directed".into(), vec![true]),
            Column::new("period".into(), vec!["all"]),
            Column::new("actor_a".into(), vec!["A"]),
            Column::new("actor_b".into(), vec!["Q"]),
            Column::new("n_events".into(), vec![2i64]),
            Column::new("n_verbal_coop".into(), vec![2i64]),
            Column::new("n_material_coop".into(), vec![0i64]),
            Column::new("n_verbal_conflict".into(), vec![0i64]),
            Column::new("n_material_conflict".into(), vec![0i64]),
            Column::new("score".into(), vec![1.5f64]),
        ])
        .unwrap();
        let events = DataFrame::new_infer_height(vec![
            Column::new("source_id".into(), vec!["A"]),
            Column::new("target_id".into(), vec!["Q"]),
            Column::new("code".into(), vec!["057"]),
            d(1).with_name("date_start".into()),
            d(1).with_name("date_end".into()),
        ])
        .unwrap();
        let mut batches = BatchTests::new(&catalogue::EVENTS);
        batches.add(&events, &Keys::default());
        batches.add(&events, &Keys::default());
        let (_, expected) = batches.finish();
        assert_eq!(expected, 1, "the same incident in two batches counts once");
        let keys = Keys { actor_ids: ["A".to_string()].into_iter().collect(), ..Keys::default() };
        let mut one = BatchTests::new(&catalogue::RELATIONSHIP_SCORES);
        one.add(&scores, &keys);
        let out = one.finish_scores(expected);
        let failed: Vec<&str> = out.iter().filter(|t| !t.passed() && t.rule != "not-null").map(|t| t.rule).collect();
        assert_eq!(failed, vec!["score-range", "dyad-actor", "event-count-reconcile"]);
        let dyad = out.iter().find(|t| t.rule == "dyad-actor" && !t.passed()).unwrap();
        assert_eq!((dyad.columns.clone(), dyad.examples.clone()), (vec!["actor_b"], vec!["Q".to_string()]));

        // the same key again in the next batch: the batches' keys must rise
        let mut two = BatchTests::new(&catalogue::RELATIONSHIP_SCORES);
        two.add(&scores, &keys);
        two.add(&scores, &keys);
        let out = two.finish_scores(expected);
        let unique = out.iter().find(|t| t.rule == "unique").unwrap();
        assert_eq!(unique.failures, 1, "{unique:?}");
        assert!(unique.examples[0].contains("is not after the row before it"), "{unique:?}");
        let reconcile = out.iter().find(|t| t.rule == "event-count-reconcile").unwrap();
        assert!(reconcile.examples[0].contains("dyads count 4 events"), "both batches count: {reconcile:?}");
    }

    #[test]
    fn an_event_key_repeated_in_one_batch_or_across_batches_fails_unique_once_per_repeat() {
        let batch =
            |keys: &[&str]| DataFrame::new_infer_height(vec![Column::new("event_key".into(), keys.to_vec())]).unwrap();
        let mut t = BatchTests::new(&catalogue::EVENTS);
        t.add(&batch(&["00000000000000aa", "00000000000000aa", "00000000000000ab"]), &Keys::default());
        t.add(&batch(&["00000000000000ab", "00000000000000ac"]), &Keys::default());
        let (out, _) = t.finish();
        let unique: Vec<&TestOutcome> = out.iter().filter(|o| o.rule == "unique").collect();
        assert_eq!(unique.len(), 1, "{unique:?}");
        assert_eq!(unique[0].failures, 2, "{unique:?}");
        assert_eq!(unique[0].examples, vec!["[Some(\"00000000000000aa\")]", "[Some(\"00000000000000ab\")]"]);
        let mut fine = BatchTests::new(&catalogue::EVENTS);
        fine.add(&batch(&["00000000000000aa"]), &Keys::default());
        fine.add(&batch(&["00000000000000ab"]), &Keys::default());
        assert!(fine.finish().0.iter().filter(|o| o.rule == "unique").all(|o| o.passed()));
    }

    #[test]
    fn a_batch_of_mentions_must_rise_by_its_key() {
        let batch = |rows: &[(&str, i64, i64)]| {
            DataFrame::new_infer_height(vec![
                Column::new("article_id".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new("start".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new("end".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
            ])
            .unwrap()
        };
        assert!(mentions_rising(&batch(&[("a", 0, 4), ("a", 0, 5), ("a", 3, 4), ("b", 0, 1)])).passed());
        let repeated = mentions_rising(&batch(&[("a", 0, 4), ("a", 0, 4), ("b", 0, 1)]));
        assert_eq!(repeated.failures, 1, "{repeated:?}");
        assert!(repeated.examples[0].contains("\"a\""), "{repeated:?}");
        let unsorted = mentions_rising(&batch(&[("b", 0, 1), ("a", 0, 4)]));
        assert_eq!(unsorted.failures, 1, "{unsorted:?}");
        let missing = mentions_rising(&DataFrame::new_infer_height(vec![Column::new("x".into(), vec![1])]).unwrap());
        assert!(!missing.passed());
    }
}
