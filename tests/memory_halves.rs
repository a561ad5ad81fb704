//! Memory of a load parsed in two halves (src/core/ingest/split.rs) against the single path,
//! in the same run, with a counting global allocator (as tests/memory.rs): the analysis
//! worker's heap while it parses the first half, copies the helper's second half in, decodes
//! and merges it. The file's text is held outside the count (the browser holds it in a JS
//! `ArrayBuffer`), and so is the helper's binary form until the copy (a transferred buffer).
//! The merged table must equal the single path's, and its loading peak must stay close to the
//! single path's (the 1.5 GB target at 10M rows does not involve this path: files over
//! 256 MiB stream through the single path).
//!
//! The log is the benchmark's shape (the generator of tests/memory.rs, bench/make_logs.py).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use plumb::core::ingest::split;
use plumb::core::stream::FileLoader;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(new_size, Ordering::Relaxed) + new_size;
            PEAK.fetch_max(now, Ordering::Relaxed);
            CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn current() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

fn reset_peak() -> usize {
    let now = current();
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// SplitMix64, as in tests/memory.rs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

const HEADER: &str = "timestamp,score,label,model_version,segment,x1,x2,x3,x4,x5,x6,country\n";
const COUNTRIES: [&str; 12] = [
    "US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "ES", "IT", "MX", "NL",
];

/// The `n`-row benchmark-shaped log (tests/memory.rs's rows), whole.
fn log(n: usize) -> Vec<u8> {
    use std::fmt::Write;
    let mut rng = Rng(20_261_127);
    let mut s = String::with_capacity(n * 100);
    s.push_str(HEADER);
    for i in 0..n {
        let current = i >= n / 2;
        let z = rng.normal() + if current { 0.4 } else { 0.0 };
        let label = u8::from(rng.unit() < 1.0 / (1.0 + (1.2 - 1.8 * z).exp()));
        let score = 1.0 / (1.0 + (1.0 - 1.5 * z - 0.5 * rng.normal()).exp());
        let secs = 1_767_225_600 + 3 * i as u64;
        let (day, rem) = (secs / 86_400, secs % 86_400);
        let d = day - 20_454;
        let (month, mday) = (1 + (d / 28) % 12, 1 + d % 28);
        let _ = writeln!(
            s,
            "2026-{month:02}-{mday:02}T{:02}:{:02}:{:02}.{:03}Z,{score:.6},{label},{},{},{:.4},{:.6},{:.4},{:.4},{:.6},{:.4},{}",
            rem / 3600,
            rem / 60 % 60,
            rem % 60,
            rng.next() % 1000,
            if current { "v2" } else { "v1" },
            ["web", "app", "api"][(rng.next() % 3) as usize],
            z + rng.normal(),
            rng.normal(),
            40.0 + 12.0 * rng.normal(),
            (3.0 + rng.normal()).exp(),
            rng.unit(),
            0.5 * z + 0.5 * rng.normal(),
            COUNTRIES[(rng.next() % 12) as usize],
        );
    }
    s.into_bytes()
}

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
