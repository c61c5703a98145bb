//! The ledger of a run: every problem found and every rejected row, with the
//! configured severities applied. Rows enter it from every stage, so the run
//! record can prove that rows read = rows published + rows rejected.

use crate::config::Config;
use crate::problem::{Problem, Table};
use crate::rules::{Rule, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a row came from: its table, file, physical line and raw fields.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct RowSrc {
    pub table: Table,
    /// The file as shown in messages (raw directory joined).
    pub file: Arc<str>,
    /// The file relative to the raw directory, as published in `raw_file`.
    pub rel_file: Arc<str>,
    pub line: u64,
    pub header: Arc<[String]>,
    pub fields: Fields,
}

/// The raw fields of a row, kept in one buffer (a row is two allocations,
/// not one per field). Serialized as a list of strings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Fields {
    text: String,
    /// Where each field ends in `text`.
    ends: Vec<u32>,
}

impl Fields {
    /// Room for `n` fields of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Fields { text: String::with_capacity(bytes), ends: Vec::with_capacity(n) }
    }

    pub fn push(&mut self, field: &str) {
        self.text.push_str(field);
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The field at position `i` (0-based).
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.text[start..end])
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).expect("a field within the row"))
    }

    /// The fields' bytes end to end, and where each ends (for the spilled
    /// partitions).
    pub fn parts(&self) -> (&str, &[u32]) {
        (&self.text, &self.ends)
    }

    /// Fields from their text end to end and where each ends; None when an
    /// end is out of order, past the text or inside a character.
    pub fn from_parts(text: String, ends: Vec<u32>) -> Option<Self> {
        let mut last = 0;
        for &e in &ends {
            let e = e as usize;
            if e < last || !text.is_char_boundary(e) {
                return None;
            }
            last = e;
        }
        Some(Fields { text, ends })
    }
}

impl std::ops::Index<usize> for Fields {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i).expect("field index within the row")
    }
}

impl<S: AsRef<str>> FromIterator<S> for Fields {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut f = Fields::default();
        for s in iter {
            f.push(s.as_ref());
        }
        f
    }
}

impl std::fmt::Debug for Fields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Fields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into_iter().collect())
    }
}

impl RowSrc {
    /// The row's origin without its raw fields (a typed record made from the
    /// row gets them moved in afterwards: see `ingest::check_moving`).
    pub fn shell(&self) -> RowSrc {
        RowSrc {
            table: self.table,
            file: self.file.clone(),
            rel_file: self.rel_file.clone(),
            line: self.line,
            header: self.header.clone(),
            fields: Fields::default(),
        }
    }

    /// The raw record as a JSON object (header name -> raw value); fields
    /// beyond the header are named `_extra_N`.
    pub fn record_json(&self) -> String {
        let mut map = serde_json::Map::new();
        for (i, v) in self.fields.iter().enumerate() {
            let key = self.header.get(i).cloned().unwrap_or_else(|| format!("_extra_{}", i + 1));
            let key = if map.contains_key(&key) { format!("{key}_{}", i + 1) } else { key };
            map.insert(key, serde_json::Value::String(v.to_string()));
        }
        serde_json::Value::Object(map).to_string()
    }

    /// 1-based field number of a column in this row's header.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name).map(|i| i + 1)
    }

    /// A problem located at this row (and at `field`, when it is in the header).
    pub fn problem(&self, rule: Rule, field: Option<&str>, message: impl Into<String>) -> Problem {
        let mut p = Problem::new(rule, self.file.to_string(), self.line, message).table(self.table);
        if let Some(f) = field {
            match self.column(f) {
                Some(c) => p = p.at(c, f),
                None => p.field = Some(f.to_string()),
            }
        }
        p
    }
}

/// A raw row that was not published, with the reason.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Reject {
    pub src: RowSrc,
    pub rule: Rule,
    pub severity: Severity,
    pub column: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    pub stage: crate::rules::Stage,
}

#[derive(Debug, Default, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Counts {
    pub read: usize,
    pub published: usize,
    pub rejected: usize,
}

/// A [`Ledger`]'s records, as a shard set stores them.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct LedgerState {
    pub problems: Vec<Problem>,
    pub rejects: Vec<Reject>,
    pub read: BTreeMap<Table, usize>,
}

#[derive(Debug)]
pub struct Ledger {
    severities: BTreeMap<Rule, Severity>,
    pub problems: Vec<Problem>,
    pub rejects: Vec<Reject>,
    pub read: BTreeMap<Table, usize>,
}

impl Ledger {
    pub fn new(config: &Config) -> Self {
        let severities = Rule::ALL.iter().map(|r| (*r, config.severity_of(*r))).collect();
        Ledger { severities, problems: Vec::new(), rejects: Vec::new(), read: BTreeMap::new() }
    }

    /// An empty ledger with the same severities, for work whose problems
    /// another shard reports.
    pub fn aside(&self) -> Ledger {
        Ledger { severities: self.severities.clone(), problems: Vec::new(), rejects: Vec::new(), read: BTreeMap::new() }
    }

    fn apply(&self, mut p: Problem) -> Problem {
        p.severity = self.severities[&p.rule];
        p
    }

    /// Records a problem that concerns a file or the corpus, not one row.
    pub fn report(&mut self, p: Problem) {
        let p = self.apply(p);
        self.problems.push(p);
    }

    /// Records the problems of one row. Returns true when the row is kept
    /// (no problem at error severity); otherwise the row is rejected with its
    /// first error as the reason.
    pub fn check_row(&mut self, src: &RowSrc, problems: Vec<Problem>) -> bool {
        let mut first_error: Option<Problem> = None;
        for p in problems {
            let p = self.apply(p);
            if p.is_error() && first_error.is_none() {
                first_error = Some(p.clone());
            }
            self.problems.push(p);
        }
        match first_error {
            None => true,
            Some(e) => {
                self.push_reject(src, &e);
                false
            }
        }
    }

    /// Rejects a row because of a problem already reported (a file-level one).
    pub fn reject_for(&mut self, src: &RowSrc, cause: &Problem) {
        self.push_reject(src, cause);
    }

    fn push_reject(&mut self, src: &RowSrc, p: &Problem) {
        self.rejects.push(Reject {
            src: src.clone(),
            rule: p.rule,
            severity: p.severity,
            column: p.column,
            message: p.message.clone(),
            hint: p.hint.clone(),
            stage: p.rule.stage(),
        });
    }

    /// Adds what another shard's ledger recorded.
    pub fn absorb(&mut self, other: Ledger) {
        self.problems.extend(other.problems);
        self.rejects.extend(other.rejects);
        for (t, n) in other.read {
            self.count_read(t, n);
        }
    }

    /// The problems, rejects and read counts, as a shard set stores them.
    pub fn state(&self) -> LedgerState {
        // in file and line order, whatever thread found them first
        let mut problems = self.problems.clone();
        problems.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
        let mut rejects = self.rejects.clone();
        rejects.sort_by(|a, b| {
            (a.src.table, a.src.file.as_ref(), a.src.line).cmp(&(b.src.table, b.src.file.as_ref(), b.src.line))
        });
        LedgerState { problems, rejects, read: self.read.clone() }
    }

    /// A ledger read back from a shard set (severities were applied when
    /// its problems were recorded).
    pub fn from_state(config: &Config, s: LedgerState) -> Ledger {
        let mut l = Ledger::new(config);
        l.problems = s.problems;
        l.rejects = s.rejects;
        l.read = s.read;
        l
    }

    pub fn count_read(&mut self, table: Table, n: usize) {
        *self.read.entry(table).or_default() += n;
    }

    pub fn rejected(&self, table: Table) -> usize {
        self.rejects.iter().filter(|r| r.src.table == table).count()
    }

    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.iter().filter(|p| !p.is_error()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> RowSrc {
        RowSrc {
            table: Table::Events,
            file: "raw/events.csv".into(),
            rel_file: "events.csv".into(),
            line: 3,
            header: vec!["a".to_string(), "b".to_string()].into(),
            fields: ["1", "x\"y", "extra"].into_iter().collect(),
        }
    }

    #[test]
    fn fields_keep_each_value_apart() {
        let f: Fields = ["", "ün", "", "x,y"].into_iter().collect();
        assert_eq!(f.len(), 4);
        assert_eq!(f.iter().collect::<Vec<_>>(), ["", "ün", "", "x,y"]);
        assert_eq!((f.get(1), f.get(4)), (Some("ün"), None));
        assert_eq!(serde_json::to_string(&f).unwrap(), r#"["","ün","","x,y"]"#);
        let back: Fields = serde_json::from_str(r#"["","ün","","x,y"]"#).unwrap();
        assert_eq!(back, f);
        let (text, ends) = f.parts();
        assert_eq!(Fields::from_parts(text.to_string(), ends.to_vec()), Some(f.clone()));
        // ends out of order, or inside a character, are refused
        assert_eq!(Fields::from_parts("abc".into(), vec![2, 1]), None);
        assert_eq!(Fields::from_parts("ün".into(), vec![1, 3]), None);
        assert_eq!(Fields::from_parts("ab".into(), vec![3]), None);
    }

    #[test]
    fn record_json_keeps_every_field() {
        let v: serde_json::Value = serde_json::from_str(&src().record_json()).unwrap();
        assert_eq!(v["a"], "1");
        assert_eq!(v["b"], "x\"y");
        assert_eq!(v["_extra_3"], "extra");
    }

    #[test]
    fn errors_reject_warnings_keep_and_config_overrides() {
        let mut l = Ledger::new(&Config::default());
        let s = src();
        assert!(l.check_row(&s, vec![s.problem(Rule::SpreadsheetFormula, Some("b"), "formula")]));
        assert!(!l.check_row(
            &s,
            vec![s.problem(Rule::UnknownActor, Some("b"), "nobody"), s.problem(Rule::UnknownCode, None, "x")]
        ));
        assert_eq!(l.rejects.len(), 1);
        assert_eq!(l.rejects[0].rule, Rule::UnknownActor);
        assert_eq!(l.rejects[0].column, Some(2));
        assert_eq!((l.errors(), l.warnings()), (2, 1));

        let strict = Config::parse("[severity]\nspreadsheet-formula = \"error\"").unwrap();
        let mut l = Ledger::new(&strict);
        assert!(!l.check_row(&s, vec![s.problem(Rule::SpreadsheetFormula, Some("b"), "formula")]));
    }
}
