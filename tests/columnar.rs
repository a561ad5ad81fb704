//! Parquet and Arrow IPC input (`core::ingest::read_parquet` / `read_arrow_ipc`, through
//! `FileLoader`).
//!
//! References: `tests/fixtures/make_columnar.py` writes one 600-row log as CSV and, with
//! pyarrow, as Parquet (every codec, 3 row groups) and Arrow IPC (file, stream, LZ4), plus
//! `expected.json` with pandas' statistics of the CSV. Every columnar file must load into the
//! same columns as the CSV (numbers bit for bit, missing cells, kinds, timestamps) and give the
//! same report; the column statistics must match pandas'.

use plumb::core::analysis::{self, LoadedFile, detect_mapping};
use plumb::core::error::PlumbError;
use plumb::core::ingest::ColumnKind;
use plumb::core::report::{InputFormat, Settings};
use plumb::core::stream::FileLoader;
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let full = format!(
        "{}/tests/fixtures/columnar/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn expected() -> Value {
    serde_json::from_slice(&fixture("expected.json")).unwrap()
}

fn load(name: &str) -> LoadedFile {
    analysis::load_file(name, &fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The columnar files the reader must read (zstd is refused: see its own test).
fn readable() -> Vec<String> {
    let gold = expected();
    let mut names: Vec<String> = gold["files"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|n| !n.contains("zstd"))
        .cloned()
        .collect();
    names.sort();
    assert_eq!(names.len(), 8, "{names:?}");
    names
}

fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn columnar_files_load_the_same_columns_as_the_csv() {
    let csv = load("data.csv");
    assert_eq!(csv.dialect.format, InputFormat::Delimited);
    for name in readable() {
        let file = load(&name);
        let format = if name.ends_with(".parquet") {
            InputFormat::Parquet
        } else {
            InputFormat::ArrowIpc
        };
        assert_eq!(file.dialect.format, format, "{name}");
        assert_eq!(file.rows, 600, "{name}");
        assert_eq!(file.table.headers, csv.table.headers, "{name}");
        assert!(file.warnings.is_empty(), "{name}: {:?}", file.warnings);
        for (a, b) in file.table.columns.iter().zip(&csv.table.columns) {
            let what = format!("{name}: {}", a.name);
            assert_eq!(a.kind(), b.kind(), "{what}");
            assert!(same_bits(a.numeric(), b.numeric()), "{what}");
            assert_eq!(a.missing_count(), b.missing_count(), "{what}");
            assert_eq!(a.non_numeric_count(), b.non_numeric_count(), "{what}");
            assert_eq!(a.distinct_count(), b.distinct_count(), "{what}");
            match (a.timestamps(), b.timestamps()) {
                (Some(x), Some(y)) => assert!(same_bits(x, y), "{what}"),
                (None, None) => {}
                _ => panic!("{what}: timestamps on one side only"),
            }
            for row in 0..600 {
                assert_eq!(a.is_missing(row), b.is_missing(row), "{what} row {row}");
            }
        }
        // Texts are the same where the CSV holds the same text (dictionary strings, free
        // text, ISO dates and instants).
        for column in ["segment", "note", "day", "timestamp"] {
            let (a, b) = (
                file.table.column(column).unwrap(),
                csv.table.column(column).unwrap(),
            );
            for row in 0..600 {
                assert_eq!(a.text(row), b.text(row), "{name}: {column} row {row}");
            }
        }
    }
}

#[test]
fn column_kinds_and_statistics_match_pandas() {
    let gold = expected();
    for name in readable().iter().map(String::as_str).chain(["data.csv"]) {
        let file = load(name);
        let t = &file.table;
        let kind = |c: &str| t.column(c).unwrap().kind();
        assert_eq!(kind("timestamp"), ColumnKind::Timestamp, "{name}");
        assert_eq!(kind("day"), ColumnKind::Timestamp, "{name}");
        for c in ["score", "label", "amount", "visits", "ratio"] {
            assert_eq!(kind(c), ColumnKind::Numeric, "{name}: {c}");
        }
        assert_eq!(kind("segment"), ColumnKind::Categorical, "{name}");
        assert_eq!(kind("note"), ColumnKind::Categorical, "{name}");
        for (c, want) in gold["columns"].as_object().unwrap() {
            let col = t.column(c).unwrap();
            let what = format!("{name}: {c}");
            assert_eq!(
                col.missing_count(),
                want["missing"].as_u64().unwrap(),
                "{what}"
            );
            if !matches!(c.as_str(), "amount") {
                // pandas counts distinct texts; "12.30" and "12.3" are one number for Plumb.
                assert_eq!(
                    col.distinct_count().map(|d| d as u64),
                    want["distinct"].as_u64(),
                    "{what}"
                );
            }
            if let Some(sum) = want["sum"].as_f64() {
                let got: f64 = col.numeric().iter().filter(|v| !v.is_nan()).sum();
                assert!(
                    (got - sum).abs() <= 1e-9 * sum.abs().max(1.0),
                    "{what}: {got} vs {sum}"
                );
            }
            if let Some(lo) = want["min_epoch"].as_f64() {
                let ts = col.timestamps().unwrap();
                let min = ts
                    .iter()
                    .copied()
                    .filter(|v| !v.is_nan())
                    .fold(f64::INFINITY, f64::min);
                let max = ts
                    .iter()
                    .copied()
                    .filter(|v| !v.is_nan())
                    .fold(f64::NEG_INFINITY, f64::max);
                assert_eq!(min, lo, "{what}");
                assert_eq!(max, want["max_epoch"].as_f64().unwrap(), "{what}");
            }
        }
    }
}

/// The report without its `input` section (names, sizes, hashes and format differ by file).
fn report_without_input(file: &LoadedFile) -> Value {
    let mapping = detect_mapping(file);
    let report = analysis::analyze_single(file, &mapping, &Settings::default(), "test").unwrap();
    let mut v: Value = serde_json::from_str(&analysis::report_json(&report).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("input");
    v
}

#[test]
fn columnar_files_give_the_csv_report() {
    let csv = load("data.csv");
    let mapping = detect_mapping(&csv);
    assert_eq!(mapping.score.as_deref(), Some("score"));
    assert_eq!(mapping.label.as_deref(), Some("label"));
    assert_eq!(mapping.timestamp.as_deref(), Some("timestamp"));
    let want = report_without_input(&csv);
    // Every file's columns equal the CSV's (the test above); the whole report, which takes a
    // while in a debug build, is compared for one file per reader path.
    for name in [
        "data_snappy.parquet",
        "data.arrow",
        "data_lz4.arrow",
        "data.arrows",
    ] {
        let file = load(name);
        assert_eq!(detect_mapping(&file), mapping, "{name}");
        let got = report_without_input(&file);
        if got != want {
            let (g, w) = (got.as_object().unwrap(), want.as_object().unwrap());
            let differ: Vec<&String> = g.keys().filter(|k| g.get(*k) != w.get(*k)).collect();
            panic!("{name}: report differs from the CSV's in {differ:?}");
        }
    }
}

#[test]
fn chunked_loading_equals_one_shot() {
    for name in ["data_snappy.parquet", "data.arrow", "data.arrows"] {
        let bytes = fixture(name);
        let whole = load(name);
        for chunk in [1, 5, 4096, 1 << 22] {
            let mut loader = FileLoader::new(name);
            for piece in bytes.chunks(chunk) {
                loader.push(piece).unwrap();
            }
            assert!(loader.buffered_bytes() >= bytes.len() as u64, "{name}");
            let format = if name.ends_with(".parquet") {
                InputFormat::Parquet
            } else {
                InputFormat::ArrowIpc
            };
            assert_eq!(loader.format(), Some(format));
            assert_eq!(loader.rows(), 0);
            assert_eq!(
                loader.finish().unwrap(),
                whole,
                "{name} in {chunk}-byte chunks"
            );
        }
        // Told the size, the loader holds the file in one allocation of exactly that size.
        let mut loader = FileLoader::new(name);
        loader.expect_bytes(bytes.len() as u64);
        for piece in bytes.chunks(4096) {
            loader.push(piece).unwrap();
        }
        assert_eq!(loader.buffered_bytes(), bytes.len() as u64, "{name}");
    }
}

#[test]
fn zstd_parquet_is_refused_by_name() {
    let err = analysis::load_file("z.parquet", &fixture("data_zstd.parquet")).unwrap_err();
    match &err {
        PlumbError::Columnar {
            format, location, ..
        } => {
            assert_eq!(format, "Parquet");
            assert_eq!(location, "row group 1, column \"timestamp\"");
        }
        other => panic!("{other:?}"),
    }
    let text = err.user_message();
    assert!(
        text.contains("Zstandard") && text.contains("Snappy"),
        "{text}"
    );
}

#[test]
fn nested_columns_are_left_out_with_a_warning() {
    let file = load("nested.parquet");
    assert_eq!(file.table.headers, vec!["score", "label"]);
    assert_eq!(file.rows, 4);
    assert_eq!(file.warnings.len(), 2, "{:?}", file.warnings);
    assert!(file.warnings[0].contains("\"tags\"") && file.warnings[0].contains("nested list"));
    assert!(file.warnings[1].contains("\"meta\"") && file.warnings[1].contains("nested struct"));
    assert_eq!(
        file.table.column("label").unwrap().numeric(),
        &[0.0, 1.0, 0.0, 1.0]
    );
}

#[test]
fn corrupt_page_header_names_row_group_and_column() {
    let mut bytes = fixture("data_snappy.parquet");
    let at = expected()["snappy_rg2_score_page"].as_u64().unwrap() as usize;
    for b in &mut bytes[at..at + 16] {
        *b = 0xFF;
    }
    let err = analysis::load_file("bad.parquet", &bytes).unwrap_err();
    match &err {
        PlumbError::Columnar { location, .. } => {
            assert_eq!(location, "row group 2, column \"score\"", "{err}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn truncated_and_damaged_files_are_errors_not_panics() {
    for name in readable() {
        let bytes = fixture(&name);
        // Every cut of the last 24 bytes (footers, end-of-stream markers), a sample elsewhere.
        let cuts = (0..bytes.len()).filter(|&n| n + 24 >= bytes.len() || n % 1009 == 0);
        for n in cuts {
            match analysis::load_file(&name, &bytes[..n]) {
                Err(_) => {}
                // An IPC stream cut between two batches (or before its end-of-stream marker)
                // is a valid, shorter stream.
                Ok(f) => assert!(
                    name.ends_with(".arrows") && f.rows <= 600,
                    "{name} cut at {n}"
                ),
            }
        }
        let truncated = analysis::load_file(&name, &bytes[..bytes.len() - 10]).unwrap_err();
        assert!(
            matches!(truncated, PlumbError::Columnar { .. }) || name.ends_with(".arrows"),
            "{name}: {truncated:?}"
        );
        // Byte flips everywhere: any result but a panic.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..40 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut damaged = bytes.clone();
            let at = (state % damaged.len() as u64) as usize;
            damaged[at] ^= (state >> 32) as u8 | 1;
            let _ = analysis::load_file(&name, &damaged);
        }
    }
    let footer = analysis::load_file("x.parquet", b"PAR1 not really").unwrap_err();
    match footer {
        PlumbError::Columnar { location, .. } => assert_eq!(location, "the footer"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn format_is_told_by_bytes_not_name() {
    let file = analysis::load_file("looks-like.csv", &fixture("data_gzip.parquet")).unwrap();
    assert_eq!(file.dialect.format, InputFormat::Parquet);
    let csv = analysis::load_file("looks-like.parquet", &fixture("data.csv")).unwrap();
    assert_eq!(csv.dialect.format, InputFormat::Delimited);
    assert_eq!(csv.dialect.delimiter, ",");
}

/// `plumb audit <file>` on the command line: the JSON report of a Parquet and an Arrow IPC file
/// equals the CSV's apart from the input section, whose dialect names the format.
#[test]
fn cli_audits_columnar_files() {
    let audit = |name: &str| -> Value {
        let path = format!(
            "{}/tests/fixtures/columnar/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_plumb"))
            .args(["audit", &path])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let strip = |mut v: Value| -> (Value, Value) {
        let input = v.as_object_mut().unwrap().remove("input").unwrap();
        v.as_object_mut().unwrap().remove("generator");
        (v, input)
    };
    let (csv, csv_input) = strip(audit("data.csv"));
    assert_eq!(csv_input["files"][0]["dialect"]["format"], "delimited");
    for (name, format) in [
        ("data_gzip.parquet", "parquet"),
        ("data.arrows", "arrow_ipc"),
    ] {
        let (report, input) = strip(audit(name));
        assert_eq!(input["files"][0]["dialect"]["format"], format, "{name}");
        assert_eq!(input["files"][0]["rows"], 600, "{name}");
        assert_eq!(report, csv, "{name}");
    }
}
