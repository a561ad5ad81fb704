//! The browser worker's platform-free half: chunked loading (`core::stream`), the message
//! protocol and session (`core::protocol`), and the exact sweep's transfer form.
//!
//! References: sizes, SHA-256 and record counts from Python's hashlib and csv module
//! (tests/fixtures/make_goldens_stream.py → goldens/stream.json); chunked loading must equal
//! the one-shot `analysis::load_file`; the session's report must equal a direct
//! `analysis::analyze`, and its sweep a direct `analysis::window_sweep`.

use plumb::core::analysis::{self, LoadedFile};
use plumb::core::error::{ErrorKind, PlumbError};
use plumb::core::metrics::threshold::Sweep;
use plumb::core::protocol::{self, FromWorker, Session, ToWorker, Which};
use plumb::core::report::{ColumnMapping, Settings, WindowSpec};
use plumb::core::stream::{self, FileLoader, FileSummary};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn goldens() -> serde_json::Value {
    serde_json::from_slice(&fixture("goldens/stream.json")).unwrap()
}

fn load_in_chunks(name: &str, bytes: &[u8], chunk: usize) -> LoadedFile {
    let mut loader = FileLoader::new(name);
    for piece in bytes.chunks(chunk) {
        loader.push(piece).unwrap();
    }
    assert_eq!(loader.bytes_read(), bytes.len() as u64);
    loader.finish().unwrap()
}

#[test]
fn chunked_loading_matches_python_and_the_one_shot_loader() {
    let gold = goldens();
    let files = gold.as_object().unwrap();
    assert!(files.len() >= 10);
    for (path, want) in files {
        let bytes = fixture(path);
        let whole = analysis::load_file(path, &bytes).unwrap();
        assert_eq!(whole.bytes, want["bytes"].as_u64().unwrap(), "{path}");
        assert_eq!(whole.sha256, want["sha256"].as_str().unwrap(), "{path}");
        assert_eq!(whole.rows, want["rows"].as_u64().unwrap(), "{path}");
        assert_eq!(
            whole.dialect.gzip,
            want["gzip"].as_bool().unwrap(),
            "{path}"
        );
        // Byte-by-byte only for the small files (it is slow, not different, for large ones).
        let sizes: &[usize] = if bytes.len() < 4096 {
            &[1, 3, 64]
        } else {
            &[7, 4096, 1 << 22]
        };
        for &chunk in sizes {
            assert_eq!(
                load_in_chunks(path, &bytes, chunk),
                whole,
                "{path} in {chunk}-byte chunks"
            );
        }
    }
}

#[test]
fn gzip_and_plain_copies_read_to_the_same_table() {
    let plain = analysis::load_file("basic.csv", &fixture("logs/basic.csv")).unwrap();
    let gz = load_in_chunks("basic.csv.gz", &fixture("stream/basic.csv.gz"), 1000);
    assert!(gz.dialect.gzip);
    assert_eq!(gz.table.columns, plain.table.columns);
    assert_ne!(gz.sha256, plain.sha256);
}

#[test]
fn progress_counts_rows_while_streaming() {
    let bytes = fixture("logs/reference.csv");
    let mut loader = FileLoader::new("reference.csv");
    let mut seen = Vec::new();
    for piece in bytes.chunks(8192) {
        loader.push(piece).unwrap();
        seen.push(loader.rows());
    }
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let file = loader.finish().unwrap();
    assert!(*seen.last().unwrap() <= file.rows);
    assert_eq!(
        file.rows,
        goldens()["logs/reference.csv"]["rows"].as_u64().unwrap()
    );
}

#[test]
fn a_broken_file_fails_with_its_line_when_streamed() {
    let text = b"score,label\n0.1,0\n0.2,1\n\"0.3,1\n0.4,0\n";
    let mut loader = FileLoader::new("broken.csv");
    let mut result = Ok(());
    for piece in text.chunks(5) {
        result = result.and_then(|_| loader.push(piece));
    }
    let err = result
        .and_then(|_| loader.finish().map(|_| ()))
        .unwrap_err();
    assert_eq!(err.line(), Some(4), "{err}");
}

fn session_with(path: &str) -> (Session, LoadedFile, FileSummary) {
    let file = analysis::load_file(path, &fixture(path)).unwrap();
    let mut session = Session::new();
    let FromWorker::Loaded { summary, which, id } =
        session.loaded(3, Which::Reference, file.clone())
    else {
        panic!("not a loaded message");
    };
    assert_eq!((id, which), (3, Which::Reference));
    (session, file, summary)
}

#[test]
fn the_summary_carries_what_the_sidebar_needs() {
    let (_, file, summary) = session_with("logs/basic.csv");
    assert_eq!(summary.load_id, 3);
    assert_eq!(summary.column_names(), file.column_names());
    assert_eq!(summary.detected, analysis::detect_mapping(&file));
    for c in file.column_names() {
        assert_eq!(
            summary.label_classes(&c),
            analysis::label_classes(&file, &c),
            "{c}"
        );
    }
    assert_eq!((summary.rows, &summary.sha256), (file.rows, &file.sha256));
    let text = protocol::encode(&FromWorker::Loaded {
        id: 3,
        which: Which::Reference,
        summary: summary.clone(),
    })
    .unwrap();
    let back: FromWorker = protocol::decode(&text).unwrap();
    assert!(matches!(back, FromWorker::Loaded { summary: s, .. } if s == summary));
}

#[test]
fn the_session_report_is_the_direct_analysis_and_survives_the_message() {
    let (mut session, file, summary) = session_with("logs/basic.csv");
    let mapping = summary.detected.clone();
    let settings = Settings::default();
    let (answer, sweep) =
        session.analyze(9, &mapping, &settings, &WindowSpec::All, Some(1.8e9), None);
    let direct = analysis::analyze(
        &analysis::Request {
            reference: &file,
            current: None,
            mapping: &mapping,
            settings: &settings,
            window: WindowSpec::All,
            now: Some(1.8e9),
            depth: analysis::Depth::Complete,
        },
        "plumb-web",
    )
    .unwrap();
    let FromWorker::Report {
        id,
        report,
        sweep_key,
    } = &answer
    else {
        panic!("{answer:?}");
    };
    assert_eq!(*id, 9);
    assert_eq!(
        analysis::report_json(report).unwrap(),
        analysis::report_json(&direct).unwrap()
    );
    // The message's JSON decodes to the same report.
    let back: FromWorker = protocol::decode(&protocol::encode(&answer).unwrap()).unwrap();
    let FromWorker::Report { report: back, .. } = back else {
        panic!()
    };
    assert_eq!(
        analysis::report_json(&back).unwrap(),
        analysis::report_json(&direct).unwrap()
    );
    // The sweep is the direct one, sent once per file and mapping.
    let prepared = plumb::core::schema::prepare(&file.table, &mapping).unwrap();
    let want = analysis::window_sweep(&prepared.scores, &prepared.labels).unwrap();
    assert_eq!(sweep, Some(&want));
    let key = sweep_key.clone().unwrap();
    let (_, again) = session.analyze(10, &mapping, &settings, &WindowSpec::All, None, Some(&key));
    assert_eq!(again, None);
    let (_, other) = session.analyze(11, &mapping, &settings, &WindowSpec::All, None, Some("old"));
    assert_eq!(other, Some(&want));
    // Two windows: no whole-log sweep.
    let split = WindowSpec::SplitFraction { fraction: 0.5 };
    let (answer, sweep) = session.analyze(12, &mapping, &settings, &split, None, None);
    assert!(matches!(
        answer,
        FromWorker::Report {
            sweep_key: None,
            ..
        }
    ));
    assert_eq!(sweep, None);
}

#[test]
fn the_session_says_what_is_missing_in_words() {
    let mut empty = Session::new();
    let (answer, _) = empty.analyze(
        1,
        &ColumnMapping::default(),
        &Settings::default(),
        &WindowSpec::All,
        None,
        None,
    );
    assert!(
        matches!(answer, FromWorker::Error { id: 1, which: None, ref message, error_kind: ErrorKind::Other } if message.contains("Load"))
    );
    let (mut session, _, summary) = session_with("logs/reference.csv");
    let (answer, _) = session.analyze(
        2,
        &summary.detected,
        &Settings::default(),
        &WindowSpec::TwoFiles,
        None,
        None,
    );
    assert!(
        matches!(answer, FromWorker::Error { ref message, .. } if message.contains("current window"))
    );
    // With the current file it compares, as the direct analysis does.
    let current = analysis::load_file("current.csv", &fixture("logs/current.csv")).unwrap();
    session.loaded(4, Which::Current, current);
    let (answer, sweep) = session.analyze(
        5,
        &summary.detected,
        &Settings::default(),
        &WindowSpec::TwoFiles,
        None,
        None,
    );
    let FromWorker::Report { report, .. } = answer else {
        panic!("{answer:?}")
    };
    assert!(report.windows.reference.is_some() && report.windows.current.is_some());
    assert_eq!(sweep, None);
    // A bad mapping is an error message, not a panic.
    let bad = ColumnMapping {
        score: Some("no_such_column".into()),
        ..summary.detected.clone()
    };
    let (answer, _) = session.analyze(6, &bad, &Settings::default(), &WindowSpec::All, None, None);
    assert!(
        matches!(answer, FromWorker::Error { ref message, error_kind: ErrorKind::MissingColumn, .. } if message.contains("no_such_column"))
    );
}

#[test]
fn requests_round_trip_as_json() {
    let msg = ToWorker::Analyze {
        id: 4,
        mapping: ColumnMapping::default(),
        settings: Settings::default(),
        window: WindowSpec::SplitFraction { fraction: 0.25 },
        now: Some(1.0),
        have_sweep: Some("k".into()),
    };
    let back: ToWorker = protocol::decode(&protocol::encode(&msg).unwrap()).unwrap();
    assert_eq!(back, msg);
    let load = ToWorker::Load {
        id: 1,
        which: Which::Current,
        name: "a.csv".into(),
        memory_limit: Some(5_000_000),
    };
    let text = protocol::encode(&load).unwrap();
    assert!(
        text.contains("\"kind\":\"load\"") && text.contains("\"which\":\"current\""),
        "{text}"
    );
    assert_eq!(protocol::decode::<ToWorker>(&text).unwrap(), load);
    // A load without a limit (older pages) means the default limit.
    let old = "{\"kind\":\"load\",\"id\":2,\"which\":\"reference\",\"name\":\"b.csv\"}";
    assert!(matches!(
        protocol::decode::<ToWorker>(old).unwrap(),
        ToWorker::Load {
            memory_limit: None,
            ..
        }
    ));
    assert!(protocol::decode::<ToWorker>("{\"kind\":\"nope\"}").is_err());
}

#[test]
fn a_sweep_survives_its_transfer_form_and_broken_parts_are_refused() {
    let scores = [0.9, 0.8, 0.8, 0.3, 0.1, 0.1];
    let labels = [1, 1, 0, 1, 0, 0];
    let sweep = Sweep::new(&scores, &labels).unwrap();
    let (tp, fp) = sweep.counts();
    let rebuilt = Sweep::from_parts(
        sweep.thresholds().to_vec(),
        tp.to_vec(),
        fp.to_vec(),
        sweep.positives(),
        sweep.negatives(),
    );
    assert_eq!(rebuilt.as_ref(), Some(&sweep));
    // Independent check of the parts: thresholds are +inf then the distinct scores, highest
    // first; cumulative counts by hand.
    assert_eq!(sweep.thresholds(), &[f64::INFINITY, 0.9, 0.8, 0.3, 0.1]);
    assert_eq!(tp, &[0, 1, 2, 3, 3]);
    assert_eq!(fp, &[0, 0, 1, 1, 3]);
    let parts = || (sweep.thresholds().to_vec(), tp.to_vec(), fp.to_vec());
    let (t, p, f) = parts();
    assert!(
        Sweep::from_parts(t, p, f, 4, 3).is_none(),
        "wrong positives"
    );
    let (mut t, p, f) = parts();
    t.swap(1, 2);
    assert!(
        Sweep::from_parts(t, p, f, 3, 3).is_none(),
        "unordered thresholds"
    );
    let (t, mut p, f) = parts();
    p.pop();
    assert!(Sweep::from_parts(t, p, f, 3, 3).is_none(), "lengths differ");
    let (mut t, p, f) = parts();
    t[0] = 1.0;
    assert!(Sweep::from_parts(t, p, f, 3, 3).is_none(), "no +inf row");
    assert!(
        Sweep::from_parts(vec![], vec![], vec![], 0, 0).is_none(),
        "empty"
    );
}

/// A log of `n` rows: score, label, a categorical segment and a text id.
fn sized_log(n: usize) -> Vec<u8> {
    let mut s = String::from("id,score,label,segment\n");
    for i in 0..n {
        let score = (i * 7919 % 1000) as f64 / 1000.0;
        s.push_str(&format!(
            "row-{i},{score:.3},{},{}\n",
            (i * 31 % 7 < 3) as u8,
            ["web", "app", "api"][i % 3]
        ));
    }
    s.into_bytes()
}

#[test]
fn a_sized_loader_equals_the_plain_one_wherever_the_chunks_fall() {
    let bytes = sized_log(20_000);
    let whole = analysis::load_file("s.csv", &bytes).unwrap();
    for chunk in [997, 65_536, 1 << 22] {
        let mut loader = FileLoader::with_size("s.csv", bytes.len() as u64);
        for piece in bytes.chunks(chunk) {
            loader.push(piece).unwrap();
        }
        assert_eq!(loader.finish().unwrap(), whole, "{chunk}-byte chunks");
    }
    // The same with a size hint that is far off (a wrong size only costs memory).
    let mut loader = FileLoader::with_size("s.csv", 100);
    loader.set_memory_limit(u64::MAX);
    loader.push(&bytes).unwrap();
    assert_eq!(loader.finish().unwrap(), whole);
}

#[test]
fn the_memory_guard_projects_from_the_first_chunk_and_names_the_limit() {
    let bytes = sized_log(20_000);
    let size = bytes.len() as u64;
    let mut loader = FileLoader::with_size("big.csv", size);
    // The first 64 kB: the projection is there, and close to the true row count.
    loader.push(&bytes[..65_536]).unwrap();
    let p = loader.projection().unwrap();
    assert!(
        (p.rows as f64 - 20_000.0).abs() < 20_000.0 * 0.05,
        "{} rows projected",
        p.rows
    );
    // Per row: score and label f64 (16 bytes), label and segment codes (2 + 2), the id's
    // text hash (8; its dictionary is dropped past 4096 ids — not yet at 64 kB, so its
    // 2-byte codes count instead), four missing bits.
    assert!(
        (20.0..=28.5).contains(&p.table_bytes_per_row),
        "{} table bytes/row",
        p.table_bytes_per_row
    );
    let need = p.rows as f64 * (p.table_bytes_per_row + stream::ANALYSIS_BYTES_PER_ROW);
    assert_eq!(p.total_bytes, need.ceil() as u64);

    // Below the need: refused after the first chunk, in words naming the need and the limit.
    let limit = p.total_bytes / 2;
    let mut loader = FileLoader::with_size("big.csv", size);
    loader.set_memory_limit(limit);
    let e = loader.push(&bytes[..65_536]).unwrap_err();
    match &e {
        PlumbError::TooLarge {
            rows,
            projected_bytes,
            limit_bytes,
        } => {
            assert_eq!(*limit_bytes, limit);
            assert!(*projected_bytes > limit);
            assert!((*rows as f64 - 20_000.0).abs() < 1_000.0);
        }
        other => panic!("{other:?}"),
    }
    let text = e.to_string();
    assert!(text.contains("too large"), "{text}");
    assert!(text.contains("Summary input"), "{text}");
    assert!(
        text.contains(&format!("{:.1} MB", limit as f64 / 1e6)),
        "{text}"
    );
    // Every later push (and finish) repeats it.
    assert_eq!(loader.push(b"x").unwrap_err(), e);
    assert_eq!(loader.finish().unwrap_err(), e);

    // Above the need: the whole file loads; the default limit (3 GiB) is far above.
    let mut loader = FileLoader::with_size("big.csv", size);
    loader.set_memory_limit(p.total_bytes * 2);
    loader.push(&bytes).unwrap();
    assert_eq!(loader.finish().unwrap().rows, 20_000);
    assert_eq!(stream::MEMORY_LIMIT_BYTES, 3 << 30);
    // Without a size there is no projection and no guard.
    let mut loader = FileLoader::new("big.csv");
    loader.set_memory_limit(1);
    loader.push(&bytes).unwrap();
    assert!(loader.projection().is_none());
}

/// A file small enough that no projection starts before its end (the dialect sniffer holds the
/// first bytes) is still held to the limit, on the table actually built.
#[test]
fn a_small_file_over_a_low_limit_is_refused_at_the_end() {
    let mut csv = String::from("score,label\n");
    for i in 0..5000 {
        csv.push_str(&format!("{:.3},{}\n", (i % 1000) as f64 / 1000.0, i % 2));
    }
    let mut loader = plumb::core::stream::FileLoader::with_size("log.csv", csv.len() as u64);
    loader.set_memory_limit(100_000);
    loader.push(csv.as_bytes()).unwrap();
    match loader.finish() {
        Err(plumb::core::error::PlumbError::TooLarge {
            rows, limit_bytes, ..
        }) => {
            assert_eq!(rows, 5000);
            assert_eq!(limit_bytes, 100_000);
        }
        Err(e) => panic!("another error: {e}"),
        Ok(_) => panic!("a 5,000-row log fits 100 kB"),
    }
    // The same file at the default limit loads.
    let mut loader = plumb::core::stream::FileLoader::with_size("log.csv", csv.len() as u64);
    loader.push(csv.as_bytes()).unwrap();
    assert_eq!(loader.finish().unwrap().table.n_rows, 5000);
}
