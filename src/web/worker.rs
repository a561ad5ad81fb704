//! The worker's side of the page ↔ worker protocol ([`crate::core::protocol`]): runs in a
//! dedicated Web Worker (the `plumb-worker` binary, built by Trunk as a no-modules worker), so
//! parsing and statistics never block the page.
//!
//! A `load` reads its `Blob` in [`CHUNK_BYTES`] slices with `FileReaderSync` (allowed, and
//! cheap, in a worker) and feeds each to a [`FileLoader`] (SHA-256 and the push parser, gzip
//! included), posting progress after every chunk; the whole file is never held as bytes or
//! text. An `analyze` runs [`Session::analyze`] and posts the report, with the exact sweep's
//! arrays transferred (not copied) when the page does not hold them yet. The page cancels by
//! terminating this worker.

use std::cell::RefCell;

use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::core::analysis::LoadedFile;
use crate::core::metrics::threshold::Sweep;
use crate::core::protocol::{self, FromWorker, Session, ToWorker, WorkPhase};
use crate::core::stream::FileLoader;

/// Bytes read per slice of the file (4 MiB): small enough for frequent progress, large enough
/// that per-chunk overhead is negligible.
pub const CHUNK_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::new());
}

/// Start listening for the page's messages, then say so (`ready`).
pub fn run() {
    console_error_panic_hook::set_once();
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| handle(&ev));
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    post(&FromWorker::Ready, None);
}

fn scope() -> Option<DedicatedWorkerGlobalScope> {
    js_sys::global().dyn_into().ok()
}

/// Post a message, with the sweep's arrays transferred when given.
fn post(message: &FromWorker, sweep: Option<&Sweep>) {
    let Some(scope) = scope() else { return };
    let text = match protocol::encode(message) {
        Ok(t) => t,
        Err(e) => match protocol::encode(&FromWorker::Error {
            id: 0,
            which: None,
            message: e,
        }) {
            Ok(t) => t,
            Err(_) => return,
        },
    };
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"msg".into(), &JsValue::from_str(&text));
    let transfer = Array::new();
    if let Some(sweep) = sweep {
        let (tp, fp) = sweep.counts();
        let as_f64 = |v: &[u64]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        let arrays = [
            ("thresholds", Float64Array::from(sweep.thresholds())),
            ("tp", Float64Array::from(as_f64(tp).as_slice())),
            ("fp", Float64Array::from(as_f64(fp).as_slice())),
        ];
        let parts = Object::new();
        for (key, array) in arrays {
            transfer.push(&array.buffer());
            let _ = Reflect::set(&parts, &key.into(), &array);
        }
        let _ = Reflect::set(
            &parts,
            &"positives".into(),
            &(sweep.positives() as f64).into(),
        );
        let _ = Reflect::set(
            &parts,
            &"negatives".into(),
            &(sweep.negatives() as f64).into(),
        );
        let _ = Reflect::set(&envelope, &"sweep".into(), &parts);
    }
    let _ = scope.post_message_with_transfer(&envelope, &transfer);
}

fn handle(ev: &MessageEvent) {
    let data = ev.data();
    let text = Reflect::get(&data, &"msg".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let message: ToWorker = match protocol::decode(&text) {
        Ok(m) => m,
        Err(message) => {
            post(
                &FromWorker::Error {
                    id: 0,
                    which: None,
                    message,
                },
                None,
            );
            return;
        }
    };
    match message {
        ToWorker::Load { id, which, name } => {
            let blob = Reflect::get(&data, &"blob".into())
                .ok()
                .and_then(|b| b.dyn_into::<Blob>().ok());
            let result = match blob {
                Some(blob) => read(id, &blob, &name),
                None => Err(format!("{name}: no file was given to read")),
            };
            let answer = match result {
                Ok(file) => SESSION.with(|s| s.borrow_mut().loaded(id, which, file)),
                Err(message) => FromWorker::Error {
                    id,
                    which: Some(which),
                    message,
                },
            };
            post(&answer, None);
        }
        ToWorker::Analyze {
            id,
            mapping,
            settings,
            window,
            now,
            have_sweep,
        } => {
            progress(id, WorkPhase::Analysing, 0, 0, 0);
            SESSION.with(|s| {
                let mut session = s.borrow_mut();
                let (answer, sweep) =
                    session.analyze(id, &mapping, &settings, &window, now, have_sweep.as_deref());
                post(&answer, sweep);
            });
        }
    }
}

fn progress(id: u64, phase: WorkPhase, bytes_read: u64, bytes_total: u64, rows: u64) {
    post(
        &FromWorker::Progress {
            id,
            phase,
            bytes_read,
            bytes_total,
            rows,
        },
        None,
    );
}

/// Read `blob` slice by slice into a [`FileLoader`]; errors are words naming the file.
fn read(id: u64, blob: &Blob, name: &str) -> Result<LoadedFile, String> {
    let fail = |e: JsValue| format!("the browser could not read {name}: {}", super::js_error(&e));
    let reader = FileReaderSync::new().map_err(fail)?;
    let total = blob.size();
    let mut loader = FileLoader::new(name);
    loader.expect_bytes(total as u64);
    let mut offset = 0.0;
    progress(id, WorkPhase::Reading, 0, total as u64, 0);
    while offset < total {
        let end = (offset + CHUNK_BYTES).min(total);
        let slice = blob.slice_with_f64_and_f64(offset, end).map_err(fail)?;
        let buffer = reader.read_as_array_buffer(&slice).map_err(fail)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        loader.push(&bytes).map_err(|e| format!("{name}: {e}"))?;
        offset = end;
        progress(
            id,
            WorkPhase::Reading,
            offset as u64,
            total as u64,
            loader.rows(),
        );
    }
    progress(
        id,
        WorkPhase::Finishing,
        total as u64,
        total as u64,
        loader.rows(),
    );
    loader.finish().map_err(|e| format!("{name}: {e}"))
}
