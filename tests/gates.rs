//! Tests for `core::gates`: the gate file format (parsing, every error message, round trip,
//! the committed example and default files), evaluation on hand-built reports (pass, fail,
//! unavailable values, drift lookup, derived keys, boundaries), the JSON contract of the result,
//! and proptest properties (evaluation never panics and is internally consistent; `to_toml`
//! round-trips).
//!
//! Gates compute nothing statistical themselves (they compare numbers already in the report),
//! so the expected values here are exact by construction.

use plumb::core::gates::Gate;
use plumb::core::gates::{
    DRIFT_STATISTICS, GateError, GateProblem, GateReport, GateWindow, Op, Verdict, WINDOW_METRICS,
    default_gates, evaluate, gate_value, parse_gates, to_toml, valid_metric_keys,
};
use plumb::core::report::{
    DriftColumn, DriftReport, Generator, Input, Report, SCHEMA, Settings, WindowReport, Windows,
};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/gates/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

fn report(windows: Windows) -> Report {
    Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: "plumb".to_string(),
            version: "0.1.0".to_string(),
        },
        input: Input::default(),
        settings: Settings::default(),
        windows,
        drift: None,
        label_shift: None,
        quality: None,
        diagnosis: None,
        recalibration: None,
        gates: None,
        verdict: None,
        signoff: None,
        pending: Vec::new(),
        summary: None,
        operations: None,
        segments: Vec::new(),
        timeline: None,
        models: None,
        time_histogram: None,
    }
}

fn window(ece: Option<f64>, auc: Option<f64>, slope: Option<f64>) -> WindowReport {
    WindowReport {
        n: 5000,
        positives: 500,
        positive_rate: Some(0.1),
        ece,
        smooth_ece: ece.map(|e| e * 1.1),
        roc_auc: auc,
        calibration_slope: slope,
        ..Default::default()
    }
}

fn single(w: WindowReport) -> Report {
    report(Windows {
        all: Some(w),
        ..Default::default()
    })
}

fn two(reference: WindowReport, current: WindowReport) -> Report {
    report(Windows {
        reference: Some(reference),
        current: Some(current),
        ..Default::default()
    })
}

fn drift_column(name: &str, role: &str, value: Option<f64>, psi: Option<f64>) -> DriftColumn {
    DriftColumn {
        name: name.to_string(),
        kind: "numeric".to_string(),
        role: role.to_string(),
        psi,
        ks_p_value: value,
        method: "ks".to_string(),
        value,
        threshold: 0.05,
        drifted: value.is_some_and(|v| v < 0.05),
        missing_rate_reference: 0.0,
        missing_rate_current: 0.25,
        ..Default::default()
    }
}

fn gate(metric: &str, window: GateWindow, op: Op, limit: f64) -> Gate {
    Gate {
        name: format!("{metric} {} {limit}", op.symbol()),
        metric: metric.to_string(),
        window,
        op,
        limit,
    }
}

fn err(text: &str) -> String {
    parse_gates(text).unwrap_err().to_string()
}

// ---------------------------------------------------------------------------------------------
// The file format

#[test]
fn parses_the_example_file() {
    let gates = parse_gates(&fixture("example.toml")).unwrap();
    let expected = vec![
        Gate {
            name: "Calibration error".into(),
            metric: "ece".into(),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.02,
        },
        Gate {
            name: "Ranking quality".into(),
            metric: "roc_auc".into(),
            window: GateWindow::Current,
            op: Op::Ge,
            limit: 0.8,
        },
        Gate {
            name: "AUC did not drop".into(),
            metric: "roc_auc_drop".into(),
            window: GateWindow::Current, // the default for a comparison key
            op: Op::Lt,
            limit: 0.01,
        },
        Gate {
            name: "Amount stable".into(),
            metric: "drift.amount.psi".into(),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.25,
        },
        Gate {
            name: "Enough rows".into(),
            metric: "n".into(),
            window: GateWindow::Current,
            op: Op::Ge,
            limit: 1000.0,
        },
    ];
    assert_eq!(gates, expected);
    assert_eq!(parse_gates(&to_toml(&gates)).unwrap(), gates);
}

#[test]
fn default_gate_files_are_committed_and_round_trip() {
    for (two_windows, file) in [
        (true, "default_two_windows.toml"),
        (false, "default_one_window.toml"),
    ] {
        let gates = default_gates(two_windows);
        assert_eq!(to_toml(&gates), fixture(file), "{file}");
        assert_eq!(parse_gates(&fixture(file)).unwrap(), gates, "{file}");
    }
}

#[test]
fn default_gates_are_the_documented_ones() {
    let summary = |gates: &[Gate]| -> Vec<(String, GateWindow, Op, f64)> {
        gates
            .iter()
            .map(|g| (g.metric.clone(), g.window, g.op, g.limit))
            .collect()
    };
    use GateWindow::{All, Current};
    assert_eq!(
        summary(&default_gates(true)),
        vec![
            ("ece".into(), Current, Op::Le, 0.02),
            ("smooth_ece".into(), Current, Op::Le, 0.03),
            ("calibration_slope".into(), Current, Op::Ge, 0.9),
            ("calibration_slope".into(), Current, Op::Le, 1.1),
            ("roc_auc_drop".into(), Current, Op::Le, 0.01),
            ("drift.score.psi".into(), Current, Op::Le, 0.1),
            ("quality.failed".into(), Current, Op::Le, 0.0),
        ]
    );
    assert_eq!(
        summary(&default_gates(false)),
        vec![
            ("ece".into(), All, Op::Le, 0.02),
            ("smooth_ece".into(), All, Op::Le, 0.03),
            ("calibration_slope".into(), All, Op::Ge, 0.9),
            ("calibration_slope".into(), All, Op::Le, 1.1),
            ("quality.failed".into(), All, Op::Le, 0.0),
        ]
    );
}

#[test]
fn to_toml_escapes_names() {
    let gates = vec![Gate {
        name: "quote \" backslash \\ newline \n tab \t unicode é ✓".into(),
        metric: "drift.a \"b\".psi".into(),
        window: GateWindow::Current,
        op: Op::Gt,
        limit: -1e-300,
    }];
    assert_eq!(parse_gates(&to_toml(&gates)).unwrap(), gates);
}

#[test]
fn window_may_be_left_out_only_for_report_level_keys() {
    let text = "[[gate]]\nname = \"q\"\nmetric = \"quality.failed\"\nop = \"<=\"\nlimit = 0\n";
    assert_eq!(parse_gates(text).unwrap()[0].window, GateWindow::All);
    let text = "[[gate]]\nname = \"d\"\nmetric = \"drift.x1\"\nop = \"<=\"\nlimit = 0.1\n";
    assert_eq!(parse_gates(text).unwrap()[0].window, GateWindow::Current);
    // quality.failed accepts any window.
    let text = "[[gate]]\nname = \"q\"\nmetric = \"quality.failed\"\nwindow = \"reference\"\n\
                op = \"<=\"\nlimit = 0\n";
    assert_eq!(parse_gates(text).unwrap()[0].window, GateWindow::Reference);
}

#[test]
fn inline_array_of_tables_is_accepted() {
    let text = r#"gate = [{ name = "a", metric = "ece", window = "all", op = "<", limit = 1 }]"#;
    assert_eq!(parse_gates(text).unwrap()[0].op, Op::Lt);
}

// ---------------------------------------------------------------------------------------------
// Every error message

const OK_REST: &str = "metric = \"ece\"\nwindow = \"current\"\nop = \"<=\"\nlimit = 0.02\n";

#[test]
fn error_syntax() {
    let e = err("[[gate]]\nname = \"a\nlimit = 1\n");
    assert!(e.starts_with("gate file is not valid TOML: "), "{e}");
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn error_no_gates() {
    let expected = "the gate file defines no gate; add at least one [[gate]] table";
    assert_eq!(err(""), expected);
    assert_eq!(err("# only a comment\n"), expected);
    assert_eq!(err("gate = []"), expected);
    assert_eq!(parse_gates(""), Err(GateError::NoGates));
}

#[test]
fn error_unknown_top_level() {
    assert_eq!(
        err(&format!("[[gates]]\nname = \"a\"\n{OK_REST}")),
        "unknown top-level key \"gates\"; a gate file holds only [[gate]] tables"
    );
}

#[test]
fn error_gate_not_an_array_of_tables() {
    assert_eq!(
        err(&format!("[gate]\nname = \"a\"\n{OK_REST}")),
        "`gate` must be an array of tables (write each gate as [[gate]]), found a table"
    );
    assert_eq!(
        err("gate = [1]"),
        "gate #1: expected a table, found an integer"
    );
}

#[test]
fn error_name() {
    assert_eq!(
        err(&format!("[[gate]]\n{OK_REST}")),
        "gate #1, field `name`: missing; expected a non-empty string"
    );
    assert_eq!(
        err(&format!("[[gate]]\nname = 3\n{OK_REST}")),
        "gate #1, field `name`: expected a string, found an integer"
    );
    assert_eq!(
        err(&format!("[[gate]]\nname = \"  \"\n{OK_REST}")),
        "gate #1, field `name`: the name is empty"
    );
    assert_eq!(
        err(&format!(
            "[[gate]]\nname = \"a\"\n{OK_REST}\n[[gate]]\nname = \"b\"\n{OK_REST}\n\
             [[gate]]\nname = \"a\"\n{OK_REST}"
        )),
        "gate #3 (\"a\"), field `name`: the same name as gate #1; names must be unique"
    );
}

#[test]
fn error_unknown_field() {
    let text = format!(
        "[[gate]]\nname = \"a\"\n{OK_REST}\n[[gate]]\nname = \"Calibration\"\nlimt = 3\n{OK_REST}"
    );
    assert_eq!(
        err(&text),
        "gate #2 (\"Calibration\"), field `limt`: unknown field; a gate has only name, metric, \
         window, op, limit"
    );
}

#[test]
fn error_metric() {
    let valid = valid_metric_keys();
    for key in WINDOW_METRICS {
        assert!(valid.contains(key), "{key}");
    }
    for stat in DRIFT_STATISTICS {
        assert!(valid.contains(stat), "{stat}");
    }
    assert!(
        valid.contains("roc_auc_drop, quality.failed, drift.<column>, drift.<column>.<statistic>")
    );
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nwindow = \"all\"\nop = \"<=\"\nlimit = 1\n"),
        format!("gate #1 (\"E\"), field `metric`: missing; valid keys: {valid}")
    );
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"ECE\"\nwindow = \"all\"\nop = \"<=\"\nlimit = 1\n"),
        format!("gate #1 (\"E\"), field `metric`: unknown metric \"ECE\"; valid keys: {valid}")
    );
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"drift.\"\nop = \"<=\"\nlimit = 1\n"),
        format!("gate #1 (\"E\"), field `metric`: unknown metric \"drift.\"; valid keys: {valid}")
    );
    assert_eq!(
        err(
            "[[gate]]\nname = \"E\"\nmetric = [\"ece\"]\nwindow = \"all\"\nop = \"<=\"\nlimit = 1\n"
        ),
        "gate #1 (\"E\"), field `metric`: expected a string, found an array"
    );
}

#[test]
fn error_window() {
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"ece\"\nop = \"<=\"\nlimit = 1\n"),
        "gate #1 (\"E\"), field `window`: missing; allowed: \"all\", \"reference\", \"current\""
    );
    assert_eq!(
        err(
            "[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"Current\"\nop = \"<=\"\nlimit = 1\n"
        ),
        "gate #1 (\"E\"), field `window`: unknown window \"Current\"; allowed: \"all\", \
         \"reference\", \"current\""
    );
    assert_eq!(
        err(
            "[[gate]]\nname = \"D\"\nmetric = \"roc_auc_drop\"\nwindow = \"reference\"\nop = \"<=\"\nlimit = 1\n"
        ),
        "gate #1 (\"D\"), field `window`: window \"reference\" does not apply to \
         \"roc_auc_drop\", which compares the current window with the reference; use \
         \"current\" or leave `window` out"
    );
    assert!(
        err("[[gate]]\nname = \"D\"\nmetric = \"drift.x1\"\nwindow = \"all\"\nop = \"<=\"\nlimit = 1\n")
            .contains("window \"all\" does not apply to \"drift.x1\"")
    );
}

#[test]
fn error_op() {
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"all\"\nlimit = 1\n"),
        "gate #1 (\"E\"), field `op`: missing; allowed: \"<=\", \"<\", \">=\", \">\""
    );
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"all\"\nop = \"=<\"\nlimit = 1\n"),
        "gate #1 (\"E\"), field `op`: unknown operator \"=<\"; allowed: \"<=\", \"<\", \">=\", \">\""
    );
    assert_eq!(
        err("[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"all\"\nop = \"==\"\nlimit = 1\n"),
        "gate #1 (\"E\"), field `op`: unknown operator \"==\"; allowed: \"<=\", \"<\", \">=\", \">\""
    );
}

#[test]
fn error_limit() {
    let base = "[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"all\"\nop = \"<=\"\n";
    assert_eq!(
        err(base),
        "gate #1 (\"E\"), field `limit`: missing; expected a finite number"
    );
    assert_eq!(
        err(&format!("{base}limit = \"0.02\"\n")),
        "gate #1 (\"E\"), field `limit`: expected a number, found a string"
    );
    for bad in ["nan", "inf", "-inf", "+inf"] {
        assert_eq!(
            err(&format!("{base}limit = {bad}\n")),
            "gate #1 (\"E\"), field `limit`: the limit must be a finite number (not nan or inf)",
            "{bad}"
        );
    }
    assert_eq!(
        parse_gates(&format!("{base}limit = -3\n")).unwrap()[0].limit,
        -3.0
    );
}

#[test]
fn errors_are_typed() {
    let e = parse_gates(
        "[[gate]]\nname = \"E\"\nmetric = \"ece\"\nwindow = \"all\"\nop = \"=<\"\nlimit = 1\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        GateError::Field {
            index: 1,
            name: Some("E".into()),
            field: "op".into(),
            problem: GateProblem::UnknownOp("=<".into()),
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Evaluation

#[test]
fn passing_and_failing_gates() {
    let r = single(window(Some(0.01), Some(0.85), Some(1.0)));
    let result = evaluate(
        &r,
        &[
            gate("ece", GateWindow::All, Op::Le, 0.02),
            gate("roc_auc", GateWindow::All, Op::Ge, 0.8),
        ],
    );
    assert_eq!(result.verdict, Verdict::Pass);
    assert!(result.gates.iter().all(|g| g.passed && g.reason.is_none()));
    assert_eq!(result.gates[0].value, Some(0.01));
    assert_eq!(result.failed(), 0);

    let result = evaluate(
        &r,
        &[
            gate("ece", GateWindow::All, Op::Le, 0.005),
            gate("roc_auc", GateWindow::All, Op::Ge, 0.8),
        ],
    );
    assert_eq!(result.verdict, Verdict::Fail);
    assert!(!result.gates[0].passed);
    assert!(result.gates[1].passed);
    assert_eq!(result.gates[0].value, Some(0.01));
    assert_eq!(
        result.gates[0].reason.as_deref(),
        Some("ece = 0.01 is not <= 0.005")
    );
    assert_eq!(result.failed(), 1);
}

#[test]
fn empty_gate_list_passes_vacuously() {
    let r = single(window(Some(0.01), Some(0.85), Some(1.0)));
    let result = evaluate(&r, &[]);
    assert_eq!(result.verdict, Verdict::Pass);
    assert!(result.gates.is_empty());
}

#[test]
fn boundaries_are_exact() {
    let r = single(window(Some(0.02), Some(0.8), Some(1.0)));
    let passed = |metric: &str, op: Op, limit: f64| {
        evaluate(&r, &[gate(metric, GateWindow::All, op, limit)]).gates[0].passed
    };
    assert!(passed("ece", Op::Le, 0.02));
    assert!(!passed("ece", Op::Lt, 0.02));
    assert!(passed("roc_auc", Op::Ge, 0.8));
    assert!(!passed("roc_auc", Op::Gt, 0.8));
    // One ulp either side.
    let up = f64::from_bits(0.02f64.to_bits() + 1);
    let down = f64::from_bits(0.02f64.to_bits() - 1);
    assert!(passed("ece", Op::Lt, up));
    assert!(!passed("ece", Op::Le, down));
    // Counts compare as numbers.
    assert!(passed("n", Op::Ge, 5000.0));
    assert!(!passed("n", Op::Gt, 5000.0));
}

#[test]
fn null_value_fails_with_reason() {
    let r = single(window(None, None, Some(1.0)));
    let result = evaluate(&r, &[gate("roc_auc", GateWindow::All, Op::Ge, 0.0)]);
    assert_eq!(result.verdict, Verdict::Fail);
    let g = &result.gates[0];
    assert!(!g.passed);
    assert_eq!(g.value, None);
    assert_eq!(
        g.reason.as_deref(),
        Some(
            "roc_auc is not available in window \"all\" (null in the report: undefined for this \
             data)"
        )
    );
}

#[test]
fn absent_window_fails_with_reason() {
    let r = single(window(Some(0.01), Some(0.85), Some(1.0)));
    let g = &evaluate(&r, &[gate("ece", GateWindow::Current, Op::Le, 1.0)]).gates[0];
    assert!(!g.passed);
    assert_eq!(
        g.reason.as_deref(),
        Some("window \"current\" is not in this report (windows present: all)")
    );
    let empty = report(Windows::default());
    let g = &evaluate(&empty, &[gate("n", GateWindow::All, Op::Ge, 0.0)]).gates[0];
    assert_eq!(
        g.reason.as_deref(),
        Some("window \"all\" is not in this report (windows present: none)")
    );
}

#[test]
fn non_finite_values_and_limits_fail() {
    let r = single(window(Some(f64::NAN), Some(0.85), Some(f64::INFINITY)));
    let result = evaluate(
        &r,
        &[
            gate("ece", GateWindow::All, Op::Le, 1.0),
            gate("calibration_slope", GateWindow::All, Op::Ge, 0.0),
            gate("roc_auc", GateWindow::All, Op::Le, f64::NAN),
            gate("roc_auc", GateWindow::All, Op::Le, f64::INFINITY),
        ],
    );
    assert!(result.gates.iter().all(|g| !g.passed));
    assert_eq!(
        result.gates[0].reason.as_deref(),
        Some("ece is not a finite number (NaN)")
    );
    assert_eq!(result.gates[0].value, None);
    assert_eq!(
        result.gates[2].reason.as_deref(),
        Some("the limit is not a finite number (NaN)")
    );
    assert_eq!(result.gates[3].value, Some(0.85));
}

#[test]
fn unknown_metric_in_code_fails() {
    let r = single(window(Some(0.01), Some(0.85), Some(1.0)));
    let g = &evaluate(&r, &[gate("accuracy", GateWindow::All, Op::Ge, 0.0)]).gates[0];
    assert!(!g.passed);
    assert!(
        g.reason
            .as_deref()
            .unwrap()
            .starts_with("unknown metric \"accuracy\"; valid keys: n, positives")
    );
}

#[test]
fn roc_auc_drop_is_reference_minus_current() {
    let r = two(
        window(Some(0.01), Some(0.91), Some(1.0)),
        window(Some(0.01), Some(0.89), Some(1.0)),
    );
    assert_eq!(
        gate_value(&r, "roc_auc_drop", GateWindow::Current),
        Ok(0.91 - 0.89)
    );
    let result = evaluate(
        &r,
        &[
            gate("roc_auc_drop", GateWindow::Current, Op::Le, 0.01),
            gate("roc_auc_drop", GateWindow::Current, Op::Le, 0.03),
        ],
    );
    assert!(!result.gates[0].passed);
    assert!(result.gates[1].passed);

    // Missing pieces fail.
    let r1 = single(window(Some(0.01), Some(0.9), Some(1.0)));
    assert_eq!(
        gate_value(&r1, "roc_auc_drop", GateWindow::Current),
        Err("window \"reference\" is not in this report (windows present: all)".into())
    );
    let r2 = two(
        window(Some(0.01), Some(0.9), Some(1.0)),
        window(Some(0.01), None, Some(1.0)),
    );
    assert_eq!(
        gate_value(&r2, "roc_auc_drop", GateWindow::Current),
        Err("roc_auc_drop needs the ROC AUC of the current window, which is null".into())
    );
    let r3 = two(
        window(Some(0.01), None, Some(1.0)),
        window(Some(0.01), Some(0.9), Some(1.0)),
    );
    assert_eq!(
        gate_value(&r3, "roc_auc_drop", GateWindow::Current),
        Err("roc_auc_drop needs the ROC AUC of the reference window, which is null".into())
    );
}

fn drift_report() -> Report {
    let mut r = two(
        window(Some(0.01), Some(0.9), Some(1.0)),
        window(Some(0.01), Some(0.9), Some(1.0)),
    );
    r.drift = Some(DriftReport {
        columns: vec![
            drift_column("prob", "score", Some(0.4), Some(0.07)),
            drift_column("x1", "feature", Some(0.001), Some(0.3)),
            drift_column("a.b", "feature", Some(0.2), None),
            drift_column("score", "label", Some(0.9), Some(0.5)),
        ],
    });
    r
}

#[test]
fn drift_lookup_by_column_and_statistic() {
    let r = drift_report();
    let v = |m: &str| gate_value(&r, m, GateWindow::Current);
    assert_eq!(v("drift.x1"), Ok(0.001));
    assert_eq!(v("drift.x1.value"), Ok(0.001));
    assert_eq!(v("drift.x1.psi"), Ok(0.3));
    assert_eq!(v("drift.x1.ks_p_value"), Ok(0.001));
    assert_eq!(v("drift.x1.missing_rate_current"), Ok(0.25));
    assert_eq!(v("drift.x1.missing_rate_reference"), Ok(0.0));
    // A column whose name has a dot is found by its exact name first.
    assert_eq!(v("drift.a.b"), Ok(0.2));
    assert_eq!(
        v("drift.a.b.psi"),
        Err(
            "drift statistic psi of column \"a.b\" is not available (null in the report; it may \
             not apply to a numeric column)"
                .into()
        )
    );
    // A column literally named `score` wins over the score role ...
    assert_eq!(v("drift.score.psi"), Ok(0.5));
    assert_eq!(v("drift.prob.psi"), Ok(0.07));
    assert_eq!(
        v("drift.nope"),
        Err(
            "no drift entry for \"nope\"; columns with drift: prob, x1, a.b, score; statistics: \
             value, psi, js_distance, ks_statistic, ks_p_value, wasserstein, wasserstein_norm, \
             chi2_p_value, missing_rate_reference, missing_rate_current"
                .into()
        )
    );
    assert!(v("drift.x1.bogus").is_err());
    assert_eq!(
        v("drift.x1.wasserstein"),
        Err(
            "drift statistic wasserstein of column \"x1\" is not available (null in the report; \
             it may not apply to a numeric column)"
                .into()
        )
    );
}

#[test]
fn drift_score_alias_reads_the_score_role() {
    let mut r = drift_report();
    // ... and without a column named `score`, `drift.score` is the score column.
    if let Some(d) = r.drift.as_mut() {
        d.columns.retain(|c| c.name != "score");
    }
    assert_eq!(
        gate_value(&r, "drift.score.psi", GateWindow::Current),
        Ok(0.07)
    );
    assert_eq!(gate_value(&r, "drift.score", GateWindow::Current), Ok(0.4));
    let result = evaluate(
        &r,
        &[gate("drift.score.psi", GateWindow::Current, Op::Le, 0.1)],
    );
    assert_eq!(result.verdict, Verdict::Pass);
}

#[test]
fn drift_without_a_drift_section_fails() {
    let r = single(window(Some(0.01), Some(0.9), Some(1.0)));
    let g = &evaluate(
        &r,
        &[gate("drift.x1.psi", GateWindow::Current, Op::Le, 0.1)],
    )
    .gates[0];
    assert!(!g.passed);
    assert_eq!(
        g.reason.as_deref(),
        Some(
            "drift.x1.psi is not available: the report has no drift section (drift needs a \
             reference and a current window)"
        )
    );
}

#[test]
fn quality_failed_is_not_available_yet() {
    let r = single(window(Some(0.01), Some(0.9), Some(1.0)));
    let g = &evaluate(&r, &[gate("quality.failed", GateWindow::All, Op::Le, 1e9)]).gates[0];
    assert!(!g.passed);
    assert_eq!(g.value, None);
    assert_eq!(
        g.reason.as_deref(),
        Some("quality.failed is not available: the report has no data-quality section")
    );
}

#[test]
fn default_gates_on_a_healthy_report() {
    let mut r = drift_report();
    if let Some(d) = r.drift.as_mut() {
        d.columns.retain(|c| c.name != "score");
    }
    let result = evaluate(&r, &default_gates(true));
    let failed: Vec<&str> = result
        .gates
        .iter()
        .filter(|g| !g.passed)
        .map(|g| g.metric.as_str())
        .collect();
    // Only the quality gate fails, because the report has no quality section yet.
    assert_eq!(failed, vec!["quality.failed"]);
    assert_eq!(result.verdict, Verdict::Fail);

    let r = single(window(Some(0.03), Some(0.9), Some(0.85)));
    let result = evaluate(&r, &default_gates(false));
    let failed: Vec<&str> = result
        .gates
        .iter()
        .filter(|g| !g.passed)
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(
        failed,
        vec![
            "Calibration error (ECE)",
            "Smooth calibration error",
            "Calibration slope not too low",
            "No failing data-quality check"
        ]
    );
}

#[test]
fn json_contract() {
    let r = single(window(Some(0.01), None, Some(1.0)));
    let result = evaluate(
        &r,
        &[
            gate("ece", GateWindow::All, Op::Le, 0.02),
            gate("roc_auc", GateWindow::All, Op::Gt, 0.5),
        ],
    );
    let json = serde_json::to_value(&result).unwrap();
    let expected = serde_json::json!({
        "gates": [
            {"name": "ece <= 0.02", "metric": "ece", "window": "all", "op": "<=", "limit": 0.02,
             "value": 0.01, "passed": true, "reason": null},
            {"name": "roc_auc > 0.5", "metric": "roc_auc", "window": "all", "op": ">", "limit": 0.5,
             "value": null, "passed": false,
             "reason": "roc_auc is not available in window \"all\" (null in the report: undefined for this data)"}
        ],
        "verdict": "fail"
    });
    assert_eq!(json, expected);
    let back: GateReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, result);
    // Gates themselves serialise with the same names and values.
    let g = serde_json::to_value(gate("n", GateWindow::Reference, Op::Ge, 1.0)).unwrap();
    assert_eq!(g["window"], "reference");
    assert_eq!(g["op"], ">=");
}

// ---------------------------------------------------------------------------------------------
// Properties

fn any_op() -> impl Strategy<Value = Op> {
    prop::sample::select(Op::ALL.to_vec())
}

fn any_window() -> impl Strategy<Value = GateWindow> {
    prop::sample::select(GateWindow::ALL.to_vec())
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::num::f64::ANY,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        -2.0..2.0f64,
    ]
}

fn any_metric() -> impl Strategy<Value = String> {
    let known: Vec<String> = WINDOW_METRICS
        .iter()
        .map(|s| s.to_string())
        .chain(
            [
                "roc_auc_drop",
                "quality.failed",
                "drift.x1",
                "drift.x1.psi",
                "drift.score",
                "drift.a.b.psi",
                "drift.",
                "drift",
            ]
            .map(String::from),
        )
        .collect();
    prop_oneof![prop::sample::select(known), ".{0,20}"]
}

fn any_window_report() -> impl Strategy<Value = Option<WindowReport>> {
    let opt = || prop::option::of(any_f64());
    prop::option::of((opt(), opt(), opt(), opt(), any::<u64>()).prop_map(
        |(ece, auc, slope, smooth, n)| WindowReport {
            n,
            ece,
            roc_auc: auc,
            calibration_slope: slope,
            smooth_ece: smooth,
            ..Default::default()
        },
    ))
}

fn any_report() -> impl Strategy<Value = Report> {
    (
        any_window_report(),
        any_window_report(),
        any_window_report(),
        prop::option::of(prop::collection::vec(
            (
                prop::sample::select(vec!["x1", "score", "a.b", "prob"]),
                prop::sample::select(vec!["score", "feature", "label"]),
                prop::option::of(any_f64()),
                prop::option::of(any_f64()),
            ),
            0..5,
        )),
    )
        .prop_map(|(all, reference, current, drift)| {
            let mut r = report(Windows {
                all,
                reference,
                current,
            });
            r.drift = drift.map(|cols| DriftReport {
                columns: cols
                    .into_iter()
                    .map(|(n, role, v, p)| drift_column(n, role, v, p))
                    .collect(),
            });
            r
        })
}

proptest! {
    #[test]
    fn evaluate_never_panics_and_is_consistent(
        r in any_report(),
        specs in prop::collection::vec((any_metric(), any_window(), any_op(), any_f64()), 0..8),
    ) {
        let gates: Vec<Gate> = specs
            .into_iter()
            .enumerate()
            .map(|(i, (metric, window, op, limit))| Gate {
                name: format!("g{i}"),
                metric,
                window,
                op,
                limit,
            })
            .collect();
        let result = evaluate(&r, &gates);
        prop_assert_eq!(result.gates.len(), gates.len());
        for (g, res) in gates.iter().zip(&result.gates) {
            prop_assert_eq!(&res.name, &g.name);
            prop_assert_eq!(&res.metric, &g.metric);
            prop_assert_eq!(res.op, g.op);
            if res.passed {
                let v = res.value.unwrap();
                prop_assert!(v.is_finite() && g.limit.is_finite());
                prop_assert!(g.op.holds(v, g.limit));
                prop_assert!(res.reason.is_none());
            } else {
                prop_assert!(res.reason.is_some());
                if let Some(v) = res.value {
                    prop_assert!(!(g.op.holds(v, g.limit) && g.limit.is_finite()));
                }
            }
            // The value reported is the value looked up.
            match gate_value(&r, &g.metric, g.window) {
                Ok(v) if v.is_finite() => prop_assert_eq!(res.value, Some(v)),
                _ => prop_assert_eq!(res.value, None),
            }
        }
        let all = result.gates.iter().all(|g| g.passed);
        prop_assert_eq!(result.verdict == Verdict::Pass, all);
        // With finite limits (all a gate file can hold) the JSON form round-trips exactly:
        // no NaN value ever reaches it.
        if gates.iter().all(|g| g.limit.is_finite()) {
            let json = serde_json::to_string(&result).unwrap();
            let back: GateReport = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, result);
        }
    }

    #[test]
    fn to_toml_round_trips(
        specs in prop::collection::vec(
            (
                "[^\u{0}]{0,12}",
                prop::sample::select(WINDOW_METRICS.to_vec()),
                any_window(),
                any_op(),
                prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO,
            ),
            1..6,
        )
    ) {
        let gates: Vec<Gate> = specs
            .into_iter()
            .enumerate()
            .map(|(i, (name, metric, window, op, limit))| Gate {
                // Unique, non-empty names with arbitrary characters.
                name: format!("{i}{name}"),
                metric: metric.to_string(),
                window,
                op,
                limit,
            })
            .collect();
        let text = to_toml(&gates);
        let back = parse_gates(&text);
        prop_assert_eq!(back.as_ref(), Ok(&gates), "{}", text);
        for (a, b) in gates.iter().zip(back.unwrap()) {
            prop_assert_eq!(a.limit.to_bits(), b.limit.to_bits());
        }
    }

    #[test]
    fn parse_never_panics(text in ".{0,200}") {
        let _ = parse_gates(&text);
    }
}

// ---------------------------------------------------------------------------------------------
// Model-comparison keys (`model.<column>.<statistic>`)

fn models_report() -> Report {
    use plumb::core::analysis::{analyze_single, detect_mapping, load_file};
    let path = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = load_file("models.csv", &std::fs::read(path).unwrap()).unwrap();
    let mapping = detect_mapping(&file);
    analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap()
}

#[test]
fn model_keys_read_the_model_comparison() {
    let r = models_report();
    let m = r.models.as_ref().unwrap();
    let (champion, challenger) = (&m.models[0], &m.models[1]);
    let cmp = &m.comparisons[0];
    let auc = cmp.auc.as_ref().unwrap();
    let ece = cmp.ece.as_ref().unwrap();
    let brier = cmp.brier_score.as_ref().unwrap();
    let cases: Vec<(&str, f64)> = vec![
        ("model.score.roc_auc", champion.roc_auc.unwrap()),
        (
            "model.challenger_score.roc_auc",
            challenger.roc_auc.unwrap(),
        ),
        (
            "model.challenger_score.roc_auc_ci_lower",
            challenger.roc_auc_ci.unwrap()[0],
        ),
        (
            "model.challenger_score.average_precision_ci_upper",
            challenger.average_precision_ci.unwrap()[1],
        ),
        ("model.challenger_score.ece", challenger.ece.unwrap()),
        (
            "model.challenger_score.brier_score",
            challenger.brier_score.unwrap(),
        ),
        ("model.score.log_loss", champion.log_loss.unwrap()),
        ("model.challenger_score.roc_auc_difference", auc.difference),
        (
            "model.challenger_score.roc_auc_difference_p_value",
            auc.p_value.unwrap(),
        ),
        (
            "model.challenger_score.delong_p_value",
            auc.p_value.unwrap(),
        ),
        (
            "model.challenger_score.roc_auc_difference_ci_upper",
            auc.ci.unwrap()[1],
        ),
        ("model.challenger_score.ece_difference", ece.difference),
        (
            "model.challenger_score.ece_difference_ci_lower",
            ece.ci.unwrap()[0],
        ),
        (
            "model.challenger_score.brier_score_difference",
            brier.difference,
        ),
        (
            "model.challenger_score.brier_score_difference_ci_upper",
            brier.ci.unwrap()[1],
        ),
    ];
    for (key, want) in &cases {
        // Report-level: the same number whatever window the gate names.
        for w in [GateWindow::All, GateWindow::Current] {
            assert_eq!(gate_value(&r, key, w), Ok(*want), "{key}");
        }
    }
    // Pass and fail at the limit, exactly.
    let a = challenger.roc_auc.unwrap();
    let report = evaluate(
        &r,
        &[
            gate("model.challenger_score.roc_auc", GateWindow::All, Op::Ge, a),
            gate("model.challenger_score.roc_auc", GateWindow::All, Op::Gt, a),
            gate(
                "model.challenger_score.delong_p_value",
                GateWindow::All,
                Op::Ge,
                0.0,
            ),
        ],
    );
    let passed: Vec<bool> = report.gates.iter().map(|g| g.passed).collect();
    assert_eq!(passed, vec![true, false, true]);
    assert_eq!(report.verdict, Verdict::Fail);
}

#[test]
fn model_keys_fail_with_the_valid_models_named() {
    let r = models_report();
    let reason = |key: &str| {
        let g = &evaluate(&r, &[gate(key, GateWindow::All, Op::Le, 1.0)]).gates[0];
        assert!(!g.passed, "{key}");
        g.reason.clone().unwrap()
    };
    let why = reason("model.nope.roc_auc");
    assert!(why.contains("no model \"nope\""), "{why}");
    assert!(
        why.contains("\"score\"") && why.contains("\"challenger_score\""),
        "{why}"
    );
    // The champion has no paired test against itself.
    let why = reason("model.score.delong_p_value");
    assert!(why.contains("champion"), "{why}");
    assert!(why.contains("\"challenger_score\""), "{why}");
    // An unknown statistic is an unknown key (the file parser rejects it, naming the grammar).
    let why = reason("model.challenger_score.accuracy");
    assert!(why.starts_with("unknown metric"), "{why}");
    assert!(why.contains("model.<column>.<metric>"), "{why}");
    // Without a models section.
    let single = single(window(Some(0.01), Some(0.85), Some(1.0)));
    let g = &evaluate(
        &single,
        &[gate("model.score.roc_auc", GateWindow::All, Op::Ge, 0.5)],
    )
    .gates[0];
    assert!(!g.passed);
    assert!(g.reason.as_deref().unwrap().contains("no models section"));
    // The file format accepts model keys without a window (report-level).
    let gates = parse_gates(
        "[[gate]]\nname = \"challenger auc\"\nmetric = \"model.challenger_score.roc_auc\"\n\
         op = \">=\"\nlimit = 0.5\n",
    )
    .unwrap();
    assert_eq!(gates[0].window, GateWindow::All);
    assert!(
        parse_gates(
            "[[gate]]\nname = \"x\"\nmetric = \"model.challenger_score.nope\"\nop = \">=\"\n\
         limit = 0.5\n"
        )
        .is_err()
    );
}

#[test]
fn cli_exit_code_follows_model_gates() {
    let log = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let dir = std::env::temp_dir();
    let run = |name: &str, toml: &str| {
        let path = dir.join(format!(
            "plumb-model-gates-{}-{name}.toml",
            std::process::id()
        ));
        std::fs::write(&path, toml).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_plumb"))
            .args(["audit", &log, "--gates"])
            .arg(&path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        out
    };
    let gate_file = |limit: f64| {
        format!(
            "[[gate]]\nname = \"challenger auc\"\nmetric = \"model.challenger_score.roc_auc\"\n\
             op = \">=\"\nlimit = {limit}\n"
        )
    };
    let pass = run("pass", &gate_file(0.5));
    assert_eq!(
        pass.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&pass.stderr)
    );
    let fail = run("fail", &gate_file(0.999));
    assert_eq!(fail.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fail.stderr).contains("challenger auc"));
    let unknown = run(
        "unknown",
        "[[gate]]\nname = \"ghost\"\nmetric = \"model.ghost.roc_auc\"\nop = \">=\"\nlimit = 0.5\n",
    );
    assert_eq!(unknown.status.code(), Some(1));
    let report: Report = serde_json::from_slice(&unknown.stdout).unwrap();
    let reason = report.gates.unwrap()[0].reason.clone().unwrap();
    assert!(reason.contains("no model \"ghost\""), "{reason}");
    assert!(reason.contains("\"challenger_score\""), "{reason}");
}
