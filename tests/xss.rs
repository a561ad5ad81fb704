//! The committed XSS corpus (`tests/fixtures/xss/payloads.txt`) end to end through the native
//! pipeline: the fixture logs made from it (`tests/fixtures/xss/make_xss_logs.py`; payloads as
//! column names, segment and category values and model versions) are analysed, and the
//! Markdown summary, the HTML report and the SVG distribution charts are checked to carry every
//! payload as inert text:
//!
//! - **Markdown**: every table row has exactly as many unescaped `|` cell separators as its
//!   header (a payload cannot add a cell), no line has an unescaped `<`, `[`, `]`, `!`, `` ` ``
//!   or `*` outside the report's own markup, and unescaping the row gives back the payload.
//! - **HTML**: no payload appears raw when it contains `<`, `>` or `&`; its HTML-escaped form is
//!   present; no tag outside the report's own vocabulary.
//! - **SVG**: every chart is a tree of allow-listed elements with quoted attributes and no raw
//!   `<` or `&` in text, and the `<text>` contents, unescaped, are the payloads (or a prefix cut
//!   with an ellipsis).
//!
//! The browser side of the same corpus (the app's DOM, exports parsed by Chromium and rendered
//! by markdown-it) is `tests/e2e/xss.test.mjs`.

mod common;
use common::HTML_REPORT_ELEMENTS;
use plumb::core::analysis::{self, LoadedFile, Request};
use plumb::core::export::html::html_report;
use plumb::core::export::markdown::markdown_report;
use plumb::core::export::{Decision, SignOff};
use plumb::core::gates::{Gate, GateWindow, Op, evaluate};
use plumb::core::render::{ChartStyle, DistributionChart, distribution_chart_svg};
use plumb::core::report::{Report, Settings, WindowSpec};
use std::sync::OnceLock;

fn dir() -> String {
    format!("{}/tests/fixtures/xss", env!("CARGO_MANIFEST_DIR"))
}

/// The committed corpus, one payload per line.
fn payloads() -> Vec<String> {
    let text = std::fs::read_to_string(format!("{}/payloads.txt", dir())).unwrap();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn load(name: &str) -> LoadedFile {
    let bytes = std::fs::read(format!("{}/{name}", dir())).unwrap();
    analysis::load_file(name, &bytes).unwrap()
}

/// reference.csv against current.csv of the corpus, analysed once.
fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let reference = load("reference.csv");
        let current = load("current.csv");
        let mapping = analysis::detect_mapping(&reference);
        analysis::analyze(
            &Request {
                reference: &reference,
                current: Some(&current),
                mapping: &mapping,
                settings: &Settings {
                    bootstrap: 0,
                    ..Settings::default()
                },
                window: WindowSpec::TwoFiles,
                now: None,
                depth: plumb::core::analysis::Depth::Complete,
            },
            "test",
        )
        .unwrap()
    })
}

/// Gates named after payloads, one on a payload-named drift column.
fn gates(p: &[String]) -> Vec<Gate> {
    vec![
        Gate {
            name: p[8].clone(),
            metric: "ece".into(),
            window: GateWindow::Current,
            op: Op::Le,
            limit: 0.5,
        },
        Gate {
            name: p[10].clone(),
            metric: format!("drift.{}", p[0]),
            window: GateWindow::All,
            op: Op::Le,
            limit: 10.0,
        },
    ]
}

fn signoff(p: &[String]) -> SignOff {
    SignOff {
        reviewer: p[1].clone(),
        // An approval: the hostile gates fail, so their names are written once more, in the
        // sign-off's list of the failing gates it overrides.
        decision: Decision::Approve,
        rationale: p.join("\n"),
        timestamp: p[19].clone(),
    }
}

/// Characters that start or end Markdown / HTML markup.
const MARKUP: &[char] = &['<', '>', '[', ']', '!', '`', '*', '_', '|', '&', '(', ')'];

fn escaped_at(line: &str, i: usize) -> bool {
    line[..i].chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Undoes a backslash escape of ASCII punctuation (CommonMark §2.4).
fn unescape_markdown(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&n) = chars.peek()
            && n.is_ascii_punctuation()
        {
            out.push(n);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// Cells of a table row, split at unescaped `|`, without the outer empty pieces.
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in line.char_indices() {
        if c == '|' && !escaped_at(line, i) {
            out.push(line[start..i].trim().to_string());
            start = i + 1;
        }
    }
    out.push(line[start..].trim().to_string());
    out.remove(0);
    out.pop();
    out
}

#[test]
fn the_corpus_and_the_fixture_logs_agree() {
    let p = payloads();
    assert!(p.len() >= 20, "{} payloads", p.len());
    let mut unique = p.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), p.len(), "payloads are distinct");
    // The logs were generated from this corpus: every payload is a column name or a value.
    for name in ["reference.csv", "current.csv"] {
        let file = load(name);
        let headers = file.column_names();
        for (i, payload) in p.iter().enumerate() {
            let as_name = headers.contains(payload);
            let as_value = file.table.columns.iter().any(|c| {
                c.dictionary()
                    .is_some_and(|d| d.values.iter().any(|v| v == payload))
            });
            assert!(
                as_name || as_value,
                "{name}: payload {} ({payload:?}) neither a column name nor a value",
                i + 1
            );
        }
    }
}

#[test]
fn detection_gives_hostile_columns_ordinary_roles() {
    let p = payloads();
    let mapping = analysis::detect_mapping(&load("reference.csv"));
    assert_eq!(mapping.score.as_deref(), Some("score"));
    assert_eq!(mapping.label.as_deref(), Some("label"));
    assert_eq!(mapping.model_version.as_deref(), Some("model_version"));
    assert_eq!(mapping.segments, vec!["segment".to_string()]);
    assert_eq!(mapping.features, p[..14].to_vec());
    // And the drift table has one row per hostile feature.
    let drift = report().drift.as_ref().unwrap();
    for name in &p[..14] {
        assert!(drift.columns.iter().any(|c| &c.name == name), "{name}");
    }
}

#[test]
fn markdown_tables_links_and_markup_stay_text() {
    let p = payloads();
    let r = report();
    let g = evaluate(r, &gates(&p));
    let md = markdown_report(r, Some(&g), Some(&signoff(&p)));
    let mut header_cells: Option<usize> = None;
    let mut rows_seen = 0;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = cells(line).len();
            match header_cells {
                None => header_cells = Some(n),
                Some(h) => assert_eq!(n, h, "a table row with a different cell count: {line}"),
            }
            rows_seen += 1;
        } else {
            header_cells = None;
        }
        // Outside code spans the report writes itself (short SHA-256s), markup characters
        // from user text are always escaped.
        let plain: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        for (i, c) in plain.char_indices() {
            if matches!(c, '<' | '[' | ']' | '&') {
                assert!(escaped_at(&plain, i), "unescaped {c:?} in {line}");
            }
        }
        assert!(!line.contains("](javascript"), "a link: {line}");
        assert!(!line.contains("!["), "an image: {line}");
    }
    assert!(rows_seen > 20, "{rows_seen} table rows");
    // Every hostile column name is a drift-table row whose first cell is the payload.
    for name in &p[..14] {
        let row = md
            .lines()
            .filter(|l| l.starts_with('|'))
            .find(|l| cells(l).first().map(|c| unescape_markdown(c)) == Some(name.clone()));
        assert!(row.is_some(), "no drift row for {name:?}");
    }
    // Gate names and the reviewer come back as the payloads.
    let text = unescape_markdown(&md);
    for s in [&p[8], &p[10], &p[1]] {
        assert!(text.contains(s.as_str()), "{s:?} missing");
    }
    for s in &p {
        if s.contains(MARKUP) {
            assert!(!md.contains(s.as_str()), "payload written raw: {s:?}");
        }
    }
}

fn unescape_xml(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').unwrap();
        let ent = &after[..end];
        let c = match ent {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            e if e.starts_with("#x") => {
                char::from_u32(u32::from_str_radix(&e[2..], 16).unwrap()).unwrap()
            }
            e if e.starts_with('#') => char::from_u32(e[1..].parse().unwrap()).unwrap(),
            e => {
                // Not one the exports write for text; keep it as it is.
                out.push('&');
                out.push_str(e);
                ';'
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Element names of every start tag, checking quoting on the way. Text between tags must not
/// contain `<`, `>` or a bare `&`.
fn tags(doc: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = doc;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "raw > in text: {text:?}");
        for (i, _) in text.match_indices('&') {
            let ent = &text[i + 1..text[i..].find(';').map_or(text.len(), |e| i + e)];
            assert!(
                ["lt", "gt", "amp", "quot", "apos", "nbsp"].contains(&ent) || ent.starts_with('#'),
                "bare & in text: {text:?}"
            );
        }
        let tag_start = &rest[open + 1..];
        // Find the end of the tag, skipping quoted attribute values.
        let mut quote = None;
        let mut end = None;
        for (i, c) in tag_start.char_indices() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = Some(i);
                    break;
                }
                (None, '<') => panic!("< inside a tag: {:?}", &tag_start[..i]),
                _ => {}
            }
        }
        let end = end.expect("unterminated tag");
        let tag = &tag_start[..end];
        if !tag.starts_with('/') && !tag.starts_with('!') && !tag.starts_with('?') {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
                .collect();
            names.push(name.to_ascii_lowercase());
            for attr in tag.split_whitespace().skip(1) {
                let attr = attr.to_ascii_lowercase();
                assert!(!attr.starts_with("on"), "event handler in <{tag}>");
            }
        }
        rest = &tag_start[end + 1..];
    }
    names
}

#[test]
fn html_report_shows_payloads_only_escaped() {
    let p = payloads();
    let r = report();
    let g = evaluate(r, &gates(&p));
    let html = html_report(r, Some(&g), Some(&signoff(&p)));
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "<svg onload",
        "<details",
        "<math",
        "<body onload",
        "javascript:alert",
    ] {
        // `javascript:alert` may appear only as escaped text, which the check below allows;
        // as markup it would follow `href="`.
        if bad == "javascript:alert" {
            assert!(!lower.contains("href=\"javascript"), "a javascript: link");
        } else {
            assert!(!lower.contains(bad), "{bad} in the HTML report");
        }
    }
    for name in tags(&html) {
        assert!(
            HTML_REPORT_ELEMENTS.contains(&name.as_str()),
            "element <{name}> in the HTML report"
        );
    }
    // Each hostile column name is in the report as text: present once entities are decoded.
    let decoded = unescape_xml(&html);
    for name in &p[..14] {
        assert!(decoded.contains(name.as_str()), "{name:?} not shown");
    }
    for s in &p {
        if s.contains(['<', '>']) {
            assert!(!html.contains(s.as_str()), "payload written raw: {s:?}");
        }
    }
}

#[test]
fn svg_distribution_charts_carry_payloads_as_text() {
    let p = payloads();
    let drift = report().drift.as_ref().unwrap();
    const SVG_TAGS: &[&str] = &[
        "svg", "g", "path", "text", "circle", "rect", "line", "polyline", "polygon",
    ];
    let mut charts = 0;
    for column in drift.columns.iter().filter(|c| p.contains(&c.name)) {
        let Some(d) = column.distribution.as_ref() else {
            continue;
        };
        let chart = if d.categories.is_empty() {
            DistributionChart::numeric(&column.name, &d.edges, &d.reference, &d.current)
        } else {
            DistributionChart::categorical(&column.name, &d.categories, &d.reference, &d.current)
        };
        let svg = distribution_chart_svg(&chart, &ChartStyle::new(760, 480)).unwrap();
        charts += 1;
        for name in tags(&svg) {
            assert!(
                SVG_TAGS.contains(&name.as_str()),
                "<{name}> in the chart of {:?}",
                column.name
            );
        }
        // The texts, unescaped: the column name (the x-axis title) is among them, whole or cut.
        let texts: Vec<String> = svg
            .split("<text")
            .skip(1)
            .map(|t| {
                let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
                unescape_xml(body.trim())
            })
            .collect();
        let shown = |s: &str| {
            texts.iter().any(|t| {
                t == s
                    || t.strip_suffix('…')
                        .is_some_and(|cut| !cut.is_empty() && s.starts_with(cut))
            })
        };
        assert!(
            shown(&column.name),
            "{:?} not a chart text: {texts:?}",
            column.name
        );
        for category in &d.categories {
            if p.contains(category) {
                assert!(
                    shown(category),
                    "category {category:?} not a chart text: {texts:?}"
                );
            }
        }
        for s in &p {
            if s.contains(['<', '>', '&']) {
                assert!(
                    !svg.contains(s.as_str()),
                    "payload written raw into SVG: {s:?}"
                );
            }
        }
    }
    assert!(charts >= 14, "{charts} charts");
}

/// `models.csv` (champion `score`, challenger `challenger_score`) with the two models renamed
/// to payloads by hand, as a hostile header would name them.
fn hostile_models_report(champion: &str, challenger: &str) -> Report {
    let path = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = analysis::load_file("models.csv", &std::fs::read(path).unwrap()).unwrap();
    let mapping = analysis::detect_mapping(&file);
    let settings = Settings {
        bootstrap: 50,
        ..Settings::default()
    };
    let mut r = analysis::analyze_single(&file, &mapping, &settings, "test").unwrap();
    let m = r.models.as_mut().unwrap();
    m.models[0].column = champion.to_string();
    m.models[1].column = challenger.to_string();
    m.comparisons[0].champion = champion.to_string();
    m.comparisons[0].challenger = challenger.to_string();
    r
}

#[test]
fn hostile_model_names_stay_text_in_the_models_section() {
    let p = payloads();
    for pair in p.chunks(2) {
        let (a, b) = (&pair[0], pair.get(1).unwrap_or(&pair[0]));
        let r = hostile_models_report(a, b);
        // Markdown: every models-table row keeps its cell count; the names come back unescaped.
        let md = markdown_report(&r, None, None);
        let models = &md[md.find("## Models").expect("models section")..];
        let models = &models[..models[3..].find("\n## ").map_or(models.len(), |i| i + 3)];
        let mut header: Option<usize> = None;
        for line in models.lines() {
            if line.starts_with('|') {
                let n = cells(line).len();
                match header {
                    None => header = Some(n),
                    Some(h) => assert_eq!(n, h, "cell count changed: {line}"),
                }
            } else {
                header = None;
            }
        }
        let text = unescape_markdown(models);
        assert!(
            text.contains(a.as_str()) && text.contains(b.as_str()),
            "{a:?} {b:?}"
        );
        for s in [a, b] {
            if s.contains(MARKUP) {
                assert!(!md.contains(s.as_str()), "payload written raw: {s:?}");
            }
        }
        // HTML: never raw, always escaped; the charts name the models with fixed words.
        let html = html_report(&r, None, None);
        let start = html.find("id=\"models\"").expect("models section");
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        for s in [a, b] {
            if s.contains(['<', '>', '&']) {
                assert!(!html.contains(s.as_str()), "payload written raw: {s:?}");
            }
            assert!(
                section.contains(&plumb::core::export::html::escape_html(s)),
                "{s:?} not shown escaped"
            );
        }
        let svg_start = section.find("<svg").expect("a chart");
        let charts = &section[svg_start..];
        for s in [a, b] {
            assert!(
                !charts.contains(&plumb::core::export::html::escape_html(s)),
                "a column name entered a chart: {s:?}"
            );
        }
        assert!(charts.contains("Champion") && charts.contains("Challenger 1"));
    }
}
