//! The parse helper: a second Web Worker that parses the second half of a plain delimited
//! file while the analysis worker parses the first (issue #9: the machine's second core was
//! idle during the reading phase). See [`crate::core::ingest::split`] for the cut and the
//! exact merge.
//!
//! The analysis worker starts the helper once — after its warm-up, where loads may be split,
//! or else at its first load of a file that would be parsed in halves (so a session of small
//! files on a machine that does not split starts none) — from its own script URL (a nested
//! dedicated worker, named [`HELPER_NAME`] so that it answers only "parse range" requests and
//! starts no helper of its own), and keeps it. A request carries the file's `Blob` (shared,
//! not copied), the byte range, the delimiter and the header names; the helper reads the
//! range itself in slices (`Blob.slice` + `FileReaderSync`, as the digest worker reads the
//! first half for the analysis worker), parses it as a continuation and answers with the
//! half's binary form, one transferred buffer per column (no copy on the way back; each copied
//! into the analysis worker's memory in turn). Any failure — a spawn or message error, a trap,
//! a read or parse error — resolves the request as "no half"; a helper still loading when the
//! first half is done is not waited for. Either way the analysis worker reads and parses the
//! second half itself (the single path's result and errors, by construction). The page
//! cancels by terminating the analysis worker, which ends its nested helper too.
//!
//! The helper also fingerprints files too large for the browser's own digest (over the
//! worker's `NATIVE_DIGEST_MAX_BYTES`: the 10M-row log), on any machine ([`request_hash`]):
//! it reads the file itself and hashes it with SHA-256 compiled to wasm while the analysis
//! worker parses it, instead of the analysis worker hashing every slice it parses.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, DedicatedWorkerGlobalScope, ErrorEvent, FileReaderSync, MessageEvent, Worker};

use crate::core::ingest::split;

/// The `name` the helper worker is started with, by which it knows it is the helper.
pub const HELPER_NAME: &str = "plumb-parse-helper";

/// Fewest logical cores (`navigator.hardwareConcurrency`) on which loads are split by default.
///
/// Measured on the 2-core benchmark machine (1M-row log, alternating runs of one build, each
/// worker reading its own half from the `Blob`; the machine shared, load average 4.6–5.8):
/// reading took 1.36, 1.84 and 1.99 s in halves against 1.16, 1.73 and 1.33 s in one piece,
/// the helper's half arriving 0.24–0.43 s after the first half was done and the merge taking
/// 0.15–0.22 s; the two workers held 206 MiB against 153. Two parsers only help with a core
/// free for each (an earlier design, the whole file read here and the second half copied to
/// the helper, measured 1.32–1.65 s against 1.15–1.40 s on a quiet machine).
pub const MIN_CORES: f64 = 4.0;

/// Whether this worker may split loads. Its script URL (to which the page passes its own
/// `?parallel=0` or `?parallel=1`) decides when it says; otherwise the machine must have at
/// least [`MIN_CORES`] logical cores. Benchmarks and tests measure both paths with one build.
pub fn enabled() -> bool {
    if super::worker::page_flag("parallel=0") {
        return false;
    }
    if super::worker::page_flag("parallel=1") {
        return true;
    }
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|c| c.as_f64())
        .is_some_and(|cores| cores >= MIN_CORES)
}

/// The helper as the analysis worker sees it.
struct Helper {
    worker: Worker,
    /// The helper's wasm is loaded and it listens.
    ready: bool,
    /// The request waiting for its answer: its job number and the resolver of its promise.
    pending: Option<(u64, Function)>,
    /// A request made before the helper was ready, posted when it is (a message posted
    /// earlier would reach a worker whose wasm has not set its handler yet, and be lost).
    queued: Option<Object>,
    next_job: u64,
}

thread_local! {
    static HELPER: RefCell<Option<Helper>> = const { RefCell::new(None) };
}

/// Whether this worker is the parse helper (its `name`).
pub fn is_helper() -> bool {
    Reflect::get(&js_sys::global(), &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == HELPER_NAME)
}

/// Start the helper from this worker's own script (`self.location.href`), unless there is
/// one already or loads are not split here ([`enabled`]). Failures leave no helper: that load
/// takes the single path (the next one tries again).
pub fn spawn_helper() {
    if enabled() {
        spawn();
    }
}

/// Start the helper, whether or not loads are split (a file over the browser's digest size is
/// hashed by it on any machine: [`request_hash`]), unless there is one already.
fn spawn() {
    if HELPER.with(|h| h.borrow().is_some()) {
        return;
    }
    let href = Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|l| Reflect::get(&l, &"href".into()))
        .ok()
        .and_then(|h| h.as_string());
    let Some(href) = href else { return };
    let options = Object::new();
    let _ = Reflect::set(&options, &"name".into(), &HELPER_NAME.into());
    let Ok(constructor) = Reflect::get(&js_sys::global(), &"Worker".into()) else {
        return;
    };
    let Ok(constructor) = constructor.dyn_into::<Function>() else {
        return;
    };
    let args = Array::of2(&href.into(), &options);
    let Ok(worker) = Reflect::construct(&constructor, &args).and_then(|w| w.dyn_into::<Worker>())
    else {
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| {
        let data = ev.data();
        if Reflect::get(&data, &"helperReady".into()).is_ok_and(|v| v.is_truthy()) {
            let failed = HELPER.with(|h| {
                let mut h = h.borrow_mut();
                let Some(h) = h.as_mut() else { return false };
                h.ready = true;
                h.queued
                    .take()
                    .is_some_and(|m| h.worker.post_message(&m).is_err())
            });
            if failed {
                fail_helper();
            }
            return;
        }
        let job = Reflect::get(&data, &"job".into())
            .ok()
            .and_then(|j| j.as_f64());
        let resolve = HELPER.with(|h| {
            let mut h = h.borrow_mut();
            let h = h.as_mut()?;
            match &h.pending {
                Some((j, _)) if Some(*j as f64) == job => h.pending.take().map(|p| p.1),
                _ => None,
            }
        });
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &data);
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(|ev: ErrorEvent| {
        // Handled here: not reported on to the page as this worker's crash.
        ev.prevent_default();
        fail_helper();
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_message.forget();
    on_error.forget();
    HELPER.with(|h| {
        *h.borrow_mut() = Some(Helper {
            worker,
            ready: false,
            pending: None,
            queued: None,
            next_job: 1,
        })
    });
}

/// The helper failed — or its work is no longer wanted (a load dropped for a newer one while
/// the helper hashed its file: a stale hash would keep a core busy) — : stop it and answer its
/// pending request with "no half" / no digest. The next request starts a new helper.
pub fn fail_helper() {
    let helper = HELPER.with(|h| h.borrow_mut().take());
    if let Some(mut helper) = helper {
        helper.worker.terminate();
        if let Some((_, resolve)) = helper.pending.take() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
        }
    }
}

/// Whether there is a helper (ready, or still loading its wasm) with no request in hand.
pub fn helper_idle() -> bool {
    HELPER.with(|h| h.borrow().as_ref().is_some_and(|h| h.pending.is_none()))
}

/// Whether a request was made that the helper has not received yet (it is still loading).
pub fn request_unsent() -> bool {
    HELPER.with(|h| h.borrow().as_ref().is_some_and(|h| h.queued.is_some()))
}

/// Take back the pending request if the helper never received it (it was not ready yet):
/// `true` if so — its promise will not resolve, and the caller parses the half itself. A
/// request the helper received is left to be answered.
pub fn withdraw_unsent() -> bool {
    HELPER.with(|h| {
        let mut h = h.borrow_mut();
        let Some(h) = h.as_mut() else { return false };
        if h.queued.take().is_some() {
            h.pending = None;
            true
        } else {
            false
        }
    })
}

/// Ask the helper to parse bytes `[start, end)` of the file `blob` as a continuation: it
/// reads them itself, in [`CHUNK`] slices (posting a `Blob` shares it; nothing is copied here,
/// and this worker never holds the second half). The promise resolves with the answer's data
/// (`half`: the binary form, or `failed`), or with `null` if the helper failed; `None` if there
/// is no idle helper or the request could not be posted. A helper still loading gets the
/// request when it is ready (see [`withdraw_unsent`]).
pub fn request_half(
    blob: &Blob,
    start: f64,
    end: f64,
    delimiter: u8,
    headers: &[String],
) -> Option<Promise> {
    let names = Array::new();
    for n in headers {
        names.push(&JsValue::from_str(n));
    }
    request(&[
        ("parseRange", JsValue::TRUE),
        ("start", start.into()),
        ("end", end.into()),
        ("delimiter", f64::from(delimiter).into()),
        ("headers", names.into()),
        ("blob", blob.into()),
    ])
}

/// Ask the helper — started now if there is none, on any machine — for the SHA-256 of the
/// whole file `blob` (issue #9: SHA-256 compiled to wasm runs at about the parser's speed, so
/// hashing a file too large for `crypto.subtle.digest` on the parsing thread nearly doubled
/// its reading phase). The helper reads the file itself in [`crate::web::digest::CHUNK_BYTES`]
/// slices ([`crate::web::digest::sha256_streaming`]); this worker asks once it has parsed the
/// file (`worker::read_streamed`), so the hash runs beside the analysis, not the parse. The promise
/// resolves with the answer's data (`digest`: the 32 bytes' `ArrayBuffer`, or `failed`), or
/// with `null` if the helper failed (the caller then hashes here); `None` if the helper is
/// busy (a half or an earlier hash still in hand) or the request could not be posted. A helper
/// still loading gets the request when it is ready.
pub fn request_hash(blob: &Blob) -> Option<Promise> {
    spawn();
    request(&[("hashBlob", JsValue::TRUE), ("blob", blob.into())])
}

/// Post `fields` (and a new job number) to an idle helper as one request, or queue them until
/// it is ready; the promise of its answer (see [`request_half`]).
fn request(fields: &[(&str, JsValue)]) -> Option<Promise> {
    HELPER.with(|h| {
        let mut guard = h.borrow_mut();
        let helper = guard.as_mut()?;
        if helper.pending.is_some() {
            return None;
        }
        let job = helper.next_job;
        helper.next_job += 1;
        let mut resolver = None;
        let promise = Promise::new(&mut |resolve, _reject| resolver = Some(resolve));
        let message = Object::new();
        let _ = Reflect::set(&message, &"job".into(), &(job as f64).into());
        for (k, v) in fields {
            let _ = Reflect::set(&message, &(*k).into(), v);
        }
        let resolver = resolver?;
        if helper.ready {
            helper.worker.post_message(&message).ok()?;
        } else {
            helper.queued = Some(message);
        }
        helper.pending = Some((job, resolver));
        Some(promise)
    })
}

/// The helper's side: answer one "parse range" request (see [`request_half`]) with the half's
/// binary form ([`split::encode_half`]): `table`, and `columns`, one buffer per column, all
/// transferred; or one "hash" request ([`request_hash`]) with `digest`, the file's SHA-256
/// (transferred).
pub fn answer(data: &JsValue) {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let job = Reflect::get(data, &"job".into()).unwrap_or(JsValue::NULL);
    let reply = Object::new();
    let _ = Reflect::set(&reply, &"job".into(), &job);
    let transfer = Array::new();
    if Reflect::get(data, &"hashBlob".into()).is_ok_and(|v| v.is_truthy()) {
        let hashed = Reflect::get(data, &"blob".into())
            .ok()
            .and_then(|b| b.dyn_into::<Blob>().ok())
            .ok_or_else(|| "no file".to_string())
            .and_then(|blob| super::digest::sha256_streaming(&blob));
        match hashed {
            Ok(digest) => {
                let digest = Uint8Array::from(digest.as_slice());
                transfer.push(&digest.buffer());
                let _ = Reflect::set(&reply, &"digest".into(), &digest.buffer());
            }
            Err(message) => {
                let _ = Reflect::set(&reply, &"failed".into(), &message.into());
            }
        }
        let post = move || {
            let _ = scope.post_message_with_transfer(&reply, &transfer);
        };
        if super::worker::page_flag("hash=late") {
            gloo::timers::callback::Timeout::new(super::worker::LATE_HASH_MS, post).forget();
        } else {
            post();
        }
        return;
    }
    match parse_range(data) {
        Ok(half) => {
            let columns = Array::new();
            let table = split::encode_half(half, &mut |bytes| {
                let array = Uint8Array::from(bytes.as_slice());
                transfer.push(&array.buffer());
                columns.push(&array);
            });
            let table = Uint8Array::from(table.as_slice());
            transfer.push(&table.buffer());
            let _ = Reflect::set(&reply, &"table".into(), &table);
            let _ = Reflect::set(&reply, &"columns".into(), &columns);
        }
        Err(message) => {
            let _ = Reflect::set(&reply, &"failed".into(), &message.into());
        }
    }
    let _ = scope.post_message_with_transfer(&reply, &transfer);
}

/// Bytes the helper reads from the file and copies into wasm memory at a time (4 MiB).
const CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

/// Parse the requested range of the file's `Blob`, read [`CHUNK`] bytes at a time with
/// `FileReaderSync` and copied through one wasm buffer.
fn parse_range(data: &JsValue) -> Result<crate::core::ingest::Table, String> {
    let get = |k: &str| Reflect::get(data, &k.into()).map_err(|e| super::js_error(&e));
    let number = |k: &str| get(k)?.as_f64().ok_or_else(|| format!("no {k}"));
    let (start, end) = (number("start")?, number("end")?);
    let delimiter = u8::try_from(number("delimiter")? as u32).map_err(|e| e.to_string())?;
    let headers: Vec<String> = Array::from(&get("headers")?)
        .iter()
        .map(|v| v.as_string().ok_or("a header is not text"))
        .collect::<Result<_, _>>()?;
    let blob: Blob = get("blob")?.dyn_into().map_err(|_| "no file".to_string())?;
    if !(0.0 <= start && start <= end && end <= blob.size()) {
        return Err(format!(
            "the range {start}..{end} is not inside the file of {} bytes",
            blob.size()
        ));
    }
    let reader = FileReaderSync::new().map_err(|e| super::js_error(&e))?;
    let mut builder = split::second_half(delimiter, &headers, start as u64, (end - start) as u64);
    let mut bytes: Vec<u8> = Vec::new();
    let mut offset = start;
    while offset < end {
        let next = (offset + CHUNK).min(end);
        let slice = blob
            .slice_with_f64_and_f64(offset, next)
            .map_err(|e| super::js_error(&e))?;
        let array = Uint8Array::new(
            &reader
                .read_as_array_buffer(&slice)
                .map_err(|e| super::js_error(&e))?
                .into(),
        );
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        builder.push(&bytes).map_err(|e| e.to_string())?;
        offset = next;
    }
    builder.finish().map_err(|e| e.to_string())
}

/// The helper worker's entry: listen for requests, then say it is ready.
pub fn run_helper() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(|ev: MessageEvent| answer(&ev.data()));
    scope.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    let _ = Reflect::set(&scope, &"__plumbWasmMemory".into(), &wasm_bindgen::memory());
    let ready = Object::new();
    let _ = Reflect::set(&ready, &"helperReady".into(), &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}
