//! Progressive analysis (`analysis::Depth`): the first pass's numbers are exactly the complete
//! pass's, `report.pending` names exactly the parts it left out, and a complete report has no
//! `pending` (so its JSON, the goldens' and the CLI's, is unchanged). Also the worker protocol's
//! two answers (`protocol::Session::analyze_at`).

use plumb::core::analysis::{self, Depth, LoadedFile, Request, analyze, detect_mapping, load_file};
use plumb::core::protocol::{FromWorker, Session};
use plumb::core::report::{ColumnMapping, Report, Settings, WindowReport, WindowSpec, pending};

fn log(name: &str) -> LoadedFile {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    load_file(name, &std::fs::read(path).unwrap()).unwrap()
}

fn settings() -> Settings {
    Settings {
        bootstrap: 40,
        ..Settings::default()
    }
}

fn run(
    reference: &LoadedFile,
    current: Option<&LoadedFile>,
    mapping: &ColumnMapping,
    settings: &Settings,
    window: WindowSpec,
    depth: Depth,
) -> Report {
    analyze(
        &Request {
            reference,
            current,
            mapping,
            settings,
            window,
            now: Some(1.9e9),
            depth,
        },
        "test",
    )
    .unwrap()
}

/// Blank, in a window, what `key` names (as a first pass leaves it).
fn blank_window(w: &mut WindowReport, key: &str) {
    match key {
        pending::ECE_CI => w.ece_ci = None,
        pending::SMOOTH_ECE_CI => w.smooth_ece_ci = None,
        pending::SMOOTH_BAND => {
            if let Some(c) = &mut w.smooth_curve {
                c.lower.clear();
                c.upper.clear();
            }
        }
        pending::CALIBRATION_FIT => {
            w.calibration_slope = None;
            w.calibration_intercept = None;
        }
        pending::HOSMER_LEMESHOW => {
            w.hosmer_lemeshow = None;
            w.hosmer_lemeshow_p_value = None;
        }
        _ => {}
    }
}

/// Blank, in a report, the part `key` names.
fn blank(r: &mut Report, key: &str) {
    for w in [
        &mut r.windows.all,
        &mut r.windows.reference,
        &mut r.windows.current,
    ]
    .into_iter()
    .flatten()
    {
        blank_window(w, key);
    }
    match key {
        pending::QUALITY => r.quality = None,
        pending::SEGMENTS => r.segments.clear(),
        pending::MODELS => r.models = None,
        pending::OPERATIONS => r.operations = None,
        pending::DRIFT => r.drift = None,
        pending::TIMELINE => r.timeline = None,
        pending::LABEL_SHIFT => r.label_shift = None,
        pending::DIAGNOSIS => r.diagnosis = None,
        pending::RECALIBRATION => r.recalibration = None,
        _ => {}
    }
}

/// Whether the complete report holds something for `key` (so listing it was not idle).
fn present(r: &Report, key: &str) -> bool {
    let windows = [&r.windows.all, &r.windows.reference, &r.windows.current];
    let any = |f: &dyn Fn(&WindowReport) -> bool| windows.iter().any(|w| w.as_ref().is_some_and(f));
    match key {
        pending::ECE_CI => any(&|w| w.ece_ci.is_some()),
        pending::SMOOTH_ECE_CI => any(&|w| w.smooth_ece_ci.is_some()),
        pending::SMOOTH_BAND => {
            any(&|w| w.smooth_curve.as_ref().is_some_and(|c| !c.lower.is_empty()))
        }
        pending::CALIBRATION_FIT => any(&|w| w.calibration_slope.is_some()),
        pending::HOSMER_LEMESHOW => any(&|w| w.hosmer_lemeshow.is_some()),
        pending::QUALITY => r.quality.is_some(),
        pending::SEGMENTS => !r.segments.is_empty(),
        pending::MODELS => r.models.is_some(),
        pending::OPERATIONS => r.operations.is_some(),
        pending::DRIFT => r.drift.is_some(),
        pending::TIMELINE => r.timeline.is_some(),
        pending::LABEL_SHIFT => r.label_shift.is_some(),
        pending::DIAGNOSIS => r.diagnosis.is_some(),
        pending::RECALIBRATION => r.recalibration.is_some(),
        other => panic!("unknown pending key {other:?}"),
    }
}

/// The first pass equals the complete pass with exactly its pending parts blanked (so every
/// number it shows is the complete report's, bit for bit), and each pending part is one the
/// complete pass fills in.
fn check(first: &Report, complete: &Report, expected: &[&str]) {
    assert!(
        complete.pending.is_empty(),
        "a complete report has no pending part"
    );
    assert!(complete.is_complete() && !first.is_complete());
    let mut keys = first.pending.clone();
    keys.sort();
    let mut want: Vec<String> = expected.iter().map(|k| k.to_string()).collect();
    want.sort();
    assert_eq!(keys, want, "pending keys");
    let mut blanked = complete.clone();
    for key in &first.pending {
        assert!(
            present(complete, key),
            "{key} is listed but the complete report has none"
        );
        blank(&mut blanked, key);
    }
    let mut first = first.clone();
    first.pending.clear();
    // Compared as JSON, so a difference names its field.
    let a = serde_json::to_value(&first).unwrap();
    let b = serde_json::to_value(&blanked).unwrap();
    if a != b {
        let (a, b) = (a.as_object().unwrap(), b.as_object().unwrap());
        for (k, v) in a {
            assert_eq!(Some(v), b.get(k), "first pass differs from complete in {k}");
        }
        panic!("first pass differs from the complete report");
    }
}

#[test]
fn one_log_first_pass_is_the_complete_pass_minus_pending() {
    let file = log("reference.csv");
    let mapping = detect_mapping(&file);
    assert!(mapping.timestamp.is_some() && !mapping.segments.is_empty());
    let s = settings();
    let first = run(&file, None, &mapping, &s, WindowSpec::All, Depth::First);
    let complete = run(&file, None, &mapping, &s, WindowSpec::All, Depth::Complete);
    check(
        &first,
        &complete,
        &[
            pending::ECE_CI,
            pending::SMOOTH_ECE_CI,
            pending::SMOOTH_BAND,
            pending::CALIBRATION_FIT,
            pending::HOSMER_LEMESHOW,
            pending::QUALITY,
            pending::SEGMENTS,
            pending::OPERATIONS,
        ],
    );
    // The headline numbers are there, not merely equal in absence.
    let w = first.windows.all.as_ref().unwrap();
    assert!(w.roc_auc.is_some() && w.roc_auc_ci.is_some() && w.ece.is_some());
    assert!(w.smooth_ece.is_some() && !w.sweep.is_empty() && !w.reliability.is_empty());
    assert!(w.roc_curve.is_some() && !w.optimal_thresholds.is_empty());
}

#[test]
fn without_bootstrap_no_interval_is_pending() {
    let file = log("reference.csv");
    let mapping = detect_mapping(&file);
    let s = Settings {
        bootstrap: 0,
        ..Settings::default()
    };
    let first = run(&file, None, &mapping, &s, WindowSpec::All, Depth::First);
    let complete = run(&file, None, &mapping, &s, WindowSpec::All, Depth::Complete);
    check(
        &first,
        &complete,
        &[
            pending::CALIBRATION_FIT,
            pending::HOSMER_LEMESHOW,
            pending::QUALITY,
            pending::SEGMENTS,
            pending::OPERATIONS,
        ],
    );
}

#[test]
fn two_files_first_pass_leaves_the_comparison_pending() {
    let (r, c) = (log("reference.csv"), log("current.csv"));
    let mapping = detect_mapping(&r);
    let s = settings();
    let first = run(
        &r,
        Some(&c),
        &mapping,
        &s,
        WindowSpec::TwoFiles,
        Depth::First,
    );
    let complete = run(
        &r,
        Some(&c),
        &mapping,
        &s,
        WindowSpec::TwoFiles,
        Depth::Complete,
    );
    check(
        &first,
        &complete,
        &[
            pending::ECE_CI,
            pending::SMOOTH_ECE_CI,
            pending::SMOOTH_BAND,
            pending::CALIBRATION_FIT,
            pending::HOSMER_LEMESHOW,
            pending::QUALITY,
            pending::SEGMENTS,
            pending::OPERATIONS,
            pending::DRIFT,
            pending::TIMELINE,
            pending::LABEL_SHIFT,
            pending::DIAGNOSIS,
            pending::RECALIBRATION,
        ],
    );
}

#[test]
fn challengers_are_pending_in_the_first_pass() {
    let file = log("models.csv");
    let mapping = detect_mapping(&file);
    assert!(
        !mapping.challengers.is_empty(),
        "models.csv maps a challenger"
    );
    let s = settings();
    let first = run(&file, None, &mapping, &s, WindowSpec::All, Depth::First);
    let complete = run(&file, None, &mapping, &s, WindowSpec::All, Depth::Complete);
    assert!(first.is_pending(pending::MODELS));
    let mut expected = vec![
        pending::ECE_CI,
        pending::SMOOTH_ECE_CI,
        pending::SMOOTH_BAND,
        pending::CALIBRATION_FIT,
        pending::HOSMER_LEMESHOW,
        pending::QUALITY,
        pending::MODELS,
    ];
    expected.retain(|k| first.is_pending(k) || *k == pending::MODELS);
    check(&first, &complete, &expected);
}

#[test]
fn the_complete_pass_is_the_default_and_its_json_has_no_pending() {
    assert_eq!(Depth::default(), Depth::Complete);
    let file = log("reference.csv");
    let mapping = detect_mapping(&file);
    let s = settings();
    let request = Request {
        reference: &file,
        current: None,
        mapping: &mapping,
        settings: &s,
        window: WindowSpec::All,
        now: None,
        depth: Depth::default(),
    };
    let single = analysis::analyze_single(&file, &mapping, &s, "test").unwrap();
    assert_eq!(analyze(&request, "test").unwrap(), single);
    let complete = run(&file, None, &mapping, &s, WindowSpec::All, Depth::Complete);
    let json = analysis::report_json(&complete).unwrap();
    assert!(!json.contains("\"pending\""));
    let first = run(&file, None, &mapping, &s, WindowSpec::All, Depth::First);
    let json = analysis::report_json(&first).unwrap();
    assert!(json.contains("\"pending\""));
    // The provisional report reads back with its pending list (it crosses the worker boundary).
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.pending, first.pending);
}

#[test]
fn the_worker_answers_first_then_complete_and_sends_the_sweep_once() {
    let file = log("reference.csv");
    let mapping = detect_mapping(&file);
    let s = settings();
    let mut session = Session::new();
    session.loaded(1, plumb::core::protocol::Which::Reference, file);
    let (first, sweep) =
        session.analyze_at(2, &mapping, &s, &WindowSpec::All, None, None, Depth::First);
    assert!(first.is_provisional());
    assert!(sweep.is_some(), "the sweep rides with the first answer");
    let key = first.sweep_key().map(str::to_string);
    assert!(key.is_some());
    let (complete, again) = session.analyze_at(
        2,
        &mapping,
        &s,
        &WindowSpec::All,
        None,
        key.as_deref(),
        Depth::Complete,
    );
    assert!(!complete.is_provisional());
    assert!(again.is_none(), "the page holds the sweep already");
    assert_eq!(complete.sweep_key(), key.as_deref());
    match (&first, &complete) {
        (
            FromWorker::Report {
                id: a, report: r1, ..
            },
            FromWorker::Report {
                id: b, report: r2, ..
            },
        ) => {
            assert_eq!((a, b), (&2, &2), "both answers carry the request's id");
            assert!(!r1.pending.is_empty() && r2.pending.is_empty());
            let (w1, w2) = (
                r1.windows.all.as_ref().unwrap(),
                r2.windows.all.as_ref().unwrap(),
            );
            assert_eq!(w1.roc_auc, w2.roc_auc);
            assert_eq!(w1.sweep, w2.sweep);
        }
        other => panic!("expected two reports, got {other:?}"),
    }
    // The complete-only entry point is unchanged.
    let (plain, _) = session.analyze(3, &mapping, &s, &WindowSpec::All, None, key.as_deref());
    assert!(!plain.is_provisional());
}

#[test]
fn errors_and_summaries_are_never_provisional() {
    let mut empty = Session::new();
    let (answer, _) = empty.analyze_at(
        1,
        &ColumnMapping::default(),
        &settings(),
        &WindowSpec::All,
        None,
        None,
        Depth::First,
    );
    assert!(matches!(answer, FromWorker::Error { .. }));
    assert!(!answer.is_provisional());
    let path = format!(
        "{}/tests/fixtures/summary/bench_summary.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = load_file("bench_summary.csv", &std::fs::read(path).unwrap()).unwrap();
    let mapping = detect_mapping(&file);
    let first = run(
        &file,
        None,
        &mapping,
        &settings(),
        WindowSpec::All,
        Depth::First,
    );
    assert!(
        first.is_complete(),
        "a summary file's report is complete at once"
    );
}

/// The page's decoder of worker messages reads every answer as the generic decoder does: both
/// reports (first and complete, with and without a sweep key), errors, and the other messages.
#[test]
fn the_pages_report_decoder_equals_the_generic_decoder() {
    use plumb::core::protocol::{self, WorkPhase};
    let file = log("reference.csv");
    let mapping = detect_mapping(&file);
    let s = settings();
    let mut session = Session::new();
    session.loaded(1, plumb::core::protocol::Which::Reference, file);
    let mut messages = Vec::new();
    for depth in [Depth::First, Depth::Complete] {
        for window in [WindowSpec::All, WindowSpec::SplitFraction { fraction: 0.5 }] {
            let (answer, _) = session.analyze_at(7, &mapping, &s, &window, None, None, depth);
            assert!(matches!(answer, FromWorker::Report { .. }));
            messages.push(answer);
        }
    }
    messages.push(FromWorker::Ready);
    messages.push(FromWorker::Progress {
        id: 3,
        phase: WorkPhase::Analysing,
        bytes_read: 0,
        bytes_total: 0,
        rows: 0,
    });
    let (error, _) =
        Session::new().analyze_at(9, &mapping, &s, &WindowSpec::All, None, None, Depth::First);
    messages.push(error);
    for m in messages {
        let text = protocol::encode(&m).unwrap();
        let generic: FromWorker = protocol::decode(&text).unwrap();
        let fast = protocol::decode_from_worker(&text).unwrap();
        assert_eq!(fast, generic);
    }
    assert!(protocol::decode_from_worker(r#"{"kind":"report","id":1}"#).is_err());
}

/// A log of `n` rows with a score in (0, 1) at 6 decimals and a label drawn from it (a fixed
/// linear congruential generator), large enough for the binned bootstrap above 20 000 rows.
fn generated(n: usize) -> LoadedFile {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("score,label\n");
    for _ in 0..n {
        let score = (next() * 0.98 + 0.01).clamp(0.000_001, 0.999_999);
        let label = u8::from(next() < score * 0.8 + 0.05);
        text.push_str(&format!("{score:.6},{label}\n"));
    }
    load_file("generated.csv", text.as_bytes()).unwrap()
}

/// The complete report a session answers after its first pass (which starts from the first
/// pass's window) is, in JSON, the one a fresh complete pass gives; and a first pass of other
/// settings, or of a file loaded since, is not reused.
#[test]
fn the_complete_pass_from_the_first_equals_a_fresh_complete_pass() {
    let json = |answer: &FromWorker| match answer {
        FromWorker::Report { report, .. } => serde_json::to_string(report).unwrap(),
        other => panic!("expected a report, got {other:?}"),
    };
    let quantile = Settings {
        bins: 7,
        strategy: plumb::core::report::BinStrategy::Quantile,
        ..settings()
    };
    let without_bootstrap = Settings {
        bootstrap: 0,
        ..Settings::default()
    };
    let files = [
        log("basic.csv"),
        log("reference.csv"),
        log("ties.csv"),
        log("extremes.csv"),
        log("constant.csv"),
        log("one_class.csv"),
        log("single_row.csv"),
        generated(25_000),
    ];
    for file in files {
        let name = file.name.clone();
        let mapping = detect_mapping(&file);
        for s in [settings(), quantile.clone(), without_bootstrap.clone()] {
            let mut session = Session::new();
            session.loaded(1, plumb::core::protocol::Which::Reference, file.clone());
            let all = WindowSpec::All;
            let (first, _) = session.analyze_at(2, &mapping, &s, &all, None, None, Depth::First);
            let (staged, _) =
                session.analyze_at(2, &mapping, &s, &all, None, None, Depth::Complete);
            let (fresh, _) = session.analyze(3, &mapping, &s, &all, None, None);
            assert_eq!(json(&staged), json(&fresh), "{name}: {s:?}");
            if let FromWorker::Report { report, .. } = &first {
                assert!(!report.pending.is_empty() || s.bootstrap == 0, "{name}");
            }

            // A first pass of other settings is not the complete pass's start.
            let other = Settings {
                bins: 5,
                ..s.clone()
            };
            session.analyze_at(4, &mapping, &other, &all, None, None, Depth::First);
            let (mismatched, _) =
                session.analyze_at(4, &mapping, &s, &all, None, None, Depth::Complete);
            assert_eq!(json(&mismatched), json(&fresh), "{name}: other settings");

            // Nor is one from before another file was loaded.
            session.analyze_at(5, &mapping, &s, &all, None, None, Depth::First);
            let ties = log("ties.csv");
            let ties_mapping = detect_mapping(&ties);
            session.loaded(6, plumb::core::protocol::Which::Reference, ties);
            let (after_load, _) =
                session.analyze_at(7, &ties_mapping, &s, &all, None, None, Depth::Complete);
            let (fresh_ties, _) = session.analyze(8, &ties_mapping, &s, &all, None, None);
            assert_eq!(json(&after_load), json(&fresh_ties), "{name}: reloaded");
        }
    }
}
