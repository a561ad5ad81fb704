//! Drift over time in the Compare view: `report.timeline` as four line charts (score quantiles,
//! positive rate, ECE, drift values), each quantity with its reference level dashed, the
//! chunking control, and a table of every chunk's numbers (also the accessible form of the
//! charts). Nothing is computed here: the chunks and their numbers come from the core.

use leptos::prelude::*;

use super::AppState;
use super::chart::{self, CanvasArea, ChartSpec};
use crate::core::render::{self, ChartStyle, TimelineChart, TimelineSeries};
use crate::core::timeline::{Chunking, TimelineLevels, TimelineReport};

/// The chunkings offered: (select value, label, setting).
const CHOICES: [(&str, &str, Chunking); 7] = [
    ("auto", "automatic", Chunking::Auto),
    ("day", "by day", Chunking::Day),
    ("week", "by week", Chunking::Week),
    ("rows-100", "100 rows", Chunking::Rows { size: 100 }),
    ("rows-250", "250 rows", Chunking::Rows { size: 250 }),
    ("rows-1000", "1,000 rows", Chunking::Rows { size: 1000 }),
    ("rows-5000", "5,000 rows", Chunking::Rows { size: 5000 }),
];

fn choice_key(c: Chunking) -> String {
    CHOICES
        .iter()
        .find(|(_, _, k)| *k == c)
        .map(|(v, _, _)| v.to_string())
        .unwrap_or_else(|| match c {
            Chunking::Rows { size } => format!("rows-{size}"),
            other => other.key().to_string(),
        })
}

/// A value for a `data-*` attribute: Rust's shortest round-trip form, empty when undefined.
fn data(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map(|v| format!("{v:?}"))
        .unwrap_or_default()
}

/// Which chart: its test id, title, y label.
#[derive(Clone, Copy, PartialEq)]
enum Which {
    Score,
    Rate,
    Ece,
    Drift,
}

impl Which {
    fn testid(self) -> &'static str {
        match self {
            Which::Score => "timeline-chart-score",
            Which::Rate => "timeline-chart-rate",
            Which::Ece => "timeline-chart-ece",
            Which::Drift => "timeline-chart-drift",
        }
    }
    fn y_label(self) -> &'static str {
        match self {
            Which::Score => "Score",
            Which::Rate => "Positive rate",
            Which::Ece => "ECE",
            Which::Drift => "Drift value",
        }
    }
}

/// Series of one chart as owned points: (name, points, reference level).
type Owned = Vec<(String, Vec<(f64, f64)>, Option<f64>)>;

fn series_of(t: &TimelineReport, which: Which) -> (Owned, bool) {
    let time_axis = t.chunks.iter().all(|c| c.start.is_some()) && !t.chunks.is_empty();
    let x = |i: usize| {
        let c = &t.chunks[i];
        if time_axis {
            c.start.unwrap_or(f64::NAN)
        } else {
            (c.index + 1) as f64
        }
    };
    let level = |f: fn(&TimelineLevels) -> Option<f64>, name: &str| {
        let pts = (0..t.chunks.len())
            .map(|i| (x(i), f(&t.chunks[i].levels).unwrap_or(f64::NAN)))
            .collect();
        (name.to_string(), pts, f(&t.reference))
    };
    let out = match which {
        Which::Score => vec![
            level(|l| l.score_mean, "mean"),
            level(|l| l.score_p10, "p10"),
            level(|l| l.score_p50, "median"),
            level(|l| l.score_p90, "p90"),
        ],
        Which::Rate => vec![level(|l| l.positive_rate, "positive rate")],
        Which::Ece => vec![level(|l| l.ece, "ECE")],
        Which::Drift => t
            .drift_columns
            .iter()
            .enumerate()
            .map(|(k, col)| {
                let pts = (0..t.chunks.len())
                    .map(|i| {
                        let v = t.chunks[i].drift.get(k).copied().flatten();
                        (x(i), v.unwrap_or(f64::NAN))
                    })
                    .collect();
                (
                    format!("{} · {}", col.name, col.method),
                    pts,
                    Some(col.threshold),
                )
            })
            .collect(),
    };
    (out, time_axis)
}

fn timeline_chart_view(t: StoredValue<TimelineReport>, which: Which) -> impl IntoView {
    let with = move |f: &mut dyn FnMut(
        &TimelineChart,
    ) -> Result<render::ChartLayout, render::RenderError>| {
        t.with_value(|t| {
            let (owned, time_axis) = series_of(t, which);
            let chart = TimelineChart {
                series: owned
                    .iter()
                    .map(|(n, p, r)| TimelineSeries {
                        name: n,
                        points: p,
                        reference: *r,
                    })
                    .collect(),
                time_axis,
                y_label: Some(which.y_label()),
                y_range: None,
            };
            f(&chart)
        })
    };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        with(&mut |c| render::timeline_chart(area, c, style))
    };
    let svg = move || {
        let mut out = Err(render::RenderError::Backend("no chart".into()));
        let _ = with(&mut |c| {
            let (w, h) = chart::SVG_WIDE;
            out = render::timeline_chart_svg(c, &ChartStyle::new(w, h));
            Err(render::RenderError::Backend(String::new()))
        });
        out
    };
    let tooltip = move |l: &render::ChartLayout, x: f64, y: f64| {
        let m = l.hit(x, y, (8.0 * l.dpr) as i32)?;
        t.with_value(|t| {
            let (owned, _) = series_of(t, which);
            let (name, _, reference) = owned.get(m.series)?;
            let chunk = t.chunks.get(m.index)?;
            Some(format!(
                "{}\n{} rows\n{name}: {}\nreference level: {}",
                chunk.label,
                chunk.levels.n,
                super::compare::fmt(Some(m.y)),
                super::compare::fmt(*reference)
            ))
        })
    };
    let spec = ChartSpec {
        testid: which.testid(),
        aria: format!(
            "{} per chunk of the current window, with the reference level dashed; the table below lists every value",
            which.y_label()
        ),
        file_stem: which.testid(),
        aspect: 0.55,
        height: (260, 380),
    };
    chart::canvas_chart(spec, draw, svg, tooltip, None, None)
}

/// The drift-over-time card.
#[component]
pub fn Timeline(timeline: TimelineReport) -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = state.settings.with_untracked(|s| s.chunking);
    let on_chunking = move |ev: leptos::ev::Event| {
        let v = event_target_value(&ev);
        if let Some((_, _, c)) = CHOICES.iter().find(|(k, _, _)| *k == v) {
            state.settings.update(|s| s.chunking = *c);
        }
    };
    let current_key = choice_key(current);
    let custom = (!CHOICES.iter().any(|(_, _, c)| *c == current)).then(|| {
        view! { <option value=current_key.clone() selected=true>{current_key.clone()}</option> }
    });
    let options = CHOICES
        .iter()
        .map(|(k, label, c)| view! { <option value=*k selected=*c == current>{*label}</option> })
        .collect_view();
    let resolved = match (timeline.chunking.as_str(), timeline.chunk_rows) {
        ("rows", Some(n)) => format!("{n} rows per chunk"),
        ("week", _) => "ISO weeks (UTC)".to_string(),
        ("day", _) => "UTC days".to_string(),
        (other, _) => other.to_string(),
    };
    let error = timeline.error.clone();
    let without = timeline.rows_without_time;
    let cols = timeline.drift_columns.clone();
    let rows = timeline
        .chunks
        .iter()
        .map(|c| {
            let l = &c.levels;
            let cells = c
                .drift
                .iter()
                .map(|v| view! { <td class="num">{super::compare::fmt(*v)}</td> })
                .collect_view();
            let drift_attr = c
                .drift
                .iter()
                .map(|v| data(*v))
                .collect::<Vec<_>>()
                .join(",");
            view! {
                <tr data-testid=format!("timeline-chunk-{}", c.index)
                    data-label=c.label.clone()
                    data-start=data(c.start) data-end=data(c.end)
                    data-n=l.n.to_string() data-positives=l.positives.to_string()
                    data-positive-rate=data(l.positive_rate) data-score-mean=data(l.score_mean)
                    data-p10=data(l.score_p10) data-p50=data(l.score_p50) data-p90=data(l.score_p90)
                    data-ece=data(l.ece) data-drift=drift_attr>
                    <td>{c.label.clone()}</td>
                    <td class="num">{l.n.to_string()}</td>
                    <td class="num">{super::compare::fmt(l.positive_rate)}</td>
                    <td class="num">{super::compare::fmt(l.score_mean)}</td>
                    <td class="num">{super::compare::fmt(l.score_p50)}</td>
                    <td class="num">{super::compare::fmt(l.ece)}</td>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let r = timeline.reference.clone();
    let ref_cells = cols
        .iter()
        .map(|c| view! { <td class="num">{format!("{} {}", if c.p_value { "<" } else { "≥" }, c.threshold)}</td> })
        .collect_view();
    let head_cells = cols
        .iter()
        .map(|c| view! { <th class="num" data-method=c.method.clone()>{format!("drift: {}", c.name)}</th> })
        .collect_view();
    let has_chunks = !timeline.chunks.is_empty();
    let stored = StoredValue::new(timeline.clone());
    let col_names = cols
        .iter()
        .map(|c| c.name.clone())
        .collect::<Vec<_>>()
        .join(",");
    let col_methods = cols
        .iter()
        .map(|c| c.method.clone())
        .collect::<Vec<_>>()
        .join(",");
    view! {
        <section class="card" data-testid="timeline"
            data-chunking=timeline.chunking.clone()
            data-chunks=timeline.chunks.len().to_string()
            data-columns=col_names
            data-methods=col_methods
            data-reference-positive-rate=data(r.positive_rate)
            data-reference-score-mean=data(r.score_mean)
            data-reference-ece=data(r.ece)>
            <header class="card-head">
                <h2>"Drift over time"</h2>
                <p class="hint">"The current window in chunks, each against the whole reference window (dashed: the reference level; for drift, the method's threshold). Drift is followed for the score and the three features with the largest Jensen–Shannon distance between the windows, each by its drift-table method."</p>
            </header>
            <div class="field inline">
                <label for="chunk-select">"Chunks"</label>
                <select id="chunk-select" data-testid="chunk-select" on:change=on_chunking>
                    {options}{custom}
                </select>
                <span class="hint">{resolved}
                    {(without > 0).then(|| format!("; {without} rows without a timestamp left out"))}</span>
            </div>
            {error.map(|e| view! { <p class="error-text" data-testid="timeline-error">{e}</p> })}
            {has_chunks.then(|| view! {
                <div class="timeline-grid">
                    <div>{timeline_chart_view(stored, Which::Score)}</div>
                    <div>{timeline_chart_view(stored, Which::Rate)}</div>
                    <div>{timeline_chart_view(stored, Which::Ece)}</div>
                    <div>{timeline_chart_view(stored, Which::Drift)}</div>
                </div>
            })}
            <details class="timeline-details">
                <summary>"Every chunk's numbers"</summary>
                <div class="table-scroll">
                    <table class="table" data-testid="timeline-table">
                        <thead><tr>
                            <th>"Chunk"</th><th class="num">"Rows"</th><th class="num">"Positive rate"</th>
                            <th class="num">"Mean score"</th><th class="num">"Median score"</th><th class="num">"ECE"</th>
                            {head_cells}
                        </tr></thead>
                        <tbody>
                            <tr class="baseline" data-testid="timeline-reference">
                                <td>"Reference window"</td>
                                <td class="num">{r.n.to_string()}</td>
                                <td class="num">{super::compare::fmt(r.positive_rate)}</td>
                                <td class="num">{super::compare::fmt(r.score_mean)}</td>
                                <td class="num">{super::compare::fmt(r.score_p50)}</td>
                                <td class="num">{super::compare::fmt(r.ece)}</td>
                                {ref_cells}
                            </tr>
                            {rows}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}
