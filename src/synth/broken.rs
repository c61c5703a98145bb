//! Rows broken on purpose (with a broken share > 0): the faults of event and
//! mention rows and how each is made, and the broken actor rows, all in ways
//! the validator rejects.

use super::actors;
use super::dates::{add_days, ymd};
use super::rng::Rng;
use super::text::{Ev, Spot};
use super::Gen;
use chrono::{Datelike, NaiveDate};
use std::borrow::Cow;

/// How a row is broken on purpose.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventFault {
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
pub const EVENT_FAULTS: [EventFault; 13] = [
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
pub enum MentionFault {
    NotInText,
    WrongStart,
    UnknownActor,
    MissingText,
    FieldCount,
    BadStart,
}
pub const MENTION_FAULTS: [MentionFault; 6] = [
    MentionFault::NotInText,
    MentionFault::WrongStart,
    MentionFault::UnknownActor,
    MentionFault::MissingText,
    MentionFault::FieldCount,
    MentionFault::BadStart,
];

/// The `k`-th broken actor row, named by no other table.
pub fn actor_row(k: usize) -> [String; 7] {
    match k % 4 {
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
    }
}

impl Gen<'_> {
    /// Breaks the fields `f` of an event row with `fault`.
    #[allow(clippy::too_many_arguments)]
    pub fn break_event(
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

    /// Breaks the fields `f` of a mention row with `fault`.
    pub fn break_mention(&self, f: &mut Vec<Cow<str>>, fault: MentionFault, rng: &mut Rng, s: &Spot, text: &str) {
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
