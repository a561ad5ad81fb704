// The browser half of the benchmark (issue #9, issue #4): load a benchmark log into the
// release build of Plumb in headless Chromium and measure
//
// * load-to-ready: from the file input's `change` event to the status element reaching
//   `data-state="ready"`, both stamped in the page with performance.now() (a capture-phase
//   listener and a MutationObserver installed before the app starts): the *first answer*
//   (`load_s`; the provisional report with the headline numbers); the wall time seen from
//   Node (setInputFiles → ready) is kept as a cross-check;
// * complete: from the same `change` to the app root's `data-complete="true"` (`complete_s`:
//   the complete report, with intervals, checks and every view, has replaced the first answer);
// * the worker's phase timeline: when the progress panel's `data-phase` became `reading`,
//   `finishing` and `analysing` (`phases`: seconds after `change`, and each phase's duration
//   up to the next phase or the first answer);
// * memory: (a) the WebAssembly linear memory of every instance the page creates (an init
//   script wraps WebAssembly.instantiate/instantiateStreaming and keeps the exported
//   `WebAssembly.Memory`; linear memory never shrinks, so its size after the run is its peak),
//   and (b) the peak resident set size (VmRSS) of Chromium's renderer processes, polled from
//   /proc every 50 ms while the file loads and is analysed. (b) also counts memory that (a)
//   cannot see: the JS heap, the file's bytes, canvases, and any worker's own wasm instance.
//   The same polling sums the renderers' CPU time (utime + stime) over the load, which on a
//   shared machine says more than the wall time does;
// * threshold drag: the Thresholds tab is opened, the pointer is pressed on the threshold
//   chart and moved by real (CDP) input events, at most one every 16 ms (each is sent once the
//   page has taken the previous one), across the plot and back.
//   The page records (i) the main-thread cost of each pointermove (`update_ms`): from a
//   capture-phase listener that runs before the app's handler to the end of the handler and of
//   the reactive updates it queued (the canvas redraw and the confusion cells, run as
//   microtasks; see pageProbe), (ii) the time from the pointermove to the next task
//   (`next_task_ms`, which may include the frame's style, layout and paint and a wait for
//   vsync), and (iii) the interval between requestAnimationFrame callbacks while dragging
//   (vsync-bound: ≈16.7 ms when every frame is on time; `late_frames` counts intervals above
//   17.7 ms, i.e. missed 60 Hz frames), (iv) the cost of each requestAnimationFrame callback of
//   the app (`raf_ms`; the app applies a drag's pointer position once per frame, in one), with
//   the reactive work it queued, and (v) per frame with drag work, the sum of (i) and (iv) that
//   started in it (`frame_work_ms`, the figure the 16 ms target is checked against). With
//   `--trace`, a Chromium trace of the drag adds the renderer main thread's busy time per frame
//   (script, style, layout, paint recording) and the raster threads' time (`trace`). After the drag the live threshold must sit where the
//   pointer was released (±0.01), or the drag is reported as failed.
//
// Each repetition uses a fresh browser. A size that fails (page crash, out of memory, status
// `error`, timeout) is reported with the reason and the run goes on.
//
//   node bench/browser.mjs --file bench/data/log_1000000.csv --rows 1000000 --reps 3 --out x.json
//
// `--dist DIR` serves another release build than this checkout's dist/ (e.g. a base build, to
// alternate base and candidate runs in one session).
//
// By default the file is chosen once the analysis worker is warm, as a user would (nobody picks
// a file within a second of the page opening): the bench waits until the worker's global
// `__plumbWarm` is `true` (it has run its warm-up, `src/core/warm_up.rs`, and started its parse
// helper where loads may be split; a build from before that flag, which warms up in the same
// task that sets `__plumbWasmMemory`, counts as warm once that is set), then
// `WARM_SETTLE_MS` (1 s, bench/profile_common.mjs) more, for the optimising compiles the warm-up queued on background threads
// (and a parse helper's start) to end. `--cold` chooses the file as soon as the page shows, as
// before (the load then overlaps the worker's start, warm-up and background compiles).
// `--no-drag` skips the threshold drag (the load's figures only, quicker runs).
//
// `--query '?parallel=0'` opens the page with that query (here: the worker parses every file
// in one piece, for a same-build comparison with the two-halves path). Each run records how the
// worker parsed the file (`load_path`: `single`, `halves`, `fallback: <why>`; `, two steps` when
// the first answer's columns were parsed first, docs/worker.md) and the wasm
// memory of each worker the page has (`worker_wasm_memory_each`: the analysis worker, and its
// parse helper where the browser lists nested workers) and, for a load in halves, `split_times`
// (ms: the first half after the helper was asked, the wait for the helper, the merge).
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serveDist, launch, newPage, readMetrics, DIST } from '../tests/e2e/harness.mjs';
import { waitWarm } from './profile_common.mjs';

function parseArgs(argv) {
  const out = { reps: 3, timeoutS: null, dragMoves: 90, out: null, shots: null };
  for (let i = 0; i < argv.length; i += 1) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === '--file') out.file = v;
    else if (k === '--rows') out.rows = Number(v);
    else if (k === '--reps') out.reps = Number(v);
    else if (k === '--timeout') out.timeoutS = Number(v);
    else if (k === '--drag-moves') out.dragMoves = Number(v);
    else if (k === '--out') out.out = v;
    else if (k === '--query') out.query = v;
    else if (k === '--dist') out.dist = resolve(v);
    else if (k === '--screenshot') out.shots = v;
    else if (k === '--trace') { out.trace = true; i -= 1; }
    else if (k === '--cold') { out.cold = true; i -= 1; }
    else if (k === '--no-drag') { out.noDrag = true; i -= 1; }
    else throw new Error(`unknown argument ${k}`);
    i += 1;
  }
  if (!out.file || !Number.isFinite(out.rows)) throw new Error('need --file PATH --rows N');
  // Default: 2 minutes plus 6 minutes per million rows.
  out.timeoutS ??= 120 + 360 * (out.rows / 1e6);
  return out;
}

/** Median and nearest-rank percentiles of a list of numbers. */
export function summary(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const rank = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median: mid, p95: rank(0.95), max: s[s.length - 1], min: s[0] };
}

const TICKS_PER_S = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s

/**
 * The Chromium renderer processes descended from this Node process: pid → { rss bytes (VmRSS),
 * cpu ticks (utime + stime) }.
 */
async function renderers() {
  const parent = new Map();
  const cpu = new Map();
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  await Promise.all(pids.map(async (pid) => {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(pid), Number(f[1]));
      cpu.set(Number(pid), Number(f[11]) + Number(f[12]));
    } catch { /* gone */ }
  }));
  const isOurs = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p), hops += 1) {
      if (p === process.pid) return true;
    }
    return false;
  };
  const out = new Map();
  for (const pid of parent.keys()) {
    if (!isOurs(pid)) continue;
    try {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const m = status.match(/VmRSS:\s+(\d+) kB/);
      out.set(pid, { rss: m ? Number(m[1]) * 1024 : 0, ticks: cpu.get(pid) ?? 0 });
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Poll the renderers every `periodMs` until stopped; stop() returns { peakRss: the largest
 * summed VmRSS seen, cpuS: CPU seconds the renderers used since start (utime + stime) }.
 */
async function rendererSampler(periodMs = 50) {
  let peak = 0;
  let running = true;
  const first = new Map();
  const last = new Map();
  const sample = async () => {
    const now = await renderers();
    let total = 0;
    for (const [pid, r] of now) {
      total += r.rss;
      if (!first.has(pid)) first.set(pid, r.ticks);
      last.set(pid, r.ticks);
    }
    peak = Math.max(peak, total);
  };
  await sample();
  const loop = (async () => {
    while (running) {
      await new Promise((ok) => setTimeout(ok, periodMs));
      await sample();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sample();
      let ticks = 0;
      for (const [pid, t] of last) ticks += t - (first.get(pid) ?? t);
      return { peakRss: peak, cpuS: ticks / TICKS_PER_S };
    },
  };
}

// Installed in the page before any of its scripts run.
function pageProbe() {
  const memories = new Set();
  const keep = (result) => {
    const instance = result instanceof WebAssembly.Instance ? result : result?.instance;
    for (const v of Object.values(instance?.exports ?? {})) {
      if (v instanceof WebAssembly.Memory) memories.add(v);
    }
    return result;
  };
  const inst = WebAssembly.instantiate;
  WebAssembly.instantiate = function (...a) { return inst.apply(this, a).then(keep); };
  const stream = WebAssembly.instantiateStreaming;
  if (stream) WebAssembly.instantiateStreaming = function (...a) { return stream.apply(this, a).then(keep); };
  const probe = {
    states: [], phases: [], completeAt: null, changeAt: null, moves: [], frames: [], recording: false,
  };
  window.__bench = probe;
  // The analysis round trip, seen from the page: when each `analyze` request is posted to the
  // worker (`sent`), and when each `report` answer reaches the main thread (`arrived`: a
  // listener added when the worker is created runs before the app's `onmessage`, so before the
  // page decodes the report). arrived − sent is the worker's pass plus the message's transfer;
  // ready − arrived is the page's own time from the report to `data-state="ready"`.
  probe.sent = [];
  probe.arrived = [];
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (ev) => {
        const t = performance.now();
        const msg = ev.data?.msg;
        if (typeof msg === 'string' && msg.startsWith('{"kind":"report"')) {
          probe.arrived.push({ t, bytes: msg.length, provisional: msg.includes('"pending":['), sweep: ev.data.sweep != null });
        }
      });
    }
    postMessage(m, ...rest) {
      if (typeof m?.msg === 'string' && m.msg.startsWith('{"kind":"analyze"')) probe.sent.push(performance.now());
      return super.postMessage(m, ...rest);
    }
  };
  probe.wasmBytes = () => [...memories].reduce((s, m) => s + m.buffer.byteLength, 0);
  probe.wasmInstances = () => memories.size;
  document.addEventListener('change', (ev) => {
    if (ev.target?.dataset?.testid === 'file-input') probe.changeAt = performance.now();
  }, true);
  const watch = () => {
    let last = null;
    let lastPhase = null;
    new MutationObserver(() => {
      const now = performance.now();
      const el = document.querySelector('[data-testid="status"]');
      const s = el?.dataset.state;
      if (s && s !== last) {
        last = s;
        const entry = { state: s, t: now, text: el.textContent.trim().slice(0, 200) };
        probe.states.push(entry);
        // The first frame after the state changed: its animation-frame callback, then the
        // next task (after the frame's style, layout and paint).
        requestAnimationFrame(() => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => { entry.painted = performance.now(); };
          ch.port2.postMessage(0);
        });
      }
      const phase = document.querySelector('[data-testid="progress"]')?.dataset.phase ?? null;
      if (phase !== lastPhase) {
        lastPhase = phase;
        probe.phases.push({ phase, t: now });
      }
      const complete = document.querySelector('[data-testid="app"]')?.dataset.complete;
      if (probe.changeAt != null && probe.completeAt == null && complete === 'true' && s === 'ready') {
        probe.completeAt = now;
      }
    }).observe(document, {
      subtree: true, childList: true, attributes: true,
      attributeFilter: ['data-state', 'data-phase', 'data-complete'],
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
  // A pointermove's main-thread cost: t0 in a capture listener on window (before any handler),
  // t1 after the app's handler and the reactive work it queued. The app's handler (or Leptos's
  // delegated listener) runs before the bubble listener added in startFrames(), and the
  // effects it schedules (the canvas redraw, the confusion cells) run as microtasks: a chain of
  // 200 microtask hops queued behind them ends after them. `next_task` is also kept: the time to
  // a MessageChannel task, which Chromium may run only after the frame (so it includes style,
  // layout and paint, and sometimes a wait for vsync).
  window.addEventListener('pointermove', () => {
    if (!probe.recording) return;
    const t0 = performance.now();
    probe.t0 = t0;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => probe.nextTask.push(performance.now() - t0);
    ch.port2.postMessage(0);
  }, true);
  probe.nextTask = [];
  probe.moveStarts = [];
  const afterHandlers = () => {
    if (!probe.recording || probe.t0 == null) return;
    const t0 = probe.t0;
    probe.t0 = null;
    let hops = 0;
    const hop = () => {
      hops += 1;
      if (hops < 200) queueMicrotask(hop);
      else {
        probe.moves.push(performance.now() - t0);
        probe.moveStarts.push(t0);
      }
    };
    queueMicrotask(hop);
  };
  // requestAnimationFrame callbacks (the app paints a drag in one, throttled to the frame):
  // each callback's cost, including the reactive work it queued (the same 200 microtask hops),
  // is kept with its start time so the page's work can be summed per frame.
  probe.rafWork = [];
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((ts) => {
    const t0 = performance.now();
    try {
      return cb(ts);
    } finally {
      if (probe.recording && !cb.__probe) {
        let hops = 0;
        const hop = () => {
          hops += 1;
          if (hops < 200) queueMicrotask(hop);
          else probe.rafWork.push([t0, performance.now() - t0]);
        };
        queueMicrotask(hop);
      }
    }
  });
  probe.startFrames = () => {
    window.addEventListener('pointermove', afterHandlers);
    probe.recording = true;
    const tick = (ts) => {
      probe.frames.push(ts);
      if (probe.recording) requestAnimationFrame(tick);
    };
    tick.__probe = true;
    requestAnimationFrame(tick);
  };
}

/** Linear memory of the page's workers' wasm instances (the worker exposes its Memory as
 * `self.__plumbWasmMemory`; it never shrinks, so its size is the worker's peak so far). */
async function workerWasmBytes(page) {
  const sizes = await Promise.all(page.workers().map((w) => w
    .evaluate(() => self.__plumbWasmMemory?.buffer?.byteLength ?? 0)
    .catch(() => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

async function oneRun(server, opts) {
  const browser = await launch();
  const errors = [];
  const run = { ok: false };
  let crashed = null;
  try {
    const page = await newPage(browser, errors);
    page.on('crash', () => { crashed = 'renderer process crashed (out of memory?)'; });
    await page.addInitScript(pageProbe);
    await page.goto(server.url + (opts.query ?? ''));
    const input = page.getByTestId('file-input');
    await input.waitFor({ state: 'attached' });
    await page.getByTestId('status').waitFor({ state: 'attached' });
    run.warm = opts.cold ? false : await waitWarm(page);

    const sampler = await rendererSampler();
    const wall0 = Date.now();
    let outcome;
    // An uncaught error in the page while loading (a wasm trap, e.g. an allocation failure at
    // the 4 GiB limit of wasm32, leaves the status at `loading` forever) ends the wait at once.
    let onError;
    const trapped = new Promise((_, fail) => {
      onError = (e) => fail(new Error(`page error while loading: ${String(e).slice(0, 300)}`));
      page.on('pageerror', onError);
    });
    try {
      await input.setInputFiles(opts.file);
      outcome = await Promise.race([
        page.waitForFunction(
          () => {
            const s = document.querySelector('[data-testid="status"]')?.dataset.state;
            return s === 'ready' || s === 'error' ? s : false;
          },
          null,
          { timeout: opts.timeoutS * 1000, polling: 100 },
        ).then((h) => h.jsonValue()),
        trapped,
      ]);
    } catch (e) {
      const after = Math.round((Date.now() - wall0) / 1000);
      outcome = crashed ?? `failed after ${after} s: ${String(e).split('\n')[0]}`;
      const status = await page.getByTestId('status').textContent({ timeout: 2000 }).catch(() => null);
      if (status) outcome += ` (status: "${status.trim().slice(0, 120)}")`;
      if (errors.length) outcome += ` (page errors: ${errors.slice(0, 3).map((x) => x.slice(0, 200)).join(' | ')})`;
    } finally {
      page.off('pageerror', onError);
      trapped.catch(() => {});
    }
    run.wall_s = (Date.now() - wall0) / 1000;
    const used = await sampler.stop();
    run.peak_renderer_rss_bytes = used.peakRss;
    run.renderer_cpu_s = used.cpuS;
    run.worker_wasm_memory_bytes = await workerWasmBytes(page).catch(() => null);
    run.worker_wasm_memory_each = await Promise.all(page.workers().map((w) => w
      .evaluate(() => self.__plumbWasmMemory?.buffer?.byteLength ?? 0).catch(() => 0)));
    run.load_path = (await Promise.all(page.workers().map((w) => w
      .evaluate(() => self.__plumbLastLoad ?? null).catch(() => null)))).find((x) => x) ?? null;
    // Whether the log was parsed in two steps (its first answer's columns first; session 14).
    const steps = (await Promise.all(page.workers().map((w) => w
      .evaluate(() => self.__plumbInSteps ?? null).catch(() => null)))).find((x) => x !== null);
    if (steps === true) run.load_path += ', two steps';
    run.hash_path = (await Promise.all(page.workers().map((w) => w
      .evaluate(() => self.__plumbLastHash ?? null).catch(() => null)))).find((x) => x) ?? null;
    run.split_times = (await Promise.all(page.workers().map((w) => w
      .evaluate(() => self.__plumbSplitTimes ?? null).catch(() => null)))).find((x) => x) ?? null;
    if (outcome !== 'ready') {
      run.wasm_memory_bytes = await page.evaluate(() => window.__bench.wasmBytes()).catch(() => null);
      run.error = outcome === 'error'
        ? `status error: ${await page.getByTestId('status').textContent().catch(() => '?')}`
        : String(crashed ?? outcome);
      return run;
    }
    // The first answer is on screen; the complete report follows (`data-complete="true"`).
    await page.waitForFunction(
      () => window.__bench.completeAt != null,
      null,
      { timeout: opts.timeoutS * 1000, polling: 50 },
    ).catch(() => {});
    const probe = await page.evaluate(() => ({
      states: window.__bench.states, changeAt: window.__bench.changeAt,
      phases: window.__bench.phases, completeAt: window.__bench.completeAt,
      sent: window.__bench.sent, arrived: window.__bench.arrived,
      wasm: window.__bench.wasmBytes(), instances: window.__bench.wasmInstances(),
    }));
    const ready = probe.states.find((s) => s.state === 'ready' && s.t >= (probe.changeAt ?? 0));
    run.load_s = probe.changeAt != null && ready ? (ready.t - probe.changeAt) / 1000 : null;
    run.complete_s = probe.changeAt != null && probe.completeAt != null
      ? (probe.completeAt - probe.changeAt) / 1000 : null;
    // Phase timeline: each phase's start after `change` and its duration (to the next phase,
    // or to the first answer for the last one).
    const phases = probe.phases.filter((p) => p.t >= (probe.changeAt ?? 0) && p.phase);
    run.phases = phases.map((p, i) => {
      const end = phases[i + 1]?.t ?? ready?.t ?? p.t;
      return { phase: p.phase, at_s: (p.t - probe.changeAt) / 1000, duration_s: (end - p.t) / 1000 };
    });
    run.phase_s = {};
    for (const p of run.phases) run.phase_s[p.phase] = (run.phase_s[p.phase] ?? 0) + p.duration_s;
    // The analysis round trip of the first answer and of the complete report: the worker's
    // pass with the message's transfer (`worker_s`: request posted → report at the page) and
    // the page's time from the report to `data-state="ready"` (`page_s`) and to the first
    // frame painted after it (`paint_s`).
    const after = (t) => t >= (probe.changeAt ?? 0);
    const firstArrival = probe.arrived.find((a) => after(a.t) && a.provisional)
      ?? probe.arrived.find((a) => after(a.t));
    const lastArrival = [...probe.arrived].reverse().find((a) => after(a.t) && !a.provisional);
    const sentBefore = (t) => [...probe.sent].reverse().find((s) => s <= t && after(s));
    const readyAfter = (t) => probe.states.find((s) => s.state === 'ready' && s.t >= t);
    const roundTrip = (a) => {
      if (!a) return null;
      const sent = sentBefore(a.t);
      const r = readyAfter(a.t);
      return {
        worker_s: sent != null ? (a.t - sent) / 1000 : null,
        page_s: r ? (r.t - a.t) / 1000 : null,
        paint_s: r?.painted != null ? (r.painted - a.t) / 1000 : null,
        message_bytes: a.bytes,
        sweep_attached: a.sweep,
      };
    };
    run.first_answer = roundTrip(firstArrival);
    // The complete report replaces the first answer without a state change: its page time is
    // from its arrival to `data-complete="true"`.
    run.complete_answer = lastArrival && lastArrival !== firstArrival ? {
      since_first_s: (lastArrival.t - firstArrival.t) / 1000,
      page_s: probe.completeAt != null ? (probe.completeAt - lastArrival.t) / 1000 : null,
      message_bytes: lastArrival.bytes,
    } : null;
    run.status_text = ready?.text;
    run.states = probe.states
      .filter((s) => s.t >= (probe.changeAt ?? 0))
      .map((s) => ({ state: s.state, at_s: (s.t - probe.changeAt) / 1000, text: s.text }));
    // The Overview's headline metrics, to check against the Python peer's on the same file.
    await page.getByTestId('metric-roc_auc').waitFor({ timeout: 30000 }).catch(() => {});
    const shown = await readMetrics(page).catch(() => ({}));
    run.metrics = Object.fromEntries(['n', 'roc_auc', 'average_precision', 'brier_score', 'log_loss']
      .filter((k) => k in shown).map((k) => [k, shown[k]]));
    run.wasm_memory_bytes = probe.wasm;
    run.wasm_instances = probe.instances;

    if (opts.noDrag) return { ...run, ok: true, page_errors: errors.slice(0, 5) };
    run.drag = await drag(page, opts, browser).catch((e) => ({ ok: false, error: String(e).split('\n')[0] }));
    if (crashed) run.drag = { ok: false, error: crashed };
    // Memory again after the drag (the drag must not grow it much).
    run.wasm_memory_bytes_after_drag = await page.evaluate(() => window.__bench.wasmBytes()).catch(() => null);
    run.worker_wasm_memory_bytes = Math.max(run.worker_wasm_memory_bytes ?? 0, await workerWasmBytes(page).catch(() => 0));
    run.page_errors = errors.slice(0, 5);
    run.ok = true;
    return run;
  } catch (e) {
    run.error = crashed ?? String(e).split('\n')[0];
    return run;
  } finally {
    await browser.close().catch(() => {});
  }
}

/**
 * Where a drag's time goes, from a Chromium trace of the drag: per frame (between consecutive
 * BeginFrame-aligned rAF ticks of the probe), the renderer main thread's busy time (top-level
 * tasks: script, style, layout, paint recording) and the raster threads' time (rasterising the
 * canvas and the page), plus the main thread's time by event name.
 */
function traceSummary(json, frames) {
  const events = JSON.parse(json).traceEvents ?? [];
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  }
  // The renderer of the page: the process whose main thread ran the most animation frames.
  const fired = new Map();
  for (const e of events) {
    if (e.name === 'FireAnimationFrame') fired.set(e.pid, (fired.get(e.pid) ?? 0) + 1);
  }
  const pid = [...fired.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const thread = (e) => names.get(`${e.pid}:${e.tid}`) ?? '';
  const done = events.filter((e) => e.ph === 'X' && e.pid === pid && typeof e.dur === 'number');
  const main = done.filter((e) => thread(e) === 'CrRendererMain');
  const top = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask');
  const raster = done.filter((e) => /Raster|TileWorker/.test(thread(e)) && /RasterTask|TaskGraphRunner::RunTask/.test(e.name));
  // Trace clocks are microseconds on the same monotonic clock as the probe's rAF times, offset:
  // align on the first and last FireAnimationFrame.
  const fires = main.filter((e) => e.name === 'FireAnimationFrame').map((e) => e.ts).sort((a, b) => a - b);
  const start = fires[0] ?? 0;
  const end = fires[fires.length - 1] ?? 0;
  const frameCount = Math.max(1, frames - 1);
  const binOf = (ts) => Math.min(frameCount - 1, Math.floor(((ts - start) / Math.max(1, end - start)) * frameCount));
  const perFrame = (list) => {
    const bins = new Array(frameCount).fill(0);
    for (const e of list) if (e.ts >= start && e.ts <= end) bins[binOf(e.ts)] += e.dur / 1000;
    return bins;
  };
  const byName = {};
  for (const e of main) {
    if (e.ts < start || e.ts > end || top.includes(e)) continue;
    byName[e.name] = (byName[e.name] ?? 0) + e.dur / 1000;
  }
  const span = (end - start) / 1000;
  const topNames = Object.entries(byName).sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([name, ms]) => ({ name, ms_total: Math.round(ms * 10) / 10, ms_per_frame: Math.round((ms / frameCount) * 100) / 100 }));
  return {
    span_ms: span,
    main_busy_ms_per_frame: summary(perFrame(top)),
    raster_ms_per_frame: summary(perFrame(raster)),
    main_by_event: topNames,
  };
}

async function drag(page, opts, browser) {
  await page.getByTestId('tab-thresholds').click();
  await page.getByTestId('thresholds-view').waitFor();
  const plot = page.getByTestId('threshold-chart');
  await plot.waitFor();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="threshold-chart"]')?.dataset.plotLeft,
    null,
    { timeout: 60000 },
  );
  const canvas = plot.locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const edge = async (k) => Number(await plot.getAttribute(`data-plot-${k}`));
  const [left, right, top, bottom] = [await edge('left'), await edge('right'), await edge('top'), await edge('bottom')];
  // The x axis runs from −0.02 to 1.02 (see tests/e2e/views.test.mjs).
  const xOf = (t) => box.x + left + (right - left) * ((t + 0.02) / 1.04);
  const y = box.y + (top + bottom) / 2;
  // A sweep 0.5 → 0.15 → 0.85 → 0.4: every move lands on a new threshold.
  const n = Math.max(6, opts.dragMoves);
  const path = [];
  const legs = [[0.5, 0.15], [0.15, 0.85], [0.85, 0.4]];
  const per = Math.ceil(n / legs.length);
  for (const [a, b] of legs) for (let i = 1; i <= per; i += 1) path.push(a + ((b - a) * i) / per);
  await page.mouse.move(xOf(0.5), y);
  await page.mouse.down();
  if (opts.trace) {
    await browser.startTracing(page, {
      categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'cc', 'blink'],
    });
  }
  await page.evaluate(() => window.__bench.startFrames());
  const t0 = Date.now();
  for (let i = 0; i < path.length; i += 1) {
    await page.mouse.move(xOf(path[i]), y);
    const due = t0 + (i + 1) * 16;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
  }
  // Let the last frame land, then stop recording before the release recomputes the report.
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const rec = await page.evaluate(() => {
    const b = window.__bench;
    b.recording = false;
    return { moves: b.moves, moveStarts: b.moveStarts, nextTask: b.nextTask, frames: b.frames, rafWork: b.rafWork };
  });
  const trace = opts.trace ? traceSummary((await browser.stopTracing()).toString('utf8'), rec.frames.length) : null;
  const live = Number(await page.getByTestId('threshold-live').getAttribute('data-value'));
  const want = path[path.length - 1];
  if (opts.shots) await page.screenshot({ path: opts.shots });
  await page.mouse.up();
  const intervals = rec.frames.slice(1).map((t, i) => t - rec.frames[i]);
  // The page's main-thread work per frame: every pointermove update and every app
  // requestAnimationFrame callback that started within the frame, summed.
  const perFrame = rec.frames.slice(1).map(() => 0);
  const work = [
    ...rec.moves.map((d, i) => [rec.moveStarts[i], d]),
    ...rec.rafWork,
  ];
  for (const [start, d] of work) {
    const k = rec.frames.findIndex((f, i) => i + 1 < rec.frames.length && start >= f && start < rec.frames[i + 1]);
    if (k >= 0) perFrame[k] += d;
  }
  const out = {
    ok: Math.abs(live - want) <= 0.01,
    moves_sent: path.length,
    drag_wall_s: (Date.now() - t0) / 1000,
    live_threshold_at_release: live,
    expected_threshold: want,
    update_ms: summary(rec.moves),
    raf_ms: summary(rec.rafWork.map(([, d]) => d)),
    // Frames in which the page did drag work (idle frames would only pull the median to 0).
    frame_work_ms: summary(perFrame.filter((w) => w > 0)),
    next_task_ms: summary(rec.nextTask),
    frame_interval_ms: summary(intervals),
    late_frames: intervals.filter((x) => x > 16.7 + 1).length,
    trace,
    samples: {
      update_ms: rec.moves, raf_ms: rec.rafWork.map(([, d]) => d), frame_work_ms: perFrame.filter((w) => w > 0),
      next_task_ms: rec.nextTask, frame_interval_ms: intervals,
    },
  };
  if (!out.ok) out.error = `live threshold ${live} is not where the pointer was released (${want.toFixed(3)})`;
  return out;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dist = opts.dist ?? DIST;
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`no release build in ${dist}: run trunk build --release`);
  const server = await serveDist(dist);
  const runs = [];
  try {
    for (let r = 0; r < opts.reps; r += 1) {
      const run = await oneRun(server, opts);
      const line = run.ok
        ? `first answer ${run.load_s?.toFixed(3)} s, complete ${run.complete_s?.toFixed(3)} s `
          + `(${Object.entries(run.phase_s ?? {}).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}), wasm ${(run.wasm_memory_bytes / 2 ** 20).toFixed(0)} MiB `
          + `[first answer: worker ${run.first_answer?.worker_s?.toFixed(2)} s, page ${run.first_answer?.page_s?.toFixed(3)} s, painted ${run.first_answer?.paint_s?.toFixed(3)} s; `
          + `complete: +${run.complete_answer?.since_first_s?.toFixed(2)} s, page ${run.complete_answer?.page_s?.toFixed(3)} s] `
          + `(worker ${((run.worker_wasm_memory_bytes ?? 0) / 2 ** 20).toFixed(0)} MiB), `
          + `renderer RSS ${(run.peak_renderer_rss_bytes / 2 ** 20).toFixed(0)} MiB, drag update p95 `
          + `${run.drag?.update_ms?.p95?.toFixed(2)} ms, work/frame median `
          + `${run.drag?.frame_work_ms?.median?.toFixed(2)} p95 ${run.drag?.frame_work_ms?.p95?.toFixed(2)} ms, frame p95 ${run.drag?.frame_interval_ms?.p95?.toFixed(1)} ms`
          + (run.drag?.ok || opts.noDrag ? '' : ` (drag failed: ${run.drag?.error})`)
          + ` [${opts.cold ? 'cold' : `warm: ${run.warm}`}, ${run.load_path}${run.split_times ? ` ${JSON.stringify(run.split_times)}` : ''}]`
        : `FAILED: ${run.error} (worker wasm ${((run.worker_wasm_memory_bytes ?? 0) / 2 ** 20).toFixed(0)} MiB)`;
      process.stderr.write(`plumb ${opts.rows} rows, run ${r + 1}/${opts.reps}: ${line}\n`);
      runs.push(run);
      if (!run.ok) break; // a size that failed once is not retried
    }
  } finally {
    await server.close();
  }
  const good = runs.filter((r) => r.ok);
  const drags = good.map((r) => r.drag).filter((d) => d?.ok);
  const result = {
    rows: opts.rows,
    file: opts.file,
    reps: runs.length,
    cold: Boolean(opts.cold),
    ok: good.length === runs.length && runs.length > 0,
    error: runs.find((r) => !r.ok)?.error ?? null,
    load_s: summary(good.map((r) => r.load_s).filter((x) => x != null)),
    complete_s: summary(good.map((r) => r.complete_s).filter((x) => x != null)),
    phase_s: Object.fromEntries(['reading', 'finishing', 'analysing'].map((k) => [
      k, summary(good.map((r) => r.phase_s?.[k]).filter((x) => x != null)),
    ])),
    // The first answer's and the complete report's round trips (see oneRun).
    first_answer: Object.fromEntries(['worker_s', 'page_s', 'paint_s'].map((k) => [
      k, summary(good.map((r) => r.first_answer?.[k]).filter((x) => x != null)),
    ])),
    complete_answer: Object.fromEntries(['since_first_s', 'page_s'].map((k) => [
      k, summary(good.map((r) => r.complete_answer?.[k]).filter((x) => x != null)),
    ])),
    wall_s: summary(good.map((r) => r.wall_s)),
    renderer_cpu_s: summary(good.map((r) => r.renderer_cpu_s)),
    metrics: good[0]?.metrics ?? null,
    // Failed runs count too: the linear memory a load had reached when it failed.
    peak_wasm_memory_bytes: runs.some((r) => r.wasm_memory_bytes)
      ? Math.max(...runs.map((r) => r.wasm_memory_bytes_after_drag ?? r.wasm_memory_bytes ?? 0)) : null,
    // The worker's instance, where the rows and statistics live since the worker moved in.
    peak_worker_wasm_memory_bytes: runs.some((r) => r.worker_wasm_memory_bytes)
      ? Math.max(...runs.map((r) => r.worker_wasm_memory_bytes ?? 0)) : null,
    peak_renderer_rss_bytes: runs.length ? Math.max(...runs.map((r) => r.peak_renderer_rss_bytes ?? 0)) : null,
    // Every pointermove and every frame of every run, pooled.
    drag: drags.length ? {
      runs: drags.length,
      update_ms: summary(drags.flatMap((d) => d.samples.update_ms)),
      raf_ms: summary(drags.flatMap((d) => d.samples.raf_ms)),
      frame_work_ms: summary(drags.flatMap((d) => d.samples.frame_work_ms)),
      next_task_ms: summary(drags.flatMap((d) => d.samples.next_task_ms)),
      frame_interval_ms: summary(drags.flatMap((d) => d.samples.frame_interval_ms)),
      late_frames: drags.reduce((s, d) => s + d.late_frames, 0),
    } : null,
    drag_error: good.map((r) => r.drag).find((d) => d && !d.ok)?.error ?? null,
    runs,
  };
  for (const r of runs) delete r.drag?.samples;
  const text = JSON.stringify(result, null, 2);
  if (opts.out) {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(opts.out, `${text}\n`);
  } else {
    process.stdout.write(`${text}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`browser bench: ${e.stack ?? e}\n`);
  process.exit(1);
});
