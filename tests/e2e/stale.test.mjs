// While a settings change is re-analysed, the previous report stays on screen, dimmed and
// marked busy, and nothing of it can be exported: the JSON download and the charts' SVG/PNG
// downloads are disabled until the new report is drawn (an export of the old drawing under the
// new settings would be wrong), then enabled again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, reportId, screenshot } from './harness.mjs';

/** Big enough that an analysis takes long enough to observe its in-flight state. */
const ROWS = 400_000;

const site = useSite();
let dir;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plumb-stale-'));
  let seed = 7;
  const rand = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const lines = ['score,label,amount'];
  for (let i = 0; i < ROWS; i++) {
    const s = rand();
    lines.push(`${s.toFixed(6)},${rand() < s ? 1 : 0},${(rand() * 100).toFixed(2)}`);
  }
  await writeFile(join(dir, 'log.csv'), lines.join('\n') + '\n');
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('an updating view cannot be exported until the new report is drawn', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(dir, 'log.csv'));
  await waitForStatus(page, 'ready', 120000);
  await page.getByTestId('export-svg').first().waitFor();
  assert.equal(await page.getByTestId('export-svg').first().isEnabled(), true);
  assert.equal(await page.getByTestId('export-json').isEnabled(), true);

  const before = await reportId(page);
  // Record, in the page, the download buttons' state at the moment the app says it is busy.
  await page.evaluate(() => {
    const seen = [];
    window.__staleSeen = seen;
    new MutationObserver(() => {
      const app = document.querySelector('[data-testid="app"]');
      if (app?.dataset.busy !== 'true') return;
      const svg = document.querySelector('[data-testid="export-svg"]');
      const png = document.querySelector('[data-testid="export-png"]');
      const json = document.querySelector('[data-testid="export-json"]');
      const panel = document.querySelector('.tab-panel');
      seen.push({
        svg: svg?.disabled, png: png?.disabled, json: json?.disabled,
        busy: panel?.getAttribute('aria-busy'),
      });
    }).observe(document, { subtree: true, attributes: true, childList: true });
  });
  await page.getByTestId('bins-input').fill('12');
  await page.getByTestId('bins-input').dispatchEvent('change');
  await page.waitForFunction(
    (id) => {
      const app = document.querySelector('[data-testid="app"]');
      return app?.dataset.reportId !== id && app?.dataset.busy !== 'true';
    },
    before,
    { timeout: 120000 },
  );
  // The new report is complete (exports wait for the complete pass, see progressive.test.mjs).
  await waitForStatus(page, 'ready', 120000);
  const seen = await page.evaluate(() => window.__staleSeen);
  assert.ok(seen.length > 0, 'the busy state was observed');
  // Once the page had settled into its busy state (the panel marked aria-busy), every
  // download was disabled.
  const settled = seen.filter((s) => s.busy === 'true');
  assert.ok(settled.length > 0, JSON.stringify(seen.slice(0, 5)));
  for (const s of settled) {
    assert.deepEqual([s.svg, s.png, s.json], [true, true, true], JSON.stringify(s));
  }
  // The new report is drawn: downloads are back.
  assert.equal(await page.getByTestId('export-svg').first().isEnabled(), true);
  assert.equal(await page.getByTestId('export-png').first().isEnabled(), true);
  assert.equal(await page.getByTestId('export-json').isEnabled(), true);
  await screenshot(page, 'stale-after.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});
