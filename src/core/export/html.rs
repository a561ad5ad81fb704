//! A self-contained HTML report of an audit: one file to attach to a ticket, archive or print.
//!
//! [`html_report`] writes a single HTML5 document (also well-formed XML) with inline CSS and the
//! charts as inline SVG drawn by the same code as the app ([`crate::core::render`]'s `*_svg`
//! helpers): a header with the gate verdict, headline metrics, the gate table, metrics per
//! window (labels, formulas and references from [`catalog`], as `title` tooltips and printed
//! footnotes), reliability diagram (reference and current overlaid when both exist), ROC and
//! precision–recall curves, metrics against the threshold from `WindowReport.sweep` with the
//! configured and optimal thresholds marked, decision-threshold tables, row accounting,
//! data-quality checks, drift (drifted columns first), label shift, the models compared
//! (champion vs challengers: per-model table, paired tests, overlaid reliability and ROC charts
//! whose legends name the models `Champion`, `Challenger 1`, …), settings, the reviewer's
//! sign-off and the input files with their SHA-256. Sections without data are left out. The
//! content mirrors [`super::markdown::markdown_report`].
//!
//! Safety: the document has no `<script>`, loads nothing (no fonts, images or style sheets by
//! URL) and declares `Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline';
//! img-src data:`. Only aggregates appear, never raw rows (not even the line numbers of
//! excluded rows or of quality findings). Every string from the user or the data (file names,
//! column names, category values, gate names, reviewer text, quality details) goes through
//! [`escape_html`], which escapes the five characters the HTML and XML specifications give
//! meaning in text and quoted attributes (`& < > " '`; OWASP XSS Prevention Cheat Sheet,
//! output encoding for HTML contexts), plus `=` and `` ` ``, so it renders as the literal text
//! it is. No report string enters the SVG charts (series and marker names are fixed words).
//! Output is deterministic: the same report gives the same bytes.

use crate::core::catalog::{self, Format, MetricInfo};
use crate::core::export::SignOff;
use crate::core::export::markdown::format_gate_value;
use crate::core::export::models;
use crate::core::gates::{GateReport, GateResult, MetricKey, Verdict};
use crate::core::quality::{QualityCheck, Status};
use crate::core::render::{
    self, ChartStyle, PrChart, PrCurve, ReliabilityChart, ReliabilitySeries, RocChart, RocCurve,
    Series, ThresholdChart, ThresholdMarker,
};
use crate::core::report::{
    BinStrategy, DriftColumn, ExclusionReason, InputFile, InputFormat, IntervalMethod, Report,
    ScoreTransform, ThresholdPoint, WindowReport, WindowSpec,
};
use std::fmt::Write as _;

/// The Content-Security-Policy every report declares: nothing may load or run; inline styles
/// and `data:` images only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Chart size in CSS pixels (two charts side by side on a 1200 px page, scaled down to fit).
const CHART_W: u32 = 560;
const CHART_H: u32 = 400;

/// Escapes user text for HTML text content and quoted attribute values: `&` → `&amp;`,
/// `<` → `&lt;`, `>` → `&gt;`, `"` → `&quot;`, `'` → `&#39;`, and also `=` → `&#61;` and
/// `` ` `` → `&#96;` (so no attribute-like text such as `onerror=` survives even as inert
/// text, and no legacy backtick-quoted attribute can open). Control characters other than
/// tab, line feed and carriage return, and bidirectional overrides, become U+FFFD (they are
/// not allowed in XML and could hide or reorder text). The result is safe in element content
/// and inside `"…"` or `'…'` attributes, never inside `<script>`/`<style>` or unquoted
/// attributes (the report has neither).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '=' => out.push_str("&#61;"),
            '`' => out.push_str("&#96;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || is_bidi_control(c) || is_noncharacter(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// U+FFFE and U+FFFF are not XML characters.
fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Writes the self-contained HTML report of `report`, with the gate verdict and the reviewer's
/// sign-off (without one, a sign-off section and chip saying no decision was recorded). Never fails: a chart that cannot be drawn is replaced by a note.
pub fn html_report(
    report: &Report,
    gates: Option<&GateReport>,
    signoff: Option<&SignOff>,
) -> String {
    let mut h = String::with_capacity(256 * 1024);
    write_head(&mut h, report);
    h.push_str("<body>\n");
    write_header(&mut h, report, gates, signoff);
    h.push_str("<main>\n");
    write_summary(&mut h, report);
    write_gates(&mut h, gates);
    write_metrics(&mut h, report);
    write_charts(&mut h, report);
    write_thresholds(&mut h, report);
    write_rows(&mut h, report);
    write_quality(&mut h, report);
    if let Some(drift) = report.drift.as_ref() {
        write_drift(&mut h, &drift.columns);
    }
    write_label_shift(&mut h, report);
    write_models(&mut h, report);
    write_settings(&mut h, report);
    write_signoff(&mut h, signoff, gates);
    write_inputs(&mut h, report);
    h.push_str("</main>\n");
    write_footer(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

// ---------------------------------------------------------------------------------------------
// Helpers

fn count(v: u64) -> String {
    catalog::group_thousands(i64::try_from(v).unwrap_or(i64::MAX))
}

fn fmt(format: Format, v: Option<f64>) -> String {
    catalog::format_value(format, v)
}

/// A plain number as Rust prints it (shortest round-trip), `—` when not finite.
fn plain(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "—".to_string()
    }
}

/// `0.95` → `95%`, `0.975` → `97.5%`.
fn confidence_label(confidence: f64) -> String {
    if !confidence.is_finite() {
        return "—".to_string();
    }
    let percent = (confidence * 100.0 * 1e6).round() / 1e6;
    format!("{percent}%")
}

fn present_windows(report: &Report) -> Vec<(&'static str, &WindowReport)> {
    let mut out = Vec::new();
    if let Some(w) = report.windows.all.as_ref() {
        out.push(("All rows", w));
    }
    if let Some(w) = report.windows.reference.as_ref() {
        out.push(("Reference", w));
    }
    if let Some(w) = report.windows.current.as_ref() {
        out.push(("Current", w));
    }
    out
}

/// The window headline numbers describe: current, else all rows, else reference.
fn main_window(report: &Report) -> Option<(&'static str, &WindowReport)> {
    let w = &report.windows;
    w.current
        .as_ref()
        .map(|c| ("Current", c))
        .or_else(|| w.all.as_ref().map(|a| ("All rows", a)))
        .or_else(|| w.reference.as_ref().map(|r| ("Reference", r)))
}

/// A status badge: `<span class="badge {class}">{text}</span>` (text is a constant).
fn badge(class: &str, text: &str) -> String {
    format!("<span class=\"badge {class}\">{text}</span>")
}

fn status_badge(status: Status) -> String {
    match status {
        Status::Pass => badge("pass", "PASS"),
        Status::Warn => badge("warn", "WARN"),
        Status::Fail => badge("fail", "FAIL"),
        Status::Skip => badge("skip", "SKIP"),
    }
}

fn section_open(h: &mut String, id: &str, title: &str) {
    let _ = write!(
        h,
        "<section class=\"card\" id=\"{id}\">\n<h2>{}</h2>\n",
        escape_html(title)
    );
}

fn section_close(h: &mut String) {
    h.push_str("</section>\n");
}

/// User text with line breaks kept as `<br />`.
fn multiline(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    normalised
        .split('\n')
        .map(escape_html)
        .collect::<Vec<_>>()
        .join("<br />\n")
}

fn file_names(report: &Report) -> String {
    report
        .input
        .files
        .iter()
        .map(|f| escape_html(&f.name))
        .collect::<Vec<_>>()
        .join(" → ")
}

fn describe_windows(spec: &WindowSpec, files: usize) -> String {
    match spec {
        WindowSpec::All if files > 1 => format!("{files} logs analysed together"),
        WindowSpec::All => "one log analysed alone".to_string(),
        WindowSpec::TwoFiles => {
            "two logs: the first is the reference, the second the current window".to_string()
        }
        WindowSpec::SplitAt { timestamp } => format!(
            "one log split by time: rows before <code>{}</code> are the reference",
            escape_html(timestamp)
        ),
        WindowSpec::SplitFraction { fraction } => format!(
            "one log split in time order: the first {} of rows are the reference",
            fmt(Format::Percent, Some(*fraction))
        ),
        WindowSpec::SplitColumn {
            column,
            reference,
            current,
        } => format!(
            "one log split by column <code>{}</code>: <code>{}</code> is the reference, \
             <code>{}</code> the current window",
            escape_html(column),
            escape_html(reference),
            escape_html(current)
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Head, header, footer

fn write_head(h: &mut String, report: &Report) {
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    let _ = writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\" />",
        escape_html(CSP)
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    h.push_str("<meta name=\"referrer\" content=\"no-referrer\" />\n");
    let _ = writeln!(
        h,
        "<meta name=\"generator\" content=\"{} {}\" />",
        escape_html(&report.generator.name),
        escape_html(&report.generator.version)
    );
    let names = file_names(report);
    if names.is_empty() {
        h.push_str("<title>Plumb audit</title>\n");
    } else {
        let _ = writeln!(h, "<title>Plumb audit: {names}</title>");
    }
    h.push_str("<style>\n");
    h.push_str(CSS);
    h.push_str("</style>\n</head>\n");
}

fn write_header(
    h: &mut String,
    report: &Report,
    gates: Option<&GateReport>,
    signoff: Option<&SignOff>,
) {
    let (class, head, summary) = match gates {
        None => (
            "none",
            "NO GATES",
            "No acceptance gates were evaluated.".to_string(),
        ),
        Some(g) => {
            let total = g.gates.len();
            let failed = g.failed();
            let summary = match (g.verdict, total) {
                (_, 0) => "No gates were set.".to_string(),
                (Verdict::Pass, 1) => "The gate passed.".to_string(),
                (Verdict::Pass, _) => format!("All {total} gates passed."),
                (Verdict::Fail, _) => format!("{failed} of {total} gates failed."),
            };
            match g.verdict {
                Verdict::Pass => ("pass", "PASS", summary),
                Verdict::Fail => ("fail", "FAIL", summary),
            }
        }
    };
    let _ = writeln!(h, "<header class=\"top verdict-{class}\" id=\"verdict\">");
    h.push_str(
        "<div class=\"brand\"><span class=\"logo\"></span><span class=\"name\">Plumb</span>",
    );
    h.push_str("<span class=\"tagline\">model audit report</span></div>\n");
    h.push_str("<div class=\"headline\">\n<div class=\"what\">\n");
    let names = file_names(report);
    if names.is_empty() {
        h.push_str("<h1>Plumb audit</h1>\n");
    } else {
        let _ = writeln!(h, "<h1>Audit of {names}</h1>");
    }
    let _ = writeln!(
        h,
        "<p class=\"sub\">{}.</p>",
        capitalise(&describe_windows(
            &report.settings.window,
            report.input.files.len()
        ))
    );
    h.push_str("</div>\n<div class=\"verdict\">\n");
    let _ = writeln!(
        h,
        "<div class=\"verdict-word\" data-verdict=\"{class}\">{head}</div>\n<div class=\"verdict-text\">{}</div>",
        escape_html(&summary)
    );
    h.push_str("<div class=\"chips\">");
    if let Some(q) = report.quality.as_ref() {
        let fails = q.checks.iter().filter(|c| c.status == Status::Fail).count();
        let warns = q.checks.iter().filter(|c| c.status == Status::Warn).count();
        let (cls, text) = match (fails, warns) {
            (0, 0) => ("pass", "Data quality: no findings".to_string()),
            (0, w) => ("warn", format!("Data quality: {w} warning{}", plural(w))),
            (f, 0) => ("fail", format!("Data quality: {f} failure{}", plural(f))),
            (f, w) => (
                "fail",
                format!(
                    "Data quality: {f} failure{}, {w} warning{}",
                    plural(f),
                    plural(w)
                ),
            ),
        };
        let _ = write!(h, "<span class=\"chip {cls}\">{text}</span>");
    }
    match signoff {
        Some(s) => {
            let cls = decision_class(s.decision);
            let _ = write!(
                h,
                "<span class=\"chip {cls}\">Sign-off: {} by {}</span>",
                s.decision.label(),
                escape_html(&s.reviewer)
            );
        }
        None => h.push_str("<span class=\"chip warn\">Sign-off: no decision recorded</span>"),
    }
    h.push_str("</div>\n</div>\n</div>\n</header>\n");
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn decision_class(d: crate::core::export::Decision) -> &'static str {
    match d {
        crate::core::export::Decision::Approve => "pass",
        crate::core::export::Decision::ApproveWithConditions => "warn",
        crate::core::export::Decision::Reject => "fail",
    }
}

fn write_footer(h: &mut String, report: &Report) {
    let _ = writeln!(
        h,
        "<footer>Generated by {} {} · schema <code>{}</code> · aggregates only, no raw rows · \
         formulas and references in <code>docs/metrics.md</code></footer>",
        escape_html(&report.generator.name),
        escape_html(&report.generator.version),
        escape_html(&report.schema),
    );
}

// ---------------------------------------------------------------------------------------------
// Summary cards

/// Metrics shown as headline cards, in order.
const HEADLINE: &[&str] = &[
    "roc_auc",
    "average_precision",
    "brier_score",
    "ece",
    "smooth_ece",
    "calibration_slope",
];

fn write_summary(h: &mut String, report: &Report) {
    let Some((label, w)) = main_window(report) else {
        return;
    };
    let reference = if report.windows.current.is_some() {
        report.windows.reference.as_ref()
    } else {
        None
    };
    let _ = writeln!(
        h,
        "<section class=\"summary\" id=\"summary\" aria-label=\"Headline metrics\">\n\
         <div class=\"stat\"><div class=\"k\">Rows used</div><div class=\"v\">{}</div>\
         <div class=\"d\">{label} · positive rate {}</div></div>",
        count(w.n),
        fmt(Format::Percent, w.positive_rate)
    );
    for key in HEADLINE {
        let Some(m) = catalog::metric_info(key) else {
            continue;
        };
        let v = catalog::metric_value(w, key);
        let detail = match reference {
            Some(r) => format!("reference {}", fmt(m.format, catalog::metric_value(r, key))),
            None => direction(m),
        };
        let _ = writeln!(
            h,
            "<div class=\"stat\" title=\"{}\"><div class=\"k\">{}</div><div class=\"v\">{}</div>\
             <div class=\"d\">{}</div></div>",
            escape_html(m.formula),
            escape_html(m.label),
            fmt(m.format, v),
            escape_html(&detail)
        );
    }
    h.push_str("</section>\n");
}

fn direction(m: &MetricInfo) -> String {
    match m.better {
        catalog::Better::Higher => "higher is better".to_string(),
        catalog::Better::Lower => "lower is better".to_string(),
        catalog::Better::Neutral => String::new(),
        catalog::Better::Near(t) => format!("best near {t}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Gates

fn write_gates(h: &mut String, gates: Option<&GateReport>) {
    let Some(gates) = gates else {
        return;
    };
    section_open(h, "gates", "Acceptance gates");
    if gates.gates.is_empty() {
        h.push_str("<p class=\"note\">No gates were set.</p>\n");
        section_close(h);
        return;
    }
    h.push_str(
        "<table>\n<thead><tr><th>Status</th><th>Gate</th><th>Metric</th><th>Window</th>\
         <th class=\"num\">Value</th><th class=\"num\">Limit</th><th>Note</th></tr></thead>\n<tbody>\n",
    );
    for g in &gates.gates {
        write_gate_row(h, g);
    }
    h.push_str("</tbody>\n</table>\n");
    section_close(h);
}

fn write_gate_row(h: &mut String, g: &GateResult) {
    let status = if g.passed {
        badge("pass", "PASS")
    } else {
        badge("fail", "FAIL")
    };
    let window = match MetricKey::parse(&g.metric) {
        Some(MetricKey::Window(_)) => g.window.key(),
        _ => "—",
    };
    let value = g
        .value
        .map_or_else(|| "—".to_string(), |v| format_gate_value(v, g.op, g.limit));
    let limit = if g.limit.is_finite() {
        format!("{} {}", g.op.pretty(), g.limit)
    } else {
        format!("{} —", g.op.pretty())
    };
    let note = g.reason.as_deref().map(escape_html).unwrap_or_default();
    let _ = writeln!(
        h,
        "<tr class=\"{}\"><td>{status}</td><td>{}</td><td><code>{}</code></td><td>{window}</td>\
         <td class=\"num\">{value}</td><td class=\"num\">{limit}</td><td class=\"note\">{note}</td></tr>",
        if g.passed { "ok" } else { "bad" },
        escape_html(&g.name),
        escape_html(&g.metric),
    );
}

// ---------------------------------------------------------------------------------------------
// Metrics

/// `current − reference` in the metric's format, with a sign (percentages in points).
fn format_delta(format: Format, d: Option<f64>) -> String {
    let Some(d) = d.filter(|d| d.is_finite()) else {
        return "—".to_string();
    };
    let sign = if d > 0.0 {
        "+"
    } else if d < 0.0 {
        "−"
    } else {
        "±"
    };
    let a = d.abs();
    let body = match format {
        Format::Count => catalog::group_thousands(a.round() as i64),
        Format::Percent => format!("{:.2} pp", a * 100.0),
        Format::Decimal | Format::PValue => fmt(Format::Decimal, Some(a)),
    };
    format!("{sign}{body}")
}

fn write_metrics(h: &mut String, report: &Report) {
    let windows = present_windows(report);
    section_open(h, "metrics", "Metrics");
    if windows.is_empty() {
        h.push_str("<p class=\"note\">The report has no window with metrics.</p>\n");
        section_close(h);
        return;
    }
    let pair = match (
        report.windows.reference.as_ref(),
        report.windows.current.as_ref(),
    ) {
        (Some(r), Some(c)) => Some((r, c)),
        _ => None,
    };
    h.push_str("<table class=\"metrics\">\n<thead><tr><th>Metric</th>");
    for (label, _) in &windows {
        let _ = write!(h, "<th class=\"num\">{label}</th>");
    }
    if pair.is_some() {
        h.push_str("<th class=\"num\">Δ current − reference</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, m) in catalog::METRICS.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><th scope=\"row\" title=\"{} — {}\">{} <sup><a href=\"#fn-{}\">{}</a></sup></th>",
            escape_html(m.formula),
            escape_html(m.reference),
            escape_html(m.label),
            m.key,
            i + 1
        );
        for (_, w) in &windows {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td>",
                fmt(m.format, catalog::metric_value(w, m.key))
            );
        }
        if let Some((r, c)) = pair {
            let d = match (
                catalog::metric_value(r, m.key),
                catalog::metric_value(c, m.key),
            ) {
                (Some(a), Some(b)) => Some(b - a),
                _ => None,
            };
            let _ = write!(
                h,
                "<td class=\"num delta\">{}</td>",
                format_delta(m.format, d)
            );
        }
        h.push_str("</tr>\n");
        if m.key == "roc_auc" {
            let _ = write!(
                h,
                "<tr class=\"sub\"><th scope=\"row\">ROC AUC {} CI (DeLong)</th>",
                confidence_label(report.settings.confidence)
            );
            for (_, w) in &windows {
                let ci = match w.roc_auc_ci {
                    Some([lo, hi]) if lo.is_finite() && hi.is_finite() => format!(
                        "{} – {}",
                        fmt(Format::Decimal, Some(lo)),
                        fmt(Format::Decimal, Some(hi))
                    ),
                    _ => "—".to_string(),
                };
                let _ = write!(h, "<td class=\"num\">{ci}</td>");
            }
            if pair.is_some() {
                h.push_str("<td></td>");
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody>\n</table>\n<ol class=\"footnotes\">\n");
    for m in catalog::METRICS {
        let _ = writeln!(
            h,
            "<li id=\"fn-{}\"><b>{}</b>: {}. <span class=\"ref\">Reference: {}.</span></li>",
            m.key,
            escape_html(m.label),
            escape_html(m.formula),
            escape_html(m.reference)
        );
    }
    h.push_str("</ol>\n");
    section_close(h);
}

// ---------------------------------------------------------------------------------------------
// Charts

/// An SVG chart in a figure, or a note when it could not be drawn.
fn figure(h: &mut String, caption: &str, svg: Result<String, render::RenderError>) {
    h.push_str("<figure class=\"chart\">\n");
    match svg {
        Ok(svg) => {
            // Plotters writes a bare `<svg …>` element (no XML prolog); label it for readers.
            let body = svg.trim();
            match body.strip_prefix("<svg ") {
                Some(rest) => {
                    let _ = write!(
                        h,
                        "<svg role=\"img\" aria-label=\"{}\" {rest}",
                        escape_html(caption)
                    );
                }
                None => h.push_str(body),
            }
            h.push('\n');
        }
        Err(e) => {
            let _ = writeln!(
                h,
                "<p class=\"note\">The chart could not be drawn: {}</p>",
                escape_html(&e.to_string())
            );
        }
    }
    let _ = writeln!(
        h,
        "<figcaption>{}</figcaption>\n</figure>",
        escape_html(caption)
    );
}

fn chart_style() -> ChartStyle {
    ChartStyle::new(CHART_W, CHART_H)
}

fn write_charts(h: &mut String, report: &Report) {
    let windows = present_windows(report);
    if windows.is_empty() {
        return;
    }
    section_open(h, "charts", "Charts");
    h.push_str("<div class=\"grid\">\n");
    let threshold = report.settings.threshold;
    let t = threshold.is_finite().then_some(threshold);

    // Reliability: every window overlaid; the histogram of the main window beneath.
    let series: Vec<ReliabilitySeries> = windows
        .iter()
        .map(|(label, w)| ReliabilitySeries {
            name: label,
            bins: &w.reliability,
        })
        .collect();
    let histogram = main_window(report).map(|(_, w)| &w.histogram);
    let chart = ReliabilityChart {
        series,
        histogram,
        log_scale: false,
        stacked: true,
        smooth: None,
        size_by_count: false,
    };
    let hist_of = main_window(report).map_or("", |(l, _)| l);
    figure(
        h,
        &format!(
            "Reliability diagram ({} bins, {}, {} {} intervals); score histogram of {} \
             beneath",
            report.settings.bins,
            strategy_label(report.settings.strategy),
            confidence_label(report.settings.confidence),
            interval_label(report.settings.interval),
            hist_of.to_lowercase()
        ),
        render::reliability_diagram_svg(&chart, &chart_style()),
    );

    // ROC and PR: every window overlaid, the configured threshold marked.
    let roc = RocChart {
        curves: windows
            .iter()
            .filter_map(|(label, w)| {
                let c = w.roc_curve.as_ref()?;
                Some(RocCurve {
                    name: label,
                    fpr: &c.x,
                    tpr: &c.y,
                    auc: w.roc_auc,
                    auc_ci: w.roc_auc_ci,
                    current: w
                        .at_threshold
                        .as_ref()
                        .and_then(|p| Some((p.fpr?, p.recall?))),
                })
            })
            .collect(),
        threshold: t,
    };
    figure(
        h,
        "ROC curve (the dot is the decision threshold)",
        render::roc_curve_chart_svg(&roc, &chart_style()),
    );
    let pr = PrChart {
        curves: windows
            .iter()
            .filter_map(|(label, w)| {
                let c = w.pr_curve.as_ref()?;
                Some(PrCurve {
                    name: label,
                    recall: &c.x,
                    precision: &c.y,
                    average_precision: w.average_precision,
                    average_precision_ci: w.average_precision_ci,
                    positive_rate: w.positive_rate,
                    current: w
                        .at_threshold
                        .as_ref()
                        .and_then(|p| Some((p.recall?, p.precision?))),
                })
            })
            .collect(),
        threshold: t,
        linear: false,
    };
    figure(
        h,
        "Precision–recall curve (step function whose area is the average precision; dashed: \
         positive rate)",
        render::pr_curve_chart_svg(&pr, &chart_style()),
    );

    // Metrics against the threshold, one chart per window.
    for (label, w) in &windows {
        if w.sweep.is_empty() {
            continue;
        }
        let series_of = |get: fn(&ThresholdPoint) -> Option<f64>| -> Vec<(f64, f64)> {
            w.sweep
                .iter()
                .filter_map(|p| get(p).map(|v| (p.threshold, v)))
                .collect()
        };
        let precision = series_of(|p| p.precision);
        let recall = series_of(|p| p.recall);
        let f1 = series_of(|p| p.f1);
        let names: Vec<(&str, f64)> = w
            .optimal_thresholds
            .iter()
            .filter_map(|o| Some((chart_rule_label(&o.rule), o.threshold?)))
            .collect();
        let chart = ThresholdChart {
            series: vec![
                Series {
                    name: "Precision",
                    points: &precision,
                },
                Series {
                    name: "Recall",
                    points: &recall,
                },
                Series {
                    name: "F1",
                    points: &f1,
                },
            ],
            current: t,
            optima: names
                .iter()
                .map(|(name, x)| ThresholdMarker { name, x: *x })
                .collect(),
            y_label: None,
            y_range: None,
        };
        figure(
            h,
            &format!(
                "{label}: precision, recall and F1 against the threshold (solid line: the \
                 decision threshold; dotted: optimal thresholds)"
            ),
            render::threshold_chart_svg(&chart, &chart_style()),
        );
    }
    h.push_str("</div>\n");
    section_close(h);
}

/// The chart label of a known rule key; `optimum` for any other (no report string enters
/// the SVG charts: plotters escapes XML but the text would otherwise be shown unchecked).
fn chart_rule_label(rule: &str) -> &'static str {
    match rule {
        "max_f1" => "max F1",
        "max_youden" => "max Youden J",
        "min_expected_cost" => "min cost",
        _ => "optimum",
    }
}

/// A rule key for people; unknown keys as written (they are escaped by the caller).
fn rule_label(rule: &str) -> String {
    match rule {
        "max_f1" | "max_youden" | "min_expected_cost" => chart_rule_label(rule).to_string(),
        other => other.replace('_', " "),
    }
}

fn rule_description(rule: &str) -> &'static str {
    match rule {
        "max_f1" => "largest F1 score",
        "max_youden" => "largest Youden J = recall + specificity − 1",
        "min_expected_cost" => "lowest expected cost per row under the cost matrix",
        _ => "",
    }
}

fn strategy_label(s: BinStrategy) -> &'static str {
    match s {
        BinStrategy::Uniform => "equal width",
        BinStrategy::Quantile => "equal mass",
    }
}

fn interval_label(i: IntervalMethod) -> &'static str {
    match i {
        IntervalMethod::ClopperPearson => "Clopper–Pearson",
        IntervalMethod::Wilson => "Wilson",
    }
}

// ---------------------------------------------------------------------------------------------
// Decision threshold

fn write_thresholds(h: &mut String, report: &Report) {
    let windows = present_windows(report);
    let with_point: Vec<(&str, &ThresholdPoint)> = windows
        .iter()
        .filter_map(|(l, w)| w.at_threshold.as_ref().map(|p| (*l, p)))
        .collect();
    let with_optima = windows
        .iter()
        .any(|(_, w)| !w.optimal_thresholds.is_empty());
    if with_point.is_empty() && !with_optima {
        return;
    }
    section_open(h, "threshold", "Decision threshold");
    if !with_point.is_empty() {
        let _ = writeln!(
            h,
            "<p>At the configured threshold: positive iff score ≥ {}.</p>",
            plain(report.settings.threshold)
        );
        h.push_str("<table class=\"narrow\">\n<thead><tr><th></th>");
        for (label, _) in &with_point {
            let _ = write!(h, "<th class=\"num\">{label}</th>");
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        type Get = fn(&ThresholdPoint) -> String;
        let rows: [(&str, Get); 14] = [
            ("True positives", |p| count(p.tp)),
            ("False positives", |p| count(p.fp)),
            ("True negatives", |p| count(p.tn)),
            ("False negatives", |p| count(p.fn_)),
            ("Precision", |p| fmt(Format::Decimal, p.precision)),
            ("Recall (TPR)", |p| fmt(Format::Decimal, p.recall)),
            ("Specificity", |p| fmt(Format::Decimal, p.specificity)),
            ("False positive rate", |p| fmt(Format::Decimal, p.fpr)),
            ("F1", |p| fmt(Format::Decimal, p.f1)),
            ("Accuracy", |p| fmt(Format::Decimal, p.accuracy)),
            ("Balanced accuracy", |p| {
                fmt(Format::Decimal, p.balanced_accuracy)
            }),
            ("Matthews correlation", |p| fmt(Format::Decimal, p.mcc)),
            ("Predicted positive rate", |p| {
                fmt(Format::Percent, p.predicted_positive_rate)
            }),
            ("Expected cost per row", |p| {
                fmt(Format::Decimal, p.expected_cost)
            }),
        ];
        for (name, get) in rows {
            let _ = write!(h, "<tr><th scope=\"row\">{name}</th>");
            for (_, p) in &with_point {
                let _ = write!(h, "<td class=\"num\">{}</td>", get(p));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if with_optima {
        let c = &report.settings.costs;
        let _ = writeln!(
            h,
            "<h3>Optimal thresholds</h3>\n<p class=\"note\">Costs per row: false positive {}, \
             false negative {}, true positive {}, true negative {}.</p>",
            plain(c.fp),
            plain(c.fn_),
            plain(c.tp),
            plain(c.tn)
        );
        h.push_str(
            "<table class=\"narrow\">\n<thead><tr><th>Window</th><th>Rule</th><th class=\"num\">Threshold</th>\
             <th class=\"num\">Value</th></tr></thead>\n<tbody>\n",
        );
        for (label, w) in &windows {
            for o in &w.optimal_thresholds {
                let threshold = o
                    .threshold
                    .map_or_else(|| "none (predict no positives)".to_string(), plain);
                let _ = writeln!(
                    h,
                    "<tr><td>{label}</td><td title=\"{}\">{}</td><td class=\"num\">{threshold}</td>\
                     <td class=\"num\">{}</td></tr>",
                    rule_description(&o.rule),
                    escape_html(&rule_label(&o.rule)),
                    fmt(Format::Decimal, Some(o.value)),
                );
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }
    section_close(h);
}

// ---------------------------------------------------------------------------------------------
// Rows, quality, drift, label shift

fn write_rows(h: &mut String, report: &Report) {
    if report.input.files.is_empty() {
        return;
    }
    section_open(h, "rows", "Rows");
    h.push_str(
        "<table>\n<thead><tr><th>File</th><th class=\"num\">Rows</th><th class=\"num\">Used</th>\
         <th class=\"num\">Excluded</th></tr></thead>\n<tbody>\n",
    );
    let mut reasons: Vec<(String, String, u64)> = Vec::new();
    for f in &report.input.files {
        let excluded = f
            .rows_excluded
            .values()
            .fold(0u64, |acc, v| acc.saturating_add(*v));
        let name = escape_html(&f.name);
        let _ = writeln!(
            h,
            "<tr><td class=\"name\">{name}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            count(f.rows),
            count(f.rows_used),
            count(excluded)
        );
        // Known reasons in display order, then any other key as written.
        for reason in ExclusionReason::ALL {
            if let Some(&n) = f.rows_excluded.get(reason.key()).filter(|n| **n > 0) {
                reasons.push((name.clone(), reason.describe().to_string(), n));
            }
        }
        for (key, &n) in &f.rows_excluded {
            let known = ExclusionReason::ALL.iter().any(|r| r.key() == key);
            if !known && n > 0 {
                reasons.push((name.clone(), escape_html(key), n));
            }
        }
    }
    h.push_str("</tbody>\n</table>\n");
    if reasons.is_empty() {
        h.push_str("<p class=\"note\">No rows were excluded.</p>\n");
    } else {
        h.push_str(
            "<h3>Excluded rows by reason</h3>\n<table>\n<thead><tr><th>File</th><th>Reason</th>\
             <th class=\"num\">Rows</th></tr></thead>\n<tbody>\n",
        );
        for (file, reason, n) in reasons {
            let _ = writeln!(
                h,
                "<tr><td class=\"name\">{file}</td><td>{reason}</td><td class=\"num\">{}</td></tr>",
                count(n)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    section_close(h);
}

fn write_quality(h: &mut String, report: &Report) {
    let Some(q) = report.quality.as_ref() else {
        return;
    };
    section_open(h, "quality", "Data quality");
    if q.checks.is_empty() {
        h.push_str("<p class=\"note\">No checks were run.</p>\n");
        section_close(h);
        return;
    }
    // Failures first, then warnings, passes and skipped checks, each in check order.
    let rank = |c: &QualityCheck| match c.status {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Pass => 2,
        Status::Skip => 3,
    };
    let mut ordered: Vec<&QualityCheck> = q.checks.iter().collect();
    ordered.sort_by_key(|c| rank(c));
    h.push_str(
        "<table>\n<thead><tr><th>Status</th><th>Check</th><th>Finding</th>\
         <th class=\"num\">Rows involved</th></tr></thead>\n<tbody>\n",
    );
    for c in ordered {
        let involved = if c.count > 0 {
            count(c.count)
        } else {
            "—".to_string()
        };
        let _ = writeln!(
            h,
            "<tr class=\"q-{}\"><td>{}</td><td title=\"{}\">{}</td><td class=\"note\">{}</td>\
             <td class=\"num\">{involved}</td></tr>",
            c.status.key(),
            status_badge(c.status),
            escape_html(&c.id),
            escape_html(&c.title),
            escape_html(&c.detail),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    section_close(h);
}

fn drift_value_format(column: &DriftColumn) -> Format {
    match column.method.as_str() {
        "ks" | "chi2" => Format::PValue,
        _ => Format::Decimal,
    }
}

fn write_drift(h: &mut String, columns: &[DriftColumn]) {
    section_open(h, "drift", "Drift (reference → current)");
    if columns.is_empty() {
        h.push_str("<p class=\"note\">No columns were compared.</p>\n");
        section_close(h);
        return;
    }
    let drifted = columns.iter().filter(|c| c.drifted).count();
    let _ = writeln!(
        h,
        "<p>{drifted} of {} columns drifted by their default method.</p>",
        columns.len()
    );
    h.push_str(
        "<table class=\"drift\">\n<thead><tr><th>Column</th><th>Role</th><th>Kind</th>\
         <th>Method</th><th class=\"num\">Value</th><th class=\"num\">Threshold</th>\
         <th>Drifted</th><th class=\"num\">PSI</th><th class=\"num\">JS distance</th>\
         <th class=\"num\">KS D</th><th class=\"num\">KS p</th>\
         <th class=\"num\">W₁ / σ_ref</th><th class=\"num\">χ² p</th>\
         <th class=\"num\">Missing ref → cur</th></tr></thead>\n<tbody>\n",
    );
    let ordered = columns
        .iter()
        .filter(|c| c.drifted)
        .chain(columns.iter().filter(|c| !c.drifted));
    for c in ordered {
        let _ = writeln!(
            h,
            "<tr class=\"{}\"><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} → {}</td></tr>",
            if c.drifted { "bad" } else { "ok" },
            escape_html(&c.name),
            escape_html(&c.role),
            escape_html(&c.kind),
            escape_html(&c.method),
            fmt(drift_value_format(c), c.value),
            plain(c.threshold),
            if c.drifted {
                badge("fail", "DRIFT")
            } else {
                badge("pass", "no")
            },
            fmt(Format::Decimal, c.psi),
            fmt(Format::Decimal, c.js_distance),
            fmt(Format::Decimal, c.ks_statistic),
            fmt(Format::PValue, c.ks_p_value),
            fmt(Format::Decimal, c.wasserstein_norm),
            fmt(Format::PValue, c.chi2_p_value),
            fmt(Format::Percent, Some(c.missing_rate_reference)),
            fmt(Format::Percent, Some(c.missing_rate_current)),
        );
    }
    h.push_str("</tbody>\n</table>\n");
    section_close(h);
}

fn write_label_shift(h: &mut String, report: &Report) {
    let Some(ls) = report.label_shift.as_ref() else {
        return;
    };
    section_open(h, "label-shift", "Label shift");
    h.push_str(
        "<table class=\"narrow\">\n<thead><tr><th>Positive rate</th><th class=\"num\">Value</th>\
         </tr></thead>\n<tbody>\n",
    );
    let rows = [
        ("Reference, observed", ls.prior_reference),
        ("Current, observed", ls.prior_current_observed),
        (
            "Current, EM estimate from scores (Saerens et al. 2002)",
            ls.prior_current_em,
        ),
        (
            "Current, BBSE estimate (Lipton et al. 2018)",
            ls.prior_current_bbse,
        ),
    ];
    for (label, v) in rows {
        let _ = writeln!(
            h,
            "<tr><th scope=\"row\">{label}</th><td class=\"num\">{}</td></tr>",
            fmt(Format::Percent, v)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    section_close(h);
}

/// The chart name of the `i`-th model: fixed words, never the column name (no report string
/// enters the SVG charts); the table maps them to columns.
fn model_chart_name(i: usize) -> String {
    if i == 0 {
        "Champion".to_string()
    } else {
        format!("Challenger {i}")
    }
}

/// Champion vs challengers (`report.models`): the per-model table, the paired tests against the
/// champion, and the overlaid reliability diagram and ROC curves (see [`super::models`]).
fn write_models(h: &mut String, report: &Report) {
    let Some(m) = report.models.as_ref() else {
        return;
    };
    if m.comparisons.is_empty() {
        return;
    }
    section_open(h, "models", "Models");
    let _ = writeln!(h, "<p>{}</p>", escape_html(&models::describe(m)));
    h.push_str("<table>\n<thead><tr><th>Model</th><th>Role</th><th>In charts</th>");
    for head in models::MODEL_HEADERS {
        let _ = write!(h, "<th class=\"num\">{head}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in models::model_rows(m).iter().enumerate() {
        let _ = write!(
            h,
            "<tr class=\"model-row\"><th scope=\"row\">{}</th><td>{}</td><td>{}</td>",
            escape_html(&row.column),
            escape_html(&row.role),
            model_chart_name(i)
        );
        for cell in &row.cells {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape_html(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str("<table>\n<thead><tr><th>Challenger vs champion</th><th>Metric</th>");
    for head in models::TEST_HEADERS {
        let _ = write!(h, "<th class=\"num\">{head}</th>");
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in models::test_rows(m) {
        let _ = write!(
            h,
            "<tr class=\"model-test\"><th scope=\"row\">{} vs {}</th><td>{}</td>",
            escape_html(&row.challenger),
            escape_html(&row.champion),
            row.metric
        );
        for cell in &row.cells {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape_html(cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    let names: Vec<String> = (0..m.models.len()).map(model_chart_name).collect();
    h.push_str("<div class=\"grid\">\n");
    let reliability = ReliabilityChart {
        series: m
            .models
            .iter()
            .zip(&names)
            .map(|(x, name)| ReliabilitySeries {
                name,
                bins: &x.reliability,
            })
            .collect(),
        histogram: None,
        log_scale: false,
        stacked: false,
        smooth: None,
        size_by_count: false,
    };
    figure(
        h,
        "Reliability diagram of every model on the same rows",
        render::reliability_diagram_svg(&reliability, &chart_style()),
    );
    let roc = RocChart {
        curves: m
            .models
            .iter()
            .zip(&names)
            .filter_map(|(x, name)| {
                let c = x.roc_curve.as_ref()?;
                Some(RocCurve {
                    name,
                    fpr: &c.x,
                    tpr: &c.y,
                    auc: x.roc_auc,
                    auc_ci: x.roc_auc_ci,
                    current: None,
                })
            })
            .collect(),
        threshold: None,
    };
    figure(
        h,
        "ROC curves of every model on the same rows",
        render::roc_curve_chart_svg(&roc, &chart_style()),
    );
    h.push_str("</div>\n");
    section_close(h);
}

// ---------------------------------------------------------------------------------------------
// Settings, sign-off, inputs

fn write_settings(h: &mut String, report: &Report) {
    let s = &report.settings;
    let c = &report.input.columns;
    section_open(h, "settings", "Settings");
    h.push_str("<dl class=\"facts\">\n");
    let mut fact = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    fact(
        "Reliability bins",
        format!("{} ({})", s.bins, strategy_label(s.strategy)),
    );
    fact(
        "Intervals",
        format!(
            "{}, confidence {}",
            interval_label(s.interval),
            confidence_label(s.confidence)
        ),
    );
    fact(
        "Decision threshold",
        format!("positive iff score ≥ {}", plain(s.threshold)),
    );
    fact(
        "Windows",
        describe_windows(&s.window, report.input.files.len()),
    );
    fact(
        "Costs per row",
        format!(
            "FP {}, FN {}, TP {}, TN {}",
            plain(s.costs.fp),
            plain(s.costs.fn_),
            plain(s.costs.tp),
            plain(s.costs.tn)
        ),
    );
    fact("Log-loss clipping ε", format!("{:e}", s.log_loss_eps));
    let name = |v: &Option<String>| {
        v.as_deref().map_or_else(
            || "—".to_string(),
            |n| format!("<code>{}</code>", escape_html(n)),
        )
    };
    let transform = match c.score_transform {
        ScoreTransform::Identity => "probability as is",
        ScoreTransform::Percent => "percentage ÷ 100",
        ScoreTransform::Logit => "logit → probability",
    };
    fact("Score column", format!("{} ({transform})", name(&c.score)));
    fact(
        "Label column",
        format!(
            "{} (positive class: {})",
            name(&c.label),
            name(&c.positive_label)
        ),
    );
    let optional = [
        ("Timestamp column", &c.timestamp),
        ("Model version column", &c.model_version),
        ("ID column", &c.id),
        ("Decision column", &c.decision),
    ];
    for (label, v) in optional {
        if v.is_some() {
            fact(label, name(v));
        }
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("<code>{}</code>", escape_html(s)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !c.segments.is_empty() {
        fact("Segments", list(&c.segments));
    }
    if !c.features.is_empty() {
        fact(
            &format!("Features ({})", c.features.len()),
            list(&c.features),
        );
    }
    h.push_str("</dl>\n");
    section_close(h);
}

/// The sign-off section: the reviewer's decision, or that none was recorded (never left out, so
/// an unsigned export cannot pass for a signed one); an approval over failing gates names them.
fn write_signoff(h: &mut String, signoff: Option<&SignOff>, gates: Option<&GateReport>) {
    section_open(h, "signoff", "Sign-off");
    let Some(s) = signoff else {
        let _ = writeln!(
            h,
            "<p class=\"unsigned\">{}</p>",
            escape_html(crate::core::export::NO_DECISION)
        );
        section_close(h);
        return;
    };
    let _ = writeln!(
        h,
        "<div class=\"signoff {}\">\n<dl class=\"facts\">\n<dt>Decision</dt><dd>{}</dd>\n\
         <dt>Reviewer</dt><dd>{}</dd>\n<dt>Time</dt><dd>{}</dd>\n</dl>",
        decision_class(s.decision),
        badge(decision_class(s.decision), s.decision.label()),
        escape_html(&s.reviewer),
        escape_html(&s.timestamp),
    );
    let overridden = crate::core::export::overridden_gates(s.decision, gates);
    if !overridden.is_empty() {
        let list: Vec<String> = overridden
            .iter()
            .map(|g| escape_html(&crate::core::export::describe_failed_gate(g)))
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"override\">{} Approved although {} gate{} failed: {}.</p>",
            badge("warn", "WARNING"),
            overridden.len(),
            plural(overridden.len()),
            list.join("; ")
        );
    }
    h.push_str("<h3>Rationale</h3>\n");
    let rationale = s.rationale.trim();
    if rationale.is_empty() {
        h.push_str("<p class=\"note\">(no rationale given)</p>\n");
    } else {
        let normalised = rationale.replace("\r\n", "\n").replace('\r', "\n");
        h.push_str("<blockquote>\n");
        for para in normalised.split("\n\n").filter(|p| !p.trim().is_empty()) {
            let _ = writeln!(h, "<p>{}</p>", multiline(para.trim()));
        }
        h.push_str("</blockquote>\n");
    }
    h.push_str("</div>\n");
    section_close(h);
}

fn delimiter_label(d: &str) -> String {
    match d {
        "\t" => "tab".to_string(),
        "," => "comma".to_string(),
        ";" => "semicolon".to_string(),
        "|" => "pipe".to_string(),
        other => format!("<code>{}</code>", escape_html(other)),
    }
}

fn sha_cell(sha: &str) -> String {
    if sha.is_empty() {
        "—".to_string()
    } else {
        format!("<code class=\"sha\">{}</code>", escape_html(sha))
    }
}

fn write_inputs(h: &mut String, report: &Report) {
    if report.input.files.is_empty() {
        return;
    }
    section_open(h, "inputs", "Input files");
    h.push_str(
        "<table>\n<thead><tr><th>File</th><th>SHA-256</th><th class=\"num\">Bytes</th>\
         <th>Format</th></tr></thead>\n<tbody>\n",
    );
    for f in &report.input.files {
        write_input_row(h, f);
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(
        "<p class=\"note\">Check a file against this report with <code>sha256sum</code> \
         (Linux), <code>shasum -a 256</code> (macOS) or <code>Get-FileHash</code> (Windows).</p>\n",
    );
    section_close(h);
}

fn write_input_row(h: &mut String, f: &InputFile) {
    let mut format = match f.dialect.format {
        InputFormat::Delimited => delimiter_label(&f.dialect.delimiter),
        InputFormat::Parquet => "Parquet".to_string(),
        InputFormat::ArrowIpc => "Arrow IPC".to_string(),
    };
    if f.dialect.gzip {
        format.push_str(", gzip");
    }
    if f.dialect.bom {
        format.push_str(", UTF-8 BOM");
    }
    let _ = writeln!(
        h,
        "<tr><td class=\"name\">{}</td><td>{}</td><td class=\"num\">{}</td><td>{format}</td></tr>",
        escape_html(&f.name),
        sha_cell(&f.sha256),
        count(f.bytes),
    );
}

// ---------------------------------------------------------------------------------------------
// Style

/// The report's style sheet: the app's palette (white cards on a light grey page, navy header),
/// system fonts only, print rules. Contains no `<`, `>` or `&` so the document stays
/// well-formed XML.
const CSS: &str = r#":root {
  --bg: #f4f6f9; --panel: #ffffff; --ink: #16202a; --ink-2: #44515e; --ink-3: #66727e;
  --line: #dde3ea; --line-2: #eef1f5; --brand: #0b3d5c; --accent: #0072b2;
  --ok: #0a7a55; --ok-bg: #e3f4ec; --warn: #8a4600; --warn-bg: #fdf0dc;
  --bad: #b3261e; --bad-bg: #fde7e5; --skip: #55606b; --skip-bg: #edf0f3;
  --radius: 10px;
  --shadow: 0 1px 2px rgba(16, 32, 48, 0.06), 0 2px 8px rgba(16, 32, 48, 0.05);
  --font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  color-scheme: light;
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body {
  font-family: var(--font); font-size: 14px; line-height: 1.45; color: var(--ink);
  background: var(--bg); -webkit-font-smoothing: antialiased;
}
h1, h2, h3 { margin: 0; font-weight: 650; letter-spacing: -0.01em; }
code { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
a { color: var(--accent); text-decoration: none; }
header.top { background: var(--brand); color: #fff; padding: 14px 32px 22px; }
.brand { display: flex; align-items: baseline; gap: 10px; margin-bottom: 14px; }
.brand .logo {
  width: 20px; height: 20px; align-self: center; border-radius: 6px;
  background: linear-gradient(180deg, transparent 0 55%, #e69f00 55% 100%), #ffffff22;
  box-shadow: inset 0 0 0 2px #ffffff55;
}
.brand .name { font-size: 18px; font-weight: 700; letter-spacing: 0.01em; }
.brand .tagline { color: #c9d8e3; font-size: 13px; }
.headline { display: flex; gap: 24px; align-items: flex-start; justify-content: space-between; flex-wrap: wrap; }
.headline .what { min-width: 0; flex: 1 1 420px; }
.headline h1 { font-size: 24px; overflow-wrap: anywhere; }
.headline .sub { margin: 6px 0 0; color: #d8e4ec; }
.headline .sub code { color: #fff; }
.verdict {
  flex: 0 1 360px; background: #ffffff; color: var(--ink); border-radius: var(--radius);
  padding: 12px 16px; box-shadow: var(--shadow); border-left: 6px solid #9fb3c2;
}
.verdict-pass .verdict { border-left-color: var(--ok); }
.verdict-fail .verdict { border-left-color: var(--bad); }
.verdict-word { font-size: 26px; font-weight: 800; letter-spacing: 0.04em; color: var(--ink-2); }
.verdict-pass .verdict-word { color: var(--ok); }
.verdict-fail .verdict-word { color: var(--bad); }
.verdict-text { color: var(--ink-2); }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.chip {
  display: inline-block; padding: 2px 10px; border-radius: 12px; font-size: 12px;
  font-weight: 600; overflow-wrap: anywhere;
}
.chip.pass { background: var(--ok-bg); color: var(--ok); }
.chip.warn { background: var(--warn-bg); color: var(--warn); }
.chip.fail { background: var(--bad-bg); color: var(--bad); }
main { max-width: 1240px; margin: 0 auto; padding: 20px 24px 32px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; margin-bottom: 16px; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); padding: 10px 14px; box-shadow: var(--shadow); }
.stat .k { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--ink-3); }
.stat .v { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; margin: 2px 0; }
.stat .d { font-size: 12px; color: var(--ink-3); min-height: 1em; }
.card {
  background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 16px 20px 18px; margin-bottom: 16px; box-shadow: var(--shadow);
}
.card h2 {
  font-size: 12px; text-transform: uppercase; letter-spacing: 0.08em; color: var(--ink-3);
  margin-bottom: 12px;
}
.card h3 { font-size: 14px; margin: 16px 0 8px; }
.card p { margin: 0 0 10px; }
.note { color: var(--ink-3); font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
table.narrow { width: auto; min-width: 460px; }
table.narrow td.num { min-width: 110px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line-2); vertical-align: top; }
thead th {
  font-size: 12px; font-weight: 650; color: var(--ink-3);
  border-bottom: 1px solid var(--line); white-space: nowrap;
}
tbody th { font-weight: 550; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: none; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { overflow-wrap: anywhere; font-weight: 550; }
td.note { font-size: 12.5px; color: var(--ink-2); }
tr.sub th { font-weight: 400; color: var(--ink-2); padding-left: 22px; }
.delta { color: var(--ink-2); }
sup { font-size: 9.5px; }
sup a { color: var(--ink-3); }
table.metrics tbody th[title] { cursor: help; }
.footnotes { margin: 14px 0 0; padding-left: 22px; font-size: 11.5px; color: var(--ink-2); columns: 2; column-gap: 28px; }
.footnotes li { break-inside: avoid; margin-bottom: 3px; }
.footnotes .ref { color: var(--ink-3); }
table.drift { font-size: 12.5px; }
table.drift th, table.drift td { padding: 6px 7px; }
tr.bad td.name { color: var(--bad); }
.badge {
  display: inline-block; min-width: 44px; text-align: center; padding: 1px 8px;
  border-radius: 999px; font-size: 11px; font-weight: 700; letter-spacing: 0.04em;
  white-space: nowrap;
}
.badge.pass { background: var(--ok-bg); color: var(--ok); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.badge.fail { background: var(--bad-bg); color: var(--bad); }
.badge.skip { background: var(--skip-bg); color: var(--skip); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
figure.chart { margin: 0; border: 1px solid var(--line-2); border-radius: 8px; padding: 8px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figcaption { font-size: 12px; color: var(--ink-3); margin-top: 6px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 5px 18px; margin: 0; }
.facts dt { color: var(--ink-3); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
blockquote {
  margin: 0; padding: 10px 14px; border-left: 4px solid var(--line); background: #fafbfd;
  border-radius: 0 8px 8px 0; overflow-wrap: anywhere;
}
blockquote p:last-child { margin-bottom: 0; }
.signoff.pass blockquote { border-left-color: var(--ok); }
.signoff.warn blockquote { border-left-color: #e69f00; }
.signoff.fail blockquote { border-left-color: var(--bad); }
.unsigned, .override { font-weight: 600; color: var(--warn); }
code.sha { font-size: 11.5px; word-break: break-all; }
footer { max-width: 1240px; margin: 0 auto; padding: 0 24px 32px; color: var(--ink-3); font-size: 12px; }
@media print {
  @page { margin: 14mm; }
  body { background: #fff; font-size: 11.5px; }
  header.top { print-color-adjust: exact; -webkit-print-color-adjust: exact; padding: 10px 16px 14px; }
  main { padding: 12px 0; max-width: none; }
  .card, .stat { box-shadow: none; break-inside: avoid; }
  .card { border-color: #c9d1da; }
  #metrics, #charts, #drift { break-inside: auto; }
  figure.chart, tr { break-inside: avoid; }
  .grid { grid-template-columns: 1fr 1fr; }
  .badge, .chip, .verdict { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  sup a { color: inherit; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(escape_html("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
        assert_eq!(escape_html("a=`b`"), "a&#61;&#96;b&#96;");
        assert_eq!(
            escape_html("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src&#61;x onerror&#61;alert(1)&gt;"
        );
        assert_eq!(
            escape_html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape_html("abc é 1 2\n\tx"), "abc é 1 2\n\tx");
        assert_eq!(escape_html("&amp;"), "&amp;amp;");
    }

    #[test]
    fn replaces_controls_and_bidi_overrides() {
        assert_eq!(
            escape_html("x\u{202E}y\u{0}z\u{7F}"),
            "x\u{FFFD}y\u{FFFD}z\u{FFFD}"
        );
        assert_eq!(escape_html("\u{FFFF}"), "\u{FFFD}");
    }

    #[test]
    fn deltas_have_signs_and_units() {
        assert_eq!(format_delta(Format::Decimal, Some(0.02)), "+0.0200");
        assert_eq!(format_delta(Format::Decimal, Some(-0.02)), "−0.0200");
        assert_eq!(format_delta(Format::Percent, Some(-0.0123)), "−1.23 pp");
        assert_eq!(format_delta(Format::Count, Some(1234.0)), "+1,234");
        assert_eq!(format_delta(Format::Decimal, Some(0.0)), "±0.0000");
        assert_eq!(format_delta(Format::Decimal, Some(f64::NAN)), "—");
        assert_eq!(format_delta(Format::Decimal, None), "—");
    }

    #[test]
    fn style_sheet_is_xml_text() {
        assert!(!CSS.contains('<') && !CSS.contains('>') && !CSS.contains('&'));
    }

    #[test]
    fn rule_labels() {
        assert_eq!(rule_label("max_f1"), "max F1");
        assert_eq!(rule_label("something_new"), "something new");
        assert_eq!(chart_rule_label("<b>x</b>"), "optimum");
    }
}
