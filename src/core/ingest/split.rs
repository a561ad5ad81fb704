//! Parsing a delimited file in two halves at once (issue #9: the browser has a second core
//! idle while one worker parses), then merging them into exactly the [`Table`] one
//! [`TableBuilder`] fed the whole file gives.
//!
//! The text is cut at [`split_point`], just after the first line feed at or after its middle.
//! The first half `[0, split)` is parsed as usual by a builder primed with the whole file's
//! dialect ([`first_half`]); the second half `[split, len)` by a *continuation*
//! ([`parse_second_half`]): no header line, the header names and delimiter given, byte offsets
//! true, editor lines counted from 1 at the split. [`merge_half`] then appends the second half
//! to the first builder, shifting its lines by the first half's line count and remapping its
//! dictionary codes, or refuses ([`Fallback`]); after a refusal the caller feeds the second
//! half's bytes to the first builder, which gives the single path's table, warnings and errors
//! (true rows, lines and bytes) by construction. So errors are never renumbered: only halves
//! that parsed cleanly are merged.
//!
//! The cut is valid only where the first half's parser ends at a record boundary (not inside a
//! quoted field that spans the line feed): [`merge_half`] checks it. A second half with
//! warnings (text that is not UTF-8) is refused too, so the merged warnings are the first
//! half's, which are the single path's.
//!
//! The browser takes this path for plain delimited files between [`PARALLEL_MIN_BYTES`] and
//! [`PARALLEL_MAX_BYTES`] (the size its worker reads whole); gzip, Parquet, Arrow IPC, files
//! that start with a byte-order mark and larger files (the 10M-row benchmark log is 952 MB, so
//! its peak memory is unchanged) take the single path.

use super::column::{Reader, Refusal, write_strings, write_u64, write_u64s};
use super::parser::Parser;
use super::sniff::{SNIFF_BYTES, check_text, sniff_delimiter};
use super::{Accumulator, Column, ColumnBuilder, Stage, Table, TableBuilder};
use crate::core::error::PlumbError;
use crate::core::report::{Dialect, InputFormat};

/// Smallest file parsed in two halves (1 MiB): below it the second worker's round trip is not
/// worth it. Also keeps the cut well past the dialect sniffer's sample.
pub const PARALLEL_MIN_BYTES: u64 = 1 << 20;

/// Largest file parsed in two halves (256 MiB): the worker holds such a file whole, which the
/// second half needs; a larger one streams through the single path in bounded memory.
pub const PARALLEL_MAX_BYTES: u64 = 256 << 20;

/// Why two halves were not merged; the caller then parses the second half itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// The first half is not plain delimited text being parsed (or it failed).
    NotText,
    /// The first half ends inside a record (a quoted field spans the cut).
    NotAtBoundary,
    /// The first half holds no header line.
    NoHeader,
    /// The second half read text that is not valid UTF-8 (its warning would be misplaced).
    Warnings,
    /// The second half does not have the first half's columns.
    Shape,
    /// A column's states cannot be merged exactly (see [`Refusal`]).
    Column(String, Refusal),
}

/// The byte just after the first line feed at or after `from` in `bytes` (the start of the
/// second half), if there is one before the end.
pub fn split_point(bytes: &[u8], from: usize) -> Option<usize> {
    let at = bytes.get(from..)?.iter().position(|&b| b == b'\n')?;
    let split = from + at + 1;
    (split < bytes.len()).then_some(split)
}

/// A builder for the first half of a file whose first bytes are `head` (its first
/// [`SNIFF_BYTES`], or all of it) and whose size is `total`: plain text, dialect sniffed from
/// `head` exactly as the single path does. Feed it the file from byte 0. `None` for gzip, Parquet, Arrow IPC, a byte-order mark, or text the single
/// path would reject at once (it then gives that error itself). The caller sets its size hint:
/// the first half's size, so its columns are sized for the first half's rows (the merge then
/// grows each column once to the whole, one column at a time, which holds less at once than
/// columns sized for the whole file next to the second half).
pub fn first_half(head: &[u8], total: u64) -> Option<TableBuilder> {
    if head.is_empty()
        || head.starts_with(&[0x1f, 0x8b])
        || super::is_parquet(head)
        || super::is_arrow_ipc(head)
    {
        return None;
    }
    let complete = total < SNIFF_BYTES as u64;
    let sample = &head[..head.len().min(SNIFF_BYTES)];
    // A byte-order mark shifts every offset by 3: left to the single path.
    if check_text(sample).ok()? {
        return None;
    }
    let delimiter = sniff_delimiter(sample, complete);
    let mut builder = TableBuilder::new();
    builder.stage = Stage::Plain;
    builder.text.parser = Some(Parser::new(delimiter, 0));
    builder.text.delimiter = delimiter;
    Some(builder)
}

/// What the second half's parser needs from the first: the delimiter and the header names,
/// once the first half's builder has read its header line.
pub fn continuation_of(first: &TableBuilder) -> Option<(u8, Vec<String>)> {
    let header = first.text.acc.header.as_ref()?;
    first.text.parser.as_ref()?;
    Some((first.text.delimiter, header.clone()))
}

/// A builder for the second half of a file, starting at byte `start_byte` and `size` bytes
/// long: records of the columns `headers` separated by `delimiter`, no header line, lines
/// counted from 1. Push the half's bytes to it in any chunks, then finish it.
pub fn second_half(delimiter: u8, headers: &[String], start_byte: u64, size: u64) -> TableBuilder {
    let mut builder = TableBuilder::new();
    builder.stage = Stage::Plain;
    builder.text.parser = Some(Parser::new(delimiter, start_byte));
    builder.text.delimiter = delimiter;
    let mut acc = Accumulator::new();
    acc.columns = headers.iter().cloned().map(ColumnBuilder::new).collect();
    acc.header = Some(headers.to_vec());
    // Lines count from 1 at the cut: the row after a header on line 0.
    acc.header_line = 0;
    acc.next_line = 1;
    builder.text.acc = acc;
    builder.set_size_hint(size);
    builder
}

/// Parse `bytes`, the second half of a file starting at byte `start_byte` (see
/// [`second_half`]).
pub fn parse_second_half(
    delimiter: u8,
    headers: &[String],
    start_byte: u64,
    bytes: &[u8],
) -> Result<Table, PlumbError> {
    let mut builder = second_half(delimiter, headers, start_byte, bytes.len() as u64);
    builder.push(bytes)?;
    builder.finish()
}

/// Append `half` (from [`parse_second_half`] of the bytes right after those fed to `first`) to
/// `first`, so that finishing `first` gives what feeding it those bytes would have. On a
/// [`Fallback`] nothing was changed.
pub fn merge_half(first: &mut TableBuilder, half: Table) -> Result<(), Fallback> {
    if first.failed.is_some() || !matches!(first.stage, Stage::Plain) {
        return Err(Fallback::NotText);
    }
    let parser = first.text.parser.as_ref().ok_or(Fallback::NotText)?;
    if !parser.at_record_boundary() {
        return Err(Fallback::NotAtBoundary);
    }
    let shift = parser.next_line() - 1;
    let acc = &mut first.text.acc;
    if acc.header.is_none() {
        return Err(Fallback::NoHeader);
    }
    if !half.warnings.is_empty() {
        return Err(Fallback::Warnings);
    }
    if half.columns.len() != acc.columns.len()
        || half.columns.iter().any(|c| c.len() != half.n_rows)
        || acc
            .n_rows
            .checked_add(half.n_rows)
            .is_none_or(|n| n > u32::MAX as usize)
    {
        return Err(Fallback::Shape);
    }
    let mut plans = Vec::with_capacity(acc.columns.len());
    for (builder, column) in acc.columns.iter_mut().zip(&half.columns) {
        let plan = builder
            .plan_append(column)
            .map_err(|r| Fallback::Column(builder.name().to_string(), r))?;
        plans.push(plan);
    }
    let n1 = acc.n_rows;
    if half.n_rows > 0 {
        let expected = match acc.line_breaks.last() {
            Some(&(r0, l0)) => l0 + (n1 - r0) as u64,
            None => acc.header_line + 1 + n1 as u64,
        };
        let line = half.line_of_row(0) + shift;
        if line != expected {
            acc.line_breaks.push((n1, line));
        }
        acc.line_breaks.extend(
            half.line_breaks
                .iter()
                .filter(|&&(r, _)| r > 0)
                .map(|&(r, l)| (n1 + r, l + shift)),
        );
        // The line a row after the merged ones would be expected on.
        acc.next_line = half.line_of_row(half.n_rows - 1) + shift + 1;
    }
    acc.ragged_lines
        .extend(half.ragged_lines.iter().map(|&l| l + shift));
    for ((builder, column), plan) in acc.columns.iter_mut().zip(half.columns).zip(plans) {
        builder.append(column, plan, shift);
    }
    acc.n_rows += half.n_rows;
    Ok(())
}

/// The whole of `bytes` parsed in two halves cut at `split` (any offset; [`merge_half`]
/// refuses a cut inside a record), the second half passed through its binary form as between
/// workers. `None` where the browser would fall back to the single path (or an error, which
/// the single path then reports). The reference the tests hold to [`super::read_table`].
pub fn parse_halves(bytes: &[u8], split: usize) -> Option<Table> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let mut first = first_half(head, bytes.len() as u64)?;
    first.set_size_hint(split as u64);
    first.push(bytes.get(..split)?).ok()?;
    let (delimiter, headers) = continuation_of(&first)?;
    let half = parse_second_half(delimiter, &headers, split as u64, &bytes[split..]).ok()?;
    let half = round_trip(half)?;
    merge_half(&mut first, half).ok()?;
    first.finish().ok()
}

/// The binary form of a second half (read back by [`decode_half`]), consumed as it is
/// written: the table's own fields, then each column's form handed to `column` as soon as it
/// is written (and the column dropped), so one worker can pass them to the other as separate
/// transferable buffers and neither side holds a second copy of the whole half.
pub fn encode_half(half: Table, column: &mut dyn FnMut(Vec<u8>)) -> Vec<u8> {
    let mut out = Vec::new();
    write_strings(&mut out, &half.headers);
    write_u64(&mut out, half.n_rows as u64);
    write_u64s(&mut out, &half.ragged_lines);
    let breaks: Vec<u64> = half
        .line_breaks
        .iter()
        .flat_map(|&(r, l)| [r as u64, l])
        .collect();
    write_u64s(&mut out, &breaks);
    write_strings(&mut out, &half.warnings);
    write_u64(&mut out, half.columns.len() as u64);
    for c in half.columns {
        let mut bytes = Vec::new();
        c.encode(&mut bytes);
        drop(c);
        column(bytes);
    }
    out
}

/// A second half from its binary form ([`encode_half`]): the table's part, then each column's
/// part in order (produced one at a time, so only one is held as bytes). `None` if the bytes
/// are not one.
pub fn decode_half(table: &[u8], columns: impl IntoIterator<Item = Vec<u8>>) -> Option<Table> {
    let mut r = Reader::new(table);
    let headers = r.strings()?;
    let n_rows = usize::try_from(r.u64()?).ok()?;
    let ragged_lines = r.u64s()?;
    let breaks = r.u64s()?;
    let line_breaks = breaks
        .chunks_exact(2)
        .map(|p| Some((usize::try_from(p[0]).ok()?, p[1])))
        .collect::<Option<Vec<_>>>()?;
    let warnings = r.strings()?;
    let n_columns = usize::try_from(r.u64()?).ok()?;
    if !r.done() || n_columns != headers.len() {
        return None;
    }
    let mut decoded = Vec::with_capacity(n_columns);
    for bytes in columns {
        let mut r = Reader::new(&bytes);
        let c = Column::decode(&mut r)?;
        if !r.done() {
            return None;
        }
        decoded.push(c);
    }
    (decoded.len() == n_columns).then_some(Table {
        headers,
        columns: decoded,
        n_rows,
        dialect: Dialect {
            delimiter: String::new(),
            gzip: false,
            bom: false,
            format: InputFormat::Delimited,
        },
        ragged_lines,
        warnings,
        header_line: 0,
        line_breaks,
    })
}

/// [`encode_half`] then [`decode_half`], as between workers.
fn round_trip(half: Table) -> Option<Table> {
    let mut columns = Vec::new();
    let table = encode_half(half, &mut |c| columns.push(c));
    decode_half(&table, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::{DICTIONARY_CAP, read_table};

    /// Every cut of `text` either falls back or gives the single path's table.
    fn check_all_cuts(text: &[u8]) -> usize {
        let whole = read_table(text);
        let mut merged = 0;
        for split in 0..=text.len() {
            if let Some(t) = parse_halves(text, split) {
                let whole = whole.as_ref().expect("halves merged where the whole fails");
                assert_eq!(&t, whole, "cut at {split}");
                assert_eq!(t.heap_bytes() > 0, whole.heap_bytes() > 0);
                for (a, b) in t.columns.iter().zip(&whole.columns) {
                    assert_eq!(a.text_hashes(), b.text_hashes(), "hashes, cut at {split}");
                    assert_eq!(a.kind(), b.kind());
                }
                for row in 0..t.n_rows {
                    assert_eq!(t.line_of_row(row), whole.line_of_row(row));
                }
                merged += 1;
            }
        }
        merged
    }

    #[test]
    fn split_point_is_after_a_line_feed() {
        assert_eq!(split_point(b"a\nb\nc", 0), Some(2));
        assert_eq!(split_point(b"a\nb\nc", 2), Some(4));
        assert_eq!(split_point(b"a\nb\n", 2), None);
        assert_eq!(split_point(b"abc", 0), None);
    }

    #[test]
    fn simple_file_merges_at_every_line() {
        let text = b"id,score,label\n1,0.5,a\n2,0.25,b\r\n\n3,x,a\n4,,c\n5,1\n6,2,d\n";
        assert!(check_all_cuts(text) >= 5);
    }

    #[test]
    fn cut_inside_a_quoted_field_falls_back() {
        let text = b"a,b\n1,\"x\ny\"\n2,z\n";
        let mut first = first_half(text, text.len() as u64).unwrap();
        first.push(&text[..9]).unwrap(); // through "1,\"x\n"
        let half = parse_second_half(b',', &["a".into(), "b".into()], 9, b"y\"\n2,z\n");
        // The second half on its own reads an unterminated quote (or rubbish): either way the
        // first half refuses.
        if let Ok(half) = half {
            assert_eq!(merge_half(&mut first, half), Err(Fallback::NotAtBoundary));
        }
        assert!(parse_halves(text, 9).is_none());
        check_all_cuts(text);
    }

    #[test]
    fn header_after_the_cut_falls_back() {
        let text = b"\n\n\na,b\n1,2\n";
        let mut first = first_half(text, text.len() as u64).unwrap();
        first.push(&text[..2]).unwrap();
        assert!(continuation_of(&first).is_none());
        let half = parse_second_half(b',', &["a".into(), "b".into()], 2, &text[2..]).unwrap();
        assert_eq!(merge_half(&mut first, half), Err(Fallback::NoHeader));
        check_all_cuts(text);
    }

    #[test]
    fn invalid_utf8_in_the_second_half_falls_back() {
        let text = b"a,b\n1,x\n2,\xff\n".to_vec();
        let mut first = first_half(&text, text.len() as u64).unwrap();
        first.push(&text[..8]).unwrap();
        let half = parse_second_half(b',', &["a".into(), "b".into()], 8, &text[8..]).unwrap();
        assert_eq!(merge_half(&mut first, half), Err(Fallback::Warnings));
        check_all_cuts(&text);
    }

    #[test]
    fn gzip_bom_and_columnar_take_the_single_path() {
        assert!(first_half(&[0x1f, 0x8b, 8, 0], 100).is_none());
        assert!(first_half(b"\xef\xbb\xbfa,b\n1,2\n", 12).is_none());
        assert!(first_half(b"PAR1....", 100).is_none());
        assert!(first_half(b"", 0).is_none());
    }

    #[test]
    fn wrong_shape_falls_back() {
        let text = b"a,b\n1,2\n3,4\n";
        let mut first = first_half(text, text.len() as u64).unwrap();
        first.push(&text[..8]).unwrap();
        let half = parse_second_half(b',', &["a".into()], 8, b"3\n").unwrap();
        assert_eq!(merge_half(&mut first, half), Err(Fallback::Shape));
    }

    /// A text column past the dictionary cap across the cut, and timestamps that stop being
    /// ones after it.
    #[test]
    fn dictionary_cap_and_hashes_across_the_cut() {
        let mut text = String::from("id,t,c\n");
        for i in 0..(DICTIONARY_CAP + 50) {
            let t = if i == DICTIONARY_CAP + 10 {
                "later".to_string()
            } else {
                format!("2024-01-01T00:00:{:02}", i % 60)
            };
            text.push_str(&format!("u{i},{t},c{}\n", i % 7));
        }
        let bytes = text.as_bytes();
        let whole = read_table(bytes).unwrap();
        for frac in [0.1, 0.5, 0.99] {
            let mid = (bytes.len() as f64 * frac) as usize;
            let split = split_point(bytes, mid).unwrap();
            let t = parse_halves(bytes, split).expect("merges");
            assert_eq!(t, whole);
            for (a, b) in t.columns.iter().zip(&whole.columns) {
                assert_eq!(a.text_hashes(), b.text_hashes());
            }
        }
        // Two halves with the dictionary at the cap exactly and one over it.
        for extra in [0usize, 1] {
            let mut text = String::from("c\n");
            for i in 0..(DICTIONARY_CAP / 2) {
                text.push_str(&format!("a{i}\n"));
            }
            let split = text.len();
            for i in 0..(DICTIONARY_CAP / 2 + extra) {
                text.push_str(&format!("b{i}\n"));
            }
            let bytes = text.as_bytes();
            let whole = read_table(bytes).unwrap();
            let t = parse_halves(bytes, split).expect("merges");
            assert_eq!(t, whole);
            assert_eq!(t.columns[0].text_hashes(), whole.columns[0].text_hashes());
            assert_eq!(t.columns[0].distinct_count().is_some(), extra == 0);
        }
    }

    /// A column that is all timestamps with over DICTIONARY_CAP distinct values before a text
    /// cell: the single path mixes instant and text hashes, which the merge refuses to guess.
    #[test]
    fn mixed_hashes_fall_back() {
        let mut text = String::from("t\n");
        for i in 0..(DICTIONARY_CAP + 5) {
            text.push_str(&format!(
                "2024-01-01T{:02}:{:02}:{:02}\n",
                i / 3600,
                (i / 60) % 60,
                i % 60
            ));
        }
        let split = text.len();
        text.push_str("not a time\nx\n");
        let bytes = text.as_bytes();
        let mut first = first_half(bytes, bytes.len() as u64).unwrap();
        first.push(&bytes[..split]).unwrap();
        let half = parse_second_half(b',', &["t".into()], split as u64, &bytes[split..]).unwrap();
        assert!(matches!(
            merge_half(&mut first, half),
            Err(Fallback::Column(_, Refusal::MixedHashes))
        ));
    }

    #[test]
    fn corrupt_binary_form_is_refused() {
        let t = read_table(b"a,b\n1,x\n2,y\n").unwrap();
        let mut columns = Vec::new();
        let table = encode_half(t.clone(), &mut |c| columns.push(c));
        let back = decode_half(&table, columns.clone()).map(|d| d.columns);
        assert_eq!(back, Some(t.columns.clone()));
        for cut in [0, 5, table.len() - 1] {
            assert!(decode_half(&table[..cut], columns.clone()).is_none());
        }
        let mut long = columns.clone();
        long[1].push(0);
        assert!(decode_half(&table, long).is_none());
        let mut short = columns[0].clone();
        short.pop();
        assert!(decode_half(&table, [short, columns[1].clone()]).is_none());
        assert!(decode_half(&table, [columns[0].clone()]).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// Random small files (quotes with embedded line breaks and delimiters, CRLF, blank
        /// lines, ragged rows, missing cells, mixed kinds, timestamps, many categories), cut
        /// everywhere: a fallback or the single path's table.
        #[test]
        fn every_cut_falls_back_or_matches(
            rows in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::sample::select(vec![
                        "", "1", "2.5", "-3e2", "NA", "x", "y", "\"a,b\"", "\"q\nr\"",
                        "\"s\"\"t\"", "2024-01-02", "2024-01-02T03:04:05Z", " 7 ", "nan", "z1",
                    ]),
                    1..5,
                ),
                0..14,
            ),
            endings in proptest::collection::vec(
                proptest::sample::select(vec!["\n", "\r\n", "\n\n", "\r"]), 14),
            header in 1usize..4,
        ) {
            let mut text = String::new();
            let names: Vec<String> = (0..header).map(|i| format!("h{i}")).collect();
            text.push_str(&names.join(","));
            text.push('\n');
            for (i, row) in rows.iter().enumerate() {
                text.push_str(&row.join(","));
                text.push_str(endings[i]);
            }
            let merged = check_all_cuts(text.as_bytes());
            // The cut just after the header line is always at a record boundary.
            if read_table(text.as_bytes()).is_ok() && text.len() > names.join(",").len() + 1 {
                proptest::prop_assert!(merged >= 1);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
        /// Categories around the dictionary cap and ids past it, cut at a few places.
        #[test]
        fn many_categories_fall_back_or_match(
            distinct in (DICTIONARY_CAP - 40)..(DICTIONARY_CAP + 40),
            rows in 4000usize..4300,
            seed in 0u64..1000,
            cuts in proptest::collection::vec(0.0f64..1.0, 3),
        ) {
            let mut text = String::from("cat,id,v\n");
            let mut x = seed;
            for i in 0..rows {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let cat = (x >> 33) as usize % distinct;
                let v = if i % 97 == 0 { "NA".to_string() } else { format!("{}", (x >> 40) % 100) };
                text.push_str(&format!("k{cat},id{},{v}\n", (x >> 20) % 5000));
            }
            let bytes = text.as_bytes();
            let whole = read_table(bytes).unwrap();
            for f in cuts {
                let split = split_point(bytes, (bytes.len() as f64 * f) as usize);
                if let Some(split) = split {
                    // No quotes and no timestamps: every cut at a line feed merges.
                    let t = parse_halves(bytes, split);
                    proptest::prop_assert!(t.is_some());
                    let t = t.unwrap_or_else(|| whole.clone());
                    proptest::prop_assert_eq!(&t, &whole);
                    for (a, b) in t.columns.iter().zip(&whole.columns) {
                        proptest::prop_assert_eq!(a.text_hashes(), b.text_hashes());
                    }
                }
            }
        }
    }
}
