// Memory (issue #9): a log that would not fit the tab's memory is refused early, in words that
// name the projected need and the limit and point at the summary input; and a worker that dies
// (a wasm trap, e.g. out of memory) never leaves the page on "Parsing…": the page says so in
// words, restarts the worker, and offers Retry, which then works.
//
// The limit is lowered with the page's `?memory_limit=` (bytes) so a small log exceeds it; the
// dying worker is a stand-in script served in place of the worker's loader for the first
// worker only (it says `ready`, then throws a WebAssembly RuntimeError "unreachable" on the
// first request, exactly what a Rust allocation failure in wasm32 does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, readMetrics, screenshot } from './harness.mjs';

const site = useSite();
let dir;
let csv;
const ROWS = 5000;
let positives = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumb-memory-'));
  csv = join(dir, 'log.csv');
  const lines = ['score,label,segment'];
  for (let i = 0; i < ROWS; i++) {
    const score = ((i * 7919) % 1000) / 1000;
    const label = (i * 31) % 7 < 3 ? 1 : 0;
    positives += label;
    lines.push(`${score.toFixed(3)},${label},${['web', 'app', 'api'][i % 3]}`);
  }
  await writeFile(csv, `${lines.join('\n')}\n`);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a log above the memory limit is refused with the need, the limit and the way out', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  // 100 kB: the 5000-row log needs about 0.6 MB (rows × (table + analysis bytes per row)).
  await page.goto(`${site.server.url}?memory_limit=100000`);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(csv);
  const text = await waitForStatus(page, 'error');
  assert.match(text, /too large to analyse in a browser tab/, text);
  assert.match(text, /5,000 rows/, text);
  assert.match(text, /more than the 0\.1 MB limit/, text);
  assert.match(text, /Summary input/, text);
  // The whole message is in a panel of the main area (the status pill shows one line), with a
  // heading that says what happened; the worker did not die, so no worker-failure panel.
  const panel = page.getByTestId('failure-panel');
  await panel.waitFor();
  assert.match(await panel.locator('h2').textContent(), /too large for a browser tab/);
  assert.equal((await panel.locator('.failure-panel-text').textContent()).trim(), text);
  assert.equal(await page.getByTestId('worker-failure').count(), 0);
  // Nothing is left spinning.
  assert.equal(await page.getByTestId('progress').count(), 0);
  await screenshot(page, 'memory-limit.png');
  // The same log loads at the default limit.
  await page.goto(site.server.url);
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  await page.getByTestId('file-input').setInputFiles(csv);
  await waitForStatus(page, 'ready', 60000);
  await page.getByTestId('metric-n').waitFor();
  assert.equal((await readMetrics(page)).n, ROWS);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a worker that dies is reported in words, restarted, and Retry loads the file', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  let served = 0;
  await page.context().route('**/plumb-worker_loader.js', async (route) => {
    served += 1;
    if (served > 1) return route.continue();
    return route.fulfill({
      contentType: 'text/javascript',
      body: `self.postMessage({ msg: JSON.stringify({ kind: 'ready' }) });
             self.onmessage = () => { throw new WebAssembly.RuntimeError('unreachable'); };`,
    });
  });
  await page.goto(site.server.url);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(csv);
  const text = await waitForStatus(page, 'error');
  assert.match(text, /background worker stopped while reading log\.csv/, text);
  assert.match(text, /unreachable/, text);
  assert.match(text, /out of memory/, text);
  const failure = page.getByTestId('worker-failure');
  await failure.waitFor();
  assert.equal(await failure.getAttribute('role'), 'alert');
  // Said once: the worker-failure panel, not also the error panel.
  assert.equal(await page.getByTestId('failure-panel').count(), 0);
  assert.equal(await page.getByTestId('progress').count(), 0);
  await screenshot(page, 'memory-worker-died.png');
  assert.ok(served >= 2, `a fresh worker was started (${served} loader requests)`);
  // The page's own error log has the stand-in's exception at most; nothing else.
  assert.ok(errors.every((e) => /unreachable/.test(e)), errors.join('\n'));

  await page.getByTestId('worker-retry').click();
  await waitForStatus(page, 'ready', 60000);
  await page.getByTestId('metric-n').waitFor();
  const m = await readMetrics(page);
  assert.equal(m.n, ROWS);
  assert.equal(await failure.count(), 0);
  // Prevalence shown equals the positives counted here.
  if ('prevalence' in m) assert.ok(Math.abs(m.prevalence - positives / ROWS) < 1e-12);
  await page.close();
});
