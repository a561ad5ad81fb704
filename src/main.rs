//! Browser entry point: mounts the Leptos workbench. Built by Trunk for `wasm32`.

#[cfg(target_arch = "wasm32")]
fn main() {
    plumb::app::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("plumb-web is the browser build; run `make serve`, or use the `plumb` CLI natively.");
    std::process::exit(2);
}
