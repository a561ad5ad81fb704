//! Chart rendering: every chart draws to well-formed SVG on normal and degenerate data, puts
//! the expected markers where its `ChartLayout` says they are, escapes hostile text, and its
//! pixel↔data mapping round-trips. Sample SVGs from the fixture logs are written to
//! `target/render-samples/` for looking at.

mod common;
use common::check_xml;

use plumb::core::render::*;
use plumb::core::report::{ReliabilityBin, ScoreHistogram};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

// ---------------------------------------------------------------------------------------------
// Fixture data, computed here with textbook formulas (charts only need plausible inputs).

#[derive(Debug, Clone)]
struct Row {
    ts: f64,
    score: f64,
    label: u8,
    x1: f64,
    country: String,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_ts(s: &str) -> f64 {
    // 2026-01-01T00:07:00Z
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let days = days_from_civil(n(0, 4), n(5, 7), n(8, 10));
    (days * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)) as f64
}

fn load(name: &str) -> Vec<Row> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/logs")
        .join(format!("{name}.csv"));
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (t, s, l, x, c) = (
        col("timestamp"),
        col("score"),
        col("label"),
        col("x1"),
        col("country"),
    );
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            Row {
                ts: parse_ts(&r[t]),
                score: r[s].parse().unwrap(),
                label: r[l].parse().unwrap(),
                x1: r[x].parse().unwrap_or(f64::NAN),
                country: r[c].to_string(),
            }
        })
        .collect()
}

fn wilson(k: u64, n: u64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

fn reliability_bins(rows: &[Row], bins: usize) -> Vec<ReliabilityBin> {
    let mut out = Vec::new();
    for b in 0..bins {
        let (lo, hi) = (b as f64 / bins as f64, (b + 1) as f64 / bins as f64);
        let inb: Vec<&Row> = rows
            .iter()
            .filter(|r| r.score >= lo && (r.score < hi || (b == bins - 1 && r.score <= hi)))
            .collect();
        if inb.is_empty() {
            continue;
        }
        let n = inb.len() as u64;
        let k = inb.iter().filter(|r| r.label == 1).count() as u64;
        let (cl, cu) = wilson(k, n);
        out.push(ReliabilityBin {
            lower: lo,
            upper: hi,
            count: n,
            positives: k,
            mean_score: inb.iter().map(|r| r.score).sum::<f64>() / n as f64,
            observed_rate: k as f64 / n as f64,
            ci_lower: cl,
            ci_upper: cu,
        });
    }
    out
}

fn histogram(rows: &[Row], bins: usize) -> ScoreHistogram {
    let mut h = ScoreHistogram {
        edges: (0..=bins).map(|i| i as f64 / bins as f64).collect(),
        negatives: vec![0; bins],
        positives: vec![0; bins],
    };
    for r in rows {
        let i = ((r.score * bins as f64) as usize).min(bins - 1);
        if r.label == 1 {
            h.positives[i] += 1;
        } else {
            h.negatives[i] += 1;
        }
    }
    h
}

/// (fpr, tpr, precision, recall, thresholds) at each distinct score, highest first.
struct Curves {
    fpr: Vec<f64>,
    tpr: Vec<f64>,
    precision: Vec<f64>,
    recall: Vec<f64>,
    thresholds: Vec<f64>,
    auc: f64,
    ap: f64,
    rate: f64,
}

fn curves(rows: &[Row]) -> Curves {
    let mut v: Vec<(f64, u8)> = rows.iter().map(|r| (r.score, r.label)).collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    let p = v.iter().filter(|x| x.1 == 1).count() as f64;
    let n = v.len() as f64 - p;
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut c = Curves {
        fpr: vec![0.0],
        tpr: vec![0.0],
        precision: vec![1.0],
        recall: vec![0.0],
        thresholds: vec![1.0],
        auc: 0.0,
        ap: 0.0,
        rate: p / (p + n),
    };
    let mut i = 0;
    while i < v.len() {
        let s = v[i].0;
        while i < v.len() && v[i].0 == s {
            if v[i].1 == 1 {
                tp += 1.0
            } else {
                fp += 1.0
            }
            i += 1;
        }
        let (f, t) = (fp / n, tp / p);
        c.auc += (f - c.fpr.last().unwrap()) * (t + c.tpr.last().unwrap()) / 2.0;
        let r = tp / p;
        let pr = tp / (tp + fp);
        c.ap += (r - c.recall.last().unwrap()) * pr;
        c.fpr.push(f);
        c.tpr.push(t);
        c.recall.push(r);
        c.precision.push(pr);
        c.thresholds.push(s);
    }
    c
}

fn rate_at(c: &Curves, t: f64) -> usize {
    // Index of the last point with threshold >= t.
    c.thresholds.iter().rposition(|&s| s >= t).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// An SVG element reader (well-formedness: `common::check_xml`).

/// Attributes of every `<tag ...>` element, in document order.
fn elements(svg: &str, tag: &str) -> Vec<HashMap<String, String>> {
    let open = format!("<{tag} ");
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find('>').unwrap() + i;
        let body = &rest[i + open.len()..end];
        let mut attrs = HashMap::new();
        let mut r = body;
        while let Some(eq) = r.find("=\"") {
            let name = r[..eq].trim().to_string();
            let close = r[eq + 2..].find('"').unwrap() + eq + 2;
            attrs.insert(name, r[eq + 2..close].to_string());
            r = &r[close + 1..];
        }
        out.push(attrs);
        rest = &rest[end..];
    }
    out
}

fn num(a: &HashMap<String, String>, k: &str) -> i32 {
    a[k].parse::<f64>().unwrap().round() as i32
}

fn circles(svg: &str) -> Vec<(i32, i32, i32, String)> {
    elements(svg, "circle")
        .iter()
        .map(|a| (num(a, "cx"), num(a, "cy"), num(a, "r"), a["fill"].clone()))
        .collect()
}

fn polylines(svg: &str) -> Vec<(Vec<(i32, i32)>, String)> {
    elements(svg, "polyline")
        .iter()
        .map(|a| {
            let pts = a["points"]
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            (pts, a["stroke"].clone())
        })
        .collect()
}

fn rects(svg: &str) -> Vec<(PixelRect, String)> {
    elements(svg, "rect")
        .iter()
        .map(|a| {
            let (x, y, w, h) = (num(a, "x"), num(a, "y"), num(a, "width"), num(a, "height"));
            (
                PixelRect {
                    left: x,
                    top: y,
                    right: x + w,
                    bottom: y + h,
                },
                a["fill"].clone(),
            )
        })
        .collect()
}

fn hex(c: plotters::style::RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

fn sample_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/render-samples");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn save(name: &str, svg: &str) {
    std::fs::write(sample_dir().join(format!("{name}.svg")), svg).unwrap();
}

/// Render with the SVG backend (text scale compensated), returning the SVG and the layout.
fn render(
    style: &ChartStyle,
    draw: impl for<'b> FnOnce(
        plotters::prelude::DrawingArea<plotters::prelude::SVGBackend<'b>, plotters::coord::Shift>,
        &ChartStyle,
    ) -> Result<ChartLayout, RenderError>,
) -> (String, ChartLayout) {
    let s = svg_style(style);
    let (w, h) = style.pixel_size();
    let (svg, layout) = to_svg_string_with(w, h, |a| draw(a, &s)).unwrap();
    check_xml(&svg).unwrap_or_else(|e| panic!("malformed SVG: {e}\n{svg}"));
    (svg, layout)
}

fn style() -> ChartStyle {
    ChartStyle::new(640, 440)
}

fn assert_round_trip(p: &PanelLayout) {
    let r = p.rect;
    for px in r.left..=r.right {
        assert_eq!(p.x_to_px(p.px_to_x(f64::from(px))), px, "x pixel {px}");
    }
    for py in r.top..=r.bottom {
        assert_eq!(p.y_to_px(p.px_to_y(f64::from(py))), py, "y pixel {py}");
    }
}

const HOSTILE: &str = "<script>alert(1)</script>";

fn assert_escaped(svg: &str) {
    assert!(!svg.contains("<script"), "raw script tag in SVG");
    assert!(
        svg.contains("&lt;script&gt;alert(1"),
        "hostile label missing or not escaped"
    );
}

// ---------------------------------------------------------------------------------------------
// Reliability diagram.

#[test]
fn reliability_markers_whiskers_and_histogram_match_layout() {
    let rows = load("basic");
    let bins = reliability_bins(&rows, 10);
    let hist = histogram(&rows, 20);
    let chart = ReliabilityChart {
        series: vec![ReliabilitySeries {
            name: "basic",
            bins: &bins,
        }],
        histogram: Some(&hist),
        stacked: true,
        ..Default::default()
    };
    let (svg, layout) = render(&style(), |a, s| reliability_diagram(&a, &chart, s));
    save("reliability_basic", &svg);

    // One marker per non-empty bin, plus one in the legend swatch.
    let points: Vec<&Mark> = layout
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::Point)
        .collect();
    assert_eq!(points.len(), bins.len());
    let blue = hex(OKABE_ITO[0]);
    let cs = circles(&svg);
    assert_eq!(cs.iter().filter(|c| c.3 == blue).count(), bins.len() + 1);
    let legend = layout.legend.unwrap();
    assert_eq!(
        cs.iter()
            .filter(|c| c.3 == blue && legend.contains(f64::from(c.0), f64::from(c.1)))
            .count(),
        1
    );
    for m in &points {
        let b = &bins[m.index];
        assert!(
            cs.iter().any(|c| (c.0, c.1) == m.center && c.3 == blue),
            "no circle at {:?}",
            m.center
        );
        assert_eq!(m.center, layout.main.to_px(b.mean_score, b.observed_rate));
        // A vertical whisker from ci_lower to ci_upper at the marker's x.
        let (x, lo, hi) = (
            m.center.0,
            layout.main.y_to_px(b.ci_lower),
            layout.main.y_to_px(b.ci_upper),
        );
        assert!(
            polylines(&svg)
                .iter()
                .any(|(p, c)| c == &blue && p == &vec![(x, lo), (x, hi)]),
            "no whisker for bin at {x}"
        );
    }
    // Histogram: one bar per non-zero class count, exactly at its mark.
    let lower = layout.lower.as_ref().unwrap();
    assert!(lower.rect.top > layout.main.rect.bottom);
    let frac =
        f64::from(lower.rect.height()) / f64::from(layout.main.rect.height() + lower.rect.height());
    assert!((0.18..0.32).contains(&frac), "lower panel fraction {frac}");
    let bars: Vec<&Mark> = layout
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::Bar)
        .collect();
    let nonzero = hist
        .negatives
        .iter()
        .chain(&hist.positives)
        .filter(|&&c| c > 0)
        .count();
    assert_eq!(bars.len(), nonzero);
    let rs = rects(&svg);
    for m in &bars {
        assert!(
            rs.iter().any(|(r, _)| *r == m.rect),
            "no rect at {:?}",
            m.rect
        );
        assert_eq!(m.panel, Panel::Lower);
    }
    // Stacked: a bin's positive bar sits on its negative bar, and the top is at neg + pos.
    for i in 0..20 {
        let neg = bars.iter().find(|m| m.index == i && m.series == 0);
        let pos = bars.iter().find(|m| m.index == i && m.series == 1);
        if let (Some(n), Some(p)) = (neg, pos) {
            assert_eq!(p.rect.bottom, n.rect.top);
            assert_eq!(
                p.rect.top,
                lower.y_to_px((hist.negatives[i] + hist.positives[i]) as f64)
            );
        }
    }
    // Bin geometry and hit testing.
    assert_eq!(layout.bin_edges, hist.edges);
    let r3 = layout.bin_rect(3).unwrap();
    assert_eq!(
        layout.bin_at(f64::from(r3.left + r3.right) / 2.0, f64::from(r3.top + 2)),
        Some(3)
    );
    let m0 = points[0];
    assert_eq!(
        layout
            .hit(f64::from(m0.center.0), f64::from(m0.center.1), 2)
            .map(|m| m.index),
        Some(m0.index)
    );
    assert_round_trip(&layout.main);
    assert_round_trip(lower);
    // Text is present (plotters' naive font still writes <text> elements).
    assert!(
        svg.contains("<text")
            && svg.contains("Observed positive rate")
            && svg.contains("Predicted probability")
    );
}

#[test]
fn reliability_two_series_log_histogram_smooth_band() {
    let (r, c) = (load("reference"), load("current"));
    let (br, bc) = (reliability_bins(&r, 10), reliability_bins(&c, 10));
    let hist = histogram(&c, 20);
    let xs: Vec<f64> = (0..=100).map(|i| i as f64 / 100.0).collect();
    let ys: Vec<f64> = xs.iter().map(|x| x * x * 0.6 + 0.2 * x).collect();
    let lo: Vec<f64> = ys.iter().map(|y| (y - 0.05).max(0.0)).collect();
    let hi: Vec<f64> = ys.iter().map(|y| (y + 0.05).min(1.0)).collect();
    let chart = ReliabilityChart {
        series: vec![
            ReliabilitySeries {
                name: "reference",
                bins: &br,
            },
            ReliabilitySeries {
                name: "current",
                bins: &bc,
            },
        ],
        histogram: Some(&hist),
        log_scale: true,
        smooth: Some(SmoothOverlay {
            name: "smooth (current)",
            x: &xs,
            y: &ys,
            lower: &lo,
            upper: &hi,
        }),
        size_by_count: true,
        ..Default::default()
    };
    let (svg, layout) = render(
        &style().with_title("Calibration: reference vs current"),
        |a, s| reliability_diagram(&a, &chart, s),
    );
    save("reliability_two_series_log", &svg);
    let orange = hex(OKABE_ITO[1]);
    assert_eq!(
        circles(&svg).iter().filter(|c| c.3 == orange).count(),
        bc.len() + 1
    );
    assert_eq!(
        layout
            .marks
            .iter()
            .filter(|m| m.kind == MarkKind::Point && m.series == 1)
            .count(),
        bc.len()
    );
    // Marker size grows with count.
    let sizes: Vec<(u64, i32)> = bc
        .iter()
        .zip(
            layout
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Point && m.series == 1),
        )
        .map(|(b, m)| (b.count, m.rect.width().min(m.rect.height())))
        .collect();
    let biggest = sizes.iter().max_by_key(|s| s.0).unwrap();
    let smallest = sizes.iter().min_by_key(|s| s.0).unwrap();
    assert!(biggest.1 >= smallest.1);
    // The band is one polygon.
    assert_eq!(svg.matches("<polygon").count(), 1);
    let lower = layout.lower.as_ref().unwrap();
    assert_eq!(lower.y_scale, AxisScale::Log10);
    assert_round_trip(lower);
    assert!(svg.contains("Count (log)"));
    // Overlaid on log scale: every bar starts at the panel bottom.
    for m in layout.marks.iter().filter(|m| m.kind == MarkKind::Bar) {
        assert_eq!(m.rect.bottom, lower.rect.bottom);
        assert_eq!(m.rect.top, lower.y_to_px(m.y));
    }
}

fn degenerate_reliability(
    bins: &[ReliabilityBin],
    hist: Option<&ScoreHistogram>,
    st: &ChartStyle,
) -> (String, ChartLayout) {
    let chart = ReliabilityChart {
        series: vec![ReliabilitySeries { name: "w", bins }],
        histogram: hist,
        stacked: true,
        ..Default::default()
    };
    render(st, |a, s| reliability_diagram(&a, &chart, s))
}

#[test]
fn reliability_degenerate_inputs() {
    let one = vec![ReliabilityBin {
        lower: 0.3,
        upper: 0.3,
        count: 150,
        positives: 45,
        mean_score: 0.3,
        observed_rate: 0.3,
        ci_lower: 0.23,
        ci_upper: 0.38,
    }];
    let empty_hist = ScoreHistogram::default();
    let zero_hist = ScoreHistogram {
        edges: vec![0.0, 0.5, 1.0],
        negatives: vec![0, 0],
        positives: vec![0, 0],
    };
    let huge = ScoreHistogram {
        edges: vec![0.0, 0.5, 1.0],
        negatives: vec![u64::MAX, 1],
        positives: vec![u64::MAX, 0],
    };
    let ragged = ScoreHistogram {
        edges: vec![0.0, 0.5, 1.0],
        negatives: vec![3],
        positives: vec![1, 2, 3],
    };
    let nan_hist = ScoreHistogram {
        edges: vec![0.0, f64::NAN, 1.0],
        negatives: vec![1, 1],
        positives: vec![1, 1],
    };
    let weird = vec![
        ReliabilityBin {
            count: 0,
            ..one[0].clone()
        },
        ReliabilityBin {
            mean_score: f64::NAN,
            ..one[0].clone()
        },
        ReliabilityBin {
            ci_lower: f64::NAN,
            ci_upper: f64::INFINITY,
            ..one[0].clone()
        },
        ReliabilityBin {
            mean_score: 0.0,
            observed_rate: 0.0,
            ci_lower: 0.0,
            ci_upper: 0.0,
            ..one[0].clone()
        },
        ReliabilityBin {
            mean_score: 1.0,
            observed_rate: 1.0,
            ci_lower: 1.0,
            ci_upper: 1.0,
            ..one[0].clone()
        },
        ReliabilityBin {
            mean_score: 7.0,
            observed_rate: -3.0,
            ..one[0].clone()
        },
    ];
    let cases: Vec<(&str, &[ReliabilityBin], Option<&ScoreHistogram>, usize)> = vec![
        ("zero_bins", &[], None, 0),
        ("zero_bins_hist", &[], Some(&empty_hist), 0),
        ("one_bin", &one, Some(&zero_hist), 1),
        ("ragged_hist", &one, Some(&ragged), 1),
        ("huge_counts", &one, Some(&huge), 1),
        ("nan_hist", &one, Some(&nan_hist), 1),
        ("weird_bins", &weird, None, 4),
    ];
    for (name, bins, hist, expect) in cases {
        let (svg, layout) = degenerate_reliability(bins, hist, &style());
        save(&format!("reliability_{name}"), &svg);
        assert_eq!(
            layout
                .marks
                .iter()
                .filter(|m| m.kind == MarkKind::Point)
                .count(),
            expect,
            "{name}"
        );
        let blue = hex(OKABE_ITO[0]);
        let legend_dot = usize::from(expect > 0);
        assert_eq!(
            circles(&svg).iter().filter(|c| c.3 == blue).count(),
            expect + legend_dot,
            "{name}"
        );
        if expect == 0 {
            assert!(svg.contains("No data"), "{name}");
        }
        // All points stay inside the plot rectangle.
        for m in &layout.marks {
            let p = layout.panel(m.panel).unwrap();
            assert!(
                p.rect
                    .contains(f64::from(m.center.0), f64::from(m.center.1)),
                "{name}: {m:?}"
            );
        }
        assert_round_trip(&layout.main);
    }
    // Empty or unusable histograms give no lower panel; a zero histogram gives an empty one.
    assert!(
        degenerate_reliability(&one, Some(&empty_hist), &style())
            .1
            .lower
            .is_none()
    );
    assert!(
        degenerate_reliability(&one, Some(&nan_hist), &style())
            .1
            .lower
            .is_none()
    );
    let (_, l) = degenerate_reliability(&one, Some(&zero_hist), &style());
    assert!(l.lower.is_some());
    assert_eq!(
        l.marks.iter().filter(|m| m.kind == MarkKind::Bar).count(),
        0
    );
    // Ragged histogram uses the common length (1 bin).
    let (_, l) = degenerate_reliability(&one, Some(&ragged), &style());
    assert_eq!(l.bin_edges.len(), 2);
}

#[test]
fn tiny_and_huge_areas_do_not_panic() {
    let rows = load("basic");
    let bins = reliability_bins(&rows, 10);
    let hist = histogram(&rows, 20);
    for (w, h, dpr) in [
        (0, 0, 1.0),
        (1, 1, 1.0),
        (12, 9, 1.0),
        (80, 40, 3.0),
        (300, 200, f64::NAN),
        (2000, 1400, 2.0),
    ] {
        let st = ChartStyle {
            width: w,
            height: h,
            dpr,
            ..ChartStyle::default()
        };
        let (svg, _) = degenerate_reliability(&bins, Some(&hist), &st);
        assert!(svg.starts_with("<svg"));
        save(&format!("reliability_size_{w}x{h}"), &svg);
        let c = curves(&rows);
        let roc = RocChart {
            curves: vec![RocCurve {
                name: "x",
                fpr: &c.fpr,
                tpr: &c.tpr,
                ..Default::default()
            }],
            threshold: None,
        };
        render(&st, |a, s| roc_curve_chart(&a, &roc, s));
        let tc = ThresholdChart {
            current: Some(0.5),
            ..Default::default()
        };
        render(&st, |a, s| threshold_chart(&a, &tc, s));
        let cats = vec!["a".to_string()];
        let dc = DistributionChart::categorical("c", &cats, &[1.0], &[2.0]);
        render(&st, |a, s| distribution_chart(&a, &dc, s));
        render(&st, |a, s| {
            time_series_chart(&a, &TimeSeriesChart::default(), s)
        });
    }
}

#[test]
fn hidpi_doubles_pixels() {
    let rows = load("basic");
    let bins = reliability_bins(&rows, 10);
    let chart = ReliabilityChart {
        series: vec![ReliabilitySeries {
            name: "b",
            bins: &bins,
        }],
        ..Default::default()
    };
    let st1 = style();
    let st2 = ChartStyle {
        dpr: 2.0,
        ..style()
    };
    let (svg1, l1) = render(&st1, |a, s| reliability_diagram(&a, &chart, s));
    let (svg2, l2) = render(&st2, |a, s| reliability_diagram(&a, &chart, s));
    save("reliability_hidpi", &svg2);
    assert!(svg1.contains("width=\"640\" height=\"440\""));
    assert!(svg2.contains("width=\"1280\" height=\"880\""));
    // Plot rectangles scale with dpr (up to rounding of text estimates).
    let (w1, w2) = (l1.main.rect.width(), l2.main.rect.width());
    assert!(
        (f64::from(w2) / f64::from(w1) - 2.0).abs() < 0.03,
        "{w1} {w2}"
    );
    assert_eq!(l2.dpr, 2.0);
    // Fonts scale too.
    let size = |svg: &str| -> f64 { elements(svg, "text")[0]["font-size"].parse().unwrap() };
    assert!((size(&svg2) / size(&svg1) - 2.0).abs() < 1e-9);
}

#[test]
fn dark_theme_background() {
    let st = ChartStyle {
        dark: true,
        ..style()
    };
    let c = curves(&load("basic"));
    let roc = RocChart {
        curves: vec![RocCurve {
            name: "",
            fpr: &c.fpr,
            tpr: &c.tpr,
            auc: Some(c.auc),
            ..Default::default()
        }],
        threshold: None,
    };
    let (svg, _) = render(&st, |a, s| roc_curve_chart(&a, &roc, s));
    save("roc_dark", &svg);
    assert_eq!(rects(&svg)[0].1, "#1E1E1E");
    let (svg, _) = render(&style(), |a, s| roc_curve_chart(&a, &roc, s));
    assert_eq!(rects(&svg)[0].1, "#FFFFFF");
}

// ---------------------------------------------------------------------------------------------
// ROC and PR.

#[test]
fn roc_and_pr_curves() {
    let (r, cu) = (load("reference"), load("current"));
    let (cr, cc) = (curves(&r), curves(&cu));
    let (ir, ic) = (rate_at(&cr, 0.5), rate_at(&cc, 0.5));
    let roc = RocChart {
        curves: vec![
            RocCurve {
                name: "reference",
                fpr: &cr.fpr,
                tpr: &cr.tpr,
                auc: Some(cr.auc),
                auc_ci: Some([cr.auc - 0.02, cr.auc + 0.02]),
                current: Some((cr.fpr[ir], cr.tpr[ir])),
            },
            RocCurve {
                name: "current",
                fpr: &cc.fpr,
                tpr: &cc.tpr,
                auc: Some(cc.auc),
                auc_ci: None,
                current: Some((cc.fpr[ic], cc.tpr[ic])),
            },
        ],
        threshold: Some(0.5),
    };
    let (svg, layout) = render(&style(), |a, s| roc_curve_chart(&a, &roc, s));
    save("roc", &svg);
    let expected = format!(
        "reference: AUC {:.3} [{:.2}, {:.2}]",
        cr.auc,
        cr.auc - 0.02,
        cr.auc + 0.02
    );
    assert!(svg.contains(&expected), "legend text {expected}");
    assert!(svg.contains("Threshold 0.50") && svg.contains("Chance"));
    assert_eq!(layout.marks.len(), 2);
    let cs = circles(&svg);
    for (m, (x, y)) in layout
        .marks
        .iter()
        .zip([(cr.fpr[ir], cr.tpr[ir]), (cc.fpr[ic], cc.tpr[ic])])
    {
        assert_eq!(m.center, layout.main.to_px(x, y));
        assert!(
            cs.iter()
                .any(|c| (c.0, c.1) == m.center && c.3 == hex(OKABE_ITO[m.series]))
        );
    }
    // Curve endpoints are drawn at (0,0) and (1,1).
    let blue = hex(OKABE_ITO[0]);
    let curve = polylines(&svg)
        .into_iter()
        .filter(|(_, c)| *c == blue)
        .max_by_key(|(p, _)| p.len())
        .unwrap()
        .0;
    assert_eq!(curve.first(), Some(&layout.main.to_px(0.0, 0.0)));
    assert_eq!(curve.last(), Some(&layout.main.to_px(1.0, 1.0)));
    assert_round_trip(&layout.main);

    let ipr = rate_at(&cr, 0.5);
    let pr = PrChart {
        curves: vec![PrCurve {
            name: "reference",
            recall: &cr.recall,
            precision: &cr.precision,
            average_precision: Some(cr.ap),
            average_precision_ci: None,
            positive_rate: Some(cr.rate),
            current: Some((cr.recall[ipr], cr.precision[ipr])),
        }],
        threshold: Some(0.5),
        linear: false,
    };
    let (svg, layout) = render(&style(), |a, s| pr_curve_chart(&a, &pr, s));
    save("pr", &svg);
    assert!(svg.contains(&format!("AP {:.3}", cr.ap)));
    assert!(svg.contains(&format!("Positive rate {:.3}", cr.rate)));
    assert_eq!(layout.marks.len(), 1);
    // The step curve encloses area AP (up to pixel rounding).
    let curve = polylines(&svg)
        .into_iter()
        .filter(|(_, c)| *c == blue)
        .max_by_key(|(p, _)| p.len())
        .unwrap()
        .0;
    let mut area = 0.0;
    for w in curve.windows(2) {
        let (x0, x1) = (
            layout.main.px_to_x(f64::from(w[0].0)),
            layout.main.px_to_x(f64::from(w[1].0)),
        );
        area += (x1 - x0) * layout.main.px_to_y(f64::from(w[1].1));
    }
    assert!(
        (area - cr.ap).abs() < 0.01,
        "step area {area} vs AP {}",
        cr.ap
    );
}

#[test]
fn roc_pr_degenerate() {
    let empty = RocChart::default();
    let (svg, l) = render(&style(), |a, s| roc_curve_chart(&a, &empty, s));
    assert!(svg.contains("No data") && l.marks.is_empty());
    let one = [0.5];
    let nan = [f64::NAN, 0.2];
    let roc = RocChart {
        curves: vec![
            RocCurve {
                name: "one",
                fpr: &one,
                tpr: &one,
                auc: Some(f64::NAN),
                current: Some((f64::NAN, 0.1)),
                ..Default::default()
            },
            RocCurve {
                name: "nan",
                fpr: &nan,
                tpr: &one,
                auc: None,
                current: Some((2.0, -1.0)),
                ..Default::default()
            },
        ],
        threshold: Some(f64::INFINITY),
    };
    let (svg, l) = render(&style(), |a, s| roc_curve_chart(&a, &roc, s));
    save("roc_degenerate", &svg);
    // The one-point curve is a dot; the out-of-range current point is clamped into the frame.
    assert!(!svg.contains("No data"));
    assert!(
        circles(&svg)
            .iter()
            .any(|c| (c.0, c.1) == l.main.to_px(0.5, 0.5))
    );
    assert_eq!(l.marks.len(), 1);
    assert!(l.main.rect.contains(
        f64::from(l.marks[0].center.0),
        f64::from(l.marks[0].center.1)
    ));
    let pr = PrChart {
        curves: vec![PrCurve {
            name: "",
            recall: &[],
            precision: &[],
            positive_rate: Some(0.0),
            ..Default::default()
        }],
        threshold: None,
        linear: true,
    };
    let (svg, _) = render(&style(), |a, s| pr_curve_chart(&a, &pr, s));
    assert!(svg.contains("No data") && svg.contains("Curve 1"));
}

#[test]
fn long_curves_are_decimated() {
    let n = 1_000_000;
    let fpr: Vec<f64> = (0..=n).map(|i| i as f64 / n as f64).collect();
    let tpr: Vec<f64> = fpr.iter().map(|x| x.sqrt()).collect();
    let roc = RocChart {
        curves: vec![RocCurve {
            name: "big",
            fpr: &fpr,
            tpr: &tpr,
            ..Default::default()
        }],
        threshold: None,
    };
    let (svg, _) = render(&style(), |a, s| roc_curve_chart(&a, &roc, s));
    assert!(svg.len() < 100_000, "SVG has {} bytes", svg.len());
}

// ---------------------------------------------------------------------------------------------
// Threshold chart.

#[test]
fn threshold_chart_lines_and_markers() {
    let rows = load("basic");
    let c = curves(&rows);
    let mut prec = Vec::new();
    let mut rec = Vec::new();
    let mut f1 = Vec::new();
    for i in 1..c.thresholds.len() {
        let t = c.thresholds[i];
        prec.push((t, c.precision[i]));
        rec.push((t, c.recall[i]));
        let f = 2.0 * c.precision[i] * c.recall[i] / (c.precision[i] + c.recall[i]);
        f1.push((t, f));
    }
    let best = f1
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    let chart = ThresholdChart {
        series: vec![
            Series {
                name: "Precision",
                points: &prec,
            },
            Series {
                name: "Recall",
                points: &rec,
            },
            Series {
                name: "F1",
                points: &f1,
            },
        ],
        current: Some(0.5),
        optima: vec![
            ThresholdMarker {
                name: "max F1",
                x: best.0,
            },
            ThresholdMarker {
                name: "Youden J",
                x: best.0 + 0.01,
            },
            ThresholdMarker {
                name: "cost",
                x: 0.97,
            },
        ],
        y_label: Some("Metric value"),
        y_range: None,
    };
    let (svg, layout) = render(&style(), |a, s| threshold_chart(&a, &chart, s));
    save("threshold", &svg);
    let cur = layout
        .marks
        .iter()
        .find(|m| m.kind == MarkKind::Threshold)
        .unwrap();
    assert_eq!(cur.center.0, layout.threshold_px(0.5));
    // The current line is a vertical polyline at that column spanning the plot.
    let r = layout.main.rect;
    assert!(
        polylines(&svg)
            .iter()
            .any(|(p, _)| p == &vec![(cur.center.0, r.top), (cur.center.0, r.bottom)])
    );
    assert_eq!(
        layout
            .marks
            .iter()
            .filter(|m| m.kind == MarkKind::Optimum)
            .count(),
        3
    );
    assert_eq!(svg.matches("<polygon").count(), 3);
    assert!(svg.contains(&format!("max F1 {:.2}", best.0)) && svg.contains("t = 0.50"));
    // Dragging: pixel → threshold → pixel, clamped to [0, 1].
    for px in r.left..=r.right {
        let t = layout.threshold_at(f64::from(px));
        assert!((0.0..=1.0).contains(&t));
        if (0.0..1.0).contains(&layout.main.px_to_x(f64::from(px))) && t > 0.0 {
            assert_eq!(layout.threshold_px(t), px);
        }
    }
    assert_eq!(layout.threshold_at(-1e9), 0.0);
    assert_eq!(layout.threshold_at(1e9), 1.0);
    assert_eq!(
        layout
            .hit(f64::from(cur.center.0) + 1.0, f64::from(cur.center.1), 0)
            .map(|m| m.kind),
        Some(MarkKind::Threshold)
    );
    assert_round_trip(&layout.main);
}

/// Text elements as (x, y, anchor, font size, content).
fn texts(svg: &str) -> Vec<(f64, f64, String, f64, String)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find("<text ") {
        let end = rest[i..].find('>').unwrap() + i;
        let close = rest[end..].find("</text>").unwrap() + end;
        let attrs = &elements(&rest[i..=end], "text")[0];
        let f = |k: &str| attrs[k].parse::<f64>().unwrap();
        out.push((
            f("x"),
            f("y"),
            attrs["text-anchor"].clone(),
            f("font-size"),
            rest[end + 1..close].trim().to_string(),
        ));
        rest = &rest[close..];
    }
    out
}

/// The threshold chart's labels (the optima's and "t = …") sit above the plot, so never on a
/// curve, and no two overlap — also when the optima crowd together at the top.
#[test]
fn threshold_labels_sit_above_the_plot_and_apart() {
    let line: Vec<(f64, f64)> = (0..=100)
        .map(|i| (f64::from(i) / 100.0, 0.5 + 0.5 * (f64::from(i) / 100.0)))
        .collect();
    let optima = [
        ("max F1", 0.31),
        ("max J", 0.32),
        ("min cost", 0.335),
        ("net benefit", 0.98),
    ];
    for t in [0.3, 0.5, 0.99] {
        let chart = ThresholdChart {
            series: vec![Series {
                name: "F1",
                points: &line,
            }],
            current: Some(t),
            optima: optima
                .iter()
                .map(|&(name, x)| ThresholdMarker { name, x })
                .collect(),
            y_label: None,
            y_range: None,
        };
        let (svg, layout) = render(&style(), |a, s| threshold_chart(&a, &chart, s));
        save("threshold-labels", &svg);
        let r = layout.main.rect;
        let labels: Vec<_> = texts(&svg)
            .into_iter()
            .filter(|l| l.4.starts_with("t = ") || optima.iter().any(|o| l.4.starts_with(o.0)))
            .collect();
        assert_eq!(labels.len(), optima.len() + 1, "{labels:?}");
        // A generous box: 0.65 em per character, one em tall, from the anchor.
        let boxes: Vec<(f64, f64, f64, f64, &str)> = labels
            .iter()
            .map(|(x, y, anchor, size, text)| {
                let w = 0.65 * size * text.chars().count() as f64;
                let x0 = if anchor == "end" { x - w } else { *x };
                (x0, x0 + w, *y, y + size, text.as_str())
            })
            .collect();
        for b in &boxes {
            assert!(
                b.3 <= f64::from(r.top),
                "{} reaches into the plot at t = {t}",
                b.4
            );
            assert!(b.2 >= 0.0, "{} above the chart", b.4);
        }
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.1 <= b.0 || b.1 <= a.0 || a.3 <= b.2 || b.3 <= a.2;
                assert!(apart, "{} overlaps {} at t = {t}", a.4, b.4);
            }
        }
    }
}

/// A threshold drag repaints only a layer: the chart without `current` plus
/// `threshold_overlay` must be exactly the chart drawn with `current` (same SVG, same mark), at
/// thresholds whose label sits on either side of the line.
#[test]
fn threshold_overlay_is_the_current_line_of_the_full_chart() {
    let rows = load("basic");
    let c = curves(&rows);
    let prec: Vec<(f64, f64)> = (1..c.thresholds.len())
        .map(|i| (c.thresholds[i], c.precision[i]))
        .collect();
    let optima = [ThresholdMarker {
        name: "max F1",
        x: 0.42,
    }];
    for t in [0.0, 0.137, 0.5, 0.93, 1.0] {
        let full = ThresholdChart {
            series: vec![Series {
                name: "Precision",
                points: &prec,
            }],
            current: Some(t),
            optima: optima.to_vec(),
            y_label: None,
            y_range: None,
        };
        let base = ThresholdChart {
            current: None,
            ..full.clone()
        };
        let (want, want_layout) = render(&style(), |a, s| threshold_chart(&a, &full, s));
        let mut overlay_mark = None;
        let (got, base_layout) = render(&style(), |a, s| {
            let l = threshold_chart(&a, &base, s)?;
            overlay_mark = threshold_overlay(&a, &l.main, t, s)?;
            Ok(l)
        });
        assert_eq!(got, want, "layered drawing differs at t = {t}");
        assert_eq!(base_layout.main, want_layout.main);
        let want_mark = want_layout
            .marks
            .iter()
            .find(|m| m.kind == MarkKind::Threshold)
            .cloned();
        assert_eq!(overlay_mark, want_mark);
        assert!(want_mark.is_some());
    }
    // Not finite: nothing drawn, no mark.
    let (plain, _) = render(&style(), |a, s| {
        threshold_chart(&a, &ThresholdChart::default(), s)
    });
    let (layered, _) = render(&style(), |a, s| {
        let l = threshold_chart(&a, &ThresholdChart::default(), s)?;
        assert_eq!(threshold_overlay(&a, &l.main, f64::NAN, s)?, None);
        Ok(l)
    });
    assert_eq!(plain, layered);
}

/// Every circle of the layer is one of the full chart's, and base plus layer has as many
/// circles as the full chart.
fn assert_same_circles(base: &str, layer: &str, full: &str) {
    let want = circles(full);
    for c in circles(layer) {
        assert!(want.contains(&c), "{c:?} not in the full chart");
    }
    assert_eq!(circles(base).len() + circles(layer).len(), want.len());
}

/// ROC and PR under a drag: the base chart has the full chart's panel and neither dots nor
/// legend; the live layer painted on top has the full chart's dots (same pixels, same marks) and
/// its legend, threshold value included, so base plus layer is the full chart.
#[test]
fn curve_operating_points_layer_matches_full_chart() {
    let rows = load("basic");
    let c = curves(&rows);
    let i = rate_at(&c, 0.5);
    let at = (c.fpr[i], c.tpr[i]);
    let roc = RocChart {
        curves: vec![RocCurve {
            name: "",
            fpr: &c.fpr,
            tpr: &c.tpr,
            auc: Some(c.auc),
            auc_ci: None,
            current: Some(at),
        }],
        threshold: Some(0.5),
    };
    let (full, full_layout) = render(&style(), |a, s| roc_curve_chart(&a, &roc, s));
    let (base, base_layout) = render(&style(), |a, s| roc_curve_chart_base(&a, &roc, s));
    assert_eq!(base_layout.main, full_layout.main);
    assert!(base_layout.marks.is_empty());
    assert!(!base.contains("hreshold") && !base.contains("AUC") && base_layout.legend.is_none());
    assert!(full.contains("Threshold 0.50"));
    let mut marks = Vec::new();
    let (live, _) = render(&style(), |a, s| {
        marks = roc_curve_chart_live(&a, &roc, &full_layout.main, s)?;
        Ok(full_layout.clone())
    });
    assert_eq!(marks, full_layout.marks);
    assert!(live.contains("Threshold 0.50") && live.contains("AUC") && live.contains("Chance"));
    assert_eq!(circles(&live).len(), 3, "ring, dot and legend swatch");
    assert_same_circles(&base, &live, &full);
    let (dots, _) = render(&style(), |a, s| {
        marks = operating_points(&a, &full_layout.main, &[(0, at)], s)?;
        Ok(full_layout.clone())
    });
    assert_eq!(marks, full_layout.marks);
    assert_eq!(circles(&dots).len(), 2, "ring and dot");

    let rp = (c.recall[i], c.precision[i]);
    let pr = PrChart {
        curves: vec![PrCurve {
            name: "",
            recall: &c.recall,
            precision: &c.precision,
            average_precision: Some(0.7),
            average_precision_ci: None,
            positive_rate: Some(0.4),
            current: Some(rp),
        }],
        threshold: Some(0.5),
        linear: false,
    };
    let (full, full_layout) = render(&style(), |a, s| pr_curve_chart(&a, &pr, s));
    let (base, base_layout) = render(&style(), |a, s| pr_curve_chart_base(&a, &pr, s));
    assert_eq!(base_layout.main, full_layout.main);
    assert!(base_layout.marks.is_empty());
    assert!(!base.contains("hreshold") && !base.contains("AP ") && base_layout.legend.is_none());
    assert!(full.contains("Threshold 0.50"));
    let (live, _) = render(&style(), |a, s| {
        marks = pr_curve_chart_live(&a, &pr, &full_layout.main, s)?;
        Ok(full_layout.clone())
    });
    assert_eq!(marks, full_layout.marks);
    assert!(live.contains("Threshold 0.50") && live.contains("Positive rate 0.400"));
    assert_eq!(circles(&live).len(), 3, "ring, dot and legend swatch");
    assert_same_circles(&base, &live, &full);
    let (dots, _) = render(&style(), |a, s| {
        marks = operating_points(&a, &full_layout.main, &[(0, rp)], s)?;
        Ok(full_layout.clone())
    });
    assert_eq!(marks, full_layout.marks);
    assert_eq!(circles(&dots).len(), 2, "ring and dot");
    // Undefined points draw nothing.
    let (none, _) = render(&style(), |a, s| {
        assert!(operating_points(&a, &full_layout.main, &[(0, (f64::NAN, 0.5))], s)?.is_empty());
        Ok(full_layout.clone())
    });
    assert!(circles(&none).is_empty());
}

#[test]
fn threshold_chart_degenerate_and_unbounded() {
    let (svg, l) = render(&style(), |a, s| {
        threshold_chart(&a, &ThresholdChart::default(), s)
    });
    assert!(svg.contains("No data") && l.marks.is_empty());
    let cost = [
        (0.0, 120.0),
        (0.5, 40.0),
        (1.0, 300.0),
        (f64::NAN, 1.0),
        (0.7, f64::INFINITY),
    ];
    let single = [(0.3, 0.3)];
    let chart = ThresholdChart {
        series: vec![
            Series {
                name: "Cost",
                points: &cost,
            },
            Series {
                name: "One",
                points: &single,
            },
        ],
        current: Some(1.7),
        optima: vec![ThresholdMarker {
            name: "nan",
            x: f64::NAN,
        }],
        y_label: None,
        y_range: None,
    };
    let (svg, l) = render(&style(), |a, s| threshold_chart(&a, &chart, s));
    save("threshold_cost", &svg);
    assert!(l.main.y_min <= 40.0 && l.main.y_max >= 300.0);
    assert_eq!(
        l.marks
            .iter()
            .filter(|m| m.kind == MarkKind::Threshold)
            .count(),
        1
    );
    assert_eq!(
        l.marks
            .iter()
            .filter(|m| m.kind == MarkKind::Optimum)
            .count(),
        0
    );
    assert!(l.main.rect.contains(
        f64::from(l.marks[0].center.0),
        f64::from(l.marks[0].center.1)
    ));
    assert!(svg.contains("Metric value"));
}

// ---------------------------------------------------------------------------------------------
// Distribution charts.

#[test]
fn numeric_distribution_overlaid() {
    let (r, c) = (load("reference"), load("current"));
    let edges: Vec<f64> = std::iter::once(f64::NEG_INFINITY)
        .chain((-3..=3).map(f64::from))
        .chain(std::iter::once(f64::INFINITY))
        .collect();
    let count = |rows: &[Row]| -> Vec<f64> {
        let mut v = vec![0.0; edges.len() - 1];
        for row in rows.iter().filter(|r| r.x1.is_finite()) {
            let i = edges
                .windows(2)
                .position(|w| row.x1 >= w[0] && row.x1 < w[1])
                .unwrap();
            v[i] += 1.0;
        }
        v
    };
    let (vr, vc) = (count(&r), count(&c));
    let chart = DistributionChart::numeric("x1", &edges, &vr, &vc);
    let (svg, layout) = render(&style(), |a, s| distribution_chart(&a, &chart, s));
    save("distribution_numeric", &svg);
    let bars: Vec<&Mark> = layout
        .marks
        .iter()
        .filter(|m| m.kind == MarkKind::Bar)
        .collect();
    assert_eq!(bars.len(), 2 * (edges.len() - 1));
    // Shares: bar heights map back to count / total.
    let total: f64 = vr.iter().sum();
    for m in bars.iter().filter(|m| m.series == 0) {
        assert!((m.y - vr[m.index] / total).abs() < 1e-12);
        if m.y > 0.0 {
            assert_eq!(m.rect.top, layout.main.y_to_px(m.y));
            assert!(
                rects(&svg)
                    .iter()
                    .any(|(rr, f)| *rr == m.rect && *f == hex(OKABE_ITO[0]))
            );
        }
    }
    // Infinite outer edges are drawn one bin wide.
    assert_eq!(layout.bin_edges.first(), Some(&-4.0));
    assert_eq!(layout.bin_edges.last(), Some(&4.0));
    assert!(svg.contains("Share of rows") && svg.contains("Reference") && svg.contains("Current"));
    assert_round_trip(&layout.main);
}

#[test]
fn categorical_distribution_grouped_and_escaped() {
    let (r, c) = (load("reference"), load("current"));
    let mut cats: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for row in &r {
        cats.entry(row.country.clone()).or_default().0 += 1.0;
    }
    for row in &c {
        cats.entry(row.country.clone()).or_default().1 += 1.0;
    }
    let mut names: Vec<String> = cats.keys().cloned().collect();
    let mut vr: Vec<f64> = cats.values().map(|v| v.0).collect();
    let mut vc: Vec<f64> = cats.values().map(|v| v.1).collect();
    names.push(HOSTILE.to_string());
    vr.push(3.0);
    vc.push(30.0);
    let chart = DistributionChart::categorical("country", &names, &vr, &vc);
    let (svg, layout) = render(&style(), |a, s| distribution_chart(&a, &chart, s));
    save("distribution_categorical", &svg);
    assert_escaped(&svg);
    assert_eq!(layout.marks.len(), 2 * names.len());
    assert_eq!(layout.bin_edges.len(), names.len() + 1);
    // Reference bar left of current bar in each slot, both inside the slot.
    for i in 0..names.len() {
        let slot = layout.bin_rect(i).unwrap();
        let a = layout
            .marks
            .iter()
            .find(|m| m.index == i && m.series == 0)
            .unwrap();
        let b = layout
            .marks
            .iter()
            .find(|m| m.index == i && m.series == 1)
            .unwrap();
        assert!(a.rect.right <= b.rect.left + 1);
        assert!(a.rect.left >= slot.left && b.rect.right <= slot.right);
    }
    // Many long categories: labels rotate and stay escaped.
    let many: Vec<String> = (0..40)
        .map(|i| format!("{HOSTILE} category number {i}"))
        .collect();
    let v: Vec<f64> = (0..40).map(|i| f64::from(i % 7 + 1)).collect();
    let chart = DistributionChart {
        normalize: false,
        ..DistributionChart::categorical(HOSTILE, &many, &v, &v)
    };
    let (svg, _) = render(&style().with_title(HOSTILE), |a, s| {
        distribution_chart(&a, &chart, s)
    });
    save("distribution_many_categories", &svg);
    assert!(!svg.contains("<script"));
    assert!(svg.contains("rotate(270"));
    assert!(svg.contains(">\nCount\n<") || svg.contains(">Count<"));
}

#[test]
fn distribution_degenerate() {
    let nothing: [f64; 0] = [];
    let cases = [
        DistributionChart::numeric("empty", &nothing, &nothing, &nothing),
        DistributionChart::numeric("one edge", &[1.0], &[1.0], &[1.0]),
        DistributionChart::numeric("bad edges", &[0.0, f64::NAN, 1.0], &[1.0, 1.0], &[1.0, 1.0]),
        DistributionChart::numeric("zeros", &[0.0, 1.0, 2.0], &[0.0, 0.0], &[0.0, 0.0]),
        DistributionChart::numeric("short values", &[0.0, 1.0, 2.0], &[5.0], &[]),
        DistributionChart::numeric(
            "constant",
            &[f64::NEG_INFINITY, 3.0, f64::INFINITY],
            &[0.0, 4.0],
            &[1.0, 2.0],
        ),
        DistributionChart::categorical("none", &[], &[], &[]),
    ];
    for (i, chart) in cases.iter().enumerate() {
        let (svg, layout) = render(&style(), |a, s| distribution_chart(&a, chart, s));
        save(&format!("distribution_degenerate_{i}"), &svg);
        assert_round_trip(&layout.main);
        for m in &layout.marks {
            assert!(m.y.is_finite() && m.y >= 0.0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Time series.

fn daily(rows: &[Row], f: impl Fn(&[&Row]) -> f64) -> Vec<(f64, f64)> {
    let mut by_day: BTreeMap<i64, Vec<&Row>> = BTreeMap::new();
    for r in rows {
        by_day
            .entry((r.ts / 86_400.0).floor() as i64)
            .or_default()
            .push(r);
    }
    by_day
        .into_iter()
        .map(|(d, rs)| (d as f64 * 86_400.0 + 43_200.0, f(&rs)))
        .collect()
}

/// Rates, missing rates and drift distances are never negative: their y axes start at 0 at the
/// lowest, even when the data sit near 0 (the padding used to reach below it).
#[test]
fn non_negative_series_have_no_axis_below_zero() {
    let day = 86_400.0;
    let errors: Vec<(f64, f64)> = (0..10)
        .map(|i| (1.7e9 + f64::from(i) * day, if i == 4 { 0.02 } else { 0.0 }))
        .collect();
    let chart = TimeSeriesChart {
        series: vec![Series {
            name: "Error rate",
            points: &errors,
        }],
        ..Default::default()
    };
    let (_, layout) = render(&style(), |a, s| time_series_chart(&a, &chart, s));
    assert_eq!(layout.main.y_min, 0.0);
    assert!(layout.main.y_max >= 0.02);
    let zeros: Vec<(f64, f64)> = (0..5).map(|i| (f64::from(i), 0.0)).collect();
    let drift: Vec<(f64, f64)> = (0..5)
        .map(|i| (f64::from(i), 0.01 * f64::from(i)))
        .collect();
    let timeline = TimelineChart {
        series: vec![
            TimelineSeries {
                name: "Missing rate",
                points: &zeros,
                reference: Some(0.0),
            },
            TimelineSeries {
                name: "PSI",
                points: &drift,
                reference: None,
            },
        ],
        time_axis: false,
        y_label: None,
        y_range: None,
    };
    let (_, layout) = render(&style(), |a, s| timeline_chart(&a, &timeline, s));
    assert_eq!(layout.main.y_min, 0.0);
    assert!(layout.main.y_max >= 0.04);
    // A series that does go negative keeps its padding below.
    let signed: Vec<(f64, f64)> = vec![(0.0, -0.2), (1.0, 0.3)];
    let chart = TimeSeriesChart {
        series: vec![Series {
            name: "Net benefit",
            points: &signed,
        }],
        ..Default::default()
    };
    let (_, layout) = render(&style(), |a, s| time_series_chart(&a, &chart, s));
    assert!(layout.main.y_min < -0.2);
}

/// A legend of long names (drift per column and method) stays inside the chart: its rows are
/// shifted left of the plot's edge when they would run past the right side.
#[test]
fn long_legends_stay_inside_the_chart() {
    let pts: Vec<(f64, f64)> = (0..5).map(|i| (f64::from(i), 0.1 * f64::from(i))).collect();
    let names = [
        "score · wasserstein_norm",
        "x1 · wasserstein_norm",
        "x2 · wasserstein_norm",
        "country · js_distance",
    ];
    let timeline = TimelineChart {
        series: names
            .iter()
            .map(|name| TimelineSeries {
                name,
                points: &pts,
                reference: Some(0.1),
            })
            .collect(),
        time_axis: false,
        y_label: Some("Drift value"),
        y_range: None,
    };
    for width in [420, 520, 640, 900] {
        let st = ChartStyle::new(width, 320);
        let (_, layout) = render(&st, |a, s| timeline_chart(&a, &timeline, s));
        let legend = layout.legend.expect("a legend");
        assert!(
            legend.right <= layout.area.right,
            "width {width}: {legend:?}"
        );
        assert!(legend.left >= layout.area.left);
        let series = [Series {
            name: names[0],
            points: &pts,
        }; 4];
        let chart = TimeSeriesChart {
            series: series.to_vec(),
            ..Default::default()
        };
        let (_, layout) = render(&st, |a, s| time_series_chart(&a, &chart, s));
        if let Some(legend) = layout.legend {
            assert!(
                legend.right <= layout.area.right,
                "width {width}: {legend:?}"
            );
        }
    }
}

#[test]
fn time_series_dates_and_reference_level() {
    let mut rows = load("reference");
    rows.extend(load("current"));
    let rate = daily(&rows, |rs| {
        rs.iter().filter(|r| r.label == 1).count() as f64 / rs.len() as f64
    });
    let mean = daily(&rows, |rs| {
        rs.iter().map(|r| r.score).sum::<f64>() / rs.len() as f64
    });
    let chart = TimeSeriesChart {
        series: vec![
            Series {
                name: "Positive rate",
                points: &rate,
            },
            Series {
                name: "Mean score",
                points: &mean,
            },
        ],
        reference: Some(ReferenceLevel {
            name: "Reference positive rate",
            y: 0.3,
        }),
        y_label: Some("Rate"),
        y_range: None,
        levels: vec![],
    };
    let (svg, layout) = render(&ChartStyle::new(760, 360), |a, s| {
        time_series_chart(&a, &chart, s)
    });
    save("time_series", &svg);
    assert_eq!(layout.main.x_scale, AxisScale::Time);
    assert!(svg.contains("2026-01") && svg.contains("Time (UTC)"));
    // Dates on the axis are within the data range.
    assert_eq!(layout.marks.len(), rate.len() + mean.len());
    for m in &layout.marks {
        let pts = if m.series == 0 { &rate } else { &mean };
        assert_eq!(pts[m.index], (m.x, m.y));
        assert_eq!(m.center, layout.main.to_px(m.x, m.y));
    }
    assert_round_trip(&layout.main);
    assert!(
        format_timestamp(layout.main.px_to_x(f64::from(layout.main.rect.left))).starts_with("202")
    );

    // Unsorted input keeps original indices; a single point and an empty series are fine.
    let unsorted = [
        (3.0 * 86_400.0, 0.2),
        (86_400.0, 0.4),
        (2.0 * 86_400.0, f64::NAN),
    ];
    let single = [(1_700_000_000.0, 5.0)];
    let chart = TimeSeriesChart {
        series: vec![
            Series {
                name: HOSTILE,
                points: &unsorted,
            },
            Series {
                name: "single",
                points: &single,
            },
            Series {
                name: "empty",
                points: &[],
            },
        ],
        reference: Some(ReferenceLevel {
            name: "",
            y: f64::NAN,
        }),
        ..Default::default()
    };
    let (svg, layout) = render(&style(), |a, s| time_series_chart(&a, &chart, s));
    save("time_series_degenerate", &svg);
    assert_escaped(&svg);
    let first = layout
        .marks
        .iter()
        .find(|m| m.series == 0 && m.index == 1)
        .unwrap();
    assert_eq!(first.x, 86_400.0);
    assert_eq!(layout.marks.len(), 3);
    let (svg, _) = render(&style(), |a, s| {
        time_series_chart(&a, &TimeSeriesChart::default(), s)
    });
    assert!(svg.contains("No data"));
}

// ---------------------------------------------------------------------------------------------
// Hostile text everywhere, and the SVG helpers.

#[test]
fn hostile_labels_are_escaped_everywhere() {
    let rows = load("basic");
    let bins = reliability_bins(&rows, 10);
    let c = curves(&rows);
    let st = style().with_title(HOSTILE);
    let svgs = [
        reliability_diagram_svg(
            &ReliabilityChart {
                series: vec![ReliabilitySeries {
                    name: HOSTILE,
                    bins: &bins,
                }],
                ..Default::default()
            },
            &st,
        )
        .unwrap(),
        roc_curve_chart_svg(
            &RocChart {
                curves: vec![RocCurve {
                    name: HOSTILE,
                    fpr: &c.fpr,
                    tpr: &c.tpr,
                    ..Default::default()
                }],
                threshold: None,
            },
            &st,
        )
        .unwrap(),
        pr_curve_chart_svg(
            &PrChart {
                curves: vec![PrCurve {
                    name: HOSTILE,
                    recall: &c.recall,
                    precision: &c.precision,
                    ..Default::default()
                }],
                ..Default::default()
            },
            &st,
        )
        .unwrap(),
        threshold_chart_svg(
            &ThresholdChart {
                series: vec![Series {
                    name: HOSTILE,
                    points: &[(0.1, 0.2)],
                }],
                optima: vec![ThresholdMarker {
                    name: HOSTILE,
                    x: 0.4,
                }],
                y_label: Some(HOSTILE),
                ..Default::default()
            },
            &st,
        )
        .unwrap(),
        distribution_chart_svg(
            &DistributionChart {
                reference_name: HOSTILE,
                ..DistributionChart::numeric(HOSTILE, &[0.0, 1.0], &[1.0], &[2.0])
            },
            &st,
        )
        .unwrap(),
        time_series_chart_svg(
            &TimeSeriesChart {
                series: vec![Series {
                    name: HOSTILE,
                    points: &[(0.0, 1.0)],
                }],
                ..Default::default()
            },
            &st,
        )
        .unwrap(),
    ];
    for svg in &svgs {
        check_xml(svg).unwrap();
        assert_escaped(svg);
        assert!(svg.contains("width=\"640\" height=\"440\""));
    }
    // The helpers compensate the SVG backend's font-size division: 13 px text.
    let sizes: Vec<f64> = elements(&svgs[0], "text")
        .iter()
        .map(|a| a["font-size"].parse().unwrap())
        .collect();
    assert!(sizes.iter().any(|s| (s - 13.0).abs() < 1e-9), "{sizes:?}");
    assert!(sizes.iter().all(|s| (11.0..=15.0).contains(s)), "{sizes:?}");
}

#[test]
fn to_svg_string_returns_document_and_value() {
    let (svg, v) = to_svg_string_with(10, 20, |area| {
        area.fill(&plotters::style::WHITE)?;
        Ok(7)
    })
    .unwrap();
    assert_eq!(v, 7);
    check_xml(&svg).unwrap();
    assert!(svg.contains("width=\"10\" height=\"20\""));
    let svg = to_svg_string(5, 5, |_| Ok(())).unwrap();
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn xml_checker_rejects_malformed() {
    assert!(check_xml("<svg><text>a < b</text></svg>").is_err());
    assert!(check_xml("<svg><text>a &foo; b</text></svg>").is_err());
    assert!(check_xml("<svg><g></svg>").is_err());
    assert!(check_xml("<svg x=1/>").is_err());
    assert!(check_xml("<svg/><svg/>").is_err());
    assert!(check_xml("<svg><text>&lt;ok&gt; &amp; &#38;</text></svg>").is_ok());
}

// ---------------------------------------------------------------------------------------------
// Properties.

fn arb_bin() -> impl Strategy<Value = ReliabilityBin> {
    let v = prop_oneof![4 => 0.0f64..=1.0, 1 => Just(f64::NAN), 1 => Just(0.0), 1 => Just(1.0), 1 => -2.0f64..3.0];
    (0u64..500, v.clone(), v.clone(), v.clone(), v).prop_map(|(count, m, o, a, b)| ReliabilityBin {
        lower: 0.0,
        upper: 1.0,
        count,
        positives: count / 2,
        mean_score: m,
        observed_rate: o,
        ci_lower: a.min(b),
        ci_upper: a.max(b),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn reliability_never_fails_and_counts_markers(
        bins in proptest::collection::vec(arb_bin(), 0..25),
        counts in proptest::collection::vec((0u64..5000, 0u64..5000), 0..30),
        log in any::<bool>(),
        w in 40u32..900,
        h in 40u32..700,
    ) {
        let hist = ScoreHistogram {
            edges: (0..=counts.len()).map(|i| i as f64 / counts.len().max(1) as f64).collect(),
            negatives: counts.iter().map(|c| c.0).collect(),
            positives: counts.iter().map(|c| c.1).collect(),
        };
        let chart = ReliabilityChart {
            series: vec![ReliabilitySeries { name: "p", bins: &bins }],
            histogram: Some(&hist),
            log_scale: log,
            stacked: true,
            size_by_count: true,
            ..Default::default()
        };
        let (svg, layout) = render(&ChartStyle::new(w, h), |a, s| reliability_diagram(&a, &chart, s));
        let valid = bins.iter().filter(|b| b.count > 0 && b.mean_score.is_finite() && b.observed_rate.is_finite()).count();
        prop_assert_eq!(layout.marks.iter().filter(|m| m.kind == MarkKind::Point).count(), valid);
        let blue = hex(OKABE_ITO[0]);
        // One circle per valid bin, plus the legend swatch when the legend is drawn.
        let legend_dot = usize::from(valid > 0 && layout.legend.is_some());
        prop_assert_eq!(circles(&svg).iter().filter(|c| c.3 == blue).count(), valid + legend_dot);
        // A legend is only left out when the plot is small.
        if layout.main.rect.width() > 400 && layout.main.rect.height() > 250 {
            prop_assert!(layout.legend.is_some());
        }
        for px in [layout.main.rect.left, layout.main.rect.right] {
            prop_assert_eq!(layout.main.x_to_px(layout.main.px_to_x(f64::from(px))), px);
        }
    }

    #[test]
    fn threshold_pixels_round_trip(t in 0.0f64..=1.0, w in 200u32..1200) {
        let chart = ThresholdChart { current: Some(t), ..Default::default() };
        let (_, layout) = render(&ChartStyle::new(w, 300), |a, s| threshold_chart(&a, &chart, s));
        let px = layout.threshold_px(t);
        // The threshold recovered from its pixel column is within one pixel of it.
        let back = layout.threshold_at(f64::from(px));
        let per_px = (layout.main.x_max - layout.main.x_min) / f64::from(layout.main.rect.width());
        prop_assert!((back - t).abs() <= per_px + 1e-12);
        prop_assert_eq!(layout.threshold_px(back), px);
    }
}

/// Alert levels: one dashed line per finite level at exactly its value's pixel row (critical in
/// vermillion), listed once per name in the legend, and inside the automatic y range even when the data stay
/// far below them.
#[test]
fn time_series_alert_levels() {
    let pts: Vec<(f64, f64)> = (0..48)
        .map(|h| {
            (
                1_767_225_600.0 + f64::from(h) * 3600.0,
                0.01 + f64::from(h % 5) * 0.002,
            )
        })
        .collect();
    let chart = TimeSeriesChart {
        series: vec![Series {
            name: "Error rate",
            points: &pts,
        }],
        levels: vec![
            AlertLevel {
                name: "warning",
                y: 0.05,
                critical: false,
            },
            AlertLevel {
                name: "critical",
                y: 0.08,
                critical: true,
            },
            // The low side of the warning band: same name, one legend entry.
            AlertLevel {
                name: "warning",
                y: 0.004,
                critical: false,
            },
            AlertLevel {
                name: "never drawn",
                y: f64::NAN,
                critical: true,
            },
        ],
        ..Default::default()
    };
    let (svg, layout) = render(&ChartStyle::new(760, 360), |a, s| {
        time_series_chart(&a, &chart, s)
    });
    save("time_series_levels", &svg);
    check_xml(&svg).unwrap();
    assert_eq!(
        svg.matches("warning").count(),
        1,
        "one legend entry per name"
    );
    assert!(svg.contains("critical"));
    assert!(!svg.contains("never drawn"));
    let (y0, y1) = (layout.main.y_min, layout.main.y_max);
    assert!(
        y0 <= 0.01 && y1 >= 0.08,
        "levels inside the y range {y0}..{y1}"
    );
    let red = hex(OKABE_ITO[5]);
    let row = layout.main.y_to_px(0.08);
    let critical: Vec<_> = polylines(&svg)
        .into_iter()
        .filter(|(p, c)| c == &red && p.iter().all(|&(_, y)| y == row))
        .collect();
    assert!(!critical.is_empty(), "a vermillion dashed line at y = 0.08");
    let span: Vec<i32> = critical
        .iter()
        .flat_map(|(p, _)| p.iter().map(|q| q.0))
        .collect();
    assert!(span.iter().min().unwrap() - layout.main.rect.left <= 2);
    assert!(layout.main.rect.right - span.iter().max().unwrap() <= 12);
}
