//! Fuzz target: the whole pipeline on a small file — `load_file`, `detect_mapping` and
//! `analyze_single` (every metric, the quality checks, segments and recalibration; no
//! bootstrap), as the browser runs it on a dropped file. A report must balance its row
//! accounting (`rows_used + Σ rows_excluded = rows`); anything else may be a typed error, never
//! a panic or a hang. Inputs over 4 KiB are skipped: the analysis dominates the time per input,
//! and the `ingest` target covers large inputs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plumb::core::analysis::{analyze_single, detect_mapping, load_file};
use plumb::core::report::Settings;

/// Largest input analysed.
const MAX_INPUT: usize = 4096;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let Ok(file) = load_file("fuzz.csv", data) else {
        return;
    };
    let mapping = detect_mapping(&file);
    let settings = Settings {
        bootstrap: 0,
        ..Default::default()
    };
    if let Ok(report) = analyze_single(&file, &mapping, &settings, "fuzz") {
        for f in &report.input.files {
            let excluded: u64 = f.rows_excluded.values().sum();
            assert_eq!(
                f.rows_used + excluded,
                f.rows,
                "row accounting of {}",
                f.name
            );
        }
    }
});
