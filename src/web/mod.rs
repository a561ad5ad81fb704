//! The browser's side of I/O: reading files the user gives, fetching a bundled or linked log,
//! and downloading exports. Everything here is thin glue over web-sys; no statistics. Logs are
//! parsed and analysed in a Web Worker: [`worker`] is its side, [`client`] the page's.

pub mod client;
pub mod digest;
pub mod parallel;
pub mod worker;

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Read a small user-chosen file's bytes whole (gates files; logs stream through the worker).
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let promise = file.array_buffer();
    let buffer = JsFuture::from(promise).await.map_err(|e| {
        format!(
            "the browser could not read {}: {}",
            file.name(),
            js_error(&e)
        )
    })?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Fetch `url` (relative to the page) and check the answer is a successful HTTP response;
/// errors name the URL.
async fn fetch_ok(url: &str) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not fetch {url}: {}", js_error(&e)))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("could not fetch {url}: not a response"))?;
    if !response.ok() {
        return Err(format!("could not fetch {url}: HTTP {}", response.status()));
    }
    Ok(response)
}

/// Await a body promise of the response of `url` (its bytes or its blob); errors name the URL.
async fn read_body(url: &str, body: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let read_error = |e: JsValue| format!("could not read {url}: {}", js_error(&e));
    JsFuture::from(body.map_err(read_error)?)
        .await
        .map_err(read_error)
}

/// Fetch a file relative to the page (the bundled demo, or `?data=` links) as bytes.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = fetch_ok(url).await?;
    let buffer = read_body(url, response.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Fetch a file relative to the page (the bundled demo, or `?data=` links) as a `Blob`, which
/// the worker then reads in chunks.
pub async fn fetch_blob(url: &str) -> Result<web_sys::Blob, String> {
    let response = fetch_ok(url).await?;
    read_body(url, response.blob())
        .await?
        .dyn_into()
        .map_err(|_| format!("could not read {url}: not a blob"))
}

/// Offer `contents` to the user as a download named `filename`.
pub fn download(filename: &str, mime: &str, contents: &str) -> Result<(), String> {
    let parts = Array::new();
    parts.push(&JsValue::from_str(contents));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| js_error(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_error(&e))?
        .dyn_into()
        .map_err(|_| "could not create a link".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(filename);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Set `key` on this thread's global object (a worker's scope, or the page's window) to
/// `value`: the `__plumb…` globals through which the end-to-end tests and the benchmark see
/// what a worker did (who read and hashed a file, how it was parsed, whether it is warm).
pub fn mark(key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(&js_sys::global(), &JsValue::from_str(key), value);
}

/// Run `f` in a new task of the page's event loop (a zero-delay timer: after this task and its
/// microtasks, so after the reactive updates it started), or at once where there is no window.
pub fn next_task(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let cb = wasm_bindgen::closure::Closure::once_into_js(f);
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(cb.unchecked_ref(), 0);
}

/// Run `f` at the next animation frame, before that frame's layout and paint (at once where
/// there is no window, or if the browser refuses the request). A hidden page gets no frames
/// until it is shown again.
pub fn next_frame(f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        f();
        return;
    };
    let f = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let run = f.clone();
    let cb = wasm_bindgen::closure::Closure::once_into_js(move || {
        if let Some(f) = run.take() {
            f();
        }
    });
    if window.request_animation_frame(cb.unchecked_ref()).is_err()
        && let Some(f) = f.take()
    {
        f();
    }
}

/// Device pixel ratio, for crisp canvases on HiDPI screens.
pub fn device_pixel_ratio() -> f64 {
    web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(1.0)
}

/// The query-string value of `key` in the page's URL, if any.
pub fn query_param(key: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get(key)
}

/// A JavaScript exception as text.
pub fn js_error(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// A value from the browser's local storage (the review in progress; never data).
pub fn local_get(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

/// Store a value in local storage (silently skipped when storage is unavailable).
pub fn local_set(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// The page URL's fragment (with its `#`), or empty.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Set the page URL's fragment without reloading; returns the full URL.
pub fn set_location_hash(fragment: &str) -> Option<String> {
    let location = web_sys::window()?.location();
    location.set_hash(fragment).ok()?;
    location.href().ok()
}
