// Progressive analysis: the first answer (headline numbers, status ready) shows at once, marked
// provisional (`data-complete="false"`, the pending numbers say "computing…", exports disabled),
// then the complete report replaces it (`data-complete="true"`) without flashing. Every state is
// recorded by a MutationObserver, so the provisional one is seen however briefly it lasts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, newPage, waitForStatus, readMetrics } from './harness.mjs';

const site = useSite();

/**
 * Record every distinct UI state from now on, at each DOM mutation under the app root:
 * status, `data-complete`, whether the JSON export is disabled (null when absent), whether the
 * calibration slope card says "computing…", the number of reliability bins on screen, and
 * whether the page is empty (no metric cards: a flash).
 */
async function record(page) {
  await page.getByTestId('load-demo').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    window.__states = [];
    const note = () => {
      const q = (id) => document.querySelector(`[data-testid="${id}"]`);
      const entry = {
        state: q('status')?.dataset.state ?? null,
        complete: q('app')?.dataset.complete ?? null,
        exportDisabled: q('export-json') ? q('export-json').disabled : null,
        slopePending: q('metric-calibration_slope')?.dataset.pending ?? null,
        slopeUndefined: q('metric-calibration_slope')?.dataset.undefined ?? null,
        bins: q('reliability-chart')?.dataset.bins ?? null,
        cards: document.querySelectorAll('[data-testid^="metric-"]').length,
        completing: Boolean(q('completing')),
      };
      const key = JSON.stringify(entry);
      if (window.__states.at(-1)?.key !== key) window.__states.push({ ...entry, key });
    };
    note();
    new MutationObserver(note).observe(document.body, {
      attributes: true, childList: true, subtree: true, characterData: true,
    });
  });
}

const states = (page) => page.evaluate(() => window.__states);

test('the first answer shows at once, provisional, then the complete report replaces it', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await record(page);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  const seen = await states(page);
  const first = seen.findIndex((s) => s.state === 'ready' && s.complete === 'false' && s.cards > 0);
  const done = seen.findIndex((s) => s.state === 'ready' && s.complete === 'true');
  assert.ok(first >= 0, `a provisional report was shown: ${JSON.stringify(seen)}`);
  assert.ok(done > first, 'the complete report came after the provisional one');
  // Provisional: the slope (a complete-pass number) says "computing…", not undefined, and
  // the export waits; the "computing" badge is up.
  const provisional = seen.filter((s) => s.state === 'ready' && s.complete === 'false' && s.cards > 0);
  assert.ok(provisional.some((s) => s.slopePending === 'true' && s.slopeUndefined === 'false'));
  assert.ok(provisional.some((s) => s.completing));
  for (const s of seen) {
    if (s.complete !== 'true') assert.notEqual(s.exportDisabled, false, `export enabled while provisional: ${s.key}`);
  }
  // No flash: from the first answer on, the metric cards never left the screen.
  assert.ok(seen.slice(first).every((s) => s.cards > 0), 'the views never emptied');
  // Complete: the slope has its value, the export is enabled, the badge is gone.
  const last = seen.at(-1);
  assert.equal(last.complete, 'true');
  assert.equal(last.slopePending, null);
  assert.equal(last.exportDisabled, false);
  assert.equal(last.completing, false);
  const metrics = await readMetrics(page);
  assert.ok(Number.isFinite(metrics.calibration_slope), 'the slope arrived');
  // The views of the complete pass show their content, not "computing…".
  await page.getByTestId('tab-quality').click();
  await page.getByTestId('tab-quality').waitFor();
  assert.equal(await page.getByTestId('computing').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a settings change during the complete pass: the stale complete report is ignored', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  // As soon as the first answer is on screen, change the bins (its complete pass is running).
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === 'ready');
  await record(page);
  await page.getByTestId('bins-input').fill('7');
  await page.getByTestId('bins-input').dispatchEvent('change');
  await waitForStatus(page, 'ready');
  const seen = await states(page);
  // Once the new settings' report is on screen, no report for the old bins comes back.
  const firstNew = seen.findIndex((s) => s.bins === '7');
  assert.ok(firstNew >= 0, `the new bins were shown: ${JSON.stringify(seen)}`);
  assert.ok(seen.slice(firstNew).every((s) => s.bins === '7'), 'a stale report replaced the new one');
  assert.ok(seen.every((s) => s.cards > 0), 'the views never emptied');
  const last = seen.at(-1);
  assert.equal(last.complete, 'true');
  assert.equal(last.bins, '7');
  assert.deepEqual(errors, []);
  await page.context().close();
});
