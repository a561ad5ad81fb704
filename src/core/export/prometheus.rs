//! Prometheus recording and alerting rules (YAML) from [`AlertThreshold`]s, and an Alertmanager
//! routing policy (who is paged for what).
//!
//! The rules expect the model service to export these conventionally named metrics (see
//! `docs/monitoring.md`; every series may carry any labels, selected by
//! [`RulesOptions::selector`]):
//!
//! | metric | type | meaning |
//! |---|---|---|
//! | `plumb_predictions_total` | counter | predictions served (requests) |
//! | `plumb_request_errors_total` | counter | requests that failed (5xx / error flag) |
//! | `plumb_predicted_positive_total` | counter | predictions with score ≥ the decision threshold |
//! | `plumb_request_duration_seconds` | histogram | request latency, **seconds** |
//! | `plumb_prediction_score` | histogram | predicted probability, buckets 0.05, 0.1, …, 1 |
//! | `plumb_feature_missing_total{feature}` | counter | requests whose `feature` was missing |
//!
//! Recording rules compute each monitored quantity over a rate window equal to the reference
//! bucket width (so live values are comparable with the reference's variation); latency
//! thresholds are converted from milliseconds to seconds. Quantiles from a histogram are
//! estimated by `histogram_quantile` (linear within a bucket), so they are only as fine as the
//! buckets. The file format is Prometheus' rule file
//! (<https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/>); YAML is
//! written by the small emitter [`Yaml`] with every string double-quoted and escaped.

use crate::core::ops::{AlertThreshold, Band, Granularity};
use std::fmt::Write as _;

/// A YAML value, written in block style with double-quoted strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    /// A string (always double-quoted).
    Str(String),
    /// A number (shortest round-trip decimal).
    Num(f64),
    /// A mapping with keys in the given order (keys must be plain identifiers).
    Map(Vec<(String, Yaml)>),
    /// A sequence.
    Seq(Vec<Yaml>),
}

/// A double-quoted YAML scalar: `\`, `"` and every control character escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as PromQL and YAML both read it: shortest round-trip decimal, exponent form for
/// very large or small magnitudes; non-finite numbers as PromQL's `+Inf`/`-Inf`/`NaN`.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let a = x.abs();
    if a == 0.0 || (1e-6..1e15).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

impl Yaml {
    /// Shorthand for a string value.
    pub fn s(v: impl Into<String>) -> Yaml {
        Yaml::Str(v.into())
    }

    /// Shorthand for a mapping.
    pub fn map(pairs: Vec<(&str, Yaml)>) -> Yaml {
        Yaml::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    /// The value as a YAML document.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.emit(&mut out, 0);
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out
    }

    fn inline(&self) -> Option<String> {
        match self {
            Yaml::Str(s) => Some(quote(s)),
            Yaml::Num(x) if x.is_finite() => Some(number(*x)),
            Yaml::Num(x) => Some(quote(&number(*x))),
            Yaml::Map(m) if m.is_empty() => Some("{}".into()),
            Yaml::Seq(s) if s.is_empty() => Some("[]".into()),
            _ => None,
        }
    }

    fn emit(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        match self {
            Yaml::Map(m) if !m.is_empty() => {
                for (k, v) in m {
                    match v.inline() {
                        Some(s) => {
                            let _ = writeln!(out, "{pad}{k}: {s}");
                        }
                        None => {
                            let _ = writeln!(out, "{pad}{k}:");
                            let child = if matches!(v, Yaml::Seq(_)) {
                                indent
                            } else {
                                indent + 2
                            };
                            v.emit(out, child);
                        }
                    }
                }
            }
            Yaml::Seq(items) if !items.is_empty() => {
                for item in items {
                    match item.inline() {
                        Some(s) => {
                            let _ = writeln!(out, "{pad}- {s}");
                        }
                        None => {
                            // Emit the child at indent + 2, then put the dash on its first line.
                            let mut child = String::new();
                            item.emit(&mut child, indent + 2);
                            let rest = child.get(indent + 2..).unwrap_or("");
                            let _ = write!(out, "{pad}- {rest}");
                        }
                    }
                }
            }
            other => {
                let _ = writeln!(out, "{pad}{}", other.inline().unwrap_or_default());
            }
        }
    }
}

/// Options of the exported rules; [`RulesOptions::for_granularity`] gives the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RulesOptions {
    /// PromQL label matchers put inside every selector, e.g. `model="fraud",env="prod"`
    /// (empty: all series).
    pub selector: String,
    /// Rate window of the recording rules, a Prometheus duration (default: one bucket).
    pub window: String,
    /// `for:` of warning alerts.
    pub warning_for: String,
    /// `for:` of critical alerts.
    pub critical_for: String,
    /// Rule group name prefix.
    pub group: String,
}

impl RulesOptions {
    /// Defaults for reference buckets of `g`: window = one bucket; `for:` 5m/2m (minute),
    /// 30m/10m (hour), 2h/1h (day) for warning/critical.
    pub fn for_granularity(g: Granularity) -> Self {
        let (w, c) = match g {
            Granularity::Minute => ("5m", "2m"),
            Granularity::Hour => ("30m", "10m"),
            Granularity::Day => ("2h", "1h"),
        };
        Self {
            selector: String::new(),
            window: g.promql().into(),
            warning_for: w.into(),
            critical_for: c.into(),
            group: "plumb".into(),
        }
    }
}

/// Who owns a quantity: `platform` (serving), `ml` (the model) or `data` (input pipeline).
pub fn owner(quantity: &str) -> &'static str {
    match quantity {
        "request_rate" | "error_rate" | "latency_p50" | "latency_p95" | "latency_p99" => "platform",
        q if q.starts_with("missing_rate:") => "data",
        _ => "ml",
    }
}

/// First steps for a responder, by the quantity's likely root causes.
pub fn first_steps(quantity: &str) -> &'static str {
    match quantity {
        "request_rate" => {
            "1. Check upstream callers and the load balancer for an outage or a traffic shift. \
             2. Check recent deploys of callers and of the model service. \
             3. A sudden rise may be a retry storm: check client error rates."
        }
        "error_rate" => {
            "1. Read the service logs for the failing requests (5xx). \
             2. Check the last deploy and roll back if it coincides. \
             3. Check dependencies: feature store, model artefact storage, memory limits."
        }
        "latency_p50" | "latency_p95" | "latency_p99" => {
            "1. Check CPU/memory saturation and replica count (autoscaling). \
             2. Check feature-store and downstream latency. \
             3. Check for larger payloads or a new model version with a heavier graph."
        }
        q if q.starts_with("missing_rate:") => {
            "1. Check the upstream pipeline that produces this feature (schema change, failed \
             job, renamed field). 2. Compare with the reference in Plumb (quality checks). \
             3. If the model imputes, expect a score shift: watch the score alerts."
        }
        _ => {
            "1. Run `plumb` on a reference log and a recent log: read the drift table and the \
             diagnosis (covariate shift, label shift, or a change of the score-outcome relation). \
             2. Check for a model version change or a feature pipeline change at the same time. \
             3. If labels are available, check calibration before acting on thresholds."
        }
    }
}

struct Quantity {
    record: String,
    expr: String,
    scale: f64,
    alert: String,
    matcher: String,
    unit: &'static str,
}

fn sel(opts: &RulesOptions, extra: &str) -> String {
    let parts: Vec<&str> = [opts.selector.as_str(), extra]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

/// PromQL string literal contents: `\` and `"` escaped.
fn promql_str(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn quantity(q: &str, o: &RulesOptions) -> Option<Quantity> {
    let w = &o.window;
    let total = format!("sum(rate(plumb_predictions_total{}[{w}]))", sel(o, ""));
    let hq = |metric: &str, p: &str, name: &str, unit| {
        let qv: f64 = p.parse::<f64>().ok()? / 100.0;
        Some(Quantity {
            record: format!("plumb:{name}:p{p}_rate{w}"),
            expr: format!(
                "histogram_quantile({}, sum by (le) (rate({metric}_bucket{}[{w}])))",
                number(qv),
                sel(o, "")
            ),
            scale: if unit == "s" { 1e-3 } else { 1.0 },
            alert: String::new(),
            matcher: String::new(),
            unit,
        })
    };
    let mut out = match q {
        "request_rate" => Quantity {
            record: format!("plumb:predictions:rate{w}"),
            expr: total.clone(),
            scale: 1.0,
            alert: String::new(),
            matcher: String::new(),
            unit: "req/s",
        },
        "error_rate" => Quantity {
            record: format!("plumb:request_errors:ratio_rate{w}"),
            expr: format!(
                "sum(rate(plumb_request_errors_total{}[{w}])) / {total}",
                sel(o, "")
            ),
            scale: 1.0,
            alert: String::new(),
            matcher: String::new(),
            unit: "ratio",
        },
        "predicted_positive_rate" => Quantity {
            record: format!("plumb:predicted_positive:ratio_rate{w}"),
            expr: format!(
                "sum(rate(plumb_predicted_positive_total{}[{w}])) / {total}",
                sel(o, "")
            ),
            scale: 1.0,
            alert: String::new(),
            matcher: String::new(),
            unit: "ratio",
        },
        _ => {
            if let Some(p) = q.strip_prefix("latency_p") {
                hq(
                    "plumb_request_duration_seconds",
                    p,
                    "request_duration_seconds",
                    "s",
                )?
            } else if let Some(p) = q.strip_prefix("score_p") {
                hq("plumb_prediction_score", p, "prediction_score", "score")?
            } else if let Some(f) = q.strip_prefix("missing_rate:") {
                Quantity {
                    record: format!("plumb:feature_missing:ratio_rate{w}"),
                    expr: format!(
                        "sum by (feature) (rate(plumb_feature_missing_total{}[{w}])) / \
                         ignoring(feature) group_left {total}",
                        sel(o, "")
                    ),
                    scale: 1.0,
                    alert: format!("PlumbFeatureMissing{}", camel(f)),
                    matcher: format!("{{feature=\"{}\"}}", promql_str(f)),
                    unit: "ratio",
                }
            } else {
                return None;
            }
        }
    };
    if out.alert.is_empty() {
        out.alert = format!("Plumb{}", camel(q));
    }
    Some(out)
}

/// Text safe inside alert labels and annotations (Go templates): braces removed.
fn plain(s: &str) -> String {
    s.chars().filter(|c| *c != '{' && *c != '}').collect()
}

fn alert_rules(t: &AlertThreshold, q: &Quantity, o: &RulesOptions) -> Vec<Yaml> {
    let mut rules = Vec::new();
    let levels: [(&str, &Band, &str); 2] = [
        ("critical", &t.critical, &o.critical_for),
        ("warning", &t.warning, &o.warning_for),
    ];
    for (severity, band, for_) in levels {
        let sides = [("High", ">", band.upper), ("Low", "<", band.lower)];
        for (side, op, level) in sides {
            let Some(level) = level else { continue };
            let scaled = level * q.scale;
            let what = plain(&t.quantity);
            rules.push(Yaml::map(vec![
                ("alert", Yaml::s(format!("{}{side}", q.alert))),
                (
                    "expr",
                    Yaml::s(format!("{}{} {op} {}", q.record, q.matcher, number(scaled))),
                ),
                ("for", Yaml::s(for_)),
                (
                    "labels",
                    Yaml::map(vec![
                        ("severity", Yaml::s(severity)),
                        ("team", Yaml::s(owner(&t.quantity))),
                        ("quantity", Yaml::s(plain(&t.quantity))),
                    ]),
                ),
                (
                    "annotations",
                    Yaml::map(vec![
                        (
                            "summary",
                            Yaml::s(format!(
                                "{what} {} {} ({severity})",
                                if op == ">" { "above" } else { "below" },
                                number(scaled)
                            )),
                        ),
                        (
                            "description",
                            Yaml::s(format!(
                                "{what} is {{{{ $value }}}} {}; {severity} level {} {}. \
                                 Reference mean {} (σ {}), {}.",
                                q.unit,
                                if op == ">" { "above" } else { "below" },
                                number(scaled),
                                number(t.mean * q.scale),
                                number(t.std * q.scale),
                                plain(&t.basis)
                            )),
                        ),
                        ("first_steps", Yaml::s(first_steps(&t.quantity))),
                    ]),
                ),
            ]));
        }
    }
    rules
}

/// The Prometheus rule file: one group of recording rules (one per monitored quantity) and one
/// group of alerting rules (critical and warning, per bad side of each threshold), preceded by
/// a comment summarising the alerting policy. Quantities Plumb does not know are skipped.
pub fn rules_yaml(thresholds: &[AlertThreshold], opts: &RulesOptions) -> String {
    let mut records: Vec<(String, String)> = Vec::new();
    let mut alerts = Vec::new();
    for t in thresholds {
        let Some(q) = quantity(&t.quantity, opts) else {
            continue;
        };
        if !records.iter().any(|(r, _)| *r == q.record) {
            records.push((q.record.clone(), q.expr.clone()));
        }
        alerts.extend(alert_rules(t, &q, opts));
    }
    let recording: Vec<Yaml> = records
        .into_iter()
        .map(|(r, e)| Yaml::map(vec![("record", Yaml::s(r)), ("expr", Yaml::s(e))]))
        .collect();
    let doc = Yaml::map(vec![(
        "groups",
        Yaml::Seq(vec![
            Yaml::map(vec![
                ("name", Yaml::s(format!("{}-recording", opts.group))),
                ("rules", Yaml::Seq(recording)),
            ]),
            Yaml::map(vec![
                ("name", Yaml::s(format!("{}-alerts", opts.group))),
                ("rules", Yaml::Seq(alerts)),
            ]),
        ]),
    )]);
    let mut out = String::from(
        "# Prometheus rules written by Plumb (plumb.report/v1). Thresholds come from the\n\
         # reference window's variation across buckets; edit them freely.\n\
         # Alerting policy: severity=critical pages the owning team, severity=warning opens a\n\
         # ticket. team=platform: request rate, errors, latency (serving). team=ml: score\n\
         # quantiles and predicted-positive rate (the model). team=data: missing features\n\
         # (input pipeline). Each alert's first_steps annotation lists what to check first.\n\
         # Routing for Alertmanager: see plumb-alertmanager.yml.\n",
    );
    out.push_str(&doc.to_yaml());
    out
}

/// An Alertmanager configuration implementing the policy: critical alerts page the owning
/// team, warnings go to its ticket queue, and a critical alert silences the warning of the
/// same alert. Receivers are placeholders to fill in (no integrations configured).
pub fn policy_yaml() -> String {
    let mut routes = Vec::new();
    let mut receivers = vec![Yaml::map(vec![("name", Yaml::s("plumb-default"))])];
    for team in ["platform", "ml", "data"] {
        for (severity, kind) in [("critical", "pager"), ("warning", "tickets")] {
            let name = format!("{team}-{kind}");
            routes.push(Yaml::map(vec![
                ("receiver", Yaml::s(name.clone())),
                (
                    "matchers",
                    Yaml::Seq(vec![
                        Yaml::s(format!("team=\"{team}\"")),
                        Yaml::s(format!("severity=\"{severity}\"")),
                    ]),
                ),
            ]));
            receivers.push(Yaml::map(vec![("name", Yaml::s(name))]));
        }
    }
    let doc = Yaml::map(vec![
        (
            "route",
            Yaml::map(vec![
                ("receiver", Yaml::s("plumb-default")),
                (
                    "group_by",
                    Yaml::Seq(vec![Yaml::s("alertname"), Yaml::s("quantity")]),
                ),
                ("routes", Yaml::Seq(routes)),
            ]),
        ),
        ("receivers", Yaml::Seq(receivers)),
        (
            "inhibit_rules",
            Yaml::Seq(vec![Yaml::map(vec![
                (
                    "source_matchers",
                    Yaml::Seq(vec![Yaml::s("severity=\"critical\"")]),
                ),
                (
                    "target_matchers",
                    Yaml::Seq(vec![Yaml::s("severity=\"warning\"")]),
                ),
                (
                    "equal",
                    Yaml::Seq(vec![Yaml::s("alertname"), Yaml::s("quantity")]),
                ),
            ])]),
        ),
    ]);
    let mut out = String::from(
        "# Alertmanager routing written by Plumb: fill in each receiver's integration\n\
         # (pagerduty_configs, slack_configs, ...). critical → pager, warning → tickets.\n",
    );
    out.push_str(&doc.to_yaml());
    out
}

/// The recording-rule name, PromQL expression and unit scale (threshold × scale = value in the
/// metric's unit) of a quantity, as used by the rules and the Grafana dashboard.
pub fn recording_rule(name: &str, opts: &RulesOptions) -> Option<(String, String, f64)> {
    quantity(name, opts).map(|q| (format!("{}{}", q.record, q.matcher), q.expr, q.scale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_everything() {
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quote("\u{1}"), "\"\\u0001\"");
        assert_eq!(number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(number(1e-9), "1e-9");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn nested_block_style() {
        let y = Yaml::map(vec![(
            "groups",
            Yaml::Seq(vec![Yaml::map(vec![
                ("name", Yaml::s("g")),
                ("rules", Yaml::Seq(vec![])),
            ])]),
        )]);
        assert_eq!(y.to_yaml(), "groups:\n- name: \"g\"\n  rules: []\n");
    }

    #[test]
    fn owners_and_names() {
        assert_eq!(owner("latency_p95"), "platform");
        assert_eq!(owner("missing_rate:x1"), "data");
        assert_eq!(owner("score_p50"), "ml");
        assert_eq!(camel("missing_rate:x1"), "MissingRateX1");
        let o = RulesOptions::for_granularity(Granularity::Hour);
        let (r, _, s) = recording_rule("latency_p95", &o).unwrap();
        assert_eq!(r, "plumb:request_duration_seconds:p95_rate1h");
        assert_eq!(s, 1e-3);
        assert!(recording_rule("nonsense", &o).is_none());
    }
}
