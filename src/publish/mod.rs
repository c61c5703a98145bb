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
                message: format!(
                    "{} reads back {} rows of run {:?}, wrote {} of {}",
                    name,
                    back.rows,
                    back.run_id,
                    df.height(),
                    meta.run_id
                ),
            });
        }
        outputs.push(OutputFile {
            file: name,
            table: t.name.to_string(),
            rows: back.rows,
            bytes: buf.len() as u64,
            sha256: sha256_hex(&buf),
        });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column as Col, Kind, TableSchema};
    use polars::prelude::*;

    static T: TableSchema = TableSchema {
        name: "things",
        description: "test table",
        key: &["id"],
        sort_by: &["id"],
        columns: &[
            Col { name: "id", kind: Kind::Str, nullable: false, dictionary: false, bloom: true, description: "id" },
            Col { name: "n", kind: Kind::Int64, nullable: true, dictionary: true, bloom: false, description: "n" },
            Col { name: "day", kind: Kind::Date, nullable: false, dictionary: false, bloom: false, description: "day" },
            Col {
                name: "tags",
                kind: Kind::ListStr,
                nullable: false,
                dictionary: false,
                bloom: false,
                description: "tags",
            },
        ],
    };

    fn df(ids: &[&str]) -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("id".into(), ids.to_vec()),
            Column::new(
                "n".into(),
                ids.iter().enumerate().map(|(i, _)| if i == 0 { None } else { Some(i as i64) }).collect::<Vec<_>>(),
            ),
            Column::new("day".into(), ids.iter().map(|_| 20000i32).collect::<Vec<_>>()).cast(&DataType::Date).unwrap(),
            Column::new(
                "tags".into(),
                ids.iter().map(|s| Series::new("".into(), vec![s.to_string(), "x".into()])).collect::<Vec<_>>(),
            ),
        ])
        .unwrap()
    }

    fn meta(run: &str) -> FileMeta {
        FileMeta { run_id: run.into(), program_version: "test".into() }
    }

    fn manifest(outputs: &[OutputFile]) -> Vec<u8> {
        serde_json::to_vec(outputs).unwrap()
    }

    #[test]
    fn publishes_files_that_read_back_and_removes_the_staging_directory() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let frame = df(&["a", "b", "c"]);
        let outputs = publish(&out, &[(&T, &frame)], &meta("r1"), manifest).unwrap();
        assert_eq!(outputs.len(), 1);
        assert_eq!(outputs[0].rows, 3);
        let back = parquet::read_back(&out.join("things.parquet"), &T).unwrap();
        assert_eq!(back, parquet::ReadBack { rows: 3, run_id: Some("r1".into()) });
        let names: Vec<String> =
            fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, vec!["manifest.json", "things.parquet"], "no staging directory is left behind");
        let listed: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(listed[0]["sha256"], outputs[0].sha256, "the run record lists the published file's hash");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_set_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        publish(&out, &[(&T, &df(&["a"]))], &meta("r1"), manifest).unwrap();
        let before = fs::read(out.join("things.parquet")).unwrap();
        // a frame that lacks a column of the schema cannot be written
        let broken = df(&["a", "b"]).drop("tags").unwrap();
        let err = publish(&out, &[(&T, &df(&["z"])), (&T, &broken)], &meta("r2"), manifest).unwrap_err();
        assert!(matches!(err, Error::Parquet { .. }), "{err}");
        assert_eq!(fs::read(out.join("things.parquet")).unwrap(), before);
        assert_eq!(fs::read_dir(&out).unwrap().count(), 2, "staging removed, nothing added");
    }

    #[test]
    fn read_back_refuses_a_file_of_another_schema() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        publish(&out, &[(&T, &df(&["a"]))], &meta("r1"), manifest).unwrap();
        let mut other = T;
        other.name = "other";
        assert!(parquet::read_back(&out.join("things.parquet"), &other).is_err());
        let mut fewer = T;
        fewer.columns = &T.columns[..2];
        assert!(parquet::read_back(&out.join("things.parquet"), &fewer).is_err());
    }

    #[test]
    fn files_record_sort_order_descriptions_and_metadata() {
        let mut buf = Vec::new();
        parquet::write(&df(&["a", "b"]), &T, &meta("r9"), &mut buf).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.parquet");
        fs::write(&path, buf).unwrap();
        let reader = ::parquet::file::reader::SerializedFileReader::new(fs::File::open(&path).unwrap()).unwrap();
        use ::parquet::file::reader::FileReader;
        let md = reader.metadata();
        let kv = md.file_metadata().key_value_metadata().unwrap();
        let get = |k: &str| kv.iter().find(|x| x.key == k).and_then(|x| x.value.clone());
        assert_eq!(get("dyadflow.run_id").as_deref(), Some("r9"));
        assert_eq!(get("dyadflow.schema_version").as_deref(), Some(crate::schema::SCHEMA_VERSION));
        assert!(get("ARROW:schema").is_some(), "field descriptions travel in the Arrow schema");
        let rg = md.row_group(0);
        assert_eq!(rg.sorting_columns().unwrap()[0].column_idx, 0);
        assert!(matches!(rg.column(0).compression(), ::parquet::basic::Compression::ZSTD(_)));
        assert!(rg.column(0).statistics().is_some());
        assert!(rg.column(0).bloom_filter_offset().is_some(), "id columns carry a bloom filter");
    }
}
