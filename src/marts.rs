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

/// What the rows of events and mentions are joined with: each actor's top
/// (the end of its parent chain) and the CAMEO reference.
pub struct Joins<'a> {
    pub top_of: &'a HashMap<&'a str, &'a str>,
    pub reference: &'a Reference,
}

impl<'a> Joins<'a> {
    fn top(&self, actor: &str) -> Option<&'a str> {
        self.top_of.get(actor).copied()
    }
}

/// The rows' order under the table's sort keys: a stable sort of row
/// indices, so that the columns are built once, already in order.
fn sorted_order<K: Ord>(n: usize, key: impl Fn(usize) -> K) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| key(i));
    order
}

/// A batch of the events table: CAMEO attributes and top actors looked up,
/// sorted as the schema says (`date_start`, `date_end`, `source_id`,
/// `target_id` with nulls first, `event_key`; rows of equal keys in their
/// given order). `incidents` holds each row's [`incident_hash`], in the
/// rows' order.
pub fn events_frame(e: &[NEvent], incidents: &[u128], joins: &Joins) -> Result<DataFrame> {
    events_plan(e, incidents, joins).map_err(Error::polars("marts"))
}

fn events_plan(e: &[NEvent], incidents: &[u128], joins: &Joins) -> PolarsResult<DataFrame> {
    debug_assert_eq!(
        crate::catalogue::EVENTS.sort_by,
        ["date_start", "date_end", "source_id", "target_id", "event_key"]
    );
    let order = sorted_order(e.len(), |i| {
        let x = &e[i];
        (epoch_days(x.date.first), epoch_days(x.date.last), &x.source_id, &x.target_id, &x.event_key)
    });
    let rows = || order.iter().map(|&i| &e[i]);
    let codes: Vec<Option<&crate::reference::CameoCode>> = rows().map(|x| joins.reference.get(&x.code)).collect();
    let [rf, rl] = raw_cols(rows().map(|x| &x.src));
    frame(vec![
        Column::new("event_key".into(), rows().map(|x| x.event_key.as_str()).collect::<Vec<_>>()),
        Column::new(
            "incident_id".into(),
            order.iter().map(|&i| crate::score::incident_id_of(incidents[i])).collect::<Vec<_>>(),
        ),
        Column::new("article_id".into(), rows().map(|x| x.article_id.as_str()).collect::<Vec<_>>()),
        Column::new("event_id".into(), rows().map(|x| x.event_id.as_str()).collect::<Vec<_>>()),
        Column::new("source_id".into(), rows().map(|x| x.source_id.as_str()).collect::<Vec<_>>()),
        Column::new("target_id".into(), rows().map(|x| x.target_id.as_deref()).collect::<Vec<_>>()),
        Column::new("code".into(), rows().map(|x| x.code.as_str()).collect::<Vec<_>>()),
        Column::new("mode".into(), rows().map(|x| x.mode.as_str()).collect::<Vec<_>>()),
        Column::new("confidence".into(), rows().map(|x| x.confidence).collect::<Vec<f64>>()),
        date("date_start", rows().map(|x| epoch_days(x.date.first)).collect())?,
        date("date_end", rows().map(|x| epoch_days(x.date.last)).collect())?,
        Column::new("date_precision".into(), rows().map(|x| x.date.precision.as_str()).collect::<Vec<_>>()),
        Column::new("date_approximate".into(), rows().map(|x| x.date.approximate).collect::<Vec<bool>>()),
        Column::new("date_uncertain".into(), rows().map(|x| x.date.uncertain).collect::<Vec<bool>>()),
        Column::new("date_edtf".into(), rows().map(|x| x.date_raw.as_str()).collect::<Vec<_>>()),
        Column::new("date_text".into(), rows().map(|x| x.date_text.as_deref()).collect::<Vec<_>>()),
        Column::new("quantity".into(), rows().map(|x| x.quantity).collect::<Vec<Option<i64>>>()),
        Column::new("quantity_unit".into(), rows().map(|x| x.quantity_unit.as_deref()).collect::<Vec<_>>()),
        Column::new("location".into(), rows().map(|x| x.location.as_deref()).collect::<Vec<_>>()),
        Column::new("evidence".into(), rows().map(|x| x.evidence.as_str()).collect::<Vec<_>>()),
        i64c("evidence_start", rows().map(|x| x.evidence_start as i64).collect()),
        i64c("evidence_end", rows().map(|x| x.evidence_end as i64).collect()),
        Column::new("sentence".into(), rows().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), rows().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        Column::new("annotator".into(), rows().map(|x| x.annotator.as_deref()).collect::<Vec<_>>()),
        Column::new("notes".into(), rows().map(|x| x.notes.as_deref()).collect::<Vec<_>>()),
        rf,
        rl,
        Column::new("base_code".into(), codes.iter().map(|c| c.map(|c| c.base_code.as_str())).collect::<Vec<_>>()),
        Column::new("root_code".into(), codes.iter().map(|c| c.map(|c| c.root_code.as_str())).collect::<Vec<_>>()),
        Column::new("code_label".into(), codes.iter().map(|c| c.map(|c| c.label.as_str())).collect::<Vec<_>>()),
        Column::new("quad_class".into(), codes.iter().map(|c| c.map(|c| c.quad_class)).collect::<Vec<Option<i32>>>()),
        Column::new("goldstein".into(), codes.iter().map(|c| c.map(|c| c.goldstein)).collect::<Vec<Option<f64>>>()),
        Column::new("plover".into(), codes.iter().map(|c| c.and_then(|c| c.plover.as_deref())).collect::<Vec<_>>()),
        Column::new("source_top_id".into(), rows().map(|x| joins.top(&x.source_id)).collect::<Vec<_>>()),
        Column::new(
            "target_top_id".into(),
            rows().map(|x| x.target_id.as_deref().and_then(|t| joins.top(t))).collect::<Vec<_>>(),
        ),
    ])
}

/// The incident an event row reports (see [`crate::score::incident_key`]).
pub fn incident_hash(e: &NEvent) -> u128 {
    let (start, end) = (epoch_days(e.date.first), epoch_days(e.date.last));
    crate::score::incident_hash(&e.source_id, e.target_id.as_deref(), &e.code, start, end)
}

/// A batch of the mentions table, with top actors, sorted by article and
/// place (rows of equal keys in their given order).
pub fn mentions_frame(m: &[NMention], joins: &Joins) -> Result<DataFrame> {
    mentions_plan(m, joins).map_err(Error::polars("marts"))
}

fn mentions_plan(m: &[NMention], joins: &Joins) -> PolarsResult<DataFrame> {
    debug_assert_eq!(crate::catalogue::MENTIONS.sort_by, ["article_id", "start", "end"]);
    let order = sorted_order(m.len(), |i| (&m[i].article_id, m[i].start, m[i].end));
    let rows = || order.iter().map(|&i| &m[i]);
    let [rf, rl] = raw_cols(rows().map(|x| &x.src));
    frame(vec![
        Column::new("article_id".into(), rows().map(|x| x.article_id.as_str()).collect::<Vec<_>>()),
        Column::new("actor_id".into(), rows().map(|x| x.actor_id.as_str()).collect::<Vec<_>>()),
        Column::new("text".into(), rows().map(|x| x.text.as_str()).collect::<Vec<_>>()),
        i64c("start", rows().map(|x| x.start as i64).collect()),
        i64c("end", rows().map(|x| x.end as i64).collect()),
        Column::new("sentence".into(), rows().map(|x| x.sentence as i32).collect::<Vec<i32>>()),
        Column::new("paragraph".into(), rows().map(|x| x.paragraph as i32).collect::<Vec<i32>>()),
        Column::new("annotator".into(), rows().map(|x| x.annotator.as_deref()).collect::<Vec<_>>()),
        Column::new("notes".into(), rows().map(|x| x.notes.as_deref()).collect::<Vec<_>>()),
        rf,
        rl,
        Column::new("top_id".into(), rows().map(|x| joins.top(&x.actor_id)).collect::<Vec<_>>()),
    ])
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edtf::{DateSpan, Precision};
    use crate::ledger::{Fields, RowSrc};
    use crate::problem::Table;
    use chrono::NaiveDate;
    use std::sync::Arc;

    fn src(line: u64) -> RowSrc {
        RowSrc {
            table: Table::Events,
            file: Arc::from("raw/events.csv"),
            rel_file: Arc::from("events.csv"),
            line,
            header: Arc::from(Vec::<String>::new()),
            fields: Fields::default(),
        }
    }

    fn event(line: u64, day: u32, source: &str, target: Option<&str>, key: &str, code: &str) -> NEvent {
        let d = NaiveDate::from_ymd_opt(2024, 3, day).unwrap();
        NEvent {
            src: src(line),
            event_key: key.into(),
            article_id: "a1".into(),
            event_id: format!("e{line}"),
            source_id: source.into(),
            target_id: target.map(str::to_string),
            code: code.into(),
            mode: "verbal".into(),
            confidence: 1.0,
            date_raw: d.to_string(),
            date: DateSpan { first: d, last: d, precision: Precision::Day, approximate: false, uncertain: false },
            date_text: None,
            quantity: None,
            quantity_unit: None,
            location: None,
            evidence: "x".into(),
            evidence_start: 0,
            evidence_end: 1,
            sentence: 1,
            paragraph: 1,
            annotator: None,
            notes: None,
        }
    }

    fn strs(df: &DataFrame, c: &str) -> Vec<Option<String>> {
        df.column(c).unwrap().str().unwrap().iter().map(|v| v.map(str::to_string)).collect()
    }

    #[test]
    fn events_come_in_the_schemas_order_nulls_first_ties_as_given_with_lookups() {
        let rows = vec![
            event(2, 9, "B", Some("A"), "k2", "042"),
            event(3, 5, "A", Some("B"), "k3", "190"),
            event(4, 5, "A", None, "k4", "010"),
            event(5, 5, "A", Some("B"), "k3", "190"),
            event(6, 5, "A", Some("Z"), "k1", "999"),
        ];
        let hashes: Vec<u128> = (0..rows.len() as u128).collect();
        let top_of: HashMap<&str, &str> = [("A", "TOP"), ("B", "B")].into_iter().collect();
        let joins = Joins { top_of: &top_of, reference: Reference::builtin() };
        let df = events_frame(&rows, &hashes, &joins).unwrap();
        // the same rows sorted by polars itself, nulls first and stable
        let oracle =
            df.clone().lazy().sort(crate::catalogue::EVENTS.sort_by.to_vec(), sort_options(5)).collect().unwrap();
        assert!(df.equals_missing(&oracle));
        let lines: Vec<i64> = df.column("raw_line").unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!(lines, [4, 3, 5, 6, 2]);
        assert_eq!(strs(&df, "incident_id"), [2, 1, 3, 4, 0].map(|i| Some(crate::score::incident_id_of(i))).to_vec());
        assert_eq!(
            strs(&df, "source_top_id"),
            [Some("TOP"), Some("TOP"), Some("TOP"), Some("TOP"), Some("B")].map(|s| s.map(str::to_string)).to_vec()
        );
        assert_eq!(
            strs(&df, "target_top_id"),
            [None, Some("B"), Some("B"), None, Some("TOP")].map(|s| s.map(str::to_string)).to_vec()
        );
        let reference = Reference::builtin();
        let base = |c: &str| reference.get(c).map(|c| c.base_code.clone());
        assert_eq!(strs(&df, "base_code"), vec![base("010"), base("190"), base("190"), None, base("042")]);
        let quad: Vec<Option<i32>> = df.column("quad_class").unwrap().i32().unwrap().iter().collect();
        assert_eq!(quad[0], reference.get("010").map(|c| c.quad_class));
        assert_eq!(quad[3], None);
    }

    #[test]
    fn mentions_come_by_article_and_place_ties_as_given() {
        let m = |line: u64, article: &str, actor: &str, start: usize| NMention {
            src: src(line),
            article_id: article.into(),
            actor_id: actor.into(),
            text: "x".into(),
            start,
            end: start + 1,
            sentence: 1,
            paragraph: 1,
            annotator: None,
            notes: None,
        };
        let rows = vec![m(2, "b", "A", 0), m(3, "a", "B", 7), m(4, "a", "A", 7), m(5, "a", "Q", 1)];
        let top_of: HashMap<&str, &str> = [("A", "TOP"), ("B", "B")].into_iter().collect();
        let df = mentions_frame(&rows, &Joins { top_of: &top_of, reference: Reference::builtin() }).unwrap();
        let lines: Vec<i64> = df.column("raw_line").unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!(lines, [5, 3, 4, 2]);
        assert_eq!(
            strs(&df, "top_id"),
            [None, Some("B"), Some("TOP"), Some("TOP")].map(|s| s.map(str::to_string)).to_vec()
        );
    }
}
