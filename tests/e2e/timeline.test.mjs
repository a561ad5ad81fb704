// Drift over time, drift methods per column, and the time histogram of the split picker, in a
// real browser: timeline values against goldens/timeline.json (pandas, scikit-learn, SciPy),
// drift values under a chosen method against goldens/drift.json (SciPy), and a click on the
// time histogram that moves the split, with window sizes recounted here from the CSV.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  useSite, newPage, waitForStatus, afterChange, screenshot, goldens, FIXTURES, ROOT, ARTIFACTS,
} from './harness.mjs';

const site = useSite();
let timeline;
let drift;

before(async () => {
  timeline = await goldens('timeline.json');
  drift = await goldens('drift.json');
});

function close(actual, expected, what, rel = 1e-9) {
  if (expected === null) {
    assert.equal(actual, '', `${what}: expected undefined`);
    return;
  }
  const a = Number(actual);
  assert.ok(Math.abs(a - expected) <= rel * Math.max(Math.abs(expected), 1e-12),
    `${what}: page ${actual} vs golden ${expected}`);
}

async function twoFiles(page) {
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(FIXTURES, 'logs', 'current.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-compare').click();
  await page.getByTestId('drift-table').waitFor();
}

async function checkTimeline(page, gold) {
  const card = page.getByTestId('timeline');
  await card.waitFor();
  assert.equal(await card.getAttribute('data-chunking'), gold.resolved, gold.name);
  assert.equal(Number(await card.getAttribute('data-chunks')), gold.chunks.length, gold.name);
  assert.equal(await card.getAttribute('data-columns'), gold.drift_columns.map((c) => c.name).join(','));
  assert.equal(await card.getAttribute('data-methods'), gold.drift_columns.map((c) => c.method).join(','));
  close(await card.getAttribute('data-reference-ece'), gold.reference.ece, 'reference ECE');
  close(await card.getAttribute('data-reference-positive-rate'), gold.reference.positive_rate, 'reference rate');
  for (const c of gold.chunks) {
    const row = page.getByTestId(`timeline-chunk-${c.index}`);
    const what = `${gold.name} ${c.label}`;
    assert.equal(await row.getAttribute('data-label'), c.label, what);
    assert.equal(Number(await row.getAttribute('data-n')), c.n, `${what} n`);
    close(await row.getAttribute('data-start'), c.start, `${what} start`);
    close(await row.getAttribute('data-positive-rate'), c.positive_rate, `${what} positive rate`);
    close(await row.getAttribute('data-score-mean'), c.score_mean, `${what} mean`);
    close(await row.getAttribute('data-p10'), c.score_p10, `${what} p10`);
    close(await row.getAttribute('data-p50'), c.score_p50, `${what} p50`);
    close(await row.getAttribute('data-p90'), c.score_p90, `${what} p90`);
    close(await row.getAttribute('data-ece'), c.ece, `${what} ECE`);
    const values = (await row.getAttribute('data-drift')).split(',');
    assert.equal(values.length, c.drift.length);
    c.drift.forEach((v, k) => close(values[k], v, `${what} drift of ${gold.drift_columns[k].name}`));
  }
}

test('drift over time: chunks by day and by week match pandas/scikit-learn/SciPy goldens', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await twoFiles(page);
  const day = timeline.cases.find((c) => c.name === 'auto_day');
  assert.equal(await page.getByTestId('chunk-select').inputValue(), 'auto');
  await checkTimeline(page, day);
  // Four charts, drawn, each exporting a well-formed SVG.
  for (const id of ['score', 'rate', 'ece', 'drift']) {
    await page.getByTestId(`timeline-chart-${id}`).locator('canvas').waitFor();
  }
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('timeline').getByTestId('export-svg').nth(3).click(),
  ]);
  const svg = await readFile(await dl.path(), 'utf8');
  assert.match(svg, /<svg[\s\S]*<\/svg>/);
  assert.match(svg, /stroke-dasharray|<polyline|<path/);
  await page.getByTestId('timeline').scrollIntoViewIfNeeded();
  await screenshot(page, 'timeline-day.png');

  await afterChange(page, () => page.getByTestId('chunk-select').selectOption('week'));
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.dataset.chunking === 'week');
  await checkTimeline(page, timeline.cases.find((c) => c.name === 'week'));
  await page.getByTestId('chunk-select').selectOption('rows-250');
  await page.waitForFunction(() => document.querySelector('[data-testid="timeline"]')?.dataset.chunking === 'rows');
  const sizes = await page.$$eval('[data-testid^="timeline-chunk-"]', (els) => els.map((e) => Number(e.dataset.n)));
  assert.deepEqual(sizes, [250, 250, 250, 250, 200]);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('drift method per column and for all columns: values follow SciPy goldens', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await twoFiles(page);
  const x1 = drift.numeric.find((e) => e.name === 'x1' && e.bins === 10);
  const x2 = drift.numeric.find((e) => e.name === 'x2' && e.bins === 10);
  const country = drift.categorical.find((e) => e.name === 'country');
  const row = (n) => page.getByTestId(`drift-row-${n}`);
  const waitMethod = (n, m) => page.waitForFunction(
    ([n2, m2]) => document.querySelector(`[data-testid="drift-row-${n2}"]`)?.dataset.method === m2, [n, m]);

  // A categorical column offers no KS or Wasserstein.
  const countryOptions = await page.getByTestId('drift-method-country').locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(!countryOptions.includes('ks') && !countryOptions.includes('wasserstein_norm'), countryOptions.join());
  assert.ok(countryOptions.includes('chi2'));

  for (const [method, expected] of [['psi', x1.psi], ['ks', x1.ks_p_value], ['kl', x1.kl_ref_cur], ['js_distance', x1.js_distance]]) {
    await page.getByTestId('drift-method-x1').selectOption(method);
    await waitMethod('x1', method);
    close(await row('x1').getAttribute('data-value'), expected, `x1 by ${method}`);
    const v = Number(await row('x1').getAttribute('data-value'));
    const drifted = method === 'ks' ? v < 0.05 : v >= 0.1;
    assert.equal(await row('x1').getAttribute('data-drifted'), String(drifted), `x1 by ${method}`);
    assert.equal(await row('x1').getAttribute('data-method-source'), 'column');
    // Only the chosen row changed.
    assert.equal(await row('x2').getAttribute('data-method'), 'wasserstein_norm');
  }
  await page.getByTestId('drift-method-country').selectOption('chi2');
  await waitMethod('country', 'chi2');
  close(await row('country').getAttribute('data-value'), country.chi2_p_value, 'country by chi2');
  assert.equal(await row('country').getAttribute('data-drifted'), String(country.chi2_p_value < 0.05));
  await screenshot(page, 'drift-methods.png');

  // For all columns: every row follows (where the method applies), per-column choices cleared.
  await page.getByTestId('drift-method-all').selectOption('psi');
  await waitMethod('country', 'psi');
  for (const [n, g] of [['x1', x1.psi], ['x2', x2.psi], ['country', country.psi]]) {
    assert.equal(await row(n).getAttribute('data-method'), 'psi', n);
    assert.equal(await row(n).getAttribute('data-method-source'), 'all', n);
    close(await row(n).getAttribute('data-value'), g, `${n} by psi`);
  }
  // The timeline follows the drift table's methods.
  assert.match(await page.getByTestId('timeline').getAttribute('data-methods'), /^psi,psi,psi,psi$/);
  // The choice is a setting: it travels in the JSON export.
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await dl.path(), 'utf8'));
  assert.equal(report.settings.drift_method, 'psi');
  assert.equal(report.settings.chunking.kind, 'auto');
  assert.equal(report.timeline.drift_columns[0].method, 'psi');
  // Back to the default rule.
  await page.getByTestId('drift-method-all').selectOption('');
  await waitMethod('x1', 'wasserstein_norm');
  assert.equal(await row('x1').getAttribute('data-method-source'), 'default');
  assert.deepEqual(errors, []);
  await page.context().close();
});

/** Rows of the demo CSV (no quoted fields) that the statistics use. */
async function demoRows() {
  const text = await readFile(join(ROOT, 'public', 'demo.csv'), 'utf8');
  const [head, ...lines] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const cols = head.split(',');
  return lines.map((l) => {
    const f = l.split(',');
    return Object.fromEntries(cols.map((c, i) => [c, f[i] ?? '']));
  }).filter((r) => {
    const s = r.score.trim() === '' ? NaN : Number(r.score);
    return Number.isFinite(s) && s >= 0 && s <= 1 && (r.label === '0' || r.label === '1');
  });
}

test('clicking the time histogram moves the split; window sizes match the CSV', async () => {
  const rows = await demoRows();
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const demo = page.getByTestId('load-demo');
  await demo.waitFor();
  await demo.click();
  await waitForStatus(page, 'ready');
  await page.getByTestId('window-mode').selectOption('split_at');
  const hist = page.getByTestId('time-histogram');
  await hist.waitFor();
  const width = Number(await hist.getAttribute('data-width'));
  const first = Number(await hist.getAttribute('data-first'));
  const buckets = Number(await hist.getAttribute('data-buckets'));
  // Independent count: rows per bucket of that width, all within the histogram's span.
  const times = rows.map((r) => Date.parse(r.timestamp) / 1000);
  assert.equal(Math.floor(Math.min(...times) / width) * width, first);
  assert.equal(Math.floor(Math.max(...times) / width) * width, first + (buckets - 1) * width);

  const chart = page.getByTestId('time-histogram-chart');
  const canvas = chart.locator('canvas');
  await canvas.waitFor();
  const left = Number(await chart.getAttribute('data-plot-left'));
  const right = Number(await chart.getAttribute('data-plot-right'));
  const top = Number(await chart.getAttribute('data-plot-top'));
  const bottom = Number(await chart.getAttribute('data-plot-bottom'));
  // Aim 30% into the bucket at 60% of the span: the split snaps back to that bucket's start.
  const k = Math.floor(buckets * 0.6);
  const target = first + (k + 0.3) * width;
  const x = left + ((target - first) / (buckets * width)) * (right - left);
  await canvas.click({ position: { x, y: (top + bottom) / 2 } });
  const expected = first + k * width;
  await page.waitForFunction((e) => document.querySelector('[data-testid="time-histogram"]')?.dataset.split === String(e), expected);
  // The input shows the same time (Chromium drops ":00" seconds from datetime-local values).
  assert.equal(Date.parse(`${await page.getByTestId('split-timestamp').inputValue()}Z`) / 1000, expected);
  await waitForStatus(page, 'ready');
  await page.getByTestId('windows-bar').waitFor();
  const sizes = {
    reference: Number(await page.getByTestId('window-n-reference').getAttribute('data-value')),
    current: Number(await page.getByTestId('window-n-current').getAttribute('data-value')),
  };
  assert.deepEqual(sizes, {
    reference: times.filter((t) => t < expected).length,
    current: times.filter((t) => t >= expected).length,
  });
  await screenshot(page, 'time-histogram-split.png');
  // The sidebar scrolls on its own: a picture of the panel itself, histogram and split marker.
  await page.getByTestId('windows-panel').scrollIntoViewIfNeeded();
  await page.getByTestId('windows-panel').screenshot({ path: join(ARTIFACTS, 'time-histogram-panel.png') });
  // The keyboard path still works, and the histogram's marker follows it.
  await page.getByTestId('split-timestamp').fill(new Date((first + 2 * width) * 1000).toISOString().slice(0, 19));
  await page.getByTestId('split-timestamp').dispatchEvent('change');
  await page.waitForFunction((e) => document.querySelector('[data-testid="time-histogram"]')?.dataset.split === String(e), first + 2 * width);
  // The new split's report, not the previous one (kept on screen, dimmed, meanwhile).
  await waitForStatus(page, 'ready');
  // The Compare view has its timeline for the split too.
  await page.getByTestId('tab-compare').click();
  await page.getByTestId('timeline').waitFor();
  await page.getByTestId('timeline').scrollIntoViewIfNeeded();
  await screenshot(page, 'timeline-demo.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});
