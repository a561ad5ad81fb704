// The foundation slice in a real browser: load the demo and fixture logs, compare every metric
// shown with scikit-learn's goldens, change the binning, export the JSON report, and see a
// malformed file produce a clear error instead of a crash.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  useSite, newPage, waitForStatus, afterChange, readMetrics, screenshot, goldens, FIXTURES,
} from './harness.mjs';

const site = useSite();
let gold;

before(async () => {
  gold = (await goldens('e2e.json')).logs;
});

/** |a − b| within 1e-9 (relative for large values). */
function close(actual, expected, key) {
  assert.ok(actual !== null && actual !== undefined, `${key}: missing on the page`);
  const tol = 1e-9 * Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `${key}: page ${actual} vs golden ${expected}`);
}

function checkMetrics(shown, expected) {
  for (const [key, value] of Object.entries(expected)) close(shown[key], value, key);
}

test('the demo loads in one click and every metric matches scikit-learn', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  const text = await waitForStatus(page, 'ready');
  assert.match(text, /19,995 rows/);
  checkMetrics(await readMetrics(page), gold['demo.csv'].metrics);
  // Rows the demo contains on purpose that cannot be used are counted, not dropped silently.
  assert.equal(await page.getByTestId('rows-used').getAttribute('data-value'), '19995');
  assert.equal(await page.getByTestId('rows-excluded').getAttribute('data-value'), '5');
  assert.equal(await page.getByTestId('excluded-missing_label').getAttribute('data-value'), '3');
  assert.equal(await page.getByTestId('excluded-missing_score').getAttribute('data-value'), '2');
  const chart = page.getByTestId('reliability-chart');
  assert.equal(await chart.getAttribute('data-bins'), String(gold['demo.csv'].binning.uniform_10.bins));
  await screenshot(page, 'overview-demo.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a fixture log chosen with the file picker matches the goldens, binning changes redraw', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  const g = gold['basic.csv'];
  checkMetrics(await readMetrics(page), g.metrics);

  for (const [bins, strategy] of [[5, 'quantile'], [15, 'uniform'], [10, 'quantile']]) {
    await afterChange(page, async () => {
      await page.getByTestId('strategy-select').selectOption(strategy);
      await page.getByTestId('bins-input').fill(String(bins));
      await page.getByTestId('bins-input').dispatchEvent('change');
    });
    const want = g.binning[`${strategy}_${bins}`];
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === String(n),
      want.bins,
    );
    close(Number(await page.getByTestId('metric-ece').getAttribute('data-value')), want.ece, `ece ${strategy} ${bins}`);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a gzip-compressed log reads like the plain one', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const csv = await readFile(join(FIXTURES, 'logs', 'ties.csv'));
  await page.getByTestId('file-input').setInputFiles({
    name: 'ties.csv.gz', mimeType: 'application/gzip', buffer: gzipSync(csv),
  });
  await waitForStatus(page, 'ready');
  checkMetrics(await readMetrics(page), gold['ties.csv'].metrics);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the JSON export is the plumb.report/v1 document the page shows', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(report.schema, 'plumb.report/v1');
  const file = report.input.files[0];
  assert.equal(file.name, 'basic.csv');
  const bytes = await readFile(join(FIXTURES, 'logs', 'basic.csv'));
  assert.equal(file.bytes, bytes.length);
  const { createHash } = await import('node:crypto');
  assert.equal(file.sha256, createHash('sha256').update(bytes).digest('hex'));
  assert.equal(report.input.columns.score, 'score');
  assert.equal(report.input.columns.label, 'label');
  assert.equal(report.settings.bins, 10);
  const w = report.windows.all;
  checkMetrics(w, gold['basic.csv'].metrics);
  assert.equal(w.reliability.length, gold['basic.csv'].binning.uniform_10.bins);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a malformed file gives an error state naming the line, and the page stays usable', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles({
    name: 'broken.csv', mimeType: 'text/csv',
    buffer: Buffer.from('score,label\n0.1,0\n0.2,1\n"0.3,1\n0.4,0\n'),
  });
  const message = await waitForStatus(page, 'error');
  assert.match(message, /broken\.csv/);
  assert.match(message, /line 4/i);
  // The whole message, under a heading, in the main area (the status pill shows one line).
  const panel = page.getByTestId('failure-panel');
  await panel.waitFor();
  assert.match(await panel.locator('h2').textContent(), /could not use this file/);
  assert.equal((await panel.locator('.failure-panel-text').textContent()).trim(), message);
  await screenshot(page, 'error-malformed.png');
  // Still usable: the demo loads afterwards, and the panel is gone.
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  assert.equal(await page.getByTestId('failure-panel').count(), 0);
  await page.getByTestId('file-input').setInputFiles({
    name: 'garbage.bin', mimeType: 'application/octet-stream',
    buffer: Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0]),
  });
  await waitForStatus(page, 'error');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a log dropped on the drop zone loads like a chosen one', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const csv = (await readFile(join(FIXTURES, 'logs', 'basic.csv'), 'utf8'));
  const dataTransfer = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
    return dt;
  }, csv);
  await page.dispatchEvent('.dropzone', 'dragover', { dataTransfer });
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer });
  await waitForStatus(page, 'ready');
  checkMetrics(await readMetrics(page), gold['basic.csv'].metrics);
  assert.match(await page.getByTestId('file-summary').textContent(), /dropped\.csv/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('?data=<relative url> loads a log from the same static host', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(`${site.server.url}?data=demo.csv`);
  const text = await waitForStatus(page, 'ready');
  assert.match(text, /19,995 rows/);
  checkMetrics(await readMetrics(page), gold['demo.csv'].metrics);
  assert.deepEqual(errors, []);
  await page.context().close();
});
