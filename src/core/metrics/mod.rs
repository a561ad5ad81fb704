//! Statistics over prediction logs, one concept per module. Every function takes plain slices
//! (`scores: &[f64]` in [0, 1], `labels: &[u8]` in {0, 1}) and returns plain values; formulas
//! and their sources are cited in each module's doc comment and in `docs/metrics.md`.

pub mod binned_bootstrap;
pub mod calibration;
pub mod compare_models;
pub mod drift;
pub mod intervals;
pub mod label_shift;
pub mod ranking;
pub mod recalibrate;
pub mod row_pass;
pub mod smooth;
pub mod sort;
pub mod threshold;
