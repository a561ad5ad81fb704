// A plain CSV of 1 MiB or more is parsed in two halves at once (on machines with 4 or more
// cores, or when the page is opened with `?parallel=1` as here), by the analysis worker and its
// nested parse helper, then merged (src/core/ingest/split.rs). The page must show exactly what
// the single path shows: the same file read through gzip (which always takes the single path)
// gives the same report — rows, metrics, quality checks with their editor line numbers, column
// kinds. A file whose cut falls inside a quoted field with an embedded line break is refused
// by the merge and parsed by the analysis worker alone, with the same result again. The worker
// records how it parsed the last load in `self.__plumbLastLoad`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { useSite, newPage, waitForStatus, readMetrics } from './harness.mjs';

const site = useSite();

/** Rows before and after the middle of the generated logs. */
const HALF_ROWS = 30_000;

/** A deterministic row: quoted notes with commas and doubled quotes, categories, timestamps,
 * missing and non-numeric cells, ragged and blank lines now and then. */
function row(i, rand) {
  const score = (Math.round(rand() * 1e6) / 1e6).toFixed(6);
  const label = rand() < Number(score) ? 1 : 0;
  const region = ['north', 'south', 'east', 'west', 'Zone "9"'][i % 5];
  const note = i % 7 === 0 ? `"note, ${i % 13} ""quoted"""` : `plain${i % 11}`;
  const amount = i % 97 === 0 ? 'NA' : i % 389 === 0 ? 'n/a?' : (rand() * 500).toFixed(2);
  const ts = `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`;
  const line = `${i},${score},${label},"${region.replace(/"/g, '""')}",${note},${amount},${ts}\n`;
  if (i % 1009 === 0) return `${line}\n`; // a blank line
  if (i % 2003 === 0) return `${i},${score}\n`; // a ragged row
  if (i % 3001 === 0) return `${i},${score},${label},north,"two\nlines",1.5,${ts}\r\n`;
  return line;
}

const HEADER = 'id,score,label,region,note,amount,ts\n';

/** A log of 2 × HALF_ROWS rows; with `straddle`, one row near the middle has a long quoted
 * field with a line break, placed so that the first line feed after the middle byte is inside
 * it (the cut the worker would make is inside a record). */
function makeLog(straddle) {
  let seed = 777;
  const rand = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const first = [HEADER];
  for (let i = 0; i < HALF_ROWS; i++) first.push(row(i, rand));
  const head = first.join('');
  let special = '';
  if (straddle) special = `${HALF_ROWS},0.5,1,east,"${'x'.repeat(6000)}\ny, still quoted",3,2024-03-01T00:00:00Z\n`;
  const rest = [];
  let restBytes = 0;
  for (let i = HALF_ROWS + 1; restBytes < Buffer.byteLength(head); i++) {
    const r = row(i, rand);
    rest.push(r);
    restBytes += Buffer.byteLength(r);
  }
  const text = head + special + rest.join('');
  const bytes = Buffer.from(text, 'utf8');
  if (straddle) {
    // The worker's cut: just after the first LF at or after the middle byte.
    const middle = Math.floor(bytes.length / 2);
    const lf = bytes.indexOf(10, middle);
    const start = Buffer.byteLength(head) + special.indexOf('"x');
    const inside = Buffer.byteLength(head) + special.indexOf('\ny, still');
    assert.ok(middle > start && lf === inside, `the cut ${lf} is not inside the quoted field`);
  }
  assert.ok(bytes.length > 1 << 20, 'big enough for two halves');
  return bytes;
}

/** How the analysis worker parsed the last load (`self.__plumbLastLoad`). */
async function lastLoad(page) {
  for (const w of page.workers()) {
    const how = await w.evaluate(() => self.__plumbLastLoad ?? null).catch(() => null);
    if (how) return how;
  }
  return null;
}

/** Load `file` in a page opened with `query` (by default `?parallel=1`: split even on a
 * machine with fewer than 4 cores, where it is off by default) and return what the page shows
 * of it: rows, metrics, the JSON export without the file's name, size, fingerprint and
 * dialect, and how the worker parsed it. With `warmUp`, the same bytes are loaded once before
 * (under another name), so that the parse helper, started by that first load, is ready. */
async function shown(file, query = '?parallel=1', warmUp = false) {
  const errors = [];
  const page = await newPage(site.browser, errors);
  await page.goto(site.server.url + query);
  await page.getByTestId('load-demo').waitFor();
  if (warmUp) {
    // The helper starts after the worker's warm-up (or at its first load of a file to split,
    // if a request came first): a file this small, chosen at once, may be parsed before the
    // helper's wasm is ready (that load then falls back to the single path).
    await page.getByTestId('file-input').setInputFiles({ ...file, name: 'warm-up.csv' });
    await waitForStatus(page, 'ready', 120000);
    await page.locator('.file-name', { hasText: 'warm-up.csv' }).waitFor();
  }
  await page.getByTestId('file-input').setInputFiles(file);
  await page.locator('.file-name', { hasText: file.name }).waitFor();
  await waitForStatus(page, 'ready', 120000);
  const rows = await page.getByTestId('file-rows').textContent();
  const metrics = await readMetrics(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-json').click(),
  ]);
  const report = JSON.parse(await readFile(await download.path(), 'utf8'));
  for (const f of report.input.files) {
    for (const key of ['name', 'bytes', 'sha256', 'dialect']) delete f[key];
  }
  delete report.generator;
  const how = await lastLoad(page);
  assert.deepEqual(errors, []);
  await page.context().close();
  return { rows, metrics, report, how };
}

for (const straddle of [false, true]) {
  const what = straddle ? 'a cut inside a quoted field falls back' : 'two halves merge';
  test(`${what}, and the page shows what the single path shows`, async () => {
    const bytes = makeLog(straddle);
    const plain = await shown({ name: 'halves.csv', mimeType: 'text/csv', buffer: bytes }, '?parallel=1', true);
    const gz = await shown({
      name: 'halves.csv.gz', mimeType: 'application/gzip', buffer: gzipSync(bytes, { level: 1 }),
    });
    assert.equal(gz.how, 'single');
    if (straddle) assert.match(plain.how ?? '', /^fallback: NotAtBoundary/);
    else assert.equal(plain.how, 'halves');
    assert.equal(plain.rows, gz.rows);
    assert.deepEqual(plain.metrics, gz.metrics);
    assert.deepEqual(plain.report, gz.report);
    // The file's checks name the ragged rows' editor lines, past the cut too.
    assert.ok(JSON.stringify(plain.report.quality ?? {}).length > 2);
    if (!straddle) {
      // `?parallel=0` keeps a plain CSV in one piece, with the same report.
      const alone = await shown({ name: 'halves.csv', mimeType: 'text/csv', buffer: bytes }, '?parallel=0');
      assert.equal(alone.how, 'single');
      assert.deepEqual(alone.report, plain.report);
    }
  });
}
