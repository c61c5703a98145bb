//! The finishing pass of stage 3b: the accumulated incidents summed per
//! dyad, level, direction and period into the relationship_scores rows, in
//! the table's sort order, handed on in chunks.

use super::incidents::{ranks, CodeFacts, Incident, Incidents};
use super::period::Period;
use super::rows::{DyadKey, DyadSums, ScoreRows};
use crate::problem::Result;
use rustc_hash::FxHashMap as HashMap;

impl Incidents {
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
        let chunk = chunk.max(1);
        let f = Finishing::new(self);
        let mut rows = f.new_rows();
        rows.reserve(chunk.min(1 << 16));
        let mut total = 0;
        let mut dyads: Vec<(u32, u32, u32)> = Vec::new();
        let mut scratch: Vec<(u32, u32, u32)> = Vec::new();
        // "actor" < "top", false < true: the table's order
        for (level, name) in [(0u8, "actor"), (1u8, "top")] {
            for directed in [false, true] {
                for (p, (_, period)) in f.periods.iter().enumerate() {
                    f.dyads(level, directed, p, &mut dyads);
                    sort_dyads(&mut dyads, &mut scratch, f.actor_rank.len() as u64);
                    for run in dyads.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
                        let sums = f.sums(run);
                        let key = DyadKey {
                            level: name,
                            directed,
                            period: p as u32,
                            granularity: period.granularity(),
                            bounds: period.bounds(),
                            actor_a: f.by_rank[run[0].0 as usize],
                            actor_b: f.by_rank[run[0].1 as usize],
                        };
                        rows.push(key, &sums, f.shrinkage);
                        if rows.len() == chunk {
                            total += rows.len();
                            emit(std::mem::replace(&mut rows, f.new_rows()))?;
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

/// What the finishing pass reads: the incidents (their index dropped), each
/// code's facts, each actor's top actor and rank, and the incidents of each
/// period.
struct Finishing {
    incidents: Vec<Incident>,
    /// Each code's facts, by code id.
    facts: Vec<CodeFacts>,
    /// Each actor's top actor, by actor id.
    top: Vec<u32>,
    /// Each actor's rank in the order of the ids as strings, by actor id.
    actor_rank: Vec<u32>,
    /// The actor of each rank.
    by_rank: Vec<u32>,
    /// Each actor's id, by actor id.
    names: Vec<String>,
    /// The periods, ranked by label.
    periods: Vec<(String, Period)>,
    /// The incidents of period rank p are `members[start[p]..start[p + 1]]`.
    start: Vec<u32>,
    members: Vec<u32>,
    shrinkage: f64,
}

impl Finishing {
    fn new(inc: Incidents) -> Self {
        let actor_rank = ranks(&inc.actors.names);
        let mut by_rank = vec![0u32; actor_rank.len()];
        for (id, &r) in actor_rank.iter().enumerate() {
            by_rank[r as usize] = id as u32;
        }
        let facts = code_facts(&inc);
        let top = top_actors(&inc);
        drop(inc.index);
        let incidents = inc.incidents;
        let (periods, start, members) = period_members(&incidents);
        Finishing {
            incidents,
            facts,
            top,
            actor_rank,
            by_rank,
            names: inc.actors.names,
            periods,
            start,
            members,
            shrinkage: inc.cfg.shrinkage,
        }
    }

    /// An empty chunk of rows, with the actors' ids and the periods' labels.
    fn new_rows(&self) -> ScoreRows {
        ScoreRows {
            names: self.names.clone(),
            period_labels: self.periods.iter().map(|(label, _)| label.clone()).collect(),
            ..ScoreRows::default()
        }
    }

    /// The dyads of the incidents of period rank `p` into `dyads`, as (rank
    /// a, rank b, incident): of actors (`level` 0) or of their top actors
    /// (1), the lower rank first unless `directed`.
    #[inline]
    fn dyads(&self, level: u8, directed: bool, p: usize, dyads: &mut Vec<(u32, u32, u32)>) {
        dyads.clear();
        for &i in &self.members[self.start[p] as usize..self.start[p + 1] as usize] {
            let k = &self.incidents[i as usize];
            let (a, b) = match level {
                0 => (k.source, k.target),
                _ => (self.top[k.source as usize], self.top[k.target as usize]),
            };
            // an actor's dealings with itself (a ministry with its
            // own government, rolled up) are not a relationship
            if a == b {
                continue;
            }
            let (ra, rb) = (self.actor_rank[a as usize], self.actor_rank[b as usize]);
            dyads.push(if directed || ra <= rb { (ra, rb, i) } else { (rb, ra, i) });
        }
    }

    /// The sums of a run of one dyad's incidents.
    #[inline]
    fn sums(&self, run: &[(u32, u32, u32)]) -> DyadSums {
        let mut sums = DyadSums::default();
        for &(.., i) in run {
            let k = &self.incidents[i as usize];
            sums.add(k, &self.facts[k.code as usize]);
        }
        sums
    }
}

/// Each code's facts, by code id (a code without facts, none in practice,
/// counts as neither cooperative nor conflictual).
fn code_facts(inc: &Incidents) -> Vec<CodeFacts> {
    (0..inc.codes.names.len() as u32)
        .map(|c| {
            inc.code_facts.get(&c).copied().unwrap_or(CodeFacts { quad_class: 0, goldstein_tenths: 0, goldstein: 0.0 })
        })
        .collect()
}

/// Each actor's top actor, by actor id (an actor is its own when none is
/// known).
fn top_actors(inc: &Incidents) -> Vec<u32> {
    let mut top: Vec<u32> = (0..inc.actors.names.len() as u32).collect();
    for (&a, &t) in &inc.top_of {
        top[a as usize] = t;
    }
    top
}

/// The periods of the incidents, ranked by label, and the incidents of each
/// period by period rank, as compressed rows (`start`, `members`): those of
/// period p are `members[start[p]..start[p + 1]]`.
fn period_members(incidents: &[Incident]) -> (Vec<(String, Period)>, Vec<u32>, Vec<u32>) {
    const NONE: u32 = u32::MAX;
    // the periods, ranked by label; each incident's periods as ranks
    let mut periods: Vec<(String, Period)> = {
        let mut distinct: rustc_hash::FxHashSet<Period> = Default::default();
        for k in incidents {
            distinct.extend(Period::of(k.date_start, k.date_end).into_iter().flatten());
        }
        distinct.into_iter().map(|p| (p.label(), p)).collect()
    };
    periods.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    let period_rank: HashMap<Period, u32> = periods.iter().enumerate().map(|(i, (_, p))| (*p, i as u32)).collect();
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
    (periods, start, members)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
