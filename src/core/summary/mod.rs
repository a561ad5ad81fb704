//! Mergeable score summaries and the summary-file input (`docs/summary-input.md`).
//!
//! A [`ScoreSummary`] holds, per label, the count and the sums `Σ s`, `Σ s²` and the log-loss
//! sum of the scores in each of `2K + 1` slots of [0, 1] (the `K + 1` edges `j/K` and the `K`
//! open cells between them). Summaries [`merge`](ScoreSummary::merge) by addition, so logs
//! aggregated in parts, or where they live (the SQL in `sql/`), combine into the summary of the
//! whole. [`metrics`] computes from it what is exact (counts, means, Brier, log loss, uniform
//! reliability bins and ECE, confusion counts at cell edges) and what is bounded (the AUC
//! within `Σ_c P_c·N_c / (2PN)`, KS within the largest open cell's share).
//!
//! - [`sketch`]: the summary and its merge.
//! - [`metrics`]: metrics and bounds.
//! - [`file`]: the CSV format (`plumb_summary,buckets,window_name,segment,label,bucket_lo,…`).
//! - [`report`]: a `Report` from a summary file, and a summary file from raw rows.

pub mod file;
pub mod metrics;
pub mod report;
pub mod sketch;

pub use file::{COLUMNS, SummaryFile, is_summary as is_summary_table, is_summary_columns, parse};
pub use report::{SummaryBounds, SummaryInfo, is_summary, report_from_summary, summarize};
pub use sketch::{Cell, DEFAULT_BUCKETS, ScoreSummary};
