//! Typed rows of the four raw tables, and the field checks of the contract:
//! required values, id patterns, enums, numbers, codes kept as text, EDTF
//! shape. Records are read by column name (each column's position found from the
//! file's header once per file), so column order is free.

use crate::catalogue::raw::{ACTOR_TYPES, MODES};
use crate::edtf::{self as dates, Edtf};
use crate::ledger::RowSrc;
use crate::problem::Problem;
use crate::rules::Rule;

/// A raw record: one optional string per column of its table (borrowed from
/// the row), None where the column is absent or the field empty. Fields are found by the column's
/// name in the file's header (column order is free), once per file. A field
/// is named as its column, or given the column as `field = "column"`.
macro_rules! raw_record {
    (@column $field:ident) => { stringify!($field) };
    (@column $field:ident $column:literal) => { $column };
    ($name:ident { $($field:ident $(= $column:literal)?),* $(,)? }) => {
        #[derive(Debug, Default)]
        struct $name<'a> {
            $($field: Option<&'a str>,)*
        }

        impl<'a> $name<'a> {
            const COLUMNS: &'static [&'static str] = &[$(raw_record!(@column $field $($column)?)),*];

            fn of(src: &'a RowSrc) -> Self {
                with_positions(src, Self::COLUMNS, |at| {
                    let mut at = at.iter().map(|&i| field(src, i));
                    $name { $($field: at.next().flatten(),)* }
                })
            }
        }
    };
}

raw_record!(ArticleRecord { article_id, title, published, language, text_path, outlet, url, notes });

raw_record!(ActorRecord {
    actor_id,
    name,
    actor_type = "type",
    country,
    parent,
    aliases,
    notes,
});

raw_record!(EventRecord {
    article_id,
    event_id,
    source,
    target,
    code,
    date,
    date_text,
    mode,
    evidence,
    evidence_start,
    quantity,
    quantity_unit,
    location,
    confidence,
    annotator,
    notes,
});

raw_record!(MentionRecord { article_id, actor, text, start, annotator, notes });

/// The field at position `i` of the row, None when there is none or it is
/// empty.
fn field(src: &RowSrc, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| src.fields.get(i)).filter(|f| !f.is_empty())
}

/// Calls `f` with the position in the row's header of each of `columns`
/// (None for a column the header lacks). The positions are found once per
/// file: rows of one file share their header.
fn with_positions<T>(src: &RowSrc, columns: &'static [&'static str], f: impl FnOnce(&[Option<usize>]) -> T) -> T {
    type Found = (std::sync::Arc<[String]>, &'static [&'static str], Vec<Option<usize>>);
    thread_local! {
        static FOUND: std::cell::RefCell<Vec<Found>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    FOUND.with(|found| {
        let mut found = found.borrow_mut();
        let k = match found
            .iter()
            .position(|(h, c, _)| std::sync::Arc::ptr_eq(h, &src.header) && std::ptr::eq(*c, columns))
        {
            Some(k) => k,
            None => {
                // a header is met by one thread at a time, for a while: keep the
                // few most recent
                if found.len() >= 32 {
                    found.remove(0);
                }
                let at = columns.iter().map(|c| src.header.iter().position(|h| h == c)).collect();
                found.push((src.header.clone(), columns, at));
                found.len() - 1
            }
        };
        f(&found[k].2)
    })
}

#[derive(Debug, Clone)]
pub struct Article {
    pub src: RowSrc,
    pub article_id: String,
    pub title: String,
    pub published_raw: String,
    pub published: Edtf,
    pub language: String,
    pub text_path: String,
    pub outlet: Option<String>,
    pub url: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub src: RowSrc,
    pub actor_id: String,
    pub name: String,
    pub actor_type: String,
    pub country: Option<String>,
    pub parent: Option<String>,
    pub aliases: Vec<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub src: RowSrc,
    pub article_id: String,
    pub event_id: String,
    pub source: String,
    pub target: Option<String>,
    pub code: String,
    pub date_raw: String,
    pub date: Edtf,
    pub date_text: Option<String>,
    pub mode: String,
    pub evidence: String,
    pub evidence_start: Option<usize>,
    pub quantity: Option<i64>,
    pub quantity_unit: Option<String>,
    pub location: Option<String>,
    pub confidence: f64,
    pub annotator: Option<String>,
    pub notes: Option<String>,
}

/// A typed row that keeps the raw row it came from.
pub trait Sourced {
    fn src_mut(&mut self) -> &mut RowSrc;
}

impl Sourced for Event {
    fn src_mut(&mut self) -> &mut RowSrc {
        &mut self.src
    }
}

impl Sourced for Mention {
    fn src_mut(&mut self) -> &mut RowSrc {
        &mut self.src
    }
}

#[derive(Debug, Clone)]
pub struct Mention {
    pub src: RowSrc,
    pub article_id: String,
    pub actor: String,
    pub text: String,
    pub start: Option<usize>,
    pub annotator: Option<String>,
    pub notes: Option<String>,
}

/// Collects the problems of one row while its fields are checked.
struct Check<'a> {
    src: &'a RowSrc,
    problems: Vec<Problem>,
}

impl<'a> Check<'a> {
    fn fail(&mut self, rule: Rule, field: &str, message: String, hint: impl Into<String>) {
        self.problems.push(self.src.problem(rule, Some(field), message).hint(hint));
    }

    /// A trimmed value; None when empty.
    fn atom<'v>(&self, v: Option<&'v str>) -> Option<&'v str> {
        v.map(str::trim).filter(|s| !s.is_empty())
    }

    /// Free text, kept as written; None when blank. Warns on spreadsheet formulas.
    fn text<'v>(&mut self, field: &str, v: Option<&'v str>) -> Option<&'v str> {
        let v = v.filter(|s| !s.trim().is_empty())?;
        let t = v.trim_start();
        if (t.starts_with('=') || t.starts_with('@') || t.starts_with('+')) && t.contains('(') {
            let shown: String = t.chars().take(40).collect();
            self.fail(
                Rule::SpreadsheetFormula,
                field,
                format!("`{field}` starts like a spreadsheet formula: `{shown}`"),
                "the text is kept as written; if a spreadsheet produced it, export the displayed values instead of formulas",
            );
        }
        Some(v)
    }

    fn required<'v>(&mut self, field: &str, v: Option<&'v str>) -> Option<&'v str> {
        if v.is_none() {
            self.fail(
                Rule::MissingValue,
                field,
                format!("`{field}` is required but empty"),
                format!("fill in `{field}`"),
            );
        }
        v
    }

    fn id<'v>(&mut self, field: &str, v: Option<&'v str>, actor: bool) -> Option<&'v str> {
        let v = v?;
        let ok = if actor { is_actor_id(v) } else { is_article_id(v) };
        if !ok {
            let (pattern, hint) = if actor {
                ("[A-Z][A-Z0-9_.-]{0,63}", format!("actor ids are upper case, e.g. `{}`", suggest_actor_id(v)))
            } else {
                ("[a-z0-9][a-z0-9_-]{0,63}", format!("article ids are lower case, e.g. `{}`", suggest_article_id(v)))
            };
            self.fail(Rule::InvalidId, field, format!("`{v}` is not a valid {field}: it must match {pattern}"), hint);
            return None;
        }
        Some(v)
    }

    fn one_of<'v>(&mut self, field: &str, v: Option<&'v str>, allowed: &[&str]) -> Option<&'v str> {
        let v = v?;
        if allowed.contains(&v) {
            return Some(v);
        }
        let lower = v.to_lowercase();
        let hint = match allowed.iter().find(|a| **a == lower) {
            Some(a) => format!("write `{a}` (values are lower case)"),
            None => format!("use one of: {}", allowed.join(", ")),
        };
        self.fail(Rule::InvalidEnum, field, format!("`{v}` is not an accepted {field}"), hint);
        None
    }

    fn uint(&mut self, field: &str, v: Option<&str>) -> Option<usize> {
        let v = v?;
        match v.parse::<usize>() {
            Ok(n) if n <= i64::MAX as usize => Some(n),
            _ => {
                self.fail(
                    Rule::InvalidNumber,
                    field,
                    format!("`{field}` must be a non-negative integer, not `{v}`"),
                    "write digits only, without separators or decimals (11000, not 11 000 or 11,000)",
                );
                None
            }
        }
    }

    fn date<'v>(&mut self, field: &str, v: Option<&'v str>) -> Option<(&'v str, Edtf)> {
        let v = v?;
        match dates::parse(v) {
            Ok(d) => Some((v, d)),
            Err(e) => {
                let (message, hint) = match dates::local_date_hint(v) {
                    Some(hint) => (format!("`{v}` is a local date, not an ISO date (YYYY-MM-DD)"), hint),
                    None => (format!("`{v}` is not a date of the format: {e}"), dates::SYNTAX_HINT.to_string()),
                };
                self.fail(Rule::InvalidDate, field, message, hint);
                None
            }
        }
    }
}

pub fn is_actor_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_uppercase()
        && b[1..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || b"_.-".contains(c))
}

pub fn is_article_id(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b[1..].iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-".contains(c))
}

fn suggest_actor_id(s: &str) -> String {
    let t: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_.-".contains(c) { c.to_ascii_uppercase() } else { '_' })
        .collect();
    if t.starts_with(|c: char| c.is_ascii_uppercase()) {
        t
    } else {
        format!("X{t}")
    }
}

fn suggest_article_id(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() || "_-".contains(c) { c.to_ascii_lowercase() } else { '_' })
        .collect()
}

fn is_bcp47(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Checks an articles row. Ok(row) or the row's problems (warnings included).
pub fn article(src: &RowSrc) -> (Option<Article>, Vec<Problem>) {
    let r = ArticleRecord::of(src);
    let mut c = Check { src, problems: Vec::new() };
    let id = c.atom(r.article_id);
    let id = c.required("article_id", id);
    let article_id = c.id("article_id", id, false);
    let title = c.text("title", r.title);
    let title = c.required("title", title);
    let published = c.atom(r.published);
    let published = c.required("published", published);
    let published = c.date("published", published);
    let language = c.atom(r.language);
    let language = c.required("language", language);
    let language = language.and_then(|l| {
        if is_bcp47(l) {
            Some(l)
        } else {
            c.fail(
                Rule::InvalidLanguage,
                "language",
                format!("`{l}` is not a BCP 47 language tag"),
                "write a tag such as `fr`, `en` or `pt-BR`",
            );
            None
        }
    });
    let text_path = c.atom(r.text_path);
    let text_path = c.required("text_path", text_path);
    let outlet = c.text("outlet", r.outlet);
    let url = c.atom(r.url);
    let notes = c.text("notes", r.notes);
    let row = match (article_id, title, published, language, text_path) {
        (Some(article_id), Some(title), Some((published_raw, published)), Some(language), Some(text_path))
            if !c.problems.iter().any(|p| p.is_error()) =>
        {
            Some(Article {
                src: src.clone(),
                article_id: article_id.to_owned(),
                title: title.to_owned(),
                published_raw: published_raw.to_owned(),
                published,
                language: language.to_owned(),
                text_path: text_path.to_owned(),
                outlet: outlet.map(str::to_owned),
                url: url.map(str::to_owned),
                notes: notes.map(str::to_owned),
            })
        }
        _ => None,
    };
    (row, c.problems)
}

pub fn actor(src: &RowSrc) -> (Option<Actor>, Vec<Problem>) {
    let r = ActorRecord::of(src);
    let mut c = Check { src, problems: Vec::new() };
    let id = c.atom(r.actor_id);
    let id = c.required("actor_id", id);
    let actor_id = c.id("actor_id", id, true);
    let name = c.text("name", r.name);
    let name = c.required("name", name).map(|n| n.trim().to_string());
    let t = c.atom(r.actor_type);
    let t = c.required("type", t);
    let actor_type = c.one_of("type", t, ACTOR_TYPES);
    let country = c.atom(r.country).and_then(|k| {
        if k.len() == 3 && k.bytes().all(|b| b.is_ascii_uppercase()) {
            Some(k)
        } else {
            let hint = if k.len() == 3 && k.bytes().all(|b| b.is_ascii_alphabetic()) {
                format!("write `{}` (upper case)", k.to_ascii_uppercase())
            } else {
                "use the ISO 3166-1 alpha-3 code (RUS, AZE, USA); leave it empty for international organisations"
                    .to_string()
            };
            c.fail(Rule::InvalidCountry, "country", format!("`{k}` is not an ISO 3166-1 alpha-3 code"), hint);
            None
        }
    });
    let parent = c.atom(r.parent);
    let parent = c.id("parent", parent, true);
    let aliases = c.text("aliases", r.aliases);
    let aliases: Vec<String> = aliases
        .map(|a| a.split('|').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let notes = c.text("notes", r.notes);
    let row = match (actor_id, name, actor_type) {
        (Some(actor_id), Some(name), Some(actor_type)) if !c.problems.iter().any(|p| p.is_error()) => Some(Actor {
            src: src.clone(),
            actor_id: actor_id.to_owned(),
            name,
            actor_type: actor_type.to_owned(),
            country: country.map(str::to_owned),
            parent: parent.map(str::to_owned),
            aliases,
            notes: notes.map(str::to_owned),
        }),
        _ => None,
    };
    (row, c.problems)
}

/// Checks an events row. The typed row's `src` has no raw fields: the caller
/// moves them in ([`crate::ingest::check_moving`]).
pub fn event(src: &RowSrc) -> (Option<Event>, Vec<Problem>) {
    let r = EventRecord::of(src);
    let mut c = Check { src, problems: Vec::new() };
    let a = c.atom(r.article_id);
    let a = c.required("article_id", a);
    let article_id = c.id("article_id", a, false);
    let event_id = c.atom(r.event_id);
    let event_id = c.required("event_id", event_id);
    let source = c.atom(r.source);
    let source = c.required("source", source);
    let target = c.atom(r.target);
    let code = c.atom(r.code);
    let code = c.required("code", code).and_then(|k| {
        if (2..=4).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_digit()) {
            Some(k)
        } else {
            c.fail(
                Rule::InvalidCode,
                "code",
                format!("`{k}` is not a CAMEO code: codes are 2 to 4 digits, kept as text"),
                "write the code with its leading zeros, e.g. `057`, `0874`, `190`",
            );
            None
        }
    });
    let date = c.atom(r.date);
    let date = c.required("date", date);
    let date = c.date("date", date);
    let date_text = c.text("date_text", r.date_text);
    let mode = c.atom(r.mode).unwrap_or("asserted");
    let mode = c.one_of("mode", Some(mode), MODES);
    let evidence = c.text("evidence", r.evidence);
    let evidence = c.required("evidence", evidence);
    let evidence_start = c.atom(r.evidence_start);
    let evidence_start = c.uint("evidence_start", evidence_start);
    let quantity = c.atom(r.quantity);
    let quantity = c.uint("quantity", quantity).map(|q| q as i64);
    let quantity_unit = c.text("quantity_unit", r.quantity_unit);
    let location = c.text("location", r.location);
    let confidence = match c.atom(r.confidence) {
        None => Some(1.0),
        Some(v) => match v.parse::<f64>() {
            Ok(x) if (0.0..=1.0).contains(&x) => Some(x),
            _ => {
                c.fail(
                    Rule::InvalidNumber,
                    "confidence",
                    format!("confidence must be a number in [0, 1], not `{v}`"),
                    "write e.g. 0.8 (a decimal point, not a comma)",
                );
                None
            }
        },
    };
    let annotator = c.text("annotator", r.annotator);
    let notes = c.text("notes", r.notes);
    let row = match (article_id, event_id, source, code, date, mode, evidence, confidence) {
        (
            Some(article_id),
            Some(event_id),
            Some(source),
            Some(code),
            Some((date_raw, date)),
            Some(mode),
            Some(evidence),
            Some(confidence),
        ) if !c.problems.iter().any(|p| p.is_error()) => Some(Event {
            src: src.shell(),
            article_id: article_id.to_owned(),
            event_id: event_id.to_owned(),
            source: source.to_owned(),
            target: target.map(str::to_owned),
            code: code.to_owned(),
            date_raw: date_raw.to_owned(),
            date,
            date_text: date_text.map(str::to_owned),
            mode: mode.to_owned(),
            evidence: evidence.to_owned(),
            evidence_start,
            quantity,
            quantity_unit: quantity_unit.map(str::to_owned),
            location: location.map(str::to_owned),
            confidence,
            annotator: annotator.map(str::to_owned),
            notes: notes.map(str::to_owned),
        }),
        _ => None,
    };
    (row, c.problems)
}

/// Checks a mentions row; its `src` has no raw fields, as with [`event`].
pub fn mention(src: &RowSrc) -> (Option<Mention>, Vec<Problem>) {
    let r = MentionRecord::of(src);
    let mut c = Check { src, problems: Vec::new() };
    let a = c.atom(r.article_id);
    let a = c.required("article_id", a);
    let article_id = c.id("article_id", a, false);
    let actor = c.atom(r.actor);
    let actor = c.required("actor", actor);
    let text = r.text.filter(|t| !t.is_empty());
    let text = c.required("text", text);
    let start = c.atom(r.start);
    let start = c.uint("start", start);
    let annotator = c.text("annotator", r.annotator);
    let notes = c.text("notes", r.notes);
    let row = match (article_id, actor, text) {
        (Some(article_id), Some(actor), Some(text)) if !c.problems.iter().any(|p| p.is_error()) => Some(Mention {
            src: src.shell(),
            article_id: article_id.to_owned(),
            actor: actor.to_owned(),
            text: text.to_owned(),
            start,
            annotator: annotator.map(str::to_owned),
            notes: notes.map(str::to_owned),
        }),
        _ => None,
    };
    (row, c.problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::raw::columns;
    use crate::problem::Table;

    #[test]
    fn each_record_reads_exactly_the_columns_of_its_table() {
        let names = |t: Table| columns(t).iter().map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(ArticleRecord::COLUMNS, names(Table::Articles));
        assert_eq!(ActorRecord::COLUMNS, names(Table::Actors));
        assert_eq!(EventRecord::COLUMNS, names(Table::Events));
        assert_eq!(MentionRecord::COLUMNS, names(Table::Mentions));
    }
    use std::sync::Arc;

    fn src(table: Table, header: &[&str], fields: &[&str]) -> RowSrc {
        RowSrc {
            table,
            file: "raw/x.csv".into(),
            rel_file: "x.csv".into(),
            line: 7,
            header: Arc::from(header.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            fields: fields.iter().map(|s| s.to_string()).collect(),
        }
    }

    const EV: &[&str] =
        &["article_id", "event_id", "source", "target", "code", "date", "evidence", "quantity", "confidence", "mode"];

    #[test]
    fn a_good_event_parses_with_trimmed_atoms_and_kept_text() {
        let s = src(Table::Events, EV, &["a1", " e1 ", " RUS ", "", " 057 ", "2025-01~", " le passage ", "", "", ""]);
        let (row, problems) = event(&s);
        assert!(problems.is_empty(), "{problems:?}");
        let e = row.unwrap();
        assert_eq!((e.event_id.as_str(), e.source.as_str(), e.code.as_str()), ("e1", "RUS", "057"));
        assert_eq!(e.target, None);
        assert_eq!(e.evidence, " le passage ");
        assert_eq!(e.mode, "asserted");
        assert_eq!(e.confidence, 1.0);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_column() {
        let s = src(Table::Events, EV, &["A1", "e1", "RUS", "", "57a", "2025/05/20", "", "11 000", "1,5", "maybe"]);
        let (row, problems) = event(&s);
        assert!(row.is_none());
        let got: Vec<(Rule, Option<usize>)> = problems.iter().map(|p| (p.rule, p.column)).collect();
        assert_eq!(
            got,
            vec![
                (Rule::InvalidId, Some(1)),
                (Rule::InvalidCode, Some(5)),
                (Rule::InvalidDate, Some(6)),
                (Rule::InvalidEnum, Some(10)),
                (Rule::MissingValue, Some(7)),
                (Rule::InvalidNumber, Some(8)),
                (Rule::InvalidNumber, Some(9)),
            ]
        );
        assert!(problems.iter().all(|p| p.line == 7 && p.hint.is_some()));
    }

    #[test]
    fn a_numeric_looking_code_stays_text() {
        let s = src(Table::Events, EV, &["a1", "e1", "RUS", "", "0874", "2025", "x", "", "", ""]);
        assert_eq!(event(&s).0.unwrap().code, "0874");
    }

    #[test]
    fn actors_split_aliases_and_check_enums() {
        let h = &["actor_id", "name", "type", "country", "parent", "aliases"];
        let (a, p) =
            actor(&src(Table::Actors, h, &["AZE", "Azerbaijan", "state", "AZE", "", "Azerbaïdjan| Baghu ||Bagu"]));
        assert!(p.is_empty());
        assert_eq!(a.unwrap().aliases, vec!["Azerbaïdjan", "Baghu", "Bagu"]);
        let (a, p) = actor(&src(Table::Actors, h, &["aze", "Azerbaijan", "State", "aze", "", ""]));
        assert!(a.is_none());
        let rules: Vec<Rule> = p.iter().map(|p| p.rule).collect();
        assert_eq!(rules, vec![Rule::InvalidId, Rule::InvalidEnum, Rule::InvalidCountry]);
        assert!(p[1].hint.as_deref().unwrap().contains("`state`"));
        assert!(p[2].hint.as_deref().unwrap().contains("`AZE`"));
    }

    #[test]
    fn formulas_warn_but_keep_the_row() {
        let h = &["article_id", "actor", "text", "notes"];
        let (m, p) = mention(&src(Table::Mentions, h, &["a1", "RUS", "Moscou", "=HYPERLINK(\"http://x\")"]));
        assert!(m.is_some());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].rule, Rule::SpreadsheetFormula);
        assert!(!p[0].is_error());
    }

    #[test]
    fn id_patterns() {
        assert!(is_actor_id("RUS.MFA") && is_actor_id("AFG.TALIBAN") && is_actor_id("EU"));
        assert!(!is_actor_id("rus") && !is_actor_id("1RUS") && !is_actor_id("") && !is_actor_id(&"A".repeat(65)));
        assert!(is_article_id("000_14b90cedf25410f4") && !is_article_id("_a") && !is_article_id("Art"));
        assert!(is_bcp47("fr") && is_bcp47("pt-BR") && !is_bcp47("french") && !is_bcp47("f"));
    }
}
