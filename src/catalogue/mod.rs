//! The catalogue: every table dyadflow reads or publishes, declared once.
//!
//! - [`raw`]: the raw annotation format (version 1): each raw table's columns,
//!   which are required and which are free text, and the vocabularies its
//!   fields take (actor types, modes). The format's column checks read them.
//! - [`tables`]: the seven published tables: each column's name, type,
//!   nullability, Parquet encoding and description, the sort order, the key,
//!   and the generic tests that apply beyond unique keys and not-null
//!   columns (accepted values, references to another table's ids).
//!
//! Everything else is derived from here: the Arrow/Parquet schema and its
//! field descriptions (`write::file`), the generic tests (`gates`), `dyadflow
//! schema` and the data dictionary ([`dictionary`]). Adding a published
//! column means declaring it in [`tables`] and computing it (`marts`).

pub mod raw;
pub mod tables;

pub use tables::{ACTORS, ARTICLES, CODES, EVENTS, MENTIONS, REJECTS, RELATIONSHIP_SCORES};

/// Schema version written into every file and the run record; raise it when
/// a column or table changes, and say what changed in `SCHEMA_CHANGELOG.md`.
pub const SCHEMA_VERSION: &str = "3";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int32,
    Int64,
    Float64,
    Bool,
    Date,
    ListStr,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Str => "string",
            Kind::Int32 => "int32",
            Kind::Int64 => "int64",
            Kind::Float64 => "double",
            Kind::Bool => "boolean",
            Kind::Date => "date",
            Kind::ListStr => "list<string>",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
    /// Dictionary-encode in Parquet (low-cardinality strings and numbers).
    pub dictionary: bool,
    /// Write a bloom filter (id columns users filter on).
    pub bloom: bool,
    /// Free text (headlines, passages, remarks): no min/max statistics in
    /// Parquet, which no filter on such a column could use.
    pub free_text: bool,
    pub description: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct TableSchema {
    pub name: &'static str,
    pub description: &'static str,
    pub columns: &'static [Column],
    /// Sort order of the rows, by column name.
    pub sort_by: &'static [&'static str],
    /// Columns whose values, together, are unique.
    pub key: &'static [&'static str],
    /// The generic tests beyond the key's uniqueness and the non-nullable
    /// columns' not-null test, in the order they run.
    pub checks: &'static [Check],
}

/// A generic test of a published column.
#[derive(Debug, Clone, Copy)]
pub enum Check {
    /// Every value is one of these (numbers compared as text).
    Accepted(&'static str, &'static [&'static str]),
    /// Every value is an id of these that the run publishes.
    References(&'static str, Ids),
}

/// Sets of ids a column may reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    Actors,
    Articles,
    Codes,
}

impl TableSchema {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Every published table, in publishing order.
pub const TABLES: [&TableSchema; 7] = [&ARTICLES, &ACTORS, &EVENTS, &MENTIONS, &RELATIONSHIP_SCORES, &CODES, &REJECTS];

/// The published tables' columns as a Markdown data dictionary (what
/// `dyadflow schema` prints, and the README's data dictionary).
pub fn dictionary() -> String {
    let mut s = String::new();
    for t in TABLES {
        s.push_str(&format!(
            "### `{}`\n\n{}. Sorted by {}; key: {}.\n\n",
            t.name,
            capitalize(t.description),
            t.sort_by.join(", "),
            t.key.join(", ")
        ));
        s.push_str("| column | type | null | description |\n| --- | --- | --- | --- |\n");
        for c in t.columns {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                c.name,
                c.kind.name(),
                if c.nullable { "yes" } else { "no" },
                c.description
            ));
        }
        s.push('\n');
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_keys_and_sorts_exist() {
        for t in TABLES {
            let mut seen = std::collections::HashSet::new();
            for c in t.columns {
                assert!(seen.insert(c.name), "{}.{} twice", t.name, c.name);
                assert!(!c.description.is_empty());
            }
            for k in t.key.iter().chain(t.sort_by) {
                assert!(t.column(k).is_some(), "{}.{k}", t.name);
            }
            for c in t.checks {
                let (Check::Accepted(name, _) | Check::References(name, _)) = c;
                assert!(t.column(name).is_some(), "{}.{name}: a test of a column the table does not have", t.name);
            }
        }
    }
}
