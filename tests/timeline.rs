//! Drift over time (`report.timeline`) and per-column drift methods, against goldens.
//!
//! Goldens: `tests/fixtures/goldens/timeline.json`, written by `tests/fixtures/make_timeline.py`
//! (pandas groups the chunks, NumPy the quantiles, scikit-learn's `calibration_curve` the ECE
//! bins, SciPy the drift statistics), and `goldens/drift.json` (`make_goldens_drift.py`, SciPy)
//! for the drift table's values under a chosen method.

use std::collections::BTreeMap;

use plumb::core::analysis::{self, LoadedFile, Request, analyze, detect_mapping, load_file};
use plumb::core::metrics::drift::DriftMethod;
use plumb::core::report::{BinStrategy, ColumnMapping, Report, Settings, WindowSpec};
use plumb::core::timeline::{
    self, Chunking, ColumnValues, DriftInput, TimeHistogram, TimelineInput,
};
use serde_json::Value;

fn json(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/goldens/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn log(name: &str) -> LoadedFile {
    let path = format!("{}/tests/fixtures/logs/{name}", env!("CARGO_MANIFEST_DIR"));
    load_file(name, &std::fs::read(path).unwrap()).unwrap()
}

fn two_files(settings: &Settings, edit: impl FnOnce(&mut ColumnMapping)) -> Report {
    let (r, c) = (log("reference.csv"), log("current.csv"));
    let mut mapping = detect_mapping(&r);
    edit(&mut mapping);
    analyze(
        &Request {
            reference: &r,
            current: Some(&c),
            mapping: &mapping,
            settings,
            window: WindowSpec::TwoFiles,
            now: None,
            depth: plumb::core::analysis::Depth::Complete,
        },
        "test",
    )
    .unwrap()
}

fn close(actual: Option<f64>, expected: &Value, what: &str) {
    match expected.as_f64() {
        None => assert!(actual.is_none(), "{what}: got {actual:?}, expected null"),
        Some(e) => {
            let a = actual.unwrap_or_else(|| panic!("{what}: got null, expected {e}"));
            let tol = 1e-9 * e.abs().max(1e-12);
            assert!((a - e).abs() <= tol, "{what}: got {a:e}, expected {e:e}");
        }
    }
}

fn method(key: &str) -> DriftMethod {
    *DriftMethod::ALL.iter().find(|m| m.key() == key).unwrap()
}

#[test]
fn timeline_matches_pandas_sklearn_scipy_goldens() {
    let g = json("timeline.json");
    for case in g["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let s = &case["settings"];
        let mut settings = Settings {
            bins: s["bins"].as_u64().unwrap() as usize,
            strategy: if s["strategy"] == "quantile" {
                BinStrategy::Quantile
            } else {
                BinStrategy::Uniform
            },
            bootstrap: 0,
            chunking: match s["chunking"].as_str().unwrap() {
                "day" => Chunking::Day,
                "week" => Chunking::Week,
                _ => Chunking::Rows {
                    size: s["size"].as_u64().unwrap(),
                },
            },
            ..Settings::default()
        };
        for (col, m) in s["drift_methods"].as_object().unwrap() {
            settings
                .drift_methods
                .insert(col.clone(), method(m.as_str().unwrap()));
        }
        let with_time = s["timestamp"].as_bool().unwrap();
        let report = two_files(&settings, |m| {
            if !with_time {
                m.timestamp = None;
            }
        });
        let t = report.timeline.as_ref().unwrap();
        assert_eq!(t.error, None, "{name}");
        assert_eq!(t.chunking, case["resolved"].as_str().unwrap(), "{name}");
        let cols: Vec<(&str, &str)> = t
            .drift_columns
            .iter()
            .map(|c| (c.name.as_str(), c.method.as_str()))
            .collect();
        let expected: Vec<(&str, &str)> = case["drift_columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["method"].as_str().unwrap()))
            .collect();
        assert_eq!(cols, expected, "{name}: followed columns and methods");
        let check_levels = |l: &timeline::TimelineLevels, e: &Value, what: &str| {
            assert_eq!(l.n, e["n"].as_u64().unwrap(), "{what} n");
            assert_eq!(
                l.positives,
                e["positives"].as_u64().unwrap(),
                "{what} positives"
            );
            close(
                l.positive_rate,
                &e["positive_rate"],
                &format!("{what} positive_rate"),
            );
            close(
                l.score_mean,
                &e["score_mean"],
                &format!("{what} score_mean"),
            );
            close(l.score_p10, &e["score_p10"], &format!("{what} p10"));
            close(l.score_p50, &e["score_p50"], &format!("{what} p50"));
            close(l.score_p90, &e["score_p90"], &format!("{what} p90"));
            close(l.ece, &e["ece"], &format!("{what} ece"));
        };
        check_levels(
            &t.reference,
            &case["reference"],
            &format!("{name} reference"),
        );
        let chunks = case["chunks"].as_array().unwrap();
        assert_eq!(t.chunks.len(), chunks.len(), "{name}: chunk count");
        for (c, e) in t.chunks.iter().zip(chunks) {
            let what = format!("{name} chunk {}", c.index);
            assert_eq!(c.label, e["label"].as_str().unwrap(), "{what} label");
            close(c.start, &e["start"], &format!("{what} start"));
            close(c.end, &e["end"], &format!("{what} end"));
            check_levels(&c.levels, e, &what);
            let drift = e["drift"].as_array().unwrap();
            assert_eq!(c.drift.len(), drift.len());
            for (k, (a, b)) in c.drift.iter().zip(drift).enumerate() {
                close(
                    *a,
                    b,
                    &format!("{what} drift of {}", t.drift_columns[k].name),
                );
            }
        }
        // The reference levels are the reference window's own numbers.
        let r = report.windows.reference.as_ref().unwrap();
        assert_eq!(
            t.reference.ece, r.ece,
            "{name}: reference ECE as in windows"
        );
    }
}

#[test]
fn drift_table_follows_the_chosen_method_with_scipy_values() {
    let g = json("drift.json");
    let numeric = |name: &str| {
        g["numeric"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    let country = g["categorical"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "country")
        .unwrap()
        .clone();
    let cases = [
        ("x1", "psi", numeric("x1")["psi"].clone()),
        ("x1", "ks", numeric("x1")["ks_p_value"].clone()),
        ("x1", "kl", numeric("x1")["kl_ref_cur"].clone()),
        ("x1", "js_distance", numeric("x1")["js_distance"].clone()),
        ("x1", "hellinger", numeric("x1")["hellinger"].clone()),
        ("x2", "ks", numeric("x2")["ks_p_value"].clone()),
        ("score", "psi", numeric("score")["psi"].clone()),
        ("country", "chi2", country["chi2_p_value"].clone()),
        ("country", "psi", country["psi"].clone()),
        ("country", "kl", country["kl_ref_cur"].clone()),
    ];
    for (col, m, expected) in cases {
        let mut settings = Settings {
            bootstrap: 0,
            ..Settings::default()
        };
        settings.drift_methods.insert(col.to_string(), method(m));
        let report = two_files(&settings, |_| {});
        let row = report
            .drift
            .as_ref()
            .unwrap()
            .columns
            .iter()
            .find(|c| c.name == col)
            .unwrap();
        assert_eq!(row.method, m, "{col}");
        assert_eq!(row.method_source, "column", "{col}");
        assert_eq!(row.threshold, method(m).threshold());
        close(row.value, &expected, &format!("{col} by {m}"));
        let v = row.value.unwrap();
        let drifted = if method(m).is_p_value() {
            v < row.threshold
        } else {
            v >= row.threshold
        };
        assert_eq!(
            row.drifted, drifted,
            "{col} by {m}: drifted follows the value"
        );
        // Other columns keep the default rule.
        for other in &report.drift.as_ref().unwrap().columns {
            if other.name != col {
                assert_eq!(other.method_source, "default", "{}", other.name);
            }
        }
    }
}

#[test]
fn method_for_all_columns_applies_where_it_can_and_columns_override_it() {
    let mut settings = Settings {
        bootstrap: 0,
        drift_method: Some(DriftMethod::Ks),
        ..Settings::default()
    };
    settings.drift_methods.insert("x2".into(), DriftMethod::Psi);
    // KS does not apply to categories: this override is ignored, the default rule decides.
    settings
        .drift_methods
        .insert("country".into(), DriftMethod::WassersteinNorm);
    let report = two_files(&settings, |_| {});
    let cols = &report.drift.as_ref().unwrap().columns;
    let by = |n: &str| cols.iter().find(|c| c.name == n).unwrap();
    assert_eq!(
        (by("x1").method.as_str(), by("x1").method_source.as_str()),
        ("ks", "all")
    );
    assert_eq!(
        (
            by("score").method.as_str(),
            by("score").method_source.as_str()
        ),
        ("ks", "all")
    );
    assert_eq!(
        (by("x2").method.as_str(), by("x2").method_source.as_str()),
        ("psi", "column")
    );
    assert_eq!(
        (
            by("country").method.as_str(),
            by("country").method_source.as_str()
        ),
        ("js_distance", "default")
    );
    assert!(!by("country").methods.contains(&"ks".to_string()));
    assert!(by("x1").methods.contains(&"wasserstein_norm".to_string()));
    // The timeline follows the drift table's methods.
    let t = report.timeline.unwrap();
    assert_eq!(t.drift_columns[0].method, "ks");
    assert!(t.drift_columns[0].p_value);
}

#[test]
fn settings_without_the_new_fields_still_parse_and_round_trip() {
    let mut v = serde_json::to_value(Settings::default()).unwrap();
    let obj = v.as_object_mut().unwrap();
    obj.remove("chunking");
    assert!(
        !obj.contains_key("drift_methods"),
        "empty overrides are not written"
    );
    let s: Settings = serde_json::from_value(v).unwrap();
    assert_eq!(s.chunking, Chunking::Auto);
    let mut s = Settings {
        chunking: Chunking::Rows { size: 120 },
        ..Settings::default()
    };
    s.drift_methods
        .insert("a,b \"c\"".into(), DriftMethod::Chi2);
    let back: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    assert!(serde_json::from_str::<Chunking>(r#"{"kind":"month"}"#).is_err());
}

#[test]
fn day_chunks_without_a_timestamp_are_an_error_in_words_not_a_failed_report() {
    let settings = Settings {
        bootstrap: 0,
        chunking: Chunking::Week,
        ..Settings::default()
    };
    let report = two_files(&settings, |m| m.timestamp = None);
    let t = report.timeline.unwrap();
    assert!(t.chunks.is_empty());
    assert!(t.error.unwrap().contains("timestamp"));
    // Auto falls back to rows: ⌈1200 / 10⌉.
    let report = two_files(
        &Settings {
            bootstrap: 0,
            ..Settings::default()
        },
        |m| m.timestamp = None,
    );
    let t = report.timeline.unwrap();
    assert_eq!((t.chunking.as_str(), t.chunk_rows), ("rows", Some(120)));
    assert_eq!(t.chunks.len(), 10);
}

#[test]
fn single_log_has_no_timeline() {
    let r = log("reference.csv");
    let m = detect_mapping(&r);
    let report = analysis::analyze_single(&r, &m, &Settings::default(), "t").unwrap();
    assert!(report.timeline.is_none());
}

fn input<'a>(
    scores: &'a [f64],
    labels: &'a [u8],
    times: Option<&'a [f64]>,
    drift: &'a [DriftInput],
) -> TimelineInput<'a> {
    TimelineInput {
        reference_scores: scores,
        reference_labels: labels,
        scores,
        labels,
        times,
        drift,
    }
}

#[test]
fn chunk_edges_missing_times_and_bad_settings() {
    let settings = Settings::default();
    // 2026-01-04 (a Sunday) 23:59:59 and 2026-01-05 (Monday) 00:00:00 fall in different ISO
    // weeks; a row without a time is counted, not chunked.
    let sunday = 1_767_571_199.0;
    let times = [sunday, sunday + 1.0, f64::NAN, sunday + 86_400.0];
    let scores = [0.2, 0.4, 0.6, 0.8];
    let labels = [0u8, 1, 1, 0];
    let t = timeline::timeline(
        &input(&scores, &labels, Some(&times), &[]),
        Chunking::Week,
        &settings,
    )
    .unwrap();
    assert_eq!(t.rows_without_time, 1);
    let sizes: Vec<u64> = t.chunks.iter().map(|c| c.levels.n).collect();
    assert_eq!(sizes, [1, 2]);
    assert_eq!(t.chunks[1].label, "week of 2026-01-05");
    assert_eq!(t.chunks[1].start, Some(sunday + 1.0));
    // Rows: the last chunk is shorter; time order, rows without a time left out.
    let t = timeline::timeline(
        &input(&scores, &labels, Some(&times), &[]),
        Chunking::Rows { size: 2 },
        &settings,
    )
    .unwrap();
    let labels_of: Vec<&str> = t.chunks.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels_of, ["rows 1–2", "rows 3–3"]);
    assert_eq!(t.chunks[1].levels.score_mean, Some(0.8));
    // Zero rows per chunk, and mismatched lengths, are errors.
    assert!(
        timeline::timeline(
            &input(&scores, &labels, None, &[]),
            Chunking::Rows { size: 0 },
            &settings
        )
        .is_err()
    );
    let bad = [DriftInput {
        name: "f".into(),
        role: "feature".into(),
        method: DriftMethod::Psi,
        reference: ColumnValues::Numeric(vec![1.0; 4]),
        current: ColumnValues::Numeric(vec![1.0; 3]),
    }];
    assert!(
        timeline::timeline(
            &input(&scores, &labels, None, &bad),
            Chunking::Auto,
            &settings
        )
        .is_err()
    );
    // Tiny row chunks are capped at MAX_ROW_CHUNKS chunks.
    let many: Vec<f64> = (0..2000).map(|i| (i % 100) as f64 / 100.0).collect();
    let ys: Vec<u8> = (0..2000).map(|i| (i % 2) as u8).collect();
    let t = timeline::timeline(
        &input(&many, &ys, None, &[]),
        Chunking::Rows { size: 1 },
        &settings,
    )
    .unwrap();
    assert_eq!(t.chunks.len() as u64, timeline::MAX_ROW_CHUNKS);
    assert_eq!(t.chunk_rows, Some(4));
}

#[test]
fn time_histogram_counts_rows_per_bucket_and_snaps_clicks_to_boundaries() {
    let c = log("current.csv");
    let times: Vec<f64> = c
        .table
        .column("timestamp")
        .unwrap()
        .timestamps()
        .unwrap()
        .to_vec();
    let h = TimeHistogram::of(&times).unwrap();
    // 1200 rows 7 minutes apart span ~140 hours: fewer than 20 rows per hour on average, so the
    // automatic granularity is the day. Independent count: rows per UTC day.
    assert_eq!(h.width, 86_400);
    let mut expected: BTreeMap<i64, u64> = BTreeMap::new();
    for t in &times {
        *expected
            .entry((*t as i64).div_euclid(86_400) * 86_400)
            .or_default() += 1;
    }
    let nonzero: BTreeMap<i64, u64> = h
        .starts
        .iter()
        .zip(&h.counts)
        .filter(|(_, c)| **c > 0)
        .map(|(s, c)| (*s, *c))
        .collect();
    assert_eq!(nonzero, expected);
    assert_eq!(h.counts.iter().sum::<u64>(), 1200);
    assert_eq!(h.missing, 0);
    let first = h.starts[0];
    assert_eq!(h.snap(first as f64 + 40_000.0), Some(first));
    assert_eq!(h.snap(first as f64 + 50_000.0), Some(first + 86_400));
    assert_eq!(h.snap(-1e12), Some(first));
    assert_eq!(h.snap(f64::NAN), None);
    assert_eq!(timeline::datetime_local(first), "2026-01-31T00:00:00");
    assert!(TimeHistogram::of(&[f64::NAN]).is_none());
}

#[test]
fn timeline_and_time_histogram_charts_draw_reference_levels_and_map_clicks_to_time() {
    use plumb::core::render::{
        ChartStyle, TimeHistogramChart, TimelineChart, TimelineSeries, time_histogram_chart_svg,
        timeline_chart_svg, to_svg_string_with,
    };
    let pts = [
        (1_769_817_600.0, 0.2),
        (1_769_904_000.0, f64::NAN),
        (1_769_990_400.0, 0.4),
    ];
    let chart = TimelineChart {
        series: vec![TimelineSeries {
            name: "ECE",
            points: &pts,
            reference: Some(0.05),
        }],
        time_axis: true,
        y_label: Some("ECE"),
        y_range: None,
    };
    let svg = timeline_chart_svg(&chart, &ChartStyle::new(600, 300)).unwrap();
    assert!(
        svg.contains("reference level"),
        "legend names the dashed level"
    );
    assert!(
        svg.contains("01-31") || svg.contains("02-01"),
        "UTC date ticks on the time axis"
    );
    let starts = [1_769_817_600i64, 1_769_904_000, 1_769_990_400];
    let counts = [5u64, 0, 7];
    let hist = TimeHistogramChart {
        starts: &starts,
        width: 86_400,
        counts: &counts,
        split: Some(1_769_904_000.0),
    };
    let svg = time_histogram_chart_svg(&hist, &ChartStyle::new(400, 200)).unwrap();
    assert!(svg.starts_with("<svg"));
    let (_, layout) = to_svg_string_with(400, 200, |area| {
        plumb::core::render::time_histogram_chart(&area, &hist, &ChartStyle::new(400, 200))
    })
    .unwrap();
    // Bars for the non-empty buckets; the panel spans exactly the buckets, so a pixel maps back
    // to a time inside the span.
    assert_eq!(layout.marks.len(), 3);
    let mid = f64::from(layout.main.rect.left + layout.main.rect.right) / 2.0;
    let t = layout.main.px_to_x(mid);
    assert!(
        (t - (1_769_817_600.0 + 1.5 * 86_400.0)).abs() < 86_400.0 * 0.02,
        "{t}"
    );
}
