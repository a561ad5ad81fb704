//! Golden tests of the operational view and the alert exports.
//!
//! Goldens: `tests/fixtures/goldens/ops.json`, written by `tests/fixtures/make_goldens_ops.py`
//! (pandas/numpy) from `tests/fixtures/ops/ops_log.csv`. Exported rules are parsed back with
//! serde_yaml and, when `promtool` is installed, checked with `promtool check rules`.

use plumb::core::analysis;
use plumb::core::error::PlumbError;
use plumb::core::export::{grafana, prometheus};
use plumb::core::ops::{self, AlertThreshold, Granularity, OpsReport};
use plumb::core::report::Settings;
use serde_json::Value;

struct Log {
    timestamps: Vec<f64>,
    scores: Vec<f64>,
    latency: Vec<f64>,
    errors: Vec<Option<u8>>,
    x1_missing: Vec<bool>,
}

fn read_log() -> Log {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ops/ops_log.csv"
    );
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut log = Log {
        timestamps: vec![],
        scores: vec![],
        latency: vec![],
        errors: vec![],
        x1_missing: vec![],
    };
    for rec in r.records() {
        let rec = rec.unwrap();
        let num = |i: usize| rec[i].parse::<f64>().unwrap_or(f64::NAN);
        log.timestamps.push(num(0));
        log.scores.push(num(1));
        log.latency.push(num(3));
        log.errors.push(ops::error_flag(&rec[4]));
        log.x1_missing.push(rec[5].is_empty());
    }
    log
}

fn golden() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/goldens/ops.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn check_opt(what: &str, got: Option<f64>, want: &Value) {
    match (got, want.as_f64()) {
        (Some(g), Some(w)) => assert!(close(g, w), "{what}: {g} vs {w}"),
        (None, None) => {}
        _ => panic!("{what}: {got:?} vs {want}"),
    }
}

fn report(log: &Log, g: Granularity) -> OpsReport {
    let mut r = ops::summary(
        &log.timestamps,
        &log.scores,
        Some(&log.latency),
        Some(&log.errors),
        0.5,
        g,
    )
    .unwrap();
    r.missing
        .push(ops::missing_rates(&log.timestamps, g, "x1", &log.x1_missing).unwrap());
    r
}

fn check_against_golden(g: Granularity, key: &str) -> Vec<AlertThreshold> {
    let log = read_log();
    let r = report(&log, g);
    check_report(&r, key);
    ops::alert_thresholds(&r)
}

/// Every bucket of `r` (whose `x1` missing rates are among `r.missing`) and every threshold
/// derived from it against the pandas golden `key`.
fn check_report(r: &OpsReport, key: &str) {
    let gold = golden();
    let x1 = r.missing.iter().find(|m| m.feature == "x1").unwrap();
    let want = gold[key]["buckets"].as_array().unwrap();
    assert_eq!(r.buckets.len(), want.len());
    assert_eq!(r.rows_without_timestamp, 0);
    for (i, (b, w)) in r.buckets.iter().zip(want).enumerate() {
        assert_eq!(b.start, w["start"].as_i64().unwrap());
        assert_eq!(b.requests, w["requests"].as_u64().unwrap());
        assert!(close(b.rate_per_s, w["rate_per_s"].as_f64().unwrap()));
        check_opt("latency_p50", b.latency_p50, &w["latency_p50"]);
        check_opt("latency_p95", b.latency_p95, &w["latency_p95"]);
        check_opt("latency_p99", b.latency_p99, &w["latency_p99"]);
        check_opt("error_rate", b.error_rate, &w["error_rate"]);
        check_opt("score_p10", b.score_p10, &w["score_p10"]);
        check_opt("score_p50", b.score_p50, &w["score_p50"]);
        check_opt("score_p90", b.score_p90, &w["score_p90"]);
        check_opt(
            "ppr",
            b.predicted_positive_rate,
            &w["predicted_positive_rate"],
        );
        assert!(close(x1.rates[i], w["x1_missing_rate"].as_f64().unwrap()));
    }
    // The golden covers the x1 missing rate; other features' levels are checked elsewhere.
    let mut th = ops::alert_thresholds(r);
    th.retain(|t| !t.quantity.starts_with("missing_rate:") || t.quantity == "missing_rate:x1");
    let want = gold[key]["thresholds"].as_array().unwrap();
    assert_eq!(th.len(), want.len());
    for (t, w) in th.iter().zip(want) {
        assert_eq!(t.quantity, w["quantity"].as_str().unwrap());
        assert_eq!(t.buckets, w["buckets"].as_u64().unwrap());
        assert!(close(t.mean, w["mean"].as_f64().unwrap()), "{}", t.quantity);
        assert!(close(t.std, w["std"].as_f64().unwrap()), "{}", t.quantity);
        check_opt(&t.quantity, t.sampling_std, &w["sampling_std"]);
        for (band, name) in [(&t.warning, "warning"), (&t.critical, "critical")] {
            check_opt(&t.quantity, band.lower, &w[name]["lower"]);
            check_opt(&t.quantity, band.upper, &w[name]["upper"]);
        }
    }
}

#[test]
fn hourly_summary_and_thresholds_match_pandas() {
    let th = check_against_golden(Granularity::Hour, "hour");
    assert_eq!(th.len(), 10);
}

#[test]
fn daily_summary_and_thresholds_match_pandas() {
    check_against_golden(Granularity::Day, "day");
}

#[test]
fn auto_granularity_of_the_fixture_is_hourly() {
    // 48 hours, ~45 rows an hour: minutes would average < 20 rows.
    assert_eq!(
        Granularity::auto(&read_log().timestamps),
        Some(Granularity::Hour)
    );
}

fn hourly_thresholds() -> Vec<AlertThreshold> {
    let log = read_log();
    ops::alert_thresholds(&report(&log, Granularity::Hour))
}

/// The numeric literal after the comparison operator of an alert expression.
fn level_of(expr: &str) -> f64 {
    expr.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn rules_parse_back_and_carry_the_thresholds() {
    let th = hourly_thresholds();
    let mut opts = prometheus::RulesOptions::for_granularity(Granularity::Hour);
    opts.selector = "model=\"fraud \\\"v2\\\"\"".into();
    let text = prometheus::rules_yaml(&th, &opts);
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let groups = doc["groups"].as_sequence().unwrap();
    assert_eq!(groups.len(), 2);
    let records = groups[0]["rules"].as_sequence().unwrap();
    // One recording rule per quantity (10 thresholds, all known).
    assert_eq!(records.len(), 10);
    for r in records {
        let expr = r["expr"].as_str().unwrap();
        assert!(expr.contains("[1h]"), "{expr}");
        assert!(expr.contains("model=\"fraud \\\"v2\\\"\""), "{expr}");
    }
    let alerts = groups[1]["rules"].as_sequence().unwrap();
    let mut expected = 0;
    for t in &th {
        let (record, _, scale) = prometheus::recording_rule(&t.quantity, &opts).unwrap();
        for (sev, band) in [("critical", &t.critical), ("warning", &t.warning)] {
            for (op, level) in [(">", band.upper), ("<", band.lower)] {
                let Some(level) = level else { continue };
                expected += 1;
                let hit = alerts.iter().find(|a| {
                    a["labels"]["severity"].as_str() == Some(sev)
                        && a["labels"]["quantity"].as_str() == Some(t.quantity.as_str())
                        && a["expr"]
                            .as_str()
                            .unwrap()
                            .starts_with(&format!("{record} {op} "))
                });
                let a = hit.unwrap_or_else(|| panic!("{} {sev} {op}", t.quantity));
                // The literal round-trips exactly to the (unit-scaled) threshold.
                assert_eq!(level_of(a["expr"].as_str().unwrap()), level * scale);
                let for_ = if sev == "critical" { "10m" } else { "30m" };
                assert_eq!(a["for"].as_str(), Some(for_));
                assert!(!a["annotations"]["first_steps"].as_str().unwrap().is_empty());
                assert_eq!(
                    a["labels"]["team"].as_str(),
                    Some(prometheus::owner(&t.quantity))
                );
            }
        }
    }
    assert_eq!(alerts.len(), expected);
    // Latency thresholds are in seconds in the rules.
    let p99 = th.iter().find(|t| t.quantity == "latency_p99").unwrap();
    let a = alerts
        .iter()
        .find(|a| a["labels"]["quantity"].as_str() == Some("latency_p99"))
        .unwrap();
    assert!(close(
        level_of(a["expr"].as_str().unwrap()),
        p99.critical.upper.unwrap() / 1000.0
    ));
    promtool_check(&text, "rules");
}

/// `promtool check rules` on the text, when promtool is installed (Debian: `prometheus`).
fn promtool_check(text: &str, tag: &str) {
    let dir = std::env::temp_dir().join(format!("plumb-ops-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rules.yml");
    std::fs::write(&file, text).unwrap();
    match std::process::Command::new("promtool")
        .arg("check")
        .arg("rules")
        .arg(&file)
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "promtool rejected the rules:\n{}\n{}\n{text}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("promtool not available ({e}); skipped its check"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hostile_feature_names_stay_valid() {
    let log = read_log();
    let mut r = report(&log, Granularity::Hour);
    r.missing[0].feature = "we\"ird {{ $x }} \\ name\nline".into();
    let th = ops::alert_thresholds(&r);
    let opts = prometheus::RulesOptions::for_granularity(Granularity::Hour);
    let text = prometheus::rules_yaml(&th, &opts);
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let alerts = doc["groups"][1]["rules"].as_sequence().unwrap();
    let a = alerts
        .iter()
        .find(|a| {
            a["labels"]["quantity"]
                .as_str()
                .is_some_and(|q| q.starts_with("missing_rate:"))
        })
        .unwrap();
    assert_eq!(
        a["labels"]["quantity"].as_str().unwrap(),
        // Labels are Go templates in Prometheus: braces are dropped from them.
        "missing_rate:we\"ird  $x  \\ name\nline"
    );
    assert!(
        a["expr"]
            .as_str()
            .unwrap()
            .contains(r#"{feature="we\"ird {{ $x }} \\ name\nline"}"#)
    );
    promtool_check(&text, "hostile");
}

#[test]
fn alertmanager_policy_parses_and_routes_every_team() {
    let doc: serde_yaml::Value = serde_yaml::from_str(&prometheus::policy_yaml()).unwrap();
    let routes = doc["route"]["routes"].as_sequence().unwrap();
    assert_eq!(routes.len(), 6);
    let receivers: Vec<&str> = doc["receivers"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    for r in routes {
        assert!(receivers.contains(&r["receiver"].as_str().unwrap()));
    }
    for team in ["platform", "ml", "data"] {
        assert!(receivers.contains(&format!("{team}-pager").as_str()));
    }
    assert_eq!(
        doc["inhibit_rules"][0]["source_matchers"][0].as_str(),
        Some("severity=\"critical\"")
    );
}

#[test]
fn grafana_dashboard_has_a_panel_per_threshold_with_its_levels() {
    let th = hourly_thresholds();
    let opts = prometheus::RulesOptions::for_granularity(Granularity::Hour);
    let d = grafana::dashboard_json(&th, &opts, "Fraud model");
    // Round-trips through text.
    let d: Value = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
    let panels = d["panels"].as_array().unwrap();
    assert_eq!(panels.len(), th.len());
    for (p, t) in panels.iter().zip(&th) {
        let (record, _, scale) = prometheus::recording_rule(&t.quantity, &opts).unwrap();
        assert_eq!(p["targets"][0]["expr"].as_str().unwrap(), record);
        let steps: Vec<f64> = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["value"].as_f64())
            .collect();
        for level in [
            t.warning.lower,
            t.warning.upper,
            t.critical.lower,
            t.critical.upper,
        ]
        .into_iter()
        .flatten()
        {
            assert!(steps.contains(&(level * scale)), "{} {level}", t.quantity);
        }
        // Grafana needs ascending steps.
        assert!(steps.windows(2).all(|w| w[0] <= w[1]), "{}", t.quantity);
    }
}

fn manual(
    quantity: &str,
    warning: (Option<f64>, Option<f64>),
    critical: (Option<f64>, Option<f64>),
) -> AlertThreshold {
    use plumb::core::ops::{Band, Direction};
    AlertThreshold {
        quantity: quantity.into(),
        warning: Band {
            lower: warning.0,
            upper: warning.1,
        },
        critical: Band {
            lower: critical.0,
            upper: critical.1,
        },
        direction: Direction::Both,
        basis: "set by hand".into(),
        mean: 0.0,
        std: 0.0,
        sampling_std: None,
        buckets: 2,
    }
}

/// `promtool test rules`: synthetic series make the exported alerts fire (or not) as intended,
/// including the ms → s conversion of latency levels and the per-feature missing rate.
#[test]
fn promtool_unit_test_alerts_fire_as_intended() {
    let th = vec![
        manual("error_rate", (None, Some(0.05)), (None, Some(0.1))),
        manual("latency_p95", (None, Some(150.0)), (None, Some(300.0))),
        manual(
            "request_rate",
            (Some(1.0), Some(1000.0)),
            (Some(0.5), Some(2000.0)),
        ),
        manual("missing_rate:x1", (None, Some(0.1)), (None, Some(0.2))),
    ];
    let opts = prometheus::RulesOptions::for_granularity(Granularity::Minute);
    let rules = prometheus::rules_yaml(&th, &opts);
    // 100 requests per 15 s (6.7/s), 25 % errors, all latencies in (0.1 s, 0.2 s] (p95 ≈ 195 ms:
    // above the 150 ms warning, below the 300 ms critical), x1 missing in half the requests.
    let test = r#"rule_files: [rules.yml]
evaluation_interval: 15s
tests:
- interval: 15s
  input_series:
  - series: 'plumb_predictions_total'
    values: '0+100x60'
  - series: 'plumb_request_errors_total'
    values: '0+25x60'
  - series: 'plumb_feature_missing_total{feature="x1"}'
    values: '0+50x60'
  - series: 'plumb_request_duration_seconds_bucket{le="0.1"}'
    values: '0+0x60'
  - series: 'plumb_request_duration_seconds_bucket{le="0.2"}'
    values: '0+100x60'
  - series: 'plumb_request_duration_seconds_bucket{le="+Inf"}'
    values: '0+100x60'
  promql_expr_test:
  - expr: ALERTS{alertstate="firing"}
    eval_time: 10m
    exp_samples:
    - labels: 'ALERTS{alertname="PlumbErrorRateHigh", alertstate="firing", severity="critical", team="platform", quantity="error_rate"}'
      value: 1
    - labels: 'ALERTS{alertname="PlumbErrorRateHigh", alertstate="firing", severity="warning", team="platform", quantity="error_rate"}'
      value: 1
    - labels: 'ALERTS{alertname="PlumbLatencyP95High", alertstate="firing", severity="warning", team="platform", quantity="latency_p95"}'
      value: 1
    - labels: 'ALERTS{alertname="PlumbFeatureMissingX1High", alertstate="firing", severity="critical", team="data", quantity="missing_rate:x1", feature="x1"}'
      value: 1
    - labels: 'ALERTS{alertname="PlumbFeatureMissingX1High", alertstate="firing", severity="warning", team="data", quantity="missing_rate:x1", feature="x1"}'
      value: 1
  - expr: ALERTS{alertstate="firing"}
    eval_time: 1m
    exp_samples: []
"#;
    let dir = std::env::temp_dir().join(format!("plumb-ops-{}-unit", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("rules.yml"), &rules).unwrap();
    std::fs::write(dir.join("test.yml"), test).unwrap();
    match std::process::Command::new("promtool")
        .arg("test")
        .arg("rules")
        .arg(dir.join("test.yml"))
        .output()
    {
        Ok(out) => assert!(
            out.status.success(),
            "promtool test failed:\n{}\n{}\n{rules}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("promtool not available ({e}); skipped"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn load_fixture() -> plumb::core::analysis::LoadedFile {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ops/ops_log.csv"
    );
    plumb::core::analysis::load_file("ops_log.csv", &std::fs::read(path).unwrap()).unwrap()
}

fn settings(g: Option<Granularity>) -> Settings {
    Settings {
        bootstrap: 0,
        ops_granularity: g,
        ..Settings::default()
    }
}

/// The report's `operations` section (what the browser's Operations view shows) carries the
/// same numbers as pandas, hourly by default and daily when chosen, with x1 and x2 missing
/// rates, and proposes exactly the thresholds of `ops::alert_thresholds`.
#[test]
fn report_operations_match_pandas_at_each_granularity() {
    let file = load_fixture();
    let mapping = analysis::detect_mapping(&file);
    assert_eq!(mapping.latency.as_deref(), Some("latency_ms"));
    assert_eq!(mapping.status.as_deref(), Some("status"));
    for (g, key) in [(None, "hour"), (Some(Granularity::Day), "day")] {
        let report = analysis::analyze_single(&file, &mapping, &settings(g), "test").unwrap();
        let ops = report.operations.as_ref().unwrap();
        assert_eq!(ops.reference.granularity.key(), key);
        assert_eq!(ops.granularities, Granularity::ALL.to_vec());
        assert!(ops.has_latency && ops.has_status);
        assert!(ops.current.is_none());
        let features: Vec<&str> = ops
            .reference
            .missing
            .iter()
            .map(|m| m.feature.as_str())
            .collect();
        assert_eq!(features, ["x1", "x2"]);
        check_report(&ops.reference, key);
        assert_eq!(ops.thresholds, ops::alert_thresholds(&ops.reference));
        // It round-trips through the JSON schema.
        let json = analysis::report_json(&report).unwrap();
        let back: plumb::core::report::Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back.operations, report.operations);
    }
}

/// No timestamp: no operations section (and no `operations` key in the JSON). A chosen
/// granularity that would give too many buckets is a typed error naming the setting.
#[test]
fn operations_need_a_timestamp_and_a_sane_granularity() {
    let file = load_fixture();
    let mut mapping = analysis::detect_mapping(&file);
    mapping.timestamp = None;
    let report = analysis::analyze_single(&file, &mapping, &settings(None), "test").unwrap();
    assert!(report.operations.is_none());
    assert!(
        !analysis::report_json(&report)
            .unwrap()
            .contains("\"operations\"")
    );

    // Two rows 30 days apart: 43 201 minute buckets is too many; hour is fine.
    let csv = "timestamp,score,label\n2026-01-01T00:00:00Z,0.2,0\n2026-01-31T00:00:00Z,0.7,1\n";
    let file = analysis::load_file("long.csv", csv.as_bytes()).unwrap();
    let mapping = analysis::detect_mapping(&file);
    let err = analysis::analyze_single(
        &file,
        &mapping,
        &settings(Some(Granularity::Minute)),
        "test",
    )
    .unwrap_err();
    assert!(
        matches!(&err, PlumbError::InvalidSetting { setting, .. } if setting == "ops_granularity"),
        "{err}"
    );
    let ok = analysis::analyze_single(&file, &mapping, &settings(Some(Granularity::Hour)), "test")
        .unwrap();
    let ops = ok.operations.unwrap();
    assert_eq!(ops.reference.buckets.len(), 2);
    assert!(!ops.has_latency && !ops.has_status);
    assert_eq!(ops.reference.buckets[0].latency_p95, None);
}

/// Two files: the current file is summarised in the reference's bucket width.
#[test]
fn two_files_summarise_the_current_file_too() {
    let file = load_fixture();
    let mapping = analysis::detect_mapping(&file);
    let report = analysis::analyze(
        &analysis::Request {
            reference: &file,
            current: Some(&file),
            mapping: &mapping,
            settings: &settings(Some(Granularity::Day)),
            window: plumb::core::report::WindowSpec::TwoFiles,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap();
    let ops = report.operations.unwrap();
    assert_eq!(ops.current.as_ref(), Some(&ops.reference));
    check_report(ops.current.as_ref().unwrap(), "day");
}

fn export_golden(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/export/alerts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

/// The exports of the report's levels (what the browser downloads when nothing is edited) are
/// byte-identical to the committed files `plumb alerts` wrote (tests/cli.rs checks the CLI
/// still writes exactly these).
#[test]
fn report_levels_export_byte_identical_to_the_cli_golden() {
    let file = load_fixture();
    let mapping = analysis::detect_mapping(&file);
    let report = analysis::analyze_single(&file, &mapping, &settings(None), "test").unwrap();
    let ops = report.operations.unwrap();
    let files = analysis::monitoring_files(&ops.thresholds, ops.reference.granularity, &file.name);
    assert_eq!(files.rules_yaml, export_golden("plumb-rules.yml"));
    assert_eq!(files.dashboard_json, export_golden("plumb-dashboard.json"));
    assert_eq!(files.policy_yaml, export_golden("plumb-alertmanager.yml"));
}

/// An edited level reaches both exports: the alert expression, and the Grafana threshold step.
#[test]
fn edited_levels_reach_the_exports() {
    let file = load_fixture();
    let mapping = analysis::detect_mapping(&file);
    let report = analysis::analyze_single(&file, &mapping, &settings(None), "test").unwrap();
    let ops = report.operations.unwrap();
    let mut th = ops.thresholds.clone();
    let e = th.iter_mut().find(|t| t.quantity == "error_rate").unwrap();
    e.warning.upper = Some(0.075);
    e.critical.upper = None;
    let files = analysis::monitoring_files(&th, Granularity::Hour, "ops_log.csv");
    let doc: serde_yaml::Value = serde_yaml::from_str(&files.rules_yaml).unwrap();
    let alerts = doc["groups"][1]["rules"].as_sequence().unwrap();
    let of = |sev: &str| -> Vec<String> {
        alerts
            .iter()
            .filter(|a| {
                a["labels"]["quantity"].as_str() == Some("error_rate")
                    && a["labels"]["severity"].as_str() == Some(sev)
            })
            .map(|a| a["expr"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(of("warning"), ["plumb:request_errors:ratio_rate1h > 0.075"]);
    assert!(of("critical").is_empty(), "a cleared level has no alert");
    let dash: Value = serde_json::from_str(&files.dashboard_json).unwrap();
    let panel = dash["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["targets"][0]["expr"] == "plumb:request_errors:ratio_rate1h")
        .unwrap();
    let steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
        .as_array()
        .unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1]["value"], 0.075);
    assert_ne!(files.rules_yaml, export_golden("plumb-rules.yml"));
}
