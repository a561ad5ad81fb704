// The Calibration and Thresholds views in a real browser: switch tabs (mouse and keyboard),
// type a threshold and check the confusion matrix against counts computed here from the fixture
// CSV, drag the threshold on the chart and check the cells follow exactly, use an optimal
// threshold, edit costs, download SVG/PNG exports, and take screenshots of each view.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  useSite, newPage, waitForStatus, afterChange, waitForLive, screenshot, FIXTURES,
} from './harness.mjs';

const site = useSite();
let rows;

/** The used rows of a fixture log: score in [0, 1] and label 0/1, as numbers. */
async function readLog(name) {
  const text = await readFile(join(FIXTURES, 'logs', name), 'utf8');
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header.split(',');
  const si = cols.indexOf('score');
  const li = cols.indexOf('label');
  return lines
    .map((l) => l.split(','))
    .filter((f) => f.length === cols.length)
    .map((f) => ({ score: Number(f[si]), label: f[li].trim() }))
    .filter((r) => r.score >= 0 && r.score <= 1 && (r.label === '0' || r.label === '1'))
    .map((r) => ({ score: r.score, label: Number(r.label) }));
}

/** Confusion counts at threshold t: predicted positive iff score ≥ t. */
function confusionAt(t) {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { score, label } of rows) {
    const flagged = score >= t;
    if (flagged && label === 1) c.tp += 1;
    else if (flagged) c.fp += 1;
    else if (label === 1) c.fn += 1;
    else c.tn += 1;
  }
  return c;
}

/** A full-page screenshot without sticky-header artefacts: grow the viewport to the page. */
async function shot(page, name) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.evaluate(() => document.activeElement?.blur());
  await page.setViewportSize({ width: 1440, height: Math.max(960, height) });
  await page.waitForTimeout(200);
  await screenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 960 });
}

async function cells(page) {
  const out = {};
  for (const k of ['tp', 'fp', 'tn', 'fn']) {
    const v = await page.getByTestId(`confusion-${k}`).getAttribute('data-value');
    out[k] = Number(v);
  }
  return out;
}

async function liveThreshold(page) {
  return Number(await page.getByTestId('threshold-live').getAttribute('data-value'));
}

/** Open the app with basic.csv loaded and the given tab selected. */
async function openWith(tab, errors) {
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId(`tab-${tab}`).click();
  return page;
}

/** Wait until the confusion cells equal the expected counts (they update asynchronously). */
async function waitForCells(page, want) {
  await page.waitForFunction(
    (w) => ['tp', 'fp', 'tn', 'fn'].every(
      (k) => document.querySelector(`[data-testid="confusion-${k}"]`)?.dataset.value === String(w[k]),
    ),
    want,
    { timeout: 10000 },
  ).catch(() => {});
  assert.deepEqual(await cells(page), want);
}

before(async () => {
  rows = await readLog('basic.csv');
  assert.equal(rows.length, 600, 'basic.csv has 600 usable rows');
});

test('tabs switch by click and by keyboard, and are labelled', async () => {
  const errors = [];
  const page = await openWith('overview', errors);
  const tablist = page.getByRole('tablist', { name: 'Views' });
  assert.equal(await tablist.getByRole('tab').count(), 3);
  assert.equal(await page.getByTestId('tab-overview').getAttribute('aria-selected'), 'true');
  await page.getByTestId('tab-calibration').click();
  await page.getByTestId('calibration-view').waitFor();
  assert.equal(await page.getByTestId('tab-calibration').getAttribute('aria-selected'), 'true');
  assert.equal(await page.getByTestId('tab-overview').getAttribute('aria-selected'), 'false');
  // Keyboard: the selected tab has focus; → moves to Thresholds, Home back to Overview.
  await page.getByTestId('tab-calibration').focus();
  await page.keyboard.press('ArrowRight');
  await page.getByTestId('thresholds-view').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'tab-thresholds');
  await page.keyboard.press('Home');
  await page.getByTestId('metric-roc_auc').waitFor();
  assert.equal(await page.getByTestId('tab-overview').getAttribute('aria-selected'), 'true');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a number typed but not yet committed survives a change of another setting', async () => {
  // Each of the sidebar's number inputs shows its own field of the settings (a memo): another
  // setting changing, and the report that answers it, must not rewrite what the user is still
  // typing into the bins box. The binning changes by script so that the focus (and the
  // uncommitted text) stays in the bins box: a click elsewhere would blur it, and a blur
  // commits it.
  const errors = [];
  const page = await openWith('overview', errors);
  await page.getByTestId('bins-input').fill('7');
  await afterChange(page, () => page.evaluate(() => {
    const select = document.querySelector('[data-testid="strategy-select"]');
    select.value = 'quantile';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }));
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'bins-input');
  assert.equal(await page.getByTestId('bins-input').inputValue(), '7');
  // Committing the typed bins then applies them.
  await afterChange(page, async () => {
    await page.getByTestId('bins-input').dispatchEvent('change');
  });
  await page.getByTestId('tab-calibration').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === '7');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the Calibration view shows the report\'s statistics and rebins in place', async () => {
  const errors = [];
  const page = await openWith('calibration', errors);
  await page.getByTestId('calibration-view').waitFor();
  // The cards show the same numbers as the report the overview shows.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  const w = report.windows.all;
  const pairs = {
    brier: w.brier_score,
    reliability: w.brier_decomposition.reliability,
    resolution: w.brier_decomposition.resolution,
    uncertainty: w.brier_decomposition.uncertainty,
    slope: w.calibration_slope,
    intercept: w.calibration_intercept,
    hl: w.hosmer_lemeshow,
    'hl-p': w.hosmer_lemeshow_p_value,
    'spiegelhalter-z': w.spiegelhalter_z,
    'spiegelhalter-p': w.spiegelhalter_p_value,
    ece: w.ece,
  };
  for (const [key, want] of Object.entries(pairs)) {
    assert.ok(Number.isFinite(want), `${key} is defined in the report`);
    const shown = Number(await page.getByTestId(`calib-${key}`).getAttribute('data-value'));
    assert.equal(shown, want, key);
  }
  // The view's own bins control rebins the diagram.
  const chart = page.getByTestId('reliability-chart');
  assert.equal(await chart.getAttribute('data-bins'), String(w.reliability.length));
  // One change at a time (each waits for its report).
  await afterChange(page, async () => {
    await page.getByTestId('calibration-strategy').selectOption('quantile');
  });
  await afterChange(page, async () => {
    await page.getByTestId('calibration-bins').fill('5');
    await page.getByTestId('calibration-bins').dispatchEvent('change');
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === '5');
  assert.equal(await page.getByTestId('bins-input').inputValue(), '5');
  await afterChange(page, async () => {
    await page.getByTestId('calibration-strategy').selectOption('uniform');
  });
  await afterChange(page, async () => {
    await page.getByTestId('calibration-bins').fill('10');
    await page.getByTestId('calibration-bins').dispatchEvent('change');
  });
  await page.waitForFunction(() => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === String(10));
  // Hovering a bin shows its tooltip.
  const canvas = page.locator('[data-testid="calibration-reliability-chart"] canvas');
  const box = await canvas.boundingBox();
  const plot = page.getByTestId('calibration-reliability-chart');
  const left = Number(await plot.getAttribute('data-plot-left'));
  const right = Number(await plot.getAttribute('data-plot-right'));
  const b0 = w.reliability[Math.floor(w.reliability.length / 2)];
  const bx = box.x + left + (right - left) * ((b0.mean_score + 0.02) / 1.04);
  const top = Number(await plot.getAttribute('data-plot-top'));
  const bottom = Number(await plot.getAttribute('data-plot-bottom'));
  const by = box.y + bottom - (bottom - top) * ((b0.observed_rate + 0.02) / 1.04);
  await page.mouse.move(bx, by);
  await page.locator('.chart-tooltip').waitFor();
  assert.match(await page.locator('.chart-tooltip').textContent(), /rows/);
  await page.mouse.move(box.x + 2, box.y + 2);
  await shot(page, 'view-calibration.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the Calibration view keeps a bins number typed and not yet committed when a report lands', async () => {
  // The view's own controls are drawn once, outside the parts that follow the report: a new
  // report (here: the sidebar's binning changed by script, so the focus and the uncommitted
  // text stay in the Calibration bins box — a click elsewhere would blur it, and a blur
  // commits) re-draws the diagram and the cards but leaves the box alone.
  const errors = [];
  const page = await openWith('calibration', errors);
  await page.getByTestId('calibration-view').waitFor();
  const eceBefore = await page.getByTestId('calib-ece').getAttribute('data-value');
  await page.getByTestId('calibration-bins').fill('7');
  await afterChange(page, () => page.evaluate(() => {
    const select = document.querySelector('[data-testid="strategy-select"]');
    select.value = 'quantile';
    select.dispatchEvent(new Event('change', { bubbles: true }));
  }));
  // The report landed and the view follows it: equal-mass bins give another ECE …
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid="calib-ece"]')?.dataset.value !== b, eceBefore,
  );
  assert.equal(await page.getByTestId('calibration-strategy').inputValue(), 'quantile');
  // … while the typed text and the focus are still in the box.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'calibration-bins');
  assert.equal(await page.getByTestId('calibration-bins').inputValue(), '7');
  assert.equal(await page.getByTestId('bins-input').inputValue(), '10', 'not committed yet');
  // Committing it then rebins.
  await afterChange(page, () => page.getByTestId('calibration-bins').dispatchEvent('change'));
  await page.waitForFunction(() => document.querySelector('[data-testid="reliability-chart"]')?.dataset.bins === '7');
  assert.equal(await page.getByTestId('bins-input').inputValue(), '7');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a typed threshold gives exact confusion counts (score ≥ t)', async () => {
  const errors = [];
  const page = await openWith('thresholds', errors);
  await page.getByTestId('thresholds-view').waitFor();
  await waitForCells(page, confusionAt(0.5));
  for (const t of [0.3, 0.62, 0.0, 1.0, 0.777]) {
    await page.getByTestId('threshold-input').fill(String(t));
    await page.getByTestId('threshold-input').dispatchEvent('change');
    await waitForCells(page, confusionAt(t));
    assert.equal(await liveThreshold(page), t);
  }
  // A threshold equal to a score in the file counts that row as positive (≥, not >).
  const s = rows[17].score;
  await page.getByTestId('threshold-input').fill(String(s));
  await page.getByTestId('threshold-input').dispatchEvent('change');
  await waitForCells(page, confusionAt(s));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('dragging the threshold updates the cells live and applies on release', async () => {
  const errors = [];
  const page = await openWith('thresholds', errors);
  await page.getByTestId('thresholds-view').waitFor();
  const plot = page.getByTestId('threshold-chart');
  await page.waitForFunction(() => document.querySelector('[data-testid="threshold-chart"]')?.dataset.plotLeft);
  const canvas = plot.locator('canvas');
  const box = await canvas.boundingBox();
  const left = Number(await plot.getAttribute('data-plot-left'));
  const right = Number(await plot.getAttribute('data-plot-right'));
  const top = Number(await plot.getAttribute('data-plot-top'));
  const bottom = Number(await plot.getAttribute('data-plot-bottom'));
  // The x axis runs from −0.02 to 1.02.
  const xOf = (t) => box.x + left + (right - left) * ((t + 0.02) / 1.04);
  const y = box.y + (top + bottom) / 2;
  await page.mouse.move(xOf(0.5), y);
  await page.mouse.down();
  const seen = [];
  for (const t of [0.45, 0.38, 0.3, 0.25]) {
    await page.mouse.move(xOf(t), y, { steps: 3 });
    const live = await waitForLive(page, t);
    assert.ok(Math.abs(live - t) < 0.01, `live threshold ${live} near ${t}`);
    // Mid-drag: the cells are already the exact counts at the live threshold.
    await waitForCells(page, confusionAt(live));
    seen.push(live);
    // The report is not recomputed while dragging: the sidebar still shows the old value.
    assert.equal(await page.getByTestId('threshold-input').inputValue(), '0.5');
  }
  assert.ok(seen[0] > seen[seen.length - 1], 'moving left lowers the threshold');
  await screenshot(page, 'view-thresholds-dragging.png');
  await page.mouse.up();
  const final = await liveThreshold(page);
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="threshold-input"]')?.value === String(t),
    final,
  );
  const after = confusionAt(final);
  await waitForCells(page, after);
  // More rows flagged at a lower threshold.
  const before = confusionAt(0.5);
  assert.ok(after.tp + after.fp > before.tp + before.fp);
  assert.equal(after.tp + after.fp + after.tn + after.fn, rows.length);
  // The report now carries the same counts.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  const at = report.windows.all.at_threshold;
  assert.equal(report.settings.threshold, final);
  assert.deepEqual({ tp: at.tp, fp: at.fp, tn: at.tn, fn: at.fn }, after);
  // Keyboard: with the chart focused, → raises t by 0.01.
  await canvas.focus();
  await page.keyboard.press('ArrowRight');
  const stepped = Math.round((final + 0.01) * 100) / 100;
  await page.waitForFunction(
    (t) => document.querySelector('[data-testid="threshold-input"]')?.value === String(t),
    stepped,
  );
  await waitForCells(page, confusionAt(stepped));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('optimal thresholds apply in one click; costs move the cost-optimal threshold', async () => {
  const errors = [];
  const page = await openWith('thresholds', errors);
  await page.getByTestId('thresholds-view').waitFor();
  const row = page.getByTestId('optimum-max_f1');
  const t = Number(await row.getAttribute('data-threshold'));
  assert.ok(t > 0 && t < 1);
  await page.getByTestId('use-threshold-max_f1').click();
  await waitForCells(page, confusionAt(t));
  assert.equal(await page.getByTestId('use-threshold-max_f1').isDisabled(), true);
  // Best F1 from the counts computed here, over every distinct score: the page's F1 matches it.
  let best = 0;
  for (const s of new Set(rows.map((r) => r.score))) {
    const c = confusionAt(s);
    best = Math.max(best, (2 * c.tp) / (2 * c.tp + c.fp + c.fn));
  }
  const f1 = Number(await page.getByTestId('at-f1').getAttribute('data-value'));
  assert.ok(Math.abs(f1 - best) < 1e-12, `F1 ${f1} vs best ${best}`);
  // Missing a positive costs 10×: the cost-optimal threshold moves down (or stays).
  const before = Number(await page.getByTestId('optimum-min_expected_cost').getAttribute('data-threshold'));
  await afterChange(page, async () => {
    await page.getByTestId('cost-fn').fill('10');
    await page.getByTestId('cost-fn').dispatchEvent('change');
  });
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid="optimum-min_expected_cost"]')?.dataset.threshold !== String(b),
    before,
  );
  const after = Number(await page.getByTestId('optimum-min_expected_cost').getAttribute('data-threshold'));
  assert.ok(after < before, `cost-optimal threshold ${after} below ${before}`);
  // Expected cost at the current threshold follows the matrix: (10·FN + FP) / n.
  const c = confusionAt(await liveThreshold(page));
  const cost = Number(await page.getByTestId('at-expected_cost').getAttribute('data-value'));
  assert.ok(Math.abs(cost - (10 * c.fn + c.fp) / rows.length) < 1e-12);
  await page.getByTestId('series-cost').check();
  await page.getByTestId('series-net_benefit').check();
  await page.getByTestId('use-threshold-min_expected_cost').click();
  await waitForCells(page, confusionAt(after));
  await page.getByTestId('cost-fn').fill('1');
  await page.getByTestId('cost-fn').dispatchEvent('change');
  await page.getByTestId('series-cost').uncheck();
  await page.getByTestId('series-net_benefit').uncheck();
  await page.getByTestId('use-threshold-max_f1').click();
  await waitForCells(page, confusionAt(t));
  await page.mouse.move(0, 0);
  await waitForStatus(page, 'ready');
  await shot(page, 'view-thresholds.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('every chart downloads a well-formed SVG and a PNG', async () => {
  const errors = [];
  const page = await openWith('thresholds', errors);
  await page.getByTestId('thresholds-view').waitFor();
  const charts = [
    ['threshold-chart-card', 'thresholds'],
    ['roc-card', 'roc'],
    ['pr-card', 'precision-recall'],
  ];
  const check = async (card, stem) => {
    const scope = page.getByTestId(card);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      scope.getByTestId('export-svg').click(),
    ]);
    assert.equal(svg.suggestedFilename(), `${stem}.svg`);
    const text = await readFile(await svg.path(), 'utf8');
    assert.match(text, /^\s*(<\?xml[^>]*>\s*)?<svg[\s>][\s\S]*<\/svg>\s*$/);
    const ok = await page.evaluate((doc) => {
      const parsed = new DOMParser().parseFromString(doc, 'image/svg+xml');
      return parsed.getElementsByTagName('parsererror').length === 0
        && parsed.documentElement.nodeName === 'svg';
    }, text);
    assert.ok(ok, `${stem}.svg parses as XML`);
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      scope.getByTestId('export-png').click(),
    ]);
    assert.equal(png.suggestedFilename(), `${stem}.png`);
    const bytes = await readFile(await png.path());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.ok(bytes.length > 2000, `${stem}.png has content`);
    return text;
  };
  for (const [card, stem] of charts) {
    const text = await check(card, stem);
    if (stem === 'roc') assert.match(text, /AUC 0\.\d{3} \[0\.\d\d, 0\.\d\d\]/);
    if (stem === 'precision-recall') assert.match(text, /AP 0\.\d{3}/);
  }
  await page.getByTestId('tab-calibration').click();
  await page.getByTestId('calibration-view').waitFor();
  await check('calibration-view', 'reliability');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('degenerate logs (one class, one row) keep the views usable', async () => {
  for (const name of ['one_class.csv', 'single_row.csv', 'extremes.csv', 'constant.csv']) {
    const errors = [];
    const page = await newPage(site.browser, errors);
    await page.goto(site.server.url);
    await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', name));
    await page.waitForFunction(
      () => ['ready', 'error'].includes(document.querySelector('[data-testid="status"]')?.dataset.state),
    );
    for (const tab of ['calibration', 'thresholds', 'overview']) {
      await page.getByTestId(`tab-${tab}`).click();
      await page.waitForTimeout(150);
    }
    await page.getByTestId('tab-thresholds').click();
    if (await page.getByTestId('thresholds-view').count()) {
      const used = (await readLog(name)).length;
      const c = await cells(page);
      assert.equal(c.tp + c.fp + c.tn + c.fn, used, `${name}: cells add up to the used rows`);
    }
    if (name === 'one_class.csv') await shot(page, 'view-thresholds-one-class.png');
    assert.deepEqual(errors, [], name);
    await page.context().close();
  }
});
