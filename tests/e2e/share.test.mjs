// Share links and the review in progress: a link carries the settings (never the data) and the
// file's fingerprint; a colleague opening it with the same file sees the same view and is told
// the file matches; a different file is flagged; a malformed link falls back to defaults; a
// reload restores the review from local storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, afterChange, screenshot, FIXTURES } from './harness.mjs';

const site = useSite();

const basic = join(FIXTURES, 'logs', 'basic.csv');

async function settingsOf(page) {
  return {
    bins: await page.getByTestId('bins-input').inputValue(),
    strategy: await page.getByTestId('strategy-select').inputValue(),
    threshold: await page.getByTestId('threshold-input').inputValue(),
    tab: await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-testid'),
    ece: await page.getByTestId('metric-ece').getAttribute('data-value').catch(() => null),
  };
}

test('a share link reproduces the view in a new browser context and checks the file', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(basic);
  await waitForStatus(page, 'ready');
  // The numbers read below are the new report's, not the previous one kept on screen meanwhile.
  await afterChange(page, async () => {
    await page.getByTestId('strategy-select').selectOption('quantile');
    await page.getByTestId('bins-input').fill('7');
    await page.getByTestId('bins-input').dispatchEvent('change');
    await page.getByTestId('threshold-input').fill('0.3');
    await page.getByTestId('threshold-input').dispatchEvent('change');
  });
  // An edited gate travels in the link too.
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('gate-limit-0').fill('0.0375');
  await page.getByTestId('gate-limit-0').dispatchEvent('change');
  await page.getByTestId('tab-overview').click();
  const before = await settingsOf(page);
  assert.equal(before.bins, '7');
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  assert.match(url, /#review=[A-Za-z0-9_-]+$/);
  assert.ok(!url.includes('0.60478'), 'no data in the link');
  await page.context().close();

  // A colleague: a fresh context (no local storage), the same file.
  const colleague = await newPage(site.browser, errors);
  await colleague.goto(url);
  assert.equal(await colleague.getByTestId('share-notice').getAttribute('data-kind'), 'pending');
  await colleague.getByTestId('file-input').setInputFiles(basic);
  await waitForStatus(colleague, 'ready');
  // The check waits for the file's fingerprint, which may come just after the first answer.
  await colleague.locator('[data-testid="share-notice"][data-kind="match"]').waitFor();
  assert.deepEqual(await settingsOf(colleague), before);
  await screenshot(colleague, 'share-link-match.png');
  await colleague.getByTestId('tab-signoff').click();
  assert.equal(await colleague.getByTestId('gate-limit-0').inputValue(), '0.0375');
  await colleague.context().close();

  // Another file under the same link is flagged.
  const other = await newPage(site.browser, errors);
  await other.goto(url);
  await other.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'ties.csv'));
  await waitForStatus(other, 'ready');
  await other.locator('[data-testid="share-notice"][data-kind="mismatch"]').waitFor();
  await other.context().close();
  assert.deepEqual(errors, []);
});

test('a malformed or oversized link is rejected with a message, and the defaults work', async () => {
  const errors = [];
  for (const fragment of ['#review=!!!not-base64', '#review=e30', `#review=${'A'.repeat(20000)}`, '#review=eyJ2Ijo5fQ']) {
    const page = await newPage(site.browser, errors);
    await page.goto(site.server.url + fragment);
    assert.equal(await page.getByTestId('share-notice').getAttribute('data-kind'), 'error', fragment.slice(0, 30));
    await page.getByTestId('file-input').setInputFiles(basic);
    await waitForStatus(page, 'ready');
    assert.equal(await page.getByTestId('bins-input').inputValue(), '10');
    await page.context().close();
  }
  assert.deepEqual(errors, []);
});

test('a reload keeps the review in progress (settings only, from local storage)', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(basic);
  await waitForStatus(page, 'ready');
  await page.getByTestId('bins-input').fill('12');
  await page.getByTestId('bins-input').dispatchEvent('change');
  await page.getByTestId('tab-calibration').click();
  const stored = await page.evaluate(() => localStorage.getItem('plumb.review'));
  assert.ok(stored && stored.startsWith('review='));
  assert.ok(!stored.includes('0.60478'), 'no data in local storage');
  await page.reload();
  assert.equal(await page.getByTestId('share-notice').getAttribute('data-kind'), 'restored');
  await page.getByTestId('file-input').setInputFiles(basic);
  await waitForStatus(page, 'ready');
  assert.equal(await page.getByTestId('bins-input').inputValue(), '12');
  assert.equal(await page.getByTestId('tab-calibration').getAttribute('aria-selected'), 'true');
  assert.deepEqual(errors, []);
  await page.context().close();
});
