//! The worker session's deferred fingerprint (`protocol::Session::fingerprint`): a file answered
//! before the browser finished hashing it is analysed at once (first answer without its
//! SHA-256), its complete report waits for the fingerprint (`FromWorker::awaits_fingerprint`)
//! and gets it filled in (`Session::stamp`), and the caches are keyed by load, not by hash.

use plumb::core::analysis::{Depth, LoadedFile, detect_mapping, load_file};
use plumb::core::protocol::{FromWorker, Session, Which};
use plumb::core::report::{Settings, WindowSpec};

fn log(name: &str) -> LoadedFile {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    load_file(name, &std::fs::read(path).unwrap()).unwrap()
}

/// A file as the browser worker has it right after parsing: no fingerprint yet.
fn unhashed(name: &str) -> (LoadedFile, String) {
    let mut file = log(name);
    let sha256 = std::mem::take(&mut file.sha256);
    assert_eq!(sha256.len(), 64);
    (file, sha256)
}

fn settings() -> Settings {
    Settings {
        bootstrap: 20,
        ..Settings::default()
    }
}

fn shas(answer: &FromWorker) -> Vec<String> {
    match answer {
        FromWorker::Report { report, .. } => report
            .input
            .files
            .iter()
            .map(|f| f.sha256.clone())
            .collect(),
        other => panic!("not a report: {other:?}"),
    }
}

#[test]
fn the_complete_report_waits_for_the_fingerprint_and_then_carries_it() {
    let (file, sha256) = unhashed("reference.csv");
    let mapping = detect_mapping(&file);
    let s = settings();
    let mut session = Session::new();
    match session.loaded(7, Which::Reference, file) {
        FromWorker::Loaded { summary, .. } => assert_eq!(summary.sha256, ""),
        other => panic!("{other:?}"),
    }
    let all = WindowSpec::All;
    let (first, sweep) = session.analyze_at(8, &mapping, &s, &all, None, None, Depth::First);
    assert!(first.is_provisional());
    assert!(
        sweep.is_some(),
        "the first answer does not wait for the hash"
    );
    assert!(
        !first.awaits_fingerprint(),
        "a provisional report is posted at once"
    );
    assert_eq!(shas(&first), vec![String::new()]);
    let key = first.sweep_key().map(str::to_string);
    let (mut complete, _) =
        session.analyze_at(8, &mapping, &s, &all, None, key.as_deref(), Depth::Complete);
    assert!(complete.awaits_fingerprint());
    // Stamping before the fingerprint changes nothing.
    session.stamp(&mut complete);
    assert!(complete.awaits_fingerprint());
    // The fingerprint of another load is stale.
    assert_eq!(
        session.fingerprint(6, Which::Reference, Ok("x".into())),
        None
    );
    assert_eq!(
        session.fingerprint(7, Which::Reference, Ok(sha256.clone())),
        Some(FromWorker::Fingerprint {
            id: 7,
            which: Which::Reference,
            sha256: sha256.clone()
        })
    );
    session.stamp(&mut complete);
    assert!(!complete.awaits_fingerprint());
    assert_eq!(shas(&complete), vec![sha256.clone()]);
    // Bit for bit the report of a file hashed before it was analysed.
    let mut hashed = Session::new();
    hashed.loaded(7, Which::Reference, log("reference.csv"));
    let (expected, _) = hashed.analyze_at(8, &mapping, &s, &all, None, None, Depth::Complete);
    let strip = |a: &FromWorker| match a {
        FromWorker::Report { report, .. } => report.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(strip(&complete), strip(&expected));
    // Later analyses of the file carry its fingerprint from the start.
    let (again, _) = session.analyze_at(9, &mapping, &s, &all, None, None, Depth::Complete);
    assert!(!again.awaits_fingerprint());
    assert_eq!(shas(&again), vec![sha256]);
}

#[test]
fn two_files_wait_for_both_fingerprints() {
    let (reference, ref_sha) = unhashed("reference.csv");
    let (current, cur_sha) = unhashed("current.csv");
    let mapping = detect_mapping(&reference);
    let s = settings();
    let mut session = Session::new();
    session.loaded(1, Which::Reference, reference);
    session.loaded(2, Which::Current, current);
    let two = WindowSpec::TwoFiles;
    let (mut complete, _) = session.analyze_at(3, &mapping, &s, &two, None, None, Depth::Complete);
    assert!(complete.awaits_fingerprint());
    assert!(
        session
            .fingerprint(2, Which::Current, Ok(cur_sha.clone()))
            .is_some()
    );
    session.stamp(&mut complete);
    assert!(
        complete.awaits_fingerprint(),
        "the reference is still being hashed"
    );
    assert_eq!(shas(&complete), vec![String::new(), cur_sha.clone()]);
    // A load id of the other slot does not fingerprint this one.
    assert_eq!(
        session.fingerprint(2, Which::Reference, Ok(ref_sha.clone())),
        None
    );
    assert!(
        session
            .fingerprint(1, Which::Reference, Ok(ref_sha.clone()))
            .is_some()
    );
    session.stamp(&mut complete);
    assert!(!complete.awaits_fingerprint());
    assert_eq!(shas(&complete), vec![ref_sha, cur_sha]);
}

#[test]
fn a_file_that_cannot_be_hashed_is_dropped_with_a_load_error() {
    let (file, _) = unhashed("reference.csv");
    let mapping = detect_mapping(&file);
    let mut session = Session::new();
    session.loaded(4, Which::Reference, file);
    let answer = session.fingerprint(4, Which::Reference, Err("it vanished".into()));
    match answer {
        Some(FromWorker::Error {
            id: 4,
            which: Some(Which::Reference),
            message,
            ..
        }) => assert_eq!(message, "it vanished"),
        other => panic!("{other:?}"),
    }
    let s = settings();
    let (after, _) =
        session.analyze_at(5, &mapping, &s, &WindowSpec::All, None, None, Depth::First);
    assert!(
        matches!(after, FromWorker::Error { which: None, .. }),
        "{after:?}"
    );
}

#[test]
fn the_sweep_is_keyed_by_load_so_a_new_load_of_the_same_bytes_gets_it_again() {
    let mapping = detect_mapping(&log("reference.csv"));
    let s = settings();
    let all = WindowSpec::All;
    let mut session = Session::new();
    session.loaded(1, Which::Reference, log("reference.csv"));
    let (first, _) = session.analyze_at(2, &mapping, &s, &all, None, None, Depth::First);
    let key = first.sweep_key().map(str::to_string).unwrap();
    assert!(session.sweep_for(&key).is_some());
    // The same bytes loaded again (and not hashed yet): a new key, and the sweep is sent.
    let (again, _) = unhashed("reference.csv");
    session.loaded(3, Which::Reference, again);
    let (answer, sweep) = session.analyze_at(4, &mapping, &s, &all, None, Some(&key), Depth::First);
    let new_key = answer.sweep_key().map(str::to_string).unwrap();
    assert_ne!(new_key, key);
    assert!(sweep.is_some(), "the page's sweep is of an earlier load");
    assert!(session.sweep_for(&key).is_none());
    assert!(session.sweep_for(&new_key).is_some());
}

#[test]
fn the_fingerprint_message_round_trips() {
    let message = FromWorker::Fingerprint {
        id: 3,
        which: Which::Current,
        sha256: "ab".repeat(32),
    };
    let text = plumb::core::protocol::encode(&message).unwrap();
    assert!(text.starts_with(r#"{"kind":"fingerprint","#), "{text}");
    assert_eq!(
        plumb::core::protocol::decode_from_worker(&text).unwrap(),
        message
    );
}
