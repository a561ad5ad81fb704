//! Two-step loads (`stream::FileLoader::defer_columns`, issue #9): a log's first answer needs
//! only the columns of its score, label, time and the other single roles, so a large log is
//! parsed with those first and the rest later, from the held bytes. Whatever the chunking,
//! the completed file must equal the one-step load of the same bytes, the first report must
//! equal the one-step first report, and everything after must be the one-step session's.

use plumb::core::analysis::{self, Depth, LoadedFile};
use plumb::core::ingest::{ColumnKind, read_table};
use plumb::core::protocol::{FromWorker, Session, Which};
use plumb::core::report::{ColumnMapping, Settings, WindowSpec};
use plumb::core::stream::{self, FileLoader, FileSummary};

/// A deterministic log in the benchmark's shape, with what a parser must get right in the
/// columns read later: quoted fields (a comma and a line break inside quotes), a ragged
/// row, a blank line, text in a numeric column, missing cells and a byte that is not UTF-8.
fn log_bytes(rows: usize) -> Vec<u8> {
    let mut out = b"timestamp,score,label,model_version,segment,x1,x2,country\n".to_vec();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let countries = ["US", "DE", "\"Korea, South\"", "FR", "\"Line\nbreak\""];
    for i in 0..rows {
        let score = next();
        let label = u8::from(next() < score);
        let version = if i < rows / 2 { "v1" } else { "v2" };
        let segment = ["web", "app", "partner"][(next() * 3.0) as usize % 3];
        let x1 = format!("{:.4}", (next() - 0.5) * 8.0);
        let x2 = match i % 97 {
            5 => "n/a".to_string(),
            11 => String::new(),
            _ => format!("{:.6}", next() * 100.0),
        };
        let country = countries[(next() * 5.0) as usize % 5];
        let line = format!(
            "2026-01-{:02}T{:02}:{:02}:00.125Z,{score:.6},{label},{version},{segment},{x1},{x2},{country}\n",
            1 + i / 1440 % 28,
            i / 60 % 24,
            i % 60,
        );
        out.extend_from_slice(line.as_bytes());
        if i == 700 {
            out.extend_from_slice(b"2026-01-01T00:00:00Z,0.5,1,v1,web\n");
        }
        if i == 900 {
            out.extend_from_slice(b"\n");
        }
        if i == 1200 {
            out.extend_from_slice(b"2026-01-02T00:00:00Z,0.25,0,v1,web,1.5,2.5,Caf\xe9\n");
        }
    }
    out
}

/// The two-step loader over `bytes` in `chunk`-byte pieces, before it finishes.
fn two_step_loader(name: &str, bytes: &[u8], chunk: usize) -> FileLoader {
    let mut loader = FileLoader::with_size(name, bytes.len() as u64);
    loader.defer_columns_from(0);
    for piece in bytes.chunks(chunk) {
        loader.push(piece).unwrap();
    }
    loader
}

fn one_step(name: &str, bytes: &[u8]) -> LoadedFile {
    let mut loader = FileLoader::with_size(name, bytes.len() as u64);
    loader.push(bytes).unwrap();
    loader.finish().unwrap()
}

const LATER: [&str; 4] = ["segment", "x1", "x2", "country"];

#[test]
fn a_two_step_load_completes_to_the_one_step_file_however_it_is_chunked() {
    let bytes = log_bytes(3000);
    let whole = one_step("log.csv", &bytes);
    assert_eq!(whole, analysis::load_file("log.csv", &bytes).unwrap());
    assert_eq!(whole.table.ragged_lines.len(), 1);
    assert!(whole.warnings.iter().any(|w| w.contains("\"country\"")));
    for chunk in [7, 1000, 65_536, bytes.len()] {
        let (partial, rest) = two_step_loader("log.csv", &bytes, chunk)
            .finish_deferred()
            .unwrap();
        let rest = rest.unwrap_or_else(|| panic!("{chunk}-byte chunks: not in two steps"));
        assert_eq!(rest.pending, LATER, "{chunk}-byte chunks");
        assert_eq!(rest.detected, analysis::detect_mapping(&whole), "{chunk}");
        // The first step: the whole file's rows, lines and first columns; the rest empty.
        let (p, w) = (&partial.table, &whole.table);
        assert_eq!(
            (p.n_rows, &p.ragged_lines, &p.headers, p.header_line),
            (w.n_rows, &w.ragged_lines, &w.headers, w.header_line)
        );
        assert_eq!(partial.sha256, whole.sha256);
        for (a, b) in p.columns.iter().zip(&w.columns) {
            if LATER.contains(&a.name.as_str()) {
                assert_eq!(a.kind(), ColumnKind::Empty, "{}", a.name);
                assert_eq!(a.len(), w.n_rows, "{}", a.name);
            } else {
                assert_eq!(a, b, "{chunk}-byte chunks: column {}", a.name);
            }
        }
        for row in [0, 700, 701, 1500, w.n_rows - 1] {
            assert_eq!(p.line_of_row(row), w.line_of_row(row), "row {row}");
        }
        // The second step gives the one-step file exactly, warnings included.
        assert_eq!(
            rest.complete(&partial).unwrap(),
            whole,
            "{chunk}-byte chunks"
        );
        // A loader asked for two steps but finished in one completes them itself.
        let finished = two_step_loader("log.csv", &bytes, chunk).finish().unwrap();
        assert_eq!(finished, whole, "{chunk}-byte chunks, finished at once");
    }
}

#[test]
fn files_that_cannot_be_split_load_in_one_step() {
    let bytes = log_bytes(600);
    // Below the size asked for.
    let mut small = FileLoader::with_size("log.csv", bytes.len() as u64);
    small.defer_columns_from(bytes.len() as u64 + 1);
    small.push(&bytes).unwrap();
    assert!(small.finish_deferred().unwrap().1.is_none());
    // Every size the default allows is at least 16 MiB.
    assert_eq!(stream::DEFER_MIN_BYTES, 16 << 20);
    // No score or label among the first rows.
    let text = b"city,comment\nParis,ok\nLyon,fine\n".repeat(200);
    let (_, rest) = two_step_loader("t.csv", &text, 4096)
        .finish_deferred()
        .unwrap();
    assert!(rest.is_none(), "no roles to read first");
    // gzip streams through the decoder: one step.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &bytes).unwrap();
    let gz = gz.finish().unwrap();
    let (file, rest) = two_step_loader("log.csv.gz", &gz, 1000)
        .finish_deferred()
        .unwrap();
    assert!(rest.is_none(), "gzip is read in one step");
    assert_eq!(file.table, read_table(&gz).unwrap());
    // Only the columns of single roles are first: a file of nothing else has none later.
    let narrow = b"score,label\n0.25,1\n0.75,0\n".repeat(300);
    let (_, rest) = two_step_loader("n.csv", &narrow, 512)
        .finish_deferred()
        .unwrap();
    assert!(rest.is_none(), "nothing to leave for later");
}

#[test]
fn the_memory_projection_counts_the_held_bytes_and_the_whole_table() {
    let bytes = log_bytes(3000);
    let size = bytes.len() as u64;
    let half = &bytes[..bytes.len() / 2];
    let mut plain = FileLoader::with_size("log.csv", size);
    plain.push(half).unwrap();
    let a = plain.projection().unwrap();
    // Bytes held here or by the caller count the same.
    for elsewhere in [false, true] {
        let two_step = || {
            let mut loader = FileLoader::with_size("log.csv", size);
            loader.defer_columns_from(0);
            if elsewhere {
                loader.hold_elsewhere();
            }
            loader
        };
        let mut steps = two_step();
        steps.push(half).unwrap();
        let b = steps.projection().unwrap();
        assert_eq!(a.rows, b.rows);
        assert!(b.table_bytes_per_row >= a.table_bytes_per_row);
        assert!(
            b.total_bytes >= a.total_bytes + size,
            "held elsewhere {elsewhere}: {} < {} + {size}",
            b.total_bytes,
            a.total_bytes
        );
        // The limit applies to that need.
        let mut limited = two_step();
        limited.set_memory_limit(a.total_bytes + size / 2);
        assert!(
            limited.push(half).is_err(),
            "held elsewhere {elsewhere}: the held bytes count"
        );
    }
}

fn summary_of(answer: &FromWorker) -> &FileSummary {
    match answer {
        FromWorker::Loaded { summary, .. } | FromWorker::Columns { summary, .. } => summary,
        other => panic!("expected a summary, got {other:?}"),
    }
}

fn report_json(answer: &FromWorker) -> serde_json::Value {
    match answer {
        FromWorker::Report { report, .. } => serde_json::to_value(report).unwrap(),
        other => panic!("expected a report, got {other:?}"),
    }
}

#[test]
fn the_session_answers_a_two_step_load_as_it_answers_a_one_step_load() {
    let bytes = log_bytes(3000);
    let settings = Settings {
        bootstrap: 20,
        ..Settings::default()
    };
    let all = WindowSpec::All;
    let whole = one_step("log.csv", &bytes);
    let mut one = Session::new();
    let loaded = one.loaded(1, Which::Reference, whole.clone());
    let mapping: ColumnMapping = summary_of(&loaded).detected.clone();

    let (partial, rest) = two_step_loader("log.csv", &bytes, 4096)
        .finish_deferred()
        .unwrap();
    let mut two = Session::new();
    let first_summary =
        two.loaded_in_steps(1, Which::Reference, partial, rest, &mut std::iter::empty());
    assert!(two.has_pending_columns());
    let s = summary_of(&first_summary);
    assert_eq!(s.detected, mapping, "the page is offered the same roles");
    for c in &s.columns {
        let later = LATER.contains(&c.name.as_str());
        assert_eq!(c.kind == stream::PENDING_KIND, later, "{}", c.name);
    }
    // The first pass over the whole log runs on the first columns, with the same numbers.
    assert!(
        two.columns_for(&mapping, &all, Depth::First, &mut std::iter::empty())
            .is_none()
    );
    let (a, _) = one.analyze_at(2, &mapping, &settings, &all, None, None, Depth::First);
    let (b, _) = two.analyze_at(2, &mapping, &settings, &all, None, None, Depth::First);
    let (a, b) = (report_json(&a), report_json(&b));
    assert_eq!(a["windows"], b["windows"]);
    assert_eq!(a["input"]["files"], b["input"]["files"]);
    assert_eq!(a["pending"], b["pending"]);
    // A complete pass is refused until the rest is parsed...
    let (refused, _) = two.analyze_at(2, &mapping, &settings, &all, None, None, Depth::Complete);
    assert!(matches!(refused, FromWorker::Error { .. }), "{refused:?}");
    assert!(two.has_pending_columns(), "a refusal parses nothing");
    // ... which `columns_for` does, answering with the one-step summary.
    let columns = two
        .columns_for(&mapping, &all, Depth::Complete, &mut std::iter::empty())
        .unwrap();
    assert!(matches!(
        columns,
        FromWorker::Columns {
            id: 1,
            which: Which::Reference,
            ..
        }
    ));
    assert_eq!(summary_of(&columns), summary_of(&loaded));
    assert!(!two.has_pending_columns());
    assert!(
        two.columns_for(&mapping, &all, Depth::Complete, &mut std::iter::empty())
            .is_none()
    );
    // The complete reports are the same, bit for bit.
    let (a, _) = one.analyze_at(2, &mapping, &settings, &all, None, None, Depth::Complete);
    let (b, _) = two.analyze_at(2, &mapping, &settings, &all, None, None, Depth::Complete);
    assert_eq!(report_json(&a), report_json(&b));
}

#[test]
fn a_first_pass_that_reads_a_later_column_parses_it_first() {
    let bytes = log_bytes(2000);
    let settings = Settings::default();
    let mut session = Session::new();
    let (partial, rest) = two_step_loader("log.csv", &bytes, 65_536)
        .finish_deferred()
        .unwrap();
    let loaded =
        session.loaded_in_steps(4, Which::Reference, partial, rest, &mut std::iter::empty());
    let mut mapping = summary_of(&loaded).detected.clone();
    // A split by a later column, or a later column in a first-pass role, needs it now.
    let split = WindowSpec::SplitColumn {
        column: "segment".to_string(),
        reference: "web".to_string(),
        current: "app".to_string(),
    };
    let (refused, _) = session.analyze_at(5, &mapping, &settings, &split, None, None, Depth::First);
    assert!(matches!(refused, FromWorker::Error { .. }), "{refused:?}");
    mapping.decision = Some("x1".to_string());
    let (refused, _) = session.analyze_at(
        5,
        &mapping,
        &settings,
        &WindowSpec::All,
        None,
        None,
        Depth::First,
    );
    assert!(matches!(refused, FromWorker::Error { .. }), "{refused:?}");
    let columns = session
        .columns_for(
            &mapping,
            &WindowSpec::All,
            Depth::First,
            &mut std::iter::empty(),
        )
        .unwrap();
    assert!(matches!(columns, FromWorker::Columns { id: 4, .. }));
    assert!(!session.has_pending_columns());
    // A new log drops what the old one left for later.
    let (partial, rest) = two_step_loader("log.csv", &bytes, 65_536)
        .finish_deferred()
        .unwrap();
    session.loaded_in_steps(6, Which::Reference, partial, rest, &mut std::iter::empty());
    assert!(session.has_pending_columns());
    session.loaded(7, Which::Reference, one_step("other.csv", &bytes));
    assert!(!session.has_pending_columns());
    // A second (current) file is completed as it loads.
    let (partial, rest) = two_step_loader("cur.csv", &bytes, 65_536)
        .finish_deferred()
        .unwrap();
    assert!(rest.is_some());
    let answer = session.loaded_in_steps(8, Which::Current, partial, rest, &mut std::iter::empty());
    assert_eq!(
        summary_of(&answer),
        &FileSummary::of(&one_step("cur.csv", &bytes), 8)
    );
    assert!(!session.has_pending_columns());
}

#[test]
fn bytes_the_caller_holds_complete_the_file_as_bytes_held_here_do() {
    let bytes = log_bytes(3000);
    let whole = one_step("log.csv", &bytes);
    for chunk in [1000, 65_536] {
        let mut loader = FileLoader::with_size("log.csv", bytes.len() as u64);
        loader.defer_columns_from(0);
        loader.hold_elsewhere();
        let mut kept = Vec::new();
        for piece in bytes.chunks(chunk) {
            loader.push(piece).unwrap();
            if loader.in_steps() {
                kept.push(piece.to_vec());
            }
        }
        assert_eq!(
            kept.len(),
            bytes.len().div_ceil(chunk),
            "kept from the first chunk"
        );
        let (partial, rest) = loader.finish_deferred().unwrap();
        let rest = rest.unwrap();
        assert!(rest.held_elsewhere());
        // Missing bytes are an error, not a shorter file.
        let mut short = kept[..kept.len() - 1].iter().cloned();
        let (p2, r2) = {
            let mut l = FileLoader::with_size("log.csv", bytes.len() as u64);
            l.defer_columns_from(0);
            l.hold_elsewhere();
            l.push(&bytes).unwrap();
            l.finish_deferred().unwrap()
        };
        assert!(r2.unwrap().complete_from(&p2, &mut short).is_err());
        // The session reads them when the columns are needed, and only then.
        let mut session = Session::new();
        let loaded = session.loaded_in_steps(
            1,
            Which::Reference,
            partial,
            Some(rest),
            &mut std::iter::empty(),
        );
        let mapping = summary_of(&loaded).detected.clone();
        let mut untouched = std::iter::from_fn(|| -> Option<Vec<u8>> { panic!("read too soon") });
        assert!(
            session
                .columns_for(&mapping, &WindowSpec::All, Depth::First, &mut untouched)
                .is_none()
        );
        let columns = session
            .columns_for(
                &mapping,
                &WindowSpec::All,
                Depth::Complete,
                &mut kept.into_iter(),
            )
            .unwrap();
        assert_eq!(summary_of(&columns), &FileSummary::of(&whole, 1), "{chunk}");
    }
}
