//! The native CLI (being written).
fn main() {}
