//! Reading one raw CSV file: bytes, byte-order mark, header, and records with
//! their physical line numbers. Nothing here knows what the columns mean
//! beyond their names; a row that cannot be decoded still comes out, with its
//! fields decoded lossily, so that it can be rejected with its raw content.

use crate::ledger::RowSrc;
use crate::problem::{Problem, Table};
use crate::rules::Rule;
use std::sync::Arc;

/// A column of a raw table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
    /// Free text keeps its surrounding white space; every other column is
    /// trimmed.
    pub text: bool,
}

/// One data row as read, before its fields are checked.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub src: RowSrc,
    /// Problems found while decoding (invalid UTF-8, NUL, field count).
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
pub struct CsvFile {
    pub display: String,
    pub header: Arc<[String]>,
    pub rows: Vec<CsvRow>,
    /// File-level problems (reported once).
    pub problems: Vec<Problem>,
    /// A file-level error that rejects every row of the file.
    pub fatal: Option<Problem>,
}

fn lossy(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

/// Parses the bytes of one CSV file of `table`.
pub fn parse(table: Table, display: &str, rel: &str, data: &[u8], columns: &[ColumnSpec]) -> CsvFile {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let file: Arc<str> = display.into();
    let rel_file: Arc<str> = rel.into();
    let mut out = CsvFile {
        display: display.to_string(),
        header: Arc::from(Vec::<String>::new()),
        rows: Vec::new(),
        problems: Vec::new(),
        fatal: None,
    };
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(body);
    let mut records = rdr.byte_records();
    let header = match records.next() {
        None => {
            let p =
                Problem::new(Rule::EmptyFile, display, 1, "the file is empty: a CSV file needs at least a header row")
                    .table(table)
                    .hint(format!(
                        "write the header: {}",
                        columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
                    ));
            out.problems.push(p.clone());
            out.fatal = Some(p);
            return out;
        }
        Some(Err(e)) => {
            let p = Problem::new(Rule::ReadFailed, display, 1, format!("cannot read the header: {e}")).table(table);
            out.problems.push(p.clone());
            out.fatal = Some(p);
            return out;
        }
        Some(Ok(h)) => h,
    };
    let mut lines = LineCounter::new(body);
    let header_line = lines.line_at(header.position().map_or(0, |p| p.byte()));
    let names: Vec<String> = header.iter().map(|f| lossy(f).trim().to_string()).collect();
    out.header = Arc::from(names.clone());
    check_header(table, display, header_line, &header, &names, columns, &mut out);

    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                // The csv parser only fails on I/O, which cannot happen on a
                // byte slice; keep the message should that ever change.
                let p = Problem::new(Rule::ReadFailed, display, 0, format!("cannot read a record: {e}")).table(table);
                out.problems.push(p);
                break;
            }
        };
        let line = lines.line_at(rec.position().map_or(0, |p| p.byte()));
        let src = RowSrc {
            table,
            file: file.clone(),
            rel_file: rel_file.clone(),
            line,
            header: out.header.clone(),
            fields: rec.iter().map(lossy).collect(),
        };
        let mut problems = Vec::new();
        for (i, f) in rec.iter().enumerate() {
            let name = names.get(i).map(String::as_str).unwrap_or("");
            if let Err(e) = std::str::from_utf8(f) {
                let col_in_field = f[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count();
                let msg = format!(
                    "field {} ({}) is not valid UTF-8 (byte {:#04x} after {} valid bytes{})",
                    i + 1,
                    if name.is_empty() { "beyond the header" } else { name },
                    f[e.valid_up_to()],
                    e.valid_up_to(),
                    if col_in_field > 0 { format!(", {col_in_field} line(s) into the field") } else { String::new() }
                );
                problems.push(src.problem(Rule::InvalidUtf8, Some(name), msg).hint(
                    "save the file as UTF-8 (in a spreadsheet: CSV UTF-8); the raw bytes are kept in the rejects table",
                ));
            } else if f.contains(&0) {
                problems.push(
                    src.problem(Rule::NulByte, Some(name), format!("field {} ({name}) contains a NUL byte", i + 1))
                        .hint("remove the NUL characters; they usually come from a UTF-16 export or a binary paste"),
                );
            }
        }
        if rec.len() != names.len() {
            problems.push(
                src.problem(
                    Rule::FieldCount,
                    None,
                    format!("the row has {} fields but the header has {}", rec.len(), names.len()),
                )
                .hint(
                    "quote fields that contain commas or line breaks (\"a, b\"), and double quotes inside them (\"\")",
                ),
            );
        }
        out.rows.push(CsvRow { src, problems });
    }
    if out.rows.is_empty() && out.fatal.is_none() {
        out.problems.push(
            Problem::new(Rule::NoRows, display, header_line, "the file has a header but no rows")
                .table(table)
                .hint("add rows, or remove the file if the table is optional"),
        );
    }
    out
}

/// Physical line numbers from byte offsets. The csv parser's own line count
/// is off after CRLF line ends and blank lines, so lines are counted here: a
/// record starts at the first byte after any blank lines before it.
/// Line breaks in `bytes`, as the CSV reader sees them: `\r\n`, `\n`, or a
/// lone `\r` (old Mac files) each end a line.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let lone_cr = bytes.iter().enumerate().filter(|(i, b)| **b == b'\r' && bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

struct LineCounter<'a> {
    data: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(data: &'a [u8]) -> Self {
        LineCounter { data, pos: 0, line: 1 }
    }

    /// The line of the record starting at `byte` (offsets only grow).
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.data.len());
        while start < self.data.len() && matches!(self.data[start], b'\n' | b'\r') {
            start += 1;
        }
        if start >= self.pos {
            self.line += line_breaks(&self.data[self.pos..start]);
            self.pos = start;
        }
        self.line
    }
}

fn check_header(
    table: Table,
    display: &str,
    line: u64,
    raw: &csv::ByteRecord,
    names: &[String],
    columns: &[ColumnSpec],
    out: &mut CsvFile,
) {
    let mut fatal: Option<Problem> = None;
    for (i, f) in raw.iter().enumerate() {
        if std::str::from_utf8(f).is_err() {
            let p =
                Problem::new(Rule::InvalidUtf8, display, line, format!("header field {} is not valid UTF-8", i + 1))
                    .table(table)
                    .at(i + 1, names[i].clone())
                    .hint("save the file as UTF-8");
            fatal.get_or_insert(p.clone());
            out.problems.push(p);
        }
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            let first = names.iter().position(|x| x == n).unwrap_or(0) + 1;
            let p = Problem::new(
                Rule::DuplicateColumn,
                display,
                line,
                format!("column `{n}` occurs twice (fields {first} and {})", i + 1),
            )
            .table(table)
            .at(i + 1, n.clone())
            .hint("keep one of the two columns");
            fatal.get_or_insert(p.clone());
            out.problems.push(p);
        } else if !columns.iter().any(|c| c.name == n) {
            let close = columns
                .iter()
                .map(|c| (strsim::jaro_winkler(&n.to_lowercase(), c.name), c.name))
                .filter(|(s, _)| *s > 0.85)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = match close {
                Some((_, c)) => format!("did you mean `{c}`? column names are lower_snake_case"),
                None => format!(
                    "the {} table has the columns {}",
                    table,
                    columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                ),
            };
            out.problems.push(
                Problem::new(Rule::UnknownColumn, display, line, format!("unknown column `{n}` is ignored"))
                    .table(table)
                    .at(i + 1, n.clone())
                    .hint(hint),
            );
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !names.iter().any(|n| n == c.name) {
            let p =
                Problem::new(Rule::MissingColumn, display, line, format!("required column `{}` is missing", c.name))
                    .table(table)
                    .hint(format!("add a `{}` column to the header (column order is free)", c.name));
            fatal.get_or_insert(p.clone());
            out.problems.push(p);
        }
    }
    out.fatal = fatal;
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[ColumnSpec] =
        &[ColumnSpec { name: "a", required: true, text: false }, ColumnSpec { name: "b", required: false, text: true }];

    fn rules(f: &CsvFile) -> Vec<Rule> {
        f.problems.iter().map(|p| p.rule).collect()
    }

    #[test]
    fn physical_lines_survive_quoted_line_breaks_bom_and_crlf() {
        let data = b"\xEF\xBB\xBFa,b\r\n1,\"two\r\nlines\"\r\n2,x\r\n";
        let f = parse(Table::Events, "e.csv", "e.csv", data, COLS);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        assert_eq!(&*f.header, &["a".to_string(), "b".to_string()]);
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].src.line, 2);
        assert_eq!(f.rows[0].src.fields[1], "two\r\nlines");
        assert_eq!(f.rows[1].src.line, 4);
        let f = parse(Table::Events, "e.csv", "e.csv", b"\n\na,b\n\n1,2\r\n\r\n3,4", COLS);
        let lines: Vec<u64> = f.rows.iter().map(|r| r.src.line).collect();
        assert_eq!(lines, vec![5, 7], "blank lines are skipped but counted");
        let f = parse(Table::Events, "e.csv", "e.csv", b"a,b\r1,\"x\ry\"\r\r3,4\r", COLS);
        let lines: Vec<u64> = f.rows.iter().map(|r| r.src.line).collect();
        assert_eq!(lines, vec![2, 5], "a lone carriage return ends a line too");
    }

    #[test]
    fn bad_rows_are_kept_with_their_problems() {
        let data = b"a,b\n1,ok\n2,bad\xff\n3\n4,x,y\n5,nul\x00\n";
        let f = parse(Table::Events, "e.csv", "e.csv", data, COLS);
        assert_eq!(f.rows.len(), 5);
        let r: Vec<Vec<Rule>> = f.rows.iter().map(|r| r.problems.iter().map(|p| p.rule).collect()).collect();
        assert_eq!(r[0], vec![]);
        assert_eq!(r[1], vec![Rule::InvalidUtf8]);
        assert_eq!(f.rows[1].problems[0].line, 3);
        assert_eq!(f.rows[1].problems[0].column, Some(2));
        assert_eq!(f.rows[1].src.fields[1], "bad\u{FFFD}");
        assert_eq!(r[2], vec![Rule::FieldCount]);
        assert_eq!(r[3], vec![Rule::FieldCount]);
        assert_eq!(r[4], vec![Rule::NulByte]);
    }

    #[test]
    fn header_problems() {
        let f = parse(Table::Events, "e.csv", "e.csv", b"", COLS);
        assert_eq!(rules(&f), vec![Rule::EmptyFile]);
        assert!(f.fatal.is_some());
        let f = parse(Table::Events, "e.csv", "e.csv", b"a,b\n", COLS);
        assert_eq!(rules(&f), vec![Rule::NoRows]);
        assert!(f.fatal.is_none());
        let f = parse(Table::Events, "e.csv", "e.csv", b"b,A_\n1,2\n", COLS);
        assert_eq!(rules(&f), vec![Rule::UnknownColumn, Rule::MissingColumn]);
        assert_eq!(f.fatal.as_ref().unwrap().rule, Rule::MissingColumn);
        let f = parse(Table::Events, "e.csv", "e.csv", b"a,b,a\n1,2,3\n", COLS);
        assert_eq!(rules(&f), vec![Rule::DuplicateColumn]);
        assert_eq!(f.fatal.as_ref().unwrap().column, Some(3));
        let f = parse(Table::Events, "e.csv", "e.csv", b" a , b ,colour\n1,2,3\n", COLS);
        assert_eq!(rules(&f), vec![Rule::UnknownColumn], "names are trimmed");
    }
}
