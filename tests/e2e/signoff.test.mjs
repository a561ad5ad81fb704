// Sign-off in the browser: gates evaluated on the report, the reviewer's decision, and the
// exports — checked against the native CLI (`plumb audit`, built by `cargo test` before this
// suite runs), which must write the same JSON for the same input and settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { useSite, newPage, waitForStatus, screenshot, FIXTURES, ROOT } from './harness.mjs';

const site = useSite();

async function download(page, testid) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return readFile(await dl.path(), 'utf8');
}

/** Deep equality of two JSON values, numbers within 1e-12 relative (wasm's libm vs glibc). */
function sameJson(a, b, path = '$') {
  if (typeof a === 'number' && typeof b === 'number') {
    const tol = 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
    assert.ok(Math.abs(a - b) <= tol, `${path}: browser ${a} vs CLI ${b}`);
    return;
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b) && a.length === b.length, `${path}: array lengths differ`);
    a.forEach((x, i) => sameJson(x, b[i], `${path}[${i}]`));
    return;
  }
  if (a && typeof a === 'object') {
    assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${path}: keys differ`);
    for (const k of Object.keys(a)) sameJson(a[k], b[k], `${path}.${k}`);
    return;
  }
  assert.equal(a, b, path);
}

test('the browser and the CLI write the same JSON report for the same input', async (t) => {
  const cli = join(ROOT, 'target', 'debug', 'plumb');
  if (!existsSync(cli)) {
    t.skip('target/debug/plumb is built by `cargo test` (make test runs it first)');
    return;
  }
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  const browserReport = JSON.parse(await download(page, 'export-json'));
  const cliReport = JSON.parse(execFileSync(cli, ['audit', join(FIXTURES, 'logs', 'basic.csv')], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  assert.equal(browserReport.generator.name, 'plumb-web');
  assert.equal(cliReport.generator.name, 'plumb');
  browserReport.generator.name = cliReport.generator.name;
  sameJson(browserReport, cliReport);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('gates, sign-off and the HTML/Markdown/JSON exports; hostile text stays text', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(FIXTURES, 'logs', 'current.csv'));
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('Compared'));
  await waitForStatus(page, 'ready'); // the complete report, not only the first answer
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('gates-verdict').waitFor();
  // The default gates fail on this pair (the current window's ECE is ~0.11).
  assert.equal(await page.getByTestId('gates-verdict').getAttribute('data-value'), 'fail');
  assert.equal(await page.getByTestId('gate-0').getAttribute('data-passed'), 'false');
  // Raising the ECE limit makes that gate pass.
  await page.getByTestId('gate-limit-0').fill('0.5');
  await page.getByTestId('gate-limit-0').dispatchEvent('change');
  await page.waitForFunction(() => document.querySelector('[data-testid="gate-0"]')?.dataset.passed === 'true');

  const hostile = '<script>alert(1)</script>';
  await page.getByTestId('signoff-reviewer').fill(hostile);
  await page.getByTestId('signoff-decision').selectOption('reject');
  await page.getByTestId('signoff-rationale').fill('ECE too high <img src=x onerror=alert(1)>');
  await screenshot(page, 'signoff.png');

  const signed = JSON.parse(await download(page, 'export-json-signed'));
  assert.equal(signed.signoff.reviewer, hostile);
  assert.equal(signed.signoff.decision, 'reject');
  assert.ok(['pass', 'fail'].includes(signed.verdict));
  for (const g of signed.gates) {
    for (const k of ['name', 'metric', 'op', 'limit', 'value', 'passed']) assert.ok(k in g, `gate.${k}`);
  }
  assert.equal(signed.gates[0].limit, 0.5);
  assert.equal(signed.input.files.length, 2);

  const html = await download(page, 'export-html');
  assert.ok(!/<script/i.test(html), 'no script in the HTML report');
  assert.ok(!/onerror=/i.test(html), 'no event handler in the HTML report');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the reviewer is shown as text');
  assert.ok(html.includes('<svg'), 'charts are inline SVG');

  const md = await download(page, 'export-md');
  assert.ok(md.startsWith('# Plumb audit'));
  assert.ok(!md.includes(hostile), 'the reviewer is escaped in Markdown');
  // The hostile reviewer text never became markup in the app itself either.
  assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the HTML report opens in Chromium with its charts; a hostile column name is text everywhere; the sign-off draft survives a reload', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  const hostile = '<script>alert(1)</script>';
  const csv = (await readFile(join(FIXTURES, 'logs', 'basic.csv'), 'utf8'))
    .replace('x1', hostile.replace(/,/g, ''));
  await page.getByTestId('file-input').setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await waitForStatus(page, 'ready');
  // The column name is shown as text in the app, never parsed as markup.
  assert.ok((await page.getByTestId('role-features').textContent()).includes(hostile));
  assert.equal(await page.evaluate(() => document.querySelectorAll('script:not([src])').length), 0);

  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('signoff-reviewer').fill('Ada Lovelace');
  await page.getByTestId('signoff-decision').selectOption('approve_with_conditions');
  await page.getByTestId('signoff-rationale').fill('Recalibrate before launch.');
  const html = await download(page, 'export-html');
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(!/<script/i.test(html));

  // Open the exported report in the browser: it renders its inline SVG charts, runs nothing.
  const viewer = await newPage(site.browser, errors);
  await viewer.setContent(html);
  const charts = await viewer.$$eval('svg', (svgs) => svgs.filter((s) => s.getBoundingClientRect().width > 100).length);
  assert.ok(charts >= 3, `${charts} charts rendered`);
  assert.equal(await viewer.evaluate(() => document.scripts.length), 0);
  await viewer.screenshot({ path: join(ROOT, 'tests', 'e2e', 'artifacts', 'report-html.png'), fullPage: true });
  await viewer.context().close();

  // The sign-off draft survives a reload (local storage; the data does not).
  await page.reload();
  await page.getByTestId('file-input').setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  assert.equal(await page.getByTestId('signoff-reviewer').inputValue(), 'Ada Lovelace');
  assert.equal(await page.getByTestId('signoff-decision').inputValue(), 'approve_with_conditions');
  assert.equal(await page.getByTestId('signoff-rationale').inputValue(), 'Recalibrate before launch.');
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('the decision starts unset; until one is chosen the exports say "No decision recorded"; approving over failing gates warns and names them', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  // A draft saved before the decision could be unset: its "approve" may be the old default
  // that nobody chose, so only the reviewer and the rationale are taken over.
  await page.evaluate(() => localStorage.setItem('plumb.signoff', JSON.stringify({
    reviewer: 'Grace Hopper', decision: 'approve', rationale: 'Looks fine.', timestamp: '',
  })));
  await page.reload();
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(FIXTURES, 'logs', 'current.csv'));
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('Compared'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('gates-verdict').waitFor();
  assert.equal(await page.getByTestId('gates-verdict').getAttribute('data-value'), 'fail');

  // Unset by default (the legacy draft names no input: its decision and rationale may be about
  // another file, so only the reviewer is taken over).
  assert.equal(await page.getByTestId('signoff-decision').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-reviewer').inputValue(), 'Grace Hopper');
  assert.equal(await page.getByTestId('signoff-rationale').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-status').getAttribute('data-signed'), 'false');
  assert.match(await page.getByTestId('signoff-status').textContent(), /No decision chosen/);
  assert.equal(await page.getByTestId('signoff-warning').count(), 0);
  assert.match(await page.getByTestId('export-json-signed').textContent(), /unsigned/);

  // Exports without a decision carry no sign-off and say so.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json-signed').click()]);
  assert.match(dl.suggestedFilename(), /\.plumb\.unsigned\.json$/);
  const unsigned = JSON.parse(await readFile(await dl.path(), 'utf8'));
  assert.ok(!('signoff' in unsigned), 'no sign-off in an unsigned JSON');
  assert.equal(unsigned.verdict, 'fail');
  const unsignedHtml = await download(page, 'export-html');
  assert.ok(unsignedHtml.includes('Sign-off: no decision recorded'), 'the header chip');
  assert.ok(unsignedHtml.includes('No decision recorded: no reviewer has signed off this report.'));
  assert.ok(!unsignedHtml.includes('Grace Hopper'), 'an unsigned export names no reviewer');
  const unsignedMd = await download(page, 'export-md');
  assert.ok(unsignedMd.includes('## Sign-off\n\n⚠️ No decision recorded'));
  assert.ok(!unsignedMd.includes('Grace Hopper'));

  // Approving while gates fail: allowed, with a warning naming each failing gate.
  const failing = await page.$$eval('tr[data-passed="false"]', (rows) => rows.map((r) => r.querySelector('td').textContent));
  assert.ok(failing.length >= 1);
  await page.getByTestId('signoff-decision').selectOption('approve');
  await page.getByTestId('signoff-warning').waitFor();
  const warning = await page.getByTestId('signoff-warning').textContent();
  assert.equal(Number(await page.getByTestId('signoff-warning').getAttribute('data-count')), failing.length);
  for (const name of failing) assert.ok(warning.includes(name), `the warning names ${name}`);
  assert.equal(await page.getByTestId('signoff-status').getAttribute('data-signed'), 'true');
  await screenshot(page, 'signoff-warning.png');
  const approved = JSON.parse(await download(page, 'export-json-signed'));
  assert.equal(approved.signoff.decision, 'approve');
  assert.equal(approved.signoff.reviewer, 'Grace Hopper');
  const approvedHtml = await download(page, 'export-html');
  assert.match(approvedHtml, new RegExp(`Approved although ${failing.length} gates? failed`));
  const approvedMd = await download(page, 'export-md');
  assert.ok(approvedMd.includes('- ⚠️ Approved although'));

  // Approving with conditions is the way to ship despite a failure: no warning.
  await page.getByTestId('signoff-decision').selectOption('approve_with_conditions');
  await page.waitForFunction(() => !document.querySelector('[data-testid="signoff-warning"]'));
  // Back to "Choose…": unsigned again.
  await page.getByTestId('signoff-decision').selectOption('');
  await page.waitForFunction(() => document.querySelector('[data-testid="signoff-status"]')?.dataset.signed === 'false');
  // A decision without a reviewer's name signs nothing either.
  await page.getByTestId('signoff-decision').selectOption('reject');
  await page.getByTestId('signoff-reviewer').fill('  ');
  await page.waitForFunction(() => document.querySelector('[data-testid="signoff-status"]')?.textContent.includes('No reviewer named'));
  assert.ok(!('signoff' in JSON.parse(await download(page, 'export-json-signed'))));
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('a saved decision and rationale belong to the file they were written for: another file clears them (the reviewer stays), the same file restores them', async () => {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('signoff-reviewer').fill('Ada Lovelace');
  await page.getByTestId('signoff-decision').selectOption('approve');
  await page.getByTestId('signoff-rationale').fill('Calibrated on basic.csv.');
  assert.equal(await page.getByTestId('signoff-cleared').count(), 0);

  // Another file in the same page: the decision and rationale are cleared, and the form says why.
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('signoff-cleared').waitFor();
  assert.equal(await page.getByTestId('signoff-decision').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-rationale').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-reviewer').inputValue(), 'Ada Lovelace');
  assert.equal(await page.getByTestId('signoff-status').getAttribute('data-signed'), 'false');
  assert.ok(!('signoff' in JSON.parse(await download(page, 'export-json-signed'))), 'no carried-over sign-off');

  // A decision for this file survives a reload with this file ...
  await page.getByTestId('signoff-decision').selectOption('reject');
  await page.getByTestId('signoff-rationale').fill('Drifted.');
  await page.reload();
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  assert.equal(await page.getByTestId('signoff-decision').inputValue(), 'reject');
  assert.equal(await page.getByTestId('signoff-rationale').inputValue(), 'Drifted.');
  assert.equal(await page.getByTestId('signoff-cleared').count(), 0);

  // ... and not a reload with another file, the sign-off tab opened only after it loaded.
  await page.reload();
  await page.getByTestId('file-input').setInputFiles(join(FIXTURES, 'logs', 'basic.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('signoff-cleared').waitFor();
  assert.equal(await page.getByTestId('signoff-decision').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-rationale').inputValue(), '');
  assert.equal(await page.getByTestId('signoff-reviewer').inputValue(), 'Ada Lovelace');
  const signed = JSON.parse(await download(page, 'export-json-signed'));
  assert.ok(!('signoff' in signed), 'the other file\'s decision is not exported');
  assert.deepEqual(errors, []);
  await page.context().close();
});
