// What a demanding reader sees on the demo log: counts written with thousands separators, a
// confusion matrix whose counts line up, check titles that line up whatever their status, and
// a missing-values chart whose share axis stays within [0, 1] with its title whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { useSite, newPage, waitForStatus } from './harness.mjs';

const site = useSite();

async function openDemo(errors, width = 1280) {
  const page = await newPage(site.browser, errors);
  await page.setViewportSize({ width, height: 800 });
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  return page;
}

test('quality checks write counts with thousands separators, never call a few missing values 0.0%, and line up their titles', async () => {
  const errors = [];
  const page = await openDemo(errors);
  await page.getByTestId('tab-quality').click();
  await page.getByTestId('quality-checks').waitFor();
  // The demo has 20,000 rows, all ids distinct, and 3 rows without a label.
  assert.match(await page.getByTestId('quality-duplicate_ids').textContent(), /all 20,000 ids are distinct/);
  assert.match(await page.getByTestId('quality-timestamps_order').textContent(), /all 20,000 timestamps in order/);
  assert.match(await page.getByTestId('quality-missing_rates').textContent(), /highest: label at <0\.1%/);
  const details = await page.$$eval('.check-detail', (els) => els.map((e) => e.textContent));
  for (const d of details) {
    // Dates, decimals and exponents aside, no run of four digits: counts are grouped.
    const plain = d.replace(/\d{4}-\d\d-\d\dT[\d:]+Z/g, '').replace(/\d*\.\d+(e[-+]?\d+)?/g, '');
    assert.ok(!/\d{4,}/.test(plain), `a count without separators: ${d}`);
  }
  const lefts = await page.$$eval('.checks .check-title', (els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
  assert.ok(lefts.length >= 10);
  assert.equal(new Set(lefts).size, 1, `check titles start at ${[...new Set(lefts)]}`);
  assert.deepEqual(errors, []);
  await page.context().close();
});

for (const width of [1280, 800]) {
  test(`the confusion matrix's counts line up across each row at ${width} px`, async () => {
    const errors = [];
    const page = await openDemo(errors, width);
    await page.getByTestId('tab-thresholds').click();
    await page.getByTestId('confusion-tp').waitFor();
    const top = (key) => page.$eval(`[data-testid="confusion-${key}"] .cm-count`, (e) => Math.round(e.getBoundingClientRect().top));
    assert.equal(await top('tp'), await top('fp'), 'predicted positive: true and false positives');
    assert.equal(await top('fn'), await top('tn'), 'predicted negative: false and true negatives');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
}

test('the missing-values chart of a log with nothing missing runs from 0 to 1 and its axis title is whole', async () => {
  const errors = [];
  const page = await openDemo(errors);
  await page.getByTestId('tab-operations').click();
  const chart = page.getByTestId('ops-chart-missing');
  await chart.waitFor();
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    chart.locator('xpath=following-sibling::div[contains(@class, "chart-actions")][1]').getByTestId('export-svg').click(),
  ]);
  const svg = await readFile(await dl.path(), 'utf8');
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1].trim());
  assert.ok(texts.includes('Share missing'), `the y title: ${texts.join(' | ')}`);
  assert.ok(!texts.some((t) => t.endsWith('…')), 'no text is cut');
  const ticks = texts.filter((t) => /^-?\d+(\.\d+)?$/.test(t)).map(Number);
  assert.ok(ticks.length >= 2, `y ticks: ${ticks}`);
  assert.equal(Math.min(...ticks), 0);
  assert.equal(Math.max(...ticks), 1, `a share axis ends at 1: ${ticks}`);
  assert.deepEqual(errors, []);
  await page.context().close();
});
