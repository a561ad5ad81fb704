//! The diagnosis against ground truth (synthetic scenarios with a known cause) and its
//! statistics against golden values from statsmodels/SciPy/NumPy
//! (`tests/fixtures/make_goldens_diagnosis.py`).

use plumb::core::diagnose::facts::Facts;
use plumb::core::diagnose::{
    self, CAUSES, DEFAULT_ALPHA, Diagnosis, DiagnosisInput, NO_CHANGE, diagnose, stats,
    try_diagnose,
};
use plumb::core::simulate::{PipelineBug, Scenario, SimConfig, simulate};
use proptest::prelude::*;
use serde_json::Value;

/// Rows per window in the scenario tests (moderate, so the debug-build suite stays fast).
const N: usize = 4000;
/// Seeds per scenario and effect size.
const SEEDS: u64 = 10;
/// Effect sizes (see `src/core/simulate.rs`: 0.5 moderate, 1 strong).
const EFFECTS: [f64; 2] = [0.5, 1.0];

fn config(scenario: Scenario, effect: f64, seed: u64) -> SimConfig {
    let mut c = SimConfig::new(scenario, effect, 1000 + seed * 7919);
    c.n_reference = N;
    c.n_current = N;
    c.bug = PipelineBug::ALL[(seed % 4) as usize];
    c
}

fn run(c: &SimConfig) -> Diagnosis {
    diagnose(&simulate(c).prepare().input())
}

/// Runs the configs on two threads (the machine has two cores), keeping their order.
fn run_all(configs: &[SimConfig]) -> Vec<Diagnosis> {
    let half = configs.len().div_ceil(2);
    std::thread::scope(|s| {
        let handles: Vec<_> = configs
            .chunks(half.max(1))
            .map(|chunk| s.spawn(move || chunk.iter().map(run).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker panicked"))
            .collect()
    })
}

fn check_ranking(d: &Diagnosis) {
    assert_eq!(d.causes.len(), CAUSES.len());
    let keys: std::collections::BTreeSet<&str> =
        d.causes.iter().map(|c| c.cause.as_str()).collect();
    assert_eq!(keys.len(), CAUSES.len(), "each cause once");
    // Detected before undetected; the pipeline bug first whenever detected.
    let first_undetected = d
        .causes
        .iter()
        .position(|c| !c.detected)
        .unwrap_or(d.causes.len());
    assert!(d.causes[first_undetected..].iter().all(|c| !c.detected));
    if d.causes
        .iter()
        .any(|c| c.detected && c.cause == "evaluation_pipeline_bug")
    {
        assert_eq!(d.causes[0].cause, "evaluation_pipeline_bug");
    }
    for c in &d.causes {
        assert!((0.0..=1.0).contains(&c.confidence), "{}", c.confidence);
        assert!(if c.detected {
            c.confidence >= 0.5
        } else {
            c.confidence <= 0.5
        });
        for e in &c.evidence {
            assert!(
                e.value.is_none_or(f64::is_finite),
                "{} {:?}",
                e.key,
                e.value
            );
            assert!(e.reference.is_none_or(f64::is_finite), "{}", e.key);
        }
    }
    match d.causes.iter().find(|c| c.detected) {
        Some(top) => assert_eq!(d.verdict, d.causes[0].cause, "{top:?}"),
        None => assert_eq!(d.verdict, NO_CHANGE),
    }
}

#[test]
fn the_true_cause_is_detected_and_ranked_first() {
    let scenarios = [
        Scenario::DataDrift,
        Scenario::LabelShift,
        Scenario::ModelDegradation,
        Scenario::ThresholdMisconfiguration,
        Scenario::PipelineBug,
    ];
    let mut configs = Vec::new();
    for s in scenarios {
        for e in EFFECTS {
            for seed in 0..SEEDS {
                configs.push(config(s, e, seed));
            }
        }
    }
    let results = run_all(&configs);
    let mut misses = Vec::new();
    for (c, d) in configs.iter().zip(&results) {
        check_ranking(d);
        let top = &d.causes[0];
        if !(top.cause == c.scenario.expected() && top.detected && d.verdict == top.cause) {
            misses.push(format!(
                "{:?}/{:?} effect {} seed {}: verdict {}",
                c.scenario, c.bug, c.effect, c.seed, d.verdict
            ));
        }
    }
    // No miss is tolerated over the 100 runs (measured over 150 seeds per cell with
    // `sweep_seeds_per_scenario`: see `docs/diagnosis.md`).
    assert!(
        misses.is_empty(),
        "{} of {} missed:\n{}",
        misses.len(),
        configs.len(),
        misses.join("\n")
    );
    println!("missed {} of {}: {misses:?}", misses.len(), configs.len());
}

/// False alarms on unchanged data. Measured over 200 seeds at N = 4000 per window
/// (`measure_false_alarm_rate`, ignored by default): 0 of 200 — under 1.5 % at 95 %
/// confidence. Here 12 seeds must give at most one false alarm.
#[test]
fn no_change_does_not_cry_wolf() {
    let configs: Vec<SimConfig> = (0..12)
        .map(|seed| config(Scenario::NoChange, 0.0, seed))
        .collect();
    let results = run_all(&configs);
    let alarms: Vec<String> = configs
        .iter()
        .zip(&results)
        .filter(|(_, d)| d.verdict != NO_CHANGE)
        .map(|(c, d)| format!("seed {}: {}", c.seed, d.summary))
        .collect();
    for d in &results {
        check_ranking(d);
    }
    assert!(alarms.len() <= 1, "{alarms:?}");
    assert!(
        results
            .iter()
            .all(|d| d.summary.starts_with("No change detected") || d.verdict != NO_CHANGE)
    );
}

#[test]
#[ignore]
fn measure_false_alarm_rate() {
    let configs: Vec<SimConfig> = (0..200)
        .map(|seed| config(Scenario::NoChange, 0.0, 10_000 + seed))
        .collect();
    let results = run_all(&configs);
    let alarms = results.iter().filter(|d| d.verdict != NO_CHANGE).count();
    println!("false alarms: {alarms} of {}", results.len());
    for d in results.iter().filter(|d| d.verdict != NO_CHANGE) {
        println!("{}", d.summary);
    }
}

#[test]
fn a_pipeline_bug_outranks_the_causes_it_mimics() {
    // Duplicated positive rows raise the positive rate like label shift; the pipeline bug must
    // still come first, with the mimicked cause detected behind it.
    let mut c = config(Scenario::PipelineBug, 1.0, 0);
    c.bug = PipelineBug::DuplicatedPositives;
    let d = run(&c);
    check_ranking(&d);
    assert_eq!(d.verdict, "evaluation_pipeline_bug");
    let detected: Vec<&str> = d
        .causes
        .iter()
        .filter(|c| c.detected)
        .map(|c| c.cause.as_str())
        .collect();
    assert!(detected.len() >= 2, "{detected:?}");
    assert!(d.causes[0].confidence < d.causes[1].confidence || d.causes[0].confidence >= 0.5);
    let dup = d.causes[0]
        .evidence
        .iter()
        .find(|e| e.key == "quality_duplicate_ids")
        .unwrap();
    assert!(dup.supports);
}

#[test]
fn without_decisions_a_threshold_change_cannot_be_seen() {
    let c = config(Scenario::ThresholdMisconfiguration, 1.0, 1);
    let p = simulate(&c).prepare();
    let mut input = p.input();
    input.reference_decisions = None;
    input.current_decisions = None;
    let d = diagnose(&input);
    assert_eq!(d.verdict, NO_CHANGE);
    let t = d
        .causes
        .iter()
        .find(|c| c.cause == "threshold_misconfiguration")
        .unwrap();
    assert!(!t.detected);
    assert!(t.verdict.contains("no decision column"));
    assert!(
        t.evidence
            .iter()
            .filter(|e| e.key.starts_with("implied"))
            .all(|e| e.value.is_none())
    );
}

#[test]
fn identical_windows_are_no_change_with_exact_evidence() {
    let c = config(Scenario::NoChange, 0.0, 3);
    let p = simulate(&c).prepare();
    let r = &p.reference;
    let mut input = DiagnosisInput::new(&r.scores, &r.labels, &r.scores, &r.labels);
    input.reference_decisions = Some(&r.decisions);
    input.current_decisions = Some(&r.decisions);
    let d = diagnose(&input);
    check_ranking(&d);
    assert_eq!(d.verdict, NO_CHANGE);
    let f = Facts::compute(&input);
    assert_eq!(f.prior_p, Some(1.0));
    assert_eq!(
        f.score_ks.map(|k| (k.statistic, k.p_value)),
        Some((0.0, 1.0))
    );
    assert_eq!(f.ks_positive.map(|k| k.p_value), Some(1.0));
    assert_eq!(f.auc_p, Some(1.0));
    let cal = f.calibration.unwrap();
    assert_eq!(
        (cal.chi2, cal.p_bins, cal.p_citl),
        (0.0, Some(1.0), Some(1.0))
    );
    assert_eq!(f.slope_p, Some(1.0));
    assert_eq!(f.cost_optimal_reference, f.cost_optimal_current);
}

#[test]
fn malformed_input_is_reported_not_panicked() {
    let s = [0.2, 0.7, 0.4];
    let y = [0u8, 1, 0];
    let short = [0u8, 1];
    let input = DiagnosisInput::new(&s, &y, &s, &short);
    assert!(matches!(
        try_diagnose(&input),
        Err(diagnose::DiagnosisError::LengthMismatch {
            what: "current_labels",
            expected: 3,
            got: 2
        })
    ));
    let d = diagnose(&input);
    assert_eq!(d.verdict, "evaluation_pipeline_bug");
    assert!(
        d.causes[0]
            .evidence
            .iter()
            .any(|e| e.key == "input_valid" && e.supports)
    );
    let bad = [0.2, 1.5, 0.4];
    let input = DiagnosisInput::new(&s, &y, &bad, &y);
    assert!(matches!(
        try_diagnose(&input),
        Err(diagnose::DiagnosisError::ScoreOutOfRange { index: 1, .. })
    ));
    let mut input = DiagnosisInput::new(&s, &y, &s, &y);
    input.alpha = 0.0;
    assert!(try_diagnose(&input).is_err());
}

#[test]
fn json_field_names_are_the_contract() {
    let d = run(&config(Scenario::LabelShift, 1.0, 2));
    let v: Value = serde_json::to_value(&d).unwrap();
    assert_eq!(v["verdict"], "label_shift");
    assert!(v["summary"].is_string());
    let cause = &v["causes"][0];
    for key in [
        "cause",
        "detected",
        "confidence",
        "verdict",
        "evidence",
        "action",
        "chart",
    ] {
        assert!(cause.get(key).is_some(), "missing {key}");
    }
    assert_eq!(cause["chart"], "label_shift");
    let ev = &cause["evidence"][0];
    for key in [
        "key",
        "label",
        "value",
        "reference",
        "threshold",
        "supports",
        "note",
    ] {
        assert!(ev.get(key).is_some(), "missing {key}");
    }
    let charts: Vec<&str> = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["chart"].as_str().unwrap())
        .collect();
    for c in charts {
        assert!(
            [
                "reliability",
                "drift",
                "thresholds",
                "quality",
                "label_shift"
            ]
            .contains(&c)
        );
    }
    let back: Diagnosis = serde_json::from_value(v).unwrap();
    assert_eq!(back, d);
}

// ---------------------------------------------------------------------------------------------
// Goldens

fn read_log(name: &str) -> (Vec<f64>, Vec<u8>) {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let si = headers.iter().position(|h| h == "score").unwrap();
    let li = headers.iter().position(|h| h == "label").unwrap();
    let (mut s, mut y) = (Vec::new(), Vec::new());
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let (Ok(score), Ok(label)) = (rec[si].parse::<f64>(), rec[li].parse::<u8>()) else {
            continue;
        };
        if (0.0..=1.0).contains(&score) && label <= 1 {
            s.push(score);
            y.push(label);
        }
    }
    (s, y)
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1e-300),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn statistics_match_statsmodels_and_scipy() {
    let path = format!(
        "{}/tests/fixtures/goldens/diagnosis.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for case in g["cases"].as_array().unwrap() {
        let (rs, ry) = read_log(case["reference"].as_str().unwrap());
        let (cs, cy) = read_log(case["current"].as_str().unwrap());
        let num = |k: &str| case[k].as_f64().unwrap();
        let k = |y: &[u8]| y.iter().filter(|&&v| v == 1).count() as u64;
        // Exact formulas: 1e-9 relative.
        let p = stats::two_proportion(k(&ry), ry.len() as u64, k(&cy), cy.len() as u64).unwrap();
        close(p, num("two_proportion_p"), 1e-9, "two_proportion");
        let cal = stats::calibration_shift(&rs, &ry, &cs, &cy, 10, 0.95).unwrap();
        let gc = &case["calibration"];
        close(cal.chi2, gc["chi2"].as_f64().unwrap(), 1e-9, "chi2");
        assert_eq!(cal.bins_used as u64, gc["bins_used"].as_u64().unwrap());
        close(
            cal.p_bins.unwrap(),
            gc["p_bins"].as_f64().unwrap(),
            1e-9,
            "p_bins",
        );
        close(
            cal.citl_reference,
            gc["citl_reference"].as_f64().unwrap(),
            1e-9,
            "citl_ref",
        );
        close(
            cal.citl_current,
            gc["citl_current"].as_f64().unwrap(),
            1e-9,
            "citl_cur",
        );
        close(
            cal.p_citl.unwrap(),
            gc["p_citl"].as_f64().unwrap(),
            1e-9,
            "p_citl",
        );
        // Newton fits: statsmodels converges to ~1e-8 relative, so 1e-6.
        let fr = stats::slope_fit(&rs, &ry).unwrap();
        let fc = stats::slope_fit(&cs, &cy).unwrap();
        close(fr.slope, num("slope_reference"), 1e-6, "slope_ref");
        close(fr.std_error, num("slope_se_reference"), 1e-6, "se_ref");
        close(fc.slope, num("slope_current"), 1e-6, "slope_cur");
        close(fc.std_error, num("slope_se_current"), 1e-6, "se_cur");
        // Class-conditional KS through the facts (scipy.stats.ks_2samp): 1e-9.
        let input = DiagnosisInput::new(&rs, &ry, &cs, &cy);
        let f = Facts::compute(&input);
        for (got, key) in [
            (f.ks_positive, "ks_positive"),
            (f.ks_negative, "ks_negative"),
        ] {
            let got = got.unwrap();
            close(got.statistic, case[key][0].as_f64().unwrap(), 1e-9, key);
            close(got.p_value, case[key][1].as_f64().unwrap(), 1e-9, key);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Degenerate input never panics

fn score_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![Just(0.0), Just(1.0), Just(0.5), 0.0..=1.0f64]
}

fn window() -> impl Strategy<Value = (Vec<f64>, Vec<u8>, Vec<Option<u8>>)> {
    (0usize..25).prop_flat_map(|n| {
        (
            prop_oneof![
                prop::collection::vec(score_strategy(), n),
                score_strategy().prop_map(move |s| vec![s; n]),
            ],
            prop_oneof![
                prop::collection::vec(0u8..=1, n),
                (0u8..=1).prop_map(move |y| vec![y; n]),
            ],
            prop::collection::vec(prop::option::of(0u8..=1), n),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn degenerate_windows_do_not_panic(
        (rs, ry, rd) in window(),
        (cs, cy, cd) in window(),
        with_decisions in any::<bool>(),
        threshold in 0.0..=1.0f64,
    ) {
        let mut input = DiagnosisInput::new(&rs, &ry, &cs, &cy);
        input.threshold = threshold;
        if with_decisions {
            input.reference_decisions = Some(&rd);
            input.current_decisions = Some(&cd);
        }
        let d = diagnose(&input);
        check_ranking(&d);
        prop_assert!(serde_json::to_string(&d).is_ok());
        prop_assert!(d.verdict == NO_CHANGE || CAUSES.contains(&d.verdict.as_str()));
        prop_assert_eq!(input.alpha, DEFAULT_ALPHA);
    }
}

/// A wider sweep of seeds per scenario and effect (ignored by default; run with
/// `cargo test --release --test diagnosis sweep -- --ignored --nocapture`). Prints the miss
/// rate per cell and the facts behind every miss. `PLUMB_SWEEP_SEEDS` (default 50) and
/// `PLUMB_SWEEP_START` (default 100, so the seeds differ from the ones the tests fix).
#[test]
#[ignore]
fn sweep_seeds_per_scenario() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (count, start) = (env("PLUMB_SWEEP_SEEDS", 50), env("PLUMB_SWEEP_START", 100));
    let mut configs = Vec::new();
    for s in Scenario::ALL {
        let effects: &[f64] = if s == Scenario::NoChange {
            &[0.0]
        } else {
            &EFFECTS
        };
        for &e in effects {
            for seed in start..start + count {
                configs.push(config(s, e, seed));
            }
        }
    }
    let results = run_all(&configs);
    let mut cells: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (c, d) in configs.iter().zip(&results) {
        let top = &d.causes[0];
        let hit = if c.scenario == Scenario::NoChange {
            d.verdict == NO_CHANGE
        } else {
            top.cause == c.scenario.expected() && top.detected && d.verdict == top.cause
        };
        let cell = cells
            .entry(format!("{:?} effect {}", c.scenario, c.effect))
            .or_default();
        cell.1 += 1;
        if !hit {
            cell.0 += 1;
            let p = simulate(c).prepare();
            let f = Facts::compute(&p.input());
            println!(
                "MISS {:?}/{:?} effect {} seed {}: verdict {} | prior p {:?} cal p {:?} \
                 corrected p {:?} ks+ {:?} ks- {:?} auc {:?}→{:?} p {:?} slope {:?}→{:?} p {:?}",
                c.scenario,
                c.bug,
                c.effect,
                c.seed,
                d.verdict,
                f.prior_p,
                f.calibration.and_then(|k| k.p_value()),
                f.calibration_corrected.and_then(|k| k.p_value()),
                f.ks_positive.map(|k| k.p_value),
                f.ks_negative.map(|k| k.p_value),
                f.auc_reference,
                f.auc_current,
                f.auc_p,
                f.slope_reference.map(|s| s.slope),
                f.slope_current.map(|s| s.slope),
                f.slope_p,
            );
        }
    }
    for (cell, (miss, n)) in &cells {
        println!("{cell}: {miss} of {n} missed");
    }
}
