// No data leaves the browser: during a whole session (load, analyse, every view, exports) the
// page requests nothing from any origin but its own, and never sends a request body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, FIXTURES } from './harness.mjs';

const site = useSite();

test('a full session requests only the site itself, with no uploads', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(FIXTURES, 'logs', 'current.csv'));
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('Compared'));
  await waitForStatus(page, 'ready'); // the complete report, not only the first answer
  for (const tab of ['overview', 'calibration', 'thresholds', 'compare', 'quality', 'diagnosis', 'signoff']) {
    await page.getByTestId(`tab-${tab}`).click();
  }
  for (const id of ['export-html', 'export-md', 'export-json-signed']) {
    await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
  }
  await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  assert.ok(requests.length > 0);
  for (const r of requests) {
    const url = new URL(r.url);
    const local = url.origin === site.server.origin || url.protocol === 'blob:' || url.protocol === 'data:';
    assert.ok(local, `request to another origin: ${r.url}`);
    assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
    assert.ok(!r.body, `a request carried a body: ${r.url}`);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});
