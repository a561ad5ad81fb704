//! Tests for `core::export::markdown`: snapshots of hand-built reports (committed under
//! `tests/fixtures/export/`; regenerate with `PLUMB_UPDATE_SNAPSHOTS=1 cargo test --test
//! export_markdown` and review the diff), and an injection corpus (HTML, links, emphasis, code
//! spans, table breakers) placed in every user-supplied string of a report, which must never
//! appear unescaped: no unescaped markup character anywhere, and every table row keeps its
//! column count.

use plumb::core::export::markdown::{
    MARKDOWN_SPECIAL, escape_markdown_inline, format_gate_value, markdown_report, quote_block,
};
use plumb::core::export::{Decision, SignOff};
use plumb::core::gates::{Gate, GateWindow, Op, default_gates, evaluate};
use plumb::core::report::{
    ColumnMapping, Dialect, DriftColumn, DriftReport, Generator, Input, InputFile,
    LabelShiftReport, Report, SCHEMA, ScoreTransform, Settings, WindowReport, WindowSpec, Windows,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const INJECTION: &[&str] = &[
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "| broken | table",
    "**bold**",
    "`code` and ```fence```",
    "<img src=x onerror=alert(1)>",
    "![img](http://evil.example/x.png)",
    "# heading\n---\n> quote",
    "line\nbreak | cell\r\n| new row |",
    "_under_ ~~strike~~ $math$ @everyone &lt;b&gt;",
    "\\*escaped?\\*",
    "trailing backslash \\",
    "{{template}} <!-- comment -->",
    "\u{202E}reversed\u{202C} nul\u{0}",
];

fn window(scale: f64) -> WindowReport {
    WindowReport {
        n: 12_345,
        positives: 1_234,
        positive_rate: Some(0.09996),
        mean_score: Some(0.1013),
        roc_auc: Some(0.8731 - scale),
        roc_auc_ci: Some([0.8612 - scale, 0.8850 - scale]),
        average_precision: Some(0.4123),
        brier_score: Some(0.0781),
        log_loss: Some(0.2712),
        ece: Some(0.0123 + scale),
        mce: Some(0.0611),
        rmsce: Some(0.0181),
        ace: Some(0.0201),
        smooth_ece: Some(0.0142 + scale),
        calibration_in_the_large: Some(0.0013),
        observed_expected_ratio: Some(0.9868),
        calibration_slope: Some(0.97 - scale),
        calibration_intercept: Some(-0.04),
        hosmer_lemeshow: Some(9.81),
        hosmer_lemeshow_p_value: Some(0.2787),
        spiegelhalter_z: Some(-0.512),
        spiegelhalter_p_value: Some(0.6087),
        ks_separation: Some(0.5811),
        ..Default::default()
    }
}

fn file(name: &str, sha: &str, rows: u64, excluded: &[(&str, u64)]) -> InputFile {
    let rows_excluded: BTreeMap<String, u64> =
        excluded.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    let used = rows - excluded.iter().map(|(_, n)| n).sum::<u64>();
    InputFile {
        name: name.to_string(),
        bytes: rows * 41,
        sha256: sha.to_string(),
        rows,
        rows_used: used,
        rows_excluded,
        // Line numbers of excluded rows: never printed (only aggregates are).
        excluded_examples: excluded
            .iter()
            .map(|(k, _)| (k.to_string(), vec![987_654_321]))
            .collect(),
        dialect: Dialect {
            delimiter: ",".to_string(),
            gzip: false,
            bom: false,
            ..Dialect::default()
        },
    }
}

fn drift(name: &str, role: &str, method: &str, value: f64, threshold: f64) -> DriftColumn {
    let drifted = if method == "ks" || method == "chi2" {
        value < threshold
    } else {
        value >= threshold
    };
    DriftColumn {
        name: name.to_string(),
        kind: if method == "chi2" || method == "js_distance" {
            "categorical".to_string()
        } else {
            "numeric".to_string()
        },
        role: role.to_string(),
        psi: Some(value * 0.8),
        method: method.to_string(),
        value: Some(value),
        threshold,
        drifted,
        missing_rate_reference: 0.0,
        missing_rate_current: 0.0125,
        ..Default::default()
    }
}

fn two_window_report() -> Report {
    Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: "plumb".to_string(),
            version: "0.1.0".to_string(),
        },
        input: Input {
            files: vec![
                file(
                    "reference.csv",
                    "3fa2c1d0e9b4a1f2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a",
                    12_400,
                    &[("missing_score", 40), ("invalid_label", 15)],
                ),
                file(
                    "current.csv.gz",
                    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
                    12_345,
                    &[],
                ),
            ],
            columns: ColumnMapping {
                score: Some("prob".to_string()),
                score_transform: ScoreTransform::Identity,
                label: Some("is_fraud".to_string()),
                positive_label: Some("1".to_string()),
                timestamp: Some("ts".to_string()),
                segments: vec!["country".to_string()],
                features: vec!["amount".to_string(), "merchant_type".to_string()],
                ..Default::default()
            },
        },
        settings: Settings {
            window: WindowSpec::TwoFiles,
            ..Default::default()
        },
        windows: Windows {
            all: None,
            reference: Some(window(0.0)),
            current: Some(window(0.02)),
        },
        drift: Some(DriftReport {
            columns: vec![
                drift("prob", "score", "wasserstein_norm", 0.04, 0.1),
                drift("amount", "feature", "ks", 0.0004, 0.05),
                drift("merchant_type", "feature", "js_distance", 0.16, 0.1),
                drift("is_fraud", "label", "chi2", 0.31, 0.05),
            ],
        }),
        label_shift: Some(LabelShiftReport {
            prior_reference: Some(0.1),
            prior_current_observed: Some(0.09996),
            prior_current_em: Some(0.1042),
            prior_current_bbse: None,
        }),
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

fn single_window_report() -> Report {
    let mut w = window(0.0);
    w.roc_auc = None;
    w.roc_auc_ci = None;
    w.calibration_slope = None;
    Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: "plumb-web".to_string(),
            version: "0.1.0".to_string(),
        },
        input: Input {
            files: vec![file(
                "scores_2024-06.csv",
                "ab12",
                12_348,
                &[("ragged_row", 1), ("future_reason", 2)],
            )],
            columns: ColumnMapping {
                score: Some("score".to_string()),
                score_transform: ScoreTransform::Percent,
                label: Some("label".to_string()),
                positive_label: Some("yes".to_string()),
                ..Default::default()
            },
        },
        settings: Settings::default(),
        windows: Windows {
            all: Some(w),
            ..Default::default()
        },
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

fn signoff() -> SignOff {
    SignOff {
        reviewer: "Ada Lovelace".to_string(),
        decision: Decision::ApproveWithConditions,
        rationale: "Calibration drifted slightly.\nRecalibrate before the next release.\n\n\
                    Re-run the audit in two weeks."
            .to_string(),
        timestamp: "2024-06-30T12:00:00Z".to_string(),
    }
}

fn check_snapshot(name: &str, actual: &str) {
    let path = format!(
        "{}/tests/fixtures/export/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("PLUMB_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(
        expected == actual,
        "{name} differs from its snapshot; actual:\n{actual}"
    );
}

#[test]
fn two_window_snapshot() {
    let r = two_window_report();
    let mut gates = default_gates(true);
    gates.push(Gate {
        name: "Amount stable".to_string(),
        metric: "drift.amount.psi".to_string(),
        window: GateWindow::Current,
        op: Op::Le,
        limit: 0.25,
    });
    let result = evaluate(&r, &gates);
    let md = markdown_report(&r, Some(&result), Some(&signoff()));
    check_snapshot("two_windows.md", &md);
}

#[test]
fn single_window_snapshot() {
    let r = single_window_report();
    let md = markdown_report(&r, None, None);
    check_snapshot("single_window.md", &md);
}

#[test]
fn content_checks() {
    let r = two_window_report();
    let result = evaluate(&r, &default_gates(true));
    let md = markdown_report(&r, Some(&result), Some(&signoff()));
    // Title: file names and short SHA-256.
    let title = md.lines().next().unwrap();
    assert_eq!(
        title,
        "# Plumb audit: reference\\.csv (sha256 `3fa2c1d0e9b4`) → current\\.csv\\.gz (sha256 \
         `001122334455`)"
    );
    // Verdict: the current window has ECE 0.0323 > 0.02, smooth ECE 0.0342 > 0.03 and an AUC
    // drop of 0.02 > 0.01; the quality gate fails too (no quality section yet). The slope
    // (0.95) and the score PSI (0.032, read through the score role) pass.
    assert!(md.contains("## Verdict: ❌ FAIL — 4 of 7 gates failed\n"));
    assert!(md.contains(
        "| ❌ | Calibration error \\(ECE\\) | ece | current | 0.0323 | ≤ 0.02 | ece \\= \
         0\\.0323 is not \\<\\= 0\\.02 |"
    ));
    assert!(
        md.contains("| ✅ | Score drift \\(PSI\\) | drift\\.score\\.psi | — | 0.0320 | ≤ 0.1 |  |")
    );
    assert!(md.contains("| ❌ | ROC AUC drop | roc\\_auc\\_drop | — | 0.0200 | ≤ 0.01 |"));
    // Drifted columns come first.
    let amount = md.find("| amount |").unwrap();
    let merchant = md.find("| merchant\\_type |").unwrap();
    let prob = md.find("| prob | score |").unwrap();
    assert!(amount < prob && merchant < prob);
    assert!(md.contains("2 of 4 columns drifted"));
    // Row accounting by reason, in words.
    assert!(md.contains("| reference\\.csv | score missing | 40 |"));
    assert!(md.contains("| reference\\.csv | label not one of the two classes | 15 |"));
    // Only aggregates: the example line numbers are not printed.
    assert!(!md.contains("987654321") && !md.contains("987,654,321"));
    // Sign-off.
    assert!(md.contains("- Decision: ⚠️ Approved with conditions\n"));
    assert!(md.contains("> Calibration drifted slightly\\.\\\n> Recalibrate"));
}

#[test]
fn single_window_unknown_reason_and_non_hex_sha() {
    let md = markdown_report(&single_window_report(), None, None);
    assert!(md.contains("| scores\\_2024\\-06\\.csv | future\\_reason | 2 |"));
    assert!(md.contains("| scores\\_2024\\-06\\.csv | wrong number of fields | 1 |"));
    assert!(md.contains("No acceptance gates were evaluated."));
    assert!(!md.contains("## Drift") && !md.contains("## Label shift"));
    // Unsigned: the sign-off section is there and says so, never left out.
    assert!(md.ends_with(
        "## Sign-off\n\n⚠️ No decision recorded: no reviewer has signed off this report.\n"
    ));
}

/// An unconditional approval despite failing gates names each of them in the sign-off; an
/// approval with conditions, a rejection, or an approval when every gate passed does not.
#[test]
fn approval_over_failing_gates_names_them() {
    let r = two_window_report();
    let result = evaluate(&r, &default_gates(true));
    assert_eq!(result.failed(), 4);
    let approve = SignOff {
        decision: Decision::Approve,
        ..signoff()
    };
    let md = markdown_report(&r, Some(&result), Some(&approve));
    let sign = &md[md.find("## Sign-off").unwrap()..];
    assert!(sign.contains("- Decision: ✅ Approved\n"));
    assert!(sign.contains("- ⚠️ Approved although 4 gates failed: "));
    assert!(
        sign.contains("Calibration error \\(ECE\\) \\(current\\) \\= 0\\.0323, limit ≤ 0\\.02")
    );
    assert!(sign.contains("ROC AUC drop"));
    for d in [Decision::ApproveWithConditions, Decision::Reject] {
        let s = SignOff {
            decision: d,
            ..signoff()
        };
        let md = markdown_report(&r, Some(&result), Some(&s));
        assert!(!md.contains("Approved although"), "{d:?}");
    }
    let passing = evaluate(&r, &[]);
    let md = markdown_report(&r, Some(&passing), Some(&approve));
    assert!(!md.contains("Approved although"));
    let md = markdown_report(&r, None, Some(&approve));
    assert!(!md.contains("Approved although"));
}

#[test]
fn empty_report_renders() {
    let r = Report {
        schema: SCHEMA.to_string(),
        generator: Generator {
            name: String::new(),
            version: String::new(),
        },
        input: Input::default(),
        settings: Settings::default(),
        windows: Windows::default(),
        drift: Some(DriftReport::default()),
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
    };
    let result = evaluate(&r, &[]);
    let md = markdown_report(&r, Some(&result), None);
    assert!(md.starts_with("# Plumb audit\n"));
    assert!(md.contains("## Verdict: ✅ PASS — no gates were set"));
    assert!(md.contains("The report has no window with metrics."));
    assert!(md.contains("No columns were compared."));
}

// ---------------------------------------------------------------------------------------------
// Injection

/// Whether `c` at byte `i` of `line` is escaped (preceded by an odd run of backslashes).
fn escaped_at(line: &str, i: usize) -> bool {
    line[..i].chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Unescaped occurrences of `c` in `line`.
fn unescaped(line: &str, c: char) -> usize {
    line.char_indices()
        .filter(|&(i, ch)| ch == c && !escaped_at(line, i))
        .count()
}

/// Undoes [`escape_markdown_inline`] for checking.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn injected_report(payload: &str) -> (Report, SignOff, Vec<Gate>) {
    let mut r = two_window_report();
    let p = payload.to_string();
    r.generator.name = p.clone();
    r.generator.version = p.clone();
    for f in &mut r.input.files {
        f.name = p.clone();
        f.sha256 = p.clone();
        f.rows_excluded.insert(p.clone(), 3);
    }
    let c = &mut r.input.columns;
    c.score = Some(p.clone());
    c.label = Some(p.clone());
    c.positive_label = Some(p.clone());
    c.timestamp = Some(p.clone());
    c.model_version = Some(p.clone());
    c.id = Some(p.clone());
    c.decision = Some(p.clone());
    c.segments = vec![p.clone(), p.clone()];
    c.features = vec![p.clone()];
    r.settings.window = WindowSpec::SplitColumn {
        column: p.clone(),
        reference: p.clone(),
        current: p.clone(),
    };
    if let Some(d) = r.drift.as_mut() {
        for col in &mut d.columns {
            col.name = p.clone();
            col.kind = p.clone();
            col.role = p.clone();
            col.method = p.clone();
        }
    }
    let signoff = SignOff {
        reviewer: p.clone(),
        // An approval: the gates below fail, so their (hostile) names are written once more,
        // in the sign-off's list of the failing gates it overrides.
        decision: Decision::Approve,
        rationale: format!("{p}\n{p}\n\n    {p}"),
        timestamp: p.clone(),
    };
    let gates = vec![
        Gate {
            name: p.clone(),
            metric: format!("drift.{p}"),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.1,
        },
        Gate {
            name: format!("{p} 2"),
            metric: p.clone(),
            window: GateWindow::Current,
            op: Op::Ge,
            limit: 0.0,
        },
    ];
    (r, signoff, gates)
}

/// Checks a rendered document: no unescaped inline markup anywhere, every table row has the
/// header's number of cells, and each block quote line is ours.
fn assert_inert(md: &str, payload: &str) {
    let mut columns: Option<usize> = None;
    for line in md.lines() {
        for c in [
            '<', '[', ']', '`', '*', '_', '~', '&', '$', '@', '!', '{', '}',
        ] {
            assert_eq!(
                unescaped(line, c),
                0,
                "unescaped {c:?} in line {line:?} (payload {payload:?})"
            );
        }
        // Our block quotes: "> text" or a bare ">" between paragraphs.
        let body = if line == ">" {
            ""
        } else {
            line.strip_prefix("> ").unwrap_or(line)
        };
        assert_eq!(
            unescaped(body, '>'),
            0,
            "unescaped '>' in {line:?} (payload {payload:?})"
        );
        if line.starts_with('|') {
            let pipes = unescaped(line, '|');
            match columns {
                None => columns = Some(pipes),
                Some(n) => assert_eq!(n, pipes, "table broken at {line:?} (payload {payload:?})"),
            }
        } else {
            columns = None;
            if !line.is_empty() {
                assert_eq!(unescaped(line, '|'), 0, "stray '|' in {line:?}");
            }
        }
        // Headings are only ours.
        if line.starts_with('#') {
            assert!(
                line.starts_with("# Plumb audit") || line.starts_with("## "),
                "{line:?}"
            );
        }
    }
    // Dangerous sequences of the payload never appear with their first character live.
    for needle in [
        "<script",
        "<img",
        "](",
        "**",
        "<!--",
        "javascript:alert(1))",
    ] {
        if payload.contains(needle) {
            let live = md.match_indices(needle).any(|(i, _)| !escaped_at(md, i));
            assert!(!live, "{needle:?} survived unescaped (payload {payload:?})");
        }
    }
}

#[test]
fn injection_corpus_is_inert_everywhere() {
    for payload in INJECTION {
        let (r, signoff, gates) = injected_report(payload);
        let result = evaluate(&r, &gates);
        let md = markdown_report(&r, Some(&result), Some(&signoff));
        assert_inert(&md, payload);
        // The escaped payload is there, so the text was shown, not dropped.
        let visible = escape_markdown_inline(payload);
        assert!(md.contains(&visible), "{payload:?} not shown");
    }
}

#[test]
fn injection_corpus_escapes_exactly() {
    assert_eq!(
        escape_markdown_inline("[x](javascript:alert(1))"),
        "\\[x\\]\\(javascript:alert\\(1\\)\\)"
    );
    assert_eq!(
        escape_markdown_inline("| broken | table"),
        "\\| broken \\| table"
    );
    assert_eq!(escape_markdown_inline("**bold**"), "\\*\\*bold\\*\\*");
    assert_eq!(escape_markdown_inline("`x`"), "\\`x\\`");
    assert_eq!(
        escape_markdown_inline("<script>alert(1)</script>"),
        "\\<script\\>alert\\(1\\)\\</script\\>"
    );
}

#[test]
fn quote_block_neutralises_block_markup() {
    let q = quote_block("# h\n    code\n> q\n- item\n1. one\n===\n```");
    assert_eq!(
        q,
        "> \\# h\\\n> code\\\n> \\> q\\\n> \\- item\\\n> 1\\. one\\\n> \\=\\=\\=\\\n> \\`\\`\\`\n"
    );
}

#[test]
fn gate_values_shown_with_enough_digits() {
    assert_eq!(format_gate_value(0.0200004, Op::Le, 0.02), "0.0200004");
    assert_eq!(format_gate_value(0.019999, Op::Lt, 0.02), "0.019999");
    assert_eq!(format_gate_value(0.5, Op::Ge, 0.02), "0.5000");
}

proptest! {
    #[test]
    fn escaped_text_has_no_markup_and_unescapes(s in any::<String>()) {
        let e = escape_markdown_inline(&s);
        prop_assert!(!e.contains('\n') && !e.contains('\r'));
        for &c in MARKDOWN_SPECIAL {
            if c != '\\' {
                prop_assert_eq!(unescaped(&e, c), 0);
            }
        }
        // No dangling backslash at the end.
        prop_assert!(!e.ends_with('\\') || escaped_at(&e, e.len() - 1));
        // Apart from line breaks and control characters, the text is preserved.
        let plain: String = s
            .chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => ' ',
                c if c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c) => '\u{FFFD}',
                c => c,
            })
            .collect();
        prop_assert_eq!(unescape(&e), plain);
    }

    #[test]
    fn arbitrary_user_text_never_breaks_the_document(s in "\\PC{0,30}|[<>\\[\\]()|`*_#\\\\\n-]{0,30}") {
        // A hex string is a plausible SHA-256 and is rightly shown in a code span (our own
        // backticks); the property is about text that is not.
        prop_assume!(s.is_empty() || !s.chars().all(|c| c.is_ascii_hexdigit()));
        let (r, signoff, gates) = injected_report(&s);
        let result = evaluate(&r, &gates);
        let md = markdown_report(&r, Some(&result), Some(&signoff));
        let mut columns: Option<usize> = None;
        for line in md.lines() {
            for c in ['<', '[', '`', '*', '_'] {
                prop_assert_eq!(unescaped(line, c), 0, "{:?}", line);
            }
            if line.starts_with('|') {
                let pipes = unescaped(line, '|');
                match columns {
                    None => columns = Some(pipes),
                    Some(n) => prop_assert_eq!(n, pipes, "{:?}", line),
                }
            } else {
                columns = None;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Models section (from the real analysis of `tests/fixtures/logs/models.csv`)

fn d4(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.0001 {
        format!("{v:.2e}")
    } else {
        format!("{v:.4}")
    }
}

fn p_value(v: f64) -> String {
    if v < 0.001 {
        format!("{v:.1e}")
    } else {
        format!("{v:.3}")
    }
}

#[test]
fn models_section_carries_the_reports_numbers() {
    use plumb::core::analysis::{analyze_single, detect_mapping, load_file};
    let path = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = load_file("models.csv", &std::fs::read(path).unwrap()).unwrap();
    let r = analyze_single(&file, &detect_mapping(&file), &Settings::default(), "t").unwrap();
    let m = r.models.as_ref().unwrap();
    let md = markdown_report(&r, None, None);
    let start = md.find("## Models\n").expect("models section");
    let section = &md[start..start + md[start..].find("\n## Settings").unwrap()];
    let e = escape_markdown_inline;
    for x in &m.models {
        let [alo, ahi] = x.roc_auc_ci.unwrap();
        let [plo, phi] = x.average_precision_ci.unwrap();
        let row = format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            e(&x.column),
            x.role,
            e(&format!(
                "{} [{}, {}]",
                d4(x.roc_auc.unwrap()),
                d4(alo),
                d4(ahi)
            )),
            e(&format!(
                "{} [{}, {}]",
                d4(x.average_precision.unwrap()),
                d4(plo),
                d4(phi)
            )),
            e(&d4(x.ece.unwrap())),
            e(&d4(x.brier_score.unwrap())),
            e(&d4(x.log_loss.unwrap())),
        );
        assert!(section.contains(&row), "missing {row}\nin {section}");
    }
    let c = &m.comparisons[0];
    for (metric, t) in [
        ("AUC", c.auc.as_ref().unwrap()),
        ("ECE", c.ece.as_ref().unwrap()),
        ("Brier", c.brier_score.as_ref().unwrap()),
    ] {
        let [lo, hi] = t.ci.unwrap();
        let tail = format!(
            "| {} | {} | {} |",
            e(&d4(t.difference)),
            e(&format!("[{}, {}]", d4(lo), d4(hi))),
            e(&t.p_value.map_or("—".to_string(), p_value)),
        );
        let line = section
            .lines()
            .find(|l| {
                l.starts_with(&format!(
                    "| {} vs {} | {metric} |",
                    e(&c.challenger),
                    e(&c.champion)
                ))
            })
            .unwrap_or_else(|| panic!("no {metric} row in {section}"));
        assert!(line.ends_with(&tail), "{line} does not end with {tail}");
    }
    // Without challengers, no section.
    let mut none = r.clone();
    none.models = None;
    assert!(!markdown_report(&none, None, None).contains("## Models"));
}
