//! Stage 1, ingest: find the raw tables (file or directory of batches), read
//! them with their physical line numbers, and check each row against the
//! contract of the raw format. Article texts are read here too: they must be
//! inside the raw directory and valid UTF-8.

pub mod csv_file;
pub mod partition;
pub mod records;
pub mod texts;

use crate::ledger::Ledger;
use crate::ledger::RowSrc;
use crate::problem::{Error, Problem, Table};
use crate::rules::Rule;
use crate::shard::Shard;
use records::{Actor, Article};
use std::path::{Path, PathBuf};

fn display(raw: &Path, rel: &Path) -> String {
    raw.join(rel).to_string_lossy().into_owned()
}

/// The files of a table: `<table>.csv`, or the `*.csv` of `<table>/` in
/// file-name order. Reports a missing required table and a table given both
/// ways (then both are read and all their rows rejected).
fn locate(
    raw: &Path,
    table: Table,
    ledger: &mut Ledger,
    shard: Shard,
) -> Result<(Vec<PathBuf>, Option<Problem>), Error> {
    let file = PathBuf::from(format!("{}.csv", table.name()));
    let dir = PathBuf::from(table.name());
    let files = crate::inputs::table_files(raw, table)?;
    let has_file = files.first() == Some(&file);
    let has_dir = raw.join(&dir).is_dir();
    let mut fatal = None;
    if has_file && has_dir {
        let p = Problem::new(
            Rule::TableFileAndDirectory,
            display(raw, &file),
            0,
            format!(
                "the {table} table is given both as `{}` and as the directory `{}/`",
                file.display(),
                dir.display()
            ),
        )
        .table(table)
        .hint(format!(
            "keep one: move the rows of `{}` into a batch file of `{}/`, or the batches into the file",
            file.display(),
            dir.display()
        ));
        if shard.owns_corpus() {
            ledger.report(p.clone());
        }
        fatal = Some(p);
    } else if files.is_empty() && table.required() && shard.owns_corpus() {
        ledger.report(
            Problem::new(Rule::MissingTable, display(raw, &file), 0, format!("the required {table} table is missing"))
                .table(table)
                .hint(format!("create `{}` (or a directory `{}/` of CSV batches)", file.display(), dir.display())),
        );
    }
    Ok((files, fatal))
}

/// The dimension tables after ingest: typed article and actor rows that
/// passed the contract, and what is known of each article's text.
#[derive(Debug, Default)]
pub struct Staged {
    pub articles: Vec<Article>,
    pub actors: Vec<Actor>,
    /// article_id -> its text's facts, for articles whose text was read.
    pub texts: rustc_hash::FxHashMap<String, texts::TextFacts>,
}

/// Streams one raw table, file by file and row by row, in bounded memory.
/// File-level problems are reported and the rows of a file with a
/// file-level error rejected; so are rows that cannot be decoded (invalid
/// UTF-8, NUL bytes, a wrong field count). Every other row is handed to
/// `keep`, its fields not yet checked. Only the rows `shard` owns are
/// counted, checked or kept; file-level problems are reported by the shard
/// that owns the corpus.
pub fn stream_table(
    raw: &Path,
    table: Table,
    ledger: &mut Ledger,
    shard: Shard,
    mut keep: impl FnMut(RowSrc, &mut Ledger) -> Result<(), Error>,
) -> Result<(), Error> {
    let (files, table_fatal) = locate(raw, table, ledger, shard)?;
    for rel in files {
        let path = raw.join(&rel);
        let shown = display(raw, &rel);
        let rel_name = rel.to_string_lossy().replace('\\', "/");
        let mut stream =
            csv_file::CsvStream::open(table, &path, &shown, &rel_name, crate::catalogue::raw::columns(table))
                .map_err(|source| Error::Read { path: path.clone(), source })?;
        let fatal = table_fatal.clone().or(stream.fatal.clone());
        let mut read = 0;
        let article_col = stream.header.iter().position(|h| h == "article_id");
        let owned = |rec: &csv::ByteRecord| shard.owns_record(table, article_col.and_then(|c| rec.get(c)));
        while let Some(row) = stream.next_row_where(owned) {
            read += 1;
            if let Some(cause) = &fatal {
                ledger.reject_for(&row.src, cause);
                continue;
            }
            if !row.problems.is_empty() && !ledger.check_row(&row.src, row.problems) {
                continue;
            }
            keep(row.src, ledger)?;
        }
        for p in std::mem::take(&mut stream.problems) {
            if shard.owns_corpus() {
                ledger.report(p);
            }
        }
        ledger.count_read(table, read);
    }
    Ok(())
}

/// Checks a row's fields against the format contract: its typed record, or
/// None when the row is rejected (the ledger has its problems).
pub fn check<T>(src: &RowSrc, ledger: &mut Ledger, parse: fn(&RowSrc) -> (Option<T>, Vec<Problem>)) -> Option<T> {
    let (typed, problems) = parse(src);
    if ledger.check_row(src, problems) {
        typed
    } else {
        None
    }
}

/// [`check`] for the parsers that leave the raw fields out of the typed row
/// (events, mentions): the fields are moved into it, not copied.
pub fn check_moving<T: records::Sourced>(
    mut src: RowSrc,
    ledger: &mut Ledger,
    parse: fn(&RowSrc) -> (Option<T>, Vec<Problem>),
) -> Option<T> {
    let mut typed = check(&src, ledger, parse)?;
    typed.src_mut().fields = std::mem::take(&mut src.fields);
    Some(typed)
}

/// Reads one raw table whole: every row that passes the contract is handed
/// to `keep` with its typed record. Returns the number of rows kept.
pub fn read_table<T>(
    raw: &Path,
    table: Table,
    ledger: &mut Ledger,
    shard: Shard,
    parse: fn(&RowSrc) -> (Option<T>, Vec<Problem>),
    mut keep: impl FnMut(RowSrc, T) -> Result<(), Error>,
) -> Result<usize, Error> {
    let mut kept = 0;
    stream_table(raw, table, ledger, shard, |src, ledger| {
        if let Some(t) = check(&src, ledger, parse) {
            keep(src, t)?;
            kept += 1;
        }
        Ok(())
    })?;
    Ok(kept)
}

/// Reads the articles and actors tables and every article's text: the
/// articles `shard` owns, and every actor (the problems and rejects of the
/// actors table go to `ledger` in the shard that owns them, and nowhere in the
/// others).
pub fn dimensions(raw: &Path, ledger: &mut Ledger, shard: Shard) -> Result<Staged, Error> {
    if !raw.is_dir() {
        return Err(Error::NoRawDir { path: raw.to_path_buf() });
    }
    let mut staged = Staged::default();
    read_table(raw, Table::Articles, ledger, shard, records::article, |_, a| {
        staged.articles.push(a);
        Ok(())
    })?;
    let mut aside = ledger.aside();
    let actors_ledger = if shard.owns_corpus() { &mut *ledger } else { &mut aside };
    read_table(raw, Table::Actors, actors_ledger, Shard::WHOLE, records::actor, |_, a| {
        staged.actors.push(a);
        Ok(())
    })?;
    texts::read_all(raw, &mut staged.articles, &mut staged.texts, ledger);
    Ok(staged)
}
