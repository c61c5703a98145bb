//! Stage 2, normalize: resolve every reference (articles, actor labels,
//! parents, CAMEO codes), turn dates into spans, locate evidence and mentions
//! in the texts. The gate of this stage rejects rows whose keys repeat or whose
//! references, dates or spans do not hold.

pub mod actors;
pub mod alias_words;
mod events;
pub mod labels;
mod mentions;
pub mod text;

use crate::edtf::{self as dates, DateSpan};
use crate::ingest::records::Article;
use crate::ingest::Staged;
use crate::ledger::{Ledger, RowSrc};
use crate::problem::Problem;
use crate::rules::Rule;
use labels::{LabelIndex, Resolution};
use rustc_hash::FxHashMap as HashMap;

/// A map keyed by two strings (an article and an id or a passage within it),
/// looked up without copying them: see [`Pair`].
type PairMap<V> = hashbrown::HashMap<(String, String), V, rustc_hash::FxBuildHasher>;

/// Two borrowed strings, found in a [`PairMap`] as the owned pair they equal
/// (they hash the same way).
#[derive(Hash)]
struct Pair<'a>(&'a str, &'a str);

impl hashbrown::Equivalent<(String, String)> for Pair<'_> {
    fn equivalent(&self, key: &(String, String)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

impl Pair<'_> {
    fn owned(&self) -> (String, String) {
        (self.0.to_string(), self.1.to_string())
    }
}

pub use actors::NActor;
pub use events::events;
pub use mentions::mentions;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct NArticle {
    pub src: RowSrc,
    pub article_id: String,
    pub title: String,
    pub published_raw: String,
    pub published: DateSpan,
    pub language: String,
    pub text_path: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub notes: Option<String>,
    pub text_sha256: String,
    pub text_chars: usize,
}

#[derive(Debug, Clone)]
pub struct NEvent {
    pub src: RowSrc,
    pub event_key: String,
    pub article_id: String,
    pub event_id: String,
    pub source_id: String,
    pub target_id: Option<String>,
    pub code: String,
    pub mode: String,
    pub confidence: f64,
    pub date_raw: String,
    pub date: DateSpan,
    pub date_text: Option<String>,
    pub quantity: Option<i64>,
    pub quantity_unit: Option<String>,
    pub location: Option<String>,
    pub evidence: String,
    pub evidence_start: usize,
    pub evidence_end: usize,
    pub sentence: usize,
    pub paragraph: usize,
    pub annotator: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NMention {
    pub src: RowSrc,
    pub article_id: String,
    pub actor_id: String,
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sentence: usize,
    pub paragraph: usize,
    pub annotator: Option<String>,
    pub notes: Option<String>,
}

/// The dimensions after normalization: the published articles and actors,
/// and every label by which other rows may name an actor.
#[derive(Debug, Default)]
pub struct Dimensions {
    pub articles: Vec<NArticle>,
    pub actors: Vec<NActor>,
    pub index: LabelIndex,
}

impl Dimensions {
    /// The published articles by id.
    pub fn published(&self) -> HashMap<&str, &NArticle> {
        self.articles.iter().map(|a| (a.article_id.as_str(), a)).collect()
    }
}

/// A key that does not change between runs: the first 16 hex digits of the
/// SHA-256 of the article id and the event id.
pub fn event_key(article_id: &str, event_id: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(article_id.as_bytes());
    h.update([0x1f]);
    h.update(event_id.as_bytes());
    // the first 16 hex digits of the digest
    crate::digest::hex(&h.finalize()[..8])
}

fn closest<'a>(value: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(value, c), c))
        .filter(|(s, _)| *s > 0.8)
        // the best score; of equal ones the first in byte order, so the hint
        // does not depend on the order candidates come in
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}

fn date_problem(src: &RowSrc, field: &str, raw: &str, e: dates::DateError) -> Problem {
    let rule = match e {
        dates::DateError::Reversed { .. } => Rule::ReversedInterval,
        _ => Rule::ImpossibleDate,
    };
    let hint = match rule {
        Rule::ReversedInterval => "write the earlier date first: A/B with A not after B",
        _ => "check the day and month (months 01..12, seasons 21..24)",
    };
    src.problem(rule, Some(field), format!("`{raw}`: {e}")).hint(hint)
}

/// Normalizes the dimension tables: articles (dates), actors (parent
/// chains, top actors) and the label index, with its collisions.
///
/// Every shard normalizes every actor; the problems of the actors table are
/// recorded only by the shard that owns them (`shard`).
pub fn dimensions(staged: Staged, ledger: &mut Ledger, shard: crate::shard::Shard) -> Dimensions {
    let articles = articles(staged.articles, &staged.texts, ledger);
    let mut aside = ledger.aside();
    let ledger = if shard.owns_corpus() { ledger } else { &mut aside };
    let actors = actors::run(staged.actors, ledger);
    let mut index = LabelIndex::default();
    for a in &actors {
        let mut collisions = Vec::new();
        for label in std::iter::once(&a.actor_id).chain(std::iter::once(&a.name)).chain(a.aliases.iter()) {
            for other in index.add(&a.actor_id, label) {
                collisions.push((label.clone(), other));
            }
        }
        if !collisions.is_empty() {
            let list: Vec<String> = collisions.iter().map(|(l, o)| format!("`{l}` (also {o})")).collect();
            let p = a
                .src
                .problem(
                    Rule::AliasCollision,
                    Some("aliases"),
                    format!("{} shares labels with other actors: {}", a.actor_id, list.join(", ")),
                )
                .hint("give each label to one actor; rows that use a shared label will be rejected as ambiguous");
            ledger.check_row(&a.src, vec![p]);
        }
    }
    for (i, p) in alias_words::check(&actors) {
        ledger.check_row(&actors[i].src, vec![p]);
    }
    Dimensions { articles, actors, index }
}

fn articles(
    rows: Vec<Article>,
    texts: &HashMap<String, crate::ingest::texts::TextFacts>,
    ledger: &mut Ledger,
) -> Vec<NArticle> {
    let mut seen: HashMap<String, u64> = HashMap::default();
    let mut out = Vec::new();
    for a in rows {
        let mut problems = Vec::new();
        if let Some(first) = seen.get(&a.article_id) {
            problems.push(
                a.src
                    .problem(
                        Rule::DuplicateKey,
                        Some("article_id"),
                        format!("article `{}` is already defined on line {first}", a.article_id),
                    )
                    .hint("give each article its own id, or remove the repeated row"),
            );
        } else {
            seen.insert(a.article_id.clone(), a.src.line);
        }
        let published = match a.published.resolve() {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(date_problem(&a.src, "published", &a.published_raw, e));
                None
            }
        };
        if ledger.check_row(&a.src, problems) {
            let t = &texts[&a.article_id];
            out.push(NArticle {
                published: published.expect("resolved when no error"),
                text_sha256: t.sha256.clone(),
                text_chars: t.chars,
                src: a.src,
                article_id: a.article_id,
                title: a.title,
                published_raw: a.published_raw,
                language: a.language,
                text_path: a.text_path,
                outlet: a.outlet,
                url: a.url,
                notes: a.notes,
            });
        }
    }
    out
}

fn resolve_actor(
    src: &RowSrc,
    field: &str,
    label: &str,
    index: &LabelIndex,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match index.resolve(label) {
        Resolution::Found(id) => Some(id),
        Resolution::Unknown { suggestions } => {
            let hint = if suggestions.is_empty() {
                "use an actor_id, name or alias of actors.csv, or add the actor there".to_string()
            } else {
                format!("did you mean {}?", suggestions.join(" or "))
            };
            problems
                .push(src.problem(Rule::UnknownActor, Some(field), format!("no actor matches `{label}`")).hint(hint));
            None
        }
        Resolution::Ambiguous { actors } => {
            problems.push(
                src.problem(
                    Rule::AmbiguousActor,
                    Some(field),
                    format!("`{label}` matches several actors: {}", actors.join(", ")),
                )
                .hint("use the actor_id instead, and keep each alias on one actor in actors.csv"),
            );
            None
        }
    }
}

fn unknown_article(src: &RowSrc, id: &str, published: &HashMap<&str, &NArticle>) -> Problem {
    let hint = unknown_article_hint(id, published.keys().copied());
    src.problem(Rule::UnknownArticle, Some("article_id"), format!("article `{id}` is not published")).hint(hint)
}

/// The hint of an `unknown-article` problem: the closest published article
/// id, if one is close. A shard knows only its own articles, so the merge of
/// shards gives these hints again from every published article.
pub fn unknown_article_hint<'a>(id: &str, published: impl Iterator<Item = &'a str>) -> String {
    match closest(id, published) {
        Some(c) => format!("did you mean `{c}`? (or see why that article was rejected)"),
        None => "add the article to articles.csv, or see why its row was rejected".into(),
    }
}

/// The article id an `unknown-article` message names.
pub fn unknown_article_id(message: &str) -> Option<&str> {
    message.strip_prefix("article `")?.strip_suffix("` is not published")
}
