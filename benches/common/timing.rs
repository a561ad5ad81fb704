//! Wall-clock timing: the median of a few repetitions, each measured with
//! [`std::time::Instant`] around one call whose inputs and output pass through
//! [`std::hint::black_box`] so the optimiser can neither hoist nor discard the work.

use std::hint::black_box;
use std::time::Instant;

/// The baseline a family's time is divided by (measured in the same run, on the same data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// One pass computing the mean of the scores plus a copy and
    /// `sort_unstable_by(f64::total_cmp)` of them: "the cost of one sort".
    Sort,
    /// The `csv` crate's `ByteRecord` reader parsing the same bytes, numeric columns to `f64`.
    Csv,
}

impl Peer {
    /// Short name used in the table and the JSON.
    pub fn key(self) -> &'static str {
        match self {
            Peer::Sort => "mean+sort",
            Peer::Csv => "csv ByteRecord→f64",
        }
    }
}

/// What one measurement's time is per.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The whole data set (`rows` rows) per repetition.
    Rows,
    /// One call of a query against prepared data (`calls` calls per repetition).
    Call {
        /// Calls timed together in one repetition.
        calls: u64,
    },
}

/// One measured family at one size.
#[derive(Debug, Clone)]
pub struct Row {
    /// Statistics family (ingest, ranking, drift, …).
    pub group: &'static str,
    /// The function measured.
    pub name: String,
    /// Rows in the data set.
    pub rows: u64,
    /// What a time is per.
    pub unit: Unit,
    /// Seconds per repetition (per call for [`Unit::Call`]), in measurement order.
    pub samples: Vec<f64>,
    /// Baseline the ratio is taken against.
    pub peer: Peer,
    /// Extra facts about the result (iterations, sizes), for the JSON.
    pub note: String,
}

impl Row {
    /// Median seconds (per repetition, or per call).
    pub fn median(&self) -> f64 {
        median(&self.samples)
    }
}

/// Median of a non-empty sample (mean of the two middle values for an even count); 0 if empty.
pub fn median(samples: &[f64]) -> f64 {
    let mut v = samples.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    let m = v.len() / 2;
    match v.len() {
        0 => 0.0,
        len if len % 2 == 1 => v[m],
        _ => 0.5 * (v[m - 1] + v[m]),
    }
}

/// Once one family's repetitions have taken this many seconds in total, no further repetition
/// starts: a call that long is far above timer noise, and the default 10M-row run stays within
/// reach on a small machine.
pub const BUDGET_SECONDS: f64 = 30.0;

/// Times `f` up to `reps` times (fewer once [`BUDGET_SECONDS`] are spent, at least once);
/// returns the seconds of each repetition and the last output. The first error stops the
/// measurement.
pub fn measure<T>(
    reps: usize,
    mut f: impl FnMut() -> Result<T, String>,
) -> Result<(Vec<f64>, T), String> {
    let mut samples = Vec::with_capacity(reps);
    let mut last = None;
    let mut spent = 0.0;
    for _ in 0..reps.max(1) {
        if spent > BUDGET_SECONDS {
            break;
        }
        let start = Instant::now();
        let out = black_box(f());
        let seconds = start.elapsed().as_secs_f64();
        samples.push(seconds);
        spent += seconds;
        // Dropping the previous output is not timed.
        last = Some(out?);
    }
    match last {
        Some(out) => Ok((samples, out)),
        None => Err("no repetition ran".to_string()),
    }
}

/// The measurements of one data size, with the peers' samples.
pub struct Bench {
    /// Rows in the data set.
    pub rows: u64,
    /// Repetitions per family.
    pub reps: usize,
    /// Only families whose "group name" contains one of these run (all when empty).
    pub filters: Vec<String>,
    /// Measured families, in order.
    pub results: Vec<Row>,
    /// Samples of the sort peer (taken before and after the families).
    pub sort_peer: Vec<f64>,
    /// Samples of the CSV peer (taken before and after the families).
    pub csv_peer: Vec<f64>,
}

impl Bench {
    /// An empty set of measurements for `rows` rows.
    pub fn new(rows: u64, reps: usize, filters: Vec<String>) -> Self {
        Self {
            rows,
            reps,
            filters,
            results: Vec::new(),
            sort_peer: Vec::new(),
            csv_peer: Vec::new(),
        }
    }

    /// Whether the family passes the command-line filter.
    pub fn selected(&self, group: &str, name: &str) -> bool {
        let full = format!("{group} {name}");
        self.filters.is_empty() || self.filters.iter().any(|f| full.contains(f.as_str()))
    }

    /// Times `f` (one call = the whole data set) and records it; returns the last output,
    /// or `None` when the family is filtered out.
    pub fn run<T>(
        &mut self,
        group: &'static str,
        name: &str,
        peer: Peer,
        f: impl FnMut() -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        if !self.selected(group, name) {
            return Ok(None);
        }
        let (samples, out) = measure(self.reps, f).map_err(|e| format!("{group} / {name}: {e}"))?;
        eprintln!("  {group} / {name}: median {:.6} s", median(&samples));
        self.results.push(Row {
            group,
            name: name.to_string(),
            rows: self.rows,
            unit: Unit::Rows,
            samples,
            peer,
            note: String::new(),
        });
        Ok(Some(out))
    }

    /// Times `f`, which must make `calls` calls of a query, and records the time per call.
    pub fn run_per_call<T>(
        &mut self,
        group: &'static str,
        name: &str,
        calls: u64,
        f: impl FnMut() -> Result<T, String>,
    ) -> Result<Option<T>, String> {
        if !self.selected(group, name) {
            return Ok(None);
        }
        let (samples, out) = measure(self.reps, f).map_err(|e| format!("{group} / {name}: {e}"))?;
        let per_call: Vec<f64> = samples.iter().map(|s| s / calls.max(1) as f64).collect();
        eprintln!(
            "  {group} / {name}: median {:.3e} s per call",
            median(&per_call)
        );
        self.results.push(Row {
            group,
            name: name.to_string(),
            rows: self.rows,
            unit: Unit::Call { calls },
            samples: per_call,
            peer: Peer::Sort,
            note: String::new(),
        });
        Ok(Some(out))
    }

    /// Sets the note of the most recently recorded family.
    pub fn annotate(&mut self, note: String) {
        if let Some(row) = self.results.last_mut() {
            row.note = note;
        }
    }

    /// Median seconds of a peer over all its samples.
    pub fn peer_median(&self, peer: Peer) -> f64 {
        match peer {
            Peer::Sort => median(&self.sort_peer),
            Peer::Csv => median(&self.csv_peer),
        }
    }
}
