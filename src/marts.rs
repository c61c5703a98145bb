//! Stage 3a, marts: the published tables built from the normalized rows with
//! polars lazy plans — CAMEO attributes and top actors joined onto events,
//! counts per actor and article, sorted as the schemas say.

use crate::ledger::Reject;
use crate::normalize::dates::epoch_days;
use crate::normalize::Normalized;
use crate::problem::{Error, Result};
use crate::reference::Reference;
use polars::prelude::*;

/// The tables of a run, before publishing.
pub struct Marts {
    pub articles: DataFrame,
    pub actors: DataFrame,
    pub events: DataFrame,
    pub mentions: DataFrame,
    pub rejects: DataFrame,
}

impl Marts {
    /// No tables (a run that found its result already published).
    pub fn empty() -> Self {
        Marts {
            articles: DataFrame::empty(),
            actors: DataFrame::empty(),
            events: DataFrame::empty(),
            mentions: DataFrame::empty(),
            rejects: DataFrame::empty(),
        }
    }
}

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

fn raw_cols<'a>(srcs: impl Iterator<Item = &'a crate::ledger::RowSrc> + Clone) -> [Column; 2] {
    [
        Column::new("raw_file".into(), srcs.clone().map(|s| s.rel_file.to_string()).collect::<Vec<_>>()),
        i64c("raw_line", srcs.map(|s| s.line as i64).collect()),
    ]
}

pub fn build(n: &Normalized, reference: &Reference) -> Result<Marts> {
    build_frames(n, reference).map_err(Error::polars("marts"))
}

fn build_frames(n: &Normalized, reference: &Reference) -> PolarsResult<Marts> {
    // ---- actors (without counts) ----
    let a = &n.actors;
    let [rf, rl] = raw_cols(a.iter().map(|x| &x.src));
    let actors_base = frame(vec![
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
    let tops = actors_base.clone().lazy().select([col("actor_id"), col("top_id")]);

    // ---- events ----
    let e = &n.events;
    let [rf, rl] = raw_cols(e.iter().map(|x| &x.src));
    let events_base = frame(vec![
        Column::new("event_key".into(), e.iter().map(|x| x.event_key.clone()).collect::<Vec<_>>()),
        Column::new("article_id".into(), e.iter().map(|x| x.article_id.clone()).collect::<Vec<_>>()),
        Column::new("event_id".into(), e.iter().map(|x| x.event_id.clone()).collect::<Vec<_>>()),
        Column::new("source_id".into(), e.iter().map(|x| x.source_id.clone()).collect::<Vec<_>>()),
        text("target_id", e.iter().map(|x| x.target_id.clone()).collect()),
        Column::new("code".into(), e.iter().map(|x| x.code.clone()).collect::<Vec<_>>()),
        Column::new("mode".into(), e.iter().map(|x| x.mode.clone()).collect::<Vec<_>>()),
        Column::new("confidence".into(), e.iter().map(|x| x.confidence).collect::<Vec<f64>>()),
        date("date_start", e.iter().map(|x| epoch_days(x.date.first)).collect())?,
        date("date_end", e.iter().map(|x| epoch_days(x.date.last)).collect())?,
        Column::new("date_precision".into(), e.iter().map(|x| x.date.precision.as_str()).collect::<Vec<_>>()),
        Column::new("date_approximate".into(), e.iter().map(|x| x.date.approximate).collect::<Vec<bool>>()),
        Column::new("date_uncertain".into(), e.iter().map(|x| x.date.uncertain).collect::<Vec<bool>>()),
        Column::new("date_edtf".into(), e.iter().map(|x| x.date_raw.clone()).collect::<Vec<_>>()),
        text("date_text", e.iter().map(|x| x.date_text.clone()).collect()),
        Column::new("quantity".into(), e.iter().map(|x| x.quantity).collect::<Vec<Option<i64>>>()),
        text("quantity_unit", e.iter().map(|x| x.quantity_unit.clone()).collect()),
        text("location", e.iter().map(|x| x.location.clone()).collect()),
        Column::new("evidence".into(), e.iter().map(|x| x.evidence.clone()).collect::<Vec<_>>()),
        i64c("evidence_start", e.iter().map(|x| x.evidence_start as i64).collect()),
        i64c("evidence_end", e.iter().map(|x| x.evidence_end as i64).collect()),
        Column::new("sentence".into(), e.iter().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), e.iter().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        text("annotator", e.iter().map(|x| x.annotator.clone()).collect()),
        text("notes", e.iter().map(|x| x.notes.clone()).collect()),
        rf,
        rl,
    ])?;
    let codes = codes_frame(reference)?.lazy();
    let events = events_base
        .lazy()
        .join(codes, [col("code")], [col("code")], JoinArgs::new(JoinType::Left))
        .join(
            tops.clone().select([col("actor_id").alias("source_id"), col("top_id").alias("source_top_id")]),
            [col("source_id")],
            [col("source_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            tops.clone().select([col("actor_id").alias("target_id"), col("top_id").alias("target_top_id")]),
            [col("target_id")],
            [col("target_id")],
            JoinArgs::new(JoinType::Left),
        )
        .sort(
            crate::schema::EVENTS.sort_by.iter().map(|s| PlSmallStr::from(*s)).collect::<Vec<_>>(),
            sort_options(crate::schema::EVENTS.sort_by.len()),
        )
        .collect()?;

    // ---- mentions ----
    let m = &n.mentions;
    let [rf, rl] = raw_cols(m.iter().map(|x| &x.src));
    let mentions = frame(vec![
        Column::new("article_id".into(), m.iter().map(|x| x.article_id.clone()).collect::<Vec<_>>()),
        Column::new("actor_id".into(), m.iter().map(|x| x.actor_id.clone()).collect::<Vec<_>>()),
        Column::new("text".into(), m.iter().map(|x| x.text.clone()).collect::<Vec<_>>()),
        i64c("start", m.iter().map(|x| x.start as i64).collect()),
        i64c("end", m.iter().map(|x| x.end as i64).collect()),
        Column::new("sentence".into(), m.iter().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), m.iter().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        text("annotator", m.iter().map(|x| x.annotator.clone()).collect()),
        text("notes", m.iter().map(|x| x.notes.clone()).collect()),
        rf,
        rl,
    ])?
    .lazy()
    .join(tops.clone(), [col("actor_id")], [col("actor_id")], JoinArgs::new(JoinType::Left))
    .sort(["article_id", "start", "end"], sort_options(3))
    .collect()?;

    // ---- counts per actor: events as source or target (once per event), mentions ----
    let roles = concat(
        [
            events.clone().lazy().select([col("event_key"), col("source_id").alias("actor_id")]),
            events.clone().lazy().select([col("event_key"), col("target_id").alias("actor_id")]),
        ],
        UnionArgs::default(),
    )?
    .filter(col("actor_id").is_not_null())
    .unique(None, UniqueKeepStrategy::First)
    .group_by([col("actor_id")])
    .agg([len().cast(DataType::Int64).alias("event_count")]);
    let actor_mentions =
        mentions.clone().lazy().group_by([col("actor_id")]).agg([len().cast(DataType::Int64).alias("mention_count")]);
    let actors = actors_base
        .lazy()
        .join(actor_mentions, [col("actor_id")], [col("actor_id")], JoinArgs::new(JoinType::Left))
        .join(roles, [col("actor_id")], [col("actor_id")], JoinArgs::new(JoinType::Left))
        .with_columns([col("mention_count").fill_null(lit(0i64)), col("event_count").fill_null(lit(0i64))])
        .sort(["actor_id"], sort_options(1))
        .collect()?;

    // ---- articles ----
    let r = &n.articles;
    let [rf, rl] = raw_cols(r.iter().map(|x| &x.src));
    let article_events =
        events.clone().lazy().group_by([col("article_id")]).agg([len().cast(DataType::Int64).alias("event_count")]);
    let article_mentions =
        mentions.clone().lazy().group_by([col("article_id")]).agg([len().cast(DataType::Int64).alias("mention_count")]);
    let articles = frame(vec![
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
    ])?
    .lazy()
    .join(article_events, [col("article_id")], [col("article_id")], JoinArgs::new(JoinType::Left))
    .join(article_mentions, [col("article_id")], [col("article_id")], JoinArgs::new(JoinType::Left))
    .with_columns([col("event_count").fill_null(lit(0i64)), col("mention_count").fill_null(lit(0i64))])
    .sort(["article_id"], sort_options(1))
    .collect()?;

    Ok(Marts { articles, actors, events, mentions, rejects: DataFrame::empty() })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::ledger::Ledger;

    fn mini() -> Marts {
        let raw = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        let mut ledger = Ledger::new(&Config::default());
        let staged = crate::ingest::run(&raw, &mut ledger).unwrap();
        let n = crate::normalize::run(staged, Reference::builtin(), &mut ledger);
        assert!(ledger.rejects.is_empty());
        build(&n, Reference::builtin()).unwrap()
    }

    fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
        crate::gates::values(df, c)
    }

    #[test]
    fn events_get_code_attributes_and_top_actors_and_are_sorted_by_date() {
        let m = mini();
        let codes = strs(&m.events, "code");
        let labels = strs(&m.events, "code_label");
        let r = Reference::builtin();
        for (c, l) in codes.iter().zip(&labels) {
            assert_eq!(l.as_deref(), Some(r.get(c.as_deref().unwrap()).unwrap().label.as_str()));
        }
        let starts = strs(&m.events, "date_start");
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);
        let tops = strs(&m.events, "target_top_id");
        let targets = strs(&m.events, "target_id");
        let i = targets.iter().position(|t| t.as_deref() == Some("RUS.MEDIA")).unwrap();
        assert_eq!(tops[i].as_deref(), Some("RUS"));
        assert_eq!(m.events.column("date_start").unwrap().dtype(), &DataType::Date);
    }

    #[test]
    fn actors_and_articles_count_their_events_and_mentions() {
        let m = mini();
        let ids = strs(&m.actors, "actor_id");
        let events = strs(&m.actors, "event_count");
        let mentions = strs(&m.actors, "mention_count");
        let at = |id: &str| ids.iter().position(|x| x.as_deref() == Some(id)).unwrap();
        // RUS: e1 (source) and e2 (source); mentions Russie, La Russie, Moscou
        assert_eq!(events[at("RUS")].as_deref(), Some("2"));
        assert_eq!(mentions[at("RUS")].as_deref(), Some("3"));
        assert_eq!(events[at("AZE")].as_deref(), Some("3"));
        assert_eq!(strs(&m.articles, "event_count"), vec![Some("4".to_string())]);
        assert_eq!(strs(&m.articles, "mention_count"), vec![Some("8".to_string())]);
        assert_eq!(strs(&m.mentions, "top_id").iter().filter(|t| t.as_deref() == Some("RUS")).count(), 5);
    }
}
