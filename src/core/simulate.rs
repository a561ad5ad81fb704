//! Synthetic scenarios with known causes (in progress).
