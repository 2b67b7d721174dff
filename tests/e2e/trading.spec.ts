import { join } from 'node:path';
import { expect, ROOT, test } from './fixtures.ts';
import { WorkstationPage } from './pages/workstation.ts';

test.describe('trading on the simulated exchange', () => {
  test('quotes appear on the ladder and the chart, and pausing a side removes our orders there', async ({
    page,
    host,
  }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);
    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    await expect(ws.ownAskRows).toHaveCount(1);
    await expect(ws.liveBid).toHaveAttribute('data-live', 'true');
    await expect(ws.liveAsk).toHaveAttribute('data-live', 'true');
    await expect(ws.chartCanvas).toBeVisible();
    await expect(page.getByTestId('model-r')).not.toHaveText('—');

    await page.getByTestId('pause-bid').click();
    await expect(ws.ownBidRows).toHaveCount(0);
    await expect(ws.liveBid).toHaveAttribute('data-live', 'false');
    await expect(page.getByTestId('quote-withheld-bid')).toHaveText('paused');
    // The other side keeps quoting.
    await expect(ws.ownAskRows).toHaveCount(1);
    await expect(ws.liveAsk).toHaveAttribute('data-live', 'true');
    // The README's screenshot is this screen, refreshed on request so a normal run leaves the tree clean.
    const shot =
      process.env.UPDATE_README_SCREENSHOT === '1'
        ? join(ROOT, 'resources/readme/workstation.png')
        : test.info().outputPath('workstation.png');
    await page.getByTestId('pause-bid').click();
    await expect(ws.ownBidRows).toHaveCount(1);
    await page.screenshot({ path: shot });
  });

  test('an override moves the quotes; a refused one shows the engine error and changes nothing', async ({
    page,
    host,
  }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);
    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    const before = await ws.bidDistance();
    await ws.setOverride('skewTicks', '-40');
    await expect(page.getByTestId('override-applied')).toBeVisible();
    await expect(ws.overridesActive).toContainText('skewTicks=-40');
    // Skewed 40 ticks (4.0 USDT) down: the bid now sits that much further below the mid.
    await expect.poll(async () => ws.bidDistance(), { timeout: 10_000 }).toBeGreaterThan(before + 3);

    await ws.setOverride('gamma', '0');
    await expect(ws.overrideError).toContainText('gamma');
    await expect(ws.overrideError).toContainText(/>\s*0|greater than 0|too small/i);
    await expect(ws.overridesActive).toHaveText('skewTicks=-40');
  });

  test('the kill switch cancels everything, shows HALTED, and stays halted after a reload', async ({
    page,
    host,
  }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);
    await ws.startQuoting();
    await expect(ws.ownRows).toHaveCount(2, { timeout: 20_000 });
    await page.getByTestId('kill-button').click();
    await page.getByTestId('kill-confirm').click();
    await expect(ws.tradingState).toHaveText('HALTED');
    await expect(ws.ownRows).toHaveCount(0);
    await expect(ws.workingRows).toHaveCount(0);
    await expect(page.getByTestId('start-button')).toBeDisabled();

    await page.reload();
    await page.locator('.app[data-state="ready"]').waitFor();
    await expect(ws.tradingState).toHaveText('HALTED');
    await expect(ws.ownRows).toHaveCount(0);
    await page.getByTestId('reset-button').click();
    await expect(ws.tradingState).toHaveText('ACTIVE');
  });

  test('the kill switch survives an engine restart', async ({ page, host }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);
    await page.getByTestId('kill-button').click();
    await page.getByTestId('kill-confirm').click();
    await expect(ws.tradingState).toHaveText('HALTED');
    await host.restart();
    await ws.open(host.url);
    await expect(ws.tradingState).toHaveText('HALTED');
    await expect(page.getByTestId('gauges')).toContainText('KILL ENGAGED');
  });

  test('flatten brings the position back to zero', async ({ page, host }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);
    // Take a position by hand: a marketable buy (not post-only) well through the ask.
    const ask = Number(
      await page.locator('[data-testid="ladder-row"][data-side="ask"]').last().getAttribute('data-price'),
    );
    await page.getByTestId('ticket-side').selectOption('buy');
    await page.getByTestId('ticket-size').fill('0.030');
    await page.getByTestId('ticket-postonly').uncheck();
    // An empty price is never filled in from the moving book behind the trader's back.
    await page.getByTestId('ticket-send').click();
    await expect(page.getByTestId('ticket-result')).toContainText('enter a price');
    await expect(page.getByTestId('gauges')).toContainText('Order rate0 /');
    await page.getByTestId('ticket-price').fill((ask + 20).toFixed(2));
    await page.getByTestId('ticket-send').click();
    await expect(page.getByTestId('ticket-result')).toContainText('sent');
    await expect(ws.positionSize).not.toHaveText('0.000', { timeout: 10_000 });
    await page.getByTestId('flatten-button').click();
    await expect(page.getByTestId('flatten-modal')).toContainText('sell');
    await page.getByTestId('flatten-confirm').click();
    await expect(ws.positionSize).toHaveText('0.000', { timeout: 10_000 });
  });
});
