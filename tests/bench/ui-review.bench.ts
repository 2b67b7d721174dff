/**
 * The backtest review screen with a large run: a stored run of 1,000,000 events and 100,000 fills
 * (tests/support/synthetic-run.ts) opened in Chromium through browser mode.
 *
 * - `ui.review_open_ms`: a click on the run's row to its page's first full paint (every chart has its
 *   data and has painted: the page sets `data-ready`, then one more frame), on the first open; then
 *   `ui.review_reopen_ms`, the median of the next `UI_REVIEW_OPENS` − 1 opens (3 opens by default),
 *   each after going back to the list, with the run already loaded in the page.
 * - `ui.review_pan_frame_p95_ms`: frame times (requestAnimationFrame deltas) while the mouse drags
 *   the price chart left and right for `UI_REVIEW_PAN_S` seconds (6 by default); every chart follows.
 * - `ui.review_long_tasks`: main-thread tasks over 50 ms while panning, and `ui.review_open_long_tasks`
 *   during the opens.
 * - `ui.review_open_unkept_ms`: the first open of a run of the same size stored without its page
 *   (as by a version before pages were kept), which the host builds from the run's rows; measured
 *   last, so the page's own code is warm by then and the figure is not comparable with the first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import { ROOT, startHostProcess } from '../e2e/fixtures.ts';
import { storeSyntheticRun } from '../support/synthetic-run.ts';
import type { Emit } from './figure.ts';
import { percentile } from './figure.ts';

const SIZE = { events: 1_000_000, fills: 100_000, seconds: 20_000, decisions: 200_000 };

/** The few browser globals the page scripts use (this file is type-checked without the DOM lib). */
interface El {
  getAttribute(name: string): string | null;
  click(): void;
}
interface PageGlobals {
  document: { querySelector(sel: string): El | null };
  performance: { now(): number };
  requestAnimationFrame(cb: (now: number) => void): number;
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(o: { type: string; buffered: boolean }): void;
    disconnect(): void;
  };
  __panFrames?: Promise<{ frames: number[]; longTasks: number }>;
  __panStop?: () => void;
}

/** Clicks the row in the page and waits for the run's page to be ready and painted once more. */
async function openRun(page: Page, id: number): Promise<{ ms: number; longTasks: number }> {
  return page.evaluate(async (runId: number) => {
    const g = globalThis as unknown as PageGlobals;
    let longTasks = 0;
    const obs = new g.PerformanceObserver((list) => {
      longTasks += list.getEntries().filter((e) => e.duration > 50).length;
    });
    obs.observe({ type: 'longtask', buffered: false });
    const row = g.document.querySelector(`[data-testid="run-row-${runId}"]`);
    if (!row) throw new Error(`no row for run ${runId}`);
    const t0 = g.performance.now();
    row.click();
    await new Promise<void>((resolve, reject) => {
      const until = t0 + 60_000;
      const poll = (now: number): void => {
        const detail = g.document.querySelector('[data-testid="run-detail"]');
        if (detail?.getAttribute('data-ready') === 'true') resolve();
        else if (now > until) reject(new Error('the run page never became ready'));
        else g.requestAnimationFrame(poll);
      };
      g.requestAnimationFrame(poll);
    });
    // The frame after `ready` is the one that shows it all.
    await new Promise<void>((r) => g.requestAnimationFrame(() => r()));
    const ms = g.performance.now() - t0;
    obs.disconnect();
    return { ms, longTasks };
  }, id);
}

export default async function uiReview(emit: Emit): Promise<void> {
  const opens = Math.max(1, Number(process.env.UI_REVIEW_OPENS ?? 3));
  const panSeconds = Math.max(1, Number(process.env.UI_REVIEW_PAN_S ?? 6));
  if (!existsSync(join(ROOT, 'out/renderer/index.html')))
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts'],
      { cwd: ROOT, stdio: 'ignore' },
    );
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-review-bench-'));
  const made = performance.now();
  const id = storeSyntheticRun(dataDir, SIZE);
  const unkept = storeSyntheticRun(dataDir, SIZE, { seed: 2, keepPage: false });
  process.stderr.write(
    `bench: stored two runs of ${SIZE.fills} fills in ${Math.round(performance.now() - made)} ms\n`,
  );
  const host = await startHostProcess(dataDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(host.url);
    await page.getByTestId('nav-review').click();
    await page.getByTestId(`run-row-${id}`).waitFor({ timeout: 60_000 });

    const times: number[] = [];
    let openLongTasks = 0;
    for (let i = 0; i < opens; i++) {
      const r = await openRun(page, id);
      times.push(r.ms);
      openLongTasks += r.longTasks;
      if (i < opens - 1) {
        await page.getByTestId('nav-review').click();
        await page.getByTestId(`run-row-${id}`).waitFor();
      }
    }
    // The first open is the figure: the screen keeps a loaded run, so later opens of the same run
    // skip the engine's read and the transfer, and are reported apart.
    const warm = times.slice(1).sort((a, b) => a - b);
    emit({
      figure: 'ui.review_open_ms',
      value: round(times[0]!),
      unit: 'ms',
      fills: SIZE.fills,
      events: SIZE.events,
      goal: 1000,
      note: 'first open: the engine reads the run, sends it, the page parses and draws it',
    });
    if (warm.length > 0)
      emit({
        figure: 'ui.review_reopen_ms',
        value: round(warm[Math.floor(warm.length / 2)]!),
        unit: 'ms',
        opens: warm.map(round),
        note: 'median of the later opens of the same run, already loaded in the page',
      });
    emit({ figure: 'ui.review_open_long_tasks', value: openLongTasks, unit: 'count', opens });

    // Panning: the mouse drags the price chart back and forth while the page records its frames.
    const chart = page.getByTestId('chart-price');
    const box = await chart.boundingBox();
    if (!box) throw new Error('the price chart has no box');
    await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      let stop = false;
      g.__panStop = () => (stop = true);
      g.__panFrames = new Promise((resolve) => {
        const frames: number[] = [];
        let longTasks = 0;
        const obs = new g.PerformanceObserver((list) => {
          longTasks += list.getEntries().filter((e) => e.duration > 50).length;
        });
        obs.observe({ type: 'longtask', buffered: false });
        let last = g.performance.now();
        const tick = (now: number): void => {
          frames.push(now - last);
          last = now;
          if (!stop) g.requestAnimationFrame(tick);
          else {
            obs.disconnect();
            resolve({ frames, longTasks });
          }
        };
        g.requestAnimationFrame(tick);
      });
    });
    const y = box.y + box.height / 2;
    const left = box.x + box.width * 0.2;
    const right = box.x + box.width * 0.8;
    const end = Date.now() + panSeconds * 1000;
    await page.mouse.move(left, y);
    await page.mouse.down();
    let toRight = true;
    while (Date.now() < end) {
      await page.mouse.move(toRight ? right : left, y, { steps: 30 });
      toRight = !toRight;
    }
    await page.mouse.up();
    const pan = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals;
      g.__panStop?.();
      return g.__panFrames!;
    });
    const sorted = Float64Array.from(pan.frames.slice(1)).sort();
    // The host's page is cross-origin isolated, so frame times read to 5 µs; otherwise Chromium
    // rounds them to 100 µs, and a steady 60 Hz reads as 16.6, 16.7 and 16.8 ms by turns.
    const isolated = await page.evaluate(
      () => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
    );
    emit({
      figure: 'ui.review_pan_frame_p95_ms',
      value: round(percentile(sorted, 95)),
      unit: 'ms',
      frames: sorted.length,
      seconds: panSeconds,
      goal: 16.7,
      p99_ms: round(percentile(sorted, 99)),
      frames_over_20_ms: sorted.filter((x) => x > 20).length,
      clock_resolution_us: isolated === true ? 5 : 100,
    });
    emit({ figure: 'ui.review_pan_frame_p50_ms', value: round(percentile(sorted, 50)), unit: 'ms' });
    emit({ figure: 'ui.review_long_tasks', value: pan.longTasks, unit: 'count', seconds: panSeconds });

    await page.getByTestId('nav-review').click();
    await page.getByTestId(`run-row-${unkept}`).waitFor();
    const older = await openRun(page, unkept);
    emit({
      figure: 'ui.review_open_unkept_ms',
      value: round(older.ms),
      unit: 'ms',
      long_tasks: older.longTasks,
      note: 'first open of a run stored without its page: the host packs it from the rows',
    });
  } finally {
    await browser.close();
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
