//! Support for the `core` benchmark: seeded data, timing, peers and output.

pub mod data;
pub mod output;
pub mod peers;
pub mod rng;
pub mod timing;
