//! The catalogue of validation rules: one id, stage, default severity and
//! description per rule. Every problem the pipeline reports names one of these,
//! and the run record lists each with its outcome.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a problem is. `Error` rejects the row (or fails the run when no
/// single row carries it); `Warning` keeps the row and records the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// The stage whose gate checks a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Ingest,
    Normalize,
    Score,
    Publish,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Ingest => "ingest",
            Stage::Normalize => "normalize",
            Stage::Score => "score",
            Stage::Publish => "publish",
        })
    }
}

macro_rules! rules {
    ($( $variant:ident => ($id:literal, $stage:ident, $sev:ident, $demotable:literal, $desc:literal) ),* $(,)?) => {
        /// A validation rule. `id()` is the stable kebab-case name used in
        /// messages, the rejects table, the run record and the configuration.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $($variant),* }

        impl Rule {
            /// Every rule, in catalogue order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            pub fn id(self) -> &'static str { match self { $(Rule::$variant => $id),* } }
            pub fn stage(self) -> Stage { match self { $(Rule::$variant => Stage::$stage),* } }
            pub fn default_severity(self) -> Severity { match self { $(Rule::$variant => Severity::$sev),* } }
            /// Whether the configuration may lower this rule to a warning. Rules
            /// whose failure leaves a row that cannot be published (an event
            /// without a resolvable actor, say) are not demotable.
            pub fn demotable(self) -> bool { match self { $(Rule::$variant => $demotable),* } }
            pub fn description(self) -> &'static str { match self { $(Rule::$variant => $desc),* } }

            pub fn from_id(id: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.id() == id)
            }
        }
    };
}

rules! {
    // ---- ingest: the contract of the raw format ----
    MissingTable => ("missing-table", Ingest, Error, false, "a required table (articles, actors, events) is neither a file nor a directory of batches"),
    TableFileAndDirectory => ("table-file-and-directory", Ingest, Error, false, "a table is given both as `<table>.csv` and as `<table>/`"),
    ReadFailed => ("read-failed", Ingest, Error, false, "a raw file could not be read"),
    EmptyFile => ("empty-file", Ingest, Error, false, "a CSV file has no header row"),
    NoRows => ("no-rows", Ingest, Warning, true, "a CSV file has a header but no data rows"),
    InvalidUtf8 => ("invalid-utf8", Ingest, Error, false, "a row contains bytes that are not valid UTF-8"),
    NulByte => ("nul-byte", Ingest, Error, false, "a field contains a NUL byte"),
    FieldCount => ("field-count", Ingest, Error, false, "a row has more or fewer fields than the header"),
    MissingColumn => ("missing-column", Ingest, Error, false, "a required column is missing from the header"),
    DuplicateColumn => ("duplicate-column", Ingest, Error, false, "a column name occurs twice in the header"),
    UnknownColumn => ("unknown-column", Ingest, Warning, true, "the header names a column the format does not define; it is ignored"),
    MissingValue => ("missing-value", Ingest, Error, false, "a required field is empty"),
    InvalidId => ("invalid-id", Ingest, Error, false, "an id does not match its pattern"),
    InvalidEnum => ("invalid-enum", Ingest, Error, false, "a value is not one of the accepted values"),
    InvalidNumber => ("invalid-number", Ingest, Error, false, "a number does not parse or is out of range"),
    InvalidCode => ("invalid-code", Ingest, Error, false, "a CAMEO code is not 2 to 4 digits"),
    InvalidDate => ("invalid-date", Ingest, Error, false, "a date is not in the EDTF subset of the format"),
    InvalidCountry => ("invalid-country", Ingest, Error, true, "a country is not an ISO 3166-1 alpha-3 code"),
    InvalidLanguage => ("invalid-language", Ingest, Error, true, "a language is not a BCP 47 tag"),
    InvalidPath => ("invalid-path", Ingest, Error, false, "a text_path is absolute or leaves the raw directory"),
    TextMissing => ("text-missing", Ingest, Error, false, "an article's text file does not exist or cannot be read"),
    TextOutsideRaw => ("text-outside-raw", Ingest, Error, false, "an article's text file resolves (through a link) outside the raw directory"),
    TextNotUtf8 => ("text-not-utf8", Ingest, Error, false, "an article's text file is not valid UTF-8"),
    SpreadsheetFormula => ("spreadsheet-formula", Ingest, Warning, true, "a text field starts like a spreadsheet formula (`=HYPERLINK(...)`); it is kept as plain text"),
    // ---- normalize: keys, references, dates, spans ----
    DuplicateKey => ("duplicate-key", Normalize, Error, false, "a key (article_id, actor_id, event_id within its article) is used twice"),
    UnknownArticle => ("unknown-article", Normalize, Error, false, "a row names an article that is not published"),
    UnknownActor => ("unknown-actor", Normalize, Error, false, "an actor label matches no published actor"),
    AmbiguousActor => ("ambiguous-actor", Normalize, Error, false, "an actor label matches two or more actors"),
    AliasCollision => ("alias-collision", Normalize, Warning, true, "two actors share a label (id, name or alias) after folding case and accents"),
    GenericAlias => ("generic-alias", Normalize, Warning, true, "an alias folds to a common French or English word, or is one word of another actor's longer label"),
    UnknownParent => ("unknown-parent", Normalize, Error, false, "an actor's parent is not a published actor"),
    ParentCycle => ("parent-cycle", Normalize, Error, false, "an actor's parent chain loops back on itself"),
    UnknownCode => ("unknown-code", Normalize, Error, false, "a code is not in the CAMEO reference"),
    ImpossibleDate => ("impossible-date", Normalize, Error, false, "a date names a day that does not exist (2025-02-30)"),
    ReversedInterval => ("reversed-interval", Normalize, Error, false, "an interval ends before it starts"),
    DateAfterPublished => ("date-after-published", Normalize, Error, true, "an event is dated after its article's publication but its mode is not `planned`"),
    EvidenceNotFound => ("evidence-not-found", Normalize, Error, false, "the evidence passage does not occur in the article text"),
    EvidenceAmbiguous => ("evidence-ambiguous", Normalize, Error, false, "the evidence passage occurs more than once and no evidence_start says which"),
    EvidenceOffset => ("evidence-offset", Normalize, Error, false, "evidence_start does not point at the evidence passage"),
    EvidenceFolded => ("evidence-folded", Normalize, Warning, true, "the evidence matches only after folding quotes, apostrophes and white space"),
    MentionNotFound => ("mention-not-found", Normalize, Error, false, "a mention's text does not occur (again) in the article text"),
    MentionOffset => ("mention-offset", Normalize, Error, false, "a mention's start does not point at its text"),
    QuantityWithoutUnit => ("quantity-without-unit", Normalize, Warning, true, "a quantity is given without quantity_unit"),
    // ---- score and publish gates: invariants of the published set ----
    ScoreRange => ("score-range", Score, Error, false, "a relationship score lies outside [-1, 1] or a count is negative"),
    DyadActor => ("dyad-actor", Score, Error, false, "a dyad names an actor that is not published"),
    EventCountReconcile => ("event-count-reconcile", Score, Error, false, "dyad event counts do not add up to the events table"),
    Unique => ("unique", Publish, Error, false, "generic test: a key column holds duplicates"),
    NotNull => ("not-null", Publish, Error, false, "generic test: a required column holds nulls"),
    AcceptedValues => ("accepted-values", Publish, Error, false, "generic test: a column holds a value outside its accepted set"),
    Relationships => ("relationships", Publish, Error, false, "generic test: a reference column names a row that is not published"),
    RowsReconcile => ("rows-reconcile", Publish, Error, false, "rows read differ from rows published plus rows rejected"),
    ReadBack => ("read-back", Publish, Error, false, "a written Parquet file does not read back with the expected schema and rows"),
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.id()), "duplicate rule id {}", r.id());
            assert!(r.id().chars().all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()));
            assert_eq!(Rule::from_id(r.id()), Some(*r));
            assert!(!r.description().is_empty());
        }
        assert_eq!(Rule::from_id("no-such-rule"), None);
    }

    #[test]
    fn non_demotable_rules_are_errors() {
        for r in Rule::ALL {
            if !r.demotable() {
                assert_eq!(r.default_severity(), Severity::Error, "{}", r.id());
            }
        }
    }
}
