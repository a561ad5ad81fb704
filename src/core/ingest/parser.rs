//! A push (chunk-by-chunk) parser for delimited text, as RFC 4180 describes it.
//!
//! Fields are separated by one delimiter byte; a field that starts with `"` is quoted and may
//! contain the delimiter, line breaks and doubled quotes (`""` stands for one `"`); records end
//! at LF, CRLF or a lone CR. Like the `csv` crate, it is lenient where RFC 4180 is silent: a quote
//! inside an unquoted field is kept as text, and text after a closing quote is appended to the
//! field. Blank lines produce no record. Unlike `csv_core`, an unterminated quote at the end of
//! the input is an error that names the line where the quote was opened.
//!
//! Line numbers are what a text editor shows: 1-based, counting LF, CRLF and lone CR as one line
//! break each, including breaks inside quoted fields. Byte offsets are 0-based.

use crate::core::error::PlumbError;

/// Longest record accepted, in bytes. A longer one almost always means a quote that is never
/// closed, which would otherwise swallow the rest of the file into one field.
pub(crate) const MAX_RECORD_BYTES: usize = 64 << 20;

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
const HIGHS: u64 = ONES << 7;

/// Bits set in the zero bytes of `x` (bit 7 of the byte). Exact for the lowest zero byte; a
/// byte above a zero byte may be flagged too (the borrow), so only the lowest flag is used.
/// (The "has a zero byte" word trick: Mycroft, 1987; Anderson, *Bit Twiddling Hacks*.)
#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Bits set in exactly the zero bytes of `x` (bit 7 of the byte), with no false flags above
/// a zero byte: adding `0x7F` to the low seven bits sets bit 7 of every byte that is not zero
/// (Anderson, *Bit Twiddling Hacks*, "determine if a word has a zero byte").
#[inline]
fn exact_zero_bytes(x: u64) -> u64 {
    let low = ONES * 0x7F;
    !(((x & low).wrapping_add(low)) | x | low)
}

/// Index of the first byte in `input[from..limit]` that is the delimiter, a line break or a
/// quote, or `limit` if there is none. Reads eight bytes a step (a word compared with all four
/// at once, SWAR), then the tail byte by byte; gives what the plain byte loop gives.
#[inline]
fn next_special(input: &[u8], from: usize, limit: usize, delimiter: u8) -> usize {
    let splat = |b: u8| ONES * u64::from(b);
    let (d, lf, cr, q) = (splat(delimiter), splat(b'\n'), splat(b'\r'), splat(b'"'));
    let mut j = from;
    while j + 8 <= limit {
        let mut word = [0u8; 8];
        word.copy_from_slice(&input[j..j + 8]);
        let w = u64::from_le_bytes(word);
        let hits = zero_bytes(w ^ d) | zero_bytes(w ^ lf) | zero_bytes(w ^ cr) | zero_bytes(w ^ q);
        if hits != 0 {
            return j + (hits.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < limit {
        let b = input[j];
        if b == delimiter || b == b'\n' || b == b'\r' || b == b'"' {
            return j;
        }
        j += 1;
    }
    limit
}

/// Bytes looked at per step by [`scan_blocks`].
const BLOCK: usize = 16;

/// Bit masks of the [`BLOCK`] bytes at `input[at..at + 16]` (which must be in bounds): bit `i`
/// of the first is set where byte `at + i` is `delimiter`, of the second where it is a line
/// break or a quote. The portable definition, byte by byte: the reference the wasm SIMD
/// version ([`block_masks_simd`]) is the same function as, and the mask function of the
/// native tests of [`scan_blocks`].
#[cfg(test)]
fn block_masks_portable(input: &[u8], at: usize, delimiter: u8) -> (u32, u32) {
    let (mut delims, mut special) = (0u32, 0u32);
    for (i, &b) in input[at..at + BLOCK].iter().enumerate() {
        delims |= u32::from(b == delimiter) << i;
        special |= u32::from(b == b'\n' || b == b'\r' || b == b'"') << i;
    }
    (delims, special)
}

/// [`block_masks_portable`] with wasm SIMD (the crate is built with `+simd128` for the
/// browser): the 16 bytes compared with each byte sought at once (`i8x16.eq`) and each
/// comparison's lanes gathered into a mask (`i8x16.bitmask`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn block_masks_simd(input: &[u8], at: usize, delimiter: u8) -> (u32, u32) {
    use core::arch::wasm32::{u8x16, u8x16_bitmask, u8x16_eq, u8x16_splat, v128_or};
    let mut b = [0u8; BLOCK];
    b.copy_from_slice(&input[at..at + BLOCK]);
    let v = u8x16(
        b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
        b[14], b[15],
    );
    let delims = u8x16_eq(v, u8x16_splat(delimiter));
    let special = v128_or(
        v128_or(
            u8x16_eq(v, u8x16_splat(b'\n')),
            u8x16_eq(v, u8x16_splat(b'\r')),
        ),
        u8x16_eq(v, u8x16_splat(b'"')),
    );
    (
        u32::from(u8x16_bitmask(delims)),
        u32::from(u8x16_bitmask(special)),
    )
}

/// The block step of [`Parser::fast_record`] in wasm: from `j`, [`BLOCK`] bytes at a time while
/// a whole block lies below `limit`, push (relative to `start`) the end of every field that a
/// delimiter before the block's first line break or quote ends; stop at that byte. Returns
/// where the scan stopped: that byte's index, or the first byte of the incomplete last block
/// (the byte loop goes on from there). `masks` is [`block_masks_simd`] in the browser and
/// [`block_masks_portable`] in the native tests, which check that this gives what the word
/// loop gives.
#[cfg_attr(
    not(all(target_arch = "wasm32", target_feature = "simd128")),
    allow(dead_code)
)]
#[inline]
fn scan_blocks(
    input: &[u8],
    start: usize,
    mut j: usize,
    limit: usize,
    delimiter: u8,
    ends: &mut Vec<usize>,
    masks: impl Fn(&[u8], usize, u8) -> (u32, u32),
) -> usize {
    while j + BLOCK <= limit {
        let (mut delims, special) = masks(input, j, delimiter);
        if special != 0 {
            // Only delimiters below the lowest special byte.
            delims &= (special & special.wrapping_neg()) - 1;
        }
        while delims != 0 {
            ends.push(j + delims.trailing_zeros() as usize - start);
            delims &= delims - 1;
        }
        if special != 0 {
            return j + special.trailing_zeros() as usize;
        }
        j += BLOCK;
    }
    j
}

/// One parsed record, borrowed from the parser's buffers (or straight from the input, for
/// unquoted records that lie within one chunk).
pub(crate) struct Record<'a> {
    buf: &'a [u8],
    /// `buf` and whatever follows it in memory that the parser may lend: the rest of the
    /// chunk for a record borrowed from the input, `buf` itself for a copied one. Lets a
    /// column read a short cell as one word load ([`Record::cells`]).
    window: &'a [u8],
    ends: &'a [usize],
    /// Bytes between fields in `buf`: 0 when fields were copied out back to back, 1 when
    /// `buf` is the raw record with its delimiters.
    gap: usize,
    /// 1-based line on which the record starts.
    pub line: u64,
    /// 0-based byte offset at which the record starts.
    pub byte: u64,
    /// Whether any field was quoted.
    quoted: bool,
}

impl<'a> Record<'a> {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The unescaped bytes of field `i` (quotes removed, `""` turned into `"`).
    pub fn field(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 {
            0
        } else {
            self.ends[i - 1] + self.gap
        };
        &self.buf[start..self.ends[i]]
    }

    /// The fields in order as (window, length): field `i` is `window[..length]`, and the
    /// window runs on past it to the end of [`Record::window`]'s bytes (the bytes after a
    /// field are for word loads only, never part of the field).
    #[inline]
    pub fn cells(&self) -> impl Iterator<Item = (&'a [u8], usize)> + use<'a, '_> {
        let (window, gap) = (self.window, self.gap);
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let cell = (
                window.get(start..).unwrap_or_default(),
                end.saturating_sub(start),
            );
            start = end + gap;
            cell
        })
    }

    /// Whether the record is a single unquoted field of nothing but spaces (a blank line).
    /// A line holding only `""` is a record with one empty field, not a blank line.
    pub fn is_blank(&self) -> bool {
        !self.quoted && self.ends.len() == 1 && self.buf.iter().all(u8::is_ascii_whitespace)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records: line breaks here are blank lines and are skipped.
    StartRecord,
    /// At the first byte of a field.
    StartField,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a doubled quote or the closing one.
    QuoteInQuoted,
}

/// The parser state; feed it bytes with [`Parser::feed`] and end with [`Parser::finish`].
pub(crate) struct Parser {
    delimiter: u8,
    state: State,
    /// 1-based line of the next byte.
    line: u64,
    /// Whether the previous byte was a CR (so a following LF does not start another line).
    prev_cr: bool,
    /// Byte offset of the first byte of the next chunk.
    base: u64,
    record_line: u64,
    record_byte: u64,
    quote_line: u64,
    quote_byte: u64,
    record_quoted: bool,
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Parser {
    /// A parser for `delimiter`, whose first byte will be at offset `start_byte` of the text.
    pub fn new(delimiter: u8, start_byte: u64) -> Self {
        Self {
            delimiter,
            state: State::StartRecord,
            line: 1,
            prev_cr: false,
            base: start_byte,
            record_line: 1,
            record_byte: start_byte,
            quote_line: 1,
            quote_byte: start_byte,
            record_quoted: false,
            buf: Vec::with_capacity(256),
            ends: Vec::with_capacity(16),
        }
    }

    /// Count a line-break byte.
    #[inline]
    fn newline(&mut self, b: u8) {
        if b == b'\r' || !self.prev_cr {
            self.line += 1;
        }
        self.prev_cr = b == b'\r';
    }

    #[inline]
    fn end_field(&mut self) {
        self.ends.push(self.buf.len());
    }

    fn end_record<F>(&mut self, on_record: &mut F) -> Result<(), PlumbError>
    where
        F: FnMut(&Record<'_>) -> Result<(), PlumbError>,
    {
        let record = Record {
            buf: &self.buf,
            window: &self.buf,
            ends: &self.ends,
            gap: 0,
            line: self.record_line,
            byte: self.record_byte,
            quoted: self.record_quoted,
        };
        let result = on_record(&record);
        self.buf.clear();
        self.ends.clear();
        self.record_quoted = false;
        result
    }

    fn too_long(&self) -> PlumbError {
        let (line, byte, hint) = if self.state == State::Quoted {
            (
                self.quote_line,
                self.quote_byte,
                "a quoted field starts here and runs on for more than 64 MiB, so its closing \
                 quote (\") is probably missing. Close the quote, or write a quote inside a \
                 quoted field as two quotes (\"\")",
            )
        } else {
            (
                self.record_line,
                self.record_byte,
                "this row is longer than 64 MiB, which is not a prediction log row. Check the \
                 delimiter and the line endings",
            )
        };
        PlumbError::Parse {
            line,
            byte,
            message: hint.to_string(),
        }
    }

    /// If an unquoted record starts at `input[start]` and ends with a line break inside
    /// `input`, hand it to `on_record` without copying and return the index after its line
    /// break; otherwise `None` (the state machine then reads it byte by byte).
    #[inline]
    fn fast_record<F>(
        &mut self,
        input: &[u8],
        start: usize,
        on_record: &mut F,
    ) -> Result<Option<usize>, PlumbError>
    where
        F: FnMut(&Record<'_>) -> Result<(), PlumbError>,
    {
        let d = self.delimiter;
        let limit = input.len().min(start + MAX_RECORD_BYTES);
        self.ends.clear();
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        let mut j = scan_blocks(
            input,
            start,
            start,
            limit,
            d,
            &mut self.ends,
            block_masks_simd,
        );
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        let mut j = start;
        // Eight bytes a step: the delimiters in a word before its first line break or quote
        // end fields there and then; the word with that byte hands over to the byte loop.
        let splat = |b: u8| ONES * u64::from(b);
        let (dd, lf, cr, q) = (splat(d), splat(b'\n'), splat(b'\r'), splat(b'"'));
        while j + 8 <= limit {
            let mut word = [0u8; 8];
            word.copy_from_slice(&input[j..j + 8]);
            let w = u64::from_le_bytes(word);
            let special = zero_bytes(w ^ lf) | zero_bytes(w ^ cr) | zero_bytes(w ^ q);
            let mut delims = exact_zero_bytes(w ^ dd);
            if special != 0 {
                // Only delimiters below the lowest special byte (exact: the lowest flag is).
                delims &= (special & special.wrapping_neg()) - 1;
            }
            while delims != 0 {
                self.ends
                    .push(j + (delims.trailing_zeros() / 8) as usize - start);
                delims &= delims - 1;
            }
            if special != 0 {
                j += (special.trailing_zeros() / 8) as usize;
                break;
            }
            j += 8;
        }
        while j < limit {
            j = next_special(input, j, limit, d);
            if j == limit {
                break;
            }
            let b = input[j];
            if b == d {
                self.ends.push(j - start);
            } else if b == b'\n' || b == b'\r' {
                self.ends.push(j - start);
                let record = Record {
                    buf: &input[start..j],
                    window: &input[start..],
                    ends: &self.ends,
                    gap: 1,
                    line: self.record_line,
                    byte: self.record_byte,
                    quoted: false,
                };
                let result = on_record(&record);
                self.ends.clear();
                self.prev_cr = false;
                self.newline(b);
                result?;
                return Ok(Some(j + 1));
            } else if b == b'"' {
                break;
            }
            j += 1;
        }
        self.ends.clear();
        Ok(None)
    }

    /// Parse `input`, calling `on_record` for every complete record.
    pub fn feed<F>(&mut self, input: &[u8], on_record: &mut F) -> Result<(), PlumbError>
    where
        F: FnMut(&Record<'_>) -> Result<(), PlumbError>,
    {
        let d = self.delimiter;
        let n = input.len();
        let mut i = 0;
        while i < n {
            match self.state {
                State::StartRecord => {
                    let b = input[i];
                    if b == b'\n' || b == b'\r' {
                        self.newline(b);
                        i += 1;
                    } else {
                        self.record_line = self.line;
                        self.record_byte = self.base + i as u64;
                        self.state = State::StartField;
                        if let Some(next) = self.fast_record(input, i, on_record)? {
                            i = next;
                            self.state = State::StartRecord;
                        }
                    }
                }
                State::StartField => {
                    if input[i] == b'"' {
                        self.quote_line = self.line;
                        self.quote_byte = self.base + i as u64;
                        self.record_quoted = true;
                        self.prev_cr = false;
                        self.state = State::Quoted;
                        i += 1;
                    } else {
                        self.state = State::Unquoted;
                    }
                }
                State::Unquoted => {
                    let start = i;
                    while i < n {
                        let b = input[i];
                        if b == d || b == b'\n' || b == b'\r' {
                            break;
                        }
                        i += 1;
                    }
                    if i > start {
                        self.buf.extend_from_slice(&input[start..i]);
                        self.prev_cr = false;
                        if self.buf.len() > MAX_RECORD_BYTES {
                            return Err(self.too_long());
                        }
                    }
                    if i == n {
                        break;
                    }
                    let b = input[i];
                    i += 1;
                    self.end_field();
                    if b == d {
                        self.prev_cr = false;
                        self.state = State::StartField;
                    } else {
                        self.newline(b);
                        self.state = State::StartRecord;
                        self.end_record(on_record)?;
                    }
                }
                State::Quoted => {
                    let start = i;
                    while i < n {
                        let b = input[i];
                        if b == b'"' {
                            break;
                        }
                        if b == b'\n' || b == b'\r' {
                            self.newline(b);
                        } else {
                            self.prev_cr = false;
                        }
                        i += 1;
                    }
                    self.buf.extend_from_slice(&input[start..i]);
                    if self.buf.len() > MAX_RECORD_BYTES {
                        return Err(self.too_long());
                    }
                    if i == n {
                        break;
                    }
                    // The quote.
                    self.prev_cr = false;
                    self.state = State::QuoteInQuoted;
                    i += 1;
                }
                State::QuoteInQuoted => {
                    let b = input[i];
                    if b == b'"' {
                        self.buf.push(b'"');
                        self.state = State::Quoted;
                        i += 1;
                    } else if b == d {
                        self.end_field();
                        self.state = State::StartField;
                        i += 1;
                    } else if b == b'\n' || b == b'\r' {
                        self.newline(b);
                        self.end_field();
                        self.state = State::StartRecord;
                        i += 1;
                        self.end_record(on_record)?;
                    } else {
                        // Text after the closing quote: kept, like the csv crate does.
                        self.state = State::Unquoted;
                    }
                }
            }
        }
        self.base += n as u64;
        Ok(())
    }

    /// End of input: emit the last record if it has no line break after it, or fail if a
    /// quoted field is still open.
    pub fn finish<F>(&mut self, on_record: &mut F) -> Result<(), PlumbError>
    where
        F: FnMut(&Record<'_>) -> Result<(), PlumbError>,
    {
        match self.state {
            State::StartRecord => Ok(()),
            State::StartField | State::Unquoted | State::QuoteInQuoted => {
                self.end_field();
                self.state = State::StartRecord;
                self.end_record(on_record)
            }
            State::Quoted => Err(PlumbError::Parse {
                line: self.quote_line,
                byte: self.quote_byte,
                message: "a quoted field starts here but its closing quote (\") never comes \
                          before the end of the file. Close the quote, or write a quote inside \
                          a quoted field as two quotes (\"\")"
                    .to_string(),
            }),
        }
    }
}

impl Parser {
    /// Whether the bytes fed so far end at a record boundary: not inside a record or a quoted
    /// field, and not just after a CR (whose LF would not start a line). Text cut there can be
    /// parsed on from a fresh parser (see `ingest::split`).
    pub fn at_record_boundary(&self) -> bool {
        self.state == State::StartRecord && !self.prev_cr
    }

    /// The 1-based line of the next byte.
    pub fn next_line(&self) -> u64 {
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as (line, byte, fields) for `text` fed in chunks of `chunk` bytes.
    fn parse(
        text: &[u8],
        delimiter: u8,
        chunk: usize,
    ) -> Result<Vec<(u64, u64, Vec<String>)>, PlumbError> {
        let mut out = Vec::new();
        let mut p = Parser::new(delimiter, 0);
        let mut on = |r: &Record<'_>| {
            let fields = (0..r.len())
                .map(|i| String::from_utf8_lossy(r.field(i)).into_owned())
                .collect();
            out.push((r.line, r.byte, fields));
            Ok(())
        };
        for piece in text.chunks(chunk.max(1)) {
            p.feed(piece, &mut on)?;
        }
        p.finish(&mut on)?;
        Ok(out)
    }

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse(text.as_bytes(), b',', usize::MAX)
            .unwrap()
            .into_iter()
            .map(|r| r.2)
            .collect()
    }

    #[test]
    fn simple_records_with_and_without_final_newline() {
        assert_eq!(fields("a,b\n1,2\n"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(fields("a,b\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(
            fields("a,b\r\n1,2\r\n"),
            vec![vec!["a", "b"], vec!["1", "2"]]
        );
        assert_eq!(fields("a,b\r1,2\r"), vec![vec!["a", "b"], vec!["1", "2"]]);
    }

    #[test]
    fn empty_fields() {
        assert_eq!(
            fields("a,,\n,,\n"),
            vec![vec!["a", "", ""], vec!["", "", ""]]
        );
        assert_eq!(fields("a,b,"), vec![vec!["a", "b", ""]]);
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(
            fields("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,\"\",y\n"),
            vec![vec!["a,b", "say \"hi\"", "two\nlines"], vec!["x", "", "y"]]
        );
        // Lenient cases, as the csv crate reads them.
        assert_eq!(fields("ab\"c,\"d\"e\n"), vec![vec!["ab\"c", "de"]]);
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let recs = parse(b"a\n\n\r\nb\n", b',', 1).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[1].0, recs[1].1), (4, 5));
        // The parser still reports whitespace-only lines; `""` is a real (empty) field.
        let mut blank = Vec::new();
        let mut p = Parser::new(b',', 0);
        p.feed(b"  \n\"\"\n", &mut |r: &Record<'_>| {
            blank.push(r.is_blank());
            Ok(())
        })
        .unwrap();
        assert_eq!(blank, vec![true, false]);
    }

    #[test]
    fn lines_count_breaks_inside_quotes() {
        let text = b"h1,h2\r\n\"x\r\ny\",1\r\nz,2\r\n";
        for chunk in [1, 2, 3, 100] {
            let recs = parse(text, b',', chunk).unwrap();
            let lines: Vec<u64> = recs.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![1, 2, 4], "chunk {chunk}");
            assert_eq!(recs[2].1, 17);
        }
    }

    proptest::proptest! {
        /// Records, lines and offsets do not depend on chunking, whether a record takes the
        /// copy-free path (whole and unquoted within a chunk) or the byte-by-byte one.
        #[test]
        fn chunking_does_not_matter(
            text in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'b', b',', b'"', b'\r', b'\n', b' ']),
                0..80,
            ),
            chunk in 1usize..9,
        ) {
            let whole = parse(&text, b',', usize::MAX);
            proptest::prop_assert_eq!(parse(&text, b',', chunk), whole);
            // `cells` gives what `field` gives, in windows that start with the field.
            let mut p = Parser::new(b',', 0);
            let mut check = |r: &Record<'_>| {
                let by_index: Vec<&[u8]> = (0..r.len()).map(|i| r.field(i)).collect();
                let cells: Vec<&[u8]> = r.cells().map(|(w, n)| &w[..n]).collect();
                assert_eq!(cells, by_index);
                Ok(())
            };
            for piece in text.chunks(chunk) {
                let _ = p.feed(piece, &mut check);
            }
            let _ = p.finish(&mut check);
        }
    }

    proptest::proptest! {
        /// Long unquoted records (the word-at-a-time field scan) read as the byte-by-byte
        /// state machine reads them (one-byte chunks never hold a whole record, so they take
        /// only the state machine: the reference).
        #[test]
        fn word_scan_matches_the_state_machine(
            text in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'a', b'b', b'1', b'.', b',', b',', b';', b'a', b'a', b'2', b'"', b'\n',
                    b'\r', b' ',
                ]),
                0..300,
            ),
            chunk in proptest::sample::select(vec![1usize, 7, 64, usize::MAX]),
        ) {
            for d in [b',', b';'] {
                proptest::prop_assert_eq!(parse(&text, d, chunk), parse(&text, d, 1));
            }
        }
    }

    proptest::proptest! {
        /// The exact zero-byte flags are the zero bytes, every one of them.
        #[test]
        fn exact_zero_bytes_flags_every_zero_byte(word in proptest::prelude::any::<[u8; 8]>()) {
            let x = u64::from_le_bytes(word);
            let want = word
                .iter()
                .enumerate()
                .filter(|&(_, &b)| b == 0)
                .fold(0u64, |m, (i, _)| m | (0x80 << (8 * i)));
            proptest::prop_assert_eq!(exact_zero_bytes(x), want);
        }
    }

    proptest::proptest! {
        /// The word-at-a-time scan finds what a byte loop finds, from any start and limit.
        #[test]
        fn next_special_matches_a_byte_loop(
            text in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b',', b';', b'"', b'\r', b'\n', 0, 1, 0x80, 0xff]),
                0..40,
            ),
            from in 0usize..40,
            cut in 0usize..40,
        ) {
            let limit = text.len().saturating_sub(cut);
            let from = from.min(limit);
            for d in [b',', b';'] {
                let want = (from..limit)
                    .find(|&i| matches!(text[i], b'\n' | b'\r' | b'"') || text[i] == d)
                    .unwrap_or(limit);
                proptest::prop_assert_eq!(next_special(&text, from, limit, d), want);
            }
        }
    }

    proptest::proptest! {
        /// The block scan (with the portable masks, the same function as the wasm SIMD ones),
        /// continued byte by byte from where it stops, ends the same fields at the same
        /// special byte as a byte loop from the start: the contract `fast_record` relies on.
        #[test]
        fn block_scan_matches_a_byte_loop(
            text in proptest::collection::vec(
                proptest::sample::select(vec![
                    b'a', b'1', b'.', b',', b',', b';', b'a', b'"', b'\n', b'\r', b' ', 0, 0x80,
                ]),
                0..120,
            ),
            from in 0usize..120,
            cut in 0usize..120,
        ) {
            let limit = text.len().saturating_sub(cut);
            let start = from.min(limit);
            let special = |b: u8| matches!(b, b'\n' | b'\r' | b'"');
            for d in [b',', b';'] {
                let (mut want, mut stop) = (Vec::new(), limit);
                for (k, &b) in text.iter().enumerate().take(limit).skip(start) {
                    if special(b) {
                        stop = k;
                        break;
                    }
                    if b == d {
                        want.push(k - start);
                    }
                }
                let mut got = Vec::new();
                let mut j =
                    scan_blocks(&text, start, start, limit, d, &mut got, block_masks_portable);
                proptest::prop_assert!(j <= limit);
                while j < limit && !special(text[j]) {
                    if text[j] == d {
                        got.push(j - start);
                    }
                    j += 1;
                }
                proptest::prop_assert_eq!(got, want);
                proptest::prop_assert_eq!(j, stop);
            }
        }
    }

    #[test]
    fn block_masks_mark_each_byte() {
        let text = b"ab,\n\"cd;,\r..,,x\"yz";
        let (delims, special) = block_masks_portable(text, 1, b',');
        // Bytes 1..17: b , \n " c d ; , \r . . , , x " y
        assert_eq!(delims, 0b0001_1000_1000_0010);
        assert_eq!(special, 0b0100_0001_0000_1100);
    }

    #[test]
    fn mixed_line_endings() {
        for chunk in [1, 2, 100] {
            let recs = parse(b"a\rb\nc\r\nd\n\re", b',', chunk).unwrap();
            let lines: Vec<u64> = recs.iter().map(|r| r.0).collect();
            assert_eq!(lines, vec![1, 2, 3, 4, 6], "chunk {chunk}");
        }
    }

    #[test]
    fn unterminated_quote_names_the_opening_line() {
        let err = parse(b"a,b\n1,2\n3,\"oops\n4,5\n", b',', 3).unwrap_err();
        match err {
            PlumbError::Parse { line, byte, .. } => assert_eq!((line, byte), (3, 10)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn other_delimiters() {
        let recs = parse(b"a;b\n\"1;5\";2\n", b';', 1).unwrap();
        assert_eq!(recs[1].2, vec!["1;5", "2"]);
        let recs = parse(b"a\tb\n1\t2\n", b'\t', 1).unwrap();
        assert_eq!(recs[1].2, vec!["1", "2"]);
    }
}
