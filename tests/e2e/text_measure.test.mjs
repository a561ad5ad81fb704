// Chart text is measured by the canvas (`measureText`, src/app/canvas_backend.rs), not by
// plotters' default of adding a `<span>` to the page and reading its size, which forced a
// layout of the whole document for every label measured (≈ 15–20 ms of a 1M-row first answer,
// issue #9). Drawing the demo's charts must add no such span to the page, and the charts must
// still lay out their text: the plot panel leaves room for the y axis's labels and title.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, newPage, waitForStatus } from './harness.mjs';

const site = useSite();

test('charts measure their text without adding elements to the page', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.addInitScript(() => {
    window.__measureSpans = 0;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          // plotters' measuring span: fixed, below the viewport (`top: 100%`).
          if (n.nodeName === 'SPAN' && /top:\s*100%/.test(n.getAttribute?.('style') ?? '')) {
            window.__measureSpans += 1;
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready', 60000);
  for (const tab of ['calibration', 'thresholds']) {
    await page.getByTestId(`tab-${tab}`).click();
    await page.locator('canvas').first().waitFor();
  }
  const plot = page.getByTestId('threshold-chart');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="threshold-chart"]')?.dataset.plotLeft,
  );
  assert.equal(await page.evaluate(() => window.__measureSpans), 0);
  // Room for tick labels ("0.0" … "1.0") and the rotated axis title at the left.
  assert.ok(Number(await plot.getAttribute('data-plot-left')) > 30);
  assert.deepEqual(errors, []);
  await page.context().close();
});
