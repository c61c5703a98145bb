//! Writing the large tables batch by batch: a Parquet writer that takes
//! Arrow record batches as they come (row groups of bounded size), and, for
//! a table whose sort order spans every batch (events, sorted by date),
//! sorted runs spilled as Arrow IPC files and merged into the writer at the
//! end. Nothing here commits: the files are handed to the publish stage,
//! which checks them and makes them part of a set.

use crate::problem::{Error, Result};
pub mod file;

use crate::catalogue::TableSchema;
use arrow_array::RecordBatch;
use arrow_array::{Array, ArrayRef};
use arrow_row::{Row, RowConverter, Rows, SortField};
use file::{arrow_schema, writer_properties, FileMeta};
use parquet::arrow::ArrowWriter;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per Parquet row group: bounds the writer's buffer.
pub const ROW_GROUP_ROWS: usize = 16 * WRITE_CHUNK_ROWS;
/// Rows per batch of a spilled run, at most: the merge holds one batch of
/// every run at a time.
const RUN_BATCH_ROWS: usize = 4 * 1024;
/// Rows the merge holds at a time over all its runs, about: with many runs,
/// their batches are made smaller (down to [`MIN_RUN_BATCH_ROWS`]).
const MERGE_ROWS: usize = 256 * 1024;
const MIN_RUN_BATCH_ROWS: usize = 256;

/// Rows per batch of each of `runs` runs, so that the merge holds about
/// [`MERGE_ROWS`] rows.
fn run_batch_rows(runs: usize) -> usize {
    (MERGE_ROWS / runs.max(1)).clamp(MIN_RUN_BATCH_ROWS, RUN_BATCH_ROWS)
}
/// Rows per write into the Parquet writer. Where a data page ends depends on
/// where the writes fall, so every file is written in chunks of exactly this
/// many rows (the last one shorter), whatever the batches it was given: the
/// bytes then depend on the rows alone, not on how the work was cut.
pub const WRITE_CHUNK_ROWS: usize = 8 * 1024;

fn parquet_err(path: &Path) -> impl FnOnce(parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::Parquet { path: path.to_path_buf(), source: e.into() }
}

fn arrow_err(path: &Path) -> impl FnOnce(arrow_schema::ArrowError) -> Error + '_ {
    move |e| Error::Parquet { path: path.to_path_buf(), source: e.into() }
}

/// A table being written as one Parquet file.
pub struct TableWriter {
    path: PathBuf,
    schema: arrow_schema::SchemaRef,
    writer: ArrowWriter<BufWriter<File>>,
    rows: usize,
    /// Rows given but not yet written: fewer than a chunk.
    pending: Vec<RecordBatch>,
    pending_rows: usize,
    /// Rows written at a time (whole batches for a small table).
    chunk_rows: usize,
}

/// A finished table file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub rows: usize,
}

impl TableWriter {
    /// A large table's writer: rows written in chunks of [`WRITE_CHUNK_ROWS`],
    /// row groups of [`ROW_GROUP_ROWS`].
    pub fn create(path: &Path, t: &TableSchema, meta: &FileMeta) -> Result<Self> {
        let props = writer_properties(t, meta).into_builder().set_max_row_group_row_count(Some(ROW_GROUP_ROWS)).build();
        Self::with(path, t, meta, props, WRITE_CHUNK_ROWS)
    }

    /// A small table's writer (articles, actors, codes, rejects): each batch
    /// written whole, row groups as large as the Parquet writer makes them.
    pub fn create_small(path: &Path, t: &TableSchema, meta: &FileMeta) -> Result<Self> {
        Self::with(path, t, meta, writer_properties(t, meta), usize::MAX)
    }

    fn with(
        path: &Path,
        t: &TableSchema,
        meta: &FileMeta,
        props: parquet::file::properties::WriterProperties,
        chunk_rows: usize,
    ) -> Result<Self> {
        let f = File::create(path).map_err(|source| Error::Write { path: path.to_path_buf(), source })?;
        let schema = Arc::new(arrow_schema(t, meta));
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(1 << 20, f), schema.clone(), Some(props))
            .map_err(parquet_err(path))?;
        let path = path.to_path_buf();
        Ok(TableWriter { path, schema, writer, rows: 0, pending: Vec::new(), pending_rows: 0, chunk_rows })
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let n = batch.num_rows();
        self.rows += n;
        if self.chunk_rows == usize::MAX {
            return self.writer.write(batch).map_err(parquet_err(&self.path));
        }
        let mut at = 0;
        if self.pending_rows > 0 {
            // complete the pending chunk with the first rows of this batch
            let need = self.chunk_rows - self.pending_rows;
            if n < need {
                self.pending.push(batch.clone());
                self.pending_rows += n;
                return Ok(());
            }
            self.pending.push(batch.slice(0, need));
            let chunk =
                arrow_select::concat::concat_batches(&batch.schema(), &self.pending).map_err(arrow_err(&self.path))?;
            self.pending.clear();
            self.pending_rows = 0;
            self.writer.write(&chunk).map_err(parquet_err(&self.path))?;
            at = need;
        }
        // whole chunks straight from the batch (slices share its buffers)
        while n - at >= self.chunk_rows {
            self.writer.write(&batch.slice(at, self.chunk_rows)).map_err(parquet_err(&self.path))?;
            at += self.chunk_rows;
        }
        if at < n {
            self.pending.push(batch.slice(at, n - at));
            self.pending_rows = n - at;
        }
        Ok(())
    }

    /// Writes the rows still pending (fewer than a chunk), at the end.
    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let schema = self.pending[0].schema();
        let rest = arrow_select::concat::concat_batches(&schema, &self.pending).map_err(arrow_err(&self.path))?;
        self.pending.clear();
        self.pending_rows = 0;
        self.writer.write(&rest).map_err(parquet_err(&self.path))
    }

    /// Closes the file, flushed to disk.
    pub fn close(mut self) -> Result<Written> {
        self.flush()?;
        let path = self.path;
        let inner = self.writer.into_inner().map_err(parquet_err(&path))?;
        let f = inner.into_inner().map_err(|e| Error::Write { path: path.clone(), source: e.into_error() })?;
        f.sync_all().map_err(|source| Error::Write { path: path.clone(), source })?;
        Ok(Written { path, rows: self.rows })
    }
}

/// Batches sorted on their own, spilled as Arrow IPC files, merged in the
/// order of `sort_by` at the end. Sorted Parquet files of the table written
/// elsewhere (the shards of a corpus) merge the same way.
pub struct SortedRuns {
    dir: PathBuf,
    sort_by: Vec<usize>,
    runs: Vec<PathBuf>,
    /// The runs are Parquet files that belong to someone else: read, never
    /// removed.
    external: bool,
    /// The first run, kept in memory until a second one comes: a corpus of
    /// one partition is written without spilling.
    first: Option<RecordBatch>,
    /// Rows per batch of a spilled run.
    batch_rows: usize,
}

impl SortedRuns {
    /// Runs of a table sorted by the columns named in `t.sort_by`.
    pub fn new(dir: &Path, t: &TableSchema) -> Self {
        let sort_by = t
            .sort_by
            .iter()
            .map(|s| t.columns.iter().position(|c| c.name == *s).expect("sort columns are in the schema"))
            .collect();
        SortedRuns {
            dir: dir.to_path_buf(),
            sort_by,
            runs: Vec::new(),
            external: false,
            first: None,
            batch_rows: RUN_BATCH_ROWS,
        }
    }

    /// Runs that will be about `n` (their batches are sized so that the
    /// merge's memory does not grow with their number).
    pub fn expecting(mut self, n: usize) -> Self {
        self.batch_rows = run_batch_rows(n);
        self
    }

    /// Sorted Parquet files of the table, as runs to merge (in the order
    /// given, which decides between equal keys). The files are left in place.
    pub fn of_files(dir: &Path, t: &TableSchema, files: Vec<PathBuf>) -> Self {
        SortedRuns { runs: files, external: true, ..SortedRuns::new(dir, t) }
    }

    /// The files of runs made by [`SortedRuns::of_files`].
    pub fn external_files(self) -> Option<Vec<PathBuf>> {
        self.external.then_some(self.runs)
    }

    /// Adds a batch that is sorted already.
    pub fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if self.runs.is_empty() && self.first.is_none() {
            self.first = Some(batch.clone());
            return Ok(());
        }
        if let Some(first) = self.first.take() {
            self.spill(&first)?;
        }
        self.spill(batch)
    }

    fn spill(&mut self, batch: &RecordBatch) -> Result<()> {
        let path = self.dir.join(format!("run-{:05}.arrow", self.runs.len()));
        let f = File::create(&path).map_err(|source| Error::Write { path: path.clone(), source })?;
        let mut w = arrow_ipc::writer::FileWriter::try_new(BufWriter::with_capacity(1 << 20, f), &batch.schema())
            .map_err(arrow_err(&path))?;
        for start in (0..batch.num_rows()).step_by(self.batch_rows) {
            let len = self.batch_rows.min(batch.num_rows() - start);
            w.write(&batch.slice(start, len)).map_err(arrow_err(&path))?;
        }
        w.finish().map_err(arrow_err(&path))?;
        self.runs.push(path);
        Ok(())
    }

    /// Merges every run into `out`, in sort order; equal keys keep the order
    /// of their runs. Runs are removed as they are read. The merge and the
    /// encoding of what it merged run on two threads.
    pub fn merge_into(self, out: &mut TableWriter) -> Result<()> {
        if let Some(only) = &self.first {
            return out.write(only);
        }
        let (schema, path) = (out.schema.clone(), out.path.clone());
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(2);
            let writer = scope.spawn(move || -> Result<()> {
                for b in rx {
                    out.write(&b)?;
                }
                Ok(())
            });
            // a send fails only when the writer stopped on an error, which
            // is the one reported
            let merged = self.merge_batches(&schema, &path, |b| tx.send(b).is_ok());
            drop(tx);
            let written = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            written.and(merged)
        })?;
        if !self.external {
            for p in &self.runs {
                let _ = std::fs::remove_file(p);
            }
        }
        Ok(())
    }

    /// The merged rows, batch by batch, handed to `send` until it returns
    /// false.
    fn merge_batches(
        &self,
        schema: &arrow_schema::SchemaRef,
        out_path: &Path,
        mut send: impl FnMut(RecordBatch) -> bool,
    ) -> Result<()> {
        let mut cursors = Vec::new();
        let mut converter: Option<RowConverter> = None;
        for path in &self.runs {
            let f = File::open(path).map_err(|source| Error::Read { path: path.clone(), source })?;
            let (reader, schema): (Batches, _) = if self.external {
                let b = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
                    .map_err(parquet_err(path))?
                    .with_batch_size(run_batch_rows(self.runs.len()));
                let schema = b.schema().clone();
                (Box::new(b.build().map_err(parquet_err(path))?), schema)
            } else {
                let r = arrow_ipc::reader::FileReader::try_new(std::io::BufReader::new(f), None)
                    .map_err(arrow_err(path))?;
                let schema = r.schema();
                (Box::new(r), schema)
            };
            if converter.is_none() {
                let fields =
                    self.sort_by.iter().map(|&i| SortField::new(schema.field(i).data_type().clone())).collect();
                converter = Some(RowConverter::new(fields).map_err(arrow_err(path))?);
            }
            let mut c = Cursor { path: path.clone(), reader, batch: None, rows: None, at: 0 };
            c.advance(converter.as_ref().expect("set for the first run"), &self.sort_by)?;
            cursors.push(c);
        }
        let Some(converter) = converter else { return Ok(()) };
        let mut heap = Heap::default();
        for i in 0..cursors.len() {
            if cursors[i].key().is_some() {
                heap.push(&cursors, i);
            }
        }
        // rows taken for the next output batch: (cursor, row in its batch)
        let mut taken: Vec<(usize, usize)> = Vec::with_capacity(WRITE_CHUNK_ROWS);
        while let Some(i) = heap.pop(&cursors) {
            taken.push((i, cursors[i].at));
            cursors[i].at += 1;
            let exhausted = cursors[i].at >= cursors[i].batch.as_ref().map_or(0, |b| b.num_rows());
            if (exhausted || taken.len() >= WRITE_CHUNK_ROWS) && !send(emit(&cursors, &mut taken, schema, out_path)?) {
                return Ok(());
            }
            if exhausted {
                cursors[i].advance(&converter, &self.sort_by)?;
            }
            if cursors[i].key().is_some() {
                heap.push(&cursors, i);
            }
        }
        if !taken.is_empty() {
            send(emit(&cursors, &mut taken, schema, out_path)?);
        }
        Ok(())
    }
}

/// The batches of a run, read in order.
type Batches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>> + Send>;

struct Cursor {
    path: PathBuf,
    reader: Batches,
    batch: Option<RecordBatch>,
    rows: Option<Rows>,
    at: usize,
}

impl Cursor {
    fn load(&mut self, b: RecordBatch, conv: &RowConverter, sort_by: &[usize]) -> Result<()> {
        let cols: Vec<ArrayRef> = sort_by.iter().map(|&i| b.column(i).clone()).collect();
        self.rows = Some(conv.convert_columns(&cols).map_err(arrow_err(&self.path))?);
        self.batch = Some(b);
        self.at = 0;
        Ok(())
    }

    fn advance(&mut self, conv: &RowConverter, sort_by: &[usize]) -> Result<()> {
        loop {
            match self.reader.next() {
                Some(b) => {
                    let b = b.map_err(arrow_err(&self.path))?;
                    if b.num_rows() > 0 {
                        return self.load(b, conv, sort_by);
                    }
                }
                None => {
                    self.batch = None;
                    self.rows = None;
                    return Ok(());
                }
            }
        }
    }

    /// The sort key of the cursor's next row, where it stands in its rows.
    fn key(&self) -> Option<Row<'_>> {
        let b = self.batch.as_ref()?;
        (self.at < b.num_rows()).then(|| self.rows.as_ref().expect("rows go with their batch").row(self.at))
    }
}

/// The cursors with rows left, as a binary min-heap of their indices ordered
/// by (next row's key, index): the smallest key first and, of equal keys, the
/// earlier run. Keys are compared where they stand in each cursor's rows,
/// never copied (a key copied per row was an allocation per merged row).
#[derive(Default)]
struct Heap {
    at: Vec<usize>,
}

impl Heap {
    fn less(cursors: &[Cursor], a: usize, b: usize) -> bool {
        (cursors[a].key(), a) < (cursors[b].key(), b)
    }

    fn push(&mut self, cursors: &[Cursor], i: usize) {
        self.at.push(i);
        let mut k = self.at.len() - 1;
        while k > 0 {
            let parent = (k - 1) / 2;
            if !Self::less(cursors, self.at[k], self.at[parent]) {
                break;
            }
            self.at.swap(k, parent);
            k = parent;
        }
    }

    fn pop(&mut self, cursors: &[Cursor]) -> Option<usize> {
        let top = *self.at.first()?;
        let last = self.at.pop().expect("not empty");
        if self.at.is_empty() {
            return Some(top);
        }
        self.at[0] = last;
        let mut k = 0;
        loop {
            let (l, r) = (2 * k + 1, 2 * k + 2);
            let mut least = k;
            if l < self.at.len() && Self::less(cursors, self.at[l], self.at[least]) {
                least = l;
            }
            if r < self.at.len() && Self::less(cursors, self.at[r], self.at[least]) {
                least = r;
            }
            if least == k {
                return Some(top);
            }
            self.at.swap(k, least);
            k = least;
        }
    }
}

/// The rows taken so far (all from the cursors' current batches, at least
/// one), as a batch of the writer's `schema` (runs read back from Parquet
/// carry their own metadata; the columns are the same).
fn emit(
    cursors: &[Cursor],
    taken: &mut Vec<(usize, usize)>,
    schema: &arrow_schema::SchemaRef,
    out_path: &Path,
) -> Result<RecordBatch> {
    let first = cursors[taken[0].0].batch.as_ref().expect("a taken row has its batch");
    let schema = schema.clone();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for c in 0..schema.fields().len() {
        let sources: Vec<&dyn Array> = cursors
            .iter()
            .map(|cur| cur.batch.as_ref().map_or(first.column(c).as_ref(), |b| b.column(c).as_ref()))
            .collect();
        columns.push(arrow_select::interleave::interleave(&sources, taken).map_err(arrow_err(out_path))?);
    }
    let batch = RecordBatch::try_new(schema, columns).map_err(arrow_err(out_path))?;
    taken.clear();
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{Column as Col, Kind};
    use arrow_array::{Int64Array, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    static T: TableSchema = TableSchema {
        checks: &[],
        name: "things",
        description: "test table",
        key: &["k", "n"],
        sort_by: &["k", "n"],
        columns: &[
            Col {
                name: "k",
                kind: Kind::Str,
                nullable: true,
                dictionary: false,
                bloom: false,
                free_text: false,
                description: "k",
            },
            Col {
                name: "n",
                kind: Kind::Int64,
                nullable: false,
                dictionary: false,
                bloom: false,
                free_text: false,
                description: "n",
            },
        ],
    };

    fn meta() -> FileMeta {
        FileMeta { run_id: "r".into(), program_version: "test".into() }
    }

    fn batch(rows: &[(Option<&str>, i64)]) -> RecordBatch {
        RecordBatch::try_new(
            Arc::new(arrow_schema(&T, &meta())),
            vec![
                Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())),
                Arc::new(Int64Array::from(rows.iter().map(|r| r.1).collect::<Vec<_>>())),
            ],
        )
        .unwrap()
    }

    fn read(path: &Path) -> Vec<(Option<String>, i64)> {
        let r = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap()).unwrap().build().unwrap();
        let mut out = Vec::new();
        for b in r {
            let b = b.unwrap();
            let k = b.column(0).as_any().downcast_ref::<StringArray>().unwrap();
            let n = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
            for i in 0..b.num_rows() {
                out.push((k.is_valid(i).then(|| k.value(i).to_string()), n.value(i)));
            }
        }
        out
    }

    #[test]
    fn the_bytes_depend_on_the_rows_not_on_the_batches_they_came_in() {
        let dir = tempfile::tempdir().unwrap();
        let words = ["alpha", "beta", "gamma", "delta"];
        let all: Vec<(Option<String>, i64)> =
            (0..40_000i64).map(|i| (Some(format!("{}{}", words[(i % 4) as usize], i * 7919 % 1000)), i)).collect();
        let write = |name: &str, cuts: &[usize]| {
            let path = dir.path().join(name);
            let mut w = TableWriter::create(&path, &T, &meta()).unwrap();
            let mut at = 0;
            for &end in cuts.iter().chain(std::iter::once(&all.len())) {
                let rows: Vec<(Option<&str>, i64)> = all[at..end].iter().map(|(k, n)| (k.as_deref(), *n)).collect();
                w.write(&batch(&rows)).unwrap();
                at = end;
            }
            assert_eq!(w.close().unwrap().rows, all.len());
            std::fs::read(&path).unwrap()
        };
        let one = write("one.parquet", &[]);
        assert_eq!(one, write("many.parquet", &[1, 999, 1000, 8191, 8193, 20_000, 39_999]));
        assert_eq!(one, write("even.parquet", &(1..40).map(|k| k * 1000).collect::<Vec<_>>()));
    }

    #[test]
    fn a_single_run_is_written_without_spilling() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = SortedRuns::new(dir.path(), &T);
        runs.add(&batch(&[(None, 1), (Some("a"), 2)])).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing spilled");
        let path = dir.path().join("out.parquet");
        let mut w = TableWriter::create(&path, &T, &meta()).unwrap();
        runs.merge_into(&mut w).unwrap();
        assert_eq!(w.close().unwrap().rows, 2);
        assert_eq!(read(&path), vec![(None, 1), (Some("a".to_string()), 2)]);
    }

    #[test]
    fn sorted_runs_merge_into_one_sorted_file_nulls_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut runs = SortedRuns::new(dir.path(), &T);
        // three sorted runs, one of them large enough to span merge batches
        let big: Vec<(Option<&str>, i64)> = (0..70_000).map(|i| (Some("m"), i * 2)).collect();
        runs.add(&batch(&big)).unwrap();
        runs.add(&batch(&[(None, 5), (Some("a"), 1), (Some("m"), 3), (Some("z"), 0)])).unwrap();
        runs.add(&batch(&[])).unwrap();
        runs.add(&batch(&[(Some("b"), 0), (Some("m"), 1), (Some("m"), 140_001)])).unwrap();
        let path = dir.path().join("out.parquet");
        let mut w = TableWriter::create(&path, &T, &meta()).unwrap();
        runs.merge_into(&mut w).unwrap();
        let written = w.close().unwrap();
        assert_eq!(written.rows, 70_007);
        let got = read(&path);
        let mut expected: Vec<(Option<String>, i64)> = big
            .iter()
            .chain(&[(None, 5), (Some("a"), 1), (Some("m"), 3), (Some("z"), 0)])
            .chain(&[(Some("b"), 0), (Some("m"), 1), (Some("m"), 140_001)])
            .map(|(k, n)| (k.map(str::to_string), *n))
            .collect();
        expected.sort();
        assert_eq!(got, expected);
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("out.parquet")], "runs are removed once merged");
    }

    #[test]
    fn of_equal_keys_the_earlier_run_comes_first_whatever_the_number_of_runs() {
        // sorted by k alone: n numbers the rows in the order of their runs
        static BY_K: TableSchema = TableSchema { sort_by: &["k"], key: &["n"], ..T };
        let dir = tempfile::tempdir().unwrap();
        let mut runs = SortedRuns::new(dir.path(), &BY_K);
        let mut all: Vec<(Option<String>, i64)> = Vec::new();
        let mut seed = 7u64;
        for run in 0..13 {
            let mut rows: Vec<(Option<String>, i64)> = (0..(run * 37 % 50 + 1))
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let k = (seed >> 33) % 6;
                    ((k > 0).then(|| format!("k{k}")), 0)
                })
                .collect();
            rows.sort();
            for r in &mut rows {
                r.1 = all.len() as i64;
                all.push(r.clone());
            }
            let rows: Vec<(Option<&str>, i64)> = rows.iter().map(|(k, n)| (k.as_deref(), *n)).collect();
            runs.add(&batch(&rows)).unwrap();
        }
        let path = dir.path().join("out.parquet");
        let mut w = TableWriter::create(&path, &BY_K, &meta()).unwrap();
        runs.merge_into(&mut w).unwrap();
        w.close().unwrap();
        // a stable sort by k keeps the runs' order between equal keys
        all.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(read(&path), all);
    }
}
