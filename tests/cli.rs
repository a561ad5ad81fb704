//! The `plumb` CLI end to end: run the binary on the fixture logs and compare its JSON report
//! with the goldens computed by scikit-learn and SciPy (`tests/fixtures/make_goldens_*.py`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

fn golden(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(&format!("goldens/{name}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn plumb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plumb"))
        .args(args)
        .output()
        .unwrap()
}

fn audit_json(args: &[&str]) -> Value {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    let out = plumb(&all);
    assert!(
        out.status.success(),
        "plumb {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn close(actual: &Value, expected: f64, tol: f64, what: &str) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: not a number: {actual}"));
    assert!(
        (a - expected).abs() <= tol * expected.abs().max(1.0),
        "{what}: plumb {a} vs golden {expected}"
    );
}

#[test]
fn single_log_metrics_match_scikit_learn() {
    let gold = golden("e2e.json");
    for name in ["basic.csv", "ties.csv"] {
        let report = audit_json(&[path(&fixture(&format!("logs/{name}")))]);
        assert_eq!(report["schema"], "plumb.report/v1");
        let g = &gold["logs"][name];
        let w = &report["windows"]["all"];
        for (key, value) in g["metrics"].as_object().unwrap() {
            close(
                &w[key],
                value.as_f64().unwrap(),
                1e-9,
                &format!("{name} {key}"),
            );
        }
        assert_eq!(
            w["reliability"].as_array().unwrap().len() as u64,
            g["binning"]["uniform_10"]["bins"].as_u64().unwrap()
        );
        let file = &report["input"]["files"][0];
        assert_eq!(file["rows"], g["rows"]);
        assert_eq!(file["rows_used"], g["rows_used"]);
        // The contract's window keys are all present.
        for key in [
            "n",
            "positives",
            "positive_rate",
            "mean_score",
            "roc_auc",
            "average_precision",
            "brier_score",
            "log_loss",
            "ece",
            "mce",
            "rmsce",
            "smooth_ece",
            "calibration_slope",
            "calibration_intercept",
            "hosmer_lemeshow_p_value",
            "spiegelhalter_z",
            "reliability",
        ] {
            assert!(w.get(key).is_some(), "{name}: windows.all.{key} missing");
        }
        for bin in w["reliability"].as_array().unwrap() {
            for key in [
                "lower",
                "upper",
                "count",
                "positives",
                "mean_score",
                "observed_rate",
                "ci_lower",
                "ci_upper",
            ] {
                assert!(bin.get(key).is_some(), "bin.{key} missing");
            }
        }
    }
}

#[test]
fn binning_options_match_calibration_curve() {
    let gold = golden("e2e.json");
    let log = fixture("logs/basic.csv");
    for (bins, strategy) in [("5", "quantile"), ("15", "uniform"), ("10", "quantile")] {
        let report = audit_json(&[path(&log), "--bins", bins, "--strategy", strategy]);
        let g = &gold["logs"]["basic.csv"]["binning"][format!("{strategy}_{bins}")];
        let w = &report["windows"]["all"];
        close(&w["ece"], g["ece"].as_f64().unwrap(), 1e-9, "ece");
        assert_eq!(
            w["reliability"].as_array().unwrap().len() as u64,
            g["bins"].as_u64().unwrap()
        );
        assert_eq!(
            report["settings"]["bins"].as_u64().unwrap().to_string(),
            bins
        );
        assert_eq!(report["settings"]["strategy"], strategy);
    }
}

/// The drift and label-shift sections for reference.csv → current.csv, against SciPy/numpy.
fn check_two_windows(report: &Value) {
    let drift = golden("drift.json");
    let columns = report["drift"]["columns"].as_array().unwrap();
    let col = |name: &str| {
        columns
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("drift column {name} missing"))
    };
    for g in drift["numeric"].as_array().unwrap() {
        let name = g["name"].as_str().unwrap();
        if g["bins"].as_u64() != Some(10) {
            continue;
        }
        let c = col(name);
        assert_eq!(c["kind"], "numeric");
        for key in [
            "psi",
            "js_distance",
            "ks_statistic",
            "wasserstein",
            "wasserstein_norm",
        ] {
            close(
                &c[key],
                g[key].as_f64().unwrap(),
                1e-9,
                &format!("{name} {key}"),
            );
        }
        let p = g["ks_p_value"].as_f64().unwrap();
        let a = c["ks_p_value"].as_f64().unwrap();
        assert!(
            (a - p).abs() <= 1e-9 * p.max(1e-300),
            "{name} ks p {a} vs {p}"
        );
        // Large reference: the default method is the normalised Wasserstein distance.
        assert_eq!(c["method"], "wasserstein_norm");
        close(
            &c["value"],
            g["wasserstein_norm"].as_f64().unwrap(),
            1e-9,
            "value",
        );
        assert_eq!(c["drifted"], c["value"].as_f64().unwrap() >= 0.1);
    }
    let segment = drift["categorical"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "segment")
        .unwrap();
    let c = col("segment");
    assert_eq!(c["kind"], "categorical");
    close(
        &c["psi"],
        segment["psi"].as_f64().unwrap(),
        1e-9,
        "segment psi",
    );
    close(
        &c["js_distance"],
        segment["js_distance"].as_f64().unwrap(),
        1e-9,
        "segment js",
    );
    close(
        &c["chi2_p_value"],
        segment["chi2_p_value"].as_f64().unwrap(),
        1e-9,
        "segment chi2",
    );

    let ls = &golden("recal.json")["label_shift"]["fixture"];
    let r = &report["label_shift"];
    close(
        &r["prior_reference"],
        ls["prior_reference"].as_f64().unwrap(),
        1e-12,
        "prior ref",
    );
    close(
        &r["prior_current_observed"],
        ls["observed_current_prior"].as_f64().unwrap(),
        1e-12,
        "prior observed",
    );
    // The golden EM ran to tol 1e-12; Plumb's default stops at 1e-10.
    close(
        &r["prior_current_em"],
        ls["em"]["prior"].as_f64().unwrap(),
        1e-8,
        "prior EM",
    );
    close(
        &r["prior_current_bbse"],
        ls["bbse"]["prior"].as_f64().unwrap(),
        1e-9,
        "prior BBSE",
    );
}

#[test]
fn two_files_drift_and_label_shift_match_scipy() {
    let report = audit_json(&[
        path(&fixture("logs/reference.csv")),
        "--current",
        path(&fixture("logs/current.csv")),
    ]);
    assert!(report["windows"].get("all").is_none());
    assert_eq!(report["windows"]["reference"]["n"], 1500);
    assert_eq!(report["windows"]["current"]["n"], 1200);
    assert_eq!(report["settings"]["window"]["kind"], "two_files");
    assert_eq!(report["input"]["files"].as_array().unwrap().len(), 2);
    check_two_windows(&report);
}

/// reference.csv followed by current.csv's rows, as one log.
fn combined_log() -> PathBuf {
    let reference = std::fs::read_to_string(fixture("logs/reference.csv")).unwrap();
    let current = std::fs::read_to_string(fixture("logs/current.csv")).unwrap();
    let mut text = reference;
    text.extend(current.lines().skip(1).map(|l| format!("{l}\n")));
    let dir = std::env::temp_dir().join(format!("plumb-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("combined.csv");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn splitting_one_log_equals_two_files() {
    let log = combined_log();
    for split in [
        vec!["--split-column", "model_version=v1,v2"],
        vec!["--split-at", "2026-01-31T00:00:00Z"],
        vec![
            "--split-fraction",
            &*Box::leak(format!("{}", 1500.0 / 2700.0).into_boxed_str()),
        ],
    ] {
        let mut args = vec![path(&log)];
        args.extend(split.iter().copied());
        let report = audit_json(&args);
        assert_eq!(report["windows"]["reference"]["n"], 1500, "{split:?}");
        assert_eq!(report["windows"]["current"]["n"], 1200, "{split:?}");
        check_two_windows(&report);
    }
}

#[test]
fn gates_set_the_exit_code_and_verdict() {
    let dir = std::env::temp_dir().join(format!("plumb-gates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pass = dir.join("pass.toml");
    std::fs::write(
        &pass,
        "[[gate]]\nname = \"AUC\"\nmetric = \"roc_auc\"\nwindow = \"all\"\nop = \">=\"\nlimit = 0.7\n",
    )
    .unwrap();
    let fail = dir.join("fail.toml");
    std::fs::write(
        &fail,
        "[[gate]]\nname = \"ECE\"\nmetric = \"ece\"\nwindow = \"all\"\nop = \"<=\"\nlimit = 0.001\n",
    )
    .unwrap();
    let log = fixture("logs/basic.csv");

    let ok = plumb(&["audit", path(&log), "--gates", path(&pass)]);
    assert_eq!(ok.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(report["verdict"], "pass");
    let gate = &report["gates"][0];
    for key in ["name", "metric", "op", "limit", "value", "passed"] {
        assert!(gate.get(key).is_some(), "gates[0].{key} missing");
    }
    close(
        &gate["value"],
        report["windows"]["all"]["roc_auc"].as_f64().unwrap(),
        0.0,
        "value",
    );

    let bad = plumb(&["audit", path(&log), "--gates", path(&fail)]);
    assert_eq!(bad.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(report["verdict"], "fail");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ECE"));

    let md = plumb(&[
        "audit",
        path(&log),
        "--gates",
        path(&pass),
        "--format",
        "md",
    ]);
    assert_eq!(md.status.code(), Some(0));
    let text = String::from_utf8(md.stdout).unwrap();
    assert!(text.starts_with("# Plumb audit"), "{text}");
    assert!(text.contains("PASS"));
}

#[test]
fn usage_and_input_errors_exit_2_with_a_message() {
    let log = fixture("logs/basic.csv");
    let unterminated = fixture("ingest/unterminated.csv");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["audit", path(&log), "--score", "nope"], "nope"),
        (vec!["audit", "/no/such/file.csv"], "cannot read"),
        (vec!["audit", path(&log), "--threshold", "2"], "threshold"),
        (vec!["audit", path(&unterminated)], "Line 3"),
        (
            vec!["audit", path(&log), "--split-fraction", "1.5"],
            "fraction",
        ),
        (
            vec!["audit", path(&log), "--split-column", "model_version"],
            "COL=REF_VALUE,CUR_VALUE",
        ),
        (vec!["audit", path(&log), "--chunking", "0"], "chunking"),
        (
            vec!["audit", path(&log), "--drift-method", "x1=zz"],
            "unknown method",
        ),
    ];
    for (args, needle) in cases {
        let out = plumb(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn the_report_is_deterministic_for_the_same_input() {
    let log = fixture("logs/basic.csv");
    let a = audit_json(&[path(&log)]);
    let b = audit_json(&[path(&log)]);
    assert_eq!(a, b);
}

#[test]
fn html_format_is_a_self_contained_page() {
    let out = plumb(&[
        "audit",
        path(&fixture("logs/reference.csv")),
        "--current",
        path(&fixture("logs/current.csv")),
        "--format",
        "html",
        "--reviewer",
        "<script>alert(1)</script>",
        "--decision",
        "reject",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") || page.starts_with("<!doctype html>"));
    assert!(page.contains("<svg"));
    assert!(
        !page.to_lowercase().contains("<script"),
        "no script, and the reviewer is escaped"
    );
    assert!(page.contains("&lt;script&gt;"));
}

/// The recalibration preview (fit on reference.csv, apply to current.csv) against maps fitted by
/// scikit-learn/SciPy in `make_goldens_recal.py`: the Brier score of the goldens' recalibrated
/// current scores must equal the report's `after.brier_score`.
#[test]
fn recalibration_preview_matches_reference_fits() {
    let report = audit_json(&[
        path(&fixture("logs/reference.csv")),
        "--current",
        path(&fixture("logs/current.csv")),
    ]);
    let labels: Vec<f64> = csv::Reader::from_path(fixture("logs/current.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap()[2].parse::<f64>().unwrap())
        .collect();
    let gold = golden("recal.json");
    let methods = report["recalibration"]["methods"].as_array().unwrap();
    let mut checked = 0;
    for case in gold["recalibrate"]["cases"].as_array().unwrap() {
        if case["fit_on"] != "reference.csv" || case["apply_to"] != "current.csv" {
            continue;
        }
        let m = &case["method"];
        let key = match (
            m["method"].as_str().unwrap(),
            m.get("smooth_targets"),
            m.get("bins"),
        ) {
            ("platt", Some(Value::Bool(true)), _) => continue,
            ("histogram", _, Some(b)) if b != 10 || m["strategy"] != "uniform" => continue,
            ("prior_correction", _, _) => continue, // the report uses the EM prior, not 0.62
            (k, _, _) => k.to_string(),
        };
        let applied: Vec<f64> = case["applied"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let brier = applied
            .iter()
            .zip(&labels)
            .map(|(p, y)| (p - y) * (p - y))
            .sum::<f64>()
            / labels.len() as f64;
        let entry = methods
            .iter()
            .find(|e| e["method"] == key.as_str())
            .unwrap();
        close(
            &entry["after"]["brier_score"],
            brier,
            1e-8,
            &format!("{key} brier after"),
        );
        assert!(
            entry["map"].is_object(),
            "{key}: the fitted map is in the report"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 6,
        "platt, platt_logit, temperature, beta, isotonic, histogram"
    );
    assert!(report["recalibration"]["recommended"].is_string());
}

#[test]
fn alerts_writes_rules_policy_and_dashboard_that_parse() {
    let dir = std::env::temp_dir().join(format!("plumb-alerts-{}", std::process::id()));
    let out = plumb(&[
        "alerts",
        path(&fixture("ops/ops_log.csv")),
        "--current",
        path(&fixture("ops/ops_log.csv")),
        "--out",
        path(&dir),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rules: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("plumb-rules.yml")).unwrap())
            .unwrap();
    let groups = rules["groups"].as_sequence().unwrap();
    assert!(groups.len() >= 2, "recording and alerting groups");
    let _: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(dir.join("plumb-alertmanager.yml")).unwrap())
            .unwrap();
    let dashboard: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plumb-dashboard.json")).unwrap())
            .unwrap();
    assert!(
        dashboard["panels"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    let thresholds: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plumb-thresholds.json")).unwrap())
            .unwrap();
    // Every proposed critical upper level appears in the rules file (latency in seconds there).
    let text = std::fs::read_to_string(dir.join("plumb-rules.yml")).unwrap();
    let alerts: usize = groups
        .iter()
        .map(|g| {
            g["rules"]
                .as_sequence()
                .unwrap()
                .iter()
                .filter(|r| r.get("alert").is_some())
                .count()
        })
        .sum();
    assert!(
        alerts >= thresholds.as_array().unwrap().len(),
        "{alerts} alerts"
    );
    assert!(text.contains("severity"));
    assert!(dir.join("plumb-operations-current.json").exists());
}

/// `plumb alerts` writes exactly the committed monitoring files (the browser's downloads are
/// checked against the same files, natively in tests/ops.rs and in Chromium by
/// tests/e2e/operations.test.mjs). Regenerate with
/// `cargo run --bin plumb -- alerts tests/fixtures/ops/ops_log.csv --out tests/fixtures/export/alerts`.
#[test]
fn alerts_write_the_committed_golden_files() {
    let dir = std::env::temp_dir().join(format!("plumb-alerts-golden-{}", std::process::id()));
    let out = plumb(&[
        "alerts",
        path(&fixture("ops/ops_log.csv")),
        "--out",
        path(&dir),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in [
        "plumb-rules.yml",
        "plumb-dashboard.json",
        "plumb-alertmanager.yml",
        "plumb-thresholds.json",
    ] {
        let got = std::fs::read_to_string(dir.join(name)).unwrap();
        let want = std::fs::read_to_string(fixture(&format!("export/alerts/{name}"))).unwrap();
        assert!(got == want, "{name} differs from the committed golden");
    }
    // The audit report carries the same levels in `operations.thresholds`.
    let report = audit_json(&[path(&fixture("ops/ops_log.csv"))]);
    let thresholds: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("export/alerts/plumb-thresholds.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["operations"]["thresholds"], thresholds);
    assert_eq!(report["operations"]["reference"]["granularity"], "hour");
}

/// `--granularity` chooses the bucket width of both commands; one that would give too many
/// buckets is refused with exit code 2 and the setting named.
#[test]
fn granularity_option() {
    let report = audit_json(&[path(&fixture("ops/ops_log.csv")), "--granularity", "day"]);
    assert_eq!(report["operations"]["reference"]["granularity"], "day");
    assert_eq!(report["settings"]["ops_granularity"], "day");
    assert_eq!(
        report["operations"]["reference"]["buckets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let dir = std::env::temp_dir().join(format!("plumb-alerts-day-{}", std::process::id()));
    let out = plumb(&[
        "alerts",
        path(&fixture("ops/ops_log.csv")),
        "--granularity",
        "day",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let rules = std::fs::read_to_string(dir.join("plumb-rules.yml")).unwrap();
    assert!(rules.contains("[1d]"), "daily rate windows");

    let long = std::env::temp_dir().join(format!("plumb-long-{}.csv", std::process::id()));
    std::fs::write(
        &long,
        "timestamp,score,label\n2026-01-01T00:00:00Z,0.2,0\n2026-01-31T00:00:00Z,0.7,1\n",
    )
    .unwrap();
    let out = plumb(&[
        "alerts",
        path(&long),
        "--granularity",
        "minute",
        "--out",
        path(&dir),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ops_granularity"));
}

#[test]
fn chunking_and_drift_methods_reach_the_report() {
    let reference = fixture("logs/reference.csv");
    let current = fixture("logs/current.csv");
    let g = golden("timeline.json");
    let week = g["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "week")
        .unwrap();
    let report = audit_json(&[
        path(&reference),
        "--current",
        path(&current),
        "--chunking",
        "week",
        "--drift-method",
        "x1=psi",
    ]);
    let t = &report["timeline"];
    assert_eq!(t["chunking"], "week");
    let chunks = t["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), week["chunks"].as_array().unwrap().len());
    for (c, e) in chunks.iter().zip(week["chunks"].as_array().unwrap()) {
        assert_eq!(c["n"], e["n"]);
        close(&c["ece"], e["ece"].as_f64().unwrap(), 1e-12, "week ECE");
    }
    assert_eq!(report["settings"]["drift_methods"]["x1"], "psi");
    let x1 = report["drift"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "x1")
        .unwrap();
    assert_eq!(x1["method"], "psi");
    assert_eq!(x1["method_source"], "column");
    let drift = golden("drift.json");
    let psi = drift["numeric"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "x1" && c["bins"] == 10)
        .unwrap()["psi"]
        .as_f64()
        .unwrap();
    close(&x1["value"], psi, 1e-12, "x1 PSI");
}
