//! The Web Worker that parses and analyses logs off the page's thread (see
//! `plumb::web::worker`). Built by Trunk for `wasm32` as a no-modules worker with a loader shim
//! (`plumb-worker_loader.js`), which the page starts.

#[cfg(target_arch = "wasm32")]
fn main() {
    plumb::web::worker::run();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "plumb-worker is the browser's background worker; run `make serve`, or use the `plumb` CLI natively."
    );
    std::process::exit(2);
}
