//! The results as a plain-text table on stdout and as JSON (`plumb.bench/v1`) on disk.

use super::timing::{BUDGET_SECONDS, Bench, Peer, Unit};
use serde_json::{Value, json};

/// Seconds in a unit a person reads at a glance (s, ms, µs, ns).
pub fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else if s >= 1e-6 {
        format!("{:.3} µs", s * 1e6)
    } else {
        format!("{:.1} ns", s * 1e9)
    }
}

/// A rate with an SI prefix (k, M, G).
pub fn rate(r: f64) -> String {
    if r >= 1e9 {
        format!("{:.2} G", r / 1e9)
    } else if r >= 1e6 {
        format!("{:.2} M", r / 1e6)
    } else if r >= 1e3 {
        format!("{:.2} k", r / 1e3)
    } else {
        format!("{r:.2}")
    }
}

/// A ratio, in plain notation unless it is very small.
pub fn ratio(x: f64) -> String {
    if x >= 0.01 {
        format!("{x:.2}")
    } else {
        format!("{x:.1e}")
    }
}

/// Throughput of a row: rows per second for whole-data families, calls per second for
/// per-call queries.
fn throughput(unit: Unit, rows: u64, median: f64) -> f64 {
    if median <= 0.0 {
        return f64::INFINITY;
    }
    match unit {
        Unit::Rows => rows as f64 / median,
        Unit::Call { .. } => 1.0 / median,
    }
}

/// Prints one size's table: family, rows, median time, throughput, ratio against its peer.
pub fn print_table(bench: &Bench) {
    println!();
    println!(
        "rows = {} · up to {} repetitions ({} s budget per family) · peers: mean+sort {}, \
         csv ByteRecord→f64 {}",
        bench.rows,
        bench.reps,
        BUDGET_SECONDS,
        seconds(bench.peer_median(Peer::Sort)),
        seconds(bench.peer_median(Peer::Csv)),
    );
    println!(
        "{:<58} {:>10} {:>12} {:>15} {:>8}  peer",
        "family", "rows", "median", "throughput", "ratio"
    );
    for row in &bench.results {
        let median = row.median();
        let (label, per) = match row.unit {
            Unit::Rows => (format!("{} / {}", row.group, row.name), "rows/s"),
            Unit::Call { .. } => (
                format!("{} / {} (per call)", row.group, row.name),
                "calls/s",
            ),
        };
        let peer = bench.peer_median(row.peer);
        println!(
            "{:<58} {:>10} {:>12} {:>7} {:<7} {:>8}  {}",
            label,
            row.rows,
            seconds(median),
            rate(throughput(row.unit, row.rows, median)),
            per,
            ratio(median / peer),
            row.peer.key(),
        );
    }
}

/// The JSON of one size: peers with their samples, then every family.
pub fn size_json(bench: &Bench) -> Value {
    let peer = |p: Peer, samples: &[f64]| {
        json!({
            "name": p.key(),
            "median_s": bench.peer_median(p),
            "samples_s": samples,
        })
    };
    let results: Vec<Value> = bench
        .results
        .iter()
        .map(|row| {
            let median = row.median();
            let peer_median = bench.peer_median(row.peer);
            let (unit, calls) = match row.unit {
                Unit::Rows => ("rows", None),
                Unit::Call { calls } => ("call", Some(calls)),
            };
            json!({
                "group": row.group,
                "name": row.name,
                "rows": row.rows,
                "unit": unit,
                "reps": row.samples.len(),
                "calls_per_rep": calls,
                "median_s": median,
                "min_s": row.samples.iter().copied().fold(f64::INFINITY, f64::min),
                "max_s": row.samples.iter().copied().fold(0.0, f64::max),
                "samples_s": row.samples,
                "throughput_per_s": throughput(row.unit, row.rows, median),
                "peer": row.peer.key(),
                "peer_median_s": peer_median,
                "ratio": median / peer_median,
                "note": row.note,
            })
        })
        .collect();
    json!({
        "rows": bench.rows,
        "reps": bench.reps,
        "peers": [peer(Peer::Sort, &bench.sort_peer), peer(Peer::Csv, &bench.csv_peer)],
        "results": results,
    })
}
