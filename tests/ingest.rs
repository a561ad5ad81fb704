//! Ingest tests: dialects, encodings, gzip, broken files and chunked reading.
//!
//! The independent reference for well-formed files is the `csv` crate (its reader is what
//! the rest of the Rust ecosystem trusts); hand-made files in `tests/fixtures/ingest/` cover
//! each dialect and each broken case, with expected values written out by hand.

use flate2::Compression;
use flate2::write::GzEncoder;
use plumb::core::error::PlumbError;
use plumb::core::ingest::{ColumnKind, Table, TableBuilder, read_table};
use proptest::prelude::*;
use std::io::Write;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn read(path: &str) -> Result<Table, PlumbError> {
    read_table(&fixture(path))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Push `bytes` in pieces cut at `cuts` (positions, any order, clamped to the length).
fn read_in_chunks(bytes: &[u8], cuts: &[usize]) -> Result<Table, PlumbError> {
    let mut cuts: Vec<usize> = cuts.iter().map(|&c| c.min(bytes.len())).collect();
    cuts.sort_unstable();
    let mut b = TableBuilder::new();
    let mut start = 0;
    for c in cuts.into_iter().chain([bytes.len()]) {
        b.push(&bytes[start..c])?;
        start = c;
    }
    b.finish()
}

/// The three-row table that every dialect fixture holds.
fn assert_small_table(t: &Table) {
    assert_eq!(t.headers, vec!["id", "score", "label"]);
    assert_eq!(t.n_rows, 3);
    assert_eq!(t.columns[1].numeric(), &[0.1, 0.9, 0.35]);
    assert_eq!(t.columns[2].numeric(), &[0.0, 1.0, 1.0]);
    assert!(t.ragged_lines.is_empty());
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    assert_eq!(
        (0..3).map(|r| t.line_of_row(r)).collect::<Vec<_>>(),
        vec![2, 3, 4]
    );
}

#[test]
fn each_delimiter_is_detected() {
    for (file, delimiter) in [
        ("ingest/comma.csv", ","),
        ("ingest/semicolon.csv", ";"),
        ("ingest/tab.tsv", "\t"),
        ("ingest/pipe.txt", "|"),
    ] {
        let t = read(file).unwrap();
        assert_eq!(t.dialect.delimiter, delimiter, "{file}");
        assert!(!t.dialect.gzip && !t.dialect.bom, "{file}");
        assert_small_table(&t);
    }
}

#[test]
fn line_endings_and_final_newline_do_not_matter() {
    let lf = read("ingest/comma.csv").unwrap();
    assert_eq!(read("ingest/crlf.csv").unwrap(), lf);
    assert_eq!(read("ingest/no_final_newline.csv").unwrap(), lf);
    // Lone CR (classic Mac) line endings too.
    let cr: Vec<u8> = fixture("ingest/comma.csv")
        .into_iter()
        .map(|b| if b == b'\n' { b'\r' } else { b })
        .collect();
    assert_eq!(read_table(&cr).unwrap(), lf);
}

#[test]
fn utf8_bom_is_stripped() {
    let t = read("ingest/bom.csv").unwrap();
    assert!(t.dialect.bom);
    assert_small_table(&t);
}

#[test]
fn quoted_fields() {
    let t = read("ingest/quoted.csv").unwrap();
    assert_eq!(t.n_rows, 5);
    let comment = t.column("comment").unwrap();
    assert_eq!(comment.text(0), Some("hello, world"));
    assert_eq!(comment.text(1), Some("line one\nline two"));
    assert_eq!(comment.text(2), Some("she said \"hi\""));
    assert_eq!(comment.text(3), Some("plain"));
    assert!(comment.is_missing(4));
    // Row 2 starts after a field that spans two lines.
    let lines: Vec<u64> = (0..5).map(|r| t.line_of_row(r)).collect();
    assert_eq!(lines, vec![2, 3, 5, 6, 7]);
    assert_eq!(
        t.column("score").unwrap().numeric(),
        &[0.1, 0.2, 0.3, 0.4, 0.5]
    );
}

#[test]
fn gzip_is_detected_by_magic_bytes() {
    let plain = fixture("logs/basic.csv");
    let t = read_table(&gzip(&plain)).unwrap();
    assert!(t.dialect.gzip);
    let mut expected = read_table(&plain).unwrap();
    expected.dialect.gzip = true;
    assert_eq!(t, expected);
}

#[test]
fn multi_member_gzip_is_read_whole() {
    let plain = fixture("logs/basic.csv");
    let cut = plain.len() / 3;
    let mut two = gzip(&plain[..cut]);
    two.extend(gzip(&plain[cut..]));
    let mut expected = read_table(&plain).unwrap();
    expected.dialect.gzip = true;
    assert_eq!(read_table(&two).unwrap(), expected);
    assert_eq!(read_in_chunks(&two, &[1, 7, 100, 2000]).unwrap(), expected);
}

#[test]
fn truncated_gzip_is_an_error() {
    let gz = gzip(&fixture("logs/basic.csv"));
    for keep in [2, 10, gz.len() / 2, gz.len() - 4] {
        let err = read_table(&gz[..keep]).unwrap_err();
        assert!(matches!(err, PlumbError::Gzip { .. }), "{keep}: {err:?}");
        let text = err.to_string();
        assert!(
            text.contains("gzip") && text.contains("truncated"),
            "{text}"
        );
    }
}

#[test]
fn corrupt_gzip_is_an_error() {
    let mut gz = gzip(&fixture("logs/basic.csv"));
    let middle = gz.len() / 2;
    for b in &mut gz[middle..middle + 16] {
        *b ^= 0x5a;
    }
    let err = read_table(&gz).unwrap_err();
    assert!(matches!(err, PlumbError::Gzip { .. }), "{err:?}");
    // A bad checksum alone (last 8 bytes) is caught too.
    let mut gz = gzip(&fixture("ingest/comma.csv"));
    let n = gz.len();
    gz[n - 8] ^= 1;
    assert!(matches!(read_table(&gz), Err(PlumbError::Gzip { .. })));
}

#[test]
fn a_gz_name_on_plain_text_is_read_as_text() {
    let t = read("ingest/not_gzip.csv.gz").unwrap();
    assert!(!t.dialect.gzip);
    assert_small_table(&t);
}

#[test]
fn utf16_is_refused_with_advice() {
    for (file, encoding) in [
        ("ingest/utf16le_bom.csv", "UTF-16LE"),
        ("ingest/utf16be_bom.csv", "UTF-16BE"),
        ("ingest/utf16le_nobom.csv", "UTF-16LE"),
    ] {
        let err = read(file).unwrap_err();
        assert!(
            matches!(&err, PlumbError::Encoding { encoding: e, .. } if e == encoding),
            "{file}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains(encoding) && text.contains("UTF-8"), "{text}");
    }
    // Compressed UTF-16 is recognised after decompression.
    let err = read_table(&gzip(&fixture("ingest/utf16le_bom.csv"))).unwrap_err();
    assert!(matches!(err, PlumbError::Encoding { .. }), "{err:?}");
}

#[test]
fn binary_files_are_refused() {
    let err = read("ingest/binary.bin").unwrap_err();
    assert_eq!(
        err,
        PlumbError::Binary {
            what: "binary data (the header line contains NUL bytes)".into(),
            byte: 7
        }
    );
    assert!(err.to_string().contains("not CSV text"), "{err}");
    let err = read("ingest/xlsx_like.xlsx").unwrap_err();
    assert!(err.to_string().contains(".xlsx"), "{err}");
}

#[test]
fn empty_inputs() {
    assert_eq!(read("ingest/empty.csv"), Err(PlumbError::Empty));
    assert_eq!(read("ingest/blank_lines.csv"), Err(PlumbError::Empty));
    assert_eq!(read_table(&gzip(b"")), Err(PlumbError::Empty));
    assert_eq!(TableBuilder::new().finish(), Err(PlumbError::Empty));
    assert!(PlumbError::Empty.to_string().contains("empty"));
}

#[test]
fn header_only_gives_zero_rows() {
    let t = read("ingest/header_only.csv").unwrap();
    assert_eq!(t.headers, vec!["score", "label"]);
    assert_eq!(t.n_rows, 0);
    assert_eq!(t.columns[0].kind(), ColumnKind::Empty);
}

#[test]
fn ragged_rows_are_left_out_and_counted() {
    let t = read("ingest/ragged.csv").unwrap();
    assert_eq!(t.ragged_lines, vec![3, 5]);
    assert_eq!(t.n_rows, 3);
    assert_eq!(t.columns[0].numeric(), &[0.1, 0.3, 0.5]);
    // Line numbers skip the ragged and the blank lines.
    let lines: Vec<u64> = (0..3).map(|r| t.line_of_row(r)).collect();
    assert_eq!(lines, vec![2, 4, 7]);
}

#[test]
fn unterminated_quote_names_its_line() {
    let err = read("ingest/unterminated.csv").unwrap_err();
    assert_eq!(err.line(), Some(3));
    assert!(matches!(err, PlumbError::Parse { byte: 32, .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.starts_with("Line 3 (byte 32): "), "{text}");
    assert!(text.contains("closing quote"), "{text}");
}

#[test]
fn duplicate_and_empty_headers_are_renamed() {
    let t = read("ingest/duplicate_headers.csv").unwrap();
    assert_eq!(
        t.headers,
        vec!["x", "x_3", "column_3", "score", "x_2", "label"]
    );
    let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, t.headers);
    assert_eq!(t.warnings.len(), 2, "{:?}", t.warnings);
    assert!(t.warnings[0].contains("\"x\"") && t.warnings[0].contains("\"x_3\""));
    assert!(t.warnings[1].contains("Column 3") && t.warnings[1].contains("column_3"));
    let t = read_table(b"x,x,y,\n1,2,3,4\n").unwrap();
    assert_eq!(t.headers, vec!["x", "x_2", "y", "column_4"]);
}

#[test]
fn headerless_file_is_warned_about() {
    let t = read_table(b"0.5,1\n0.7,0\n").unwrap();
    assert_eq!(t.n_rows, 1);
    assert!(
        t.warnings.iter().any(|w| w.contains("no header line")),
        "{:?}",
        t.warnings
    );
}

#[test]
fn timestamps_are_parsed() {
    let t = read("ingest/timestamps.csv").unwrap();
    let ts = t.column("ts").unwrap();
    assert_eq!(ts.kind(), ColumnKind::Timestamp);
    let got = ts.timestamps().unwrap();
    let expected = [
        1_767_225_600.0,
        1_767_261_600.0,
        1_767_261_600.0,
        1_767_261_600.5,
        1_767_261_600.0,
    ];
    assert_eq!(&got[..5], &expected);
    assert!(got[5].is_nan() && ts.is_missing(5));
    // Epoch numbers stay numbers at ingest; schema recognises them.
    let created = t.column("created_at").unwrap();
    assert_eq!(created.kind(), ColumnKind::Numeric);
    assert!(created.timestamps().is_none());
}

#[test]
fn missing_markers_and_non_finite_numbers() {
    let text = b"v\nNA\nN/A\nNaN\nnan\nnull\nNULL\nNone\nnone\n?\n-\n  \ninf\n-inf\n1e999\n 2.5 \nabc\n\"\"\n";
    let t = read_table(text).unwrap();
    let c = &t.columns[0];
    // The whitespace-only line 12 is a blank line, not a row; `""` (line 18) is an empty cell.
    assert_eq!(t.n_rows, 16);
    assert_eq!(t.line_of_row(10), 13);
    assert_eq!(c.missing_count(), 11);
    assert_eq!(c.non_numeric_count(), 1);
    assert_eq!(c.non_numeric_lines(), &[17]);
    let n = c.numeric();
    assert_eq!(
        &n[10..14],
        &[f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, 2.5]
    );
    assert!(!c.is_missing(10) && c.is_missing(15));
}

#[test]
fn errors_stick_after_a_failed_push() {
    // Small inputs are checked at `finish`, once the whole (short) text is known.
    let mut b = TableBuilder::new();
    b.push(b"\xff\xfea\x00").unwrap();
    assert!(matches!(b.finish(), Err(PlumbError::Encoding { .. })));
    // Large ones as soon as the 64 KiB sample is full; later pushes repeat the error.
    let mut b = TableBuilder::new();
    let err = b.push(&vec![0u8; 70_000]).unwrap_err();
    assert!(matches!(err, PlumbError::Binary { byte: 0, .. }), "{err:?}");
    assert_eq!(b.push(b"a,b\n"), Err(err.clone()));
    assert_eq!(b.finish(), Err(err));
}

/// The fixture logs read by the `csv` crate: (headers, rows of fields).
fn csv_crate(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (headers, rows)
}

#[test]
fn fixture_logs_match_the_csv_crate() {
    for name in [
        "basic",
        "ties",
        "extremes",
        "one_class",
        "single_row",
        "constant",
        "reference",
        "current",
    ] {
        let bytes = fixture(&format!("logs/{name}.csv"));
        let t = read_table(&bytes).unwrap();
        let (headers, rows) = csv_crate(&bytes);
        assert_eq!(t.headers, headers, "{name}");
        assert_eq!(t.n_rows, rows.len(), "{name}");
        for (j, col) in t.columns.iter().enumerate() {
            for (i, row) in rows.iter().enumerate() {
                let want = row[j].trim();
                match want.parse::<f64>() {
                    Ok(v) => assert_eq!(col.number(i).to_bits(), v.to_bits(), "{name} {j} {i}"),
                    Err(_) => assert!(col.number(i).is_nan(), "{name} {j} {i}"),
                }
                if let Some(text) = col.text(i) {
                    assert_eq!(text, want, "{name} {j} {i}");
                }
            }
        }
        let ts = t.column("timestamp").unwrap();
        assert_eq!(ts.kind(), ColumnKind::Timestamp, "{name}");
        assert_eq!(
            t.column("score").unwrap().kind(),
            ColumnKind::Numeric,
            "{name}"
        );
        assert_eq!(
            t.column("country").unwrap().kind(),
            ColumnKind::Categorical,
            "{name}"
        );
    }
}

#[test]
fn large_input_crosses_the_sniffing_window() {
    // reference.csv is larger than the 64 KiB sniffing sample.
    let bytes = fixture("logs/reference.csv");
    assert!(bytes.len() > 64 * 1024);
    let whole = read_table(&bytes).unwrap();
    assert_eq!(whole.n_rows, 1500);
    assert_eq!(
        read_in_chunks(&bytes, &[65_535, 65_536, 65_537]).unwrap(),
        whole
    );
    let one_byte: Vec<usize> = (0..bytes.len()).step_by(997).collect();
    assert_eq!(read_in_chunks(&bytes, &one_byte).unwrap(), whole);
}

/// A field drawn from characters that exercise quoting.
fn field() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-c0-9 .,;\"\\n\\r-]{0,8}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the chunk boundaries, the table is the same (plain and gzip, files with
    /// quotes, CRLF and ragged rows).
    #[test]
    fn chunked_push_equals_whole_read(
        which in 0usize..6,
        gz in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let files = [
            "logs/basic.csv",
            "ingest/quoted.csv",
            "ingest/crlf.csv",
            "ingest/ragged.csv",
            "ingest/exclusions.csv",
            "ingest/bom.csv",
        ];
        let plain = fixture(files[which]);
        let bytes = if gz { gzip(&plain) } else { plain };
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        let whole = read_table(&bytes);
        prop_assert_eq!(read_in_chunks(&bytes, &cuts), whole);
    }

    /// Tables written by the `csv` crate's writer read back cell for cell, in any chunking.
    #[test]
    fn csv_writer_round_trip(
        rows in proptest::collection::vec(proptest::collection::vec(field(), 3), 1..20),
        crlf in any::<bool>(),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut w = csv::WriterBuilder::new()
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        w.write_record(["a", "b", "c"]).unwrap();
        for r in &rows {
            w.write_record(r).unwrap();
        }
        let bytes = w.into_inner().unwrap();
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        let t = read_in_chunks(&bytes, &cuts).unwrap();
        prop_assert_eq!(&t.dialect.delimiter, ",");
        prop_assert!(t.ragged_lines.is_empty());
        prop_assert_eq!(t.n_rows, rows.len());
        for (i, r) in rows.iter().enumerate() {
            for (j, cell) in r.iter().enumerate() {
                let want = cell.trim_matches(|c: char| c.is_ascii_whitespace());
                let col = &t.columns[j];
                if plumb::core::ingest::is_missing_marker(want.as_bytes()) {
                    prop_assert!(col.is_missing(i));
                } else {
                    prop_assert_eq!(col.text(i), Some(want));
                }
            }
        }
        // Line numbers agree with the csv crate's record positions (which count LF only, so
        // only when no cell holds a lone CR).
        if rows.iter().flatten().any(|c| c.contains('\r')) {
            return Ok(());
        }
        // The csv crate's record positions are unreliable after CRLF when a record starts
        // with an empty field (it reports line 1 for `,,a\r\n` after the header); Plumb's
        // CRLF line numbers are pinned by `row_of_empty_fields_is_a_row` and the Python
        // goldens of `ingest/crlf.csv`, so only LF files are compared with the csv crate.
        if crlf {
            return Ok(());
        }
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
        for (i, rec) in reader.records().enumerate() {
            let pos = rec.unwrap().position().unwrap().clone();
            prop_assert_eq!(t.line_of_row(i), pos.line());
        }
    }
}

/// A JSON number, or `"inf"`/`"-inf"`, or null (NaN).
fn json_f64(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Null => f64::NAN,
        serde_json::Value::String(s) if s == "inf" => f64::INFINITY,
        serde_json::Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Every fixture against Python's csv module (records, ragged rows, lines), csv.Sniffer
/// (delimiter), float() (numbers) and pandas.to_datetime (timestamps); see
/// tests/fixtures/make_goldens_ingest.py. Values are exact; sums, whose order of addition
/// differs (math.fsum there), agree to 1e-12 relative.
#[test]
fn goldens_from_python() {
    let path = format!(
        "{}/tests/fixtures/goldens/ingest.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tables = golden["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 22);
    for g in tables {
        let file = g["file"].as_str().unwrap();
        let t = read(file).unwrap();
        assert_eq!(
            t.dialect.delimiter,
            g["delimiter"].as_str().unwrap(),
            "{file}"
        );
        assert_eq!(t.dialect.bom, g["bom"].as_bool().unwrap(), "{file}");
        let headers: Vec<&str> = g["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap())
            .collect();
        assert_eq!(t.headers, headers, "{file}");
        assert_eq!(t.n_rows as u64, g["n_rows"].as_u64().unwrap(), "{file}");
        let ragged: Vec<u64> = g["ragged_lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(t.ragged_lines, ragged, "{file}");
        if let Some(lines) = g["row_lines"].as_array() {
            let got: Vec<u64> = (0..t.n_rows).map(|r| t.line_of_row(r)).collect();
            let want: Vec<u64> = lines.iter().map(|v| v.as_u64().unwrap()).collect();
            assert_eq!(got, want, "{file}");
        }
        for (c, gc) in t.columns.iter().zip(g["columns"].as_array().unwrap()) {
            let at = format!("{file} {}", c.name);
            assert_eq!(c.missing_count(), gc["missing"].as_u64().unwrap(), "{at}");
            assert_eq!(
                c.non_numeric_count(),
                gc["non_numeric"].as_u64().unwrap(),
                "{at}"
            );
            let finite: Vec<f64> = c
                .numeric()
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            assert_eq!(
                finite.len() as u64,
                gc["finite_count"].as_u64().unwrap(),
                "{at}"
            );
            let sum: f64 = finite.iter().sum();
            let want = gc["finite_sum"].as_f64().unwrap();
            assert!(
                (sum - want).abs() <= 1e-12 * want.abs().max(1.0),
                "{at}: {sum} {want}"
            );
            let min = finite.iter().copied().reduce(f64::min);
            assert_eq!(min, gc["min"].as_f64(), "{at}");
            let max = finite.iter().copied().reduce(f64::max);
            assert_eq!(max, gc["max"].as_f64(), "{at}");
            if let Some(values) = gc["values"].as_array() {
                for (row, v) in values.iter().enumerate() {
                    assert!(same_f64(c.number(row), json_f64(v)), "{at} row {row}");
                }
            }
            if let Some(ts) = gc["timestamps"].as_array() {
                let got = c
                    .timestamps()
                    .unwrap_or_else(|| panic!("{at}: no timestamps"));
                for (row, v) in ts.iter().enumerate() {
                    assert!(same_f64(got[row], json_f64(v)), "{at} row {row}");
                }
            }
            if let Some(n) = gc["timestamp_count"].as_u64() {
                let got = c
                    .timestamps()
                    .unwrap_or_else(|| panic!("{at}: no timestamps"));
                let present: Vec<f64> = got.iter().copied().filter(|v| !v.is_nan()).collect();
                assert_eq!(present.len() as u64, n, "{at}");
                assert_eq!(
                    present.iter().copied().reduce(f64::min),
                    gc["timestamp_min"].as_f64()
                );
                assert_eq!(
                    present.iter().copied().reduce(f64::max),
                    gc["timestamp_max"].as_f64()
                );
                let sum: f64 = present.iter().sum();
                let want = gc["timestamp_sum"].as_f64().unwrap();
                assert!(
                    (sum - want).abs() <= 1e-12 * want.abs(),
                    "{at}: {sum} {want}"
                );
            }
            let has_ts = gc.get("timestamps").is_some() || gc.get("timestamp_count").is_some();
            assert_eq!(c.kind() == ColumnKind::Timestamp, has_ts, "{at}");
        }
    }
}

/// Rough speed check (run by hand: `cargo test --test ingest speed -- --ignored --nocapture`).
#[test]
#[ignore]
fn speed_of_a_large_log() {
    let mut text =
        String::from("timestamp,score,label,model_version,segment,x1,x2,x3,x4,country,id,note\n");
    let n = 200_000;
    for i in 0..n {
        text.push_str(&format!(
            "2026-01-01T00:{:02}:{:02}Z,{:.6},{},v1,{},{:.5},{:.5},{},{:.3},{},{},note {}\n",
            (i / 60) % 60,
            i % 60,
            (i % 997) as f64 / 997.0,
            i % 2,
            if i % 3 == 0 { "web" } else { "app" },
            (i % 1013) as f64 / 7.0,
            (i % 17) as f64 * 0.3,
            i % 5,
            (i % 101) as f64 / 3.0,
            ["DE", "FR", "US", "BR"][i % 4],
            i,
            i % 7
        ));
    }
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let t = read_table(text.as_bytes()).unwrap();
        let elapsed = start.elapsed();
        assert_eq!(t.n_rows, n);
        println!(
            "{} MB, {n} rows x 12 columns in {elapsed:?}",
            text.len() / 1_000_000
        );
    }
}

/// Regression (found by `csv_writer_round_trip`): a record of empty fields is a row, and its
/// line number is right with CRLF and LF endings.
#[test]
fn row_of_empty_fields_is_a_row() {
    for bytes in [
        &b"a,b,c\r\n,,\r\n"[..],
        &b"a,b,c\n,,\n"[..],
        &b"a,b,c\r\n,,"[..],
    ] {
        let t = read_table(bytes).unwrap();
        assert_eq!(t.n_rows, 1, "{bytes:?}");
        assert_eq!(t.line_of_row(0), 2, "{bytes:?}");
    }
}
