//! The inputs of a run and its id, decided before anything is parsed.
//!
//! The data are the inputs: the raw tables (`<table>.csv` and the batches
//! of `<table>/`) and the article texts that `articles.csv` names. Each is
//! hashed with SHA-256, two files at a time on a machine with two cores or
//! more. Any other file of the raw directory (the annotation guide
//! `README.md`, `ADJUDICATION.md`, notes) is documentation: editing it
//! changes no table, so it changes neither the run id nor whether the
//! published set is up to date. The run id is derived from the program
//! version, the schema version, the configuration and these hashes, so the
//! same inputs always give the same id, and a run whose id is that of the
//! published set can stop before parsing a single row.

use crate::digest::sha256_hex;
use crate::problem::{Error, Result, Table};
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};

pub const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// An input file of the run, for the run record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputFile {
    /// Path relative to the raw directory, with `/` separators.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The files of a raw table, relative to the raw directory: `<table>.csv`
/// when it is a file, then the `*.csv` files of `<table>/` in file-name
/// order (both when both are given: the run then rejects the table).
pub fn table_files(raw: &Path, table: Table) -> Result<Vec<PathBuf>> {
    let file = PathBuf::from(format!("{}.csv", table.name()));
    let dir = PathBuf::from(table.name());
    let mut files = Vec::new();
    if raw.join(&file).is_file() {
        files.push(file);
    }
    let path = raw.join(&dir);
    if path.is_dir() {
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
    Ok(files)
}

/// A path as the run record writes it: relative, `/` separators, no `.`.
fn record_path(rel: &Path) -> String {
    rel.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The `text_path` fields of an articles file, read leniently (a row the
/// run rejects may still name a text: hashing one text too many is safe).
/// Paths that are absolute or climb out of the raw directory are left out:
/// the rows naming them are rejected whatever the file holds.
fn text_paths(data: &[u8]) -> Vec<PathBuf> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut records = reader.byte_records().map_while(|r| r.ok());
    let Some(header) = records.next() else { return Vec::new() };
    let Some(col) = header.iter().position(|f| String::from_utf8_lossy(f).trim() == "text_path") else {
        return Vec::new();
    };
    records
        .filter_map(|r| r.get(col).map(|f| PathBuf::from(String::from_utf8_lossy(f).trim())))
        .filter(|p| {
            !p.as_os_str().is_empty() && p.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        })
        .collect()
}

/// The data files of the raw directory, in path order: every table file,
/// and every text an articles file names (present or not: a missing text is
/// an input too, and so is its appearance).
fn list(raw: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = std::collections::BTreeMap::new();
    for table in Table::ALL {
        for rel in table_files(raw, table)? {
            if table == Table::Articles {
                let path = raw.join(&rel);
                let data = std::fs::read(&path).unwrap_or_default();
                for text in text_paths(&data) {
                    out.insert(record_path(&text), raw.join(&text));
                }
            }
            out.insert(record_path(&rel), raw.join(&rel));
        }
    }
    Ok(out.into_iter().collect())
}

fn hash_one(rel: &str, path: &Path) -> InputFile {
    match std::fs::File::open(path).and_then(crate::digest::sha256_reader) {
        Ok((sha256, bytes)) => InputFile { path: rel.to_string(), sha256, bytes },
        // a dangling link or an unreadable file: its absence is part of the
        // input (the rows that need it are rejected later, with a reason)
        Err(e) => {
            InputFile { path: rel.to_string(), sha256: sha256_hex(format!("unreadable: {e}").as_bytes()), bytes: 0 }
        }
    }
}

/// Hashes the data files of the raw directory (see the module's doc).
pub fn hash_raw_dir(raw: &Path) -> Result<Vec<InputFile>> {
    let files = list(raw)?;
    Ok(crate::parallel::map_in_order(&files, |(rel, path)| hash_one(rel, path)))
}

/// The run id: derived from the program version, the configuration and the
/// content of every input, so the same inputs always give the same id.
pub fn run_id(inputs: &[InputFile], config_sha256: &str) -> String {
    let mut parts: Vec<String> = inputs.iter().map(|i| format!("{}={}", i.path, i.sha256)).collect();
    parts.sort();
    let text = format!(
        "dyadflow {PROGRAM_VERSION}\nschema {}\nconfig {config_sha256}\n{}",
        crate::catalogue::SCHEMA_VERSION,
        parts.join("\n")
    );
    sha256_hex(text.as_bytes())[..16].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_are_hashed_in_path_order_and_any_change_changes_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path();
        std::fs::create_dir_all(raw.join("texts")).unwrap();
        std::fs::create_dir_all(raw.join("events")).unwrap();
        std::fs::create_dir_all(raw.join(".git")).unwrap();
        std::fs::write(raw.join(".git/HEAD"), "x").unwrap();
        std::fs::write(raw.join("events/b2.csv"), "a\n").unwrap();
        std::fs::write(raw.join("events/b1.CSV"), "a\n").unwrap();
        std::fs::write(raw.join("events/notes.md"), "batches").unwrap();
        std::fs::write(raw.join("texts/t1.txt"), "texte").unwrap();
        std::fs::write(raw.join("texts/unused.txt"), "autre").unwrap();
        std::fs::write(raw.join("README.md"), "guide").unwrap();
        std::fs::write(raw.join("ADJUDICATION.md"), "verdicts").unwrap();
        let articles =
            "\u{feff}article_id,text_path\r\na, ./texts/t1.txt \r\nb,texts/none.txt\r\nc,../out.txt\r\nd,/etc/x\r\n";
        std::fs::write(raw.join("articles.csv"), articles).unwrap();
        let inputs = hash_raw_dir(raw).unwrap();
        let paths: Vec<&str> = inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, vec!["articles.csv", "events/b1.CSV", "events/b2.csv", "texts/none.txt", "texts/t1.txt"]);
        assert_eq!(inputs[4].sha256, sha256_hex(b"texte"));
        assert_eq!(inputs[4].bytes, 5);
        assert_eq!(inputs[3].bytes, 0, "a missing text is an input too");
        let id = run_id(&inputs, "c");
        assert_eq!(id, run_id(&hash_raw_dir(raw).unwrap(), "c"), "same inputs, same id");
        assert_ne!(id, run_id(&inputs, "d"), "another configuration");
        for doc in ["README.md", "ADJUDICATION.md", "events/notes.md", "texts/unused.txt"] {
            std::fs::write(raw.join(doc), "edited").unwrap();
            assert_eq!(id, run_id(&hash_raw_dir(raw).unwrap(), "c"), "{doc} is no input");
        }
        std::fs::write(raw.join("texts/t1.txt"), "texte!").unwrap();
        assert_ne!(id, run_id(&hash_raw_dir(raw).unwrap(), "c"), "a changed text");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_an_input_too() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("t.txt")).unwrap();
        std::fs::write(dir.path().join("articles.csv"), "article_id,text_path\na,t.txt\n").unwrap();
        let inputs = hash_raw_dir(dir.path()).unwrap();
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[1].path, "t.txt");
        assert_eq!(inputs[1].bytes, 0);
    }
}
