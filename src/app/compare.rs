//! The Compare view: the active window definition with each window's size, the drift table
//! (`report.drift.columns`, one row per feature, the score and the label) and the label-shift
//! estimates (`report.label_shift`). Every number is read from the report; nothing is computed
//! here beyond sorting rows for display.

use leptos::prelude::*;

use super::AppState;
use super::chart::{self, CanvasArea, ChartSpec};
use super::empty::{AnalysisError, NoLog};
use crate::core::catalog::group_thousands;
use crate::core::metrics::drift::DriftMethod;
use crate::core::render::{self, ChartStyle, DistributionChart};
use crate::core::report::{
    DriftColumn, DriftDistribution, LabelShiftReport, RecalibrationReport, Report, WindowSpec,
};

/// Both windows' distributions of one column, overlaid (the same drawing code as the SVG).
fn distribution_view(name: String, d: DriftDistribution) -> impl IntoView {
    let data = StoredValue::new((name, d));
    let with_chart =
        move |f: &mut dyn FnMut(
            &DistributionChart,
        ) -> Result<render::ChartLayout, render::RenderError>| {
            data.with_value(|(name, d)| {
                let chart = if d.categories.is_empty() {
                    DistributionChart::numeric(name, &d.edges, &d.reference, &d.current)
                } else {
                    DistributionChart::categorical(name, &d.categories, &d.reference, &d.current)
                };
                f(&chart)
            })
        };
    let draw = move |area: &CanvasArea, style: &ChartStyle| {
        with_chart(&mut |c| render::distribution_chart(area, c, style))
    };
    let svg = move || {
        let mut out = Err(render::RenderError::Backend("no chart".into()));
        let _ = with_chart(&mut |c| {
            let (w, h) = chart::SVG_WIDE;
            out = render::distribution_chart_svg(c, &ChartStyle::new(w, h));
            Err(render::RenderError::Backend(String::new()))
        });
        out
    };
    let spec = ChartSpec {
        testid: "distribution-chart",
        aria: "Distribution of the column in the reference and the current window".to_string(),
        file_stem: "distribution",
        aspect: 0.42,
        height: (240, 420),
    };
    // The bar under the pointer: its window, bin or category, and share of rows (also the
    // rows of the chart's data table).
    let tooltip = move |l: &render::ChartLayout, x: f64, y: f64| {
        let m = l.hit(x, y, (4.0 * l.dpr) as i32)?;
        data.with_value(|(_, d)| {
            let (window, shares) = if m.series == 0 {
                ("Reference window", &d.reference)
            } else {
                ("Current window", &d.current)
            };
            let what = if d.categories.is_empty() {
                let (lo, hi) = (d.edges.get(m.index)?, d.edges.get(m.index + 1)?);
                format!("Values {} to {}", fmt(Some(*lo)), fmt(Some(*hi)))
            } else {
                d.categories.get(m.index)?.clone()
            };
            Some(format!(
                "{window}\n{what}\n{} of rows",
                pct(*shares.get(m.index)?)
            ))
        })
    };
    chart::canvas_chart(spec, draw, svg, tooltip, None, None)
}

/// A number for tables: four significant decimals, or an em dash when undefined.
pub fn fmt(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => {
            if v != 0.0 && v.abs() < 1e-3 {
                format!("{v:.2e}")
            } else {
                format!("{v:.4}")
            }
        }
        _ => "—".to_string(),
    }
}

/// A share as a percentage with one decimal.
fn pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "—".to_string()
    }
}

/// The active window definition in words.
pub fn describe_window(spec: &WindowSpec, report: &Report) -> (String, String) {
    let names: Vec<&str> = report.input.files.iter().map(|f| f.name.as_str()).collect();
    match spec {
        WindowSpec::All => ("the whole log".into(), String::new()),
        WindowSpec::TwoFiles => (
            names.first().copied().unwrap_or("first file").to_string(),
            names.get(1).copied().unwrap_or("second file").to_string(),
        ),
        WindowSpec::SplitAt { timestamp } => (
            format!("before {timestamp}"),
            format!("from {timestamp} on"),
        ),
        WindowSpec::SplitFraction { fraction } => (
            format!("first {:.0}% of rows in time order", fraction * 100.0),
            format!("last {:.0}%", (1.0 - fraction) * 100.0),
        ),
        WindowSpec::SplitColumn {
            column,
            reference,
            current,
        } => (
            format!("{column} = {reference}"),
            format!("{column} = {current}"),
        ),
    }
}

/// A strip stating which windows are compared and how many rows each has.
#[component]
pub fn WindowsBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let report = state.report.get()?.ok()?;
        let (Some(r), Some(c)) = (&report.windows.reference, &report.windows.current) else {
            return None;
        };
        let (ref_text, cur_text) = describe_window(&report.settings.window, &report);
        Some(view! {
            <section class="windows-bar" data-testid="windows-bar"
                data-kind=super::sidebar::mode_key(&report.settings.window)>
                <div class="window-chip reference">
                    <span class="chip-label">"Reference"</span>
                    <span class="chip-def">{ref_text}</span>
                    <span class="chip-n" data-testid="window-n-reference" data-value=r.n.to_string()>
                        {format!("{} rows", group_thousands(r.n as i64))}
                    </span>
                </div>
                <span class="vs" aria-hidden="true">"→"</span>
                <div class="window-chip current">
                    <span class="chip-label">"Current"</span>
                    <span class="chip-def">{cur_text}</span>
                    <span class="chip-n" data-testid="window-n-current" data-value=c.n.to_string()>
                        {format!("{} rows", group_thousands(c.n as i64))}
                    </span>
                </div>
            </section>
        })
    }
}

/// Sort keys of the drift table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Name,
    Value,
    MissingRef,
    MissingCur,
}

/// The Compare tab.
#[component]
pub fn Compare() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.report.get() {
        None => view! { <NoLog hint="Load a prediction log to compare windows."/> }.into_any(),
        Some(Err(msg)) => {
            view! { <AnalysisError heading="This comparison cannot be computed yet" message=msg/> }
                .into_any()
        }
        Some(Ok(report)) => {
            if report.windows.current.is_none() {
                return view! {
                    <div class="view compare-view" data-testid="compare-view">
                        <div class="empty" data-testid="compare-empty">
                            <h2>"One window only"</h2>
                            <p class="hint">"Choose a comparison in the sidebar's Compare panel: a second file (e.g. production against the training sample), a split at a time, a share of rows in time order, or a column's value (e.g. model_version = v3 against v4)."</p>
                        </div>
                    </div>
                }
                .into_any();
            }
            let columns = report
                .drift
                .as_ref()
                .map(|d| d.columns.clone())
                .unwrap_or_default();
            let label_shift = report.label_shift.clone();
            let recalibration = report.recalibration.clone();
            let timeline = report.timeline.clone();
            view! {
                <div class="view compare-view" data-testid="compare-view">
                    <WindowsBar/>
                    <DriftTable columns=columns/>
                    {timeline.map(|t| view! { <super::timeline::Timeline timeline=t/> })}
                    {label_shift.map(|l| view! { <LabelShift shift=l/> })}
                    {recalibration.map(|r| view! { <Recalibration preview=r/> })}
                </div>
            }
            .into_any()
        }
    }
}

/// What a drift method is, in words.
fn method_label(method: &str) -> &'static str {
    DriftMethod::from_key(method).map_or("other", DriftMethod::label)
}

/// The method picker of one drift-table row: the methods that apply to the column's kind, and
/// "default rule" to drop the override. Writes `settings.drift_methods` (the core recomputes).
fn method_select(c: &DriftColumn) -> impl IntoView + use<> {
    let state = expect_context::<AppState>();
    let name = c.name.clone();
    let overridden = c.method_source == "column";
    let current = c.method.clone();
    let options = c
        .methods
        .iter()
        .map(|m| {
            let selected = overridden && *m == current;
            view! { <option value=m.clone() selected=selected>{method_label(m)}</option> }
        })
        .collect_view();
    let default_text = format!(
        "{} ({})",
        method_label(&current),
        if c.method_source == "all" {
            "all"
        } else {
            "default"
        }
    );
    view! {
        <select class="method-select" data-testid=format!("drift-method-{}", c.name)
            aria-label=format!("Drift method for {}", c.name)
            on:click=|ev: web_sys::MouseEvent| ev.stop_propagation()
            on:keydown=|ev: web_sys::KeyboardEvent| ev.stop_propagation()
            on:change=move |ev| {
                let v = event_target_value(&ev);
                let name = name.clone();
                state.settings.update(move |s| match DriftMethod::from_key(&v) {
                    Some(m) => { s.drift_methods.insert(name, m); }
                    None => { s.drift_methods.remove(&name); }
                });
            }>
            <option value="" selected=!overridden>{default_text}</option>
            {options}
        </select>
    }
}

/// The method picker for every column: sets `settings.drift_method` and clears per-column
/// overrides; "default rule" clears both.
fn method_all_select() -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = state.settings.with_untracked(|s| s.drift_method);
    let options = DriftMethod::ALL
        .iter()
        .map(|m| view! { <option value=m.key() selected=current == Some(*m)>{m.label()}</option> })
        .collect_view();
    view! {
        <label class="field inline">
            <span>"Method for all columns"</span>
            <select data-testid="drift-method-all"
                on:change=move |ev| {
                    let m = DriftMethod::from_key(&event_target_value(&ev));
                    state.settings.update(|s| {
                        s.drift_method = m;
                        s.drift_methods.clear();
                    });
                }>
                <option value="" selected=current.is_none()>"default rule (per column)"</option>
                {options}
            </select>
        </label>
    }
}

/// The drift table: sortable by column header, a row per column; clicking a row shows every
/// statistic of it.
#[component]
fn DriftTable(columns: Vec<DriftColumn>) -> impl IntoView {
    let sort = RwSignal::new((SortKey::Value, true));
    let selected = RwSignal::new(None::<String>);
    let columns = StoredValue::new(columns);
    let drifted = columns.with_value(|c| c.iter().filter(|c| c.drifted).count());
    let total = columns.with_value(|c| c.len());
    let header = move |key: SortKey, label: &'static str, num: bool| {
        let aria = move || {
            let (k, desc) = sort.get();
            if k == key {
                if desc { "descending" } else { "ascending" }
            } else {
                "none"
            }
        };
        view! {
            <th class:num=num aria-sort=aria>
                <button class="sort" type="button" data-testid=format!("drift-sort-{}", label.to_lowercase().replace(' ', "-"))
                    on:click=move |_| sort.update(|(k, d)| {
                        if *k == key { *d = !*d } else { *k = key; *d = key != SortKey::Name }
                    })>
                    {label}
                    <span class="sort-mark" aria-hidden="true">{move || {
                        let (k, d) = sort.get();
                        if k == key { if d { " ▾" } else { " ▴" } } else { "" }
                    }}</span>
                </button>
            </th>
        }
    };
    let rows = move || {
        let (key, desc) = sort.get();
        let mut cols = columns.get_value();
        cols.sort_by(|a, b| {
            let o = match key {
                SortKey::Name => a.name.cmp(&b.name),
                SortKey::Value => {
                    // Normalise by each method's threshold so columns measured differently
                    // sort by how far past their threshold they are.
                    // p-values drift when small: threshold ÷ p, so larger is more drifted.
                    let r = |c: &DriftColumn| {
                        let p_value =
                            DriftMethod::from_key(&c.method).is_some_and(DriftMethod::is_p_value);
                        c.value
                            .map(|v| {
                                if p_value {
                                    c.threshold / v.max(f64::MIN_POSITIVE)
                                } else {
                                    v / c.threshold.max(f64::MIN_POSITIVE)
                                }
                            })
                            .unwrap_or(f64::NEG_INFINITY)
                    };
                    r(a).total_cmp(&r(b))
                }
                SortKey::MissingRef => a
                    .missing_rate_reference
                    .total_cmp(&b.missing_rate_reference),
                SortKey::MissingCur => a.missing_rate_current.total_cmp(&b.missing_rate_current),
            };
            if desc { o.reverse() } else { o }
        });
        cols.into_iter()
            .map(|c| {
                let name = c.name.clone();
                let name2 = c.name.clone();
                let is_sel = move || selected.get().as_deref() == Some(name2.as_str());
                let toggle = move || selected.update(|s| {
                    *s = if s.as_deref() == Some(name.as_str()) { None } else { Some(name.clone()) }
                });
                let toggle2 = toggle.clone();
                let data_value = c.value.filter(|v| v.is_finite()).map(|v| format!("{v:?}")).unwrap_or_default();
                view! {
                    <tr class="clickable" class:drifted=c.drifted class:selected=is_sel
                        data-testid=format!("drift-row-{}", c.name)
                        data-method=c.method.clone() data-value=data_value
                        data-drifted=c.drifted.to_string()
                        data-method-source=c.method_source.clone()
                        tabindex="0"
                        on:click=move |_| toggle()
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" || ev.key() == " " { ev.prevent_default(); toggle2() }
                        }>
                        <td><span class="col-name">{c.name.clone()}</span>
                            <span class=format!("role-tag {}", c.role)>{c.role.clone()}</span></td>
                        <td>{c.kind.clone()}</td>
                        <td>{method_select(&c)}</td>
                        <td class="num">{fmt(c.value)}</td>
                        <td class="num">{format!("{}", c.threshold)}</td>
                        <td>{if c.drifted {
                            view! { <span class="badge fail">"drifted"</span> }.into_any()
                        } else {
                            view! { <span class="badge pass">"stable"</span> }.into_any()
                        }}</td>
                        <td class="num">{pct(c.missing_rate_reference)}</td>
                        <td class="num">{pct(c.missing_rate_current)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let detail = move || {
        let name = selected.get()?;
        let c = columns.with_value(|cs| cs.iter().find(|c| c.name == name).cloned())?;
        let stats: Vec<(&str, Option<f64>)> = vec![
            ("PSI", c.psi),
            ("Jensen–Shannon distance (base 2)", c.js_distance),
            ("KS statistic", c.ks_statistic),
            ("KS p-value", c.ks_p_value),
            ("Wasserstein-1", c.wasserstein),
            ("Wasserstein-1 ÷ reference sd", c.wasserstein_norm),
            ("χ² p-value", c.chi2_p_value),
        ];
        Some(view! {
            <section class="card drift-detail" data-testid="drift-detail" data-column=c.name.clone()>
                <header class="card-head">
                    <h2>{format!("{} — reference and current", c.name)}</h2>
                    <p class="hint">{if c.kind == "numeric" {
                        "Share of each window's rows per bin; the bins are the reference window's deciles (the PSI bins)."
                    } else {
                        "Share of each window's rows per category; categories beyond the top 20 are pooled as “(other)”."
                    }}</p>
                </header>
                {c.distribution.clone().map(|d| distribution_view(c.name.clone(), d))}
                <dl class="facts stats-grid">
                    {stats.into_iter().filter(|(_, v)| v.is_some()).map(|(k, v)| view! {
                        <dt>{k}</dt><dd class="num">{fmt(v)}</dd>
                    }).collect_view()}
                </dl>
            </section>
        })
    };
    view! {
        <section class="card" data-testid="drift-table">
            <header class="card-head">
                <h2>"Drift between the windows"</h2>
                <p class="hint">{format!(
                    "{drifted} of {total} columns drifted. By default (Evidently's rule) up to 1,000 reference rows use a test (KS, or χ² for categories; drifted at p < 0.05), larger references a distance (Wasserstein-1 ÷ the reference standard deviation, or Jensen–Shannon distance for categories; drifted at ≥ 0.1). Pick another method per column or for all. Click a row for every statistic."
                )}</p>
                {method_all_select()}
            </header>
            <div class="table-scroll">
                <table class="table drift">
                    <thead><tr>
                        {header(SortKey::Name, "Column", false)}
                        <th>"Kind"</th>
                        <th>"Method"</th>
                        {header(SortKey::Value, "Value", true)}
                        <th class="num">"Threshold"</th>
                        <th>"Status"</th>
                        {header(SortKey::MissingRef, "Missing ref", true)}
                        {header(SortKey::MissingCur, "Missing cur", true)}
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        {detail}
    }
}

/// The current window's positive rate, observed and estimated from its scores alone.
/// What each recalibration method is, in words.
fn recalibration_label(method: &str) -> &'static str {
    match method {
        "platt" => "Platt scaling (logistic on the score)",
        "platt_logit" => "Logistic on logit(score) (slope and intercept)",
        "isotonic" => "Isotonic regression (PAV)",
        "temperature" => "Temperature scaling",
        "beta" => "Beta calibration",
        "histogram" => "Histogram binning",
        "prior_correction" => "Prior correction (EM prior)",
        _ => "other",
    }
}

/// The recalibration preview: each map fitted on the reference window, applied to the current
/// one; calibration before and after, and each map as JSON to apply elsewhere.
#[component]
fn Recalibration(preview: RecalibrationReport) -> impl IntoView {
    let fmt4 = |v: Option<f64>| v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into());
    let before = preview
        .methods
        .first()
        .map(|m| m.before.clone())
        .unwrap_or_default();
    let recommended = preview.recommended.clone();
    let rows = preview
        .methods
        .into_iter()
        .map(|m| {
            let is_best = recommended.as_deref() == Some(m.method.as_str());
            let after = m.after.clone().unwrap_or_default();
            let map_json = m.map.as_ref().and_then(|map| serde_json::to_string_pretty(map).ok());
            let key = m.method.clone();
            let download = move |_| {
                if let Some(json) = &map_json {
                    let _ = crate::web::download(
                        &format!("plumb-recalibration-{key}.json"),
                        "application/json",
                        json,
                    );
                }
            };
            let failed = m.error.clone();
            view! {
                <tr data-testid=format!("recal-{}", m.method) class:best=is_best
                    data-ece-after=after.ece.map(|v| format!("{v:?}")).unwrap_or_default()
                    data-log-loss-after=after.log_loss.map(|v| format!("{v:?}")).unwrap_or_default()>
                    <td>{recalibration_label(&m.method)}
                        {is_best.then(|| view! { <span class="badge pass">"recommended"</span> })}
                        {failed.clone().map(|e| view! { <div class="hint">{format!("not fitted: {e}")}</div> })}</td>
                    <td class="num">{fmt4(after.ece)}</td>
                    <td class="num">{fmt4(after.smooth_ece)}</td>
                    <td class="num">{fmt4(after.brier_score)}</td>
                    <td class="num">{fmt4(after.log_loss)}</td>
                    <td>{failed.is_none().then(|| view! {
                        <button class="button small" data-testid=format!("recal-download-{}", m.method) on:click=download>"Map (JSON)"</button>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="recalibration">
            <header class="card-head">
                <h2>"Recalibration preview"</h2>
                <p class="hint">"Each map is fitted on the reference window and applied to the current window's scores. The recommendation is the lowest log loss (a strictly proper score) that beats doing nothing; recalibration fixes calibration, not ranking."</p>
            </header>
            <div class="table-scroll">
                <table class="table">
                    <thead><tr>
                        <th>"Map"</th><th class="num">"ECE"</th><th class="num">"Smooth ECE"</th>
                        <th class="num">"Brier"</th><th class="num">"Log loss"</th><th></th>
                    </tr></thead>
                    <tbody>
                        <tr class="baseline" data-testid="recal-none">
                            <td>"As is (no recalibration)"</td>
                            <td class="num">{fmt4(before.ece)}</td>
                            <td class="num">{fmt4(before.smooth_ece)}</td>
                            <td class="num">{fmt4(before.brier_score)}</td>
                            <td class="num">{fmt4(before.log_loss)}</td>
                            <td></td>
                        </tr>
                        {rows}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn LabelShift(shift: LabelShiftReport) -> impl IntoView {
    let item = |testid: &'static str, label: &'static str, note: &'static str, v: Option<f64>| {
        let data = v
            .filter(|v| v.is_finite())
            .map(|v| format!("{v:?}"))
            .unwrap_or_default();
        view! {
            <div class="metric-card neutral" data-testid=testid data-value=data>
                <div class="metric-label">{label}</div>
                <div class="metric-value">{v.map(pct).unwrap_or_else(|| "—".into())}</div>
                <div class="metric-extra">{note}</div>
            </div>
        }
    };
    view! {
        <section class="card" data-testid="label-shift">
            <header class="card-head">
                <h2>"Label shift"</h2>
                <p class="hint">"The current window's positive rate from its labels, and as estimated from its scores alone — what you would see before labels arrive. A gap between the reference and current rate with stable scores points at label shift."</p>
            </header>
            <div class="metric-grid">
                {item("label-shift-prior-reference", "Reference rate", "observed", shift.prior_reference)}
                {item("label-shift-observed", "Current rate", "observed from labels", shift.prior_current_observed)}
                {item("label-shift-em", "Current rate (EM)", "Saerens et al. 2002", shift.prior_current_em)}
                {item("label-shift-bbse", "Current rate (BBSE)", "Lipton et al. 2018", shift.prior_current_bbse)}
            </div>
        </section>
    }
}
