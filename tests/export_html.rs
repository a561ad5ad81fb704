//! Tests for `core::export::html`: structure (each section present exactly when its data is),
//! the inline SVG charts (present, well-formed, drawn from the report), determinism, only
//! aggregates, and an XSS corpus placed in column names, file names, category values, gate
//! names and reviewer text, both through the real analysis of the fixture logs and by hand in
//! every string field of a report. A document passes only if it is well-formed XML, contains no
//! `<script`, no `onerror=`, no `<!--`, only allow-listed elements, and only `#fragment` links.
//!
//! Set `PLUMB_HTML_OUT=/some/dir` to also write the rendered reports there (to look at them in a
//! browser; the test suite itself never starts one).

mod common;
use common::{HTML_REPORT_ELEMENTS, check_xml};

use plumb::core::analysis::{self, LoadedFile, Request};
use plumb::core::export::html::{CSP, escape_html, html_report};
use plumb::core::export::{Decision, SignOff};
use plumb::core::gates::{Gate, GateWindow, Op, default_gates, evaluate};
use plumb::core::quality::Status;
use plumb::core::report::{Report, Settings, WindowSpec};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</style><script>alert(1)</script>",
    "<!-- comment",
    "{{x}}",
    "&amp; &lt;b&gt; &#x3C;script&#x3E;",
    "`backtick` = equals",
    "\u{202E}reversed\u{202C} nul\u{0} del\u{7F}",
    "line\nbreak\r\nand\ttab",
];

// ---------------------------------------------------------------------------------------------
// Reports from the fixture logs

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap()
}

fn load(name: &str, bytes: &[u8]) -> LoadedFile {
    analysis::load_file(name, bytes).unwrap()
}

/// The report of one fixture log, analysed once per test binary.
fn single_report(name: &str) -> Report {
    static CACHE: OnceLock<Mutex<HashMap<String, Report>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap();
    map.entry(name.to_string())
        .or_insert_with(|| analyse_single(name))
        .clone()
}

fn analyse_single(name: &str) -> Report {
    let file = load(name, &fixture(name));
    let mapping = analysis::detect_mapping(&file);
    analysis::analyze_single(&file, &mapping, &Settings::default(), "test").unwrap()
}

/// reference.csv against current.csv, analysed once per test binary.
fn two_file_report() -> Report {
    static CACHE: OnceLock<Report> = OnceLock::new();
    CACHE.get_or_init(analyse_two_files).clone()
}

fn analyse_two_files() -> Report {
    let reference = load("reference.csv", &fixture("reference.csv"));
    let current = load("current.csv", &fixture("current.csv"));
    let mapping = analysis::detect_mapping(&reference);
    analysis::analyze(
        &Request {
            reference: &reference,
            current: Some(&current),
            mapping: &mapping,
            settings: &Settings::default(),
            window: WindowSpec::TwoFiles,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap()
}

fn signoff(text: &str) -> SignOff {
    SignOff {
        reviewer: format!("Ada Lovelace {text}"),
        decision: Decision::ApproveWithConditions,
        rationale: format!("Calibration drifted slightly.\n{text}\n\nRe-run in two weeks."),
        timestamp: "2026-02-01T12:00:00Z".to_string(),
    }
}

fn write_out(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("PLUMB_HTML_OUT") {
        let path = std::path::Path::new(&dir).join(name);
        std::fs::write(path, html).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// Well-formedness: `common::check_xml`; start tags

/// Every start tag as (name, attributes), in document order. Assumes a well-formed document.
fn start_tags(s: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        let end = rest[i..].find('>').unwrap() + i;
        let tag = &rest[i + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('/') || tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let body = tag.trim_end_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
        let mut attrs = Vec::new();
        let mut r = body[name.len()..].trim_start();
        while let Some(eq) = r.find('=') {
            let an = r[..eq].trim().to_string();
            let after = r[eq + 1..].trim_start();
            let q = after.chars().next().unwrap();
            let close = after[1..].find(q).unwrap() + 1;
            attrs.push((an, after[1..close].to_string()));
            r = after[close + 1..].trim_start();
        }
        out.push((name, attrs));
    }
    out
}

/// The inline `<svg …>…</svg>` documents, in order.
fn svgs(doc: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find("<svg ") {
        let end = rest[i..].find("</svg>").unwrap() + i + "</svg>".len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// The trimmed text content of every `<text>` element of an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let open_end = rest[i..].find('>').unwrap() + i + 1;
        let close = rest[open_end..].find("</text>").unwrap() + open_end;
        out.push(rest[open_end..close].trim().to_string());
        rest = &rest[close..];
    }
    out
}

/// The content of the element with `id="…"` up to its `</section>`.
fn section<'a>(doc: &'a str, id: &str) -> Option<&'a str> {
    let start = doc.find(&format!("id=\"{id}\""))?;
    let end = doc[start..]
        .find("</section>")
        .map_or(doc.len(), |e| e + start);
    Some(&doc[start..end])
}

/// Everything a safe report must satisfy, whatever the input.
fn assert_safe(doc: &str, context: &str) {
    if let Err(e) = check_xml(doc) {
        panic!("not well-formed ({context}): {e}");
    }
    let lower = doc.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "<script ({context})");
    assert!(!lower.contains("onerror="), "onerror= ({context})");
    assert!(!lower.contains("onload="), "onload= ({context})");
    assert!(!lower.contains("<!--"), "comment ({context})");
    assert!(!lower.contains("<img"), "<img ({context})");
    assert_eq!(lower.matches("<style").count(), 1, "one style ({context})");
    assert_eq!(
        lower.matches("</style>").count(),
        1,
        "one /style ({context})"
    );
    assert!(!lower.contains("url("), "url( ({context})");
    assert!(!lower.contains("@import"), "@import ({context})");
    assert!(
        !lower.contains("http://") || lower.matches("http://").count() == svgs(doc).len(),
        "external URL ({context})"
    );
    assert!(!lower.contains("https://"), "external URL ({context})");
    for (name, attrs) in start_tags(doc) {
        assert!(
            HTML_REPORT_ELEMENTS.contains(&name.as_str()),
            "element <{name}> ({context})"
        );
        for (a, v) in attrs {
            let a = a.to_ascii_lowercase();
            assert!(!a.starts_with("on"), "event handler {a} ({context})");
            assert!(a != "src" && a != "srcdoc", "{a} ({context})");
            // URL-bearing attributes: only in-document links.
            if matches!(
                a.as_str(),
                "href" | "xlink:href" | "action" | "formaction" | "data"
            ) {
                assert!(v.starts_with('#'), "link {v:?} ({context})");
            }
            if a == "xmlns" {
                assert_eq!(v, "http://www.w3.org/2000/svg");
            }
            if a == "style" {
                assert!(!v.to_ascii_lowercase().contains("url("), "{v:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structure

const ALL_SECTIONS: &[&str] = &[
    "verdict",
    "summary",
    "gates",
    "metrics",
    "charts",
    "threshold",
    "rows",
    "quality",
    "drift",
    "label-shift",
    "settings",
    "signoff",
    "inputs",
];

fn has_section(doc: &str, id: &str) -> bool {
    doc.contains(&format!("id=\"{id}\""))
}

#[test]
fn two_file_report_has_every_section() {
    let r = two_file_report();
    let gates = evaluate(&r, &default_gates(true));
    let doc = html_report(&r, Some(&gates), Some(&signoff("Second line")));
    write_out("two_files.html", &doc);
    assert_safe(&doc, "two files");
    for id in ALL_SECTIONS {
        assert!(has_section(&doc, id), "section {id} missing");
    }
    assert!(
        doc.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />")
    );
    assert!(doc.contains(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        escape_html(CSP)
    )));
    assert_eq!(
        CSP,
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    );
    assert!(doc.contains("<title>Plumb audit: reference.csv → current.csv</title>"));
    // Both windows and the difference in the metrics table.
    let metrics = section(&doc, "metrics").unwrap();
    assert!(metrics.contains(">Reference</th>") && metrics.contains(">Current</th>"));
    assert!(metrics.contains("Δ current − reference"));
    // The verdict in the header matches the gate report.
    let verdict = gates.verdict.key();
    assert!(doc.contains(&format!(
        "<header class=\"top verdict-{verdict}\" id=\"verdict\">"
    )));
    let gate_rows = section(&doc, "gates")
        .unwrap()
        .matches("<tr class=")
        .count();
    assert_eq!(gate_rows, gates.gates.len());
    // Every gate appears with its badge.
    let gsec = section(&doc, "gates").unwrap();
    for g in &gates.gates {
        assert!(gsec.contains(&format!("<td>{}</td>", escape_html(&g.name))));
    }
    assert_eq!(
        gsec.matches("badge fail").count(),
        gates.failed(),
        "one FAIL badge per failed gate"
    );
    // Sign-off block.
    let s = section(&doc, "signoff").unwrap();
    assert!(s.contains("Approved with conditions"));
    assert!(s.contains("<dd>Ada Lovelace Second line</dd>"));
    assert!(s.contains("<dd>2026-02-01T12:00:00Z</dd>"));
    assert!(s.contains("<p>Calibration drifted slightly.<br />\nSecond line</p>"));
    assert!(s.contains("<p>Re-run in two weeks.</p>"));
}

#[test]
fn single_log_without_gates_leaves_out_what_it_lacks() {
    let r = single_report("basic.csv");
    assert!(r.drift.is_none() && r.label_shift.is_none());
    let doc = html_report(&r, None, None);
    write_out("basic.html", &doc);
    assert_safe(&doc, "basic");
    for id in [
        "verdict",
        "summary",
        "metrics",
        "charts",
        "threshold",
        "rows",
        "quality",
        "settings",
        "inputs",
    ] {
        assert!(has_section(&doc, id), "section {id} missing");
    }
    for id in ["gates", "drift", "label-shift"] {
        assert!(!has_section(&doc, id), "section {id} present without data");
    }
    // Unsigned: the header and the sign-off section say so (never left out).
    assert!(doc.contains("<span class=\"chip warn\">Sign-off: no decision recorded</span>"));
    let s = section(&doc, "signoff").unwrap();
    assert!(s.contains(
        "<p class=\"unsigned\">No decision recorded: no reviewer has signed off this report.</p>"
    ));
    assert!(!s.contains("<dt>Reviewer</dt>"));
    assert!(doc.contains("verdict-none"));
    assert!(doc.contains("No acceptance gates were evaluated."));
    let metrics = section(&doc, "metrics").unwrap();
    assert!(metrics.contains(">All rows</th>"));
    assert!(!metrics.contains("Δ current − reference"));
}

#[test]
fn empty_report_renders_safely() {
    let r = Report {
        schema: plumb::core::report::SCHEMA.to_string(),
        generator: plumb::core::report::Generator {
            name: String::new(),
            version: String::new(),
        },
        input: Default::default(),
        settings: Settings::default(),
        windows: Default::default(),
        drift: Some(Default::default()),
        label_shift: None,
        quality: Some(Default::default()),
        ..Default::default()
    };
    let gates = evaluate(&r, &[]);
    let doc = html_report(&r, Some(&gates), None);
    assert_safe(&doc, "empty");
    assert!(doc.contains("<title>Plumb audit</title>"));
    assert!(doc.contains("The report has no window with metrics."));
    assert!(doc.contains("No columns were compared."));
    assert!(doc.contains("No checks were run."));
    assert!(doc.contains("No gates were set."));
    assert!(svgs(&doc).is_empty());
    for id in ["summary", "charts", "threshold", "rows", "inputs"] {
        assert!(!has_section(&doc, id), "section {id} present without data");
    }
}

#[test]
fn degenerate_logs_render_safely() {
    for name in [
        "one_class.csv",
        "single_row.csv",
        "constant.csv",
        "extremes.csv",
        "ties.csv",
    ] {
        let r = single_report(name);
        let gates = evaluate(&r, &default_gates(false));
        let doc = html_report(&r, Some(&gates), None);
        assert_safe(&doc, name);
        assert_eq!(svgs(&doc).len(), charts_expected(&r), "{name}");
    }
}

#[test]
fn metric_labels_formulas_and_references_are_shown() {
    let doc = html_report(&two_file_report(), None, None);
    let metrics = section(&doc, "metrics").unwrap();
    for (i, m) in plumb::core::catalog::METRICS.iter().enumerate() {
        let title = format!(
            "title=\"{} — {}\"",
            escape_html(m.formula),
            escape_html(m.reference)
        );
        assert!(metrics.contains(&title), "{} has no formula title", m.key);
        assert!(metrics.contains(&format!(
            "{} <sup><a href=\"#fn-{}\">{}</a></sup>",
            escape_html(m.label),
            m.key,
            i + 1
        )));
        assert!(metrics.contains(&format!(
            "<li id=\"fn-{}\"><b>{}</b>: {}.",
            m.key,
            escape_html(m.label),
            escape_html(m.formula)
        )));
    }
    // The values are the catalogue's formatting of the report's numbers.
    let r = two_file_report();
    let cur = r.windows.current.as_ref().unwrap();
    let auc =
        plumb::core::catalog::format_value(plumb::core::catalog::Format::Decimal, cur.roc_auc);
    assert!(metrics.contains(&format!("<td class=\"num\">{auc}</td>")));
}

#[test]
fn quality_checks_have_badges_and_worst_first() {
    let r = two_file_report();
    let q = r.quality.as_ref().unwrap();
    let doc = html_report(&r, None, None);
    let sec = section(&doc, "quality").unwrap();
    assert_eq!(sec.matches("<tr class=\"q-").count(), q.checks.len());
    for status in [Status::Pass, Status::Warn, Status::Fail, Status::Skip] {
        let n = q.checks.iter().filter(|c| c.status == status).count();
        let badge = format!("<span class=\"badge {}\">", status.key());
        assert_eq!(sec.matches(&badge).count(), n, "{}", status.key());
    }
    // Row classes appear in severity order.
    let order: Vec<usize> = sec
        .match_indices("<tr class=\"q-")
        .map(|(i, _)| {
            let s = &sec[i + 13..];
            ["fail", "warn", "pass", "skip"]
                .iter()
                .position(|k| s.starts_with(k))
                .unwrap()
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
}

#[test]
fn drift_table_lists_drifted_columns_first() {
    let mut r = two_file_report();
    let drift = r.drift.as_mut().unwrap();
    assert!(drift.columns.len() >= 3);
    // Make sure both kinds exist: mark the last column drifted, the first not.
    let last = drift.columns.len() - 1;
    drift.columns[last].drifted = true;
    drift.columns[0].drifted = false;
    let expected: Vec<String> = drift
        .columns
        .iter()
        .filter(|c| c.drifted)
        .chain(drift.columns.iter().filter(|c| !c.drifted))
        .map(|c| escape_html(&c.name))
        .collect();
    let doc = html_report(&r, None, None);
    let sec = section(&doc, "drift").unwrap();
    let mut at = 0;
    for name in &expected {
        let needle = format!("<td class=\"name\">{name}</td>");
        let i = sec[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("{name} out of order"));
        at += i + needle.len();
    }
    let drifted = r
        .drift
        .as_ref()
        .unwrap()
        .columns
        .iter()
        .filter(|c| c.drifted)
        .count();
    assert_eq!(sec.matches(">DRIFT</span>").count(), drifted);
    assert!(sec.contains(&format!("{drifted} of {} columns drifted", expected.len())));
}

#[test]
fn label_shift_rows_and_inputs_with_sha256() {
    let r = two_file_report();
    let doc = html_report(&r, None, None);
    let ls = section(&doc, "label-shift").unwrap();
    let l = r.label_shift.as_ref().unwrap();
    let pct = |v| plumb::core::catalog::format_value(plumb::core::catalog::Format::Percent, v);
    assert!(ls.contains(&format!(
        "Reference, observed</th><td class=\"num\">{}</td>",
        pct(l.prior_reference)
    )));
    assert!(ls.contains(&format!(
        "Current, EM estimate from scores (Saerens et al. 2002)</th><td class=\"num\">{}</td>",
        pct(l.prior_current_em)
    )));
    let inputs = section(&doc, "inputs").unwrap();
    for f in &r.input.files {
        assert_eq!(f.sha256.len(), 64);
        assert!(inputs.contains(&format!("<code class=\"sha\">{}</code>", f.sha256)));
    }
}

// ---------------------------------------------------------------------------------------------
// Charts

/// Reliability, ROC and PR once, plus one threshold chart per window with a sweep.
fn charts_expected(r: &Report) -> usize {
    let windows = [&r.windows.all, &r.windows.reference, &r.windows.current];
    let present: Vec<_> = windows.iter().filter_map(|w| w.as_ref()).collect();
    if present.is_empty() {
        return 0;
    }
    3 + present.iter().filter(|w| !w.sweep.is_empty()).count()
}

#[test]
fn charts_are_inline_svg_and_well_formed() {
    let r = two_file_report();
    let doc = html_report(&r, None, None);
    let charts = svgs(&doc);
    assert_eq!(charts.len(), 5);
    assert_eq!(charts.len(), charts_expected(&r));
    for svg in &charts {
        check_xml(svg).unwrap();
        assert!(svg.contains("role=\"img\" aria-label=\""));
        assert!(svg.contains("viewBox=\"0 0 "));
    }
    // The overlay names both windows; the ROC legend gives each AUC.
    let texts: Vec<Vec<String>> = charts.iter().map(|s| svg_texts(s)).collect();
    assert!(texts[0].iter().any(|t| t == "Reference") && texts[0].iter().any(|t| t == "Current"));
    let auc = |w: &plumb::core::report::WindowReport| format!("{:.3}", w.roc_auc.unwrap());
    let (re, cu) = (
        r.windows.reference.as_ref().unwrap(),
        r.windows.current.as_ref().unwrap(),
    );
    assert!(
        charts[1].contains(&auc(re)) && charts[1].contains(&auc(cu)),
        "ROC legend"
    );
    // Threshold charts: the configured threshold and every optimal threshold are marked.
    for (svg, w) in charts[3..].iter().zip([re, cu]) {
        let texts = svg_texts(svg);
        assert!(texts.iter().any(|t| t == "t = 0.50"));
        for name in ["Precision", "Recall", "F1"] {
            assert!(texts.iter().any(|t| t == name), "{name} legend");
        }
        for o in &w.optimal_thresholds {
            if let Some(t) = o.threshold {
                let name = match o.rule.as_str() {
                    "max_f1" => "max F1",
                    "max_youden" => "max Youden J",
                    "min_expected_cost" => "min cost",
                    other => panic!("unknown rule {other}"),
                };
                let label = format!("{name} {t:.2}");
                assert!(texts.contains(&label), "{label} marker");
            }
        }
    }
    // The single-window report has four charts.
    let single = html_report(&single_report("basic.csv"), None, None);
    assert_eq!(svgs(&single).len(), 4);
}

// ---------------------------------------------------------------------------------------------
// Determinism and aggregates only

#[test]
fn output_is_deterministic() {
    let r = two_file_report();
    let gates = evaluate(&r, &default_gates(true));
    let s = signoff("x");
    let a = html_report(&r, Some(&gates), Some(&s));
    let b = html_report(&r, Some(&gates), Some(&s));
    assert_eq!(a, b);
    // And from a fresh analysis of the same bytes.
    let c = html_report(&analyse_two_files(), Some(&gates), Some(&s));
    assert_eq!(a, c);
}

#[test]
fn only_aggregates_appear() {
    let mut r = two_file_report();
    // Sentinel line numbers and row indices: never printed.
    for f in &mut r.input.files {
        f.excluded_examples
            .insert("missing_score".to_string(), vec![987_654_321]);
    }
    if let Some(q) = r.quality.as_mut() {
        for c in &mut q.checks {
            c.rows = vec![987_654_321];
        }
    }
    let doc = html_report(&r, None, None);
    assert!(!doc.contains("987654321") && !doc.contains("987,654,321"));
    // Raw cells of the logs (timestamps, scores, feature values) do not appear.
    for raw in [
        "2026-01-01T00:07:00Z",
        "0.839861",
        "0.062886",
        "-0.59154",
        "6.73409",
    ] {
        assert!(!doc.contains(raw), "raw value {raw} in the report");
    }
}

// ---------------------------------------------------------------------------------------------
// XSS corpus

/// The corpus without NUL, which the reader refuses in a header as binary data.
fn corpus(i: usize) -> String {
    XSS[i % XSS.len()].replace('\0', "")
}

/// The fixture CSV with hostile column names and category values, written with proper CSV
/// quoting: `x1`, `x2` and `segment` are renamed to corpus entries 0, 1, 2; the `country`
/// values FR, DE and any other become entries 3, 4, 5; the `segment` values web and app
/// become entries 6 and 7.
fn hostile_csv(name: &str) -> Vec<u8> {
    let bytes = fixture(name);
    let mut reader = csv::Reader::from_reader(&bytes[..]);
    let original: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let headers: Vec<String> = original
        .iter()
        .map(|h| match h.as_str() {
            "x1" => corpus(0),
            "x2" => corpus(1),
            "segment" => corpus(2),
            other => other.to_string(),
        })
        .collect();
    let col = |n: &str| original.iter().position(|h| h == n).unwrap();
    let (country, segment) = (col("country"), col("segment"));
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&headers).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, v)| match (i, v) {
                (i, "FR") if i == country => corpus(3),
                (i, "DE") if i == country => corpus(4),
                (i, _) if i == country => corpus(5),
                (i, "web") if i == segment => corpus(6),
                (i, "app") if i == segment => corpus(7),
                _ => v.to_string(),
            })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.into_inner().unwrap()
}

fn hostile_gates(payload: &str) -> Vec<Gate> {
    vec![
        Gate {
            name: payload.to_string(),
            metric: format!("drift.{payload}"),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.1,
        },
        Gate {
            name: format!("{payload} ECE"),
            metric: "ece".to_string(),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.5,
        },
        Gate {
            name: format!("{payload} unknown"),
            metric: payload.to_string(),
            window: GateWindow::Current,
            op: Op::Ge,
            limit: 0.0,
        },
    ]
}

/// Whether the escaped payload is visible (the text was shown, not dropped).
fn shown(doc: &str, payload: &str) -> bool {
    // Line breaks may be rendered as <br /> in multi-line text; check the first line.
    let first = payload.lines().next().unwrap_or("");
    doc.contains(&escape_html(first))
}

#[test]
fn xss_through_the_real_analysis() {
    // File names carry entries 8, 9 and 10; gates and the reviewer carry the whole corpus.
    let reference = load(&format!("{}.csv", corpus(8)), &hostile_csv("reference.csv"));
    let current = load(&format!("{}.csv", corpus(9)), &hostile_csv("current.csv"));
    let names = reference.column_names();
    for i in 0..3 {
        assert!(names.contains(&corpus(i)), "column {i} not renamed");
    }
    let mapping = analysis::detect_mapping(&reference);
    let every = (0..XSS.len()).map(corpus).collect::<Vec<_>>().join(" ");
    let mut gates = Vec::new();
    for p in (0..XSS.len()).map(corpus) {
        gates.extend(hostile_gates(&p));
    }
    let two = analysis::analyze(
        &Request {
            reference: &reference,
            current: Some(&current),
            mapping: &mapping,
            settings: &Settings::default(),
            window: WindowSpec::TwoFiles,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap();
    let drift = two.drift.as_ref().unwrap();
    assert!(
        drift.columns.iter().any(|c| c.name == corpus(0)),
        "x1 not compared"
    );
    let result = evaluate(&two, &gates);
    let doc = html_report(&two, Some(&result), Some(&signoff(&every)));
    write_out("hostile.html", &doc);
    assert_safe(&doc, "two hostile files");
    for i in 0..XSS.len() {
        assert!(shown(&doc, &corpus(i)), "entry {i} not shown");
    }

    // A split by the hostile category values themselves.
    let split = analysis::analyze(
        &Request {
            reference: &current,
            current: None,
            mapping: &mapping,
            settings: &Settings::default(),
            window: WindowSpec::SplitColumn {
                column: "country".to_string(),
                reference: corpus(3),
                current: corpus(4),
            },
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap();
    let doc = html_report(&split, None, Some(&signoff(&every)));
    assert_safe(&doc, "split by hostile values");
    for i in [3, 4, 9] {
        assert!(shown(&doc, &corpus(i)), "entry {i} not shown (split)");
    }
}

/// Puts `p` into every string field of a report by hand.
fn injected(mut r: Report, p: &str) -> Report {
    let p = p.to_string();
    r.schema = p.clone();
    r.generator.name = p.clone();
    r.generator.version = p.clone();
    for f in &mut r.input.files {
        f.name = p.clone();
        f.sha256 = p.clone();
        f.dialect.delimiter = p.clone();
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
    r.settings.window = WindowSpec::SplitAt {
        timestamp: p.clone(),
    };
    if let Some(d) = r.drift.as_mut() {
        for col in &mut d.columns {
            col.name = p.clone();
            col.kind = p.clone();
            col.role = p.clone();
            col.method = p.clone();
        }
    }
    if let Some(q) = r.quality.as_mut() {
        for check in &mut q.checks {
            check.id = p.clone();
            check.title = p.clone();
            check.detail = p.clone();
        }
    }
    for w in [
        &mut r.windows.all,
        &mut r.windows.reference,
        &mut r.windows.current,
    ]
    .into_iter()
    .flatten()
    {
        for o in &mut w.optimal_thresholds {
            o.rule = p.clone();
        }
    }
    r
}

#[test]
fn xss_in_every_string_field() {
    for payload in XSS {
        for base in [two_file_report(), single_report("basic.csv")] {
            let r = injected(base, payload);
            let gates = evaluate(&r, &hostile_gates(payload));
            let doc = html_report(&r, Some(&gates), Some(&signoff(payload)));
            assert_safe(&doc, &format!("by hand, {payload:?}"));
            assert!(shown(&doc, payload), "{payload:?} not shown");
        }
        // SplitColumn carries category values.
        let mut r = single_report("basic.csv");
        r.settings.window = WindowSpec::SplitColumn {
            column: payload.to_string(),
            reference: payload.to_string(),
            current: payload.to_string(),
        };
        let doc = html_report(&r, None, None);
        assert_safe(&doc, &format!("split column, {payload:?}"));
    }
}

#[test]
fn escaping_is_exact_for_the_corpus() {
    assert_eq!(
        escape_html("<script>alert(1)</script>"),
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    );
    assert_eq!(
        escape_html("\"><img src=x onerror=alert(1)>"),
        "&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;"
    );
    assert_eq!(escape_html("javascript:alert(1)"), "javascript:alert(1)");
    assert_eq!(escape_html("</style>"), "&lt;/style&gt;");
    assert_eq!(escape_html("<!--"), "&lt;!--");
    assert_eq!(escape_html("{{x}}"), "{{x}}");
    assert_eq!(escape_html("it's"), "it&#39;s");
}

#[test]
fn well_formedness_checker_rejects_bad_documents() {
    assert!(check_xml("<html><p>a < b</p></html>").is_err());
    assert!(check_xml("<html><p>a &foo; b</p></html>").is_err());
    assert!(check_xml("<html><p></html>").is_err());
    assert!(check_xml("<html x=1></html>").is_err());
    assert!(check_xml("<html><!-- c --></html>").is_err());
    assert!(check_xml("<!DOCTYPE html>\n<html><p>&lt;ok&gt; &#39;</p></html>").is_ok());
}

/// Undoes [`escape_html`] (for the property below).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#61;", "=")
        .replace("&#96;", "`")
        .replace("&amp;", "&")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn escape_is_inert_and_reversible(s in "\\PC*") {
        let e = escape_html(&s);
        for c in ['<', '>', '"', '\'', '=', '`'] {
            prop_assert!(!e.contains(c));
        }
        // Every '&' starts one of our entities.
        for (i, _) in e.match_indices('&') {
            let rest = &e[i..];
            prop_assert!(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#61;", "&#96;"]
                .iter()
                .any(|ent| rest.starts_with(ent)));
        }
        // Printable text (no controls, "\PC") round-trips, bidi overrides aside.
        let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFE}' | '\u{FFFF}');
        if !s.chars().any(bidi) {
            prop_assert_eq!(unescape(&e), s);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_strings_give_a_safe_document(s in any::<String>(), t in "[<>&\"'=`a-z!/ -]{0,24}") {
        let base = single_report("basic.csv");
        let payload = format!("{s}{t}");
        let r = injected(base, &payload);
        let gates = evaluate(&r, &hostile_gates(&payload));
        let doc = html_report(&r, Some(&gates), Some(&signoff(&payload)));
        assert_safe(&doc, "proptest");
        let ids: HashSet<&str> = ALL_SECTIONS.iter().copied().collect();
        prop_assert!(ids.iter().filter(|id| has_section(&doc, id)).count() >= 9);
    }
}

// ---------------------------------------------------------------------------------------------
// Models section

/// 4 decimals as the report prints them (`catalog` Decimal format for values ≥ 1e-4).
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
fn models_section_carries_the_reports_numbers_and_charts() {
    let r = single_report("models.csv");
    let m = r.models.as_ref().unwrap();
    let doc = html_report(&r, None, None);
    assert_safe(&doc, "models");
    write_out("models.html", &doc);
    let s = section(&doc, "models").expect("models section");
    // One row per model: name, role, chart name, AUC [CI], AP [CI], ECE, Brier, log loss.
    for (i, x) in m.models.iter().enumerate() {
        let [alo, ahi] = x.roc_auc_ci.unwrap();
        let [plo, phi] = x.average_precision_ci.unwrap();
        let chart = if i == 0 {
            "Champion".to_string()
        } else {
            format!("Challenger {i}")
        };
        let row = format!(
            "<tr class=\"model-row\"><th scope=\"row\">{}</th><td>{}</td><td>{chart}</td>\
             <td class=\"num\">{} [{}, {}]</td><td class=\"num\">{} [{}, {}]</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape_html(&x.column),
            x.role,
            d4(x.roc_auc.unwrap()),
            d4(alo),
            d4(ahi),
            d4(x.average_precision.unwrap()),
            d4(plo),
            d4(phi),
            d4(x.ece.unwrap()),
            d4(x.brier_score.unwrap()),
            d4(x.log_loss.unwrap()),
        );
        assert!(s.contains(&row), "missing {row}\nin {s}");
    }
    // Paired tests: DeLong for the AUC, paired bootstrap for ECE and Brier.
    let c = &m.comparisons[0];
    for (metric, t, method) in [
        (
            "AUC",
            c.auc.as_ref().unwrap(),
            "DeLong (paired)".to_string(),
        ),
        (
            "ECE",
            c.ece.as_ref().unwrap(),
            format!(
                "paired bootstrap, {} resamples",
                c.ece.as_ref().unwrap().resamples.unwrap()
            ),
        ),
        (
            "Brier",
            c.brier_score.as_ref().unwrap(),
            format!(
                "paired bootstrap, {} resamples",
                c.brier_score.as_ref().unwrap().resamples.unwrap()
            ),
        ),
    ] {
        let [lo, hi] = t.ci.unwrap();
        let row = format!(
            "<tr class=\"model-test\"><th scope=\"row\">{} vs {}</th><td>{metric}</td>\
             <td class=\"num\">{method}</td><td class=\"num\">{}</td>\
             <td class=\"num\">[{}, {}]</td><td class=\"num\">{}</td></tr>",
            escape_html(&c.challenger),
            escape_html(&c.champion),
            d4(t.difference),
            d4(lo),
            d4(hi),
            t.p_value.map_or("—".to_string(), p_value),
        );
        assert!(s.contains(&row), "missing {row}\nin {s}");
    }
    // Two overlaid charts (reliability, ROC), legends with the fixed model names.
    let charts = svgs(s);
    assert_eq!(charts.len(), 2);
    for svg in &charts {
        let texts = svg_texts(svg);
        assert!(texts.iter().any(|t| t.contains("Champion")), "{texts:?}");
        assert!(
            texts.iter().any(|t| t.contains("Challenger 1")),
            "{texts:?}"
        );
    }
    // No challengers, no section.
    let mut none = r.clone();
    none.models = None;
    assert!(section(&html_report(&none, None, None), "models").is_none());
    assert!(
        section(
            &html_report(&single_report("basic.csv"), None, None),
            "models"
        )
        .is_none()
    );
}

/// An unconditional approval despite failing gates names each of them (escaped) in the sign-off
/// section; an approval with conditions, a rejection, or an approval without failures does not.
#[test]
fn approval_over_failing_gates_names_them() {
    let r = two_file_report();
    let mut gates = default_gates(true);
    gates[0].name = "<b>ECE</b> & co".to_string();
    let result = evaluate(&r, &gates);
    let failed: Vec<_> = result.gates.iter().filter(|g| !g.passed).collect();
    assert!(!failed.is_empty(), "the fixture pair fails a default gate");
    let approve = SignOff {
        decision: Decision::Approve,
        ..signoff("x")
    };
    let doc = html_report(&r, Some(&result), Some(&approve));
    assert_safe(&doc, "approval over failing gates");
    let s = section(&doc, "signoff").unwrap();
    let n = failed.len();
    assert!(s.contains(&format!(
        "<span class=\"badge warn\">WARNING</span> Approved although {n} gate{} failed: ",
        if n == 1 { "" } else { "s" }
    )));
    for g in &failed {
        assert!(s.contains(&escape_html(&plumb::core::export::describe_failed_gate(g))));
    }
    assert!(
        !result.gates[0].passed,
        "the current window's ECE fails its default gate"
    );
    assert!(
        s.contains("&lt;b&gt;ECE&lt;/b&gt; &amp; co (current) &#61; 0.1116, limit ≤ 0.02; "),
        "{s}"
    );
    for d in [Decision::ApproveWithConditions, Decision::Reject] {
        let other = SignOff {
            decision: d,
            ..signoff("x")
        };
        let doc = html_report(&r, Some(&result), Some(&other));
        assert!(!doc.contains("Approved although"), "{d:?}");
    }
    let passing = evaluate(&r, &[]);
    let doc = html_report(&r, Some(&passing), Some(&approve));
    assert!(!doc.contains("Approved although"));
}
