//! The words of an article: an event's sentence (actors named by one of
//! their surfaces, the verb in the event's mode, date, place and count) with
//! where its evidence and mentions lie, and the article's text laid out from
//! them (headline, paragraphs with fillers, recap).

use super::actors::Surface;
use super::data;
use super::dates::{Relative, When};
use super::rng::Rng;
use super::Gen;
use std::borrow::Cow;

/// A sentence being built, with its length in code points.
#[derive(Default)]
pub struct Buf {
    pub s: String,
    pub chars: usize,
}

impl Buf {
    pub fn push(&mut self, t: &str) {
        self.s.push_str(t);
        self.chars += t.chars().count();
    }
}

/// A place in the text where an actor is named.
pub struct Spot {
    pub actor: usize,
    pub noun: String,
    /// code points and bytes, relative to the sentence until laid out
    pub chars: usize,
    pub bytes: usize,
}

pub struct Ev {
    pub event_id: String,
    pub source: usize,
    pub target: Option<usize>,
    pub code: &'static str,
    pub date: String,
    pub date_text: Option<String>,
    pub mode: &'static str,
    pub sentence: Buf,
    /// evidence within the sentence: code-point start, byte range
    pub ev_chars: usize,
    pub ev_bytes: (usize, usize),
    pub spots: Vec<Spot>,
    pub quantity: Option<u64>,
    pub unit: Option<&'static str>,
    pub location: Option<&'static str>,
    pub confidence: &'static str,
    pub notes: Option<&'static str>,
    pub recap: bool,
    /// where the sentence starts in the text (code points, bytes)
    pub at: (usize, usize),
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Counts the occurrences of `needle` in `hay` (overlapping, as the validator
/// counts them), stopping at `max`.
pub fn occurrences(hay: &str, needle: &str, max: usize) -> usize {
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

pub fn thousands(q: u64, fr: bool) -> String {
    crate::progress::group_thousands(q, if fr { "\u{202F}" } else { "," })
}

/// An article's headline and its whole text (headline included).
pub struct Layout {
    pub title: String,
    pub text: String,
}

impl Gen<'_> {
    /// How a text names actor `a`: one of its surfaces in the text's language
    /// (determiner and noun), or now and then one of its misspellings.
    pub fn surface<'s>(&'s self, a: usize, fr: bool, rng: &mut Rng) -> (Cow<'s, str>, &'s str) {
        let actor = &self.actors.list[a];
        if !actor.typos.is_empty() && rng.chance(0.04) {
            return (Cow::Borrowed(""), rng.pick(&actor.typos).as_str());
        }
        let s: &Surface = rng.pick(if fr { &actor.fr } else { &actor.en });
        (Cow::Borrowed(&s.det), &s.noun)
    }

    /// Builds the sentence of one event.
    #[allow(clippy::too_many_arguments)]
    pub fn sentence(
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
        extras(rng, fr, when, &mut b, ev);
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

    /// Lays out an article's text: a headline naming the first event's
    /// actors, paragraphs of event sentences and fillers, then a recap that
    /// repeats a few sentences word for word. Sets each event's place `at`;
    /// the headline's mentions go into `spots`.
    pub fn layout(&self, rng: &mut Rng, fr: bool, evs: &mut [Ev], spots: &mut Vec<Spot>) -> Layout {
        let mut text = Buf::default();
        let title = self.headline(rng, fr, evs, &mut text, spots);
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
        Layout { title, text: text.s }
    }

    /// Writes the headline into `text` and returns it.
    fn headline(&self, rng: &mut Rng, fr: bool, evs: &[Ev], text: &mut Buf, spots: &mut Vec<Spot>) -> String {
        let topic = *rng.pick(if fr { data::TOPIC_FR } else { data::TOPIC_EN });
        if let Some(e0) = evs.first() {
            let a = e0.source;
            let (det, noun) = self.surface(a, fr, rng);
            text.push(&capitalize(&det));
            spots.push(Spot { actor: a, noun: noun.to_string(), chars: text.chars, bytes: text.s.len() });
            text.push(noun);
            if let Some(t) = e0.target {
                let (det, noun) = self.surface(t, fr, rng);
                text.push(if fr { " et " } else { " and " });
                text.push(&det);
                spots.push(Spot { actor: t, noun: noun.to_string(), chars: text.chars, bytes: text.s.len() });
                text.push(noun);
            }
            text.push(if fr { " : " } else { ": " });
        }
        text.push(&capitalize(topic));
        text.s.clone()
    }
}

/// What may follow an event's clause in its sentence: the date in words
/// (always for a relative date), a place, a count.
fn extras(rng: &mut Rng, fr: bool, when: &When, b: &mut Buf, ev: &mut Ev) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(1200, false), "1,200");
        assert_eq!(thousands(12, true), "12");
        assert_eq!(thousands(1_234_567, true), "1\u{202F}234\u{202F}567");
    }
}
