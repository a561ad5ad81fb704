//! The file's fingerprint (SHA-256, FIPS 180-4) computed by the browser in a worker of its
//! own, so that none of it runs on the analysis worker's thread.
//!
//! `crypto.subtle.digest` copies its input before hashing it off-thread, and that copy runs on
//! the calling thread: ≈ 0.22 s of the analysis worker's reading phase for the 95 MB log in
//! headless Chromium (measured with `bench/worker_profile.mjs`), on top of reading the file for
//! it. A tiny worker made from [`SOURCE`] (plain JavaScript, no wasm to load) is given the
//! file's `Blob` (posting a `Blob` shares it, nothing is copied), reads it whole and digests
//! it, all on its own thread, while the analysis worker parses. One such worker per load; it
//! ends when it answers. The digest worker reads it in slices and passes each on (transferred,
//! not copied) as it goes ([`Job::next_part`]), so that the analysis worker does not read the
//! file at all and starts parsing after the first slice; of a file parsed in halves, only the
//! first half's slices (the parse helper reads the second half itself). It hashes the file once
//! the first answer is out ([`go`]), not while the first pass runs.
//!
//! A file over the size the browser digests whole (the worker's `NATIVE_DIGEST_MAX_BYTES`:
//! the 952 MB 10M-row log) is hashed by SHA-256 compiled to wasm ([`sha256_streaming`]) in the
//! analysis worker's nested parse helper, which reads the file itself while the analysis
//! worker parses it (`parallel::request_hash`); the same function hashes it on the analysis
//! worker's thread when a digest worker or the helper fails. Such a file is read for the
//! analysis worker by a reader worker ([`READER_SOURCE`], [`start_reader`]), a few slices ahead
//! of the parse, so that reading it (≈ 300 MB/s with `FileReaderSync` here: ≈ 3 s of the
//! 952 MB log) is off the parsing thread too.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, FileReaderSync, MessageEvent, Url, Worker};

/// The digest worker's script. It is posted `{blob, chunk, stop, ahead, wait}`: it reads the
/// `Blob` `chunk` bytes at a time up to byte `stop` (the first slice at most 512 KiB, so the
/// parse starts sooner: a 4 MiB first slice kept the analysis worker waiting ≈ 25 ms at 1M
/// rows), copies each slice into one buffer and posts it on as `{at, part}` (transferred: the
/// analysis worker parses it), and reads the rest after `stop` in one slice, not posted (the
/// second half of a file parsed in halves, which the parse helper reads itself).
///
/// The slices are read with `Blob.arrayBuffer`, `ahead` of them asked for at a time, and posted
/// in order. Reading the 95 MB log so took 154–210 ms in this browser against 197–313 ms
/// with `FileReaderSync`, one 4 MiB slice after another (four alternating runs each): the
/// browser reads the next slices while this thread copies and posts one.
///
/// Once the file is read it waits to be told `{go}` ([`go`]: the analysis worker's first answer
/// is out), or `wait` milliseconds at most, before it digests the whole with
/// `crypto.subtle.digest`, so that the hash does not take the second core from the first pass.
/// It answers `{digest, start}` (the 32 bytes' `ArrayBuffer`, transferred; `start` says what
/// started the hash: `go`, or `wait` when none came in time) or, on any failure, `{failed}`
/// (the error's text).
pub const SOURCE: &str = "const FIRST = 524288; let go = false, wake = null; \
  onmessage = async (e) => { \
  if (e.data.go) { go = true; if (wake) wake(); return; } \
  try { \
    const { blob, chunk, stop, ahead, wait } = e.data; const size = blob.size; \
    const whole = new Uint8Array(size); const end = Math.min(stop, size); const cuts = []; \
    for (let at = 0; at < size;) { \
      const next = at < end ? Math.min(at + (at === 0 ? Math.min(chunk, FIRST) : chunk), end) : size; \
      cuts.push([at, next]); at = next; } \
    const reads = []; let asked = 0; \
    const ask = () => { if (asked < cuts.length) { const [from, to] = cuts[asked]; asked += 1; \
      reads.push(blob.slice(from, to).arrayBuffer()); } }; \
    for (let k = 0; k < ahead; k += 1) ask(); \
    for (const [at] of cuts) { const part = new Uint8Array(await reads.shift()); ask(); \
      whole.set(part, at); if (at < end) postMessage({ at, part }, [part.buffer]); } \
    if (!go) await new Promise((r) => { wake = r; setTimeout(r, wait); }); \
    const start = go ? 'go' : 'wait'; \
    const d = await crypto.subtle.digest('SHA-256', whole); postMessage({ digest: d, start }, [d]); \
  } catch (x) { postMessage({ failed: String(x) }); } };";

/// The reader worker's script, for a file too large for the browser's digest (whose
/// fingerprint the parse helper computes): it only reads. It is posted `{blob, chunk, ahead}`:
/// it reads the `Blob` `chunk` bytes at a time (the first slice at most 512 KiB) and posts each
/// on as `{at, part}` (transferred), `ahead` slices at first and then one more for each
/// `{more}` the analysis worker posts as it takes a slice ([`Job::next_part`]), so at most
/// `ahead` slices wait in the analysis worker's memory however much faster reading is than
/// parsing; then `{done}`; on any failure `{failed}` (the error's text).
pub const READER_SOURCE: &str = "const FIRST = 524288; let blob, chunk, size, at = 0; \
  const reader = new FileReaderSync(); \
  const one = () => { if (at >= size) return false; \
    const next = Math.min(at + (at === 0 ? Math.min(chunk, FIRST) : chunk), size); \
    const part = new Uint8Array(reader.readAsArrayBuffer(blob.slice(at, next))); \
    postMessage({ at, part }, [part.buffer]); at = next; \
    if (at >= size) postMessage({ done: true }); return true; }; \
  onmessage = (e) => { try { \
    if (e.data.blob) { ({ blob, chunk } = e.data); size = blob.size; \
      if (size === 0) postMessage({ done: true }); \
      for (let i = 0; i < e.data.ahead && one(); i += 1); \
    } else { one(); } \
  } catch (x) { postMessage({ failed: String(x) }); } };";

/// Slices a reader worker ([`READER_SOURCE`]) reads ahead of the parse, and slices a digest
/// worker ([`SOURCE`]) asks the browser for at a time: 4 of 4 MiB.
const READ_AHEAD: u32 = 4;

/// How long a digest worker that read the whole file waits to be told to hash it ([`go`])
/// before it hashes anyway (2 s). The page asks for an analysis after every load, so this is
/// a safety net: should none come, the fingerprint is not held back for ever (`?hash=nogo`
/// on the page never tells, for the end-to-end test of it).
const HASH_WAIT_MS: f64 = 2000.0;

/// Bytes [`sha256_streaming`] reads and hashes at a time (4 MiB).
pub const CHUNK_BYTES: f64 = 4.0 * 1024.0 * 1024.0;

/// A digest being computed by a digest worker, and the file's slices it passes on.
pub struct Job {
    /// The digest's `ArrayBuffer`, or rejected with the reason if the worker failed; of a
    /// reader worker ([`start_reader`]), `null` once every slice was posted.
    pub digest: Promise,
    parts: Rc<RefCell<Parts>>,
    /// A reader worker, asked for one more slice for each slice taken.
    reader: Option<Worker>,
}

/// The slices a digest worker posted and the analysis worker has not taken yet.
#[derive(Default)]
struct Parts {
    queue: VecDeque<(f64, Uint8Array)>,
    /// The worker failed or ended: no more slices will come.
    ended: bool,
    /// The resolver of the promise [`Job::next_part`] awaits, while the queue is empty.
    wake: Option<Function>,
}

impl Parts {
    fn wake(&mut self) {
        if let Some(wake) = self.wake.take() {
            let _ = wake.call0(&JsValue::NULL);
        }
    }
}

impl Drop for Job {
    /// The slices not taken are let go (a load dropped for a newer one), and any the worker
    /// still posts are not kept; a reader worker is stopped.
    fn drop(&mut self) {
        let mut parts = self.parts.borrow_mut();
        parts.ended = true;
        parts.queue.clear();
        parts.wake = None;
        // A reader has nothing left to do for anyone: stop it reading.
        if let Some(reader) = &self.reader {
            end(reader);
        }
    }
}

impl Job {
    /// The next slice of the file as `(offset, bytes)`, in order, as the digest worker posts
    /// it; `None` once it posts no more (all were given, or it failed: the caller reads the
    /// rest itself).
    pub async fn next_part(&self) -> Option<(f64, Uint8Array)> {
        loop {
            {
                let mut parts = self.parts.borrow_mut();
                if let Some(part) = parts.queue.pop_front() {
                    if let Some(reader) = &self.reader
                        && !parts.ended
                    {
                        let more = Object::new();
                        let _ = Reflect::set(&more, &"more".into(), &JsValue::TRUE);
                        let _ = reader.post_message(&more);
                    }
                    return Some(part);
                }
                if parts.ended {
                    return None;
                }
            }
            let parts = Rc::clone(&self.parts);
            let waiting = Promise::new(&mut |resolve, _| parts.borrow_mut().wake = Some(resolve));
            let _ = wasm_bindgen_futures::JsFuture::from(waiting).await;
        }
    }
}

thread_local! {
    /// The object URLs of [`SOURCE`] and [`READER_SOURCE`] as scripts, each made once and kept
    /// for the worker's life.
    static SCRIPT_URL: RefCell<Option<String>> = const { RefCell::new(None) };
    static READER_URL: RefCell<Option<String>> = const { RefCell::new(None) };
    /// A digest worker started ahead of need ([`prepare`]), waiting for its one request.
    static SPARE: RefCell<Option<Worker>> = const { RefCell::new(None) };
    /// The digest workers started since the last [`go`], which wait for it to hash.
    static HASHING: RefCell<Vec<Worker>> = const { RefCell::new(Vec::new()) };
}

/// A new digest worker running [`SOURCE`], or `None` if the browser would not start one.
fn spawn() -> Option<Worker> {
    spawn_script(&SCRIPT_URL, SOURCE)
}

/// A new worker running `source`, whose object URL `url` keeps (made on first use).
fn spawn_script(
    url: &'static std::thread::LocalKey<RefCell<Option<String>>>,
    source: &str,
) -> Option<Worker> {
    let url = url.with(|u| {
        let mut u = u.borrow_mut();
        if u.is_none() {
            let parts = Array::of1(&JsValue::from_str(source));
            let options = BlobPropertyBag::new();
            options.set_type("text/javascript");
            let script = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
            *u = Url::create_object_url_with_blob(&script).ok();
        }
        u.clone()
    })?;
    Worker::new(&url).ok()
}

/// Start a digest worker now, while the analysis worker is idle, for the next load to use
/// ([`start`]), unless one is waiting already. Starting a worker (its thread, its script)
/// took ≈ 35–50 ms between a load's request and its first slice when it was started by the
/// load itself (`bench/worker_profile.mjs` at 1M rows).
pub fn prepare() {
    if SPARE.with(|s| s.borrow().is_none())
        && let Some(worker) = spawn()
    {
        SPARE.with(|s| *s.borrow_mut() = Some(worker));
    }
}

/// Start the SHA-256 of `blob` in a digest worker ([`SOURCE`]: the one [`prepare`] started,
/// else a new one), which posts the file on in slices of `chunk` bytes up to byte `stop`
/// ([`Job::next_part`]) and hashes it once told to ([`go`]); `None` if no worker could be
/// started (the caller
/// then reads and digests another way). Records on the worker's global `__plumbDigestWorker`
/// whether the worker was the spare (`spare`) or new (`new`), for the end-to-end tests.
pub fn start(blob: &Blob, chunk: f64, stop: f64) -> Option<Job> {
    let (worker, how) = match SPARE.with(|s| s.borrow_mut().take()) {
        Some(worker) => (worker, "spare"),
        None => (spawn()?, "new"),
    };
    super::mark("__plumbDigestWorker", &JsValue::from_str(how));
    let ahead = f64::from(READ_AHEAD);
    let pairs = [
        ("chunk", chunk),
        ("stop", stop),
        ("ahead", ahead),
        ("wait", HASH_WAIT_MS),
    ];
    let job = ask(worker.clone(), blob, &pairs, false)?;
    HASHING.with(|h| h.borrow_mut().push(worker));
    Some(job)
}

/// Tell the digest workers started since the last call ([`start`]) to hash their files as
/// soon as they are read: the worker calls it once an analysis's first answer is posted (a
/// complete report, which waits for the fingerprint, comes after). Until then (or
/// [`HASH_WAIT_MS`]) they wait, so that the first pass has the second core. Its answer records
/// on the worker's global `__plumbHashStart` what started the hash (`go` or `wait`), for the
/// end-to-end tests.
pub fn go() {
    if super::worker::page_flag("hash=nogo") {
        return;
    }
    let go = Object::new();
    let _ = Reflect::set(&go, &"go".into(), &JsValue::TRUE);
    for worker in HASHING.with(|h| std::mem::take(&mut *h.borrow_mut())) {
        // One that answered or failed was ended: the message goes nowhere.
        let _ = worker.post_message(&go);
    }
}

/// Post `worker` its request (the `blob` and two numbers) and make its [`Job`]; `None` (the
/// worker ended) if the request could not be posted.
fn ask(worker: Worker, blob: &Blob, numbers: &[(&str, f64)], reader: bool) -> Option<Job> {
    let request = Object::new();
    let _ = Reflect::set(&request, &"blob".into(), blob);
    for &(key, value) in numbers {
        let _ = Reflect::set(&request, &key.into(), &value.into());
    }
    if worker.post_message(&request).is_err() {
        worker.terminate();
        return None;
    }
    Some(answer_of(worker, reader))
}

/// Have a reader worker ([`READER_SOURCE`]) read `blob` and post it on in slices of `chunk`
/// bytes, [`READ_AHEAD`] ahead of the parse, so that the analysis worker spends no time
/// reading a file the browser does not digest (the parse helper hashes it); `None` if no
/// worker could be started (the caller reads the file itself).
pub fn start_reader(blob: &Blob, chunk: f64) -> Option<Job> {
    let worker = spawn_script(&READER_URL, READER_SOURCE)?;
    ask(
        worker,
        blob,
        &[("chunk", chunk), ("ahead", f64::from(READ_AHEAD))],
        true,
    )
}

/// The job of digest `worker` (see [`start`]; a reader worker if `reader`, see
/// [`start_reader`]), which is ended when it answers the digest (a reader: `done`) or fails.
fn answer_of(worker: Worker, reader: bool) -> Job {
    let parts = Rc::new(RefCell::new(Parts::default()));
    let digest = Promise::new(&mut |resolve, reject| {
        let (w, ok, no) = (worker.clone(), resolve.clone(), reject.clone());
        let slices = Rc::clone(&parts);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let part = Reflect::get(&data, &"part".into())
                .ok()
                .and_then(|p| p.dyn_into::<Uint8Array>().ok());
            let at = Reflect::get(&data, &"at".into())
                .ok()
                .and_then(|a| a.as_f64());
            if let (Some(part), Some(at)) = (part, at) {
                let mut slices = slices.borrow_mut();
                if !slices.ended {
                    slices.queue.push_back((at, part));
                    slices.wake();
                }
                return;
            }
            end(&w);
            {
                let mut slices = slices.borrow_mut();
                slices.ended = true;
                slices.wake();
            }
            let done = Reflect::get(&data, &"done".into()).is_ok_and(|d| d.is_truthy());
            match Reflect::get(&data, &"digest".into()) {
                Ok(digest) if digest.is_object() => {
                    if let Ok(start) = Reflect::get(&data, &"start".into()) {
                        super::mark("__plumbHashStart", &start);
                    }
                    let _ = ok.call1(&JsValue::NULL, &digest);
                }
                _ if done => {
                    let _ = ok.call1(&JsValue::NULL, &JsValue::NULL);
                }
                _ => {
                    let why = Reflect::get(&data, &"failed".into()).unwrap_or(JsValue::NULL);
                    let _ = no.call1(&JsValue::NULL, &why);
                }
            }
        });
        let w = worker.clone();
        let slices = Rc::clone(&parts);
        let on_error = Closure::once_into_js(move |ev: web_sys::Event| {
            // Handled here: not reported on to the page as the analysis worker's crash.
            ev.prevent_default();
            end(&w);
            {
                let mut slices = slices.borrow_mut();
                slices.ended = true;
                slices.wake();
            }
            let _ = reject.call1(&JsValue::NULL, &ev);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.unchecked_ref()));
        // Freed when the worker is ended (after its last message).
        on_message.forget();
    });
    Job {
        digest,
        parts,
        reader: reader.then_some(worker),
    }
}

/// Stop a digest worker that answered (or failed).
fn end(worker: &Worker) {
    worker.set_onmessage(None);
    worker.set_onerror(None);
    worker.terminate();
}

/// SHA-256 (FIPS 180-4, the `sha2` crate) of `blob`, read [`CHUNK_BYTES`] at a time through one
/// wasm buffer.
pub fn sha256_streaming(blob: &Blob) -> Result<Vec<u8>, String> {
    let reader = FileReaderSync::new().map_err(|e| super::js_error(&e))?;
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    let (total, mut offset) = (blob.size(), 0.0);
    let mut bytes: Vec<u8> = Vec::new();
    while offset < total {
        let end = (offset + CHUNK_BYTES).min(total);
        let slice = blob
            .slice_with_f64_and_f64(offset, end)
            .map_err(|e| super::js_error(&e))?;
        let buffer = reader
            .read_as_array_buffer(&slice)
            .map_err(|e| super::js_error(&e))?;
        let array = Uint8Array::new(&buffer);
        bytes.resize(array.length() as usize, 0);
        array.copy_to(&mut bytes);
        sha2::Digest::update(&mut hasher, &bytes);
        offset = end;
    }
    Ok(sha2::Digest::finalize(hasher).to_vec())
}
