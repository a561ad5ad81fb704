// A CPU profile of the analysis worker (issue #9): load a log in headless Chromium, profile the
// worker's thread through the Chrome DevTools Protocol (auto-attached to the worker's target)
// and the page's main thread, from the file input's change until the complete report is on
// screen, and print the heaviest functions by self time (names need a wasm build that keeps its
// name section, which `data-wasm-opt="0"` does). The raw profiles are written as
// `<out>.worker.cpuprofile` / `<out>.page.cpuprofile` (open them in Chromium's DevTools).
//
//   node bench/worker_profile.mjs --file bench/data/log_1000000.csv --out /tmp/p [--top 40]
//        [--under Session::analyze_at [--pass 1]] [--page-under on_answer] [--interval 200 (µs)]
//        [--load 1] [--dist DIR] [--cold] [--query '?parallel=1']
//
// `--query` opens the page with that query (`?parallel=1`: files parsed in halves).
// The file is chosen once the worker is warm, as in bench/browser.mjs (`--cold`: at once).
//
// With `--load 1` the worker's table covers only the load (its samples before the first
// `Session::analyze_at`: reading, parsing, finishing, the file's summary), and a second table
// gives inclusive times (a function and everything it calls) of that window, which is where
// the reading phase's breakdown (FileReaderSync, digest, copies into wasm, the parser, the
// column builders, progress posts) is read from.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { serveDist, launch, newPage } from '../tests/e2e/harness.mjs';
import { parseArgs, waitComplete, waitWarm } from './profile_common.mjs';

const args = parseArgs(process.argv.slice(2), ['cold']);
if (!args.file) throw new Error('need --file PATH');
const top = Number(args.top ?? 40);

/**
 * Self time per function name (ms) of a CDP Profiler profile, heaviest first; with `under`,
 * only samples with a caller whose name contains it (e.g. `analyze_with_sweep`).
 */
function selfTimes(profile, under, pass, loadOnly) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inside = (id) => {
    for (let at = id; at != null; at = parent.get(at)) {
      if (byId.get(at)?.callFrame.functionName.includes(under)) return true;
    }
    return false;
  };
  const self = new Map();
  const dt = profile.timeDeltas;
  // With `pass` k (1-based), only the k-th run of consecutive samples inside `under` (the
  // first and the complete pass are two calls of Session::analyze_at).
  let run = 0;
  let was = false;
  const inclusive = new Map();
  const nameOf = (node) => node?.callFrame.functionName || `(anonymous ${node?.callFrame.url.split('/').pop()})`;
  for (let i = 0; i < profile.samples.length; i += 1) {
    if (loadOnly) {
      let analysing = false;
      for (let at = profile.samples[i]; at != null; at = parent.get(at)) {
        if (byId.get(at)?.callFrame.functionName.includes('Session::analyze_at')) analysing = true;
      }
      if (analysing) break;
      const seen = new Set();
      for (let at = profile.samples[i]; at != null; at = parent.get(at)) {
        const name = nameOf(byId.get(at));
        if (seen.has(name) || name === '(root)' || name === '(idle)') continue;
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + (dt[i + 1] ?? 0) / 1000);
      }
    }
    const now = under ? inside(profile.samples[i]) : true;
    if (now && !was) run += 1;
    was = now;
    if (!now || (pass && run !== pass)) continue;
    const name = nameOf(byId.get(profile.samples[i]));
    self.set(name, (self.get(name) ?? 0) + (dt[i + 1] ?? 0) / 1000);
  }
  // The load's busy time: waiting (for the file, the digest, the page) is not work.
  if (loadOnly) self.delete('(idle)');
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    total,
    rows: [...self.entries()].sort((a, b) => b[1] - a[1]),
    inclusive: [...inclusive.entries()].sort((a, b) => b[1] - a[1]),
  };
}

const server = await serveDist(args.dist ? resolve(args.dist) : undefined);
const browser = await launch();
try {
  const page = await newPage(browser, []);
  const cdp = await page.context().newCDPSession(page);
  // The worker's target, attached without flattening: its protocol messages go through
  // Target.sendMessageToTarget / receivedMessageFromTarget on the page's session.
  const workers = [];
  const waiting = new Map();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (ev) => {
    if (ev.targetInfo.type === 'worker') workers.push(ev.sessionId);
  });
  cdp.on('Target.receivedMessageFromTarget', (ev) => {
    const m = JSON.parse(ev.message);
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.error) w.fail(new Error(JSON.stringify(m.error)));
    else w.ok(m.result);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  await page.goto(server.url + (args.query ?? ""));
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  for (let i = 0; i < 100 && workers.length === 0; i += 1) await new Promise((ok) => setTimeout(ok, 50));
  if (workers.length === 0) throw new Error('no worker target attached');
  if (!args.cold) await waitWarm(page);
  const sessionId = workers[0];
  const worker = {
    send: (method, params = {}) => new Promise((ok, fail) => {
      const id = nextId;
      nextId += 1;
      waiting.set(id, { ok, fail });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(fail);
    }),
  };
  const interval = Number(args.interval ?? 200);
  for (const s of [worker, cdp]) {
    await s.send('Profiler.enable');
    await s.send('Profiler.setSamplingInterval', { interval });
    await s.send('Profiler.start');
  }
  await page.getByTestId('file-input').setInputFiles(args.file);
  await waitComplete(page);
  for (const [name, s] of [['worker', worker], ['page', cdp]]) {
    const { profile } = await s.send('Profiler.stop');
    if (args.out) await writeFile(`${args.out}.${name}.cpuprofile`, JSON.stringify(profile));
    const loadOnly = name === 'worker' && Boolean(args.load);
    const { total, rows, inclusive } = selfTimes(profile, name === 'worker' ? args.under : args['page-under'], Number(args.pass ?? 0), loadOnly);
    const what = loadOnly ? ' during the load' : (args.under && name === 'worker' ? ` under ${args.under}` : '');
    console.log(`\n== ${name}${what}: ${(total / 1000).toFixed(2)} s sampled${loadOnly ? ' (busy)' : ''}`);
    for (const [fn, ms] of rows.slice(0, top)) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)} %  ${fn.slice(0, 140)}`);
    }
    if (loadOnly) {
      console.log(`\n== worker during the load, inclusive`);
      for (const [fn, ms] of inclusive.slice(0, top)) {
        console.log(`${ms.toFixed(1).padStart(9)} ms ${(100 * ms / total).toFixed(1).padStart(5)} %  ${fn.slice(0, 140)}`);
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
