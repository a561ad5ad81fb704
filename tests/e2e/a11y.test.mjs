// Accessibility in a real browser:
// - axe-core (Deque's rules for WCAG 2.0/2.1/2.2 A and AA and best practices) on the welcome
//   page and on every tab with the demo loaded: no serious or critical violation;
// - the keyboard: Tab reaches every control, each shows a visible focus indicator (an outline of
//   at least 2 px whose colour has 3:1 contrast with the background, WCAG 2.2 SC 1.4.11 and
//   2.4.7), and the tab bar works with the arrow keys;
// - every chart has a text alternative: a data table with one row per plotted mark.
// axe is evaluated through the DevTools protocol (page.evaluate), which the page's CSP does not
// govern, so the page keeps its real CSP while it is checked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { useSite, newPage, waitForStatus, afterChange, screenshot } from './harness.mjs';

const require = createRequire(import.meta.url);
const site = useSite();
let axeSource;

before(async () => {
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
});

const TABS = ['overview', 'calibration', 'thresholds', 'models', 'operations', 'compare', 'quality', 'diagnosis', 'signoff'];

/** Serious and critical axe violations of the page as it is now, one line each. */
async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1).join(' ').trim()}`));
}

async function loadDemo(page) {
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  await page.getByTestId('load-demo').click();
  await waitForStatus(page, 'ready', 60000);
}

async function openTab(page, tab) {
  await page.getByTestId(`tab-${tab}`).click();
  await page.waitForFunction((t) => document.getElementById(`tab-${t}`)?.getAttribute('aria-selected') === 'true', tab);
  await page.waitForTimeout(300);
}

test('axe-core: no serious or critical violation on the welcome page and on every tab', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('load-demo').waitFor();
  const found = { welcome: await axeViolations(page) };
  await loadDemo(page);
  // Compare the demo's model versions, so the Review tabs have two windows to show.
  await afterChange(page, async () => {
    await page.getByTestId('window-mode').selectOption('split_column');
    await page.getByTestId('split-column').selectOption('model_version');
    await page.getByTestId('split-reference').selectOption('v3');
    await page.getByTestId('split-current').selectOption('v4');
  }, 'ready', 60000);
  await page.getByTestId('windows-bar').waitFor();
  for (const tab of TABS) {
    await openTab(page, tab);
    if (tab === 'compare') {
      const row = page.locator('[data-testid^="drift-row-"]').first();
      if (await row.count()) {
        await row.click();
        await page.getByTestId('drift-detail').waitFor();
      }
    }
    found[tab] = await axeViolations(page);
    await screenshot(page, `a11y-${tab}.png`);
  }
  const all = Object.entries(found).flatMap(([where, vs]) => vs.map((v) => `${where}: ${v}`));
  assert.deepEqual(all, [], `axe violations:\n${all.join('\n')}`);
  assert.deepEqual(errors, []);
  await page.context().close();
});

/** WCAG relative luminance contrast of two CSS rgb() colours. */
function contrast(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('keyboard: Tab reaches every control with a visible focus ring; arrow keys move between tabs', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await loadDemo(page);
  await openTab(page, 'thresholds');
  const focusable = await page.evaluate(() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])',
  )].filter((e) => !e.disabled && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length);
  const visited = [];
  const problems = [];
  for (let i = 0; i < focusable + 5; i += 1) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      // The indicator is drawn on the element or, for a file input (transparent, filling its
      // button-styled label), on the label (:focus-within), outside it by the outline offset.
      const target = e.type === 'file' ? e.closest('label') ?? e : e;
      const s = getComputedStyle(target);
      let bg = 'rgb(255, 255, 255)';
      for (let n = target.parentElement; n; n = n.parentElement) {
        const c = getComputedStyle(n).backgroundColor;
        if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') { bg = c; break; }
      }
      return {
        id: e.dataset.testid || e.id || e.getAttribute('aria-label') || e.tagName,
        outline: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, bg,
        shadow: s.boxShadow,
      };
    });
    if (!info) continue;
    if (visited.includes(info.id) && visited.indexOf(info.id) === 0) break;
    visited.push(info.id);
    const ring = info.outline !== 'none' && info.width >= 2;
    if (!ring) problems.push(`${info.id}: no focus outline (${info.outline} ${info.width}px)`);
    else if (contrast(info.color, info.bg) < 3) problems.push(`${info.id}: focus ring ${info.color} on ${info.bg} has contrast ${contrast(info.color, info.bg).toFixed(2)} < 3`);
  }
  assert.ok(visited.length >= 15, `Tab visited ${visited.length} controls`);
  for (const id of ['load-demo', 'tab-thresholds', 'threshold-input', 'bins-input']) {
    assert.ok(visited.some((v) => v === id), `${id} reachable by Tab (visited: ${visited.join(', ')})`);
  }
  assert.deepEqual(problems, []);

  // The tab bar: focus the selected tab, then ArrowRight selects the next one in the bar
  // (across the group boundary: the first review tab).
  const order = await page.$$eval('[role="tab"]', (els) => els.map((e) => e.id));
  const next = order[order.indexOf('tab-thresholds') + 1];
  await page.getByTestId('tab-thresholds').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.id), next);
  assert.equal(await page.getByTestId(next).getAttribute('aria-selected'), 'true');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('every chart has a text alternative: a data table of what it plots', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await loadDemo(page);
  let charts = 0;
  for (const tab of ['overview', 'calibration', 'thresholds']) {
    await openTab(page, tab);
    // A table's rows are built when its disclosure opens (closed, it shows nothing).
    await page.evaluate(() => document.querySelectorAll('[data-testid="chart-data"]').forEach((d) => { d.open = true; }));
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="chart-data"]')]
      .every((d) => d.querySelector('tbody tr')));
    const tables = await page.evaluate(() => [...document.querySelectorAll('.chart-wrap')].map((w) => {
      // The chart's own table: the first chart-data disclosure after its canvas wrapper.
      let n = w.nextElementSibling;
      while (n && n.dataset.testid !== 'chart-data') n = n.nextElementSibling;
      const table = n?.querySelector('table');
      return {
        chart: w.dataset.testid,
        label: w.getAttribute('aria-label'),
        caption: table?.caption?.textContent ?? null,
        rows: table ? table.tBodies[0].rows.length : 0,
        headers: table ? [...table.tHead.rows[0].cells].map((c) => c.textContent) : [],
      };
    }));
    await page.evaluate(() => document.querySelectorAll('[data-testid="chart-data"]').forEach((d) => { d.open = false; }));
    for (const t of tables) {
      charts += 1;
      assert.ok(t.label && t.label.length > 10, `${t.chart}: aria-label`);
      assert.ok(t.caption, `${t.chart}: data table with a caption`);
      assert.ok(t.rows > 0, `${t.chart}: data table rows`);
      assert.ok(t.headers.length >= 3, `${t.chart}: headers ${t.headers}`);
    }
  }
  assert.ok(charts >= 4, `${charts} charts checked`);
  // Opened, the table is readable: the reliability bins with their tooltip descriptions.
  await openTab(page, 'overview');
  await page.getByTestId('chart-data').first().locator('summary').click();
  const first = page.getByTestId('chart-data').first().locator('tbody tr').first();
  await first.waitFor();
  assert.match(await first.textContent(), /Observed rate/);
  await screenshot(page, 'a11y-chart-table.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});
