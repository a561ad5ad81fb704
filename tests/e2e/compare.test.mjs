// Comparisons in a real browser: two files (drift against SciPy's goldens), splits of the demo
// by a column's value and by time (window sizes recomputed here from the CSV), data-quality
// checks (a fixture that trips one), and the diagnosis of two windows.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  useSite, newPage, waitForStatus, afterChange, screenshot, goldens, FIXTURES, ROOT,
} from './harness.mjs';

const site = useSite();
let drift;

before(async () => {
  drift = await goldens('drift.json');
});

/** Rows of a simple CSV (no quoted fields) as objects keyed by header. */
async function readCsv(path) {
  const text = await readFile(path, 'utf8');
  const [head, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const cols = head.split(',');
  return lines.map((l) => {
    const f = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  });
}

/** A row the statistics can use: a score in [0, 1] and a 0/1 label. */
function usable(r) {
  const s = r.score.trim() === '' ? NaN : Number(r.score);
  return Number.isFinite(s) && s >= 0 && s <= 1 && (r.label === '0' || r.label === '1');
}

async function windowSizes(page) {
  return {
    reference: Number(await page.getByTestId('window-n-reference').getAttribute('data-value')),
    current: Number(await page.getByTestId('window-n-current').getAttribute('data-value')),
  };
}

test('two files: drift rows match SciPy goldens and the diagnosis names a verdict', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(FIXTURES, 'logs', 'current.csv'));
  const text = await waitForStatus(page, 'ready');
  assert.match(text, /Compared/);
  // The overview keeps the current window's metrics under the usual ids, the reference beside.
  assert.ok(await page.getByTestId('metric-ece').getAttribute('data-value'));
  assert.ok(await page.getByTestId('ref-ece').getAttribute('data-value'));

  await page.getByTestId('tab-compare').click();
  await page.getByTestId('drift-table').waitFor();
  for (const name of ['x1', 'x2', 'score']) {
    const gold = drift.numeric.find((e) => e.name === name && e.bins === 10);
    const row = page.getByTestId(`drift-row-${name}`);
    assert.equal(await row.getAttribute('data-method'), 'wasserstein_norm', name);
    const value = Number(await row.getAttribute('data-value'));
    assert.ok(Math.abs(value - gold.wasserstein_norm) <= 1e-9 * Math.max(1, Math.abs(gold.wasserstein_norm)),
      `${name}: page ${value} vs SciPy ${gold.wasserstein_norm}`);
    assert.equal(await row.getAttribute('data-drifted'), String(value >= 0.1), name);
  }
  {
    const gold = drift.categorical.find((e) => e.name === 'segment');
    const row = page.getByTestId('drift-row-segment');
    assert.equal(await row.getAttribute('data-method'), 'js_distance');
    const value = Number(await row.getAttribute('data-value'));
    assert.ok(Math.abs(value - gold.js_distance) <= 1e-9, `segment: page ${value} vs SciPy ${gold.js_distance}`);
    assert.equal(await row.getAttribute('data-drifted'), String(value >= 0.1));
  }
  // Clicking a row opens its statistics; sorting by name puts rows in name order.
  await page.getByTestId('drift-row-x1').click();
  assert.equal(await page.getByTestId('drift-detail').getAttribute('data-column'), 'x1');
  // Both windows' distributions are drawn, and download as well-formed SVG.
  await page.getByTestId('distribution-chart').locator('canvas').waitFor();
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('drift-detail').getByTestId('export-svg').click(),
  ]);
  assert.match(await readFile(await dl.path(), 'utf8'), /<svg[\s\S]*<\/svg>/);
  await page.getByTestId('label-shift').waitFor();
  // Recalibration preview: every map fitted on the reference, a recommendation, maps as JSON.
  for (const m of ['platt', 'platt_logit', 'isotonic', 'temperature', 'beta', 'histogram', 'prior_correction']) {
    await page.getByTestId(`recal-${m}`).waitFor();
  }
  assert.equal(await page.getByTestId('recalibration').locator('.badge', { hasText: 'recommended' }).count(), 1);
  const [mapDl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('recal-download-isotonic').click(),
  ]);
  const map = JSON.parse(await readFile(await mapDl.path(), 'utf8'));
  assert.equal(map.method, 'isotonic');
  await screenshot(page, 'compare-two-files.png');
  await page.getByTestId('drift-sort-column').click();
  const names = await page.$$eval('[data-testid^="drift-row-"]', (els) => els.map((e) => e.dataset.testid.slice(10)));
  assert.deepEqual(names, [...names].sort());

  await page.getByTestId('tab-diagnosis').click();
  const verdict = page.getByTestId('diagnosis-verdict');
  await verdict.waitFor();
  const key = await verdict.getAttribute('data-value');
  assert.ok(key === 'no_change' || (await page.getByTestId(`cause-${key}`).count()) === 1, `verdict ${key}`);
  if (key !== 'no_change') {
    assert.equal(await page.getByTestId(`cause-${key}`).getAttribute('data-detected'), 'true');
  }
  await screenshot(page, 'diagnosis-two-files.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the demo split by model_version and by time: window sizes match the CSV', async () => {
  const rows = (await readCsv(join(ROOT, 'public', 'demo.csv'))).filter(usable);
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');

  await afterChange(page, async () => {
    await page.getByTestId('window-mode').selectOption('split_column');
    await page.getByTestId('split-column').selectOption('model_version');
    await page.getByTestId('split-reference').selectOption('v3');
    await page.getByTestId('split-current').selectOption('v4');
  });
  await page.getByTestId('windows-bar').waitFor();
  assert.deepEqual(await windowSizes(page), {
    reference: rows.filter((r) => r.model_version === 'v3').length,
    current: rows.filter((r) => r.model_version === 'v4').length,
  });
  await screenshot(page, 'overview-split-column.png');
  await page.getByTestId('tab-diagnosis').click();
  await page.getByTestId('diagnosis-verdict').waitFor();
  await screenshot(page, 'diagnosis-demo.png');

  await page.getByTestId('tab-overview').click();
  await afterChange(page, async () => {
    await page.getByTestId('window-mode').selectOption('split_at');
    await page.getByTestId('split-timestamp').fill('2026-10-01T00:00:00');
    await page.getByTestId('split-timestamp').dispatchEvent('change');
  });
  await page.getByTestId('windows-bar').waitFor();
  const cut = Date.parse('2026-10-01T00:00:00Z');
  assert.deepEqual(await windowSizes(page), {
    reference: rows.filter((r) => Date.parse(r.timestamp) < cut).length,
    current: rows.filter((r) => Date.parse(r.timestamp) >= cut).length,
  });
  await page.getByTestId('tab-compare').click();
  await page.getByTestId('drift-table').waitFor();
  await screenshot(page, 'compare-split-time.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('quality checks: every check has a status; duplicated ids fail; basic.csv has no failure', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-quality').click();
  await page.getByTestId('quality-checks').waitFor();
  const statuses = await page.$$eval('[data-testid^="quality-"][data-status]', (els) => els.map((e) => [e.dataset.testid.slice(8), e.dataset.status]));
  assert.ok(statuses.length >= 5, `checks shown: ${statuses.length}`);
  for (const [id, s] of statuses) assert.ok(['pass', 'warn', 'fail', 'skip'].includes(s), `${id}: ${s}`);
  assert.deepEqual(statuses.filter(([, s]) => s === 'fail'), []);
  assert.equal(await page.getByTestId('quality-banner').count(), 0);
  await screenshot(page, 'quality-basic.png');

  // 5 of 200 rows repeat an earlier id (2.5% ≥ the 1% failure level): the duplicate-id check
  // must fail and the overview must say so.
  let csv = 'prediction_id,score,label\n';
  for (let i = 0; i < 200; i += 1) {
    const id = `p${i < 195 ? i : i - 195}`;
    const s = ((i * 37) % 100) / 100;
    csv += `${id},${s.toFixed(2)},${i % 3 === 0 ? 1 : 0}\n`;
  }
  await page.getByTestId('file-input').setInputFiles({ name: 'dupes.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-quality').click();
  assert.equal(await page.getByTestId('quality-duplicate_ids').getAttribute('data-status'), 'fail');
  const first = await page.$eval('[data-testid^="quality-"][data-status]', (e) => e.dataset.status);
  assert.equal(first, 'fail', 'failing checks come first');
  await screenshot(page, 'quality-dupes.png');
  await page.getByTestId('tab-overview').click();
  await page.getByTestId('quality-banner').waitFor();
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the review tabs are reachable by keyboard; a share-of-rows split states its definition', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  // One window: the review tabs explain how to define a comparison instead of failing.
  await page.getByTestId('tab-overview').focus();
  await page.keyboard.press('End');
  await page.getByTestId('signoff-view').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tab-signoff');
  await page.keyboard.press('ArrowLeft');
  await page.getByTestId('diagnosis-empty').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tab-diagnosis');
  await page.keyboard.press('ArrowLeft');
  await page.getByTestId('quality-view').waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.getByTestId('compare-empty').waitFor();

  await afterChange(page, async () => {
    await page.getByTestId('window-mode').selectOption('split_fraction');
    await page.getByTestId('split-fraction').fill('0.25');
    await page.getByTestId('split-fraction').dispatchEvent('change');
  });
  await page.getByTestId('windows-bar').waitFor();
  const rows = (await readCsv(join(ROOT, 'public', 'demo.csv'))).filter(usable);
  // Rows in time order; the first round(0.25 · n) are the reference.
  const ref = Math.round(rows.length * 0.25);
  assert.deepEqual(await windowSizes(page), { reference: ref, current: rows.length - ref });
  assert.match(await page.getByTestId('windows-bar').textContent(), /first 25% of rows/);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a log above 100,000 rows turns bootstrap intervals off, with a control to turn them on', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  // The app mounts after the wasm module loads: wait for the control, then read it.
  await page.getByTestId('bootstrap-input').waitFor();
  assert.equal(await page.getByTestId('bootstrap-input').inputValue(), '200');
  const n = 100_001;
  const lines = ['score,label'];
  let x = 12345;
  for (let i = 0; i < n; i += 1) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const s = x / 2147483648;
    lines.push(`${s.toFixed(4)},${(x >> 7) % 1000 < s * 1000 ? 1 : 0}`);
  }
  await page.getByTestId('file-input').setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await waitForStatus(page, 'ready', 120000);
  assert.equal(await page.getByTestId('bootstrap-input').inputValue(), '0');
  await page.getByTestId('bootstrap-off-note').waitFor();
  assert.deepEqual(errors, []);
  await page.context().close();
});
