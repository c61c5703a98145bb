//! Drawing an article's events: id, mode, source and target (Zipf), CAMEO
//! code and date, or an incident already reported by an earlier article
//! taken from the pool of incidents waiting to be reported again; then
//! confidence, notes and the event's sentence.

use super::article::Head;
use super::data;
use super::dates::{draw_when, Relative, When};
use super::rng::Rng;
use super::text::{Buf, Ev};
use super::Gen;
use chrono::NaiveDate;

/// An incident that later articles report again.
#[derive(Debug, Clone)]
pub struct Incident {
    source: usize,
    target: Option<usize>,
    code: &'static str,
    when: When,
    first: NaiveDate,
    article: u64,
    left: u8,
}

/// The most incidents waiting to be reported again; the oldest go first.
const POOL_MAX: usize = 1024;

/// What makes two events of one article the same incident: source, target,
/// code and EDTF date.
type IncidentKey = (usize, Option<usize>, &'static str, String);

impl Gen<'_> {
    /// Draws the events of an article, each with its sentence.
    pub fn draw_events(&mut self, rng: &mut Rng, head: &Head) -> Vec<Ev> {
        let n = self.opts.events_per_article as usize;
        let mut evs: Vec<Ev> = Vec::with_capacity(n);
        let mut used_incidents: Vec<IncidentKey> = Vec::new();
        for k in 0..n {
            evs.push(self.draw_event(rng, head, k, &mut used_incidents));
        }
        evs
    }

    /// Draws the `k`-th event of an article (0-based).
    fn draw_event(&mut self, rng: &mut Rng, head: &Head, k: usize, used_incidents: &mut Vec<IncidentKey>) -> Ev {
        let event_id = match head.id_style {
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
        let reused = self.reported_again(rng, head, used_incidents);
        let (source, target, code, when) = match reused {
            // a relative phrase only makes sense in the article that resolved it
            Some(inc) => (inc.source, inc.target, inc.code, When { relative: Relative::None, ..inc.when }),
            None => self.new_incident(rng, head, mode),
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
        self.sentence(rng, head.fr, source, target, code, mode, &when, &mut ev);
        ev
    }

    /// Sometimes (when the pool is not empty), an incident of the pool that
    /// an earlier article reported, on or before this article's publication
    /// and not yet in this article; taken out of the pool once reported often
    /// enough.
    fn reported_again(
        &mut self,
        rng: &mut Rng,
        head: &Head,
        used_incidents: &mut Vec<IncidentKey>,
    ) -> Option<Incident> {
        if self.pool.is_empty() || !rng.chance(0.16) {
            return None;
        }
        let j = rng.below(self.pool.len() as u64) as usize;
        let inc = &self.pool[j];
        let edtf = inc.when.edtf();
        let key = (inc.source, inc.target, inc.code, edtf);
        if inc.article == head.i || inc.first > head.p || used_incidents.contains(&key) {
            return None;
        }
        let reused = inc.clone();
        used_incidents.push(key);
        let inc = &mut self.pool[j];
        inc.left -= 1;
        if inc.left == 0 {
            self.pool.swap_remove_back(j);
        }
        Some(reused)
    }

    /// A new incident: source, target (none for about 10 %), code and date;
    /// about 10 % go into the pool to be reported again by later articles.
    fn new_incident(
        &mut self,
        rng: &mut Rng,
        head: &Head,
        mode: &'static str,
    ) -> (usize, Option<usize>, &'static str, When) {
        let source = self.actors.draw(rng);
        let target = if rng.chance(0.1) {
            None
        } else {
            let mut t = self.actors.draw(rng);
            for _ in 0..8 {
                if t != source {
                    break;
                }
                t = self.actors.draw(rng);
            }
            (t != source).then_some(t)
        };
        let code = self.code(rng);
        let future = mode == "planned" && rng.chance(0.6);
        let when = draw_when(rng, head.p, future);
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
                article: head.i,
                left: 1 + rng.below(3) as u8,
            });
        }
        (source, target, code, when)
    }

    /// A CAMEO code of the built-in reference, its root drawn with the
    /// weights of [`data::ROOT_WEIGHTS`].
    fn code(&self, rng: &mut Rng) -> &'static str {
        let root = rng.weighted(&data::ROOT_WEIGHTS);
        let codes = &self.codes_by_root[root];
        if codes.is_empty() {
            return "010";
        }
        codes[rng.below(codes.len() as u64) as usize]
    }
}
