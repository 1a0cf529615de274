//! The transform of one chunk: decode raw rows (NDJSON, CSV or Parquet) into Arrow
//! columns, apply the bound mapping, apply the error policy, encode Parquet.
//!
//! NDJSON of flat objects is scanned straight into the columns the mapping reads,
//! the ones it casts already in their types (`flat_json`). Other NDJSON goes to
//! Arrow's JSON decoder (string columns), and only a chunk that one rejects (a bad
//! line) takes the slow path, line by line, which names the bad lines.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{ArrayRef, RecordBatch, StringBuilder};
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::json::ReaderBuilder as JsonReader;
use datafusion::common::hash_utils::{RandomState, create_hashes};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::arrow_writer::compute_leaves;
use datafusion::parquet::basic::{Compression, Encoding};
use datafusion::parquet::column::writer::ColumnCloseResult;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;
use datafusion::parquet::file::properties::{
    EnabledStatistics, WriterProperties, WriterPropertiesBuilder,
};
use datafusion::parquet::file::statistics::Statistics;
use datafusion::parquet::file::writer::SerializedFileWriter;
use datafusion::parquet::schema::types::ColumnPath;
use datafusion::parquet::schema::types::SchemaDescPtr;
use serde_json::Value;
use sluice_domain::entities::{ErrorPolicy, Mapping, ValueMaps};
use sluice_domain::error::{DomainError, Field as FieldPath};
use sluice_domain::pipeline::ChunkFormat;

use crate::mapping::{BoundPlan, MappingPlan, RowIssue, SourceRead};

fn bad(e: impl std::fmt::Display) -> DomainError {
    DomainError::invalid("chunk", e.to_string())
}

/// Raw rows decoded into columns.
pub struct Decoded {
    pub batch: RecordBatch,
    /// Chunk row number (from 1) of each batch row, when some rows were dropped.
    pub row_numbers: Option<Vec<u64>>,
    /// Rows that could not be decoded at all (row number from 1, reason).
    pub rejected: Vec<(u64, String)>,
}

impl Decoded {
    fn row_number(&self, batch_row: usize) -> u64 {
        match &self.row_numbers {
            Some(n) => n[batch_row],
            None => batch_row as u64 + 1,
        }
    }
}

/// Decodes a raw chunk, reading `columns` (all of them when `None`).
pub fn decode(
    format: ChunkFormat,
    bytes: &[u8],
    columns: Option<&[String]>,
) -> Result<Decoded, DomainError> {
    match format {
        ChunkFormat::Ndjson => decode_ndjson(bytes, columns),
        ChunkFormat::Csv { delimiter } => decode_csv(bytes, delimiter, columns),
        ChunkFormat::Parquet => {
            let reader =
                ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(bytes))
                    .map_err(bad)?
                    .with_batch_size(65_536)
                    .build()
                    .map_err(bad)?;
            let schema = datafusion::arrow::record_batch::RecordBatchReader::schema(&reader);
            let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(bad)?;
            Ok(Decoded {
                batch: concat_batches(&schema, &batches).map_err(bad)?,
                row_numbers: None,
                rejected: vec![],
            })
        }
        ChunkFormat::ArrowIpc => {
            let reader = datafusion::arrow::ipc::reader::StreamReader::try_new(
                std::io::Cursor::new(bytes),
                None,
            )
            .map_err(bad)?;
            let schema = reader.schema();
            let batches: Vec<RecordBatch> = reader.collect::<Result<_, _>>().map_err(bad)?;
            let batch = match batches.len() {
                1 => batches
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| RecordBatch::new_empty(schema.clone())),
                _ => concat_batches(&schema, &batches).map_err(bad)?,
            };
            Ok(Decoded {
                batch,
                row_numbers: None,
                rejected: vec![],
            })
        }
    }
}

fn utf8_schema(columns: &[String]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| Field::new(c, DataType::Utf8, true))
            .collect::<Vec<_>>(),
    ))
}

/// Column names in order of first appearance (for pass-through mappings).
fn ndjson_columns(bytes: &[u8]) -> Vec<String> {
    let mut seen: Vec<String> = vec![];
    for line in bytes.split(|&b| b == b'\n') {
        if let Ok(m) = serde_json::from_slice::<serde_json::Map<String, Value>>(line) {
            for k in m.keys() {
                if !seen.contains(k) {
                    seen.push(k.clone());
                }
            }
        }
    }
    seen
}

fn decode_ndjson(bytes: &[u8], columns: Option<&[String]>) -> Result<Decoded, DomainError> {
    let columns: Vec<String> = match columns {
        Some(c) => c.to_vec(),
        None => ndjson_columns(bytes),
    };
    let reads: Vec<(&str, SourceRead)> = columns
        .iter()
        .map(|c| (c.as_str(), SourceRead::Text))
        .collect();
    if let Some(batch) = crate::flat_json::decode(bytes, &reads) {
        return Ok(Decoded {
            batch,
            row_numbers: None,
            rejected: vec![],
        });
    }
    decode_ndjson_generally(bytes, &columns)
}

/// Arrow's JSON decoder (string columns), or line by line when it refuses.
fn decode_ndjson_generally(bytes: &[u8], columns: &[String]) -> Result<Decoded, DomainError> {
    let schema = utf8_schema(columns);
    let lines = bytes.iter().filter(|&&b| b == b'\n').count()
        + usize::from(!bytes.ends_with(b"\n") && !bytes.is_empty());
    let fast = (|| {
        let mut decoder = JsonReader::new(schema.clone())
            .with_coerce_primitive(true)
            .with_batch_size(lines.max(1))
            .build_decoder()?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let used = decoder.decode(rest)?;
            if used == 0 {
                break;
            }
            rest = &rest[used..];
        }
        decoder.flush()
    })();
    match fast {
        Ok(Some(batch)) if batch.num_rows() == lines => Ok(Decoded {
            batch,
            row_numbers: None,
            rejected: vec![],
        }),
        Ok(None) if lines == 0 => Ok(Decoded {
            batch: RecordBatch::new_empty(schema),
            row_numbers: None,
            rejected: vec![],
        }),
        _ => decode_ndjson_slowly(bytes, columns, schema),
    }
}

/// Line by line: names each bad line, keeps nested values as JSON text.
fn decode_ndjson_slowly(
    bytes: &[u8],
    columns: &[String],
    schema: SchemaRef,
) -> Result<Decoded, DomainError> {
    let mut builders: Vec<StringBuilder> = columns.iter().map(|_| StringBuilder::new()).collect();
    let mut row_numbers = vec![];
    let mut rejected = vec![];
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let row = i as u64 + 1;
        match serde_json::from_slice::<serde_json::Map<String, Value>>(line) {
            Ok(obj) => {
                for (b, c) in builders.iter_mut().zip(columns) {
                    match obj.get(c) {
                        None | Some(Value::Null) => b.append_null(),
                        Some(Value::String(s)) => b.append_value(s),
                        Some(other) => b.append_value(other.to_string()),
                    }
                }
                row_numbers.push(row);
            }
            Err(e) => {
                let what = if line.len() > 200 {
                    format!("{} bytes", line.len())
                } else {
                    String::from_utf8_lossy(line).into_owned()
                };
                rejected.push((row, format!("not a JSON object ({e}): {what}")));
            }
        }
    }
    let arrays: Vec<ArrayRef> = builders
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef)
        .collect();
    let batch = if columns.is_empty() {
        RecordBatch::try_new_with_options(
            schema,
            arrays,
            &datafusion::arrow::array::RecordBatchOptions::new()
                .with_row_count(Some(row_numbers.len())),
        )
    } else {
        RecordBatch::try_new(schema, arrays)
    }
    .map_err(bad)?;
    Ok(Decoded {
        batch,
        row_numbers: Some(row_numbers),
        rejected,
    })
}

/// CSV through Arrow's reader, reading only the `columns` the mapping takes. Its
/// batches are sized to the chunk (at most [`CSV_BATCH_ROWS`] rows each): the reader
/// allocates a batch's buffers up front, so a batch far larger than the chunk costs
/// memory the rows never use.
fn decode_csv(
    bytes: &[u8],
    delimiter: char,
    columns: Option<&[String]>,
) -> Result<Decoded, DomainError> {
    use datafusion::arrow::csv::ReaderBuilder as CsvReader;
    let header_end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
    let header = String::from_utf8_lossy(&bytes[..header_end])
        .trim_end_matches('\r')
        .to_string();
    let names: Vec<String> = header
        .split(delimiter)
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    let schema = utf8_schema(&names);
    // The columns read, in the order asked for; unknown names are left out.
    let projection: Option<Vec<usize>> = columns.map(|cols| {
        cols.iter()
            .filter_map(|c| names.iter().position(|n| n == c))
            .collect()
    });
    let read_schema = match &projection {
        Some(idx) => Arc::new(schema.project(idx).map_err(bad)?),
        None => schema.clone(),
    };
    let read = |data: &[u8]| -> Result<RecordBatch, datafusion::arrow::error::ArrowError> {
        // Line breaks bound the records from above (a quoted one only joins two).
        let records = memchr::memchr_iter(b'\n', data).count() + 1;
        let mut builder = CsvReader::new(schema.clone())
            .with_header(true)
            .with_delimiter(delimiter as u8)
            .with_batch_size(records.min(CSV_BATCH_ROWS));
        if let Some(idx) = &projection {
            builder = builder.with_projection(idx.clone());
        }
        let mut batches: Vec<RecordBatch> = builder
            .build(Cursor::new(data))?
            .collect::<Result<_, _>>()?;
        if batches.len() == 1
            && let Some(batch) = batches.pop()
        {
            return Ok(batch);
        }
        concat_batches(&read_schema, &batches)
    };
    match read(bytes) {
        Ok(batch) => Ok(Decoded {
            batch,
            row_numbers: None,
            rejected: vec![],
        }),
        Err(_) => {
            // Find the bad rows one at a time.
            let mut good = vec![];
            let mut row_numbers = vec![];
            let mut rejected = vec![];
            let body = &bytes[(header_end + 1).min(bytes.len())..];
            for (i, line) in csv_records(body.strip_suffix(b"\n").unwrap_or(body)).enumerate() {
                let mut one = bytes[..=header_end.min(bytes.len() - 1)].to_vec();
                one.extend_from_slice(line);
                one.push(b'\n');
                match read(&one) {
                    Ok(b) if b.num_rows() == 1 => {
                        good.push(b);
                        row_numbers.push(i as u64 + 1);
                    }
                    Ok(_) => rejected.push((i as u64 + 1, "empty row".to_string())),
                    Err(e) => rejected.push((i as u64 + 1, format!("bad CSV row: {e}"))),
                }
            }
            Ok(Decoded {
                batch: concat_batches(&read_schema, &good).map_err(bad)?,
                row_numbers: Some(row_numbers),
                rejected,
            })
        }
    }
}

/// The most rows in one batch of the CSV reader.
const CSV_BATCH_ROWS: usize = 65_536;

/// The records of CSV text: split at line breaks outside quotes, so a quoted
/// field holding line breaks stays in its record (a doubled quote inside a
/// quoted field flips twice, and so changes nothing).
fn csv_records(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = body;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let mut quoted = false;
        for (i, &b) in rest.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted => {
                    let record = &rest[..i];
                    rest = &rest[i + 1..];
                    return Some(record);
                }
                _ => {}
            }
        }
        done = true;
        Some(rest)
    })
}

/// A mapping compiled once per run, bound once per input schema.
pub struct CompiledMapping {
    plan: MappingPlan,
    bound: Mutex<HashMap<String, Arc<BoundPlan>>>,
}

impl CompiledMapping {
    /// A mapping that applies no value map.
    pub fn compile(mapping: &Mapping, base: &FieldPath) -> Result<CompiledMapping, DomainError> {
        Self::compile_with_maps(mapping, base, &ValueMaps::new())
    }
    /// A mapping whose `map` ops apply `maps` (its project's maps it names).
    pub fn compile_with_maps(
        mapping: &Mapping,
        base: &FieldPath,
        maps: &ValueMaps,
    ) -> Result<CompiledMapping, DomainError> {
        Ok(CompiledMapping {
            plan: MappingPlan::compile_with_maps(mapping, base, maps)?,
            bound: Mutex::new(HashMap::new()),
        })
    }
    pub fn plan(&self) -> &MappingPlan {
        &self.plan
    }
    pub fn bind(&self, schema: &SchemaRef) -> Result<Arc<BoundPlan>, DomainError> {
        let key = schema
            .fields()
            .iter()
            .map(|f| format!("{}:{}", f.name(), f.data_type()))
            .collect::<Vec<_>>()
            .join(",");
        let mut cache = self.bound.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = cache.get(&key) {
            return Ok(b.clone());
        }
        let b = Arc::new(self.plan.bind(schema)?);
        cache.insert(key, b.clone());
        Ok(b)
    }
    /// The columns to decode from schema-less formats; `None` for all.
    pub fn columns(&self) -> Option<&[String]> {
        (!self.plan.passes_through()).then(|| self.plan.sources())
    }
    /// Decodes a raw chunk for this mapping: like [`decode`] of its columns, with
    /// flat NDJSON columns the mapping casts parsed straight into their types.
    pub fn decode(&self, format: ChunkFormat, bytes: &[u8]) -> Result<Decoded, DomainError> {
        let Some(columns) = self.columns() else {
            return decode(format, bytes, None);
        };
        if format != ChunkFormat::Ndjson {
            return decode(format, bytes, Some(columns));
        }
        let reads: Vec<(&str, SourceRead)> = columns
            .iter()
            .map(String::as_str)
            .zip(self.plan.reads().iter().copied())
            .collect();
        match crate::flat_json::decode(bytes, &reads) {
            Some(batch) => Ok(Decoded {
                batch,
                row_numbers: None,
                rejected: vec![],
            }),
            None => decode_ndjson_generally(bytes, columns),
        }
    }
}

/// A failed or skipped row: chunk row number (from 1), column, reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFailure {
    pub row: u64,
    pub column: Option<String>,
    pub reason: String,
}

/// What one chunk's transform produced.
#[derive(Debug)]
pub struct ChunkOutput {
    /// Parquet bytes of the rows to land (absent when no row lands).
    pub parquet: Option<Vec<u8>>,
    pub schema: SchemaRef,
    pub rows_in: u64,
    pub rows_written: u64,
    pub rows_failed: u64,
    pub rows_skipped: u64,
    pub failures: Vec<RowFailure>,
}

/// Decode → map → validate → policy → Parquet. `extract_errors` are rows the
/// connector already rejected (chunk row numbers, from 1).
pub fn transform_chunk(
    mapping: &CompiledMapping,
    format: ChunkFormat,
    bytes: &[u8],
    extract_errors: &[(u64, String)],
    policy: ErrorPolicy,
) -> Result<ChunkOutput, DomainError> {
    let decoded = mapping.decode(format, bytes)?;
    transform_decoded(mapping, decoded, extract_errors, policy)
}

/// Map → validate → policy → Parquet, for columns a database source already
/// decoded: nothing is encoded only to be read back.
pub fn transform_batch(
    mapping: &CompiledMapping,
    batch: RecordBatch,
    extract_errors: &[(u64, String)],
    policy: ErrorPolicy,
) -> Result<ChunkOutput, DomainError> {
    let decoded = Decoded {
        batch,
        row_numbers: None,
        rejected: vec![],
    };
    transform_decoded(mapping, decoded, extract_errors, policy)
}

fn transform_decoded(
    mapping: &CompiledMapping,
    decoded: Decoded,
    extract_errors: &[(u64, String)],
    policy: ErrorPolicy,
) -> Result<ChunkOutput, DomainError> {
    let bound = mapping.bind(decoded.batch.schema_ref())?;
    let applied = bound.apply(&decoded.batch)?;
    let mut failures: Vec<RowFailure> = extract_errors
        .iter()
        .chain(decoded.rejected.iter())
        .map(|(row, reason)| RowFailure {
            row: *row,
            column: None,
            reason: reason.clone(),
        })
        .collect();
    let extract_rows: HashSet<u64> = extract_errors.iter().map(|e| e.0).collect();
    // Rows the connector rejected decode as empty objects; only their reason counts.
    let mut issues: Vec<RowIssue> = applied.issues.clone();
    issues.retain(|i| !extract_rows.contains(&decoded.row_number(i.row)));
    failures.extend(issues.iter().map(|i| RowFailure {
        row: decoded.row_number(i.row),
        column: Some(i.column.clone()),
        reason: i.reason.clone(),
    }));
    failures.sort_by_key(|f| f.row);
    let mut bad_rows: Vec<u64> = failures.iter().map(|f| f.row).collect();
    bad_rows.dedup();
    let bad = bad_rows.len() as u64;
    let rows_in = decoded.batch.num_rows() as u64 + decoded.rejected.len() as u64;
    // Drop every row with a failure (including the connector's placeholders).
    let keep_mask: Vec<bool> = (0..decoded.batch.num_rows())
        .map(|r| bad_rows.binary_search(&decoded.row_number(r)).is_err())
        .collect();
    let good = if keep_mask.iter().all(|k| *k) {
        applied.batch.clone()
    } else {
        let mask = datafusion::arrow::array::BooleanArray::from(keep_mask);
        datafusion::arrow::compute::filter_record_batch(&applied.batch, &mask)
            .map_err(|e| DomainError::invalid("chunk", e.to_string()))?
    };
    let (rows_failed, rows_skipped) = match policy {
        ErrorPolicy::SkipAndLog => (0, bad),
        ErrorPolicy::FailFast | ErrorPolicy::Continue => (bad, 0),
    };
    let rows_written = good.num_rows() as u64;
    let parquet = if rows_written > 0 {
        Some(write_parquet(&good)?)
    } else {
        None
    };
    Ok(ChunkOutput {
        parquet,
        schema: bound.output_schema().clone(),
        rows_in,
        rows_written,
        rows_failed,
        rows_skipped,
        failures,
    })
}

/// The most rows of one row group.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// Parquet bytes of one batch (Snappy: cheap to write, cheap to scan), in row
/// groups of at most [`ROW_GROUP_ROWS`], with [`writer_properties`].
///
/// The minimum, maximum and null count of each column of numbers, dates,
/// times or booleans are computed here, over its Arrow array at once, and set
/// on its column chunk as the Parquet writer would set them: the writer
/// compares value by value, type checks and all, which took a tenth of its
/// time. Those columns carry no page statistics then (a chunk is a row group
/// of a megabyte or so: its own minimum and maximum prune reads the same).
pub fn write_parquet(batch: &RecordBatch) -> Result<Vec<u8>, DomainError> {
    let mut props = writer_builder(batch);
    for field in batch.schema().fields() {
        if has_own_statistics(field.data_type()) {
            let path: ColumnPath = field.name().as_str().into();
            props = props.set_column_statistics_enabled(path, EnabledStatistics::None);
        }
    }
    let schema = batch.schema();
    let mut out = Vec::with_capacity(batch.get_array_memory_size() / 2);
    let (mut file, factory) = ArrowWriter::try_new(&mut out, schema.clone(), Some(props.build()))
        .and_then(ArrowWriter::into_serialized_writer)
        .map_err(bad)?;
    let mut offset = 0;
    while offset < batch.num_rows() {
        let part = batch.slice(offset, (batch.num_rows() - offset).min(ROW_GROUP_ROWS));
        let mut writers = factory
            .create_column_writers(file.flushed_row_groups().len())
            .map_err(bad)?
            .into_iter();
        let mut chunks = vec![];
        for (field, column) in schema.fields().iter().zip(part.columns()) {
            let mut stats = own_statistics(column);
            for leaf in compute_leaves(field, column).map_err(bad)? {
                let mut writer = writers
                    .next()
                    .ok_or_else(|| bad("the batch has more leaf columns than its schema"))?;
                writer.write(&leaf).map_err(bad)?;
                chunks.push((writer, stats.take()));
            }
        }
        let mut group = file.next_row_group().map_err(bad)?;
        for (writer, stats) in chunks {
            let mut chunk = writer.close().map_err(bad)?;
            if let Some(stats) = stats {
                let close = chunk.close_mut();
                close.metadata = close
                    .metadata
                    .clone()
                    .into_builder()
                    .set_statistics(stats)
                    .build()
                    .map_err(bad)?;
            }
            chunk.append_to_row_group(&mut group).map_err(bad)?;
        }
        group.close().map_err(bad)?;
        offset += part.num_rows();
    }
    file.close().map_err(bad)?;
    Ok(out)
}

/// Whether [`own_statistics`] computes the statistics of a column of type `t`
/// (asked of an empty one, so that the types are listed in one place). Other
/// types keep the writer's own.
fn has_own_statistics(t: &DataType) -> bool {
    own_statistics(&datafusion::arrow::array::new_empty_array(t)).is_some()
}

/// A column's statistics as the Parquet writer makes them (minimum and maximum
/// of its values as Parquet stores them, NULLs and NaNs aside, a zero minimum
/// as -0.0 and a zero maximum as +0.0; the NULL count), for integers, floats,
/// booleans, dates, timestamps in ms, µs or ns, and decimals of up to 18
/// digits (Parquet keeps those as 32- or 64-bit integers); `None` for another.
fn own_statistics(column: &ArrayRef) -> Option<Statistics> {
    use datafusion::arrow::array::{Array, ArrowPrimitiveType, AsArray as _};
    use datafusion::arrow::compute::{max_boolean, min_boolean};
    use datafusion::arrow::datatypes::{
        Date32Type, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
        Int64Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType,
        TimestampNanosecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
    };
    /// The least and greatest of the values that are not NULL and that
    /// `keep` keeps, each as `to` makes it, in one pass without a branch per
    /// value (each other value counts as the first one kept), over four
    /// minima and maxima at once; with NULLs, 64 values to a word of the
    /// bitmap.
    fn bounds_by<T: ArrowPrimitiveType, V: Copy + PartialOrd>(
        column: &ArrayRef,
        to: impl Fn(T::Native) -> V,
        keep: impl Fn(V) -> bool,
    ) -> Option<(V, V)> {
        let array = column.as_primitive::<T>();
        let values: &[T::Native] = array.values();
        let valid = array.nulls().filter(|n| n.null_count() > 0);
        let kept = |i: usize| valid.is_none_or(|n| n.is_valid(i)) && keep(to(values[i]));
        let first = to(values[(0..values.len()).find(|&i| kept(i))?]);
        let (mut lo, mut hi) = ([first; 4], [first; 4]);
        let mut add = |lane: usize, v: V| {
            lo[lane] = if v < lo[lane] { v } else { lo[lane] };
            hi[lane] = if v > hi[lane] { v } else { hi[lane] };
        };
        match valid {
            None => {
                let mut fours = values.chunks_exact(4);
                for four in &mut fours {
                    for (lane, &v) in four.iter().enumerate() {
                        let v = to(v);
                        add(lane, if keep(v) { v } else { first });
                    }
                }
                for &v in fours.remainder() {
                    let v = to(v);
                    add(0, if keep(v) { v } else { first });
                }
            }
            Some(nulls) => {
                let words = nulls.inner().bit_chunks();
                let whole = words.chunk_len() * 64;
                let blocks = values[..whole].chunks_exact(64).zip(words.iter());
                let rest = (&values[whole..], words.remainder_bits());
                for (block, word) in blocks.chain([rest]) {
                    for (j, &v) in block.iter().enumerate() {
                        let v = to(v);
                        let v = if (word >> j) & 1 != 0 && keep(v) {
                            v
                        } else {
                            first
                        };
                        add(j % 4, v);
                    }
                }
            }
        }
        let pick = |xs: [V; 4], less: bool| {
            xs.into_iter()
                .reduce(|a, b| if (b < a) == less { b } else { a })
                .unwrap_or(first)
        };
        Some((pick(lo, true), pick(hi, false)))
    }
    fn bounds<T: ArrowPrimitiveType>(column: &ArrayRef) -> Option<(T::Native, T::Native)>
    where
        T::Native: PartialOrd,
    {
        bounds_by::<T, T::Native>(column, |v| v, |_| true)
    }
    /// NaNs aside, a zero minimum as -0.0 and a zero maximum as +0.0.
    fn float_bounds(b: Option<(f64, f64)>) -> Option<(f64, f64)> {
        b.map(|(lo, hi)| {
            (
                if lo == 0.0 { -0.0 } else { lo },
                if hi == 0.0 { 0.0 } else { hi },
            )
        })
    }
    let nulls = Some(column.null_count() as u64);
    let int32 = |b: Option<(i32, i32)>| {
        Statistics::int32(b.map(|b| b.0), b.map(|b| b.1), None, nulls, false)
    };
    let int64 = |b: Option<(i64, i64)>| {
        Statistics::int64(b.map(|b| b.0), b.map(|b| b.1), None, nulls, false)
    };
    // Unsigned and decimal values go as Parquet stores them (a u32 or u64 as
    // the signed integer of its bits, ordered unsigned all the same).
    Some(match column.data_type() {
        DataType::Int8 => int32(bounds::<Int8Type>(column).map(|(a, b)| (a.into(), b.into()))),
        DataType::Int16 => int32(bounds::<Int16Type>(column).map(|(a, b)| (a.into(), b.into()))),
        DataType::Int32 => int32(bounds::<Int32Type>(column)),
        DataType::UInt8 => int32(bounds::<UInt8Type>(column).map(|(a, b)| (a.into(), b.into()))),
        DataType::UInt16 => int32(bounds::<UInt16Type>(column).map(|(a, b)| (a.into(), b.into()))),
        DataType::UInt32 => int32(bounds::<UInt32Type>(column).map(|(a, b)| (a as i32, b as i32))),
        DataType::Date32 => int32(bounds::<Date32Type>(column)),
        DataType::Int64 => int64(bounds::<Int64Type>(column)),
        DataType::UInt64 => int64(bounds::<UInt64Type>(column).map(|(a, b)| (a as i64, b as i64))),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            int64(bounds::<TimestampMillisecondType>(column))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            int64(bounds::<TimestampMicrosecondType>(column))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            int64(bounds::<TimestampNanosecondType>(column))
        }
        DataType::Decimal128(precision, _) if *precision <= 9 => {
            // Nine digits fit an i32 as they fit the column.
            int32(bounds_by::<Decimal128Type, i32>(
                column,
                |v| v as i32,
                |_| true,
            ))
        }
        DataType::Decimal128(precision, _) if *precision <= 18 => {
            int64(bounds_by::<Decimal128Type, i64>(
                column,
                |v| v as i64,
                |_| true,
            ))
        }
        DataType::Float32 => {
            let b = bounds_by::<Float32Type, f32>(column, |v| v, |v| !v.is_nan());
            let b = float_bounds(b.map(|(lo, hi)| (f64::from(lo), f64::from(hi))));
            Statistics::float(
                b.map(|b| b.0 as f32),
                b.map(|b| b.1 as f32),
                None,
                nulls,
                false,
            )
        }
        DataType::Float64 => {
            let b = bounds_by::<Float64Type, f64>(column, |v| v, |v| !v.is_nan());
            let b = float_bounds(b);
            Statistics::double(b.map(|b| b.0), b.map(|b| b.1), None, nulls, false)
        }
        DataType::Boolean => {
            let array = column.as_boolean();
            Statistics::boolean(min_boolean(array), max_boolean(array), None, nulls, false)
        }
        _ => return None,
    })
}

/// Parquet files of one schema joined into one, their row groups copied as they
/// are: no value is decoded or encoded again, and each row group keeps its
/// statistics. A table made of a run's chunks thus lands as a few large files
/// rather than one small file per chunk (Athena reads large files much faster).
#[derive(Default)]
pub struct ParquetJoin {
    writer: Option<SerializedFileWriter<Vec<u8>>>,
    schema: Option<SchemaDescPtr>,
    bytes: usize,
    rows: u64,
}

impl ParquetJoin {
    /// Appends the row groups of `file`. When its schema is not the one of the
    /// files before it, nothing is appended and the file comes back.
    pub fn push(&mut self, file: Vec<u8>) -> Result<Option<Vec<u8>>, DomainError> {
        let file = bytes::Bytes::from(file);
        let metadata = ParquetMetaDataReader::new()
            .parse_and_finish(&file)
            .map_err(bad)?;
        let schema = metadata.file_metadata().schema_descr_ptr();
        match &self.schema {
            Some(known) if known.root_schema() != schema.root_schema() => {
                drop(metadata);
                return Ok(Some(Vec::from(file)));
            }
            Some(_) => {}
            None => {
                let props = WriterProperties::builder()
                    .set_key_value_metadata(metadata.file_metadata().key_value_metadata().cloned())
                    .build();
                let writer = SerializedFileWriter::new(
                    Vec::with_capacity(file.len()),
                    schema.root_schema_ptr(),
                    Arc::new(props),
                )
                .map_err(bad)?;
                self.writer = Some(writer);
                self.schema = Some(schema);
            }
        }
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| DomainError::invalid("chunk", "the joined file is closed"))?;
        for group in metadata.row_groups() {
            let mut out = writer.next_row_group().map_err(bad)?;
            for column in group.columns() {
                let copied = ColumnCloseResult {
                    bytes_written: column.compressed_size() as u64,
                    rows_written: group.num_rows() as u64,
                    metadata: column.clone(),
                    bloom_filter: None,
                    column_index: None,
                    offset_index: None,
                };
                out.append_column(&file, copied).map_err(bad)?;
            }
            out.close().map_err(bad)?;
            self.rows += group.num_rows() as u64;
        }
        self.bytes += file.len();
        Ok(None)
    }

    /// Bytes of the files appended so far.
    pub fn len(&self) -> usize {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.writer.is_none()
    }

    /// Rows of the files appended so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The joined file; `None` when nothing was appended.
    pub fn finish(self) -> Result<Option<Vec<u8>>, DomainError> {
        match self.writer {
            None => Ok(None),
            Some(w) => w.into_inner().map(Some).map_err(bad),
        }
    }
}

/// One row group, Snappy, and a dictionary only where it pays: a column whose
/// first values are mostly distinct (ids, timestamps, prices) is written without
/// one rather than filling a dictionary that ends up as large as the data;
/// integers and times among them as bit-packed differences (DELTA_BINARY_PACKED,
/// which Athena, Spark and DuckDB read), the rest plain. Distinct text that
/// does not come in order (emails, names) keeps no minimum and maximum: over
/// a file's worth of it they span nearly everything and prune no read, and
/// comparing every value for them is a tenth of the writer's time.
pub(crate) fn writer_properties(batch: &RecordBatch) -> WriterProperties {
    writer_builder(batch).build()
}

/// [`writer_properties`], still to be built.
fn writer_builder(batch: &RecordBatch) -> WriterPropertiesBuilder {
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20));
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let path: ColumnPath = field.name().as_str().into();
        if mostly_distinct(column) {
            props = props.set_column_dictionary_enabled(path.clone(), false);
            if stored_as_integers(field.data_type()) {
                // Ids, times, amounts: differences bit-packed take a fraction of
                // eight bytes a value, before any compression.
                props = props.set_column_encoding(path.clone(), Encoding::DELTA_BINARY_PACKED);
            }
        }
        // Text out of order (emails, names, a status in no order) spans nearly
        // all its values in every page and file: its minimum and maximum prune
        // no read, and comparing each value for them is a tenth of the writer's
        // time. Text in order (a key read in order, values grouped) keeps them.
        if in_order(column) == Some(false) {
            props = props.set_column_statistics_enabled(path, EnabledStatistics::None);
        }
    }
    props
}

/// Whether the first 1,024 values of a text or bytes column come in order,
/// nulls aside (a key the source read in order, whose minimum and maximum
/// prune); `None` for a column of another type.
fn in_order(column: &ArrayRef) -> Option<bool> {
    use datafusion::arrow::array::AsArray as _;
    fn ordered<T: PartialOrd>(values: impl Iterator<Item = Option<T>>) -> bool {
        let mut last: Option<T> = None;
        for v in values.flatten() {
            if last.as_ref().is_some_and(|l| *l > v) {
                return false;
            }
            last = Some(v);
        }
        true
    }
    let sample = column.slice(0, column.len().min(1024));
    Some(match sample.data_type() {
        DataType::Utf8 => ordered(sample.as_string::<i32>().iter()),
        DataType::LargeUtf8 => ordered(sample.as_string::<i64>().iter()),
        DataType::Utf8View => ordered(sample.as_string_view().iter()),
        DataType::Binary => ordered(sample.as_binary::<i32>().iter()),
        DataType::LargeBinary => ordered(sample.as_binary::<i64>().iter()),
        DataType::BinaryView => ordered(sample.as_binary_view().iter()),
        _ => return None,
    })
}

/// Whether Parquet stores the type's values as INT32 or INT64.
fn stored_as_integers(t: &DataType) -> bool {
    match t {
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Date32
        | DataType::Date64
        | DataType::Time32(_)
        | DataType::Time64(_)
        | DataType::Timestamp(_, _) => true,
        DataType::Decimal128(precision, _) => *precision <= 18,
        _ => false,
    }
}

/// Whether more than half of the first 1,024 values differ (by hash).
fn mostly_distinct(column: &ArrayRef) -> bool {
    let n = column.len().min(1024);
    if n < 64 || column.data_type().is_nested() {
        return false;
    }
    let sample = column.slice(0, n);
    let mut hashes = vec![0u64; n];
    if create_hashes([&sample], &RandomState::default(), &mut hashes).is_err() {
        return false;
    }
    hashes.sort_unstable();
    hashes.dedup();
    hashes.len() * 2 > n
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};

    #[test]
    fn a_bad_csv_row_is_named_and_quoted_line_breaks_stay_in_their_record() {
        let chunk =
            b"id,note\n1,plain\n2,\"two\nlines, and \"\"quotes\"\"\"\n3,x,extra\n4,\"last\"\n";
        let decoded = decode(ChunkFormat::Csv { delimiter: ',' }, chunk, None).expect("decodes");
        assert_eq!(decoded.row_numbers, Some(vec![1, 2, 4]));
        assert_eq!(decoded.rejected.len(), 1, "{:?}", decoded.rejected);
        assert_eq!(decoded.rejected[0].0, 3);
        let notes = decoded
            .batch
            .column_by_name("note")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>().cloned())
            .expect("a text column");
        assert_eq!(notes.value(1), "two\nlines, and \"quotes\"");
        assert_eq!(notes.value(2), "last");
        let records: Vec<&[u8]> = csv_records(b"a\n\"b\nc\"\nd").collect();
        assert_eq!(records, vec![&b"a"[..], &b"\"b\nc\""[..], &b"d"[..]]);
    }

    #[test]
    fn csv_reads_only_the_columns_asked_for_in_their_order_across_batches() {
        let rows = CSV_BATCH_ROWS + 7;
        let mut chunk = b"a,b,c\n".to_vec();
        for i in 0..rows {
            chunk.extend_from_slice(format!("{i},skip,c{i}\n").as_bytes());
        }
        let columns = ["c".to_string(), "a".to_string(), "missing".to_string()];
        let csv = ChunkFormat::Csv { delimiter: ',' };
        let decoded = decode(csv, &chunk, Some(&columns)).expect("decodes");
        let names: Vec<&str> = decoded
            .batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["c", "a"]);
        assert_eq!(decoded.batch.num_rows(), rows);
        let text = |i: usize| {
            decoded
                .batch
                .column(i)
                .as_any()
                .downcast_ref::<StringArray>()
                .cloned()
                .expect("text")
        };
        assert_eq!(
            (text(0).value(rows - 1), text(1).value(rows - 1)),
            (
                format!("c{}", rows - 1).as_str(),
                format!("{}", rows - 1).as_str()
            )
        );
        // A bad row goes the slow way and keeps the same columns.
        chunk.extend_from_slice(b"x,y\n");
        let decoded = decode(csv, &chunk, Some(&columns)).expect("decodes");
        assert_eq!(decoded.rejected.len(), 1, "{:?}", decoded.rejected);
        assert_eq!(decoded.rejected[0].0, rows as u64 + 1);
        assert_eq!(decoded.batch.num_columns(), 2);
        assert_eq!(decoded.batch.num_rows(), rows);
    }

    #[test]
    fn joined_parquet_files_keep_every_row_type_and_statistic() {
        use datafusion::arrow::array::{Int64Array, TimestampMicrosecondArray};
        let part = |from: i64| {
            let schema = Arc::new(Schema::new(vec![
                Field::new("id", DataType::Int64, false),
                Field::new("name", DataType::Utf8, true),
                Field::new(
                    "at",
                    DataType::Timestamp(
                        datafusion::arrow::datatypes::TimeUnit::Microsecond,
                        Some("UTC".into()),
                    ),
                    true,
                ),
            ]));
            let batch = RecordBatch::try_new(
                schema,
                vec![
                    Arc::new(Int64Array::from_iter_values(from..from + 100)),
                    Arc::new(StringArray::from_iter_values(
                        (from..from + 100).map(|i| format!("n{i}")),
                    )),
                    Arc::new(
                        TimestampMicrosecondArray::from_iter_values(from..from + 100)
                            .with_timezone("UTC"),
                    ),
                ],
            )
            .expect("batch");
            write_parquet(&batch).expect("parquet")
        };
        let mut join = ParquetJoin::default();
        assert!(join.is_empty());
        for from in [0, 100, 200] {
            assert!(join.push(part(from)).expect("joins").is_none());
        }
        // Another schema is refused, and nothing of it is appended.
        let other = RecordBatch::try_new(
            Arc::new(Schema::new(vec![Field::new("x", DataType::Utf8, true)])),
            vec![Arc::new(StringArray::from(vec!["a"]))],
        )
        .expect("batch");
        let refused = join
            .push(write_parquet(&other).expect("parquet"))
            .expect("checked");
        assert!(refused.is_some_and(|f| f.starts_with(b"PAR1")));
        assert_eq!(join.rows(), 300);
        let joined = join.finish().expect("finish").expect("a file");
        let decoded = decode(ChunkFormat::Parquet, &joined, None).expect("reads back");
        assert_eq!(decoded.batch.num_rows(), 300);
        assert_eq!(
            decoded.batch.schema().field(2).data_type(),
            &DataType::Timestamp(
                datafusion::arrow::datatypes::TimeUnit::Microsecond,
                Some("UTC".into())
            ),
            "the Arrow schema travels with the file"
        );
        let ids = decoded
            .batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .cloned()
            .expect("ids");
        assert_eq!(ids.iter().flatten().sum::<i64>(), (0..300).sum::<i64>());
        let meta = ParquetMetaDataReader::new()
            .parse_and_finish(&bytes::Bytes::from(joined))
            .expect("metadata");
        assert_eq!(meta.num_row_groups(), 3);
        let stats = meta
            .row_group(1)
            .column(0)
            .statistics()
            .expect("statistics kept");
        assert_eq!(
            stats
                .min_bytes_opt()
                .map(|b| i64::from_le_bytes(b.try_into().unwrap_or_default())),
            Some(100)
        );
    }

    #[test]
    fn only_mostly_distinct_columns_go_without_a_dictionary() {
        let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(0..2_000));
        let days: ArrayRef = Arc::new(StringArray::from_iter_values(
            (0..2_000).map(|i| format!("2026-01-{:02}", i % 31 + 1)),
        ));
        let few: ArrayRef = Arc::new(Int64Array::from_iter_values(0..10));
        assert!(mostly_distinct(&ids));
        assert!(!mostly_distinct(&days));
        assert!(!mostly_distinct(&few));
    }

    /// Text out of order, distinct or repeated, keeps no minimum and maximum;
    /// text in order (a key read in order, values grouped) keeps them.
    #[test]
    fn only_text_that_can_prune_keeps_its_minimum_and_maximum() {
        let n = 5_000u64;
        let schema = Arc::new(Schema::new(vec![
            Field::new("code", DataType::Utf8, false),
            Field::new("email", DataType::Utf8, true),
            Field::new("status", DataType::Utf8, false),
            Field::new("region", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from_iter_values(
                    (0..n).map(|i| format!("K{i:08}")),
                )),
                Arc::new(StringArray::from_iter((0..n).map(|i| {
                    (i % 7 != 0).then(|| format!("user{}@example.com", (i * 7919) % n))
                }))),
                Arc::new(StringArray::from_iter_values(
                    (0..n).map(|i| ["new", "paid", "sent"][(i % 3) as usize]),
                )),
                Arc::new(StringArray::from_iter((0..n).map(|i| {
                    (i % 5 != 0).then_some(["east", "north", "west"][(i * 3 / n) as usize])
                }))),
            ],
        )
        .expect("batch");
        let file = write_parquet(&batch).expect("parquet");
        let meta = ParquetMetaDataReader::new()
            .parse_and_finish(&bytes::Bytes::from(file.clone()))
            .expect("metadata");
        let group = meta.row_group(0);
        let min = |c: usize| {
            group
                .column(c)
                .statistics()
                .and_then(|s| s.min_bytes_opt().map(<[u8]>::to_vec))
        };
        assert_eq!(min(0).as_deref(), Some(&b"K00000000"[..]));
        assert_eq!(min(1), None, "distinct text out of order");
        assert_eq!(min(2), None, "repeated text out of order");
        assert_eq!(min(3).as_deref(), Some(&b"east"[..]), "grouped text");
        // The values themselves are all there.
        let back = decode(ChunkFormat::Parquet, &file, None).expect("reads back");
        assert_eq!(back.batch.columns(), batch.columns());
    }

    #[test]
    fn distinct_integers_and_times_are_written_as_packed_differences() {
        use datafusion::arrow::array::{Float64Array, TimestampMicrosecondArray};
        let n = 20_000i64;
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new(
                "at",
                DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, None),
                true,
            ),
            Field::new("price", DataType::Float64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from_iter_values(1..=n)),
                Arc::new(TimestampMicrosecondArray::from_iter((1..=n).map(|i| {
                    (i % 11 != 0).then_some(1_767_225_600_000_000 + i * 1_000_000)
                }))),
                Arc::new(Float64Array::from_iter_values(
                    (1..=n).map(|i| i as f64 * 1.37 + 0.001),
                )),
            ],
        )
        .expect("batch");
        let file = write_parquet(&batch).expect("parquet");
        let meta = ParquetMetaDataReader::new()
            .parse_and_finish(&bytes::Bytes::from(file.clone()))
            .expect("metadata");
        let encodings = |c: usize| meta.row_group(0).column(c).encodings().collect::<Vec<_>>();
        for c in [0, 1] {
            assert!(
                encodings(c).contains(&Encoding::DELTA_BINARY_PACKED),
                "{:?}",
                encodings(c)
            );
        }
        assert!(
            !encodings(2).contains(&Encoding::DELTA_BINARY_PACKED),
            "floats stay plain"
        );
        // Sequential ids and times take far less than eight bytes a value.
        assert!(file.len() < (n as usize) * 8, "{} bytes", file.len());
        let back = decode(ChunkFormat::Parquet, &file, None).expect("reads back");
        assert_eq!(back.batch.columns(), batch.columns());
    }

    /// The statistics [`write_parquet`] sets on a column chunk are the ones the
    /// Parquet writer computes itself, for every type it sets them for: NULLs,
    /// NaNs, both zeros, unsigned values past the signed range, a column of
    /// NULLs only, and a batch of several row groups.
    #[test]
    fn own_statistics_are_the_ones_the_parquet_writer_computes() {
        use datafusion::arrow::array::{
            BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int8Array,
            Int16Array, Int32Array, TimestampMillisecondArray, TimestampNanosecondArray,
            UInt8Array, UInt16Array, UInt32Array, UInt64Array,
        };
        let n = ROW_GROUP_ROWS + 1_000;
        let at = |i: usize| i as i64 * 7_919 % 100_003 - 50_000;
        let some = |i: usize| i % 7 != 3;
        let columns: Vec<(&str, ArrayRef)> = vec![
            (
                "i8",
                Arc::new(Int8Array::from_iter(
                    (0..n).map(|i| some(i).then_some(at(i) as i8)),
                )),
            ),
            (
                "i16",
                Arc::new(Int16Array::from_iter(
                    (0..n).map(|i| some(i).then_some(at(i) as i16)),
                )),
            ),
            (
                "i32",
                Arc::new(Int32Array::from_iter_values((0..n).map(|i| at(i) as i32))),
            ),
            (
                "i64",
                Arc::new(Int64Array::from_iter(
                    (0..n).map(|i| some(i).then_some(at(i) << 20)),
                )),
            ),
            (
                "u8",
                Arc::new(UInt8Array::from_iter_values((0..n).map(|i| at(i) as u8))),
            ),
            (
                "u16",
                Arc::new(UInt16Array::from_iter_values((0..n).map(|i| at(i) as u16))),
            ),
            (
                "u32",
                Arc::new(UInt32Array::from_iter(
                    (0..n).map(|i| some(i).then_some((at(i) as u32).wrapping_mul(40_503))),
                )),
            ),
            (
                "u64",
                Arc::new(UInt64Array::from_iter_values(
                    (0..n).map(|i| (at(i) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                )),
            ),
            (
                "f32",
                Arc::new(Float32Array::from_iter((0..n).map(|i| {
                    some(i).then_some(match i % 5 {
                        0 => f32::NAN,
                        1 => -0.0,
                        _ => at(i) as f32 / 3.0,
                    })
                }))),
            ),
            (
                "f64 zeros",
                Arc::new(Float64Array::from_iter((0..n).map(|i| {
                    some(i).then_some(match i % 3 {
                        0 => f64::NAN,
                        1 => 0.0,
                        _ => (at(i) as f64).abs(),
                    })
                }))),
            ),
            (
                "f64 nan",
                Arc::new(Float64Array::from_iter_values((0..n).map(|_| f64::NAN))),
            ),
            (
                "bool",
                Arc::new(BooleanArray::from_iter(
                    (0..n).map(|i| some(i).then_some(i % 5 == 0)),
                )),
            ),
            (
                "date",
                Arc::new(Date32Array::from_iter(
                    (0..n).map(|i| some(i).then_some(at(i) as i32)),
                )),
            ),
            (
                "ms",
                Arc::new(
                    TimestampMillisecondArray::from_iter_values((0..n).map(at))
                        .with_timezone("UTC"),
                ),
            ),
            (
                "ns",
                Arc::new(TimestampNanosecondArray::from_iter(
                    (0..n).map(|i| some(i).then_some(at(i) * 1_000_003)),
                )),
            ),
            (
                "dec9",
                Arc::new(
                    Decimal128Array::from_iter(
                        (0..n).map(|i| some(i).then_some(i128::from(at(i)) * 1_001)),
                    )
                    .with_precision_and_scale(9, 2)
                    .expect("decimal"),
                ),
            ),
            (
                "dec18",
                Arc::new(
                    Decimal128Array::from_iter_values((0..n).map(|i| i128::from(at(i)) << 30))
                        .with_precision_and_scale(18, 4)
                        .expect("decimal"),
                ),
            ),
            (
                "nulls",
                Arc::new(Int64Array::from_iter((0..n).map(|_| None::<i64>))),
            ),
        ];
        let fields: Vec<Field> = columns
            .iter()
            .map(|(name, c)| Field::new(*name, c.data_type().clone(), true))
            .collect();
        assert!(fields.iter().all(|f| has_own_statistics(f.data_type())));
        let batch = RecordBatch::try_new(
            Arc::new(Schema::new(fields)),
            columns.into_iter().map(|(_, c)| c).collect(),
        )
        .expect("batch");
        let meta = |file: &Vec<u8>| {
            ParquetMetaDataReader::new()
                .parse_and_finish(&bytes::Bytes::from(file.clone()))
                .expect("metadata")
        };
        // Each row group's statistics, ours and the writer's; the files' row groups.
        let compare = |batch: &RecordBatch| {
            let ours = write_parquet(batch).expect("parquet");
            let mut theirs = vec![];
            let props = writer_builder(batch)
                .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                .build();
            let mut w =
                ArrowWriter::try_new(&mut theirs, batch.schema(), Some(props)).expect("writer");
            w.write(batch).expect("written");
            w.close().expect("closed");
            let (ours_meta, theirs_meta) = (meta(&ours), meta(&theirs));
            assert_eq!(ours_meta.num_row_groups(), theirs_meta.num_row_groups());
            for g in 0..ours_meta.num_row_groups() {
                let (a, b) = (ours_meta.row_group(g), theirs_meta.row_group(g));
                assert_eq!(a.num_rows(), b.num_rows());
                for c in 0..batch.num_columns() {
                    let name = batch.schema().field(c).name().clone();
                    let theirs = b.column(c).statistics().expect("the writer's statistics");
                    assert!(theirs.null_count_opt().is_some(), "{name}");
                    let ours = a.column(c).statistics().expect("statistics");
                    assert_eq!(ours, theirs, "{name}, row group {g}");
                    // By their bytes too: -0.0 == 0.0.
                    assert_eq!(ours.min_bytes_opt(), theirs.min_bytes_opt(), "{name}");
                    assert_eq!(ours.max_bytes_opt(), theirs.max_bytes_opt(), "{name}");
                }
            }
            (ours, ours_meta.num_row_groups())
        };
        let (ours, groups) = compare(&batch);
        assert_eq!(groups, 2);
        // A slice starting off a byte of the NULL bitmaps, as a filtered or
        // joined batch may be.
        assert_eq!(compare(&batch.slice(3, 5_000)).1, 1);
        let back = decode(ChunkFormat::Parquet, &ours, None).expect("reads back");
        let back = concat_batches(&back.batch.schema(), [&back.batch]).expect("one batch");
        for c in 0..batch.num_columns() {
            // Arrays are equal by their values' bytes (a NaN is then itself).
            assert!(
                back.column(c).to_data() == batch.column(c).to_data(),
                "{}",
                batch.schema().field(c).name()
            );
        }
        // An empty batch makes a file without row groups, as the writer does.
        let empty = write_parquet(&batch.slice(0, 0)).expect("parquet");
        assert_eq!(meta(&empty).num_row_groups(), 0);
    }
}
