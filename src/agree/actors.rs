//! Actors of two readings matched: by id first, then by a name or alias of
//! one that names exactly one actor of the other (folded as labels are:
//! case, accents and surrounding white space ignored). The second reading's
//! ids are then read in the first's terms, so that events compare.

use super::load::Reading;
use crate::normalize::labels::fold_label;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How the actors of B were matched to those of A.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ActorMatch {
    /// B's id -> A's id, for every matched actor.
    #[serde(skip)]
    pub b_to_a: BTreeMap<String, String>,
    /// A's actor -> its parent, for the parent chains.
    #[serde(skip)]
    pub parent: BTreeMap<String, String>,
    pub a_actors: usize,
    pub b_actors: usize,
    pub matched_by_id: usize,
    /// (A's id, B's id) of actors matched by a name or alias.
    pub matched_by_label: Vec<(String, String)>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

impl ActorMatch {
    pub fn of(a: &Reading, b: &Reading) -> ActorMatch {
        let a_ids: BTreeSet<&str> = a.actors.iter().map(|x| x.actor_id.as_str()).collect();
        // folded label -> A's actors that carry it
        let mut a_labels: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for x in &a.actors {
            for l in labels(x) {
                a_labels.entry(l).or_default().insert(x.actor_id.as_str());
            }
        }
        let mut m = ActorMatch { a_actors: a.actors.len(), b_actors: b.actors.len(), ..Default::default() };
        let mut taken: BTreeSet<&str> = BTreeSet::new();
        for y in &b.actors {
            if a_ids.contains(y.actor_id.as_str()) {
                m.b_to_a.insert(y.actor_id.clone(), y.actor_id.clone());
                taken.insert(a_ids.get(y.actor_id.as_str()).copied().unwrap_or_default());
                m.matched_by_id += 1;
            }
        }
        for y in &b.actors {
            if m.b_to_a.contains_key(&y.actor_id) {
                continue;
            }
            // the A actors any of y's labels names, not taken by id already
            let mut found: BTreeSet<&str> = BTreeSet::new();
            for l in labels(y) {
                if let Some(ids) = a_labels.get(&l) {
                    found.extend(ids.iter().copied().filter(|i| !taken.contains(i)));
                }
            }
            if found.len() == 1 {
                let x = *found.iter().next().unwrap_or(&"");
                taken.insert(x);
                m.b_to_a.insert(y.actor_id.clone(), x.to_string());
                m.matched_by_label.push((x.to_string(), y.actor_id.clone()));
            } else {
                m.only_b.push(y.actor_id.clone());
            }
        }
        m.only_a = a_ids.iter().filter(|i| !taken.contains(*i)).map(|i| i.to_string()).collect();
        m.parent = a.actors.iter().filter_map(|x| Some((x.actor_id.clone(), x.parent_id.clone()?))).collect();
        // B's own parents, for B's actors that have no counterpart in A
        for y in &b.actors {
            let id = m.in_a(&y.actor_id);
            if let (false, Some(p)) = (m.parent.contains_key(&id), &y.parent_id) {
                let p = m.in_a(p);
                m.parent.insert(id, p);
            }
        }
        m
    }

    /// A B actor's id in A's terms: A's id when matched, else its own,
    /// marked so that it equals no A id.
    pub fn in_a(&self, b_id: &str) -> String {
        match self.b_to_a.get(b_id) {
            Some(a) => a.clone(),
            None => format!("{b_id} (B)"),
        }
    }

    /// 1 for the same actor, 1/2 when one stands in the other's parent
    /// chain, else 0 (both in A's terms; no actor on either side is 1).
    pub fn similarity(&self, x: Option<&str>, y: Option<&str>) -> f64 {
        match (x, y) {
            (None, None) => 1.0,
            (Some(x), Some(y)) if x == y => 1.0,
            (Some(x), Some(y)) if self.ancestor(x, y) || self.ancestor(y, x) => 0.5,
            _ => 0.0,
        }
    }

    /// True when `anc` stands in `id`'s parent chain.
    fn ancestor(&self, anc: &str, id: &str) -> bool {
        let mut cur = id;
        // a chain is at most as long as there are actors (no cycles remain
        // after normalization; the bound keeps a bad table from looping)
        for _ in 0..=self.parent.len() {
            match self.parent.get(cur) {
                Some(p) if p == anc => return true,
                Some(p) => cur = p,
                None => return false,
            }
        }
        false
    }
}

/// An actor's name and aliases, folded (its id is matched apart).
fn labels(x: &crate::normalize::NActor) -> Vec<String> {
    std::iter::once(&x.name).chain(x.aliases.iter()).map(|l| fold_label(l)).filter(|l| !l.is_empty()).collect()
}
