//! `cargo bench --bench ingest [-- FILE]`: how fast a delimited log on disk becomes a typed
//! [`Table`](plumb::core::ingest::Table) natively, read as the browser's worker reads it.
//!
//! The file (default `bench/data/log_1000000.csv`, made by `python3 bench/make_logs.py`) is
//! read into memory once; then, `PLUMB_BENCH_REPS` times (default 3), it is pushed through a
//! [`TableBuilder`] in 4 MiB chunks with its size given, as the worker's loader
//! feeds it (its `CHUNK_BYTES`; the SHA-256 is taken elsewhere), and, alternately, through the `csv` crate's `ByteRecord` reader with the numeric
//! fields parsed to `f64` (the peer, as in `benches/core.rs`), so a load change during the run
//! moves both. Prints each repetition's MB/s and the ratio of the medians.
//!
//! Without `--bench` (as `cargo test --benches` runs it) it is a smoke test on a small
//! generated log instead: one repetition, the table's shape checked.

// Shared with `benches/core.rs`, of which this bench uses only the log, the csv peer and the
// median.
#[allow(dead_code)]
mod common;

use common::data::{self, CSV_NUMERIC};
use common::peers;
use common::timing::median;
use plumb::core::ingest::TableBuilder;
use std::hint::black_box as bb;
use std::process::ExitCode;
use std::time::Instant;

/// Bytes handed to [`TableBuilder::push`] at a time (the worker's `CHUNK_BYTES`).
const CHUNK: usize = 4 << 20;

/// Default log, relative to the crate.
const DEFAULT_FILE: &str = "bench/data/log_1000000.csv";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ingest bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Parse `bytes` as the worker's loader does (size given, 4 MiB chunks); returns (rows,
/// columns).
fn load(bytes: &[u8]) -> Result<(usize, usize), String> {
    let mut builder = TableBuilder::new();
    builder.set_size_hint(bytes.len() as u64);
    for chunk in bytes.chunks(CHUNK) {
        builder.push(bb(chunk)).map_err(|e| e.to_string())?;
    }
    let table = builder.finish().map_err(|e| e.to_string())?;
    Ok((table.n_rows, table.columns.len()))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benching = args.iter().any(|a| a == "--bench");
    if !benching {
        let csv = data::csv_bytes(2000, 7);
        let (rows, cols) = load(&csv)?;
        if (rows, cols) != (2000, 12) {
            return Err(format!("smoke test: {rows} rows, {cols} columns"));
        }
        peers::csv_numeric_columns(&csv, &CSV_NUMERIC)?;
        println!("ingest smoke test: ok");
        return Ok(());
    }
    let manifest = env!("CARGO_MANIFEST_DIR");
    let file = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .cloned()
        .unwrap_or_else(|| format!("{manifest}/{DEFAULT_FILE}"));
    let bytes = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
    let reps: usize = std::env::var("PLUMB_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let mb = bytes.len() as f64 / 1e6;
    println!("{file}: {mb:.1} MB, {reps} repetitions");
    let (mut ours, mut peer) = (Vec::new(), Vec::new());
    for rep in 0..reps {
        let t = Instant::now();
        let (rows, cols) = load(&bytes)?;
        let a = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let columns = peers::csv_numeric_columns(bb(&bytes), &CSV_NUMERIC)?;
        let b = t.elapsed().as_secs_f64();
        bb(columns);
        println!(
            "rep {rep}: TableBuilder {:.3} s ({:.0} MB/s, {rows} rows x {cols}); csv peer {:.3} s \
             ({:.0} MB/s)",
            a,
            mb / a,
            b,
            mb / b
        );
        ours.push(a);
        peer.push(b);
    }
    let (a, b) = (median(&ours), median(&peer));
    println!(
        "median: TableBuilder {:.0} MB/s, csv peer {:.0} MB/s, time ratio TableBuilder/peer {:.2}",
        mb / a,
        mb / b,
        a / b
    );
    Ok(())
}
