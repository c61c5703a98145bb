//! Events of two readings matched within each article: a similarity of two
//! events in [0, 1], and the one-to-one assignment of an article's events
//! that maximizes the summed similarity (the Hungarian method: Kuhn 1955,
//! Munkres 1957), of which the pairs below [`THRESHOLD`] are dropped.
//!
//! similarity = 0.30 · dyad + 0.05 · direction + 0.20 · code
//!            + 0.15 · date + 0.30 · evidence
//!
//! - dyad: the mean of the source's and the target's actor similarity
//!   (1 same actor, 1/2 one in the other's parent chain, 0 else; no target
//!   on both sides is 1), taken as read or with one side's source and
//!   target swapped, whichever is higher;
//! - direction: 1 when the dyad is highest as read, 0 when swapped;
//! - code: 1 same code, 3/4 same base code (3 digits), 1/2 same root
//!   (2 digits), 1/4 same QuadClass, 0 else;
//! - date: the days both date spans cover over the days either covers
//!   (Jaccard); evidence: the same of the evidence spans' code points.

use super::actors::ActorMatch;
use crate::normalize::NEvent;
use crate::reference::Reference;

/// Pairs of lower similarity stay unmatched: an event that agrees on
/// little more than its evidence, or on its actors and code alone, is not
/// the other reading's event.
pub const THRESHOLD: f64 = 0.5;

/// One event in A's terms: B's actors read as A's.
#[derive(Debug, Clone)]
pub struct Side<'a> {
    pub event: &'a NEvent,
    pub source: String,
    pub target: Option<String>,
}

/// The parts of a similarity, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    pub dyad: f64,
    pub direction: f64,
    pub code: f64,
    pub date: f64,
    pub evidence: f64,
}

impl Parts {
    pub fn total(&self) -> f64 {
        0.30 * self.dyad + 0.05 * self.direction + 0.20 * self.code + 0.15 * self.date + 0.30 * self.evidence
    }
}

pub fn parts(x: &Side, y: &Side, actors: &ActorMatch, reference: &Reference) -> Parts {
    let sim = |a: Option<&str>, b: Option<&str>| actors.similarity(a, b);
    let (xs, xt, ys, yt) = (Some(x.source.as_str()), x.target.as_deref(), Some(y.source.as_str()), y.target.as_deref());
    let as_read = (sim(xs, ys) + sim(xt, yt)) / 2.0;
    let swapped = if xt.is_some() && yt.is_some() { (sim(xs, yt) + sim(xt, ys)) / 2.0 } else { 0.0 };
    let (dyad, direction) = if swapped > as_read { (swapped, 0.0) } else { (as_read, 1.0) };
    let (a, b) = (x.event, y.event);
    Parts {
        dyad,
        direction,
        code: code_similarity(&a.code, &b.code, reference),
        date: jaccard(a.date.first, a.date.last, b.date.first, b.date.last, DayCount::Inclusive),
        evidence: jaccard(
            a.evidence_start as i64,
            a.evidence_end as i64,
            b.evidence_start as i64,
            b.evidence_end as i64,
            DayCount::EndExclusive,
        ),
    }
}

/// Whether a span's end is in it (days) or just after it (code points).
#[derive(Debug, Clone, Copy)]
pub enum DayCount {
    Inclusive,
    EndExclusive,
}

/// |x ∩ y| / |x ∪ y| of two spans [x0, x1] and [y0, y1].
pub fn jaccard(x0: impl Into<Day>, x1: impl Into<Day>, y0: impl Into<Day>, y1: impl Into<Day>, c: DayCount) -> f64 {
    let (x0, x1, y0, y1) = (x0.into().0, x1.into().0, y0.into().0, y1.into().0);
    let extra = match c {
        DayCount::Inclusive => 1,
        DayCount::EndExclusive => 0,
    };
    let both = (x1.min(y1) - x0.max(y0) + extra).max(0);
    let either = (x1 - x0 + extra) + (y1 - y0 + extra) - both;
    if either <= 0 {
        return if x0 == y0 && x1 == y1 { 1.0 } else { 0.0 };
    }
    both as f64 / either as f64
}

/// A position on a line: a day (days from the Common Era) or an offset.
#[derive(Debug, Clone, Copy)]
pub struct Day(pub i64);

impl From<i64> for Day {
    fn from(v: i64) -> Day {
        Day(v)
    }
}

impl From<chrono::NaiveDate> for Day {
    fn from(d: chrono::NaiveDate) -> Day {
        use chrono::Datelike;
        Day(i64::from(d.num_days_from_ce()))
    }
}

/// 1 same code, 3/4 same base, 1/2 same root, 1/4 same QuadClass, else 0.
pub fn code_similarity(a: &str, b: &str, reference: &Reference) -> f64 {
    if a == b {
        return 1.0;
    }
    let (Some(x), Some(y)) = (reference.get(a), reference.get(b)) else { return 0.0 };
    if x.base_code == y.base_code {
        0.75
    } else if x.root_code == y.root_code {
        0.5
    } else if x.quad_class == y.quad_class {
        0.25
    } else {
        0.0
    }
}

/// The optimal one-to-one assignment of `xs` to `ys` on `sim`: the pairs
/// (index in xs, index in ys, similarity) at or above the threshold.
pub fn assign(n_x: usize, n_y: usize, sim: impl Fn(usize, usize) -> f64) -> Vec<(usize, usize, f64)> {
    if n_x == 0 || n_y == 0 {
        return Vec::new();
    }
    // similarities as integers (the algorithm needs an ordered type); pairs
    // below the threshold weigh 0, as if left unmatched
    let scale = |s: f64| if s >= THRESHOLD { (s * 1_000_000.0).round() as i64 } else { 0 };
    let table: Vec<Vec<f64>> = (0..n_x).map(|i| (0..n_y).map(|j| sim(i, j)).collect()).collect();
    // the algorithm wants no more rows than columns
    let transpose = n_x > n_y;
    let (rows, cols) = if transpose { (n_y, n_x) } else { (n_x, n_y) };
    let at = |r: usize, c: usize| if transpose { table[c][r] } else { table[r][c] };
    let weights = pathfinding::matrix::Matrix::from_fn(rows, cols, |(r, c)| scale(at(r, c)));
    let (_, assignment) = pathfinding::kuhn_munkres::kuhn_munkres(&weights);
    let mut out: Vec<(usize, usize, f64)> = assignment
        .into_iter()
        .enumerate()
        .map(|(r, c)| if transpose { (c, r) } else { (r, c) })
        .map(|(i, j)| (i, j, table[i][j]))
        .filter(|&(_, _, s)| s >= THRESHOLD)
        .collect();
    out.sort_by_key(|p| (p.0, p.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_overlap_as_jaccard() {
        assert_eq!(jaccard(0i64, 10i64, 0i64, 10i64, DayCount::EndExclusive), 1.0);
        assert_eq!(jaccard(0i64, 10i64, 5i64, 15i64, DayCount::EndExclusive), 5.0 / 15.0);
        assert_eq!(jaccard(0i64, 0i64, 0i64, 0i64, DayCount::Inclusive), 1.0);
        assert_eq!(jaccard(0i64, 1i64, 2i64, 3i64, DayCount::Inclusive), 0.0);
    }

    #[test]
    fn codes_agree_by_level() {
        let r = Reference::builtin();
        assert_eq!(code_similarity("0231", "0231", r), 1.0);
        assert_eq!(code_similarity("0231", "0234", r), 0.75);
        assert_eq!(code_similarity("023", "020", r), 0.5);
        assert_eq!(code_similarity("190", "180", r), 0.25);
        assert_eq!(code_similarity("190", "057", r), 0.0);
    }

    #[test]
    fn assignment_is_optimal_not_greedy() {
        // greedy takes (0,0) = 0.9 and leaves 1 with 0.5; the optimum pairs
        // (0,1) and (1,0) for 0.8 + 0.8
        let s = [[0.9, 0.8], [0.8, 0.5]];
        assert_eq!(assign(2, 2, |i, j| s[i][j]), vec![(0, 1, 0.8), (1, 0, 0.8)]);
        // below the threshold stays unmatched; more rows than columns
        let s = [[0.2], [0.7], [0.4]];
        assert_eq!(assign(3, 1, |i, j| s[i][j]), vec![(1, 0, 0.7)]);
        assert!(assign(0, 3, |_, _| 1.0).is_empty());
    }
}
