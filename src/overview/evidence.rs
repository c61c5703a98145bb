//! The evidence the page carries: the latest reports of the dyads it shows,
//! each with its article's title and the passage around its evidence span.

use super::actors::Actors;
use super::page::script_json;
use super::read::{each_batch, each_selected, opt, Batch};
use super::{date, DyadKey, EVIDENCE_BYTES, EVIDENCE_PER_DYAD, LEVELS, PASSAGE_CHARS};
use crate::digest::sha256_hex;
use crate::problem::{Error, Result, TableFileError};
use rustc_hash::FxHashMap as HashMap;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::path::Path;

/// A report listed as evidence.
struct Ev {
    key: String,
    article: String,
    src: String,
    tgt: String,
    code: String,
    label: String,
    quad: i32,
    goldstein: f64,
    mode: String,
    start: i32,
    end: i32,
    precision: String,
    approximate: bool,
    uncertain: bool,
    edtf: String,
    date_text: Option<String>,
    evidence: String,
    ev_start: i64,
    ev_end: i64,
    file: String,
    line: i64,
}

/// The evidence the page carries: the dyads selected, in their order of
/// priority, with their latest reports, and those reports read whole.
pub(super) struct Evidence {
    dyads: Vec<DyadKey>,
    periods: Vec<String>,
    /// per dyad, the latest reports (row numbers in `events.parquet`)
    lists: HashMap<DyadKey, VecDeque<u64>>,
    events: HashMap<u64, Ev>,
}

/// What a report listed as evidence shows.
const EVENT_COLS: [&str; 23] = [
    "event_key",
    "article_id",
    "source_id",
    "target_id",
    "source_top_id",
    "target_top_id",
    "code",
    "code_label",
    "quad_class",
    "goldstein",
    "mode",
    "date_start",
    "date_end",
    "date_precision",
    "date_approximate",
    "date_uncertain",
    "date_edtf",
    "date_text",
    "evidence",
    "evidence_start",
    "evidence_end",
    "raw_file",
    "raw_line",
];

/// The report in row `i` of a batch of [`EVENT_COLS`].
fn event_row(b: &Batch, i: usize) -> Result<Ev> {
    let s = |c: &str| -> Result<String> { Ok(b.str(c)?.value(i).to_string()) };
    Ok(Ev {
        key: s("event_key")?,
        article: s("article_id")?,
        src: s("source_id")?,
        tgt: opt(b.str("target_id")?, i).unwrap_or("").to_string(),
        code: s("code")?,
        label: s("code_label")?,
        quad: b.i32("quad_class")?.value(i),
        goldstein: b.f64("goldstein")?.value(i),
        mode: s("mode")?,
        start: b.date("date_start")?.value(i),
        end: b.date("date_end")?.value(i),
        precision: s("date_precision")?,
        approximate: b.bool("date_approximate")?.value(i),
        uncertain: b.bool("date_uncertain")?.value(i),
        edtf: s("date_edtf")?,
        date_text: opt(b.str("date_text")?, i).map(Into::into),
        evidence: s("evidence")?,
        ev_start: b.i64("evidence_start")?.value(i),
        ev_end: b.i64("evidence_end")?.value(i),
        file: s("raw_file")?,
        line: b.i64("raw_line")?.value(i),
    })
}

impl Evidence {
    /// No reports yet for the dyads `selected`, whose periods are `periods`.
    pub(super) fn new(selected: &[DyadKey], periods: &[String]) -> Self {
        Evidence {
            dyads: selected.to_vec(),
            periods: periods.to_vec(),
            lists: selected.iter().map(|k| (*k, VecDeque::new())).collect(),
            events: HashMap::default(),
        }
    }

    /// Lists the event in row `row` of `events.parquet` among the latest
    /// reports of each selected dyad it reports: of its top actors (`top`,
    /// source and target) and of its actors (`actor`), in all periods and
    /// in `period`, that of its year.
    pub(super) fn note(
        &mut self,
        row: u64,
        actors: &Actors,
        top: (&str, &str),
        actor: (&str, &str),
        period: Option<u16>,
    ) {
        let mut hit: Vec<DyadKey> = Vec::new();
        for (l, (a, b_)) in [(0u8, top), (1u8, actor)] {
            let (Some(a), Some(b_)) = (actors.get(a), actors.get(b_)) else { continue };
            for p in std::iter::once(0u16).chain(period) {
                let k = (l, p, a, b_);
                if self.lists.contains_key(&k) {
                    hit.push(k);
                }
            }
        }
        for k in hit {
            let list = self.lists.get_mut(&k).expect("a selected dyad");
            list.push_back(row);
            if list.len() > EVIDENCE_PER_DYAD {
                list.pop_front();
            }
        }
    }

    /// Reads the reports listed, whole, from the events at `path`.
    pub(super) fn read_reports(&mut self, path: &Path) -> Result<()> {
        let mut wanted: Vec<u64> = self.lists.values().flatten().copied().collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut next = wanted.iter();
        each_selected(path, &EVENT_COLS, &wanted, |b| {
            for i in 0..b.rows() {
                let row = *next.next().ok_or_else(|| Error::Parquet {
                    path: path.to_path_buf(),
                    source: TableFileError::Shape("more rows than selected".into()),
                })?;
                self.events.insert(row, event_row(b, i)?);
            }
            Ok(())
        })
    }

    /// The evidence as JSON: the reports (with their article's title and the
    /// passage around the span) and, per dyad, the reports listed, latest
    /// first.
    pub(super) fn finish(self, articles: &Path, raw_dir: Option<&Path>, remap: &HashMap<u32, i64>) -> Result<Value> {
        let wanted: std::collections::HashSet<&str> = self.events.values().map(|e| e.article.as_str()).collect();
        // title, text path, text hash of the articles wanted
        let mut arts: HashMap<String, (String, String, String)> = HashMap::default();
        each_batch(articles, &["article_id", "title", "text_path", "text_sha256"], |b| {
            let (id, title, tp, sha) =
                (b.str("article_id")?, b.str("title")?, b.str("text_path")?, b.str("text_sha256")?);
            for i in 0..b.rows() {
                if wanted.contains(id.value(i)) {
                    arts.insert(
                        id.value(i).to_string(),
                        (title.value(i).to_string(), tp.value(i).to_string(), sha.value(i).to_string()),
                    );
                }
            }
            Ok(())
        })?;
        let mut texts: HashMap<String, Option<Vec<char>>> = HashMap::default();
        let mut position: HashMap<u64, usize> = HashMap::default();
        let mut rows = Vec::new();
        let mut dyads = serde_json::Map::new();
        let mut bytes = 0usize;
        // dyads in their order of priority, while the evidence stays within its budget
        for k in &self.dyads {
            let list: Vec<u64> = self.lists[k].iter().rev().copied().collect();
            let mut added = Vec::new();
            let mut more = 0usize;
            for i in list.iter().filter(|i| !position.contains_key(i)) {
                let Some(e) = self.events.get(i) else { continue };
                let art = arts.get(&e.article);
                let text = texts.entry(e.article.clone()).or_insert_with(|| {
                    let (_, tp, sha) = art?;
                    let bytes = std::fs::read(raw_dir?.join(tp)).ok()?;
                    (sha256_hex(&bytes) == *sha).then(|| String::from_utf8(bytes).ok().map(|s| s.chars().collect()))?
                });
                let (pre, span, post, found) = passage(text.as_deref(), e);
                let row = json!({
                    "key": e.key, "article": e.article, "title": art.map(|a| a.0.as_str()),
                    "src": e.src, "tgt": e.tgt, "code": e.code, "label": e.label, "quad": e.quad,
                    "goldstein": e.goldstein, "mode": e.mode,
                    "start": date(e.start), "end": date(e.end), "precision": e.precision,
                    "approximate": e.approximate, "uncertain": e.uncertain, "edtf": e.edtf, "date_text": e.date_text,
                    "pre": pre, "span": span, "post": post, "passage": found,
                    "file": e.file, "line": e.line,
                });
                more += script_json(&row).len() + 1;
                added.push((*i, row));
            }
            if bytes + more > EVIDENCE_BYTES {
                break;
            }
            bytes += more;
            for (i, row) in added {
                position.insert(i, rows.len());
                rows.push(row);
            }
            let (l, p, a, b) = *k;
            let shown: Vec<usize> = list.iter().filter_map(|i| position.get(i).copied()).collect();
            dyads.insert(
                format!("{}|{}|{}|{}", LEVELS[l as usize], self.periods[p as usize], remap[&a], remap[&b]),
                json!(shown),
            );
        }
        Ok(json!({ "events": rows, "dyads": dyads }))
    }
}

/// The paragraph around the evidence span, at most [`PASSAGE_CHARS`] either
/// side: (before, span, after, whether the text was there). Without the text,
/// the evidence alone.
fn passage(text: Option<&[char]>, e: &Ev) -> (String, String, String, bool) {
    let (s, t) = (e.ev_start as usize, e.ev_end as usize);
    let Some(text) = text.filter(|x| s <= t && t <= x.len()) else {
        return (String::new(), e.evidence.clone(), String::new(), false);
    };
    let span: String = text[s..t].iter().collect();
    if span != e.evidence {
        return (String::new(), e.evidence.clone(), String::new(), false);
    }
    let mut a = s;
    while a > 0 && text[a - 1] != '\n' && s - a < PASSAGE_CHARS {
        a -= 1;
    }
    let mut z = t;
    while z < text.len() && text[z] != '\n' && z - t < PASSAGE_CHARS {
        z += 1;
    }
    let mut pre: String = text[a..s].iter().collect();
    let mut post: String = text[t..z].iter().collect();
    if a > 0 && text[a - 1] != '\n' {
        pre.insert(0, '…');
    }
    if z < text.len() && text[z] != '\n' {
        post.push('…');
    }
    (pre, span, post, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(evidence: &str, s: i64, t: i64) -> Ev {
        Ev {
            key: "k".into(),
            article: "a".into(),
            src: "A".into(),
            tgt: "B".into(),
            code: "010".into(),
            label: "l".into(),
            quad: 1,
            goldstein: 0.0,
            mode: "asserted".into(),
            start: 0,
            end: 0,
            precision: "day".into(),
            approximate: false,
            uncertain: false,
            edtf: "1970-01-01".into(),
            date_text: None,
            evidence: evidence.into(),
            ev_start: s,
            ev_end: t,
            file: "events.csv".into(),
            line: 2,
        }
    }

    #[test]
    fn passage_is_the_paragraph_around_the_span_in_code_points() {
        let text: Vec<char> = "Héadline\nÉté: Russia signed a deal. Then more.\nNext".chars().collect();
        let (pre, span, post, found) = passage(Some(&text), &ev("Russia signed", 14, 27));
        assert_eq!(
            (pre.as_str(), span.as_str(), post.as_str(), found),
            ("Été: ", "Russia signed", " a deal. Then more.", true)
        );
        // a text that no longer holds the span: the evidence alone
        let (pre, span, _, found) = passage(Some(&text), &ev("Other words", 14, 25));
        assert_eq!((pre.as_str(), span.as_str(), found), ("", "Other words", false));
        let (_, span, _, found) = passage(None, &ev("Russia signed", 14, 27));
        assert_eq!((span.as_str(), found), ("Russia signed", false));
    }

    #[test]
    fn long_paragraphs_are_cut_with_an_ellipsis() {
        let long = format!("{}SPAN{}", "x".repeat(1000), "y".repeat(1000));
        let text: Vec<char> = long.chars().collect();
        let (pre, span, post, _) = passage(Some(&text), &ev("SPAN", 1000, 1004));
        assert_eq!(span, "SPAN");
        assert_eq!(pre.chars().count(), PASSAGE_CHARS + 1);
        assert!(pre.starts_with('…') && post.ends_with('…'));
    }
}
