import { randomBytes } from 'node:crypto';
import { WallClock } from '../../engine/core/clock.ts';
import { MexcRest } from '../../engine/venues/mexc/rest-client.ts';
import { missingKeyringBinary } from '../support/keyring.ts';
import { expect, test } from './fixtures.ts';
import { ConnectPage, WorkstationPage } from './pages/workstation.ts';
import { filesUnder, VenueRig } from './processes.ts';

/**
 * MEXC spot end to end: the host pointed at the MEXC protocol simulator (REST and the protobuf
 * WebSocket on loopback), credentials in the OS keychain inside a private D-Bus session. The trader
 * chooses MEXC, saves and tests the key, connects behind the typed confirmation (MEXC has no test
 * account), quotes and kills.
 */

test.describe('MEXC against the MEXC protocol simulator', () => {
  const absent = missingKeyringBinary();
  test.skip(
    absent !== undefined,
    `${absent ?? ''} is not installed: the host keeps credentials in the OS keychain, which this test runs ` +
      'in a private D-Bus session with gnome-keyring (CI installs dbus-daemon and gnome-keyring)',
  );

  const apiKey = `mx0e2e${randomBytes(6).toString('hex')}`;
  const apiSecret = `planted-${randomBytes(12).toString('hex')}`;
  const rig = new VenueRig('mexc', { apiKey, apiSecret });
  test.beforeEach(() => rig.start());
  test.afterEach(() => rig.stop());

  test('choose MEXC at the simulator, save and test the key, connect behind MAINNET, quote, kill', async ({
    page,
  }) => {
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (f) => frames.push(String(f.payload))));
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(rig.url);
    await expect(ws.mode).toHaveText('SIM');

    // MEXC points at the local simulator, no key is saved, and connecting is real money.
    await connect.open();
    await connect.chooseVenue('mexc');
    expect(await connect.mexcEndpoints()).toEqual(rig.endpoints);
    await expect(connect.mexcCredentials()).toHaveText('no key');
    await expect(page.getByTestId('connect-mainnet-warning')).toBeVisible();
    await expect(page.getByTestId('connect-mode')).toHaveText('LIVE');
    await expect(connect.submit).toBeDisabled();
    await connect.close();

    await connect.openCredentials();
    await connect.saveCredentials('mexc', apiKey, apiSecret);
    await expect(connect.credentialStatus('mexc')).toContainText(`key …${apiKey.slice(-4)} saved`);
    await expect(connect.credentialsForm('mexc').getByTestId('credentials-secret')).toHaveValue('');
    const tested = await connect.testCredentials('mexc');
    expect(tested.ok, tested.text).toBe(true);
    expect(tested.permissions).toContain('SPOT');
    await connect.close();
    expect(await connect.pageContents()).not.toContain(apiSecret);

    await connect.connectMexc({ symbols: 'BTCUSDT', confirm: 'MAINNET' });
    await expect(ws.mode).toHaveText('LIVE', { timeout: 30_000 });
    await page.locator('.app[data-state="ready"]').waitFor();
    await expect(ws.instrumentSymbol).toHaveText('BTCUSDT');
    await expect(connect.venueLink).toHaveAttribute('data-state', 'connected');
    await expect(connect.rateHeadroom).toBeVisible();
    await expect(connect.clockOffset).toHaveText(/^clock (?:0|[+−]\d+) ms$/);
    await expect.poll(async () => (await ws.ladderPrices()).filter((p) => p > 0).length).toBeGreaterThan(0);

    await ws.startQuoting();
    await expect(ws.ownBidRows).toHaveCount(1, { timeout: 20_000 });
    await expect(ws.ownAskRows).toHaveCount(1);

    await page.getByTestId('kill-button').click();
    await page.getByTestId('kill-confirm').click();
    await expect(ws.tradingState).toHaveText('HALTED');
    await expect(ws.ownRows).toHaveCount(0, { timeout: 20_000 });
    // The venue agrees: nothing is left open at the simulator (asked over its own signed REST API).
    const rest = new MexcRest({
      baseUrl: rig.endpoints.rest,
      clock: new WallClock(),
      credentials: { apiKey, apiSecret },
    });
    const open = await rest.signedGet('/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open).toMatchObject({ ok: true, value: [] });
    await page.screenshot({ path: test.info().outputPath('mexc.png') });

    expect(await connect.pageContents()).not.toContain(apiSecret);
    expect(frames.filter((f) => f.includes(apiSecret))).toEqual([]);
    expect(rig.host?.output()).not.toContain(apiSecret);
    expect(filesUnder(rig.dataDir ?? '').filter((text) => text.includes(apiSecret))).toEqual([]);
  });
});
