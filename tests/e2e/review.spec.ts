import { join } from 'node:path';
import Database from 'better-sqlite3';
import { recordSim } from '../support/sim-recording.ts';
import { expect, ROOT, test } from './fixtures.ts';
import { ReviewPage } from './pages/review.ts';

const SAMPLE = 'sample-btcusdt';

/** The review screen's read-only test hook (this file is type-checked without the DOM lib). */
interface ReviewHook {
  __review: { fillPoint(i: number): { x: number; y: number } | null };
}

/** Runs `read` on backtests.sqlite of the data dir, opened read-only and closed after. */
function readStore<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'backtests.sqlite'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** A run's fills and decisions as the engine stored them. */
function storedRun(dataDir: string, id: number) {
  return readStore(dataDir, (db) => ({
    fills: db
      .prepare('SELECT seq, side, price_ticks, decision FROM run_fills WHERE run_id = ? ORDER BY seq')
      .all(id) as { seq: number; side: string; price_ticks: number; decision: number | null }[],
    decisions: new Map(
      (
        db
          .prepare('SELECT seq, gamma, kappa, bid_ticks, ask_ticks FROM run_decisions WHERE run_id = ?')
          .all(id) as { seq: number; gamma: number; kappa: number; bid_ticks: number; ask_ticks: number }[]
      ).map((d) => [d.seq, d]),
    ),
    run: db.prepare('SELECT status, error FROM runs WHERE id = ?').get(id) as {
      status: string;
      error: string | null;
    },
  }));
}

/** Starts a backtest of the sample from the form; waits for its page to open and returns its run id. */
async function runFromForm(review: ReviewPage, params: { gamma?: string }): Promise<number> {
  await review.startBacktest(SAMPLE, params);
  // Its progress is on screen while it runs, then the run's page opens.
  await review.waitForDetail();
  return Number(await review.detail.getAttribute('data-run-id'));
}

test.describe('the backtest review', () => {
  test('runs the sample from the screen with progress, shows its charts and statistics, and explains a fill', async ({
    page,
    host,
  }) => {
    test.setTimeout(180_000);
    const review = new ReviewPage(page);
    await page.goto(host.url);
    await review.open();
    // An empty list says what to do first.
    await expect(review.empty).toContainText(SAMPLE);

    await review.startBacktest(SAMPLE, { gamma: '0.1' });
    const job = review.jobs().first();
    await expect(job).toBeVisible();
    await expect(job.locator('progress, [role="progressbar"]').first()).toBeAttached();
    await review.waitForDetail();
    const id = Number(await review.detail.getAttribute('data-run-id'));
    expect(id).toBeGreaterThan(0);

    const detail = review.detail;
    for (const chart of ['chart-price', 'chart-equity', 'chart-inventory', 'chart-pnl'])
      await expect(detail.getByTestId(chart).locator('canvas').first()).toBeVisible();
    const stats = detail.getByTestId('run-stats');
    await expect(stats).toContainText('pnl_total');
    await expect(stats).toContainText('spread_capture');
    await expect(stats).toContainText('inventory_pnl');

    // A fill of the table: the decision that priced its order, as the run stored it.
    const stored = storedRun(host.dataDir, id);
    expect(stored.fills.length).toBeGreaterThan(5);
    const first = stored.fills[0]!;
    await detail.getByTestId('fill-row-0').click();
    const panel = review.decision;
    await expect(panel.getByTestId('decision-seq')).toHaveText(String(first.decision));
    const d = stored.decisions.get(first.decision!)!;
    expect(first.side === 'buy' ? d.bid_ticks : d.ask_ticks).toBe(first.price_ticks);
    const shownPrice = await panel
      .getByTestId(first.side === 'buy' ? 'decision-bid' : 'decision-ask')
      .textContent();
    // The quote's price on the 0.10 tick grid, as the engine formats it.
    expect(shownPrice).toBe((first.price_ticks / 10).toFixed(2));
    expect(Number(await panel.getByTestId('decision-gamma').textContent())).toBe(d.gamma);
    expect(d.gamma).toBe(0.1);

    // The same from the price chart: a click on a fill's marker.
    const i = Math.min(3, stored.fills.length - 1);
    const point = await page.evaluate((n) => {
      const hook = (globalThis as unknown as ReviewHook).__review;
      return hook.fillPoint(n);
    }, i);
    expect(point).not.toBeNull();
    await page.mouse.click(point!.x, point!.y);
    await expect(panel.getByTestId('decision-seq')).toHaveText(String(stored.fills[i]!.decision));

    const shot =
      process.env.UPDATE_README_SCREENSHOT === '1'
        ? join(ROOT, 'resources/readme/review.png')
        : test.info().outputPath('review.png');
    await page.screenshot({ path: shot });
  });

  test('compares two runs with different γ: both equity curves and the differences', async ({
    page,
    host,
  }) => {
    test.setTimeout(180_000);
    const review = new ReviewPage(page);
    await page.goto(host.url);
    await review.open();
    const low = await runFromForm(review, { gamma: '0.05' });
    await review.open();
    const high = await runFromForm(review, { gamma: '0.5' });
    await review.open();
    await page.getByTestId(`run-select-${low}`).check();
    await page.getByTestId(`run-select-${high}`).check();
    await page.getByTestId('compare-button').click();
    const compare = page.getByTestId('compare-view');
    await expect(compare).toBeVisible();
    const table = compare.getByTestId('compare-stats');
    await expect(table).toContainText('pnl_total');
    await expect(table).toContainText('0.05');
    await expect(table).toContainText('0.5');
    // A difference column: a signed number beside the second run's value.
    await expect(table).toContainText(/[+−-]\d/);
    const chart = compare.getByTestId('chart-compare-equity');
    await expect(chart.locator('canvas').first()).toBeVisible();
    const legend = compare.getByTestId('compare-legend');
    await expect(legend).toContainText('0.05');
    await expect(legend).toContainText('0.5');
  });

  test('runs a small sweep and opens a run from its heatmap', async ({ page, host }) => {
    test.setTimeout(240_000);
    const review = new ReviewPage(page);
    await page.goto(host.url);
    await review.open();
    await page.getByTestId('bt-recording').selectOption(SAMPLE);
    await page.getByTestId('sweep-grid-gamma').fill('0.05, 0.2');
    await page.getByTestId('sweep-grid-kappa').fill('1, 2');
    await page.getByTestId('sweep-start').click();
    await expect(review.jobs().first()).toBeVisible();
    await expect
      .poll(() => readStore(host.dataDir, (db) => db.prepare('SELECT COUNT(*) AS n FROM runs').get()), {
        timeout: 200_000,
      })
      .toEqual({ n: 4 });
    await review.open();
    await expect(review.rows).toHaveCount(4);
    await page.locator('[data-testid^="open-sweep-"]').first().click();
    const heat = page.getByTestId('sweep-heatmap');
    await expect(heat).toBeVisible();
    const cells = heat.locator('[data-testid^="heat-cell-"]');
    await expect(cells).toHaveCount(4);
    const cell = cells.nth(3);
    const runId = Number(await cell.getAttribute('data-run-id'));
    expect(runId).toBeGreaterThan(0);
    await cell.click();
    await expect(review.detail).toBeVisible();
    await expect(review.detail).toHaveAttribute('data-run-id', String(runId));
  });

  test('a run of a corrupt recording shows the engine’s error and leaves the list intact', async ({
    page,
    host,
  }) => {
    test.setTimeout(180_000);
    // A recording long enough for two chunks, the second one zeroed.
    await recordSim(host.dataDir, 'broken', 75, 9);
    const db = new Database(join(host.dataDir, 'recordings.sqlite'));
    db.prepare(
      "UPDATE recording_chunks SET data = zeroblob(length(data)) WHERE seq = 1 AND recording_id = (SELECT id FROM recordings WHERE name = 'broken')",
    ).run();
    db.close();

    const review = new ReviewPage(page);
    await page.goto(host.url);
    await review.open();
    const good = await runFromForm(review, {});
    await review.open();
    await review.startBacktest('broken');
    await expect(page.locator('[data-testid^="job-error-"]').first()).toContainText(
      /broken, chunk 1 is corrupt/,
      {
        timeout: 60_000,
      },
    );
    // The good run is still listed, and the failed one beside it with the engine's error.
    await expect(review.row(good)).toBeVisible();
    const ids = await review.runIds();
    expect(ids).toContain(good);
    const failed = ids.find((id) => id !== good)!;
    await expect(page.getByTestId(`run-error-${failed}`)).toContainText('chunk 1 is corrupt');
    const stored = storedRun(host.dataDir, good);
    expect(stored.run.status).toBe('done');
  });
});
