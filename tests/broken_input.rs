//! End-to-end corpus of hostile and broken input, through the same pipeline the browser and CLI
//! use: `load_file` → `detect_mapping` → `analyze_single`.
//!
//! Each case asserts the exact outcome: the typed error (with its line / byte where the error
//! has one) or the partial result's `rows_used` and `rows_excluded`. Every case runs in its own
//! thread under a time budget, so a hang fails the test instead of stalling the suite.
//! Unit-level ingest behaviour is covered in `tests/ingest.rs`; this file is the whole pipeline.

use plumb::core::analysis::{analyze_single, detect_mapping, load_file};
use plumb::core::error::PlumbError;
use plumb::core::report::{ColumnMapping, ExclusionReason, Report, ScoreTransform, Settings};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::Duration;

/// Wall-clock budget per case (debug build, 2 shared cores).
const BUDGET: Duration = Duration::from_secs(10);

/// What the pipeline made of some bytes.
#[derive(Debug)]
enum Outcome {
    /// `load_file` refused the bytes.
    LoadError(PlumbError),
    /// The file loaded but `analyze_single` refused it.
    AnalyzeError(PlumbError),
    /// A report.
    Report(Box<Report>),
}

fn pipeline(name: &str, bytes: &[u8], mapping: Option<ColumnMapping>) -> Outcome {
    let file = match load_file(name, bytes) {
        Ok(f) => f,
        Err(e) => return Outcome::LoadError(e),
    };
    let mapping = mapping.unwrap_or_else(|| detect_mapping(&file));
    match analyze_single(&file, &mapping, &settings(), "t") {
        Ok(r) => Outcome::Report(Box::new(r)),
        Err(e) => Outcome::AnalyzeError(e),
    }
}

/// Run the pipeline with detected roles in a thread; fail on a panic or when it exceeds
/// [`BUDGET`].
fn run(name: &str, bytes: Vec<u8>) -> Outcome {
    run_with(name, bytes, None)
}

/// [`run`] with the roles given (as the CLI's `--score`/`--label` flags do) instead of detected.
fn run_with(name: &str, bytes: Vec<u8>, mapping: Option<ColumnMapping>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let owned = name.to_string();
    let handle = std::thread::Builder::new()
        .name(format!("case {name}"))
        .spawn(move || {
            let _ = tx.send(pipeline(&owned, &bytes, mapping));
        })
        .unwrap();
    match rx.recv_timeout(BUDGET) {
        Ok(outcome) => {
            handle.join().unwrap();
            outcome
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: no answer within {BUDGET:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{name}: the pipeline panicked: {:?}", handle.join().err())
        }
    }
}

fn settings() -> Settings {
    Settings {
        bootstrap: 0,
        ..Default::default()
    }
}

/// The report, or a failure that shows what came instead.
fn report(name: &str, bytes: Vec<u8>) -> Box<Report> {
    match run(name, bytes) {
        Outcome::Report(r) => r,
        other => panic!("{name}: expected a report, got {other:?}"),
    }
}

fn load_error(name: &str, bytes: Vec<u8>) -> PlumbError {
    match run(name, bytes) {
        Outcome::LoadError(e) => e,
        other => panic!("{name}: expected a load error, got {other:?}"),
    }
}

fn analyze_error(name: &str, bytes: Vec<u8>) -> PlumbError {
    match run(name, bytes) {
        Outcome::AnalyzeError(e) => e,
        other => panic!("{name}: expected an analysis error, got {other:?}"),
    }
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|&(k, n)| (k.to_string(), n)).collect()
}

/// Assert the row accounting of the report's only file: data rows, rows used, exclusions by
/// reason, and the editor lines given as examples for each reason.
fn assert_rows(
    r: &Report,
    rows: u64,
    used: u64,
    excluded: &[(&str, u64)],
    examples: &[(&str, &[u64])],
) {
    let f = &r.input.files[0];
    assert_eq!(f.rows, rows, "{}: data rows", f.name);
    assert_eq!(f.rows_used, used, "{}: rows used", f.name);
    assert_eq!(f.rows_excluded, counts(excluded), "{}: exclusions", f.name);
    let want: BTreeMap<String, Vec<u64>> = examples
        .iter()
        .map(|&(k, lines)| (k.to_string(), lines.to_vec()))
        .collect();
    assert_eq!(f.excluded_examples, want, "{}: example lines", f.name);
    // Every data row is either used or excluded for exactly one reason.
    assert_eq!(used + f.rows_excluded.values().sum::<u64>(), rows);
}

/// Deterministic pseudo-random bytes (xorshift64*), no dependency needed.
fn noise(n: usize, mut state: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Nothing to read.

#[test]
fn empty_and_blank_files_are_empty() {
    let e = load_error("empty.csv", vec![]);
    assert_eq!(e, PlumbError::Empty);
    assert!(e.user_message().contains("empty"));
    assert_eq!(
        load_error("blank.csv", b"\n\r\n\n".to_vec()),
        PlumbError::Empty
    );
}

#[test]
fn header_only_has_no_data_rows() {
    for bytes in [
        &b"score,label\n"[..],
        b"score,label",
        b"score,label\r\n\r\n\n",
    ] {
        assert_eq!(
            analyze_error("h.csv", bytes.to_vec()),
            PlumbError::NoDataRows
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Not text.

#[test]
fn binary_garbage_is_refused_at_its_first_non_text_byte() {
    let bytes = noise(4096, 0x9E37_79B9_7F4A_7C15);
    for name in ["garbage.bin", "garbage.csv", "garbage.csv.gz"] {
        match load_error(name, bytes.clone()) {
            PlumbError::Binary { byte, .. } => assert!(byte < 4096, "{byte}"),
            e => panic!("{name}: {e:?}"),
        }
    }
    // Short garbage without any NUL byte (the old check only looked for NULs in the header).
    let short: Vec<u8> = (0..64u8)
        .map(|i| i.wrapping_mul(151).wrapping_add(7))
        .collect();
    assert!(!short.contains(&0));
    assert!(matches!(
        load_error("short.csv", short),
        PlumbError::Binary { .. }
    ));
    // NUL bytes in the header line.
    assert_eq!(
        load_error("nul.csv", b"score,la\0bel\n0.5,1\n".to_vec()),
        PlumbError::Binary {
            what: "binary data (the header line contains NUL bytes)".into(),
            byte: 8
        }
    );
}

#[test]
fn utf16_is_refused_end_to_end() {
    let text = "score,label\n0.2,0\n0.8,1\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = Vec::new();
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    assert!(matches!(
        load_error("le.csv", le),
        PlumbError::Encoding { encoding, .. } if encoding == "UTF-16LE"
    ));
    let e = load_error("be.csv", be);
    assert!(matches!(&e, PlumbError::Encoding { encoding, .. } if encoding == "UTF-16BE"));
    assert!(e.user_message().contains("UTF-8"));
}

#[test]
fn invalid_utf8_in_a_field_is_read_lossily_or_excluded() {
    // In a segment column: the row is kept; the bad bytes become U+FFFD.
    let r = report(
        "seg.csv",
        b"score,label,segment\n0.2,0,a\n0.8,1,\xff\xfe\n0.4,0,b\n0.7,1,a\n".to_vec(),
    );
    assert_rows(&r, 4, 4, &[], &[]);
    // In the score column: that row is not a number.
    let r = report(
        "score.csv",
        b"score,label\n0.2,0\n0.\xff,1\n0.4,0\n0.7,1\n".to_vec(),
    );
    assert_rows(
        &r,
        4,
        3,
        &[("non_numeric_score", 1)],
        &[("non_numeric_score", &[3])],
    );
}

// ---------------------------------------------------------------------------------------------
// Structure.

#[test]
fn ragged_rows_are_excluded_and_counted() {
    let r = report(
        "ragged.csv",
        b"score,label\n0.2,0\n0.8,1,x\n0.4\n0.7,1\n0.1,0\n".to_vec(),
    );
    assert_rows(&r, 5, 3, &[("ragged_row", 2)], &[("ragged_row", &[3, 4])]);
}

#[test]
fn mixed_delimiters_make_ragged_rows() {
    let r = report(
        "mixed.csv",
        b"score,label\n0.2,0\n0.8;1\n0.4,0\n0.7\t1\n0.9,1\n".to_vec(),
    );
    assert_eq!(r.input.files[0].dialect.delimiter, ",");
    assert_rows(&r, 5, 3, &[("ragged_row", 2)], &[("ragged_row", &[3, 5])]);
}

#[test]
fn unterminated_quote_names_line_and_byte() {
    let bytes = b"score,label\n0.2,0\n\"0.8,1\n0.4,0\n".to_vec();
    let e = load_error("open.csv", bytes);
    assert!(
        matches!(
            e,
            PlumbError::Parse {
                line: 3,
                byte: 18,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.user_message().starts_with("Line 3 (byte 18): "));
    // On a later line, after quoted fields that span lines.
    let bytes =
        b"score,label,note\n0.2,0,\"a\nb\"\n0.8,1,x\n0.4,0,\"never closed\n0.5,1,y\n".to_vec();
    let e = load_error("open2.csv", bytes);
    assert!(
        matches!(
            e,
            PlumbError::Parse {
                line: 5,
                byte: 43,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn embedded_newlines_keep_line_numbers_exact() {
    // Rows start on lines 2, 4, 5, 7 and 8; the bad label is on line 8.
    let r = report(
        "nl.csv",
        b"score,label,note\n0.2,0,\"a\nb\"\n0.8,1,x\n0.4,0,\"c\r\nd\"\n0.7,1,y\n0.6,x,z\n".to_vec(),
    );
    assert_rows(
        &r,
        5,
        4,
        &[("invalid_label", 1)],
        &[("invalid_label", &[8])],
    );
}

#[test]
fn duplicate_column_names_are_renamed_and_the_first_is_used() {
    let bytes = b"score,score,label\n0.2,0.9,0\n0.8,0.1,1\n0.4,0.5,0\n".to_vec();
    let file = load_file("dup.csv", &bytes).unwrap();
    assert_eq!(file.column_names(), ["score", "score_2", "label"]);
    assert!(
        file.warnings.iter().any(|w| w.contains("score_2")),
        "{:?}",
        file.warnings
    );
    let r = report("dup.csv", bytes);
    assert_eq!(r.input.columns.score.as_deref(), Some("score"));
    assert_rows(&r, 3, 3, &[], &[]);
    // A generated name never takes a name given later in the header.
    let file = load_file("clash.csv", b"a,a,a_2,,column_4\n1,2,3,4,5\n").unwrap();
    assert_eq!(
        file.column_names(),
        ["a", "a_3", "a_2", "column_4_2", "column_4"]
    );
    // Ten thousand equal names: linear time (this was cubic), names x, x_2, ..., x_10000.
    let mut text = vec!["x"; 10_000].join(",");
    text.push('\n');
    text.push_str(&vec!["0.5"; 10_000].join(","));
    text.push('\n');
    let e = analyze_error("same.csv", text.clone().into_bytes());
    assert_eq!(
        e,
        PlumbError::MissingRole {
            role: "score".into()
        }
    );
    let file = load_file("same.csv", text.as_bytes()).unwrap();
    let names = file.column_names();
    assert_eq!(names[9_999], "x_10000");
    assert_eq!(
        names.iter().collect::<std::collections::HashSet<_>>().len(),
        10_000
    );
}

#[test]
fn ten_thousand_columns() {
    let mut text = String::from("score,label");
    for i in 0..9_998 {
        text.push_str(&format!(",f{i}"));
    }
    text.push('\n');
    for (s, y) in [("0.2", 0), ("0.8", 1), ("0.4", 0), ("0.7", 1)] {
        text.push_str(&format!("{s},{y}"));
        for i in 0..9_998 {
            text.push_str(&format!(",{}", i % 7));
        }
        text.push('\n');
    }
    let r = report("wide.csv", text.into_bytes());
    assert_rows(&r, 4, 4, &[], &[]);
}

#[test]
fn a_one_megabyte_field() {
    let big = "x".repeat(1 << 20);
    let text = format!("score,label,note\n0.2,0,a\n0.8,1,\"{big}\"\n0.4,0,{big}\n0.7,1,b\n");
    let r = report("big.csv", text.into_bytes());
    assert_rows(&r, 4, 4, &[], &[]);
    // A score of a million digits is still a decimal number (it rounds to 1.0).
    let digits = "9".repeat(1 << 20);
    let text = format!("score,label\n0.2,0\n0.{digits},1\n0.4,0\n0.7,1\n");
    let r = report("bignum.csv", text.into_bytes());
    assert_rows(&r, 4, 4, &[], &[]);
}

// ---------------------------------------------------------------------------------------------
// Values.

#[test]
fn non_finite_scores_are_excluded() {
    let r = report(
        "nan.csv",
        b"score,label\n0.2,0\nNaN,1\ninf,0\n-inf,1\n1e999,0\n0.7,1\n0.4,0\n0.9,1\n".to_vec(),
    );
    // NaN is a missing-value marker; inf, -inf and 1e999 (which overflows to inf) are numbers
    // outside [0, 1].
    assert_rows(
        &r,
        8,
        4,
        &[("missing_score", 1), ("score_out_of_range", 3)],
        &[("missing_score", &[3]), ("score_out_of_range", &[4, 5, 6])],
    );
}

#[test]
fn scores_outside_zero_one_are_excluded() {
    let r = report(
        "range.csv",
        b"score,label\n0.2,0\n1.5,1\n0.4,0\n-0.1,1\n0.7,1\n0.9,1\n0.3,0\n".to_vec(),
    );
    assert_eq!(r.input.columns.score_transform, ScoreTransform::Identity);
    assert_rows(
        &r,
        7,
        5,
        &[("score_out_of_range", 2)],
        &[("score_out_of_range", &[3, 5])],
    );
}

#[test]
fn labels_outside_the_two_classes_are_excluded() {
    let r = report(
        "labels.csv",
        b"score,label\n0.2,0\n0.8,1\n0.4,2\n0.7,-1\n0.3,0\n0.9,1\n".to_vec(),
    );
    assert_rows(
        &r,
        6,
        4,
        &[("invalid_label", 2)],
        &[("invalid_label", &[4, 5])],
    );
}

#[test]
fn all_rows_invalid() {
    // Every row lacks a score or a label: nothing left, and the message counts why.
    let e = analyze_error(
        "none.csv",
        b"score,label\n0.2,\nNaN,1\n0.4,\nNA,0\n0.3,2\n".to_vec(),
    );
    let excluded = [
        (ExclusionReason::MissingScore, 2),
        (ExclusionReason::MissingLabel, 2),
        (ExclusionReason::InvalidLabel, 1),
    ];
    assert_eq!(
        e,
        PlumbError::NoUsableRows {
            rows: 5,
            excluded: excluded.into_iter().collect()
        }
    );
    assert!(e.user_message().contains("None of the 5 data rows"), "{e}");

    // No score value at all: detection finds no score column, and says so.
    let bytes = b"score,label\nx,0\n,1\nNaN,0\n1.5,1\n".to_vec();
    let e = analyze_error("noscore.csv", bytes.clone());
    assert_eq!(
        e,
        PlumbError::MissingRole {
            role: "score".into()
        }
    );
    // With the roles given by hand, every row is accounted for.
    let mapping = ColumnMapping {
        score: Some("score".into()),
        label: Some("label".into()),
        positive_label: Some("1".into()),
        ..Default::default()
    };
    match run_with("noscore.csv", bytes, Some(mapping.clone())) {
        Outcome::AnalyzeError(e) => assert_eq!(
            e,
            PlumbError::NoUsableRows {
                rows: 4,
                excluded: [
                    (ExclusionReason::MissingScore, 2),
                    (ExclusionReason::NonNumericScore, 1),
                    (ExclusionReason::ScoreOutOfRange, 1),
                ]
                .into_iter()
                .collect()
            }
        ),
        other => panic!("{other:?}"),
    }

    // Every data row ragged: detection has no values to go on; given roles, all are counted.
    let bytes = b"score,label\n0.2,0,1\n0.8\n".to_vec();
    let e = analyze_error("ragged.csv", bytes.clone());
    assert_eq!(
        e,
        PlumbError::MissingRole {
            role: "score".into()
        }
    );
    match run_with("ragged.csv", bytes, Some(mapping)) {
        Outcome::AnalyzeError(e) => assert_eq!(
            e,
            PlumbError::NoUsableRows {
                rows: 2,
                excluded: [(ExclusionReason::RaggedRow, 2)].into_iter().collect()
            }
        ),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Compression.

#[test]
fn a_csv_gz_name_on_plain_text_is_read_as_text() {
    let r = report("plain.csv.gz", b"score,label\n0.2,0\n0.8,1\n".to_vec());
    assert!(!r.input.files[0].dialect.gzip);
    assert_rows(&r, 2, 2, &[], &[]);
}

#[test]
fn truncated_gzip_is_an_error() {
    let whole = gzip(&fixture("basic.csv"));
    let r = report("basic.csv.gz", whole.clone());
    assert!(r.input.files[0].dialect.gzip);
    assert_eq!(r.input.files[0].rows, 600);
    let cases = [
        (whole.len() / 2, "the compressed data ends too early"),
        (11, "the compressed data ends too early"),
        // The trailer (CRC-32 and size) cut short.
        (
            whole.len() - 4,
            "the compressed data is corrupt (corrupt gzip stream does not have a matching \
             checksum)",
        ),
    ];
    for (cut, message) in cases {
        let e = load_error("cut.csv.gz", whole[..cut].to_vec());
        assert_eq!(
            e,
            PlumbError::Gzip {
                message: message.into()
            },
            "cut at {cut}"
        );
        assert!(e.user_message().contains("truncated or damaged"));
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 4180.

#[test]
fn rfc4180_cases() {
    // 2.1/2.2: CRLF line breaks; the last record may lack one.
    let r = report(
        "crlf.csv",
        b"score,label\r\n0.2,0\r\n0.8,1\r\n0.4,0".to_vec(),
    );
    assert_rows(&r, 3, 3, &[], &[]);
    // 2.3: header line; 2.5/2.6: any field may be quoted, and quoted fields may hold commas,
    // line breaks and (2.7) doubled quotes.
    let r = report(
        "quoted.csv",
        b"\"score\",\"label\",\"note\"\r\n\"0.2\",\"0\",\"a, \"\"b\"\"\"\r\n0.8,1,\"x\r\ny\"\r\n\"0.4\",0,\"\"\r\n"
            .to_vec(),
    );
    assert_rows(&r, 3, 3, &[], &[]);
    // 2.4: spaces are part of a field.
    // Plumb deliberately trims spaces around numbers and labels (as pandas does for numbers).
    let r = report(
        "spaces.csv",
        b"score,label\n 0.2 ,0\n0.8, 1\n0.4,0 \n".to_vec(),
    );
    assert_rows(&r, 3, 3, &[], &[]);
    // Each record should have the same number of fields: an empty last field still counts.
    let r = report(
        "trailing.csv",
        b"score,label,note\n0.2,0,\n0.8,1,\n0.4,0\n".to_vec(),
    );
    assert_rows(&r, 3, 2, &[("ragged_row", 1)], &[("ragged_row", &[4])]);
    // A quote inside an unquoted field (not allowed by 2.5) is read literally.
    let r = report(
        "stray.csv",
        b"score,label,note\n0.2,0,ab\"c\n0.8,1,x\n".to_vec(),
    );
    assert_rows(&r, 2, 2, &[], &[]);
}

// ---------------------------------------------------------------------------------------------
// Properties: no input makes the pipeline panic, and row accounting always adds up.

/// When the pipeline gives a report, every data row is used or excluded exactly once.
fn accounting_adds_up(outcome: &Outcome) -> Result<(), TestCaseError> {
    if let Outcome::Report(r) = outcome {
        for f in &r.input.files {
            prop_assert_eq!(f.rows_used + f.rows_excluded.values().sum::<u64>(), f.rows);
        }
    }
    Ok(())
}

/// Tokens that CSV parsers and number/label readers treat specially.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"NaN",
    b"inf",
    b"1e999",
    b"-1",
    b"2",
    b"",
    b"\0",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\x1f\x8b",
    b"NA",
    b"1.5",
    b"0",
    b"1",
];

/// One edit of a byte string.
#[derive(Debug, Clone)]
enum Edit {
    Set(prop::sample::Index, u8),
    Insert(prop::sample::Index, usize),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<prop::sample::Index>(), 0..TOKENS.len()).prop_map(|(i, t)| Edit::Insert(i, t)),
        (any::<prop::sample::Index>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<prop::sample::Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match e {
        Edit::Set(i, b) => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Edit::Insert(i, t) => {
            let at = i.index(bytes.len() + 1);
            bytes.splice(at..at, TOKENS[*t].iter().copied());
        }
        Edit::Delete(i, n) => {
            let at = i.index(bytes.len());
            let end = (at + n).min(bytes.len());
            bytes.drain(at..end);
        }
        Edit::Truncate(i) => bytes.truncate(i.index(bytes.len())),
    }
}

/// The first 40 lines of the `basic` fixture: every column kind (timestamp, score, label,
/// version, segment, numeric and categorical features).
fn basic_head() -> Vec<u8> {
    let text = String::from_utf8(fixture("basic.csv")).unwrap();
    let mut head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    head.push('\n');
    head.into_bytes()
}

/// Cases per property: `PROPTEST_CASES` if set (for a longer run), else `default`. The defaults
/// keep this file near 20 s in a debug build; a full analysis of a small log takes ~0.3 s there.
fn cases(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        compress in any::<bool>(),
    ) {
        let bytes = if compress { gzip(&bytes) } else { bytes };
        accounting_adds_up(&pipeline("any.csv", &bytes, None))?;
    }

    #[test]
    fn csv_like_text_never_panics(text in "(score|label|[0-9.,;\t\"\r\n eE+-]|NaN|NA|x){0,300}") {
        accounting_adds_up(&pipeline("text.csv", text.as_bytes(), None))?;
    }

}

proptest! {
    #![proptest_config(cases(30))]

    #[test]
    fn mutated_valid_csv_never_panics(
        edits in prop::collection::vec(edit(), 1..8),
        compress in any::<bool>(),
    ) {
        let mut bytes = basic_head();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let bytes = if compress { gzip(&bytes) } else { bytes };
        accounting_adds_up(&pipeline("mutated.csv", &bytes, None))?;
    }

    #[test]
    fn damaged_gzip_never_panics(
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let mut bytes = gzip(&basic_head());
        for e in &edits {
            apply(&mut bytes, e);
        }
        accounting_adds_up(&pipeline("damaged.csv.gz", &bytes, None))?;
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzzers' committed seed corpus (`fuzz/corpus/`, `make fuzz`): every input the fuzzers
// start from also runs here, so `cargo test` replays it without cargo-fuzz or nightly.

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{}/fuzz/corpus/{target}", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn fuzz_ingest_seeds_end_in_a_report_or_a_typed_error() {
    let seeds = corpus("ingest");
    assert!(seeds.len() >= 30, "{} ingest seeds", seeds.len());
    let mut reports = 0;
    for (name, bytes) in seeds {
        let outcome = run(&name, bytes);
        accounting_adds_up(&outcome).unwrap();
        if matches!(outcome, Outcome::Report(_)) {
            reports += 1;
        }
    }
    // The corpus holds both readable logs and broken files, so the fuzzer starts from both.
    assert!(reports >= 10, "{reports} seeds produce a report");
}

#[test]
fn fuzz_share_seeds_decode_as_named() {
    use plumb::core::share;
    let seeds = corpus("share");
    assert!(seeds.len() >= 8, "{} share seeds", seeds.len());
    for (name, bytes) in seeds {
        let text = String::from_utf8(bytes).unwrap();
        let decoded = share::decode(&text);
        if name.starts_with("valid_") {
            let state = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                share::decode(&share::encode(&state)).unwrap(),
                state,
                "{name}"
            );
        } else {
            assert!(decoded.is_err(), "{name} should be refused");
        }
    }
}
