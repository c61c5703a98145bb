//! Fuzzing the raw readers (a property-test stand-in for cargo-fuzz, which
//! needs a nightly toolchain): arbitrary bytes into the CSV reader and the
//! EDTF parser, and randomly damaged corpora through the whole checking
//! pipeline. Nothing may panic; every row read must be published or
//! rejected; every problem must point at a line that exists.
//!
//! The default number of cases keeps `cargo test` quick. For a long run:
//!
//! ```text
//! PROPTEST_CASES=200000 cargo test --release --test fuzz_raw
//! ```

mod common;
use common::*;
use dyadflow::config::Config;
use dyadflow::engine::{execute, Options};
use dyadflow::ingest::csv_file;
use dyadflow::problem::Table;
use proptest::prelude::*;

/// Bytes that matter to a CSV reader, a text decoder or a spreadsheet.
fn nasty_byte() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\0".to_vec()),
        Just(b"\xff".to_vec()),
        Just(b"\xc3".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"=HYPERLINK(".to_vec()),
        Just(b"/".to_vec()),
        Just(b"~".to_vec()),
        Just(b"?".to_vec()),
        Just(b"|".to_vec()),
        Just(b"..".to_vec()),
        Just("’".as_bytes().to_vec()),
        Just(b"-".to_vec()),
        Just(b"9".to_vec()),
        any::<u8>().prop_map(|b| vec![b]),
    ]
}

#[derive(Debug, Clone)]
enum Damage {
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Flip(usize, u8),
    Truncate(usize),
    DuplicateLine(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        4 => (any::<usize>(), nasty_byte()).prop_map(|(i, b)| Damage::Insert(i, b)),
        2 => (any::<usize>(), 1usize..12).prop_map(|(i, n)| Damage::Delete(i, n)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Damage::Flip(i, b)),
        1 => any::<usize>().prop_map(Damage::Truncate),
        1 => any::<usize>().prop_map(Damage::DuplicateLine),
    ]
}

fn apply(data: &mut Vec<u8>, d: &Damage) {
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
    match d {
        Damage::Insert(i, b) => {
            let i = at(*i, data.len());
            data.splice(i..i, b.iter().copied());
        }
        Damage::Delete(i, n) => {
            let i = at(*i, data.len());
            let end = (i + n).min(data.len());
            data.drain(i..end);
        }
        Damage::Flip(i, b) => {
            if !data.is_empty() {
                let i = i % data.len();
                data[i] ^= b | 1;
            }
        }
        Damage::Truncate(i) => data.truncate(at(*i, data.len())),
        Damage::DuplicateLine(i) => {
            let lines: Vec<&[u8]> = data.split_inclusive(|b| *b == b'\n').collect();
            if !lines.is_empty() {
                let l = lines[i % lines.len()].to_vec();
                let pos: usize = lines[..=i % lines.len()].iter().map(|l| l.len()).sum();
                data.splice(pos..pos, l);
            }
        }
    }
}

/// The number of cases: `PROPTEST_CASES` when set, else the default given.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

const FILES: [&str; 5] = ["articles.csv", "actors.csv", "events.csv", "mentions.csv", "texts/a1.txt"];

fn physical_lines(data: &[u8]) -> u64 {
    csv_file::line_breaks(data) + 1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn the_csv_reader_takes_any_bytes(data in prop::collection::vec(any::<u8>(), 0..600),
                                      header in any::<bool>()) {
        let mut bytes = if header { b"article_id,event_id,source,code,date,evidence\n".to_vec() } else { Vec::new() };
        bytes.extend_from_slice(&data);
        let columns = dyadflow::catalogue::raw::columns(Table::Events);
        let mut f = csv_file::CsvStream::new(Table::Events, "e.csv", "e.csv", &bytes[..], columns);
        let rows: Vec<csv_file::CsvRow> = std::iter::from_fn(|| f.next_row()).collect();
        let lines = physical_lines(&bytes);
        for row in &rows {
            prop_assert!(row.src.line >= 2 && row.src.line <= lines, "line {} of {lines}", row.src.line);
            prop_assert!(row.src.fields.iter().all(|v| !v.contains('\0') || !row.problems.is_empty()));
        }
        for p in &f.problems {
            prop_assert!(p.line <= lines);
        }
    }

    #[test]
    fn the_date_parser_takes_any_text(s in "\\PC{0,40}", t in "[0-9X~?%/.-]{0,30}") {
        let _ = dyadflow::edtf::resolve(&s);
        let _ = dyadflow::edtf::resolve(&t);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_corpus_never_panics_and_loses_no_row(
        file in 0..FILES.len(),
        damages in prop::collection::vec(damage(), 1..6),
    ) {
        let w = Work::new("mini");
        let rel = format!("raw/{}", FILES[file]);
        let mut data = std::fs::read(w.path(&rel)).unwrap();
        for d in &damages {
            apply(&mut data, d);
        }
        w.write(&rel, &data);
        let opts = Options::validate(w.path("raw"), Config::default());
        let outcome = execute(&opts).map_err(|e| TestCaseError::fail(format!("stopped with an error: {e}")))?;
        let m = &outcome.manifest;
        for (t, c) in &m.tables {
            prop_assert_eq!(c.read, c.published + c.rejected, "{}", t);
        }
        prop_assert_eq!(m.status != "failed", m.errors == 0 && m.failure_reasons.is_empty());
        let lines: std::collections::HashMap<String, u64> = FILES
            .iter()
            .map(|f| {
                let path = w.path(&format!("raw/{f}"));
                (path.to_string_lossy().into_owned(), std::fs::read(&path).map(|d| physical_lines(&d)).unwrap_or(0))
            })
            .collect();
        for p in &m.problems {
            if let Some(n) = lines.get(&p.file) {
                prop_assert!(p.line <= *n, "{} points past the end ({} lines)", p, n);
            }
            prop_assert!(p.hint.is_some() || p.rule.default_severity() == dyadflow::rules::Severity::Warning,
                "an error without a hint: {}", p);
        }
    }
}
