//! Reading columns of the published Parquet tables with arrow-rs, batch by
//! batch, so that the page of a large set is built in bounded memory.

use crate::problem::{Error, Result, TableFileError};
use arrow_array::{Array, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::path::Path;

fn parquet_err(path: &Path) -> impl Fn(TableFileError) -> Error + '_ {
    move |source| Error::Parquet { path: path.to_path_buf(), source }
}

/// Calls `f` with every batch of `columns` of the Parquet file at `path`.
pub fn each_batch(path: &Path, columns: &[&str], mut f: impl FnMut(&Batch) -> Result<()>) -> Result<()> {
    let err = parquet_err(path);
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(e.into()))?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
    let reader = builder.with_projection(mask).with_batch_size(32 * 1024).build().map_err(|e| err(e.into()))?;
    decoded_aside(reader, path, |batch| {
        for c in columns {
            if batch.column_by_name(c).is_none() {
                return Err(err(TableFileError::Shape(format!("no column {c}"))));
            }
        }
        f(&Batch { batch, path })
    })
}

/// Calls `f` with every batch of `reader`, decoded on another thread while
/// `f` works on the batch before (the page's passes are as much decoding as
/// adding up).
fn decoded_aside(
    reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
    path: &Path,
    mut f: impl FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let err = parquet_err(path);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            for batch in reader {
                let failed = batch.is_err();
                // the receiver is gone when `f` stopped on an error
                if tx.send(batch).is_err() || failed {
                    break;
                }
            }
        });
        for batch in rx {
            f(batch.map_err(|e| err(e.into()))?)?;
        }
        Ok(())
    })
}

/// Calls `f` with the batches of `columns` holding only the rows numbered
/// `rows` (from 0, ascending, no repeats), in that order; pages without any of
/// them are skipped where the file has a page index.
pub fn each_selected(
    path: &Path,
    columns: &[&str],
    rows: &[u64],
    mut f: impl FnMut(&Batch) -> Result<()>,
) -> Result<()> {
    use parquet::arrow::arrow_reader::{ArrowReaderOptions, RowSelection, RowSelector};
    use parquet::file::metadata::PageIndexPolicy;
    let err = parquet_err(path);
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options).map_err(|e| err(e.into()))?;
    let total = builder.metadata().file_metadata().num_rows() as u64;
    let mut selectors = Vec::new();
    let mut at = 0u64;
    for &r in rows {
        if r < at || r >= total {
            return Err(err(TableFileError::Shape(format!("row {r} is not in the file or not in order"))));
        }
        if r > at {
            selectors.push(RowSelector::skip((r - at) as usize));
        }
        // consecutive rows make one selector
        match selectors.last_mut() {
            Some(last) if !last.skip && r == at && at > 0 => last.row_count += 1,
            _ => selectors.push(RowSelector::select(1)),
        }
        at = r + 1;
    }
    if total > at {
        selectors.push(RowSelector::skip((total - at) as usize));
    }
    let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_row_selection(RowSelection::from(selectors))
        .with_batch_size(4096)
        .build()
        .map_err(|e| err(e.into()))?;
    decoded_aside(reader, path, |batch| f(&Batch { batch, path }))
}

/// A batch of named columns, with typed access.
pub struct Batch<'a> {
    batch: RecordBatch,
    path: &'a Path,
}

impl Batch<'_> {
    pub fn rows(&self) -> usize {
        self.batch.num_rows()
    }

    fn col<T: 'static>(&self, name: &str) -> Result<&T> {
        self.batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<T>()).ok_or_else(|| Error::Parquet {
            path: self.path.to_path_buf(),
            source: TableFileError::Shape(format!("column {name} has another type")),
        })
    }

    pub fn str(&self, name: &str) -> Result<&StringArray> {
        self.col(name)
    }
    pub fn i64(&self, name: &str) -> Result<&Int64Array> {
        self.col(name)
    }
    pub fn i32(&self, name: &str) -> Result<&Int32Array> {
        self.col(name)
    }
    pub fn f64(&self, name: &str) -> Result<&Float64Array> {
        self.col(name)
    }
    pub fn bool(&self, name: &str) -> Result<&BooleanArray> {
        self.col(name)
    }
    pub fn date(&self, name: &str) -> Result<&Date32Array> {
        self.col(name)
    }
}

/// The value of a nullable string column, None when null.
pub fn opt(a: &StringArray, i: usize) -> Option<&str> {
    (!a.is_null(i)).then(|| a.value(i))
}
