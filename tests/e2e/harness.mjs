// Shared set-up for the browser suite: a static server that serves dist/ under a sub-path
// (the site must work from any sub-path of any static host), and Debian's Chromium driven by
// playwright-core.
import { before, after } from 'node:test';
import { createServer } from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const DIST = join(ROOT, 'dist');
export const FIXTURES = join(ROOT, 'tests', 'fixtures');
export const ARTIFACTS = join(here, 'artifacts');
/** The sub-path the site is served under in every test. */
export const BASE_PATH = '/team/models/plumb/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.gz': 'application/gzip',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** Serve dist/ (or another build's `dir`) under BASE_PATH on a free loopback port. Returns
 * { url, close, requests }. */
export async function serveDist(dir = DIST) {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    try {
      const url = new URL(req.url, 'http://localhost');
      if (!url.pathname.startsWith(BASE_PATH)) {
        res.writeHead(404).end('outside the site');
        return;
      }
      let rel = decodeURIComponent(url.pathname.slice(BASE_PATH.length)) || 'index.html';
      const file = normalize(join(dir, rel));
      if (!file.startsWith(dir)) {
        res.writeHead(403).end();
        return;
      }
      const info = await stat(file).catch(() => null);
      const path = info && info.isDirectory() ? join(file, 'index.html') : file;
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': MIME[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Launch Debian's Chromium headless (no browser download is possible here), with any
 * flags in `EXTRA_CHROMIUM_ARGS` (space-separated; for experiments in the benchmarks, such as
 * `--js-flags=--no-wasm-dynamic-tiering`). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
      ...(process.env.EXTRA_CHROMIUM_ARGS ? process.env.EXTRA_CHROMIUM_ARGS.split(' ') : []),
    ],
  });
}

/**
 * The preamble of every test file: serve dist/ and launch Chromium before the file's tests,
 * close both after them. Returns `{ server, browser }`, filled in once the tests run.
 */
export function useSite() {
  const site = { server: null, browser: null };
  before(async () => {
    site.server = await serveDist();
    site.browser = await launch();
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}

/** A new page that fails the test on any uncaught page error (a panic in wasm is a bug). */
export async function newPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 }, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return page;
}

/**
 * Wait until the status element reaches `state` (ready or error) and no analysis is in flight
 * (the app root's `data-busy` is not `true`: while a new report is computed the previous one
 * stays on screen, dimmed); for `ready`, also until the complete report has replaced the
 * provisional first answer (`data-complete="true"`). Returns the status text.
 */
export async function waitForStatus(page, state, timeout = 30000) {
  const status = page.getByTestId('status');
  await page.waitForFunction(
    (s) => {
      const app = document.querySelector('[data-testid="app"]');
      return document.querySelector('[data-testid="status"]')?.dataset.state === s
        && app?.dataset.busy !== 'true'
        && (s !== 'ready' || app?.dataset.complete === 'true');
    },
    state,
    { timeout },
  );
  return (await status.textContent()).trim();
}

/** The id of the report on screen (`data-report-id` of the app root; bumped by each answer). */
export async function reportId(page) {
  const app = page.getByTestId('app');
  await app.waitFor({ state: 'attached' });
  return app.getAttribute('data-report-id');
}

/**
 * Run `action` (a change of settings, roles or windows) and wait until the report it asked
 * for has landed: a new `data-report-id`, nothing in flight, the status at `state` and, for
 * `ready`, the complete report (`data-complete="true"`, not the provisional first answer). Use
 * it before reading numbers after a change: until then the previous report stays on screen.
 * Returns the status text.
 */
export async function afterChange(page, action, state = 'ready', timeout = 60000) {
  const before = await reportId(page);
  await action();
  await page.waitForFunction(
    ([b, s]) => {
      const app = document.querySelector('[data-testid="app"]');
      return app && app.dataset.reportId !== b && app.dataset.busy === 'false'
        && (s !== 'ready' || app.dataset.complete === 'true')
        && document.querySelector('[data-testid="status"]')?.dataset.state === s;
    },
    [before, state],
    { timeout },
  );
  return (await page.getByTestId('status').textContent()).trim();
}

/**
 * The live threshold of the Thresholds view once it is within `tol` of `t`. A drag applies the
 * pointer's position once per animation frame, so it can trail a pointer move by a frame.
 */
export async function waitForLive(page, t, tol = 0.01, timeout = 10000) {
  await page.waitForFunction(
    ([want, d]) => Math.abs(Number(document.querySelector('[data-testid="threshold-live"]')?.dataset.value) - want) < d,
    [t, tol],
    { timeout },
  ).catch(() => {});
  return Number(await page.getByTestId('threshold-live').getAttribute('data-value'));
}

/** Every metric element's full-precision value, by key. */
export async function readMetrics(page) {
  return page.$$eval('[data-testid^="metric-"]', (els) => Object.fromEntries(
    els.map((e) => [e.dataset.testid.slice('metric-'.length), e.dataset.value === '' ? null : Number(e.dataset.value)]),
  ));
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  // The charts of a view just shown draw in the tasks after its first frame (`data-drawing`).
  await page.waitForFunction(() => document.querySelector('[data-testid="app"]')?.dataset.drawing !== 'true');
  // Sticky header and sidebar would be painted where the page was scrolled to.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

export async function goldens(name) {
  return JSON.parse(await readFile(join(FIXTURES, 'goldens', name), 'utf8'));
}

/**
 * Record, from now on, every change of the app root's `data-complete` and the status's
 * `data-state` as `[complete, state]` pairs (a MutationObserver, so no state is missed
 * however briefly it lasts); `takeStates(page)` returns them.
 */
export async function recordStates(page) {
  await page.evaluate(() => {
    const app = document.querySelector('[data-testid="app"]');
    const status = document.querySelector('[data-testid="status"]');
    window.__plumbStates = [];
    const note = () => {
      const entry = [app.dataset.complete, status.dataset.state];
      const last = window.__plumbStates[window.__plumbStates.length - 1];
      if (!last || last[0] !== entry[0] || last[1] !== entry[1]) window.__plumbStates.push(entry);
    };
    note();
    const observer = new MutationObserver(note);
    observer.observe(app, { attributes: true, attributeFilter: ['data-complete'] });
    observer.observe(status, { attributes: true, attributeFilter: ['data-state'] });
  });
}

/** The `[complete, state]` pairs recorded since `recordStates`. */
export async function takeStates(page) {
  return page.evaluate(() => window.__plumbStates || []);
}
