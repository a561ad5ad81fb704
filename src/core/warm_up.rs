//! Warming up the analysis code in a browser (issue #9: a first answer within a second).
//!
//! Why: Chromium compiles a WebAssembly module first with its fast baseline compiler (Liftoff)
//! and optimises a function (TurboFan) only once it has run for a while, in the background;
//! the optimised code is used from the function's *next* call (there is no on-stack
//! replacement for WebAssembly). Every function of an analysis runs once per pass, so the first
//! analysis after the worker starts runs entirely on baseline code: in a CPU profile of the
//! worker at a million rows, each metric of the first pass took 3–5 times as long as the same
//! metric, on the same rows, in the complete pass that follows (log loss 105 ms against 22 ms,
//! the threshold summary 358 ms against 84 ms).
//!
//! [`warm_up`] runs the first pass — loading a CSV, preparing the rows, every first-pass metric,
//! the time histogram and the report's JSON — on a small synthetic log, so the worker has the
//! optimised code when the user's log arrives. The worker calls it as it starts, while the page
//! waits for a file; its result is thrown away.

use crate::core::analysis::{self, Depth, Request};
use crate::core::error::PlumbError;
use crate::core::metrics::smooth::SplitMix64;
use crate::core::report::{ColumnMapping, Settings, WindowSpec};

/// Rows of the synthetic log: enough that each first-pass loop uses up the browser's budget
/// for optimising it, small enough to run in tens of milliseconds unoptimised.
pub const WARM_UP_ROWS: usize = 60_000;

/// A synthetic prediction log of `rows` rows as CSV text: an ISO 8601 timestamp a second
/// apart, a score with six decimals (as a logging pipeline writes them) and a label drawn
/// with that score as its probability, from a fixed seed.
pub fn synthetic_log(rows: usize) -> String {
    let mut rng = SplitMix64::new(0x5EED_0FF1_2500);
    let mut text = String::with_capacity(48 * rows + 32);
    text.push_str("timestamp,score,label\n");
    for i in 0..rows {
        let uniform = |r: &mut SplitMix64| (r.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let score = (uniform(&mut rng) * 1e6).round() / 1e6;
        let label = u8::from(uniform(&mut rng) < score);
        let (day, second) = (1 + i / 86_400, i % 86_400);
        let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
        text.push_str(&format!(
            "2026-01-{day:02}T{h:02}:{m:02}:{s:02}Z,{score:.6},{label}\n"
        ));
    }
    text
}

/// The request [`warm_up`] analyses: the whole of `file` at [`Depth::First`], no current log,
/// no fixed "now" — the first pass the worker runs on a user's log. One definition, so the
/// tests check the request the warm-up really makes.
pub fn first_pass_request<'a>(
    file: &'a analysis::LoadedFile,
    mapping: &'a ColumnMapping,
    settings: &'a Settings,
) -> Request<'a> {
    Request {
        reference: file,
        current: None,
        mapping,
        settings,
        window: WindowSpec::All,
        now: None,
        depth: Depth::First,
    }
}

/// Run the first pass on [`synthetic_log`]`(`[`WARM_UP_ROWS`]`)`: load, detect the roles,
/// analyse the whole log at [`Depth::First`] and write the report's JSON. Returns the JSON's
/// length (the caller discards it; the tests check the pass really ran).
pub fn warm_up() -> Result<usize, PlumbError> {
    let text = synthetic_log(WARM_UP_ROWS);
    let file = analysis::load_file("warm-up.csv", text.as_bytes())?;
    let mapping = analysis::detect_mapping(&file);
    let settings = Settings::default();
    let request = first_pass_request(&file, &mapping, &settings);
    let (report, _sweep) = analysis::analyze_with_sweep(&request, "plumb-warm-up")?;
    Ok(analysis::report_json(&report)?.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_runs_the_whole_first_pass() {
        let text = synthetic_log(WARM_UP_ROWS);
        let file = analysis::load_file("warm-up.csv", text.as_bytes()).unwrap();
        let mapping = analysis::detect_mapping(&file);
        assert_eq!(mapping.score.as_deref(), Some("score"));
        assert_eq!(mapping.label.as_deref(), Some("label"));
        assert_eq!(mapping.timestamp.as_deref(), Some("timestamp"));
        let settings = Settings::default();
        let request = first_pass_request(&file, &mapping, &settings);
        let (report, sweep) = analysis::analyze_with_sweep(&request, "test").unwrap();
        let all = report.windows.all.as_ref().unwrap();
        assert_eq!(all.n, WARM_UP_ROWS as u64);
        // Labels drawn with the score as probability: a calibrated, informative model.
        assert!(all.roc_auc.unwrap() > 0.75, "{:?}", all.roc_auc);
        assert!(all.ece.unwrap() < 0.02, "{:?}", all.ece);
        assert!(all.smooth_ece.is_some() && !all.sweep.is_empty());
        assert!(sweep.is_some() && report.time_histogram.is_some());
        assert!(!report.pending.is_empty(), "a first pass");
        let json = analysis::report_json(&report).unwrap();
        assert!(json.len() > 10_000);
        assert_eq!(
            warm_up().unwrap(),
            json.len() - "test".len() + "plumb-warm-up".len()
        );
    }
}
