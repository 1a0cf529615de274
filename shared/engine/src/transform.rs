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
use datafusion::parquet::basic::{Compression, Encoding};
use datafusion::parquet::column::writer::ColumnCloseResult;
use datafusion::parquet::file::metadata::ParquetMetaDataReader;
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
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

/// Parquet bytes of one batch (Snappy: cheap to write, cheap to scan).
pub fn write_parquet(batch: &RecordBatch) -> Result<Vec<u8>, DomainError> {
    let props = writer_properties(batch);
    let mut out = Vec::with_capacity(batch.get_array_memory_size() / 2);
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).map_err(bad)?;
    w.write(batch).map_err(bad)?;
    w.close().map_err(bad)?;
    Ok(out)
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
    props.build()
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
}
