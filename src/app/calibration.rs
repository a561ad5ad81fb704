//! The Calibration view: the reliability diagram large (bins, binning and the histogram scale
//! adjustable in place), and the report's calibration statistics as cards that say what each
//! number means. Every number is a field of the window report (`core::analysis`); nothing is
//! computed here.

use leptos::prelude::*;

use super::chart::ReliabilityChart;
use super::empty::{AnalysisError, NoLog};
use super::{AppState, settings_field};
use crate::core::catalog::{Format, format_value};
use crate::core::report::{BinStrategy, IntervalMethod, Report, WindowReport};

/// Which of its three states the tab is in. A memo of it changes only when a log comes or goes
/// or an analysis fails, not when a new report lands, so the tab's own controls (drawn once per
/// change of state) keep what the user is typing while the charts and cards follow each report.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// No log loaded.
    Empty,
    /// The analysis failed.
    Failed,
    /// A report to show.
    Ready,
}

/// The Calibration tab.
#[component]
pub fn Calibration() -> impl IntoView {
    let state = expect_context::<AppState>();
    let shown = Memo::new(move |_| {
        state.report.with(|r| match r {
            None => Shown::Empty,
            Some(Err(_)) => Shown::Failed,
            Some(Ok(_)) => Shown::Ready,
        })
    });
    // The report on screen, for the parts drawn from it (each re-drawn when it changes).
    let report = move || match state.report.get() {
        Some(Ok(r)) => Some(r),
        _ => None,
    };
    move || {
        match shown.get() {
        Shown::Empty => view! { <NoLog hint="Load a prediction log to see its calibration." testid="calibration-empty"/> }.into_any(),
        Shown::Failed => (move || match state.report.get() {
            Some(Err(msg)) => Some(view! { <AnalysisError heading="This log cannot be analysed yet" message=msg/> }),
            _ => None,
        })
        .into_any(),
        Shown::Ready => view! {
            <div class="view calibration-view" data-testid="calibration-view">
                <section class="card chart-card">
                    <header class="card-head row">
                        <div>
                            <h2>"Reliability diagram"</h2>
                            <p class="hint">{move || report().map(|r| whisker_note(&r))}</p>
                        </div>
                        // Outside the closures that follow the report: a report landing while
                        // the user types into these leaves them alone.
                        <BinControls/>
                    </header>
                    {move || report().map(|r| view! {
                        <ReliabilityChart window=super::primary_window(&r) large=true reference=super::reference_window(&r)/>
                    })}
                </section>
                {move || report().map(|r| view! {
                    <StatCards window=super::primary_window(&r)
                        fit_pending=r.is_pending(crate::core::report::pending::CALIBRATION_FIT)
                        hl_pending=r.is_pending(crate::core::report::pending::HOSMER_LEMESHOW)/>
                })}
            </div>
        }
        .into_any(),
    }
    }
}

/// What the whiskers are, from the settings that produced the report.
fn whisker_note(report: &Report) -> String {
    let s = &report.settings;
    format!(
        "Observed positive rate against mean score per bin; whiskers are {}% {} intervals. \
         Points on the diagonal are perfectly calibrated.",
        (s.confidence * 100.0).round(),
        match s.interval {
            IntervalMethod::ClopperPearson => "Clopper–Pearson",
            IntervalMethod::Wilson => "Wilson",
        }
    )
}

/// Bins and binning, echoing the sidebar's settings (both edit `settings`).
#[component]
fn BinControls() -> impl IntoView {
    let settings = expect_context::<AppState>().settings;
    let bins = settings_field(settings, |s| s.bins.to_string());
    view! {
        <div class="inline-controls" role="group" aria-label="Binning">
            <label class="inline-field">
                <span>"Bins"</span>
                <input type="number" min="2" max="100" step="1" data-testid="calibration-bins"
                    prop:value=move || bins.get()
                    on:change=move |ev| {
                        if let Ok(b) = event_target_value(&ev).trim().parse::<usize>() {
                            settings.update(|s| s.bins = b.clamp(2, 100));
                        }
                    } />
            </label>
            <label class="inline-field">
                <span>"Binning"</span>
                <select data-testid="calibration-strategy"
                    on:change=move |ev| {
                        let strategy = if event_target_value(&ev) == "quantile" { BinStrategy::Quantile } else { BinStrategy::Uniform };
                        settings.update(|s| s.strategy = strategy);
                    }>
                    <option value="uniform" selected=move || settings.with(|s| s.strategy == BinStrategy::Uniform)>"equal width"</option>
                    <option value="quantile" selected=move || settings.with(|s| s.strategy == BinStrategy::Quantile)>"equal mass"</option>
                </select>
            </label>
        </div>
    }
}

/// One labelled number inside a card, with its full-precision value for automation.
fn stat(
    key: &'static str,
    label: &'static str,
    format: Format,
    value: Option<f64>,
) -> impl IntoView {
    stat_or_pending(key, label, format, value, false)
}

/// A statistic that may still be computing (the complete pass): then it says so, with
/// `data-pending`, rather than showing a missing value.
fn stat_or_pending(
    key: &'static str,
    label: &'static str,
    format: Format,
    value: Option<f64>,
    pending: bool,
) -> impl IntoView {
    let data_value = value
        .filter(|v| v.is_finite() && !pending)
        .map(|v| format!("{v:?}"))
        .unwrap_or_default();
    let shown = if pending {
        "computing…".to_string()
    } else {
        format_value(format, value)
    };
    view! {
        <div class="stat" data-testid=format!("calib-{key}") data-value=data_value
            data-pending=pending.then_some("true")>
            <span class="stat-label">{label}</span>
            <span class="stat-value">{shown}</span>
        </div>
    }
}

/// A verdict chip from a p-value: is there evidence of miscalibration at the 5% level?
fn verdict(p: Option<f64>) -> impl IntoView {
    let (class, text) = match p.filter(|p| p.is_finite()) {
        None => ("chip neutral", "not defined for this data"),
        Some(p) if p < 0.05 => ("chip warn", "evidence of miscalibration (p < 0.05)"),
        Some(_) => ("chip ok", "no evidence of miscalibration at 5%"),
    };
    view! { <span class=class>{text}</span> }
}

/// The calibration statistics as explained cards.
#[component]
fn StatCards(window: WindowReport, fit_pending: bool, hl_pending: bool) -> impl IntoView {
    let d = window.brier_decomposition.clone();
    view! {
        <section class="stat-grid" aria-label="Calibration statistics">
            <article class="card stat-card" data-testid="card-brier">
                <h3>"Brier score and its decomposition"</h3>
                <div class="stats">
                    {stat("brier", "Brier score", Format::Decimal, window.brier_score)}
                    {stat("reliability", "Reliability", Format::Decimal, d.as_ref().map(|d| d.reliability))}
                    {stat("resolution", "Resolution", Format::Decimal, d.as_ref().map(|d| d.resolution))}
                    {stat("uncertainty", "Uncertainty", Format::Decimal, d.as_ref().map(|d| d.uncertainty))}
                </div>
                <p class="explain">
                    "Murphy (1973): Brier ≈ reliability − resolution + uncertainty, over the reliability bins. "
                    <strong>"Reliability"</strong>" is the miscalibration (0 is ideal); "
                    <strong>"resolution"</strong>" is how far bin rates move away from the base rate (higher is better); "
                    <strong>"uncertainty"</strong>" = rate·(1 − rate) depends on the data alone. "
                    "The identity is exact only when scores are constant within each bin."
                </p>
            </article>
            <article class="card stat-card" data-testid="card-logistic">
                <h3>"Calibration slope and intercept"</h3>
                <div class="stats">
                    {stat_or_pending("slope", "Slope", Format::Decimal, window.calibration_slope, fit_pending)}
                    {stat_or_pending("intercept", "Intercept", Format::Decimal, window.calibration_intercept, fit_pending)}
                    {stat("citl", "Mean score − rate", Format::Decimal, window.calibration_in_the_large)}
                    {stat("oe", "Observed ÷ expected", Format::Decimal, window.observed_expected_ratio)}
                </div>
                <p class="explain">
                    "A logistic regression of the label on logit(score): logit P(y=1) = a + b·logit(p). "
                    "Perfect calibration is "<strong>"b = 1, a = 0"</strong>". "
                    "b < 1: scores are too extreme (typical of overfitting); b > 1: too timid. "
                    "Mean score − rate > 0 means the model over-predicts on average."
                </p>
            </article>
            <article class="card stat-card" data-testid="card-ece">
                <h3>"Calibration error"</h3>
                <div class="stats">
                    {stat("ece", "ECE", Format::Decimal, window.ece)}
                    {stat("mce", "MCE", Format::Decimal, window.mce)}
                    {stat("rmsce", "RMSCE", Format::Decimal, window.rmsce)}
                    {stat("ace", "ACE", Format::Decimal, window.ace)}
                    {stat("smooth-ece", "Smooth ECE", Format::Decimal, window.smooth_ece)}
                </div>
                <p class="explain">
                    "ECE weighs each bin’s |mean score − observed rate| by its share of rows; MCE is the "
                    "worst bin; RMSCE the root-mean-square; ACE the unweighted mean over non-empty bins. "
                    "Smooth ECE (Błasiok & Nakkiran 2023) replaces bins with a kernel and does not "
                    "depend on the bin settings."
                </p>
            </article>
            <article class="card stat-card" data-testid="card-hl">
                <h3>"Hosmer–Lemeshow test"</h3>
                <div class="stats">
                    {stat_or_pending("hl", "χ² statistic", Format::Decimal, window.hosmer_lemeshow, hl_pending)}
                    {stat_or_pending("hl-p", "p-value", Format::PValue, window.hosmer_lemeshow_p_value, hl_pending)}
                </div>
                {(!hl_pending).then(|| verdict(window.hosmer_lemeshow_p_value))}
                <p class="explain">
                    "Observed against expected positives in 10 equal-mass groups of the score, "
                    "referred to χ² with g − 2 degrees of freedom (8 for 10 groups). With many rows even a harmless "
                    "miscalibration is significant: read it with the diagram and the ECE."
                </p>
            </article>
            <article class="card stat-card" data-testid="card-spiegelhalter">
                <h3>"Spiegelhalter’s z-test"</h3>
                <div class="stats">
                    {stat("spiegelhalter-z", "z", Format::Decimal, window.spiegelhalter_z)}
                    {stat("spiegelhalter-p", "p-value", Format::PValue, window.spiegelhalter_p_value)}
                </div>
                {verdict(window.spiegelhalter_p_value)}
                <p class="explain">
                    "Spiegelhalter (1986): is the Brier score what a perfectly calibrated model "
                    "would score on these rows? Needs no binning; |z| > 1.96 is p < 0.05 (two-sided)."
                </p>
            </article>
        </section>
    }
}
