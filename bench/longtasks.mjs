// Main-thread long tasks while a log loads and its answers are shown (issue #9: none over
// 50 ms): load the file in headless Chromium with a PerformanceObserver for `longtask`
// installed before the app starts, wait for the complete report (`data-complete="true"`) and
// half a second more, and print every long task with when it started relative to the file's
// `change` and to the first report's arrival from the worker.
//
//   node bench/longtasks.mjs --file bench/data/log_1000000.csv [--dist DIR] [--reps 3] [--cold]
//
// The file is chosen once the worker is warm, as in bench/browser.mjs (`--cold`: at once, as
// the end-to-end test does).
import { resolve } from 'node:path';
import { serveDist, launch, newPage } from '../tests/e2e/harness.mjs';
import { parseArgs, recordLongTasks, waitComplete, waitWarm } from './profile_common.mjs';

const args = parseArgs(process.argv.slice(2), ['cold'], { reps: '3' });
if (!args.file) throw new Error('need --file PATH');

const server = await serveDist(args.dist ? resolve(args.dist) : undefined);
const browser = await launch();
try {
  for (let rep = 0; rep < Number(args.reps); rep++) {
    const page = await newPage(browser, []);
    await page.addInitScript(recordLongTasks);
    await page.addInitScript(() => {
      window.__marks = {};
      const NativeWorker = window.Worker;
      window.Worker = class extends NativeWorker {
        constructor(...a) {
          super(...a);
          this.addEventListener('message', (ev) => {
            const msg = ev.data?.msg;
            if (typeof msg === 'string' && msg.startsWith('{"kind":"report"') && window.__marks.report == null) {
              window.__marks.report = performance.now();
            }
          });
        }
      };
      document.addEventListener('change', () => { window.__marks.change = performance.now(); }, true);
      new MutationObserver(() => {
        const s = document.querySelector('[data-testid="status"]')?.dataset.state;
        if (s === 'ready' && window.__marks.change != null && window.__marks.ready == null) window.__marks.ready = performance.now();
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
    });
    await page.goto(server.url);
    await page.getByTestId('file-input').waitFor({ state: 'attached' });
    if (!args.cold) await waitWarm(page);
    await page.getByTestId('file-input').setInputFiles(args.file);
    await waitComplete(page);
    await page.waitForTimeout(500);
    const { tasks, marks } = await page.evaluate(() => ({ tasks: window.__longtasks, marks: window.__marks }));
    const after = tasks.filter((t) => t.start >= marks.change);
    const longest = Math.max(0, ...after.map((t) => t.duration));
    console.log(`rep ${rep + 1}: ready ${((marks.ready - marks.change) / 1000).toFixed(3)} s, `
      + `first report +${((marks.report - marks.change) / 1000).toFixed(3)} s; longest task ${longest} ms; tasks `
      + after.map((t) => `${t.duration}@${(t.start - marks.report).toFixed(0)}`).join(' ') + ' (ms @ ms from the report)');
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
