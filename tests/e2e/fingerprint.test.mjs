// A file's fingerprint (SHA-256) may come after its first answer: the worker answers the load
// and the first analysis while the browser still hashes the file, as it does for a 10M-row
// log (issue #9). `?hash=late` holds every fingerprint back 1.5 s, so that order is checked
// here on a fixture: the first answer is on screen with the fingerprint "computing…", the
// complete report, the exports and share links wait for it, and a share link's check is
// finished when it comes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, newPage, readMetrics, screenshot, FIXTURES } from './harness.mjs';

const site = useSite();
const PATH = join(FIXTURES, 'logs', 'basic.csv');

/** Wait for the first answer on screen (the status is ready, nothing in flight), complete or not. */
async function waitForFirst(page) {
  await page.waitForFunction(() => {
    const app = document.querySelector('[data-testid="app"]');
    return document.querySelector('[data-testid="status"]')?.dataset.state === 'ready'
      && app?.dataset.busy !== 'true';
  }, null, { timeout: 30000 });
}

async function load(page) {
  const buffer = await readFile(PATH);
  await page.getByTestId('file-input').setInputFiles({ name: 'basic.csv', mimeType: 'text/csv', buffer });
  await page.locator('.file-name', { hasText: 'basic.csv' }).waitFor();
  return createHash('sha256').update(buffer).digest('hex');
}

test('the first answer does not wait for the fingerprint; the complete report and exports do', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url + '?hash=late');
  await page.getByTestId('load-demo').waitFor();
  const sha256 = await load(page);
  await waitForFirst(page);
  // The first answer is shown; the fingerprint is still being computed.
  assert.equal((await page.getByTestId('file-sha256').innerText()).trim(), 'computing…');
  await screenshot(page, 'fingerprint-computing.png');
  const first = await readMetrics(page);
  assert.ok(Object.values(first).some(Number.isFinite), JSON.stringify(first));
  assert.equal(await page.locator('[data-complete="true"]').count(), 0, 'the complete report waits');
  assert.ok(await page.getByTestId('export-json').isDisabled());
  assert.ok(await page.getByTestId('share-link').isDisabled());
  // Then the fingerprint, and the complete report with it.
  await page.locator('[data-complete="true"]').waitFor({ timeout: 30000 });
  assert.equal((await page.getByTestId('file-sha256').innerText()).trim(), `${sha256.slice(0, 16)}…`);
  assert.equal(await page.getByTestId('file-sha256').getAttribute('title'), sha256);
  // The headline numbers were final in the first answer already.
  const complete = await readMetrics(page);
  for (const [key, value] of Object.entries(first)) {
    if (value !== null) assert.equal(complete[key], value, key);
  }
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(report.input.files[0].sha256, sha256);
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, /#review=[A-Za-z0-9_-]+$/);
  await page.context().close();

  // A colleague opens the link: the settings apply at once, the check when the hash is done.
  const colleague = await newPage(site.browser, errors);
  await colleague.goto(url.replace('#', '?hash=late#'));
  await load(colleague);
  await waitForFirst(colleague);
  const notice = colleague.getByTestId('share-notice');
  assert.equal(await notice.getAttribute('data-kind'), 'pending');
  assert.match(await notice.innerText(), /checking the file against the link/);
  await screenshot(colleague, 'fingerprint-share-checking.png');
  await colleague.locator('[data-testid="share-notice"][data-kind="match"]').waitFor({ timeout: 30000 });
  await colleague.context().close();
  assert.deepEqual(errors, []);
});
