// Model comparison in a real browser: the two-score fixture (tests/fixtures/logs/models.csv)
// loads with `challenger_score` detected as a challenger; the Models tab's table carries each
// model's AUC, AP, ECE and Brier score and each paired test's difference and p-value, checked
// against tests/fixtures/goldens/models.json (scikit-learn, NumPy, an independent fast DeLong);
// the Thresholds tab's PR legend shows the AP logit interval; unticking the challenger leaves a
// page that says how to add one.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  useSite, newPage, waitForStatus, afterChange, screenshot, goldens, FIXTURES,
} from './harness.mjs';

const site = useSite();
let gold;

before(async () => {
  gold = await goldens('models.json');
});

function near(got, want, tol, what) {
  assert.ok(Math.abs(got - want) <= tol, `${what}: page ${got} vs golden ${want}`);
}

async function num(locator, attr) {
  const v = await locator.getAttribute(attr);
  assert.ok(v !== null && v !== '', `${attr} missing`);
  return Number(v);
}

async function loadModels(errors) {
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  await input.setInputFiles(join(FIXTURES, 'logs', 'models.csv'));
  await waitForStatus(page, 'ready');
  return page;
}

test('Models tab: per-model metrics and paired tests match the goldens', async () => {
  const errors = [];
  const page = await loadModels(errors);
  const box = page.getByTestId('challenger-challenger_score');
  await box.waitFor();
  assert.equal(await box.isChecked(), true);

  // The Views group keeps its three tabs; Models is a review tab.
  const review = page.getByRole('tablist', { name: 'Review' });
  assert.equal(await review.getByTestId('tab-models').count(), 1);

  await page.getByTestId('tab-models').click();
  await page.getByTestId('models-table').waitFor();
  assert.equal(await page.getByTestId('models-view').getAttribute('data-models'), '2');
  for (const column of ['score', 'challenger_score']) {
    const row = page.getByTestId(`model-row-${column}`);
    const want = gold.models[column];
    near(await num(row, 'data-auc'), want.roc_auc, 1e-9, `${column} AUC`);
    near(await num(row, 'data-ap'), want.average_precision, 1e-9, `${column} AP`);
    near(await num(row, 'data-ece'), want.ece, 1e-9, `${column} ECE`);
    near(await num(row, 'data-brier'), want.brier_score, 1e-9, `${column} Brier`);
    near(await num(row, 'data-log-loss'), want.log_loss, 1e-9, `${column} log loss`);
  }
  const auc = page.getByTestId('model-pair-challenger_score-auc');
  near(await num(auc, 'data-difference'), gold.delong_paired.difference, 1e-9, 'AUC difference');
  const p = await num(auc, 'data-p');
  assert.ok(Math.abs(p - gold.delong_paired.p_value) <= 1e-9 * gold.delong_paired.p_value,
    `DeLong p: page ${p} vs golden ${gold.delong_paired.p_value}`);
  const ece = page.getByTestId('model-pair-challenger_score-ece');
  near(await num(ece, 'data-difference'), gold.ece_difference, 1e-9, 'ECE difference');
  const eceP = await num(ece, 'data-p');
  assert.ok(eceP > 0 && eceP < 0.05, `the ECE improvement is significant: p ${eceP}`);
  const brier = page.getByTestId('model-pair-challenger_score-brier');
  near(await num(brier, 'data-difference'), gold.brier_difference, 1e-9, 'Brier difference');
  const brierP = await num(brier, 'data-p');
  assert.ok(brierP > 0 && brierP <= 1, `Brier p ${brierP}`);

  for (const id of ['models-reliability-chart', 'models-roc-chart', 'models-pr-chart', 'models-sweep-chart']) {
    await page.getByTestId(id).waitFor();
  }
  await screenshot(page, 'view-models.png');

  // Threshold sweeps of both models: the JSON export carries them (checked against scikit-learn's
  // confusion_matrix/f1_score in the goldens), and the chart follows the chosen metric.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
  const exported = JSON.parse(await readFile(await json.path(), 'utf8'));
  for (const m of exported.models.models) {
    const want = gold.models[m.column].sweep;
    assert.equal(m.sweep.length, want.length, `${m.column} sweep length`);
    for (const [i, p] of m.sweep.entries()) {
      assert.deepEqual([p.tp, p.fp, p.tn, p.fn], [want[i].tp, want[i].fp, want[i].tn, want[i].fn], `${m.column} at ${p.threshold}`);
    }
  }
  await page.getByTestId('models-sweep-metric').selectOption('recall');
  const sweepCard = page.getByTestId('models-sweep-card');
  await page.waitForFunction(() => document.querySelector('[data-testid="models-sweep-chart"]')?.getAttribute('aria-label')?.startsWith('Recall'));
  const [svg] = await Promise.all([page.waitForEvent('download'), sweepCard.getByTestId('export-svg').click()]);
  const text = await readFile(await svg.path(), 'utf8');
  for (const column of ['score', 'challenger_score']) assert.match(text, new RegExp(`>\\s*${column}\\s*<`), `${column} in the sweep legend`);
  assert.ok(text.includes('Recall'), 'the y axis names the metric');

  // The Thresholds tab's PR card states the AP interval of the champion.
  await page.getByTestId('tab-thresholds').click();
  const pr = page.getByTestId('pr-card');
  await pr.waitFor();
  const [lo, hi] = gold.models.score.average_precision_ci;
  const note = await pr.textContent();
  assert.ok(note.includes(`logit interval ${lo.toFixed(4)}–${hi.toFixed(4)}`), note);
  assert.deepEqual(errors, []);
});

test('without a challenger the Models tab says how to add one, and ticking it back restores the table', async () => {
  const errors = [];
  const page = await loadModels(errors);
  const box = page.getByTestId('challenger-challenger_score');
  await box.waitFor();
  await afterChange(page, () => box.uncheck());
  await page.getByTestId('tab-models').click();
  const empty = page.getByTestId('models-empty');
  await empty.waitFor();
  assert.match(await empty.textContent(), /Challengers/);
  assert.equal(await page.getByTestId('models-view').getAttribute('data-models'), '1');
  await screenshot(page, 'view-models-one.png');
  await page.getByTestId('challenger-challenger_score').check();
  await page.getByTestId('model-row-challenger_score').waitFor();
  assert.deepEqual(errors, []);
});

// models.csv plus `shadow_score` = 100 × challenger_score (blank where that is unusable): a
// challenger logged in percent beside a probability champion.
async function percentLog() {
  const text = await readFile(join(FIXTURES, 'logs', 'models.csv'), 'utf8');
  const lines = text.trim().split('\n').map((line, i) => {
    if (i === 0) return `${line},shadow_score`;
    const v = Number(line.split(',')[2]);
    const cell = line.split(',')[2] !== '' && v >= 0 && v <= 1 ? String(v * 100) : '';
    return `${line},${cell}`;
  });
  return { name: 'models_pct.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') };
}

test('a percent challenger: its own transform beside its checkbox, the same metrics, kept by a share link', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const input = page.getByTestId('file-input');
  await input.waitFor({ state: 'attached' });
  const file = await percentLog();
  await input.setInputFiles(file);
  await waitForStatus(page, 'ready');
  const select = page.getByTestId('challenger-transform-shadow_score');
  await select.waitFor();
  assert.equal(await select.inputValue(), 'percent', 'detected as percent');
  assert.equal(await page.getByTestId('challenger-transform-challenger_score').inputValue(), 'identity');
  await page.getByTestId('tab-models').click();
  const row = page.getByTestId('model-row-shadow_score');
  await row.waitFor();
  const want = gold.models.challenger_score;
  near(await num(row, 'data-auc'), want.roc_auc, 1e-9, 'percent challenger AUC');
  near(await num(row, 'data-ece'), want.ece, 1e-9, 'percent challenger ECE');
  near(await num(row, 'data-brier'), want.brier_score, 1e-9, 'percent challenger Brier');
  await screenshot(page, 'models-percent-challenger.png');

  // The link carries the transform: a colleague with the same file sees it.
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  await page.context().close();
  const colleague = await newPage(site.browser, errors);
  await colleague.goto(url);
  const input2 = colleague.getByTestId('file-input');
  await input2.waitFor({ state: 'attached' });
  await input2.setInputFiles(file);
  await waitForStatus(colleague, 'ready');
  const select2 = colleague.getByTestId('challenger-transform-shadow_score');
  await select2.waitFor();
  assert.equal(await select2.inputValue(), 'percent');

  await colleague.context().close();
  assert.deepEqual(errors, []);
});
