//! The page's side of the worker protocol ([`crate::core::protocol`]): starts the worker,
//! queues messages until it says `ready`, decodes its answers (and the transferred sweep),
//! and restarts it on cancel (terminate, then a fresh worker). If the worker dies (its `error`
//! event: a wasm trap such as running out of memory), the page's crash handler is told in
//! words, so the status never stays on "Parsing…".
//!
//! A long answer (a report) is decoded in the task its message arrives in and handed to the
//! page in the next one ([`LARGE_ANSWER_BYTES`]), so decoding and showing it are two tasks,
//! not one long one; answers after it wait their turn, so the page sees them in order.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{BigUint64Array, Float64Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};

use crate::core::error::ErrorKind;
use crate::core::metrics::threshold::Sweep;
use crate::core::protocol::{self, FromWorker, ToWorker};

/// The worker's loader script, written by Trunk next to `index.html` (relative, so the site
/// works from any sub-path).
pub const WORKER_URL: &str = "./plumb-worker_loader.js";

/// What the page does with each answer: the message, and the sweep's arrays when they came
/// with it (decoded only when a view needs the exact sweep: [`SweepParts::decode`]).
pub type Handler = Rc<dyn Fn(FromWorker, Option<SweepParts>)>;

/// An exact sweep as it arrived from the worker: its JavaScript arrays (transferred, so not
/// copied yet) and class totals. Copying them into WebAssembly memory and checking them costs
/// tens of milliseconds at a million rows: the page does it when the threshold views first
/// need the sweep, not before showing the first answer.
pub struct SweepParts {
    thresholds: Float64Array,
    tp: BigUint64Array,
    fp: BigUint64Array,
    positives: u64,
    negatives: u64,
}

impl SweepParts {
    /// The sweep, copied into WebAssembly memory (one copy of each array; the counts arrive
    /// as 64-bit integers, so nothing is converted); `None` if it is not a valid sweep.
    pub fn decode(&self) -> Option<Sweep> {
        Sweep::from_parts(
            self.thresholds.to_vec(),
            self.tp.to_vec(),
            self.fp.to_vec(),
            self.positives,
            self.negatives,
        )
    }
}

/// What the page does when the worker dies (its `error` event: a wasm trap such as running
/// out of memory, or an uncaught exception): called with the browser's words for it. The dead
/// worker is not restarted here; the handler calls [`restart`] (not from inside this call).
pub type CrashHandler = Rc<dyn Fn(String)>;

#[derive(Default)]
struct Client {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<JsValue>,
    handler: Option<Handler>,
    crashed: Option<CrashHandler>,
    on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    on_error: Option<Closure<dyn FnMut(ErrorEvent)>>,
}

thread_local! {
    static CLIENT: RefCell<Client> = RefCell::new(Client::default());
    /// Decoded answers waiting for their own task (see [`LARGE_ANSWER_BYTES`]), oldest first.
    static HELD: RefCell<VecDeque<(FromWorker, Option<SweepParts>)>> =
        const { RefCell::new(VecDeque::new()) };
}

/// Answers at least this long (in JSON text) are handed to the page in the task after the one
/// that decoded them. At a million rows the first answer is ≈ 140 kB of JSON (the complete
/// report ≈ 390 kB) and decodes in 15–30 ms; showing it costs as much again, and together they
/// made one task over 50 ms. Progress and load answers are far shorter and are handed over at
/// once (unless one is held before them).
pub const LARGE_ANSWER_BYTES: usize = 16 * 1024;

/// Start the worker; `handler` receives every answer, `crashed` hears if the worker dies.
pub fn start(handler: Handler, crashed: CrashHandler) {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.handler = Some(handler);
        c.crashed = Some(crashed);
    });
    spawn();
}

/// Terminate the worker (whatever it is doing) and start a fresh one with no files.
pub fn restart() {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if let Some(w) = c.worker.take() {
            w.terminate();
        }
        c.ready = false;
        c.queue.clear();
    });
    HELD.with(|h| h.borrow_mut().clear());
    spawn();
}

/// Hand `message` to the page: at once, or in a later task when it is `large` or answers
/// before it still wait (so they keep their order).
fn hand_over(message: FromWorker, sweep: Option<SweepParts>, large: bool) {
    let waiting = HELD.with(|h| !h.borrow().is_empty());
    if !large && !waiting {
        deliver(message, sweep);
        return;
    }
    HELD.with(|h| h.borrow_mut().push_back((message, sweep)));
    if !waiting {
        super::next_task(deliver_held);
    }
}

/// Hand the oldest held answer to the page; the next one gets a task of its own.
fn deliver_held() {
    let Some((message, sweep)) = HELD.with(|h| h.borrow_mut().pop_front()) else {
        return;
    };
    deliver(message, sweep);
    if HELD.with(|h| !h.borrow().is_empty()) {
        super::next_task(deliver_held);
    }
}

fn deliver(message: FromWorker, sweep: Option<SweepParts>) {
    let handler = CLIENT.with(|c| c.borrow().handler.clone());
    if let Some(h) = handler {
        h(message, sweep);
    }
}

/// The worker's URL: [`WORKER_URL`], with `parallel=0` or `parallel=1` when the page was
/// opened with it (the worker then parses every file in one piece, or splits plain CSVs even
/// on a machine with few cores: see [`super::parallel::enabled`]) and `hash=helper` (every
/// file fingerprinted by the parse helper, as a file too large for the browser's digest is:
/// for the end-to-end tests) or `hash=late` (every fingerprint held back a moment, so the
/// tests see answers go out before it), and `defer=0` (every log parsed in one step, not
/// its first answer's columns first: a same-build comparison).
fn worker_url() -> String {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let flags: Vec<&str> = [
        "parallel=0",
        "parallel=1",
        "hash=helper",
        "hash=late",
        "hash=nogo",
        "defer=0",
    ]
    .into_iter()
    .filter(|flag| search.contains(flag))
    .collect();
    if flags.is_empty() {
        WORKER_URL.to_string()
    } else {
        format!("{WORKER_URL}?{}", flags.join("&"))
    }
}

fn spawn() {
    let worker = match Worker::new(&worker_url()) {
        Ok(w) => w,
        Err(e) => {
            deliver(
                FromWorker::Error {
                    id: 0,
                    which: None,
                    message: format!(
                        "The background worker could not start: {}",
                        super::js_error(&e)
                    ),
                    error_kind: ErrorKind::Other,
                },
                None,
            );
            return;
        }
    };
    let this = worker.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        // Answers from a worker that was replaced are dropped.
        let current = CLIENT.with(|c| c.borrow().worker.as_ref() == Some(&this));
        if !current {
            return;
        }
        let data = ev.data();
        let text = Reflect::get(&data, &"msg".into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        match protocol::decode_from_worker(&text) {
            Ok(FromWorker::Ready) => flush(),
            Ok(message) => hand_over(message, sweep_of(&data), text.len() >= LARGE_ANSWER_BYTES),
            Err(message) => hand_over(
                FromWorker::Error {
                    id: 0,
                    which: None,
                    message,
                    error_kind: ErrorKind::Other,
                },
                None,
                false,
            ),
        }
    });
    let that = worker.clone();
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |ev: ErrorEvent| {
        ev.prevent_default();
        let (current, crashed) = CLIENT.with(|c| {
            let c = c.borrow();
            (c.worker.as_ref() == Some(&that), c.crashed.clone())
        });
        if !current {
            return;
        }
        // A trapped instance cannot be trusted with another message: ready no more.
        CLIENT.with(|c| c.borrow_mut().ready = false);
        let what = ev.message();
        let what = if what.is_empty() {
            "no reason given".to_string()
        } else {
            what
        };
        if let Some(h) = crashed {
            h(what);
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.worker = Some(worker);
        c.ready = false;
        c.on_message = Some(on_message);
        c.on_error = Some(on_error);
    });
}

/// The worker is listening: send what was queued.
fn flush() {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        c.ready = true;
        let queue = std::mem::take(&mut c.queue);
        if let Some(w) = &c.worker {
            for m in queue {
                let _ = w.post_message(&m);
            }
        }
    });
}

/// Send a request (with the blob to read, for a load); queued until the worker is ready.
pub fn send(message: &ToWorker, blob: Option<&Blob>) -> Result<(), String> {
    let text = protocol::encode(message)?;
    let envelope = Object::new();
    let _ = Reflect::set(&envelope, &"msg".into(), &JsValue::from_str(&text));
    if let Some(b) = blob {
        let _ = Reflect::set(&envelope, &"blob".into(), b);
    }
    let envelope: JsValue = envelope.into();
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        match (&c.worker, c.ready) {
            (Some(w), true) => w.post_message(&envelope).map_err(|e| super::js_error(&e)),
            _ => {
                c.queue.push(envelope);
                Ok(())
            }
        }
    })
}

/// The exact sweep's arrays carried by an answer's envelope, if any.
fn sweep_of(data: &JsValue) -> Option<SweepParts> {
    let parts = Reflect::get(data, &"sweep".into()).ok()?;
    if parts.is_undefined() || parts.is_null() {
        return None;
    }
    let part = |key: &str| Reflect::get(&parts, &key.into()).ok();
    let counts = |key: &str| part(key)?.dyn_into::<BigUint64Array>().ok();
    let total = |key: &str| Some(part(key)?.as_f64()? as u64);
    Some(SweepParts {
        thresholds: part("thresholds")?.dyn_into::<Float64Array>().ok()?,
        tp: counts("tp")?,
        fp: counts("fp")?,
        positives: total("positives")?,
        negatives: total("negatives")?,
    })
}
