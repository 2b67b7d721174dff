import { expect, test } from './fixtures.ts';
import { WorkstationPage } from './pages/workstation.ts';

/** |a − b| / b; NaN while either is unknown, so a poll on it keeps waiting. */
function gap(a: number, b: number): number {
  return Math.abs(a - b) / b;
}

test.describe('several instruments on the simulator', () => {
  test('the switcher lists every instrument; switching shows its book; quoting starts on one only', async ({
    page,
    host,
  }) => {
    const ws = new WorkstationPage(page);
    await ws.open(host.url);

    // Both instruments are listed, one selected, and the account totals are in the header.
    await expect(ws.instrumentTab('BTCUSDT')).toBeVisible();
    await expect(ws.instrumentTab('ETHUSDT')).toBeVisible();
    await expect(ws.switcher.locator('[data-selected="true"]')).toHaveCount(1);
    await expect(ws.accountEquity).toContainText(/\d/);
    await expect(ws.accountEquity).toContainText('USDT');
    await expect(ws.accountPnl).toContainText('fees');
    await expect(ws.accountState).toHaveText('ACTIVE');
    await expect(ws.instrumentTab('BTCUSDT')).toHaveAttribute('data-quoting', 'stopped');
    await expect(ws.instrumentTab('ETHUSDT')).toHaveAttribute('data-quoting', 'stopped');

    // Switch to ETHUSDT: the ladder is ETH's book, priced near ETH's mid and far from BTC's.
    await ws.selectInstrument('ETHUSDT');
    await expect(ws.instrumentSymbol).toHaveText('ETHUSDT');
    await expect(ws.instrumentTab('BTCUSDT')).toHaveAttribute('data-selected', 'false');
    await expect(ws.switchError).toHaveCount(0);
    await expect.poll(async () => gap(await ws.ladderMid(), await ws.tabMid('ETHUSDT'))).toBeLessThan(0.01);
    await expect.poll(async () => gap(await ws.ladderMid(), await ws.tabMid('BTCUSDT'))).toBeGreaterThan(0.2);
    await expect
      .poll(async () => {
        const [prices, mid] = [await ws.ladderPrices(), await ws.tabMid('ETHUSDT')];
        return prices.length > 0 && prices.every((p) => gap(p, mid) < 0.02);
      })
      .toBe(true);

    // Quote ETHUSDT only: our ETH quotes rest on the ladder, BTCUSDT stays stopped.
    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    await expect(ws.ownAskRows).toHaveCount(1);
    expect(gap(await ws.ownPrice('bid'), await ws.tabMid('ETHUSDT'))).toBeLessThan(0.01);
    expect(gap(await ws.ownPrice('ask'), await ws.tabMid('ETHUSDT'))).toBeLessThan(0.01);
    await expect(ws.instrumentTab('ETHUSDT')).toHaveAttribute('data-quoting', 'quoting');
    await expect(ws.instrumentTab('BTCUSDT')).toHaveAttribute('data-quoting', 'stopped');

    // Back on BTCUSDT: none of ours on its book, and it still offers to start.
    await ws.selectInstrument('BTCUSDT');
    await expect(ws.instrumentSymbol).toHaveText('BTCUSDT');
    await expect(ws.ownRows).toHaveCount(0);
    await expect(page.getByTestId('start-button')).toBeVisible();
    await expect(ws.instrumentTab('ETHUSDT')).toHaveAttribute('data-quoting', 'quoting');
    await page.screenshot({ path: test.info().outputPath('instruments.png') });
  });
});
