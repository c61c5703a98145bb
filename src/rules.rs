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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
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

/// What `dyadflow explain RULE` prints besides the catalogue entry above: an
/// example that breaks the rule and how to fix it.
///
/// An example whose first line is a raw file name (`events.csv`) is that
/// file's content, header first, in the corpus `dyadflow init` creates (the
/// article `example-1`, the actors `FIN`, `NOR` and `NOR.GOV`); its last line
/// is the failing row. `tests/ops.rs` writes each such file into a fresh
/// corpus and checks that `validate` reports the rule on that row. Other
/// examples describe the situation in words.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    pub example: &'static str,
    pub fix: &'static str,
}

impl Rule {
    pub fn explanation(self) -> Explanation {
        use Rule::*;
        let (example, fix): (&str, &str) = match self {
            MissingTable => (
                "a raw directory holding articles.csv and actors.csv but neither events.csv nor events/",
                "add the table as `events.csv`, or as a directory `events/` of CSV batches; `dyadflow init DIR` creates every table with its header",
            ),
            TableFileAndDirectory => (
                "a raw directory holding both events.csv and a directory events/ with batches",
                "keep one of the two: move the rows of events.csv into a batch file under events/, or the batches into events.csv",
            ),
            ReadFailed => (
                "events.csv exists but the user running dyadflow may not read it (permission denied)",
                "make the file readable (`chmod a+r`), or check the disk",
            ),
            EmptyFile => ("events.csv\n", "write the header row first: `dyadflow init DIR` shows every table's header"),
            NoRows => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence",
                "add rows, or remove the file if the table is optional (mentions)",
            ),
            InvalidUtf8 => (
                "a row of events.csv saved in Windows-1252 by a spreadsheet, with `é` stored as the single byte 0xE9",
                "save the file as UTF-8 (in a spreadsheet: CSV UTF-8); `iconv -f cp1252 -t utf-8` converts it",
            ),
            NulByte => (
                "a field of events.csv holding a NUL byte (0x00), often left by a broken copy and paste or a binary export",
                "delete the character; `tr -d '\\000'` removes every NUL byte of a file",
            ),
            FieldCount => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement,in Oslo",
                "quote a field that contains a comma (\"signed, in Oslo\"), or remove the extra field",
            ),
            MissingColumn => (
                "events.csv\narticle_id,event_id,source,target,code,date\nexample-1,e9,FIN,NOR,057,2025-03-03",
                "add the column to the header (here `evidence`) and fill it in on every row",
            ),
            DuplicateColumn => (
                "events.csv\narticle_id,event_id,source,target,code,code,date,evidence\nexample-1,e9,FIN,NOR,057,057,2025-03-03,Finland and Norway signed a fishing agreement",
                "remove or rename one of the two columns",
            ),
            UnknownColumn => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence,remarks\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement,checked",
                "rename the column to one of the format (here `notes`), or remove it: its values are not published",
            ),
            MissingValue => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement",
                "fill in the field; only optional columns may be left empty",
            ),
            InvalidId => (
                "actors.csv\nactor_id,name,type,country\nfin,Finland,state,FIN",
                "write actor ids in upper case (`FIN`, `NOR.GOV`) and article ids in lower case (`example-1`), with letters, digits, `_`, `-` (and `.` for actors)",
            ),
            InvalidEnum => (
                "events.csv\narticle_id,event_id,source,target,code,date,mode,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,maybe,Finland and Norway signed a fishing agreement",
                "use one of the accepted values the message lists (mode: asserted, negated, planned, alleged)",
            ),
            InvalidNumber => (
                "events.csv\narticle_id,event_id,source,target,code,date,confidence,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,high,Finland and Norway signed a fishing agreement",
                "write a plain number: confidence from 0 to 1 (0.8), quantity as digits only (11000)",
            ),
            InvalidCode => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,05a,2025-03-03,Finland and Norway signed a fishing agreement",
                "write the CAMEO code as 2 to 4 digits, keeping its leading zero (`057`); format the column as text in a spreadsheet",
            ),
            InvalidDate => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,March 2025,Finland and Norway signed a fishing agreement",
                "write the date as EDTF: 2025-03-03, 2025-03, 2025, a season 2025-21, with ~ ? or % for approximate or uncertain, or an interval 2025-03-01/2025-03-03; the article's words go in date_text",
            ),
            InvalidCountry => (
                "actors.csv\nactor_id,name,type,country\nFIN,Finland,state,FI",
                "use the ISO 3166-1 alpha-3 code (FIN, not FI or Finland); leave it empty for international organisations",
            ),
            InvalidLanguage => (
                "articles.csv\narticle_id,title,published,language,text_path\nexample-1,Finland and Norway sign a fishing agreement,2025-03-04,en_GB,texts/example-1.txt",
                "write a BCP 47 tag: `en`, `fr`, `en-GB` (a hyphen, not an underscore)",
            ),
            InvalidPath => (
                "articles.csv\narticle_id,title,published,language,text_path\nexample-1,Finland and Norway sign a fishing agreement,2025-03-04,en,../example-1.txt",
                "keep texts inside the raw directory and name them relative to it (`texts/example-1.txt`)",
            ),
            TextMissing => (
                "articles.csv\narticle_id,title,published,language,text_path\nexample-1,Finland and Norway sign a fishing agreement,2025-03-04,en,texts/example-one.txt",
                "add the text file, or correct text_path (it is relative to the raw directory and case-sensitive)",
            ),
            TextOutsideRaw => (
                "texts/example-1.txt is a symbolic link to a file outside the raw directory",
                "copy the text into the raw directory instead of linking to it",
            ),
            TextNotUtf8 => (
                "texts/example-1.txt saved in Windows-1252 or UTF-16 by a word processor",
                "save the text as UTF-8 (plain text); `iconv -f cp1252 -t utf-8` converts it",
            ),
            SpreadsheetFormula => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence,notes\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement,=HYPERLINK(\"http://example.org\")",
                "write the text without the leading `=`, `+`, `-` or `@` (or start it with a space); dyadflow keeps it as plain text either way",
            ),
            DuplicateKey => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e1,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement\nexample-1,e1,NOR,FIN,057,2025-03-03,Finland and Norway signed a fishing agreement",
                "give every row its own id (event ids need only be unique within their article): the first row is kept, the later ones are rejected",
            ),
            UnknownArticle => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-2,e9,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement",
                "correct the article_id, or add the article to articles.csv (if it is there, look for its own problem: a rejected article rejects its rows)",
            ),
            UnknownActor => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,Finnland,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement",
                "name the actor by its id, name or one of its aliases (the hint suggests the closest), or add it to actors.csv",
            ),
            AmbiguousActor => (
                "actors.csv gives two actors the alias `Oslo` (the city's government and Norway's), and an event names its source `Oslo`",
                "name the actor by its id (`NOR.GOV`), or remove the shared alias from one of them",
            ),
            AliasCollision => (
                "actors.csv\nactor_id,name,type,country,parent,aliases\nFIN,Finland,state,FIN,,Suomi\nNOR.GOV,Norwegian government,government,NOR,NOR,Norway’s government\nNOR,Norway,state,NOR,,Suomi",
                "remove the label from the actor it does not belong to; rows naming the actor by that label are ambiguous",
            ),
            UnknownParent => (
                "actors.csv\nactor_id,name,type,country,parent\nNOR.GOV,Norwegian government,government,NOR,NOR.STATE",
                "name an actor of actors.csv as parent (here `NOR`), or add the parent",
            ),
            GenericAlias => (
                "actors.csv\nactor_id,name,type,country,parent,aliases\nFIN,Finland,state,FIN,,Suomi\nNOR.GOV,Norwegian government,government,NOR,NOR,Norway’s government\nNOR,Norway,state,NOR,,Norge|mine",
                "remove the alias: a common word (`mine`, `US`) would match the actor wherever the word is used; keep a garbled or generic form of one article as the `text` of a row of mentions.csv",
            ),
            ParentCycle => (
                "actors.csv\nactor_id,name,type,country,parent\nNOR,Norway,state,NOR,NOR.GOV\nNOR.GOV,Norwegian government,government,NOR,NOR",
                "break the loop: the top of a chain (usually the state) has no parent",
            ),
            UnknownCode => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,0579,2025-03-03,Finland and Norway signed a fishing agreement",
                "use a code of the CAMEO codebook (`057` Sign an official agreement); reference/cameo.csv lists them all",
            ),
            ImpossibleDate => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-02-30,Finland and Norway signed a fishing agreement",
                "correct the day; if the text gives only the month, write the month (2025-02)",
            ),
            ReversedInterval => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-03-05/2025-03-01,Finland and Norway signed a fishing agreement",
                "write the earlier date first: 2025-03-01/2025-03-05",
            ),
            DateAfterPublished => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-04-01,Finland and Norway signed a fishing agreement",
                "date the event when it happened, not when it was reported; an announced event that has not happened yet is `planned`",
            ),
            EvidenceNotFound => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland and Sweden signed a fishing agreement",
                "copy the passage from the text as it stands (same words, same spelling); the hint shows the closest passage",
            ),
            EvidenceAmbiguous => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland",
                "quote a longer passage that occurs once, or give evidence_start (the offset the hint lists for each occurrence)",
            ),
            EvidenceOffset => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence,evidence_start\nexample-1,e9,FIN,NOR,057,2025-03-03,Finland and Norway signed a fishing agreement,5",
                "correct evidence_start (code points from 0, the start of the text file), or leave it empty when the passage occurs once",
            ),
            EvidenceFolded => (
                "events.csv\narticle_id,event_id,source,target,code,date,evidence\nexample-1,e9,NOR.GOV,FIN,051,2025-03-03/2025-03-04,Norway's government praised Finland",
                "copy the passage with the text's own quotes, apostrophes and spaces (here `Norway’s`); the row is kept",
            ),
            MentionNotFound => (
                "mentions.csv\narticle_id,actor,text\nexample-1,FIN,Suomi",
                "copy the words as they stand in the text; each row without start takes the next occurrence no earlier row took, so remove surplus rows",
            ),
            MentionOffset => (
                "mentions.csv\narticle_id,actor,text,start\nexample-1,FIN,Finland,3",
                "correct start (code points from 0), or leave it empty to take the next occurrence",
            ),
            QuantityWithoutUnit => (
                "events.csv\narticle_id,event_id,source,target,code,date,quantity,evidence\nexample-1,e9,FIN,NOR,057,2025-03-03,2,Finland and Norway signed a fishing agreement",
                "say what the quantity counts in quantity_unit (agreements, soldiers, deaths), or remove the quantity",
            ),
            ScoreRange => (
                "a relationship score outside [-1, 1] or a negative count; no raw row can cause it: it guards the computation",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            DyadActor => (
                "a dyad of relationship_scores naming an actor that actors does not publish; no raw row can cause it",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            EventCountReconcile => (
                "the dyads' event counts differ from an independent count of the incidents in events; no raw row can cause it",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            Unique => (
                "two published rows of a table share its key (two events with one event_key); the gates before should have rejected one",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            NotNull => (
                "a published column that may not be null holds a null (an event without date_start)",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            AcceptedValues => (
                "a published column holds a value outside its accepted set (quad_class 5)",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            Relationships => (
                "a published event names a source_id that actors does not publish",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            RowsReconcile => (
                "rows read from events.csv differ from the events published plus the events rejected: a row was lost",
                "report it as a bug in dyadflow, with the run report; nothing was published",
            ),
            ReadBack => (
                "events.parquet, written to the staging directory, reads back with fewer rows than were written (a full disk, a failing device)",
                "check the disk and run again; nothing was published",
            ),
        };
        Explanation { example, fix }
    }

    /// The example as a raw file of the `dyadflow init` corpus, when it is
    /// one (see [`Explanation`]): its name, its content, and the line that
    /// breaks the rule (the header for rules about columns, 0 for the whole
    /// file).
    pub fn example_file(self) -> Option<(&'static str, &'static str, u64)> {
        let ex = self.explanation().example;
        let (name, rest) = ex.split_once('\n').unwrap_or((ex, ""));
        if !name.ends_with(".csv") || name.contains(' ') {
            return None;
        }
        let line = match (self, rest.lines().count() as u64) {
            (Rule::MissingColumn | Rule::DuplicateColumn | Rule::UnknownColumn, _) => 1,
            (_, n) if n <= 1 => 0,
            (_, n) => n,
        };
        Some((name, rest, line))
    }
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

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        Rule::from_id(&id).ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{id}`")))
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
