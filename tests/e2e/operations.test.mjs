// The Operations view in a real browser: request rate, latency quantiles and error rate per
// time bucket checked against an independent computation in JavaScript from the CSV; the alert
// levels proposed from the log's variation; and the Prometheus / Grafana downloads, which are
// byte-identical to what `plumb alerts` writes when nothing is edited (the committed files in
// tests/fixtures/export/alerts/, which tests/cli.rs checks the CLI still writes; and the CLI
// binary itself when it is built) and carry the edited levels when edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, mkdtemp } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, screenshot, FIXTURES, ROOT } from './harness.mjs';

const LOG = join(FIXTURES, 'ops', 'ops_log.csv');
const GOLDEN = join(FIXTURES, 'export', 'alerts');

const site = useSite();

/** The fixture's rows (no quoted fields in it): numbers, or NaN for an empty cell. */
async function readLog() {
  const lines = (await readFile(LOG, 'utf8')).trim().split(/\r?\n/);
  const head = lines[0].split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  });
}

/** numpy.quantile(x, q) with the default linear method (Hyndman–Fan type 7). */
function quantile(values, q) {
  const x = [...values].sort((a, b) => a - b);
  if (x.length === 0) return null;
  const h = (x.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, x.length - 1);
  return x[lo] + (h - lo) * (x[hi] - x[lo]);
}

/** The service failed: an HTTP status ≥ 500 (4xx are the caller's); empty is unknown. */
function errorFlag(cell) {
  if (cell === '' || cell === undefined) return null;
  const code = Number(cell);
  if (!Number.isInteger(code) || code < 100 || code > 599) return null;
  return code >= 500 ? 1 : 0;
}

/** Independent hourly summary: { start → { requests, p95, errorRate } }. */
async function hourly() {
  const rows = await readLog();
  const byHour = new Map();
  for (const r of rows) {
    const start = Math.floor(Number(r.timestamp) / 3600) * 3600;
    if (!byHour.has(start)) byHour.set(start, []);
    byHour.get(start).push(r);
  }
  return new Map([...byHour].sort((a, b) => a[0] - b[0]).map(([start, rs]) => {
    const lat = rs.map((r) => (r.latency_ms === '' ? NaN : Number(r.latency_ms))).filter(Number.isFinite);
    const flags = rs.map((r) => errorFlag(r.status)).filter((f) => f !== null);
    return [start, {
      requests: rs.length,
      p95: quantile(lat, 0.95),
      errorRate: flags.length ? flags.reduce((a, b) => a + b, 0) / flags.length : null,
    }];
  }));
}

function close(got, want, what, rel = 1e-9) {
  const tol = rel * Math.max(1, Math.abs(want));
  assert.ok(Math.abs(got - want) <= tol, `${what}: shown ${got}, computed ${want}`);
}

async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: dl.suggestedFilename(), text: await readFile(await dl.path(), 'utf8') };
}

async function openOperations(errors) {
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').waitFor();
  await page.getByTestId('file-input').setInputFiles(LOG);
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-operations').click();
  await page.getByTestId('operations-view').waitFor();
  await page.getByTestId('alert-thresholds').waitFor();
  return page;
}

/** The CLI's own output for the fixture, when the binary is built (else the committed files). */
function cliExports() {
  const candidates = [
    process.env.PLUMB_BIN,
    process.env.CARGO_TARGET_DIR && join(process.env.CARGO_TARGET_DIR, 'debug', 'plumb'),
    join(ROOT, 'target', 'debug', 'plumb'),
  ].filter(Boolean);
  return candidates.find((p) => existsSync(p));
}

test('latency p95 and error rate per hour match an independent computation; downloads equal plumb alerts', async () => {
  const errors = [];
  const page = await openOperations(errors);
  assert.equal(await page.getByTestId('operations-view').getAttribute('data-granularity'), 'hour');
  assert.equal(await page.getByTestId('role-latency').inputValue(), 'latency_ms');
  assert.equal(await page.getByTestId('role-status').inputValue(), 'status');
  assert.equal(await page.getByTestId('tab-operations').getAttribute('role'), 'tab');
  // The Operations tab sits in the Review group; the Views group keeps its three tabs.
  assert.equal(await page.getByRole('tablist', { name: 'Views' }).getByRole('tab').count(), 3);
  assert.equal(await page.getByRole('tablist', { name: 'Review' }).getByTestId('tab-operations').count(), 1);
  for (const id of ['ops-chart-requests', 'ops-chart-latency', 'ops-chart-errors', 'ops-chart-scores', 'ops-chart-missing']) {
    await page.getByTestId(id).waitFor();
  }

  // Numeric columns playing another role (timestamp, latency, status) are no model's score:
  // not offered as challengers; a feature still is.
  for (const c of ['timestamp', 'latency_ms', 'status']) {
    assert.equal(await page.getByTestId(`challenger-${c}`).count(), 0, `${c} offered as a challenger`);
  }
  assert.equal(await page.getByTestId('challenger-x1').count(), 1);

  // The bucket table's rows are built when it is opened.
  assert.equal(await page.locator('[data-testid^="ops-bucket-"]').count(), 0);
  await page.getByTestId('ops-buckets').locator('summary').click();
  await page.locator('[data-testid="ops-bucket-0"]').waitFor();
  const want = await hourly();
  const shown = await page.$$eval('[data-testid^="ops-bucket-"]', (rows) => rows.map((r) => {
    const v = (f) => r.querySelector(`[data-field="${f}"]`).dataset.value;
    return { start: Number(r.dataset.start), requests: Number(v('requests')), p95: v('latency_p95'), err: v('error_rate') };
  }));
  assert.equal(shown.length, want.size);
  assert.equal(shown.length, 48);
  for (const s of shown) {
    const w = want.get(s.start);
    assert.ok(w, `bucket ${s.start}`);
    assert.equal(s.requests, w.requests, `requests at ${s.start}`);
    close(Number(s.p95), w.p95, `latency p95 at ${s.start}`);
    close(Number(s.err), w.errorRate, `error rate at ${s.start}`);
  }

  // Levels: mean ± kσ of the hourly error rate, computed here from the same buckets; σ is the
  // larger of the sample σ and the binomial σ √(p(1 − p)/n̄) of a mean-sized bucket
  // (p = max(mean, 3/N)), which on this log is the larger.
  const rates = [...want.values()].map((w) => w.errorRate);
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const sd = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / (rates.length - 1));
  const rows = [...want.values()].map((w) => w.requests);
  const total = rows.reduce((a, b) => a + b, 0);
  const p = Math.max(mean, 3 / total);
  const binomial = Math.sqrt(p * (1 - p) / (total / rows.length));
  assert.ok(binomial > sd, 'the fixture exercises the binomial floor');
  const row = page.getByTestId('alert-error_rate');
  close(Number(await row.locator('[data-field="mean"]').getAttribute('data-value')), mean, 'error-rate mean');
  close(Number(await row.locator('[data-field="std"]').getAttribute('data-value')), sd, 'error-rate σ');
  close(Number(await row.locator('[data-field="sampling_std"]').getAttribute('data-value')), binomial, 'error-rate binomial σ');
  close(Number(await page.getByTestId('alert-error_rate-warning').getAttribute('data-proposed')), mean + 2 * binomial, 'warning level');
  close(Number(await page.getByTestId('alert-error_rate-critical').getAttribute('data-proposed')), mean + 3 * binomial, 'critical level');
  const p95s = [...want.values()].map((w) => w.p95);
  const m95 = p95s.reduce((a, b) => a + b, 0) / p95s.length;
  const s95 = Math.sqrt(p95s.reduce((a, b) => a + (b - m95) ** 2, 0) / (p95s.length - 1));
  close(Number(await page.getByTestId('alert-latency_p95-critical').getAttribute('data-proposed')), m95 + 3 * s95, 'p95 critical level');

  // Unedited downloads: byte-identical to what `plumb alerts` writes for the same file.
  const rules = await download(page, 'export-prometheus');
  const dashboard = await download(page, 'export-grafana');
  assert.equal(rules.name, 'plumb-rules.yml');
  assert.equal(dashboard.name, 'plumb-dashboard.json');
  assert.ok(rules.text === await readFile(join(GOLDEN, 'plumb-rules.yml'), 'utf8'), 'rules equal the CLI golden');
  assert.ok(dashboard.text === await readFile(join(GOLDEN, 'plumb-dashboard.json'), 'utf8'), 'dashboard equals the CLI golden');
  const cli = cliExports();
  if (cli) {
    const dir = await mkdtemp(join(tmpdir(), 'plumb-alerts-'));
    execFileSync(cli, ['alerts', LOG, '--out', dir], { stdio: 'pipe' });
    assert.ok(rules.text === await readFile(join(dir, 'plumb-rules.yml'), 'utf8'), `rules equal ${cli} alerts`);
    assert.ok(dashboard.text === await readFile(join(dir, 'plumb-dashboard.json'), 'utf8'), `dashboard equals ${cli} alerts`);
  }
  await screenshot(page, 'operations.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('edited levels reach both exports; cleared levels drop their alert; reset restores the proposal', async () => {
  const errors = [];
  const page = await openOperations(errors);
  const edit = async (testid, value) => {
    await page.getByTestId(testid).fill(value);
    await page.getByTestId(testid).dispatchEvent('change');
  };
  await edit('alert-error_rate-warning', '0.075');
  await edit('alert-error_rate-critical', '');
  await edit('alert-latency_p95-critical', '250');
  // Request rates read per bucket width (per hour on this hourly log), on the chart and in the
  // table, and are exported per second.
  assert.match(await page.getByTestId('alert-request_rate').textContent(), /Request rate \(per hour\)/);
  const rateInput = page.getByTestId('alert-request_rate-critical');
  close(Number(await rateInput.inputValue()), Number(await rateInput.getAttribute('data-proposed')) * 3600, 'request-rate level per hour', 1e-4);
  await edit('alert-request_rate-critical', '90');
  await page.waitForFunction(() => document.querySelector('[data-testid="alert-edited"]')?.dataset.value === '3');
  // Out of range for a share: refused, marked invalid, nothing changes.
  await edit('alert-error_rate-warning', '1.5');
  assert.equal(await page.getByTestId('alert-error_rate-warning').getAttribute('aria-invalid'), 'true');

  const rules = (await download(page, 'export-prometheus')).text;
  const exprs = (quantity, severity) => {
    // Alert rules are blocks starting at "- alert:"; read expr, quantity and severity per block.
    return rules.split(/\n\s*- alert: /).slice(1).filter((b) => b.includes(`quantity: "${quantity}"`) && b.includes(`severity: "${severity}"`))
      .map((b) => /expr: "([^"]*)"/.exec(b)[1]);
  };
  assert.deepEqual(exprs('error_rate', 'warning'), ['plumb:request_errors:ratio_rate1h > 0.075']);
  assert.deepEqual(exprs('error_rate', 'critical'), []);
  // Latency levels are in milliseconds on the page and in seconds in Prometheus.
  assert.deepEqual(exprs('latency_p95', 'critical'), ['plumb:request_duration_seconds:p95_rate1h > 0.25']);
  // 90 per hour is 0.025 per second.
  assert.ok(exprs('request_rate', 'critical').includes('plumb:predictions:rate1h > 0.025'), exprs('request_rate', 'critical').join());
  assert.ok(rules !== await readFile(join(GOLDEN, 'plumb-rules.yml'), 'utf8'));

  const dash = JSON.parse((await download(page, 'export-grafana')).text);
  const panel = (expr) => dash.panels.find((p) => p.targets[0].expr === expr);
  const steps = (expr) => panel(expr).fieldConfig.defaults.thresholds.steps;
  assert.deepEqual(steps('plumb:request_errors:ratio_rate1h').map((s) => [s.color, s.value]), [['green', null], ['orange', 0.075]]);
  const latency = steps('plumb:request_duration_seconds:p95_rate1h');
  assert.deepEqual(latency.at(-1), { color: 'red', value: 0.25 });

  // The edited levels are drawn on the chart; take a look.
  await page.getByTestId('ops-chart-errors').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ROOT, 'tests', 'e2e', 'artifacts', 'operations-edited.png'), fullPage: false });

  await page.getByTestId('alert-reset').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="alert-edited"]')?.dataset.value === '0');
  assert.ok((await download(page, 'export-prometheus')).text === await readFile(join(GOLDEN, 'plumb-rules.yml'), 'utf8'));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('edited alert levels travel in a share link and reach the colleague\'s exports', async () => {
  const errors = [];
  const page = await openOperations(errors);
  const edit = async (testid, value) => {
    await page.getByTestId(testid).fill(value);
    await page.getByTestId(testid).dispatchEvent('change');
  };
  await edit('alert-latency_p95-critical', '250');
  await edit('alert-error_rate-critical', '');
  await page.waitForFunction(() => document.querySelector('[data-testid="alert-edited"]')?.dataset.value === '2');
  const mine = (await download(page, 'export-prometheus')).text;
  await page.getByTestId('share-link').click();
  const url = await page.getByTestId('share-url').inputValue();
  await page.context().close();

  // A colleague opens the link on the Overview (the tab the link names is Operations; go
  // elsewhere first so the levels wait for the view), loads the same file, then opens Operations.
  const colleague = await newPage(site.browser, errors);
  await colleague.goto(url);
  await colleague.getByTestId('file-input').setInputFiles(LOG);
  await waitForStatus(colleague, 'ready');
  await colleague.getByTestId('tab-overview').click();
  await colleague.getByTestId('tab-operations').click();
  await colleague.getByTestId('alert-thresholds').waitFor();
  assert.equal(await colleague.getByTestId('alert-latency_p95-critical').inputValue(), '250');
  assert.equal(await colleague.getByTestId('alert-error_rate-critical').inputValue(), '');
  assert.equal(await colleague.getByTestId('alert-edited').getAttribute('data-value'), '2');
  // The same rules file as the reviewer's.
  assert.ok((await download(colleague, 'export-prometheus')).text === mine, 'the colleague exports the reviewer\'s rules');
  // Reset still restores the proposal.
  await colleague.getByTestId('alert-reset').click();
  await colleague.waitForFunction(() => document.querySelector('[data-testid="alert-edited"]')?.dataset.value === '0');
  assert.ok((await download(colleague, 'export-prometheus')).text === await readFile(join(GOLDEN, 'plumb-rules.yml'), 'utf8'));
  assert.deepEqual(errors, []);
  await colleague.context().close();
});

test('the bucket width switches to days; without a timestamp the view says what to map', async () => {
  const errors = [];
  const page = await openOperations(errors);
  await page.getByTestId('ops-granularity').selectOption('day');
  await page.waitForFunction(() => document.querySelector('[data-testid="operations-view"]')?.dataset.granularity === 'day');
  await page.getByTestId('ops-buckets').locator('summary').click();
  await page.locator('[data-testid="ops-bucket-0"]').waitFor();
  assert.equal(await page.locator('[data-testid^="ops-bucket-"]').count(), 2);
  const days = await page.$$eval('[data-testid^="ops-bucket-"]', (rows) => rows.map((r) => Number(r.dataset.start)));
  assert.ok(days.every((d) => d % 86400 === 0));
  // The daily rules use daily rate windows.
  assert.match((await download(page, 'export-prometheus')).text, /\[1d\]/);

  // No status column: the error rate is empty and the view says what to map.
  await page.getByTestId('role-status').selectOption('');
  await page.getByTestId('ops-missing-roles').waitFor();
  assert.match(await page.getByTestId('ops-missing-roles').textContent(), /status/i);
  assert.equal(await page.getByTestId('alert-error_rate').count(), 0);
  // Its chart is not drawn as empty axes; the latency chart still is.
  assert.equal(await page.getByTestId('ops-chart-errors').count(), 0);
  assert.equal(await page.getByTestId('ops-chart-latency').count(), 1);

  await page.getByTestId('role-timestamp').selectOption('');
  await page.getByTestId('operations-empty').waitFor();
  assert.match(await page.getByTestId('operations-empty').textContent(), /timestamp/);
  assert.match(await page.getByTestId('operations-empty').textContent(), /latency/);
  await screenshot(page, 'operations-empty.png');
  assert.deepEqual(errors, []);
  await page.context().close();
});
