//! The views of `relationship_scores` the page draws, per level and period:
//! the nodes (the heaviest actors), the edges between them and the top
//! dyads, read in two passes over the table's directed rows.

use super::actors::Actors;
use super::read::{each_batch, each_selected};
use super::{date, round, DyadKey, LEVELS, MAX_EDGES, MAX_EVIDENCE_DYADS, MAX_NODES, MAX_YEARS, OTHER, TOP_ROWS};
use crate::problem::Result;
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

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

/// The sums of an edge: the rows between two nodes drawn.
#[derive(Default)]
struct Agg {
    n: i64,
    gsum: f64,
    coop: f64,
    conflict: f64,
    rows: usize,
    score: f64,
}

/// What the page shows of a level and period: the actors' weights, the
/// top rows, the nodes drawn and the edges between them.
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
pub(super) struct Scores {
    pub(super) periods: Vec<String>,
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
    pub(super) fn read(path: &Path, actors: &mut Actors, cache_bytes: usize) -> Result<Self> {
        // pass 1: the periods (numbered as met), actors' weights, top rows
        let first = FirstPass::read(path, actors, cache_bytes)?;
        let periods = latest_periods(&first.met);
        let period_ix: HashMap<String, usize> = periods.iter().enumerate().map(|(i, p)| (p.clone(), i)).collect();
        let name_of: HashMap<usize, &String> = first.met.iter().map(|(p, i)| (*i, p)).collect();
        let mut s = Scores { periods: periods.clone(), views: BTreeMap::new(), k: first.shrinkage };
        for ((l, p), v) in first.views {
            if let Some(p) = period_ix.get(name_of[&p]) {
                s.views.insert((l, *p), v);
            }
        }
        if !s.k.is_finite() || s.k < 0.0 {
            s.k = 2.0;
        }
        for v in s.views.values_mut() {
            v.draw_nodes();
        }
        // pass 2: edges between the nodes drawn
        let edges = s.edges(path, actors, first.cache, &period_ix, &name_of)?;
        s.keep_edges(edges);
        Ok(s)
    }

    /// Pass 2 of [`Scores::read`]: the sums of the edges of every view
    /// between the nodes it draws, from the rows pass 1 kept or, without
    /// them, from the file again.
    fn edges(
        &self,
        path: &Path,
        actors: &mut Actors,
        cache: Option<Vec<CachedRow>>,
        period_ix: &HashMap<String, usize>,
        name_of: &HashMap<usize, &String>,
    ) -> Result<Edges> {
        let mut edges: Edges = BTreeMap::new();
        let views = &self.views;
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
        Ok(edges)
    }

    /// Each view's edges, the heaviest first, at most [`MAX_EDGES`]; an edge
    /// of several rows (one with the other node at an end) scored from its
    /// sums.
    fn keep_edges(&mut self, edges: Edges) {
        for (view, es) in edges {
            let v = self.views.get_mut(&view).expect("a view of pass 1");
            let mut es: Vec<((i64, i64), Agg)> = es.into_iter().collect();
            for (_, e) in es.iter_mut() {
                if e.rows > 1 {
                    e.score = (e.coop - e.conflict) / (e.coop + e.conflict + self.k);
                }
            }
            es.sort_by(|x, y| y.1.n.cmp(&x.1.n).then(x.0.cmp(&y.0)));
            v.edges_total = es.len();
            es.truncate(MAX_EDGES);
            v.edges = es;
        }
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
    pub(super) fn actors_used(&self) -> Vec<u32> {
        let mut used = std::collections::BTreeSet::new();
        for v in self.views.values() {
            used.extend(v.nodes.iter().filter(|(a, _)| *a != OTHER).map(|(a, _)| *a as u32));
            used.extend(v.coop.iter().chain(&v.conflict).flat_map(|r| [r.a, r.b]));
        }
        used.into_iter().collect()
    }

    pub(super) fn views_json(&self, remap: &HashMap<u32, i64>) -> Value {
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
    pub(super) fn evidence_dyads(&self) -> Vec<DyadKey> {
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
pub(super) const PASS_CACHE_BYTES: usize = 128 << 20;

/// The edges of pass 2 of [`Scores::read`], per view: their sums by the
/// nodes at their ends.
type Edges = BTreeMap<(usize, usize), HashMap<(i64, i64), Agg>>;

/// What pass 1 of [`Scores::read`] gathers: the periods (numbered as met),
/// the views by level and period as met, the shrinkage recovered from the
/// rows, and the rows themselves when they fit the cache.
struct FirstPass {
    met: HashMap<String, usize>,
    views: HashMap<(usize, usize), View>,
    shrinkage: f64,
    cache: Option<Vec<CachedRow>>,
}

impl FirstPass {
    fn read(path: &Path, actors: &mut Actors, cache_bytes: usize) -> Result<Self> {
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
        Scores::rows(
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
                views.entry(view).or_default().add(r);
                if shrinkage.is_nan() && r.score.abs() > 1e-3 && c + k > 0.0 {
                    shrinkage = (c - k) / r.score - (c + k);
                }
            },
        )?;
        Ok(FirstPass { met, views, shrinkage, cache })
    }
}

/// The periods with a view of their own: all, then the latest years, latest
/// first.
fn latest_periods(met: &HashMap<String, usize>) -> Vec<String> {
    let mut years: Vec<&String> = met.keys().filter(|p| p.as_str() != "all").collect();
    years.sort_unstable_by(|x, y| y.cmp(x));
    let mut periods = vec!["all".to_string()];
    periods.extend(years.into_iter().take(MAX_YEARS).cloned());
    periods
}

impl View {
    /// A directed row of the view: its actors' weights and, when it scores
    /// above or below zero, a candidate top row.
    fn add(&mut self, r: &Row) {
        self.rows += 1;
        *self.weight.entry(r.a).or_default() += r.n;
        *self.weight.entry(r.b).or_default() += r.n;
        if r.score > 0.0 {
            self.coop.push(r.clone());
            keep_top(&mut self.coop, cmp_coop, false);
        } else if r.score < 0.0 {
            self.conflict.push(r.clone());
            keep_top(&mut self.conflict, cmp_conflict, false);
        }
    }

    /// The final top rows, and the nodes drawn: the heaviest actors, at most
    /// [`MAX_NODES`] with the others folded into one.
    fn draw_nodes(&mut self) {
        keep_top(&mut self.coop, cmp_coop, true);
        keep_top(&mut self.conflict, cmp_conflict, true);
        let mut w: Vec<(u32, i64)> = self.weight.iter().map(|(a, n)| (*a, *n)).collect();
        w.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let keep = if w.len() > MAX_NODES { MAX_NODES - 1 } else { w.len() };
        for (i, (a, n)) in w.iter().enumerate() {
            if i < keep {
                self.node_of.insert(*a, self.nodes.len() as i64);
                self.nodes.push((*a as i64, *n));
            } else if i == keep {
                self.nodes.push((OTHER, *n));
            } else {
                self.nodes.last_mut().expect("the other node").1 += n;
            }
        }
    }
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
}
