//! Stage 3b, where relationship scores are computed: one row per dyad, level
//! (`actor`, `top`), direction and period (`all` and each calendar year).
//!
//! Each event row gets a weight w = confidence x mode weight (asserted 1,
//! alleged 0.5, planned 0.25, negated 0 by default). Rows of different
//! articles that describe the same real-world event (same source, target,
//! code and date span) are merged into one incident with the largest weight.
//! Per dyad,
//!
//! ```text
//! C = sum over cooperative incidents of w * goldstein / 10
//! K = sum over conflictual incidents of w * |goldstein| / 10
//! score = (C - K) / (C + K + k)
//! ```
//!
//! with k = `score.shrinkage` (default 2). The score lies strictly inside
//! (-1, 1), grows with every cooperative incident and falls with every
//! conflictual one, and stays near 0 for dyads with little evidence.

use crate::config::ScoreConfig;
use crate::marts::sort_options;
use crate::problem::{Error, Result};
use polars::prelude::*;

/// Merges event rows into incidents and computes their weights and masses.
/// Expects the events table (with top ids, Goldstein values and QuadClass).
pub fn incidents(events: LazyFrame, cfg: &ScoreConfig) -> LazyFrame {
    let w = &cfg.mode_weight;
    let mode_weight = when(col("mode").eq(lit("asserted")))
        .then(lit(w.asserted))
        .when(col("mode").eq(lit("alleged")))
        .then(lit(w.alleged))
        .when(col("mode").eq(lit("planned")))
        .then(lit(w.planned))
        .otherwise(lit(w.negated));
    events
        .filter(col("target_id").is_not_null().and(col("source_id").neq(col("target_id"))))
        .with_column((col("confidence") * mode_weight).alias("weight"))
        .group_by([
            col("source_id"),
            col("target_id"),
            col("source_top_id"),
            col("target_top_id"),
            col("code"),
            col("quad_class"),
            col("goldstein"),
            col("date_start"),
            col("date_end"),
        ])
        .agg([col("weight").max().alias("weight"), len().cast(DataType::Int64).alias("n_reports")])
        .with_columns([
            col("date_start").dt().year().cast(DataType::String).alias("year"),
            when(col("goldstein").gt(lit(0.0)))
                .then(col("weight") * col("goldstein") / lit(10.0))
                .otherwise(lit(0.0))
                .alias("coop"),
            when(col("goldstein").lt(lit(0.0)))
                .then(col("weight") * col("goldstein") / lit(-10.0))
                .otherwise(lit(0.0))
                .alias("conflict"),
        ])
}

fn quad(n: i32, name: &str) -> Expr {
    col("quad_class").eq(lit(n)).cast(DataType::Int64).sum().alias(name)
}

fn aggregate(frame: LazyFrame, level: &str, directed: bool, shrinkage: f64) -> LazyFrame {
    frame
        .group_by([col("period"), col("actor_a"), col("actor_b")])
        .agg([
            len().cast(DataType::Int64).alias("n_events"),
            col("n_reports").sum().cast(DataType::Int64).alias("n_reports"),
            quad(1, "n_verbal_coop"),
            quad(2, "n_material_coop"),
            quad(3, "n_verbal_conflict"),
            quad(4, "n_material_conflict"),
            col("goldstein").sum().alias("goldstein_sum"),
            col("goldstein").mean().alias("goldstein_mean"),
            col("weight").sum().alias("weight_sum"),
            col("coop").sum().alias("coop_mass"),
            col("conflict").sum().alias("conflict_mass"),
            col("date_start").min().alias("first_date"),
            col("date_end").max().alias("last_date"),
        ])
        .with_columns([
            lit(level).alias("level"),
            lit(directed).alias("directed"),
            ((col("coop_mass") - col("conflict_mass")) / (col("coop_mass") + col("conflict_mass") + lit(shrinkage)))
                .alias("score"),
        ])
}

/// The relationship_scores table.
pub fn relationship_scores(events: &DataFrame, cfg: &ScoreConfig) -> Result<DataFrame> {
    let inc = incidents(events.clone().lazy(), cfg);
    let mut frames = Vec::new();
    for (level, a, b) in [("actor", "source_id", "target_id"), ("top", "source_top_id", "target_top_id")] {
        for directed in [true, false] {
            let (ea, eb) = if directed {
                (col(a), col(b))
            } else {
                (
                    when(col(a).lt_eq(col(b))).then(col(a)).otherwise(col(b)),
                    when(col(a).lt_eq(col(b))).then(col(b)).otherwise(col(a)),
                )
            };
            let dyads = inc
                .clone()
                .with_columns([ea.alias("actor_a"), eb.alias("actor_b")])
                // an actor's dealings with itself (a ministry with its own
                // government, rolled up) are not a relationship
                .filter(col("actor_a").neq(col("actor_b")));
            for period in [lit("all"), col("year")] {
                frames.push(aggregate(
                    dyads.clone().with_column(period.alias("period")),
                    level,
                    directed,
                    cfg.shrinkage,
                ));
            }
        }
    }
    let order = crate::schema::RELATIONSHIP_SCORES.sort_by;
    concat(frames, UnionArgs::default())
        .and_then(|lf| {
            lf.sort(order.iter().map(|s| PlSmallStr::from(*s)).collect::<Vec<_>>(), sort_options(order.len())).collect()
        })
        .map_err(Error::polars("score"))
}
