// The committed XSS corpus (tests/fixtures/xss/payloads.txt) end to end in the browser: the
// fixture logs made from it (payloads as column names, segment and category values, model
// versions) are loaded, every tab is visited, the reviewer fields are filled with payloads, and
// the HTML, Markdown and SVG exports are downloaded. Nothing may run (no dialog, no injected
// element or handler), and each payload must be visible as the text it is:
// - in the app's DOM, on every tab;
// - in the exported HTML, opened in a fresh page;
// - in the exported Markdown, rendered by markdown-it (CommonMark + GFM tables, raw HTML
//   allowed as GitHub allows some: only escaping keeps it inert) and opened in a fresh page;
// - in the exported SVG, parsed as XML by Chromium's DOMParser.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { useSite, newPage, waitForStatus, screenshot, FIXTURES } from './harness.mjs';

const XSS = join(FIXTURES, 'xss');
const site = useSite();
let payloads;

before(async () => {
  payloads = (await readFile(join(XSS, 'payloads.txt'), 'utf8')).split('\n').filter((l) => l.length > 0);
});

/** Record every dialog (alert, confirm, prompt) a page opens; a payload that runs opens one. */
function watchDialogs(page, dialogs) {
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss().catch(() => {});
  });
}

/**
 * Markup in the document that no payload may create: event-handler attributes, script-bearing
 * or embedding elements the page does not use, `javascript:` URLs. Returns descriptions.
 */
function injected(page, allowedScripts) {
  return page.evaluate((allowed) => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (a.name.toLowerCase().startsWith('on')) found.push(`${el.tagName} ${a.name}=${a.value}`);
        if (/^\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name.toLowerCase())) {
          found.push(`${el.tagName} ${a.name}=${a.value}`);
        }
      }
    }
    for (const sel of ['iframe', 'object', 'embed', 'img', 'math', 'details[ontoggle]', 'body body', 'textarea textarea']) {
      for (const el of document.querySelectorAll(sel)) found.push(`<${el.tagName.toLowerCase()}>`);
    }
    const scripts = document.querySelectorAll('script').length;
    if (scripts > allowed) found.push(`${scripts - allowed} extra <script>`);
    return found;
  }, allowedScripts);
}

async function download(page, locator) {
  const [dl] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  return readFile(await dl.path(), 'utf8');
}

test('the XSS corpus stays text in the app, the HTML and Markdown reports and the SVG charts', async () => {
  const errors = [];
  const dialogs = [];
  const page = await newPage(site.browser, errors);
  watchDialogs(page, dialogs);
  await page.goto(site.server.url);
  await page.getByTestId('file-input').waitFor();
  const scripts = await page.evaluate(() => document.querySelectorAll('script').length);

  await page.getByTestId('file-input').setInputFiles(join(XSS, 'reference.csv'));
  await waitForStatus(page, 'ready');
  await page.getByTestId('file-input-current').setInputFiles(join(XSS, 'current.csv'));
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent.includes('Compared'));
  await waitForStatus(page, 'ready'); // the complete report, not only the first answer

  // The column roles in the sidebar list the hostile names as text.
  const features = await page.getByTestId('role-features').textContent();
  for (const p of payloads.slice(0, 14)) assert.ok(features.includes(p), `feature ${p} shown`);

  // Every tab: nothing injected, and collect the text a person sees.
  const seen = new Set();
  const tabs = ['overview', 'calibration', 'thresholds', 'models', 'operations', 'compare', 'quality', 'diagnosis', 'signoff'];
  for (const tab of tabs) {
    await page.getByTestId(`tab-${tab}`).click();
    await page.waitForFunction((t) => document.getElementById(`tab-${t}`)?.getAttribute('aria-selected') === 'true', tab);
    await page.waitForTimeout(200);
    if (tab === 'compare') {
      await page.getByTestId('drift-table').waitFor();
      // Open a hostile categorical column's detail: its chart's categories are payloads too.
      // (Its first cell: the row's centre may fall on the per-column method picker.)
      await page.locator(`[data-testid="drift-row-${payloads[12].replace(/["\\]/g, '\\$&')}"] td`).first().click();
      await page.getByTestId('drift-detail').waitFor();
    }
    const text = await page.evaluate(() => document.body.innerText);
    for (const p of payloads) if (text.includes(p)) seen.add(p);
    assert.deepEqual(await injected(page, scripts), [], `injected markup on ${tab}`);
    await screenshot(page, `xss-${tab}.png`);
    if (tab === 'compare') {
      // The distribution chart's SVG: parsed as XML, only allow-listed elements, payloads as text.
      const svg = await download(page, page.getByTestId('drift-detail').getByTestId('export-svg'));
      const check = await page.evaluate((doc) => {
        const xml = new DOMParser().parseFromString(doc, 'image/svg+xml');
        const error = xml.querySelector('parsererror')?.textContent ?? null;
        const tags = [...new Set([...xml.querySelectorAll('*')].map((e) => e.localName))];
        const handlers = [...xml.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name));
        const texts = [...xml.querySelectorAll('text')].map((t) => t.textContent.trim());
        return { error, tags, handlers, texts };
      }, svg);
      assert.equal(check.error, null, 'the SVG parses as XML');
      for (const t of check.tags) assert.ok(['svg', 'g', 'path', 'text', 'circle', 'rect', 'line', 'polyline', 'polygon'].includes(t), `<${t}> in the SVG`);
      assert.deepEqual(check.handlers, []);
      assert.ok(check.texts.some((t) => t === payloads[12] || (t.endsWith('…') && payloads[12].startsWith(t.slice(0, -1)))), 'the column name is a chart text');
      const categories = payloads.filter((p) => check.texts.includes(p));
      assert.ok(categories.length >= 3, `payload categories as chart texts: ${categories.length}`);
      for (const p of payloads) if (/[<>&]/.test(p)) assert.ok(!svg.includes(p), `raw payload in SVG: ${p}`);
    }
  }
  // Column names, segment values and model versions reach the screen as text.
  for (const p of payloads.slice(0, 14)) assert.ok(seen.has(p), `column name ${p} visible`);
  for (const p of payloads.slice(14, 20)) assert.ok(seen.has(p), `segment value ${p} visible`);

  // Reviewer text: every payload, in every field.
  await page.getByTestId('tab-signoff').click();
  await page.getByTestId('signoff-reviewer').fill(payloads[1]);
  await page.getByTestId('signoff-decision').selectOption('reject');
  await page.getByTestId('signoff-rationale').fill(payloads.join('\n'));
  await page.waitForTimeout(200);
  assert.deepEqual(await injected(page, scripts), [], 'injected markup after the sign-off');
  assert.equal(await page.getByTestId('signoff-reviewer').inputValue(), payloads[1]);

  const html = await download(page, page.getByTestId('export-html'));
  const md = await download(page, page.getByTestId('export-md'));
  const signed = JSON.parse(await download(page, page.getByTestId('export-json-signed')));
  assert.equal(signed.signoff.rationale, payloads.join('\n'), 'the JSON carries the text as data');

  // The HTML report in a fresh page (scripts would run here if any were injected).
  const viewer = await newPage(site.browser, errors);
  watchDialogs(viewer, dialogs);
  await viewer.setContent(html);
  await viewer.waitForTimeout(300);
  assert.deepEqual(await injected(viewer, 0), [], 'injected markup in the HTML report');
  const reportText = await viewer.evaluate(() => document.body.innerText);
  for (const p of payloads.slice(0, 14)) assert.ok(reportText.includes(p), `HTML report shows ${p}`);
  assert.ok(reportText.includes(payloads[1]), 'HTML report shows the reviewer');
  for (const p of payloads) assert.ok(reportText.includes(p), `HTML report rationale shows ${p}`);
  await viewer.context().close();

  // The Markdown summary rendered by markdown-it, raw HTML enabled.
  const rendered = new MarkdownIt({ html: true, linkify: false }).render(md);
  const mdPage = await newPage(site.browser, errors);
  watchDialogs(mdPage, dialogs);
  await mdPage.setContent(`<!doctype html><html><body>${rendered}</body></html>`);
  await mdPage.waitForTimeout(300);
  assert.deepEqual(await injected(mdPage, 0), [], 'injected markup in the rendered Markdown');
  const md_ = await mdPage.evaluate(() => ({
    links: document.querySelectorAll('a').length,
    images: document.querySelectorAll('img').length,
    firstCells: [...document.querySelectorAll('table tr')].map((tr) => tr.children[0]?.textContent ?? ''),
    widths: [...document.querySelectorAll('table')].map((t) => [...t.querySelectorAll('tr')].map((tr) => tr.children.length)),
    text: document.body.innerText,
  }));
  assert.equal(md_.links, 0, 'no link in the rendered Markdown');
  assert.equal(md_.images, 0, 'no image in the rendered Markdown');
  // A payload cannot add or remove a table cell: every row as wide as its header.
  for (const w of md_.widths) assert.ok(w.every((n) => n === w[0]), `table row widths ${w}`);
  // The drift table: one row per hostile column, its first cell exactly the payload.
  for (const p of payloads.slice(0, 14)) assert.ok(md_.firstCells.includes(p), `Markdown drift row ${p}`);
  assert.ok(md_.text.includes(payloads[1]), 'Markdown shows the reviewer');
  for (const p of payloads) assert.ok(md_.text.includes(p.trim()), `Markdown rationale shows ${p}`);
  await mdPage.screenshot({ path: join(FIXTURES, '..', 'e2e', 'artifacts', 'xss-markdown.png'), fullPage: true });
  await mdPage.context().close();

  assert.deepEqual(dialogs, [], 'no payload opened a dialog');
  assert.deepEqual(errors, []);
  await page.context().close();
});
