//! Stage 4, publish: the commit protocol that replaces the published set.
//!
//! Layout of an output directory:
//!
//! ```text
//! <out>/runs/000007-<run_id>/   one complete set: the seven tables, overview.html, manifest.json, _SUCCESS
//! <out>/current -> runs/000007-<run_id>    the published set (a symbolic link)
//! <out>/<table>.parquet -> current/<table>.parquet   stable shortcuts, also
//! <out>/manifest.json, <out>/_SUCCESS                 through `current`
//! <out>/.dyadflow.lock                      the writer lock (see `lock`)
//! ```
//!
//! A set is written into a hidden staging directory, each file flushed to disk
//! and read back with an independent Parquet reader, then `manifest.json` and
//! `_SUCCESS`; the directory is renamed into `runs/` whole. The commit is one
//! atomic `rename(2)` of a new symbolic link over `current`: before it,
//! readers see the previous set; after it, the new one. Nothing a reader can
//! reach through `current` is ever modified in place. After the commit, older
//! sets beyond the last `keep` are removed (renamed out of `runs/` first, so a
//! half-removed set is never listed).
//!
//! A run that dies at any point leaves at worst a staging directory, a
//! complete set that is not `current`, or a temporary link: the next run
//! (holding the lock) removes them before it writes.

pub mod fault;
pub mod lock;

use crate::catalogue::TableSchema;
use crate::digest::sha256_hex;
use crate::problem::{Error, Result};
use fault::checkpoint;
use lock::WriterLock;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub use crate::write::file::FileMeta;
use crate::write::{file, Written};

pub const RUNS_DIR: &str = "runs";
pub const CURRENT: &str = "current";
pub const MANIFEST: &str = "manifest.json";
pub const SUCCESS: &str = "_SUCCESS";
const STAGING_PREFIX: &str = ".staging-";
const TRASH_PREFIX: &str = ".trash-";
const TMP_LINK_PREFIX: &str = ".link-";
/// Scratch space of a run (spilled partitions, sorted runs, tables being
/// written), inside the output directory so that its files can be renamed
/// into a set.
pub const SCRATCH_PREFIX: &str = ".scratch-";

/// A file of the published set, for the run record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutputFile {
    pub file: String,
    pub table: String,
    pub rows: usize,
    pub bytes: u64,
    pub sha256: String,
}

/// A published set: its directory (relative to the output directory) and
/// files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub set: String,
    pub outputs: Vec<OutputFile>,
}

/// The set `current` points at, checked against its run record.
#[derive(Debug, Clone)]
pub struct CurrentSet {
    pub set: String,
    pub run_id: String,
    pub warnings: u64,
    /// Rows read, published and rejected per table, as its record states.
    pub tables: std::collections::BTreeMap<String, crate::ledger::Counts>,
    pub outputs: Vec<OutputFile>,
}

fn write_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn layout(path: &Path, message: impl Into<String>) -> Error {
    Error::Layout { path: path.to_path_buf(), message: message.into() }
}

/// Makes renames and new entries in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    // Directories cannot be opened for syncing on every platform; where they
    // can, a failure to sync is an error.
    if let Ok(d) = fs::File::open(dir) {
        d.sync_all().map_err(write_err(dir))?;
    }
    Ok(())
}

/// Writes one file in full and flushes it to disk.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(write_err(path))?;
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    f.write_all(first).map_err(write_err(path))?;
    f.flush().map_err(write_err(path))?;
    checkpoint("half of a file written");
    f.write_all(rest).map_err(write_err(path))?;
    f.sync_all().map_err(write_err(path))
}

/// Writes a file that is not part of a set (the run report beside `--out`)
/// so that it is never seen half-written: a temporary file, flushed, renamed
/// over the old one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    write_file(&tmp, bytes)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::Write { path: path.to_path_buf(), source: e }
    })?;
    if let Some(dir) = path.parent() {
        sync_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })?;
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!("publishing needs symbolic links, which this platform does not offer for {}", link.display()),
    ))
}

/// Points `out/name` at `target` atomically: a new link under a temporary
/// name, renamed over the old entry.
fn swap_link(out: &Path, name: &str, target: &Path) -> Result<()> {
    let link = out.join(name);
    if fs::read_link(&link).is_ok_and(|t| t == target) {
        return Ok(());
    }
    if link.is_dir() && !link.is_symlink() {
        return Err(layout(&link, "is a directory, where dyadflow keeps a link to the published set; move it away"));
    }
    let tmp = out.join(format!("{TMP_LINK_PREFIX}{name}.{}", std::process::id()));
    let _ = fs::remove_file(&tmp);
    symlink(target, &tmp).map_err(write_err(&tmp))?;
    checkpoint("temporary link created");
    fs::rename(&tmp, &link).map_err(write_err(&link))?;
    checkpoint("link swapped");
    Ok(())
}

/// `runs/<seq>-<run id>` entries, oldest first.
fn list_sets(out: &Path) -> Result<Vec<(u64, String)>> {
    let runs = out.join(RUNS_DIR);
    let mut sets = Vec::new();
    let entries = match fs::read_dir(&runs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(sets),
        Err(source) => return Err(Error::Read { path: runs, source }),
    };
    for e in entries {
        let e = e.map_err(|source| Error::Read { path: runs.clone(), source })?;
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some((seq, _)) = name.split_once('-') {
            if let Ok(n) = seq.parse::<u64>() {
                sets.push((n, name));
            }
        }
    }
    sets.sort();
    Ok(sets)
}

/// The name of the set `current` points at, if any.
fn current_name(out: &Path) -> Option<String> {
    let target = fs::read_link(out.join(CURRENT)).ok()?;
    let mut parts = target.components();
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) if a.as_os_str() == RUNS_DIR => Some(b.as_os_str().to_string_lossy().into_owned()),
        _ => None,
    }
}

/// Removes what runs that died left behind in the output directory guarded
/// by `lock`: staging directories, sets being removed, temporary links.
/// Returns their names.
pub fn recover(lock: &WriterLock) -> Result<Vec<String>> {
    let out = lock.out();
    let mut removed = Vec::new();
    for e in fs::read_dir(out).map_err(|source| Error::Read { path: out.to_path_buf(), source })? {
        let e = e.map_err(|source| Error::Read { path: out.to_path_buf(), source })?;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let own_scratch = name.starts_with(SCRATCH_PREFIX) && name.ends_with(&format!("-{}", std::process::id()));
        if own_scratch {
            // this run's scratch space (holding tables about to be published)
            continue;
        }
        if name.starts_with(STAGING_PREFIX) || name.starts_with(TRASH_PREFIX) || name.starts_with(SCRATCH_PREFIX) {
            fs::remove_dir_all(&path).map_err(write_err(&path))?;
        } else if name.starts_with(TMP_LINK_PREFIX) || (name.starts_with('.') && name.ends_with(".tmp")) {
            fs::remove_file(&path).map_err(write_err(&path))?;
        } else {
            continue;
        }
        removed.push(name);
    }
    removed.sort();
    Ok(removed)
}

/// Removes the oldest sets beyond the newest `keep`, never the current one.
fn prune(out: &Path, keep: usize, current: &str) -> Result<Vec<String>> {
    let sets = list_sets(out)?;
    let mut removed = Vec::new();
    let excess = sets.len().saturating_sub(keep.max(1));
    for (_, name) in sets.into_iter().take(excess) {
        if name == current {
            continue;
        }
        let from = out.join(RUNS_DIR).join(&name);
        let trash = out.join(format!("{TRASH_PREFIX}{name}"));
        fs::rename(&from, &trash).map_err(write_err(&from))?;
        checkpoint("old set moved out of runs/");
        fs::remove_dir_all(&trash).map_err(write_err(&trash))?;
        removed.push(name);
    }
    Ok(removed)
}

/// The files a set holds besides its tables.
fn shortcut_names(outputs: &[OutputFile]) -> Vec<String> {
    let mut names: Vec<String> = outputs.iter().map(|o| o.file.clone()).collect();
    names.push(MANIFEST.into());
    names.push(SUCCESS.into());
    names
}

/// Reads the set `current` points at and checks every file against its run
/// record (presence, size, SHA-256). None when there is no current set or it
/// does not check out.
pub fn current(out: &Path) -> Option<CurrentSet> {
    let name = current_name(out)?;
    let dir = out.join(RUNS_DIR).join(&name);
    let record: serde_json::Value = serde_json::from_slice(&fs::read(dir.join(MANIFEST)).ok()?).ok()?;
    let outputs: Vec<OutputFile> = serde_json::from_value(record.get("outputs")?.clone()).ok()?;
    if outputs.is_empty() || !dir.join(SUCCESS).is_file() {
        return None;
    }
    for o in &outputs {
        let bytes = fs::read(dir.join(&o.file)).ok()?;
        if bytes.len() as u64 != o.bytes || sha256_hex(&bytes) != o.sha256 {
            return None;
        }
    }
    Some(CurrentSet {
        set: format!("{RUNS_DIR}/{name}"),
        run_id: record.get("run_id")?.as_str()?.to_string(),
        warnings: record.get("warnings").and_then(|w| w.as_u64()).unwrap_or(0),
        tables: record.get("tables").and_then(|t| serde_json::from_value(t.clone()).ok()).unwrap_or_default(),
        outputs,
    })
}

struct Staging {
    dir: PathBuf,
    done: bool,
}

/// A table file in the staging directory, to be checked.
struct Placed<'a> {
    t: &'a TableSchema,
    file: String,
    path: PathBuf,
    rows: usize,
}

impl Placed<'_> {
    /// The file's size and SHA-256, and its independent read-back: the
    /// schema, the metadata, and as many rows as were written, of this run.
    fn check(&self, meta: &FileMeta) -> Result<OutputFile> {
        let path = &self.path;
        let f = fs::File::open(path).map_err(|source| Error::Read { path: path.clone(), source })?;
        let (sha256, bytes) = crate::digest::sha256_reader(std::io::BufReader::new(f))
            .map_err(|source| Error::Read { path: path.clone(), source })?;
        let back = file::read_back(path, self.t).map_err(Error::parquet(path))?;
        if back.rows != self.rows || back.run_id.as_deref() != Some(meta.run_id.as_str()) {
            return Err(Error::Invariant {
                rule: crate::rules::Rule::ReadBack,
                message: format!(
                    "{} reads back {} rows of run {:?}, wrote {} of {}",
                    self.file, back.rows, back.run_id, self.rows, meta.run_id
                ),
            });
        }
        Ok(OutputFile { file: self.file.clone(), table: self.t.name.to_string(), rows: back.rows, bytes, sha256 })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Publishes the tables as a new set of the output directory guarded by
/// `lock`, keeping the newest `keep` sets. `manifest` is given the set's
/// directory (relative to the output directory) and its files, and returns the
/// bytes of its `manifest.json`.
pub fn publish(
    lock: &WriterLock,
    tables: &[(&'static TableSchema, Written)],
    meta: &FileMeta,
    keep: usize,
    manifest: impl FnOnce(&str, &[OutputFile]) -> Vec<u8>,
) -> Result<Published> {
    publish_with_page(lock, tables, meta, keep, None, manifest)
}

/// A page written into a set after its tables (listed and hashed in the
/// manifest like them, with a shortcut): its file name, and a function of the
/// staging directory holding the tables that returns its bytes.
pub type Page<'a> = (&'static str, &'a dyn Fn(&Path) -> Result<Vec<u8>>);

/// [`publish`], with a page (`overview.html`) built from the staged tables.
pub fn publish_with_page(
    lock: &WriterLock,
    tables: &[(&'static TableSchema, Written)],
    meta: &FileMeta,
    keep: usize,
    page: Option<Page>,
    manifest: impl FnOnce(&str, &[OutputFile]) -> Vec<u8>,
) -> Result<Published> {
    let out = lock.out();
    recover(lock)?;
    let seq = list_sets(out)?.last().map_or(1, |(n, _)| n + 1);
    let name = format!("{seq:06}-{}", meta.run_id);
    let set = format!("{RUNS_DIR}/{name}");
    let dir = out.join(format!("{STAGING_PREFIX}{name}"));
    fs::create_dir(&dir).map_err(write_err(&dir))?;
    let mut staging = Staging { dir: dir.clone(), done: false };
    checkpoint("staging directory created");

    // the tables into the staging directory
    let mut placed: Vec<Placed> = Vec::new();
    for (t, written) in tables {
        let file = format!("{}.parquet", t.name);
        let path = dir.join(&file);
        // written by the table writer into the run's scratch space
        fs::rename(&written.path, &path).map_err(write_err(&path))?;
        checkpoint("written table moved into staging");
        placed.push(Placed { t, file, path, rows: written.rows });
    }
    // every file hashed (when it was written elsewhere) and read back on its
    // own thread, while the page is built from the staged tables on this one
    let (checked, page) = std::thread::scope(|scope| {
        let checks: Vec<_> = placed.iter().map(|p| scope.spawn(move || p.check(meta))).collect();
        let page = page.map(|(file, make)| make(&dir).map(|bytes| (file, bytes)));
        let checked: Vec<Result<OutputFile>> =
            checks.into_iter().map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        (checked, page)
    });
    let mut outputs = Vec::new();
    for output in checked {
        outputs.push(output?);
        checkpoint("table written and read back");
    }
    if let Some(page) = page {
        let (file, bytes) = page?;
        write_file(&dir.join(file), &bytes)?;
        checkpoint("page written");
        let table = file.split('.').next().unwrap_or(file).to_string();
        outputs.push(OutputFile {
            file: file.into(),
            table,
            rows: 0,
            bytes: bytes.len() as u64,
            sha256: sha256_hex(&bytes),
        });
    }
    write_file(&dir.join(MANIFEST), &manifest(&set, &outputs))?;
    write_file(&dir.join(SUCCESS), format!("run_id {}\nset {set}\n", meta.run_id).as_bytes())?;
    sync_dir(&dir)?;
    checkpoint("set complete in staging");

    let runs = out.join(RUNS_DIR);
    fs::create_dir_all(&runs).map_err(write_err(&runs))?;
    let final_dir = runs.join(&name);
    fs::rename(&dir, &final_dir).map_err(write_err(&final_dir))?;
    staging.done = true;
    sync_dir(&runs)?;
    checkpoint("set moved into runs/");

    // the commit
    swap_link(out, CURRENT, &Path::new(RUNS_DIR).join(&name))?;
    sync_dir(out)?;

    for f in shortcut_names(&outputs) {
        swap_link(out, &f, &Path::new(CURRENT).join(&f))?;
    }
    sync_dir(out)?;
    prune(out, keep, &name)?;
    Ok(Published { set, outputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Column as Col, Kind, TableSchema};
    use crate::write::TableWriter;
    use polars::prelude::*;

    static T: TableSchema = TableSchema {
        checks: &[],
        name: "things",
        description: "test table",
        key: &["id"],
        sort_by: &["id"],
        columns: &[
            Col {
                name: "id",
                kind: Kind::Str,
                nullable: false,
                dictionary: false,
                bloom: true,
                free_text: false,
                description: "id",
            },
            Col {
                name: "n",
                kind: Kind::Int64,
                nullable: true,
                dictionary: true,
                bloom: false,
                free_text: false,
                description: "n",
            },
            Col {
                name: "day",
                kind: Kind::Date,
                nullable: false,
                dictionary: false,
                bloom: false,
                free_text: false,
                description: "day",
            },
            Col {
                name: "tags",
                kind: Kind::ListStr,
                nullable: false,
                dictionary: false,
                bloom: false,
                free_text: false,
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

    /// The table file a run's table writer hands over, of run `run`.
    fn written(df: &DataFrame, run: &str) -> Written {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("dyadflow-publish-test-{}-{n}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut w = TableWriter::create_small(&dir.join("things.parquet"), &T, &meta(run)).unwrap();
        w.write(&crate::write::file::to_batch(df, &T, &meta(run)).unwrap()).unwrap();
        w.close().unwrap()
    }

    fn meta(run: &str) -> FileMeta {
        FileMeta { run_id: run.into(), program_version: "test".into() }
    }

    fn manifest(set: &str, outputs: &[OutputFile]) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"run_id": set.rsplit('-').next().unwrap(), "outputs": outputs})).unwrap()
    }

    fn lock(out: &Path) -> WriterLock {
        WriterLock::acquire(out, std::time::Duration::ZERO).unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn publishes_a_set_behind_the_current_link_with_shortcuts() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        let p = publish(&l, &[(&T, written(&df(&["a", "b", "c"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        assert_eq!(p.set, "runs/000001-r1");
        assert_eq!(p.outputs.len(), 1);
        assert_eq!(p.outputs[0].rows, 3);
        assert_eq!(fs::read_link(out.join("current")).unwrap(), Path::new("runs/000001-r1"));
        assert_eq!(names(&out.join("runs/000001-r1")), ["_SUCCESS", "manifest.json", "things.parquet"]);
        assert_eq!(
            names(&out),
            [".dyadflow.lock", "_SUCCESS", "current", "manifest.json", "runs", "things.parquet"],
            "no staging directory or temporary link is left behind"
        );
        for f in ["things.parquet", "manifest.json", "_SUCCESS"] {
            assert_eq!(fs::read_link(out.join(f)).unwrap(), Path::new("current").join(f));
        }
        let back = crate::write::file::read_back(&out.join("things.parquet"), &T).unwrap();
        assert_eq!(back, crate::write::file::ReadBack { rows: 3, run_id: Some("r1".into()) });
        let listed: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(listed["outputs"][0]["sha256"], p.outputs[0].sha256, "the run record lists the file's hash");
        let cur = current(&out).unwrap();
        assert_eq!((cur.set.as_str(), cur.run_id.as_str()), ("runs/000001-r1", "r1"));
    }

    #[test]
    fn a_page_is_built_from_the_staged_tables_listed_hashed_and_linked() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        let page = |staged: &Path| -> Result<Vec<u8>> {
            assert!(staged.join("things.parquet").is_file(), "the tables are staged before the page");
            Ok(b"<!DOCTYPE html><p>page</p>".to_vec())
        };
        let tables = [(&T, written(&df(&["a"]), "r1"))];
        let p = publish_with_page(&l, &tables, &meta("r1"), 3, Some(("page.html", &page)), manifest).unwrap();
        assert_eq!(names(&out.join("runs/000001-r1")), ["_SUCCESS", "manifest.json", "page.html", "things.parquet"]);
        assert_eq!(fs::read_link(out.join("page.html")).unwrap(), Path::new("current/page.html"));
        let o = p.outputs.iter().find(|o| o.file == "page.html").unwrap();
        assert_eq!((o.table.as_str(), o.rows, o.bytes), ("page", 0, 26));
        assert_eq!(o.sha256, sha256_hex(b"<!DOCTYPE html><p>page</p>"));
        assert!(current(&out).is_some(), "the page is checked with the set's files");
        // a page that cannot be built publishes nothing: the previous set stays current
        let fails = |_: &Path| -> Result<Vec<u8>> { Err(layout(Path::new("x"), "no page")) };
        let tables = [(&T, written(&df(&["b"]), "r2"))];
        assert!(publish_with_page(&l, &tables, &meta("r2"), 3, Some(("page.html", &fails)), manifest).is_err());
        assert_eq!(current(&out).unwrap().run_id, "r1");
        assert_eq!(names(&out.join("runs")), ["000001-r1"]);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_set_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        publish(&l, &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        let before = fs::read(out.join("things.parquet")).unwrap();
        // a file that is not the table's Parquet does not read back
        let broken = written(&df(&["a", "b"]), "r2");
        fs::write(&broken.path, b"not parquet").unwrap();
        let err = publish(&l, &[(&T, written(&df(&["z"]), "r2")), (&T, broken)], &meta("r2"), 3, manifest).unwrap_err();
        assert!(matches!(err, Error::Parquet { .. }), "{err}");
        assert_eq!(fs::read(out.join("things.parquet")).unwrap(), before);
        assert_eq!(fs::read_link(out.join("current")).unwrap(), Path::new("runs/000001-r1"));
        assert_eq!(names(&out.join("runs")), ["000001-r1"]);
        assert!(!names(&out).iter().any(|n| n.starts_with(".staging")), "staging removed");
    }

    #[test]
    fn keeps_the_newest_sets_and_numbers_them_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        for (i, r) in ["r1", "r2", "r3", "r4", "r5"].iter().enumerate() {
            let p = publish(&l, &[(&T, written(&df(&["a"; 1][..]), r))], &meta(r), 2, manifest).unwrap();
            assert_eq!(p.set, format!("runs/{:06}-{r}", i + 1));
        }
        assert_eq!(names(&out.join("runs")), ["000004-r4", "000005-r5"]);
        assert_eq!(current(&out).unwrap().run_id, "r5");
        // the same run id again (a forced rebuild) gets a set of its own
        let p = publish(&l, &[(&T, written(&df(&["a"]), "r5"))], &meta("r5"), 2, manifest).unwrap();
        assert_eq!(p.set, "runs/000006-r5");
        assert_eq!(names(&out.join("runs")), ["000005-r5", "000006-r5"]);
    }

    #[test]
    fn leftovers_of_a_dead_run_are_removed_by_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        fs::create_dir_all(out.join(".staging-000001-dead/x")).unwrap();
        fs::create_dir_all(out.join(".trash-000000-old")).unwrap();
        symlink(Path::new("runs/nowhere"), &out.join(".link-current.999")).unwrap();
        publish(&l, &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        assert!(!names(&out)
            .iter()
            .any(|n| n.starts_with(".staging") || n.starts_with(".trash") || n.starts_with(".link")));
    }

    #[test]
    fn an_old_layout_of_plain_files_is_replaced_by_links() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("things.parquet"), b"old").unwrap();
        fs::write(out.join("manifest.json"), b"{}").unwrap();
        let l = lock(&out);
        publish(&l, &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        assert_eq!(fs::read_link(out.join("things.parquet")).unwrap(), Path::new("current/things.parquet"));
        assert_eq!(crate::write::file::read_back(&out.join("things.parquet"), &T).unwrap().rows, 1);
    }

    #[test]
    fn a_directory_in_place_of_the_current_link_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("current")).unwrap();
        let l = lock(&out);
        let err = publish(&l, &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap_err();
        assert!(matches!(err, Error::Layout { .. }), "{err}");
    }

    #[test]
    fn the_current_set_is_checked_against_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let l = lock(&out);
        assert!(current(&out).is_none(), "nothing published yet");
        publish(&l, &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        assert!(current(&out).is_some());
        let f = out.join("runs/000001-r1/things.parquet");
        let mut bytes = fs::read(&f).unwrap();
        let last = bytes.len() - 20;
        bytes[last] ^= 1;
        fs::write(&f, bytes).unwrap();
        assert!(current(&out).is_none(), "a changed file is noticed");
    }

    #[test]
    fn the_run_report_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.run.json");
        write_atomically(&p, b"one").unwrap();
        write_atomically(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(names(dir.path()), ["out.run.json"], "no temporary file is left");
    }

    #[test]
    fn read_back_refuses_a_file_of_another_schema() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        publish(&lock(&out), &[(&T, written(&df(&["a"]), "r1"))], &meta("r1"), 3, manifest).unwrap();
        let mut other = T;
        other.name = "other";
        assert!(crate::write::file::read_back(&out.join("things.parquet"), &other).is_err());
        let mut fewer = T;
        fewer.columns = &T.columns[..2];
        assert!(crate::write::file::read_back(&out.join("things.parquet"), &fewer).is_err());
    }

    /// [`df`] of `n` rows with the ids id00, id01, ...
    fn numbered(n: usize) -> DataFrame {
        let ids: Vec<String> = (0..n).map(|i| format!("id{i:02}")).collect();
        df(&ids.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// `df`'s first three columns (no list column) written as a file of
    /// row groups of `group_rows` rows; returns the path and the schema.
    fn flat_file(dir: &Path, df: &DataFrame, group_rows: usize) -> (PathBuf, &'static TableSchema) {
        let mut flat = T;
        flat.columns = &T.columns[..3];
        let flat: &'static TableSchema = Box::leak(Box::new(flat));
        let path = dir.join("flat.parquet");
        let props = crate::write::file::writer_properties(flat, &meta("r1"))
            .into_builder()
            .set_max_row_group_row_count(Some(group_rows))
            .build();
        let batch = crate::write::file::to_batch(df, flat, &meta("r1")).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(fs::File::create(&path).unwrap(), batch.schema(), Some(props))
            .unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        (path, flat)
    }

    #[test]
    fn read_back_counts_the_rows_of_every_row_group_of_a_flat_file() {
        let dir = tempfile::tempdir().unwrap();
        let (path, flat) = flat_file(dir.path(), &numbered(25), 4);
        let groups = parquet::file::reader::FileReader::metadata(
            &parquet::file::serialized_reader::SerializedFileReader::new(fs::File::open(&path).unwrap()).unwrap(),
        )
        .num_row_groups();
        assert_eq!(groups, 7, "25 rows in row groups of 4");
        let back = crate::write::file::read_back(&path, flat).unwrap();
        assert_eq!(back, crate::write::file::ReadBack { rows: 25, run_id: Some("r1".into()) });
        // and the table with a list column (its values are not its rows)
        let dir2 = tempfile::tempdir().unwrap();
        let out = dir2.path().join("out");
        publish(&lock(&out), &[(&T, written(&numbered(25), "r2"))], &meta("r2"), 3, manifest).unwrap();
        assert_eq!(crate::write::file::read_back(&out.join("things.parquet"), &T).unwrap().rows, 25);
    }

    #[test]
    fn read_back_refuses_a_file_whose_pages_are_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let (path, flat) = flat_file(dir.path(), &numbered(50), 10);
        assert_eq!(crate::write::file::read_back(&path, flat).unwrap().rows, 50);
        // the footer is intact (schema and metadata read), the pages of the
        // first column chunk are not
        let mut bytes = fs::read(&path).unwrap();
        for b in &mut bytes[4..40] {
            *b = 0xff;
        }
        fs::write(&path, &bytes).unwrap();
        assert!(crate::write::file::read_back(&path, flat).is_err());
    }

    #[test]
    fn free_text_columns_have_no_statistics_and_the_others_have_page_statistics() {
        use ::parquet::file::properties::EnabledStatistics;
        use ::parquet::schema::types::ColumnPath;
        let props = crate::write::file::writer_properties(&crate::catalogue::EVENTS, &meta("r1"));
        let stats = |c: &str| props.statistics_enabled(&ColumnPath::from(c));
        assert_eq!(stats("evidence"), EnabledStatistics::None);
        assert_eq!(stats("notes"), EnabledStatistics::None);
        assert_eq!(stats("event_key"), EnabledStatistics::Page);
        assert_eq!(stats("date_start"), EnabledStatistics::Page);
    }

    #[test]
    fn files_record_sort_order_descriptions_and_metadata() {
        let path = written(&df(&["a", "b"]), "r9").path;
        let reader = ::parquet::file::reader::SerializedFileReader::new(fs::File::open(&path).unwrap()).unwrap();
        use ::parquet::file::reader::FileReader;
        let md = reader.metadata();
        let kv = md.file_metadata().key_value_metadata().unwrap();
        let get = |k: &str| kv.iter().find(|x| x.key == k).and_then(|x| x.value.clone());
        assert_eq!(get("dyadflow.run_id").as_deref(), Some("r9"));
        assert_eq!(get("dyadflow.schema_version").as_deref(), Some(crate::catalogue::SCHEMA_VERSION));
        assert!(get("ARROW:schema").is_some(), "field descriptions travel in the Arrow schema");
        let rg = md.row_group(0);
        assert_eq!(rg.sorting_columns().unwrap()[0].column_idx, 0);
        assert!(matches!(rg.column(0).compression(), ::parquet::basic::Compression::ZSTD(_)));
        assert!(rg.column(0).statistics().is_some());
        assert!(rg.column(0).bloom_filter_offset().is_some(), "id columns carry a bloom filter");
    }
}
