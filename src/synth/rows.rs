//! Writing an article's rows: its events (evidence and its start, actor
//! labels in any of their forms), its mentions (headline first, then the
//! actors of every event sentence), its article row and its text file; with
//! a broken share, some rows broken on purpose on the way.

use super::article::Head;
use super::broken::{EventFault, EVENT_FAULTS, MENTION_FAULTS};
use super::files::{write_err, Csv};
use super::rng::Rng;
use super::text::{occurrences, Ev, Spot};
use super::{data, Gen};
use crate::problem::Error;
use chrono::Datelike;
use std::borrow::Cow;

impl Gen<'_> {
    /// Writes the event rows of an article whose text is `text`.
    pub fn write_events(
        &mut self,
        rng: &mut Rng,
        head: &Head,
        evs: &[Ev],
        text: &str,
        events: &mut Csv,
    ) -> Result<(), Error> {
        let mut prev_id: Option<String> = None;
        for ev in evs {
            let (b0, b1) = (ev.at.1 + ev.ev_bytes.0, ev.at.1 + ev.ev_bytes.1);
            let evidence = &text[b0..b1];
            let start_chars = ev.at.0 + ev.ev_chars;
            let needs_start = ev.recap || occurrences(text, evidence, 2) > 1;
            let mut evidence_start =
                if needs_start || rng.chance(0.02) { start_chars.to_string() } else { String::new() };
            let source_label = self.actors.label(ev.source, rng);
            let target_label = ev.target.map(|t| self.actors.label(t, rng));
            let mut f: Vec<Cow<str>> = vec![
                Cow::Borrowed(head.id.as_str()),
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
                Cow::Borrowed(if rng.chance(0.5) { head.annotator } else { "" }),
                Cow::Borrowed(ev.notes.unwrap_or("")),
            ];
            if head.broken && rng.chance(self.opts.broken_share) {
                let mut fault = *rng.pick(&EVENT_FAULTS);
                if fault == EventFault::DuplicateId && prev_id.is_none() {
                    fault = EventFault::UnknownCode;
                }
                self.break_event(&mut f, fault, rng, ev, text, start_chars, head.p, prev_id.as_deref());
                self.summary.broken_rows += 1;
            }
            events.row(f.iter().map(|c| c.as_bytes()))?;
            self.summary.events += 1;
            prev_id = Some(ev.event_id.clone());
        }
        Ok(())
    }

    /// Writes the mention rows of an article: one per place an actor is named.
    pub fn write_mentions(
        &mut self,
        rng: &mut Rng,
        head: &Head,
        spots: &[Spot],
        text: &str,
        mentions: &mut Csv,
    ) -> Result<(), Error> {
        for s in spots {
            let leave_empty = rng.chance(0.15) && occurrences(text, &s.noun, 2) == 1;
            let actor_label = if rng.chance(0.6) {
                Cow::Borrowed(self.actors.list[s.actor].id.as_str())
            } else {
                self.actors.label(s.actor, rng)
            };
            let mut f: Vec<Cow<str>> = vec![
                Cow::Borrowed(head.id.as_str()),
                actor_label,
                Cow::Borrowed(s.noun.as_str()),
                Cow::Owned(if leave_empty { String::new() } else { s.chars.to_string() }),
                Cow::Borrowed(if rng.chance(0.3) { head.annotator } else { "" }),
                Cow::Borrowed(if rng.chance(0.02) { *rng.pick(data::MENTION_NOTES) } else { "" }),
            ];
            if head.broken && rng.chance(self.opts.broken_share) {
                let fault = *rng.pick(&MENTION_FAULTS);
                self.break_mention(&mut f, fault, rng, s, text);
                self.summary.broken_rows += 1;
            }
            mentions.row(f.iter().map(|c| c.as_bytes()))?;
            self.summary.mentions += 1;
        }
        Ok(())
    }

    /// Writes the article row and its text file (unless the row is broken by
    /// a missing text).
    pub fn write_article(
        &mut self,
        rng: &mut Rng,
        head: &Head,
        title: &str,
        text: &str,
        articles: &mut Csv,
    ) -> Result<(), Error> {
        let text_path = format!("texts/{}.txt", head.id);
        let (outlet, host) = *rng.pick(if head.fr { data::OUTLETS_FR } else { data::OUTLETS_EN });
        let url = format!(
            "https://{host}/international/{}/{:02}/{:02}/{}.html",
            head.p.year(),
            head.p.month(),
            head.p.day(),
            head.id
        );
        let notes = match head.pub_note {
            Some(n) => n,
            None if rng.chance(0.03) => *rng.pick(data::ARTICLE_NOTES),
            None => "",
        };
        let mut published = head.published.clone();
        let mut language = if head.fr { "fr" } else { "en" };
        let mut write_text = true;
        match head.fault {
            Some(0) => write_text = false,
            Some(1) => published = format!("{}-02-30", head.p.year()),
            Some(_) => language = if head.fr { "French" } else { "English" },
            None => {}
        }
        if head.fault.is_some() {
            self.summary.broken_rows += 1;
        }
        articles.row([head.id.as_str(), title, &published, language, &text_path, outlet, &url, notes])?;
        self.summary.articles += 1;
        if write_text {
            let path = self.out.join(&text_path);
            std::fs::write(&path, text.as_bytes()).map_err(write_err(&path))?;
            self.summary.bytes += text.len() as u64;
            self.summary.files += 1;
        }
        Ok(())
    }
}
