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

mod read;

use crate::digest::sha256_hex;
use crate::problem::{Error, Result};
use read::{each_batch, each_selected, opt};
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::path::Path;

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

const TEMPLATE: &str = include_str!("page.html");
const APP: &str = include_str!("app.js");
const ECHARTS: &str = include_str!("../../vendor/echarts/echarts.min.js");

const LEVELS: [&str; 2] = ["top", "actor"];
/// Node index of the actors folded together.
const OTHER: i64 = -1;

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

/// The JSON text of `v`, safe inside an HTML `<script>` element: no `<`,
/// `>` or `&` (so no `</script>` or `<!--`), no U+2028/U+2029.
pub fn script_json(v: &Value) -> String {
    let s = serde_json::to_string(v).expect("JSON values serialize");
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The template with its markers replaced; each marker is replaced once, in
/// the template only, so nothing inserted is scanned again.
fn render(data: &Value, run_id: &str) -> String {
    let parts: [(&str, String); 4] = [
        ("{{RUN_ID}}", html_text(run_id)),
        ("/*{{ECHARTS}}*/", ECHARTS.replace("</script", "<\\/script")),
        ("/*{{APP}}*/", APP.to_string()),
        ("{{DATA}}", script_json(data)),
    ];
    let mut out = String::with_capacity(TEMPLATE.len() + parts.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut rest = TEMPLATE;
    loop {
        let next = parts.iter().filter_map(|(m, s)| rest.find(m).map(|i| (i, *m, s))).min_by_key(|(i, _, _)| *i);
        match next {
            Some((i, m, s)) => {
                out.push_str(&rest[..i]);
                out.push_str(s);
                rest = &rest[i + m.len()..];
            }
            None => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// The run: id, versions, inputs, the ledger, rule and test outcomes. Only
/// what is the same in the staged record and the published `manifest.json`
/// (no times, no paths).
fn run(r: &Value) -> Value {
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
fn problems(r: &Value) -> Value {
    let mut n: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for p in r.get("problems").and_then(Value::as_array).into_iter().flatten() {
        let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        *n.entry((s("rule"), s("severity"), s("table"))).or_default() += 1;
    }
    n.into_iter().map(|((rule, sev, table), c)| json!([rule, sev, table, c])).collect()
}

fn rejects(path: &Path) -> Result<Value> {
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
        use arrow::array::Array;
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

/// Actors, by index in the order of `actors.parquet`; ids met elsewhere and
/// not there (none in a valid set) are appended with their id as name.
struct Actors {
    rows: Vec<[Option<String>; 4]>,
    index: HashMap<String, u32>,
}

impl Actors {
    fn read(path: &Path) -> Result<Self> {
        let mut a = Actors { rows: Vec::new(), index: HashMap::default() };
        each_batch(path, &["actor_id", "name", "type", "country"], |b| {
            let (id, name, ty, country) = (b.str("actor_id")?, b.str("name")?, b.str("type")?, b.str("country")?);
            for i in 0..b.rows() {
                a.index.insert(id.value(i).to_string(), a.rows.len() as u32);
                a.rows.push([
                    Some(id.value(i).into()),
                    Some(name.value(i).into()),
                    Some(ty.value(i).into()),
                    opt(country, i).map(Into::into),
                ]);
            }
            Ok(())
        })?;
        Ok(a)
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.rows.len() as u32;
        self.index.insert(s.to_string(), i);
        self.rows.push([Some(s.into()), Some(s.into()), Some("other".into()), None]);
        i
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    fn json(&self, used: &[u32]) -> Value {
        Value::Array(used.iter().map(|i| json!(self.rows[*i as usize])).collect())
    }
}

/// A directed row of `relationship_scores` as the page shows it.
#[derive(Clone)]
struct Row {
    a: u32,
    b: u32,
    score: f64,
    n: i64,
    gsum: f64,
    first: i32,
    last: i32,
}

impl Row {
    fn json(&self, remap: &HashMap<u32, i64>) -> Value {
        json!([
            remap[&self.a],
            remap[&self.b],
            round(self.score, 4),
            self.n,
            round(self.gsum, 1),
            date(self.first),
            date(self.last)
        ])
    }
}

#[derive(Default)]
struct Agg {
    n: i64,
    gsum: f64,
    coop: f64,
    conflict: f64,
    rows: usize,
    score: f64,
}

#[derive(Default)]
struct View {
    weight: HashMap<u32, i64>,
    rows: usize,
    coop: Vec<Row>,
    conflict: Vec<Row>,
    nodes: Vec<(i64, i64)>,
    node_of: HashMap<u32, i64>,
    edges: Vec<((i64, i64), Agg)>,
    edges_total: usize,
}

/// The views of `relationship_scores` (directed rows), per level and period.
struct Scores {
    periods: Vec<String>,
    views: BTreeMap<(usize, usize), View>,
    /// the shrinkage k of the score, recovered from the table
    k: f64,
}

fn cmp_coop(x: &Row, y: &Row) -> std::cmp::Ordering {
    y.score.total_cmp(&x.score).then(y.n.cmp(&x.n)).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b))
}
fn cmp_conflict(x: &Row, y: &Row) -> std::cmp::Ordering {
    x.score.total_cmp(&y.score).then(y.n.cmp(&x.n)).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b))
}

fn keep_top(v: &mut Vec<Row>, cmp: fn(&Row, &Row) -> std::cmp::Ordering, final_: bool) {
    if final_ || v.len() > 8 * TOP_ROWS {
        v.sort_by(cmp);
        v.truncate(TOP_ROWS);
    }
}

const SCORE_COLS: [&str; 12] = [
    "level",
    "directed",
    "period",
    "actor_a",
    "actor_b",
    "n_events",
    "goldstein_sum",
    "coop_mass",
    "conflict_mass",
    "score",
    "first_date",
    "last_date",
];

impl Scores {
    /// The views of the scores at `path`, in two passes over the directed
    /// rows; the second from memory when they fit in `cache_bytes`.
    fn read(path: &Path, actors: &mut Actors, cache_bytes: usize) -> Result<Self> {
        // pass 1: the periods (numbered as met), actors' weights, top rows
        let mut met: HashMap<String, usize> = HashMap::default();
        let mut views: HashMap<(usize, usize), View> = HashMap::default();
        let mut shrinkage = f64::NAN;
        let number = |p: &str| match met.get(p) {
            Some(i) => Some(*i),
            None => {
                let i = met.len();
                met.insert(p.to_string(), i);
                Some(i)
            }
        };
        // the rows of pass 1 kept for pass 2 when they all fit the budget (a
        // larger table is read again instead)
        let budget = cache_bytes / std::mem::size_of::<CachedRow>();
        let mut cache: Option<Vec<CachedRow>> = Some(Vec::new());
        let directed = std::cell::Cell::new(0);
        Self::rows(
            path,
            actors,
            number,
            |n| directed.set(n),
            |view, r, c, k| {
                // kept when every directed row fits, else none (read again)
                if cache.as_ref().is_some_and(|rows| rows.capacity() == 0) {
                    cache = (directed.get() <= budget).then(|| Vec::with_capacity(directed.get()));
                }
                if let Some(rows) = &mut cache {
                    rows.push((view, r.clone(), c, k));
                }
                let v = views.entry(view).or_default();
                v.rows += 1;
                *v.weight.entry(r.a).or_default() += r.n;
                *v.weight.entry(r.b).or_default() += r.n;
                if r.score > 0.0 {
                    v.coop.push(r.clone());
                    keep_top(&mut v.coop, cmp_coop, false);
                } else if r.score < 0.0 {
                    v.conflict.push(r.clone());
                    keep_top(&mut v.conflict, cmp_conflict, false);
                }
                if shrinkage.is_nan() && r.score.abs() > 1e-3 && c + k > 0.0 {
                    shrinkage = (c - k) / r.score - (c + k);
                }
            },
        )?;
        // all, then the latest years, latest first
        let mut years: Vec<&String> = met.keys().filter(|p| p.as_str() != "all").collect();
        years.sort_unstable_by(|x, y| y.cmp(x));
        let mut periods = vec!["all".to_string()];
        periods.extend(years.into_iter().take(MAX_YEARS).cloned());
        let period_ix: HashMap<String, usize> = periods.iter().enumerate().map(|(i, p)| (p.clone(), i)).collect();
        let name_of: HashMap<usize, &String> = met.iter().map(|(p, i)| (*i, p)).collect();
        let mut s = Scores { periods: periods.clone(), views: BTreeMap::new(), k: shrinkage };
        for ((l, p), v) in views {
            if let Some(p) = period_ix.get(name_of[&p]) {
                s.views.insert((l, *p), v);
            }
        }
        if !s.k.is_finite() || s.k < 0.0 {
            s.k = 2.0;
        }
        for v in s.views.values_mut() {
            keep_top(&mut v.coop, cmp_coop, true);
            keep_top(&mut v.conflict, cmp_conflict, true);
            let mut w: Vec<(u32, i64)> = v.weight.iter().map(|(a, n)| (*a, *n)).collect();
            w.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
            let keep = if w.len() > MAX_NODES { MAX_NODES - 1 } else { w.len() };
            for (i, (a, n)) in w.iter().enumerate() {
                if i < keep {
                    v.node_of.insert(*a, v.nodes.len() as i64);
                    v.nodes.push((*a as i64, *n));
                } else if i == keep {
                    v.nodes.push((OTHER, *n));
                } else {
                    v.nodes.last_mut().expect("the other node").1 += n;
                }
            }
        }

        // pass 2: edges between the nodes drawn
        let mut edges: BTreeMap<(usize, usize), HashMap<(i64, i64), Agg>> = BTreeMap::new();
        let views = &s.views;
        let mut edge = |view: (usize, usize), r: &Row, c: f64, k: f64| {
            let Some(v) = views.get(&view) else { return };
            let node = |a: u32| v.node_of.get(&a).copied().unwrap_or(OTHER);
            let (x, y) = (node(r.a), node(r.b));
            if x == OTHER && y == OTHER {
                return;
            }
            let e = edges.entry(view).or_default().entry((x, y)).or_default();
            e.n += r.n;
            e.gsum += r.gsum;
            e.coop += c;
            e.conflict += k;
            e.rows += 1;
            e.score = r.score;
        };
        match cache {
            // pass 1 numbered the periods as met: the same rows, renumbered
            Some(rows) => {
                for ((l, met_p), r, c, k) in &rows {
                    if let Some(p) = period_ix.get(name_of[met_p].as_str()) {
                        edge((*l, *p), r, *c, *k);
                    }
                }
            }
            None => Self::rows(path, actors, |p| period_ix.get(p).copied(), |_| {}, edge)?,
        }
        for (view, es) in edges {
            let v = s.views.get_mut(&view).expect("a view of pass 1");
            let mut es: Vec<((i64, i64), Agg)> = es.into_iter().collect();
            for (_, e) in es.iter_mut() {
                if e.rows > 1 {
                    e.score = (e.coop - e.conflict) / (e.coop + e.conflict + s.k);
                }
            }
            es.sort_by(|x, y| y.1.n.cmp(&x.1.n).then(x.0.cmp(&y.0)));
            v.edges_total = es.len();
            es.truncate(MAX_EDGES);
            v.edges = es;
        }
        Ok(s)
    }

    /// Calls `f` with every directed row: its view, the row, C and K.
    fn rows(
        path: &Path,
        actors: &mut Actors,
        mut period: impl FnMut(&str) -> Option<usize>,
        count: impl FnOnce(usize),
        mut f: impl FnMut((usize, usize), &Row, f64, f64),
    ) -> Result<()> {
        // the directed rows only (the views draw directions), read from the
        // pages that hold them
        let mut directed_rows = Vec::new();
        let mut at = 0u64;
        each_batch(path, &["directed"], |b| {
            let directed = b.bool("directed")?;
            directed_rows.extend((0..b.rows()).filter(|&i| directed.value(i)).map(|i| at + i as u64));
            at += b.rows() as u64;
            Ok(())
        })?;
        count(directed_rows.len());
        each_selected(path, &SCORE_COLS, &directed_rows, |b| {
            let (level, directed, periods) = (b.str("level")?, b.bool("directed")?, b.str("period")?);
            let (ca, cb, n, g) = (b.str("actor_a")?, b.str("actor_b")?, b.i64("n_events")?, b.f64("goldstein_sum")?);
            let (c, k, score) = (b.f64("coop_mass")?, b.f64("conflict_mass")?, b.f64("score")?);
            let (first, last) = (b.date("first_date")?, b.date("last_date")?);
            // rows come sorted by level, period and actor_a: each looked up
            // once per run of equal values
            let mut last_level: Option<(&str, Option<usize>)> = None;
            let mut last_period: Option<(&str, Option<usize>)> = None;
            let mut last_a: Option<(&str, u32)> = None;
            for i in 0..b.rows() {
                if !directed.value(i) {
                    continue;
                }
                let (lv, pv, av) = (level.value(i), periods.value(i), ca.value(i));
                let l = match last_level {
                    Some((v, l)) if v == lv => l,
                    _ => last_level.insert((lv, LEVELS.iter().position(|l| *l == lv))).1,
                };
                let p = match last_period {
                    Some((v, p)) if v == pv => p,
                    _ => last_period.insert((pv, period(pv))).1,
                };
                let (Some(l), Some(p)) = (l, p) else { continue };
                let a = match last_a {
                    Some((v, a)) if v == av => a,
                    _ => last_a.insert((av, actors.id(av))).1,
                };
                let row = Row {
                    a,
                    b: actors.id(cb.value(i)),
                    score: score.value(i),
                    n: n.value(i),
                    gsum: g.value(i),
                    first: first.value(i),
                    last: last.value(i),
                };
                f((l, p), &row, c.value(i), k.value(i));
            }
            Ok(())
        })
    }

    /// Every actor a view draws or lists, in index order.
    fn actors_used(&self) -> Vec<u32> {
        let mut used = std::collections::BTreeSet::new();
        for v in self.views.values() {
            used.extend(v.nodes.iter().filter(|(a, _)| *a != OTHER).map(|(a, _)| *a as u32));
            used.extend(v.coop.iter().chain(&v.conflict).flat_map(|r| [r.a, r.b]));
        }
        used.into_iter().collect()
    }

    fn views_json(&self, remap: &HashMap<u32, i64>) -> Value {
        let mut out = serde_json::Map::new();
        for ((l, p), v) in &self.views {
            let edges: Vec<Value> = v
                .edges
                .iter()
                .map(|((x, y), e)| json!([x, y, e.n, round(e.gsum, 1), round(e.score, 4), e.rows]))
                .collect();
            out.insert(
                format!("{}|{}", LEVELS[*l], self.periods[*p]),
                json!({
                    "nodes": v.nodes.iter().map(|(a, n)| json!([if *a == OTHER { OTHER } else { remap[&(*a as u32)] }, n])).collect::<Vec<_>>(),
                    "edges": edges,
                    "actors_total": v.weight.len(),
                    "edges_total": v.edges_total,
                    "rows": v.rows,
                    "coop": v.coop.iter().map(|r| r.json(remap)).collect::<Vec<_>>(),
                    "conflict": v.conflict.iter().map(|r| r.json(remap)).collect::<Vec<_>>(),
                }),
            );
        }
        Value::Object(out)
    }

    /// The dyads whose evidence the page carries: the rows of the top-dyads
    /// tables, then the heaviest edges, view by view (all periods first),
    /// up to [`MAX_EVIDENCE_DYADS`].
    fn evidence_dyads(&self) -> Vec<DyadKey> {
        let mut order: Vec<&(usize, usize)> = self.views.keys().collect();
        order.sort_by_key(|(l, p)| (*p, *l));
        let mut out: Vec<DyadKey> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut add = |k: DyadKey, out: &mut Vec<DyadKey>| {
            if out.len() < MAX_EVIDENCE_DYADS && seen.insert(k) {
                out.push(k);
            }
        };
        for (l, p) in &order {
            let v = &self.views[&(*l, *p)];
            for r in v.coop.iter().chain(&v.conflict) {
                add((*l as u8, *p as u16, r.a, r.b), &mut out);
            }
        }
        for (l, p) in &order {
            let v = &self.views[&(*l, *p)];
            for ((x, y), e) in v.edges.iter().take(2 * TOP_ROWS) {
                if *x != OTHER && *y != OTHER && e.rows == 1 {
                    let (a, b) = (v.nodes[*x as usize].0 as u32, v.nodes[*y as usize].0 as u32);
                    add((*l as u8, *p as u16, a, b), &mut out);
                }
            }
        }
        out
    }
}

/// A directed row of the scores as pass 1 of [`Scores::read`] met it: its
/// view (period numbered as met), the row, C and K.
type CachedRow = ((usize, usize), Row, f64, f64);

/// Memory for the rows pass 1 keeps for pass 2 of [`Scores::read`].
const PASS_CACHE_BYTES: usize = 128 << 20;

/// level, period, source, target
type DyadKey = (u8, u16, u32, u32);

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

/// A report listed as evidence.
struct Ev {
    key: String,
    article: String,
    src: String,
    tgt: String,
    code: String,
    label: String,
    quad: i32,
    goldstein: f64,
    mode: String,
    start: i32,
    end: i32,
    precision: String,
    approximate: bool,
    uncertain: bool,
    edtf: String,
    date_text: Option<String>,
    evidence: String,
    ev_start: i64,
    ev_end: i64,
    file: String,
    line: i64,
}

struct Evidence {
    dyads: Vec<DyadKey>,
    periods: Vec<String>,
    /// per dyad, the latest reports (row numbers in `events.parquet`)
    lists: HashMap<DyadKey, VecDeque<u64>>,
    events: HashMap<u64, Ev>,
}

/// What the timeline and the choice of reports need of every event.
const LIGHT_COLS: [&str; 9] = [
    "source_id",
    "target_id",
    "source_top_id",
    "target_top_id",
    "quad_class",
    "date_start",
    "date_end",
    "date_precision",
    "date_approximate",
];

/// What a report listed as evidence shows.
const EVENT_COLS: [&str; 23] = [
    "event_key",
    "article_id",
    "source_id",
    "target_id",
    "source_top_id",
    "target_top_id",
    "code",
    "code_label",
    "quad_class",
    "goldstein",
    "mode",
    "date_start",
    "date_end",
    "date_precision",
    "date_approximate",
    "date_uncertain",
    "date_edtf",
    "date_text",
    "evidence",
    "evidence_start",
    "evidence_end",
    "raw_file",
    "raw_line",
];

/// One pass over the light columns of the events: the timeline, and the
/// latest reports of every selected dyad; then those reports alone, whole.
fn events(path: &Path, actors: &Actors, scores: &Scores, selected: &[DyadKey]) -> Result<(Value, Evidence)> {
    let mut ev = Evidence {
        dyads: selected.to_vec(),
        periods: scores.periods.clone(),
        lists: selected.iter().map(|k| (*k, VecDeque::new())).collect(),
        events: HashMap::default(),
    };
    let mut row0 = 0u64;
    let year_ix: HashMap<i32, u16> =
        scores.periods.iter().enumerate().filter_map(|(i, p)| Some((p.parse().ok()?, i as u16))).collect();
    // month index (years * 12 + month0) -> [day-precise, month or approximate] counts per QuadClass
    let mut exact: BTreeMap<i32, [[u64; 4]; 2]> = BTreeMap::new();
    let mut coarse: BTreeMap<i32, [f64; 4]> = BTreeMap::new();
    let mut counts = [0u64; 3];
    let month_of = |d: i32| {
        use chrono::Datelike;
        let d = day(d);
        d.year() * 12 + d.month0() as i32
    };
    each_batch(path, &LIGHT_COLS, |b| {
        let (src, tgt, stop, ttop) =
            (b.str("source_id")?, b.str("target_id")?, b.str("source_top_id")?, b.str("target_top_id")?);
        let (quad, ds, de) = (b.i32("quad_class")?, b.date("date_start")?, b.date("date_end")?);
        let (prec, approx) = (b.str("date_precision")?, b.bool("date_approximate")?);
        for i in 0..b.rows() {
            let q = (quad.value(i).clamp(1, 4) - 1) as usize;
            let (m0, m1) = (month_of(ds.value(i)), month_of(de.value(i)));
            if m0 == m1 {
                let precise = prec.value(i) == "day" && !approx.value(i);
                exact.entry(m0).or_default()[usize::from(!precise)][q] += 1;
                counts[usize::from(!precise)] += 1;
            } else {
                let n = (m1 - m0 + 1).max(1) as f64;
                for m in m0..=m1.max(m0) {
                    coarse.entry(m).or_default()[q] += 1.0 / n;
                }
                counts[2] += 1;
            }
            let (Some(t), Some(tt)) = (opt(tgt, i), opt(ttop, i)) else { continue };
            let period = year_ix.get(&{
                use chrono::Datelike;
                day(ds.value(i)).year()
            });
            let mut hit: Vec<DyadKey> = Vec::new();
            for (l, (a, b_)) in [(0u8, (stop.value(i), tt)), (1u8, (src.value(i), t))] {
                let (Some(a), Some(b_)) = (actors.get(a), actors.get(b_)) else { continue };
                for p in std::iter::once(0u16).chain(period.copied()) {
                    let k = (l, p, a, b_);
                    if ev.lists.contains_key(&k) {
                        hit.push(k);
                    }
                }
            }
            for k in hit {
                let list = ev.lists.get_mut(&k).expect("a selected dyad");
                list.push_back(row0 + i as u64);
                if list.len() > EVIDENCE_PER_DYAD {
                    list.pop_front();
                }
            }
        }
        row0 += b.rows() as u64;
        Ok(())
    })?;
    let mut wanted: Vec<u64> = ev.lists.values().flatten().copied().collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut next = wanted.iter();
    each_selected(path, &EVENT_COLS, &wanted, |b| {
        for i in 0..b.rows() {
            let row = *next.next().ok_or_else(|| Error::Parquet {
                path: path.to_path_buf(),
                message: "more rows than selected".into(),
            })?;
            ev.events.insert(row, event_row(b, i)?);
        }
        Ok(())
    })?;
    let first = exact.keys().chain(coarse.keys()).min().copied();
    let last = exact.keys().chain(coarse.keys()).max().copied();
    let mut months = Vec::new();
    let mut series_exact = vec![vec![0u64; 0]; 8];
    let mut series_coarse = vec![vec![0f64; 0]; 4];
    if let (Some(a), Some(z)) = (first, last) {
        for m in a..=z {
            months.push(format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1));
            let e = exact.get(&m).copied().unwrap_or_default();
            let c = coarse.get(&m).copied().unwrap_or_default();
            for q in 0..4 {
                series_exact[q].push(e[0][q]);
                series_exact[4 + q].push(e[1][q]);
                series_coarse[q].push(round(c[q], 2));
            }
        }
    }
    let timeline = json!({
        "months": months,
        "day": &series_exact[0..4],
        "month": &series_exact[4..8],
        "coarse": series_coarse,
        "counts": { "day": counts[0], "month_or_approximate": counts[1], "coarse": counts[2] },
    });
    Ok((timeline, ev))
}

fn event_row(b: &read::Batch, i: usize) -> Result<Ev> {
    let s = |c: &str| -> Result<String> { Ok(b.str(c)?.value(i).to_string()) };
    Ok(Ev {
        key: s("event_key")?,
        article: s("article_id")?,
        src: s("source_id")?,
        tgt: opt(b.str("target_id")?, i).unwrap_or("").to_string(),
        code: s("code")?,
        label: s("code_label")?,
        quad: b.i32("quad_class")?.value(i),
        goldstein: b.f64("goldstein")?.value(i),
        mode: s("mode")?,
        start: b.date("date_start")?.value(i),
        end: b.date("date_end")?.value(i),
        precision: s("date_precision")?,
        approximate: b.bool("date_approximate")?.value(i),
        uncertain: b.bool("date_uncertain")?.value(i),
        edtf: s("date_edtf")?,
        date_text: opt(b.str("date_text")?, i).map(Into::into),
        evidence: s("evidence")?,
        ev_start: b.i64("evidence_start")?.value(i),
        ev_end: b.i64("evidence_end")?.value(i),
        file: s("raw_file")?,
        line: b.i64("raw_line")?.value(i),
    })
}

impl Evidence {
    /// The evidence as JSON: the reports (with their article's title and the
    /// passage around the span) and, per dyad, the reports listed, latest
    /// first.
    fn finish(self, articles: &Path, raw_dir: Option<&Path>, remap: &HashMap<u32, i64>) -> Result<Value> {
        let wanted: std::collections::HashSet<&str> = self.events.values().map(|e| e.article.as_str()).collect();
        // title, text path, text hash of the articles wanted
        let mut arts: HashMap<String, (String, String, String)> = HashMap::default();
        each_batch(articles, &["article_id", "title", "text_path", "text_sha256"], |b| {
            let (id, title, tp, sha) =
                (b.str("article_id")?, b.str("title")?, b.str("text_path")?, b.str("text_sha256")?);
            for i in 0..b.rows() {
                if wanted.contains(id.value(i)) {
                    arts.insert(
                        id.value(i).to_string(),
                        (title.value(i).to_string(), tp.value(i).to_string(), sha.value(i).to_string()),
                    );
                }
            }
            Ok(())
        })?;
        let mut texts: HashMap<String, Option<Vec<char>>> = HashMap::default();
        let mut position: HashMap<u64, usize> = HashMap::default();
        let mut rows = Vec::new();
        let mut dyads = serde_json::Map::new();
        let mut bytes = 0usize;
        // dyads in their order of priority, while the evidence stays within its budget
        for k in &self.dyads {
            let list: Vec<u64> = self.lists[k].iter().rev().copied().collect();
            let mut added = Vec::new();
            let mut more = 0usize;
            for i in list.iter().filter(|i| !position.contains_key(i)) {
                let Some(e) = self.events.get(i) else { continue };
                let art = arts.get(&e.article);
                let text = texts.entry(e.article.clone()).or_insert_with(|| {
                    let (_, tp, sha) = art?;
                    let bytes = std::fs::read(raw_dir?.join(tp)).ok()?;
                    (sha256_hex(&bytes) == *sha).then(|| String::from_utf8(bytes).ok().map(|s| s.chars().collect()))?
                });
                let (pre, span, post, found) = passage(text.as_deref(), e);
                let row = json!({
                    "key": e.key, "article": e.article, "title": art.map(|a| a.0.as_str()),
                    "src": e.src, "tgt": e.tgt, "code": e.code, "label": e.label, "quad": e.quad,
                    "goldstein": e.goldstein, "mode": e.mode,
                    "start": date(e.start), "end": date(e.end), "precision": e.precision,
                    "approximate": e.approximate, "uncertain": e.uncertain, "edtf": e.edtf, "date_text": e.date_text,
                    "pre": pre, "span": span, "post": post, "passage": found,
                    "file": e.file, "line": e.line,
                });
                more += script_json(&row).len() + 1;
                added.push((*i, row));
            }
            if bytes + more > EVIDENCE_BYTES {
                break;
            }
            bytes += more;
            for (i, row) in added {
                position.insert(i, rows.len());
                rows.push(row);
            }
            let (l, p, a, b) = *k;
            let shown: Vec<usize> = list.iter().filter_map(|i| position.get(i).copied()).collect();
            dyads.insert(
                format!("{}|{}|{}|{}", LEVELS[l as usize], self.periods[p as usize], remap[&a], remap[&b]),
                json!(shown),
            );
        }
        Ok(json!({ "events": rows, "dyads": dyads }))
    }
}

/// The paragraph around the evidence span, at most [`PASSAGE_CHARS`] either
/// side: (before, span, after, whether the text was there). Without the text,
/// the evidence alone.
fn passage(text: Option<&[char]>, e: &Ev) -> (String, String, String, bool) {
    let (s, t) = (e.ev_start as usize, e.ev_end as usize);
    let Some(text) = text.filter(|x| s <= t && t <= x.len()) else {
        return (String::new(), e.evidence.clone(), String::new(), false);
    };
    let span: String = text[s..t].iter().collect();
    if span != e.evidence {
        return (String::new(), e.evidence.clone(), String::new(), false);
    }
    let mut a = s;
    while a > 0 && text[a - 1] != '\n' && s - a < PASSAGE_CHARS {
        a -= 1;
    }
    let mut z = t;
    while z < text.len() && text[z] != '\n' && z - t < PASSAGE_CHARS {
        z += 1;
    }
    let mut pre: String = text[a..s].iter().collect();
    let mut post: String = text[t..z].iter().collect();
    if a > 0 && text[a - 1] != '\n' {
        pre.insert(0, '…');
    }
    if z < text.len() && text[z] != '\n' {
        post.push('…');
    }
    (pre, span, post, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_pass_over_the_scores_is_the_same_from_memory_or_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let raw = Path::new(env!("CARGO_MANIFEST_DIR")).join("raw");
        let opts = crate::engine::Options {
            out: Some(dir.path().join("out")),
            command: "run".into(),
            ..crate::engine::Options::validate(raw, crate::config::Config::default())
        };
        assert_eq!(crate::engine::execute(&opts).unwrap().manifest.status, "published");
        let set = dir.path().join("out/current");
        let views = |cache_bytes: usize| {
            let mut actors = Actors::read(&set.join("actors.parquet")).unwrap();
            let s = Scores::read(&set.join("relationship_scores.parquet"), &mut actors, cache_bytes).unwrap();
            let remap: HashMap<u32, i64> = s.actors_used().iter().enumerate().map(|(n, a)| (*a, n as i64)).collect();
            (s.periods.clone(), s.views_json(&remap))
        };
        let (in_memory, read_again) = (views(PASS_CACHE_BYTES), views(0));
        assert!(in_memory.1.as_object().is_some_and(|v| !v.is_empty()), "the set has views");
        assert_eq!(in_memory, read_again);
    }

    #[test]
    fn script_json_escapes_what_could_end_the_element() {
        let v = json!({"t": "</script><script>alert(1)</script> <!-- & \u{2028}\u{2029} \"q\""});
        let s = script_json(&v);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!s.contains(bad), "{bad:?} in {s}");
        }
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v, "the same value parses back");
    }

    #[test]
    fn the_vendored_library_cannot_close_its_element() {
        assert!(!ECHARTS.contains("</script"));
        assert!(!APP.contains("</script"));
        assert!(ECHARTS.len() > 500_000, "the whole library is vendored");
    }

    #[test]
    fn markers_are_replaced_once_and_inserted_text_is_not_scanned() {
        let data = json!({"x": "{{DATA}} /*{{APP}}*/ {{RUN_ID}}"});
        let page = render(&data, "<b>id</b>");
        assert_eq!(page.matches("{{DATA}}").count(), 1, "only the one inside the data");
        assert!(page.contains("&lt;b&gt;id&lt;/b&gt;"));
        assert!(!page.contains("<b>id</b>"));
    }

    fn ev(evidence: &str, s: i64, t: i64) -> Ev {
        Ev {
            key: "k".into(),
            article: "a".into(),
            src: "A".into(),
            tgt: "B".into(),
            code: "010".into(),
            label: "l".into(),
            quad: 1,
            goldstein: 0.0,
            mode: "asserted".into(),
            start: 0,
            end: 0,
            precision: "day".into(),
            approximate: false,
            uncertain: false,
            edtf: "1970-01-01".into(),
            date_text: None,
            evidence: evidence.into(),
            ev_start: s,
            ev_end: t,
            file: "events.csv".into(),
            line: 2,
        }
    }

    #[test]
    fn passage_is_the_paragraph_around_the_span_in_code_points() {
        let text: Vec<char> = "Héadline\nÉté: Russia signed a deal. Then more.\nNext".chars().collect();
        let (pre, span, post, found) = passage(Some(&text), &ev("Russia signed", 14, 27));
        assert_eq!(
            (pre.as_str(), span.as_str(), post.as_str(), found),
            ("Été: ", "Russia signed", " a deal. Then more.", true)
        );
        // a text that no longer holds the span: the evidence alone
        let (pre, span, _, found) = passage(Some(&text), &ev("Other words", 14, 25));
        assert_eq!((pre.as_str(), span.as_str(), found), ("", "Other words", false));
        let (_, span, _, found) = passage(None, &ev("Russia signed", 14, 27));
        assert_eq!((span.as_str(), found), ("Russia signed", false));
    }

    #[test]
    fn long_paragraphs_are_cut_with_an_ellipsis() {
        let long = format!("{}SPAN{}", "x".repeat(1000), "y".repeat(1000));
        let text: Vec<char> = long.chars().collect();
        let (pre, span, post, _) = passage(Some(&text), &ev("SPAN", 1000, 1004));
        assert_eq!(span, "SPAN");
        assert_eq!(pre.chars().count(), PASSAGE_CHARS + 1);
        assert!(pre.starts_with('…') && post.ends_with('…'));
    }
}
