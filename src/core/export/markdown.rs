//! A Markdown summary of a report, for a pull request, a ticket or an e-mail.
//!
//! [`markdown_report`] writes GitHub-flavoured Markdown (CommonMark + tables): a title with the
//! input files and their short SHA-256, the gate verdict and table, headline metrics per window
//! (labels and formats from [`catalog`]), row accounting, drift, label shift, the models compared
//! (per-model table and paired tests vs the champion, [`super::models`]), settings and the
//! reviewer's sign-off (or that no decision was recorded). Only aggregates appear, never raw
//! rows.
//!
//! Every string that came from the user or the data (file names, column names, category
//! values, gate names, reviewer text) goes through [`escape_markdown_inline`], which
//! backslash-escapes every ASCII punctuation character that Markdown or HTML could read as
//! markup (CommonMark 0.31 §2.4: any ASCII punctuation may be backslash-escaped) and flattens
//! line breaks, so the string renders as the literal text it is and cannot open a link, an HTML
//! tag, emphasis, a code span, a heading or a new table cell.

use crate::core::catalog::{self, Format};
use crate::core::export::SignOff;
use crate::core::export::models;
use crate::core::gates::{GateReport, GateResult, MetricKey, Op, Verdict};
use crate::core::report::{
    DriftColumn, ExclusionReason, InputFile, Report, WindowReport, WindowSpec,
};
use std::fmt::Write as _;

/// Characters [`escape_markdown_inline`] prefixes with a backslash: CommonMark's inline and
/// block markup (`\ ` * _ { } [ ] < > ( ) # + - . ! |`), plus `~` (GFM strikethrough and
/// fences), `&` (entities), `$` (GitHub math), `@` (GitHub mentions) and `=` (setext headings).
pub const MARKDOWN_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '{', '}', '[', ']', '<', '>', '(', ')', '#', '+', '-', '.', '!', '|', '~',
    '&', '$', '@', '=',
];

/// Escapes user text for use inside a Markdown line or table cell: every character of
/// [`MARKDOWN_SPECIAL`] gets a backslash; line breaks and tabs become spaces; other control
/// characters and bidirectional overrides become U+FFFD (so text cannot be hidden or reordered).
/// The result renders as the literal input and never contains a line break.
pub fn escape_markdown_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                out.push(' ')
            }
            c if MARKDOWN_SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() || is_bidi_control(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Escapes multi-line user text as a block quote: each line escaped with
/// [`escape_markdown_inline`] (leading and trailing spaces trimmed, so no line becomes a code
/// block), lines joined by hard breaks, blank lines kept as paragraph breaks.
pub fn quote_block(text: &str) -> String {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = normalised
        .split('\n')
        .map(|l| escape_markdown_inline(l.trim()))
        .collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            out.push_str(">\n");
            continue;
        }
        out.push_str("> ");
        out.push_str(line);
        let next_is_text = lines.get(i + 1).is_some_and(|l| !l.is_empty());
        // A trailing backslash is a hard line break (CommonMark §6.7); the escaped line never
        // ends in an unpaired backslash, so this one cannot escape anything else.
        if next_is_text {
            out.push('\\');
        }
        out.push('\n');
    }
    out
}

/// Prints a gate's value with as many decimals as it takes for the printed number to compare
/// with the limit the same way the exact value does (so `0.0200` is never shown for a value
/// that failed `<= 0.02`). Integers print without decimals; `—` for non-finite values.
pub fn format_gate_value(value: f64, op: Op, limit: f64) -> String {
    if !value.is_finite() {
        return "—".to_string();
    }
    if value.fract() == 0.0 && value.abs() < 1e15 {
        return format!("{}", value as i64);
    }
    let holds = op.holds(value, limit);
    let at_limit = value == limit;
    let small = value.abs() < 1e-4;
    for precision in 4..=17 {
        let text = if small {
            format!("{value:.*e}", precision - 2)
        } else {
            format!("{value:.precision$}")
        };
        if let Ok(printed) = text.parse::<f64>()
            && op.holds(printed, limit) == holds
            && (printed == limit) == at_limit
        {
            return text;
        }
    }
    format!("{value}")
}

/// The first 12 hex digits of a SHA-256 in a code span, or the escaped text when it is not hex
/// (a hand-edited report).
fn short_sha(sha: &str) -> String {
    if !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit()) {
        format!("`{}`", &sha[..sha.len().min(12)])
    } else {
        escape_markdown_inline(sha)
    }
}

fn full_sha(sha: &str) -> String {
    if !sha.is_empty() && sha.chars().all(|c| c.is_ascii_hexdigit()) {
        format!("`{sha}`")
    } else if sha.is_empty() {
        "—".to_string()
    } else {
        escape_markdown_inline(sha)
    }
}

fn file_title(file: &InputFile) -> String {
    format!(
        "{} (sha256 {})",
        escape_markdown_inline(&file.name),
        short_sha(&file.sha256)
    )
}

fn count(v: u64) -> String {
    catalog::group_thousands(i64::try_from(v).unwrap_or(i64::MAX))
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

/// Writes the Markdown summary of `report`, with the gate verdict and the reviewer's sign-off
/// (without one, a sign-off section saying no decision was recorded). Sections without data (drift for one log, say) are left out.
pub fn markdown_report(
    report: &Report,
    gates: Option<&GateReport>,
    signoff: Option<&SignOff>,
) -> String {
    let mut md = String::new();
    write_title(&mut md, report);
    write_gates(&mut md, gates);
    write_metrics(&mut md, report);
    write_rows(&mut md, report);
    if let Some(drift) = report.drift.as_ref() {
        write_drift(&mut md, &drift.columns);
    }
    write_label_shift(&mut md, report);
    write_models(&mut md, report);
    write_settings(&mut md, report);
    write_signoff(&mut md, signoff, gates);
    md
}

fn write_title(md: &mut String, report: &Report) {
    let files: Vec<String> = report.input.files.iter().map(file_title).collect();
    if files.is_empty() {
        md.push_str("# Plumb audit\n\n");
    } else {
        let _ = writeln!(md, "# Plumb audit: {}\n", files.join(" → "));
    }
    let _ = writeln!(
        md,
        "Generated by {} {} · schema {} · {}.\n",
        escape_markdown_inline(&report.generator.name),
        escape_markdown_inline(&report.generator.version),
        escape_markdown_inline(&report.schema),
        describe_windows(&report.settings.window, report.input.files.len())
    );
}

fn describe_windows(spec: &WindowSpec, files: usize) -> String {
    match spec {
        WindowSpec::All if files > 1 => format!("{files} logs analysed together"),
        WindowSpec::All => "one log analysed alone".to_string(),
        WindowSpec::TwoFiles => {
            "two logs: the first is the reference, the second the current window".to_string()
        }
        WindowSpec::SplitAt { timestamp } => format!(
            "one log split by time: rows before {} are the reference",
            escape_markdown_inline(timestamp)
        ),
        WindowSpec::SplitFraction { fraction } => format!(
            "one log split in time order: the first {} of rows are the reference",
            catalog::format_value(Format::Percent, Some(*fraction))
        ),
        WindowSpec::SplitColumn {
            column,
            reference,
            current,
        } => format!(
            "one log split by column {}: {} is the reference, {} the current window",
            escape_markdown_inline(column),
            escape_markdown_inline(reference),
            escape_markdown_inline(current)
        ),
    }
}

fn write_gates(md: &mut String, gates: Option<&GateReport>) {
    let Some(gates) = gates else {
        md.push_str("## Verdict\n\nNo acceptance gates were evaluated.\n\n");
        return;
    };
    let total = gates.gates.len();
    let failed = gates.failed();
    let summary = match (gates.verdict, total) {
        (_, 0) => "no gates were set".to_string(),
        (Verdict::Pass, _) => format!("all {total} gates passed"),
        (Verdict::Fail, _) => format!("{failed} of {total} gates failed"),
    };
    let head = match gates.verdict {
        Verdict::Pass => "✅ PASS",
        Verdict::Fail => "❌ FAIL",
    };
    let _ = writeln!(md, "## Verdict: {head} — {summary}\n");
    if total == 0 {
        return;
    }
    md.push_str("| | Gate | Metric | Window | Value | Limit | Note |\n");
    md.push_str("|---|---|---|---|---:|---:|---|\n");
    for g in &gates.gates {
        write_gate_row(md, g);
    }
    md.push('\n');
}

fn write_gate_row(md: &mut String, g: &GateResult) {
    let mark = if g.passed { "✅" } else { "❌" };
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
    let note = g
        .reason
        .as_deref()
        .map(escape_markdown_inline)
        .unwrap_or_default();
    let _ = writeln!(
        md,
        "| {mark} | {} | {} | {window} | {value} | {limit} | {note} |",
        escape_markdown_inline(&g.name),
        escape_markdown_inline(&g.metric),
    );
}

fn write_metrics(md: &mut String, report: &Report) {
    let windows = present_windows(report);
    md.push_str("## Metrics\n\n");
    if windows.is_empty() {
        md.push_str("The report has no window with metrics.\n\n");
        return;
    }
    md.push_str("| Metric |");
    for (label, _) in &windows {
        let _ = write!(md, " {label} |");
    }
    md.push_str("\n|---|");
    for _ in &windows {
        md.push_str("---:|");
    }
    md.push('\n');
    for m in catalog::METRICS {
        let _ = write!(md, "| {} |", m.label);
        for (_, w) in &windows {
            let _ = write!(
                md,
                " {} |",
                catalog::format_value(m.format, catalog::metric_value(w, m.key))
            );
        }
        md.push('\n');
        if m.key == "roc_auc" {
            let _ = write!(
                md,
                "| ROC AUC {} CI (DeLong) |",
                confidence_label(report.settings.confidence)
            );
            for (_, w) in &windows {
                let ci = match w.roc_auc_ci {
                    Some([lo, hi]) if lo.is_finite() && hi.is_finite() => format!(
                        "{} – {}",
                        catalog::format_value(Format::Decimal, Some(lo)),
                        catalog::format_value(Format::Decimal, Some(hi))
                    ),
                    _ => "—".to_string(),
                };
                let _ = write!(md, " {ci} |");
            }
            md.push('\n');
        }
    }
    md.push('\n');
}

/// `0.95` → `95%`, `0.975` → `97.5%`.
fn confidence_label(confidence: f64) -> String {
    if !confidence.is_finite() {
        return "—".to_string();
    }
    let percent = (confidence * 100.0 * 1e6).round() / 1e6;
    format!("{percent}%")
}

fn write_rows(md: &mut String, report: &Report) {
    if report.input.files.is_empty() {
        return;
    }
    md.push_str("## Rows\n\n");
    md.push_str("| File | SHA-256 | Bytes | Rows | Used | Excluded |\n");
    md.push_str("|---|---|---:|---:|---:|---:|\n");
    let mut reasons: Vec<(String, String, u64)> = Vec::new();
    for f in &report.input.files {
        let excluded = f
            .rows_excluded
            .values()
            .fold(0u64, |acc, v| acc.saturating_add(*v));
        let name = escape_markdown_inline(&f.name);
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} | {} |",
            full_sha(&f.sha256),
            count(f.bytes),
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
                reasons.push((name.clone(), escape_markdown_inline(key), n));
            }
        }
    }
    md.push('\n');
    if !reasons.is_empty() {
        md.push_str("Excluded rows by reason:\n\n| File | Reason | Rows |\n|---|---|---:|\n");
        for (file, reason, n) in reasons {
            let _ = writeln!(md, "| {file} | {reason} | {} |", count(n));
        }
        md.push('\n');
    }
}

fn drift_value_format(column: &DriftColumn) -> Format {
    match column.method.as_str() {
        "ks" | "chi2" => Format::PValue,
        _ => Format::Decimal,
    }
}

fn write_drift(md: &mut String, columns: &[DriftColumn]) {
    md.push_str("## Drift (reference → current)\n\n");
    if columns.is_empty() {
        md.push_str("No columns were compared.\n\n");
        return;
    }
    let drifted = columns.iter().filter(|c| c.drifted).count();
    let _ = writeln!(
        md,
        "{drifted} of {} columns drifted by their default method.\n",
        columns.len()
    );
    md.push_str(
        "| Column | Role | Kind | Method | Value | Threshold | Drifted | PSI | Missing (ref → cur) |\n",
    );
    md.push_str("|---|---|---|---|---:|---:|---|---:|---:|\n");
    let ordered = columns
        .iter()
        .filter(|c| c.drifted)
        .chain(columns.iter().filter(|c| !c.drifted));
    for c in ordered {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} → {} |",
            escape_markdown_inline(&c.name),
            escape_markdown_inline(&c.role),
            escape_markdown_inline(&c.kind),
            escape_markdown_inline(&c.method),
            catalog::format_value(drift_value_format(c), c.value),
            if c.threshold.is_finite() {
                format!("{}", c.threshold)
            } else {
                "—".to_string()
            },
            if c.drifted { "⚠️ yes" } else { "no" },
            catalog::format_value(Format::Decimal, c.psi),
            catalog::format_value(Format::Percent, Some(c.missing_rate_reference)),
            catalog::format_value(Format::Percent, Some(c.missing_rate_current)),
        );
    }
    md.push('\n');
}

fn write_label_shift(md: &mut String, report: &Report) {
    let Some(ls) = report.label_shift.as_ref() else {
        return;
    };
    md.push_str("## Label shift\n\n| Positive rate | Value |\n|---|---:|\n");
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
            md,
            "| {label} | {} |",
            catalog::format_value(Format::Percent, v)
        );
    }
    md.push('\n');
}

/// Champion vs challengers (`report.models`): the per-model table and the paired tests against
/// the champion (see [`super::models`]).
fn write_models(md: &mut String, report: &Report) {
    let Some(m) = report.models.as_ref() else {
        return;
    };
    if m.comparisons.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Models\n\n{}\n", models::describe(m));
    let _ = writeln!(
        md,
        "| Model | Role | {} |\n|---|---|{}",
        models::MODEL_HEADERS.join(" | "),
        "---:|".repeat(models::MODEL_HEADERS.len())
    );
    // Cells are escaped too: an interval's brackets must not read as link text.
    let cells = |cells: &[String]| {
        cells
            .iter()
            .map(|c| escape_markdown_inline(c))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    for row in models::model_rows(m) {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            escape_markdown_inline(&row.column),
            escape_markdown_inline(&row.role),
            cells(&row.cells)
        );
    }
    let _ = writeln!(
        md,
        "\n| Challenger vs champion | Metric | {} |\n|---|---|{}",
        models::TEST_HEADERS.join(" | "),
        "---:|".repeat(models::TEST_HEADERS.len())
    );
    for row in models::test_rows(m) {
        let _ = writeln!(
            md,
            "| {} vs {} | {} | {} |",
            escape_markdown_inline(&row.challenger),
            escape_markdown_inline(&row.champion),
            row.metric,
            cells(&row.cells)
        );
    }
    md.push('\n');
}

fn write_settings(md: &mut String, report: &Report) {
    let s = &report.settings;
    let c = &report.input.columns;
    md.push_str("## Settings\n\n");
    let strategy = match s.strategy {
        crate::core::report::BinStrategy::Uniform => "equal width",
        crate::core::report::BinStrategy::Quantile => "equal mass",
    };
    let interval = match s.interval {
        crate::core::report::IntervalMethod::ClopperPearson => "Clopper–Pearson",
        crate::core::report::IntervalMethod::Wilson => "Wilson",
    };
    let _ = writeln!(md, "- Reliability bins: {} ({strategy})", s.bins);
    let _ = writeln!(
        md,
        "- Intervals: {interval}, confidence {}",
        confidence_label(s.confidence)
    );
    let _ = writeln!(
        md,
        "- Decision threshold: positive iff score ≥ {}",
        if s.threshold.is_finite() {
            format!("{}", s.threshold)
        } else {
            "—".to_string()
        }
    );
    let _ = writeln!(
        md,
        "- Windows: {}",
        describe_windows(&s.window, report.input.files.len())
    );
    let _ = writeln!(md, "- Log-loss clipping ε: {:e}", s.log_loss_eps);
    let name = |v: &Option<String>| {
        v.as_deref()
            .map_or_else(|| "—".to_string(), escape_markdown_inline)
    };
    let transform = match c.score_transform {
        crate::core::report::ScoreTransform::Identity => "probability as is",
        crate::core::report::ScoreTransform::Percent => "percentage ÷ 100",
        crate::core::report::ScoreTransform::Logit => "logit → probability",
    };
    let _ = writeln!(md, "- Score column: {} ({transform})", name(&c.score));
    let _ = writeln!(
        md,
        "- Label column: {} (positive class: {})",
        name(&c.label),
        name(&c.positive_label)
    );
    let optional = [
        ("Timestamp column", &c.timestamp),
        ("Model version column", &c.model_version),
        ("ID column", &c.id),
        ("Decision column", &c.decision),
    ];
    for (label, v) in optional {
        if v.is_some() {
            let _ = writeln!(md, "- {label}: {}", name(v));
        }
    }
    let list = |v: &[String]| {
        v.iter()
            .map(|s| escape_markdown_inline(s))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !c.segments.is_empty() {
        let _ = writeln!(md, "- Segments: {}", list(&c.segments));
    }
    if !c.features.is_empty() {
        let _ = writeln!(
            md,
            "- Features ({}): {}",
            c.features.len(),
            list(&c.features)
        );
    }
    md.push('\n');
}

/// The sign-off section: the reviewer's decision, or that none was recorded (never left out, so
/// an unsigned summary cannot pass for a signed one); an approval over failing gates names them.
fn write_signoff(md: &mut String, signoff: Option<&SignOff>, gates: Option<&GateReport>) {
    md.push_str("## Sign-off\n\n");
    let Some(s) = signoff else {
        let _ = writeln!(md, "⚠️ {}", crate::core::export::NO_DECISION);
        return;
    };
    let _ = writeln!(
        md,
        "- Decision: {} {}",
        s.decision.mark(),
        s.decision.label()
    );
    let _ = writeln!(md, "- Reviewer: {}", escape_markdown_inline(&s.reviewer));
    let _ = writeln!(md, "- Time: {}", escape_markdown_inline(&s.timestamp));
    let overridden = crate::core::export::overridden_gates(s.decision, gates);
    if !overridden.is_empty() {
        let list: Vec<String> = overridden
            .iter()
            .map(|g| escape_markdown_inline(&crate::core::export::describe_failed_gate(g)))
            .collect();
        let _ = writeln!(
            md,
            "- ⚠️ Approved although {} gate{} failed: {}.",
            overridden.len(),
            if overridden.len() == 1 { "" } else { "s" },
            list.join("; ")
        );
    }
    md.push_str("- Rationale:\n\n");
    if s.rationale.trim().is_empty() {
        md.push_str("> (no rationale given)\n");
    } else {
        md.push_str(&quote_block(s.rationale.trim()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        for &c in MARKDOWN_SPECIAL {
            assert_eq!(escape_markdown_inline(&c.to_string()), format!("\\{c}"));
        }
        assert_eq!(escape_markdown_inline("abc é 1 2"), "abc é 1 2");
        assert_eq!(escape_markdown_inline("a\nb\r\nc\td"), "a b  c d");
        assert_eq!(
            escape_markdown_inline("x\u{202E}y\u{0}z"),
            "x\u{FFFD}y\u{FFFD}z"
        );
        assert_eq!(
            escape_markdown_inline("<script>alert(1)</script>"),
            "\\<script\\>alert\\(1\\)\\</script\\>"
        );
    }

    #[test]
    fn quote_block_keeps_lines_and_escapes() {
        assert_eq!(quote_block("a\n\nb"), "> a\n>\n> b\n");
        assert_eq!(quote_block("  # h\n- x"), "> \\# h\\\n> \\- x\n");
        assert_eq!(quote_block("ends in \\"), "> ends in \\\\\n");
    }

    #[test]
    fn gate_values_never_look_like_the_limit_when_they_differ() {
        assert_eq!(format_gate_value(0.012345, Op::Le, 0.02), "0.0123");
        // 0.020001 rounds to 0.0200 at four decimals, which would look like a pass.
        assert_eq!(format_gate_value(0.020001, Op::Le, 0.02), "0.020001");
        assert_eq!(format_gate_value(0.02, Op::Le, 0.02), "0.0200");
        assert_eq!(format_gate_value(3.0, Op::Le, 0.0), "3");
        assert_eq!(format_gate_value(f64::NAN, Op::Le, 0.0), "—");
        assert_eq!(format_gate_value(1.5e-7, Op::Le, 0.02), "1.50e-7");
        let v = 0.1 + 0.2; // 0.30000000000000004
        assert_eq!(format_gate_value(v, Op::Le, 0.3), "0.30000000000000004");
    }
}
