//! Helpers shared by the integration tests: fixture corpora copied into fresh
//! temporary directories, and the real binary run on them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Copies a directory tree; symbolic links stay links (a published output
/// is made of them).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        let kind = e.file_type().unwrap();
        if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).unwrap(), dest).unwrap();
        } else if kind.is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A fresh temporary directory holding a copy of a fixture corpus in `raw/`.
pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new(fixture_name: &str) -> Work {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture(fixture_name), &dir.path().join("raw"));
        Work { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// Replaces text in a file of the work directory (must be present).
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let s = self.read(rel);
        assert!(s.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, s.replacen(from, to, 1));
    }

    /// The binary, run in the work directory with extra environment variables.
    fn command(&self, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_dyadflow"));
        c.args(args).envs(env.iter().copied()).current_dir(self.dir.path());
        c
    }

    /// Starts the binary without waiting, its standard error piped.
    pub fn spawn(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        self.command(args, env)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs the binary with extra environment variables and waits for it.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        Run::from(self.command(args, env).output().unwrap())
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// name -> SHA-256 of every file in a directory (not recursive).
pub fn snapshot(dir: &Path) -> Vec<(String, String)> {
    use sha2::{Digest, Sha256};
    let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            (e.file_name().to_string_lossy().into_owned(), format!("{:x}", Sha256::digest(bytes)))
        })
        .collect();
    v.sort();
    v
}

pub fn manifest(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Reads a published table back with the arrow-rs Parquet reader.
pub fn read_table(path: &Path) -> Vec<arrow::record_batch::RecordBatch> {
    let f = std::fs::File::open(path).unwrap();
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .unwrap()
        .build()
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

pub fn rows(path: &Path) -> usize {
    read_table(path).iter().map(|b| b.num_rows()).sum()
}

/// The string values of a column of a published table.
pub fn strings(path: &Path, column: &str) -> Vec<Option<String>> {
    use arrow::array::{Array, StringArray};
    let mut out = Vec::new();
    for b in read_table(path) {
        let a = b.column_by_name(column).unwrap().as_any().downcast_ref::<StringArray>().unwrap().clone();
        for i in 0..a.len() {
            out.push(if a.is_null(i) { None } else { Some(a.value(i).to_string()) });
        }
    }
    out
}

/// Any column of a published table, each value rendered as text (dates as
/// days since 1970-01-01).
pub fn texts(path: &Path, column: &str) -> Vec<Option<String>> {
    use arrow::array::Array;
    let mut out = Vec::new();
    for b in read_table(path) {
        let a = b.column_by_name(column).unwrap_or_else(|| panic!("no column {column}"));
        let a = arrow::compute::cast(a, &arrow::datatypes::DataType::Utf8).unwrap();
        let a = a.as_any().downcast_ref::<arrow::array::StringArray>().unwrap();
        for i in 0..a.len() {
            out.push(if a.is_null(i) { None } else { Some(a.value(i).to_string()) });
        }
    }
    out
}
