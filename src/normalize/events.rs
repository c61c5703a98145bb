//! Event rows normalized, one partition at a time: the article and the key
//! checked, the actors resolved, the CAMEO code checked, the date resolved,
//! the evidence located in the text and the quantity checked, in that order;
//! then the gate, and the kept rows published with their spans.

use super::labels::LabelIndex;
use super::text::{ArticleText, Locate, Span};
use super::{date_problem, event_key, resolve_actor, unknown_article, NArticle, NEvent, Pair, PairMap};
use crate::edtf::DateSpan;
use crate::ingest::records::Event;
use crate::ledger::Ledger;
use crate::problem::Problem;
use crate::reference::Reference;
use crate::rules::Rule;
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Normalizes event rows of one partition (every row of its articles, in
/// their original order): references, codes, dates, evidence spans.
pub fn events(
    rows: Vec<Event>,
    published: &HashMap<&str, &NArticle>,
    texts: &HashMap<String, Arc<ArticleText>>,
    index: &LabelIndex,
    reference: &Reference,
    ledger: &mut Ledger,
) -> Vec<NEvent> {
    let mut seen: PairMap<u64> = PairMap::default();
    let mut out = Vec::with_capacity(rows.len());
    for e in rows {
        let mut problems = Vec::new();
        let article = published.get(e.article_id.as_str()).copied();
        if article.is_none() {
            problems.push(unknown_article(&e.src, &e.article_id, published));
        }
        check_key(&e, &mut seen, &mut problems);
        let (source_id, target_id) = resolve_actors(&e, index, &mut problems);
        check_code(&e, reference, &mut problems);
        let date = resolve_date(&e, article, &mut problems);
        let span = match texts.get(&e.article_id).filter(|_| article.is_some()) {
            Some(t) => locate_evidence(&e, t, &mut problems),
            None => None,
        };
        check_quantity(&e, &mut problems);
        if !ledger.check_row(&e.src, problems) {
            continue;
        }
        let (Some(source_id), Some(date), Some(span), Some(t)) = (source_id, date, span, texts.get(&e.article_id))
        else {
            // every missing piece has produced an error above, so the row was rejected
            continue;
        };
        out.push(normalized(e, source_id, target_id, date, span, t));
    }
    out
}

/// An (article, event id) pair used twice; a key is taken by its first row
/// even when that row is rejected.
fn check_key(e: &Event, seen: &mut PairMap<u64>, problems: &mut Vec<Problem>) {
    let key = Pair(&e.article_id, &e.event_id);
    if let Some(first) = seen.get(&key) {
        problems.push(
            e.src
                .problem(
                    Rule::DuplicateKey,
                    Some("event_id"),
                    format!("event `{}` of article `{}` is already used on line {first}", e.event_id, e.article_id),
                )
                .hint("event ids must be unique within their article: renumber this row"),
        );
    } else {
        // a key is taken by its first row even when that row is rejected
        seen.insert(key.owned(), e.src.line);
    }
}

/// The source and, if any, the target, as actor ids.
fn resolve_actors(e: &Event, index: &LabelIndex, problems: &mut Vec<Problem>) -> (Option<String>, Option<String>) {
    let source_id = resolve_actor(&e.src, "source", &e.source, index, problems);
    let target_id = match &e.target {
        Some(t) => resolve_actor(&e.src, "target", t, index, problems),
        None => None,
    };
    (source_id, target_id)
}

/// The code must be a CAMEO event code.
fn check_code(e: &Event, reference: &Reference, problems: &mut Vec<Problem>) {
    if reference.get(&e.code).is_none() {
        problems.push(
            e.src
                .problem(Rule::UnknownCode, Some("code"), format!("`{}` is not a CAMEO event code", e.code))
                .hint(reference.hint_for_unknown(&e.code)),
        );
    }
}

/// The date as a span; unless the event is planned, it may not begin after
/// its article was published.
fn resolve_date(e: &Event, article: Option<&NArticle>, problems: &mut Vec<Problem>) -> Option<DateSpan> {
    let date = match e.date.resolve() {
        Ok(d) => Some(d),
        Err(err) => {
            problems.push(date_problem(&e.src, "date", &e.date_raw, err));
            None
        }
    };
    if let (Some(d), Some(a)) = (date, article) {
        if d.first > a.published.last && e.mode != "planned" {
            problems.push(
                e.src
                    .problem(
                        Rule::DateAfterPublished,
                        Some("date"),
                        format!(
                            "the event is dated {} but article `{}` was published {}",
                            dated(&e.date_raw, d.first),
                            a.article_id,
                            a.published_raw
                        ),
                    )
                    .hint(
                        "date the event itself, not the report; if it is announced or intended, set mode to `planned`",
                    ),
            );
        }
    }
    date
}

/// A date as written, with its first day when that is not what is written
/// (`2025-07~ (from 2025-07-01)`, but `2025-07-30` alone).
fn dated(raw: &str, first: chrono::NaiveDate) -> String {
    let first = first.to_string();
    match raw.trim() == first {
        true => first,
        false => format!("{} (from {first})", raw.trim()),
    }
}

/// Where the evidence stands in the article's text: found exactly, or after
/// folding (kept, with a warning); ambiguous, at another offset or not found
/// at all (no span).
fn locate_evidence(e: &Event, t: &ArticleText, problems: &mut Vec<Problem>) -> Option<Span> {
    let mut span = None;
    match t.locate(&e.evidence, e.evidence_start) {
        Locate::Exact(s) => span = Some(s),
        Locate::Folded(s) => {
            span = Some(s);
            problems.push(
                e.src
                    .problem(
                        Rule::EvidenceFolded,
                        Some("evidence"),
                        "the evidence matches the text only after folding quotes, apostrophes or white space",
                    )
                    .hint(format!("copy the passage exactly: `{}`", t.slice(s.start, s.end))),
            );
        }
        Locate::Ambiguous { count, first } => problems.push(
            e.src
                .problem(
                    Rule::EvidenceAmbiguous,
                    Some("evidence"),
                    format!("the evidence occurs {count} times in the text"),
                )
                .hint(format!("set evidence_start to the offset of the one meant (the first is at {})", first.start)),
        ),
        Locate::OffsetMismatch { found, actual } => problems.push(
            e.src
                .problem(
                    Rule::EvidenceOffset,
                    Some("evidence_start"),
                    format!(
                        "evidence_start {} points at `{actual}`, not at the evidence",
                        e.evidence_start.unwrap_or(0)
                    ),
                )
                .hint(match found {
                    Some(s) => format!("the passage starts at {}", s.start),
                    None => "the passage does not occur in the text; copy it exactly".into(),
                }),
        ),
        Locate::NotFound { closest } => problems.push(
            e.src
                .problem(Rule::EvidenceNotFound, Some("evidence"), "the evidence does not occur in the article text")
                .hint(match closest {
                    Some(c) => format!("the closest passage is `{c}`; copy the passage exactly"),
                    None => "copy the passage exactly from the text file".into(),
                }),
        ),
    }
    span
}

/// A quantity must say what it counts.
fn check_quantity(e: &Event, problems: &mut Vec<Problem>) {
    if e.quantity.is_some() && e.quantity_unit.is_none() {
        problems.push(
            e.src
                .problem(
                    Rule::QuantityWithoutUnit,
                    Some("quantity_unit"),
                    format!("quantity {} has no unit", e.quantity.unwrap_or(0)),
                )
                .hint("say what the number counts: soldiers, deaths, drones..."),
        );
    }
}

/// A kept row with its key, resolved references, date and evidence span.
fn normalized(
    e: Event,
    source_id: String,
    target_id: Option<String>,
    date: DateSpan,
    span: Span,
    t: &ArticleText,
) -> NEvent {
    NEvent {
        event_key: event_key(&e.article_id, &e.event_id),
        sentence: t.sentence(span.start),
        paragraph: t.paragraph(span.start),
        evidence_start: span.start,
        evidence_end: span.end,
        src: e.src,
        article_id: e.article_id,
        event_id: e.event_id,
        source_id,
        target_id,
        code: e.code,
        mode: e.mode,
        confidence: e.confidence,
        date_raw: e.date_raw,
        date,
        date_text: e.date_text,
        quantity: e.quantity,
        quantity_unit: e.quantity_unit,
        location: e.location,
        evidence: e.evidence,
        annotator: e.annotator,
        notes: e.notes,
    }
}
