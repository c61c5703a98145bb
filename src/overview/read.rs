//! Reading columns of the published Parquet tables with arrow-rs, batch by
//! batch, so that the page of a large set is built in bounded memory.

use crate::problem::{Error, Result};
use arrow::array::{Array, BooleanArray, Date32Array, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::path::Path;

fn parquet_err(path: &Path) -> impl Fn(String) -> Error + '_ {
    move |message| Error::Parquet { path: path.to_path_buf(), message }
}

/// Calls `f` with every batch of `columns` of the Parquet file at `path`.
pub fn each_batch(path: &Path, columns: &[&str], mut f: impl FnMut(&Batch) -> Result<()>) -> Result<()> {
    let err = parquet_err(path);
    let file = std::fs::File::open(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| err(e.to_string()))?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), columns.iter().copied());
    let reader = builder.with_projection(mask).with_batch_size(32 * 1024).build().map_err(|e| err(e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| err(e.to_string()))?;
        for c in columns {
            if batch.column_by_name(c).is_none() {
                return Err(err(format!("no column {c}")));
            }
        }
        f(&Batch { batch, path })?;
    }
    Ok(())
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
            message: format!("column {name} has another type"),
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
