//! Typed, compact columns built cell by cell, never keeping the whole text.
//!
//! Every cell is trimmed of surrounding ASCII whitespace, then classified:
//! * missing if it is empty or one of the markers `NA`, `N/A`, `#N/A`, `NaN`, `null`, `None`,
//!   `?`, `-` (ASCII case-insensitive);
//! * a number if Rust's `f64::from_str` accepts it (so `1e-3`, `.5`, `+2`, `inf`, `-inf` and
//!   `1e999` — which overflows to infinity — are numbers; non-finite numbers are kept, not
//!   treated as missing);
//! * otherwise non-numeric text.
//!
//! Each column keeps only what its cells need (issue #9: 10 million rows must fit a browser
//! tab's wasm32 memory):
//! * `numeric`, 8 bytes a row (NaN where missing or non-numeric), only once some cell is a
//!   number — a column of text holds no numbers at all ([`Column::numeric`] is then empty);
//! * a missing-cell bitmap, one bit a row;
//! * a dictionary of the trimmed texts while there are at most [`DICTIONARY_CAP`] distinct
//!   values, with 16-bit codes (2 bytes a row);
//! * ISO 8601 timestamps (8 bytes a row) while every non-missing cell is one;
//! * 64-bit text hashes (8 bytes a row) only for a column of text whose dictionary was dropped
//!   for high cardinality (identifiers), the one case where the text is otherwise lost.
//!
//! Scores and features stay `f64`: reports are bit-compared with scikit-learn, and a score
//! rounded to `f32` can land in a different calibration bin or threshold cell.
//!
//! When the number of rows is known in advance ([`ColumnBuilder::reserve_rows`], from the file
//! size and the rows of the first chunk), the vectors are allocated once at that size instead
//! of doubling (which would leave up to half of each vector unused at the end).

#[cfg(test)]
use super::timestamp::parse_iso8601;
use super::timestamp::{DateCache, parse_iso8601_cached};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

mod merge;
pub(crate) use merge::{Reader, Refusal, write_strings, write_u64, write_u64s};

/// Most distinct values a column's dictionary keeps; beyond it the column is high-cardinality.
pub const DICTIONARY_CAP: usize = 4096;

/// Code of a missing cell in [`Dictionary::codes`].
pub const MISSING_CODE: u16 = u16::MAX;

// Every dictionary code fits 16 bits, with `MISSING_CODE` left over.
const _: () = assert!(DICTIONARY_CAP < MISSING_CODE as usize);

/// Line numbers of non-numeric cells kept per column, for messages.
const NON_NUMERIC_EXAMPLES: usize = 5;

/// Example values kept per column, for previews.
const EXAMPLES: usize = 5;

/// What a column holds, judged from all its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Every cell is missing (or there are no rows).
    Empty,
    /// Every non-missing cell is an ISO 8601 date or date-time.
    Timestamp,
    /// At least 90 % of the non-missing cells are numbers.
    Numeric,
    /// Text with at most [`DICTIONARY_CAP`] distinct values.
    Categorical,
    /// Text with more distinct values than that (free text, identifiers).
    Text,
}

/// The distinct trimmed texts of a column and, per row, the index of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Dictionary {
    /// Per row: index into `values`, or [`MISSING_CODE`] for a missing cell.
    pub codes: Vec<u16>,
    /// Distinct non-missing texts, in order of first appearance (invalid UTF-8 replaced by �).
    pub values: Vec<String>,
}

/// A bitmap, one bit per row.
#[derive(Debug, Clone, Default, PartialEq)]
struct Bits {
    words: Vec<u64>,
    len: usize,
}

impl Bits {
    #[inline]
    fn push(&mut self, bit: bool) {
        let at = self.len % 64;
        if at == 0 {
            self.words.push(u64::from(bit));
        } else if let Some(w) = self.words.last_mut() {
            *w |= u64::from(bit) << at;
        }
        self.len += 1;
    }

    fn get(&self, i: usize) -> bool {
        i < self.len && (self.words[i / 64] >> (i % 64)) & 1 == 1
    }

    fn reserve_to(&mut self, rows: usize) {
        reserve_to(&mut self.words, rows.div_ceil(64));
    }

    fn heap_bytes(&self) -> usize {
        vec_bytes(&self.words)
    }
}

/// Grow `v`'s capacity to `total` elements at once (not by doubling), if it is smaller.
fn reserve_to<T>(v: &mut Vec<T>, total: usize) {
    if v.capacity() < total {
        v.reserve_exact(total - v.len());
    }
}

/// Heap bytes a vector holds (its capacity).
fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

/// Heap bytes a vector of strings holds, the strings included.
fn strings_bytes(v: &Vec<String>) -> usize {
    vec_bytes(v) + v.iter().map(String::capacity).sum::<usize>()
}

/// One column of a [`super::Table`]. Equality compares numbers bit for bit, so NaN cells
/// (missing or non-numeric) compare equal.
#[derive(Debug, Clone)]
pub struct Column {
    /// The column's name (from the header, made unique).
    pub name: String,
    len: usize,
    numeric: Vec<f64>,
    missing: Bits,
    missing_count: u64,
    non_numeric_count: u64,
    non_numeric_lines: Vec<u64>,
    dictionary: Option<Dictionary>,
    timestamps: Option<Vec<f64>>,
    hashes: Option<Vec<u64>>,
    examples: Vec<String>,
}

impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        self.name == other.name
            && self.len == other.len
            && same(&self.numeric, &other.numeric)
            && self.missing == other.missing
            && self.missing_count == other.missing_count
            && self.non_numeric_count == other.non_numeric_count
            && self.non_numeric_lines == other.non_numeric_lines
            && self.dictionary == other.dictionary
            && match (&self.timestamps, &other.timestamps) {
                (Some(a), Some(b)) => same(a, b),
                (None, None) => true,
                _ => false,
            }
            && self.examples == other.examples
    }
}

impl Column {
    /// A column of `len` rows whose cells were not parsed yet (a load that reads some
    /// columns first, [`crate::core::stream::FileLoader::defer_columns`]): every cell missing,
    /// so the column is [`ColumnKind::Empty`] until the whole file is parsed again.
    pub fn pending(name: String, len: usize) -> Self {
        let mut words = vec![u64::MAX; len.div_ceil(64)];
        // Only the bits of rows are set, as pushing `len` missing cells sets them.
        if let Some(last) = words.last_mut()
            && !len.is_multiple_of(64)
        {
            *last = (1u64 << (len % 64)) - 1;
        }
        Self {
            name,
            len,
            numeric: Vec::new(),
            missing: Bits { words, len },
            missing_count: len as u64,
            non_numeric_count: 0,
            non_numeric_lines: Vec::new(),
            dictionary: None,
            timestamps: None,
            hashes: None,
            examples: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Per row: the number, or NaN where the cell is missing or not a number. **Empty** when
    /// no cell of the column is a number (a column of text keeps no numbers): index with
    /// `.get(row)`, or use [`Column::number`].
    pub fn numeric(&self) -> &[f64] {
        &self.numeric
    }

    /// The number in `row`, or NaN where the cell is missing, not a number, or out of range.
    pub fn number(&self, row: usize) -> f64 {
        self.numeric.get(row).copied().unwrap_or(f64::NAN)
    }

    /// Heap bytes the column holds (its vectors' capacities, dictionary texts included).
    pub fn heap_bytes(&self) -> usize {
        self.name.capacity()
            + vec_bytes(&self.numeric)
            + self.missing.heap_bytes()
            + vec_bytes(&self.non_numeric_lines)
            + self
                .dictionary
                .as_ref()
                .map_or(0, |d| vec_bytes(&d.codes) + strings_bytes(&d.values))
            + self.timestamps.as_ref().map_or(0, vec_bytes)
            + self.hashes.as_ref().map_or(0, vec_bytes)
            + strings_bytes(&self.examples)
    }

    /// The trimmed text of `row`, if the column kept its dictionary and the cell is not missing.
    /// High-cardinality columns ([`ColumnKind::Text`], or numeric columns with more than
    /// [`DICTIONARY_CAP`] distinct values) do not keep text: use [`Column::numeric`].
    pub fn text(&self, row: usize) -> Option<&str> {
        let d = self.dictionary.as_ref()?;
        let code = *d.codes.get(row)?;
        d.values.get(code as usize).map(String::as_str)
    }

    /// Whether the cell at `row` is empty or a missing-value marker.
    pub fn is_missing(&self, row: usize) -> bool {
        self.missing.get(row)
    }

    /// Number of missing cells.
    pub fn missing_count(&self) -> u64 {
        self.missing_count
    }

    /// Number of cells that are neither missing nor numbers.
    pub fn non_numeric_count(&self) -> u64 {
        self.non_numeric_count
    }

    /// Editor line numbers of the first few non-numeric cells.
    pub fn non_numeric_lines(&self) -> &[u64] {
        &self.non_numeric_lines
    }

    /// Number of distinct non-missing texts, or `None` if over [`DICTIONARY_CAP`].
    pub fn distinct_count(&self) -> Option<usize> {
        self.dictionary.as_ref().map(|d| d.values.len())
    }

    /// The dictionary encoding, if the column has at most [`DICTIONARY_CAP`] distinct values.
    pub fn dictionary(&self) -> Option<&Dictionary> {
        self.dictionary.as_ref()
    }

    /// Per row: seconds since the Unix epoch (NaN where missing), if every non-missing cell is
    /// an ISO 8601 date or date-time.
    pub fn timestamps(&self) -> Option<&[f64]> {
        self.timestamps.as_deref()
    }

    /// Per row: a 64-bit hash of the text ([`text_hash`]; 0 where missing), kept when no
    /// non-missing cell is a number and the dictionary was dropped for high cardinality — for
    /// duplicate checks of text ids. (While the dictionary is kept, hash [`Column::text`]; a
    /// timestamp column identifies rows by [`instant_hash`] of [`Column::timestamps`].)
    pub fn text_hashes(&self) -> Option<&[u64]> {
        self.hashes.as_deref()
    }

    /// Up to five distinct non-missing values, in order of first appearance.
    pub fn examples(&self) -> &[String] {
        &self.examples
    }

    /// What the column holds; see [`ColumnKind`] for the rules, applied in its order.
    pub fn kind(&self) -> ColumnKind {
        let present = self.len() as u64 - self.missing_count;
        if present == 0 {
            ColumnKind::Empty
        } else if self.timestamps.is_some() {
            ColumnKind::Timestamp
        } else if (present - self.non_numeric_count) * 10 >= present * 9 {
            ColumnKind::Numeric
        } else if self.dictionary.is_some() {
            ColumnKind::Categorical
        } else {
            ColumnKind::Text
        }
    }
}

/// Whether a trimmed cell is a missing-value marker.
pub fn is_missing_marker(t: &[u8]) -> bool {
    const MARKERS: [&[u8]; 8] = [b"na", b"n/a", b"#n/a", b"nan", b"null", b"none", b"?", b"-"];
    match t.first() {
        None => true,
        Some(b'n' | b'N' | b'#' | b'?' | b'-') if t.len() <= 4 => {
            MARKERS.iter().any(|m| t.eq_ignore_ascii_case(m))
        }
        Some(_) => false,
    }
}

/// The number in a trimmed cell, if it is one (NaN is never returned: it is missing).
pub fn parse_number(t: &[u8]) -> Option<f64> {
    if let Some(v) = fast_decimal(t) {
        return Some(v);
    }
    let first = *t.first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    // `str::parse` accepts only digits, signs, `.`, `e` and the letters of `inf`, `infinity`
    // and `nan` (any case): a cell with any other byte (a timestamp's `:`, a code's letters)
    // is no number, and is turned away before the UTF-8 check and the full parser. The test
    // lets a few other bytes through (`| 0x20` folds case), which the parser then rejects.
    if !t.iter().all(|&b| {
        matches!(
            b | 0x20,
            b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'i' | b'n' | b'f' | b't' | b'y' | b'a'
        )
    }) {
        return None;
    }
    let s = std::str::from_utf8(t).ok()?;
    s.parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// Plain decimals (`-12.345`, at most 15 digits, no exponent) by Clinger's fast path: the
/// digits form an integer m < 2^53 and the value is m / 10^k with k ≤ 15, both exact in f64,
/// so one correctly rounded division gives the correctly rounded result, bit for bit what
/// `str::parse` gives. Anything else returns `None` and goes to `str::parse`.
///
/// Cells of at most eight bytes after the sign (`0.081584`, `-45.9655`: most scores and
/// features) are read a word at a time ([`short_decimal`]); longer ones digit by digit.
#[inline]
fn fast_decimal(t: &[u8]) -> Option<f64> {
    decimal_in(t, t.len())
}

/// [`fast_decimal`] of the cell `w[..n]`, where `w` may run on past the cell (the rest of
/// its record and chunk): the word of a short cell is then one unaligned load, masked to the
/// cell ([`window_word`]), instead of [`load_le`]'s branches. Inlined into the short path of
/// [`ColumnBuilder::push_window`], which runs for most numeric cells of a log.
#[inline(always)]
fn decimal_in(w: &[u8], n: usize) -> Option<f64> {
    let t = w.get(..n)?;
    let first = *t.first()?;
    let negative = first == b'-';
    let skip = usize::from(negative || first == b'+');
    let count = n - skip;
    let (mantissa, scale) = if count <= 8 {
        short_decimal_word(window_word(w, skip, count), count)?
    } else {
        long_decimal(&t[skip..])?
    };
    // The mantissa is below 10^15 < 2^63: the signed conversion is exact, the same value as
    // the unsigned one, and one instruction on x86-64 and in wasm engines.
    let v = mantissa as i64 as f64 / POW10[scale];
    Some(if negative { -v } else { v })
}

/// The `n` ≤ 8 bytes `w[from..from + n]` as a little-endian integer, zero above them (what
/// [`load_le`] gives for them): one eight-byte load masked to `n` bytes when `w` holds eight
/// bytes from `from`, else [`load_le`].
#[inline(always)]
fn window_word(w: &[u8], from: usize, n: usize) -> u64 {
    match w.get(from..from + 8) {
        Some(b) => {
            let mut word = [0u8; 8];
            word.copy_from_slice(b);
            let x = u64::from_le_bytes(word);
            // Keep the low `n` bytes: a shift of 64 (n = 0) keeps none.
            x & u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0)
        }
        None => w.get(from..from + n).map_or(0, load_le),
    }
}

/// Exact powers of ten up to 10^15 (every one is an f64 without rounding).
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);

/// Bits set in the zero bytes of `x` (bit 7 of the byte); exact for the lowest zero byte
/// only (the "has a zero byte" trick: Mycroft, 1987; Anderson, *Bit Twiddling Hacks*).
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// An unsigned decimal of 1 to 8 bytes (digits and at most one `.`, at least one digit) as
/// (digits as an integer, digits after the point), read as one little-endian word: the point
/// is found and squeezed out with word operations, the digits right-aligned behind `0`s and
/// checked and combined eight at a time (Lemire's `is_made_of_eight_digits_fast` and
/// `parse_eight_digits_unrolled`, as in fast_float / simdjson), so no loop runs per digit.
/// The same (mantissa, scale) as [`long_decimal`] for every input of that length.
#[cfg(test)]
fn short_decimal(digits: &[u8]) -> Option<(u64, usize)> {
    short_decimal_word(load_le(digits), digits.len())
}

/// [`short_decimal`] of the `n` ≤ 8 bytes whose little-endian word (zero above them) is `w`.
#[inline(always)]
fn short_decimal_word(w: u64, n: usize) -> Option<(u64, usize)> {
    if n == 0 {
        return None;
    }
    // The lowest `.`, if any: bytes above `n` are 0, never a `.`.
    let dots = zero_bytes(w ^ (ONES * u64::from(b'.')));
    let (w, count, scale) = if dots == 0 {
        (w, n, 0)
    } else {
        let p = (dots.trailing_zeros() / 8) as usize;
        // p < n <= 8, so the shift is at most 56.
        let below = (1u64 << (8 * p)) - 1;
        ((w & below) | ((w >> 8) & !below), n - 1, n - 1 - p)
    };
    if count == 0 {
        return None;
    }
    // Right-align the `count` digit bytes; the bytes below them become leading `0`s.
    let shift = 8 * (8 - count) as u32;
    let zeros = ONES * u64::from(b'0');
    let pad = zeros & ((1u64 << shift) - 1);
    let v = (w << shift) | pad;
    // Every byte in `0`..=`9` (a second `.` or any other byte fails).
    let high = 0xF0F0_F0F0_F0F0_F0F0u64;
    if (v & high) | ((v.wrapping_add(ONES * 6) & high) >> 4) != ONES * 0x33 {
        return None;
    }
    let mut v = v - zeros;
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    v = (v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some((v, scale))
}

/// An unsigned decimal of up to 16 bytes (at most 15 digits and one `.`) as (digits as an
/// integer, digits after the point), digit by digit.
#[inline]
fn long_decimal(digits: &[u8]) -> Option<(u64, usize)> {
    let n = digits.len();
    if n == 0 || n > 16 {
        return None;
    }
    // The integer digits, then (after one `.`) the fraction's: two tight loops, no per-byte
    // state. At most 16 bytes, so the mantissa (≤ 16 digits) cannot overflow a u64.
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while i < n {
        let d = digits[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mantissa = mantissa * 10 + u64::from(d);
        i += 1;
    }
    let mut scale = 0;
    let point = i < n;
    if point {
        if digits[i] != b'.' {
            return None;
        }
        i += 1;
        scale = n - i;
        while i < n {
            let d = digits[i].wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            mantissa = mantissa * 10 + u64::from(d);
            i += 1;
        }
    }
    // Digits: every byte but the point, if there was one.
    let count = n - usize::from(point);
    if count == 0 || count > 15 {
        return None;
    }
    Some((mantissa, scale))
}

/// A small, fast, non-cryptographic hasher (the Fx hash of rustc) for dictionary lookups.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_u128(&mut self, n: u128) {
        self.add(n as u64);
        self.add((n >> 64) as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

type FxBuild = BuildHasherDefault<FxHasher>;

/// Slots of [`DictBuilder::slots`] (a power of two).
const SLOTS: usize = 16;

/// A slot of [`DictBuilder::slots`] that holds no key (no short key is 255 bytes long).
const EMPTY_SLOT: ((u128, u8), u16) = ((0, u8::MAX), 0);

/// The slot of a short key: its words folded and multiplied by 2^64 / φ (Fibonacci hashing,
/// Knuth, *TAOCP* vol. 3, 6.4), the top bits taken.
#[inline]
fn slot_of(k: (u128, u8)) -> usize {
    let x = (k.0 as u64) ^ ((k.0 >> 64) as u64).rotate_left(29) ^ u64::from(k.1);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - SLOTS.trailing_zeros())) as usize
}

/// The distinct texts of a [`DictBuilder`], in order, in one buffer. A `String` each cost an
/// allocation as the value came and a free when the dictionary was dropped: a numeric column
/// takes [`DICTIONARY_CAP`] values before it drops it, which made the first 512 KiB of the
/// 1M-row log (12 columns) cost eight times a later slice to parse (59 M instructions against
/// ≈ 6 M natively; ≈ 50 ms in the browser's worker), and every numeric column of a wide log
/// adds as much.
#[derive(Default)]
struct Texts {
    /// The texts one after another: valid UTF-8 (only `str`s and ASCII bytes are pushed),
    /// kept as bytes so that an ASCII cell is copied without validating it as a `str`.
    bytes: Vec<u8>,
    /// Per text, where it ends in `bytes`.
    ends: Vec<usize>,
}

impl Texts {
    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th text.
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        std::str::from_utf8(self.bytes.get(start..end)?).ok()
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn push(&mut self, text: &str) {
        self.bytes.extend_from_slice(text.as_bytes());
        self.ends.push(self.bytes.len());
    }

    /// Push the text of `raw`, invalid UTF-8 replaced by � (`String::from_utf8_lossy`);
    /// whether anything was replaced.
    fn push_lossy(&mut self, raw: &[u8]) -> bool {
        if raw.is_ascii() {
            self.bytes.extend_from_slice(raw);
            self.ends.push(self.bytes.len());
            return false;
        }
        let text = String::from_utf8_lossy(raw);
        self.push(&text);
        matches!(text, std::borrow::Cow::Owned(_))
    }

    /// One `String` per text, for the finished [`Dictionary`].
    fn into_strings(self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// Dictionary under construction. Texts of up to 16 bytes are keyed by value (no pointer
/// chasing or `memcmp` on lookup); longer ones by their bytes.
struct DictBuilder {
    /// A direct-mapped cache in front of `short`: each short key inserted goes to its
    /// [`slot_of`] too if that slot is still empty, so a column of a few values (a label, a
    /// model version, a segment, a country) mostly finds its cell with one comparison,
    /// without hashing. `short` holds every short key; a key not in its slot is looked up
    /// there.
    slots: [((u128, u8), u16); SLOTS],
    short: HashMap<(u128, u8), u16, FxBuild>,
    /// The short key found or inserted last and its code: consecutive rows often repeat a
    /// value (a model version, a segment), which then costs one comparison, not a lookup.
    last: Option<((u128, u8), u16)>,
    long: HashMap<Box<[u8]>, u16, FxBuild>,
    codes: Vec<u16>,
    values: Texts,
    /// [`text_hash`] of each value's raw bytes (before any UTF-8 replacement), so the per-row
    /// hashes can be rebuilt exactly if the dictionary is dropped.
    value_hashes: Vec<u64>,
    /// Per value, from the first: [`parse_number`] of its text (NaN where it is no number), so
    /// a cell found in the dictionary is not parsed again (the short path of
    /// [`ColumnBuilder::push`]). Filled by `push` only; shorter than `values` once a value came
    /// another way (a typed number), and then not extended.
    numbers: Vec<f64>,
}

/// The key of the text `w[..n]` if it has at most 16 bytes; `w` may run on past the text:
/// each half of the key is then one load masked to the text ([`window_word`]).
#[inline(always)]
fn short_key_in(w: &[u8], n: usize) -> Option<(u128, u8)> {
    if n > 16 {
        return None;
    }
    // Built in registers: copying into a stack buffer and reading it back as one integer
    // stalls on store forwarding.
    let low = n.min(8);
    let hi = if n > 8 { window_word(w, 8, n - 8) } else { 0 };
    Some((
        u128::from(window_word(w, 0, low)) | (u128::from(hi) << 64),
        n as u8,
    ))
}

/// Up to eight bytes as a little-endian integer (byte `i` in bits `8i..8i + 8`, zero above).
/// Two overlapping loads of 4 (or 2) bytes each, combined, instead of a loop per byte (the
/// overlapping bytes are the same in both, so `|` keeps them).
#[inline]
fn load_le(b: &[u8]) -> u64 {
    let k = b.len();
    if k >= 8 {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    } else if k >= 4 {
        let lo = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let hi = u64::from(u32::from_le_bytes([b[k - 4], b[k - 3], b[k - 2], b[k - 1]]));
        lo | (hi << (8 * (k - 4)))
    } else if k >= 2 {
        let lo = u64::from(u16::from_le_bytes([b[0], b[1]]));
        let hi = u64::from(u16::from_le_bytes([b[k - 2], b[k - 1]]));
        lo | (hi << (8 * (k - 2)))
    } else {
        b.first().map_or(0, |&x| u64::from(x))
    }
}

impl DictBuilder {
    /// The code of the text `t`, if it is in the dictionary.
    fn get(&mut self, t: &[u8]) -> Option<u16> {
        self.get_in(t, t.len())
    }

    /// [`DictBuilder::get`] of the text `w[..n]`, where `w` may run on past it (see
    /// [`short_key_in`]).
    #[inline(always)]
    fn get_in(&mut self, w: &[u8], n: usize) -> Option<u16> {
        match short_key_in(w, n) {
            Some(k) => match self.last {
                Some((last, code)) if last == k => Some(code),
                _ => {
                    let code = match self.slots[slot_of(k)] {
                        (key, code) if key == k => code,
                        _ => self.short.get(&k).copied()?,
                    };
                    self.last = Some((k, code));
                    Some(code)
                }
            },
            None => self.long.get(w.get(..n)?).copied(),
        }
    }

    fn insert(&mut self, t: &[u8], code: u16) {
        match short_key_in(t, t.len()) {
            Some(k) => {
                let slot = &mut self.slots[slot_of(k)];
                if *slot == EMPTY_SLOT {
                    *slot = (k, code);
                }
                self.short.insert(k, code);
                self.last = Some((k, code));
            }
            None => {
                self.long.insert(t.into(), code);
            }
        }
    }
}

/// Builds a [`Column`] one cell at a time.
pub(crate) struct ColumnBuilder {
    name: String,
    rows: usize,
    /// Rows the vectors are sized for (0: grow as needed).
    planned: usize,
    /// Empty until the first number (then NaN-filled up to it).
    numeric: Vec<f64>,
    missing: Bits,
    missing_count: u64,
    non_numeric_count: u64,
    non_numeric_lines: Vec<u64>,
    dictionary: Option<DictBuilder>,
    timestamps: Option<Vec<f64>>,
    /// The last date part parsed in this column (consecutive rows share it).
    date_cache: DateCache,
    /// Whether no non-missing cell has been a number (text hashes may still be needed).
    text_only: bool,
    /// Per-row text hashes, from the moment a text-only column drops its dictionary.
    hashes: Option<Vec<u64>>,
    /// The dictionary was dropped while every cell was a timestamp: hashes are made (from the
    /// instants) only if a later cell is not one.
    hash_deferred: bool,
    examples: Vec<String>,
    /// Set when some text was not valid UTF-8: the line of the first such cell.
    pub invalid_utf8_line: Option<u64>,
    /// [`ColumnBuilder::numbers_only`] as of the end of the last general path of
    /// [`ColumnBuilder::push`] (it only becomes true there, and never false again), so the
    /// short path for numbers costs one test, not five.
    settled_numbers: bool,
    /// [`ColumnBuilder::stamps_only`] as of the end of the last general path of
    /// [`ColumnBuilder::push_window`] (the timestamp short path keeps it true).
    settled_stamps: bool,
}

impl ColumnBuilder {
    /// An empty column called `name`.
    pub fn new(name: String) -> Self {
        Self {
            name,
            rows: 0,
            planned: 0,
            numeric: Vec::new(),
            missing: Bits::default(),
            missing_count: 0,
            non_numeric_count: 0,
            non_numeric_lines: Vec::new(),
            dictionary: Some(DictBuilder {
                slots: [EMPTY_SLOT; SLOTS],
                short: HashMap::default(),
                last: None,
                long: HashMap::default(),
                codes: Vec::new(),
                values: Texts::default(),
                value_hashes: Vec::new(),
                numbers: Vec::new(),
            }),
            timestamps: Some(Vec::new()),
            date_cache: DateCache::default(),
            text_only: true,
            hashes: None,
            hash_deferred: false,
            examples: Vec::new(),
            invalid_utf8_line: None,
            settled_numbers: false,
            settled_stamps: false,
        }
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Size the per-row vectors for `rows` rows in all (a projection; more rows still fit, by
    /// growing). Vectors the column does not need (any more) are not allocated.
    pub fn reserve_rows(&mut self, rows: usize) {
        self.planned = rows;
        self.missing.reserve_to(rows);
        if !self.numeric.is_empty() {
            reserve_to(&mut self.numeric, rows);
        }
        if let Some(d) = &mut self.dictionary {
            reserve_to(&mut d.codes, rows);
        }
        if let Some(ts) = &mut self.timestamps {
            reserve_to(ts, rows);
        }
        if let Some(h) = &mut self.hashes {
            reserve_to(h, rows);
        }
    }

    /// Bytes a row adds to this column as it stands (its live per-row vectors), for memory
    /// projections.
    pub fn bytes_per_row(&self) -> f64 {
        let mut b = 0.125;
        if !self.numeric.is_empty() {
            b += 8.0;
        }
        if self.dictionary.is_some() {
            b += 2.0;
        }
        if self.timestamps.is_some() {
            b += 8.0;
        }
        if self.hashes.is_some() {
            b += 8.0;
        }
        b
    }

    fn text_of(&mut self, t: &[u8], line: u64) -> String {
        let text = String::from_utf8_lossy(t);
        if matches!(text, std::borrow::Cow::Owned(_)) && self.invalid_utf8_line.is_none() {
            self.invalid_utf8_line = Some(line);
        }
        text.into_owned()
    }

    /// The first number of the column: from now on it keeps numbers (NaN for earlier rows).
    /// `row` is the index of the row with that first number.
    fn start_numbers(&mut self, row: usize) {
        let mut v = Vec::with_capacity(self.planned.max(row + 1));
        v.resize(row, f64::NAN);
        self.numeric = v;
        self.text_only = false;
        self.hashes = None;
        self.hash_deferred = false;
    }

    /// Whether the column by now keeps numbers and nothing else a cell could add to: no
    /// dictionary, timestamps or hashes, and all its examples. A number is then only pushed
    /// (the short path of [`ColumnBuilder::push`]). Once true it stays true: numbers are never
    /// dropped, and a dictionary, timestamps, text hashes or examples, once given up, never
    /// come back (text hashes only ever start in a column that has no numbers).
    #[inline]
    fn numbers_only(&self) -> bool {
        !self.numeric.is_empty()
            && self.dictionary.is_none()
            && self.timestamps.is_none()
            && self.hashes.is_none()
            && self.examples.len() >= EXAMPLES
    }

    /// The short path of [`ColumnBuilder::push`] for a trimmed, present cell `t` already in the
    /// dictionary, whose number is known from when its value was first read
    /// ([`DictBuilder::numbers`]): all the general path would do for it, without parsing it
    /// again (label, version, segment and country columns repeat a few values over every row).
    /// Only while the column keeps no timestamps or text hashes, which need more of the cell.
    /// `false` (nothing done) when it does not apply.
    /// `w[..n]` is the cell, `w` may run on past it (see [`ColumnBuilder::push_window`]).
    #[inline]
    fn push_known(&mut self, w: &[u8], n: usize, line: u64) -> bool {
        if self.timestamps.is_some() || self.hashes.is_some() {
            return false;
        }
        let Some(d) = &mut self.dictionary else {
            return false;
        };
        let Some(code) = d.get_in(w, n) else {
            return false;
        };
        let Some(&number) = d.numbers.get(usize::from(code)) else {
            return false;
        };
        d.codes.push(code);
        let row = self.rows;
        self.rows += 1;
        self.missing.push(false);
        if number.is_nan() {
            if !self.numeric.is_empty() {
                self.numeric.push(f64::NAN);
            }
            self.non_numeric_count += 1;
            if self.non_numeric_lines.len() < NON_NUMERIC_EXAMPLES {
                self.non_numeric_lines.push(line);
            }
        } else {
            if self.numeric.is_empty() {
                self.start_numbers(row);
            }
            self.numeric.push(number);
        }
        true
    }

    /// Whether the column by now keeps timestamps and nothing else a timestamp cell could add
    /// to: no numbers, dictionary or text hashes, and all its examples and non-numeric line
    /// examples. A timestamp cell is then only pushed (the timestamp short path of
    /// [`ColumnBuilder::push_window`]); that path changes none of these conditions.
    #[inline]
    fn stamps_only(&self) -> bool {
        self.timestamps.is_some()
            && self.numeric.is_empty()
            && self.dictionary.is_none()
            && self.hashes.is_none()
            && self.examples.len() >= EXAMPLES
            && self.non_numeric_lines.len() >= NON_NUMERIC_EXAMPLES
    }

    /// Add the raw cell of the next row, which starts on editor line `line`.
    pub fn push(&mut self, cell: &[u8], line: u64) {
        self.push_window(cell, cell.len(), line);
    }

    /// [`ColumnBuilder::push`] of the raw cell `w[..len]`, where `w` may run on past the cell
    /// (the rest of its record and of the parsed chunk): short cells are then read with one
    /// masked word load each (see [`decimal_in`], [`short_key_in`]). The bytes after the cell
    /// never change the result.
    #[inline]
    pub fn push_window(&mut self, w: &[u8], len: usize, line: u64) {
        let cell = &w[..len];
        // Trimmed: `t` is `w[..n]` of the window moved past any leading whitespace. A cell
        // whose end bytes are above the space (so no ASCII whitespace) is its own trim.
        let (w, t) = match (cell.first(), cell.last()) {
            (Some(&a), Some(&b)) if a > b' ' && b > b' ' => (w, cell),
            _ => {
                let start = cell.trim_ascii_start();
                (&w[len - start.len()..], start.trim_ascii_end())
            }
        };
        let n = t.len();
        // The short paths come before the missing-marker test: no marker is a plain decimal,
        // a timestamp (ten bytes or more) or ever a dictionary value (markers are pushed as
        // missing, typed numbers' texts are never one), so a cell a short path takes is not
        // missing.
        if self.settled_numbers {
            if let Some(v) = decimal_in(w, n) {
                // All the general path below would do for this cell.
                self.rows += 1;
                self.missing.push(false);
                self.numeric.push(v);
                return;
            }
        } else if self.settled_stamps {
            if let Some(ts) = &mut self.timestamps
                && let Some(secs) = parse_iso8601_cached(t, &mut self.date_cache)
            {
                // All the general path below would do for this cell (see `stamps_only`).
                ts.push(secs);
                self.rows += 1;
                self.missing.push(false);
                self.non_numeric_count += 1;
                return;
            }
        } else if self.push_known(w, n, line) {
            return;
        }
        if is_missing_marker(t) {
            self.push_missing();
            return;
        }
        let row = self.rows;
        self.rows += 1;
        self.missing.push(false);
        // A timestamp is never a number: it starts with four digits and a `-`, which no
        // `f64` literal does (a `-` there follows an `e`); so `parse_number` runs only on cells
        // that are not timestamps (the property test `timestamps_are_not_numbers` checks it).
        let stamp = match self.timestamps {
            Some(_) => parse_iso8601_cached(t, &mut self.date_cache),
            None => None,
        };
        let number = match stamp {
            Some(_) => None,
            None => parse_number(t),
        };
        match number {
            Some(v) => {
                if self.numeric.is_empty() {
                    self.start_numbers(row);
                }
                self.numeric.push(v);
            }
            None => {
                if !self.numeric.is_empty() {
                    self.numeric.push(f64::NAN);
                }
                if let Some(h) = &mut self.hashes {
                    h.push(text_hash(t));
                }
                self.non_numeric_count += 1;
                if self.non_numeric_lines.len() < NON_NUMERIC_EXAMPLES {
                    self.non_numeric_lines.push(line);
                }
            }
        }
        if let Some(ts) = &mut self.timestamps {
            match stamp {
                Some(secs) => ts.push(secs),
                None => self.drop_timestamps(t),
            }
        }
        let mut new_value = self.examples.len() < EXAMPLES;
        if let Some(d) = &mut self.dictionary {
            match d.get(t) {
                Some(code) => {
                    d.codes.push(code);
                    new_value = false;
                }
                None if d.values.len() < DICTIONARY_CAP => {
                    let code = d.values.len() as u16;
                    d.insert(t, code);
                    d.codes.push(code);
                    if d.values.push_lossy(t) && self.invalid_utf8_line.is_none() {
                        self.invalid_utf8_line = Some(line);
                    }
                    d.value_hashes.push(text_hash(t));
                    if d.numbers.len() == usize::from(code) {
                        d.numbers.push(number.unwrap_or(f64::NAN));
                    }
                }
                None => self.drop_dictionary(t),
            }
        }
        if new_value && self.examples.len() < EXAMPLES {
            let text = self.text_of(t, line);
            if !self.examples.contains(&text) {
                self.examples.push(text);
            }
        }
        self.settled_numbers = self.numbers_only();
        self.settled_stamps = self.stamps_only();
    }

    /// Too many distinct values: forget the texts. A column of text keeps their hashes from
    /// here on, rebuilt for the earlier rows from the dictionary (`t` is the current cell,
    /// whose code was not pushed).
    fn drop_dictionary(&mut self, t: &[u8]) {
        let Some(d) = self.dictionary.take() else {
            return;
        };
        if !self.text_only {
            return;
        }
        if self.timestamps.is_some() {
            // Timestamps identify their rows by instant; hashes only if they stop being ones.
            self.hash_deferred = true;
            return;
        }
        let mut h = Vec::with_capacity(self.planned.max(self.rows));
        h.extend(d.codes.iter().map(|&c| match c {
            MISSING_CODE => 0,
            c => d.value_hashes.get(usize::from(c)).copied().unwrap_or(0),
        }));
        drop(d);
        h.push(text_hash(t));
        self.hashes = Some(h);
    }

    /// A cell that is not a timestamp (`t`, not yet pushed anywhere but `numeric`). A text
    /// column whose hashes were deferred gets them now: the earlier rows by instant
    /// ([`instant_hash`]), this one by its text.
    fn drop_timestamps(&mut self, t: &[u8]) {
        let Some(ts) = self.timestamps.take() else {
            return;
        };
        if !self.hash_deferred {
            return;
        }
        self.hash_deferred = false;
        if !self.text_only {
            return;
        }
        let mut h = Vec::with_capacity(self.planned.max(self.rows));
        h.extend(ts.iter().map(|&secs| instant_hash(secs)));
        drop(ts);
        // The cell's hash was not pushed (hashes were off when the text branch ran).
        h.push(text_hash(t));
        self.hashes = Some(h);
    }

    /// Add a missing cell (a null of a typed columnar file), as [`ColumnBuilder::push`] does
    /// for an empty cell or a missing-value marker.
    pub fn push_missing(&mut self) {
        self.rows += 1;
        if !self.numeric.is_empty() {
            self.numeric.push(f64::NAN);
        }
        self.missing.push(true);
        self.missing_count += 1;
        if let Some(d) = &mut self.dictionary {
            d.codes.push(MISSING_CODE);
        }
        if let Some(ts) = &mut self.timestamps {
            ts.push(f64::NAN);
        }
        if let Some(h) = &mut self.hashes {
            h.push(0);
        }
    }

    /// Add a typed number (a value of a columnar file's numeric or boolean column) without a
    /// text round trip; NaN is missing, as the `NaN` marker is in text. The dictionary keeps
    /// the number's shortest round-trip text (`1`, `0.25`), so label classes read the same as
    /// from a CSV of the same values; `text` is a scratch buffer the caller reuses.
    pub fn push_number(&mut self, v: f64, text: &mut String) {
        if v.is_nan() {
            self.push_missing();
            return;
        }
        let row = self.rows;
        self.rows += 1;
        self.missing.push(false);
        if self.numeric.is_empty() {
            self.start_numbers(row);
        }
        self.numeric.push(v);
        self.hashes = None;
        self.hash_deferred = false;
        self.timestamps = None;
        let wants_example = self.examples.len() < EXAMPLES;
        if self.dictionary.is_none() && !wants_example {
            return;
        }
        text.clear();
        {
            use std::fmt::Write;
            let _ = write!(text, "{v}");
        }
        let t = text.as_bytes();
        let mut new_value = wants_example;
        if let Some(d) = &mut self.dictionary {
            match d.get(t) {
                Some(code) => {
                    d.codes.push(code);
                    new_value = false;
                }
                None if d.values.len() < DICTIONARY_CAP => {
                    let code = d.values.len() as u16;
                    d.insert(t, code);
                    d.codes.push(code);
                    d.values.push(text);
                    d.value_hashes.push(text_hash(t));
                }
                // A numeric column keeps no hashes: forgetting the texts is all.
                None => self.dictionary = None,
            }
        }
        if new_value && !self.examples.contains(text) {
            self.examples.push(text.clone());
        }
    }

    /// The finished column (vectors trimmed to their length).
    pub fn finish(self) -> Column {
        let dictionary = self.dictionary.map(|mut d| {
            d.codes.shrink_to_fit();
            Dictionary {
                codes: d.codes,
                values: d.values.into_strings(),
            }
        });
        let mut numeric = self.numeric;
        numeric.shrink_to_fit();
        let mut missing = self.missing;
        missing.words.shrink_to_fit();
        let shrink = |v: Option<Vec<_>>| {
            v.map(|mut v| {
                v.shrink_to_fit();
                v
            })
        };
        Column {
            name: self.name,
            len: self.rows,
            numeric,
            missing,
            missing_count: self.missing_count,
            non_numeric_count: self.non_numeric_count,
            non_numeric_lines: self.non_numeric_lines,
            dictionary,
            timestamps: shrink(self.timestamps),
            hashes: self.hashes.map(|mut v| {
                v.shrink_to_fit();
                v
            }),
            examples: self.examples,
        }
    }
}

/// The identity of a timestamp cell by its instant (`secs` since the epoch): its bits, odd
/// so never 0 (0 is missing). Used for timestamp columns, which keep no text hashes.
pub fn instant_hash(secs: f64) -> u64 {
    if secs.is_nan() { 0 } else { secs.to_bits() | 1 }
}

/// FNV-1a 64-bit hash of a cell's bytes: identity of text values (ids) without keeping the
/// text. Missing cells are 0.
pub fn text_hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(cells: &[&str]) -> Column {
        let mut b = ColumnBuilder::new("c".into());
        for (i, c) in cells.iter().enumerate() {
            b.push(c.as_bytes(), i as u64 + 2);
        }
        b.finish()
    }

    #[test]
    fn missing_markers() {
        for m in [
            "", " ", "NA", "na", "N/A", "#N/A", "NaN", "nan", "null", "NULL", "None", "none", "?",
            "-", " NA ",
        ] {
            assert!(is_missing_marker(m.as_bytes().trim_ascii()), "{m:?}");
        }
        for m in ["0", "n", "nope", "--", "NAN1", "x"] {
            assert!(!is_missing_marker(m.as_bytes()), "{m:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0.5"), Some(0.5));
        assert_eq!(parse_number(b"1e-3"), Some(0.001));
        assert_eq!(parse_number(b".5"), Some(0.5));
        assert_eq!(parse_number(b"+2"), Some(2.0));
        assert_eq!(parse_number(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_number(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number(b"1e999"), Some(f64::INFINITY));
        assert_eq!(parse_number(b"nan"), None);
        assert_eq!(parse_number(b"0,5"), None);
        assert_eq!(parse_number(b"abc"), None);
        assert_eq!(parse_number(b""), None);
    }

    proptest::proptest! {
        /// The dictionary's text buffer gives each pushed text exactly as
        /// `String::from_utf8_lossy` does (the one `String` per value it replaced), and says
        /// which needed a replacement, on ASCII, other UTF-8 and arbitrary bytes.
        #[test]
        fn texts_are_the_lossy_strings(
            cells in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Strategy::prop_map("[ -~]{0,12}", String::into_bytes),
                    proptest::strategy::Strategy::prop_map("\\PC{0,6}", String::into_bytes),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..10),
                ],
                0..20,
            ),
        ) {
            let mut texts = Texts::default();
            for cell in &cells {
                let replaced = texts.push_lossy(cell);
                let lossy = String::from_utf8_lossy(cell);
                proptest::prop_assert_eq!(replaced, matches!(lossy, std::borrow::Cow::Owned(_)));
            }
            proptest::prop_assert_eq!(texts.len(), cells.len());
            let expected: Vec<String> =
                cells.iter().map(|c| String::from_utf8_lossy(c).into_owned()).collect();
            proptest::prop_assert_eq!(texts.into_strings(), expected);
        }
    }

    proptest::proptest! {
        /// The fast path gives exactly what `str::parse` gives.
        #[test]
        fn fast_decimals_match_std(
            sign in proptest::sample::select(vec!["", "-", "+"]),
            int in "[0-9]{0,9}",
            frac in proptest::option::of("[0-9]{0,9}"),
        ) {
            let text = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            let std = text.parse::<f64>().ok();
            match fast_decimal(text.as_bytes()) {
                Some(v) => proptest::prop_assert_eq!(Some(v.to_bits()), std.map(f64::to_bits)),
                None => proptest::prop_assert_eq!(parse_number(text.as_bytes()), std),
            }
        }
    }

    proptest::proptest! {
        /// Any cell, number or not (timestamps, codes, exponents, `inf`, stray bytes): exactly
        /// what `str::parse` gives, NaN excepted (a missing marker, never a number).
        #[test]
        fn numbers_match_std(
            text in "[0-9eE+.:TZinfatyINFATYx -]{0,24}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..12),
        ) {
            let std = |t: &[u8]| {
                std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.parse::<f64>().ok())
                    .filter(|v| !v.is_nan())
                    .map(f64::to_bits)
            };
            for t in [text.as_bytes(), bytes.as_slice()] {
                proptest::prop_assert_eq!(parse_number(t).map(f64::to_bits), std(t), "{:?}", t);
            }
        }
    }

    proptest::proptest! {
        /// The word-at-a-time reader of short decimals gives exactly what the digit loop gives
        /// (the digit loop is the reference), on decimal-like and on arbitrary bytes.
        #[test]
        fn short_decimals_match_the_digit_loop(
            text in "[0-9.]{0,8}",
            odd in "[0-9./+eE:a -]{0,8}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..9),
        ) {
            for t in [text.as_bytes(), odd.as_bytes(), bytes.as_slice()] {
                proptest::prop_assert_eq!(short_decimal(t), long_decimal(t), "{:?}", t);
            }
        }
    }

    /// [`ColumnBuilder::push`] as it was before its short paths (numbers-only columns, the
    /// timestamp tried before the number parser): the reference the property test
    /// `push_matches_the_reference` compares the real one with.
    fn push_reference(b: &mut ColumnBuilder, cell: &[u8], line: u64) {
        let t = cell.trim_ascii();
        if is_missing_marker(t) {
            b.push_missing();
            return;
        }
        let row = b.rows;
        b.rows += 1;
        b.missing.push(false);
        match parse_number(t) {
            Some(v) => {
                if b.numeric.is_empty() {
                    b.start_numbers(row);
                }
                b.numeric.push(v);
            }
            None => {
                if !b.numeric.is_empty() {
                    b.numeric.push(f64::NAN);
                }
                if let Some(h) = &mut b.hashes {
                    h.push(text_hash(t));
                }
                b.non_numeric_count += 1;
                if b.non_numeric_lines.len() < NON_NUMERIC_EXAMPLES {
                    b.non_numeric_lines.push(line);
                }
            }
        }
        if let Some(ts) = &mut b.timestamps {
            match parse_iso8601(t) {
                Some(secs) => ts.push(secs),
                None => b.drop_timestamps(t),
            }
        }
        let mut new_value = b.examples.len() < EXAMPLES;
        if let Some(d) = &mut b.dictionary {
            match d.get(t) {
                Some(code) => {
                    d.codes.push(code);
                    new_value = false;
                }
                None if d.values.len() < DICTIONARY_CAP => {
                    let code = d.values.len() as u16;
                    d.insert(t, code);
                    d.codes.push(code);
                    let text = String::from_utf8_lossy(t);
                    if matches!(text, std::borrow::Cow::Owned(_)) && b.invalid_utf8_line.is_none() {
                        b.invalid_utf8_line = Some(line);
                    }
                    d.values.push(&text);
                    d.value_hashes.push(text_hash(t));
                }
                None => b.drop_dictionary(t),
            }
        }
        if new_value && b.examples.len() < EXAMPLES {
            let text = b.text_of(t, line);
            if !b.examples.contains(&text) {
                b.examples.push(text);
            }
        }
    }

    /// A cell of any sort: plain and long decimals, exponents, markers, timestamps (runs of
    /// one date), codes, stray bytes.
    fn any_cell() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        prop_oneof![
            "-?[0-9]{1,3}\\.[0-9]{1,6}".prop_map(String::into_bytes),
            "[0-9]{1,18}(\\.[0-9]{0,4})?".prop_map(String::into_bytes),
            "[0-9]e-?[0-9]|inf|-inf|NA|nan|\\?| |".prop_map(String::into_bytes),
            "2026-01-0[1-2]T0[0-9]:[0-5][0-9]:[0-5][0-9](\\.[0-9]{3})?Z?"
                .prop_map(String::into_bytes),
            "[a-c ]{1,3}|v[0-9]".prop_map(String::into_bytes),
            proptest::collection::vec(proptest::num::u8::ANY, 0..10),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The column built by `push` equals the reference's, bit for bit, warnings' inputs
        /// included — from a fresh column and from one past the dictionary cap (all numbers,
        /// all timestamps, or all texts: the states where the short paths apply).
        #[test]
        fn push_matches_the_reference(
            prefix in 0usize..4,
            cells in proptest::collection::vec(any_cell(), 0..60),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..12),
        ) {
            let head: Vec<Vec<u8>> = match prefix {
                0 => Vec::new(),
                1 => (0..=DICTIONARY_CAP).map(|i| format!("{}.5", i).into_bytes()).collect(),
                2 => (0..=DICTIONARY_CAP)
                    .map(|i| format!("2026-01-01T{:02}:{:02}:{:02}Z", i / 3600, i / 60 % 60, i % 60)
                        .into_bytes())
                    .collect(),
                _ => (0..=DICTIONARY_CAP).map(|i| format!("id{i}").into_bytes()).collect(),
            };
            let mut fast = ColumnBuilder::new("c".into());
            let mut slow = ColumnBuilder::new("c".into());
            let mut windowed = ColumnBuilder::new("c".into());
            for (i, cell) in head.iter().chain(&cells).enumerate() {
                fast.push(cell, i as u64 + 2);
                push_reference(&mut slow, cell, i as u64 + 2);
                // The same cell followed by other bytes, as a chunk lends it.
                windowed.push_window(&[cell.as_slice(), &tail].concat(), cell.len(), i as u64 + 2);
            }
            proptest::prop_assert_eq!(fast.invalid_utf8_line, slow.invalid_utf8_line);
            proptest::prop_assert_eq!(windowed.invalid_utf8_line, slow.invalid_utf8_line);
            let (fast, slow, windowed) = (fast.finish(), slow.finish(), windowed.finish());
            proptest::prop_assert_eq!(&fast.hashes, &slow.hashes);
            proptest::prop_assert_eq!(&windowed.hashes, &slow.hashes);
            proptest::prop_assert_eq!(&windowed, &slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    proptest::proptest! {
        /// Columns of a few repeated values (numbers, text, markers, a timestamp, with and
        /// without spaces), where most cells are found in the dictionary and take its short
        /// path (their number known from the value's first cell), build what the reference
        /// builds, bit for bit.
        #[test]
        fn dictionary_hits_match_the_reference(
            cells in proptest::collection::vec(
                proptest::sample::select(vec![
                    "0", "1", " 1", "1.0", "-0", "2e3", "inf", "v1", "web", " web ", "US", "NA",
                    "", "2026-01-01T00:00:00Z", "x\u{e9}",
                ]),
                0..80,
            ),
            tail in "[0-9a-z.,\n ]{0,20}",
        ) {
            let mut fast = ColumnBuilder::new("c".into());
            let mut slow = ColumnBuilder::new("c".into());
            let mut windowed = ColumnBuilder::new("c".into());
            for (i, cell) in cells.iter().enumerate() {
                fast.push(cell.as_bytes(), i as u64 + 2);
                push_reference(&mut slow, cell.as_bytes(), i as u64 + 2);
                let w = format!("{cell}{tail}");
                windowed.push_window(w.as_bytes(), cell.len(), i as u64 + 2);
            }
            proptest::prop_assert_eq!(fast.invalid_utf8_line, slow.invalid_utf8_line);
            let (fast, slow, windowed) = (fast.finish(), slow.finish(), windowed.finish());
            proptest::prop_assert_eq!(&fast.hashes, &slow.hashes);
            proptest::prop_assert_eq!(&windowed, &slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    proptest::proptest! {
        /// A cell read from a window that runs on past it gives what the cell alone gives:
        /// its decimal (bit for bit) and its dictionary key, whatever bytes follow it.
        #[test]
        fn windows_read_only_their_cell(
            cell in proptest::collection::vec(
                proptest::sample::select(b"0123456789.-+ ab".to_vec()), 0..20),
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
        ) {
            let w = [cell.as_slice(), &tail].concat();
            let n = cell.len();
            proptest::prop_assert_eq!(
                decimal_in(&w, n).map(f64::to_bits),
                fast_decimal(&cell).map(f64::to_bits)
            );
            proptest::prop_assert_eq!(short_key_in(&w, n), short_key_in(&cell, n));
            for from in 0..=n.min(8) {
                let k = (n - from).min(8);
                proptest::prop_assert_eq!(
                    window_word(&w, from, k),
                    load_le(&cell[from..from + k])
                );
            }
        }
    }

    proptest::proptest! {
        /// No cell is both a timestamp and a number, so a timestamp cell may skip the number
        /// parser.
        #[test]
        fn timestamps_are_not_numbers(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?",
            odd in "[0-9eE+.:TZ -]{10,26}",
        ) {
            for t in [text.as_bytes(), odd.as_bytes()] {
                if parse_iso8601(t).is_some() {
                    proptest::prop_assert_eq!(parse_number(t), None, "{:?}", t);
                }
            }
        }
    }

    #[test]
    fn short_decimal_edges() {
        for s in [
            "", ".", "..", "0", "9", "1.", ".5", "12345678", "1234.567", "99999999", "9999999.",
            ".9999999", "0.081584", "1.2.3", "1/2", "12:30", "0.000001", "/", "1.0/", ":",
        ] {
            assert_eq!(
                short_decimal(s.as_bytes()),
                long_decimal(s.as_bytes()),
                "{s:?}"
            );
        }
        assert_eq!(short_decimal(b"0.081584"), Some((81_584, 6)));
        assert_eq!(short_decimal(b"12345678"), Some((12_345_678, 0)));
        for k in 0..=8 {
            let t = &b"12345678"[..k];
            assert_eq!(load_le(t).to_le_bytes()[..k], *t);
            assert_eq!(load_le(t) >> (8 * k as u32).min(63) >> u32::from(k == 8), 0);
        }
    }

    /// Lookups find every value, whether in its cache slot or only in the hash map (more
    /// values than slots, so some share a slot), and miss every other text, including the
    /// empty one whose key (0, 0) an unfilled slot must not be mistaken for.
    #[test]
    fn dictionary_lookups_through_the_slots() {
        let mut d = ColumnBuilder::new("c".into())
            .dictionary
            .expect("a new column has one");
        let texts: Vec<String> = (0..3 * SLOTS).map(|i| format!("value {i}")).collect();
        for (code, text) in texts.iter().enumerate() {
            assert_eq!(d.get(text.as_bytes()), None, "{text} before its insertion");
            d.insert(text.as_bytes(), code as u16);
            for (earlier, t) in texts[..=code].iter().enumerate().rev() {
                assert_eq!(d.get(t.as_bytes()), Some(earlier as u16), "{t}");
            }
            assert_eq!(d.get(b"value"), None);
            assert_eq!(d.get(b""), None);
            assert_eq!(d.get(&[0u8; 16]), None);
        }
        let cached = d.slots.iter().filter(|&&s| s != EMPTY_SLOT).count();
        assert!(cached > 1 && cached <= SLOTS, "{cached} slots filled");
        assert_eq!(d.short.len(), texts.len());
    }

    #[test]
    fn fast_path_edges() {
        for s in [
            "0.1",
            "0.3",
            "123456789012345",
            "9007199254740991",
            "1.",
            ".5",
            "-0",
            "-0.0",
        ] {
            assert_eq!(
                parse_number(s.as_bytes()).map(f64::to_bits),
                s.parse::<f64>().ok().map(f64::to_bits),
                "{s}"
            );
        }
        assert_eq!(fast_decimal(b"."), None);
        assert_eq!(fast_decimal(b"-"), None);
        assert_eq!(fast_decimal(b"1.2.3"), None);
        assert_eq!(fast_decimal(b"1e5"), None);
        assert_eq!(fast_decimal(b"1234567890123456"), None);
    }

    #[test]
    fn cells_are_classified() {
        let c = column(&[" 0.25 ", "NA", "oops", "inf", "0.25", ""]);
        assert_eq!(c.len(), 6);
        assert_eq!(c.numeric()[0], 0.25);
        assert!(c.numeric()[1].is_nan() && c.is_missing(1));
        assert!(c.numeric()[2].is_nan() && !c.is_missing(2));
        assert_eq!(c.numeric()[3], f64::INFINITY);
        assert!(c.is_missing(5));
        assert_eq!(c.missing_count(), 2);
        assert_eq!(c.non_numeric_count(), 1);
        assert_eq!(c.non_numeric_lines(), &[4]);
        assert_eq!(c.distinct_count(), Some(3));
        assert_eq!(c.text(0), Some("0.25"));
        assert_eq!(c.text(1), None);
        assert_eq!(c.text(2), Some("oops"));
        assert_eq!(c.examples(), &["0.25", "oops", "inf"]);
        // 3 of 4 present cells are numbers: below 90 %, so categorical.
        assert_eq!(c.kind(), ColumnKind::Categorical);
        assert!(c.timestamps().is_none());
    }

    #[test]
    fn kinds() {
        assert_eq!(column(&["", "NA"]).kind(), ColumnKind::Empty);
        assert_eq!(column(&[]).kind(), ColumnKind::Empty);
        assert_eq!(column(&["1", "2.5", ""]).kind(), ColumnKind::Numeric);
        let ts = column(&["2026-01-01", "", "2026-01-02T00:00:00Z"]);
        assert_eq!(ts.kind(), ColumnKind::Timestamp);
        assert_eq!(ts.timestamps().map(|t| t[2] - t[0]), Some(86_400.0));
        assert_eq!(column(&["a", "b", "a"]).kind(), ColumnKind::Categorical);
        let cells: Vec<String> = (0..=DICTIONARY_CAP).map(|i| format!("id{i}")).collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let text = column(&refs);
        assert_eq!(text.kind(), ColumnKind::Text);
        assert_eq!(text.distinct_count(), None);
        assert_eq!(text.text(0), None);
        assert_eq!(text.examples().len(), 5);
    }

    #[test]
    fn dictionary_kept_up_to_the_cap() {
        let cells: Vec<String> = (0..DICTIONARY_CAP).map(|i| format!("v{i}")).collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let c = column(&refs);
        assert_eq!(c.distinct_count(), Some(DICTIONARY_CAP));
        assert_eq!(c.text(DICTIONARY_CAP - 1), Some("v4095"));
    }

    #[test]
    fn text_columns_keep_no_numbers_and_hashes_only_without_a_dictionary() {
        let small = column(&["web", "", "app", "web"]);
        assert!(small.numeric().is_empty());
        assert!(small.number(0).is_nan() && small.number(9).is_nan());
        assert_eq!(small.len(), 4);
        assert!(small.text_hashes().is_none());
        assert_eq!(
            small.dictionary().map(|d| d.codes.clone()),
            Some(vec![0, MISSING_CODE, 1, 0])
        );
        // Past the cap: hashes of every row's text, the earlier rows rebuilt exactly.
        let mut cells: Vec<String> = (0..=DICTIONARY_CAP).map(|i| format!("id{i}")).collect();
        cells.insert(3, "NA".into());
        cells.push("id7".into());
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let ids = column(&refs);
        let want: Vec<u64> = refs
            .iter()
            .map(|c| {
                if *c == "NA" {
                    0
                } else {
                    text_hash(c.as_bytes())
                }
            })
            .collect();
        assert_eq!(ids.text_hashes(), Some(want.as_slice()));
        assert!(ids.numeric().is_empty());
        // A number late in a text column: NaN for the rows before it, no hashes.
        let late = column(&["a", "b", "2.5"]);
        assert_eq!(late.numeric().len(), 3);
        assert!(late.numeric()[0].is_nan() && late.numeric()[1].is_nan());
        assert_eq!(late.number(2), 2.5);
        assert!(late.text_hashes().is_none());
    }

    #[test]
    fn timestamp_columns_hash_by_instant_only_when_they_stop_being_timestamps() {
        let mut cells: Vec<String> = (0..=DICTIONARY_CAP)
            .map(|i| format!("2026-01-01T00:00:{:02}.{:03}Z", i / 1000, i % 1000))
            .collect();
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let ts = column(&refs);
        assert_eq!(ts.kind(), ColumnKind::Timestamp);
        assert!(ts.text_hashes().is_none() && ts.numeric().is_empty());
        cells.push("later".into());
        let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
        let mixed = column(&refs);
        assert!(mixed.timestamps().is_none());
        let h = mixed.text_hashes().unwrap();
        assert_eq!(h.len(), refs.len());
        assert_eq!(
            h[5],
            instant_hash(parse_iso8601(refs[5].as_bytes()).unwrap())
        );
        assert_eq!(h[refs.len() - 1], text_hash(b"later"));
    }

    #[test]
    fn reserved_columns_equal_grown_ones_and_hold_no_slack() {
        let cells = ["0.5", "x", "", "0.25", "NA", "1e3"];
        let mut b = ColumnBuilder::new("c".into());
        b.reserve_rows(100);
        for (i, c) in cells.iter().enumerate() {
            b.push(c.as_bytes(), i as u64 + 2);
        }
        let reserved = b.finish();
        assert_eq!(reserved, column(&cells));
        // After `finish` the per-row vectors are trimmed to 6 rows.
        assert_eq!(reserved.numeric().len(), 6);
        assert!(reserved.heap_bytes() < 1024, "{}", reserved.heap_bytes());
    }

    #[test]
    fn invalid_utf8_is_replaced_and_noted() {
        let mut b = ColumnBuilder::new("c".into());
        b.push(b"ok", 2);
        b.push(b"M\xfcnchen", 3);
        assert_eq!(b.invalid_utf8_line, Some(3));
        let c = b.finish();
        assert_eq!(c.text(1), Some("M\u{fffd}nchen"));
    }
}
