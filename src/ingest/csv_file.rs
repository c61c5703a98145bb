//! Reading one raw CSV file: bytes, byte-order mark, header, and records with
//! their physical line numbers. Nothing here knows what the columns mean
//! beyond their names; a row that cannot be decoded still comes out, with its
//! fields decoded lossily, so that it can be rejected with its raw content.

use crate::ledger::{Fields, RowSrc};
use crate::problem::{Problem, Table};
use crate::rules::Rule;
use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;
use std::sync::Arc;

pub use crate::catalogue::raw::ColumnSpec;

/// One data row as read, before its fields are checked.
#[derive(Debug, Clone)]
pub struct CsvRow {
    pub src: RowSrc,
    /// Problems found while decoding (invalid UTF-8, NUL, field count).
    pub problems: Vec<Problem>,
}

fn lossy(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

/// The bytes the CSV parser has read and the caller has not yet counted
/// lines over, addressed by their offset in the file (after any BOM).
#[derive(Debug, Default)]
struct Seen {
    /// File offset of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
}

/// A reader that drops a leading byte-order mark and keeps a copy of what it
/// hands to the CSV parser, so that physical lines can be counted from byte
/// offsets while the file streams through in bounded memory.
struct Tee<R> {
    inner: R,
    seen: Rc<RefCell<Seen>>,
    at_start: bool,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = self.inner.read(buf)?;
        if self.at_start {
            // the BOM can only arrive in the first read of at least 3 bytes
            // from a buffered reader; a shorter first read is completed here
            while n > 0 && n < 3 && buf[..n] == BOM[..n] {
                let end = 3.min(buf.len());
                let k = self.inner.read(&mut buf[n..end])?;
                if k == 0 {
                    break;
                }
                n += k;
            }
            self.at_start = false;
            if buf[..n].starts_with(BOM) {
                buf.copy_within(3..n, 0);
                n -= 3;
                if n == 0 {
                    // the read held the BOM alone: 0 would mean the end
                    return self.read(buf);
                }
            }
        }
        self.seen.borrow_mut().bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One raw CSV file read as a stream of rows with their physical line
/// numbers; memory is bounded by the parser's buffer and one record.
pub struct CsvStream<R: Read> {
    table: Table,
    file: Arc<str>,
    rel_file: Arc<str>,
    pub header: Arc<[String]>,
    /// File-level problems (reported once).
    pub problems: Vec<Problem>,
    /// A file-level error that rejects every row of the file.
    pub fatal: Option<Problem>,
    reader: csv::Reader<Tee<R>>,
    seen: Rc<RefCell<Seen>>,
    record: csv::ByteRecord,
    /// Offset up to which line breaks are counted, and the line there.
    pos: u64,
    line: u64,
    header_line: u64,
    rows: usize,
    done: bool,
}

impl CsvStream<std::io::BufReader<std::fs::File>> {
    /// Opens a file of `table` (`display`: as shown in messages, `rel`: as
    /// published in `raw_file`).
    pub fn open(
        table: Table,
        path: &std::path::Path,
        display: &str,
        rel: &str,
        columns: &[ColumnSpec],
    ) -> std::io::Result<Self> {
        let f = std::fs::File::open(path)?;
        Ok(CsvStream::new(table, display, rel, std::io::BufReader::with_capacity(1 << 16, f), columns))
    }
}

impl<R: Read> CsvStream<R> {
    pub fn new(table: Table, display: &str, rel: &str, inner: R, columns: &[ColumnSpec]) -> Self {
        let seen = Rc::new(RefCell::new(Seen::default()));
        let tee = Tee { inner, seen: seen.clone(), at_start: true };
        let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(tee);
        let mut s = CsvStream {
            table,
            file: display.into(),
            rel_file: rel.into(),
            header: Arc::from(Vec::<String>::new()),
            problems: Vec::new(),
            fatal: None,
            reader,
            seen,
            record: csv::ByteRecord::new(),
            pos: 0,
            line: 1,
            header_line: 1,
            rows: 0,
            done: false,
        };
        s.read_header(columns);
        s
    }

    fn read_header(&mut self, columns: &[ColumnSpec]) {
        let (table, display) = (self.table, self.file.to_string());
        let mut header = csv::ByteRecord::new();
        match self.reader.read_byte_record(&mut header) {
            Ok(false) => {
                let p = Problem::new(
                    Rule::EmptyFile,
                    display.as_str(),
                    1,
                    "the file is empty: a CSV file needs at least a header row",
                )
                .table(table)
                .hint(format!("write the header: {}", columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")));
                self.problems.push(p.clone());
                self.fatal = Some(p);
                self.done = true;
            }
            Err(e) => {
                let p = Problem::new(Rule::ReadFailed, display.as_str(), 1, format!("cannot read the header: {e}"))
                    .table(table);
                self.problems.push(p.clone());
                self.fatal = Some(p);
                self.done = true;
            }
            Ok(true) => {
                self.header_line = self.line_at(header.position().map_or(0, |p| p.byte()));
                let names: Vec<String> = header.iter().map(|f| lossy(f).trim().to_string()).collect();
                self.header = Arc::from(names.clone());
                let (problems, fatal) = check_header(table, &display, self.header_line, &header, &names, columns);
                self.problems.extend(problems);
                self.fatal = fatal;
            }
        }
    }

    /// The line of the record starting at `byte` (offsets only grow): a
    /// record starts at the first byte after any blank lines before it.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut seen = self.seen.borrow_mut();
        let rel = |abs: u64, base: u64| (abs.saturating_sub(base)) as usize;
        let len = seen.bytes.len();
        let mut start = rel(byte, seen.base).min(len);
        while start < len && matches!(seen.bytes[start], b'\n' | b'\r') {
            start += 1;
        }
        let start_abs = seen.base + start as u64;
        if start_abs >= self.pos {
            let from = rel(self.pos, seen.base).min(start);
            self.line += line_breaks(&seen.bytes[from..start]);
            self.pos = start_abs;
        }
        // forget what lies before the counted position, now and then
        let keep_from = rel(self.pos, seen.base).min(len);
        if keep_from > (1 << 20) {
            seen.bytes.drain(..keep_from);
            seen.base += keep_from as u64;
        }
        self.line
    }

    /// The next data row, or None at the end of the file.
    pub fn next_row(&mut self) -> Option<CsvRow> {
        self.next_row_where(|_| true)
    }

    /// The next data row whose raw fields `keep` accepts, or None at the end
    /// of the file. Rows it refuses are counted (lines, rows) but neither
    /// decoded nor checked: a shard skips the rows of other shards cheaply.
    pub fn next_row_where(&mut self, keep: impl Fn(&csv::ByteRecord) -> bool) -> Option<CsvRow> {
        loop {
            if !self.read_record() {
                return None;
            }
            self.rows += 1;
            let line = self.line_at(self.record.position().map_or(0, |p| p.byte()));
            if keep(&self.record) {
                return Some(self.row(line));
            }
        }
    }

    /// Reads the next record into `self.record`; false at the end.
    fn read_record(&mut self) -> bool {
        if self.done {
            return false;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => true,
            Ok(false) => {
                self.finish();
                false
            }
            Err(e) => {
                // The csv parser only fails on I/O; keep the message.
                self.problems.push(
                    Problem::new(Rule::ReadFailed, self.file.to_string(), 0, format!("cannot read a record: {e}"))
                        .table(self.table),
                );
                self.finish();
                false
            }
        }
    }

    fn finish(&mut self) {
        self.done = true;
        if self.rows == 0 && self.fatal.is_none() {
            self.problems.push(
                Problem::new(
                    Rule::NoRows,
                    self.file.to_string(),
                    self.header_line,
                    "the file has a header but no rows",
                )
                .table(self.table)
                .hint("add rows, or remove the file if the table is optional"),
            );
        }
    }

    fn row(&self, line: u64) -> CsvRow {
        let rec = &self.record;
        let names = &self.header;
        // each field checked as UTF-8 once: kept as it is when it is, else
        // with U+FFFD for its bad bytes (and a problem, below)
        let mut bad_utf8: Vec<(usize, std::str::Utf8Error)> = Vec::new();
        let mut fields = Fields::with_capacity(rec.len(), rec.as_slice().len());
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s),
                Err(e) => {
                    bad_utf8.push((i, e));
                    fields.push(&lossy(f));
                }
            }
        }
        let src = RowSrc {
            table: self.table,
            file: self.file.clone(),
            rel_file: self.rel_file.clone(),
            line,
            header: self.header.clone(),
            fields,
        };
        let mut problems = Vec::new();
        let mut bad = bad_utf8.into_iter().peekable();
        for (i, f) in rec.iter().enumerate() {
            let name = names.get(i).map(String::as_str).unwrap_or("");
            if let Some((_, e)) = bad.next_if(|(k, _)| *k == i) {
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
            } else if memchr::memchr(0, f).is_some() {
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
        CsvRow { src, problems }
    }
}

/// Line breaks in `bytes`, as the CSV reader sees them: `\r\n`, `\n`, or a
/// lone `\r` (old Mac files) each end a line.
pub fn line_breaks(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes).filter(|&i| bytes.get(i + 1) != Some(&b'\n')).count();
    (lf + lone_cr) as u64
}

fn check_header(
    table: Table,
    display: &str,
    line: u64,
    raw: &csv::ByteRecord,
    names: &[String],
    columns: &[ColumnSpec],
) -> (Vec<Problem>, Option<Problem>) {
    if let Some(p) = wrong_separator(table, display, line, names, columns) {
        return (vec![p.clone()], Some(p));
    }
    let mut out_problems = Vec::new();
    let mut fatal: Option<Problem> = None;
    for (i, f) in raw.iter().enumerate() {
        if std::str::from_utf8(f).is_err() {
            let p =
                Problem::new(Rule::InvalidUtf8, display, line, format!("header field {} is not valid UTF-8", i + 1))
                    .table(table)
                    .at(i + 1, names[i].clone())
                    .hint("save the file as UTF-8");
            fatal.get_or_insert(p.clone());
            out_problems.push(p);
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
            out_problems.push(p);
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
            out_problems.push(
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
                    .hint(format!("add the column `{}` to the header (column order is free)", c.name));
            fatal.get_or_insert(p.clone());
            out_problems.push(p);
        }
    }
    (out_problems, fatal)
}

/// A header whose fields are separated by something other than commas (a
/// spreadsheet's export in a locale where the comma is the decimal mark
/// uses `;`): one problem that names the separator and what to do, instead
/// of an unknown column and every required one missing.
fn wrong_separator(
    table: Table,
    display: &str,
    line: u64,
    names: &[String],
    columns: &[ColumnSpec],
) -> Option<Problem> {
    let required = || columns.iter().filter(|c| c.required);
    if required().all(|c| names.iter().any(|n| n == c.name)) {
        return None;
    }
    let (_, said) = [(';', "semicolons (`;`)"), ('\t', "tabs")]
        .into_iter()
        .filter(|(sep, _)| names.iter().any(|n| n.contains(*sep)))
        .find(|(sep, _)| {
            let split: Vec<&str> = names.iter().flat_map(|n| n.split(*sep)).map(str::trim).collect();
            required().any(|c| split.contains(&c.name))
        })?;
    Some(
        Problem::new(
            Rule::MissingColumn,
            display,
            line,
            format!("the fields are separated by {said}, not commas: no required column can be read"),
        )
        .table(table)
        .hint(
            "save the file again as \"CSV UTF-8 (comma delimited)\" (in Excel: File > Save As; in LibreOffice: \
             Save As > Text CSV, field delimiter `,`); the raw format reads comma-separated files only",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[ColumnSpec] =
        &[ColumnSpec { name: "a", required: true, text: false }, ColumnSpec { name: "b", required: false, text: true }];

    #[derive(Debug)]
    struct CsvFile {
        header: Arc<[String]>,
        rows: Vec<CsvRow>,
        /// File-level problems (reported once).
        problems: Vec<Problem>,
        /// A file-level error that rejects every row of the file.
        fatal: Option<Problem>,
    }

    /// Parses the bytes of one CSV file of `table` (all rows at once).
    fn parse(table: Table, display: &str, rel: &str, data: &[u8], columns: &[ColumnSpec]) -> CsvFile {
        let mut stream = CsvStream::new(table, display, rel, data, columns);
        let mut rows = Vec::new();
        while let Some(r) = stream.next_row() {
            rows.push(r);
        }
        CsvFile {
            header: stream.header.clone(),
            rows,
            problems: std::mem::take(&mut stream.problems),
            fatal: stream.fatal.take(),
        }
    }

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
        assert_eq!(&f.rows[0].src.fields[1], "two\r\nlines");
        assert_eq!(f.rows[1].src.line, 4);
        let f = parse(Table::Events, "e.csv", "e.csv", b"\n\na,b\n\n1,2\r\n\r\n3,4", COLS);
        let lines: Vec<u64> = f.rows.iter().map(|r| r.src.line).collect();
        assert_eq!(lines, vec![5, 7], "blank lines are skipped but counted");
        let f = parse(Table::Events, "e.csv", "e.csv", b"a,b\r1,\"x\ry\"\r\r3,4\r", COLS);
        let lines: Vec<u64> = f.rows.iter().map(|r| r.src.line).collect();
        assert_eq!(lines, vec![2, 5], "a lone carriage return ends a line too");
    }

    /// Hands out a few bytes per read, like a slow pipe.
    struct Dribble<'a>(&'a [u8], usize);

    impl Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn streamed_lines_stay_exact_over_megabytes_and_tiny_reads() {
        let mut data = b"\xEF\xBB\xBFa,b\r\n".to_vec();
        let mut expected = Vec::new();
        let mut line = 2u64;
        for i in 0..80_000u64 {
            expected.push(line);
            match i % 4 {
                0 => data.extend_from_slice(format!("{i},plain\n").as_bytes()),
                1 => data.extend_from_slice(format!("{i},\"two\r\nlines\"\r\n").as_bytes()),
                2 => data.extend_from_slice(format!("{i},x\n\n\n").as_bytes()),
                _ => data.extend_from_slice(format!("{i},\"{}\"\n", "y".repeat(100)).as_bytes()),
            }
            line += [1, 2, 3, 1][(i % 4) as usize];
        }
        assert!(data.len() > 2 << 20, "crosses the compaction threshold");
        for chunk in [1usize, 7, 1 << 16] {
            let mut s = CsvStream::new(Table::Events, "e.csv", "e.csv", Dribble(&data, chunk), COLS);
            assert!(s.problems.is_empty() && s.fatal.is_none(), "{:?}", s.problems);
            let mut lines = Vec::new();
            while let Some(r) = s.next_row() {
                assert!(r.problems.is_empty());
                lines.push(r.src.line);
            }
            assert_eq!(lines, expected, "reads of {chunk} bytes");
        }
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
        assert_eq!(&f.rows[1].src.fields[1], "bad\u{FFFD}");
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
        for data in [&b"a;b\n1;2\n"[..], b"\xEF\xBB\xBFb;a\r\n2;1\r\n", b"a\tb\n1\t2\n"] {
            let f = parse(Table::Events, "e.csv", "e.csv", data, COLS);
            assert_eq!(rules(&f), vec![Rule::MissingColumn], "one problem, not an unknown and a missing column");
            assert!(f.fatal.as_ref().unwrap().message.contains("separated by"), "{:?}", f.fatal);
        }
        let f = parse(Table::Events, "e.csv", "e.csv", b"a,b;c\n1,2\n", COLS);
        assert_eq!(rules(&f), vec![Rule::UnknownColumn], "a `;` in a name, the required columns there");
    }
}
