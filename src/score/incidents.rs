//! The accumulator of stage 3b: event rows in, one compact entry per
//! incident kept ([`Incidents`]); its stored form in a shard set
//! ([`IncidentsState`]); and the merging of the incidents of several shards.

use super::exact::Tenths;
use crate::config::ScoreConfig;
use rustc_hash::FxHashMap as HashMap;

/// Interns strings as dense u32 ids.
#[derive(Debug, Default)]
pub(super) struct Interner {
    ids: HashMap<String, u32>,
    pub(super) names: Vec<String>,
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

/// One incident: one real-world event, whatever the number of rows that
/// report it. Its key (source, target, code, first and last day) is its
/// identity, held as interned ids: the key [`incident_hash`] digests, with
/// no hash kept beside it.
///
/// [`incident_hash`]: super::incident_hash
#[derive(Debug, Clone, Copy)]
pub(super) struct Incident {
    pub(super) source: u32,
    pub(super) target: u32,
    pub(super) code: u32,
    pub(super) date_start: i32,
    pub(super) date_end: i32,
    /// The largest weight among the incident's reports.
    pub(super) weight: f64,
    /// Reports of the incident (a u32: the struct is then 32 bytes, not 40;
    /// no corpus has 4 billion reports of one incident).
    pub(super) n_reports: u32,
}

/// An incident's key: source, target, code, first and last day.
type Key = (u32, u32, u32, i32, i32);

impl Incident {
    fn key(&self) -> Key {
        (self.source, self.target, self.code, self.date_start, self.date_end)
    }
}

/// The hash of an incident's key in the index.
fn key_hash(k: &Key) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(k)
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
    pub source: u32,
    pub target: u32,
    pub code: u32,
    pub date_start: i32,
    pub date_end: i32,
    pub weight_bits: u64,
    pub n_reports: u64,
}

/// What the scores need to know of a CAMEO code.
#[derive(Debug, Clone, Copy)]
pub(super) struct CodeFacts {
    pub(super) quad_class: i32,
    pub(super) goldstein_tenths: i64,
    pub(super) goldstein: f64,
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
}

/// The incidents of a corpus, accumulated event by event.
#[derive(Debug)]
pub struct Incidents {
    pub(super) cfg: ScoreConfig,
    pub(super) actors: Interner,
    pub(super) codes: Interner,
    pub(super) top_of: HashMap<u32, u32>,
    pub(super) code_facts: HashMap<u32, CodeFacts>,
    /// Each incident's index in `incidents`, found by its key (read from the
    /// incident itself, so the table holds 4-byte indices, not 24-byte
    /// entries). The incidents live in a vector, so that finishing drops the
    /// index and keeps the incidents as they are (no second copy of the
    /// largest state of a run).
    pub(super) index: hashbrown::HashTable<u32>,
    pub(super) incidents: Vec<Incident>,
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

    /// The incident of `new`'s key, made from `new` when it is not there
    /// yet (with no reports).
    fn incident(&mut self, new: Incident) -> &mut Incident {
        let key = new.key();
        let found = {
            let incidents = &self.incidents;
            let eq = |&i: &u32| incidents[i as usize].key() == key;
            let rehash = |&i: &u32| key_hash(&incidents[i as usize].key());
            match self.index.entry(key_hash(&key), eq, rehash) {
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
                self.incidents.push(Incident { n_reports: 0, ..new });
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
        let inc = self.incident(Incident { source, target, code, date_start, date_end, weight, n_reports: 0 });
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
                source: actor_rank[k.source as usize],
                target: actor_rank[k.target as usize],
                code: code_rank[k.code as usize],
                date_start: k.date_start,
                date_end: k.date_end,
                weight_bits: k.weight.to_bits(),
                n_reports: k.n_reports as u64,
            })
            .collect();
        incidents.sort_unstable_by_key(|i| (i.source, i.target, i.code, i.date_start, i.date_end));
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
            let (source, target) = (actor(i.source)?, actor(i.target)?);
            let (date_start, date_end) = (i.date_start, i.date_end);
            let inc = self.incident(Incident { source, target, code, date_start, date_end, weight, n_reports: 0 });
            inc.weight = inc.weight.max(weight);
            inc.n_reports += u32::try_from(i.n_reports).map_err(|_| bad("number of reports"))?;
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
            let inc = self.incident(Incident {
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
}

/// Each string's rank in byte order: `ranks(v)[i] < ranks(v)[j]` exactly
/// when `v[i] < v[j]` (the strings are distinct).
pub(super) fn ranks(names: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_unstable_by(|&x, &y| names[x as usize].cmp(&names[y as usize]));
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_incident_takes_32_bytes() {
        // the largest state of a run: one entry per incident (8.6 M at 10 M
        // events); a field added here costs its size times that
        assert_eq!(std::mem::size_of::<Incident>(), 32);
    }
}
