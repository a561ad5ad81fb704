//! Golden and property tests for the model comparison (`core::metrics::compare_models`,
//! `report.models`) and the average-precision interval.
//!
//! Goldens: `tests/fixtures/goldens/models.json`, written by `tests/fixtures/make_models.py`
//! from scikit-learn (AUC, AP, Brier, log loss), plain NumPy (ECE), an independent NumPy
//! implementation of Sun & Xu's fast DeLong (per-model interval, paired test) and the Boyd,
//! Eng & Page logit formula (AP interval), on `tests/fixtures/logs/models.csv`.
//!
//! Tolerances: counts and lines exact; AUC, AP, Brier, log loss and ECE 1e-12 absolute (same
//! formula, different summation order); DeLong differences, standard errors, z and the
//! intervals 1e-9 absolute, p-values 1e-9 relative (statrs' normal vs SciPy's).

use plumb::core::analysis::{analyze_single, detect_mapping, load_file};
use plumb::core::metrics::calibration;
use plumb::core::metrics::compare_models::{self, CompareSettings};
use plumb::core::metrics::ranking;
use plumb::core::report::{BinStrategy, IntervalMethod, Report, Settings};
use proptest::prelude::*;
use serde_json::Value;

fn goldens() -> Value {
    let path = format!(
        "{}/tests/fixtures/goldens/models.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn report() -> Report {
    let path = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let file = load_file("models.csv", &std::fs::read(path).unwrap()).unwrap();
    let mapping = detect_mapping(&file);
    analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap()
}

fn close(got: f64, want: &Value, tol: f64, what: &str) {
    let want = want.as_f64().unwrap();
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (diff {})",
        (got - want).abs()
    );
}

fn close_pair(got: Option<[f64; 2]>, want: &Value, tol: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: missing"));
    close(got[0], &want[0], tol, what);
    close(got[1], &want[1], tol, what);
}

#[test]
fn detection_makes_the_second_score_a_challenger() {
    let r = report();
    assert_eq!(r.input.columns.score.as_deref(), Some("score"));
    assert_eq!(r.input.columns.challengers, vec!["challenger_score"]);
    assert!(r.input.columns.features.is_empty());
}

#[test]
fn bad_challenger_rows_are_excluded_for_every_model_and_counted() {
    let g = goldens();
    let r = report();
    let f = &r.input.files[0];
    assert_eq!(f.rows, g["rows"].as_u64().unwrap());
    assert_eq!(f.rows_used, g["rows_used"].as_u64().unwrap());
    for (key, n) in g["excluded"].as_object().unwrap() {
        assert_eq!(f.rows_excluded[key], n.as_u64().unwrap(), "{key}");
        let lines: Vec<u64> = g["excluded_lines"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(f.excluded_examples[key], lines, "{key}");
    }
    let m = r.models.as_ref().unwrap();
    let all = r.windows.all.as_ref().unwrap();
    assert_eq!(m.window, "all");
    assert_eq!(m.n, all.n);
    assert_eq!(m.positives, g["positives"].as_u64().unwrap());
}

#[test]
fn per_model_metrics_match_sklearn_and_numpy_delong() {
    let g = goldens();
    let r = report();
    let m = r.models.as_ref().unwrap();
    assert_eq!(m.models.len(), 2);
    assert_eq!(m.models[0].role, "champion");
    assert_eq!(m.models[1].role, "challenger");
    for model in &m.models {
        let want = &g["models"][&model.column];
        let what = |k: &str| format!("{} {k}", model.column);
        close(
            model.roc_auc.unwrap(),
            &want["roc_auc"],
            1e-12,
            &what("auc"),
        );
        close(
            model.roc_auc.unwrap(),
            &want["roc_auc_delong_numpy"],
            1e-12,
            &what("auc (numpy)"),
        );
        close_pair(model.roc_auc_ci, &want["roc_auc_ci"], 1e-9, &what("auc ci"));
        close(
            model.average_precision.unwrap(),
            &want["average_precision"],
            1e-12,
            &what("ap"),
        );
        close_pair(
            model.average_precision_ci,
            &want["average_precision_ci"],
            1e-9,
            &what("ap ci"),
        );
        close(model.ece.unwrap(), &want["ece"], 1e-12, &what("ece"));
        close(
            model.brier_score.unwrap(),
            &want["brier_score"],
            1e-12,
            &what("brier"),
        );
        close(
            model.log_loss.unwrap(),
            &want["log_loss"],
            1e-12,
            &what("log loss"),
        );
    }
    // Every model's sweep (thresholds 0, 0.01, …, 1) against scikit-learn's confusion_matrix
    // and f1_score; the champion's is the main window's.
    for model in &m.models {
        let want = g["models"][&model.column]["sweep"].as_array().unwrap();
        assert_eq!(
            model.sweep.len(),
            want.len(),
            "{} sweep length",
            model.column
        );
        for (p, w) in model.sweep.iter().zip(want) {
            let what = format!("{} sweep at {}", model.column, p.threshold);
            close(p.threshold, &w["threshold"], 0.0, &what);
            assert_eq!(
                (p.tp, p.fp, p.tn, p.fn_),
                (
                    w["tp"].as_u64().unwrap(),
                    w["fp"].as_u64().unwrap(),
                    w["tn"].as_u64().unwrap(),
                    w["fn"].as_u64().unwrap()
                ),
                "{what}"
            );
            match (p.f1, w["f1"].as_f64()) {
                (Some(got), Some(_)) => close(got, &w["f1"], 1e-12, &what),
                (got, want) => assert_eq!(got.is_some(), want.is_some(), "{what}: F1 {got:?}"),
            }
        }
    }
    assert_eq!(
        m.models[0].sweep,
        r.windows.all.as_ref().unwrap().sweep,
        "champion sweep"
    );
    // The champion's numbers are the main window's.
    let all = r.windows.all.as_ref().unwrap();
    assert_eq!(m.models[0].roc_auc, all.roc_auc);
    assert_eq!(m.models[0].ece, all.ece);
    assert_eq!(m.models[0].average_precision_ci, all.average_precision_ci);
    close_pair(
        all.average_precision_ci,
        &g["models"]["score"]["average_precision_ci"],
        1e-9,
        "window ap ci",
    );
}

#[test]
fn paired_delong_matches_the_numpy_fast_delong() {
    let g = goldens();
    let r = report();
    let c = &r.models.as_ref().unwrap().comparisons[0];
    assert_eq!(c.challenger, "challenger_score");
    assert_eq!(c.champion, "score");
    let auc = c.auc.as_ref().unwrap();
    let want = &g["delong_paired"];
    assert_eq!(auc.method, "delong");
    close(auc.difference, &want["difference"], 1e-12, "difference");
    close(auc.std_error.unwrap(), &want["std_error"], 1e-9, "se");
    close(auc.z.unwrap(), &want["z"], 1e-9, "z");
    let (p, wp) = (auc.p_value.unwrap(), want["p_value"].as_f64().unwrap());
    assert!((p - wp).abs() <= 1e-9 * wp, "p {p} vs {wp}");
    close_pair(auc.ci, &want["ci"], 1e-9, "ci");
}

#[test]
fn bootstrap_differences_are_reproducible_and_cover_the_point_difference() {
    let g = goldens();
    let r = report();
    let c = &r.models.as_ref().unwrap().comparisons[0];
    let ece = c.ece.as_ref().unwrap();
    let brier = c.brier_score.as_ref().unwrap();
    close(ece.difference, &g["ece_difference"], 1e-12, "ece diff");
    close(
        brier.difference,
        &g["brier_difference"],
        1e-12,
        "brier diff",
    );
    for t in [ece, brier] {
        assert_eq!(t.method, "bootstrap");
        assert_eq!(t.resamples, Some(Settings::default().bootstrap));
        let [lo, hi] = t.ci.unwrap();
        assert!(lo <= t.difference && t.difference <= hi, "{t:?}");
        let p = t.p_value.unwrap();
        assert!(p > 0.0 && p <= 1.0, "{p}");
    }
    // The challenger's ECE is about half the champion's: the bootstrap sees it.
    assert!(ece.ci.unwrap()[1] < 0.0, "{ece:?}");
    assert!(ece.p_value.unwrap() < 0.05);
    // Same seed, same report; the JSON carries it.
    assert_eq!(report().models, r.models);
    let json = plumb::core::analysis::report_json(&r).unwrap();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back.models, r.models);
}

#[test]
fn old_reports_and_mappings_without_challengers_still_parse() {
    let mut r = report();
    r.models = None;
    let mut v: Value =
        serde_json::from_str(&plumb::core::analysis::report_json(&r).unwrap()).unwrap();
    v["input"]["columns"]
        .as_object_mut()
        .unwrap()
        .remove("challengers");
    assert!(v.get("models").is_none());
    let back: Report = serde_json::from_value(v).unwrap();
    assert!(back.input.columns.challengers.is_empty());
}

#[test]
fn one_score_column_has_no_models_section() {
    let file = load_file("one.csv", b"score,label\n0.1,0\n0.8,1\n0.4,0\n0.7,1\n").unwrap();
    let mapping = detect_mapping(&file);
    let r = analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap();
    assert!(r.models.is_none());
    assert!(
        !plumb::core::analysis::report_json(&r)
            .unwrap()
            .contains("\"models\"")
    );
}

#[test]
fn a_challenger_that_is_the_label_or_unknown_is_a_typed_error() {
    let file = load_file("x.csv", b"score,label,b\n0.1,0,0.2\n0.8,1,0.7\n").unwrap();
    let mut mapping = detect_mapping(&file);
    mapping.challengers = vec!["label".into()];
    let err = analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap_err();
    assert!(err.to_string().contains("label"), "{err}");
    mapping.challengers = vec!["nope".into()];
    let err = analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap_err();
    assert!(err.to_string().contains("\"nope\""), "{err}");
}

#[test]
fn ap_interval_formula_and_edges() {
    // expit(logit(0.5) ± 1.959964/√(100·0.25)) = expit(±0.3919928).
    let [lo, hi] = ranking::average_precision_interval(0.5, 100, 0.95).unwrap();
    let e = |x: f64| 1.0 / (1.0 + (-x).exp());
    let z = 1.959_963_984_540_054;
    assert!((lo - e(-z / 5.0)).abs() < 1e-12 && (hi - e(z / 5.0)).abs() < 1e-12);
    assert_eq!(ranking::average_precision_interval(1.0, 100, 0.95), None);
    assert_eq!(ranking::average_precision_interval(0.0, 100, 0.95), None);
    assert_eq!(ranking::average_precision_interval(0.5, 0, 0.95), None);
    assert_eq!(ranking::average_precision_interval(0.5, 10, 1.0), None);
}

fn settings(bootstrap: usize, seed: u64) -> CompareSettings {
    CompareSettings {
        bins: 10,
        strategy: BinStrategy::Uniform,
        interval: IntervalMethod::Wilson,
        confidence: 0.9,
        bootstrap,
        seed,
        log_loss_eps: f64::EPSILON,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// For any paired log: the point difference is the plain Brier difference, the interval is
    /// ordered, p is in (0, 1], the seed reproduces the result, and swapping the models
    /// negates the difference and mirrors the interval (same resampled rows for both models).
    /// (A percentile interval need not contain the point estimate on tiny samples, so
    /// containment is checked on the fixture log above, not here.)
    #[test]
    fn brier_bootstrap_is_paired_seeded_and_antisymmetric(
        rows in prop::collection::vec((0.0f64..=1.0, 0.0f64..=1.0, 0u8..=1), 5..60),
        seed in any::<u64>(),
    ) {
        let a: Vec<f64> = rows.iter().map(|r| r.0).collect();
        let b: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let y: Vec<u8> = rows.iter().map(|r| r.2).collect();
        let s = settings(400, seed);
        let c = compare_models::compare_pair(("b", &b), ("a", &a), &y, &s);
        let t = c.brier_score.unwrap();
        let want = calibration::brier_score(&b, &y).unwrap().unwrap()
            - calibration::brier_score(&a, &y).unwrap().unwrap();
        prop_assert!((t.difference - want).abs() < 1e-12);
        let [lo, hi] = t.ci.unwrap();
        prop_assert!(lo <= hi);
        let p = t.p_value.unwrap();
        prop_assert!(p > 0.0 && p <= 1.0);
        prop_assert_eq!(
            Some(t.clone()),
            compare_models::compare_pair(("b", &b), ("a", &a), &y, &s).brier_score
        );
        // Swapping the models negates the difference and mirrors the interval.
        let back = compare_models::compare_pair(("a", &a), ("b", &b), &y, &s).brier_score.unwrap();
        prop_assert!((back.difference + t.difference).abs() < 1e-12);
        let [blo, bhi] = back.ci.unwrap();
        prop_assert!((blo + hi).abs() < 1e-12 && (bhi + lo).abs() < 1e-12);
    }
}

fn audit(args: &[&str]) -> std::process::Output {
    let log = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    std::process::Command::new(env!("CARGO_BIN_EXE_plumb"))
        .arg("audit")
        .arg(&log)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_audit_carries_the_same_models_section() {
    let out = audit(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Report = serde_json::from_slice(&out.stdout).unwrap();
    let lib = report();
    assert_eq!(cli.models, lib.models);
    assert_eq!(cli.input.columns.challengers, vec!["challenger_score"]);

    // Without challengers: no section, and the rows with a bad challenger score are used.
    let out = audit(&["--no-challengers"]);
    let none: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert!(none.models.is_none());
    assert_eq!(none.input.files[0].rows_used, 599);

    // The challenger as champion and back: the DeLong difference changes sign.
    let out = audit(&["--score", "challenger_score", "--challenger", "score"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let swapped: Report = serde_json::from_slice(&out.stdout).unwrap();
    let d = |r: &Report| {
        r.models.as_ref().unwrap().comparisons[0]
            .auc
            .as_ref()
            .unwrap()
            .difference
    };
    assert!((d(&swapped) + d(&lib)).abs() < 1e-12);

    // An explicit challenger that is the label is an error in words, not a panic.
    let out = audit(&["--challenger", "label"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("challenger"));
}

#[test]
fn pr_legend_shows_the_ap_interval() {
    use plumb::core::render::{ChartStyle, PrChart, PrCurve, pr_curve_chart_svg};
    let chart = PrChart {
        curves: vec![PrCurve {
            name: "score",
            recall: &[1.0, 0.5, 0.0],
            precision: &[0.5, 0.8, 1.0],
            average_precision: Some(0.6659),
            average_precision_ci: Some([0.6019, 0.7244]),
            positive_rate: Some(0.38),
            current: None,
        }],
        threshold: None,
        linear: false,
    };
    let svg = pr_curve_chart_svg(&chart, &ChartStyle::new(560, 520)).unwrap();
    assert!(svg.contains("AP 0.666 [0.60, 0.72]"), "{svg}");
}

/// `models.csv` with a third model: the challenger's scores written as percentages
/// (`shadow_score` = 100 · `challenger_score`; blank where the challenger's score is unusable,
/// so the same rows are excluded).
fn with_percent_challenger() -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/logs/models.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        let extra = if i == 0 {
            "shadow_score".to_string()
        } else {
            // An unusable probability stays unusable: blank (a value like 170 would also make
            // the column look like logits to detection, as it should).
            match cells[2].parse::<f64>() {
                Ok(v) if (0.0..=1.0).contains(&v) => format!("{}", v * 100.0),
                _ => String::new(),
            }
        };
        out.push_str(&format!("{line},{extra}\n"));
    }
    out.into_bytes()
}

fn assert_same_model(a: &compare_models::ModelMetrics, b: &compare_models::ModelMetrics) {
    let opt = |x: Option<f64>, y: Option<f64>, what: &str| {
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!((x - y).abs() <= 1e-12, "{what}: {x} vs {y}");
    };
    let pair = |x: Option<[f64; 2]>, y: Option<[f64; 2]>, what: &str| {
        opt(x.map(|v| v[0]), y.map(|v| v[0]), what);
        opt(x.map(|v| v[1]), y.map(|v| v[1]), what);
    };
    opt(a.roc_auc, b.roc_auc, "auc");
    pair(a.roc_auc_ci, b.roc_auc_ci, "auc ci");
    opt(a.average_precision, b.average_precision, "ap");
    pair(a.average_precision_ci, b.average_precision_ci, "ap ci");
    opt(a.ece, b.ece, "ece");
    opt(a.brier_score, b.brier_score, "brier");
    opt(a.log_loss, b.log_loss, "log loss");
    assert_eq!(a.reliability.len(), b.reliability.len());
    for (x, y) in a.reliability.iter().zip(&b.reliability) {
        assert_eq!(x.count, y.count);
        assert!((x.mean_score - y.mean_score).abs() <= 1e-12);
    }
}

#[test]
fn a_percent_challenger_is_detected_and_gives_the_probability_ones_metrics() {
    use plumb::core::report::ScoreTransform;
    let file = load_file("models_pct.csv", &with_percent_challenger()).unwrap();
    let mapping = detect_mapping(&file);
    // Detected by its contents (values in [0, 100]), with its own transform.
    assert_eq!(
        mapping.challengers,
        vec!["challenger_score", "shadow_score"]
    );
    assert_eq!(mapping.score_transform, ScoreTransform::Identity);
    assert_eq!(
        mapping.challenger_transform("shadow_score"),
        ScoreTransform::Percent
    );
    assert_eq!(
        mapping.challenger_transform("challenger_score"),
        ScoreTransform::Identity
    );
    let r = analyze_single(&file, &mapping, &Settings::default(), "plumb").unwrap();
    // The same rows as with the probability challenger alone (the bad rows of the two
    // columns coincide), and the same numbers for both copies of the challenger.
    let lib = report();
    assert_eq!(r.input.files[0].rows_used, lib.input.files[0].rows_used);
    let m = r.models.as_ref().unwrap();
    assert_eq!(m.models.len(), 3);
    assert_same_model(&m.models[1], &m.models[2]);
    assert_same_model(&m.models[1], &lib.models.as_ref().unwrap().models[1]);
    let (a, b) = (&m.comparisons[0], &m.comparisons[1]);
    assert_eq!(b.challenger, "shadow_score");
    for (x, y, what) in [
        (&a.auc, &b.auc, "auc"),
        (&a.ece, &b.ece, "ece"),
        (&a.brier_score, &b.brier_score, "brier"),
    ] {
        let (x, y) = (x.as_ref().unwrap(), y.as_ref().unwrap());
        assert!((x.difference - y.difference).abs() <= 1e-12, "{what}");
        assert!((x.p_value.unwrap_or(0.0) - y.p_value.unwrap_or(0.0)).abs() <= 1e-9);
    }
    // Read with the champion's transform instead, the percentages are out of range and
    // their rows are excluded for every model.
    let mut same = mapping.clone();
    same.challenger_transforms.clear();
    let r = analyze_single(&file, &same, &Settings::default(), "plumb").unwrap();
    assert!(r.input.files[0].rows_used < lib.input.files[0].rows_used);
}

#[test]
fn challenger_transforms_round_trip_and_old_mappings_default_to_the_champions() {
    use plumb::core::report::{ColumnMapping, ScoreTransform};
    use plumb::core::share::{self, ShareState};
    let file = load_file("models_pct.csv", &with_percent_challenger()).unwrap();
    let mapping = detect_mapping(&file);
    let json = serde_json::to_value(&mapping).unwrap();
    assert_eq!(
        json["challenger_transforms"],
        serde_json::json!({"shadow_score": "percent"})
    );
    // A share link keeps it.
    let state = ShareState {
        v: share::VERSION,
        file_sha256: None,
        mapping: mapping.clone(),
        settings: Settings::default(),
        tab: "models".into(),
        gates: None,
        alert_levels: None,
    };
    let back = share::decode(&share::encode(&state)).unwrap();
    assert_eq!(back.mapping, mapping);
    assert_eq!(
        back.mapping.challenger_transform("shadow_score"),
        ScoreTransform::Percent
    );
    // An old mapping (no `challenger_transforms`) reads every challenger like the champion.
    let mut old = json.clone();
    old.as_object_mut().unwrap().remove("challenger_transforms");
    old["score_transform"] = "percent".into();
    let old: ColumnMapping = serde_json::from_value(old).unwrap();
    assert!(old.challenger_transforms.is_empty());
    assert_eq!(
        old.challenger_transform("challenger_score"),
        ScoreTransform::Percent
    );
    // Setting a challenger to the champion's transform keeps the map minimal.
    let mut m = mapping;
    m.set_challenger_transform("shadow_score", ScoreTransform::Identity);
    assert!(m.challenger_transforms.is_empty());
    assert!(
        !serde_json::to_string(&m)
            .unwrap()
            .contains("challenger_transforms")
    );
}

#[test]
fn cli_challenger_with_its_own_transform() {
    let path = std::env::temp_dir().join(format!("plumb-models-pct-{}.csv", std::process::id()));
    std::fs::write(&path, with_percent_challenger()).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_plumb"))
            .arg("audit")
            .arg(&path)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--challenger", "shadow_score:percent"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cli.input.columns.challengers, vec!["shadow_score"]);
    let lib = report();
    let (m, want) = (cli.models.as_ref().unwrap(), lib.models.as_ref().unwrap());
    assert_same_model(&m.models[1], &want.models[1]);
    let d = |r: &Report| {
        r.models.as_ref().unwrap().comparisons[0]
            .auc
            .as_ref()
            .unwrap()
            .difference
    };
    assert!((d(&cli) - d(&lib)).abs() <= 1e-12);
    // Plain COL keeps the old meaning: the champion's transform (identity), so the percentages
    // are out of range and their rows are excluded.
    let out = run(&["--challenger", "shadow_score"]);
    if out.status.success() {
        let plain: Report = serde_json::from_slice(&out.stdout).unwrap();
        assert!(plain.input.files[0].rows_used < cli.input.files[0].rows_used);
    }
    // A suffix that names no transform is part of the column name.
    let out = run(&["--challenger", "shadow_score:pct"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("shadow_score:pct"));
}
