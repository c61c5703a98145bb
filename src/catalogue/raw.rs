//! The raw annotation format, version 1 (the contract with annotators, in
//! `docs/` and the annotation guide): the four raw tables, each column's
//! name, whether it is required and whether it is free text, and the
//! vocabularies of the fields that take one. The format's column checks
//! (`ingest`) read these declarations.

use crate::problem::Table;

/// A column of a raw table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
    /// Free text keeps its surrounding white space; every other column is
    /// trimmed.
    pub text: bool,
}

/// The raw tables' names, as the rejects table names them.
pub const TABLE_NAMES: &[&str] = &["articles", "actors", "events", "mentions"];

const fn req(name: &'static str, text: bool) -> ColumnSpec {
    ColumnSpec { name, required: true, text }
}
const fn opt(name: &'static str, text: bool) -> ColumnSpec {
    ColumnSpec { name, required: false, text }
}

pub const ARTICLE_COLUMNS: &[ColumnSpec] = &[
    req("article_id", false),
    req("title", true),
    req("published", false),
    req("language", false),
    req("text_path", false),
    opt("outlet", true),
    opt("url", false),
    opt("notes", true),
];
pub const ACTOR_COLUMNS: &[ColumnSpec] = &[
    req("actor_id", false),
    req("name", true),
    req("type", false),
    opt("country", false),
    opt("parent", false),
    opt("aliases", true),
    opt("notes", true),
];
pub const EVENT_COLUMNS: &[ColumnSpec] = &[
    req("article_id", false),
    req("event_id", false),
    req("source", false),
    opt("target", false),
    req("code", false),
    req("date", false),
    opt("date_text", true),
    opt("mode", false),
    req("evidence", true),
    opt("evidence_start", false),
    opt("quantity", false),
    opt("quantity_unit", true),
    opt("location", true),
    opt("confidence", false),
    opt("annotator", true),
    opt("notes", true),
];
pub const MENTION_COLUMNS: &[ColumnSpec] = &[
    req("article_id", false),
    req("actor", false),
    req("text", true),
    opt("start", false),
    opt("annotator", true),
    opt("notes", true),
];

/// The columns of a raw table.
pub fn columns(table: Table) -> &'static [ColumnSpec] {
    match table {
        Table::Articles => ARTICLE_COLUMNS,
        Table::Actors => ACTOR_COLUMNS,
        Table::Events => EVENT_COLUMNS,
        Table::Mentions => MENTION_COLUMNS,
    }
}

/// The kinds of actor (`actors.type`).
pub const ACTOR_TYPES: &[&str] = &[
    "state",
    "government",
    "legislature",
    "judiciary",
    "military",
    "police",
    "intelligence",
    "person",
    "armed_group",
    "igo",
    "ngo",
    "media",
    "business",
    "civilians",
    "other",
];
/// How an event is reported (`events.mode`).
pub const MODES: &[&str] = &["asserted", "negated", "planned", "alleged"];
