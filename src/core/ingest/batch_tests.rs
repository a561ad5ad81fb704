//! The batched ingest path (rows of a chunk pushed column by column, see `Accumulator`)
//! against the row-by-row one (`batch_rows` 0: every record's cells pushed as it comes, the
//! path before batching), on random delimited text with everything that leaves the batch:
//! quoted fields, records across chunks, CRLF and lone CR, blank lines, ragged rows, missing
//! markers, bad numbers and timestamps in settled columns, new dictionary keys late, invalid
//! UTF-8, an unterminated quote at the end.

use super::{Table, TableBuilder};
use crate::core::error::PlumbError;

/// SplitMix64 (Steele, Lea and Flood, 2014): a small deterministic generator for the text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Whether an event of probability `per_mille` / 1000 happens.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Cells that are not what a settled column's short path takes (or that leave the batch).
const ODD: [&str; 14] = [
    "NA",
    "",
    " 0.5 ",
    "1e-3",
    "abc",
    "\"0.25\"",
    "\"a,b\"",
    "\"two\nlines\"",
    "12345678901234567",
    "-0.0",
    "inf",
    "2026-13-01",
    "2026-01-02",
    "x\"y",
];

/// A log of `rows` rows: a score (distinct decimals, so its dictionary overflows and it
/// settles as numbers), a timestamp (distinct instants: settles as timestamps), a label (a few
/// keys, new ones late), an id (distinct text: hashes), each cell odd with probability `odd`
/// per mille; blank lines, ragged rows and line endings mixed in.
fn log_text(seed: u64, rows: usize, odd: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    if rng.chance(100) {
        out.extend_from_slice(b"\n");
    }
    out.extend_from_slice(b"score,ts,label,id\n");
    for row in 0..rows {
        let ending = rng.pick(&["\n", "\n", "\n", "\r\n", "\r"]);
        if rng.chance(5) {
            out.extend_from_slice(if rng.chance(500) { b"  \n" } else { b"\n" });
        }
        let mut cells: Vec<Vec<u8>> = vec![
            format!("{}.{:06}", row % 7, rng.next() % 1_000_000).into_bytes(),
            format!(
                "2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                1 + row / 3000 % 12,
                1 + row / 100 % 28,
                row / 60 % 24,
                row % 60,
                rng.next() % 60,
                rng.next() % 1000
            )
            .into_bytes(),
            rng.pick(&["0", "1", "0", "1", "v1"]).as_bytes().to_vec(),
            format!("id{row}").into_bytes(),
        ];
        if row > rows / 2 && rng.chance(20) {
            cells[2] = format!("late{}", rng.next() % 50).into_bytes();
        }
        if rng.chance(3) {
            cells[3] = b"bad\xff\xfeutf8".to_vec();
        }
        for cell in &mut cells {
            if rng.chance(odd) {
                *cell = rng.pick(&ODD).as_bytes().to_vec();
            }
        }
        if rng.chance(5) {
            cells.pop();
        } else if rng.chance(5) {
            cells.push(b"extra".to_vec());
        }
        out.extend_from_slice(&cells.join(&b","[..]));
        out.extend_from_slice(ending.as_bytes());
    }
    if rng.chance(50) {
        out.extend_from_slice(b"1,2,\"never closed\n");
    }
    out
}

/// `text` read in pieces cut at `cuts`, with rows pushed in batches of `batch_rows` (0: row
/// by row); with or without a size hint (which sizes the columns between pushes).
fn read(text: &[u8], cuts: &[usize], batch_rows: usize, hint: bool) -> Result<Table, PlumbError> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c % (text.len() + 1)).collect();
    cuts.sort_unstable();
    let mut b = TableBuilder::new();
    b.text.acc.batch_rows = batch_rows;
    if hint {
        b.set_size_hint(text.len() as u64);
    }
    let mut start = 0;
    for c in cuts.into_iter().chain([text.len()]) {
        b.push(&text[start..c])?;
        start = c;
    }
    b.finish()
}

/// Tables equal in everything, text hashes included (`Column`'s equality leaves them out).
fn assert_same(got: &Result<Table, PlumbError>, want: &Result<Table, PlumbError>) {
    assert_eq!(got, want);
    if let (Ok(g), Ok(w)) = (got, want) {
        for (a, b) in g.columns.iter().zip(&w.columns) {
            assert_eq!(a.text_hashes(), b.text_hashes(), "{}", a.name);
            assert_eq!(a.kind(), b.kind(), "{}", a.name);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Batched reading gives the row-by-row table, warnings and errors, for any chunking and
    /// batch size.
    #[test]
    fn batched_parse_equals_row_by_row(
        seed in proptest::prelude::any::<u64>(),
        rows in 0usize..6000,
        odd in proptest::sample::select(vec![0u64, 2, 30]),
        cuts in proptest::collection::vec(proptest::prelude::any::<usize>(), 0..40),
        batch_rows in proptest::sample::select(vec![1usize, 3, 64, super::ROW_BATCH]),
        hint in proptest::prelude::any::<bool>(),
    ) {
        let text = log_text(seed, rows, odd);
        let want = read(&text, &[], 0, hint);
        assert_same(&read(&text, &cuts, 0, hint), &want);
        assert_same(&read(&text, &cuts, batch_rows, hint), &want);
    }
}

/// The generated logs reach what the property is about: settled number and timestamp
/// columns that then meet odd cells, a dropped dictionary with hashes, ragged rows.
#[test]
fn generated_logs_settle_their_columns() {
    let text = log_text(7, 6000, 2);
    let t = read(&text, &[], super::ROW_BATCH, true).unwrap();
    let score = t.column("score").unwrap();
    assert!(score.dictionary().is_none() && score.non_numeric_count() > 0);
    let ts = t.column("ts").unwrap();
    assert!(ts.dictionary().is_none());
    // Odd cells include numbers, which end an id column's hashes; without them it keeps them.
    let plain = read(&log_text(7, 6000, 0), &[], super::ROW_BATCH, true).unwrap();
    assert!(plain.column("id").unwrap().text_hashes().is_some());
    assert!(!t.ragged_lines.is_empty());
    assert!(t.column("label").unwrap().distinct_count().unwrap() > 3);
}
