import { expect, test } from './fixtures.ts';
import { RecordingsPage } from './pages/recordings.ts';
import { WorkstationPage } from './pages/workstation.ts';

test.describe('recording market data from the workstation', () => {
  test('start, watch the REC count grow, stop, find it listed with its size, delete it', async ({
    page,
    host,
  }) => {
    const ws = new WorkstationPage(page);
    const rec = new RecordingsPage(page);
    await ws.open(host.url);
    await expect(rec.indicator).toHaveCount(0);

    await rec.open();
    // An empty list says what to do first.
    await expect(rec.empty).toContainText('press Start recording');
    // The proposed name: the session's instruments and the engine's time.
    await expect(rec.name).toHaveValue(/^BTCUSDT-ETHUSDT-\d{8}-\d{4}$/);

    // The engine's refusal is shown inline, and nothing starts.
    await rec.name.fill('not a name');
    await expect(page.getByTestId('rec-name-hint')).toBeVisible();
    await rec.start.click();
    await expect(rec.error).toContainText('is not valid');
    await expect(rec.indicator).toHaveCount(0);

    // Only BTCUSDT, under a name of our own.
    await page.getByTestId('rec-symbol-ETHUSDT').uncheck();
    await rec.name.fill('e2e-btc');
    await rec.start.click();
    await expect(rec.running).toContainText('e2e-btc');
    await expect(rec.indicator).toContainText('REC e2e-btc');
    await expect(rec.row('e2e-btc').getByTestId('recording-status')).toHaveText('● recording');
    await expect(rec.row('e2e-btc').getByTestId('recording-delete')).toBeDisabled();
    await expect(rec.row('e2e-btc').getByTestId('recording-live')).toBeVisible();
    await rec.close();

    // The header's count grows live while the market moves.
    await expect.poll(() => rec.indicatorEvents(), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = await rec.indicatorEvents();
    await expect.poll(() => rec.indicatorEvents(), { timeout: 15_000 }).toBeGreaterThan(first + 20);
    await expect(page.getByTestId('rec-events')).not.toHaveText('0');
    await expect(page.getByTestId('rec-size')).toHaveText(/^\d+(\.\d+)? (B|KiB|MiB)$/);

    await rec.headerStop.click();
    await expect(rec.indicator).toHaveCount(0);

    await rec.open();
    const row = rec.row('e2e-btc');
    await expect(row.getByTestId('recording-status')).toHaveText('complete');
    await expect(row.getByTestId('recording-symbols')).toHaveText('BTCUSDT');
    await expect(row.getByTestId('recording-size')).toHaveText(/^\d+(\.\d+)? (B|KiB|MiB)$/);
    expect(Number(await row.getByTestId('recording-size').getAttribute('data-bytes'))).toBeGreaterThan(0);
    const events = Number(
      ((await row.getByTestId('recording-events').textContent()) ?? '').replace(/,/g, ''),
    );
    expect(events).toBeGreaterThan(first);
    await expect(row.getByTestId('recording-span')).toHaveText(/^\d+ (s|min)/);

    // Delete asks once more in the row; Keep leaves it.
    await row.getByTestId('recording-delete').click();
    await row.getByTestId('recording-delete-keep').click();
    await expect(row).toBeVisible();
    await rec.delete('e2e-btc');
    await expect(rec.rows).toHaveCount(0);
    await expect(rec.empty).toBeVisible();
  });
});
