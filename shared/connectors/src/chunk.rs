//! Raw chunks of the database sources (`postgres`, `mysql`): a batch they
//! built column by column, written as the Parquet file the transform reads.

use crate::ConnectorError;

/// A batch as a Parquet chunk the transform reads.
pub(crate) fn parquet_chunk(batch: &arrow_array::RecordBatch) -> Result<Vec<u8>, ConnectorError> {
    let fault = |e: parquet::errors::ParquetError| {
        ConnectorError::upstream(format!("writing the chunk: {e}"), false)
    };
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .build();
    let mut out = Vec::with_capacity(batch.get_array_memory_size() / 2);
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props))
        .map_err(fault)?;
    w.write(batch).map_err(fault)?;
    w.close().map_err(fault)?;
    Ok(out)
}
