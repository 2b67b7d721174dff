import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WallClock } from '../../engine/core/clock.ts';
import { MexcRest } from '../../engine/venues/mexc/rest-client.ts';
import { inKeyringSession, keyringEnv, missingKeyringBinary } from '../support/keyring.ts';
import { expect, ROOT, test } from './fixtures.ts';
import { ConnectPage, WorkstationPage } from './pages/workstation.ts';
import { filesUnder, spawnGroup, waitForOutput, type Spawned } from './processes.ts';

/**
 * MEXC spot end to end: the host pointed at the MEXC protocol simulator (REST and the protobuf
 * WebSocket on loopback), credentials in the OS keychain inside a private D-Bus session. The trader
 * chooses MEXC, saves and tests the key, connects behind the typed confirmation (MEXC has no test
 * account), quotes and kills.
 */

const KEYRING_PASSWORD = 'mm-workstation-e2e-keyring';

test.describe('MEXC against the MEXC protocol simulator', () => {
  const absent = missingKeyringBinary();
  test.skip(
    absent !== undefined,
    `${absent ?? ''} is not installed: the host keeps credentials in the OS keychain, which this test runs ` +
      'in a private D-Bus session with gnome-keyring (CI installs dbus-daemon and gnome-keyring)',
  );

  const apiKey = `mx0e2e${randomBytes(6).toString('hex')}`;
  const apiSecret = `planted-${randomBytes(12).toString('hex')}`;
  let simulator: Spawned | undefined;
  let host: Spawned | undefined;
  let dataDir: string | undefined;
  let home: string | undefined;
  let url = '';
  let endpoints = { rest: '', ws: '' };

  test.beforeEach(async () => {
    // The secret goes in through the environment, not argv, where any process listing would show it.
    const sim = spawnGroup(process.execPath, ['engine/simulators/cli.ts', 'mexc', '--port', '0'], {
      ...process.env,
      VENUE_SIM_API_KEY: apiKey,
      VENUE_SIM_API_SECRET: apiSecret,
    });
    simulator = sim;
    const line = await waitForOutput(sim, /^\{.*"venue":"mexc".*\}$/m, 'the MEXC simulator');
    const printed = JSON.parse(line[0]) as { rest: string; ws: string };
    endpoints = { rest: printed.rest, ws: printed.ws };
    const data = mkdtempSync(join(tmpdir(), 'mmws-e2e-mexc-'));
    dataDir = data;
    const keyringHome = mkdtempSync(join(tmpdir(), 'mmws-e2e-keyring-'));
    home = keyringHome;
    const env = keyringEnv(keyringHome, KEYRING_PASSWORD, { MM_LOG_LEVEL: 'warn' });
    const serve = [
      join(ROOT, 'engine/host/cli.ts'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      data,
      '--mexc-rest-url',
      endpoints.rest,
      '--mexc-ws-url',
      endpoints.ws,
    ];
    const [command, args] = inKeyringSession(process.execPath, serve);
    const started = spawnGroup(command, args, env);
    host = started;
    url = (await waitForOutput(started, /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/, 'the host'))[1]!;
  });

  test.afterEach(async () => {
    await host?.stop();
    await simulator?.stop();
    for (const dir of [dataDir, home]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    [host, simulator, dataDir, home] = [undefined, undefined, undefined, undefined];
  });

  test('choose MEXC at the simulator, save and test the key, connect behind MAINNET, quote, kill', async ({
    page,
  }) => {
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (f) => frames.push(String(f.payload))));
    const ws = new WorkstationPage(page);
    const connect = new ConnectPage(page);
    await ws.open(url);
    await expect(ws.mode).toHaveText('SIM');

    // MEXC points at the local simulator, no key is saved, and connecting is real money.
    await connect.open();
    await connect.chooseVenue('mexc');
    expect(await connect.mexcEndpoints()).toEqual(endpoints);
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
      baseUrl: endpoints.rest,
      clock: new WallClock(),
      credentials: { apiKey, apiSecret },
    });
    const open = await rest.signedGet('/api/v3/openOrders', { symbol: 'BTCUSDT' });
    expect(open).toMatchObject({ ok: true, value: [] });
    await page.screenshot({ path: test.info().outputPath('mexc.png') });

    expect(await connect.pageContents()).not.toContain(apiSecret);
    expect(frames.filter((f) => f.includes(apiSecret))).toEqual([]);
    expect(host?.output()).not.toContain(apiSecret);
    expect(filesUnder(dataDir ?? '').filter((text) => text.includes(apiSecret))).toEqual([]);
  });
});
