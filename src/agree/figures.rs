//! The figures of a comparison: per field over the matched events, the
//! share of equal values and Krippendorff's alpha; per reading, precision,
//! recall and F1 of the events and of the mention spans.

use super::actors::ActorMatch;
use super::alpha::{self, Alpha, Level};
use super::compare::Comparison;
use super::load::Reading;
use super::matching::{self, Side, THRESHOLD};
use crate::reference::Reference;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Precision, recall and F1 of one reading against the other taken as the
/// reference: precision = matched / this reading's count, recall =
/// matched / the reference's count, F1 their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    pub fn of(matched: usize, own: usize, reference: usize) -> Prf {
        let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
        let (p, r) = (ratio(matched, own), ratio(matched, reference));
        Prf { precision: p, recall: r, f1: if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) } }
    }
}

/// One field over the matched events.
#[derive(Debug, Clone, Serialize)]
pub struct FieldAgreement {
    pub field: &'static str,
    pub level: Level,
    pub pairs: usize,
    pub equal: usize,
    pub share_equal: f64,
    /// None when fewer than two values are pairable (no matched event).
    pub alpha: Option<Alpha>,
}

/// What was read of one side.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingFacts {
    pub dir: String,
    pub articles: usize,
    pub actors: usize,
    pub events: usize,
    pub mentions: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl ReadingFacts {
    fn of(r: &Reading) -> ReadingFacts {
        ReadingFacts {
            dir: r.dir.display().to_string(),
            articles: r.articles.len(),
            actors: r.actors.len(),
            events: r.events.len(),
            mentions: r.mentions.len(),
            errors: r.errors(),
            warnings: r.problems.len() - r.errors(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct EventFigures {
    pub a: usize,
    pub b: usize,
    pub matched: usize,
    /// Matched pairs that differ in no field.
    pub identical: usize,
    pub only_a: usize,
    pub only_b: usize,
    pub b_against_a: Prf,
    pub a_against_b: Prf,
    pub mean_similarity: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MentionFigures {
    pub a: usize,
    pub b: usize,
    /// Same article, start, end and actor.
    pub matched: usize,
    pub b_against_a: Prf,
    pub a_against_b: Prf,
    /// Same article, start and end, whatever the actor.
    pub span_matched: usize,
    pub span_b_against_a: Prf,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairFacts {
    pub article_id: String,
    pub a_event_id: String,
    pub b_event_id: String,
    pub a_line: u64,
    pub b_line: u64,
    pub similarity: f64,
    pub differs: Vec<&'static str>,
    /// Each field's value on either side, as the field's alpha takes it.
    pub values: BTreeMap<&'static str, [serde_json::Value; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unmatched {
    pub article_id: String,
    pub event_id: String,
    pub line: u64,
}

/// Every figure of a comparison, as `--format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct Agreement {
    pub a: ReadingFacts,
    pub b: ReadingFacts,
    pub threshold: f64,
    pub actors: ActorMatch,
    pub events: EventFigures,
    pub fields: Vec<FieldAgreement>,
    /// Nominal alpha of the code over every event, an unmatched event
    /// standing against "no event" on the other side.
    pub code_with_unmatched: Option<Alpha>,
    /// Mean overlap (Jaccard) of the matched events' date spans and
    /// evidence spans.
    pub date_overlap: f64,
    pub evidence_overlap: f64,
    pub mentions: MentionFigures,
    pub pairs: Vec<PairFacts>,
    pub only_a: Vec<Unmatched>,
    pub only_b: Vec<Unmatched>,
}

impl Agreement {
    pub fn of(c: &Comparison) -> Agreement {
        let (a, b) = (c.a, c.b);
        let matched = c.pairs.len();
        let n = matched.max(1) as f64;
        let a_side = |i: usize| Side {
            event: &a.events[i],
            source: a.events[i].source_id.clone(),
            target: a.events[i].target_id.clone(),
        };
        let overlap =
            |f: &dyn Fn(&Side, &Side) -> f64| c.pairs.iter().map(|p| f(&a_side(p.a), &c.b_sides[p.b])).sum::<f64>() / n;
        let days = |x: &Side, y: &Side| {
            let (d, e) = (&x.event.date, &y.event.date);
            matching::jaccard(d.first, d.last, e.first, e.last, matching::DayCount::Inclusive)
        };
        let spans = |x: &Side, y: &Side| {
            let (d, e) = (x.event, y.event);
            let o = |v: usize| v as i64;
            matching::jaccard(
                o(d.evidence_start),
                o(d.evidence_end),
                o(e.evidence_start),
                o(e.evidence_end),
                matching::DayCount::EndExclusive,
            )
        };
        let units = units(c);
        Agreement {
            a: ReadingFacts::of(a),
            b: ReadingFacts::of(b),
            threshold: THRESHOLD,
            actors: c.actors.clone(),
            events: EventFigures {
                a: a.events.len(),
                b: b.events.len(),
                matched,
                identical: c.pairs.iter().filter(|p| p.differs.is_empty()).count(),
                only_a: c.only_a.len(),
                only_b: c.only_b.len(),
                b_against_a: Prf::of(matched, b.events.len(), a.events.len()),
                a_against_b: Prf::of(matched, a.events.len(), b.events.len()),
                mean_similarity: c.pairs.iter().map(|p| p.similarity).sum::<f64>() / n,
            },
            fields: fields(&units),
            code_with_unmatched: code_with_unmatched(c),
            date_overlap: overlap(&days),
            evidence_overlap: overlap(&spans),
            mentions: mentions(c),
            pairs: c.pairs.iter().enumerate().map(|(k, p)| pair_facts(c, p, k, &units)).collect(),
            only_a: c.only_a.iter().map(|&i| unmatched(a, i)).collect(),
            only_b: c.only_b.iter().map(|&j| unmatched(b, j)).collect(),
        }
    }
}

fn pair_facts(c: &Comparison, p: &super::Pair, k: usize, units: &Units) -> PairFacts {
    let mut values = BTreeMap::new();
    for (field, u) in &units.nominal {
        values.insert(*field, [u[k][0].clone().into(), u[k][1].clone().into()]);
    }
    for (field, u) in &units.interval {
        values.insert(*field, [u[k][0].into(), u[k][1].into()]);
    }
    let (x, y) = (&c.a.events[p.a], &c.b.events[p.b]);
    PairFacts {
        article_id: x.article_id.clone(),
        a_event_id: x.event_id.clone(),
        b_event_id: y.event_id.clone(),
        a_line: x.src.line,
        b_line: y.src.line,
        similarity: p.similarity,
        differs: p.differs.clone(),
        values,
    }
}

fn unmatched(r: &Reading, i: usize) -> Unmatched {
    let e = &r.events[i];
    Unmatched { article_id: e.article_id.clone(), event_id: e.event_id.clone(), line: e.src.line }
}

/// A code's levels: the code, its base, its root, its QuadClass.
fn levels(code: &str) -> [String; 4] {
    match Reference::builtin().get(code) {
        Some(c) => [c.code.clone(), c.base_code.clone(), c.root_code.clone(), c.quad_class.to_string()],
        None => [code.to_string(), code.to_string(), code.to_string(), code.to_string()],
    }
}

/// Every field's values over the matched pairs, one unit per pair (A's
/// value, B's value in A's terms).
struct Units {
    nominal: Vec<(&'static str, Vec<Vec<String>>)>,
    interval: Vec<(&'static str, Vec<Vec<f64>>)>,
}

fn units(c: &Comparison) -> Units {
    let a = c.a;
    type Get = fn(&Side) -> String;
    let a_side = |i: usize| Side {
        event: &a.events[i],
        source: a.events[i].source_id.clone(),
        target: a.events[i].target_id.clone(),
    };
    let nominal: [(&'static str, Get); 8] = [
        ("source", |s| s.source.clone()),
        ("target", |s| s.target.clone().unwrap_or_default()),
        ("code", |s| levels(&s.event.code)[0].clone()),
        ("code_base", |s| levels(&s.event.code)[1].clone()),
        ("code_root", |s| levels(&s.event.code)[2].clone()),
        ("quad_class", |s| levels(&s.event.code)[3].clone()),
        ("mode", |s| s.event.mode.clone()),
        ("date", |s| format!("{}/{}", s.event.date.first, s.event.date.last)),
    ];
    type Day = fn(&Side) -> f64;
    let interval: [(&'static str, Day); 2] = [
        ("date_first", |s| matching::Day::from(s.event.date.first).0 as f64),
        ("date_last", |s| matching::Day::from(s.event.date.last).0 as f64),
    ];
    Units {
        nominal: nominal
            .into_iter()
            .map(|(f, get)| (f, c.pairs.iter().map(|p| vec![get(&a_side(p.a)), get(&c.b_sides[p.b])]).collect()))
            .collect(),
        interval: interval
            .into_iter()
            .map(|(f, get)| (f, c.pairs.iter().map(|p| vec![get(&a_side(p.a)), get(&c.b_sides[p.b])]).collect()))
            .collect(),
    }
}

fn fields(u: &Units) -> Vec<FieldAgreement> {
    let nominal = u.nominal.iter().map(|(f, v)| field_of(f, Level::Nominal, v, alpha::nominal(v)));
    let interval = u.interval.iter().map(|(f, v)| field_of(f, Level::Interval, v, alpha::interval(v)));
    nominal.chain(interval).collect()
}

fn field_of<T: PartialEq>(field: &'static str, level: Level, units: &[Vec<T>], alpha: Option<Alpha>) -> FieldAgreement {
    let equal = units.iter().filter(|u| u[0] == u[1]).count();
    FieldAgreement {
        field,
        level,
        pairs: units.len(),
        equal,
        share_equal: if units.is_empty() { 1.0 } else { equal as f64 / units.len() as f64 },
        alpha,
    }
}

fn code_with_unmatched(c: &Comparison) -> Option<Alpha> {
    const NONE: &str = "(no event)";
    let (a, b) = (c.a, c.b);
    let mut units: Vec<Vec<&str>> =
        c.pairs.iter().map(|p| vec![a.events[p.a].code.as_str(), b.events[p.b].code.as_str()]).collect();
    units.extend(c.only_a.iter().map(|&i| vec![a.events[i].code.as_str(), NONE]));
    units.extend(c.only_b.iter().map(|&j| vec![NONE, b.events[j].code.as_str()]));
    alpha::nominal(&units)
}

fn mentions(c: &Comparison) -> MentionFigures {
    let (a, b) = (c.a, c.b);
    let xs: BTreeSet<(&str, usize, usize, String)> =
        a.mentions.iter().map(|m| (m.article_id.as_str(), m.start, m.end, m.actor_id.clone())).collect();
    let ys: BTreeSet<(&str, usize, usize, String)> =
        b.mentions.iter().map(|m| (m.article_id.as_str(), m.start, m.end, c.actors.in_a(&m.actor_id))).collect();
    let matched = xs.intersection(&ys).count();
    fn span<'m>(s: &BTreeSet<(&'m str, usize, usize, String)>) -> BTreeSet<(&'m str, usize, usize)> {
        s.iter().map(|m| (m.0, m.1, m.2)).collect()
    }
    let (sx, sy) = (span(&xs), span(&ys));
    let span_matched = sx.intersection(&sy).count();
    MentionFigures {
        a: xs.len(),
        b: ys.len(),
        matched,
        b_against_a: Prf::of(matched, ys.len(), xs.len()),
        a_against_b: Prf::of(matched, xs.len(), ys.len()),
        span_matched,
        span_b_against_a: Prf::of(span_matched, sy.len(), sx.len()),
    }
}
