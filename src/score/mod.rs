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

pub mod exact;

use crate::config::ScoreConfig;
use crate::problem::{Error, Result};
use exact::{ExactSum, Tenths};
use polars::prelude::*;
use rustc_hash::FxHashMap as HashMap;

/// Interns strings as dense u32 ids.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.ids.insert(s.to_string(), i);
        i
    }
}

/// The canonical key of an incident, the text its id is the hash of: the
/// source actor id, the target actor id (empty when there is none), the
/// CAMEO code, and the first and last day of the date span as ISO dates,
/// separated by U+001F (a character no id, code or date can hold). For
/// example `RUS\u{1f}UKR\u{1f}190\u{1f}2022-02-24\u{1f}2022-02-24`.
pub fn incident_key(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> String {
    format!(
        "{source_id}\u{1f}{}\u{1f}{code}\u{1f}{}\u{1f}{}",
        target_id.unwrap_or(""),
        iso_day(date_start),
        iso_day(date_end)
    )
}

/// The 128-bit identity of an incident: the first 16 bytes of the SHA-256 of
/// [`incident_key`], big-endian. It depends on the incident's content only,
/// so it is the same in every run, whatever else the corpus holds and
/// however it is cut.
pub fn incident_hash(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> u128 {
    use sha2::{Digest, Sha256};
    // the key's parts fed in turn: the digest of the key, without making it
    let mut h = Sha256::new();
    let mut day = [0u8; 16];
    h.update(source_id.as_bytes());
    h.update([0x1f]);
    h.update(target_id.unwrap_or("").as_bytes());
    h.update([0x1f]);
    h.update(code.as_bytes());
    h.update([0x1f]);
    h.update(iso_day_in(date_start, &mut day));
    h.update([0x1f]);
    h.update(iso_day_in(date_end, &mut day));
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_be_bytes(b)
}

/// The published `incident_id`: [`incident_hash`] as 32 lower-case hex
/// digits (the first 32 hex digits of the SHA-256 of [`incident_key`]).
pub fn incident_id(source_id: &str, target_id: Option<&str>, code: &str, date_start: i32, date_end: i32) -> String {
    incident_id_of(incident_hash(source_id, target_id, code, date_start, date_end))
}

/// The published `incident_id` of an [`incident_hash`].
pub fn incident_id_of(hash: u128) -> String {
    crate::digest::hex(&hash.to_be_bytes())
}

/// A day given as days since 1970-01-01, as an ISO date.
fn iso_day(days: i32) -> String {
    let (y, m, d) = ymd(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// [`iso_day`] written into `buf`: the bytes written.
fn iso_day_in(days: i32, buf: &mut [u8; 16]) -> &[u8] {
    use std::io::Write;
    let (y, m, d) = ymd(days);
    let mut rest = &mut buf[..];
    write!(rest, "{y:04}-{m:02}-{d:02}").expect("an ISO day fits in 16 bytes");
    let n = 16 - rest.len();
    &buf[..n]
}

fn ymd(days: i32) -> (i32, u32, u32) {
    use chrono::Datelike;
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default();
    (d.year(), d.month(), d.day())
}

/// One incident: one real-world event, whatever the number of rows that
/// report it (keyed by its [`incident_hash`]).
#[derive(Debug, Clone, Copy)]
struct Incident {
    /// Its [`incident_hash`] as (high, low) halves (two u64, not a u128,
    /// so the struct keeps an 8-byte alignment).
    hash: [u64; 2],
    source: u32,
    target: u32,
    code: u32,
    date_start: i32,
    date_end: i32,
    /// The largest weight among the incident's reports.
    weight: f64,
    n_reports: u64,
}

/// [`Incidents`] as a shard set stores them (indices refer to `actors` and
/// `codes`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct IncidentsState {
    pub actors: Vec<String>,
    /// (code, QuadClass, Goldstein value as f64 bits)
    pub codes: Vec<(String, i32, u64)>,
    /// (actor, its top actor)
    pub top_of: Vec<[u32; 2]>,
    pub incidents: Vec<IncidentState>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IncidentState {
    /// The 128-bit incident hash as (high, low) halves.
    pub hash: [u64; 2],
    pub source: u32,
    pub target: u32,
    pub code: u32,
    pub date_start: i32,
    pub date_end: i32,
    pub weight_bits: u64,
    pub n_reports: u64,
}

/// The periods a row of the table sums over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Period {
    All,
    Year(i32),
    Month(i32, u32),
}

impl Period {
    fn granularity(self) -> &'static str {
        match self {
            Period::All => "all",
            Period::Year(_) => "year",
            Period::Month(..) => "month",
        }
    }

    fn label(self) -> String {
        match self {
            Period::All => "all".to_string(),
            Period::Year(y) => format!("{y:04}"),
            Period::Month(y, m) => format!("{y:04}-{m:02}"),
        }
    }

    /// The periods of an incident: all time; the year of its first day; and
    /// the month of its span when the span lies within one calendar month
    /// (an incident dated to a season, a year or an interval across months is
    /// not spread or guessed into a month).
    fn of(date_start: i32, date_end: i32) -> [Option<Period>; 3] {
        let (ys, ms, _) = ymd(date_start);
        let (ye, me, _) = ymd(date_end);
        let month = (ys == ye && ms == me).then_some(Period::Month(ys, ms));
        [Some(Period::All), Some(Period::Year(ys)), month]
    }
}

/// What the scores need to know of a CAMEO code.
#[derive(Debug, Clone, Copy)]
struct CodeFacts {
    quad_class: i32,
    goldstein_tenths: i64,
    goldstein: f64,
}

/// One scored event row, as the accumulator takes it.
#[derive(Debug, Clone, Copy)]
pub struct ScoredEvent<'a> {
    pub source_id: &'a str,
    pub target_id: Option<&'a str>,
    pub source_top_id: &'a str,
    pub target_top_id: Option<&'a str>,
    pub code: &'a str,
    pub quad_class: i32,
    pub goldstein: f64,
    pub mode: &'a str,
    pub confidence: f64,
    /// Days since 1970-01-01.
    pub date_start: i32,
    pub date_end: i32,
    /// The row's [`incident_hash`], computed once by the caller (the events
    /// table publishes the same value as `incident_id`).
    pub incident: u128,
}

/// The incidents of a corpus, accumulated event by event.
#[derive(Debug)]
pub struct Incidents {
    cfg: ScoreConfig,
    actors: Interner,
    codes: Interner,
    top_of: HashMap<u32, u32>,
    code_facts: HashMap<u32, CodeFacts>,
    /// Each incident's index in `incidents`, found by its hash (kept in the
    /// incident itself, so the table holds 4-byte indices, not 20-byte
    /// entries: a tenth of the memory of a map at 10 M events). The incidents
    /// live in a vector, so that finishing drops the index and keeps the
    /// incidents as they are (no second copy of the largest state of a run).
    index: hashbrown::HashTable<u32>,
    incidents: Vec<Incident>,
}

impl Incidents {
    pub fn new(cfg: &ScoreConfig) -> Self {
        Incidents {
            cfg: cfg.clone(),
            actors: Interner::default(),
            codes: Interner::default(),
            top_of: HashMap::default(),
            code_facts: HashMap::default(),
            index: hashbrown::HashTable::new(),
            incidents: Vec::new(),
        }
    }

    /// Room for `n` incidents (at most one per event row), so that the
    /// vector is not grown by doubling past what the corpus needs.
    pub fn reserve(&mut self, n: usize) {
        self.incidents.reserve_exact(n);
    }

    /// The incident of `hash`, made by `new` when it is not there yet.
    fn incident(&mut self, hash: u128, new: impl FnOnce() -> Incident) -> &mut Incident {
        let halves = [(hash >> 64) as u64, hash as u64];
        // the low half of a SHA-256 prefix is as good as a hasher's output
        let found = {
            let incidents = &self.incidents;
            let eq = |&i: &u32| incidents[i as usize].hash == halves;
            let rehash = |&i: &u32| incidents[i as usize].hash[1];
            match self.index.entry(halves[1], eq, rehash) {
                hashbrown::hash_table::Entry::Occupied(e) => Some(*e.get()),
                hashbrown::hash_table::Entry::Vacant(v) => {
                    // (the table grows, if it must, before this insert)
                    v.insert(incidents.len() as u32);
                    None
                }
            }
        };
        let i = match found {
            Some(i) => i as usize,
            None => {
                self.incidents.push(Incident { hash: halves, ..new() });
                self.incidents.len() - 1
            }
        };
        &mut self.incidents[i]
    }

    fn mode_weight(&self, mode: &str) -> f64 {
        let w = &self.cfg.mode_weight;
        match mode {
            "asserted" => w.asserted,
            "alleged" => w.alleged,
            "planned" => w.planned,
            _ => w.negated,
        }
    }

    /// Adds one published event row. Rows without a target, or whose target
    /// is their source, are not relationships and are left out.
    pub fn add(&mut self, e: &ScoredEvent) {
        let (Some(target_name), Some(target_top)) = (e.target_id, e.target_top_id) else { return };
        if target_name == e.source_id {
            return;
        }
        let source = self.actors.id(e.source_id);
        let target = self.actors.id(target_name);
        let source_top = self.actors.id(e.source_top_id);
        let target_top = self.actors.id(target_top);
        self.top_of.insert(source, source_top);
        self.top_of.insert(target, target_top);
        let code = self.codes.id(e.code);
        self.code_facts.entry(code).or_insert(CodeFacts {
            quad_class: e.quad_class,
            goldstein_tenths: Tenths::of(e.goldstein),
            goldstein: e.goldstein,
        });
        let weight = e.confidence * self.mode_weight(e.mode);
        let (date_start, date_end) = (e.date_start, e.date_end);
        let inc = self.incident(e.incident, || Incident {
            hash: [0; 2],
            source,
            target,
            code,
            date_start,
            date_end,
            weight,
            n_reports: 0,
        });
        inc.weight = inc.weight.max(weight);
        inc.n_reports += 1;
    }

    /// The accumulated incidents as a shard set stores them: the per-incident
    /// weights and report counts the scores are made of. Weights are kept as
    /// their bits, so they come back exactly.
    pub fn state(&self) -> IncidentsState {
        // actors and codes numbered in name order, so the state is the same
        // whatever order the events came in
        let (actor_rank, code_rank) = (ranks(&self.actors.names), ranks(&self.codes.names));
        let mut actors = vec![String::new(); actor_rank.len()];
        for (name, &r) in self.actors.names.iter().zip(&actor_rank) {
            actors[r as usize] = name.clone();
        }
        let mut codes = vec![(String::new(), 0, 0u64); code_rank.len()];
        for (c, (name, &r)) in self.codes.names.iter().zip(&code_rank).enumerate() {
            let f = self.code_facts.get(&(c as u32)).copied();
            codes[r as usize] = (name.clone(), f.map_or(0, |f| f.quad_class), f.map_or(0, |f| f.goldstein.to_bits()));
        }
        let mut top_of: Vec<[u32; 2]> =
            self.top_of.iter().map(|(a, t)| [actor_rank[*a as usize], actor_rank[*t as usize]]).collect();
        top_of.sort_unstable();
        let mut incidents: Vec<IncidentState> = self
            .incidents
            .iter()
            .map(|k| IncidentState {
                hash: k.hash,
                source: actor_rank[k.source as usize],
                target: actor_rank[k.target as usize],
                code: code_rank[k.code as usize],
                date_start: k.date_start,
                date_end: k.date_end,
                weight_bits: k.weight.to_bits(),
                n_reports: k.n_reports,
            })
            .collect();
        incidents.sort_unstable_by_key(|i| i.hash);
        IncidentsState { actors, codes, top_of, incidents }
    }

    /// Adds the incidents of another shard: an incident reported in several
    /// shards is one incident, with the largest weight and every report.
    pub fn absorb(&mut self, other: IncidentsState) -> std::result::Result<(), String> {
        let bad = |what: &str| format!("the incidents state names an unknown {what}");
        let actors: Vec<u32> = other.actors.iter().map(|a| self.actors.id(a)).collect();
        let actor = |i: u32| actors.get(i as usize).copied().ok_or_else(|| bad("actor"));
        let mut codes = Vec::with_capacity(other.codes.len());
        for (name, quad_class, goldstein_bits) in &other.codes {
            let c = self.codes.id(name);
            let goldstein = f64::from_bits(*goldstein_bits);
            self.code_facts.entry(c).or_insert(CodeFacts {
                quad_class: *quad_class,
                goldstein_tenths: Tenths::of(goldstein),
                goldstein,
            });
            codes.push(c);
        }
        for [a, t] in other.top_of {
            self.top_of.insert(actor(a)?, actor(t)?);
        }
        for i in other.incidents {
            let weight = f64::from_bits(i.weight_bits);
            let code = codes.get(i.code as usize).copied().ok_or_else(|| bad("code"))?;
            let hash = ((i.hash[0] as u128) << 64) | i.hash[1] as u128;
            let (source, target) = (actor(i.source)?, actor(i.target)?);
            let (date_start, date_end) = (i.date_start, i.date_end);
            let inc = self.incident(hash, || Incident {
                hash: [0; 2],
                source,
                target,
                code,
                date_start,
                date_end,
                weight,
                n_reports: 0,
            });
            inc.weight = inc.weight.max(weight);
            inc.n_reports += i.n_reports;
        }
        Ok(())
    }

    /// Adds the incidents of another accumulator (another shard's), as
    /// [`Incidents::absorb`] does with a stored state, without making one.
    pub fn absorb_from(&mut self, other: Incidents) {
        let actors: Vec<u32> = other.actors.names.iter().map(|a| self.actors.id(a)).collect();
        let codes: Vec<u32> = other.codes.names.iter().map(|c| self.codes.id(c)).collect();
        for (c, f) in other.code_facts {
            self.code_facts.entry(codes[c as usize]).or_insert(f);
        }
        for (a, t) in other.top_of {
            self.top_of.insert(actors[a as usize], actors[t as usize]);
        }
        for i in other.incidents {
            let hash = ((i.hash[0] as u128) << 64) | i.hash[1] as u128;
            let inc = self.incident(hash, || Incident {
                hash: i.hash,
                source: actors[i.source as usize],
                target: actors[i.target as usize],
                code: codes[i.code as usize],
                date_start: i.date_start,
                date_end: i.date_end,
                weight: i.weight,
                n_reports: 0,
            });
            inc.weight = inc.weight.max(i.weight);
            inc.n_reports += i.n_reports;
        }
    }

    /// The relationship_scores rows, in the table's sort order, handed to
    /// `emit` in chunks of at most `chunk` rows; returns the number of rows.
    ///
    /// The table is sorted by (level, directed, period, actor_a, actor_b) as
    /// published strings. Actors and periods are ranked once in that string
    /// order; then, for each level and direction in turn and each period in
    /// rank order, the incidents of that period are sorted by their dyad's
    /// ranks and summed run by run. Nothing the size of the table is held:
    /// only the incidents, their period lists, and one period's dyads at a
    /// time.
    pub fn finish(self, chunk: usize, mut emit: impl FnMut(ScoreRows) -> Result<()>) -> Result<usize> {
        const NONE: u32 = u32::MAX;
        let chunk = chunk.max(1);
        let actor_rank = ranks(&self.actors.names);
        let mut by_rank = vec![0u32; actor_rank.len()];
        for (id, &r) in actor_rank.iter().enumerate() {
            by_rank[r as usize] = id as u32;
        }
        let facts: Vec<CodeFacts> = (0..self.codes.names.len() as u32)
            .map(|c| {
                self.code_facts.get(&c).copied().unwrap_or(CodeFacts {
                    quad_class: 0,
                    goldstein_tenths: 0,
                    goldstein: 0.0,
                })
            })
            .collect();
        let mut top: Vec<u32> = (0..self.actors.names.len() as u32).collect();
        for (&a, &t) in &self.top_of {
            top[a as usize] = t;
        }
        drop(self.index);
        let incidents = self.incidents;
        // the periods, ranked by label; each incident's periods as ranks
        let mut periods: Vec<(String, Period)> = {
            let mut distinct: rustc_hash::FxHashSet<Period> = Default::default();
            for k in &incidents {
                distinct.extend(Period::of(k.date_start, k.date_end).into_iter().flatten());
            }
            distinct.into_iter().map(|p| (p.label(), p)).collect()
        };
        periods.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        let period_rank: HashMap<Period, u32> = periods.iter().enumerate().map(|(i, (_, p))| (*p, i as u32)).collect();
        // the incidents of each period, by period rank (compressed rows:
        // those of period p are members[start[p]..start[p + 1]])
        let of_incident: Vec<[u32; 3]> = incidents
            .iter()
            .map(|k| Period::of(k.date_start, k.date_end).map(|p| p.map_or(NONE, |p| period_rank[&p])))
            .collect();
        let mut start = vec![0u32; periods.len() + 1];
        for p in of_incident.iter().flatten().filter(|&&p| p != NONE) {
            start[*p as usize + 1] += 1;
        }
        for p in 0..periods.len() {
            start[p + 1] += start[p];
        }
        let mut fill = start.clone();
        let mut members = vec![0u32; start[periods.len()] as usize];
        for (i, ps) in of_incident.iter().enumerate() {
            for &p in ps.iter().filter(|&&p| p != NONE) {
                members[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        drop((of_incident, fill));

        let new_rows = || ScoreRows {
            names: self.actors.names.clone(),
            period_labels: periods.iter().map(|(label, _)| label.clone()).collect(),
            ..ScoreRows::default()
        };
        let mut rows = new_rows();
        rows.reserve(chunk.min(1 << 16));
        let mut total = 0;
        let mut dyads: Vec<(u32, u32, u32)> = Vec::new();
        let mut scratch: Vec<(u32, u32, u32)> = Vec::new();
        // "actor" < "top", false < true: the table's order
        for (level, name) in [(0u8, "actor"), (1u8, "top")] {
            for directed in [false, true] {
                for (p, (_, period)) in periods.iter().enumerate() {
                    dyads.clear();
                    for &i in &members[start[p] as usize..start[p + 1] as usize] {
                        let k = &incidents[i as usize];
                        let (a, b) = match level {
                            0 => (k.source, k.target),
                            _ => (top[k.source as usize], top[k.target as usize]),
                        };
                        // an actor's dealings with itself (a ministry with its
                        // own government, rolled up) are not a relationship
                        if a == b {
                            continue;
                        }
                        let (ra, rb) = (actor_rank[a as usize], actor_rank[b as usize]);
                        dyads.push(if directed || ra <= rb { (ra, rb, i) } else { (rb, ra, i) });
                    }
                    sort_dyads(&mut dyads, &mut scratch, actor_rank.len() as u64);
                    for run in dyads.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
                        let mut sums = DyadSums::default();
                        for &(.., i) in run {
                            let k = &incidents[i as usize];
                            sums.add(k, &facts[k.code as usize]);
                        }
                        let key = DyadKey {
                            level: name,
                            directed,
                            period: p as u32,
                            granularity: period.granularity(),
                            actor_a: by_rank[run[0].0 as usize],
                            actor_b: by_rank[run[0].1 as usize],
                        };
                        rows.push(key, &sums, self.cfg.shrinkage);
                        if rows.len() == chunk {
                            total += rows.len();
                            emit(std::mem::replace(&mut rows, new_rows()))?;
                            rows.reserve(chunk.min(1 << 16));
                        }
                    }
                }
            }
        }
        if !rows.is_empty() {
            total += rows.len();
            emit(rows)?;
        }
        Ok(total)
    }
}

/// Sorts (rank a, rank b, incident) triples, ranks below `n`, as
/// `sort_unstable` would (triples are distinct: an incident appears once).
/// Large periods are sorted by radix on (a, b), a stable sort of triples
/// that arrive with their incidents rising, so the order is the same.
fn sort_dyads(dyads: &mut Vec<(u32, u32, u32)>, scratch: &mut Vec<(u32, u32, u32)>, n: u64) {
    const BITS: u32 = 11;
    let keys = n.max(1) * n.max(1);
    if dyads.len() < 1 << 12 || !dyads.windows(2).all(|w| w[0].2 < w[1].2) {
        dyads.sort_unstable();
        return;
    }
    let key = |d: &(u32, u32, u32)| d.0 as u64 * n + d.1 as u64;
    let passes = (64 - keys.leading_zeros()).div_ceil(BITS);
    scratch.clear();
    scratch.resize(dyads.len(), (0, 0, 0));
    for pass in 0..passes {
        let shift = pass * BITS;
        let mut count = [0usize; 1 << BITS];
        for d in dyads.iter() {
            count[((key(d) >> shift) & ((1 << BITS) - 1)) as usize] += 1;
        }
        let mut at = 0;
        for c in count.iter_mut() {
            let k = *c;
            *c = at;
            at += k;
        }
        for d in dyads.iter() {
            let digit = ((key(d) >> shift) & ((1 << BITS) - 1)) as usize;
            scratch[count[digit]] = *d;
            count[digit] += 1;
        }
        std::mem::swap(dyads, scratch);
    }
}

/// Each string's rank in byte order: `ranks(v)[i] < ranks(v)[j]` exactly
/// when `v[i] < v[j]` (the strings are distinct).
fn ranks(names: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_unstable_by(|&x, &y| names[x as usize].cmp(&names[y as usize]));
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// The strings a column of indices stands for.
fn strings<'a>(ids: &[u32], of: &'a [String]) -> Vec<&'a str> {
    ids.iter().map(|&i| of[i as usize].as_str()).collect()
}

/// A row's key: the level, direction, period (an index into the rows'
/// period labels) and actors (indices into the rows' actor names).
#[derive(Debug, Clone, Copy)]
struct DyadKey {
    level: &'static str,
    directed: bool,
    period: u32,
    granularity: &'static str,
    actor_a: u32,
    actor_b: u32,
}

#[derive(Debug, Default, Clone)]
struct DyadSums {
    n_events: i64,
    n_reports: i64,
    quad: [i64; 4],
    goldstein: Tenths,
    weight: ExactSum,
    coop: ExactSum,
    conflict: ExactSum,
    first: Option<i32>,
    last: Option<i32>,
}

impl DyadSums {
    fn add(&mut self, inc: &Incident, facts: &CodeFacts) {
        self.n_events += 1;
        self.n_reports += inc.n_reports as i64;
        if (1..=4).contains(&facts.quad_class) {
            self.quad[facts.quad_class as usize - 1] += 1;
        }
        self.goldstein.add_tenths(facts.goldstein_tenths);
        self.weight.add(inc.weight);
        if facts.goldstein > 0.0 {
            self.coop.add(inc.weight * facts.goldstein / 10.0);
        } else if facts.goldstein < 0.0 {
            self.conflict.add(inc.weight * facts.goldstein / -10.0);
        }
        self.first = Some(self.first.map_or(inc.date_start, |f| f.min(inc.date_start)));
        self.last = Some(self.last.map_or(inc.date_end, |l| l.max(inc.date_end)));
    }
}

/// The relationship_scores table as columns, in sort order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ScoreRows {
    pub level: Vec<&'static str>,
    pub directed: Vec<bool>,
    /// Indices into `period_labels`.
    pub period: Vec<u32>,
    pub granularity: Vec<&'static str>,
    /// Indices into `names`.
    pub actor_a: Vec<u32>,
    pub actor_b: Vec<u32>,
    /// Each period's label, once; rows hold indices, so the table's strings
    /// are made only when the frame is built.
    pub period_labels: Vec<String>,
    /// Each actor's id, once.
    pub names: Vec<String>,
    pub n_events: Vec<i64>,
    pub n_reports: Vec<i64>,
    pub quad: [Vec<i64>; 4],
    pub goldstein_sum: Vec<f64>,
    pub goldstein_mean: Vec<f64>,
    pub weight_sum: Vec<f64>,
    pub coop_mass: Vec<f64>,
    pub conflict_mass: Vec<f64>,
    pub score: Vec<f64>,
    pub first_date: Vec<i32>,
    pub last_date: Vec<i32>,
}

impl ScoreRows {
    fn push(&mut self, k: DyadKey, s: &DyadSums, shrinkage: f64) {
        self.level.push(k.level);
        self.directed.push(k.directed);
        self.period.push(k.period);
        self.granularity.push(k.granularity);
        self.actor_a.push(k.actor_a);
        self.actor_b.push(k.actor_b);
        self.n_events.push(s.n_events);
        self.n_reports.push(s.n_reports);
        for (q, n) in self.quad.iter_mut().zip(s.quad) {
            q.push(n);
        }
        self.goldstein_sum.push(s.goldstein.value());
        self.goldstein_mean.push(s.goldstein.mean(s.n_events as u64));
        self.weight_sum.push(s.weight.value());
        let (c, k) = (s.coop.value(), s.conflict.value());
        self.coop_mass.push(c);
        self.conflict_mass.push(k);
        // C - K is taken exactly before it is rounded
        self.score.push(s.coop.minus(s.conflict).value() / (c + k + shrinkage));
        self.first_date.push(s.first.unwrap_or_default());
        self.last_date.push(s.last.unwrap_or_default());
    }

    pub fn len(&self) -> usize {
        self.level.len()
    }

    /// Room for `n` more rows in every column, so the columns are allocated
    /// once at their final size.
    fn reserve(&mut self, n: usize) {
        self.level.reserve_exact(n);
        self.directed.reserve_exact(n);
        self.period.reserve_exact(n);
        self.granularity.reserve_exact(n);
        self.actor_a.reserve_exact(n);
        self.actor_b.reserve_exact(n);
        self.n_events.reserve_exact(n);
        self.n_reports.reserve_exact(n);
        for q in &mut self.quad {
            q.reserve_exact(n);
        }
        for v in [
            &mut self.goldstein_sum,
            &mut self.goldstein_mean,
            &mut self.weight_sum,
            &mut self.coop_mass,
            &mut self.conflict_mass,
            &mut self.score,
        ] {
            v.reserve_exact(n);
        }
        self.first_date.reserve_exact(n);
        self.last_date.reserve_exact(n);
    }

    pub fn is_empty(&self) -> bool {
        self.level.is_empty()
    }

    /// The rows as a frame of the relationship_scores schema.
    pub fn into_frame(self) -> Result<DataFrame> {
        let height = self.len();
        let quad_names = ["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"];
        let mut cols = vec![
            Column::new("level".into(), self.level),
            Column::new("directed".into(), self.directed),
            Column::new("period".into(), strings(&self.period, &self.period_labels)),
            Column::new("granularity".into(), self.granularity),
            Column::new("actor_a".into(), strings(&self.actor_a, &self.names)),
            Column::new("actor_b".into(), strings(&self.actor_b, &self.names)),
            Column::new("n_events".into(), self.n_events),
            Column::new("n_reports".into(), self.n_reports),
        ];
        for (name, q) in quad_names.iter().zip(self.quad) {
            cols.push(Column::new((*name).into(), q));
        }
        for (name, v) in [
            ("goldstein_sum", self.goldstein_sum),
            ("goldstein_mean", self.goldstein_mean),
            ("weight_sum", self.weight_sum),
            ("coop_mass", self.coop_mass),
            ("conflict_mass", self.conflict_mass),
            ("score", self.score),
        ] {
            cols.push(Column::new(name.into(), v));
        }
        for (name, v) in [("first_date", self.first_date), ("last_date", self.last_date)] {
            cols.push(Column::new(name.into(), v).cast(&DataType::Date).map_err(Error::polars("score"))?);
        }
        DataFrame::new(height, cols).map_err(Error::polars("score"))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edtf::{epoch_days, resolve};

    fn span(edtf: &str) -> (i32, i32) {
        let d = resolve(edtf).unwrap();
        (epoch_days(d.first), epoch_days(d.last))
    }

    proptest::proptest! {
        #[test]
        fn dyads_sort_as_sort_unstable_would(
            n in 1u64..5000,
            len in 0usize..20_000,
            seed in proptest::prelude::any::<u64>(),
        ) {
            let mut state = seed | 1;
            let mut next = |m: u64| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % m) as u32
            };
            // incidents rising, as a period lists them
            let mut dyads: Vec<(u32, u32, u32)> =
                (0..len as u32).map(|i| (next(n), next(n), i * 3 + next(3))).collect();
            let mut expected = dyads.clone();
            expected.sort_unstable();
            sort_dyads(&mut dyads, &mut Vec::new(), n);
            proptest::prop_assert_eq!(dyads, expected);
        }
    }

    #[test]
    fn the_incident_key_is_the_documented_text_and_its_id_the_hash() {
        let (s, e) = span("2022-02-24/2025-07-06");
        assert_eq!(
            incident_key("IRN", Some("RUS"), "072", s, e),
            "IRN\u{1f}RUS\u{1f}072\u{1f}2022-02-24\u{1f}2025-07-06"
        );
        assert_eq!(incident_key("RUS", None, "010", s, s), "RUS\u{1f}\u{1f}010\u{1f}2022-02-24\u{1f}2022-02-24");
        let id = incident_id("IRN", Some("RUS"), "072", s, e);
        assert_eq!(id, crate::digest::sha256_hex(incident_key("IRN", Some("RUS"), "072", s, e).as_bytes())[..32]);
        assert_eq!(id, format!("{:032x}", incident_hash("IRN", Some("RUS"), "072", s, e)));
        // every field is part of the identity
        assert_ne!(id, incident_id("RUS", Some("IRN"), "072", s, e));
        assert_ne!(id, incident_id("IRN", Some("RUS"), "0721", s, e));
        assert_ne!(id, incident_id("IRN", Some("RUS"), "072", s, e - 1));
        assert_ne!(incident_id("A", Some("B"), "01", s, s), incident_id("A", None, "01", s, s));
        // the key's days written in place are the key's days, far years too
        for days in [s, e, 0, -1, -800_000, 3_000_000] {
            assert_eq!(iso_day_in(days, &mut [0; 16]), iso_day(days).as_bytes());
        }
        let far = -800_000;
        assert_eq!(
            format!("{:032x}", incident_hash("A", None, "01", far, far)),
            crate::digest::sha256_hex(incident_key("A", None, "01", far, far).as_bytes())[..32]
        );
    }

    #[test]
    fn an_incident_counts_in_a_month_only_when_the_month_holds_its_whole_span() {
        let periods = |edtf: &str| {
            let (s, e) = span(edtf);
            Period::of(s, e).into_iter().flatten().map(Period::label).collect::<Vec<_>>()
        };
        assert_eq!(periods("2025-07-03"), ["all", "2025", "2025-07"]);
        assert_eq!(periods("2025-05"), ["all", "2025", "2025-05"]);
        assert_eq!(periods("2025-05-21/2025-05-31"), ["all", "2025", "2025-05"]);
        assert_eq!(periods("2025-02~"), ["all", "2025", "2025-02"]);
        assert_eq!(periods("2025-06-27/2025-07-01"), ["all", "2025"], "an interval across months");
        assert_eq!(periods("2024-24"), ["all", "2024"], "a winter runs into the next year: the first day's year");
        assert_eq!(periods("2025-21"), ["all", "2025"], "a season");
        assert_eq!(periods("2025"), ["all", "2025"], "a year");
        assert_eq!(Period::of(0, 0)[2].map(Period::granularity), Some("month"));
    }
}
