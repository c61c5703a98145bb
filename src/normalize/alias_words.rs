//! Aliases too generic to name one actor: an alias that folds to a common
//! word of French or English (the stop-word lists of the `stop-words` crate,
//! folded like labels), or a one-word alias that is a word of another
//! actor's longer label (`Hussein` when another actor is `Hussein Safarov`). Such an
//! alias still resolves, so the row is kept; the warning asks the annotator
//! to move a form that only one article uses to `mentions.csv`.
//!
//! Not reported: a word of the label of an actor in the same parent chain
//! (`US` inside `US forces`, a child of `USA`), and a state's own labels
//! inside other actors' names (`Baku` in `Russian ambassador in Baku`): a
//! country or capital name is part of many organisations' names by design.

use super::labels::fold_label;
use super::NActor;
use crate::problem::Problem;
use crate::rules::Rule;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The languages whose common words no alias may be.
const LANGUAGES: [(&str, &str); 2] = [("en", "English"), ("fr", "French")];

/// Aliases of more words than this are not looked up inside longer labels:
/// a one-word alias (a bare first name or surname) is what names another
/// actor by mistake; longer ones are legitimate names of their own, inside
/// a label (`Sudan government` in `South Sudan government`) and at its start
/// alike, since French puts the qualifier last (`gouvernement du Soudan`,
/// `gouvernement du Soudan du Sud`).
const MAX_WORDS: usize = 1;

/// Folded stop word -> the language it comes from (first in `LANGUAGES`).
fn common_words() -> &'static HashMap<String, &'static str> {
    static WORDS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut m = HashMap::new();
        for (code, name) in LANGUAGES {
            for w in stop_words::get(code) {
                let f = fold_label(w);
                if !f.is_empty() {
                    m.entry(f).or_insert(name);
                }
            }
        }
        m
    })
}

/// Whether `label` folds to a common French or English word.
pub fn is_common_word(label: &str) -> bool {
    common_words().contains_key(&fold_label(label))
}

/// The words of a folded label: runs of letters and digits.
fn words(folded: &str) -> Vec<&str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect()
}

/// Checks every alias of every actor; one warning per offending alias, on
/// the actor's row and its `aliases` column.
pub fn check(actors: &[NActor]) -> Vec<(usize, Problem)> {
    let stop = common_words();
    let parent: HashMap<&str, Option<&str>> =
        actors.iter().map(|a| (a.actor_id.as_str(), a.parent_id.as_deref())).collect();
    let ancestors = |id: &str| -> HashSet<&str> {
        let mut out = HashSet::new();
        let mut cur = parent.get(id).copied().flatten();
        while let Some(p) = cur {
            if !out.insert(p) {
                break;
            }
            cur = parent.get(p).copied().flatten();
        }
        out
    };
    // every proper run of up to MAX_WORDS words of a longer label -> (actor index, label)
    let mut parts: HashMap<Vec<String>, Vec<(usize, &str)>> = HashMap::new();
    for (i, a) in actors.iter().enumerate() {
        for label in std::iter::once(&a.name).chain(a.aliases.iter()) {
            let folded = fold_label(label);
            let ws = words(&folded);
            let mut seen = HashSet::new();
            for n in 1..ws.len().min(MAX_WORDS + 1) {
                for run in ws.windows(n) {
                    let key: Vec<String> = run.iter().map(|w| w.to_string()).collect();
                    if seen.insert(key.clone()) {
                        parts.entry(key).or_default().push((i, label.as_str()));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for (i, a) in actors.iter().enumerate() {
        let mine = ancestors(&a.actor_id);
        for alias in &a.aliases {
            let folded = fold_label(alias);
            if let Some(lang) = stop.get(&folded) {
                let p = a
                    .src
                    .problem(
                        Rule::GenericAlias,
                        Some("aliases"),
                        format!("alias `{}` of {} folds to `{folded}`, a common {lang} word", alias.trim(), a.actor_id),
                    )
                    .hint(
                        "remove it from `aliases`: a common word names no actor; where the text uses it for this \
                         actor, keep it as the `text` of its row in mentions.csv",
                    );
                out.push((i, p));
                continue;
            }
            if a.actor_type == "state" {
                continue;
            }
            let ws = words(&folded);
            if ws.is_empty() || ws.len() > MAX_WORDS {
                continue;
            }
            let key: Vec<String> = ws.iter().map(|w| w.to_string()).collect();
            let Some(holders) = parts.get(&key) else { continue };
            let mut others: Vec<String> = Vec::new();
            for &(j, label) in holders {
                let b = &actors[j];
                if j == i || mine.contains(b.actor_id.as_str()) || ancestors(&b.actor_id).contains(a.actor_id.as_str())
                {
                    continue;
                }
                let shown = format!("`{}` ({})", label.trim(), b.actor_id);
                if !others.contains(&shown) {
                    others.push(shown);
                }
            }
            if others.is_empty() {
                continue;
            }
            let more = if others.len() > 3 { format!(" and {} more", others.len() - 3) } else { String::new() };
            others.truncate(3);
            let p = a
                .src
                .problem(
                    Rule::GenericAlias,
                    Some("aliases"),
                    format!(
                        "alias `{}` of {} is one word of another actor's label: {}{more}",
                        alias.trim(),
                        a.actor_id,
                        others.join(", ")
                    ),
                )
                .hint(
                    "give the fuller form that names this actor only (first name and surname, the whole \
                     organisation name); a garbled or partial form that one article uses belongs in mentions.csv",
                );
            out.push((i, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::records::Actor;
    use crate::ledger::RowSrc;
    use crate::problem::Table;
    use std::sync::Arc;

    fn actor(id: &str, name: &str, ty: &str, parent: Option<&str>, aliases: &[&str], line: u64) -> NActor {
        let a = Actor {
            src: RowSrc {
                table: Table::Actors,
                file: "raw/actors.csv".into(),
                rel_file: "actors.csv".into(),
                line,
                header: Arc::from(vec!["actor_id".to_string(), "name".to_string(), "aliases".to_string()]),
                fields: Default::default(),
            },
            actor_id: id.into(),
            name: name.into(),
            actor_type: ty.into(),
            country: None,
            parent: parent.map(Into::into),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            notes: None,
        };
        NActor {
            src: a.src,
            actor_id: a.actor_id,
            name: a.name,
            actor_type: a.actor_type,
            country: None,
            parent_id: a.parent,
            top_id: String::new(),
            depth: 0,
            aliases: a.aliases,
            notes: None,
        }
    }

    fn messages(actors: &[NActor]) -> Vec<String> {
        check(actors).into_iter().map(|(_, p)| p.to_string()).collect()
    }

    #[test]
    fn stop_words_of_both_languages_warn_after_folding() {
        let got = messages(&[
            actor("USA", "United States", "state", None, &["US", "États-Unis"], 2),
            actor("AZE.MINVAL", "Minval Politika", "media", None, &["Mine", "Minval"], 3),
            actor("X", "X", "other", None, &["  Été "], 4),
        ]);
        assert_eq!(
            got,
            vec![
                "raw/actors.csv:2:3: warning[generic-alias]: alias `US` of USA folds to `us`, a common English word",
                "raw/actors.csv:3:3: warning[generic-alias]: alias `Mine` of AZE.MINVAL folds to `mine`, a common English word",
                "raw/actors.csv:4:3: warning[generic-alias]: alias `Été` of X folds to `ete`, a common French word",
            ]
        );
    }

    #[test]
    fn a_part_of_another_actors_label_warns_unless_in_the_same_chain_or_a_state_name() {
        let actors = [
            actor("AZE", "Azerbaijan", "state", None, &["Baku"], 2),
            actor("AZE.SAFAROV_H", "Hussein Safarov", "person", None, &[], 3),
            actor("IRQ.SADDAM", "Saddam Hussein", "person", None, &["Hussein"], 4),
            actor("RUS.AMB", "Russian Ambassador", "person", Some("RUS.MFA"), &["ambassador in Baku"], 5),
            actor("RUS.MFA", "Russian MFA", "government", None, &["Russian"], 6),
            actor("SDN.GOV", "Government of Sudan", "government", None, &["Sudan government"], 7),
            actor("SSD.GOV", "Government of South Sudan", "government", None, &["South Sudan government"], 8),
        ];
        let got = messages(&actors);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert!(got[0].starts_with("raw/actors.csv:4:3: warning[generic-alias]: alias `Hussein` of IRQ.SADDAM"));
        assert!(got[0].contains("`Hussein Safarov` (AZE.SAFAROV_H)"), "{}", got[0]);
    }
}
