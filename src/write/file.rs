//! Writing a table as Parquet with arrow-rs (which, unlike polars' writer,
//! records the sort order, per-column descriptions, bloom filters and
//! key-value metadata), and reading it back independently to check it.

use crate::catalogue::{Kind, TableSchema, SCHEMA_VERSION};
use crate::problem::TableFileError::{self, Shape};
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::RecordBatch;
use arrow_array::{ArrayRef, BooleanArray, PrimitiveArray, StringArray};
use arrow_schema::{DataType as ArrowType, Field, Schema};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ParquetRecordBatchReaderBuilder};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{KeyValue, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;
use polars::prelude::{DataFrame, DataType as PlType};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Key-value metadata written into every file.
#[derive(Debug, Clone)]
pub struct FileMeta {
    pub run_id: String,
    pub program_version: String,
}

fn arrow_type(k: Kind) -> ArrowType {
    match k {
        Kind::Str => ArrowType::Utf8,
        Kind::Int32 => ArrowType::Int32,
        Kind::Int64 => ArrowType::Int64,
        Kind::Float64 => ArrowType::Float64,
        Kind::Bool => ArrowType::Boolean,
        Kind::Date => ArrowType::Date32,
        Kind::ListStr => ArrowType::List(Arc::new(Field::new("item", ArrowType::Utf8, true))),
    }
}

/// The Arrow schema of a table, with a description on every field.
pub fn arrow_schema(t: &TableSchema, meta: &FileMeta) -> Schema {
    let fields: Vec<Field> = t
        .columns
        .iter()
        .map(|c| {
            Field::new(c.name, arrow_type(c.kind), c.nullable)
                .with_metadata(HashMap::from([("description".to_string(), c.description.to_string())]))
        })
        .collect();
    Schema::new(fields).with_metadata(kv_pairs(t, meta).into_iter().collect::<HashMap<String, String>>())
}

fn kv_pairs(t: &TableSchema, meta: &FileMeta) -> Vec<(String, String)> {
    let descriptions: serde_json::Map<String, serde_json::Value> =
        t.columns.iter().map(|c| (c.name.to_string(), serde_json::Value::String(c.description.to_string()))).collect();
    vec![
        ("dyadflow.table".into(), t.name.into()),
        ("dyadflow.table_description".into(), t.description.into()),
        ("dyadflow.schema_version".into(), SCHEMA_VERSION.into()),
        ("dyadflow.run_id".into(), meta.run_id.clone()),
        ("dyadflow.program_version".into(), meta.program_version.clone()),
        ("dyadflow.sorted_by".into(), t.sort_by.join(",")),
        ("dyadflow.column_descriptions".into(), serde_json::Value::Object(descriptions).to_string()),
    ]
}

/// A polars numeric column as an Arrow array: its values copied whole when
/// it has no nulls.
macro_rules! primitive_array {
    ($arrow:ty, $ca:expr) => {{
        match $ca {
            ca => {
                if ca.null_count() == 0 {
                    let mut values = Vec::with_capacity(ca.len());
                    for a in ca.downcast_iter() {
                        values.extend_from_slice(a.values());
                    }
                    PrimitiveArray::<$arrow>::new(values.into(), None)
                } else {
                    PrimitiveArray::<$arrow>::from_iter(ca.iter())
                }
            }
        }
    }};
}

fn column_array(df: &DataFrame, name: &str, kind: Kind) -> Result<ArrayRef, TableFileError> {
    let col = df.column(name).map_err(|_| Shape(format!("column `{name}` is missing from the frame")))?;
    let s = col.as_materialized_series();
    let err = |e: polars::error::PolarsError| Shape(format!("column `{name}`: {e}"));
    let cast = |t: PlType| s.cast(&t).map_err(err);
    Ok(match kind {
        Kind::Str => Arc::new(string_array(cast(PlType::String)?.str().map_err(err)?)),
        Kind::Int32 => Arc::new(primitive_array!(Int32Type, cast(PlType::Int32)?.i32().map_err(err)?)),
        Kind::Int64 => Arc::new(primitive_array!(Int64Type, cast(PlType::Int64)?.i64().map_err(err)?)),
        Kind::Float64 => Arc::new(primitive_array!(Float64Type, cast(PlType::Float64)?.f64().map_err(err)?)),
        Kind::Bool => Arc::new(BooleanArray::from_iter(s.bool().map_err(err)?.iter())),
        Kind::Date => {
            if s.dtype() != &PlType::Date {
                return Err(Shape(format!("column `{name}` is {} where a date is expected", s.dtype())));
            }
            Arc::new(primitive_array!(Date32Type, cast(PlType::Int32)?.i32().map_err(err)?))
        }
        Kind::ListStr => {
            let mut b = ListBuilder::new(StringBuilder::new());
            let list = s.list().map_err(err)?;
            for i in 0..list.len() {
                match list.get_as_series(i) {
                    Some(inner) => {
                        for v in inner.str().map_err(err)?.iter() {
                            b.values().append_option(v);
                        }
                        b.append(true);
                    }
                    None => b.append(false),
                }
            }
            Arc::new(b.finish())
        }
    })
}

/// A polars string column as an Arrow string array, its buffers sized once.
fn string_array(ca: &polars::prelude::StringChunked) -> StringArray {
    let bytes: usize = ca.downcast_iter().map(|a| a.total_bytes_len()).sum();
    let mut b = StringBuilder::with_capacity(ca.len(), bytes);
    if ca.null_count() == 0 {
        for a in ca.downcast_iter() {
            for v in a.values_iter() {
                b.append_value(v);
            }
        }
    } else {
        for v in ca.iter() {
            b.append_option(v);
        }
    }
    b.finish()
}

/// Converts a polars frame into an Arrow record batch of the table's schema
/// (columns in schema order; extra frame columns are not published).
pub fn to_batch(df: &DataFrame, t: &TableSchema, meta: &FileMeta) -> Result<RecordBatch, TableFileError> {
    let schema = Arc::new(arrow_schema(t, meta));
    let arrays = t.columns.iter().map(|c| column_array(df, c.name, c.kind)).collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema, arrays).map_err(|e| Shape(format!("table {}: {e}", t.name)))
}

pub fn writer_properties(t: &TableSchema, meta: &FileMeta) -> WriterProperties {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("zstd level 1 is valid")))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_created_by(format!("dyadflow {}", meta.program_version))
        .set_dictionary_enabled(false)
        .set_key_value_metadata(Some(kv_pairs(t, meta).into_iter().map(|(k, v)| KeyValue::new(k, v)).collect()))
        .set_sorting_columns(Some(
            t.sort_by
                .iter()
                .map(|s| SortingColumn {
                    column_idx: t.columns.iter().position(|c| c.name == *s).expect("sort columns exist") as i32,
                    descending: false,
                    nulls_first: true,
                })
                .collect(),
        ));
    for c in t.columns {
        let path = ColumnPath::from(c.name);
        if c.dictionary {
            b = b.set_column_dictionary_enabled(path.clone(), true);
        }
        if c.free_text {
            b = b.set_column_statistics_enabled(path.clone(), EnabledStatistics::None);
        }
        if c.bloom {
            b = b.set_column_bloom_filter_enabled(path, true);
        }
    }
    b.build()
}

/// What a read-back found.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadBack {
    pub rows: usize,
    pub run_id: Option<String>,
}

/// Opens a written file with the Parquet reader and checks its schema (names,
/// types, nullability) and metadata, then reads every page; returns its row
/// count.
pub fn read_back(path: &Path, t: &TableSchema) -> Result<ReadBack, TableFileError> {
    let file = std::fs::File::open(path)?;
    let loaded = ArrowReaderMetadata::load(&file, Default::default())?;
    let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, loaded.clone());
    let schema = builder.schema().clone();
    if schema.fields().len() != t.columns.len() {
        return Err(Shape(format!("{} columns, expected {}", schema.fields().len(), t.columns.len())));
    }
    for (f, c) in schema.fields().iter().zip(t.columns) {
        if f.name() != c.name || f.data_type() != &arrow_type(c.kind) || f.is_nullable() != c.nullable {
            return Err(Shape(format!(
                "column {} is {:?}, expected {} {:?}",
                f.name(),
                f.data_type(),
                c.name,
                arrow_type(c.kind)
            )));
        }
    }
    let kv = builder.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    let get = |k: &str| kv.iter().find(|x| x.key == k).and_then(|x| x.value.clone());
    if get("dyadflow.table").as_deref() != Some(t.name)
        || get("dyadflow.schema_version").as_deref() != Some(SCHEMA_VERSION)
    {
        return Err(Shape("dyadflow metadata missing or for another table".into()));
    }
    let declared: i64 = builder.metadata().file_metadata().num_rows();
    // every page of every column read and decompressed (not decoded into
    // arrays where the values' count is the rows' count: flat columns), the
    // row groups split between a thread per core; each column chunk must
    // hold its row group's rows
    let metadata = builder.metadata().clone();
    let nested = metadata.file_metadata().schema_descr().columns().iter().any(|c| c.max_rep_level() > 0);
    let groups: Vec<usize> = (0..metadata.num_row_groups()).collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = std::thread::scope(|scope| {
        let reads: Vec<_> = groups
            .chunks(groups.len().div_ceil(threads).max(1))
            .map(|chunk| {
                let loaded = loaded.clone();
                scope.spawn(move || -> Result<usize, TableFileError> {
                    if nested {
                        return decoded_rows(path, loaded, chunk);
                    }
                    let file = Arc::new(std::fs::File::open(path)?);
                    let mut rows = 0;
                    for &g in chunk {
                        rows += row_group_rows(&file, loaded.metadata().row_group(g))?;
                    }
                    Ok(rows)
                })
            })
            .collect();
        reads
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .sum::<Result<usize, TableFileError>>()
    })?;
    if rows as i64 != declared {
        return Err(Shape(format!("footer says {declared} rows, pages hold {rows}")));
    }
    Ok(ReadBack { rows, run_id: get("dyadflow.run_id") })
}

/// The rows of the row groups `groups`, decoded into arrays (for a table with
/// a list column, whose values are not its rows).
fn decoded_rows(path: &Path, loaded: ArrowReaderMetadata, groups: &[usize]) -> Result<usize, TableFileError> {
    let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(std::fs::File::open(path)?, loaded)
        .with_row_groups(groups.to_vec())
        .with_batch_size(8 * 1024)
        .build()?;
    let mut rows = 0;
    for batch in reader {
        rows += batch?.num_rows();
    }
    Ok(rows)
}

/// The rows of one row group of a flat table, read page by page: every page of every column
/// chunk read and decompressed, and each chunk's values counted (one value per
/// row: the tables are flat); a chunk that does not hold the row group's rows
/// is an error.
fn row_group_rows(
    file: &Arc<std::fs::File>,
    group: &parquet::file::metadata::RowGroupMetaData,
) -> Result<usize, TableFileError> {
    use parquet::column::page::{Page, PageReader};
    use parquet::file::serialized_reader::SerializedPageReader;
    let expected = group.num_rows() as usize;
    for column in group.columns() {
        let mut pages = SerializedPageReader::new(file.clone(), column, expected, None)?;
        let mut values = 0usize;
        while let Some(page) = pages.get_next_page()? {
            values += match page {
                Page::DataPage { num_values, .. } => num_values as usize,
                Page::DataPageV2 { num_rows, .. } => num_rows as usize,
                Page::DictionaryPage { .. } => 0,
            };
        }
        if values != expected {
            return Err(Shape(format!(
                "column {} holds {values} values in a row group of {expected} rows",
                column.column_path()
            )));
        }
    }
    Ok(expected)
}
