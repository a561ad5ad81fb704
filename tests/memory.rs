//! Memory held by a loaded log and used while loading and analysing it (issue #9), measured
//! with a counting global allocator: every byte Rust allocates in this test binary is counted
//! (current and peak), so the figures are the heap the worker's wasm32 linear memory must hold
//! (less allocator overhead and pointer width: usize is 8 bytes here, 4 in wasm32, which only
//! makes the wasm32 figures smaller).
//!
//! The log is the benchmark's shape (bench/make_logs.py): 12 columns — an ISO 8601 timestamp,
//! a score with 6 decimals, a 0/1 label, three small categorical columns, six numeric features
//! — generated chunk by chunk (4 MiB, as the worker reads) so the text is never held whole.
//! The analysis is run as the browser's worker runs it: a `Session` holding the file answers
//! the first pass ([`Depth::First`]), then the complete pass on the same session (which keeps
//! the exact sweep between them); the working set is the peak over both, each printed.
//! Reference: the plain byte counts of the vectors the table must hold at least (8 bytes a row
//! for each f64 column kept, a bit a row for missing cells), computed independently below.

#[path = "common/counting.rs"]
mod counting;

use counting::{HEADER, Rng, SEED, current, peak, reset_peak, rows};
use plumb::core::analysis::{self, Depth, LoadedFile};
use plumb::core::protocol::{FromWorker, Session, Which};
use plumb::core::report::{Settings, WindowSpec};
use plumb::core::stream::{ANALYSIS_BYTES_PER_ROW, FileLoader, MemoryProjection};

const STEP: usize = 40_000;

/// The size in bytes of the `n`-row log (generated once, not kept).
fn log_size(n: usize) -> u64 {
    let mut rng = Rng(SEED);
    let mut size = HEADER.len() as u64;
    for lo in (0..n).step_by(STEP) {
        size += rows(&mut rng, lo, (lo + STEP).min(n), n).len() as u64;
    }
    size
}

/// Load an `n`-row log chunk by chunk, as the worker does (the file's size known up front);
/// returns the file, the text's size, the projection after the first chunk, and the peak heap
/// in use while loading (counting the chunk being generated and parsed).
fn load(n: usize) -> (LoadedFile, u64, MemoryProjection, usize) {
    let size = log_size(n);
    let mut rng = Rng(SEED);
    let before = reset_peak();
    let mut loader = FileLoader::with_size("log.csv", size);
    loader.push(HEADER.as_bytes()).unwrap();
    let mut first = None;
    for lo in (0..n).step_by(STEP) {
        let chunk = rows(&mut rng, lo, (lo + STEP).min(n), n);
        loader.push(chunk.as_bytes()).unwrap();
        first = first.or(loader.projection());
    }
    let file = loader.finish().unwrap();
    (file, size, first.unwrap(), peak() - before)
}

#[test]
fn bytes_per_row_held_and_peak_while_loading_and_analysing() {
    let n = 1_000_000;
    let base = current();
    let (file, text_bytes, first, load_peak) = load(n);
    let held = current() - base;
    assert_eq!(file.table.n_rows, n);
    let per_row = held as f64 / n as f64;
    // The table's own account of its heap agrees with the allocator's (the rest is the file's
    // name, hash and warnings).
    let table = file.table.heap_bytes();
    assert!(
        table <= held && held - table < 64 * 1024,
        "{table} vs {held}"
    );

    // The least any representation must hold: the timestamp, the score and six features as
    // f64 (8 × 8 bytes), the label and three categorical columns at one byte each.
    let floor = (8 * 8 + 4) as f64;

    let mapping = analysis::detect_mapping(&file);
    assert_eq!(mapping.score.as_deref(), Some("score"));
    assert_eq!(mapping.label.as_deref(), Some("label"));
    let settings = Settings {
        bootstrap: 0,
        ..Settings::default()
    };
    // As the worker does: the first pass, then the complete one, on the same session (which
    // keeps the exact sweep between them). The working set is the peak over both.
    let mut session = Session::new();
    session.loaded(1, Which::Reference, file);
    let at_rest = reset_peak();
    let (first_answer, sweep) = session.analyze_at(
        2,
        &mapping,
        &settings,
        &WindowSpec::All,
        None,
        None,
        Depth::First,
    );
    let first_sweep = sweep.is_some();
    let first_peak = peak() - at_rest;
    let have = first_answer.sweep_key().map(str::to_string);
    drop(first_answer);
    let between = reset_peak();
    let (answer, _) = session.analyze_at(
        2,
        &mapping,
        &settings,
        &WindowSpec::All,
        None,
        have.as_deref(),
        Depth::Complete,
    );
    let complete_peak = peak() - at_rest;
    let kept = between - at_rest;
    let analyse_peak = first_peak.max(complete_peak);
    assert!(first_sweep, "the first answer carries the exact sweep");
    let FromWorker::Report { report, .. } = answer else {
        panic!("no report: {answer:?}");
    };
    assert!(report.is_complete());
    assert_eq!(report.input.files[0].rows, n as u64);

    eprintln!(
        "memory at {n} rows ({:.1} MB of text): held {:.1} bytes/row ({:.0} MB; floor {floor} \
         bytes/row), peak while loading {:.1} bytes/row ({:.0} MB), analysis working set \
         {:.1} bytes/row ({:.0} MB: first pass {:.1}, complete pass {:.1}, kept between them \
         {:.1} bytes/row); projected after the first chunk: {} rows, {:.1} table \
         bytes/row, {:.0} MB in all",
        text_bytes as f64 / 1e6,
        per_row,
        held as f64 / 1e6,
        load_peak as f64 / n as f64,
        load_peak as f64 / 1e6,
        analyse_peak as f64 / n as f64,
        analyse_peak as f64 / 1e6,
        first_peak as f64 / n as f64,
        complete_peak as f64 / n as f64,
        kept as f64 / n as f64,
        first.rows,
        first.table_bytes_per_row,
        first.total_bytes as f64 / 1e6,
    );
    assert!(
        per_row >= floor,
        "held {per_row} bytes/row, below the floor {floor}"
    );
    // Compact columns: no numbers kept for text, 2-byte codes, hashes only for identifiers,
    // vectors sized once — within 25 % of the floor (was 161 bytes/row before issue #9's work).
    assert!(per_row <= floor * 1.25, "held {per_row} bytes/row");
    // Sized once: loading never holds much more than the result (the 4 MB chunk aside).
    assert!(
        (load_peak as f64) < held as f64 * 1.1 + 16e6,
        "peak {load_peak} while loading, {held} held"
    );
    // The first chunk's projection is close to what was held, and to the true row count.
    let rows_error = (first.rows as f64 - n as f64).abs() / n as f64;
    assert!(rows_error < 0.02, "projected {} rows of {n}", first.rows);
    assert!(
        (first.table_bytes_per_row - per_row).abs() < 0.1 * per_row,
        "projected {} table bytes/row, held {per_row}",
        first.table_bytes_per_row
    );
    // The guard's allowance for the analysis covers what it used.
    assert!(
        (analyse_peak as f64 / n as f64) <= ANALYSIS_BYTES_PER_ROW,
        "the analysis used {} bytes/row, more than ANALYSIS_BYTES_PER_ROW = {ANALYSIS_BYTES_PER_ROW}",
        analyse_peak as f64 / n as f64
    );
}
