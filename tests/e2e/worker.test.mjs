// Parsing and statistics run in a Web Worker: a 1M-row log loads while the page's main thread
// stays free (no long task over 50 ms while the file streams in and is parsed, measured with a
// PerformanceObserver for 'longtask' installed before the app starts; the page's own drawing
// of the answer is bounded and recorded separately), the progress bar reports increasing bytes and
// rows, Cancel returns to a usable page (and to the previous analysis), a gzip log streams
// too, and the numbers shown for the big log match a plain computation in this test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  useSite, newPage, waitForStatus, waitForLive, readMetrics, screenshot, ARTIFACTS,
} from './harness.mjs';

/** Rows in the generated log. */
const ROWS = 1_000_000;
/** The longest main-thread task allowed while the big log streams in and is parsed (ms). */
const READING_BOUND_MS = 50;
/**
 * The longest main-thread task allowed once the worker has answered, while the page builds the
 * sidebar, shows the answers and draws their charts. Each answer is decoded in one task and
 * shown in the next, and the charts draw one per task after the views are painted (see
 * src/app/pacing.rs): these tasks take 15–40 ms, and most loads have no task over 50 ms at all,
 * but on this 2-core machine one in a few cold loads has one of 50–57 ms. The bound leaves
 * room for that jitter, and still fails a page that shows an answer in one task (98–137 ms
 * here). The figures are in docs/worker.md.
 */
const RENDER_BOUND_MS = Number(process.env.PLUMB_RENDER_BOUND_MS || 80);

const site = useSite();
let dir;
let bigCsv;
let bigGz;
/** Independent figures of the generated log: rows, positives, mean score. */
const expected = { n: 0, positives: 0, scoreSum: 0 };
/** The generated scores and labels, for exact confusion counts at any threshold. */
const scores = new Float64Array(ROWS);
const labels = new Uint8Array(ROWS);

/** Confusion counts at threshold t (a row is flagged when score ≥ t), counted here. */
function confusionAt(t) {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < ROWS; i++) {
    const flagged = scores[i] >= t;
    if (flagged && labels[i] === 1) c.tp += 1;
    else if (flagged) c.fp += 1;
    else if (labels[i] === 1) c.fn += 1;
    else c.tn += 1;
  }
  return c;
}

/** A deterministic 1M-row log (~30 MB): id, score, label drawn from the score, amount, region. */
async function generate(path) {
  let seed = 12345;
  const rand = () => {
    // Park–Miller minimal standard generator.
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const regions = ['north', 'south', 'east', 'west'];
  const out = createWriteStream(path);
  const write = (s) => new Promise((ok) => (out.write(s) ? ok() : out.once('drain', ok)));
  await write('id,score,label,amount,region\n');
  let buf = [];
  for (let i = 0; i < ROWS; i++) {
    const score = Math.round(rand() * 1e6) / 1e6;
    const label = rand() < score ? 1 : 0;
    const amount = (rand() * 500).toFixed(2);
    buf.push(`${i},${score.toFixed(6)},${label},${amount},${regions[i % 4]}`);
    scores[i] = Number(score.toFixed(6));
    labels[i] = label;
    expected.n += 1;
    expected.positives += label;
    expected.scoreSum += score;
    if (buf.length === 10000) {
      await write(buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) await write(buf.join('\n') + '\n');
  await new Promise((ok) => out.end(ok));
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumb-worker-'));
  bigCsv = join(dir, 'big.csv');
  await generate(bigCsv);
  bigGz = join(dir, 'big.csv.gz');
  await writeFile(bigGz, gzipSync(await readFile(bigCsv), { level: 1 }));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A page that records every main-thread long task from before the app starts. */
async function observedPage(errors) {
  const page = await newPage(site.browser, errors);
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // When the status changes (state and words), in page time: the observer runs at the end
    // of the task that changed it. With it, how many charts are on the page and how many of
    // them are not drawn yet (no plot edges): `ready` means the charts are on screen.
    window.__status = [];
    let last = '';
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="status"]');
      const now = el ? `${el.dataset.state}|${el.textContent.trim()}` : '';
      if (now !== last) {
        last = now;
        const charts = [...document.querySelectorAll('[data-plot-left]')];
        window.__status.push({
          t: performance.now(), state: el?.dataset.state, text: el?.textContent.trim(),
          charts: charts.length, undrawn: charts.filter((c) => c.dataset.plotLeft === '').length,
        });
      }
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  return page;
}

/** Sample the progress bar until the status leaves `loading`; returns the samples. */
async function sampleProgress(page, onSample) {
  const samples = [];
  for (;;) {
    const s = await page.evaluate(() => {
      const p = document.querySelector('[data-testid="progress"]');
      const status = document.querySelector('[data-testid="status"]')?.dataset.state;
      return {
        status,
        phase: p?.dataset.phase ?? null,
        bytes: p ? Number(p.dataset.bytes) : null,
        total: p ? Number(p.dataset.total) : null,
        rows: p ? Number(p.dataset.rows) : null,
        now: p?.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? null,
      };
    });
    samples.push(s);
    if (onSample) await onSample(s, samples);
    if (s.status !== 'loading') return samples;
    await new Promise((ok) => setTimeout(ok, 40));
  }
}

test('a 1M-row log loads in the worker without blocking the page, with progress', async () => {
  const errors = [];
  const page = await observedPage(errors);
  const t0 = await page.evaluate(() => performance.now());
  let shot = false;
  await page.getByTestId('file-input').setInputFiles(bigCsv);
  const started = Date.now();
  const samples = await sampleProgress(page, async (s) => {
    if (!shot && s.phase === 'reading' && s.bytes > 0 && s.bytes < s.total) {
      shot = true;
      await screenshot(page, 'progress-mid-load.png');
    }
  });
  const seconds = (Date.now() - started) / 1000;
  const text = await waitForStatus(page, 'ready', 120000);
  assert.match(text, /1,000,000 rows/);
  const t1 = await page.evaluate(() => performance.now());

  // The progress bar reported bytes read that only grew, up to the file's size, with rows.
  const reading = samples.filter((s) => s.phase === 'reading');
  assert.ok(reading.length >= 2, `progress samples while reading: ${JSON.stringify(samples.slice(0, 5))}`);
  const bytes = reading.map((s) => s.bytes);
  for (let i = 1; i < bytes.length; i++) assert.ok(bytes[i] >= bytes[i - 1], `bytes went back: ${bytes}`);
  assert.ok(new Set(bytes).size >= 2, `bytes never moved: ${bytes}`);
  assert.ok(reading.some((s) => s.rows > 0), 'rows were counted while reading');
  assert.ok(reading.every((s) => s.total > 25e6), 'the total is the file size');
  assert.ok(reading.some((s) => s.now !== null && Number(s.now) > 0 && Number(s.now) < 100), 'aria-valuenow between 0 and 100');
  assert.ok(samples.some((s) => s.phase === 'analysing'), 'the analysis phase was shown');

  // The numbers are the log's, computed independently above.
  const m = await readMetrics(page);
  assert.equal(m.n, expected.n);
  assert.equal(m.positives, expected.positives);
  assert.ok(Math.abs(m.mean_score - expected.scoreSum / expected.n) < 1e-9, `mean_score ${m.mean_score}`);
  assert.equal(await page.getByTestId('file-rows').textContent(), '1,000,000');
  await page.getByTestId('bootstrap-off-note').waitFor();

  // The log (30 MB) was parsed in two steps: its first answer from the id, score and label
  // columns, then every column for the complete report (docs/worker.md, "Two-step loads").
  const inSteps = await Promise.all(page.workers().map((w) => w.evaluate(() => self.__plumbInSteps ?? null).catch(() => null)));
  assert.ok(inSteps.includes(true), `two-step load: ${JSON.stringify(inSteps)}`);
  // The columns left for later are the whole file's: every region has its 250,000 rows.
  await page.getByTestId('tab-quality').click();
  for (const region of ['north', 'south', 'east', 'west']) {
    const row = page.getByTestId(`segment-region-${region}`);
    assert.equal(await row.locator('td').nth(1).textContent(), '250,000', region);
  }
  await page.getByTestId('tab-overview').click();

  // The page's thread was never blocked while the file streamed in and was parsed (until the
  // worker's `loaded` answer, when the status turns to "Analysing…"), and only briefly while
  // the page drew the answers.
  const { tasks, status } = await page.evaluate(([a, b]) => ({
    tasks: window.__longtasks.filter((t) => t.start >= a && t.start <= b),
    status: window.__status.filter((s) => s.t >= a),
  }), [t0, t1]);
  const loadedAt = status.find((s) => s.text === 'Analysing…')?.t;
  assert.ok(loadedAt, `status changes: ${JSON.stringify(status)}`);
  const parsing = tasks.filter((t) => t.start + t.duration < loadedAt - 1);
  const showing = tasks.filter((t) => !parsing.includes(t));
  const longest = (list) => Math.max(0, ...list.map((t) => t.duration));
  await mkdir(ARTIFACTS, { recursive: true });
  await writeFile(join(ARTIFACTS, 'worker-longtasks.json'), JSON.stringify({
    rows: ROWS, seconds, loaded_at_ms: loadedAt - t0, reading_longest_ms: longest(parsing),
    showing_longest_ms: longest(showing), tasks: tasks.map((t) => ({ ...t, start: t.start - t0 })),
    status: status.map((s) => ({ ...s, t: s.t - t0 })),
    bounds_ms: { reading: READING_BOUND_MS, showing: RENDER_BOUND_MS },
  }, null, 1));
  console.log(`1M rows: ready in ${seconds.toFixed(1)} s, parsed after ${((loadedAt - t0) / 1000).toFixed(1)} s; `
    + `longest main-thread task while reading ${longest(parsing)} ms, while showing ${longest(showing)} ms`);
  assert.ok(longest(parsing) <= READING_BOUND_MS, `reading: ${JSON.stringify(parsing)}`);
  assert.ok(longest(showing) <= RENDER_BOUND_MS, `showing: ${JSON.stringify(showing)}`);
  // The charts draw in tasks of their own after the views are painted, and the status says
  // `ready` only once every chart on the page is drawn.
  const firstReady = status.find((s) => s.state === 'ready');
  assert.ok(firstReady.charts > 0 && firstReady.undrawn === 0, `at ready: ${JSON.stringify(firstReady)}`);

  // Thresholds answers a drag from the exact sweep the worker sent: mid-drag, the cells are
  // the exact counts at the live threshold, with no analysis requested (status stays ready).
  await page.getByTestId('tab-thresholds').click();
  await page.getByTestId('thresholds-view').waitFor();
  const plot = page.getByTestId('threshold-chart');
  await page.waitForFunction(() => document.querySelector('[data-testid="threshold-chart"]')?.dataset.plotLeft);
  const box = await plot.locator('canvas').boundingBox();
  const [left, right, top, bottom] = await Promise.all(
    ['data-plot-left', 'data-plot-right', 'data-plot-top', 'data-plot-bottom'].map(async (a) => Number(await plot.getAttribute(a))),
  );
  const xOf = (t) => box.x + left + (right - left) * ((t + 0.02) / 1.04);
  const y = box.y + (top + bottom) / 2;
  await page.mouse.move(xOf(0.5), y);
  await page.mouse.down();
  await page.mouse.move(xOf(0.3), y, { steps: 4 });
  const live = await waitForLive(page, 0.3);
  assert.ok(Math.abs(live - 0.3) < 0.01, `live threshold ${live}`);
  const want = confusionAt(live);
  await page.waitForFunction(
    (w) => ['tp', 'fp', 'tn', 'fn'].every((k) => document.querySelector(`[data-testid="confusion-${k}"]`)?.dataset.value === String(w[k])),
    want, { timeout: 10000 },
  );
  assert.equal(await page.getByTestId('status').getAttribute('data-state'), 'ready');
  assert.equal(await page.getByTestId('threshold-input').inputValue(), '0.5');
  await page.mouse.up();
  await screenshot(page, 'worker-1m-thresholds.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('Cancel stops a load and returns to the previous analysis, and the page stays usable', async () => {
  const errors = [];
  const page = await observedPage(errors);
  // Nothing loaded yet: cancel returns to the empty page.
  await page.getByTestId('file-input').setInputFiles(bigCsv);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]')?.dataset.bytes) > 0, null, { timeout: 60000 });
  await page.getByTestId('cancel').click();
  let text = await waitForStatus(page, 'idle');
  assert.match(text, /Loading cancelled/);
  assert.equal(await page.getByTestId('progress').count(), 0);

  // With a log loaded, cancel returns to its analysis, and the fresh worker has it again.
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  const before = await readMetrics(page);
  // Four times the 1M-row log: with the worker warm, the 1M-row load once finished within the
  // progress panel's 0.3 s reveal delay, so Cancel never became visible (CI, session 8).
  const longCsv = join(dirname(bigCsv), 'long.csv');
  const text1m = await readFile(bigCsv, 'utf8');
  const body = text1m.slice(text1m.indexOf('\n') + 1);
  await writeFile(longCsv, text1m + body + body + body);
  await page.getByTestId('file-input').setInputFiles(longCsv);
  // Cancel while the work is in flight, whatever its phase: once in a CI run on a loaded
  // machine the bytes counter had not moved 60 s after the file was chosen (seen once, not
  // reproduced; the first block checks that bytes do move).
  await page.getByTestId('cancel').waitFor();
  await page.getByTestId('progress').waitFor({ state: 'attached' });
  // No screenshot between here and the click: at load 10 a screenshot took long enough for
  // the whole 1M-row load to finish first (the progress bar is photographed mid-load above).
  await page.getByTestId('cancel').click();
  text = await waitForStatus(page, 'ready');
  assert.match(text, /Loading cancelled/);
  assert.match(text, /19,995 rows/);
  assert.deepEqual(await readMetrics(page), before);
  await screenshot(page, 'progress-cancelled.png');
  // Still usable: a new setting is analysed by the restarted worker.
  await page.getByTestId('bins-input').fill('15');
  await page.getByTestId('bins-input').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === '15');
  text = await waitForStatus(page, 'ready');
  assert.doesNotMatch(text, /cancelled/);
  assert.equal((await readMetrics(page)).n, before.n);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a gzip log streams through the worker in chunks and reads like the plain one', async () => {
  const errors = [];
  const page = await observedPage(errors);
  await page.getByTestId('file-input').setInputFiles(bigGz);
  const samples = await sampleProgress(page);
  const text = await waitForStatus(page, 'ready', 120000);
  assert.match(text, /1,000,000 rows/);
  const bytes = samples.filter((s) => s.phase === 'reading').map((s) => s.bytes);
  assert.ok(bytes.length >= 1, 'progress while reading the compressed file');
  const m = await readMetrics(page);
  assert.equal(m.n, expected.n);
  assert.equal(m.positives, expected.positives);
  assert.ok(Math.abs(m.mean_score - expected.scoreSum / expected.n) < 1e-9);
  assert.match(await page.getByTestId('file-summary').textContent(), /gzip/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('an idle worker warms up and says so on its global `__plumbWarm`', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  // The analysis worker (not its parse helper) sets `__plumbWarm` false as it starts and true
  // once its warm-up has run (or was skipped for a waiting request).
  const warm = async () => {
    for (const w of page.workers()) {
      const v = await w.evaluate(() => (self.name === 'plumb-parse-helper' ? null : self.__plumbWarm ?? null))
        .catch(() => null);
      if (v !== null) return v;
    }
    return null;
  };
  const deadline = Date.now() + 60000;
  let state = await warm();
  while (state !== true && Date.now() < deadline) {
    await page.waitForTimeout(50);
    state = await warm();
  }
  assert.equal(state, true, 'the worker never said it was warm');
  assert.deepEqual(errors, []);
  await page.context().close();
});
