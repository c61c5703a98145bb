//! Stage 3a, marts: the published tables built from the normalized rows with
//! polars lazy plans — CAMEO attributes and top actors joined onto events,
//! counts per actor and article, sorted as the schemas say.

use crate::edtf::epoch_days;
use crate::ledger::Reject;
use crate::normalize::{NActor, NArticle, NEvent, NMention};
use crate::problem::{Error, Result};
use crate::reference::Reference;
use polars::prelude::*;
use rustc_hash::FxHashMap as HashMap;

pub(crate) fn text(name: &str, v: Vec<Option<String>>) -> Column {
    Column::new(name.into(), v)
}

pub(crate) fn date(name: &str, v: Vec<i32>) -> PolarsResult<Column> {
    Column::new(name.into(), v).cast(&DataType::Date)
}

fn i64c(name: &str, v: Vec<i64>) -> Column {
    Column::new(name.into(), v)
}

fn frame(columns: Vec<Column>) -> PolarsResult<DataFrame> {
    DataFrame::new_infer_height(columns)
}

/// Sort keys as polars expressions, nulls first (as the Parquet sorting
/// metadata says).
pub(crate) fn sort_options(n: usize) -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_order_descending_multi(vec![false; n])
        .with_nulls_last(false)
        .with_maintain_order(true)
}

/// The CAMEO reference as a frame to join on `code`.
pub fn codes_frame(reference: &Reference) -> PolarsResult<DataFrame> {
    let codes: Vec<&crate::reference::CameoCode> = reference.iter().collect();
    frame(vec![
        Column::new("code".into(), codes.iter().map(|c| c.code.clone()).collect::<Vec<_>>()),
        Column::new("base_code".into(), codes.iter().map(|c| c.base_code.clone()).collect::<Vec<_>>()),
        Column::new("root_code".into(), codes.iter().map(|c| c.root_code.clone()).collect::<Vec<_>>()),
        Column::new("code_label".into(), codes.iter().map(|c| c.label.clone()).collect::<Vec<_>>()),
        Column::new("quad_class".into(), codes.iter().map(|c| c.quad_class).collect::<Vec<i32>>()),
        Column::new("goldstein".into(), codes.iter().map(|c| c.goldstein).collect::<Vec<f64>>()),
        text("plover", codes.iter().map(|c| c.plover.clone()).collect()),
    ])
}

/// The published codes table: every code of the reference with its labels,
/// the labels of its base and root, QuadClass, Goldstein value and PLOVER
/// category, sorted by code.
pub fn codes_table(reference: &Reference) -> Result<DataFrame> {
    let codes: Vec<&crate::reference::CameoCode> = reference.iter().collect();
    let label_of = |code: &str| reference.get(code).map_or_else(String::new, |c| c.label.clone());
    let quad_label =
        |q: i32| crate::reference::QUAD_CLASSES.iter().find(|(n, _)| *n == q).map_or("", |(_, l)| *l).to_string();
    frame(vec![
        Column::new("code".into(), codes.iter().map(|c| c.code.clone()).collect::<Vec<_>>()),
        Column::new("label".into(), codes.iter().map(|c| c.label.clone()).collect::<Vec<_>>()),
        Column::new("base_code".into(), codes.iter().map(|c| c.base_code.clone()).collect::<Vec<_>>()),
        Column::new("base_label".into(), codes.iter().map(|c| label_of(&c.base_code)).collect::<Vec<_>>()),
        Column::new("root_code".into(), codes.iter().map(|c| c.root_code.clone()).collect::<Vec<_>>()),
        Column::new("root_label".into(), codes.iter().map(|c| label_of(&c.root_code)).collect::<Vec<_>>()),
        Column::new("quad_class".into(), codes.iter().map(|c| c.quad_class).collect::<Vec<i32>>()),
        Column::new("quad_class_label".into(), codes.iter().map(|c| quad_label(c.quad_class)).collect::<Vec<_>>()),
        Column::new("goldstein".into(), codes.iter().map(|c| c.goldstein).collect::<Vec<f64>>()),
        text("plover", codes.iter().map(|c| c.plover.clone()).collect()),
        text("plover_mode", codes.iter().map(|c| c.plover_mode.clone()).collect()),
        text("plover_context", codes.iter().map(|c| c.plover_context.clone()).collect()),
    ])
    .and_then(|df| df.lazy().sort(["code"], sort_options(1)).collect())
    .map_err(Error::polars("marts"))
}

fn raw_cols<'a>(srcs: impl Iterator<Item = &'a crate::ledger::RowSrc> + Clone) -> [Column; 2] {
    [
        Column::new("raw_file".into(), srcs.clone().map(|s| s.rel_file.to_string()).collect::<Vec<_>>()),
        i64c("raw_line", srcs.map(|s| s.line as i64).collect()),
    ]
}

/// Counts per actor and per article, accumulated batch by batch.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    /// actor -> published events with the actor as source or target
    pub actor_events: HashMap<String, i64>,
    pub actor_mentions: HashMap<String, i64>,
    pub article_events: HashMap<String, i64>,
    pub article_mentions: HashMap<String, i64>,
}

impl Counts {
    pub fn add_event(&mut self, e: &NEvent) {
        bump(&mut self.article_events, &e.article_id);
        bump(&mut self.actor_events, &e.source_id);
        if let Some(t) = e.target_id.as_ref().filter(|t| **t != e.source_id) {
            bump(&mut self.actor_events, t);
        }
    }

    pub fn add_mention(&mut self, m: &NMention) {
        bump(&mut self.article_mentions, &m.article_id);
        bump(&mut self.actor_mentions, &m.actor_id);
    }

    /// Adds the counts of another shard.
    pub fn absorb(&mut self, other: Counts) {
        for (mine, theirs) in [
            (&mut self.actor_events, other.actor_events),
            (&mut self.actor_mentions, other.actor_mentions),
            (&mut self.article_events, other.article_events),
            (&mut self.article_mentions, other.article_mentions),
        ] {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
    }
}

/// Adds one to a key's count (the key is copied only the first time).
fn bump(counts: &mut HashMap<String, i64>, key: &str) {
    match counts.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            counts.insert(key.to_string(), 1);
        }
    }
}

fn count_frame(key: &str, name: &str, counts: &HashMap<String, i64>) -> PolarsResult<LazyFrame> {
    let (k, v): (Vec<&str>, Vec<i64>) = counts.iter().map(|(k, v)| (k.as_str(), *v)).unzip();
    Ok(frame(vec![Column::new(key.into(), k), Column::new(name.into(), v)])?.lazy())
}

/// Each actor's top: the frame joined onto events and mentions.
pub fn tops_frame(a: &[NActor]) -> PolarsResult<DataFrame> {
    frame(vec![
        Column::new("actor_id".into(), a.iter().map(|x| x.actor_id.as_str()).collect::<Vec<_>>()),
        Column::new("top_id".into(), a.iter().map(|x| x.top_id.as_str()).collect::<Vec<_>>()),
    ])
}

/// The actors table.
pub fn actors_frame(a: &[NActor], counts: &Counts) -> Result<DataFrame> {
    actors_plan(a, counts).map_err(Error::polars("marts"))
}

fn actors_plan(a: &[NActor], counts: &Counts) -> PolarsResult<DataFrame> {
    let [rf, rl] = raw_cols(a.iter().map(|x| &x.src));
    let frame = frame(vec![
        Column::new("actor_id".into(), a.iter().map(|x| x.actor_id.clone()).collect::<Vec<_>>()),
        Column::new("name".into(), a.iter().map(|x| x.name.clone()).collect::<Vec<_>>()),
        Column::new("type".into(), a.iter().map(|x| x.actor_type.clone()).collect::<Vec<_>>()),
        text("country", a.iter().map(|x| x.country.clone()).collect()),
        text("parent_id", a.iter().map(|x| x.parent_id.clone()).collect()),
        Column::new("top_id".into(), a.iter().map(|x| x.top_id.clone()).collect::<Vec<_>>()),
        Column::new("depth".into(), a.iter().map(|x| x.depth as i32).collect::<Vec<i32>>()),
        Column::new(
            "aliases".into(),
            a.iter().map(|x| Series::new("".into(), x.aliases.clone())).collect::<Vec<Series>>(),
        )
        .cast(&DataType::List(Box::new(DataType::String)))?,
        text("notes", a.iter().map(|x| x.notes.clone()).collect()),
        rf,
        rl,
    ])?;
    with_counts(frame, "actor_id", [("mention_count", &counts.actor_mentions), ("event_count", &counts.actor_events)])
}

/// Joins counts per key onto a dimension table (0 where a key has none) and
/// sorts it by the key.
fn with_counts(frame: DataFrame, key: &str, counts: [(&str, &HashMap<String, i64>); 2]) -> PolarsResult<DataFrame> {
    let mut lf = frame.lazy();
    for (name, c) in counts {
        lf = lf
            .join(count_frame(key, name, c)?, [col(key)], [col(key)], JoinArgs::new(JoinType::Left))
            .with_column(col(name).fill_null(lit(0i64)));
    }
    lf.sort([key], sort_options(1)).collect()
}

/// A batch of the events table: CAMEO attributes and top actors joined on,
/// sorted as the schema says.
/// `incidents` holds each row's [`incident_hash`], in the rows' order.
pub fn events_frame(e: &[NEvent], incidents: &[u128], codes: &DataFrame, tops: &DataFrame) -> Result<DataFrame> {
    events_plan(e, incidents, codes, tops).map_err(Error::polars("marts"))
}

fn events_plan(e: &[NEvent], incidents: &[u128], codes: &DataFrame, tops: &DataFrame) -> PolarsResult<DataFrame> {
    let [rf, rl] = raw_cols(e.iter().map(|x| &x.src));
    let tops = tops.clone().lazy();
    frame(vec![
        Column::new("event_key".into(), e.iter().map(|x| x.event_key.as_str()).collect::<Vec<_>>()),
        Column::new(
            "incident_id".into(),
            incidents.iter().map(|&h| crate::score::incident_id_of(h)).collect::<Vec<_>>(),
        ),
        Column::new("article_id".into(), e.iter().map(|x| x.article_id.as_str()).collect::<Vec<_>>()),
        Column::new("event_id".into(), e.iter().map(|x| x.event_id.as_str()).collect::<Vec<_>>()),
        Column::new("source_id".into(), e.iter().map(|x| x.source_id.as_str()).collect::<Vec<_>>()),
        Column::new("target_id".into(), e.iter().map(|x| x.target_id.as_deref()).collect::<Vec<_>>()),
        Column::new("code".into(), e.iter().map(|x| x.code.as_str()).collect::<Vec<_>>()),
        Column::new("mode".into(), e.iter().map(|x| x.mode.as_str()).collect::<Vec<_>>()),
        Column::new("confidence".into(), e.iter().map(|x| x.confidence).collect::<Vec<f64>>()),
        date("date_start", e.iter().map(|x| epoch_days(x.date.first)).collect())?,
        date("date_end", e.iter().map(|x| epoch_days(x.date.last)).collect())?,
        Column::new("date_precision".into(), e.iter().map(|x| x.date.precision.as_str()).collect::<Vec<_>>()),
        Column::new("date_approximate".into(), e.iter().map(|x| x.date.approximate).collect::<Vec<bool>>()),
        Column::new("date_uncertain".into(), e.iter().map(|x| x.date.uncertain).collect::<Vec<bool>>()),
        Column::new("date_edtf".into(), e.iter().map(|x| x.date_raw.as_str()).collect::<Vec<_>>()),
        Column::new("date_text".into(), e.iter().map(|x| x.date_text.as_deref()).collect::<Vec<_>>()),
        Column::new("quantity".into(), e.iter().map(|x| x.quantity).collect::<Vec<Option<i64>>>()),
        Column::new("quantity_unit".into(), e.iter().map(|x| x.quantity_unit.as_deref()).collect::<Vec<_>>()),
        Column::new("location".into(), e.iter().map(|x| x.location.as_deref()).collect::<Vec<_>>()),
        Column::new("evidence".into(), e.iter().map(|x| x.evidence.as_str()).collect::<Vec<_>>()),
        i64c("evidence_start", e.iter().map(|x| x.evidence_start as i64).collect()),
        i64c("evidence_end", e.iter().map(|x| x.evidence_end as i64).collect()),
        Column::new("sentence".into(), e.iter().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), e.iter().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        Column::new("annotator".into(), e.iter().map(|x| x.annotator.as_deref()).collect::<Vec<_>>()),
        Column::new("notes".into(), e.iter().map(|x| x.notes.as_deref()).collect::<Vec<_>>()),
        rf,
        rl,
    ])?
    .lazy()
    .join(codes.clone().lazy(), [col("code")], [col("code")], JoinArgs::new(JoinType::Left))
    .join(
        tops.clone().select([col("actor_id").alias("source_id"), col("top_id").alias("source_top_id")]),
        [col("source_id")],
        [col("source_id")],
        JoinArgs::new(JoinType::Left),
    )
    .join(
        tops.select([col("actor_id").alias("target_id"), col("top_id").alias("target_top_id")]),
        [col("target_id")],
        [col("target_id")],
        JoinArgs::new(JoinType::Left),
    )
    .sort(
        crate::catalogue::EVENTS.sort_by.iter().map(|s| PlSmallStr::from(*s)).collect::<Vec<_>>(),
        sort_options(crate::catalogue::EVENTS.sort_by.len()),
    )
    .collect()
}

/// The incident an event row reports (see [`crate::score::incident_key`]).
pub fn incident_hash(e: &NEvent) -> u128 {
    let (start, end) = (epoch_days(e.date.first), epoch_days(e.date.last));
    crate::score::incident_hash(&e.source_id, e.target_id.as_deref(), &e.code, start, end)
}

/// A batch of the mentions table, with top actors, sorted by article and
/// place.
pub fn mentions_frame(m: &[NMention], tops: &DataFrame) -> Result<DataFrame> {
    mentions_plan(m, tops).map_err(Error::polars("marts"))
}

fn mentions_plan(m: &[NMention], tops: &DataFrame) -> PolarsResult<DataFrame> {
    let [rf, rl] = raw_cols(m.iter().map(|x| &x.src));
    frame(vec![
        Column::new("article_id".into(), m.iter().map(|x| x.article_id.as_str()).collect::<Vec<_>>()),
        Column::new("actor_id".into(), m.iter().map(|x| x.actor_id.as_str()).collect::<Vec<_>>()),
        Column::new("text".into(), m.iter().map(|x| x.text.as_str()).collect::<Vec<_>>()),
        i64c("start", m.iter().map(|x| x.start as i64).collect()),
        i64c("end", m.iter().map(|x| x.end as i64).collect()),
        Column::new("sentence".into(), m.iter().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), m.iter().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        Column::new("annotator".into(), m.iter().map(|x| x.annotator.as_deref()).collect::<Vec<_>>()),
        Column::new("notes".into(), m.iter().map(|x| x.notes.as_deref()).collect::<Vec<_>>()),
        rf,
        rl,
    ])?
    .lazy()
    .join(tops.clone().lazy(), [col("actor_id")], [col("actor_id")], JoinArgs::new(JoinType::Left))
    .sort(["article_id", "start", "end"], sort_options(3))
    .collect()
}

/// The articles table.
pub fn articles_frame(r: &[NArticle], counts: &Counts) -> Result<DataFrame> {
    articles_plan(r, counts).map_err(Error::polars("marts"))
}

fn articles_plan(r: &[NArticle], counts: &Counts) -> PolarsResult<DataFrame> {
    let [rf, rl] = raw_cols(r.iter().map(|x| &x.src));
    let frame = frame(vec![
        Column::new("article_id".into(), r.iter().map(|x| x.article_id.clone()).collect::<Vec<_>>()),
        Column::new("title".into(), r.iter().map(|x| x.title.clone()).collect::<Vec<_>>()),
        Column::new("published".into(), r.iter().map(|x| x.published_raw.clone()).collect::<Vec<_>>()),
        date("published_start", r.iter().map(|x| epoch_days(x.published.first)).collect())?,
        date("published_end", r.iter().map(|x| epoch_days(x.published.last)).collect())?,
        Column::new("published_approximate".into(), r.iter().map(|x| x.published.approximate).collect::<Vec<bool>>()),
        Column::new("language".into(), r.iter().map(|x| x.language.clone()).collect::<Vec<_>>()),
        text("outlet", r.iter().map(|x| x.outlet.clone()).collect()),
        text("url", r.iter().map(|x| x.url.clone()).collect()),
        Column::new("text_path".into(), r.iter().map(|x| x.text_path.clone()).collect::<Vec<_>>()),
        Column::new("text_sha256".into(), r.iter().map(|x| x.text_sha256.clone()).collect::<Vec<_>>()),
        i64c("text_chars", r.iter().map(|x| x.text_chars as i64).collect()),
        text("notes", r.iter().map(|x| x.notes.clone()).collect()),
        rf,
        rl,
    ])?;
    with_counts(
        frame,
        "article_id",
        [("event_count", &counts.article_events), ("mention_count", &counts.article_mentions)],
    )
}

/// The rejects table, sorted by table, file and line.
pub fn rejects_frame(rejects: &[Reject]) -> Result<DataFrame> {
    let r = rejects;
    let df = frame(vec![
        Column::new("table".into(), r.iter().map(|x| x.src.table.name()).collect::<Vec<_>>()),
        Column::new("file".into(), r.iter().map(|x| x.src.rel_file.to_string()).collect::<Vec<_>>()),
        i64c("line", r.iter().map(|x| x.src.line as i64).collect()),
        Column::new("column".into(), r.iter().map(|x| x.column.map(|c| c as i32)).collect::<Vec<Option<i32>>>()),
        Column::new("stage".into(), r.iter().map(|x| x.stage.to_string()).collect::<Vec<_>>()),
        Column::new("rule".into(), r.iter().map(|x| x.rule.id()).collect::<Vec<_>>()),
        Column::new("severity".into(), r.iter().map(|x| x.severity.to_string()).collect::<Vec<_>>()),
        Column::new("message".into(), r.iter().map(|x| x.message.clone()).collect::<Vec<_>>()),
        text("hint", r.iter().map(|x| x.hint.clone()).collect()),
        Column::new("raw_record".into(), r.iter().map(|x| x.src.record_json()).collect::<Vec<_>>()),
    ])
    .and_then(|df| df.lazy().sort(["table", "file", "line"], sort_options(3)).collect())
    .map_err(Error::polars("rejects"))?;
    Ok(df)
}
