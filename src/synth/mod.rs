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
//!
//! The files of this module: `rng.rs` (the generator's randomness),
//! `actors.rs` (the actor table), `data.rs` (templates, names and other
//! literal tables), `dates.rs` (event dates and their words), `article.rs` (one
//! article, step by step), `draw.rs` (an article's events and the pool of
//! incidents), `text.rs` (sentences and the article's text), `rows.rs` (an
//! article's event, mention and article rows), `broken.rs` (rows broken on
//! purpose), `files.rs` (the CSV writer and `actors.csv`).

pub mod actors;
mod article;
mod broken;
mod data;
mod dates;
mod draw;
mod files;
mod rng;
mod rows;
mod text;

pub use rng::Rng;

use crate::problem::Error;
use crate::reference::Reference;
use actors::Actors;
use draw::Incident;
use files::{write_err, Csv, ARTICLES_HEADER, EVENTS_HEADER, MENTIONS_HEADER};
use serde::Serialize;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

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

/// The generator while it writes a corpus: the options, the actor table,
/// the CAMEO codes by root, the pool of incidents waiting to be reported
/// again, and the running summary. Its steps are spread over the files of
/// this module.
struct Gen<'a> {
    opts: &'a SynthOptions,
    actors: &'a Actors,
    reference: &'static Reference,
    codes_by_root: Vec<Vec<&'static str>>,
    pool: VecDeque<Incident>,
    out: PathBuf,
    summary: &'a mut SynthSummary,
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
