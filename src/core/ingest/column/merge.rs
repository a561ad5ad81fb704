//! Appending the rows of a column parsed on its own (the second half of a file, see
//! `ingest::split`) to a column builder that holds the rows before them, so that the result is
//! exactly what one builder fed every row gives — or a refusal, after which the caller parses
//! the rest itself. Also a compact binary form of a finished [`Column`], for handing a half
//! from one Web Worker to another.
//!
//! What the single path would do is derived from the two halves' states:
//! * numbers: kept if either half has one (NaN-filled before the first);
//! * timestamps: kept if both halves kept them;
//! * dictionary: kept if both halves kept theirs and the union of their values (first half's
//!   order, then the second half's new values in their order of first appearance) has at most
//!   [`DICTIONARY_CAP`] values; the second half's codes are remapped;
//! * text hashes (a text column whose dictionary is dropped): rebuilt from the raw-byte hashes
//!   of each half's rows. Where the single path would have mixed instant hashes into them (a
//!   dictionary dropped while every cell so far was a timestamp), the merge refuses.

use super::{
    Bits, Column, ColumnBuilder, DICTIONARY_CAP, Dictionary, EXAMPLES, MISSING_CODE,
    NON_NUMERIC_EXAMPLES, text_hash,
};
use crate::core::ingest::timestamp::parse_iso8601;

/// Why a second half cannot be appended exactly (the caller then parses it itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The halves' row counts or column counts do not fit together.
    Shape,
    /// Text hashes would mix instant hashes of timestamps with text hashes.
    MixedHashes,
    /// A value of the first half's dictionary is not the text it was read from (invalid UTF-8),
    /// so its hash cannot be rebuilt from it.
    LossyText,
}

/// How the second half's column goes onto the first half's, decided before anything changes.
pub struct AppendPlan {
    /// The dictionary is kept: per second-half code, the merged code; then the values new to it.
    dictionary: Option<(Vec<u16>, Vec<String>)>,
    /// Per-row text hashes of the merged column, when it keeps hashes.
    hashes: Option<Vec<u64>>,
}

/// Per-row text hashes of a column of text, from its dictionary (values valid UTF-8) or its
/// hashes when they are known to hold no instant hashes.
fn text_hashes_of(c: &Column) -> Option<Vec<u64>> {
    if let Some(d) = &c.dictionary {
        let hashes: Vec<u64> = d.values.iter().map(|v| text_hash(v.as_bytes())).collect();
        return Some(
            d.codes
                .iter()
                .map(|&code| match code {
                    MISSING_CODE => 0,
                    code => hashes.get(usize::from(code)).copied().unwrap_or(0),
                })
                .collect(),
        );
    }
    let h = c.hashes.as_ref()?;
    // Instant hashes arise only if more than DICTIONARY_CAP distinct values came before the
    // first non-timestamp: then all the (first five distinct) examples are timestamps.
    let pure = c
        .examples
        .iter()
        .any(|e| parse_iso8601(e.trim_ascii().as_bytes()).is_none());
    pure.then(|| h.clone())
}

impl ColumnBuilder {
    /// Decide how `next` (the rows after this builder's, parsed by a fresh builder whose texts
    /// were all valid UTF-8) is appended so that [`ColumnBuilder::append`] gives what pushing
    /// its cells here would have given. Changes nothing but lookup caches.
    pub fn plan_append(&mut self, next: &Column) -> Result<AppendPlan, Refusal> {
        let text_only = self.text_only && next.numeric.is_empty();
        let timestamps = self.timestamps.is_some() && next.timestamps.is_some();
        let mut dictionary = None;
        if let (Some(d), Some(nd)) = (&mut self.dictionary, &next.dictionary) {
            let mut remap = Vec::with_capacity(nd.values.len());
            let mut new_values = Vec::new();
            let mut fits = true;
            for v in &nd.values {
                match d.get(v.as_bytes()) {
                    Some(code) => remap.push(code),
                    None if d.values.len() + new_values.len() < DICTIONARY_CAP => {
                        remap.push((d.values.len() + new_values.len()) as u16);
                        new_values.push(v.clone());
                    }
                    None => {
                        fits = false;
                        break;
                    }
                }
            }
            if fits {
                dictionary = Some((remap, new_values));
            }
        }
        let hashes = if text_only && dictionary.is_none() && !timestamps {
            // The merged column drops its dictionary and its timestamps: it keeps hashes.
            let first: Vec<u64> = if let Some(h) = &self.hashes {
                h.clone()
            } else if self.timestamps.is_some() {
                return Err(Refusal::MixedHashes);
            } else if let Some(d) = &self.dictionary {
                if d.values.iter().any(|v| v.contains('\u{fffd}')) {
                    return Err(Refusal::LossyText);
                }
                d.codes
                    .iter()
                    .map(|&c| match c {
                        MISSING_CODE => 0,
                        c => d.value_hashes.get(usize::from(c)).copied().unwrap_or(0),
                    })
                    .collect()
            } else {
                return Err(Refusal::MixedHashes);
            };
            let Some(second) = text_hashes_of(next) else {
                return Err(Refusal::MixedHashes);
            };
            let mut h = Vec::with_capacity(self.planned.max(first.len() + second.len()));
            h.extend_from_slice(&first);
            h.extend_from_slice(&second);
            Some(h)
        } else {
            None
        };
        if first_len(self) != self.rows || next.len != next.missing.len {
            return Err(Refusal::Shape);
        }
        Ok(AppendPlan { dictionary, hashes })
    }

    /// Append `next` as planned by [`ColumnBuilder::plan_append`], its line numbers shifted by
    /// `line_shift`. The builder must only be finished afterwards (its lookup tables do not
    /// know the appended values).
    pub fn append(&mut self, next: Column, plan: AppendPlan, line_shift: u64) {
        let rows = self.rows + next.len;
        // Vectors grow to the merged length exactly (one reallocation each, not doubling).
        let grow = |v: &mut Vec<_>| v.reserve_exact(rows.saturating_sub(v.len()));
        // Numbers.
        if !next.numeric.is_empty() {
            if self.numeric.is_empty() {
                let mut v = Vec::with_capacity(self.planned.max(rows));
                v.resize(self.rows, f64::NAN);
                self.numeric = v;
            }
            grow(&mut self.numeric);
            self.numeric.extend_from_slice(&next.numeric);
        } else if !self.numeric.is_empty() {
            grow(&mut self.numeric);
            self.numeric.resize(rows, f64::NAN);
        }
        if !next.numeric.is_empty() {
            self.text_only = false;
        }
        self.missing.append(&next.missing);
        self.missing_count += next.missing_count;
        self.non_numeric_count += next.non_numeric_count;
        for &line in &next.non_numeric_lines {
            if self.non_numeric_lines.len() < NON_NUMERIC_EXAMPLES {
                self.non_numeric_lines.push(line + line_shift);
            }
        }
        // Timestamps.
        match (&mut self.timestamps, &next.timestamps) {
            (Some(ts), Some(nts)) => {
                ts.reserve_exact(nts.len());
                ts.extend_from_slice(nts);
            }
            _ => self.timestamps = None,
        }
        // Dictionary.
        match (plan.dictionary, &mut self.dictionary, next.dictionary) {
            (Some((remap, new_values)), Some(d), Some(nd)) => {
                d.codes.reserve_exact(nd.codes.len());
                d.codes.extend(nd.codes.iter().map(|&c| match c {
                    MISSING_CODE => MISSING_CODE,
                    c => remap.get(usize::from(c)).copied().unwrap_or(MISSING_CODE),
                }));
                for v in new_values {
                    d.value_hashes.push(text_hash(v.as_bytes()));
                    d.values.push(&v);
                }
            }
            _ => self.dictionary = None,
        }
        self.hashes = plan.hashes;
        if !self.text_only {
            self.hashes = None;
        }
        self.hash_deferred = false;
        // Examples: the first few distinct values.
        for e in next.examples {
            if self.examples.len() >= EXAMPLES {
                break;
            }
            if !self.examples.contains(&e) {
                self.examples.push(e);
            }
        }
        self.rows = rows;
    }
}

/// Rows the builder's missing bitmap holds (equal to its rows when consistent).
fn first_len(b: &ColumnBuilder) -> usize {
    b.missing.len
}

impl Bits {
    /// Append all of `other`'s bits.
    fn append(&mut self, other: &Bits) {
        self.words.reserve_exact(other.words.len());
        let shift = self.len % 64;
        if shift == 0 {
            self.words.extend_from_slice(&other.words);
        } else {
            for &w in &other.words {
                if let Some(last) = self.words.last_mut() {
                    *last |= w << shift;
                }
                self.words.push(w >> (64 - shift));
            }
        }
        self.len += other.len;
        self.words.truncate(self.len.div_ceil(64));
    }
}

/// Little-endian writer of the binary form.
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64s(&mut self, v: &[u64]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u64(*x);
        }
    }
    fn u16s(&mut self, v: &[u16]) {
        self.u64(v.len() as u64);
        for x in v {
            self.0.extend_from_slice(&x.to_le_bytes());
        }
    }
    fn f64s(&mut self, v: &[f64]) {
        self.u64(v.len() as u64);
        for x in v {
            self.u64(x.to_bits());
        }
    }
    fn strings(&mut self, v: &[String]) {
        self.u64(v.len() as u64);
        for s in v {
            self.u64(s.len() as u64);
            self.0.extend_from_slice(s.as_bytes());
        }
    }
}

/// Reader of the binary form; every read is bounds-checked.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    /// The next `u64`.
    pub fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }
    /// The next length, checked against the bytes left (each element is at least `unit`
    /// bytes), so a corrupt length cannot ask for a huge allocation.
    fn len(&mut self, unit: usize) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n.checked_mul(unit.max(1))? <= self.bytes.len() - self.at).then_some(n)
    }
    /// The next list of `u64`.
    pub fn u64s(&mut self) -> Option<Vec<u64>> {
        let n = self.len(8)?;
        let raw = self.take(n * 8)?;
        Some(
            raw.chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect(),
        )
    }
    fn u16s(&mut self) -> Option<Vec<u16>> {
        let n = self.len(2)?;
        let raw = self.take(n * 2)?;
        Some(
            raw.chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )
    }
    fn f64s(&mut self) -> Option<Vec<f64>> {
        Some(self.u64s()?.into_iter().map(f64::from_bits).collect())
    }
    /// The next list of strings.
    pub fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.len(8)?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.len(1)?;
            out.push(String::from_utf8(self.take(len)?.to_vec()).ok()?);
        }
        Some(out)
    }
    /// Whether every byte was read.
    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Append `v` to `out` as a `u64` (for the table-level binary form).
pub fn write_u64(out: &mut Vec<u8>, v: u64) {
    Writer(out).u64(v);
}

/// Append a list of `u64` to `out`.
pub fn write_u64s(out: &mut Vec<u8>, v: &[u64]) {
    Writer(out).u64s(v);
}

/// Append a list of strings to `out`.
pub fn write_strings(out: &mut Vec<u8>, v: &[String]) {
    Writer(out).strings(v);
}

impl Column {
    /// Append the column's binary form to `out` (read back by [`Column::decode`]); the
    /// dictionary codes take 2 bytes a row, numbers, timestamps and hashes 8.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let mut w = Writer(out);
        w.strings(std::slice::from_ref(&self.name));
        w.u64(self.len as u64);
        w.f64s(&self.numeric);
        w.u64s(&self.missing.words);
        w.u64(self.missing.len as u64);
        w.u64(self.missing_count);
        w.u64(self.non_numeric_count);
        w.u64s(&self.non_numeric_lines);
        match &self.dictionary {
            Some(d) => {
                w.u64(1);
                w.u16s(&d.codes);
                w.strings(&d.values);
            }
            None => w.u64(0),
        }
        match &self.timestamps {
            Some(t) => {
                w.u64(1);
                w.f64s(t);
            }
            None => w.u64(0),
        }
        match &self.hashes {
            Some(h) => {
                w.u64(1);
                w.u64s(h);
            }
            None => w.u64(0),
        }
        w.strings(&self.examples);
    }

    /// A column from its binary form ([`Column::encode`]); `None` if the bytes are not one.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Option<Column> {
        let name = r.strings()?.pop()?;
        let len = usize::try_from(r.u64()?).ok()?;
        let numeric = r.f64s()?;
        let words = r.u64s()?;
        let bits_len = usize::try_from(r.u64()?).ok()?;
        let missing_count = r.u64()?;
        let non_numeric_count = r.u64()?;
        let non_numeric_lines = r.u64s()?;
        let dictionary = match r.u64()? {
            0 => None,
            _ => {
                let codes = r.u16s()?;
                let values = r.strings()?;
                Some(Dictionary { codes, values })
            }
        };
        let timestamps = match r.u64()? {
            0 => None,
            _ => Some(r.f64s()?),
        };
        let hashes = match r.u64()? {
            0 => None,
            _ => Some(r.u64s()?),
        };
        let examples = r.strings()?;
        let ok = bits_len == len
            && words.len() == len.div_ceil(64)
            && (numeric.is_empty() || numeric.len() == len)
            && dictionary.as_ref().is_none_or(|d| {
                d.codes.len() == len
                    && d.codes
                        .iter()
                        .all(|&c| c == MISSING_CODE || usize::from(c) < d.values.len())
            })
            && timestamps.as_ref().is_none_or(|t| t.len() == len)
            && hashes.as_ref().is_none_or(|h| h.len() == len);
        ok.then_some(Column {
            name,
            len,
            numeric,
            missing: Bits {
                words,
                len: bits_len,
            },
            missing_count,
            non_numeric_count,
            non_numeric_lines,
            dictionary,
            timestamps,
            hashes,
            examples,
        })
    }
}
