//! `dyadflow synth`: a deterministic generator of realistic corpora in the raw
//! annotation format, version 1, for benchmarks and tests.
//!
//! [`generate`] writes `articles.csv`, `actors.csv`, `events/NNNNN.csv` and
//! `mentions/NNNNN.csv` (one batch file per `batch_articles` articles) and
//! `texts/<article_id>.txt`. It streams: each article is built in memory,
//! written and dropped, so memory is bounded by one article plus the actor
//! table and a small pool of incidents waiting to be reported again.
//!
//! What the corpus looks like (see [`actors`] for the actor table):
//! - texts in French or English made of sentences, with accents and
//!   typographic apostrophes and quotes; each event's `evidence` is a passage
//!   copied exactly from its article (with `evidence_start` when the passage
//!   occurs more than once, which a recap paragraph makes happen);
//! - sources and targets drawn Zipf-distributed, written as the actor's id,
//!   name, an alias or a case or accent variant; about 10 % without target;
//! - CAMEO codes from the built-in reference, every date form of the format
//!   (day, month, year, season, qualifiers, intervals), none after the
//!   article's publication unless the event is `planned`;
//! - about 10 % of incidents (same source, target, code and date) reported by
//!   2 to 4 articles;
//! - about two mentions per event, most with `start`, some without (only when
//!   the text occurs once in the article);
//! - with `broken_share` > 0, that share of event and mention rows (and a few
//!   articles and actors) broken in ways the validator rejects.
//!
//! Randomness: a hand-written SplitMix64 generator ([`Rng`]), one stream for
//! the actors and one per article (derived from the seed and the article's
//! number), plus integer-only weights, so the same options give byte-identical
//! files on every platform.

pub mod actors;
mod data;

use crate::problem::Error;
use crate::reference::Reference;
use actors::{Actors, Surface};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and good enough for
/// test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for one stream of one seed.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next_u64();
        r.0 ^= seed.rotate_left(17);
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given integer weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut x = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    pub articles: u64,
    pub seed: u64,
    pub events_per_article: u32,
    pub batch_articles: u64,
    /// Share (0 to 1) of event and mention rows to break.
    pub broken_share: f64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions { articles: 100, seed: 1, events_per_article: 50, batch_articles: 2000, broken_share: 0.0 }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SynthSummary {
    pub articles: u64,
    pub actors: u64,
    pub events: u64,
    pub mentions: u64,
    /// Rows written broken on purpose (events, mentions, articles, actors).
    pub broken_rows: u64,
    pub files: u64,
    pub bytes: u64,
}

const ARTICLES_HEADER: [&str; 8] =
    ["article_id", "title", "published", "language", "text_path", "outlet", "url", "notes"];
const ACTORS_HEADER: [&str; 7] = ["actor_id", "name", "type", "country", "parent", "aliases", "notes"];
const EVENTS_HEADER: [&str; 16] = [
    "article_id",
    "event_id",
    "source",
    "target",
    "code",
    "date",
    "date_text",
    "mode",
    "evidence",
    "evidence_start",
    "quantity",
    "quantity_unit",
    "location",
    "confidence",
    "annotator",
    "notes",
];
const MENTIONS_HEADER: [&str; 6] = ["article_id", "actor", "text", "start", "annotator", "notes"];

/// A CSV file being written.
struct Csv {
    path: PathBuf,
    w: csv::Writer<BufWriter<File>>,
}

impl Csv {
    fn create(path: PathBuf, header: &[&str]) -> Result<Csv, Error> {
        let f = File::create(&path).map_err(|source| Error::Write { path: path.clone(), source })?;
        let w = csv::WriterBuilder::new().flexible(true).from_writer(BufWriter::with_capacity(1 << 20, f));
        let mut c = Csv { path, w };
        c.row(header)?;
        Ok(c)
    }

    fn row<I, S>(&mut self, fields: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.w.write_record(fields).map_err(|e| Error::Write { path: self.path.clone(), source: e.into() })
    }

    /// Flushes and closes the file; its size in bytes.
    fn finish(mut self) -> Result<u64, Error> {
        self.w.flush().map_err(|source| Error::Write { path: self.path.clone(), source })?;
        drop(self.w);
        std::fs::metadata(&self.path).map(|m| m.len()).map_err(|source| Error::Write { path: self.path, source })
    }
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

/// Writes a corpus into `out`, which must not exist or be an empty directory.
pub fn generate(opts: &SynthOptions, out: &Path) -> Result<SynthSummary, Error> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(|source| Error::Read { path: out.to_path_buf(), source })?;
        if entries.next().is_some() {
            return Err(Error::Layout {
                path: out.to_path_buf(),
                message: "the directory is not empty; synth writes only into a new or empty directory".into(),
            });
        }
    }
    for d in ["", "texts", "events", "mentions"] {
        let p = out.join(d);
        std::fs::create_dir_all(&p).map_err(write_err(&p))?;
    }
    let reference = Reference::builtin();
    let mut codes_by_root: Vec<Vec<&'static str>> = vec![Vec::new(); 20];
    for c in reference.iter() {
        if let Ok(r) = c.root_code.parse::<usize>() {
            if (1..=20).contains(&r) {
                codes_by_root[r - 1].push(c.code.as_str());
            }
        }
    }
    let actors = actors::build(opts.seed, opts.articles);
    let mut summary = SynthSummary::default();
    let mut g = Gen {
        opts,
        actors: &actors,
        reference,
        codes_by_root,
        pool: VecDeque::new(),
        out: out.to_path_buf(),
        summary: &mut summary,
    };
    g.write_actors()?;
    let mut articles = Csv::create(out.join("articles.csv"), &ARTICLES_HEADER)?;
    let batch = opts.batch_articles.max(1);
    let batches = opts.articles.div_ceil(batch);
    let width = (batches.max(1) - 1).to_string().len().max(5);
    let mut current: Option<(Csv, Csv)> = None;
    for i in 0..opts.articles {
        if i % batch == 0 {
            if let Some((e, m)) = current.take() {
                g.summary.bytes += e.finish()? + m.finish()?;
            }
            let name = format!("{:0width$}.csv", i / batch);
            current = Some((
                Csv::create(out.join("events").join(&name), &EVENTS_HEADER)?,
                Csv::create(out.join("mentions").join(&name), &MENTIONS_HEADER)?,
            ));
            g.summary.files += 2;
        }
        let (e, m) = current.as_mut().expect("a batch is open");
        g.article(i, &mut articles, e, m)?;
    }
    if let Some((e, m)) = current.take() {
        g.summary.bytes += e.finish()? + m.finish()?;
    }
    g.summary.bytes += articles.finish()?;
    g.summary.files += 1;
    Ok(summary)
}

/// A date as annotated: its form, its qualifier, and the article's words.
#[derive(Debug, Clone, Copy)]
enum Form {
    Day(NaiveDate),
    Month(NaiveDate),
    Year(NaiveDate),
    Season(NaiveDate),
    Days(NaiveDate, NaiveDate),
    Months(NaiveDate, NaiveDate),
    Years(NaiveDate, NaiveDate),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Relative {
    None,
    Yesterday,
    LastMonth,
    LastYear,
}

#[derive(Debug, Clone, Copy)]
struct When {
    form: Form,
    qual: &'static str,
    relative: Relative,
}

fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}
fn ym(d: NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}
/// (year, season code) of the season holding a day; December to February is
/// the winter (24) of the year it starts in.
fn season(d: NaiveDate) -> (i32, u32) {
    match d.month() {
        3..=5 => (d.year(), 21),
        6..=8 => (d.year(), 22),
        9..=11 => (d.year(), 23),
        12 => (d.year(), 24),
        _ => (d.year() - 1, 24),
    }
}
fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}
fn first_of_year(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

impl When {
    fn edtf(&self) -> String {
        let q = self.qual;
        match self.form {
            Form::Day(d) => format!("{}{q}", ymd(d)),
            Form::Month(d) => format!("{}{q}", ym(d)),
            Form::Year(d) => format!("{:04}{q}", d.year()),
            Form::Season(d) => {
                let (y, s) = season(d);
                format!("{y:04}-{s}{q}")
            }
            Form::Days(a, b) => format!("{}{q}/{}", ymd(a), ymd(b)),
            Form::Months(a, b) => format!("{}{q}/{}", ym(a), ym(b)),
            Form::Years(a, b) => format!("{:04}{q}/{:04}", a.year(), b.year()),
        }
    }

    /// The first day of the span.
    fn first(&self) -> NaiveDate {
        match self.form {
            Form::Day(d) | Form::Days(d, _) => d,
            Form::Month(d) | Form::Months(d, _) => first_of_month(d),
            Form::Year(d) | Form::Years(d, _) => first_of_year(d),
            Form::Season(d) => {
                let (y, s) = season(d);
                let m = [3, 6, 9, 12][(s - 21) as usize];
                NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
            }
        }
    }

    /// The article's words for the date.
    fn phrase(&self, fr: bool) -> String {
        let day = |d: NaiveDate| {
            if fr {
                let n = if d.day() == 1 { "1er".to_string() } else { d.day().to_string() };
                format!("{n} {} {}", data::MONTHS_FR[d.month0() as usize], d.year())
            } else {
                format!("{} {} {}", d.day(), data::MONTHS_EN[d.month0() as usize], d.year())
            }
        };
        let month = |d: NaiveDate| {
            let m = if fr { data::MONTHS_FR } else { data::MONTHS_EN }[d.month0() as usize];
            format!("{m} {}", d.year())
        };
        let base = match (self.relative, fr) {
            (Relative::Yesterday, true) => "hier".to_string(),
            (Relative::Yesterday, false) => "yesterday".to_string(),
            (Relative::LastMonth, true) => "le mois dernier".to_string(),
            (Relative::LastMonth, false) => "last month".to_string(),
            (Relative::LastYear, true) => "l’an dernier".to_string(),
            (Relative::LastYear, false) => "last year".to_string(),
            (Relative::None, _) => match self.form {
                Form::Day(d) => format!("{} {}", if fr { "le" } else { "on" }, day(d)),
                Form::Month(d) => format!("{} {}", if fr { "en" } else { "in" }, month(d)),
                Form::Year(d) => format!("{} {}", if fr { "en" } else { "in" }, d.year()),
                Form::Season(d) => {
                    let (y, s) = season(d);
                    match (s, fr) {
                        (21, true) => format!("au printemps {y}"),
                        (22, true) => format!("à l’été {y}"),
                        (23, true) => format!("à l’automne {y}"),
                        (_, true) => format!("pendant l’hiver {y}-{}", y + 1),
                        (21, false) => format!("in spring {y}"),
                        (22, false) => format!("in summer {y}"),
                        (23, false) => format!("in autumn {y}"),
                        (_, false) => format!("in the winter of {y}–{}", y + 1),
                    }
                }
                Form::Days(a, b) if fr => format!("entre le {} et le {}", day(a), day(b)),
                Form::Days(a, b) => format!("between {} and {}", day(a), day(b)),
                Form::Months(a, b) if fr => format!("entre {} et {}", month(a), month(b)),
                Form::Months(a, b) => format!("between {} and {}", month(a), month(b)),
                Form::Years(a, b) if fr => format!("entre {} et {}", a.year(), b.year()),
                Form::Years(a, b) => format!("between {} and {}", a.year(), b.year()),
            },
        };
        match (self.qual, fr) {
            ("~", true) => format!("{base} ou à peu près"),
            ("~", false) => format!("{base} or thereabouts"),
            ("?", true) => format!("{base}, semble-t-il"),
            ("?", false) => format!("{base}, it seems"),
            ("%", true) => format!("{base} environ, semble-t-il"),
            ("%", false) => format!("{base} or so, it seems"),
            _ => base,
        }
    }
}

fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(d)
    }
}

/// A date for an event around the article's publication day `p`: on or
/// before it, or after it when `future` (planned events).
fn draw_when(rng: &mut Rng, p: NaiveDate, future: bool) -> When {
    let back = match rng.below(100) {
        0..=49 => rng.below(8) as i64,
        50..=79 => 8 + rng.below(53) as i64,
        80..=94 => 61 + rng.below(305) as i64,
        _ => 366 + rng.below(735) as i64,
    };
    let d = if future { add_days(p, 1 + rng.below(180) as i64) } else { add_days(p, -back) };
    let qual = match rng.below(100) {
        0..=5 => "~",
        6..=9 => "?",
        10..=11 => "%",
        _ => "",
    };
    let r = rng.below(100);
    let (form, relative) = match r {
        0..=2 if !future => (Form::Day(add_days(p, -1)), Relative::Yesterday),
        3..=4 if !future => (Form::Month(first_of_month(p) - Days::new(1)), Relative::LastMonth),
        5 if !future => (Form::Year(NaiveDate::from_ymd_opt(p.year() - 1, 6, 1).unwrap_or(p)), Relative::LastYear),
        6..=54 => (Form::Day(d), Relative::None),
        55..=69 => (Form::Month(d), Relative::None),
        70..=74 => (Form::Year(d), Relative::None),
        75..=82 => (Form::Season(d), Relative::None),
        83..=90 => {
            let span = 1 + rng.below(20) as i64;
            if future {
                (Form::Days(d, add_days(d, span)), Relative::None)
            } else {
                (Form::Days(add_days(d, -span), d), Relative::None)
            }
        }
        91..=96 => {
            let k = 1 + rng.below(5) as u32;
            let (a, b) = if future {
                (d, d.checked_add_months(Months::new(k)).unwrap_or(d))
            } else {
                (d.checked_sub_months(Months::new(k)).unwrap_or(d), d)
            };
            (Form::Months(a, b), Relative::None)
        }
        _ => {
            let k = 1 + rng.below(3) as u32;
            let (a, b) = if future {
                (d, d.checked_add_months(Months::new(12 * k)).unwrap_or(d))
            } else {
                (d.checked_sub_months(Months::new(12 * k)).unwrap_or(d), d)
            };
            (Form::Years(a, b), Relative::None)
        }
    };
    let qual = if relative == Relative::None { qual } else { "" };
    When { form, qual, relative }
}

/// An incident that later articles report again.
#[derive(Debug, Clone)]
struct Incident {
    source: usize,
    target: Option<usize>,
    code: &'static str,
    when: When,
    first: NaiveDate,
    article: u64,
    left: u8,
}

const POOL_MAX: usize = 1024;

/// How a row is broken on purpose.
#[derive(Debug, Clone, Copy, PartialEq)]
enum EventFault {
    UnknownActor,
    UnknownCode,
    ImpossibleDate,
    MalformedDate,
    ReversedInterval,
    EvidenceNotFound,
    DuplicateId,
    InvalidMode,
    BadQuantity,
    BadConfidence,
    FieldCount,
    AfterPublished,
    EvidenceOffset,
}
const EVENT_FAULTS: [EventFault; 13] = [
    EventFault::UnknownActor,
    EventFault::UnknownCode,
    EventFault::ImpossibleDate,
    EventFault::MalformedDate,
    EventFault::ReversedInterval,
    EventFault::EvidenceNotFound,
    EventFault::DuplicateId,
    EventFault::InvalidMode,
    EventFault::BadQuantity,
    EventFault::BadConfidence,
    EventFault::FieldCount,
    EventFault::AfterPublished,
    EventFault::EvidenceOffset,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum MentionFault {
    NotInText,
    WrongStart,
    UnknownActor,
    MissingText,
    FieldCount,
    BadStart,
}
const MENTION_FAULTS: [MentionFault; 6] = [
    MentionFault::NotInText,
    MentionFault::WrongStart,
    MentionFault::UnknownActor,
    MentionFault::MissingText,
    MentionFault::FieldCount,
    MentionFault::BadStart,
];

/// A sentence being built, with its length in code points.
#[derive(Default)]
struct Buf {
    s: String,
    chars: usize,
}

impl Buf {
    fn push(&mut self, t: &str) {
        self.s.push_str(t);
        self.chars += t.chars().count();
    }
}

/// A place in the text where an actor is named.
struct Spot {
    actor: usize,
    noun: String,
    /// code points and bytes, relative to the sentence until laid out
    chars: usize,
    bytes: usize,
}

struct Ev {
    event_id: String,
    source: usize,
    target: Option<usize>,
    code: &'static str,
    date: String,
    date_text: Option<String>,
    mode: &'static str,
    sentence: Buf,
    /// evidence within the sentence: code-point start, byte range
    ev_chars: usize,
    ev_bytes: (usize, usize),
    spots: Vec<Spot>,
    quantity: Option<u64>,
    unit: Option<&'static str>,
    location: Option<&'static str>,
    confidence: &'static str,
    notes: Option<&'static str>,
    recap: bool,
    /// where the sentence starts in the text (code points, bytes)
    at: (usize, usize),
}

struct Gen<'a> {
    opts: &'a SynthOptions,
    actors: &'a Actors,
    reference: &'static Reference,
    codes_by_root: Vec<Vec<&'static str>>,
    pool: VecDeque<Incident>,
    out: PathBuf,
    summary: &'a mut SynthSummary,
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Counts the occurrences of `needle` in `hay` (overlapping, as the validator
/// counts them), stopping at `max`.
fn occurrences(hay: &str, needle: &str, max: usize) -> usize {
    let mut n = 0;
    let mut from = 0;
    while let Some(p) = hay[from..].find(needle) {
        n += 1;
        if n >= max {
            break;
        }
        let b = from + p;
        from = b + hay[b..].chars().next().map_or(1, char::len_utf8);
    }
    n
}

fn thousands(q: u64, fr: bool) -> String {
    let digits = q.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(if fr { "\u{202F}" } else { "," });
        }
        out.push(c);
    }
    out
}

impl Gen<'_> {
    fn write_actors(&mut self) -> Result<(), Error> {
        let a = self.actors;
        let mut w = Csv::create(self.out.join("actors.csv"), &ACTORS_HEADER)?;
        for x in &a.list {
            let parent = x.parent.map(|p| a.list[p].id.as_str()).unwrap_or("");
            let aliases = x.aliases.join("|");
            w.row([
                x.id.as_str(),
                &x.name,
                x.kind,
                x.country.as_deref().unwrap_or(""),
                parent,
                &aliases,
                x.notes.unwrap_or(""),
            ])?;
            self.summary.actors += 1;
        }
        // broken actor rows, named by no other table
        if self.opts.broken_share > 0.0 {
            let n = ((a.list.len() as f64 * self.opts.broken_share / 20.0).round() as usize).max(1);
            for k in 0..n {
                let row: [String; 7] = match k % 4 {
                    0 => [
                        "FRA.TOURISM".into(),
                        "Tourism Office of France".into(),
                        "government".into(),
                        "Fra".into(),
                        "FRA.GOV".into(),
                        String::new(),
                        "country in the wrong case".into(),
                    ],
                    1 => [
                        "fra.culture".into(),
                        "Culture Ministry of France".into(),
                        "government".into(),
                        "FRA".into(),
                        String::new(),
                        String::new(),
                        "lower-case id".into(),
                    ],
                    2 => [
                        format!("XX{k}.BOARD"),
                        format!("Synthetic Board {k}"),
                        "country".into(),
                        String::new(),
                        String::new(),
                        String::new(),
                        "type not in the list".into(),
                    ],
                    _ => [
                        format!("XX{k}.AGENCY"),
                        format!("Synthetic Agency {k}"),
                        "government".into(),
                        "FRA".into(),
                        "FRA.NOSUCHPARENT".into(),
                        String::new(),
                        "parent does not exist".into(),
                    ],
                };
                w.row(&row)?;
                self.summary.actors += 1;
                self.summary.broken_rows += 1;
            }
        }
        self.summary.bytes += w.finish()?;
        self.summary.files += 1;
        Ok(())
    }

    fn code(&self, rng: &mut Rng) -> &'static str {
        let root = rng.weighted(&data::ROOT_WEIGHTS);
        let codes = &self.codes_by_root[root];
        if codes.is_empty() {
            return "010";
        }
        codes[rng.below(codes.len() as u64) as usize]
    }

    fn surface<'s>(&'s self, a: usize, fr: bool, rng: &mut Rng) -> (Cow<'s, str>, &'s str) {
        let actor = &self.actors.list[a];
        if !actor.typos.is_empty() && rng.chance(0.04) {
            return (Cow::Borrowed(""), rng.pick(&actor.typos).as_str());
        }
        let s: &Surface = rng.pick(if fr { &actor.fr } else { &actor.en });
        (Cow::Borrowed(&s.det), &s.noun)
    }

    /// Builds the sentence of one event.
    #[allow(clippy::too_many_arguments)]
    fn sentence(
        &self,
        rng: &mut Rng,
        fr: bool,
        source: usize,
        target: Option<usize>,
        code: &'static str,
        mode: &'static str,
        when: &When,
        ev: &mut Ev,
    ) {
        let root = &code[..2];
        let t = *rng.pick(data::templates(root));
        let mut b = Buf::default();
        let prefix = rng.chance(0.2).then(|| *rng.pick(if fr { data::PREFIX_FR } else { data::PREFIX_EN }));
        if let Some(p) = prefix {
            b.push(p);
        }
        let core = (b.chars, b.s.len());
        let (det, noun) = self.surface(source, fr, rng);
        let plural = fr && det == "les ";
        // a sentence starts with a capital: the determiner's, or the noun's
        // (then the mention is the noun as it stands in the text)
        let noun: Cow<str> = match (prefix.is_none(), det.is_empty()) {
            (true, false) => {
                b.push(&capitalize(&det));
                Cow::Borrowed(noun)
            }
            (true, true) => Cow::Owned(capitalize(noun)),
            _ => {
                b.push(&det);
                Cow::Borrowed(noun)
            }
        };
        ev.spots.push(Spot { actor: source, noun: noun.to_string(), chars: b.chars, bytes: b.s.len() });
        b.push(&noun);
        let phrase = match (fr, mode) {
            (true, "negated") => format!(" {} pas {}", if plural { "n’ont" } else { "n’a" }, t.0),
            (true, "alleged") => format!(" {} {}", if plural { "auraient" } else { "aurait" }, t.0),
            (true, "planned") => {
                let de = if t.1.starts_with(|c: char| "aeiouéh".contains(c)) { "d’" } else { "de " };
                format!(" {} {de}{}", if plural { "prévoient" } else { "prévoit" }, t.1)
            }
            (true, _) => format!(" {} {}", if plural { "ont" } else { "a" }, t.0),
            (false, "negated") => format!(" did not {}", t.3),
            (false, "alleged") => format!(" reportedly {}", t.2),
            (false, "planned") => format!(" plans to {}", t.3),
            (false, _) => format!(" {}", t.2),
        };
        let (before, after) = phrase.split_once("{T}").unwrap_or((&phrase, ""));
        b.push(before);
        match target {
            Some(tg) => {
                let (det, noun) = self.surface(tg, fr, rng);
                b.push(&det);
                ev.spots.push(Spot { actor: tg, noun: noun.to_string(), chars: b.chars, bytes: b.s.len() });
                b.push(noun);
            }
            None => b.push(rng.pick::<&str>(if fr { data::NO_TARGET_FR } else { data::NO_TARGET_EN })),
        }
        b.push(after);
        let clause_end = b.s.len();
        if rng.chance(0.4) || when.relative != Relative::None {
            let p = when.phrase(fr);
            b.push(" ");
            b.push(&p);
            ev.date_text = Some(p);
        }
        if rng.chance(0.2) {
            let (pf, pe) = *rng.pick(data::PLACES);
            b.push(if fr { " à " } else { " in " });
            b.push(if fr { pf } else { pe });
            ev.location = Some(if fr { pf } else { pe });
        }
        if rng.chance(0.15) {
            let (unit, tf, te) = *rng.pick(data::UNITS);
            let q = match rng.below(3) {
                0 => 1 + rng.below(20),
                1 => 20 + rng.below(500),
                _ => 500 + rng.below(20_000),
            };
            b.push(&(if fr { tf } else { te }).replace("{q}", &thousands(q, fr)));
            ev.quantity = Some(q);
            ev.unit = Some(unit);
        }
        let end_no_dot = b.s.len();
        b.push(".");
        // the evidence: the clause that states the event (without lead-in,
        // date, place or count), the sentence without its lead-in or its full
        // stop, or the whole sentence
        let (start, end) = match rng.below(100) {
            0..=69 => (core, clause_end),
            70..=79 if prefix.is_some() => (core, b.s.len()),
            80..=84 => ((0, 0), end_no_dot),
            _ => ((0, 0), b.s.len()),
        };
        ev.ev_chars = start.0;
        ev.ev_bytes = (start.1, end);
        ev.sentence = b;
    }

    fn article(&mut self, i: u64, articles: &mut Csv, events: &mut Csv, mentions: &mut Csv) -> Result<(), Error> {
        let opts = self.opts;
        let mut rng = Rng::new(opts.seed, 0x1_0000 + i);
        let fr = rng.chance(0.6);
        let article_id = format!("a{:07}", i + 1);
        // publication days spread over 2019-2025, in corpus order with some jitter
        let base = NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid date");
        let span = 7 * 365;
        let day = (i * span / opts.articles.max(1)) as i64 + rng.below(31) as i64 - 15;
        let p = add_days(base, day.clamp(0, span as i64 - 1));
        let (published, pub_note) = match rng.below(100) {
            0..=84 => (ymd(p), None),
            85..=89 => (format!("{}~", ym(p)), Some("published date inferred from the URL")),
            90..=92 => (ym(p), Some("only the month is printed")),
            93..=96 => (format!("{}/{}", ymd(add_days(p, -1)), ymd(p)), Some("print edition dated over two days")),
            _ => (format!("{}?", ymd(p)), Some("date from the archive, uncertain")),
        };
        let annotator = *rng.pick(data::ANNOTATORS);
        let id_style = rng.below(100);
        let broken = opts.broken_share > 0.0;
        // broken articles: a few, and at least one
        let article_fault = if broken && (rng.chance(opts.broken_share / 10.0) || i == opts.articles / 2) {
            Some(rng.below(3))
        } else {
            None
        };

        let n = opts.events_per_article as usize;
        let mut evs: Vec<Ev> = Vec::with_capacity(n);
        let mut used_incidents: Vec<(usize, Option<usize>, &'static str, String)> = Vec::new();
        for k in 0..n {
            let event_id = match id_style {
                0..=59 => format!("e{}", k + 1),
                60..=84 => format!("ev-{:03}", k + 1),
                _ => format!("{}", k + 1),
            };
            let mode = match rng.below(100) {
                0..=79 => "asserted",
                80..=84 => "negated",
                85..=91 => "planned",
                _ => "alleged",
            };
            // an incident reported before by another article, or a new one
            let mut reused = None;
            if !self.pool.is_empty() && rng.chance(0.16) {
                let j = rng.below(self.pool.len() as u64) as usize;
                let inc = &self.pool[j];
                let edtf = inc.when.edtf();
                let key = (inc.source, inc.target, inc.code, edtf);
                if inc.article != i && inc.first <= p && !used_incidents.contains(&key) {
                    reused = Some(inc.clone());
                    used_incidents.push(key);
                    let inc = &mut self.pool[j];
                    inc.left -= 1;
                    if inc.left == 0 {
                        self.pool.swap_remove_back(j);
                    }
                }
            }
            let (source, target, code, when) = match reused {
                // a relative phrase only makes sense in the article that resolved it
                Some(inc) => (inc.source, inc.target, inc.code, When { relative: Relative::None, ..inc.when }),
                None => {
                    let source = self.actors.draw(&mut rng);
                    let target = if rng.chance(0.1) {
                        None
                    } else {
                        let mut t = self.actors.draw(&mut rng);
                        for _ in 0..8 {
                            if t != source {
                                break;
                            }
                            t = self.actors.draw(&mut rng);
                        }
                        (t != source).then_some(t)
                    };
                    let code = self.code(&mut rng);
                    let future = mode == "planned" && rng.chance(0.6);
                    let when = draw_when(&mut rng, p, future);
                    if rng.chance(0.1) {
                        if self.pool.len() >= POOL_MAX {
                            self.pool.pop_front();
                        }
                        self.pool.push_back(Incident {
                            source,
                            target,
                            code,
                            when,
                            first: when.first(),
                            article: i,
                            left: 1 + rng.below(3) as u8,
                        });
                    }
                    (source, target, code, when)
                }
            };
            let confidence = match rng.below(100) {
                0..=39 => "",
                40..=59 => "1",
                60..=74 => "0.9",
                75..=89 => "0.75",
                _ => "0.5",
            };
            let mut ev = Ev {
                event_id,
                source,
                target,
                code,
                date: when.edtf(),
                date_text: None,
                mode: if mode == "asserted" && rng.chance(0.65) { "" } else { mode },
                sentence: Buf::default(),
                ev_chars: 0,
                ev_bytes: (0, 0),
                spots: Vec::with_capacity(2),
                quantity: None,
                unit: None,
                location: None,
                confidence,
                notes: rng.chance(0.04).then(|| *rng.pick(data::EVENT_NOTES)),
                recap: rng.chance(0.03),
                at: (0, 0),
            };
            self.sentence(&mut rng, fr, source, target, code, mode, &when, &mut ev);
            evs.push(ev);
        }

        // the text: headline, then paragraphs of event sentences and fillers,
        // then a recap that repeats a few sentences word for word
        let mut text = Buf::default();
        let mut spots: Vec<Spot> = Vec::new();
        let topic = *rng.pick(if fr { data::TOPIC_FR } else { data::TOPIC_EN });
        if let Some(e0) = evs.first() {
            let a = e0.source;
            let (det, noun) = self.surface(a, fr, &mut rng);
            text.push(&capitalize(&det));
            spots.push(Spot { actor: a, noun: noun.to_string(), chars: text.chars, bytes: text.s.len() });
            text.push(noun);
            if let Some(t) = e0.target {
                let (det, noun) = self.surface(t, fr, &mut rng);
                text.push(if fr { " et " } else { " and " });
                text.push(&det);
                spots.push(Spot { actor: t, noun: noun.to_string(), chars: text.chars, bytes: text.s.len() });
                text.push(noun);
            }
            text.push(if fr { " : " } else { ": " });
        }
        text.push(&capitalize(topic));
        let title = text.s.clone();
        text.push("\n\n");
        let mut in_par = 0;
        let mut par_len = 3 + rng.below(4);
        for ev in evs.iter_mut() {
            if in_par > 0 {
                text.push(" ");
            }
            if rng.chance(0.1) {
                text.push(rng.pick::<&str>(if fr { data::FILLER_FR } else { data::FILLER_EN }));
                text.push(" ");
            }
            ev.at = (text.chars, text.s.len());
            text.push(&ev.sentence.s);
            in_par += 1;
            if in_par >= par_len {
                text.push("\n\n");
                in_par = 0;
                par_len = 3 + rng.below(4);
            }
        }
        if evs.iter().any(|e| e.recap) {
            if in_par > 0 {
                text.push("\n\n");
            }
            text.push(if fr { "À retenir." } else { "Key points." });
            for ev in evs.iter().filter(|e| e.recap) {
                text.push(" ");
                text.push(&ev.sentence.s);
            }
        }
        text.push("\n");
        let text = text.s;

        // events
        let text_path = format!("texts/{article_id}.txt");
        let mut prev_id: Option<String> = None;
        for ev in &evs {
            let (b0, b1) = (ev.at.1 + ev.ev_bytes.0, ev.at.1 + ev.ev_bytes.1);
            let evidence = &text[b0..b1];
            let start_chars = ev.at.0 + ev.ev_chars;
            let needs_start = ev.recap || occurrences(&text, evidence, 2) > 1;
            let mut evidence_start =
                if needs_start || rng.chance(0.02) { start_chars.to_string() } else { String::new() };
            let source_label = self.actors.label(ev.source, &mut rng);
            let target_label = ev.target.map(|t| self.actors.label(t, &mut rng));
            let mut f: Vec<Cow<str>> = vec![
                Cow::Borrowed(article_id.as_str()),
                Cow::Borrowed(ev.event_id.as_str()),
                source_label,
                target_label.unwrap_or(Cow::Borrowed("")),
                Cow::Borrowed(ev.code),
                Cow::Borrowed(ev.date.as_str()),
                Cow::Borrowed(ev.date_text.as_deref().unwrap_or("")),
                Cow::Borrowed(ev.mode),
                Cow::Borrowed(evidence),
                Cow::Owned(std::mem::take(&mut evidence_start)),
                Cow::Owned(ev.quantity.map(|q| q.to_string()).unwrap_or_default()),
                Cow::Borrowed(ev.unit.unwrap_or("")),
                Cow::Borrowed(ev.location.unwrap_or("")),
                Cow::Borrowed(ev.confidence),
                Cow::Borrowed(if rng.chance(0.5) { annotator } else { "" }),
                Cow::Borrowed(ev.notes.unwrap_or("")),
            ];
            if broken && rng.chance(opts.broken_share) {
                let mut fault = *rng.pick(&EVENT_FAULTS);
                if fault == EventFault::DuplicateId && prev_id.is_none() {
                    fault = EventFault::UnknownCode;
                }
                self.break_event(&mut f, fault, &mut rng, ev, &text, start_chars, p, prev_id.as_deref());
                self.summary.broken_rows += 1;
            }
            events.row(f.iter().map(|c| c.as_bytes()))?;
            self.summary.events += 1;
            prev_id = Some(ev.event_id.clone());
        }

        // mentions: headline, then the actors of every event sentence
        for ev in &evs {
            for s in &ev.spots {
                spots.push(Spot {
                    actor: s.actor,
                    noun: s.noun.clone(),
                    chars: ev.at.0 + s.chars,
                    bytes: ev.at.1 + s.bytes,
                });
            }
        }
        for s in &spots {
            let leave_empty = rng.chance(0.15) && occurrences(&text, &s.noun, 2) == 1;
            let actor_label = if rng.chance(0.6) {
                Cow::Borrowed(self.actors.list[s.actor].id.as_str())
            } else {
                self.actors.label(s.actor, &mut rng)
            };
            let mut f: Vec<Cow<str>> = vec![
                Cow::Borrowed(article_id.as_str()),
                actor_label,
                Cow::Borrowed(s.noun.as_str()),
                Cow::Owned(if leave_empty { String::new() } else { s.chars.to_string() }),
                Cow::Borrowed(if rng.chance(0.3) { annotator } else { "" }),
                Cow::Borrowed(if rng.chance(0.02) { *rng.pick(data::MENTION_NOTES) } else { "" }),
            ];
            if broken && rng.chance(opts.broken_share) {
                let fault = *rng.pick(&MENTION_FAULTS);
                self.break_mention(&mut f, fault, &mut rng, s, &text);
                self.summary.broken_rows += 1;
            }
            mentions.row(f.iter().map(|c| c.as_bytes()))?;
            self.summary.mentions += 1;
        }

        // the article row and its text
        let (outlet, host) = *rng.pick(if fr { data::OUTLETS_FR } else { data::OUTLETS_EN });
        let url =
            format!("https://{host}/international/{}/{:02}/{:02}/{article_id}.html", p.year(), p.month(), p.day());
        let notes = match pub_note {
            Some(n) => n,
            None if rng.chance(0.03) => *rng.pick(data::ARTICLE_NOTES),
            None => "",
        };
        let mut published = published;
        let mut language = if fr { "fr" } else { "en" };
        let mut write_text = true;
        match article_fault {
            Some(0) => write_text = false,
            Some(1) => published = format!("{}-02-30", p.year()),
            Some(_) => language = if fr { "French" } else { "English" },
            None => {}
        }
        if article_fault.is_some() {
            self.summary.broken_rows += 1;
        }
        articles.row([article_id.as_str(), &title, &published, language, &text_path, outlet, &url, notes])?;
        self.summary.articles += 1;
        if write_text {
            let path = self.out.join(&text_path);
            std::fs::write(&path, text.as_bytes()).map_err(write_err(&path))?;
            self.summary.bytes += text.len() as u64;
            self.summary.files += 1;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn break_event(
        &self,
        f: &mut Vec<Cow<str>>,
        fault: EventFault,
        rng: &mut Rng,
        ev: &Ev,
        text: &str,
        start_chars: usize,
        p: NaiveDate,
        prev_id: Option<&str>,
    ) {
        let y = p.year();
        match fault {
            EventFault::UnknownActor => f[2] = Cow::Owned(self.actors.typo(ev.source, rng)),
            EventFault::UnknownCode => {
                let stripped = ev.code.strip_prefix('0').filter(|s| s.len() >= 2 && self.reference.get(s).is_none());
                let code = match stripped {
                    Some(s) => s.to_string(),
                    None => ["099", "0999", "2099", "21"]
                        .into_iter()
                        .find(|c| self.reference.get(c).is_none())
                        .unwrap_or("99")
                        .to_string(),
                };
                f[4] = Cow::Owned(code);
            }
            EventFault::ImpossibleDate => {
                f[5] = Cow::Owned(if rng.chance(0.5) { format!("{y}-02-30") } else { format!("{y}-13-01") })
            }
            EventFault::MalformedDate => {
                f[5] = Cow::Owned(match rng.below(3) {
                    0 => format!("{:02}/{:02}/{y}", p.day(), p.month()),
                    1 => format!("March {y}"),
                    _ => format!("{y}-3-5"),
                })
            }
            EventFault::ReversedInterval => f[5] = Cow::Owned(format!("{y}-05/{}-11", y - 1)),
            EventFault::EvidenceNotFound => {
                let e = f[8].to_string();
                // a changed letter: not in the text, even after folding quotes and spaces
                let mut c: Vec<char> = e.chars().collect();
                let pos = c.iter().enumerate().skip(3).find(|(_, ch)| ch.is_ascii_lowercase()).map(|(i, _)| i);
                let mut changed = match pos {
                    Some(i) => {
                        c[i] = c[i].to_ascii_uppercase();
                        c.into_iter().collect()
                    }
                    None => format!("{e} (sic)"),
                };
                while text.contains(&changed) {
                    changed.push_str(" (sic)");
                }
                f[8] = Cow::Owned(changed);
                f[9] = Cow::Borrowed("");
            }
            EventFault::DuplicateId => f[1] = Cow::Owned(prev_id.unwrap_or("e1").to_string()),
            EventFault::InvalidMode => {
                f[7] = Cow::Borrowed(*rng.pick(&["Asserted", "confirmed", "rumoured", "planed"]))
            }
            EventFault::BadQuantity => {
                f[10] = Cow::Borrowed(*rng.pick(&["1 200", "about 300", "12.5", "-4"]));
                f[11] = Cow::Borrowed("soldiers");
            }
            EventFault::BadConfidence => f[13] = Cow::Borrowed(*rng.pick(&["1.5", "80", "0,8", "high"])),
            EventFault::FieldCount => f.push(Cow::Borrowed("stray field")),
            EventFault::AfterPublished => {
                f[5] = Cow::Owned(ymd(add_days(p, 40 + rng.below(200) as i64)));
                f[7] = Cow::Borrowed("asserted");
            }
            EventFault::EvidenceOffset => f[9] = Cow::Owned((start_chars + 3).to_string()),
        }
    }

    fn break_mention(&self, f: &mut Vec<Cow<str>>, fault: MentionFault, rng: &mut Rng, s: &Spot, text: &str) {
        match fault {
            MentionFault::NotInText => {
                let mut t = actors::misspell(&s.noun, rng);
                while t == s.noun || text.contains(&t) {
                    t.push('x');
                }
                f[2] = Cow::Owned(t);
                f[3] = Cow::Borrowed("");
            }
            MentionFault::WrongStart => {
                // a start a few code points off, where the text does not stand
                let mut k = 2;
                loop {
                    let b = text[s.bytes..].char_indices().nth(k).map(|(o, _)| s.bytes + o);
                    match b {
                        Some(b) if text[b..].starts_with(&s.noun) => k += 1,
                        _ => break,
                    }
                }
                f[3] = Cow::Owned((s.chars + k).to_string());
            }
            MentionFault::UnknownActor => f[1] = Cow::Owned(self.actors.typo(s.actor, rng)),
            MentionFault::MissingText => f[2] = Cow::Borrowed(""),
            MentionFault::FieldCount => {
                f.pop();
            }
            MentionFault::BadStart => f[3] = Cow::Owned(format!("{}a", s.chars)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_spread() {
        let mut a = Rng::new(1, 2);
        let mut b = Rng::new(1, 2);
        let mut c = Rng::new(2, 2);
        let xa: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
        let mut hits = [0u32; 4];
        for _ in 0..4000 {
            hits[a.below(4) as usize] += 1;
        }
        assert!(hits.iter().all(|&h| (800..1200).contains(&h)), "{hits:?}");
    }

    #[test]
    fn dates_stay_on_or_before_the_publication_unless_future() {
        let p = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        let mut rng = Rng::new(3, 3);
        for _ in 0..5000 {
            let w = draw_when(&mut rng, p, false);
            assert!(w.first() <= p, "{} {:?}", w.edtf(), w);
            // planned: may be after the publication (or not)
            let w = draw_when(&mut rng, p, true);
            assert!(w.first() <= add_days(p, 181) && w.first() >= add_days(p, -60), "{} {:?}", w.edtf(), w);
        }
        let d = NaiveDate::from_ymd_opt(2025, 1, 20).unwrap();
        assert_eq!(When { form: Form::Season(d), qual: "~", relative: Relative::None }.edtf(), "2024-24~");
        assert_eq!(
            When { form: Form::Season(d), qual: "", relative: Relative::None }.first().to_string(),
            "2024-12-01"
        );
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1200, false), "1,200");
        assert_eq!(thousands(12, true), "12");
        assert_eq!(thousands(1_234_567, true), "1\u{202F}234\u{202F}567");
    }
}
