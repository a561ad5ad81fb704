//! Plumb: a model audit workbench.
//!
//! The crate is split the way ripgrep splits computation from output:
//! [`core`] is a platform-free statistics engine (bytes in, a [`core::report::Report`] out) that
//! is tested natively with `cargo test`; `app` and `web` are the browser shell (Leptos
//! components, file reading, downloads) and exist only on `wasm32`. The native CLI in
//! `src/bin/plumb.rs` is a second, thin shell over the same core.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
