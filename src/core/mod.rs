//! The platform-free core: ingest, schema, statistics, the report and its rendering.
//!
//! Data flows left to right, each step a function of plain data:
//! bytes → [`ingest`] (typed columns) → [`schema`] (roles, exclusions) → [`metrics`] →
//! [`analysis`] (assembles a [`report::Report`]) → views, exports and the CLI.
//!
//! Non-test code here never panics on data: `unwrap`, `expect` and `panic!` are denied (see
//! `docs/hardening.md`).

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod analysis;
pub mod catalog;
pub mod diagnose;
pub mod error;
pub mod export;
pub mod gates;
pub mod ingest;
pub mod metrics;
pub mod ops;
pub mod protocol;
pub mod quality;
pub mod render;
pub mod report;
pub mod schema;
pub mod segments;
pub mod share;
pub mod simulate;
pub mod stream;
pub mod summary;
pub mod timeline;
pub mod warm_up;
