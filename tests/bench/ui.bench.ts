/**
 * UI under load: the simulated exchange pushes ~200 book updates per second while Chromium renders the
 * workstation; for 60 s (after a warm-up) we record frame times (requestAnimationFrame deltas), main-
 * thread long tasks (> 50 ms) and JS heap growth between two forced collections.
 * `UI_BENCH_SECONDS` shortens the measured window for a quick look.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import { ROOT, startHostProcess } from '../e2e/fixtures.ts';
import type { Emit } from './figure.ts';
import { percentile } from './figure.ts';

const BOOK_RATE = 200;

/** The few browser globals the page scripts below use (this file is type-checked without the DOM lib). */
interface PageGlobals {
  document: { querySelector(sel: string): { getAttribute(name: string): string | null } | null };
  performance: { now(): number };
  requestAnimationFrame(cb: (now: number) => void): number;
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(o: { type: string; buffered: boolean }): void;
    disconnect(): void;
  };
}
const bookSeqInPage = (): string =>
  (globalThis as unknown as PageGlobals).document
    .querySelector('[data-book-seq]')
    ?.getAttribute('data-book-seq') ?? 'NaN';

export default async function ui(emit: Emit): Promise<void> {
  const seconds = Number(process.env.UI_BENCH_SECONDS ?? 60);
  const warmup = Math.min(15, Math.max(3, seconds / 4));
  if (!existsSync(join(ROOT, 'out/renderer/index.html'))) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts'],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mmws-uibench-'));
  const host = await startHostProcess(dataDir, ['--book-rate', String(BOOK_RATE)]);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(host.url);
    await page.locator('.app[data-state="ready"]').waitFor();
    await page.getByTestId('start-button').click();
    await page.waitForTimeout(warmup * 1000);

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    const heapBefore = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const seqBefore = Number(await page.evaluate(bookSeqInPage));

    const result = await page.evaluate(async (ms: number) => {
      const { PerformanceObserver, performance, requestAnimationFrame } =
        globalThis as unknown as PageGlobals;
      const frames: number[] = [];
      let longTasks = 0;
      const obs = new PerformanceObserver((list) => {
        longTasks += list.getEntries().filter((e) => e.duration > 50).length;
      });
      obs.observe({ type: 'longtask', buffered: false });
      await new Promise<void>((resolve) => {
        let last = performance.now();
        const end = last + ms;
        const tick = (now: number): void => {
          frames.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(tick);
          else resolve();
        };
        requestAnimationFrame(tick);
      });
      obs.disconnect();
      return { frames, longTasks };
    }, seconds * 1000);

    await cdp.send('HeapProfiler.collectGarbage');
    const heapAfter = (await cdp.send('Runtime.getHeapUsage')).usedSize;
    const seqAfter = Number(await page.evaluate(bookSeqInPage));
    const sorted = Float64Array.from(result.frames.slice(1)).sort();
    emit({
      figure: 'ui.frame_p95_ms',
      value: round(percentile(sorted, 95)),
      unit: 'ms',
      frames: sorted.length,
      seconds,
    });
    emit({ figure: 'ui.frame_p50_ms', value: round(percentile(sorted, 50)), unit: 'ms' });
    emit({ figure: 'ui.long_tasks', value: result.longTasks, unit: 'count', seconds });
    emit({
      figure: 'ui.heap_growth_mb',
      value: round((heapAfter - heapBefore) / 1024 / 1024),
      unit: 'MB',
      seconds,
    });
    emit({
      figure: 'ui.book_updates_per_s',
      value: Number.isFinite(seqAfter - seqBefore) ? round((seqAfter - seqBefore) / seconds) : -1,
      unit: 'updates/s',
      note: 'book sequence advance seen by the UI during the window (the load actually applied)',
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
