// Parquet and Arrow IPC files in the browser: the same log as tests/fixtures/columnar/data.csv,
// written by pyarrow (tests/fixtures/make_columnar.py), loads from the file picker (Parquet) and
// the drop zone (Arrow IPC), and every metric shown equals the CSV's and a plain computation in
// this test (ROC AUC by the Mann–Whitney rank sum, Brier score, counts). A Parquet file with a
// nested column shows the warning naming it; a Zstandard file gives an error naming the codec.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, readMetrics, screenshot, FIXTURES } from './harness.mjs';

const DIR = join(FIXTURES, 'columnar');
const site = useSite();
/** Independent figures from data.csv. */
let expected;

/** Rows with a score and a label, read from the CSV here. */
function referenceFigures(text) {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',');
  const si = names.indexOf('score');
  const li = names.indexOf('label');
  const rows = [];
  for (const line of lines) {
    const cells = line.split(',');
    if (cells[si] === '' || cells[li] === '') continue;
    rows.push([Number(cells[si]), Number(cells[li])]);
  }
  const n = rows.length;
  const positives = rows.filter(([, y]) => y === 1).length;
  const brier = rows.reduce((s, [p, y]) => s + (p - y) ** 2, 0) / n;
  // AUC = (rank sum of positives − P(P+1)/2) / (P·N), ties given their mean rank.
  const sorted = rows.map(([p, y]) => ({ p, y })).sort((a, b) => a.p - b.p);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].p === sorted[i].p) j += 1;
    const mean = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k].y === 1) rankSum += mean;
    i = j;
  }
  const negatives = n - positives;
  const auc = (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
  return { n, positives, brier_score: brier, roc_auc: auc };
}

before(async () => {
  expected = referenceFigures(await readFile(join(DIR, 'data.csv'), 'utf8'));
});

function close(actual, want, key) {
  assert.ok(actual !== null && actual !== undefined, `${key}: missing on the page`);
  assert.ok(Math.abs(actual - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${key}: page ${actual} vs ${want}`);
}

test('a Parquet file from the picker and an Arrow IPC file dropped read like the CSV', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').waitFor();
  await page.getByTestId('file-input').setInputFiles(join(DIR, 'data.csv'));
  await waitForStatus(page, 'ready');
  const csvMetrics = await readMetrics(page);
  for (const key of ['n', 'positives', 'brier_score', 'roc_auc']) close(csvMetrics[key], expected[key], `csv ${key}`);

  await page.getByTestId('file-input').setInputFiles(join(DIR, 'data_snappy.parquet'));
  await page.waitForFunction(() => document.querySelector('[data-testid="file-format"]')?.textContent === 'Parquet');
  await waitForStatus(page, 'ready');
  assert.equal(await page.getByTestId('file-rows').textContent(), '600');
  const parquetMetrics = await readMetrics(page);
  assert.deepEqual(parquetMetrics, csvMetrics);
  await screenshot(page, 'columnar-parquet.png');

  const bytes = [...await readFile(join(DIR, 'data.arrow'))];
  const dataTransfer = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'dropped.arrow', { type: 'application/vnd.apache.arrow.file' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('.dropzone', 'dragover', { dataTransfer });
  await page.dispatchEvent('.dropzone', 'drop', { dataTransfer });
  await page.waitForFunction(() => document.querySelector('[data-testid="file-format"]')?.textContent === 'Arrow IPC');
  await waitForStatus(page, 'ready');
  assert.match(await page.getByTestId('file-summary').textContent(), /dropped\.arrow/);
  assert.deepEqual(await readMetrics(page), csvMetrics);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a nested column is left out with a warning; a zstd file is an error naming the codec', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').waitFor();
  await page.getByTestId('file-input').setInputFiles(join(DIR, 'nested.parquet'));
  await waitForStatus(page, 'ready');
  const summary = await page.getByTestId('file-summary').textContent();
  assert.match(summary, /Column "tags" is a nested list/);
  assert.match(summary, /Column "meta" is a nested struct/);
  const m = await readMetrics(page);
  assert.equal(m.n, 4);
  await screenshot(page, 'columnar-nested.png');

  await page.getByTestId('file-input').setInputFiles(join(DIR, 'data_zstd.parquet'));
  const message = await waitForStatus(page, 'error');
  assert.match(message, /data_zstd\.parquet/);
  assert.match(message, /Zstandard/);
  assert.match(message, /row group 1/);
  await screenshot(page, 'columnar-zstd-error.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});
