//! Shared by the two memory test binaries (tests/memory.rs, tests/memory_halves.rs) and by no
//! other: a counting global allocator, and the benchmark-shaped log both measure.
//!
//! Included with `#[path = "common/counting.rs"] mod counting;` rather than through
//! tests/common/mod.rs, because it installs the binary's `#[global_allocator]`: every byte Rust
//! allocates in the binary is counted (current and peak), so the figures are the heap the
//! worker's wasm32 linear memory must hold (less allocator overhead and pointer width: usize is
//! 8 bytes here, 4 in wasm32, which only makes the wasm32 figures smaller).
//!
//! The log is the benchmark's shape (bench/make_logs.py): 12 columns — an ISO 8601 timestamp,
//! a score with 6 decimals, a 0/1 label, three small categorical columns, six numeric
//! features.

// Each binary uses part of this file (one generates the log in chunks, the other whole).
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting the bytes in use and their peak.
pub struct Counting;

/// Bytes allocated and not yet freed.
static CURRENT: AtomicUsize = AtomicUsize::new(0);
/// The most bytes in use at once since the last [`reset_peak`].
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

/// Bytes in use now.
pub fn current() -> usize {
    CURRENT.load(Ordering::Relaxed)
}

/// Starts a new peak at the bytes in use now, and returns them.
pub fn reset_peak() -> usize {
    let now = current();
    PEAK.store(now, Ordering::Relaxed);
    now
}

/// The most bytes in use at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);

/// The seed of every benchmark-shaped log here.
pub const SEED: u64 = 20_261_127;

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit().max(1e-300), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// The log's header line.
pub const HEADER: &str = "timestamp,score,label,model_version,segment,x1,x2,x3,x4,x5,x6,country\n";
const COUNTRIES: [&str; 12] = [
    "US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "ES", "IT", "MX", "NL",
];

/// Rows `lo..hi` of an `n`-row benchmark-shaped log, as CSV text (`rng` continues from the
/// previous rows, so consecutive calls from `Rng(SEED)` give the log piece by piece).
pub fn rows(rng: &mut Rng, lo: usize, hi: usize, n: usize) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity((hi - lo) * 100);
    for i in lo..hi {
        let current = i >= n / 2;
        let z = rng.normal() + if current { 0.4 } else { 0.0 };
        let label = u8::from(rng.unit() < 1.0 / (1.0 + (1.2 - 1.8 * z).exp()));
        let score = 1.0 / (1.0 + (1.0 - 1.5 * z - 0.5 * rng.normal()).exp());
        let secs = 1_767_225_600 + 3 * i as u64;
        let (day, rem) = (secs / 86_400, secs % 86_400);
        // Days since 2026-01-01 folded into January..December of 2026 (a plausible date).
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
    s
}

/// The whole `n`-row log, header first (the same text as [`rows`] piece by piece).
pub fn log(n: usize) -> Vec<u8> {
    let mut s = String::from(HEADER);
    s.push_str(&rows(&mut Rng(SEED), 0, n, n));
    s.into_bytes()
}
