//! Raw chunks of the database sources (`postgres`, `mysql`): a batch they
//! built column by column, written as an Arrow IPC stream the transform reads.

use crate::ConnectorError;

/// A batch as the raw chunk the transform reads: an Arrow IPC stream, its
/// buffers LZ4-compressed. The columns are already typed, so the transform
/// reads them back without parsing anything, and nothing is encoded twice.
pub(crate) fn ipc_chunk(batch: &arrow_array::RecordBatch) -> Result<Vec<u8>, ConnectorError> {
    let fault = |e: arrow_schema::ArrowError| {
        ConnectorError::upstream(format!("writing the chunk: {e}"), false)
    };
    let options = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))
        .map_err(fault)?;
    let mut out = Vec::with_capacity(batch.get_array_memory_size() / 2);
    let mut w =
        arrow_ipc::writer::StreamWriter::try_new_with_options(&mut out, &batch.schema(), options)
            .map_err(fault)?;
    w.write(batch).map_err(fault)?;
    w.finish().map_err(fault)?;
    drop(w);
    Ok(out)
}
