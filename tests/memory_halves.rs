//! Memory of a load parsed in two halves (src/core/ingest/split.rs) against the single path,
//! in the same run, with a counting global allocator (as tests/memory.rs): the analysis
//! worker's heap while it parses the first half, copies the helper's second half in, decodes
//! and merges it. The file's text is held outside the count (the browser holds it in a JS
//! `ArrayBuffer`), and so is the helper's binary form until the copy (a transferred buffer).
//! The merged table must equal the single path's, and its loading peak must stay close to the
//! single path's (the 1.5 GB target at 10M rows does not involve this path: files over
//! 256 MiB stream through the single path).
//!
//! The log is the benchmark's shape (tests/common/counting.rs, as tests/memory.rs; bench/make_logs.py).

#[path = "common/counting.rs"]
mod counting;

use counting::{current, log, peak, reset_peak};
use plumb::core::ingest::split;
use plumb::core::stream::FileLoader;

/// Bytes per chunk, as the worker reads.
const CHUNK: usize = 4 << 20;

/// Push `bytes` to `loader` chunk by chunk through one reused buffer, as the worker does.
fn feed(loader: &mut FileLoader, bytes: &[u8]) {
    let mut buf = Vec::new();
    for piece in bytes.chunks(CHUNK) {
        buf.clear();
        buf.extend_from_slice(piece);
        loader.push(&buf).unwrap();
    }
}

#[test]
fn halves_equal_the_single_path_at_a_similar_peak() {
    let n = 1_000_000;
    let text = log(n);
    let size = text.len() as u64;

    // The single path, as the worker runs it.
    let before = reset_peak();
    let mut loader = FileLoader::with_size("log.csv", size);
    loader.hash_elsewhere();
    feed(&mut loader, &text);
    let single = loader.finish().unwrap();
    let single_peak = peak() - before;
    let single_held = current() - before;

    // The helper's side (another worker's memory): the second half and its binary form.
    let cut = split::split_point(&text, text.len() / 2).unwrap();
    let head = &text[..text.len().min(64 * 1024)];
    let (delimiter, headers) = {
        let first = split::first_half(head, size).unwrap();
        let mut probe = FileLoader::with_first_half("log.csv", size, cut as u64, first);
        probe.hash_elsewhere();
        feed(&mut probe, &text[..64 * 1024]);
        probe.continuation().unwrap()
    };
    let helper_before = reset_peak();
    let half = split::parse_second_half(delimiter, &headers, cut as u64, &text[cut..]).unwrap();
    let mut columns = Vec::new();
    let table = split::encode_half(half, &mut |c| columns.push(c));
    let helper_peak = peak() - helper_before;
    let encoded_bytes = table.len() + columns.iter().map(Vec::len).sum::<usize>();

    // The analysis worker: the first half, then the second half copied in, decoded, merged.
    let before = reset_peak();
    let first = split::first_half(head, size).unwrap();
    let mut loader = FileLoader::with_first_half("log.csv", size, cut as u64, first);
    loader.hash_elsewhere();
    feed(&mut loader, &text[..cut]);
    // Each column's bytes copied in from its transferred buffer, one at a time.
    let half = split::decode_half(&table.clone(), columns.iter().cloned()).unwrap();
    loader
        .merge_half(half, (text.len() - cut) as u64)
        .expect("the halves merge");
    let merged = loader.finish().unwrap();
    let halves_peak = peak() - before;
    let halves_held = current() - before;

    assert_eq!(merged.table, single.table);
    assert_eq!(merged.rows, single.rows);
    assert_eq!(merged.bytes, single.bytes);
    let per_row = |b: usize| b as f64 / n as f64;
    println!(
        "1M rows: single path peak {:.1} B/row (held {:.1}); halves peak {:.1} B/row (held \
         {:.1}); helper peak {:.1} B/row; binary half {:.1} B/row",
        per_row(single_peak),
        per_row(single_held),
        per_row(halves_peak),
        per_row(halves_held),
        per_row(helper_peak),
        per_row(encoded_bytes),
    );
    assert!(
        (halves_peak as f64) < single_peak as f64 * 1.35,
        "halves peak {halves_peak} vs single {single_peak}"
    );
    assert!((halves_held as f64) < single_held as f64 * 1.05 + 1e6);
}
