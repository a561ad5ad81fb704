// A file too large for the browser's `crypto.subtle.digest` (over 256 MiB: the 10M-row log) is
// fingerprinted by the analysis worker's nested parse helper — SHA-256 compiled to wasm, the
// helper reading the file itself — while the analysis worker parses it, not on the parsing
// thread (issue #9). `?hash=helper` sends every file that way, so the path is checked here on
// a fixture: the fingerprint must be Node's SHA-256 of the bytes, and the report the one the
// browser-digest path gives. The worker records who hashed the last load in
// `self.__plumbLastHash` (`browser`, `helper` or `here`). Such a file is read for the analysis
// worker by a reader worker (`self.__plumbReadBy`: `worker`, not `here`). A digest worker hashes
// once the first answer is out (`self.__plumbHashStart`: `go`), or after a wait if it is never
// told (`wait`, forced by `?hash=nogo`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, FIXTURES } from './harness.mjs';

const site = useSite();

/** The first of the page's workers' values of global `name` that is set (the analysis
 * worker's: `__plumbLastHash`, who fingerprinted the last load; `__plumbDigestWorker`, whether
 * that load's digest worker was started ahead, `spare`, or by the load, `new`). */
async function workerGlobal(page, name) {
  for (const w of page.workers()) {
    const value = await w.evaluate((n) => self[n] ?? null, name).catch(() => null);
    if (value) return value;
  }
  return null;
}

/** Who fingerprinted the analysis worker's last load (`self.__plumbLastHash`). */
async function lastHash(page) {
  return workerGlobal(page, '__plumbLastHash');
}

/** The page's JSON export, without its generator. */
async function exportJson(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  delete report.generator;
  return report;
}

/** Load `path` in a page opened with `query` and return the JSON export (without the
 * generator) and who hashed the file. With `warmUp`, the same bytes are loaded once before
 * under another name: the first file the helper is asked to hash starts it, and a file this
 * small is parsed (and hashed here) before the helper's wasm is ready. */
async function exported(path, query, warmUp) {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url + query);
  await page.getByTestId('load-demo').waitFor();
  const buffer = await readFile(path);
  const file = { name: 'basic.csv', mimeType: 'text/csv', buffer };
  if (warmUp) {
    await page.getByTestId('file-input').setInputFiles({ ...file, name: 'warm-up.csv' });
    await page.locator('.file-name', { hasText: 'warm-up.csv' }).waitFor();
    await waitForStatus(page, 'ready', 60000);
  }
  await page.getByTestId('file-input').setInputFiles(file);
  await page.locator('.file-name', { hasText: 'basic.csv' }).waitFor();
  await waitForStatus(page, 'ready', 60000);
  const report = await exportJson(page);
  const how = await lastHash(page);
  const readBy = await workerGlobal(page, '__plumbReadBy');
  assert.deepEqual(errors, []);
  await page.context().close();
  return { report, how, readBy };
}

test('the parse helper fingerprints a file as the browser does, and the report is the same', async () => {
  const path = join(FIXTURES, 'logs', 'basic.csv');
  const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  const helper = await exported(path, '?hash=helper', true);
  const browser = await exported(path, '', false);
  assert.equal(helper.how, 'helper');
  // The reader worker passed the slices on: the analysis worker read none itself.
  assert.equal(helper.readBy, 'worker');
  assert.equal(browser.how, 'browser');
  assert.equal(helper.report.input.files[0].sha256, sha256);
  assert.deepEqual(helper.report, browser.report);
});

test('every load’s digest worker was started ahead, while the worker was idle, and hashes right', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  // The warm-up ends by starting the first load's digest worker.
  for (let i = 0; i < 100 && (await workerGlobal(page, '__plumbWarm')) !== true; i += 1) {
    await page.waitForTimeout(100);
  }
  for (const name of ['basic.csv', 'current.csv']) {
    const path = join(FIXTURES, 'logs', name);
    const buffer = await readFile(path);
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer });
    await page.locator('.file-name', { hasText: name }).waitFor();
    await waitForStatus(page, 'ready', 60000);
    await page.locator('[data-complete="true"]').waitFor({ timeout: 60000 });
    assert.equal(await workerGlobal(page, '__plumbDigestWorker'), 'spare', name);
    assert.equal(await lastHash(page), 'browser', name);
    // It hashed the file once told to (the first answer was out), not while the first pass ran.
    assert.equal(await workerGlobal(page, '__plumbHashStart'), 'go', name);
    const sha256 = createHash('sha256').update(buffer).digest('hex');
    assert.equal((await exportJson(page)).input.files[0].sha256, sha256, name);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a digest worker never told to hash hashes after its wait; the report then comes', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  // `?hash=nogo`: the analysis worker never tells its digest workers to hash (it does once the
  // first answer is out); each then hashes after its wait (2 s).
  await page.goto(site.server.url + '?hash=nogo');
  await page.getByTestId('load-demo').waitFor();
  const path = join(FIXTURES, 'logs', 'basic.csv');
  const buffer = await readFile(path);
  const name = 'basic.csv';
  const loaded = Date.now();
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer });
  await page.locator('.file-name', { hasText: name }).waitFor();
  await waitForStatus(page, 'ready', 60000);
  const sha256 = createHash('sha256').update(buffer).digest('hex');
  await page.locator(`[data-testid="file-sha256"][title="${sha256}"]`).waitFor({ timeout: 20000 });
  assert.ok(Date.now() - loaded >= 2000, 'the fingerprint came before the wait was over');
  await page.locator('[data-complete="true"]').waitFor({ timeout: 60000 });
  assert.equal(await workerGlobal(page, '__plumbHashStart'), 'wait');
  assert.equal((await exportJson(page)).input.files[0].sha256, sha256);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a newer load of the same slot stops the helper’s hash of the older file; the newer one’s is right', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  // Every file hashed by the helper, each fingerprint held back 1.5 s after the first answer:
  // the older file's hash is still wanted when the newer file arrives.
  await page.goto(site.server.url + '?hash=helper&hash=late');
  await page.getByTestId('load-demo').waitFor();
  const file = async (name) => ({ name, mimeType: 'text/csv', buffer: await readFile(join(FIXTURES, 'logs', name)) });
  // A first load starts the helper (its wasm is then ready for the next ones).
  const warm = await file('reference.csv');
  await page.getByTestId('file-input').setInputFiles({ ...warm, name: 'warm-up.csv' });
  await page.locator('.file-name', { hasText: 'warm-up.csv' }).waitFor();
  await page.locator('[data-complete="true"]').waitFor({ timeout: 60000 });
  const older = await file('basic.csv');
  await page.getByTestId('file-input').setInputFiles(older);
  // The older file is answered; its fingerprint is still being computed.
  await page.locator('.file-name', { hasText: 'basic.csv' }).waitFor();
  assert.equal((await page.getByTestId('file-sha256').innerText()).trim(), 'computing…');
  const newer = await file('current.csv');
  await page.getByTestId('file-input').setInputFiles(newer);
  await page.locator('.file-name', { hasText: 'current.csv' }).waitFor();
  await page.locator('[data-complete="true"]').waitFor({ timeout: 60000 });
  const sha256 = createHash('sha256').update(newer.buffer).digest('hex');
  assert.equal(await page.getByTestId('file-sha256').getAttribute('title'), sha256);
  assert.equal((await exportJson(page)).input.files[0].sha256, sha256);
  assert.equal(await workerGlobal(page, '__plumbHashesStopped'), 1);
  // Let the older file's held-back fingerprint time pass: it is not computed here instead.
  await page.waitForTimeout(2000);
  assert.equal(await lastHash(page), 'helper');
  assert.deepEqual(errors, []);
  await page.context().close();
});
