//! The rows of the relationship_scores table: a dyad's exact sums
//! ([`DyadSums`]), the table as columns ([`ScoreRows`]) and as a frame of
//! its schema.

use super::exact::{ExactSum, Tenths};
use super::incidents::{CodeFacts, Incident};
use crate::problem::{Error, Result};
use polars::prelude::*;

/// The strings a column of indices stands for.
fn strings<'a>(ids: &[u32], of: &'a [String]) -> Vec<&'a str> {
    ids.iter().map(|&i| of[i as usize].as_str()).collect()
}

/// A row's key: the level, direction, period (an index into the rows'
/// period labels) and actors (indices into the rows' actor names).
#[derive(Debug, Clone, Copy)]
pub(super) struct DyadKey {
    pub(super) level: &'static str,
    pub(super) directed: bool,
    pub(super) period: u32,
    pub(super) granularity: &'static str,
    /// The period's first and last day; None for all time (the dyad's
    /// first and last day then).
    pub(super) bounds: Option<(i32, i32)>,
    pub(super) actor_a: u32,
    pub(super) actor_b: u32,
}

#[derive(Debug, Default, Clone)]
pub(super) struct DyadSums {
    n_events: i64,
    n_reports: i64,
    quad: [i64; 4],
    goldstein: Tenths,
    weight: ExactSum,
    coop: ExactSum,
    conflict: ExactSum,
    first: Option<i32>,
    last: Option<i32>,
}

impl DyadSums {
    pub(super) fn add(&mut self, inc: &Incident, facts: &CodeFacts) {
        self.n_events += 1;
        self.n_reports += inc.n_reports as i64;
        if (1..=4).contains(&facts.quad_class) {
            self.quad[facts.quad_class as usize - 1] += 1;
        }
        self.goldstein.add_tenths(facts.goldstein_tenths);
        self.weight.add(inc.weight);
        if facts.goldstein > 0.0 {
            self.coop.add(inc.weight * facts.goldstein / 10.0);
        } else if facts.goldstein < 0.0 {
            self.conflict.add(inc.weight * facts.goldstein / -10.0);
        }
        self.first = Some(self.first.map_or(inc.date_start, |f| f.min(inc.date_start)));
        self.last = Some(self.last.map_or(inc.date_end, |l| l.max(inc.date_end)));
    }
}

/// The relationship_scores table as columns, in sort order.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ScoreRows {
    pub level: Vec<&'static str>,
    pub directed: Vec<bool>,
    /// Indices into `period_labels`.
    pub period: Vec<u32>,
    pub granularity: Vec<&'static str>,
    pub period_start: Vec<i32>,
    pub period_end: Vec<i32>,
    /// Indices into `names`.
    pub actor_a: Vec<u32>,
    pub actor_b: Vec<u32>,
    /// Each period's label, once; rows hold indices, so the table's strings
    /// are made only when the frame is built.
    pub period_labels: Vec<String>,
    /// Each actor's id, once.
    pub names: Vec<String>,
    pub n_events: Vec<i64>,
    pub n_reports: Vec<i64>,
    pub quad: [Vec<i64>; 4],
    pub goldstein_sum: Vec<f64>,
    pub goldstein_mean: Vec<f64>,
    pub weight_sum: Vec<f64>,
    pub coop_mass: Vec<f64>,
    pub conflict_mass: Vec<f64>,
    pub score: Vec<f64>,
    pub first_date: Vec<i32>,
    pub last_date: Vec<i32>,
}

impl ScoreRows {
    pub(super) fn push(&mut self, k: DyadKey, s: &DyadSums, shrinkage: f64) {
        self.level.push(k.level);
        self.directed.push(k.directed);
        self.period.push(k.period);
        self.granularity.push(k.granularity);
        let (first, last) = (s.first.unwrap_or_default(), s.last.unwrap_or_default());
        let (start, end) = k.bounds.unwrap_or((first, last));
        self.period_start.push(start);
        self.period_end.push(end);
        self.actor_a.push(k.actor_a);
        self.actor_b.push(k.actor_b);
        self.n_events.push(s.n_events);
        self.n_reports.push(s.n_reports);
        for (q, n) in self.quad.iter_mut().zip(s.quad) {
            q.push(n);
        }
        self.goldstein_sum.push(s.goldstein.value());
        self.goldstein_mean.push(s.goldstein.mean(s.n_events as u64));
        self.weight_sum.push(s.weight.value());
        let (c, k) = (s.coop.value(), s.conflict.value());
        self.coop_mass.push(c);
        self.conflict_mass.push(k);
        // C - K is taken exactly before it is rounded
        self.score.push(s.coop.minus(s.conflict).value() / (c + k + shrinkage));
        self.first_date.push(first);
        self.last_date.push(last);
    }

    pub fn len(&self) -> usize {
        self.level.len()
    }

    /// Room for `n` more rows in every column, so the columns are allocated
    /// once at their final size.
    pub(super) fn reserve(&mut self, n: usize) {
        self.level.reserve_exact(n);
        self.directed.reserve_exact(n);
        self.period.reserve_exact(n);
        self.granularity.reserve_exact(n);
        self.period_start.reserve_exact(n);
        self.period_end.reserve_exact(n);
        self.actor_a.reserve_exact(n);
        self.actor_b.reserve_exact(n);
        self.n_events.reserve_exact(n);
        self.n_reports.reserve_exact(n);
        for q in &mut self.quad {
            q.reserve_exact(n);
        }
        for v in [
            &mut self.goldstein_sum,
            &mut self.goldstein_mean,
            &mut self.weight_sum,
            &mut self.coop_mass,
            &mut self.conflict_mass,
            &mut self.score,
        ] {
            v.reserve_exact(n);
        }
        self.first_date.reserve_exact(n);
        self.last_date.reserve_exact(n);
    }

    pub fn is_empty(&self) -> bool {
        self.level.is_empty()
    }

    /// The rows as a frame of the relationship_scores schema.
    pub fn into_frame(self) -> Result<DataFrame> {
        let height = self.len();
        let quad_names = ["n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict"];
        let mut cols = vec![
            Column::new("level".into(), self.level),
            Column::new("directed".into(), self.directed),
            Column::new("period".into(), strings(&self.period, &self.period_labels)),
            Column::new("granularity".into(), self.granularity),
        ];
        for (name, v) in [("period_start", self.period_start), ("period_end", self.period_end)] {
            cols.push(Column::new(name.into(), v).cast(&DataType::Date).map_err(Error::polars("score"))?);
        }
        cols.extend([
            Column::new("actor_a".into(), strings(&self.actor_a, &self.names)),
            Column::new("actor_b".into(), strings(&self.actor_b, &self.names)),
            Column::new("n_events".into(), self.n_events),
            Column::new("n_reports".into(), self.n_reports),
        ]);
        for (name, q) in quad_names.iter().zip(self.quad) {
            cols.push(Column::new((*name).into(), q));
        }
        for (name, v) in [
            ("goldstein_sum", self.goldstein_sum),
            ("goldstein_mean", self.goldstein_mean),
            ("weight_sum", self.weight_sum),
            ("coop_mass", self.coop_mass),
            ("conflict_mass", self.conflict_mass),
            ("score", self.score),
        ] {
            cols.push(Column::new(name.into(), v));
        }
        for (name, v) in [("first_date", self.first_date), ("last_date", self.last_date)] {
            cols.push(Column::new(name.into(), v).cast(&DataType::Date).map_err(Error::polars("score"))?);
        }
        DataFrame::new(height, cols).map_err(Error::polars("score"))
    }
}
