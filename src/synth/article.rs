//! One article of the corpus, step by step: what its rows share (id,
//! language, publication date, annotator, fault), its events, its text, then
//! its event, mention and article rows and its text file. Each article has
//! its own random stream, derived from the seed and its number.

use super::dates::{add_days, ym, ymd};
use super::files::Csv;
use super::rng::Rng;
use super::text::{Layout, Spot};
use super::{data, Gen};
use crate::problem::Error;
use chrono::NaiveDate;

/// What the rows of one article share.
pub struct Head {
    /// The article's number in the corpus (0-based).
    pub i: u64,
    /// `article_id`: `a` and the 1-based number on 7 digits.
    pub id: String,
    /// French (or English) text.
    pub fr: bool,
    /// The publication day.
    pub p: NaiveDate,
    /// The `published` field as written (a day, a month, an interval, with a
    /// qualifier), and the note that explains it.
    pub published: String,
    pub pub_note: Option<&'static str>,
    pub annotator: &'static str,
    /// How event ids are written (`e1`, `ev-001` or `1`), by range of 0..100.
    pub id_style: u64,
    /// True when rows are broken on purpose.
    pub broken: bool,
    /// How the article row is broken (0: no text file, 1: impossible date,
    /// 2: language by name), if it is.
    pub fault: Option<u64>,
}

impl Gen<'_> {
    /// Generates article `i` (0-based) and writes its rows and its text.
    pub fn article(&mut self, i: u64, articles: &mut Csv, events: &mut Csv, mentions: &mut Csv) -> Result<(), Error> {
        let mut rng = Rng::new(self.opts.seed, 0x1_0000 + i);
        let head = self.head(&mut rng, i);
        let mut evs = self.draw_events(&mut rng, &head);
        let mut spots: Vec<Spot> = Vec::new();
        let Layout { title, text } = self.layout(&mut rng, head.fr, &mut evs, &mut spots);
        self.write_events(&mut rng, &head, &evs, &text, events)?;
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
        self.write_mentions(&mut rng, &head, &spots, &text, mentions)?;
        self.write_article(&mut rng, &head, &title, &text, articles)
    }

    /// Draws what the rows of article `i` share.
    fn head(&self, rng: &mut Rng, i: u64) -> Head {
        let opts = self.opts;
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
        let fault = if broken && (rng.chance(opts.broken_share / 10.0) || i == opts.articles / 2) {
            Some(rng.below(3))
        } else {
            None
        };
        Head { i, id: article_id, fr, p, published, pub_note, annotator, id_style, broken, fault }
    }
}
