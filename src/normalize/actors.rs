//! Where actor hierarchies are resolved: unique ids, parents that exist, no
//! cycles, and each actor's `top_id` (the root of its parent chain).

use crate::ingest::records::Actor;
use crate::ledger::{Ledger, RowSrc};
use crate::rules::Rule;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NActor {
    pub src: RowSrc,
    pub actor_id: String,
    pub name: String,
    pub actor_type: String,
    pub country: Option<String>,
    pub parent_id: Option<String>,
    pub top_id: String,
    /// Steps from the actor to its top (0 for a top actor).
    pub depth: usize,
    pub aliases: Vec<String>,
    pub notes: Option<String>,
}

/// Follows parent links from `id`; Err(cycle) when the chain loops.
fn chain(id: &str, parent: &HashMap<&str, Option<&str>>) -> Result<Vec<String>, Vec<String>> {
    let mut path = vec![id.to_string()];
    let mut cur = id;
    while let Some(Some(p)) = parent.get(cur) {
        if let Some(pos) = path.iter().position(|x| x == p) {
            return Err(path[pos..].to_vec());
        }
        path.push(p.to_string());
        cur = p;
    }
    Ok(path)
}

/// Resolves the actors table: the first row of each id, then only actors
/// whose parent chain reaches a top, each with its top and depth, by id.
pub fn run(rows: Vec<Actor>, ledger: &mut Ledger) -> Vec<NActor> {
    let unique = first_of_each_id(rows, ledger);
    let alive = with_sound_chains(unique, ledger);
    with_tops(alive)
}

/// Step 1, unique ids: the first row of an id wins.
fn first_of_each_id(rows: Vec<Actor>, ledger: &mut Ledger) -> Vec<Actor> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut unique = Vec::new();
    for a in rows {
        if let Some(line) = first_line.get(&a.actor_id) {
            let p = a
                .src
                .problem(
                    Rule::DuplicateKey,
                    Some("actor_id"),
                    format!("actor `{}` is already defined on line {line}", a.actor_id),
                )
                .hint("merge the two rows (put the extra spellings in `aliases`) or give this actor another id");
            ledger.check_row(&a.src, vec![p]);
        } else {
            first_line.insert(a.actor_id.clone(), a.src.line);
            unique.push(a);
        }
    }
    unique
}

/// An actor to reject: its id, the rule, the message and the hint.
type Broken = (String, Rule, String, String);

/// Step 2, parents must exist and chains must end: actors are rejected until
/// nothing changes.
fn with_sound_chains(unique: Vec<Actor>, ledger: &mut Ledger) -> BTreeMap<String, Actor> {
    let mut alive: BTreeMap<String, Actor> = unique.into_iter().map(|a| (a.actor_id.clone(), a)).collect();
    loop {
        let bad = broken(&alive);
        if bad.is_empty() {
            break;
        }
        for (id, rule, msg, hint) in bad {
            if let Some(a) = alive.remove(&id) {
                let p = a.src.problem(rule, Some("parent"), msg).hint(hint);
                ledger.check_row(&a.src, vec![p]);
            }
        }
    }
    alive
}

/// The actors, in id order, whose parent is not among `alive` or whose
/// parent chain loops back to them.
fn broken(alive: &BTreeMap<String, Actor>) -> Vec<Broken> {
    let parent: HashMap<&str, Option<&str>> = alive.iter().map(|(k, a)| (k.as_str(), a.parent.as_deref())).collect();
    let mut bad: Vec<Broken> = Vec::new();
    for (id, a) in alive {
        if let Some(p) = &a.parent {
            if !alive.contains_key(p) {
                bad.push((
                    id.clone(),
                    Rule::UnknownParent,
                    format!("parent `{p}` of `{id}` is not a published actor"),
                    unknown_parent_hint(p, alive),
                ));
                continue;
            }
        }
        if let Err(cycle) = chain(id, &parent) {
            if cycle.contains(id) {
                let mut shown = cycle.clone();
                shown.push(cycle[0].clone());
                bad.push((
                    id.clone(),
                    Rule::ParentCycle,
                    format!("the parent chain loops: {}", shown.join(" -> ")),
                    "break the loop: one actor of the chain must have another parent or none".into(),
                ));
            }
        }
    }
    bad
}

/// The hint for a parent that is not an actor: the closest actor id, if one
/// is close.
fn unknown_parent_hint(p: &str, alive: &BTreeMap<String, Actor>) -> String {
    match alive
        .keys()
        .map(|k| (strsim::jaro_winkler(p, k), k))
        .filter(|(s, _)| *s > 0.85)
        .max_by(|x, y| x.0.total_cmp(&y.0))
    {
        Some((_, k)) => format!("did you mean `{k}`? the parent must be the actor_id of a published actor"),
        None => "add the parent actor, or leave `parent` empty for a top-level actor".into(),
    }
}

/// Step 3, tops: each actor with the root of its chain and its depth, by id.
fn with_tops(alive: BTreeMap<String, Actor>) -> Vec<NActor> {
    let parent: HashMap<&str, Option<&str>> = alive.iter().map(|(k, a)| (k.as_str(), a.parent.as_deref())).collect();
    let tops: HashMap<String, (String, usize)> = alive
        .keys()
        .map(|id| {
            let c = chain(id, &parent).expect("cycles were rejected");
            (id.clone(), (c.last().expect("a chain holds its start").clone(), c.len() - 1))
        })
        .collect();
    let mut out: Vec<NActor> = alive
        .into_values()
        .map(|a| {
            let (top_id, depth) = tops[&a.actor_id].clone();
            NActor {
                src: a.src,
                top_id,
                depth,
                parent_id: a.parent,
                actor_id: a.actor_id,
                name: a.name,
                actor_type: a.actor_type,
                country: a.country,
                aliases: a.aliases,
                notes: a.notes,
            }
        })
        .collect();
    out.sort_by(|a, b| a.actor_id.cmp(&b.actor_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::problem::Table;
    use std::sync::Arc;

    fn actor(id: &str, parent: Option<&str>, line: u64) -> Actor {
        Actor {
            src: RowSrc {
                table: Table::Actors,
                file: "a.csv".into(),
                rel_file: "a.csv".into(),
                line,
                header: Arc::from(vec!["actor_id".to_string(), "parent".to_string()]),
                fields: Default::default(),
            },
            actor_id: id.into(),
            name: id.into(),
            actor_type: "state".into(),
            country: None,
            parent: parent.map(Into::into),
            aliases: vec![],
            notes: None,
        }
    }

    #[test]
    fn tops_and_depths_follow_the_chain() {
        let mut l = Ledger::new(&Config::default());
        let out = run(
            vec![actor("RUS.LAVROV", Some("RUS.MFA"), 4), actor("RUS.MFA", Some("RUS"), 3), actor("RUS", None, 2)],
            &mut l,
        );
        let got: Vec<(&str, &str, usize)> =
            out.iter().map(|a| (a.actor_id.as_str(), a.top_id.as_str(), a.depth)).collect();
        assert_eq!(got, vec![("RUS", "RUS", 0), ("RUS.LAVROV", "RUS", 2), ("RUS.MFA", "RUS", 1)]);
        assert!(l.rejects.is_empty());
    }

    #[test]
    fn cycles_missing_parents_and_duplicates_are_rejected_with_their_dependants() {
        let mut l = Ledger::new(&Config::default());
        let out = run(
            vec![
                actor("A", Some("B"), 2),
                actor("B", Some("A"), 3),
                actor("C", Some("A"), 4),
                actor("D", Some("NOPE"), 5),
                actor("E", None, 6),
                actor("E", None, 7),
            ],
            &mut l,
        );
        assert_eq!(out.iter().map(|a| a.actor_id.as_str()).collect::<Vec<_>>(), vec!["E"]);
        let mut rej: Vec<(u64, Rule)> = l.rejects.iter().map(|r| (r.src.line, r.rule)).collect();
        rej.sort();
        assert_eq!(
            rej,
            vec![
                (2, Rule::ParentCycle),
                (3, Rule::ParentCycle),
                (4, Rule::UnknownParent),
                (5, Rule::UnknownParent),
                (7, Rule::DuplicateKey)
            ]
        );
        let cyc = l.problems.iter().find(|p| p.rule == Rule::ParentCycle).unwrap();
        assert!(cyc.message.contains("A -> B -> A"), "{}", cyc.message);
    }

    #[test]
    fn self_parent_is_a_cycle() {
        let mut l = Ledger::new(&Config::default());
        assert!(run(vec![actor("A", Some("A"), 2)], &mut l).is_empty());
        assert_eq!(l.rejects[0].rule, Rule::ParentCycle);
    }
}
