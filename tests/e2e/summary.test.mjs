// The summary input in a real browser: a summary file produced by sql/summary_duckdb.sql
// (tests/fixtures/summary/bench_summary.csv) loads like a log, the page says it is a summary,
// and the Overview, Calibration and Thresholds tabs show what counts determine, checked against
// scikit-learn on the raw rows (goldens/summary.json): exact metrics to 1e-9, the AUC within the
// stated bound, the confusion counts at 0.5 exactly.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  useSite, newPage, waitForStatus, readMetrics, screenshot, goldens, FIXTURES,
} from './harness.mjs';

const site = useSite();
let gold;

before(async () => {
  gold = (await goldens('summary.json')).logs.bench.windows;
});

function close(actual, expected, key, tol = 1e-9) {
  assert.ok(actual !== null && actual !== undefined, `${key}: missing on the page`);
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${key}: page ${actual} vs raw rows ${expected} (tolerance ${tol})`);
}

test('a DuckDB summary file loads, says it is a summary, and its metrics match the raw rows', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(join(FIXTURES, 'summary', 'bench_summary.csv'));
  await waitForStatus(page, 'ready');

  const notice = page.getByTestId('summary-notice');
  await notice.waitFor();
  assert.equal(await notice.getAttribute('data-buckets'), '1000');
  assert.match(await notice.textContent(), /Summary input/);
  assert.match(await notice.textContent(), /AUC is within/);

  // The current window is the one shown; every metric the summary determines matches.
  const g = gold.current;
  const shown = await readMetrics(page);
  assert.equal(shown.n, g.n);
  assert.equal(shown.positives, g.positives);
  close(shown.mean_score, g.mean_score, 'mean_score');
  close(shown.brier_score, g.brier_score, 'brier_score');
  close(shown.log_loss, g.log_loss, 'log_loss');
  close(shown.ece, g.ece, 'ece');
  close(shown.roc_auc, g.roc_auc, 'roc_auc', g.auc_bound);
  // What needs the raw rows is absent, not invented.
  assert.equal(shown.smooth_ece, null);
  assert.equal(shown.hosmer_lemeshow_p_value, null);
  assert.equal(await page.getByTestId('rows-used').getAttribute('data-value'), String(gold.reference.n + g.n));
  // A summary's lines are counts, not rows: the Rows card and the File panel say so.
  assert.match(await page.getByTestId('row-accounting').textContent(), /summary lines read[\s\S]*rows counted/);
  assert.equal(await page.getByTestId('rows-summary-hint').count(), 1);
  // No per-row roles in a summary (its columns are fixed by the format): no role pickers, no
  // challenger checkboxes, a note instead.
  await page.getByTestId('summary-columns-note').waitFor();
  assert.equal(await page.getByTestId('role-score').count(), 0);
  assert.equal(await page.getByTestId('role-challengers').count(), 0);
  // Its windows are its own: no window picker either.
  await page.getByTestId('summary-windows-note').waitFor();
  assert.equal(await page.getByTestId('window-mode').count(), 0);
  await screenshot(page, 'summary-overview.png');

  await page.getByTestId('tab-calibration').click();
  await page.getByTestId('calibration-view').waitFor();
  await screenshot(page, 'summary-calibration.png');

  await page.getByTestId('tab-thresholds').click();
  await page.getByTestId('thresholds-view').waitFor();
  const at = g.sweep[50];
  assert.equal(at.threshold, 0.5);
  for (const key of ['tp', 'fp', 'tn', 'fn']) {
    const cell = page.getByTestId(`confusion-${key}`);
    await page.waitForFunction(
      (k) => document.querySelector(`[data-testid="confusion-${k}"]`)?.dataset.value !== '',
      key,
    );
    assert.equal(await cell.getAttribute('data-value'), String(at[key]), `confusion ${key} at 0.5`);
  }
  await screenshot(page, 'summary-thresholds.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a broken summary line is reported with its line and column', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  const text = 'plumb_summary,buckets,window_name,segment,label,bucket_lo,bucket_hi,row_count,score_sum,score_sq_sum,log_loss_sum\n'
    + 'v1,10,all,,0,0.2,0.2,3,0.6,0.12,0.6\n'
    + 'v1,10,all,,7,0.2,0.2,3,0.6,0.12,0.6\n';
  await input.setInputFiles({ name: 'broken-summary.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  const panel = page.getByTestId('analysis-error');
  await panel.waitFor();
  assert.match(await panel.textContent(), /line 3, column label/);
  assert.deepEqual(errors, []);
  await page.context().close();
});
