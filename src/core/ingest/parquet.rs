//! Apache Parquet input, through the `parquet` crate's Arrow reader.
//!
//! Parquet keeps its schema and the position of every column chunk in a footer at the end of
//! the file, so the whole (compressed) file is held in memory while it is read; the loader
//! counts those bytes ([`crate::core::stream::FileLoader::buffered_bytes`]). Decoding then goes
//! one row group and one column at a time (a projection of a single root column), pushing
//! record batches of at most [`BATCH_ROWS`] rows straight into the column builders
//! ([`super::arrow_batch`]), so decoded values are never held twice; an error names the row
//! group and the column it happened in.
//!
//! Codecs read: uncompressed, Snappy, gzip, LZ4 (raw and the legacy framing) and Brotli. Not
//! read: Zstandard (the `zstd` crate needs a C compiler to build for wasm32, which this build
//! does not have) and LZO; a column chunk using one is reported by name before decoding.

use super::Table;
use super::arrow_batch::Columns;
use super::arrow_ipc::too_many_rows;
use crate::core::error::PlumbError;
use crate::core::report::InputFormat;
use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use ::parquet::basic::Compression;
use bytes::Bytes;

/// Rows decoded per record batch.
pub const BATCH_ROWS: usize = 64 * 1024;

/// Whether `head` (the first bytes of a file) starts a Parquet file.
pub fn is_parquet(head: &[u8]) -> bool {
    head.starts_with(b"PAR1")
}

/// Read a whole Parquet file into a [`Table`].
pub fn read_parquet(bytes: Bytes) -> Result<Table, PlumbError> {
    let meta = ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new())
        .map_err(|e| error("the footer", &e.to_string()))?;
    let mut columns = Columns::new(meta.schema());
    let file = meta.metadata().clone();
    let n_fields = columns.builders.len();
    for rg in 0..file.num_row_groups() {
        let group = file.row_group(rg);
        let rows = usize::try_from(group.num_rows()).map_err(|_| {
            error(
                &format!("row group {}", rg + 1),
                "it has a negative row count",
            )
        })?;
        let first_row = columns.rows;
        if first_row + rows > u32::MAX as usize {
            return Err(too_many_rows("Parquet", format!("row group {}", rg + 1)));
        }
        for c in 0..n_fields {
            if columns.builders[c].is_none() {
                continue;
            }
            let name = columns.names[c].clone();
            let location = format!("row group {}, column \"{name}\"", rg + 1);
            check_chunks(&file, rg, c, &location, bytes.len() as u64)?;
            let mask = ProjectionMask::roots(meta.parquet_schema(), [c]);
            let reader =
                ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), meta.clone())
                    .with_row_groups(vec![rg])
                    .with_projection(mask)
                    .with_batch_size(BATCH_ROWS)
                    .build()
                    .map_err(|e| error(&location, &e.to_string()))?;
            let mut read = 0usize;
            for batch in reader {
                let batch = batch.map_err(|e| error(&location, &e.to_string()))?;
                let Some(array) = batch.columns().first() else {
                    return Err(error(&location, "the column decoded to nothing"));
                };
                if read + array.len() > rows {
                    return Err(error(
                        &location,
                        "it has more values than the row group has rows",
                    ));
                }
                columns.push(c, array.as_ref(), first_row + read);
                read += array.len();
            }
            if read != rows {
                return Err(error(
                    &location,
                    &format!("it has {read} values where the row group has {rows} rows"),
                ));
            }
        }
        columns.rows += rows;
    }
    Ok(columns.finish(InputFormat::Parquet))
}

/// Check the footer's entries for the chunks of column `field` in row group `rg` before
/// decoding: inside the file, and compressed with a codec this build decodes (refused by name
/// otherwise).
fn check_chunks(
    file: &::parquet::file::metadata::ParquetMetaData,
    rg: usize,
    field: usize,
    location: &str,
    file_len: u64,
) -> Result<(), PlumbError> {
    let schema = file.file_metadata().schema_descr();
    let group = file.row_group(rg);
    for (i, chunk) in group.columns().iter().enumerate() {
        if i >= schema.num_columns() {
            return Err(error(
                location,
                "the row group has more column chunks than the schema has columns",
            ));
        }
        if schema.get_column_root_idx(i) != field {
            continue;
        }
        // `parquet` asserts (panics) on negative offsets and sizes: check them first, and
        // that the chunk lies inside the file.
        let start = chunk
            .dictionary_page_offset()
            .unwrap_or(chunk.data_page_offset());
        let inside = u64::try_from(start)
            .ok()
            .zip(u64::try_from(chunk.compressed_size()).ok())
            .and_then(|(s, n)| s.checked_add(n))
            .is_some_and(|end| end <= file_len)
            && chunk.data_page_offset() >= 0;
        if !inside {
            return Err(error(
                location,
                &format!(
                    "the footer places the column chunk outside the file (offset {start}, {} \
                     bytes, in a {file_len}-byte file)",
                    chunk.compressed_size()
                ),
            ));
        }
        let codec = match chunk.compression() {
            Compression::ZSTD(_) => "Zstandard (zstd)",
            Compression::LZO => "LZO",
            _ => continue,
        };
        return Err(error(
            location,
            &format!(
                "it is compressed with {codec}, which this build of Plumb cannot decompress \
                 (Zstandard needs a C compiler to build for the browser). Write the file with \
                 Snappy, gzip, LZ4, Brotli or no compression (pandas/pyarrow: \
                 compression=\"snappy\")"
            ),
        ));
    }
    Ok(())
}

/// A Parquet error at `location`.
fn error(location: &str, message: &str) -> PlumbError {
    PlumbError::Columnar {
        format: "Parquet".into(),
        location: location.into(),
        message: message.into(),
    }
}
