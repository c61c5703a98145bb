//! Stage 1, ingest: find the raw tables (file or directory of batches), read
//! them with their physical line numbers, and check each row against the
//! contract of the raw format. Article texts are read here too: they must be
//! inside the raw directory and valid UTF-8.

pub mod csv_file;
pub mod records;
pub mod texts;

use crate::ledger::Ledger;
use crate::problem::{Error, Problem, Table};
use crate::rules::Rule;
use records::{Actor, Article, Event, Mention};
use std::path::{Path, PathBuf};

/// The corpus after ingest: typed rows that passed the contract.
#[derive(Debug, Default)]
pub struct Staged {
    pub articles: Vec<Article>,
    pub actors: Vec<Actor>,
    pub events: Vec<Event>,
    pub mentions: Vec<Mention>,
    /// article_id -> text, for articles whose text was read.
    pub texts: std::collections::HashMap<String, texts::Text>,
}

fn display(raw: &Path, rel: &Path) -> String {
    raw.join(rel).to_string_lossy().into_owned()
}

/// The files of a table: `<table>.csv`, or the `*.csv` of `<table>/` in
/// file-name order. Reports a missing required table and a table given both
/// ways (then both are read and all their rows rejected).
fn locate(raw: &Path, table: Table, ledger: &mut Ledger) -> Result<(Vec<PathBuf>, Option<Problem>), Error> {
    let file = PathBuf::from(format!("{}.csv", table.name()));
    let dir = PathBuf::from(table.name());
    let has_file = raw.join(&file).is_file();
    let has_dir = raw.join(&dir).is_dir();
    let mut files = Vec::new();
    if has_file {
        files.push(file.clone());
    }
    if has_dir {
        let path = raw.join(&dir);
        let entries = std::fs::read_dir(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
        let mut batch: Vec<PathBuf> = Vec::new();
        for e in entries {
            let e = e.map_err(|source| Error::Read { path: path.clone(), source })?;
            let name = e.file_name();
            if Path::new(&name).extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")) && e.path().is_file() {
                batch.push(dir.join(name));
            }
        }
        batch.sort();
        files.extend(batch);
    }
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
        ledger.report(p.clone());
        fatal = Some(p);
    } else if files.is_empty() && table.required() {
        ledger.report(
            Problem::new(Rule::MissingTable, display(raw, &file), 0, format!("the required {table} table is missing"))
                .table(table)
                .hint(format!("create `{}` (or a directory `{}/` of CSV batches)", file.display(), dir.display())),
        );
    }
    Ok((files, fatal))
}

/// Reads every raw table and every article text.
pub fn run(raw: &Path, ledger: &mut Ledger) -> Result<Staged, Error> {
    if !raw.is_dir() {
        return Err(Error::NoRawDir { path: raw.to_path_buf() });
    }
    let mut staged = Staged::default();
    for table in Table::ALL {
        let (files, table_fatal) = locate(raw, table, ledger)?;
        for rel in files {
            let path = raw.join(&rel);
            let data = std::fs::read(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
            let shown = display(raw, &rel);
            let rel_name = rel.to_string_lossy().replace('\\', "/");
            let file = csv_file::parse(table, &shown, &rel_name, &data, records::columns(table));
            for p in &file.problems {
                ledger.report(p.clone());
            }
            ledger.count_read(table, file.rows.len());
            let fatal = table_fatal.as_ref().or(file.fatal.as_ref()).cloned();
            for row in file.rows {
                if let Some(cause) = &fatal {
                    ledger.reject_for(&row.src, cause);
                    continue;
                }
                if !row.problems.is_empty() && !ledger.check_row(&row.src, row.problems.clone()) {
                    continue;
                }
                match table {
                    Table::Articles => keep(ledger, &row.src, records::article(&row.src), &mut staged.articles),
                    Table::Actors => keep(ledger, &row.src, records::actor(&row.src), &mut staged.actors),
                    Table::Events => keep(ledger, &row.src, records::event(&row.src), &mut staged.events),
                    Table::Mentions => keep(ledger, &row.src, records::mention(&row.src), &mut staged.mentions),
                }
            }
        }
    }
    texts::read_all(raw, &mut staged, ledger);
    Ok(staged)
}

fn keep<T>(
    ledger: &mut Ledger,
    src: &crate::ledger::RowSrc,
    (row, problems): (Option<T>, Vec<Problem>),
    out: &mut Vec<T>,
) {
    let ok = ledger.check_row(src, problems);
    if let (true, Some(r)) = (ok, row) {
        out.push(r);
    }
}
