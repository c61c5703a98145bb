//! The seven published tables, column by column, with their order, key and
//! generic tests.

use super::raw::{ACTOR_TYPES, MODES, TABLE_NAMES};
use super::{Check, Column, Ids, Kind, TableSchema};
use crate::edtf::Precision;

/// QuadClass values, as text.
const QUAD_CLASSES: &[&str] = &["1", "2", "3", "4"];

macro_rules! col {
    ($name:literal, Str, null, text, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::Str,
            nullable: true,
            dictionary: false,
            bloom: false,
            free_text: true,
            description: $desc,
        }
    };
    ($name:literal, Str, req, text, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::Str,
            nullable: false,
            dictionary: false,
            bloom: false,
            free_text: true,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, null, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: true,
            dictionary: false,
            bloom: false,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, req, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: false,
            dictionary: false,
            bloom: false,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, null, dict, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: true,
            dictionary: true,
            bloom: false,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, req, dict, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: false,
            dictionary: true,
            bloom: false,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, req, dict, bloom, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: false,
            dictionary: true,
            bloom: true,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, null, dict, bloom, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: true,
            dictionary: true,
            bloom: true,
            free_text: false,
            description: $desc,
        }
    };
    ($name:literal, $kind:ident, req, bloom, $desc:literal) => {
        Column {
            name: $name,
            kind: Kind::$kind,
            nullable: false,
            dictionary: false,
            bloom: true,
            free_text: false,
            description: $desc,
        }
    };
}

const RAW_FILE: Column =
    col!("raw_file", Str, req, dict, "raw CSV file the row was read from, relative to the raw directory");
const RAW_LINE: Column = col!("raw_line", Int64, req, "physical line of the row in raw_file (1 = header)");

pub const ARTICLES: TableSchema = TableSchema {
    name: "articles",
    description: "one row per annotated article",
    key: &["article_id"],
    sort_by: &["article_id"],
    checks: &[],
    columns: &[
        col!("article_id", Str, req, bloom, "article id from articles.csv"),
        col!("title", Str, req, text, "headline as published"),
        col!("published", Str, req, "publication date as annotated (EDTF)"),
        col!("published_start", Date, req, "first day the publication date can be"),
        col!("published_end", Date, req, "last day the publication date can be"),
        col!("published_approximate", Bool, req, "the publication date is approximate (EDTF ~ or %)"),
        col!("language", Str, req, dict, "BCP 47 language tag of the text"),
        col!("outlet", Str, null, dict, "publisher"),
        col!("url", Str, null, text, "where the article was published"),
        col!("text_path", Str, req, "text file, relative to the raw directory"),
        col!("text_sha256", Str, req, "SHA-256 of the text file"),
        col!("text_chars", Int64, req, "length of the text in code points"),
        col!("event_count", Int64, req, "published events annotated in the article"),
        col!("mention_count", Int64, req, "published mentions annotated in the article"),
        col!("notes", Str, null, text, "annotator's remarks"),
        RAW_FILE,
        RAW_LINE,
    ],
};

pub const ACTORS: TableSchema = TableSchema {
    name: "actors",
    description: "one row per actor: states, organisations, groups, persons",
    key: &["actor_id"],
    sort_by: &["actor_id"],
    checks: &[Check::Accepted("type", ACTOR_TYPES), Check::References("parent_id", Ids::Actors), Check::References("top_id", Ids::Actors)],
    columns: &[
        col!("actor_id", Str, req, bloom, "canonical actor id (RUS, RUS.MFA, AFG.TALIBAN)"),
        col!("name", Str, req, "canonical English name"),
        col!("type", Str, req, dict, "kind of actor: state, government, legislature, judiciary, military, police, intelligence, person, armed_group, igo, ngo, media, business, civilians, other"),
        col!("country", Str, null, dict, "ISO 3166-1 alpha-3 country the actor belongs to; null for international organisations"),
        col!("parent_id", Str, null, dict, "actor this one acts for or belongs to"),
        col!("top_id", Str, req, dict, "root of the parent chain (the actor itself when it has no parent)"),
        col!("depth", Int32, req, dict, "steps from the actor up to top_id (0 for a top actor)"),
        col!("aliases", ListStr, req, "other labels of the actor, including spellings found in the texts"),
        col!("mention_count", Int64, req, "published mentions of the actor"),
        col!("event_count", Int64, req, "published events with the actor as source or target"),
        col!("notes", Str, null, text, "annotator's remarks"),
        RAW_FILE,
        RAW_LINE,
    ],
};

pub const EVENTS: TableSchema = TableSchema {
    name: "events",
    description: "one row per annotated event claim (who did what to whom, when)",
    key: &["event_key"],
    sort_by: &["date_start", "date_end", "source_id", "target_id", "event_key"],
    checks: &[
        Check::Accepted("mode", MODES),
        Check::Accepted("date_precision", &Precision::ALL),
        Check::Accepted("quad_class", QUAD_CLASSES),
        Check::References("source_id", Ids::Actors),
        Check::References("target_id", Ids::Actors),
        Check::References("source_top_id", Ids::Actors),
        Check::References("target_top_id", Ids::Actors),
        Check::References("article_id", Ids::Articles),
        Check::References("code", Ids::Codes),
    ],
    columns: &[
        col!("event_key", Str, req, bloom, "stable key: first 16 hex digits of SHA-256(article_id, event_id)"),
        col!(
            "incident_id",
            Str,
            req,
            bloom,
            "the real-world incident the row reports, shared by every report of it: first 32 hex digits of SHA-256(source_id, target_id, code, date_start, date_end)"
        ),
        col!("article_id", Str, req, dict, "article the event is annotated in"),
        col!("event_id", Str, req, "annotator's id of the row, unique within its article"),
        col!("source_id", Str, req, dict, bloom, "actor who acts"),
        col!("target_id", Str, null, dict, bloom, "actor acted upon; null when nobody is"),
        col!("source_top_id", Str, req, dict, "top of the source's parent chain"),
        col!("target_top_id", Str, null, dict, "top of the target's parent chain"),
        col!("code", Str, req, dict, "CAMEO event code, as text with leading zeros"),
        col!("base_code", Str, req, dict, "the code's first three digits (its 3-digit base)"),
        col!("root_code", Str, req, dict, "the code's first two digits (its root)"),
        col!("code_label", Str, req, dict, "short description of the code"),
        col!(
            "quad_class",
            Int32,
            req,
            dict,
            "1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict"
        ),
        col!("goldstein", Float64, req, dict, "Goldstein value of the code, from -10 (most conflictual) to +10"),
        col!("plover", Str, null, dict, "PLOVER category of the code; null for roots 01 and 02"),
        col!(
            "mode",
            Str,
            req,
            dict,
            "asserted, negated (did not happen), planned (announced) or alleged (claimed by one party)"
        ),
        col!("confidence", Float64, req, dict, "annotator's confidence in the reading, 0 to 1"),
        col!("date_start", Date, req, "first day the event can have happened"),
        col!("date_end", Date, req, "last day the event can have happened"),
        col!("date_precision", Str, req, dict, "day, month, season, year or interval"),
        col!("date_approximate", Bool, req, "the date is approximate (EDTF ~ or %)"),
        col!("date_uncertain", Bool, req, "the date is uncertain (EDTF ? or %)"),
        col!("date_edtf", Str, req, dict, "the date as annotated (EDTF)"),
        col!("date_text", Str, null, text, "the article's own words for the date"),
        col!("quantity", Int64, null, "a count the text gives (soldiers, deaths, drones)"),
        col!("quantity_unit", Str, null, dict, "what quantity counts"),
        col!("location", Str, null, dict, "where it happened"),
        col!("evidence", Str, req, text, "passage of the article stating the event"),
        col!("evidence_start", Int64, req, "offset of evidence in the text, in code points from 0"),
        col!("evidence_end", Int64, req, "offset just past the evidence, in code points"),
        col!("sentence", Int32, req, "1-based sentence of the article holding the evidence"),
        col!("paragraph", Int32, req, "1-based paragraph (non-empty line; the headline is 1) holding the evidence"),
        col!("annotator", Str, null, dict, "who annotated the row"),
        col!("notes", Str, null, text, "annotator's remarks"),
        RAW_FILE,
        RAW_LINE,
    ],
};

pub const MENTIONS: TableSchema = TableSchema {
    name: "mentions",
    description: "one row per place in a text where an actor is named",
    key: &["article_id", "start", "end"],
    sort_by: &["article_id", "start", "end"],
    checks: &[
        Check::References("actor_id", Ids::Actors),
        Check::References("top_id", Ids::Actors),
        Check::References("article_id", Ids::Articles),
    ],
    columns: &[
        col!("article_id", Str, req, dict, "article whose text holds the mention"),
        col!("actor_id", Str, req, dict, bloom, "actor named"),
        col!("top_id", Str, req, dict, "top of the actor's parent chain"),
        col!("text", Str, req, dict, "the words as they stand in the text"),
        col!("start", Int64, req, "offset of text in the article, in code points from 0"),
        col!("end", Int64, req, "offset just past text, in code points"),
        col!("sentence", Int32, req, "1-based sentence holding the mention"),
        col!("paragraph", Int32, req, "1-based paragraph holding the mention"),
        col!("annotator", Str, null, dict, "who annotated the row"),
        col!("notes", Str, null, text, "annotator's remarks"),
        RAW_FILE,
        RAW_LINE,
    ],
};

pub const RELATIONSHIP_SCORES: TableSchema = TableSchema {
    name: "relationship_scores",
    description: "one row per dyad, level, direction and period",
    key: &["level", "directed", "period", "actor_a", "actor_b"],
    sort_by: &["level", "directed", "period", "actor_a", "actor_b"],
    checks: &[Check::Accepted("level", &["actor", "top"]), Check::Accepted("granularity", &["all", "year", "month"])],
    columns: &[
        col!(
            "level",
            Str,
            req,
            dict,
            "actor: actors as annotated; top: actors rolled up to the top of their parent chains"
        ),
        col!("directed", Bool, req, "true: actor_a acting on actor_b; false: the pair either way, actor_a < actor_b"),
        col!(
            "period",
            Str,
            req,
            dict,
            "`all`; a calendar year YYYY (of the events' first day); or a calendar month YYYY-MM (of events whose whole date span lies in it)"
        ),
        col!("granularity", Str, req, dict, "all, year or month: the kind of period"),
        col!(
            "period_start",
            Date,
            req,
            "the period's first day: January 1 of a year, the 1st of a month; for `all`, first_date (the dyad's first day)"
        ),
        col!(
            "period_end",
            Date,
            req,
            "the period's last day: December 31 of a year, the last day of a month; for `all`, last_date (the dyad's last day)"
        ),
        col!("actor_a", Str, req, dict, bloom, "source actor (directed) or the smaller id of the pair"),
        col!("actor_b", Str, req, dict, bloom, "target actor (directed) or the larger id of the pair"),
        col!("n_events", Int64, req, "distinct real-world events (an event reported by several articles counts once)"),
        col!("n_reports", Int64, req, "event rows behind those events, over all articles"),
        col!("n_verbal_coop", Int64, req, "events of QuadClass 1"),
        col!("n_material_coop", Int64, req, "events of QuadClass 2"),
        col!("n_verbal_conflict", Int64, req, "events of QuadClass 3"),
        col!("n_material_conflict", Int64, req, "events of QuadClass 4"),
        col!("goldstein_sum", Float64, req, "sum of the events' Goldstein values (unweighted)"),
        col!("goldstein_mean", Float64, req, "mean of the events' Goldstein values (unweighted)"),
        col!("weight_sum", Float64, req, "sum of the events' weights (confidence x mode weight)"),
        col!("coop_mass", Float64, req, "C: sum of weight x Goldstein / 10 over cooperative events"),
        col!("conflict_mass", Float64, req, "K: sum of weight x |Goldstein| / 10 over conflictual events"),
        col!("score", Float64, req, "(C - K) / (C + K + k), in (-1, 1); k is score.shrinkage"),
        col!("first_date", Date, req, "first day of the earliest event"),
        col!("last_date", Date, req, "last day of the latest event"),
    ],
};

pub const CODES: TableSchema = TableSchema {
    name: "codes",
    description: "one row per CAMEO event code of the reference, with its labels and values (codes from the CAMEO codebook 1.1b3, Goldstein values as distributed by the GDELT Project, PLOVER categories derived from the openeventdata/PLOVER table under CC BY-SA 4.0; labels in dyadflow's words)",
    key: &["code"],
    sort_by: &["code"],
    checks: &[Check::Accepted("quad_class", QUAD_CLASSES)],
    columns: &[
        col!("code", Str, req, bloom, "CAMEO event code, as text with leading zeros (events.code joins here)"),
        col!("label", Str, req, text, "short description of the code, in dyadflow's words"),
        col!("base_code", Str, req, dict, "the code's first three digits (its 3-digit base)"),
        col!("base_label", Str, req, dict, "short description of the base code"),
        col!("root_code", Str, req, dict, "the code's first two digits (its root)"),
        col!("root_label", Str, req, dict, "short description of the root code"),
        col!(
            "quad_class",
            Int32,
            req,
            dict,
            "1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict"
        ),
        col!(
            "quad_class_label",
            Str,
            req,
            dict,
            "verbal cooperation, material cooperation, verbal conflict or material conflict"
        ),
        col!("goldstein", Float64, req, dict, "Goldstein value of the code, from -10 (most conflictual) to +10"),
        col!("plover", Str, null, dict, "PLOVER category of the code; null for roots 01 and 02"),
        col!("plover_mode", Str, null, dict, "PLOVER mode of the code, where the CAMEO-PLOVER table gives one"),
        col!("plover_context", Str, null, dict, "PLOVER context of the code, where the CAMEO-PLOVER table gives one"),
    ],
};

pub const REJECTS: TableSchema = TableSchema {
    name: "rejects",
    description: "one row per raw row that was not published, with the reason",
    key: &["file", "line"],
    sort_by: &["table", "file", "line"],
    checks: &[Check::Accepted("severity", &["error"]), Check::Accepted("table", TABLE_NAMES)],
    columns: &[
        col!("table", Str, req, dict, "raw table of the row: articles, actors, events or mentions"),
        col!("file", Str, req, dict, "raw file of the row, relative to the raw directory"),
        col!("line", Int64, req, "physical line of the row in file (1 = header)"),
        col!("column", Int32, null, "1-based field number at fault, when one field is"),
        col!("stage", Str, req, dict, "stage whose gate rejected the row: ingest or normalize"),
        col!("rule", Str, req, dict, "id of the rule the row broke (the first error)"),
        col!("severity", Str, req, dict, "always error: warnings do not reject"),
        col!("message", Str, req, text, "what is wrong"),
        col!("hint", Str, null, text, "how to fix it"),
        col!("raw_record", Str, req, text, "the raw row as a JSON object, header name to value"),
    ],
};
