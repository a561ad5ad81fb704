// Main-thread long tasks when the user switches views after a log has loaded (issue #9, "never
// a frozen tab"): load the file, wait for the complete report, then click each tab in turn
// and print the long tasks (over 50 ms, from a PerformanceObserver for `longtask`) between
// the click and the view's charts being drawn (`data-busy="false"` and half a second more).
//
//   node bench/tabtasks.mjs --file bench/data/log_1000000.csv [--dist DIR]
import { resolve } from 'node:path';
import { serveDist, launch, newPage } from '../tests/e2e/harness.mjs';
import { parseArgs, recordLongTasks, waitComplete, waitWarm } from './profile_common.mjs';

const args = parseArgs(process.argv.slice(2), [], {});
if (!args.file) throw new Error('need --file PATH');
const TABS = ['calibration', 'thresholds', 'models', 'operations', 'compare', 'quality', 'diagnosis', 'signoff', 'overview'];

const server = await serveDist(args.dist ? resolve(args.dist) : undefined);
const browser = await launch();
try {
  const page = await newPage(browser, []);
  await page.addInitScript(recordLongTasks);
  await page.goto(server.url);
  await page.getByTestId('file-input').waitFor({ state: 'attached' });
  await waitWarm(page);
  await page.getByTestId('file-input').setInputFiles(args.file);
  await waitComplete(page);
  await page.waitForTimeout(500);
  for (const tab of TABS) {
    const t0 = await page.evaluate(() => performance.now());
    await page.getByTestId(`tab-${tab}`).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="app"]')?.dataset.busy === 'false');
    await page.waitForTimeout(500);
    const tasks = await page.evaluate((t) => window.__longtasks.filter((x) => x.start >= t), t0);
    console.log(`${tab.padEnd(12)} ${tasks.map((x) => `${x.duration} ms`).join(', ') || 'no long task'}`);
  }
} finally {
  await browser.close();
  await server.close();
}
