//! The one pass the page makes over the light columns of the events: the
//! timeline, and the latest reports of every dyad whose evidence it carries.

use super::actors::Actors;
use super::evidence::Evidence;
use super::read::{each_batch, opt};
use super::scores::Scores;
use super::timeline::Timeline;
use super::{day, DyadKey};
use crate::problem::Result;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;
use std::path::Path;

/// What the timeline and the choice of reports need of every event.
const LIGHT_COLS: [&str; 9] = [
    "source_id",
    "target_id",
    "source_top_id",
    "target_top_id",
    "quad_class",
    "date_start",
    "date_end",
    "date_precision",
    "date_approximate",
];

/// One pass over the light columns of the events: the timeline, and the
/// latest reports of every selected dyad; then those reports alone, whole.
pub(super) fn events(path: &Path, actors: &Actors, scores: &Scores, selected: &[DyadKey]) -> Result<(Value, Evidence)> {
    let mut ev = Evidence::new(selected, &scores.periods);
    let mut row0 = 0u64;
    let year_ix: HashMap<i32, u16> =
        scores.periods.iter().enumerate().filter_map(|(i, p)| Some((p.parse().ok()?, i as u16))).collect();
    let mut timeline = Timeline::default();
    each_batch(path, &LIGHT_COLS, |b| {
        let (src, tgt, stop, ttop) =
            (b.str("source_id")?, b.str("target_id")?, b.str("source_top_id")?, b.str("target_top_id")?);
        let (quad, ds, de) = (b.i32("quad_class")?, b.date("date_start")?, b.date("date_end")?);
        let (prec, approx) = (b.str("date_precision")?, b.bool("date_approximate")?);
        for i in 0..b.rows() {
            timeline.add(quad.value(i), ds.value(i), de.value(i), || prec.value(i) == "day" && !approx.value(i));
            let (Some(t), Some(tt)) = (opt(tgt, i), opt(ttop, i)) else { continue };
            let period = year_ix.get(&{
                use chrono::Datelike;
                day(ds.value(i)).year()
            });
            ev.note(row0 + i as u64, actors, (stop.value(i), tt), (src.value(i), t), period.copied());
        }
        row0 += b.rows() as u64;
        Ok(())
    })?;
    ev.read_reports(path)?;
    Ok((timeline.json(), ev))
}
