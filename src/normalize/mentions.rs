//! Mention rows normalized, one partition at a time: the article checked,
//! the actor resolved and the words located in the text, at the given start
//! or at the first occurrence no earlier row has taken; then the gate, and
//! the kept rows published with their spans.

use super::labels::LabelIndex;
use super::text::ArticleText;
use super::{resolve_actor, unknown_article, NArticle, NMention, Pair, PairMap};
use crate::ingest::records::Mention;
use crate::ledger::Ledger;
use crate::problem::Problem;
use crate::rules::Rule;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Normalizes mention rows of one partition, in their original order.
pub fn mentions(
    rows: Vec<Mention>,
    published: &HashMap<&str, &NArticle>,
    texts: &HashMap<String, Arc<ArticleText>>,
    index: &LabelIndex,
    ledger: &mut Ledger,
) -> Vec<NMention> {
    // occurrences already taken, per (article, text): a few offsets each
    let mut taken: PairMap<Vec<usize>> = PairMap::default();
    let none_taken = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let mut problems = Vec::new();
        if !published.contains_key(m.article_id.as_str()) {
            problems.push(unknown_article(&m.src, &m.article_id, published));
        }
        let actor_id = resolve_actor(&m.src, "actor", &m.actor, index, &mut problems);
        let len = m.text.chars().count();
        let mut start = None;
        if let Some(t) = texts.get(&m.article_id).filter(|_| published.contains_key(m.article_id.as_str())) {
            let used = taken.get(&Pair(&m.article_id, &m.text)).unwrap_or(&none_taken);
            start = match m.start {
                Some(s) => at_given_start(&m, s, len, t, used, &mut problems),
                None => first_free(&m, t, used, &mut problems),
            };
        }
        if !ledger.check_row(&m.src, problems) {
            continue;
        }
        let (Some(actor_id), Some(start), Some(t)) = (actor_id, start, texts.get(&m.article_id)) else { continue };
        take(&mut taken, &m, start);
        out.push(normalized(m, actor_id, start, len, t));
    }
    out
}

/// The given start, if the words stand there and no earlier row has taken
/// that place.
fn at_given_start(
    m: &Mention,
    s: usize,
    len: usize,
    t: &ArticleText,
    used: &[usize],
    problems: &mut Vec<Problem>,
) -> Option<usize> {
    let mut start = None;
    if used.contains(&s) {
        problems.push(
            m.src
                .problem(
                    Rule::DuplicateKey,
                    Some("start"),
                    format!("the mention `{}` at {s} is already annotated by an earlier row", m.text),
                )
                .hint("remove the repeated row; one place in the text names one actor"),
        );
    } else if t.slice(s, s + len) == m.text && s + len <= t.len_chars() {
        start = Some(s);
    } else {
        let occ = t.occurrences(&m.text);
        problems.push(
            m.src
                .problem(
                    Rule::MentionOffset,
                    Some("start"),
                    format!("start {s} points at `{}`, not at `{}`", t.slice(s, s + len), m.text),
                )
                .hint(if occ.is_empty() {
                    "the text does not occur in the article: copy it exactly".to_string()
                } else {
                    let list: Vec<String> = occ.iter().take(10).map(|o| o.to_string()).collect();
                    format!("`{}` occurs at {}", m.text, list.join(", "))
                }),
        );
    }
    start
}

/// Without a start: the first occurrence of the words that no earlier row
/// has taken.
fn first_free(m: &Mention, t: &ArticleText, used: &[usize], problems: &mut Vec<Problem>) -> Option<usize> {
    let mut start = None;
    let occ = t.occurrences(&m.text);
    match occ.iter().find(|o| !used.contains(o)) {
        Some(&s) => start = Some(s),
        None => problems.push(
            m.src
                .problem(
                    Rule::MentionNotFound,
                    Some("text"),
                    if occ.is_empty() {
                        format!("`{}` does not occur in the article text", m.text)
                    } else {
                        format!("every occurrence of `{}` ({}) is taken by earlier rows", m.text, occ.len())
                    },
                )
                .hint("copy the words exactly as they stand in the text, or remove the extra row"),
        ),
    }
    start
}

/// Marks the place of a kept mention as taken for the rows after it.
fn take(taken: &mut PairMap<Vec<usize>>, m: &Mention, start: usize) {
    let key = Pair(&m.article_id, &m.text);
    match taken.get_mut(&key) {
        Some(used) => used.push(start),
        None => {
            taken.insert(key.owned(), vec![start]);
        }
    }
}

/// A kept row with its actor id and span.
fn normalized(m: Mention, actor_id: String, start: usize, len: usize, t: &ArticleText) -> NMention {
    NMention {
        sentence: t.sentence(start),
        paragraph: t.paragraph(start),
        end: start + len,
        start,
        src: m.src,
        article_id: m.article_id,
        actor_id,
        text: m.text,
        annotator: m.annotator,
        notes: m.notes,
    }
}
