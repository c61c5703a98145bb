//! The actor table of a generated corpus ([`super`]): about 135 real states
//! with governments, ministries, armed forces, legislatures and persons under
//! them (parent chains 0 to 3 deep), international organisations, NGOs,
//! media, businesses and armed groups, plus generated groups and persons whose
//! number grows gently with the corpus.
//!
//! Every label (id, name, alias) is registered under its folded form (case,
//! accents and surrounding space ignored, as the validator folds them); a
//! label already held by another actor is dropped, so no two actors share a
//! label and the validator never reports `alias-collision`. Each actor also
//! keeps the surface forms its French and English texts use (each one of its
//! labels) and a Zipf weight: a few actors are named very often.

use super::data;
use super::Rng;
use std::collections::{HashMap, HashSet};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds a label the way the validator does: trimmed, NFKD without combining
/// marks, lower case.
pub fn fold(s: &str) -> String {
    s.trim().nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

fn strip_accents(s: &str) -> String {
    s.nfkd().filter(|c| !is_combining_mark(*c)).nfc().collect()
}

/// How an actor is named in running text: a determiner or title (`la `,
/// `le président `, `the `) and the noun, which is one of the actor's labels
/// (a mention's `text`).
#[derive(Debug, Clone)]
pub struct Surface {
    pub det: String,
    pub noun: String,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub country: Option<String>,
    pub parent: Option<usize>,
    pub aliases: Vec<String>,
    pub fr: Vec<Surface>,
    pub en: Vec<Surface>,
    /// Misspelled aliases, also used (rarely) as surfaces in texts.
    pub typos: Vec<String>,
    /// Case and accent variants of the labels, which resolve to this actor.
    pub variants: Vec<String>,
    pub notes: Option<&'static str>,
}

pub struct Actors {
    pub list: Vec<Actor>,
    /// folded label -> actor
    taken: HashMap<String, usize>,
    /// actor index by Zipf rank
    order: Vec<usize>,
    /// cumulative Zipf weights by rank
    cum: Vec<u64>,
}

impl Actors {
    /// True when a label resolves to some actor.
    pub fn is_label(&self, label: &str) -> bool {
        self.taken.contains_key(&fold(label))
    }

    /// Draws an actor, Zipf-distributed over ranks.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = *self.cum.last().expect("actors exist");
        let x = rng.below(total);
        self.order[self.cum.partition_point(|&c| c <= x)]
    }

    /// A label for a CSV field: the id, the name, an alias or a variant in
    /// another case or without accents (sometimes with surrounding spaces).
    pub fn label<'a>(&'a self, a: usize, rng: &mut Rng) -> std::borrow::Cow<'a, str> {
        let actor = &self.list[a];
        let r = rng.below(100);
        let s: &str = if r < 35 {
            &actor.id
        } else if r < 55 || (r < 80 && actor.aliases.is_empty()) || (r >= 80 && actor.variants.is_empty()) {
            &actor.name
        } else if r < 80 {
            rng.pick(&actor.aliases).as_str()
        } else {
            rng.pick(&actor.variants).as_str()
        };
        if r >= 96 {
            std::borrow::Cow::Owned(format!(" {s} "))
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    }

    /// A label of no actor, one typing mistake away from a label of `a`.
    pub fn typo(&self, a: usize, rng: &mut Rng) -> String {
        let base = &self.list[a].name;
        for _ in 0..8 {
            let t = misspell(base, rng);
            if !self.is_label(&t) {
                return t;
            }
        }
        let mut t = format!("{base}x");
        while self.is_label(&t) {
            t.push('x');
        }
        t
    }
}

/// One typing mistake: two letters swapped, one doubled, dropped or a vowel
/// changed. Only letters inside the word are touched.
pub fn misspell(s: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = s.chars().collect();
    let inner: Vec<usize> =
        (1..c.len().saturating_sub(1)).filter(|&i| c[i].is_alphabetic() && c[i + 1].is_alphabetic()).collect();
    if inner.is_empty() {
        return format!("{s}h");
    }
    let i = *rng.pick(&inner);
    match rng.below(4) {
        0 if c[i] != c[i + 1] => c.swap(i, i + 1),
        1 => c.insert(i, c[i]),
        2 => {
            c.remove(i);
        }
        _ => {
            let v = match c[i].to_ascii_lowercase() {
                'a' => 'e',
                'e' => 'a',
                'i' => 'y',
                'o' => 'u',
                'u' => 'o',
                'y' => 'i',
                'k' => 'c',
                'c' => 'k',
                _ => 'h',
            };
            c.insert(i + 1, v);
        }
    }
    c.into_iter().collect()
}

/// Splits a leading determiner off a name: (`la `, `Russie`), (`the `, `United States`).
fn split_det(s: &str) -> (String, String) {
    for d in ["the ", "la ", "le ", "les ", "l’"] {
        if let Some(rest) = s.strip_prefix(d) {
            return (d.to_string(), rest.to_string());
        }
    }
    (String::new(), s.to_string())
}

/// French `de` + name: `de la Russie`, `du Mali`, `des États-Unis`, `de l’Iran`, `d’Israël`.
fn de_fr(det: &str, noun: &str) -> String {
    match det {
        "la " => format!("de la {noun}"),
        "le " => format!("du {noun}"),
        "les " => format!("des {noun}"),
        "l’" => format!("de l’{noun}"),
        _ if noun.starts_with(|c: char| "AEIOUÉÈÎÔYH".contains(c)) => format!("d’{noun}"),
        _ => format!("de {noun}"),
    }
}

fn id_part(s: &str) -> String {
    strip_accents(s).chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

struct Builder {
    list: Vec<Actor>,
    taken: HashMap<String, usize>,
    ids: HashSet<String>,
    weight: Vec<u64>,
}

impl Builder {
    /// Adds an actor when its id is free and its id and name fold to labels
    /// no other actor holds.
    fn add(
        &mut self,
        id: String,
        name: &str,
        kind: &'static str,
        country: Option<&str>,
        parent: Option<usize>,
        weight: u64,
    ) -> Option<usize> {
        let i = self.list.len();
        let (fid, fname) = (fold(&id), fold(name));
        if self.ids.contains(&id) || self.taken.contains_key(&fid) || self.taken.contains_key(&fname) {
            return None;
        }
        self.ids.insert(id.clone());
        self.taken.insert(fid, i);
        self.taken.insert(fname, i);
        self.list.push(Actor {
            id,
            name: name.to_string(),
            kind,
            country: country.map(str::to_string),
            parent,
            aliases: Vec::new(),
            fr: Vec::new(),
            en: Vec::new(),
            typos: Vec::new(),
            variants: Vec::new(),
            notes: None,
        });
        self.weight.push(weight.max(1));
        Some(i)
    }

    /// Registers a label of actor `a`; false when another actor holds it.
    fn alias(&mut self, a: usize, label: &str) -> bool {
        let label = label.trim();
        // a label that is a common word would be reported as `generic-alias`
        if label.is_empty() || label.contains('|') || crate::normalize::alias_words::is_common_word(label) {
            return false;
        }
        let f = fold(label);
        match self.taken.get(&f) {
            Some(&owner) => owner == a,
            None => {
                self.taken.insert(f, a);
                self.list[a].aliases.push(label.to_string());
                true
            }
        }
    }

    fn surface(&mut self, a: usize, fr: bool, det: &str, noun: &str) {
        if self.alias(a, noun) {
            let s = Surface { det: det.to_string(), noun: noun.to_string() };
            if fr {
                self.list[a].fr.push(s);
            } else {
                self.list[a].en.push(s);
            }
        }
    }

    fn typo(&mut self, a: usize, base: &str, rng: &mut Rng) {
        let t = misspell(base, rng);
        if fold(&t) != fold(base) && self.alias(a, &t) {
            self.list[a].typos.push(t);
        }
    }

    /// A person with a generated name under `parent`, named in texts with
    /// their title.
    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        rng: &mut Rng,
        iso: &str,
        parent: usize,
        title_fr: &str,
        title_en: &str,
        weight: u64,
    ) -> Option<usize> {
        for _ in 0..20 {
            let first = *rng.pick(data::FIRST_NAMES);
            let surname = format!(
                "{}{}{}",
                rng.pick(data::SURNAME_HEADS),
                rng.pick(data::SURNAME_MIDS),
                rng.pick(data::SURNAME_TAILS)
            );
            let full = format!("{first} {surname}");
            let id = format!("{iso}.{}", id_part(&surname));
            if self.taken.contains_key(&fold(&surname)) {
                continue;
            }
            if let Some(p) = self.add(id, &full, "person", Some(iso), Some(parent), weight) {
                self.surface(p, true, title_fr, &full);
                self.surface(p, true, "", &surname);
                self.surface(p, false, title_en, &full);
                self.surface(p, false, "", &surname);
                self.typo(p, &surname, rng);
                return Some(p);
            }
        }
        None
    }
}

/// Under which actor of its state an institution stands.
#[derive(Clone, Copy)]
enum Under {
    State,
    Government,
    /// The ministry of defence, or the government when the state has none.
    DefenceOrGovernment,
}

/// An institution of a state, named `<name> of <the state>` in the table,
/// `<fr.0><fr.1> <de la state>` in French texts and `the <state> <en>` in
/// English ones.
struct Institution {
    suffix: &'static str,
    name: &'static str,
    kind: &'static str,
    under: Under,
    /// Its weight, in percent of its state's.
    percent: u64,
    /// Only states ranked below this have it.
    ranks: usize,
    fr: (&'static str, &'static str),
    en: &'static str,
}

/// Every state's government, its parent of most other institutions.
const GOVERNMENT: Institution = Institution {
    suffix: "GOV",
    name: "Government",
    kind: "government",
    under: Under::State,
    percent: 35,
    ranks: usize::MAX,
    fr: ("le ", "gouvernement"),
    en: "government",
};

/// The other institutions of a state, in the order they are added.
#[rustfmt::skip]
const INSTITUTIONS: [Institution; 7] = [
    Institution { suffix: "MFA", name: "Ministry of Foreign Affairs", kind: "government", under: Under::Government, percent: 25, ranks: usize::MAX, fr: ("le ", "ministère des Affaires étrangères"), en: "foreign ministry" },
    Institution { suffix: "DEF", name: "Ministry of Defence", kind: "government", under: Under::Government, percent: 15, ranks: 60, fr: ("le ", "ministère de la Défense"), en: "defence ministry" },
    Institution { suffix: "MIL", name: "Armed Forces", kind: "military", under: Under::DefenceOrGovernment, percent: 30, ranks: usize::MAX, fr: ("l’", "armée"), en: "armed forces" },
    Institution { suffix: "LEG", name: "Parliament", kind: "legislature", under: Under::State, percent: 8, ranks: 60, fr: ("le ", "Parlement"), en: "parliament" },
    Institution { suffix: "POL", name: "Police", kind: "police", under: Under::Government, percent: 5, ranks: 60, fr: ("la ", "police"), en: "police" },
    Institution { suffix: "INT", name: "Intelligence services", kind: "intelligence", under: Under::Government, percent: 5, ranks: 30, fr: ("les ", "services de renseignement"), en: "intelligence services" },
    Institution { suffix: "JUD", name: "Judiciary", kind: "judiciary", under: Under::State, percent: 3, ranks: 30, fr: ("la ", "justice"), en: "judiciary" },
];

/// A state being added: its table row, rank, weight and the forms of its
/// name that its institutions' names use.
struct State<'a> {
    iso: &'a str,
    /// index of the state actor
    s: usize,
    rank: usize,
    /// its Zipf weight
    sw: u64,
    /// `the United States`, `France`
    the_en: String,
    /// `United States`, `France`
    en_noun: String,
    /// `des États-Unis`, `de la France`
    de: String,
}

/// The institutions of a state that persons stand under.
struct Offices {
    gov: usize,
    mfa: Option<usize>,
    def: Option<usize>,
    leg: Option<usize>,
}

impl Builder {
    /// Adds the state of one line of [`data::COUNTRIES`] (`rank`-th, 0-based)
    /// with its labels, then its institutions and its persons.
    fn state(&mut self, rng: &mut Rng, rank: usize, line: &str, scale: usize) {
        let f: Vec<&str> = line.split('|').collect();
        let (iso, en, fr, cap_en, cap_fr, extra) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        let (en_det, en_noun) = split_det(en);
        let (fr_det, fr_noun) = split_det(fr);
        let (cap_fr_det, cap_fr_noun) = split_det(cap_fr);
        let sw = 1_000_000 / (rank as u64 + 1);
        let Some(s) = self.add(iso.to_string(), &en_noun, "state", Some(iso), None, sw) else { return };
        self.surface(s, false, &en_det, &en_noun);
        self.surface(s, true, &fr_det, &fr_noun);
        self.surface(s, false, "", cap_en);
        self.surface(s, true, &cap_fr_det, &cap_fr_noun);
        for x in extra.split(';') {
            self.alias(s, x);
        }
        self.typo(s, &fr_noun, rng);
        if rank.is_multiple_of(3) {
            self.typo(s, &cap_fr_noun, rng);
        }
        let st =
            State { iso, s, rank, sw, the_en: format!("{en_det}{en_noun}"), de: de_fr(&fr_det, &fr_noun), en_noun };
        let Some(offices) = self.institutions(&st) else { return };
        // persons per state grow with the decimal order of magnitude of the corpus
        let minor = if rank < 40 { scale } else { scale / 2 };
        self.officials(rng, &st, &offices, minor);
    }

    /// Adds an institution of a state under `parent`.
    fn institution(&mut self, st: &State, inst: &Institution, parent: usize) -> Option<usize> {
        let name = format!("{} of {}", inst.name, st.the_en);
        let w = st.sw * inst.percent / 100;
        let a = self.add(format!("{}.{}", st.iso, inst.suffix), &name, inst.kind, Some(st.iso), Some(parent), w)?;
        self.surface(a, true, inst.fr.0, &format!("{} {}", inst.fr.1, st.de));
        self.surface(a, false, "the ", &format!("{} {}", st.en_noun, inst.en));
        Some(a)
    }

    /// Adds the government of a state, the institutions of its rank and (for
    /// the first 30) its civilians; none when the government cannot be added.
    fn institutions(&mut self, st: &State) -> Option<Offices> {
        let gov = self.institution(st, &GOVERNMENT, st.s)?;
        let mut o = Offices { gov, mfa: None, def: None, leg: None };
        for inst in &INSTITUTIONS {
            if st.rank >= inst.ranks {
                continue;
            }
            let parent = match inst.under {
                Under::State => st.s,
                Under::Government => gov,
                Under::DefenceOrGovernment => o.def.unwrap_or(gov),
            };
            let a = self.institution(st, inst, parent);
            match inst.suffix {
                "MFA" => o.mfa = a,
                "DEF" => o.def = a,
                "LEG" => o.leg = a,
                _ => {}
            }
        }
        if st.rank < 30 {
            let (iso, the_en, de) = (st.iso, &st.the_en, &st.de);
            let name = format!("Civilians in {the_en}");
            if let Some(c) = self.add(format!("{iso}.CIV"), &name, "civilians", Some(iso), None, st.sw * 6 / 100) {
                self.surface(c, true, "la ", &format!("population civile {de}"));
                self.surface(c, false, "", &format!("civilians in {the_en}"));
            }
        }
        Some(o)
    }

    /// Adds the persons of a state: its president, foreign and defence
    /// ministers, and `minor` spokespersons, MPs, ambassadors or advisers.
    fn officials(&mut self, rng: &mut Rng, st: &State, o: &Offices, minor: usize) {
        let (iso, sw) = (st.iso, st.sw);
        self.person(rng, iso, o.gov, "le président ", "President ", sw * 30 / 100);
        if let Some(mfa) = o.mfa {
            self.person(rng, iso, mfa, "le chef de la diplomatie ", "Foreign Minister ", sw * 20 / 100);
        }
        if let Some(def) = o.def {
            self.person(rng, iso, def, "le ministre de la Défense ", "Defence Minister ", sw * 10 / 100);
        }
        for k in 0..minor {
            match (k % 3, o.leg, o.mfa) {
                (0, _, _) => self.person(rng, iso, o.gov, "le porte-parole ", "spokesperson ", sw * 4 / 100),
                (1, Some(leg), _) => self.person(rng, iso, leg, "le député ", "MP ", sw * 3 / 100),
                (_, _, Some(mfa)) => self.person(rng, iso, mfa, "l’ambassadeur ", "Ambassador ", sw * 3 / 100),
                _ => self.person(rng, iso, o.gov, "le conseiller ", "adviser ", sw * 3 / 100),
            };
        }
    }

    /// Adds the actor of one line of [`data::OTHER_ACTORS`] (`j`-th, 0-based):
    /// an international organisation, NGO, medium, business or armed group.
    fn other(&mut self, rng: &mut Rng, j: usize, line: &str) {
        let f: Vec<&str> = line.split('|').collect();
        let (id, kind, country, parent, en, fr, extra) = (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
        let kind: &'static str =
            ["igo", "ngo", "media", "business", "armed_group"].into_iter().find(|k| *k == kind).unwrap_or("other");
        let parent = (!parent.is_empty()).then(|| self.list.iter().position(|a| a.id == parent)).flatten();
        let (en_det, en_noun) = split_det(en);
        let (fr_det, fr_noun) = split_det(fr);
        let country = (!country.is_empty()).then_some(country);
        let Some(a) = self.add(id.to_string(), &en_noun, kind, country, parent, 600_000 / (j as u64 + 1)) else {
            return;
        };
        self.surface(a, false, &en_det, &en_noun);
        self.surface(a, true, &fr_det, &fr_noun);
        for x in extra.split(';') {
            self.alias(a, x);
        }
        if j % 4 == 1 {
            self.typo(a, &fr_noun, rng);
        }
    }

    /// Adds generated armed groups (`<Region> Liberation Front`), a few more
    /// in larger corpora.
    fn armed_groups(&mut self, rng: &mut Rng, scale: usize) {
        let states: Vec<usize> = (0..self.list.len()).filter(|&i| self.list[i].kind == "state").collect();
        let mut made = 0;
        let mut tries = 0;
        while made < 4 + 2 * scale && tries < 200 {
            tries += 1;
            let region = format!("{}{}", rng.pick(data::REGION_HEADS), rng.pick(data::REGION_TAILS));
            let st = states[rng.below(states.len().min(60) as u64) as usize];
            let iso = self.list[st].id.clone();
            let id = format!("{iso}.{}LF", id_part(&region));
            let name = format!("{region} Liberation Front");
            let Some(g) = self.add(id, &name, "armed_group", Some(&iso), None, 20_000) else {
                continue;
            };
            let de = de_fr("", &region);
            self.surface(g, true, "le ", &format!("Front de libération {de}"));
            self.surface(g, false, "the ", &format!("{region} Liberation Front"));
            let initials: String = format!("FL{}", region.chars().next().unwrap_or('X'));
            self.alias(g, &initials);
            made += 1;
        }
    }

    /// A few actor notes, as annotators leave them.
    fn notes(&mut self) {
        for (i, a) in self.list.iter_mut().enumerate() {
            if i % 17 == 5 {
                a.notes = Some(match i % 3 {
                    0 => "name as in the annotation guide",
                    1 => "aliases from the texts, \"sic\"",
                    _ => "parent checked against the official organigram",
                });
            }
        }
    }

    /// Case and accent variants of every label, kept only when they still
    /// fold to the same label; a surface from its name for an actor without
    /// one.
    fn variants(&mut self) {
        for a in &mut self.list {
            let mut labels = vec![a.name.clone()];
            labels.extend(a.aliases.iter().cloned());
            for l in labels {
                let key = fold(&l);
                for v in [l.to_uppercase(), l.to_lowercase(), strip_accents(&l)] {
                    if v != l && fold(&v) == key && !a.variants.contains(&v) {
                        a.variants.push(v);
                    }
                }
            }
            // an actor without a surface is named by its name
            if a.fr.is_empty() {
                a.fr.push(Surface { det: String::new(), noun: a.name.clone() });
            }
            if a.en.is_empty() {
                a.en.push(Surface { det: String::new(), noun: a.name.clone() });
            }
        }
    }

    /// The table, with Zipf over ranks: the rank-r actor is drawn with weight 1/r.
    fn finish(self) -> Actors {
        let mut order: Vec<usize> = (0..self.list.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(self.weight[i]), i));
        let mut cum = Vec::with_capacity(order.len());
        let mut total = 0u64;
        for r in 0..order.len() {
            total += 1_000_000_000_000 / (r as u64 + 1);
            cum.push(total);
        }
        Actors { list: self.list, taken: self.taken, order, cum }
    }
}

/// Builds the actor table for a corpus of `articles` articles.
pub fn build(seed: u64, articles: u64) -> Actors {
    let mut rng = Rng::new(seed, 0xAC70);
    let mut b = Builder { list: Vec::new(), taken: HashMap::new(), ids: HashSet::new(), weight: Vec::new() };
    // persons per state and armed groups grow with the decimal order of
    // magnitude of the corpus
    let scale = articles.max(1).ilog10() as usize;
    for (rank, line) in data::COUNTRIES.lines().enumerate() {
        b.state(&mut rng, rank, line, scale);
    }
    for (j, line) in data::OTHER_ACTORS.lines().enumerate() {
        b.other(&mut rng, j, line);
    }
    b.armed_groups(&mut rng, scale);
    b.notes();
    b.variants();
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_never_collide_and_surfaces_are_labels() {
        let actors = build(7, 20_000);
        assert!((800..5000).contains(&actors.list.len()), "{}", actors.list.len());
        let mut seen = HashMap::new();
        for (i, a) in actors.list.iter().enumerate() {
            let mut labels = vec![a.id.clone(), a.name.clone()];
            labels.extend(a.aliases.iter().cloned());
            for l in labels {
                let prev = seen.insert(fold(&l), i);
                assert!(prev.is_none() || prev == Some(i), "{l} of {} and {}", a.id, actors.list[prev.unwrap()].id);
            }
            for s in a.fr.iter().chain(&a.en) {
                assert_eq!(actors.taken.get(&fold(&s.noun)), Some(&i), "{}", s.noun);
            }
            for v in &a.variants {
                assert_eq!(actors.taken.get(&fold(v)), Some(&i), "{v}");
            }
            let b = a.id.as_bytes();
            assert!(b.len() <= 64 && b[0].is_ascii_uppercase(), "{}", a.id);
            assert!(b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || b"_.-".contains(c)), "{}", a.id);
        }
        let mut depth_max = 0;
        for a in &actors.list {
            let (mut d, mut p) = (0, a.parent);
            while let Some(q) = p {
                d += 1;
                p = actors.list[q].parent;
            }
            depth_max = depth_max.max(d);
        }
        assert_eq!(depth_max, 3);
    }

    #[test]
    fn french_de_forms() {
        assert_eq!(de_fr("la ", "Russie"), "de la Russie");
        assert_eq!(de_fr("le ", "Mali"), "du Mali");
        assert_eq!(de_fr("", "Israël"), "d’Israël");
        assert_eq!(de_fr("l’", "Iran"), "de l’Iran");
    }
}
