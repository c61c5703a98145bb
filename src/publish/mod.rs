//! Stage 4, publish: the commit protocol that replaces the published set.
//!
//! Every file of the new set is written into a staging directory inside
//! `--out`, flushed to disk and read back with an independent Parquet reader;
//! only then are the files renamed into place, the run record
//! (`manifest.json`) last. When anything fails before the renames, the staging
//! directory is removed and the previous set is left as it was.

pub mod parquet;

use crate::ingest::csv_file::sha256_hex;
use crate::problem::{Error, Result};
use crate::schema::TableSchema;
use polars::prelude::DataFrame;
use serde::Serialize;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use self::parquet::FileMeta;

/// A file of the published set, for the run record.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OutputFile {
    pub file: String,
    pub table: String,
    pub rows: usize,
    pub bytes: u64,
    pub sha256: String,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn sync_dir(dir: &Path) -> Result<()> {
    // Directories cannot be opened for syncing on every platform; where they
    // can, this makes the renames durable.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes one file in full and flushes it to disk.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(write_err(path))?;
    f.write_all(bytes).map_err(write_err(path))?;
    f.sync_all().map_err(write_err(path))
}

struct Staging {
    dir: PathBuf,
    done: bool,
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Publishes the tables and the run record into `out`. `manifest` is given
/// the list of written files and returns the bytes of `manifest.json`.
pub fn publish(
    out: &Path,
    tables: &[(&'static TableSchema, &DataFrame)],
    meta: &FileMeta,
    manifest: impl FnOnce(&[OutputFile]) -> Vec<u8>,
) -> Result<Vec<OutputFile>> {
    fs::create_dir_all(out).map_err(write_err(out))?;
    let dir = out.join(format!(".staging-{}-{}", meta.run_id, std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(write_err(&dir))?;
    }
    fs::create_dir(&dir).map_err(write_err(&dir))?;
    let mut staging = Staging { dir: dir.clone(), done: false };

    let mut outputs = Vec::new();
    for (t, df) in tables {
        let name = format!("{}.parquet", t.name);
        let path = dir.join(&name);
        let mut buf = Vec::new();
        parquet::write(df, t, meta, &mut buf).map_err(|message| Error::Parquet { path: path.clone(), message })?;
        write_file(&path, &buf)?;
        let back = parquet::read_back(&path, t).map_err(|message| Error::Parquet { path: path.clone(), message })?;
        if back.rows != df.height() || back.run_id.as_deref() != Some(meta.run_id.as_str()) {
            return Err(Error::Invariant {
                rule: crate::rules::Rule::ReadBack,
                message: format!("{} reads back {} rows of run {:?}, wrote {} of {}", name, back.rows, back.run_id, df.height(), meta.run_id),
            });
        }
        outputs.push(OutputFile { file: name, table: t.name.to_string(), rows: back.rows, bytes: buf.len() as u64, sha256: sha256_hex(&buf) });
    }
    write_file(&dir.join("manifest.json"), &manifest(&outputs))?;
    sync_dir(&dir)?;

    for o in &outputs {
        let to = out.join(&o.file);
        fs::rename(dir.join(&o.file), &to).map_err(write_err(&to))?;
    }
    let to = out.join("manifest.json");
    fs::rename(dir.join("manifest.json"), &to).map_err(write_err(&to))?;
    sync_dir(out)?;
    staging.done = true;
    fs::remove_dir_all(&dir).map_err(write_err(&dir))?;
    Ok(outputs)
}
