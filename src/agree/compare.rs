//! The two readings side by side: the same articles and texts checked, the
//! actors matched, and the events of each article assigned one to one.

use super::actors::ActorMatch;
use super::load::Reading;
use super::matching::{self, Parts, Side};
use super::AgreeError;
use crate::normalize::NEvent;
use crate::reference::Reference;
use std::collections::BTreeMap;

/// Two matched events: indices into A's and B's events.
#[derive(Debug, Clone)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub similarity: f64,
    pub parts: Parts,
    /// The fields that differ: source, target, direction, code, mode,
    /// date, evidence.
    pub differs: Vec<&'static str>,
}

/// An event of one side: its index into that side's events.
pub type EventRef = usize;

/// What the comparison found.
pub struct Comparison<'r> {
    pub a: &'r Reading,
    pub b: &'r Reading,
    pub actors: ActorMatch,
    /// B's events in A's terms (actors read as A's), by index.
    pub b_sides: Vec<Side<'r>>,
    pub pairs: Vec<Pair>,
    pub only_a: Vec<EventRef>,
    pub only_b: Vec<EventRef>,
}

/// Compares two readings of the same articles.
pub fn compare<'r>(a: &'r Reading, b: &'r Reading) -> Result<Comparison<'r>, AgreeError> {
    same_articles(a, b)?;
    let actors = ActorMatch::of(a, b);
    let a_sides: Vec<Side> =
        a.events.iter().map(|e| Side { event: e, source: e.source_id.clone(), target: e.target_id.clone() }).collect();
    let b_sides: Vec<Side> = b
        .events
        .iter()
        .map(|e| Side {
            event: e,
            source: actors.in_a(&e.source_id),
            target: e.target_id.as_deref().map(|t| actors.in_a(t)),
        })
        .collect();
    let reference = Reference::builtin();
    fn by_article(events: &[NEvent]) -> BTreeMap<&str, Vec<usize>> {
        let mut m: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, e) in events.iter().enumerate() {
            m.entry(e.article_id.as_str()).or_default().push(i);
        }
        // in an order that does not depend on the rows' order
        for v in m.values_mut() {
            v.sort_by(|&i, &j| content_key(&events[i]).cmp(&content_key(&events[j])));
        }
        m
    }
    let (in_a, in_b) = (by_article(&a.events), by_article(&b.events));
    let mut pairs = Vec::new();
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    let none = Vec::new();
    for art in &a.articles {
        let xs = in_a.get(art.article_id.as_str()).unwrap_or(&none);
        let ys = in_b.get(art.article_id.as_str()).unwrap_or(&none);
        let sim = |i: usize, j: usize| matching::parts(&a_sides[xs[i]], &b_sides[ys[j]], &actors, reference).total();
        // the same orientation whichever reading is named first, so that
        // ties fall the same way
        fn keys<'e>(v: &[usize], ev: &'e [NEvent]) -> Vec<(usize, usize, &'e str, &'e str, &'e str, &'e str)> {
            v.iter().map(|&i| content_key(&ev[i])).collect()
        }
        let assigned = if keys(xs, &a.events) <= keys(ys, &b.events) {
            matching::assign(xs.len(), ys.len(), sim)
        } else {
            let mut v: Vec<_> =
                matching::assign(ys.len(), xs.len(), |j, i| sim(i, j)).into_iter().map(|(j, i, s)| (i, j, s)).collect();
            v.sort_by_key(|p| (p.0, p.1));
            v
        };
        let (mut used_x, mut used_y) = (vec![false; xs.len()], vec![false; ys.len()]);
        for (i, j, s) in assigned {
            used_x[i] = true;
            used_y[j] = true;
            let parts = matching::parts(&a_sides[xs[i]], &b_sides[ys[j]], &actors, reference);
            let differs = differs(&a_sides[xs[i]], &b_sides[ys[j]], &parts);
            pairs.push(Pair { a: xs[i], b: ys[j], similarity: s, parts, differs });
        }
        only_a.extend(xs.iter().zip(&used_x).filter(|(_, u)| !**u).map(|(i, _)| *i));
        only_b.extend(ys.iter().zip(&used_y).filter(|(_, u)| !**u).map(|(j, _)| *j));
    }
    Ok(Comparison { a, b, actors, b_sides, pairs, only_a, only_b })
}

/// What orders an article's events: where the evidence stands, then the
/// code, the date and the mode as written, then the row's id.
fn content_key(e: &NEvent) -> (usize, usize, &str, &str, &str, &str) {
    (e.evidence_start, e.evidence_end, &e.code, &e.date_raw, &e.mode, &e.event_id)
}

fn differs(x: &Side, y: &Side, p: &Parts) -> Vec<&'static str> {
    let (a, b) = (x.event, y.event);
    let mut out = Vec::new();
    if p.direction == 0.0 {
        out.push("direction");
        if x.source != y.target.clone().unwrap_or_default() {
            out.push("source");
        }
        if x.target != Some(y.source.clone()) {
            out.push("target");
        }
    } else {
        if x.source != y.source {
            out.push("source");
        }
        if x.target != y.target {
            out.push("target");
        }
    }
    if a.code != b.code {
        out.push("code");
    }
    if a.mode != b.mode {
        out.push("mode");
    }
    if (a.date.first, a.date.last) != (b.date.first, b.date.last) {
        out.push("date");
    }
    if (a.evidence_start, a.evidence_end) != (b.evidence_start, b.evidence_end) {
        out.push("evidence");
    }
    out
}

/// The same published articles on both sides, with the same texts; else
/// the first difference.
fn same_articles(a: &Reading, b: &Reading) -> Result<(), AgreeError> {
    let ids = |r: &Reading| r.articles.iter().map(|x| x.article_id.clone()).collect::<std::collections::BTreeSet<_>>();
    let (ia, ib) = (ids(a), ids(b));
    let missing = |from: &Reading, to: &Reading, id: &String| AgreeError::DifferentArticles {
        article_id: id.clone(),
        present: from.dir.clone(),
        absent: to.dir.clone(),
    };
    let first_a = ia.difference(&ib).next();
    let first_b = ib.difference(&ia).next();
    match (first_a, first_b) {
        (Some(x), Some(y)) if y < x => return Err(missing(b, a, y)),
        (Some(x), _) => return Err(missing(a, b, x)),
        (None, Some(y)) => return Err(missing(b, a, y)),
        (None, None) => {}
    }
    for id in &ia {
        let (Some(ta), Some(tb)) = (a.texts.get(id), b.texts.get(id)) else { continue };
        if ta.as_str() != tb.as_str() {
            let offset = ta.as_str().chars().zip(tb.as_str().chars()).take_while(|(x, y)| x == y).count();
            let excerpt = |s: &str| s.chars().skip(offset).take(30).collect::<String>();
            return Err(AgreeError::DifferentTexts(Box::new(super::TextDifference {
                article_id: id.clone(),
                offset,
                a: excerpt(ta.as_str()),
                b: excerpt(tb.as_str()),
                a_dir: a.dir.clone(),
                b_dir: b.dir.clone(),
            })));
        }
    }
    Ok(())
}
