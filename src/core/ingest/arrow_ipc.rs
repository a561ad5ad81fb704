//! Arrow IPC input: the file format (`ARROW1` … `ARROW1`, random access through its footer) and
//! the stream format (messages each starting with the continuation marker `FF FF FF FF`), as
//! written by `pyarrow.ipc.new_file` / `new_stream`, `pandas.DataFrame.to_feather` (Feather v2
//! is the IPC file format) and Arrow libraries. Record batches are decoded one at a time by
//! `arrow-ipc` and pushed column by column into the same builders as the CSV path
//! ([`super::arrow_batch`]); the file's bytes are held while reading (a stream could be decoded
//! as it arrives, but the loader keeps one code path for both). LZ4-frame compressed bodies are
//! read; Zstandard-compressed bodies are not (the `zstd` crate needs a C compiler for wasm32)
//! and say so.

use super::Table;
use super::arrow_batch::Columns;
use crate::core::error::PlumbError;
use crate::core::report::InputFormat;
use arrow_array::RecordBatch;
use arrow_ipc::reader::StreamReader;
use arrow_schema::ArrowError;
use std::io::Cursor;

/// Whether `head` (the first bytes of a file) starts an Arrow IPC file or stream.
pub fn is_arrow_ipc(head: &[u8]) -> bool {
    head.starts_with(b"ARROW1") || head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF])
}

/// Read a whole Arrow IPC file or stream into a [`Table`].
///
/// The file format is the stream format framed by `ARROW1` magic and a footer, so both are
/// decoded as a stream (the file's from byte 8, after its closing magic is checked). Every
/// message is first checked by [`check_messages`]: `arrow-ipc` slices record batch buffers
/// without bounds checks and would panic on a damaged file.
pub fn read_arrow_ipc(bytes: &[u8]) -> Result<Table, PlumbError> {
    let stream = if bytes.starts_with(b"ARROW1") {
        if bytes.len() < 16 || !bytes.ends_with(b"ARROW1") {
            return Err(error(
                "the end of the file",
                "the closing ARROW1 marker is missing, so the file is truncated",
            ));
        }
        &bytes[8..]
    } else {
        bytes
    };
    check_messages(stream)?;
    let reader = StreamReader::try_new(Cursor::new(stream), None)
        .map_err(|e| ipc_error("the schema message", &e))?;
    let schema = reader.schema();
    collect(&schema, reader)
}

/// Largest decompressed buffer accepted, relative to its compressed size (LZ4's best ratio is
/// about 255:1) — a damaged length prefix must not ask for gigabytes.
const MAX_RATIO: u64 = 256;

/// Walk the messages of an IPC stream as `arrow-ipc`'s reader does (optional continuation
/// marker `FF FF FF FF`, little-endian metadata length, flatbuffer `Message`, body) up to the
/// end-of-stream marker or the end of the bytes, and check that every record batch's (and
/// dictionary batch's) buffers lie inside its body and that compressed buffers declare a
/// plausible decompressed size.
fn check_messages(stream: &[u8]) -> Result<(), PlumbError> {
    let mut pos = 0usize;
    let mut index = 0usize;
    let read_i32 = |at: usize| -> Option<i32> {
        let b = stream.get(at..at + 4)?;
        Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    loop {
        let Some(mut meta_len) = read_i32(pos) else {
            return Ok(());
        };
        pos += 4;
        if meta_len == -1 {
            let Some(len) = read_i32(pos) else {
                return Ok(());
            };
            meta_len = len;
            pos += 4;
        }
        if meta_len == 0 {
            return Ok(());
        }
        index += 1;
        let location = if index == 1 {
            "the schema message".to_string()
        } else {
            format!("message {index}")
        };
        let meta = usize::try_from(meta_len)
            .ok()
            .and_then(|n| stream.get(pos..pos.checked_add(n)?))
            .ok_or_else(|| {
                error(
                    &location,
                    "the message header runs past the end of the data",
                )
            })?;
        pos += meta.len();
        let message = arrow_ipc::root_as_message(meta)
            .map_err(|e| error(&location, &format!("the message header is damaged ({e})")))?;
        let body_len = u64::try_from(message.bodyLength())
            .map_err(|_| error(&location, "the message body has a negative length"))?;
        let body = usize::try_from(body_len)
            .ok()
            .and_then(|n| stream.get(pos..pos.checked_add(n)?))
            .ok_or_else(|| error(&location, "the message body runs past the end of the data"))?;
        pos += body.len();
        let batch = match message.header_as_record_batch() {
            Some(b) => Some(b),
            None => message.header_as_dictionary_batch().and_then(|d| d.data()),
        };
        let Some(batch) = batch else {
            continue;
        };
        let compressed = batch.compression().is_some();
        for buffer in batch.buffers().iter().flatten() {
            let (offset, length) = (buffer.offset(), buffer.length());
            let range = u64::try_from(offset)
                .ok()
                .zip(u64::try_from(length).ok())
                .and_then(|(o, l)| Some((o, o.checked_add(l)?)))
                .filter(|&(_, end)| end <= body_len);
            let Some((start, end)) = range else {
                return Err(error(
                    &location,
                    &format!(
                        "a buffer (offset {offset}, length {length}) lies outside the \
                         {body_len}-byte message body"
                    ),
                ));
            };
            if compressed && end > start {
                let prefix = body
                    .get(start as usize..start as usize + 8)
                    .filter(|_| end - start >= 8)
                    .ok_or_else(|| {
                        error(
                            &location,
                            "a compressed buffer is shorter than its length prefix",
                        )
                    })?;
                let mut word = [0u8; 8];
                word.copy_from_slice(prefix);
                let size = i64::from_le_bytes(word);
                if size != -1 && (size < 0 || size as u64 > (end - start).saturating_mul(MAX_RATIO))
                {
                    return Err(error(
                        &location,
                        &format!("a compressed buffer declares an implausible size ({size} bytes)"),
                    ));
                }
            }
        }
    }
}

/// Push every record batch of `batches` into columns of `schema`.
fn collect(
    schema: &arrow_schema::Schema,
    batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
) -> Result<Table, PlumbError> {
    let mut columns = Columns::new(schema);
    for (b, batch) in batches.enumerate() {
        let batch = batch.map_err(|e| ipc_error(&format!("record batch {}", b + 1), &e))?;
        if batch.num_columns() != columns.builders.len() {
            return Err(PlumbError::Columnar {
                format: "Arrow IPC".into(),
                location: format!("record batch {}", b + 1),
                message: format!(
                    "it has {} columns where the schema has {}",
                    batch.num_columns(),
                    columns.builders.len()
                ),
            });
        }
        let first_row = columns.rows;
        if first_row + batch.num_rows() > u32::MAX as usize {
            return Err(too_many_rows(
                "Arrow IPC",
                format!("record batch {}", b + 1),
            ));
        }
        for (c, array) in batch.columns().iter().enumerate() {
            columns.push(c, array.as_ref(), first_row);
        }
        columns.rows += batch.num_rows();
    }
    Ok(columns.finish(InputFormat::ArrowIpc))
}

/// The error for more rows than a table holds.
pub(crate) fn too_many_rows(format: &str, location: String) -> PlumbError {
    PlumbError::Columnar {
        format: format.into(),
        location,
        message: "the file has more than 4294967295 rows, more than Plumb can hold; split it \
                  into smaller files"
            .into(),
    }
}

/// An Arrow IPC error at `location`.
fn error(location: &str, message: &str) -> PlumbError {
    PlumbError::Columnar {
        format: "Arrow IPC".into(),
        location: location.into(),
        message: message.into(),
    }
}

/// An `arrow-ipc` error at `location`, in words.
fn ipc_error(location: &str, e: &ArrowError) -> PlumbError {
    let text = e.to_string();
    let message = if text.to_ascii_lowercase().contains("zstd") {
        "it is compressed with Zstandard, which this build of Plumb cannot decompress; write it \
         with LZ4 or no compression (pyarrow: ipc.IpcWriteOptions(compression='lz4'))"
            .to_string()
    } else {
        format!("the data is not valid Arrow IPC ({text})")
    };
    PlumbError::Columnar {
        format: "Arrow IPC".into(),
        location: location.into(),
        message,
    }
}
