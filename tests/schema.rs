//! Schema tests: role detection, label classes, and the accounting of used and excluded rows.
//!
//! Exclusion counts, line numbers and the scores that enter the statistics are checked against
//! tests/fixtures/goldens/schema.json, written by tests/fixtures/make_goldens_ingest.py from
//! Python's csv module and an independent re-implementation of the documented rules.

use plumb::core::error::PlumbError;
use plumb::core::ingest::{ColumnKind, Table, read_table};
use plumb::core::report::{ColumnMapping, ExclusionReason, ScoreTransform};
use plumb::core::schema::{
    Role, column_times, detect_mapping, label_classes, logistic, prepare, profile,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn table(path: &str) -> Table {
    read_table(&fixture(path)).unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The mapping every fixture log must get.
fn log_mapping() -> ColumnMapping {
    ColumnMapping {
        score: Some("score".into()),
        score_transform: ScoreTransform::Identity,
        label: Some("label".into()),
        positive_label: Some("1".into()),
        timestamp: Some("timestamp".into()),
        model_version: Some("model_version".into()),
        id: None,
        decision: None,
        segments: strings(&["segment"]),
        features: strings(&["x1", "x2", "country"]),
        latency: None,
        status: None,
        challengers: Vec::new(),
        challenger_transforms: Default::default(),
    }
}

#[test]
fn fixture_logs_are_mapped() {
    for name in [
        "basic",
        "ties",
        "extremes",
        "one_class",
        "single_row",
        "constant",
        "reference",
        "current",
    ] {
        let t = table(&format!("logs/{name}.csv"));
        assert_eq!(detect_mapping(&t), log_mapping(), "{name}");
    }
}

#[test]
fn country_is_a_segment_only_without_a_segment_column() {
    // Drop `segment` from basic.csv: the low-cardinality text column `country` becomes the
    // segment (see docs/metrics/ingest.md).
    let bytes = fixture("logs/basic.csv");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let mut w = csv::Writer::from_writer(Vec::new());
    let keep = |i: usize| i != 4;
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    w.write_record(
        header
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, h)| h),
    )
    .unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        w.write_record(
            rec.iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, v)| v),
        )
        .unwrap();
    }
    let t = read_table(&w.into_inner().unwrap()).unwrap();
    let m = detect_mapping(&t);
    assert_eq!(m.segments, strings(&["country"]));
    assert_eq!(m.features, strings(&["x1", "x2"]));
}

#[test]
fn profile_of_basic() {
    let p = profile(&table("logs/basic.csv"));
    let kinds: Vec<ColumnKind> = p.iter().map(|c| c.kind).collect();
    {
        use ColumnKind::*;
        assert_eq!(
            kinds,
            vec![
                Timestamp,
                Numeric,
                Numeric,
                Categorical,
                Categorical,
                Numeric,
                Numeric,
                Categorical
            ]
        );
    }
    let roles: Vec<Role> = p.iter().map(|c| c.role).collect();
    {
        use Role::*;
        assert_eq!(
            roles,
            vec![
                Timestamp,
                Score,
                Label,
                ModelVersion,
                Segment,
                Feature,
                Feature,
                Feature
            ]
        );
    }
    assert_eq!(p[7].distinct, Some(4));
    assert_eq!(p[7].examples, strings(&["US", "DE", "FR", "BR"]));
    assert_eq!(p[2].distinct, Some(2));
    assert_eq!(p[0].min, Some(1_767_225_600.0));
    assert_eq!(p[0].max, Some(1_767_225_600.0 + 599.0 * 420.0));
    assert!(p.iter().all(|c| c.missing == 0));
    assert_eq!(p[1].examples.len(), 5);
}

#[test]
fn percent_and_logit_scores() {
    let m = detect_mapping(&table("ingest/percent.csv"));
    assert_eq!(m.score.as_deref(), Some("prediction_pct"));
    assert_eq!(m.score_transform, ScoreTransform::Percent);
    assert_eq!(m.label.as_deref(), Some("actual"));
    let p = prepare(&table("ingest/percent.csv"), &m).unwrap();
    assert_eq!(p.scores, vec![0.125, 0.8, 0.455, 0.03, 0.99]);

    let t = table("ingest/logit.csv");
    let m = detect_mapping(&t);
    assert_eq!(m.score.as_deref(), Some("y_score"));
    assert_eq!(m.score_transform, ScoreTransform::Logit);
    assert_eq!(m.label.as_deref(), Some("y_true"));
    let p = prepare(&t, &m).unwrap();
    let raw: [f64; 5] = [-2.5, 0.75, 1.5, -0.25, 4.0];
    for (p, s) in p.scores.iter().zip(raw) {
        assert!((p - 1.0 / (1.0 + (-s).exp())).abs() < 1e-15);
    }
    assert!((logistic(-2.5) - 0.075_858_180_021_243_55).abs() < 1e-16);
}

#[test]
fn string_labels_with_a_chosen_positive_class() {
    let t = table("ingest/string_labels.csv");
    let m = detect_mapping(&t);
    assert_eq!(m.id.as_deref(), Some("transaction_id"));
    assert_eq!(m.score.as_deref(), Some("risk"));
    assert_eq!(m.label.as_deref(), Some("outcome"));
    // Three classes and none of them a yes/true/1: the user must choose.
    assert_eq!(m.positive_label, None);
    assert_eq!(m.segments, strings(&["channel"]));
    assert_eq!(
        label_classes(&t, "outcome").unwrap(),
        strings(&["fraud", "legit", "unknown"])
    );
    let err = prepare(&t, &m).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("\"outcome\"") && text.contains("fraud, legit, unknown"),
        "{text}"
    );

    let chosen = ColumnMapping {
        positive_label: Some("Fraud".into()),
        ..m
    };
    let p = prepare(&t, &chosen).unwrap();
    assert_eq!(p.positive_label, "fraud");
    assert_eq!(p.negative_label.as_deref(), Some("legit"));
    assert_eq!(p.labels, vec![1, 0, 0, 0, 1]);
    assert_eq!(p.examples[&ExclusionReason::InvalidLabel], vec![7]);
    assert_eq!(p.examples[&ExclusionReason::MissingLabel], vec![8]);
}

#[test]
fn label_values_match_by_value_and_case() {
    let t = read_table(b"score,label\n0.1,1\n0.2,1.0\n0.3,1.00\n0.4,0\n0.5,0.0\n").unwrap();
    assert_eq!(label_classes(&t, "label").unwrap(), strings(&["0", "1"]));
    let p = prepare(&t, &detect_mapping(&t)).unwrap();
    assert_eq!(p.labels, vec![1, 1, 1, 0, 0]);
    let t = read_table(b"score,label\n0.1,True\n0.2,true\n0.3,FALSE\n0.4,false\n").unwrap();
    let m = detect_mapping(&t);
    assert_eq!(m.positive_label.as_deref(), Some("true"));
    assert_eq!(prepare(&t, &m).unwrap().labels, vec![1, 1, 0, 0]);
    let err = label_classes(&t, "lable").unwrap_err();
    assert!(err.to_string().contains("\"lable\"") && err.to_string().contains("score, label"));
}

#[test]
fn epoch_times_are_recognised_but_not_features() {
    let t = table("ingest/timestamps.csv");
    let m = detect_mapping(&t);
    assert_eq!(m.timestamp.as_deref(), Some("ts"));
    assert!(!m.features.contains(&"created_at".to_string()), "{m:?}");
    let times = column_times(t.column("created_at").unwrap()).unwrap();
    assert_eq!(&times[..2], &[1_767_225_600.0, 1_767_261_600.0]);
    assert!(times[5].is_nan());
    // Without an ISO column, the epoch column is the timestamp.
    let t =
        read_table(b"event_time,score,label\n1767225600000,0.2,0\n1767225660000,0.6,1\n").unwrap();
    assert_eq!(detect_mapping(&t).timestamp.as_deref(), Some("event_time"));
}

#[test]
fn exclusions_are_counted_with_lines() {
    let t = table("ingest/exclusions.csv");
    let m = detect_mapping(&t);
    assert_eq!(m.score.as_deref(), Some("score"));
    assert_eq!(m.label.as_deref(), Some("label"));
    let p = prepare(&t, &m).unwrap();
    assert_eq!(p.scores, vec![0.2, 0.9, 0.4]);
    assert_eq!(p.rows, vec![0, 7, 9]);
    assert_eq!(
        p.exclusion_summary(),
        "Used 3 of 11 data rows. Excluded 8: 1 score missing (line 3); 1 score not a number \
         (line 4); 3 score outside [0, 1] (lines 5, 6, 12); 1 label missing (line 7); 1 label \
         not one of the two classes (line 8); 1 wrong number of fields (line 9)."
    );
    let all_good = prepare(&table("logs/basic.csv"), &log_mapping()).unwrap();
    assert_eq!(all_good.exclusion_summary(), "Used all 600 data rows.");
}

#[test]
fn errors_name_roles_columns_and_reasons() {
    let t = table("logs/basic.csv");
    let mut m = log_mapping();
    m.label = None;
    let err = prepare(&t, &m).unwrap_err();
    assert_eq!(
        err,
        PlumbError::MissingRole {
            role: "label".into()
        }
    );
    assert!(err.to_string().contains("label column"), "{err}");
    m.label = Some("outcome".into());
    let text = prepare(&t, &m).unwrap_err().to_string();
    assert!(
        text.contains("\"outcome\"") && text.contains("timestamp, score, label"),
        "{text}"
    );

    let empty = table("ingest/header_only.csv");
    let err = prepare(&empty, &log_mapping()).unwrap_err();
    assert_eq!(err, PlumbError::NoDataRows);
    assert!(err.to_string().contains("no data rows"));

    let t = read_table(b"score,label\nhigh,1\n2,0\n,1\n0.5\n").unwrap();
    let err = prepare(&t, &log_mapping()).unwrap_err();
    let mut excluded = BTreeMap::new();
    excluded.insert(ExclusionReason::MissingScore, 1);
    excluded.insert(ExclusionReason::NonNumericScore, 1);
    excluded.insert(ExclusionReason::ScoreOutOfRange, 1);
    excluded.insert(ExclusionReason::RaggedRow, 1);
    assert_eq!(err, PlumbError::NoUsableRows { rows: 4, excluded });
    let text = err.to_string();
    assert!(text.contains("1 score not a number") && text.contains("1 wrong number of fields"));
}

#[test]
fn a_high_cardinality_label_is_refused_by_name() {
    let mut text = String::from("score,label\n");
    for i in 0..5000 {
        text.push_str(&format!("0.5,c{i}\n"));
    }
    let t = read_table(text.as_bytes()).unwrap();
    let err = label_classes(&t, "label").unwrap_err();
    assert_eq!(
        err,
        PlumbError::TooManyClasses {
            column: "label".into(),
            limit: 4096
        }
    );
    assert!(
        err.to_string().contains("\"label\" has more than 4096"),
        "{err}"
    );
    let m = ColumnMapping {
        score: Some("score".into()),
        label: Some("label".into()),
        ..ColumnMapping::default()
    };
    assert_eq!(prepare(&t, &m).unwrap_err(), err);
}

fn transform_of(name: &str) -> ScoreTransform {
    match name {
        "identity" => ScoreTransform::Identity,
        "percent" => ScoreTransform::Percent,
        "logit" => ScoreTransform::Logit,
        other => panic!("unknown transform {other}"),
    }
}

fn reason_of(key: &str) -> ExclusionReason {
    *ExclusionReason::ALL
        .iter()
        .find(|r| r.key() == key)
        .unwrap_or_else(|| panic!("unknown reason {key}"))
}

/// `prepare` against the Python re-implementation (tests/fixtures/make_goldens_ingest.py).
/// Counts, lines and labels are exact; score sums agree to 1e-12 relative (order of
/// addition), single scores to 1e-15 (the logistic's exp may differ in the last bit).
#[test]
fn goldens_from_python() {
    let path = format!(
        "{}/tests/fixtures/goldens/schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let golden: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = golden["prepare"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    for g in cases {
        let file = g["file"].as_str().unwrap();
        let t = table(file);
        let m = ColumnMapping {
            score: g["score"].as_str().map(str::to_string),
            label: g["label"].as_str().map(str::to_string),
            score_transform: transform_of(g["transform"].as_str().unwrap()),
            positive_label: g["positive"].as_str().map(str::to_string),
            ..ColumnMapping::default()
        };
        let p = prepare(&t, &m).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(p.rows_total, g["rows_total"].as_u64().unwrap(), "{file}");
        assert_eq!(p.rows_used(), g["rows_used"].as_u64().unwrap(), "{file}");
        let positives: u64 = p.labels.iter().map(|&y| u64::from(y)).sum();
        assert_eq!(positives, g["positives"].as_u64().unwrap(), "{file}");
        let sum: f64 = p.scores.iter().sum();
        let want = g["score_sum"].as_f64().unwrap();
        assert!(
            (sum - want).abs() <= 1e-12 * want.abs().max(1.0),
            "{file}: {sum} {want}"
        );
        for (got, want) in p.scores.iter().zip(g["first_scores"].as_array().unwrap()) {
            assert!((got - want.as_f64().unwrap()).abs() <= 1e-15, "{file}");
        }
        let labels: Vec<u8> = g["first_labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u8)
            .collect();
        assert_eq!(&p.labels[..labels.len()], labels.as_slice(), "{file}");
        let excluded: BTreeMap<ExclusionReason, u64> = g["excluded"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (reason_of(k), v.as_u64().unwrap()))
            .collect();
        assert_eq!(p.excluded, excluded, "{file}");
        let examples: BTreeMap<ExclusionReason, Vec<u64>> = g["examples"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let lines = v.as_array().unwrap().iter().map(|l| l.as_u64().unwrap());
                (reason_of(k), lines.collect())
            })
            .collect();
        assert_eq!(p.examples, examples, "{file}");
    }
}

/// Cells for random logs: good values, missing markers, junk and out-of-range numbers.
fn score_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..=1000).prop_map(|k| format!("{}", f64::from(k) / 1000.0)),
        1 => Just("NA".to_string()),
        1 => Just(String::new()),
        1 => Just("oops".to_string()),
        1 => Just("1.5".to_string()),
        1 => Just("-inf".to_string()),
    ]
}

fn label_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just("1".to_string()),
        3 => Just("0".to_string()),
        1 => Just("1.0".to_string()),
        1 => Just("2".to_string()),
        1 => Just("null".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every row is used or excluded exactly once; used rows are in range and in order.
    #[test]
    fn rows_are_accounted_for(
        rows in proptest::collection::vec((score_cell(), label_cell(), any::<bool>()), 1..60),
        percent in any::<bool>(),
    ) {
        let mut text = String::from("score,label\n");
        for (s, y, ragged) in &rows {
            text.push_str(&format!("{s},{y}{}\n", if *ragged { ",x" } else { "" }));
        }
        let t = read_table(text.as_bytes()).unwrap();
        let mapping = ColumnMapping {
            score: Some("score".into()),
            label: Some("label".into()),
            positive_label: Some("1".into()),
            score_transform: if percent { ScoreTransform::Percent } else { ScoreTransform::Identity },
            ..ColumnMapping::default()
        };
        match prepare(&t, &mapping) {
            Ok(p) => {
                prop_assert_eq!(p.rows_total, rows.len() as u64);
                prop_assert_eq!(p.rows_used() + p.rows_excluded(), p.rows_total);
                prop_assert!(p.scores.iter().all(|s| (0.0..=1.0).contains(s)));
                prop_assert!(p.labels.iter().all(|&y| y <= 1));
                prop_assert!(p.rows.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(p.scores.len(), p.labels.len());
                prop_assert_eq!(p.scores.len(), p.rows.len());
                for (reason, lines) in &p.examples {
                    prop_assert!(lines.len() as u64 <= p.excluded[reason].min(5));
                    prop_assert!(lines.windows(2).all(|w| w[0] < w[1]));
                }
                for (&row, &s) in p.rows.iter().zip(&p.scores) {
                    let raw = t.columns[0].number(row as usize);
                    let expected = if percent { raw / 100.0 } else { raw };
                    prop_assert_eq!(s, expected);
                }
            }
            Err(PlumbError::NoUsableRows { rows: n, excluded }) => {
                prop_assert_eq!(n, rows.len() as u64);
                prop_assert_eq!(excluded.values().sum::<u64>(), n);
            }
            // A chosen positive class that is not among two or more classes is refused.
            Err(PlumbError::InvalidSetting { setting, .. }) => {
                let classes = label_classes(&t, "label").unwrap();
                prop_assert_eq!(setting, "positive class");
                prop_assert!(classes.len() >= 2 && !classes.contains(&"1".to_string()));
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }

    /// Detection is deterministic and never gives a column two roles.
    #[test]
    fn detection_assigns_each_column_at_most_once(
        names in proptest::collection::vec(
            prop_oneof![
                Just("score"), Just("label"), Just("y"), Just("prob"), Just("segment"),
                Just("id"), Just("model"), Just("version"), Just("time"), Just("x"),
                Just("pred_label"), Just("is_fraud"), Just("group"), Just("p"),
            ],
            1..8,
        ),
        cells in proptest::collection::vec(
            prop_oneof![Just("0"), Just("1"), Just("0.25"), Just("a"), Just("b"), Just(""),
                        Just("2026-01-01"), Just("-3"), Just("55")],
            8 * 6,
        ),
    ) {
        let mut text = names.join(",");
        text.push('\n');
        for r in 0..6 {
            let row: Vec<&str> = (0..names.len()).map(|c| cells[r * 8 + c]).collect();
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let t = read_table(text.as_bytes()).unwrap();
        let m = detect_mapping(&t);
        prop_assert_eq!(&m, &detect_mapping(&t));
        let mut used: Vec<String> = [&m.score, &m.label, &m.timestamp, &m.model_version, &m.id, &m.decision]
            .into_iter()
            .flatten()
            .cloned()
            .chain(m.segments.iter().cloned())
            .chain(m.features.iter().cloned())
            .collect();
        prop_assert!(used.iter().all(|n| t.headers.contains(n)));
        let n = used.len();
        used.sort();
        used.dedup();
        prop_assert_eq!(used.len(), n);
        let roles: Vec<Role> = profile(&t).iter().map(|c| c.role).collect();
        prop_assert_eq!(roles.iter().filter(|r| **r != Role::Unused).count(), n);
    }
}
