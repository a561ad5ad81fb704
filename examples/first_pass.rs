//! `cargo run --release --example first_pass -- FILE [REPS]`: the browser worker's first pass
//! (`analysis::analyze_staged` at `Depth::First` over the whole log) on a CSV log, timed alone
//! — the file is loaded and its roles detected once, outside the timing — for profiling with
//! `valgrind --tool=callgrind --toggle-collect='*analyze_staged*'` (instruction counts, see
//! `docs/benchmarks.md`). Prints each repetition's wall time and the report's JSON length.

use plumb::core::analysis;
use plumb::core::report::Settings;
use plumb::core::warm_up;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: first_pass FILE [REPS]");
        return ExitCode::FAILURE;
    };
    let reps = match args.get(1).map(|r| r.parse::<usize>()) {
        None => 1,
        Some(Ok(r)) if r >= 1 => r,
        Some(_) => {
            eprintln!("REPS must be a count ≥ 1");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let file = match analysis::load_file(path, &bytes) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mapping = analysis::detect_mapping(&file);
    let settings = Settings::default();
    let request = warm_up::first_pass_request(&file, &mapping, &settings);
    for rep in 0..reps {
        let start = Instant::now();
        let staged = match analysis::analyze_staged(&request, "plumb-first-pass", None) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let seconds = start.elapsed().as_secs_f64();
        let json = match analysis::report_json(&staged.report) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "rep {rep}: first pass {seconds:.4} s, report JSON {} bytes",
            json.len()
        );
    }
    ExitCode::SUCCESS
}
