//! Pacing the page's work after a large answer, so that no main-thread task runs long (issue
//! #9: "no main-thread task longer than 50 ms while a 1M-row file loads").
//!
//! A report from the worker used to be shown in one task: decoding it, rebuilding the views,
//! laying them out and drawing every chart took 80–140 ms at a million rows. Now
//! [`crate::web::client`] hands a large answer over in the task after the one that decoded it,
//! and the charts asked to draw while a report is delivered ([`delivering`]), or for the first
//! time (a view just built, e.g. a tab the user opened), wait for a [`Permit`]: once the
//! browser has painted the views (the layout then happens in the frame, not forced by the
//! first chart that reads its width), the permits are given out one per task, in the order
//! asked.
//!
//! While charts wait, [`drawing`] is true: the status does not say `ready` and the app root's
//! `data-busy` stays `true` until every chart is on screen, so "ready" still means what the
//! user sees (and what the tests and the benchmark wait for).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use leptos::prelude::*;

use crate::web::{next_frame, next_task};

/// A waiting chart's turn: grants its permit.
type Turn = Box<dyn FnOnce()>;

thread_local! {
    /// Charts waiting to draw, oldest first (each grants its chart's permit); `None` holds
    /// a delivery's place until its charts have asked (see [`deliver_report`]).
    static QUEUE: RefCell<VecDeque<Option<Turn>>> = const { RefCell::new(VecDeque::new()) };
    /// How many charts wait, queued or drawing now (the signal behind [`drawing`]); made at
    /// the app's root, kept equal to the queue's length plus [`struct@IN_TURN`] by [`sync`].
    static WAITING: Cell<Option<RwSignal<usize>>> = const { Cell::new(None) };
    /// Whether a chart has its turn and has not finished drawing yet.
    static IN_TURN: Cell<bool> = const { Cell::new(false) };
    /// Whether a report is being delivered in this task (set until the task's end).
    static DELIVERING: Cell<bool> = const { Cell::new(false) };
    /// Whether a drain of the queue is already scheduled.
    static SCHEDULED: Cell<bool> = const { Cell::new(false) };
}

/// Make the signal behind [`drawing`]; call once, at the app's root (it lives as long).
pub fn install() {
    WAITING.with(|w| {
        if w.get().is_none() {
            w.set(Some(RwSignal::new(0)));
        }
    });
}

/// Whether charts of the report on screen still wait to be drawn (tracked).
pub fn drawing() -> bool {
    WAITING
        .with(Cell::get)
        .is_some_and(|w| w.try_get().unwrap_or(0) > 0)
}

/// Run `deliver` (showing a report) with chart drawing deferred: charts asked to draw by what
/// it changes, in this task's reactive updates, get their turn after the next paint.
pub fn deliver_report(deliver: impl FnOnce()) {
    // Drawing from now on: the status must not say `ready` before the charts have asked.
    enqueue(None);
    DELIVERING.with(|d| d.set(true));
    // Leptos runs effects in this task's microtasks; the flag is cleared in the next task.
    next_task(|| DELIVERING.with(|d| d.set(false)));
    deliver();
}

/// Whether a report is being delivered in this task (charts asked to draw now wait).
fn delivering() -> bool {
    DELIVERING.with(Cell::get)
}

/// A chart's right to draw: its drawing effect asks [`Permit::granted`] first, and draws only
/// when that says yes. For a chart's first drawing (a view just built: a report's first answer,
/// or a tab the user opened) and while a report is delivered the answer is no and the chart is
/// queued; its turn re-runs the effect through the permit's signal (so the effect reads the
/// report's signals then, and tracks them as before). Other redrawing (a resize, a setting,
/// a drag) is at once.
#[derive(Clone, Copy)]
pub struct Permit {
    /// Bumped when the queued chart's turn comes (read by the effect, so it re-runs).
    issued: RwSignal<u64>,
    /// The last `issued` the effect saw: a new value means this run is the chart's turn.
    seen: StoredValue<u64>,
    /// Whether the chart is in the queue now (it is queued once however often it asks).
    queued: StoredValue<bool>,
    /// Whether the chart has had its first turn.
    started: StoredValue<bool>,
}

impl Permit {
    /// A permit for one chart (make it in the chart's component, which owns it).
    pub fn new() -> Self {
        Self {
            issued: RwSignal::new(0),
            seen: StoredValue::new(0),
            queued: StoredValue::new(false),
            started: StoredValue::new(false),
        }
    }

    /// Whether the chart may draw now (call it in the drawing effect, before reading data):
    /// yes unless this is its first drawing or a report is being delivered; then the chart
    /// is queued and asked again on its turn.
    pub fn granted(&self) -> bool {
        let issued = self.issued.get();
        let turn = issued != self.seen.get_value();
        self.seen.set_value(issued);
        if turn {
            self.started.set_value(true);
            // Once this run has drawn (the effect goes on at once; this runs after it), the
            // chart no longer waits: the status can turn `ready` in this task.
            wasm_bindgen_futures::spawn_local(async { finish_turn() });
            return true;
        }
        if self.started.get_value() && !delivering() {
            return true;
        }
        if !self.queued.get_value() {
            self.queued.set_value(true);
            let (issued, queued) = (self.issued, self.queued);
            enqueue(Some(Box::new(move || {
                // A chart removed from the page meanwhile has nothing to draw.
                let _ = queued.try_set_value(false);
                issued.try_update(|n| *n += 1);
            })));
        }
        false
    }
}

impl Default for Permit {
    fn default() -> Self {
        Self::new()
    }
}

fn enqueue(turn: Option<Turn>) {
    QUEUE.with(|q| q.borrow_mut().push_back(turn));
    sync();
    if !SCHEDULED.with(|s| s.replace(true)) {
        after_paint(drain);
    }
}

/// Set the count behind [`drawing`] to what waits: the queue, and a chart in its turn.
fn sync() {
    let waiting = QUEUE.with(|q| q.borrow().len()) + usize::from(IN_TURN.with(Cell::get));
    if let Some(w) = WAITING.with(Cell::get)
        && w.try_get_untracked() != Some(waiting)
    {
        w.try_set(waiting);
    }
}

/// The chart in its turn has drawn (or was removed from the page): it waits no more.
fn finish_turn() {
    IN_TURN.with(|t| t.set(false));
    sync();
}

/// Give the oldest waiting chart its turn (it draws in this task's microtasks, and says so:
/// [`finish_turn`]); the next one waits for the next task. Place holders ahead of it are
/// passed over. The next task also ends the turn, in case the chart never drew (it was
/// removed from the page meanwhile), so nothing waits for ever.
fn drain() {
    loop {
        let Some(turn) = QUEUE.with(|q| q.borrow_mut().pop_front()) else {
            break;
        };
        if let Some(turn) = turn {
            IN_TURN.with(|t| t.set(true));
            sync();
            turn();
            break;
        }
    }
    sync();
    next_task(move || {
        finish_turn();
        if QUEUE.with(|q| q.borrow().is_empty()) {
            SCHEDULED.with(|s| s.set(false));
        } else {
            drain();
        }
    });
}

/// Run `f` in a new task once the browser has painted a frame (at once in a new task when
/// the page is hidden, where frames do not come).
fn after_paint(f: fn()) {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.hidden());
    if hidden {
        next_task(f);
    } else {
        next_frame(move || next_task(f));
    }
}
