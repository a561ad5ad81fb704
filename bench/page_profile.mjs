// Where the page's first answer goes (issue #9): load a log in headless Chromium with a Chromium
// trace running, and report the renderer main thread's time by trace event — self time, so a
// forced layout inside a script call counts as layout — from the first report's arrival at the
// page (a listener on the worker that runs before the app's) to the first frame painted after
// the status said `ready`, split at `ready`: decoding and building the views (`to_ready`), then
// drawing and the browser's style, layout and paint (`ready_to_paint`). With `--complete` the
// same for the complete report (arrival → `data-complete="true"` → painted).
//
//   node bench/page_profile.mjs --file bench/data/log_1000000.csv [--dist DIR] [--top 25]
//        [--out trace.json] [--complete] [--cold]
//
// The file is chosen once the worker is warm, as in bench/browser.mjs (`--cold`: at once).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { serveDist, launch, newPage } from '../tests/e2e/harness.mjs';
import { parseArgs, waitComplete, waitWarm } from './profile_common.mjs';

const args = parseArgs(process.argv.slice(2), ['complete', 'cold'], { top: '25' });
if (!args.file) throw new Error('need --file PATH');

/** The page probe: console.timeStamp marks (trace events `TimeStamp`) at each moment. */
function probe() {
  const NativeWorker = window.Worker;
  let reports = 0;
  window.Worker = class extends NativeWorker {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (ev) => {
        const msg = ev.data?.msg;
        if (typeof msg === 'string' && msg.startsWith('{"kind":"report"')) {
          reports += 1;
          console.timeStamp(`plumb:arrived:${reports}`);
        }
      });
    }
  };
  const stampPainted = (name) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => console.timeStamp(`plumb:painted:${name}`);
    ch.port2.postMessage(0);
  });
  let ready = false;
  let complete = false;
  const watch = () => new MutationObserver(() => {
    const s = document.querySelector('[data-testid="status"]')?.dataset.state;
    if (!ready && s === 'ready' && reports > 0) {
      ready = true;
      console.timeStamp('plumb:ready:1');
      stampPainted('1');
    }
    const c = document.querySelector('[data-testid="app"]')?.dataset.complete;
    if (ready && !complete && c === 'true' && reports > 1) {
      complete = true;
      console.timeStamp('plumb:ready:2');
      stampPainted('2');
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-complete'] });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch);
  else watch();
}

/** Self time by event name of the main thread's complete events within [from, to] (µs). */
function selfTimes(main, from, to) {
  const events = main.filter((e) => e.ts >= from && e.ts + e.dur <= to).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  for (const e of events) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur);
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur);
    stack.push(e);
  }
  return [...self.entries()].map(([name, us]) => [name, us / 1000]).filter(([, ms]) => ms > 0.05)
    .sort((a, b) => b[1] - a[1]);
}

const server = await serveDist(args.dist ? resolve(args.dist) : undefined);
const browser = await launch();
try {
  const page = await newPage(browser, []);
  await page.addInitScript(probe);
  await page.goto(server.url);
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  if (!args.cold) await waitWarm(page);
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'blink.user_timing'],
  });
  await page.getByTestId('file-input').setInputFiles(args.file);
  await waitComplete(page);
  await page.waitForTimeout(500);
  const json = (await browser.stopTracing()).toString('utf8');
  if (args.out) await writeFile(args.out, json);
  const events = JSON.parse(json).traceEvents ?? [];
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const stamps = new Map();
  let pid = null;
  for (const e of events) {
    const m = e.name === 'TimeStamp' && e.args?.data?.message;
    if (typeof m === 'string' && m.startsWith('plumb:')) { stamps.set(m.slice(6), e.ts); pid = e.pid; }
  }
  const main = events.filter((e) => e.ph === 'X' && e.pid === pid && typeof e.dur === 'number'
    && names.get(`${e.pid}:${e.tid}`) === 'CrRendererMain');
  const top = Number(args.top);
  for (const pass of args.complete ? ['1', '2'] : ['1']) {
    const [a, r, p] = ['arrived', 'ready', 'painted'].map((k) => stamps.get(`${k}:${pass}`));
    if (a == null || r == null || p == null) {
      console.log(`pass ${pass}: marks missing (${[...stamps.keys()].join(', ')})`);
      continue;
    }
    console.log(`\n== ${pass === '1' ? 'first answer' : 'complete report'}: arrival → ready ${((r - a) / 1000).toFixed(1)} ms, ready → painted ${((p - r) / 1000).toFixed(1)} ms`);
    for (const [label, from, to] of [['to_ready', a, r], ['ready_to_paint', r, p]]) {
      const rows = selfTimes(main, from, to);
      const busy = rows.reduce((s, [, ms]) => s + ms, 0);
      console.log(`-- ${label}: main thread busy ${busy.toFixed(1)} ms`);
      for (const [name, ms] of rows.slice(0, top)) console.log(`${ms.toFixed(1).padStart(9)} ms  ${name}`);
    }
  }
} finally {
  await browser.close();
  await server.close();
}
