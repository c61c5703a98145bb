//! The inputs of a run and its id, decided before anything is parsed.
//!
//! Every file under the raw directory (its tables, batches, texts, the
//! annotation guide...) is an input: each is hashed with SHA-256, two files
//! at a time on a machine with two cores or more. The run id is derived from
//! the program version, the schema version, the configuration and these
//! hashes, so the same inputs always give the same id, and a run whose id is
//! that of the published set can stop before parsing a single row.

use crate::digest::sha256_hex;
use crate::problem::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// An input file of the run, for the run record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputFile {
    /// Path relative to the raw directory, with `/` separators.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// Every file below `raw` (links followed, `.git` directories skipped), in
/// path order.
fn list(raw: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = raw.join(&rel);
        let entries = std::fs::read_dir(&dir).map_err(|source| Error::Read { path: dir.clone(), source })?;
        for e in entries {
            let e = e.map_err(|source| Error::Read { path: dir.clone(), source })?;
            let name = e.file_name();
            let child = rel.join(&name);
            let path = raw.join(&child);
            // metadata follows links: a linked text is hashed by its content
            match std::fs::metadata(&path) {
                Ok(m) if m.is_dir() => {
                    if name != ".git" {
                        stack.push(child);
                    }
                }
                _ => out.push((child.to_string_lossy().replace('\\', "/"), path)),
            }
        }
    }
    out.sort();
    Ok(out)
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

/// Hashes every file of the raw directory.
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
    fn every_file_is_hashed_in_path_order_and_any_change_changes_the_id() {
        let dir = tempfile::tempdir().unwrap();
        let raw = dir.path();
        std::fs::create_dir_all(raw.join("texts")).unwrap();
        std::fs::create_dir_all(raw.join(".git")).unwrap();
        std::fs::write(raw.join(".git/HEAD"), "x").unwrap();
        std::fs::write(raw.join("events.csv"), "a\n").unwrap();
        std::fs::write(raw.join("texts/t1.txt"), "texte").unwrap();
        std::fs::write(raw.join("articles.csv"), "b\n").unwrap();
        let inputs = hash_raw_dir(raw).unwrap();
        let paths: Vec<&str> = inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, vec!["articles.csv", "events.csv", "texts/t1.txt"]);
        assert_eq!(inputs[2].sha256, sha256_hex(b"texte"));
        assert_eq!(inputs[2].bytes, 5);
        let id = run_id(&inputs, "c");
        assert_eq!(id, run_id(&hash_raw_dir(raw).unwrap(), "c"), "same inputs, same id");
        assert_ne!(id, run_id(&inputs, "d"), "another configuration");
        std::fs::write(raw.join("texts/t1.txt"), "texte!").unwrap();
        assert_ne!(id, run_id(&hash_raw_dir(raw).unwrap(), "c"), "a changed text");
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_link_is_an_input_too() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(dir.path().join("nowhere"), dir.path().join("t.txt")).unwrap();
        let inputs = hash_raw_dir(dir.path()).unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].bytes, 0);
    }
}
