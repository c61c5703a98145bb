//! Routes the rows of the large tables (events, mentions) into partitions by
//! article, so that everything checked within an article — repeated event
//! ids, the occurrences a mention may take, the text its passages are found
//! in — is checked one partition at a time, in memory bounded by a
//! partition rather than by the corpus.
//!
//! Partitions are ranges of article ids: partition k holds the rows whose
//! `article_id` falls between the k-th and (k+1)-th boundary, so processing
//! the partitions in order visits articles in id order (the mentions table's
//! sort order). Each partition keeps its rows in their original order (file,
//! then line), which the "first row wins" rules need. With one partition the
//! rows stay in memory; with more they are spilled to a scratch directory as
//! length-prefixed records and read back one partition at a time.

use crate::ledger::{Fields, RowSrc};
use crate::problem::{Error, Result, Table};
use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The rows of one partition, in their original order.
#[derive(Debug, Default)]
pub struct Rows {
    pub events: Vec<RowSrc>,
    pub mentions: Vec<RowSrc>,
}

/// Where a row came from, shared by the rows of one file.
#[derive(Debug, Clone)]
struct FileKey {
    table: Table,
    file: Arc<str>,
    rel_file: Arc<str>,
    header: Arc<[String]>,
}

enum Store {
    Memory(Vec<RowSrc>),
    Spill { path: PathBuf, writer: Option<BufWriter<File>> },
}

/// The partitions of one table: a store per partition, and the files its
/// rows came from.
struct TableParts {
    /// One lock per partition, so that several workers take partitions at
    /// once once the rows are routed.
    stores: Vec<std::sync::Mutex<Store>>,
    files: Vec<FileKey>,
    file_ids: HashMap<(Table, Arc<str>), u32>,
}

pub struct Partitions {
    /// First article id of partitions 1..n (partition 0 takes everything
    /// before `bounds[0]`).
    bounds: Vec<String>,
    /// Events, mentions: routed apart, so that the two tables can be read on
    /// two threads at once.
    tables: [TableParts; 2],
}

/// Routes the rows of one table into the partitions.
pub struct Router<'a> {
    bounds: &'a [String],
    parts: &'a mut TableParts,
}

fn werr(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write { path: path.to_path_buf(), source }
}

fn rerr(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Read { path: path.to_path_buf(), source }
}

/// The partition of an article id (known or not) among `bounds`.
fn partition_of(bounds: &[String], article_id: &str) -> usize {
    bounds.partition_point(|b| b.as_str() <= article_id)
}

impl TableParts {
    fn new(n: usize, scratch: &Path, table: &str) -> Result<Self> {
        let stores = if n == 1 {
            vec![std::sync::Mutex::new(Store::Memory(Vec::new()))]
        } else {
            (0..n)
                .map(|k| {
                    let path = scratch.join(format!("partition-{k:05}.{table}.rows"));
                    let f = File::create(&path).map_err(werr(&path))?;
                    Ok(std::sync::Mutex::new(Store::Spill { writer: Some(BufWriter::with_capacity(1 << 16, f)), path }))
                })
                .collect::<Result<Vec<_>>>()?
        };
        Ok(TableParts { stores, files: Vec::new(), file_ids: HashMap::default() })
    }

    fn file_id(&mut self, src: &RowSrc) -> u32 {
        // rows come file by file: the last file's id is the usual answer
        if let Some(last) = self.files.last() {
            if last.table == src.table && Arc::ptr_eq(&last.file, &src.file) {
                return self.files.len() as u32 - 1;
            }
        }
        let key = (src.table, src.file.clone());
        if let Some(&i) = self.file_ids.get(&key) {
            return i;
        }
        let i = self.files.len() as u32;
        self.files.push(FileKey {
            table: src.table,
            file: src.file.clone(),
            rel_file: src.rel_file.clone(),
            header: src.header.clone(),
        });
        self.file_ids.insert(key, i);
        i
    }

    fn push(&mut self, k: usize, src: RowSrc) -> Result<()> {
        let file = self.file_id(&src);
        match self.stores[k].get_mut().expect("a partition's lock is never poisoned") {
            Store::Memory(rows) => rows.push(src),
            Store::Spill { path, writer } => {
                let w = writer.as_mut().expect("partitions are written before they are read");
                encode(w, file, &src).map_err(werr(path))?;
            }
        }
        Ok(())
    }

    fn take(&self, k: usize) -> Result<Vec<RowSrc>> {
        let mut store = self.stores[k].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match &mut *store {
            Store::Memory(rows) => Ok(std::mem::take(rows)),
            Store::Spill { path, writer } => {
                if let Some(w) = writer.take() {
                    w.into_inner().map_err(|e| e.into_error()).map_err(werr(path))?;
                }
                // read whole (a partition is bounded) and cut into rows
                let data = std::fs::read(&*path).map_err(rerr(path))?;
                let mut at = &data[..];
                let mut rows = Vec::new();
                while let Some(src) = decode(&mut at, &self.files).map_err(rerr(path))? {
                    rows.push(src);
                }
                std::fs::remove_file(&*path).map_err(werr(path))?;
                Ok(rows)
            }
        }
    }
}

impl Partitions {
    /// `n` partitions over the (sorted, unique) published article ids,
    /// spilled into `scratch` when there is more than one.
    pub fn new(article_ids: &[&str], n: usize, scratch: &Path) -> Result<Self> {
        let n = n.clamp(1, article_ids.len().max(1));
        let bounds: Vec<String> =
            (1..n).map(|k| article_ids[k * article_ids.len() / n].to_string()).collect::<Vec<_>>();
        if n > 1 {
            std::fs::create_dir_all(scratch).map_err(werr(scratch))?;
        }
        let tables = [TableParts::new(n, scratch, "events")?, TableParts::new(n, scratch, "mentions")?];
        Ok(Partitions { bounds, tables })
    }

    pub fn len(&self) -> usize {
        self.bounds.len() + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// The partition of an article id (known or not).
    pub fn of(&self, article_id: &str) -> usize {
        partition_of(&self.bounds, article_id)
    }

    /// The routers of the events and of the mentions, usable on two threads
    /// at once.
    pub fn routers(&mut self) -> (Router<'_>, Router<'_>) {
        let [events, mentions] = &mut self.tables;
        (Router { bounds: &self.bounds, parts: events }, Router { bounds: &self.bounds, parts: mentions })
    }

    /// Adds a row of the events or mentions table, routed by its article id.
    pub fn push(&mut self, article_id: &str, src: RowSrc) -> Result<()> {
        let k = self.of(article_id);
        let t = if src.table == Table::Mentions { 1 } else { 0 };
        self.tables[t].push(k, src)
    }

    /// Takes the rows of partition `k` (once). Partitions may be taken from
    /// several threads at once, once every row is pushed.
    pub fn take(&self, k: usize) -> Result<Rows> {
        Ok(Rows { events: self.tables[0].take(k)?, mentions: self.tables[1].take(k)? })
    }
}

impl Router<'_> {
    /// Adds a row of this router's table, routed by its `article_id` field as
    /// written (trimmed; a row without one routes as ""). Its fields are
    /// checked in the partition.
    pub fn push(&mut self, src: RowSrc) -> Result<()> {
        let article = src.column("article_id").and_then(|c| src.fields.get(c - 1)).map_or("", str::trim);
        self.parts.push(partition_of(self.bounds, article), src)
    }
}

fn encode(w: &mut impl Write, file: u32, src: &RowSrc) -> std::io::Result<()> {
    w.write_all(&file.to_le_bytes())?;
    w.write_all(&src.line.to_le_bytes())?;
    let (text, ends) = src.fields.parts();
    w.write_all(&(ends.len() as u32).to_le_bytes())?;
    for e in ends {
        w.write_all(&e.to_le_bytes())?;
    }
    w.write_all(text.as_bytes())?;
    Ok(())
}

fn bad_data(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("partition file cut short: {what}"))
}

/// The first `n` bytes of `r`, which then starts after them.
fn cut<'a>(r: &mut &'a [u8], n: usize, what: &str) -> std::io::Result<&'a [u8]> {
    if r.len() < n {
        return Err(bad_data(what));
    }
    let (head, rest) = r.split_at(n);
    *r = rest;
    Ok(head)
}

fn read_u32(r: &mut &[u8]) -> std::io::Result<u32> {
    Ok(u32::from_le_bytes(cut(r, 4, "a length")?.try_into().expect("4 bytes")))
}

/// The next row of a partition file read whole into `r`; None at its end.
fn decode(r: &mut &[u8], files: &[FileKey]) -> std::io::Result<Option<RowSrc>> {
    if r.is_empty() {
        return Ok(None);
    }
    let file = read_u32(r)? as usize;
    let key = files.get(file).ok_or_else(|| bad_data("a file number"))?;
    let line = u64::from_le_bytes(cut(r, 8, "a line number")?.try_into().expect("8 bytes"));
    let n = read_u32(r)? as usize;
    let ends = cut(r, n.checked_mul(4).ok_or_else(|| bad_data("a field count"))?, "the field ends")?;
    let ends: Vec<u32> = ends.chunks_exact(4).map(|e| u32::from_le_bytes(e.try_into().expect("4 bytes"))).collect();
    let text = cut(r, ends.last().map_or(0, |&e| e as usize), "the fields")?;
    let text = std::str::from_utf8(text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let fields = Fields::from_parts(text.to_owned(), ends).ok_or_else(|| bad_data("a field's end"))?;
    Ok(Some(RowSrc {
        table: key.table,
        file: key.file.clone(),
        rel_file: key.rel_file.clone(),
        line,
        header: key.header.clone(),
        fields,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(table: Table, file: &str, line: u64, fields: &[&str]) -> RowSrc {
        RowSrc {
            table,
            file: format!("raw/{file}").into(),
            rel_file: file.into(),
            line,
            header: Arc::from(vec!["article_id".to_string(), "x".to_string()]),
            fields: fields.iter().collect(),
        }
    }

    #[test]
    fn rows_come_back_by_article_range_in_their_original_order() {
        let dir = tempfile::tempdir().unwrap();
        let ids = ["a", "b", "c", "d", "e", "f"];
        for n in [1, 3] {
            let mut p = Partitions::new(&ids, n, &dir.path().join(format!("s{n}"))).unwrap();
            assert_eq!(p.len(), n);
            let input = [
                ("f", row(Table::Events, "events/1.csv", 2, &["f", "1"])),
                ("a", row(Table::Mentions, "mentions.csv", 2, &["a", "ün, \"deux\"\nlignes"])),
                ("a", row(Table::Events, "events/1.csv", 3, &["a", ""])),
                ("zz", row(Table::Events, "events/2.csv", 2, &["zz", "unknown article"])),
                ("a", row(Table::Events, "events/2.csv", 3, &["a", "3"])),
            ];
            for (id, r) in input.iter().cloned() {
                p.push(id, r).unwrap();
            }
            let mut got = Vec::new();
            for k in 0..p.len() {
                let rows = p.take(k).unwrap();
                for r in rows.events.iter().chain(&rows.mentions) {
                    got.push((
                        k,
                        r.rel_file.to_string(),
                        r.line,
                        r.fields.iter().map(str::to_string).collect::<Vec<_>>(),
                    ));
                }
            }
            let key = |id: &str| if n == 1 { 0 } else { p.of(id) };
            let mut expected: Vec<(usize, String, u64, Vec<String>)> = input
                .iter()
                .map(|(id, r)| (key(id), r.rel_file.to_string(), r.line, r.fields.iter().map(str::to_string).collect()))
                .collect();
            // by partition, events before mentions, each in arrival order
            expected.sort_by_key(|e| (e.0, e.1.starts_with("mentions")));
            assert_eq!(got, expected, "{n} partition(s)");
            if n == 3 {
                assert_eq!((p.of("a"), p.of("c"), p.of("e"), p.of("zz")), (0, 1, 2, 2));
            }
        }
    }

    #[test]
    fn a_partition_file_cut_short_is_an_error_not_a_panic() {
        let files = vec![FileKey {
            table: Table::Events,
            file: "raw/events.csv".into(),
            rel_file: "events.csv".into(),
            header: Arc::from(vec!["article_id".to_string(), "x".to_string()]),
        }];
        let mut bytes = Vec::new();
        encode(&mut bytes, 0, &row(Table::Events, "events.csv", 7, &["a", "ün"])).unwrap();
        let mut all = &bytes[..];
        let back = decode(&mut all, &files).unwrap().unwrap();
        assert_eq!((back.line, back.fields.iter().collect::<Vec<_>>()), (7, vec!["a", "ün"]));
        assert!(decode(&mut all, &files).unwrap().is_none(), "nothing after the last row");
        for cut in 1..bytes.len() {
            let mut part = &bytes[..cut];
            let e = decode(&mut part, &files).unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidData, "cut at {cut}");
        }
        // a file number no file has
        let mut bad = Vec::new();
        encode(&mut bad, 3, &row(Table::Events, "events.csv", 7, &["a"])).unwrap();
        assert!(decode(&mut &bad[..], &files).is_err());
    }
}
