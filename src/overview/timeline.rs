//! The page's timeline: events per month and QuadClass, those dated to the
//! day apart from those dated to a month or approximately, and those whose
//! span crosses months spread evenly over them.

use super::{day, round};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The timeline's counts by month index (years * 12 + month0).
#[derive(Default)]
pub(super) struct Timeline {
    /// [day-precise, month or approximate] counts per QuadClass
    exact: BTreeMap<i32, [[u64; 4]; 2]>,
    /// events across months, each spread evenly over its months
    coarse: BTreeMap<i32, [f64; 4]>,
    /// events day-precise, month or approximate, and across months
    counts: [u64; 3],
}

impl Timeline {
    /// Counts an event of `quad_class` dated `date_start` to `date_end`;
    /// `precise` tells whether it is dated to the day, not approximately.
    pub(super) fn add(&mut self, quad_class: i32, date_start: i32, date_end: i32, precise: impl FnOnce() -> bool) {
        let q = (quad_class.clamp(1, 4) - 1) as usize;
        let (m0, m1) = (month_of(date_start), month_of(date_end));
        if m0 == m1 {
            let precise = precise();
            self.exact.entry(m0).or_default()[usize::from(!precise)][q] += 1;
            self.counts[usize::from(!precise)] += 1;
        } else {
            let n = (m1 - m0 + 1).max(1) as f64;
            for m in m0..=m1.max(m0) {
                self.coarse.entry(m).or_default()[q] += 1.0 / n;
            }
            self.counts[2] += 1;
        }
    }

    /// The timeline as the page's JSON: every month from the first to the
    /// last, with its series.
    pub(super) fn json(&self) -> Value {
        let (exact, coarse, counts) = (&self.exact, &self.coarse, &self.counts);
        let first = exact.keys().chain(coarse.keys()).min().copied();
        let last = exact.keys().chain(coarse.keys()).max().copied();
        let mut months = Vec::new();
        let mut series_exact = vec![vec![0u64; 0]; 8];
        let mut series_coarse = vec![vec![0f64; 0]; 4];
        if let (Some(a), Some(z)) = (first, last) {
            for m in a..=z {
                months.push(format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1));
                let e = exact.get(&m).copied().unwrap_or_default();
                let c = coarse.get(&m).copied().unwrap_or_default();
                for q in 0..4 {
                    series_exact[q].push(e[0][q]);
                    series_exact[4 + q].push(e[1][q]);
                    series_coarse[q].push(round(c[q], 2));
                }
            }
        }
        json!({
            "months": months,
            "day": &series_exact[0..4],
            "month": &series_exact[4..8],
            "coarse": series_coarse,
            "counts": { "day": counts[0], "month_or_approximate": counts[1], "coarse": counts[2] },
        })
    }
}

/// The month index (years * 12 + month0) of a day.
fn month_of(d: i32) -> i32 {
    use chrono::Datelike;
    let d = day(d);
    d.year() * 12 + d.month0() as i32
}
