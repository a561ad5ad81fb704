// What the profiling scripts (bench/worker_profile.mjs, bench/page_profile.mjs,
// bench/longtasks.mjs, bench/tabtasks.mjs) and the browser benchmark (bench/browser.mjs) share:
// their arguments, the moments they wait for — the analysis worker warm before the file is
// chosen, and the complete report on screen — and the page's record of its long tasks.

/**
 * `--key value` pairs as an object; each of `flags` (names without `--`) takes no value and
 * is `true` when given.
 */
export function parseArgs(argv, flags = [], defaults = {}) {
  const args = { ...defaults };
  for (let i = 0; i < argv.length; i += 1) {
    const k = argv[i].replace(/^--/, '');
    if (flags.includes(k)) args[k] = true;
    else { args[k] = argv[i + 1]; i += 1; }
  }
  return args;
}

/**
 * Time given after the worker says it is warm, before the file is chosen: the optimising
 * compiles the warm-up queued on background threads, and a parse helper's start, end
 * meanwhile (nobody picks a file within a second of the page opening).
 */
export const WARM_SETTLE_MS = 1000;

/**
 * Wait until the page's analysis worker is warm: its global `__plumbWarm` is `true` (it has
 * run its warm-up, `src/core/warm_up.rs`, or skipped it for a request, and started its parse
 * helper where loads may be split). A build from before that flag — which warmed up in the
 * same task that set `__plumbWasmMemory` — counts as warm once that is set. Then
 * [`WARM_SETTLE_MS`] more. `true`, or `false` if the worker did not say so within `timeoutMs`.
 */
export async function waitWarm(page, timeoutMs = 60000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const states = await Promise.all(page.workers().map((w) => w.evaluate(() => (
      self.name === 'plumb-parse-helper' || !self.__plumbWasmMemory ? null
        : self.__plumbWarm === true || self.__plumbWarm === undefined
    )).catch(() => null)));
    if (states.includes(true)) {
      await page.waitForTimeout(WARM_SETTLE_MS);
      return true;
    }
    await page.waitForTimeout(50);
  }
  return false;
}

/** Wait until the complete report (or an error) is on screen. */
export async function waitComplete(page, timeoutMs = 600000) {
  await page.waitForFunction(() => {
    const app = document.querySelector('[data-testid="app"]');
    const s = document.querySelector('[data-testid="status"]')?.dataset.state;
    return s === 'error' || (s === 'ready' && app?.dataset.complete === 'true');
  }, null, { timeout: timeoutMs, polling: 100 });
}

/**
 * A page init script (`page.addInitScript(recordLongTasks)`): every main-thread long task
 * (over 50 ms, the `longtask` entries of a `PerformanceObserver`) from before the app starts,
 * as `{ start, duration }` in `window.__longtasks`.
 */
export function recordLongTasks() {
  window.__longtasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}
