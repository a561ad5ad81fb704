// The work badges ("Computing intervals and checks…" while the complete pass runs, "Updating…"
// while a newer report is computed) sit in the top bar beside the status and never cover a tab,
// the status, the brand or the privacy note, at the common desktop widths and at 1024 px. The worker's report messages are held in the page (an
// init script wraps `Worker`), so each badge stays up for as long as the check needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSite, newPage, waitForStatus, screenshot } from './harness.mjs';

const site = useSite();

/**
 * Wrap `Worker` so that, while `window.__hold` is `'complete'` (complete reports only) or
 * `'all'` (every report), report messages wait in `window.__held` until `window.__release()`.
 */
async function holdReports(page) {
  await page.addInitScript(() => {
    const Real = window.Worker;
    window.__hold = null;
    window.__held = [];
    window.__release = () => {
      window.__hold = null;
      const held = window.__held;
      window.__held = [];
      for (const [handler, ev] of held) handler(ev);
    };
    window.Worker = class extends Real {
      set onmessage(handler) {
        super.onmessage = handler && ((ev) => {
          const m = ev.data && ev.data.msg;
          const report = typeof m === 'string' && m.startsWith('{"kind":"report"');
          const complete = report && !m.includes('"pending":["');
          if ((window.__hold === 'all' && report) || (window.__hold === 'complete' && complete)) {
            window.__held.push([handler, ev]);
            return;
          }
          handler(ev);
        });
      }

      get onmessage() {
        return super.onmessage;
      }
    };
  });
}

/** Whether two boxes share any pixels. */
function intersects(a, b) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** At each width: the badge `testid` is visible, in the top bar, and clear of everything else. */
async function assertClear(page, testid) {
  for (const width of [1024, 1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    const badge = page.getByTestId(testid);
    await badge.waitFor({ state: 'visible' });
    const box = await badge.boundingBox();
    const bar = await page.locator('header.topbar').boundingBox();
    assert.ok(box.x >= bar.x && box.x + box.width <= bar.x + bar.width
      && box.y >= bar.y && box.y + box.height <= bar.y + bar.height,
    `${testid} at ${width} px is inside the top bar: ${JSON.stringify({ box, bar })}`);
    const tabs = await page.getByRole('tab').all();
    assert.equal(tabs.length, 9);
    const others = [
      ...await Promise.all(tabs.map(async (t) => [`the ${(await t.textContent()).trim()} tab`, t])),
      ['the status', page.getByTestId('status')],
      ['the brand', page.locator('.brand')],
      ['the privacy note', page.locator('.privacy')],
    ];
    for (const [name, locator] of others) {
      const other = await locator.boundingBox();
      if (other === null) continue; // not displayed at this width
      assert.ok(!intersects(box, other), `${testid} covers ${name} at ${width} px: ${JSON.stringify({ box, other })}`);
    }
    await screenshot(page, `badge-${testid}-${width}.png`);
  }
}

test('the work badges never cover a tab or the status, from 1024 to 1920 px wide', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await holdReports(page);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  // The first answer arrives; its complete pass is held, so "Computing intervals…" stays up.
  await page.evaluate(() => { window.__hold = 'complete'; });
  await page.getByTestId('load-demo').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.dataset.state === 'ready');
  await assertClear(page, 'completing');
  await page.evaluate(() => window.__release());
  await waitForStatus(page, 'ready');
  assert.equal(await page.getByTestId('completing').count(), 0);
  // A settings change whose answer is held: "Updating…" stays up over the previous report.
  await page.evaluate(() => { window.__hold = 'all'; });
  await page.getByTestId('bins-input').fill('7');
  await page.getByTestId('bins-input').dispatchEvent('change');
  await assertClear(page, 'updating');
  await page.evaluate(() => window.__release());
  await waitForStatus(page, 'ready');
  assert.equal(await page.getByTestId('updating').count(), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the tab groups sit on one line when they fit, and a wrapped Review group has no stray divider', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  const groups = page.locator('.tab-group');
  assert.equal(await groups.count(), 2);
  for (const width of [1024, 1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    const [views, review] = [await groups.nth(0).boundingBox(), await groups.nth(1).boundingBox()];
    const border = await groups.nth(1).evaluate((e) => getComputedStyle(e).borderLeftWidth);
    const wrapped = review.y >= views.y + views.height - 1;
    if (wrapped) {
      // Its own line, starting where the Views group starts, without the divider.
      assert.equal(border, '0px', `the wrapped Review group has no divider at ${width} px`);
      assert.ok(Math.abs(review.x - views.x) < 1, `the wrapped Review group starts the line at ${width} px`);
    } else {
      assert.equal(border, '1px', `the divider separates the groups at ${width} px`);
      assert.ok(review.x >= views.x + views.width, `the groups do not overlap at ${width} px`);
    }
    // Everything fits in the main area: no tab runs off to the right.
    const main = await page.locator('.main').boundingBox();
    assert.ok(review.x + review.width <= main.x + main.width + 0.5, `the tabs fit at ${width} px`);
    if (width >= 1280) assert.ok(!wrapped, `the groups share one line at ${width} px`);
    await screenshot(page, `tabs-${width}.png`);
  }
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('at 800 px the sidebar flows into columns above the results, so the tabs start about a screen down', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.setViewportSize({ width: 800, height: 900 });
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready');
  const boxes = (await Promise.all((await page.locator('.sidebar .panel').all()).map((p) => p.boundingBox())))
    .filter((b) => b !== null && b.height > 0);
  assert.ok(boxes.length >= 5, `${boxes.length} panels shown`);
  assert.ok(new Set(boxes.map((b) => Math.round(b.x))).size >= 2, `panels in columns: ${JSON.stringify(boxes)}`);
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      assert.ok(!intersects(boxes[i], boxes[j]), `panels ${i} and ${j} overlap: ${JSON.stringify([boxes[i], boxes[j]])}`);
    }
  }
  await screenshot(page, 'sidebar-800.png');
  const sidebar = await page.locator('.sidebar').boundingBox();
  const tab = await page.getByRole('tab').first().boundingBox();
  assert.ok(tab.y >= sidebar.y + sidebar.height - 1, 'the tabs come after the sidebar');
  // Three columns put them ≈ 940 px down on the demo (the Columns panel is the tallest); one
  // column put them ≈ 1,500 px down.
  assert.ok(tab.y < 1100, `the tabs start ${Math.round(tab.y)} px down`);
  assert.deepEqual(errors, []);
  await page.context().close();
});
