//! The two states every tab shows before it has a report to draw: no log yet (a hint), and a
//! report that could not be computed (a heading and the reason, in the analysis's words).

use leptos::prelude::*;

/// A tab before any log is loaded: one hint saying what the tab will show.
#[component]
pub fn NoLog(
    /// What to do, e.g. "Load a prediction log to check it."
    hint: &'static str,
    /// The `data-testid` of the empty state, where a test looks for it.
    #[prop(optional)]
    testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="empty" data-testid=testid>
            <p class="hint">{hint}</p>
        </div>
    }
}

/// A tab whose report could not be computed: `heading`, the reason, and optional advice.
#[component]
pub fn AnalysisError(
    /// What could not be done, e.g. "This log cannot be analysed yet".
    heading: &'static str,
    /// Why, in the analysis's words (it names the column or setting at fault).
    message: String,
    /// What to try, when there is a usual fix.
    #[prop(optional)]
    advice: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="empty error-panel" data-testid="analysis-error">
            <h2>{heading}</h2>
            <p>{message}</p>
            {advice.map(|a| view! { <p class="hint">{a}</p> })}
        </div>
    }
}
